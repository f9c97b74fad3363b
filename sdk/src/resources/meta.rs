//! `/health`, `/openapi.yaml` and `/openapi.json`: the server itself.

use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::error::{DecodeError, Error, Result, excerpt};
use crate::request::{ApiRequest, ApiResponse};
use crate::types::Health;

impl Client {
    /// Returns the operations about the server itself: its health and its
    /// OpenAPI document. None of them needs an API key.
    pub fn meta(&self) -> Meta {
        Meta {
            client: self.clone(),
        }
    }
}

/// The operations about the server itself, from [`Client::meta`].
#[derive(Debug, Clone)]
pub struct Meta {
    client: Client,
}

impl Meta {
    /// Checks the server's health (`getHealth`).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let health = client.meta().health().await?;
    /// assert_eq!(health.status, "ok");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 503 while the server is not ready, and
    /// [`Error::Transport`] when it cannot be reached.
    pub fn health(&self) -> Call<Health> {
        let request = ApiRequest::new(Method::GET, &["health"]);
        Call::new(&self.client, Ok(request), call::json)
    }

    /// Fetches the server's OpenAPI document as YAML text (`getOpenApi`).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let yaml = client.meta().openapi_yaml().await?;
    /// std::fs::write("openapi.yaml", yaml).expect("writable folder");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for an error status, and [`Error::Decode`] when the
    /// body is not UTF-8.
    pub fn openapi_yaml(&self) -> Call<String> {
        let request = ApiRequest::new(Method::GET, &["openapi.yaml"]).accept("application/yaml");
        Call::new(&self.client, Ok(request), text)
    }

    /// Fetches the server's OpenAPI document converted to JSON
    /// (`getOpenApiJson`).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let document = client.meta().openapi_json().await?;
    /// println!("OpenAPI {}", document["openapi"]);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for an error status, and [`Error::Decode`] when the
    /// body is not JSON.
    pub fn openapi_json(&self) -> Call<serde_json::Value> {
        let request = ApiRequest::new(Method::GET, &["openapi.json"]);
        Call::new(&self.client, Ok(request), call::json)
    }
}

/// Returns the body as UTF-8 text.
fn text(response: &ApiResponse) -> Result<String> {
    String::from_utf8(response.body.to_vec()).map_err(|error| {
        Error::from(DecodeError {
            status: response.status,
            path: ".".to_owned(),
            message: format!("the body is not UTF-8: {error}"),
            excerpt: excerpt(&response.body, 512),
            request_id: response.request_id.clone(),
        })
    })
}
