//! Helpers shared by the integration tests: a server on a loopback port and
//! a client that talks to it.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of these helpers"
)]

use letta_mock::{MockConfig, MockServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A mock server on `127.0.0.1:0` and an HTTP client for it.
pub(crate) struct TestServer {
    pub(crate) server: MockServer,
    pub(crate) client: reqwest::Client,
}

/// A response read in full.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Value,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Returns the `data` array of a list response.
    pub(crate) fn data(&self) -> &Vec<Value> {
        self.body["data"]
            .as_array()
            .expect("a list response has a data array")
    }

    /// Returns the ids in the `data` array.
    pub(crate) fn ids(&self) -> Vec<String> {
        self.data()
            .iter()
            .map(|plant| {
                plant["id"]
                    .as_str()
                    .expect("every plant has an id")
                    .to_owned()
            })
            .collect()
    }

    /// Returns the URL of the `Link` relation `rel`.
    pub(crate) fn link(&self, rel: &str) -> Option<String> {
        let header = self.header("link")?;
        header.split(", ").find_map(|part| {
            let (url, params) = part.split_once(">; ")?;
            (params == format!("rel=\"{rel}\"")).then(|| url.trim_start_matches('<').to_owned())
        })
    }

    /// Asserts that this is a problem response with `status` and `code`.
    pub(crate) fn assert_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.body["status"], status, "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert_eq!(
            self.body["request_id"].as_str(),
            self.header("request-id"),
            "the problem repeats the Request-Id header"
        );
    }

    /// Returns the `pointer` of every entry in `errors`.
    pub(crate) fn error_pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|error| error["pointer"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Returns a client that never uses a proxy, so requests stay on loopback.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client without TLS settings always builds")
}

pub(crate) async fn start() -> TestServer {
    start_with(MockConfig::new()).await
}

pub(crate) async fn start_with(config: MockConfig) -> TestServer {
    let server = MockServer::start(config).await.expect("mock server starts");
    TestServer {
        server,
        client: client(),
    }
}

impl TestServer {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    /// Sends an authenticated request with an optional JSON body.
    pub(crate) async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(self.server.api_key());
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(
            request
                .send()
                .await
                .expect("request reaches the mock server"),
        )
        .await
    }

    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub(crate) async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(body)).await
    }

    pub(crate) async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, None).await
    }

    /// Returns every plant in page mode under the given extra query, in order.
    pub(crate) async fn all_plants(&self, query: &str) -> Vec<Value> {
        let mut plants = Vec::new();
        for page in 1.. {
            let reply = self
                .get(&format!("/v1/plants?limit=100&page={page}{query}"))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
            plants.extend(reply.data().iter().cloned());
            if reply.body["has_more"] == false {
                break;
            }
        }
        plants
    }
}

/// Reads a response; an empty body becomes `null`.
pub(crate) async fn read(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("response body arrives");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Reply {
        status,
        headers,
        body,
    }
}
