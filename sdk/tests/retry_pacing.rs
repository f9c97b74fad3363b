//! Client-wide behaviour: the retry budget stops a retry storm against a
//! failing server, and pacing spaces requests to stay under the quota.

mod retry_support;

use std::time::Duration;

use letta::{RetryBudget, RetryPolicy};
use retry_support::{ManualClock, Script, builder, empty_list, problem_response, request_count};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers};

async fn always(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(matchers::any())
        .respond_with(Script::new([response]))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn budget_stops_a_retry_storm() {
    let server = always(problem_response(503, "service_unavailable")).await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock)
        .retry_policy(RetryPolicy::new().budget(RetryBudget::new(10, 0.1)))
        .build()
        .expect("valid");

    for _ in 0..10 {
        client.plants().list().send().await.expect_err("always 503");
    }

    // 10 tokens, one per failure, retries only above 5: the first call
    // makes 3 attempts, the second 2, and every later call 1.
    assert_eq!(request_count(&server).await, 3 + 2 + 8);
}

#[tokio::test]
async fn without_budget_every_call_retries() {
    let server = always(problem_response(503, "service_unavailable")).await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock)
        .retry_policy(RetryPolicy::new().without_budget())
        .build()
        .expect("valid");

    for _ in 0..10 {
        client.plants().list().send().await.expect_err("always 503");
    }

    assert_eq!(request_count(&server).await, 30);
}

#[tokio::test]
async fn budget_is_shared_by_clones() {
    let server = always(problem_response(503, "service_unavailable")).await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock).build().expect("valid");

    client
        .clone()
        .plants()
        .list()
        .send()
        .await
        .expect_err("503");
    client
        .clone()
        .plants()
        .list()
        .send()
        .await
        .expect_err("503");
    let third = client.plants().list().send().await.expect_err("503");

    assert_eq!(third.attempts(), 1);
}

fn limited_list() -> ResponseTemplate {
    empty_list()
        .insert_header("ratelimit-policy", "\"default\";q=10;w=1")
        .insert_header("ratelimit", "\"default\";r=9;t=1")
}

#[tokio::test]
async fn pacing_spaces_requests_of_all_tasks() {
    let server = always(limited_list()).await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock)
        .pacing(true)
        .build()
        .expect("valid");

    // The first response teaches the client the quota: 10 per second.
    client.plants().list().send().await.expect("first");
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.plants().list().send().await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task").expect("paced request");
    }

    assert_eq!(request_count(&server).await, 9);
    let mut wakes = clock.wakes();
    wakes.sort();
    assert_eq!(wakes.len(), 7, "every request but the next one waits");
    for pair in wakes.windows(2) {
        assert_eq!(pair[1] - pair[0], Duration::from_millis(100), "{wakes:?}");
    }
}

#[tokio::test]
async fn no_pacing_by_default() {
    let server = always(limited_list()).await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock).build().expect("valid");

    for _ in 0..5 {
        client.plants().list().send().await.expect("request");
    }

    assert!(clock.wakes().is_empty());
}

#[tokio::test]
async fn rate_limit_hint_holds_other_tasks() {
    let server = MockServer::start().await;
    Mock::given(matchers::any())
        .respond_with(Script::new([
            problem_response(429, "rate_limited").insert_header("retry-after", "2"),
            empty_list(),
        ]))
        .mount(&server)
        .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock)
        .pacing(true)
        .build()
        .expect("valid");

    client.plants().list().send().await.expect("after the wait");
    client.plants().list().send().await.expect("next request");

    // The retry waits 2 s; the pacer holds the next request until then too,
    // which has passed by the time it starts.
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn pacing_never_waits_past_the_deadline() {
    let server = always(
        empty_list()
            .insert_header("ratelimit-policy", "\"default\";q=1;w=100")
            .insert_header("ratelimit", "\"default\";r=0;t=100"),
    )
    .await;
    let clock = ManualClock::new();
    let client = builder(&server.uri(), &clock)
        .pacing(true)
        .deadline(Duration::from_secs(10))
        .build()
        .expect("valid");

    client.plants().list().send().await.expect("first");
    let error = client.plants().list().send().await.expect_err("held");

    assert!(
        matches!(error, letta::Error::DeadlineExceeded { .. }),
        "{error:?}"
    );
    assert!(error.is_timeout());
    assert_eq!(error.attempts(), 0);
    assert_eq!(request_count(&server).await, 1);
    assert_eq!(clock.wakes(), [Duration::from_secs(10)]);
}
