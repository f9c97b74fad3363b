//! Query parameters on plant endpoints that take none are rejected, never
//! ignored, and odd ids get a clean 404.

mod support;

use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn single_plant_routes_reject_query_parameters() {
    let server = support::start().await;
    let id = server.get("/v1/plants?limit=1").await.ids()[0].clone();

    let cases = [
        (Method::GET, format!("/v1/plants/{id}?x=1"), None),
        (
            Method::PATCH,
            format!("/v1/plants/{id}?limit=5"),
            Some(json!({"name": "Renamed"})),
        ),
        (Method::DELETE, format!("/v1/plants/{id}?force=true"), None),
        (
            Method::POST,
            format!("/v1/plants/{id}/stock?dry_run=1"),
            Some(json!({"delta": 1})),
        ),
    ];
    for (method, path, body) in cases {
        let reply = server.send(method.clone(), &path, body).await;
        reply.assert_problem(400, "invalid_parameter");
        assert!(
            !reply.error_pointers().is_empty(),
            "{method} {path}: no pointer"
        );
    }

    // Nothing changed: the plant is still there with its name and stock.
    let after = server.get(&format!("/v1/plants/{id}")).await;
    assert_eq!(after.status.as_u16(), 200);
    assert_ne!(after.body["name"], "Renamed");
}

#[tokio::test]
async fn create_rejects_query_parameters() {
    let server = support::start().await;
    let body =
        json!({"name": "Aloe", "species": "Aloe vera", "category": "succulent", "price": 899});

    let reply = server
        .send(Method::POST, "/v1/plants?validate_only=1", Some(body))
        .await;

    reply.assert_problem(400, "invalid_parameter");
    assert_eq!(reply.error_pointers(), ["validate_only"]);
}

#[tokio::test]
async fn invalid_utf8_id_is_not_found_without_echoing_path() {
    let server = support::start().await;

    let reply = server.get("/v1/plants/%FF").await;

    reply.assert_problem(404, "not_found");
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains("/v1/plants"), "{detail}");
}
