//! `/v1/webhooks`: endpoints that receive signed event deliveries.

use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::request::ApiRequest;
use crate::resources::list::{ListParams, list_request};
use crate::types::{
    CreateWebhook, UpdateWebhook, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret,
};

const WEBHOOKS: &[&str] = &["v1", "webhooks"];

impl Client {
    /// Returns the webhooks resource.
    pub fn webhooks(&self) -> Webhooks {
        Webhooks::new(self.clone())
    }
}

/// The webhooks resource, from [`Client::webhooks`].
///
/// An endpoint's secret is returned twice only: by [`create`](Self::create)
/// and by [`rotate_secret`](Self::rotate_secret). Verify each delivery with
/// it through [`webhooks::Verifier`](crate::webhooks::Verifier).
#[derive(Debug, Clone)]
pub struct Webhooks {
    client: Client,
}

impl Webhooks {
    fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts a list of endpoints, oldest first; call
    /// [`send`](ListWebhooks::send), [`pages`](ListWebhooks::pages) or
    /// [`stream`](ListWebhooks::stream) on it.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let endpoints: Vec<_> = client.webhooks().list().stream().try_collect().await?;
    /// for endpoint in &endpoints {
    ///     println!("{} {}", endpoint.id, endpoint.url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListWebhooks {
        ListWebhooks {
            params: ListParams::new(&self.client, WEBHOOKS),
        }
    }

    /// Fetches one endpoint, without its secret.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 and code `not_found`
    /// when no endpoint has this id; [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// when `id` is empty.
    pub fn get(&self, id: &str) -> Call<WebhookEndpoint> {
        let request = Client::check_id("webhook id", id)
            .map(|()| ApiRequest::new(Method::GET, &["v1", "webhooks", id]));
        Call::new(&self.client, request, call::json)
    }

    /// Registers an endpoint and returns it with its signing secret, which
    /// is not shown again.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::{CreateWebhook, EventType};
    ///
    /// let endpoint = client
    ///     .webhooks()
    ///     .create(
    ///         &CreateWebhook::new("https://example.com/hooks/letta")
    ///             .events([EventType::OrderCreated, EventType::OrderPaid]),
    ///     )
    ///     .await?;
    /// println!("{} signs with a new secret", endpoint.endpoint.id);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 422 and code
    /// `validation_failed` for a URL that is not absolute `http` or `https`,
    /// an empty or repeated event list, or an unknown event type.
    pub fn create(&self, webhook: &CreateWebhook) -> Call<WebhookEndpointWithSecret> {
        let request = ApiRequest::new(Method::POST, WEBHOOKS).json_body(webhook);
        Call::new(&self.client, request, call::json)
    }

    /// Changes the fields set in `update`. Setting the status to `enabled`
    /// also resets the endpoint's failure count.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::{UpdateWebhook, WebhookStatus};
    ///
    /// let update = UpdateWebhook::new().status(WebhookStatus::Enabled);
    /// client.webhooks().update("whk_00000001N4P8VZ6C", &update).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 for an unknown id and
    /// 422 `validation_failed` for an invalid field;
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when `id` is empty.
    pub fn update(&self, id: &str, update: &UpdateWebhook) -> Call<WebhookEndpoint> {
        let request = Client::check_id("webhook id", id).and_then(|()| {
            ApiRequest::new(Method::PATCH, &["v1", "webhooks", id]).json_body(update)
        });
        Call::new(&self.client, request, call::json)
    }

    /// Deletes an endpoint; nothing more is delivered to it.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 for an unknown id;
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when `id` is empty.
    pub fn delete(&self, id: &str) -> Call<()> {
        let request = Client::check_id("webhook id", id)
            .map(|()| ApiRequest::new(Method::DELETE, &["v1", "webhooks", id]));
        Call::new(&self.client, request, call::empty)
    }

    /// Replaces the signing secret and returns the new one. The old secret
    /// keeps signing deliveries, next to the new one, until
    /// `previous_secret_expires_at` (24 hours).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// let rotated = client.webhooks().rotate_secret("whk_00000001N4P8VZ6C").await?;
    /// let verifier = letta::webhooks::Verifier::new(&rotated.secret);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 for an unknown id;
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when `id` is empty.
    pub fn rotate_secret(&self, id: &str) -> Call<WebhookEndpointWithSecret> {
        self.action(id, "rotate-secret")
    }

    /// Queues a `webhook.test` event for this endpoint alone and returns the
    /// pending delivery.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 for an unknown id and
    /// 409 when the endpoint is disabled;
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when `id` is empty.
    pub fn test(&self, id: &str) -> Call<WebhookDelivery> {
        self.action(id, "test")
    }

    /// Starts a list of an endpoint's delivery attempts, oldest first.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use letta::types::DeliveryStatus;
    ///
    /// let failed: Vec<_> = client
    ///     .webhooks()
    ///     .deliveries("whk_00000001N4P8VZ6C")
    ///     .stream()
    ///     .try_filter(|delivery| std::future::ready(delivery.status == DeliveryStatus::Failed))
    ///     .try_collect()
    ///     .await?;
    /// println!("{} failed attempts", failed.len());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// An empty `id` makes every run of the request fail with
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) before it is sent,
    /// and an unknown one gets a 404 from the server.
    pub fn deliveries(&self, id: &str) -> ListWebhookDeliveries {
        let segments = ["v1", "webhooks", id, "deliveries"];
        ListWebhookDeliveries {
            params: ListParams::new(&self.client, &segments).path_id("webhook id", id),
        }
    }

    /// Delivers the event of a past attempt again, as a new attempt, and
    /// returns it pending.
    ///
    /// # Errors
    ///
    /// [`Error::Api`](crate::Error::Api) with status 404 when the endpoint or
    /// the delivery does not exist and 409 when the endpoint is disabled;
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when an id is empty.
    pub fn retry_delivery(&self, id: &str, delivery_id: &str) -> Call<WebhookDelivery> {
        let request = Client::check_id("webhook id", id)
            .and_then(|()| Client::check_id("delivery id", delivery_id))
            .map(|()| {
                ApiRequest::new(
                    Method::POST,
                    &["v1", "webhooks", id, "deliveries", delivery_id, "retry"],
                )
            });
        Call::new(&self.client, request, call::json)
    }

    /// Sends a body-less `POST /v1/webhooks/{id}/{action}`.
    fn action<T>(&self, id: &str, action: &str) -> Call<T>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let request = Client::check_id("webhook id", id)
            .map(|()| ApiRequest::new(Method::POST, &["v1", "webhooks", id, action]));
        Call::new(&self.client, request, call::json)
    }
}

list_request! {
    /// A list request for webhook endpoints, from [`Webhooks::list`].
    ListWebhooks => WebhookEndpoint, "endpoint"
}

list_request! {
    /// A list request for an endpoint's delivery attempts, from
    /// [`Webhooks::deliveries`].
    ListWebhookDeliveries => WebhookDelivery, "delivery"
}
