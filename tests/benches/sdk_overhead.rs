//! SDK overhead benchmark: round trips per second of `GET /v1/plants/{id}`
//! through the SDK (`client.plants().get(id).await`) and through a plain
//! reqwest client with the same connection settings, against one mock
//! server in one run.
//!
//! Both clients send the same headers (`Accept`, `Authorization`,
//! `User-Agent`), use the same timeouts and one HTTP/1.1 keep-alive
//! connection, read the whole body and decode it into `letta::types::Plant`.
//! The plain client decodes with `serde_json::from_slice`; the SDK decodes
//! through its own pipeline. They take turns in batches, and the order of
//! the two flips every round, so drift in the machine's load hits both.
//!
//! Run: `cargo bench -p letta-tests --bench sdk_overhead`
//! Optional arguments: `--rounds N` (default 30) and `--batch N` (default 500).

use std::time::{Duration, Instant};

use letta::Client;
use letta::types::Plant;
use letta_mock::{MockConfig, MockServer};

/// The timeouts and user agent of the SDK's defaults, copied so that the
/// plain client matches them.
const TIMEOUT: Duration = letta::DEFAULT_TIMEOUT;
const CONNECT_TIMEOUT: Duration = letta::DEFAULT_CONNECT_TIMEOUT;
const USER_AGENT: &str = concat!("letta-rust/", env!("CARGO_PKG_VERSION"));

/// A plain reqwest client set up as the SDK sets up its own.
struct Plain {
    http: reqwest::Client,
    url: String,
    bearer: String,
}

impl Plain {
    fn new(base_url: &str, api_key: &str, id: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("valid reqwest settings");
        Self {
            http,
            url: format!("{base_url}/v1/plants/{id}"),
            bearer: format!("Bearer {api_key}"),
        }
    }

    async fn get(&self) -> Plant {
        let response = self
            .http
            .get(&self.url)
            .timeout(TIMEOUT)
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::AUTHORIZATION, &self.bearer)
            .send()
            .await
            .expect("the mock answers");
        assert!(response.status().is_success(), "{}", response.status());
        let body = response.bytes().await.expect("the body arrives");
        serde_json::from_slice(&body).expect("a plant")
    }
}

#[derive(Clone, Copy)]
enum Side {
    Sdk,
    Plain,
}

/// Returns the CPU time this thread has run, from the kernel's scheduler
/// statistics. The clients run on this thread alone, so it is their own
/// work, which the load of other processes does not inflate.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|stat| stat.split_whitespace().next()?.parse().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// Runs `count` sequential round trips on one side and returns their wall
/// time and the client thread's CPU time.
async fn batch(
    side: Side,
    count: u32,
    sdk: &Client,
    plain: &Plain,
    id: &str,
) -> (Duration, Duration) {
    let cpu = thread_cpu();
    let started = Instant::now();
    for _ in 0..count {
        let plant = match side {
            Side::Sdk => sdk.plants().get(id).await.expect("the mock answers"),
            Side::Plain => plain.get().await,
        };
        std::hint::black_box(plant);
    }
    (started.elapsed(), thread_cpu().saturating_sub(cpu))
}

fn argument(name: &str, default: u32) -> u32 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == name)
        .and_then(|at| args.get(at + 1))
        .map(|value| value.parse().expect("a whole number"))
        .unwrap_or(default)
}

fn main() {
    let rounds = argument("--rounds", 30);
    let batch_size = argument("--batch", 500);

    // The server runs on its own two worker threads, the clients on one
    // thread, so the client's own work is what differs between the sides.
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let server = server_runtime
        .block_on(MockServer::start(
            MockConfig::default().plants(120).rate_limit(0, 1),
        ))
        .expect("mock server starts on loopback");

    let client_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let lines = client_runtime.block_on(async {
        let sdk = Client::builder()
            .base_url(server.base_url())
            .api_key(server.api_key())
            .build()
            .expect("valid client settings");
        let page = sdk
            .plants()
            .list()
            .limit(1)
            .send()
            .await
            .expect("one plant");
        let id = page.data[0].id.clone();
        let plain = Plain::new(server.base_url(), server.api_key(), &id);

        // Warm-up: opens both connections and fills caches.
        batch(Side::Sdk, batch_size, &sdk, &plain, &id).await;
        batch(Side::Plain, batch_size, &sdk, &plain, &id).await;

        let mut sdk_time = Duration::ZERO;
        let mut plain_time = Duration::ZERO;
        let mut cpu = [Duration::ZERO; 2];
        let mut round_ratios = Vec::new();
        for round in 0..rounds {
            let order = if round % 2 == 0 {
                [Side::Sdk, Side::Plain]
            } else {
                [Side::Plain, Side::Sdk]
            };
            let mut times = [Duration::ZERO; 2];
            for side in order {
                let (time, cpu_time) = batch(side, batch_size, &sdk, &plain, &id).await;
                times[side as usize] = time;
                cpu[side as usize] += cpu_time;
            }
            sdk_time += times[Side::Sdk as usize];
            plain_time += times[Side::Plain as usize];
            round_ratios.push(
                times[Side::Plain as usize].as_secs_f64() / times[Side::Sdk as usize].as_secs_f64(),
            );
        }
        round_ratios.sort_by(f64::total_cmp);

        let total = f64::from(rounds) * f64::from(batch_size);
        let sdk_rate = total / sdk_time.as_secs_f64();
        let plain_rate = total / plain_time.as_secs_f64();
        vec![
            format!("{rounds} rounds of {batch_size} GET /v1/plants/{id} per side, alternating"),
            "client   round trips/s  mean latency  client CPU per call".to_owned(),
            format!(
                "sdk      {sdk_rate:>13.0}  {:>9.1} us  {:>16.1} us",
                1e6 / sdk_rate,
                cpu[Side::Sdk as usize].as_secs_f64() * 1e6 / total
            ),
            format!(
                "reqwest  {plain_rate:>13.0}  {:>9.1} us  {:>16.1} us",
                1e6 / plain_rate,
                cpu[Side::Plain as usize].as_secs_f64() * 1e6 / total
            ),
            format!(
                "sdk / reqwest client CPU per call  {:.3}",
                cpu[Side::Sdk as usize].as_secs_f64() / cpu[Side::Plain as usize].as_secs_f64()
            ),
            format!(
                "sdk / reqwest (total time)      {:.3}",
                sdk_rate / plain_rate
            ),
            format!(
                "sdk / reqwest per round: min {:.3}  median {:.3}  max {:.3}",
                round_ratios[0],
                round_ratios[round_ratios.len() / 2],
                round_ratios[round_ratios.len() - 1]
            ),
        ]
    });
    drop(server);
    // A benchmark's report is its output.
    #[allow(clippy::print_stdout)]
    for line in lines {
        println!("{line}");
    }
}
