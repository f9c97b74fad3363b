//! `letta events ...`: read the log of changes.

use anyhow::{Context, Result};
use letta::Client;
use letta::types::EventType;

use crate::commands::list::{self, Listing, PageOptions};
use crate::commands::plants::Invocation;
use crate::commands::watch::{self, WatchOptions};
use crate::output::Output;

/// A `letta events` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum EventsCommand {
    List {
        page: PageOptions,
        event_type: Option<EventType>,
    },
    Get {
        id: String,
    },
    Tail(WatchOptions),
}

/// Runs an events command.
pub(crate) async fn run(
    client: &Client,
    command: EventsCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    match command {
        EventsCommand::List { page, event_type } => {
            let mut request = client.events().list();
            let mut filters = Vec::new();
            if let Some(event_type) = event_type {
                filters.push(("type", event_type.to_string()));
                request = request.event_type(event_type);
            }
            let listing = Listing {
                noun: ("event", "events"),
                command: "events list".to_owned(),
                filters,
                invocation,
            };
            list::run(request, &page, &listing, output).await
        }
        EventsCommand::Tail(options) => {
            watch::run(options.apply(client.events().watch()), output).await
        }
        EventsCommand::Get { id } => {
            let event = client
                .events()
                .get(&id)
                .await
                .with_context(|| format!("failed to fetch event {id}"))?;
            Ok(output.record(&event)?)
        }
    }
}
