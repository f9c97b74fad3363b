//! Orders, payments and the event log through the SDK against the real mock
//! server: the whole purchase flow, idempotent replays, and a long walk.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use letta::Client;
use letta::types::{
    Category, CreateCustomer, CreateOrder, CreatePayment, CreatePlant, Event, EventData, EventType,
    OrderStatus, PaymentMethod, PaymentStatus,
};
use letta_mock::{MockConfig, MockServer};
use letta_tests::client_for;

/// Starts a mock with `plants` seeded plants and the default seeded
/// customers and orders.
async fn start(plants: usize) -> (MockServer, Client) {
    start_with(MockConfig::new().plants(plants)).await
}

async fn start_with(config: MockConfig) -> (MockServer, Client) {
    let server = MockServer::start(config)
        .await
        .expect("mock server starts on loopback");
    let client = client_for(&server);
    (server, client)
}

/// Returns every event after `after`, or the whole log when `after` is `None`.
async fn events_after(client: &Client, after: Option<&str>) -> Vec<Event> {
    let mut request = client.events().list().limit(100);
    if let Some(id) = after {
        request = request.starting_after(id);
    }
    request
        .stream()
        .try_collect()
        .await
        .expect("event walk succeeds")
}

/// Returns the id of the newest event, if the log has any.
async fn last_event_id(client: &Client) -> Option<String> {
    events_after(client, None)
        .await
        .last()
        .map(|event| event.id.clone())
}

#[tokio::test]
async fn purchase_flow_appends_events_in_order() {
    let (_server, client) = start(3).await;
    let plant = client
        .plants()
        .create(
            &CreatePlant::new("Boston Fern", "Nephrolepis exaltata", Category::Fern, 1899)
                .stock(10)
                .low_stock_threshold(2),
        )
        .await
        .expect("plant created");
    let before = last_event_id(&client).await;

    let customer = client
        .customers()
        .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com"))
        .await
        .expect("customer created");
    let order = client
        .orders()
        .create(&CreateOrder::new(&customer.id).item(&plant.id, 2))
        .await
        .expect("order created");
    let payment = client
        .payments()
        .create(&CreatePayment::new(
            &order.id,
            PaymentMethod::CardOk,
            order.total,
        ))
        .await
        .expect("payment succeeds");
    let fulfilled = client
        .orders()
        .fulfill(&order.id)
        .await
        .expect("paid order can be fulfilled");

    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.total, 3798, "2 x 18.99 in cents");
    assert_eq!(order.items[0].unit_price, 1899);
    assert_eq!(payment.status, PaymentStatus::Succeeded);
    assert_eq!(payment.amount, 3798);
    assert_eq!(fulfilled.status, OrderStatus::Fulfilled);

    let events = events_after(&client, before.as_deref()).await;
    let types: Vec<_> = events
        .iter()
        .map(|event| event.event_type.clone())
        .collect();
    assert_eq!(
        types,
        [
            EventType::CustomerCreated,
            EventType::OrderCreated,
            EventType::PlantStockChanged,
            EventType::PaymentCompleted,
            EventType::OrderPaid,
            EventType::OrderFulfilled,
        ]
    );
    let objects: Vec<_> = events.iter().map(|event| event.data.object_id()).collect();
    assert_eq!(
        objects,
        [
            Some(customer.id.as_str()),
            Some(order.id.as_str()),
            Some(plant.id.as_str()),
            Some(payment.id.as_str()),
            Some(order.id.as_str()),
            Some(order.id.as_str()),
        ]
    );
    let EventData::Plant(after_order) = &events[2].data else {
        panic!("expected plant data, got {:?}", events[2].data);
    };
    assert_eq!(after_order.stock, 8);
    let EventData::Order(paid) = &events[4].data else {
        panic!("expected order data, got {:?}", events[4].data);
    };
    assert_eq!(paid.status, OrderStatus::Paid);
}

#[tokio::test]
async fn event_get_and_type_filter_agree_with_list() {
    let (_server, client) = start(3).await;
    let customer = client
        .customers()
        .create(&CreateCustomer::new("Grace Hopper", "grace@example.com"))
        .await
        .expect("customer created");

    let created: Vec<_> = client
        .events()
        .list()
        .event_type(EventType::CustomerCreated)
        .stream()
        .try_collect()
        .await
        .expect("filtered walk succeeds");
    let last = created.last().expect("one customer.created event");
    let fetched = client.events().get(&last.id).await.expect("event by id");

    assert!(
        created
            .iter()
            .all(|event| event.event_type == EventType::CustomerCreated)
    );
    assert_eq!(&fetched, last);
    assert_eq!(fetched.data.object_id(), Some(customer.id.as_str()));
}

#[tokio::test]
async fn declined_payment_is_recorded_and_order_stays_pending() {
    let (_server, client) = start(3).await;
    let plants = client
        .plants()
        .list()
        .limit(1)
        .send()
        .await
        .expect("plants");
    let customer = client
        .customers()
        .create(&CreateCustomer::new("Alan Turing", "alan@example.com"))
        .await
        .expect("customer created");
    let order = client
        .orders()
        .create(&CreateOrder::new(&customer.id).item(&plants.data[0].id, 1))
        .await
        .expect("order created");

    let error = client
        .payments()
        .create(&CreatePayment::new(
            &order.id,
            PaymentMethod::CardDeclined,
            order.total,
        ))
        .await
        .expect_err("declined");
    let order_after = client.orders().get(&order.id).await.expect("order");
    let payments: Vec<_> = client
        .payments()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("payments");

    assert_eq!(error.status().map(|status| status.as_u16()), Some(402));
    assert_eq!(error.code(), Some("card_declined"));
    assert_eq!(order_after.status, OrderStatus::Pending);
    let failed = payments
        .iter()
        .find(|payment| payment.order_id == order.id)
        .expect("the failed payment is listed");
    assert_eq!(failed.status, PaymentStatus::Failed);
    let api = error.as_api().expect("an API error");
    assert_eq!(api.payment_id.as_deref(), Some(failed.id.as_str()));
}

#[tokio::test]
async fn replay_with_caller_key_returns_same_order() {
    let (_server, client) = start(3).await;
    let plant = client
        .plants()
        .create(&CreatePlant::new("Aloe", "Aloe vera", Category::Succulent, 899).stock(5))
        .await
        .expect("plant created");
    let customer = client
        .customers()
        .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com"))
        .await
        .expect("customer created");
    let body = CreateOrder::new(&customer.id).item(&plant.id, 2);

    let first = client
        .orders()
        .create(&body)
        .idempotency_key("checkout-1")
        .await
        .expect("first create");
    let replay = client
        .orders()
        .create(&body)
        .idempotency_key("checkout-1")
        .await
        .expect("replayed create");
    let changed = client
        .orders()
        .create(&CreateOrder::new(&customer.id).item(&plant.id, 3))
        .idempotency_key("checkout-1")
        .await
        .expect_err("another body under the same key");

    assert_eq!(replay, first);
    let orders = client
        .customers()
        .orders(&customer.id)
        .send()
        .await
        .expect("order history");
    assert_eq!(orders.total, 1, "the replay created nothing");
    let stock = client.plants().get(&plant.id).await.expect("plant").stock;
    assert_eq!(stock, 3, "stock was reserved once");
    assert_eq!(changed.status().map(|status| status.as_u16()), Some(422));
    assert_eq!(changed.code(), Some("idempotency_key_reused"));
}

#[tokio::test]
async fn cancel_returns_stock_but_not_after_fulfilment() {
    let (_server, client) = start(3).await;
    let plant = client
        .plants()
        .create(&CreatePlant::new("Aloe", "Aloe vera", Category::Succulent, 899).stock(5))
        .await
        .expect("plant created");
    let customer = client
        .customers()
        .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com"))
        .await
        .expect("customer created");
    let orders = client.orders();
    let cancelled_order = orders
        .create(&CreateOrder::new(&customer.id).item(&plant.id, 4))
        .await
        .expect("order created");

    let cancelled = orders.cancel(&cancelled_order.id).await.expect("cancelled");
    let stock = client.plants().get(&plant.id).await.expect("plant").stock;

    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(stock, 5, "cancelling returned the stock");

    let kept = orders
        .create(&CreateOrder::new(&customer.id).item(&plant.id, 1))
        .await
        .expect("order created");
    client
        .payments()
        .create(&CreatePayment::new(
            &kept.id,
            PaymentMethod::CardOk,
            kept.total,
        ))
        .await
        .expect("paid");
    orders.fulfill(&kept.id).await.expect("fulfilled");
    let error = orders
        .cancel(&kept.id)
        .await
        .expect_err("fulfilled is final");

    assert_eq!(error.status().map(|status| status.as_u16()), Some(409));
    assert_eq!(error.code(), Some("invalid_order_state"));
}

/// PAGE-2: the end of a list comes from the server. 589 is not a multiple
/// of any page size the walk uses.
#[tokio::test]
async fn stream_yields_all_589_orders_once() {
    let (_server, client) =
        start_with(MockConfig::new().plants(20).customers(10).orders(589)).await;

    let orders: Vec<_> = client
        .orders()
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("walk succeeds");
    let default_size: Vec<_> = client
        .orders()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("walk with the default page size succeeds");

    let unique: HashSet<_> = orders.iter().map(|order| order.id.clone()).collect();
    assert_eq!(orders.len(), 589);
    assert_eq!(unique.len(), 589);
    assert_eq!(default_size, orders);
}

#[tokio::test]
async fn customer_history_matches_customer_filter() {
    let (_server, client) = start_with(MockConfig::new().plants(20).customers(5).orders(120)).await;
    let first = client
        .orders()
        .list()
        .limit(1)
        .send()
        .await
        .expect("one order");
    let customer_id = &first.data[0].customer_id;

    let history: Vec<_> = client
        .customers()
        .orders(customer_id)
        .limit(7)
        .stream()
        .try_collect()
        .await
        .expect("history walk succeeds");
    let filtered: Vec<_> = client
        .orders()
        .list()
        .customer_id(customer_id.clone())
        .stream()
        .try_collect()
        .await
        .expect("filtered walk succeeds");

    assert!(!history.is_empty());
    assert_eq!(history, filtered);
    assert!(
        history
            .iter()
            .all(|order| &order.customer_id == customer_id)
    );
}
