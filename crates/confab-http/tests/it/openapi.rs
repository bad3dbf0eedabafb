//! The OpenAPI document covers every API route, and every documented route exists.

use std::path::Path;

use confab_testkit::{TestBackend, TestServer};

/// Routes outside the API contract, registered with plain `.route(…)`.
const INFRASTRUCTURE_ROUTES: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/v1/openapi.json",
    "/docs",
    "/",
    "/favicon.ico",
    "/favicon.svg",
    "/console",
    "/console/",
    "/console/{file}",
    "/widget.js",
    "/chat/{site_key}",
];

/// Services outside the REST contract (the MCP server speaks JSON-RPC) are mounted in
/// one place, `router_with`; that call is the one `.nest_service(` allowed.
const MOUNT_POINT: &str = "router.nest_service(path, service)";

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// API routes must be registered through `routes!(…)`, which refuses a handler without
/// an OpenAPI annotation; a plain `.route("…")` is allowed only for infrastructure.
#[test]
fn no_route_bypasses_the_document() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut offenders = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, _) in text.match_indices(".route(\"") {
            let rest = &text[i + ".route(\"".len()..];
            let path = &rest[..rest.find('"').unwrap()];
            if !INFRASTRUCTURE_ROUTES.contains(&path) {
                offenders.push(format!("{}: {path}", file.display()));
            }
        }
        for needle in [".route_service(", ".nest(", ".nest_service("] {
            let allowed = if needle == ".nest_service(" {
                text.matches(MOUNT_POINT).count()
            } else {
                0
            };
            if text.matches(needle).count() > allowed {
                offenders.push(format!("{}: {needle}", file.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes not in the OpenAPI document: {offenders:?}"
    );
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let doc = s.send("GET", "/v1/openapi.json", None, &[], None).await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 10, "{}", paths.len());
    let mut checked = 0;
    for (path, item) in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let op = &item[method];
            assert!(
                op["responses"].is_object(),
                "{method} {path} documents its responses"
            );
            assert!(op["tags"].is_array(), "{method} {path} has a tag");
            let concrete: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "x" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            if path.starts_with("/v1/widget/") {
                // Site-key routes answer, but not to a bearer secret key: they read only
                // `X-Site-Key` or `?site_key=`.
                let r = s
                    .send(&method.to_uppercase(), &concrete, Some(s.sk()), &[], None)
                    .await;
                assert_eq!(r.status, 401, "{method} {path}: {}", r.text);
                assert_eq!(r.code(), "UNAUTHENTICATED", "{method} {path}");
                checked += 1;
                continue;
            }
            if op["responses"]["200"]["content"]["text/event-stream"].is_object() {
                // A stream never ends: check its status and type, not its body.
                let resp = s
                    .client
                    .get(format!("{}{concrete}", s.base))
                    .bearer_auth(s.sk())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200, "{method} {path}");
                let content_type = resp.headers()["content-type"].to_str().unwrap();
                assert!(content_type.starts_with("text/event-stream"));
                checked += 1;
                continue;
            }
            let r = s
                .send(&method.to_uppercase(), &concrete, Some(s.sk()), &[], None)
                .await;
            assert_ne!(
                r.status, 405,
                "{method} {path} is documented but not routed"
            );
            if r.status == 404 {
                assert_ne!(
                    r.json()["error"]["message"],
                    confab_http::NO_ROUTE_MESSAGE,
                    "{method} {path} is documented but not routed"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "checked {checked}");
    for schema in ["Contact", "Member", "Event", "ErrorBody"] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "schema {schema}"
        );
    }
}

#[tokio::test]
async fn the_docs_page_needs_no_network() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let page = s.send("GET", "/docs", None, &[], None).await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text.contains("/v1/openapi.json"));
    for external in ["http://", "https://", "//cdn", "@import"] {
        let hits: Vec<_> = page
            .text
            .match_indices(external)
            .map(|(i, _)| &page.text[i.saturating_sub(20)..(i + 40).min(page.text.len())])
            .filter(|ctx| !ctx.contains("www.w3.org/2000/svg"))
            .collect();
        assert!(hits.is_empty(), "external reference {external}: {hits:?}");
    }
}

fn walk<'a>(
    v: &'a serde_json::Value,
    path: String,
    out: &mut Vec<(String, &'a serde_json::Value)>,
) {
    out.push((path.clone(), v));
    match v {
        serde_json::Value::Object(o) => o
            .iter()
            .for_each(|(k, v)| walk(v, format!("{path}/{k}"), out)),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| walk(v, format!("{path}/{i}"), out)),
        _ => {}
    }
}

/// Issue 16, item 1: the document agrees with the server on what a client must know.
#[tokio::test]
async fn the_document_says_what_the_server_does() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let doc = s
        .send("GET", "/v1/openapi.json", None, &[], None)
        .await
        .json();
    let mut nodes = Vec::new();
    walk(&doc, String::new(), &mut nodes);
    // Enums are written as the server speaks: lower case (event types, roles, …).
    for (path, node) in &nodes {
        for value in node
            .get("enum")
            .and_then(|e| e.as_array())
            .into_iter()
            .flatten()
        {
            let text = value.as_str().unwrap_or_default();
            assert_eq!(text, text.to_lowercase(), "{path}: {value}");
        }
    }
    assert_eq!(doc["components"]["schemas"]["Channel"]["enum"][1], "api");
    assert_eq!(doc["components"]["schemas"]["HandledBy"]["enum"][0], "ai");
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("AgentCreate", "name"),
        ("KnowledgeCreate", "title"),
        ("KnowledgeCreate", "body"),
        ("EndpointCreate", "url"),
        ("KeyCreate", "label"),
        ("ReplayInput", "since"),
        ("WidgetConversationCreate", "visitor_token"),
    ] {
        let required = schemas[schema]["required"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            required.contains(&field.into()),
            "{schema}.{field} is required"
        );
        assert_eq!(
            schemas[schema]["properties"][field]["type"], "string",
            "{schema}.{field} is not null"
        );
    }
    // The widget takes `text` as an alias of `message`: one of the two is required.
    for schema in ["WidgetConversationCreate", "WidgetMessageCreate"] {
        for field in ["message", "text"] {
            assert_eq!(
                schemas[schema]["properties"][field]["type"], "string",
                "{schema}.{field}"
            );
        }
        assert_eq!(
            schemas[schema]["anyOf"],
            serde_json::json!([{"required": ["message"]}, {"required": ["text"]}]),
            "{schema}"
        );
    }
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let responses = op["responses"].as_object().unwrap();
            let has = |status: &str| responses.contains_key(status);
            let label = format!("{method} {path}");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            if params.iter().any(|p| p["in"] == "path") {
                assert!(has("404"), "{label}: 404");
            }
            if op.get("requestBody").is_some() {
                assert!(
                    has("400") && has("413") && has("422"),
                    "{label}: 400, 413, 422"
                );
                for media in op["requestBody"]["content"].as_object().unwrap().values() {
                    assert!(
                        media["schema"].get("oneOf").is_none(),
                        "{label}: a null body is refused"
                    );
                }
            }
            if !path.starts_with("/admin/") {
                assert!(
                    has("401") && has("403") && has("429"),
                    "{label}: 401, 403, 429"
                );
                assert!(
                    responses["429"]["headers"]["Retry-After"].is_object(),
                    "{label}"
                );
            }
            if method != "get" && !path.starts_with("/admin/") {
                assert!(
                    params.iter().any(|p| p["name"] == "Idempotency-Key"),
                    "{label}: Idempotency-Key"
                );
            }
            for p in &params {
                if p["name"] == "limit" {
                    assert_eq!(
                        (
                            p["schema"]["minimum"].as_i64(),
                            p["schema"]["maximum"].as_i64()
                        ),
                        (Some(1), Some(100)),
                        "{label}"
                    );
                }
            }
        }
    }
    assert!(operations > 80, "{operations}");
    for (path, param) in [
        ("/v1/conversations", "channel"),
        ("/v1/files/{id}/content", "disposition"),
    ] {
        let p = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == param)
            .unwrap()
            .clone();
        let reference = p["schema"]["$ref"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        assert!(schemas[&reference]["enum"].is_array(), "{path} ?{param}");
    }
    // A preflight's `Allow` is the path's own methods (HEAD comes with GET), not every
    // widget method.
    for (path, allowed) in [
        ("/v1/widget/config", "GET,HEAD"),
        ("/v1/widget/conversations", "POST"),
    ] {
        let preflight = s
            .send(
                "OPTIONS",
                path,
                None,
                &[("origin", "https://shop.example")],
                None,
            )
            .await;
        assert_eq!(preflight.status, 204);
        assert_eq!(preflight.header("allow"), Some(allowed), "{path}");
    }
}

/// The docs page in a browser: descriptions are rendered (no Markdown backticks left in
/// the text), and every operation that takes a body shows an example request.
#[tokio::test]
async fn the_docs_page_renders_markdown_and_an_example_per_body() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let config = serde_json::json!({"base_url": s.base});
    let Some(r) = confab_testkit::browser::run("docs", "docs", config).await else {
        return;
    };
    println!("{r:#}");
    assert_eq!(r["raw_backtick_lines"], serde_json::json!([]));
    assert_eq!(r["nav_backticks"], false);
    assert!(
        r["code_in_headings"].as_u64().unwrap() > 0,
        "`code` in a summary renders as code"
    );
    let with_body = r["with_body"].as_u64().unwrap();
    assert!(with_body > 20, "{r}");
    assert_eq!(
        r["with_example"].as_u64().unwrap(),
        with_body,
        "every body has an example"
    );
    assert!(r["contact_example"].is_object(), "{}", r["contact_example"]);
    assert_eq!(r["page_errors"], serde_json::json!([]));
}
