//! The server itself: seed data, the state file and the `letta-mock` binary.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use letta_mock::{Error, MockConfig, MockServer};
use reqwest::StatusCode;
use serde_json::json;
use support::start_with;

#[tokio::test]
async fn same_seed_gives_identical_lists() {
    let first = start_with(MockConfig::new().seed(7)).await;
    let second = start_with(MockConfig::new().seed(7)).await;
    let other = start_with(MockConfig::new().seed(8)).await;

    let first_plants = first.all_plants("").await;
    let second_plants = second.all_plants("").await;
    let other_plants = other.all_plants("").await;

    assert_eq!(first_plants.len(), 120);
    assert_eq!(first_plants, second_plants);
    assert_ne!(first_plants, other_plants);
}

#[tokio::test]
async fn same_seed_gives_same_new_ids() {
    let first = start_with(MockConfig::new().seed(7)).await;
    let second = start_with(MockConfig::new().seed(7)).await;
    let body =
        json!({"name": "Hoya", "species": "Hoya carnosa", "category": "foliage", "price": 1899});

    let first_id = first.post("/v1/plants", body.clone()).await.body["id"].clone();
    let second_id = second.post("/v1/plants", body).await.body["id"].clone();

    assert_eq!(first_id, second_id);
}

#[tokio::test]
async fn plant_count_is_configurable() {
    let server = start_with(MockConfig::new().plants(5)).await;
    let empty = start_with(MockConfig::new().plants(0)).await;

    let reply = server.get("/v1/plants").await;
    let none = empty.get("/v1/plants").await;

    assert_eq!(reply.body["total"], 5);
    assert_eq!(none.body["total"], 0);
    assert_eq!(none.body["has_more"], false);
}

#[tokio::test]
async fn handle_reports_address_and_key() {
    let server = MockServer::start(MockConfig::new())
        .await
        .expect("mock server starts");

    assert!(server.addr().ip().is_loopback());
    assert_ne!(server.addr().port(), 0);
    assert_eq!(server.base_url(), format!("http://{}", server.addr()));
    assert_eq!(server.api_key(), "sk_test_letta");
    server.shutdown().await.expect("server stops cleanly");
}

#[tokio::test]
async fn invalid_config_rejected() {
    let blank_key = MockServer::start(MockConfig::new().api_key("")).await;
    let spaced_key = MockServer::start(MockConfig::new().api_key("sk test")).await;
    let too_many =
        MockServer::start(MockConfig::new().plants(letta_mock::MAX_SEED_PLANTS + 1)).await;

    assert!(matches!(blank_key, Err(Error::InvalidConfig(_))));
    assert!(matches!(spaced_key, Err(Error::InvalidConfig(_))));
    assert!(matches!(too_many, Err(Error::InvalidConfig(_))));
}

#[tokio::test]
async fn state_survives_restart() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("state.json");

    let server = start_with(MockConfig::new().state_file(&path)).await;
    assert!(path.exists(), "the state file is created at start");
    let created = server
        .post("/v1/plants", json!({"name": "Hoya", "species": "Hoya carnosa", "category": "foliage", "price": 1899, "stock": 4}))
        .await;
    let id = created.body["id"]
        .as_str()
        .expect("the plant has an id")
        .to_owned();
    let changed = server
        .post(&format!("/v1/plants/{id}/stock"), json!({"delta": 6}))
        .await;
    let seeded_id = server.get("/v1/plants?limit=1").await.ids()[0].clone();
    server.delete(&format!("/v1/plants/{seeded_id}")).await;
    server
        .server
        .shutdown()
        .await
        .expect("server stops cleanly");

    // Another seed and size must not matter: the file wins.
    let restarted = start_with(MockConfig::new().state_file(&path).seed(99).plants(3)).await;
    let fetched = restarted.get(&format!("/v1/plants/{id}")).await;
    let list = restarted.get("/v1/plants").await;
    let deleted = restarted.get(&format!("/v1/plants/{seeded_id}")).await;

    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, changed.body);
    assert_eq!(fetched.body["stock"], 10);
    assert_eq!(list.body["total"], 120);
    deleted.assert_problem(404, "not_found");
    let leftovers: Vec<String> = std::fs::read_dir(folder.path())
        .expect("folder lists")
        .filter_map(|entry| {
            entry
                .ok()
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
        })
        .collect();
    assert_eq!(leftovers, ["state.json"], "no temporary files remain");
}

#[tokio::test]
async fn restart_keeps_issuing_new_ids() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("state.json");
    let body =
        json!({"name": "Hoya", "species": "Hoya carnosa", "category": "foliage", "price": 1899});

    let server = start_with(MockConfig::new().state_file(&path)).await;
    let first = server.post("/v1/plants", body.clone()).await.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    server
        .server
        .shutdown()
        .await
        .expect("server stops cleanly");
    let restarted = start_with(MockConfig::new().state_file(&path)).await;
    let second = restarted.post("/v1/plants", body).await.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    assert!(second > first, "{second} sorts after {first}");
}

#[tokio::test]
async fn corrupt_state_file_refused() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("state.json");

    for content in ["{not json", "", "{\"format\": 99, \"state\": {}}", "[]"] {
        std::fs::write(&path, content).expect("state file is written");

        let error = MockServer::start(MockConfig::new().state_file(&path))
            .await
            .expect_err("a corrupt file stops the start");

        assert!(
            matches!(error, Error::InvalidStateFile { .. }),
            "{content:?}: {error:?}"
        );
        assert!(
            error.to_string().contains(&path.display().to_string()),
            "{error}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).expect("state file reads"),
            content,
            "the file is untouched"
        );
    }
}

#[tokio::test]
async fn unreadable_state_path_refused() {
    let folder = tempfile::tempdir().expect("temporary folder");

    let error = MockServer::start(MockConfig::new().state_file(folder.path()))
        .await
        .expect_err("a folder is not a state file");

    assert!(matches!(error, Error::ReadStateFile { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains(&folder.path().display().to_string()),
        "{error}"
    );
}

/// Runs `letta-mock` and returns the child and its first stdout line.
fn spawn_binary(args: &[&str]) -> (std::process::Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_letta-mock"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("letta-mock starts");
    let stdout = child.stdout.take().expect("stdout is piped");

    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = sender.send(line);
    });
    let line = match receiver.recv_timeout(Duration::from_secs(20)) {
        Ok(line) => line,
        Err(_) => {
            let _ = child.kill();
            panic!("letta-mock printed no URL within 20 seconds");
        }
    };
    (child, line.trim_end().to_owned())
}

/// Waits for the child to exit, killing it after 20 seconds.
fn wait_for_exit(mut child: std::process::Child) -> std::process::ExitStatus {
    let pid = child.id();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait());
    });
    match receiver.recv_timeout(Duration::from_secs(20)) {
        Ok(status) => status.expect("exit status is read"),
        Err(_) => {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
            panic!("letta-mock did not exit within 20 seconds of SIGTERM");
        }
    }
}

#[tokio::test]
async fn binary_serves_and_stops_on_sigterm() {
    let (child, base_url) = spawn_binary(&["--port", "0"]);
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");

    let response = support::client()
        .get(format!("{base_url}/v1/plants?page=2&limit=50"))
        .bearer_auth("sk_test_letta")
        .send()
        .await
        .expect("request reaches letta-mock");
    let reply = support::read(response).await;
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    let status = wait_for_exit(child);

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.data().len(), 50);
    let link = reply.header("link").unwrap_or_default();
    assert!(link.contains("rel=\"next\""), "{link}");
    assert!(
        link.contains(&format!("<{base_url}/v1/plants?limit=50&page=3>")),
        "{link}"
    );
    assert!(killed.success());
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn binary_takes_seed_and_keys() {
    let (child, base_url) = spawn_binary(&[
        "--port",
        "0",
        "--seed",
        "7",
        "--plants",
        "3",
        "--api-key",
        "sk_test_ci",
    ]);
    let server = start_with(MockConfig::new().seed(7).plants(3)).await;

    let response = support::client()
        .get(format!("{base_url}/v1/plants"))
        .bearer_auth("sk_test_ci")
        .send()
        .await
        .expect("request reaches letta-mock");
    let reply = support::read(response).await;
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = wait_for_exit(child);

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.body["data"],
        server.get("/v1/plants").await.body["data"]
    );
    assert!(status.success(), "{status}");
}

#[test]
fn binary_rejects_corrupt_state_file() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("state.json");
    std::fs::write(&path, "{oops").expect("state file is written");

    let output = Command::new(env!("CARGO_BIN_EXE_letta-mock"))
        .args(["--port", "0", "--state-file"])
        .arg(&path)
        .output()
        .expect("letta-mock runs");

    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no URL is printed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: invalid state file"), "{stderr}");
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
}

#[tokio::test]
async fn concurrent_changes_all_reach_state_file() {
    let folder = tempfile::tempdir().expect("temporary folder");
    let path = folder.path().join("state.json");
    let server = start_with(MockConfig::new().state_file(&path)).await;
    let body =
        json!({"name": "Hoya", "species": "Hoya carnosa", "category": "foliage", "price": 1899});
    let id = server.post("/v1/plants", body).await.body["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let stock_path = format!("/v1/plants/{id}/stock");

    let changes = (0..20).map(|_| server.post(&stock_path, json!({"delta": 1})));
    let replies = futures_util::future::join_all(changes).await;
    server
        .server
        .shutdown()
        .await
        .expect("server stops cleanly");
    let restarted = start_with(MockConfig::new().state_file(&path)).await;

    assert!(replies.iter().all(|reply| reply.status == StatusCode::OK));
    assert_eq!(
        restarted.get(&format!("/v1/plants/{id}")).await.body["stock"],
        20
    );
}

#[tokio::test]
async fn router_serves_without_socket() {
    use tower::ServiceExt;

    let state = letta_mock::AppState::new(&MockConfig::new().plants(3))
        .await
        .expect("state builds");
    let request = axum::http::Request::get("/v1/plants")
        .header("authorization", "Bearer sk_test_letta")
        .header("host", "mock.test")
        .body(axum::body::Body::empty())
        .expect("request builds");

    let response = letta_mock::router(state)
        .oneshot(request)
        .await
        .expect("the router is infallible");

    assert_eq!(response.status(), StatusCode::OK);
    let link = response.headers()["link"].to_str().unwrap_or_default();
    assert!(
        link.starts_with("<http://mock.test/v1/plants?limit=20&page=1>"),
        "{link}"
    );
}

#[tokio::test]
async fn response_header_order_is_stable() {
    let server = start_with(MockConfig::new()).await;
    let names = |reply: &support::Reply| -> Vec<String> {
        reply
            .headers
            .keys()
            .map(|name| name.as_str().to_owned())
            .collect()
    };

    // axum adds `Content-Length` after every layer, so it comes last before
    // hyper's `Date`, and the error path keeps the layers' order.
    let list = server.get("/v1/plants?limit=2").await;
    assert_eq!(
        names(&list),
        [
            "content-type",
            "link",
            "ratelimit-policy",
            "ratelimit",
            "request-id",
            "content-length",
            "date"
        ]
    );
    let missing = server.get("/v1/plants/nope").await;
    assert_eq!(
        names(&missing),
        [
            "content-type",
            "ratelimit-policy",
            "ratelimit",
            "request-id",
            "content-length",
            "date"
        ]
    );
}
