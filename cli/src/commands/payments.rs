//! `letta payments ...`: pay for orders, and list and show payments.

use anyhow::{Context, Result};
use letta::Client;
use letta::types::{CreatePayment, PaymentMethod};

use crate::commands::list::{self, Listing, PageOptions};
use crate::commands::plants::Invocation;
use crate::error::UsageError;
use crate::money::Amount;
use crate::output::Output;

/// A `letta payments` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum PaymentsCommand {
    List(PageOptions),
    Get {
        id: String,
    },
    Create {
        order_id: String,
        method: PaymentMethod,
        /// The amount in major units; `None` pays the order's total.
        amount: Option<Amount>,
    },
}

/// Runs a payments command.
pub(crate) async fn run(
    client: &Client,
    command: PaymentsCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    match command {
        PaymentsCommand::List(page) => {
            let listing = Listing {
                noun: ("payment", "payments"),
                command: "payments list".to_owned(),
                filters: Vec::new(),
                invocation,
            };
            list::run(client.payments().list(), &page, &listing, output).await
        }
        PaymentsCommand::Get { id } => {
            let payment = client
                .payments()
                .get(&id)
                .await
                .with_context(|| format!("failed to fetch payment {id}"))?;
            Ok(output.record(&payment)?)
        }
        PaymentsCommand::Create {
            order_id,
            method,
            amount,
        } => create(client, &order_id, method, amount, output).await,
    }
}

/// Pays for an order. The order is read first: its total is the default
/// amount, and its currency decides how many decimals `--amount` may have.
async fn create(
    client: &Client,
    order_id: &str,
    method: PaymentMethod,
    amount: Option<Amount>,
    output: &mut Output,
) -> Result<()> {
    let order = client
        .orders()
        .get(order_id)
        .await
        .with_context(|| format!("failed to fetch order {order_id} to read its total"))?;

    let minor = match &amount {
        Some(amount) => amount.to_minor(&order.currency).map_err(|reason| {
            UsageError::new(format!("invalid value for --amount: {reason}")).hint(
                "write the amount in major units with at most the currency's decimals, such as 74.97",
            )
        })?,
        None => order.total,
    };

    let payment = CreatePayment::new(order_id, method, minor).currency(order.currency);
    let created = client
        .payments()
        .create(&payment)
        .await
        .with_context(|| format!("failed to pay for order {order_id}"))?;
    Ok(output.record(&created)?)
}
