//! Serves the mock server's plant list and plant responses from wiremock, as
//! the baseline of the mock-server load benchmark (`scripts/bench mock`).
//!
//! It starts `letta-mock` in this process with its default seed data and the
//! rate limit off, fetches `GET /v1/plants?limit=20` and
//! `GET /v1/plants/{id}` of the first plant, and stops it. Then it mounts the
//! two responses, byte for byte and with the same headers, on a wiremock
//! server on 127.0.0.1 that matches the method, path, query and bearer key
//! the way `letta-mock` checks them. Request recording is off, so wiremock
//! does not keep every request of a load run in memory.
//!
//! It prints the base URL and then the plant id, one per line on stdout, and
//! serves until Ctrl-C or SIGTERM.
//!
//! Run: `cargo run --release -p letta-tests --example wiremock_plants -- [PORT]`
//! (port 0, the default, picks a free one).

use std::io::Write;
use std::net::TcpListener;

use anyhow::Context;
use letta_mock::{MockConfig, MockServer};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, DATE, HeaderMap};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

/// Items on the list page; `scripts/bench` requests the same limit.
const PAGE_LIMIT: &str = "20";

/// A response as `letta-mock` sent it.
struct Captured {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Captured {
    async fn fetch(client: &reqwest::Client, url: &str, api_key: &str) -> anyhow::Result<Self> {
        let response = client
            .get(url)
            .bearer_auth(api_key)
            .send()
            .await
            .with_context(|| format!("GET {url} failed"))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .with_context(|| format!("reading the body of GET {url} failed"))?
            .to_vec();
        Ok(Self {
            status,
            headers,
            body,
        })
    }

    /// Builds a template that sends the same status, headers and body.
    /// Hyper writes `Date` and `Content-Length` itself.
    fn template(&self) -> anyhow::Result<ResponseTemplate> {
        let content_type = self
            .headers
            .get(CONTENT_TYPE)
            .context("the captured response has no content-type")?
            .to_str()
            .context("the captured content-type is not visible ASCII")?;
        let mut template =
            ResponseTemplate::new(self.status).set_body_raw(self.body.clone(), content_type);
        for (name, value) in &self.headers {
            if name == CONTENT_TYPE || name == CONTENT_LENGTH || name == DATE {
                continue;
            }
            template = template.append_header(name.clone(), value.clone());
        }
        Ok(template)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .with_context(|| format!("invalid port {arg:?}; pass a number from 0 to 65535"))?,
        None => 0,
    };

    let source = MockServer::start(MockConfig::default().rate_limit(0, 1))
        .await
        .context("starting letta-mock to capture its responses failed")?;
    let api_key = source.api_key().to_owned();
    let client = reqwest::Client::new();
    let list_url = format!("{}/v1/plants?limit={PAGE_LIMIT}", source.base_url());
    let list = Captured::fetch(&client, &list_url, &api_key).await?;
    let page: serde_json::Value =
        serde_json::from_slice(&list.body).context("the plant list is not JSON")?;
    let plant_id = page["data"][0]["id"]
        .as_str()
        .context("the plant list has no first plant with an id")?
        .to_owned();
    let plant_path = format!("/v1/plants/{plant_id}");
    let plant_url = format!("{}{plant_path}", source.base_url());
    let plant = Captured::fetch(&client, &plant_url, &api_key).await?;
    source
        .shutdown()
        .await
        .context("stopping the capturing letta-mock failed")?;

    let listener = TcpListener::bind(("127.0.0.1", port))
        .with_context(|| format!("binding 127.0.0.1:{port} failed"))?;
    let server = wiremock::MockServer::builder()
        .listener(listener)
        .disable_request_recording()
        .start()
        .await;
    let bearer = format!("Bearer {api_key}");
    Mock::given(method("GET"))
        .and(path("/v1/plants"))
        .and(query_param("limit", PAGE_LIMIT))
        .and(header("authorization", bearer.as_str()))
        .respond_with(list.template()?)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(plant_path.as_str()))
        .and(header("authorization", bearer.as_str()))
        .respond_with(plant.template()?)
        .mount(&server)
        .await;

    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", server.uri())?;
    writeln!(stdout, "{plant_id}")?;
    stdout.flush()?;
    drop(stdout);

    wait_for_stop().await
}

/// Waits for Ctrl-C or, on Unix, SIGTERM.
async fn wait_for_stop() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate =
            signal(SignalKind::terminate()).context("installing the SIGTERM handler failed")?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.context("waiting for Ctrl-C failed"),
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C failed")
    }
}
