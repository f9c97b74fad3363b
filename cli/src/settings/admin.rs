//! Resolves the arguments of the admin commands.

use letta::types::NewFault;

use crate::args::{AddFaultArgs, AdminArgs, FaultsArgs, RateLimitArgs};
use crate::commands::admin::{self, AdminCommand, JournalFilter};
use crate::commands::list::PageOptions;

pub(super) fn resolve(command: AdminArgs) -> AdminCommand {
    match command {
        AdminArgs::Reset => AdminCommand::Reset,
        AdminArgs::RateLimit { action } => match action {
            None | Some(RateLimitArgs::Get) => AdminCommand::RateLimit,
            Some(RateLimitArgs::Set { quota, window }) => AdminCommand::SetRateLimit {
                quota,
                window_seconds: window,
            },
        },
        AdminArgs::Journal(journal) if journal.clear => AdminCommand::ClearJournal,
        AdminArgs::Journal(journal) => AdminCommand::Journal(JournalFilter {
            method: journal.method,
            path: journal.path,
            limit: journal.limit,
        }),
        AdminArgs::Faults(faults) => match faults {
            FaultsArgs::List => AdminCommand::Faults,
            FaultsArgs::Add(add) => AdminCommand::AddFault(new_fault(add)),
            FaultsArgs::Get { id } => AdminCommand::Fault { id },
            FaultsArgs::Delete { id } => AdminCommand::DeleteFault { id },
            FaultsArgs::Clear => AdminCommand::ClearFaults,
        },
        AdminArgs::Trigger {
            event_type,
            object_id,
            data,
        } => AdminCommand::Trigger {
            event_type,
            object_id,
            data,
        },
        AdminArgs::Deliveries {
            webhook,
            event,
            event_type,
            page,
        } => AdminCommand::Deliveries {
            webhook,
            event,
            event_type,
            page: PageOptions {
                page: page.page,
                limit: page.limit,
                all: page.all,
                starting_after: page.starting_after,
            },
        },
    }
}

/// Builds the fault from the flags as given. The server checks which
/// options the kind takes and reports every invalid one.
fn new_fault(args: AddFaultArgs) -> NewFault {
    let mut fault = NewFault::drop_before_commit();
    fault.kind = admin::fault_kind(args.kind);
    fault.method = args.method;
    fault.path = args.path;
    fault.latency_ms = args.latency_ms;
    fault.latency_max_ms = args.latency_max_ms;
    fault.status = args.status;
    fault.retry_after = args.retry_after;
    fault.every = args.every;
    fault.rate = args.rate;
    fault.times = args.times;
    fault.seed = args.seed;
    fault
}
