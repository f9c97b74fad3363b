//! How the SDK reports refusals, broken responses and transport failures.

use letta::{Client, Error};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .api_key("sk_test_letta")
        .build()
        .expect("valid client settings")
}

#[tokio::test]
async fn problem_body_becomes_typed_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/plants"))
        .respond_with(
            ResponseTemplate::new(422)
                .insert_header("content-type", "application/problem+json")
                .insert_header("request-id", "req_header")
                .set_body_json(json!({
                    "type": "https://docs.letta.dev/errors/validation_failed",
                    "title": "Validation failed",
                    "status": 422,
                    "detail": "2 fields are invalid",
                    "code": "validation_failed",
                    "request_id": "req_body",
                    "errors": [
                        {"pointer": "/name", "detail": "must not be empty"},
                        {"pointer": "/price", "detail": "must be 0 or more"}
                    ]
                })),
        )
        .mount(&server)
        .await;

    let plant = letta::types::CreatePlant::new("", "x", letta::types::Category::Fern, -1);
    let error = client(&server.uri())
        .plants()
        .create(&plant)
        .await
        .expect_err("server refuses");

    let api = error.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 422);
    assert_eq!(api.code.as_deref(), Some("validation_failed"));
    assert_eq!(api.detail, "2 fields are invalid");
    assert_eq!(api.request_id.as_deref(), Some("req_header"));
    assert_eq!(api.errors.len(), 2);
    assert_eq!(api.errors[0].pointer, "/name");
    let message = error.to_string();
    assert!(message.contains("422"), "{message}");
    assert!(message.contains("/price: must be 0 or more"), "{message}");
}

#[tokio::test]
async fn bearer_key_is_sent() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer sk_test_letta"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client(&server.uri())
        .plants()
        .delete("plt_0000000000000001")
        .await
        .expect("204 is success");
}

#[tokio::test]
async fn wrong_field_type_names_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("request-id", "req_7")
                .set_body_json(json!({"id": "plt_1", "name": 42})),
        )
        .mount(&server)
        .await;

    let error = client(&server.uri())
        .plants()
        .get("plt_1")
        .await
        .expect_err("bad body");
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path, "name");
    assert_eq!(decode.request_id.as_deref(), Some("req_7"));
    assert!(error.to_string().contains("`name`"), "{error}");
}

#[tokio::test]
async fn html_error_page_keeps_status_and_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("content-type", "text/html")
                .set_body_string("<html>bad gateway</html>"),
        )
        .mount(&server)
        .await;

    let error = client(&server.uri())
        .plants()
        .get("plt_1")
        .await
        .expect_err("502");
    let api = error.as_api().expect("an API error");
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.code, None);
    assert!(api.detail.contains("bad gateway"), "{}", api.detail);
}

#[tokio::test]
async fn refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);

    let error = client(&format!("http://{address}"))
        .plants()
        .get("plt_1")
        .await
        .expect_err("nothing listens");
    assert!(error.is_connect(), "{error:?}");
    assert!(error.to_string().contains("GET"), "{error}");
}

#[tokio::test]
async fn ids_are_percent_encoded_as_one_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/plants/a%2Fb%3Fc"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server.uri())
        .plants()
        .get("a/b?c")
        .await
        .expect_err("404");
    assert!(error.is_not_found(), "{error:?}");
}

#[tokio::test]
async fn empty_id_is_rejected_without_request() {
    let server = MockServer::start().await;
    let error = client(&server.uri())
        .plants()
        .get(" ")
        .await
        .expect_err("empty id");
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty()
    );
}
