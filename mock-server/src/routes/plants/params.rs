//! Query parameters of `GET /v1/plants`.

use letta::types::{Category, PlantStatus};

use super::input::MAX_PRICE;
use crate::query::QueryParams;
use crate::store::{PlantFilter, PlantSort, SortKey};

/// Every parameter the plant list accepts, in the order links repeat them.
pub(super) const LIST_PARAMS: &[&str] = &[
    "status",
    "category",
    "tag",
    "q",
    "min_price",
    "max_price",
    "sort",
    "page",
    "limit",
    "starting_after",
];

/// Longest `q` accepted, in characters.
const MAX_Q_CHARS: usize = 100;

/// Longest `tag` accepted, in characters; longer tags cannot exist.
const MAX_TAG_CHARS: usize = 32;

const SORT_VALUES: &str = "created_at, name, price, stock, each optionally prefixed with `-`";

/// Reads the filters, recording errors in `query`.
pub(super) fn filter(query: &mut QueryParams) -> PlantFilter {
    let status = query.parse_with("status", |raw| {
        raw.parse::<PlantStatus>()
            .map_err(|_| one_of(PlantStatus::known_values()))
    });
    let category = query.parse_with("category", |raw| {
        raw.parse::<Category>()
            .map_err(|_| one_of(Category::known_values()))
    });
    let tag = query.parse_with("tag", |raw| bounded_text(raw, MAX_TAG_CHARS));
    let q = query.parse_with("q", |raw| bounded_text(raw, MAX_Q_CHARS));
    let min_price = query.integer("min_price", 0..=MAX_PRICE);
    let max_price = query.integer("max_price", 0..=MAX_PRICE);

    if let (Some(min), Some(max)) = (min_price, max_price)
        && min > max
    {
        query.reject(
            "min_price",
            format!("must not be greater than `max_price` ({max})"),
        );
    }

    PlantFilter {
        status,
        category,
        tag,
        q,
        min_price,
        max_price,
    }
}

/// Reads `sort`, defaulting to `created_at` ascending.
pub(super) fn sort(query: &mut QueryParams) -> PlantSort {
    query
        .parse_with("sort", |raw| {
            let (descending, field) = match raw.strip_prefix('-') {
                Some(field) => (true, field),
                None => (false, raw),
            };
            let key = match field {
                "created_at" => SortKey::CreatedAt,
                "name" => SortKey::Name,
                "price" => SortKey::Price,
                "stock" => SortKey::Stock,
                _ => return Err(format!("must be one of {SORT_VALUES}")),
            };
            Ok(PlantSort { key, descending })
        })
        .unwrap_or_default()
}

fn bounded_text(raw: &str, max_chars: usize) -> Result<String, String> {
    if raw.chars().count() > max_chars {
        return Err(format!("must have at most {max_chars} characters"));
    }
    Ok(raw.to_owned())
}

fn one_of(values: impl Iterator<Item = &'static str>) -> String {
    format!("must be one of {}", values.collect::<Vec<_>>().join(", "))
}
