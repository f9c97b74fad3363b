//! Listing shared by the list commands: one page with a summary line, or
//! every page with progress.

use std::future::Future;

use anyhow::{Context, Result};
use futures_util::TryStreamExt;
use letta::resources::{
    ListCustomerOrders, ListCustomers, ListEvents, ListOrders, ListPayments, ListPlants,
    ListWebhookDeliveries, ListWebhooks,
};
use letta::types::{Customer, Event, Order, Payment, Plant, WebhookDelivery, WebhookEndpoint};
use letta::{Page, PageStream};

use crate::commands::plants::Invocation;
use crate::output::{Output, Record};
use crate::settings::OutputFormat;

/// Start and size of a list: `--page`, `--limit`, `--all` and
/// `--starting-after`.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageOptions {
    pub(crate) page: Option<u32>,
    pub(crate) limit: Option<u32>,
    pub(crate) all: bool,
    pub(crate) starting_after: Option<String>,
}

/// An object with an id, which the summary line names as the next cursor.
pub(crate) trait Identified {
    fn id(&self) -> &str;
}

/// A list request of the SDK, seen through what the CLI needs from it.
pub(crate) trait ListRequest: Sized {
    type Item: Record + Identified + Send + 'static;

    fn page(self, page: u32) -> Self;
    fn limit(self, limit: u32) -> Self;
    fn starting_after(self, id: String) -> Self;
    fn send(self) -> impl Future<Output = letta::Result<Page<Self::Item>>> + Send;
    fn pages(self) -> PageStream<Self::Item>;
}

macro_rules! list_request {
    ($($request:ty => $item:ty),+ $(,)?) => {
        $(
            impl Identified for $item {
                fn id(&self) -> &str {
                    &self.id
                }
            }

            impl ListRequest for $request {
                type Item = $item;

                fn page(self, page: u32) -> Self {
                    <$request>::page(self, page)
                }
                fn limit(self, limit: u32) -> Self {
                    <$request>::limit(self, limit)
                }
                fn starting_after(self, id: String) -> Self {
                    <$request>::starting_after(self, id)
                }
                fn send(self) -> impl Future<Output = letta::Result<Page<Self::Item>>> + Send {
                    <$request>::send(self)
                }
                fn pages(self) -> PageStream<Self::Item> {
                    <$request>::pages(self)
                }
            }
        )+
    };
}

list_request! {
    ListPlants => Plant,
    ListCustomers => Customer,
    ListOrders => Order,
    ListPayments => Payment,
    ListEvents => Event,
    ListWebhooks => WebhookEndpoint,
    ListWebhookDeliveries => WebhookDelivery,
}

// Customer orders share the item type, so only the request impl is repeated.
impl ListRequest for ListCustomerOrders {
    type Item = Order;

    fn page(self, page: u32) -> Self {
        ListCustomerOrders::page(self, page)
    }
    fn limit(self, limit: u32) -> Self {
        ListCustomerOrders::limit(self, limit)
    }
    fn starting_after(self, id: String) -> Self {
        ListCustomerOrders::starting_after(self, id)
    }
    fn send(self) -> impl Future<Output = letta::Result<Page<Self::Item>>> + Send {
        ListCustomerOrders::send(self)
    }
    fn pages(self) -> PageStream<Self::Item> {
        ListCustomerOrders::pages(self)
    }
}

/// Names a list command uses in messages and in the suggested command for
/// the next page.
#[derive(Debug, Clone)]
pub(crate) struct Listing {
    /// The object listed, singular and plural, such as `("order", "orders")`.
    pub(crate) noun: (&'static str, &'static str),
    /// The command after `letta`, such as `orders list` or
    /// `customers orders cus_…`.
    pub(crate) command: String,
    /// Filter flags to repeat in the next-page command, name without `--`.
    pub(crate) filters: Vec<(&'static str, String)>,
    /// Whether the run used `--mock`.
    pub(crate) invocation: Invocation,
}

/// Runs `request` as `options` ask: every page, or one page and its summary.
pub(crate) async fn run<R: ListRequest>(
    request: R,
    options: &PageOptions,
    listing: &Listing,
    output: &mut Output,
) -> Result<()> {
    let mut request = request;
    if let Some(limit) = options.limit {
        request = request.limit(limit);
    }
    if let Some(cursor) = &options.starting_after {
        request = request.starting_after(cursor.clone());
    }
    if options.all {
        return print_all(request.pages(), listing, output).await;
    }

    match (options.page, &options.starting_after) {
        (Some(page), _) => request = request.page(page),
        // Ask for page 1 by number, so the response reports which page of how many it is.
        (None, None) => request = request.page(1),
        (None, Some(_)) => {}
    }
    let page = request
        .send()
        .await
        .with_context(|| format!("failed to list {}", listing.noun.1))?;

    let mut list = output.list::<R::Item>();
    for item in &page.data {
        list.item(item)?;
    }
    list.finish()?;

    if output.format() == OutputFormat::Table {
        output.line(&page_summary(&page, options, listing))?;
    }
    Ok(())
}

/// Walks every page, writing items as they arrive so that memory stays flat
/// in every format but the table.
async fn print_all<T: Record>(
    mut pages: PageStream<T>,
    listing: &Listing,
    output: &mut Output,
) -> Result<()> {
    let progress = output.progress(None, listing.noun.1);
    let mut count: u64 = 0;

    let mut list = output.list::<T>();
    let walk = async {
        while let Some(page) = pages
            .try_next()
            .await
            .with_context(|| format!("failed to list {}", listing.noun.1))?
        {
            progress.set_length(page.total);
            for item in &page.data {
                list.item(item)?;
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
        output.line(&count_phrase(count, listing.noun))?;
    }
    Ok(())
}

/// Describes where a page sits in the list and how to fetch the next one,
/// such as `Page 1 of 3 (52 orders). Next: letta orders list --page 2`.
fn page_summary<T: Identified>(page: &Page<T>, options: &PageOptions, listing: &Listing) -> String {
    if page.total == 0 {
        return format!("No {} found.", listing.noun.1);
    }
    let total = count_phrase(page.total, listing.noun);

    let Some(number) = page.page else {
        // Keyset mode: the server does not number the page.
        let after = options.starting_after.as_deref().unwrap_or("the start");
        let page_items = count_phrase(page.data.len() as u64, listing.noun);
        let mut summary = format!("{page_items} after {after} ({total} in total).");
        if let (true, Some(last)) = (page.has_more, page.data.last()) {
            let next = next_command(options, listing, &format!("--starting-after {}", last.id()));
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
        let position = format!("--page {}", number.saturating_add(1));
        summary.push_str(&format!(
            " Next: {}",
            next_command(options, listing, &position)
        ));
    }
    summary
}

fn count_phrase(count: u64, (singular, plural): (&str, &str)) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// Builds the command that fetches the next page with the same filters.
/// Global flags other than `--mock` are left out, because they may carry
/// secrets (`--api-key`) and usually come from the environment.
fn next_command(options: &PageOptions, listing: &Listing, position: &str) -> String {
    let mut parts = vec!["letta".to_owned()];
    if listing.invocation.mock {
        parts.push("--mock".to_owned());
    }
    parts.push(listing.command.clone());
    if let Some(limit) = options.limit {
        parts.push(format!("--limit {limit}"));
    }
    for (name, value) in &listing.filters {
        parts.push(format!("--{name} {}", shell_quote(value)));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(mock: bool) -> Listing {
        Listing {
            noun: ("order", "orders"),
            command: "orders list".to_owned(),
            filters: vec![
                ("status", "paid".to_owned()),
                ("created-after", "2026-01-01T00:00:00Z".to_owned()),
            ],
            invocation: Invocation { mock },
        }
    }

    #[test]
    fn next_command_repeats_limit_and_filters() {
        let options = PageOptions {
            limit: Some(50),
            ..PageOptions::default()
        };
        let command = next_command(&options, &listing(true), "--page 2");
        assert_eq!(
            command,
            "letta --mock orders list --limit 50 --status paid --created-after 2026-01-01T00:00:00Z --page 2"
        );
    }

    #[test]
    fn shell_quote_escapes_single_quotes() {
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("cus_01"), "cus_01");
    }

    #[test]
    fn count_phrase_uses_singular_for_one() {
        assert_eq!(count_phrase(1, ("order", "orders")), "1 order");
        assert_eq!(count_phrase(0, ("order", "orders")), "0 orders");
    }
}
