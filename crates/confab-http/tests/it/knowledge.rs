//! The knowledge base: CRUD, ranked search, and imports that never half-succeed.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

async fn entry(s: &TestServer, body: Value) -> Value {
    let r = s.call("POST", "/v1/knowledge", s.sk(), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

async fn import(s: &TestServer, query: &str, content_type: &str, body: &str) -> (u16, Value) {
    let r = s
        .send(
            "POST",
            &format!("/v1/knowledge/import{query}"),
            Some(s.sk()),
            &[("content-type", content_type)],
            Some(body.as_bytes().to_vec()),
        )
        .await;
    (r.status, r.json())
}

async fn count(s: &TestServer) -> usize {
    let r = s.call("GET", "/v1/knowledge?limit=100", s.sk(), None).await;
    r.json()["data"].as_array().unwrap().len()
}

both_backends! {
    async fn entries_are_created_updated_searched_and_deleted(backend) {
        let s = TestServer::start(backend).await;
        let hours = entry(&s, json!({
            "title": "Opening hours",
            "body": "We are open Monday to Friday, 9:00 to 17:00.",
            "questions": ["When are you open?", "What time do you close?"],
            "intent": "opening_hours", "lang": "EN", "tags": ["Store"]
        })).await;
        assert_eq!(hours["object"], "knowledge_entry");
        assert!(hours["id"].as_str().unwrap().starts_with("kb_"));
        assert_eq!(hours["lang"], "en", "language codes are normalised");
        assert_eq!(hours["tags"], json!(["store"]));
        assert_eq!(hours["enabled"], true);
        assert_eq!(hours["livemode"], false);
        let refunds = entry(&s, json!({
            "title": "Refunds",
            "body": "You can return any item within 30 days for a full refund.",
            "questions": ["Can I get my money back?", "How do refunds work?"],
            "intent": "refund_policy"
        })).await;

        let r = s.call("GET", "/v1/knowledge/search?q=what%20time%20do%20you%20close%20today", s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let data = r.json()["data"].as_array().unwrap().clone();
        assert_eq!(data[0]["id"], hours["id"], "the paraphrased question ranks its entry first");
        assert!(data[0]["score"].as_f64().unwrap() > 0.0);
        assert!(data.windows(2).all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()), "best first");

        // A disabled entry is not searched; the index follows every change.
        let id = refunds["id"].as_str().unwrap();
        let r = s.call("PATCH", &format!("/v1/knowledge/{id}"), s.sk(), Some(json!({"enabled": false}))).await;
        assert_eq!(r.status, 200);
        let r = s.call("GET", "/v1/knowledge/search?q=money%20back", s.sk(), None).await;
        assert!(r.json()["data"].as_array().unwrap().iter().all(|h| h["id"] != refunds["id"]));
        s.call("PATCH", &format!("/v1/knowledge/{id}"), s.sk(), Some(json!({"enabled": true, "intent": null}))).await;
        let r = s.call("GET", "/v1/knowledge/search?q=money%20back", s.sk(), None).await;
        let top = &r.json()["data"][0];
        assert_eq!(top["id"], refunds["id"]);
        assert_eq!(top["intent"], Value::Null);

        let r = s.call("GET", "/v1/knowledge/search?q=money%20back&lang=en", s.sk(), None).await;
        let hits = r.json()["data"].as_array().unwrap().clone();
        assert!(!hits.is_empty());
        assert!(hits.iter().all(|h| h["lang"] == "en" || h["lang"].is_null()), "lang keeps the language's and language-less entries");
        let r = s.call("GET", "/v1/knowledge/search?q=open&lang=ar", s.sk(), None).await;
        assert!(r.json()["data"].as_array().unwrap().iter().all(|h| h["id"] != hours["id"]), "an English entry is not an Arabic answer");

        let r = s.call("DELETE", &format!("/v1/knowledge/{id}"), s.sk(), None).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["id"], refunds["id"]);
        assert_eq!(s.call("GET", &format!("/v1/knowledge/{id}"), s.sk(), None).await.status, 404);
        let r = s.call("GET", "/v1/knowledge/search?q=money%20back", s.sk(), None).await;
        assert!(r.json()["data"].as_array().unwrap().iter().all(|h| h["id"] != refunds["id"]));

        // Another mode sees none of it.
        let live = s.creds.live_secret_key.clone();
        let r = s.call("GET", "/v1/knowledge/search?q=open", &live, None).await;
        assert_eq!(r.json()["data"], json!([]));
        assert_eq!(s.call("GET", &format!("/v1/knowledge/{}", hours["id"].as_str().unwrap()), &live, None).await.status, 404);
    }
}

both_backends! {
    async fn bad_entries_and_searches_are_refused_with_fields(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("POST", "/v1/knowledge", s.sk(), Some(json!({"title": " ", "lang": "english", "intent": "Not Valid", "questions": [""]}))).await;
        assert_eq!(r.status, 422);
        let fields = &r.json()["error"]["fields"];
        for f in ["title", "body", "lang", "intent", "questions.0"] {
            assert!(fields.get(f).is_some(), "{f} missing in {fields}");
        }
        let r = s.call("POST", "/v1/knowledge", s.sk(), Some(json!({"title": "t", "body": "x".repeat(20_001)}))).await;
        assert_eq!(r.status, 422);
        assert!(r.json()["error"]["fields"]["body"].is_array());
        let r = s.call("GET", "/v1/knowledge/search", s.sk(), None).await;
        assert_eq!(r.status, 422);
        assert!(r.json()["error"]["fields"]["q"].is_array());
        let r = s.call("GET", "/v1/knowledge/search?q=x&limit=0", s.sk(), None).await;
        assert_eq!(r.status, 422);
        assert_eq!(s.call("GET", "/v1/knowledge/kb_nope", s.sk(), None).await.status, 404);
    }
}

both_backends! {
    async fn imports_report_every_bad_line_and_import_nothing_unless_partial(backend) {
        let s = TestServer::start(backend).await;
        let jsonl = concat!(
            r#"{"title": "Shipping", "body": "We ship worldwide in 3-5 days.", "questions": ["How long is delivery?"]}"#, "\n",
            "\n",
            r#"{"title": "Bad", "lang": "xyz"}"#, "\n",
            "not json\n",
            r#"{"title": "Returns", "body": "30 days.", "lang": "en"}"#, "\n",
        );
        let (status, body) = import(&s, "", "application/x-ndjson", jsonl).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
        assert_eq!(body["imported"], 0);
        let lines: Vec<u64> = body["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
        assert_eq!(lines, vec![3, 4], "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("body"));
        assert!(body["error"]["fields"]["line.4"].is_array());
        assert_eq!(count(&s).await, 0, "nothing imported from a file with bad lines");

        let (status, body) = import(&s, "?partial=true", "application/x-ndjson", jsonl).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["imported"], 2);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(count(&s).await, 2);

        let csv = "question,answer\n\"Do you deliver on Sundays?\",\"No, Monday to Saturday only.\"\n\"Where are you, exactly?\",\"12 High Street, Leeds\"\n";
        let (status, body) = import(&s, "?lang=en", "text/csv", csv).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"imported": 2, "errors": []}));
        let r = s.call("GET", "/v1/knowledge/search?q=deliver%20sunday", s.sk(), None).await;
        let top = r.json()["data"][0].clone();
        assert_eq!(top["body"], "No, Monday to Saturday only.");
        assert_eq!(top["questions"], json!(["Do you deliver on Sundays?"]));
        assert_eq!(top["lang"], "en");

        let (status, body) = import(&s, "", "text/csv", "q,a\nx,y\n").await;
        assert_eq!(status, 422);
        assert_eq!(body["errors"][0]["line"], 1);

        let markdown = "# FAQ\n\n## Gift cards\nGift cards never expire.\n\n## Loyalty\nOne point per pound.\n";
        let (status, body) = import(&s, "?format=markdown", "text/plain", markdown).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["imported"], 2);
        let r = s.call("GET", "/v1/knowledge/search?q=gift%20cards", s.sk(), None).await;
        assert_eq!(r.json()["data"][0]["title"], "Gift cards");
        assert_eq!(count(&s).await, 6);

        let (status, body) = import(&s, "", "text/plain", "hello").await;
        assert_eq!(status, 400, "{body}");
        let (status, _) = import(&s, "?format=xml", "text/plain", "hello").await;
        assert_eq!(status, 422);
    }
}
