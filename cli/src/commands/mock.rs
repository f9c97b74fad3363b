//! `letta mock ...`: the bundled mock server's saved data.

use std::io;
use std::path::Path;

use anyhow::{Context, Result};

use crate::mock;
use crate::output::Output;

/// Deletes the state file, so the next `--mock` run starts from fresh
/// sample data. Waits for any `--mock` run that holds the lock to finish.
pub(crate) async fn reset(state_file: Option<&Path>, output: &Output) -> Result<()> {
    let state_file = mock::require_state_file(state_file)?;
    let _lock = mock::lock_state(state_file, output).await?;

    match std::fs::remove_file(state_file) {
        Ok(()) => {
            output.status(&format!(
                "Deleted {}. The next --mock run starts from fresh sample data.",
                state_file.display()
            ));
            Ok(())
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            output.status(&format!(
                "Nothing to reset: {} does not exist, so the next --mock run starts from fresh sample data.",
                state_file.display()
            ));
            Ok(())
        }
        Err(error) => {
            Err(error).with_context(|| format!("failed to delete {}", state_file.display()))
        }
    }
}
