use serde::{Deserialize, Serialize};

/// The envelope of every list response.
///
/// Page mode (`page=N`) fills `page`; keyset mode (`starting_after=ID`) leaves
/// it out. The end of a list is `has_more == false`, never a short page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ListResponse<T> {
    /// The items of this page, in the requested order.
    pub data: Vec<T>,
    /// The 1-based page number, present in page mode only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The page size the server applied.
    pub limit: u32,
    /// Number of items matching the filters, across all pages.
    pub total: u64,
    /// Whether more items follow this page.
    pub has_more: bool,
}

impl<T> ListResponse<T> {
    /// Creates a list response.
    pub fn new(data: Vec<T>, page: Option<u32>, limit: u32, total: u64, has_more: bool) -> Self {
        Self {
            data,
            page,
            limit,
            total,
            has_more,
        }
    }
}
