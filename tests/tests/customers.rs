//! Customers through the SDK against the real mock server, including a
//! keyset walk while customers are created and deleted.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use letta::Client;
use letta::types::{CreateCustomer, UpdateCustomer};
use letta_mock::{MockConfig, MockServer};
use letta_tests::client_for;

/// Starts a mock with `customers` seeded customers and nothing else.
async fn start(customers: usize) -> (MockServer, Client) {
    let config = MockConfig::new().plants(0).customers(customers).orders(0);
    let server = MockServer::start(config)
        .await
        .expect("mock server starts on loopback");
    let client = client_for(&server);
    (server, client)
}

#[tokio::test]
async fn customer_round_trip() {
    let (_server, client) = start(0).await;
    let customers = client.customers();

    let created = customers
        .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com").phone("+15555550123"))
        .await
        .expect("created");
    let updated = customers
        .update(
            &created.id,
            &UpdateCustomer::new().name("Ada King").clear_phone(),
        )
        .await
        .expect("updated");
    let fetched = customers.get(&created.id).await.expect("fetched");
    customers.delete(&created.id).await.expect("deleted");
    let missing = customers.get(&created.id).await.expect_err("deleted");

    assert_eq!(created.phone.as_deref(), Some("+15555550123"));
    assert_eq!(updated.name, "Ada King");
    assert_eq!(updated.phone, None);
    assert_eq!(fetched, updated);
    assert_eq!(missing.status().map(|status| status.as_u16()), Some(404));
}

#[tokio::test]
async fn duplicate_email_is_a_conflict() {
    let (_server, client) = start(0).await;
    let customers = client.customers();
    customers
        .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com"))
        .await
        .expect("created");

    let error = customers
        .create(&CreateCustomer::new("Ada Again", "ADA@example.com"))
        .await
        .expect_err("email taken, ignoring case");

    assert_eq!(error.status().map(|status| status.as_u16()), Some(409));
    assert_eq!(error.code(), Some("email_taken"));
}

/// PAGE-1: 25 customers, pages of 10. After page 1 one customer is created,
/// after page 2 one the walk has not reached is deleted.
#[tokio::test]
async fn keyset_walk_survives_inserts_and_deletes() {
    let walk = walk_while_changing(true).await;
    walk.assert_page_1();
}

#[tokio::test]
async fn walk_without_prefetch_skips_a_customer_deleted_ahead() {
    let walk = walk_while_changing(false).await;
    walk.assert_page_1();
    assert!(
        !walk.seen.contains(&walk.deleted),
        "a customer deleted ahead of the walk is not yielded"
    );
}

/// What field case PAGE-1 walks: 25 customers read 10 at a time, one
/// customer created after the first page and one not yet reached deleted
/// after the second.
struct ChangingWalk {
    initial: Vec<String>,
    deleted: String,
    seen: Vec<String>,
}

impl ChangingWalk {
    /// PAGE-1: no id twice, and every customer that existed for the whole
    /// walk is yielded. With prefetch on, the page after the current one is
    /// already fetched, so a customer deleted from it may still be yielded.
    fn assert_page_1(&self) {
        let unique: HashSet<_> = self.seen.iter().cloned().collect();
        assert_eq!(unique.len(), self.seen.len(), "no id is yielded twice");
        for id in self.initial.iter().filter(|id| **id != self.deleted) {
            assert!(
                unique.contains(id),
                "{id} existed for the whole walk but was not yielded"
            );
        }
    }
}

async fn walk_while_changing(prefetch: bool) -> ChangingWalk {
    let (_server, client) = start(25).await;
    let customers = client.customers();
    let initial: Vec<String> = customers
        .list()
        .limit(100)
        .stream()
        .map_ok(|customer| customer.id)
        .try_collect()
        .await
        .expect("seeded customers");
    assert_eq!(initial.len(), 25);
    let deleted = initial[24].clone();

    let mut pages = customers.list().limit(10).prefetch(prefetch).pages();
    let mut seen = Vec::new();
    let mut number = 0;
    while let Some(page) = pages.try_next().await.expect("page") {
        number += 1;
        seen.extend(page.data.iter().map(|customer| customer.id.clone()));
        if number == 1 {
            customers
                .create(&CreateCustomer::new("Late Arrival", "late@example.com"))
                .await
                .expect("created mid-walk");
        }
        if number == 2 {
            assert!(
                !seen.contains(&deleted),
                "the deleted customer is ahead of the walk"
            );
            customers.delete(&deleted).await.expect("deleted mid-walk");
        }
    }
    ChangingWalk {
        initial,
        deleted,
        seen,
    }
}

#[tokio::test]
async fn list_filters_by_email_and_text() {
    let (_server, client) = start(0).await;
    let customers = client.customers();
    let ada = customers
        .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com"))
        .await
        .expect("created");
    customers
        .create(&CreateCustomer::new("Grace Hopper", "grace@example.com"))
        .await
        .expect("created");

    let by_email = customers
        .list()
        .email("ADA@example.com")
        .send()
        .await
        .expect("list by email");
    let by_text = customers
        .list()
        .query("hopper")
        .send()
        .await
        .expect("list by text");

    let by_email_ids: Vec<&str> = by_email.data.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(by_email_ids, [ada.id.as_str()]);
    let by_text_names: Vec<&str> = by_text.data.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(by_text_names, ["Grace Hopper"]);
}
