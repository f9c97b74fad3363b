//! Webhook delivery: deliveries per second from order creation through the
//! mock server's dispatcher to a local receiver, and the latency from
//! `client.orders().create(...)` to the signed delivery's receipt.
//!
//! The mock server, the SDK client and the receiver (axum on
//! `127.0.0.1:0`, which checks every delivery with the SDK's `Verifier`)
//! run in one process, on one tokio runtime with a worker thread per core,
//! and talk HTTP over loopback. The mock allows loopback targets
//! (`allow_private_webhook_targets(true)`) and has rate limiting off.
//!
//! - Latency: `LATENCY_ORDERS` orders created one after the other; for
//!   each, the time from sending the create request to the receiver having
//!   verified its `order.created` delivery, and to the create response.
//! - Throughput: `THROUGHPUT_ORDERS` orders created by `WORKERS` tasks at
//!   once; the time runs from the first create to the last delivery
//!   received.
//!
//! Run: `cargo bench -p letta-tests --bench webhooks`

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use letta::Client;
use letta::types::{CreateCustomer, CreateOrder, CreateWebhook, EventType, StockAdjustment};
use letta::webhooks::Verifier;
use letta_mock::{MockConfig, MockServer};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const LATENCY_ORDERS: usize = 500;
const WARM_UP_ORDERS: usize = 20;
const THROUGHPUT_ORDERS: usize = 2_000;
const WORKERS: usize = 8;
const _: () = assert!(
    THROUGHPUT_ORDERS.is_multiple_of(WORKERS),
    "the workers share the orders evenly"
);
/// The maximum wait for one delivery before the benchmark gives up.
const PATIENCE: Duration = Duration::from_secs(30);

/// What the receiver reports for each request: when it finished verifying,
/// and the order id, or the reason the delivery did not verify.
type Receipt = (Instant, Result<String, String>);

struct Receiver {
    verifier: Verifier,
    receipts: mpsc::UnboundedSender<Receipt>,
}

async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let order = match receiver.verifier.verify(&headers, &body) {
        Ok(event) => event
            .data
            .object_id()
            .map(str::to_owned)
            .ok_or_else(|| format!("event {} names no object", event.id)),
        Err(error) => Err(error.to_string()),
    };
    let status = if order.is_ok() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::BAD_REQUEST
    };
    // The benchmark reads every receipt until it ends.
    let _ = receiver.receipts.send((Instant::now(), order));
    status
}

/// Reads the next receipt, which must verify, and returns it.
async fn next_receipt(received: &mut mpsc::UnboundedReceiver<Receipt>) -> (Instant, String) {
    let (at, order) = tokio::time::timeout(PATIENCE, received.recv())
        .await
        .expect("the delivery arrives in time")
        .expect("the receiver runs");
    (
        at,
        order.unwrap_or_else(|error| panic!("delivery did not verify: {error}")),
    )
}

fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

struct Setup {
    customer: String,
    plant: String,
}

async fn set_up(client: &Client) -> Setup {
    let customer = client
        .customers()
        .create(&CreateCustomer::new("Bench", "bench.webhooks@example.com"))
        .await
        .expect("the mock creates a customer");
    let plant = client
        .plants()
        .list()
        .limit(1)
        .send()
        .await
        .expect("the mock lists its plants")
        .data
        .remove(0);
    client
        .plants()
        .adjust_stock(&plant.id, StockAdjustment::Set(1_000_000))
        .await
        .expect("the mock sets the stock");
    Setup {
        customer: customer.id,
        plant: plant.id,
    }
}

async fn create_order(client: &Client, setup: &Setup) -> String {
    client
        .orders()
        .create(&CreateOrder::new(&setup.customer).item(&setup.plant, 1))
        .await
        .expect("the mock creates the order")
        .id
}

struct Latencies {
    to_delivery: Vec<Duration>,
    to_response: Vec<Duration>,
}

async fn latency(
    client: &Client,
    setup: &Setup,
    received: &mut mpsc::UnboundedReceiver<Receipt>,
) -> Latencies {
    let mut to_delivery = Vec::with_capacity(LATENCY_ORDERS);
    let mut to_response = Vec::with_capacity(LATENCY_ORDERS);
    for round in 0..WARM_UP_ORDERS + LATENCY_ORDERS {
        let sent = Instant::now();
        let order = create_order(client, setup).await;
        let answered = sent.elapsed();
        let (at, delivered) = next_receipt(received).await;
        assert_eq!(delivered, order, "deliveries arrive in order here");
        if round >= WARM_UP_ORDERS {
            to_delivery.push(at - sent);
            to_response.push(answered);
        }
    }
    to_delivery.sort();
    to_response.sort();
    Latencies {
        to_delivery,
        to_response,
    }
}

struct Throughput {
    created: Duration,
    delivered: Duration,
}

async fn throughput(
    client: &Client,
    setup: Arc<Setup>,
    received: &mut mpsc::UnboundedReceiver<Receipt>,
) -> Throughput {
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let client = client.clone();
            let setup = setup.clone();
            let share = THROUGHPUT_ORDERS / WORKERS;
            tokio::spawn(async move {
                let mut orders = Vec::with_capacity(share);
                for _ in 0..share {
                    orders.push(create_order(&client, &setup).await);
                }
                orders
            })
        })
        .collect();
    let mut pending = HashSet::new();
    for worker in workers {
        for order in worker.await.expect("worker finishes") {
            pending.insert(order);
        }
    }
    let created = started.elapsed();
    let mut delivered = 0;
    while delivered < THROUGHPUT_ORDERS {
        let (_, order) = next_receipt(received).await;
        assert!(pending.remove(&order), "order {order} was delivered once");
        delivered += 1;
    }
    Throughput {
        created,
        delivered: started.elapsed(),
    }
}

#[tokio::main]
async fn main() {
    let server = MockServer::start(
        MockConfig::default()
            .plants(10)
            .rate_limit(0, 1)
            .allow_private_webhook_targets(true),
    )
    .await
    .expect("mock server starts on loopback");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()
        .expect("valid client settings");
    let setup = set_up(&client).await;

    // The receiver needs the secret, which the endpoint gets at creation,
    // and the endpoint needs the receiver's URL: bind first, then register
    // the URL, then hand the secret to the receiver's verifier.
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let addr = listener.local_addr().expect("bound socket");
    let endpoint = client
        .webhooks()
        .create(&CreateWebhook::new(format!("http://{addr}/hooks")).event(EventType::OrderCreated))
        .await
        .expect("the mock registers the endpoint");
    let (receipts, mut received) = mpsc::unbounded_channel();
    let state = Arc::new(Receiver {
        verifier: Verifier::new(&endpoint.secret).expect("the mock's secret is valid"),
        receipts,
    });
    let app = Router::new().fallback(receive).with_state(state);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let latencies = latency(&client, &setup, &mut received).await;
    let rates = throughput(&client, Arc::new(setup), &mut received).await;
    server.shutdown().await.expect("mock server stops");

    let mut lines = vec![
        format!(
            "mock server, SDK client and receiver in one process, loopback, {} worker threads",
            std::thread::available_parallelism().map_or(1, usize::from)
        ),
        format!("latency, {LATENCY_ORDERS} sequential orders          p50 µs    p99 µs    max µs"),
    ];
    for (label, sorted) in [
        ("create sent -> delivery verified", &latencies.to_delivery),
        ("create sent -> create response", &latencies.to_response),
    ] {
        lines.push(format!(
            "{label:<38} {:>9.0} {:>9.0} {:>9.0}",
            micros(percentile(sorted, 50)),
            micros(percentile(sorted, 99)),
            micros(sorted[sorted.len() - 1]),
        ));
    }
    lines.push(String::new());
    lines.push(format!(
        "throughput, {THROUGHPUT_ORDERS} orders from {WORKERS} tasks        time     per second"
    ));
    for (label, elapsed) in [
        ("orders created", rates.created),
        ("deliveries received", rates.delivered),
    ] {
        lines.push(format!(
            "{label:<38} {:>7.3} s {:>10.0}",
            elapsed.as_secs_f64(),
            THROUGHPUT_ORDERS as f64 / elapsed.as_secs_f64()
        ));
    }
    // A benchmark's report is its output.
    #[allow(clippy::print_stdout)]
    for line in lines {
        println!("{line}");
    }
}
