//! Output into pipes and files: a reader that stops early ends the run
//! quietly, and colour and progress stay out of anything but a terminal.

mod support;

use std::process::Command;

use support::{TestServer, text};

/// Plants seeded for the pipe tests, enough to fill several pipe buffers.
const MANY_PLANTS: usize = 1000;

/// Runs `pipeline` in bash with `$LETTA` set to the binary and `$ARGS` to
/// the connection flags. The pipeline writes letta's exit status to
/// `$STATUS_FILE` and its stderr to `$ERR_FILE`. Returns stdout, letta's
/// status and letta's stderr.
fn run_pipeline(server: &TestServer, pipeline: &str) -> (String, i32, String) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let status_file = dir.path().join("status");
    let err_file = dir.path().join("stderr");
    let script = format!(
        r#"$LETTA --base-url "$BASE_URL" --api-key "$API_KEY" {pipeline}; echo "${{PIPESTATUS[0]}}" > "$STATUS_FILE""#
    );

    let output = Command::new("bash")
        .args(["-c", &script])
        .env("LETTA", support::letta_path())
        .env("BASE_URL", &server.base_url)
        .env("API_KEY", &server.api_key)
        .env("STATUS_FILE", &status_file)
        .env("ERR_FILE", &err_file)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("bash runs");

    let status = std::fs::read_to_string(&status_file).expect("status written");
    let stderr = std::fs::read_to_string(&err_file).unwrap_or_default();
    (
        text(&output.stdout),
        status.trim().parse().expect("numeric status"),
        stderr,
    )
}

#[test]
fn head_closing_json_pipe_exits_0_quietly() {
    let server = TestServer::start(MANY_PLANTS);
    let started = std::time::Instant::now();
    let (stdout, status, stderr) = run_pipeline(
        &server,
        r#"plants list --all -o json 2>"$ERR_FILE" | head -n 1"#,
    );

    assert_eq!(stdout, "[\n");
    assert_eq!(status, 0, "stderr: {stderr}");
    assert_eq!(stderr, "", "no panic, no message");
    assert!(started.elapsed().as_secs() < 30, "ends promptly");
}

#[test]
fn head_closing_ndjson_pipe_exits_0_quietly() {
    let server = TestServer::start(MANY_PLANTS);
    let (stdout, status, stderr) = run_pipeline(
        &server,
        r#"plants list --all -o ndjson 2>"$ERR_FILE" | head -n 2"#,
    );

    assert_eq!(stdout.lines().count(), 2);
    assert_eq!(status, 0, "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn true_closing_table_pipe_exits_0_quietly() {
    let server = TestServer::start(MANY_PLANTS);
    for args in [
        "plants list",
        "plants list --all",
        "plants list --all -o csv",
    ] {
        let (_, status, stderr) = run_pipeline(&server, &format!(r#"{args} 2>"$ERR_FILE" | true"#));
        assert_eq!(status, 0, "{args}: {stderr}");
        assert_eq!(stderr, "", "{args}");
    }
}

#[test]
fn csv_to_file_holds_only_csv() {
    let server = TestServer::start(MANY_PLANTS);
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("out.csv");
    let (_, status, stderr) = run_pipeline(
        &server,
        &format!(
            r#"plants list --all -o csv > "{}" 2>"$ERR_FILE""#,
            file.display()
        ),
    );

    assert_eq!(status, 0, "{stderr}");
    assert_eq!(stderr, "", "no progress bar when stderr is not a terminal");
    let bytes = std::fs::read(&file).expect("output file");
    assert!(!bytes.contains(&0x1b), "no escape sequences");
    assert!(!bytes.contains(&b'\r'), "no carriage returns");
    let lines = bytes.iter().filter(|&&byte| byte == b'\n').count();
    assert_eq!(lines, MANY_PLANTS + 1, "a header and one line per plant");
}

#[test]
fn colour_only_when_asked_or_terminal() {
    let server = TestServer::start(10);
    let run = |extra: &[&str], no_color: Option<&str>| {
        let mut command = server.letta();
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let output = command
            .args(["plants", "list"])
            .args(extra)
            .output()
            .expect("runs");
        assert!(output.status.success(), "{}", text(&output.stderr));
        output.stdout.contains(&0x1b)
    };

    assert!(!run(&[], None), "auto mode into a pipe: no colour");
    assert!(!run(&["--color", "never"], None));
    assert!(run(&["--color", "always"], None), "always colours a pipe");
    assert!(
        run(&["--color", "always"], Some("1")),
        "always overrides NO_COLOR"
    );
    assert!(
        !run(&["--color", "always", "-o", "csv"], None),
        "CSV never carries colour"
    );
    assert!(
        !run(&["--color", "always", "-o", "json"], None),
        "JSON never carries colour"
    );
}

/// Runs `letta plants list` in a pseudo-terminal through util-linux
/// `script`, with `env` added, and returns what the terminal received.
fn in_terminal(server: &TestServer, env: &[(&str, &str)], extra: &str) -> Option<String> {
    let script = which("script")?;
    let command = format!(
        r#"$LETTA --base-url "$BASE_URL" --api-key "$API_KEY" plants list --limit 5 {extra}"#
    );
    let mut process = Command::new(script);
    process
        .args(["-qec", &command, "/dev/null"])
        .env("LETTA", support::letta_path())
        .env("BASE_URL", &server.base_url)
        .env("API_KEY", &server.api_key)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    for (name, value) in env {
        process.env(name, value);
    }
    let output = process.output().expect("script runs");
    assert!(output.status.success(), "{}", text(&output.stderr));
    Some(text(&output.stdout))
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| std::path::Path::new(dir).join(program))
        .find(|path| path.is_file())
}

#[test]
fn terminal_colour_follows_no_color_and_term() {
    let server = TestServer::start(10);
    let Some(plain) = in_terminal(&server, &[], "") else {
        // NOTE: without util-linux `script` there is no pseudo-terminal to test in.
        return;
    };
    assert!(plain.contains('\x1b'), "a terminal gets colour: {plain:?}");

    let no_color = in_terminal(&server, &[("NO_COLOR", "1")], "").unwrap_or_default();
    assert!(!no_color.contains('\x1b'), "NO_COLOR=1: {no_color:?}");

    let empty = in_terminal(&server, &[("NO_COLOR", "")], "").unwrap_or_default();
    assert!(
        empty.contains('\x1b'),
        "an empty NO_COLOR leaves colour on: {empty:?}"
    );

    let dumb = in_terminal(&server, &[("TERM", "dumb")], "").unwrap_or_default();
    assert!(!dumb.contains('\x1b'), "TERM=dumb: {dumb:?}");

    let forced = in_terminal(
        &server,
        &[("NO_COLOR", "1"), ("TERM", "dumb")],
        "--color always",
    )
    .unwrap_or_default();
    assert!(forced.contains('\x1b'), "--color always: {forced:?}");
}
