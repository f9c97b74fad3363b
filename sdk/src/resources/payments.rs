//! `/v1/payments`: test payments for orders.

use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::request::ApiRequest;
use crate::resources::list::{ListParams, list_request};
use crate::types::{CreatePayment, Payment};

const PAYMENTS: &[&str] = &["v1", "payments"];

impl Client {
    /// Returns the payments resource.
    pub fn payments(&self) -> Payments {
        Payments::new(self.clone())
    }
}

/// The payments resource, from [`Client::payments`].
#[derive(Debug, Clone)]
pub struct Payments {
    client: Client,
}

impl Payments {
    fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts a list of payments, succeeded and failed, oldest first; call
    /// [`send`](ListPayments::send), [`pages`](ListPayments::pages) or
    /// [`stream`](ListPayments::stream) on it.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let page = client.payments().list().limit(10).send().await?;
    /// for payment in &page.data {
    ///     println!("{} {} {}", payment.id, payment.amount, payment.status);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListPayments {
        ListPayments {
            params: ListParams::new(&self.client, PAYMENTS),
        }
    }

    /// Fetches one payment, succeeded or failed.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 and code `not_found`
    /// when no payment has this id; [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// when `id` is empty.
    pub fn get(&self, id: &str) -> Call<Payment> {
        let request = Client::check_id("payment id", id)
            .map(|()| ApiRequest::new(Method::GET, &["v1", "payments", id]));
        Call::new(&self.client, request, call::json)
    }

    /// Charges a test payment method for a `pending` order. On success the
    /// order becomes `paid`.
    ///
    /// The amount is in minor units and must equal the order's `total`.
    /// A retried payment is charged once: every attempt of the call sends the
    /// same `Idempotency-Key` (generated, or set with
    /// [`Call::idempotency_key`]), and the server replays the first outcome,
    /// a decline included, for a repeat.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::{CreatePayment, PaymentMethod};
    ///
    /// let order = client.orders().get("ord_00000005T2WJ9KXB").await?;
    /// let payment = client
    ///     .payments()
    ///     .create(&CreatePayment::new(&order.id, PaymentMethod::CardOk, order.total))
    ///     .await?;
    /// println!("paid {} {}", payment.amount, payment.currency);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 402 and code
    /// `card_declined` when the method is declined (the failed payment is
    /// recorded and the order stays `pending`); 409 `invalid_order_state`
    /// when the order is not `pending`; 422 `validation_failed` when the
    /// amount or currency differs from the order's or the order is unknown.
    pub fn create(&self, payment: &CreatePayment) -> Call<Payment> {
        let request = ApiRequest::new(Method::POST, PAYMENTS).json_body(payment);
        Call::new(&self.client, request, call::json)
    }
}

list_request! {
    /// A list request for payments, from [`Payments::list`].
    ListPayments => Payment, "payment"
}
