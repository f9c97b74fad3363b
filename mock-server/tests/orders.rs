//! Orders and payments: stock reservation, the order life cycle and the
//! events each step appends.

mod support;

use std::sync::Arc;

use letta_mock::MockConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, start_with};

/// Starts a server without seed data, so the event log contains only the
/// test's events.
async fn empty_server() -> TestServer {
    start_with(MockConfig::new().plants(0).customers(0).orders(0)).await
}

async fn create_plant(server: &TestServer, stock: i64, threshold: i64, price: i64) -> String {
    let reply = server
        .post(
            "/v1/plants",
            json!({
                "name": "Golden Pothos",
                "species": "Epipremnum aureum",
                "category": "foliage",
                "price": price,
                "stock": stock,
                "low_stock_threshold": threshold
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    id_of(&reply.body)
}

async fn create_customer(server: &TestServer, email: &str) -> String {
    let reply = server
        .post(
            "/v1/customers",
            json!({"name": "Ada Lovelace", "email": email}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    id_of(&reply.body)
}

async fn create_order(server: &TestServer, customer: &str, items: Value) -> Value {
    let reply = server
        .post(
            "/v1/orders",
            json!({"customer_id": customer, "items": items}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    reply.body
}

async fn pay(server: &TestServer, order: &Value, method: &str) -> support::Reply {
    server
        .post(
            "/v1/payments",
            json!({
                "order_id": order["id"],
                "payment_method": method,
                "amount": order["total"]
            }),
        )
        .await
}

fn id_of(body: &Value) -> String {
    body["id"]
        .as_str()
        .expect("the created object has an id")
        .to_owned()
}

async fn stock_of(server: &TestServer, plant: &str) -> i64 {
    let reply = server.get(&format!("/v1/plants/{plant}")).await;
    reply.body["stock"].as_i64().expect("a plant has a stock")
}

/// Returns the types of every event in the log, oldest first.
async fn event_types(server: &TestServer) -> Vec<String> {
    let reply = server.get("/v1/events?limit=100").await;
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    assert_eq!(reply.body["has_more"], false, "the test log fits one page");
    reply
        .data()
        .iter()
        .map(|event| event["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn concurrent_orders_never_oversell() {
    let server = Arc::new(empty_server().await);
    let plant = create_plant(&server, 10, 3, 1299).await;
    let customer = create_customer(&server, "ada@example.com").await;

    let mut tasks = Vec::new();
    for _ in 0..50 {
        let server = server.clone();
        let body = json!({"customer_id": customer, "items": [{"plant_id": plant, "quantity": 1}]});
        tasks.push(tokio::spawn(async move {
            server.post("/v1/orders", body).await
        }));
    }
    let mut created = 0;
    let mut refused = 0;
    for task in tasks {
        let reply = task.await.expect("the request task completes");
        match reply.status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                reply.assert_problem(409, "insufficient_stock");
                assert_eq!(reply.error_pointers(), ["/items/0/quantity"]);
                refused += 1;
            }
            other => panic!("unexpected status {other}: {}", reply.body),
        }
    }

    assert_eq!(created, 10);
    assert_eq!(refused, 40);
    assert_eq!(stock_of(&server, &plant).await, 0);
    let orders = server.get("/v1/orders?status=pending").await;
    assert_eq!(orders.body["total"], 10);
    let events = server.get("/v1/events?type=order.created").await;
    assert_eq!(events.body["total"], 10);
    let out = server.get("/v1/events?type=plant.out_of_stock").await;
    assert_eq!(out.body["total"], 1);
    let low = server.get("/v1/events?type=plant.low_stock").await;
    assert_eq!(low.body["total"], 1);
}

#[tokio::test]
async fn full_flow_appends_events_in_order() {
    let server = empty_server().await;
    let plant = create_plant(&server, 6, 5, 2499).await;
    let customer = create_customer(&server, "grace@example.com").await;

    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 2}]),
    )
    .await;
    assert_eq!(order["status"], "pending");
    assert_eq!(order["total"], 4998);
    assert_eq!(order["currency"], "usd");
    assert_eq!(order["items"][0]["unit_price"], 2499);

    let payment = pay(&server, &order, "pm_card_ok").await;
    assert_eq!(
        payment.status,
        StatusCode::CREATED,
        "body: {}",
        payment.body
    );
    assert_eq!(payment.body["status"], "succeeded");
    assert_eq!(payment.body["failure_code"], Value::Null);
    assert_eq!(payment.body["amount"], 4998);
    let order_id = id_of(&order);
    let paid = server.get(&format!("/v1/orders/{order_id}")).await;
    assert_eq!(paid.body["status"], "paid");

    let fulfilled = server
        .post(&format!("/v1/orders/{order_id}/fulfill"), json!({}))
        .await;
    assert_eq!(fulfilled.status, StatusCode::OK, "body: {}", fulfilled.body);
    assert_eq!(fulfilled.body["status"], "fulfilled");

    assert_eq!(
        event_types(&server).await,
        [
            "plant.created",
            "customer.created",
            "order.created",
            "plant.stock_changed",
            "plant.low_stock",
            "payment.completed",
            "order.paid",
            "order.fulfilled",
        ]
    );
    let events = server.get("/v1/events?limit=100").await;
    let data = events.data();
    assert_eq!(data[2]["data"]["id"], order_id.as_str());
    assert_eq!(data[3]["data"]["stock"], 4);
    assert_eq!(data[5]["data"]["id"], payment.body["id"]);
    assert_eq!(data[7]["data"]["status"], "fulfilled");
    let ids: Vec<&str> = data
        .iter()
        .filter_map(|event| event["id"].as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "event ids sort in log order");
}

#[tokio::test]
async fn declined_payment_is_recorded() {
    let server = empty_server().await;
    let plant = create_plant(&server, 20, 5, 1000).await;
    let customer = create_customer(&server, "hugo@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 1}]),
    )
    .await;

    let declined = pay(&server, &order, "pm_card_declined").await;

    declined.assert_problem(402, "card_declined");
    let payment_id = declined.body["payment_id"]
        .as_str()
        .expect("the problem names the failed payment");
    let payment = server.get(&format!("/v1/payments/{payment_id}")).await;
    assert_eq!(payment.status, StatusCode::OK);
    assert_eq!(payment.body["status"], "failed");
    assert_eq!(payment.body["failure_code"], "card_declined");
    let order_now = server.get(&format!("/v1/orders/{}", id_of(&order))).await;
    assert_eq!(order_now.body["status"], "pending");
    let failed = server.get("/v1/events?type=payment.failed").await;
    assert_eq!(failed.body["total"], 1);
    assert_eq!(failed.data()[0]["data"]["id"], payment_id);

    let retried = pay(&server, &order, "pm_card_ok").await;
    assert_eq!(
        retried.status,
        StatusCode::CREATED,
        "body: {}",
        retried.body
    );
    let payments = server.get("/v1/payments").await;
    assert_eq!(payments.body["total"], 2);
}

#[tokio::test]
async fn cancel_returns_stock() {
    let server = empty_server().await;
    let first = create_plant(&server, 8, 2, 500).await;
    let second = create_plant(&server, 3, 2, 700).await;
    let customer = create_customer(&server, "ines@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": first, "quantity": 5}, {"plant_id": second, "quantity": 3}]),
    )
    .await;
    assert_eq!(order["total"], 5 * 500 + 3 * 700);
    assert_eq!(stock_of(&server, &first).await, 3);
    assert_eq!(stock_of(&server, &second).await, 0);

    let cancelled = server
        .post(&format!("/v1/orders/{}/cancel", id_of(&order)), json!({}))
        .await;

    assert_eq!(cancelled.status, StatusCode::OK, "body: {}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(stock_of(&server, &first).await, 8);
    assert_eq!(stock_of(&server, &second).await, 3);
    let types = event_types(&server).await;
    assert_eq!(
        types[types.len() - 3..],
        [
            "order.cancelled",
            "plant.stock_changed",
            "plant.stock_changed"
        ]
    );
    let again = server
        .post(&format!("/v1/orders/{}/cancel", id_of(&order)), json!({}))
        .await;
    again.assert_problem(409, "invalid_order_state");
}

#[tokio::test]
async fn cancel_after_fulfil_is_conflict() {
    let server = empty_server().await;
    let plant = create_plant(&server, 8, 2, 500).await;
    let customer = create_customer(&server, "jonas@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 1}]),
    )
    .await;
    let id = id_of(&order);
    assert_eq!(pay(&server, &order, "pm_card_ok").await.status, 201);
    let fulfilled = server
        .post(&format!("/v1/orders/{id}/fulfill"), json!({}))
        .await;
    assert_eq!(fulfilled.status, StatusCode::OK);

    let cancelled = server
        .post(&format!("/v1/orders/{id}/cancel"), json!({}))
        .await;

    cancelled.assert_problem(409, "invalid_order_state");
    assert_eq!(stock_of(&server, &plant).await, 7);
}

#[tokio::test]
async fn fulfil_unpaid_is_conflict() {
    let server = empty_server().await;
    let plant = create_plant(&server, 8, 2, 500).await;
    let customer = create_customer(&server, "kenji@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 1}]),
    )
    .await;

    let reply = server
        .post(&format!("/v1/orders/{}/fulfill", id_of(&order)), json!({}))
        .await;

    reply.assert_problem(409, "invalid_order_state");
}

#[tokio::test]
async fn payment_amount_must_match_total() {
    let server = empty_server().await;
    let plant = create_plant(&server, 8, 2, 500).await;
    let customer = create_customer(&server, "leila@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 2}]),
    )
    .await;

    let reply = server
        .post(
            "/v1/payments",
            json!({"order_id": order["id"], "payment_method": "pm_card_ok", "amount": 999, "currency": "eur"}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_pointers(), ["/amount", "/currency"]);
    let payments = server.get("/v1/payments").await;
    assert_eq!(payments.body["total"], 0);
}

#[tokio::test]
async fn paying_a_paid_order_is_conflict() {
    let server = empty_server().await;
    let plant = create_plant(&server, 8, 2, 500).await;
    let customer = create_customer(&server, "maya@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 2}]),
    )
    .await;
    assert_eq!(pay(&server, &order, "pm_card_ok").await.status, 201);

    let second = pay(&server, &order, "pm_card_ok").await;

    second.assert_problem(409, "invalid_order_state");
}

#[tokio::test]
async fn order_reserves_all_items_or_none() {
    let server = empty_server().await;
    let plenty = create_plant(&server, 50, 5, 500).await;
    let scarce = create_plant(&server, 2, 1, 900).await;
    let customer = create_customer(&server, "nadia@example.com").await;

    let reply = server
        .post(
            "/v1/orders",
            json!({"customer_id": customer, "items": [
                {"plant_id": plenty, "quantity": 10},
                {"plant_id": scarce, "quantity": 3}
            ]}),
        )
        .await;

    reply.assert_problem(409, "insufficient_stock");
    assert_eq!(reply.error_pointers(), ["/items/1/quantity"]);
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(&scarce), "{detail}");
    assert!(detail.contains("has 2 in stock"), "{detail}");
    assert_eq!(stock_of(&server, &plenty).await, 50);
    assert_eq!(stock_of(&server, &scarce).await, 2);
    let orders = server.get("/v1/orders").await;
    assert_eq!(orders.body["total"], 0);
}

#[tokio::test]
async fn invalid_order_bodies_point_at_fields() {
    let server = empty_server().await;
    let plant = create_plant(&server, 50, 5, 500).await;
    let customer = create_customer(&server, "omar@example.com").await;

    let cases = [
        (
            json!({"customer_id": "cus_0000000000000000", "items": [{"plant_id": plant, "quantity": 1}]}),
            vec!["/customer_id"],
        ),
        (
            json!({"customer_id": customer, "items": [{"plant_id": "plt_0000000000000000", "quantity": 1}]}),
            vec!["/items/0/plant_id"],
        ),
        (
            json!({"customer_id": customer, "items": [
                {"plant_id": plant, "quantity": 1},
                {"plant_id": plant, "quantity": 2}
            ]}),
            vec!["/items/1/plant_id"],
        ),
        (
            json!({"customer_id": customer, "items": [{"plant_id": plant, "quantity": 0}]}),
            vec!["/items/0/quantity"],
        ),
        (
            json!({"customer_id": customer, "items": [{"plant_id": plant, "quantity": 1001}]}),
            vec!["/items/0/quantity"],
        ),
        (
            json!({"customer_id": customer, "items": [{"plant_id": plant, "quantity": 1, "price": 1}]}),
            vec!["/items/0/price"],
        ),
        (
            json!({"customer_id": customer, "items": []}),
            vec!["/items"],
        ),
        (
            json!({"items": [{"plant_id": plant}]}),
            vec!["/customer_id", "/items/0/quantity"],
        ),
    ];
    for (body, pointers) in cases {
        let reply = server.post("/v1/orders", body.clone()).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_pointers(), pointers, "body: {body}");
    }
    assert_eq!(stock_of(&server, &plant).await, 50);
}

#[tokio::test]
async fn cancel_takes_no_body_fields() {
    let server = empty_server().await;
    let plant = create_plant(&server, 5, 1, 500).await;
    let customer = create_customer(&server, "priya@example.com").await;
    let order = create_order(
        &server,
        &customer,
        json!([{"plant_id": plant, "quantity": 1}]),
    )
    .await;
    let path = format!("/v1/orders/{}/cancel", id_of(&order));

    let with_field = server
        .post(&path, json!({"reason": "changed my mind"}))
        .await;
    with_field.assert_problem(422, "validation_failed");
    assert_eq!(with_field.error_pointers(), ["/reason"]);

    let without_body = server
        .client
        .post(server.url(&path))
        .bearer_auth(server.server.api_key())
        .send()
        .await
        .expect("request reaches the mock server");
    assert_eq!(without_body.status(), StatusCode::OK);
}

#[tokio::test]
async fn order_list_filters() {
    let server = start_with(MockConfig::new().orders(200)).await;

    let paid = server.get("/v1/orders?status=paid&limit=100").await;
    assert_eq!(paid.status, StatusCode::OK, "body: {}", paid.body);
    assert!(paid.data().iter().all(|order| order["status"] == "paid"));
    assert!(paid.body["total"].as_u64().unwrap_or_default() > 0);

    let first = server.get("/v1/orders?limit=1").await;
    let customer = first.data()[0]["customer_id"]
        .as_str()
        .expect("an order has a customer")
        .to_owned();
    let by_customer = server
        .get(&format!("/v1/orders?customer_id={customer}&limit=100"))
        .await;
    assert!(
        by_customer
            .data()
            .iter()
            .all(|order| order["customer_id"] == customer.as_str())
    );
    let history = server
        .get(&format!("/v1/customers/{customer}/orders?limit=100"))
        .await;
    assert_eq!(history.status, StatusCode::OK);
    assert_eq!(history.ids(), by_customer.ids());

    let created = first.data()[0]["created_at"]
        .as_str()
        .expect("an order has created_at")
        .to_owned();
    let after = server
        .get(&format!("/v1/orders?created_after={created}&limit=100"))
        .await;
    assert!(!after.ids().contains(&id_of(&first.data()[0])));

    let inverted = server
        .get("/v1/orders?created_after=2025-02-01T00:00:00Z&created_before=2025-01-01T00:00:00Z")
        .await;
    inverted.assert_problem(400, "invalid_parameter");
    let bad_status = server.get("/v1/orders?status=shipped").await;
    bad_status.assert_problem(400, "invalid_parameter");
}

#[tokio::test]
async fn seeded_orders_cover_every_status() {
    let server = start_with(MockConfig::new().orders(40)).await;

    for status in ["pending", "paid", "fulfilled", "cancelled"] {
        let reply = server.get(&format!("/v1/orders?status={status}")).await;
        assert!(
            reply.body["total"].as_u64().unwrap_or_default() > 0,
            "no seeded {status} order"
        );
    }
    let payments = server.get("/v1/payments?limit=100").await;
    assert!(payments.body["total"].as_u64().unwrap_or_default() > 0);
    let events = server.get("/v1/events").await;
    assert_eq!(events.body["total"], 0, "seeding appends no events");
}

/// PAGE-2: both walks over 589 seeded orders end on `has_more`, not on the
/// page's shape, and yield each order once.
#[tokio::test]
async fn walks_over_589_orders_yield_each_once() {
    let server = start_with(MockConfig::new().orders(589)).await;

    let mut keyset: Vec<String> = Vec::new();
    let mut path = "/v1/orders?limit=100".to_owned();
    loop {
        let reply = server.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
        keyset.extend(reply.ids());
        if reply.body["has_more"] != true {
            break;
        }
        let last = keyset.last().expect("a page with more has items");
        path = format!("/v1/orders?limit=100&starting_after={last}");
    }

    let mut paged: Vec<String> = Vec::new();
    for page in 1.. {
        let reply = server
            .get(&format!("/v1/orders?limit=100&page={page}"))
            .await;
        paged.extend(reply.ids());
        if reply.body["has_more"] != true {
            break;
        }
    }

    let keyset_unique: std::collections::HashSet<&String> = keyset.iter().collect();
    let paged_unique: std::collections::HashSet<&String> = paged.iter().collect();
    assert_eq!(keyset.len(), 589);
    assert_eq!(keyset_unique.len(), 589);
    assert_eq!(paged.len(), 589);
    assert_eq!(paged_unique.len(), 589);
    assert_eq!(keyset, paged);
}
