//! A running mock server on a TCP socket.

use std::io;
use std::net::SocketAddr;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::Error;
use crate::app::{AppState, router};
use crate::config::MockConfig;

/// A mock server listening on a socket, stopped by [`shutdown`] or on drop.
///
/// ```no_run
/// # async fn example() -> Result<(), letta_mock::Error> {
/// use letta_mock::{MockConfig, MockServer};
///
/// let server = MockServer::start(MockConfig::new().seed(7)).await?;
/// println!("{} with key {}", server.base_url(), server.api_key());
/// server.shutdown().await?;
/// # Ok(())
/// # }
/// ```
///
/// [`shutdown`]: MockServer::shutdown
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    base_url: String,
    api_key: String,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl MockServer {
    /// Loads or seeds the state, binds the configured address and starts
    /// serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// The errors of [`AppState::new`], and [`Error::Bind`] when the address
    /// cannot be bound.
    pub async fn start(config: MockConfig) -> Result<Self, Error> {
        let state = AppState::new(&config).await?;
        let api_key = config
            .api_keys()
            .first()
            .copied()
            .unwrap_or(crate::config::DEFAULT_API_KEY)
            .to_owned();

        let requested = SocketAddr::new(config.host, config.port);
        let bind_error = |source| Error::Bind {
            addr: requested,
            source,
        };
        let listener = TcpListener::bind(requested).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;

        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(state);
        // Without TCP_NODELAY a response that leaves in more than one
        // segment can wait for the client's delayed ACK.
        let listener = listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // A send and a dropped sender both mean stop.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, "mock server listening");

        Ok(Self {
            addr,
            base_url: format!("http://{addr}"),
            api_key,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// Returns the base URL, such as `http://127.0.0.1:40123`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Returns the address the server is bound to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the first accepted API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Stops accepting connections, waits for in-flight requests to finish
    /// and returns once the server has stopped.
    ///
    /// # Errors
    ///
    /// [`Error::Serve`] when the server had failed or its task panicked.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(task) = self.task.take() else {
            return Ok(());
        };

        let result = match task.await {
            Ok(served) => served.map_err(Error::Serve),
            Err(join_error) => Err(Error::Serve(io::Error::other(join_error.to_string()))),
        };
        tracing::info!(addr = %self.addr, "mock server stopped");
        result
    }
}

impl Drop for MockServer {
    /// Starts a graceful stop without waiting for it.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
