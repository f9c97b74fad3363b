//! A resuming stream of typed events over Server-Sent Events.
//!
//! [`EventStream`] opens `GET /v1/plants/stream` or `GET /v1/events/stream`,
//! parses the body with [`Parser`], and decodes each message into a typed
//! [`Event`]. When the connection drops, ends (between events or in the
//! middle of one) or stays silent longer than the idle timeout, it reconnects
//! by itself with `Last-Event-ID`, so the caller sees every event once and in
//! order.

use std::fmt;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use http::{HeaderMap, Method, StatusCode};

use crate::client::Client;
use crate::error::{DecodeError, Error, Result, excerpt};
use crate::ratelimit::retry_hint;
use crate::request::{ApiRequest, api_error};
use crate::sse::Parser;
use crate::types::{Event, EventType, Problem};

/// The default time without a byte, heartbeats included, after which the
/// stream treats the connection as dead and reconnects.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(45);
/// The default reconnection delay when the server sent no `retry:` field.
pub const DEFAULT_RECONNECT_DELAY: Duration = Duration::from_secs(1);
/// The default longest delay between two reconnection attempts.
pub const DEFAULT_MAX_RECONNECT_DELAY: Duration = Duration::from_secs(30);

/// The timeout given to reqwest for one streaming response. The client's
/// request timeout would cut a long-lived body, so the stream replaces it
/// with a bound far beyond any real connection and relies on the idle timeout.
const STREAM_REQUEST_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The maximum length of the body excerpt kept in an error.
const EXCERPT_BYTES: usize = 512;

/// Settings of an event stream, set on [`WatchRequest`].
#[derive(Debug, Clone)]
struct Settings {
    idle_timeout: Duration,
    max_reconnect_delay: Duration,
}

/// A request for a live event stream, from
/// [`Plants::watch`](crate::resources::plants::Plants::watch) or
/// [`Events::watch`](crate::resources::events::Events::watch).
///
/// Set filters and settings on it, then call [`open`](Self::open).
#[derive(Debug, Clone)]
#[must_use = "a watch request does nothing until it is opened"]
pub struct WatchRequest {
    client: Client,
    request: ApiRequest,
    since: Option<String>,
    settings: Settings,
}

impl WatchRequest {
    pub(crate) fn new(client: &Client, segments: &[&str]) -> Self {
        Self {
            client: client.clone(),
            request: ApiRequest::new(Method::GET, segments),
            since: None,
            settings: Settings {
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                max_reconnect_delay: DEFAULT_MAX_RECONNECT_DELAY,
            },
        }
    }

    pub(crate) fn filter(mut self, name: &'static str, value: String) -> Self {
        self.request.query.push((name, value));
        self
    }

    /// Keeps events of these types only. Without it the stream carries every
    /// type its endpoint sends.
    pub fn event_types(self, types: impl IntoIterator<Item = EventType>) -> Self {
        let joined = types
            .into_iter()
            .map(|event_type| event_type.to_string())
            .collect::<Vec<_>>()
            .join(",");
        self.filter("types", joined)
    }

    /// Starts after the event with this id: the server replays the retained
    /// events after it before the live ones.
    pub fn since(mut self, event_id: impl Into<String>) -> Self {
        self.since = Some(event_id.into());
        self
    }

    /// Sets how long the connection may stay silent, heartbeats included,
    /// before the stream reconnects. Defaults to [`DEFAULT_IDLE_TIMEOUT`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.idle_timeout = timeout;
        self
    }

    /// Sets the longest delay between reconnection attempts after repeated
    /// failures. Defaults to [`DEFAULT_MAX_RECONNECT_DELAY`].
    pub fn max_reconnect_delay(mut self, delay: Duration) -> Self {
        self.settings.max_reconnect_delay = delay;
        self
    }

    /// Returns the stream. It connects on the first poll.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut events = client.events().watch().open();
    /// while let Some(event) = events.try_next().await? {
    ///     println!("{} {}", event.id, event.event_type);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn open(self) -> EventStream {
        let mut state = State {
            client: self.client,
            request: self.request,
            settings: self.settings,
            parser: Parser::new(),
            last_delivered: None,
            body: None,
            pending: Bytes::new(),
            failures: 0,
            connected_once: false,
            done: false,
        };
        if let Some(since) = self.since {
            state.parser = Parser::builder().last_event_id(since.clone()).build();
            state.last_delivered = Some(since);
        }
        EventStream {
            inner: futures_util::stream::unfold(state, |mut state| async move {
                let item = state.next().await?;
                Some((item, state))
            })
            .boxed(),
        }
    }
}

/// A live stream of typed events that reconnects by itself.
///
/// Each item is an [`Event`] or an error. An error that ends the stream (a
/// refusal such as `401`, `403`, `404` or `400`, a body that is not an event
/// stream, or retries spent while connecting) is the last item. An event that
/// does not decode, and an `event: error` message from the server (such as
/// `410 events_expired` when events after the resume point were dropped from
/// the log), are error items, and the stream goes on after them.
///
/// Dropping the stream closes its connection; it runs no background task.
pub struct EventStream {
    inner: futures_util::stream::BoxStream<'static, Result<Event>>,
}

impl fmt::Debug for EventStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream").finish_non_exhaustive()
    }
}

impl Stream for EventStream {
    type Item = Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

type Body = futures_util::stream::BoxStream<'static, reqwest::Result<Bytes>>;

struct State {
    client: Client,
    request: ApiRequest,
    settings: Settings,
    parser: Parser,
    /// The id of the last event given to the caller.
    last_delivered: Option<String>,
    body: Option<Body>,
    /// Bytes read but not yet parsed.
    pending: Bytes,
    /// Reconnections in a row without a delivered event.
    failures: u32,
    connected_once: bool,
    done: bool,
}

/// The reason a connection ended.
#[derive(Debug)]
enum Disconnect {
    /// The body ended. Event streams never end, so this is a reconnect
    /// reason, whether it ended between events or inside one.
    Ended,
    /// No byte arrived within the idle timeout.
    Idle,
    /// Reading the body failed.
    Read(reqwest::Error),
}

impl State {
    async fn next(&mut self) -> Option<Result<Event>> {
        loop {
            if self.done {
                return None;
            }
            if !self.pending.is_empty() {
                let mut pending = mem::take(&mut self.pending);
                let item = self.parse(&mut pending);
                self.pending = pending;
                if item.is_some() {
                    return item;
                }
            }
            if self.body.is_none() {
                if let Err(error) = self.connect().await {
                    self.done = true;
                    return Some(Err(error));
                }
                continue;
            }
            let reason = match self.read().await {
                // The chunk is parsed where it is, and only what follows
                // the event it ends is kept for the next call.
                Ok(mut chunk) => {
                    let item = self.parse(&mut chunk);
                    if item.is_some() {
                        self.pending = chunk;
                        return item;
                    }
                    continue;
                }
                Err(reason) => reason,
            };
            // Ends the body, keeping the last event id and the
            // reconnection time; a partial event is discarded and comes
            // again after `Last-Event-ID`.
            let end = self.parser.finish();
            match &reason {
                Disconnect::Read(error) => {
                    tracing::debug!(%error, "event stream read failed; reconnecting");
                }
                other => tracing::debug!(
                    reason = ?other,
                    ?end,
                    "event stream ended; reconnecting"
                ),
            }
            self.body = None;
            self.pending = Bytes::new();
            self.failures += 1;
        }
    }

    /// Parses the next event to deliver out of `input`, leaving the bytes
    /// after it there.
    fn parse(&mut self, input: &mut Bytes) -> Option<Result<Event>> {
        loop {
            let message = match self.parser.next_event(input) {
                Ok(Some(message)) => message,
                Ok(None) => return None,
                Err(error) => {
                    tracing::debug!(%error, "skipping an event the parser rejected");
                    continue;
                }
            };
            if message.data.is_empty() {
                continue;
            }
            if message.event_type == "error" {
                // The server's notice that events were lost, such as `410
                // events_expired` after a resume from an id older than the
                // retained log. The stream goes on after it.
                return Some(Err(stream_problem(&message.data)));
            }
            if let Some(last) = &self.last_delivered
                && !message.id.is_empty()
                && message.id.as_str() <= last.as_str()
            {
                tracing::debug!(id = %message.id, "skipping an event already delivered");
                continue;
            }
            if !message.id.is_empty() {
                self.last_delivered = Some(message.id.clone());
            }
            self.failures = 0;
            return Some(self.decode(&message.data));
        }
    }

    fn decode(&self, data: &str) -> Result<Event> {
        let mut deserializer = serde_json::Deserializer::from_str(data);
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            Error::from(DecodeError {
                status: StatusCode::OK,
                path: error.path().to_string(),
                message: error.inner().to_string(),
                excerpt: excerpt(data.as_bytes(), EXCERPT_BYTES),
                request_id: None,
            })
        })
    }

    /// Reads the next chunk of the open body, or returns why the connection
    /// ended.
    async fn read(&mut self) -> std::result::Result<Bytes, Disconnect> {
        let Some(body) = self.body.as_mut() else {
            return Err(Disconnect::Ended);
        };
        match tokio::time::timeout(self.settings.idle_timeout, body.next()).await {
            Err(_) => Err(Disconnect::Idle),
            Ok(None) => Err(Disconnect::Ended),
            Ok(Some(Err(error))) => Err(Disconnect::Read(error)),
            Ok(Some(Ok(chunk))) => Ok(chunk),
        }
    }

    /// Waits the reconnection delay, when this is a reconnection, and opens
    /// the stream under the client's retry policy.
    async fn connect(&mut self) -> Result<()> {
        if self.connected_once {
            let delay = self.reconnect_delay();
            tracing::debug!(
                delay_ms = delay.as_millis() as u64,
                "waiting before reconnecting"
            );
            let clock = &*self.client.inner.clock;
            clock.sleep_until(clock.now() + delay).await;
        }
        let last_event_id =
            Some(self.parser.last_event_id().to_owned()).filter(|id| !id.is_empty());
        let url = stream_url(&self.client, &self.request);
        let client = self.client.clone();
        let idle_timeout = self.settings.idle_timeout;
        let body = self
            .client
            .with_retries(&self.request, &url, |_| {
                open_once(
                    client.clone(),
                    url.clone(),
                    last_event_id.clone(),
                    idle_timeout,
                )
            })
            .await?;
        self.connected_once = true;
        self.body = Some(body);
        Ok(())
    }

    /// Computes the wait before a reconnection: the server's `retry:` time, or the default, doubled for every failure
    /// in a row after the first, with full jitter over the upper half, and
    /// capped by the maximum.
    fn reconnect_delay(&self) -> Duration {
        let base = self
            .parser
            .reconnection_time()
            .unwrap_or(DEFAULT_RECONNECT_DELAY);
        let max = self.settings.max_reconnect_delay.max(base);
        if self.failures <= 1 {
            return base;
        }
        let factor = 1u32 << (self.failures - 1).min(16);
        let ceiling = base.saturating_mul(factor).min(max);
        let half = ceiling / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Sends one request for the stream and checks its status and content type.
fn open_once(
    client: Client,
    url: url::Url,
    last_event_id: Option<String>,
    idle_timeout: Duration,
) -> BoxFuture<'static, Result<Body>> {
    Box::pin(async move {
        let inner = &client.inner;
        let mut builder = inner
            .http
            .get(url.clone())
            .timeout(STREAM_REQUEST_TIMEOUT)
            .header(http::header::ACCEPT, "text/event-stream")
            .header(http::header::CACHE_CONTROL, "no-cache");
        if let Some(key) = &inner.api_key {
            builder = builder.bearer_auth(key.expose());
        }
        if let Some(id) = &last_event_id {
            builder = builder.header("last-event-id", id);
        }
        let transport = |source: reqwest::Error| Error::Transport {
            method: Method::GET,
            url: url.to_string(),
            attempts: 1,
            last_status: None,
            source: source.without_url(),
        };
        let sent = tokio::time::timeout(idle_timeout, builder.send()).await;
        let response = match sent {
            Ok(response) => response.map_err(transport)?,
            Err(_) => {
                return Err(Error::DeadlineExceeded {
                    method: Method::GET,
                    url: url.to_string(),
                    deadline: idle_timeout,
                    attempts: 1,
                    last_status: None,
                });
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let request_id = header_str(&headers, "request-id").map(str::to_owned);
        if !status.is_success() {
            let retry_after =
                retry_hint(&headers, inner.clock.system_time()).map(|(delay, _)| delay);
            let body = response.bytes().await.map_err(transport)?;
            return Err(api_error(status, &body, request_id, retry_after).into());
        }
        let content_type = header_str(&headers, "content-type").unwrap_or("");
        if !content_type
            .trim()
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
        {
            let body = response.bytes().await.map_err(transport)?;
            return Err(Error::from(DecodeError {
                status,
                path: ".".to_owned(),
                message: format!(
                    "expected content type text/event-stream, got {content_type:?}; check the \
                     base URL points at a Letta API"
                ),
                excerpt: excerpt(&body, EXCERPT_BYTES),
                request_id,
            }));
        }
        Ok(response.bytes_stream().boxed())
    })
}

/// Turns the problem in an `event: error` message into an error item.
fn stream_problem(data: &str) -> Error {
    let status = serde_json::from_str::<Problem>(data)
        .ok()
        .and_then(|problem| StatusCode::from_u16(problem.status).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    Error::from(api_error(status, data.as_bytes(), None, None))
}

fn stream_url(client: &Client, request: &ApiRequest) -> url::Url {
    let mut url = client.inner.base_url.clone();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments.pop_if_empty().extend(&request.segments);
    }
    if !request.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in &request.query {
            pairs.append_pair(name, value);
        }
    }
    url
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}
