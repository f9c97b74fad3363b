//! Field checks for JSON request bodies that collect every error at once.

use std::ops::RangeInclusive;
use std::str::FromStr;

use letta::types::FieldError;
use serde_json::{Map, Value};

use crate::body::json_type_name;
use crate::problem::ApiError;

/// Length limits and blank handling for a string field.
#[derive(Debug, Clone)]
pub(crate) struct StringRule {
    /// Allowed length in Unicode scalar values.
    pub(crate) chars: RangeInclusive<usize>,
    /// Whether a value of only whitespace is rejected.
    pub(crate) reject_blank: bool,
}

/// Collects field errors while a handler reads a JSON object.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(body: &'a Map<String, Value>) -> Self {
        Self {
            body,
            errors: Vec::new(),
        }
    }

    /// Records an error for every member that is read-only or not in `known`.
    pub(crate) fn reject_unknown(&mut self, known: &[&str], read_only: &[(&str, &str)]) {
        for name in self.body.keys() {
            if known.contains(&name.as_str()) {
                continue;
            }
            let detail = match read_only.iter().find(|(field, _)| field == name) {
                Some((_, detail)) => (*detail).to_owned(),
                None => "unknown field".to_owned(),
            };
            self.errors.push(FieldError::new(pointer(&[name]), detail));
        }
    }

    /// Returns the member `name`, or `None` when absent.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.body.get(name)
    }

    /// Records an error at `/name`.
    pub(crate) fn error(&mut self, name: &str, detail: impl Into<String>) {
        self.errors.push(FieldError::new(pointer(&[name]), detail));
    }

    /// Records an error at `name` when the member is absent or null.
    pub(crate) fn required(&mut self, name: &str) -> Option<&'a Value> {
        match self.get(name) {
            None => {
                self.error(name, "is required");
                None
            }
            Some(Value::Null) => {
                self.error(name, "must not be null");
                None
            }
            Some(value) => Some(value),
        }
    }

    /// Checks a string value against `rule`.
    pub(crate) fn string(
        &mut self,
        name: &str,
        value: &Value,
        rule: &StringRule,
    ) -> Option<String> {
        let Value::String(text) = value else {
            self.error(name, type_mismatch("a string", value));
            return None;
        };
        match check_string(text, rule) {
            Ok(()) => Some(text.clone()),
            Err(detail) => {
                self.error(name, detail);
                None
            }
        }
    }

    /// Records an error at the JSON Pointer `pointer`, for nested members.
    pub(crate) fn error_at(&mut self, pointer: String, detail: impl Into<String>) {
        self.errors.push(FieldError::new(pointer, detail));
    }

    /// Checks an integer value against `range`. Numbers with a fraction
    /// (`12.5`, and also `12.0`) and numeric strings are rejected.
    pub(crate) fn integer(
        &mut self,
        name: &str,
        value: &Value,
        range: RangeInclusive<i64>,
    ) -> Option<i64> {
        self.integer_at(pointer(&[name]), value, range)
    }

    /// Checks an integer value against `range`, reporting errors at the
    /// JSON Pointer `at`.
    pub(crate) fn integer_at(
        &mut self,
        at: String,
        value: &Value,
        range: RangeInclusive<i64>,
    ) -> Option<i64> {
        let number = match value {
            Value::Number(number) if !number.is_f64() => number.as_i64(),
            // JSON Schema, which docs/openapi.yaml uses, counts a number
            // whose fraction is zero (`12.0`) as an integer.
            Value::Number(number) if number.as_f64().is_some_and(|float| float.fract() == 0.0) => {
                number.as_f64().and_then(whole_number)
            }
            _ => {
                self.error_at(at, type_mismatch("an integer", value));
                return None;
            }
        };
        match number {
            Some(number) if range.contains(&number) => Some(number),
            _ => {
                self.error_at(at, out_of_range(&range));
                None
            }
        }
    }

    /// Checks a string value against the known values of `T`.
    pub(crate) fn one_of<T: FromStr>(
        &mut self,
        name: &str,
        value: &Value,
        allowed: &[&str],
    ) -> Option<T> {
        let Value::String(text) = value else {
            self.error(name, type_mismatch("a string", value));
            return None;
        };
        match text.parse() {
            Ok(parsed) => Some(parsed),
            Err(_) => {
                self.error(name, format!("must be one of {}", allowed.join(", ")));
                None
            }
        }
    }

    /// Checks an array of strings, with at most `max_items` entries each
    /// matching `rule`, and removes duplicates while keeping the first of each.
    pub(crate) fn string_list(
        &mut self,
        name: &str,
        value: &Value,
        max_items: usize,
        rule: &StringRule,
    ) -> Option<Vec<String>> {
        let Value::Array(items) = value else {
            self.error(name, type_mismatch("an array of strings", value));
            return None;
        };
        if items.len() > max_items {
            self.error(name, format!("must have at most {max_items} items"));
            return None;
        }

        let mut list: Vec<String> = Vec::with_capacity(items.len());
        let mut valid = true;
        for (index, item) in items.iter().enumerate() {
            let checked = match item {
                Value::String(text) => check_string(text, rule).map(|()| text),
                other => Err(type_mismatch("a string", other)),
            };
            match checked {
                Ok(text) if !list.contains(text) => list.push(text.clone()),
                Ok(_) => {}
                Err(detail) => {
                    valid = false;
                    let index = index.to_string();
                    self.errors
                        .push(FieldError::new(pointer(&[name, &index]), detail));
                }
            }
        }
        valid.then_some(list)
    }

    /// Records an error for the whole body (the empty JSON Pointer).
    pub(crate) fn body_error(&mut self, detail: impl Into<String>) {
        self.errors.push(FieldError::new("", detail));
    }

    /// Returns `422 validation_failed` listing every recorded error, if any.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::validation_failed(self.errors))
        }
    }
}

fn check_string(text: &str, rule: &StringRule) -> Result<(), String> {
    let length = text.chars().count();
    if rule.reject_blank && !text.is_empty() && text.trim().is_empty() {
        return Err("must not be blank".to_owned());
    }
    if length < *rule.chars.start() {
        return Err(match *rule.chars.start() {
            1 => "must not be empty".to_owned(),
            min => format!("must have at least {min} characters"),
        });
    }
    if length > *rule.chars.end() {
        return Err(format!("must have at most {} characters", rule.chars.end()));
    }
    Ok(())
}

/// Converts a float without a fraction to an `i64`; `None` (reported as
/// out of range) beyond 2^53, where floats stop being exact integers.
fn whole_number(number: f64) -> Option<i64> {
    const EXACT_LIMIT: f64 = 9_007_199_254_740_992.0;
    // The cast is exact: `number` is whole and within 2^53.
    (number.abs() <= EXACT_LIMIT).then_some(number as i64)
}

fn type_mismatch(expected: &str, found: &Value) -> String {
    format!("must be {expected}, not {}", json_type_name(found))
}

fn out_of_range(range: &RangeInclusive<i64>) -> String {
    format!(
        "must be an integer from {} to {}",
        range.start(),
        range.end()
    )
}

/// Builds an RFC 6901 JSON Pointer from reference tokens.
pub(crate) fn pointer(tokens: &[&str]) -> String {
    let mut out = String::new();
    for token in tokens {
        out.push('/');
        out.push_str(&token.replace('~', "~0").replace('/', "~1"));
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const NAME: StringRule = StringRule {
        chars: 1..=5,
        reject_blank: true,
    };

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn pointer_escapes_tokens() {
        assert_eq!(pointer(&["a/b", "m~n"]), "/a~1b/m~0n");
        assert_eq!(pointer(&["tags", "0"]), "/tags/0");
    }

    #[test]
    fn strings_check_length_and_blank() {
        let body = Map::new();
        let mut fields = Fields::new(&body);
        assert_eq!(
            fields.string("name", &json!("abc"), &NAME),
            Some("abc".to_owned())
        );
        assert_eq!(fields.string("name", &json!(""), &NAME), None);
        assert_eq!(fields.string("name", &json!("   "), &NAME), None);
        assert_eq!(fields.string("name", &json!("abcdef"), &NAME), None);
        assert_eq!(fields.string("name", &json!(5), &NAME), None);
        assert_eq!(fields.errors.len(), 4);
    }

    #[test]
    fn integers_reject_fractions_and_strings() {
        let body = Map::new();
        let mut fields = Fields::new(&body);
        assert_eq!(fields.integer("n", &json!(7), 0..=10), Some(7));
        assert_eq!(fields.integer("n", &json!(7.0), 0..=10), Some(7));
        assert_eq!(fields.integer("n", &json!(7.5), 0..=10), None);
        assert_eq!(fields.integer("n", &json!(11.0), 0..=10), None);
        assert_eq!(fields.integer("n", &json!(1e300), 0..=10), None);
        assert_eq!(fields.integer("n", &json!("7"), 0..=10), None);
        assert_eq!(fields.integer("n", &json!(11), 0..=10), None);
        assert_eq!(fields.integer("n", &json!(u64::MAX), 0..=10), None);
    }

    #[test]
    fn string_list_dedupes_and_points_at_items() {
        let body = Map::new();
        let mut fields = Fields::new(&body);
        let list = fields.string_list("tags", &json!(["a", "b", "a"]), 3, &NAME);
        assert_eq!(list, Some(vec!["a".to_owned(), "b".to_owned()]));

        assert_eq!(fields.string_list("tags", &json!(["a", 1]), 3, &NAME), None);
        assert_eq!(fields.errors[0].pointer, "/tags/1");
    }

    #[test]
    fn unknown_and_read_only_fields_are_reported() {
        let body = object(json!({"name": "x", "colour": "red", "status": "in_stock"}));
        let mut fields = Fields::new(&body);
        fields.reject_unknown(&["name"], &[("status", "is read-only")]);
        let pointers: Vec<&str> = fields.errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/colour", "/status"]);
        assert_eq!(fields.errors[1].detail, "is read-only");
    }
}
