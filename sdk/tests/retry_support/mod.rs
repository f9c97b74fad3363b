//! A manual clock and client settings shared by the retry tests.

#![allow(dead_code, reason = "each test file uses a different part")]
#![allow(unreachable_pub, reason = "a module of test crates, public to them")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use letta::clock::Sleep;
use letta::{Client, ClientBuilder, Clock};

/// Thu, 01 Jan 2026 00:00:00 GMT.
pub const NEW_YEAR_2026: Duration = Duration::from_secs(1_767_225_600);

/// A clock that only moves when something sleeps on it or a test advances
/// it. A sleep moves the clock to its end at once and records the wait, so
/// tests see every delay without waiting for it.
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    state: Mutex<ClockState>,
}

#[derive(Debug, Default)]
struct ClockState {
    elapsed: Duration,
    sleeps: Vec<Duration>,
    wakes: Vec<Duration>,
}

impl ManualClock {
    /// Returns a clock whose wall time starts at Thu, 01 Jan 2026 00:00:00 GMT.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            state: Mutex::new(ClockState::default()),
        })
    }

    /// Moves the clock forward, as a slow attempt would.
    pub fn advance(&self, by: Duration) {
        self.state.lock().expect("clock lock").elapsed += by;
    }

    /// Returns the time since the clock was created.
    pub fn elapsed(&self) -> Duration {
        self.state.lock().expect("clock lock").elapsed
    }

    /// Returns each wait requested through `sleep_until`, in order, measured
    /// from the clock's time when it was requested.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().expect("clock lock").sleeps.clone()
    }

    /// Returns the end of each wait, measured from the clock's creation.
    pub fn wakes(&self) -> Vec<Duration> {
        self.state.lock().expect("clock lock").wakes.clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    fn system_time(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + NEW_YEAR_2026 + self.elapsed()
    }

    fn sleep_until(&self, deadline: Instant) -> Sleep {
        let mut state = self.state.lock().expect("clock lock");
        let wake = deadline.saturating_duration_since(self.start);
        let wait = wake.saturating_sub(state.elapsed);
        state.sleeps.push(wait);
        state.wakes.push(wake);
        state.elapsed = state.elapsed.max(wake);
        Box::pin(async {})
    }
}

/// Returns a builder for `base_url` with a test key and `clock`.
pub fn builder(base_url: &str, clock: &Arc<ManualClock>) -> ClientBuilder {
    Client::builder()
        .base_url(base_url)
        .api_key("sk_test_letta")
        .clock(clock.clone())
}

/// Returns a plant as the API sends it.
pub fn plant_json() -> serde_json::Value {
    serde_json::json!({
        "id": "plt_0000000100000000",
        "name": "Aloe",
        "species": "Aloe vera",
        "category": "succulent",
        "description": "",
        "tags": [],
        "price": 899,
        "currency": "usd",
        "stock": 4,
        "low_stock_threshold": 5,
        "status": "low_stock",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

/// Returns a problem+json body.
pub fn problem(status: u16, code: &str) -> serde_json::Value {
    serde_json::json!({
        "type": format!("https://docs.letta.dev/errors/{code}"),
        "title": code,
        "status": status,
        "detail": format!("scripted {code}"),
        "code": code,
        "request_id": "req_scripted"
    })
}

/// A wiremock responder that plays its responses in order and repeats the
/// last one. With a clock, each response first moves the clock forward, as
/// if the attempt had taken that long.
pub struct Script {
    responses: Mutex<std::collections::VecDeque<wiremock::ResponseTemplate>>,
    slow: Option<(Arc<ManualClock>, Duration)>,
}

impl Script {
    pub fn new(responses: impl IntoIterator<Item = wiremock::ResponseTemplate>) -> Self {
        Self {
            responses: Mutex::new(responses.into_iter().collect()),
            slow: None,
        }
    }

    /// Makes every attempt take `duration` on `clock`.
    pub fn taking(mut self, clock: &Arc<ManualClock>, duration: Duration) -> Self {
        self.slow = Some((clock.clone(), duration));
        self
    }
}

impl wiremock::Respond for Script {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        if let Some((clock, duration)) = &self.slow {
            clock.advance(*duration);
        }
        let mut responses = self.responses.lock().expect("script lock");
        if responses.len() > 1 {
            responses.pop_front().expect("checked length")
        } else {
            responses.front().cloned().expect("a script has a response")
        }
    }
}

/// Returns a problem response with `status` and `code`.
pub fn problem_response(status: u16, code: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(status)
        .insert_header("content-type", "application/problem+json")
        .set_body_json(problem(status, code))
}

/// Returns a `200` with an empty list of plants.
pub fn empty_list() -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "data": [],
        "limit": 20,
        "total": 0,
        "has_more": false
    }))
}

/// Returns the number of requests `server` received.
pub async fn request_count(server: &wiremock::MockServer) -> usize {
    server
        .received_requests()
        .await
        .expect("requests are recorded")
        .len()
}
