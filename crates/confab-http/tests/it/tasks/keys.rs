//! `/v1/api-keys`: who may manage keys, what a key shows, and what it may do.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn owners_create_list_read_update_and_revoke_keys(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let created = s.call("POST", "/v1/api-keys", &owner, Some(json!({
            "label": "CRM", "mode": "test", "scopes": ["contacts:read", "tasks:write"],
            "budget_usd_cents": 500, "budget_period": "daily"
        }))).await;
        assert_eq!(created.status, 201, "{}", created.text);
        let key = created.json();
        let id = key["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("key_"));
        assert_eq!(key["object"], "api_key");
        assert!(key["key"].as_str().unwrap().starts_with("sk_test_"));
        assert!(key["signing_secret"].as_str().unwrap().starts_with("whsec_"));
        assert_eq!(key["mode"], "test");
        assert_eq!(key["livemode"], false);
        assert_eq!(key["scopes"], json!(["contacts:read", "tasks:write"]));
        assert_eq!((key["budget_usd_cents"].clone(), key["budget_period"].clone()), (json!(500), json!("daily")));
        assert_eq!(key["response_url"], json!(null));
        let me = s.call("GET", "/v1/members", &owner, None).await.json()["data"][0]["id"].clone();
        assert_eq!(key["member_id"], me, "the key belongs to the member who made it");

        // Shown once: the list and the key itself carry neither secret.
        let listed = s.call("GET", "/v1/api-keys", &owner, None).await.json();
        let row = listed["data"].as_array().unwrap().iter().find(|k| k["id"] == id.as_str()).unwrap().clone();
        assert!(row.get("key").is_none() && row.get("signing_secret").is_none());
        let read = s.call("GET", &format!("/v1/api-keys/{id}"), &owner, None).await.json();
        assert!(read.get("key").is_none());
        let usage = &read["usage"];
        assert_eq!((usage["spent_cents"].as_f64(), usage["requests"].as_i64(), usage["tasks"].as_i64()), (Some(0.0), Some(0), Some(0)));
        assert_eq!(usage["period"], "daily");
        assert_eq!(usage["remaining_cents"].as_f64(), Some(500.0));
        assert!(usage["resets_at"].as_str().unwrap().ends_with("T00:00:00.000Z"), "{usage}");

        // The key works, within its scopes.
        let sk = key["key"].as_str().unwrap();
        assert_eq!(s.call("GET", "/v1/contacts", sk, None).await.status, 200);
        let denied = s.call("POST", "/v1/contacts", sk, Some(json!({"name": "X"}))).await;
        assert_eq!((denied.status, denied.code().as_str()), (403, "FORBIDDEN"));

        let updated = s.call("PUT", &format!("/v1/api-keys/{id}"), &owner, Some(json!({
            "label": "CRM sync", "scopes": ["write"], "response_url": "http://crm.example.com/confab",
            "budget_usd_cents": null, "budget_period": "total"
        }))).await;
        assert_eq!(updated.status, 200, "{}", updated.text);
        let updated = updated.json();
        assert_eq!(updated["label"], "CRM sync");
        assert_eq!(updated["scopes"], json!(["write"]));
        assert_eq!(updated["response_url"], "http://crm.example.com/confab");
        assert_eq!((updated["budget_usd_cents"].clone(), updated["budget_period"].clone()), (json!(null), json!("total")));
        assert_eq!(s.call("POST", "/v1/contacts", sk, Some(json!({"name": "Now allowed"}))).await.status, 201);
        // The key's response endpoint is not one of the workspace's webhook endpoints.
        let endpoints = s.call("GET", "/v1/webhook-endpoints", sk, None).await.json();
        assert_eq!(endpoints["data"], json!([]));

        let revoked = s.call("DELETE", &format!("/v1/api-keys/{id}"), &owner, None).await;
        assert_eq!(revoked.status, 200);
        assert!(revoked.json()["revoked_at"].is_string());
        let refused = s.call("GET", "/v1/contacts", sk, None).await;
        assert_eq!((refused.status, refused.code().as_str()), (403, "KEY_REVOKED"));
        let frozen = s.call("PUT", &format!("/v1/api-keys/{id}"), &owner, Some(json!({"label": "again"}))).await;
        assert_eq!(frozen.status, 409);
        assert_eq!(s.call("GET", "/v1/api-keys/key_01JD0000000000000000000000", &owner, None).await.status, 404);
    }
}

both_backends! {
    async fn bad_settings_are_refused_field_by_field(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let bad = |body| { let s = &s; let owner = owner.clone(); async move { s.call("POST", "/v1/api-keys", &owner, Some(body)).await } };
        let r = bad(json!({"label": "x", "scopes": ["contacts:delete"]})).await;
        assert_eq!(r.status, 422);
        assert!(r.json()["error"]["fields"]["scopes"][0].as_str().unwrap().contains("contacts:delete"));
        let r = bad(json!({"label": "x", "mode": "live", "response_url": "http://example.com/hook"})).await;
        assert_eq!(r.status, 422, "live keys need https");
        assert!(r.json()["error"]["fields"]["response_url"].is_array());
        let r = bad(json!({"label": "x", "mode": "test", "response_url": "http://127.0.0.1:9/hook"})).await;
        assert_eq!(r.status, 422, "private addresses are refused unless the operator allows them");
        let r = bad(json!({"label": "x", "budget_usd_cents": -5})).await;
        assert!(r.json()["error"]["fields"]["budget_usd_cents"].is_array());
        let r = bad(json!({"label": "x", "budget_period": "weekly"})).await;
        assert_eq!(r.status, 422);
        let r = bad(json!({"scopes": []})).await;
        assert_eq!(r.json()["error"]["fields"]["label"][0], "is required");
        let r = bad(json!({"label": "x", "colour": "red"})).await;
        assert_eq!(r.status, 422);
    }
}

both_backends! {
    async fn agents_cannot_manage_keys_and_keys_hand_out_only_what_they_hold(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let agent = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana", "email": "ana@example.com", "role": "agent"}))).await.json();
        let agent_token = s.call("POST", &format!("/v1/members/{}/tokens", agent["id"].as_str().unwrap()), &owner, None).await.json()["token"].as_str().unwrap().to_owned();
        let denied = s.call("POST", "/v1/api-keys", &agent_token, Some(json!({"label": "mine"}))).await;
        assert_eq!((denied.status, denied.code().as_str()), (403, "FORBIDDEN"));
        assert_eq!(s.call("GET", "/v1/api-keys", &agent_token, None).await.status, 403);

        // A key with keys:write makes keys for its own member, in its own mode, within its scopes.
        let manager = s.task_caller(json!({"label": "key manager", "mode": "test", "scopes": ["keys:write", "contacts:write"]})).await;
        let made = s.call("POST", "/v1/api-keys", &manager.key, Some(json!({"label": "reader", "scopes": ["contacts:read"]}))).await;
        assert_eq!(made.status, 201, "{}", made.text);
        let made = made.json();
        let members = s.call("GET", "/v1/members", &owner, None).await.json();
        let me = members["data"].as_array().unwrap().iter().find(|m| m["role"] == "owner").unwrap()["id"].clone();
        assert_eq!(made["member_id"], me, "a key-made key belongs to the making key's member");
        assert_eq!(made["mode"], "test");
        let wider = s.call("POST", "/v1/api-keys", &manager.key, Some(json!({"label": "wider", "scopes": ["tasks:write"]}))).await;
        assert_eq!(wider.status, 422, "{}", wider.text);
        let full = s.call("POST", "/v1/api-keys", &manager.key, Some(json!({"label": "full"}))).await;
        assert_eq!(full.status, 422, "a limited key cannot make a full-access key");
        let live = s.call("POST", "/v1/api-keys", &manager.key, Some(json!({"label": "live", "mode": "live", "scopes": ["contacts:read"]}))).await;
        assert_eq!((live.status, live.code().as_str()), (403, "FORBIDDEN"));
        // It sees only its own mode's keys.
        let listed = s.call("GET", "/v1/api-keys?limit=100", &manager.key, None).await.json();
        assert!(listed["data"].as_array().unwrap().iter().all(|k| k["mode"] == "test"));
        // A key without a keys scope may not.
        let reader = made["key"].as_str().unwrap();
        let denied = s.call("GET", "/v1/api-keys", reader, None).await;
        assert_eq!((denied.status, denied.code().as_str()), (403, "FORBIDDEN"));
    }
}
