//! The API key never reaches logs, errors or Debug output.

use std::io::Write;
use std::sync::{Arc, Mutex};

use letta::Client;
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk_test_do_not_leak_4242";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("log buffer lock")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn key_absent_from_trace_logs_and_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(401).set_body_string("unauthorized"))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .api_key(KEY)
        .build()
        .expect("valid client settings");

    let error = client.plants().get("plt_1").await.expect_err("401");

    assert!(!format!("{error}").contains(KEY));
    assert!(!format!("{error:?}").contains(KEY));
    assert!(!format!("{client:?}").contains(KEY));
    let logs = String::from_utf8(captured.0.lock().expect("log buffer lock").clone())
        .expect("logs are UTF-8");
    assert!(
        logs.contains("response received"),
        "no request logged: {logs}"
    );
    assert!(!logs.contains(KEY), "key found in logs: {logs}");
}
