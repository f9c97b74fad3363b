//! Idempotent `POST` requests: the `Idempotency-Key` layer.
//!
//! Every `POST` under `/v1` that carries `Idempotency-Key` runs at most once
//! per API key and idempotency key within [`RETENTION`]. The layer stores
//! the request's fingerprint (method, path and exact body bytes) and its
//! response, and then:
//!
//! - the same key and fingerprint again replays the stored response (status,
//!   headers and body, errors included) with `Idempotent-Replayed: true`;
//! - the same key with another fingerprint is `422 idempotency_key_reused`;
//! - the same key while the first request runs is `409 idempotency_key_in_use`.
//!
//! The layer sits inside authentication and rate limiting, so their `401`
//! and `429` never reach it. It does not store `401`, `429` or `503`
//! responses, nor its own `409` and `422`, so a retry after them runs.
//!
//! The handler runs on its own task, so a request whose client disconnects
//! still finishes and stores its response for the retry.

mod pause;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use pause::RequestPause;

use crate::body::MAX_BODY_BYTES;
use crate::problem::ApiError;

/// The time since a fixed origin, read to expire keys. The server passes
/// its monotonic clock, so tests control it.
pub(crate) type Now = Box<dyn Fn() -> Duration + Send + Sync>;

/// How long a key and its response are kept.
pub(crate) const RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// How often expired records are swept out.
const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Maximum key length, in characters.
const MAX_KEY_CHARS: usize = 255;

static IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
static IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The stored keys and responses, shared by every request.
pub(crate) struct Idempotency {
    records: Mutex<Records>,
    now: Now,
    pause: Option<RequestPause>,
}

impl std::fmt::Debug for Idempotency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idempotency")
            .field("records", &self.records)
            .field("pause", &self.pause)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Records {
    by_scope: HashMap<Scope, Record>,
    next_sweep: Duration,
}

/// An idempotency key within the API key that sent it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Scope {
    api_key: String,
    key: String,
}

/// The parts of a request that must match for a repeat to count as the
/// same request.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    method: Method,
    path: String,
    body: Bytes,
}

#[derive(Debug)]
enum Record {
    InFlight(Fingerprint),
    Done {
        fingerprint: Fingerprint,
        response: StoredResponse,
        expires_at: Duration,
    },
}

/// A response as the handler produced it, ready to be replayed.
#[derive(Debug, Clone)]
struct StoredResponse {
    status: StatusCode,
    headers: HeaderMap,
    /// Kept so that an error is rendered again with the replay's request id.
    extensions: Extensions,
    body: Bytes,
}

impl StoredResponse {
    fn replay(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        *response.extensions_mut() = self.extensions.clone();
        response.headers_mut().insert(
            IDEMPOTENT_REPLAYED.clone(),
            HeaderValue::from_static("true"),
        );
        response
    }
}

/// The decision for a request that carries a key.
enum Begin {
    Run,
    Replay(StoredResponse),
    InUse,
    Reused,
}

impl Idempotency {
    pub(crate) fn new(now: Now, pause: Option<RequestPause>) -> Self {
        Self {
            records: Mutex::new(Records::default()),
            now,
            pause,
        }
    }

    /// Forgets every key, for a reset of the server.
    #[allow(
        dead_code,
        reason = "the admin surface's reset route calls it once that lands"
    )]
    pub(crate) fn clear(&self) {
        self.lock().by_scope.clear();
    }

    fn lock(&self) -> MutexGuard<'_, Records> {
        // A panic while the lock is held leaves the map consistent: every
        // update is a single insert or remove.
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Decides what to do with a request, registering it as in flight when
    /// it is to run.
    fn begin(&self, scope: &Scope, fingerprint: &Fingerprint) -> Begin {
        let now = (self.now)();
        let mut records = self.lock();
        if now >= records.next_sweep {
            records.by_scope.retain(|_, record| match record {
                Record::InFlight(_) => true,
                Record::Done { expires_at, .. } => *expires_at > now,
            });
            records.next_sweep = now + SWEEP_INTERVAL;
        }

        let begin = match records.by_scope.get(scope) {
            None => Begin::Run,
            Some(Record::Done { expires_at, .. }) if *expires_at <= now => Begin::Run,
            Some(Record::InFlight(first))
            | Some(Record::Done {
                fingerprint: first, ..
            }) if first != fingerprint => Begin::Reused,
            Some(Record::InFlight(_)) => Begin::InUse,
            Some(Record::Done { response, .. }) => Begin::Replay(response.clone()),
        };
        if matches!(begin, Begin::Run) {
            records
                .by_scope
                .insert(scope.clone(), Record::InFlight(fingerprint.clone()));
        }
        begin
    }

    fn finish(&self, scope: Scope, fingerprint: Fingerprint, response: StoredResponse) {
        let expires_at = (self.now)() + RETENTION;
        self.lock().by_scope.insert(
            scope,
            Record::Done {
                fingerprint,
                response,
                expires_at,
            },
        );
    }

    fn abandon(&self, scope: &Scope) {
        let mut records = self.lock();
        if matches!(records.by_scope.get(scope), Some(Record::InFlight(_))) {
            records.by_scope.remove(scope);
        }
    }
}

/// The layer: runs every `POST` under `/v1` with an `Idempotency-Key` at
/// most once, as described in the module documentation.
pub(crate) async fn idempotent_posts(
    State(idempotency): State<Arc<Idempotency>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let is_api = path == "/v1" || path.starts_with("/v1/");
    if request.method() != Method::POST || !is_api {
        return next.run(request).await;
    }
    let key = match idempotency_key(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(error) => return error.into_response(),
    };
    // Authentication already accepted the key, so it is present.
    let Some(api_key) = bearer_key(request.headers()) else {
        return next.run(request).await;
    };

    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::payload_too_large(MAX_BODY_BYTES).into_response();
    };
    let scope = Scope { api_key, key };
    let fingerprint = Fingerprint {
        method: parts.method.clone(),
        path: parts.uri.path().to_owned(),
        body: body.clone(),
    };

    match idempotency.begin(&scope, &fingerprint) {
        Begin::Run => {}
        Begin::Replay(stored) => {
            tracing::debug!(key = %scope.key, "replaying stored response");
            return stored.replay();
        }
        Begin::InUse => return ApiError::idempotency_key_in_use(&scope.key).into_response(),
        Begin::Reused => return ApiError::idempotency_key_reused(&scope.key).into_response(),
    }

    let request = Request::from_parts(parts, Body::from(body));
    let task = tokio::spawn(run_and_store(
        idempotency.clone(),
        scope,
        fingerprint,
        request,
        next,
    ));
    match task.await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "idempotent request task failed");
            ApiError::internal().into_response()
        }
    }
}

/// Runs the handler, stores its response and returns it.
async fn run_and_store(
    idempotency: Arc<Idempotency>,
    scope: Scope,
    fingerprint: Fingerprint,
    request: Request,
    next: Next,
) -> Response {
    // Removes the in-flight record if this task ends without storing a
    // response (a panic in the handler), so that a retry can run.
    let guard = InFlightGuard {
        idempotency: &idempotency,
        scope: &scope,
    };
    if let Some(pause) = &idempotency.pause {
        pause.hold_if_armed().await;
    }

    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let body = match to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "failed to read a response body to store it");
            return ApiError::internal().into_response();
        }
    };

    let storable = !matches!(
        parts.status,
        StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    );
    if storable {
        let stored = StoredResponse {
            status: parts.status,
            headers: parts.headers.clone(),
            extensions: parts.extensions.clone(),
            body: body.clone(),
        };
        std::mem::forget(guard);
        idempotency.finish(scope.clone(), fingerprint, stored);
    }
    Response::from_parts(parts, Body::from(body))
}

struct InFlightGuard<'a> {
    idempotency: &'a Idempotency,
    scope: &'a Scope,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        self.idempotency.abandon(self.scope);
    }
}

/// Reads `Idempotency-Key`: 1 to 255 visible ASCII characters, optionally
/// in double quotes (the structured-field string form of the IETF draft),
/// which are removed.
///
/// # Errors
///
/// `400 invalid_request` for a repeated header or an invalid value.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let mut values = headers.get_all(&IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::invalid_request(
            "`Idempotency-Key` is given more than once; send one key per request",
        ));
    }

    let invalid = || {
        ApiError::invalid_request(format!(
            "invalid `Idempotency-Key` {:?}: use 1 to {MAX_KEY_CHARS} visible ASCII characters, such as a UUID",
            String::from_utf8_lossy(value.as_bytes())
        ))
    };
    let raw = value.to_str().map_err(|_| invalid())?;
    let key = unquote(raw).ok_or_else(invalid)?;
    let visible = key.bytes().all(|byte| byte.is_ascii_graphic());
    if key.is_empty() || key.len() > MAX_KEY_CHARS || !visible {
        return Err(invalid());
    }
    Ok(Some(key))
}

/// Removes the quotes of a structured-field string (`"abc"`) and its
/// escapes (`\"` and `\\`). A value without quotes is returned as it is.
fn unquote(raw: &str) -> Option<String> {
    let Some(inner) = raw
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return Some(raw.to_owned());
    };

    let mut key = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(escaped @ ('"' | '\\')) => key.push(escaped),
                _ => return None,
            },
            '"' => return None,
            other => key.push(other),
        }
    }
    Some(key)
}

/// Returns the key of `Authorization: Bearer <key>`.
fn bearer_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (_scheme, key) = value.split_once(' ')?;
    Some(key.trim_start_matches(' ').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(value: &'static str) -> Result<Option<String>, String> {
        let mut headers = HeaderMap::new();
        headers.insert(IDEMPOTENCY_KEY.clone(), HeaderValue::from_static(value));
        idempotency_key(&headers).map_err(|error| error.problem().code.clone())
    }

    #[test]
    fn quoted_key_equals_unquoted_key() {
        assert_eq!(key("abc-123"), Ok(Some("abc-123".to_owned())));
        assert_eq!(key("\"abc-123\""), Ok(Some("abc-123".to_owned())));
        assert_eq!(key(r#""a\"b""#), Ok(Some("a\"b".to_owned())));
    }

    #[test]
    fn invalid_keys_are_rejected() {
        for value in ["", "\"\"", "has space", "\"a\"b\"", r#""a\b""#] {
            assert_eq!(key(value), Err("invalid_request".to_owned()), "{value}");
        }
        let long = "k".repeat(256);
        let mut headers = HeaderMap::new();
        headers.insert(
            IDEMPOTENCY_KEY.clone(),
            HeaderValue::from_str(&long).expect("ASCII is a valid header value"),
        );
        assert!(idempotency_key(&headers).is_err());
    }

    #[test]
    fn missing_key_is_none() {
        assert_eq!(idempotency_key(&HeaderMap::new()).ok(), Some(None));
    }
}
