//! The request journal: the latest requests the server handled, for tests to
//! inspect through the admin surface.
//!
//! Each entry records the method, path, query, request headers, status,
//! start time, duration and any injected fault. Secrets never enter it. The
//! journal replaces these values with `[redacted]`: `Authorization`,
//! cookies, every header or query parameter whose name contains `auth`,
//! `key`, `token`, `secret`, `signature`, `password`, `session` or
//! `cookie`, and every value that contains an accepted API key.
//! `Idempotency-Key` is kept, because it is not a credential and tests read
//! it to check that a retry reused the key. The admin surface itself is not
//! recorded.

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, Method};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, SubsecRound, Utc};
use serde::Serialize;

use crate::clock::Clock;
use crate::faults::{AppliedFaults, PathPattern, WireFault};
use crate::problem::REQUEST_ID;

/// The text that replaces a secret.
const REDACTED: &str = "[redacted]";

/// Parts of header and query parameter names that mark a credential.
const SECRET_NAME_PARTS: &[&str] = &[
    "auth",
    "key",
    "token",
    "secret",
    "signature",
    "password",
    "session",
    "cookie",
];

/// Names that contain a secret-looking part but carry no secret.
const PUBLIC_NAMES: &[&str] = &["idempotency-key"];

/// Largest journal capacity accepted.
pub(crate) const MAX_CAPACITY: usize = 1_000_000;

/// One recorded request.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JournalEntry {
    /// Position in the journal since the server started, from 1.
    pub(crate) sequence: u64,
    pub(crate) request_id: Option<String>,
    /// When the request arrived, RFC 3339 in UTC with milliseconds.
    pub(crate) time: DateTime<Utc>,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    /// Request headers by lowercase name; repeated headers are joined with
    /// `, `.
    pub(crate) headers: BTreeMap<String, String>,
    /// The status the server produced; `None` when an injected fault
    /// dropped the connection before the request ran.
    pub(crate) status: Option<u16>,
    /// Time from the request reaching the journal layer to the response
    /// leaving it, in milliseconds, read from the server's clock.
    pub(crate) duration_ms: u64,
    /// Kinds of the injected faults that applied. With `drop_after_commit`
    /// or `truncate_body` the client did not receive `status` in full.
    pub(crate) faults: Vec<&'static str>,
}

/// One recorded request as the journal stores it. Recording keeps the
/// request's parts close to how they arrive, already redacted, and
/// [`Journal::read`] builds the [`JournalEntry`] form, so that recording a
/// request costs few allocations.
#[derive(Debug)]
struct StoredEntry {
    sequence: u64,
    request_id: Option<String>,
    time: DateTime<Utc>,
    method: Method,
    path: String,
    query: Option<String>,
    /// Request headers in arrival order, with secret values redacted.
    headers: Vec<(HeaderName, Cow<'static, str>)>,
    status: Option<u16>,
    duration_ms: u64,
    faults: Vec<&'static str>,
}

impl StoredEntry {
    fn to_entry(&self) -> JournalEntry {
        JournalEntry {
            sequence: self.sequence,
            request_id: self.request_id.clone(),
            time: self.time,
            method: self.method.to_string(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: join_headers(&self.headers),
            status: self.status,
            duration_ms: self.duration_ms,
            faults: self.faults.clone(),
        }
    }
}

/// Filters of a journal read.
#[derive(Debug, Default)]
pub(crate) struct JournalQuery {
    pub(crate) method: Option<Method>,
    pub(crate) path: Option<PathPattern>,
    /// Keep only the latest this many matching entries.
    pub(crate) limit: Option<usize>,
}

#[derive(Debug)]
struct Entries {
    capacity: usize,
    next_sequence: u64,
    /// Entries evicted because the journal was full, since the last clear.
    evicted: u64,
    entries: VecDeque<StoredEntry>,
}

/// A bounded journal: once full, each new entry evicts the oldest.
#[derive(Debug)]
pub(crate) struct Journal {
    clock: Clock,
    api_keys: Arc<[String]>,
    entries: Mutex<Entries>,
}

impl Journal {
    pub(crate) fn new(capacity: usize, clock: Clock, api_keys: Arc<[String]>) -> Self {
        Self {
            clock,
            api_keys,
            entries: Mutex::new(Entries {
                capacity,
                next_sequence: 1,
                evicted: 0,
                entries: VecDeque::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // The journal contains plain data, valid even after a panic elsewhere.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, mut entry: StoredEntry) {
        let mut entries = self.lock();
        if entries.capacity == 0 {
            return;
        }
        entry.sequence = entries.next_sequence;
        entries.next_sequence += 1;
        if entries.entries.len() == entries.capacity {
            entries.entries.pop_front();
            entries.evicted += 1;
        }
        entries.entries.push_back(entry);
    }

    /// Returns the matching entries, oldest first, and how many entries were
    /// evicted since the last clear.
    pub(crate) fn read(&self, query: &JournalQuery) -> (Vec<JournalEntry>, u64) {
        let entries = self.lock();
        let mut matching: Vec<&StoredEntry> = entries
            .entries
            .iter()
            .filter(|entry| {
                let method_matches = query
                    .method
                    .as_ref()
                    .is_none_or(|method| *method == entry.method);
                let path_matches = query
                    .path
                    .as_ref()
                    .is_none_or(|pattern| pattern.matches(&entry.path));
                method_matches && path_matches
            })
            .collect();
        if let Some(limit) = query.limit {
            let skip = matching.len().saturating_sub(limit);
            matching.drain(..skip);
        }
        let matching = matching.into_iter().map(StoredEntry::to_entry).collect();
        (matching, entries.evicted)
    }

    /// Removes every entry; sequence numbers keep counting.
    pub(crate) fn clear(&self) {
        let mut entries = self.lock();
        entries.entries.clear();
        entries.evicted = 0;
    }

    fn redact_headers(&self, headers: &HeaderMap) -> Vec<(HeaderName, Cow<'static, str>)> {
        let mut recorded = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            let value = if is_secret_name(name.as_str()) || self.contains_key(&value) {
                Cow::Borrowed(REDACTED)
            } else {
                Cow::Owned(value.into_owned())
            };
            recorded.push((name.clone(), value));
        }
        recorded
    }

    /// Redacts the values of secret parameters in a raw query string and
    /// keeps every other pair, empty ones included, byte for byte.
    fn redact_query(&self, query: &str) -> String {
        let mut redacted = String::with_capacity(query.len());
        for (index, pair) in query.split('&').enumerate() {
            if index > 0 {
                redacted.push('&');
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            // Decoding changes only values with `%` escapes or `+`.
            let decoded: Cow<'_, str> = if value.contains(['%', '+']) {
                url::form_urlencoded::parse(pair.as_bytes())
                    .map(|(_, value)| value.into_owned())
                    .collect::<String>()
                    .into()
            } else {
                value.into()
            };
            if is_secret_name(&name.to_ascii_lowercase()) || self.contains_key(&decoded) {
                redacted.push_str(name);
                redacted.push('=');
                redacted.push_str(REDACTED);
            } else {
                redacted.push_str(pair);
            }
        }
        redacted
    }

    fn contains_key(&self, text: &str) -> bool {
        self.api_keys.iter().any(|key| text.contains(key.as_str()))
    }
}

/// Builds the recorded headers by lowercase name, joining the values of a
/// repeated header with `, ` in arrival order.
fn join_headers(headers: &[(HeaderName, Cow<'static, str>)]) -> BTreeMap<String, String> {
    let mut joined: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        joined
            .entry(name.as_str().to_owned())
            .and_modify(|values| {
                values.push_str(", ");
                values.push_str(value);
            })
            .or_insert_with(|| value.clone().into_owned());
    }
    joined
}

fn is_secret_name(lowercase_name: &str) -> bool {
    !PUBLIC_NAMES.contains(&lowercase_name)
        && SECRET_NAME_PARTS
            .iter()
            .any(|part| lowercase_name.contains(part))
}

/// Records every request outside `/admin`.
pub(crate) async fn record_request(
    State(journal): State<Arc<Journal>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path == "/admin" || path.starts_with("/admin/") {
        return next.run(request).await;
    }

    let started = journal.clock.now();
    let time = Utc::now().trunc_subsecs(3);
    let path = path.to_owned();
    let method = request.method().clone();
    let query = request
        .uri()
        .query()
        .map(|query| journal.redact_query(query));
    let headers = journal.redact_headers(request.headers());

    let response = next.run(request).await;

    let elapsed = journal.clock.now().saturating_sub(started);
    let dropped_before_commit =
        response.extensions().get::<WireFault>() == Some(&WireFault::DropBeforeCommit);
    let faults = response
        .extensions()
        .get::<AppliedFaults>()
        .map(|applied| applied.0.clone())
        .unwrap_or_default();
    journal.push(StoredEntry {
        sequence: 0,
        request_id: response
            .headers()
            .get(&REQUEST_ID)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        time,
        method,
        path,
        query,
        headers,
        status: (!dropped_before_commit).then(|| response.status().as_u16()),
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        faults,
    });
    response
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn journal(capacity: usize) -> Journal {
        Journal::new(
            capacity,
            Clock::new(None),
            Arc::from(vec!["sk_test_letta".to_owned()]),
        )
    }

    fn entry(method: Method, path: &str) -> StoredEntry {
        StoredEntry {
            sequence: 0,
            request_id: None,
            time: Utc::now(),
            method,
            path: path.to_owned(),
            query: None,
            headers: Vec::new(),
            status: Some(200),
            duration_ms: 0,
            faults: Vec::new(),
        }
    }

    #[test]
    fn secrets_are_redacted() {
        let journal = journal(10);
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("authorization", "Bearer sk_test_letta"),
            ("x-api-key", "anything"),
            ("cookie", "session=1"),
            ("x-forwarded-note", "copied sk_test_letta here"),
            ("idempotency-key", "order-7"),
            ("accept", "application/json"),
        ] {
            headers.append(name, HeaderValue::from_static(value));
        }
        headers.append("accept", HeaderValue::from_static("text/plain"));

        let recorded = join_headers(&journal.redact_headers(&headers));

        assert_eq!(recorded["authorization"], REDACTED);
        assert_eq!(recorded["x-api-key"], REDACTED);
        assert_eq!(recorded["cookie"], REDACTED);
        assert_eq!(recorded["x-forwarded-note"], REDACTED);
        assert_eq!(recorded["idempotency-key"], "order-7");
        assert_eq!(recorded["accept"], "application/json, text/plain");
    }

    #[test]
    fn query_secrets_are_redacted() {
        let journal = journal(10);
        assert_eq!(
            journal.redact_query("limit=5&api_key=abc&q=sk_test_letta&flag"),
            "limit=5&api_key=[redacted]&q=[redacted]&flag"
        );
    }

    #[test]
    fn query_pairs_keep_their_bytes() {
        let journal = journal(10);
        assert_eq!(
            journal.redact_query("a=1&&b=&c&Token=x&q=sk%5Ftest%5Fletta&r=x+y"),
            "a=1&&b=&c&Token=[redacted]&q=[redacted]&r=x+y"
        );
    }

    #[test]
    fn full_journal_evicts_oldest() {
        let journal = journal(2);
        for path in ["/v1/a", "/v1/b", "/v1/c"] {
            journal.push(entry(Method::GET, path));
        }

        let (entries, evicted) = journal.read(&JournalQuery::default());

        let paths: Vec<&str> = entries.iter().map(|entry| entry.path.as_str()).collect();
        assert_eq!(paths, ["/v1/b", "/v1/c"]);
        assert_eq!(entries[0].sequence, 2);
        assert_eq!(evicted, 1);
    }

    #[test]
    fn read_filters_and_keeps_latest() {
        let journal = journal(10);
        journal.push(entry(Method::GET, "/v1/plants"));
        journal.push(entry(Method::POST, "/v1/plants"));
        journal.push(entry(Method::GET, "/v1/plants/plt_1"));
        journal.push(entry(Method::GET, "/v1/orders"));

        let query = JournalQuery {
            method: Some(Method::GET),
            path: PathPattern::parse("/v1/plants/**").ok(),
            limit: Some(1),
        };
        let (entries, _) = journal.read(&query);

        let paths: Vec<&str> = entries.iter().map(|entry| entry.path.as_str()).collect();
        assert_eq!(paths, ["/v1/plants/plt_1"]);
    }
}
