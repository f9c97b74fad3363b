//! `/v1/payments`: pay for an order with a test method, list and read.

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
use crate::store::{NewPayment, PaymentMethod, PaymentOutcome};
use crate::validate::Fields;

const COLLECTION: &str = "/v1/payments";

/// Largest amount accepted, in minor units: an order's largest possible
/// total (100 items of 1000 units at the highest plant price).
const MAX_AMOUNT: i64 = 100 * 1000 * 100_000_000;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route("/v1/payments/{id}", get(show))
}

async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), &PAGE_PARAMS);
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let payments = app.store.read(|state| state.list_payments(&page)).await?;
    Ok(list_response(
        payments,
        &headers,
        COLLECTION,
        &query.retained(&PAGE_PARAMS),
    ))
}

/// Charges the payment method. A decline answers `402 card_declined` but is
/// still a change: the failed payment and its event are recorded.
async fn create(
    State(app): State<AppState>,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let new_payment = new_payment(&body)?;

    let outcome = app
        .store
        .write(|state| state.create_payment(new_payment))
        .await?;
    match outcome {
        PaymentOutcome::Succeeded(payment) => {
            let location = format!("{}{COLLECTION}/{}", request_origin(&headers), payment.id);
            Ok((StatusCode::CREATED, [(LOCATION, location)], Json(payment)).into_response())
        }
        PaymentOutcome::Declined(payment) => Err(ApiError::card_declined(
            &payment.id,
            payment.payment_method.as_str(),
        )),
    }
}

async fn show(State(app): State<AppState>, PathId(id): PathId) -> Result<Response, ApiError> {
    let payment = app.store.read(|state| state.payment(&id)).await?;
    Ok(Json(payment).into_response())
}

/// Checks the shape of a `POST /v1/payments` body; the store checks the
/// order, the amount and the currency against it.
fn new_payment(body: &Map<String, Value>) -> Result<NewPayment, ApiError> {
    let mut fields = Fields::new(body);
    fields.reject_unknown(&["order_id", "payment_method", "amount", "currency"], &[]);

    let order_id = fields.required("order_id").and_then(|value| match value {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        _ => {
            fields.error("order_id", "must be a non-empty string id");
            None
        }
    });
    let payment_method = fields
        .required("payment_method")
        .and_then(|value| payment_method(&mut fields, value));
    let amount = fields
        .required("amount")
        .and_then(|value| fields.integer("amount", value, 0..=MAX_AMOUNT));
    let currency = match fields.get("currency") {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(code))
            if code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_lowercase()) =>
        {
            Some(Some(code.clone()))
        }
        Some(_) => {
            fields.error(
                "currency",
                "must be a three-letter lowercase ISO 4217 code, such as `usd`",
            );
            None
        }
    };
    fields.finish()?;

    match (order_id, payment_method, amount, currency) {
        (Some(order_id), Some(payment_method), Some(amount), Some(currency)) => Ok(NewPayment {
            order_id,
            payment_method,
            amount,
            currency,
        }),
        // finish() returned Ok, so every checked value above is Some.
        _ => Err(ApiError::internal()),
    }
}

fn payment_method(fields: &mut Fields<'_>, value: &Value) -> Option<PaymentMethod> {
    let method = PaymentMethod::ALL
        .into_iter()
        .find(|method| value.as_str() == Some(method.as_str()));
    if method.is_none() {
        fields.error(
            "payment_method",
            "must be one of pm_card_ok, pm_card_declined",
        );
    }
    method
}
