//! Payments: test charges that settle orders.

use chrono::{DateTime, Utc};
use letta::types::FieldError;
use serde::{Deserialize, Serialize};

use super::State;
use super::events::EventType;
use super::listing::{fresh_id, page_by_id};
use super::orders::OrderStatus;
use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest};
use crate::problem::ApiError;

/// A test payment method: `pm_card_ok` succeeds, `pm_card_declined` fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PaymentMethod {
    PmCardOk,
    PmCardDeclined,
}

impl PaymentMethod {
    pub(crate) const ALL: [PaymentMethod; 2] = [Self::PmCardOk, Self::PmCardDeclined];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::PmCardOk => "pm_card_ok",
            Self::PmCardDeclined => "pm_card_declined",
        }
    }
}

/// Whether a payment went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PaymentStatus {
    Succeeded,
    Failed,
}

/// Why a payment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FailureCode {
    CardDeclined,
}

/// A stored payment, serialized exactly as the API's `Payment` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PaymentRecord {
    pub(crate) id: String,
    pub(crate) order_id: String,
    /// In minor units of `currency`.
    pub(crate) amount: i64,
    pub(crate) currency: String,
    pub(crate) payment_method: PaymentMethod,
    pub(crate) status: PaymentStatus,
    /// `None` for a succeeded payment.
    pub(crate) failure_code: Option<FailureCode>,
    pub(crate) created_at: DateTime<Utc>,
}

impl HasId for PaymentRecord {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A `POST /v1/payments` body whose fields have the right shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewPayment {
    pub(crate) order_id: String,
    pub(crate) payment_method: PaymentMethod,
    pub(crate) amount: i64,
    pub(crate) currency: Option<String>,
}

/// What a payment attempt led to. A decline is still a change to the
/// state (a failed payment and an event are recorded), so it is an `Ok`
/// outcome of the store write that the handler turns into `402`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PaymentOutcome {
    Succeeded(PaymentRecord),
    Declined(PaymentRecord),
}

impl State {
    /// Returns the payment with `id`.
    pub(crate) fn payment(&self, id: &str) -> Result<PaymentRecord, ApiError> {
        self.payments
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("payment", id))
    }

    /// Returns one page of payments, succeeded and failed, in creation order.
    pub(crate) fn list_payments(
        &self,
        page: &PageRequest,
    ) -> Result<PageOf<PaymentRecord>, ApiError> {
        page_by_id(&self.payments, |_| true, page, ids::PAYMENT, "a payment")
    }

    /// Charges `new.payment_method` for a pending order.
    ///
    /// `pm_card_ok` records a succeeded payment, marks the order `paid` and
    /// appends `payment.completed` then `order.paid`. `pm_card_declined`
    /// records a failed payment with `failure_code: card_declined`, leaves
    /// the order `pending` and appends `payment.failed`.
    ///
    /// # Errors
    ///
    /// `422 validation_failed` for an unknown order, or an amount or
    /// currency other than the order's; `409 invalid_order_state` when the
    /// order is not `pending`.
    pub(crate) fn create_payment(&mut self, new: NewPayment) -> Result<PaymentOutcome, ApiError> {
        let Some(order) = self.orders.get(&new.order_id).cloned() else {
            return Err(ApiError::validation_failed(vec![FieldError::new(
                "/order_id",
                format!("no order with id `{}`", new.order_id),
            )]));
        };
        check_amount(&new, &order.currency, order.total)?;
        if order.status != OrderStatus::Pending {
            return Err(ApiError::invalid_order_state(format!(
                "order `{}` is {}; only a pending order can be paid",
                order.id,
                order.status.as_str()
            )));
        }

        let succeeded = new.payment_method == PaymentMethod::PmCardOk;
        let now = self.now();
        let id = fresh_id(&mut self.ids, ids::PAYMENT, &self.payments);
        let payment = PaymentRecord {
            id: id.clone(),
            order_id: order.id.clone(),
            amount: new.amount,
            currency: order.currency.clone(),
            payment_method: new.payment_method,
            status: if succeeded {
                PaymentStatus::Succeeded
            } else {
                PaymentStatus::Failed
            },
            failure_code: (!succeeded).then_some(FailureCode::CardDeclined),
            created_at: now,
        };
        self.payments.insert(id, payment.clone());

        if !succeeded {
            self.record(EventType::PaymentFailed, &payment);
            return Ok(PaymentOutcome::Declined(payment));
        }

        self.record(EventType::PaymentCompleted, &payment);
        let mut order = order;
        order.status = OrderStatus::Paid;
        order.updated_at = now;
        self.orders.insert(order.id.clone(), order.clone());
        self.record(EventType::OrderPaid, &order);
        Ok(PaymentOutcome::Succeeded(payment))
    }
}

/// Fails with `422` unless the amount and the currency, when given, are the
/// order's.
fn check_amount(new: &NewPayment, currency: &str, total: i64) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if new.amount != total {
        errors.push(FieldError::new(
            "/amount",
            format!(
                "must equal the order total of {total} (minor units of `{currency}`), not {}",
                new.amount
            ),
        ));
    }
    if let Some(given) = &new.currency
        && given != currency
    {
        errors.push(FieldError::new(
            "/currency",
            format!("must be the order's currency `{currency}`, not `{given}`"),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation_failed(errors))
    }
}
