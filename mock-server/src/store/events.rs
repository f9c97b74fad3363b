//! The event log: one entry per change, in the order the changes were made.
//!
//! Every change to the state appends its events through [`State::record`]
//! while the store lock is held, so the log order is the commit order and
//! event ids (issued from one sequence) sort in that order. The log keeps at
//! most [`EventLog::capacity`] events and drops the oldest beyond that; it
//! remembers the newest dropped id, so a reader can tell "after an id the
//! log no longer has" from "after an id with nothing later".
//!
//! Appended events are also queued in [`EventLog::unpublished`] until the
//! store has committed the change, and then sent on the store's broadcast
//! channel (see [`Store::subscribe`](super::Store::subscribe)).

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::State;
use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest, slice_page};
use crate::problem::ApiError;

pub(crate) use crate::config::DEFAULT_MAX_EVENTS;

/// The kind of change an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum EventType {
    #[serde(rename = "plant.created")]
    PlantCreated,
    #[serde(rename = "plant.updated")]
    PlantUpdated,
    #[serde(rename = "plant.deleted")]
    PlantDeleted,
    #[serde(rename = "plant.stock_changed")]
    PlantStockChanged,
    #[serde(rename = "plant.low_stock")]
    PlantLowStock,
    #[serde(rename = "plant.out_of_stock")]
    PlantOutOfStock,
    #[serde(rename = "customer.created")]
    CustomerCreated,
    #[serde(rename = "customer.updated")]
    CustomerUpdated,
    #[serde(rename = "customer.deleted")]
    CustomerDeleted,
    #[serde(rename = "order.created")]
    OrderCreated,
    #[serde(rename = "order.paid")]
    OrderPaid,
    #[serde(rename = "order.fulfilled")]
    OrderFulfilled,
    #[serde(rename = "order.cancelled")]
    OrderCancelled,
    #[serde(rename = "payment.completed")]
    PaymentCompleted,
    #[serde(rename = "payment.failed")]
    PaymentFailed,
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventType {
    /// Every event type, in the order the API documents them.
    pub(crate) const ALL: [EventType; 16] = [
        Self::PlantCreated,
        Self::PlantUpdated,
        Self::PlantDeleted,
        Self::PlantStockChanged,
        Self::PlantLowStock,
        Self::PlantOutOfStock,
        Self::CustomerCreated,
        Self::CustomerUpdated,
        Self::CustomerDeleted,
        Self::OrderCreated,
        Self::OrderPaid,
        Self::OrderFulfilled,
        Self::OrderCancelled,
        Self::PaymentCompleted,
        Self::PaymentFailed,
        Self::WebhookTest,
    ];

    /// Returns the wire name, such as `order.created`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::PlantCreated => "plant.created",
            Self::PlantUpdated => "plant.updated",
            Self::PlantDeleted => "plant.deleted",
            Self::PlantStockChanged => "plant.stock_changed",
            Self::PlantLowStock => "plant.low_stock",
            Self::PlantOutOfStock => "plant.out_of_stock",
            Self::CustomerCreated => "customer.created",
            Self::CustomerUpdated => "customer.updated",
            Self::CustomerDeleted => "customer.deleted",
            Self::OrderCreated => "order.created",
            Self::OrderPaid => "order.paid",
            Self::OrderFulfilled => "order.fulfilled",
            Self::OrderCancelled => "order.cancelled",
            Self::PaymentCompleted => "payment.completed",
            Self::PaymentFailed => "payment.failed",
            Self::WebhookTest => "webhook.test",
        }
    }

    /// Returns the comma-separated list of every wire name, for errors.
    pub(crate) fn expected_values() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == raw)
            .ok_or_else(|| format!("must be one of {}", Self::expected_values()))
    }
}

/// One entry of the log, serialized exactly as the API's `Event` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Event {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) kind: EventType,
    pub(crate) created_at: DateTime<Utc>,
    /// The object after the change (before it, for a deletion).
    pub(crate) data: Value,
}

impl HasId for Event {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The retained events, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct EventLog {
    events: VecDeque<Event>,
    /// The newest event id dropped to respect the capacity, if any.
    #[serde(default)]
    last_dropped_id: Option<String>,
    /// Events kept at most; set by the store from its configuration.
    #[serde(skip, default = "default_capacity")]
    capacity: usize,
    /// Events appended by the change in progress, not yet broadcast.
    #[serde(skip)]
    unpublished: Vec<Event>,
}

fn default_capacity() -> usize {
    DEFAULT_MAX_EVENTS
}

impl Default for EventLog {
    fn default() -> Self {
        Self {
            events: VecDeque::new(),
            last_dropped_id: None,
            capacity: DEFAULT_MAX_EVENTS,
            unpublished: Vec::new(),
        }
    }
}

/// The events after a given id, as [`EventLog::after`] returns them.
#[derive(Debug, Clone, PartialEq)]
#[allow(
    dead_code,
    reason = "the SSE streams and the webhook dispatcher read the log through it"
)]
pub(crate) struct EventsAfter {
    /// True when events after the requested id were dropped from the log,
    /// so `events` starts at the oldest retained event and misses some.
    pub(crate) expired: bool,
    /// The retained events after the id, oldest first.
    pub(crate) events: Vec<Event>,
}

#[allow(
    dead_code,
    reason = "the SSE streams and the webhook dispatcher read the log through these"
)]
impl EventLog {
    /// Sets how many events the log keeps, dropping the oldest beyond that.
    /// A capacity of 0 is treated as 1.
    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        self.trim();
    }

    /// The id of the oldest retained event, or `None` when the log is empty.
    pub(crate) fn oldest_id(&self) -> Option<&str> {
        self.events.front().map(|event| event.id.as_str())
    }

    /// The id of the newest retained event, or `None` when the log is empty.
    pub(crate) fn newest_id(&self) -> Option<&str> {
        self.events.back().map(|event| event.id.as_str())
    }

    /// The newest retained event, or `None` when the log is empty.
    pub(crate) fn newest(&self) -> Option<&Event> {
        self.events.back()
    }

    /// Returns the retained event with `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&Event> {
        let index = self.position_after(id);
        self.events
            .get(index.checked_sub(1)?)
            .filter(|event| event.id == id)
    }

    /// Returns every retained event after `after` (every event when `None`),
    /// and whether some events after it were already dropped.
    ///
    /// An id need not name a retained event: ids sort in log order, so the
    /// events after it are those with a greater id.
    pub(crate) fn after(&self, after: Option<&str>) -> EventsAfter {
        let Some(after) = after else {
            return EventsAfter {
                expired: self.last_dropped_id.is_some(),
                events: self.events.iter().cloned().collect(),
            };
        };
        let expired = self
            .last_dropped_id
            .as_deref()
            .is_some_and(|dropped| after < dropped);
        let start = self.position_after(after);
        EventsAfter {
            expired,
            events: self.events.range(start..).cloned().collect(),
        }
    }

    /// Returns how many retained events have an id at or before `id`.
    fn position_after(&self, id: &str) -> usize {
        self.events.partition_point(|event| event.id.as_str() <= id)
    }

    /// Takes the events appended since the last call.
    pub(crate) fn take_unpublished(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.unpublished)
    }

    fn push(&mut self, event: Event) {
        self.unpublished.push(event.clone());
        self.events.push_back(event);
        self.trim();
    }

    fn trim(&mut self) {
        while self.events.len() > self.capacity {
            if let Some(dropped) = self.events.pop_front() {
                self.last_dropped_id = Some(dropped.id);
            }
        }
    }

    /// Checks that a log read from a file is in id order.
    pub(crate) fn check_loaded(&self) -> Result<(), String> {
        let mut previous: Option<&str> = self.last_dropped_id.as_deref();
        for event in &self.events {
            if !ids::is_well_formed(&event.id, ids::EVENT) {
                return Err(format!("event id `{}` is malformed", event.id));
            }
            if previous.is_some_and(|previous| previous >= event.id.as_str()) {
                return Err(format!("event `{}` is out of order", event.id));
            }
            previous = Some(&event.id);
        }
        Ok(())
    }

    /// The latest timestamp in the log, so a loaded state never issues an
    /// earlier one.
    pub(crate) fn latest_time(&self) -> Option<DateTime<Utc>> {
        self.events.back().map(|event| event.created_at)
    }
}

impl State {
    /// Appends an event of type `kind` whose `data` is `object`.
    pub(crate) fn record(&mut self, kind: EventType, object: &impl Serialize) {
        // The stored records hold only strings, numbers, lists and
        // timestamps, which always serialize.
        let data = serde_json::to_value(object).unwrap_or(Value::Null);
        let event = Event {
            id: self.ids.next(ids::EVENT),
            kind,
            created_at: self.now(),
            data,
        };
        self.events.push(event);
    }

    /// Returns the retained event with `id`.
    pub(crate) fn event(&self, id: &str) -> Result<Event, ApiError> {
        self.events
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("event", id))
    }

    /// Returns one page of the retained events of type `kind` (every type
    /// when `None`), in log order. A keyset cursor need not be retained.
    pub(crate) fn list_events(
        &self,
        kind: Option<EventType>,
        page: &PageRequest,
    ) -> Result<PageOf<Event>, ApiError> {
        let matching: Vec<&Event> = self
            .events
            .events
            .iter()
            .filter(|event| kind.is_none_or(|kind| event.kind == kind))
            .collect();
        let page = slice_page(&matching, page, |cursor| {
            super::listing::check_cursor(cursor, ids::EVENT, "event")?;
            Ok(matching.partition_point(|event| event.id.as_str() <= cursor))
        })?;
        Ok(page.cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(sequence: u64) -> Event {
        let mut id = String::from("evt_");
        ids::push_base32(&mut id, sequence);
        ids::push_base32(&mut id, 0);
        Event {
            id,
            kind: EventType::PlantCreated,
            created_at: DateTime::<Utc>::default(),
            data: Value::Null,
        }
    }

    #[test]
    fn capacity_drops_oldest_and_remembers_it() {
        let mut log = EventLog::default();
        log.set_capacity(2);
        for sequence in 1..=3 {
            log.push(event(sequence));
        }

        assert_eq!(log.events.len(), 2);
        assert_eq!(log.oldest_id(), Some(event(2).id.as_str()));
        assert!(!log.after(Some(&event(1).id)).expired);
        assert!(log.after(Some(&event(0).id)).expired);
        assert_eq!(log.after(Some(&event(2).id)).events, vec![event(3)]);
    }

    #[test]
    fn after_an_unknown_id_uses_id_order() {
        let mut log = EventLog::default();
        log.push(event(2));
        log.push(event(4));

        let later = log.after(Some(&event(3).id));
        assert_eq!(later.events, vec![event(4)]);
        assert!(!later.expired);
        assert_eq!(log.get(&event(4).id), Some(&event(4)));
        assert_eq!(log.get(&event(3).id), None);
    }

    #[test]
    fn event_types_round_trip_through_wire_names() {
        for kind in EventType::ALL {
            assert_eq!(kind.as_str().parse::<EventType>(), Ok(kind));
            let json = serde_json::to_string(&kind).expect("an enum always serializes");
            assert_eq!(json, format!("\"{kind}\""));
        }
        assert!("order.shipped".parse::<EventType>().is_err());
    }
}
