//! Prefetch in auto-pagination: the walk fetches up to two pages ahead, yet
//! yields every item once and in order, reports a failed page after the last item
//! before it, and aborts the request in flight when the stream is dropped.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, TryStreamExt};
use letta::{Client, Error, RetryPolicy};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const LIMIT: usize = 10;

/// How the scripted server responds to the request for the page after an item.
#[derive(Clone, Copy)]
enum Script {
    /// Every page succeeds.
    Serve,
    /// The page after item `n` fails with a 400, which is never retried.
    FailAfter(usize),
    /// The request for the page after item `n` never completes.
    HangAfter(usize),
}

struct Plan {
    total: usize,
    script: Script,
    requests: AtomicUsize,
    /// Receives a message when the hanging request arrives.
    hang_started: mpsc::UnboundedSender<()>,
    /// Receives a message when the server drops the hanging request.
    hang_dropped: mpsc::UnboundedSender<()>,
}

/// Sends on a channel when dropped, which shows that the server dropped the
/// handler of a request whose connection closed.
struct DropSignal(mpsc::UnboundedSender<()>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

fn plant(n: usize) -> Value {
    json!({
        "id": format!("plt_{n:016}"),
        "name": format!("Plant {n}"),
        "species": "Ficus elastica",
        "category": "foliage",
        "description": "",
        "tags": [],
        "price": 1299,
        "currency": "usd",
        "stock": 4,
        "low_stock_threshold": 5,
        "status": "low_stock",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

async fn list(
    State(plan): State<Arc<Plan>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    plan.requests.fetch_add(1, Ordering::SeqCst);
    let start = match query.get("starting_after") {
        Some(cursor) => {
            let n: usize = cursor
                .trim_start_matches("plt_")
                .parse()
                .expect("a cursor this server wrote");
            n + 1
        }
        None => 0,
    };
    match plan.script {
        Script::FailAfter(n) if start == n + 1 => {
            let problem = json!({
                "type": "about:blank",
                "title": "Bad Request",
                "status": 400,
                "code": "invalid_parameter"
            });
            return (StatusCode::BAD_REQUEST, Json(problem)).into_response();
        }
        Script::HangAfter(n) if start == n + 1 => {
            let _signal = DropSignal(plan.hang_dropped.clone());
            let _ = plan.hang_started.send(());
            std::future::pending::<()>().await;
        }
        _ => {}
    }
    let end = (start + LIMIT).min(plan.total);
    Json(json!({
        "data": (start..end).map(plant).collect::<Vec<_>>(),
        "limit": LIMIT,
        "total": plan.total,
        "has_more": end < plan.total
    }))
    .into_response()
}

struct Server {
    client: Client,
    plan: Arc<Plan>,
    hang_started: mpsc::UnboundedReceiver<()>,
    hang_dropped: mpsc::UnboundedReceiver<()>,
}

async fn serve(total: usize, script: Script) -> Server {
    let (started_tx, hang_started) = mpsc::unbounded_channel();
    let (dropped_tx, hang_dropped) = mpsc::unbounded_channel();
    let plan = Arc::new(Plan {
        total,
        script,
        requests: AtomicUsize::new(0),
        hang_started: started_tx,
        hang_dropped: dropped_tx,
    });
    let app = axum::Router::new()
        .route("/v1/plants", axum::routing::get(list))
        .with_state(plan.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("bound address");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("server runs");
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .api_key("sk_test_letta")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid client settings");
    Server {
        client,
        plan,
        hang_started,
        hang_dropped,
    }
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|n| format!("plt_{n:016}")).collect()
}

/// Waits for a signal from the server; the limit only stops a broken test
/// from hanging.
async fn signal(receiver: &mut mpsc::UnboundedReceiver<()>) -> bool {
    tokio::time::timeout(Duration::from_secs(30), receiver.recv())
        .await
        .ok()
        .flatten()
        .is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prefetching_walk_yields_every_item_once_in_order() {
    let server = serve(253, Script::Serve).await;

    let plants: Vec<_> = server
        .client
        .plants()
        .list()
        .limit(LIMIT as u32)
        .stream()
        .try_collect()
        .await
        .expect("every page succeeds");

    let seen: Vec<String> = plants.into_iter().map(|plant| plant.id).collect();
    assert_eq!(seen, ids(0..253));
    assert_eq!(server.plan.requests.load(Ordering::SeqCst), 26);
}

#[tokio::test]
async fn walk_without_prefetch_yields_the_same_items() {
    let server = serve(95, Script::Serve).await;

    let plants: Vec<_> = server
        .client
        .plants()
        .list()
        .limit(LIMIT as u32)
        .prefetch(false)
        .stream()
        .try_collect()
        .await
        .expect("every page succeeds");

    let seen: Vec<String> = plants.into_iter().map(|plant| plant.id).collect();
    assert_eq!(seen, ids(0..95));
}

#[tokio::test]
async fn prefetch_requests_next_page_early() {
    let mut server = serve(100, Script::HangAfter(LIMIT - 1)).await;
    let mut plants = server.client.plants().list().limit(LIMIT as u32).stream();

    let first = plants.try_next().await.expect("first page succeeds");

    assert_eq!(first.map(|plant| plant.id), Some(ids(0..1).remove(0)));
    assert!(
        signal(&mut server.hang_started).await,
        "the request for page 2 arrives while the caller holds item 1"
    );
}

#[tokio::test]
async fn prefetch_stops_two_pages_ahead() {
    let server = serve(100, Script::Serve).await;
    let mut plants = server.client.plants().list().limit(LIMIT as u32).stream();

    plants.try_next().await.expect("first page succeeds");
    let requests = || server.plan.requests.load(Ordering::SeqCst);
    let reached = tokio::time::timeout(Duration::from_secs(30), async {
        while requests() < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    // Time for a fourth request, which must not come while the caller is
    // still on page 1.
    tokio::time::sleep(Duration::from_millis(200)).await;

    assert!(reached.is_ok(), "pages 2 and 3 are requested early");
    assert_eq!(requests(), 3);
}

#[tokio::test]
async fn no_prefetch_waits_for_caller() {
    let server = serve(100, Script::Serve).await;
    let mut plants = server
        .client
        .plants()
        .list()
        .limit(LIMIT as u32)
        .prefetch(false)
        .stream();

    for _ in 0..LIMIT {
        plants.try_next().await.expect("first page succeeds");
    }

    assert_eq!(server.plan.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn failed_page_follows_previous_items() {
    let server = serve(100, Script::FailAfter(2 * LIMIT - 1)).await;

    let results: Vec<Result<String, Error>> = server
        .client
        .plants()
        .list()
        .limit(LIMIT as u32)
        .stream()
        .map(|item| item.map(|plant| plant.id))
        .collect()
        .await;

    assert_eq!(results.len(), 2 * LIMIT + 1);
    let items: Vec<String> = results[..2 * LIMIT]
        .iter()
        .map(|item| item.as_ref().expect("items before the failure").clone())
        .collect();
    assert_eq!(items, ids(0..2 * LIMIT));
    let error = results[2 * LIMIT].as_ref().expect_err("the failed page");
    assert_eq!(error.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(server.plan.requests.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn dropping_the_stream_aborts_the_request_in_flight() {
    let mut server = serve(100, Script::HangAfter(LIMIT - 1)).await;
    let mut plants = server.client.plants().list().limit(LIMIT as u32).stream();
    plants.try_next().await.expect("first page succeeds");
    assert!(
        signal(&mut server.hang_started).await,
        "the request for page 2 is in flight"
    );

    drop(plants);

    assert!(
        signal(&mut server.hang_dropped).await,
        "the server sees the request for page 2 go away"
    );
}

#[tokio::test]
async fn stream_that_is_never_polled_sends_nothing() {
    let server = serve(100, Script::Serve).await;
    let plants = server.client.plants().list().limit(LIMIT as u32).stream();

    drop(plants);

    assert_eq!(server.plan.requests.load(Ordering::SeqCst), 0);
}
