//! The retry policy: which failures are retried, how long to wait between
//! attempts, and the client-wide budget that stops a retry storm.
//!
//! The loop that applies the policy is in the request pipeline. This module
//! contains the settings and the decisions that need no I/O.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use http::{Method, StatusCode};

use crate::error::{Error, Result};

/// The problem code of a `409` sent while a request with the same
/// `Idempotency-Key` is still running, the one `409` worth retrying.
const KEY_IN_USE: &str = "idempotency_key_in_use";

/// How a [`Client`](crate::Client) retries a failed request.
///
/// A request is retried after a connection failure, a timeout, a broken
/// connection, or a `408`, `429`, `500`, `502`, `503` or `504` status, and
/// after a `409` whose problem code is `idempotency_key_in_use`. A business
/// `409` such as `insufficient_stock` is never retried. `GET`, `HEAD`,
/// `OPTIONS`, `PUT`, `DELETE` and `PATCH` are retried as they are. A `POST`
/// is retried because it carries an `Idempotency-Key`, which the SDK
/// generates when the caller gives none. Every attempt sends the same body
/// bytes.
///
/// Between attempts the client waits for the server's hint when the response
/// has one (`retry-after-ms`, then `Retry-After`, then the reset of an
/// exhausted `RateLimit` quota), and otherwise for an exponential backoff
/// with full jitter: a uniform random delay between zero and
/// `min(max_backoff, initial_backoff * 2^(retry - 1))`. A hint longer than
/// [`max_wait`](RetryPolicy::max_wait), or one that would end after the
/// client's [deadline](crate::ClientBuilder::deadline), ends the call at
/// once: with [`Error::RateLimited`] for a `429`, with the response's own
/// error otherwise.
///
/// ```
/// use std::time::Duration;
/// use letta::{RetryBudget, RetryPolicy};
///
/// let policy = RetryPolicy::new()
///     .max_retries(4)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(2))
///     .budget(RetryBudget::new(20, 0.2));
/// let client = letta::Client::builder()
///     .base_url("http://127.0.0.1:4010")
///     .retry_policy(policy)
///     .build();
/// assert!(client.is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub(crate) max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    pub(crate) max_wait: Duration,
    budget: Option<RetryBudget>,
    jitter_seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_wait: Duration::from_secs(30),
            budget: Some(RetryBudget::default()),
            jitter_seed: None,
        }
    }
}

impl RetryPolicy {
    /// Returns the default policy: 2 retries (3 attempts), backoff from
    /// 200 ms up to 5 s, server hints honoured up to 30 s, and the default
    /// [`RetryBudget`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a policy that never retries.
    pub fn none() -> Self {
        Self::default().max_retries(0)
    }

    /// Sets the number of retries after the first attempt. Default: 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Sets the upper bound of the first backoff delay; each later retry
    /// doubles it. Default: 200 ms.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Sets the cap on the upper bound of a backoff delay. Default: 5 s.
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Sets the longest server hint the client waits for. A longer hint
    /// ends the call at once with the hint in the error. Default: 30 s.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// Sets the client-wide retry budget. Default: [`RetryBudget::default`].
    pub fn budget(mut self, budget: RetryBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Removes the retry budget, so every request gets all its retries
    /// however many others are failing.
    pub fn without_budget(mut self) -> Self {
        self.budget = None;
        self
    }

    /// Seeds the random generator of the backoff jitter, so a test gets the
    /// same delays on every run. Without a seed every client draws its own
    /// random seed, so clients that fail together do not retry together.
    pub fn jitter_seed(mut self, seed: u64) -> Self {
        self.jitter_seed = Some(seed);
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        if self.max_backoff < self.initial_backoff {
            return Err(Error::invalid(
                "retry policy",
                format!(
                    "max backoff {:?} is shorter than initial backoff {:?}; raise max_backoff",
                    self.max_backoff, self.initial_backoff
                ),
            ));
        }
        if let Some(budget) = &self.budget {
            budget.check()?;
        }
        Ok(())
    }
}

/// A client-wide token bucket that throttles retries while many requests
/// fail, in the style of gRPC retry throttling.
///
/// The bucket starts full with `max_tokens`. Each failed attempt that could
/// be retried takes one token, and each success puts back `token_ratio`
/// (counted in thousandths). A retry is allowed only while more than half
/// of `max_tokens` remain, so a server that keeps failing receives about one
/// attempt per request once the bucket drains, instead of `1 + max_retries`.
///
/// ```
/// let budget = letta::RetryBudget::new(10, 0.1);
/// let policy = letta::RetryPolicy::new().budget(budget);
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    max_tokens: u32,
    token_ratio: f64,
}

impl Default for RetryBudget {
    /// 10 tokens and 0.1 tokens back per success, the example values of
    /// gRPC's retry throttling.
    fn default() -> Self {
        Self::new(10, 0.1)
    }
}

impl RetryBudget {
    /// Returns a budget of `max_tokens` that gains `token_ratio` tokens
    /// per success. [`ClientBuilder::build`](crate::ClientBuilder::build)
    /// rejects zero tokens and a ratio that is not positive and finite.
    pub fn new(max_tokens: u32, token_ratio: f64) -> Self {
        Self {
            max_tokens,
            token_ratio,
        }
    }

    fn check(&self) -> Result<()> {
        if self.max_tokens == 0 {
            return Err(Error::invalid(
                "retry budget",
                "max tokens must be at least 1",
            ));
        }
        if !(self.token_ratio.is_finite() && self.token_ratio > 0.0) {
            return Err(Error::invalid(
                "retry budget",
                format!("token ratio {} must be a positive number", self.token_ratio),
            ));
        }
        Ok(())
    }
}

/// The live state behind a [`RetryPolicy`], one per client.
#[derive(Debug)]
pub(crate) struct Retrier {
    pub(crate) policy: RetryPolicy,
    exponential: ExponentialBuilder,
    budget: Option<Bucket>,
    rng: Mutex<fastrand::Rng>,
}

impl Retrier {
    pub(crate) fn new(policy: RetryPolicy) -> Self {
        let exponential = ExponentialBuilder::new()
            .with_factor(2.0)
            .with_min_delay(policy.initial_backoff)
            .with_max_delay(policy.max_backoff)
            .without_max_times();
        let rng = match policy.jitter_seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        Self {
            budget: policy.budget.map(Bucket::new),
            exponential,
            rng: Mutex::new(rng),
            policy,
        }
    }

    /// Starts the backoff of one call.
    pub(crate) fn backoff(&self) -> Backoff<'_> {
        Backoff {
            ceilings: self.exponential.build(),
            rng: &self.rng,
        }
    }

    /// Records a successful attempt.
    pub(crate) fn record_success(&self) {
        if let Some(bucket) = &self.budget {
            bucket.deposit();
        }
    }

    /// Records a failed attempt that could be retried, and returns whether
    /// the budget still allows a retry.
    pub(crate) fn record_failure(&self) -> bool {
        self.budget.as_ref().is_none_or(Bucket::withdraw)
    }
}

/// The backoff delays of one call: full jitter over backon's capped
/// exponential sequence.
pub(crate) struct Backoff<'a> {
    ceilings: backon::ExponentialBackoff,
    rng: &'a Mutex<fastrand::Rng>,
}

impl Backoff<'_> {
    /// Returns the next delay, uniform in `[0, ceiling)`.
    pub(crate) fn next_delay(&mut self) -> Duration {
        // The builder has no limit on the number of delays.
        let ceiling = self.ceilings.next().unwrap_or_default();
        let fraction = self
            .rng
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .f64();
        ceiling.mul_f64(fraction)
    }
}

/// The token bucket of a [`RetryBudget`], in thousandths of a token.
#[derive(Debug)]
struct Bucket {
    tokens: Mutex<u64>,
    max: u64,
    deposit: u64,
}

impl Bucket {
    fn new(budget: RetryBudget) -> Self {
        let max = u64::from(budget.max_tokens) * 1000;
        // Thousandths, as gRPC keeps three decimal places of the ratio.
        let deposit = (budget.token_ratio * 1000.0).round().clamp(1.0, max as f64) as u64;
        Self {
            tokens: Mutex::new(max),
            max,
            deposit,
        }
    }

    fn deposit(&self) {
        let mut tokens = self.lock();
        *tokens = (*tokens + self.deposit).min(self.max);
    }

    fn withdraw(&self) -> bool {
        let mut tokens = self.lock();
        *tokens = tokens.saturating_sub(1000);
        *tokens > self.max / 2
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, u64> {
        // A plain counter, valid even if a holder panicked.
        self.tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The reason a failed attempt may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    /// A retryable status.
    Status(StatusCode),
    /// A `409` because the same idempotency key is still running.
    KeyInUse,
    /// The attempt timed out.
    Timeout,
    /// No connection could be made.
    Connect,
    /// The connection broke while sending or reading.
    Connection,
}

impl fmt::Display for RetryReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryReason::Status(status) => write!(f, "status {status}"),
            RetryReason::KeyInUse => f.write_str("idempotency key still in use (409)"),
            RetryReason::Timeout => f.write_str("timed out"),
            RetryReason::Connect => f.write_str("connection failed"),
            RetryReason::Connection => f.write_str("connection broken"),
        }
    }
}

/// Returns why `error` may be retried, or `None` when it must not be.
pub(crate) fn retry_reason(error: &Error) -> Option<RetryReason> {
    match error {
        Error::Api(api) => match api.status.as_u16() {
            408 | 429 | 500 | 502 | 503 | 504 => Some(RetryReason::Status(api.status)),
            409 if api.code.as_deref() == Some(KEY_IN_USE) => Some(RetryReason::KeyInUse),
            _ => None,
        },
        Error::Transport { source, .. } => {
            if source.is_timeout() {
                Some(RetryReason::Timeout)
            } else if source.is_connect() {
                Some(RetryReason::Connect)
            } else if source.is_request() || source.is_body() {
                Some(RetryReason::Connection)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Returns whether a request may be sent again: an idempotent method, or a
/// `POST` that carries an idempotency key.
///
/// `PATCH` counts as idempotent because every `PATCH` in this API is a
/// merge that sets fields to the given values, so sending it twice leaves
/// the same state.
pub(crate) fn may_resend(method: &Method, has_idempotency_key: bool) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::PATCH
    ) || (*method == Method::POST && has_idempotency_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_capped_ceiling() {
        let policy = RetryPolicy::new()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(800))
            .jitter_seed(7);
        let retrier = Retrier::new(policy);

        for _ in 0..200 {
            let mut backoff = retrier.backoff();
            for ceiling_ms in [100, 200, 400, 800, 800, 800] {
                let delay = backoff.next_delay();
                assert!(
                    delay <= Duration::from_millis(ceiling_ms),
                    "{delay:?} > {ceiling_ms} ms"
                );
            }
        }
    }

    #[test]
    fn jitter_spreads_over_the_whole_range() {
        let retrier = Retrier::new(
            RetryPolicy::new()
                .initial_backoff(Duration::from_secs(1))
                .jitter_seed(3),
        );
        let delays: Vec<Duration> = (0..1000).map(|_| retrier.backoff().next_delay()).collect();

        let below_quarter = delays
            .iter()
            .filter(|d| **d < Duration::from_millis(250))
            .count();
        let above_three_quarters = delays
            .iter()
            .filter(|d| **d >= Duration::from_millis(750))
            .count();
        assert!(below_quarter > 150, "{below_quarter} of 1000 below 250 ms");
        assert!(
            above_three_quarters > 150,
            "{above_three_quarters} of 1000 at or above 750 ms"
        );
    }

    #[test]
    fn same_seed_gives_same_delays() {
        let delays = |seed| {
            let retrier = Retrier::new(RetryPolicy::new().jitter_seed(seed));
            let mut backoff = retrier.backoff();
            (0..5).map(|_| backoff.next_delay()).collect::<Vec<_>>()
        };
        assert_eq!(delays(11), delays(11));
        assert_ne!(delays(11), delays(12));
    }

    #[test]
    fn unseeded_clients_draw_different_delays() {
        let delays = || {
            let retrier = Retrier::new(RetryPolicy::new());
            let mut backoff = retrier.backoff();
            (0..5).map(|_| backoff.next_delay()).collect::<Vec<_>>()
        };
        assert_ne!(delays(), delays());
    }

    #[test]
    fn budget_throttles_after_half_is_spent() {
        let retrier = Retrier::new(RetryPolicy::new().budget(RetryBudget::new(10, 0.1)));

        let allowed: Vec<bool> = (0..6).map(|_| retrier.record_failure()).collect();

        assert_eq!(allowed, [true, true, true, true, false, false]);
    }

    #[test]
    fn budget_refills_with_successes() {
        let retrier = Retrier::new(RetryPolicy::new().budget(RetryBudget::new(10, 0.5)));
        for _ in 0..6 {
            retrier.record_failure();
        }
        // 4 tokens left; four successes bring back 2, so one failure leaves 5.
        for _ in 0..4 {
            retrier.record_success();
        }
        assert!(!retrier.record_failure(), "5 tokens is not above half");
        retrier.record_success();
        retrier.record_success();
        retrier.record_success();
        assert!(retrier.record_failure(), "5.5 tokens is above half");
    }

    #[test]
    fn no_budget_always_allows() {
        let retrier = Retrier::new(RetryPolicy::new().without_budget());
        assert!((0..100).all(|_| retrier.record_failure()));
    }

    #[test]
    fn policy_rejects_cap_below_base() {
        let policy = RetryPolicy::new()
            .initial_backoff(Duration::from_secs(2))
            .max_backoff(Duration::from_secs(1));
        assert!(policy.check().is_err());
    }

    #[test]
    fn budget_rejects_zero_tokens_and_bad_ratio() {
        assert!(RetryBudget::new(0, 0.1).check().is_err());
        assert!(RetryBudget::new(10, 0.0).check().is_err());
        assert!(RetryBudget::new(10, f64::NAN).check().is_err());
    }

    #[test]
    fn post_needs_a_key_to_be_resent() {
        assert!(may_resend(&Method::POST, true));
        assert!(!may_resend(&Method::POST, false));
        assert!(may_resend(&Method::GET, false));
        assert!(may_resend(&Method::DELETE, false));
    }
}
