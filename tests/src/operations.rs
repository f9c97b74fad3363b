//! The table of the API's operations with the SDK method and the CLI command
//! that cover each. The Prism contract test runs every SDK call of it, the
//! coverage test checks it against `docs/openapi.yaml`, and the CLI's
//! coverage test runs every command of it with `--help`.

use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use futures_util::TryStreamExt;
use futures_util::future::BoxFuture;
use letta::Client;
use letta::resources::PlantSort;
use letta::types::{
    Category, CreateCustomer, CreateOrder, CreatePayment, CreatePlant, CreateWebhook, EventType,
    NewFault, OrderStatus, PaymentMethod, PlantStatus, SetRateLimit, StockAdjustment, TriggerEvent,
    UpdateCustomer, UpdatePlant, UpdateWebhook, WebhookStatus,
};

/// The outcome of one SDK call: `Ok` once the response decoded into the
/// SDK's type.
pub type CallResult = Result<(), Box<dyn StdError + Send + Sync>>;

/// An SDK call that exercises one operation with valid inputs.
pub type SdkCall = fn(Client) -> BoxFuture<'static, CallResult>;

/// An operation under `paths` in the spec and what covers it.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// The SDK method, as a user writes it.
    pub sdk_method: &'static str,
    /// The CLI command, starting with `letta`.
    pub cli_command: &'static str,
    /// The call the contract test runs.
    pub call: SdkCall,
}

/// A payload under `webhooks` in the spec: an event the server delivers,
/// which the SDK decodes into a typed [`letta::types::Event`].
#[derive(Debug, Clone)]
pub struct WebhookEvent {
    /// The spec's `operationId` for the payload.
    pub operation_id: &'static str,
    /// The event type the payload carries.
    pub event_type: EventType,
    /// The SDK's typed variant, as a user writes it.
    pub sdk_variant: &'static str,
    /// The CLI command that receives it, starting with `letta`.
    pub cli_command: &'static str,
}

// Ids in the shape the spec's patterns require: a type prefix and 16
// characters of Crockford base32.
const PLANT_ID: &str = "plt_000000014XK9QF2M";
const CUSTOMER_ID: &str = "cus_00000007MZ3QH8RD";
const ORDER_ID: &str = "ord_00000005T2WJ9KXB";
const PAYMENT_ID: &str = "pay_00000001K7W3N9QD";
const EVENT_ID: &str = "evt_0000002A9C4XR7TB";
/// An id before the spec's example event, so a stream resumed after it still
/// delivers that event.
const EARLIER_EVENT_ID: &str = "evt_0000000000000001";
const WEBHOOK_ID: &str = "whk_00000001N4P8VZ6C";
const DELIVERY_ID: &str = "del_0000000G3HY5RM1W";

/// Returns the path of the OpenAPI document, `docs/openapi.yaml`.
pub fn spec_path() -> PathBuf {
    workspace_root().join("docs").join("openapi.yaml")
}

/// Returns the root of the workspace, the parent of this package.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits inside the workspace")
        .to_path_buf()
}

/// Wraps a call whose value is only decoded, not inspected.
async fn decoded<T>(call: impl std::future::IntoFuture<Output = letta::Result<T>>) -> CallResult {
    call.await?;
    Ok(())
}

/// Opens an event stream and waits for its first event.
async fn first_event(stream: letta::sse::WatchRequest) -> CallResult {
    let mut events = stream.open();
    match events.try_next().await? {
        Some(_event) => Ok(()),
        None => Err("the event stream ended without an event".into()),
    }
}

macro_rules! operation {
    ($id:literal, $sdk:literal, $cli:literal, |$client:ident| $body:expr) => {
        Operation {
            operation_id: $id,
            sdk_method: $sdk,
            cli_command: $cli,
            call: |$client| Box::pin(async move { $body }),
        }
    };
}

/// Returns every operation of the SDK, in the spec's order.
pub fn operations() -> Vec<Operation> {
    vec![
        operation!(
            "listPlants",
            "client.plants().list()",
            "letta plants list",
            |client| decoded(
                client
                    .plants()
                    .list()
                    .limit(10)
                    .status(PlantStatus::InStock)
                    .category(Category::Foliage)
                    .tag("pet-safe")
                    .query("fern")
                    .min_price(100)
                    .max_price(10_000)
                    .sort(PlantSort::PriceDesc)
                    .send()
            )
            .await
        ),
        operation!(
            "createPlant",
            "client.plants().create(&plant)",
            "letta plants create",
            |client| decoded(
                client.plants().create(
                    &CreatePlant::new(
                        "Boston Fern",
                        "Nephrolepis exaltata",
                        Category::Foliage,
                        1299
                    )
                    .description("Likes humidity")
                    .tags(["pet-safe"])
                    .currency("usd")
                    .stock(12)
                    .low_stock_threshold(3)
                )
            )
            .await
        ),
        operation!(
            "streamPlantEvents",
            "client.plants().watch_plant(id).open()",
            "letta plants watch",
            |client| first_event(
                client
                    .plants()
                    .watch_plant(PLANT_ID)
                    .event_types([EventType::PlantStockChanged])
            )
            .await
        ),
        operation!(
            "getPlant",
            "client.plants().get(id)",
            "letta plants get",
            |client| decoded(client.plants().get(PLANT_ID)).await
        ),
        operation!(
            "updatePlant",
            "client.plants().update(id, &update)",
            "letta plants update",
            |client| decoded(
                client
                    .plants()
                    .update(PLANT_ID, &UpdatePlant::new().price(1499).name("Fern"))
            )
            .await
        ),
        operation!(
            "deletePlant",
            "client.plants().delete(id)",
            "letta plants delete",
            |client| decoded(client.plants().delete(PLANT_ID)).await
        ),
        operation!(
            "adjustPlantStock",
            "client.plants().adjust_stock(id, adjustment)",
            "letta plants stock",
            |client| decoded(
                client
                    .plants()
                    .adjust_stock(PLANT_ID, StockAdjustment::Delta(-3))
            )
            .await
        ),
        operation!(
            "listCustomers",
            "client.customers().list()",
            "letta customers list",
            |client| decoded(
                client
                    .customers()
                    .list()
                    .page(2)
                    .limit(5)
                    .email("ada@example.com")
                    .query("ada")
                    .send()
            )
            .await
        ),
        operation!(
            "createCustomer",
            "client.customers().create(&customer)",
            "letta customers create",
            |client| decoded(client.customers().create(
                &CreateCustomer::new("Ada Lovelace", "ada@example.com").phone("+15555550123")
            ))
            .await
        ),
        operation!(
            "getCustomer",
            "client.customers().get(id)",
            "letta customers get",
            |client| decoded(client.customers().get(CUSTOMER_ID)).await
        ),
        operation!(
            "updateCustomer",
            "client.customers().update(id, &update)",
            "letta customers update",
            |client| decoded(
                client
                    .customers()
                    .update(CUSTOMER_ID, &UpdateCustomer::new().name("Ada King"))
            )
            .await
        ),
        operation!(
            "deleteCustomer",
            "client.customers().delete(id)",
            "letta customers delete",
            |client| decoded(client.customers().delete(CUSTOMER_ID)).await
        ),
        operation!(
            "listCustomerOrders",
            "client.customers().orders(id)",
            "letta customers orders",
            |client| decoded(client.customers().orders(CUSTOMER_ID).limit(10).send()).await
        ),
        operation!(
            "listOrders",
            "client.orders().list()",
            "letta orders list",
            |client| decoded(
                client
                    .orders()
                    .list()
                    .status(OrderStatus::Paid)
                    .customer_id(CUSTOMER_ID)
                    .send()
            )
            .await
        ),
        operation!(
            "createOrder",
            "client.orders().create(&order)",
            "letta orders create",
            |client| decoded(
                client
                    .orders()
                    .create(&CreateOrder::new(CUSTOMER_ID).item(PLANT_ID, 3))
            )
            .await
        ),
        operation!(
            "getOrder",
            "client.orders().get(id)",
            "letta orders get",
            |client| decoded(client.orders().get(ORDER_ID)).await
        ),
        operation!(
            "cancelOrder",
            "client.orders().cancel(id)",
            "letta orders cancel",
            |client| decoded(client.orders().cancel(ORDER_ID)).await
        ),
        operation!(
            "fulfillOrder",
            "client.orders().fulfill(id)",
            "letta orders fulfill",
            |client| decoded(client.orders().fulfill(ORDER_ID)).await
        ),
        operation!(
            "listPayments",
            "client.payments().list()",
            "letta payments list",
            |client| decoded(client.payments().list().starting_after(PAYMENT_ID).send()).await
        ),
        operation!(
            "createPayment",
            "client.payments().create(&payment)",
            "letta payments create",
            |client| decoded(client.payments().create(
                &CreatePayment::new(ORDER_ID, PaymentMethod::CardOk, 7497).currency("usd")
            ))
            .await
        ),
        operation!(
            "getPayment",
            "client.payments().get(id)",
            "letta payments get",
            |client| decoded(client.payments().get(PAYMENT_ID)).await
        ),
        operation!(
            "listEvents",
            "client.events().list()",
            "letta events list",
            |client| decoded(
                client
                    .events()
                    .list()
                    .event_type(EventType::OrderCreated)
                    .send()
            )
            .await
        ),
        operation!(
            "streamEvents",
            "client.events().watch().open()",
            "letta events tail",
            |client| first_event(
                client
                    .events()
                    .watch()
                    .event_types([EventType::OrderCreated, EventType::PlantStockChanged])
                    .since(EARLIER_EVENT_ID)
            )
            .await
        ),
        operation!(
            "getEvent",
            "client.events().get(id)",
            "letta events get",
            |client| decoded(client.events().get(EVENT_ID)).await
        ),
        operation!(
            "listWebhooks",
            "client.webhooks().list()",
            "letta webhooks list",
            |client| decoded(client.webhooks().list().send()).await
        ),
        operation!(
            "createWebhook",
            "client.webhooks().create(&webhook)",
            "letta webhooks create",
            |client| decoded(
                client.webhooks().create(
                    &CreateWebhook::new("https://example.com/hooks/letta")
                        .events([EventType::OrderCreated, EventType::OrderPaid])
                        .description("Order notifications")
                )
            )
            .await
        ),
        operation!(
            "getWebhook",
            "client.webhooks().get(id)",
            "letta webhooks get",
            |client| decoded(client.webhooks().get(WEBHOOK_ID)).await
        ),
        operation!(
            "updateWebhook",
            "client.webhooks().update(id, &update)",
            "letta webhooks update",
            |client| decoded(
                client.webhooks().update(
                    WEBHOOK_ID,
                    &UpdateWebhook::new()
                        .status(WebhookStatus::Enabled)
                        .clear_description()
                )
            )
            .await
        ),
        operation!(
            "deleteWebhook",
            "client.webhooks().delete(id)",
            "letta webhooks delete",
            |client| decoded(client.webhooks().delete(WEBHOOK_ID)).await
        ),
        operation!(
            "rotateWebhookSecret",
            "client.webhooks().rotate_secret(id)",
            "letta webhooks rotate-secret",
            |client| decoded(client.webhooks().rotate_secret(WEBHOOK_ID)).await
        ),
        operation!(
            "testWebhook",
            "client.webhooks().test(id)",
            "letta webhooks test",
            |client| decoded(client.webhooks().test(WEBHOOK_ID)).await
        ),
        operation!(
            "listWebhookDeliveries",
            "client.webhooks().deliveries(id)",
            "letta webhooks deliveries",
            |client| decoded(client.webhooks().deliveries(WEBHOOK_ID).limit(5).send()).await
        ),
        operation!(
            "retryWebhookDelivery",
            "client.webhooks().retry_delivery(id, delivery_id)",
            "letta webhooks resend",
            |client| decoded(client.webhooks().retry_delivery(WEBHOOK_ID, DELIVERY_ID)).await
        ),
        operation!(
            "getHealth",
            "client.meta().health()",
            "letta health",
            |client| decoded(client.meta().health()).await
        ),
        operation!(
            "getOpenApi",
            "client.meta().openapi_yaml()",
            "letta openapi",
            |client| decoded(client.meta().openapi_yaml()).await
        ),
        operation!(
            "getOpenApiJson",
            "client.meta().openapi_json()",
            "letta openapi --json",
            |client| decoded(client.meta().openapi_json()).await
        ),
        operation!(
            "adminReset",
            "client.admin().reset()",
            "letta admin reset",
            |client| decoded(client.admin().reset()).await
        ),
        operation!(
            "adminGetRateLimit",
            "client.admin().rate_limit()",
            "letta admin rate-limit get",
            |client| decoded(client.admin().rate_limit()).await
        ),
        operation!(
            "adminSetRateLimit",
            "client.admin().set_rate_limit(&policy)",
            "letta admin rate-limit set",
            |client| decoded(
                client
                    .admin()
                    .set_rate_limit(&SetRateLimit::new(100).window_seconds(60))
            )
            .await
        ),
        operation!(
            "adminGetJournal",
            "client.admin().journal()",
            "letta admin journal",
            |client| decoded(
                client
                    .admin()
                    .journal()
                    .method("POST")
                    .path("/v1/plants/*")
                    .limit(10)
            )
            .await
        ),
        operation!(
            "adminClearJournal",
            "client.admin().clear_journal()",
            "letta admin journal --clear",
            |client| decoded(client.admin().clear_journal()).await
        ),
        operation!(
            "adminGetFaults",
            "client.admin().faults()",
            "letta admin faults list",
            |client| decoded(client.admin().faults()).await
        ),
        operation!(
            "adminAddFault",
            "client.admin().add_fault(&fault)",
            "letta admin faults add",
            |client| decoded(
                client.admin().add_fault(
                    &NewFault::status(503)
                        .path("/v1/orders")
                        .retry_after(2)
                        .times(2)
                )
            )
            .await
        ),
        operation!(
            "adminClearFaults",
            "client.admin().clear_faults()",
            "letta admin faults clear",
            |client| decoded(client.admin().clear_faults()).await
        ),
        operation!(
            "adminGetFault",
            "client.admin().fault(id)",
            "letta admin faults get",
            |client| decoded(client.admin().fault(1)).await
        ),
        operation!(
            "adminTriggerEvent",
            "client.admin().trigger_event(&trigger)",
            "letta admin trigger",
            |client| decoded(
                client.admin().trigger_event(
                    &TriggerEvent::new(EventType::PlantLowStock).object_id(PLANT_ID)
                )
            )
            .await
        ),
        operation!(
            "adminListWebhookDeliveries",
            "client.admin().webhook_deliveries()",
            "letta admin deliveries",
            |client| decoded(client.admin().webhook_deliveries().limit(5).send()).await
        ),
        operation!(
            "adminDeleteFault",
            "client.admin().delete_fault(id)",
            "letta admin faults delete",
            |client| decoded(client.admin().delete_fault(1)).await
        ),
    ]
}

macro_rules! webhook_event {
    ($id:literal, $variant:ident, $wire:literal) => {
        WebhookEvent {
            operation_id: $id,
            event_type: EventType::$variant,
            sdk_variant: concat!("EventType::", stringify!($variant)),
            cli_command: concat!("letta webhooks listen --events ", $wire),
        }
    };
}

/// Returns every webhook payload of the spec with the SDK's typed variant,
/// in the spec's order.
pub fn webhook_events() -> Vec<WebhookEvent> {
    vec![
        webhook_event!("plantCreatedWebhook", PlantCreated, "plant.created"),
        webhook_event!("plantUpdatedWebhook", PlantUpdated, "plant.updated"),
        webhook_event!("plantDeletedWebhook", PlantDeleted, "plant.deleted"),
        webhook_event!(
            "plantStockChangedWebhook",
            PlantStockChanged,
            "plant.stock_changed"
        ),
        webhook_event!("plantLowStockWebhook", PlantLowStock, "plant.low_stock"),
        webhook_event!(
            "plantOutOfStockWebhook",
            PlantOutOfStock,
            "plant.out_of_stock"
        ),
        webhook_event!(
            "customerCreatedWebhook",
            CustomerCreated,
            "customer.created"
        ),
        webhook_event!(
            "customerUpdatedWebhook",
            CustomerUpdated,
            "customer.updated"
        ),
        webhook_event!(
            "customerDeletedWebhook",
            CustomerDeleted,
            "customer.deleted"
        ),
        webhook_event!("orderCreatedWebhook", OrderCreated, "order.created"),
        webhook_event!("orderPaidWebhook", OrderPaid, "order.paid"),
        webhook_event!("orderFulfilledWebhook", OrderFulfilled, "order.fulfilled"),
        webhook_event!("orderCancelledWebhook", OrderCancelled, "order.cancelled"),
        webhook_event!(
            "paymentCompletedWebhook",
            PaymentCompleted,
            "payment.completed"
        ),
        webhook_event!("paymentFailedWebhook", PaymentFailed, "payment.failed"),
        webhook_event!("webhookTestWebhook", WebhookTest, "webhook.test"),
    ]
}
