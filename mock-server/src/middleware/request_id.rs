//! Request ids, error rendering and the request log.

use std::cell::RefCell;
use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::problem::{REQUEST_ID, finish_error_response};

/// The id of the request being handled, stored in the request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestId(pub(crate) String);

impl RequestId {
    /// Creates `req_` followed by 16 random Crockford base32 characters.
    ///
    /// The bits come from a per-thread generator seeded by the OS, not by
    /// the server's seed, so that ids differ between runs. Seeding once per
    /// thread saves the `getrandom` system call per request that a version 4
    /// UUID costs.
    fn generate() -> Self {
        thread_local! {
            static GENERATOR: RefCell<fastrand::Rng> =
                RefCell::new(fastrand::Rng::with_seed(uuid::Uuid::new_v4().as_u64_pair().0));
        }
        let random = GENERATOR.with_borrow_mut(|generator| generator.u128(..));
        let mut id = String::from("req_");
        crate::ids::push_base32(&mut id, random as u64);
        crate::ids::push_base32(&mut id, (random >> 64) as u64);
        Self(id)
    }
}

/// Gives every request an id, sends it as `Request-Id`, renders every error
/// response as a problem carrying it, and logs the request.
pub(crate) async fn assign_request_id(mut request: Request, next: Next) -> Response {
    let request_id = RequestId::generate();
    request.extensions_mut().insert(request_id.clone());
    let method = request.method().clone();
    // A cheap clone: the URI shares the bytes of the request head.
    let uri = request.uri().clone();
    let path = uri.path();
    let started = Instant::now();

    let response = next.run(request).await;
    let mut response = finish_error_response(response, &request_id.0);
    if let Ok(value) = HeaderValue::from_str(&request_id.0) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }

    let status = response.status().as_u16();
    let duration_ms = started.elapsed().as_millis() as u64;
    if response.status().is_server_error() {
        tracing::error!(request_id = %request_id.0, %method, path, status, duration_ms, "request failed");
    } else {
        tracing::info!(request_id = %request_id.0, %method, path, status, duration_ms, "request");
    }
    response
}
