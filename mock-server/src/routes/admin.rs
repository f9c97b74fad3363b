//! `/admin`: the mock server's control surface for tests and CI.
//!
//! It resets the data to the seed, reads and changes the rate limit, reads
//! and clears the request journal, adds, lists and removes faults, triggers
//! events of any type and lists every webhook delivery attempt. It
//! needs no API key, is not rate limited, is not recorded in the journal and
//! is never the target of a fault, so a test can always reach it.

mod deliveries;
mod events;

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::body::JsonObject;
use crate::faults::{FaultSpec, PathPattern};
use crate::journal::{JournalQuery, MAX_CAPACITY};
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::ratelimit::{MAX_QUOTA, MAX_WINDOW_SECONDS, RatePolicy};
use crate::validate::Fields;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/reset", post(reset))
        .route(
            "/admin/rate-limit",
            get(show_rate_limit).put(set_rate_limit),
        )
        .route("/admin/journal", get(read_journal).delete(clear_journal))
        .route(
            "/admin/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/admin/faults/{id}", get(show_fault).delete(remove_fault))
        .route("/admin/events", post(events::trigger_event))
        .route(deliveries::PATH, get(deliveries::list_deliveries))
}

/// Restores the seed data and refills every rate-limit bucket. The journal,
/// the faults and the rate-limit policy stay as they are.
async fn reset(State(app): State<AppState>) -> Result<StatusCode, ApiError> {
    app.store.reset().await?;
    app.limiter.refill_all();
    tracing::info!("state reset to the seed data");
    Ok(StatusCode::NO_CONTENT)
}

async fn show_rate_limit(State(app): State<AppState>) -> Json<Value> {
    Json(rate_limit_json(app.limiter.policy()))
}

/// Replaces the policy. `window_seconds` defaults to the current window, and
/// a quota of 0 turns rate limiting off. Every bucket starts full.
async fn set_rate_limit(
    State(app): State<AppState>,
    JsonObject(body): JsonObject,
) -> Result<Json<Value>, ApiError> {
    let mut fields = Fields::new(&body);
    fields.reject_unknown(&["quota", "window_seconds"], &[]);
    let quota = fields
        .required("quota")
        .and_then(|value| fields.integer("quota", value, 0..=to_i64(MAX_QUOTA)));
    let window_seconds = match fields.get("window_seconds") {
        None | Some(Value::Null) => Some(app.limiter.policy().window_seconds),
        Some(value) => fields
            .integer("window_seconds", value, 1..=to_i64(MAX_WINDOW_SECONDS))
            .map(i64::unsigned_abs),
    };
    fields.finish()?;

    let (Some(quota), Some(window_seconds)) = (quota, window_seconds) else {
        // `finish` returns an error whenever a field is missing or invalid.
        return Err(ApiError::internal());
    };
    let policy = RatePolicy {
        quota: quota.unsigned_abs(),
        window_seconds,
    };
    app.limiter.set_policy(policy);
    Ok(Json(rate_limit_json(policy)))
}

fn rate_limit_json(policy: RatePolicy) -> Value {
    json!({
        "enabled": policy.is_enabled(),
        "quota": policy.quota,
        "window_seconds": policy.window_seconds,
    })
}

/// Returns the recorded requests, oldest first, filtered by `method`, `path`
/// (a pattern like the faults') and `limit` (the latest N).
async fn read_journal(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), &["method", "path", "limit"]);
    let method = query.parse_with("method", |text| {
        let letters = text.bytes().all(|byte| byte.is_ascii_alphabetic());
        Method::from_bytes(text.to_ascii_uppercase().as_bytes())
            .ok()
            .filter(|_| letters)
            .ok_or_else(|| "must be an HTTP method such as `POST`".to_owned())
    });
    let path = query.parse_with("path", PathPattern::parse);
    let limit = query
        .integer("limit", 1..=to_i64(MAX_CAPACITY as u64))
        .and_then(|limit| usize::try_from(limit).ok());
    query.finish()?;

    let (entries, evicted) = app.journal.read(&JournalQuery {
        method,
        path,
        limit,
    });
    Ok(Json(json!({ "data": entries, "evicted": evicted })))
}

async fn clear_journal(State(app): State<AppState>) -> StatusCode {
    app.journal.clear();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(app): State<AppState>) -> Json<Value> {
    Json(json!({ "data": app.faults.list() }))
}

async fn add_fault(
    State(app): State<AppState>,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let spec = FaultSpec::from_json(&body)?;
    let fault = app.faults.add(spec);
    let location = format!("/admin/faults/{}", fault.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(fault)).into_response())
}

async fn clear_faults(State(app): State<AppState>) -> StatusCode {
    app.faults.clear();
    StatusCode::NO_CONTENT
}

async fn show_fault(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let fault = parse_fault_id(&id).and_then(|number| {
        app.faults
            .list()
            .into_iter()
            .find(|fault| fault.id == number)
    });
    match fault {
        Some(fault) => Ok(Json(fault).into_response()),
        None => Err(ApiError::not_found("fault", &id)),
    }
}

async fn remove_fault(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match parse_fault_id(&id) {
        Some(number) if app.faults.remove(number) => Ok(StatusCode::NO_CONTENT),
        _ => Err(ApiError::not_found("fault", &id)),
    }
}

fn parse_fault_id(id: &str) -> Option<u64> {
    id.parse().ok()
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
