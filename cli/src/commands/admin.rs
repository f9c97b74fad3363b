//! `letta health`, `letta openapi` and `letta admin ...`: the server itself
//! and the mock server's control surface.

use std::future::Future;

use anyhow::{Context, Result};
use letta::resources::ListAllWebhookDeliveries;
use letta::types::{EventType, FaultKind, NewFault, SetRateLimit, TriggerEvent, WebhookDelivery};
use letta::{Client, Page, PageStream};

use crate::commands::list::{self, ListRequest, Listing, PageOptions};
use crate::commands::plants::Invocation;
use crate::output::Output;
use crate::settings::OutputFormat;

/// A `letta admin` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum AdminCommand {
    Reset,
    RateLimit,
    SetRateLimit {
        quota: u64,
        window_seconds: Option<u64>,
    },
    Journal(JournalFilter),
    ClearJournal,
    Faults,
    AddFault(NewFault),
    Fault {
        id: u64,
    },
    DeleteFault {
        id: u64,
    },
    ClearFaults,
    Trigger {
        event_type: EventType,
        object_id: Option<String>,
        data: Option<serde_json::Value>,
    },
    Deliveries {
        webhook: Option<String>,
        event: Option<String>,
        event_type: Option<EventType>,
        page: PageOptions,
    },
}

/// The filters of `letta admin journal`.
#[derive(Debug, Default)]
pub(crate) struct JournalFilter {
    pub(crate) method: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) limit: Option<u32>,
}

impl AdminCommand {
    /// Returns the name of a command that changes or reads only what lives
    /// as long as the server process: the rate limit, the journal and the
    /// faults. The bundled mock server of `--mock` stops when the command
    /// ends, so these would have no lasting effect there.
    pub(crate) fn process_only(&self) -> Option<&'static str> {
        match self {
            Self::Reset | Self::Trigger { .. } | Self::Deliveries { .. } => None,
            Self::RateLimit | Self::SetRateLimit { .. } => Some("admin rate-limit"),
            Self::Journal(_) | Self::ClearJournal => Some("admin journal"),
            Self::Faults
            | Self::AddFault(_)
            | Self::Fault { .. }
            | Self::DeleteFault { .. }
            | Self::ClearFaults => Some("admin faults"),
        }
    }
}

/// Maps the CLI's fault kind to the SDK's.
pub(crate) fn fault_kind(kind: crate::args::FaultKindArg) -> FaultKind {
    use crate::args::FaultKindArg;

    match kind {
        FaultKindArg::Latency => FaultKind::Latency,
        FaultKindArg::Status => FaultKind::Status,
        FaultKindArg::DropBeforeCommit => FaultKind::DropBeforeCommit,
        FaultKindArg::DropAfterCommit => FaultKind::DropAfterCommit,
        FaultKindArg::TruncateBody => FaultKind::TruncateBody,
        FaultKindArg::SseDrop => FaultKind::SseDrop,
    }
}

/// Prints the server's health.
pub(crate) async fn health(client: &Client, output: &mut Output) -> Result<()> {
    let health = client
        .meta()
        .health()
        .await
        .context("failed to check the server's health")?;
    Ok(output.record(&health)?)
}

/// Prints the server's OpenAPI document, as YAML or as JSON.
pub(crate) async fn openapi(client: &Client, json: bool, output: &mut Output) -> Result<()> {
    if json {
        let document = client
            .meta()
            .openapi_json()
            .await
            .context("failed to fetch the OpenAPI document as JSON")?;
        let text = match output.format() {
            OutputFormat::Ndjson => serde_json::to_string(&document)?,
            _ => serde_json::to_string_pretty(&document)?,
        };
        return Ok(output.line(&text)?);
    }
    let yaml = client
        .meta()
        .openapi_yaml()
        .await
        .context("failed to fetch the OpenAPI document")?;
    Ok(output.line(yaml.trim_end())?)
}

/// Runs an admin command.
pub(crate) async fn run(
    client: &Client,
    command: AdminCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    let admin = client.admin();
    match command {
        AdminCommand::Reset => {
            admin
                .reset()
                .await
                .context("failed to reset the mock server")?;
            output.status("reset the mock server's data to its seed");
            Ok(())
        }
        AdminCommand::RateLimit => {
            let policy = admin
                .rate_limit()
                .await
                .context("failed to fetch the rate limit")?;
            Ok(output.record(&policy)?)
        }
        AdminCommand::SetRateLimit {
            quota,
            window_seconds,
        } => {
            let mut request = SetRateLimit::new(quota);
            if let Some(seconds) = window_seconds {
                request = request.window_seconds(seconds);
            }
            let policy = admin
                .set_rate_limit(&request)
                .await
                .context("failed to change the rate limit")?;
            Ok(output.record(&policy)?)
        }
        AdminCommand::Journal(filter) => {
            let mut request = admin.journal();
            if let Some(method) = filter.method {
                request = request.method(method);
            }
            if let Some(path) = filter.path {
                request = request.path(path);
            }
            if let Some(limit) = filter.limit {
                request = request.limit(limit);
            }
            let journal = request
                .await
                .context("failed to read the request journal")?;
            let mut list = output.list();
            for entry in &journal.data {
                list.item(entry)?;
            }
            list.finish()?;
            if journal.evicted > 0 {
                output.status(&format!(
                    "note: {} older entries were evicted because the journal was full",
                    journal.evicted
                ));
            }
            Ok(())
        }
        AdminCommand::ClearJournal => {
            admin
                .clear_journal()
                .await
                .context("failed to clear the request journal")?;
            output.status("cleared the request journal");
            Ok(())
        }
        AdminCommand::Faults => {
            let faults = admin.faults().await.context("failed to list the faults")?;
            let mut list = output.list();
            for fault in &faults {
                list.item(fault)?;
            }
            Ok(list.finish()?)
        }
        AdminCommand::AddFault(fault) => {
            let added = admin
                .add_fault(&fault)
                .await
                .context("failed to add the fault")?;
            Ok(output.record(&added)?)
        }
        AdminCommand::Fault { id } => {
            let fault = admin
                .fault(id)
                .await
                .with_context(|| format!("failed to fetch fault {id}"))?;
            Ok(output.record(&fault)?)
        }
        AdminCommand::DeleteFault { id } => {
            admin
                .delete_fault(id)
                .await
                .with_context(|| format!("failed to delete fault {id}"))?;
            output.status(&format!("deleted fault {id}"));
            Ok(())
        }
        AdminCommand::ClearFaults => {
            admin
                .clear_faults()
                .await
                .context("failed to remove the faults")?;
            output.status("removed every fault");
            Ok(())
        }
        AdminCommand::Trigger {
            event_type,
            object_id,
            data,
        } => {
            let mut trigger = TriggerEvent::new(event_type.clone());
            if let Some(id) = object_id {
                trigger = trigger.object_id(id);
            }
            if let Some(data) = data {
                trigger = trigger.data(data);
            }
            let event = admin
                .trigger_event(&trigger)
                .await
                .with_context(|| format!("failed to trigger a {event_type} event"))?;
            Ok(output.record(&event)?)
        }
        AdminCommand::Deliveries {
            webhook,
            event,
            event_type,
            page,
        } => {
            let mut request = admin.webhook_deliveries();
            let mut filters = Vec::new();
            if let Some(id) = webhook {
                filters.push(("webhook", id.clone()));
                request = request.webhook_id(id);
            }
            if let Some(id) = event {
                filters.push(("event", id.clone()));
                request = request.event_id(id);
            }
            if let Some(event_type) = event_type {
                filters.push(("type", event_type.to_string()));
                request = request.event_type(event_type);
            }
            let listing = Listing {
                noun: ("delivery", "deliveries"),
                command: "admin deliveries".to_owned(),
                filters,
                invocation,
            };
            list::run(request, &page, &listing, output).await
        }
    }
}

// The deliveries of every endpoint share the item type of one endpoint's,
// so only the request impl is added.
impl ListRequest for ListAllWebhookDeliveries {
    type Item = WebhookDelivery;

    fn page(self, page: u32) -> Self {
        ListAllWebhookDeliveries::page(self, page)
    }
    fn limit(self, limit: u32) -> Self {
        ListAllWebhookDeliveries::limit(self, limit)
    }
    fn starting_after(self, id: String) -> Self {
        ListAllWebhookDeliveries::starting_after(self, id)
    }
    fn send(self) -> impl Future<Output = letta::Result<Page<Self::Item>>> + Send {
        ListAllWebhookDeliveries::send(self)
    }
    fn pages(self) -> PageStream<Self::Item> {
        ListAllWebhookDeliveries::pages(self)
    }
}
