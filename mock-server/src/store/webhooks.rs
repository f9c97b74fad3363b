//! Webhook endpoints and their delivery attempts: the stored records and
//! the operations on them.
//!
//! Both live in the persisted state, so a restart with a state file keeps
//! the endpoints, their secrets and every queued attempt. An attempt is
//! stored as `pending` from the moment it is queued, with the time it is
//! due; the dispatcher (`crate::webhooks`) sends it then and records the
//! outcome.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::State;
use super::events::{Event, EventType};
use super::listing::{check_cursor, fresh_id};
use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest, slice_page};
use crate::problem::ApiError;

/// How long the secret replaced by a rotation keeps signing.
pub(crate) const PREVIOUS_SECRET_GRACE_HOURS: i64 = 24;

/// Whether an endpoint receives new events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WebhookStatus {
    Enabled,
    Disabled,
}

/// The reason an endpoint is disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DisabledReason {
    Manual,
    Gone,
    TooManyFailures,
}

/// An endpoint as the API shows it: the `WebhookEndpoint` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WebhookEndpoint {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) events: Vec<EventType>,
    pub(crate) description: Option<String>,
    pub(crate) status: WebhookStatus,
    pub(crate) disabled_reason: Option<DisabledReason>,
    pub(crate) previous_secret_expires_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl HasId for WebhookEndpoint {
    fn id(&self) -> &str {
        &self.id
    }
}

/// An endpoint with its signing secret, as creation and rotation return it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct WebhookEndpointWithSecret {
    #[serde(flatten)]
    pub(crate) endpoint: WebhookEndpoint,
    pub(crate) secret: String,
}

/// A stored endpoint: the API object plus its secrets and failure count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WebhookRecord {
    #[serde(flatten)]
    pub(crate) endpoint: WebhookEndpoint,
    pub(crate) secret: String,
    #[serde(default)]
    pub(crate) previous_secret: Option<String>,
    /// Failed attempts since the last success or re-enable.
    #[serde(default)]
    pub(crate) consecutive_failures: u32,
}

impl HasId for WebhookRecord {
    fn id(&self) -> &str {
        &self.endpoint.id
    }
}

impl WebhookRecord {
    /// Returns the secrets that sign a delivery at `now`: the current one, then the
    /// previous one while its grace period lasts.
    pub(crate) fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<String> {
        let mut secrets = vec![self.secret.clone()];
        let previous_active = self
            .endpoint
            .previous_secret_expires_at
            .is_some_and(|expires| expires > now);
        if previous_active && let Some(previous) = &self.previous_secret {
            secrets.push(previous.clone());
        }
        secrets
    }

    fn with_secret(&self) -> WebhookEndpointWithSecret {
        WebhookEndpointWithSecret {
            endpoint: self.endpoint.clone(),
            secret: self.secret.clone(),
        }
    }
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

/// One attempt as the API shows it: the `WebhookDelivery` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WebhookDelivery {
    pub(crate) id: String,
    pub(crate) webhook_id: String,
    pub(crate) event_id: String,
    pub(crate) event_type: EventType,
    pub(crate) attempt: u32,
    pub(crate) status: DeliveryStatus,
    pub(crate) response_status: Option<u16>,
    pub(crate) duration_ms: Option<u64>,
    pub(crate) error: Option<String>,
    pub(crate) next_retry_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
}

impl HasId for WebhookDelivery {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A stored attempt: the API object plus the exact body and when it is due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DeliveryRecord {
    #[serde(flatten)]
    pub(crate) delivery: WebhookDelivery,
    /// The event as sent, byte for byte the same on every attempt.
    pub(crate) body: String,
    /// When a pending attempt is to be sent.
    pub(crate) due_at: DateTime<Utc>,
    /// Whether a `retry` request queued it; such an attempt schedules no
    /// automatic retry.
    #[serde(default)]
    pub(crate) manual: bool,
}

impl HasId for DeliveryRecord {
    fn id(&self) -> &str {
        &self.delivery.id
    }
}

/// A checked `POST /v1/webhooks` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewWebhook {
    pub(crate) url: String,
    pub(crate) events: Vec<EventType>,
    pub(crate) description: Option<String>,
}

/// A checked `PATCH /v1/webhooks/{id}` body: `None` leaves a field
/// unchanged, and `Some(None)` clears the description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WebhookChanges {
    pub(crate) url: Option<String>,
    pub(crate) events: Option<Vec<EventType>>,
    pub(crate) description: Option<Option<String>>,
    pub(crate) status: Option<WebhookStatus>,
}

/// The inputs the dispatcher needs to send one pending attempt.
#[derive(Debug, Clone)]
pub(crate) struct PendingAttempt {
    pub(crate) url: String,
    pub(crate) event_id: String,
    pub(crate) body: String,
    pub(crate) secrets: Vec<String>,
    pub(crate) due_at: DateTime<Utc>,
}

/// The result of sending one attempt.
#[derive(Debug, Clone)]
pub(crate) struct AttemptOutcome {
    pub(crate) response_status: Option<u16>,
    pub(crate) duration_ms: u64,
    /// `None` for a 2xx response.
    pub(crate) error: Option<String>,
}

/// The retry rules the dispatcher applies when an attempt fails.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryRules {
    pub(crate) base: std::time::Duration,
    pub(crate) max_attempts: u32,
    pub(crate) failure_limit: u32,
}

impl RetryRules {
    /// Returns the wait after failed attempt `attempt`: the base, doubled per attempt.
    fn delay_after(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let delay = self.base.saturating_mul(factor);
        Duration::from_std(delay).unwrap_or(Duration::MAX)
    }
}

impl State {
    /// Returns the endpoint with `id`.
    pub(crate) fn webhook(&self, id: &str) -> Result<WebhookEndpoint, ApiError> {
        self.webhook_record(id)
            .map(|record| record.endpoint.clone())
    }

    fn webhook_record(&self, id: &str) -> Result<&WebhookRecord, ApiError> {
        self.webhooks
            .get(id)
            .ok_or_else(|| ApiError::not_found("webhook endpoint", id))
    }

    fn webhook_record_mut(&mut self, id: &str) -> Result<&mut WebhookRecord, ApiError> {
        self.webhooks
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("webhook endpoint", id))
    }

    /// Returns one page of the endpoints, in creation order.
    pub(crate) fn list_webhooks(
        &self,
        page: &PageRequest,
    ) -> Result<PageOf<WebhookEndpoint>, ApiError> {
        let all: Vec<WebhookEndpoint> = self
            .webhooks
            .values()
            .map(|record| record.endpoint.clone())
            .collect();
        slice_page(&all, page, |cursor| {
            check_cursor(cursor, ids::WEBHOOK, "a webhook endpoint")?;
            Ok(all.partition_point(|endpoint| endpoint.id.as_str() <= cursor))
        })
    }

    /// Registers an endpoint signed with `secret`.
    pub(crate) fn create_webhook(
        &mut self,
        new: NewWebhook,
        secret: String,
    ) -> WebhookEndpointWithSecret {
        let now = self.now();
        let id = fresh_id(&mut self.ids, ids::WEBHOOK, &self.webhooks);
        let record = WebhookRecord {
            endpoint: WebhookEndpoint {
                id: id.clone(),
                url: new.url,
                events: new.events,
                description: new.description,
                status: WebhookStatus::Enabled,
                disabled_reason: None,
                previous_secret_expires_at: None,
                created_at: now,
                updated_at: now,
            },
            secret,
            previous_secret: None,
            consecutive_failures: 0,
        };
        let shown = record.with_secret();
        self.webhooks.insert(id, record);
        shown
    }

    /// Applies `changes`. Enabling an endpoint resets its failure count;
    /// disabling it records the reason `manual`.
    pub(crate) fn update_webhook(
        &mut self,
        id: &str,
        changes: WebhookChanges,
    ) -> Result<WebhookEndpoint, ApiError> {
        self.webhook_record(id)?;
        let now = self.now();
        let record = self.webhook_record_mut(id)?;
        let endpoint = &mut record.endpoint;
        let mut changed = false;
        if let Some(url) = changes.url {
            changed |= endpoint.url != url;
            endpoint.url = url;
        }
        if let Some(events) = changes.events {
            changed |= endpoint.events != events;
            endpoint.events = events;
        }
        if let Some(description) = changes.description {
            changed |= endpoint.description != description;
            endpoint.description = description;
        }
        match changes.status {
            Some(WebhookStatus::Enabled) => {
                changed |= endpoint.status != WebhookStatus::Enabled;
                endpoint.status = WebhookStatus::Enabled;
                endpoint.disabled_reason = None;
                record.consecutive_failures = 0;
            }
            Some(WebhookStatus::Disabled) if endpoint.status == WebhookStatus::Enabled => {
                changed = true;
                endpoint.status = WebhookStatus::Disabled;
                endpoint.disabled_reason = Some(DisabledReason::Manual);
            }
            Some(WebhookStatus::Disabled) | None => {}
        }
        if changed {
            record.endpoint.updated_at = now;
        }
        Ok(record.endpoint.clone())
    }

    /// Removes the endpoint and every attempt queued or made for it.
    pub(crate) fn delete_webhook(&mut self, id: &str) -> Result<(), ApiError> {
        self.webhook_record(id)?;
        self.webhooks.remove(id);
        self.deliveries
            .retain(|_, record| record.delivery.webhook_id != id);
        Ok(())
    }

    /// Replaces the secret with `secret`; the old one keeps signing for
    /// [`PREVIOUS_SECRET_GRACE_HOURS`].
    pub(crate) fn rotate_webhook_secret(
        &mut self,
        id: &str,
        secret: String,
    ) -> Result<WebhookEndpointWithSecret, ApiError> {
        self.webhook_record(id)?;
        let now = self.now();
        let record = self.webhook_record_mut(id)?;
        record.previous_secret = Some(std::mem::replace(&mut record.secret, secret));
        record.endpoint.previous_secret_expires_at =
            Some(now + Duration::hours(PREVIOUS_SECRET_GRACE_HOURS));
        record.endpoint.updated_at = now;
        Ok(record.with_secret())
    }

    /// Appends a `webhook.test` event and queues its delivery to endpoint
    /// `id` only, whatever its status and event types.
    pub(crate) fn test_webhook(&mut self, id: &str) -> Result<WebhookDelivery, ApiError> {
        self.webhook_record(id)?;
        self.record(
            EventType::WebhookTest,
            &serde_json::json!({ "webhook_id": id }),
        );
        let Some(event) = self.events.newest().cloned() else {
            return Err(ApiError::internal());
        };
        let body = event_body(&event)?;
        let now = self.now();
        Ok(self.queue_attempt(id, &event.id, event.kind, &body, 1, now, false))
    }

    /// Returns whether an enabled endpoint subscribes to the type of
    /// `event`, so that [`State::queue_event`] would queue an attempt.
    pub(crate) fn has_subscriber(&self, event: &Event) -> bool {
        event.kind != EventType::WebhookTest
            && self.webhooks.values().any(|record| {
                record.endpoint.status == WebhookStatus::Enabled
                    && record.endpoint.events.contains(&event.kind)
            })
    }

    /// Queues `event` for every enabled endpoint that subscribes to its
    /// type and returns the queued attempts. `webhook.test` events are
    /// queued by [`State::test_webhook`] only.
    pub(crate) fn queue_event(&mut self, event: &Event) -> Vec<WebhookDelivery> {
        if event.kind == EventType::WebhookTest {
            return Vec::new();
        }
        let targets: Vec<String> = self
            .webhooks
            .values()
            .filter(|record| {
                record.endpoint.status == WebhookStatus::Enabled
                    && record.endpoint.events.contains(&event.kind)
            })
            .map(|record| record.endpoint.id.clone())
            .collect();
        if targets.is_empty() {
            return Vec::new();
        }
        let Ok(body) = event_body(event) else {
            return Vec::new();
        };
        let now = self.now();
        targets
            .iter()
            .map(|id| self.queue_attempt(id, &event.id, event.kind, &body, 1, now, false))
            .collect()
    }

    /// Queues a new attempt at the event of delivery `delivery_id`, sent
    /// now and outside the automatic retry schedule.
    pub(crate) fn retry_delivery(
        &mut self,
        webhook_id: &str,
        delivery_id: &str,
    ) -> Result<WebhookDelivery, ApiError> {
        self.webhook_record(webhook_id)?;
        let record = self
            .deliveries
            .get(delivery_id)
            .filter(|record| record.delivery.webhook_id == webhook_id)
            .ok_or_else(|| ApiError::not_found("webhook delivery", delivery_id))?;
        let (event_id, kind, body) = (
            record.delivery.event_id.clone(),
            record.delivery.event_type,
            record.body.clone(),
        );
        let attempt = self.last_attempt(webhook_id, &event_id) + 1;
        let now = self.now();
        Ok(self.queue_attempt(webhook_id, &event_id, kind, &body, attempt, now, true))
    }

    /// Returns one page of the attempts to endpoint `id`, in creation order.
    pub(crate) fn list_deliveries(
        &self,
        id: &str,
        page: &PageRequest,
    ) -> Result<PageOf<WebhookDelivery>, ApiError> {
        self.webhook_record(id)?;
        let all: Vec<WebhookDelivery> = self
            .deliveries
            .values()
            .filter(|record| record.delivery.webhook_id == id)
            .map(|record| record.delivery.clone())
            .collect();
        slice_page(&all, page, |cursor| {
            check_cursor(cursor, ids::DELIVERY, "a webhook delivery")?;
            Ok(all.partition_point(|delivery| delivery.id.as_str() <= cursor))
        })
    }

    /// Returns the ids of every pending attempt, to resume after a restart.
    pub(crate) fn pending_deliveries(&self) -> Vec<String> {
        self.deliveries
            .values()
            .filter(|record| record.delivery.status == DeliveryStatus::Pending)
            .map(|record| record.delivery.id.clone())
            .collect()
    }

    /// Returns what sending pending attempt `id` needs, or `None` when the
    /// attempt is gone or already made.
    pub(crate) fn pending_attempt(&self, id: &str, now: DateTime<Utc>) -> Option<PendingAttempt> {
        let record = self.deliveries.get(id)?;
        if record.delivery.status != DeliveryStatus::Pending {
            return None;
        }
        let endpoint = self.webhooks.get(&record.delivery.webhook_id)?;
        Some(PendingAttempt {
            url: endpoint.endpoint.url.clone(),
            event_id: record.delivery.event_id.clone(),
            body: record.body.clone(),
            secrets: endpoint.signing_secrets(now),
            due_at: record.due_at,
        })
    }

    /// Returns whether pending attempt `id` may be sent: its endpoint is enabled,
    /// or the attempt is a test event or was requested by hand.
    pub(crate) fn may_send(&self, id: &str) -> bool {
        let Some(record) = self.deliveries.get(id) else {
            return false;
        };
        let Some(endpoint) = self.webhooks.get(&record.delivery.webhook_id) else {
            return false;
        };
        endpoint.endpoint.status == WebhookStatus::Enabled
            || record.manual
            || record.delivery.event_type == EventType::WebhookTest
    }

    /// Records the outcome of attempt `id`, updates the endpoint's failure
    /// count and status, and queues the next automatic attempt when one is
    /// due. Returns the id of that next attempt.
    pub(crate) fn finish_attempt(
        &mut self,
        id: &str,
        outcome: AttemptOutcome,
        rules: RetryRules,
    ) -> Option<String> {
        let now = self.now();
        let record = self.deliveries.get_mut(id)?;
        let delivery = &mut record.delivery;
        delivery.response_status = outcome.response_status;
        delivery.duration_ms = Some(outcome.duration_ms);
        delivery.error = outcome.error.clone();
        let succeeded = outcome.error.is_none();
        delivery.status = if succeeded {
            DeliveryStatus::Succeeded
        } else {
            DeliveryStatus::Failed
        };
        let (webhook_id, event_id, kind, attempt, manual, body) = (
            delivery.webhook_id.clone(),
            delivery.event_id.clone(),
            delivery.event_type,
            delivery.attempt,
            record.manual,
            record.body.clone(),
        );

        let endpoint = self.webhooks.get_mut(&webhook_id)?;
        if succeeded {
            endpoint.consecutive_failures = 0;
            return None;
        }
        endpoint.consecutive_failures = endpoint.consecutive_failures.saturating_add(1);
        let gone = outcome.response_status == Some(410);
        let reason = if gone {
            Some(DisabledReason::Gone)
        } else if endpoint.consecutive_failures >= rules.failure_limit {
            Some(DisabledReason::TooManyFailures)
        } else {
            None
        };
        if let Some(reason) = reason
            && endpoint.endpoint.status == WebhookStatus::Enabled
        {
            endpoint.endpoint.status = WebhookStatus::Disabled;
            endpoint.endpoint.disabled_reason = Some(reason);
            endpoint.endpoint.updated_at = now;
        }
        let enabled = endpoint.endpoint.status == WebhookStatus::Enabled;
        let retry_allowed = !gone
            && !manual
            && attempt < rules.max_attempts
            && (enabled || kind == EventType::WebhookTest);
        if !retry_allowed {
            return None;
        }

        let due = now + rules.delay_after(attempt);
        if let Some(record) = self.deliveries.get_mut(id) {
            record.delivery.next_retry_at = Some(due);
        }
        let next = self.last_attempt(&webhook_id, &event_id) + 1;
        let queued = self.queue_attempt(&webhook_id, &event_id, kind, &body, next, due, false);
        Some(queued.id)
    }

    /// Marks pending attempt `id` failed without sending it.
    pub(crate) fn skip_attempt(&mut self, id: &str, error: &str) {
        if let Some(record) = self.deliveries.get_mut(id) {
            record.delivery.status = DeliveryStatus::Failed;
            record.delivery.duration_ms = Some(0);
            record.delivery.error = Some(error.to_owned());
        }
    }

    /// Returns the highest attempt number made or queued at `event_id` for
    /// endpoint `webhook_id`, 0 when none.
    fn last_attempt(&self, webhook_id: &str, event_id: &str) -> u32 {
        self.deliveries
            .values()
            .filter(|record| {
                record.delivery.webhook_id == webhook_id && record.delivery.event_id == event_id
            })
            .map(|record| record.delivery.attempt)
            .max()
            .unwrap_or(0)
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "one call per field of the record"
    )]
    fn queue_attempt(
        &mut self,
        webhook_id: &str,
        event_id: &str,
        kind: EventType,
        body: &str,
        attempt: u32,
        due_at: DateTime<Utc>,
        manual: bool,
    ) -> WebhookDelivery {
        let now = self.now();
        let id = fresh_id(&mut self.ids, ids::DELIVERY, &self.deliveries);
        let delivery = WebhookDelivery {
            id: id.clone(),
            webhook_id: webhook_id.to_owned(),
            event_id: event_id.to_owned(),
            event_type: kind,
            attempt,
            status: DeliveryStatus::Pending,
            response_status: None,
            duration_ms: None,
            error: None,
            next_retry_at: None,
            created_at: now,
        };
        self.deliveries.insert(
            id,
            DeliveryRecord {
                delivery: delivery.clone(),
                body: body.to_owned(),
                due_at,
                manual,
            },
        );
        delivery
    }
}

/// The body every attempt at `event` sends.
fn event_body(event: &Event) -> Result<String, ApiError> {
    serde_json::to_string(event).map_err(|_| ApiError::internal())
}
