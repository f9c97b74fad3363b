//! A webhook receiver that verifies every delivery before using it.
//!
//! Start it with the endpoint's signing secret, then register
//! `http://127.0.0.1:4242/webhooks` as the endpoint's URL:
//!
//! ```sh
//! LETTA_WEBHOOK_SECRET=whsec_... cargo run -p letta --example webhook_receiver
//! ```
//!
//! `PORT` sets another port. Each verified event is logged to stderr.
//!
//! The handler takes the body as `Bytes`, the bytes exactly as received, and
//! not through a `Json<T>` extractor. The signature covers those bytes, and
//! parsing then re-encoding JSON changes them (escapes, spacing, number
//! forms), so a re-encoded body no longer verifies. Decode only what the
//! verifier has accepted.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use letta::types::EventData;
use letta::webhooks::Verifier;

/// Builds the receiver's routes: `POST /webhooks`.
pub(crate) fn router(verifier: Verifier) -> Router {
    Router::new()
        .route("/webhooks", post(receive))
        .with_state(verifier)
}

/// Verifies one delivery, then acts on its event.
///
/// Returns `204 No Content` for a verified event, which tells the sender to
/// stop retrying, and `400 Bad Request` for anything the verifier rejects.
async fn receive(State(verifier): State<Verifier>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let event = match verifier.verify(&headers, &body) {
        Ok(event) => event,
        Err(error) => {
            tracing::warn!(%error, "webhook rejected");
            return StatusCode::BAD_REQUEST;
        }
    };

    // A delivery can arrive more than once, with the same event id: a real
    // receiver records the ids it has handled and skips repeats.
    match &event.data {
        EventData::Order(order) => {
            tracing::info!(event = %event.id, kind = %event.event_type, order = %order.id, total = order.total, "order event");
        }
        other => {
            tracing::info!(event = %event.id, kind = %event.event_type, object = ?other.object_id(), "event");
        }
    }
    StatusCode::NO_CONTENT
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .init();

    let secret = std::env::var("LETTA_WEBHOOK_SECRET")
        .map_err(|_| "set LETTA_WEBHOOK_SECRET to the endpoint's `whsec_` signing secret")?;
    let verifier = Verifier::new(&secret)?;
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("invalid PORT `{port}`: expected 0 to 65535"))?,
        Err(_) => 4242,
    };

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tracing::info!("listening on http://{}/webhooks", listener.local_addr()?);
    axum::serve(listener, router(verifier))
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed, run until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await?;
    Ok(())
}
