//! Tables fit the width given by `COLUMNS` without breaking ids or statuses.

mod support;

use support::MockState;

fn list_with_width(state: &MockState, width: &str) -> String {
    let output = state
        .letta()
        .env("COLUMNS", width)
        .args(["plants", "list", "--limit", "20"])
        .output()
        .expect("letta runs");
    assert!(output.status.success(), "exit {:?}", output.status);
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn table_fits_80_columns() {
    let state = MockState::new();
    let stdout = list_with_width(&state, "80");
    let table: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("Page ")).collect();

    for line in &table {
        assert!(line.chars().count() <= 80, "line wider than 80: {line:?}");
    }
    // Names may wrap onto continuation lines; ids and statuses never do.
    let rows: Vec<&&str> = table.iter().filter(|l| l.starts_with("plt_")).collect();
    assert_eq!(rows.len(), 20, "{stdout}");
    for row in rows {
        let status = row.split_whitespace().last().unwrap_or_default();
        assert!(
            ["in_stock", "low_stock", "out_of_stock"].contains(&status),
            "status cut: {row:?}"
        );
    }
    for continuation in table[1..].iter().filter(|l| !l.starts_with("plt_")) {
        assert!(
            continuation.starts_with(' '),
            "id column broken: {continuation:?}"
        );
    }
    assert!(table[0].contains("NAME"), "name kept at 80: {}", table[0]);
    assert!(
        !table[0].contains("SPECIES"),
        "species dropped first: {}",
        table[0]
    );
}

#[test]
fn wide_table_keeps_every_column() {
    let state = MockState::new();
    let stdout = list_with_width(&state, "200");
    let header = stdout.lines().next().unwrap_or_default();
    for title in [
        "ID", "NAME", "SPECIES", "CATEGORY", "PRICE", "STOCK", "STATUS",
    ] {
        assert!(header.contains(title), "{title} missing: {header}");
    }
}
