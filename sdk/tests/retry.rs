//! The retry policy against scripted servers: which failures are retried,
//! how long the client waits, and when it gives up. Time runs on a manual
//! clock, so no test waits for a backoff.

mod retry_support;

use std::time::Duration;

use letta::{Error, RetryPolicy};
use retry_support::{
    ManualClock, Script, builder, empty_list, plant_json, problem_response, request_count,
};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers};

async fn server_with(script: Script) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(matchers::any())
        .respond_with(script)
        .mount(&server)
        .await;
    server
}

fn too_many_requests(retry_after: &str) -> ResponseTemplate {
    problem_response(429, "rate_limited").insert_header("retry-after", retry_after)
}

#[tokio::test]
async fn retries_each_retryable_status() {
    for status in [408, 429, 500, 502, 503, 504] {
        let clock = ManualClock::new();
        let server = server_with(Script::new([
            problem_response(status, "scripted"),
            empty_list(),
        ]))
        .await;
        let client = builder(&server.uri(), &clock).build().expect("valid");

        let page = client.plants().list().send().await;

        assert!(page.is_ok(), "{status}: {page:?}");
        assert_eq!(request_count(&server).await, 2, "{status}");
        assert_eq!(clock.sleeps().len(), 1, "{status}");
    }
}

#[tokio::test]
async fn gives_up_after_three_attempts_by_default() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([problem_response(503, "service_unavailable")])).await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    let error = client.plants().list().send().await.expect_err("always 503");

    assert_eq!(request_count(&server).await, 3);
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.last_status().map(|s| s.as_u16()), Some(503));
    let message = error.to_string();
    assert!(message.contains("after 3 attempts"), "{message}");
    assert!(message.contains("503"), "{message}");
}

#[tokio::test]
async fn max_retries_zero_sends_once() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([problem_response(500, "internal_error")])).await;
    let client = builder(&server.uri(), &clock)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");

    let error = client.plants().list().send().await.expect_err("500");

    assert_eq!(request_count(&server).await, 1);
    assert_eq!(error.attempts(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn business_409_is_not_retried() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([problem_response(409, "insufficient_stock")])).await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    let error = client
        .plants()
        .adjust_stock(
            "plt_0000000100000000",
            letta::types::StockAdjustment::Delta(-5),
        )
        .await
        .expect_err("409");

    assert_eq!(request_count(&server).await, 1);
    assert_eq!(error.code(), Some("insufficient_stock"));
    assert_eq!(error.attempts(), 1);
}

#[tokio::test]
async fn key_in_use_409_is_retried() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([
        problem_response(409, "idempotency_key_in_use"),
        ResponseTemplate::new(201).set_body_json(plant_json()),
    ]))
    .await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    let plant = client
        .plants()
        .create(&letta::types::CreatePlant::new(
            "Aloe",
            "Aloe vera",
            letta::types::Category::Succulent,
            899,
        ))
        .await;

    assert!(plant.is_ok(), "{plant:?}");
    assert_eq!(request_count(&server).await, 2);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, code) in [
        (400, "invalid_parameter"),
        (401, "invalid_api_key"),
        (404, "not_found"),
        (422, "validation_failed"),
    ] {
        let clock = ManualClock::new();
        let server = server_with(Script::new([problem_response(status, code)])).await;
        let client = builder(&server.uri(), &clock).build().expect("valid");

        client.plants().list().send().await.expect_err("refused");

        assert_eq!(request_count(&server).await, 1, "{status}");
    }
}

#[tokio::test]
async fn connection_failure_is_retried() {
    let clock = ManualClock::new();
    // Bind and drop a listener, so nothing listens on the port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let client = builder(&format!("http://127.0.0.1:{port}"), &clock)
        .build()
        .expect("valid");

    let error = client.plants().list().send().await.expect_err("refused");

    assert!(error.is_connect(), "{error:?}");
    assert_eq!(error.attempts(), 3);
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn backoff_stays_within_capped_ceilings() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([problem_response(503, "service_unavailable")])).await;
    let client = builder(&server.uri(), &clock)
        .retry_policy(
            RetryPolicy::new()
                .max_retries(5)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_millis(300))
                .without_budget(),
        )
        .build()
        .expect("valid");

    client.plants().list().send().await.expect_err("always 503");

    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 5);
    for (sleep, ceiling_ms) in sleeps.iter().zip([100, 200, 300, 300, 300]) {
        assert!(
            *sleep <= Duration::from_millis(ceiling_ms),
            "{sleep:?} > {ceiling_ms} ms"
        );
    }
}

#[tokio::test]
async fn jitter_differs_between_clients() {
    let server = server_with(Script::new([problem_response(503, "service_unavailable")])).await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let clock = ManualClock::new();
        let client = builder(&server.uri(), &clock)
            .retry_policy(RetryPolicy::new().max_retries(4).without_budget())
            .build()
            .expect("valid");
        client.plants().list().send().await.expect_err("always 503");
        runs.push(clock.sleeps());
    }

    assert_eq!(runs[0].len(), 4);
    assert_ne!(runs[0], runs[1]);
}

#[tokio::test]
async fn jitter_seed_repeats_delays() {
    let server = server_with(Script::new([problem_response(503, "service_unavailable")])).await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let clock = ManualClock::new();
        let client = builder(&server.uri(), &clock)
            .retry_policy(RetryPolicy::new().jitter_seed(42))
            .build()
            .expect("valid");
        client.plants().list().send().await.expect_err("always 503");
        runs.push(clock.sleeps());
    }

    assert_eq!(runs[0], runs[1]);
}

/// A `Retry-After` date 3 s after the clock's wall time, in each of the
/// three formats RFC 9110 allows, makes the retry wait 3 s.
#[tokio::test]
async fn retry_after_date_in_every_format() {
    for date in [
        "Thu, 01 Jan 2026 00:00:03 GMT",
        "Thursday, 01-Jan-26 00:00:03 GMT",
        "Thu Jan  1 00:00:03 2026",
    ] {
        let clock = ManualClock::new();
        let server = server_with(Script::new([too_many_requests(date), empty_list()])).await;
        let client = builder(&server.uri(), &clock).build().expect("valid");

        let page = client.plants().list().send().await;

        assert!(page.is_ok(), "{date}: {page:?}");
        assert_eq!(clock.sleeps(), [Duration::from_secs(3)], "{date}");
    }
}

#[tokio::test]
async fn retry_after_date_in_past_retries_at_once() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([
        too_many_requests("Wed, 31 Dec 2025 23:00:00 GMT"),
        empty_list(),
    ]))
    .await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    client.plants().list().send().await.expect("second attempt");

    assert_eq!(clock.sleeps(), [Duration::ZERO]);
}

#[tokio::test]
async fn malformed_retry_after_falls_back_to_backoff() {
    for value in ["-3", "1.5", "soon", "120abc", ""] {
        let clock = ManualClock::new();
        let server = server_with(Script::new([too_many_requests(value), empty_list()])).await;
        let client = builder(&server.uri(), &clock)
            .retry_policy(RetryPolicy::new().initial_backoff(Duration::from_millis(100)))
            .build()
            .expect("valid");

        let page = client.plants().list().send().await;

        assert!(page.is_ok(), "{value:?}: {page:?}");
        let sleeps = clock.sleeps();
        assert_eq!(sleeps.len(), 1, "{value:?}");
        assert!(
            sleeps[0] <= Duration::from_millis(100),
            "{value:?}: {sleeps:?}"
        );
    }
}

#[tokio::test]
async fn retry_after_seconds_sets_the_wait() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([too_many_requests("2"), empty_list()])).await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    client.plants().list().send().await.expect("second attempt");

    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn retry_after_ms_wins_over_retry_after() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([
        too_many_requests("7").insert_header("retry-after-ms", "1500"),
        empty_list(),
    ]))
    .await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    client.plants().list().send().await.expect("second attempt");

    assert_eq!(clock.sleeps(), [Duration::from_millis(1500)]);
}

#[tokio::test]
async fn ratelimit_reset_is_the_last_hint() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([
        problem_response(429, "rate_limited")
            .insert_header("ratelimit-policy", "\"default\";q=100;w=60")
            .insert_header("ratelimit", "\"default\";r=0;t=4"),
        empty_list(),
    ]))
    .await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    client.plants().list().send().await.expect("second attempt");

    assert_eq!(clock.sleeps(), [Duration::from_secs(4)]);
}

#[tokio::test]
async fn hint_over_max_wait_ends_the_call_at_once() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([too_many_requests("120"), empty_list()])).await;
    let client = builder(&server.uri(), &clock)
        .retry_policy(RetryPolicy::new().max_wait(Duration::from_secs(30)))
        .build()
        .expect("valid");

    let error = client.plants().list().send().await.expect_err("gives up");

    assert_eq!(request_count(&server).await, 1);
    assert!(clock.sleeps().is_empty());
    let Error::RateLimited(limited) = &error else {
        panic!("expected a rate-limit error, got {error:?}");
    };
    assert_eq!(limited.retry_after, Some(Duration::from_secs(120)));
    assert_eq!(error.to_string(), "rate limited: retry after 120 s");
}

#[tokio::test]
async fn hint_past_deadline_ends_the_call_at_once() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([too_many_requests("20"), empty_list()])).await;
    let client = builder(&server.uri(), &clock)
        .deadline(Duration::from_secs(10))
        .build()
        .expect("valid");

    let error = client.plants().list().send().await.expect_err("gives up");

    assert_eq!(request_count(&server).await, 1);
    assert!(clock.sleeps().is_empty());
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(20)));
}

#[tokio::test]
async fn long_hint_on_503_keeps_the_api_error() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([
        problem_response(503, "service_unavailable").insert_header("retry-after", "3600")
    ]))
    .await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    let error = client.plants().list().send().await.expect_err("gives up");

    assert_eq!(request_count(&server).await, 1);
    assert!(matches!(error, Error::Api(_)), "{error:?}");
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn final_429_is_a_rate_limit_error() {
    let clock = ManualClock::new();
    let server = server_with(Script::new([too_many_requests("1")])).await;
    let client = builder(&server.uri(), &clock).build().expect("valid");

    let error = client.plants().list().send().await.expect_err("always 429");

    assert_eq!(request_count(&server).await, 3);
    assert_eq!(clock.sleeps(), [Duration::from_secs(1); 2]);
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(error.code(), Some("rate_limited"));
    assert_eq!(
        error.to_string(),
        "rate limited: retry after 1 s (after 3 attempts)"
    );
}

#[tokio::test]
async fn waits_never_cross_the_deadline() {
    let clock = ManualClock::new();
    let server = server_with(
        Script::new([problem_response(503, "service_unavailable")])
            .taking(&clock, Duration::from_millis(400)),
    )
    .await;
    let client = builder(&server.uri(), &clock)
        .deadline(Duration::from_secs(2))
        .retry_policy(
            RetryPolicy::new()
                .max_retries(20)
                .initial_backoff(Duration::from_millis(300))
                .without_budget(),
        )
        .build()
        .expect("valid");

    let error = client.plants().list().send().await.expect_err("always 503");

    let attempts = request_count(&server).await;
    assert!(attempts < 21, "{attempts} attempts");
    assert_eq!(error.attempts() as usize, attempts);
    for wake in clock.wakes() {
        assert!(wake < Duration::from_secs(2), "a wait ends at {wake:?}");
    }
}

/// Real slow attempts: the second one gets only what is left of the
/// deadline, so it times out instead of running its full attempt timeout.
#[tokio::test]
async fn deadline_cuts_a_slow_attempt_short() {
    let server = MockServer::start().await;
    Mock::given(matchers::any())
        .respond_with(
            problem_response(503, "service_unavailable").set_delay(Duration::from_millis(1200)),
        )
        .mount(&server)
        .await;
    let client = letta::Client::builder()
        .base_url(server.uri())
        .api_key("sk_test_letta")
        .timeout(Duration::from_secs(30))
        .deadline(Duration::from_secs(2))
        .retry_policy(
            RetryPolicy::new()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(1)),
        )
        .build()
        .expect("valid");

    let error = client.plants().list().send().await.expect_err("deadline");

    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(error.attempts(), 2);
    assert_eq!(error.last_status().map(|s| s.as_u16()), Some(503));
}
