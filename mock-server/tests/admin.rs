//! The admin surface over loopback HTTP: reset to the seed, the request
//! journal with its redaction and filters, and the fault registry.

mod support;

use letta_mock::MockConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Reply, TestServer};

/// Sends a request to the admin surface, without an API key.
async fn admin(server: &TestServer, method: Method, path: &str, body: Option<Value>) -> Reply {
    let mut request = server.client.request(method, server.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    support::read(
        request
            .send()
            .await
            .expect("request reaches the mock server"),
    )
    .await
}

fn journal_entries(reply: &Reply) -> Vec<Value> {
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    reply.body["data"]
        .as_array()
        .expect("the journal has a data array")
        .clone()
}

#[tokio::test]
async fn reset_restores_seed_data() {
    let server = support::start().await;
    let seeded = server.all_plants("").await;
    let first_id = seeded[0]["id"]
        .as_str()
        .expect("a plant has an id")
        .to_owned();
    server.delete(&format!("/v1/plants/{first_id}")).await;
    server
        .post(
            "/v1/plants",
            json!({"name": "Reset Rose", "species": "Rosa", "category": "flowering", "price": 500}),
        )
        .await;
    assert_ne!(server.all_plants("").await, seeded);

    let reset = admin(&server, Method::POST, "/admin/reset", None).await;

    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert!(reset.header("request-id").is_some());
    assert_eq!(server.all_plants("").await, seeded);
}

#[tokio::test]
async fn reset_keeps_journal_and_faults() {
    let server = support::start().await;
    server.get("/v1/plants?limit=1").await;
    admin(
        &server,
        Method::POST,
        "/admin/faults",
        Some(json!({"kind": "latency", "latency_ms": 0})),
    )
    .await;

    admin(&server, Method::POST, "/admin/reset", None).await;

    let journal = admin(&server, Method::GET, "/admin/journal", None).await;
    let faults = admin(&server, Method::GET, "/admin/faults", None).await;
    assert_eq!(journal_entries(&journal).len(), 1);
    assert_eq!(faults.body["data"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn journal_records_requests_and_redacts_keys() {
    let server = support::start().await;
    let response = server
        .client
        .get(server.url("/v1/plants?limit=2&api_key=sk_test_letta"))
        .bearer_auth(server.server.api_key())
        .header("X-Api-Key", "sk_other")
        .header("Idempotency-Key", "walk-1")
        .header("X-Trace", "trace-7")
        .send()
        .await
        .expect("request reaches the mock server");
    let reply = support::read(response).await;

    let journal = admin(&server, Method::GET, "/admin/journal", None).await;

    let entries = journal_entries(&journal);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0];
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["path"], "/v1/plants");
    assert_eq!(entry["query"], "limit=2&api_key=[redacted]");
    assert_eq!(entry["status"], reply.status.as_u16());
    assert_eq!(entry["request_id"].as_str(), reply.header("request-id"));
    assert_eq!(entry["headers"]["authorization"], "[redacted]");
    assert_eq!(entry["headers"]["x-api-key"], "[redacted]");
    assert_eq!(entry["headers"]["idempotency-key"], "walk-1");
    assert_eq!(entry["headers"]["x-trace"], "trace-7");
    assert!(
        entry["time"]
            .as_str()
            .is_some_and(|time| time.ends_with('Z'))
    );
    assert!(entry["duration_ms"].is_u64());
    assert_eq!(entry["faults"], json!([]));
    assert!(
        !journal.body.to_string().contains(server.server.api_key()),
        "the journal shows the API key: {}",
        journal.body
    );
}

#[tokio::test]
async fn journal_records_unauthorized_but_not_admin() {
    let server = support::start().await;
    let unauthorized = server
        .client
        .get(server.url("/v1/plants"))
        .send()
        .await
        .expect("request reaches the mock server");
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    admin(&server, Method::GET, "/admin/faults", None).await;

    let journal = admin(&server, Method::GET, "/admin/journal", None).await;

    let entries = journal_entries(&journal);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["status"], 401);
}

#[tokio::test]
async fn journal_filters_by_method_path_and_limit() {
    let server = support::start().await;
    let id = server.get("/v1/plants?limit=1").await.ids()[0].clone();
    server.get(&format!("/v1/plants/{id}")).await;
    server
        .post(
            "/v1/plants",
            json!({"name": "Filter Fig", "species": "Ficus", "category": "tree", "price": 900}),
        )
        .await;
    server.get("/health").await;

    let posts = admin(&server, Method::GET, "/admin/journal?method=post", None).await;
    let one_plant = admin(
        &server,
        Method::GET,
        "/admin/journal?path=/v1/plants/*",
        None,
    )
    .await;
    let all_plants = admin(
        &server,
        Method::GET,
        "/admin/journal?path=/v1/plants/**",
        None,
    )
    .await;
    let latest = admin(&server, Method::GET, "/admin/journal?limit=1", None).await;

    let paths = |reply: &Reply| -> Vec<String> {
        journal_entries(reply)
            .iter()
            .map(|entry| {
                format!(
                    "{} {}",
                    entry["method"].as_str().unwrap_or_default(),
                    entry["path"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    assert_eq!(paths(&posts), ["POST /v1/plants"]);
    assert_eq!(paths(&one_plant), [format!("GET /v1/plants/{id}")]);
    assert_eq!(
        paths(&all_plants),
        [
            "GET /v1/plants".to_owned(),
            format!("GET /v1/plants/{id}"),
            "POST /v1/plants".to_owned()
        ]
    );
    assert_eq!(paths(&latest), ["GET /health"]);
}

#[tokio::test]
async fn journal_rejects_bad_filters() {
    let server = support::start().await;

    for (query, parameter) in [
        ("method=P0ST", "method"),
        ("path=v1", "path"),
        ("limit=0", "limit"),
        ("status=200", "status"),
    ] {
        let reply = admin(
            &server,
            Method::GET,
            &format!("/admin/journal?{query}"),
            None,
        )
        .await;
        reply.assert_problem(400, "invalid_parameter");
        assert_eq!(reply.error_pointers(), [parameter], "{query}");
    }
}

#[tokio::test]
async fn journal_is_bounded_and_clearable() {
    let server = support::start_with(MockConfig::new().journal_size(2)).await;
    for _ in 0..3 {
        server.get("/health").await;
    }

    let full = admin(&server, Method::GET, "/admin/journal", None).await;
    let cleared = admin(&server, Method::DELETE, "/admin/journal", None).await;
    let empty = admin(&server, Method::GET, "/admin/journal", None).await;

    let sequences: Vec<u64> = journal_entries(&full)
        .iter()
        .filter_map(|entry| entry["sequence"].as_u64())
        .collect();
    assert_eq!(sequences, [2, 3]);
    assert_eq!(full.body["evicted"], 1);
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert!(journal_entries(&empty).is_empty());
    assert_eq!(empty.body["evicted"], 0);
}

#[tokio::test]
async fn faults_are_listed_shown_and_removed() {
    let server = support::start().await;
    let added = admin(
        &server,
        Method::POST,
        "/admin/faults",
        Some(json!({"method": "post", "path": "/v1/orders", "kind": "drop_after_commit", "times": 1})),
    )
    .await;
    admin(
        &server,
        Method::POST,
        "/admin/faults",
        Some(json!({"kind": "latency", "latency_ms": 10, "latency_max_ms": 20, "seed": 5})),
    )
    .await;

    assert_eq!(added.status, StatusCode::CREATED);
    assert_eq!(added.header("location"), Some("/admin/faults/1"));
    assert_eq!(
        added.body,
        json!({
            "id": 1,
            "method": "POST",
            "path": "/v1/orders",
            "kind": "drop_after_commit",
            "rate": 1.0,
            "times": 1,
            "remaining": 1,
            "applied": 0,
            "seed": added.body["seed"],
            "spec": "POST /v1/orders:drop-after-commit:times=1"
        })
    );

    let listed = admin(&server, Method::GET, "/admin/faults", None).await;
    let shown = admin(&server, Method::GET, "/admin/faults/2", None).await;
    assert_eq!(listed.body["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(shown.body["spec"], "latency=10-20:seed=5");

    let removed = admin(&server, Method::DELETE, "/admin/faults/1", None).await;
    let gone = admin(&server, Method::GET, "/admin/faults/1", None).await;
    let cleared = admin(&server, Method::DELETE, "/admin/faults", None).await;
    let empty = admin(&server, Method::GET, "/admin/faults", None).await;

    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    gone.assert_problem(404, "not_found");
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    assert_eq!(empty.body, json!({"data": []}));
}

#[tokio::test]
async fn admin_needs_no_key_and_ignores_a_wrong_one() {
    let server = support::start().await;

    let without = admin(&server, Method::GET, "/admin/rate-limit", None).await;
    let wrong = support::read(
        server
            .client
            .get(server.url("/admin/rate-limit"))
            .bearer_auth("sk_wrong")
            .send()
            .await
            .expect("request reaches the mock server"),
    )
    .await;

    assert_eq!(without.status, StatusCode::OK);
    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(without.header("ratelimit"), None);
}

#[tokio::test]
async fn unknown_admin_path_is_not_found() {
    let server = support::start().await;

    let reply = admin(&server, Method::GET, "/admin/nothing", None).await;
    let wrong_method = admin(&server, Method::PATCH, "/admin/journal", Some(json!({}))).await;

    reply.assert_problem(404, "not_found");
    wrong_method.assert_problem(405, "method_not_allowed");
}
