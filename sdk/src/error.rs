//! The SDK's one error type.

use std::time::Duration;

use http::StatusCode;

use crate::types::FieldError;

/// A `Result` whose error is the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when calling the API.
///
/// Match on the variant to tell a refusal by the server ([`Error::Api`]) from a
/// request that never completed ([`Error::Transport`]) or a response that did
/// not have the documented shape ([`Error::Decode`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server returned a 4xx or 5xx status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request did not complete: the connection was refused or reset, a
    /// name did not resolve, TLS failed, or the timeout passed.
    #[error("{method} {url} failed{}", retry_summary(*attempts, *last_status))]
    Transport {
        /// The request method.
        method: http::Method,
        /// The request URL.
        url: String,
        /// The number of attempts made, retries included.
        attempts: u32,
        /// The status of the last response received before this failure,
        /// when an earlier attempt got one.
        last_status: Option<StatusCode>,
        /// The underlying client error.
        #[source]
        source: reqwest::Error,
    },

    /// The response body did not match the documented schema.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// The server returned `429 Too Many Requests` and the client stopped
    /// retrying: its retries or retry budget ran out, or the server asked
    /// for a wait longer than [`RetryPolicy::max_wait`] or past the deadline.
    ///
    /// [`RetryPolicy::max_wait`]: crate::RetryPolicy::max_wait
    #[error(transparent)]
    RateLimited(Box<RateLimitError>),

    /// The call's deadline passed before an attempt could be sent, for
    /// example while pacing held the request back.
    #[error("{method} {url} timed out: its {deadline:?} deadline passed before it could be sent{}", retry_summary(*attempts, *last_status))]
    DeadlineExceeded {
        /// The request method.
        method: http::Method,
        /// The request URL.
        url: String,
        /// The deadline set with [`ClientBuilder::deadline`](crate::ClientBuilder::deadline).
        deadline: Duration,
        /// The number of attempts sent before the deadline passed.
        attempts: u32,
        /// The status of the last response received, if any.
        last_status: Option<StatusCode>,
    },

    /// A client setting or a request argument is invalid.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// The setting or argument, for example `base URL`.
        what: &'static str,
        /// The reason it is invalid and the fix.
        reason: String,
    },

    /// The server broke the pagination protocol, for example by sending
    /// `has_more: true` with no way to fetch the next page.
    #[error("pagination failed: {0}")]
    Pagination(String),
}

impl Error {
    /// Returns the HTTP status of an [`Error::Api`], [`Error::RateLimited`]
    /// or [`Error::Decode`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::RateLimited(limited) => Some(limited.response.status),
            Error::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// Returns the status of the last response the call received, even when
    /// a later attempt got no response at all.
    pub fn last_status(&self) -> Option<StatusCode> {
        match self {
            Error::Transport { last_status, .. } | Error::DeadlineExceeded { last_status, .. } => {
                *last_status
            }
            _ => self.status(),
        }
    }

    /// Returns the number of attempts the call made, retries included; `0`
    /// when it failed before sending anything. An [`Error::Decode`] counts
    /// as 1, the attempt whose body did not decode, even after retries.
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(api) => api.attempts,
            Error::RateLimited(limited) => limited.response.attempts,
            Error::Transport { attempts, .. } | Error::DeadlineExceeded { attempts, .. } => {
                *attempts
            }
            Error::Decode(_) => 1,
            _ => 0,
        }
    }

    /// Returns how long the server asked the client to wait, from an
    /// [`Error::RateLimited`] or an [`Error::Api`] that carried a hint.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited(limited) => limited.retry_after,
            Error::Api(api) => api.retry_after,
            _ => None,
        }
    }

    /// Returns true when the server kept returning `429 Too Many Requests`.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited(_))
    }

    /// Returns the API's problem code, such as `not_found`.
    pub fn code(&self) -> Option<&str> {
        self.as_api().and_then(|api| api.code.as_deref())
    }

    /// Returns the `Request-Id` of the failed request, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::RateLimited(limited) => limited.response.request_id.as_deref(),
            Error::Decode(decode) => decode.request_id.as_deref(),
            _ => None,
        }
    }

    /// Returns the API error, when the server refused the request; for
    /// [`Error::RateLimited`], the last `429` response.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::RateLimited(limited) => Some(&limited.response),
            _ => None,
        }
    }

    /// Returns true when the request timed out or the call's deadline passed.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Transport { source, .. } => source.is_timeout(),
            Error::DeadlineExceeded { .. } => true,
            _ => false,
        }
    }

    /// Returns true when no connection to the server could be made.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_connect())
    }

    /// Returns true for a `404 Not Found`.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND) && matches!(self, Error::Api(_))
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }
}

impl From<ApiError> for Error {
    fn from(error: ApiError) -> Self {
        Error::Api(Box::new(error))
    }
}

impl From<DecodeError> for Error {
    fn from(error: DecodeError) -> Self {
        Error::Decode(Box::new(error))
    }
}

/// An error response from the API, decoded from its problem details body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable problem code, such as `insufficient_stock`; `None` when the
    /// body was not a problem document (for example a proxy's HTML page).
    pub code: Option<String>,
    /// The problem title.
    pub title: Option<String>,
    /// The explanation of this occurrence, or a bounded excerpt of a body
    /// that was not a problem document.
    pub detail: String,
    /// The `Request-Id` response header or the body's `request_id`.
    pub request_id: Option<String>,
    /// Validation failures, one per field.
    pub errors: Vec<FieldError>,
    /// The server's wait hint, when it sent a valid one: `retry-after-ms`,
    /// else `Retry-After` (delay-seconds or an HTTP-date), else the reset of
    /// an exhausted `RateLimit` quota.
    pub retry_after: Option<Duration>,
    /// The number of attempts the call made, retries included.
    pub attempts: u32,
    /// The id of the failed payment, on a `402 card_declined` error. The
    /// payment is recorded with status `failed`.
    pub payment_id: Option<String>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "server returned {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        for field in &self.errors {
            write!(f, "; {}: {}", field.pointer, field.detail)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A request that stayed rate limited (`429 Too Many Requests`).
///
/// Its message reads `rate limited: retry after N s`, with the server's
/// hint rounded up to whole seconds, or `rate limited: retry later` when the
/// last response carried no valid hint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimitError {
    /// How long the server asked the client to wait before the next
    /// request: `retry-after-ms`, else `Retry-After`, else the reset of the
    /// exhausted `RateLimit` quota.
    pub retry_after: Option<Duration>,
    /// The last `429` response, with the number of attempts made.
    pub response: ApiError,
}

impl std::fmt::Display for RateLimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.retry_after {
            Some(wait) => write!(f, "rate limited: retry after {} s", ceil_seconds(wait))?,
            None => f.write_str("rate limited: retry later")?,
        }
        if self.response.attempts > 1 {
            write!(f, " (after {} attempts)", self.response.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for RateLimitError {}

/// Returns `wait` in whole seconds, rounded up.
fn ceil_seconds(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// Describes the retries behind a final error, or nothing for one attempt.
fn retry_summary(attempts: u32, last_status: Option<StatusCode>) -> String {
    match (attempts, last_status) {
        (0 | 1, _) => String::new(),
        (attempts, None) => format!(" after {attempts} attempts"),
        (attempts, Some(status)) => format!(" after {attempts} attempts (last status {status})"),
    }
}

/// A response body that did not decode into the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The path inside the JSON document where decoding failed, such as
    /// `data[3].price`; `.` for the document itself.
    pub path: String,
    /// The mismatch, as serde reported it.
    pub message: String,
    /// The start of the body, at most 512 bytes, for diagnosis.
    pub excerpt: String,
    /// The `Request-Id` of the response.
    pub request_id: Option<String>,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "invalid response body at `{}`: {}",
            self.path, self.message
        )
    }
}

impl std::error::Error for DecodeError {}

/// Returns at most `max` bytes of `body` as text, cut on a character boundary.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max)]);
    let mut text = text.into_owned();
    if body.len() > max {
        text.push('…');
    }
    text
}
