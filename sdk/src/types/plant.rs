use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Category, PlantStatus};

/// A plant in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Plant {
    /// Identifier, prefixed `plt_`.
    pub id: String,
    /// Common name, for example `Monstera Deliciosa`.
    pub name: String,
    /// Botanical name, for example `Monstera deliciosa`.
    pub species: String,
    /// Catalogue category.
    pub category: Category,
    /// Free-form description, empty when not set.
    #[serde(default)]
    pub description: String,
    /// Tags for filtering, for example `pet-safe`.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Price in minor units of `currency` (cents for `usd`).
    pub price: i64,
    /// Lowercase ISO 4217 currency code.
    pub currency: String,
    /// Units on hand.
    pub stock: i64,
    /// Stock level at or below which the plant counts as low on stock.
    pub low_stock_threshold: i64,
    /// Stock status, derived from `stock` and `low_stock_threshold`.
    pub status: PlantStatus,
    /// When the plant was created.
    pub created_at: DateTime<Utc>,
    /// When the plant was last changed.
    pub updated_at: DateTime<Utc>,
}

/// The body of `POST /v1/plants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreatePlant {
    /// Common name, 1 to 100 characters.
    pub name: String,
    /// Botanical name, 1 to 100 characters.
    pub species: String,
    /// Catalogue category.
    pub category: Category,
    /// Price in minor units, 0 or more.
    pub price: i64,
    /// Description, at most 2000 characters. The server defaults it to empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags, at most 20 of 1 to 32 characters each. The server defaults to none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Lowercase ISO 4217 code. The server defaults it to `usd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Initial units on hand. The server defaults it to 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock: Option<i64>,
    /// Low-stock threshold. The server defaults it to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i64>,
}

impl CreatePlant {
    /// Creates a request with the required fields; the rest take server defaults.
    pub fn new(
        name: impl Into<String>,
        species: impl Into<String>,
        category: Category,
        price: i64,
    ) -> Self {
        Self {
            name: name.into(),
            species: species.into(),
            category,
            price,
            description: None,
            tags: None,
            currency: None,
            stock: None,
            low_stock_threshold: None,
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the tags.
    #[must_use]
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the currency.
    #[must_use]
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// Sets the initial stock.
    #[must_use]
    pub fn stock(mut self, stock: i64) -> Self {
        self.stock = Some(stock);
        self
    }

    /// Sets the low-stock threshold.
    #[must_use]
    pub fn low_stock_threshold(mut self, threshold: i64) -> Self {
        self.low_stock_threshold = Some(threshold);
        self
    }
}

/// The body of `PATCH /v1/plants/{id}`: only the fields that are set change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpdatePlant {
    /// New common name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New botanical name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub species: Option<String>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// New description; an empty string clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// New tags, replacing the old ones; an empty list clears them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// New price in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    /// New currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// New low-stock threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_stock_threshold: Option<i64>,
}

impl UpdatePlant {
    /// Creates an empty update, which changes nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the name.
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the species.
    #[must_use]
    pub fn species(mut self, species: impl Into<String>) -> Self {
        self.species = Some(species.into());
        self
    }

    /// Sets the category.
    #[must_use]
    pub fn category(mut self, category: Category) -> Self {
        self.category = Some(category);
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Replaces the tags.
    #[must_use]
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the price in minor units.
    #[must_use]
    pub fn price(mut self, price: i64) -> Self {
        self.price = Some(price);
        self
    }

    /// Sets the currency.
    #[must_use]
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = Some(currency.into());
        self
    }

    /// Sets the low-stock threshold.
    #[must_use]
    pub fn low_stock_threshold(mut self, threshold: i64) -> Self {
        self.low_stock_threshold = Some(threshold);
        self
    }

    /// Returns true when no field is set.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The body of `POST /v1/plants/{id}/stock`: exactly one of a relative change
/// or an absolute level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StockAdjustment {
    /// Add (positive) or remove (negative) units. Removing more than is on
    /// hand fails with `409 insufficient_stock`.
    Delta(i64),
    /// Set the units on hand, 0 or more.
    Set(i64),
}
