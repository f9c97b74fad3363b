//! The SDK's `meta()` and `admin()` operations against the real mock server.

use letta::types::{
    Category, CreatePlant, CreateWebhook, EventType, FaultKind, NewFault, SetRateLimit,
    TriggerEvent,
};
use letta::{Client, Error};
use letta_mock::{MockConfig, MockServer};

async fn start() -> (MockServer, Client) {
    let server = MockServer::start(MockConfig::default().plants(5))
        .await
        .expect("mock server starts");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()
        .expect("valid client settings");
    (server, client)
}

fn api_status(error: &Error) -> Option<u16> {
    match error {
        Error::Api(api) => Some(api.status.as_u16()),
        _ => None,
    }
}

#[tokio::test]
async fn health_reports_ok() {
    let (_server, client) = start().await;

    let health = client.meta().health().await.expect("health succeeds");

    assert_eq!(health.status, "ok");
}

#[tokio::test]
async fn openapi_yaml_and_json_agree() {
    let (_server, client) = start().await;

    let yaml = client.meta().openapi_yaml().await.expect("YAML succeeds");
    let json = client.meta().openapi_json().await.expect("JSON succeeds");

    assert!(yaml.starts_with("openapi: "), "{}", &yaml[..40]);
    assert!(yaml.contains("operationId: adminReset"));
    assert_eq!(json["openapi"].as_str(), Some("3.1.0"));
    assert!(json["paths"]["/admin/faults"]["post"].is_object());
}

#[tokio::test]
async fn reset_restores_seed_data() {
    let (_server, client) = start().await;
    let plant = CreatePlant::new("Admin test", "Aloe vera", Category::Succulent, 899);
    client.plants().create(&plant).await.expect("create works");
    assert_eq!(client.plants().list().send().await.expect("list").total, 6);

    client.admin().reset().await.expect("reset works");

    let page = client.plants().list().send().await.expect("list works");
    assert_eq!(page.total, 5);
}

#[tokio::test]
async fn rate_limit_reads_and_changes() {
    let (_server, client) = start().await;

    let before = client.admin().rate_limit().await.expect("read works");
    let after = client
        .admin()
        .set_rate_limit(&SetRateLimit::new(7).window_seconds(3))
        .await
        .expect("change works");
    let off = client
        .admin()
        .set_rate_limit(&SetRateLimit::new(0))
        .await
        .expect("turning off works");

    assert!(before.enabled);
    assert_eq!(after.quota, 7);
    assert_eq!(after.window_seconds, 3);
    assert!(!off.enabled);
    assert_eq!(off.window_seconds, 3);
}

#[tokio::test]
async fn invalid_rate_limit_is_rejected() {
    let (_server, client) = start().await;

    let error = client
        .admin()
        .set_rate_limit(&SetRateLimit::new(2_000_000))
        .await
        .expect_err("quota over the maximum");

    assert_eq!(api_status(&error), Some(422), "{error}");
}

#[tokio::test]
async fn journal_filters_and_clears() {
    let (_server, client) = start().await;
    client.plants().list().send().await.expect("list works");
    let plant = CreatePlant::new("Journal test", "Aloe vera", Category::Succulent, 899);
    client.plants().create(&plant).await.expect("create works");

    let all = client.admin().journal().await.expect("journal works");
    let posts = client
        .admin()
        .journal()
        .method("post")
        .path("/v1/plants")
        .await
        .expect("filtered journal works");
    let latest = client
        .admin()
        .journal()
        .limit(1)
        .await
        .expect("limit works");
    client.admin().clear_journal().await.expect("clear works");
    let cleared = client.admin().journal().await.expect("journal works");

    assert_eq!(all.data.len(), 2);
    assert_eq!(posts.data.len(), 1);
    assert_eq!(posts.data[0].method, "POST");
    assert_eq!(posts.data[0].status, Some(201));
    assert_eq!(latest.data.len(), 1);
    assert_eq!(latest.data[0].method, "POST");
    assert!(cleared.data.is_empty());
}

#[tokio::test]
async fn invalid_journal_filter_is_rejected() {
    let (_server, client) = start().await;

    let error = client
        .admin()
        .journal()
        .path("no-slash")
        .await
        .expect_err("pattern without a leading slash");

    assert_eq!(api_status(&error), Some(400), "{error}");
}

#[tokio::test]
async fn faults_add_get_list_delete() {
    let (_server, client) = start().await;
    let admin = client.admin();

    let added = admin
        .add_fault(
            &NewFault::status(409)
                .method("GET")
                .path("/v1/plants")
                .times(1),
        )
        .await
        .expect("add works");
    let refused = client
        .plants()
        .list()
        .send()
        .await
        .expect_err("fault fires");
    let fetched = admin.fault(added.id).await.expect("get works");
    let listed = admin.faults().await.expect("list works");
    admin.delete_fault(added.id).await.expect("delete works");
    let missing = admin.fault(added.id).await.expect_err("deleted");

    assert_eq!(added.kind, FaultKind::Status);
    assert_eq!(added.status, Some(409));
    assert_eq!(added.spec, "GET /v1/plants:status=409:times=1");
    assert_eq!(api_status(&refused), Some(409), "{refused}");
    assert_eq!(fetched.applied, 1);
    assert_eq!(fetched.remaining, Some(0));
    assert_eq!(listed.len(), 1);
    assert_eq!(api_status(&missing), Some(404), "{missing}");
}

#[tokio::test]
async fn clear_faults_removes_every_fault() {
    let (_server, client) = start().await;
    let admin = client.admin();
    admin
        .add_fault(&NewFault::latency_between(1, 2).seed(3))
        .await
        .expect("latency fault added");
    admin
        .add_fault(&NewFault::drop_before_commit().rate(0.5))
        .await
        .expect("drop fault added");

    admin.clear_faults().await.expect("clear works");

    assert!(admin.faults().await.expect("list works").is_empty());
}

#[tokio::test]
async fn invalid_fault_is_rejected() {
    let (_server, client) = start().await;

    let error = client
        .admin()
        .add_fault(&NewFault::status(200))
        .await
        .expect_err("200 is not an error status");

    assert_eq!(api_status(&error), Some(422), "{error}");
}

#[tokio::test]
async fn trigger_event_appends_to_log() {
    let (_server, client) = start().await;
    let plant = client
        .plants()
        .list()
        .limit(1)
        .send()
        .await
        .expect("list works");
    let plant_id = plant.data[0].id.clone();

    let event = client
        .admin()
        .trigger_event(&TriggerEvent::new(EventType::PlantLowStock).object_id(&plant_id))
        .await
        .expect("trigger works");
    let stored = client
        .events()
        .get(&event.id)
        .await
        .expect("event is logged");

    assert_eq!(event.event_type, EventType::PlantLowStock);
    assert_eq!(stored.id, event.id);
    assert_eq!(stored.event_type, EventType::PlantLowStock);
}

#[tokio::test]
async fn trigger_event_rejects_unknown_object() {
    let (_server, client) = start().await;

    let error = client
        .admin()
        .trigger_event(&TriggerEvent::new(EventType::OrderPaid).object_id("ord_0000000000000000"))
        .await
        .expect_err("no such order");

    assert_eq!(api_status(&error), Some(422), "{error}");
}

#[tokio::test]
async fn webhook_deliveries_lists_every_endpoint() {
    let server = MockServer::start(
        MockConfig::default()
            .plants(1)
            .allow_private_webhook_targets(true),
    )
    .await
    .expect("mock server starts");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()
        .expect("valid client settings");
    // Nothing listens on port 9, so the attempts fail, which still records them.
    let webhook = CreateWebhook::new("http://127.0.0.1:9/hooks").event(EventType::OrderPaid);
    let first = client
        .webhooks()
        .create(&webhook)
        .await
        .expect("create works");
    client
        .webhooks()
        .create(&webhook)
        .await
        .expect("create works");
    client
        .admin()
        .trigger_event(&TriggerEvent::new(EventType::OrderPaid))
        .await
        .expect("trigger works");

    // The delivery worker queues the attempts in the background, so poll
    // until both are listed.
    let mut all = client
        .admin()
        .webhook_deliveries()
        .send()
        .await
        .expect("list works");
    for _ in 0..500 {
        if all.total >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        all = client
            .admin()
            .webhook_deliveries()
            .send()
            .await
            .expect("list works");
    }
    let of_first = client
        .admin()
        .webhook_deliveries()
        .webhook_id(&first.endpoint.id)
        .event_type(EventType::OrderPaid)
        .send()
        .await
        .expect("filtered list works");

    // A failed attempt schedules a retry, listed as one more attempt.
    assert!(all.total >= 2, "{} attempts", all.total);
    assert!(of_first.total >= 1, "{} attempts", of_first.total);
    assert!(
        of_first
            .data
            .iter()
            .all(|delivery| delivery.webhook_id == first.endpoint.id)
    );
}

#[tokio::test]
async fn sse_drop_fault_round_trips() {
    let (_server, client) = start().await;

    let added = client
        .admin()
        .add_fault(&NewFault::sse_drop(3).times(1))
        .await
        .expect("add works");

    assert_eq!(added.kind, FaultKind::SseDrop);
    assert_eq!(added.every, Some(3));
    assert_eq!(added.spec, "sse-drop=3:times=1");
}
