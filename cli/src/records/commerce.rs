//! Table rows, CSV records and field lists of customers, orders, payments
//! and events.

use comfy_table::Color;
use letta::types::{Customer, Event, Order, OrderStatus, Payment, PaymentStatus};

use super::{column, timestamp};
use crate::money;
use crate::output::{Column, Record, Styled};

const CUSTOMER_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("NAME", false, true),
    column("EMAIL", false, true),
    column("PHONE", false, false),
    column("CREATED", false, false),
];

const CUSTOMER_CSV_HEADER: &[&str] = &["id", "name", "email", "phone", "created_at", "updated_at"];

impl Record for Customer {
    fn columns() -> &'static [Column] {
        CUSTOMER_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(&self.id),
            Styled::plain(&self.name),
            Styled::plain(&self.email),
            Styled::plain(self.phone.as_deref().unwrap_or("")),
            Styled::plain(timestamp(&self.created_at)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        CUSTOMER_CSV_HEADER
    }

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.email.clone(),
            self.phone.clone().unwrap_or_default(),
            timestamp(&self.created_at),
            timestamp(&self.updated_at),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(&self.id)),
            ("Name", Styled::plain(&self.name)),
            ("Email", Styled::plain(&self.email)),
            ("Phone", Styled::plain(self.phone.as_deref().unwrap_or(""))),
            ("Created", Styled::plain(timestamp(&self.created_at))),
            ("Updated", Styled::plain(timestamp(&self.updated_at))),
        ]
    }
}

const ORDER_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("CUSTOMER", false, false),
    column("ITEMS", true, false),
    column("TOTAL", true, false),
    column("STATUS", false, false),
    column("CREATED", false, false),
];

const ORDER_CSV_HEADER: &[&str] = &[
    "id",
    "customer_id",
    "items",
    "total",
    "currency",
    "status",
    "created_at",
    "updated_at",
];

impl Record for Order {
    fn columns() -> &'static [Column] {
        ORDER_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        let units: i64 = self.items.iter().map(|item| item.quantity).sum();
        vec![
            Styled::plain(&self.id),
            Styled::plain(&self.customer_id),
            Styled::plain(units.to_string()),
            Styled::plain(money::format(self.total, &self.currency)),
            order_status_cell(&self.status),
            Styled::plain(timestamp(&self.created_at)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        ORDER_CSV_HEADER
    }

    /// Items are `plant_id:quantity:unit_price` joined with `;`, with the
    /// price in minor units like `total`.
    fn csv_record(&self) -> Vec<String> {
        let items: Vec<String> = self
            .items
            .iter()
            .map(|item| format!("{}:{}:{}", item.plant_id, item.quantity, item.unit_price))
            .collect();
        vec![
            self.id.clone(),
            self.customer_id.clone(),
            items.join(";"),
            self.total.to_string(),
            self.currency.clone(),
            self.status.to_string(),
            timestamp(&self.created_at),
            timestamp(&self.updated_at),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        let items: Vec<String> = self
            .items
            .iter()
            .map(|item| {
                format!(
                    "{} x {} at {}",
                    item.quantity,
                    item.plant_id,
                    money::format(item.unit_price, &self.currency)
                )
            })
            .collect();
        vec![
            ("ID", Styled::plain(&self.id)),
            ("Customer", Styled::plain(&self.customer_id)),
            ("Items", Styled::plain(items.join(", "))),
            (
                "Total",
                Styled::plain(money::format(self.total, &self.currency)),
            ),
            ("Status", order_status_cell(&self.status)),
            ("Created", Styled::plain(timestamp(&self.created_at))),
            ("Updated", Styled::plain(timestamp(&self.updated_at))),
        ]
    }
}

fn order_status_cell(status: &OrderStatus) -> Styled {
    let color = match status {
        OrderStatus::Pending => Color::Yellow,
        OrderStatus::Paid => Color::Cyan,
        OrderStatus::Fulfilled => Color::Green,
        OrderStatus::Cancelled => Color::Red,
        _ => return Styled::plain(status.as_str()),
    };
    Styled::colored(status.as_str(), color)
}

const PAYMENT_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("ORDER", false, false),
    column("AMOUNT", true, false),
    column("METHOD", false, false),
    column("STATUS", false, false),
    column("FAILURE", false, false),
];

const PAYMENT_CSV_HEADER: &[&str] = &[
    "id",
    "order_id",
    "amount",
    "currency",
    "payment_method",
    "status",
    "failure_code",
    "created_at",
];

impl Record for Payment {
    fn columns() -> &'static [Column] {
        PAYMENT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(&self.id),
            Styled::plain(&self.order_id),
            Styled::plain(money::format(self.amount, &self.currency)),
            Styled::plain(self.payment_method.as_str()),
            payment_status_cell(&self.status),
            Styled::plain(self.failure_code.as_ref().map_or("", |code| code.as_str())),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        PAYMENT_CSV_HEADER
    }

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.order_id.clone(),
            self.amount.to_string(),
            self.currency.clone(),
            self.payment_method.to_string(),
            self.status.to_string(),
            self.failure_code
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            timestamp(&self.created_at),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(&self.id)),
            ("Order", Styled::plain(&self.order_id)),
            (
                "Amount",
                Styled::plain(money::format(self.amount, &self.currency)),
            ),
            ("Method", Styled::plain(self.payment_method.as_str())),
            ("Status", payment_status_cell(&self.status)),
            (
                "Failure",
                Styled::plain(self.failure_code.as_ref().map_or("", |code| code.as_str())),
            ),
            ("Created", Styled::plain(timestamp(&self.created_at))),
        ]
    }
}

fn payment_status_cell(status: &PaymentStatus) -> Styled {
    let color = match status {
        PaymentStatus::Succeeded => Color::Green,
        PaymentStatus::Failed => Color::Red,
        _ => return Styled::plain(status.as_str()),
    };
    Styled::colored(status.as_str(), color)
}

const EVENT_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("TYPE", false, false),
    column("OBJECT", false, false),
    column("CREATED", false, false),
];

const EVENT_CSV_HEADER: &[&str] = &["id", "type", "object_id", "created_at", "data"];

impl Record for Event {
    fn columns() -> &'static [Column] {
        EVENT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(&self.id),
            Styled::plain(self.event_type.as_str()),
            Styled::plain(self.data.object_id().unwrap_or("")),
            Styled::plain(timestamp(&self.created_at)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        EVENT_CSV_HEADER
    }

    /// `data` is the object as one line of compact JSON.
    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.event_type.to_string(),
            self.data.object_id().unwrap_or("").to_owned(),
            timestamp(&self.created_at),
            compact_json(&self.data),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(&self.id)),
            ("Type", Styled::plain(self.event_type.as_str())),
            ("Object", Styled::plain(self.data.object_id().unwrap_or(""))),
            ("Created", Styled::plain(timestamp(&self.created_at))),
            ("Data", Styled::plain(compact_json(&self.data))),
        ]
    }
}

/// Encodes a value as one line of JSON. The wire types always encode, so
/// an error leaves the field empty rather than failing the output.
fn compact_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
