//! Creating, reading, changing and deleting plants, and stock changes.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{TestServer, start};

fn fern() -> Value {
    json!({
        "name": "Blue Star Fern",
        "species": "Phlebodium aureum",
        "category": "fern",
        "price": 2450,
        "tags": ["pet-safe", "low-light", "pet-safe"],
        "stock": 12
    })
}

async fn create(server: &TestServer, body: Value) -> Value {
    let reply = server.post("/v1/plants", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "body: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn create_get_patch_delete_round_trip() {
    let server = start().await;

    let created = server.post("/v1/plants", fern()).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["id"]
        .as_str()
        .expect("the plant has an id")
        .to_owned();
    let location = server.url(&format!("/v1/plants/{id}"));
    assert_eq!(created.header("location"), Some(location.as_str()));
    assert_eq!(created.body["name"], "Blue Star Fern");
    assert_eq!(created.body["tags"], json!(["pet-safe", "low-light"]));
    assert_eq!(created.body["currency"], "usd");
    assert_eq!(created.body["description"], "");
    assert_eq!(created.body["low_stock_threshold"], 5);
    assert_eq!(created.body["status"], "in_stock");
    assert_eq!(created.body["created_at"], created.body["updated_at"]);

    let fetched = server.get(&format!("/v1/plants/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.body, created.body);

    let patched = server
        .patch(
            &format!("/v1/plants/{id}"),
            json!({"price": 2999, "low_stock_threshold": 20, "tags": null}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "body: {}", patched.body);
    assert_eq!(patched.body["price"], 2999);
    assert_eq!(patched.body["tags"], json!([]));
    assert_eq!(
        patched.body["status"], "low_stock",
        "12 in stock is at or below the new threshold"
    );
    assert_eq!(patched.body["name"], "Blue Star Fern");
    assert_eq!(
        server.get(&format!("/v1/plants/{id}")).await.body,
        patched.body
    );

    let deleted = server.delete(&format!("/v1/plants/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(deleted.body, Value::Null);
    server
        .get(&format!("/v1/plants/{id}"))
        .await
        .assert_problem(404, "not_found");
    server
        .delete(&format!("/v1/plants/{id}"))
        .await
        .assert_problem(404, "not_found");
}

#[tokio::test]
async fn created_plant_ends_default_list() {
    let server = start().await;

    let created = create(&server, fern()).await;

    let last_page = server.get("/v1/plants?page=7&limit=20").await;
    assert_eq!(last_page.body["total"], 121);
    assert_eq!(
        last_page.ids(),
        [created["id"].as_str().unwrap_or_default()]
    );
}

#[tokio::test]
async fn new_ids_follow_seeded_ids() {
    let server = start().await;
    let seeded = server.all_plants("").await;

    let created = create(&server, fern()).await;

    let last_seeded = seeded
        .last()
        .and_then(|plant| plant["id"].as_str())
        .unwrap_or_default();
    assert!(created["id"].as_str().unwrap_or_default() > last_seeded);
}

#[tokio::test]
async fn validation_reports_every_field() {
    let server = start().await;

    let reply = server
        .post(
            "/v1/plants",
            json!({
                "name": "   ",
                "category": "shrub",
                "price": 12.5,
                "currency": "USD",
                "tags": ["ok", "", 7],
                "stock": -1,
                "status": "in_stock",
                "colour": "green"
            }),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    let mut pointers = reply.error_pointers();
    pointers.sort();
    assert_eq!(
        pointers,
        [
            "/category",
            "/colour",
            "/currency",
            "/name",
            "/price",
            "/species",
            "/status",
            "/stock",
            "/tags/1",
            "/tags/2"
        ]
    );
}

#[tokio::test]
async fn wrong_types_and_limits_rejected() {
    let server = start().await;
    let long_name = "x".repeat(101);
    let many_tags: Vec<String> = (0..21).map(|index| format!("tag-{index}")).collect();

    for (field, value) in [
        ("price", json!("1299")),
        ("price", json!(100_000_001)),
        ("price", json!(-1)),
        ("name", json!(long_name)),
        ("name", json!(null)),
        ("tags", json!(many_tags)),
        ("tags", json!("pet-safe")),
        ("description", json!("d".repeat(2001))),
        ("low_stock_threshold", json!(true)),
        ("currency", json!("us")),
        ("description", json!(null)),
        ("tags", json!(null)),
        ("currency", json!(null)),
        ("stock", json!(null)),
        ("low_stock_threshold", json!(null)),
    ] {
        let mut body = fern();
        body[field] = value;
        let reply = server.post("/v1/plants", body).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_pointers(), [format!("/{field}")], "{field}");
    }
}

#[tokio::test]
async fn whole_float_counts_as_integer() {
    let server = start().await;
    let mut body = fern();
    body["price"] = json!(2450.0);

    let created = create(&server, body).await;

    assert_eq!(created["price"], json!(2450));
}

#[tokio::test]
async fn patch_rejects_read_only_and_null() {
    let server = start().await;
    let id = create(&server, fern()).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let reply = server
        .patch(
            &format!("/v1/plants/{id}"),
            json!({"stock": 3, "status": "low_stock", "name": null, "id": "plt_x", "price": 1.5}),
        )
        .await;

    reply.assert_problem(422, "validation_failed");
    let mut pointers = reply.error_pointers();
    pointers.sort();
    assert_eq!(pointers, ["/id", "/name", "/price", "/status", "/stock"]);
    let unchanged = server.get(&format!("/v1/plants/{id}")).await;
    assert_eq!(unchanged.body["stock"], 12);
}

#[tokio::test]
async fn empty_patch_changes_nothing() {
    let server = start().await;
    let created = create(&server, fern()).await;
    let path = format!("/v1/plants/{}", created["id"].as_str().unwrap_or_default());

    let reply = server.patch(&path, json!({})).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, created);
}

#[tokio::test]
async fn patch_null_clears_description() {
    let server = start().await;
    let mut body = fern();
    body["description"] = json!("Wavy blue-green fronds.");
    let created = create(&server, body).await;
    let path = format!("/v1/plants/{}", created["id"].as_str().unwrap_or_default());

    let reply = server.patch(&path, json!({"description": null})).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["description"], "");
}

#[tokio::test]
async fn unknown_id_is_not_found() {
    let server = start().await;

    let get = server.get("/v1/plants/plt_0000ZZZZ00000000").await;
    let patch = server
        .patch("/v1/plants/plt_0000ZZZZ00000000", json!({"price": 1}))
        .await;
    let stock = server
        .post("/v1/plants/plt_0000ZZZZ00000000/stock", json!({"delta": 1}))
        .await;

    get.assert_problem(404, "not_found");
    assert!(
        get.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("plt_0000ZZZZ00000000")
    );
    patch.assert_problem(404, "not_found");
    stock.assert_problem(404, "not_found");
}

#[tokio::test]
async fn stock_delta_and_set_change_status() {
    let server = start().await;
    let id = create(&server, fern()).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/v1/plants/{id}/stock");

    let added = server.post(&path, json!({"delta": 5})).await;
    let removed = server.post(&path, json!({"delta": -14})).await;
    let emptied = server.post(&path, json!({"set": 0})).await;

    assert_eq!(added.status, StatusCode::OK, "body: {}", added.body);
    assert_eq!(added.body["stock"], 17);
    assert_eq!(added.body["status"], "in_stock");
    assert_eq!(removed.body["stock"], 3);
    assert_eq!(removed.body["status"], "low_stock");
    assert_eq!(emptied.body["stock"], 0);
    assert_eq!(emptied.body["status"], "out_of_stock");
    assert_eq!(
        server.get(&format!("/v1/plants/{id}")).await.body,
        emptied.body
    );
}

#[tokio::test]
async fn stock_below_zero_is_conflict() {
    let server = start().await;
    let id = create(&server, fern()).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let reply = server
        .post(&format!("/v1/plants/{id}/stock"), json!({"delta": -13}))
        .await;

    reply.assert_problem(409, "insufficient_stock");
    let detail = reply.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("12 in stock"), "{detail}");
    assert_eq!(
        server.get(&format!("/v1/plants/{id}")).await.body["stock"],
        12
    );
}

#[tokio::test]
async fn stock_body_needs_exactly_one_change() {
    let server = start().await;
    let id = create(&server, fern()).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/v1/plants/{id}/stock");

    for (body, pointers) in [
        (json!({}), vec![""]),
        (json!({"delta": 1, "set": 2}), vec![""]),
        (json!({"set": -1}), vec!["/set"]),
        (json!({"delta": 1.5}), vec!["/delta"]),
        (json!({"delta": "3"}), vec!["/delta"]),
        (json!({"delta": 2_000_000}), vec!["/delta"]),
        (json!({"delta": 1, "reason": "recount"}), vec!["/reason"]),
    ] {
        let reply = server.post(&path, body.clone()).await;
        reply.assert_problem(422, "validation_failed");
        assert_eq!(reply.error_pointers(), pointers, "{body}");
    }
}

#[tokio::test]
async fn stock_over_maximum_rejected() {
    let server = start().await;
    let id = create(&server, fern()).await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let path = format!("/v1/plants/{id}/stock");
    server.post(&path, json!({"set": 1_000_000})).await;

    let reply = server.post(&path, json!({"delta": 1})).await;

    reply.assert_problem(422, "validation_failed");
    assert_eq!(reply.error_pointers(), ["/delta"]);
}

#[tokio::test]
async fn reads_after_changes_are_fresh() {
    let server = start().await;
    let id = "plt_000000017YEC4WRW";
    let path = format!("/v1/plants/{id}");
    let first_of_list = |reply: &support::Reply| reply.body["data"][0].clone();

    // Both reads serialize the plant and keep its JSON for later responses.
    let before = server.get(&path).await.body;
    assert_eq!(first_of_list(&server.get("/v1/plants").await), before);

    let stocked = server
        .post(&format!("{path}/stock"), json!({"set": 500}))
        .await;
    assert_eq!(stocked.status, StatusCode::OK, "body: {}", stocked.body);
    assert_eq!(server.get(&path).await.body, stocked.body);
    assert_eq!(first_of_list(&server.get("/v1/plants").await), stocked.body);

    let renamed = server
        .patch(&path, json!({"name": "Tall Snake Plant"}))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "body: {}", renamed.body);
    assert_eq!(renamed.body["stock"], 500);
    assert_eq!(first_of_list(&server.get("/v1/plants").await), renamed.body);
    assert_eq!(server.get(&path).await.body, renamed.body);

    assert_eq!(server.delete(&path).await.status, StatusCode::NO_CONTENT);
    server.get(&path).await.assert_problem(404, "not_found");
    assert_ne!(first_of_list(&server.get("/v1/plants").await)["id"], id);
}
