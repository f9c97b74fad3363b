//! The bundled mock server behind `--mock`, run inside this process.
//!
//! Its data lives in a state file, so changes persist between runs. A lock
//! file beside it is held for the whole run: two `--mock` runs at once would
//! each load the same state and the later write would drop the earlier
//! run's changes, so the second run waits instead.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use letta_mock::{MockConfig, MockServer};

use crate::error::UsageError;
use crate::output::Output;

/// An exclusive lock on a state file, released when dropped.
#[derive(Debug)]
pub(crate) struct StateLock {
    _file: File,
}

/// A mock server running for this process, with its state file locked.
#[derive(Debug)]
pub(crate) struct EmbeddedMock {
    server: MockServer,
    _lock: StateLock,
}

impl EmbeddedMock {
    /// Locks `state_file` and starts the mock server on a free loopback port,
    /// loading the state file when it exists.
    pub(crate) async fn start(state_file: &Path, output: &Output) -> Result<Self> {
        let lock = lock_state(state_file, output).await?;

        // As with the `letta-mock` binary, webhooks may target this machine,
        // which `letta webhooks listen` relies on.
        let config = MockConfig::new()
            .state_file(state_file)
            .allow_private_webhook_targets(true);
        let server = match MockServer::start(config).await {
            Ok(server) => server,
            Err(error @ letta_mock::Error::InvalidStateFile { .. }) => {
                return Err(error).context(
                    "failed to start the bundled mock server: its state file is unreadable \
                     (`letta mock reset` deletes it and starts from fresh seed data)",
                );
            }
            Err(error) => return Err(error).context("failed to start the bundled mock server"),
        };
        tracing::debug!(base_url = %server.base_url(), state_file = %state_file.display(), "mock server started");

        Ok(Self {
            server,
            _lock: lock,
        })
    }

    /// Returns the base URL the server listens on.
    pub(crate) fn base_url(&self) -> String {
        self.server.base_url().to_string()
    }

    /// Returns an API key the server accepts.
    pub(crate) fn api_key(&self) -> String {
        self.server.api_key().to_owned()
    }

    /// Stops the server after in-flight requests finish, then releases the lock.
    pub(crate) async fn shutdown(self) -> Result<()> {
        self.server
            .shutdown()
            .await
            .context("the bundled mock server failed")
    }
}

/// Returns the state file, or a usage error when none can be named.
pub(crate) fn require_state_file(state_file: Option<&Path>) -> Result<&Path, UsageError> {
    state_file.ok_or_else(|| {
        UsageError::new("no place for the mock server's data: the user data folder is unknown")
            .hint("set LETTA_MOCK_STATE to the file the mock server should keep its data in")
    })
}

/// Takes an exclusive lock beside `state_file`, waiting for another run
/// that holds it. Creates the state file's folder when missing.
pub(crate) async fn lock_state(state_file: &Path, output: &Output) -> Result<StateLock> {
    let lock_path = lock_path(state_file);
    if let Some(folder) = lock_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .with_context(|| format!("failed to create folder {}", folder.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("failed to open lock file {}", lock_path.display()))?;

    match file.try_lock() {
        Ok(()) => return Ok(StateLock { _file: file }),
        Err(TryLockError::WouldBlock) => {}
        Err(TryLockError::Error(error)) => {
            return Err(error).with_context(|| format!("failed to lock {}", lock_path.display()));
        }
    }

    output.status(&format!(
        "Waiting for another letta --mock run to finish (lock file {}).",
        lock_path.display()
    ));
    // `File::lock` blocks the thread, so it waits off the async runtime.
    let file = tokio::task::spawn_blocking(move || file.lock().map(|()| file))
        .await
        .context("the lock task failed")?
        .with_context(|| format!("failed to lock {}", lock_path.display()))?;
    Ok(StateLock { _file: file })
}

fn lock_path(state_file: &Path) -> PathBuf {
    let mut name = state_file.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    state_file.with_file_name(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_sits_beside_state_file() {
        assert_eq!(
            lock_path(Path::new("/data/letta/mock-state.json")),
            PathBuf::from("/data/letta/mock-state.json.lock")
        );
    }
}
