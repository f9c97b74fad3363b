//! The order list's query parameters and the `POST /v1/orders` body.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::ids;
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::store::{NewOrder, NewOrderItem, OrderFilter, OrderStatus};
use crate::validate::{Fields, pointer};

/// Every parameter the order list accepts, in the order links repeat them.
pub(super) const LIST_PARAMS: &[&str] = &[
    "status",
    "customer_id",
    "created_after",
    "created_before",
    "page",
    "limit",
    "starting_after",
];

/// Items an order may have.
const MAX_ITEMS: usize = 100;
/// Units of one plant an order may ask for.
const MAX_QUANTITY: i64 = 1000;

/// Reads the filters, recording errors in `query`.
pub(super) fn filter(query: &mut QueryParams) -> OrderFilter {
    let status = query.parse_with("status", |raw| {
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| "must be one of pending, paid, fulfilled, cancelled".to_owned())
    });
    let customer_id = query.parse_with("customer_id", |raw| {
        if ids::is_well_formed(raw, ids::CUSTOMER) {
            Ok(raw.to_owned())
        } else {
            Err(format!("`{raw}` is not a customer id"))
        }
    });
    let created_after = query.parse_with("created_after", timestamp);
    let created_before = query.parse_with("created_before", timestamp);

    if let (Some(after), Some(before)) = (created_after, created_before)
        && after > before
    {
        query.reject(
            "created_after",
            format!(
                "must not be later than `created_before` ({})",
                before.to_rfc3339()
            ),
        );
    }

    OrderFilter {
        status,
        customer_id,
        created_after,
        created_before,
    }
}

fn timestamp(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 timestamp, such as `2025-03-01T12:00:00Z`".to_owned())
}

/// Checks the shape of a `POST /v1/orders` body: a customer id and 1 to 100
/// items, each a plant at most once with a quantity of 1 to 1000. Whether
/// the customer and the plants exist is checked by the store.
pub(super) fn new_order(body: &Map<String, Value>) -> Result<NewOrder, ApiError> {
    let mut fields = Fields::new(body);
    fields.reject_unknown(&["customer_id", "items"], &[]);

    let customer_id = fields
        .required("customer_id")
        .and_then(|value| id_string(&mut fields, "/customer_id", value));
    let items = fields
        .required("items")
        .and_then(|value| items(&mut fields, value));
    fields.finish()?;

    match (customer_id, items) {
        (Some(customer_id), Some(items)) => Ok(NewOrder { customer_id, items }),
        // finish() returned Ok, so both were checked and are Some.
        _ => Err(ApiError::internal()),
    }
}

fn items(fields: &mut Fields<'_>, value: &Value) -> Option<Vec<NewOrderItem>> {
    let Value::Array(entries) = value else {
        fields.error(
            "items",
            "must be an array of `{plant_id, quantity}` objects",
        );
        return None;
    };
    if entries.is_empty() || entries.len() > MAX_ITEMS {
        fields.error("items", format!("must have 1 to {MAX_ITEMS} items"));
        return None;
    }

    let mut items: Vec<NewOrderItem> = Vec::with_capacity(entries.len());
    let mut valid = true;
    for (index, entry) in entries.iter().enumerate() {
        match item(fields, index, entry) {
            Some(item) => {
                if let Some(first) = items.iter().position(|seen| seen.plant_id == item.plant_id) {
                    fields.error_at(
                        pointer(&["items", &index.to_string(), "plant_id"]),
                        format!(
                            "plant `{}` is already ordered by item {first}; order each plant once with the total quantity",
                            item.plant_id
                        ),
                    );
                    valid = false;
                }
                items.push(item);
            }
            None => valid = false,
        }
    }
    valid.then_some(items)
}

fn item(fields: &mut Fields<'_>, index: usize, entry: &Value) -> Option<NewOrderItem> {
    let index = index.to_string();
    let at = |name: &str| pointer(&["items", &index, name]);
    let Value::Object(object) = entry else {
        fields.error_at(
            pointer(&["items", &index]),
            "must be an object with `plant_id` and `quantity`",
        );
        return None;
    };

    let mut valid = true;
    for name in object.keys() {
        if name != "plant_id" && name != "quantity" {
            fields.error_at(at(name), "unknown field");
            valid = false;
        }
    }
    let plant_id = match object.get("plant_id") {
        None | Some(Value::Null) => {
            fields.error_at(at("plant_id"), "is required");
            None
        }
        Some(value) => id_string(fields, &at("plant_id"), value),
    };
    let quantity = match object.get("quantity") {
        None | Some(Value::Null) => {
            fields.error_at(at("quantity"), "is required");
            None
        }
        Some(value) => fields.integer_at(at("quantity"), value, 1..=MAX_QUANTITY),
    };

    match (plant_id, quantity) {
        (Some(plant_id), Some(quantity)) if valid => Some(NewOrderItem { plant_id, quantity }),
        _ => None,
    }
}

/// Accepts any non-empty string as an id: an id of the wrong shape names
/// nothing, so the store reports it as unknown.
fn id_string(fields: &mut Fields<'_>, at: &str, value: &Value) -> Option<String> {
    match value {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        _ => {
            fields.error_at(at.to_owned(), "must be a non-empty string id");
            None
        }
    }
}
