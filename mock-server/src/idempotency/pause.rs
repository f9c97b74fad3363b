//! A test hook that pauses one idempotent request while it is in flight.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Holds the next `POST` with an `Idempotency-Key` after the server has
/// registered it as in flight and before its handler runs, until the test
/// releases it. With it a test can send a second request with the same key
/// while the first is certainly still running, without sleeping.
///
/// Clones share the same hook. Pass one to
/// [`MockConfig::request_pause`](crate::MockConfig::request_pause) and keep
/// a clone to drive it.
///
/// ```no_run
/// # async fn example() -> Result<(), letta_mock::Error> {
/// use letta_mock::{MockConfig, MockServer, RequestPause};
///
/// let pause = RequestPause::new();
/// let server = MockServer::start(MockConfig::new().request_pause(pause.clone())).await?;
/// pause.arm();
/// // Send the first request on another task, then:
/// pause.reached().await;
/// // The first request is in flight: send the second one here.
/// pause.release();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct RequestPause {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    armed: AtomicBool,
    reached: Notify,
    released: Notify,
}

impl RequestPause {
    /// Creates a hook that pauses nothing until [`arm`](Self::arm) is called.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next idempotent request that starts wait for
    /// [`release`](Self::release). Later requests run freely.
    pub fn arm(&self) {
        self.inner.armed.store(true, Ordering::SeqCst);
    }

    /// Waits until an armed request is being held.
    pub async fn reached(&self) {
        self.inner.reached.notified().await;
    }

    /// Lets the held request continue, or the next one that reaches the
    /// hook pass straight through when none is held yet.
    pub fn release(&self) {
        self.inner.released.notify_one();
    }

    /// Holds the calling request when the hook is armed, once.
    pub(crate) async fn hold_if_armed(&self) {
        if !self.inner.armed.swap(false, Ordering::SeqCst) {
            return;
        }
        self.inner.reached.notify_one();
        self.inner.released.notified().await;
    }
}

impl PartialEq for RequestPause {
    /// Two hooks are equal when they are clones of each other.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for RequestPause {}
