//! `letta orders ...`: place, list, show, cancel and fulfil orders.

use std::str::FromStr;

use anyhow::{Context, Result};
use chrono::{DateTime, SecondsFormat, Utc};
use letta::Client;
use letta::types::{CreateOrder, OrderStatus};

use crate::commands::list::{self, Listing, PageOptions};
use crate::commands::plants::Invocation;
use crate::output::Output;

/// A `letta orders` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum OrdersCommand {
    List {
        page: PageOptions,
        filters: OrderFilters,
    },
    Get {
        id: String,
    },
    Create {
        customer_id: String,
        items: Vec<OrderLine>,
    },
    Cancel {
        id: String,
    },
    Fulfill {
        id: String,
    },
}

/// Filters of `letta orders list`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderFilters {
    pub(crate) status: Option<OrderStatus>,
    pub(crate) customer_id: Option<String>,
    pub(crate) created_after: Option<DateTime<Utc>>,
    pub(crate) created_before: Option<DateTime<Utc>>,
}

/// One `--item PLANT_ID:QUANTITY` of `letta orders create`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderLine {
    pub(crate) plant_id: String,
    pub(crate) quantity: i64,
}

impl FromStr for OrderLine {
    type Err = String;

    /// Parses `plt_…:2`, or a bare plant id for one unit.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (plant_id, quantity) = match raw.rsplit_once(':') {
            Some((plant_id, quantity)) => {
                let quantity = quantity.trim().parse::<i64>().map_err(|_| {
                    format!("`{quantity}` is not a whole number of units; write PLANT_ID:QUANTITY, such as plt_000000017YEC4WRW:2")
                })?;
                (plant_id.trim(), quantity)
            }
            None => (raw.trim(), 1),
        };
        if plant_id.is_empty() {
            return Err(format!(
                "`{raw}` has no plant id; write PLANT_ID:QUANTITY, such as plt_000000017YEC4WRW:2"
            ));
        }
        Ok(Self {
            plant_id: plant_id.to_owned(),
            quantity,
        })
    }
}

/// Runs an orders command.
pub(crate) async fn run(
    client: &Client,
    command: OrdersCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    match command {
        OrdersCommand::List { page, filters } => {
            list_orders(client, &page, &filters, output, invocation).await
        }
        OrdersCommand::Get { id } => {
            let order = client
                .orders()
                .get(&id)
                .await
                .with_context(|| format!("failed to fetch order {id}"))?;
            Ok(output.record(&order)?)
        }
        OrdersCommand::Create { customer_id, items } => {
            let mut order = CreateOrder::new(customer_id);
            for line in items {
                order = order.item(line.plant_id, line.quantity);
            }
            let created = client
                .orders()
                .create(&order)
                .await
                .context("failed to create the order")?;
            Ok(output.record(&created)?)
        }
        OrdersCommand::Cancel { id } => {
            let order = client
                .orders()
                .cancel(&id)
                .await
                .with_context(|| format!("failed to cancel order {id}"))?;
            Ok(output.record(&order)?)
        }
        OrdersCommand::Fulfill { id } => {
            let order = client
                .orders()
                .fulfill(&id)
                .await
                .with_context(|| format!("failed to fulfil order {id}"))?;
            Ok(output.record(&order)?)
        }
    }
}

async fn list_orders(
    client: &Client,
    page: &PageOptions,
    filters: &OrderFilters,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    let mut request = client.orders().list();
    let mut repeated = Vec::new();
    if let Some(status) = &filters.status {
        request = request.status(status.clone());
        repeated.push(("status", status.to_string()));
    }
    if let Some(customer_id) = &filters.customer_id {
        request = request.customer_id(customer_id.clone());
        repeated.push(("customer", customer_id.clone()));
    }
    if let Some(instant) = filters.created_after {
        request = request.created_after(instant);
        repeated.push(("created-after", rfc3339(instant)));
    }
    if let Some(instant) = filters.created_before {
        request = request.created_before(instant);
        repeated.push(("created-before", rfc3339(instant)));
    }

    let listing = Listing {
        noun: ("order", "orders"),
        command: "orders list".to_owned(),
        filters: repeated,
        invocation,
    };
    list::run(request, page, &listing, output).await
}

fn rfc3339(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_line_parses_id_and_quantity() {
        let line: OrderLine = "plt_000000017YEC4WRW:2".parse().expect("valid");
        assert_eq!(line.plant_id, "plt_000000017YEC4WRW");
        assert_eq!(line.quantity, 2);
    }

    #[test]
    fn bare_plant_id_orders_one_unit() {
        let line: OrderLine = "plt_000000017YEC4WRW".parse().expect("valid");
        assert_eq!(line.quantity, 1);
    }

    #[test]
    fn order_line_rejects_bad_quantity_and_missing_id() {
        let bad_quantity = "plt_1:two".parse::<OrderLine>().expect_err("not a number");
        assert!(bad_quantity.contains("`two`"), "{bad_quantity}");

        let no_id = ":2".parse::<OrderLine>().expect_err("no plant id");
        assert!(no_id.contains("no plant id"), "{no_id}");
    }
}
