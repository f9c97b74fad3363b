//! `POST /admin/events`: appends an event of any type to the log, as if a
//! change had made it, so that it reaches the event streams and the webhook
//! endpoints that subscribe to its type.

use axum::Json;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use letta::types::FieldError;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::body::JsonObject;
use crate::problem::ApiError;
use crate::store::{EventType, State};
use crate::validate::{Fields, pointer};

/// Records the event described by the body and returns it as stored.
///
/// The body is `type`, and at most one of `data` (the event's object,
/// stored as given) and `object_id` (an existing object whose current form
/// becomes the data). With neither, the data is the newest object of the
/// type's resource.
pub(super) async fn trigger_event(
    AxumState(app): AxumState<AppState>,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let mut fields = Fields::new(&body);
    fields.reject_unknown(&["type", "data", "object_id"], &[]);
    let kind = fields
        .required("type")
        .and_then(|value| match value.as_str() {
            Some(name) => match name.parse::<EventType>() {
                Ok(kind) => Some(kind),
                Err(_) => {
                    fields.error(
                        "type",
                        format!(
                            "unknown event type `{name}`; expected one of {}",
                            EventType::expected_values()
                        ),
                    );
                    None
                }
            },
            None => {
                fields.error(
                    "type",
                    format!("must be a string, one of {}", EventType::expected_values()),
                );
                None
            }
        });
    let data = match fields.get("data") {
        None | Some(Value::Null) => None,
        Some(Value::Object(object)) => Some(Value::Object(object.clone())),
        Some(_) => {
            fields.error("data", "must be a JSON object");
            None
        }
    };
    let object_id = match fields.get("object_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) if !id.is_empty() => Some(id.clone()),
        Some(_) => {
            fields.error(
                "object_id",
                "must be a non-empty string such as `plt_0000000100000000`",
            );
            None
        }
    };
    if data.is_some() && object_id.is_some() {
        fields.error(
            "object_id",
            "cannot be combined with `data`; pass one of them",
        );
    }
    fields.finish()?;
    // `finish` returns an error whenever `type` is missing or invalid.
    let kind = kind.ok_or_else(ApiError::internal)?;

    let event = app
        .store
        .write(|state| {
            let data = match data {
                Some(data) => data,
                None => object_data(state, kind, object_id.as_deref())?,
            };
            state.record(kind, &data);
            state
                .events
                .newest()
                .cloned()
                .ok_or_else(ApiError::internal)
        })
        .await?;
    tracing::info!(id = %event.id, kind = %event.kind, "event triggered through the admin surface");

    let location = format!("/v1/events/{}", event.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(event)).into_response())
}

/// Returns the current form of the object an event of type `kind` is about:
/// the one with `id`, or the newest of its resource.
fn object_data(state: &State, kind: EventType, id: Option<&str>) -> Result<Value, ApiError> {
    let (noun, found) = match kind {
        EventType::PlantCreated
        | EventType::PlantUpdated
        | EventType::PlantDeleted
        | EventType::PlantStockChanged
        | EventType::PlantLowStock
        | EventType::PlantOutOfStock => ("plant", pick(&state.plants, id).map(to_json)),
        EventType::CustomerCreated | EventType::CustomerUpdated | EventType::CustomerDeleted => {
            ("customer", pick(&state.customers, id).map(to_json))
        }
        EventType::OrderCreated
        | EventType::OrderPaid
        | EventType::OrderFulfilled
        | EventType::OrderCancelled => ("order", pick(&state.orders, id).map(to_json)),
        EventType::PaymentCompleted | EventType::PaymentFailed => {
            ("payment", pick(&state.payments, id).map(to_json))
        }
        EventType::WebhookTest => (
            "webhook endpoint",
            pick(&state.webhooks, id).map(|record| json!({ "webhook_id": record.endpoint.id })),
        ),
    };
    found.ok_or_else(|| {
        let detail = match id {
            Some(id) => format!("no {noun} has id `{id}`; a `{kind}` event needs a {noun} id"),
            None => {
                format!("no {noun} exists to put in a `{kind}` event; pass `object_id` or `data`")
            }
        };
        ApiError::validation_failed(vec![FieldError::new(pointer(&["object_id"]), detail)])
    })
}

/// Returns the value with key `id`, or the last (newest) one without it.
fn pick<'a, T>(map: &'a std::collections::BTreeMap<String, T>, id: Option<&str>) -> Option<&'a T> {
    match id {
        Some(id) => map.get(id),
        None => map.values().next_back(),
    }
}

fn to_json(object: &impl serde::Serialize) -> Value {
    // The stored records hold only strings, numbers, lists and timestamps,
    // which always serialize.
    serde_json::to_value(object).unwrap_or(Value::Null)
}
