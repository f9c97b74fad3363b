//! Signing secrets: parsing `whsec_` strings and computing signatures.

use base64::Engine as _;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use hmac::{KeyInit as _, Mac as _};

use super::WebhookError;

/// The prefix of the secrets the API hands out.
pub(crate) const SECRET_PREFIX: &str = "whsec_";

/// The length of an HMAC-SHA256 digest in bytes.
pub(crate) const SIGNATURE_LEN: usize = 32;

/// Standard base64 that accepts the secret with or without `=` padding,
/// because some senders strip it.
const SECRET_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The decoded key behind a `whsec_` secret. `Debug` never shows it.
#[derive(Clone)]
pub(crate) struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(<redacted>)")
    }
}

impl SigningKey {
    /// Parses `whsec_` plus base64, or the base64 alone. Surrounding
    /// whitespace, such as the newline of a secret read from a file, is
    /// ignored.
    ///
    /// The error names the problem but never contains the secret, nor the
    /// position or value of an offending character.
    pub(crate) fn parse(secret: &str) -> Result<Self, WebhookError> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(WebhookError::InvalidSecret {
                reason: "the secret is empty",
            });
        }

        let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
        if encoded.is_empty() {
            return Err(WebhookError::InvalidSecret {
                reason: "nothing follows the `whsec_` prefix",
            });
        }

        let key = SECRET_BASE64
            .decode(encoded)
            .map_err(|_| WebhookError::InvalidSecret {
                reason: "expected `whsec_` followed by standard base64 (A-Z, a-z, 0-9, `+`, `/`)",
            })?;
        if key.is_empty() {
            return Err(WebhookError::InvalidSecret {
                reason: "the secret decodes to no bytes",
            });
        }
        Ok(Self(key))
    }

    /// Parses every secret of a list. An empty list is an error.
    pub(crate) fn parse_all<I, S>(secrets: I) -> Result<Vec<Self>, WebhookError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys = secrets
            .into_iter()
            .map(|secret| Self::parse(secret.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(WebhookError::NoSecrets);
        }
        Ok(keys)
    }

    /// Computes the HMAC-SHA256 of `"{id}.{timestamp}.{body}"`, the content
    /// a Standard Webhooks `v1` signature covers.
    pub(crate) fn digest(&self, id: &str, timestamp: u64, body: &[u8]) -> [u8; SIGNATURE_LEN] {
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length, and parse rejects empty ones");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// Computes the `v1,<base64>` entry for one message.
    pub(crate) fn signature_entry(&self, id: &str, timestamp: u64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.digest(id, timestamp, body)))
    }
}

/// Decodes a `v1` signature as canonical padded base64, the form senders
/// emit.
pub(crate) fn decode_signature(encoded: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(encoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_bare_secrets_match() {
        let prefixed = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid");
        let bare = SigningKey::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid");
        assert_eq!(prefixed.0, bare.0);
        assert_eq!(prefixed.0.len(), 24);
    }

    #[test]
    fn padding_is_optional() {
        let padded = SigningKey::parse("whsec_c2VjcmV0IGtleQ==").expect("padded");
        let unpadded = SigningKey::parse("whsec_c2VjcmV0IGtleQ").expect("unpadded");
        assert_eq!(padded.0, unpadded.0);
        assert_eq!(padded.0, b"secret key");
    }

    #[test]
    fn surrounding_whitespace_is_ignored() {
        let key = SigningKey::parse("  whsec_c2VjcmV0IGtleQ==\n").expect("trimmed");
        assert_eq!(key.0, b"secret key");
    }

    #[test]
    fn malformed_secrets_name_the_problem_without_the_secret() {
        for secret in [
            "",
            "   ",
            "whsec_",
            "whsec_not*base64!",
            "whsec_c2Vj cmV0",
            "whsec_====",
        ] {
            let error = SigningKey::parse(secret).expect_err("malformed secret");
            let message = error.to_string();
            assert!(
                matches!(error, WebhookError::InvalidSecret { .. }),
                "{secret:?}: {error:?}"
            );
            assert!(message.starts_with("invalid webhook secret: "), "{message}");
            let body = secret.trim().trim_start_matches(SECRET_PREFIX);
            if !body.is_empty() {
                assert!(!message.contains(body), "{message} echoes {secret:?}");
            }
        }
    }

    #[test]
    fn empty_list_is_rejected() {
        let error = SigningKey::parse_all(Vec::<&str>::new()).expect_err("no secrets");
        assert!(matches!(error, WebhookError::NoSecrets), "{error:?}");
    }

    #[test]
    fn debug_hides_the_key() {
        let key = SigningKey::parse("whsec_c2VjcmV0IGtleQ==").expect("valid");
        assert_eq!(format!("{key:?}"), "SigningKey(<redacted>)");
    }
}
