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
//! # Logging
//!
//! The client logs through [`tracing`](https://docs.rs/tracing) at debug
//! level, one span per request. It never logs the API key.

mod call;
mod client;
mod error;
mod link;
pub mod pagination;
mod request;
pub mod resources;
pub mod types;

pub use call::Call;
pub use client::{Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use error::{ApiError, DecodeError, Error, Result};
pub use link::Links;
pub use pagination::{ItemStream, Page, PageStream};
