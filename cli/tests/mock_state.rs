//! An unreadable `--mock` state file is reported with the way out.

mod support;

use support::MockState;

#[test]
fn corrupt_state_file_suggests_reset() {
    let state = MockState::new();
    std::fs::write(state.path(), "garbage").expect("write state file");

    let output = state
        .letta()
        .args(["plants", "list"])
        .output()
        .expect("letta runs");

    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("letta mock reset"), "{stderr}");
    assert!(
        stderr.contains(&state.path().display().to_string()),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(state.path()).expect("read state file"),
        "garbage",
        "the file is left untouched"
    );
}
