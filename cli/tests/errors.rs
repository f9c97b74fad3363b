//! Failures: each exits with its documented code, writes the error to
//! stderr and leaves stdout empty, whatever the output format.

mod support;

use std::io::BufRead;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::Duration;

use support::{MockState, TestServer, letta, problem, refused_url, scripted_server, text};

/// Runs `letta` with `args` and checks the failure contract: `code`, empty
/// stdout, and stderr that starts with `error:`. Returns stderr.
fn assert_fails(mut command: assert_cmd::Command, args: &[&str], code: i32) -> String {
    let output = command.args(args).output().expect("runs");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {stderr}");
    assert!(
        output.stdout.is_empty(),
        "{args:?}: stdout: {}",
        text(&output.stdout)
    );
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn missing_plant_exits_3() {
    let state = MockState::new();
    for format in ["table", "json", "ndjson", "csv"] {
        let stderr = assert_fails(
            state.letta(),
            &["plants", "get", "plt_missing", "-o", format],
            3,
        );
        assert!(stderr.contains("plt_missing"), "{stderr}");
        assert!(stderr.contains("404"), "{stderr}");
        assert!(stderr.contains("request id: req_"), "{stderr}");
    }
}

#[test]
fn wrong_api_key_exits_5() {
    let server = TestServer::start(10);
    let mut command = letta();
    command.args([
        "--base-url",
        &server.base_url,
        "--api-key",
        "sk_test_wrong_key_123",
    ]);
    let stderr = assert_fails(command, &["plants", "list", "-o", "json"], 5);

    assert!(stderr.contains("401"), "{stderr}");
    assert!(stderr.contains("hint: check the API key"), "{stderr}");
    assert!(
        !stderr.contains("sk_test_wrong_key_123"),
        "the key is never printed: {stderr}"
    );
}

#[test]
fn missing_api_key_exits_5() {
    let server = TestServer::start(10);
    let mut command = letta();
    command.args(["--base-url", &server.base_url]);
    let stderr = assert_fails(command, &["plants", "list"], 5);
    assert!(stderr.contains("LETTA_API_KEY"), "{stderr}");
}

#[test]
fn api_key_from_environment_is_used() {
    let server = TestServer::start(10);
    let output = letta()
        .env("LETTA_BASE_URL", &server.base_url)
        .env("LETTA_API_KEY", &server.api_key)
        .args(["plants", "list", "-o", "json"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn refused_connection_exits_8() {
    let url = refused_url();
    let mut command = letta();
    command.args(["--base-url", &url, "--api-key", "sk_test_letta"]);
    let stderr = assert_fails(command, &["plants", "list", "-o", "json"], 8);

    assert!(
        stderr.contains(&format!("hint: is the server running at {url}?")),
        "{stderr}"
    );
    assert!(stderr.contains("--mock"), "{stderr}");
}

#[test]
fn timeout_exits_8() {
    // Accepts connections but never responds.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        let _open_connections: Vec<_> = listener.incoming().collect();
    });

    let mut command = letta();
    command.args([
        "--base-url",
        &url,
        "--api-key",
        "sk_test_letta",
        "--timeout",
        "0.5",
    ]);
    let stderr = assert_fails(command, &["plants", "get", "plt_1"], 8);
    assert!(stderr.contains("--timeout"), "{stderr}");
}

#[test]
fn server_error_exits_7() {
    let url = scripted_server(
        "500 Internal Server Error",
        &[
            ("Content-Type", "application/problem+json"),
            ("Request-Id", "req_scripted"),
        ],
        &problem(500, "internal_error", "something broke"),
    );
    let mut command = letta();
    command.args(["--base-url", &url, "--api-key", "sk_test_letta"]);
    let stderr = assert_fails(command, &["plants", "list", "-o", "json"], 7);

    assert!(stderr.contains("500"), "{stderr}");
    assert!(stderr.contains("request id: req_scripted"), "{stderr}");
}

#[test]
fn rate_limit_exits_6() {
    let url = scripted_server(
        "429 Too Many Requests",
        &[
            ("Content-Type", "application/problem+json"),
            ("Retry-After", "1"),
        ],
        &problem(429, "rate_limited", "too many requests"),
    );
    let mut command = letta();
    command.args([
        "--base-url",
        &url,
        "--api-key",
        "sk_test_letta",
        "--max-retries",
        "0",
    ]);
    let stderr = assert_fails(command, &["plants", "list"], 6);
    assert!(stderr.contains("rate limited: retry after 1 s"), "{stderr}");
    assert!(stderr.contains("429"), "{stderr}");
}

#[test]
fn rate_limit_hint_beyond_max_wait_exits_6_at_once() {
    let url = scripted_server(
        "429 Too Many Requests",
        &[
            ("Content-Type", "application/problem+json"),
            ("Retry-After", "120"),
        ],
        &problem(429, "rate_limited", "too many requests"),
    );
    let mut command = letta();
    command.args(["--base-url", &url, "--api-key", "sk_test_letta"]);
    let stderr = assert_fails(command, &["plants", "list"], 6);
    assert!(
        stderr.contains("rate limited: retry after 120 s"),
        "{stderr}"
    );
}

#[test]
fn verbose_shows_each_retry() {
    let url = scripted_server(
        "503 Service Unavailable",
        &[
            ("Content-Type", "application/problem+json"),
            ("Retry-After", "0"),
        ],
        &problem(503, "service_unavailable", "try again"),
    );
    let mut command = letta();
    command.args([
        "--base-url",
        &url,
        "--api-key",
        "sk_test_letta",
        "--max-retries",
        "1",
        "-v",
    ]);
    // Log lines come before the error, so `assert_fails` does not apply.
    let output = command.args(["plants", "list"]).output().expect("runs");
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(7), "{stderr}");
    assert!(stderr.contains("error: "), "{stderr}");
    assert!(stderr.contains("retrying after 0.000 s"), "{stderr}");
    assert!(stderr.contains("attempt=1"), "{stderr}");
    assert!(stderr.contains("giving up: no retries left"), "{stderr}");
    assert!(stderr.contains("after 2 attempts"), "{stderr}");
}

#[test]
fn negative_max_retries_is_a_usage_error() {
    let output = letta()
        .args(["--max-retries", "-1", "plants", "list"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn undecodable_response_exits_1() {
    let url = scripted_server(
        "200 OK",
        &[("Content-Type", "application/json")],
        r#"{"data": "not a list"}"#,
    );
    let mut command = letta();
    command.args(["--base-url", &url, "--api-key", "sk_test_letta"]);
    let stderr = assert_fails(command, &["plants", "list", "-o", "json"], 1);
    assert!(stderr.contains("data"), "names the failing field: {stderr}");
}

#[test]
fn missing_base_url_exits_2_with_hint() {
    let stderr = assert_fails(letta(), &["plants", "list"], 2);
    assert!(stderr.contains("--base-url"), "{stderr}");
    assert!(stderr.contains("LETTA_BASE_URL"), "{stderr}");
    assert!(stderr.contains("--mock"), "{stderr}");
}

#[test]
fn invalid_base_url_exits_2() {
    let mut command = letta();
    command.args(["--base-url", "127.0.0.1:4010"]);
    let stderr = assert_fails(command, &["plants", "list"], 2);
    assert!(stderr.contains("base URL"), "{stderr}");
}

#[test]
fn help_lists_exit_codes_and_hides_key() {
    let output = letta()
        .env("LETTA_API_KEY", "sk_test_help_secret")
        .arg("--help")
        .output()
        .expect("runs");

    assert!(output.status.success());
    let help = text(&output.stdout);
    assert!(help.contains("Exit status:"), "{help}");
    assert!(help.contains("130"), "{help}");
    assert!(help.contains("connection failure or timeout"), "{help}");
    assert!(!help.contains("sk_test_help_secret"), "{help}");
}

#[test]
fn ctrl_c_exits_130() {
    // A server that accepts and never answers keeps the request in flight.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let (accepted, on_accept) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut open_connections = Vec::new();
        for stream in listener.incoming() {
            open_connections.push(stream);
            let _ = accepted.send(());
        }
    });

    let child = std::process::Command::new(support::letta_path())
        .args([
            "--base-url",
            &url,
            "--api-key",
            "sk_test_letta",
            "plants",
            "list",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    on_accept
        .recv_timeout(Duration::from_secs(30))
        .expect("letta connects");

    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());

    let output = child.wait_with_output().expect("letta exits");
    assert_eq!(output.status.code(), Some(130), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    assert!(
        !output
            .stderr
            .lines()
            .any(|line| line.is_ok_and(|l| l.contains("panicked"))),
        "{}",
        text(&output.stderr)
    );
}
