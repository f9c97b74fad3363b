//! `POST /admin/events` and `GET /admin/webhook-deliveries`, over real HTTP
//! on loopback with a webhook receiver started by each test.

mod support;

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode as AxumStatus;
use letta_mock::MockConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, start_with};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// How long a test waits for a delivery before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// Starts a receiver on `127.0.0.1:0` that answers 200 and passes each
/// body on. Returns its URL and the bodies.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Bytes>) {
    async fn receive(
        State(sender): State<mpsc::UnboundedSender<Bytes>>,
        body: Bytes,
    ) -> AxumStatus {
        let _ = sender.send(body);
        AxumStatus::OK
    }
    let (sender, bodies) = mpsc::unbounded_channel();
    let app = Router::new().fallback(receive).with_state(sender);
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let port = listener.local_addr().expect("bound socket").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{port}/hooks"), bodies)
}

async fn server() -> TestServer {
    start_with(
        MockConfig::new()
            .plants(3)
            .allow_private_webhook_targets(true),
    )
    .await
}

/// Registers an endpoint for `events` and returns its id.
async fn register(server: &TestServer, url: &str, events: &[&str]) -> String {
    let reply = server
        .post("/v1/webhooks", json!({"url": url, "events": events}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    reply.body["id"].as_str().expect("endpoint id").to_owned()
}

async fn next_body(bodies: &mut mpsc::UnboundedReceiver<Bytes>) -> Value {
    let body = tokio::time::timeout(PATIENCE, bodies.recv())
        .await
        .expect("a delivery arrives in time")
        .expect("the receiver is running");
    serde_json::from_slice(&body).expect("the delivery is JSON")
}

#[tokio::test]
async fn trigger_appends_event_with_newest_object() {
    let server = server().await;
    let newest_plant = server.get("/v1/plants?limit=100").await.ids().pop();

    let reply = server
        .post("/admin/events", json!({"type": "plant.low_stock"}))
        .await;
    let id = reply.body["id"].as_str().unwrap_or_default().to_owned();
    let stored = server.get(&format!("/v1/events/{id}")).await;

    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    assert_eq!(
        reply.header("location"),
        Some(format!("/v1/events/{id}").as_str())
    );
    assert_eq!(reply.body["type"], "plant.low_stock");
    assert_eq!(reply.body["data"]["id"].as_str(), newest_plant.as_deref());
    assert_eq!(stored.body, reply.body);
}

#[tokio::test]
async fn trigger_uses_object_id_or_data() {
    let server = server().await;
    let first_plant = server.get("/v1/plants?limit=1").await.ids().remove(0);

    let by_id = server
        .post(
            "/admin/events",
            json!({"type": "plant.updated", "object_id": first_plant}),
        )
        .await;
    let given = server
        .post(
            "/admin/events",
            json!({"type": "order.paid", "data": {"id": "ord_custom", "note": "made up"}}),
        )
        .await;

    assert_eq!(by_id.status, StatusCode::CREATED, "body: {}", by_id.body);
    assert_eq!(by_id.body["data"]["id"], first_plant.as_str());
    assert_eq!(given.status, StatusCode::CREATED, "body: {}", given.body);
    assert_eq!(
        given.body["data"],
        json!({"id": "ord_custom", "note": "made up"})
    );
}

#[tokio::test]
async fn trigger_rejects_unknown_type() {
    let server = server().await;

    let reply = server
        .post("/admin/events", json!({"type": "order.shipped"}))
        .await;
    let errors = reply.body["errors"].to_string();

    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_pointers(), vec!["/type".to_owned()]);
    assert!(errors.contains("order.shipped"), "{errors}");
    assert!(errors.contains("payment.failed"), "{errors}");
}

#[tokio::test]
async fn trigger_rejects_bad_bodies() {
    let server = server().await;
    let cases = [
        (json!({}), "/type"),
        (json!({"type": 7}), "/type"),
        (json!({"type": "plant.created", "data": [1]}), "/data"),
        (
            json!({"type": "plant.created", "object_id": ""}),
            "/object_id",
        ),
        (
            json!({"type": "plant.created", "object_id": "plt_0000000000000000"}),
            "/object_id",
        ),
        (
            json!({"type": "plant.created", "object_id": "x", "data": {}}),
            "/object_id",
        ),
        (json!({"type": "webhook.test"}), "/object_id"),
        (json!({"type": "plant.created", "color": "red"}), "/color"),
    ];

    for (body, pointer) in cases {
        let reply = server.post("/admin/events", body.clone()).await;
        reply.assert_problem(422, "validation_failed");
        assert!(
            reply.error_pointers().contains(&pointer.to_owned()),
            "{body}: {}",
            reply.body
        );
    }
}

#[tokio::test]
async fn triggered_event_reaches_webhook_and_deliveries() {
    let server = server().await;
    let (url, mut bodies) = receiver().await;
    let endpoint = register(&server, &url, &["payment.failed"]).await;

    let triggered = server
        .post(
            "/admin/events",
            json!({"type": "payment.failed", "data": {"id": "pay_test"}}),
        )
        .await;
    let delivered = next_body(&mut bodies).await;
    let deliveries = server
        .get(&format!("/admin/webhook-deliveries?webhook_id={endpoint}"))
        .await;

    assert_eq!(delivered["id"], triggered.body["id"]);
    assert_eq!(delivered["type"], "payment.failed");
    assert_eq!(
        deliveries.status,
        StatusCode::OK,
        "body: {}",
        deliveries.body
    );
    assert_eq!(deliveries.data().len(), 1);
    assert_eq!(deliveries.data()[0]["event_id"], triggered.body["id"]);
    assert_eq!(deliveries.data()[0]["webhook_id"], endpoint.as_str());
}

#[tokio::test]
async fn deliveries_span_endpoints_and_filter() {
    let server = server().await;
    let (url, mut bodies) = receiver().await;
    let first = register(&server, &url, &["order.paid", "order.cancelled"]).await;
    let second = register(&server, &url, &["order.paid"]).await;

    let paid = server
        .post("/admin/events", json!({"type": "order.paid", "data": {}}))
        .await;
    server
        .post(
            "/admin/events",
            json!({"type": "order.cancelled", "data": {}}),
        )
        .await;
    for _ in 0..3 {
        next_body(&mut bodies).await;
    }
    let paid_id = paid.body["id"].as_str().expect("event id");

    let all = server.get("/admin/webhook-deliveries").await;
    let of_second = server
        .get(&format!("/admin/webhook-deliveries?webhook_id={second}"))
        .await;
    let of_event = server
        .get(&format!("/admin/webhook-deliveries?event_id={paid_id}"))
        .await;
    let cancelled = server
        .get("/admin/webhook-deliveries?event_type=order.cancelled")
        .await;
    let page = server.get("/admin/webhook-deliveries?limit=2").await;

    assert_eq!(all.data().len(), 3);
    assert_eq!(all.body["total"], 3);
    assert_eq!(of_second.data().len(), 1);
    assert_eq!(of_event.data().len(), 2);
    assert_eq!(cancelled.data().len(), 1);
    assert_eq!(cancelled.data()[0]["webhook_id"], first.as_str());
    assert_eq!(page.data().len(), 2);
    assert_eq!(page.body["has_more"], true);
    assert!(page.link("next").is_some(), "{:?}", page.headers);
}

#[tokio::test]
async fn deliveries_reject_bad_filters() {
    let server = server().await;
    let cases = [
        ("/admin/webhook-deliveries?webhook_id=nope", "webhook_id"),
        ("/admin/webhook-deliveries?event_id=evt_1", "event_id"),
        (
            "/admin/webhook-deliveries?event_type=order.shipped",
            "event_type",
        ),
        ("/admin/webhook-deliveries?color=red", "color"),
        (
            "/admin/webhook-deliveries?starting_after=whk_0000000000000000",
            "starting_after",
        ),
    ];

    for (path, named) in cases {
        let reply = server.get(path).await;
        reply.assert_problem(400, "invalid_parameter");
        assert!(
            reply.body.to_string().contains(named),
            "{path}: {}",
            reply.body
        );
    }
}
