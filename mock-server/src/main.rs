//! `letta-mock`: run the mock server from the command line.

use std::io::{self, IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use letta_mock::{
    DEFAULT_JOURNAL_SIZE, DEFAULT_MAX_EVENTS, DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW_SECONDS,
    DEFAULT_SEED_CUSTOMERS, DEFAULT_SEED_ORDERS, MockConfig, MockServer,
};
use letta_mock::{DEFAULT_SSE_HEARTBEAT_MS, DEFAULT_SSE_RETRY_MS};
use letta_mock::{
    DEFAULT_WEBHOOK_FAILURE_LIMIT, DEFAULT_WEBHOOK_MAX_ATTEMPTS, DEFAULT_WEBHOOK_RETRY_BASE_MS,
    DEFAULT_WEBHOOK_TIMEOUT_MS,
};
use tracing_subscriber::EnvFilter;

// The mock server allocates for every request it serves. Under wrk load,
// mimalloc served 5 to 10 % more requests per second than glibc's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stateful mock server of the Letta plant-store API.
///
/// Prints its base URL as the first line on stdout, logs to stderr, and
/// stops on Ctrl-C or SIGTERM once in-flight requests finish.
#[derive(Debug, Parser)]
#[command(name = "letta-mock", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,

    /// Port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 4010)]
    port: u16,

    /// Seed of the generated data; the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Number of plants to generate.
    #[arg(long, default_value_t = 120)]
    plants: usize,

    /// Number of customers to generate.
    #[arg(long, default_value_t = DEFAULT_SEED_CUSTOMERS)]
    customers: usize,

    /// Number of orders to generate, in every status and with their
    /// payments; none without customers or plants.
    #[arg(long, default_value_t = DEFAULT_SEED_ORDERS)]
    orders: usize,

    /// Events the event log keeps before it drops the oldest.
    #[arg(long, default_value_t = DEFAULT_MAX_EVENTS, value_name = "EVENTS")]
    max_events: usize,

    /// API key to accept (repeatable). Without any, `sk_test_letta` is accepted.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,

    /// JSON file to load state from at start and save it to after every
    /// change. Created from the seed data when it does not exist.
    #[arg(long, value_name = "PATH")]
    state_file: Option<PathBuf>,

    /// Requests each API key may send per `--rate-window`, refilled
    /// continuously; a key may burst all of them at once. 0 turns rate
    /// limiting off.
    #[arg(long, default_value_t = DEFAULT_RATE_LIMIT, value_name = "REQUESTS")]
    rate_limit: u64,

    /// Length of the rate-limit window, in seconds.
    #[arg(long, default_value_t = DEFAULT_RATE_WINDOW_SECONDS, value_name = "SECONDS")]
    rate_window: u64,

    /// Fault to inject (repeatable), as `[METHOD] [PATH]:KIND[:OPTION]...`,
    /// for example `POST /v1/orders:drop-after-commit:times=1`. Kinds:
    /// `latency=MS` or `latency=MIN-MAX`, `status=CODE`,
    /// `drop-before-commit`, `drop-after-commit`, `truncate-body`, and
    /// `sse-drop=N`, which ends each event stream after N events. Options:
    /// `times=N`, `rate=0..1`, `retry-after=SECONDS`, `seed=N`. Without a
    /// path the fault applies to every path under `/v1`.
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<String>,

    /// Requests the journal keeps for `GET /admin/journal`; 0 turns it off.
    #[arg(long, default_value_t = DEFAULT_JOURNAL_SIZE, value_name = "ENTRIES")]
    journal_size: usize,

    /// Interval between `: heartbeat` comments on idle event streams, in
    /// milliseconds.
    #[arg(long, default_value_t = DEFAULT_SSE_HEARTBEAT_MS, value_name = "MS")]
    sse_heartbeat_ms: u64,

    /// Reconnection delay that event streams send in their first `retry:`
    /// field, in milliseconds.
    #[arg(long, default_value_t = DEFAULT_SSE_RETRY_MS, value_name = "MS")]
    sse_retry_ms: u64,

    /// End every event stream response after this many events, so that
    /// clients must reconnect with `Last-Event-ID`; 0 turns the fault off.
    /// A shorthand for `--fault sse-drop=EVENTS`.
    #[arg(long, default_value_t = 0, value_name = "EVENTS")]
    sse_drop_every: u64,

    /// Wait before the first automatic webhook retry, in milliseconds;
    /// each later retry waits twice as long.
    #[arg(long, default_value_t = DEFAULT_WEBHOOK_RETRY_BASE_MS, value_name = "MS")]
    webhook_retry_base_ms: u64,

    /// Attempts at one event per webhook endpoint, the first included.
    #[arg(long, default_value_t = DEFAULT_WEBHOOK_MAX_ATTEMPTS, value_name = "ATTEMPTS")]
    webhook_max_attempts: u32,

    /// Consecutive failed deliveries that disable a webhook endpoint.
    #[arg(long, default_value_t = DEFAULT_WEBHOOK_FAILURE_LIMIT, value_name = "FAILURES")]
    webhook_failure_limit: u32,

    /// Time one webhook delivery attempt may take, in milliseconds.
    #[arg(long, default_value_t = DEFAULT_WEBHOOK_TIMEOUT_MS, value_name = "MS")]
    webhook_timeout_ms: u64,

    /// Refuse webhook URLs on loopback, private, link-local and other
    /// non-public addresses, as a production server does. Without it the
    /// mock server allows them, for receivers on this machine.
    #[arg(long)]
    deny_private_webhook_targets: bool,

    /// Log filter for stderr: a level (`error`, `warn`, `info`, `debug`,
    /// `trace`) or a tracing directive list such as `letta_mock=debug`.
    #[arg(long, default_value = "info", value_name = "FILTER")]
    log_level: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();

    let filter = match EnvFilter::try_new(&args.log_level) {
        Ok(filter) => filter,
        Err(error) => {
            report_error(&format!(
                "invalid --log-level `{}`: {error}",
                args.log_level
            ));
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .init();

    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report_error(&format!("{error:#}"));
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut config = MockConfig::new()
        .host(args.host)
        .port(args.port)
        .seed(args.seed)
        .plants(args.plants)
        .customers(args.customers)
        .orders(args.orders)
        .max_events(args.max_events)
        .rate_limit(args.rate_limit, args.rate_window)
        .journal_size(args.journal_size)
        .sse_heartbeat_ms(args.sse_heartbeat_ms)
        .sse_retry_ms(args.sse_retry_ms)
        .sse_drop_every(args.sse_drop_every)
        .webhook_retry_base_ms(args.webhook_retry_base_ms)
        .webhook_max_attempts(args.webhook_max_attempts)
        .webhook_failure_limit(args.webhook_failure_limit)
        .webhook_timeout_ms(args.webhook_timeout_ms)
        .allow_private_webhook_targets(!args.deny_private_webhook_targets);
    if !args.deny_private_webhook_targets {
        note(
            "webhook targets on private and loopback addresses are allowed for local use; \
             pass --deny-private-webhook-targets to refuse them",
        );
    }
    for key in args.api_keys {
        config = config.api_key(key);
    }
    for fault in args.faults {
        config = config.fault(fault);
    }
    if let Some(path) = args.state_file {
        config = config.state_file(path);
    }

    let server = MockServer::start(config).await?;
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{}", server.base_url())?;
    stdout.flush()?;
    drop(stdout);

    let signal = wait_for_stop_signal().await?;
    tracing::info!(signal, "stopping after in-flight requests");
    server.shutdown().await?;
    Ok(())
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM, and returns its name.
async fn wait_for_stop_signal() -> io::Result<&'static str> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};

        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.map(|()| "SIGINT"),
            _ = terminate.recv() => Ok("SIGTERM"),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.map(|()| "Ctrl-C")
    }
}

#[allow(
    clippy::print_stderr,
    reason = "the note must reach the user even with logging filtered out"
)]
fn note(message: &str) {
    eprintln!("note: {message}");
}

#[allow(
    clippy::print_stderr,
    reason = "the error must reach the user even with logging filtered out"
)]
fn report_error(message: &str) {
    eprintln!("error: {message}");
}
