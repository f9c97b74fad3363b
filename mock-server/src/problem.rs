//! API errors as RFC 9457 problem details (`application/problem+json`).
//!
//! Handlers and extractors return [`ApiError`]. The request-id layer then
//! stamps the request id into the body. It also turns every other error
//! response into a problem: axum's own rejections, a 405 from the router and
//! a caught panic. So every error a client sees has the same shape.

use axum::body::Body;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use letta::types::{FieldError, Problem};
use serde_json::{Map, Value};

/// Media type of every error body.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

/// An error response: a status, a problem body and optional extra headers.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Boxed so that `Result<T, ApiError>` stays small.
    parts: Box<ErrorParts>,
}

#[derive(Debug, Clone)]
struct ErrorParts {
    status: StatusCode,
    problem: Problem,
    /// Members beyond the standard ones, such as `payment_id`.
    members: Map<String, Value>,
    headers: HeaderMap,
}

/// The problem of an error response and its extra members, kept in the
/// response extensions so the request-id layer can render it again with the
/// request id.
#[derive(Debug, Clone)]
struct ProblemBody(Problem, Map<String, Value>);

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        code: &str,
        title: &str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            parts: Box::new(ErrorParts {
                status,
                problem: Problem::new(status.as_u16(), code, title, detail),
                members: Map::new(),
                headers: HeaderMap::new(),
            }),
        }
    }

    /// `400 invalid_parameter` for one or more query parameters.
    pub(crate) fn invalid_parameters(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => format!(
                "invalid query parameter `{}`: {}",
                only.pointer, only.detail
            ),
            _ => format!(
                "invalid query parameters: {}",
                errors
                    .iter()
                    .map(|error| format!("`{}`", error.pointer))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            "Invalid Parameter",
            detail,
        );
        error.parts.problem.errors = errors;
        error
    }

    /// `400 invalid_json`: the body is missing, not JSON or not an object.
    pub(crate) fn invalid_json(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "Invalid JSON",
            detail,
        )
    }

    /// `401 missing_api_key`.
    pub(crate) fn missing_api_key() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "missing_api_key",
            "Unauthorized",
            "missing API key: send `Authorization: Bearer <key>`",
        )
        .with_bearer_challenge()
    }

    /// `401 invalid_api_key`: a malformed header or a key the server does not know.
    pub(crate) fn invalid_api_key(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "Unauthorized",
            detail,
        )
        .with_bearer_challenge()
    }

    /// `404 not_found` for an unknown id.
    pub(crate) fn not_found(kind: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not Found",
            format!("no {kind} with id `{id}`"),
        )
    }

    /// `404 not_found` for a path no route matches.
    pub(crate) fn unknown_path(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not Found",
            format!("no resource at `{path}`"),
        )
    }

    /// `409 insufficient_stock`.
    pub(crate) fn insufficient_stock(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "insufficient_stock",
            "Insufficient Stock",
            detail,
        )
    }

    /// `400 invalid_request` for a request the server cannot decode in any
    /// other way, such as a malformed header.
    pub(crate) fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid Request",
            detail,
        )
    }

    /// `402 card_declined`, naming the recorded failed payment in
    /// `payment_id`.
    pub(crate) fn card_declined(payment_id: &str, payment_method: &str) -> Self {
        let mut error = Self::new(
            StatusCode::PAYMENT_REQUIRED,
            "card_declined",
            "Card Declined",
            format!(
                "the payment method `{payment_method}` was declined; payment `{payment_id}` is recorded as failed"
            ),
        );
        error
            .parts
            .members
            .insert("payment_id".to_owned(), Value::from(payment_id));
        error
    }

    /// `409 invalid_order_state`: the order's status does not allow the action.
    pub(crate) fn invalid_order_state(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "invalid_order_state",
            "Invalid Order State",
            detail,
        )
    }

    /// `409 email_taken`.
    pub(crate) fn email_taken(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "email_taken", "Email Taken", detail)
    }

    /// `409 idempotency_key_in_use`: a request with the key is still running.
    pub(crate) fn idempotency_key_in_use(key: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "Idempotency Key In Use",
            format!(
                "a request with the `Idempotency-Key` `{key}` is still running; retry once it has finished"
            ),
        )
    }

    /// `422 idempotency_key_reused`: the key was used for another request.
    pub(crate) fn idempotency_key_reused(key: &str) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "Idempotency Key Reused",
            format!(
                "the `Idempotency-Key` `{key}` was already used for a request with another method, path or body; use a new key for a new request"
            ),
        )
    }

    /// Adds field errors (`errors`) to the problem.
    pub(crate) fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.parts.problem.errors.extend(errors);
        self
    }

    /// `413 payload_too_large`.
    pub(crate) fn payload_too_large(limit_bytes: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Payload Too Large",
            format!("the request body is over the limit of {limit_bytes} bytes"),
        )
    }

    /// `415 unsupported_media_type`.
    pub(crate) fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Unsupported Media Type",
            detail,
        )
    }

    /// `422 validation_failed` with one entry per offending field.
    pub(crate) fn validation_failed(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => format!("invalid field `{}`: {}", only.pointer, only.detail),
            _ => format!("{} fields are invalid", errors.len()),
        };
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "Validation Failed",
            detail,
        );
        error.parts.problem.errors = errors;
        error
    }

    /// `429 rate_limited`, with `Retry-After` in whole seconds.
    pub(crate) fn rate_limited(detail: impl Into<String>, retry_after_seconds: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too Many Requests",
            detail,
        )
        .with_retry_after(retry_after_seconds)
    }

    /// `503 service_unavailable`, with `Retry-After` in whole seconds.
    pub(crate) fn service_unavailable(detail: impl Into<String>, retry_after_seconds: u64) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_unavailable",
            "Service Unavailable",
            detail,
        )
        .with_retry_after(retry_after_seconds)
    }

    /// Adds `Retry-After` in whole seconds.
    pub(crate) fn with_retry_after(mut self, seconds: u64) -> Self {
        self.parts
            .headers
            .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(seconds));
        self
    }

    /// `500 internal_error`, whose detail never shows internals.
    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal Server Error",
            "the server failed to handle the request; the request id identifies it in the server log",
        )
    }

    /// Builds the problem for an error response that carried no problem
    /// body, from its status alone.
    fn from_status(status: StatusCode) -> Self {
        let title = status.canonical_reason().unwrap_or("Error");
        match status {
            StatusCode::NOT_FOUND => {
                Self::new(status, "not_found", title, "no resource at this path")
            }
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                "method_not_allowed",
                title,
                "the resource does not support this method; the `Allow` header lists those it does",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(crate::body::MAX_BODY_BYTES),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                Self::unsupported_media_type("send the body as `application/json`")
            }
            _ if status.is_server_error() => Self::internal(),
            _ => Self::new(
                status,
                "invalid_request",
                title,
                "the server could not parse the request",
            ),
        }
    }

    fn with_bearer_challenge(mut self) -> Self {
        self.parts.headers.insert(
            axum::http::header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"letta\""),
        );
        self
    }

    /// Returns the HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        self.parts.status
    }

    /// Returns the problem body, without the request id.
    pub fn problem(&self) -> &Problem {
        &self.parts.problem
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let ErrorParts {
            status,
            problem,
            members,
            headers,
        } = *self.parts;
        let mut response = render(status, &problem, &members);
        response.headers_mut().extend(headers);
        response
            .extensions_mut()
            .insert(ProblemBody(problem, members));
        response
    }
}

fn render(status: StatusCode, problem: &Problem, members: &Map<String, Value>) -> Response {
    // A Problem holds only strings, numbers and lists of strings, which
    // always serialize, so the empty fallback only keeps the status.
    let mut object = match serde_json::to_value(problem) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    };
    for (name, value) in members {
        object.entry(name.clone()).or_insert_with(|| value.clone());
    }
    let body = serde_json::to_vec(&object).unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

/// Renders every error response as a problem carrying `request_id`.
///
/// A response built from [`ApiError`] is rendered again with the request id.
/// Any other response with a 4xx or 5xx status is replaced by the problem for
/// its status, keeping headers such as `Allow`. Its original body is dropped
/// because it may show internals.
pub(crate) fn finish_error_response(response: Response, request_id: &str) -> Response {
    let status = response.status();
    if !status.is_client_error() && !status.is_server_error() {
        return response;
    }

    let (mut parts, _body) = response.into_parts();
    let (mut problem, members) = match parts.extensions.remove::<ProblemBody>() {
        Some(ProblemBody(problem, members)) => (problem, members),
        None => (ApiError::from_status(status).parts.problem, Map::new()),
    };
    problem.request_id = Some(request_id.to_owned());

    let mut rendered = render(status, &problem, &members);
    parts.headers.remove(CONTENT_LENGTH);
    for (name, value) in rendered.headers_mut().drain() {
        if let Some(name) = name {
            parts.headers.insert(name, value);
        }
    }
    Response::from_parts(parts, rendered.into_body())
}

/// Name of the header that carries the request id.
pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("request-id");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_detail_names_single_field() {
        let error =
            ApiError::validation_failed(vec![FieldError::new("/price", "must be an integer")]);
        assert_eq!(
            error.problem().detail,
            "invalid field `/price`: must be an integer"
        );
        assert_eq!(error.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn bare_method_error_becomes_problem() {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        response
            .headers_mut()
            .insert("allow", HeaderValue::from_static("GET,HEAD"));

        let response = finish_error_response(response, "req_1");

        assert_eq!(response.headers()["allow"], "GET,HEAD");
        assert_eq!(response.headers()[CONTENT_TYPE], PROBLEM_JSON);
    }
}
