//! Interoperability with the reference Python implementation of Standard
//! Webhooks (`standardwebhooks` from PyPI, version pinned in
//! scripts/install-test-tools): Python verifies what the SDK signs, and the
//! SDK verifies what Python signs.
//!
//! The package lives in the git-ignored `.tools/py` folder, which
//! scripts/install-test-tools fills. Without it these tests fail with a
//! message naming that script.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use letta::webhooks::{Signer, Verifier};
use serde_json::{Value, json};

const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_SECRET: &str = "whsec_c2VjcmV0IGtleSBmb3IgdGhlIG90aGVyIGVuZHBvaW50";
const RAW_BODY: &[u8] =
    br#"{"type":"order.created",  "data":{"name":"Caf\u00e9","qty":1.0,"path":"a\/b"}}"#;

/// Reads `{"cases": [{"name", "secret", "body", "headers"}]}` from stdin,
/// with bodies in base64, and prints whether `Webhook.verify` accepts each.
const PYTHON_VERIFY: &str = r#"
import base64, json, sys
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

results = {}
for case in json.load(sys.stdin)["cases"]:
    body = base64.b64decode(case["body"])
    try:
        Webhook(case["secret"]).verify(body, case["headers"], json_parse=False)
        results[case["name"]] = "accepted"
    except WebhookVerificationError as error:
        results[case["name"]] = "rejected: " + str(error)
json.dump(results, sys.stdout)
"#;

/// Reads `{"cases": [{"name", "secret", "id", "timestamp", "body"}]}` from
/// stdin, with bodies in base64, and prints `Webhook.sign` for each.
const PYTHON_SIGN: &str = r#"
import base64, json, sys
from datetime import datetime, timezone
from standardwebhooks.webhooks import Webhook

results = {}
for case in json.load(sys.stdin)["cases"]:
    sent_at = datetime.fromtimestamp(case["timestamp"], tz=timezone.utc)
    body = base64.b64decode(case["body"])
    results[case["name"]] = Webhook(case["secret"]).sign(case["id"], sent_at, body)
json.dump(results, sys.stdout)
"#;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the sdk package sits one folder below the repository root")
        .to_path_buf()
}

/// Returns the folder holding the Python package, failing the test with the
/// fix when it is not installed.
fn python_path() -> PathBuf {
    let folder = repo_root().join(".tools").join("py");
    assert!(
        folder
            .join("standardwebhooks")
            .join("webhooks.py")
            .is_file(),
        "the Python package `standardwebhooks` is not installed in {}; \
         run scripts/install-test-tools (scripts/test runs it before cargo test)",
        folder.display()
    );
    folder
}

/// Runs a Python script with the package on its path, feeds it `input` as
/// JSON and returns the JSON object it prints.
fn run_python(script: &str, input: &Value) -> Value {
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", python_path())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 starts; install Python 3.10 or newer");

    let mut stdin = child.stdin.take().expect("stdin is piped");
    stdin
        .write_all(input.to_string().as_bytes())
        .expect("writes the cases to python3");
    drop(stdin);

    let output = child.wait_with_output().expect("python3 finishes");
    assert!(
        output.status.success(),
        "python3 failed with {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("python3 prints a JSON object")
}

/// Returns a body that is not UTF-8, to show that both sides sign bytes, not
/// text.
fn binary_body() -> Vec<u8> {
    (0..=255).rev().collect()
}

struct SignedCase {
    name: &'static str,
    /// The secret Python verifies with.
    secret: &'static str,
    body: Vec<u8>,
    headers: [(&'static str, String); 3],
}

fn case_json(case: &SignedCase) -> Value {
    let headers: serde_json::Map<String, Value> = case
        .headers
        .iter()
        .map(|(name, value)| ((*name).to_owned(), Value::from(value.as_str())))
        .collect();
    json!({
        "name": case.name,
        "secret": case.secret,
        "body": STANDARD.encode(&case.body),
        "headers": headers,
    })
}

#[test]
fn python_verifies_sdk_signatures() {
    let signer = Signer::new(VECTOR_SECRET).expect("valid secret");
    let rotating = Signer::with_secrets([OTHER_SECRET, VECTOR_SECRET]).expect("valid secrets");
    let sign = |signer: &Signer, id: &str, body: &[u8]| {
        signer.sign_now(id, body).expect("valid id").to_pairs()
    };

    let mut tampered = sign(&signer, "msg_tampered", RAW_BODY);
    tampered[0].1 = "msg_other".to_owned();

    let cases = [
        SignedCase {
            name: "json",
            secret: VECTOR_SECRET,
            body: br#"{"test": 2432232314}"#.to_vec(),
            headers: sign(
                &signer,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                br#"{"test": 2432232314}"#,
            ),
        },
        SignedCase {
            name: "raw escapes",
            secret: VECTOR_SECRET,
            body: RAW_BODY.to_vec(),
            headers: sign(&signer, "evt_0000002A9C4XR7TB", RAW_BODY),
        },
        SignedCase {
            name: "binary",
            secret: VECTOR_SECRET,
            body: binary_body(),
            headers: sign(&signer, "msg_binary", &binary_body()),
        },
        SignedCase {
            name: "empty",
            secret: VECTOR_SECRET,
            body: Vec::new(),
            headers: sign(&signer, "msg_empty", b""),
        },
        SignedCase {
            name: "rotation, old secret",
            secret: VECTOR_SECRET,
            body: RAW_BODY.to_vec(),
            headers: sign(&rotating, "msg_rotation", RAW_BODY),
        },
        SignedCase {
            name: "rotation, new secret",
            secret: OTHER_SECRET,
            body: RAW_BODY.to_vec(),
            headers: sign(&rotating, "msg_rotation", RAW_BODY),
        },
        SignedCase {
            name: "tampered id",
            secret: VECTOR_SECRET,
            body: RAW_BODY.to_vec(),
            headers: tampered,
        },
    ];
    let input = json!({ "cases": cases.iter().map(case_json).collect::<Vec<_>>() });

    let results = run_python(PYTHON_VERIFY, &input);

    for case in &cases[..6] {
        assert_eq!(
            results[case.name], "accepted",
            "python rejected the SDK's {:?} delivery",
            case.name
        );
    }
    let tampered = results["tampered id"].as_str().unwrap_or_default();
    assert!(
        tampered.starts_with("rejected"),
        "python accepted a tampered delivery: {tampered}"
    );
}

#[test]
fn sdk_verifies_python_signatures() {
    let bare_secret = VECTOR_SECRET
        .strip_prefix("whsec_")
        .expect("prefixed secret");
    let cases = [
        (
            "vector",
            VECTOR_SECRET,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#.to_vec(),
        ),
        (
            "raw escapes",
            VECTOR_SECRET,
            "evt_0000002A9C4XR7TB",
            1_767_225_600,
            RAW_BODY.to_vec(),
        ),
        (
            "binary",
            OTHER_SECRET,
            "msg_binary",
            1_767_225_601,
            binary_body(),
        ),
        ("empty", OTHER_SECRET, "msg_empty", 0, Vec::new()),
        (
            "bare secret",
            bare_secret,
            "msg_bare",
            4_102_444_799,
            RAW_BODY.to_vec(),
        ),
    ];
    let input = json!({
        "cases": cases
            .iter()
            .map(|(name, secret, id, timestamp, body)| json!({
                "name": name,
                "secret": secret,
                "id": id,
                "timestamp": timestamp,
                "body": STANDARD.encode(body),
            }))
            .collect::<Vec<_>>()
    });

    let signatures = run_python(PYTHON_SIGN, &input);

    assert_eq!(
        signatures["vector"], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "python does not reproduce the published vector"
    );
    for (name, secret, id, timestamp, body) in &cases {
        let signature = signatures[name]
            .as_str()
            .unwrap_or_else(|| panic!("python returned no signature for {name:?}"));
        let headers = [
            ("webhook-id", id.to_string()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature.to_owned()),
        ];
        let sent_at = *timestamp;
        let verifier = Verifier::new(secret)
            .expect("valid secret")
            .clock(move || UNIX_EPOCH + Duration::from_secs(sent_at));

        let result = verifier.verify_raw(&headers, body);
        assert!(
            result.is_ok(),
            "the SDK rejected python's {name:?} signature {signature}: {result:?}"
        );

        let ours = Signer::new(secret)
            .expect("valid secret")
            .sign(id, *timestamp, body)
            .expect("valid id");
        assert_eq!(ours.signature, signature, "signatures differ for {name:?}");
    }
}
