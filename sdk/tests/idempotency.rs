//! Every `POST` carries an `Idempotency-Key`; other methods do not.

use letta::Client;
use letta::types::{Category, CreatePlant};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key("sk_test_letta")
        .build()
        .expect("valid client settings")
}

async fn recorded_keys(server: &MockServer) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .expect("requests are recorded")
        .iter()
        .map(|request| {
            request
                .headers
                .get("idempotency-key")
                .map(|value| value.to_str().expect("ASCII key").to_owned())
        })
        .collect()
}

#[tokio::test]
async fn post_gets_a_fresh_generated_key_per_call() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(ResponseTemplate::new(422))
        .mount(&server)
        .await;
    let plants = client(&server).plants();
    let plant = CreatePlant::new("Aloe", "Aloe vera", Category::Succulent, 899);

    plants.create(&plant).await.expect_err("422");
    plants.create(&plant).await.expect_err("422");

    let keys = recorded_keys(&server).await;
    assert_eq!(keys.len(), 2);
    let first = keys[0].clone().expect("first call has a key");
    let second = keys[1].clone().expect("second call has a key");
    assert_eq!(first.len(), 36, "a UUID: {first}");
    assert_ne!(first, second, "each logical call gets its own key");
}

#[tokio::test]
async fn caller_key_is_sent_unchanged() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::method("POST"))
        .respond_with(ResponseTemplate::new(422))
        .mount(&server)
        .await;

    client(&server)
        .plants()
        .create(&CreatePlant::new(
            "Aloe",
            "Aloe vera",
            Category::Succulent,
            899,
        ))
        .idempotency_key("order-import-42")
        .await
        .expect_err("422");

    assert_eq!(
        recorded_keys(&server).await,
        [Some("order-import-42".to_owned())]
    );
}

#[tokio::test]
async fn get_and_delete_carry_no_key() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let plants = client(&server).plants();

    plants.get("plt_1").await.expect_err("404");
    plants.delete("plt_1").await.expect_err("404");

    assert_eq!(recorded_keys(&server).await, [None, None]);
}
