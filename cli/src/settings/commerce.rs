//! Resolves the arguments of the customers, orders, payments and events
//! commands.

use crate::args::{CustomersArgs, EventsArgs, OrdersArgs, PageArgs, PaymentsArgs, WatchArgs};
use crate::commands::customers::{CustomersCommand, PhoneChange};
use crate::commands::events::EventsCommand;
use crate::commands::list::PageOptions;
use crate::commands::orders::{OrderFilters, OrdersCommand};
use crate::commands::payments::PaymentsCommand;
use crate::commands::watch::WatchOptions;

fn page_options(args: PageArgs) -> PageOptions {
    PageOptions {
        page: args.page,
        limit: args.limit,
        all: args.all,
        starting_after: args.starting_after,
    }
}

pub(super) fn resolve_customers(command: CustomersArgs) -> CustomersCommand {
    match command {
        CustomersArgs::List(page) => CustomersCommand::List(page_options(page)),
        CustomersArgs::Get { id } => CustomersCommand::Get { id },
        CustomersArgs::Create { name, email, phone } => {
            CustomersCommand::Create { name, email, phone }
        }
        CustomersArgs::Update(update) => CustomersCommand::Update {
            id: update.id,
            name: update.name,
            email: update.email,
            phone: match (update.phone, update.clear_phone) {
                (Some(phone), _) => PhoneChange::Set(phone),
                (None, true) => PhoneChange::Clear,
                (None, false) => PhoneChange::Keep,
            },
        },
        CustomersArgs::Delete { id } => CustomersCommand::Delete { id },
        CustomersArgs::Orders { id, page } => CustomersCommand::Orders {
            id,
            page: page_options(page),
        },
    }
}

pub(super) fn resolve_orders(command: OrdersArgs) -> OrdersCommand {
    match command {
        OrdersArgs::List(list) => OrdersCommand::List {
            page: page_options(list.page),
            filters: OrderFilters {
                status: list.status,
                customer_id: list.customer_id,
                created_after: list.created_after,
                created_before: list.created_before,
            },
        },
        OrdersArgs::Get { id } => OrdersCommand::Get { id },
        OrdersArgs::Create { customer_id, items } => OrdersCommand::Create { customer_id, items },
        OrdersArgs::Cancel { id } => OrdersCommand::Cancel { id },
        OrdersArgs::Fulfill { id } => OrdersCommand::Fulfill { id },
    }
}

pub(super) fn resolve_payments(command: PaymentsArgs) -> PaymentsCommand {
    match command {
        PaymentsArgs::List(page) => PaymentsCommand::List(page_options(page)),
        PaymentsArgs::Get { id } => PaymentsCommand::Get { id },
        PaymentsArgs::Create {
            order_id,
            method,
            amount,
        } => PaymentsCommand::Create {
            order_id,
            method,
            amount,
        },
    }
}

pub(super) fn resolve_events(command: EventsArgs) -> EventsCommand {
    match command {
        EventsArgs::List { page, event_type } => EventsCommand::List {
            page: page_options(page),
            event_type,
        },
        EventsArgs::Get { id } => EventsCommand::Get { id },
        EventsArgs::Tail { watch } => EventsCommand::Tail(watch_options(watch)),
    }
}

/// Resolves the filters of a watch command.
pub(crate) fn watch_options(watch: WatchArgs) -> WatchOptions {
    WatchOptions {
        types: watch.types,
        since: watch.since,
    }
}
