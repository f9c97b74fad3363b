//! `GET /admin/webhook-deliveries`: every delivery attempt to every webhook
//! endpoint, in creation order, paginated like the `/v1` lists.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::app::AppState;
use crate::ids;
use crate::pagination::{PAGE_PARAMS, PageRequest, list_response, slice_page};
use crate::problem::ApiError;
use crate::query::QueryParams;
use crate::store::EventType;
use letta::types::FieldError;

pub(super) const PATH: &str = "/admin/webhook-deliveries";

const PARAMS: &[&str] = &[
    "webhook_id",
    "event_id",
    "event_type",
    "page",
    "limit",
    "starting_after",
];

/// Lists the attempts, filtered by `webhook_id`, `event_id` and
/// `event_type`. Unlike `/v1/webhooks/{id}/deliveries`, an unknown
/// endpoint id is not an error: it matches no attempt.
pub(super) async fn list_deliveries(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut query = QueryParams::parse(raw.as_deref(), PARAMS);
    let webhook_id = query.parse_with("webhook_id", |raw| {
        well_formed(raw, ids::WEBHOOK, "webhook")
    });
    let event_id = query.parse_with("event_id", |raw| well_formed(raw, ids::EVENT, "event"));
    let event_type = query.parse_with("event_type", |raw| {
        raw.parse::<EventType>().map_err(|_| {
            format!(
                "unknown event type `{raw}`; expected one of {}",
                EventType::expected_values()
            )
        })
    });
    let page = PageRequest::from_query(&mut query);
    query.finish()?;

    let deliveries = app
        .store
        .read(|state| {
            let matching: Vec<_> = state
                .deliveries
                .values()
                .map(|record| &record.delivery)
                .filter(|delivery| {
                    webhook_id
                        .as_ref()
                        .is_none_or(|id| &delivery.webhook_id == id)
                        && event_id.as_ref().is_none_or(|id| &delivery.event_id == id)
                        && event_type.is_none_or(|kind| delivery.event_type == kind)
                })
                .cloned()
                .collect();
            slice_page(&matching, &page, |cursor| {
                if !ids::is_well_formed(cursor, ids::DELIVERY) {
                    return Err(ApiError::invalid_parameters(vec![FieldError::new(
                        "starting_after",
                        format!("`{cursor}` is not a webhook delivery id"),
                    )]));
                }
                Ok(matching.partition_point(|delivery| delivery.id.as_str() <= cursor))
            })
        })
        .await?;
    Ok(list_response(
        deliveries,
        &headers,
        PATH,
        &query.retained(&PAGE_PARAMS),
    ))
}

fn well_formed(raw: &str, prefix: &str, noun: &str) -> Result<String, String> {
    if ids::is_well_formed(raw, prefix) {
        Ok(raw.to_owned())
    } else {
        Err(format!(
            "`{raw}` is not {} {noun} id; expected `{prefix}_` followed by 16 Crockford base32 characters",
            if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            }
        ))
    }
}
