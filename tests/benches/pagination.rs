//! Auto-pagination benchmark.
//!
//! Part 1 walks 100 000 plants of the mock server at `limit=100` (1 000
//! pages) in four ways, in one run, against one server:
//!
//! - `stream`: the SDK's `list().stream()`, which fetches one page ahead;
//! - `stream, no prefetch`: the same with `prefetch(false)`;
//! - `page loop`: a sequential loop over `list().starting_after(..).send()`
//!   that fetches a page, works through its items, then fetches the next;
//! - `server limit`: a plain reqwest client that fetches the pages back to
//!   back, follows the `Link` header's `next` URL, and neither decodes nor
//!   processes anything.
//!
//! They run with no work per item. The SDK walks also run with simulated
//! work per item: the page time of the first `server limit` walk divided by
//! the page size. So the work on one page takes as long as fetching it, and
//! `--work-scale` changes that ratio. `work alone` runs that work for every
//! item with no fetching. The work follows a fixed schedule (see `Work`), so every walk
//! pays the same total work. The report shows how long each walk's work was
//! stalled waiting for a page, and how late its sleeps ended on average. A
//! walk with work can finish no sooner than the slower of `server limit`
//! and `work alone`, and the report calls that time the limit with work.
//! The work sleeps rather than spins: on a machine
//! whose cores are busy, CPU work and the server compete for them, so the
//! walk would measure CPU share instead of how well fetching overlaps the
//! work.
//!
//! Part 2 measures the peak resident memory of a client process that walks
//! 10 000 and 1 000 000 items through `stream()`. The items come from a
//! minimal HTTP/1.1 page server in this process, which writes the page after
//! the cursor in time proportional to the page size (the mock server seeds
//! at most 100 000 plants). The client runs in a child process (this binary
//! started again with `--memory-child`), which reports its `VmHWM` from
//! `/proc/self/status` after the walk.
//!
//! Run: `cargo bench -p letta-tests --bench pagination`
//! Optional arguments: `--rounds N` (default 1), `--part speed|memory|all`
//! (default all) and `--work-scale F`, which sets the work on a page to F
//! times the page time (default 1).

use std::future::Future;
use std::process::Command;
use std::task::Poll;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use letta::Client;
use letta_mock::{MockConfig, MockServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PLANTS: usize = 100_000;
const LIMIT: u32 = 100;
const USER_AGENT: &str = concat!("letta-rust/", env!("CARGO_PKG_VERSION"));

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--memory-child") {
        let base_url = args.get(at + 1).expect("a base URL after --memory-child");
        memory_child(base_url);
        return;
    }
    let rounds: u32 = args
        .iter()
        .position(|arg| arg == "--rounds")
        .and_then(|at| args.get(at + 1))
        .map_or(1, |value| value.parse().expect("a whole number"));

    let work_scale: f64 = args
        .iter()
        .position(|arg| arg == "--work-scale")
        .and_then(|at| args.get(at + 1))
        .map_or(1.0, |value| value.parse().expect("a positive number"));
    assert!(work_scale > 0.0, "--work-scale must be positive");

    let part = args
        .iter()
        .position(|arg| arg == "--part")
        .and_then(|at| args.get(at + 1))
        .map_or("all", String::as_str);
    assert!(
        matches!(part, "all" | "speed" | "memory"),
        "--part must be speed, memory or all, not `{part}`"
    );

    let mut lines = Vec::new();
    if part != "memory" {
        lines.extend(walk_speed(rounds, work_scale));
        lines.push(String::new());
    }
    if part != "speed" {
        lines.extend(peak_memory());
    }
    // A benchmark's report is its output.
    #[allow(clippy::print_stdout)]
    for line in lines {
        println!("{line}");
    }
}

/// Simulated work on items that waits rather than computes, like a write to
/// a database, on a fixed schedule: the work on an item starts when the item
/// is available and the work on the item before it has ended, and lasts
/// `per_item`. The walk sleeps until the scheduled end, so a sleep that
/// overshoots delays the next items' sleeps but not their scheduled ends.
/// Every walk therefore pays `per_item` times the item count in work, plus
/// at most one overshoot at the end.
struct Work {
    per_item: Duration,
    /// The scheduled end of the work on the last item.
    due: Option<Instant>,
    /// The time the work was stalled because the next item had not arrived.
    stalled: Duration,
    /// The number of sleeps, and by how much in total they ended after the
    /// scheduled end.
    sleeps: u32,
    late: Duration,
}

impl Work {
    fn new(per_item: Duration) -> Self {
        Self {
            per_item,
            due: None,
            stalled: Duration::ZERO,
            sleeps: 0,
            late: Duration::ZERO,
        }
    }

    /// Works on one item. `arrived` is the time the item arrived if the
    /// walk had to wait for it, and `None` if it was ready when asked for.
    async fn item(&mut self, arrived: Option<Instant>) {
        if self.per_item.is_zero() {
            return;
        }
        let start = match (self.due, arrived) {
            (Some(due), Some(arrived)) if arrived > due => {
                self.stalled += arrived - due;
                arrived
            }
            (Some(due), _) => due,
            (None, arrived) => arrived.unwrap_or_else(Instant::now),
        };
        let due = start + self.per_item;
        self.due = Some(due);
        if due > Instant::now() {
            // `tokio::time` counts whole milliseconds, so its sleeps would
            // end up to 1 ms late, and the walk would ask for each page that
            // much late. A thread's sleep ended 56 to 130 us late on
            // average on a busy 2-core machine, and the report shows the
            // mean. Sleeping on the worker itself would block the tasks
            // waiting on it, such as the page fetched ahead.
            tokio::task::spawn_blocking(move || {
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            })
            .await
            .expect("the sleep does not panic");
            self.sleeps += 1;
            self.late += Instant::now().saturating_duration_since(due);
        }
    }
}

/// Awaits `future` and returns its output with the time it became ready, or
/// `None` for that time if it was ready on the first poll.
async fn arrival<F: Future>(future: F) -> (F::Output, Option<Instant>) {
    let mut future = std::pin::pin!(future);
    if let Poll::Ready(output) = futures_util::poll!(future.as_mut()) {
        return (output, None);
    }
    let output = future.await;
    (output, Some(Instant::now()))
}

#[derive(Clone, Copy, PartialEq)]
enum Walk {
    Stream,
    StreamNoPrefetch,
    PageLoop,
    ServerLimit,
    WorkAlone,
}

impl Walk {
    fn name(self) -> &'static str {
        match self {
            Walk::Stream => "stream",
            Walk::StreamNoPrefetch => "stream, no prefetch",
            Walk::PageLoop => "page loop",
            Walk::ServerLimit => "server limit",
            Walk::WorkAlone => "work alone",
        }
    }
}

/// The time a walk took, and how long its work was stalled waiting for
/// items.
#[derive(Clone, Copy, Default)]
struct WalkTime {
    total: Duration,
    stalled: Duration,
    sleeps: u32,
    late: Duration,
}

impl WalkTime {
    /// Returns the mean time a sleep ended after its scheduled end.
    fn mean_late(&self) -> Duration {
        self.late.checked_div(self.sleeps).unwrap_or_default()
    }
}

impl std::ops::AddAssign for WalkTime {
    fn add_assign(&mut self, other: Self) {
        self.total += other.total;
        self.stalled += other.stalled;
        self.sleeps += other.sleeps;
        self.late += other.late;
    }
}

/// Walks every plant once in the given way and returns the time it took.
async fn walk(way: Walk, client: &Client, plain: &Plain, per_item: Duration) -> WalkTime {
    let started = Instant::now();
    let mut work = Work::new(per_item);
    let count = match way {
        Walk::Stream | Walk::StreamNoPrefetch => {
            let mut plants = client
                .plants()
                .list()
                .limit(LIMIT)
                .prefetch(way == Walk::Stream)
                .stream();
            let mut count = 0;
            loop {
                let (next, arrived) = arrival(plants.try_next()).await;
                let Some(plant) = next.expect("every page succeeds") else {
                    break;
                };
                std::hint::black_box(&plant);
                work.item(arrived).await;
                count += 1;
            }
            count
        }
        Walk::PageLoop => {
            let mut count = 0;
            let mut cursor: Option<String> = None;
            loop {
                let mut request = client.plants().list().limit(LIMIT);
                if let Some(cursor) = cursor.take() {
                    request = request.starting_after(cursor);
                }
                let page = request.send().await.expect("every page succeeds");
                // The page loop always waits for a page, so its first item
                // arrives now and the rest with it.
                let mut arrived = Some(Instant::now());
                for plant in &page.data {
                    std::hint::black_box(plant);
                    work.item(arrived.take()).await;
                    count += 1;
                }
                if !page.has_more {
                    break;
                }
                cursor = page.data.last().map(|plant| plant.id.clone());
            }
            count
        }
        Walk::ServerLimit => plain.walk().await,
        Walk::WorkAlone => {
            for _ in 0..PLANTS {
                work.item(None).await;
            }
            PLANTS
        }
    };
    assert_eq!(count, PLANTS, "{} saw every plant once", way.name());
    let time = WalkTime {
        total: started.elapsed(),
        stalled: work.stalled,
        sleeps: work.sleeps,
        late: work.late,
    };
    // Progress, so a long run shows where it is.
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "{}, {} us per item: {:.3} s, work stalled {:.3} s, sleeps late by {} us on average",
            way.name(),
            per_item.as_micros(),
            time.total.as_secs_f64(),
            time.stalled.as_secs_f64(),
            time.mean_late().as_micros()
        );
    }
    time
}

/// A plain reqwest client with the SDK's settings that fetches pages back to
/// back without decoding them.
struct Plain {
    http: reqwest::Client,
    first: String,
    bearer: String,
}

impl Plain {
    /// Returns the number of items, counted by their `"id":` keys.
    async fn walk(&self) -> usize {
        let mut url = Some(self.first.clone());
        let mut count = 0;
        while let Some(current) = url.take() {
            let response = self
                .http
                .get(&current)
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::AUTHORIZATION, &self.bearer)
                .send()
                .await
                .expect("the mock answers");
            assert!(response.status().is_success(), "{}", response.status());
            url = next_link(response.headers());
            let body = response.bytes().await.expect("the body arrives");
            count += body.windows(6).filter(|w| w == b"\"id\":\"").count();
        }
        count
    }
}

/// Returns the `next` URL of a `Link` header.
fn next_link(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .find(|link| link.contains("rel=\"next\""))
        .and_then(|link| {
            let start = link.find('<')? + 1;
            let end = link.find('>')?;
            Some(link[start..end].to_owned())
        })
}

fn walk_speed(rounds: u32, work_scale: f64) -> Vec<String> {
    let server_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let seeding = Instant::now();
    let server = server_runtime
        .block_on(MockServer::start(
            MockConfig::default()
                .plants(PLANTS)
                .customers(0)
                .orders(0)
                .rate_limit(0, 1),
        ))
        .expect("mock server starts on loopback");
    let seed_time = seeding.elapsed();

    // Two workers, as a small service would have: while the caller's task
    // works on items, the other worker can run the prefetch.
    let client_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let lines = client_runtime.block_on(async {
        let client = Client::builder()
            .base_url(server.base_url())
            .api_key(server.api_key())
            .build()
            .expect("valid client settings");
        let plain = Plain {
            http: reqwest::Client::builder()
                .timeout(letta::DEFAULT_TIMEOUT)
                .connect_timeout(letta::DEFAULT_CONNECT_TIMEOUT)
                .user_agent(USER_AGENT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("valid reqwest settings"),
            first: format!("{}/v1/plants?limit={LIMIT}", server.base_url()),
            bearer: format!("Bearer {}", server.api_key()),
        };

        // The page time that sets the work per item; it also warms up.
        let page_time = walk(Walk::ServerLimit, &client, &plain, Duration::ZERO)
            .await
            .total
            / (PLANTS as u32 / LIMIT);
        let per_item = page_time.mul_f64(work_scale) / LIMIT;

        let cases = [
            (Walk::ServerLimit, Duration::ZERO),
            (Walk::Stream, Duration::ZERO),
            (Walk::StreamNoPrefetch, Duration::ZERO),
            (Walk::PageLoop, Duration::ZERO),
            (Walk::WorkAlone, per_item),
            (Walk::Stream, per_item),
            (Walk::StreamNoPrefetch, per_item),
            (Walk::PageLoop, per_item),
        ];
        const SERVER_LIMIT: usize = 0;
        const PAGE_LOOP: usize = 3;
        const WORK_ALONE: usize = 4;
        const PAGE_LOOP_WITH_WORK: usize = 7;
        let mut totals = [WalkTime::default(); 8];
        for round in 0..rounds {
            // Reverse the order every other round to spread drift.
            let mut order: Vec<usize> = (0..cases.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            for index in order {
                let (way, per_item) = cases[index];
                totals[index] += walk(way, &client, &plain, per_item).await;
            }
        }

        let seconds = |index: usize| totals[index].total.as_secs_f64() / f64::from(rounds);
        // The fastest a walk with work can be: it can neither fetch faster
        // than the server serves nor finish before its work does.
        let limit_with_work = seconds(SERVER_LIMIT).max(seconds(WORK_ALONE));
        let mut lines = vec![
            format!(
                "{PLANTS} plants, limit {LIMIT}, mock seeded in {:.2} s; mean of {rounds} rounds",
                seed_time.as_secs_f64()
            ),
            format!(
                "page time (server limit, first walk) {:.3} ms; work scale {work_scale}; \
                 work per item {:.1} us, per page {:.3} ms, per walk {:.3} s",
                page_time.as_secs_f64() * 1e3,
                per_item.as_secs_f64() * 1e6,
                (per_item * LIMIT).as_secs_f64() * 1e3,
                (per_item * PLANTS as u32).as_secs_f64()
            ),
            format!(
                "server limit with work = max(server limit, work alone) = {limit_with_work:.3} s"
            ),
            "walk                  work   time s  items/s  stalled s  late us  vs page loop  vs limit"
                .to_owned(),
        ];
        for (index, (way, per_item)) in cases.iter().enumerate() {
            let (loop_index, limit) = if per_item.is_zero() {
                (PAGE_LOOP, seconds(SERVER_LIMIT))
            } else {
                (PAGE_LOOP_WITH_WORK, limit_with_work)
            };
            lines.push(format!(
                "{:<20}  {:>5}  {:>7.3}  {:>7.0}  {:>9.3}  {:>7}  {:>12.2}  {:>8.2}",
                way.name(),
                if per_item.is_zero() { "none" } else { "sleep" },
                seconds(index),
                PLANTS as f64 / seconds(index),
                totals[index].stalled.as_secs_f64() / f64::from(rounds),
                totals[index].mean_late().as_micros(),
                seconds(loop_index) / seconds(index),
                limit / seconds(index),
            ));
        }
        lines
    });
    drop(server);
    lines
}

/// Starts the page server and walks 10 000 and 1 000 000 items in child
/// processes, three times each, alternating.
fn peak_memory() -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("page server runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a free loopback port");
    let addr = listener.local_addr().expect("bound address");
    runtime.spawn(serve_pages(listener));

    let exe = std::env::current_exe().expect("the bench binary's path");
    let mut lines = vec![
        "peak RSS of a client process walking stream() over generated pages (limit 100)".to_owned(),
        "items      run  VmHWM KiB  time s".to_owned(),
    ];
    let mut peaks: Vec<(usize, u64)> = Vec::new();
    for run in 1..=3 {
        for items in [10_000_usize, 1_000_000] {
            let started = Instant::now();
            let output = Command::new(&exe)
                .arg("--memory-child")
                .arg(format!("http://{addr}/w{items}"))
                .output()
                .expect("the child runs");
            let report = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "child failed: {report}");
            let mut fields = report.split_whitespace();
            let count: usize = fields
                .next()
                .and_then(|v| v.parse().ok())
                .expect("item count");
            let peak: u64 = fields.next().and_then(|v| v.parse().ok()).expect("VmHWM");
            assert_eq!(count, items, "the child saw every item once");
            peaks.push((items, peak));
            lines.push(format!(
                "{items:<9}  {run:>3}  {peak:>9}  {:>6.2}",
                started.elapsed().as_secs_f64()
            ));
        }
    }
    let max_of = |items| {
        peaks
            .iter()
            .filter(|(n, _)| *n == items)
            .map(|(_, peak)| *peak)
            .max()
            .unwrap_or(0)
    };
    lines.push(format!(
        "highest peak, 1 000 000 / 10 000 items: {:.3}",
        max_of(1_000_000) as f64 / max_of(10_000) as f64
    ));
    lines
}

/// Child mode: walks every item of `base_url` and prints the count and the
/// peak resident set size in KiB.
fn memory_child(base_url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let count = runtime.block_on(async {
        let client = Client::builder()
            .base_url(base_url)
            .api_key("sk_test_letta")
            .build()
            .expect("valid client settings");
        let mut plants = client.plants().list().limit(LIMIT).stream();
        let mut count = 0_usize;
        let mut last = String::new();
        while let Some(plant) = plants.try_next().await.expect("every page succeeds") {
            assert!(plant.id > last, "ids ascend");
            last = plant.id;
            count += 1;
        }
        count
    });
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux /proc");
    let peak = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("a VmHWM line");
    #[allow(clippy::print_stdout)]
    {
        println!("{count} {peak}");
    }
}

/// Serves `GET /w{total}/v1/plants?limit=..&starting_after=..` over
/// HTTP/1.1 keep-alive, with pages generated from the cursor.
async fn serve_pages(listener: tokio::net::TcpListener) {
    loop {
        let Ok((socket, _)) = listener.accept().await else {
            continue;
        };
        // Each response is written in one piece, and Nagle's algorithm is
        // off anyway: a small write held back until the client acknowledges
        // the previous one waits out the client's delayed ACK, about 40 ms
        // on Linux, on every page.
        if socket.set_nodelay(true).is_err() {
            continue;
        }
        tokio::spawn(serve_connection(socket));
    }
}

async fn serve_connection(mut socket: tokio::net::TcpStream) {
    let mut buffer = Vec::with_capacity(4096);
    loop {
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0_u8; 4096];
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        buffer.drain(..head_end);
        let target = head.split_whitespace().nth(1).unwrap_or("/");
        let body = page_body(target);
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        response.push_str(&body);
        if socket.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Writes the page for a request target such as
/// `/w1000000/v1/plants?limit=100&starting_after=plt_0000000000000099`.
fn page_body(target: &str) -> String {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let total: usize = path
        .trim_start_matches("/w")
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut limit = 20;
    let mut start = 0;
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("limit", value)) => limit = value.parse().unwrap_or(20),
            Some(("starting_after", value)) => {
                start = value
                    .trim_start_matches("plt_")
                    .parse::<usize>()
                    .map_or(0, |n| n + 1);
            }
            _ => {}
        }
    }
    let end = (start + limit).min(total);
    let mut body = String::with_capacity(400 * limit + 100);
    body.push_str("{\"data\":[");
    for n in start..end {
        if n > start {
            body.push(',');
        }
        body.push_str(&format!(
            "{{\"id\":\"plt_{n:016}\",\"name\":\"Plant {n}\",\"species\":\"Ficus elastica\",\
             \"category\":\"foliage\",\"description\":\"A rubber plant with broad, glossy leaves.\",\
             \"tags\":[\"pet-safe\",\"low-light\"],\"price\":1299,\"currency\":\"usd\",\"stock\":4,\
             \"low_stock_threshold\":5,\"status\":\"low_stock\",\
             \"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\"}}"
        ));
    }
    body.push_str(&format!(
        "],\"limit\":{limit},\"total\":{total},\"has_more\":{}}}",
        end < total
    ));
    body
}
