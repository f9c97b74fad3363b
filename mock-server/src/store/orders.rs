//! Orders: the stored record, stock reservation and the order life cycle.
//!
//! An order reserves its stock when it is created and gives it back when it
//! is cancelled. Both run inside one store write, under the store lock, so
//! the check "is there enough stock for every item" and the reservation
//! itself cannot interleave with another order: concurrent orders never
//! oversell.

use chrono::{DateTime, Utc};
use letta::types::FieldError;
use serde::{Deserialize, Serialize};

use super::events::EventType;
use super::listing::{fresh_id, page_by_id};
use super::{MAX_STOCK, State};
use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest};
use crate::problem::ApiError;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OrderStatus {
    Pending,
    Paid,
    Fulfilled,
    Cancelled,
}

impl OrderStatus {
    pub(crate) const ALL: [OrderStatus; 4] =
        [Self::Pending, Self::Paid, Self::Fulfilled, Self::Cancelled];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Fulfilled => "fulfilled",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One line of a stored order, with the price as charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderItem {
    pub(crate) plant_id: String,
    pub(crate) quantity: i64,
    pub(crate) unit_price: i64,
}

/// A stored order, serialized exactly as the API's `Order` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct OrderRecord {
    pub(crate) id: String,
    pub(crate) customer_id: String,
    pub(crate) items: Vec<OrderItem>,
    /// Sum of `quantity * unit_price`, in minor units.
    pub(crate) total: i64,
    pub(crate) currency: String,
    pub(crate) status: OrderStatus,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl HasId for OrderRecord {
    fn id(&self) -> &str {
        &self.id
    }
}

/// One line of a `POST /v1/orders` body, checked for shape only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrderItem {
    pub(crate) plant_id: String,
    pub(crate) quantity: i64,
}

/// A `POST /v1/orders` body whose fields have the right shapes; the store
/// checks that the customer and the plants exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewOrder {
    pub(crate) customer_id: String,
    pub(crate) items: Vec<NewOrderItem>,
}

/// The filters of `GET /v1/orders`; `None` matches every order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrderFilter {
    pub(crate) status: Option<OrderStatus>,
    pub(crate) customer_id: Option<String>,
    /// Exclusive lower bound of `created_at`.
    pub(crate) created_after: Option<DateTime<Utc>>,
    /// Exclusive upper bound of `created_at`.
    pub(crate) created_before: Option<DateTime<Utc>>,
}

impl OrderFilter {
    fn matches(&self, order: &OrderRecord) -> bool {
        self.status.is_none_or(|status| order.status == status)
            && self
                .customer_id
                .as_ref()
                .is_none_or(|customer| &order.customer_id == customer)
            && self
                .created_after
                .is_none_or(|after| order.created_at > after)
            && self
                .created_before
                .is_none_or(|before| order.created_at < before)
    }
}

impl State {
    /// Returns the order with `id`.
    pub(crate) fn order(&self, id: &str) -> Result<OrderRecord, ApiError> {
        self.orders
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("order", id))
    }

    /// Returns one page of the orders matching `filter`, in creation order.
    pub(crate) fn list_orders(
        &self,
        filter: &OrderFilter,
        page: &PageRequest,
    ) -> Result<PageOf<OrderRecord>, ApiError> {
        page_by_id(
            &self.orders,
            |order| filter.matches(order),
            page,
            ids::ORDER,
            "an order",
        )
    }

    /// Returns one page of the orders of an existing customer.
    ///
    /// # Errors
    ///
    /// `404` when no customer has `customer_id`.
    pub(crate) fn list_customer_orders(
        &self,
        customer_id: &str,
        page: &PageRequest,
    ) -> Result<PageOf<OrderRecord>, ApiError> {
        self.customer(customer_id)?;
        let filter = OrderFilter {
            customer_id: Some(customer_id.to_owned()),
            ..OrderFilter::default()
        };
        self.list_orders(&filter, page)
    }

    /// Creates a `pending` order and reserves the stock of every item, or
    /// changes nothing when any check fails.
    ///
    /// Appends `order.created`, then for each item in order
    /// `plant.stock_changed` and, when the reservation crosses them,
    /// `plant.low_stock` and `plant.out_of_stock`.
    ///
    /// # Errors
    ///
    /// `422 validation_failed` for an unknown customer or plant, or plants
    /// priced in different currencies, listing every such field; then
    /// `409 insufficient_stock` pointing at the quantity of the first item
    /// whose plant has too little stock.
    pub(crate) fn create_order(&mut self, new: NewOrder) -> Result<OrderRecord, ApiError> {
        // price_items checks that every plant exists, and the body checks
        // guarantee at least one item, so the indexing below cannot fail.
        let items = self.price_items(&new)?;
        self.check_stock(&items)?;

        let currency = self.plants[&items[0].plant_id].currency.clone();
        let total = items
            .iter()
            .map(|item| item.quantity * item.unit_price)
            .sum();
        let now = self.now();
        let id = fresh_id(&mut self.ids, ids::ORDER, &self.orders);
        let order = OrderRecord {
            id: id.clone(),
            customer_id: new.customer_id,
            items,
            total,
            currency,
            status: OrderStatus::Pending,
            created_at: now,
            updated_at: now,
        };
        self.orders.insert(id, order.clone());
        self.record(EventType::OrderCreated, &order);

        for item in &order.items {
            let stock = self.plants[&item.plant_id].stock - item.quantity;
            self.set_stock(&item.plant_id, stock)?;
        }
        Ok(order)
    }

    /// Checks that the customer and every plant exist and share a currency,
    /// and returns the items with the plants' current prices.
    fn price_items(&self, new: &NewOrder) -> Result<Vec<OrderItem>, ApiError> {
        let mut errors = Vec::new();
        if !self.customers.contains_key(&new.customer_id) {
            errors.push(FieldError::new(
                "/customer_id",
                format!("no customer with id `{}`", new.customer_id),
            ));
        }

        let mut currency: Option<&str> = None;
        let mut items = Vec::with_capacity(new.items.len());
        for (index, item) in new.items.iter().enumerate() {
            let Some(plant) = self.plants.get(&item.plant_id) else {
                errors.push(FieldError::new(
                    format!("/items/{index}/plant_id"),
                    format!("no plant with id `{}`", item.plant_id),
                ));
                continue;
            };
            match currency {
                None => currency = Some(&plant.currency),
                Some(expected) if expected != plant.currency => {
                    errors.push(FieldError::new(
                        format!("/items/{index}/plant_id"),
                        format!(
                            "is priced in `{}`, but the order's first plant is priced in `{expected}`; order plants of one currency together",
                            plant.currency
                        ),
                    ));
                }
                Some(_) => {}
            }
            items.push(OrderItem {
                plant_id: item.plant_id.clone(),
                quantity: item.quantity,
                unit_price: plant.price,
            });
        }

        if errors.is_empty() {
            Ok(items)
        } else {
            Err(ApiError::validation_failed(errors))
        }
    }

    /// Fails with `409 insufficient_stock` at the first item whose plant
    /// has fewer units on hand than ordered.
    fn check_stock(&self, items: &[OrderItem]) -> Result<(), ApiError> {
        for (index, item) in items.iter().enumerate() {
            let on_hand = self.plants[&item.plant_id].stock;
            if on_hand < item.quantity {
                return Err(ApiError::insufficient_stock(format!(
                    "plant `{}` has {on_hand} in stock; the order asks for {}",
                    item.plant_id, item.quantity
                ))
                .with_errors(vec![FieldError::new(
                    format!("/items/{index}/quantity"),
                    format!("{on_hand} in stock, {} requested", item.quantity),
                )]));
            }
        }
        Ok(())
    }

    /// Cancels a `pending` or `paid` order, returns its stock to the plants
    /// that still exist, and appends `order.cancelled` then a
    /// `plant.stock_changed` per returned item.
    ///
    /// # Errors
    ///
    /// `404` for an unknown id, `409 invalid_order_state` for a fulfilled or
    /// cancelled order.
    pub(crate) fn cancel_order(&mut self, id: &str) -> Result<OrderRecord, ApiError> {
        let mut order = self.order(id)?;
        if !matches!(order.status, OrderStatus::Pending | OrderStatus::Paid) {
            return Err(ApiError::invalid_order_state(format!(
                "order `{id}` is {}; only a pending or paid order can be cancelled",
                order.status.as_str()
            )));
        }

        order.status = OrderStatus::Cancelled;
        order.updated_at = self.now();
        self.orders.insert(order.id.clone(), order.clone());
        self.record(EventType::OrderCancelled, &order);

        for item in &order.items {
            let Some(plant) = self.plants.get(&item.plant_id) else {
                continue;
            };
            // NOTE: a plant whose stock was set near the maximum after the
            // order was placed gets back only what fits under MAX_STOCK.
            let stock = (plant.stock + item.quantity).min(MAX_STOCK);
            self.set_stock(&item.plant_id, stock)?;
        }
        Ok(order)
    }

    /// Marks a `paid` order `fulfilled` and appends `order.fulfilled`.
    ///
    /// # Errors
    ///
    /// `404` for an unknown id, `409 invalid_order_state` for any status
    /// other than `paid`.
    pub(crate) fn fulfill_order(&mut self, id: &str) -> Result<OrderRecord, ApiError> {
        let mut order = self.order(id)?;
        if order.status != OrderStatus::Paid {
            return Err(ApiError::invalid_order_state(format!(
                "order `{id}` is {}; only a paid order can be fulfilled",
                order.status.as_str()
            )));
        }

        order.status = OrderStatus::Fulfilled;
        order.updated_at = self.now();
        self.orders.insert(order.id.clone(), order.clone());
        self.record(EventType::OrderFulfilled, &order);
        Ok(order)
    }
}
