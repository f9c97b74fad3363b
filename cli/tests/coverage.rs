//! Runs the CLI command of every row of the operation table
//! (`letta_tests::operations`, rendered in `docs/coverage.md`) with `--help`,
//! so a row cannot name a command the binary does not have.

use assert_cmd::Command;
use letta_tests::operations::{operations, webhook_events};

/// Runs `letta <arguments> --help` and returns why it failed, if it did.
fn help_failure(command: &str) -> Option<String> {
    let arguments: Vec<&str> = command
        .strip_prefix("letta ")
        .unwrap_or_else(|| panic!("`{command}` does not start with `letta `"))
        .split_whitespace()
        .collect();
    let output = Command::cargo_bin("letta")
        .expect("the letta binary is built for this package's tests")
        .args(&arguments)
        .arg("--help")
        .output()
        .expect("the letta binary runs");
    if output.status.success() {
        None
    } else {
        Some(format!(
            "`{command} --help` exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

#[test]
fn every_operation_command_has_help() {
    let failures: Vec<String> = operations()
        .iter()
        .filter_map(|entry| help_failure(entry.cli_command))
        .collect();

    assert!(
        failures.is_empty(),
        "{} commands of the operation table do not exist:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_webhook_event_command_has_help() {
    let failures: Vec<String> = webhook_events()
        .iter()
        .filter_map(|entry| help_failure(entry.cli_command))
        .collect();

    assert!(
        failures.is_empty(),
        "{} webhook commands of the operation table fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn unknown_command_fails_help() {
    assert!(help_failure("letta plants replant").is_some());
}

#[test]
fn unknown_event_type_fails_help() {
    // The check covers the event type too: clap parses `--events` before it
    // handles `--help`.
    assert!(help_failure("letta webhooks listen --events plant.replanted").is_some());
}
