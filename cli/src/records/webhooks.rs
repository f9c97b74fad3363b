//! Table rows, CSV records and field lists of webhook endpoints and their
//! delivery attempts.

use comfy_table::Color;
use letta::types::{
    DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret, WebhookStatus,
};

use super::{column, timestamp};
use crate::output::{Column, Record, Styled};

const ENDPOINT_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("URL", false, true),
    column("EVENTS", false, true),
    column("STATUS", false, false),
    column("CREATED", false, false),
];

const ENDPOINT_CSV_HEADER: &[&str] = &[
    "id",
    "url",
    "events",
    "description",
    "status",
    "disabled_reason",
    "previous_secret_expires_at",
    "created_at",
    "updated_at",
];

const DELIVERY_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("EVENT", false, false),
    column("TYPE", false, false),
    column("ATTEMPT", true, false),
    column("STATUS", false, false),
    column("HTTP", true, false),
    column("CREATED", false, false),
];

const DELIVERY_CSV_HEADER: &[&str] = &[
    "id",
    "webhook_id",
    "event_id",
    "event_type",
    "attempt",
    "status",
    "response_status",
    "duration_ms",
    "error",
    "next_retry_at",
    "created_at",
];

impl Record for WebhookEndpoint {
    fn columns() -> &'static [Column] {
        ENDPOINT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(&self.id),
            Styled::plain(&self.url),
            Styled::plain(event_list(self, ", ")),
            endpoint_status_cell(&self.status),
            Styled::plain(timestamp(&self.created_at)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        ENDPOINT_CSV_HEADER
    }

    /// Event types are joined with `;`.
    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.url.clone(),
            event_list(self, ";"),
            self.description.clone().unwrap_or_default(),
            self.status.to_string(),
            optional(self.disabled_reason.as_ref().map(ToString::to_string)),
            optional(self.previous_secret_expires_at.as_ref().map(timestamp)),
            timestamp(&self.created_at),
            timestamp(&self.updated_at),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(&self.id)),
            ("URL", Styled::plain(&self.url)),
            ("Events", Styled::plain(event_list(self, ", "))),
            (
                "Description",
                Styled::plain(self.description.clone().unwrap_or_default()),
            ),
            ("Status", endpoint_status_cell(&self.status)),
            (
                "Disabled because",
                Styled::plain(optional(
                    self.disabled_reason.as_ref().map(ToString::to_string),
                )),
            ),
            (
                "Old secret valid until",
                Styled::plain(optional(
                    self.previous_secret_expires_at.as_ref().map(timestamp),
                )),
            ),
            ("Created", Styled::plain(timestamp(&self.created_at))),
            ("Updated", Styled::plain(timestamp(&self.updated_at))),
        ]
    }
}

impl Record for WebhookEndpointWithSecret {
    fn columns() -> &'static [Column] {
        ENDPOINT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        self.endpoint.row()
    }

    fn csv_header() -> &'static [&'static str] {
        const HEADER: &[&str] = &[
            "id",
            "url",
            "events",
            "description",
            "status",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
            "updated_at",
            "secret",
        ];
        HEADER
    }

    fn csv_record(&self) -> Vec<String> {
        let mut record = self.endpoint.csv_record();
        record.push(self.secret.clone());
        record
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        let mut details = self.endpoint.details();
        details.push(("Secret", Styled::plain(&self.secret)));
        details
    }
}

impl Record for WebhookDelivery {
    fn columns() -> &'static [Column] {
        DELIVERY_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(&self.id),
            Styled::plain(&self.event_id),
            Styled::plain(self.event_type.as_str()),
            Styled::plain(self.attempt.to_string()),
            delivery_status_cell(&self.status),
            Styled::plain(optional(
                self.response_status.map(|status| status.to_string()),
            )),
            Styled::plain(timestamp(&self.created_at)),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        DELIVERY_CSV_HEADER
    }

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.webhook_id.clone(),
            self.event_id.clone(),
            self.event_type.to_string(),
            self.attempt.to_string(),
            self.status.to_string(),
            optional(self.response_status.map(|status| status.to_string())),
            optional(self.duration_ms.map(|duration| duration.to_string())),
            self.error.clone().unwrap_or_default(),
            optional(self.next_retry_at.as_ref().map(timestamp)),
            timestamp(&self.created_at),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(&self.id)),
            ("Endpoint", Styled::plain(&self.webhook_id)),
            ("Event", Styled::plain(&self.event_id)),
            ("Type", Styled::plain(self.event_type.as_str())),
            ("Attempt", Styled::plain(self.attempt.to_string())),
            ("Status", delivery_status_cell(&self.status)),
            (
                "HTTP status",
                Styled::plain(optional(
                    self.response_status.map(|status| status.to_string()),
                )),
            ),
            (
                "Duration (ms)",
                Styled::plain(optional(
                    self.duration_ms.map(|duration| duration.to_string()),
                )),
            ),
            (
                "Error",
                Styled::plain(self.error.clone().unwrap_or_default()),
            ),
            (
                "Next retry",
                Styled::plain(optional(self.next_retry_at.as_ref().map(timestamp))),
            ),
            ("Created", Styled::plain(timestamp(&self.created_at))),
        ]
    }
}

fn event_list(endpoint: &WebhookEndpoint, separator: &str) -> String {
    let names: Vec<&str> = endpoint.events.iter().map(|event| event.as_str()).collect();
    names.join(separator)
}

fn optional(value: Option<String>) -> String {
    value.unwrap_or_default()
}

fn endpoint_status_cell(status: &WebhookStatus) -> Styled {
    let color = match status {
        WebhookStatus::Enabled => Color::Green,
        WebhookStatus::Disabled => Color::Red,
        _ => return Styled::plain(status.as_str()),
    };
    Styled::colored(status.as_str(), color)
}

fn delivery_status_cell(status: &DeliveryStatus) -> Styled {
    let color = match status {
        DeliveryStatus::Succeeded => Color::Green,
        DeliveryStatus::Pending => Color::Yellow,
        DeliveryStatus::Failed => Color::Red,
        _ => return Styled::plain(status.as_str()),
    };
    Styled::colored(status.as_str(), color)
}
