//! The incremental event-stream parser.
//!
//! The parser reads lines straight from the caller's chunk and copies a line
//! only when it is split across chunks. It searches each byte for a line
//! ending once, so a body that arrives one byte at a time costs the same
//! number of scans as one that arrives whole.

use std::borrow::Cow;
use std::mem;
use std::time::Duration;

use bytes::Buf;

use super::{End, Event, ParseError};

/// The default for [`ParserBuilder::max_line_length`]: 16 MiB.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 16 * 1024 * 1024;

/// The default for [`ParserBuilder::max_event_length`]: 16 MiB.
pub const DEFAULT_MAX_EVENT_LENGTH: usize = 16 * 1024 * 1024;

/// The UTF-8 byte-order mark, which the standard strips once at the start of
/// a stream.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// The length from which a field value is checked for UTF-8 with SIMD.
const SIMD_VALIDATION_MIN_LENGTH: usize = 64;

/// How many bytes of a line are searched for the colon after a field name
/// one by one, before a vector search takes over.
const FIELD_NAME_SCAN_LENGTH: usize = 8;

/// The capacity up to which the buffer for split lines is kept for reuse, so
/// one huge line does not pin its memory for the rest of the stream.
const RETAINED_LINE_CAPACITY: usize = 64 * 1024;

/// An incremental parser for a `text/event-stream` body.
///
/// Pass each chunk of the body to [`next_event`](Parser::next_event) until it
/// returns `Ok(None)`, then pass the next chunk. Call
/// [`finish`](Parser::finish) when the body ends. See the
/// [module documentation](crate::sse) for an example.
#[derive(Debug, Clone)]
pub struct Parser {
    max_line_length: usize,
    max_event_length: usize,

    /// The start of a line whose end has not arrived yet.
    partial_line: Vec<u8>,
    /// Whether the current line has bytes that were skipped, not stored,
    /// because its event is being discarded.
    skipped_line_bytes: bool,
    /// Whether the last chunk ended with CR, so an LF at the start of the
    /// next chunk completes that line ending instead of ending an empty line.
    skip_next_lf: bool,
    /// Whether no line of the current body has been completed yet, so the
    /// next line may start with a byte-order mark.
    at_body_start: bool,
    /// Whether the lines up to the next blank line are ignored, because the
    /// event they belong to broke a size limit.
    discarding_event: bool,
    /// Whether a field line has arrived since the last blank line.
    event_open: bool,

    data: String,
    has_data: bool,
    event_type: String,
    /// The value of the current event's `id:` field, which becomes the last
    /// event id when the event is dispatched. Together with `id_pending`
    /// this is the standard's "last event ID buffer": while `id_pending` is
    /// false the buffer equals `last_event_id`, and this field is stale.
    id_buffer: String,
    /// Whether an `id:` field since the last blank line set `id_buffer`.
    id_pending: bool,
    last_event_id: String,
    reconnection_time: Option<Duration>,
    /// The event or error that stopped the last slice, handed out by
    /// [`next_event`](Parser::next_event) before it returns.
    output: Option<Result<Event, ParseError>>,
}

/// A builder for a [`Parser`] with non-default limits or a known last event id.
#[derive(Debug, Clone)]
pub struct ParserBuilder {
    max_line_length: usize,
    max_event_length: usize,
    last_event_id: String,
}

/// An iterator over the events in one chunk, returned by [`Parser::events`].
#[derive(Debug)]
pub struct Events<'a, B: ?Sized> {
    parser: &'a mut Parser,
    input: &'a mut B,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Default for ParserBuilder {
    fn default() -> Self {
        ParserBuilder {
            max_line_length: DEFAULT_MAX_LINE_LENGTH,
            max_event_length: DEFAULT_MAX_EVENT_LENGTH,
            last_event_id: String::new(),
        }
    }
}

impl ParserBuilder {
    /// Sets the maximum length of one line in bytes, without its line
    /// ending. The default is [`DEFAULT_MAX_LINE_LENGTH`].
    pub fn max_line_length(mut self, bytes: usize) -> Self {
        self.max_line_length = bytes;
        self
    }

    /// Sets the maximum length of one event's data in bytes, after UTF-8
    /// decoding and with the `\n` between `data:` lines counted. The default
    /// is [`DEFAULT_MAX_EVENT_LENGTH`].
    pub fn max_event_length(mut self, bytes: usize) -> Self {
        self.max_event_length = bytes;
        self
    }

    /// Sets the last event id the parser starts from, for a stream that
    /// resumes after an id seen earlier. The default is empty (no id).
    pub fn last_event_id(mut self, id: impl Into<String>) -> Self {
        self.last_event_id = id.into();
        self
    }

    /// Builds the parser.
    pub fn build(self) -> Parser {
        Parser {
            max_line_length: self.max_line_length,
            max_event_length: self.max_event_length,
            partial_line: Vec::new(),
            skipped_line_bytes: false,
            skip_next_lf: false,
            at_body_start: true,
            discarding_event: false,
            event_open: false,
            data: String::new(),
            has_data: false,
            event_type: String::new(),
            id_buffer: String::new(),
            id_pending: false,
            last_event_id: self.last_event_id,
            reconnection_time: None,
            output: None,
        }
    }
}

impl Parser {
    /// Creates a parser with the default limits and no last event id.
    pub fn new() -> Self {
        ParserBuilder::default().build()
    }

    /// Returns a builder to set the limits or the last event id.
    ///
    /// ```
    /// let parser = letta::sse::Parser::builder()
    ///     .max_line_length(1024 * 1024)
    ///     .last_event_id("evt_0000002A9C4XR7TB")
    ///     .build();
    /// assert_eq!(parser.last_event_id(), "evt_0000002A9C4XR7TB");
    /// ```
    pub fn builder() -> ParserBuilder {
        ParserBuilder::default()
    }

    /// Returns the maximum length of one line in bytes.
    pub fn max_line_length(&self) -> usize {
        self.max_line_length
    }

    /// Returns the maximum length of one event's data in bytes.
    pub fn max_event_length(&self) -> usize {
        self.max_event_length
    }

    /// Returns the last event id: the id of the last event dispatched, or
    /// set by an `id:` field in a block without data. Empty when the stream
    /// has not set one, in which case a reconnecting client sends no
    /// `Last-Event-ID`.
    ///
    /// An `id:` field of an event that has not been dispatched yet, or that
    /// was discarded, does not count.
    pub fn last_event_id(&self) -> &str {
        &self.last_event_id
    }

    /// Returns the reconnection time the server set with its latest valid
    /// `retry:` field, or `None` when it has sent none.
    ///
    /// A `retry:` value takes effect as soon as its line is parsed, even in
    /// an event that is never dispatched. Values that are not all ASCII
    /// digits, and values that do not fit in a `u64` of milliseconds, are
    /// ignored.
    pub fn reconnection_time(&self) -> Option<Duration> {
        self.reconnection_time
    }

    /// Parses `input` up to the end of the next event and returns it.
    ///
    /// The parser consumes bytes from the front of `input` (a `&[u8]`,
    /// [`Bytes`](bytes::Bytes) or any other [`Buf`]) and stops right after
    /// the blank line that dispatches an event, leaving the rest in `input`
    /// for the next call. It returns `Ok(None)` once `input` is used up. The
    /// start of an event or of a line that continues in the next chunk stays
    /// inside the parser.
    ///
    /// # Errors
    ///
    /// Returns [`ParseError::LineTooLong`] or [`ParseError::EventTooLarge`]
    /// when the stream breaks a size limit. The parser has then discarded
    /// that event and consumed the input up to the point of the error, so
    /// the next call goes on with the rest of the stream.
    #[inline]
    pub fn next_event<B: Buf + ?Sized>(
        &mut self,
        input: &mut B,
    ) -> Result<Option<Event>, ParseError> {
        loop {
            // `Buf` promises an empty chunk only when no bytes remain.
            let consumed = match input.chunk() {
                [] => return Ok(None),
                // A byte in the middle of a line, the whole of each chunk
                // when a server flushes every byte: kept without a call.
                &[byte] if self.extends_line(byte) => {
                    self.partial_line.push(byte);
                    input.advance(1);
                    continue;
                }
                chunk => self.parse_slice(chunk),
            };
            input.advance(consumed);
            if self.output.is_some() {
                return self.take_output();
            }
        }
    }

    /// Returns an iterator over the events in `input`, which calls
    /// [`next_event`](Parser::next_event) until `input` is used up.
    ///
    /// Events that the iterator was dropped before reaching stay in `input`.
    ///
    /// ```
    /// let mut parser = letta::sse::Parser::new();
    /// let mut chunk = &b"data: a\n\ndata: b\n\n"[..];
    /// let data: Vec<String> = parser.events(&mut chunk).map(|event| event.unwrap().data).collect();
    /// assert_eq!(data, ["a", "b"]);
    /// ```
    pub fn events<'a, B: Buf + ?Sized>(&'a mut self, input: &'a mut B) -> Events<'a, B> {
        Events {
            parser: self,
            input,
        }
    }

    /// Ends the current body and reports whether it ended between events.
    ///
    /// A body that stops in the middle of a line or an event is an early end:
    /// the incomplete event is discarded, never dispatched, and the result is
    /// [`End::IncompleteEvent`]. Either way the parser clears what it kept of
    /// the body and is ready for the next one, as after a reconnection, but
    /// keeps the [last event id](Parser::last_event_id) and the
    /// [reconnection time](Parser::reconnection_time).
    pub fn finish(&mut self) -> End {
        // A body that holds only a byte-order mark has not started a line.
        let only_byte_order_mark = self.at_body_start && self.partial_line == BYTE_ORDER_MARK;
        let incomplete = self.event_open
            || self.discarding_event
            || self.skipped_line_bytes
            || !(self.partial_line.is_empty() || only_byte_order_mark);

        self.clear_partial_line();
        self.skipped_line_bytes = false;
        self.skip_next_lf = false;
        self.at_body_start = true;
        self.discarding_event = false;
        self.clear_event();

        if incomplete {
            End::IncompleteEvent
        } else {
            End::Clean
        }
    }

    /// Tells whether `byte` continues the current line and can be added to
    /// it as is: it is no line ending, the line is kept (not skipped) and
    /// stays within the limit, and no LF of a split CRLF is expected.
    #[inline]
    fn extends_line(&self, byte: u8) -> bool {
        // One branch for both flags, which are almost always false.
        byte != b'\n'
            && byte != b'\r'
            && !(self.skip_next_lf | self.discarding_event)
            && self.partial_line.len() < self.max_line_length
    }

    /// Hands out the event or error that [`parse_slice`](Self::parse_slice)
    /// stopped at.
    fn take_output(&mut self) -> Result<Option<Event>, ParseError> {
        self.output.take().transpose()
    }

    /// Parses lines from a contiguous slice until an event is dispatched, an
    /// error occurs or the slice is used up, and returns how many bytes it
    /// consumed. A dispatched event or an error goes to `output`, which keeps
    /// the return value small for the many calls that find no event.
    fn parse_slice(&mut self, bytes: &[u8]) -> usize {
        let mut position = 0;
        if self.skip_next_lf {
            self.skip_next_lf = false;
            if bytes.first() == Some(&b'\n') {
                position = 1;
            }
        }

        while let Some(rest) = bytes.get(position..).filter(|rest| !rest.is_empty()) {
            let Some(line_end) = find_line_ending(rest) else {
                if let Err(error) = self.hold_partial_line(rest) {
                    self.output = Some(Err(error));
                }
                return bytes.len();
            };

            let ending_length = self.line_ending_length(rest, line_end);
            let stop = self.complete_line(&rest[..line_end]);
            position += line_end + ending_length;
            if stop {
                return position;
            }
        }
        position
    }

    /// Returns the length of the line ending at `rest[line_end]`: 2 for CRLF
    /// and 1 otherwise. A CR that ends the slice may be the first half of a
    /// CRLF split across chunks, so the parser remembers to skip an LF that
    /// starts the next chunk.
    fn line_ending_length(&mut self, rest: &[u8], line_end: usize) -> usize {
        if rest[line_end] == b'\n' {
            return 1;
        }
        match rest.get(line_end + 1) {
            Some(b'\n') => 2,
            Some(_) => 1,
            None => {
                self.skip_next_lf = true;
                1
            }
        }
    }

    /// Keeps the start of a line that continues in the next chunk.
    fn hold_partial_line(&mut self, bytes: &[u8]) -> Result<(), ParseError> {
        if self.discarding_event {
            self.skipped_line_bytes = true;
            return Ok(());
        }

        if self.partial_line.len() + bytes.len() > self.max_line_length {
            self.discard_event();
            // The rest of this line still has to be skipped.
            self.skipped_line_bytes = true;
            return Err(self.line_too_long());
        }

        // A one-byte chunk is common when a server flushes small writes, and
        // a push avoids the call to `memcpy`.
        if let [byte] = bytes {
            self.partial_line.push(*byte);
        } else {
            self.partial_line.extend_from_slice(bytes);
        }
        Ok(())
    }

    /// Handles a line whose ending has arrived; `tail` is the part of it in
    /// the current chunk. Returns `true` when the line dispatched an event or
    /// raised an error, which is then in `output`.
    ///
    /// The event goes to `output` rather than back through the return value
    /// because moving it through each call level cost several percent of the
    /// parser's time.
    fn complete_line(&mut self, tail: &[u8]) -> bool {
        if self.discarding_event {
            let blank = tail.is_empty() && !self.skipped_line_bytes;
            self.skipped_line_bytes = false;
            if blank {
                self.discarding_event = false;
                self.clear_event();
            }
            return false;
        }

        if self.partial_line.is_empty() {
            if tail.len() > self.max_line_length {
                return self.reject_long_line();
            }
            return self.parse_line(tail);
        }

        if self.partial_line.len() + tail.len() > self.max_line_length {
            return self.reject_long_line();
        }
        let mut line = mem::take(&mut self.partial_line);
        line.extend_from_slice(tail);
        let stop = self.parse_line(&line);
        if line.capacity() <= RETAINED_LINE_CAPACITY {
            line.clear();
            self.partial_line = line;
        }
        stop
    }

    /// Discards the event of a line over the limit and puts the error in
    /// `output`.
    fn reject_long_line(&mut self) -> bool {
        self.discard_event();
        self.output = Some(Err(self.line_too_long()));
        true
    }

    /// Interprets one complete line, without its line ending. Returns `true`
    /// when it put an event or an error in `output`.
    fn parse_line(&mut self, mut line: &[u8]) -> bool {
        if self.at_body_start {
            self.at_body_start = false;
            line = line.strip_prefix(BYTE_ORDER_MARK).unwrap_or(line);
        }

        match line.first() {
            None => return self.dispatch(),
            Some(b':') => return false,
            Some(_) => {}
        }

        self.event_open = true;
        let (name, value) = split_field(line);
        match name {
            b"data" => {
                if let Err(error) = self.append_data(value) {
                    self.output = Some(Err(error));
                    return true;
                }
            }
            // The type moves into the event, so a new one needs its own
            // allocation either way.
            b"event" => self.event_type = decode(value).into_owned(),
            // The standard ignores an id that contains NUL.
            b"id" if memchr::memchr(0, value).is_none() => {
                self.id_buffer.clear();
                self.id_buffer.push_str(&decode(value));
                self.id_pending = true;
            }
            b"retry" => {
                if let Some(milliseconds) = parse_retry(value) {
                    self.reconnection_time = Some(Duration::from_millis(milliseconds));
                }
            }
            _ => {}
        }
        false
    }

    fn append_data(&mut self, value: &[u8]) -> Result<(), ParseError> {
        let value = decode(value);
        let separator_length = usize::from(self.has_data);
        if self.data.len() + separator_length + value.len() > self.max_event_length {
            self.discard_event();
            return Err(ParseError::EventTooLarge {
                max_length: self.max_event_length,
            });
        }

        if self.has_data {
            self.data.push('\n');
            self.data.push_str(&value);
        } else if self.data.capacity() == 0 {
            // The first line of an event after one was dispatched: one
            // allocation of the right size.
            self.data = value.into_owned();
        } else {
            self.data.push_str(&value);
        }
        self.has_data = true;
        Ok(())
    }

    /// Ends the current event at a blank line and puts it in `output`,
    /// returning `true`, unless it has no data, in which case only its id
    /// takes effect.
    fn dispatch(&mut self) -> bool {
        self.event_open = false;
        if self.id_pending {
            self.id_pending = false;
            // The id buffer is read again only after the next `id:` field
            // rewrites it, so it may keep the previous id.
            mem::swap(&mut self.last_event_id, &mut self.id_buffer);
        }

        if !self.has_data {
            self.event_type.clear();
            return false;
        }

        self.has_data = false;
        let event_type = if self.event_type.is_empty() {
            String::from("message")
        } else {
            mem::take(&mut self.event_type)
        };
        self.output = Some(Ok(Event {
            event_type,
            data: mem::take(&mut self.data),
            id: self.last_event_id.clone(),
        }));
        true
    }

    /// Drops the current event after a size error and ignores its remaining
    /// lines, up to the blank line that ends it.
    fn discard_event(&mut self) {
        self.at_body_start = false;
        self.discarding_event = true;
        self.skipped_line_bytes = false;
        self.clear_partial_line();
        self.clear_event();
        // Free the memory an oversized event took.
        self.data = String::new();
    }

    /// Clears the fields of the current event. Its `id:` field, if any,
    /// never takes effect.
    fn clear_event(&mut self) {
        self.event_open = false;
        self.data.clear();
        self.has_data = false;
        self.event_type.clear();
        self.id_pending = false;
    }

    fn clear_partial_line(&mut self) {
        if self.partial_line.capacity() > RETAINED_LINE_CAPACITY {
            self.partial_line = Vec::new();
        } else {
            self.partial_line.clear();
        }
    }

    fn line_too_long(&self) -> ParseError {
        ParseError::LineTooLong {
            max_length: self.max_line_length,
        }
    }
}

impl<B: Buf + ?Sized> Iterator for Events<'_, B> {
    type Item = Result<Event, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.parser.next_event(self.input).transpose()
    }
}

/// Returns the index of the first CR or LF in `bytes`.
fn find_line_ending(bytes: &[u8]) -> Option<usize> {
    // memchr's vector search has a fixed cost that a slice of a few bytes,
    // such as a tiny chunk, does not repay, nor does the blank line that
    // ends each event.
    if matches!(bytes.first(), Some(b'\n' | b'\r')) {
        return Some(0);
    }
    if bytes.len() < 16 {
        return bytes
            .iter()
            .position(|&byte| byte == b'\n' || byte == b'\r');
    }
    memchr::memchr2(b'\n', b'\r', bytes)
}

/// Splits a field line into its name and value. The value starts after the
/// first colon, minus one leading space; a line without a colon is a name
/// with an empty value.
fn split_field(line: &[u8]) -> (&[u8], &[u8]) {
    // Field names are short, so the colon is searched byte by byte first.
    let head = &line[..line.len().min(FIELD_NAME_SCAN_LENGTH)];
    let colon = match head.iter().position(|&byte| byte == b':') {
        Some(colon) => colon,
        None if line.len() > head.len() => match memchr::memchr(b':', &line[head.len()..]) {
            Some(colon) => head.len() + colon,
            None => return (line, b""),
        },
        None => return (line, b""),
    };
    let value = &line[colon + 1..];
    (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
}

/// Parses a `retry:` value, which must be one or more ASCII digits.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0_u64, |total, digit| {
        total.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
    })
}

/// Decodes a field value as UTF-8, replacing each invalid sequence with
/// U+FFFD. A line ending never falls inside a multi-byte character, so
/// decoding line by line gives the same text as decoding the whole body.
fn decode(value: &[u8]) -> Cow<'_, str> {
    // A strict check is several times faster than the lossy decoder on valid
    // text, and SIMD pays for its setup only on longer values.
    let valid = if value.len() >= SIMD_VALIDATION_MIN_LENGTH {
        simdutf8::basic::from_utf8(value).ok()
    } else {
        std::str::from_utf8(value).ok()
    };
    match valid {
        Some(text) => Cow::Borrowed(text),
        None => String::from_utf8_lossy(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(parser: &mut Parser, mut input: &[u8]) -> Vec<Result<Event, ParseError>> {
        parser.events(&mut input).collect()
    }

    fn data_of(results: &[Result<Event, ParseError>]) -> Vec<&str> {
        results
            .iter()
            .filter_map(|result| result.as_ref().ok())
            .map(|event| event.data.as_str())
            .collect()
    }

    #[test]
    fn split_field_removes_one_space() {
        assert_eq!(split_field(b"data:  x"), (&b"data"[..], &b" x"[..]));
        assert_eq!(split_field(b"data:x"), (&b"data"[..], &b"x"[..]));
        assert_eq!(split_field(b"data: a:b"), (&b"data"[..], &b"a:b"[..]));
    }

    #[test]
    fn split_field_without_colon() {
        assert_eq!(split_field(b"data"), (&b"data"[..], &b""[..]));
    }

    #[test]
    fn parse_retry_accepts_digits_only() {
        assert_eq!(parse_retry(b"3000"), Some(3000));
        assert_eq!(parse_retry(b"0"), Some(0));
        assert_eq!(parse_retry(b""), None);
        assert_eq!(parse_retry(b"+5"), None);
        assert_eq!(parse_retry(b"-5"), None);
        assert_eq!(parse_retry(b"abc"), None);
        assert_eq!(parse_retry(b"30 00"), None);
        assert_eq!(parse_retry("３".as_bytes()), None);
    }

    #[test]
    fn parse_retry_ignores_overflow() {
        assert_eq!(parse_retry(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_retry(b"18446744073709551616"), None);
    }

    #[test]
    fn decode_replaces_invalid_bytes() {
        assert_eq!(decode(b"a\xFFb"), "a\u{FFFD}b");
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_ending() {
        let mut parser = Parser::new();

        assert!(parse_all(&mut parser, b"data: x\r").is_empty());
        assert!(parser.skip_next_lf);
        let results = parse_all(&mut parser, b"\n\r\n");

        assert_eq!(data_of(&results), ["x"]);
    }

    #[test]
    fn cr_then_other_byte_is_one_line_ending() {
        let mut parser = Parser::new();

        assert!(parse_all(&mut parser, b"data: x\r").is_empty());
        let results = parse_all(&mut parser, b"\r");

        assert_eq!(data_of(&results), ["x"]);
        assert!(parser.skip_next_lf);
    }

    #[test]
    fn byte_order_mark_only_at_body_start() {
        let mut parser = Parser::new();

        let first = parse_all(&mut parser, b"\xEF\xBB\xBFdata: a\n\n");
        let second = parse_all(&mut parser, b"\xEF\xBB\xBFdata: b\n\n");

        assert_eq!(data_of(&first), ["a"]);
        assert!(data_of(&second).is_empty());
    }

    #[test]
    fn finish_restarts_byte_order_mark_check() {
        let mut parser = Parser::new();
        assert!(parse_all(&mut parser, b"data: a\n\n").len() == 1);
        assert_eq!(parser.finish(), End::Clean);

        let results = parse_all(&mut parser, b"\xEF\xBB\xBFdata: b\n\n");

        assert_eq!(data_of(&results), ["b"]);
    }

    #[test]
    fn event_stops_after_dispatching_blank_line() {
        let mut parser = Parser::new();
        let mut input = &b"data: a\n\ndata: b\n\n"[..];

        let event = parser.next_event(&mut input);

        assert_eq!(
            event.map(|event| event.map(|event| event.data)),
            Ok(Some("a".to_owned()))
        );
        assert_eq!(input, b"data: b\n\n");
    }

    #[test]
    fn partial_line_is_held_and_completed() {
        let mut parser = Parser::new();

        assert!(parse_all(&mut parser, b"da").is_empty());
        assert_eq!(parser.partial_line, b"da");
        let results = parse_all(&mut parser, b"ta: x\n\n");

        assert_eq!(data_of(&results), ["x"]);
        assert!(parser.partial_line.is_empty());
    }

    #[test]
    fn completed_line_over_limit_is_error() {
        let mut parser = Parser::builder().max_line_length(8).build();

        let first = parse_all(&mut parser, b"data: ab");
        let second = parse_all(&mut parser, b"cdef\ndata: more\n\ndata: ok\n\n");

        assert!(first.is_empty());
        assert_eq!(second[0], Err(ParseError::LineTooLong { max_length: 8 }));
        assert!(parser.partial_line.is_empty());
        assert_eq!(data_of(&second), ["ok"]);
        assert_eq!(second.len(), 2);
    }

    #[test]
    fn unfinished_line_over_limit_is_error() {
        let mut parser = Parser::builder().max_line_length(8).build();

        let first = parse_all(&mut parser, b"data: abc");
        let second = parse_all(&mut parser, b"def\n\ndata: ok\n\n");

        assert_eq!(first, [Err(ParseError::LineTooLong { max_length: 8 })]);
        assert!(parser.partial_line.is_empty());
        assert_eq!(second.len(), 1);
        assert_eq!(data_of(&second), ["ok"]);
    }

    #[test]
    fn line_at_limit_is_accepted() {
        let mut parser = Parser::builder().max_line_length(7).build();

        let results = parse_all(&mut parser, b"data: x\n\n");

        assert_eq!(data_of(&results), ["x"]);
    }

    #[test]
    fn discarded_event_keeps_last_event_id() {
        let mut parser = Parser::builder().max_event_length(2).build();

        let results = parse_all(&mut parser, b"id: 1\ndata: a\n\nid: 2\ndata: abc\n\n");

        assert_eq!(data_of(&results), ["a"]);
        assert_eq!(results[1], Err(ParseError::EventTooLarge { max_length: 2 }));
        assert_eq!(parser.last_event_id(), "1");
    }

    #[test]
    fn event_length_counts_separators() {
        let mut parser = Parser::builder().max_event_length(3).build();

        let results = parse_all(&mut parser, b"data: a\ndata: b\n\ndata: a\ndata: bc\n\n");

        assert_eq!(data_of(&results), ["a\nb"]);
        assert_eq!(results[1], Err(ParseError::EventTooLarge { max_length: 3 }));
    }

    #[test]
    fn empty_buf_chunk_does_not_loop() {
        let mut parser = Parser::new();
        let mut input: &[u8] = b"";

        assert_eq!(parser.next_event(&mut input), Ok(None));
    }
}
