//! The shared state and the router built from it.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use tower_http::catch_panic::CatchPanicLayer;

use crate::body::MAX_BODY_BYTES;
use crate::config::MockConfig;
use crate::idempotency::{Idempotency, idempotent_posts};
use crate::middleware::auth::{ApiKeys, require_api_key};
use crate::middleware::request_id::assign_request_id;
use crate::persist::StateFile;
use crate::routes::streams::StreamSettings;
use crate::store::Store;
use crate::{Error, routes, seed};

/// The state every handler shares: cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) api_keys: ApiKeys,
    pub(crate) streams: StreamSettings,
    pub(crate) idempotency: Arc<Idempotency>,
}

impl AppState {
    /// Builds the state for `config`: loads the state file when it exists,
    /// otherwise generates the seed data (and writes the state file when one
    /// is configured).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for invalid settings, and the state file
    /// errors of [`Error`]; an existing state file is never overwritten when
    /// it cannot be read or parsed.
    pub async fn new(config: &MockConfig) -> Result<Self, Error> {
        config.validate()?;
        let api_keys: ApiKeys = config.api_keys().into_iter().map(str::to_owned).collect();

        let plan = seed::Plan::from_config(config);
        let Some(path) = &config.state_file else {
            let state = seed::generate(&plan);
            return Ok(Self {
                store: Arc::new(Store::new(state, None, plan).with_max_events(config.max_events)),
                api_keys,
                streams: StreamSettings::from_config(config),
                idempotency: idempotency_for(config),
            });
        };

        let file = StateFile::new(path.clone());
        let state = match file.load().await? {
            Some(state) => {
                tracing::info!(path = %path.display(), plants = state.plants.len(), "loaded state file; --seed and --plants do not apply");
                state
            }
            None => {
                let state = seed::generate(&plan);
                file.save(&state)
                    .await
                    .map_err(|source| Error::WriteStateFile {
                        path: path.clone(),
                        source,
                    })?;
                tracing::info!(path = %path.display(), "created state file from seed data");
                state
            }
        };
        Ok(Self {
            store: Arc::new(Store::new(state, Some(file), plan).with_max_events(config.max_events)),
            api_keys,
            streams: StreamSettings::from_config(config),
            idempotency: idempotency_for(config),
        })
    }
}

/// Builds the idempotency store. Keys expire on tokio's clock, which a
/// paused tokio runtime controls in tests.
fn idempotency_for(config: &MockConfig) -> Arc<Idempotency> {
    let origin = tokio::time::Instant::now();
    Arc::new(Idempotency::new(
        Box::new(move || origin.elapsed()),
        config.request_pause.clone(),
    ))
}

/// Builds the router: every route plus the request-id, panic, auth,
/// idempotency and body-size layers. Drive it with a socket through
/// [`MockServer`](crate::MockServer), or directly as a tower service.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(routes::meta::routes())
        .merge(routes::plants::routes())
        .merge(routes::customers::routes())
        .merge(routes::orders::routes())
        .merge(routes::payments::routes())
        .merge(routes::events::routes())
        .merge(routes::streams::routes())
        .fallback(routes::unknown_path)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(
            state.idempotency.clone(),
            idempotent_posts,
        ))
        .layer(from_fn_with_state(state.api_keys.clone(), require_api_key))
        .layer(CatchPanicLayer::new())
        .layer(from_fn(assign_request_id))
        .with_state(state)
}
