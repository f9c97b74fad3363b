//! Bearer authentication for everything under `/v1`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;

/// The keys the server accepts.
pub(crate) type ApiKeys = Arc<[String]>;

/// Rejects `/v1` requests without a known `Authorization: Bearer` key.
///
/// It runs before routing, so an unknown path or method under `/v1` is also
/// `401` without a key and reveals nothing about which routes exist.
pub(crate) async fn require_api_key(
    State(keys): State<ApiKeys>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let protected = path == "/v1" || path.starts_with("/v1/");
    if !protected {
        return next.run(request).await;
    }

    match check_key(request.headers(), &keys) {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}

fn check_key(headers: &HeaderMap, keys: &[String]) -> Result<(), ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Err(ApiError::missing_api_key());
    };
    let malformed =
        || ApiError::invalid_api_key("malformed `Authorization` header: expected `Bearer <key>`");

    let value = value.to_str().map_err(|_| malformed())?;
    let (scheme, key) = value.split_once(' ').ok_or_else(malformed)?;
    let key = key.trim_start_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || key.is_empty() {
        return Err(malformed());
    }

    if keys.iter().any(|known| known == key) {
        Ok(())
    } else {
        Err(ApiError::invalid_api_key("invalid API key"))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn check(value: Option<&'static str>) -> Result<(), String> {
        let mut headers = HeaderMap::new();
        if let Some(value) = value {
            headers.insert(AUTHORIZATION, HeaderValue::from_static(value));
        }
        check_key(&headers, &["sk_test_letta".to_owned()])
            .map_err(|error| error.problem().code.clone())
    }

    #[test]
    fn known_key_passes_with_any_scheme_case() {
        assert_eq!(check(Some("Bearer sk_test_letta")), Ok(()));
        assert_eq!(check(Some("bearer sk_test_letta")), Ok(()));
    }

    #[test]
    fn missing_malformed_and_unknown_keys_fail() {
        assert_eq!(check(None), Err("missing_api_key".to_owned()));
        assert_eq!(check(Some("Basic abc")), Err("invalid_api_key".to_owned()));
        assert_eq!(check(Some("Bearer")), Err("invalid_api_key".to_owned()));
        assert_eq!(
            check(Some("Bearer sk_wrong")),
            Err("invalid_api_key".to_owned())
        );
    }
}
