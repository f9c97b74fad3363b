//! `/v1/plants`: the inventory.

use http::Method;

use crate::call::{self, Call};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::{ItemStream, ListQuery, Page, PageStream, Position, failed};
use crate::request::ApiRequest;
use crate::sse::WatchRequest;
use crate::types::enums::string_enum;
use crate::types::{Category, CreatePlant, Plant, PlantStatus, StockAdjustment, UpdatePlant};

const PLANTS: &[&str] = &["v1", "plants"];

string_enum! {
    /// Order of a plant list. Ties are broken by id in the same direction.
    PlantSort {
        /// Oldest first (the server's default).
        CreatedAt => "created_at",
        /// Newest first.
        CreatedAtDesc => "-created_at",
        /// By name, A to Z.
        Name => "name",
        /// By name, Z to A.
        NameDesc => "-name",
        /// Cheapest first.
        Price => "price",
        /// Most expensive first.
        PriceDesc => "-price",
        /// Least stock first.
        Stock => "stock",
        /// Most stock first.
        StockDesc => "-stock",
    }
}

/// The plants resource, from [`Client::plants`].
#[derive(Debug, Clone)]
pub struct Plants {
    client: Client,
}

impl Plants {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// Starts a live stream of `plant.*` events from `/v1/plants/stream`,
    /// which reconnects by itself; call [`open`](WatchRequest::open) on it.
    ///
    /// Named `watch` so it does not clash with the list's `stream`.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut events = client.plants().watch().open();
    /// while let Some(event) = events.try_next().await? {
    ///     println!("{} {}", event.id, event.event_type);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn watch(&self) -> WatchRequest {
        WatchRequest::new(&self.client, &["v1", "plants", "stream"])
    }

    /// Like [`watch`](Self::watch), but keeps the events of one plant.
    pub fn watch_plant(&self, plant_id: &str) -> WatchRequest {
        self.watch().filter("plant_id", plant_id.to_owned())
    }

    /// Starts a list request; set filters on it, then call
    /// [`send`](ListPlants::send), [`pages`](ListPlants::pages) or
    /// [`stream`](ListPlants::stream).
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use letta::types::PlantStatus;
    ///
    /// let low: Vec<_> = client
    ///     .plants()
    ///     .list()
    ///     .status(PlantStatus::LowStock)
    ///     .stream()
    ///     .try_collect()
    ///     .await?;
    /// println!("{} plants are low on stock", low.len());
    /// # Ok(())
    /// # }
    /// ```
    pub fn list(&self) -> ListPlants {
        ListPlants {
            client: self.client.clone(),
            page: None,
            limit: None,
            starting_after: None,
            prefetch: true,
            filters: Vec::new(),
        }
    }

    /// Fetches one plant.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 404 and code `not_found` when no plant has
    /// this id; [`Error::InvalidInput`] when `id` is empty.
    pub fn get(&self, id: &str) -> Call<Plant> {
        let request = Client::check_id("plant id", id)
            .map(|()| ApiRequest::new(Method::GET, &["v1", "plants", id]));
        Call::new(&self.client, request, call::json)
    }

    /// Creates a plant.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::{Category, CreatePlant};
    ///
    /// let fern = client
    ///     .plants()
    ///     .create(&CreatePlant::new("Boston Fern", "Nephrolepis exaltata", Category::Fern, 1899).stock(12))
    ///     .await?;
    /// assert_eq!(fern.stock, 12);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 422 and one field error per invalid field.
    pub fn create(&self, plant: &CreatePlant) -> Call<Plant> {
        let request = ApiRequest::new(Method::POST, PLANTS).json_body(plant);
        Call::new(&self.client, request, call::json)
    }

    /// Changes the fields set in `update` and leaves the rest.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 404 for an unknown id, or 422 for an
    /// invalid field.
    pub fn update(&self, id: &str, update: &UpdatePlant) -> Call<Plant> {
        let request = Client::check_id("plant id", id)
            .and_then(|()| ApiRequest::new(Method::PATCH, &["v1", "plants", id]).json_body(update));
        Call::new(&self.client, request, call::json)
    }

    /// Deletes a plant.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 404 when no plant has this id.
    pub fn delete(&self, id: &str) -> Call<()> {
        let request = Client::check_id("plant id", id)
            .map(|()| ApiRequest::new(Method::DELETE, &["v1", "plants", id]));
        Call::new(&self.client, request, call::empty)
    }

    /// Adds or removes units, or sets the units on hand.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use letta::types::StockAdjustment;
    ///
    /// let plant = client.plants().adjust_stock("plt_0000000100000000", StockAdjustment::Delta(-3)).await?;
    /// println!("{} left", plant.stock);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 409 and code `insufficient_stock` when a
    /// negative delta exceeds the stock on hand, which stays unchanged.
    pub fn adjust_stock(&self, id: &str, adjustment: StockAdjustment) -> Call<Plant> {
        let request = Client::check_id("plant id", id).and_then(|()| {
            ApiRequest::new(Method::POST, &["v1", "plants", id, "stock"]).json_body(&adjustment)
        });
        Call::new(&self.client, request, call::json)
    }
}

/// A list request for plants, from [`Plants::list`].
///
/// Every setter is optional. Values are checked by the server, which rejects
/// an out-of-range `limit` or an unknown filter value with a 400.
#[derive(Debug, Clone)]
#[must_use = "a list request does nothing until `send`, `pages` or `stream` is called"]
pub struct ListPlants {
    client: Client,
    page: Option<u32>,
    limit: Option<u32>,
    starting_after: Option<String>,
    prefetch: bool,
    filters: Vec<(&'static str, String)>,
}

impl ListPlants {
    /// Asks for this 1-based page number. Switches a walk to page-number
    /// mode; see the [`pagination`](crate::pagination) module for what that
    /// guarantees.
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets the page size, 1 to 100. Default (on the server): 20.
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Starts after the plant with this id (keyset pagination).
    pub fn starting_after(mut self, id: impl Into<String>) -> Self {
        self.starting_after = Some(id.into());
        self
    }

    /// Sets whether [`pages`](Self::pages) and [`stream`](Self::stream)
    /// fetch the next page while the caller works through the current one.
    /// Default: on. Off sends each request only when the caller asks for the
    /// next page, so a walk that stops early sends no request it does not
    /// use; see the [`pagination`](crate::pagination) module.
    ///
    /// ```no_run
    /// # async fn run(client: letta::Client) -> letta::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut plants = client.plants().list().limit(100).prefetch(false).stream();
    /// while let Some(plant) = plants.try_next().await? {
    ///     println!("{}", plant.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn prefetch(mut self, enabled: bool) -> Self {
        self.prefetch = enabled;
        self
    }

    /// Keeps plants with this stock status.
    pub fn status(self, status: PlantStatus) -> Self {
        self.filter("status", status.to_string())
    }

    /// Keeps plants in this category.
    pub fn category(self, category: Category) -> Self {
        self.filter("category", category.to_string())
    }

    /// Keeps plants carrying this tag.
    pub fn tag(self, tag: impl Into<String>) -> Self {
        self.filter("tag", tag.into())
    }

    /// Keeps plants whose name or species contains this text, ignoring case.
    pub fn query(self, text: impl Into<String>) -> Self {
        self.filter("q", text.into())
    }

    /// Keeps plants priced at least this much, in minor units.
    pub fn min_price(self, price: i64) -> Self {
        self.filter("min_price", price.to_string())
    }

    /// Keeps plants priced at most this much, in minor units.
    pub fn max_price(self, price: i64) -> Self {
        self.filter("max_price", price.to_string())
    }

    /// Sets the order. Default (on the server): oldest first.
    pub fn sort(self, sort: PlantSort) -> Self {
        self.filter("sort", sort.to_string())
    }

    fn filter(mut self, name: &'static str, value: String) -> Self {
        self.filters.retain(|(existing, _)| *existing != name);
        self.filters.push((name, value));
        self
    }

    fn split(self) -> (ListQuery, Option<u32>, Option<String>) {
        let query = ListQuery {
            client: self.client,
            segments: PLANTS.iter().map(|segment| (*segment).to_owned()).collect(),
            filters: self.filters,
            limit: self.limit,
            prefetch: self.prefetch,
        };
        (query, self.page, self.starting_after)
    }

    /// Fetches one page: the one set by [`page`](Self::page) or
    /// [`starting_after`](Self::starting_after), or the first.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] with status 400 and code `invalid_parameter` for an
    /// invalid parameter, naming it in the field errors.
    pub async fn send(self) -> Result<Page<Plant>> {
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

    /// Walks every page from the starting point to the end of the list.
    ///
    /// The walk is keyset-based unless [`page`](Self::page) was set; it ends
    /// only when the server reports no more items. The next page is fetched
    /// while the caller reads this one, unless [`prefetch`](Self::prefetch)
    /// is off.
    pub fn pages(self) -> PageStream<Plant> {
        let (query, page, starting_after) = self.split();
        match (page, starting_after) {
            (Some(_), Some(_)) => failed(Error::invalid(
                "list request",
                "`page` and `starting_after` cannot be combined; set one",
            )),
            (Some(page), None) => query.pages(Position::Page(page)),
            (None, cursor) => query.pages(Position::After(cursor)),
        }
    }

    /// Walks every plant from the starting point to the end of the list,
    /// fetching pages as needed. See [`pages`](Self::pages).
    pub fn stream(self) -> ItemStream<Plant> {
        let (query, page, starting_after) = self.split();
        match (page, starting_after) {
            (Some(_), Some(_)) => failed(Error::invalid(
                "list request",
                "`page` and `starting_after` cannot be combined; set one",
            )),
            (Some(page), None) => query.items(Position::Page(page)),
            (None, cursor) => query.items(Position::After(cursor)),
        }
    }
}
