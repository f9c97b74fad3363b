//! `letta plants list`: pages, formats, filters and sorting.

mod support;

use serde_json::Value;
use support::{MockState, TestServer, json, ndjson, text};

/// Number of plants the mock server seeds by default.
const SEEDED_PLANTS: usize = 120;

fn plants_of(value: &Value) -> &Vec<Value> {
    value.as_array().expect("a JSON array")
}

#[test]
fn mock_list_shows_first_page_table() {
    let state = MockState::new();
    let output = state
        .letta()
        .args(["plants", "list"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(output.stderr.is_empty(), "stderr: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("ID"), "header: {}", lines[0]);
    assert!(lines[0].contains("PRICE"), "header: {}", lines[0]);
    let rows: Vec<&&str> = lines
        .iter()
        .filter(|line| line.starts_with("plt_"))
        .collect();
    assert_eq!(rows.len(), 20, "{stdout}");
    assert!(rows[0].contains(" USD"), "price with currency: {}", rows[0]);
    assert_eq!(
        lines.last().copied(),
        Some("Page 1 of 6 (120 plants). Next: letta --mock plants list --page 2")
    );
}

#[test]
fn page_and_limit_select_a_page() {
    let server = TestServer::start(SEEDED_PLANTS);
    let first = server
        .letta()
        .args(["plants", "list", "--limit", "50", "-o", "json"])
        .output()
        .expect("runs");
    let third = server
        .letta()
        .args([
            "plants", "list", "--page", "3", "--limit", "50", "-o", "json",
        ])
        .output()
        .expect("runs");

    assert!(third.status.success(), "{}", text(&third.stderr));
    let first = json(&first.stdout);
    let third = json(&third.stdout);
    assert_eq!(plants_of(&first).len(), 50);
    assert_eq!(plants_of(&third).len(), 20, "120 plants leave 20 on page 3");
    assert_ne!(plants_of(&first)[0]["id"], plants_of(&third)[0]["id"]);

    let table = server
        .letta()
        .args(["plants", "list", "--page", "3", "--limit", "50"])
        .output()
        .expect("runs");
    assert_eq!(
        text(&table.stdout).lines().last(),
        Some("Page 3 of 3 (120 plants).")
    );
}

#[test]
fn page_past_end_is_empty() {
    let server = TestServer::start(SEEDED_PLANTS);
    let output = server
        .letta()
        .args(["plants", "list", "--page", "99"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "Page 99 is past the end: 120 plants fit on 6 pages.\n"
    );

    let json_output = server
        .letta()
        .args(["plants", "list", "--page", "99", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(text(&json_output.stdout), "[]\n");
}

#[test]
fn limit_out_of_range_is_rejected() {
    let server = TestServer::start(SEEDED_PLANTS);
    // The CLI checks the API's range before it sends anything, so each of
    // these is a usage error: exit 2.
    for limit in ["0", "101", "-1", "abc"] {
        let output = server
            .letta()
            .args(["plants", "list", "--limit", limit])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(2), "--limit {limit}");
        assert!(
            output.stdout.is_empty(),
            "--limit {limit}: {}",
            text(&output.stdout)
        );
        let stderr = text(&output.stderr);
        assert!(stderr.contains("--limit"), "--limit {limit}: {stderr}");
        assert!(stderr.starts_with("error:"), "--limit {limit}: {stderr}");
    }

    for limit in ["0", "101", "-1"] {
        let output = server
            .letta()
            .args(["orders", "list", "--limit", limit])
            .output()
            .expect("runs");
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--limit {limit}");
        assert!(stderr.contains("1..=100"), "--limit {limit}: {stderr}");
    }
}

#[test]
fn page_out_of_range_is_rejected() {
    let server = TestServer::start(SEEDED_PLANTS);
    for page in ["0", "-1", "1000001"] {
        let output = server
            .letta()
            .args(["plants", "list", "--page", page])
            .output()
            .expect("runs");
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "--page {page}");
        assert!(stderr.contains("1..=1000000"), "--page {page}: {stderr}");
    }
}

#[test]
fn all_ndjson_prints_every_plant() {
    let server = TestServer::start(SEEDED_PLANTS);
    let output = server
        .letta()
        .args(["plants", "list", "--all", "-o", "ndjson"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    let plants = ndjson(&output.stdout);
    assert_eq!(plants.len(), SEEDED_PLANTS);
    let mut ids: Vec<&str> = plants
        .iter()
        .filter_map(|plant| plant["id"].as_str())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), SEEDED_PLANTS, "no plant twice");
}

#[test]
fn all_table_counts_plants() {
    let server = TestServer::start(45);
    let output = server
        .letta()
        .args(["plants", "list", "--all", "--limit", "10"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert_eq!(
        stdout
            .lines()
            .filter(|line| line.starts_with("plt_"))
            .count(),
        45
    );
    assert_eq!(stdout.lines().last(), Some("45 plants"));
}

#[test]
fn json_output_is_one_array() {
    let server = TestServer::start(SEEDED_PLANTS);
    let page = server
        .letta()
        .args(["plants", "list", "-o", "json"])
        .output()
        .expect("runs");
    let all = server
        .letta()
        .args(["plants", "list", "--all", "-o", "json"])
        .output()
        .expect("runs");

    let page = json(&page.stdout);
    assert_eq!(plants_of(&page).len(), 20);
    assert!(
        page[0]["price"].is_i64(),
        "raw minor units: {}",
        page[0]["price"]
    );
    assert_eq!(plants_of(&json(&all.stdout)).len(), SEEDED_PLANTS);
}

#[test]
fn empty_result_is_empty_array() {
    let server = TestServer::start(SEEDED_PLANTS);
    let output = server
        .letta()
        .args([
            "plants",
            "list",
            "-q",
            "no plant has this name",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "[]\n");

    let table = server
        .letta()
        .args(["plants", "list", "-q", "no plant has this name"])
        .output()
        .expect("runs");
    assert_eq!(text(&table.stdout), "No plants found.\n");
}

#[test]
fn csv_has_header_and_joined_tags() {
    let server = TestServer::start(SEEDED_PLANTS);
    let output = server
        .letta()
        .args(["plants", "list", "--limit", "5", "-o", "csv"])
        .output()
        .expect("runs");

    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header = reader.headers().expect("header").clone();
    assert_eq!(header.get(0), Some("id"));
    let price_column = header
        .iter()
        .position(|name| name == "price")
        .expect("price column");
    let tags_column = header
        .iter()
        .position(|name| name == "tags")
        .expect("tags column");

    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
    assert_eq!(records.len(), 5);
    for record in &records {
        let price = &record[price_column];
        assert!(price.parse::<i64>().is_ok(), "raw minor units: {price}");
    }
    let with_tags = records.iter().find(|r| r[tags_column].contains(';'));
    assert!(
        with_tags.is_some(),
        "some plant has several tags joined by ;"
    );
}

/// Lists every plant matching `filter` as JSON.
fn list_all(server: &TestServer, filter: &[&str]) -> Vec<Value> {
    let output = server
        .letta()
        .args(["plants", "list", "--all", "-o", "json"])
        .args(filter)
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{filter:?}: {}",
        text(&output.stderr)
    );
    plants_of(&json(&output.stdout)).clone()
}

#[test]
fn status_filter_keeps_matching_plants() {
    let server = TestServer::start(SEEDED_PLANTS);
    for status in ["in_stock", "low_stock", "out_of_stock"] {
        let plants = list_all(&server, &["--status", status]);
        assert!(!plants.is_empty(), "seed data has {status} plants");
        assert!(
            plants.iter().all(|plant| plant["status"] == status),
            "{status}"
        );
    }
}

#[test]
fn category_filter_keeps_matching_plants() {
    let server = TestServer::start(SEEDED_PLANTS);
    let plants = list_all(&server, &["--category", "cactus"]);
    assert!(!plants.is_empty());
    assert!(plants.iter().all(|plant| plant["category"] == "cactus"));
}

#[test]
fn tag_filter_keeps_matching_plants() {
    let server = TestServer::start(SEEDED_PLANTS);
    let plants = list_all(&server, &["--tag", "pet-safe"]);
    assert!(!plants.is_empty());
    for plant in &plants {
        let tags = plant["tags"].as_array().expect("tags");
        assert!(tags.iter().any(|tag| tag == "pet-safe"), "{plant}");
    }
}

#[test]
fn query_filter_matches_name_or_species() {
    let server = TestServer::start(SEEDED_PLANTS);
    let plants = list_all(&server, &["-q", "FICUS"]);
    assert!(!plants.is_empty());
    for plant in &plants {
        let name = plant["name"].as_str().unwrap_or_default().to_lowercase();
        let species = plant["species"].as_str().unwrap_or_default().to_lowercase();
        assert!(
            name.contains("ficus") || species.contains("ficus"),
            "{plant}"
        );
    }
}

#[test]
fn price_range_filter_is_inclusive() {
    let server = TestServer::start(SEEDED_PLANTS);
    let plants = list_all(&server, &["--min-price", "1500", "--max-price", "2500"]);
    assert!(!plants.is_empty());
    for plant in &plants {
        let price = plant["price"].as_i64().expect("price");
        assert!((1500..=2500).contains(&price), "{price}");
    }
}

#[test]
fn sort_orders_the_list() {
    let server = TestServer::start(SEEDED_PLANTS);

    let prices: Vec<i64> = list_all(&server, &["--sort", "price"])
        .iter()
        .map(|plant| plant["price"].as_i64().expect("price"))
        .collect();
    assert!(
        prices.windows(2).all(|pair| pair[0] <= pair[1]),
        "ascending: {prices:?}"
    );

    let prices: Vec<i64> = list_all(&server, &["--sort", "-price"])
        .iter()
        .map(|plant| plant["price"].as_i64().expect("price"))
        .collect();
    assert!(
        prices.windows(2).all(|pair| pair[0] >= pair[1]),
        "descending: {prices:?}"
    );

    let names: Vec<String> = list_all(&server, &["--sort=name"])
        .iter()
        .map(|plant| plant["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names.len(), SEEDED_PLANTS);
}

#[test]
fn unknown_filter_value_is_usage_error() {
    let server = TestServer::start(SEEDED_PLANTS);
    let output = server
        .letta()
        .args(["plants", "list", "--status", "bogus"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bogus"), "{stderr}");
    assert!(
        stderr.contains("low_stock"),
        "lists allowed values: {stderr}"
    );
}

#[test]
fn starting_after_continues_after_cursor() {
    let server = TestServer::start(SEEDED_PLANTS);
    let first = list_all(&server, &["--limit", "100"]);
    let cursor = first[4]["id"].as_str().expect("id");

    let output = server
        .letta()
        .args(["plants", "list", "--limit", "3", "--starting-after", cursor])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let sixth = first[5]["id"].as_str().expect("id");
    assert!(
        stdout
            .lines()
            .nth(1)
            .is_some_and(|row| row.starts_with(sixth)),
        "{stdout}"
    );
    let eighth = first[7]["id"].as_str().expect("id");
    let summary = stdout.lines().last().expect("summary");
    assert!(
        summary.ends_with(&format!(
            "Next: letta plants list --limit 3 --starting-after {eighth}"
        )),
        "{summary}"
    );
}
