//! One handle per API resource; each file describes that resource's endpoints.

mod admin;
mod customers;
mod events;
pub(crate) mod list;
mod meta;
mod orders;
mod payments;
mod plants;
mod webhooks;

pub use admin::{Admin, ListAllWebhookDeliveries, ReadJournal};
pub use customers::{Customers, ListCustomerOrders, ListCustomers};
pub use events::{Events, ListEvents};
pub use meta::Meta;
pub use orders::{ListOrders, Orders};
pub use payments::{ListPayments, Payments};
pub use plants::{ListPlants, PlantSort, Plants};
pub use webhooks::{ListWebhookDeliveries, ListWebhooks, Webhooks};
