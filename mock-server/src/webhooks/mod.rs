//! Webhook delivery: a background dispatcher that sends every matching
//! event to each enabled endpoint, signed per Standard Webhooks, and
//! retries failed attempts on an exponential schedule.
//!
//! The dispatcher never blocks request handling. One task follows the
//! store's event channel and queues an attempt per matching endpoint; each
//! queued attempt then runs in its own task, which waits until the attempt
//! is due, sends it and records the outcome (queuing the next attempt when
//! a retry is due). Attempts live in the persisted state, so pending ones
//! resume after a restart with a state file.
//!
//! Every attempt at an event sends the same body bytes with
//! `webhook-id` set to the event id, a fresh `webhook-timestamp`, and one
//! `v1` signature per active secret. Only a 2xx answer succeeds; redirects
//! are not followed.

pub(crate) mod guard;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use chrono::Utc;
use letta::webhooks::Signer;
use tokio::sync::broadcast::error::RecvError;

use crate::store::{AttemptOutcome, PendingAttempt, RetryRules, Store};

/// How the dispatcher delivers: retry schedule, timeout and target guard.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DeliverySettings {
    pub(crate) rules: RetryRules,
    pub(crate) timeout: Duration,
    pub(crate) allow_private_targets: bool,
}

/// Clients a dispatcher keeps at most. When one more is needed, the cache is
/// emptied first, so it stays small whatever URLs are registered.
const MAX_CACHED_CLIENTS: usize = 64;

/// The HTTP clients of a dispatcher, one per pinned host name and address
/// (key `None` for URLs with an IP address). Building a client loads the
/// system's root certificates, which costs milliseconds, and a kept client
/// also reuses its connections to the receiver.
type ClientCache = Mutex<HashMap<Option<(String, SocketAddr)>, reqwest::Client>>;

/// Sends queued attempts. Cheap to clone; holds the store weakly, so its
/// tasks end once the server's state is dropped.
#[derive(Debug, Clone)]
pub(crate) struct Dispatcher {
    store: Weak<Store>,
    settings: DeliverySettings,
    clients: Arc<ClientCache>,
}

impl Dispatcher {
    /// Starts following `store`'s events and resumes every pending attempt.
    /// Must run inside a tokio runtime.
    pub(crate) fn start(store: &Arc<Store>, settings: DeliverySettings) -> Self {
        let dispatcher = Self {
            store: Arc::downgrade(store),
            settings,
            clients: Arc::default(),
        };
        let receiver = store.subscribe();
        let follower = dispatcher.clone();
        tokio::spawn(async move { follower.follow(receiver).await });
        let resumer = dispatcher.clone();
        tokio::spawn(async move { resumer.resume().await });
        dispatcher
    }

    /// Returns whether targets on private addresses are allowed.
    pub(crate) fn allow_private_targets(&self) -> bool {
        self.settings.allow_private_targets
    }

    /// Sends pending attempt `id` (and its automatic retries) in the
    /// background.
    pub(crate) fn spawn(&self, id: String) {
        let dispatcher = self.clone();
        tokio::spawn(async move { dispatcher.run(id).await });
    }

    async fn resume(&self) {
        let Some(store) = self.store.upgrade() else {
            return;
        };
        let pending = store
            .read(|state| Ok(state.pending_deliveries()))
            .await
            .unwrap_or_default();
        drop(store);
        if !pending.is_empty() {
            tracing::info!(count = pending.len(), "resuming pending webhook deliveries");
        }
        for id in pending {
            self.spawn(id);
        }
    }

    async fn follow(
        &self,
        mut receiver: tokio::sync::broadcast::Receiver<Arc<crate::store::Event>>,
    ) {
        let mut last_seen: Option<String> = None;
        loop {
            let events = match receiver.recv().await {
                Ok(event) => vec![event],
                Err(RecvError::Closed) => return,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "webhook dispatcher fell behind; reading the event log"
                    );
                    let Some(store) = self.store.upgrade() else {
                        return;
                    };
                    let after = store.events_after(last_seen.as_deref()).await;
                    after.events.into_iter().map(Arc::new).collect()
                }
            };
            for event in events {
                if last_seen
                    .as_deref()
                    .is_some_and(|seen| seen >= event.id.as_str())
                {
                    continue;
                }
                last_seen = Some(event.id.clone());
                let Some(store) = self.store.upgrade() else {
                    return;
                };
                // Most events have no subscriber: skip the write, which
                // would save the state file for nothing.
                let wanted = store.read(|state| Ok(state.has_subscriber(&event))).await;
                if !matches!(wanted, Ok(true)) {
                    continue;
                }
                let queued = match store.write(|state| Ok(state.queue_event(&event))).await {
                    Ok(queued) => queued,
                    Err(error) => {
                        tracing::error!(event = %event.id, ?error, "failed to queue webhook deliveries");
                        Vec::new()
                    }
                };
                for delivery in queued {
                    self.spawn(delivery.id);
                }
            }
        }
    }

    /// Sends attempt `id` when due, then each automatic retry it queues.
    async fn run(&self, mut id: String) {
        loop {
            let Some(store) = self.store.upgrade() else {
                return;
            };
            let Ok(Some(pending)) = store
                .read(|state| Ok(state.pending_attempt(&id, Utc::now())))
                .await
            else {
                return;
            };
            drop(store);

            let wait = (pending.due_at - Utc::now()).to_std().unwrap_or_default();
            tokio::time::sleep(wait).await;

            let Some(store) = self.store.upgrade() else {
                return;
            };
            // The endpoint may have changed while the attempt waited.
            let current = store
                .read(|state| Ok((state.may_send(&id), state.pending_attempt(&id, Utc::now()))))
                .await;
            let Ok((may_send, Some(pending))) = current else {
                return;
            };
            if !may_send {
                let skipped = store
                    .write(|state| {
                        state.skip_attempt(&id, "not sent: the endpoint is disabled");
                        Ok(())
                    })
                    .await;
                if let Err(error) = skipped {
                    tracing::error!(delivery = %id, ?error, "failed to record a skipped webhook attempt");
                }
                return;
            }
            drop(store);

            let outcome = self.send(&pending).await;
            let Some(store) = self.store.upgrade() else {
                return;
            };
            let rules = self.settings.rules;
            tracing::debug!(
                delivery = %id,
                status = ?outcome.response_status,
                error = ?outcome.error,
                "webhook attempt finished"
            );
            let next = store
                .write(|state| Ok(state.finish_attempt(&id, outcome, rules)))
                .await;
            if let Err(error) = &next {
                tracing::error!(delivery = %id, ?error, "failed to record a webhook attempt");
            }
            match next {
                Ok(Some(next)) => id = next,
                _ => return,
            }
        }
    }

    /// Returns the HTTP client for targets with this pinned address, built
    /// on first use.
    fn client_for(
        &self,
        pinned: &Option<(String, SocketAddr)>,
    ) -> Result<reqwest::Client, reqwest::Error> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(client) = clients.get(pinned) {
            return Ok(client.clone());
        }
        // No proxy: the guard checked the address the client connects to.
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.settings.timeout);
        if let Some((name, addr)) = pinned {
            builder = builder.resolve(name, *addr);
        }
        let client = builder.build()?;
        if clients.len() >= MAX_CACHED_CLIENTS {
            clients.clear();
        }
        clients.insert(pinned.clone(), client.clone());
        Ok(client)
    }

    /// Makes one HTTP attempt.
    async fn send(&self, pending: &PendingAttempt) -> AttemptOutcome {
        let refused = |error: String| AttemptOutcome {
            response_status: None,
            duration_ms: 0,
            error: Some(error),
        };
        let url = match guard::parse_url(&pending.url) {
            Ok(url) => url,
            Err(rejection) => return refused(format!("target rejected: {}", rejection.detail())),
        };
        let target = match guard::resolve(&url, self.settings.allow_private_targets).await {
            Ok(target) => target,
            Err(rejection) => return refused(format!("target rejected: {}", rejection.detail())),
        };

        let timestamp = u64::try_from(Utc::now().timestamp()).unwrap_or_default();
        let headers = match Signer::with_secrets(&pending.secrets)
            .and_then(|signer| signer.sign(&pending.event_id, timestamp, pending.body.as_bytes()))
        {
            Ok(headers) => headers,
            Err(error) => return refused(format!("could not sign the delivery: {error}")),
        };

        let client = match self.client_for(&target.pinned) {
            Ok(client) => client,
            Err(error) => return refused(format!("could not build the HTTP client: {error}")),
        };

        let mut request = client
            .post(target.url)
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("letta-mock/", env!("CARGO_PKG_VERSION")),
            )
            .body(pending.body.clone());
        for (name, value) in headers.to_pairs() {
            request = request.header(name, value);
        }

        let started = Instant::now();
        let result = async {
            let response = request.send().await?;
            let status = response.status();
            // Read the whole response so the duration covers it.
            let _ = response.bytes().await;
            Ok::<_, reqwest::Error>(status)
        }
        .await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);

        match result {
            Ok(status) => AttemptOutcome {
                response_status: Some(status.as_u16()),
                duration_ms,
                error: if status.is_success() {
                    None
                } else if status.is_redirection() {
                    Some(format!(
                        "redirect not followed (status {})",
                        status.as_u16()
                    ))
                } else {
                    Some(format!("status {}", status.as_u16()))
                },
            },
            Err(error) => AttemptOutcome {
                response_status: None,
                duration_ms,
                error: Some(if error.is_timeout() {
                    format!("timeout after {} ms", self.settings.timeout.as_millis())
                } else if error.is_connect() {
                    "connection failed".to_owned()
                } else {
                    format!("request failed: {error}")
                }),
            },
        }
    }
}
