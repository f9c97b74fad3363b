//! One run of the CLI: connect to the server, run the command, and turn the
//! outcome into an exit code.

use anyhow::Result;
use letta::{Client, RetryPolicy};

use crate::commands::webhooks::Interrupted;
use crate::commands::{self, plants::Invocation};
use crate::error::{self, ErrorContext, Exit, UsageError};
use crate::mock::{self, EmbeddedMock};
use crate::output::Output;
use crate::settings::{Command, Connection, Settings, Target};

const USER_AGENT: &str = concat!("letta-cli/", env!("CARGO_PKG_VERSION"));

/// Runs the command in `settings` until it ends or Ctrl-C is pressed, and
/// reports any error on stderr.
pub(crate) async fn run(settings: Settings, output: &mut Output) -> Exit {
    let mut context = ErrorContext {
        base_url: None,
        mock: settings.connection.target == Target::Mock,
        timeout: settings.connection.timeout,
    };

    // A command that cleans up after Ctrl-C watches for it itself.
    let result = if settings.command.handles_interrupt() {
        execute(settings, output, &mut context).await
    } else {
        // `biased` polls the Ctrl-C branch first, which installs the signal
        // handler before the command sends anything, so an interrupt that
        // arrives right after the first request still exits with 130.
        tokio::select! {
            biased;
            _ = tokio::signal::ctrl_c() => return Exit::Interrupted,
            result = execute(settings, output, &mut context) => result,
        }
    };
    let result = result.and_then(|()| Ok(output.flush()?));

    match result {
        Ok(()) => Exit::Success,
        // The reader of stdout is gone, which is how `| head` ends a run.
        Err(error) if error::is_broken_pipe(&error) => Exit::Success,
        Err(error) if error.is::<Interrupted>() => Exit::Interrupted,
        Err(error) => {
            error::report(output, &error, &context);
            error::exit_code(&error)
        }
    }
}

async fn execute(
    settings: Settings,
    output: &mut Output,
    context: &mut ErrorContext,
) -> Result<()> {
    let Settings {
        connection,
        mock_state_file,
        command,
        ..
    } = settings;
    if let Command::MockReset = command {
        return commands::mock::reset(mock_state_file.as_deref(), output).await;
    }
    if let (Target::Mock, Command::Admin(admin)) = (&connection.target, &command)
        && let Some(name) = admin.process_only()
    {
        return Err(UsageError::new(format!(
            "`letta {name}` has no lasting effect with --mock: the bundled mock server runs only for this one command"
        ))
        .hint("start `letta-mock` and pass its address with --base-url")
        .into());
    }

    let mock = match connection.target {
        Target::Mock => {
            let state_file = mock::require_state_file(mock_state_file.as_deref())?;
            Some(EmbeddedMock::start(state_file, output).await?)
        }
        _ => None,
    };

    let result = async {
        let client = build_client(&connection, mock.as_ref(), context)?;
        let invocation = Invocation {
            mock: mock.is_some(),
        };
        match command {
            Command::Plants(plants) => {
                commands::plants::run(&client, plants, output, invocation).await
            }
            Command::Customers(customers) => {
                commands::customers::run(&client, customers, output, invocation).await
            }
            Command::Orders(orders) => {
                commands::orders::run(&client, orders, output, invocation).await
            }
            Command::Payments(payments) => {
                commands::payments::run(&client, payments, output, invocation).await
            }
            Command::Events(events) => {
                commands::events::run(&client, events, output, invocation).await
            }
            Command::Webhooks(webhooks) => {
                commands::webhooks::run(&client, webhooks, output, invocation).await
            }
            Command::Health => commands::admin::health(&client, output).await,
            Command::OpenApi { json } => commands::admin::openapi(&client, json, output).await,
            Command::Admin(admin) => commands::admin::run(&client, admin, output, invocation).await,
            // Handled above, before a server is started.
            Command::MockReset => Ok(()),
        }
    }
    .await;

    let stopped = match mock {
        Some(mock) => mock.shutdown().await,
        None => Ok(()),
    };
    result.and(stopped)
}

fn build_client(
    settings: &Connection,
    mock: Option<&EmbeddedMock>,
    context: &mut ErrorContext,
) -> Result<Client> {
    let (base_url, api_key) = match (&settings.target, mock) {
        (Target::Mock, Some(mock)) => {
            // LETTA_API_KEY is meant for a real server, so only an
            // explicit --api-key replaces the mock's own key.
            let key = match (&settings.api_key, settings.api_key_from_flag) {
                (Some(key), true) => key.expose().to_owned(),
                _ => mock.api_key(),
            };
            (mock.base_url(), Some(key))
        }
        (Target::Server(url), _) => (
            url.clone(),
            settings.api_key.as_ref().map(|key| key.expose().to_owned()),
        ),
        _ => {
            return Err(UsageError::new("no server to talk to: the base URL is not set")
                .hint("pass --base-url URL, set LETTA_BASE_URL, or add --mock to use the bundled mock server")
                .into());
        }
    };
    context.base_url = Some(base_url.clone());

    let mut builder = Client::builder().base_url(base_url).user_agent(USER_AGENT);
    if let Some(key) = api_key {
        builder = builder.api_key(key);
    }
    if let Some(timeout) = settings.timeout {
        // One limit for the whole request: no attempt may run longer than
        // the retries together.
        builder = builder.timeout(timeout).deadline(timeout);
    }
    if let Some(retries) = settings.max_retries {
        builder = builder.retry_policy(RetryPolicy::new().max_retries(retries));
    }
    Ok(builder.build()?)
}
