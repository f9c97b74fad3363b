//! Strict query-string parsing.
//!
//! An unknown parameter, a parameter given twice and an empty value are all
//! `400 invalid_parameter` naming the parameter, so a typo never passes
//! silently. Errors are collected, and [`QueryParams::finish`] reports them
//! all at once.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use letta::types::FieldError;

use crate::problem::ApiError;

/// The parameters of one request, checked against the endpoint's list.
#[derive(Debug)]
pub(crate) struct QueryParams {
    allowed: &'static [&'static str],
    values: BTreeMap<String, String>,
    errors: Vec<FieldError>,
}

impl QueryParams {
    /// Parses a raw query string (`application/x-www-form-urlencoded`).
    pub(crate) fn parse(raw: Option<&str>, allowed: &'static [&'static str]) -> Self {
        let mut params = Self {
            allowed,
            values: BTreeMap::new(),
            errors: Vec::new(),
        };
        let pairs = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes());

        for (name, value) in pairs {
            let name = name.into_owned();
            if allowed.is_empty() {
                params.reject(&name, "unknown parameter; this endpoint takes none");
            } else if !allowed.contains(&name.as_str()) {
                params.reject(
                    &name,
                    format!("unknown parameter; expected one of {}", allowed.join(", ")),
                );
            } else if params.values.contains_key(&name) {
                params.values.remove(&name);
                params.reject(&name, "must not be given more than once");
            } else if params.has_error(&name) {
                // Already rejected as repeated; a third copy adds nothing.
            } else if value.is_empty() {
                params.reject(&name, "must not be empty");
            } else {
                params.values.insert(name, value.into_owned());
            }
        }
        params
    }

    fn has_error(&self, name: &str) -> bool {
        self.errors.iter().any(|error| error.pointer == name)
    }

    /// Records an error for `name`.
    pub(crate) fn reject(&mut self, name: &str, detail: impl Into<String>) {
        self.errors.push(FieldError::new(name, detail));
    }

    /// Returns true when `name` was given (and not rejected).
    pub(crate) fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    /// Returns the raw value of `name`.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Parses `name` with `parse`, which returns the error detail on failure.
    pub(crate) fn parse_with<T>(
        &mut self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.values.get(name)?;
        match parse(raw) {
            Ok(value) => Some(value),
            Err(detail) => {
                self.reject(name, detail);
                None
            }
        }
    }

    /// Parses `name` as a decimal integer in `range`.
    pub(crate) fn integer(&mut self, name: &str, range: RangeInclusive<i64>) -> Option<i64> {
        self.parse_with(name, |raw| {
            let detail = || {
                format!(
                    "must be an integer from {} to {}",
                    range.start(),
                    range.end()
                )
            };
            let plain = !raw.is_empty()
                && raw
                    .bytes()
                    .all(|byte| byte.is_ascii_digit() || byte == b'-');
            match raw.parse::<i64>() {
                Ok(value) if plain && range.contains(&value) => Ok(value),
                _ => Err(detail()),
            }
        })
    }

    /// Returns the accepted parameters in the endpoint's order, leaving out
    /// `skip`, for building links that keep the request's filters.
    pub(crate) fn retained(&self, skip: &[&str]) -> Vec<(&'static str, String)> {
        self.allowed
            .iter()
            .filter(|name| !skip.contains(name))
            .filter_map(|name| self.values.get(*name).map(|value| (*name, value.clone())))
            .collect()
    }

    /// Returns `400 invalid_parameter` listing every recorded error, if any.
    pub(crate) fn finish(&self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid_parameters(self.errors.clone()))
        }
    }
}

/// An extractor for endpoints that take no query parameters: any parameter
/// is `400 invalid_parameter`, as on list endpoints, so that a stray
/// `?force=true` on a `DELETE` is reported rather than ignored.
#[derive(Debug)]
pub(crate) struct NoQuery;

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        QueryParams::parse(parts.uri.query(), &[]).finish()?;
        Ok(NoQuery)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALLOWED: &[&str] = &["limit", "q"];

    fn pointers(params: &QueryParams) -> Vec<&str> {
        params
            .errors
            .iter()
            .map(|error| error.pointer.as_str())
            .collect()
    }

    #[test]
    fn unknown_repeated_and_empty_are_rejected() {
        let params = QueryParams::parse(Some("limt=5&q=a&q=b&limit="), ALLOWED);
        assert_eq!(pointers(&params), ["limt", "q", "limit"]);
        assert!(!params.contains("q"));
    }

    #[test]
    fn values_are_percent_decoded() {
        let params = QueryParams::parse(Some("q=snake%20plant"), ALLOWED);
        assert_eq!(params.text("q"), Some("snake plant"));
    }

    #[test]
    fn integer_rejects_signs_and_text() {
        for raw in [
            "limit=abc",
            "limit=%2B5",
            "limit=1e3",
            "limit=-1",
            "limit=101",
        ] {
            let mut params = QueryParams::parse(Some(raw), ALLOWED);
            assert_eq!(params.integer("limit", 1..=100), None, "{raw}");
            assert_eq!(pointers(&params), ["limit"], "{raw}");
        }
        let mut params = QueryParams::parse(Some("limit=100"), ALLOWED);
        assert_eq!(params.integer("limit", 1..=100), Some(100));
    }
}
