//! Table rows, CSV records and field lists of API objects, for each output format.

use chrono::{DateTime, SecondsFormat, Utc};
use comfy_table::Color;
use letta::types::{Plant, PlantStatus};

use crate::money;
use crate::output::{Column, Record, Styled};

mod admin;
mod commerce;
mod webhooks;

const PLANT_COLUMNS: &[Column] = &[
    column("ID", false, false),
    column("NAME", false, true),
    column("SPECIES", false, true),
    column("CATEGORY", false, false),
    column("PRICE", true, false),
    column("STOCK", true, false),
    column("STATUS", false, false),
];

const fn column(title: &'static str, numeric: bool, wraps: bool) -> Column {
    Column {
        title,
        numeric,
        wraps,
    }
}

const PLANT_CSV_HEADER: &[&str] = &[
    "id",
    "name",
    "species",
    "category",
    "description",
    "tags",
    "price",
    "currency",
    "stock",
    "low_stock_threshold",
    "status",
    "created_at",
    "updated_at",
];

/// Joins tags with `;` for one CSV field. A tag may itself contain `;`, so
/// `\` and `;` inside a tag are escaped with `\` and the field splits back
/// into the same tags.
fn join_tags(tags: &[String]) -> String {
    let mut joined = String::new();
    for (index, tag) in tags.iter().enumerate() {
        if index > 0 {
            joined.push(';');
        }
        for character in tag.chars() {
            if matches!(character, '\\' | ';') {
                joined.push('\\');
            }
            joined.push(character);
        }
    }
    joined
}

impl Record for Plant {
    fn columns() -> &'static [Column] {
        PLANT_COLUMNS
    }

    fn row(&self) -> Vec<Styled> {
        vec![
            Styled::plain(&self.id),
            Styled::plain(&self.name),
            Styled::plain(&self.species),
            Styled::plain(self.category.as_str()),
            Styled::plain(money::format(self.price, &self.currency)),
            Styled::plain(self.stock.to_string()),
            status_cell(&self.status),
        ]
    }

    fn csv_header() -> &'static [&'static str] {
        PLANT_CSV_HEADER
    }

    fn csv_record(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.species.clone(),
            self.category.to_string(),
            self.description.clone(),
            join_tags(&self.tags),
            self.price.to_string(),
            self.currency.clone(),
            self.stock.to_string(),
            self.low_stock_threshold.to_string(),
            self.status.to_string(),
            timestamp(&self.created_at),
            timestamp(&self.updated_at),
        ]
    }

    fn details(&self) -> Vec<(&'static str, Styled)> {
        vec![
            ("ID", Styled::plain(&self.id)),
            ("Name", Styled::plain(&self.name)),
            ("Species", Styled::plain(&self.species)),
            ("Category", Styled::plain(self.category.as_str())),
            ("Description", Styled::plain(&self.description)),
            ("Tags", Styled::plain(self.tags.join(", "))),
            (
                "Price",
                Styled::plain(money::format(self.price, &self.currency)),
            ),
            ("Stock", Styled::plain(self.stock.to_string())),
            (
                "Low-stock threshold",
                Styled::plain(self.low_stock_threshold.to_string()),
            ),
            ("Status", status_cell(&self.status)),
            ("Created", Styled::plain(timestamp(&self.created_at))),
            ("Updated", Styled::plain(timestamp(&self.updated_at))),
        ]
    }
}

fn status_cell(status: &PlantStatus) -> Styled {
    let color = match status {
        PlantStatus::InStock => Color::Green,
        PlantStatus::LowStock => Color::Yellow,
        PlantStatus::OutOfStock => Color::Red,
        _ => return Styled::plain(status.as_str()),
    };
    Styled::colored(status.as_str(), color)
}

/// Formats a time as RFC 3339 in UTC, the same text the JSON output carries.
fn timestamp(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_tags_plain() {
        let tags = ["pet-safe".to_owned(), "low light".to_owned()];
        assert_eq!(join_tags(&tags), "pet-safe;low light");
        assert_eq!(join_tags(&[]), "");
    }

    #[test]
    fn join_tags_escapes_separator() {
        let tags = ["a;b".to_owned(), r"c\d".to_owned(), "e".to_owned()];
        assert_eq!(join_tags(&tags), r"a\;b;c\\d;e");
    }
}
