//! The operations of `docs/openapi.yaml`, for the tests that check the
//! operation table of `letta_tests::operations` against the spec.

use letta_tests::operations::spec_path;

/// An operation of the spec: an entry under `paths` or under `webhooks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecOperation {
    /// The `operationId`.
    pub(crate) operation_id: String,
    /// The HTTP method in upper case, such as `GET`.
    pub(crate) method: String,
    /// The path template such as `/v1/plants/{id}`, or the webhook's name
    /// such as `plant.created`.
    pub(crate) path: String,
    /// Whether the entry is under `webhooks` rather than `paths`.
    pub(crate) webhook: bool,
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Reads every operation of `docs/openapi.yaml`, `paths` first, each section
/// in document order.
///
/// # Panics
///
/// When the document cannot be read or parsed, or an operation has no
/// `operationId`, which fails the calling test.
pub(crate) fn spec_operations() -> Vec<SpecOperation> {
    let path = spec_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let document: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not valid YAML: {error}", path.display()));

    let mut operations = Vec::new();
    for (section, webhook) in [("paths", false), ("webhooks", true)] {
        let Some(entries) = document.get(section).and_then(|value| value.as_mapping()) else {
            continue;
        };
        for (name, item) in entries {
            let name = name.as_str().expect("path and webhook names are strings");
            for method in HTTP_METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let operation_id = operation
                    .get("operationId")
                    .and_then(|value| value.as_str())
                    .unwrap_or_else(|| panic!("{method} {name} has no operationId"));
                operations.push(SpecOperation {
                    operation_id: operation_id.to_owned(),
                    method: method.to_uppercase(),
                    path: name.to_owned(),
                    webhook,
                });
            }
        }
    }
    operations
}
