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
