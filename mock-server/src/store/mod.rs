//! The server's state: every resource and the event log, behind one lock.
//!
//! [`State`] contains one map per resource type, the event log and the id
//! generator with its per-type sequences. [`Store`] guards it with one async
//! mutex. A change runs under the lock and, when a state file is
//! configured, is written to disk before the lock is released, so writes
//! reach the disk in the order the changes were made and a client only sees
//! a response once its change is saved.
//!
//! # Subscribing to events
//!
//! Every event a committed change appends is also sent, in log order, on a
//! [`tokio::sync::broadcast`] channel: [`Store::subscribe`] returns a
//! receiver of live events. To resume after a known event without a gap or
//! a duplicate, [`Store::subscribe_after`] reads the retained events after
//! an id and opens the receiver under the same lock, so the live events
//! start exactly where the backlog ends. A receiver that falls more than
//! [`EVENT_CHANNEL_CAPACITY`] events behind gets
//! [`RecvError::Lagged`](tokio::sync::broadcast::error::RecvError::Lagged),
//! and should read the missed events from the log with
//! [`Store::events_after`] using the last id it saw.

mod customers;
mod events;
mod listing;
mod orders;
mod payments;
mod plants;
mod webhooks;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::{RwLock, broadcast};

use crate::ids::IdGenerator;
use crate::persist::StateFile;
use crate::problem::ApiError;
use crate::seed;

pub(crate) use customers::{CustomerChanges, CustomerFilter, CustomerRecord, NewCustomer};
pub(crate) use events::{DEFAULT_MAX_EVENTS, Event, EventLog, EventType, EventsAfter};
pub(crate) use orders::{NewOrder, NewOrderItem, OrderFilter, OrderItem, OrderRecord, OrderStatus};
pub(crate) use payments::{
    FailureCode, NewPayment, PaymentMethod, PaymentOutcome, PaymentRecord, PaymentStatus,
};
pub(crate) use plants::{
    JsonCache, MAX_STOCK, NewPlant, PlantChanges, PlantFilter, PlantJson, PlantRecord, PlantSort,
    SortKey, StockChange,
};
pub(crate) use webhooks::{
    AttemptOutcome, NewWebhook, PendingAttempt, RetryRules, WebhookChanges, WebhookStatus,
};

/// Live events a subscriber may fall behind by before it lags.
pub(crate) const EVENT_CHANNEL_CAPACITY: usize = 1024;

/// Everything the server stores.
///
/// Every resource list and the event log default to empty when absent, so
/// state files written before they existed still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) ids: IdGenerator,
    /// The latest timestamp handed out, so that timestamps never go
    /// backwards and `created_at` order always matches id order.
    pub(crate) clock: DateTime<Utc>,
    #[serde(with = "listing::as_list")]
    pub(crate) plants: BTreeMap<String, PlantRecord>,
    #[serde(default, with = "listing::as_list")]
    pub(crate) customers: BTreeMap<String, CustomerRecord>,
    #[serde(default, with = "listing::as_list")]
    pub(crate) orders: BTreeMap<String, OrderRecord>,
    #[serde(default, with = "listing::as_list")]
    pub(crate) payments: BTreeMap<String, PaymentRecord>,
    #[serde(default)]
    pub(crate) events: EventLog,
    #[serde(default, with = "listing::as_list")]
    pub(crate) webhooks: BTreeMap<String, webhooks::WebhookRecord>,
    #[serde(default, with = "listing::as_list")]
    pub(crate) deliveries: BTreeMap<String, webhooks::DeliveryRecord>,
}

impl State {
    /// Checks a state read from a file, recomputes derived fields and moves
    /// the latest timestamp past every stored one.
    pub(crate) fn check_loaded(&mut self) -> Result<(), String> {
        self.check_loaded_plants()?;
        self.events.check_loaded()?;

        let times = self
            .customers
            .values()
            .map(|customer| customer.updated_at)
            .chain(self.orders.values().map(|order| order.updated_at))
            .chain(self.payments.values().map(|payment| payment.created_at))
            .chain(self.events.latest_time());
        for time in times {
            self.clock = self.clock.max(time);
        }
        Ok(())
    }

    /// Returns the current time in milliseconds, never before the previous
    /// value it returned.
    pub(crate) fn now(&mut self) -> DateTime<Utc> {
        let now = Utc::now().trunc_subsecs(3).max(self.clock);
        self.clock = now;
        now
    }
}

/// The shared state, the file it is saved to, the seed plan it can be
/// reset to and the channel of appended events.
#[derive(Debug)]
pub(crate) struct Store {
    /// Reads share the lock, so concurrent requests can serialize their
    /// responses from borrowed state. Changes take it alone.
    state: RwLock<State>,
    file: Option<StateFile>,
    seed: seed::Plan,
    max_events: usize,
    events: broadcast::Sender<Arc<Event>>,
}

impl Store {
    /// Wraps `state`, whose log keeps [`DEFAULT_MAX_EVENTS`] events.
    pub(crate) fn new(state: State, file: Option<StateFile>, seed: seed::Plan) -> Self {
        let (events, _) = broadcast::channel(EVENT_CHANNEL_CAPACITY);
        Self {
            state: RwLock::new(state),
            file,
            seed,
            max_events: DEFAULT_MAX_EVENTS,
            events,
        }
    }

    /// Makes the log keep at most `max_events` events (at least 1), dropping
    /// the oldest beyond that.
    #[must_use]
    pub(crate) fn with_max_events(mut self, max_events: usize) -> Self {
        self.max_events = max_events.max(1);
        self.state.get_mut().events.set_capacity(self.max_events);
        self
    }

    // The SSE streams and the webhook dispatcher subscribe through the four
    // methods below.

    /// Returns a receiver of every event appended from now on, in log order.
    #[allow(dead_code, reason = "the SSE streams and webhooks use it")]
    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.events.subscribe()
    }

    /// Returns the retained events after `after` (all of them when `None`)
    /// and a receiver of every later event, with no gap or overlap between
    /// the two.
    ///
    /// `EventsAfter::expired` is true when events after `after` were
    /// already dropped from the bounded log; `events` then starts at the
    /// oldest retained event.
    #[allow(dead_code, reason = "the SSE streams and webhooks use it")]
    pub(crate) async fn subscribe_after(
        &self,
        after: Option<&str>,
    ) -> (EventsAfter, broadcast::Receiver<Arc<Event>>) {
        let state = self.state.read().await;
        let receiver = self.events.subscribe();
        (state.events.after(after), receiver)
    }

    /// Returns the id of the newest retained event and a receiver of every
    /// later event. A subscriber that lags reads what it missed with
    /// [`events_after`](Self::events_after) from that id.
    pub(crate) async fn subscribe_live(&self) -> (Option<String>, broadcast::Receiver<Arc<Event>>) {
        let state = self.state.read().await;
        let receiver = self.events.subscribe();
        (state.events.newest_id().map(str::to_owned), receiver)
    }

    /// Returns the retained events after `after` (all of them when `None`).
    #[allow(dead_code, reason = "the SSE streams and webhooks use it")]
    pub(crate) async fn events_after(&self, after: Option<&str>) -> EventsAfter {
        self.state.read().await.events.after(after)
    }

    /// Returns the id of the oldest retained event, or `None` while the log
    /// is empty. A client resuming after an older id has missed events.
    #[allow(dead_code, reason = "the SSE streams and webhooks use it")]
    pub(crate) async fn oldest_event_id(&self) -> Option<String> {
        self.state
            .read()
            .await
            .events
            .oldest_id()
            .map(str::to_owned)
    }

    /// Replaces the whole state with freshly generated seed data, as at a
    /// start without a state file, and saves it when a state file is
    /// configured.
    ///
    /// # Errors
    ///
    /// `500 internal_error` when the state file cannot be written; the state
    /// is then left as it was.
    #[allow(
        dead_code,
        reason = "the admin surface's reset route calls it once that lands"
    )]
    pub(crate) async fn reset(&self) -> Result<(), ApiError> {
        let mut fresh = seed::generate(&self.seed);
        fresh.events.set_capacity(self.max_events);
        self.write(|state| {
            *state = fresh;
            Ok(())
        })
        .await
    }

    /// Runs a read-only operation on the state.
    pub(crate) async fn read<T>(
        &self,
        operation: impl FnOnce(&State) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let state = self.state.read().await;
        operation(&state)
    }

    /// Runs a change on the state and saves the result.
    ///
    /// `change` must check its input before it modifies anything, because an
    /// error it returns is passed on without undoing its edits. If saving
    /// fails, the state is restored to what it was before the change and the
    /// caller gets `500 internal_error`.
    pub(crate) async fn write<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut state = self.state.write().await;
        let Some(file) = &self.file else {
            let output = change(&mut state);
            self.publish(&mut state);
            return output;
        };

        let before = state.clone();
        let output = change(&mut state);
        if output.is_ok()
            && let Err(error) = file.save(&state).await
        {
            tracing::error!(path = %file.path().display(), error = %error, "failed to save state; change rolled back");
            *state = before;
            return Err(ApiError::internal());
        }
        self.publish(&mut state);
        output
    }

    /// Sends the events appended by the committed change to subscribers.
    /// It runs under the lock, so subscribers see the log order.
    fn publish(&self, state: &mut State) {
        for event in state.events.take_unpublished() {
            // An error only means that no receiver is subscribed right now.
            let _ = self.events.send(Arc::new(event));
        }
    }
}
