//! `GET /v1/plants`: pages, cursors, filters, sorts and links.

mod support;

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, start};

#[tokio::test]
async fn default_page_has_twenty_plants() {
    let server = start().await;

    let reply = server.get("/v1/plants").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.data().len(), 20);
    assert_eq!(reply.body["page"], 1);
    assert_eq!(reply.body["limit"], 20);
    assert_eq!(reply.body["total"], 120);
    assert_eq!(reply.body["has_more"], true);
}

#[tokio::test]
async fn plants_decode_as_sdk_type() {
    let server = start().await;

    for plant in server.all_plants("").await {
        let decoded: letta::types::Plant =
            serde_json::from_value(plant.clone()).expect("plant decodes as the SDK type");
        let encoded = serde_json::to_value(&decoded).expect("plant encodes");
        assert_eq!(encoded, plant, "the SDK type keeps every field");
        assert!(decoded.id.starts_with("plt_"), "{}", decoded.id);
        assert_eq!(decoded.id.len(), 20, "{}", decoded.id);
        assert!(
            decoded.id[4..]
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte.is_ascii_uppercase()),
            "{}",
            decoded.id
        );
    }
}

#[tokio::test]
async fn page_two_of_fifty() {
    let server = start().await;

    let second = server.get("/v1/plants?page=2&limit=50").await;
    let third = server.get("/v1/plants?page=3&limit=50").await;

    assert_eq!(second.data().len(), 50);
    assert_eq!(second.body["page"], 2);
    assert_eq!(second.body["limit"], 50);
    assert_eq!(second.body["has_more"], true);
    assert_eq!(third.data().len(), 20);
    assert_eq!(third.body["has_more"], false);
    let all: Vec<Value> = server.all_plants("").await;
    assert_eq!(second.data()[..], all[50..100]);
}

#[tokio::test]
async fn page_past_end_is_empty() {
    let server = start().await;

    let reply = server.get("/v1/plants?page=9&limit=20").await;

    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.data().is_empty());
    assert_eq!(reply.body["has_more"], false);
    assert_eq!(reply.body["total"], 120);
}

#[tokio::test]
async fn invalid_limit_names_parameter() {
    let server = start().await;

    for limit in ["0", "101", "-1", "abc", "1.5", ""] {
        let reply = server.get(&format!("/v1/plants?limit={limit}")).await;
        reply.assert_problem(400, "invalid_parameter");
        assert_eq!(reply.error_pointers(), ["limit"], "limit={limit}");
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains("`limit`"), "limit={limit}: {detail}");
    }
}

#[tokio::test]
async fn invalid_page_names_parameter() {
    let server = start().await;

    for page in ["0", "-2", "x", "1000001"] {
        let reply = server.get(&format!("/v1/plants?page={page}")).await;
        reply.assert_problem(400, "invalid_parameter");
        assert_eq!(reply.error_pointers(), ["page"], "page={page}");
    }
}

#[tokio::test]
async fn unknown_and_repeated_parameters_rejected() {
    let server = start().await;

    let unknown = server.get("/v1/plants?colour=red").await;
    let repeated = server.get("/v1/plants?limit=5&limit=6").await;
    let empty = server.get("/v1/plants?q=").await;
    let several = server.get("/v1/plants?limit=0&sort=height").await;

    unknown.assert_problem(400, "invalid_parameter");
    assert_eq!(unknown.error_pointers(), ["colour"]);
    repeated.assert_problem(400, "invalid_parameter");
    assert_eq!(repeated.error_pointers(), ["limit"]);
    empty.assert_problem(400, "invalid_parameter");
    assert_eq!(empty.error_pointers(), ["q"]);
    several.assert_problem(400, "invalid_parameter");
    assert_eq!(several.error_pointers(), ["sort", "limit"]);
}

#[tokio::test]
async fn page_with_cursor_rejected() {
    let server = start().await;
    let first = server.get("/v1/plants?limit=1").await.ids()[0].clone();

    let reply = server
        .get(&format!("/v1/plants?page=1&starting_after={first}"))
        .await;

    reply.assert_problem(400, "invalid_parameter");
    assert_eq!(reply.error_pointers(), ["starting_after"]);
}

/// Follows `next` links from the first keyset page and returns every id.
async fn keyset_walk(server: &TestServer, query: &str) -> Vec<String> {
    let first = server.get(&format!("/v1/plants?limit=7{query}")).await;
    let first_id = first.ids()[0].clone();
    let mut ids = vec![first_id.clone()];
    let mut url = Some(server.url(&format!(
        "/v1/plants?limit=7&starting_after={first_id}{query}"
    )));

    let mut pages = 0;
    while let Some(next) = url {
        pages += 1;
        assert!(pages < 100, "the walk ends");
        let response = server
            .client
            .get(&next)
            .bearer_auth(server.server.api_key())
            .send()
            .await
            .expect("request reaches the mock server");
        let reply = support::read(response).await;
        assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
        assert!(reply.body.get("page").is_none(), "keyset mode has no page");
        ids.extend(reply.ids());
        url = reply.link("next");
        assert_eq!(url.is_some(), reply.body["has_more"] == true);
    }
    ids
}

#[tokio::test]
async fn keyset_walk_covers_every_plant_once() {
    let server = start().await;

    for query in [
        "",
        "&sort=-price",
        "&sort=name",
        "&category=fern&sort=stock",
    ] {
        let walked = keyset_walk(&server, query).await;
        let paged: Vec<String> = server
            .all_plants(query)
            .await
            .iter()
            .map(|plant| plant["id"].as_str().unwrap_or_default().to_owned())
            .collect();

        assert_eq!(walked, paged, "query {query}");
        let unique: HashSet<&String> = walked.iter().collect();
        assert_eq!(unique.len(), walked.len(), "query {query}");
    }
}

#[tokio::test]
async fn deleted_cursor_works_in_created_order() {
    let server = start().await;
    let ids = server.get("/v1/plants?limit=5").await.ids();
    let deleted = server.delete(&format!("/v1/plants/{}", ids[2])).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let after = server
        .get(&format!("/v1/plants?limit=2&starting_after={}", ids[2]))
        .await;
    let by_name = server
        .get(&format!("/v1/plants?sort=name&starting_after={}", ids[2]))
        .await;

    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.ids(), ids[3..5]);
    by_name.assert_problem(400, "invalid_parameter");
    assert_eq!(by_name.error_pointers(), ["starting_after"]);
}

#[tokio::test]
async fn malformed_cursor_rejected() {
    let server = start().await;

    let reply = server.get("/v1/plants?starting_after=nope").await;

    reply.assert_problem(400, "invalid_parameter");
    assert_eq!(reply.error_pointers(), ["starting_after"]);
}

#[tokio::test]
async fn status_filter_partitions_plants() {
    let server = start().await;
    let mut total = 0;

    for status in ["in_stock", "low_stock", "out_of_stock"] {
        let plants = server.all_plants(&format!("&status={status}")).await;
        assert!(!plants.is_empty(), "seed data has {status} plants");
        for plant in &plants {
            assert_eq!(plant["status"], status);
        }
        total += plants.len();
    }
    assert_eq!(total, 120);
}

#[tokio::test]
async fn category_tag_and_text_filters_match() {
    let server = start().await;

    let ferns = server.all_plants("&category=fern").await;
    let pet_safe = server.all_plants("&tag=pet-safe").await;
    let palms = server.all_plants("&q=PALM").await;
    let ficus = server.all_plants("&q=ficus").await;

    assert!(!ferns.is_empty());
    assert!(ferns.iter().all(|plant| plant["category"] == "fern"));
    assert!(!pet_safe.is_empty());
    assert!(pet_safe.iter().all(|plant| {
        plant["tags"]
            .as_array()
            .is_some_and(|tags| tags.contains(&json!("pet-safe")))
    }));
    assert!(!palms.is_empty());
    assert!(palms.iter().all(|plant| {
        plant["name"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("palm")
            || plant["species"]
                .as_str()
                .unwrap_or_default()
                .to_lowercase()
                .contains("palm")
    }));
    assert!(!ficus.is_empty(), "ficus matches species only");
    assert!(ficus.iter().all(|plant| {
        plant["species"]
            .as_str()
            .unwrap_or_default()
            .starts_with("Ficus")
    }));
}

#[tokio::test]
async fn price_range_is_inclusive() {
    let server = start().await;
    let all = server.all_plants("").await;
    let prices: Vec<i64> = all
        .iter()
        .filter_map(|plant| plant["price"].as_i64())
        .collect();
    let low = prices[10];
    let high = prices[11].max(low);

    let within = server
        .all_plants(&format!("&min_price={low}&max_price={high}"))
        .await;

    let expected = prices
        .iter()
        .filter(|price| (low..=high).contains(*price))
        .count();
    assert_eq!(within.len(), expected);
    assert!(
        within
            .iter()
            .all(|plant| (low..=high).contains(&plant["price"].as_i64().unwrap_or(-1)))
    );
}

#[tokio::test]
async fn inverted_price_range_rejected() {
    let server = start().await;

    let reply = server.get("/v1/plants?min_price=500&max_price=100").await;
    let negative = server.get("/v1/plants?min_price=-1").await;
    let too_high = server.get("/v1/plants?max_price=100000001").await;

    reply.assert_problem(400, "invalid_parameter");
    assert_eq!(reply.error_pointers(), ["min_price"]);
    negative.assert_problem(400, "invalid_parameter");
    assert_eq!(negative.error_pointers(), ["min_price"]);
    too_high.assert_problem(400, "invalid_parameter");
    assert_eq!(too_high.error_pointers(), ["max_price"]);
}

#[tokio::test]
async fn unknown_filter_values_rejected() {
    let server = start().await;

    for (query, parameter) in [
        ("status=sold", "status"),
        ("category=shrub", "category"),
        ("sort=height", "sort"),
        ("sort=--price", "sort"),
    ] {
        let reply = server.get(&format!("/v1/plants?{query}")).await;
        reply.assert_problem(400, "invalid_parameter");
        assert_eq!(reply.error_pointers(), [parameter], "{query}");
    }
}

#[tokio::test]
async fn every_sort_orders_plants() {
    let server = start().await;

    for field in ["created_at", "name", "price", "stock"] {
        for descending in [false, true] {
            let sort = if descending {
                format!("-{field}")
            } else {
                field.to_owned()
            };
            let plants = server.all_plants(&format!("&sort={sort}")).await;
            assert_eq!(plants.len(), 120, "sort={sort}");

            for pair in plants.windows(2) {
                let order = compare(&pair[0][field], &pair[1][field])
                    .then_with(|| compare(&pair[0]["id"], &pair[1]["id"]));
                let expected = if descending {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Less
                };
                assert_eq!(
                    order, expected,
                    "sort={sort}: {} then {}",
                    pair[0]["id"], pair[1]["id"]
                );
            }
        }
    }
}

fn compare(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(a), Value::Number(b)) => a.as_i64().cmp(&b.as_i64()),
        (Value::String(a), Value::String(b)) => a.cmp(b),
        _ => panic!("cannot compare {a} and {b}"),
    }
}

#[tokio::test]
async fn page_links_keep_filters() {
    let server = start().await;
    let base = server.server.base_url().to_owned();

    let reply = server
        .get("/v1/plants?tag=pet-safe&sort=-price&page=2&limit=5")
        .await;

    let total = reply.body["total"].as_u64().expect("total is a number");
    let last = total.div_ceil(5);
    assert_eq!(
        reply.link("first"),
        Some(format!(
            "{base}/v1/plants?tag=pet-safe&sort=-price&limit=5&page=1"
        ))
    );
    assert_eq!(
        reply.link("prev"),
        Some(format!(
            "{base}/v1/plants?tag=pet-safe&sort=-price&limit=5&page=1"
        ))
    );
    assert_eq!(
        reply.link("next"),
        Some(format!(
            "{base}/v1/plants?tag=pet-safe&sort=-price&limit=5&page=3"
        ))
    );
    assert_eq!(
        reply.link("last"),
        Some(format!(
            "{base}/v1/plants?tag=pet-safe&sort=-price&limit=5&page={last}"
        ))
    );
}

#[tokio::test]
async fn first_and_last_pages_omit_links() {
    let server = start().await;

    let first = server.get("/v1/plants?limit=50").await;
    let last = server.get("/v1/plants?limit=50&page=3").await;

    assert!(first.link("prev").is_none());
    assert!(first.link("next").is_some());
    assert!(last.link("next").is_none());
    assert!(last.link("prev").is_some());
    assert_eq!(
        last.link("last"),
        Some(server.url("/v1/plants?limit=50&page=3"))
    );
}

#[tokio::test]
async fn keyset_link_has_only_next() {
    let server = start().await;
    let ids = server.get("/v1/plants?limit=3").await.ids();

    let reply = server
        .get(&format!("/v1/plants?limit=3&starting_after={}&q=a", ids[0]))
        .await;

    let last = reply.ids().last().cloned().expect("the page has plants");
    assert_eq!(
        reply.link("next"),
        Some(server.url(&format!("/v1/plants?q=a&limit=3&starting_after={last}")))
    );
    assert!(reply.link("first").is_none());
    assert!(reply.link("last").is_none());
}
