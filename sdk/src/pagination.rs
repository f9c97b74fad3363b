//! Pages and auto-paginating streams.
//!
//! # What a walk guarantees
//!
//! A list can be walked in two ways, and they behave differently while other
//! clients create and delete items:
//!
//! - **Keyset** (the default for [`pages`](crate::resources::ListPlants::pages)
//!   and [`stream`](crate::resources::ListPlants::stream) when no `page` is
//!   set): each request asks for the items after the last id seen
//!   (`starting_after`). The walk never yields an id twice and never skips an
//!   item that existed for the whole walk. Items created behind the cursor
//!   are not seen; items created ahead of it are.
//! - **Page number** (`page(n)`): each request asks for page `n + 1`. An
//!   insert before the current position shifts every later item by one, so
//!   the walk can yield an item twice; a delete shifts them back, so it can
//!   skip one. Use it to jump to a page, not to read everything.
//!
//! Either walk ends only when the server says so (`has_more: false`), never
//! because a page came back short or empty.

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::Method;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::link::{Links, query_value};
use crate::request::ApiRequest;
use crate::types::ListResponse;

/// A stream of pages, as returned by a list request's `pages()`.
pub type PageStream<T> = BoxStream<'static, Result<Page<T>>>;

/// A stream of items across pages, as returned by a list request's `stream()`.
pub type ItemStream<T> = BoxStream<'static, Result<T>>;

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items, in the requested order.
    pub data: Vec<T>,
    /// The 1-based page number; `None` for a keyset (`starting_after`) page.
    pub page: Option<u32>,
    /// The page size the server applied.
    pub limit: u32,
    /// Number of items matching the filters, across all pages.
    pub total: u64,
    /// Whether more items follow.
    pub has_more: bool,
    /// The `Link` header's `first`, `prev`, `next` and `last` URLs.
    pub links: Links,
    /// The `Request-Id` of the response.
    pub request_id: Option<String>,
}

impl<T> Page<T> {
    /// Returns the number of pages at this page size, at least 1.
    pub fn page_count(&self) -> u64 {
        if self.limit == 0 {
            return 1;
        }
        self.total.div_ceil(u64::from(self.limit)).max(1)
    }
}

/// Items that have an id, which keyset pagination uses as the cursor.
pub(crate) trait HasId {
    fn id(&self) -> &str;
}

/// Where a list request starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Position {
    /// Page-number mode, 1-based.
    Page(u32),
    /// Keyset mode: after this id, or from the start.
    After(Option<String>),
}

/// A list endpoint with its filters, independent of the position.
#[derive(Debug, Clone)]
pub(crate) struct ListQuery {
    pub(crate) client: Client,
    /// Path segments after the base URL, such as `["v1", "plants"]`.
    pub(crate) segments: Vec<String>,
    pub(crate) filters: Vec<(&'static str, String)>,
    pub(crate) limit: Option<u32>,
}

impl ListQuery {
    /// Fetches the page at `position`.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, position: &Position) -> Result<Page<T>> {
        let mut query = Vec::with_capacity(self.filters.len() + 2);
        match position {
            Position::Page(page) => query.push(("page", page.to_string())),
            Position::After(Some(cursor)) => query.push(("starting_after", cursor.clone())),
            Position::After(None) => {}
        }
        if let Some(limit) = self.limit {
            query.push(("limit", limit.to_string()));
        }
        query.extend(self.filters.iter().cloned());

        let segments: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        let request = ApiRequest::new(Method::GET, &segments).query(query);
        let response = self.client.execute(request).await?;
        let envelope: ListResponse<T> = response.decode()?;
        let links = Links::parse(
            response
                .headers
                .get_all(http::header::LINK)
                .iter()
                .filter_map(|value| value.to_str().ok()),
        );
        Ok(Page {
            data: envelope.data,
            page: envelope.page,
            limit: envelope.limit,
            total: envelope.total,
            has_more: envelope.has_more,
            links,
            request_id: response.request_id,
        })
    }

    /// Walks every page from `start`, ending only on the server's signal.
    pub(crate) fn pages<T>(self, start: Position) -> PageStream<T>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        stream::try_unfold(Some(start), move |position| {
            let query = self.clone();
            async move {
                let Some(position) = position else {
                    return Ok(None);
                };
                let page = query.fetch::<T>(&position).await?;
                let next = next_position(&position, &page)?;
                Ok(Some((page, next)))
            }
        })
        .boxed()
    }

    /// Walks every item from `start`.
    pub(crate) fn items<T>(self, start: Position) -> ItemStream<T>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        self.pages::<T>(start)
            .map_ok(|page| stream::iter(page.data.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
}

/// Decides the request after `page`, or `None` when the list has ended.
fn next_position<T: HasId>(current: &Position, page: &Page<T>) -> Result<Option<Position>> {
    if !page.has_more {
        return Ok(None);
    }
    match current {
        Position::Page(number) => {
            let next = number.checked_add(1).ok_or_else(|| {
                Error::Pagination(format!("page number overflow after page {number}"))
            })?;
            Ok(Some(Position::Page(next)))
        }
        Position::After(previous) => {
            // The server's `next` link is its own statement of the cursor;
            // the last item's id is the same cursor when the link is absent.
            let cursor = page
                .links
                .next
                .as_deref()
                .and_then(|next| query_value(next, "starting_after"))
                .or_else(|| page.data.last().map(|item| item.id().to_owned()));
            match cursor {
                None => Err(Error::Pagination(
                    "the server reported more items but sent neither items nor a next link"
                        .to_owned(),
                )),
                Some(cursor) if previous.as_deref() == Some(cursor.as_str()) => {
                    Err(Error::Pagination(format!(
                        "the server reported more items but the cursor did not advance past `{cursor}`"
                    )))
                }
                Some(cursor) => Ok(Some(Position::After(Some(cursor)))),
            }
        }
    }
}

/// Implements [`HasId`] for wire types whose cursor is their `id` field.
macro_rules! has_id_field {
    ($($type:ty),+ $(,)?) => {
        $(
            impl HasId for $type {
                fn id(&self) -> &str {
                    &self.id
                }
            }
        )+
    };
}

has_id_field!(
    crate::types::Plant,
    crate::types::Customer,
    crate::types::Order,
    crate::types::Payment,
    crate::types::Event,
    crate::types::WebhookEndpoint,
    crate::types::WebhookDelivery,
);

/// Returns an error stream for a list request that cannot start.
pub(crate) fn failed<T: Send + 'static>(error: Error) -> BoxStream<'static, Result<T>> {
    stream::once(async move { Err(error) }).boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item(&'static str);

    impl HasId for Item {
        fn id(&self) -> &str {
            self.0
        }
    }

    fn page(data: Vec<Item>, has_more: bool, next: Option<&str>) -> Page<Item> {
        Page {
            data,
            page: None,
            limit: 2,
            total: 10,
            has_more,
            links: Links {
                next: next.map(str::to_owned),
                ..Links::default()
            },
            request_id: None,
        }
    }

    #[test]
    fn short_page_with_more_does_not_end_walk() {
        let current = Position::After(None);
        let next = next_position(&current, &page(vec![Item("plt_1")], true, None)).expect("ok");
        assert_eq!(next, Some(Position::After(Some("plt_1".into()))));
    }

    #[test]
    fn empty_page_with_next_link_continues() {
        let current = Position::After(Some("plt_1".into()));
        let link = "http://h/v1/plants?limit=2&starting_after=plt_5";
        let next = next_position(&current, &page(vec![], true, Some(link))).expect("ok");
        assert_eq!(next, Some(Position::After(Some("plt_5".into()))));
    }

    #[test]
    fn empty_page_without_cursor_is_an_error() {
        let current = Position::After(Some("plt_1".into()));
        let error = next_position(&current, &page(vec![], true, None)).expect_err("stuck");
        assert!(matches!(error, Error::Pagination(_)), "{error:?}");
    }

    #[test]
    fn cursor_that_does_not_advance_is_an_error() {
        let current = Position::After(Some("plt_2".into()));
        let error =
            next_position(&current, &page(vec![Item("plt_2")], true, None)).expect_err("loop");
        assert!(error.to_string().contains("did not advance"), "{error}");
    }

    #[test]
    fn has_more_false_ends_even_with_full_page() {
        let current = Position::Page(1);
        let next = next_position(&current, &page(vec![Item("a"), Item("b")], false, None));
        assert_eq!(next.expect("ok"), None);
    }

    #[test]
    fn empty_numbered_page_with_more_continues() {
        let next = next_position(&Position::Page(3), &page(vec![], true, None)).expect("ok");
        assert_eq!(next, Some(Position::Page(4)));
    }

    #[test]
    fn page_count_rounds_up() {
        let mut p = page(vec![], false, None);
        p.total = 5;
        assert_eq!(p.page_count(), 3);
        p.total = 0;
        assert_eq!(p.page_count(), 1);
    }
}
