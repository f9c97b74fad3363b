//! Shared helpers for the end-to-end tests: a mock server on loopback and an
//! SDK client pointed at it.

use letta::Client;
use letta_mock::{MockConfig, MockServer};

pub mod operations;

/// Starts a mock server on 127.0.0.1 with a free port and `plants` seeded
/// plants, and returns it with a client that uses its key.
///
/// # Panics
///
/// When the server cannot start, which fails the calling test.
pub async fn start_mock(plants: usize) -> (MockServer, Client) {
    let server = MockServer::start(MockConfig::default().plants(plants))
        .await
        .expect("mock server starts on loopback");
    let client = client_for(&server);
    (server, client)
}

/// Returns a client for `server` with its API key.
///
/// # Panics
///
/// When the client settings are invalid, which fails the calling test.
pub fn client_for(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()
        .expect("valid client settings")
}
