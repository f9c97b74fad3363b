//! Resolves the arguments of the webhooks commands.

use letta::types::{EventType, WebhookStatus};

use crate::args::{PageArgs, UpdateWebhookArgs, WebhooksArgs};
use crate::commands::list::PageOptions;
use crate::commands::webhooks::{ListenOptions, WebhookChanges, WebhooksCommand};

fn page_options(args: PageArgs) -> PageOptions {
    PageOptions {
        page: args.page,
        limit: args.limit,
        all: args.all,
        starting_after: args.starting_after,
    }
}

pub(super) fn resolve(command: WebhooksArgs) -> WebhooksCommand {
    match command {
        WebhooksArgs::List(page) => WebhooksCommand::List(page_options(page)),
        WebhooksArgs::Get { id } => WebhooksCommand::Get { id },
        WebhooksArgs::Create {
            url,
            events,
            description,
        } => WebhooksCommand::Create {
            url,
            events,
            description,
        },
        WebhooksArgs::Update(update) => resolve_update(update),
        WebhooksArgs::Delete { id } => WebhooksCommand::Delete { id },
        WebhooksArgs::RotateSecret { id } => WebhooksCommand::RotateSecret { id },
        WebhooksArgs::Test { id } => WebhooksCommand::Test { id },
        WebhooksArgs::Deliveries { id, page } => WebhooksCommand::Deliveries {
            id,
            page: page_options(page),
        },
        WebhooksArgs::Resend { id, delivery_id } => WebhooksCommand::Resend { id, delivery_id },
        WebhooksArgs::Listen(listen) => WebhooksCommand::Listen(ListenOptions {
            events: if listen.events.is_empty() {
                EventType::KNOWN.to_vec()
            } else {
                listen.events
            },
            forward_to: listen.forward_to,
            port: listen.port,
        }),
    }
}

fn resolve_update(update: UpdateWebhookArgs) -> WebhooksCommand {
    let status = match (update.enable, update.disable) {
        (true, _) => Some(WebhookStatus::Enabled),
        (false, true) => Some(WebhookStatus::Disabled),
        (false, false) => None,
    };
    WebhooksCommand::Update {
        id: update.id,
        changes: WebhookChanges {
            url: update.url,
            events: (!update.events.is_empty()).then_some(update.events),
            description: update.description,
            status,
        },
    }
}
