//! Seeded orders and their payments, in every status.
//!
//! Each order was placed after its customer and its plants were created,
//! copies the plants' prices, and its status has the payments that lead to
//! it: a paid or fulfilled order has one succeeded payment (sometimes after
//! a declined one). Plants keep their seeded stock, which is what is left
//! on hand after the orders' reservations.

use chrono::{DateTime, Duration, Utc};

use crate::ids;
use crate::rng::SplitMix64;
use crate::store::{
    FailureCode, OrderItem, OrderRecord, OrderStatus, PaymentMethod, PaymentRecord, PaymentStatus,
    State,
};

/// Mixed into the seed for the order stream, so adding orders leaves the
/// plants and customers unchanged.
const ORDER_STREAM: u64 = 0x0DE_2500_0DE2;

/// The statuses of the newest four orders, so that every status occurs
/// whenever there are at least four orders.
const NEWEST_STATUSES: [OrderStatus; 4] = [
    OrderStatus::Cancelled,
    OrderStatus::Fulfilled,
    OrderStatus::Paid,
    OrderStatus::Pending,
];

/// An order before its id is issued.
struct Draft {
    customer_id: String,
    items: Vec<OrderItem>,
    created_at: DateTime<Utc>,
}

/// Adds `count` orders placed between `from` and `until` (the epoch), each
/// by a customer and of plants created before it, with their payments.
/// Nothing is added without customers or plants.
pub(super) fn add(
    state: &mut State,
    seed: u64,
    count: usize,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) {
    let mut rng = SplitMix64::new(seed ^ ORDER_STREAM);
    let customers: Vec<(String, DateTime<Utc>)> = state
        .customers
        .values()
        .map(|customer| (customer.id.clone(), customer.created_at))
        .collect();
    let plants: Vec<(String, DateTime<Utc>, i64)> = state
        .plants
        .values()
        .map(|plant| (plant.id.clone(), plant.created_at, plant.price))
        .collect();
    let (Some(first_customer), Some(first_plant)) = (customers.first(), plants.first()) else {
        return;
    };

    // No order before its first possible customer and plant.
    let earliest = (first_customer.1.max(first_plant.1) + Duration::seconds(1)).max(from);
    let span_ms = (until - earliest).num_milliseconds().max(1);
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| earliest + Duration::milliseconds(rng.below(span_ms as u64) as i64 / 1000 * 1000))
        .collect();
    times.sort();

    let mut drafts = Vec::with_capacity(count);
    for created_at in times {
        // Both lists are in creation order, so the eligible ones are a prefix.
        let known_customers = customers
            .partition_point(|(_, time)| *time < created_at)
            .max(1);
        let known_plants = plants
            .partition_point(|(_, time, _)| *time < created_at)
            .max(1);
        let customer_id = customers[rng.below(known_customers as u64) as usize]
            .0
            .clone();

        let item_count = (1 + rng.below(4) as usize).min(known_plants);
        let mut items: Vec<OrderItem> = Vec::with_capacity(item_count);
        while items.len() < item_count {
            let (plant_id, _, price) = &plants[rng.below(known_plants as u64) as usize];
            if items.iter().any(|item| &item.plant_id == plant_id) {
                continue;
            }
            items.push(OrderItem {
                plant_id: plant_id.clone(),
                quantity: *rng.pick(&[1, 1, 1, 2, 2, 3]),
                unit_price: *price,
            });
        }
        drafts.push(Draft {
            customer_id,
            items,
            created_at,
        });
    }

    let mut payments: Vec<PaymentRecord> = Vec::new();
    for (index, draft) in drafts.into_iter().enumerate() {
        let from_newest = count - 1 - index;
        let status = match NEWEST_STATUSES.get(from_newest) {
            Some(status) => *status,
            None => match rng.below(100) {
                0..8 => OrderStatus::Cancelled,
                8..20 => OrderStatus::Pending,
                20..35 => OrderStatus::Paid,
                _ => OrderStatus::Fulfilled,
            },
        };
        let total = draft
            .items
            .iter()
            .map(|item| item.quantity * item.unit_price)
            .sum();
        let mut order = OrderRecord {
            id: state.ids.next(ids::ORDER),
            customer_id: draft.customer_id,
            items: draft.items,
            total,
            currency: "usd".to_owned(),
            status,
            created_at: draft.created_at,
            updated_at: draft.created_at,
        };

        let later = |rng: &mut SplitMix64, time: DateTime<Utc>, max_minutes: i64| {
            (time + Duration::minutes(rng.between(1, max_minutes))).min(until)
        };
        match status {
            OrderStatus::Pending => {}
            OrderStatus::Cancelled => order.updated_at = later(&mut rng, order.created_at, 600),
            OrderStatus::Paid | OrderStatus::Fulfilled => {
                let mut paid_at = later(&mut rng, order.created_at, 30);
                if rng.percent(8) {
                    payments.push(payment(&order, PaymentMethod::PmCardDeclined, paid_at));
                    paid_at = later(&mut rng, paid_at, 30);
                }
                payments.push(payment(&order, PaymentMethod::PmCardOk, paid_at));
                order.updated_at = paid_at;
                if status == OrderStatus::Fulfilled {
                    order.updated_at = later(&mut rng, paid_at, 3 * 24 * 60);
                }
            }
        }
        state.orders.insert(order.id.clone(), order);
    }

    // Payments of different orders interleave in time, and ids must sort in
    // creation order, so ids are issued once they are sorted.
    payments.sort_by_key(|payment| payment.created_at);
    for mut payment in payments {
        payment.id = state.ids.next(ids::PAYMENT);
        state.payments.insert(payment.id.clone(), payment);
    }
}

/// Builds a payment for `order` made at `at`, without its id yet.
fn payment(order: &OrderRecord, method: PaymentMethod, at: DateTime<Utc>) -> PaymentRecord {
    let succeeded = method == PaymentMethod::PmCardOk;
    PaymentRecord {
        id: String::new(),
        order_id: order.id.clone(),
        amount: order.total,
        currency: order.currency.clone(),
        payment_method: method,
        status: if succeeded {
            PaymentStatus::Succeeded
        } else {
            PaymentStatus::Failed
        },
        failure_code: (!succeeded).then_some(FailureCode::CardDeclined),
        created_at: at,
    }
}
