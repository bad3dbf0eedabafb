//! Workspaces and modes never see each other's data.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn a_test_key_cannot_read_a_live_contact(backend) {
        let s = TestServer::start(backend).await;
        let live_key = s.creds.live_secret_key.clone();
        let r = s.call("POST", "/v1/contacts", &live_key, Some(json!({"name": "Live Customer"}))).await;
        assert_eq!(r.status, 201);
        assert_eq!(r.json()["livemode"], true);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        let from_test = s.call("GET", &format!("/v1/contacts/{id}"), s.sk(), None).await;
        assert_eq!(from_test.status, 404);
        assert_eq!(from_test.code(), "NOT_FOUND");
        let patch = s.call("PATCH", &format!("/v1/contacts/{id}"), s.sk(), Some(json!({"name": "x"}))).await;
        assert_eq!(patch.status, 404, "nor write it");
        let list = s.call("GET", "/v1/contacts", s.sk(), None).await;
        assert!(list.json()["data"].as_array().unwrap().is_empty());
        assert_eq!(s.call("GET", &format!("/v1/contacts/{id}"), &live_key, None).await.status, 200);
    }
}

both_backends! {
    async fn workspace_a_cannot_read_workspace_b(backend) {
        let s = TestServer::start(backend).await;
        let b = confab_app::workspaces::create(&s.app, "Tenant B").await.unwrap();
        let r = s.call("POST", "/v1/contacts", &b.test_secret_key, Some(json!({"name": "B's customer", "email": "b@b.example"}))).await;
        assert_eq!(r.status, 201);
        let id = r.json()["id"].as_str().unwrap().to_owned();
        let from_a = s.call("GET", &format!("/v1/contacts/{id}"), s.sk(), None).await;
        assert_eq!(from_a.status, 404);
        let search = s.call("GET", "/v1/contacts?search=b.example", s.sk(), None).await;
        assert!(search.json()["data"].as_array().unwrap().is_empty());
        let delete = s.call("DELETE", &format!("/v1/contacts/{id}"), s.sk(), None).await;
        assert_eq!(delete.status, 404);
        // Emails are unique per workspace and mode, not globally.
        let same_email = s.call("POST", "/v1/contacts", s.sk(), Some(json!({"email": "b@b.example"}))).await;
        assert_eq!(same_email.status, 201, "{}", same_email.text);
        let events = s.call("GET", "/v1/events", &b.test_secret_key, None).await;
        assert_eq!(events.json()["data"].as_array().unwrap().len(), 1, "B sees only its own event");
    }
}

both_backends! {
    async fn a_list_paged_while_rows_arrive_misses_and_repeats_nothing(backend) {
        let s = TestServer::start(backend).await;
        let mut originals = Vec::new();
        for i in 0..5 {
            originals.push(s.contact(json!({"name": format!("Original {i}")})).await["id"].as_str().unwrap().to_owned());
        }
        let mut seen: Vec<String> = Vec::new();
        let mut path = "/v1/contacts?limit=2".to_owned();
        for i in 0.. {
            let page = s.call("GET", &path, s.sk(), None).await.json();
            seen.extend(page["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
            s.contact(json!({"name": format!("Newcomer {i}")})).await;
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/v1/contacts?limit=2&cursor={c}"),
                None => break,
            }
        }
        let unique: std::collections::HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "repeated: {seen:?}");
        for id in &originals {
            assert!(seen.contains(id), "missed {id}");
        }
    }
}

both_backends! {
    /// Members and their tokens span both modes (a member token acts in live mode), so a
    /// test key changes none of them: every route that creates, changes or revokes one,
    /// or lists token ids to revoke, answers 403 and leaves the team as it was. A live
    /// key and a member token still may.
    async fn a_test_key_cannot_change_the_team(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let owner_id = s.call("GET", "/v1/members/me", &owner, None).await.json()["id"].as_str().unwrap().to_owned();
        let token_id = s.call("GET", &format!("/v1/members/{owner_id}/tokens"), &owner, None).await.json()[0]["id"].as_str().unwrap().to_owned();
        let agent = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana", "email": "ana@example.com", "role": "agent"}))).await.json();
        let agent_id = agent["id"].as_str().unwrap().to_owned();
        let routes: Vec<(&str, String, Option<serde_json::Value>)> = vec![
            ("POST", "/v1/members".into(), Some(json!({"name": "Mallory", "email": "m@example.com", "role": "owner"}))),
            ("PATCH", format!("/v1/members/{agent_id}"), Some(json!({"role": "owner"}))),
            ("DELETE", format!("/v1/members/{agent_id}"), None),
            ("POST", format!("/v1/members/{owner_id}/tokens"), None),
            ("POST", format!("/v1/members/{agent_id}/tokens"), None),
            ("GET", format!("/v1/members/{owner_id}/tokens"), None),
            ("DELETE", format!("/v1/members/{owner_id}/tokens/{token_id}"), None),
        ];
        let mut leaks = Vec::new();
        for (method, path, body) in &routes {
            let r = s.call(method, path, s.sk(), body.clone()).await;
            if (r.status, r.code().as_str()) != (403, "FORBIDDEN") {
                leaks.push(format!("{method} {path} → {} {}", r.status, r.text));
            } else {
                assert!(r.json()["error"]["message"].as_str().unwrap().contains("live secret key"), "{}", r.text);
            }
        }
        assert!(leaks.is_empty(), "a test key changed the team:\n{}", leaks.join("\n"));
        // Nothing changed: the owner's token works, the agent is still an agent.
        assert_eq!(s.call("GET", "/v1/contacts", &owner, None).await.status, 200);
        let team = s.call("GET", "/v1/members", &owner, None).await.json();
        assert_eq!(team["data"].as_array().unwrap().len(), 2);
        assert_eq!(s.call("GET", &format!("/v1/members/{agent_id}"), &owner, None).await.json()["role"], "agent");
        // Reading the team is not a change.
        assert_eq!(s.call("GET", "/v1/members", s.sk(), None).await.status, 200);
        // A live key may manage the team.
        let live = s.creds.live_secret_key.clone();
        let made = s.call("POST", &format!("/v1/members/{agent_id}/tokens"), &live, None).await;
        assert_eq!(made.status, 201, "{}", made.text);
        let patched = s.call("PATCH", &format!("/v1/members/{agent_id}"), &live, Some(json!({"name": "Ana A."}))).await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        // Workspaces are made only with the platform admin token.
        let admin = s.call("POST", "/admin/v1/workspaces", s.sk(), Some(json!({"name": "Mallory's"}))).await;
        assert!(admin.status == 401 || admin.status == 404, "{} {}", admin.status, admin.text);
        // A member token in test mode is a person's credential and still may.
        let via_token = s.send("POST", &format!("/v1/members/{agent_id}/tokens"), Some(&owner), &[("confab-mode", "test")], None).await;
        assert_eq!(via_token.status, 201, "{}", via_token.text);
    }
}
