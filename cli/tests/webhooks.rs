//! `letta webhooks ...` against the in-process mock server: managing
//! endpoints, and `listen` receiving, verifying, forwarding and cleaning up.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::thread;

use letta_mock::MockConfig;
use serde_json::Value;
use support::{TestServer, ndjson, text};

fn server() -> TestServer {
    TestServer::start_with(
        MockConfig::new()
            .plants(5)
            .allow_private_webhook_targets(true),
    )
}

fn endpoint_ids(server: &TestServer) -> Vec<String> {
    let output = server
        .letta()
        .args(["webhooks", "list", "--all", "-o", "ndjson"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    ndjson(&output.stdout)
        .iter()
        .map(|endpoint| endpoint["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn create_update_and_delete_endpoint() {
    let server = server();

    let created = server.letta_json(&[
        "webhooks",
        "create",
        "--url",
        "https://example.com/hook",
        "--event",
        "order.created",
        "--event",
        "order.paid",
    ]);
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("whk_"), "{created}");
    assert!(
        created["secret"]
            .as_str()
            .is_some_and(|secret| secret.starts_with("whsec_")),
        "{created}"
    );
    assert_eq!(
        created["events"],
        serde_json::json!(["order.created", "order.paid"])
    );

    let updated = server.letta_json(&[
        "webhooks",
        "update",
        &id,
        "--disable",
        "--description",
        "paused",
    ]);
    assert_eq!(updated["status"], "disabled");
    assert_eq!(updated["disabled_reason"], "manual");
    assert_eq!(updated["description"], "paused");
    assert!(updated.get("secret").is_none(), "{updated}");

    let deleted = server
        .letta()
        .args(["webhooks", "delete", &id])
        .output()
        .expect("runs");
    assert!(deleted.status.success(), "{}", text(&deleted.stderr));
    assert!(endpoint_ids(&server).is_empty());
}

#[test]
fn rotate_secret_prints_only_the_secret() {
    let server = server();
    let created = server.letta_json(&[
        "webhooks",
        "create",
        "--url",
        "https://example.com/hook",
        "--event",
        "order.paid",
    ]);
    let id = created["id"].as_str().expect("id");

    let output = server
        .letta()
        .args(["webhooks", "rotate-secret", id])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.trim().starts_with("whsec_"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert_ne!(Some(stdout.trim()), created["secret"].as_str());
    assert!(text(&output.stderr).contains("not shown again"));
}

#[test]
fn create_without_event_is_a_usage_error() {
    let server = server();

    let output = server
        .letta()
        .args(["webhooks", "create", "--url", "https://example.com/hook"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("--event"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn unknown_endpoint_exits_with_not_found() {
    let server = server();

    let output = server
        .letta()
        .args(["webhooks", "get", "whk_0000000000000000"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(3));
}

/// A running `letta webhooks listen` with its endpoint id.
struct Listener {
    child: Child,
    stdout: BufReader<ChildStdout>,
    stderr: BufReader<ChildStderr>,
    endpoint_id: String,
}

impl Listener {
    fn start(server: &TestServer, extra: &[&str]) -> Self {
        let mut child = Command::new(support::letta_path())
            .env_remove("LETTA_BASE_URL")
            .env_remove("LETTA_API_KEY")
            .args(["--base-url", &server.base_url, "--api-key", &server.api_key])
            .args(["webhooks", "listen", "-o", "ndjson"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("listen starts");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut stderr = BufReader::new(child.stderr.take().expect("piped stderr"));

        // The first stderr line names the endpoint once it is registered.
        let mut line = String::new();
        stderr.read_line(&mut line).expect("reads stderr");
        let endpoint_id = line
            .split_whitespace()
            .find(|word| word.starts_with("whk_"))
            .unwrap_or_else(|| panic!("no endpoint id in {line:?}"))
            .to_owned();
        Self {
            child,
            stdout,
            stderr,
            endpoint_id,
        }
    }

    fn next_delivery(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("reads stdout");
        serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line:?}"))
    }

    /// Sends SIGINT, as Ctrl-C does, and returns the exit code and the
    /// rest of stderr.
    fn interrupt(mut self) -> (Option<i32>, String) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let exit = self.child.wait().expect("listen exits");
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).expect("reads stderr");
        (exit.code(), rest)
    }
}

#[test]
fn listen_prints_verified_deliveries_and_cleans_up() {
    let server = server();
    let mut listener = Listener::start(&server, &[]);
    assert_eq!(endpoint_ids(&server), [listener.endpoint_id.clone()]);

    let queued = server.letta_json(&["webhooks", "test", &listener.endpoint_id]);
    let delivery = listener.next_delivery();

    assert_eq!(delivery["type"], "webhook.test");
    assert_eq!(delivery["verified"], true);
    assert_eq!(delivery["id"], queued["event_id"]);
    let (code, stderr) = listener.interrupt();
    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        stderr.contains("deleted the temporary endpoint"),
        "{stderr}"
    );
    assert!(endpoint_ids(&server).is_empty());
}

#[test]
fn listen_receives_only_chosen_events() {
    let server = server();
    let mut listener = Listener::start(&server, &["--events", "customer.created"]);

    server.letta_json(&[
        "customers",
        "create",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.com",
    ]);
    let delivery = listener.next_delivery();

    assert_eq!(delivery["type"], "customer.created");
    assert_eq!(delivery["verified"], true);
    let (code, _) = listener.interrupt();
    assert_eq!(code, Some(130));
}

#[test]
fn listen_closed_stdout_deletes_endpoint() {
    let server = server();
    let listener = Listener::start(&server, &[]);
    let Listener {
        mut child,
        stdout,
        endpoint_id,
        ..
    } = listener;
    drop(stdout);

    server.letta_json(&["webhooks", "test", &endpoint_id]);
    let exit = child.wait().expect("listen exits");

    assert_eq!(exit.code(), Some(0));
    assert!(endpoint_ids(&server).is_empty());
}

/// Starts a loopback server that responds to one request with 204 and
/// sends the request's head and body over the returned channel.
fn capture_one_request() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!(
        "http://{}/forwarded",
        listener.local_addr().expect("address")
    );
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let _ = stream.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
        let _ = sender.send(format!("{head}\r\n{}", String::from_utf8_lossy(&body)));
    });
    (url, receiver)
}

#[test]
fn listen_forwards_body_and_signature() {
    let server = server();
    let (target, requests) = capture_one_request();
    let mut listener = Listener::start(&server, &["--forward-to", &target]);

    server.letta_json(&["webhooks", "test", &listener.endpoint_id]);
    let delivery = listener.next_delivery();
    let forwarded = requests.recv().expect("request forwarded");

    assert_eq!(delivery["forward_status"], 204);
    let lower = forwarded.to_ascii_lowercase();
    assert!(lower.starts_with("post /forwarded "), "{forwarded}");
    assert!(lower.contains("webhook-signature: v1,"), "{forwarded}");
    assert!(lower.contains("webhook-timestamp: "), "{forwarded}");
    assert!(forwarded.contains("\"webhook.test\""), "{forwarded}");
    let (code, _) = listener.interrupt();
    assert_eq!(code, Some(130));
}
