//! Signing deliveries, for senders and for tests of receivers.

use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};

use super::WebhookError;
use super::headers::{WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use super::secret::SigningKey;

/// Signs webhook bodies the way the API does, so receivers can be tested
/// without a server.
///
/// With several secrets (during a rotation) the `webhook-signature` header
/// contains one `v1,` entry per secret, space-separated, in the order given.
///
/// ```
/// use letta::webhooks::{Signer, Verifier};
///
/// let signer = Signer::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let body = br#"{"test": 2432232314}"#;
/// let headers = signer.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body)?;
/// assert_eq!(
///     headers.signature,
///     "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/// );
///
/// // Send `headers.to_header_map()` with the body to the handler under test.
/// let map = headers.to_header_map();
/// assert_eq!(map["webhook-timestamp"], "1614265330");
/// # Ok::<(), letta::webhooks::WebhookError>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    keys: Vec<SigningKey>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("secrets", &self.keys.len())
            .finish()
    }
}

impl Signer {
    /// Creates a signer for one secret: `whsec_` plus base64, or the base64
    /// alone.
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidSecret`] when the secret is empty or not
    /// base64. The error never contains the secret.
    pub fn new(secret: &str) -> Result<Self, WebhookError> {
        Self::with_secrets([secret])
    }

    /// Creates a signer that signs with every secret, as a sender does while
    /// an old secret is still valid beside a new one.
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
        })
    }

    /// Signs `body` as message `id` sent at `timestamp` (Unix seconds) and
    /// returns the three headers to send with it.
    ///
    /// The signature covers the exact bytes of `body`: send those bytes, not
    /// a re-encoding of them.
    ///
    /// # Errors
    ///
    /// [`WebhookError::InvalidMessageId`] when `id` is empty or contains a
    /// character other than visible ASCII, which could not travel in a
    /// header.
    pub fn sign(
        &self,
        id: &str,
        timestamp: u64,
        body: &[u8],
    ) -> Result<SignedHeaders, WebhookError> {
        check_message_id(id)?;

        let signature = self
            .keys
            .iter()
            .map(|key| key.signature_entry(id, timestamp, body))
            .collect::<Vec<_>>()
            .join(" ");
        Ok(SignedHeaders {
            id: id.to_owned(),
            timestamp,
            signature,
        })
    }

    /// Signs `body` as message `id` sent now, by the system clock.
    ///
    /// # Errors
    ///
    /// As [`sign`](Self::sign).
    pub fn sign_now(&self, id: &str, body: &[u8]) -> Result<SignedHeaders, WebhookError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since_epoch| since_epoch.as_secs());
        self.sign(id, now, body)
    }
}

/// Rejects ids that could not be sent as a header value.
fn check_message_id(id: &str) -> Result<(), WebhookError> {
    if id.is_empty() {
        return Err(WebhookError::InvalidMessageId {
            reason: "the id is empty",
        });
    }
    if !id.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(WebhookError::InvalidMessageId {
            reason: "the id may contain only visible ASCII characters, without spaces",
        });
    }
    Ok(())
}

/// The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers of
/// one signed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedHeaders {
    /// The `webhook-id` value.
    pub id: String,
    /// The `webhook-timestamp` value, in Unix seconds.
    pub timestamp: u64,
    /// The `webhook-signature` value: one `v1,<base64>` entry per secret.
    pub signature: String,
}

impl SignedHeaders {
    /// Returns the headers as `(name, value)` pairs, names in lowercase.
    pub fn to_pairs(&self) -> [(&'static str, String); 3] {
        [
            (WEBHOOK_ID, self.id.clone()),
            (WEBHOOK_TIMESTAMP, self.timestamp.to_string()),
            (WEBHOOK_SIGNATURE, self.signature.clone()),
        ]
    }

    /// Returns the headers as an [`http::HeaderMap`], ready for a request
    /// builder.
    pub fn to_header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(3);
        for (name, value) in self.to_pairs() {
            let value = HeaderValue::try_from(value)
                .expect("the signer checks the id, and timestamps and signatures are ASCII");
            map.insert(HeaderName::from_static(name), value);
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn published_vector_signature() {
        let signer = Signer::new(SECRET).expect("valid secret");
        let headers = signer
            .sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                br#"{"test": 2432232314}"#,
            )
            .expect("valid id");
        assert_eq!(
            headers.signature,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn two_secrets_give_two_entries_in_order() {
        let first = Signer::new(SECRET).expect("valid secret");
        let second = Signer::new("whsec_c2VjcmV0IGtleQ==").expect("valid secret");
        let both = Signer::with_secrets([SECRET, "whsec_c2VjcmV0IGtleQ=="]).expect("valid");

        let signed = both.sign("msg_1", 10, b"{}").expect("valid id");
        let expected = format!(
            "{} {}",
            first.sign("msg_1", 10, b"{}").expect("valid id").signature,
            second.sign("msg_1", 10, b"{}").expect("valid id").signature
        );
        assert_eq!(signed.signature, expected);
    }

    #[test]
    fn ids_that_cannot_be_headers_are_rejected() {
        let signer = Signer::new(SECRET).expect("valid secret");
        for id in ["", "msg 1", "msg\n1", "msg_é"] {
            let error = signer.sign(id, 1, b"{}").expect_err("invalid id");
            assert!(
                matches!(error, WebhookError::InvalidMessageId { .. }),
                "{id:?}: {error:?}"
            );
        }
    }

    #[test]
    fn header_map_has_three_headers() {
        let signer = Signer::new(SECRET).expect("valid secret");
        let map = signer
            .sign("msg_1", 1_614_265_330, b"{}")
            .expect("valid id")
            .to_header_map();
        assert_eq!(map.len(), 3);
        assert_eq!(map["webhook-id"], "msg_1");
        assert_eq!(map["webhook-timestamp"], "1614265330");
        assert!(
            map["webhook-signature"]
                .to_str()
                .expect("ASCII")
                .starts_with("v1,")
        );
    }

    #[test]
    fn debug_shows_no_secret() {
        let signer = Signer::new(SECRET).expect("valid secret");
        assert_eq!(format!("{signer:?}"), "Signer { secrets: 1 }");
    }
}
