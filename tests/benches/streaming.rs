//! Streaming end to end: events per second from the mock server's
//! `/v1/plants/stream` into the SDK's typed, resuming `EventStream`, and the
//! latency from a stock change to its event arriving in the client.
//!
//! The mock server and the client run in one process, on one tokio runtime
//! with a worker thread per core, and talk HTTP over loopback.
//!
//! - Throughput, live: one stream is open while 4 producers send
//!   `THROUGHPUT_EVENTS` stock adjustments through the SDK; the time runs
//!   from the first adjustment to the last event read.
//! - Throughput, replay: a stream opened with `since` the first of those
//!   events reads the rest from the log, first as raw bytes with reqwest
//!   (counting messages, no parsing), then through the SDK's typed stream.
//! - Latency: `LATENCY_CHANGES` sequential adjustments through the SDK; for
//!   each, the time from sending the request to the stream handing over its
//!   event, and, for comparison, to the request's response.
//!
//! Run: `cargo bench -p letta-tests --bench streaming`

use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use letta::Client;
use letta::sse::EventStream;
use letta::types::{Event, EventData, EventType, StockAdjustment};
use letta_mock::{MockConfig, MockServer};
use tokio::sync::mpsc;

const THROUGHPUT_EVENTS: usize = 20_000;
const PRODUCERS: usize = 4;
const LATENCY_CHANGES: usize = 1_000;
const WARM_UP_CHANGES: usize = 50;
/// The maximum wait for one event before the benchmark gives up.
const PATIENCE: Duration = Duration::from_secs(30);
/// How long [`wait_until_live`] waits for each of its changes.
const LIVE_POLL: Duration = Duration::from_millis(200);

/// Returns the `percent` percentile of `sorted`, by nearest rank.
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

async fn plant_ids(client: &Client) -> Vec<String> {
    let page = client
        .plants()
        .list()
        .limit(PRODUCERS as u32)
        .send()
        .await
        .expect("the mock lists its plants");
    page.data.into_iter().map(|plant| plant.id).collect()
}

/// Sends `count` adjustments of +1, split over one producer per plant, and
/// returns when every response has arrived.
async fn produce(client: &Client, plants: &[String], count: usize) {
    let producers: Vec<_> = plants
        .iter()
        .enumerate()
        .map(|(index, plant)| {
            let client = client.clone();
            let plant = plant.clone();
            let share = count / plants.len() + usize::from(index < count % plants.len());
            tokio::spawn(async move {
                for _ in 0..share {
                    client
                        .plants()
                        .adjust_stock(&plant, StockAdjustment::Delta(1))
                        .await
                        .expect("the mock adjusts stock");
                }
            })
        })
        .collect();
    for producer in producers {
        producer.await.expect("producer finishes");
    }
}

struct Throughput {
    label: &'static str,
    events: usize,
    elapsed: Duration,
}

impl Throughput {
    fn row(&self) -> String {
        format!(
            "{:<44} {:>7} {:>9.3} s {:>11.0}",
            self.label,
            self.events,
            self.elapsed.as_secs_f64(),
            self.events as f64 / self.elapsed.as_secs_f64()
        )
    }
}

/// Polls `stream` until it is live: the stream connects on its first poll,
/// so a change made before that would never reach it. Makes changes to
/// `plant` until one arrives, and returns that event.
async fn wait_until_live(stream: &mut EventStream, client: &Client, plant: &str) -> Event {
    let deadline = Instant::now() + PATIENCE;
    loop {
        client
            .plants()
            .adjust_stock(plant, StockAdjustment::Delta(1))
            .await
            .expect("the mock adjusts stock");
        if let Ok(event) = tokio::time::timeout(LIVE_POLL, stream.try_next()).await {
            return event
                .expect("the stream reads")
                .expect("the stream goes on");
        }
        assert!(Instant::now() < deadline, "the stream never went live");
    }
}

/// Live: returns the producers' and the reader's throughput, and the id of
/// the last event before the measured ones.
async fn live(client: &Client, plants: &[String]) -> (Throughput, Throughput, String) {
    let mut stream = client
        .plants()
        .watch()
        .event_types([EventType::PlantStockChanged])
        .open();
    let first = wait_until_live(&mut stream, client, &plants[0]).await;

    let started = Instant::now();
    let reader = tokio::spawn(async move {
        for _ in 0..THROUGHPUT_EVENTS {
            tokio::time::timeout(PATIENCE, stream.try_next())
                .await
                .expect("each event arrives in time")
                .expect("the stream reads")
                .expect("the stream goes on");
        }
        started.elapsed()
    });
    produce(client, plants, THROUGHPUT_EVENTS).await;
    let produced = started.elapsed();
    let elapsed = reader.await.expect("reader finishes");
    (
        Throughput {
            label: "live: stock adjustments answered (4 tasks)",
            events: THROUGHPUT_EVENTS,
            elapsed: produced,
        },
        Throughput {
            label: "live: events read, SDK typed stream",
            events: THROUGHPUT_EVENTS,
            elapsed,
        },
        first.id,
    )
}

/// Replay through reqwest, counting the blank lines that end messages.
async fn replay_raw(server: &MockServer, since: &str) -> Throughput {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let response = http
        .get(format!(
            "{}/v1/plants/stream?types=plant.stock_changed&since={since}",
            server.base_url()
        ))
        .bearer_auth(server.api_key())
        .send()
        .await
        .expect("the stream opens");
    let mut body = response.bytes_stream();
    // The `retry:` block ends with a blank line too.
    let expected = THROUGHPUT_EVENTS + 1;
    let mut ends = 0;
    let mut previous_newline = false;
    while ends < expected {
        let chunk = tokio::time::timeout(PATIENCE, body.next())
            .await
            .expect("each chunk arrives in time")
            .expect("the stream goes on")
            .expect("the stream reads");
        for byte in chunk.iter() {
            let newline = *byte == b'\n';
            if newline && previous_newline {
                ends += 1;
            }
            previous_newline = newline;
        }
    }
    Throughput {
        label: "replay: raw bytes, reqwest, no parsing",
        events: THROUGHPUT_EVENTS,
        elapsed: started.elapsed(),
    }
}

async fn replay_sdk(client: &Client, since: &str) -> Throughput {
    let started = Instant::now();
    let mut stream = client
        .plants()
        .watch()
        .event_types([EventType::PlantStockChanged])
        .since(since)
        .open();
    for _ in 0..THROUGHPUT_EVENTS {
        tokio::time::timeout(PATIENCE, stream.try_next())
            .await
            .expect("each event arrives in time")
            .expect("the stream reads")
            .expect("the stream goes on");
    }
    Throughput {
        label: "replay: SDK typed stream",
        events: THROUGHPUT_EVENTS,
        elapsed: started.elapsed(),
    }
}

struct Latencies {
    to_event: Vec<Duration>,
    to_response: Vec<Duration>,
}

fn stock_of(event: &Event) -> i64 {
    match &event.data {
        EventData::Plant(plant) => plant.stock,
        other => panic!("a plant event carries a plant, not {other:?}"),
    }
}

async fn latency(client: &Client, plant: &str) -> Latencies {
    let mut stream = client
        .plants()
        .watch_plant(plant)
        .event_types([EventType::PlantStockChanged])
        .open();
    wait_until_live(&mut stream, client, plant).await;
    // The reader stamps each event as the stream hands it over, and names
    // it by the stock it reports, which every +1 change makes unique.
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let reader = tokio::spawn(async move {
        while let Some(event) = stream.next().await {
            let event = event.expect("the stream reads");
            if arrivals.send((Instant::now(), stock_of(&event))).is_err() {
                return;
            }
        }
    });

    let mut to_event = Vec::with_capacity(LATENCY_CHANGES);
    let mut to_response = Vec::with_capacity(LATENCY_CHANGES);
    for round in 0..WARM_UP_CHANGES + LATENCY_CHANGES {
        let sent = Instant::now();
        let changed = client
            .plants()
            .adjust_stock(plant, StockAdjustment::Delta(1))
            .await
            .expect("the mock adjusts stock");
        let answered = sent.elapsed();
        let arrival = loop {
            let (arrival, stock) = tokio::time::timeout(PATIENCE, arrived.recv())
                .await
                .expect("the event arrives in time")
                .expect("the reader runs");
            if stock == changed.stock {
                break arrival;
            }
        };
        if round >= WARM_UP_CHANGES {
            to_event.push(arrival - sent);
            to_response.push(answered);
        }
    }
    reader.abort();
    to_event.sort();
    to_response.sort();
    Latencies {
        to_event,
        to_response,
    }
}

#[tokio::main]
async fn main() {
    let server = MockServer::start(MockConfig::default().plants(10).rate_limit(0, 1))
        .await
        .expect("mock server starts on loopback");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .build()
        .expect("valid client settings");
    let plants = plant_ids(&client).await;

    let (produced, live_read, first) = live(&client, &plants).await;
    let raw = replay_raw(&server, &first).await;
    let replayed = replay_sdk(&client, &first).await;
    let latencies = latency(&client, &plants[0]).await;
    server.shutdown().await.expect("mock server stops");

    let mut lines = vec![
        format!(
            "mock server and client in one process, loopback, {} worker threads",
            std::thread::available_parallelism().map_or(1, usize::from)
        ),
        format!(
            "{:<44} {:>7} {:>11} {:>11}",
            "throughput", "events", "time", "events/s"
        ),
    ];
    for row in [&produced, &live_read, &raw, &replayed] {
        lines.push(row.row());
    }
    lines.push(String::new());
    lines.push(format!(
        "latency, {LATENCY_CHANGES} sequential stock changes    p50 µs    p99 µs    max µs"
    ));
    for (label, sorted) in [
        ("change sent -> event in client", &latencies.to_event),
        ("change sent -> response in client", &latencies.to_response),
    ] {
        lines.push(format!(
            "{label:<38} {:>9.0} {:>9.0} {:>9.0}",
            micros(percentile(sorted, 50)),
            micros(percentile(sorted, 99)),
            micros(sorted[sorted.len() - 1]),
        ));
    }
    // A benchmark's report is its output.
    #[allow(clippy::print_stdout)]
    for line in lines {
        println!("{line}");
    }
}
