//! `letta webhooks listen`: receive deliveries on a local port.
//!
//! The command binds a loopback port, registers a temporary endpoint that
//! points at it, and then verifies, prints and optionally forwards each
//! delivery. It deletes the endpoint on every way out: Ctrl-C, a closed
//! stdout, or an error.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use chrono::{SecondsFormat, Utc};
use letta::Client;
use letta::types::{CreateWebhook, EventType};
use letta::webhooks::{Verifier, WEBHOOK_ID, WEBHOOK_SIGNATURE, WEBHOOK_TIMESTAMP};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use crate::output::Output;
use crate::settings::OutputFormat;

/// The path of the local receiver.
const RECEIVER_PATH: &str = "/webhooks";

/// The description of the temporary endpoint, so that a leftover one is
/// easy to recognise in `letta webhooks list`.
const ENDPOINT_DESCRIPTION: &str = "temporary endpoint of `letta webhooks listen`";

/// The time limit for one forwarded request.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(10);

/// Options of `letta webhooks listen`.
#[derive(Debug)]
pub(crate) struct ListenOptions {
    /// The event types to subscribe to, never empty.
    pub(crate) events: Vec<EventType>,
    /// The URL that receives a copy of each delivery.
    pub(crate) forward_to: Option<String>,
    /// The local port, 0 for a free one.
    pub(crate) port: u16,
}

/// The error `listen` ends with after Ctrl-C, once the endpoint is
/// deleted; the CLI exits with status 130 for it.
#[derive(Debug, thiserror::Error)]
#[error("interrupted")]
pub(crate) struct Interrupted;

/// One request that reached the local receiver, with the channel that
/// carries the status to respond with.
struct Received {
    headers: HeaderMap,
    body: Bytes,
    reply: oneshot::Sender<StatusCode>,
}

/// The line printed for one delivery, in its NDJSON form.
#[derive(Debug, Serialize)]
struct DeliveryLine {
    received_at: String,
    id: Option<String>,
    #[serde(rename = "type")]
    event_type: Option<String>,
    verified: bool,
    error: Option<String>,
    forward_status: Option<u16>,
    forward_error: Option<String>,
}

/// Runs `letta webhooks listen` until Ctrl-C, a closed stdout or an error,
/// and deletes the temporary endpoint before returning.
pub(crate) async fn run(
    client: &Client,
    options: ListenOptions,
    output: &mut Output,
) -> Result<()> {
    let interrupt = tokio::signal::ctrl_c();
    tokio::pin!(interrupt);

    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))
        .await
        .with_context(|| format!("failed to listen on 127.0.0.1 port {}", options.port))?;
    let address = listener
        .local_addr()
        .context("failed to read the local address of the receiver")?;
    let url = format!("http://{address}{RECEIVER_PATH}");

    let request = CreateWebhook::new(&url)
        .events(options.events.iter().cloned())
        .description(ENDPOINT_DESCRIPTION);
    let created = tokio::select! {
        created = client.webhooks().create(&request) => {
            created.context("failed to register the temporary webhook endpoint")?
        }
        _ = &mut interrupt => return Err(Interrupted.into()),
    };
    let endpoint_id = created.endpoint.id.clone();
    tracing::debug!(endpoint_id = %endpoint_id, url = %url, "temporary endpoint registered");

    let result = receive(
        &created.secret,
        listener,
        address,
        &endpoint_id,
        &options,
        output,
        interrupt,
    )
    .await;

    match client.webhooks().delete(&endpoint_id).await {
        Ok(()) => output.status(&format!("deleted the temporary endpoint {endpoint_id}")),
        Err(error) => output.error(
            &format!("failed to delete the temporary endpoint {endpoint_id}"),
            &[error.to_string()],
            &[format!(
                "delete it with `letta webhooks delete {endpoint_id}`"
            )],
        ),
    }
    result
}

/// Serves the receiver and handles deliveries until `interrupt` fires or
/// a delivery cannot be printed.
async fn receive(
    secret: &str,
    listener: TcpListener,
    address: SocketAddr,
    endpoint_id: &str,
    options: &ListenOptions,
    output: &mut Output,
    mut interrupt: std::pin::Pin<&mut impl std::future::Future<Output = std::io::Result<()>>>,
) -> Result<()> {
    let verifier = Verifier::new(secret).context("the server sent an invalid signing secret")?;
    let forwarder = match &options.forward_to {
        Some(_) => Some(
            reqwest::Client::builder()
                .timeout(FORWARD_TIMEOUT)
                .build()
                .context("failed to set up the HTTP client for --forward-to")?,
        ),
        None => None,
    };

    let (sender, mut receiver) = mpsc::channel::<Received>(16);
    let (stop, stopped) = oneshot::channel::<()>();
    let router = Router::new().fallback(accept).with_state(sender);
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    output.status(&format!(
        "listening on http://{address}{RECEIVER_PATH} as endpoint {endpoint_id} for {} event types; press Ctrl-C to stop",
        options.events.len()
    ));
    if let Some(target) = &options.forward_to {
        // The forwarded requests keep the original signature, so the
        // receiving app needs this secret to verify them.
        output.status(&format!(
            "forwarding to {target}; the deliveries are signed with {secret}"
        ));
    }

    let result = loop {
        let received = tokio::select! {
            received = receiver.recv() => received,
            _ = &mut interrupt => break Err(Interrupted.into()),
        };
        let Some(received) = received else {
            break Err(anyhow::anyhow!("the local receiver stopped unexpectedly"));
        };
        let printed = handle(received, &verifier, forwarder.as_ref(), options, output).await;
        if let Err(error) = printed {
            break Err(error);
        }
    };

    let _ = stop.send(());
    // The server task ends once in-flight requests have responses. Its own
    // error matters less than why the loop ended, so it is only logged.
    if let Ok(Err(error)) = server.await {
        tracing::debug!(%error, "local receiver failed");
    }
    result
}

/// Hands one request to the main loop and responds with the status it sends back.
async fn accept(
    State(sender): State<mpsc::Sender<Received>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let (reply, status) = oneshot::channel();
    let received = Received {
        headers,
        body,
        reply,
    };
    if sender.send(received).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    status.await.unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

/// Verifies, forwards and prints one delivery. The response status is the
/// forward target's when forwarding, else 200 when verified and 400 when not.
async fn handle(
    received: Received,
    verifier: &Verifier,
    forwarder: Option<&reqwest::Client>,
    options: &ListenOptions,
    output: &mut Output,
) -> Result<()> {
    let Received {
        headers,
        body,
        reply,
    } = received;
    let verified = verifier.verify_raw(&headers, &body);
    let summary = summarize(&headers, &body);

    let mut line = DeliveryLine {
        received_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        id: summary.0,
        event_type: summary.1,
        verified: verified.is_ok(),
        error: verified.as_ref().err().map(ToString::to_string),
        forward_status: None,
        forward_error: None,
    };
    let mut status = if line.verified {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };

    if let (Some(client), Some(target)) = (forwarder, &options.forward_to) {
        match forward(client, target, &headers, &body).await {
            Ok(forward_status) => {
                line.forward_status = Some(forward_status.as_u16());
                status = forward_status;
            }
            Err(error) => {
                line.forward_error = Some(error.to_string());
                status = StatusCode::BAD_GATEWAY;
            }
        }
    }

    let _ = reply.send(status);
    print(&line, output)
}

/// Returns the event id and type of a body, read loosely so that a body
/// that failed verification is still described. The id falls back to the
/// `webhook-id` header.
fn summarize(headers: &HeaderMap, body: &[u8]) -> (Option<String>, Option<String>) {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|value| value.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let header_id = headers
        .get(WEBHOOK_ID)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (field("id").or(header_id), field("type"))
}

/// Sends the body and the `webhook-*` and `content-type` headers, unchanged,
/// to `target`.
async fn forward(
    client: &reqwest::Client,
    target: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> reqwest::Result<StatusCode> {
    let mut request = client.post(target).body(body.clone());
    for name in [
        WEBHOOK_ID,
        WEBHOOK_TIMESTAMP,
        WEBHOOK_SIGNATURE,
        "content-type",
    ] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value.clone());
        }
    }
    let response = request.send().await?;
    Ok(StatusCode::from_u16(response.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY))
}

/// Prints one delivery: NDJSON for `-o json` and `-o ndjson`, else a
/// readable line. Flushes at once, so a closed stdout ends the command.
fn print(line: &DeliveryLine, output: &mut Output) -> Result<()> {
    let text = match output.format() {
        OutputFormat::Json | OutputFormat::Ndjson => serde_json::to_string(line)?,
        OutputFormat::Table | OutputFormat::Csv => readable(line),
    };
    output.line(&text)?;
    output.flush()?;
    Ok(())
}

fn readable(line: &DeliveryLine) -> String {
    let mut text = format!(
        "{}  {}  {}  {}",
        line.received_at,
        line.event_type.as_deref().unwrap_or("-"),
        line.id.as_deref().unwrap_or("-"),
        if line.verified {
            "verified"
        } else {
            "NOT VERIFIED"
        },
    );
    if let Some(error) = &line.error {
        text.push_str(&format!(" ({error})"));
    }
    if let Some(status) = line.forward_status {
        text.push_str(&format!("  forwarded: {status}"));
    }
    if let Some(error) = &line.forward_error {
        text.push_str(&format!("  forward failed: {error}"));
    }
    text
}
