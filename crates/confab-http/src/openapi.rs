//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confab API",
        description = "Self-hostable, API-first AI customer chat. Authenticate with `Authorization: Bearer sk_test_…` (or `sk_live_…`); member tokens (`mt_…`) also work and pick test mode with `Confab-Mode: test`. Every POST, PUT, PATCH and DELETE accepts `Idempotency-Key`. Errors are `{\"error\": {code, message, fields?, request_id}}`.",
    ),
    modifiers(&SecuritySchemes),
    // Types that only query parameters name (a parameter's `$ref` does not register them).
    components(schemas(confab_core::event::EventType, crate::routes::files::Disposition)),
    security(("bearer" = [])),
    tags(
        (name = "Conversations", description = "Conversations, messages and the hand-off between AI and people."),
        (name = "Contacts", description = "The people who talk to you."),
        (name = "Files", description = "Attachments."),
        (name = "Members", description = "Your team, roles and access tokens."),
        (name = "Events", description = "The event log and the live stream."),
        (name = "Webhooks", description = "Signed, retried, replayable deliveries of every event to your endpoints."),
        (name = "Analytics", description = "Chats, messages and rates over a calendar period."),
        (name = "API keys", description = "Secret keys with scopes, a response URL for task results, and a budget."),
        (name = "Tasks", description = "Plain-English tasks for the task agent: send your member token as the bearer and your secret key as X-Api-Key."),
        (name = "Settings", description = "Workspace settings: the account's name, the chat widget's look, words, allowed origins, site keys and identity secret."),
        (name = "Widget", description = "The public API of the chat widget and the hosted chat page, authenticated by site key (`X-Site-Key: pk_…` or `?site_key=`). Rate-limited per site key and client IP: config 60/min, create 5/min, read 60/min, send 20/min."),
        (name = "Bookings", description = "Bookable resources with working hours in their own timezone, their free slots, and bookings that never overlap."),
        (name = "Tickets", description = "Support tickets with departments, round-robin routing, one status machine, public replies and internal notes."),
        (name = "Admin", description = "Platform administration (CONFAB_ADMIN_TOKEN)."),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A secret key (sk_test_…, sk_live_…) or a member token (mt_…).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Api-Key",
                "The member's secret key (sk_…), next to their member token, on /v1/tasks.",
            ))),
        );
        components.add_security_scheme(
            "site_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Site-Key",
                "A site key (pk_test_…, pk_live_…); also accepted as the `site_key` query parameter.",
            ))),
        );
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The platform admin token (CONFAB_ADMIN_TOKEN)."))
                    .build(),
            ),
        );
    }
}

/// How an operation authenticates, read from its `security` (the document's default is
/// the bearer credential).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gate {
    /// `Authorization: Bearer` (secret key or member token), through `auth::require_credential`.
    Credential,
    /// `/v1/tasks`: a member token and `X-Api-Key`, through `auth::require_task_credentials`.
    Task,
    /// A site key, through `site_key::require_site_key`.
    SiteKey,
    /// The platform admin token.
    Admin,
}

impl Gate {
    fn of(operation: &Value) -> Gate {
        let names: Vec<&str> = operation["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|requirement| requirement.keys().map(String::as_str))
            .collect();
        if names.contains(&"site_key") {
            Gate::SiteKey
        } else if names.contains(&"admin_token") {
            Gate::Admin
        } else if names.contains(&"api_key") {
            Gate::Task
        } else {
            Gate::Credential
        }
    }

    /// Behind the `Idempotency-Key` middleware (every route but the admin API's).
    fn idempotent(self) -> bool {
        self != Gate::Admin
    }

    /// Counted against a rate limit (per credential, or per site key and client).
    fn rate_limited(self) -> bool {
        self != Gate::Admin
    }
}

const WRITE_METHODS: [&str; 4] = ["post", "put", "patch", "delete"];

/// Completes the generated document with what the shared layers answer, so that every
/// operation documents every status it can really give and the headers those layers
/// read. Derived from each operation's security, method, parameters and body (see
/// [`Gate`]), never from its path, so a new route gets the same treatment:
///
/// * 400: a malformed body (`ApiJson`), path parameter (`ApiPath`), `Idempotency-Key`
///   or `Confab-Mode` header;
/// * 401: a missing or unknown credential; 403: a revoked key, a scope or role that does
///   not allow the operation, a widget origin that is not allowed;
/// * 404: an id that names nothing this caller may see;
/// * 409 and 422: an `Idempotency-Key` in use, or reused with another request; 422 also
///   for an invalid body field or query parameter;
/// * 413: a body over the limit; 429: the rate limit, with `Retry-After`.
///
/// Also: `limit` is 1–100, an optional query parameter may be empty (read as absent),
/// `Idempotency-Key` and `Confab-Mode` are documented where they are read, and a body
/// the route may go without is optional rather than `null` (the server refuses a `null`
/// body with 400).
pub fn complete(doc: &mut Value) {
    for name in confab_app::widget::TEXT_ALIAS_OF_MESSAGE {
        // A derived schema cannot say "one of these two"; JSON Schema can.
        if let Some(schema) = doc["components"]["schemas"][name].as_object_mut() {
            schema.insert(
                "anyOf".into(),
                json!([{"required": ["message"]}, {"required": ["text"]}]),
            );
        }
    }
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            complete_operation(method, operation);
        }
    }
}

fn complete_operation(method: &str, operation: &mut Value) {
    let gate = Gate::of(operation);
    let idempotent = WRITE_METHODS.contains(&method) && gate.idempotent();
    let body = operation.get("requestBody").is_some();
    if let Some(request_body) = operation.get_mut("requestBody") {
        optional_body_is_absent_not_null(request_body);
    }
    let params = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let located = |location: &str| params.iter().any(|p| p["in"] == location);
    let (path_ids, queries) = (located("path"), located("query"));
    complete_parameters(operation, gate, idempotent);
    let responses = operation
        .as_object_mut()
        .expect("an operation is an object")
        .entry("responses")
        .or_insert_with(|| json!({}));
    for (status, description) in shared_statuses(gate, body, path_ids, queries, idempotent) {
        if responses.get(status).is_none() {
            responses[status] = error_response(description, status == "429");
        } else if status == "429" && responses[status].get("headers").is_none() {
            // The route's own 429 (a budget) shares the status with the rate limiter's.
            responses[status]["headers"] = retry_after();
        }
    }
    if let Some(responses) = responses.as_object_mut() {
        responses.sort_keys();
    }
}

/// The headers the shared layers read, `limit`'s bounds, and empty query values.
fn complete_parameters(operation: &mut Value, gate: Gate, idempotent: bool) {
    let object = operation
        .as_object_mut()
        .expect("an operation is an object");
    let list = object
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    let Some(list) = list.as_array_mut() else {
        return;
    };
    let has = |list: &[Value], name: &str| {
        list.iter().any(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    if idempotent && !has(list, "Idempotency-Key") {
        list.push(idempotency_key_header());
    }
    if gate == Gate::Credential && !has(list, "Confab-Mode") {
        list.push(mode_header());
    }
    for parameter in list.iter_mut() {
        if parameter["in"] == "query" && parameter["name"] == "limit" {
            parameter["schema"]["minimum"] = json!(1);
            parameter["schema"]["maximum"] = json!(100);
        }
        // `QueryMap` reads an empty value as absent.
        if parameter["in"] == "query" && parameter["required"] != true {
            parameter["allowEmptyValue"] = json!(true);
        }
    }
    if list.is_empty() {
        object.remove("parameters");
    }
}

/// The statuses the shared layers can answer for an operation like this one.
fn shared_statuses(
    gate: Gate,
    body: bool,
    path_ids: bool,
    queries: bool,
    idempotent: bool,
) -> Vec<(&'static str, &'static str)> {
    let mut statuses = Vec::new();
    if body || path_ids || idempotent || gate == Gate::Credential {
        statuses.push((
            "400",
            "Malformed request: a body that is not a JSON object (or not the declared content type), an unreadable path parameter, or an invalid `Idempotency-Key` or `Confab-Mode` header.",
        ));
    }
    statuses.push(("401", "No credential, or one that is not valid here."));
    if gate != Gate::Admin {
        statuses.push((
            "403",
            "The credential may not do this: a revoked key, a scope or role that does not allow it, or (widget) an origin the site key does not allow.",
        ));
    }
    if path_ids {
        statuses.push((
            "404",
            "No such object for this workspace and mode (another workspace's or mode's object is not found either).",
        ));
    }
    if idempotent {
        statuses.push((
            "409",
            "A conflict: among others, `IDEMPOTENCY_KEY_IN_USE` while the first request with this key still runs.",
        ));
    }
    if body || idempotent {
        statuses.push(("413", "The body is larger than the limit."));
    }
    if body || queries || idempotent {
        statuses.push((
            "422",
            "`VALIDATION_FAILED` with `fields`, or `IDEMPOTENCY_KEY_REUSED` (the key was used for another request).",
        ));
    }
    if gate.rate_limited() {
        statuses.push((
            "429",
            "Too many requests; retry after `Retry-After` seconds.",
        ));
    }
    statuses
}

fn error_response(description: &str, retry_after: bool) -> Value {
    let mut response = json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    });
    if retry_after {
        response["headers"] = self::retry_after();
    }
    response
}

fn retry_after() -> Value {
    json!({
        "Retry-After": {
            "description": "Seconds until the rate limit resets (absent on a refusal that waiting does not cure).",
            "schema": {"type": "integer", "minimum": 0},
        },
    })
}

fn idempotency_key_header() -> Value {
    json!({
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "description": "Makes a retry safe: the same key with the same request replays the first answer for 24 hours.",
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255,
            "pattern": "^[!-~]([ -~]*[!-~])?$",
        },
    })
}

fn mode_header() -> Value {
    json!({
        "name": "Confab-Mode",
        "in": "header",
        "required": false,
        "description": "With a member token: `test` acts in test mode (default `live`). A secret key acts in its own mode.",
        "schema": {"type": "string", "enum": ["test", "live"]},
    })
}

/// utoipa writes an optional body (`Option<T>`) as `oneOf: [T, null]`; the server
/// takes no body or an object, and answers `null` with 400.
fn optional_body_is_absent_not_null(request_body: &mut Value) {
    let Some(content) = request_body["content"].as_object_mut() else {
        return;
    };
    let mut was_optional = false;
    for media in content.values_mut() {
        let Some(choices) = media["schema"]["oneOf"].as_array() else {
            continue;
        };
        let rest: Vec<Value> = choices
            .iter()
            .filter(|c| c["type"] != "null")
            .cloned()
            .collect();
        if rest.len() == 1 && choices.len() == 2 {
            media["schema"] = rest.into_iter().next().expect("one schema left");
            was_optional = true;
        }
    }
    if was_optional {
        request_body["required"] = json!(false);
    }
}
