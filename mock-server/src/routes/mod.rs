//! HTTP handlers, one file per resource. Handlers stay thin: they parse the
//! request, call the store and shape the response.

pub(crate) mod admin;
pub(crate) mod customers;
pub(crate) mod events;
pub(crate) mod meta;
pub(crate) mod orders;
mod path_id;
pub(crate) mod payments;
pub(crate) mod plants;
pub(crate) mod streams;
pub(crate) mod webhooks;

use axum::http::Uri;

use crate::problem::ApiError;

/// `404 not_found` for every path no route matches.
pub(crate) async fn unknown_path(uri: Uri) -> ApiError {
    ApiError::unknown_path(uri.path())
}
