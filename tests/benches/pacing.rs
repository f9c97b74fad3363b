//! Pacing benchmark: 8 workers share one `Client` against the mock server
//! limited to 100 requests per second, for 10 seconds, first with pacing off
//! and then with it on. It prints successful requests per second divided
//! by the quota, and the share of responses that were `429`.
//!
//! Run: `cargo bench -p letta-tests --bench pacing`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use letta::Client;
use letta_mock::{MockConfig, MockServer};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};

const WORKERS: usize = 8;
const QUOTA_PER_SECOND: u64 = 100;
const RUN: Duration = Duration::from_secs(10);

/// Counts every response the SDK logs, and the `429`s among them.
#[derive(Debug, Default)]
struct ResponseCounter {
    responses: AtomicU64,
    rate_limited: AtomicU64,
}

impl ResponseCounter {
    fn reset(&self) {
        self.responses.store(0, Ordering::Relaxed);
        self.rate_limited.store(0, Ordering::Relaxed);
    }
}

/// A tracing layer that feeds the SDK's `response received` events, which
/// carry the status, into a [`ResponseCounter`].
struct CountingLayer(Arc<ResponseCounter>);

struct StatusVisitor(Option<u64>);

impl Visit for StatusVisitor {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "status" {
            self.0 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountingLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        // The mock server's own logs, under `letta_mock`, carry statuses too.
        if event.metadata().target() != "letta::request" {
            return;
        }
        let mut visitor = StatusVisitor(None);
        event.record(&mut visitor);
        if let Some(status) = visitor.0 {
            self.0.responses.fetch_add(1, Ordering::Relaxed);
            if status == 429 {
                self.0.rate_limited.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The outcome of one run.
struct Outcome {
    successes: u64,
    responses: u64,
    rate_limited: u64,
    elapsed: Duration,
}

async fn run(pacing: bool, counter: &ResponseCounter) -> Outcome {
    let server = MockServer::start(
        MockConfig::default()
            .plants(10)
            .rate_limit(QUOTA_PER_SECOND, 1),
    )
    .await
    .expect("mock server starts on loopback");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .pacing(pacing)
        .build()
        .expect("valid client settings");

    counter.reset();
    let started = Instant::now();
    let end = started + RUN;
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut successes = 0_u64;
                while Instant::now() < end {
                    if client.plants().list().limit(1).send().await.is_ok() {
                        successes += 1;
                    }
                }
                successes
            })
        })
        .collect();
    let mut successes = 0;
    for worker in workers {
        successes += worker.await.expect("worker finishes");
    }
    let elapsed = started.elapsed();
    server.shutdown().await.expect("mock server stops");

    Outcome {
        successes,
        responses: counter.responses.load(Ordering::Relaxed),
        rate_limited: counter.rate_limited.load(Ordering::Relaxed),
        elapsed,
    }
}

#[tokio::main]
async fn main() {
    let counter = Arc::new(ResponseCounter::default());
    let subscriber = tracing_subscriber::registry()
        .with(CountingLayer(counter.clone()))
        .with(
            tracing_subscriber::filter::Targets::new().with_target("letta", tracing::Level::DEBUG),
        );
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");

    let mut lines = vec![format!(
        "{WORKERS} workers, one Client, quota {QUOTA_PER_SECOND} requests/s, {} s per run",
        RUN.as_secs()
    )];
    lines.push("pacing  successes/s  of quota  responses  429s  429 share".to_owned());
    for pacing in [false, true] {
        let outcome = run(pacing, &counter).await;
        let per_second = outcome.successes as f64 / outcome.elapsed.as_secs_f64();
        let share = if outcome.responses == 0 {
            0.0
        } else {
            outcome.rate_limited as f64 / outcome.responses as f64
        };
        lines.push(format!(
            "{:<6}  {:>11.1}  {:>8.3}  {:>9}  {:>4}  {:>8.2} %",
            if pacing { "on" } else { "off" },
            per_second,
            per_second / QUOTA_PER_SECOND as f64,
            outcome.responses,
            outcome.rate_limited,
            share * 100.0
        ));
    }
    // A benchmark's report is its output.
    #[allow(clippy::print_stdout)]
    for line in lines {
        println!("{line}");
    }
}
