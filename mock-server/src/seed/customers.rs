//! Seeded customers: realistic names, unique emails on reserved domains and
//! fictional phone numbers.

use chrono::{DateTime, Duration, Utc};

use crate::ids;
use crate::rng::SplitMix64;
use crate::store::{CustomerRecord, State};

/// Mixed into the seed for the customer stream, so adding customers leaves
/// the plants unchanged.
const CUSTOMER_STREAM: u64 = 0xC05_7003_E125;

#[rustfmt::skip]
const FIRST_NAMES: [&str; 48] = [
    "Ada", "Amara", "Ben", "Bianca", "Carlos", "Chloe", "Daniel", "Dina", "Elif", "Emma",
    "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Jade", "Jonas", "Kenji",
    "Keira", "Leila", "Liam", "Lucia", "Mateo", "Maya", "Nadia", "Noah", "Olga", "Omar",
    "Priya", "Quinn", "Rafael", "Rosa", "Samir", "Sofia", "Tariq", "Tessa", "Umar", "Vera",
    "Wei", "Willa", "Xavier", "Yara", "Yusuf", "Zoe", "Zainab", "Theo",
];

#[rustfmt::skip]
const LAST_NAMES: [&str; 48] = [
    "Adams", "Alvarez", "Bauer", "Bianchi", "Chen", "Costa", "Dubois", "Dlamini", "Eriksen", "Evans",
    "Fischer", "Fernandes", "Garcia", "Gupta", "Hansen", "Haddad", "Ito", "Ivanova", "Jensen", "Johnson",
    "Kim", "Kowalski", "Lopez", "Larsen", "Martin", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen",
    "Patel", "Petrov", "Quispe", "Rossi", "Rahman", "Santos", "Schmidt", "Silva", "Tanaka", "Torres",
    "Usman", "Vargas", "Weber", "Wong", "Xu", "Yilmaz", "Young", "Zhang",
];

/// Reserved example domains (RFC 2606), so no seeded email reaches anyone.
const DOMAINS: [&str; 3] = ["example.com", "example.org", "example.net"];

/// Area codes for phone numbers; the `555-01XX` exchange is reserved for
/// fiction in the North American Numbering Plan.
const AREA_CODES: [u32; 8] = [202, 206, 212, 303, 312, 415, 503, 617];

/// Adds `count` customers created between `from` and `until`, in id order.
pub(super) fn add(
    state: &mut State,
    seed: u64,
    count: usize,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) {
    let mut rng = SplitMix64::new(seed ^ CUSTOMER_STREAM);
    let span_ms = (until - from).num_milliseconds().max(1);
    let step_ms = (span_ms / count.max(1) as i64).max(1);

    for index in 0..count {
        let first = *rng.pick(&FIRST_NAMES);
        let last = *rng.pick(&LAST_NAMES);
        let domain = *rng.pick(&DOMAINS);
        // The index keeps every email unique, whatever names repeat.
        let email = match rng.below(3) {
            0 => format!("{}.{}{index}@{domain}", lower(first), lower(last)),
            1 => format!("{}{}{index}@{domain}", lower(&first[..1]), lower(last)),
            _ => format!("{}_{}{index}@{domain}", lower(last), lower(first)),
        };
        let phone = rng
            .percent(70)
            .then(|| format!("+1{}55501{:02}", rng.pick(&AREA_CODES), rng.below(100)));

        let offset = step_ms.saturating_mul(index as i64) + rng.below(step_ms as u64) as i64;
        let created_at = from + Duration::milliseconds(offset / 1000 * 1000);
        let updated_at = if rng.percent(20) {
            created_at + Duration::days(rng.between(1, 90))
        } else {
            created_at
        }
        .min(until);

        let customer = CustomerRecord {
            id: state.ids.next(ids::CUSTOMER),
            name: format!("{first} {last}"),
            email,
            phone,
            created_at,
            updated_at,
        };
        state.customers.insert(customer.id.clone(), customer);
    }
}

fn lower(text: &str) -> String {
    text.to_lowercase()
}
