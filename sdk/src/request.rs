//! The request pipeline: URL building, auth, sending, and turning responses
//! into values or errors. Resource modules describe endpoints and call
//! [`Client::execute`]; nothing else talks to reqwest.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, Method, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{ApiError, DecodeError, Error, RateLimitError, Result, excerpt};
use crate::ratelimit::retry_hint;
use crate::retry::{Backoff, may_resend, retry_reason};
use crate::types::Problem;

/// The maximum length, in bytes, of a body excerpt kept in an error.
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
    /// The media type sent in `Accept`.
    pub(crate) accept: &'static str,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, segments: &[&str]) -> Self {
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_owned()).collect(),
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            accept: "application/json",
        }
    }

    /// Sets the media type sent in `Accept`, for an operation whose
    /// response is not JSON.
    pub(crate) fn accept(mut self, media_type: &'static str) -> Self {
        self.accept = media_type;
        self
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
        // Tracking the path costs time on every field, so only a body that
        // fails to decode is decoded a second time to find the path.
        match serde_json::from_slice(&self.body) {
            Ok(value) => Ok(value),
            Err(_) => self.decode_with_path(),
        }
    }

    /// Decodes the body as JSON through `serde_path_to_error`, which names
    /// the path of the first mismatch in the error.
    fn decode_with_path<T: DeserializeOwned>(&self) -> Result<T> {
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

    /// Sends a request, retrying it under the client's retry policy, and
    /// returns the response if its status is 2xx.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] for a 4xx or 5xx status, [`Error::RateLimited`] for a
    /// `429` that outlasted the retries, [`Error::Transport`] when the last
    /// attempt did not complete, and [`Error::DeadlineExceeded`] when pacing
    /// held the request past the deadline.
    pub(crate) async fn execute(&self, mut request: ApiRequest) -> Result<ApiResponse> {
        if request.method == Method::POST && request.idempotency_key.is_none() {
            // One key per logical call, reused by every attempt of it.
            request.idempotency_key = Some(uuid::Uuid::new_v4().to_string());
        }
        let url = self.url_for(&request);
        let span =
            tracing::debug_span!("letta.request", method = %request.method, path = url.path());
        self.with_retries(&request, &url, |timeout| {
            self.send_once(&request, &url, timeout)
        })
        .instrument(span)
        .await
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

    /// Runs `attempt` until it succeeds or the retry policy, the retry
    /// budget or the deadline stops it. `attempt` gets the time it may take,
    /// the shorter of the attempt timeout and what is left of the deadline.
    ///
    /// Every retry, wait and give-up is logged at debug level with the
    /// reason, the attempt number and the delay.
    pub(crate) async fn with_retries<T, F, Fut>(
        &self,
        request: &ApiRequest,
        url: &url::Url,
        mut attempt: F,
    ) -> Result<T>
    where
        F: FnMut(Duration) -> Fut,
        Fut: std::future::Future<Output = Result<T>>,
    {
        let inner = &self.inner;
        let clock = &*inner.clock;
        let deadline = clock.now() + inner.deadline;
        let mut backoff = inner.retrier.backoff();
        let mut attempts: u32 = 0;
        let mut last_status = None;

        loop {
            self.wait_for_pacing(deadline, attempts + 1).await;
            let remaining = deadline.saturating_duration_since(clock.now());
            if remaining.is_zero() {
                tracing::debug!(
                    attempt = attempts + 1,
                    "giving up: deadline passed while pacing"
                );
                return Err(Error::DeadlineExceeded {
                    method: request.method.clone(),
                    url: url.to_string(),
                    deadline: inner.deadline,
                    attempts,
                    last_status,
                });
            }

            attempts += 1;
            let error = match attempt(inner.attempt_timeout.min(remaining)).await {
                Ok(value) => {
                    inner.retrier.record_success();
                    return Ok(value);
                }
                Err(error) => error,
            };
            last_status = error.status().or(last_status);

            let Some(reason) = retry_reason(&error) else {
                return Err(finish(error, attempts, last_status));
            };
            let budget_allows = inner.retrier.record_failure();
            let plan = self.plan_retry(
                request,
                &error,
                attempts,
                budget_allows,
                deadline,
                &mut backoff,
            );
            let wait = match plan {
                Ok(wait) => wait,
                Err(give_up) => {
                    tracing::debug!(attempt = attempts, %reason, "giving up: {give_up}");
                    return Err(finish(error, attempts, last_status));
                }
            };

            tracing::debug!(
                attempt = attempts,
                %reason,
                delay_ms = wait.delay.as_millis() as u64,
                source = wait.source,
                "retrying after {}",
                format_delay(wait.delay),
            );
            let resume = clock.now() + wait.delay;
            if let (Some(pacer), Some(_)) = (&inner.pacer, error.retry_after()) {
                // A server hint holds back every task that shares the client.
                pacer.hold_until(resume);
            }
            clock.sleep_until(resume).await;
        }
    }

    /// Decides whether to retry after a failed attempt, and how long to wait.
    fn plan_retry(
        &self,
        request: &ApiRequest,
        error: &Error,
        attempts: u32,
        budget_allows: bool,
        deadline: Instant,
        backoff: &mut Backoff<'_>,
    ) -> std::result::Result<Wait, GiveUp> {
        let policy = &self.inner.retrier.policy;
        if !may_resend(&request.method, request.idempotency_key.is_some()) {
            return Err(GiveUp::NotIdempotent);
        }
        if attempts > policy.max_retries {
            return Err(GiveUp::RetriesExhausted);
        }
        if !budget_allows {
            return Err(GiveUp::BudgetExhausted);
        }

        let now = self.inner.clock.now();
        if let Some(hint) = error.retry_after() {
            if hint > policy.max_wait {
                return Err(GiveUp::HintTooLong(hint));
            }
            if now + hint > deadline {
                return Err(GiveUp::HintPastDeadline(hint));
            }
            return Ok(Wait {
                delay: hint,
                source: "server hint",
            });
        }
        let delay = backoff.next_delay();
        if now + delay >= deadline {
            return Err(GiveUp::BackoffPastDeadline(delay));
        }
        Ok(Wait {
            delay,
            source: "backoff",
        })
    }

    /// Waits for the pacer's next free slot before attempt number `attempt`,
    /// but never past `deadline`.
    async fn wait_for_pacing(&self, deadline: Instant, attempt: u32) {
        let Some(pacer) = &self.inner.pacer else {
            return;
        };
        let clock = &*self.inner.clock;
        let now = clock.now();
        let start = pacer.reserve(now);
        if start <= now {
            return;
        }
        let delay = start - now;
        tracing::debug!(
            attempt,
            delay_ms = delay.as_millis() as u64,
            "pacing: waiting {} to stay under the rate limit",
            format_delay(delay)
        );
        clock.sleep_until(start.min(deadline)).await;
    }

    /// Sends one attempt and reads the whole response.
    async fn send_once(
        &self,
        request: &ApiRequest,
        url: &url::Url,
        timeout: Duration,
    ) -> Result<ApiResponse> {
        let started = Instant::now();
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .timeout(timeout)
            .header(http::header::ACCEPT, request.accept);
        if let Some(authorization) = &self.inner.authorization {
            builder = builder.header(http::header::AUTHORIZATION, authorization.clone());
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
            attempts: 1,
            last_status: None,
            source: source.without_url(),
        };
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status();
        // Reading the body needs no headers, so they are moved out, not copied.
        let headers = std::mem::take(response.headers_mut());
        if let Some(pacer) = &self.inner.pacer {
            pacer.observe(&headers, self.inner.clock.now());
        }
        let body = response.bytes().await.map_err(transport)?;
        let request_id = header_str(&headers, &REQUEST_ID).map(str::to_owned);

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
        let hint = retry_hint(&headers, self.inner.clock.system_time());
        if let Some((delay, source)) = hint {
            tracing::debug!(
                delay_ms = delay.as_millis() as u64,
                %source,
                "server asked to wait {}",
                format_delay(delay)
            );
        }
        let retry_after = hint.map(|(delay, _)| delay);
        Err(api_error(status, &body, request_id, retry_after).into())
    }
}

/// How long to wait before the next attempt, and why that long.
struct Wait {
    delay: Duration,
    source: &'static str,
}

/// The reason the client stopped retrying.
#[derive(Debug)]
enum GiveUp {
    NotIdempotent,
    RetriesExhausted,
    BudgetExhausted,
    HintTooLong(Duration),
    HintPastDeadline(Duration),
    BackoffPastDeadline(Duration),
}

impl std::fmt::Display for GiveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GiveUp::NotIdempotent => f.write_str("a POST without an idempotency key is not resent"),
            GiveUp::RetriesExhausted => f.write_str("no retries left"),
            GiveUp::BudgetExhausted => f.write_str("the client's retry budget is spent"),
            GiveUp::HintTooLong(hint) => {
                write!(
                    f,
                    "the server asked to wait {}, longer than max_wait",
                    format_delay(*hint)
                )
            }
            GiveUp::HintPastDeadline(hint) => write!(
                f,
                "the server asked to wait {}, past the deadline",
                format_delay(*hint)
            ),
            GiveUp::BackoffPastDeadline(delay) => write!(
                f,
                "the backoff of {} would end past the deadline",
                format_delay(*delay)
            ),
        }
    }
}

fn format_delay(delay: Duration) -> String {
    format!("{:.3} s", delay.as_secs_f64())
}

/// Records the attempts on the final error, and turns a final `429` into
/// [`Error::RateLimited`].
fn finish(error: Error, attempts: u32, last_status: Option<StatusCode>) -> Error {
    match error {
        Error::Api(mut api) => {
            api.attempts = attempts;
            if api.status == StatusCode::TOO_MANY_REQUESTS {
                return Error::RateLimited(Box::new(RateLimitError {
                    retry_after: api.retry_after,
                    response: *api,
                }));
            }
            Error::Api(api)
        }
        Error::Transport {
            method,
            url,
            source,
            ..
        } => Error::Transport {
            method,
            url,
            attempts,
            last_status,
            source,
        },
        other => other,
    }
}

/// The response header that carries the server's id for the request.
static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Builds the typed error for a 4xx or 5xx response. `retry_after` is the
/// server's wait hint, already parsed from the headers.
pub(crate) fn api_error(
    status: StatusCode,
    body: &[u8],
    request_id: Option<String>,
    retry_after: Option<Duration>,
) -> ApiError {
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
            attempts: 1,
            payment_id: problem.payment_id,
        },
        None => ApiError {
            status,
            code: None,
            title: None,
            detail: excerpt(body, EXCERPT_BYTES).trim().to_owned(),
            request_id,
            errors: Vec::new(),
            retry_after,
            attempts: 1,
            payment_id: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_problem_body_becomes_bounded_detail() {
        let body = "<html>".to_owned() + &"x".repeat(2000);
        let error = api_error(StatusCode::BAD_GATEWAY, body.as_bytes(), None, None);
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
