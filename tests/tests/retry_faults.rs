//! The SDK's retries against the real mock server with faults on: dropped
//! connections, before and after the change is committed, and injected
//! `503`s never create an object twice or lose one.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::TryStreamExt;
use letta::types::{Category, CreatePlant};
use letta::{Client, RetryPolicy};
use letta_mock::{MockConfig, MockServer};

const CREATES: usize = 30;

#[tokio::test]
async fn creates_under_faults_make_one_of_each() {
    let server = MockServer::start(
        MockConfig::default()
            .plants(0)
            .rate_limit(0, 1)
            .fault("POST /v1/plants:drop-after-commit:rate=0.3:seed=7")
            .fault("POST /v1/plants:drop-before-commit:rate=0.2:seed=11")
            .fault("POST /v1/plants:status=503:rate=0.2:seed=13"),
    )
    .await
    .expect("mock server starts with faults");
    let client = Client::builder()
        .base_url(server.base_url())
        .api_key(server.api_key())
        .retry_policy(
            RetryPolicy::new()
                .max_retries(20)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5))
                .without_budget(),
        )
        .build()
        .expect("valid client settings");

    let mut created = Vec::new();
    for n in 0..CREATES {
        let plant = CreatePlant::new(
            format!("Fault test {n}"),
            "Aloe vera",
            Category::Succulent,
            899,
        );
        let plant = client
            .plants()
            .create(&plant)
            .await
            .unwrap_or_else(|error| panic!("create {n} failed: {error}"));
        created.push(plant);
    }

    let stored: Vec<_> = client
        .plants()
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("list after the creates");
    let mut per_name: HashMap<String, usize> = HashMap::new();
    for plant in &stored {
        *per_name.entry(plant.name.clone()).or_default() += 1;
    }
    assert_eq!(stored.len(), CREATES, "{per_name:?}");
    for n in 0..CREATES {
        assert_eq!(
            per_name.get(&format!("Fault test {n}")),
            Some(&1),
            "plant {n}"
        );
    }
    for (plant, stored) in created.iter().zip(&stored) {
        assert_eq!(plant.id, stored.id, "the SDK returns the stored plant");
    }
}
