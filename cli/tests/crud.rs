//! Creating, reading, changing and deleting plants through `--mock`, whose
//! state persists from one invocation to the next.

mod support;

use support::{MockState, exists, json, text};

#[test]
fn plant_round_trip_persists_between_runs() {
    let state = MockState::new();

    let created = state
        .letta()
        .args([
            "plants",
            "create",
            "--name",
            "Boston Fern",
            "--species",
            "Nephrolepis exaltata",
            "--category",
            "fern",
            "--price",
            "18.99",
            "--tag",
            "pet-safe",
            "--tag",
            "humid",
            "--stock",
            "12",
            "--description",
            "Likes a bright bathroom",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(created.status.success(), "{}", text(&created.stderr));
    let plant = json(&created.stdout);
    let id = plant["id"].as_str().expect("id").to_owned();
    assert_eq!(
        plant["price"], 1899,
        "12.99-style amount becomes minor units"
    );
    assert_eq!(plant["currency"], "usd");
    assert_eq!(plant["tags"], serde_json::json!(["pet-safe", "humid"]));
    assert_eq!(plant["stock"], 12);
    assert!(
        exists(&state.path()),
        "the change is saved to the state file"
    );

    // A new process, a new mock server: the plant is still there.
    let fetched = state
        .letta()
        .args(["plants", "get", &id])
        .output()
        .expect("runs");
    assert!(fetched.status.success(), "{}", text(&fetched.stderr));
    let table = text(&fetched.stdout);
    assert!(table.contains("Boston Fern"), "{table}");
    assert!(table.contains("18.99 USD"), "{table}");
    assert!(table.contains("pet-safe, humid"), "{table}");

    let updated = state
        .letta()
        .args([
            "plants",
            "update",
            &id,
            "--price",
            "21.5",
            "--name",
            "Boston Fern XL",
            "-o",
            "json",
        ])
        .output()
        .expect("runs");
    assert!(updated.status.success(), "{}", text(&updated.stderr));
    let plant = json(&updated.stdout);
    assert_eq!(plant["price"], 2150);
    assert_eq!(plant["name"], "Boston Fern XL");
    assert_eq!(
        plant["species"], "Nephrolepis exaltata",
        "other fields stay"
    );

    let stocked = state
        .letta()
        .args(["plants", "stock", &id, "--delta", "-3", "-o", "json"])
        .output()
        .expect("runs");
    assert!(stocked.status.success(), "{}", text(&stocked.stderr));
    assert_eq!(json(&stocked.stdout)["stock"], 9);

    let set = state
        .letta()
        .args(["plants", "stock", &id, "--set", "2", "-o", "json"])
        .output()
        .expect("runs");
    assert_eq!(json(&set.stdout)["stock"], 2);
    assert_eq!(json(&set.stdout)["status"], "low_stock");

    let deleted = state
        .letta()
        .args(["plants", "delete", &id])
        .output()
        .expect("runs");
    assert!(deleted.status.success(), "{}", text(&deleted.stderr));
    assert!(deleted.stdout.is_empty());
    assert!(text(&deleted.stderr).contains(&id), "says what it deleted");

    let after_delete = state
        .letta()
        .args(["plants", "get", &id])
        .output()
        .expect("runs");
    assert_eq!(after_delete.status.code(), Some(3));
}

#[test]
fn zero_decimal_currency_takes_whole_amounts() {
    let state = MockState::new();
    let created = state
        .letta()
        .args([
            "plants",
            "create",
            "--name",
            "Bonsai",
            "--species",
            "Juniperus procumbens",
            "--category",
            "tree",
            "--price",
            "4500",
            "--currency",
            "jpy",
        ])
        .output()
        .expect("runs");
    assert!(created.status.success(), "{}", text(&created.stderr));
    assert!(
        text(&created.stdout).contains("4500 JPY"),
        "{}",
        text(&created.stdout)
    );

    let rejected = state
        .letta()
        .args([
            "plants",
            "create",
            "--name",
            "Bonsai",
            "--species",
            "Juniperus procumbens",
            "--category",
            "tree",
            "--price",
            "45.50",
            "--currency",
            "jpy",
        ])
        .output()
        .expect("runs");
    assert_eq!(rejected.status.code(), Some(2));
    assert!(
        text(&rejected.stderr).contains("--price"),
        "{}",
        text(&rejected.stderr)
    );
}

#[test]
fn price_with_too_many_decimals_is_usage_error() {
    let state = MockState::new();
    let output = state
        .letta()
        .args([
            "plants",
            "create",
            "--name",
            "Fern",
            "--species",
            "Pteris",
            "--category",
            "fern",
            "--price",
            "12.999",
        ])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("12.999 USD has more than 2 decimal places"),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
}

#[test]
fn create_requires_name_species_category_price() {
    let state = MockState::new();
    let output = state
        .letta()
        .args(["plants", "create", "--name", "Fern"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("--species"), "{stderr}");
    assert!(stderr.contains("--price"), "{stderr}");
}

#[test]
fn update_without_changes_is_usage_error() {
    let state = MockState::new();
    let output = state
        .letta()
        .args(["plants", "update", "plt_0000000100000000"])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn stock_needs_exactly_one_change() {
    let state = MockState::new();
    let neither = state
        .letta()
        .args(["plants", "stock", "plt_1"])
        .output()
        .expect("runs");
    assert_eq!(neither.status.code(), Some(2));

    let both = state
        .letta()
        .args(["plants", "stock", "plt_1", "--delta", "1", "--set", "3"])
        .output()
        .expect("runs");
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn removing_more_stock_than_on_hand_is_rejected() {
    let state = MockState::new();
    let first = state
        .letta()
        .args(["plants", "list", "--limit", "1", "-o", "json"])
        .output()
        .expect("runs");
    let plant = &json(&first.stdout)[0];
    let id = plant["id"].as_str().expect("id");
    let too_many = (plant["stock"].as_i64().expect("stock") + 1).to_string();

    let output = state
        .letta()
        .args([
            "plants",
            "stock",
            id,
            "--delta",
            &format!("-{too_many}"),
            "-o",
            "json",
        ])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(4), "409 is a rejected request");
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("insufficient_stock"), "{stderr}");
    assert!(stderr.contains("request id: req_"), "{stderr}");
}

#[test]
fn validation_errors_name_each_field() {
    let state = MockState::new();
    let long_name = "x".repeat(101);
    let output = state
        .letta()
        .args([
            "plants",
            "create",
            "--name",
            &long_name,
            "--species",
            "Pteris",
            "--category",
            "fern",
            "--price",
            "1",
        ])
        .output()
        .expect("runs");

    assert_eq!(output.status.code(), Some(4));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("422"), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|line| line.trim_start().starts_with("name:")),
        "{stderr}"
    );
}

#[test]
fn mock_reset_restores_seed_data() {
    let state = MockState::new();
    let first = state
        .letta()
        .args(["plants", "list", "--limit", "1", "-o", "json"])
        .output()
        .expect("runs");
    let id = json(&first.stdout)[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let deleted = state
        .letta()
        .args(["plants", "delete", &id])
        .output()
        .expect("runs");
    assert!(deleted.status.success(), "{}", text(&deleted.stderr));

    let reset = state
        .letta()
        .args(["mock", "reset"])
        .output()
        .expect("runs");
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(reset.stdout.is_empty());
    assert!(
        text(&reset.stderr).contains("Deleted"),
        "{}",
        text(&reset.stderr)
    );
    assert!(!exists(&state.path()));

    let nothing = state
        .letta()
        .args(["mock", "reset"])
        .output()
        .expect("runs");
    assert!(nothing.status.success());
    assert!(
        text(&nothing.stderr).contains("Nothing to reset"),
        "{}",
        text(&nothing.stderr)
    );

    let again = state
        .letta()
        .args(["plants", "get", &id])
        .output()
        .expect("runs");
    assert!(
        again.status.success(),
        "the seeded plant is back: {}",
        text(&again.stderr)
    );
}

#[test]
fn concurrent_mock_runs_keep_every_change() {
    let state = MockState::new();
    let runs: Vec<_> = (0..4)
        .map(|n| {
            let mut command = std::process::Command::new(support::letta_path());
            command
                .env("LETTA_MOCK_STATE", state.path())
                .env_remove("LETTA_BASE_URL")
                .args([
                    "--mock",
                    "plants",
                    "create",
                    "--name",
                    &format!("Concurrent {n}"),
                ])
                .args([
                    "--species",
                    "Pilea peperomioides",
                    "--category",
                    "foliage",
                    "--price",
                    "9",
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            command.spawn().expect("spawns")
        })
        .collect();
    for mut run in runs {
        assert!(run.wait().expect("waits").success());
    }

    let listed = state
        .letta()
        .args(["plants", "list", "--all", "-q", "Concurrent", "-o", "json"])
        .output()
        .expect("runs");
    let plants = json(&listed.stdout);
    assert_eq!(plants.as_array().map(Vec::len), Some(4), "{plants}");
}
