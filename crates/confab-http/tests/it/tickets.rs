//! Departments and tickets: routing in turn (fairly under a burst), the status machine,
//! replies and notes, and tickets opened from a conversation.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use crate::concurrency::all_at_once;

async fn department(s: &TestServer, name: &str) -> Value {
    let r = s
        .call(
            "POST",
            "/v1/departments",
            &s.creds.owner_token,
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

async fn member(s: &TestServer, name: &str, departments: &[&Value]) -> Value {
    let ids: Vec<&Value> = departments.iter().map(|d| &d["id"]).collect();
    let email = format!("{}@example.com", name.to_lowercase());
    let r = s
        .call(
            "POST",
            "/v1/members",
            &s.creds.owner_token,
            Some(json!({"name": name, "email": email, "role": "agent", "department_ids": ids})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

both_backends! {
    async fn departments_are_managed_and_members_must_name_real_ones(backend) {
        let s = TestServer::start(backend).await;
        let billing = department(&s, "Billing").await;
        assert_eq!(billing["object"], "department");
        assert!(billing["id"].as_str().unwrap().starts_with("dep_"));
        let ana = member(&s, "Ana", &[&billing]).await;
        assert_eq!(ana["department_ids"], json!([billing["id"]]));
        assert_eq!(ana["away"], false);
        let r = s.call("POST", "/v1/members", &s.creds.owner_token, Some(json!({"name": "Bo", "email": "bo@example.com",
            "role": "agent", "department_ids": ["dep_01J00000000000000000000000"]}))).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.json()["error"]["fields"]["department_ids.0"].is_array());
        let path = format!("/v1/departments/{}", billing["id"].as_str().unwrap());
        let r = s.call("DELETE", &path, &s.creds.owner_token, None).await;
        assert_eq!(r.status, 409, "Ana still belongs: {}", r.text);
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("Ana"));
        let r = s.call("PATCH", &path, &s.creds.owner_token, Some(json!({"description": "Invoices and refunds"}))).await;
        assert_eq!(r.json()["description"], "Invoices and refunds");
        let r = s.call("POST", "/v1/departments", s.sk(), Some(json!({"name": "Test-key team"}))).await;
        assert_eq!(r.status, 403, "departments span both modes: {}", r.text);
        let member_path = format!("/v1/members/{}", ana["id"].as_str().unwrap());
        let r = s.call("PATCH", &member_path, &s.creds.owner_token, Some(json!({"department_ids": [], "away": true}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["away"], true);
        assert_eq!(s.call("DELETE", &path, &s.creds.owner_token, None).await.status, 200);
    }
}

both_backends! {
    async fn a_ticket_moves_through_one_status_machine_with_replies_and_notes(backend) {
        let s = TestServer::start(backend).await;
        let contact = s.contact(json!({"name": "Acme"})).await;
        let r = s.call("POST", "/v1/tickets", s.sk(), Some(json!({"subject": "Broken invoice", "description": "Invoice 12 is wrong",
            "contact_id": contact["id"], "priority": "high"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let t = r.json();
        assert_eq!(t["object"], "ticket");
        assert_eq!(t["status"], "open");
        assert_eq!(t["priority"], "high");
        assert!(t["reference"].as_str().unwrap().starts_with("T-"));
        assert_eq!(t["assignee_id"], json!(null), "no department, no assignee");
        let path = format!("/v1/tickets/{}", t["id"].as_str().unwrap());
        assert_eq!(s.events_of("ticket.created").await.len(), 1);

        for (status, code) in [("pending", 200), ("solved", 200), ("pending", 409), ("open", 200), ("closed", 200), ("open", 409)] {
            let r = s.call("PATCH", &path, s.sk(), Some(json!({"status": status}))).await;
            assert_eq!(r.status, code, "→ {status}: {}", r.text);
        }
        let closed = s.call("GET", &path, s.sk(), None).await.json();
        assert_eq!(closed["status"], "closed");
        assert!(closed["closed_at"].is_string());
        let r = s.call("PATCH", &path, s.sk(), Some(json!({"priority": "low"}))).await;
        assert_eq!(r.status, 409, "a closed ticket does not change: {}", r.text);
        let r = s.call("POST", &format!("{path}/replies"), s.sk(), Some(json!({"body": "We fixed it."}))).await;
        assert_eq!(r.status, 409, "no public reply on a closed ticket: {}", r.text);
        let r = s.call("POST", &format!("{path}/replies"), s.sk(), Some(json!({"body": "Root cause: rounding.", "internal": true}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json()["internal"], true);
        let replies = s.call("GET", &format!("{path}/replies"), s.sk(), None).await.json();
        assert_eq!(replies["data"].as_array().unwrap().len(), 1);
        assert_eq!(s.events_of("ticket.replied").await.len(), 1);
        assert_eq!(s.call("GET", &path, s.sk(), None).await.json()["reply_count"], 1);

        let mine = s.call("GET", &format!("/v1/tickets?contact_id={}&status=closed&priority=high", contact["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(mine["data"].as_array().unwrap().len(), 1);
        let bad = s.call("GET", "/v1/tickets?status=done&assignee_id=x", s.sk(), None).await;
        assert_eq!(bad.status, 422);
        let r = s.call("POST", "/v1/tickets", s.sk(), Some(json!({"subject": " ", "priority": "asap"}))).await;
        assert_eq!(r.status, 422);
        // Live mode sees none of it.
        assert_eq!(s.call("GET", &path, &s.creds.live_secret_key, None).await.status, 404);
    }
}

both_backends! {
    async fn a_ticket_from_a_conversation_tells_the_customer_and_carries_replies_there(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({"channel": "api", "contact": {"name": "Maya"}, "message": {"text": "My order never arrived"}})).await;
        let cid = c["id"].as_str().unwrap();
        let r = s.call("POST", "/v1/tickets", s.sk(), Some(json!({"subject": "Order 1234 missing", "conversation_id": cid}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let t = r.json();
        assert_eq!(t["conversation_id"], cid);
        assert_eq!(t["contact_id"], c["contact"]["id"], "the conversation's contact");
        let conv = s.call("GET", &format!("/v1/conversations/{cid}?include=messages"), s.sk(), None).await.json();
        assert_eq!(conv["ticket_id"], t["id"], "linked both ways");
        let told = conv["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(told["role"], "ai", "an automatic notice");
        assert_eq!(conv["handled_by"], c["handled_by"], "opening a ticket does not take the conversation from the AI");
        let reference = t["reference"].as_str().unwrap();
        assert!(told["text"].as_str().unwrap().contains(reference), "{told}");

        let path = format!("/v1/tickets/{}/replies", t["id"].as_str().unwrap());
        s.call("POST", &path, &s.creds.owner_token, Some(json!({"body": "Checking with the courier.", "internal": true}))).await;
        let r = s.call("POST", &path, s.sk(), Some(json!({"body": "Your parcel is on its way again."}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let texts: Vec<String> = s.call("GET", &format!("/v1/conversations/{cid}/messages"), s.sk(), None).await.json()["data"]
            .as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()).collect();
        assert!(texts.contains(&"Your parcel is on its way again.".to_owned()), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("courier")), "a note never reaches the customer: {texts:?}");

        // A resolved conversation can still be followed up with a ticket.
        let done = s.conversation(json!({"channel": "api", "contact": {"name": "Omar"}, "message": {"text": "Thanks, all good"}})).await;
        let did = done["id"].as_str().unwrap();
        let r = s.call("POST", &format!("/v1/conversations/{did}/resolve"), s.sk(), Some(json!({"resolution": {"outcome": "answered"}}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = s.call("POST", "/v1/tickets", s.sk(), Some(json!({"subject": "Call back next week", "conversation_id": did}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let after = s.call("GET", &format!("/v1/conversations/{did}"), s.sk(), None).await.json();
        assert_eq!(after["status"], "resolved");
        assert_eq!(after["ticket_id"], r.json()["id"]);
    }
}

both_backends! {
    /// A hundred tickets at once over four members: 25 each; an away member gets none.
    async fn tickets_are_routed_in_turn_fairly_under_a_burst(backend) {
        let s = TestServer::start(backend).await;
        let support = department(&s, "Support").await;
        let mut team = Vec::new();
        for name in ["Ana", "Bo", "Cy", "Di"] {
            team.push(member(&s, name, &[&support]).await["id"].as_str().unwrap().to_owned());
        }
        let away = member(&s, "Ed", &[&support]).await;
        s.call("PATCH", &format!("/v1/members/{}", away["id"].as_str().unwrap()), &s.creds.owner_token, Some(json!({"away": true}))).await;
        let calls = (0..100)
            .map(|i| ("POST", "/v1/tickets".to_owned(), Some(json!({"subject": format!("Question {i}"), "department_id": support["id"]}))))
            .collect();
        let answers = all_at_once(&s, s.sk(), calls).await;
        assert!(answers.iter().all(|a| a.status == 201), "{:?}", answers.iter().find(|a| a.status != 201).map(|a| &a.text));
        let mut counts = std::collections::BTreeMap::new();
        for a in &answers {
            *counts.entry(a.json()["assignee_id"].as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
        assert_eq!(counts.len(), 4, "{counts:?}");
        for m in &team {
            assert_eq!(counts.get(m), Some(&25), "{counts:?}");
        }
        let filtered = s.call("GET", &format!("/v1/tickets?assignee_id={}&limit=100", team[0]), s.sk(), None).await.json();
        assert_eq!(filtered["data"].as_array().unwrap().len(), 25);
    }
}
