//! The team: roles, tokens and who may manage whom.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn owners_manage_the_team_and_agents_cannot(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let agent = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana Agent", "email": "ana@example.com", "role": "agent"}))).await;
        assert_eq!(agent.status, 201, "{}", agent.text);
        let agent_id = agent.json()["id"].as_str().unwrap().to_owned();
        assert!(agent_id.starts_with("mem_"));
        let token = s.call("POST", &format!("/v1/members/{agent_id}/tokens"), &owner, None).await;
        assert_eq!(token.status, 201);
        let agent_token = token.json()["token"].as_str().unwrap().to_owned();
        assert!(agent_token.starts_with("mt_"));
        let listed = s.call("GET", &format!("/v1/members/{agent_id}/tokens"), &owner, None).await;
        assert!(listed.json()[0].get("token").is_none(), "the secret is shown once");

        // The agent works with contacts but cannot manage the team.
        assert_eq!(s.call("GET", "/v1/contacts", &agent_token, None).await.status, 200);
        assert_eq!(s.call("GET", "/v1/members", &agent_token, None).await.status, 200);
        let denied = s.call("POST", "/v1/members", &agent_token, Some(json!({"name": "X", "email": "x@example.com", "role": "admin"}))).await;
        assert_eq!((denied.status, denied.code().as_str()), (403, "FORBIDDEN"));
        let denied = s.call("POST", &format!("/v1/members/{agent_id}/tokens"), &agent_token, None).await;
        assert_eq!(denied.status, 403);

        // An admin cannot mint owners.
        let admin = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ad Min", "email": "admin@example.com", "role": "admin"}))).await.json();
        let admin_token = s.call("POST", &format!("/v1/members/{}/tokens", admin["id"].as_str().unwrap()), &owner, None).await.json()["token"].as_str().unwrap().to_owned();
        let denied = s.call("PATCH", &format!("/v1/members/{agent_id}"), &admin_token, Some(json!({"role": "owner"}))).await;
        assert_eq!(denied.status, 403);
        let ok = s.call("PATCH", &format!("/v1/members/{agent_id}"), &admin_token, Some(json!({"name": "Ana A."}))).await;
        assert_eq!(ok.json()["name"], "Ana A.");

        // Removing a member revokes their tokens at once.
        assert_eq!(s.call("DELETE", &format!("/v1/members/{agent_id}"), &owner, None).await.status, 200);
        let gone = s.call("GET", "/v1/contacts", &agent_token, None).await;
        assert_eq!((gone.status, gone.code().as_str()), (401, "UNAUTHENTICATED"));

        let dup = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Again", "email": "admin@example.com", "role": "agent"}))).await;
        assert_eq!(dup.status, 409);
        let bad = s.call("POST", "/v1/members", &owner, Some(json!({"name": "", "email": "x", "role": "boss"}))).await;
        assert_eq!(bad.status, 422);
    }
}

both_backends! {
    async fn the_last_owner_stays_and_revoked_tokens_stop(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let me = s.call("GET", "/v1/members", &owner, None).await.json()["data"][0].clone();
        let id = me["id"].as_str().unwrap();
        let r = s.call("DELETE", &format!("/v1/members/{id}"), &owner, None).await;
        assert_eq!((r.status, r.code().as_str()), (409, "CONFLICT"));
        let r = s.call("PATCH", &format!("/v1/members/{id}"), &owner, Some(json!({"role": "agent"}))).await;
        assert_eq!(r.status, 409);
        let extra = s.call("POST", &format!("/v1/members/{id}/tokens"), &owner, None).await.json();
        let extra_token = extra["token"].as_str().unwrap().to_owned();
        assert_eq!(s.call("GET", "/v1/contacts", &extra_token, None).await.status, 200);
        let revoked = s.call("DELETE", &format!("/v1/members/{id}/tokens/{}", extra["id"].as_str().unwrap()), &owner, None).await;
        assert_eq!(revoked.status, 200);
        assert_eq!(s.call("GET", "/v1/contacts", &extra_token, None).await.status, 401);
        assert_eq!(s.call("GET", "/v1/contacts", &owner, None).await.status, 200);
    }
}

both_backends! {
    /// The owner `init` creates is a member like any other: a client that sends the
    /// member back as it read it (name and email) gets a 200, not a 422 on the email.
    async fn the_bootstrap_owner_can_be_updated_as_read(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let me = s.call("GET", "/v1/members/me", &owner, None).await.json();
        let id = me["id"].as_str().unwrap();
        let r = s.call("PATCH", &format!("/v1/members/{id}"), &owner, Some(json!({"name": "Olga Owner", "email": me["email"]}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["email"], me["email"]);
        let r = s.call("PATCH", &format!("/v1/members/{id}"), &owner, Some(json!({"email": "olga@example.com"}))).await;
        assert_eq!(r.json()["email"], "olga@example.com");
    }
}

both_backends! {
    /// Customers see a person's replies under the name the business chose for them
    /// (`display_name`), else the widget's agent name, never the member's own name.
    async fn customers_see_the_display_name_never_the_member_s_own_name(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let ana = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana Internal", "email": "ana@example.com", "role": "agent", "display_name": "Ana"}))).await;
        assert_eq!(ana.status, 201, "{}", ana.text);
        assert_eq!(ana.json()["display_name"], "Ana");
        let ana_id = ana.json()["id"].as_str().unwrap().to_owned();
        let ana_token = s.call("POST", &format!("/v1/members/{ana_id}/tokens"), &owner, None).await.json()["token"].as_str().unwrap().to_owned();
        let blank = s.call("PATCH", &format!("/v1/members/{ana_id}"), &owner, Some(json!({"display_name": "  "}))).await;
        assert_eq!(blank.status, 422);
        assert!(blank.json()["error"]["fields"]["display_name"].is_array(), "{}", blank.text);

        let conversation = s.call("POST", "/v1/conversations", s.sk(), Some(json!({"contact": {"name": "Cat"}, "message": {"text": "hi"}}))).await.json();
        let path = format!("/v1/conversations/{}/messages", conversation["id"].as_str().unwrap());
        let reply = |token: String, text: &'static str| {
            let (s, path) = (&s, path.clone());
            async move {
                let body = serde_json::to_vec(&json!({"role": "agent", "text": text})).unwrap();
                let r = s.send("POST", &path, Some(&token), &[("confab-mode", "test"), ("content-type", "application/json")], Some(body)).await;
                assert_eq!(r.status, 201, "{}", r.text);
                r.json()["author"]["name"].clone()
            }
        };
        assert_eq!(reply(ana_token.clone(), "one").await, "Ana");

        // Without a display name: the widget's agent name in this mode, else nothing.
        s.call("PATCH", &format!("/v1/members/{ana_id}"), &owner, Some(json!({"display_name": null}))).await;
        assert_eq!(reply(ana_token.clone(), "two").await, json!(null));
        let body = serde_json::to_vec(&json!({"agent_name": "Support team"})).unwrap();
        let set = s.send("PUT", "/v1/settings/widget", Some(&owner), &[("confab-mode", "test"), ("content-type", "application/json")], Some(body)).await;
        assert!(set.status < 300, "{}", set.text);
        assert_eq!(reply(ana_token, "three").await, "Support team");
        let names: Vec<String> = s.messages(conversation["id"].as_str().unwrap()).await.iter()
            .filter_map(|m| m["author"]["name"].as_str().map(str::to_owned)).collect();
        assert!(!names.iter().any(|n| n.contains("Internal")), "{names:?}");
    }
}
