//! The event log: what each change appends, the list and the lookup.

mod support;

use letta_mock::MockConfig;
use reqwest::StatusCode;
use serde_json::json;
use support::{TestServer, start_with};

async fn empty_server(config: MockConfig) -> TestServer {
    start_with(config.plants(0).customers(0).orders(0)).await
}

async fn types(server: &TestServer) -> Vec<String> {
    let reply = server.get("/v1/events?limit=100").await;
    reply
        .data()
        .iter()
        .map(|event| event["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn plant_changes_append_events() {
    let server = empty_server(MockConfig::new()).await;
    let created = server
        .post(
            "/v1/plants",
            json!({"name": "Jade Plant", "species": "Crassula ovata", "category": "succulent", "price": 1499, "stock": 10, "low_stock_threshold": 5}),
        )
        .await;
    let id = created.body["id"].as_str().expect("an id").to_owned();
    let path = format!("/v1/plants/{id}");

    server.patch(&path, json!({"price": 1599})).await;
    server.patch(&path, json!({"price": 1599})).await;
    server
        .post(&format!("{path}/stock"), json!({"delta": -3}))
        .await;
    server
        .post(&format!("{path}/stock"), json!({"delta": -3}))
        .await;
    // Setting the level it already has changes nothing and appends nothing.
    server
        .post(&format!("{path}/stock"), json!({"set": 4}))
        .await;
    server
        .post(&format!("{path}/stock"), json!({"set": 0}))
        .await;
    server
        .post(&format!("{path}/stock"), json!({"set": 10}))
        .await;
    server
        .post(&format!("{path}/stock"), json!({"set": 0}))
        .await;
    server.delete(&path).await;

    assert_eq!(
        types(&server).await,
        [
            "plant.created",
            "plant.updated",
            "plant.stock_changed",
            "plant.stock_changed",
            "plant.low_stock",
            "plant.stock_changed",
            "plant.out_of_stock",
            "plant.stock_changed",
            "plant.stock_changed",
            "plant.low_stock",
            "plant.out_of_stock",
            "plant.deleted",
        ]
    );
    let deleted = server.get("/v1/events?type=plant.deleted").await;
    assert_eq!(deleted.data()[0]["data"]["id"], id.as_str());
    assert_eq!(deleted.data()[0]["data"]["stock"], 0);
}

#[tokio::test]
async fn event_lookup_and_filter() {
    let server = empty_server(MockConfig::new()).await;
    for email in ["a@example.com", "b@example.com"] {
        server
            .post("/v1/customers", json!({"name": "Someone", "email": email}))
            .await;
    }

    let list = server.get("/v1/events?type=customer.created&limit=1").await;
    let id = list.ids()[0].clone();
    let event = server.get(&format!("/v1/events/{id}")).await;
    let next = server
        .get(&format!(
            "/v1/events?type=customer.created&starting_after={id}"
        ))
        .await;

    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["has_more"], true);
    assert_eq!(event.status, StatusCode::OK);
    assert_eq!(event.body, list.data()[0]);
    assert_eq!(event.body["type"], "customer.created");
    assert!(event.body["created_at"].is_string());
    assert_eq!(next.data().len(), 1);
    server
        .get("/v1/events/evt_0000000000000000")
        .await
        .assert_problem(404, "not_found");
    server
        .get("/v1/events?type=order.shipped")
        .await
        .assert_problem(400, "invalid_parameter");
    server
        .get("/v1/events?starting_after=ord_0000000000000000")
        .await
        .assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn log_keeps_the_newest_events() {
    let server = empty_server(MockConfig::new().max_events(3)).await;
    for index in 0..5 {
        server
            .post(
                "/v1/customers",
                json!({"name": "Someone", "email": format!("c{index}@example.com")}),
            )
            .await;
    }

    let list = server.get("/v1/events").await;

    assert_eq!(list.body["total"], 3);
    let emails: Vec<&str> = list
        .data()
        .iter()
        .filter_map(|event| event["data"]["email"].as_str())
        .collect();
    assert_eq!(
        emails,
        ["c2@example.com", "c3@example.com", "c4@example.com"]
    );
}

#[tokio::test]
async fn state_file_keeps_new_resources_and_log() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("state.json");
    let config = || {
        MockConfig::new()
            .plants(2)
            .customers(3)
            .orders(4)
            .state_file(&path)
    };

    let first = start_with(config()).await;
    let created = first
        .post(
            "/v1/customers",
            json!({"name": "Kept", "email": "kept@example.com"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let orders_before = first.get("/v1/orders").await;
    let payments_before = first.get("/v1/payments").await;
    first.server.shutdown().await.expect("the server stops");

    let second = start_with(config()).await;
    let customer = second
        .get(&format!(
            "/v1/customers/{}",
            created.body["id"].as_str().unwrap_or_default()
        ))
        .await;
    let events = second.get("/v1/events").await;

    assert_eq!(customer.body, created.body);
    assert_eq!(second.get("/v1/orders").await.body, orders_before.body);
    assert_eq!(second.get("/v1/payments").await.body, payments_before.body);
    assert_eq!(events.body["total"], 1);
}

#[tokio::test]
async fn old_state_file_without_new_keys_loads() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("state.json");
    let old = json!({
        "format": 1,
        "state": {
            "ids": {"rng": 7, "sequences": {}},
            "clock": "2025-06-01T00:00:00Z",
            "plants": []
        }
    });
    std::fs::write(&path, old.to_string()).expect("the old state file is written");

    let server = start_with(MockConfig::new().state_file(&path)).await;
    let customers = server.get("/v1/customers").await;
    let created = server
        .post(
            "/v1/customers",
            json!({"name": "New", "email": "new@example.com"}),
        )
        .await;

    assert_eq!(customers.status, StatusCode::OK);
    assert_eq!(customers.body["total"], 0);
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "body: {}",
        created.body
    );
}
