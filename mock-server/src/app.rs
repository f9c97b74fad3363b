//! The shared state and the router built from it.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;

use crate::body::MAX_BODY_BYTES;
use crate::clock::Clock;
use crate::config::MockConfig;
use crate::faults::{Faults, apply_wire_faults, inject_faults};
use crate::idempotency::{Idempotency, idempotent_posts};
use crate::journal::{Journal, record_request};
use crate::middleware::auth::{ApiKeys, require_api_key};
use crate::middleware::request_id::assign_request_id;
use crate::persist::StateFile;
use crate::ratelimit::{RateLimiter, limit_rate};
use crate::routes::streams::StreamSettings;
use crate::store::Store;
use crate::webhooks::Dispatcher;
use crate::{Error, routes, seed};

/// The state every handler shares: cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) api_keys: ApiKeys,
    pub(crate) limiter: Arc<RateLimiter>,
    pub(crate) faults: Arc<Faults>,
    pub(crate) journal: Arc<Journal>,
    pub(crate) streams: StreamSettings,
    pub(crate) dispatcher: Dispatcher,
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
            return Self::assemble(Store::new(state, None, plan), api_keys, config);
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
        Self::assemble(Store::new(state, Some(file), plan), api_keys, config)
    }

    /// Adds the rate limiter, the faults and the journal to the store.
    fn assemble(store: Store, api_keys: ApiKeys, config: &MockConfig) -> Result<Self, Error> {
        let clock = Clock::new(config.manual_clock.clone());
        let store = Arc::new(store.with_max_events(config.max_events));
        Ok(Self {
            dispatcher: Dispatcher::start(&store, config.delivery_settings()),
            store,
            limiter: Arc::new(RateLimiter::new(config.rate_policy(), clock.clone())),
            faults: Arc::new(Faults::new(config.seed, config.fault_specs()?)),
            journal: Arc::new(Journal::new(config.journal_size, clock, api_keys.clone())),
            streams: StreamSettings::from_config(config),
            idempotency: idempotency_for(config),
            api_keys,
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

/// Builds the router: every route plus, from the outside in, the
/// connection-fault, journal, request-id, panic, auth, rate-limit, fault,
/// idempotency and body-size layers. Drive it with a socket through
/// [`MockServer`](crate::MockServer), or directly as a tower service.
///
/// The connection-fault layer is outermost so that no other layer rewrites a
/// body it cuts. Faults sit inside the rate limit, so an injected error
/// carries the RateLimit fields, and outside the handlers, so a connection
/// dropped after commit follows a completed change. Idempotency sits inside
/// the faults, so that change's response is stored before the connection
/// drops and a retry with the same key gets it replayed.
///
/// The layers are added in one `Router::layer` call. Each call wraps every
/// route in one more boxed service, and a request clones that chain level
/// by level, once per layer, which cost a noticeable share of a request's
/// CPU time under load. axum still sets `Allow` and `Content-Length`, and
/// empties the body of a `HEAD` response, outside all the layers.
pub fn router(state: AppState) -> Router {
    let layers = ServiceBuilder::new()
        .layer(from_fn(apply_wire_faults))
        .layer(from_fn_with_state(state.journal.clone(), record_request))
        .layer(from_fn(assign_request_id))
        .layer(CatchPanicLayer::new())
        .layer(from_fn_with_state(state.api_keys.clone(), require_api_key))
        .layer(from_fn_with_state(state.limiter.clone(), limit_rate))
        .layer(from_fn_with_state(state.faults.clone(), inject_faults))
        .layer(from_fn_with_state(
            state.idempotency.clone(),
            idempotent_posts,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    Router::new()
        .merge(routes::meta::routes())
        .merge(routes::plants::routes())
        .merge(routes::customers::routes())
        .merge(routes::orders::routes())
        .merge(routes::payments::routes())
        .merge(routes::events::routes())
        .merge(routes::streams::routes())
        .merge(routes::admin::routes())
        .merge(routes::webhooks::routes())
        .fallback(routes::unknown_path)
        .layer(layers)
        .with_state(state)
}
