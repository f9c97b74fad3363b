//! Plants: the stored record and the operations on it.

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use letta::types::{Category, PlantStatus};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use super::State;
use super::events::EventType;
use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest, slice_page};
use crate::problem::ApiError;

/// Largest stock level a plant can have.
pub(crate) const MAX_STOCK: i64 = 1_000_000;

/// A stored plant, serialized exactly as the API's `Plant` object.
///
/// NOTE: the SDK's `letta::types::Plant` is `#[non_exhaustive]` and has no
/// constructor, so this crate cannot build one. This record mirrors its
/// fields instead, and the integration tests decode every plant response as
/// the SDK type and compare it with the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlantRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) species: String,
    pub(crate) category: Category,
    pub(crate) description: String,
    pub(crate) tags: Vec<String>,
    pub(crate) price: i64,
    pub(crate) currency: String,
    pub(crate) stock: i64,
    pub(crate) low_stock_threshold: i64,
    pub(crate) status: PlantStatus,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    /// This record's JSON, kept for responses and left out of the state file.
    #[serde(skip)]
    pub(crate) json: JsonCache,
}

impl PlantRecord {
    /// Recomputes `status` from `stock` and `low_stock_threshold`.
    pub(crate) fn refresh_status(&mut self) {
        self.status = status_for(self.stock, self.low_stock_threshold);
    }

    /// Returns this record's JSON, serialized on first use and then kept,
    /// or `None` when it cannot be serialized.
    fn cached_json(&self) -> Option<&RawValue> {
        if let Some(json) = self.json.0.get() {
            return Some(json);
        }
        let text = serde_json::to_string(self).ok()?;
        let json = RawValue::from_string(text).ok()?;
        Some(self.json.0.get_or_init(|| json))
    }
}

/// The JSON of a stored plant, serialized for its first response and reused
/// by later ones, as a mock that serves canned bytes would.
///
/// A clone starts empty. Every change to a stored plant is made on a clone
/// that then replaces the stored record (see `update_plant` and
/// `set_stock`), so a cached body never outlives the values it was written
/// from. Code that changes a stored record in place must reset this field.
///
/// NOTE: every plant that has been served keeps its JSON in memory until it
/// changes, about 420 bytes for a seeded plant.
#[derive(Default)]
pub(crate) struct JsonCache(OnceLock<Box<RawValue>>);

impl Clone for JsonCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// Caches never make two records differ.
impl PartialEq for JsonCache {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl Eq for JsonCache {}

impl fmt::Debug for JsonCache {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.0.get().is_some() {
            "filled"
        } else {
            "empty"
        };
        write!(formatter, "JsonCache({state})")
    }
}

/// A stored plant in a response body, written from its cached JSON. The
/// bytes are those of serializing the record itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlantJson<'a>(pub(crate) &'a PlantRecord);

impl Serialize for PlantJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.cached_json() {
            Some(json) => json.serialize(serializer),
            None => self.0.serialize(serializer),
        }
    }
}

impl HasId for PlantJson<'_> {
    fn id(&self) -> &str {
        &self.0.id
    }
}

impl HasId for PlantRecord {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Derives the status: out of stock at 0, low at or below the threshold.
pub(crate) fn status_for(stock: i64, low_stock_threshold: i64) -> PlantStatus {
    if stock <= 0 {
        PlantStatus::OutOfStock
    } else if stock <= low_stock_threshold {
        PlantStatus::LowStock
    } else {
        PlantStatus::InStock
    }
}

/// A checked `POST /v1/plants` body with defaults applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewPlant {
    pub(crate) name: String,
    pub(crate) species: String,
    pub(crate) category: Category,
    pub(crate) description: String,
    pub(crate) tags: Vec<String>,
    pub(crate) price: i64,
    pub(crate) currency: String,
    pub(crate) stock: i64,
    pub(crate) low_stock_threshold: i64,
}

/// A checked `PATCH /v1/plants/{id}` body: `None` leaves a field unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlantChanges {
    pub(crate) name: Option<String>,
    pub(crate) species: Option<String>,
    pub(crate) category: Option<Category>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Option<Vec<String>>,
    pub(crate) price: Option<i64>,
    pub(crate) currency: Option<String>,
    pub(crate) low_stock_threshold: Option<i64>,
}

/// A checked `POST /v1/plants/{id}/stock` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StockChange {
    Delta(i64),
    Set(i64),
}

/// The filters of `GET /v1/plants`; `None` matches every plant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PlantFilter {
    pub(crate) status: Option<PlantStatus>,
    pub(crate) category: Option<Category>,
    pub(crate) tag: Option<String>,
    /// Matched case-insensitively against name and species.
    pub(crate) q: Option<String>,
    pub(crate) min_price: Option<i64>,
    pub(crate) max_price: Option<i64>,
}

impl PlantFilter {
    /// Returns whether `plant` passes the filter. `lowercase_q` is `q`
    /// lowercased once per list by the caller, not once per plant.
    fn matches(&self, plant: &PlantRecord, lowercase_q: Option<&str>) -> bool {
        self.status
            .as_ref()
            .is_none_or(|status| &plant.status == status)
            && self
                .category
                .as_ref()
                .is_none_or(|category| &plant.category == category)
            && self.tag.as_ref().is_none_or(|tag| plant.tags.contains(tag))
            && lowercase_q.is_none_or(|q| {
                plant.name.to_lowercase().contains(q) || plant.species.to_lowercase().contains(q)
            })
            && self.min_price.is_none_or(|min| plant.price >= min)
            && self.max_price.is_none_or(|max| plant.price <= max)
    }
}

/// The field a plant list is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum SortKey {
    #[default]
    CreatedAt,
    Name,
    Price,
    Stock,
}

/// A plant list order: a key and a direction, with ties broken by id in the
/// same direction so the order is total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PlantSort {
    pub(crate) key: SortKey,
    pub(crate) descending: bool,
}

impl PlantSort {
    fn compare(self, a: &PlantRecord, b: &PlantRecord) -> Ordering {
        let primary = match self.key {
            SortKey::CreatedAt => a.created_at.cmp(&b.created_at),
            SortKey::Name => a.name.cmp(&b.name),
            SortKey::Price => a.price.cmp(&b.price),
            SortKey::Stock => a.stock.cmp(&b.stock),
        };
        let order = primary.then_with(|| a.id.cmp(&b.id));
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

impl State {
    /// Returns the plant with `id`.
    pub(crate) fn plant(&self, id: &str) -> Result<PlantRecord, ApiError> {
        self.stored_plant(id).cloned()
    }

    /// Borrows the plant with `id`.
    pub(crate) fn stored_plant(&self, id: &str) -> Result<&PlantRecord, ApiError> {
        self.plants
            .get(id)
            .ok_or_else(|| ApiError::not_found("plant", id))
    }

    /// Returns one page of the plants matching `filter`, in `sort` order.
    ///
    /// A keyset cursor is placed by its sort key, so it works even when the
    /// cursor plant no longer matches the filter. A deleted cursor works
    /// under `created_at` order (either direction) because ids sort in
    /// creation order; under other orders it is `400 invalid_parameter`.
    pub(crate) fn list_plants(
        &self,
        filter: &PlantFilter,
        sort: PlantSort,
        page: &PageRequest,
    ) -> Result<PageOf<&PlantRecord>, ApiError> {
        let lowercase_q = filter.q.as_ref().map(|q| q.to_lowercase());
        let mut matching: Vec<&PlantRecord> = Vec::with_capacity(self.plants.len());
        matching.extend(
            self.plants
                .values()
                .filter(|plant| filter.matches(plant, lowercase_q.as_deref())),
        );
        matching.sort_by(|a, b| sort.compare(a, b));

        slice_page(&matching, page, |cursor| {
            if !ids::is_well_formed(cursor, ids::PLANT) {
                return Err(cursor_error(format!("`{cursor}` is not a plant id")));
            }
            if let Some(cursor_plant) = self.plants.get(cursor) {
                return Ok(matching.partition_point(|plant| {
                    sort.compare(plant, cursor_plant) != Ordering::Greater
                }));
            }
            if sort.key != SortKey::CreatedAt {
                return Err(cursor_error(format!(
                    "no plant with id `{cursor}`; a deleted plant can be a cursor only when sorting by created_at"
                )));
            }
            Ok(matching.partition_point(|plant| {
                if sort.descending {
                    plant.id.as_str() > cursor
                } else {
                    plant.id.as_str() < cursor
                }
            }))
        })
    }

    /// Creates a plant and appends `plant.created`.
    pub(crate) fn create_plant(&mut self, new: NewPlant) -> PlantRecord {
        let now = self.now();
        let mut id = self.ids.next(ids::PLANT);
        // Only a hand-edited state file can make an issued id collide.
        while self.plants.contains_key(&id) {
            id = self.ids.next(ids::PLANT);
        }

        let plant = PlantRecord {
            status: status_for(new.stock, new.low_stock_threshold),
            id: id.clone(),
            name: new.name,
            species: new.species,
            category: new.category,
            description: new.description,
            tags: new.tags,
            price: new.price,
            currency: new.currency,
            stock: new.stock,
            low_stock_threshold: new.low_stock_threshold,
            created_at: now,
            updated_at: now,
            json: JsonCache::default(),
        };
        self.plants.insert(id, plant.clone());
        self.record(EventType::PlantCreated, &plant);
        plant
    }

    /// Applies `changes`. Only when a value changes do `updated_at` move and
    /// `plant.updated` get appended. A new `low_stock_threshold` appends no
    /// `plant.low_stock`, because that event marks stock changes.
    pub(crate) fn update_plant(
        &mut self,
        id: &str,
        changes: PlantChanges,
    ) -> Result<PlantRecord, ApiError> {
        let mut plant = self.plant(id)?;
        let before = plant.clone();

        let PlantChanges {
            name,
            species,
            category,
            description,
            tags,
            price,
            currency,
            low_stock_threshold,
        } = changes;
        plant.name = name.unwrap_or(plant.name);
        plant.species = species.unwrap_or(plant.species);
        plant.category = category.unwrap_or(plant.category);
        plant.description = description.unwrap_or(plant.description);
        plant.tags = tags.unwrap_or(plant.tags);
        plant.price = price.unwrap_or(plant.price);
        plant.currency = currency.unwrap_or(plant.currency);
        plant.low_stock_threshold = low_stock_threshold.unwrap_or(plant.low_stock_threshold);
        plant.refresh_status();

        if plant != before {
            plant.updated_at = self.now();
            self.plants.insert(plant.id.clone(), plant.clone());
            self.record(EventType::PlantUpdated, &plant);
        }
        Ok(plant)
    }

    /// Deletes a plant and appends `plant.deleted` with the plant as it was.
    pub(crate) fn delete_plant(&mut self, id: &str) -> Result<(), ApiError> {
        let plant = self
            .plants
            .remove(id)
            .ok_or_else(|| ApiError::not_found("plant", id))?;
        self.record(EventType::PlantDeleted, &plant);
        Ok(())
    }

    /// Changes the stock of a plant, appending the events of [`Self::set_stock`].
    ///
    /// # Errors
    ///
    /// `404` for an unknown id, `409 insufficient_stock` when a delta would
    /// take stock below zero, and `422` when it would take stock over
    /// [`MAX_STOCK`].
    pub(crate) fn change_stock(
        &mut self,
        id: &str,
        change: StockChange,
    ) -> Result<PlantRecord, ApiError> {
        let plant = self.plant(id)?;

        let stock = match change {
            StockChange::Set(level) => level,
            StockChange::Delta(delta) => {
                let stock = plant.stock.saturating_add(delta);
                if stock < 0 {
                    return Err(ApiError::insufficient_stock(format!(
                        "plant `{id}` has {} in stock; cannot remove {}",
                        plant.stock,
                        delta.unsigned_abs()
                    )));
                }
                if stock > MAX_STOCK {
                    return Err(ApiError::validation_failed(vec![
                        letta::types::FieldError::new(
                            "/delta",
                            format!(
                                "would take stock from {} to {stock}, over the maximum of {MAX_STOCK}",
                                plant.stock
                            ),
                        ),
                    ]));
                }
                stock
            }
        };

        self.set_stock(id, stock)
    }

    /// Sets the stock of an existing plant to `stock` (in 0..=MAX_STOCK).
    ///
    /// When the level changes it appends `plant.stock_changed`, then
    /// `plant.low_stock` when stock falls from above the threshold to at or
    /// below it, then `plant.out_of_stock` when it falls to zero. A change
    /// from 10 to 0 with a threshold of 5 appends all three.
    pub(crate) fn set_stock(&mut self, id: &str, stock: i64) -> Result<PlantRecord, ApiError> {
        let mut plant = self.plant(id)?;
        if stock == plant.stock {
            return Ok(plant);
        }

        let before = plant.stock;
        plant.stock = stock;
        plant.refresh_status();
        plant.updated_at = self.now();
        self.plants.insert(plant.id.clone(), plant.clone());

        self.record(EventType::PlantStockChanged, &plant);
        let threshold = plant.low_stock_threshold;
        if before > threshold && stock <= threshold {
            self.record(EventType::PlantLowStock, &plant);
        }
        if before > 0 && stock == 0 {
            self.record(EventType::PlantOutOfStock, &plant);
        }
        Ok(plant)
    }

    /// Checks the plants of a state read from a file and recomputes their
    /// derived fields.
    pub(super) fn check_loaded_plants(&mut self) -> Result<(), String> {
        for plant in self.plants.values_mut() {
            if let Category::Unknown(category) = &plant.category {
                return Err(format!(
                    "plant `{}` has unknown category `{category}`",
                    plant.id
                ));
            }
            if plant.stock < 0 {
                return Err(format!("plant `{}` has negative stock", plant.id));
            }
            plant.refresh_status();
            plant.json = JsonCache::default();
            self.clock = self.clock.max(plant.created_at).max(plant.updated_at);
        }
        Ok(())
    }
}

fn cursor_error(detail: String) -> ApiError {
    ApiError::invalid_parameters(vec![letta::types::FieldError::new(
        "starting_after",
        detail,
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_stock_and_threshold() {
        assert_eq!(status_for(0, 5), PlantStatus::OutOfStock);
        assert_eq!(status_for(1, 5), PlantStatus::LowStock);
        assert_eq!(status_for(5, 5), PlantStatus::LowStock);
        assert_eq!(status_for(6, 5), PlantStatus::InStock);
        assert_eq!(status_for(1, 0), PlantStatus::InStock);
    }
}
