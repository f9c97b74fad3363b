//! `/v1/orders`: list, create, read, cancel and fulfill.

mod input;

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::path_id::PathId;
use crate::app::AppState;
use crate::body::{EmptyObject, JsonObject};
use crate::origin::request_origin;
use crate::pagination::{PAGE_PARAMS, PageRequest, list_response};
use crate::problem::ApiError;
use crate::query::QueryParams;

const COLLECTION: &str = "/v1/orders";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route("/v1/orders/{id}", get(show))
        .route("/v1/orders/{id}/cancel", post(cancel))
        .route("/v1/orders/{id}/fulfill", post(fulfill))
}

async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), input::LIST_PARAMS);
    let filter = input::filter(&mut query);
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let orders = app
        .store
        .read(|state| state.list_orders(&filter, &page))
        .await?;
    Ok(list_response(
        orders,
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
    let new_order = input::new_order(&body)?;

    let order = app
        .store
        .write(|state| state.create_order(new_order))
        .await?;
    let location = format!("{}{COLLECTION}/{}", request_origin(&headers), order.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(order)).into_response())
}

async fn show(State(app): State<AppState>, PathId(id): PathId) -> Result<Response, ApiError> {
    let order = app.store.read(|state| state.order(&id)).await?;
    Ok(Json(order).into_response())
}

async fn cancel(
    State(app): State<AppState>,
    PathId(id): PathId,
    _: EmptyObject,
) -> Result<Response, ApiError> {
    let order = app.store.write(|state| state.cancel_order(&id)).await?;
    Ok(Json(order).into_response())
}

async fn fulfill(
    State(app): State<AppState>,
    PathId(id): PathId,
    _: EmptyObject,
) -> Result<Response, ApiError> {
    let order = app.store.write(|state| state.fulfill_order(&id)).await?;
    Ok(Json(order).into_response())
}
