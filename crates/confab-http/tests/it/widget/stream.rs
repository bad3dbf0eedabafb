//! The visitor's live stream: `message`, `typing` and `status` frames, resumable with
//! `Last-Event-ID`, never a note.

use std::time::Duration;

use confab_testkit::{SseClient, SseFrame, TestServer, both_backends};
use serde_json::json;

use super::{opening_hours, start, test_call};

async fn next(stream: &mut SseClient, what: &str) -> SseFrame {
    stream
        .next(Duration::from_secs(10))
        .await
        .unwrap_or_else(|| panic!("no {what} frame within 10 s"))
}

async fn expect(stream: &mut SseClient, event: &str) -> SseFrame {
    let frame = next(stream, event).await;
    assert_eq!(frame.event.as_deref(), Some(event), "{frame:?}");
    frame
}

both_backends! {
    async fn messages_typing_and_status_arrive_live_and_resume(backend) {
        let s = TestServer::start(backend).await;
        opening_hours(&s).await;
        let (token, started) = start(&s, "hello").await;
        let id = started["conversation_id"].as_str().unwrap().to_owned();
        assert_eq!(s.run_replies().await, 1);
        let url = format!("{}/v1/widget/conversations/{token}/stream?site_key={}", s.base, s.creds.test_site_key);
        let mut live = SseClient::open_with(&url, &[], None).await;

        let r = test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/messages"), Some(json!({"message": "When do you open?"}))).await;
        assert_eq!(r.status, 201);
        // The reply to "hello" was committed before the stream opened, but on PostgreSQL
        // the event pump may publish it just after: a stream starts at the bus's head, so
        // it may deliver that reply first. Nothing else may come before the message.
        let mut customer = expect(&mut live, "message").await;
        if customer.json()["role"] == "ai" {
            customer = expect(&mut live, "message").await;
        }
        assert_eq!(customer.json()["role"], "customer");
        assert_eq!(customer.id.as_deref().map(|i| i.starts_with("evt_")), Some(true));
        assert_eq!(customer.json()["id"], r.json()["id"]);

        assert_eq!(s.run_replies().await, 1);
        let typing = expect(&mut live, "typing").await;
        assert_eq!(typing.id, None, "typing is ephemeral");
        assert_eq!(typing.json()["role"], "ai");
        assert_eq!(typing.json()["ttl_ms"], 15000);
        let ai = expect(&mut live, "message").await;
        assert_eq!(ai.json()["role"], "ai");
        assert!(ai.json()["text"].as_str().unwrap().contains("9 to 6"));
        assert!(ai.json().get("intent").is_none(), "no internal fields");

        let r = test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/handoff"), None).await;
        assert_eq!(r.status, 200);
        let pending = expect(&mut live, "status").await;
        assert_eq!(pending.json()["handled_by"], "pending");
        assert_eq!(pending.json()["status"], "open");
        let acknowledged = expect(&mut live, "message").await;
        assert_eq!(acknowledged.json()["role"], "ai");
        assert!(acknowledged.json()["text"].as_str().unwrap().contains("a person from our team"));

        let owner = s.creds.owner_token.clone();
        let test_mode = [("confab-mode", "test"), ("content-type", "application/json")];
        let rest = |method: &'static str, path: String, body: Option<serde_json::Value>| {
            let (s, owner) = (&s, &owner);
            async move {
                let r = s.send(method, &path, Some(owner), &test_mode, body.map(|b| serde_json::to_vec(&b).unwrap())).await;
                assert!(r.status < 300, "{path}: {} {}", r.status, r.text);
                r
            }
        };
        let typing = rest("POST", format!("/v1/conversations/{id}/typing"), None).await;
        assert_eq!(typing.status, 202);
        let agent_typing = expect(&mut live, "typing").await;
        assert_eq!(agent_typing.json()["role"], "agent");
        assert_eq!(agent_typing.json()["name"], json!(null), "never the member's own name");
        rest("POST", format!("/v1/conversations/{id}/messages"), Some(json!({"role": "note", "text": "internal only"}))).await;
        rest("POST", format!("/v1/conversations/{id}/messages"), Some(json!({"role": "agent", "text": "Hi, Owner here."}))).await;
        let human = expect(&mut live, "status").await;
        assert_eq!(human.json()["handled_by"], "human");
        let agent = expect(&mut live, "message").await;
        assert_eq!(agent.json()["text"], "Hi, Owner here.", "the note never arrives");
        assert_eq!(agent.json()["author"], json!({"type": "member", "name": null}));
        rest("POST", format!("/v1/conversations/{id}/resolve"), None).await;
        let resolved = expect(&mut live, "status").await;
        assert_eq!(resolved.json()["status"], "resolved");
        assert!(live.next(Duration::from_millis(300)).await.is_none(), "nothing else");
        drop(live);

        // Resuming after the customer's message replays the rest of the log, once, in
        // order, without the ephemeral typing frames.
        let mut resumed = SseClient::open_with(&url, &[], customer.id.as_deref()).await;
        let mut replayed = Vec::new();
        while let Some(frame) = resumed.next(Duration::from_millis(800)).await {
            replayed.push((frame.event.unwrap_or_default(), frame.id.unwrap_or_default()));
        }
        let expected: Vec<(String, String)> = [&ai, &pending, &acknowledged, &human, &agent, &resolved]
            .iter()
            .map(|f| (f.event.clone().unwrap(), f.id.clone().unwrap()))
            .collect();
        assert_eq!(replayed, expected);

        // Other visitors' conversations never leak into a stream.
        let (other, _) = start(&s, "someone else").await;
        let mut mine = SseClient::open_with(&url, &[], None).await;
        test_call(&s, "POST", &format!("/v1/widget/conversations/{other}/messages"), Some(json!({"message": "not yours"}))).await;
        assert!(mine.next(Duration::from_millis(500)).await.is_none());
    }
}

both_backends! {
    async fn a_stream_needs_a_real_conversation(backend) {
        let s = TestServer::start(backend).await;
        let r = test_call(&s, "GET", &format!("/v1/widget/conversations/{}/stream", crate::widget::token()), None).await;
        assert_eq!(r.status, 404, "{}", r.text);
        let r = s.send("GET", "/v1/widget/conversations/whatever/stream", None, &[], None).await;
        assert_eq!(r.status, 401);
    }
}
