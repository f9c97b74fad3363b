//! `letta plants watch` and `letta events tail` against the mock: live
//! events, one line each, and a reader that stops early ends the run
//! quietly.

mod support;

use std::process::Command;

use letta_mock::MockConfig;
use support::{TestServer, ndjson, text};

/// Runs `letta ARGS | head -n LINES` in bash against `server` and returns
/// stdout, letta's exit status and letta's stderr.
fn watch_through_head(server: &TestServer, args: &str, lines: usize) -> (String, i32, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let status_file = dir.path().join("status");
    let err_file = dir.path().join("stderr");
    let script = format!(
        r#"$LETTA --base-url "$BASE_URL" --api-key "$API_KEY" {args} 2>"$ERR_FILE" | head -n {lines}; echo "${{PIPESTATUS[0]}}" > "$STATUS_FILE""#
    );

    let output = Command::new("bash")
        .args(["-c", &script])
        .env("LETTA", support::letta_path())
        .env("BASE_URL", &server.base_url)
        .env("API_KEY", &server.api_key)
        .env("STATUS_FILE", &status_file)
        .env("ERR_FILE", &err_file)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("bash runs");

    let status = std::fs::read_to_string(&status_file).expect("status written");
    let stderr = std::fs::read_to_string(&err_file).unwrap_or_default();
    (
        text(&output.stdout),
        status.trim().parse().expect("numeric status"),
        stderr,
    )
}

/// Returns the id of the first plant.
fn first_plant(server: &TestServer) -> String {
    let plants = server
        .letta()
        .args(["plants", "list", "--limit", "1", "-o", "ndjson"])
        .output()
        .expect("letta runs");
    let plants = ndjson(&plants.stdout);
    plants[0]["id"].as_str().expect("plant id").to_owned()
}

/// Returns the id of the newest event in the log.
fn newest_event(server: &TestServer) -> String {
    let events = server
        .letta()
        .args(["events", "list", "--all", "-o", "ndjson"])
        .output()
        .expect("letta runs");
    let events = ndjson(&events.stdout);
    let newest = events.last().expect("an event in the log");
    newest["id"].as_str().expect("event id").to_owned()
}

fn set_stock(server: &TestServer, plant: &str, stock: i64) {
    let status = server
        .letta()
        .args(["plants", "stock", plant, "--set", &stock.to_string()])
        .output()
        .expect("letta runs")
        .status;
    assert!(status.success(), "stock set to {stock}");
}

#[test]
fn events_tail_into_head_exits_0_quietly() {
    let server = TestServer::start(5);
    let plant = first_plant(&server);
    set_stock(&server, &plant, 50);
    let since = newest_event(&server);
    for stock in [40, 37, 30] {
        set_stock(&server, &plant, stock);
    }

    let (stdout, status, stderr) = watch_through_head(
        &server,
        &format!("events tail --since {since} -o ndjson"),
        3,
    );

    let events = ndjson(stdout.as_bytes());
    assert_eq!(events.len(), 3);
    assert!(events[0]["id"].as_str() > Some(since.as_str()));
    assert_eq!(status, 0, "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn plants_watch_prints_stock_before_and_after() {
    let server = TestServer::start(5);
    let plant = first_plant(&server);
    set_stock(&server, &plant, 50);
    let since = newest_event(&server);
    set_stock(&server, &plant, 40);
    set_stock(&server, &plant, 37);

    let (stdout, status, stderr) = watch_through_head(
        &server,
        &format!("plants watch --plant {plant} --types plant.stock_changed --since {since}"),
        2,
    );

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[0].contains("plant.stock_changed"), "{stdout}");
    assert!(lines[0].contains(&plant), "{stdout}");
    assert!(lines[0].ends_with("stock 40"), "{stdout}");
    assert!(lines[1].contains("stock 40 -> 37"), "{stdout}");
    assert_eq!(status, 0, "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn plants_watch_rejects_unknown_event_type() {
    let server = TestServer::start(1);

    let output = server
        .letta()
        .args(["plants", "watch", "--types", "plant.repotted"])
        .output()
        .expect("letta runs");

    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("plant.repotted"));
}

#[test]
fn events_tail_ends_on_ctrl_c() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let server = TestServer::start(1);
    let plant = first_plant(&server);
    set_stock(&server, &plant, 50);
    let since = newest_event(&server);
    set_stock(&server, &plant, 40);

    let mut child = Command::new(support::letta_path())
        .args(["--base-url", &server.base_url, "--api-key", &server.api_key])
        .args(["events", "tail", "--since", &since, "-o", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("letta starts");
    let stdout = child.stdout.take().expect("piped stdout");
    // The reader stays open until letta ends, so only Ctrl-C can end it.
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).expect("one event line");
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let output = child.wait_with_output().expect("letta ends");
    drop(reader);

    assert!(interrupted.success());
    assert!(first.contains("plant.stock_changed"), "{first}");
    assert_eq!(output.status.code(), Some(130));
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn events_tail_resumes_after_dropped_connections() {
    let server = TestServer::start_with(
        MockConfig::new()
            .plants(1)
            .sse_drop_every(3)
            .sse_retry_ms(5),
    );
    let plant = first_plant(&server);
    set_stock(&server, &plant, 100);
    let since = newest_event(&server);
    for stock in (80..100).rev() {
        set_stock(&server, &plant, stock);
    }

    let (stdout, status, stderr) = watch_through_head(
        &server,
        &format!("events tail --since {since} --types plant.stock_changed -o ndjson"),
        20,
    );

    let events = ndjson(stdout.as_bytes());
    let stocks: Vec<i64> = events
        .iter()
        .map(|event| event["data"]["stock"].as_i64().expect("stock"))
        .collect();
    assert_eq!(stocks, (80..100).rev().collect::<Vec<i64>>());
    assert_eq!(status, 0, "stderr: {stderr}");
    assert_eq!(stderr, "");
}
