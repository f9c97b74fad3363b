//! Customers: the stored record and the operations on it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::State;
use super::events::EventType;
use super::listing::{fresh_id, page_by_id};
use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest};
use crate::problem::ApiError;

/// A stored customer, serialized exactly as the API's `Customer` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    /// Stored as given; compared ignoring case.
    pub(crate) email: String,
    pub(crate) phone: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl HasId for CustomerRecord {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A checked `POST /v1/customers` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewCustomer {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) phone: Option<String>,
}

/// A checked `PATCH /v1/customers/{id}` body: `None` leaves a field
/// unchanged, and `Some(None)` clears the phone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CustomerChanges {
    pub(crate) name: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<Option<String>>,
}

/// The filters of `GET /v1/customers`; `None` matches every customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CustomerFilter {
    /// Matched against the whole email, ignoring case.
    pub(crate) email: Option<String>,
    /// Matched case-insensitively against name and email.
    pub(crate) q: Option<String>,
}

impl CustomerFilter {
    fn matches(&self, customer: &CustomerRecord) -> bool {
        let email_matches = self
            .email
            .as_ref()
            .is_none_or(|email| same_email(email, &customer.email));
        let q_matches = self.q.as_ref().is_none_or(|q| {
            let q = q.to_lowercase();
            customer.name.to_lowercase().contains(&q) || customer.email.to_lowercase().contains(&q)
        });
        email_matches && q_matches
    }
}

/// Compares emails ignoring case, as the uniqueness rule does.
fn same_email(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

impl State {
    /// Returns the customer with `id`.
    pub(crate) fn customer(&self, id: &str) -> Result<CustomerRecord, ApiError> {
        self.customers
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("customer", id))
    }

    /// Returns one page of the customers matching `filter`, in creation order.
    pub(crate) fn list_customers(
        &self,
        filter: &CustomerFilter,
        page: &PageRequest,
    ) -> Result<PageOf<CustomerRecord>, ApiError> {
        page_by_id(
            &self.customers,
            |customer| filter.matches(customer),
            page,
            ids::CUSTOMER,
            "a customer",
        )
    }

    /// Creates a customer and appends `customer.created`.
    ///
    /// # Errors
    ///
    /// `409 email_taken` when another customer has the email, ignoring case.
    pub(crate) fn create_customer(&mut self, new: NewCustomer) -> Result<CustomerRecord, ApiError> {
        self.check_email_free(&new.email, None)?;

        let now = self.now();
        let id = fresh_id(&mut self.ids, ids::CUSTOMER, &self.customers);
        let customer = CustomerRecord {
            id: id.clone(),
            name: new.name,
            email: new.email,
            phone: new.phone,
            created_at: now,
            updated_at: now,
        };
        self.customers.insert(id, customer.clone());
        self.record(EventType::CustomerCreated, &customer);
        Ok(customer)
    }

    /// Applies `changes` and appends `customer.updated` when a value
    /// changed; otherwise the customer, its `updated_at` and the log stay
    /// as they were.
    ///
    /// # Errors
    ///
    /// `404` for an unknown id, `409 email_taken` for another customer's email.
    pub(crate) fn update_customer(
        &mut self,
        id: &str,
        changes: CustomerChanges,
    ) -> Result<CustomerRecord, ApiError> {
        let mut customer = self.customer(id)?;
        if let Some(email) = &changes.email {
            self.check_email_free(email, Some(id))?;
        }
        let before = customer.clone();

        let CustomerChanges { name, email, phone } = changes;
        customer.name = name.unwrap_or(customer.name);
        customer.email = email.unwrap_or(customer.email);
        customer.phone = phone.unwrap_or(customer.phone);

        if customer != before {
            customer.updated_at = self.now();
            self.customers.insert(customer.id.clone(), customer.clone());
            self.record(EventType::CustomerUpdated, &customer);
        }
        Ok(customer)
    }

    /// Deletes a customer and appends `customer.deleted` with the customer
    /// as it was. Their orders stay.
    pub(crate) fn delete_customer(&mut self, id: &str) -> Result<(), ApiError> {
        let customer = self
            .customers
            .remove(id)
            .ok_or_else(|| ApiError::not_found("customer", id))?;
        self.record(EventType::CustomerDeleted, &customer);
        Ok(())
    }

    /// Fails with `409 email_taken` when a customer other than `except`
    /// has `email`, ignoring case.
    fn check_email_free(&self, email: &str, except: Option<&str>) -> Result<(), ApiError> {
        let owner = self.customers.values().find(|customer| {
            Some(customer.id.as_str()) != except && same_email(&customer.email, email)
        });
        match owner {
            Some(owner) => Err(ApiError::email_taken(format!(
                "the email `{email}` is already used by customer `{}`; emails are unique ignoring case",
                owner.id
            ))),
            None => Ok(()),
        }
    }
}
