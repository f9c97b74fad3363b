//! `Idempotency-Key` on `POST`: replays, reuse with another body, requests
//! in flight and expiry.

mod support;

use std::sync::Arc;
use std::time::Duration;

use letta_mock::{MockConfig, RequestPause};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Reply, TestServer, read, start_with};

async fn post_with_key(server: &TestServer, path: &str, body: &Value, key: &str) -> Reply {
    let response = server
        .client
        .post(server.url(path))
        .bearer_auth(server.server.api_key())
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("request reaches the mock server");
    read(response).await
}

/// Starts a server without seed data and returns it with the body of a
/// one-unit order for a plant with `stock` units.
async fn order_setup(config: MockConfig, stock: i64) -> (TestServer, Value) {
    let server = start_with(config.plants(0).customers(0).orders(0)).await;
    let plant = server
        .post(
            "/v1/plants",
            json!({"name": "Snake Plant", "species": "Dracaena trifasciata", "category": "foliage", "price": 2299, "stock": stock}),
        )
        .await;
    assert_eq!(plant.status, StatusCode::CREATED, "body: {}", plant.body);
    let customer = server
        .post(
            "/v1/customers",
            json!({"name": "Quinn Rossi", "email": "quinn@example.com"}),
        )
        .await;
    assert_eq!(
        customer.status,
        StatusCode::CREATED,
        "body: {}",
        customer.body
    );
    let order = json!({
        "customer_id": customer.body["id"],
        "items": [{"plant_id": plant.body["id"], "quantity": 1}]
    });
    (server, order)
}

async fn total(server: &TestServer, path: &str) -> u64 {
    let reply = server.get(path).await;
    reply.body["total"].as_u64().expect("a list has a total")
}

#[tokio::test]
async fn replay_returns_same_order_and_creates_nothing() {
    let (server, order) = order_setup(MockConfig::new(), 10).await;

    let first = post_with_key(&server, "/v1/orders", &order, "order-1").await;
    let orders_after_first = total(&server, "/v1/orders").await;
    let events_after_first = total(&server, "/v1/events").await;
    let second = post_with_key(&server, "/v1/orders", &order, "order-1").await;

    assert_eq!(first.status, StatusCode::CREATED, "body: {}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("location"), first.header("location"));
    assert_ne!(second.header("request-id"), first.header("request-id"));
    assert_eq!(orders_after_first, 1);
    assert_eq!(total(&server, "/v1/orders").await, 1);
    assert_eq!(total(&server, "/v1/events").await, events_after_first);
}

#[tokio::test]
async fn changed_body_under_same_key_is_rejected() {
    let (server, order) = order_setup(MockConfig::new(), 10).await;
    let first = post_with_key(&server, "/v1/orders", &order, "order-2").await;
    assert_eq!(first.status, StatusCode::CREATED);

    let mut changed = order.clone();
    changed["items"][0]["quantity"] = json!(2);
    let second = post_with_key(&server, "/v1/orders", &changed, "order-2").await;
    let other_path = post_with_key(&server, "/v1/customers", &order, "order-2").await;

    second.assert_problem(422, "idempotency_key_reused");
    assert_eq!(second.header("idempotent-replayed"), None);
    other_path.assert_problem(422, "idempotency_key_reused");
    assert_eq!(total(&server, "/v1/orders").await, 1);
}

#[tokio::test]
async fn errors_are_replayed_too() {
    let (server, order) = order_setup(MockConfig::new(), 0).await;

    let first = post_with_key(&server, "/v1/orders", &order, "order-3").await;
    let second = post_with_key(&server, "/v1/orders", &order, "order-3").await;

    first.assert_problem(409, "insufficient_stock");
    second.assert_problem(409, "insufficient_stock");
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.body["detail"], first.body["detail"]);
    assert_ne!(second.body["request_id"], first.body["request_id"]);
}

#[tokio::test]
async fn request_in_flight_gets_conflict() {
    let pause = RequestPause::new();
    let (server, order) = order_setup(MockConfig::new().request_pause(pause.clone()), 10).await;
    let server = Arc::new(server);

    pause.arm();
    let first = {
        let server = server.clone();
        let order = order.clone();
        tokio::spawn(async move { post_with_key(&server, "/v1/orders", &order, "order-4").await })
    };
    pause.reached().await;
    let during = post_with_key(&server, "/v1/orders", &order, "order-4").await;
    pause.release();
    let first = first.await.expect("the first request completes");
    let after = post_with_key(&server, "/v1/orders", &order, "order-4").await;

    during.assert_problem(409, "idempotency_key_in_use");
    assert_eq!(first.status, StatusCode::CREATED, "body: {}", first.body);
    assert_eq!(after.header("idempotent-replayed"), Some("true"));
    assert_eq!(after.body, first.body);
    assert_eq!(total(&server, "/v1/orders").await, 1);
}

/// Runs on tokio's paused clock, which the server's key expiry reads. While
/// the runtime waits on sockets the clock may jump to a pending timer (the
/// client pool's idle timer, at most 90 s), so the checks keep an hour of
/// margin on either side of the 24 hours.
#[tokio::test(start_paused = true)]
async fn keys_expire_after_a_day() {
    let (server, order) = order_setup(MockConfig::new(), 10).await;

    let first = post_with_key(&server, "/v1/orders", &order, "order-5").await;
    tokio::time::advance(Duration::from_secs(23 * 60 * 60)).await;
    let within_a_day = post_with_key(&server, "/v1/orders", &order, "order-5").await;
    tokio::time::advance(Duration::from_secs(2 * 60 * 60)).await;
    let after_a_day = post_with_key(&server, "/v1/orders", &order, "order-5").await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(within_a_day.header("idempotent-replayed"), Some("true"));
    assert_eq!(after_a_day.status, StatusCode::CREATED);
    assert_eq!(after_a_day.header("idempotent-replayed"), None);
    assert_ne!(after_a_day.body["id"], first.body["id"]);
    assert_eq!(total(&server, "/v1/orders").await, 2);
}

#[tokio::test]
async fn quoted_key_is_the_same_key() {
    let (server, order) = order_setup(MockConfig::new(), 10).await;

    let first = post_with_key(&server, "/v1/orders", &order, "order-6").await;
    let quoted = post_with_key(&server, "/v1/orders", &order, "\"order-6\"").await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(quoted.header("idempotent-replayed"), Some("true"));
    assert_eq!(quoted.body, first.body);
}

#[tokio::test]
async fn invalid_key_is_bad_request() {
    let (server, order) = order_setup(MockConfig::new(), 10).await;
    let long = "k".repeat(256);

    let reply = post_with_key(&server, "/v1/orders", &order, &long).await;

    reply.assert_problem(400, "invalid_request");
    assert_eq!(total(&server, "/v1/orders").await, 0);
}

#[tokio::test]
async fn keys_are_scoped_to_the_api_key() {
    let config = MockConfig::new()
        .api_key("sk_test_one")
        .api_key("sk_test_two");
    let (server, order) = order_setup(config, 10).await;

    let first = post_with_key(&server, "/v1/orders", &order, "shared").await;
    let response = server
        .client
        .post(server.url("/v1/orders"))
        .bearer_auth("sk_test_two")
        .header("Idempotency-Key", "shared")
        .json(&order)
        .send()
        .await
        .expect("request reaches the mock server");
    let other_key = read(response).await;

    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(other_key.status, StatusCode::CREATED);
    assert_eq!(other_key.header("idempotent-replayed"), None);
    assert_ne!(other_key.body["id"], first.body["id"]);
}
