//! Auto-pagination against scripted servers: the walk ends only when the
//! server reports `has_more: false`.

use futures_util::TryStreamExt;
use letta::Client;
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn plant(n: u32) -> Value {
    json!({
        "id": format!("plt_{n:016}"),
        "name": format!("Plant {n}"),
        "species": "Ficus elastica",
        "category": "foliage",
        "description": "",
        "tags": [],
        "price": 1299,
        "currency": "usd",
        "stock": 4,
        "low_stock_threshold": 5,
        "status": "low_stock",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z"
    })
}

fn envelope(ids: std::ops::Range<u32>, has_more: bool) -> Value {
    json!({
        "data": ids.map(plant).collect::<Vec<_>>(),
        "limit": 10,
        "total": 25,
        "has_more": has_more
    })
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .api_key("sk_test_letta")
        .build()
        .expect("valid client settings")
}

#[tokio::test]
async fn short_and_empty_pages_do_not_end_keyset_walk() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/plants"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(0..10, true)))
        .mount(&server)
        .await;
    // A short page that still reports more items.
    Mock::given(method("GET"))
        .and(query_param("starting_after", "plt_0000000000000009"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(10..13, true)))
        .mount(&server)
        .await;
    // An empty page that still reports more items, with the cursor in its link.
    let next = format!(
        "<{}/v1/plants?limit=10&starting_after=plt_0000000000000017>; rel=\"next\"",
        server.uri()
    );
    Mock::given(method("GET"))
        .and(query_param("starting_after", "plt_0000000000000012"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(envelope(0..0, true))
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("starting_after", "plt_0000000000000017"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(18..25, false)))
        .mount(&server)
        .await;

    let plants: Vec<_> = client(&server)
        .plants()
        .list()
        .limit(10)
        .stream()
        .try_collect()
        .await
        .expect("walk succeeds");

    let ids: Vec<_> = plants.iter().map(|p| p.id.clone()).collect();
    let expected: Vec<_> = (0..13)
        .chain(18..25)
        .map(|n| format!("plt_{n:016}"))
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(server.received_requests().await.expect("recorded").len(), 4);
}

#[tokio::test]
async fn page_mode_walk_continues_past_short_page() {
    let server = MockServer::start().await;
    for (page, ids, has_more) in [(1, 0..10, true), (2, 10..14, true), (3, 14..20, false)] {
        let mut body = envelope(ids, has_more);
        body["page"] = json!(page);
        Mock::given(method("GET"))
            .and(query_param("page", page.to_string()))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }

    let pages: Vec<_> = client(&server)
        .plants()
        .list()
        .page(1)
        .pages()
        .try_collect()
        .await
        .expect("walk succeeds");

    let sizes: Vec<_> = pages.iter().map(|p| p.data.len()).collect();
    assert_eq!(sizes, [10, 4, 6]);
    assert_eq!(pages[2].page, Some(3));
}

#[tokio::test]
async fn full_page_with_has_more_false_ends_walk() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(0..10, false)))
        .expect(1)
        .mount(&server)
        .await;

    let plants: Vec<_> = client(&server)
        .plants()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("walk succeeds");
    assert_eq!(plants.len(), 10);
}

#[tokio::test]
async fn error_mid_walk_is_yielded_then_stream_ends() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(query_param_is_missing("starting_after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(envelope(0..10, true)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("starting_after", "plt_0000000000000009"))
        .respond_with(
            ResponseTemplate::new(503)
                .insert_header("content-type", "application/problem+json")
                .set_body_json(json!({
                    "type": "about:blank", "title": "Unavailable", "status": 503,
                    "detail": "try later", "code": "unavailable", "request_id": "req_9"
                })),
        )
        .mount(&server)
        .await;

    let mut stream = client(&server).plants().list().stream();
    let mut seen = 0;
    let error = loop {
        match stream.try_next().await {
            Ok(Some(_)) => seen += 1,
            Ok(None) => panic!("stream ended without the error"),
            Err(error) => break error,
        }
    };
    assert_eq!(seen, 10);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.code(), Some("unavailable"));
    assert!(stream.try_next().await.expect("no second error").is_none());
}

#[tokio::test]
async fn page_and_starting_after_together_fail_before_any_request() {
    let server = MockServer::start().await;
    let result: Result<Vec<_>, _> = client(&server)
        .plants()
        .list()
        .page(2)
        .starting_after("plt_0000000000000001")
        .stream()
        .try_collect()
        .await;
    let error = result.expect_err("conflicting positions");
    assert!(error.to_string().contains("starting_after"), "{error}");
    assert!(
        server
            .received_requests()
            .await
            .expect("recorded")
            .is_empty()
    );
}
