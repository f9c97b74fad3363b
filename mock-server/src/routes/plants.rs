//! `/v1/plants`: list, create, read, update, delete and stock changes.

mod input;
mod params;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::app::AppState;
use crate::body::{JsonObject, json_response};
use crate::origin::request_origin;
use crate::pagination::{PAGE_PARAMS, PageRequest, list_response};
use crate::problem::ApiError;
use crate::query::{NoQuery, QueryParams};
use crate::store::PlantJson;

const COLLECTION: &str = "/v1/plants";
/// Room reserved for one plant's JSON, which is about 420 bytes when seeded.
const PLANT_BYTES: usize = 1024;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(COLLECTION, get(list).post(create))
        .route("/v1/plants/{id}", get(show).patch(update).delete(remove))
        .route("/v1/plants/{id}/stock", post(change_stock))
}

async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), params::LIST_PARAMS);
    let filter = params::filter(&mut query);
    let sort = params::sort(&mut query);
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let retained = query.retained(&PAGE_PARAMS);
    // Serialized under the shared read lock, from the stored plants.
    app.store
        .read(|state| {
            let plants = state.list_plants(&filter, sort, &page)?.map(PlantJson);
            Ok(list_response(plants, &headers, COLLECTION, &retained))
        })
        .await
}

async fn create(
    State(app): State<AppState>,
    _: NoQuery,
    headers: HeaderMap,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let new_plant = input::new_plant(&body)?;

    let plant = app
        .store
        .write(|state| Ok(state.create_plant(new_plant)))
        .await?;
    let location = format!("{}{COLLECTION}/{}", request_origin(&headers), plant.id);
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(plant)).into_response())
}

async fn show(
    State(app): State<AppState>,
    PlantId(id): PlantId,
    _: NoQuery,
) -> Result<Response, ApiError> {
    app.store
        .read(|state| {
            let plant = PlantJson(state.stored_plant(&id)?);
            Ok(json_response(&plant, PLANT_BYTES))
        })
        .await
}

async fn update(
    State(app): State<AppState>,
    PlantId(id): PlantId,
    _: NoQuery,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let changes = input::plant_changes(&body)?;

    let plant = app
        .store
        .write(|state| state.update_plant(&id, changes))
        .await?;
    Ok(Json(plant).into_response())
}

async fn remove(
    State(app): State<AppState>,
    PlantId(id): PlantId,
    _: NoQuery,
) -> Result<StatusCode, ApiError> {
    app.store.write(|state| state.delete_plant(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn change_stock(
    State(app): State<AppState>,
    PlantId(id): PlantId,
    _: NoQuery,
    JsonObject(body): JsonObject,
) -> Result<Response, ApiError> {
    let change = input::stock_change(&body)?;

    let plant = app
        .store
        .write(|state| state.change_stock(&id, change))
        .await?;
    Ok(Json(plant).into_response())
}

/// The `{id}` path segment. A segment that is not valid UTF-8 cannot name a
/// plant, so its rejection is `404` like any other unknown id.
struct PlantId(String);

impl<S: Send + Sync> FromRequestParts<S> for PlantId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Self(id)),
            // The segment is not valid UTF-8 after percent-decoding.
            Err(_) => Err(ApiError::not_found("plant", "(not valid UTF-8)")),
        }
    }
}
