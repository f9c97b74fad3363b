//! Routes about the server itself: health and the OpenAPI document.

use std::sync::OnceLock;

use axum::Json;
use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::problem::ApiError;

/// The OpenAPI document, compiled into the binary.
const OPENAPI_YAML: &str = include_str!("../../../docs/openapi.yaml");

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.yaml", get(openapi_yaml))
        .route("/openapi.json", get(openapi_json))
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

async fn openapi_yaml() -> Response {
    ([(CONTENT_TYPE, "application/yaml")], OPENAPI_YAML).into_response()
}

async fn openapi_json() -> Result<Response, ApiError> {
    static CONVERTED: OnceLock<Result<String, String>> = OnceLock::new();

    let converted = CONVERTED.get_or_init(|| {
        let document: serde_yaml_ng::Value =
            serde_yaml_ng::from_str(OPENAPI_YAML).map_err(|error| error.to_string())?;
        serde_json::to_string(&yaml_to_json(document)).map_err(|error| error.to_string())
    });
    match converted {
        Ok(json) => Ok(([(CONTENT_TYPE, "application/json")], json.clone()).into_response()),
        Err(error) => {
            tracing::error!(%error, "failed to convert the OpenAPI document to JSON");
            Err(ApiError::internal())
        }
    }
}

/// Converts YAML to JSON. Mapping keys that are not strings (YAML reads an
/// unquoted `200:` as a number) become their string form, as JSON requires.
fn yaml_to_json(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Yaml;

    match value {
        Yaml::Null => Value::Null,
        Yaml::Bool(flag) => Value::Bool(flag),
        Yaml::Number(number) => {
            if let Some(integer) = number.as_i64() {
                Value::from(integer)
            } else if let Some(integer) = number.as_u64() {
                Value::from(integer)
            } else {
                number.as_f64().map_or(Value::Null, Value::from)
            }
        }
        Yaml::String(text) => Value::String(text),
        Yaml::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Yaml::Mapping(mapping) => Value::Object(
            mapping
                .into_iter()
                .map(|(key, value)| (yaml_key(key), yaml_to_json(value)))
                .collect(),
        ),
        Yaml::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_key(key: serde_yaml_ng::Value) -> String {
    match yaml_to_json(key) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_keys_become_strings() {
        let yaml: serde_yaml_ng::Value =
            serde_yaml_ng::from_str("responses:\n  200:\n    description: ok\n")
                .expect("valid YAML literal");
        assert_eq!(
            yaml_to_json(yaml),
            json!({"responses": {"200": {"description": "ok"}}})
        );
    }
}
