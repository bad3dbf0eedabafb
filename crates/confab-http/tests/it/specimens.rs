//! One object of every kind a path can name, in workspace A's live mode, and what the
//! document says about each operation: the fixture of the probes that are derived from
//! `/v1/openapi.json` (`probe.rs`, `hostile_input.rs`).

use std::collections::BTreeMap;
use std::time::Duration;

use confab_app::workspaces::WorkspaceCredentials;
use confab_testkit::{Response, TaskCaller, TestServer};
use serde_json::{Value, json};

/// How an operation authenticates (its `security` in the document).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    Bearer,
    Task,
    SiteKey,
    Admin,
}

/// One documented operation.
#[derive(Clone, Debug)]
pub struct Operation {
    pub method: String,
    /// The path template, e.g. `/v1/contacts/{id}`.
    pub path: String,
    pub gate: Gate,
    pub path_params: Vec<String>,
    pub query_params: Vec<String>,
    /// The request body's media type, when it has one.
    pub body: Option<String>,
    /// The request body's JSON schema (references resolved one level).
    pub body_schema: Option<Value>,
}

impl Operation {
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Every operation of the served document.
pub async fn operations(s: &TestServer) -> Vec<Operation> {
    let doc = s.send("GET", "/v1/openapi.json", None, &[], None).await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let names: Vec<String> = op["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|r| r.keys().cloned())
                .collect();
            let gate = if names.iter().any(|n| n == "site_key") {
                Gate::SiteKey
            } else if names.iter().any(|n| n == "admin_token") {
                Gate::Admin
            } else if names.iter().any(|n| n == "api_key") {
                Gate::Task
            } else {
                Gate::Bearer
            };
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let of = |location: &str| -> Vec<String> {
                params
                    .iter()
                    .filter(|p| p["in"] == location)
                    .map(|p| p["name"].as_str().expect("name").to_owned())
                    .collect()
            };
            let content = op["requestBody"]["content"].as_object();
            let body = content.and_then(|c| c.keys().next().cloned());
            let body_schema = content
                .and_then(|c| c.values().next())
                .map(|media| resolve(&doc, &media["schema"]));
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                gate,
                path_params: of("path"),
                query_params: of("query"),
                body,
                body_schema,
            });
        }
    }
    assert!(out.len() > 50, "{} operations", out.len());
    out
}

fn resolve(doc: &Value, schema: &Value) -> Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().expect("a schema name");
            doc["components"]["schemas"][name].clone()
        }
        None => schema.clone(),
    }
}

/// Who calls: the credentials of one workspace and mode, for each kind of route.
#[derive(Clone, Debug)]
pub struct Caller {
    pub bearer: String,
    pub task: TaskCaller,
    pub site_key: String,
    /// `user_hash` of the external id `probe-user` under this workspace and mode's
    /// identity secret.
    pub user_hash: String,
}

/// The `user_hash` of `probe-user` for the workspace and mode `bearer` acts in.
async fn user_hash(s: &TestServer, bearer: &str) -> String {
    let settings = s.call("GET", "/v1/settings/widget", bearer, None).await;
    assert_eq!(settings.status, 200, "{}", settings.text);
    let secret = settings.json()["identity_secret"]
        .as_str()
        .expect("identity secret")
        .to_owned();
    confab_core::widget::user_hash(&secret, "probe-user")
}

/// The ids of workspace A's live objects, by what names them in a path.
pub struct Specimens {
    /// `agents`, `contacts`, … (the collection after `/v1/`) to an object's id, and the
    /// other path parameters (`tag`, `token_id`, `visitor_token`, `file_id`).
    pub ids: BTreeMap<&'static str, String>,
    /// Workspace A, live mode.
    pub a_live: Caller,
    /// Workspace A, test mode.
    pub a_test: Caller,
    /// Workspace B, live mode.
    pub b_live: Caller,
    pub b: WorkspaceCredentials,
}

fn put(ids: &mut BTreeMap<&'static str, String>, name: &'static str, value: &Value) {
    let id = value.as_str().unwrap_or_else(|| panic!("{name}: {value}"));
    ids.insert(name, id.to_owned());
}

async fn created(r: Response, what: &str) -> Value {
    assert!(
        r.status == 201 || r.status == 202,
        "{what}: {} {}",
        r.status,
        r.text
    );
    r.json()
}

impl Specimens {
    /// Creates one object of every kind in workspace A's live mode, and workspace B.
    pub async fn create(s: &TestServer) -> Specimens {
        let owner = s.creds.owner_token.clone();
        let live_caller = s
            .task_caller(json!({"label": "probe live", "mode": "live"}))
            .await;
        let test_caller = s
            .task_caller(json!({"label": "probe test", "mode": "test"}))
            .await;
        let b = confab_app::workspaces::create(&s.app, "Tenant B")
            .await
            .expect("workspace B");
        let b_key = s
            .call(
                "POST",
                "/v1/api-keys",
                &b.owner_token,
                Some(json!({"label": "B", "mode": "live"})),
            )
            .await;
        let b_key = created(b_key, "B's key").await;
        let b_caller = TaskCaller {
            token: b.owner_token.clone(),
            key: b_key["key"].as_str().expect("key").to_owned(),
            key_id: b_key["id"].as_str().expect("id").to_owned(),
            signing_secret: String::new(),
        };

        let mut ids = BTreeMap::new();
        let post = |path: &'static str, body: Value| {
            let owner = owner.clone();
            async move { created(s.call("POST", path, &owner, Some(body)).await, path).await }
        };
        let endpoint = post(
            "/v1/webhook-endpoints",
            json!({"url": "https://example.com/hooks"}),
        )
        .await;
        put(&mut ids, "webhook-endpoints", &endpoint["id"]);
        let contact = post(
            "/v1/contacts",
            json!({"name": "Probe Customer", "email": "probe@example.com", "tags": ["vip"]}),
        )
        .await;
        put(&mut ids, "contacts", &contact["id"]);
        ids.insert("tag", "vip".to_owned());
        let conversation = post(
            "/v1/conversations",
            json!({"contact_id": contact["id"], "message": {"text": "Where is my order?"}}),
        )
        .await;
        put(&mut ids, "conversations", &conversation["id"]);
        put(
            &mut ids,
            "knowledge",
            &post(
                "/v1/knowledge",
                json!({"title": "Refunds", "body": "Within 30 days."}),
            )
            .await["id"],
        );
        put(
            &mut ids,
            "agents",
            &post("/v1/agents", json!({"name": "Probe Agent"})).await["id"],
        );
        let department = post("/v1/departments", json!({"name": "Probe Desk"})).await;
        put(&mut ids, "departments", &department["id"]);
        put(
            &mut ids,
            "tickets",
            &post(
                "/v1/tickets",
                json!({"subject": "Probe ticket", "conversation_id": conversation["id"], "department_id": department["id"]}),
            )
            .await["id"],
        );
        let every_day: serde_json::Map<String, Value> =
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
                .iter()
                .map(|d| ((*d).to_owned(), json!([["00:00", "24:00"]])))
                .collect();
        let resource = post(
            "/v1/resources",
            json!({"name": "Probe Room", "timezone": "UTC", "working_hours": every_day}),
        )
        .await;
        put(&mut ids, "resources", &resource["id"]);
        let start = (s.app.clock.now().to_datetime() + chrono::Duration::days(2))
            .format("%Y-%m-%dT10:00:00Z")
            .to_string();
        put(
            &mut ids,
            "bookings",
            &post(
                "/v1/bookings",
                json!({"resource_id": resource["id"], "contact_id": contact["id"], "start": start}),
            )
            .await["id"],
        );
        let member = post(
            "/v1/members",
            json!({"name": "Probe Member", "email": "member@example.com", "role": "agent"}),
        )
        .await;
        put(&mut ids, "members", &member["id"]);
        let token = created(
            s.call(
                "POST",
                &format!("/v1/members/{}/tokens", member["id"].as_str().unwrap()),
                &owner,
                None,
            )
            .await,
            "member token",
        )
        .await;
        put(&mut ids, "token_id", &token["id"]);
        ids.insert("api-keys", live_caller.key_id.clone());
        let file = s
            .upload(
                "/v1/files",
                &[("authorization", &format!("Bearer {owner}"))],
                "note.txt",
                "text/plain",
                b"a probe file".to_vec(),
            )
            .await;
        put(&mut ids, "files", &created(file, "file").await["id"]);
        let task = s
            .task(&live_caller, json!({"message": "list contacts"}))
            .await;
        ids.insert("tasks", task);
        let events = s
            .call("GET", "/v1/events?limit=1", &owner, None)
            .await
            .json();
        put(&mut ids, "events", &events["data"][0]["id"]);
        let deliveries = s
            .call(
                "GET",
                &format!(
                    "/v1/webhook-endpoints/{}/deliveries",
                    ids["webhook-endpoints"]
                ),
                &owner,
                None,
            )
            .await
            .json();
        put(&mut ids, "webhook-deliveries", &deliveries["data"][0]["id"]);
        let visitor_token = "probe-visitor-token-000001".to_owned();
        let widget = s
            .send(
                "POST",
                "/v1/widget/conversations",
                None,
                &[
                    ("x-site-key", &s.creds.live_site_key),
                    ("content-type", "application/json"),
                ],
                Some(
                    serde_json::to_vec(&json!({
                        "name": "Visitor", "message": "Hello", "visitor_token": visitor_token,
                    }))
                    .unwrap(),
                ),
            )
            .await;
        created(widget, "widget conversation").await;
        let widget_file = s
            .upload(
                &format!("/v1/widget/conversations/{visitor_token}/files"),
                &[("x-site-key", &s.creds.live_site_key)],
                "photo.txt",
                "text/plain",
                b"a visitor's file".to_vec(),
            )
            .await;
        put(
            &mut ids,
            "file_id",
            &created(widget_file, "widget file").await["id"],
        );
        ids.insert("visitor_token", visitor_token);

        Specimens {
            ids,
            a_live: Caller {
                bearer: owner.clone(),
                task: live_caller,
                site_key: s.creds.live_site_key.clone(),
                user_hash: user_hash(s, &owner).await,
            },
            a_test: Caller {
                bearer: s.creds.test_secret_key.clone(),
                task: test_caller,
                site_key: s.creds.test_site_key.clone(),
                user_hash: user_hash(s, &s.creds.test_secret_key).await,
            },
            b_live: Caller {
                bearer: b.owner_token.clone(),
                task: b_caller,
                site_key: b.live_site_key.clone(),
                user_hash: user_hash(s, &b.owner_token).await,
            },
            b,
        }
    }

    /// The path with every parameter replaced by a specimen, or the parameters it has no
    /// specimen for.
    pub fn fill(&self, path: &str) -> Result<String, Vec<String>> {
        let collection = path
            .trim_start_matches("/v1/")
            .split('/')
            .next()
            .unwrap_or("");
        let mut missing = Vec::new();
        let filled: Vec<String> = path
            .split('/')
            .map(|segment| {
                let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
                    return segment.to_owned();
                };
                let key = if name == "id" { collection } else { name };
                match self.ids.get(key) {
                    Some(value) => value.clone(),
                    None => {
                        missing.push(format!("{{{name}}} of /v1/{collection}"));
                        segment.to_owned()
                    }
                }
            })
            .collect();
        if missing.is_empty() {
            Ok(filled.join("/"))
        } else {
            Err(missing)
        }
    }
}

/// A request body for a probe.
pub enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    File,
}

/// Sends `method path` as `caller` through the operation's gate. Streams answer within
/// the timeout or fail the test.
pub async fn send(
    s: &TestServer,
    op: &Operation,
    path: &str,
    caller: &Caller,
    body: Body,
) -> Response {
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).expect("method");
    let mut req = s
        .client
        .request(method, format!("{}{path}", s.base))
        .timeout(Duration::from_secs(10));
    match op.gate {
        Gate::Bearer => req = req.bearer_auth(&caller.bearer),
        Gate::Task => {
            req = req
                .bearer_auth(&caller.task.token)
                .header("x-api-key", &caller.task.key)
        }
        Gate::SiteKey => {
            // Each widget request in its own rate-limit window.
            s.app.clock.advance(60_000);
            req = req.header("x-site-key", &caller.site_key);
        }
        Gate::Admin => {}
    }
    req = match body {
        Body::None => req,
        Body::Json(v) => req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(&v).unwrap()),
        Body::Raw(content_type, bytes) => req.header("content-type", content_type).body(bytes),
        Body::File => {
            let part = reqwest::multipart::Part::bytes(b"leaked".to_vec())
                .file_name("leak.txt")
                .mime_str("text/plain")
                .unwrap();
            req.multipart(reqwest::multipart::Form::new().part("file", part))
        }
    };
    let resp = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{} {path}: {e}", op.method));
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = if headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"))
    {
        String::from("(a stream)")
    } else {
        resp.text().await.unwrap_or_default()
    };
    Response {
        status,
        headers,
        text,
    }
}
