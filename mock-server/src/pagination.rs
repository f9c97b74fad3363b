//! Page and keyset pagination shared by every list endpoint.
//!
//! A list request selects either a page (`page`, 1-based) or the items after
//! a cursor (`starting_after`), each with `limit`. The response is the
//! `{data, page, limit, total, has_more}` envelope plus an RFC 8288 `Link`
//! header whose URLs keep the request's filters, `sort` and `limit`.

use axum::http::header::LINK;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use letta::types::ListResponse;
use serde::Serialize;

use crate::body::json_response;
use crate::origin::request_origin;
use crate::problem::ApiError;
use crate::query::QueryParams;

/// Query parameters that every list endpoint accepts.
pub(crate) const PAGE_PARAMS: [&str; 3] = ["page", "limit", "starting_after"];

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: i64 = 100;
const MAX_PAGE: i64 = 1_000_000;
/// Room reserved per item when serializing a page: a seeded plant is about
/// 420 bytes of JSON.
const ITEM_BYTES: usize = 512;

/// Where a list request starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    /// A 1-based page number.
    Page(u32),
    /// The id of the item just before the first one to return.
    After(String),
}

/// The pagination part of a list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) limit: u32,
    pub(crate) position: Position,
}

impl PageRequest {
    /// Reads `page`, `limit` and `starting_after`, recording errors in `query`.
    pub(crate) fn from_query(query: &mut QueryParams) -> Self {
        let limit = query
            .integer("limit", 1..=MAX_LIMIT)
            .and_then(|limit| u32::try_from(limit).ok())
            .unwrap_or(DEFAULT_LIMIT);
        let page = query
            .integer("page", 1..=MAX_PAGE)
            .and_then(|page| u32::try_from(page).ok());

        if query.contains("page") && query.contains("starting_after") {
            query.reject("starting_after", "cannot be combined with `page`");
        }
        let position = match (page, query.text("starting_after")) {
            (_, Some(cursor)) => Position::After(cursor.to_owned()),
            (Some(page), None) => Position::Page(page),
            (None, None) => Position::Page(1),
        };
        Self { limit, position }
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub(crate) struct PageOf<T> {
    pub(crate) items: Vec<T>,
    /// The page number, in page mode only.
    pub(crate) page: Option<u32>,
    pub(crate) limit: u32,
    /// Items matching the filters across all pages.
    pub(crate) total: u64,
    pub(crate) has_more: bool,
}

impl<T> PageOf<T> {
    /// Converts every item of the page with `convert`.
    pub(crate) fn map<U>(self, convert: impl FnMut(T) -> U) -> PageOf<U> {
        PageOf {
            items: self.items.into_iter().map(convert).collect(),
            page: self.page,
            limit: self.limit,
            total: self.total,
            has_more: self.has_more,
        }
    }
}

/// Cuts one page out of `sorted`, the full filtered list in response order.
///
/// In keyset mode `cursor_end` returns how many items of `sorted` come at or
/// before the cursor, or the error for a cursor that cannot be placed.
pub(crate) fn slice_page<T: Clone>(
    sorted: &[T],
    request: &PageRequest,
    cursor_end: impl FnOnce(&str) -> Result<usize, ApiError>,
) -> Result<PageOf<T>, ApiError> {
    let limit = request.limit as usize;
    let total = sorted.len() as u64;

    let (start, page) = match &request.position {
        Position::Page(page) => {
            let start = (*page as usize - 1).saturating_mul(limit);
            (start, Some(*page))
        }
        Position::After(cursor) => (cursor_end(cursor)?, None),
    };

    let start = start.min(sorted.len());
    let end = start.saturating_add(limit).min(sorted.len());
    Ok(PageOf {
        items: sorted[start..end].to_vec(),
        page,
        limit: request.limit,
        total,
        has_more: end < sorted.len(),
    })
}

/// Builds the list response: the JSON envelope and the `Link` header.
///
/// `retained` are the request's other parameters (filters and `sort`), kept
/// in every link.
pub(crate) fn list_response<T: Serialize + HasId>(
    page: PageOf<T>,
    headers: &HeaderMap,
    path: &str,
    retained: &[(&'static str, String)],
) -> Response {
    let base = format!("{}{path}", request_origin(headers));
    let link = link_header(&base, retained, &page);
    let capacity = ITEM_BYTES * (page.items.len() + 1);
    let envelope = ListResponse::new(page.items, page.page, page.limit, page.total, page.has_more);

    let mut response = json_response(&envelope, capacity);
    if let Some(link) = link.and_then(|link| HeaderValue::from_str(&link).ok()) {
        response.headers_mut().insert(LINK, link);
    }
    response
}

/// Builds the `Link` header value in one buffer: `<url>; rel="name"` per
/// link, joined with `, `.
fn link_header<T: HasId>(
    base: &str,
    retained: &[(&'static str, String)],
    page: &PageOf<T>,
) -> Option<String> {
    let limit = page.limit.to_string();
    let mut links = String::with_capacity(4 * (base.len() + 48));
    let mut push = |position: (&str, &str), rel: &str| {
        push_link(&mut links, base, retained, &limit, position, rel);
    };

    match (page.page, page.items.last()) {
        (Some(number), _) => {
            let last = page.total.div_ceil(u64::from(page.limit)).max(1);
            push(("page", "1"), "first");
            if number > 1 {
                push(("page", &(number - 1).to_string()), "prev");
            }
            if page.has_more {
                push(("page", &(number + 1).to_string()), "next");
            }
            push(("page", &last.to_string()), "last");
        }
        (None, Some(last)) if page.has_more => {
            push(("starting_after", last.id()), "next");
        }
        (None, _) => {}
    }

    (!links.is_empty()).then_some(links)
}

/// Appends `<base?query>; rel="rel"` to `links`, after `, ` unless it is the
/// first link. The query contains `retained`, then `limit`, then
/// `position`, form-urlencoded.
fn push_link(
    links: &mut String,
    base: &str,
    retained: &[(&'static str, String)],
    limit: &str,
    position: (&str, &str),
    rel: &str,
) {
    if !links.is_empty() {
        links.push_str(", ");
    }
    links.push('<');
    links.push_str(base);
    links.push('?');
    let start = links.len();
    let mut query = url::form_urlencoded::Serializer::for_suffix(std::mem::take(links), start);
    for (name, value) in retained {
        query.append_pair(name, value);
    }
    query.append_pair("limit", limit);
    query.append_pair(position.0, position.1);
    *links = query.finish();
    links.push_str(">; rel=\"");
    links.push_str(rel);
    links.push('"');
}

/// An item that a keyset cursor can point at.
pub(crate) trait HasId {
    fn id(&self) -> &str;
}

/// A page of borrowed items serializes without cloning them.
impl<T: HasId> HasId for &T {
    fn id(&self) -> &str {
        (*self).id()
    }
}
