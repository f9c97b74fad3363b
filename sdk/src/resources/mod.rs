//! One handle per API resource; each file describes that resource's endpoints.

mod plants;

pub use plants::{ListPlants, PlantSort, Plants};
