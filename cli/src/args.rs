//! The command line as clap parses it. Nothing outside `settings` reads these
//! types: settings turns them into one resolved value for the commands.

use std::str::FromStr;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use letta::resources::PlantSort;
use letta::types::{Category, PlantStatus};

use crate::money::Amount;

mod admin;
mod commerce;
mod webhooks;

pub(crate) use admin::{AddFaultArgs, AdminArgs, FaultKindArg, FaultsArgs, RateLimitArgs};
pub(crate) use commerce::{
    CustomersArgs, EventsArgs, OrdersArgs, PageArgs, PaymentsArgs, WatchArgs,
};
pub(crate) use webhooks::{UpdateWebhookArgs, WebhooksArgs};

const AFTER_HELP: &str = "\
Environment:
  LETTA_BASE_URL    URL of the API, used when --base-url is not given
  LETTA_API_KEY     API key, used when --api-key is not given
  LETTA_MOCK_STATE  file where --mock keeps its data
                    [default: <user data folder>/letta/mock-state.json]
  NO_COLOR          when set and not empty, disables colour in auto mode

Exit status:
  0    success
  1    other failure, such as a response that could not be decoded
  2    usage error: invalid flags or arguments, or no server to talk to
  3    not found (404)
  4    request rejected (other 4xx, such as 400, 402, 409 or 422)
  5    authentication or permission failure (401, 403)
  6    rate limited (429)
  7    server error (5xx)
  8    connection failure or timeout
  130  interrupted (Ctrl-C)";

/// Manage the inventory, customers and orders of a Letta plant store.
#[derive(Debug, Parser)]
#[command(name = "letta", version, about, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,

    #[command(subcommand)]
    pub(crate) command: CommandArgs,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct GlobalArgs {
    /// URL of the API, such as https://api.example.com [env: LETTA_BASE_URL]
    #[arg(long, global = true, value_name = "URL", conflicts_with = "mock")]
    pub(crate) base_url: Option<String>,

    /// API key sent as a bearer token [env: LETTA_API_KEY]
    #[arg(long, global = true, value_name = "KEY")]
    pub(crate) api_key: Option<String>,

    /// Run against the bundled mock server, started on a local port with
    /// sample data that persists between runs
    #[arg(long, global = true)]
    pub(crate) mock: bool,

    /// Output format
    #[arg(
        short,
        long,
        global = true,
        value_enum,
        default_value_t = OutputArg::Table,
        value_name = "FORMAT"
    )]
    pub(crate) output: OutputArg,

    /// When to colour the output
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub(crate) color: ColorArg,

    /// Log requests and other details to stderr
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,

    /// Time limit for each request in seconds, covering every retry and
    /// wait between retries [default: 60, with 30 for each attempt]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) timeout: Option<f64>,

    /// Number of retries after a connection failure, a timeout, or a 408,
    /// 429, 500, 502, 503 or 504 response [default: 2]
    #[arg(long, global = true, value_name = "N")]
    pub(crate) max_retries: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputArg {
    /// A table for people to read
    Table,
    /// One JSON document
    Json,
    /// One JSON object per line
    Ndjson,
    /// Comma-separated values with a header row
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorArg {
    /// Colour when stdout is a terminal, NO_COLOR is unset and TERM is not dumb
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

#[allow(clippy::large_enum_variant, reason = "one value per run, never copied")]
#[derive(Debug, Subcommand)]
pub(crate) enum CommandArgs {
    /// List, show, create, change and delete plants
    #[command(subcommand)]
    Plants(PlantsArgs),

    /// List, show, create, change and delete customers, and list their orders
    #[command(subcommand)]
    Customers(CustomersArgs),

    /// Place, list, show, cancel and fulfil orders
    #[command(subcommand)]
    Orders(OrdersArgs),

    /// Pay for orders, and list and show payments
    #[command(subcommand)]
    Payments(PaymentsArgs),

    /// Read the log of changes
    #[command(subcommand)]
    Events(EventsArgs),

    /// Register webhook endpoints, inspect their deliveries, and receive
    /// deliveries locally with `listen`
    #[command(subcommand)]
    Webhooks(WebhooksArgs),

    /// Manage the data of the bundled mock server
    #[command(subcommand)]
    Mock(MockArgs),

    /// Check that the server is up
    Health,

    /// Print the server's OpenAPI document, as YAML unless --json is given
    Openapi {
        /// Print the document converted to JSON
        #[arg(long)]
        json: bool,
    },

    /// Control a running mock server: reset its data, change its rate
    /// limit, read its request journal and inject faults
    #[command(subcommand)]
    Admin(AdminArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum PlantsArgs {
    /// List plants, one page at a time or all of them
    List(ListArgs),

    /// Show one plant
    Get {
        /// Plant id, such as plt_0000000100000000
        id: String,
    },

    /// Print plant events live as they happen, until Ctrl-C
    Watch {
        /// Keep the events of this plant only, such as plt_0000000100000000
        #[arg(long = "plant", value_name = "ID")]
        plant: Option<String>,

        #[command(flatten)]
        watch: WatchArgs,
    },

    /// Create a plant
    Create(CreateArgs),

    /// Change some fields of a plant and keep the rest
    Update(UpdateArgs),

    /// Delete a plant
    Delete {
        /// Plant id
        id: String,
    },

    /// Add or remove units, or set the units on hand
    Stock(StockArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Page number, 1 to 1000000
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000),
        conflicts_with_all = ["all", "starting_after"]
    )]
    pub(crate) page: Option<u32>,

    /// Plants per page, 1 to 100 [default: 20]
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..=100)
    )]
    pub(crate) limit: Option<u32>,

    /// Fetch every page and print every plant
    #[arg(long)]
    pub(crate) all: bool,

    /// Start after the plant with this id
    #[arg(long, value_name = "ID")]
    pub(crate) starting_after: Option<String>,

    /// Keep plants with this stock status
    #[arg(long, value_name = "STATUS", value_parser = sdk_enum::<PlantStatus>(PlantStatus::known_values()))]
    pub(crate) status: Option<PlantStatus>,

    /// Keep plants in this category
    #[arg(long, value_name = "CATEGORY", value_parser = sdk_enum::<Category>(Category::known_values()))]
    pub(crate) category: Option<Category>,

    /// Keep plants carrying this tag
    #[arg(long, value_name = "TAG")]
    pub(crate) tag: Option<String>,

    /// Keep plants whose name or species contains this text, ignoring case
    #[arg(short, long, value_name = "TEXT")]
    pub(crate) query: Option<String>,

    /// Keep plants priced at least this much, in minor units (1299 is 12.99 USD)
    #[arg(long, value_name = "MINOR_UNITS")]
    pub(crate) min_price: Option<i64>,

    /// Keep plants priced at most this much, in minor units (1299 is 12.99 USD)
    #[arg(long, value_name = "MINOR_UNITS")]
    pub(crate) max_price: Option<i64>,

    /// Order of the list, such as price, or -price for the reverse
    #[arg(
        long,
        value_name = "ORDER",
        allow_hyphen_values = true,
        value_parser = sdk_enum::<PlantSort>(PlantSort::known_values())
    )]
    pub(crate) sort: Option<PlantSort>,
}

/// The fields of a plant that `create` sets and `update` changes.
#[derive(Debug, Args)]
pub(crate) struct PlantFieldArgs {
    /// Common name, such as "Boston Fern"
    #[arg(long)]
    pub(crate) name: Option<String>,

    /// Botanical name, such as "Nephrolepis exaltata"
    #[arg(long)]
    pub(crate) species: Option<String>,

    /// Catalogue category
    #[arg(long, value_name = "CATEGORY", value_parser = sdk_enum::<Category>(Category::known_values()))]
    pub(crate) category: Option<Category>,

    /// Price in major units of the currency, such as 12.99
    #[arg(long, value_name = "AMOUNT")]
    pub(crate) price: Option<Amount>,

    /// ISO 4217 currency code, such as usd [server default: usd]
    #[arg(long, value_name = "CODE")]
    pub(crate) currency: Option<String>,

    /// Free-form description
    #[arg(long, value_name = "TEXT")]
    pub(crate) description: Option<String>,

    /// A tag (repeat the flag for several tags)
    #[arg(long = "tag", value_name = "TAG")]
    pub(crate) tags: Vec<String>,

    /// Stock level at or below which the plant counts as low on stock
    #[arg(long, value_name = "UNITS")]
    pub(crate) low_stock_threshold: Option<i64>,
}

#[derive(Debug, Args)]
#[command(
    mut_arg("name", |arg| arg.required(true)),
    mut_arg("species", |arg| arg.required(true)),
    mut_arg("category", |arg| arg.required(true)),
    mut_arg("price", |arg| arg.required(true)),
)]
pub(crate) struct CreateArgs {
    #[command(flatten)]
    pub(crate) fields: PlantFieldArgs,

    /// Units on hand [server default: 0]
    #[arg(long, value_name = "UNITS")]
    pub(crate) stock: Option<i64>,
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("change")
        .required(true)
        .multiple(true)
        .args(["name", "species", "category", "price", "currency", "description", "tags", "clear_tags", "low_stock_threshold"]),
))]
pub(crate) struct UpdateArgs {
    /// Plant id
    pub(crate) id: String,

    #[command(flatten)]
    pub(crate) fields: PlantFieldArgs,

    /// Remove every tag
    #[arg(long, conflicts_with = "tags")]
    pub(crate) clear_tags: bool,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("adjustment").required(true).args(["delta", "set"])))]
pub(crate) struct StockArgs {
    /// Plant id
    pub(crate) id: String,

    /// Units to add, or to remove when negative, such as -3
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub(crate) delta: Option<i64>,

    /// Units on hand after the change
    #[arg(long, value_name = "N")]
    pub(crate) set: Option<i64>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum MockArgs {
    /// Delete the mock server's saved data, so the next --mock run starts
    /// from fresh sample data
    Reset,
}

/// Builds a parser that accepts the known values of an SDK enum, lists them
/// in help and errors, and converts through the enum's `FromStr`.
fn sdk_enum<T>(known: impl Iterator<Item = &'static str>) -> impl TypedValueParser<Value = T>
where
    T: FromStr + Clone + Send + Sync + 'static,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    PossibleValuesParser::new(known).try_map(|raw| raw.parse::<T>())
}

fn parse_seconds(raw: &str) -> Result<f64, String> {
    let seconds: f64 = raw
        .parse()
        .map_err(|_| format!("`{raw}` is not a number of seconds"))?;
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(format!("`{raw}` must be a positive number of seconds"));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn negative_delta_parses() {
        let cli = Cli::try_parse_from(["letta", "plants", "stock", "plt_1", "--delta", "-3"])
            .expect("parses");
        let CommandArgs::Plants(PlantsArgs::Stock(stock)) = cli.command else {
            panic!("expected the stock command");
        };
        assert_eq!(stock.delta, Some(-3));
    }

    #[test]
    fn descending_sort_parses() {
        let cli =
            Cli::try_parse_from(["letta", "plants", "list", "--sort", "-price"]).expect("parses");
        let CommandArgs::Plants(PlantsArgs::List(list)) = cli.command else {
            panic!("expected the list command");
        };
        assert_eq!(list.sort, Some(PlantSort::PriceDesc));
    }

    #[test]
    fn unknown_status_lists_allowed_values() {
        let error = Cli::try_parse_from(["letta", "plants", "list", "--status", "bogus"])
            .expect_err("bogus status");
        let message = error.to_string();
        assert!(message.contains("in_stock"), "{message}");
        assert!(message.contains("out_of_stock"), "{message}");
    }

    #[test]
    fn update_without_fields_is_rejected() {
        let error = Cli::try_parse_from(["letta", "plants", "update", "plt_1"])
            .expect_err("nothing to change");
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::MissingRequiredArgument
        );
    }

    #[test]
    fn stock_takes_exactly_one_adjustment() {
        let neither = Cli::try_parse_from(["letta", "plants", "stock", "plt_1"]);
        assert!(neither.is_err());

        let both = Cli::try_parse_from([
            "letta", "plants", "stock", "plt_1", "--delta", "1", "--set", "2",
        ]);
        assert!(both.is_err());
    }

    #[test]
    fn timeout_must_be_positive() {
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("abc").is_err());
        assert_eq!(parse_seconds("2.5"), Ok(2.5));
    }
}
