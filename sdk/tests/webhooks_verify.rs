//! Webhook verification: the Standard Webhooks test vector, raw-body
//! handling, malformed signature headers, secret rotation, timestamp
//! tolerance and header lookup.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue};
use letta::types::{EventData, EventType};
use letta::webhooks::{SignatureProblem, SignedHeaders, Signer, Verifier, WebhookError};

/// The published Standard Webhooks test vector.
const VECTOR_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const VECTOR_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const VECTOR_TIMESTAMP: u64 = 1_614_265_330;
const VECTOR_BODY: &[u8] = br#"{"test": 2432232314}"#;
const VECTOR_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

/// A body whose bytes any JSON re-encoding would change: two spaces, a
/// `\u` escape, an escaped slash and `1.0`.
const RAW_BODY: &[u8] =
    br#"{"type":"order.created",  "data":{"name":"Caf\u00e9","qty":1.0,"path":"a\/b"}}"#;

const OTHER_SECRET: &str = "whsec_c2VjcmV0IGtleSBmb3IgdGhlIG90aGVyIGVuZHBvaW50";

fn clock_at(seconds: u64) -> impl Fn() -> SystemTime + Send + Sync + 'static {
    move || UNIX_EPOCH + Duration::from_secs(seconds)
}

fn verifier_at(secret: &str, seconds: u64) -> Verifier {
    Verifier::new(secret)
        .expect("valid secret")
        .clock(clock_at(seconds))
}

fn headers(id: &str, timestamp: u64, signature: &str) -> [(&'static str, String); 3] {
    [
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature.to_owned()),
    ]
}

fn vector_headers(signature: &str) -> [(&'static str, String); 3] {
    headers(VECTOR_ID, VECTOR_TIMESTAMP, signature)
}

/// Returns the base64 part of the vector's right signature.
fn vector_base64() -> &'static str {
    VECTOR_SIGNATURE
        .strip_prefix("v1,")
        .expect("the vector is a v1 signature")
}

fn vector_digest() -> Vec<u8> {
    STANDARD
        .decode(vector_base64())
        .expect("the vector is base64")
}

fn verify_vector(signature: &str) -> Result<&'static [u8], WebhookError> {
    verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&vector_headers(signature), VECTOR_BODY)
}

/// Signs `RAW_BODY` with the vector's secret and timestamp.
fn sign_raw_body() -> SignedHeaders {
    Signer::new(VECTOR_SECRET)
        .expect("valid secret")
        .sign("evt_0000002A9C4XR7TB", VECTOR_TIMESTAMP, RAW_BODY)
        .expect("valid id")
}

#[test]
fn published_vector_verifies() {
    let body = verify_vector(VECTOR_SIGNATURE).expect("the published vector verifies");
    assert_eq!(body, VECTOR_BODY);
}

#[test]
fn signer_reproduces_published_vector() {
    let signed = Signer::new(VECTOR_SECRET)
        .expect("valid secret")
        .sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        .expect("valid id");
    assert_eq!(signed.signature, VECTOR_SIGNATURE);
}

#[test]
fn published_vector_verifies_bare_secret() {
    let secret = VECTOR_SECRET
        .strip_prefix("whsec_")
        .expect("prefixed secret");
    let verifier = verifier_at(secret, VECTOR_TIMESTAMP);
    let result = verifier.verify_raw(&vector_headers(VECTOR_SIGNATURE), VECTOR_BODY);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn raw_body_with_escapes_verifies_byte_for_byte() {
    let signed = sign_raw_body();
    let verifier = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP);
    let pairs = signed.to_pairs();

    let body = verifier
        .verify_raw(&pairs, RAW_BODY)
        .expect("the exact bytes verify");
    assert_eq!(body, RAW_BODY);

    let value: serde_json::Value = verifier
        .verify_json(&pairs, RAW_BODY)
        .expect("the exact bytes verify and parse");
    assert_eq!(value["data"]["name"], "Café");
    assert_eq!(value["data"]["path"], "a/b");
}

#[test]
fn raw_body_any_single_byte_change_is_rejected() {
    let signed = sign_raw_body();
    let verifier = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP);
    let pairs = signed.to_pairs();

    for position in 0..RAW_BODY.len() {
        for mask in [0x01_u8, 0x20, 0x80, 0xff] {
            let mut changed = RAW_BODY.to_vec();
            changed[position] ^= mask;
            let result = verifier.verify_raw(&pairs, &changed);
            assert!(
                matches!(result, Err(WebhookError::SignatureMismatch)),
                "byte {position} xor {mask:#04x}: {result:?}"
            );
        }
    }
}

#[test]
fn raw_body_truncated_or_extended_is_rejected() {
    let signed = sign_raw_body();
    let verifier = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP);
    let pairs = signed.to_pairs();

    let truncated = &RAW_BODY[..RAW_BODY.len() - 1];
    let mut with_newline = RAW_BODY.to_vec();
    with_newline.push(b'\n');

    let result = verifier.verify_raw(&pairs, truncated);
    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
    let result = verifier.verify_raw(&pairs, &with_newline);
    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
}

#[test]
fn raw_body_reencoded_json_is_rejected() {
    let signed = sign_raw_body();
    let value: serde_json::Value = serde_json::from_slice(RAW_BODY).expect("valid JSON");
    let reencoded = serde_json::to_vec(&value).expect("encodes");
    assert_ne!(reencoded, RAW_BODY);

    let result =
        verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&signed.to_pairs(), &reencoded);
    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
}

#[test]
fn mixed_entries_accept_the_valid_one() {
    let wrong = Signer::new(OTHER_SECRET)
        .expect("valid secret")
        .sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        .expect("valid id")
        .signature;
    let headers = [
        format!("{wrong} {VECTOR_SIGNATURE} v2,anything"),
        format!("v1,bad {VECTOR_SIGNATURE} v2,anything"),
        format!("v1, {VECTOR_SIGNATURE}"),
        format!("nocomma {VECTOR_SIGNATURE}"),
        format!("v2,{} {VECTOR_SIGNATURE}", vector_base64()),
        format!("  {VECTOR_SIGNATURE}  "),
    ];

    for header in headers {
        let result = verify_vector(&header);
        assert!(result.is_ok(), "{header:?}: {result:?}");
    }
}

#[test]
fn only_v2_entries_have_no_supported_signature() {
    for header in [
        format!("v2,{}", vector_base64()),
        "v2,abc v2,def".to_owned(),
        format!("v1a,{}", vector_base64()),
        format!("V1,{}", vector_base64()),
    ] {
        let result = verify_vector(&header);
        assert!(
            matches!(result, Err(WebhookError::NoSupportedSignature)),
            "{header:?}: {result:?}"
        );
    }
}

#[test]
fn hex_encoded_digest_is_rejected() {
    let hex: String = vector_digest()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();

    let result = verify_vector(&format!("v1,{hex}"));
    assert!(
        matches!(
            result,
            Err(WebhookError::InvalidSignature(
                SignatureProblem::WrongLength { len: 48 }
            ))
        ),
        "{result:?}"
    );
}

#[test]
fn empty_v1_entry_is_invalid() {
    let result = verify_vector("v1,");
    assert!(
        matches!(
            result,
            Err(WebhookError::InvalidSignature(
                SignatureProblem::EmptySignature
            ))
        ),
        "{result:?}"
    );
}

#[test]
fn every_prefix_of_the_signature_is_invalid() {
    let encoded = vector_base64();
    for len in 0..encoded.len() {
        let header = format!("v1,{}", &encoded[..len]);
        let result = verify_vector(&header);
        assert!(
            matches!(result, Err(WebhookError::InvalidSignature(_))),
            "{header:?}: {result:?}"
        );
    }
}

#[test]
fn truncated_digest_is_invalid() {
    for len in [0, 1, 16, 31] {
        let header = format!("v1,{}", STANDARD.encode(&vector_digest()[..len]));
        let result = verify_vector(&header);
        assert!(
            matches!(result, Err(WebhookError::InvalidSignature(_))),
            "{len} bytes: {result:?}"
        );
    }
}

#[test]
fn overlong_digest_is_invalid() {
    let mut digest = vector_digest();
    digest.push(0);
    let result = verify_vector(&format!("v1,{}", STANDARD.encode(&digest)));
    assert!(
        matches!(
            result,
            Err(WebhookError::InvalidSignature(
                SignatureProblem::WrongLength { len: 33 }
            ))
        ),
        "{result:?}"
    );
}

#[test]
fn bad_base64_is_invalid() {
    for encoded in [
        "!!!!",
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
        "g0hM-SsE",
    ] {
        let result = verify_vector(&format!("v1,{encoded}"));
        assert!(
            matches!(
                result,
                Err(WebhookError::InvalidSignature(
                    SignatureProblem::InvalidBase64
                ))
            ),
            "{encoded:?}: {result:?}"
        );
    }
}

#[test]
fn entry_without_comma_is_invalid() {
    let result = verify_vector(&format!("v1{}", vector_base64()));
    assert!(
        matches!(
            result,
            Err(WebhookError::InvalidSignature(
                SignatureProblem::MissingComma
            ))
        ),
        "{result:?}"
    );
}

#[test]
fn well_formed_wrong_signature_is_a_mismatch() {
    let wrong = STANDARD.encode([0_u8; 32]);
    let result = verify_vector(&format!("v1, v1,{wrong} v2,x"));
    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
}

#[test]
fn malformed_signature_errors_are_signature_errors() {
    for header in ["v1,", "v1,!!!!", "v1", "v2,x", "v1,AAAA"] {
        let error = verify_vector(header).expect_err("malformed header");
        assert!(error.is_signature_error(), "{header:?}: {error:?}");
        assert!(
            !error.to_string().is_empty(),
            "{header:?} has an empty message"
        );
    }
}

#[test]
fn two_secret_verifier_accepts_either() {
    let new_secret = OTHER_SECRET;
    let old_secret = VECTOR_SECRET;
    let verifier = Verifier::with_secrets([new_secret, old_secret])
        .expect("valid secrets")
        .clock(clock_at(VECTOR_TIMESTAMP));

    for secret in [new_secret, old_secret] {
        let signed = Signer::new(secret)
            .expect("valid secret")
            .sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
            .expect("valid id");
        let result = verifier.verify_raw(&signed.to_pairs(), VECTOR_BODY);
        assert!(result.is_ok(), "signed with {secret}: {result:?}");
    }

    let stranger = Signer::new("whsec_dGhpcmQgc2VjcmV0")
        .expect("valid secret")
        .sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        .expect("valid id");
    let result = verifier.verify_raw(&stranger.to_pairs(), VECTOR_BODY);
    assert!(
        matches!(result, Err(WebhookError::SignatureMismatch)),
        "{result:?}"
    );
}

#[test]
fn rotating_signer_verifies_with_either_secret() {
    let signed = Signer::with_secrets([OTHER_SECRET, VECTOR_SECRET])
        .expect("valid secrets")
        .sign(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
        .expect("valid id");
    assert_eq!(signed.signature.split(' ').count(), 2);

    for secret in [OTHER_SECRET, VECTOR_SECRET] {
        let result =
            verifier_at(secret, VECTOR_TIMESTAMP).verify_raw(&signed.to_pairs(), VECTOR_BODY);
        assert!(result.is_ok(), "verified with {secret}: {result:?}");
    }
}

#[test]
fn tolerance_edges_default_five_minutes() {
    let pairs = vector_headers(VECTOR_SIGNATURE);
    let check = |now: u64| verifier_at(VECTOR_SECRET, now).verify_raw(&pairs, VECTOR_BODY);

    assert!(check(VECTOR_TIMESTAMP + 300).is_ok());
    assert!(check(VECTOR_TIMESTAMP - 300).is_ok());

    let too_old = check(VECTOR_TIMESTAMP + 301);
    assert!(
        matches!(too_old, Err(WebhookError::TimestampTooOld { .. })),
        "{too_old:?}"
    );
    let too_new = check(VECTOR_TIMESTAMP - 301);
    assert!(
        matches!(too_new, Err(WebhookError::TimestampTooNew { .. })),
        "{too_new:?}"
    );
}

#[test]
fn tolerance_is_configurable() {
    let pairs = vector_headers(VECTOR_SIGNATURE);
    let check = |tolerance: u64, now: u64| {
        verifier_at(VECTOR_SECRET, now)
            .tolerance(Duration::from_secs(tolerance))
            .verify_raw(&pairs, VECTOR_BODY)
    };

    assert!(check(10, VECTOR_TIMESTAMP + 10).is_ok());
    assert!(check(10, VECTOR_TIMESTAMP + 11).is_err());
    assert!(check(0, VECTOR_TIMESTAMP).is_ok());
    assert!(check(0, VECTOR_TIMESTAMP + 1).is_err());
    assert!(check(0, VECTOR_TIMESTAMP - 1).is_err());
    assert!(check(3600, VECTOR_TIMESTAMP + 3600).is_ok());
}

#[test]
fn too_old_error_names_the_times() {
    let error = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP + 400)
        .verify_raw(&vector_headers(VECTOR_SIGNATURE), VECTOR_BODY)
        .expect_err("too old");
    let message = error.to_string();
    assert!(error.is_timestamp_out_of_tolerance());
    assert!(message.contains("1614265330"), "{message}");
    assert!(message.contains("400s"), "{message}");
    assert!(message.contains("300s"), "{message}");
}

#[test]
fn timestamp_is_checked_before_the_signature() {
    let result = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP + 301)
        .verify_raw(&vector_headers("v1,AAAA"), VECTOR_BODY);
    assert!(
        matches!(result, Err(WebhookError::TimestampTooOld { .. })),
        "{result:?}"
    );
}

#[test]
fn default_tolerance_uses_the_system_clock() {
    let signed = Signer::new(VECTOR_SECRET)
        .expect("valid secret")
        .sign_now(VECTOR_ID, VECTOR_BODY)
        .expect("valid id");
    let verifier = Verifier::new(VECTOR_SECRET).expect("valid secret");

    let result = verifier.verify_raw(&signed.to_pairs(), VECTOR_BODY);
    assert!(result.is_ok(), "{result:?}");

    let result = verifier.verify_raw(&vector_headers(VECTOR_SIGNATURE), VECTOR_BODY);
    assert!(
        matches!(result, Err(WebhookError::TimestampTooOld { .. })),
        "a 2021 timestamp is too old today: {result:?}"
    );
}

#[test]
fn invalid_timestamps_are_rejected() {
    for timestamp in [
        "abc",
        "1614265330.0",
        "-1614265330",
        "+1614265330",
        "1 614 265 330",
    ] {
        let pairs = [
            ("webhook-id", VECTOR_ID),
            ("webhook-timestamp", timestamp),
            ("webhook-signature", VECTOR_SIGNATURE),
        ];
        let result = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&pairs, VECTOR_BODY);
        assert!(
            matches!(result, Err(WebhookError::InvalidTimestamp { .. })),
            "{timestamp:?}: {result:?}"
        );
    }
}

#[test]
fn header_names_match_ignoring_case_in_pairs() {
    let pairs = vec![
        ("Webhook-Id".to_owned(), VECTOR_ID.to_owned()),
        ("WEBHOOK-TIMESTAMP".to_owned(), VECTOR_TIMESTAMP.to_string()),
        ("Webhook-Signature".to_owned(), VECTOR_SIGNATURE.to_owned()),
    ];
    let result = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&pairs, VECTOR_BODY);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn header_names_match_ignoring_case_in_header_map() {
    let mut map = HeaderMap::new();
    for (name, value) in vector_headers(VECTOR_SIGNATURE) {
        let name = HeaderName::from_bytes(name.to_uppercase().as_bytes()).expect("valid name");
        map.insert(name, HeaderValue::try_from(value).expect("valid value"));
    }
    let result = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&map, VECTOR_BODY);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn byte_values_in_pairs_are_accepted() {
    let timestamp = VECTOR_TIMESTAMP.to_string();
    let pairs: [(&str, &[u8]); 3] = [
        ("webhook-id", VECTOR_ID.as_bytes()),
        ("webhook-timestamp", timestamp.as_bytes()),
        ("webhook-signature", VECTOR_SIGNATURE.as_bytes()),
    ];
    let result = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&pairs, VECTOR_BODY);
    assert!(result.is_ok(), "{result:?}");
}

#[test]
fn missing_or_empty_headers_are_named() {
    for missing in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let without: Vec<(&str, String)> = vector_headers(VECTOR_SIGNATURE)
            .into_iter()
            .filter(|(name, _)| *name != missing)
            .collect();
        let emptied: Vec<(&str, String)> = vector_headers(VECTOR_SIGNATURE)
            .into_iter()
            .map(|(name, value)| {
                if name == missing {
                    (name, "  ".to_owned())
                } else {
                    (name, value)
                }
            })
            .collect();

        for pairs in [without, emptied] {
            let error = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP)
                .verify_raw(&pairs, VECTOR_BODY)
                .expect_err("a header is missing");
            assert!(
                matches!(error, WebhookError::MissingHeader { name } if name == missing),
                "{missing}: {error:?}"
            );
            assert_eq!(error.to_string(), format!("missing `{missing}` header"));
        }
    }
}

#[test]
fn non_utf8_header_is_invalid() {
    let pairs: [(&str, &[u8]); 3] = [
        ("webhook-id", b"msg_\xff"),
        ("webhook-timestamp", b"1614265330"),
        ("webhook-signature", VECTOR_SIGNATURE.as_bytes()),
    ];
    let result = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP).verify_raw(&pairs, VECTOR_BODY);
    assert!(
        matches!(
            result,
            Err(WebhookError::InvalidHeader {
                name: "webhook-id",
                ..
            })
        ),
        "{result:?}"
    );
}

#[test]
fn signed_event_decodes_typed() {
    let body = br#"{"id":"evt_0000002A9C4XR7TB","type":"webhook.test","created_at":"2026-01-01T00:00:00Z","data":{"webhook_id":"whk_0000000A1B2C3D4E"}}"#;
    let signed = Signer::new(VECTOR_SECRET)
        .expect("valid secret")
        .sign("evt_0000002A9C4XR7TB", VECTOR_TIMESTAMP, body)
        .expect("valid id");

    let event = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP)
        .verify(&signed.to_header_map(), body)
        .expect("a signed event verifies");
    assert_eq!(event.id, "evt_0000002A9C4XR7TB");
    assert_eq!(event.event_type, EventType::WebhookTest);
    let EventData::WebhookTest(data) = &event.data else {
        panic!("expected webhook test data, got {:?}", event.data);
    };
    assert_eq!(data.webhook_id, "whk_0000000A1B2C3D4E");
}

#[test]
fn unknown_event_type_decodes_as_unknown() {
    let body = br#"{"id":"evt_0000002A9C4XR7TB","type":"plant.repotted","created_at":"2026-01-01T00:00:00Z","data":{"pot":"clay"}}"#;
    let signed = Signer::new(VECTOR_SECRET)
        .expect("valid secret")
        .sign("evt_0000002A9C4XR7TB", VECTOR_TIMESTAMP, body)
        .expect("valid id");

    let event = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP)
        .verify(&signed.to_pairs(), body)
        .expect("an unknown type still verifies");
    assert_eq!(
        event.event_type,
        EventType::Unknown("plant.repotted".into())
    );
    assert_eq!(
        event.data,
        EventData::Unknown(serde_json::json!({"pot": "clay"}))
    );
}

#[test]
fn non_event_body_is_invalid_payload() {
    let signed = sign_raw_body();

    let error = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP)
        .verify(&signed.to_pairs(), RAW_BODY)
        .expect_err("no id or created_at");
    assert!(
        matches!(error, WebhookError::InvalidPayload { .. }),
        "{error:?}"
    );
    assert!(!error.is_signature_error());
}

#[test]
fn verify_does_not_parse_an_unverified_body() {
    let error = verifier_at(VECTOR_SECRET, VECTOR_TIMESTAMP)
        .verify(&vector_headers(VECTOR_SIGNATURE), b"not json")
        .expect_err("bad signature");
    assert!(
        matches!(error, WebhookError::SignatureMismatch),
        "{error:?}"
    );
}
