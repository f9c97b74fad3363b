//! Verifying and signing webhook deliveries (Standard Webhooks, `v1`).
//!
//! The API signs each delivery with the endpoint's secret and sends three
//! headers: `webhook-id` (the event id, the same on every retry),
//! `webhook-timestamp` (Unix seconds) and `webhook-signature`
//! (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, several entries
//! separated by spaces while an old secret is still valid beside a new one).
//! A [`Verifier`] checks those headers against the body; a [`Signer`]
//! produces them, so you can test your own receiver.
//!
//! # Verify the raw body
//!
//! The signature covers the body bytes exactly as sent. Parsing the JSON and
//! encoding it again changes those bytes even when the value is the same:
//! `"Caf\u00e9"` becomes `"Café"`, `"a\/b"` becomes `"a/b"`, spacing
//! between fields disappears, and `1.0` may come back as `1`. So read the
//! body as bytes, verify them, and only then decode. In axum, take
//! [`Bytes`](https://docs.rs/axum/latest/axum/body/struct.Bytes.html) and
//! never a `Json<T>` extractor, which consumes the body before you can see
//! its bytes:
//!
//! ```
//! use axum::body::Bytes;
//! use axum::http::{HeaderMap, StatusCode};
//! use letta::webhooks::Verifier;
//!
//! async fn receive(
//!     verifier: Verifier,
//!     headers: HeaderMap,
//!     body: Bytes,
//! ) -> StatusCode {
//!     match verifier.verify(&headers, &body) {
//!         Ok(event) => {
//!             // Deliveries can repeat: skip an `event.id` you have seen.
//!             tracing::info!(id = %event.id, kind = %event.event_type, "event received");
//!             StatusCode::NO_CONTENT
//!         }
//!         Err(error) => {
//!             tracing::warn!(%error, "webhook rejected");
//!             StatusCode::BAD_REQUEST
//!         }
//!     }
//! }
//! ```
//!
//! `sdk/examples/webhook_receiver.rs` is a complete server built this way.
//!
//! # Test a receiver
//!
//! ```
//! use letta::webhooks::{Signer, Verifier};
//!
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let body = br#"{"id":"evt_0000002A9C4XR7TB","type":"plant.repotted","created_at":"2026-01-01T00:00:00Z","data":{}}"#;
//! let headers = Signer::new(secret)?.sign_now("evt_0000002A9C4XR7TB", body)?;
//!
//! // Send `headers.to_header_map()` and `body` to your handler. Here the
//! // verifier takes the handler's place.
//! let event = Verifier::new(secret)?.verify(&headers.to_header_map(), body)?;
//! assert_eq!(event.event_type.as_str(), "plant.repotted");
//! # Ok::<(), letta::webhooks::WebhookError>(())
//! ```
//!
//! Event types this version of the SDK does not know decode as
//! [`EventType::Unknown`](crate::types::EventType::Unknown), so a newer
//! server never makes verification fail.

mod error;
mod headers;
mod secret;
mod sign;
mod verify;

pub use error::{SignatureProblem, WebhookError};
pub use headers::{HeaderSource, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
pub use sign::{SignedHeaders, Signer};
pub use verify::{DEFAULT_TOLERANCE, Verifier};
