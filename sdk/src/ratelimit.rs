//! Server wait hints (`retry-after-ms`, `Retry-After`, the `RateLimit` reset)
//! and opt-in pacing from the `RateLimit` and `RateLimit-Policy` headers.
//!
//! The RateLimit headers follow draft-ietf-httpapi-ratelimit-headers-11:
//! `RateLimit-Policy: "default";q=100;w=60` names a quota of `q` units per
//! `w` seconds, and `RateLimit: "default";r=42;t=18` reports that `r` units
//! remain and the quota resets in `t` seconds. Both are structured-field lists
//! (RFC 9651).

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use http::HeaderMap;

/// The header a wait hint came from, in the order the SDK prefers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HintSource {
    /// `retry-after-ms`, a whole number of milliseconds.
    RetryAfterMs,
    /// `Retry-After`, as delay-seconds or an HTTP-date.
    RetryAfter,
    /// The reset (`t`) of an exhausted quota in `RateLimit`.
    RateLimitReset,
}

impl std::fmt::Display for HintSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HintSource::RetryAfterMs => "retry-after-ms",
            HintSource::RetryAfter => "Retry-After",
            HintSource::RateLimitReset => "RateLimit reset",
        })
    }
}

/// Reads the server's wait hint from a response: `retry-after-ms`, then
/// `Retry-After`, then the reset of an exhausted `RateLimit` quota. A
/// malformed value is skipped, so the next source (or the backoff) applies.
pub(crate) fn retry_hint(headers: &HeaderMap, now: SystemTime) -> Option<(Duration, HintSource)> {
    if let Some(delay) = header_str(headers, "retry-after-ms").and_then(parse_retry_after_ms) {
        return Some((delay, HintSource::RetryAfterMs));
    }
    if let Some(delay) = header_str(headers, "retry-after").and_then(|v| parse_retry_after(v, now))
    {
        return Some((delay, HintSource::RetryAfter));
    }
    exhausted_quota_reset(headers).map(|delay| (delay, HintSource::RateLimitReset))
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// Parses `retry-after-ms`: a non-negative whole number of milliseconds.
pub(crate) fn parse_retry_after_ms(value: &str) -> Option<Duration> {
    parse_digits(value.trim()).map(Duration::from_millis)
}

/// Parses `Retry-After` (RFC 9110, section 10.2.3): delay-seconds, or an
/// HTTP-date in IMF-fixdate, RFC 850 or asctime form. A date in the past is
/// a zero delay. Anything else (`-3`, `1.5`, `soon`, `120abc`, empty, or a
/// number too large for a `u64`) is `None`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(seconds) = parse_digits(value) {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses one or more ASCII digits and nothing else, without overflow.
fn parse_digits(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// Returns the longest reset among the `RateLimit` quotas with nothing
/// remaining (`r=0`).
fn exhausted_quota_reset(headers: &HeaderMap) -> Option<Duration> {
    quotas(headers)
        .into_iter()
        .filter(|quota| quota.remaining == Some(0))
        .filter_map(|quota| quota.reset)
        .max()
}

/// One member of the `RateLimit` list.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Quota {
    /// `r`: the quota units left.
    remaining: Option<u64>,
    /// `t`: the time until the quota resets.
    reset: Option<Duration>,
}

/// One member of the `RateLimit-Policy` list, counted in requests.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Policy {
    /// `q`: the quota units allowed per window.
    quota: u64,
    /// `w`: the window.
    window: Duration,
}

fn quotas(headers: &HeaderMap) -> Vec<Quota> {
    let Some(items) = parse_header_list(headers, "ratelimit") else {
        return Vec::new();
    };
    items
        .iter()
        .map(|item| Quota {
            remaining: item.integer("r"),
            reset: item.integer("t").map(Duration::from_secs),
        })
        .collect()
}

fn policies(headers: &HeaderMap) -> Vec<Policy> {
    let Some(items) = parse_header_list(headers, "ratelimit-policy") else {
        return Vec::new();
    };
    items
        .iter()
        // A policy counted in other units (such as bytes) does not limit
        // how often requests may be sent.
        .filter(|item| match item.param("qu") {
            None => true,
            Some(Value::String(unit)) => unit == "requests",
            Some(_) => false,
        })
        .filter_map(|item| {
            let quota = item.integer("q")?;
            let window = item.integer("w").unwrap_or(0);
            (window > 0).then(|| Policy {
                quota,
                window: Duration::from_secs(window),
            })
        })
        .collect()
}

/// Joins every line of a header, as RFC 9110 allows for list fields, and
/// parses the result. Any syntax error discards the whole field, as RFC
/// 9651 requires.
fn parse_header_list(headers: &HeaderMap, name: &str) -> Option<Vec<Item>> {
    let mut joined = String::new();
    for value in headers.get_all(name) {
        let value = value.to_str().ok()?;
        if !joined.is_empty() {
            joined.push(',');
        }
        joined.push_str(value);
    }
    if joined.trim().is_empty() {
        return None;
    }
    parse_list(&joined)
}

/// A parameter value of a structured-field item.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Integer(i64),
    String(String),
    /// A token, decimal, boolean or byte sequence, which these headers do
    /// not use for anything the SDK reads.
    Other,
}

/// A structured-field list member: a bare item and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    params: Vec<(String, Value)>,
}

impl Item {
    fn param(&self, key: &str) -> Option<&Value> {
        self.params
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    /// Returns a non-negative integer parameter.
    fn integer(&self, key: &str) -> Option<u64> {
        match self.param(key)? {
            Value::Integer(value) => u64::try_from(*value).ok(),
            _ => None,
        }
    }
}

/// Parses a structured-field list (RFC 9651, section 4.2.1) whose members
/// are items; an inner list is a syntax error here.
fn parse_list(input: &str) -> Option<Vec<Item>> {
    let mut parser = Parser {
        bytes: input.as_bytes(),
        position: 0,
    };
    let mut items = Vec::new();
    parser.skip_spaces();
    loop {
        parser.bare_item()?;
        items.push(Item {
            params: parser.parameters()?,
        });
        parser.skip_whitespace();
        match parser.next() {
            None => return Some(items),
            Some(b',') => {
                parser.skip_whitespace();
                // A trailing comma is an error.
                parser.peek()?;
            }
            Some(_) => return None,
        }
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.position).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.position += 1;
        Some(byte)
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.position += 1;
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.position += 1;
        }
    }

    fn parameters(&mut self) -> Option<Vec<(String, Value)>> {
        let mut params = Vec::new();
        while self.peek() == Some(b';') {
            self.position += 1;
            self.skip_spaces();
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.position += 1;
                self.bare_item()?
            } else {
                // A parameter without a value is the boolean true.
                Value::Other
            };
            params.retain(|(name, _)| *name != key);
            params.push((key, value));
        }
        Some(params)
    }

    fn key(&mut self) -> Option<String> {
        let start = self.position;
        match self.peek()? {
            b'a'..=b'z' | b'*' => self.position += 1,
            _ => return None,
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
        ) {
            self.position += 1;
        }
        Some(String::from_utf8_lossy(&self.bytes[start..self.position]).into_owned())
    }

    fn bare_item(&mut self) -> Option<Value> {
        match self.peek()? {
            b'-' | b'0'..=b'9' => self.number(),
            b'"' => self.string().map(Value::String),
            b'A'..=b'Z' | b'a'..=b'z' | b'*' => {
                self.token();
                Some(Value::Other)
            }
            b':' => self.byte_sequence(),
            b'?' => self.boolean(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Value> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.position += 1;
        }
        let start = self.position;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.position += 1;
        }
        let digits = &self.bytes[start..self.position];
        if digits.is_empty() {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.position += 1;
            let fraction_start = self.position;
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.position += 1;
            }
            let fraction = self.position - fraction_start;
            return (digits.len() <= 12 && (1..=3).contains(&fraction)).then_some(Value::Other);
        }
        // RFC 9651 integers have at most 15 digits.
        if digits.len() > 15 {
            return None;
        }
        let magnitude: i64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        Some(Value::Integer(if negative {
            -magnitude
        } else {
            magnitude
        }))
    }

    fn string(&mut self) -> Option<String> {
        self.position += 1;
        let mut text = String::new();
        loop {
            match self.next()? {
                b'"' => return Some(text),
                b'\\' => match self.next()? {
                    escaped @ (b'"' | b'\\') => text.push(char::from(escaped)),
                    _ => return None,
                },
                byte @ 0x20..=0x7e => text.push(char::from(byte)),
                _ => return None,
            }
        }
    }

    fn token(&mut self) {
        self.position += 1;
        while matches!(
            self.peek(),
            Some(byte) if byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&byte)
        ) {
            self.position += 1;
        }
    }

    fn byte_sequence(&mut self) -> Option<Value> {
        self.position += 1;
        loop {
            match self.next()? {
                b':' => return Some(Value::Other),
                byte if byte.is_ascii_alphanumeric() || b"+/=".contains(&byte) => {}
                _ => return None,
            }
        }
    }

    fn boolean(&mut self) -> Option<Value> {
        self.position += 1;
        match self.next()? {
            b'0' | b'1' => Some(Value::Other),
            _ => None,
        }
    }
}

/// Spaces the requests of one client so that they stay under the quota the
/// server announces, shared by every task that uses the client.
///
/// The spacing is the window divided by the quota of the tightest
/// `RateLimit-Policy`, or, while no policy is known, the reset divided by
/// the remaining units of `RateLimit`. After a quota with nothing left, or
/// a retried response with a wait hint, no request starts until the wait
/// has passed.
#[derive(Debug, Default)]
pub(crate) struct Pacer {
    state: Mutex<PacerState>,
}

#[derive(Debug, Default)]
struct PacerState {
    /// The time between the starts of two requests; `None` until the server
    /// has sent a RateLimit header.
    interval: Option<Duration>,
    /// Whether `interval` comes from a `RateLimit-Policy`, which wins over
    /// an estimate from `RateLimit` alone.
    from_policy: bool,
    /// The earliest start of the next request.
    next_start: Option<Instant>,
}

impl Pacer {
    /// Reserves the next start time at or after `now` and returns it.
    pub(crate) fn reserve(&self, now: Instant) -> Instant {
        let mut state = self.lock();
        let start = state.next_start.map_or(now, |next| next.max(now));
        if let Some(interval) = state.interval {
            state.next_start = Some(start + interval);
        }
        start
    }

    /// Holds every request that has not started until `until`.
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut state = self.lock();
        state.next_start = Some(state.next_start.map_or(until, |next| next.max(until)));
    }

    /// Updates the spacing from the RateLimit headers of a response that
    /// arrived at `now`.
    pub(crate) fn observe(&self, headers: &HeaderMap, now: Instant) {
        let policy_interval = policies(headers)
            .iter()
            .map(|policy| interval(policy.window, policy.quota))
            .max();
        let quotas = quotas(headers);
        let estimate = quotas
            .iter()
            .filter_map(|quota| match (quota.remaining, quota.reset) {
                (Some(remaining), Some(reset)) if remaining > 0 => Some(interval(reset, remaining)),
                _ => None,
            })
            .max();
        let exhausted_until = exhausted_quota_reset(headers).map(|reset| now + reset);

        let mut state = self.lock();
        if let Some(interval) = policy_interval {
            state.interval = Some(interval);
            state.from_policy = true;
        } else if let (Some(estimate), false) = (estimate, state.from_policy) {
            state.interval = Some(estimate);
        }
        drop(state);
        if let Some(until) = exhausted_until {
            self.hold_until(until);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PacerState> {
        // The state is a few plain values, valid even if a holder panicked.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Returns `window / units`, or the whole window for zero units.
fn interval(window: Duration, units: u64) -> Duration {
    match u32::try_from(units) {
        Ok(0) => window,
        Ok(units) => window / units,
        Err(_) => Duration::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    /// Thu, 01 Jan 2026 00:00:00 GMT.
    fn new_year_2026() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_accepts_delay_seconds() {
        let now = new_year_2026();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_accepts_all_three_date_formats() {
        let now = new_year_2026();
        for date in [
            "Thu, 01 Jan 2026 00:00:03 GMT",
            "Thursday, 01-Jan-26 00:00:03 GMT",
            "Thu Jan  1 00:00:03 2026",
        ] {
            assert_eq!(
                parse_retry_after(date, now),
                Some(Duration::from_secs(3)),
                "{date}"
            );
        }
    }

    #[test]
    fn retry_after_date_in_past_is_zero() {
        let past = parse_retry_after("Wed, 31 Dec 2025 23:59:00 GMT", new_year_2026());
        assert_eq!(past, Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_rejects_malformed_values() {
        for bad in [
            "",
            " ",
            "-3",
            "1.5",
            "soon",
            "120abc",
            "+5",
            "99999999999999999999999",
            "Thu, 32 Jan 2026 00:00:03 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, new_year_2026()), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_ms_takes_whole_milliseconds() {
        assert_eq!(
            parse_retry_after_ms("250"),
            Some(Duration::from_millis(250))
        );
        for bad in ["", "-1", "2.5", "soon"] {
            assert_eq!(parse_retry_after_ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hint_prefers_ms_then_retry_after_then_reset() {
        let now = new_year_2026();
        let all = headers(&[
            ("retry-after-ms", "1500"),
            ("retry-after", "7"),
            ("ratelimit", "\"default\";r=0;t=9"),
        ]);
        assert_eq!(
            retry_hint(&all, now),
            Some((Duration::from_millis(1500), HintSource::RetryAfterMs))
        );

        let malformed_ms = headers(&[("retry-after-ms", "soon"), ("retry-after", "7")]);
        assert_eq!(
            retry_hint(&malformed_ms, now),
            Some((Duration::from_secs(7), HintSource::RetryAfter))
        );

        let reset_only = headers(&[("ratelimit", "\"default\";r=0;t=9")]);
        assert_eq!(
            retry_hint(&reset_only, now),
            Some((Duration::from_secs(9), HintSource::RateLimitReset))
        );
    }

    #[test]
    fn reset_hint_needs_an_exhausted_quota() {
        let remaining = headers(&[("ratelimit", "\"default\";r=4;t=9")]);
        assert_eq!(retry_hint(&remaining, new_year_2026()), None);
    }

    #[test]
    fn ratelimit_list_parses_draft_syntax() {
        let items = parse_list("\"default\";r=42;t=18, \"burst\";r=0;t=1").expect("valid list");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].integer("r"), Some(42));
        assert_eq!(items[0].integer("t"), Some(18));
        assert_eq!(items[1].integer("r"), Some(0));
    }

    #[test]
    fn ratelimit_list_rejects_bad_syntax() {
        for bad in [
            "\"default\";r=42,",
            "\"default\";R=1",
            "\"open",
            "default;r=1 x",
            "(\"a\" \"b\");r=1",
            "\"default\";r=1234567890123456",
        ] {
            assert_eq!(parse_list(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn policy_skips_other_units_and_zero_windows() {
        let map = headers(&[(
            "ratelimit-policy",
            "\"bytes\";q=1000;w=1;qu=\"content-bytes\", \"zero\";q=5;w=0, \"default\";q=100;w=60",
        )]);
        assert_eq!(
            policies(&map),
            [Policy {
                quota: 100,
                window: Duration::from_secs(60),
            }]
        );
    }

    #[test]
    fn pacer_spaces_requests_by_the_tightest_policy() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe(
            &headers(&[(
                "ratelimit-policy",
                "\"default\";q=100;w=1, \"minute\";q=600;w=60",
            )]),
            now,
        );

        let starts: Vec<Instant> = (0..4).map(|_| pacer.reserve(now)).collect();

        assert_eq!(starts[0], now);
        assert_eq!(starts[1], now + Duration::from_millis(100));
        assert_eq!(starts[3], now + Duration::from_millis(300));
    }

    #[test]
    fn pacer_without_headers_does_not_wait() {
        let pacer = Pacer::default();
        let now = Instant::now();
        assert_eq!(pacer.reserve(now), now);
        assert_eq!(pacer.reserve(now), now);
    }

    #[test]
    fn pacer_estimates_from_remaining_without_policy() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe(&headers(&[("ratelimit", "\"default\";r=10;t=5")]), now);
        pacer.reserve(now);
        assert_eq!(pacer.reserve(now), now + Duration::from_millis(500));
    }

    #[test]
    fn pacer_holds_requests_while_quota_is_exhausted() {
        let pacer = Pacer::default();
        let now = Instant::now();
        pacer.observe(
            &headers(&[
                ("ratelimit-policy", "\"default\";q=100;w=1"),
                ("ratelimit", "\"default\";r=0;t=2"),
            ]),
            now,
        );
        assert_eq!(pacer.reserve(now), now + Duration::from_secs(2));
    }
}
