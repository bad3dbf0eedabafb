//! The console: its files are served from the binary with caching headers and gzip,
//! `GET /v1/members/me` tells it who signed in, and the whole agent workflow runs in
//! Chromium against the public API (`browser/console.mjs`).

use std::path::Path;
use std::time::Duration;

use confab_testkit::{TestBackend, TestServer, both_backends, browser};
use serde_json::json;

/// Every file the page and its modules load, read from `web/console/`.
fn console_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/console");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "index.html")
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn every_console_file_is_served_and_every_import_resolves() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/console");
    for name in console_files() {
        let r = s
            .send("GET", &format!("/console/{name}"), None, &[], None)
            .await;
        assert_eq!(r.status, 200, "/console/{name}");
        let expected = if name.ends_with(".css") {
            "text/css"
        } else {
            "text/javascript"
        };
        assert!(
            r.header("content-type").unwrap().starts_with(expected),
            "{name}"
        );
        assert_eq!(
            r.text,
            std::fs::read_to_string(dir.join(&name)).unwrap(),
            "{name} as on disk"
        );
        // A module's relative imports must be files the server has.
        for import in r.text.split("from './").skip(1) {
            let target = &import[..import.find('\'').unwrap()];
            let found = s
                .send("GET", &format!("/console/{target}"), None, &[], None)
                .await;
            assert_eq!(found.status, 200, "{name} imports {target}");
        }
    }
    let page = s.send("GET", "/console", None, &[], None).await;
    for src in page.text.split("\"/console/").skip(1) {
        let target = &src[..src.find('"').unwrap()];
        let found = s
            .send("GET", &format!("/console/{target}"), None, &[], None)
            .await;
        assert_eq!(found.status, 200, "index.html loads {target}");
    }
    let missing = s.send("GET", "/console/nope.js", None, &[], None).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (404, "NOT_FOUND")
    );
    let slash = s.send("GET", "/console/", None, &[], None).await;
    assert_eq!(slash.status, 200, "followed the redirect to /console");
    assert!(slash.text.contains("Confab console"));
}

#[tokio::test]
async fn the_console_page_revalidates_by_etag_and_is_gzipped_when_accepted() {
    let s = TestServer::start(TestBackend::Sqlite).await;
    // reqwest here sends no Accept-Encoding, so the plain bytes come back.
    let page = s.send("GET", "/console", None, &[], None).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("cache-control"), Some("no-cache"));
    assert_eq!(page.header("vary"), Some("Accept-Encoding"));
    assert!(page.header("content-encoding").is_none());
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let etag = page.header("etag").unwrap().to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );

    let again = s
        .send("GET", "/console", None, &[("if-none-match", &etag)], None)
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let changed = s
        .send(
            "GET",
            "/console",
            None,
            &[("if-none-match", "\"something-else\"")],
            None,
        )
        .await;
    assert_eq!(changed.status, 200);

    // gzip when the browser accepts it, under its own ETag; not when it refuses it.
    let client = reqwest::Client::builder().no_gzip().build().unwrap();
    let mut total_plain = 0;
    let mut total_gzip = 0;
    for path in std::iter::once("/console".to_owned())
        .chain(console_files().into_iter().map(|n| format!("/console/{n}")))
    {
        let url = format!("{}{path}", s.base);
        let zipped = client
            .get(&url)
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await
            .unwrap();
        assert_eq!(zipped.headers()["content-encoding"], "gzip", "{path}");
        let zipped_etag = zipped.headers()["etag"].to_str().unwrap().to_owned();
        let bytes = zipped.bytes().await.unwrap();
        let mut plain = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut plain)
            .unwrap();
        let direct = s.send("GET", &path, None, &[], None).await;
        assert_eq!(plain, direct.text, "{path} unzips to the file");
        assert_ne!(
            Some(zipped_etag.as_str()),
            direct.header("etag"),
            "{path}: each representation has its ETag"
        );
        let revalidated = client
            .get(&url)
            .header("accept-encoding", "gzip")
            .header("if-none-match", &zipped_etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), 304, "{path}");
        total_plain += direct.text.len();
        total_gzip += bytes.len();
    }
    let refused = client
        .get(format!("{}/console", s.base))
        .header("accept-encoding", "gzip;q=0, identity")
        .send()
        .await
        .unwrap();
    assert!(refused.headers().get("content-encoding").is_none());
    println!("console first load: {total_plain} bytes, {total_gzip} bytes gzipped");
}

/// A test-mode secret key that belongs to no member (as an integrator's key would).
async fn memberless_key(s: &TestServer) -> String {
    use confab_core::credential::{hash_secret, last4, new_secret_key};
    use confab_store::credentials::{KeyKind, KeyRow, insert_key};
    let secret = new_secret_key(confab_core::Mode::Test);
    let mut tx = s.test_tx().await;
    let row = KeyRow {
        id: confab_core::id::KeyId::generate(),
        workspace_id: s.creds.workspace_id.clone(),
        livemode: false,
        member_id: None,
        kind: KeyKind::Secret,
        last4: last4(&secret),
        label: "integration".into(),
        scopes: vec![],
        allowed_origins: vec![],
        site_key: None,
        created_at: s.app.clock.now(),
        revoked_at: None,
    };
    insert_key(&mut tx, &row, &hash_secret(&secret))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    secret
}

both_backends! {
    async fn members_me_names_the_signed_in_member(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let me = s.call("GET", "/v1/members/me", &owner, None).await;
        assert_eq!(me.status, 200, "{}", me.text);
        let me = me.json();
        assert_eq!((me["object"].as_str(), me["role"].as_str()), (Some("member"), Some("owner")));

        let agent = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana Agent", "email": "ana@example.com", "role": "agent"}))).await.json();
        let agent_id = agent["id"].as_str().unwrap();
        let token = s.call("POST", &format!("/v1/members/{agent_id}/tokens"), &owner, None).await.json();
        let agent_token = token["token"].as_str().unwrap();
        let seen = s.call("GET", "/v1/members/me", agent_token, None).await.json();
        assert_eq!((seen["id"].as_str(), seen["role"].as_str(), seen["name"].as_str()), (Some(agent_id), Some("agent"), Some("Ana Agent")));
        // The same in test mode: members span both modes.
        let test_mode = s.send("GET", "/v1/members/me", Some(agent_token), &[("confab-mode", "test")], None).await;
        assert_eq!(test_mode.json()["id"].as_str(), Some(agent_id));

        // The bootstrap keys are the owner's; a key issued to nobody has no "me".
        let keyed = s.call("GET", "/v1/members/me", s.sk(), None).await.json();
        assert_eq!(keyed["id"], me["id"]);
        let nobody = s.call("GET", "/v1/members/me", &memberless_key(&s).await, None).await;
        assert_eq!((nobody.status, nobody.code().as_str()), (404, "NOT_FOUND"));
        assert!(nobody.json()["error"]["message"].as_str().unwrap().contains("member token"));
        // A bad token is not signed in.
        let bad = s.call("GET", "/v1/members/me", "mt_nope", None).await;
        assert_eq!(bad.status, 401);
        // A removed member is signed out at once.
        s.call("DELETE", &format!("/v1/members/{agent_id}"), &owner, None).await;
        assert_eq!(s.call("GET", "/v1/members/me", agent_token, None).await.status, 401);
    }
}

both_backends! {
    async fn a_member_token_streams_test_mode_events_with_the_mode_header(backend) {
        let s = TestServer::start(backend).await;
        let response = s.client.get(format!("{}/v1/events/stream", s.base))
            .bearer_auth(&s.creds.owner_token)
            .header("confab-mode", "test")
            .send().await.unwrap();
        assert_eq!(response.status(), 200);
        // A live-mode event must not reach a test-mode stream; the test-mode one must.
        s.call("POST", "/v1/contacts", &s.creds.live_secret_key, Some(json!({"name": "Live person"}))).await;
        s.contact(json!({"name": "Test person"})).await;
        let mut body = response;
        let mut seen = String::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !seen.contains("Test person") {
            let chunk = tokio::time::timeout_at(deadline, body.chunk()).await.expect("an event within 10 s").unwrap().unwrap();
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(!seen.contains("Live person"), "{seen}");
    }
}

both_backends! {
    async fn agents_work_conversations_live_in_the_console(backend) {
        let s = TestServer::start(backend).await;
        let name = format!("console-{backend:?}").to_lowercase();
        let Some(result) = browser::run("console", &name, json!({
            "base_url": s.base,
            "owner_token": s.creds.owner_token,
            "secret_key": s.sk(),
            "site_key": s.creds.test_site_key,
        })).await else { return };
        println!("{result:#}");
        assert!(result["whoami"].as_str().unwrap().ends_with("owner"), "{result}");
        assert_eq!(result["token_in_session"], true);
        assert_eq!(result["newest_on_top_before_handoff"], true);
        assert_eq!(result["search_finds"], true);
        assert_eq!(result["handoff_on_top"], true);
        assert_eq!(result["handoff_highlighted"], true);
        assert!(result["title_with_waiting"].as_str().unwrap().starts_with("(1) "));
        assert!(result["waiting_text"].as_str().unwrap().starts_with("waiting "));
        assert_eq!(result["first_message_dirs"], serde_json::json!(["auto", "auto"]), "mixed scripts render by their own direction");
        let tags = result["first_message_tags"].as_str().unwrap();
        assert!(tags.contains("lang: en") && tags.contains("negative") && tags.contains("intent:"), "{tags}");
        assert!(result["contact_panel"].as_str().unwrap().contains("maya@example.com"));
        assert_eq!(result["downloaded"], "order-1234.csv");
        assert_eq!(result["still_same_page"], true, "live updates without a reload");
        assert_eq!(result["reply_via_api"], json!({"role": "agent", "author_type": "member"}));
        assert_eq!(result["reply_via_stream"]["type"], "message.sent");
        assert_eq!(result["reply_via_stream"]["conversation_id"], result["conversation_id"]);
        assert_eq!(result["reply_via_widget_stream"], json!({"role": "agent", "author_type": "member"}));
        assert_eq!(result["note_via_api"], "Refund if it is not delivered by Friday.");
        assert_eq!(result["released"], "ai");
        assert_eq!(result["resolved"], json!({"status": "resolved", "resolution": {"outcome": "solved", "note": "Shipped today."}}));
        assert!(!result["title_after"].as_str().unwrap().starts_with('('));
        assert!(result["chart_bars"].as_u64().unwrap() >= 1);
        assert_eq!(result["agent_token_prefix"], "mt_");
        assert_eq!(result["signed_out_session"], serde_json::Value::Null);
        assert!(result["agent_whoami"].as_str().unwrap().ends_with("agent"));
        assert_eq!(result["agent_sees_team_link"], false);
        assert!(result["agent_team_page"].as_str().unwrap().contains("Only owners and admins"));
        assert_eq!(result["agent_api_status"], 403);
        assert_eq!(result["agent_took_over"], true);
        assert_eq!(result["agent_assigned_to_owner"], true);
        assert_eq!(result["tablet_inbox_hidden"], true);
        assert_eq!(result["tablet_back_visible"], true);
        assert_eq!(result["tablet_topbar_fits"], true, "every link of the top bar fits at 768 px");
        assert_eq!(result["mode_before"], "Test mode", "sign-in starts in the sandbox");
        let notice = result["setup_notice"].as_str().unwrap();
        assert!(notice.contains("no knowledge in test mode"), "{notice}");
        assert!(!notice.contains("no website"), "the test site key works anywhere: {notice}");
        let live_notice = result["live_setup_notice"].as_str().unwrap();
        assert!(live_notice.contains("no knowledge in live mode") && live_notice.contains("works on no website yet"), "{live_notice}");
        assert_eq!(result["mode_after"], "Live");
        assert_eq!(result["live_mode_header"], "live");
        assert_eq!(result["live_inbox_shows_test_data"], false, "live mode shows no test conversation");
        assert_eq!(result["page_errors"], json!([]), "no script errors in the page");
        for shot in ["01-signin", "03-handoff-on-top", "04-replied", "05-resolved", "07-analytics", "09-agent", "10-tablet"] {
            assert!(browser::artifacts_dir(&name).join(format!("{shot}.png")).exists(), "{shot}");
        }
    }
}

both_backends! {
    /// The knowledge base without curl: add, find with the AI's confidence, edit, import
    /// (a bad line refuses the file and says which), and try the agent.
    async fn the_knowledge_page_runs_the_knowledge_base(backend) {
        let s = TestServer::start(backend).await;
        let agent = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "Sam"}))).await;
        assert_eq!(agent.status, 201, "{}", agent.text);
        let config = json!({"base_url": s.base, "owner_token": s.creds.owner_token});
        let name = format!("console-knowledge-{backend:?}").to_lowercase();
        let Some(r) = browser::run("console_knowledge", &name, config).await else { return };
        println!("{r:#}");
        assert!(r["empty"].as_str().unwrap().contains("No entries yet"));
        assert_eq!(r["titles"], json!(["Opening hours"]));
        let hit = r["hit"].as_str().unwrap();
        assert!(hit.contains("Opening hours") && hit.contains('%'), "{hit}");
        assert_eq!(r["edited"], true);
        let errors = r["import_errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].as_str().unwrap().starts_with("Line 3"), "{errors:?}");
        assert_eq!(r["imported"], "Imported 1 entries.");
        assert_eq!(r["rows"], 2, "the refused file stored nothing, the good one its entry");
        let tried = r["try"].as_str().unwrap();
        assert!(tried.contains("9 to 7") && tried.contains("Sam"), "{tried}");
        assert_eq!(r["notice_after"], true, "the no-knowledge notice goes once there is knowledge");
        assert_eq!(r["page_errors"], json!([]));
        let stored = s.call("GET", "/v1/knowledge", s.sk(), None).await.json();
        assert_eq!(stored["data"].as_array().unwrap().len(), 2, "the page drove the real API");
    }
}

both_backends! {
    /// AI agents without curl: create one with its voice and hand-off rules, edit it into
    /// the default; a provider choice the server refuses is shown with its reason.
    async fn the_agents_page_manages_the_ai_agents(backend) {
        let s = TestServer::start(backend).await;
        let config = json!({"base_url": s.base, "owner_token": s.creds.owner_token});
        let name = format!("console-agents-{backend:?}").to_lowercase();
        let Some(r) = browser::run("console_agents", &name, config).await else { return };
        println!("{r:#}");
        assert!(r["empty"].as_str().unwrap().contains("No agents yet"));
        let row = r["row"].as_str().unwrap();
        assert!(row.contains("Sam") && row.contains("Hi, I am Sam!") && row.contains("3 negative") && row.contains("lawyer, refund") && row.contains("web"), "{row}");
        let edited = r["edited_row"].as_str().unwrap();
        assert!(edited.contains("default") && !edited.contains("Hi, I am Sam!"), "{edited}");
        assert!(r["refused"].as_str().unwrap().contains("model"), "{}", r["refused"]);
        assert_eq!(r["page_errors"], json!([]));
        let agents = s.call("GET", "/v1/agents", s.sk(), None).await.json();
        let sam = &agents["data"][0];
        assert_eq!((sam["name"].as_str(), sam["is_default"].as_bool()), (Some("Sam"), Some(true)));
        assert_eq!(sam["handoff"]["keywords"], json!(["lawyer", "refund"]));
        assert_eq!(agents["data"].as_array().unwrap().len(), 1, "the refused agent was not made");
    }
}

both_backends! {
    /// The widget page shows each mode's snippet with its own site key, saves the look,
    /// the sites and the business's name (the preview shows them), and replaces the key.
    async fn the_widget_page_sets_up_the_widget_and_gives_each_modes_snippet(backend) {
        let s = TestServer::start(backend).await;
        let config = json!({"base_url": s.base, "owner_token": s.creds.owner_token});
        let name = format!("console-widget-{backend:?}").to_lowercase();
        let Some(r) = browser::run("console_widget", &name, config).await else { return };
        println!("{r:#}");
        let base = s.base.trim_end_matches('/');
        assert_eq!(r["test_snippet"], format!(r#"<script src="{base}/widget.js" data-site-key="{}" async></script>"#, s.creds.test_site_key));
        assert!(r["live_snippet"].as_str().unwrap().contains(&s.creds.live_site_key));
        assert!(r["live_block"].as_str().unwrap().contains("Runs on no site yet"), "{}", r["live_block"]);
        assert!(r["test_block"].as_str().unwrap().contains("Runs on: http://localhost:5173"), "{}", r["test_block"]);
        assert!(r["preview_greeting"].as_str().unwrap().contains("Fresh bread daily."), "{}", r["preview_greeting"]);
        assert_eq!(r["page_errors"], json!([]));

        let settings = s.call("GET", "/v1/settings/widget", s.sk(), None).await.json();
        assert_eq!(settings["agent_name"], "Sam");
        assert_eq!(settings["accent_color"], "#0a7f5a");
        assert_eq!(settings["allowed_origins"], json!(["http://localhost:5173"]));
        let new_key = settings["site_key"].as_str().unwrap();
        assert_ne!(new_key, s.creds.test_site_key);
        assert!(r["new_test_snippet"].as_str().unwrap().contains(new_key), "{}", r["new_test_snippet"]);
        let account = s.call("GET", "/v1/account", s.sk(), None).await.json();
        assert_eq!(account["workspace"]["name"], "Acme Bakery");
        let live = s.call("GET", "/v1/settings/widget", &s.creds.live_secret_key, None).await.json();
        assert_eq!(live["site_key"], s.creds.live_site_key.as_str(), "live mode's key is untouched");
    }
}

both_backends! {
    /// The tickets page opens a ticket routed to a department, takes a note and a
    /// status move; a conversation opens a ticket that the customer is told about.
    async fn the_tickets_page_runs_the_queue_and_a_conversation_opens_a_ticket(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let dep = s.call("POST", "/v1/departments", &owner, Some(json!({"name": "Billing"}))).await.json();
        let ana = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana", "email": "ana@example.com",
            "role": "agent", "department_ids": [dep["id"]]}))).await.json();
        let c = s.conversation(json!({"channel": "api", "contact": {"name": "Maya"}, "message": {"text": "I was charged twice"}})).await;
        let config = json!({"base_url": s.base, "owner_token": owner, "conversation_id": c["id"]});
        let name = format!("console-tickets-{backend:?}").to_lowercase();
        let Some(r) = browser::run("console_tickets", &name, config).await else { return };
        println!("{r:#}");
        let detail = r["detail"].as_str().unwrap();
        assert!(detail.contains("Invoice 12 is wrong") && detail.contains("Billing") && detail.contains("Ana"), "{detail}");
        assert!(r["after_solve"].as_str().unwrap().contains("solved"), "{}", r["after_solve"]);
        assert!(r["told"].as_str().unwrap().contains("T-"), "{}", r["told"]);
        assert_eq!(r["page_errors"], json!([]));
        let tickets = s.call("GET", "/v1/tickets?limit=10", s.sk(), None).await.json();
        let all = tickets["data"].as_array().unwrap();
        assert_eq!(all.len(), 2);
        let routed = all.iter().find(|t| t["subject"] == "Invoice 12 is wrong").unwrap();
        assert_eq!(routed["assignee_id"], ana["id"]);
        assert_eq!(routed["status"], "solved");
        assert_eq!(routed["reply_count"], 1);
        let from_chat = all.iter().find(|t| t["subject"] == "Refund for order 1234").unwrap();
        assert_eq!(from_chat["conversation_id"], c["id"]);
    }
}
