//! `/v1/plants/stream` and `/v1/events/stream`: the event log as
//! Server-Sent Events, replayed after `Last-Event-ID` or `since`, then live.
//!
//! These routes are static, so the router matches `/v1/plants/stream`
//! before `/v1/plants/{id}`.

mod writer;

use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, http::HeaderName};

use crate::app::AppState;
use crate::config::MockConfig;
use crate::faults::SseDropEvery;
use crate::ids;
use crate::middleware::request_id::RequestId;
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::store::{Event, EventType};

/// The header an SSE client sends on reconnection with the last id it saw.
static LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// The paths of the event streams, which `sse_drop` faults apply to.
pub(crate) const STREAM_PATHS: [&str; 2] = ["/v1/plants/stream", "/v1/events/stream"];

const PLANT_PARAMS: &[&str] = &["plant_id", "types", "since"];

const EVENT_PARAMS: &[&str] = &["types", "since"];

/// The event types `/v1/plants/stream` carries.
const PLANT_TYPES: [EventType; 6] = [
    EventType::PlantCreated,
    EventType::PlantUpdated,
    EventType::PlantDeleted,
    EventType::PlantStockChanged,
    EventType::PlantLowStock,
    EventType::PlantOutOfStock,
];

/// Settings of the event streams, taken from [`MockConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StreamSettings {
    /// Interval between `: heartbeat` comments.
    pub(crate) heartbeat: Duration,
    /// Reconnection delay sent in the first `retry:` field, in milliseconds.
    pub(crate) retry_ms: u64,
}

impl StreamSettings {
    pub(crate) fn from_config(config: &MockConfig) -> Self {
        Self {
            heartbeat: Duration::from_millis(config.sse_heartbeat_ms.max(1)),
            retry_ms: config.sse_retry_ms,
        }
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/plants/stream", get(stream_plant_events))
        .route("/v1/events/stream", get(stream_events))
}

/// The selection of log events that one stream sends.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventFilter {
    /// The types sent, or every type when `None`.
    types: Option<Vec<EventType>>,
    /// Only events whose `data.id` is this plant.
    plant_id: Option<String>,
}

impl EventFilter {
    pub(crate) fn matches(&self, event: &Event) -> bool {
        let type_matches = self
            .types
            .as_ref()
            .is_none_or(|types| types.contains(&event.kind));
        let plant_matches = self
            .plant_id
            .as_ref()
            .is_none_or(|plant_id| event.data["id"].as_str() == Some(plant_id.as_str()));
        type_matches && plant_matches
    }
}

async fn stream_plant_events(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    request_id: Option<Extension<RequestId>>,
    drop_every: Option<Extension<SseDropEvery>>,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), PLANT_PARAMS);
    let plant_id = query.parse_with("plant_id", parse_plant_id);
    let types = query
        .parse_with("types", |raw| parse_types(raw, &PLANT_TYPES))
        .unwrap_or_else(|| PLANT_TYPES.to_vec());
    let since = query.parse_with("since", parse_event_id);
    query.finish()?;
    let start = last_event_id(&headers)?.or(since);

    let filter = EventFilter {
        types: Some(types),
        plant_id,
    };
    let request_id = request_id.map(|Extension(id)| id.0);
    let drop_every = drop_every.map(|Extension(every)| every.0);
    Ok(writer::open(&app, start, filter, request_id, drop_every).await)
}

async fn stream_events(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    request_id: Option<Extension<RequestId>>,
    drop_every: Option<Extension<SseDropEvery>>,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), EVENT_PARAMS);
    let types = query.parse_with("types", |raw| parse_types(raw, &EventType::ALL));
    let since = query.parse_with("since", parse_event_id);
    query.finish()?;
    let start = last_event_id(&headers)?.or(since);

    let filter = EventFilter {
        types,
        plant_id: None,
    };
    let request_id = request_id.map(|Extension(id)| id.0);
    let drop_every = drop_every.map(|Extension(every)| every.0);
    Ok(writer::open(&app, start, filter, request_id, drop_every).await)
}

/// Parses a comma-separated list of distinct event types out of `allowed`.
fn parse_types(raw: &str, allowed: &[EventType]) -> Result<Vec<EventType>, String> {
    let expected = || {
        allowed
            .iter()
            .map(|kind| kind.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut types = Vec::new();
    for name in raw.split(',') {
        if name.is_empty() {
            return Err("must not contain an empty event type".to_owned());
        }
        let Some(kind) = allowed.iter().copied().find(|kind| kind.as_str() == name) else {
            return Err(format!(
                "unknown event type `{name}`; expected one of {}",
                expected()
            ));
        };
        if types.contains(&kind) {
            return Err(format!("event type `{name}` is given more than once"));
        }
        types.push(kind);
    }
    Ok(types)
}

fn parse_plant_id(raw: &str) -> Result<String, String> {
    if ids::is_well_formed(raw, ids::PLANT) {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "`{raw}` is not a plant id; expected `plt_` followed by 16 Crockford base32 characters"
        ))
    }
}

fn parse_event_id(raw: &str) -> Result<String, String> {
    if ids::is_well_formed(raw, ids::EVENT) {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "`{raw}` is not an event id; expected `evt_` followed by 16 Crockford base32 characters"
        ))
    }
}

/// Reads `Last-Event-ID`. An empty value counts as absent.
///
/// # Errors
///
/// `400 invalid_header` when the value is not an event id.
fn last_event_id(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(&LAST_EVENT_ID) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("(not visible ASCII)").trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_event_id(text).map(Some).map_err(|detail| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_header",
            "Invalid Header",
            format!("invalid header `Last-Event-ID`: {detail}"),
        )
    })
}
