//! The Server-Sent Events streams `/v1/plants/stream` and
//! `/v1/events/stream`, read over real HTTP chunk by chunk.

mod support;

use std::time::Duration;

use letta_mock::MockConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, start, start_with};

/// Maximum wait for one chunk of a stream before a test fails.
const CHUNK_TIMEOUT: Duration = Duration::from_secs(10);

/// One SSE message, its fields as received.
#[derive(Debug, Default, Clone, PartialEq)]
struct Message {
    id: Option<String>,
    event: Option<String>,
    data: Option<String>,
    retry: Option<String>,
    comment: Option<String>,
}

impl Message {
    fn data_json(&self) -> Value {
        let data = self.data.as_deref().expect("the message has a data field");
        serde_json::from_str(data).expect("the data field is JSON")
    }
}

/// An open stream, split into messages at blank lines.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    /// Returns the next message, or `None` once the server ended the body.
    async fn next_message(&mut self) -> Option<Message> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                return Some(parse_message(&block[..end]));
            }
            let chunk = tokio::time::timeout(CHUNK_TIMEOUT, self.response.chunk())
                .await
                .expect("the stream sends its next chunk in time")
                .expect("the stream body reads without error")?;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("the stream is UTF-8"));
        }
    }

    /// Returns the next message that is not a heartbeat.
    async fn next_event(&mut self) -> Message {
        loop {
            let message = self.next_message().await.expect("the stream stays open");
            if message.comment.as_deref() != Some("heartbeat") {
                return message;
            }
        }
    }

    /// Reads the `retry:` hint that every stream sends first.
    async fn skip_retry(&mut self) {
        let first = self
            .next_message()
            .await
            .expect("the stream sends a retry hint");
        assert!(first.retry.is_some(), "first message: {first:?}");
    }
}

fn parse_message(block: &str) -> Message {
    let mut message = Message::default();
    for line in block.lines() {
        if let Some(comment) = line.strip_prefix(": ") {
            message.comment = Some(comment.to_owned());
            continue;
        }
        let (field, value) = line.split_once(": ").unwrap_or((line, ""));
        let value = Some(value.to_owned());
        match field {
            "id" => message.id = value,
            "event" => message.event = value,
            "data" => message.data = value,
            "retry" => message.retry = value,
            other => panic!("unexpected field `{other}` in {block:?}"),
        }
    }
    message
}

/// Opens `path` with an optional `Last-Event-ID` and checks that it is 200.
async fn open(server: &TestServer, path: &str, last_event_id: Option<&str>) -> Stream {
    let response = send_open(server, path, last_event_id).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    Stream {
        response,
        buffer: String::new(),
    }
}

async fn send_open(
    server: &TestServer,
    path: &str,
    last_event_id: Option<&str>,
) -> reqwest::Response {
    let mut request = server
        .client
        .get(server.url(path))
        .bearer_auth(server.server.api_key());
    if let Some(id) = last_event_id {
        request = request.header("Last-Event-ID", id);
    }
    request
        .send()
        .await
        .expect("request reaches the mock server")
}

/// Returns the ids of the first `count` seeded plants.
async fn plant_ids(server: &TestServer, count: usize) -> Vec<String> {
    let reply = server.get(&format!("/v1/plants?limit={count}")).await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    reply.ids()
}

/// Raises a plant's stock by one, which appends one `plant.stock_changed`.
async fn add_stock(server: &TestServer, plant_id: &str) {
    let reply = server
        .post(&format!("/v1/plants/{plant_id}/stock"), json!({"delta": 1}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
}

/// Returns the ids of the oldest 100 retained events, oldest first.
async fn event_ids(server: &TestServer) -> Vec<String> {
    let reply = server.get("/v1/events?limit=100").await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    reply.ids()
}

#[tokio::test]
async fn stream_headers_and_retry_hint() {
    let server = start_with(MockConfig::new().sse_retry_ms(2500)).await;

    for path in ["/v1/plants/stream", "/v1/events/stream"] {
        let mut stream = open(&server, path, None).await;
        let headers = stream.response.headers();
        assert_eq!(
            headers
                .get("content-type")
                .and_then(|value| value.to_str().ok()),
            Some("text/event-stream"),
            "{path}"
        );
        assert_eq!(
            headers
                .get("cache-control")
                .and_then(|value| value.to_str().ok()),
            Some("no-store"),
            "{path}"
        );
        assert!(headers.contains_key("request-id"), "{path}");

        let first = stream.next_message().await.expect("a retry hint");
        assert_eq!(first.retry.as_deref(), Some("2500"), "{path}");
    }
}

#[tokio::test]
async fn stock_change_reaches_both_streams() {
    let server = start().await;
    let plant = plant_ids(&server, 1).await.remove(0);
    let mut plants = open(&server, "/v1/plants/stream", None).await;
    let mut events = open(&server, "/v1/events/stream", None).await;
    plants.skip_retry().await;
    events.skip_retry().await;

    add_stock(&server, &plant).await;

    for stream in [&mut plants, &mut events] {
        let message = stream.next_event().await;
        assert_eq!(message.event.as_deref(), Some("plant.stock_changed"));
        let event = message.data_json();
        assert_eq!(event["type"], "plant.stock_changed");
        assert_eq!(message.id.as_deref(), event["id"].as_str());
        assert_eq!(event["data"]["id"], plant.as_str());
    }
}

#[tokio::test]
async fn plant_id_and_types_filter() {
    let server = start().await;
    let ids = plant_ids(&server, 2).await;
    let (first, second) = (&ids[0], &ids[1]);
    let mut by_plant = open(
        &server,
        &format!("/v1/plants/stream?plant_id={second}"),
        None,
    )
    .await;
    let mut by_type = open(&server, "/v1/plants/stream?types=plant.updated", None).await;
    let mut all_by_type = open(&server, "/v1/events/stream?types=plant.updated", None).await;
    by_plant.skip_retry().await;
    by_type.skip_retry().await;
    all_by_type.skip_retry().await;

    add_stock(&server, first).await;
    add_stock(&server, second).await;
    let reply = server
        .patch(
            &format!("/v1/plants/{first}"),
            json!({"name": "Renamed Fern"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);

    let message = by_plant.next_event().await;
    assert_eq!(message.event.as_deref(), Some("plant.stock_changed"));
    assert_eq!(message.data_json()["data"]["id"], second.as_str());

    for stream in [&mut by_type, &mut all_by_type] {
        let message = stream.next_event().await;
        assert_eq!(message.event.as_deref(), Some("plant.updated"));
        assert_eq!(message.data_json()["data"]["id"], first.as_str());
    }
}

#[tokio::test]
async fn last_event_id_replays_then_goes_live() {
    let server = start().await;
    let plant = plant_ids(&server, 1).await.remove(0);
    for _ in 0..3 {
        add_stock(&server, &plant).await;
    }
    let logged = event_ids(&server).await;
    assert_eq!(logged.len(), 3);

    let mut stream = open(&server, "/v1/events/stream", Some(&logged[0])).await;
    stream.skip_retry().await;
    let replayed = [stream.next_event().await, stream.next_event().await];
    add_stock(&server, &plant).await;
    let live = stream.next_event().await;

    assert_eq!(replayed[0].id.as_deref(), Some(logged[1].as_str()));
    assert_eq!(replayed[1].id.as_deref(), Some(logged[2].as_str()));
    let newest = event_ids(&server).await.pop();
    assert_eq!(live.id, newest);
}

#[tokio::test]
async fn since_and_header_precedence() {
    let server = start().await;
    let plant = plant_ids(&server, 1).await.remove(0);
    for _ in 0..3 {
        add_stock(&server, &plant).await;
    }
    let logged = event_ids(&server).await;

    let since = format!("/v1/plants/stream?since={}", logged[0]);
    let mut by_since = open(&server, &since, None).await;
    by_since.skip_retry().await;
    assert_eq!(
        by_since.next_event().await.id.as_deref(),
        Some(logged[1].as_str())
    );

    // An empty Last-Event-ID counts as absent, so `since` applies.
    let mut empty_header = open(&server, &since, Some("")).await;
    empty_header.skip_retry().await;
    assert_eq!(
        empty_header.next_event().await.id.as_deref(),
        Some(logged[1].as_str())
    );

    let mut header_wins = open(&server, &since, Some(&logged[1])).await;
    header_wins.skip_retry().await;
    assert_eq!(
        header_wins.next_event().await.id.as_deref(),
        Some(logged[2].as_str())
    );
}

#[tokio::test]
async fn expired_id_sends_error_then_continues() {
    let server = start_with(MockConfig::new().max_events(2)).await;
    let plant = plant_ids(&server, 1).await.remove(0);
    add_stock(&server, &plant).await;
    let first = event_ids(&server).await.remove(0);
    for _ in 0..3 {
        add_stock(&server, &plant).await;
    }
    let retained = event_ids(&server).await;
    assert_eq!(retained.len(), 2);

    let mut stream = open(&server, "/v1/events/stream", Some(&first)).await;
    stream.skip_retry().await;
    let error = stream.next_event().await;
    let after = [stream.next_event().await, stream.next_event().await];

    assert_eq!(error.event.as_deref(), Some("error"));
    assert_eq!(error.id, None);
    let problem = error.data_json();
    assert_eq!(problem["status"], 410);
    assert_eq!(problem["code"], "events_expired");
    assert_eq!(after[0].id.as_deref(), Some(retained[0].as_str()));
    assert_eq!(after[1].id.as_deref(), Some(retained[1].as_str()));
}

#[tokio::test]
async fn heartbeat_at_configured_interval() {
    let server = start_with(MockConfig::new().sse_heartbeat_ms(20)).await;
    let mut stream = open(&server, "/v1/plants/stream", None).await;
    stream.skip_retry().await;

    let message = stream.next_message().await.expect("the stream stays open");

    assert_eq!(message.comment.as_deref(), Some("heartbeat"));
    assert_eq!(message.id, None);
    assert_eq!(message.data, None);
}

#[tokio::test]
async fn drop_every_ends_stream_and_resume_is_exact() {
    let server = start_with(MockConfig::new().sse_drop_every(2)).await;
    let plant = plant_ids(&server, 1).await.remove(0);
    let mut stream = open(&server, "/v1/events/stream", None).await;
    stream.skip_retry().await;
    for _ in 0..3 {
        add_stock(&server, &plant).await;
    }
    let logged = event_ids(&server).await;

    let first = [stream.next_event().await, stream.next_event().await];
    let end = stream.next_message().await;
    assert_eq!(first[0].id.as_deref(), Some(logged[0].as_str()));
    assert_eq!(first[1].id.as_deref(), Some(logged[1].as_str()));
    assert_eq!(end, None, "the stream ends after 2 events");

    let mut resumed = open(&server, "/v1/events/stream", first[1].id.as_deref()).await;
    resumed.skip_retry().await;
    let replayed = resumed.next_event().await;
    add_stock(&server, &plant).await;
    let live = resumed.next_event().await;

    assert_eq!(replayed.id.as_deref(), Some(logged[2].as_str()));
    assert_eq!(live.id, event_ids(&server).await.pop());
    assert_eq!(resumed.next_message().await, None);
}

#[tokio::test]
async fn invalid_filters_are_rejected() {
    let server = start().await;
    let cases = [
        (
            "/v1/events/stream?types=plant.created,order.shipped",
            "order.shipped",
        ),
        ("/v1/plants/stream?types=order.created", "order.created"),
        (
            "/v1/plants/stream?types=plant.created,plant.created",
            "plant.created",
        ),
        (
            "/v1/plants/stream?plant_id=cus_0000000000000000",
            "cus_0000000000000000",
        ),
        ("/v1/events/stream?since=evt_1", "evt_1"),
        ("/v1/events/stream?follow=true", "follow"),
    ];

    for (path, named) in cases {
        let reply = server.get(path).await;
        reply.assert_problem(400, "invalid_parameter");
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        let errors = reply.body["errors"].to_string();
        assert!(
            detail.contains(named) || errors.contains(named),
            "{path}: {}",
            reply.body
        );
    }

    let response = send_open(&server, "/v1/events/stream", Some("not-an-id")).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn stream_requires_api_key() {
    let server = start().await;

    for path in ["/v1/plants/stream", "/v1/events/stream"] {
        let response = server
            .client
            .get(server.url(path))
            .send()
            .await
            .expect("request reaches the mock server");
        let reply = support::read(response).await;
        reply.assert_problem(401, "missing_api_key");
    }
}

#[tokio::test]
async fn burst_beyond_channel_loses_nothing() {
    // More events than the broadcast channel buffers (1024), each carrying
    // a 2000-character description, appended while the client reads
    // nothing. Once the socket buffers fill, the stream lags behind the
    // channel and must re-read the missed events from the log.
    const CHANGES: usize = 5000;
    let server = start_with(MockConfig::new().rate_limit(0, 1)).await;
    let plant = plant_ids(&server, 1).await.remove(0);
    let reply = server
        .patch(
            &format!("/v1/plants/{plant}"),
            json!({"description": "x".repeat(2000)}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    let mut stream = open(&server, "/v1/events/stream?types=plant.stock_changed", None).await;
    stream.skip_retry().await;

    for _ in 0..CHANGES {
        add_stock(&server, &plant).await;
    }
    let mut received = Vec::new();
    for _ in 0..CHANGES {
        let message = stream.next_event().await;
        received.push(message.id.expect("every event has an id"));
    }

    let mut logged = Vec::new();
    let mut path = "/v1/events?limit=100&type=plant.stock_changed".to_owned();
    loop {
        let reply = server.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
        logged.extend(reply.ids());
        let Some(last) = logged.last() else { break };
        if reply.body["has_more"] != true {
            break;
        }
        path = format!("/v1/events?limit=100&type=plant.stock_changed&starting_after={last}");
    }
    assert_eq!(logged.len(), CHANGES);
    assert_eq!(received, logged);
}

/// Adds a fault through the admin surface and returns it as listed.
async fn add_fault(server: &TestServer, fault: Value) -> Value {
    let reply = server.post("/admin/faults", fault).await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn sse_drop_fault_then_exact_resume() {
    let server = start().await;
    let fault = add_fault(&server, json!({"kind": "sse_drop", "every": 2})).await;
    let plant = plant_ids(&server, 1).await.remove(0);
    let mut stream = open(&server, "/v1/events/stream", None).await;
    stream.skip_retry().await;
    for _ in 0..3 {
        add_stock(&server, &plant).await;
    }
    let logged = event_ids(&server).await;

    let first = [stream.next_event().await, stream.next_event().await];
    let end = stream.next_message().await;
    let mut resumed = open(&server, "/v1/events/stream", first[1].id.as_deref()).await;
    resumed.skip_retry().await;
    let replayed = resumed.next_event().await;
    add_stock(&server, &plant).await;
    let live = resumed.next_event().await;
    let resumed_end = resumed.next_message().await;
    let counted = server.get(&format!("/admin/faults/{}", fault["id"])).await;

    assert_eq!(fault["spec"], "sse-drop=2");
    assert_eq!(fault["every"], 2);
    assert_eq!(first[0].id.as_deref(), Some(logged[0].as_str()));
    assert_eq!(first[1].id.as_deref(), Some(logged[1].as_str()));
    assert_eq!(end, None, "the stream ends after 2 events");
    assert_eq!(replayed.id.as_deref(), Some(logged[2].as_str()));
    assert_eq!(live.id, event_ids(&server).await.pop());
    assert_eq!(resumed_end, None, "the resumed stream also ends after 2");
    assert_eq!(counted.body["applied"], 2);
}

#[tokio::test]
async fn sse_drop_flag_spec_with_times() {
    let server = start_with(MockConfig::new().fault("/v1/events/stream:sse-drop=1:times=1")).await;
    let plant = plant_ids(&server, 1).await.remove(0);
    let mut stream = open(&server, "/v1/events/stream", None).await;
    stream.skip_retry().await;
    add_stock(&server, &plant).await;

    let only = stream.next_event().await;
    let end = stream.next_message().await;
    let mut resumed = open(&server, "/v1/events/stream", only.id.as_deref()).await;
    resumed.skip_retry().await;
    add_stock(&server, &plant).await;
    add_stock(&server, &plant).await;
    let after = [resumed.next_event().await, resumed.next_event().await];
    let logged = event_ids(&server).await;

    assert_eq!(end, None, "the first stream ends after 1 event");
    assert_eq!(after[0].id.as_deref(), Some(logged[1].as_str()));
    assert_eq!(after[1].id.as_deref(), Some(logged[2].as_str()));
}

#[tokio::test]
async fn sse_drop_fault_leaves_other_routes_alone() {
    let server = start().await;
    add_fault(&server, json!({"kind": "sse_drop", "every": 1, "times": 1})).await;

    let plants = server.get("/v1/plants?limit=1").await;
    let listed = server.get("/admin/faults").await;

    assert_eq!(plants.status, StatusCode::OK);
    assert_eq!(listed.body["data"][0]["applied"], 0);
    assert_eq!(listed.body["data"][0]["remaining"], 1);
}

#[tokio::test]
async fn sse_drop_every_is_a_removable_fault() {
    let server = start_with(MockConfig::new().sse_drop_every(1)).await;
    let listed = server.get("/admin/faults").await;
    let id = listed.body["data"][0]["id"].clone();
    let removed = server.delete(&format!("/admin/faults/{id}")).await;
    let plant = plant_ids(&server, 1).await.remove(0);
    let mut stream = open(&server, "/v1/events/stream", None).await;
    stream.skip_retry().await;
    add_stock(&server, &plant).await;
    add_stock(&server, &plant).await;

    let events = [stream.next_event().await, stream.next_event().await];

    assert_eq!(listed.body["data"][0]["kind"], "sse_drop");
    assert_eq!(listed.body["data"][0]["spec"], "sse-drop=1");
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    assert!(events[0].id.is_some());
    assert!(events[1].id.is_some());
}

#[tokio::test]
async fn invalid_sse_drop_faults_are_rejected() {
    let server = start().await;
    let cases = [
        (json!({"kind": "sse_drop"}), "/every"),
        (json!({"kind": "sse_drop", "every": 0}), "/every"),
        (
            json!({"kind": "status", "status": 503, "every": 2}),
            "/every",
        ),
        (
            json!({"kind": "sse_drop", "every": 2, "status": 503}),
            "/status",
        ),
    ];

    for (body, pointer) in cases {
        let reply = server.post("/admin/faults", body.clone()).await;
        reply.assert_problem(422, "validation_failed");
        assert!(
            reply.error_pointers().contains(&pointer.to_owned()),
            "{body}: {}",
            reply.body
        );
    }
}
