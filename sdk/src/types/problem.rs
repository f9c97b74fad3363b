use serde::{Deserialize, Serialize};

/// An RFC 9457 problem details body (`application/problem+json`), as every
/// error response of the API carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Problem {
    /// URI reference naming the problem type.
    #[serde(rename = "type", default = "about_blank")]
    pub type_uri: String,
    /// Short summary of the problem type.
    #[serde(default)]
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// Explanation of this occurrence.
    #[serde(default)]
    pub detail: String,
    /// Stable snake_case code, for example `insufficient_stock`.
    #[serde(default)]
    pub code: String,
    /// The `Request-Id` of the failed request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Validation failures, one per offending field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The id of the failed payment that a `402 card_declined` problem
    /// reports as recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
}

impl Problem {
    /// Creates a problem with the given status, code, title and detail.
    pub fn new(
        status: u16,
        code: impl Into<String>,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        let code = code.into();
        Self {
            type_uri: format!("https://docs.letta.dev/errors/{code}"),
            title: title.into(),
            status,
            detail: detail.into(),
            code,
            request_id: None,
            errors: Vec::new(),
            payment_id: None,
        }
    }

    /// Adds one field error.
    #[must_use]
    pub fn with_error(mut self, error: FieldError) -> Self {
        self.errors.push(error);
        self
    }

    /// Sets the request id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

/// One validation failure inside a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldError {
    /// RFC 6901 JSON Pointer into the request body (`/items/0/quantity`), or
    /// the name of the query parameter for query errors.
    pub pointer: String,
    /// What is wrong with the value.
    pub detail: String,
}

impl FieldError {
    /// Creates a field error.
    pub fn new(pointer: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}
