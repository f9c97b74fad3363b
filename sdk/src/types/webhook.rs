use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::EventType;
use super::enums::string_enum;

string_enum! {
    /// Whether an endpoint receives new events.
    WebhookStatus {
        /// The endpoint receives new events.
        Enabled => "enabled",
        /// The endpoint receives nothing until it is enabled again.
        Disabled => "disabled",
    }
}

string_enum! {
    /// The reason an endpoint is disabled.
    WebhookDisabledReason {
        /// Disabled through an update.
        Manual => "manual",
        /// The endpoint responded with `410 Gone`.
        Gone => "gone",
        /// Too many deliveries in a row failed.
        TooManyFailures => "too_many_failures",
    }
}

string_enum! {
    /// The outcome of one delivery attempt.
    DeliveryStatus {
        /// The attempt has not completed yet.
        Pending => "pending",
        /// The endpoint responded with a 2xx status.
        Succeeded => "succeeded",
        /// The endpoint responded with another status, or not at all.
        Failed => "failed",
    }
}

/// A registered webhook endpoint, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEndpoint {
    /// Identifier, prefixed `whk_`.
    pub id: String,
    /// The URL that receives the deliveries.
    pub url: String,
    /// The event types delivered to this endpoint.
    pub events: Vec<EventType>,
    /// Free text, `None` when not set.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the endpoint receives new events.
    pub status: WebhookStatus,
    /// The reason the endpoint is disabled, `None` while it is enabled.
    #[serde(default)]
    pub disabled_reason: Option<WebhookDisabledReason>,
    /// Until when the secret replaced by the last rotation still signs
    /// deliveries; `None` when no old secret is active.
    #[serde(default)]
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// When the endpoint was registered.
    pub created_at: DateTime<Utc>,
    /// When the endpoint was last changed.
    pub updated_at: DateTime<Utc>,
}

/// A webhook endpoint with its signing secret, returned only by
/// [`Webhooks::create`](crate::resources::Webhooks::create) and
/// [`Webhooks::rotate_secret`](crate::resources::Webhooks::rotate_secret).
///
/// `Debug` prints the secret as `"<redacted>"`, so logging the value does
/// not leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEndpointWithSecret {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// The signing secret, `whsec_` plus base64. Pass it to
    /// [`Verifier::new`](crate::webhooks::Verifier::new).
    pub secret: String,
}

impl std::fmt::Debug for WebhookEndpointWithSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookEndpointWithSecret")
            .field("endpoint", &self.endpoint)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// One attempt to deliver an event to a webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// Identifier, prefixed `del_`.
    pub id: String,
    /// The endpoint the attempt went to.
    pub webhook_id: String,
    /// The event delivered, which is also the `webhook-id` header.
    pub event_id: String,
    /// The type of the event delivered.
    pub event_type: EventType,
    /// 1 for the first attempt at this event, counting up on every retry.
    pub attempt: u32,
    /// The outcome of the attempt.
    pub status: DeliveryStatus,
    /// The endpoint's HTTP status; `None` while pending or when no response
    /// arrived.
    #[serde(default)]
    pub response_status: Option<u16>,
    /// Time from sending to the end of the response; `None` while pending.
    #[serde(default)]
    pub duration_ms: Option<u64>,
    /// The reason the attempt failed, `None` otherwise.
    #[serde(default)]
    pub error: Option<String>,
    /// When the next automatic retry is due; `None` when none is scheduled.
    #[serde(default)]
    pub next_retry_at: Option<DateTime<Utc>>,
    /// When the attempt was made.
    pub created_at: DateTime<Utc>,
}

/// The body of `POST /v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateWebhook {
    /// Absolute `http` or `https` URL that receives the deliveries.
    pub url: String,
    /// The event types to deliver; the server needs at least one.
    pub events: Vec<EventType>,
    /// Free text, up to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl CreateWebhook {
    /// Creates a request for `url` with no event types yet; add them with
    /// [`event`](Self::event) or [`events`](Self::events).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            events: Vec::new(),
            description: None,
        }
    }

    /// Adds one event type.
    #[must_use]
    pub fn event(mut self, event: EventType) -> Self {
        self.events.push(event);
        self
    }

    /// Adds several event types.
    #[must_use]
    pub fn events(mut self, events: impl IntoIterator<Item = EventType>) -> Self {
        self.events.extend(events);
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// The body of `PATCH /v1/webhooks/{id}`: only the fields that are set change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdateWebhook {
    /// New URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New event types, replacing the old ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventType>>,
    /// New description: `Some(Some(_))` sets it, `Some(None)` sends `null`,
    /// which clears it, and `None` leaves it unchanged.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_or_null"
    )]
    pub description: Option<Option<String>>,
    /// `Enabled` re-enables the endpoint and resets its failure count;
    /// `Disabled` stops deliveries with the reason `manual`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookStatus>,
}

impl UpdateWebhook {
    /// Creates an empty update, which changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the URL.
    #[must_use]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Replaces the event types.
    #[must_use]
    pub fn events(mut self, events: impl IntoIterator<Item = EventType>) -> Self {
        self.events = Some(events.into_iter().collect());
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(Some(description.into()));
        self
    }

    /// Removes the description.
    #[must_use]
    pub fn clear_description(mut self) -> Self {
        self.description = Some(None);
        self
    }

    /// Enables or disables the endpoint.
    #[must_use]
    pub fn status(mut self, status: WebhookStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Returns true when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// Decodes a field that is present, so that `null` becomes `Some(None)`
/// rather than the `None` of an absent field.
fn present_or_null<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_sends_events_as_a_list() {
        let create = CreateWebhook::new("https://example.com/hook").event(EventType::OrderCreated);
        let json = serde_json::to_string(&create).expect("encodes");
        assert_eq!(
            json,
            r#"{"url":"https://example.com/hook","events":["order.created"]}"#
        );
    }

    #[test]
    fn update_sends_null_to_clear_description() {
        let json =
            serde_json::to_string(&UpdateWebhook::new().clear_description()).expect("encodes");
        assert_eq!(json, r#"{"description":null}"#);
    }

    #[test]
    fn secret_is_redacted_in_debug() {
        let endpoint: WebhookEndpointWithSecret = serde_json::from_value(serde_json::json!({
            "id": "whk_00000001N4P8VZ6C",
            "url": "https://example.com/hook",
            "events": ["order.created"],
            "description": null,
            "status": "enabled",
            "disabled_reason": null,
            "previous_secret_expires_at": null,
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        }))
        .expect("decodes");
        let debug = format!("{endpoint:?}");
        assert!(!debug.contains("MfKQ9r8"), "{debug}");
    }
}
