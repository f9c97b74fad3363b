//! Throughput of the SDK's Server-Sent Events parser beside eventsource-stream
//! 0.2.3 and sse-stream 0.3.0, on the same body in the same run.
//!
//! The body is 10 000 plant events with 329 bytes of JSON each, as the mock
//! server writes them (`id:`, `event:` and one `data:` line), after a
//! `retry:` hint: 3 887 513 bytes in all. Each parser reads it whole, in 64-byte chunks and in 1-byte
//! chunks. All three run behind the same kind of `Stream` of `Bytes` chunks,
//! polled without an async runtime, so the per-chunk cost of each crate's
//! `Stream` is measured the same way.
//!
//! Run with `cargo bench -p letta --bench sse_parser`; see
//! docs/benchmarks.md for recorded results.

use std::convert::Infallible;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use eventsource_stream::Eventsource;
use futures_util::stream::{self, Stream};
use letta::sse::Parser;
use sse_stream::SseByteStream;

const EVENT_COUNT: usize = 10_000;
const CHUNK_SIZES: [(&str, usize); 3] = [("whole", usize::MAX), ("64-byte", 64), ("1-byte", 1)];

/// Writes the benchmark body: a `retry:` hint, then `EVENT_COUNT` plant events.
fn plant_event_body() -> Bytes {
    let mut body = String::from("retry: 3000\n\n");
    for n in 0..EVENT_COUNT {
        let stock = n % 40;
        body.push_str(&format!(
            "id: evt_{n:016}\n\
             event: plant.stock_changed\n\
             data: {{\"id\":\"evt_{n:016}\",\"type\":\"plant.stock_changed\",\
             \"created_at\":\"2026-12-04T20:26:08Z\",\"data\":{{\"id\":\"plt_000000014XK9QF2M\",\
             \"name\":\"Monstera Deliciosa\",\"species\":\"Monstera deliciosa\",\
             \"category\":\"tropical\",\"tags\":[\"pet-safe\",\"low-light\"],\"price\":2499,\
             \"currency\":\"EUR\",\"stock\":{stock},\"low_stock_threshold\":5,\
             \"status\":\"in_stock\"}}}}\n\n"
        ));
    }
    Bytes::from(body)
}

/// Returns the body as a stream of chunks of at most `size` bytes. Each chunk
/// is a cheap `Bytes` slice of the one body.
fn chunked(body: &Bytes, size: usize) -> impl Stream<Item = Result<Bytes, Infallible>> + Unpin {
    let body = body.clone();
    let size = size.min(body.len());
    stream::iter((0..body.len()).step_by(size).map(move |start| {
        let end = (start + size).min(body.len());
        Ok(body.slice(start..end))
    }))
}

/// Polls a stream that is always ready until it ends, counting the items
/// that `is_event` accepts. Panics on an error item, because every parser
/// must read the benchmark body without one.
fn count_events<S, T, E>(stream: S, is_event: impl Fn(&T) -> bool) -> usize
where
    S: Stream<Item = Result<T, E>>,
    E: std::fmt::Debug,
{
    let mut stream = pin!(stream);
    let mut context = Context::from_waker(Waker::noop());
    let mut count = 0;
    loop {
        match stream.as_mut().poll_next(&mut context) {
            Poll::Ready(Some(Ok(item))) => count += usize::from(is_event(&item)),
            Poll::Ready(Some(Err(error))) => {
                panic!("parser failed on the benchmark body: {error:?}")
            }
            Poll::Ready(None) => return count,
            Poll::Pending => unreachable!("an in-memory stream is always ready"),
        }
    }
}

/// The SDK's parser behind a minimal `Stream` over a chunk stream.
struct ParserStream<S> {
    chunks: S,
    parser: Parser,
    chunk: Bytes,
}

impl<S> Stream for ParserStream<S>
where
    S: Stream<Item = Result<Bytes, Infallible>> + Unpin,
{
    type Item = Result<letta::sse::Event, letta::sse::ParseError>;

    fn poll_next(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if !this.chunk.is_empty() {
            match this.parser.next_event(&mut this.chunk) {
                Ok(None) => {}
                result => return Poll::Ready(result.transpose()),
            }
        }
        loop {
            match Pin::new(&mut this.chunks).poll_next(context) {
                // Parses the chunk in place and keeps only what follows the
                // event it ends, as the SDK's event stream does.
                Poll::Ready(Some(Ok(mut chunk))) => match this.parser.next_event(&mut chunk) {
                    Ok(None) => {}
                    result => {
                        this.chunk = chunk;
                        return Poll::Ready(result.transpose());
                    }
                },
                Poll::Ready(Some(Err(never))) => match never {},
                Poll::Ready(None) => {
                    let _ = this.parser.finish();
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

fn parse_letta(body: &Bytes, chunk_size: usize) -> usize {
    let stream = ParserStream {
        chunks: chunked(body, chunk_size),
        parser: Parser::new(),
        chunk: Bytes::new(),
    };
    count_events(stream, |_| true)
}

fn parse_eventsource_stream(body: &Bytes, chunk_size: usize) -> usize {
    count_events(chunked(body, chunk_size).eventsource(), |_| true)
}

fn parse_sse_stream(body: &Bytes, chunk_size: usize) -> usize {
    // sse-stream also returns blocks without data, such as the `retry:` hint.
    count_events(SseByteStream::new(chunked(body, chunk_size)), |sse| {
        sse.data.is_some()
    })
}

type ParseFn = fn(&Bytes, usize) -> usize;

const PARSERS: [(&str, ParseFn); 3] = [
    ("letta", parse_letta),
    ("eventsource-stream", parse_eventsource_stream),
    ("sse-stream", parse_sse_stream),
];

fn parser_throughput(criterion: &mut Criterion) {
    let body = plant_event_body();
    for (chunking, size) in CHUNK_SIZES {
        let mut group = criterion.benchmark_group(format!("sse_parser/{chunking}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        for (name, parse) in PARSERS {
            let mut checked = false;
            group.bench_with_input(BenchmarkId::from_parameter(name), &body, |bencher, body| {
                if !checked {
                    let count = parse(body, size);
                    assert_eq!(count, EVENT_COUNT, "{name} with {chunking} chunks");
                    checked = true;
                }
                bencher.iter(|| parse(body, size));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, parser_throughput);
criterion_main!(benches);
