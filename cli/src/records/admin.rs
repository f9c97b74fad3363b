//! Table rows, CSV records and field lists of the server's health and of
//! the mock server's rate limit, journal entries and faults.

use letta::types::{Fault, Health, JournalEntry, RateLimit};

use super::{column, timestamp};
use crate::output::{Column, Record, Styled};

const HEALTH_COLUMNS: &[Column] = &[column("STATUS", false, false)];

const RATE_LIMIT_COLUMNS: &[Column] = &[
    column("ENABLED", false, false),
    column("QUOTA", true, false),
    column("WINDOW", true, false),
];

const JOURNAL_COLUMNS: &[Column] = &[
    column("SEQ", true, false),
    column("TIME", false, false),
    column("METHOD", false, false),
    column("PATH", false, true),
    column("STATUS", true, false),
    column("MS", true, false),
    column("FAULTS", false, true),
];

const JOURNAL_CSV_HEADER: &[&str] = &[
    "sequence",
    "request_id",
    "time",
    "method",
    "path",
    "query",
    "status",
    "duration_ms",
    "faults",
];

const FAULT_COLUMNS: &[Column] = &[
    column("ID", true, false),
    column("KIND", false, false),
    column("SPEC", false, true),
    column("APPLIED", true, false),
    column("REMAINING", true, false),
];

const FAULT_CSV_HEADER: &[&str] = &[
    "id",
    "method",
    "path",
    "kind",
    "latency_ms",
    "latency_max_ms",
    "status",
    "retry_after",
    "rate",
    "times",
    "remaining",
    "applied",
    "seed",
    "spec",
];

impl Record for Health {
    fn columns() -> &'static [Column] {
        HEALTH_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![Styled::plain(&self.status)]
    }

    fn csv_header() -> &'static [&'static str] {
        &["status"]
    }

    fn csv_record(&self) -> Vec<String> {
        vec![self.status.clone()]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![("Status", Styled::plain(&self.status))]
    }
}

impl Record for RateLimit {
    fn columns() -> &'static [Column] {
        RATE_LIMIT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(self.enabled.to_string()),
            Styled::plain(self.quota.to_string()),
            Styled::plain(format!("{} s", self.window_seconds)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        &["enabled", "quota", "window_seconds"]
    }

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.enabled.to_string(),
            self.quota.to_string(),
            self.window_seconds.to_string(),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("Enabled", Styled::plain(self.enabled.to_string())),
            ("Quota", Styled::plain(self.quota.to_string())),
            (
                "Window",
                Styled::plain(format!("{} s", self.window_seconds)),
            ),
        ]
    }
}

impl Record for JournalEntry {
    fn columns() -> &'static [Column] {
        JOURNAL_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(self.sequence.to_string()),
            Styled::plain(timestamp(&self.time)),
            Styled::plain(&self.method),
            Styled::plain(path_and_query(self)),
            Styled::plain(optional(self.status)),
            Styled::plain(self.duration_ms.to_string()),
            Styled::plain(self.faults.join(", ")),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        JOURNAL_CSV_HEADER
    }

    /// Faults are joined with `;`.
    fn csv_record(&self) -> Vec<String> {
        vec![
            self.sequence.to_string(),
            self.request_id.clone().unwrap_or_default(),
            timestamp(&self.time),
            self.method.clone(),
            self.path.clone(),
            self.query.clone().unwrap_or_default(),
            optional(self.status),
            self.duration_ms.to_string(),
            self.faults.join(";"),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("Sequence", Styled::plain(self.sequence.to_string())),
            (
                "Request id",
                Styled::plain(self.request_id.clone().unwrap_or_default()),
            ),
            ("Time", Styled::plain(timestamp(&self.time))),
            ("Method", Styled::plain(&self.method)),
            ("Path", Styled::plain(path_and_query(self))),
            ("Status", Styled::plain(optional(self.status))),
            (
                "Duration",
                Styled::plain(format!("{} ms", self.duration_ms)),
            ),
            ("Faults", Styled::plain(self.faults.join(", "))),
        ]
    }
}

impl Record for Fault {
    fn columns() -> &'static [Column] {
        FAULT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(self.id.to_string()),
            Styled::plain(self.kind.as_str()),
            Styled::plain(&self.spec),
            Styled::plain(self.applied.to_string()),
            Styled::plain(remaining(self.remaining)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        FAULT_CSV_HEADER
    }

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.method.clone().unwrap_or_default(),
            self.path.clone().unwrap_or_default(),
            self.kind.to_string(),
            optional(self.latency_ms),
            optional(self.latency_max_ms),
            optional(self.status),
            optional(self.retry_after),
            self.rate.to_string(),
            optional(self.times),
            optional(self.remaining),
            self.applied.to_string(),
            self.seed.to_string(),
            self.spec.clone(),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(self.id.to_string())),
            ("Kind", Styled::plain(self.kind.as_str())),
            ("Spec", Styled::plain(&self.spec)),
            (
                "Method",
                Styled::plain(self.method.as_deref().unwrap_or("every method")),
            ),
            (
                "Path",
                Styled::plain(self.path.as_deref().unwrap_or("every path under /v1")),
            ),
            ("Rate", Styled::plain(self.rate.to_string())),
            ("Applied", Styled::plain(self.applied.to_string())),
            ("Remaining", Styled::plain(remaining(self.remaining))),
            ("Seed", Styled::plain(self.seed.to_string())),
        ]
    }
}

fn path_and_query(entry: &JournalEntry) -> String {
    match &entry.query {
        Some(query) if !query.is_empty() => format!("{}?{query}", entry.path),
        _ => entry.path.clone(),
    }
}

fn optional<T: ToString>(value: Option<T>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// Formats a fault's remaining count, where `None` means no limit.
fn remaining(value: Option<u64>) -> String {
    value.map_or_else(|| "unlimited".to_owned(), |count| count.to_string())
}
