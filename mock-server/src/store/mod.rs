//! The server's state: every resource, behind one lock.
//!
//! [`State`] holds one map per resource type and the id generator with its
//! per-type sequences; the event log and further resources join it as
//! fields. [`Store`] guards it with one async mutex. A change runs under the
//! lock and, when a state file is configured, is written to disk before the
//! lock is released, so writes reach the disk in the order the changes were
//! made and a client only sees a response once its change is saved.

mod plants;

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::ids::IdGenerator;
use crate::persist::StateFile;
use crate::problem::ApiError;
use crate::seed;

pub(crate) use plants::{
    MAX_STOCK, NewPlant, PlantChanges, PlantFilter, PlantRecord, PlantSort, SortKey, StockChange,
};

/// Everything the server stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) ids: IdGenerator,
    /// The latest timestamp handed out, so that timestamps never go
    /// backwards and `created_at` order always matches id order.
    pub(crate) clock: DateTime<Utc>,
    #[serde(with = "plants::as_list")]
    pub(crate) plants: BTreeMap<String, PlantRecord>,
}

impl State {
    /// Returns the current time in milliseconds, never before the previous
    /// value it returned.
    pub(crate) fn now(&mut self) -> DateTime<Utc> {
        let now = Utc::now().trunc_subsecs(3).max(self.clock);
        self.clock = now;
        now
    }
}

/// The shared state, the file it is saved to and the seed plan it can be
/// reset to.
#[derive(Debug)]
pub(crate) struct Store {
    state: Mutex<State>,
    file: Option<StateFile>,
    seed: seed::Plan,
}

impl Store {
    pub(crate) fn new(state: State, file: Option<StateFile>, seed: seed::Plan) -> Self {
        Self {
            state: Mutex::new(state),
            file,
            seed,
        }
    }

    /// Replaces the whole state with freshly generated seed data, as at a
    /// start without a state file, and saves it when a state file is
    /// configured.
    ///
    /// # Errors
    ///
    /// `500 internal_error` when the state file cannot be written; the state
    /// is then left as it was.
    #[allow(
        dead_code,
        reason = "the admin surface's reset route calls it once that lands"
    )]
    pub(crate) async fn reset(&self) -> Result<(), ApiError> {
        let fresh = seed::generate(&self.seed);
        self.write(|state| {
            *state = fresh;
            Ok(())
        })
        .await
    }

    /// Runs a read-only operation on the state.
    pub(crate) async fn read<T>(
        &self,
        operation: impl FnOnce(&State) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let state = self.state.lock().await;
        operation(&state)
    }

    /// Runs a change on the state and saves the result.
    ///
    /// `change` must check its input before it modifies anything, because an
    /// error it returns is passed on without undoing its edits. If saving
    /// fails, the state is restored to what it was before the change and the
    /// caller gets `500 internal_error`.
    pub(crate) async fn write<T>(
        &self,
        change: impl FnOnce(&mut State) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut state = self.state.lock().await;
        let Some(file) = &self.file else {
            return change(&mut state);
        };

        let before = state.clone();
        let output = change(&mut state)?;
        if let Err(error) = file.save(&state).await {
            tracing::error!(path = %file.path().display(), error = %error, "failed to save state; change rolled back");
            *state = before;
            return Err(ApiError::internal());
        }
        Ok(output)
    }
}
