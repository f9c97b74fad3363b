//! `/v1/customers`: list, create, read, update, delete, and a customer's
//! order history.

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value};

use super::path_id::PathId;
use crate::app::AppState;
use crate::body::JsonObject;
use crate::origin::request_origin;
use crate::pagination::{PAGE_PARAMS, PageRequest, list_response};
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::store::{CustomerChanges, CustomerFilter, NewCustomer};
use crate::validate::{Fields, StringRule};

const COLLECTION: &str = "/v1/customers";

const LIST_PARAMS: &[&str] = &["email", "q", "page", "limit", "starting_after"];
const ORDER_LIST_PARAMS: &[&str] = &["page", "limit", "starting_after"];

const NAME_RULE: StringRule = StringRule {
    chars: 1..=100,
    reject_blank: true,
};
const EMAIL_RULE: StringRule = StringRule {
    chars: 3..=254,
    reject_blank: true,
};
/// Longest `q` accepted, in characters.
const MAX_Q_CHARS: usize = 100;

const READ_ONLY: &[(&str, &str)] = &[
    ("id", "is read-only"),
    ("created_at", "is read-only"),
    ("updated_at", "is read-only"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route("/v1/customers/{id}", get(show).patch(update).delete(remove))
        .route("/v1/customers/{id}/orders", get(list_orders))
}

async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), LIST_PARAMS);
    let email = query.parse_with("email", |raw| bounded_text(raw, *EMAIL_RULE.chars.end()));
    let q = query.parse_with("q", |raw| bounded_text(raw, MAX_Q_CHARS));
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let filter = CustomerFilter { email, q };
    let customers = app
        .store
        .read(|state| state.list_customers(&filter, &page))
        .await?;
    Ok(list_response(
        customers,
        &headers,
        COLLECTION,
        &query.retained(&PAGE_PARAMS),
    ))
}

async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let new_customer = new_customer(&body)?;

    let customer = app
        .store
        .write(|state| state.create_customer(new_customer))
        .await?;
    let location = format!("{}{COLLECTION}/{}", request_origin(&headers), customer.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(customer)).into_response())
}

async fn show(State(app): State<AppState>, PathId(id): PathId) -> Result<Response, ApiError> {
    let customer = app.store.read(|state| state.customer(&id)).await?;
    Ok(Json(customer).into_response())
}

async fn update(
    State(app): State<AppState>,
    PathId(id): PathId,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let changes = customer_changes(&body)?;

    let customer = app
        .store
        .write(|state| state.update_customer(&id, changes))
        .await?;
    Ok(Json(customer).into_response())
}

async fn remove(State(app): State<AppState>, PathId(id): PathId) -> Result<StatusCode, ApiError> {
    app.store.write(|state| state.delete_customer(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_orders(
    State(app): State<AppState>,
    PathId(id): PathId,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), ORDER_LIST_PARAMS);
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let orders = app
        .store
        .read(|state| state.list_customer_orders(&id, &page))
        .await?;
    Ok(list_response(
        orders,
        &headers,
        &format!("{COLLECTION}/{id}/orders"),
        &query.retained(&PAGE_PARAMS),
    ))
}

/// Checks a `POST /v1/customers` body.
fn new_customer(body: &Map<String, Value>) -> Result<NewCustomer, ApiError> {
    let mut fields = Fields::new(body);
    fields.reject_unknown(&["name", "email", "phone"], READ_ONLY);

    let name = fields
        .required("name")
        .and_then(|value| fields.string("name", value, &NAME_RULE));
    let email = fields
        .required("email")
        .and_then(|value| email(&mut fields, value));
    let phone = match fields.get("phone") {
        None | Some(Value::Null) => Some(None),
        Some(value) => phone(&mut fields, value).map(Some),
    };
    fields.finish()?;

    // finish() returned Ok, so every checked value above is Some.
    match (name, email, phone) {
        (Some(name), Some(email), Some(phone)) => Ok(NewCustomer { name, email, phone }),
        _ => Err(ApiError::internal()),
    }
}

/// Checks a `PATCH /v1/customers/{id}` body. `null` clears `phone` and is
/// rejected for the other fields.
fn customer_changes(body: &Map<String, Value>) -> Result<CustomerChanges, ApiError> {
    let mut fields = Fields::new(body);
    fields.reject_unknown(&["name", "email", "phone"], READ_ONLY);

    let mut changes = CustomerChanges::default();
    match fields.get("name") {
        Some(Value::Null) => fields.error("name", "must not be null"),
        Some(value) => changes.name = fields.string("name", value, &NAME_RULE),
        None => {}
    }
    match fields.get("email") {
        Some(Value::Null) => fields.error("email", "must not be null"),
        Some(value) => changes.email = email(&mut fields, value),
        None => {}
    }
    match fields.get("phone") {
        Some(Value::Null) => changes.phone = Some(None),
        Some(value) => changes.phone = phone(&mut fields, value).map(Some),
        None => {}
    }

    fields.finish()?;
    Ok(changes)
}

fn email(fields: &mut Fields<'_>, value: &Value) -> Option<String> {
    let email = fields.string("email", value, &EMAIL_RULE)?;
    if is_valid_email(&email) {
        Some(email)
    } else {
        fields.error(
            "email",
            "must be an email address such as `ada@example.com`: one `@` with a local part before it and a domain with a dot after it, and no spaces",
        );
        None
    }
}

/// Checks the shape `local@domain.tld`: one `@`, a local part of 1 to 64
/// visible ASCII or non-ASCII characters, and a domain of dot-separated
/// labels of letters, digits and hyphens, neither starting nor ending with a
/// hyphen. Deliverability is not checked.
fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '@');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

fn phone(fields: &mut Fields<'_>, value: &Value) -> Option<String> {
    let valid = match value {
        Value::String(text) => is_e164(text),
        _ => false,
    };
    if valid {
        return value.as_str().map(str::to_owned);
    }
    fields.error(
        "phone",
        "must be a phone number in E.164 form: `+`, then 2 to 15 digits not starting with 0, such as `+15555550123`",
    );
    None
}

fn is_e164(text: &str) -> bool {
    let Some(digits) = text.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && !digits.starts_with('0')
}

fn bounded_text(raw: &str, max_chars: usize) -> Result<String, String> {
    if raw.chars().count() > max_chars {
        return Err(format!("must have at most {max_chars} characters"));
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_need_local_part_and_dotted_domain() {
        for valid in [
            "ada@example.com",
            "a.b+tag@mail.example.org",
            "zoë@example.de",
        ] {
            assert!(is_valid_email(valid), "{valid}");
        }
        for invalid in [
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "ada lovelace@example.com",
            "ada@-example.com",
            "ada@example..com",
        ] {
            assert!(!is_valid_email(invalid), "{invalid}");
        }
    }

    #[test]
    fn phones_follow_e164() {
        assert!(is_e164("+15555550123"));
        assert!(!is_e164("15555550123"));
        assert!(!is_e164("+05555550123"));
        assert!(!is_e164("+1 555 555 0123"));
        assert!(!is_e164("+1234567890123456"));
    }
}
