//! Deterministic seed data: a realistic plant shop for a given seed.
//!
//! Everything here derives from the seed through [`SplitMix64`], and dates
//! count back from a fixed epoch rather than the clock, so the same seed and
//! size always give byte-identical data. Plants, customers and orders each
//! draw from their own stream, so changing one count leaves the others'
//! content unchanged. Seeding appends no events: the log starts empty.

mod customers;
mod orders;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use letta::types::Category;

use crate::ids::{self, IdGenerator};
use crate::rng::SplitMix64;
use crate::store::{EventLog, PlantRecord, State};

/// The moment the seeded shop was last changed: 2025-06-01T00:00:00Z.
const EPOCH_SECONDS: i64 = 1_748_736_000;

/// Days before [`EPOCH_SECONDS`] over which seeded plants were created.
const HISTORY_DAYS: i64 = 540;

/// Mixed into the seed for the id generator, so ids and content draw from
/// separate streams and adding a catalogue entry does not change every id.
const ID_STREAM: u64 = 0x1D5_1D5_1D5;

/// One kind of plant the shop sells.
struct CatalogueEntry {
    name: &'static str,
    species: &'static str,
    category: Category,
    /// Typical price of a plant in a 6-inch pot, in cents.
    base_price: i64,
    tags: &'static [&'static str],
    description: &'static str,
}

/// A pot size: a name suffix (none for the standard size), the pot in
/// inches, and the price relative to the standard size in per mille.
const SIZES: [(&str, u32, i64); 4] = [
    ("", 6, 1000),
    ("Large", 10, 1900),
    ("Mini", 4, 550),
    ("XL", 14, 2800),
];

const fn entry(
    name: &'static str,
    species: &'static str,
    category: Category,
    base_price: i64,
    tags: &'static [&'static str],
    description: &'static str,
) -> CatalogueEntry {
    CatalogueEntry {
        name,
        species,
        category,
        base_price,
        tags,
        description,
    }
}

use Category::{
    Cactus, Carnivorous, Fern, Flowering, Foliage, Herb, Orchid, Palm, Succulent, Tree,
};

#[rustfmt::skip]
static CATALOGUE: [CatalogueEntry; 60] = [
    entry("Monstera Deliciosa", "Monstera deliciosa", Foliage, 3499, &["air-purifying", "beginner", "toxic-to-pets"], "Large split leaves that grow more dramatic with age. Bright, indirect light."),
    entry("Swiss Cheese Vine", "Monstera adansonii", Foliage, 2499, &["trailing", "humidity-loving", "toxic-to-pets"], "A climbing vine with leaves full of oval holes. Let it trail or give it a pole."),
    entry("Golden Pothos", "Epipremnum aureum", Foliage, 1499, &["beginner", "low-light", "trailing", "air-purifying", "toxic-to-pets"], "Heart-shaped leaves splashed with gold. Forgives missed waterings."),
    entry("Heartleaf Philodendron", "Philodendron hederaceum", Foliage, 1599, &["beginner", "low-light", "trailing", "toxic-to-pets"], "Fast-growing trailing vine for shelves and hanging baskets."),
    entry("Pink Princess Philodendron", "Philodendron erubescens 'Pink Princess'", Foliage, 8900, &["rare", "variegated", "toxic-to-pets"], "Dark leaves marbled with bubblegum pink. Each plant's variegation is unique."),
    entry("Snake Plant", "Dracaena trifasciata", Foliage, 2299, &["beginner", "low-light", "air-purifying", "drought-tolerant", "toxic-to-pets"], "Upright, sword-like leaves. Water every two to three weeks."),
    entry("ZZ Plant", "Zamioculcas zamiifolia", Foliage, 2799, &["beginner", "low-light", "drought-tolerant", "toxic-to-pets"], "Glossy leaflets on arching stems. Stores water in its rhizomes."),
    entry("Rubber Plant", "Ficus elastica", Foliage, 2999, &["air-purifying", "toxic-to-pets"], "Thick, glossy burgundy leaves. Wipe them clean to keep them shining."),
    entry("Chinese Evergreen", "Aglaonema commutatum", Foliage, 2199, &["low-light", "air-purifying", "toxic-to-pets"], "Patterned silver-green leaves that tolerate dim corners."),
    entry("Calathea Medallion", "Goeppertia roseopicta", Foliage, 2899, &["pet-safe", "humidity-loving"], "Round leaves painted in silver and purple. Its leaves fold up at night."),
    entry("Prayer Plant", "Maranta leuconeura", Foliage, 1899, &["pet-safe", "humidity-loving", "compact"], "Red-veined leaves that lift in the evening like hands in prayer."),
    entry("Spider Plant", "Chlorophytum comosum", Foliage, 1299, &["pet-safe", "beginner", "air-purifying", "trailing"], "Arching striped leaves and dangling plantlets you can root and share."),
    entry("Cast Iron Plant", "Aspidistra elatior", Foliage, 2999, &["pet-safe", "low-light", "beginner"], "Nearly indestructible. Copes with low light, dry air and neglect."),
    entry("Polka Dot Plant", "Hypoestes phyllostachya", Foliage, 999, &["pet-safe", "compact", "variegated"], "Small leaves freckled with pink. Pinch the tips to keep it bushy."),
    entry("Parlor Palm", "Chamaedorea elegans", Palm, 2499, &["pet-safe", "low-light", "air-purifying"], "A compact palm that has been a houseplant since Victorian times."),
    entry("Kentia Palm", "Howea forsteriana", Palm, 7999, &["pet-safe", "low-light", "large"], "Elegant arching fronds. Slow-growing and tolerant of shade."),
    entry("Areca Palm", "Dypsis lutescens", Palm, 4499, &["pet-safe", "air-purifying", "large"], "Feathery golden-green fronds on clustered canes. Loves bright light."),
    entry("Ponytail Palm", "Beaucarnea recurvata", Palm, 3299, &["pet-safe", "drought-tolerant", "beginner"], "A swollen trunk topped with a fountain of thin leaves. Not a true palm."),
    entry("Majesty Palm", "Ravenea rivularis", Palm, 3999, &["pet-safe", "humidity-loving", "large"], "Tall, lush fronds for a tropical look. Keep the soil evenly moist."),
    entry("Jade Plant", "Crassula ovata", Succulent, 1499, &["drought-tolerant", "beginner", "toxic-to-pets"], "Plump, glossy leaves on woody stems. Lives for decades with sun."),
    entry("Aloe Vera", "Aloe vera", Succulent, 1199, &["drought-tolerant", "beginner", "toxic-to-pets"], "Fleshy, serrated leaves filled with soothing gel. Needs a sunny sill."),
    entry("Zebra Haworthia", "Haworthiopsis attenuata", Succulent, 899, &["pet-safe", "compact", "beginner", "drought-tolerant"], "A small rosette striped with white bands. Happy on a desk."),
    entry("Echeveria Perle von Nürnberg", "Echeveria 'Perle von Nürnberg'", Succulent, 799, &["pet-safe", "compact", "drought-tolerant"], "Lavender-pink rosettes with a powdery coat. Water only when dry."),
    entry("Panda Plant", "Kalanchoe tomentosa", Succulent, 1099, &["compact", "toxic-to-pets"], "Fuzzy silver leaves tipped with chocolate-brown spots."),
    entry("Burro's Tail", "Sedum morganianum", Succulent, 1699, &["pet-safe", "trailing", "drought-tolerant"], "Cascading stems of plump blue-green leaves. Handle gently."),
    entry("String of Pearls", "Curio rowleyanus", Succulent, 1999, &["trailing", "drought-tolerant", "toxic-to-pets"], "Strands of bead-like leaves that spill over the pot's edge."),
    entry("Bunny Ear Cactus", "Opuntia microdasys", Cactus, 1299, &["drought-tolerant", "compact"], "Paired pads dotted with soft-looking but prickly glochids."),
    entry("Golden Barrel Cactus", "Echinocactus grusonii", Cactus, 2499, &["drought-tolerant", "rare"], "A ribbed sphere lined with golden spines. Give it full sun."),
    entry("Christmas Cactus", "Schlumbergera truncata", Cactus, 1899, &["pet-safe", "flowering"], "Segmented stems that bloom pink or red in early winter."),
    entry("Fairy Castle Cactus", "Acanthocereus tetragonus", Cactus, 1399, &["compact", "beginner"], "Clusters of upright columns that look like turrets."),
    entry("Moon Cactus", "Gymnocalycium mihanovichii", Cactus, 699, &["compact", "beginner"], "A bright red or yellow cactus grafted onto a green rootstock."),
    entry("Boston Fern", "Nephrolepis exaltata", Fern, 1999, &["pet-safe", "humidity-loving", "air-purifying"], "Arching, feathery fronds. A classic for bathrooms and porches."),
    entry("Bird's Nest Fern", "Asplenium nidus", Fern, 2299, &["pet-safe", "low-light", "humidity-loving"], "Wavy, apple-green fronds unfurling from a central rosette."),
    entry("Maidenhair Fern", "Adiantum raddianum", Fern, 1799, &["pet-safe", "humidity-loving"], "Delicate fan-shaped leaflets on black wiry stems. Never let it dry out."),
    entry("Staghorn Fern", "Platycerium bifurcatum", Fern, 3499, &["pet-safe", "rare", "humidity-loving"], "Antler-shaped fronds. Supplied mounted or in a pot."),
    entry("Rabbit's Foot Fern", "Davallia fejeensis", Fern, 2199, &["pet-safe", "trailing"], "Furry rhizomes creep over the pot's rim beneath lacy fronds."),
    entry("Peace Lily", "Spathiphyllum wallisii", Flowering, 2199, &["low-light", "air-purifying", "toxic-to-pets"], "White spathes above dark leaves. It droops to tell you it is thirsty."),
    entry("Flamingo Flower", "Anthurium andraeanum", Flowering, 3299, &["humidity-loving", "toxic-to-pets"], "Waxy red spathes that last for weeks. Bright, indirect light."),
    entry("African Violet", "Streptocarpus ionanthus", Flowering, 999, &["pet-safe", "compact"], "Velvety leaves and purple blooms most of the year."),
    entry("Scarlet Star Bromeliad", "Guzmania lingulata", Flowering, 2499, &["pet-safe"], "A star of scarlet bracts that stays colourful for months."),
    entry("Flaming Katy", "Kalanchoe blossfeldiana", Flowering, 1299, &["compact", "toxic-to-pets"], "Dense clusters of small flowers in red, orange or yellow."),
    entry("Lipstick Plant", "Aeschynanthus radicans", Flowering, 1999, &["pet-safe", "trailing"], "Red tubular flowers emerging from dark sheaths like lipstick."),
    entry("Moth Orchid", "Phalaenopsis amabilis", Orchid, 2999, &["pet-safe", "beginner"], "Long-lasting sprays of white flowers. The easiest orchid indoors."),
    entry("Dancing Lady Orchid", "Oncidium sphacelatum", Orchid, 3999, &["pet-safe", "fragrant"], "Sprays of small yellow flowers that seem to dance on their stems."),
    entry("Slipper Orchid", "Paphiopedilum insigne", Orchid, 5499, &["pet-safe", "rare"], "A single glossy bloom with a pouch-shaped lip."),
    entry("Cattleya Orchid", "Cattleya labiata", Orchid, 4999, &["pet-safe", "fragrant"], "Large, ruffled, fragrant flowers. Needs bright light to bloom."),
    entry("Sweet Basil", "Ocimum basilicum", Herb, 599, &["edible", "fragrant", "fast-growing"], "The pesto herb. Pinch off flower buds to keep the leaves coming."),
    entry("Rosemary", "Salvia rosmarinus", Herb, 899, &["edible", "fragrant", "drought-tolerant"], "Needle-like aromatic leaves for roasts. Full sun and sharp drainage."),
    entry("Peppermint", "Mentha × piperita", Herb, 699, &["edible", "fragrant", "fast-growing"], "Vigorous and cooling. Best kept in its own pot."),
    entry("English Lavender", "Lavandula angustifolia", Herb, 1099, &["fragrant", "flowering", "toxic-to-pets"], "Silver foliage and purple spikes that scent the room."),
    entry("Common Thyme", "Thymus vulgaris", Herb, 599, &["edible", "compact", "drought-tolerant"], "Tiny aromatic leaves for the kitchen windowsill."),
    entry("Fiddle Leaf Fig", "Ficus lyrata", Tree, 5999, &["air-purifying", "large", "toxic-to-pets"], "Big violin-shaped leaves on an upright trunk. Dislikes being moved."),
    entry("Weeping Fig", "Ficus benjamina", Tree, 4499, &["air-purifying", "toxic-to-pets"], "Small glossy leaves on graceful drooping branches."),
    entry("Money Tree", "Pachira aquatica", Tree, 3999, &["pet-safe", "beginner"], "Braided trunks topped with hand-shaped leaves."),
    entry("Olive Tree", "Olea europaea", Tree, 6999, &["pet-safe", "drought-tolerant", "large"], "Silvery Mediterranean foliage. Needs the sunniest spot you have."),
    entry("Meyer Lemon Tree", "Citrus × meyeri", Tree, 7499, &["edible", "fragrant", "toxic-to-pets"], "Fragrant blossoms followed by sweet, thin-skinned lemons."),
    entry("Venus Flytrap", "Dionaea muscipula", Carnivorous, 1499, &["pet-safe", "humidity-loving", "compact"], "Toothed traps that snap shut on insects. Water with rainwater only."),
    entry("Cape Sundew", "Drosera capensis", Carnivorous, 1299, &["pet-safe", "beginner", "compact"], "Leaves covered in sticky, glistening tentacles that curl around prey."),
    entry("Tropical Pitcher Plant", "Nepenthes alata", Carnivorous, 2999, &["pet-safe", "humidity-loving", "trailing"], "Hanging pitchers that lure insects with nectar."),
    entry("Mexican Butterwort", "Pinguicula moranensis", Carnivorous, 1199, &["pet-safe", "compact", "rare"], "Greasy leaf rosettes that trap gnats, and pink spring flowers."),
];

/// Cents endings that make a price look like a shop price (`24.99`, `24.50`).
const PRICE_ENDINGS: [i64; 6] = [99, 99, 99, 50, 95, 0];

/// Low-stock thresholds, weighted towards the default of 5.
const THRESHOLDS: [i64; 6] = [2, 3, 5, 5, 5, 10];

/// Days before [`EPOCH_SECONDS`] when the last seeded customer signed up;
/// customers sign up from the start of the history until then.
const CUSTOMERS_END_DAYS: i64 = 180;

/// Days before [`EPOCH_SECONDS`] when seeded orders start.
const ORDERS_START_DAYS: i64 = 360;

/// What to seed: the seed and how many of each resource to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) seed: u64,
    pub(crate) plants: usize,
    pub(crate) customers: usize,
    pub(crate) orders: usize,
}

impl Plan {
    pub(crate) fn from_config(config: &crate::MockConfig) -> Self {
        Self {
            seed: config.seed,
            plants: config.plants,
            customers: config.customers,
            orders: config.orders,
        }
    }
}

/// Builds the seeded state for `plan`.
pub(crate) fn generate(plan: &Plan) -> State {
    let mut state = generate_plants(plan.seed, plan.plants);
    let epoch = epoch();
    let start = epoch - Duration::days(HISTORY_DAYS);

    customers::add(
        &mut state,
        plan.seed,
        plan.customers,
        start,
        epoch - Duration::days(CUSTOMERS_END_DAYS),
    );
    orders::add(
        &mut state,
        plan.seed,
        plan.orders,
        epoch - Duration::days(ORDERS_START_DAYS),
        epoch,
    );
    state
}

/// Builds the seeded state with `count` plants.
fn generate_plants(seed: u64, count: usize) -> State {
    let mut rng = SplitMix64::new(seed);
    let mut ids = IdGenerator::new(seed ^ ID_STREAM);

    let mut order: Vec<usize> = (0..CATALOGUE.len()).collect();
    rng.shuffle(&mut order);

    let epoch = epoch();
    let history_ms = Duration::days(HISTORY_DAYS).num_milliseconds();
    let step_ms = (history_ms / count.max(1) as i64).max(1);
    let start = epoch - Duration::days(HISTORY_DAYS);

    let mut plants = BTreeMap::new();
    for index in 0..count {
        let entry = &CATALOGUE[order[index % CATALOGUE.len()]];
        let size = SIZES[(index / CATALOGUE.len()) % SIZES.len()];

        // Creation times rise with the index, one random instant per step,
        // so creation order and id order agree.
        let offset = step_ms.saturating_mul(index as i64) + rng.below(step_ms as u64) as i64;
        let created_at = start + Duration::milliseconds(offset / 1000 * 1000);
        let updated_at = if rng.percent(60) {
            let room = (epoch - created_at).num_seconds().clamp(0, 60 * 86_400);
            created_at + Duration::seconds(rng.between(0, room))
        } else {
            created_at
        };

        let low_stock_threshold = *rng.pick(&THRESHOLDS);
        let stock = seeded_stock(&mut rng, index, low_stock_threshold);

        let mut plant = PlantRecord {
            id: ids.next(ids::PLANT),
            name: sized_name(entry.name, size.0),
            species: entry.species.to_owned(),
            category: entry.category.clone(),
            description: format!(
                "{} Supplied in a {}-inch nursery pot.",
                entry.description, size.1
            ),
            tags: seeded_tags(entry, size.0),
            price: seeded_price(&mut rng, entry.base_price, size.2),
            currency: "usd".to_owned(),
            stock,
            low_stock_threshold,
            status: letta::types::PlantStatus::InStock,
            created_at,
            updated_at,
            json: crate::store::JsonCache::default(),
        };
        plant.refresh_status();
        plants.insert(plant.id.clone(), plant);
    }

    State {
        ids,
        clock: epoch,
        plants,
        customers: BTreeMap::new(),
        orders: BTreeMap::new(),
        payments: BTreeMap::new(),
        events: EventLog::default(),
        webhooks: BTreeMap::new(),
        deliveries: BTreeMap::new(),
    }
}

fn epoch() -> DateTime<Utc> {
    // 2025-06-01T00:00:00Z is a valid, unambiguous UTC instant.
    Utc.timestamp_opt(EPOCH_SECONDS, 0)
        .single()
        .unwrap_or_default()
}

fn sized_name(name: &str, size: &str) -> String {
    if size.is_empty() {
        name.to_owned()
    } else {
        format!("{name} ({size})")
    }
}

fn seeded_tags(entry: &CatalogueEntry, size: &str) -> Vec<String> {
    let mut tags: Vec<String> = entry.tags.iter().map(|tag| (*tag).to_owned()).collect();
    if matches!(size, "Large" | "XL") && !tags.iter().any(|tag| tag == "large") {
        tags.push("large".to_owned());
    }
    if size == "Mini" && !tags.iter().any(|tag| tag == "compact") {
        tags.push("compact".to_owned());
    }
    tags
}

/// Scales the base price by the size, varies it by up to 10 % either way and
/// rounds it to a whole dollar plus a shop-like ending.
fn seeded_price(rng: &mut SplitMix64, base_price: i64, size_per_mille: i64) -> i64 {
    let jitter_per_mille = rng.between(900, 1100);
    let cents = base_price * size_per_mille / 1000 * jitter_per_mille / 1000;
    let dollars = (cents / 100).max(3);
    dollars * 100 + rng.pick(&PRICE_ENDINGS)
}

/// Picks a stock level. The first three plants are in stock, low and out of
/// stock, so every status occurs whenever there are at least three plants.
fn seeded_stock(rng: &mut SplitMix64, index: usize, threshold: i64) -> i64 {
    let roll = match index {
        0 => 50,
        1 => 15,
        2 => 0,
        _ => rng.below(100),
    };
    match roll {
        0..10 => 0,
        10..25 => rng.between(1, threshold),
        _ => rng.between(threshold + 1, threshold + 80),
    }
}

#[cfg(test)]
mod tests {
    use letta::types::PlantStatus;

    use super::*;

    #[test]
    fn same_seed_gives_identical_state() {
        assert_eq!(generate_plants(42, 50), generate_plants(42, 50));
    }

    #[test]
    fn different_seeds_differ() {
        assert_ne!(generate_plants(1, 10).plants, generate_plants(2, 10).plants);
    }

    #[test]
    fn every_status_occurs() {
        let state = generate_plants(42, 3);
        let statuses: Vec<&PlantStatus> =
            state.plants.values().map(|plant| &plant.status).collect();
        assert!(statuses.contains(&&PlantStatus::InStock));
        assert!(statuses.contains(&&PlantStatus::LowStock));
        assert!(statuses.contains(&&PlantStatus::OutOfStock));
    }

    #[test]
    fn creation_times_follow_id_order() {
        let state = generate_plants(42, 500);
        let times: Vec<_> = state
            .plants
            .values()
            .map(|plant| plant.created_at)
            .collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]));
        assert!(times.iter().all(|time| *time <= epoch()));
    }

    #[test]
    fn prices_look_like_shop_prices() {
        let state = generate_plants(42, 120);
        for plant in state.plants.values() {
            assert!(
                PRICE_ENDINGS.contains(&(plant.price % 100)),
                "{}",
                plant.price
            );
            assert!(plant.price >= 300, "{}", plant.price);
        }
    }
}
