//! A single API call that can be configured before it is awaited.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::client::Client;
use crate::error::Result;
use crate::request::{ApiRequest, ApiResponse};

/// One API call, sent when awaited.
///
/// Every single-object operation returns a `Call`, so per-call options can
/// be set before `.await`:
///
/// ```no_run
/// # async fn run(client: letta::Client) -> letta::Result<()> {
/// use letta::types::StockAdjustment;
///
/// let plant = client
///     .plants()
///     .adjust_stock("plt_000000017YEC4WRW", StockAdjustment::Delta(5))
///     .idempotency_key("restock-2026-12-04")
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    client: Client,
    request: Result<ApiRequest>,
    decode: fn(&ApiResponse) -> Result<T>,
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

impl<T> Call<T> {
    pub(crate) fn new(
        client: &Client,
        request: Result<ApiRequest>,
        decode: fn(&ApiResponse) -> Result<T>,
    ) -> Self {
        Self {
            client: client.clone(),
            request,
            decode,
        }
    }

    /// Sets the `Idempotency-Key` of a `POST`, sent unchanged on every
    /// attempt. Without one, the SDK generates a random key per call, so a
    /// retried `POST` is still applied once. Ignored for other methods.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        if let Ok(request) = &mut self.request {
            request.idempotency_key = Some(key.into());
        }
        self
    }
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let response = self.client.execute(self.request?).await?;
            (self.decode)(&response)
        })
    }
}

/// Decodes a JSON body into `T`.
pub(crate) fn json<T: serde::de::DeserializeOwned>(response: &ApiResponse) -> Result<T> {
    response.decode()
}

/// Accepts any 2xx response, ignoring its body.
pub(crate) fn empty(_: &ApiResponse) -> Result<()> {
    Ok(())
}
