//! `/v1/events`: the log of every change, oldest first.

use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::request::ApiRequest;
use crate::resources::list::{ListParams, list_request};
use crate::sse::WatchRequest;
use crate::types::{Event, EventType};

const EVENTS: &[&str] = &["v1", "events"];

impl Client {
    /// Returns the event log.
    pub fn events(&self) -> Events {
        Events::new(self.clone())
    }
}

/// The event log, from [`Client::events`].
#[derive(Debug, Clone)]
pub struct Events {
    client: Client,
}

impl Events {
    fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts a list of the retained events in log order, which is also id
    /// order; set a type filter on it, then call [`send`](ListEvents::send),
    /// [`pages`](ListEvents::pages) or [`stream`](ListEvents::stream).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use letta::types::{EventData, EventType};
    ///
    /// let mut events = client.events().list().event_type(EventType::OrderCreated).stream();
    /// while let Some(event) = events.try_next().await? {
    ///     if let EventData::Order(order) = &event.data {
    ///         println!("{} placed {}", event.created_at, order.id);
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListEvents {
        ListEvents {
            params: ListParams::new(&self.client, EVENTS),
        }
    }

    /// Starts a live stream of every event from `/v1/events/stream`, which
    /// reconnects by itself; call [`open`](WatchRequest::open) on it.
    ///
    /// Named `watch` so it does not clash with the list's `stream`.
    pub fn watch(&self) -> WatchRequest {
        WatchRequest::new(&self.client, &["v1", "events", "stream"])
    }

    /// Fetches one event of the retained log.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 and code `not_found`
    /// when no retained event has this id; [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// when `id` is empty.
    pub fn get(&self, id: &str) -> Call<Event> {
        let request = Client::check_id("event id", id)
            .map(|()| ApiRequest::new(Method::GET, &["v1", "events", id]));
        Call::new(&self.client, request, call::json)
    }
}

list_request! {
    /// A list request for events, from [`Events::list`].
    ListEvents => Event, "event"
}

impl ListEvents {
    /// Keeps events of this type.
    pub fn event_type(mut self, event_type: EventType) -> Self {
        self.params.filter("type", event_type.to_string());
        self
    }
}
