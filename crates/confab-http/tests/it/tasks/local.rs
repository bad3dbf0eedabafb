//! The local task agent, offline: the seed's example requests and the other forms it
//! understands, each checked through the REST API afterwards.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

fn tools(task: &Value) -> Vec<String> {
    task["turns"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["payload"]["type"] == "action")
        .map(|t| t["payload"]["tool"].as_str().unwrap().to_owned())
        .collect()
}

both_backends! {
    async fn creates_a_contact_from_a_sentence_and_never_twice(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let ask = json!({"message": "Create a contact for John Smith at Acme Corp, john@acme.com, +44 7700 900000"});
        let id = s.task(&me, ask.clone()).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        assert_eq!(tools(&task), ["search_contacts", "create_contact"], "it searched before it acted");
        let created = &task["response"]["data"]["contact"];
        assert_eq!(task["response"]["data"]["created"], true);
        assert!(task["response"]["text"].as_str().unwrap().starts_with("Created the contact John Smith <john@acme.com>"), "{}", task["response"]["text"]);
        assert!(task["resolved_at"].is_string());
        assert_eq!(task["cost_cents"].as_f64(), Some(0.2), "two actions at the default 0.1 cents");
        assert_eq!(task["turns"].as_array().unwrap().last().unwrap()["payload"]["type"], "answer");

        // Through the REST API: the contact as asked.
        let found = s.call("GET", "/v1/contacts?search=john", s.sk(), None).await.json();
        assert_eq!(found["data"].as_array().unwrap().len(), 1);
        let contact = &found["data"][0];
        assert_eq!(contact["id"], created["id"]);
        assert_eq!(contact["name"], "John Smith");
        assert_eq!(contact["email"], "john@acme.com");
        assert_eq!(contact["phone"], "+447700900000");
        assert_eq!(contact["attributes"]["company"], "Acme Corp");
        assert_eq!(s.events_of("task.resolved").await[0]["data"]["id"], id.as_str());

        // Asked again, it finds John and creates no one.
        let again = s.task(&me, ask).await;
        let task = s.finished_task(&me, &again).await;
        assert_eq!(task["status"], "resolved");
        assert_eq!(tools(&task), ["search_contacts"]);
        assert_eq!(task["response"]["data"]["created"], false);
        assert!(task["response"]["text"].as_str().unwrap().contains("already exists"), "{}", task["response"]["text"]);
        let all = s.call("GET", "/v1/contacts", s.sk(), None).await.json();
        assert_eq!(all["data"].as_array().unwrap().len(), 1);
        // Usage counts both tasks and their three actions.
        let key = s.call("GET", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, None).await.json();
        assert_eq!((key["usage"]["tasks"].as_i64(), key["usage"]["requests"].as_i64()), (Some(2), Some(3)));
        assert!((key["usage"]["spent_cents"].as_f64().unwrap() - 0.3).abs() < 1e-9, "{}", key["usage"]);
    }
}

both_backends! {
    async fn finds_contacts_from_a_city_by_attribute_or_tag(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let ana = s.contact(json!({"name": "Ana", "email": "ana@example.com", "attributes": {"city": "London"}})).await;
        let bob = s.contact(json!({"name": "Bob", "tags": ["london"]})).await;
        s.contact(json!({"name": "Carl", "attributes": {"city": "Paris"}})).await;
        s.contact(json!({"name": "Dee", "attributes": {"city": "london"}, "tags": ["london"]})).await;
        let id = s.task(&me, json!({"message": "Find all contacts from London"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        let ids: Vec<&str> = task["response"]["data"]["contacts"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 3, "{ids:?}");
        assert!(ids.contains(&ana["id"].as_str().unwrap()) && ids.contains(&bob["id"].as_str().unwrap()));
        let text = task["response"]["text"].as_str().unwrap();
        assert!(text.starts_with("Found 3 contacts from London:"), "{text}");
        assert!(text.contains("2 because their city is London") && text.contains("1 because they are tagged \"london\""), "{text}");
        assert!(!text.contains("Carl"));

        let none = s.task(&me, json!({"message": "Find all contacts from Madrid"})).await;
        let task = s.finished_task(&me, &none).await;
        assert_eq!(task["status"], "resolved");
        assert_eq!(task["response"]["data"]["count"], 0);
        let by_company = s.task(&me, json!({"message": "List the contacts working at Globex"})).await;
        s.contact(json!({"name": "Eve", "attributes": {"company": "Globex"}})).await;
        let task = s.finished_task(&me, &by_company).await;
        assert_eq!(task["response"]["data"]["contacts"][0]["name"], "Eve");
    }
}

both_backends! {
    async fn summarises_the_contact_in_context(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let john = s.contact(json!({"name": "John Smith", "email": "john@acme.com", "phone": "+44 7700 900000", "tags": ["vip"], "attributes": {"company": "Acme Corp"}})).await;
        s.conversation(json!({"contact_id": john["id"], "message": {"text": "Where is my order? It is late."}})).await;
        let id = s.task(&me, json!({
            "message": "Give me a full summary of this contact",
            "context": {"entity_type": "contact", "entity_id": john["id"]}
        })).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        assert_eq!(tools(&task), ["get_contact", "list_conversations", "get_conversation"]);
        let text = task["response"]["text"].as_str().unwrap();
        for part in [
            &format!("John Smith <john@acme.com> ({}), at Acme Corp.", john["id"].as_str().unwrap()),
            "Phone: +447700900000.",
            "Tags: vip.",
            "1 conversation (1 open, 0 resolved).",
            "Their last message: \"Where is my order? It is late.\".",
        ] {
            assert!(text.contains(part), "{part:?} not in {text:?}");
        }
        // Without the context it asks which contact, and lists what it can do.
        let id = s.task(&me, json!({"message": "Give me a full summary of this contact"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "failed");
        assert_eq!(task["error"]["code"], "NOT_UNDERSTOOD");
        let conversation = s.conversation(json!({"contact_id": john["id"], "message": {"text": "Also, can I change the address?"}})).await;
        let id = s.task(&me, json!({
            "message": "Summarise this conversation",
            "context": {"entity_id": conversation["id"]}
        })).await;
        let task = s.finished_task(&me, &id).await;
        let text = task["response"]["text"].as_str().unwrap();
        assert!(text.contains("It began with: \"Also, can I change the address?\"."), "{text}");
    }
}

both_backends! {
    async fn sends_a_message_to_the_best_match_and_says_why(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        s.contact(json!({"name": "John Smithers", "email": "js@example.com"})).await;
        let john = s.contact(json!({"name": "John Smith", "email": "john@acme.com"})).await;
        let id = s.task(&me, json!({"message": "Send a message to John Smith: your order has shipped"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        let text = task["response"]["text"].as_str().unwrap();
        assert!(text.starts_with("2 contacts matched \"John Smith\"; I picked John Smith <john@acme.com>"), "{text}");
        assert!(text.contains("because its name matches exactly"), "{text}");
        let message = &task["response"]["data"]["message"];
        assert_eq!(message["role"], "agent");
        assert_eq!(message["text"], "Your order has shipped");
        // Through the REST API: a new conversation with John holds the message.
        let conversations = s.call("GET", &format!("/v1/conversations?contact_id={}", john["id"].as_str().unwrap()), s.sk(), None).await.json();
        let cnv = conversations["data"][0]["id"].as_str().unwrap().to_owned();
        assert_eq!(message["conversation_id"], cnv.as_str());
        let messages = s.messages(&cnv).await;
        assert_eq!(messages.len(), 1);
        assert_eq!((messages[0]["role"].as_str(), messages[0]["text"].as_str()), (Some("agent"), Some("Your order has shipped")));
        // A second message goes into the same open conversation.
        let id = s.task(&me, json!({"message": "Tell john@acme.com that the invoice is ready"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["response"]["data"]["message"]["conversation_id"], cnv.as_str());
        assert_eq!(s.messages(&cnv).await.len(), 2);
    }
}

both_backends! {
    async fn opens_a_ticket_for_a_named_contact_from_a_sentence(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let acme = s.contact(json!({"name": "Acme", "email": "billing@acme.example"})).await;
        let id = s.task(&me, json!({"message": "Open a high-priority ticket for Acme about the broken invoice"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        let ticket = &task["response"]["data"]["ticket"];
        assert_eq!(ticket["subject"], "the broken invoice");
        assert_eq!(ticket["priority"], "high");
        assert_eq!(ticket["contact_id"], acme["id"]);
        let text = task["response"]["text"].as_str().unwrap();
        assert!(text.starts_with("Opened high ticket T-") && text.contains("Acme"), "{text}");
        let listed = s.call("GET", &format!("/v1/tickets?contact_id={}", acme["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(listed["data"][0]["id"], ticket["id"]);
        assert_eq!(s.events_of("ticket.created").await.len(), 1);
    }
}

both_backends! {
    async fn books_a_resource_for_a_contact_from_a_sentence_in_its_local_time(backend) {
        use chrono::Datelike;
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let hours: serde_json::Map<String, serde_json::Value> = ["mon", "tue", "wed", "thu", "fri"]
            .iter().map(|d| ((*d).to_owned(), json!([["09:00", "17:00"]]))).collect();
        let r = s.call("POST", "/v1/resources", s.sk(), Some(json!({"name": "Dr. Rao", "timezone": "Asia/Kolkata", "working_hours": hours}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let john = s.contact(json!({"name": "John Smith", "email": "john@acme.com"})).await;
        // Next Tuesday as Kolkata (UTC+05:30) counts it.
        let today = (s.app.clock.now().to_datetime() + chrono::Duration::minutes(330)).date_naive();
        let mut tuesday = today.succ_opt().unwrap();
        while tuesday.weekday() != chrono::Weekday::Tue {
            tuesday = tuesday.succ_opt().unwrap();
        }
        let id = s.task(&me, json!({"message": "Book Dr. Rao for John Smith next Tuesday at 10"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved", "{task}");
        let booking = &task["response"]["data"]["booking"];
        assert_eq!(booking["start"], format!("{tuesday}T10:00:00+05:30"));
        assert_eq!(booking["contact_id"], john["id"]);
        assert!(task["response"]["text"].as_str().unwrap().starts_with("Booked Dr. Rao for John Smith"), "{task}");

        // The same slot again: the booking rule answers, through the task.
        let id = s.task(&me, json!({"message": "Book Dr. Rao for John Smith next Tuesday at 10"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "failed", "{task}");
        assert_eq!(task["error"]["code"], "SLOT_TAKEN", "{task}");
        // No time: the free slots are offered.
        let id = s.task(&me, json!({"message": "Book Dr. Rao for John Smith next Tuesday"})).await;
        let task = s.finished_task(&me, &id).await;
        let message = task["error"]["message"].as_str().unwrap();
        assert!(message.contains("Say a time") && message.contains(&format!("{tuesday}T09:00:00+05:30")), "{message}");
        let id = s.task(&me, json!({"message": "Book Dr. Who for John Smith tomorrow at 10"})).await;
        let task = s.finished_task(&me, &id).await;
        assert!(task["error"]["message"].as_str().unwrap().contains("Dr. Rao"), "{task}");
    }
}

both_backends! {
    async fn explains_what_it_can_do_when_it_does_not_understand(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let id = s.task(&me, json!({"message": "What's the weather like in Lisbon tomorrow?"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "failed");
        assert_eq!(task["error"]["code"], "NOT_UNDERSTOOD");
        let message = task["error"]["message"].as_str().unwrap();
        for form in ["create a contact", "find contacts by city, company, tag or name", "summarise a contact or a conversation", "send a message to a contact"] {
            assert!(message.contains(form), "{form:?} not in {message:?}");
        }
        assert_eq!(task["cost_cents"].as_f64(), Some(0.0), "nothing was done, nothing is charged");
        assert_eq!(s.events_of("task.failed").await.len(), 1);
        // A key that may not write contacts gets the scope error, not a contact.
        let reader = s.task_caller(json!({"label": "reader", "mode": "test", "scopes": ["contacts:read", "tasks:write"]})).await;
        let id = s.task(&reader, json!({"message": "Create a contact for Ana Lima, ana@example.com"})).await;
        let task = s.finished_task(&reader, &id).await;
        assert_eq!((task["status"].as_str(), task["error"]["code"].as_str()), (Some("failed"), Some("FORBIDDEN")));
        assert_eq!(s.call("GET", "/v1/contacts", s.sk(), None).await.json()["data"], json!([]));
    }
}

both_backends! {
    async fn erasing_a_contact_removes_the_tasks_about_them(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let email = "erase.me@privacy.example";
        let created = s.task(&me, json!({"message": format!("Create a contact for Erase Me at Privacy Ltd, {email}")})).await;
        let found = s.task(&me, json!({"message": "Find contacts at Privacy Ltd"})).await;
        let other = s.task(&me, json!({"message": "Find all contacts from Oslo"})).await;
        s.run_tasks().await;
        let contact = s.get_task(&me, &created).await.json()["response"]["data"]["contact"].clone();
        assert!(!crate::contacts::tables_mentioning(&s.db.url, backend, email).await.is_empty());

        let erased = s.call("DELETE", &format!("/v1/contacts/{}", contact["id"].as_str().unwrap()), s.sk(), None).await;
        assert_eq!(erased.status, 200);
        let left = crate::contacts::tables_mentioning(&s.db.url, backend, email).await;
        assert!(left.is_empty(), "the email survives in {left:?}");
        assert!(crate::contacts::tables_mentioning(&s.db.url, backend, "Erase Me").await.is_empty());
        assert_eq!(s.get_task(&me, &created).await.status, 404);
        assert_eq!(s.get_task(&me, &found).await.status, 404, "its result named the contact");
        assert_eq!(s.get_task(&me, &other).await.status, 200, "tasks about others stay");
        let events = s.events_of("task.resolved").await;
        assert!(events.iter().any(|e| e["data"]["id"] == created.as_str() && e["data"]["erased"] == true));
    }
}
