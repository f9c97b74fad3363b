//! Injected faults as a client sees them over loopback HTTP: dropped
//! connections before and after a change is committed, truncated bodies,
//! forced statuses, seeded error rates, latency, and faults set by
//! `--fault` on the binary.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use letta_mock::MockConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Reply, TestServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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

async fn add_fault(server: &TestServer, fault: Value) -> Reply {
    let reply = admin(server, Method::POST, "/admin/faults", Some(fault)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    reply
}

fn new_plant() -> Value {
    json!({"name": "Fault Fern", "species": "Nephrolepis exaltata", "category": "fern", "price": 1299})
}

async fn plant_count(server: &TestServer) -> u64 {
    let reply = server.get("/v1/plants?limit=1").await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    reply.body["total"]
        .as_u64()
        .expect("a list response has a total")
}

/// Sends a raw HTTP/1.1 request and returns every byte received until the
/// server closes the connection. A reset also ends the read: a server that
/// closes with unread request bytes resets the connection.
async fn raw_exchange(server: &TestServer, request_line: &str, body: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(server.server.addr())
        .await
        .expect("the server accepts a connection");
    let request = format!(
        "{request_line} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        server.server.addr(),
        server.server.api_key(),
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request is sent");

    let mut received = Vec::new();
    let mut buffer = [0_u8; 4096];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return received,
            Ok(read) => received.extend_from_slice(&buffer[..read]),
        }
    }
}

/// Adds a one-time fault of `kind` to `POST /v1/plants` and sends one plant
/// through it. Returns the plant count before, and what the client received.
async fn create_plant_with_fault(
    server: &TestServer,
    kind: &str,
) -> (u64, reqwest::Result<reqwest::Response>) {
    add_fault(
        server,
        json!({"method": "POST", "path": "/v1/plants", "kind": kind, "times": 1}),
    )
    .await;
    let before = plant_count(server).await;

    let dropped = server
        .client
        .post(server.url("/v1/plants"))
        .bearer_auth(server.server.api_key())
        .json(&new_plant())
        .send()
        .await;
    (before, dropped)
}

#[tokio::test]
async fn drop_before_commit_creates_nothing() {
    let server = support::start().await;
    let (before, dropped) = create_plant_with_fault(&server, "drop_before_commit").await;

    assert!(dropped.is_err(), "the client received {dropped:?}");
    assert_eq!(plant_count(&server).await, before);
    let retried = server.post("/v1/plants", new_plant()).await;
    assert_eq!(retried.status, StatusCode::CREATED);
    assert_eq!(plant_count(&server).await, before + 1);
}

#[tokio::test]
async fn drop_after_commit_creates_exactly_one() {
    let server = support::start().await;
    let (before, dropped) = create_plant_with_fault(&server, "drop_after_commit").await;

    assert!(dropped.is_err(), "the client received {dropped:?}");
    assert_eq!(plant_count(&server).await, before + 1);
}

#[tokio::test]
async fn retry_after_dropped_commit_replays() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"method": "POST", "path": "/v1/plants", "kind": "drop_after_commit", "times": 1}),
    )
    .await;
    let before = plant_count(&server).await;
    let create = || {
        server
            .client
            .post(server.url("/v1/plants"))
            .bearer_auth(server.server.api_key())
            .header("Idempotency-Key", "create-fern-1")
            .json(&new_plant())
            .send()
    };

    let dropped = create().await;
    let retried = support::read(create().await.expect("the retry reaches the mock server")).await;

    assert!(dropped.is_err(), "the client received {dropped:?}");
    assert_eq!(retried.status, StatusCode::CREATED);
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    assert_eq!(plant_count(&server).await, before + 1);
}

#[tokio::test]
async fn dropped_connection_sends_no_bytes() {
    let server = support::start().await;
    add_fault(&server, json!({"kind": "drop_after_commit", "times": 2})).await;

    let body = new_plant().to_string();
    let get_bytes = raw_exchange(&server, "GET /v1/plants?limit=1", "").await;
    let post_bytes = raw_exchange(&server, "POST /v1/plants", &body).await;

    assert!(
        get_bytes.is_empty(),
        "received {:?}",
        String::from_utf8_lossy(&get_bytes)
    );
    assert!(
        post_bytes.is_empty(),
        "received {:?}",
        String::from_utf8_lossy(&post_bytes)
    );
}

#[tokio::test]
async fn truncated_body_is_shorter_than_declared() {
    let server = support::start().await;
    let id = server.get("/v1/plants?limit=1").await.ids()[0].clone();
    let full = server.get(&format!("/v1/plants/{id}")).await;
    add_fault(
        &server,
        json!({"method": "GET", "path": "/v1/plants/{id}", "kind": "truncate_body", "times": 1}),
    )
    .await;

    let path = format!("/v1/plants/{id}");
    let received = raw_exchange(&server, &format!("GET {path}"), "").await;

    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("the headers arrive in full: {text:?}"));
    let declared: usize = head
        .lines()
        .find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length: ")
                .map(str::to_owned)
        })
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("Content-Length is declared: {head}"));
    let whole: usize = full
        .header("content-length")
        .and_then(|value| value.parse().ok())
        .expect("the untouched response declares its length");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert_eq!(declared, whole);
    assert!(!body.is_empty(), "part of the body arrives");
    assert!(
        body.len() < declared,
        "{} of {declared} bytes arrived",
        body.len()
    );
    assert!(serde_json::from_str::<Value>(body).is_err());

    let next = server.get(&path).await;
    assert_eq!(next.status, StatusCode::OK, "the fault applied once");
}

#[tokio::test]
async fn forced_status_then_normal() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"path": "/v1/plants", "kind": "status", "status": 503, "times": 2, "retry_after": 3}),
    )
    .await;

    for _ in 0..2 {
        let reply = server.get("/v1/plants?limit=1").await;
        reply.assert_problem(503, "service_unavailable");
        assert_eq!(reply.header("retry-after"), Some("3"));
        assert!(
            reply.header("ratelimit").is_some(),
            "an injected error is rate limited too"
        );
    }
    let normal = server.get("/v1/plants?limit=1").await;
    assert_eq!(normal.status, StatusCode::OK);

    let faults = admin(&server, Method::GET, "/admin/faults", None).await;
    assert_eq!(faults.body["data"][0]["applied"], 2);
    assert_eq!(faults.body["data"][0]["remaining"], 0);
}

#[tokio::test]
async fn forced_status_without_retry_after() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"kind": "status", "status": 502, "times": 1}),
    )
    .await;

    let reply = server.get("/v1/plants?limit=1").await;

    reply.assert_problem(502, "bad_gateway");
    assert_eq!(reply.header("retry-after"), None);
}

#[tokio::test]
async fn error_rate_repeats_under_a_seed() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let server = support::start().await;
        add_fault(
            &server,
            json!({"kind": "status", "status": 500, "rate": 0.5, "seed": seed}),
        )
        .await;
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(server.get("/v1/plants?limit=1").await.status.as_u16());
        }
        statuses
    }

    let first = statuses(7).await;
    let again = statuses(7).await;

    assert_eq!(first, again);
    assert!(first.contains(&500), "{first:?}");
    assert!(first.contains(&200), "{first:?}");
    assert!(
        first.iter().all(|status| [200, 500].contains(status)),
        "{first:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn latency_shows_in_journal_duration() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"method": "GET", "path": "/v1/plants", "kind": "latency", "latency_ms": 250}),
    )
    .await;

    let reply = server.get("/v1/plants?limit=1").await;
    let journal = admin(&server, Method::GET, "/admin/journal?path=/v1/plants", None).await;

    assert_eq!(reply.status, StatusCode::OK);
    let entry = &journal.body["data"][0];
    let duration = entry["duration_ms"]
        .as_u64()
        .expect("the duration is a number");
    assert!(duration >= 250, "recorded {duration} ms");
    assert_eq!(entry["faults"], json!(["latency"]));
}

#[tokio::test(start_paused = true)]
async fn random_latency_stays_in_range() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"kind": "latency", "latency_ms": 100, "latency_max_ms": 300, "seed": 3}),
    )
    .await;

    for _ in 0..5 {
        server.get("/v1/plants?limit=1").await;
    }
    let journal = admin(&server, Method::GET, "/admin/journal", None).await;

    let durations: Vec<u64> = journal.body["data"]
        .as_array()
        .expect("the journal has a data array")
        .iter()
        .map(|entry| {
            entry["duration_ms"]
                .as_u64()
                .expect("the duration is a number")
        })
        .collect();
    assert_eq!(durations.len(), 5);
    assert!(durations.iter().all(|ms| *ms >= 100), "{durations:?}");
}

#[tokio::test]
async fn drop_before_commit_is_journaled_without_status() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"method": "DELETE", "kind": "drop_before_commit"}),
    )
    .await;
    let id = server.get("/v1/plants?limit=1").await.ids()[0].clone();

    let dropped = server
        .client
        .delete(server.url(&format!("/v1/plants/{id}")))
        .bearer_auth(server.server.api_key())
        .send()
        .await;
    let journal = admin(&server, Method::GET, "/admin/journal?method=DELETE", None).await;

    assert!(dropped.is_err(), "the client received {dropped:?}");
    assert_eq!(journal.body["data"][0]["status"], Value::Null);
    assert_eq!(
        journal.body["data"][0]["faults"],
        json!(["drop_before_commit"])
    );
    assert_eq!(
        server.get(&format!("/v1/plants/{id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn admin_surface_is_never_faulted() {
    let server = support::start().await;
    add_fault(
        &server,
        json!({"path": "/**", "kind": "status", "status": 500}),
    )
    .await;

    let health = server.get("/health").await;
    let faults = admin(&server, Method::GET, "/admin/faults", None).await;

    health.assert_problem(500, "internal_error");
    assert_eq!(faults.status, StatusCode::OK);
}

#[tokio::test]
async fn invalid_fault_is_rejected() {
    let server = support::start().await;

    let cases = [
        (json!({}), vec!["/kind"]),
        (json!({"kind": "explode"}), vec!["/kind"]),
        (json!({"kind": "latency"}), vec!["/latency_ms"]),
        (json!({"kind": "status", "status": 200}), vec!["/status"]),
        (
            json!({"kind": "drop_after_commit", "status": 503}),
            vec!["/status"],
        ),
        (json!({"kind": "truncate_body", "rate": 1.5}), vec!["/rate"]),
        (json!({"kind": "truncate_body", "times": 0}), vec!["/times"]),
        (
            json!({"kind": "truncate_body", "path": "v1"}),
            vec!["/path"],
        ),
        (
            json!({"kind": "truncate_body", "method": "P0ST"}),
            vec!["/method"],
        ),
        (
            json!({"kind": "truncate_body", "colour": "red"}),
            vec!["/colour"],
        ),
    ];
    for (body, pointers) in cases {
        let reply = admin(&server, Method::POST, "/admin/faults", Some(body.clone())).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_pointers(), pointers, "{body}");
    }
}

/// A `letta-mock` process, killed when dropped.
struct MockProcess {
    child: Child,
    base_url: String,
}

impl MockProcess {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_letta-mock"))
            .args(["--port", "0", "--log-level", "warn"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("letta-mock starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut base_url = String::new();
        BufReader::new(stdout)
            .read_line(&mut base_url)
            .expect("letta-mock prints its base URL");
        Self {
            child,
            base_url: base_url.trim().to_owned(),
        }
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        // The process may have exited already; either way it is gone.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn fault_flags_apply_from_start() {
    let process = tokio::task::spawn_blocking(|| {
        MockProcess::spawn(&[
            "--fault",
            "POST /v1/plants:status=503:times=1:retry-after=2",
            "--fault",
            "GET /v1/plants/*:status=500:rate=0",
        ])
    })
    .await
    .expect("the spawn task finishes");
    let client = support::client();
    let create = || {
        client
            .post(format!("{}/v1/plants", process.base_url))
            .bearer_auth(letta_mock::DEFAULT_API_KEY)
            .json(&new_plant())
            .send()
    };

    let first = support::read(create().await.expect("the request reaches letta-mock")).await;
    let second = support::read(create().await.expect("the request reaches letta-mock")).await;
    let faults = support::read(
        client
            .get(format!("{}/admin/faults", process.base_url))
            .send()
            .await
            .expect("the request reaches letta-mock"),
    )
    .await;

    first.assert_problem(503, "service_unavailable");
    assert_eq!(first.header("retry-after"), Some("2"));
    assert_eq!(second.status, StatusCode::CREATED);
    let specs: Vec<&str> = faults.body["data"]
        .as_array()
        .expect("the fault list has a data array")
        .iter()
        .filter_map(|fault| fault["spec"].as_str())
        .collect();
    assert_eq!(
        specs,
        [
            "POST /v1/plants:status=503:retry-after=2:times=1",
            "GET /v1/plants/*:status=500:rate=0"
        ]
    );
}

#[test]
fn invalid_fault_flag_stops_the_binary() {
    let output = Command::new(env!("CARGO_BIN_EXE_letta-mock"))
        .args(["--port", "0", "--fault", "POST /v1/plants:explode"])
        .output()
        .expect("letta-mock runs");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "nothing was served");
    assert!(
        stderr.contains("invalid fault `POST /v1/plants:explode`: unknown fault kind `explode`"),
        "{stderr}"
    );
}

#[tokio::test]
async fn config_faults_apply_in_process() {
    let server = support::start_with(MockConfig::new().fault("status=429:times=1")).await;

    let limited = server.get("/v1/plants?limit=1").await;
    let normal = server.get("/v1/plants?limit=1").await;

    limited.assert_problem(429, "rate_limited");
    assert_eq!(limited.header("retry-after"), Some("1"));
    assert_eq!(normal.status, StatusCode::OK);
}
