//! The request pipeline: URL building, auth, sending, and turning responses
//! into values or errors. Resource modules describe endpoints and call
//! [`Client::execute`]; nothing else talks to reqwest.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{ApiError, DecodeError, Error, Result, excerpt};
use crate::types::Problem;

/// The longest body excerpt kept in an error.
const EXCERPT_BYTES: usize = 512;

/// One API call, before it is sent.
#[derive(Debug, Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    /// Path segments after the base URL, each percent-encoded when sent.
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(&'static str, String)>,
    /// The JSON body, encoded once so that every attempt sends the same bytes.
    pub(crate) body: Option<Bytes>,
    /// The `Idempotency-Key` given by the caller. A `POST` without one gets a
    /// generated key when it is executed.
    pub(crate) idempotency_key: Option<String>,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, segments: &[&str]) -> Self {
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            idempotency_key: None,
        }
    }

    pub(crate) fn query(mut self, query: Vec<(&'static str, String)>) -> Self {
        self.query = query;
        self
    }

    pub(crate) fn json_body<T: serde::Serialize>(mut self, body: &T) -> Result<Self> {
        let encoded = serde_json::to_vec(body)
            .map_err(|error| Error::invalid("request body", error.to_string()))?;
        self.body = Some(Bytes::from(encoded));
        Ok(self)
    }
}

/// A successful (2xx) response, read whole.
#[derive(Debug)]
pub(crate) struct ApiResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) request_id: Option<String>,
}

impl ApiResponse {
    /// Decodes the body as JSON, naming the path of the first mismatch.
    pub(crate) fn decode<T: DeserializeOwned>(&self) -> Result<T> {
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        let value = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|error| self.decode_error(error.path().to_string(), error.into_inner()))?;
        deserializer
            .end()
            .map_err(|error| self.decode_error(".".to_owned(), error))?;
        Ok(value)
    }

    fn decode_error(&self, path: String, error: serde_json::Error) -> Error {
        Error::from(DecodeError {
            status: self.status,
            path,
            message: error.to_string(),
            excerpt: excerpt(&self.body, EXCERPT_BYTES),
            request_id: self.request_id.clone(),
        })
    }
}

impl Client {
    /// Validates an id given by the caller before it becomes a path segment.
    pub(crate) fn check_id(what: &'static str, id: &str) -> Result<()> {
        if id.trim().is_empty() {
            return Err(Error::invalid(what, "is empty"));
        }
        Ok(())
    }

    /// Sends a request and returns the response if its status is 2xx.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for a 4xx or 5xx status, [`Error::Transport`] when the
    /// request did not complete.
    pub(crate) async fn execute(&self, mut request: ApiRequest) -> Result<ApiResponse> {
        if request.method == Method::POST && request.idempotency_key.is_none() {
            // One key per logical call, reused by every attempt of it.
            request.idempotency_key = Some(uuid::Uuid::new_v4().to_string());
        }
        let url = self.url_for(&request);
        let span =
            tracing::debug_span!("letta.request", method = %request.method, path = url.path());
        self.send_once(&request, url).instrument(span).await
    }

    fn url_for(&self, request: &ApiRequest) -> url::Url {
        let mut url = self.inner.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(&request.segments);
        }
        if !request.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &request.query {
                pairs.append_pair(name, value);
            }
        }
        url
    }

    async fn send_once(&self, request: &ApiRequest, url: url::Url) -> Result<ApiResponse> {
        let started = Instant::now();
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .header(http::header::ACCEPT, "application/json");
        if let Some(key) = &self.inner.api_key {
            builder = builder.bearer_auth(key.expose());
        }
        if let Some(key) = &request.idempotency_key {
            builder = builder.header("idempotency-key", key);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }

        let transport = |source: reqwest::Error| Error::Transport {
            method: request.method.clone(),
            url: url.to_string(),
            source: source.without_url(),
        };
        let response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport)?;
        let request_id = header_str(&headers, "request-id").map(str::to_owned);

        tracing::debug!(
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            request_id = request_id.as_deref().unwrap_or(""),
            "response received"
        );

        if status.is_success() {
            return Ok(ApiResponse {
                status,
                headers,
                body,
                request_id,
            });
        }
        Err(api_error(status, &headers, &body, request_id).into())
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Builds the typed error for a 4xx or 5xx response.
fn api_error(
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    request_id: Option<String>,
) -> ApiError {
    let retry_after = header_str(headers, "retry-after").and_then(parse_retry_after_seconds);
    let problem = serde_json::from_slice::<Problem>(body).ok();
    match problem {
        Some(problem) => ApiError {
            status,
            code: Some(problem.code).filter(|code| !code.is_empty()),
            title: Some(problem.title).filter(|title| !title.is_empty()),
            detail: problem.detail,
            request_id: request_id.or(problem.request_id),
            errors: problem.errors,
            retry_after,
        },
        None => ApiError {
            status,
            code: None,
            title: None,
            detail: excerpt(body, EXCERPT_BYTES).trim().to_owned(),
            request_id,
            errors: Vec::new(),
            retry_after,
        },
    }
}

/// Parses `Retry-After` given as delay-seconds; anything else is ignored.
// TODO: HTTP-date values and `retry-after-ms` arrive with the retry policy.
fn parse_retry_after_seconds(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_accepts_only_whole_seconds() {
        assert_eq!(parse_retry_after_seconds("3"), Some(Duration::from_secs(3)));
        for bad in ["", "-3", "1.5", "soon", "120abc", "99999999999999999999999"] {
            assert_eq!(parse_retry_after_seconds(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn non_problem_body_becomes_bounded_detail() {
        let body = "<html>".to_owned() + &"x".repeat(2000);
        let error = api_error(
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            body.as_bytes(),
            None,
        );
        assert_eq!(error.code, None);
        assert!(error.detail.starts_with("<html>"));
        assert!(error.detail.len() <= EXCERPT_BYTES + '…'.len_utf8());
    }

    #[test]
    fn decode_error_names_the_path() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            price: i64,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Envelope {
            data: Vec<Item>,
        }
        let response = ApiResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(br#"{"data":[{"price":1},{"price":"12"}]}"#),
            request_id: Some("req_1".into()),
        };
        let error = response.decode::<Envelope>().expect_err("string price");
        let Error::Decode(decode) = error else {
            panic!("expected a decode error, got {error:?}");
        };
        assert_eq!(decode.path, "data[1].price");
        assert_eq!(decode.request_id.as_deref(), Some("req_1"));
        assert!(decode.excerpt.contains("\"12\""));
    }

    #[test]
    fn decode_rejects_trailing_garbage() {
        let response = ApiResponse {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"{} trailing"),
            request_id: None,
        };
        let error = response
            .decode::<serde_json::Value>()
            .expect_err("trailing characters");
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
    }
}
