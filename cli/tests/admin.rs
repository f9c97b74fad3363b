//! `letta health`, `letta openapi` and `letta admin ...` against the
//! in-process mock server, and what `--mock` allows of them.

mod support;

use serde_json::Value;
use support::{MockState, TestServer, json, ndjson, text};

/// Runs `letta ARGS` against `server`, expects success and returns stderr.
fn run_quiet(server: &TestServer, args: &[&str]) -> String {
    let output = server.letta().args(args).output().expect("runs");
    assert!(
        output.status.success(),
        "letta {args:?} failed: {}",
        text(&output.stderr)
    );
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    text(&output.stderr)
}

#[test]
fn health_prints_status() {
    let server = TestServer::start(1);

    let health = server.letta_json(&["health"]);
    let table = server.letta().arg("health").output().expect("runs");

    assert_eq!(health["status"], "ok");
    assert!(table.status.success());
    assert!(
        text(&table.stdout).contains("ok"),
        "{}",
        text(&table.stdout)
    );
}

#[test]
fn openapi_prints_yaml_or_json() {
    let server = TestServer::start(1);

    let yaml = server.letta().arg("openapi").output().expect("runs");
    let document = server.letta_json(&["openapi", "--json"]);

    assert!(yaml.status.success(), "{}", text(&yaml.stderr));
    assert!(text(&yaml.stdout).starts_with("openapi: "));
    assert!(text(&yaml.stdout).contains("operationId: getHealth"));
    assert_eq!(document["openapi"], "3.1.0");
    assert!(document["paths"]["/health"]["get"].is_object());
}

#[test]
fn admin_reset_restores_seed_data() {
    let server = TestServer::start(3);
    server.letta_json(&[
        "plants",
        "create",
        "--name",
        "Reset test",
        "--species",
        "Aloe vera",
        "--category",
        "succulent",
        "--price",
        "8.99",
    ]);

    let message = run_quiet(&server, &["admin", "reset"]);
    let plants = server.letta_json(&["plants", "list", "--all"]);

    assert!(message.contains("reset"), "{message}");
    assert_eq!(plants.as_array().map(Vec::len), Some(3));
}

#[test]
fn admin_rate_limit_shows_and_sets() {
    let server = TestServer::start(1);

    let set = server.letta_json(&["admin", "rate-limit", "set", "5", "--window", "2"]);
    let shown = server.letta_json(&["admin", "rate-limit"]);
    let off = server.letta_json(&["admin", "rate-limit", "set", "0"]);

    assert_eq!(set["quota"], 5);
    assert_eq!(set["window_seconds"], 2);
    assert_eq!(shown, set);
    assert_eq!(off["enabled"], false);
}

#[test]
fn admin_rate_limit_rejects_bad_quota() {
    let server = TestServer::start(1);

    let output = server
        .letta()
        .args(["admin", "rate-limit", "set", "5000000"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(4), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("quota"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn admin_journal_filters_and_clears() {
    let server = TestServer::start(2);
    server.letta_json(&["plants", "list"]);
    server.letta_json(&["customers", "list"]);

    let output = server
        .letta()
        .args(["admin", "journal", "--path", "/v1/plants", "-o", "ndjson"])
        .output()
        .expect("runs");
    let entries = ndjson(&output.stdout);
    let message = run_quiet(&server, &["admin", "journal", "--clear"]);
    let cleared = server.letta_json(&["admin", "journal"]);

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["path"], "/v1/plants");
    assert!(message.contains("cleared"), "{message}");
    assert_eq!(cleared, Value::Array(Vec::new()));
}

#[test]
fn admin_journal_table_has_columns() {
    let server = TestServer::start(1);
    server.letta_json(&["plants", "list"]);

    let output = server
        .letta()
        .args(["admin", "journal"])
        .output()
        .expect("runs");
    let table = text(&output.stdout);

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(table.contains("METHOD"), "{table}");
    assert!(table.contains("/v1/plants"), "{table}");
}

#[test]
fn admin_faults_add_fire_and_remove() {
    let server = TestServer::start(2);

    let added = server.letta_json(&[
        "admin",
        "faults",
        "add",
        "status",
        "--status",
        "503",
        "--method",
        "GET",
        "--path",
        "/v1/plants",
        "--times",
        "1",
    ]);
    let id = added["id"].as_u64().expect("fault id").to_string();
    let refused = server
        .letta()
        .args(["plants", "list", "--max-retries", "0"])
        .output()
        .expect("runs");
    let fetched = server.letta_json(&["admin", "faults", "get", &id]);
    let listed = server.letta_json(&["admin", "faults", "list"]);
    let deleted = run_quiet(&server, &["admin", "faults", "delete", &id]);
    let missing = server
        .letta()
        .args(["admin", "faults", "get", &id])
        .output()
        .expect("runs");

    assert_eq!(added["spec"], "GET /v1/plants:status=503:times=1");
    assert_eq!(refused.status.code(), Some(7), "{}", text(&refused.stderr));
    assert_eq!(fetched["applied"], 1);
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    assert!(deleted.contains(&id), "{deleted}");
    assert_eq!(missing.status.code(), Some(3), "{}", text(&missing.stderr));
}

#[test]
fn admin_faults_clear_removes_all() {
    let server = TestServer::start(1);
    server.letta_json(&["admin", "faults", "add", "latency", "--latency-ms", "1"]);
    server.letta_json(&["admin", "faults", "add", "truncate-body", "--rate", "0.5"]);

    run_quiet(&server, &["admin", "faults", "clear"]);
    let listed = server.letta_json(&["admin", "faults", "list"]);

    assert_eq!(listed, Value::Array(Vec::new()));
}

#[test]
fn admin_faults_add_reports_invalid_option() {
    let server = TestServer::start(1);

    let output = server
        .letta()
        .args(["admin", "faults", "add", "latency"])
        .output()
        .expect("runs");
    let stderr = text(&output.stderr);

    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("latency_ms"), "{stderr}");
}

#[test]
fn admin_faults_get_unknown_id_exits_3() {
    let server = TestServer::start(1);

    let output = server
        .letta()
        .args(["admin", "faults", "get", "99"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
}

#[test]
fn mock_admin_reset_resets_saved_data() {
    let state = MockState::new();
    let created = state
        .letta()
        .args([
            "plants",
            "create",
            "--name",
            "Saved",
            "--species",
            "Aloe vera",
            "--category",
            "succulent",
            "--price",
            "8.99",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let id = json(&created.stdout)["id"]
        .as_str()
        .expect("plant id")
        .to_owned();

    let reset = state
        .letta()
        .args(["admin", "reset"])
        .output()
        .expect("runs");
    let after = state
        .letta()
        .args(["plants", "get", &id])
        .output()
        .expect("runs");

    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert_eq!(after.status.code(), Some(3), "{}", text(&after.stderr));
}

#[test]
fn mock_admin_faults_is_usage_error() {
    let state = MockState::new();

    let output = state
        .letta()
        .args(["admin", "faults", "list"])
        .output()
        .expect("runs");
    let stderr = text(&output.stderr);

    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--base-url"), "{stderr}");
    assert!(!support::exists(&state.path()), "no mock was started");
}

#[test]
fn mock_health_works() {
    let state = MockState::new();

    let output = state
        .letta()
        .args(["health", "-o", "json"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(json(&output.stdout)["status"], "ok");
}

#[test]
fn admin_trigger_prints_event() {
    let server = TestServer::start(2);

    let event = server.letta_json(&["admin", "trigger", "plant.out_of_stock"]);
    let id = event["id"].as_str().expect("event id");
    let stored = server.letta_json(&["events", "get", id]);

    assert_eq!(event["type"], "plant.out_of_stock");
    assert_eq!(stored["id"], id);
}

#[test]
fn admin_trigger_rejects_bad_input() {
    let server = TestServer::start(1);

    let unknown = server
        .letta()
        .args(["admin", "trigger", "order.shipped"])
        .output()
        .expect("runs");
    let not_object = server
        .letta()
        .args(["admin", "trigger", "order.paid", "--data", "[1]"])
        .output()
        .expect("runs");

    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown.stderr));
    assert!(text(&unknown.stderr).contains("order.paid"));
    assert_eq!(
        not_object.status.code(),
        Some(2),
        "{}",
        text(&not_object.stderr)
    );
}

#[test]
fn admin_deliveries_lists_attempts() {
    let server = TestServer::start_with(
        letta_mock::MockConfig::new()
            .plants(1)
            .allow_private_webhook_targets(true),
    );
    // Nothing listens on port 9, so the attempt fails, which still records it.
    let endpoint = server.letta_json(&[
        "webhooks",
        "create",
        "--url",
        "http://127.0.0.1:9/hooks",
        "--event",
        "order.paid",
    ]);
    let endpoint_id = endpoint["id"].as_str().expect("endpoint id");
    server.letta_json(&["admin", "trigger", "order.paid"]);

    // The delivery worker queues the attempt in the background, so poll
    // until it is listed.
    let mut all = server.letta_json(&["admin", "deliveries"]);
    for _ in 0..200 {
        if all.as_array().is_some_and(|list| !list.is_empty()) {
            break;
        }
        all = server.letta_json(&["admin", "deliveries"]);
    }
    let filtered = server.letta_json(&[
        "admin",
        "deliveries",
        "--webhook",
        endpoint_id,
        "--type",
        "order.paid",
    ]);
    let none = server.letta_json(&["admin", "deliveries", "--type", "plant.created"]);

    // A failed attempt schedules a retry, listed as a second attempt.
    assert!(all.as_array().is_some_and(|list| !list.is_empty()), "{all}");
    assert_eq!(filtered[0]["webhook_id"], endpoint_id);
    assert_eq!(none, Value::Array(Vec::new()));
}

#[test]
fn admin_faults_add_sse_drop() {
    let server = TestServer::start(1);

    let added = server.letta_json(&["admin", "faults", "add", "sse-drop", "--every", "2"]);

    assert_eq!(added["kind"], "sse_drop");
    assert_eq!(added["spec"], "sse-drop=2");
}
