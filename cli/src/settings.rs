//! Resolves the parsed command line and the environment into one
//! [`Settings`] value. Flags win over environment variables, which win over
//! defaults. Command code reads only the types defined here.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::args::{Cli, ColorArg, CommandArgs, MockArgs, OutputArg, PlantFieldArgs, PlantsArgs};
use crate::commands::admin::AdminCommand;
use crate::commands::customers::CustomersCommand;
use crate::commands::events::EventsCommand;
use crate::commands::orders::OrdersCommand;
use crate::commands::payments::PaymentsCommand;
use crate::commands::plants::{ListOptions, PlantFields, PlantsCommand, StockChange};
use crate::commands::webhooks::WebhooksCommand;

mod admin;
mod commerce;
mod webhooks;

/// Everything a run needs, resolved.
#[derive(Debug)]
pub(crate) struct Settings {
    /// The server and how to talk to it.
    pub(crate) connection: Connection,
    /// Output format and decoration.
    pub(crate) output: OutputSettings,
    /// Whether to log at debug level to stderr.
    pub(crate) verbose: bool,
    /// The state file of the bundled mock server, when one can be named.
    pub(crate) mock_state_file: Option<PathBuf>,
    /// The command to run.
    pub(crate) command: Command,
}

/// The server a run talks to, and the client settings for it.
#[derive(Debug)]
pub(crate) struct Connection {
    /// The server to talk to.
    pub(crate) target: Target,
    /// The API key from `--api-key` or `LETTA_API_KEY`.
    pub(crate) api_key: Option<Secret>,
    /// Whether `--api-key` was given on the command line, which `--mock`
    /// honours while it ignores `LETTA_API_KEY`.
    pub(crate) api_key_from_flag: bool,
    /// The time limit of each request, retries included; `None` keeps the
    /// SDK's defaults.
    pub(crate) timeout: Option<Duration>,
    /// The number of retries after a failed attempt; `None` keeps the SDK's
    /// default.
    pub(crate) max_retries: Option<u32>,
}

/// The server a run talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A server at this base URL.
    Server(String),
    /// The bundled mock server, started for this run.
    Mock,
    /// Neither `--base-url`, `LETTA_BASE_URL` nor `--mock` was given.
    Missing,
}

/// Output format and decoration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OutputSettings {
    /// The format of data on stdout.
    pub(crate) format: OutputFormat,
    /// Whether stdout may carry colour codes.
    pub(crate) color_stdout: bool,
    /// Whether stderr may carry colour codes.
    pub(crate) color_stderr: bool,
    /// Whether stderr is a terminal, so a progress bar is worth drawing.
    pub(crate) stderr_is_terminal: bool,
    /// Whether stdout is a terminal.
    pub(crate) stdout_is_terminal: bool,
}

/// The format of data on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    /// A table for people to read.
    Table,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
}

/// The command to run.
#[allow(clippy::large_enum_variant, reason = "one value per run, never copied")]
#[derive(Debug)]
pub(crate) enum Command {
    /// A `letta plants ...` command.
    Plants(PlantsCommand),
    /// A `letta customers ...` command.
    Customers(CustomersCommand),
    /// A `letta orders ...` command.
    Orders(OrdersCommand),
    /// A `letta payments ...` command.
    Payments(PaymentsCommand),
    /// A `letta events ...` command.
    Events(EventsCommand),
    /// A `letta webhooks ...` command.
    Webhooks(WebhooksCommand),
    /// `letta mock reset`.
    MockReset,
    /// `letta health`.
    Health,
    /// `letta openapi`, as JSON when `json` is set.
    OpenApi { json: bool },
    /// A `letta admin ...` command.
    Admin(AdminCommand),
}

impl Command {
    /// Returns true for a command that watches for Ctrl-C itself, to clean
    /// up before it exits.
    pub(crate) fn handles_interrupt(&self) -> bool {
        match self {
            Command::Webhooks(webhooks) => webhooks.handles_interrupt(),
            _ => false,
        }
    }
}

/// A secret string whose `Debug` output never shows the value.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Terminal status of stdout and stderr.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminals {
    pub(crate) stdout: bool,
    pub(crate) stderr: bool,
}

impl Terminals {
    /// Checks the process's own stdout and stderr.
    pub(crate) fn detect() -> Self {
        use std::io::IsTerminal;

        Self {
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }
}

impl Settings {
    /// Resolves `cli` against the environment read through `env`.
    pub(crate) fn resolve(
        cli: Cli,
        env: impl Fn(&str) -> Option<String>,
        terminals: Terminals,
    ) -> Self {
        let global = cli.global;

        let target = if global.mock {
            Target::Mock
        } else if let Some(url) = global.base_url.or_else(|| non_empty(env("LETTA_BASE_URL"))) {
            Target::Server(url)
        } else {
            Target::Missing
        };

        let api_key_from_flag = global.api_key.is_some();
        let api_key = global
            .api_key
            .or_else(|| non_empty(env("LETTA_API_KEY")))
            .map(Secret);

        let output = OutputSettings {
            format: match global.output {
                OutputArg::Table => OutputFormat::Table,
                OutputArg::Json => OutputFormat::Json,
                OutputArg::Ndjson => OutputFormat::Ndjson,
                OutputArg::Csv => OutputFormat::Csv,
            },
            color_stdout: use_color(global.color, terminals.stdout, &env),
            color_stderr: use_color(global.color, terminals.stderr, &env),
            stderr_is_terminal: terminals.stderr,
            stdout_is_terminal: terminals.stdout,
        };

        let mock_state_file = non_empty(env("LETTA_MOCK_STATE"))
            .map(PathBuf::from)
            .or_else(|| dirs::data_dir().map(|dir| dir.join("letta").join("mock-state.json")));

        Self {
            connection: Connection {
                target,
                api_key,
                api_key_from_flag,
                timeout: global.timeout.map(Duration::from_secs_f64),
                max_retries: global.max_retries,
            },
            output,
            verbose: global.verbose,
            mock_state_file,
            command: resolve_command(cli.command),
        }
    }
}

/// Decides whether a stream gets colour. `always` and `never` decide alone.
/// `auto` colours a terminal unless `NO_COLOR` is set to a non-empty value
/// or `TERM` is `dumb`.
fn use_color(choice: ColorArg, is_terminal: bool, env: &impl Fn(&str) -> Option<String>) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let no_color = env("NO_COLOR").is_some_and(|value| !value.is_empty());
            let dumb = env("TERM").as_deref() == Some("dumb");
            is_terminal && !no_color && !dumb
        }
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

fn resolve_command(command: CommandArgs) -> Command {
    match command {
        CommandArgs::Mock(MockArgs::Reset) => Command::MockReset,
        CommandArgs::Plants(plants) => Command::Plants(resolve_plants(plants)),
        CommandArgs::Customers(customers) => {
            Command::Customers(commerce::resolve_customers(customers))
        }
        CommandArgs::Orders(orders) => Command::Orders(commerce::resolve_orders(orders)),
        CommandArgs::Payments(payments) => Command::Payments(commerce::resolve_payments(payments)),
        CommandArgs::Events(events) => Command::Events(commerce::resolve_events(events)),
        CommandArgs::Webhooks(webhooks) => Command::Webhooks(webhooks::resolve(webhooks)),
        CommandArgs::Health => Command::Health,
        CommandArgs::Openapi { json } => Command::OpenApi { json },
        CommandArgs::Admin(admin) => Command::Admin(admin::resolve(admin)),
    }
}

fn resolve_plants(command: PlantsArgs) -> PlantsCommand {
    match command {
        PlantsArgs::List(list) => PlantsCommand::List(ListOptions {
            page: list.page,
            limit: list.limit,
            all: list.all,
            starting_after: list.starting_after,
            status: list.status,
            category: list.category,
            tag: list.tag,
            query: list.query,
            min_price: list.min_price,
            max_price: list.max_price,
            sort: list.sort,
        }),
        PlantsArgs::Get { id } => PlantsCommand::Get { id },
        PlantsArgs::Watch { plant, watch } => PlantsCommand::Watch {
            plant,
            options: commerce::watch_options(watch),
        },
        PlantsArgs::Create(create) => PlantsCommand::Create {
            fields: plant_fields(create.fields, false),
            stock: create.stock,
        },
        PlantsArgs::Update(update) => PlantsCommand::Update {
            id: update.id,
            fields: plant_fields(update.fields, update.clear_tags),
        },
        PlantsArgs::Delete { id } => PlantsCommand::Delete { id },
        PlantsArgs::Stock(stock) => PlantsCommand::Stock {
            id: stock.id,
            change: match (stock.delta, stock.set) {
                (Some(delta), _) => StockChange::Delta(delta),
                // clap requires exactly one of the two.
                (None, set) => StockChange::Set(set.unwrap_or_default()),
            },
        },
    }
}

fn plant_fields(args: PlantFieldArgs, clear_tags: bool) -> PlantFields {
    let tags = if clear_tags {
        Some(Vec::new())
    } else if args.tags.is_empty() {
        None
    } else {
        Some(args.tags)
    };

    PlantFields {
        name: args.name,
        species: args.species,
        category: args.category,
        price: args.price,
        currency: args.currency,
        description: args.description,
        tags,
        low_stock_threshold: args.low_stock_threshold,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    const TERMINALS: Terminals = Terminals {
        stdout: true,
        stderr: true,
    };

    fn resolve(argv: &[&str], vars: &[(&str, &str)]) -> Settings {
        let cli = Cli::try_parse_from(argv).expect("valid command line");
        let env = |name: &str| {
            vars.iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value).to_owned())
        };
        Settings::resolve(cli, env, TERMINALS)
    }

    #[test]
    fn base_url_flag_wins_over_environment() {
        let settings = resolve(
            &["letta", "--base-url", "http://flag", "plants", "list"],
            &[("LETTA_BASE_URL", "http://env")],
        );
        assert_eq!(
            settings.connection.target,
            Target::Server("http://flag".into())
        );
    }

    #[test]
    fn base_url_falls_back_to_environment() {
        let settings = resolve(
            &["letta", "plants", "list"],
            &[("LETTA_BASE_URL", "http://env")],
        );
        assert_eq!(
            settings.connection.target,
            Target::Server("http://env".into())
        );
    }

    #[test]
    fn mock_ignores_base_url_environment() {
        let settings = resolve(
            &["letta", "--mock", "plants", "list"],
            &[("LETTA_BASE_URL", "http://env")],
        );
        assert_eq!(settings.connection.target, Target::Mock);
    }

    #[test]
    fn no_base_url_is_missing() {
        let settings = resolve(&["letta", "plants", "list"], &[("LETTA_BASE_URL", "")]);
        assert_eq!(settings.connection.target, Target::Missing);
    }

    #[test]
    fn api_key_source_is_recorded() {
        let from_env = resolve(&["letta", "plants", "list"], &[("LETTA_API_KEY", "sk_env")]);
        assert_eq!(
            from_env.connection.api_key.as_ref().map(Secret::expose),
            Some("sk_env")
        );
        assert!(!from_env.connection.api_key_from_flag);

        let from_flag = resolve(
            &["letta", "--api-key", "sk_flag", "plants", "list"],
            &[("LETTA_API_KEY", "sk_env")],
        );
        assert_eq!(
            from_flag.connection.api_key.as_ref().map(Secret::expose),
            Some("sk_flag")
        );
        assert!(from_flag.connection.api_key_from_flag);
    }

    #[test]
    fn debug_hides_api_key() {
        let settings = resolve(&["letta", "--api-key", "sk_secret", "plants", "list"], &[]);
        assert!(!format!("{settings:?}").contains("sk_secret"));
    }

    #[test]
    fn no_color_set_disables_auto_colour() {
        let settings = resolve(&["letta", "plants", "list"], &[("NO_COLOR", "1")]);
        assert!(!settings.output.color_stdout);
    }

    #[test]
    fn empty_no_color_keeps_auto_colour() {
        let settings = resolve(&["letta", "plants", "list"], &[("NO_COLOR", "")]);
        assert!(settings.output.color_stdout);
    }

    #[test]
    fn dumb_terminal_disables_auto_colour() {
        let settings = resolve(&["letta", "plants", "list"], &[("TERM", "dumb")]);
        assert!(!settings.output.color_stdout);
    }

    #[test]
    fn color_always_overrides_no_color_and_dumb() {
        let settings = resolve(
            &["letta", "--color", "always", "plants", "list"],
            &[("NO_COLOR", "1"), ("TERM", "dumb")],
        );
        assert!(settings.output.color_stdout);
    }

    #[test]
    fn auto_colour_needs_a_terminal() {
        let cli = Cli::try_parse_from(["letta", "plants", "list"]).expect("valid");
        let pipes = Terminals {
            stdout: false,
            stderr: false,
        };
        let settings = Settings::resolve(cli, |_| None, pipes);
        assert!(!settings.output.color_stdout);
        assert!(!settings.output.color_stderr);
    }

    #[test]
    fn mock_state_file_from_environment() {
        let settings = resolve(
            &["letta", "mock", "reset"],
            &[("LETTA_MOCK_STATE", "/tmp/s.json")],
        );
        assert_eq!(settings.mock_state_file, Some(PathBuf::from("/tmp/s.json")));
    }
}
