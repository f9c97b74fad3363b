//! Errors from building a webhook verifier or signer and from verifying a
//! delivery.

use std::time::Duration;

/// Everything that can go wrong when building a [`Verifier`](super::Verifier)
/// or [`Signer`](super::Signer), or when verifying a delivery.
///
/// A receiver should respond to any of the delivery variants with a `4xx`
/// and drop the body, because it was not proven to come from the sender.
/// [`is_signature_error`](Self::is_signature_error) groups the variants that
/// mean "the signature did not prove the body".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent.
    #[error("missing `{name}` header")]
    MissingHeader {
        /// The lowercase header name, such as `webhook-id`.
        name: &'static str,
    },

    /// A header is present but its value is not usable text.
    #[error("invalid `{name}` header: {reason}")]
    InvalidHeader {
        /// The lowercase header name.
        name: &'static str,
        /// The problem with the value.
        reason: &'static str,
    },

    /// `webhook-timestamp` is not a whole number of Unix seconds.
    #[error("invalid `webhook-timestamp` header `{value}`: expected Unix seconds (ASCII digits)")]
    InvalidTimestamp {
        /// The header value, cut to at most 32 characters.
        value: String,
    },

    /// `webhook-timestamp` is further in the past than the tolerance allows,
    /// so the delivery may be a replay.
    #[error(
        "webhook timestamp {timestamp} is {}s before the current time {now}, beyond the tolerance of {}s; \
         check the receiver's clock",
        seconds_between(.timestamp, .now),
        .tolerance.as_secs()
    )]
    TimestampTooOld {
        /// The header's Unix seconds.
        timestamp: u64,
        /// The verifier clock's Unix seconds.
        now: u64,
        /// The configured tolerance.
        tolerance: Duration,
    },

    /// `webhook-timestamp` is further in the future than the tolerance
    /// allows.
    #[error(
        "webhook timestamp {timestamp} is {}s after the current time {now}, beyond the tolerance of {}s; \
         check the sender's and the receiver's clocks",
        seconds_between(.now, .timestamp),
        .tolerance.as_secs()
    )]
    TimestampTooNew {
        /// The header's Unix seconds.
        timestamp: u64,
        /// The verifier clock's Unix seconds.
        now: u64,
        /// The configured tolerance.
        tolerance: Duration,
    },

    /// `webhook-signature` contains only entries of versions this verifier does
    /// not support (anything but `v1`).
    #[error("no supported signature in `webhook-signature`: expected a `v1,` entry")]
    NoSupportedSignature,

    /// `webhook-signature` contains no well-formed `v1` entry.
    #[error("invalid webhook signature: {0}")]
    InvalidSignature(SignatureProblem),

    /// Every well-formed `v1` signature differs from the one each secret
    /// gives for this id, timestamp and body.
    #[error(
        "webhook signature does not match; check that the secret is the endpoint's current one \
         and that the body is verified as the raw bytes received"
    )]
    SignatureMismatch,

    /// A secret given to a verifier or signer is malformed. The message never
    /// contains the secret.
    #[error("invalid webhook secret: {reason}")]
    InvalidSecret {
        /// The problem with the secret.
        reason: &'static str,
    },

    /// A verifier or signer was built from an empty list of secrets.
    #[error("no webhook secret given: pass at least one `whsec_` secret")]
    NoSecrets,

    /// A message id given to the signer cannot be sent as the `webhook-id`
    /// header.
    #[error("invalid webhook id: {reason}")]
    InvalidMessageId {
        /// The problem with the id.
        reason: &'static str,
    },

    /// The signature is valid, but the body is not the expected JSON.
    #[error("invalid webhook payload at `{path}`")]
    InvalidPayload {
        /// The path inside the JSON document where decoding failed, such as
        /// `data.total`; `.` for the document itself.
        path: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
}

impl WebhookError {
    /// Returns true when the signature header did not prove the body:
    /// [`NoSupportedSignature`](Self::NoSupportedSignature),
    /// [`InvalidSignature`](Self::InvalidSignature) or
    /// [`SignatureMismatch`](Self::SignatureMismatch).
    pub fn is_signature_error(&self) -> bool {
        matches!(
            self,
            Self::NoSupportedSignature | Self::InvalidSignature(_) | Self::SignatureMismatch
        )
    }

    /// Returns true when the timestamp is outside the tolerance.
    pub fn is_timestamp_out_of_tolerance(&self) -> bool {
        matches!(
            self,
            Self::TimestampTooOld { .. } | Self::TimestampTooNew { .. }
        )
    }
}

/// Returns `later - earlier` in seconds, or 0 when `later` is the earlier.
fn seconds_between(earlier: &u64, later: &u64) -> u64 {
    later.saturating_sub(*earlier)
}

/// The reason `webhook-signature` contains no well-formed `v1` entry.
///
/// Entries of other versions are skipped. The verifier reports the first
/// problem it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureProblem {
    /// An entry has no `,` between its version and its signature.
    #[error("an entry has no `,` between version and signature")]
    MissingComma,

    /// A `v1,` entry has nothing after the comma.
    #[error("a `v1,` entry is empty")]
    EmptySignature,

    /// A `v1` signature is not valid padded base64.
    #[error("a `v1` signature is not valid base64")]
    InvalidBase64,

    /// A `v1` signature decodes to a length other than the 32 bytes of an
    /// HMAC-SHA256 digest, for example a truncated or hex-encoded one.
    #[error("a `v1` signature decodes to {len} bytes; an HMAC-SHA256 signature has 32")]
    WrongLength {
        /// The decoded length in bytes.
        len: usize,
    },
}
