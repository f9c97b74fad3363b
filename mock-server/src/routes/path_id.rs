//! The `{id}` path segment of the customer, order, payment and event routes.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::problem::ApiError;

/// The `{id}` path segment. A segment that is not valid UTF-8 cannot name a
/// resource, so its rejection is `404` like any other unknown id.
pub(crate) struct PathId(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(Self(id)),
            Err(_) => Err(ApiError::unknown_path(&String::from_utf8_lossy(
                parts.uri.path().as_bytes(),
            ))),
        }
    }
}
