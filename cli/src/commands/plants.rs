//! `letta plants ...`: list, show, create, change and delete plants.

use anyhow::{Context, Result};
use letta::Client;
use letta::resources::{ListPlants, PlantSort};
use letta::types::{Category, CreatePlant, PlantStatus, StockAdjustment, UpdatePlant};

use crate::commands::list::{self, Listing, PageOptions};
use crate::commands::watch::{self, WatchOptions};
use crate::error::UsageError;
use crate::money::Amount;
use crate::output::Output;

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
        PlantsCommand::List(options) => list(client, options, output, invocation).await,
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

/// Applies the filters of `options`; paging is left to [`list::run`].
fn list_request(client: &Client, options: &ListOptions) -> ListPlants {
    let mut request = client.plants().list();
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

/// Lists one page with its summary line, or every page with `--all`.
async fn list(
    client: &Client,
    options: ListOptions,
    output: &mut Output,
    invocation: Invocation,
) -> Result<()> {
    let request = list_request(client, &options);
    let listing = Listing {
        noun: ("plant", "plants"),
        command: "plants list".to_owned(),
        filters: filter_flags(&options),
        invocation,
    };
    let page = PageOptions {
        page: options.page,
        limit: options.limit,
        all: options.all,
        starting_after: options.starting_after,
    };
    list::run(request, &page, &listing, output).await
}

/// Returns the filter flags to repeat in the command for the next page,
/// names without `--`.
fn filter_flags(options: &ListOptions) -> Vec<(&'static str, String)> {
    let flags = [
        ("status", options.status.as_ref().map(ToString::to_string)),
        (
            "category",
            options.category.as_ref().map(ToString::to_string),
        ),
        ("tag", options.tag.clone()),
        ("query", options.query.clone()),
        (
            "min-price",
            options.min_price.map(|price| price.to_string()),
        ),
        (
            "max-price",
            options.max_price.map(|price| price.to_string()),
        ),
        ("sort", options.sort.as_ref().map(ToString::to_string)),
    ];
    flags
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
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
    fn filter_flags_in_flag_order() {
        let options = ListOptions {
            limit: Some(50),
            status: Some(PlantStatus::InStock),
            query: Some("snake plant".to_owned()),
            sort: Some(PlantSort::PriceDesc),
            ..ListOptions::default()
        };
        let flags = filter_flags(&options);
        assert_eq!(
            flags,
            [
                ("status", "in_stock".to_owned()),
                ("query", "snake plant".to_owned()),
                ("sort", "-price".to_owned()),
            ]
        );
    }
}
