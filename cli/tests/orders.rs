//! Customers, orders, payments and events through `letta`: the purchase
//! flow with `--mock`, and long order lists into files.

mod support;

use std::collections::HashSet;
use std::process::Command;

use letta_mock::MockConfig;
use serde_json::Value;
use support::{MockState, TestServer, ndjson, text};

/// Creates a customer named `name` and a pending order of `item` for them,
/// and returns the order.
fn pending_order(state: &MockState, name: &str, email: &str, item: &str) -> Value {
    let customer = state.letta_json(&["customers", "create", "--name", name, "--email", email]);
    state.letta_json(&[
        "orders",
        "create",
        "--customer",
        &string(&customer, "id"),
        "--item",
        item,
    ])
}

fn string(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` is not a string in {value}"))
        .to_owned()
}

#[test]
fn purchase_flow_through_mock_commands() {
    let state = MockState::new();
    let plant = state.letta_json(&[
        "plants",
        "create",
        "--name",
        "Boston Fern",
        "--species",
        "Nephrolepis exaltata",
        "--category",
        "fern",
        "--price",
        "18.99",
        "--stock",
        "10",
    ]);
    let plant_id = string(&plant, "id");

    let order = pending_order(
        &state,
        "Ada Lovelace",
        "ada@example.com",
        &format!("{plant_id}:2"),
    );
    let order_id = string(&order, "id");
    let payment = state.letta_json(&[
        "payments",
        "create",
        "--order",
        &order_id,
        "--method",
        "pm_card_ok",
    ]);
    let fulfilled = state.letta_json(&["orders", "fulfill", &order_id]);

    assert_eq!(order["status"], "pending");
    assert_eq!(order["total"], 3798, "2 x 18.99 in cents");
    assert_eq!(payment["status"], "succeeded");
    assert_eq!(
        payment["amount"], 3798,
        "the amount defaults to the order total"
    );
    assert_eq!(fulfilled["status"], "fulfilled");

    let history = state.letta_json(&["customers", "orders", &string(&order, "customer_id")]);
    let history_ids: Vec<_> = history
        .as_array()
        .expect("an array")
        .iter()
        .map(|order| string(order, "id"))
        .collect();
    assert_eq!(history_ids.len(), 1);
    assert_eq!(history_ids[0], order_id);

    let events_output = state
        .letta()
        .args(["events", "list", "--all", "-o", "ndjson"])
        .output()
        .expect("runs");
    assert!(
        events_output.status.success(),
        "{}",
        text(&events_output.stderr)
    );
    let events = ndjson(&events_output.stdout);
    let plant_created = events
        .iter()
        .rposition(|event| {
            event["type"] == "plant.created" && event["data"]["id"] == plant_id.as_str()
        })
        .expect("the plant's creation is logged");
    let flow: Vec<_> = events[plant_created + 1..]
        .iter()
        .map(|event| string(event, "type"))
        .collect();
    assert_eq!(
        flow,
        [
            "customer.created",
            "order.created",
            "plant.stock_changed",
            "payment.completed",
            "order.paid",
            "order.fulfilled",
        ]
    );

    let last = events.last().expect("events");
    let fetched = state.letta_json(&["events", "get", &string(last, "id")]);
    assert_eq!(&fetched, last);
    let paid = state.letta_json(&["events", "list", "--type", "order.paid"]);
    assert_eq!(paid.as_array().map(Vec::len), Some(1));
    assert_eq!(paid[0]["data"]["id"], order_id.as_str());
}

#[test]
fn declined_payment_exits_4_with_hint() {
    let state = MockState::new();
    let plants = state.letta_json(&["plants", "list", "--status", "in_stock", "--limit", "1"]);
    let plant_id = string(&plants[0], "id");
    let order = pending_order(&state, "Grace Hopper", "grace@example.com", &plant_id);
    let order_id = string(&order, "id");

    let declined = state
        .letta()
        .args([
            "payments",
            "create",
            "--order",
            &order_id,
            "--method",
            "pm_card_declined",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");

    assert_eq!(declined.status.code(), Some(4));
    assert!(declined.stdout.is_empty(), "{}", text(&declined.stdout));
    let stderr = text(&declined.stderr);
    assert!(stderr.contains("card_declined"), "{stderr}");
    assert!(stderr.contains("hint:"), "{stderr}");
    assert!(stderr.contains("hint: the failed payment pay_"), "{stderr}");
    let after = state.letta_json(&["orders", "get", &order_id]);
    assert_eq!(after["status"], "pending");
}

#[test]
fn cancel_and_unpaid_fulfil_through_mock() {
    let state = MockState::new();
    let plants = state.letta_json(&["plants", "list", "--status", "in_stock", "--limit", "1"]);
    let plant_id = string(&plants[0], "id");
    let stock = plants[0]["stock"].as_i64().expect("stock");
    let order = pending_order(
        &state,
        "Alan Turing",
        "alan@example.com",
        &format!("{plant_id}:1"),
    );
    let order_id = string(&order, "id");

    let unpaid = state
        .letta()
        .args(["orders", "fulfill", &order_id])
        .output()
        .expect("runs");
    let cancelled = state.letta_json(&["orders", "cancel", &order_id]);
    let plant = state.letta_json(&["plants", "get", &plant_id]);

    assert_eq!(unpaid.status.code(), Some(4), "{}", text(&unpaid.stderr));
    assert!(text(&unpaid.stderr).contains("invalid_order_state"));
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(plant["stock"], stock, "cancelling returned the unit");
}

#[test]
fn order_item_without_quantity_number_is_usage_error() {
    let output = support::letta()
        .args([
            "--mock",
            "orders",
            "create",
            "--customer",
            "cus_1",
            "--item",
            "plt_1:two",
        ])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("`two`"));
}

/// Starts a mock server with `count` seeded orders, in every status.
fn server_with_orders(count: usize) -> TestServer {
    TestServer::start_with(MockConfig::new().plants(20).customers(10).orders(count))
}

#[test]
fn all_orders_as_ndjson_are_unique() {
    let server = server_with_orders(589);

    let output = server
        .letta()
        .args(["orders", "list", "--all", "-o", "ndjson"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    let orders = ndjson(&output.stdout);
    let ids: HashSet<_> = orders.iter().map(|order| string(order, "id")).collect();
    assert_eq!(orders.len(), 589);
    assert_eq!(ids.len(), 589);
}

#[test]
fn orders_csv_to_file_holds_only_csv() {
    let server = server_with_orders(45);
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("out.csv");
    let err_file = dir.path().join("stderr");
    let script = r#"$LETTA --base-url "$BASE_URL" --api-key "$API_KEY" orders list --all -o csv > "$OUT_FILE" 2> "$ERR_FILE""#;

    let status = Command::new("bash")
        .args(["-c", script])
        .env("LETTA", support::letta_path())
        .env("BASE_URL", &server.base_url)
        .env("API_KEY", &server.api_key)
        .env("OUT_FILE", &file)
        .env("ERR_FILE", &err_file)
        .env_remove("NO_COLOR")
        .status()
        .expect("bash runs");

    assert!(status.success());
    let stderr = std::fs::read_to_string(&err_file).expect("stderr file");
    assert_eq!(stderr, "", "no progress bar when stderr is not a terminal");
    let bytes = std::fs::read(&file).expect("output file");
    assert!(!bytes.contains(&0x1b), "no escape sequences");
    assert!(!bytes.contains(&b'\r'), "no carriage returns");
    let csv = String::from_utf8(bytes).expect("UTF-8");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,customer_id,items,total,currency,status,created_at,updated_at")
    );
    let records: Vec<_> = lines.collect();
    assert_eq!(records.len(), 45, "one line per order");
    let ids: HashSet<_> = records
        .iter()
        .map(|record| record.split(',').next().unwrap_or_default())
        .collect();
    assert_eq!(ids.len(), 45, "every order once");
    for record in &records {
        assert_eq!(record.split(',').count(), 8, "{record}");
    }
}
