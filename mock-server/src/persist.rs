//! The state file: load at start, save after every change.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::Error;
use crate::store::State;

/// Version of the file layout; a file with another version is rejected.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct FileRef<'a> {
    format: u32,
    state: &'a State,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOwned {
    #[expect(
        dead_code,
        reason = "checked through FormatVersion; named so unknown fields stay denied"
    )]
    format: u32,
    state: State,
}

/// Only the version field of a state file.
#[derive(Deserialize)]
struct FormatVersion {
    format: u32,
}

/// A JSON file holding the whole state.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    /// Counter that makes temporary file names unique within the process.
    temp_counter: AtomicU64,
}

impl StateFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self {
            path,
            temp_counter: AtomicU64::new(0),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the state, or returns `None` when the file does not exist.
    ///
    /// # Errors
    ///
    /// [`Error::ReadStateFile`] when the file exists but cannot be read, and
    /// [`Error::InvalidStateFile`] when it is not a state file of this
    /// version. The file is left untouched in both cases.
    pub(crate) async fn load(&self) -> Result<Option<State>, Error> {
        let bytes = match tokio::fs::read(&self.path).await {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(Error::ReadStateFile {
                    path: self.path.clone(),
                    source,
                });
            }
        };

        let invalid = |reason: String| Error::InvalidStateFile {
            path: self.path.clone(),
            reason,
        };
        // The version is read first, so a file from another version gets
        // that message rather than a complaint about a field it lacks.
        let version: FormatVersion =
            serde_json::from_slice(&bytes).map_err(|error| invalid(error.to_string()))?;
        if version.format != FORMAT_VERSION {
            return Err(invalid(format!(
                "format version {} is not supported; this server reads version {FORMAT_VERSION}",
                version.format
            )));
        }
        let file: FileOwned =
            serde_json::from_slice(&bytes).map_err(|error| invalid(error.to_string()))?;
        let mut state = file.state;
        state.check_loaded().map_err(invalid)?;
        Ok(Some(state))
    }

    /// Saves the state atomically: it writes a temporary file in the same
    /// folder, flushes it to disk and renames it over the state file, so a
    /// crash leaves either the old file or the new one, never a mix.
    ///
    /// # Errors
    ///
    /// Any I/O error; the temporary file is removed and the state file keeps
    /// its previous content.
    pub(crate) async fn save(&self, state: &State) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(&FileRef {
            format: FORMAT_VERSION,
            state,
        })
        .map_err(io::Error::other)?;
        let temp = self.temp_path();

        let written = write_synced(&temp, &bytes).await;
        let renamed = match written {
            Ok(()) => tokio::fs::rename(&temp, &self.path).await,
            Err(error) => Err(error),
        };
        if let Err(error) = renamed {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(error);
        }

        sync_parent(&self.path).await;
        Ok(())
    }

    fn temp_path(&self) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".to_owned());
        let counter = self.temp_counter.fetch_add(1, Ordering::Relaxed);
        let temp_name = format!(".{name}.{}.{counter}.tmp", std::process::id());
        self.path.with_file_name(temp_name)
    }
}

async fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = tokio::fs::File::create(path).await?;
    file.write_all(bytes).await?;
    file.sync_all().await
}

/// Flushes the folder entry of the rename to disk, where the platform allows
/// opening a folder. Elsewhere the rename is durable once the OS flushes it.
async fn sync_parent(path: &Path) {
    let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    else {
        return;
    };
    if let Ok(folder) = tokio::fs::File::open(parent).await
        && let Err(error) = folder.sync_all().await
    {
        tracing::debug!(folder = %parent.display(), %error, "failed to sync the state file's folder");
    }
}
