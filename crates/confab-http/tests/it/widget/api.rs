//! The visitor's conversation: start, read, write, ask for a person; what they may
//! not see; keys that do not work; blocked contacts; modes.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use super::{call, history, next_window, opening_hours, start, test_call, token};

both_backends! {
    async fn a_visitor_starts_a_conversation_and_the_ai_answers(backend) {
        let s = TestServer::start(backend).await;
        opening_hours(&s).await;
        let (token, started) = start(&s, "When do you open?").await;
        assert_eq!(started["conversation_token"], token.as_str());
        assert_eq!(started["auto_reply"], true);
        let id = started["conversation_id"].as_str().unwrap();
        assert!(id.starts_with("cnv_"));
        assert_eq!(started.as_object().unwrap().len(), 3, "{started}");

        assert_eq!(s.run_replies().await, 1);
        let seen = history(&s, &token).await;
        assert_eq!(seen.len(), 2, "{seen:?}");
        assert_eq!(seen[0]["role"], "customer");
        assert_eq!(seen[0]["text"], "When do you open?");
        assert_eq!(seen[0]["author"], json!({"type": "contact", "name": "Maya"}));
        assert_eq!(seen[1]["role"], "ai");
        assert!(seen[1]["text"].as_str().unwrap().contains("9 to 6"), "{}", seen[1]);

        // The business sees an ordinary web conversation with the visitor's details.
        let c = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(c["channel"], "web");
        assert_eq!(c["contact"]["name"], "Maya");
        assert_eq!(c["contact"]["email"], "maya@example.com");
        assert_eq!(c["visitor"]["page_url"], "https://shop.example.com/pricing");
        assert_eq!(c["visitor"]["referrer"], "https://search.example/");
        assert_eq!(c["visitor"]["ip"], "127.0.0.1");
        assert_eq!(c["visitor"]["user_agent"], "ConfabTest/1.0");
        assert_eq!(s.events_of("conversation.started").await.len(), 1);
        assert_eq!(s.events_of("message.received").await.len(), 1);
        assert_eq!(s.events_of("message.sent").await.len(), 1);

        let state = test_call(&s, "GET", &format!("/v1/widget/conversations/{token}"), None).await;
        assert_eq!(state.status, 200);
        assert_eq!(state.json(), json!({"id": id, "object": "conversation", "status": "open",
            "handled_by": "ai", "created_at": c["created_at"]}));
    }
}

both_backends! {
    async fn bad_starts_are_refused_with_the_field_that_is_wrong(backend) {
        let s = TestServer::start(backend).await;
        let refuse = |body: Value| {
            let s = &s;
            async move {
                next_window(s);
                let r = test_call(s, "POST", "/v1/widget/conversations", Some(body)).await;
                assert_eq!(r.status, 422, "{}", r.text);
                assert_eq!(r.code(), "VALIDATION_FAILED");
                r.json()["error"]["fields"].clone()
            }
        };
        let fields = refuse(json!({})).await;
        for field in ["name", "message", "visitor_token"] {
            assert_eq!(fields[field][0], "is required", "{fields}");
        }
        let t = token();
        let fields = refuse(json!({"name": "Maya", "email": "not an email", "message": "hi", "visitor_token": t})).await;
        assert_eq!(fields["email"][0], "is not a valid email address");
        let fields = refuse(json!({"name": "Maya", "message": "x".repeat(10_001), "visitor_token": t})).await;
        assert!(fields["message"][0].as_str().unwrap().contains("10000"), "{fields}");
        let fields = refuse(json!({"name": "Maya", "message": "hi", "visitor_token": "short"})).await;
        assert!(fields["visitor_token"][0].as_str().unwrap().contains("16 to 128"));
        let fields = refuse(json!({"name": " ", "message": "  ", "visitor_token": t})).await;
        assert!(fields["name"].is_array() && fields["message"].is_array());
        let fields = refuse(json!({"name": "Maya", "message": "hi", "visitor_token": t, "colour": "red"})).await;
        assert_eq!(fields["colour"][0], "is not a known field");

        // An email becomes required when the settings say so.
        let r = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"require_email": true}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let fields = refuse(json!({"name": "Maya", "message": "hi", "visitor_token": t})).await;
        assert_eq!(fields["email"][0], "is required");
        // Nothing was written by any of it.
        let all = s.call("GET", "/v1/conversations", s.sk(), None).await.json();
        assert!(all["data"].as_array().unwrap().is_empty());
        assert!(s.events_of("contact.created").await.is_empty());
    }
}

both_backends! {
    async fn a_visitor_token_names_one_conversation(backend) {
        let s = TestServer::start(backend).await;
        let (token, _) = start(&s, "hello").await;
        let again = test_call(&s, "POST", "/v1/widget/conversations",
            Some(json!({"name": "Other", "message": "hi", "visitor_token": token}))).await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert_eq!(again.code(), "VISITOR_TOKEN_TAKEN");
        let all = s.call("GET", "/v1/conversations", s.sk(), None).await.json();
        assert_eq!(all["data"].as_array().unwrap().len(), 1);

        // The same Idempotency-Key replays the first answer instead.
        let t = token_for_retry();
        let body = json!({"name": "Retry", "message": "hi", "visitor_token": t});
        let headers = [("x-site-key", s.creds.test_site_key.as_str()), ("content-type", "application/json"), ("idempotency-key", "start-1")];
        let bytes = serde_json::to_vec(&body).unwrap();
        let first = s.send("POST", "/v1/widget/conversations", None, &headers, Some(bytes.clone())).await;
        let second = s.send("POST", "/v1/widget/conversations", None, &headers, Some(bytes)).await;
        assert_eq!((first.status, second.status), (201, 201), "{}", second.text);
        assert_eq!(second.header("idempotent-replayed"), Some("true"));
        assert_eq!(first.text, second.text);

        // Unknown and malformed tokens are 404.
        for bad in [token_for_retry(), "../../etc".to_owned()] {
            let r = test_call(&s, "GET", &format!("/v1/widget/conversations/{bad}/messages"), None).await;
            assert_eq!(r.status, 404, "{bad}: {}", r.text);
        }
    }
}

fn token_for_retry() -> String {
    token()
}

both_backends! {
    async fn the_visitor_sees_no_notes_and_no_internal_fields(backend) {
        let s = TestServer::start(backend).await;
        let (token, started) = start(&s, "My parcel is late and I am angry").await;
        let id = started["conversation_id"].as_str().unwrap();
        let owner = s.creds.owner_token.clone();
        let test_mode = [("confab-mode", "test"), ("content-type", "application/json")];
        let path = format!("/v1/conversations/{id}/messages");
        let post = |role: &str, text: &str| {
            let body = serde_json::to_vec(&json!({"role": role, "text": text})).unwrap();
            let (s, path, owner, test_mode) = (&s, &path, &owner, &test_mode);
            async move { s.send("POST", path, Some(owner), test_mode, Some(body)).await }
        };
        assert_eq!(post("note", "VIP, refund quietly").await.status, 201);
        assert_eq!(post("agent", "Sorry! I am on it.").await.status, 201);
        let seen = history(&s, &token).await;
        let texts: Vec<&str> = seen.iter().map(|m| m["text"].as_str().unwrap()).collect();
        assert_eq!(texts, ["My parcel is late and I am angry", "Sorry! I am on it."]);
        for m in &seen {
            let mut keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort();
            assert_eq!(keys, ["attachments", "author", "created_at", "id", "object", "role", "text"], "{m}");
            assert!(m["author"].get("id").is_none(), "no author ids: {m}");
        }
        assert_eq!(seen[1]["author"], json!({"type": "member", "name": null}), "no display name, no agent name: the widget's own word");
        // The REST API still has everything.
        let all = s.messages(id).await;
        assert_eq!(all.len(), 3);
        assert_eq!(all[0]["sentiment"], "negative");
    }
}

both_backends! {
    async fn polling_with_since_returns_what_came_after(backend) {
        let s = TestServer::start(backend).await;
        let (token, _) = start(&s, "first").await;
        let first = history(&s, &token).await;
        let at = first[0]["created_at"].as_str().unwrap().to_owned();
        s.app.clock.advance(1000);
        let r = test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/messages"), Some(json!({"message": "second"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let sent = r.json();
        assert_eq!(sent["role"], "customer");
        assert_eq!(sent["text"], "second");
        let later = s.app.clock.now().to_rfc3339();
        let since = |t: &str| {
            let path = format!("/v1/widget/conversations/{token}/messages?since={}", t.replace('+', "%2B"));
            let s = &s;
            async move { test_call(s, "GET", &path, None).await.json()["data"].as_array().unwrap().len() }
        };
        assert_eq!(since(&at).await, 2, "since is inclusive");
        assert_eq!(since(sent["created_at"].as_str().unwrap()).await, 1);
        s.app.clock.advance(1000);
        assert_eq!(since(&later).await, 0);
        let bad = test_call(&s, "GET", &format!("/v1/widget/conversations/{token}/messages?since=yesterday"), None).await;
        assert_eq!(bad.status, 422);
        assert!(bad.json()["error"]["fields"]["since"].is_array());
        let paged = test_call(&s, "GET", &format!("/v1/widget/conversations/{token}/messages?limit=1"), None).await.json();
        assert_eq!(paged["data"].as_array().unwrap().len(), 1);
        assert_eq!(paged["has_more"], true);
    }
}

both_backends! {
    async fn sending_follows_the_conversation_rules(backend) {
        let s = TestServer::start(backend).await;
        let (token, started) = start(&s, "hello").await;
        let id = started["conversation_id"].as_str().unwrap();
        let path = format!("/v1/widget/conversations/{token}/messages");
        for (body, field) in [
            (json!({}), "message"),
            (json!({"message": "   "}), "message"),
            (json!({"message": "x".repeat(10_001)}), "message"),
            (json!({"message": "hi", "attachments": ["fil_01JD0000000000000000000000"]}), "attachments.0"),
        ] {
            let r = test_call(&s, "POST", &path, Some(body)).await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert!(r.json()["error"]["fields"][field].is_array(), "{field}: {}", r.text);
        }
        // A resolved conversation reopens when the visitor writes again, and the AI
        // answers again.
        let r = s.call("POST", &format!("/v1/conversations/{id}/resolve"), s.sk(), None).await;
        assert_eq!(r.status, 200);
        let r = test_call(&s, "POST", &path, Some(json!({"message": "one more thing"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let c = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(c["status"], "open");
        assert_eq!(c["message_count"], 2);
        assert_eq!(s.run_replies().await, 2);
        let unknown = test_call(&s, "POST", &format!("/v1/widget/conversations/{}/messages", token_for_retry()), Some(json!({"message": "hi"}))).await;
        assert_eq!(unknown.status, 404);
        let not_json = s.send("POST", &path, None, &[("x-site-key", s.creds.test_site_key.as_str()), ("content-type", "text/plain")], Some(b"hi".to_vec())).await;
        assert_eq!(not_json.status, 400);
    }
}

both_backends! {
    async fn talk_to_a_person(backend) {
        let s = TestServer::start(backend).await;
        let (token, started) = start(&s, "hello").await;
        let id = started["conversation_id"].as_str().unwrap();
        let path = format!("/v1/widget/conversations/{token}/handoff");
        let r = test_call(&s, "POST", &path, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["handled_by"], "pending");
        let requested = s.events_of("handoff.requested").await;
        assert_eq!(requested.len(), 1);
        assert_eq!(requested[0]["data"]["reason"], "customer_request");
        // The customer is told, in the conversation, that a person will reply there.
        let told = history(&s, &token).await;
        let roles: Vec<&str> = told.iter().map(|m| m["role"].as_str().unwrap()).collect();
        assert_eq!(roles, ["customer", "ai"], "{told:?}");
        assert!(told[1]["text"].as_str().unwrap().contains("a person from our team"), "{told:?}");
        // Asking again changes nothing.
        let again = test_call(&s, "POST", &path, None).await;
        assert_eq!(again.status, 200);
        assert_eq!(again.json()["handled_by"], "pending");
        assert_eq!(s.events_of("handoff.requested").await.len(), 1);
        // The AI does not answer while a person is awaited.
        let r = test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/messages"), Some(json!({"message": "anyone?"}))).await;
        assert_eq!(r.status, 201);
        assert_eq!(s.run_replies().await, 1, "only the first message's job, which stands down");
        let roles: Vec<String> = history(&s, &token).await.iter().map(|m| m["role"].as_str().unwrap().to_owned()).collect();
        assert_eq!(roles, ["customer", "ai", "customer"], "one acknowledgment, no AI answer");
        // A resolved conversation cannot be handed off until the visitor writes again.
        s.call("POST", &format!("/v1/conversations/{id}/resolve"), s.sk(), None).await;
        let resolved = test_call(&s, "POST", &path, None).await;
        assert_eq!(resolved.status, 409, "{}", resolved.text);
        let unknown = test_call(&s, "POST", &format!("/v1/widget/conversations/{}/handoff", token_for_retry()), None).await;
        assert_eq!(unknown.status, 404);
    }
}

both_backends! {
    async fn a_blocked_contact_is_refused_everywhere(backend) {
        let s = TestServer::start(backend).await;
        let blocked = s.contact(json!({"name": "Troll", "email": "troll@example.com"})).await;
        let r = s.call("POST", &format!("/v1/contacts/{}/block", blocked["id"].as_str().unwrap()), s.sk(), None).await;
        assert_eq!(r.status, 200);
        let r = test_call(&s, "POST", "/v1/widget/conversations",
            Some(json!({"name": "Troll", "email": "TROLL@example.com", "message": "hi", "visitor_token": token()}))).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.code(), "CONTACT_BLOCKED");
        let all = s.call("GET", "/v1/conversations", s.sk(), None).await.json();
        assert!(all["data"].as_array().unwrap().is_empty(), "nothing was written");

        // Blocked after starting: every route of the conversation is refused.
        let (token, started) = start(&s, "hello").await;
        let id = started["conversation_id"].as_str().unwrap();
        let c = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        s.call("POST", &format!("/v1/contacts/{}/block", c["contact"]["id"].as_str().unwrap()), s.sk(), None).await;
        for (method, suffix, body) in [
            ("GET", "", None),
            ("GET", "/messages", None),
            ("POST", "/messages", Some(json!({"message": "hi"}))),
            ("POST", "/handoff", None),
            ("GET", "/stream", None),
        ] {
            let r = test_call(&s, method, &format!("/v1/widget/conversations/{token}{suffix}"), body).await;
            assert_eq!(r.status, 403, "{method} {suffix}: {}", r.text);
            assert_eq!(r.code(), "CONTACT_BLOCKED");
        }
    }
}

both_backends! {
    async fn only_a_current_site_key_opens_the_widget(backend) {
        let s = TestServer::start(backend).await;
        let unknown = call(&s, "pk_test_00000000000000000000000000000000", "GET", "/v1/widget/config", None).await;
        assert_eq!(unknown.status, 401);
        assert_eq!(unknown.code(), "INVALID_API_KEY");
        let secret = call(&s, s.sk(), "GET", "/v1/widget/config", None).await;
        assert_eq!(secret.status, 401);
        assert_eq!(secret.code(), "INVALID_API_KEY");
        let none = s.send("GET", "/v1/widget/config", None, &[], None).await;
        assert_eq!(none.status, 401);
        assert_eq!(none.code(), "UNAUTHENTICATED");
        let by_query = s.send("GET", &format!("/v1/widget/config?site_key={}", s.creds.test_site_key), None, &[], None).await;
        assert_eq!(by_query.status, 200, "{}", by_query.text);
        // A site key does nothing on the secret API.
        let r = s.call("GET", "/v1/conversations", &s.creds.test_site_key, None).await;
        assert_eq!(r.status, 401);

        // A revoked site key is refused like an unknown one.
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url).await.unwrap();
        sqlx::query("UPDATE api_keys SET revoked_at = 1 WHERE kind = 'site'").execute(&mut conn).await.unwrap();
        let revoked = test_call(&s, "GET", "/v1/widget/config", None).await;
        assert_eq!(revoked.status, 401, "{}", revoked.text);
        assert_eq!(revoked.code(), "INVALID_API_KEY");
        assert!(revoked.json()["error"]["message"].as_str().unwrap().contains("revoked"));
    }
}

both_backends! {
    async fn a_live_key_never_sees_a_test_conversation(backend) {
        let s = TestServer::start(backend).await;
        let (token, _) = start(&s, "test mode").await;
        let live = call(&s, &s.creds.live_site_key, "GET", &format!("/v1/widget/conversations/{token}/messages"), None).await;
        assert_eq!(live.status, 404);
        let other = confab_app::workspaces::create(&s.app, "Other").await.unwrap();
        let foreign = call(&s, &other.test_site_key, "GET", &format!("/v1/widget/conversations/{token}"), None).await;
        assert_eq!(foreign.status, 404);
        // The same token may name a conversation in another workspace.
        let r = call(&s, &other.test_site_key, "POST", "/v1/widget/conversations",
            Some(json!({"name": "Ana", "message": "hi", "visitor_token": token}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
}

both_backends! {
    async fn text_is_an_alias_of_message(backend) {
        let s = TestServer::start(backend).await;
        let visitor = token();
        let r = test_call(&s, "POST", "/v1/widget/conversations", Some(json!({
            "name": "Maya", "email": "maya@example.com", "text": "Hello there", "visitor_token": visitor}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let path = format!("/v1/widget/conversations/{visitor}/messages");
        let r = test_call(&s, "POST", &path, Some(json!({"text": "Second"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = test_call(&s, "POST", &path, Some(json!({"message": "Third", "text": "Third"}))).await;
        assert_eq!(r.status, 201, "the same value in both is one message: {}", r.text);
        let words: Vec<Value> = history(&s, &visitor).await.iter()
            .filter(|m| m["role"] == "customer").map(|m| m["text"].clone()).collect();
        assert_eq!(words, [json!("Hello there"), json!("Second"), json!("Third")]);

        // Both with different values: which one was meant is unknown.
        let r = test_call(&s, "POST", &path, Some(json!({"message": "Yes", "text": "No"}))).await;
        assert_eq!((r.status, r.code().as_str()), (422, "VALIDATION_FAILED"), "{}", r.text);
        assert!(r.json()["error"]["fields"]["text"][0].as_str().unwrap().contains("message"), "{}", r.text);
        let r = test_call(&s, "POST", "/v1/widget/conversations", Some(json!({
            "name": "Maya", "message": "Yes", "text": "No", "visitor_token": token()}))).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.json()["error"]["fields"].get("text").is_some(), "{}", r.text);
        // Neither is a missing `message`; an empty alias is named as sent.
        let r = test_call(&s, "POST", &path, Some(json!({}))).await;
        assert_eq!(r.json()["error"]["fields"]["message"][0], "is required", "{}", r.text);
        let r = test_call(&s, "POST", &path, Some(json!({"text": "  "}))).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.json()["error"]["fields"].get("text").is_some(), "{}", r.text);
        assert_eq!(history(&s, &visitor).await.iter().filter(|m| m["role"] == "customer").count(), 3);
    }
}
