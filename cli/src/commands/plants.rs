//! `letta plants ...`: list, show, create, change and delete plants.

use anyhow::{Context, Result};
use futures_util::TryStreamExt;
use letta::resources::{ListPlants, PlantSort};
use letta::types::{Category, CreatePlant, Plant, PlantStatus, StockAdjustment, UpdatePlant};
use letta::{Client, Page};

use crate::commands::watch::{self, WatchOptions};
use crate::error::UsageError;
use crate::money::Amount;
use crate::output::Output;
use crate::settings::OutputFormat;

/// A `letta plants` subcommand with its resolved options.
#[derive(Debug)]
pub(crate) enum PlantsCommand {
    List(ListOptions),
    Get {
        id: String,
    },
    Watch {
        plant: Option<String>,
        options: WatchOptions,
    },
    Create {
        fields: PlantFields,
        stock: Option<i64>,
    },
    Update {
        id: String,
        fields: PlantFields,
    },
    Delete {
        id: String,
    },
    Stock {
        id: String,
        change: StockChange,
    },
}

/// Options of `letta plants list`.
#[derive(Debug, Default)]
pub(crate) struct ListOptions {
    pub(crate) page: Option<u32>,
    pub(crate) limit: Option<u32>,
    pub(crate) all: bool,
    pub(crate) starting_after: Option<String>,
    pub(crate) status: Option<PlantStatus>,
    pub(crate) category: Option<Category>,
    pub(crate) tag: Option<String>,
    pub(crate) query: Option<String>,
    pub(crate) min_price: Option<i64>,
    pub(crate) max_price: Option<i64>,
    pub(crate) sort: Option<PlantSort>,
}

/// Plant fields given on the command line; `None` leaves a field unset.
#[derive(Debug, Default)]
pub(crate) struct PlantFields {
    pub(crate) name: Option<String>,
    pub(crate) species: Option<String>,
    pub(crate) category: Option<Category>,
    pub(crate) price: Option<Amount>,
    pub(crate) currency: Option<String>,
    pub(crate) description: Option<String>,
    /// New tags; an empty list removes every tag.
    pub(crate) tags: Option<Vec<String>>,
    pub(crate) low_stock_threshold: Option<i64>,
}

/// The change `letta plants stock` makes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StockChange {
    Delta(i64),
    Set(i64),
}

/// Facts about the invocation, so that suggested commands can repeat it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Invocation {
    pub(crate) mock: bool,
}

/// Runs a plants command.
pub(crate) async fn run(
    client: &Client,
    command: PlantsCommand,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    match command {
        PlantsCommand::List(options) if options.all => list_all(client, &options, output).await,
        PlantsCommand::List(options) => list_page(client, &options, output, invocation).await,
        PlantsCommand::Watch { plant, options } => {
            let request = match &plant {
                Some(plant) => client.plants().watch_plant(plant),
                None => client.plants().watch(),
            };
            watch::run(options.apply(request), output).await
        }
        PlantsCommand::Get { id } => {
            let plant = client
                .plants()
                .get(&id)
                .await
                .with_context(|| format!("failed to fetch plant {id}"))?;
            Ok(output.record(&plant)?)
        }
        PlantsCommand::Create { fields, stock } => create(client, fields, stock, output).await,
        PlantsCommand::Update { id, fields } => update(client, &id, fields, output).await,
        PlantsCommand::Delete { id } => {
            client
                .plants()
                .delete(&id)
                .await
                .with_context(|| format!("failed to delete plant {id}"))?;
            output.status(&format!("Deleted plant {id}."));
            Ok(())
        }
        PlantsCommand::Stock { id, change } => {
            let adjustment = match change {
                StockChange::Delta(delta) => StockAdjustment::Delta(delta),
                StockChange::Set(units) => StockAdjustment::Set(units),
            };
            let plant = client
                .plants()
                .adjust_stock(&id, adjustment)
                .await
                .with_context(|| format!("failed to change the stock of plant {id}"))?;
            Ok(output.record(&plant)?)
        }
    }
}

fn list_request(client: &Client, options: &ListOptions) -> ListPlants {
    let mut request = client.plants().list();
    if let Some(limit) = options.limit {
        request = request.limit(limit);
    }
    if let Some(cursor) = &options.starting_after {
        request = request.starting_after(cursor.clone());
    }
    if let Some(status) = &options.status {
        request = request.status(status.clone());
    }
    if let Some(category) = &options.category {
        request = request.category(category.clone());
    }
    if let Some(tag) = &options.tag {
        request = request.tag(tag.clone());
    }
    if let Some(text) = &options.query {
        request = request.query(text.clone());
    }
    if let Some(price) = options.min_price {
        request = request.min_price(price);
    }
    if let Some(price) = options.max_price {
        request = request.max_price(price);
    }
    if let Some(sort) = &options.sort {
        request = request.sort(sort.clone());
    }
    request
}

async fn list_page(
    client: &Client,
    options: &ListOptions,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    let mut request = list_request(client, options);
    match (options.page, &options.starting_after) {
        (Some(page), _) => request = request.page(page),
        // Ask for page 1 by number, so the response reports which page of how many it is.
        (None, None) => request = request.page(1),
        (None, Some(_)) => {}
    }
    let page = request.send().await.context("failed to list plants")?;

    let mut list = output.list::<Plant>();
    for plant in &page.data {
        list.item(plant)?;
    }
    list.finish()?;

    if output.format() == OutputFormat::Table {
        output.line(&page_summary(&page, options, invocation))?;
    }
    Ok(())
}

/// Walks every page, writing items as they arrive so that memory stays flat
/// in every format but the table.
async fn list_all(client: &Client, options: &ListOptions, output: &mut Output) -> Result<()> {
    let mut pages = list_request(client, options).pages();
    let progress = output.progress(None, "plants");
    let mut count: u64 = 0;

    let mut list = output.list::<Plant>();
    let walk = async {
        while let Some(page) = pages.try_next().await.context("failed to list plants")? {
            progress.set_length(page.total);
            for plant in &page.data {
                list.item(plant)?;
            }
            let fetched = page.data.len() as u64;
            progress.inc(fetched);
            count += fetched;
        }
        anyhow::Ok(())
    };
    let walked = walk.await;
    progress.finish_and_clear();
    walked?;
    list.finish()?;

    if output.format() == OutputFormat::Table {
        output.line(&count_phrase(count))?;
    }
    Ok(())
}

/// Describes where a page sits in the list and how to fetch the next one,
/// such as `Page 1 of 6 (120 plants). Next: letta plants list --page 2`.
fn page_summary(page: &Page<Plant>, options: &ListOptions, invocation: Invocation) -> String {
    if page.total == 0 {
        return "No plants found.".to_owned();
    }
    let total = count_phrase(page.total);

    let Some(number) = page.page else {
        // Keyset mode: the server does not number the page.
        let after = options.starting_after.as_deref().unwrap_or("the start");
        let mut summary = format!(
            "{} after {after} ({total} in total).",
            count_phrase(page.data.len() as u64)
        );
        if let (true, Some(last)) = (page.has_more, page.data.last()) {
            let next = next_command(
                options,
                invocation,
                &format!("--starting-after {}", last.id),
            );
            summary.push_str(&format!(" Next: {next}"));
        }
        return summary;
    };

    let pages = page.page_count();
    if page.data.is_empty() && u64::from(number) > pages {
        return format!("Page {number} is past the end: {total} fit on {pages} pages.");
    }
    let mut summary = format!("Page {number} of {pages} ({total}).");
    if page.has_more {
        let next = next_command(
            options,
            invocation,
            &format!("--page {}", number.saturating_add(1)),
        );
        summary.push_str(&format!(" Next: {next}"));
    }
    summary
}

fn count_phrase(count: u64) -> String {
    if count == 1 {
        "1 plant".to_owned()
    } else {
        format!("{count} plants")
    }
}

/// Builds the command that fetches the next page with the same filters.
/// Global flags other than `--mock` are left out, because they may carry
/// secrets (`--api-key`) and usually come from the environment.
fn next_command(options: &ListOptions, invocation: Invocation, position: &str) -> String {
    let mut parts = vec!["letta".to_owned()];
    if invocation.mock {
        parts.push("--mock".to_owned());
    }
    parts.push("plants list".to_owned());

    let mut flag = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            parts.push(format!("--{name} {}", shell_quote(&value)));
        }
    };
    flag("limit", options.limit.map(|limit| limit.to_string()));
    flag("status", options.status.as_ref().map(ToString::to_string));
    flag(
        "category",
        options.category.as_ref().map(ToString::to_string),
    );
    flag("tag", options.tag.clone());
    flag("query", options.query.clone());
    flag(
        "min-price",
        options.min_price.map(|price| price.to_string()),
    );
    flag(
        "max-price",
        options.max_price.map(|price| price.to_string()),
    );
    flag("sort", options.sort.as_ref().map(ToString::to_string));

    parts.push(position.to_owned());
    parts.join(" ")
}

/// Quotes a value for a POSIX shell when it contains anything but safe characters.
fn shell_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.,:/=@+".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        return value.to_owned();
    }
    format!("'{}'", value.replace('\'', r"'\''"))
}

async fn create(
    client: &Client,
    fields: PlantFields,
    stock: Option<i64>,
    output: &mut Output,
) -> Result<()> {
    // clap requires these four flags, so a missing one is a parser bug.
    let missing = |flag: &str| UsageError::new(format!("missing required flag --{flag}"));
    let name = fields.name.ok_or_else(|| missing("name"))?;
    let species = fields.species.ok_or_else(|| missing("species"))?;
    let category = fields.category.ok_or_else(|| missing("category"))?;
    let amount = fields.price.ok_or_else(|| missing("price"))?;

    // The server's default currency decides the decimals when none is given.
    let currency = fields.currency.clone().unwrap_or_else(|| "usd".to_owned());
    let price = to_minor(&amount, &currency)?;

    let mut plant = CreatePlant::new(name, species, category, price);
    if let Some(currency) = fields.currency {
        plant = plant.currency(currency);
    }
    if let Some(description) = fields.description {
        plant = plant.description(description);
    }
    if let Some(tags) = fields.tags {
        plant = plant.tags(tags);
    }
    if let Some(stock) = stock {
        plant = plant.stock(stock);
    }
    if let Some(threshold) = fields.low_stock_threshold {
        plant = plant.low_stock_threshold(threshold);
    }

    let created = client
        .plants()
        .create(&plant)
        .await
        .context("failed to create the plant")?;
    Ok(output.record(&created)?)
}

async fn update(client: &Client, id: &str, fields: PlantFields, output: &mut Output) -> Result<()> {
    let mut update = UpdatePlant::new();

    if let Some(amount) = &fields.price {
        // The amount's decimals depend on the currency, which the plant
        // keeps unless this update changes it.
        let currency = match &fields.currency {
            Some(currency) => currency.clone(),
            None => {
                let plant =
                    client.plants().get(id).await.with_context(|| {
                        format!("failed to fetch plant {id} to read its currency")
                    })?;
                plant.currency
            }
        };
        update = update.price(to_minor(amount, &currency)?);
    }
    if let Some(name) = fields.name {
        update = update.name(name);
    }
    if let Some(species) = fields.species {
        update = update.species(species);
    }
    if let Some(category) = fields.category {
        update = update.category(category);
    }
    if let Some(currency) = fields.currency {
        update = update.currency(currency);
    }
    if let Some(description) = fields.description {
        update = update.description(description);
    }
    if let Some(tags) = fields.tags {
        update = update.tags(tags);
    }
    if let Some(threshold) = fields.low_stock_threshold {
        update = update.low_stock_threshold(threshold);
    }

    let updated = client
        .plants()
        .update(id, &update)
        .await
        .with_context(|| format!("failed to update plant {id}"))?;
    Ok(output.record(&updated)?)
}

fn to_minor(amount: &Amount, currency: &str) -> Result<i64, UsageError> {
    amount.to_minor(currency).map_err(|reason| {
        UsageError::new(format!("invalid value for --price: {reason}")).hint(
            "write the amount in major units with at most the currency's decimals, such as 12.99",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_command_repeats_filters() {
        let options = ListOptions {
            limit: Some(50),
            status: Some(PlantStatus::InStock),
            query: Some("snake plant".to_owned()),
            sort: Some(PlantSort::PriceDesc),
            ..ListOptions::default()
        };
        let command = next_command(&options, Invocation { mock: true }, "--page 3");
        assert_eq!(
            command,
            "letta --mock plants list --limit 50 --status in_stock --query 'snake plant' --sort -price --page 3"
        );
    }

    #[test]
    fn shell_quote_escapes_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("pet-safe"), "pet-safe");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn count_phrase_uses_singular_for_one() {
        assert_eq!(count_phrase(1), "1 plant");
        assert_eq!(count_phrase(0), "0 plants");
    }
}
