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
    /// The server answered with a 4xx or 5xx status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request did not complete: the connection was refused or reset, a
    /// name did not resolve, TLS failed, or the timeout passed.
    #[error("{method} {url} failed")]
    Transport {
        /// The request method.
        method: http::Method,
        /// The request URL.
        url: String,
        /// The underlying client error.
        #[source]
        source: reqwest::Error,
    },

    /// The response body did not match the documented schema.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// A client setting or a request argument is invalid.
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// The setting or argument, for example `base URL`.
        what: &'static str,
        /// What is wrong with it and what to do.
        reason: String,
    },

    /// The server broke the pagination protocol, for example by sending
    /// `has_more: true` with no way to fetch the next page.
    #[error("pagination failed: {0}")]
    Pagination(String),
}

impl Error {
    /// Returns the HTTP status of an [`Error::Api`] or [`Error::Decode`].
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode(decode) => Some(decode.status),
            _ => None,
        }
    }

    /// Returns the API's problem code, such as `not_found`.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.code.as_deref(),
            _ => None,
        }
    }

    /// Returns the `Request-Id` of the failed request, when the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Decode(decode) => decode.request_id.as_deref(),
            _ => None,
        }
    }

    /// Returns the API error, when the server refused the request.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Returns true when the request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Transport { source, .. } if source.is_timeout())
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
    /// The server's `Retry-After` hint, when it sent a valid one.
    pub retry_after: Option<Duration>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "server returned {}", self.status)?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
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

/// A response body that did not decode into the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status of the response.
    pub status: StatusCode,
    /// The path inside the JSON document where decoding failed, such as
    /// `data[3].price`; `.` for the document itself.
    pub path: String,
    /// What did not match.
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
