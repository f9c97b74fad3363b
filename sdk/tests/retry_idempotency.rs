//! A `POST` whose connection drops before the response is sent again with
//! the same `Idempotency-Key` and the same body bytes.

mod retry_support;

use std::sync::{Arc, Mutex};

use letta::types::{Category, CreatePlant};
use retry_support::{ManualClock, builder, plant_json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request as the server read it.
#[derive(Debug, Clone)]
struct Received {
    idempotency_key: Option<String>,
    body: Vec<u8>,
}

/// A server that reads each request whole, closes the first connection
/// without a response (as if it crashed after committing the change), and
/// returns `201` with a plant on every later one.
async fn drop_first_answer_server() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let received = Arc::new(Mutex::new(Vec::new()));
    let log = received.clone();

    tokio::spawn(async move {
        let mut connection = 0;
        while let Ok((stream, _)) = listener.accept().await {
            connection += 1;
            let mut reader = BufReader::new(stream);
            let request = read_request(&mut reader).await;
            log.lock().expect("log lock").push(request);
            if connection == 1 {
                drop(reader);
                continue;
            }
            let body = plant_json().to_string();
            let response = format!(
                "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = reader.get_mut().write_all(response.as_bytes()).await;
        }
    });
    (url, received)
}

async fn read_request(reader: &mut BufReader<tokio::net::TcpStream>) -> Received {
    let mut idempotency_key = None;
    let mut length = 0;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match name.to_ascii_lowercase().as_str() {
            "idempotency-key" => idempotency_key = Some(value),
            "content-length" => length = value.parse().expect("numeric length"),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.expect("whole body");
    Received {
        idempotency_key,
        body,
    }
}

fn aloe() -> CreatePlant {
    CreatePlant::new("Aloe", "Aloe vera", Category::Succulent, 899)
}

#[tokio::test]
async fn dropped_post_is_resent_with_same_generated_key() {
    let (url, received) = drop_first_answer_server().await;
    let clock = ManualClock::new();
    let client = builder(&url, &clock).build().expect("valid");

    let plant = client
        .plants()
        .create(&aloe())
        .await
        .expect("second attempt");

    assert_eq!(plant.id, "plt_0000000100000000");
    let received = received.lock().expect("log lock").clone();
    assert_eq!(received.len(), 2);
    let first_key = received[0].idempotency_key.clone().expect("a key");
    assert_eq!(
        received[1].idempotency_key.as_deref(),
        Some(first_key.as_str())
    );
    assert_eq!(received[0].body, received[1].body);
    assert!(!received[0].body.is_empty());
}

#[tokio::test]
async fn dropped_post_keeps_the_caller_key() {
    let (url, received) = drop_first_answer_server().await;
    let clock = ManualClock::new();
    let client = builder(&url, &clock).build().expect("valid");

    client
        .plants()
        .create(&aloe())
        .idempotency_key("import-2026-01-01")
        .await
        .expect("second attempt");

    let received = received.lock().expect("log lock").clone();
    let keys: Vec<_> = received
        .iter()
        .map(|r| r.idempotency_key.as_deref())
        .collect();
    assert_eq!(keys, [Some("import-2026-01-01"); 2]);
    assert_eq!(received[0].body, received[1].body);
}
