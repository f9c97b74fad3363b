//! Wire types: the JSON objects the API sends and accepts.
//!
//! These are plain serde structs shared with the mock server. Enums that the
//! server may extend (statuses, categories, event types) carry an `Unknown`
//! variant holding the raw string, so a newer server never breaks decoding.

pub(crate) mod enums;
mod list;
mod plant;
mod problem;

pub use enums::{Category, PlantStatus, UnknownVariant};
pub use list::ListResponse;
pub use plant::{CreatePlant, Plant, StockAdjustment, UpdatePlant};
pub use problem::{FieldError, Problem};
