//! Checks of `POST /v1/webhooks` bodies.

mod support;

use letta_mock::MockConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, start_with};

/// Nothing listens on the discard port, and no event these tests cause is
/// delivered anyway.
const TARGET: &str = "http://127.0.0.1:9/hooks";

async fn start() -> TestServer {
    start_with(MockConfig::new().allow_private_webhook_targets(true)).await
}

#[tokio::test]
async fn repeated_event_types_rejected() {
    let server = start().await;

    let reply = server
        .post(
            "/v1/webhooks",
            json!({
                "url": TARGET,
                "events": ["order.paid", "order.created", "order.paid"]
            }),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_pointers(), ["/events/2"]);
}

#[tokio::test]
async fn null_description_means_none() {
    let server = start().await;

    let reply = server
        .post(
            "/v1/webhooks",
            json!({
                "url": TARGET,
                "event": "order.paid",
                "description": null
            }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    assert_eq!(reply.body["description"], Value::Null);
}
