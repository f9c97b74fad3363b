//! The SDK against the real mock server over loopback HTTP.

use std::collections::HashSet;

use futures_util::TryStreamExt;
use letta::resources::PlantSort;
use letta::types::{Category, CreatePlant, PlantStatus, StockAdjustment, UpdatePlant};
use letta_tests::start_mock;

#[tokio::test]
async fn first_page_has_defaults() {
    let (_server, client) = start_mock(120).await;

    let page = client.plants().list().send().await.expect("list succeeds");

    assert_eq!(page.data.len(), 20);
    assert_eq!(page.page, Some(1));
    assert_eq!(page.limit, 20);
    assert_eq!(page.total, 120);
    assert!(page.has_more);
    assert_eq!(page.page_count(), 6);
    assert!(page.links.next.is_some(), "page mode sends a next link");
    assert!(page.request_id.is_some(), "every response has a Request-Id");
}

#[tokio::test]
async fn page_past_end_is_empty_and_final() {
    let (_server, client) = start_mock(30).await;

    let page = client
        .plants()
        .list()
        .page(99)
        .limit(10)
        .send()
        .await
        .expect("a page past the end is not an error");

    assert!(page.data.is_empty());
    assert!(!page.has_more);
    assert_eq!(page.total, 30);
}

#[tokio::test]
async fn stream_yields_every_plant_once() {
    // The count is deliberately not a multiple of the page size.
    let (_server, client) = start_mock(589).await;

    let plants: Vec<_> = client
        .plants()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("walk succeeds");
    let unique: HashSet<_> = plants.iter().map(|p| p.id.clone()).collect();

    assert_eq!(plants.len(), 589);
    assert_eq!(unique.len(), 589);
}

#[tokio::test]
async fn page_number_walk_yields_every_plant_once() {
    let (_server, client) = start_mock(589).await;

    let pages: Vec<_> = client
        .plants()
        .list()
        .page(1)
        .limit(100)
        .pages()
        .try_collect()
        .await
        .expect("walk succeeds");
    let ids: HashSet<_> = pages
        .iter()
        .flat_map(|page| page.data.iter().map(|p| p.id.clone()))
        .collect();

    assert_eq!(pages.len(), 6);
    assert_eq!(ids.len(), 589);
}

#[tokio::test]
async fn keyset_walk_survives_inserts_and_deletes() {
    let walk = walk_while_changing(true).await;
    walk.assert_no_repeat_and_no_skip();
}

#[tokio::test]
async fn walk_without_prefetch_skips_a_plant_deleted_ahead() {
    let walk = walk_while_changing(false).await;
    walk.assert_no_repeat_and_no_skip();
    assert!(
        !walk.seen.contains(&walk.deleted),
        "a deleted plant was yielded"
    );
}

/// A walk of 25 plants, 10 a page, with a plant created after page 1 and
/// one not yet reached deleted after page 2.
struct ChangingWalk {
    before: Vec<String>,
    deleted: String,
    seen: Vec<String>,
}

impl ChangingWalk {
    /// No id twice, and every plant that existed for the whole walk is
    /// yielded. With prefetch on, page 3 is fetched while the caller holds
    /// page 2, so the plant deleted then may still be yielded.
    fn assert_no_repeat_and_no_skip(&self) {
        let unique: HashSet<_> = self.seen.iter().cloned().collect();
        assert_eq!(
            unique.len(),
            self.seen.len(),
            "an id was yielded twice: {:?}",
            self.seen
        );
        for id in self.before.iter().filter(|id| **id != self.deleted) {
            assert!(unique.contains(id), "{id} was skipped");
        }
    }
}

async fn walk_while_changing(prefetch: bool) -> ChangingWalk {
    let (_server, client) = start_mock(25).await;
    let before: Vec<String> = client
        .plants()
        .list()
        .stream()
        .map_ok(|plant| plant.id)
        .try_collect()
        .await
        .expect("initial walk");

    let mut pages = client.plants().list().limit(10).prefetch(prefetch).pages();
    let mut seen = Vec::new();
    let mut deleted = None;
    let mut page_number = 0;
    while let Some(page) = pages.try_next().await.expect("page") {
        page_number += 1;
        seen.extend(page.data.iter().map(|p| p.id.clone()));
        if page_number == 1 {
            let created = client
                .plants()
                .create(&CreatePlant::new(
                    "Walk Fern",
                    "Nephrolepis",
                    Category::Fern,
                    999,
                ))
                .await
                .expect("create during walk");
            assert!(created.id > before[24], "ids sort in creation order");
        }
        if page_number == 2 {
            // Item 23 has not been reached yet: pages 1 and 2 hold items 0..20.
            let victim = before[23].clone();
            client.plants().delete(&victim).await.expect("delete");
            deleted = Some(victim);
        }
    }
    ChangingWalk {
        before,
        deleted: deleted.expect("the walk had at least two pages"),
        seen,
    }
}

#[tokio::test]
async fn filters_return_only_matching_plants() {
    let (_server, client) = start_mock(120).await;
    let all: Vec<_> = client
        .plants()
        .list()
        .stream()
        .try_collect()
        .await
        .expect("all");

    for status in PlantStatus::KNOWN {
        let matching: Vec<_> = client
            .plants()
            .list()
            .status(status.clone())
            .stream()
            .try_collect()
            .await
            .expect("status filter");
        let expected = all.iter().filter(|p| &p.status == status).count();
        assert!(expected > 0, "seed data has no {status} plant");
        assert_eq!(matching.len(), expected, "status {status}");
    }

    let ferns: Vec<_> = client
        .plants()
        .list()
        .category(Category::Fern)
        .stream()
        .try_collect()
        .await
        .expect("category filter");
    assert!(ferns.iter().all(|p| p.category == Category::Fern));
    assert_eq!(
        ferns.len(),
        all.iter().filter(|p| p.category == Category::Fern).count()
    );

    let tag = all
        .iter()
        .find_map(|p| p.tags.first().cloned())
        .expect("seed data has tags");
    let tagged: Vec<_> = client
        .plants()
        .list()
        .tag(tag.clone())
        .stream()
        .try_collect()
        .await
        .expect("tag filter");
    assert_eq!(
        tagged.len(),
        all.iter().filter(|p| p.tags.contains(&tag)).count()
    );

    let needle = all[0].species[..4].to_uppercase();
    let found: Vec<_> = client
        .plants()
        .list()
        .query(needle.clone())
        .stream()
        .try_collect()
        .await
        .expect("q filter");
    let expected = all
        .iter()
        .filter(|p| {
            let needle = needle.to_lowercase();
            p.name.to_lowercase().contains(&needle) || p.species.to_lowercase().contains(&needle)
        })
        .count();
    assert!(expected > 0);
    assert_eq!(found.len(), expected, "q={needle}");

    let priced: Vec<_> = client
        .plants()
        .list()
        .min_price(1000)
        .max_price(3000)
        .stream()
        .try_collect()
        .await
        .expect("price filter");
    assert!(priced.iter().all(|p| (1000..=3000).contains(&p.price)));
    assert_eq!(
        priced.len(),
        all.iter()
            .filter(|p| (1000..=3000).contains(&p.price))
            .count()
    );
}

#[tokio::test]
async fn every_sort_orders_and_walks_completely() {
    let (_server, client) = start_mock(120).await;

    for sort in PlantSort::KNOWN {
        let plants: Vec<_> = client
            .plants()
            .list()
            .sort(sort.clone())
            .limit(7)
            .stream()
            .try_collect()
            .await
            .expect("sorted walk");
        assert_eq!(plants.len(), 120, "sort {sort}");

        let in_order = plants.windows(2).all(|pair| {
            let (a, b) = (&pair[0], &pair[1]);
            match sort {
                PlantSort::CreatedAt => (a.created_at, &a.id) <= (b.created_at, &b.id),
                PlantSort::CreatedAtDesc => (a.created_at, &a.id) >= (b.created_at, &b.id),
                PlantSort::Name => (&a.name, &a.id) <= (&b.name, &b.id),
                PlantSort::NameDesc => (&a.name, &a.id) >= (&b.name, &b.id),
                PlantSort::Price => (a.price, &a.id) <= (b.price, &b.id),
                PlantSort::PriceDesc => (a.price, &a.id) >= (b.price, &b.id),
                PlantSort::Stock => (a.stock, &a.id) <= (b.stock, &b.id),
                PlantSort::StockDesc => (a.stock, &a.id) >= (b.stock, &b.id),
                _ => unreachable!("every known sort is listed"),
            }
        });
        assert!(in_order, "sort {sort} is out of order");
    }
}

#[tokio::test]
async fn create_update_stock_delete_round_trip() {
    let (_server, client) = start_mock(5).await;
    let plants = client.plants();

    let created = plants
        .create(
            &CreatePlant::new(
                "Bird of Paradise",
                "Strelitzia reginae",
                Category::Flowering,
                4599,
            )
            .tags(["bright-light"])
            .stock(3),
        )
        .await
        .expect("create");
    assert!(created.id.starts_with("plt_"));
    assert_eq!(created.currency, "usd");
    assert_eq!(created.status, PlantStatus::LowStock);

    let fetched = plants.get(&created.id).await.expect("get");
    assert_eq!(fetched, created);

    let updated = plants
        .update(
            &created.id,
            &UpdatePlant::new().price(4999).description("Tall"),
        )
        .await
        .expect("update");
    assert_eq!(updated.price, 4999);
    assert_eq!(updated.description, "Tall");
    assert_eq!(updated.name, created.name, "unset fields stay");

    let stocked = plants
        .adjust_stock(&created.id, StockAdjustment::Delta(10))
        .await
        .expect("add stock");
    assert_eq!(stocked.stock, 13);
    assert_eq!(stocked.status, PlantStatus::InStock);

    let error = plants
        .adjust_stock(&created.id, StockAdjustment::Delta(-14))
        .await
        .expect_err("more than on hand");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.code(), Some("insufficient_stock"));
    assert_eq!(plants.get(&created.id).await.expect("get").stock, 13);

    let emptied = plants
        .adjust_stock(&created.id, StockAdjustment::Set(0))
        .await
        .expect("set stock");
    assert_eq!(emptied.status, PlantStatus::OutOfStock);

    plants.delete(&created.id).await.expect("delete");
    let gone = plants.get(&created.id).await.expect_err("deleted");
    assert!(gone.is_not_found(), "{gone:?}");
    assert_eq!(gone.code(), Some("not_found"));
}

#[tokio::test]
async fn invalid_limit_is_rejected_naming_it() {
    let (_server, client) = start_mock(5).await;

    for limit in [0, 101] {
        let error = client
            .plants()
            .list()
            .limit(limit)
            .send()
            .await
            .expect_err("out of range");
        let api = error.as_api().expect("API error");
        assert_eq!(api.status.as_u16(), 400, "limit {limit}");
        assert_eq!(api.code.as_deref(), Some("invalid_parameter"));
        assert!(
            api.errors.iter().any(|e| e.pointer.contains("limit")),
            "limit {limit}: {api:?}"
        );
    }
}

#[tokio::test]
async fn validation_errors_name_each_field() {
    let (_server, client) = start_mock(5).await;

    let error = client
        .plants()
        .create(&CreatePlant::new("", "Ficus", Category::Tree, -5).stock(-1))
        .await
        .expect_err("invalid fields");
    let api = error.as_api().expect("API error");
    assert_eq!(api.status.as_u16(), 422);
    assert_eq!(api.code.as_deref(), Some("validation_failed"));
    let pointers: HashSet<_> = api.errors.iter().map(|e| e.pointer.as_str()).collect();
    for pointer in ["/name", "/price", "/stock"] {
        assert!(
            pointers.contains(pointer),
            "{pointer} missing from {pointers:?}"
        );
    }
}

#[tokio::test]
async fn wrong_key_is_unauthorized() {
    let (server, _client) = start_mock(5).await;
    let client = letta::Client::builder()
        .base_url(server.base_url())
        .api_key("sk_test_wrong")
        .build()
        .expect("valid settings");

    let error = client.plants().list().send().await.expect_err("wrong key");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    assert_eq!(error.code(), Some("invalid_api_key"));
    assert!(error.request_id().is_some());
}
