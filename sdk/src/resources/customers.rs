//! `/v1/customers`: the store's customers and their order history.

use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::request::ApiRequest;
use crate::resources::list::{ListParams, list_request};
use crate::types::{CreateCustomer, Customer, Order, UpdateCustomer};

const CUSTOMERS: &[&str] = &["v1", "customers"];

impl Client {
    /// Returns the customers resource, with each customer's order history.
    pub fn customers(&self) -> Customers {
        Customers::new(self.clone())
    }
}

/// The customers resource, from [`Client::customers`].
#[derive(Debug, Clone)]
pub struct Customers {
    client: Client,
}

impl Customers {
    fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts a list of every customer, oldest first; call
    /// [`send`](ListCustomers::send), [`pages`](ListCustomers::pages) or
    /// [`stream`](ListCustomers::stream) on it.
    ///
    /// The default walk of `pages` and `stream` is keyset-based, so it stays
    /// consistent while customers are created and deleted; the
    /// [`pagination`](crate::pagination) module describes what a `page(n)` walk
    /// guarantees instead.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut customers = client.customers().list().limit(100).stream();
    /// while let Some(customer) = customers.try_next().await? {
    ///     println!("{} {}", customer.id, customer.email);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListCustomers {
        ListCustomers {
            params: ListParams::new(&self.client, CUSTOMERS),
        }
    }

    /// Fetches one customer.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 and code `not_found`
    /// when no customer has this id; [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// when `id` is empty.
    pub fn get(&self, id: &str) -> Call<Customer> {
        let request = Client::check_id("customer id", id)
            .map(|()| ApiRequest::new(Method::GET, &["v1", "customers", id]));
        Call::new(&self.client, request, call::json)
    }

    /// Creates a customer and appends a `customer.created` event.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::CreateCustomer;
    ///
    /// let ada = client
    ///     .customers()
    ///     .create(&CreateCustomer::new("Ada Lovelace", "ada@example.com").phone("+15555550123"))
    ///     .await?;
    /// println!("created {}", ada.id);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 409 and code
    /// `email_taken` when another customer has this email (compared ignoring
    /// case), or 422 with one field error per invalid field.
    pub fn create(&self, customer: &CreateCustomer) -> Call<Customer> {
        let request = ApiRequest::new(Method::POST, CUSTOMERS).json_body(customer);
        Call::new(&self.client, request, call::json)
    }

    /// Changes the fields set in `update` and leaves the rest. An empty
    /// update returns the customer unchanged.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::UpdateCustomer;
    ///
    /// let update = UpdateCustomer::new().email("ada@example.org").clear_phone();
    /// let ada = client.customers().update("cus_00000007MZ3QH8RD", &update).await?;
    /// assert_eq!(ada.phone, None);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 for an unknown id,
    /// 409 `email_taken` for an email another customer has, or 422 for an
    /// invalid field.
    pub fn update(&self, id: &str, update: &UpdateCustomer) -> Call<Customer> {
        let request = Client::check_id("customer id", id).and_then(|()| {
            ApiRequest::new(Method::PATCH, &["v1", "customers", id]).json_body(update)
        });
        Call::new(&self.client, request, call::json)
    }

    /// Deletes a customer. Their orders stay, with the same `customer_id`.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 when no customer
    /// has this id.
    pub fn delete(&self, id: &str) -> Call<()> {
        let request = Client::check_id("customer id", id)
            .map(|()| ApiRequest::new(Method::DELETE, &["v1", "customers", id]));
        Call::new(&self.client, request, call::empty)
    }

    /// Starts a list of one customer's orders, oldest first: their order
    /// history. It pages like every list; see [`ListCustomerOrders`].
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let history: Vec<_> = client
    ///     .customers()
    ///     .orders("cus_00000007MZ3QH8RD")
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// let spent: i64 = history.iter().map(|order| order.total).sum();
    /// println!("{} orders, {spent} cents", history.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// An empty `customer_id` makes every run of the request fail with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) before it is sent,
    /// and an unknown one gets a 404 from the server.
    pub fn orders(&self, customer_id: &str) -> ListCustomerOrders {
        let segments = ["v1", "customers", customer_id, "orders"];
        ListCustomerOrders {
            params: ListParams::new(&self.client, &segments).path_id("customer id", customer_id),
        }
    }
}

list_request! {
    /// A list request for customers, from [`Customers::list`].
    ListCustomers => Customer, "customer"
}

impl ListCustomers {
    /// Keeps the customer with this email address, compared ignoring case.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.params.filter("email", email.into());
        self
    }

    /// Keeps customers whose name or email contains this text, ignoring case.
    pub fn query(mut self, text: impl Into<String>) -> Self {
        self.params.filter("q", text.into());
        self
    }
}

list_request! {
    /// A list request for one customer's orders, from [`Customers::orders`].
    ListCustomerOrders => Order, "order"
}
