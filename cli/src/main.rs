//! `letta`: the command-line tool for the Letta plant-store API.

mod app;
mod args;
mod commands;
mod error;
mod mock;
mod money;
mod output;
mod records;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;
use crate::error::Exit;
use crate::output::Output;
use crate::settings::{Settings, Terminals};

fn main() -> ExitCode {
    // clap prints help and usage errors itself and exits with 0 or 2.
    let cli = Cli::parse();
    let env = |name: &str| std::env::var_os(name).map(|value| value.to_string_lossy().into_owned());
    let settings = Settings::resolve(cli, env, Terminals::detect());

    output::init_logging(settings.verbose, settings.output);
    let mut output = Output::new(settings.output);

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output.error(
                "failed to start the async runtime",
                &[error.to_string()],
                &[],
            );
            return Exit::Failure.into();
        }
    };
    let exit = runtime.block_on(app::run(settings, &mut output));

    // Do not wait for tasks still running after Ctrl-C, such as a lock wait.
    runtime.shutdown_background();
    exit.into()
}
