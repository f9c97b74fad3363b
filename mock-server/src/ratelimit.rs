//! A token bucket per API key around everything under `/v1`.
//!
//! Each key's bucket holds up to `quota` tokens and refills continuously at
//! `quota` tokens per `window_seconds`, so a client can burst the whole
//! quota and then sustain `quota / window_seconds` requests per second. A
//! request takes one token. Without one it is `429 rate_limited` with
//! `Retry-After`: the whole seconds, rounded up, until a token is back.
//!
//! Every `/v1` response that passed authentication carries the fields of
//! draft-ietf-httpapi-ratelimit-headers-11, under one policy named
//! `"default"`:
//!
//! ```text
//! RateLimit-Policy: "default";q=100;w=1
//! RateLimit: "default";r=42;t=1
//! ```
//!
//! `r` is the whole tokens left after this request and `t` the seconds,
//! rounded up, until the bucket is full again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::clock::Clock;
use crate::problem::ApiError;

/// Name of the header that describes the policy.
static RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// Name of the header that describes the quota left.
static RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// Largest quota accepted, in requests per window.
pub(crate) const MAX_QUOTA: u64 = 1_000_000;

/// Maximum window accepted: one day, in seconds.
pub(crate) const MAX_WINDOW_SECONDS: u64 = 86_400;

const NANOS_PER_SECOND: u128 = 1_000_000_000;

/// A rate limit: `quota` requests per `window_seconds`, or none at all when
/// `quota` is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RatePolicy {
    pub(crate) quota: u64,
    pub(crate) window_seconds: u64,
}

impl RatePolicy {
    /// Returns whether requests are limited at all.
    pub(crate) fn is_enabled(self) -> bool {
        self.quota > 0
    }

    /// Checks the bounds, returning the error detail of the first value out
    /// of range.
    pub(crate) fn check(self) -> Result<(), String> {
        if self.quota > MAX_QUOTA {
            return Err(format!(
                "rate limit quota {} is over the maximum of {MAX_QUOTA}",
                self.quota
            ));
        }
        if !(1..=MAX_WINDOW_SECONDS).contains(&self.window_seconds) {
            return Err(format!(
                "rate limit window {} s is out of range: use 1 to {MAX_WINDOW_SECONDS} seconds",
                self.window_seconds
            ));
        }
        Ok(())
    }

    /// Nanoseconds of the window, which is also what one token costs in
    /// bucket units: a bucket gains `quota` units per nanosecond.
    fn token_units(self) -> u128 {
        u128::from(self.window_seconds) * NANOS_PER_SECOND
    }

    fn capacity_units(self) -> u128 {
        u128::from(self.quota) * self.token_units()
    }

    /// Returns the seconds, rounded up, until a bucket at `level` reaches
    /// `target` units.
    fn seconds_until(self, level: u128, target: u128) -> u64 {
        let missing = target.saturating_sub(level);
        let quota = u128::from(self.quota.max(1));
        let nanos = missing.div_ceil(quota);
        u64::try_from(nanos.div_ceil(NANOS_PER_SECOND)).unwrap_or(u64::MAX)
    }
}

/// The state of one key's bucket after a request took (or failed to take)
/// a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    policy: RatePolicy,
    /// Whole tokens left.
    remaining: u64,
    /// Seconds, rounded up, until the bucket is full.
    reset_seconds: u64,
    /// Seconds, rounded up, until one token is available; 0 when one is.
    retry_after_seconds: u64,
}

impl Quota {
    /// Adds `RateLimit-Policy` and `RateLimit` to `headers`.
    fn insert_headers(&self, headers: &mut HeaderMap) {
        let policy = format!(
            "\"default\";q={};w={}",
            self.policy.quota, self.policy.window_seconds
        );
        let left = format!("\"default\";r={};t={}", self.remaining, self.reset_seconds);
        // Both values are ASCII digits, quotes and punctuation, which are
        // always valid header values.
        if let (Ok(policy), Ok(left)) =
            (HeaderValue::from_str(&policy), HeaderValue::from_str(&left))
        {
            headers.insert(RATELIMIT_POLICY.clone(), policy);
            headers.insert(RATELIMIT.clone(), left);
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// Tokens in units of `1 / token_units` of a token, so that refills stay
    /// exact integers.
    level: u128,
    /// Clock reading of the last refill.
    refilled_at: Duration,
}

#[derive(Debug)]
struct Buckets {
    policy: RatePolicy,
    by_key: HashMap<String, Bucket>,
}

/// The token buckets of every API key, under one policy that can change at
/// run time.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    clock: Clock,
    buckets: Mutex<Buckets>,
}

impl RateLimiter {
    pub(crate) fn new(policy: RatePolicy, clock: Clock) -> Self {
        Self {
            clock,
            buckets: Mutex::new(Buckets {
                policy,
                by_key: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // The buckets hold plain numbers, valid even after a panic elsewhere.
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the current policy.
    pub(crate) fn policy(&self) -> RatePolicy {
        self.lock().policy
    }

    /// Replaces the policy and refills every bucket to the new quota.
    pub(crate) fn set_policy(&self, policy: RatePolicy) {
        let mut buckets = self.lock();
        buckets.policy = policy;
        buckets.by_key.clear();
        tracing::info!(
            quota = policy.quota,
            window_seconds = policy.window_seconds,
            "rate limit changed"
        );
    }

    /// Refills every bucket.
    pub(crate) fn refill_all(&self) {
        self.lock().by_key.clear();
    }

    /// Takes a token from `key`'s bucket. Returns `None` when rate limiting
    /// is off, otherwise the bucket's state and whether a token was taken.
    pub(crate) fn acquire(&self, key: &str) -> Option<(bool, Quota)> {
        let now = self.clock.now();
        let mut buckets = self.lock();
        let policy = buckets.policy;
        if !policy.is_enabled() {
            return None;
        }

        let capacity = policy.capacity_units();
        let cost = policy.token_units();
        let bucket = buckets.by_key.entry(key.to_owned()).or_insert(Bucket {
            level: capacity,
            refilled_at: now,
        });

        let elapsed = now.saturating_sub(bucket.refilled_at).as_nanos();
        let gained = elapsed.saturating_mul(u128::from(policy.quota));
        bucket.level = bucket.level.saturating_add(gained).min(capacity);
        bucket.refilled_at = bucket.refilled_at.max(now);

        let allowed = bucket.level >= cost;
        if allowed {
            bucket.level -= cost;
        }
        let quota = Quota {
            policy,
            remaining: u64::try_from(bucket.level / cost).unwrap_or(u64::MAX),
            reset_seconds: policy.seconds_until(bucket.level, capacity),
            retry_after_seconds: policy.seconds_until(bucket.level, cost),
        };
        Some((allowed, quota))
    }
}

/// Applies the rate limit to `/v1` requests, which the authentication layer
/// has already let through.
pub(crate) async fn limit_rate(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let limited_path = path == "/v1" || path.starts_with("/v1/");
    let key = bearer_key(request.headers());
    let (Some(key), true) = (key, limited_path) else {
        return next.run(request).await;
    };
    let Some((allowed, quota)) = limiter.acquire(key) else {
        return next.run(request).await;
    };

    let mut response = if allowed {
        next.run(request).await
    } else {
        tracing::debug!(
            retry_after_seconds = quota.retry_after_seconds,
            "request over the rate limit"
        );
        rate_limited(&quota).into_response()
    };
    quota.insert_headers(response.headers_mut());
    response
}

fn rate_limited(quota: &Quota) -> ApiError {
    let RatePolicy {
        quota: requests,
        window_seconds,
    } = quota.policy;
    let seconds = quota.retry_after_seconds;
    ApiError::rate_limited(
        format!(
            "rate limit of {requests} requests per {window_seconds} s exceeded; retry in {seconds} s"
        ),
        seconds,
    )
}

/// Returns the key of an `Authorization: Bearer <key>` header, parsed as
/// the authentication layer parses it.
fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn limiter(quota: u64, window_seconds: u64) -> (RateLimiter, ManualClock) {
        let clock = ManualClock::new();
        let policy = RatePolicy {
            quota,
            window_seconds,
        };
        (
            RateLimiter::new(policy, Clock::new(Some(clock.clone()))),
            clock,
        )
    }

    fn take(limiter: &RateLimiter, key: &str) -> (bool, u64, u64, u64) {
        let (allowed, quota) = limiter.acquire(key).expect("rate limiting is on");
        (
            allowed,
            quota.remaining,
            quota.reset_seconds,
            quota.retry_after_seconds,
        )
    }

    #[test]
    fn bucket_empties_then_refills_continuously() {
        let (limiter, clock) = limiter(3, 60);

        assert_eq!(take(&limiter, "a"), (true, 2, 20, 0));
        assert_eq!(take(&limiter, "a"), (true, 1, 40, 0));
        assert_eq!(take(&limiter, "a"), (true, 0, 60, 20));
        assert_eq!(take(&limiter, "a"), (false, 0, 60, 20));

        clock.advance(Duration::from_millis(19_500));
        assert_eq!(take(&limiter, "a"), (false, 0, 41, 1));

        clock.advance(Duration::from_millis(500));
        assert_eq!(take(&limiter, "a"), (true, 0, 60, 20));
    }

    #[test]
    fn retry_after_rounds_up_partial_seconds() {
        let (limiter, clock) = limiter(3, 1);
        for _ in 0..3 {
            assert!(take(&limiter, "a").0);
        }

        // One token takes a third of a second to come back.
        assert_eq!(take(&limiter, "a"), (false, 0, 1, 1));
        clock.advance(Duration::from_millis(334));
        assert!(take(&limiter, "a").0);
    }

    #[test]
    fn keys_have_separate_buckets() {
        let (limiter, _clock) = limiter(1, 10);

        assert!(take(&limiter, "a").0);
        assert!(!take(&limiter, "a").0);
        assert!(take(&limiter, "b").0);
    }

    #[test]
    fn new_policy_refills_every_bucket() {
        let (limiter, _clock) = limiter(1, 10);
        assert!(take(&limiter, "a").0);

        limiter.set_policy(RatePolicy {
            quota: 5,
            window_seconds: 10,
        });

        assert_eq!(take(&limiter, "a"), (true, 4, 2, 0));
    }

    #[test]
    fn zero_quota_turns_limiting_off() {
        let (limiter, _clock) = limiter(0, 1);
        assert!(limiter.acquire("a").is_none());
    }

    #[test]
    fn headers_use_draft_11_syntax() {
        let (limiter, _clock) = limiter(100, 60);
        let (_, quota) = limiter.acquire("a").expect("rate limiting is on");
        let mut headers = HeaderMap::new();

        quota.insert_headers(&mut headers);

        assert_eq!(headers["ratelimit-policy"], "\"default\";q=100;w=60");
        assert_eq!(headers["ratelimit"], "\"default\";r=99;t=1");
    }

    #[test]
    fn bearer_key_follows_auth_parsing() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer  sk_a"));
        assert_eq!(bearer_key(&headers), Some("sk_a"));

        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic sk_a"));
        assert_eq!(bearer_key(&headers), None);
    }
}
