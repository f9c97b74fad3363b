//! `/v1/events`: the event log, listed and read.

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::path_id::PathId;
use crate::app::AppState;
use crate::pagination::{PAGE_PARAMS, PageRequest, list_response};
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::store::EventType;

const COLLECTION: &str = "/v1/events";

const LIST_PARAMS: &[&str] = &["type", "page", "limit", "starting_after"];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list))
        .route("/v1/events/{id}", get(show))
}

async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), LIST_PARAMS);
    let kind = query.parse_with("type", str::parse::<EventType>);
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let events = app
        .store
        .read(|state| state.list_events(kind, &page))
        .await?;
    Ok(list_response(
        events,
        &headers,
        COLLECTION,
        &query.retained(&PAGE_PARAMS),
    ))
}

async fn show(State(app): State<AppState>, PathId(id): PathId) -> Result<Response, ApiError> {
    let event = app.store.read(|state| state.event(&id)).await?;
    Ok(Json(event).into_response())
}
