//! The error type of this crate.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// An error from starting or running a mock server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting in [`MockConfig`](crate::MockConfig) is invalid.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// The state file exists but could not be read.
    #[error("failed to read state file {}", path.display())]
    ReadStateFile {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The state file is not a valid state file; it was left untouched.
    #[error("invalid state file {}: {reason}", path.display())]
    InvalidStateFile {
        /// The state file.
        path: PathBuf,
        /// What is wrong with its content.
        reason: String,
    },

    /// The new state file could not be written.
    #[error("failed to write state file {}", path.display())]
    WriteStateFile {
        /// The state file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },

    /// The listening socket could not be bound.
    #[error("failed to bind {addr}")]
    Bind {
        /// The address requested.
        addr: SocketAddr,
        /// The I/O error.
        source: io::Error,
    },

    /// The server stopped with an error.
    #[error("the server failed")]
    Serve(#[source] io::Error),
}
