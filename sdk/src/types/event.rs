use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::enums::string_enum;
use super::{Customer, Order, Payment, Plant};

string_enum! {
    /// The kind of change an event records.
    EventType {
        /// A plant was added.
        PlantCreated => "plant.created",
        /// A plant's fields changed.
        PlantUpdated => "plant.updated",
        /// A plant was removed; `data` is the plant as it was.
        PlantDeleted => "plant.deleted",
        /// A plant's stock changed, directly or through an order.
        PlantStockChanged => "plant.stock_changed",
        /// A plant's stock fell to or below its low-stock threshold.
        PlantLowStock => "plant.low_stock",
        /// A plant's stock reached zero.
        PlantOutOfStock => "plant.out_of_stock",
        /// A customer was added.
        CustomerCreated => "customer.created",
        /// A customer's fields changed.
        CustomerUpdated => "customer.updated",
        /// A customer was removed; `data` is the customer as it was.
        CustomerDeleted => "customer.deleted",
        /// An order was placed and its stock reserved.
        OrderCreated => "order.created",
        /// An order was paid.
        OrderPaid => "order.paid",
        /// An order was fulfilled.
        OrderFulfilled => "order.fulfilled",
        /// An order was cancelled and its stock returned.
        OrderCancelled => "order.cancelled",
        /// A payment succeeded.
        PaymentCompleted => "payment.completed",
        /// A payment failed.
        PaymentFailed => "payment.failed",
        /// A test event sent to a webhook endpoint.
        WebhookTest => "webhook.test",
    }
}

/// The kind of object an event type carries in its `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataKind {
    Plant,
    Customer,
    Order,
    Payment,
    WebhookTest,
    Unknown,
}

impl EventType {
    fn data_kind(&self) -> DataKind {
        match self {
            Self::PlantCreated
            | Self::PlantUpdated
            | Self::PlantDeleted
            | Self::PlantStockChanged
            | Self::PlantLowStock
            | Self::PlantOutOfStock => DataKind::Plant,
            Self::CustomerCreated | Self::CustomerUpdated | Self::CustomerDeleted => {
                DataKind::Customer
            }
            Self::OrderCreated | Self::OrderPaid | Self::OrderFulfilled | Self::OrderCancelled => {
                DataKind::Order
            }
            Self::PaymentCompleted | Self::PaymentFailed => DataKind::Payment,
            Self::WebhookTest => DataKind::WebhookTest,
            Self::Unknown(_) => DataKind::Unknown,
        }
    }
}

/// One entry of the event log. Every change appends one.
///
/// `data` is decoded by `type`: a known type gives the typed object, and a
/// type this version of the SDK does not know gives
/// [`EventData::Unknown`] with the raw JSON, so a newer server never breaks
/// decoding.
///
/// ```
/// use letta::types::{Event, EventData, EventType};
///
/// let event: Event = serde_json::from_str(
///     r#"{"id":"evt_0000002A9C4XR7TB","type":"plant.repotted","created_at":"2026-01-01T00:00:00Z","data":{"pot":"clay"}}"#,
/// )?;
/// assert_eq!(event.event_type, EventType::Unknown("plant.repotted".into()));
/// assert!(matches!(event.data, EventData::Unknown(_)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Event {
    /// Identifier, prefixed `evt_`. Event ids sort in log order.
    pub id: String,
    /// The kind of change.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// When the change happened.
    pub created_at: DateTime<Utc>,
    /// The object after the change, or before it for `*.deleted`.
    pub data: EventData,
}

/// The `data` of an [`Event`]: the object the event is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum EventData {
    /// For `plant.*` events.
    Plant(Plant),
    /// For `customer.*` events.
    Customer(Customer),
    /// For `order.*` events.
    Order(Order),
    /// For `payment.*` events.
    Payment(Payment),
    /// For `webhook.test` events.
    WebhookTest(WebhookTestData),
    /// For an event type this version of the SDK does not know: the JSON as
    /// the server sent it.
    Unknown(serde_json::Value),
}

impl EventData {
    /// Returns the id of the object, or `None` for a webhook test or data
    /// without a string `id`.
    pub fn object_id(&self) -> Option<&str> {
        match self {
            Self::Plant(plant) => Some(&plant.id),
            Self::Customer(customer) => Some(&customer.id),
            Self::Order(order) => Some(&order.id),
            Self::Payment(payment) => Some(&payment.id),
            Self::WebhookTest(_) => None,
            Self::Unknown(value) => value.get("id").and_then(serde_json::Value::as_str),
        }
    }
}

/// The `data` of a `webhook.test` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookTestData {
    /// The webhook endpoint the test was sent to, prefixed `whk_`.
    pub webhook_id: String,
}

/// The wire form of an event, before `data` is decoded by `type`.
#[derive(Deserialize)]
struct RawEvent {
    id: String,
    #[serde(rename = "type")]
    event_type: EventType,
    created_at: DateTime<Utc>,
    data: serde_json::Value,
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawEvent::deserialize(deserializer)?;
        let data = match raw.event_type.data_kind() {
            DataKind::Plant => EventData::Plant(decode_data(raw.data)?),
            DataKind::Customer => EventData::Customer(decode_data(raw.data)?),
            DataKind::Order => EventData::Order(decode_data(raw.data)?),
            DataKind::Payment => EventData::Payment(decode_data(raw.data)?),
            DataKind::WebhookTest => EventData::WebhookTest(decode_data(raw.data)?),
            DataKind::Unknown => EventData::Unknown(raw.data),
        };
        Ok(Self {
            id: raw.id,
            event_type: raw.event_type,
            created_at: raw.created_at,
            data,
        })
    }
}

/// Decodes `data` as the object its event type names. The error names the
/// path inside `data`, which the caller's path tracking cannot see through
/// the intermediate JSON value.
fn decode_data<T, E>(data: serde_json::Value) -> Result<T, E>
where
    T: serde::de::DeserializeOwned,
    E: serde::de::Error,
{
    serde_path_to_error::deserialize(data).map_err(|error| {
        // The path is `.` for an error in `data` itself, such as a missing field.
        let path = error.path().to_string();
        let location = if path == "." {
            "data".to_owned()
        } else {
            format!("data.{path}")
        };
        E::custom(format!("{location}: {}", error.inner()))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn order_json() -> serde_json::Value {
        json!({
            "id": "ord_00000005T2WJ9KXB",
            "customer_id": "cus_00000007MZ3QH8RD",
            "items": [{"plant_id": "plt_000000014XK9QF2M", "quantity": 3, "unit_price": 2499}],
            "total": 7497,
            "currency": "usd",
            "status": "pending",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z"
        })
    }

    #[test]
    fn order_event_decodes_typed_data() {
        let event: Event = serde_json::from_value(json!({
            "id": "evt_0000002A9C4XR7TB",
            "type": "order.created",
            "created_at": "2026-01-01T00:00:00Z",
            "data": order_json()
        }))
        .expect("decodes");

        assert_eq!(event.event_type, EventType::OrderCreated);
        let EventData::Order(order) = &event.data else {
            panic!("expected order data, got {:?}", event.data);
        };
        assert_eq!(order.total, 7497);
        assert_eq!(event.data.object_id(), Some("ord_00000005T2WJ9KXB"));
    }

    #[test]
    fn unknown_type_keeps_raw_data() {
        let data = json!({"id": "rfd_1", "amount": 12.5});
        let event: Event = serde_json::from_value(json!({
            "id": "evt_0000002A9C4XR7TB",
            "type": "refund.created",
            "created_at": "2026-01-01T00:00:00Z",
            "data": data
        }))
        .expect("decodes");

        assert_eq!(
            event.event_type,
            EventType::Unknown("refund.created".into())
        );
        assert_eq!(event.data, EventData::Unknown(data));
        assert_eq!(event.data.object_id(), Some("rfd_1"));
    }

    #[test]
    fn event_encodes_as_the_wire_form() {
        let wire = json!({
            "id": "evt_0000002A9C4XR7TB",
            "type": "order.paid",
            "created_at": "2026-01-01T00:00:00Z",
            "data": order_json()
        });
        let event: Event = serde_json::from_value(wire.clone()).expect("decodes");
        assert_eq!(serde_json::to_value(&event).expect("encodes"), wire);
    }

    #[test]
    fn mismatched_data_names_the_field() {
        let mut data = order_json();
        data["total"] = json!("74.97");
        let error = serde_json::from_value::<Event>(json!({
            "id": "evt_0000002A9C4XR7TB",
            "type": "order.created",
            "created_at": "2026-01-01T00:00:00Z",
            "data": data
        }))
        .expect_err("a string total");
        assert!(error.to_string().contains("data.total"), "{error}");
    }

    #[test]
    fn missing_data_field_names_data() {
        let error = serde_json::from_value::<Event>(json!({
            "id": "evt_0000002A9C4XR7TB",
            "type": "plant.stock_changed",
            "created_at": "2026-01-01T00:00:00Z",
            "data": {"id": "plt_000000014XK9QF2M", "stock": 7}
        }))
        .expect_err("a plant without its other fields");
        let message = error.to_string();
        assert!(
            message.starts_with("data: missing field `name`"),
            "{message}"
        );
    }
}
