//! The parts every list request shares: position, page size, filters, and
//! the three ways to run it (`send`, `pages`, `stream`).

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{HasId, ItemStream, ListQuery, Page, PageStream, Position, failed};

/// The endpoint and parameters of one list request.
#[derive(Debug, Clone)]
pub(crate) struct ListParams {
    client: Client,
    segments: Vec<String>,
    pub(crate) page: Option<u32>,
    pub(crate) limit: Option<u32>,
    pub(crate) starting_after: Option<String>,
    pub(crate) prefetch: bool,
    filters: Vec<(&'static str, String)>,
    /// The name of a path id that is empty, which fails the request before
    /// it is sent.
    empty_id: Option<&'static str>,
}

impl ListParams {
    pub(crate) fn new(client: &Client, segments: &[&str]) -> Self {
        Self {
            client: client.clone(),
            segments: segments
                .iter()
                .map(|segment| (*segment).to_owned())
                .collect(),
            page: None,
            limit: None,
            starting_after: None,
            prefetch: true,
            filters: Vec::new(),
            empty_id: None,
        }
    }

    /// Records that the path carries the id `id`, named `what` in errors,
    /// so that an empty one fails the request before it is sent.
    pub(crate) fn path_id(mut self, what: &'static str, id: &str) -> Self {
        if Client::check_id(what, id).is_err() {
            self.empty_id = Some(what);
        }
        self
    }

    /// Sets a query filter, replacing an earlier value of the same name.
    pub(crate) fn filter(&mut self, name: &'static str, value: String) {
        self.filters.retain(|(existing, _)| *existing != name);
        self.filters.push((name, value));
    }

    fn split(self) -> (ListQuery, Option<u32>, Option<String>) {
        let query = ListQuery {
            client: self.client,
            segments: self.segments,
            filters: self.filters,
            limit: self.limit,
            prefetch: self.prefetch,
        };
        (query, self.page, self.starting_after)
    }

    fn check(&self) -> Result<()> {
        match self.empty_id {
            Some(what) => Err(Error::invalid(what, "is empty")),
            None => Ok(()),
        }
    }

    pub(crate) async fn send<T: DeserializeOwned>(self) -> Result<Page<T>> {
        self.check()?;
        let (mut query, page, starting_after) = self.split();
        let position = match (page, starting_after) {
            (Some(page), Some(cursor)) => {
                // Both are sent so that the server reports the conflict.
                query.filters.push(("starting_after", cursor));
                Position::Page(page)
            }
            (Some(page), None) => Position::Page(page),
            (None, cursor) => Position::After(cursor),
        };
        query.fetch(&position).await
    }

    fn start(self) -> Result<(ListQuery, Position)> {
        self.check()?;
        let (query, page, starting_after) = self.split();
        match (page, starting_after) {
            (Some(_), Some(_)) => Err(Error::invalid(
                "list request",
                "`page` and `starting_after` cannot be combined; set one",
            )),
            (Some(page), None) => Ok((query, Position::Page(page))),
            (None, cursor) => Ok((query, Position::After(cursor))),
        }
    }

    pub(crate) fn pages<T>(self) -> PageStream<T>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        match self.start() {
            Ok((query, position)) => query.pages(position),
            Err(error) => failed(error),
        }
    }

    pub(crate) fn items<T>(self) -> ItemStream<T>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        match self.start() {
            Ok((query, position)) => query.items(position),
            Err(error) => failed(error),
        }
    }
}

/// Declares a public list request type over [`ListParams`], with the
/// position, page size and run methods every list shares. Filters are added
/// in a separate `impl` block by each resource.
macro_rules! list_request {
    (
        $(#[$meta:meta])*
        $name:ident => $item:ty, $noun:literal
    ) => {
        $(#[$meta])*
        ///
        /// Every setter is optional. Values are checked by the server, which
        /// rejects an out-of-range `limit` or an unknown filter value with a 400.
        #[derive(Debug, Clone)]
        #[must_use = "a list request does nothing until `send`, `pages` or `stream` is called"]
        pub struct $name {
            params: $crate::resources::list::ListParams,
        }

        impl $name {
            /// Asks for this 1-based page number. Switches a walk to page-number
            /// mode; see the [`pagination`](crate::pagination) module for what that
            /// guarantees.
            pub fn page(mut self, page: u32) -> Self {
                self.params.page = Some(page);
                self
            }

            /// Sets the page size, 1 to 100. Default (on the server): 20.
            pub fn limit(mut self, limit: u32) -> Self {
                self.params.limit = Some(limit);
                self
            }

            #[doc = concat!("Starts after the ", $noun, " with this id (keyset pagination).")]
            pub fn starting_after(mut self, id: impl Into<String>) -> Self {
                self.params.starting_after = Some(id.into());
                self
            }

            /// Sets whether [`pages`](Self::pages) and [`stream`](Self::stream)
            /// fetch the next page while the caller works through the current
            /// one. Default: on. Off sends each request only when the caller
            /// asks for the next page, so a walk that stops early sends no
            /// request it does not use; see the
            /// [`pagination`](crate::pagination) module.
            pub fn prefetch(mut self, enabled: bool) -> Self {
                self.params.prefetch = enabled;
                self
            }

            /// Fetches one page: the one set by [`page`](Self::page) or
            /// [`starting_after`](Self::starting_after), or the first.
            ///
            /// # Errors
            ///
            /// [`Error::Api`](crate::Error::Api) with status 400 and code
            /// `invalid_parameter` for an invalid parameter, naming it in the
            /// field errors.
            pub async fn send(self) -> $crate::Result<$crate::Page<$item>> {
                self.params.send().await
            }

            /// Walks every page from the starting point to the end of the list.
            ///
            /// The walk is keyset-based unless [`page`](Self::page) was set,
            /// so it never yields an item twice and never skips one that
            /// existed for the whole walk; see the
            /// [`pagination`](crate::pagination) module. It ends only when the
            /// server reports no more items. The next page is fetched while
            /// the caller reads this one, unless [`prefetch`](Self::prefetch)
            /// is off.
            ///
            /// # Errors
            ///
            /// The stream yields [`Error::Api`](crate::Error::Api) for a refused
            /// page request and [`Error::Pagination`](crate::Error::Pagination)
            /// when the server reports more items but gives no cursor to reach
            /// them; either ends the walk.
            pub fn pages(self) -> $crate::PageStream<$item> {
                self.params.pages()
            }

            #[doc = concat!("Walks every ", $noun, " from the starting point to the end of the list,")]
            /// fetching pages as needed. See [`pages`](Self::pages) for the
            /// guarantees and errors.
            pub fn stream(self) -> $crate::ItemStream<$item> {
                self.params.items()
            }
        }
    };
}

pub(crate) use list_request;
