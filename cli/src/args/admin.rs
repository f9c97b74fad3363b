//! Arguments of `letta admin ...`, the mock server's control surface.

use clap::{Args, Subcommand, ValueEnum};
use letta::types::EventType;

use super::commerce::PageArgs;
use super::sdk_enum;

#[derive(Debug, Subcommand)]
pub(crate) enum AdminArgs {
    /// Restore the server's data to its seed and refill every rate-limit
    /// bucket; the journal, faults and rate limit stay
    Reset,

    /// Show the rate limit, or change it with `set`
    RateLimit {
        #[command(subcommand)]
        action: Option<RateLimitArgs>,
    },

    /// Print the request journal, oldest first, or clear it with --clear
    Journal(JournalArgs),

    /// List, add, show and remove injected faults
    #[command(subcommand)]
    Faults(FaultsArgs),

    /// Append an event of any type to the log, as if a change had made it,
    /// so streams and subscribed webhook endpoints receive it
    Trigger {
        /// Event type, such as plant.low_stock
        #[arg(value_name = "TYPE", value_parser = sdk_enum::<EventType>(EventType::known_values()))]
        event_type: EventType,

        /// Make the event about this existing object [default: the newest
        /// object of the type's resource]
        #[arg(long, value_name = "ID", conflicts_with = "data")]
        object_id: Option<String>,

        /// The event's data as a JSON object, stored as given
        #[arg(long, value_name = "JSON", value_parser = parse_json_object)]
        data: Option<serde_json::Value>,
    },

    /// List the delivery attempts to every webhook endpoint, oldest first
    Deliveries {
        /// Keep the attempts to this endpoint, such as whk_00000001N4P8VZ6C
        #[arg(long = "webhook", value_name = "ID")]
        webhook: Option<String>,

        /// Keep the attempts at this event
        #[arg(long = "event", value_name = "ID")]
        event: Option<String>,

        /// Keep the attempts at events of this type
        #[arg(long = "type", value_name = "TYPE", value_parser = sdk_enum::<EventType>(EventType::known_values()))]
        event_type: Option<EventType>,

        #[command(flatten)]
        page: PageArgs,
    },
}

/// Parses a JSON object given on the command line.
fn parse_json_object(raw: &str) -> Result<serde_json::Value, String> {
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err(format!("`{raw}` is not a JSON object; use {{...}}")),
        Err(error) => Err(format!("`{raw}` is not valid JSON: {error}")),
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum RateLimitArgs {
    /// Show the rate limit
    Get,

    /// Replace the rate limit and refill every bucket
    Set {
        /// Requests per window for each API key; 0 turns rate limiting off
        quota: u64,

        /// Window in seconds [default: the current window]
        #[arg(long, value_name = "SECONDS")]
        window: Option<u64>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct JournalArgs {
    /// Keep requests with this method, such as POST
    #[arg(long, conflicts_with = "clear")]
    pub(crate) method: Option<String>,

    /// Keep requests whose path matches this pattern, such as /v1/plants/**
    #[arg(long, value_name = "PATTERN", conflicts_with = "clear")]
    pub(crate) path: Option<String>,

    /// Keep only the latest N matching requests
    #[arg(long, value_name = "N", conflicts_with = "clear")]
    pub(crate) limit: Option<u32>,

    /// Remove every entry instead of printing them
    #[arg(long)]
    pub(crate) clear: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum FaultsArgs {
    /// List the faults in the order they apply
    List,

    /// Add a fault after the existing ones
    Add(AddFaultArgs),

    /// Show one fault with its counters
    Get {
        /// Fault id, such as 1
        id: u64,
    },

    /// Remove one fault
    Delete {
        /// Fault id
        id: u64,
    },

    /// Remove every fault
    Clear,
}

/// The effect of a fault. The server checks which options each kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FaultKindArg {
    /// Wait before the request runs (--latency-ms, --latency-max-ms)
    Latency,
    /// Return an error status instead of running the request
    /// (--status, --retry-after)
    Status,
    /// Close the connection without a response; the request never runs
    DropBeforeCommit,
    /// Run the request, then close the connection without a response
    DropAfterCommit,
    /// Run the request, then send half of the body and close the connection
    TruncateBody,
    /// End each event stream after --every events
    SseDrop,
}

#[derive(Debug, Args)]
pub(crate) struct AddFaultArgs {
    /// Effect of the fault
    #[arg(value_enum)]
    pub(crate) kind: FaultKindArg,

    /// Apply to requests with this method only, such as POST [default: every method]
    #[arg(long)]
    pub(crate) method: Option<String>,

    /// Apply to paths matching this pattern only, such as /v1/plants/*
    /// [default: every path under /v1]
    #[arg(long, value_name = "PATTERN")]
    pub(crate) path: Option<String>,

    /// Latency in milliseconds, or its minimum with --latency-max-ms
    #[arg(long, value_name = "MS")]
    pub(crate) latency_ms: Option<u64>,

    /// Maximum of a random latency in milliseconds
    #[arg(long, value_name = "MS")]
    pub(crate) latency_max_ms: Option<u64>,

    /// Error status to return, 400 to 599
    #[arg(long, value_name = "CODE")]
    pub(crate) status: Option<u16>,

    /// Seconds to send in Retry-After with --status
    #[arg(long, value_name = "SECONDS")]
    pub(crate) retry_after: Option<u64>,

    /// Events after which each event stream ends (sse-drop)
    #[arg(long, value_name = "N")]
    pub(crate) every: Option<u64>,

    /// Probability, 0 to 1, that a matching request is affected [default: 1]
    #[arg(long, value_name = "RATE")]
    pub(crate) rate: Option<f64>,

    /// Stop after affecting this many requests [default: no limit]
    #[arg(long, value_name = "N")]
    pub(crate) times: Option<u64>,

    /// Seed of the random draws, for a repeatable run [default: derived
    /// from the server's seed]
    #[arg(long, value_name = "N")]
    pub(crate) seed: Option<u64>,
}
