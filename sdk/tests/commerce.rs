//! Customers, orders, payments and events against scripted servers: request
//! shapes, and decoding that tolerates values this SDK does not know.

use chrono::{TimeZone, Utc};
use futures_util::TryStreamExt;
use letta::Client;
use letta::types::{
    CreateCustomer, CreateOrder, CreatePayment, EventData, EventType, OrderStatus,
    PaymentFailureCode, PaymentMethod, PaymentStatus, UpdateCustomer,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key("sk_test_letta")
        .build()
        .expect("valid client settings")
}

fn customer(n: u32) -> Value {
    json!({
        "id": format!("cus_{n:016}"),
        "name": format!("Customer {n}"),
        "email": format!("c{n}@example.com"),
        "phone": null,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

fn order(n: u32, status: &str) -> Value {
    json!({
        "id": format!("ord_{n:016}"),
        "customer_id": "cus_0000000000000001",
        "items": [
            {"plant_id": "plt_0000000000000001", "quantity": 2, "unit_price": 2499},
            {"plant_id": "plt_0000000000000002", "quantity": 1, "unit_price": 999}
        ],
        "total": 5997,
        "currency": "usd",
        "status": status,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

fn payment(status: &str, failure_code: Value) -> Value {
    json!({
        "id": "pay_0000000000000001",
        "order_id": "ord_0000000000000001",
        "amount": 5997,
        "currency": "usd",
        "payment_method": "pm_card_ok",
        "status": status,
        "failure_code": failure_code,
        "created_at": "2026-01-01T00:00:00Z"
    })
}

fn list(data: Vec<Value>, has_more: bool) -> Value {
    json!({"data": data, "limit": 20, "total": 2, "has_more": has_more})
}

#[tokio::test]
async fn order_money_stays_integer_minor_units() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/orders/ord_0000000000000001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order(1, "pending")))
        .mount(&server)
        .await;

    let order = client(&server)
        .orders()
        .get("ord_0000000000000001")
        .await
        .expect("decodes");

    assert_eq!(order.total, 5997);
    assert_eq!(order.items[0].unit_price, 2499);
    assert_eq!(order.items[0].quantity, 2);
    assert_eq!(order.status, OrderStatus::Pending);
}

#[tokio::test]
async fn fractional_total_is_a_decode_error() {
    let server = MockServer::start().await;
    let mut body = order(1, "pending");
    body["total"] = json!(59.97);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;

    let error = client(&server)
        .orders()
        .get("ord_0000000000000001")
        .await
        .expect_err("money is never a float");

    let letta::Error::Decode(decode) = error else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(decode.path, "total");
}

#[tokio::test]
async fn unknown_order_and_payment_statuses_decode() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/orders"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(list(vec![order(1, "on_hold")], false)),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/pay_0000000000000001"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(payment("refunded", json!("expired_card"))),
        )
        .mount(&server)
        .await;
    let client = client(&server);

    let page = client.orders().list().send().await.expect("decodes");
    let payment = client
        .payments()
        .get("pay_0000000000000001")
        .await
        .expect("decodes");

    assert_eq!(page.data[0].status, OrderStatus::Unknown("on_hold".into()));
    assert_eq!(payment.status, PaymentStatus::Unknown("refunded".into()));
    assert_eq!(
        payment.failure_code,
        Some(PaymentFailureCode::Unknown("expired_card".into()))
    );
}

#[tokio::test]
async fn unknown_event_type_decodes_with_raw_data() {
    let server = MockServer::start().await;
    let unknown_data = json!({"id": "rfd_1", "amount": 5997, "reason": "damaged"});
    let events = vec![
        json!({"id": "evt_0000000000000001", "type": "order.created",
               "created_at": "2026-01-01T00:00:00Z", "data": order(1, "pending")}),
        json!({"id": "evt_0000000000000002", "type": "refund.created",
               "created_at": "2026-01-01T00:00:01Z", "data": unknown_data}),
        json!({"id": "evt_0000000000000003", "type": "customer.created",
               "created_at": "2026-01-01T00:00:02Z", "data": customer(1)}),
    ];
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(events, false)))
        .mount(&server)
        .await;

    let events: Vec<_> = client(&server)
        .events()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("every event decodes");

    assert_eq!(events.len(), 3);
    assert_eq!(events[0].event_type, EventType::OrderCreated);
    assert!(matches!(&events[0].data, EventData::Order(order) if order.total == 5997));
    assert_eq!(
        events[1].event_type,
        EventType::Unknown("refund.created".into())
    );
    assert_eq!(events[1].data, EventData::Unknown(unknown_data));
    assert!(matches!(&events[2].data, EventData::Customer(c) if c.id == "cus_0000000000000001"));
}

#[tokio::test]
async fn event_list_sends_type_filter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/events"))
        .and(query_param("type", "payment.failed"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![], false)))
        .expect(1)
        .mount(&server)
        .await;

    let page = client(&server)
        .events()
        .list()
        .event_type(EventType::PaymentFailed)
        .send()
        .await
        .expect("filter matches");
    assert!(page.data.is_empty());
}

#[tokio::test]
async fn order_list_sends_every_filter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/orders"))
        .and(query_param("status", "paid"))
        .and(query_param("customer_id", "cus_0000000000000001"))
        .and(query_param("created_after", "2026-01-01T00:00:00Z"))
        .and(query_param("created_before", "2026-02-01T12:30:00.250Z"))
        .and(query_param("limit", "50"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![], false)))
        .expect(1)
        .mount(&server)
        .await;
    let after = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let before =
        Utc.with_ymd_and_hms(2026, 2, 1, 12, 30, 0).unwrap() + chrono::Duration::milliseconds(250);

    client(&server)
        .orders()
        .list()
        .status(OrderStatus::Paid)
        .customer_id("cus_0000000000000001")
        .created_after(after)
        .created_before(before)
        .limit(50)
        .send()
        .await
        .expect("every filter matches");
}

#[tokio::test]
async fn customer_orders_walk_follows_cursor() {
    let server = MockServer::start().await;
    let history = "/v1/customers/cus_0000000000000001/orders";
    Mock::given(method("GET"))
        .and(path(history))
        .and(query_param("starting_after", "ord_0000000000000001"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list(vec![order(2, "paid")], false)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(history))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(list(vec![order(1, "pending")], true)),
        )
        .mount(&server)
        .await;

    let orders: Vec<_> = client(&server)
        .customers()
        .orders("cus_0000000000000001")
        .stream()
        .try_collect()
        .await
        .expect("walk succeeds");

    let ids: Vec<_> = orders.iter().map(|order| order.id.as_str()).collect();
    assert_eq!(ids, ["ord_0000000000000001", "ord_0000000000000002"]);
}

#[tokio::test]
async fn customer_orders_with_empty_id_sends_nothing() {
    let server = MockServer::start().await;

    let error = client(&server)
        .customers()
        .orders(" ")
        .send()
        .await
        .expect_err("empty id");

    assert!(error.to_string().contains("customer id"), "{error}");
    let requests = server.received_requests().await.expect("recorded");
    assert!(requests.is_empty());
}

#[tokio::test]
async fn create_order_sends_items_and_a_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/orders"))
        .and(header_exists("idempotency-key"))
        .and(body_json(json!({
            "customer_id": "cus_0000000000000001",
            "items": [
                {"plant_id": "plt_0000000000000001", "quantity": 2},
                {"plant_id": "plt_0000000000000002", "quantity": 1}
            ]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(order(1, "pending")))
        .expect(1)
        .mount(&server)
        .await;

    let order = client(&server)
        .orders()
        .create(
            &CreateOrder::new("cus_0000000000000001")
                .item("plt_0000000000000001", 2)
                .item("plt_0000000000000002", 1),
        )
        .await
        .expect("created");
    assert_eq!(order.total, 5997);
}

#[tokio::test]
async fn cancel_and_fulfill_post_without_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/orders/ord_0000000000000001/cancel"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order(1, "cancelled")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/orders/ord_0000000000000001/fulfill"))
        .respond_with(ResponseTemplate::new(200).set_body_json(order(1, "fulfilled")))
        .mount(&server)
        .await;
    let orders = client(&server).orders();

    let cancelled = orders
        .cancel("ord_0000000000000001")
        .await
        .expect("cancelled");
    let fulfilled = orders
        .fulfill("ord_0000000000000001")
        .await
        .expect("fulfilled");

    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(fulfilled.status, OrderStatus::Fulfilled);
    for request in server.received_requests().await.expect("recorded") {
        assert!(request.body.is_empty(), "{}", request.url);
        assert!(request.headers.contains_key("idempotency-key"));
    }
}

#[tokio::test]
async fn declined_payment_is_a_402_api_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments"))
        .and(body_json(json!({
            "order_id": "ord_0000000000000001",
            "payment_method": "pm_card_declined",
            "amount": 5997,
            "currency": "usd"
        })))
        .respond_with(
            ResponseTemplate::new(402)
                .insert_header("content-type", "application/problem+json")
                .set_body_json(json!({
                    "type": "https://docs.letta.dev/errors/card_declined",
                    "title": "Card declined",
                    "status": 402,
                    "detail": "The payment method pm_card_declined was declined.",
                    "code": "card_declined",
                    "request_id": "req_1",
                    "payment_id": "pay_0000000000000001"
                })),
        )
        .mount(&server)
        .await;

    let error = client(&server)
        .payments()
        .create(
            &CreatePayment::new("ord_0000000000000001", PaymentMethod::CardDeclined, 5997)
                .currency("usd"),
        )
        .await
        .expect_err("declined");

    assert_eq!(error.status().map(|status| status.as_u16()), Some(402));
    assert_eq!(error.code(), Some("card_declined"));
    let api = error.as_api().expect("an API error");
    assert_eq!(api.payment_id.as_deref(), Some("pay_0000000000000001"));
}

#[tokio::test]
async fn customer_create_update_and_delete_requests() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/customers"))
        .and(body_json(
            json!({"name": "Ada", "email": "ada@example.com", "phone": "+15555550123"}),
        ))
        .respond_with(ResponseTemplate::new(201).set_body_json(customer(1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/v1/customers/cus_0000000000000001"))
        .and(body_json(
            json!({"email": "ada@example.org", "phone": null}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(customer(1)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/v1/customers/cus_0000000000000001"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let customers = client(&server).customers();

    let created = customers
        .create(&CreateCustomer::new("Ada", "ada@example.com").phone("+15555550123"))
        .await
        .expect("created");
    customers
        .update(
            &created.id,
            &UpdateCustomer::new().email("ada@example.org").clear_phone(),
        )
        .await
        .expect("updated");
    customers.delete(&created.id).await.expect("deleted");

    assert_eq!(created.phone, None);
}
