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
//!
//! # Prefetch
//!
//! By default a walk fetches pages ahead of the caller. When the stream is
//! first polled, a tokio task starts to request pages back to back and hands
//! them over in order, so the next page is usually there by the time the
//! caller has worked through the current one. The task runs at most two
//! pages ahead (one waiting to be read, one fetched while the caller was
//! still on the page before), so memory stays flat however long the list
//! is. Items and errors still arrive in list order: a failed request for
//! page N + 1 is yielded after the last item of page N, and the walk sends
//! no request after it. Dropping the stream aborts the request in flight. A
//! walk that stops early may therefore have sent up to two page requests
//! more than it used, which count against a rate limit. A page fetched
//! ahead is a snapshot taken while the caller was still on an earlier page,
//! so an item deleted after that moment can still be yielded. The
//! guarantees above (no item twice, none that existed for the whole walk
//! skipped) hold either way. Turn prefetch off with `prefetch(false)` on the
//! list request, for example
//! [`ListPlants::prefetch`](crate::resources::ListPlants::prefetch),
//! to send each request only when the caller asks for the next page.

use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};
use http::Method;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;
use tracing::Instrument;

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
    /// Whether a walk fetches the next page while the caller reads the
    /// current one.
    pub(crate) prefetch: bool,
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

    /// Fetches the page at `position` and decides the position after it.
    async fn fetch_step<T: DeserializeOwned + HasId>(&self, position: Position) -> Result<Step<T>> {
        let page = self.fetch::<T>(&position).await?;
        let next = next_position(&position, &page)?;
        Ok((page, next))
    }

    /// Walks every page from `start`, ending only on the server's signal.
    pub(crate) fn pages<T>(self, start: Position) -> PageStream<T>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        if self.prefetch {
            return self.prefetched_pages(start);
        }
        stream::try_unfold(Some(start), move |position| {
            let query = self.clone();
            async move {
                let Some(position) = position else {
                    return Ok(None);
                };
                let (page, next) = query.fetch_step::<T>(position).await?;
                Ok(Some((page, next)))
            }
        })
        .boxed()
    }

    /// Walks every page from `start` like [`pages`](Self::pages), with a
    /// task that requests pages back to back while the caller reads them.
    ///
    /// The task hands each page over through a channel with room for one,
    /// so it runs at most two pages ahead: one waiting in the channel and
    /// one fetched while the caller was still on the page before.
    fn prefetched_pages<T>(self, start: Position) -> PageStream<T>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        stream::unfold(Ahead::Start(self, start), |state| async move {
            let mut fetcher = match state {
                // The task starts when the stream is first polled.
                Ahead::Start(query, position) => Fetcher::spawn(query, position),
                Ahead::Running(fetcher) => fetcher,
                Ahead::Done => return None,
            };
            match fetcher.receiver.recv().await {
                Some(Ok(page)) => {
                    // The task woke on a worker thread's LIFO slot, which no
                    // other worker may take. One yield lets it send its next
                    // request now rather than after the caller has worked
                    // through this page.
                    tokio::task::yield_now().await;
                    Some((Ok(page), Ahead::Running(fetcher)))
                }
                Some(Err(error)) => Some((Err(error), Ahead::Done)),
                // The task ended after the last page, or panicked.
                None => match fetcher.finish().await {
                    Ok(()) => None,
                    Err(error) => Some((Err(error), Ahead::Done)),
                },
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

/// A fetched page and the position after it, `None` at the end of the list.
type Step<T> = (Page<T>, Option<Position>);

/// The state of a prefetching walk between two pages.
enum Ahead<T> {
    /// Nothing fetched yet.
    Start(ListQuery, Position),
    /// The task is fetching pages.
    Running(Fetcher<T>),
    /// The list has ended or failed.
    Done,
}

/// The task that fetches pages ahead of the caller, aborted when dropped so
/// that a dropped stream leaves no request behind.
struct Fetcher<T> {
    receiver: tokio::sync::mpsc::Receiver<Result<Page<T>>>,
    task: JoinHandle<()>,
}

impl<T: DeserializeOwned + HasId + Send + 'static> Fetcher<T> {
    /// Starts fetching pages from `start`. The task carries the caller's
    /// current span, so its logs stay with the walk's.
    fn spawn(query: ListQuery, start: Position) -> Self {
        let (sender, receiver) = tokio::sync::mpsc::channel(1);
        let task = tokio::spawn(
            async move {
                let mut position = start;
                loop {
                    let (page, next) = match query.fetch_step::<T>(position).await {
                        Ok(step) => step,
                        Err(error) => {
                            // The walk ends at its first error either way.
                            let _ = sender.send(Err(error)).await;
                            return;
                        }
                    };
                    // A closed channel means the stream was dropped.
                    if sender.send(Ok(page)).await.is_err() {
                        return;
                    }
                    match next {
                        Some(next) => position = next,
                        None => return,
                    }
                }
            }
            .in_current_span(),
        );
        Self { receiver, task }
    }
}

impl<T> Fetcher<T> {
    /// Waits for the task after its channel closed. A panic in the task
    /// resumes in the caller.
    async fn finish(&mut self) -> Result<()> {
        match (&mut self.task).await {
            Ok(()) => Ok(()),
            Err(error) => match error.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // Only a runtime that is shutting down cancels the task.
                Err(_) => Err(Error::Pagination(
                    "the page request was cancelled because the runtime is shutting down"
                        .to_owned(),
                )),
            },
        }
    }
}

impl<T> Drop for Fetcher<T> {
    fn drop(&mut self) {
        // A no-op once the task has finished.
        self.task.abort();
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
