//! A Server-Sent Events parser.
//!
//! [`Parser`] turns the bytes of a `text/event-stream` body into [`Event`]s,
//! following the WHATWG HTML standard's rules for parsing an event stream
//! (<https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream>).
//! It does no I/O: feed it each chunk of the body as it arrives, in pieces of
//! any size, and it returns the same events whether the body came in one chunk
//! or one byte at a time.
//!
//! ```
//! use letta::sse::{End, Parser};
//!
//! # fn main() -> Result<(), letta::sse::ParseError> {
//! let mut parser = Parser::new();
//! let mut received = Vec::new();
//!
//! // A body cut inside the `data:` line and inside the CRLF line ending.
//! for chunk in [&b"id: 7\nevent: plant.up"[..], b"dated\ndata: {\"n\":1}\r", b"\n\r\n"] {
//!     let mut chunk = chunk;
//!     while let Some(event) = parser.next_event(&mut chunk)? {
//!         received.push(event);
//!     }
//! }
//!
//! assert_eq!(received.len(), 1);
//! assert_eq!(received[0].event_type, "plant.updated");
//! assert_eq!(received[0].data, r#"{"n":1}"#);
//! assert_eq!(parser.last_event_id(), "7");
//! assert_eq!(parser.finish(), End::Clean);
//! # Ok(())
//! # }
//! ```
//!
//! # What the parser keeps between connections
//!
//! A reconnecting client needs two values that outlive one response body: the
//! last event id, sent back as `Last-Event-ID`, and the reconnection time set
//! by the server's `retry:` field. [`Parser::finish`] ends one body, reports
//! whether it stopped in the middle of an event, and keeps both values, so one
//! parser can read every connection of a stream in turn.
//!
//! # Limits
//!
//! A line longer than [`Parser::max_line_length`] or an event whose data is
//! larger than [`Parser::max_event_length`] is rejected with a
//! [`ParseError`], and its event is discarded. Parsing then goes on with the
//! next event. Both limits default to 16 MiB, so a server can never make the
//! parser buffer without bound.

mod parser;
mod stream;

pub use parser::{
    DEFAULT_MAX_EVENT_LENGTH, DEFAULT_MAX_LINE_LENGTH, Events, Parser, ParserBuilder,
};
pub use stream::{
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RECONNECT_DELAY, DEFAULT_RECONNECT_DELAY, EventStream,
    WatchRequest,
};

/// One dispatched event, the equivalent of a browser's `MessageEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Event {
    /// The `event:` field of the event, or `message` when it had none.
    pub event_type: String,
    /// The values of the event's `data:` fields, joined with `\n`.
    pub data: String,
    /// The last event id when the event was dispatched: the event's own `id:`
    /// field, or else the most recent one before it, or an empty string when
    /// the stream has not set one.
    pub id: String,
}

/// The way a body ended, as returned by [`Parser::finish`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "an early end means an event was lost and the stream should reconnect"]
pub enum End {
    /// The body ended between events: every event it started was dispatched.
    Clean,
    /// The body ended in the middle of a line or of an event, which was
    /// discarded without being dispatched.
    IncompleteEvent,
}

/// An event stream that breaks the parser's size limits.
///
/// The parser discards the event the error occurred in and goes on with the
/// next one, so the caller may keep reading after an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A line is longer than the parser's maximum line length.
    #[error(
        "event stream line exceeds the maximum length of {max_length} bytes, so its event was \
         discarded; raise the limit with `ParserBuilder::max_line_length` if the server sends \
         longer lines"
    )]
    LineTooLong {
        /// The maximum line length in bytes, without the line ending.
        max_length: usize,
    },

    /// The data of one event is larger than the parser's maximum event length.
    #[error(
        "event data exceeds the maximum length of {max_length} bytes, so the event was \
         discarded; raise the limit with `ParserBuilder::max_event_length` if the server sends \
         larger events"
    )]
    EventTooLarge {
        /// The maximum length of an event's data in bytes, after UTF-8 decoding.
        max_length: usize,
    },
}
