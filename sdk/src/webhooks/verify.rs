//! Verifying deliveries: timestamp tolerance and signature checks.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq as _;

use super::headers::{HeaderSource, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use super::secret::{SIGNATURE_LEN, SigningKey, decode_signature};
use super::{SignatureProblem, WebhookError};
use crate::types::Event;

/// How far `webhook-timestamp` may be from the verifier's clock, in either
/// direction, unless [`Verifier::tolerance`] sets another value.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The maximum number of characters of a rejected header value that an error
/// repeats.
const MAX_ECHOED_CHARS: usize = 32;

type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Checks that a delivery was signed by the API with an endpoint's secret,
/// recently, and over exactly the body received.
///
/// Build one per endpoint and share it, because it is cheap to clone and
/// keeps no per-request state. It follows the Standard Webhooks `v1` scheme,
/// so it also verifies other senders that use it.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use letta::webhooks::{Signer, Verifier};
///
/// let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// let body = br#"{"id":"evt_0000002A9C4XR7TB","type":"webhook.test","created_at":"2026-01-01T00:00:00Z","data":{"webhook_id":"whk_0000000A1B2C3D4E"}}"#;
/// let sent_at = 1_767_225_600; // 2026-01-01T00:00:00Z
/// let headers = Signer::new(secret)?.sign("evt_0000002A9C4XR7TB", sent_at, body)?;
///
/// // A test pins the clock; a receiver keeps the default system clock.
/// let verifier = Verifier::new(secret)?
///     .clock(move || UNIX_EPOCH + Duration::from_secs(sent_at + 60));
///
/// let event = verifier.verify(&headers.to_pairs(), body)?;
/// assert_eq!(event.id, "evt_0000002A9C4XR7TB");
/// assert_eq!(event.event_type, letta::types::EventType::WebhookTest);
///
/// // One changed byte and the delivery is rejected.
/// let mut forged = body.to_vec();
/// forged[10] ^= 1;
/// let error = verifier.verify(&headers.to_pairs(), &forged).unwrap_err();
/// assert!(error.is_signature_error());
/// # Ok::<(), letta::webhooks::WebhookError>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<SigningKey>,
    tolerance: Duration,
    clock: Clock,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// Creates a verifier for one secret: `whsec_` plus base64, or the base64
    /// alone, with [`DEFAULT_TOLERANCE`] and the system clock.
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidSecret`] when the secret is empty or not
    /// base64. The error never contains the secret.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Self::with_secrets([secret])
    }

    /// Creates a verifier that accepts a signature made with any of the
    /// secrets, for example the new and the old one during a rotation.
    ///
    /// # Errors
    ///
    /// [`WebhookError::NoSecrets`] for an empty list, and
    /// [`WebhookError::InvalidSecret`] for the first malformed secret.
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Ok(Self {
            keys: SigningKey::parse_all(secrets)?,
            tolerance: DEFAULT_TOLERANCE,
            clock: Arc::new(SystemTime::now),
        })
    }

    /// Sets how far `webhook-timestamp` may be from the clock, in either
    /// direction; a timestamp exactly at the limit is accepted. Counted in
    /// whole seconds, so a fraction of a second is dropped. Default:
    /// [`DEFAULT_TOLERANCE`], five minutes.
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Replaces the clock that timestamps are checked against. Default: the
    /// system clock. Tests pin it to the time a delivery was signed.
    #[must_use]
    pub fn clock<F>(mut self, clock: F) -> Self
    where
        F: Fn() -> SystemTime + Send + Sync + 'static,
    {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies a delivery and decodes its body as an [`Event`].
    ///
    /// Pass the body exactly as received, before any JSON parsing: the
    /// signature covers those bytes, and a re-encoded body does not verify.
    ///
    /// # Errors
    ///
    /// Any of the rejections of [`verify_raw`](Self::verify_raw), and
    /// [`WebhookError::InvalidPayload`] when the verified body is not an
    /// event.
    pub fn verify<H>(&self, headers: &H, body: &[u8]) -> Result<Event, WebhookError>
    where
        H: HeaderSource + ?Sized,
    {
        self.verify_json(headers, body)
    }

    /// Verifies a delivery and decodes its body as `T`, for a type of your
    /// own.
    ///
    /// # Errors
    ///
    /// Any of the rejections of [`verify_raw`](Self::verify_raw), and
    /// [`WebhookError::InvalidPayload`] when the verified body does not
    /// decode as `T`.
    pub fn verify_json<T, H>(&self, headers: &H, body: &[u8]) -> Result<T, WebhookError>
    where
        T: DeserializeOwned,
        H: HeaderSource + ?Sized,
    {
        let body = self.verify_raw(headers, body)?;
        decode_json(body)
    }

    /// Verifies a delivery and returns the body unchanged, for callers that
    /// parse it themselves.
    ///
    /// The checks run in this order: the three headers are present, the
    /// timestamp is Unix seconds within the tolerance, and a `v1` signature
    /// in `webhook-signature` matches one of the secrets. Entries of other
    /// versions are skipped. Signatures are compared in constant time, after
    /// checking that they have the length of an HMAC-SHA256 digest.
    ///
    /// # Errors
    ///
    /// - [`WebhookError::MissingHeader`] or [`WebhookError::InvalidHeader`]
    ///   when a header is absent, empty or not UTF-8.
    /// - [`WebhookError::InvalidTimestamp`],
    ///   [`WebhookError::TimestampTooOld`] or
    ///   [`WebhookError::TimestampTooNew`] for the timestamp.
    /// - [`WebhookError::SignatureMismatch`] when a well-formed `v1`
    ///   signature is present but none matches.
    /// - [`WebhookError::InvalidSignature`] when every `v1` entry is
    ///   malformed (empty, not base64, of the wrong length) or an entry has
    ///   no comma.
    /// - [`WebhookError::NoSupportedSignature`] when there are only entries
    ///   of other versions, such as `v1a` or `v2`.
    pub fn verify_raw<'b, H>(&self, headers: &H, body: &'b [u8]) -> Result<&'b [u8], WebhookError>
    where
        H: HeaderSource + ?Sized,
    {
        let id = read_header(headers, WEBHOOK_ID)?;
        let timestamp = parse_timestamp(read_header(headers, WEBHOOK_TIMESTAMP)?)?;
        let signatures = read_header(headers, WEBHOOK_SIGNATURE)?;

        self.check_timestamp(timestamp)?;
        self.check_signatures(id, timestamp, body, signatures)?;
        Ok(body)
    }

    fn check_timestamp(&self, timestamp: u64) -> Result<(), WebhookError> {
        let now = (self.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since_epoch| since_epoch.as_secs());
        let tolerance = self.tolerance.as_secs();

        if timestamp < now.saturating_sub(tolerance) {
            return Err(WebhookError::TimestampTooOld {
                timestamp,
                now,
                tolerance: self.tolerance,
            });
        }
        if timestamp > now.saturating_add(tolerance) {
            return Err(WebhookError::TimestampTooNew {
                timestamp,
                now,
                tolerance: self.tolerance,
            });
        }
        Ok(())
    }

    fn check_signatures(
        &self,
        id: &str,
        timestamp: u64,
        body: &[u8],
        header: &str,
    ) -> Result<(), WebhookError> {
        let expected: Vec<[u8; SIGNATURE_LEN]> = self
            .keys
            .iter()
            .map(|key| key.digest(id, timestamp, body))
            .collect();

        let mut first_problem = None;
        let mut compared_any = false;
        for entry in header.split(' ').filter(|entry| !entry.is_empty()) {
            let signature = match parse_entry(entry) {
                Entry::V1(signature) => signature,
                Entry::OtherVersion => continue,
                Entry::Malformed(problem) => {
                    first_problem.get_or_insert(problem);
                    continue;
                }
            };

            compared_any = true;
            // `ct_eq` on slices is constant-time for equal lengths, and
            // `parse_entry` only returns signatures of the digest's length.
            if expected
                .iter()
                .any(|digest| bool::from(digest.as_slice().ct_eq(&signature)))
            {
                return Ok(());
            }
        }

        if compared_any {
            Err(WebhookError::SignatureMismatch)
        } else if let Some(problem) = first_problem {
            Err(WebhookError::InvalidSignature(problem))
        } else {
            Err(WebhookError::NoSupportedSignature)
        }
    }
}

/// One space-separated entry of `webhook-signature`.
enum Entry {
    /// A `v1` signature of the length of an HMAC-SHA256 digest.
    V1(Vec<u8>),
    /// An entry of a version this verifier does not support.
    OtherVersion,
    /// An entry that cannot be a signature.
    Malformed(SignatureProblem),
}

fn parse_entry(entry: &str) -> Entry {
    let Some((version, encoded)) = entry.split_once(',') else {
        return Entry::Malformed(SignatureProblem::MissingComma);
    };
    if version != "v1" {
        return Entry::OtherVersion;
    }
    if encoded.is_empty() {
        return Entry::Malformed(SignatureProblem::EmptySignature);
    }

    let Ok(signature) = decode_signature(encoded) else {
        return Entry::Malformed(SignatureProblem::InvalidBase64);
    };
    if signature.len() != SIGNATURE_LEN {
        return Entry::Malformed(SignatureProblem::WrongLength {
            len: signature.len(),
        });
    }
    Entry::V1(signature)
}

/// Reads a header as text without surrounding whitespace. An empty value
/// counts as missing.
fn read_header<'h, H>(headers: &'h H, name: &'static str) -> Result<&'h str, WebhookError>
where
    H: HeaderSource + ?Sized,
{
    let bytes = headers
        .header(name)
        .ok_or(WebhookError::MissingHeader { name })?;
    let text = std::str::from_utf8(bytes).map_err(|_| WebhookError::InvalidHeader {
        name,
        reason: "the value is not valid UTF-8",
    })?;

    let text = text.trim();
    if text.is_empty() {
        return Err(WebhookError::MissingHeader { name });
    }
    Ok(text)
}

/// Parses Unix seconds written as ASCII digits, without a sign or fraction.
fn parse_timestamp(text: &str) -> Result<u64, WebhookError> {
    let invalid = || WebhookError::InvalidTimestamp {
        value: text.chars().take(MAX_ECHOED_CHARS).collect(),
    };
    if !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(invalid());
    }
    text.parse().map_err(|_| invalid())
}

fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebhookError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        WebhookError::InvalidPayload {
            path: error.path().to_string(),
            source: error.into_inner(),
        }
    })?;
    deserializer
        .end()
        .map_err(|source| WebhookError::InvalidPayload {
            path: ".".to_owned(),
            source,
        })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_rejects_signs_fractions_and_overflow() {
        for text in [
            "+1614265330",
            "-1",
            "1614265330.5",
            "1e9",
            "0x10",
            "18446744073709551616",
        ] {
            let error = parse_timestamp(text).expect_err("not Unix seconds");
            assert!(
                matches!(error, WebhookError::InvalidTimestamp { .. }),
                "{text}: {error:?}"
            );
        }
    }

    #[test]
    fn timestamp_error_cuts_long_values() {
        let long = "9".repeat(40) + "x";
        let WebhookError::InvalidTimestamp { value } = parse_timestamp(&long).expect_err("invalid")
        else {
            panic!("expected an invalid timestamp");
        };
        assert_eq!(value.len(), MAX_ECHOED_CHARS);
    }

    #[test]
    fn entries_are_classified() {
        assert!(matches!(
            parse_entry("v1"),
            Entry::Malformed(SignatureProblem::MissingComma)
        ));
        assert!(matches!(
            parse_entry("v1,"),
            Entry::Malformed(SignatureProblem::EmptySignature)
        ));
        assert!(matches!(
            parse_entry("v1,***"),
            Entry::Malformed(SignatureProblem::InvalidBase64)
        ));
        assert!(matches!(
            parse_entry("v1,AAAA"),
            Entry::Malformed(SignatureProblem::WrongLength { len: 3 })
        ));
        assert!(matches!(parse_entry("v2,AAAA"), Entry::OtherVersion));
        assert!(matches!(parse_entry("v1a,AAAA"), Entry::OtherVersion));
        assert!(matches!(
            parse_entry("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
            Entry::V1(_)
        ));
    }

    #[test]
    fn payload_with_trailing_data_is_invalid() {
        let error = decode_json::<serde_json::Value>(b"{} {}").expect_err("two documents");
        assert!(
            matches!(error, WebhookError::InvalidPayload { .. }),
            "{error:?}"
        );
    }
}
