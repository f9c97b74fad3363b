//! The documented receiver example, served on loopback: it accepts a signed
//! delivery and rejects a forged, re-encoded or unsigned one.

use letta::webhooks::{Signer, Verifier};
use reqwest::StatusCode;

#[path = "../examples/webhook_receiver.rs"]
#[allow(dead_code)] // The example's `main` is not used here.
mod example;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// A `webhook.test` event written with the spacing and escapes a sender may
/// use, so a re-encoding differs from it.
const BODY: &[u8] = br#"{"id": "evt_0000002A9C4XR7TB", "type": "webhook.test", "created_at": "2026-01-01T00:00:00Z", "data": {"webhook_id": "whk\u005f0000000A1B2C3D4E"}}"#;

/// Serves the example's router on a free loopback port and returns its URL.
async fn start_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds a loopback port");
    let address = listener.local_addr().expect("bound address");
    let verifier = Verifier::new(SECRET).expect("valid secret");
    tokio::spawn(async move {
        axum::serve(listener, example::router(verifier))
            .await
            .expect("the receiver serves");
    });
    format!("http://{address}/webhooks")
}

async fn post(url: &str, headers: http::HeaderMap, body: Vec<u8>) -> StatusCode {
    reqwest::Client::new()
        .post(url)
        .headers(headers)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the receiver answers")
        .status()
}

fn signed_headers(body: &[u8]) -> http::HeaderMap {
    Signer::new(SECRET)
        .expect("valid secret")
        .sign_now("evt_0000002A9C4XR7TB", body)
        .expect("valid id")
        .to_header_map()
}

#[tokio::test]
async fn receiver_accepts_signed_delivery() {
    let url = start_receiver().await;

    let status = post(&url, signed_headers(BODY), BODY.to_vec()).await;

    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn receiver_rejects_changed_body() {
    let url = start_receiver().await;
    let mut forged = BODY.to_vec();
    let position = forged.len() - 5;
    forged[position] = b'F';

    let status = post(&url, signed_headers(BODY), forged).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn receiver_rejects_reencoded_body() {
    let url = start_receiver().await;
    let value: serde_json::Value = serde_json::from_slice(BODY).expect("valid JSON");
    let reencoded = serde_json::to_vec(&value).expect("encodes");

    let status = post(&url, signed_headers(BODY), reencoded).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn receiver_rejects_unsigned_delivery() {
    let url = start_receiver().await;

    let status = post(&url, http::HeaderMap::new(), BODY.to_vec()).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
}
