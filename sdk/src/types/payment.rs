use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::enums::string_enum;

string_enum! {
    /// Test payment method.
    PaymentMethod {
        /// A card that is always accepted.
        CardOk => "pm_card_ok",
        /// A card that is always declined: the payment is recorded as
        /// failed and the request fails with `402 card_declined`.
        CardDeclined => "pm_card_declined",
    }
}

string_enum! {
    /// Outcome of a payment.
    PaymentStatus {
        /// The order was charged and is now `paid`.
        Succeeded => "succeeded",
        /// The charge failed, for the reason in `failure_code`.
        Failed => "failed",
    }
}

string_enum! {
    /// Reason a payment failed.
    PaymentFailureCode {
        /// The payment method was declined.
        CardDeclined => "card_declined",
    }
}

/// A test payment for an order, succeeded or failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Payment {
    /// Identifier, prefixed `pay_`.
    pub id: String,
    /// The order paid for.
    pub order_id: String,
    /// Amount in minor units of `currency`, equal to the order's total.
    pub amount: i64,
    /// Lowercase ISO 4217 currency code.
    pub currency: String,
    /// The payment method charged.
    pub payment_method: PaymentMethod,
    /// Whether the charge succeeded.
    pub status: PaymentStatus,
    /// Why a failed payment failed; `None` when it succeeded.
    #[serde(default)]
    pub failure_code: Option<PaymentFailureCode>,
    /// When the payment was made.
    pub created_at: DateTime<Utc>,
}

/// The body of `POST /v1/payments`.
///
/// ```
/// use letta::types::{CreatePayment, PaymentMethod};
///
/// let payment = CreatePayment::new("ord_00000005T2WJ9KXB", PaymentMethod::CardOk, 7497);
/// assert_eq!(payment.amount, 7497);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatePayment {
    /// The order to pay for, which must be `pending`.
    pub order_id: String,
    /// The test payment method to charge.
    pub payment_method: PaymentMethod,
    /// Amount in minor units; must equal the order's total.
    pub amount: i64,
    /// Lowercase ISO 4217 code; when set, must equal the order's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

impl CreatePayment {
    /// Creates a payment of `amount` minor units for an order.
    pub fn new(order_id: impl Into<String>, payment_method: PaymentMethod, amount: i64) -> Self {
        Self {
            order_id: order_id.into(),
            payment_method,
            amount,
            currency: None,
        }
    }

    /// Sets the currency, which the server checks against the order's.
    #[must_use]
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }
}
