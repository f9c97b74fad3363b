//! The webhooks resource against a scripted server: paths, methods and
//! request bodies of every operation, and decoding of what comes back.

use futures_util::TryStreamExt;
use letta::types::{
    CreateWebhook, DeliveryStatus, EventType, UpdateWebhook, WebhookDisabledReason, WebhookStatus,
};
use letta::{Client, Error};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key("sk_test_letta")
        .build()
        .expect("valid client settings")
}

fn endpoint(n: u32) -> Value {
    json!({
        "id": format!("whk_{n:016}"),
        "url": "https://example.com/hook",
        "events": ["order.created", "order.paid"],
        "description": null,
        "status": "enabled",
        "disabled_reason": null,
        "previous_secret_expires_at": null,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

fn with_secret(n: u32) -> Value {
    let mut value = endpoint(n);
    value["secret"] = json!(SECRET);
    value
}

fn delivery(n: u32, status: &str) -> Value {
    json!({
        "id": format!("del_{n:016}"),
        "webhook_id": "whk_0000000000000001",
        "event_id": "evt_0000000000000009",
        "event_type": "webhook.test",
        "attempt": 1,
        "status": status,
        "response_status": null,
        "duration_ms": null,
        "error": null,
        "next_retry_at": null,
        "created_at": "2026-01-01T00:00:00Z"
    })
}

fn page(items: Vec<Value>, has_more: bool) -> Value {
    let total = items.len() + usize::from(has_more);
    json!({"object": "list", "data": items, "page": null, "limit": 20, "total": total, "has_more": has_more})
}

#[tokio::test]
async fn create_sends_url_events_and_description() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/webhooks"))
        .and(header_exists("idempotency-key"))
        .and(body_json(json!({
            "url": "https://example.com/hook",
            "events": ["order.created", "order.paid"],
            "description": "orders"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(with_secret(1)))
        .expect(1)
        .mount(&server)
        .await;

    let created = client(&server)
        .webhooks()
        .create(
            &CreateWebhook::new("https://example.com/hook")
                .events([EventType::OrderCreated, EventType::OrderPaid])
                .description("orders"),
        )
        .await
        .expect("create succeeds");

    assert_eq!(created.secret, SECRET);
    assert_eq!(created.endpoint.id, "whk_0000000000000001");
    assert_eq!(created.endpoint.status, WebhookStatus::Enabled);
}

#[tokio::test]
async fn get_decodes_a_disabled_endpoint() {
    let server = MockServer::start().await;
    let mut body = endpoint(2);
    body["status"] = json!("disabled");
    body["disabled_reason"] = json!("too_many_failures");
    Mock::given(method("GET"))
        .and(path("/v1/webhooks/whk_0000000000000002"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;

    let found = client(&server)
        .webhooks()
        .get("whk_0000000000000002")
        .await
        .expect("get succeeds");

    assert_eq!(found.status, WebhookStatus::Disabled);
    assert_eq!(
        found.disabled_reason,
        Some(WebhookDisabledReason::TooManyFailures)
    );
}

#[tokio::test]
async fn update_sends_only_the_fields_set() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/v1/webhooks/whk_0000000000000001"))
        .and(body_json(json!({
            "events": ["order.paid"],
            "description": null,
            "status": "disabled"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(endpoint(1)))
        .expect(1)
        .mount(&server)
        .await;

    let update = UpdateWebhook::new()
        .events([EventType::OrderPaid])
        .clear_description()
        .status(WebhookStatus::Disabled);
    client(&server)
        .webhooks()
        .update("whk_0000000000000001", &update)
        .await
        .expect("update succeeds");
}

#[tokio::test]
async fn delete_expects_no_content() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path("/v1/webhooks/whk_0000000000000001"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    client(&server)
        .webhooks()
        .delete("whk_0000000000000001")
        .await
        .expect("delete succeeds");
}

#[tokio::test]
async fn rotate_secret_returns_the_new_secret() {
    let server = MockServer::start().await;
    let mut body = with_secret(1);
    body["previous_secret_expires_at"] = json!("2026-01-02T00:00:00Z");
    Mock::given(method("POST"))
        .and(path("/v1/webhooks/whk_0000000000000001/rotate-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;

    let rotated = client(&server)
        .webhooks()
        .rotate_secret("whk_0000000000000001")
        .await
        .expect("rotation succeeds");

    assert_eq!(rotated.secret, SECRET);
    assert!(rotated.endpoint.previous_secret_expires_at.is_some());
}

#[tokio::test]
async fn test_returns_the_pending_delivery() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/webhooks/whk_0000000000000001/test"))
        .respond_with(ResponseTemplate::new(202).set_body_json(delivery(1, "pending")))
        .expect(1)
        .mount(&server)
        .await;

    let queued = client(&server)
        .webhooks()
        .test("whk_0000000000000001")
        .await
        .expect("test succeeds");

    assert_eq!(queued.status, DeliveryStatus::Pending);
    assert_eq!(queued.event_type, EventType::WebhookTest);
}

#[tokio::test]
async fn retry_delivery_posts_to_the_delivery_path() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(
            "/v1/webhooks/whk_0000000000000001/deliveries/del_0000000000000001/retry",
        ))
        .respond_with(ResponseTemplate::new(202).set_body_json(delivery(2, "pending")))
        .expect(1)
        .mount(&server)
        .await;

    let queued = client(&server)
        .webhooks()
        .retry_delivery("whk_0000000000000001", "del_0000000000000001")
        .await
        .expect("retry succeeds");

    assert_eq!(queued.id, "del_0000000000000002");
}

#[tokio::test]
async fn deliveries_stream_walks_every_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/webhooks/whk_0000000000000001/deliveries"))
        .and(query_param("starting_after", "del_0000000000000001"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![delivery(2, "failed")], false)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/webhooks/whk_0000000000000001/deliveries"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![delivery(1, "succeeded")], true)),
        )
        .mount(&server)
        .await;

    let all: Vec<_> = client(&server)
        .webhooks()
        .deliveries("whk_0000000000000001")
        .stream()
        .try_collect()
        .await
        .expect("every page loads");

    let ids: Vec<_> = all.iter().map(|delivery| delivery.id.as_str()).collect();
    assert_eq!(ids, ["del_0000000000000001", "del_0000000000000002"]);
}

#[tokio::test]
async fn list_decodes_a_page() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/webhooks"))
        .and(query_param("limit", "2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(page(vec![endpoint(1), endpoint(2)], false)),
        )
        .mount(&server)
        .await;

    let first = client(&server)
        .webhooks()
        .list()
        .limit(2)
        .send()
        .await
        .expect("list succeeds");

    assert_eq!(first.data.len(), 2);
    assert!(!first.has_more);
}

#[tokio::test]
async fn empty_ids_fail_before_sending() {
    let server = MockServer::start().await;
    let webhooks = client(&server).webhooks();

    let get = webhooks.get("").await;
    let retry = webhooks.retry_delivery("whk_0000000000000001", "").await;

    assert!(matches!(get, Err(Error::InvalidInput { .. })), "{get:?}");
    assert!(
        matches!(retry, Err(Error::InvalidInput { .. })),
        "{retry:?}"
    );
}
