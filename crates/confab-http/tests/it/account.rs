//! `GET/PATCH /v1/account`: the workspace and its name.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn the_account_shows_and_renames_the_workspace(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("GET", "/v1/account", s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let account = r.json();
        assert_eq!(account["object"], "account");
        assert_eq!(account["workspace"]["id"], s.creds.workspace_id.as_str());
        assert_eq!(account["workspace"]["name"], "Default");
        assert_eq!(account["livemode"], false);

        let r = s.call("PATCH", "/v1/account", &s.creds.owner_token, Some(json!({"name": "  Acme Bakery "}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["workspace"]["name"], "Acme Bakery");
        assert_eq!(s.call("GET", "/v1/account", &s.creds.live_secret_key, None).await.json()["workspace"]["name"], "Acme Bakery");

        // Both modes share the name: a test key may read it but not change it.
        let r = s.call("PATCH", "/v1/account", s.sk(), Some(json!({"name": "Test rename"}))).await;
        assert_eq!(r.status, 403, "{}", r.text);
        for bad in [json!({"name": ""}), json!({"name": "x".repeat(201)}), json!({"name": 5}), json!({"plan": "pro"})] {
            let r = s.call("PATCH", "/v1/account", &s.creds.live_secret_key, Some(bad.clone())).await;
            assert_eq!(r.status, 422, "{bad}: {}", r.text);
        }
        let member = s.call("POST", "/v1/members", &s.creds.owner_token, Some(json!({"name": "Ana", "email": "ana@example.com", "role": "agent"}))).await.json();
        let token = s.call("POST", &format!("/v1/members/{}/tokens", member["id"].as_str().unwrap()), &s.creds.owner_token, None).await.json();
        let r = s.call("PATCH", "/v1/account", token["token"].as_str().unwrap(), Some(json!({"name": "Ana's shop"}))).await;
        assert_eq!(r.status, 403, "an agent may not rename the workspace: {}", r.text);
        assert_eq!(s.call("GET", "/v1/account", s.sk(), None).await.json()["workspace"]["name"], "Acme Bakery");
    }
}

both_backends! {
    async fn the_account_shows_the_limits_and_this_months_usage_per_mode(backend) {
        let s = TestServer::start(backend).await;
        let fresh = s.call("GET", "/v1/account", s.sk(), None).await.json();
        assert_eq!(fresh["limits"]["max_message_chars"], 10_000);
        assert_eq!(fresh["limits"]["max_file_bytes"], 25 * 1024 * 1024);
        assert_eq!(fresh["limits"]["widget_per_minute"], json!({"config": 60, "create": 5, "read": 60, "send": 20}));
        assert!(fresh["limits"]["requests_per_minute"].as_u64().unwrap() >= 1);
        assert_eq!(fresh["usage"]["conversations"], 0);
        assert!(fresh["usage"]["since"].as_str().unwrap().contains("-01T00:00:00"), "{}", fresh["usage"]["since"]);

        s.conversation(json!({"channel": "api", "contact": {"name": "Maya"}, "message": {"text": "When do you open?"}})).await;
        s.run_replies().await;
        let r = s.call("POST", "/v1/tickets", s.sk(), Some(json!({"subject": "Follow up"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let used = s.call("GET", "/v1/account", s.sk(), None).await.json()["usage"].clone();
        assert_eq!(used["conversations"], 1);
        assert_eq!(used["messages"], 2, "the customer's and the AI's: {used}");
        assert_eq!(used["ai_replies"], 1);
        assert_eq!(used["tickets"], 1);
        let live = s.call("GET", "/v1/account", &s.creds.live_secret_key, None).await.json()["usage"].clone();
        assert_eq!(live["conversations"], 0, "usage is per mode");
        let patched = s.call("PATCH", "/v1/account", &s.creds.owner_token, Some(json!({"name": "Acme"}))).await.json();
        assert!(patched.get("usage").is_none(), "a change answers the workspace only");
    }
}
