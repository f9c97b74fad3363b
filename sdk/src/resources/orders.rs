//! `/v1/orders`: orders, which reserve stock until they are cancelled.

use chrono::{DateTime, SecondsFormat, Utc};
use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::request::ApiRequest;
use crate::resources::list::{ListParams, list_request};
use crate::types::{CreateOrder, Order, OrderStatus};

const ORDERS: &[&str] = &["v1", "orders"];

impl Client {
    /// Returns the orders resource.
    pub fn orders(&self) -> Orders {
        Orders::new(self.clone())
    }
}

/// The orders resource, from [`Client::orders`].
///
/// Every `POST` (create, cancel, fulfill) carries an `Idempotency-Key`: one
/// generated per call, or the caller's own from
/// [`Call::idempotency_key`]. Every retry of a call sends the same key, and
/// the server applies a key once and replays its stored response for a
/// repeat, so a retried create places one order, not two.
#[derive(Debug, Clone)]
pub struct Orders {
    client: Client,
}

impl Orders {
    fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts a list of orders, oldest first; set filters on it, then call
    /// [`send`](ListOrders::send), [`pages`](ListOrders::pages) or
    /// [`stream`](ListOrders::stream).
    ///
    /// The default walk of `pages` and `stream` is keyset-based, so it stays
    /// consistent while orders are created; the
    /// [`pagination`](crate::pagination) module describes what a `page(n)` walk
    /// guarantees instead.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use letta::types::OrderStatus;
    ///
    /// let unpaid: Vec<_> = client
    ///     .orders()
    ///     .list()
    ///     .status(OrderStatus::Pending)
    ///     .customer_id("cus_00000007MZ3QH8RD")
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// println!("{} orders wait for payment", unpaid.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListOrders {
        ListOrders {
            params: ListParams::new(&self.client, ORDERS),
        }
    }

    /// Fetches one order.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 and code `not_found`
    /// when no order has this id; [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// when `id` is empty.
    pub fn get(&self, id: &str) -> Call<Order> {
        let request = Client::check_id("order id", id)
            .map(|()| ApiRequest::new(Method::GET, &["v1", "orders", id]));
        Call::new(&self.client, request, call::json)
    }

    /// Places a `pending` order and reserves the stock of every item, all or
    /// nothing. Each item's `unit_price` is the plant's price at this moment,
    /// and `total` is their sum in minor units.
    ///
    /// A retried create is applied once: every attempt of the call sends the
    /// same `Idempotency-Key`, and the server replays the first order for a
    /// repeat. Set your own key to make a create safe to repeat across
    /// processes too:
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::CreateOrder;
    ///
    /// let order = client
    ///     .orders()
    ///     .create(
    ///         &CreateOrder::new("cus_00000007MZ3QH8RD")
    ///             .item("plt_000000014XK9QF2M", 2)
    ///             .item("plt_00000002N5J7JNAS", 1),
    ///     )
    ///     .idempotency_key("checkout-8412")
    ///     .await?;
    /// println!("{} costs {} {}", order.id, order.total, order.currency);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 409 and code
    /// `insufficient_stock` when an item's plant has too little stock (the
    /// field error points at that item's `quantity`, and nothing is
    /// reserved); 422 `validation_failed` for an unknown customer or plant,
    /// a plant listed twice or an invalid quantity; 422
    /// `idempotency_key_reused` when the key was used with another body.
    pub fn create(&self, order: &CreateOrder) -> Call<Order> {
        let request = ApiRequest::new(Method::POST, ORDERS).json_body(order);
        Call::new(&self.client, request, call::json)
    }

    /// Cancels a `pending` or `paid` order and returns its stock.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let order = client.orders().cancel("ord_00000005T2WJ9KXB").await?;
    /// assert_eq!(order.status, letta::types::OrderStatus::Cancelled);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 409 and code
    /// `invalid_order_state` when the order is already fulfilled or
    /// cancelled; 404 for an unknown id.
    pub fn cancel(&self, id: &str) -> Call<Order> {
        self.transition(id, "cancel")
    }

    /// Marks a `paid` order `fulfilled`.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 409 and code
    /// `invalid_order_state` when the order is not `paid`; 404 for an
    /// unknown id.
    pub fn fulfill(&self, id: &str) -> Call<Order> {
        self.transition(id, "fulfill")
    }

    /// Sends a body-less `POST /v1/orders/{id}/{action}`.
    fn transition(&self, id: &str, action: &str) -> Call<Order> {
        let request = Client::check_id("order id", id)
            .map(|()| ApiRequest::new(Method::POST, &["v1", "orders", id, action]));
        Call::new(&self.client, request, call::json)
    }
}

list_request! {
    /// A list request for orders, from [`Orders::list`].
    ListOrders => Order, "order"
}

impl ListOrders {
    /// Keeps orders with this status.
    pub fn status(mut self, status: OrderStatus) -> Self {
        self.params.filter("status", status.to_string());
        self
    }

    /// Keeps the orders of this customer.
    pub fn customer_id(mut self, customer_id: impl Into<String>) -> Self {
        self.params.filter("customer_id", customer_id.into());
        self
    }

    /// Keeps orders created strictly after this instant.
    pub fn created_after(mut self, instant: DateTime<Utc>) -> Self {
        self.params.filter("created_after", rfc3339(instant));
        self
    }

    /// Keeps orders created strictly before this instant.
    pub fn created_before(mut self, instant: DateTime<Utc>) -> Self {
        self.params.filter("created_before", rfc3339(instant));
        self
    }
}

/// Formats an instant for a query parameter, keeping sub-second digits only
/// when they are not zero.
fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
