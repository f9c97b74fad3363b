//! Checks that every operation of `docs/openapi.yaml`, under `paths` and
//! under `webhooks`, has an SDK method (a typed event for a webhook payload)
//! and a CLI command in the table of `letta_tests::operations`, and keeps
//! `docs/coverage.md` in step with that table.
//!
//! The table is proven elsewhere: the Prism contract test runs every SDK
//! call and checks that it reaches the operation it is listed for, and the
//! CLI's coverage test runs every command with `--help`.

use std::collections::HashSet;
use std::fmt::Write as _;

mod spec;

use letta_tests::operations::{operations, webhook_events, workspace_root};
use spec::{SpecOperation, spec_operations};

/// Set to 1 to rewrite `docs/coverage.md` instead of comparing it.
const UPDATE_VAR: &str = "LETTA_UPDATE_COVERAGE";

/// Operations of the spec that have no SDK method or CLI command yet, which
/// `docs/coverage.md` marks as missing. The test fails when this list and
/// the table disagree, so a filled hole means deleting its line here.
const KNOWN_HOLES: &[&str] = &[];

/// One row of the coverage page.
struct Row {
    spec: SpecOperation,
    sdk: Option<&'static str>,
    cli: Option<&'static str>,
}

fn rows() -> Vec<Row> {
    let operations = operations();
    let webhook_events = webhook_events();
    spec_operations()
        .into_iter()
        .map(|spec| {
            let (sdk, cli) = if spec.webhook {
                webhook_events
                    .iter()
                    .find(|entry| entry.operation_id == spec.operation_id)
                    .map_or((None, None), |entry| {
                        (Some(entry.sdk_variant), Some(entry.cli_command))
                    })
            } else {
                operations
                    .iter()
                    .find(|entry| entry.operation_id == spec.operation_id)
                    .map_or((None, None), |entry| {
                        (Some(entry.sdk_method), Some(entry.cli_command))
                    })
            };
            Row { spec, sdk, cli }
        })
        .collect()
}

fn render(rows: &[Row]) -> String {
    let covered = rows
        .iter()
        .filter(|row| row.sdk.is_some() && row.cli.is_some())
        .count();
    let paths = rows.iter().filter(|row| !row.spec.webhook).count();
    let webhooks = rows.len() - paths;

    let mut page = String::new();
    page.push_str("# API coverage\n\n");
    page.push_str(
        "Every operation of `docs/openapi.yaml` with the SDK method and the CLI command\n\
         that cover it. For a webhook payload the SDK column names the typed event\n\
         that `letta::webhooks::Verifier` decodes it into.\n\n\
         `cargo test -p letta-tests --test coverage` fails when this page is out of\n\
         date or an operation lacks either one, except the known holes marked\n\
         **missing** below. Regenerate the page with\n\
         `LETTA_UPDATE_COVERAGE=1 cargo test -p letta-tests --test coverage`; the\n\
         table it comes from is `tests/src/operations.rs`.\n\
         `tests/tests/contract_prism.rs` runs every SDK call against Prism and\n\
         checks that it reaches the operation of its row, and\n\
         `cli/tests/coverage.rs` runs every CLI command with `--help`.\n\n",
    );
    writeln!(
        page,
        "Covered: {covered} of {} operations ({paths} under `paths`, {webhooks} under `webhooks`).\n",
        rows.len()
    )
    .expect("writing to a String cannot fail");

    page.push_str("| operationId | Method and path | SDK | CLI |\n");
    page.push_str("| --- | --- | --- | --- |\n");
    for row in rows {
        let target = if row.spec.webhook {
            format!("webhook `{}`", row.spec.path)
        } else {
            format!("`{} {}`", row.spec.method, row.spec.path)
        };
        writeln!(
            page,
            "| `{}` | {target} | {} | {} |",
            row.spec.operation_id,
            cell(row.sdk),
            cell(row.cli)
        )
        .expect("writing to a String cannot fail");
    }
    page
}

fn cell(value: Option<&str>) -> String {
    value.map_or_else(|| "**missing**".to_owned(), |value| format!("`{value}`"))
}

#[test]
fn every_spec_operation_has_sdk_and_cli() {
    let rows = rows();
    let holes: Vec<&Row> = rows
        .iter()
        .filter(|row| row.sdk.is_none() || row.cli.is_none())
        .collect();

    let new_holes: Vec<String> = holes
        .iter()
        .filter(|row| !KNOWN_HOLES.contains(&row.spec.operation_id.as_str()))
        .map(|row| {
            format!(
                "{} {} {}",
                row.spec.operation_id, row.spec.method, row.spec.path
            )
        })
        .collect();
    assert!(
        new_holes.is_empty(),
        "{} operations of docs/openapi.yaml have no SDK method or CLI command in \
         tests/src/operations.rs:\n{}",
        new_holes.len(),
        new_holes.join("\n")
    );

    let filled: Vec<&&str> = KNOWN_HOLES
        .iter()
        .filter(|id| !holes.iter().any(|row| row.spec.operation_id == **id))
        .collect();
    assert!(
        filled.is_empty(),
        "these operations are covered now; delete them from KNOWN_HOLES: {filled:?}"
    );
}

#[test]
fn table_lists_each_operation_once() {
    let spec_ids: HashSet<String> = spec_operations()
        .into_iter()
        .map(|operation| operation.operation_id)
        .collect();
    let table_ids: Vec<&str> = operations()
        .iter()
        .map(|entry| entry.operation_id)
        .chain(webhook_events().iter().map(|entry| entry.operation_id))
        .collect();

    let unknown: Vec<&&str> = table_ids
        .iter()
        .filter(|id| !spec_ids.contains(**id))
        .collect();
    assert!(
        unknown.is_empty(),
        "tests/src/operations.rs lists operations docs/openapi.yaml does not have: {unknown:?}"
    );

    let mut seen = HashSet::new();
    let repeated: Vec<&&str> = table_ids.iter().filter(|id| !seen.insert(**id)).collect();
    assert!(
        repeated.is_empty(),
        "tests/src/operations.rs lists operations more than once: {repeated:?}"
    );
}

#[test]
fn coverage_page_is_current() {
    let path = workspace_root().join("docs").join("coverage.md");
    let expected = render(&rows());

    if std::env::var(UPDATE_VAR).is_ok_and(|value| value == "1") {
        std::fs::write(&path, &expected)
            .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        return;
    }

    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "{} is out of date with docs/openapi.yaml and tests/src/operations.rs; \
         regenerate it with `{UPDATE_VAR}=1 cargo test -p letta-tests --test coverage`",
        path.display()
    );
}
