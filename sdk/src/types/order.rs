use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::enums::string_enum;

string_enum! {
    /// Life-cycle state of an order.
    OrderStatus {
        /// Stock is reserved and the order waits for payment.
        Pending => "pending",
        /// Paid, waiting to be fulfilled.
        Paid => "paid",
        /// Shipped; final.
        Fulfilled => "fulfilled",
        /// Cancelled from `pending` or `paid`, with its stock returned; final.
        Cancelled => "cancelled",
    }
}

/// An order. Its stock is reserved from creation until it is cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Order {
    /// Identifier, prefixed `ord_`.
    pub id: String,
    /// The customer who placed the order.
    pub customer_id: String,
    /// The lines of the order, at least one.
    pub items: Vec<OrderItem>,
    /// Sum of `quantity * unit_price` over the items, in minor units of
    /// `currency` (cents for `usd`).
    pub total: i64,
    /// Lowercase ISO 4217 currency code.
    pub currency: String,
    /// Life-cycle state.
    pub status: OrderStatus,
    /// When the order was created.
    pub created_at: DateTime<Utc>,
    /// When the order was last changed.
    pub updated_at: DateTime<Utc>,
}

/// One line of an order, with the price as charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OrderItem {
    /// The plant ordered.
    pub plant_id: String,
    /// Units ordered, 1 to 1000.
    pub quantity: i64,
    /// Price per unit in minor units, copied from the plant when the order
    /// was created.
    pub unit_price: i64,
}

/// The body of `POST /v1/orders`.
///
/// ```
/// use letta::types::CreateOrder;
///
/// let order = CreateOrder::new("cus_00000007MZ3QH8RD")
///     .item("plt_000000014XK9QF2M", 2)
///     .item("plt_00000002N5J7JNAS", 1);
/// assert_eq!(order.items.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateOrder {
    /// The customer placing the order.
    pub customer_id: String,
    /// The plants to order, each plant at most once, 1 to 100 items.
    pub items: Vec<CreateOrderItem>,
}

impl CreateOrder {
    /// Creates an order for `customer_id` with no items yet; add them with
    /// [`item`](Self::item).
    pub fn new(customer_id: impl Into<String>) -> Self {
        Self {
            customer_id: customer_id.into(),
            items: Vec::new(),
        }
    }

    /// Adds `quantity` units of a plant.
    #[must_use]
    pub fn item(mut self, plant_id: impl Into<String>, quantity: i64) -> Self {
        self.items.push(CreateOrderItem::new(plant_id, quantity));
        self
    }
}

/// One line of a [`CreateOrder`]. The server sets the price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreateOrderItem {
    /// The plant to order.
    pub plant_id: String,
    /// Units to order, 1 to 1000.
    pub quantity: i64,
}

impl CreateOrderItem {
    /// Creates an item.
    pub fn new(plant_id: impl Into<String>, quantity: i64) -> Self {
        Self {
            plant_id: plant_id.into(),
            quantity,
        }
    }
}
