//! Wire types: the JSON objects the API sends and accepts.
//!
//! These are plain serde structs shared with the mock server. Enums that the
//! server may extend (statuses, categories, event types) carry an `Unknown`
//! variant holding the raw string, so a newer server never breaks decoding.

mod admin;
mod customer;
pub(crate) mod enums;
mod event;
mod list;
mod order;
mod payment;
mod plant;
mod problem;
mod webhook;

pub use admin::{
    Fault, FaultKind, Health, Journal, JournalEntry, NewFault, RateLimit, SetRateLimit,
    TriggerEvent,
};
pub use customer::{CreateCustomer, Customer, UpdateCustomer};
pub use enums::{Category, PlantStatus, UnknownVariant};
pub use event::{Event, EventData, EventType, WebhookTestData};
pub use list::ListResponse;
pub use order::{CreateOrder, CreateOrderItem, Order, OrderItem, OrderStatus};
pub use payment::{CreatePayment, Payment, PaymentFailureCode, PaymentMethod, PaymentStatus};
pub use plant::{CreatePlant, Plant, StockAdjustment, UpdatePlant};
pub use problem::{FieldError, Problem};
pub use webhook::{
    CreateWebhook, DeliveryStatus, UpdateWebhook, WebhookDelivery, WebhookDisabledReason,
    WebhookEndpoint, WebhookEndpointWithSecret, WebhookStatus,
};
