//! Fault injection: latency, error statuses, dropped connections,
//! truncated bodies and event streams ended every N events, per route or
//! for every `/v1` request.
//!
//! Two layers share the work. [`inject_faults`] sits inside the rate limit
//! and decides, per request, which faults apply. It sleeps for latency,
//! returns an injected status itself, and skips the handler for a drop
//! before commit. Faults that act on the connection are marked on the
//! response as a [`WireFault`], and [`apply_wire_faults`], the outermost
//! layer, carries them out after every other layer has finished the
//! response, so that nothing rewrites the truncated or failing body.
//!
//! Faults apply in the order they were added. Every matching latency fault
//! adds its delay. The first matching `sse_drop` fault whose rate draw
//! succeeds sets how many events an event stream sends before it ends,
//! which the stream handler reads from [`SseDropEvery`]. Of the other
//! kinds, the first matching fault whose rate draw succeeds decides the
//! outcome, and only that one uses up one of its `times`.

mod spec;

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::problem::ApiError;
use crate::rng::SplitMix64;

pub(crate) use spec::{FaultKind, FaultSpec, PathPattern};

/// Mixed with a fault's id to derive its default seed from the server seed.
const SEED_STREAM: u64 = 0xFA17_FA17_FA17_FA17;

/// A fault that acts on the connection, marked on the response by
/// [`inject_faults`] and carried out by [`apply_wire_faults`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WireFault {
    DropBeforeCommit,
    DropAfterCommit,
    TruncateBody,
}

/// The number of events after which an `sse_drop` fault ends the event
/// stream of this request, set as a request extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SseDropEvery(pub(crate) u64);

/// The names of the fault kinds applied to a request, for the journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AppliedFaults(pub(crate) Vec<&'static str>);

/// A fault in the registry, as the admin surface lists it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FaultView {
    pub(crate) id: u64,
    pub(crate) method: Option<String>,
    pub(crate) path: Option<PathPattern>,
    pub(crate) kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) latency_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) latency_max_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) every: Option<u64>,
    pub(crate) rate: f64,
    pub(crate) times: Option<u64>,
    /// Requests it can still affect; `None` for no limit.
    pub(crate) remaining: Option<u64>,
    /// Requests it has affected.
    pub(crate) applied: u64,
    pub(crate) seed: u64,
    /// The same fault in the `--fault` flag syntax.
    pub(crate) spec: String,
}

#[derive(Debug)]
struct ActiveFault {
    id: u64,
    spec: FaultSpec,
    seed: u64,
    rng: SplitMix64,
    remaining: Option<u64>,
    applied: u64,
}

impl ActiveFault {
    fn is_exhausted(&self) -> bool {
        self.remaining == Some(0)
    }

    /// Draws whether this request is affected, and counts it if so.
    fn fires(&mut self) -> bool {
        let hit = self.spec.rate_ppm >= spec::ALWAYS_PPM
            || self.rng.below(u64::from(spec::ALWAYS_PPM)) < u64::from(self.spec.rate_ppm);
        if hit {
            self.applied += 1;
            self.remaining = self.remaining.map(|left| left.saturating_sub(1));
        }
        hit
    }

    fn view(&self) -> FaultView {
        let spec = &self.spec;
        let (latency_ms, latency_max_ms) = match spec.kind {
            FaultKind::Latency { min_ms, max_ms } => {
                (Some(min_ms), (max_ms != min_ms).then_some(max_ms))
            }
            _ => (None, None),
        };
        let (status, retry_after) = match spec.kind {
            FaultKind::Status {
                status,
                retry_after,
            } => (Some(status.as_u16()), retry_after),
            _ => (None, None),
        };
        let every = match spec.kind {
            FaultKind::SseDrop { every } => Some(every),
            _ => None,
        };
        FaultView {
            id: self.id,
            method: spec.method.as_ref().map(ToString::to_string),
            path: spec.path.clone(),
            kind: spec.kind.name(),
            latency_ms,
            latency_max_ms,
            status,
            retry_after,
            every,
            rate: f64::from(spec.rate_ppm) / f64::from(spec::ALWAYS_PPM),
            times: spec.times,
            remaining: self.remaining,
            applied: self.applied,
            seed: self.seed,
            spec: spec.to_string(),
        }
    }
}

/// The faults' decision for one request.
#[derive(Debug, Default)]
struct Decision {
    latency: Duration,
    sse_drop_every: Option<u64>,
    outcome: Option<FaultKind>,
    applied: Vec<&'static str>,
}

#[derive(Debug)]
struct Registry {
    next_id: u64,
    faults: Vec<ActiveFault>,
}

/// The faults in force, changed through the admin surface.
#[derive(Debug)]
pub(crate) struct Faults {
    default_seed: u64,
    registry: Mutex<Registry>,
    /// Faults in the registry, written under its lock, so that a request
    /// can skip the lock while there are none.
    count: AtomicUsize,
}

impl Faults {
    /// Creates a registry holding `initial`, whose random draws default to
    /// seeds derived from `default_seed`.
    pub(crate) fn new(default_seed: u64, initial: Vec<FaultSpec>) -> Self {
        let faults = Self {
            default_seed,
            registry: Mutex::new(Registry {
                next_id: 1,
                faults: Vec::new(),
            }),
            count: AtomicUsize::new(0),
        };
        for spec in initial {
            faults.add(spec);
        }
        faults
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        // The registry contains plain data, valid even after a panic elsewhere.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a fault after the existing ones and returns it.
    pub(crate) fn add(&self, spec: FaultSpec) -> FaultView {
        let mut registry = self.lock();
        let id = registry.next_id;
        registry.next_id += 1;

        // A derived seed keeps to 53 bits, so that JSON readers that store
        // numbers as doubles show it exactly and it can be sent back.
        let seed = spec.seed.unwrap_or_else(|| {
            SplitMix64::new(self.default_seed ^ SEED_STREAM ^ id).next_u64() & ((1 << 53) - 1)
        });
        tracing::info!(id, fault = %spec, "fault added");
        let fault = ActiveFault {
            id,
            seed,
            rng: SplitMix64::new(seed),
            remaining: spec.times,
            applied: 0,
            spec,
        };
        let view = fault.view();
        registry.faults.push(fault);
        self.count.store(registry.faults.len(), Ordering::Release);
        view
    }

    /// Lists the faults in the order they apply.
    pub(crate) fn list(&self) -> Vec<FaultView> {
        self.lock().faults.iter().map(ActiveFault::view).collect()
    }

    /// Removes the fault with `id`; returns false when there is none.
    pub(crate) fn remove(&self, id: u64) -> bool {
        let mut registry = self.lock();
        let before = registry.faults.len();
        registry.faults.retain(|fault| fault.id != id);
        self.count.store(registry.faults.len(), Ordering::Release);
        registry.faults.len() != before
    }

    /// Removes every fault.
    pub(crate) fn clear(&self) {
        let mut registry = self.lock();
        registry.faults.clear();
        self.count.store(0, Ordering::Release);
        drop(registry);
        tracing::info!("faults cleared");
    }

    /// Returns whether no fault is registered.
    fn is_empty(&self) -> bool {
        self.count.load(Ordering::Acquire) == 0
    }

    fn decide(&self, method: &Method, path: &str) -> Decision {
        let mut registry = self.lock();
        let mut decision = Decision::default();
        for fault in &mut registry.faults {
            if fault.is_exhausted() || !fault.spec.targets(method, path) {
                continue;
            }
            match fault.spec.kind {
                FaultKind::Latency { min_ms, max_ms } => {
                    if fault.fires() {
                        let delay = fault.rng.between(
                            i64::try_from(min_ms).unwrap_or(i64::MAX),
                            i64::try_from(max_ms).unwrap_or(i64::MAX),
                        );
                        decision.latency += Duration::from_millis(delay.unsigned_abs());
                        decision.applied.push(fault.spec.kind.name());
                    }
                }
                FaultKind::SseDrop { every } => {
                    let is_stream = crate::routes::streams::STREAM_PATHS.contains(&path);
                    if decision.sse_drop_every.is_none() && is_stream && fault.fires() {
                        decision.sse_drop_every = Some(every);
                        decision.applied.push(fault.spec.kind.name());
                        tracing::info!(id = fault.id, fault = %fault.spec, %method, path, "fault injected");
                    }
                }
                kind => {
                    if decision.outcome.is_none() && fault.fires() {
                        decision.outcome = Some(kind);
                        decision.applied.push(kind.name());
                        tracing::info!(id = fault.id, fault = %fault.spec, %method, path, "fault injected");
                    }
                }
            }
        }
        decision
    }
}

/// Applies latency and status faults, and marks connection faults for
/// [`apply_wire_faults`].
pub(crate) async fn inject_faults(
    State(faults): State<Arc<Faults>>,
    mut request: Request,
    next: Next,
) -> Response {
    if faults.is_empty() {
        return next.run(request).await;
    }
    let decision = faults.decide(request.method(), request.uri().path());
    if let Some(every) = decision.sse_drop_every {
        request.extensions_mut().insert(SseDropEvery(every));
    }
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }

    let mut response = match decision.outcome {
        None | Some(FaultKind::Latency { .. } | FaultKind::SseDrop { .. }) => {
            next.run(request).await
        }
        Some(FaultKind::Status {
            status,
            retry_after,
        }) => injected_status(status, retry_after).into_response(),
        Some(FaultKind::DropBeforeCommit) => {
            let mut response = Response::new(Body::empty());
            response
                .extensions_mut()
                .insert(WireFault::DropBeforeCommit);
            response
        }
        Some(FaultKind::DropAfterCommit) => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(WireFault::DropAfterCommit);
            response
        }
        Some(FaultKind::TruncateBody) => {
            let mut response = next.run(request).await;
            response.extensions_mut().insert(WireFault::TruncateBody);
            response
        }
    };
    if !decision.applied.is_empty() {
        response
            .extensions_mut()
            .insert(AppliedFaults(decision.applied));
    }
    response
}

/// Builds the problem for an injected status: the documented code for `429`,
/// `500` and `503`, and the reason phrase in snake case for the others.
/// `429` and `503` always carry `Retry-After`, 1 second unless set.
fn injected_status(status: StatusCode, retry_after: Option<u64>) -> ApiError {
    const DETAIL: &str =
        "the mock server injected this error (a fault set through the admin surface or --fault)";
    let error = match status {
        StatusCode::TOO_MANY_REQUESTS => {
            return ApiError::rate_limited(DETAIL, retry_after.unwrap_or(1));
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            return ApiError::service_unavailable(DETAIL, retry_after.unwrap_or(1));
        }
        StatusCode::INTERNAL_SERVER_ERROR => {
            ApiError::new(status, "internal_error", "Internal Server Error", DETAIL)
        }
        _ => {
            let title = status.canonical_reason().unwrap_or("Error");
            let code = title.to_ascii_lowercase().replace([' ', '-'], "_");
            ApiError::new(status, &code, title, DETAIL)
        }
    };
    match retry_after {
        Some(seconds) => error.with_retry_after(seconds),
        None => error,
    }
}

/// Carries out the connection faults marked on the response.
pub(crate) async fn apply_wire_faults(request: Request, next: Next) -> Response {
    let head_request = request.method() == Method::HEAD;
    let response = next.run(request).await;
    let Some(fault) = response.extensions().get::<WireFault>().copied() else {
        return response;
    };
    if head_request {
        // NOTE: hyper never polls the body of a response to HEAD, so these
        // faults cannot act on one: the headers go out unchanged.
        tracing::warn!(?fault, "connection faults do not apply to HEAD requests");
        return response;
    }

    match fault {
        WireFault::DropBeforeCommit | WireFault::DropAfterCommit => dropped_connection(),
        WireFault::TruncateBody => truncated(response).await,
    }
}

/// Builds a response whose body fails before its first byte. hyper 1.x
/// buffers the status line and headers until the body yields data, so on
/// that failure it closes the connection without sending anything.
fn dropped_connection() -> Response {
    let failure = futures_util::stream::once(async {
        Err::<Bytes, io::Error>(io::Error::other("connection dropped by an injected fault"))
    });
    // A 200 so that hyper polls the body: it would skip the body of a 204
    // or 304 and send the headers.
    Response::new(Body::from_stream(failure))
}

/// Sends the headers with `Content-Length` of the whole body, then the
/// first half of the body, then closes the connection.
async fn truncated(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let is_stream = parts
        .headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
    if is_stream {
        // NOTE: collecting an endless event stream would never finish, so
        // truncation leaves streams alone.
        tracing::warn!("truncate_body does not apply to event streams");
        return Response::from_parts(parts, body);
    }

    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return dropped_connection();
    };
    let declared = bytes.len().max(1);
    let sent = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(TRANSFER_ENCODING);
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(declared));
    if matches!(
        parts.status,
        StatusCode::NO_CONTENT | StatusCode::NOT_MODIFIED
    ) {
        // These responses have no body to cut, so cut the connection.
        return dropped_connection();
    }

    let chunks = futures_util::stream::unfold(Some(sent), |chunk| async move {
        match chunk {
            Some(chunk) => Some((Ok(chunk), None)),
            None => {
                // One turn of the connection task lets hyper flush the
                // partial body before the failure closes the connection.
                tokio::task::yield_now().await;
                Some((
                    Err(io::Error::other("body truncated by an injected fault")),
                    None,
                ))
            }
        }
    });
    // `unfold` restarts at `None` after the error, so stop after two items.
    Response::from_parts(
        parts,
        Body::from_stream(futures_util::StreamExt::take(chunks, 2)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(specs: &[&str]) -> Faults {
        let specs = specs
            .iter()
            .map(|text| FaultSpec::parse(text).expect("valid spec"))
            .collect();
        Faults::new(42, specs)
    }

    #[test]
    fn times_limits_how_often_a_fault_applies() {
        let faults = faults(&["POST /v1/plants:status=503:times=2"]);

        for _ in 0..2 {
            let decision = faults.decide(&Method::POST, "/v1/plants");
            assert!(matches!(decision.outcome, Some(FaultKind::Status { .. })));
        }
        assert!(faults.decide(&Method::POST, "/v1/plants").outcome.is_none());
        assert_eq!(faults.list()[0].remaining, Some(0));
        assert_eq!(faults.list()[0].applied, 2);
    }

    #[test]
    fn method_and_path_must_both_match() {
        let faults = faults(&["POST /v1/plants:drop-before-commit"]);

        assert!(faults.decide(&Method::GET, "/v1/plants").outcome.is_none());
        assert!(faults.decide(&Method::POST, "/v1/orders").outcome.is_none());
        assert_eq!(
            faults.decide(&Method::POST, "/v1/plants").outcome,
            Some(FaultKind::DropBeforeCommit)
        );
    }

    #[test]
    fn latencies_add_up_and_first_outcome_wins() {
        let faults = faults(&[
            "latency=100",
            "status=500",
            "latency=20-20",
            "drop-after-commit",
        ]);

        let decision = faults.decide(&Method::GET, "/v1/plants");

        assert_eq!(decision.latency, Duration::from_millis(120));
        assert!(matches!(decision.outcome, Some(FaultKind::Status { .. })));
        assert_eq!(faults.list()[3].applied, 0);
    }

    #[test]
    fn rate_draws_repeat_under_the_same_seed() {
        let draws = |seed: u64| {
            let faults = faults(&[&format!("status=500:rate=0.3:seed={seed}")]);
            (0..200)
                .map(|_| faults.decide(&Method::GET, "/v1/plants").outcome.is_some())
                .collect::<Vec<bool>>()
        };

        let first = draws(7);
        assert_eq!(first, draws(7));
        assert_ne!(first, draws(8));
        let hits = first.iter().filter(|hit| **hit).count();
        assert!(
            (30..=90).contains(&hits),
            "{hits} hits out of 200 at rate 0.3"
        );
    }

    #[test]
    fn sse_drop_applies_to_streams_only() {
        let faults = faults(&["sse-drop=2:times=1", "status=500"]);

        let plain = faults.decide(&Method::GET, "/v1/plants");
        let stream = faults.decide(&Method::GET, "/v1/events/stream");
        let again = faults.decide(&Method::GET, "/v1/plants/stream");

        assert_eq!(plain.sse_drop_every, None);
        assert_eq!(stream.sse_drop_every, Some(2));
        assert_eq!(stream.applied, vec!["sse_drop", "status"]);
        assert_eq!(again.sse_drop_every, None);
        assert_eq!(faults.list()[0].applied, 1);
        assert_eq!(faults.list()[0].every, Some(2));
    }

    #[test]
    fn random_latency_stays_in_range() {
        let faults = faults(&["latency=100-200"]);
        for _ in 0..100 {
            let latency = faults.decide(&Method::GET, "/v1/plants").latency;
            assert!(
                (Duration::from_millis(100)..=Duration::from_millis(200)).contains(&latency),
                "{latency:?}"
            );
        }
    }

    #[test]
    fn injected_status_codes() {
        let cases = [
            (503, "service_unavailable", Some("1")),
            (429, "rate_limited", Some("1")),
            (500, "internal_error", None),
            (502, "bad_gateway", None),
            (408, "request_timeout", None),
        ];
        for (status, code, retry_after) in cases {
            let status = StatusCode::from_u16(status).expect("valid status");
            let response = injected_status(status, None).into_response();
            assert_eq!(response.status(), status);
            assert_eq!(
                response
                    .headers()
                    .get("retry-after")
                    .and_then(|value| value.to_str().ok()),
                retry_after,
                "{status}"
            );
            assert_eq!(injected_status(status, None).problem().code, code);
        }
    }
}
