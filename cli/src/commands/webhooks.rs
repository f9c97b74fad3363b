//! `letta webhooks ...`: register endpoints, inspect and resend their
//! deliveries, and receive deliveries locally with `listen`.

use anyhow::{Context, Result};
use letta::Client;
use letta::types::{CreateWebhook, EventType, UpdateWebhook, WebhookStatus};

use crate::commands::list::{self, Listing, PageOptions};
use crate::commands::plants::Invocation;
use crate::output::Output;
use crate::settings::OutputFormat;

mod listen;

pub(crate) use listen::{Interrupted, ListenOptions};

/// A `letta webhooks` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum WebhooksCommand {
    List(PageOptions),
    Get {
        id: String,
    },
    Create {
        url: String,
        events: Vec<EventType>,
        description: Option<String>,
    },
    Update {
        id: String,
        changes: WebhookChanges,
    },
    Delete {
        id: String,
    },
    RotateSecret {
        id: String,
    },
    Test {
        id: String,
    },
    Deliveries {
        id: String,
        page: PageOptions,
    },
    Resend {
        id: String,
        delivery_id: String,
    },
    Listen(ListenOptions),
}

/// The fields `letta webhooks update` changes; `None` keeps a field.
#[derive(Debug, Default)]
pub(crate) struct WebhookChanges {
    pub(crate) url: Option<String>,
    pub(crate) events: Option<Vec<EventType>>,
    pub(crate) description: Option<String>,
    pub(crate) status: Option<WebhookStatus>,
}

impl WebhooksCommand {
    /// Returns true for `listen`, which handles Ctrl-C itself so that it can
    /// delete its temporary endpoint before exiting.
    pub(crate) fn handles_interrupt(&self) -> bool {
        matches!(self, Self::Listen(_))
    }
}

/// Runs a webhooks command.
pub(crate) async fn run(
    client: &Client,
    command: WebhooksCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    match command {
        WebhooksCommand::List(page) => {
            let listing = Listing {
                noun: ("webhook endpoint", "webhook endpoints"),
                command: "webhooks list".to_owned(),
                filters: Vec::new(),
                invocation,
            };
            list::run(client.webhooks().list(), &page, &listing, output).await
        }
        WebhooksCommand::Get { id } => {
            let endpoint = client
                .webhooks()
                .get(&id)
                .await
                .with_context(|| format!("failed to fetch webhook endpoint {id}"))?;
            Ok(output.record(&endpoint)?)
        }
        WebhooksCommand::Create {
            url,
            events,
            description,
        } => {
            let mut request = CreateWebhook::new(url).events(events);
            if let Some(description) = description {
                request = request.description(description);
            }
            let created = client
                .webhooks()
                .create(&request)
                .await
                .context("failed to create the webhook endpoint")?;
            output.record(&created)?;
            output.status(
                "note: save the signing secret now; it is not shown again \
                 (`letta webhooks rotate-secret` replaces it)",
            );
            Ok(())
        }
        WebhooksCommand::Update { id, changes } => {
            let update = update_request(changes);
            let endpoint = client
                .webhooks()
                .update(&id, &update)
                .await
                .with_context(|| format!("failed to update webhook endpoint {id}"))?;
            Ok(output.record(&endpoint)?)
        }
        WebhooksCommand::Delete { id } => {
            client
                .webhooks()
                .delete(&id)
                .await
                .with_context(|| format!("failed to delete webhook endpoint {id}"))?;
            output.status(&format!("deleted webhook endpoint {id}"));
            Ok(())
        }
        WebhooksCommand::RotateSecret { id } => {
            let rotated = client
                .webhooks()
                .rotate_secret(&id)
                .await
                .with_context(|| format!("failed to rotate the secret of webhook endpoint {id}"))?;
            match output.format() {
                OutputFormat::Table => output.line(&rotated.secret)?,
                _ => output.record(&rotated)?,
            }
            output.status(
                "note: this secret is not shown again; the old one keeps signing \
                 deliveries for 24 hours",
            );
            Ok(())
        }
        WebhooksCommand::Test { id } => {
            let delivery =
                client.webhooks().test(&id).await.with_context(|| {
                    format!("failed to send a test event to webhook endpoint {id}")
                })?;
            Ok(output.record(&delivery)?)
        }
        WebhooksCommand::Deliveries { id, page } => {
            let listing = Listing {
                noun: ("delivery", "deliveries"),
                command: format!("webhooks deliveries {id}"),
                filters: Vec::new(),
                invocation,
            };
            list::run(client.webhooks().deliveries(&id), &page, &listing, output).await
        }
        WebhooksCommand::Resend { id, delivery_id } => {
            let delivery = client
                .webhooks()
                .retry_delivery(&id, &delivery_id)
                .await
                .with_context(|| {
                    format!("failed to resend delivery {delivery_id} of webhook endpoint {id}")
                })?;
            Ok(output.record(&delivery)?)
        }
        WebhooksCommand::Listen(options) => listen::run(client, options, output).await,
    }
}

fn update_request(changes: WebhookChanges) -> UpdateWebhook {
    let mut update = UpdateWebhook::new();
    if let Some(url) = changes.url {
        update = update.url(url);
    }
    if let Some(events) = changes.events {
        update = update.events(events);
    }
    if let Some(description) = changes.description {
        update = update.description(description);
    }
    if let Some(status) = changes.status {
        update = update.status(status);
    }
    update
}
