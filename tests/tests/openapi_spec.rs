//! Checks `docs/openapi.yaml`, the API contract that the mock server, the SDK
//! and the CLI implement. The document must parse as OpenAPI 3.1 and name
//! exactly the expected operations. Every `$ref` must resolve, the shared
//! headers and parameters must be declared, and the schemas must agree with
//! the SDK's wire types.
//!
//! Structure checks walk the document as plain YAML, so they see every
//! `$ref` exactly as written. `oas3` is the independent parser that decides
//! whether the document is valid at all.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::Value;

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.yaml");

/// Every operation the contract defines, by `operationId`.
const EXPECTED_OPERATION_IDS: &[&str] = &[
    "listPlants",
    "createPlant",
    "getPlant",
    "updatePlant",
    "deletePlant",
    "adjustPlantStock",
    "streamPlantEvents",
    "listCustomers",
    "createCustomer",
    "getCustomer",
    "updateCustomer",
    "deleteCustomer",
    "listCustomerOrders",
    "listOrders",
    "createOrder",
    "getOrder",
    "cancelOrder",
    "fulfillOrder",
    "listPayments",
    "createPayment",
    "getPayment",
    "listEvents",
    "getEvent",
    "streamEvents",
    "listWebhooks",
    "createWebhook",
    "getWebhook",
    "updateWebhook",
    "deleteWebhook",
    "rotateWebhookSecret",
    "testWebhook",
    "listWebhookDeliveries",
    "retryWebhookDelivery",
    "getHealth",
    "getOpenApi",
    "getOpenApiJson",
    "adminReset",
    "adminGetRateLimit",
    "adminSetRateLimit",
    "adminGetJournal",
    "adminClearJournal",
    "adminGetFaults",
    "adminAddFault",
    "adminClearFaults",
    "adminGetFault",
    "adminDeleteFault",
    "adminTriggerEvent",
    "adminListWebhookDeliveries",
];

/// Operations that need no API key and sit outside `/v1`.
const PUBLIC_PATHS: &[&str] = &["/health", "/openapi.yaml", "/openapi.json"];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation of the document, as written.
struct Operation<'a> {
    path: String,
    method: &'static str,
    id: Option<String>,
    node: &'a Value,
    path_item: &'a Value,
}

impl Operation<'_> {
    /// Names the operation in assertion messages.
    fn label(&self) -> String {
        let id = self.id.as_deref().unwrap_or("<no operationId>");
        format!("{id} ({} {})", self.method.to_uppercase(), self.path)
    }

    fn is_v1(&self) -> bool {
        self.path.starts_with("/v1/")
    }

    fn is_list(&self) -> bool {
        self.id.as_deref().is_some_and(|id| id.starts_with("list"))
    }
}

fn spec_text() -> String {
    std::fs::read_to_string(SPEC_PATH)
        .unwrap_or_else(|error| panic!("failed to read {SPEC_PATH}: {error}"))
}

/// Parses the document with `oas3`, failing with the parser's message.
fn parse_with_oas3() -> oas3::Spec {
    oas3::from_yaml(spec_text()).unwrap_or_else(|error| {
        panic!("docs/openapi.yaml is not a valid OpenAPI document: {error}")
    })
}

fn raw_document() -> Value {
    serde_yaml_ng::from_str(&spec_text())
        .unwrap_or_else(|error| panic!("docs/openapi.yaml is not valid YAML: {error}"))
}

/// Resolves a local reference (`#/components/...`, RFC 6901 escapes included).
fn resolve_pointer<'a>(document: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(document);
    }

    let mut node = document;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        node = match node {
            Value::Mapping(_) => node.get(token.as_str())?,
            Value::Sequence(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Follows `$ref` until it reaches an object that is not a reference.
fn deref<'a>(document: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        node = resolve_pointer(document, reference)
            .unwrap_or_else(|| panic!("`$ref: {reference}` does not resolve"));
    }
    panic!("a `$ref` chain is longer than 16 links, so it probably forms a cycle");
}

/// Collects every `$ref` string with the location where it appears.
fn collect_refs(node: &Value, location: &str, refs: &mut Vec<(String, String)>) {
    match node {
        Value::Mapping(map) => {
            for (key, value) in map {
                let key = key
                    .as_str()
                    .map_or_else(|| format!("{key:?}"), str::to_owned);
                let token = key.replace('~', "~0").replace('/', "~1");
                let child = format!("{location}/{token}");
                if key == "$ref"
                    && let Some(reference) = value.as_str()
                {
                    refs.push((child.clone(), reference.to_owned()));
                }
                collect_refs(value, &child, refs);
            }
        }
        Value::Sequence(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_refs(item, &format!("{location}/{index}"), refs);
            }
        }
        _ => {}
    }
}

/// Lists the operations of a `paths` or `webhooks` mapping.
fn operations_in<'a>(section: Option<&'a Value>) -> Vec<Operation<'a>> {
    let Some(Value::Mapping(items)) = section else {
        return Vec::new();
    };

    let mut operations = Vec::new();
    for (path, path_item) in items {
        let path = path.as_str().unwrap_or_default().to_owned();
        for &method in HTTP_METHODS {
            if let Some(node) = path_item.get(method) {
                operations.push(Operation {
                    path: path.clone(),
                    method,
                    id: node
                        .get("operationId")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    node,
                    path_item,
                });
            }
        }
    }
    operations
}

fn path_operations(document: &Value) -> Vec<Operation<'_>> {
    operations_in(document.get("paths"))
}

fn webhook_operations(document: &Value) -> Vec<Operation<'_>> {
    operations_in(document.get("webhooks"))
}

/// Returns the resolved parameters of an operation, path-level ones included.
fn parameters<'a>(document: &'a Value, operation: &Operation<'a>) -> Vec<&'a Value> {
    [
        operation.path_item.get("parameters"),
        operation.node.get("parameters"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_sequence)
    .flatten()
    .map(|parameter| deref(document, parameter))
    .collect()
}

fn find_parameter<'a>(
    document: &'a Value,
    operation: &Operation<'a>,
    name: &str,
    location: &str,
) -> Option<&'a Value> {
    parameters(document, operation)
        .into_iter()
        .find(|parameter| {
            let same_name = parameter
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|found| found.eq_ignore_ascii_case(name));
            let same_location = parameter.get("in").and_then(Value::as_str) == Some(location);
            same_name && same_location
        })
}

/// Returns the resolved responses of an operation, keyed by status.
fn responses<'a>(document: &'a Value, operation: &Operation<'a>) -> BTreeMap<String, &'a Value> {
    let Some(Value::Mapping(map)) = operation.node.get("responses") else {
        return BTreeMap::new();
    };
    map.iter()
        .map(|(status, response)| {
            let status = status
                .as_str()
                .map_or_else(|| format!("{status:?}"), str::to_owned);
            (status, deref(document, response))
        })
        .collect()
}

fn has_header(response: &Value, name: &str) -> bool {
    let Some(Value::Mapping(headers)) = response.get("headers") else {
        return false;
    };
    headers
        .keys()
        .filter_map(Value::as_str)
        .any(|found| found.eq_ignore_ascii_case(name))
}

fn string_set(node: Option<&Value>) -> BTreeSet<String> {
    node.and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn schema<'a>(document: &'a Value, name: &str) -> &'a Value {
    document
        .get("components")
        .and_then(|components| components.get("schemas"))
        .and_then(|schemas| schemas.get(name))
        .unwrap_or_else(|| panic!("components.schemas.{name} is missing"))
}

fn property_names(schema: &Value) -> BTreeSet<String> {
    schema
        .get("properties")
        .and_then(Value::as_mapping)
        .into_iter()
        .flat_map(|properties| properties.keys())
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn json_keys(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_object()
        .expect("the SDK type serializes as a JSON object")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn spec_parses_as_openapi_31() {
    let spec = parse_with_oas3();

    let version = spec.validate_version().unwrap_or_else(|error| {
        panic!("unsupported `openapi` version {:?}: {error}", spec.openapi)
    });
    assert_eq!(
        version.minor, 1,
        "`openapi` must be 3.1.x, found {}",
        spec.openapi
    );
    assert!(
        spec.servers
            .iter()
            .any(|server| server.url == "http://127.0.0.1:4010"),
        "`servers` must list the mock server at http://127.0.0.1:4010"
    );
    assert!(
        !spec.security.is_empty(),
        "the document must require the bearer scheme by default (top-level `security`)"
    );
}

#[test]
fn operation_ids_are_present_and_unique() {
    let spec = parse_with_oas3();
    let document = raw_document();

    let mut seen = BTreeMap::new();
    for (path, method, operation) in spec.operations() {
        let label = format!("{method} {path}");
        let id = operation
            .operation_id
            .clone()
            .unwrap_or_else(|| panic!("{label} has no operationId"));
        if let Some(first) = seen.insert(id.clone(), label.clone()) {
            panic!("operationId `{id}` is used by both {first} and {label}");
        }
    }

    for operation in webhook_operations(&document) {
        let label = format!("webhook {}", operation.path);
        let id = operation
            .id
            .clone()
            .unwrap_or_else(|| panic!("{label} has no operationId"));
        if let Some(first) = seen.insert(id.clone(), label.clone()) {
            panic!("operationId `{id}` is used by both {first} and {label}");
        }
    }
}

#[test]
fn operation_ids_match_expected_list() {
    let spec = parse_with_oas3();
    let found: BTreeSet<String> = spec
        .operations()
        .filter_map(|(_, _, operation)| operation.operation_id.clone())
        .collect();
    let expected: BTreeSet<String> = EXPECTED_OPERATION_IDS
        .iter()
        .map(|&id| id.to_owned())
        .collect();

    let missing: Vec<&String> = expected.difference(&found).collect();
    assert!(
        missing.is_empty(),
        "operations missing from docs/openapi.yaml: {missing:?}"
    );

    let unexpected: Vec<&String> = found.difference(&expected).collect();
    assert!(
        unexpected.is_empty(),
        "operations not in the expected list (add them to EXPECTED_OPERATION_IDS if intended): {unexpected:?}"
    );
}

#[test]
fn every_ref_resolves() {
    let document = raw_document();
    let mut refs = Vec::new();
    collect_refs(&document, "#", &mut refs);
    assert!(!refs.is_empty(), "the document has no `$ref` at all");

    for (location, reference) in &refs {
        assert!(
            reference.starts_with("#/"),
            "{location}: `{reference}` is not a local reference; the contract is one self-contained file"
        );
        assert!(
            resolve_pointer(&document, reference).is_some(),
            "{location}: `$ref: {reference}` does not resolve"
        );
    }
}

#[test]
fn every_response_declares_request_id() {
    let document = raw_document();
    for operation in path_operations(&document) {
        for (status, response) in responses(&document, &operation) {
            assert!(
                has_header(response, "Request-Id"),
                "{} response {status} does not declare the Request-Id header",
                operation.label()
            );
        }
    }
}

#[test]
fn v1_operations_declare_unauthorized() {
    let document = raw_document();
    for operation in path_operations(&document)
        .iter()
        .filter(|operation| operation.is_v1())
    {
        let responses = responses(&document, operation);
        assert!(
            responses.contains_key("401"),
            "{} does not declare a 401 response",
            operation.label()
        );
        assert!(
            operation.node.get("security").is_none(),
            "{} overrides `security`, but every /v1 operation needs the API key",
            operation.label()
        );
    }
}

#[test]
fn v1_responses_declare_rate_limit_headers() {
    let document = raw_document();
    for operation in path_operations(&document)
        .iter()
        .filter(|operation| operation.is_v1())
    {
        for (status, response) in responses(&document, operation) {
            // A 401 has no accepted API key, so no per-key quota applies.
            if status == "401" {
                continue;
            }
            for header in ["RateLimit-Policy", "RateLimit"] {
                assert!(
                    has_header(response, header),
                    "{} response {status} does not declare the {header} header",
                    operation.label()
                );
            }
        }
    }
}

#[test]
fn public_operations_need_no_key() {
    let document = raw_document();
    for path in PUBLIC_PATHS {
        let operation = path_operations(&document)
            .into_iter()
            .find(|operation| operation.path == *path && operation.method == "get")
            .unwrap_or_else(|| panic!("GET {path} is missing"));
        let security = operation.node.get("security").and_then(Value::as_sequence);
        assert_eq!(
            security.map(Vec::len),
            Some(0),
            "{} must declare `security: []`",
            operation.label()
        );
    }
}

#[test]
fn error_responses_use_problem_json() {
    let document = raw_document();
    for operation in path_operations(&document) {
        let responses = responses(&document, &operation);
        assert!(
            responses
                .keys()
                .any(|status| status.starts_with('4') || status == "default"),
            "{} declares no error response",
            operation.label()
        );
        for (status, response) in responses {
            if !(status.starts_with('4') || status.starts_with('5') || status == "default") {
                continue;
            }
            let media_types: Vec<&str> = response
                .get("content")
                .and_then(Value::as_mapping)
                .into_iter()
                .flat_map(|content| content.keys())
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(
                media_types,
                ["application/problem+json"],
                "{} response {status} must be application/problem+json only",
                operation.label()
            );
        }
    }
}

#[test]
fn rate_limited_responses_declare_retry_after() {
    let document = raw_document();
    for operation in path_operations(&document) {
        for (status, response) in responses(&document, &operation) {
            if status == "429" || status == "503" {
                assert!(
                    has_header(response, "Retry-After"),
                    "{} response {status} does not declare Retry-After",
                    operation.label()
                );
            }
        }
    }
}

#[test]
fn list_operations_accept_pagination_and_send_link() {
    let document = raw_document();
    let lists: Vec<Operation<'_>> = path_operations(&document)
        .into_iter()
        .filter(Operation::is_list)
        .collect();
    assert_eq!(
        lists.len(),
        8,
        "expected 8 list operations, found {}",
        lists.len()
    );

    for operation in &lists {
        for name in ["page", "limit", "starting_after"] {
            assert!(
                find_parameter(&document, operation, name, "query").is_some(),
                "{} does not accept the `{name}` query parameter",
                operation.label()
            );
        }

        let ok = responses(&document, operation)
            .get("200")
            .copied()
            .unwrap_or_else(|| panic!("{} has no 200 response", operation.label()));
        assert!(
            has_header(ok, "Link"),
            "{} 200 response does not declare the Link header",
            operation.label()
        );
    }
}

#[test]
fn limit_parameter_is_1_to_100_default_20() {
    let document = raw_document();
    let limit = resolve_pointer(&document, "#/components/parameters/Limit/schema")
        .expect("components.parameters.Limit has a schema");

    assert_eq!(
        limit.get("minimum").and_then(Value::as_i64),
        Some(1),
        "limit minimum must be 1"
    );
    assert_eq!(
        limit.get("maximum").and_then(Value::as_i64),
        Some(100),
        "limit maximum must be 100"
    );
    assert_eq!(
        limit.get("default").and_then(Value::as_i64),
        Some(20),
        "limit default must be 20"
    );
}

#[test]
fn post_operations_accept_idempotency_key() {
    let document = raw_document();
    // The mock server's admin surface is outside the API and its contract.
    for operation in path_operations(&document)
        .iter()
        .filter(|operation| operation.method == "post" && operation.is_v1())
    {
        assert!(
            find_parameter(&document, operation, "Idempotency-Key", "header").is_some(),
            "{} does not declare the Idempotency-Key header parameter",
            operation.label()
        );

        for (status, response) in responses(&document, operation) {
            if status.starts_with('2') {
                assert!(
                    has_header(response, "Idempotent-Replayed"),
                    "{} response {status} does not declare Idempotent-Replayed",
                    operation.label()
                );
            }
        }
    }
}

#[test]
fn created_responses_declare_location() {
    let document = raw_document();
    for operation in path_operations(&document) {
        if let Some(created) = responses(&document, &operation).get("201") {
            assert!(
                has_header(created, "Location"),
                "{} 201 response does not declare the Location header",
                operation.label()
            );
        }
    }
}

#[test]
fn stream_operations_send_event_stream() {
    let document = raw_document();
    for id in ["streamPlantEvents", "streamEvents"] {
        let operation = path_operations(&document)
            .into_iter()
            .find(|operation| operation.id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{id} is missing"));

        assert!(
            find_parameter(&document, &operation, "Last-Event-ID", "header").is_some(),
            "{} does not declare the Last-Event-ID header parameter",
            operation.label()
        );
        for name in ["since", "types"] {
            assert!(
                find_parameter(&document, &operation, name, "query").is_some(),
                "{} does not accept the `{name}` query parameter",
                operation.label()
            );
        }

        let ok = responses(&document, &operation)
            .get("200")
            .copied()
            .unwrap_or_else(|| panic!("{} has no 200 response", operation.label()));
        assert!(
            ok.get("content")
                .and_then(|content| content.get("text/event-stream"))
                .is_some(),
            "{} 200 response is not text/event-stream",
            operation.label()
        );
    }

    let plant_stream = path_operations(&document)
        .into_iter()
        .find(|operation| operation.id.as_deref() == Some("streamPlantEvents"))
        .expect("streamPlantEvents is present");
    assert!(
        find_parameter(&document, &plant_stream, "plant_id", "query").is_some(),
        "{} does not accept the `plant_id` query parameter",
        plant_stream.label()
    );
}

#[test]
fn webhooks_cover_every_event_type() {
    let document = raw_document();
    let event_types = string_set(schema(&document, "EventType").get("enum"));
    assert_eq!(
        event_types.len(),
        16,
        "EventType must list the 16 event types"
    );

    let webhooks = webhook_operations(&document);
    let documented: BTreeSet<String> = webhooks
        .iter()
        .map(|operation| operation.path.clone())
        .collect();
    assert_eq!(
        documented, event_types,
        "`webhooks` must have one entry per event type"
    );

    for operation in &webhooks {
        assert_eq!(
            operation.method, "post",
            "webhook {} must be a POST",
            operation.path
        );
        for header in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            let parameter = find_parameter(&document, operation, header, "header");
            assert!(
                parameter.is_some(),
                "webhook {} does not declare the `{header}` header",
                operation.path
            );
            assert_eq!(
                parameter
                    .and_then(|parameter| parameter.get("required"))
                    .and_then(Value::as_bool),
                Some(true),
                "webhook {}: the `{header}` header must be required",
                operation.path
            );
        }
    }
}

#[test]
fn plant_schema_matches_sdk_type() {
    let document = raw_document();
    let plant_schema = schema(&document, "Plant");

    // `Plant` is non-exhaustive, so the sample is built by decoding JSON.
    let sample: letta::types::Plant = serde_json::from_value(serde_json::json!({
        "id": "plt_000000014XK9QF2M",
        "name": "Monstera Deliciosa",
        "species": "Monstera deliciosa",
        "category": "foliage",
        "description": "Split leaves, bright indirect light.",
        "tags": ["pet-safe"],
        "price": 2499,
        "currency": "usd",
        "stock": 12,
        "low_stock_threshold": 5,
        "status": "in_stock",
        "created_at": "2025-03-01T12:00:00Z",
        "updated_at": "2025-03-01T12:00:00Z",
    }))
    .expect("the sample plant decodes into letta::types::Plant");
    let sdk_fields = json_keys(&serde_json::to_value(&sample).expect("a Plant serializes"));

    assert_eq!(
        property_names(plant_schema),
        sdk_fields,
        "Plant schema properties differ from the fields letta::types::Plant serializes"
    );
    assert_eq!(
        string_set(plant_schema.get("required")),
        sdk_fields,
        "Plant schema `required` differs from the fields letta::types::Plant always serializes"
    );
}

#[test]
fn problem_schema_matches_sdk_type() {
    let document = raw_document();
    let problem_schema = schema(&document, "Problem");

    let sample =
        letta::types::Problem::new(409, "insufficient_stock", "Insufficient stock", "2 on hand")
            .with_request_id("req_0000000C7Q3M8K2D")
            .with_error(letta::types::FieldError::new(
                "/items/0/quantity",
                "2 units on hand",
            ));
    let sdk_fields = json_keys(&serde_json::to_value(&sample).expect("a Problem serializes"));
    let properties = property_names(problem_schema);

    let undocumented: Vec<&String> = sdk_fields.difference(&properties).collect();
    assert!(
        undocumented.is_empty(),
        "letta::types::Problem sends fields the Problem schema lacks: {undocumented:?}"
    );
    let required = string_set(problem_schema.get("required"));
    let unknown_required: Vec<&String> = required.difference(&properties).collect();
    assert!(
        unknown_required.is_empty(),
        "Problem schema requires fields it does not define: {unknown_required:?}"
    );
    let field_error = property_names(schema(&document, "FieldError"));
    assert_eq!(
        field_error,
        BTreeSet::from(["pointer".to_owned(), "detail".to_owned()]),
        "FieldError schema must have exactly `pointer` and `detail`"
    );
}

#[test]
fn enum_schemas_match_sdk_enums() {
    let document = raw_document();

    let categories: BTreeSet<String> = letta::types::Category::known_values()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        string_set(schema(&document, "Category").get("enum")),
        categories,
        "Category enum differs from letta::types::Category"
    );

    let statuses: BTreeSet<String> = letta::types::PlantStatus::known_values()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        string_set(schema(&document, "PlantStatus").get("enum")),
        statuses,
        "PlantStatus enum differs from letta::types::PlantStatus"
    );
}

#[test]
fn id_schemas_use_crockford_base32() {
    let document = raw_document();
    let ids = [
        ("PlantId", "plt_"),
        ("CustomerId", "cus_"),
        ("OrderId", "ord_"),
        ("PaymentId", "pay_"),
        ("EventId", "evt_"),
        ("WebhookEndpointId", "whk_"),
        ("WebhookDeliveryId", "del_"),
    ];
    for (name, prefix) in ids {
        let pattern = schema(&document, name)
            .get("pattern")
            .and_then(Value::as_str);
        assert_eq!(
            pattern,
            Some(format!("^{prefix}[0-9A-HJKMNP-TV-Z]{{16}}$").as_str()),
            "{name} must be `{prefix}` plus 16 Crockford base32 characters"
        );
    }
}
