//! Settings of a mock server.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use crate::Error;
use crate::clock::ManualClock;
use crate::faults::FaultSpec;
use crate::idempotency::RequestPause;
use crate::journal;
use crate::ratelimit::RatePolicy;

/// The API key accepted when no key is configured.
pub const DEFAULT_API_KEY: &str = "sk_test_letta";

/// Largest `plants` value accepted, to keep start-up in milliseconds.
pub const MAX_SEED_PLANTS: usize = 100_000;

/// Largest `customers` value accepted.
pub const MAX_SEED_CUSTOMERS: usize = 100_000;

/// Largest `orders` value accepted.
pub const MAX_SEED_ORDERS: usize = 100_000;

/// Customers seeded by default.
pub const DEFAULT_SEED_CUSTOMERS: usize = 50;

/// Orders seeded by default.
pub const DEFAULT_SEED_ORDERS: usize = 150;

/// Events the log keeps by default before it drops the oldest.
pub const DEFAULT_MAX_EVENTS: usize = 100_000;

/// Requests per window allowed to each API key by default.
pub const DEFAULT_RATE_LIMIT: u64 = 100;

/// Length of the default rate-limit window, in seconds.
pub const DEFAULT_RATE_WINDOW_SECONDS: u64 = 1;

/// Requests the journal keeps by default.
pub const DEFAULT_JOURNAL_SIZE: usize = 1000;

/// Interval between `: heartbeat` comments on an idle event stream by
/// default, in milliseconds.
pub const DEFAULT_SSE_HEARTBEAT_MS: u64 = 15_000;

/// Reconnection delay an event stream sends in its `retry:` field by
/// default, in milliseconds.
pub const DEFAULT_SSE_RETRY_MS: u64 = 1000;

/// Wait before the first automatic webhook retry by default, in
/// milliseconds; each later retry waits twice as long as the one before.
pub const DEFAULT_WEBHOOK_RETRY_BASE_MS: u64 = 1000;

/// Attempts at one event per webhook endpoint by default, the first
/// included.
pub const DEFAULT_WEBHOOK_MAX_ATTEMPTS: u32 = 5;

/// Consecutive failed deliveries that disable a webhook endpoint by default.
pub const DEFAULT_WEBHOOK_FAILURE_LIMIT: u32 = 10;

/// Time one webhook delivery attempt may take by default, in milliseconds.
pub const DEFAULT_WEBHOOK_TIMEOUT_MS: u64 = 10_000;

/// Settings for [`MockServer::start`](crate::MockServer::start) and
/// [`AppState::new`](crate::AppState::new).
///
/// Setters take and return the config and never fail; invalid values are
/// reported when the server starts.
///
/// ```
/// use letta_mock::MockConfig;
///
/// let config = MockConfig::new().seed(7).plants(10).api_key("sk_test_ci");
/// assert_eq!(config.api_keys(), ["sk_test_ci"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfig {
    pub(crate) host: IpAddr,
    pub(crate) port: u16,
    pub(crate) seed: u64,
    pub(crate) plants: usize,
    pub(crate) api_keys: Vec<String>,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) rate_limit: u64,
    pub(crate) rate_window_seconds: u64,
    pub(crate) faults: Vec<String>,
    pub(crate) journal_size: usize,
    pub(crate) manual_clock: Option<ManualClock>,
    pub(crate) customers: usize,
    pub(crate) orders: usize,
    pub(crate) max_events: usize,
    pub(crate) request_pause: Option<RequestPause>,
    pub(crate) sse_heartbeat_ms: u64,
    pub(crate) sse_retry_ms: u64,
    pub(crate) sse_drop_every: u64,
    pub(crate) webhook_retry_base_ms: u64,
    pub(crate) webhook_max_attempts: u32,
    pub(crate) webhook_failure_limit: u32,
    pub(crate) webhook_timeout_ms: u64,
    pub(crate) allow_private_webhook_targets: bool,
}

impl Default for MockConfig {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: 42,
            plants: 120,
            api_keys: Vec::new(),
            state_file: None,
            rate_limit: DEFAULT_RATE_LIMIT,
            rate_window_seconds: DEFAULT_RATE_WINDOW_SECONDS,
            faults: Vec::new(),
            journal_size: DEFAULT_JOURNAL_SIZE,
            manual_clock: None,
            customers: DEFAULT_SEED_CUSTOMERS,
            orders: DEFAULT_SEED_ORDERS,
            max_events: DEFAULT_MAX_EVENTS,
            request_pause: None,
            sse_heartbeat_ms: DEFAULT_SSE_HEARTBEAT_MS,
            sse_retry_ms: DEFAULT_SSE_RETRY_MS,
            sse_drop_every: 0,
            webhook_retry_base_ms: DEFAULT_WEBHOOK_RETRY_BASE_MS,
            webhook_max_attempts: DEFAULT_WEBHOOK_MAX_ATTEMPTS,
            webhook_failure_limit: DEFAULT_WEBHOOK_FAILURE_LIMIT,
            webhook_timeout_ms: DEFAULT_WEBHOOK_TIMEOUT_MS,
            allow_private_webhook_targets: false,
        }
    }
}

impl MockConfig {
    /// Creates the default settings: `127.0.0.1`, port 0 (a free port), seed
    /// 42, 120 plants, key `sk_test_letta`, no state file, 100 requests per
    /// second per key, no faults, a journal of 1000 requests, 50 customers,
    /// 150 orders, an event log of 100 000 events.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the wait before the first automatic webhook retry; each later
    /// retry waits twice as long. Default 1000 ms; tests use a few ms.
    #[must_use]
    pub fn webhook_retry_base_ms(mut self, millis: u64) -> Self {
        self.webhook_retry_base_ms = millis;
        self
    }

    /// Sets how many attempts one event gets per endpoint, the first
    /// included (at least 1). Default 5.
    #[must_use]
    pub fn webhook_max_attempts(mut self, attempts: u32) -> Self {
        self.webhook_max_attempts = attempts.max(1);
        self
    }

    /// Sets how many consecutive failed deliveries disable an endpoint (at
    /// least 1). Default 10.
    #[must_use]
    pub fn webhook_failure_limit(mut self, failures: u32) -> Self {
        self.webhook_failure_limit = failures.max(1);
        self
    }

    /// Sets how long one delivery attempt may take. Default 10 000 ms.
    #[must_use]
    pub fn webhook_timeout_ms(mut self, millis: u64) -> Self {
        self.webhook_timeout_ms = millis;
        self
    }

    /// Allows webhook targets on loopback, private, link-local and other
    /// non-public addresses. Default off in the library; the `letta-mock`
    /// binary turns it on unless given `--deny-private-webhook-targets`.
    #[must_use]
    pub fn allow_private_webhook_targets(mut self, allow: bool) -> Self {
        self.allow_private_webhook_targets = allow;
        self
    }

    pub(crate) fn delivery_settings(&self) -> crate::webhooks::DeliverySettings {
        crate::webhooks::DeliverySettings {
            rules: crate::store::RetryRules {
                base: std::time::Duration::from_millis(self.webhook_retry_base_ms),
                max_attempts: self.webhook_max_attempts.max(1),
                failure_limit: self.webhook_failure_limit.max(1),
            },
            timeout: std::time::Duration::from_millis(self.webhook_timeout_ms.max(1)),
            allow_private_targets: self.allow_private_webhook_targets,
        }
    }

    /// Sets the address to bind. Default `127.0.0.1`.
    #[must_use]
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Sets the port to bind; 0 picks a free one. Default 0.
    #[must_use]
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the seed of the generated data. Default 42.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets how many plants to generate, at most [`MAX_SEED_PLANTS`].
    /// Default 120.
    #[must_use]
    pub fn plants(mut self, count: usize) -> Self {
        self.plants = count;
        self
    }

    /// Sets how many customers to generate, at most
    /// [`MAX_SEED_CUSTOMERS`]. Default [`DEFAULT_SEED_CUSTOMERS`].
    #[must_use]
    pub fn customers(mut self, count: usize) -> Self {
        self.customers = count;
        self
    }

    /// Sets how many orders to generate, at most [`MAX_SEED_ORDERS`], in
    /// every status and with their payments. Orders need a customer and a
    /// plant, so none are seeded when either count is 0. Default
    /// [`DEFAULT_SEED_ORDERS`].
    #[must_use]
    pub fn orders(mut self, count: usize) -> Self {
        self.orders = count;
        self
    }

    /// Sets how many events the event log keeps before it drops the oldest,
    /// at least 1. Default [`DEFAULT_MAX_EVENTS`].
    #[must_use]
    pub fn max_events(mut self, count: usize) -> Self {
        self.max_events = count;
        self
    }

    /// Installs a test hook that can hold an idempotent request while it is
    /// in flight; see [`RequestPause`]. Default: none.
    #[must_use]
    pub fn request_pause(mut self, pause: RequestPause) -> Self {
        self.request_pause = Some(pause);
        self
    }

    /// Sets the interval between `: heartbeat` comments on event streams,
    /// in milliseconds, at least 1. Default [`DEFAULT_SSE_HEARTBEAT_MS`].
    #[must_use]
    pub fn sse_heartbeat_ms(mut self, interval_ms: u64) -> Self {
        self.sse_heartbeat_ms = interval_ms;
        self
    }

    /// Sets the reconnection delay that event streams send first in their
    /// `retry:` field, in milliseconds. Default [`DEFAULT_SSE_RETRY_MS`].
    #[must_use]
    pub fn sse_retry_ms(mut self, delay_ms: u64) -> Self {
        self.sse_retry_ms = delay_ms;
        self
    }

    /// Makes every event stream end its response after sending `events`
    /// events, so that clients must reconnect with `Last-Event-ID`; 0 turns
    /// the fault off. Default 0. A shorthand for the fault `sse-drop=N`,
    /// added before those of [`fault`](Self::fault), which the admin
    /// surface lists and can remove.
    #[must_use]
    pub fn sse_drop_every(mut self, events: u64) -> Self {
        self.sse_drop_every = events;
        self
    }

    /// Adds an accepted API key. Once any key is added, the default
    /// `sk_test_letta` is no longer accepted.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Sets the state file: loaded at start when it exists, otherwise created
    /// from the seed, and rewritten after every change. Default: none, so
    /// state lives in memory only.
    #[must_use]
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Sets the rate limit: each API key may send `requests` requests per
    /// `window_seconds`, refilled continuously, and may burst all of them at
    /// once. 0 requests turns rate limiting off. Default 100 per 1 second.
    #[must_use]
    pub fn rate_limit(mut self, requests: u64, window_seconds: u64) -> Self {
        self.rate_limit = requests;
        self.rate_window_seconds = window_seconds;
        self
    }

    /// Adds a fault in the `--fault` syntax, such as
    /// `POST /v1/orders:drop-after-commit:times=1`. Faults apply in the order
    /// added. Default: none.
    #[must_use]
    pub fn fault(mut self, spec: impl Into<String>) -> Self {
        self.faults.push(spec.into());
        self
    }

    /// Sets how many requests the journal keeps; 0 turns it off. Default
    /// 1000.
    #[must_use]
    pub fn journal_size(mut self, entries: usize) -> Self {
        self.journal_size = entries;
        self
    }

    /// Makes rate limiting and the journal's durations read `clock` instead
    /// of tokio's clock, so a test moves time by hand. Default: tokio's
    /// clock, which a paused tokio runtime controls too.
    #[must_use]
    pub fn manual_clock(mut self, clock: ManualClock) -> Self {
        self.manual_clock = Some(clock);
        self
    }

    pub(crate) fn rate_policy(&self) -> RatePolicy {
        RatePolicy {
            quota: self.rate_limit,
            window_seconds: self.rate_window_seconds,
        }
    }

    /// Parses the faults added with [`fault`](Self::fault).
    pub(crate) fn fault_specs(&self) -> Result<Vec<FaultSpec>, Error> {
        let shorthand = (self.sse_drop_every > 0).then(|| FaultSpec::sse_drop(self.sse_drop_every));
        let flags = self.faults.iter().map(|text| {
            FaultSpec::parse(text)
                .map_err(|detail| Error::InvalidConfig(format!("invalid fault `{text}`: {detail}")))
        });
        shorthand.into_iter().map(Ok).chain(flags).collect()
    }

    /// The accepted API keys, in the order given; the default key when none
    /// was added.
    pub fn api_keys(&self) -> Vec<&str> {
        if self.api_keys.is_empty() {
            vec![DEFAULT_API_KEY]
        } else {
            self.api_keys.iter().map(String::as_str).collect()
        }
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for an API key that is empty or holds
    /// characters other than visible ASCII, a plant count over
    /// [`MAX_SEED_PLANTS`], a rate limit over 1 000 000 requests or with a
    /// window outside 1 to 86 400 seconds, an invalid fault, a journal
    /// size over 1 000 000, more customers or orders than
    /// [`MAX_SEED_CUSTOMERS`] and [`MAX_SEED_ORDERS`], an event log of
    /// 0 events, or an event stream heartbeat interval of 0 ms.
    pub fn validate(&self) -> Result<(), Error> {
        for key in &self.api_keys {
            let visible = key.bytes().all(|byte| byte.is_ascii_graphic());
            if key.is_empty() || !visible {
                return Err(Error::InvalidConfig(format!(
                    "invalid API key {key:?}: use visible ASCII characters without spaces"
                )));
            }
        }
        self.rate_policy().check().map_err(Error::InvalidConfig)?;
        self.fault_specs()?;
        if self.journal_size > journal::MAX_CAPACITY {
            return Err(Error::InvalidConfig(format!(
                "journal size {} is over the maximum of {}",
                self.journal_size,
                journal::MAX_CAPACITY
            )));
        }
        if self.customers > MAX_SEED_CUSTOMERS {
            return Err(Error::InvalidConfig(format!(
                "{} customers requested; the maximum is {MAX_SEED_CUSTOMERS}",
                self.customers
            )));
        }
        if self.orders > MAX_SEED_ORDERS {
            return Err(Error::InvalidConfig(format!(
                "{} orders requested; the maximum is {MAX_SEED_ORDERS}",
                self.orders
            )));
        }
        if self.sse_heartbeat_ms == 0 {
            return Err(Error::InvalidConfig(
                "the event stream heartbeat interval must be at least 1 ms".to_owned(),
            ));
        }
        if self.max_events == 0 {
            return Err(Error::InvalidConfig(
                "the event log must keep at least 1 event".to_owned(),
            ));
        }
        if self.plants > MAX_SEED_PLANTS {
            return Err(Error::InvalidConfig(format!(
                "{} plants requested; the maximum is {MAX_SEED_PLANTS}",
                self.plants
            )));
        }
        Ok(())
    }
}
