//! Authentication, request ids and the problem responses for bad requests.

mod support;

use letta_mock::MockConfig;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use support::{read, start, start_with};

#[tokio::test]
async fn missing_key_is_unauthorized() {
    let server = start().await;

    let response = server
        .client
        .get(server.url("/v1/plants"))
        .send()
        .await
        .expect("request reaches the mock server");
    let reply = read(response).await;

    reply.assert_problem(401, "missing_api_key");
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Bearer realm=\"letta\"")
    );
}

#[tokio::test]
async fn wrong_or_malformed_key_is_unauthorized() {
    let server = start().await;

    for header in ["Bearer sk_wrong", "Basic c2s6", "Bearer", "sk_test_letta"] {
        let response = server
            .client
            .get(server.url("/v1/plants"))
            .header("authorization", header)
            .send()
            .await
            .expect("request reaches the mock server");
        let reply = read(response).await;
        reply.assert_problem(401, "invalid_api_key");
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer realm=\"letta\""),
            "{header}"
        );
    }
}

#[tokio::test]
async fn configured_keys_replace_default() {
    let server = start_with(
        MockConfig::new()
            .api_key("sk_test_one")
            .api_key("sk_test_two"),
    )
    .await;

    let mut statuses = Vec::new();
    for key in ["sk_test_one", "sk_test_two", "sk_test_letta"] {
        let response = server
            .client
            .get(server.url("/v1/plants"))
            .bearer_auth(key)
            .send()
            .await
            .expect("request reaches the mock server");
        statuses.push(response.status().as_u16());
    }

    assert_eq!(server.server.api_key(), "sk_test_one");
    assert_eq!(statuses, [200, 200, 401]);
}

#[tokio::test]
async fn meta_routes_need_no_key() {
    let server = start().await;

    let health = read(
        server
            .client
            .get(server.url("/health"))
            .send()
            .await
            .expect("health responds"),
    )
    .await;
    let yaml = server
        .client
        .get(server.url("/openapi.yaml"))
        .send()
        .await
        .expect("openapi.yaml responds");
    let json = read(
        server
            .client
            .get(server.url("/openapi.json"))
            .send()
            .await
            .expect("openapi.json responds"),
    )
    .await;

    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, serde_json::json!({"status": "ok"}));
    assert!(health.header("request-id").is_some());
    assert_eq!(yaml.status(), StatusCode::OK);
    assert_eq!(yaml.headers()["content-type"], "application/yaml");
    let text = yaml.text().await.expect("the document arrives");
    assert!(
        text.contains("openapi: 3.1"),
        "{}",
        &text[..text.len().min(200)]
    );
    assert_eq!(json.status, StatusCode::OK);
    assert!(
        json.body["openapi"]
            .as_str()
            .is_some_and(|version| version.starts_with("3.1"))
    );
}

#[tokio::test]
async fn unknown_path_is_problem() {
    let server = start().await;

    let authorized = server.get("/v1/trees").await;
    let outside = read(
        server
            .client
            .get(server.url("/nowhere"))
            .send()
            .await
            .expect("request reaches the mock server"),
    )
    .await;
    let unauthorized = read(
        server
            .client
            .get(server.url("/v1/trees"))
            .send()
            .await
            .expect("request reaches the mock server"),
    )
    .await;

    authorized.assert_problem(404, "not_found");
    outside.assert_problem(404, "not_found");
    unauthorized.assert_problem(401, "missing_api_key");
}

#[tokio::test]
async fn wrong_method_lists_allowed() {
    let server = start().await;

    let collection = server.send(Method::PUT, "/v1/plants", None).await;
    let stock = server.get("/v1/plants/plt_00000001AAAAAAAA/stock").await;

    collection.assert_problem(405, "method_not_allowed");
    assert_eq!(collection.header("allow"), Some("GET,HEAD,POST"));
    stock.assert_problem(405, "method_not_allowed");
    assert_eq!(stock.header("allow"), Some("POST"));
}

async fn post_raw(
    server: &support::TestServer,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> support::Reply {
    let mut request = server
        .client
        .post(server.url("/v1/plants"))
        .bearer_auth(server.server.api_key())
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    read(
        request
            .send()
            .await
            .expect("request reaches the mock server"),
    )
    .await
}

#[tokio::test]
async fn malformed_json_is_bad_request() {
    let server = start().await;

    for body in ["{\"name\": ", "[1, 2]", "\"plant\"", "null", "{\"a\":1}{"] {
        let reply = post_raw(&server, Some("application/json"), body.as_bytes().to_vec()).await;
        reply.assert_problem(400, "invalid_json");
    }
    let empty = post_raw(&server, Some("application/json"), Vec::new()).await;
    empty.assert_problem(400, "invalid_json");
}

#[tokio::test]
async fn non_json_content_type_is_unsupported() {
    let server = start().await;

    let text = post_raw(&server, Some("text/plain"), b"{}".to_vec()).await;
    let form = post_raw(
        &server,
        Some("application/x-www-form-urlencoded"),
        b"name=fern".to_vec(),
    )
    .await;
    let missing = post_raw(&server, None, b"{}".to_vec()).await;
    let with_charset = post_raw(
        &server,
        Some("application/json; charset=utf-8"),
        b"{}".to_vec(),
    )
    .await;

    text.assert_problem(415, "unsupported_media_type");
    form.assert_problem(415, "unsupported_media_type");
    missing.assert_problem(415, "unsupported_media_type");
    with_charset.assert_problem(422, "validation_failed");
}

#[tokio::test]
async fn oversized_body_is_too_large() {
    let server = start().await;
    let description = "x".repeat(1024 * 1024);
    let body =
        serde_json::to_vec(&serde_json::json!({"description": description})).expect("JSON encodes");

    let reply = post_raw(&server, Some("application/json"), body).await;

    reply.assert_problem(413, "payload_too_large");
}

#[tokio::test]
async fn request_ids_are_unique_and_repeated() {
    let server = start().await;

    let first = server.get("/v1/plants?limit=1").await;
    let second = server.get("/v1/plants?limit=1").await;
    let failed = server.get("/v1/plants?limit=0").await;

    let first_id = first
        .header("request-id")
        .expect("success carries Request-Id");
    let second_id = second
        .header("request-id")
        .expect("success carries Request-Id");
    assert!(first_id.starts_with("req_"), "{first_id}");
    assert_eq!(first_id.len(), 20, "{first_id}");
    assert_ne!(first_id, second_id);
    assert_eq!(
        failed.body["request_id"].as_str(),
        failed.header("request-id")
    );
    assert!(
        failed.body["request_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("req_"))
    );
}

#[tokio::test]
async fn problem_decodes_as_sdk_type() {
    let server = start().await;

    let reply = server
        .post("/v1/plants", serde_json::json!({"price": "1"}))
        .await;

    let problem: letta::types::Problem =
        serde_json::from_value(reply.body.clone()).expect("problem decodes as the SDK type");
    assert_eq!(problem.status, 422);
    assert_eq!(problem.code, "validation_failed");
    assert_eq!(problem.errors.len(), 4, "name, species, category and price");
    assert_eq!(
        serde_json::to_value(&problem).expect("problem encodes"),
        reply.body
    );
    assert!(!matches!(reply.body["type"], Value::Null));
}

#[tokio::test]
async fn non_utf8_id_is_not_found() {
    let server = start().await;

    let reply = server.get("/v1/plants/%FF%FE").await;

    reply.assert_problem(404, "not_found");
}
