//! Webhook endpoints and signed delivery, over real HTTP on loopback: the
//! receivers are small axum servers started by each test, recording every
//! request they get.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use letta::webhooks::Verifier;
use letta_mock::MockConfig;
use serde_json::{Value, json};
use support::{TestServer, start_with};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long a test waits for something the dispatcher does in the
/// background before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Bytes,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    /// The status of each response in turn; the last one repeats.
    answers: Vec<u16>,
    /// Where a 3xx response points.
    location: String,
    count: watch::Sender<usize>,
}

/// A webhook receiver on `127.0.0.1:0`.
struct Receiver {
    url: String,
    port: u16,
    state: Arc<ReceiverState>,
}

impl Receiver {
    async fn start(answers: &[u16]) -> Self {
        Self::start_redirecting(answers, String::new()).await
    }

    async fn start_redirecting(answers: &[u16], location: String) -> Self {
        let (count, _) = watch::channel(0);
        let state = Arc::new(ReceiverState {
            received: Mutex::new(Vec::new()),
            answers: answers.to_vec(),
            location,
            count,
        });
        let app = Router::new().fallback(receive).with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let port = listener.local_addr().expect("bound socket").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            port,
            state,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.state
            .received
            .lock()
            .expect("no test panics holding it")
            .clone()
    }

    /// Waits until at least `count` requests arrived, and returns them.
    async fn wait_for(&self, count: usize) -> Vec<Received> {
        let mut counter = self.state.count.subscribe();
        tokio::time::timeout(PATIENCE, counter.wait_for(|seen| *seen >= count))
            .await
            .expect("the receiver gets the deliveries in time")
            .expect("the counter lives as long as the receiver");
        self.received()
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let index = {
        let mut received = state.received.lock().expect("no test panics holding it");
        received.push(Received { headers, body });
        received.len() - 1
    };
    state.count.send_replace(index + 1);
    let status = state
        .answers
        .get(index)
        .or(state.answers.last())
        .copied()
        .unwrap_or(204);
    let status = StatusCode::from_u16(status).expect("tests use valid statuses");
    if status.is_redirection() {
        return (status, [("location", state.location.clone())]).into_response();
    }
    status.into_response()
}

/// Starts a server that allows loopback receivers and retries after a few ms.
async fn start_allowing() -> TestServer {
    start_with(
        MockConfig::new()
            .allow_private_webhook_targets(true)
            .webhook_retry_base_ms(5),
    )
    .await
}

async fn register(server: &TestServer, body: Value) -> Value {
    let reply = server.post("/v1/webhooks", body).await;
    assert_eq!(reply.status, 201, "body: {}", reply.body);
    reply.body
}

/// Registers an endpoint for `order.created` that delivers to `receiver`.
async fn register_order_created(server: &TestServer, receiver: &Receiver) -> Value {
    register(
        server,
        json!({"event": "order.created", "url": receiver.url}),
    )
    .await
}

async fn create_customer(server: &TestServer) {
    let reply = server
        .post(
            "/v1/customers",
            json!({"name": "Ada", "email": format!("ada{}@example.com", fastrand::u32(..))}),
        )
        .await;
    assert_eq!(reply.status, 201, "body: {}", reply.body);
}

/// Polls the delivery list of `webhook` until `done` holds, for at most
/// [`PATIENCE`].
async fn deliveries_when(
    server: &TestServer,
    webhook: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let reply = server
            .get(&format!("/v1/webhooks/{webhook}/deliveries?limit=100"))
            .await;
        assert_eq!(reply.status, 200, "body: {}", reply.body);
        let data = reply.data().clone();
        if done(&data) {
            return data;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries never settled: {data:?}"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn settled(count: usize) -> impl Fn(&[Value]) -> bool {
    move |data| data.len() >= count && data.iter().all(|delivery| delivery["status"] != "pending")
}

async fn endpoint_when(server: &TestServer, webhook: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let reply = server.get(&format!("/v1/webhooks/{webhook}")).await;
        if done(&reply.body) {
            return reply.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "endpoint never changed: {}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .expect("every object has an id")
        .to_owned()
}

fn verifier(secret: &Value) -> Verifier {
    Verifier::new(secret.as_str().expect("the secret is a string")).expect("the secret is valid")
}

#[tokio::test]
async fn register_read_list_update_and_delete() {
    let server = start_allowing().await;
    let receiver = Receiver::start(&[204]).await;

    let one = register_order_created(&server, &receiver).await;
    let secret = one["secret"].as_str().expect("creation shows the secret");
    assert!(secret.starts_with("whsec_"));
    assert_eq!(one["events"], json!(["order.created"]));
    assert_eq!(one["status"], "enabled");
    assert_eq!(one["disabled_reason"], Value::Null);
    let id = id_of(&one);
    assert!(id.starts_with("whk_"));

    let two = register(
        &server,
        json!({"events": ["order.paid", "order.created"], "url": receiver.url, "description": "Orders"}),
    )
    .await;
    assert_eq!(two["description"], "Orders");

    let shown = server.get(&format!("/v1/webhooks/{id}")).await;
    assert_eq!(shown.status, 200);
    assert_eq!(shown.body.get("secret"), None);

    let list = server.get("/v1/webhooks").await;
    assert_eq!(list.ids(), vec![id.clone(), id_of(&two)]);
    assert!(
        list.data()
            .iter()
            .all(|endpoint| endpoint.get("secret").is_none())
    );

    let disabled = server
        .patch(
            &format!("/v1/webhooks/{id}"),
            json!({"status": "disabled", "description": "Off"}),
        )
        .await;
    assert_eq!(disabled.body["status"], "disabled");
    assert_eq!(disabled.body["disabled_reason"], "manual");
    assert_eq!(disabled.body["description"], "Off");

    let enabled = server
        .patch(
            &format!("/v1/webhooks/{id}"),
            json!({"status": "enabled", "description": null}),
        )
        .await;
    assert_eq!(enabled.body["status"], "enabled");
    assert_eq!(enabled.body["disabled_reason"], Value::Null);
    assert_eq!(enabled.body["description"], Value::Null);

    let deleted = server.delete(&format!("/v1/webhooks/{id}")).await;
    assert_eq!(deleted.status, 204);
    server
        .get(&format!("/v1/webhooks/{id}"))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn bad_registrations_are_422() {
    let server = start_allowing().await;
    for body in [
        json!({"url": "http://127.0.0.1:9/"}),
        json!({"url": "http://127.0.0.1:9/", "event": "order.created", "events": ["order.paid"]}),
        json!({"url": "http://127.0.0.1:9/", "event": "order.shipped"}),
        json!({"url": "http://127.0.0.1:9/", "events": []}),
        json!({"url": "ftp://127.0.0.1/", "event": "order.created"}),
        json!({"url": "http://127.0.0.1:9/", "event": "order.created", "secret": "whsec_AAAA"}),
    ] {
        let reply = server.post("/v1/webhooks", body.clone()).await;
        reply.assert_problem(422, "validation_failed");
    }
}

#[tokio::test]
async fn test_event_is_delivered_signed_with_the_event_id() {
    let server = start_allowing().await;
    let receiver = Receiver::start(&[204]).await;
    let endpoint = register_order_created(&server, &receiver).await;
    let id = id_of(&endpoint);

    let queued = server
        .post(&format!("/v1/webhooks/{id}/test"), json!({}))
        .await;
    assert_eq!(queued.status, 202, "body: {}", queued.body);
    assert_eq!(queued.body["event_type"], "webhook.test");
    assert_eq!(queued.body["attempt"], 1);
    assert_eq!(queued.body["webhook_id"], id.as_str());

    let received = receiver.wait_for(1).await;
    let delivery = &received[0];
    assert_eq!(delivery.header("webhook-id"), queued.body["event_id"]);
    assert_eq!(delivery.header("content-type"), "application/json");
    let event = verifier(&endpoint["secret"])
        .verify(&delivery.headers, &delivery.body)
        .expect("the delivery verifies with the endpoint's secret");
    assert_eq!(event.event_type.as_str(), "webhook.test");
    let body: Value = serde_json::from_slice(&delivery.body).expect("the body is JSON");
    assert_eq!(body["data"]["webhook_id"], id.as_str());

    let deliveries = deliveries_when(&server, &id, settled(1)).await;
    assert_eq!(deliveries[0]["status"], "succeeded");
    assert_eq!(deliveries[0]["response_status"], 204);
    assert_eq!(deliveries[0]["error"], Value::Null);
    assert!(deliveries[0]["duration_ms"].is_u64());
}

#[tokio::test]
async fn retry_keeps_id_and_body() {
    let server = start_allowing().await;
    let receiver = Receiver::start(&[500, 503, 204]).await;
    let endpoint = register(
        &server,
        json!({"event": "customer.created", "url": receiver.url}),
    )
    .await;
    let id = id_of(&endpoint);

    create_customer(&server).await;
    let received = receiver.wait_for(3).await;

    assert_eq!(received.len(), 3);
    let verifier = verifier(&endpoint["secret"]);
    for attempt in &received {
        assert_eq!(
            attempt.header("webhook-id"),
            received[0].header("webhook-id")
        );
        assert_eq!(attempt.body, received[0].body);
        assert!(verifier.verify(&attempt.headers, &attempt.body).is_ok());
    }

    let deliveries = deliveries_when(&server, &id, settled(3)).await;
    let attempts: Vec<&Value> = deliveries
        .iter()
        .map(|delivery| &delivery["attempt"])
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    let statuses: Vec<&Value> = deliveries
        .iter()
        .map(|delivery| &delivery["status"])
        .collect();
    assert_eq!(statuses, ["failed", "failed", "succeeded"]);
    assert_eq!(deliveries[0]["response_status"], 500);
    assert_eq!(deliveries[0]["error"], "status 500");
    assert!(deliveries[0]["next_retry_at"].is_string());
    assert_eq!(deliveries[2]["next_retry_at"], Value::Null);
}

#[tokio::test]
async fn manual_retry_sends_the_same_body_again() {
    let server = start_allowing().await;
    let receiver = Receiver::start(&[204]).await;
    let endpoint = register_order_created(&server, &receiver).await;
    let id = id_of(&endpoint);
    let first = server
        .post(&format!("/v1/webhooks/{id}/test"), json!({}))
        .await;
    receiver.wait_for(1).await;

    let retry = server
        .post(
            &format!("/v1/webhooks/{id}/deliveries/{}/retry", id_of(&first.body)),
            json!({}),
        )
        .await;
    assert_eq!(retry.status, 202, "body: {}", retry.body);
    assert_eq!(retry.body["attempt"], 2);

    let received = receiver.wait_for(2).await;
    assert_eq!(received[1].body, received[0].body);
    assert_eq!(
        received[1].header("webhook-id"),
        received[0].header("webhook-id")
    );

    let other = register_order_created(&server, &receiver).await;
    server
        .post(
            &format!(
                "/v1/webhooks/{}/deliveries/{}/retry",
                id_of(&other),
                id_of(&first.body)
            ),
            json!({}),
        )
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn rotation_signs_with_both_secrets() {
    let server = start_allowing().await;
    let receiver = Receiver::start(&[204]).await;
    let endpoint = register_order_created(&server, &receiver).await;
    let id = id_of(&endpoint);

    let rotated = server
        .post(&format!("/v1/webhooks/{id}/rotate-secret"), json!({}))
        .await;
    assert_eq!(rotated.status, 200, "body: {}", rotated.body);
    assert_ne!(rotated.body["secret"], endpoint["secret"]);
    assert!(rotated.body["previous_secret_expires_at"].is_string());

    server
        .post(&format!("/v1/webhooks/{id}/test"), json!({}))
        .await;
    let received = receiver.wait_for(1).await;
    let delivery = &received[0];

    let entries: Vec<&str> = delivery.header("webhook-signature").split(' ').collect();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|entry| entry.starts_with("v1,")));
    assert!(
        verifier(&rotated.body["secret"])
            .verify(&delivery.headers, &delivery.body)
            .is_ok()
    );
    assert!(
        verifier(&endpoint["secret"])
            .verify(&delivery.headers, &delivery.body)
            .is_ok()
    );
}

#[tokio::test]
async fn gone_disables_the_endpoint() {
    let server = start_allowing().await;
    let receiver = Receiver::start(&[410]).await;
    let endpoint = register_order_created(&server, &receiver).await;
    let id = id_of(&endpoint);

    server
        .post(&format!("/v1/webhooks/{id}/test"), json!({}))
        .await;
    let disabled = endpoint_when(&server, &id, |body| body["status"] == "disabled").await;

    assert_eq!(disabled["disabled_reason"], "gone");
    let deliveries = deliveries_when(&server, &id, settled(1)).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["response_status"], 410);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn consecutive_failures_disable_the_endpoint() {
    let server = start_with(
        MockConfig::new()
            .allow_private_webhook_targets(true)
            .webhook_retry_base_ms(1)
            .webhook_failure_limit(2),
    )
    .await;
    let receiver = Receiver::start(&[500]).await;
    let endpoint = register(
        &server,
        json!({"event": "customer.created", "url": receiver.url}),
    )
    .await;
    let id = id_of(&endpoint);

    create_customer(&server).await;
    let disabled = endpoint_when(&server, &id, |body| body["status"] == "disabled").await;

    assert_eq!(disabled["disabled_reason"], "too_many_failures");
    let deliveries = deliveries_when(&server, &id, settled(2)).await;
    assert_eq!(receiver.received().len(), 2);
    assert!(
        deliveries
            .iter()
            .all(|delivery| delivery["status"] == "failed")
    );

    let enabled = server
        .patch(&format!("/v1/webhooks/{id}"), json!({"status": "enabled"}))
        .await;
    assert_eq!(enabled.body["status"], "enabled");
    assert_eq!(enabled.body["disabled_reason"], Value::Null);
}

#[tokio::test]
async fn redirect_is_not_followed() {
    let server = start_with(
        MockConfig::new()
            .allow_private_webhook_targets(true)
            .webhook_max_attempts(1),
    )
    .await;
    let target = Receiver::start(&[204]).await;
    let redirector = Receiver::start_redirecting(&[302], target.url.clone()).await;
    let endpoint = register(
        &server,
        json!({"event": "order.created", "url": redirector.url}),
    )
    .await;
    let id = id_of(&endpoint);

    server
        .post(&format!("/v1/webhooks/{id}/test"), json!({}))
        .await;
    let deliveries = deliveries_when(&server, &id, settled(1)).await;

    assert_eq!(deliveries[0]["status"], "failed");
    assert_eq!(deliveries[0]["response_status"], 302);
    assert!(
        deliveries[0]["error"]
            .as_str()
            .is_some_and(|error| error.contains("redirect"))
    );
    assert_eq!(redirector.received().len(), 1);
    assert_eq!(target.received().len(), 0);
}

/// HOOK-3: with the switch off, no spelling of a private address is
/// accepted, and nothing is contacted.
#[tokio::test]
async fn private_targets_are_refused_without_the_switch() {
    let server = start_with(MockConfig::new()).await;
    let receiver = Receiver::start(&[204]).await;
    let port = receiver.port;

    let urls = [
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://127.0.0.1:6379/".to_owned(),
        "http://[::1]/".to_owned(),
        "http://0x7f000001/".to_owned(),
        "http://[::ffff:169.254.169.254]/".to_owned(),
        "http://10.0.0.5/".to_owned(),
        format!("http://127.0.0.1:{port}/hooks"),
        format!("http://localhost:{port}/hooks"),
        format!("http://0x7f000001:{port}/hooks"),
        format!("http://2130706433:{port}/hooks"),
        format!("http://0177.0.0.1:{port}/hooks"),
        format!("http://127.1:{port}/hooks"),
        format!("http://[::ffff:127.0.0.1]:{port}/hooks"),
        format!("http://[::1]:{port}/hooks"),
        format!("http://0.0.0.0:{port}/hooks"),
    ];
    for url in &urls {
        let reply = server
            .post(
                "/v1/webhooks",
                json!({"event": "order.created", "url": url}),
            )
            .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_pointers(), ["/url"], "url: {url}");
    }

    let list = server.get("/v1/webhooks").await;
    assert_eq!(list.data().len(), 0);
    assert_eq!(receiver.received().len(), 0);
}

#[tokio::test]
async fn pending_retries_resume_after_a_restart() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("state.json");
    let config = MockConfig::new()
        .state_file(&path)
        .allow_private_webhook_targets(true)
        .webhook_retry_base_ms(500);
    let receiver = Receiver::start(&[500, 204]).await;

    let server = start_with(config.clone()).await;
    let endpoint = register(
        &server,
        json!({"event": "customer.created", "url": receiver.url}),
    )
    .await;
    let id = id_of(&endpoint);
    create_customer(&server).await;
    deliveries_when(&server, &id, |data| {
        data.first()
            .is_some_and(|first| first["status"] == "failed")
    })
    .await;
    server.server.shutdown().await.expect("the server stops");

    let restarted = start_with(config).await;
    let received = receiver.wait_for(2).await;
    assert_eq!(received[1].body, received[0].body);
    assert_eq!(
        received[1].header("webhook-id"),
        received[0].header("webhook-id")
    );
    let deliveries = deliveries_when(&restarted, &id, |data| {
        data.iter()
            .any(|delivery| delivery["status"] == "succeeded")
    })
    .await;
    assert_eq!(
        deliveries.last().map(|last| &last["attempt"]),
        Some(&json!(2))
    );
}

#[tokio::test]
async fn delivery_to_a_private_target_fails_unsent() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("state.json");
    let receiver = Receiver::start(&[204]).await;
    let allowing = start_with(
        MockConfig::new()
            .state_file(&path)
            .allow_private_webhook_targets(true),
    )
    .await;
    let endpoint = register(
        &allowing,
        json!({"event": "order.created", "url": format!("http://localhost:{}/hooks", receiver.port)}),
    )
    .await;
    let id = id_of(&endpoint);
    allowing.server.shutdown().await.expect("the server stops");

    let denying = start_with(MockConfig::new().state_file(&path).webhook_max_attempts(1)).await;
    let queued = denying
        .post(&format!("/v1/webhooks/{id}/test"), json!({}))
        .await;
    assert_eq!(queued.status, 202, "body: {}", queued.body);
    let deliveries = deliveries_when(&denying, &id, settled(1)).await;

    assert_eq!(deliveries[0]["status"], "failed");
    assert_eq!(deliveries[0]["response_status"], Value::Null);
    assert!(
        deliveries[0]["error"]
            .as_str()
            .is_some_and(|error| error.starts_with("target rejected"))
    );
    assert_eq!(receiver.received().len(), 0);
}

/// One request a [`SilentReceiver`] got, with the time it arrived.
#[derive(Debug, Clone)]
struct Arrival {
    request: Received,
    at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug)]
struct SilentState {
    arrivals: Mutex<Vec<Arrival>>,
    /// Requests left without a response before the receiver starts
    /// responding `204`.
    silent_for: usize,
    count: watch::Sender<usize>,
}

/// A webhook receiver on `127.0.0.1:0` that reads each request in full and
/// then never responds to the first `silent_for` of them.
struct SilentReceiver {
    url: String,
    state: Arc<SilentState>,
}

impl SilentReceiver {
    async fn start(silent_for: usize) -> Self {
        let (count, _) = watch::channel(0);
        let state = Arc::new(SilentState {
            arrivals: Mutex::new(Vec::new()),
            silent_for,
            count,
        });
        let app = Router::new()
            .fallback(receive_silently)
            .with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port is free");
        let port = listener.local_addr().expect("bound socket").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            state,
        }
    }

    fn arrivals(&self) -> Vec<Arrival> {
        self.state
            .arrivals
            .lock()
            .expect("no test panics holding it")
            .clone()
    }
}

async fn receive_silently(
    State(state): State<Arc<SilentState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let at = chrono::Utc::now();
    let index = {
        let mut arrivals = state.arrivals.lock().expect("no test panics holding it");
        arrivals.push(Arrival {
            request: Received { headers, body },
            at,
        });
        arrivals.len() - 1
    };
    state.count.send_replace(index + 1);
    if index < state.silent_for {
        std::future::pending::<()>().await;
    }
    StatusCode::NO_CONTENT
}

fn timestamp(value: &Value) -> chrono::DateTime<chrono::Utc> {
    value
        .as_str()
        .and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok())
        .map(|time| time.to_utc())
        .unwrap_or_else(|| panic!("{value} is an RFC 3339 timestamp"))
}

/// The delivery timeout and the first retry delay of the timeout test,
/// small so that the test takes about a second, and the timeout long enough
/// for a loaded machine to answer the last attempt within it.
const TIMEOUT_MS: u64 = 250;
const RETRY_BASE_MS: i64 = 100;

/// An attempt the receiver does not answer in time is recorded as
/// a timeout and retried on the doubling schedule, with the same
/// `webhook-id` and the same body bytes, until the receiver answers.
#[tokio::test]
async fn unanswered_attempts_time_out_and_are_retried() {
    let server = start_with(
        MockConfig::new()
            .allow_private_webhook_targets(true)
            .webhook_timeout_ms(TIMEOUT_MS)
            .webhook_retry_base_ms(RETRY_BASE_MS.unsigned_abs())
            .webhook_max_attempts(5),
    )
    .await;
    let receiver = SilentReceiver::start(2).await;
    let endpoint = register(
        &server,
        json!({"event": "customer.created", "url": receiver.url}),
    )
    .await;
    let id = id_of(&endpoint);

    create_customer(&server).await;
    let deliveries = deliveries_when(&server, &id, |data| {
        settled(1)(data)
            && data
                .iter()
                .any(|delivery| delivery["status"] == "succeeded")
    })
    .await;

    let attempts: Vec<&Value> = deliveries
        .iter()
        .map(|delivery| &delivery["attempt"])
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    let statuses: Vec<&Value> = deliveries
        .iter()
        .map(|delivery| &delivery["status"])
        .collect();
    assert_eq!(statuses, ["failed", "failed", "succeeded"]);
    for timed_out in &deliveries[..2] {
        assert_eq!(timed_out["response_status"], Value::Null);
        assert_eq!(timed_out["error"], format!("timeout after {TIMEOUT_MS} ms"));
        let duration = timed_out["duration_ms"]
            .as_u64()
            .expect("a finished attempt has a duration");
        assert!(duration >= TIMEOUT_MS, "duration {duration} ms");
        assert!(timed_out["next_retry_at"].is_string());
    }
    assert_eq!(deliveries[2]["response_status"], 204);
    assert_eq!(deliveries[2]["error"], Value::Null);
    assert_eq!(deliveries[2]["next_retry_at"], Value::Null);

    // Attempt n + 1 is queued when attempt n fails, and falls due
    // `RETRY_BASE_MS * 2^(n - 1)` later, at attempt n's `next_retry_at`.
    for (n, pair) in deliveries.windows(2).enumerate() {
        let due = timestamp(&pair[0]["next_retry_at"]);
        let queued = timestamp(&pair[1]["created_at"]);
        let delay = (due - queued).num_milliseconds();
        let scheduled = RETRY_BASE_MS << n;
        assert!(
            delay <= scheduled && delay > scheduled / 2,
            "attempt {} was due {delay} ms after it was queued, not {scheduled} ms",
            n + 2
        );
    }

    let arrivals = receiver.arrivals();
    assert_eq!(arrivals.len(), 3);
    let event_id = deliveries[0]["event_id"]
        .as_str()
        .expect("a delivery names its event");
    let verifier = verifier(&endpoint["secret"]);
    for arrival in &arrivals {
        assert_eq!(arrival.request.header("webhook-id"), event_id);
        assert_eq!(arrival.request.body, arrivals[0].request.body);
        assert!(
            verifier
                .verify(&arrival.request.headers, &arrival.request.body)
                .is_ok()
        );
    }
    for (n, retry) in arrivals.iter().enumerate().skip(1) {
        let due = timestamp(&deliveries[n - 1]["next_retry_at"]);
        assert!(
            retry.at >= due,
            "attempt {} arrived at {}, before it was due at {due}",
            n + 1,
            retry.at
        );
    }
}

/// The delivery timeout is the configured one, both in when the
/// attempt gives up and in the error it records.
#[tokio::test]
async fn delivery_timeout_is_configurable() {
    for timeout_ms in [60, 250] {
        let server = start_with(
            MockConfig::new()
                .allow_private_webhook_targets(true)
                .webhook_timeout_ms(timeout_ms)
                .webhook_max_attempts(1),
        )
        .await;
        let receiver = SilentReceiver::start(usize::MAX).await;
        let endpoint = register(
            &server,
            json!({"event": "order.created", "url": receiver.url}),
        )
        .await;
        let id = id_of(&endpoint);

        let queued = server
            .post(&format!("/v1/webhooks/{id}/test"), json!({}))
            .await;
        assert_eq!(queued.status, 202, "body: {}", queued.body);
        let deliveries = deliveries_when(&server, &id, settled(1)).await;

        assert_eq!(deliveries.len(), 1);
        assert_eq!(deliveries[0]["status"], "failed");
        assert_eq!(deliveries[0]["response_status"], Value::Null);
        assert_eq!(
            deliveries[0]["error"],
            format!("timeout after {timeout_ms} ms")
        );
        let duration = deliveries[0]["duration_ms"]
            .as_u64()
            .expect("a finished attempt has a duration");
        assert!(
            duration >= timeout_ms,
            "timeout {timeout_ms} ms, duration {duration} ms"
        );
        assert_eq!(deliveries[0]["next_retry_at"], Value::Null);
    }
}
