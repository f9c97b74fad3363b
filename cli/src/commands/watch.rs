//! `letta plants watch` and `letta events tail`: print live events as they
//! arrive, until Ctrl-C or a closed stdout.

use std::collections::HashMap;
use std::io;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use letta::sse::WatchRequest;
use letta::types::{Event, EventData, EventType};

use crate::output::Output;
use crate::settings::OutputFormat;

/// The filters of a watch command, resolved from its flags.
#[derive(Debug, Clone, Default)]
pub(crate) struct WatchOptions {
    /// The event types kept, or every type when empty.
    pub(crate) types: Vec<EventType>,
    /// The event id to start after; the server replays the retained events after it.
    pub(crate) since: Option<String>,
}

impl WatchOptions {
    /// Applies the filters to a watch request.
    pub(crate) fn apply(&self, mut request: WatchRequest) -> WatchRequest {
        if !self.types.is_empty() {
            request = request.event_types(self.types.iter().cloned());
        }
        if let Some(since) = &self.since {
            request = request.since(since.clone());
        }
        request
    }
}

/// Prints the events of `request` until a closed stdout or an error that
/// ends the stream.
///
/// A closed stdout surfaces as a `BrokenPipe` error, which the caller turns
/// into a quiet, successful exit. Ctrl-C is handled by the caller as for
/// every command: it drops this future, which closes the connection, and
/// exits with status 130.
pub(crate) async fn run(request: WatchRequest, output: &mut Output) -> Result<()> {
    let mut events = request.open();
    let mut printer = Printer::default();
    let stdout_closed = stdout_closed();
    tokio::pin!(stdout_closed);

    loop {
        let next = tokio::select! {
            next = events.next() => next,
            () = &mut stdout_closed => {
                return Err(io::Error::from(io::ErrorKind::BrokenPipe).into());
            }
        };
        let Some(event) = next else {
            return Ok(());
        };
        let event = match event {
            Ok(event) => event,
            // Events were dropped from the log before they could be sent;
            // the stream goes on with the oldest retained event.
            Err(error) if error.status() == Some(reqwest::StatusCode::GONE) => {
                output.status(&format!("warning: {error}"));
                continue;
            }
            Err(error) => return Err(error).context("event stream failed"),
        };
        match output.format() {
            OutputFormat::Table => output.line(&printer.line(&event))?,
            _ => output.line(&serde_json::to_string(&event)?)?,
        }
        output.flush()?;
    }
}

/// Turns events into one readable line each, remembering each plant's last
/// stock so a stock change shows the level before and after.
#[derive(Debug, Default)]
struct Printer {
    stock: HashMap<String, i64>,
}

impl Printer {
    fn line(&mut self, event: &Event) -> String {
        let time = event.created_at.format("%Y-%m-%d %H:%M:%S");
        let object = event.data.object_id().unwrap_or("-");
        let mut line = format!("{time}  {:<20}  {object}", event.event_type.to_string());
        if let EventData::Plant(plant) = &event.data {
            let before = self.stock.insert(plant.id.clone(), plant.stock);
            let stock_event = matches!(
                event.event_type,
                EventType::PlantStockChanged
                    | EventType::PlantLowStock
                    | EventType::PlantOutOfStock
            );
            match before {
                Some(before) if stock_event && before != plant.stock => {
                    line.push_str(&format!("  stock {before} -> {}", plant.stock));
                }
                _ => line.push_str(&format!("  stock {}", plant.stock)),
            }
        }
        crate::output::escape_controls(&line)
    }
}

/// Resolves when stdout is a pipe or socket whose reader has gone, so that
/// `letta plants watch | head -n 3` ends without waiting for the next event.
/// Never resolves when stdout cannot be watched, such as a regular file.
#[cfg(unix)]
async fn stdout_closed() {
    use tokio::io::Interest;
    use tokio::io::unix::AsyncFd;

    // `register_with_interest` is the replacement, but it is `unsafe`, which
    // this workspace forbids. The stdout handle stays open for the whole
    // process, which is the I/O safety condition the deprecation is about.
    #[allow(deprecated, reason = "stdout stays open for the life of the process")]
    let watched = AsyncFd::with_interest(io::stdout(), Interest::ERROR);
    match watched {
        Ok(watched) => match watched.ready(Interest::ERROR).await {
            Ok(mut guard) => guard.retain_ready(),
            Err(error) => {
                tracing::debug!(%error, "cannot watch stdout for a closed reader");
                std::future::pending::<()>().await;
            }
        },
        Err(error) => {
            tracing::debug!(%error, "cannot watch stdout for a closed reader");
            std::future::pending::<()>().await;
        }
    }
}

/// Never resolves: closed pipes show up as write errors on this platform.
#[cfg(not(unix))]
async fn stdout_closed() {
    std::future::pending::<()>().await;
}
