//! The Server-Sent Events parser against the WHATWG rules for parsing an event
//! stream. Every body is parsed whole, one byte at a time and split in two at
//! every position, and each way must give the same result.

use std::time::Duration;

use bytes::{Buf, Bytes};
use letta::sse::{End, Event, ParseError, Parser};
use proptest::prelude::*;

/// One thing the parser returned, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Event(Event),
    Error(ParseError),
}

/// Everything a caller can observe after parsing one body.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    items: Vec<Item>,
    end: End,
    last_event_id: String,
    reconnection_time: Option<Duration>,
}

impl Outcome {
    fn events(&self) -> Vec<&Event> {
        self.items
            .iter()
            .filter_map(|item| match item {
                Item::Event(event) => Some(event),
                Item::Error(_) => None,
            })
            .collect()
    }

    fn errors(&self) -> Vec<&ParseError> {
        self.items
            .iter()
            .filter_map(|item| match item {
                Item::Error(error) => Some(error),
                Item::Event(_) => None,
            })
            .collect()
    }

    fn data(&self) -> Vec<&str> {
        self.events()
            .into_iter()
            .map(|event| event.data.as_str())
            .collect()
    }
}

fn drain(parser: &mut Parser, input: &mut impl Buf, items: &mut Vec<Item>) {
    for result in parser.events(input) {
        items.push(match result {
            Ok(event) => Item::Event(event),
            Err(error) => Item::Error(error),
        });
    }
}

/// Feeds `chunks` to `parser` as one body and ends it.
fn parse_with(parser: &mut Parser, chunks: &[&[u8]]) -> Outcome {
    let mut items = Vec::new();
    for chunk in chunks {
        let mut chunk = *chunk;
        drain(parser, &mut chunk, &mut items);
        assert!(
            chunk.is_empty(),
            "the parser left {} bytes of a chunk",
            chunk.len()
        );
    }
    Outcome {
        items,
        end: parser.finish(),
        last_event_id: parser.last_event_id().to_owned(),
        reconnection_time: parser.reconnection_time(),
    }
}

fn parse_chunks(chunks: &[&[u8]]) -> Outcome {
    parse_with(&mut Parser::new(), chunks)
}

/// Parses `body` whole, as `Bytes`, one byte at a time, split in two at every
/// position, and as a `Buf` made of two slices. Asserts that every way gives
/// the same outcome and returns it.
fn parse_every_way(body: &[u8]) -> Outcome {
    let whole = {
        let mut parser = Parser::new();
        let mut items = Vec::new();
        let mut bytes = Bytes::copy_from_slice(body);
        drain(&mut parser, &mut bytes, &mut items);
        Outcome {
            items,
            end: parser.finish(),
            last_event_id: parser.last_event_id().to_owned(),
            reconnection_time: parser.reconnection_time(),
        }
    };

    let one_byte_chunks: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(
        parse_chunks(&one_byte_chunks),
        whole,
        "body split into one-byte chunks"
    );

    for split in 1..body.len() {
        let (head, tail) = body.split_at(split);
        assert_eq!(
            parse_chunks(&[head, tail]),
            whole,
            "body split at byte {split}"
        );

        let mut parser = Parser::new();
        let mut items = Vec::new();
        let mut chained = head.chain(tail);
        drain(&mut parser, &mut chained, &mut items);
        assert_eq!(
            items, whole.items,
            "body as a chained Buf split at byte {split}"
        );
    }

    whole
}

fn event(event_type: &str, data: &str, id: &str) -> Event {
    Event {
        event_type: event_type.to_owned(),
        data: data.to_owned(),
        id: id.to_owned(),
    }
}

// Multi-byte characters split across chunks.

#[test]
fn multi_byte_characters_decode_intact() {
    let body = "data: {\"name\":\"café ☕ 你好 🌱\"}\n\n".as_bytes();

    let outcome = parse_every_way(body);

    assert_eq!(outcome.data(), ["{\"name\":\"café ☕ 你好 🌱\"}"]);
    assert!(!outcome.data()[0].contains('\u{FFFD}'));
    assert_eq!(outcome.end, End::Clean);
}

#[test]
fn multi_byte_characters_cut_inside_each() {
    // Cut inside é (2 bytes), ☕ (3 bytes), 你 (3 bytes) and 🌱 (4 bytes).
    let text = "data: café ☕ 你好 🌱\n\n";
    let bytes = text.as_bytes();
    let cuts = [
        text.find('é').expect("é is in the text") + 1,
        text.find('☕').expect("☕ is in the text") + 2,
        text.find('你').expect("你 is in the text") + 1,
        text.find('🌱').expect("🌱 is in the text") + 3,
    ];
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&bytes[start..cut]);
        start = cut;
    }
    chunks.push(&bytes[start..]);

    let outcome = parse_chunks(&chunks);

    assert_eq!(outcome.data(), ["café ☕ 你好 🌱"]);
}

#[test]
fn invalid_byte_becomes_one_replacement_character() {
    let body = b"data: a\xFFb\n\ndata: next\n\n";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.data(), ["a\u{FFFD}b", "next"]);
    assert!(outcome.errors().is_empty());
}

#[test]
fn invalid_byte_in_long_value_is_replaced() {
    // Values of 64 bytes and more take the SIMD validation path.
    let long = "x".repeat(100);
    let mut body = format!("data: {long}{long}\n\n").into_bytes();
    body.insert("data: ".len() + long.len(), 0xFF);

    let outcome = parse_every_way(&body);

    assert_eq!(outcome.data(), [format!("{long}\u{FFFD}{long}")]);
}

#[test]
fn truncated_character_is_replaced() {
    // The first two bytes of ☕, then the line ends.
    let body = b"data: \xE2\x98\ndata: ok\n\n";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.data(), ["\u{FFFD}\nok"]);
}

#[test]
fn invalid_bytes_in_id_and_type_are_replaced() {
    let body = b"id: 1\xFF\nevent: a\xC3\ndata: x\n\n";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.events(), [&event("a\u{FFFD}", "x", "1\u{FFFD}")]);
}

// Line endings.

#[test]
fn crlf_across_chunks_is_one_ending() {
    let chunks: [&[u8]; 4] = [b"data: A\r\n", b"data: B\r", b"\ndata: C\r\n", b"\r\n"];

    let outcome = parse_chunks(&chunks);

    assert_eq!(outcome.data(), ["A\nB\nC"]);
    assert_eq!(outcome.end, End::Clean);
    assert_eq!(parse_every_way(&chunks.concat()), outcome);
}

#[test]
fn every_line_ending_dispatches_one_event() {
    let bodies: [&[u8]; 4] = [
        b"data: x\r\r",
        b"data: x\n\n",
        b"data: x\r\n\r\n",
        b"data: x\r\n\n",
    ];

    for body in bodies {
        let outcome = parse_every_way(body);

        assert_eq!(outcome.data(), ["x"], "body {body:?}");
        assert_eq!(outcome.end, End::Clean, "body {body:?}");
    }
}

#[test]
fn lf_cr_is_two_line_endings() {
    let outcome = parse_every_way(b"data: x\n\rdata: y\n\n");

    assert_eq!(outcome.data(), ["x", "y"]);
}

#[test]
fn cr_cr_lf_is_two_line_endings() {
    let outcome = parse_every_way(b"data: x\r\r\ndata: y\r\r\n");

    assert_eq!(outcome.data(), ["x", "y"]);
}

// Field parsing.

#[test]
fn value_without_space_is_kept_whole() {
    let outcome = parse_every_way(b"data:{\"id\":1}\n\n");

    assert_eq!(outcome.data(), ["{\"id\":1}"]);
}

#[test]
fn only_one_leading_space_is_removed() {
    let outcome = parse_every_way(b"data:  x\n\n");

    assert_eq!(outcome.data(), [" x"]);
}

#[test]
fn event_field_sets_type() {
    let outcome = parse_every_way(b"event:order.paid\ndata: {}\n\n");

    assert_eq!(outcome.events(), [&event("order.paid", "{}", "")]);
}

#[test]
fn type_defaults_to_message() {
    let outcome = parse_every_way(b"event: first\ndata: a\n\ndata: b\n\nevent:\ndata: c\n\n");

    let types: Vec<&str> = outcome
        .events()
        .into_iter()
        .map(|event| event.event_type.as_str())
        .collect();
    assert_eq!(types, ["first", "message", "message"]);
}

#[test]
fn standard_field_parsing_vector() {
    let body = b"data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.data(), ["\0\n 2\n1\n3\n\n4"]);
    assert_eq!(outcome.events()[0].event_type, "message");
    assert!(outcome.errors().is_empty());
    assert_eq!(outcome.end, End::Clean);
}

#[test]
fn field_name_without_colon_has_empty_value() {
    let outcome = parse_every_way(b"data\ndata\n\n");

    assert_eq!(outcome.data(), ["\n"]);
}

#[test]
fn single_empty_data_line_dispatches_empty_event() {
    let outcome = parse_every_way(b"data:\n\n");

    assert_eq!(outcome.data(), [""]);
}

#[test]
fn data_lines_are_joined_with_lf() {
    let outcome = parse_every_way(b"data: a\ndata:\ndata: b\n\n");

    assert_eq!(outcome.data(), ["a\n\nb"]);
}

#[test]
fn unknown_fields_and_comments_are_ignored() {
    let outcome = parse_every_way(b"foo: bar\n: comment\nDATA: no\ndata: yes\n\n");

    assert_eq!(outcome.data(), ["yes"]);
}

#[test]
fn id_with_nul_is_ignored() {
    let outcome = parse_every_way(b"id: 1\ndata: a\n\nid: 2\0\ndata: b\n\n");

    assert_eq!(
        outcome.events(),
        [&event("message", "a", "1"), &event("message", "b", "1")]
    );
    assert_eq!(outcome.last_event_id, "1");
}

#[test]
fn empty_id_resets_last_event_id() {
    let outcome = parse_every_way(b"id: 1\ndata: a\n\nid\ndata: b\n\n");

    assert_eq!(
        outcome.events(),
        [&event("message", "a", "1"), &event("message", "b", "")]
    );
    assert_eq!(outcome.last_event_id, "");
}

// Blocks that carry no data.

#[test]
fn blocks_without_data_dispatch_nothing() {
    let body = concat!(
        "retry: 3000\n\n",
        ": ping\n\n",
        ":\n\n",
        "id: 7\n\n",
        "event: plant.stock_changed\n",
        "data: {\"id\":\"evt_0000002A9C4XR7TB\",\"type\":\"plant.stock_changed\"}\n\n",
        "data: {\"a\":\n",
        ": between the data lines\n",
        "data: 1}\n\n",
    );

    let outcome = parse_every_way(body.as_bytes());

    assert_eq!(
        outcome.events(),
        [
            &event(
                "plant.stock_changed",
                "{\"id\":\"evt_0000002A9C4XR7TB\",\"type\":\"plant.stock_changed\"}",
                "7",
            ),
            &event("message", "{\"a\":\n1}", "7"),
        ]
    );
    assert!(outcome.errors().is_empty());
    assert_eq!(outcome.reconnection_time, Some(Duration::from_millis(3000)));
    assert_eq!(outcome.last_event_id, "7");
    assert_eq!(outcome.end, End::Clean);
}

#[test]
fn invalid_retry_values_are_ignored() {
    let body = b"retry: 3000\n\nretry: abc\n\nretry: +5\n\nretry: -1\n\nretry:\n\nretry: 1.5\n\n";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.reconnection_time, Some(Duration::from_millis(3000)));
}

#[test]
fn retry_without_space_and_in_event_applies() {
    let outcome = parse_every_way(b"data: a\nretry:250\n\n");

    assert_eq!(outcome.data(), ["a"]);
    assert_eq!(outcome.reconnection_time, Some(Duration::from_millis(250)));
}

#[test]
fn no_retry_field_leaves_reconnection_time_unset() {
    let outcome = parse_every_way(b"data: a\n\n");

    assert_eq!(outcome.reconnection_time, None);
}

#[test]
fn next_id_replaces_id_from_block_without_data() {
    let outcome = parse_every_way(b"id: 7\n\ndata: a\n\nid: 8\ndata: b\n\n");

    assert_eq!(
        outcome.events(),
        [&event("message", "a", "7"), &event("message", "b", "8")]
    );
    assert_eq!(outcome.last_event_id, "8");
}

// A body cut in the middle of an event, then a reconnection.

#[test]
fn cut_event_is_not_dispatched_and_resume_continues() {
    let mut parser = Parser::builder().last_event_id("10").build();
    let first_body: &[u8] =
        b"id: 11\ndata: {\"n\":11}\n\nid: 12\ndata: {\"n\":12}\n\nid: 13\ndata: {\"partial\":";

    let first = parse_with(&mut parser, &[first_body]);

    assert_eq!(
        first.events(),
        [
            &event("message", "{\"n\":11}", "11"),
            &event("message", "{\"n\":12}", "12")
        ]
    );
    assert_eq!(first.end, End::IncompleteEvent);
    assert_eq!(first.last_event_id, "12");

    let second = parse_with(&mut parser, &[b"id: 13\ndata: {\"n\":13}\n\n"]);

    assert_eq!(second.events(), [&event("message", "{\"n\":13}", "13")]);
    assert_eq!(second.end, End::Clean);
}

#[test]
fn cut_event_is_not_dispatched_whatever_the_split() {
    let body = b"id: 11\ndata: a\n\nid: 12\ndata: b\n\nid: 13\ndata: {\"partial\":";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.data(), ["a", "b"]);
    assert_eq!(outcome.end, End::IncompleteEvent);
    assert_eq!(outcome.last_event_id, "12");
}

#[test]
fn cut_event_fields_do_not_leak() {
    let mut parser = Parser::new();
    let first = parse_with(&mut parser, &[b"event: lost\nid: 5\ndata: lost"]);

    let second = parse_with(&mut parser, &[b"data: kept\n\n"]);

    assert_eq!(first.end, End::IncompleteEvent);
    assert_eq!(second.events(), [&event("message", "kept", "")]);
}

#[test]
fn starting_id_applies_to_events() {
    let mut parser = Parser::builder().last_event_id("10").build();

    let outcome = parse_with(&mut parser, &[b"data: a\n\n"]);

    assert_eq!(outcome.events(), [&event("message", "a", "10")]);
}

// A body that ends without the final blank line.

#[test]
fn missing_final_blank_line_is_early_end() {
    let body = b"data: {\"n\":1}\n\ndata: {\"type\":\"done\"}\n";

    let outcome = parse_every_way(body);

    assert_eq!(outcome.data(), ["{\"n\":1}"]);
    assert_eq!(outcome.end, End::IncompleteEvent);
}

#[test]
fn unfinished_line_is_early_end() {
    let outcome = parse_every_way(b"data: a\n\n: heartb");

    assert_eq!(outcome.data(), ["a"]);
    assert_eq!(outcome.end, End::IncompleteEvent);
}

#[test]
fn body_ending_after_blank_line_is_clean() {
    let outcome = parse_every_way(b"data: a\n\n");

    assert_eq!(outcome.end, End::Clean);
}

#[test]
fn trailing_comment_line_is_clean_end() {
    let outcome = parse_every_way(b"data: a\n\n: heartbeat\n");

    assert_eq!(outcome.end, End::Clean);
}

#[test]
fn empty_body_is_clean_end() {
    let outcome = parse_chunks(&[]);

    assert_eq!(outcome.end, End::Clean);
    assert!(outcome.items.is_empty());
}

// The byte-order mark.

#[test]
fn leading_byte_order_mark_is_stripped() {
    let outcome = parse_every_way(b"\xEF\xBB\xBFdata: a\n\n");

    assert_eq!(outcome.data(), ["a"]);
}

#[test]
fn only_one_byte_order_mark_is_stripped() {
    // The second mark becomes part of the field name, which is then unknown.
    let outcome = parse_every_way(b"\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n");

    assert_eq!(outcome.data(), ["b"]);
}

#[test]
fn byte_order_mark_after_first_line_is_kept() {
    let outcome = parse_every_way(b": hello\n\xEF\xBB\xBFdata: a\n\ndata: b\n\n");

    assert_eq!(outcome.data(), ["b"]);
}

#[test]
fn byte_order_mark_inside_data_is_kept() {
    let outcome = parse_every_way(b"\xEF\xBB\xBFdata: \xEF\xBB\xBFa\n\n");

    assert_eq!(outcome.data(), ["\u{FEFF}a"]);
}

#[test]
fn partial_byte_order_mark_is_not_stripped() {
    let outcome = parse_every_way(b"\xEF\xBBdata: a\n\ndata: b\n\n");

    assert_eq!(outcome.data(), ["b"]);
}

#[test]
fn byte_order_mark_before_blank_line() {
    let outcome = parse_every_way(b"\xEF\xBB\xBF\ndata: a\n\n");

    assert_eq!(outcome.data(), ["a"]);
}

#[test]
fn each_body_may_start_with_byte_order_mark() {
    let mut parser = Parser::new();

    let first = parse_with(&mut parser, &[b"\xEF\xBB\xBFdata: a\n\n"]);
    let second = parse_with(&mut parser, &[b"\xEF\xBB", b"\xBFdata: b\n\n"]);

    assert_eq!(first.data(), ["a"]);
    assert_eq!(second.data(), ["b"]);
}

// Size limits.

#[test]
fn default_limits_are_16_mib() {
    let parser = Parser::new();

    assert_eq!(parser.max_line_length(), 16 * 1024 * 1024);
    assert_eq!(parser.max_event_length(), 16 * 1024 * 1024);
}

#[test]
fn line_over_limit_is_error_and_event_discarded() {
    let body = b"data: ok1\n\nid: 5\ndata: 0123456789\ndata: rest\n\ndata: ok2\n\n";

    for max_length in [9, 12, 15] {
        let mut parser = Parser::builder().max_line_length(max_length).build();
        let whole = parse_with(&mut parser, &[body]);

        assert_eq!(
            whole.items,
            [
                Item::Event(event("message", "ok1", "")),
                Item::Error(ParseError::LineTooLong { max_length }),
                Item::Event(event("message", "ok2", "")),
            ],
            "limit {max_length}"
        );
        assert_eq!(whole.last_event_id, "", "limit {max_length}");
        assert_eq!(whole.end, End::Clean, "limit {max_length}");

        let mut parser = Parser::builder().max_line_length(max_length).build();
        let one_byte_chunks: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(
            parse_with(&mut parser, &one_byte_chunks),
            whole,
            "limit {max_length}"
        );

        for split in 1..body.len() {
            let (head, tail) = body.split_at(split);
            let mut parser = Parser::builder().max_line_length(max_length).build();
            assert_eq!(
                parse_with(&mut parser, &[head, tail]),
                whole,
                "limit {max_length}, split at byte {split}"
            );
        }
    }
}

#[test]
fn event_over_limit_is_error_and_event_discarded() {
    let body = b"data: ok1\n\nid: 5\ndata: 01234\ndata: 56789\n\ndata: ok2\n\n";
    let mut parser = Parser::builder().max_event_length(10).build();

    let outcome = parse_with(&mut parser, &[body]);

    assert_eq!(
        outcome.items,
        [
            Item::Event(event("message", "ok1", "")),
            Item::Error(ParseError::EventTooLarge { max_length: 10 }),
            Item::Event(event("message", "ok2", "")),
        ]
    );
    assert_eq!(outcome.last_event_id, "");
}

#[test]
fn huge_line_in_small_chunks_is_one_error() {
    let mut parser = Parser::builder().max_line_length(1024 * 1024).build();
    let filler = vec![b'x'; 64 * 1024];
    let mut chunks: Vec<&[u8]> = vec![b"data: "];
    chunks.extend(std::iter::repeat_n(filler.as_slice(), 64));
    chunks.push(b"\n\ndata: after\n\n");

    let outcome = parse_with(&mut parser, &chunks);

    assert_eq!(
        outcome.errors(),
        [&ParseError::LineTooLong {
            max_length: 1024 * 1024
        }]
    );
    assert_eq!(outcome.data(), ["after"]);
    assert_eq!(outcome.end, End::Clean);
}

#[test]
fn unfinished_oversized_event_is_early_end() {
    let mut parser = Parser::builder().max_line_length(4).build();

    let outcome = parse_with(&mut parser, &[b"data: too long\n"]);

    assert_eq!(
        outcome.errors(),
        [&ParseError::LineTooLong { max_length: 4 }]
    );
    assert_eq!(outcome.end, End::IncompleteEvent);
}

#[test]
fn error_messages_name_limit_and_fix() {
    let line = ParseError::LineTooLong { max_length: 8 }.to_string();
    let event = ParseError::EventTooLarge { max_length: 8 }.to_string();

    assert!(line.contains("8 bytes"), "{line}");
    assert!(line.contains("max_line_length"), "{line}");
    assert!(event.contains("8 bytes"), "{event}");
    assert!(event.contains("max_event_length"), "{event}");
}

// Properties.

/// A line ending the generator may pick.
fn line_ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r"), Just("\r\n")]
}

/// Text without CR or LF, including multi-byte characters and NUL.
fn field_text() -> impl Strategy<Value = String> {
    "[a-z0-9 :{}\"é☕🌱\u{0}]{0,12}"
}

/// An event as the generator writes it: optional type and id, data lines
/// and a comment, each line with its own line ending.
#[derive(Debug, Clone)]
struct GeneratedEvent {
    event_type: Option<String>,
    id: Option<String>,
    data: Vec<String>,
    comment: bool,
    endings: Vec<&'static str>,
}

fn generated_event() -> impl Strategy<Value = GeneratedEvent> {
    (
        proptest::option::of("[a-z.]{1,10}"),
        proptest::option::of("[a-zA-Z0-9_]{0,8}"),
        proptest::collection::vec(field_text(), 1..4),
        any::<bool>(),
        proptest::collection::vec(line_ending(), 8),
    )
        .prop_map(|(event_type, id, data, comment, endings)| GeneratedEvent {
            event_type,
            id,
            data,
            comment,
            endings,
        })
}

/// Writes the events as a body and returns it with the events the standard
/// dispatches for it.
fn write_body(events: &[GeneratedEvent], byte_order_mark: bool) -> (Vec<u8>, Vec<Event>) {
    let mut body = String::new();
    if byte_order_mark {
        body.push('\u{FEFF}');
    }
    let mut expected = Vec::new();
    let mut last_event_id = String::new();

    for generated in events {
        let mut endings = generated.endings.iter().cycle();
        let mut line = |text: &str| {
            let mut ending = *endings.next().expect("the ending list cycles");
            // CR then an empty line ended by LF reads as one CRLF, which
            // would swallow the blank line, so end that blank line with CRLF.
            if text.is_empty() && ending == "\n" && body.ends_with('\r') {
                ending = "\r\n";
            }
            body.push_str(text);
            body.push_str(ending);
        };

        if let Some(event_type) = &generated.event_type {
            line(&format!("event: {event_type}"));
        }
        if let Some(id) = &generated.id {
            line(&format!("id:{id}"));
            last_event_id.clone_from(id);
        }
        for (index, data) in generated.data.iter().enumerate() {
            if generated.comment && index == 1 {
                line(": comment");
            }
            line(&format!("data: {data}"));
        }
        line("");

        expected.push(Event {
            event_type: generated
                .event_type
                .clone()
                .unwrap_or_else(|| "message".to_owned()),
            data: generated.data.join("\n"),
            id: last_event_id.clone(),
        });
    }
    (body.into_bytes(), expected)
}

/// Splits `body` at the given positions, taken modulo its length.
fn split_at_positions<'a>(body: &'a [u8], positions: &[usize]) -> Vec<&'a [u8]> {
    if body.is_empty() {
        return Vec::new();
    }
    let mut cuts: Vec<usize> = positions
        .iter()
        .map(|position| position % body.len())
        .collect();
    cuts.sort_unstable();
    cuts.dedup();

    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(&body[start..cut]);
        start = cut;
    }
    chunks.push(&body[start..]);
    chunks
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_split_of_valid_stream_gives_same_events(
        events in proptest::collection::vec(generated_event(), 0..6),
        byte_order_mark in any::<bool>(),
        positions in proptest::collection::vec(any::<usize>(), 0..40),
    ) {
        let (body, expected) = write_body(&events, byte_order_mark);

        let whole = parse_chunks(&[&body]);
        let split = parse_chunks(&split_at_positions(&body, &positions));

        let whole_events: Vec<Event> = whole.events().into_iter().cloned().collect();
        prop_assert_eq!(&whole_events, &expected);
        prop_assert_eq!(&split, &whole);
        prop_assert_eq!(whole.end, End::Clean);
    }

    #[test]
    fn any_input_any_split_same_outcome(
        body in proptest::collection::vec(
            prop_oneof![
                Just(b'\n'), Just(b'\r'), Just(b':'), Just(b' '), Just(0xEF), Just(0xBB), Just(0xBF),
                Just(0xFF), Just(0), Just(b'd'), Just(b'a'), Just(b't'), Just(b'i'), Just(b'r'),
                any::<u8>(),
            ],
            0..200,
        ),
        prefix in prop_oneof![Just(&b""[..]), Just(&b"data:"[..]), Just(&b"\xEF\xBB\xBFdata:"[..])],
        positions in proptest::collection::vec(any::<usize>(), 0..40),
        max_line_length in 0_usize..24,
        max_event_length in 0_usize..48,
    ) {
        let body = [prefix, &body].concat();
        let parser = || {
            Parser::builder()
                .max_line_length(max_line_length)
                .max_event_length(max_event_length)
                .build()
        };

        let whole = parse_with(&mut parser(), &[&body]);
        let split = parse_with(&mut parser(), &split_at_positions(&body, &positions));
        let one_byte_chunks: Vec<&[u8]> = body.chunks(1).collect();
        let bytewise = parse_with(&mut parser(), &one_byte_chunks);

        prop_assert_eq!(&split, &whole);
        prop_assert_eq!(&bytewise, &whole);
    }
}
