//! Arguments of the customers, orders, payments and events commands.

use chrono::{DateTime, Utc};
use clap::{ArgGroup, Args, Subcommand};
use letta::types::{EventType, OrderStatus, PaymentMethod};

use super::sdk_enum;
use crate::commands::orders::OrderLine;
use crate::money::Amount;

/// Position and size of a list: the flags every list command takes.
#[derive(Debug, Args)]
pub(crate) struct PageArgs {
    /// Page number, 1 to 1000000
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000),
        conflicts_with_all = ["all", "starting_after"]
    )]
    pub(crate) page: Option<u32>,

    /// Items per page, 1 to 100 [default: 20]
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub(crate) limit: Option<u32>,

    /// Fetch every page and print every item
    #[arg(long)]
    pub(crate) all: bool,

    /// Start after the item with this id
    #[arg(long, value_name = "ID")]
    pub(crate) starting_after: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CustomersArgs {
    /// List customers, one page at a time or all of them
    List(PageArgs),

    /// Show one customer
    Get {
        /// Customer id, such as cus_00000001F3M9Q2ZK
        id: String,
    },

    /// Create a customer
    Create {
        /// Full name, such as "Ada Lovelace"
        #[arg(long)]
        name: String,

        /// Email address, unique among customers ignoring case
        #[arg(long)]
        email: String,

        /// Phone number in E.164 form, such as +15555550123
        #[arg(long)]
        phone: Option<String>,
    },

    /// Change some fields of a customer and keep the rest
    Update(UpdateCustomerArgs),

    /// Delete a customer; their orders stay
    Delete {
        /// Customer id
        id: String,
    },

    /// List a customer's orders, oldest first
    Orders {
        /// Customer id
        id: String,

        #[command(flatten)]
        page: PageArgs,
    },
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("change")
        .required(true)
        .multiple(true)
        .args(["name", "email", "phone", "clear_phone"]),
))]
pub(crate) struct UpdateCustomerArgs {
    /// Customer id
    pub(crate) id: String,

    /// New full name
    #[arg(long)]
    pub(crate) name: Option<String>,

    /// New email address
    #[arg(long)]
    pub(crate) email: Option<String>,

    /// New phone number in E.164 form, such as +15555550123
    #[arg(long)]
    pub(crate) phone: Option<String>,

    /// Remove the phone number
    #[arg(long, conflicts_with = "phone")]
    pub(crate) clear_phone: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum OrdersArgs {
    /// List orders, one page at a time or all of them
    List(ListOrdersArgs),

    /// Show one order
    Get {
        /// Order id, such as ord_00000001R8J2M4XT
        id: String,
    },

    /// Place an order, reserving the stock of every item
    Create {
        /// Id of the customer placing the order
        #[arg(long = "customer", value_name = "ID")]
        customer_id: String,

        /// A plant and the units to order, such as plt_000000017YEC4WRW:2
        /// (a bare id orders 1); repeat the flag for more plants
        #[arg(long = "item", value_name = "PLANT_ID:QUANTITY", required = true)]
        items: Vec<OrderLine>,
    },

    /// Cancel a pending or paid order and return its stock
    Cancel {
        /// Order id
        id: String,
    },

    /// Mark a paid order fulfilled
    Fulfill {
        /// Order id
        id: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct ListOrdersArgs {
    #[command(flatten)]
    pub(crate) page: PageArgs,

    /// Keep orders with this status
    #[arg(long, value_name = "STATUS", value_parser = sdk_enum::<OrderStatus>(OrderStatus::known_values()))]
    pub(crate) status: Option<OrderStatus>,

    /// Keep the orders of this customer
    #[arg(long = "customer", value_name = "ID")]
    pub(crate) customer_id: Option<String>,

    /// Keep orders created after this time, in RFC 3339 form such as
    /// 2026-01-31T00:00:00Z
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) created_after: Option<DateTime<Utc>>,

    /// Keep orders created before this time, in RFC 3339 form
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) created_before: Option<DateTime<Utc>>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PaymentsArgs {
    /// List payments, succeeded and failed
    List(PageArgs),

    /// Show one payment
    Get {
        /// Payment id, such as pay_00000001K7W3N9QD
        id: String,
    },

    /// Pay for a pending order with a test payment method
    Create {
        /// Id of the order to pay for
        #[arg(long = "order", value_name = "ID")]
        order_id: String,

        /// Test payment method: pm_card_ok succeeds, pm_card_declined is declined
        #[arg(long, value_name = "METHOD", value_parser = sdk_enum::<PaymentMethod>(PaymentMethod::known_values()))]
        method: PaymentMethod,

        /// Amount in major units of the order's currency, such as 74.97
        /// [default: the order's total]
        #[arg(long, value_name = "AMOUNT")]
        amount: Option<Amount>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum EventsArgs {
    /// List events of the log, oldest first
    List {
        #[command(flatten)]
        page: PageArgs,

        /// Keep events of this type, such as order.created
        #[arg(long = "type", value_name = "TYPE", value_parser = sdk_enum::<EventType>(EventType::known_values()))]
        event_type: Option<EventType>,
    },

    /// Show one event with its data
    Get {
        /// Event id, such as evt_0000000188Y5G2QH
        id: String,
    },

    /// Print every event live as it happens, until Ctrl-C
    Tail {
        #[command(flatten)]
        watch: WatchArgs,
    },
}

/// The filters shared by `plants watch` and `events tail`.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// Keep events of these types, comma-separated, such as plant.stock_changed
    #[arg(long, value_name = "TYPES", value_delimiter = ',', value_parser = sdk_enum::<EventType>(EventType::known_values()))]
    pub(crate) types: Vec<EventType>,

    /// Start after this event id, replaying the retained events after it
    #[arg(long, value_name = "ID")]
    pub(crate) since: Option<String>,
}

fn parse_time(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|time| time.with_timezone(&Utc))
        .map_err(|error| {
            format!("`{raw}` is not an RFC 3339 time such as 2026-01-31T00:00:00Z: {error}")
        })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{Cli, CommandArgs};
    use super::*;

    #[test]
    fn order_create_takes_repeated_items() {
        let cli = Cli::try_parse_from([
            "letta",
            "orders",
            "create",
            "--customer",
            "cus_1",
            "--item",
            "plt_1:2",
            "--item",
            "plt_2",
        ])
        .expect("parses");
        let CommandArgs::Orders(OrdersArgs::Create { customer_id, items }) = cli.command else {
            panic!("expected orders create");
        };
        assert_eq!(customer_id, "cus_1");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].quantity, 2);
        assert_eq!(items[1].quantity, 1);
    }

    #[test]
    fn order_create_needs_an_item() {
        let error = Cli::try_parse_from(["letta", "orders", "create", "--customer", "cus_1"])
            .expect_err("no items");
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn unknown_event_type_lists_allowed_values() {
        let error = Cli::try_parse_from(["letta", "events", "list", "--type", "order.shipped"])
            .expect_err("unknown type");
        let message = error.to_string();
        assert!(message.contains("order.created"), "{message}");
    }

    #[test]
    fn created_after_must_be_rfc3339() {
        assert!(parse_time("2026-01-31").is_err());
        let time = parse_time("2026-01-31T01:00:00+01:00").expect("valid");
        assert_eq!(time.to_rfc3339(), "2026-01-31T00:00:00+00:00");
    }

    #[test]
    fn customer_update_needs_a_change() {
        let error = Cli::try_parse_from(["letta", "customers", "update", "cus_1"])
            .expect_err("nothing to change");
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }
}
