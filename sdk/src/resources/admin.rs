//! `/admin`: the control surface of the Letta mock server (`letta-mock`).
//!
//! A production server has no `/admin` routes, so every call here gets a
//! 404 from one. The mock server needs no API key for them, does not rate
//! limit them, keeps them out of its journal and never injects a fault into
//! them.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use http::Method;
use serde::Deserialize;

use crate::call::{self, Call};
use crate::client::Client;
use crate::error::Result;
use crate::request::{ApiRequest, ApiResponse};
use crate::resources::list::{ListParams, list_request};
use crate::types::{
    Event, EventType, Fault, Journal, NewFault, RateLimit, SetRateLimit, TriggerEvent,
    WebhookDelivery,
};

impl Client {
    /// Returns the mock server's control surface. Mock server only: a
    /// production server responds to every call with 404.
    pub fn admin(&self) -> Admin {
        Admin {
            client: self.clone(),
        }
    }
}

/// The mock server's control surface, from [`Client::admin`]: reset the
/// data, change the rate limit, read the request journal and inject faults.
///
/// ```no_run
/// # async fn run(client: letta::Client) -> letta::Result<()> {
/// use letta::types::NewFault;
///
/// let admin = client.admin();
/// admin.reset().await?;
/// let fault = admin
///     .add_fault(&NewFault::status(503).path("/v1/orders").times(2))
///     .await?;
/// // ... exercise the client under the fault ...
/// admin.delete_fault(fault.id).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Admin {
    client: Client,
}

impl Admin {
    /// Restores the seed data and refills every rate-limit bucket
    /// (`adminReset`). The journal, the faults and the rate-limit policy
    /// stay as they are.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 from a server that
    /// is not the mock server, and 500 when the state file cannot be written.
    pub fn reset(&self) -> Call<()> {
        self.call(Method::POST, &["admin", "reset"], call::empty)
    }

    /// Fetches the rate-limit policy (`adminGetRateLimit`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 from a server that
    /// is not the mock server.
    pub fn rate_limit(&self) -> Call<RateLimit> {
        self.call(Method::GET, &["admin", "rate-limit"], call::json)
    }

    /// Replaces the rate-limit policy and refills every bucket
    /// (`adminSetRateLimit`).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::SetRateLimit;
    ///
    /// let policy = client
    ///     .admin()
    ///     .set_rate_limit(&SetRateLimit::new(10).window_seconds(1))
    ///     .await?;
    /// assert!(policy.enabled);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 422 and code
    /// `validation_failed` when the quota or window is out of range.
    pub fn set_rate_limit(&self, policy: &SetRateLimit) -> Call<RateLimit> {
        let request = ApiRequest::new(Method::PUT, &["admin", "rate-limit"]).json_body(policy);
        Call::new(&self.client, request, call::json)
    }

    /// Starts a read of the request journal (`adminGetJournal`); narrow it
    /// with the setters, then await it.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let journal = client
    ///     .admin()
    ///     .journal()
    ///     .method("POST")
    ///     .path("/v1/orders")
    ///     .limit(5)
    ///     .await?;
    /// for entry in &journal.data {
    ///     println!("{} {} -> {:?}", entry.method, entry.path, entry.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn journal(&self) -> ReadJournal {
        ReadJournal {
            client: self.client.clone(),
            query: Vec::new(),
        }
    }

    /// Removes every journal entry (`adminClearJournal`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 from a server that
    /// is not the mock server.
    pub fn clear_journal(&self) -> Call<()> {
        self.call(Method::DELETE, &["admin", "journal"], call::empty)
    }

    /// Lists the faults in the order they apply, those whose `times` ran
    /// out included (`adminGetFaults`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 from a server that
    /// is not the mock server.
    pub fn faults(&self) -> Call<Vec<Fault>> {
        self.call(Method::GET, &["admin", "faults"], fault_list)
    }

    /// Adds a fault after the existing ones and returns it with its id
    /// (`adminAddFault`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 422 and code
    /// `validation_failed` for an invalid field, such as a status outside
    /// 400 to 599 or a `latency_ms` on a fault of another kind.
    pub fn add_fault(&self, fault: &NewFault) -> Call<Fault> {
        let request = ApiRequest::new(Method::POST, &["admin", "faults"]).json_body(fault);
        Call::new(&self.client, request, call::json)
    }

    /// Fetches one fault with its counters (`adminGetFault`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 when no fault has
    /// this id.
    pub fn fault(&self, id: u64) -> Call<Fault> {
        let id = id.to_string();
        self.call(Method::GET, &["admin", "faults", &id], call::json)
    }

    /// Removes one fault (`adminDeleteFault`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 when no fault has
    /// this id.
    pub fn delete_fault(&self, id: u64) -> Call<()> {
        let id = id.to_string();
        self.call(Method::DELETE, &["admin", "faults", &id], call::empty)
    }

    /// Removes every fault (`adminClearFaults`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 from a server that
    /// is not the mock server.
    pub fn clear_faults(&self) -> Call<()> {
        self.call(Method::DELETE, &["admin", "faults"], call::empty)
    }

    /// Appends an event of any type to the log, as if a change had made it,
    /// and returns it as stored (`adminTriggerEvent`). Open event streams
    /// send it, and the webhook endpoints that subscribe to its type get a
    /// delivery.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::{EventType, TriggerEvent};
    ///
    /// let event = client
    ///     .admin()
    ///     .trigger_event(&TriggerEvent::new(EventType::PlantOutOfStock))
    ///     .await?;
    /// println!("triggered {}", event.id);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 422 and code
    /// `validation_failed` for a type the server does not know, both `data`
    /// and `object_id`, or no object to put in the event.
    pub fn trigger_event(&self, trigger: &TriggerEvent) -> Call<Event> {
        let request = ApiRequest::new(Method::POST, &["admin", "events"]).json_body(trigger);
        Call::new(&self.client, request, call::json)
    }

    /// Starts a list of the delivery attempts to every webhook endpoint,
    /// oldest first (`adminListWebhookDeliveries`); filter it, then call
    /// [`send`](ListAllWebhookDeliveries::send),
    /// [`pages`](ListAllWebhookDeliveries::pages) or
    /// [`stream`](ListAllWebhookDeliveries::stream).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::EventType;
    ///
    /// let page = client
    ///     .admin()
    ///     .webhook_deliveries()
    ///     .event_type(EventType::OrderPaid)
    ///     .send()
    ///     .await?;
    /// println!("{} attempts", page.total);
    /// # Ok(())
    /// # }
    /// ```
    pub fn webhook_deliveries(&self) -> ListAllWebhookDeliveries {
        ListAllWebhookDeliveries {
            params: ListParams::new(&self.client, &["admin", "webhook-deliveries"]),
        }
    }

    fn call<T>(
        &self,
        method: Method,
        segments: &[&str],
        decode: fn(&ApiResponse) -> Result<T>,
    ) -> Call<T> {
        Call::new(&self.client, Ok(ApiRequest::new(method, segments)), decode)
    }
}

/// A read of the mock server's request journal, from [`Admin::journal`].
/// Await it to send it.
#[derive(Debug, Clone)]
#[must_use = "a journal read does nothing until it is awaited"]
pub struct ReadJournal {
    client: Client,
    query: Vec<(&'static str, String)>,
}

impl ReadJournal {
    /// Keeps requests with this method, such as `POST` (case-insensitive).
    pub fn method(self, method: impl Into<String>) -> Self {
        self.set("method", method.into())
    }

    /// Keeps requests whose path matches this pattern: literal segments,
    /// `*` or `{name}` for one segment, and a final `**` for the rest.
    pub fn path(self, pattern: impl Into<String>) -> Self {
        self.set("path", pattern.into())
    }

    /// Keeps only the latest `limit` matching requests.
    pub fn limit(self, limit: u32) -> Self {
        self.set("limit", limit.to_string())
    }

    fn set(mut self, name: &'static str, value: String) -> Self {
        self.query.retain(|(existing, _)| *existing != name);
        self.query.push((name, value));
        self
    }
}

impl IntoFuture for ReadJournal {
    type Output = Result<Journal>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Journal>> + Send>>;

    /// Sends the read.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 400 and code
    /// `invalid_parameter` for an invalid method, path pattern or limit.
    fn into_future(self) -> Self::IntoFuture {
        let request = ApiRequest::new(Method::GET, &["admin", "journal"]).query(self.query);
        Call::new(&self.client, Ok(request), call::json).into_future()
    }
}

/// Decodes `{"data": [...]}` into the faults.
fn fault_list(response: &ApiResponse) -> Result<Vec<Fault>> {
    #[derive(Deserialize)]
    struct FaultList {
        data: Vec<Fault>,
    }
    response.decode::<FaultList>().map(|list| list.data)
}

list_request! {
    /// A list request for the delivery attempts to every endpoint, from
    /// [`Admin::webhook_deliveries`].
    ListAllWebhookDeliveries => WebhookDelivery, "delivery"
}

impl ListAllWebhookDeliveries {
    /// Keeps the attempts to this endpoint.
    pub fn webhook_id(mut self, id: impl Into<String>) -> Self {
        self.params.filter("webhook_id", id.into());
        self
    }

    /// Keeps the attempts at this event.
    pub fn event_id(mut self, id: impl Into<String>) -> Self {
        self.params.filter("event_id", id.into());
        self
    }

    /// Keeps the attempts at events of this type.
    pub fn event_type(mut self, event_type: EventType) -> Self {
        self.params.filter("event_type", event_type.to_string());
        self
    }
}
