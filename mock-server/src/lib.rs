//! A stateful mock of the Letta plant-store API, for tests and CI in any
//! language.
//!
//! It serves the `/v1` API over HTTP with deterministic seed data, answers
//! every bad input with an RFC 9457 problem, and can keep its state in a
//! file across restarts. Start one in-process on a free loopback port:
//!
//! ```no_run
//! # async fn example() -> Result<(), letta_mock::Error> {
//! use letta_mock::{MockConfig, MockServer};
//!
//! let server = MockServer::start(MockConfig::new()).await?;
//! let url = format!("{}/v1/plants?limit=5", server.base_url());
//! // Send requests with `Authorization: Bearer {server.api_key()}`.
//! server.shutdown().await?;
//! # Ok(())
//! # }
//! ```
//!
//! Or build the router without a socket with [`router`] and
//! [`AppState::new`], and drive it as a tower service.

mod app;
mod body;
mod clock;
mod config;
mod error;
mod faults;
mod idempotency;
mod ids;
mod journal;
mod middleware;
mod origin;
mod pagination;
mod persist;
mod problem;
mod query;
mod ratelimit;
mod rng;
mod routes;
mod seed;
mod server;
mod store;
mod validate;
mod webhooks;

pub use app::{AppState, router};
pub use clock::ManualClock;
pub use config::{
    DEFAULT_API_KEY, DEFAULT_JOURNAL_SIZE, DEFAULT_MAX_EVENTS, DEFAULT_RATE_LIMIT,
    DEFAULT_RATE_WINDOW_SECONDS, DEFAULT_SEED_CUSTOMERS, DEFAULT_SEED_ORDERS, MAX_SEED_CUSTOMERS,
    MAX_SEED_ORDERS, MAX_SEED_PLANTS, MockConfig,
};
pub use config::{DEFAULT_SSE_HEARTBEAT_MS, DEFAULT_SSE_RETRY_MS};
pub use config::{
    DEFAULT_WEBHOOK_FAILURE_LIMIT, DEFAULT_WEBHOOK_MAX_ATTEMPTS, DEFAULT_WEBHOOK_RETRY_BASE_MS,
    DEFAULT_WEBHOOK_TIMEOUT_MS,
};
pub use error::Error;
pub use idempotency::RequestPause;
pub use problem::ApiError;
pub use server::MockServer;
