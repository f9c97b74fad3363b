//! Typed async client for the Letta plant-store API.
//!
//! Build a [`Client`] once, then call one method per operation through its
//! resource handles. List requests return a typed [`Page`], or walk the whole
//! list as a [`Stream`](futures_core::Stream) of items or pages.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use letta::types::PlantStatus;
//!
//! # async fn run() -> letta::Result<()> {
//! let client = letta::Client::builder()
//!     .base_url("http://127.0.0.1:4010")
//!     .api_key("sk_test_letta")
//!     .build()?;
//!
//! // One page.
//! let page = client.plants().list().limit(50).send().await?;
//! println!("page 1 of {}", page.page_count());
//!
//! // Every plant that is out of stock, across pages.
//! let mut plants = client.plants().list().status(PlantStatus::OutOfStock).stream();
//! while let Some(plant) = plants.try_next().await? {
//!     println!("{} {}", plant.id, plant.name);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! Every call returns [`Result`], whose [`Error`] tells a refusal by the
//! server ([`ApiError`], with the problem code, detail and request id) from a
//! request that never completed and from a response that did not decode
//! ([`DecodeError`], with the JSON path that failed).
//!
//! # Retries, deadlines and rate limits
//!
//! Every call runs under a [`RetryPolicy`]: by default 2 retries after a
//! connection failure, a timeout, or a `408`, `429`, `500`, `502`, `503` or
//! `504`, with exponential backoff and full jitter, and one deadline
//! ([`ClientBuilder::deadline`], 60 s) over every attempt and wait. The
//! client waits as long as the server asks, and ends the call at once with
//! [`Error::RateLimited`] when a `429` asks for more than it may wait. A
//! [`RetryBudget`] shared by the client's clones stops retries while most
//! requests fail, and opt-in pacing ([`ClientBuilder::pacing`]) spaces
//! requests to stay under the server's `RateLimit-Policy`.
//!
//! # Logging
//!
//! The client logs through [`tracing`](https://docs.rs/tracing) at debug
//! level, one span per request, with an event for every response, retry,
//! wait and give-up. It never logs the API key.

mod call;
mod client;
pub mod clock;
mod error;
mod link;
pub mod pagination;
mod ratelimit;
mod request;
pub mod resources;
mod retry;
pub mod sse;
pub mod types;
pub mod webhooks;

pub use call::Call;
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_TIMEOUT,
};
pub use clock::{Clock, TokioClock};
pub use error::{ApiError, DecodeError, Error, RateLimitError, Result};
pub use link::Links;
pub use pagination::{ItemStream, Page, PageStream};
pub use retry::{RetryBudget, RetryPolicy};
