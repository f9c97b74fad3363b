//! The monotonic clock behind rate limiting and the journal's durations.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A clock that only moves when a test advances it, for deterministic
/// rate-limit tests.
///
/// Clones share the same time. Pass one to
/// [`MockConfig::manual_clock`](crate::MockConfig::manual_clock) and keep a
/// clone to advance it.
///
/// ```
/// use std::time::Duration;
/// use letta_mock::{ManualClock, MockConfig};
///
/// let clock = ManualClock::new();
/// let config = MockConfig::new().rate_limit(2, 1).manual_clock(clock.clone());
/// // ... spend the quota, then refill it:
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(clock.elapsed(), Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// Creates a clock at time zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`, saturating at about 584 years.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // `fetch_update` fails only when the closure returns `None`, and this
        // one always returns `Some`.
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(by))
            });
    }

    /// Returns the time since the clock was created.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

impl PartialEq for ManualClock {
    /// Two clocks are equal when they share the same time.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.nanos, &other.nanos)
    }
}

impl Eq for ManualClock {}

/// The clock a server reads: tokio's clock by default, so that a test on a
/// paused runtime controls it too, or a [`ManualClock`].
#[derive(Debug, Clone)]
pub(crate) enum Clock {
    Tokio(tokio::time::Instant),
    Manual(ManualClock),
}

impl Clock {
    /// Starts tokio's clock, or uses `manual` when given.
    pub(crate) fn new(manual: Option<ManualClock>) -> Self {
        match manual {
            Some(clock) => Self::Manual(clock),
            None => Self::Tokio(tokio::time::Instant::now()),
        }
    }

    /// Returns the time since the clock's origin.
    pub(crate) fn now(&self) -> Duration {
        match self {
            Self::Tokio(origin) => origin.elapsed(),
            Self::Manual(clock) => clock.elapsed(),
        }
    }
}
