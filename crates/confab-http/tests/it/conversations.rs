//! Conversations and messages: the reference flows, the hand-off state machine, and
//! the AI reply gate.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

both_backends! {
    /// SK Chat's quickstart: one POST creates the conversation and delivers the first message.
    async fn one_post_creates_the_conversation_and_delivers_the_message(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({
            "channel": "api",
            "contact": {"name": "Maya", "email": "maya@example.com"},
            "metadata": {"order": "A-17"},
            "message": {"text": "Where is my order?"}
        })).await;
        assert_eq!(c["object"], "conversation");
        assert!(c["id"].as_str().unwrap().starts_with("cnv_"));
        assert_eq!(c["status"], "open");
        assert_eq!(c["handled_by"], "ai");
        assert_eq!(c["message_count"], 1);
        assert_eq!(c["contact"]["email"], "maya@example.com");
        assert_eq!(c["metadata"]["order"], "A-17");
        let id = c["id"].as_str().unwrap();

        let messages = s.call("GET", &format!("/v1/conversations/{id}/messages"), s.sk(), None).await.json();
        let data = messages["data"].as_array().unwrap();
        assert_eq!(data.len(), 1);
        assert_eq!(data[0]["role"], "customer");
        assert_eq!(data[0]["text"], "Where is my order?");
        assert_eq!(data[0]["author"]["type"], "contact");
        assert_eq!(data[0]["conversation_id"], id);

        let started = s.events_of("conversation.started").await;
        assert_eq!(started.len(), 1);
        assert_eq!(started[0]["data"]["id"], id);
        let received = s.events_of("message.received").await;
        assert_eq!(received.len(), 1);
        assert_eq!(received[0]["data"]["text"], "Where is my order?");
        assert_eq!(received[0]["data"]["conversation_id"], id);
        for key in ["intent", "lang", "sentiment"] {
            assert!(received[0]["data"].get(key).is_some(), "message events carry {key}");
        }
        // The contact was created in the same transaction and is reused by email.
        let again = s.conversation(json!({"contact": {"email": "MAYA@example.com"}})).await;
        assert_eq!(again["contact"]["id"], c["contact"]["id"]);
        let full = s.call("GET", &format!("/v1/conversations/{id}?include=messages"), s.sk(), None).await.json();
        assert_eq!(full["messages"].as_array().unwrap().len(), 1);
    }
}

both_backends! {
    /// SkyLight Web Chat's session flow: filter, take over, reply, release, resolve.
    async fn take_over_reply_release_and_resolve(backend) {
        let s = TestServer::start(backend).await;
        let a = s.conversation(json!({"channel": "web", "message": {"text": "hi"}})).await;
        let b = s.conversation(json!({"channel": "api"})).await;
        let a_id = a["id"].as_str().unwrap();
        let owner = s.creds.owner_token.clone();
        let test_mode = [("confab-mode", "test")];

        let r = s.call("POST", &format!("/v1/conversations/{a_id}/handoff"), s.sk(), Some(json!({"reason": "billing question"}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["handled_by"], "pending");
        assert!(r.json()["human_requested_at"].is_string());
        let pending = s.call("GET", "/v1/conversations?handled_by=pending", s.sk(), None).await.json();
        assert_eq!(pending["data"].as_array().unwrap().len(), 1);
        assert_eq!(pending["data"][0]["id"], a_id);
        let ai = s.call("GET", "/v1/conversations?handled_by=ai", s.sk(), None).await.json();
        assert_eq!(ai["data"][0]["id"], b["id"]);
        assert_eq!(s.events_of("handoff.requested").await[0]["data"]["reason"], "billing question");

        // A member takes over with their own token.
        let taken = s.send("POST", &format!("/v1/conversations/{a_id}/take-over"), Some(&owner), &test_mode, None).await;
        assert_eq!(taken.status, 200, "{}", taken.text);
        let taken = taken.json();
        assert_eq!(taken["handled_by"], "human");
        assert!(taken["human_took_over_at"].is_string());
        assert!(taken["assignee_id"].as_str().unwrap().starts_with("mem_"));
        assert_eq!(s.events_of("agent.assigned").await.len(), 1);
        let again = s.call("POST", &format!("/v1/conversations/{a_id}/take-over"), s.sk(), None).await;
        assert_eq!((again.status, again.code().as_str()), (409, "CONFLICT"));

        let reply = s.send("POST", &format!("/v1/conversations/{a_id}/messages"), Some(&owner),
            &[("confab-mode", "test"), ("content-type", "application/json")],
            Some(serde_json::to_vec(&json!({"role": "agent", "text": "Happy to help!"})).unwrap())).await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        assert_eq!(reply.json()["author"]["type"], "member");
        assert_eq!(reply.json()["author"]["name"], json!(null), "customers never see the member's own name");
        assert_eq!(s.events_of("message.sent").await[0]["data"]["text"], "Happy to help!");

        let note = s.call("POST", &format!("/v1/conversations/{a_id}/messages"), s.sk(), Some(json!({"role": "note", "text": "VIP, be nice"}))).await;
        assert_eq!(note.status, 201);
        assert_eq!(s.events_of("message.sent").await.len(), 1, "a note is not sent to anyone");

        let released = s.call("POST", &format!("/v1/conversations/{a_id}/release"), s.sk(), None).await;
        assert_eq!(released.json()["handled_by"], "ai");
        assert_eq!(s.events_of("conversation.released").await.len(), 1);
        let again = s.call("POST", &format!("/v1/conversations/{a_id}/release"), s.sk(), None).await;
        assert_eq!(again.status, 409);

        let resolved = s.call("POST", &format!("/v1/conversations/{a_id}/resolve"), s.sk(),
            Some(json!({"resolution": {"outcome": "answered", "note": "sent tracking link"}}))).await;
        assert_eq!(resolved.status, 200, "{}", resolved.text);
        assert_eq!(resolved.json()["status"], "resolved");
        assert!(resolved.json()["resolved_at"].is_string());
        let event = &s.events_of("conversation.resolved").await[0];
        assert_eq!(event["data"]["resolution"]["outcome"], "answered");

        let late = s.call("POST", &format!("/v1/conversations/{a_id}/messages"), s.sk(), Some(json!({"role": "agent", "text": "one more thing"}))).await;
        assert_eq!((late.status, late.code().as_str()), (409, "CONVERSATION_RESOLVED"));
        for action in ["handoff", "take-over", "release", "resolve"] {
            let r = s.call("POST", &format!("/v1/conversations/{a_id}/{action}"), s.sk(), None).await;
            assert_eq!(r.status, 409, "{action} on a resolved conversation");
            assert!(r.json()["error"]["message"].as_str().unwrap().contains("resolved"));
        }

        // The customer writing again reopens it.
        let back = s.call("POST", &format!("/v1/conversations/{a_id}/messages"), s.sk(), Some(json!({"role": "customer", "text": "it arrived broken"}))).await;
        assert_eq!(back.status, 201);
        let c = s.call("GET", &format!("/v1/conversations/{a_id}"), s.sk(), None).await.json();
        assert_eq!(c["status"], "open");
        assert_eq!(c["resolved_at"], Value::Null);
        assert_eq!(c["message_count"], 3, "hi, the agent reply and the new message; notes do not count");
        let open = s.call("GET", "/v1/conversations?status=open&channel=web", s.sk(), None).await.json();
        assert_eq!(open["data"].as_array().unwrap().len(), 1);
    }
}

both_backends! {
    /// A take-over that commits before the worker runs stops the AI reply, even though
    /// the reply job was queued first.
    async fn a_take_over_after_queueing_stops_the_ai_reply(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({"message": {"text": "hello?"}})).await;
        let id = c["id"].as_str().unwrap();
        let r = s.call("POST", &format!("/v1/conversations/{id}/take-over"), s.sk(), None).await;
        assert_eq!(r.status, 200);
        assert_eq!(s.run_replies().await, 1, "the queued job ran");
        let messages = s.call("GET", &format!("/v1/conversations/{id}/messages"), s.sk(), None).await.json();
        let roles: Vec<&str> = messages["data"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
        assert_eq!(roles, vec!["customer"], "no AI message after a take-over");
        assert!(s.events_of("message.sent").await.is_empty());

        // Without a take-over the AI answers (here: the customer asks for a person, so
        // it says one is coming and hands off).
        let other = s.conversation(json!({"message": {"text": "I want to talk to a human"}})).await;
        let other_id = other["id"].as_str().unwrap();
        assert_eq!(s.run_replies().await, 1);
        let messages = s.call("GET", &format!("/v1/conversations/{other_id}/messages"), s.sk(), None).await.json();
        let data = messages["data"].as_array().unwrap();
        assert_eq!(data.len(), 2);
        assert_eq!(data[1]["role"], "ai");
        assert_eq!(data[1]["author"]["type"], "ai");
        let after = s.call("GET", &format!("/v1/conversations/{other_id}"), s.sk(), None).await.json();
        assert_eq!(after["handled_by"], "pending");
        assert_eq!(s.events_of("handoff.requested").await[0]["data"]["reason"], "customer_request");
        // While a person is awaited, customer messages queue no AI reply.
        s.call("POST", &format!("/v1/conversations/{other_id}/messages"), s.sk(), Some(json!({"role": "customer", "text": "hello??"}))).await;
        assert_eq!(s.run_replies().await, 0);
    }
}

both_backends! {
    async fn blocked_contacts_get_no_ai_reply(backend) {
        let s = TestServer::start(backend).await;
        let contact = s.contact(json!({"name": "Spammer", "blocked": true})).await;
        s.conversation(json!({"contact_id": contact["id"], "message": {"text": "buy now"}})).await;
        assert_eq!(s.run_replies().await, 0);
    }
}

both_backends! {
    async fn message_and_filter_validation(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({})).await;
        let id = c["id"].as_str().unwrap();
        let s = &s;
        let post = |body: Value| {
            let path = format!("/v1/conversations/{id}/messages");
            async move { s.call("POST", &path, s.sk(), Some(body)).await }
        };
        for (body, field) in [
            (json!({"role": "customer", "text": "   "}), "text"),
            (json!({"role": "customer", "text": "x".repeat(10_001)}), "text"),
            (json!({"role": "ai", "text": "I am the AI"}), "role"),
            (json!({"role": "robot", "text": "hi"}), "role"),
            (json!({"role": "customer", "text": "hi", "attachments": ["fil_nope"]}), "attachments.0"),
        ] {
            let r = post(body).await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert!(r.json()["error"]["fields"][field].is_array(), "{field}: {}", r.text);
        }
        assert_eq!(post(json!({"role": "customer", "text": "x".repeat(10_000)})).await.status, 201);
        let r = s.call("POST", "/v1/conversations", s.sk(), Some(json!({"message": {"text": ""}}))).await;
        assert!(r.json()["error"]["fields"]["message.text"].is_array(), "{}", r.text);
        let r = s.call("POST", "/v1/conversations", s.sk(), Some(json!({"contact": {"email": "bad"}}))).await;
        assert!(r.json()["error"]["fields"]["contact.email"].is_array(), "{}", r.text);
        let r = s.call("GET", "/v1/conversations?handled_by=robot", s.sk(), None).await;
        assert_eq!(r.status, 422);
        let r = s.call("GET", &format!("/v1/conversations/{id}/messages?since=yesterday"), s.sk(), None).await;
        assert_eq!(r.status, 422);
        let r = s.call("POST", "/v1/conversations/cnv_missing/messages", s.sk(), Some(json!({"role": "customer", "text": "hi"}))).await;
        assert_eq!(r.status, 404);
        let live = s.call("GET", &format!("/v1/conversations/{id}"), &s.creds.live_secret_key, None).await;
        assert_eq!(live.status, 404, "the other mode sees nothing");
    }
}

both_backends! {
    async fn messages_page_oldest_first_with_since(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({})).await;
        let id = c["id"].as_str().unwrap();
        let mut sent = Vec::new();
        for i in 0..5 {
            let m = s.call("POST", &format!("/v1/conversations/{id}/messages"), s.sk(), Some(json!({"role": "customer", "text": format!("m{i}")}))).await.json();
            sent.push(m);
        }
        let mut seen = Vec::new();
        let mut path = format!("/v1/conversations/{id}/messages?limit=2");
        loop {
            let page = s.call("GET", &path, s.sk(), None).await.json();
            seen.extend(page["data"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(cur) => path = format!("/v1/conversations/{id}/messages?limit=2&cursor={cur}"),
                None => break,
            }
        }
        assert_eq!(seen, vec!["m0", "m1", "m2", "m3", "m4"]);
        let since = sent[3]["created_at"].as_str().unwrap();
        let later = s.call("GET", &format!("/v1/conversations/{id}/messages?since={since}"), s.sk(), None).await.json();
        let texts: Vec<&str> = later["data"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
        assert!(texts.contains(&"m3") && texts.contains(&"m4") && !texts.contains(&"m0"), "{texts:?}");
    }
}
