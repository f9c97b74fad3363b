//! Helpers shared by the CLI's integration tests: a `letta` command with a
//! clean environment, an in-process mock server, and tiny scripted servers
//! for failures the mock does not produce.

#![allow(dead_code, unreachable_pub, reason = "each test binary uses a subset")]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;

use assert_cmd::Command;
use letta_mock::{MockConfig, MockServer};

/// Environment variables that would leak the developer's setup into a test.
const CLEARED_ENV: &[&str] = &[
    "LETTA_BASE_URL",
    "LETTA_API_KEY",
    "LETTA_MOCK_STATE",
    "NO_COLOR",
    "RUST_LOG",
    "RUST_BACKTRACE",
    "COLUMNS",
];

/// Returns the path of the `letta` binary under test.
pub fn letta_path() -> &'static str {
    env!("CARGO_BIN_EXE_letta")
}

/// Returns a `letta` command with none of the CLI's environment variables set.
pub fn letta() -> Command {
    let mut command = Command::new(letta_path());
    for name in CLEARED_ENV {
        command.env_remove(name);
    }
    command.timeout(std::time::Duration::from_secs(60));
    command
}

/// A folder for the state file of `--mock` runs, removed when dropped.
pub struct MockState {
    dir: tempfile::TempDir,
}

impl MockState {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("mock-state.json")
    }

    /// Returns `letta --mock` with its state kept in this folder.
    pub fn letta(&self) -> Command {
        let mut command = letta();
        command.env("LETTA_MOCK_STATE", self.path()).arg("--mock");
        command
    }

    /// Runs `letta --mock ARGS -o json` on this state, expects success and
    /// returns the JSON it printed.
    pub fn letta_json(&self, args: &[&str]) -> serde_json::Value {
        run_json(self.letta(), args)
    }
}

/// A mock server running in this test process on a loopback port.
pub struct TestServer {
    runtime: tokio::runtime::Runtime,
    server: Option<MockServer>,
    pub base_url: String,
    pub api_key: String,
}

impl TestServer {
    /// Starts a mock server with the default seed and `plants` plants.
    pub fn start(plants: usize) -> Self {
        Self::start_with(MockConfig::new().plants(plants))
    }

    /// Starts a mock server with `config`.
    pub fn start_with(config: MockConfig) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let server = runtime
            .block_on(MockServer::start(config))
            .expect("mock server starts");
        Self {
            base_url: server.base_url().to_owned(),
            api_key: server.api_key().to_owned(),
            server: Some(server),
            runtime,
        }
    }

    /// Returns `letta` aimed at this server with a valid key.
    pub fn letta(&self) -> Command {
        let mut command = letta();
        command.args(["--base-url", &self.base_url, "--api-key", &self.api_key]);
        command
    }

    /// Runs `letta ARGS -o json` against this server, expects success and
    /// returns the JSON it printed.
    pub fn letta_json(&self, args: &[&str]) -> serde_json::Value {
        run_json(self.letta(), args)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            let _ = self.runtime.block_on(server.shutdown());
        }
    }
}

/// Runs `command` with `ARGS -o json`, expects success and returns the
/// JSON it printed.
pub fn run_json(mut command: Command, args: &[&str]) -> serde_json::Value {
    let output = command
        .args(args)
        .args(["-o", "json"])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "letta {args:?} failed: {}",
        text(&output.stderr)
    );
    json(&output.stdout)
}

/// Starts a server that answers every request with the same raw HTTP/1.1
/// response, built from a status line, extra headers and a body. Returns
/// its base URL. The server thread lives until the test process ends.
pub fn scripted_server(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base_url = format!("http://{}", listener.local_addr().expect("local address"));

    let mut response = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));

    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &response);
        }
    });
    base_url
}

fn answer(mut stream: TcpStream, response: &str) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    // Read the request head; the requests under test carry no body.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|read| read > 0) {
        if line == "\r\n" {
            break;
        }
        line.clear();
    }
    let _ = stream.write_all(response.as_bytes());
}

/// Returns a problem+json body as the API sends it.
pub fn problem(status: u16, code: &str, detail: &str) -> String {
    serde_json::json!({
        "type": format!("https://docs.letta.dev/errors/{code}"),
        "title": code,
        "status": status,
        "detail": detail,
        "code": code,
        "request_id": "req_scripted",
    })
    .to_string()
}

/// Returns a loopback URL on which nothing listens: the port was free a
/// moment ago and is closed again.
pub fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Parses stdout as one JSON value.
pub fn json(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not one JSON document ({error}):\n{}",
            String::from_utf8_lossy(stdout)
        )
    })
}

/// Parses stdout as NDJSON, one value per line.
pub fn ndjson(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

/// Returns the text of captured output.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Returns true when `path` exists.
pub fn exists(path: &Path) -> bool {
    path.try_exists().expect("check path")
}
