//! Resource identifiers: a type prefix, a sequence number and a random tail.
//!
//! `plt_000000014XK9QF2M` is `plt_`, then 8 characters of Crockford base32
//! encoding the per-type sequence number, then 8 characters drawn from the
//! seeded generator. The fixed-width sequence makes ids sort in
//! creation order; the random tail keeps them opaque but reproducible.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// Crockford's base32 alphabet: digits and uppercase letters without I, L, O
/// and U. Its ASCII order matches the digit values, so encoded numbers of
/// equal width sort numerically.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters in each of the two parts after the prefix.
const PART_LEN: usize = 8;

/// Prefix of plant ids.
pub(crate) const PLANT: &str = "plt";
/// Prefix of customer ids.
pub(crate) const CUSTOMER: &str = "cus";
/// Prefix of order ids.
pub(crate) const ORDER: &str = "ord";
/// Prefix of payment ids.
pub(crate) const PAYMENT: &str = "pay";
/// Prefix of event ids.
pub(crate) const EVENT: &str = "evt";
/// Prefix of webhook endpoint ids.
pub(crate) const WEBHOOK: &str = "whk";
/// Prefix of webhook delivery attempt ids.
pub(crate) const DELIVERY: &str = "del";

/// Issues ids for every resource type from one seeded generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IdGenerator {
    rng: SplitMix64,
    /// Last sequence number issued, per type prefix.
    sequences: BTreeMap<String, u64>,
}

impl IdGenerator {
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            rng: SplitMix64::new(seed),
            sequences: BTreeMap::new(),
        }
    }

    /// Issues the next id for `prefix`.
    pub(crate) fn next(&mut self, prefix: &str) -> String {
        let sequence = self.sequences.entry(prefix.to_owned()).or_insert(0);
        *sequence += 1;
        let sequence = *sequence;

        let mut id = String::with_capacity(prefix.len() + 1 + 2 * PART_LEN);
        id.push_str(prefix);
        id.push('_');
        push_base32(&mut id, sequence);
        push_base32(&mut id, self.rng.next_u64());
        id
    }
}

/// Appends the low 40 bits of `value` as 8 base32 characters.
pub(crate) fn push_base32(out: &mut String, value: u64) {
    for index in (0..PART_LEN).rev() {
        let digit = (value >> (5 * index)) & 31;
        out.push(char::from(ALPHABET[digit as usize]));
    }
}

/// Returns true when `id` has the shape of an id with `prefix`.
pub(crate) fn is_well_formed(id: &str, prefix: &str) -> bool {
    let Some(rest) = id
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
    else {
        return false;
    };
    rest.len() == 2 * PART_LEN && rest.bytes().all(|byte| ALPHABET.contains(&byte))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order() {
        let mut ids = IdGenerator::new(1);
        let issued: Vec<String> = (0..100).map(|_| ids.next(PLANT)).collect();
        let mut sorted = issued.clone();
        sorted.sort();
        assert_eq!(issued, sorted);
    }

    #[test]
    fn ids_have_documented_shape() {
        let mut ids = IdGenerator::new(1);
        let id = ids.next(PLANT);
        assert_eq!(id.len(), 20, "{id}");
        assert!(id.starts_with("plt_00000001"), "{id}");
        assert!(is_well_formed(&id, PLANT), "{id}");
    }

    #[test]
    fn same_seed_gives_same_ids() {
        let mut first = IdGenerator::new(9);
        let mut second = IdGenerator::new(9);
        assert_eq!(first.next(PLANT), second.next(PLANT));
    }

    #[test]
    fn malformed_ids_are_detected() {
        assert!(!is_well_formed("plt_short", PLANT));
        assert!(!is_well_formed("cus_00000001abcdefgh", PLANT));
        assert!(!is_well_formed("plt_00000001abcdefgh", PLANT));
        assert!(!is_well_formed("plt_00000001ABCDEFGI", PLANT));
        assert!(is_well_formed("plt_00000001ABCDEFGH", PLANT));
    }
}
