//! The resuming event stream against scripted loopback servers: reconnects
//! with `Last-Event-ID`, exactly-once delivery, early ends, idle
//! connections, and the statuses that end the stream.

mod retry_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use http::StatusCode;
use letta::types::EventType;
use letta::{Error, RetryPolicy};
use retry_support::{ManualClock, builder, plant_json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the scripted server does with one connection.
enum Reply {
    /// Sends this response and closes the connection.
    Close(String),
    /// Sends this response and keeps the connection open until the client
    /// closes it.
    Hold(String),
}

/// One request the server received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    last_event_id: Option<String>,
}

type Script = dyn Fn(usize, &Seen) -> Reply + Send + Sync;

/// A loopback HTTP server that replies to each connection from a script and
/// records every request and every connection the client closed.
struct Server {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    closed: Arc<tokio::sync::Notify>,
}

impl Server {
    async fn start(script: impl Fn(usize, &Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(tokio::sync::Notify::new());
        let script: Arc<Script> = Arc::new(script);
        let (seen_task, closed_task) = (seen.clone(), closed.clone());
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (script, seen, closed) =
                    (script.clone(), seen_task.clone(), closed_task.clone());
                tokio::spawn(serve(socket, script, seen, closed));
            }
        });
        Self {
            base_url,
            seen,
            closed,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen lock").clone()
    }
}

async fn serve(
    mut socket: TcpStream,
    script: Arc<Script>,
    seen: Arc<Mutex<Vec<Seen>>>,
    closed: Arc<tokio::sync::Notify>,
) {
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let path = head
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let last_event_id = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("last-event-id")
            .then(|| value.trim().to_owned())
    });
    let request = Seen {
        path,
        last_event_id,
    };
    let index = {
        let mut seen = seen.lock().expect("seen lock");
        seen.push(request.clone());
        seen.len() - 1
    };
    match script(index, &request) {
        Reply::Close(response) => {
            let _ = socket.write_all(response.as_bytes()).await;
        }
        Reply::Hold(response) => {
            let _ = socket.write_all(response.as_bytes()).await;
            // Waits until the client closes its side.
            while let Ok(read) = socket.read(&mut buffer).await {
                if read == 0 {
                    break;
                }
            }
            closed.notify_one();
        }
    }
}

fn event_stream(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
         connection: close\r\n\r\n{body}"
    )
}

fn status(code: u16, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {code} Scripted\r\ncontent-type: application/problem+json\r\n{headers}\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn problem(code: u16, name: &str) -> String {
    format!(
        r#"{{"type":"about:blank","title":"{name}","status":{code},"detail":"scripted {name}","code":"{name}"}}"#
    )
}

fn event_id(n: u64) -> String {
    format!("evt_{n:016}")
}

/// Returns one SSE message carrying a `plant.stock_changed` event with id `n`.
fn message(n: u64) -> String {
    message_of_type(n, "plant.stock_changed")
}

fn message_of_type(n: u64, event_type: &str) -> String {
    let id = event_id(n);
    let data = serde_json::json!({
        "id": id,
        "type": event_type,
        "created_at": "2026-01-01T00:00:00Z",
        "data": plant_json(),
    });
    format!("id: {id}\nevent: {event_type}\ndata: {data}\n\n")
}

fn messages(range: std::ops::RangeInclusive<u64>) -> String {
    range.map(message).collect()
}

async fn collect_ids(stream: &mut letta::sse::EventStream, count: usize) -> Vec<String> {
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        let event = stream
            .next()
            .await
            .expect("the stream goes on")
            .expect("an event, not an error");
        ids.push(event.id);
    }
    ids
}

fn ids(range: std::ops::RangeInclusive<u64>) -> Vec<String> {
    range.map(event_id).collect()
}

#[tokio::test]
async fn partial_event_resent_once() {
    let server = Server::start(|index, _| match index {
        0 => Reply::Close(event_stream(&format!(
            "retry: 250\n\n{}{}id: {}\ndata: {{\"id\":",
            message(11),
            message(12),
            event_id(13)
        ))),
        _ => Reply::Hold(event_stream(&messages(13..=13))),
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.plants().watch().open();
    let received = collect_ids(&mut stream, 3).await;

    assert_eq!(received, ids(11..=13));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].last_event_id, None);
    assert_eq!(seen[1].last_event_id, Some(event_id(12)));
    assert_eq!(seen[1].path, "/v1/plants/stream");
    assert_eq!(clock.sleeps(), vec![Duration::from_millis(250)]);
}

#[tokio::test]
async fn clean_end_reconnects() {
    let server = Server::start(|index, _| match index {
        0 => Reply::Close(event_stream(&messages(1..=2))),
        _ => Reply::Hold(event_stream(&messages(3..=3))),
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().open();
    let received = collect_ids(&mut stream, 3).await;

    assert_eq!(received, ids(1..=3));
    assert_eq!(server.seen()[1].last_event_id, Some(event_id(2)));
    assert_eq!(server.seen()[1].path, "/v1/events/stream");
}

#[tokio::test]
async fn replayed_events_are_delivered_once() {
    let server = Server::start(|index, _| match index {
        0 => Reply::Close(event_stream(&messages(1..=3))),
        // A server that replays from before the Last-Event-ID.
        _ => Reply::Hold(event_stream(&messages(2..=5))),
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().open();
    let received = collect_ids(&mut stream, 5).await;

    assert_eq!(received, ids(1..=5));
}

#[tokio::test]
async fn dropped_every_hundred_delivers_all_once() {
    let server = Server::start(|_, seen| {
        let after = seen
            .last_event_id
            .as_deref()
            .and_then(|id| id.strip_prefix("evt_"))
            .map_or(0, |n| n.parse::<u64>().expect("numeric id"));
        if after >= 10_000 {
            return Reply::Hold(event_stream(""));
        }
        // Replays the last delivered event too, then cuts the 101st event
        // in half.
        let first = after.max(1);
        let last = (after + 100).min(10_000);
        let mut body = messages(first..=last);
        body.push_str(&format!("id: {}\ndata: {{", event_id(last + 1)));
        Reply::Close(event_stream(&body))
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().open();
    let received = collect_ids(&mut stream, 10_000).await;

    assert_eq!(received, ids(1..=10_000));
    assert_eq!(server.seen().len(), 100);
}

#[tokio::test]
async fn unknown_event_types_are_events_not_errors() {
    let server = Server::start(|_, _| {
        Reply::Hold(event_stream(&format!(
            ": heartbeat\n\n{}{}",
            message_of_type(1, "plant.repotted"),
            message(2)
        )))
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().open();
    let first = stream.next().await.expect("an item").expect("an event");
    let second = stream.next().await.expect("an item").expect("an event");

    assert_eq!(
        first.event_type,
        EventType::Unknown("plant.repotted".into())
    );
    assert_eq!(second.event_type, EventType::PlantStockChanged);
}

#[tokio::test]
async fn rate_limited_open_is_retried_then_streams() {
    let server = Server::start(|index, _| match index {
        0 | 1 => Reply::Close(status(
            429,
            "retry-after: 1\r\n",
            &problem(429, "rate_limited"),
        )),
        _ => Reply::Hold(event_stream(&messages(1..=2))),
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.plants().watch().open();
    let received = collect_ids(&mut stream, 2).await;

    assert_eq!(received, ids(1..=2));
    assert_eq!(server.seen().len(), 3);
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(1), Duration::from_secs(1)]
    );
}

#[tokio::test]
async fn failure_after_event_resumes() {
    let server = Server::start(|index, _| match index {
        0 => Reply::Close(event_stream(&messages(1..=1))),
        1 => Reply::Close(status(503, "", &problem(503, "unavailable"))),
        _ => Reply::Hold(event_stream(&messages(2..=2))),
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().open();
    let received = collect_ids(&mut stream, 2).await;

    assert_eq!(received, ids(1..=2));
    let seen = server.seen();
    assert_eq!(seen[1].last_event_id, Some(event_id(1)));
    assert_eq!(seen[2].last_event_id, Some(event_id(1)));
}

#[tokio::test]
async fn refusals_end_the_stream_after_one_attempt() {
    for (code, name) in [
        (400, "invalid_request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (404, "not_found"),
    ] {
        let server =
            Server::start(move |_, _| Reply::Close(status(code, "", &problem(code, name)))).await;
        let clock = ManualClock::new();
        let client = builder(&server.base_url, &clock).build().expect("client");

        let mut stream = client.events().watch().open();
        let first = stream.next().await.expect("an item");
        let after = stream.next().await;

        let Err(Error::Api(error)) = first else {
            panic!("expected an API error for {code}, got {first:?}");
        };
        assert_eq!(error.status, StatusCode::from_u16(code).expect("status"));
        assert_eq!(error.code.as_deref(), Some(name));
        assert!(after.is_none(), "the stream ends after {code}");
        assert_eq!(server.seen().len(), 1, "one attempt for {code}");
    }
}

#[tokio::test]
async fn wrong_content_type_is_error() {
    let server = Server::start(|_, _| {
        Reply::Close(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\
             connection: close\r\n\r\n{}"
                .to_owned(),
        )
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().open();
    let first = stream.next().await.expect("an item");
    let after = stream.next().await;

    let Err(Error::Decode(error)) = first else {
        panic!("expected a decode error, got {first:?}");
    };
    assert!(error.to_string().contains("text/event-stream"), "{error}");
    assert!(after.is_none());
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn unavailable_retried_up_to_limit() {
    let server =
        Server::start(|_, _| Reply::Close(status(503, "", &problem(503, "unavailable")))).await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock)
        .retry_policy(
            RetryPolicy::new()
                .max_retries(3)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_secs(2)),
        )
        .build()
        .expect("client");

    let mut stream = client.events().watch().open();
    let first = stream.next().await.expect("an item");
    let after = stream.next().await;

    let Err(Error::Api(error)) = first else {
        panic!("expected an API error, got {first:?}");
    };
    assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(error.attempts, 4);
    assert!(after.is_none());
    assert_eq!(server.seen().len(), 4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    assert!(
        sleeps.iter().all(|sleep| *sleep <= Duration::from_secs(2)),
        "{sleeps:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn silent_connection_reconnects() {
    let server = Server::start(|index, _| match index {
        0 => Reply::Hold(event_stream(&messages(1..=1))),
        _ => Reply::Hold(event_stream(&messages(2..=2))),
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client
        .events()
        .watch()
        .idle_timeout(Duration::from_secs(45))
        .open();
    let received = collect_ids(&mut stream, 2).await;

    assert_eq!(received, ids(1..=2));
    assert_eq!(server.seen()[1].last_event_id, Some(event_id(1)));
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let server = Server::start(|_, _| Reply::Hold(event_stream(&messages(1..=1)))).await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client
        .events()
        .watch()
        .event_types([EventType::PlantStockChanged])
        .open();
    let received = collect_ids(&mut stream, 1).await;
    let closed = server.closed.notified();
    drop(stream);
    closed.await;

    assert_eq!(received, ids(1..=1));
    assert!(server.seen()[0].path.contains("types=plant.stock_changed"));
}

#[tokio::test]
async fn since_is_sent_as_last_event_id() {
    let server = Server::start(|_, _| Reply::Hold(event_stream(&messages(5..=6)))).await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().since(event_id(5)).open();
    let received = collect_ids(&mut stream, 1).await;

    assert_eq!(received, ids(6..=6));
    assert_eq!(server.seen()[0].last_event_id, Some(event_id(5)));
}

#[tokio::test]
async fn expired_notice_is_an_error_item() {
    let server = Server::start(|_, _| {
        let notice = r#"{"type":"about:blank","title":"Gone","status":410,"detail":"events expired","code":"events_expired"}"#;
        Reply::Hold(event_stream(&format!(
            "event: error\ndata: {notice}\n\n{}",
            message(9)
        )))
    })
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.base_url, &clock).build().expect("client");

    let mut stream = client.events().watch().since(event_id(1)).open();
    let first = stream.next().await.expect("an item");
    let second = stream.next().await.expect("an item").expect("an event");

    let Err(Error::Api(error)) = first else {
        panic!("expected an API error, got {first:?}");
    };
    assert_eq!(error.status, StatusCode::GONE);
    assert_eq!(error.code.as_deref(), Some("events_expired"));
    assert_eq!(second.id, event_id(9));
}
