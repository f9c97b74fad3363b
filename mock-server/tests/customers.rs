//! Customers: create, read, update, delete, unique emails, and list walks
//! that stay consistent while customers come and go.

mod support;

use std::collections::HashSet;

use letta_mock::MockConfig;
use reqwest::StatusCode;
use serde_json::json;
use support::{TestServer, start_with};

async fn empty_server() -> TestServer {
    start_with(MockConfig::new().plants(0).customers(0).orders(0)).await
}

#[tokio::test]
async fn create_get_patch_delete_round_trip() {
    let server = empty_server().await;

    let created = server
        .post(
            "/v1/customers",
            json!({"name": "Ada Lovelace", "email": "Ada@Example.com", "phone": "+15555550123"}),
        )
        .await;
    assert_eq!(
        created.status,
        StatusCode::CREATED,
        "body: {}",
        created.body
    );
    let id = created.body["id"].as_str().expect("an id").to_owned();
    assert!(id.starts_with("cus_"), "{id}");
    assert_eq!(
        created.header("location"),
        Some(server.url(&format!("/v1/customers/{id}")).as_str())
    );
    assert_eq!(created.body["email"], "Ada@Example.com");
    assert_eq!(created.body["phone"], "+15555550123");

    let fetched = server.get(&format!("/v1/customers/{id}")).await;
    assert_eq!(fetched.body, created.body);

    let unchanged = server
        .patch(&format!("/v1/customers/{id}"), json!({}))
        .await;
    assert_eq!(unchanged.body, created.body);
    let patched = server
        .patch(
            &format!("/v1/customers/{id}"),
            json!({"name": "Ada King", "phone": null}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "body: {}", patched.body);
    assert_eq!(patched.body["name"], "Ada King");
    assert_eq!(patched.body["phone"], serde_json::Value::Null);

    let deleted = server.delete(&format!("/v1/customers/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let missing = server.get(&format!("/v1/customers/{id}")).await;
    missing.assert_problem(404, "not_found");
    let history = server.get(&format!("/v1/customers/{id}/orders")).await;
    history.assert_problem(404, "not_found");

    let events = server.get("/v1/events").await;
    let types: Vec<&str> = events
        .data()
        .iter()
        .filter_map(|event| event["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["customer.created", "customer.updated", "customer.deleted"]
    );
    assert_eq!(events.data()[2]["data"]["name"], "Ada King");
}

#[tokio::test]
async fn email_is_unique_ignoring_case() {
    let server = empty_server().await;
    let first = server
        .post(
            "/v1/customers",
            json!({"name": "Ada", "email": "ada@example.com"}),
        )
        .await;
    let other = server
        .post(
            "/v1/customers",
            json!({"name": "Bob", "email": "bob@example.com"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);

    let duplicate = server
        .post(
            "/v1/customers",
            json!({"name": "Ada Two", "email": "ADA@example.COM"}),
        )
        .await;
    let patched = server
        .patch(
            &format!(
                "/v1/customers/{}",
                other.body["id"].as_str().unwrap_or_default()
            ),
            json!({"email": "Ada@Example.com"}),
        )
        .await;
    let own_email = server
        .patch(
            &format!(
                "/v1/customers/{}",
                first.body["id"].as_str().unwrap_or_default()
            ),
            json!({"email": "ADA@example.com"}),
        )
        .await;

    duplicate.assert_problem(409, "email_taken");
    patched.assert_problem(409, "email_taken");
    assert_eq!(own_email.status, StatusCode::OK, "body: {}", own_email.body);
}

#[tokio::test]
async fn invalid_customer_fields_are_listed() {
    let server = empty_server().await;

    let reply = server
        .post(
            "/v1/customers",
            json!({"name": " ", "email": "not-an-email", "phone": "555-0123", "id": "cus_x"}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_pointers(), ["/id", "/name", "/email", "/phone"]);
    let missing = server.post("/v1/customers", json!({"name": "Ada"})).await;
    assert_eq!(missing.error_pointers(), ["/email"]);
}

#[tokio::test]
async fn list_filters_by_email_and_text() {
    let server = start_with(MockConfig::new().customers(30)).await;
    let all = server.get("/v1/customers?limit=100").await;
    assert_eq!(all.body["total"], 30);
    let email = all.data()[7]["email"]
        .as_str()
        .expect("an email")
        .to_owned();

    let by_email = server
        .get(&format!("/v1/customers?email={}", email.to_uppercase()))
        .await;
    let by_text = server.get("/v1/customers?q=EXAMPLE.ORG&limit=100").await;

    assert_eq!(
        by_email.ids(),
        [all.data()[7]["id"].as_str().unwrap_or_default()]
    );
    assert!(by_text.data().iter().all(|customer| {
        customer["email"]
            .as_str()
            .unwrap_or_default()
            .ends_with("example.org")
    }));
    let unknown = server.get("/v1/customers?name=ada").await;
    unknown.assert_problem(400, "invalid_parameter");
}

/// PAGE-1: a keyset walk stays consistent while customers are created and
/// deleted under it.
#[tokio::test]
async fn keyset_walk_survives_inserts_and_deletes() {
    let server = start_with(MockConfig::new().customers(25)).await;
    let before: Vec<String> = server.get("/v1/customers?limit=100").await.ids();
    assert_eq!(before.len(), 25);

    let mut seen: Vec<String> = Vec::new();
    let mut deleted: Option<String> = None;
    let mut next = Some(server.url("/v1/customers?limit=10"));
    let mut pages = 0;
    while let Some(url) = next {
        let reply = support::read(
            server
                .client
                .get(&url)
                .bearer_auth(server.server.api_key())
                .send()
                .await
                .expect("request reaches the mock server"),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
        seen.extend(reply.ids());
        pages += 1;
        let last = reply.ids().last().cloned();
        next = match (reply.body["has_more"].as_bool(), last) {
            (Some(true), Some(last)) => {
                Some(server.url(&format!("/v1/customers?limit=10&starting_after={last}")))
            }
            _ => None,
        };

        if pages == 1 {
            let created = server
                .post(
                    "/v1/customers",
                    json!({"name": "Late Comer", "email": "late@example.com"}),
                )
                .await;
            assert_eq!(created.status, StatusCode::CREATED);
        }
        if pages == 2 {
            let unreached = before[22].clone();
            let reply = server.delete(&format!("/v1/customers/{unreached}")).await;
            assert_eq!(reply.status, StatusCode::NO_CONTENT);
            deleted = Some(unreached);
        }
    }

    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no id is yielded twice");
    let deleted = deleted.expect("the walk reached a second page");
    for id in before.iter().filter(|id| **id != deleted) {
        assert!(seen.contains(id), "{id} existed throughout but was skipped");
    }
    assert!(!seen.contains(&deleted));
}
