//! The JSON request body extractor, and JSON response bodies built in one
//! allocation.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::problem::ApiError;

/// Largest request body the server reads: 1 MiB.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Serializes `value` like `axum::Json` does (same bytes, same
/// `Content-Type`), into a buffer of `capacity` bytes, so that a body of
/// about that size is written without growing the buffer step by step.
pub(crate) fn json_response<T: Serialize + ?Sized>(value: &T, capacity: usize) -> Response {
    let mut buffer = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut buffer, value) {
        Ok(()) => (
            [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
            Bytes::from(buffer),
        )
            .into_response(),
        // Like `axum::Json`, a value that cannot be JSON is a server bug.
        Err(error) => {
            tracing::error!(%error, "failed to serialize a JSON response body");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                )],
                error.to_string(),
            )
                .into_response()
        }
    }
}

/// A request body that is a JSON object.
///
/// Rejections, in the order they are checked: a body over
/// [`MAX_BODY_BYTES`] is `413`, an empty body is `400 invalid_json`, a
/// `Content-Type` other than JSON is `415`, and a body that is not valid JSON
/// or not an object is `400 invalid_json`. Field checks are left to the
/// handler, so that it can report every field error at once.
#[derive(Debug)]
pub(crate) struct JsonObject(pub(crate) Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(CONTENT_TYPE).cloned();
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large(MAX_BODY_BYTES)
                } else {
                    ApiError::invalid_json("failed to read the request body")
                }
            })?;

        if bytes.is_empty() {
            return Err(ApiError::invalid_json(
                "the request body is empty; send a JSON object",
            ));
        }
        check_content_type(content_type.as_ref())?;

        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            ApiError::invalid_json(format!("the body is not valid JSON: {error}"))
        })?;
        match value {
            Value::Object(object) => Ok(Self(object)),
            other => Err(ApiError::invalid_json(format!(
                "the body must be a JSON object, not {}",
                json_type_name(&other)
            ))),
        }
    }
}

/// The body of a `POST` that takes no input, such as
/// `POST /v1/orders/{id}/cancel`: no body at all, or an empty JSON object.
///
/// A non-empty body goes through the checks of [`JsonObject`], and an
/// object with any member is `422 validation_failed` naming each member.
#[derive(Debug)]
pub(crate) struct EmptyObject;

impl<S: Send + Sync> FromRequest<S> for EmptyObject {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request.headers().get(CONTENT_TYPE).cloned();
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large(MAX_BODY_BYTES)
                } else {
                    ApiError::invalid_json("failed to read the request body")
                }
            })?;
        if bytes.is_empty() {
            return Ok(Self);
        }
        check_content_type(content_type.as_ref())?;

        let value: Value = serde_json::from_slice(&bytes).map_err(|error| {
            ApiError::invalid_json(format!("the body is not valid JSON: {error}"))
        })?;
        let Value::Object(object) = value else {
            return Err(ApiError::invalid_json(format!(
                "the body must be empty or an empty JSON object, not {}",
                json_type_name(&value)
            )));
        };
        let errors: Vec<letta::types::FieldError> = object
            .keys()
            .map(|name| {
                letta::types::FieldError::new(
                    crate::validate::pointer(&[name]),
                    "unknown field: this request takes no body fields",
                )
            })
            .collect();
        if errors.is_empty() {
            Ok(Self)
        } else {
            Err(ApiError::validation_failed(errors))
        }
    }
}

/// Accepts `application/json` and `application/<anything>+json`, with any
/// parameters (such as `charset=utf-8`).
fn check_content_type(content_type: Option<&HeaderValue>) -> Result<(), ApiError> {
    let Some(content_type) = content_type else {
        return Err(ApiError::unsupported_media_type(
            "missing `Content-Type`; send the body as `application/json`",
        ));
    };

    let essence = content_type
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if is_json {
        return Ok(());
    }

    Err(ApiError::unsupported_media_type(format!(
        "unsupported `Content-Type` `{}`; send the body as `application/json`",
        String::from_utf8_lossy(content_type.as_bytes())
    )))
}

/// Returns the JSON type name of a value, as used in error details.
pub(crate) fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a number with a fraction",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_content_types_pass() {
        for value in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            let header = HeaderValue::from_static(value);
            assert!(check_content_type(Some(&header)).is_ok(), "{value}");
        }
    }

    #[test]
    fn other_content_types_fail() {
        for value in ["text/plain", "application/x-www-form-urlencoded", "json"] {
            let header = HeaderValue::from_static(value);
            let error = check_content_type(Some(&header)).expect_err(value);
            assert_eq!(error.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        }
        assert!(check_content_type(None).is_err());
    }
}
