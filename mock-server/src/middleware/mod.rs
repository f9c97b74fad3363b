//! Layers that run around every route.

pub(crate) mod auth;
pub(crate) mod request_id;
