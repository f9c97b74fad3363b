//! Header names and the lookup the verifier reads them through.

/// The header carrying the message id, which is the event id and stays the
/// same across retries of one delivery.
pub const WEBHOOK_ID: &str = "webhook-id";

/// The header carrying the signing time in Unix seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";

/// The header carrying one or more space-separated `v1,<base64>` signatures.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";

/// Request headers the verifier can read.
///
/// Implemented for [`http::HeaderMap`] and for slices, arrays and vectors of
/// `(name, value)` pairs, such as
/// [`SignedHeaders::to_pairs`](super::SignedHeaders::to_pairs). Names are compared ignoring ASCII case. Implement it for another
/// framework's header type to verify without copying the headers.
pub trait HeaderSource {
    /// Returns the value of the first header called `name`, compared
    /// ignoring ASCII case, or `None` when there is none. `name` is
    /// lowercase.
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl HeaderSource for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(http::HeaderValue::as_bytes)
    }
}

impl<K, V> HeaderSource for [(K, V)]
where
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(key, _)| key.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_ref())
    }
}

impl<K, V, const N: usize> HeaderSource for [(K, V); N]
where
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<K, V> HeaderSource for Vec<(K, V)>
where
    K: AsRef<str>,
    V: AsRef<[u8]>,
{
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.as_slice().header(name)
    }
}

impl<T: HeaderSource + ?Sized> HeaderSource for &T {
    fn header(&self, name: &str) -> Option<&[u8]> {
        (**self).header(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_match_names_ignoring_case() {
        let pairs = [("Webhook-ID", "msg_1"), ("WEBHOOK-TIMESTAMP", "1")];
        assert_eq!(pairs.header(WEBHOOK_ID), Some(&b"msg_1"[..]));
        assert_eq!(pairs.header(WEBHOOK_TIMESTAMP), Some(&b"1"[..]));
        assert_eq!(pairs.header(WEBHOOK_SIGNATURE), None);
    }

    #[test]
    fn pairs_return_the_first_of_repeated_names() {
        let pairs = vec![
            ("webhook-id".to_owned(), "first".to_owned()),
            ("Webhook-Id".to_owned(), "second".to_owned()),
        ];
        assert_eq!(pairs.header(WEBHOOK_ID), Some(&b"first"[..]));
    }

    #[test]
    fn header_map_matches_names_ignoring_case() {
        let mut map = http::HeaderMap::new();
        map.insert(
            http::HeaderName::from_static("webhook-id"),
            http::HeaderValue::from_static("msg_1"),
        );
        assert_eq!(map.header(WEBHOOK_ID), Some(&b"msg_1"[..]));
        assert_eq!(map.header("Webhook-Id"), Some(&b"msg_1"[..]));
    }
}
