//! The SDK against Prism (`@stoplight/prism-cli`), which mocks
//! `docs/openapi.yaml` with nothing but the spec: it rejects every request
//! that breaks the spec with a 4xx, reports every violation in its
//! `sl-violations` header, and answers with the spec's examples or, with
//! `Prefer: dynamic=true`, with values generated from the schemas.
//!
//! Prism runs without `--errors`, which would also turn each response
//! violation into a 500. Prism 5.14.2 checks the raw text of a YAML or
//! event-stream body against a schema that describes the parsed value, so
//! those bodies would never reach the SDK. The test still fails on every
//! request violation and on every violation of a JSON response.
//!
//! A recording proxy between the client and Prism maps every request back to
//! its spec operation, so the test also proves that each table entry calls
//! the operation it names.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use letta::types::{EventData, EventType};
use letta::webhooks::{Signer, Verifier};
use letta::{Client, RetryPolicy};
mod spec;

use letta_tests::operations::{Operation, operations, spec_path, webhook_events, workspace_root};
use serde_json::{Value, json};
use spec::{SpecOperation, spec_operations};

/// The API key sent to Prism, which checks only that a bearer token is present.
const API_KEY: &str = "sk_test_letta";

/// The maximum wait for Prism to load the spec and listen. It guards against
/// a hang, and a healthy start takes a few seconds.
const PRISM_START_LIMIT: Duration = Duration::from_secs(180);

/// The maximum wait for one SDK call. It guards against a hang, such as an
/// event stream that reconnects forever.
const CALL_LIMIT: Duration = Duration::from_secs(60);

/// A Prism mock server on loopback, stopped on drop.
struct Prism {
    child: Child,
    base_url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Prism {
    /// Starts `prism mock docs/openapi.yaml` on a free port and waits until
    /// it prints that it listens.
    async fn start() -> Self {
        let binary = prism_binary();
        assert!(
            binary.exists(),
            "Prism is not installed at {}; run ./scripts/install-test-tools, \
             which installs the pinned @stoplight/prism-cli with npm",
            binary.display()
        );

        let port = free_port();
        let mut child = Command::new(&binary)
            .current_dir(workspace_root())
            .args(["mock", &spec_path().to_string_lossy()])
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            // Generated values repeat from run to run.
            .args(["--seed", "letta"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));

        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        spawn_log_reader(stdout, Arc::clone(&log), Some(ready_tx));
        spawn_log_reader(stderr, Arc::clone(&log), None);

        let started = tokio::task::spawn_blocking(move || ready_rx.recv_timeout(PRISM_START_LIMIT))
            .await
            .expect("the wait for Prism does not panic");
        let prism = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        assert!(
            matches!(started, Ok(true)),
            "Prism did not start listening on port {port}; its output:\n{}",
            prism.log_text()
        );
        prism
    }

    fn log_text(&self) -> String {
        self.log.lock().expect("log lock").join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // The process may have exited already, which is fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn prism_binary() -> PathBuf {
    workspace_root().join(".tools/node/node_modules/.bin/prism")
}

/// Returns a port that was free a moment ago: bound on port 0, then released
/// for Prism, which takes a port number rather than a socket.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free loopback port");
    listener.local_addr().expect("bound address").port()
}

/// Copies each line of Prism's output into `log`, and reports on `ready`
/// whether Prism printed that it listens (`true`) or the output ended first
/// (`false`).
fn spawn_log_reader(
    output: impl std::io::Read + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
    ready: Option<mpsc::Sender<bool>>,
) {
    std::thread::spawn(move || {
        let mut ready = ready;
        for line in BufReader::new(output).lines() {
            let Ok(line) = line else { break };
            let listening = line.contains("Prism is listening on");
            log.lock().expect("log lock").push(line);
            if listening && let Some(sender) = ready.take() {
                let _ = sender.send(true);
            }
        }
        if let Some(sender) = ready {
            let _ = sender.send(false);
        }
    });
}

/// One request that went through the proxy.
#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    status: u16,
    content_type: Option<String>,
    /// Prism's `sl-violations` header: how the request or its response
    /// breaks the spec.
    violations: Option<String>,
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    dynamic: AtomicBool,
    exchanges: Mutex<Vec<Exchange>>,
}

/// A reverse proxy on loopback that forwards to Prism and records every
/// request.
struct Proxy {
    address: SocketAddr,
    state: Arc<ProxyState>,
    server: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstream: &str) -> Self {
        let state = Arc::new(ProxyState {
            upstream: upstream.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a default reqwest client builds"),
            dynamic: AtomicBool::new(false),
            exchanges: Mutex::new(Vec::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy on loopback");
        let address = listener.local_addr().expect("bound address");
        let app = Router::new()
            .fallback(forward)
            .with_state(Arc::clone(&state));
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the proxy serves");
        });
        Self {
            address,
            state,
            server,
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Asks Prism for generated values (`true`) or the spec's examples.
    fn set_dynamic(&self, dynamic: bool) {
        self.state.dynamic.store(dynamic, Ordering::SeqCst);
    }

    fn take_exchanges(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.state.exchanges.lock().expect("exchanges lock"))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(State(state): State<Arc<ProxyState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => return (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |path_and_query| path_and_query.as_str());

    let mut headers = parts.headers.clone();
    headers.remove(header::HOST);
    // Prism 5.14.2 serializes generated bodies as JSON only, so a YAML
    // document or an event stream always gets the spec's example.
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"));
    if state.dynamic.load(Ordering::SeqCst) && wants_json {
        headers.insert("prefer", HeaderValue::from_static("dynamic=true"));
    }

    let upstream = state
        .http
        .request(
            parts.method.clone(),
            format!("{}{path_and_query}", state.upstream),
        )
        .headers(headers)
        .body(body)
        .send()
        .await;
    let upstream = match upstream {
        Ok(upstream) => upstream,
        Err(error) => return (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    };

    let status = upstream.status();
    let mut response_headers = HeaderMap::new();
    for (name, value) in upstream.headers() {
        if name != header::CONNECTION && name != header::TRANSFER_ENCODING {
            response_headers.append(name.clone(), value.clone());
        }
    }
    state
        .exchanges
        .lock()
        .expect("exchanges lock")
        .push(Exchange {
            method: parts.method.to_string(),
            path: parts.uri.path().to_owned(),
            status: status.as_u16(),
            content_type: response_headers
                .get(header::CONTENT_TYPE)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned),
            violations: response_headers
                .get("sl-violations")
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned()),
        });

    let body = match upstream.bytes().await {
        Ok(body) => body,
        Err(error) => return (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = response_headers;
    response
}

/// Returns the operation of `spec` that serves `method` and `path`. A path
/// that fits several templates goes to the one with the most literal
/// segments, as OpenAPI matches `/v1/plants/stream` before
/// `/v1/plants/{id}`.
fn match_operation<'a>(spec: &'a [SpecOperation], method: &str, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.split('/').collect();
    spec.iter()
        .filter(|operation| !operation.webhook && operation.method == method)
        .filter_map(|operation| {
            let template: Vec<&str> = operation.path.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut literals = 0;
            for (expected, actual) in template.iter().zip(&segments) {
                if expected.starts_with('{') {
                    if actual.is_empty() {
                        return None;
                    }
                } else if expected == actual {
                    literals += 1;
                } else {
                    return None;
                }
            }
            Some((literals, operation.operation_id.as_str()))
        })
        .max_by_key(|(literals, _)| *literals)
        .map(|(_, operation_id)| operation_id)
}

/// Returns the violations of `exchange` that fail the test: all of them but
/// those about the body of a response that is not JSON, whose raw text
/// Prism checks against a schema of the parsed value.
fn counted_violations(exchange: &Exchange) -> Vec<Value> {
    let Some(header) = &exchange.violations else {
        return Vec::new();
    };
    let Ok(Value::Array(violations)) = serde_json::from_str::<Value>(header) else {
        return vec![Value::String(header.clone())];
    };
    let json_body = exchange
        .content_type
        .as_deref()
        .is_some_and(|content_type| content_type.contains("json"));
    violations
        .into_iter()
        .filter(|violation| {
            let about_response_body =
                violation["location"] == json!(["response", "body"]) && violation["code"] == "type";
            json_body || !about_response_body
        })
        .collect()
}

fn client_for(proxy: &Proxy) -> Client {
    Client::builder()
        .base_url(proxy.base_url())
        .api_key(API_KEY)
        // The first response is the one under test.
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid client settings")
}

/// Runs every operation of the table through the proxy and returns one
/// line for each problem: a failed call, a request Prism found against the
/// spec, or a request to another operation than the entry names.
async fn run_every_operation(proxy: &Proxy, mode: &str) -> Vec<String> {
    let spec = spec_operations();
    let client = client_for(proxy);
    let mut problems = Vec::new();

    for Operation {
        operation_id,
        sdk_method,
        call,
        ..
    } in operations()
    {
        proxy.take_exchanges();
        let outcome = tokio::time::timeout(CALL_LIMIT, call(client.clone())).await;
        let exchanges = proxy.take_exchanges();
        let label = format!("{mode} {operation_id} ({sdk_method})");

        match outcome {
            Err(_elapsed) => problems.push(format!(
                "{label}: no result within {CALL_LIMIT:?}; requests: {exchanges:?}"
            )),
            Ok(Err(error)) => {
                problems.push(format!("{label}: failed: {error}; requests: {exchanges:?}"))
            }
            Ok(Ok(())) => {}
        }
        if exchanges.is_empty() {
            problems.push(format!("{label}: sent no request"));
        }
        for exchange in &exchanges {
            let matched = match_operation(&spec, &exchange.method, &exchange.path);
            if matched != Some(operation_id) {
                problems.push(format!(
                    "{label}: sent {} {}, which is operation {matched:?}",
                    exchange.method, exchange.path
                ));
            }
            for violation in counted_violations(exchange) {
                problems.push(format!(
                    "{label}: Prism reports {} {} (status {}) against the spec: {violation}",
                    exchange.method, exchange.path, exchange.status
                ));
            }
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_spec_examples() {
    let prism = Prism::start().await;
    let proxy = Proxy::start(&prism.base_url).await;

    let problems = run_every_operation(&proxy, "static").await;

    assert!(
        problems.is_empty(),
        "{} problems with Prism's example responses:\n{}\nPrism output:\n{}",
        problems.len(),
        problems.join("\n"),
        prism.log_text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_decodes_generated_responses() {
    let prism = Prism::start().await;
    let proxy = Proxy::start(&prism.base_url).await;
    proxy.set_dynamic(true);

    let problems = run_every_operation(&proxy, "dynamic").await;

    assert!(
        problems.is_empty(),
        "{} problems with Prism's generated responses:\n{}\nPrism output:\n{}",
        problems.len(),
        problems.join("\n"),
        prism.log_text()
    );
}

#[test]
fn table_names_only_spec_operations() {
    let spec = spec_operations();
    let unknown: Vec<&str> = operations()
        .iter()
        .map(|operation| operation.operation_id)
        .filter(|id| {
            !spec
                .iter()
                .any(|operation| !operation.webhook && operation.operation_id == *id)
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "the table names operations that docs/openapi.yaml does not have: {unknown:?}"
    );
}

#[test]
fn stream_path_matches_before_id_template() {
    let spec = spec_operations();
    assert_eq!(
        match_operation(&spec, "GET", "/v1/plants/stream"),
        Some("streamPlantEvents")
    );
    assert_eq!(
        match_operation(&spec, "GET", "/v1/plants/plt_000000014XK9QF2M"),
        Some("getPlant")
    );
    assert_eq!(match_operation(&spec, "GET", "/v1/nothing"), None);
}

/// Fetches one object from Prism as raw JSON, as its examples or schemas
/// give it.
async fn fetch_object(http: &reqwest::Client, prism: &Prism, path: &str, dynamic: bool) -> Value {
    let mut request = http
        .get(format!("{}{path}", prism.base_url))
        .bearer_auth(API_KEY);
    if dynamic {
        request = request.header("prefer", "dynamic=true");
    }
    let response = request.send().await.expect("Prism answers");
    assert!(
        response.status().is_success(),
        "GET {path} returned {}",
        response.status()
    );
    response.json().await.expect("Prism sends JSON")
}

/// Prism serves no webhooks, so each payload of the spec's `webhooks`
/// section is built from the object Prism returns for the same schema. The
/// SDK then verifies the signed payload and must decode it into the typed
/// event the table names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_webhook_payload_verifies_as_typed_event() {
    let prism = Prism::start().await;
    let http = reqwest::Client::new();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let signer = Signer::new(secret).expect("a valid secret");
    let verifier = Verifier::new(secret).expect("a valid secret");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let mut problems = Vec::new();

    for dynamic in [false, true] {
        let plant = fetch_object(&http, &prism, "/v1/plants/plt_000000014XK9QF2M", dynamic).await;
        let customer =
            fetch_object(&http, &prism, "/v1/customers/cus_00000007MZ3QH8RD", dynamic).await;
        let order = fetch_object(&http, &prism, "/v1/orders/ord_00000005T2WJ9KXB", dynamic).await;
        let payment =
            fetch_object(&http, &prism, "/v1/payments/pay_00000001K7W3N9QD", dynamic).await;

        for entry in webhook_events() {
            let wire = entry.event_type.as_str().to_owned();
            let data = match wire.split('.').next() {
                Some("plant") => plant.clone(),
                Some("customer") => customer.clone(),
                Some("order") => order.clone(),
                Some("payment") => payment.clone(),
                _ => json!({"webhook_id": "whk_00000001N4P8VZ6C"}),
            };
            let body = json!({
                "id": "evt_0000002A9C4XR7TB",
                "type": wire,
                "created_at": "2026-01-01T00:00:00Z",
                "data": data,
            })
            .to_string();
            let headers = signer
                .sign("evt_0000002A9C4XR7TB", now, body.as_bytes())
                .expect("a valid message id");

            let label = format!("{} (dynamic: {dynamic})", entry.operation_id);
            match verifier.verify(&headers.to_pairs(), body.as_bytes()) {
                Err(error) => problems.push(format!("{label}: {error}; body {body}")),
                Ok(event) => {
                    if event.event_type != entry.event_type {
                        problems.push(format!("{label}: decoded as {}", event.event_type));
                    }
                    let typed = match (&entry.event_type, &event.data) {
                        (EventType::WebhookTest, EventData::WebhookTest(_)) => true,
                        (_, EventData::Plant(_)) => wire.starts_with("plant."),
                        (_, EventData::Customer(_)) => wire.starts_with("customer."),
                        (_, EventData::Order(_)) => wire.starts_with("order."),
                        (_, EventData::Payment(_)) => wire.starts_with("payment."),
                        _ => false,
                    };
                    if !typed {
                        problems.push(format!("{label}: untyped data {:?}", event.data));
                    }
                }
            }
        }
    }

    assert!(
        problems.is_empty(),
        "{} webhook payloads did not verify as typed events:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
