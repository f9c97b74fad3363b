//! Request bodies of the plant endpoints, checked field by field so that a
//! `422` lists every problem at once.

use letta::types::Category;
use serde_json::{Map, Value};

use crate::store::{MAX_STOCK, NewPlant, PlantChanges, StockChange};
use crate::validate::{Fields, StringRule};

/// Highest price accepted, in minor units.
pub(super) const MAX_PRICE: i64 = 100_000_000;
const MAX_TAGS: usize = 20;
const DEFAULT_CURRENCY: &str = "usd";
const DEFAULT_LOW_STOCK_THRESHOLD: i64 = 5;

const NAME_RULE: StringRule = StringRule {
    chars: 1..=100,
    reject_blank: true,
};
const DESCRIPTION_RULE: StringRule = StringRule {
    chars: 0..=2000,
    reject_blank: false,
};
const TAG_RULE: StringRule = StringRule {
    chars: 1..=32,
    reject_blank: false,
};

/// Fields the server sets, with the error given when a client sends one.
const READ_ONLY: &[(&str, &str)] = &[
    ("id", "is read-only"),
    (
        "status",
        "is read-only: it is derived from `stock` and `low_stock_threshold`",
    ),
    ("created_at", "is read-only"),
    ("updated_at", "is read-only"),
];

const CREATE_FIELDS: &[&str] = &[
    "name",
    "species",
    "category",
    "description",
    "tags",
    "price",
    "currency",
    "stock",
    "low_stock_threshold",
];

/// Checks a `POST /v1/plants` body and applies the defaults.
pub(super) fn new_plant(body: &Map<String, Value>) -> Result<NewPlant, crate::problem::ApiError> {
    let mut fields = Fields::new(body);
    fields.reject_unknown(CREATE_FIELDS, READ_ONLY);

    let name = fields
        .required("name")
        .and_then(|value| fields.string("name", value, &NAME_RULE));
    let species = fields
        .required("species")
        .and_then(|value| fields.string("species", value, &NAME_RULE));
    let category = fields
        .required("category")
        .and_then(|value| category(&mut fields, value));
    let description = non_null(&mut fields, "description")
        .map(|value| fields.string("description", value, &DESCRIPTION_RULE));
    let tags = non_null(&mut fields, "tags")
        .map(|value| fields.string_list("tags", value, MAX_TAGS, &TAG_RULE));
    let price = fields
        .required("price")
        .and_then(|value| fields.integer("price", value, 0..=MAX_PRICE));
    let currency = non_null(&mut fields, "currency").map(|value| currency(&mut fields, value));
    let stock =
        non_null(&mut fields, "stock").map(|value| fields.integer("stock", value, 0..=MAX_STOCK));
    let low_stock_threshold = non_null(&mut fields, "low_stock_threshold")
        .map(|value| fields.integer("low_stock_threshold", value, 0..=MAX_STOCK));
    fields.finish()?;

    // finish() returned Ok, so every checked value above is Some.
    let missing = || crate::problem::ApiError::internal();
    Ok(NewPlant {
        name: name.ok_or_else(missing)?,
        species: species.ok_or_else(missing)?,
        category: category.ok_or_else(missing)?,
        description: description.flatten().unwrap_or_default(),
        tags: tags.flatten().unwrap_or_default(),
        price: price.ok_or_else(missing)?,
        currency: currency
            .flatten()
            .unwrap_or_else(|| DEFAULT_CURRENCY.to_owned()),
        stock: stock.flatten().unwrap_or(0),
        low_stock_threshold: low_stock_threshold
            .flatten()
            .unwrap_or(DEFAULT_LOW_STOCK_THRESHOLD),
    })
}

const PATCH_FIELDS: &[&str] = &[
    "name",
    "species",
    "category",
    "description",
    "tags",
    "price",
    "currency",
    "low_stock_threshold",
];

/// Checks a `PATCH /v1/plants/{id}` body. `null` clears `description` and
/// `tags` and is rejected for the other fields.
pub(super) fn plant_changes(
    body: &Map<String, Value>,
) -> Result<PlantChanges, crate::problem::ApiError> {
    let mut fields = Fields::new(body);
    let mut read_only = READ_ONLY.to_vec();
    read_only.push((
        "stock",
        "is read-only here: change it with `POST /v1/plants/{id}/stock`",
    ));
    fields.reject_unknown(PATCH_FIELDS, &read_only);

    let mut changes = PlantChanges::default();
    if let Some(value) = non_null(&mut fields, "name") {
        changes.name = fields.string("name", value, &NAME_RULE);
    }
    if let Some(value) = non_null(&mut fields, "species") {
        changes.species = fields.string("species", value, &NAME_RULE);
    }
    if let Some(value) = non_null(&mut fields, "category") {
        changes.category = category(&mut fields, value);
    }
    match fields.get("description") {
        Some(Value::Null) => changes.description = Some(String::new()),
        Some(value) => changes.description = fields.string("description", value, &DESCRIPTION_RULE),
        None => {}
    }
    match fields.get("tags") {
        Some(Value::Null) => changes.tags = Some(Vec::new()),
        Some(value) => changes.tags = fields.string_list("tags", value, MAX_TAGS, &TAG_RULE),
        None => {}
    }
    if let Some(value) = non_null(&mut fields, "price") {
        changes.price = fields.integer("price", value, 0..=MAX_PRICE);
    }
    if let Some(value) = non_null(&mut fields, "currency") {
        changes.currency = currency(&mut fields, value);
    }
    if let Some(value) = non_null(&mut fields, "low_stock_threshold") {
        changes.low_stock_threshold = fields.integer("low_stock_threshold", value, 0..=MAX_STOCK);
    }

    fields.finish()?;
    Ok(changes)
}

/// Checks a `POST /v1/plants/{id}/stock` body: exactly one of `delta` and `set`.
pub(super) fn stock_change(
    body: &Map<String, Value>,
) -> Result<StockChange, crate::problem::ApiError> {
    let mut fields = Fields::new(body);
    fields.reject_unknown(&["delta", "set"], &[]);

    let delta = non_null(&mut fields, "delta")
        .and_then(|value| fields.integer("delta", value, -MAX_STOCK..=MAX_STOCK));
    let set =
        non_null(&mut fields, "set").and_then(|value| fields.integer("set", value, 0..=MAX_STOCK));
    if body.contains_key("delta") == body.contains_key("set") {
        fields.body_error("must contain exactly one of `delta` and `set`");
    }
    fields.finish()?;

    match (delta, set) {
        (Some(delta), None) => Ok(StockChange::Delta(delta)),
        (None, Some(level)) => Ok(StockChange::Set(level)),
        // finish() returned Ok, so exactly one of them was given and valid.
        _ => Err(crate::problem::ApiError::internal()),
    }
}

/// Returns an optional field's value, recording an error when it is null.
/// Only a PATCH takes `null`, to clear `description` or `tags`, and it
/// checks those two itself.
fn non_null<'a>(fields: &mut Fields<'a>, name: &str) -> Option<&'a Value> {
    match fields.get(name) {
        Some(Value::Null) => {
            fields.error(name, "must not be null");
            None
        }
        other => other,
    }
}

fn category(fields: &mut Fields<'_>, value: &Value) -> Option<Category> {
    let allowed: Vec<&str> = Category::known_values().collect();
    fields.one_of("category", value, &allowed)
}

fn currency(fields: &mut Fields<'_>, value: &Value) -> Option<String> {
    let code = match value {
        Value::String(code)
            if code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_lowercase()) =>
        {
            code
        }
        _ => {
            fields.error(
                "currency",
                "must be a three-letter lowercase ISO 4217 code, such as `usd`",
            );
            return None;
        }
    };
    Some(code.clone())
}
