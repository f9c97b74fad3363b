//! The objects of `/health` and of the mock server's `/admin` surface.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::EventType;
use super::enums::string_enum;

/// The body of `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Health {
    /// `ok` while the server accepts requests.
    pub status: String,
}

/// The mock server's rate-limit policy, which every API key's token bucket
/// follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RateLimit {
    /// False when `quota` is 0.
    pub enabled: bool,
    /// Requests per window for each API key, which is also the largest burst.
    pub quota: u64,
    /// The window in seconds.
    pub window_seconds: u64,
}

/// The body of `PUT /admin/rate-limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetRateLimit {
    /// Requests per window for each API key, 0 to 1,000,000; 0 turns rate
    /// limiting off.
    pub quota: u64,
    /// The window in seconds, 1 to 86,400; `None` keeps the current window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_seconds: Option<u64>,
}

impl SetRateLimit {
    /// Creates a policy of `quota` requests per window, keeping the window.
    pub fn new(quota: u64) -> Self {
        Self {
            quota,
            window_seconds: None,
        }
    }

    /// Sets the window in seconds.
    #[must_use]
    pub fn window_seconds(mut self, seconds: u64) -> Self {
        self.window_seconds = Some(seconds);
        self
    }
}

/// The body of `GET /admin/journal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Journal {
    /// The matching requests, oldest first.
    pub data: Vec<JournalEntry>,
    /// Entries evicted because the journal was full, since it was last cleared.
    pub evicted: u64,
}

/// One request the mock server handled, as its journal records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JournalEntry {
    /// Position since the server started, from 1.
    pub sequence: u64,
    /// The `Request-Id` sent back.
    #[serde(default)]
    pub request_id: Option<String>,
    /// When the request arrived.
    pub time: DateTime<Utc>,
    /// The HTTP method, such as `POST`.
    pub method: String,
    /// The path, such as `/v1/plants`.
    pub path: String,
    /// The query string without `?`, with credentials redacted.
    #[serde(default)]
    pub query: Option<String>,
    /// Request headers by lowercase name, credentials replaced by `[redacted]`.
    pub headers: BTreeMap<String, String>,
    /// The status the server produced; `None` when a fault dropped the
    /// connection before the request ran.
    #[serde(default)]
    pub status: Option<u16>,
    /// Time from arrival to response in milliseconds, injected latency included.
    pub duration_ms: u64,
    /// Kinds of the injected faults that applied, such as `drop_after_commit`.
    pub faults: Vec<String>,
}

string_enum! {
    /// The effect of a mock server fault on each request it matches.
    FaultKind {
        /// Waits before the request runs.
        Latency => "latency",
        /// Returns an error status instead of running the request.
        Status => "status",
        /// Closes the connection without a response; the request never runs.
        DropBeforeCommit => "drop_before_commit",
        /// Runs the request, then closes the connection without a response.
        DropAfterCommit => "drop_after_commit",
        /// Runs the request, then sends half of the body and closes the connection.
        TruncateBody => "truncate_body",
        /// Ends each matching event stream after `every` events.
        SseDrop => "sse_drop",
    }
}

/// A fault in force on the mock server, with its counters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fault {
    /// Identifier, from 1.
    pub id: u64,
    /// The method it applies to; `None` for every method.
    #[serde(default)]
    pub method: Option<String>,
    /// The path pattern it applies to; `None` for every path under `/v1`.
    #[serde(default)]
    pub path: Option<String>,
    /// The fault's effect.
    pub kind: FaultKind,
    /// The latency, or its minimum, in milliseconds (`latency` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The maximum of a random latency in milliseconds (`latency` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_max_ms: Option<u64>,
    /// The status it returns (`status` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Seconds sent in `Retry-After` (`status` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Events after which each matching stream ends (`sse_drop` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Probability that a matching request is affected, 0 to 1.
    pub rate: f64,
    /// How many requests it affects before it stops; `None` for no limit.
    #[serde(default)]
    pub times: Option<u64>,
    /// Requests it can still affect; `None` for no limit.
    #[serde(default)]
    pub remaining: Option<u64>,
    /// Requests it has affected.
    pub applied: u64,
    /// Seed of its random draws.
    pub seed: u64,
    /// The same fault in the mock server's `--fault` flag syntax.
    pub spec: String,
}

/// The body of `POST /admin/faults`. Start from the constructor of a kind,
/// then narrow it with the setters.
///
/// ```
/// use letta::types::NewFault;
///
/// let fault = NewFault::drop_after_commit()
///     .method("POST")
///     .path("/v1/orders")
///     .times(1);
/// assert_eq!(fault.times, Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NewFault {
    /// The method it applies to; `None` for every method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// The path pattern it applies to, such as `/v1/plants/*`; `None` for
    /// every path under `/v1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The fault's effect.
    pub kind: FaultKind,
    /// The latency, or its minimum, in milliseconds (`latency` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// The maximum of a random latency in milliseconds (`latency` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_max_ms: Option<u64>,
    /// The error status to return, 400 to 599 (`status` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Seconds to send in `Retry-After` (`status` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Events after which each matching stream ends, 1 or more (`sse_drop`
    /// only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u64>,
    /// Probability that a matching request is affected, 0 to 1; `None`
    /// means 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// How many requests it affects before it stops; `None` for no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    /// Seed of its random draws; `None` derives one from the server's seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl NewFault {
    fn new(kind: FaultKind) -> Self {
        Self {
            method: None,
            path: None,
            kind,
            latency_ms: None,
            latency_max_ms: None,
            status: None,
            retry_after: None,
            every: None,
            rate: None,
            times: None,
            seed: None,
        }
    }

    /// Creates a fault that waits `ms` milliseconds before the request runs.
    pub fn latency(ms: u64) -> Self {
        Self {
            latency_ms: Some(ms),
            ..Self::new(FaultKind::Latency)
        }
    }

    /// Creates a fault that waits a seeded random time from `min_ms` to `max_ms`
    /// milliseconds before the request runs.
    pub fn latency_between(min_ms: u64, max_ms: u64) -> Self {
        Self {
            latency_ms: Some(min_ms),
            latency_max_ms: Some(max_ms),
            ..Self::new(FaultKind::Latency)
        }
    }

    /// Creates a fault that returns the error `status` (400 to 599) instead
    /// of running the request.
    pub fn status(status: u16) -> Self {
        Self {
            status: Some(status),
            ..Self::new(FaultKind::Status)
        }
    }

    /// Creates a fault that closes the connection before the request runs.
    pub fn drop_before_commit() -> Self {
        Self::new(FaultKind::DropBeforeCommit)
    }

    /// Creates a fault that runs the request, then closes the connection without a
    /// response.
    pub fn drop_after_commit() -> Self {
        Self::new(FaultKind::DropAfterCommit)
    }

    /// Creates a fault that runs the request, then sends half of the body and
    /// closes the connection.
    pub fn truncate_body() -> Self {
        Self::new(FaultKind::TruncateBody)
    }

    /// A fault that ends each event stream (`/v1/plants/stream`,
    /// `/v1/events/stream`) after `every` events, so the client must
    /// reconnect with `Last-Event-ID`.
    pub fn sse_drop(every: u64) -> Self {
        Self {
            every: Some(every),
            ..Self::new(FaultKind::SseDrop)
        }
    }

    /// Applies the fault to requests with this method only, such as `POST`.
    #[must_use]
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Applies the fault to paths matching this pattern only: literal
    /// segments, `*` or `{name}` for one segment, and a final `**` for the rest.
    #[must_use]
    pub fn path(mut self, pattern: impl Into<String>) -> Self {
        self.path = Some(pattern.into());
        self
    }

    /// Sets the seconds sent in `Retry-After` (`status` faults only).
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Sets the probability, 0 to 1, that a matching request is affected.
    #[must_use]
    pub fn rate(mut self, rate: f64) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Stops the fault after it has affected `times` requests.
    #[must_use]
    pub fn times(mut self, times: u64) -> Self {
        self.times = Some(times);
        self
    }

    /// Sets the seed of the fault's random draws, for a repeatable run.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

/// The body of `POST /admin/events`: the type of the event to append and,
/// at most, one of its data or the id of the object it is about.
///
/// ```
/// use letta::types::{EventType, TriggerEvent};
///
/// let trigger = TriggerEvent::new(EventType::PlantLowStock).object_id("plt_0000000100000000");
/// assert_eq!(trigger.object_id.as_deref(), Some("plt_0000000100000000"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TriggerEvent {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// The event's object, stored as given; the server does not check it
    /// against the type's schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    /// An existing object whose current form becomes the data. With
    /// neither this nor `data`, the server uses the newest object of the
    /// type's resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<String>,
}

impl TriggerEvent {
    /// Creates a trigger for an event of `event_type` about the newest
    /// object of its resource.
    pub fn new(event_type: EventType) -> Self {
        Self {
            event_type,
            data: None,
            object_id: None,
        }
    }

    /// Sets the event's data, which must be a JSON object.
    #[must_use]
    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Makes the event about the existing object with this id.
    #[must_use]
    pub fn object_id(mut self, id: impl Into<String>) -> Self {
        self.object_id = Some(id.into());
        self
    }
}
