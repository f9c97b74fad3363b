//! The per-key token bucket over loopback HTTP: the RateLimit fields on
//! every `/v1` response, `429` with `Retry-After` once a bucket is empty, and
//! changes through the admin surface. Time moves only through a
//! `ManualClock`.

mod support;

use std::time::Duration;

use letta_mock::{ManualClock, MockConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Reply, TestServer};

async fn start_limited(quota: u64, window_seconds: u64) -> (TestServer, ManualClock) {
    let clock = ManualClock::new();
    let server = support::start_with(
        MockConfig::new()
            .rate_limit(quota, window_seconds)
            .manual_clock(clock.clone()),
    )
    .await;
    (server, clock)
}

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

async fn get_as(server: &TestServer, key: &str, path: &str) -> Reply {
    let response = server
        .client
        .get(server.url(path))
        .bearer_auth(key)
        .send()
        .await
        .expect("request reaches the mock server");
    support::read(response).await
}

#[tokio::test]
async fn headers_count_down_on_every_response() {
    let (server, _clock) = start_limited(5, 60).await;

    let mut left = Vec::new();
    for path in [
        "/v1/plants?limit=1",
        "/v1/plants/plt_0000000000000000",
        "/v1/nowhere",
    ] {
        let reply = server.get(path).await;
        assert_eq!(
            reply.header("ratelimit-policy"),
            Some("\"default\";q=5;w=60"),
            "{path}"
        );
        left.push(reply.header("ratelimit").map(str::to_owned));
    }

    // One token comes back every 12 s, so `t` grows by 12 per request.
    assert_eq!(
        left,
        [
            Some("\"default\";r=4;t=12".to_owned()),
            Some("\"default\";r=3;t=24".to_owned()),
            Some("\"default\";r=2;t=36".to_owned()),
        ]
    );
}

#[tokio::test]
async fn unauthorized_and_public_responses_have_no_fields() {
    let (server, _clock) = start_limited(5, 60).await;

    let unauthorized = get_as(&server, "sk_unknown", "/v1/plants").await;
    let health = get_as(&server, "sk_test_letta", "/health").await;

    unauthorized.assert_problem(401, "invalid_api_key");
    assert_eq!(unauthorized.header("ratelimit"), None);
    assert_eq!(unauthorized.header("ratelimit-policy"), None);
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.header("ratelimit"), None);
}

#[tokio::test]
async fn empty_bucket_answers_429_with_retry_after() {
    let (server, clock) = start_limited(2, 3).await;
    for _ in 0..2 {
        assert_eq!(
            server.get("/v1/plants?limit=1").await.status,
            StatusCode::OK
        );
    }

    let limited = server.get("/v1/plants?limit=1").await;

    // A token comes back every 1.5 s, rounded up to 2.
    limited.assert_problem(429, "rate_limited");
    assert_eq!(limited.header("retry-after"), Some("2"));
    assert_eq!(limited.header("ratelimit"), Some("\"default\";r=0;t=3"));
    assert_eq!(
        limited.header("ratelimit-policy"),
        Some("\"default\";q=2;w=3")
    );

    clock.advance(Duration::from_millis(1400));
    let still_limited = server.get("/v1/plants?limit=1").await;
    still_limited.assert_problem(429, "rate_limited");
    assert_eq!(still_limited.header("retry-after"), Some("1"));

    clock.advance(Duration::from_millis(100));
    let refilled = server.get("/v1/plants?limit=1").await;
    assert_eq!(refilled.status, StatusCode::OK);
    assert_eq!(refilled.header("ratelimit"), Some("\"default\";r=0;t=3"));
}

#[tokio::test]
async fn keys_have_independent_buckets() {
    let clock = ManualClock::new();
    let server = support::start_with(
        MockConfig::new()
            .api_key("sk_test_one")
            .api_key("sk_test_two")
            .rate_limit(1, 60)
            .manual_clock(clock),
    )
    .await;

    let first = get_as(&server, "sk_test_one", "/v1/plants?limit=1").await;
    let second = get_as(&server, "sk_test_one", "/v1/plants?limit=1").await;
    let other_key = get_as(&server, "sk_test_two", "/v1/plants?limit=1").await;

    assert_eq!(first.status, StatusCode::OK);
    second.assert_problem(429, "rate_limited");
    assert_eq!(other_key.status, StatusCode::OK);
    assert_eq!(other_key.header("ratelimit"), Some("\"default\";r=0;t=60"));
}

#[tokio::test]
async fn admin_changes_limit_at_run_time() {
    let (server, _clock) = start_limited(100, 1).await;
    let before = admin(&server, Method::GET, "/admin/rate-limit", None).await;
    assert_eq!(
        before.body,
        json!({"enabled": true, "quota": 100, "window_seconds": 1})
    );

    let changed = admin(
        &server,
        Method::PUT,
        "/admin/rate-limit",
        Some(json!({"quota": 1, "window_seconds": 10})),
    )
    .await;
    let first = server.get("/v1/plants?limit=1").await;
    let second = server.get("/v1/plants?limit=1").await;

    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(
        changed.body,
        json!({"enabled": true, "quota": 1, "window_seconds": 10})
    );
    assert_eq!(
        first.header("ratelimit-policy"),
        Some("\"default\";q=1;w=10")
    );
    assert_eq!(first.status, StatusCode::OK);
    second.assert_problem(429, "rate_limited");
    assert_eq!(second.header("retry-after"), Some("10"));
}

#[tokio::test]
async fn zero_quota_turns_limiting_off() {
    let (server, _clock) = start_limited(1, 60).await;
    admin(
        &server,
        Method::PUT,
        "/admin/rate-limit",
        Some(json!({"quota": 0})),
    )
    .await;

    for _ in 0..3 {
        let reply = server.get("/v1/plants?limit=1").await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.header("ratelimit"), None);
    }
    let shown = admin(&server, Method::GET, "/admin/rate-limit", None).await;
    assert_eq!(
        shown.body,
        json!({"enabled": false, "quota": 0, "window_seconds": 60})
    );
}

#[tokio::test]
async fn reset_refills_buckets() {
    let (server, _clock) = start_limited(1, 60).await;
    server.get("/v1/plants?limit=1").await;
    server
        .get("/v1/plants?limit=1")
        .await
        .assert_problem(429, "rate_limited");

    let reset = admin(&server, Method::POST, "/admin/reset", None).await;
    let after = server.get("/v1/plants?limit=1").await;

    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(after.status, StatusCode::OK);
}

#[tokio::test]
async fn invalid_rate_limit_is_rejected() {
    let (server, _clock) = start_limited(5, 60).await;

    let cases = [
        (json!({"window_seconds": 5}), vec!["/quota"]),
        (json!({"quota": -1}), vec!["/quota"]),
        (
            json!({"quota": 5, "window_seconds": 0}),
            vec!["/window_seconds"],
        ),
        (json!({"quota": 5, "burst": 9}), vec!["/burst"]),
    ];
    for (body, pointers) in cases {
        let reply = admin(
            &server,
            Method::PUT,
            "/admin/rate-limit",
            Some(body.clone()),
        )
        .await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_pointers(), pointers, "{body}");
    }

    let unchanged = admin(&server, Method::GET, "/admin/rate-limit", None).await;
    assert_eq!(unchanged.body["quota"], 5);
}

#[test]
fn invalid_rate_limit_config_fails_to_start() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime builds");

    let error = runtime
        .block_on(letta_mock::MockServer::start(
            MockConfig::new().rate_limit(10, 0),
        ))
        .expect_err("a zero window is invalid");

    assert!(
        error
            .to_string()
            .contains("rate limit window 0 s is out of range"),
        "{error}"
    );
}
