//! Conversations under concurrent writers: counts, streaks and hand-off transitions.

use confab_store::conversations as stored;
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use super::{N, all_at_once, tally};

async fn taken_over(s: &TestServer) -> String {
    let c = s.conversation(json!({"message": {"text": "hello"}})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let r = s
        .call(
            "POST",
            &format!("/v1/conversations/{id}/take-over"),
            s.sk(),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

async fn get(s: &TestServer, id: &str) -> Value {
    s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None)
        .await
        .json()
}

/// The stored row, with the counters the API does not show.
async fn row(s: &TestServer, id: &str) -> confab_app::core::conversation::Conversation {
    let mut tx = s
        .app
        .store
        .tenant_read(&s.creds.workspace_id, false)
        .await
        .unwrap();
    let id = confab_app::core::id::ConversationId::parse(id).unwrap();
    stored::get(&mut tx, &id)
        .await
        .unwrap()
        .expect("the conversation")
}

fn messages(id: &str, role: &str, text: &str) -> Vec<(&'static str, String, Option<Value>)> {
    (0..N)
        .map(|i| {
            let body = json!({"role": role, "text": format!("{text} ({i})")});
            (
                "POST",
                format!("/v1/conversations/{id}/messages"),
                Some(body),
            )
        })
        .collect()
}

both_backends! {
    /// 32 clients × 20 agent messages once ended with message_count 100 on PostgreSQL.
    async fn concurrent_messages_are_all_counted(backend) {
        let s = TestServer::start(backend).await;
        let id = taken_over(&s).await;
        let answers = all_at_once(&s, s.sk(), messages(&id, "agent", "On it")).await;
        assert_eq!(tally(&answers), vec![(201, N)]);
        let c = get(&s, &id).await;
        let listed = s.call("GET", &format!("/v1/conversations/{id}/messages?limit=100"), s.sk(), None).await.json();
        let rows = listed["data"].as_array().unwrap().len();
        assert_eq!(rows, N + 1);
        assert_eq!(c["message_count"], json!(rows), "every message is counted once");
    }
}

both_backends! {
    /// Ten concurrent negative messages once left the streak at 1, so the hand-off on
    /// negative sentiment never fired under concurrency.
    async fn concurrent_negative_messages_all_count_toward_the_streak(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({"message": {"text": "hello"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let angry = "Awful service, this is the worst experience ever. Horrible!";
        let answers = all_at_once(&s, s.sk(), messages(&id, "customer", angry)).await;
        assert_eq!(tally(&answers), vec![(201, N)]);
        let stored = row(&s, &id).await;
        assert_eq!(stored.negative_streak, N as i64);
        assert_eq!(stored.message_count, N as i64 + 1);
    }
}

both_backends! {
    /// A take-over racing customer messages answered 200 and was then undone in 15 of
    /// 20 trials: the AI kept replying to a customer a person had taken over.
    async fn a_take_over_is_never_undone_by_a_racing_message(backend) {
        let s = TestServer::start(backend).await;
        for _ in 0..3 {
            let c = s.conversation(json!({"message": {"text": "hello"}})).await;
            let id = c["id"].as_str().unwrap().to_owned();
            let mut calls = messages(&id, "customer", "Where is my parcel?");
            calls.insert(N / 2, ("POST", format!("/v1/conversations/{id}/take-over"), None));
            let answers = all_at_once(&s, s.sk(), calls).await;
            assert_eq!(tally(&answers), vec![(200, 1), (201, N)]);
            let after = get(&s, &id).await;
            assert_eq!(after["handled_by"], "human", "{after}");
            assert!(after["human_took_over_at"].is_string(), "{after}");
            assert_eq!(after["message_count"], json!(N + 1));
            // The reply jobs queued before the take-over write nothing now.
            s.run_replies().await;
            let ai = s.messages(&id).await.into_iter().filter(|m| m["role"] == "ai").count();
            let after = get(&s, &id).await;
            assert_eq!(after["handled_by"], "human");
            assert_eq!(ai, 0, "no AI reply after a take-over");
        }
    }
}

both_backends! {
    /// Of racing transitions exactly one wins; the others get the 409 they would get
    /// one after another.
    async fn of_racing_transitions_exactly_one_wins(backend) {
        let s = TestServer::start(backend).await;
        for (action, prepare) in [("take-over", None), ("handoff", None), ("resolve", None), ("release", Some("take-over"))] {
            let c = s.conversation(json!({"message": {"text": "hello"}})).await;
            let id = c["id"].as_str().unwrap().to_owned();
            if let Some(first) = prepare {
                assert_eq!(s.call("POST", &format!("/v1/conversations/{id}/{first}"), s.sk(), None).await.status, 200);
            }
            let calls = (0..N).map(|_| ("POST", format!("/v1/conversations/{id}/{action}"), None)).collect();
            let answers = all_at_once(&s, s.sk(), calls).await;
            assert_eq!(tally(&answers), vec![(200, 1), (409, N - 1)], "{action}");
            for r in answers.iter().filter(|r| r.status == 409) {
                assert_eq!(r.code(), "CONFLICT", "{action}: {}", r.text);
            }
            let events = match action {
                "take-over" => "agent.assigned",
                "handoff" => "handoff.requested",
                "resolve" => "conversation.resolved",
                _ => "conversation.released",
            };
            let mine = s.events_of(events).await.into_iter().filter(|e| e["data"]["id"] == id.as_str()).count();
            assert_eq!(mine, 1, "{action}: one event for the one move");
        }
    }
}

both_backends! {
    /// Agent messages racing a resolve: each is either before it (201) or refused after
    /// it (409 CONVERSATION_RESOLVED), and the count matches the stored rows.
    async fn messages_racing_a_resolve_are_counted_or_refused(backend) {
        let s = TestServer::start(backend).await;
        let id = taken_over(&s).await;
        let mut calls = messages(&id, "agent", "One moment");
        calls.insert(N / 2, ("POST", format!("/v1/conversations/{id}/resolve"), None));
        let answers = all_at_once(&s, s.sk(), calls).await;
        let sent = answers.iter().filter(|r| r.status == 201).count();
        let refused = answers.iter().filter(|r| r.status == 409 && r.code() == "CONVERSATION_RESOLVED").count();
        assert_eq!(sent + refused + 1, N + 1, "{:?}", tally(&answers));
        let c = get(&s, &id).await;
        assert_eq!(c["status"], "resolved");
        assert_eq!(c["message_count"], json!(sent + 1));
    }
}

both_backends! {
    /// AI replies written while customers keep writing: every message is counted.
    async fn ai_replies_and_customer_messages_are_all_counted(backend) {
        let s = TestServer::start(backend).await;
        let c = s.conversation(json!({"message": {"text": "hello"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let calls = messages(&id, "customer", "What are your opening hours?");
        let (answers, _) = tokio::join!(all_at_once(&s, s.sk(), calls), async {
            for _ in 0..5 {
                s.run_replies().await;
                tokio::task::yield_now().await;
            }
        });
        assert_eq!(tally(&answers), vec![(201, N)]);
        s.run_replies().await;
        let listed = s.call("GET", &format!("/v1/conversations/{id}/messages?limit=100"), s.sk(), None).await.json();
        let rows = listed["data"].as_array().unwrap().len();
        assert_eq!(get(&s, &id).await["message_count"], json!(rows));
    }
}

both_backends! {
    /// A visitor tapping "talk to a person" from several tabs at once: each tap answers
    /// 200 with the conversation waiting, and one hand-off is requested.
    async fn a_visitor_asking_for_a_person_at_once_gets_one_hand_off(backend) {
        let s = TestServer::start(backend).await;
        let token = crate::widget::token();
        let start = json!({"name": "Maya", "message": "hello", "visitor_token": token});
        let r = crate::widget::test_call(&s, "POST", "/v1/widget/conversations", Some(start)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        // Within the widget's send budget (20 a minute per key and address).
        let taps = 16;
        let path = format!("/v1/widget/conversations/{token}/handoff");
        let answers = futures::future::join_all((0..taps).map(|_| crate::widget::test_call(&s, "POST", &path, None))).await;
        assert_eq!(tally(&answers), vec![(200, taps)], "{}", answers[0].text);
        assert!(answers.iter().all(|r| r.json()["handled_by"] == "pending"));
        assert_eq!(s.events_of("handoff.requested").await.len(), 1);
        let history = crate::widget::test_call(&s, "GET", &format!("/v1/widget/conversations/{token}/messages"), None).await.json();
        let ai = history["data"].as_array().unwrap().iter().filter(|m| m["role"] == "ai").count();
        assert_eq!(ai, 1, "one acknowledgment for one hand-off: {history}");
    }
}

both_backends! {
    /// Assignments racing agent messages: the assignments never write back a stale
    /// count, and assigning the member already assigned is the sequential 409.
    async fn assignments_racing_messages_lose_nothing(backend) {
        let s = TestServer::start(backend).await;
        let id = taken_over(&s).await;
        let mut members = Vec::new();
        for name in ["Bo", "Cy"] {
            let body = json!({"name": name, "email": format!("{name}@example.com"), "role": "agent"});
            let r = s.call("POST", "/v1/members", &s.creds.owner_token, Some(body)).await;
            assert_eq!(r.status, 201, "{}", r.text);
            members.push(r.json()["id"].as_str().unwrap().to_owned());
        }
        let calls = (0..N)
            .map(|i| match i % 2 {
                0 => ("POST", format!("/v1/conversations/{id}/messages"), Some(json!({"role": "agent", "text": format!("Update {i}")}))),
                _ => ("POST", format!("/v1/conversations/{id}/assign"), Some(json!({"member_id": members[(i / 2) % 2]}))),
            })
            .collect();
        let answers = all_at_once(&s, s.sk(), calls).await;
        let sent = answers.iter().filter(|r| r.status == 201).count();
        assert_eq!(sent, N / 2, "{:?}", tally(&answers));
        assert!(answers.iter().all(|r| matches!(r.status, 200 | 201 | 409)), "{:?}", tally(&answers));
        let c = get(&s, &id).await;
        assert_eq!(c["message_count"], json!(N / 2 + 1), "every message is counted");
        assert!(members.iter().any(|m| c["assignee_id"] == m.as_str()));
    }
}
