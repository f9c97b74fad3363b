//! The task behind one event stream: it writes SSE messages into a channel
//! that the response body reads.
//!
//! The task subscribes to the store's broadcast channel under the store
//! lock, together with reading the backlog (or the newest id), so the live
//! events start exactly where the backlog ends. It remembers the id of the
//! last event it handled, so that after falling behind the broadcast channel
//! it re-reads the missed events from the log and skips the overlap.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use letta::types::Problem;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval_at};

use super::{EventFilter, StreamSettings};
use crate::app::AppState;
use crate::store::{Event, EventsAfter, Store};

/// Messages buffered between the task and the response body.
const CHANNEL_MESSAGES: usize = 64;

const HEARTBEAT: &[u8] = b": heartbeat\n\n";

/// Subscribes to the log and returns the streaming response, replaying the
/// events after `start` first when it is given. With `drop_every`, the
/// response ends after that many events.
pub(crate) async fn open(
    app: &AppState,
    start: Option<String>,
    filter: EventFilter,
    request_id: Option<String>,
    drop_every: Option<u64>,
) -> Response {
    let settings = app.streams;
    // The backlog contains only events after `start`, so the position
    // starts there. Without a start it is the newest event, which is not
    // sent.
    let (backlog, receiver, position) = match start {
        Some(start) => {
            let (backlog, receiver) = app.store.subscribe_after(Some(&start)).await;
            (backlog, receiver, Some(start))
        }
        None => {
            let (newest, receiver) = app.store.subscribe_live().await;
            let backlog = EventsAfter {
                expired: false,
                events: Vec::new(),
            };
            (backlog, receiver, newest)
        }
    };

    let (sender, messages) = mpsc::channel(CHANNEL_MESSAGES);
    let writer = Writer {
        sender,
        store: app.store.clone(),
        filter,
        position,
        sent: 0,
        drop_every,
        request_id,
    };
    tokio::spawn(writer.run(backlog, receiver, settings));

    let body = futures_util::stream::unfold(messages, |mut messages| async move {
        let message = messages.recv().await?;
        Some((Ok::<Bytes, Infallible>(message), messages))
    });
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/event-stream")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

struct Writer {
    sender: mpsc::Sender<Bytes>,
    store: Arc<Store>,
    filter: EventFilter,
    /// The id of the last event handled (sent or filtered out).
    position: Option<String>,
    /// Events sent on this connection.
    sent: u64,
    drop_every: Option<u64>,
    request_id: Option<String>,
}

impl Writer {
    async fn run(
        mut self,
        backlog: EventsAfter,
        mut receiver: Receiver<Arc<Event>>,
        settings: StreamSettings,
    ) {
        let retry = format!("retry: {}\n\n", settings.retry_ms);
        if self.send(Bytes::from(retry)).await.is_break() {
            return;
        }
        if self.replay(backlog).await.is_break() {
            return;
        }

        let mut heartbeat = interval_at(Instant::now() + settings.heartbeat, settings.heartbeat);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let client = self.sender.clone();
        loop {
            let flow = tokio::select! {
                () = client.closed() => ControlFlow::Break(()),
                _ = heartbeat.tick() => self.send(Bytes::from_static(HEARTBEAT)).await,
                received = receiver.recv() => match received {
                    Ok(event) => self.deliver(&event).await,
                    Err(RecvError::Lagged(missed)) => {
                        tracing::warn!(request_id = ?self.request_id, missed, after = ?self.position, "event stream fell behind; reading the missed events from the log");
                        let backlog = self.store.events_after(self.position.as_deref()).await;
                        self.replay(backlog).await
                    }
                    Err(RecvError::Closed) => ControlFlow::Break(()),
                },
            };
            if flow.is_break() {
                tracing::debug!(request_id = ?self.request_id, sent = self.sent, "event stream ended");
                return;
            }
        }
    }

    /// Sends the `events_expired` error when events were dropped, then every
    /// event of `backlog`.
    async fn replay(&mut self, backlog: EventsAfter) -> ControlFlow<()> {
        if backlog.expired {
            self.send(self.expired_message(&backlog)).await?;
        }
        for event in &backlog.events {
            self.deliver(event).await?;
        }
        ControlFlow::Continue(())
    }

    /// Sends `event` unless it was handled already or the filter rejects
    /// it, and breaks once an `sse_drop` fault ends the response.
    async fn deliver(&mut self, event: &Event) -> ControlFlow<()> {
        if self
            .position
            .as_deref()
            .is_some_and(|position| event.id.as_str() <= position)
        {
            // NOTE: ids restart after an admin reset, so a stream opened
            // before a reset skips new events until their ids pass its
            // position. Clients reconnect to start over.
            return ControlFlow::Continue(());
        }
        self.position = Some(event.id.clone());
        if !self.filter.matches(event) {
            return ControlFlow::Continue(());
        }

        self.send(event_message(event)).await?;
        self.sent += 1;
        if self.drop_every.is_some_and(|every| self.sent >= every) {
            tracing::info!(request_id = ?self.request_id, sent = self.sent, "event stream ended by an sse_drop fault");
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// Sends one message, and breaks when the client has disconnected.
    async fn send(&self, message: Bytes) -> ControlFlow<()> {
        match self.sender.send(message).await {
            Ok(()) => ControlFlow::Continue(()),
            Err(_) => ControlFlow::Break(()),
        }
    }

    fn expired_message(&self, backlog: &EventsAfter) -> Bytes {
        let oldest = backlog
            .events
            .first()
            .map_or("(none)", |event| event.id.as_str());
        let after = self.position.as_deref().unwrap_or("(the start)");
        let mut problem = Problem::new(
            410,
            "events_expired",
            "Events Expired",
            format!(
                "events after `{after}` were dropped from the event log; the stream continues from the oldest retained event `{oldest}`"
            ),
        );
        problem.request_id = self.request_id.clone();
        // A problem contains only strings, numbers and field errors, which
        // always serialize.
        let data = serde_json::to_string(&problem).unwrap_or_default();
        Bytes::from(format!("event: error\ndata: {data}\n\n"))
    }
}

/// Formats `event` as one SSE message. JSON escapes line breaks inside
/// strings, so the `data` field is one line.
fn event_message(event: &Event) -> Bytes {
    // An event contains only strings, timestamps and JSON values, which
    // always serialize.
    let data = serde_json::to_string(event).unwrap_or_default();
    Bytes::from(format!(
        "id: {}\nevent: {}\ndata: {data}\n\n",
        event.id, event.kind
    ))
}
