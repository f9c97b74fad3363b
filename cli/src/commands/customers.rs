//! `letta customers ...`: list, show, create, change and delete customers,
//! and list a customer's orders.

use anyhow::{Context, Result};
use letta::Client;
use letta::types::{CreateCustomer, UpdateCustomer};

use crate::commands::list::{self, Listing, PageOptions};
use crate::commands::plants::Invocation;
use crate::output::Output;

/// A `letta customers` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum CustomersCommand {
    List(PageOptions),
    Get {
        id: String,
    },
    Create {
        name: String,
        email: String,
        phone: Option<String>,
    },
    Update {
        id: String,
        name: Option<String>,
        email: Option<String>,
        phone: PhoneChange,
    },
    Delete {
        id: String,
    },
    Orders {
        id: String,
        page: PageOptions,
    },
}

/// What `letta customers update` does to the phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PhoneChange {
    Keep,
    Set(String),
    Clear,
}

/// Runs a customers command.
pub(crate) async fn run(
    client: &Client,
    command: CustomersCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    match command {
        CustomersCommand::List(page) => {
            let listing = Listing {
                noun: ("customer", "customers"),
                command: "customers list".to_owned(),
                filters: Vec::new(),
                invocation,
            };
            list::run(client.customers().list(), &page, &listing, output).await
        }
        CustomersCommand::Get { id } => {
            let customer = client
                .customers()
                .get(&id)
                .await
                .with_context(|| format!("failed to fetch customer {id}"))?;
            Ok(output.record(&customer)?)
        }
        CustomersCommand::Create { name, email, phone } => {
            let mut customer = CreateCustomer::new(name, email);
            if let Some(phone) = phone {
                customer = customer.phone(phone);
            }
            let created = client
                .customers()
                .create(&customer)
                .await
                .context("failed to create the customer")?;
            Ok(output.record(&created)?)
        }
        CustomersCommand::Update {
            id,
            name,
            email,
            phone,
        } => {
            let mut update = UpdateCustomer::new();
            if let Some(name) = name {
                update = update.name(name);
            }
            if let Some(email) = email {
                update = update.email(email);
            }
            update = match phone {
                PhoneChange::Keep => update,
                PhoneChange::Set(phone) => update.phone(phone),
                PhoneChange::Clear => update.clear_phone(),
            };
            let updated = client
                .customers()
                .update(&id, &update)
                .await
                .with_context(|| format!("failed to update customer {id}"))?;
            Ok(output.record(&updated)?)
        }
        CustomersCommand::Delete { id } => {
            client
                .customers()
                .delete(&id)
                .await
                .with_context(|| format!("failed to delete customer {id}"))?;
            output.status(&format!("Deleted customer {id}."));
            Ok(())
        }
        CustomersCommand::Orders { id, page } => {
            let listing = Listing {
                noun: ("order", "orders"),
                command: format!("customers orders {id}"),
                filters: Vec::new(),
                invocation,
            };
            list::run(client.customers().orders(&id), &page, &listing, output).await
        }
    }
}
