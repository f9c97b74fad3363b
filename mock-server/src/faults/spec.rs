//! What a fault does and which requests it applies to, in the two forms
//! that describe one: the `--fault` flag syntax and the admin JSON object.
//!
//! The flag syntax is `[METHOD] [PATH]:KIND[:OPTION]...`:
//!
//! ```text
//! POST /v1/orders:drop-after-commit:times=1
//! GET /v1/plants/*:latency=100-300
//! status=503:rate=0.2:seed=7
//! /v1/plants:status=429:times=2:retry-after=3
//! ```
//!
//! Kinds: `latency=MS` or `latency=MIN-MAX`, `status=CODE`,
//! `drop-before-commit`, `drop-after-commit`, `truncate-body` and
//! `sse-drop=N` (end each matching event stream after N events). Options:
//! `times=N`, `rate=R` (0 to 1), `retry-after=SECONDS` (status only) and
//! `seed=N`. Without a path a fault applies to every path under `/v1`.

use std::fmt;

use axum::http::{Method, StatusCode};
use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Map, Value};

use crate::problem::ApiError;
use crate::validate::Fields;

/// Longest injected latency: ten minutes, in milliseconds.
pub(crate) const MAX_LATENCY_MS: u64 = 600_000;

/// Largest `times` accepted.
const MAX_TIMES: u64 = 1_000_000_000;

/// A rate of 1, in parts per million.
pub(crate) const ALWAYS_PPM: u32 = 1_000_000;

/// A path pattern: literal segments, `*` or `{name}` for any one segment,
/// and a final `**` for any number of further segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathPattern {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    AnyOne,
    AnyRest,
}

impl PathPattern {
    /// Parses a pattern, returning the error detail when it is invalid.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let Some(rest) = text.strip_prefix('/') else {
            return Err(format!("path pattern `{text}` must start with `/`"));
        };
        if text.contains(':') || text.contains(char::is_whitespace) {
            return Err(format!(
                "path pattern `{text}` must not contain `:` or whitespace"
            ));
        }

        let parts: Vec<&str> = rest.split('/').collect();
        let mut segments = Vec::with_capacity(parts.len());
        for (index, part) in parts.iter().enumerate() {
            let segment = match *part {
                "**" if index + 1 == parts.len() => Segment::AnyRest,
                "**" => {
                    return Err(format!(
                        "path pattern `{text}`: `**` is only allowed as the last segment"
                    ));
                }
                "*" => Segment::AnyOne,
                _ if part.starts_with('{') && part.ends_with('}') => Segment::AnyOne,
                literal => Segment::Literal(literal.to_owned()),
            };
            segments.push(segment);
        }
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// Returns whether `path` (without the query) matches the pattern.
    pub(crate) fn matches(&self, path: &str) -> bool {
        let Some(rest) = path.strip_prefix('/') else {
            return false;
        };
        let mut parts = rest.split('/');
        for segment in &self.segments {
            match segment {
                Segment::AnyRest => return true,
                Segment::AnyOne => {
                    if parts.next().is_none_or(str::is_empty) {
                        return false;
                    }
                }
                Segment::Literal(literal) => {
                    if parts.next() != Some(literal.as_str()) {
                        return false;
                    }
                }
            }
        }
        parts.next().is_none()
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }
}

/// What a fault does to a request it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    /// Waits before the request runs: `min_ms` exactly when both bounds are
    /// equal, otherwise a seeded random value between them.
    Latency { min_ms: u64, max_ms: u64 },
    /// Returns an error status instead of running the request.
    Status {
        status: StatusCode,
        retry_after: Option<u64>,
    },
    /// Closes the connection without a response; the request never runs.
    DropBeforeCommit,
    /// Runs the request, then closes the connection without a response.
    DropAfterCommit,
    /// Runs the request, then sends half of the body under a
    /// `Content-Length` of the whole, and closes the connection.
    TruncateBody,
    /// Ends an event stream response after it has sent `every` events, so
    /// the client must reconnect with `Last-Event-ID`. Applies only to the
    /// event stream routes; each stream it ends counts as one application.
    SseDrop { every: u64 },
}

impl FaultKind {
    /// Returns the kind's name in the admin JSON and the journal.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Latency { .. } => "latency",
            Self::Status { .. } => "status",
            Self::DropBeforeCommit => "drop_before_commit",
            Self::DropAfterCommit => "drop_after_commit",
            Self::TruncateBody => "truncate_body",
            Self::SseDrop { .. } => "sse_drop",
        }
    }
}

/// Kind names accepted in the admin JSON.
const KIND_NAMES: &[&str] = &[
    "latency",
    "status",
    "drop_before_commit",
    "drop_after_commit",
    "truncate_body",
    "sse_drop",
];

/// A fault: which requests it applies to, what it does, how often and how
/// many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FaultSpec {
    /// `None` applies to every method.
    pub(crate) method: Option<Method>,
    /// `None` applies to every path under `/v1`.
    pub(crate) path: Option<PathPattern>,
    pub(crate) kind: FaultKind,
    /// Probability that a matching request is affected, in parts per million.
    pub(crate) rate_ppm: u32,
    /// How many requests it affects before it stops; `None` for no limit.
    pub(crate) times: Option<u64>,
    /// Seed of its random draws; `None` derives one from the server seed.
    pub(crate) seed: Option<u64>,
}

impl FaultSpec {
    /// Creates a fault that ends every event stream after `every` events,
    /// the same as `--sse-drop-every`.
    pub(crate) fn sse_drop(every: u64) -> Self {
        Self::new(FaultKind::SseDrop { every })
    }

    fn new(kind: FaultKind) -> Self {
        Self {
            method: None,
            path: None,
            kind,
            rate_ppm: ALWAYS_PPM,
            times: None,
            seed: None,
        }
    }

    /// Returns whether the fault targets requests with `method` to `path`. The admin
    /// surface is never targeted, so faults can always be cleared.
    pub(crate) fn targets(&self, method: &Method, path: &str) -> bool {
        if path == "/admin" || path.starts_with("/admin/") {
            return false;
        }
        let method_matches = self.method.as_ref().is_none_or(|wanted| wanted == method);
        let path_matches = match &self.path {
            Some(pattern) => pattern.matches(path),
            None => path == "/v1" || path.starts_with("/v1/"),
        };
        method_matches && path_matches
    }

    /// Parses the `--fault` flag syntax, returning the error detail when the
    /// text is invalid.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut parts = text.split(':').map(str::trim).peekable();
        let first = parts.next().unwrap_or_default();

        let (method, path, kind_text) = if parts.peek().is_none() || parse_kind(first).is_ok() {
            (None, None, first)
        } else {
            let (method, path) = parse_target(first)?;
            let kind_text = parts
                .next()
                .ok_or_else(|| format!("`{text}` names no fault kind after `{first}:`"))?;
            (method, path, kind_text)
        };

        let mut spec = Self::new(parse_kind(kind_text)?);
        spec.method = method;
        spec.path = path;
        for option in parts {
            spec.apply_option(option)?;
        }
        spec.check().map_err(|(_, detail)| detail)?;
        Ok(spec)
    }

    fn apply_option(&mut self, option: &str) -> Result<(), String> {
        let (name, value) = option
            .split_once('=')
            .ok_or_else(|| format!("option `{option}` must be `NAME=VALUE`"))?;
        let integer = |value: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("`{name}` must be a non-negative integer, not `{value}`"))
        };
        match name {
            "times" => self.times = Some(integer(value)?),
            "seed" => self.seed = Some(integer(value)?),
            "rate" => {
                let rate = value
                    .parse::<f64>()
                    .map_err(|_| format!("`rate` must be a number from 0 to 1, not `{value}`"))?;
                self.rate_ppm = rate_to_ppm(rate)?;
            }
            "retry-after" | "retry_after" => match &mut self.kind {
                FaultKind::Status { retry_after, .. } => *retry_after = Some(integer(value)?),
                _ => return Err("`retry-after` only applies to `status` faults".to_owned()),
            },
            _ => {
                return Err(format!(
                    "unknown option `{name}`; expected times, rate, retry-after or seed"
                ));
            }
        }
        Ok(())
    }

    /// Reads the admin JSON object, reporting every invalid field at once.
    pub(crate) fn from_json(body: &Map<String, Value>) -> Result<Self, ApiError> {
        let mut fields = Fields::new(body);
        fields.reject_unknown(
            &[
                "method",
                "path",
                "kind",
                "latency_ms",
                "latency_max_ms",
                "status",
                "retry_after",
                "every",
                "rate",
                "times",
                "seed",
            ],
            &[],
        );

        let method = optional(&fields, "method").and_then(|value| match value {
            Value::String(text) => match parse_method(text) {
                Ok(method) => method,
                Err(detail) => {
                    fields.error("method", detail);
                    None
                }
            },
            _ => {
                fields.error("method", "must be a string such as `POST`");
                None
            }
        });
        let path = optional(&fields, "path").and_then(|value| match value {
            Value::String(text) => PathPattern::parse(text)
                .map_err(|detail| fields.error("path", detail))
                .ok(),
            _ => {
                fields.error("path", "must be a string such as `/v1/plants/*`");
                None
            }
        });
        let mut integer = |name: &str| {
            optional(&fields, name)
                .and_then(|value| fields.integer(name, value, 0..=i64::MAX))
                .and_then(|value| u64::try_from(value).ok())
        };
        let latency_ms = integer("latency_ms");
        let latency_max_ms = integer("latency_max_ms");
        let status = integer("status");
        let retry_after = integer("retry_after");
        let every = integer("every");
        let times = integer("times");
        let seed = integer("seed");
        let rate_ppm = optional(&fields, "rate").and_then(|value| match value.as_f64() {
            Some(rate) => rate_to_ppm(rate)
                .map_err(|detail| fields.error("rate", detail))
                .ok(),
            None => {
                fields.error("rate", "must be a number from 0 to 1");
                None
            }
        });
        let kind_name = fields
            .required("kind")
            .and_then(|value| match value.as_str() {
                Some(name) if KIND_NAMES.contains(&name) => Some(name.to_owned()),
                _ => {
                    fields.error("kind", format!("must be one of {}", KIND_NAMES.join(", ")));
                    None
                }
            });

        let kind = kind_name.and_then(|name| {
            let kind = match name.as_str() {
                "latency" => {
                    let Some(min_ms) = latency_ms else {
                        fields.error("latency_ms", "is required for kind `latency`");
                        return None;
                    };
                    FaultKind::Latency {
                        min_ms,
                        max_ms: latency_max_ms.unwrap_or(min_ms),
                    }
                }
                "status" => {
                    let Some(code) = status else {
                        fields.error("status", "is required for kind `status`");
                        return None;
                    };
                    FaultKind::Status {
                        status: error_status(code)
                            .map_err(|detail| fields.error("status", detail))
                            .ok()?,
                        retry_after,
                    }
                }
                "sse_drop" => {
                    let Some(every) = every else {
                        fields.error("every", "is required for kind `sse_drop`");
                        return None;
                    };
                    FaultKind::SseDrop { every }
                }
                "drop_before_commit" => FaultKind::DropBeforeCommit,
                "drop_after_commit" => FaultKind::DropAfterCommit,
                _ => FaultKind::TruncateBody,
            };
            for (name, given) in [
                ("latency_ms", latency_ms.is_some()),
                ("latency_max_ms", latency_max_ms.is_some()),
            ] {
                if given && !matches!(kind, FaultKind::Latency { .. }) {
                    fields.error(name, "only applies to kind `latency`");
                }
            }
            for (name, given) in [
                ("status", status.is_some()),
                ("retry_after", retry_after.is_some()),
            ] {
                if given && !matches!(kind, FaultKind::Status { .. }) {
                    fields.error(name, "only applies to kind `status`");
                }
            }
            if every.is_some() && !matches!(kind, FaultKind::SseDrop { .. }) {
                fields.error("every", "only applies to kind `sse_drop`");
            }
            Some(kind)
        });

        let spec = kind.map(|kind| Self {
            method,
            path,
            kind,
            rate_ppm: rate_ppm.unwrap_or(ALWAYS_PPM),
            times,
            seed,
        });
        if let Some(Err((name, detail))) = spec.as_ref().map(Self::check) {
            fields.error(name, detail);
        }
        fields.finish()?;
        // Every path that leaves `spec` empty records a field error first,
        // so `finish` has already returned.
        spec.ok_or_else(ApiError::internal)
    }

    /// Checks the values that both forms share, returning the field at
    /// fault and the error detail.
    fn check(&self) -> Result<(), (&'static str, String)> {
        if let FaultKind::Latency { min_ms, max_ms } = self.kind {
            if max_ms > MAX_LATENCY_MS {
                let field = if min_ms == max_ms {
                    "latency_ms"
                } else {
                    "latency_max_ms"
                };
                return Err((
                    field,
                    format!("latency {max_ms} ms is over the maximum of {MAX_LATENCY_MS} ms"),
                ));
            }
            if max_ms < min_ms {
                return Err((
                    "latency_max_ms",
                    format!("maximum latency {max_ms} ms is below the minimum of {min_ms} ms"),
                ));
            }
        }
        if let FaultKind::SseDrop { every: 0 } = self.kind {
            return Err((
                "every",
                "every 0 is out of range: end streams after at least 1 event".to_owned(),
            ));
        }
        if let Some(times) = self.times
            && !(1..=MAX_TIMES).contains(&times)
        {
            return Err((
                "times",
                format!("times {times} is out of range: use 1 to {MAX_TIMES}"),
            ));
        }
        Ok(())
    }
}

impl fmt::Display for FaultSpec {
    /// Writes the spec in the `--fault` flag syntax.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target: Vec<&str> = [
            self.method.as_ref().map(Method::as_str),
            self.path.as_ref().map(PathPattern::as_str),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !target.is_empty() {
            write!(formatter, "{}:", target.join(" "))?;
        }

        match self.kind {
            FaultKind::Latency { min_ms, max_ms } if min_ms == max_ms => {
                write!(formatter, "latency={min_ms}")?;
            }
            FaultKind::Latency { min_ms, max_ms } => {
                write!(formatter, "latency={min_ms}-{max_ms}")?
            }
            FaultKind::Status {
                status,
                retry_after,
            } => {
                write!(formatter, "status={}", status.as_u16())?;
                if let Some(seconds) = retry_after {
                    write!(formatter, ":retry-after={seconds}")?;
                }
            }
            FaultKind::DropBeforeCommit => formatter.write_str("drop-before-commit")?,
            FaultKind::DropAfterCommit => formatter.write_str("drop-after-commit")?,
            FaultKind::TruncateBody => formatter.write_str("truncate-body")?,
            FaultKind::SseDrop { every } => write!(formatter, "sse-drop={every}")?,
        }

        if self.rate_ppm != ALWAYS_PPM {
            write!(
                formatter,
                ":rate={}",
                f64::from(self.rate_ppm) / f64::from(ALWAYS_PPM)
            )?;
        }
        if let Some(times) = self.times {
            write!(formatter, ":times={times}")?;
        }
        if let Some(seed) = self.seed {
            write!(formatter, ":seed={seed}")?;
        }
        Ok(())
    }
}

impl Serialize for PathPattern {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// Returns a member that is present and not null.
fn optional<'a>(fields: &Fields<'a>, name: &str) -> Option<&'a Value> {
    fields.get(name).filter(|value| !value.is_null())
}

fn parse_kind(text: &str) -> Result<FaultKind, String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (text, None),
    };
    let name = name.replace('_', "-");
    let kind = match (name.as_str(), value) {
        ("latency", Some(value)) => {
            let parse = |part: &str| {
                part.parse::<u64>().map_err(|_| {
                    format!(
                        "`latency` must be milliseconds such as `250` or `100-500`, not `{value}`"
                    )
                })
            };
            let (min_ms, max_ms) = match value.split_once('-') {
                Some((min, max)) => (parse(min)?, parse(max)?),
                None => (parse(value)?, parse(value)?),
            };
            FaultKind::Latency { min_ms, max_ms }
        }
        ("status", Some(value)) => {
            let code = value
                .parse::<u64>()
                .map_err(|_| format!("`status` must be an HTTP status code, not `{value}`"))?;
            FaultKind::Status {
                status: error_status(code)?,
                retry_after: None,
            }
        }
        ("sse-drop", Some(value)) => FaultKind::SseDrop {
            every: value.parse::<u64>().map_err(|_| {
                format!("`sse-drop` must be a number of events such as `3`, not `{value}`")
            })?,
        },
        ("drop-before-commit", None) => FaultKind::DropBeforeCommit,
        ("drop-after-commit", None) => FaultKind::DropAfterCommit,
        ("truncate-body", None) => FaultKind::TruncateBody,
        ("latency" | "status" | "sse-drop", None) => {
            return Err(format!("`{name}` needs a value: `{name}=...`"));
        }
        _ => {
            return Err(format!(
                "unknown fault kind `{text}`; expected latency=MS, status=CODE, drop-before-commit, drop-after-commit, truncate-body or sse-drop=N"
            ));
        }
    };
    Ok(kind)
}

/// Parses `METHOD PATH`, `METHOD` or `PATH`.
fn parse_target(text: &str) -> Result<(Option<Method>, Option<PathPattern>), String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [path] if path.starts_with('/') => Ok((None, Some(PathPattern::parse(path)?))),
        [method] => Ok((parse_method(method)?, None)),
        [method, path] => Ok((parse_method(method)?, Some(PathPattern::parse(path)?))),
        _ => Err(format!(
            "invalid target `{text}`: use `METHOD PATH`, `METHOD` or `PATH`"
        )),
    }
}

/// Parses a method name; `*` means every method.
fn parse_method(text: &str) -> Result<Option<Method>, String> {
    if text == "*" {
        return Ok(None);
    }
    let valid = !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_alphabetic());
    if !valid {
        return Err(format!(
            "invalid method `{text}`: use a name such as `POST`, or `*`"
        ));
    }
    Method::from_bytes(text.to_ascii_uppercase().as_bytes())
        .map(Some)
        .map_err(|_| format!("invalid method `{text}`"))
}

/// Accepts the 4xx and 5xx statuses.
fn error_status(code: u64) -> Result<StatusCode, String> {
    u16::try_from(code)
        .ok()
        .filter(|code| (400..=599).contains(code))
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| format!("status {code} is not an error status: use 400 to 599"))
}

fn rate_to_ppm(rate: f64) -> Result<u32, String> {
    if !(0.0..=1.0).contains(&rate) {
        return Err(format!(
            "rate {rate} is out of range: use a number from 0 to 1"
        ));
    }
    // In range, so the product is at most one million and fits a u32.
    Ok((rate * f64::from(ALWAYS_PPM)).round() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_matches_segments() {
        let pattern = PathPattern::parse("/v1/plants/{id}/stock").expect("valid pattern");
        assert!(pattern.matches("/v1/plants/plt_1/stock"));
        assert!(!pattern.matches("/v1/plants//stock"));
        assert!(!pattern.matches("/v1/plants/plt_1"));
        assert!(!pattern.matches("/v1/plants/plt_1/stock/x"));

        let rest = PathPattern::parse("/v1/**").expect("valid pattern");
        assert!(rest.matches("/v1/orders/ord_1/cancel"));
        assert!(rest.matches("/v1/"));
        assert!(!rest.matches("/v2/orders"));
    }

    #[test]
    fn pattern_rejects_inner_double_star() {
        assert!(PathPattern::parse("/v1/**/stock").is_err());
        assert!(PathPattern::parse("v1/plants").is_err());
    }

    #[test]
    fn flag_syntax_round_trips() {
        for text in [
            "POST /v1/orders:drop-after-commit:times=1",
            "GET /v1/plants/*:latency=100-300",
            "status=503:rate=0.2:seed=7",
            "/v1/plants:status=429:retry-after=3:times=2",
            "DELETE:drop-before-commit",
            "truncate-body",
            "latency=250",
            "sse-drop=3:times=2",
            "/v1/events/stream:sse-drop=1",
        ] {
            let spec = FaultSpec::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
            assert_eq!(spec.to_string(), text);
        }
    }

    #[test]
    fn flag_syntax_reads_every_part() {
        let spec = FaultSpec::parse("post /v1/orders : status=503 : retry-after=2 : rate=0.5")
            .expect("valid spec");

        assert_eq!(spec.method, Some(Method::POST));
        assert_eq!(
            spec.path.as_ref().map(PathPattern::as_str),
            Some("/v1/orders")
        );
        assert_eq!(
            spec.kind,
            FaultKind::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: Some(2)
            }
        );
        assert_eq!(spec.rate_ppm, 500_000);
    }

    #[test]
    fn flag_syntax_rejects_bad_input() {
        for text in [
            "",
            "POST /v1/orders",
            "explode",
            "status=200",
            "status=abc",
            "latency",
            "latency=500-100",
            "latency=900000",
            "drop-after-commit:times=0",
            "sse-drop",
            "sse-drop=0",
            "sse-drop=many",
            "drop-after-commit:rate=2",
            "drop-after-commit:retry-after=1",
            "drop-after-commit:color=red",
            "GET POST /v1:truncate-body",
            "P0ST /v1/plants:truncate-body",
        ] {
            assert!(FaultSpec::parse(text).is_err(), "`{text}` was accepted");
        }
    }

    #[test]
    fn default_target_is_v1_but_never_admin() {
        let spec = FaultSpec::parse("truncate-body").expect("valid spec");
        assert!(spec.targets(&Method::GET, "/v1/plants"));
        assert!(!spec.targets(&Method::GET, "/health"));

        let everything = FaultSpec::parse("/**:truncate-body").expect("valid spec");
        assert!(everything.targets(&Method::GET, "/health"));
        assert!(!everything.targets(&Method::GET, "/admin/faults"));
    }
}
