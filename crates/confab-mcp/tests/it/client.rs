//! The official MCP Python SDK (PyPI `mcp` 2.3.0, its Streamable HTTP client) against a
//! real server: what it lists and calls, and what the REST API shows afterwards.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

const PACKAGE: &str = "mcp==2.3.0";
const SCRIPT: &str = include_str!("mcp_client.py");

/// A Python with the `mcp` package: `CONFAB_TEST_MCP_PYTHON` (set by `.ci/run`, and
/// then required) or a virtual environment under the target directory. `None` (the
/// test is skipped, saying why) when neither can be had outside CI.
fn python() -> Option<PathBuf> {
    static PYTHON: Mutex<Option<Result<PathBuf, String>>> = Mutex::new(None);
    let mut cached = PYTHON.lock().unwrap_or_else(|e| e.into_inner());
    let found = cached.get_or_insert_with(|| {
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-2.3.0");
        confab_testkit::python::with_package("CONFAB_TEST_MCP_PYTHON", &venv, PACKAGE, "mcp")
    });
    match found {
        Ok(python) => Some(python.clone()),
        Err(why) if std::env::var_os("CONFAB_TEST_MCP_PYTHON").is_some() => {
            panic!("the MCP client is required here: {why}")
        }
        Err(why) => {
            eprintln!("skipped: no Python MCP client ({why})");
            None
        }
    }
}

/// Runs the client against `s` with `key` and `calls`; returns what it printed.
async fn drive(python: &Path, s: &TestServer, key: &str, calls: Value) -> Value {
    let plan = json!({"url": format!("{}/mcp", s.base), "key": key, "calls": calls});
    let python = python.to_owned();
    // The client blocks its thread; the server keeps the runtime's.
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(python)
            .args(["-c", SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run python");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(plan.to_string().as_bytes())
            .expect("write plan");
        let out = child.wait_with_output().expect("python output");
        assert!(out.status.success(), "the client script failed");
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    })
    .await
    .expect("client thread")
}

fn tool_names(out: &Value) -> Vec<String> {
    let mut names: Vec<String> = out["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("no tools: {out}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort_unstable();
    names
}

both_backends! {
    async fn an_agent_searches_creates_messages_and_hands_off(backend) {
        let Some(python) = python() else { return };
        let s = TestServer::start(backend).await;
        let entry = s.call("POST", "/v1/knowledge", s.sk(), Some(json!({
            "title": "Refunds", "body": "Refunds are paid within 5 working days.",
            "questions": ["How long does a refund take?"], "lang": "en"
        }))).await;
        assert_eq!(entry.status, 201, "{}", entry.text);
        let conversation = s.conversation(json!({"contact": {"name": "Maya"}, "message": {"text": "I want my money back"}})).await;
        let cnv = conversation["id"].as_str().unwrap();

        let out = drive(&python, &s, s.sk(), json!([
            {"name": "search_knowledge", "arguments": {"q": "how long do refunds take"}},
            {"name": "create_contact", "arguments": {"name": "Ana Lima", "email": "ana@example.com"}},
            {"name": "send_message", "arguments": {"conversation_id": cnv, "role": "customer", "text": "Order 1234, paid by card."}},
            {"name": "request_handoff", "arguments": {"conversation_id": cnv, "reason": "refund over the AI's limit"}},
            {"name": "create_contact", "arguments": {"email": "not-an-address"}},
        ])).await;
        assert_eq!(out["server"]["serverInfo"]["name"], "confab", "{out}");
        assert_eq!(tool_names(&out).len(), confab_app::tools::catalog().len());
        for tool in out["tools"].as_array().unwrap() {
            assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
            assert!(tool["description"].as_str().unwrap().len() > 40, "{tool}");
            assert!(tool["annotations"]["readOnlyHint"].is_boolean(), "{tool}");
        }
        let results = out["results"].as_array().unwrap();

        let search = &results[0];
        assert_eq!(search["isError"], false, "{search}");
        assert_eq!(search["structuredContent"]["data"][0]["id"], entry.json()["id"]);
        assert!(search["content"][0]["text"].as_str().unwrap().contains("Refunds"));

        let created = &results[1]["structuredContent"];
        let listed = s.call("GET", "/v1/contacts?search=ana%40example.com", s.sk(), None).await.json();
        assert_eq!(listed["data"].as_array().unwrap().len(), 1);
        assert_eq!(&listed["data"][0], created);
        assert_eq!(s.events_of("contact.created").await.len(), 2, "Maya's and Ana's");

        let sent = &results[2]["structuredContent"];
        let messages = s.messages(cnv).await;
        assert_eq!(messages.len(), 2);
        assert_eq!(&messages[1]["id"], &sent["id"]);
        assert_eq!(messages[1]["text"], "Order 1234, paid by card.");
        assert_eq!(messages[1]["role"], "customer");

        let now = s.call("GET", &format!("/v1/conversations/{cnv}"), s.sk(), None).await.json();
        assert_eq!(now["handled_by"], "pending");
        assert!(now["human_requested_at"].is_string());
        assert_eq!(results[3]["structuredContent"]["handled_by"], "pending");
        let handoffs = s.events_of("handoff.requested").await;
        assert_eq!(handoffs.len(), 1);
        assert_eq!(handoffs[0]["data"]["reason"], "refund over the AI's limit");

        let bad = &results[4];
        assert_eq!(bad["isError"], true, "{bad}");
        assert_eq!(bad["structuredContent"]["error"]["code"], "VALIDATION_FAILED");
        assert_eq!(bad["structuredContent"]["error"]["fields"]["email"][0], "is not a valid email address");
        assert!(bad["content"][0]["text"].as_str().unwrap().starts_with("VALIDATION_FAILED"));
        let all = s.call("GET", "/v1/contacts", s.sk(), None).await.json();
        assert_eq!(all["data"].as_array().unwrap().len(), 2, "the bad call created nothing");
    }
}

both_backends! {
    async fn a_read_only_key_sees_no_write_tool_and_cannot_call_one(backend) {
        let Some(python) = python() else { return };
        let s = TestServer::start(backend).await;
        let key = s.secret_key(&["read"]).await;
        let out = drive(&python, &s, &key, json!([
            {"name": "create_contact", "arguments": {"name": "Sneaky"}},
            {"name": "search_contacts", "arguments": {}},
        ])).await;
        assert_eq!(
            tool_names(&out),
            ["check_availability", "get_analytics", "get_contact", "get_conversation", "list_conversations",
             "list_resources", "list_tickets", "search_contacts", "search_knowledge"]
        );
        for tool in out["tools"].as_array().unwrap() {
            assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
        }
        let refused = &out["results"][0];
        assert_eq!(refused["isError"], true, "{refused}");
        assert_eq!(refused["structuredContent"]["error"]["code"], "FORBIDDEN");
        assert!(refused["content"][0]["text"].as_str().unwrap().contains("contacts:write"));
        assert_eq!(out["results"][1]["structuredContent"]["data"], json!([]), "nothing was created");
    }
}

both_backends! {
    async fn a_wrong_key_is_refused(backend) {
        let Some(python) = python() else { return };
        let s = TestServer::start(backend).await;
        let out = drive(&python, &s, "sk_test_000000000000000000000000000000000", json!([])).await;
        assert!(out["error"].is_string(), "connected: {out}");
        assert_eq!(out["statuses"], json!([401]), "{out}");
    }
}

both_backends! {
    async fn an_agent_opens_and_answers_tickets_and_books_through_the_official_client(backend) {
        let Some(python) = python() else { return };
        let s = TestServer::start(backend).await;
        let conversation = s.conversation(json!({"contact": {"name": "Maya"}, "message": {"text": "Can I see Dr. Rao?"}})).await;
        let cnv = conversation["id"].as_str().unwrap();
        let contact = conversation["contact"]["id"].as_str().unwrap();
        let all_day: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter().map(|d| ((*d).to_owned(), json!([["09:00", "17:00"]]))).collect();
        let res = s.call("POST", "/v1/resources", s.sk(), Some(json!({"name": "Dr. Rao", "timezone": "Asia/Kolkata",
            "working_hours": all_day, "slot_minutes": 30}))).await.json();
        let day = (s.app.clock.now().to_datetime() + chrono::Duration::days(3)).date_naive().to_string();

        let out = drive(&python, &s, s.sk(), json!([
            {"name": "create_ticket", "arguments": {"subject": "Wants a second opinion", "conversation_id": cnv, "priority": "high"}},
            {"name": "list_tickets", "arguments": {"status": "open", "contact_id": contact}},
            {"name": "list_resources", "arguments": {}},
            {"name": "check_availability", "arguments": {"resource_id": res["id"], "date": day, "duration_minutes": 30}},
            {"name": "create_booking", "arguments": {"resource_id": res["id"], "contact_id": contact, "start": format!("{day}T09:00:00+05:30")}},
            {"name": "create_booking", "arguments": {"resource_id": res["id"], "contact_id": contact, "start": format!("{day}T09:15:00+05:30")}},
        ])).await;
        let results = out["results"].as_array().unwrap();
        for (i, r) in results.iter().enumerate().take(5) {
            assert_eq!(r["isError"], false, "call {i}: {r}");
        }
        let ticket = &results[0]["structuredContent"];
        assert_eq!(ticket["conversation_id"], cnv);
        assert_eq!(results[1]["structuredContent"]["data"][0]["id"], ticket["id"]);
        assert!(results[2]["content"][0]["text"].as_str().unwrap().contains("Dr. Rao"));
        let slots = results[3]["structuredContent"]["slots"].as_array().unwrap();
        assert_eq!(slots.len(), 16, "09:00 to 17:00 in half hours");
        assert_eq!(slots[0]["start"], format!("{day}T09:00:00+05:30"));
        let booked = &results[4]["structuredContent"];
        assert_eq!(booked["start"], format!("{day}T09:00:00+05:30"));
        assert_eq!(results[5]["isError"], true);
        assert_eq!(results[5]["structuredContent"]["error"]["code"], "SLOT_TAKEN");

        let tkt = ticket["id"].as_str().unwrap();
        let bkg = booked["id"].as_str().unwrap();
        let out = drive(&python, &s, s.sk(), json!([
            {"name": "reply_to_ticket", "arguments": {"ticket_id": tkt, "body": "Dr. Rao can see you on the day you chose."}},
            {"name": "cancel_booking", "arguments": {"booking_id": bkg}},
        ])).await;
        let results = out["results"].as_array().unwrap();
        assert_eq!(results[0]["isError"], false, "{}", results[0]);
        assert_eq!(results[1]["structuredContent"]["status"], "cancelled");
        let texts: Vec<String> = s.messages(cnv).await.iter().map(|m| m["text"].as_str().unwrap().to_owned()).collect();
        assert!(texts.iter().any(|t| t.contains(ticket["reference"].as_str().unwrap())), "{texts:?}");
        assert!(texts.contains(&"Dr. Rao can see you on the day you chose.".to_owned()), "{texts:?}");
        assert_eq!(s.events_of("booking.cancelled").await.len(), 1);
    }
}
