//! Helpers shared by the lists in creation order (customers, orders,
//! payments, events), and the state file form of a resource map.

use std::collections::BTreeMap;

use letta::types::FieldError;

use crate::ids;
use crate::pagination::{HasId, PageOf, PageRequest, slice_page};
use crate::problem::ApiError;

/// Checks that a `starting_after` cursor has the shape of a `prefix` id.
pub(crate) fn check_cursor(cursor: &str, prefix: &str, kind: &str) -> Result<(), ApiError> {
    if ids::is_well_formed(cursor, prefix) {
        return Ok(());
    }
    Err(ApiError::invalid_parameters(vec![FieldError::new(
        "starting_after",
        format!("`{cursor}` is not {kind} id"),
    )]))
}

/// Returns one page of the items of `map` that match `filter`, in id order,
/// which is creation order.
///
/// A keyset cursor must have the shape of a `prefix` id but need not exist
/// any more: the page starts at the first id after it.
pub(crate) fn page_by_id<T: HasId + Clone>(
    map: &BTreeMap<String, T>,
    filter: impl Fn(&T) -> bool,
    page: &PageRequest,
    prefix: &str,
    kind: &str,
) -> Result<PageOf<T>, ApiError> {
    let matching: Vec<&T> = map.values().filter(|item| filter(item)).collect();
    let page = slice_page(&matching, page, |cursor| {
        check_cursor(cursor, prefix, kind)?;
        Ok(matching.partition_point(|item| item.id() <= cursor))
    })?;
    Ok(page.cloned())
}

impl<T: Clone> PageOf<&T> {
    /// Clones the items of a page of references.
    pub(crate) fn cloned(self) -> PageOf<T> {
        PageOf {
            items: self.items.into_iter().cloned().collect(),
            page: self.page,
            limit: self.limit,
            total: self.total,
            has_more: self.has_more,
        }
    }
}

/// Serializes a resource map as a list in id order, and rejects duplicate
/// ids when reading it back. A missing list reads as empty, so state files
/// written before a resource existed still load.
pub(crate) mod as_list {
    use std::collections::BTreeMap;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::pagination::HasId;

    pub(crate) fn serialize<S: Serializer, T: Serialize>(
        map: &BTreeMap<String, T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.values())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de> + HasId>(
        deserializer: D,
    ) -> Result<BTreeMap<String, T>, D::Error> {
        let list = Vec::<T>::deserialize(deserializer)?;
        let mut map = BTreeMap::new();
        for item in list {
            let id = item.id().to_owned();
            if map.insert(id.clone(), item).is_some() {
                return Err(D::Error::custom(format!("duplicate id `{id}`")));
            }
        }
        Ok(map)
    }
}

/// Issues the next id for `prefix` that `map` does not hold yet. Only a
/// hand-edited state file can make an issued id collide.
pub(crate) fn fresh_id<T>(
    generator: &mut ids::IdGenerator,
    prefix: &str,
    map: &BTreeMap<String, T>,
) -> String {
    let mut id = generator.next(prefix);
    while map.contains_key(&id) {
        id = generator.next(prefix);
    }
    id
}
