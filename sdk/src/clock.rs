//! The time source behind retries, waits and pacing, replaceable in tests.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Instant, SystemTime};

/// A future returned by [`Clock::sleep_until`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The time source a [`Client`](crate::Client) uses to measure its deadline,
/// wait between attempts, pace requests and turn an HTTP-date `Retry-After`
/// into a delay.
///
/// The default, [`TokioClock`], uses tokio's timer, so a test on a runtime
/// with a paused clock controls it. A test that also does real network I/O
/// can pass its own implementation to
/// [`ClientBuilder::clock`](crate::ClientBuilder::clock) instead, because
/// tokio advances a paused clock to the next timer whenever the runtime is
/// idle, including while it waits for a response.
///
/// The per-attempt timeout is enforced by the HTTP client in real time; only
/// the deadline bookkeeping around it reads this clock.
///
/// ```
/// use std::time::{Instant, SystemTime};
///
/// /// A clock whose waits return at once, for tests that count attempts.
/// #[derive(Debug)]
/// struct NoWait;
///
/// impl letta::Clock for NoWait {
///     fn now(&self) -> Instant {
///         Instant::now()
///     }
///     fn system_time(&self) -> SystemTime {
///         SystemTime::now()
///     }
///     fn sleep_until(&self, _deadline: Instant) -> letta::clock::Sleep {
///         Box::pin(async {})
///     }
/// }
///
/// let client = letta::Client::builder()
///     .base_url("http://127.0.0.1:4010")
///     .clock(std::sync::Arc::new(NoWait))
///     .build();
/// assert!(client.is_ok());
/// ```
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// Returns the current monotonic time.
    fn now(&self) -> Instant;

    /// Returns the current wall-clock time, which an HTTP-date hint is
    /// compared with.
    fn system_time(&self) -> SystemTime;

    /// Returns a future that completes at `deadline`, or at once when
    /// `deadline` has passed.
    fn sleep_until(&self, deadline: Instant) -> Sleep;
}

/// The default [`Clock`]: tokio's timer and the system's wall clock.
///
/// Under `#[tokio::test(start_paused = true)]`, `now` and `sleep_until`
/// follow the paused clock; `system_time` always reads the system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }

    fn sleep_until(&self, deadline: Instant) -> Sleep {
        Box::pin(tokio::time::sleep_until(deadline.into()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let clock = TokioClock;
        let start = clock.now();

        clock.sleep_until(start + Duration::from_secs(3600)).await;

        assert!(clock.now() >= start + Duration::from_secs(3600));
    }
}
