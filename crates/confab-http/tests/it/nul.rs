//! NUL characters: one rule at the edge for every string the API accepts, on both
//! backends. In a JSON body field: 422 naming the field; in a path id: 404; in a query
//! parameter: 422 naming the parameter; in an imported file: 422. PostgreSQL cannot
//! store NUL in text (it used to answer 500) and SQLite stored it verbatim.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

const NUL: &str = "a\u{0}b";

/// What a sweep found that broke the rule.
#[derive(Default)]
struct Breaks(Vec<String>);

impl Breaks {
    fn field(&mut self, what: &str, r: &confab_testkit::Response, field: &str) {
        let ok = r.status == 422
            && r.code() == "VALIDATION_FAILED"
            && r.json()["error"]["fields"][field].is_array();
        if !ok {
            self.0.push(format!(
                "{what}: want 422 naming `{field}`, got {} {}",
                r.status, r.text
            ));
        }
    }

    fn not_found(&mut self, what: &str, r: &confab_testkit::Response) {
        if (r.status, r.code().as_str()) != (404, "NOT_FOUND") {
            self.0
                .push(format!("{what}: want 404, got {} {}", r.status, r.text));
        }
    }

    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} broke the NUL rule:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

both_backends! {
    async fn nul_in_a_body_field_is_422_naming_it(backend) {
        let s = TestServer::start(backend).await;
        let sk = s.sk().to_owned();
        let owner = s.creds.owner_token.clone();
        let contact = s.contact(json!({"name": "Ada", "email": "ada@example.com"})).await;
        let cid = contact["id"].as_str().unwrap().to_owned();
        let conversation = s.conversation(json!({"contact_id": cid})).await;
        let cnv = conversation["id"].as_str().unwrap().to_owned();
        let agent = s.call("POST", "/v1/agents", &sk, Some(json!({"name": "Bot"}))).await.json();
        let agent_id = agent["id"].as_str().unwrap().to_owned();
        let kb = s.call("POST", "/v1/knowledge", &sk, Some(json!({"title": "T", "body": "B"}))).await.json();
        let kb_id = kb["id"].as_str().unwrap().to_owned();
        let cases: Vec<(&str, String, &str, Value, &str)> = vec![
            ("POST", "/v1/contacts".into(), sk.as_str(), json!({"name": NUL}), "name"),
            ("POST", "/v1/contacts".into(), sk.as_str(), json!({"email": "x@example.com", "attributes": {"plan": NUL}}), "attributes.plan"),
            ("POST", "/v1/contacts".into(), sk.as_str(), json!({"name": "A", "tags": ["ok", NUL]}), "tags[1]"),
            ("POST", "/v1/contacts".into(), sk.as_str(), json!({"external_id": NUL}), "external_id"),
            ("PATCH", format!("/v1/contacts/{cid}"), sk.as_str(), json!({"phone": NUL}), "phone"),
            ("POST", format!("/v1/contacts/{cid}/tags"), sk.as_str(), json!({"tags": [NUL]}), "tags[0]"),
            ("POST", "/v1/conversations".into(), sk.as_str(), json!({"contact_id": cid, "metadata": {"k": NUL}}), "metadata.k"),
            ("POST", "/v1/conversations".into(), sk.as_str(), json!({"contact_id": NUL}), "contact_id"),
            ("POST", format!("/v1/conversations/{cnv}/messages"), sk.as_str(), json!({"role": "agent", "text": NUL}), "text"),
            ("PATCH", format!("/v1/conversations/{cnv}"), sk.as_str(), json!({"metadata": {"note": NUL}}), "metadata.note"),
            ("POST", "/v1/agents".into(), sk.as_str(), json!({"name": NUL}), "name"),
            ("PATCH", format!("/v1/agents/{agent_id}"), sk.as_str(), json!({"instructions": NUL}), "instructions"),
            ("POST", "/v1/knowledge".into(), sk.as_str(), json!({"title": "T", "body": NUL}), "body"),
            ("PATCH", format!("/v1/knowledge/{kb_id}"), sk.as_str(), json!({"title": NUL}), "title"),
            ("POST", "/v1/webhook-endpoints".into(), sk.as_str(), json!({"url": "https://example.com/h", "description": NUL}), "description"),
            ("POST", "/v1/api-keys".into(), sk.as_str(), json!({"label": NUL}), "label"),
            ("PUT", "/v1/settings/widget".into(), sk.as_str(), json!({"greeting": NUL}), "greeting"),
            ("POST", "/v1/members".into(), owner.as_str(), json!({"name": NUL, "email": "n@example.com", "role": "agent"}), "name"),
            // A NUL in a key names the key.
            ("POST", "/v1/contacts".into(), sk.as_str(), json!({"name": "A", "attributes": {"a\u{0}b": 1}}), "attributes.a\\u0000b"),
        ];
        let mut breaks = Breaks::default();
        for (method, path, key, body, field) in cases {
            let r = s.call(method, &path, key, Some(body)).await;
            breaks.field(&format!("{method} {path} `{field}`"), &r, field);
        }
        // The widget's public API takes the same rule.
        let site = s.creds.test_site_key.clone();
        let r = s.send("POST", "/v1/widget/conversations", None,
            &[("x-site-key", &site), ("content-type", "application/json")],
            Some(serde_json::to_vec(&json!({"name": "V", "message": NUL, "visitor_token": "tok_0123456789abcdef"})).unwrap())).await;
        breaks.field("POST /v1/widget/conversations `message`", &r, "message");
        // And the task gateway, with both of its credentials.
        let caller = s.task_caller(json!({"label": "Tasks"})).await;
        let r = s.post_task(Some(&caller.token), Some(&caller.key), &json!({"message": NUL})).await;
        breaks.field("POST /v1/tasks `message`", &r, "message");
        let r = s.post_task(Some(&caller.token), Some(&caller.key), &json!({"message": "Find Ada", "metadata": {"ref": NUL}})).await;
        breaks.field("POST /v1/tasks `metadata.ref`", &r, "metadata.ref");
        let r = s.get_task(&caller, "tsk_%00").await;
        breaks.not_found("GET /v1/tasks/tsk_%00", &r);
        breaks.assert_none();
        // Nothing with a NUL was stored.
        let list = s.call("GET", "/v1/contacts?limit=100", &sk, None).await;
        assert!(!list.text.contains("\\u0000"), "{}", list.text);
    }
}

both_backends! {
    async fn nul_in_a_path_id_is_404(backend) {
        let s = TestServer::start(backend).await;
        let sk = s.sk().to_owned();
        let contact = s.contact(json!({"name": "Ada", "tags": ["vip"]})).await;
        let cid = contact["id"].as_str().unwrap().to_owned();
        let paths = [
            ("GET", "/v1/contacts/ctc_%00".to_owned()),
            ("GET", "/v1/contacts/%00".to_owned()),
            ("PATCH", "/v1/contacts/%00".to_owned()),
            ("DELETE", "/v1/contacts/ctc_%00x".to_owned()),
            ("GET", "/v1/contacts/%00/export".to_owned()),
            ("POST", "/v1/contacts/%00/block".to_owned()),
            ("DELETE", format!("/v1/contacts/{cid}/tags/vip%00")),
            ("GET", "/v1/conversations/cnv_%00".to_owned()),
            ("GET", "/v1/conversations/%00/messages".to_owned()),
            ("POST", "/v1/conversations/%00/resolve".to_owned()),
            ("GET", "/v1/agents/%00".to_owned()),
            ("GET", "/v1/knowledge/%00".to_owned()),
            ("DELETE", "/v1/knowledge/kb_%00".to_owned()),
            ("GET", "/v1/webhook-endpoints/%00".to_owned()),
            ("GET", "/v1/webhook-endpoints/%00/deliveries".to_owned()),
            ("GET", "/v1/webhook-deliveries/%00".to_owned()),
            ("GET", "/v1/api-keys/%00".to_owned()),
            ("GET", "/v1/events/evt_%00".to_owned()),
            ("GET", "/v1/files/%00".to_owned()),
            ("GET", "/v1/files/fil_%00/content".to_owned()),
            ("GET", "/v1/members/mem_%00".to_owned()),
        ];
        let mut breaks = Breaks::default();
        for (method, path) in &paths {
            let body = matches!(*method, "PATCH").then(|| json!({"name": "x"}));
            let r = s.call(method, path, &sk, body).await;
            breaks.not_found(&format!("{method} {path}"), &r);
        }
        let owner = s.creds.owner_token.clone();
        let r = s.call("GET", "/v1/members/%00/tokens", &owner, None).await;
        breaks.not_found("GET /v1/members/%00/tokens", &r);
        let site = s.creds.test_site_key.clone();
        for path in ["/v1/widget/conversations/tok%00tok%00tok%00tok%00", "/v1/widget/conversations/tok%00tok%00tok%00tok%00/messages"] {
            let r = s.send("GET", path, None, &[("x-site-key", &site)], None).await;
            breaks.not_found(path, &r);
        }
        breaks.assert_none();
        assert_eq!(s.call("GET", &format!("/v1/contacts/{cid}"), &sk, None).await.json()["tags"], json!(["vip"]));
    }
}

both_backends! {
    async fn nul_in_a_query_parameter_is_422_naming_it(backend) {
        let s = TestServer::start(backend).await;
        let sk = s.sk().to_owned();
        s.contact(json!({"name": "Ada", "email": "ada@example.com"})).await;
        let queries = [
            ("/v1/contacts?search=%00", "search"),
            ("/v1/contacts?search=ada%00", "search"),
            ("/v1/contacts?tag=%00", "tag"),
            ("/v1/contacts?email=a%00b", "email"),
            ("/v1/conversations?contact_id=%00", "contact_id"),
            ("/v1/conversations?cursor=%00", "cursor"),
            ("/v1/knowledge?intent=%00", "intent"),
            ("/v1/knowledge/search?q=%00", "q"),
            ("/v1/events?type=%00", "type"),
            ("/v1/analytics?period=%00", "period"),
            ("/v1/webhook-endpoints?limit=1%00", "limit"),
            ("/v1/contacts?x%00y=1", "x\\u0000y"),
        ];
        let mut breaks = Breaks::default();
        for (path, param) in queries {
            let r = s.call("GET", path, &sk, None).await;
            breaks.field(&format!("GET {path}"), &r, param);
        }
        breaks.assert_none();
    }
}

both_backends! {
    async fn an_import_with_nul_is_refused_whole(backend) {
        let s = TestServer::start(backend).await;
        for (format, body) in [
            ("csv", "question,answer\nRefunds?,We refund\u{0} within 30 days\n"),
            ("jsonl", "{\"title\": \"Refunds\", \"body\": \"We refund\\u0000 within 30 days\"}\n"),
            ("markdown", "# Refunds\n\nWe refund\u{0} within 30 days\n"),
        ] {
            let r = s.send("POST", &format!("/v1/knowledge/import?format={format}"), Some(s.sk()),
                &[("content-type", "text/plain")], Some(body.as_bytes().to_vec())).await;
            assert_eq!((r.status, r.code().as_str()), (422, "VALIDATION_FAILED"), "{format}: {}", r.text);
            assert!(r.text.contains("NUL"), "{format}: {}", r.text);
        }
        let listed = s.call("GET", "/v1/knowledge", s.sk(), None).await.json();
        assert_eq!(listed["data"].as_array().unwrap().len(), 0, "nothing imported");
    }
}

both_backends! {
    /// A NUL in a part's header (the file name) makes the multipart body malformed: 400,
    /// and nothing is stored. (A name that reaches the handler with one is a 422 `file`.)
    async fn nul_in_an_uploaded_file_name_is_refused(backend) {
        let s = TestServer::start(backend).await;
        let auth = format!("Bearer {}", s.sk());
        let r = s.upload("/v1/files", &[("authorization", &auth)], "in\u{0}voice.txt", "text/plain", b"hello".to_vec()).await;
        assert_eq!((r.status, r.code().as_str()), (400, "BAD_REQUEST"), "{}", r.text);
    }
}
