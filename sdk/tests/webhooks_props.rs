//! Properties of webhook signing: whatever the id, timestamp and body, a
//! signed delivery verifies, and flipping any one bit of its signature makes
//! it fail.

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use letta::webhooks::{Signer, Verifier, WebhookError};
use proptest::prelude::*;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// Timestamps up to 2100-01-01, in Unix seconds.
const MAX_TIMESTAMP: u64 = 4_102_444_800;

fn verifier_at(timestamp: u64) -> Verifier {
    Verifier::new(SECRET)
        .expect("valid secret")
        .clock(move || UNIX_EPOCH + Duration::from_secs(timestamp))
}

fn pairs(id: &str, timestamp: u64, signature: &str) -> [(&'static str, String); 3] {
    [
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", signature.to_owned()),
    ]
}

proptest! {
    #[test]
    fn signed_delivery_verifies(
        id in "[!-~]{1,64}",
        timestamp in 0..MAX_TIMESTAMP,
        body in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let signed = Signer::new(SECRET)
            .expect("valid secret")
            .sign(&id, timestamp, &body)
            .expect("a visible ASCII id is valid");

        let verified = verifier_at(timestamp).verify_raw(&signed.to_pairs(), &body);
        prop_assert_eq!(verified.ok(), Some(body.as_slice()));
    }

    #[test]
    fn any_flipped_signature_bit_fails(
        id in "[!-~]{1,64}",
        timestamp in 0..MAX_TIMESTAMP,
        body in proptest::collection::vec(any::<u8>(), 0..512),
        bit in 0..256_usize,
    ) {
        let signed = Signer::new(SECRET)
            .expect("valid secret")
            .sign(&id, timestamp, &body)
            .expect("a visible ASCII id is valid");
        let encoded = signed.signature.strip_prefix("v1,").expect("a v1 signature");
        let mut digest = STANDARD.decode(encoded).expect("base64 signature");
        digest[bit / 8] ^= 1 << (bit % 8);
        let flipped = format!("v1,{}", STANDARD.encode(&digest));

        let result = verifier_at(timestamp).verify_raw(&pairs(&id, timestamp, &flipped), &body);
        prop_assert!(matches!(result, Err(WebhookError::SignatureMismatch)), "{:?}", result);
    }

    #[test]
    fn any_flipped_header_bit_fails(
        id in "[!-~]{1,64}",
        timestamp in 0..MAX_TIMESTAMP,
        body in proptest::collection::vec(any::<u8>(), 0..512),
        position in 3..47_usize,
        bit in 0..7_u8,
    ) {
        let signed = Signer::new(SECRET)
            .expect("valid secret")
            .sign(&id, timestamp, &body)
            .expect("a visible ASCII id is valid");
        // Flip one of the 7 low bits of one base64 character, after `v1,`:
        // the text stays ASCII, as it would in a header.
        let mut header = signed.signature.into_bytes();
        prop_assert_eq!(header.len(), 47);
        header[position] ^= 1 << bit;

        let timestamp_text = timestamp.to_string();
        let pairs: [(&str, &[u8]); 3] = [
            ("webhook-id", id.as_bytes()),
            ("webhook-timestamp", timestamp_text.as_bytes()),
            ("webhook-signature", &header),
        ];
        let result = verifier_at(timestamp).verify_raw(&pairs, &body);
        prop_assert!(result.is_err(), "flipped bit {} of byte {} was accepted", bit, position);
    }
}
