//! `/mcp` over plain HTTP: who gets in, which hosts are answered, and the JSON-RPC
//! shapes a client sees.

use confab_testkit::{Response, TestServer, both_backends};
use serde_json::{Value, json};

const ACCEPT: (&str, &str) = ("accept", "application/json, text/event-stream");
const JSON: (&str, &str) = ("content-type", "application/json");

fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "confab-test", "version": "1"}
    }})
}

async fn rpc(s: &TestServer, key: Option<&str>, extra: &[(&str, &str)], body: Value) -> Response {
    let mut headers = vec![ACCEPT, JSON, ("mcp-protocol-version", "2025-11-25")];
    headers.extend_from_slice(extra);
    s.send(
        "POST",
        "/mcp",
        key,
        &headers,
        Some(body.to_string().into_bytes()),
    )
    .await
}

both_backends! {
    async fn only_secret_keys_get_in(backend) {
        let s = TestServer::start(backend).await;
        for (key, code) in [
            (None, "UNAUTHENTICATED"),
            (Some("sk_test_000000000000000000000000000000000"), "INVALID_API_KEY"),
            (Some(s.creds.test_site_key.as_str()), "INVALID_API_KEY"),
            (Some(s.creds.owner_token.as_str()), "UNAUTHENTICATED"),
        ] {
            let r = rpc(&s, key, &[], initialize()).await;
            assert_eq!(r.status, 401, "{key:?}: {}", r.text);
            assert_eq!(r.code(), code, "{key:?}");
            assert_eq!(r.header("www-authenticate"), Some(r#"Bearer realm="confab""#), "{key:?}");
        }
        let ok = rpc(&s, Some(s.sk()), &[], initialize()).await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        assert_eq!(ok.json()["result"]["serverInfo"]["name"], "confab");
        assert!(ok.json()["result"]["capabilities"]["tools"].is_object());
        assert!(ok.header("x-request-id").is_some_and(|id| id.starts_with("req_")));
    }
}

#[tokio::test]
async fn other_hosts_are_refused() {
    let s = TestServer::start(confab_testkit::TestBackend::Sqlite).await;
    let r = rpc(&s, Some(s.sk()), &[("host", "evil.example")], initialize()).await;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = rpc(&s, Some(s.sk()), &[("host", "localhost:1")], initialize()).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

both_backends! {
    async fn tools_are_listed_with_schemas_and_hints_for_the_keys_scopes(backend) {
        let s = TestServer::start(backend).await;
        let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"});
        let all = rpc(&s, Some(s.sk()), &[], list.clone()).await.json();
        let tools = all["result"]["tools"].as_array().unwrap_or_else(|| panic!("{all}"));
        assert_eq!(tools.len(), confab_app::tools::catalog().len());
        let update = tools.iter().find(|t| t["name"] == "update_contact").unwrap();
        assert_eq!(update["annotations"], json!({
            "title": "Update a contact", "readOnlyHint": false, "destructiveHint": true,
            "idempotentHint": true, "openWorldHint": false
        }));
        assert_eq!(update["inputSchema"]["required"], json!(["contact_id"]));
        let search = tools.iter().find(|t| t["name"] == "search_knowledge").unwrap();
        assert_eq!(search["annotations"]["readOnlyHint"], true);
        assert_eq!(search["inputSchema"]["properties"]["q"]["type"], "string");

        let knowledge_key = s.secret_key(&["knowledge:read"]).await;
        let one = rpc(&s, Some(&knowledge_key), &[], list).await.json();
        assert_eq!(one["result"]["tools"].as_array().unwrap().len(), 1, "{one}");
    }
}

both_backends! {
    async fn calls_answer_results_tool_errors_or_protocol_errors(backend) {
        let s = TestServer::start(backend).await;
        let call = |name: &str, arguments: Value| json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
            "params": {"name": name, "arguments": arguments}});
        let created = rpc(&s, Some(s.sk()), &[], call("create_contact", json!({"name": "Ana"}))).await.json();
        let result = &created["result"];
        assert_eq!(result["isError"], false, "{created}");
        assert!(result["content"][0]["text"].as_str().unwrap().starts_with("Created contact ctc_"));
        let id = result["structuredContent"]["id"].as_str().unwrap();
        let echoed: Value = serde_json::from_str(result["content"][1]["text"].as_str().unwrap()).unwrap();
        assert_eq!(echoed["id"], id);

        let missing = rpc(&s, Some(s.sk()), &[], call("get_contact", json!({"contact_id": "ctc_01JAAAAAAAAAAAAAAAAAAAAAAA"}))).await.json();
        assert_eq!(missing["result"]["isError"], true, "{missing}");
        assert_eq!(missing["result"]["structuredContent"]["error"]["code"], "NOT_FOUND");
        assert!(missing["result"]["structuredContent"]["error"]["request_id"].as_str().unwrap().starts_with("req_"));

        let unknown = rpc(&s, Some(s.sk()), &[], call("drop_tables", json!({}))).await.json();
        assert_eq!(unknown["error"]["code"], -32602, "{unknown}");
        assert!(unknown["error"]["message"].as_str().unwrap().contains("drop_tables"));
    }
}
