//! `/v1/webhook-endpoints`: create, read, update, delete, rotate; what is refused.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn endpoints_are_created_read_updated_and_deleted(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("POST", "/v1/webhook-endpoints", s.sk(), Some(json!({
            "url": "https://hooks.example.com/confab",
            "events": ["message.received", "handoff.requested", "message.received"],
            "description": "CRM sync",
            "auto_recover": true,
        }))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let created = r.json();
        let id = created["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("we_"));
        assert_eq!(created["object"], "webhook_endpoint");
        assert_eq!(created["events"], json!(["message.received", "handoff.requested"]));
        assert_eq!(created["enabled"], true);
        assert_eq!(created["auto_recover"], true);
        assert_eq!(created["livemode"], false);
        assert!(created["secret"].as_str().unwrap().starts_with("whsec_"));

        let got = s.call("GET", &format!("/v1/webhook-endpoints/{id}"), s.sk(), None).await.json();
        assert!(got.get("secret").is_none(), "{got}");
        assert_eq!(got["description"], "CRM sync");
        let listed = s.call("GET", "/v1/webhook-endpoints", s.sk(), None).await.json();
        assert_eq!(listed["data"][0]["id"], id.as_str());
        assert!(listed["data"][0].get("secret").is_none());

        let patched = s.call("PATCH", &format!("/v1/webhook-endpoints/{id}"), s.sk(), Some(json!({
            "events": ["*"], "description": null, "enabled": false,
        }))).await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        let patched = patched.json();
        assert_eq!(patched["events"], json!(["*"]));
        assert!(patched["description"].is_null());
        assert_eq!(patched["enabled"], false);
        assert_eq!(patched["url"], "https://hooks.example.com/confab");

        let test = s.call("POST", &format!("/v1/webhook-endpoints/{id}/test"), s.sk(), None).await;
        assert_eq!((test.status, test.code().as_str()), (409, "CONFLICT"), "a disabled endpoint cannot be tested");

        let deleted = s.call("DELETE", &format!("/v1/webhook-endpoints/{id}"), s.sk(), None).await;
        assert_eq!(deleted.status, 200);
        assert_eq!(deleted.json(), json!({"id": id, "object": "webhook_endpoint", "deleted": true, "livemode": false}));
        assert_eq!(s.call("GET", &format!("/v1/webhook-endpoints/{id}"), s.sk(), None).await.status, 404);
    }
}

both_backends! {
    async fn bad_endpoints_are_refused_with_the_field_at_fault(backend) {
        let s = TestServer::start(backend).await;
        let refuse = |key: String, body: serde_json::Value| {
            let s = &s;
            async move {
                let r = s.call("POST", "/v1/webhook-endpoints", &key, Some(body)).await;
                assert_eq!((r.status, r.code().as_str()), (422, "VALIDATION_FAILED"), "{}", r.text);
                r.json()["error"]["fields"].clone()
            }
        };
        let sk = s.sk().to_owned();
        let live = s.creds.live_secret_key.clone();
        let fields = refuse(sk.clone(), json!({"events": ["*"]})).await;
        assert_eq!(fields["url"][0], "is required");
        let fields = refuse(sk.clone(), json!({"url": "not a url", "events": ["nope.never"]})).await;
        assert!(fields["url"][0].as_str().unwrap().contains("not a valid URL"));
        assert!(fields["events"][0].as_str().unwrap().contains("nope.never"));
        let fields = refuse(sk.clone(), json!({"url": "https://example.com", "events": ["*", "message.sent"]})).await;
        assert!(fields["events"][0].as_str().unwrap().contains("alone"));
        let fields = refuse(sk.clone(), json!({"url": "https://example.com", "events": []})).await;
        assert!(fields.get("events").is_some());
        let fields = refuse(live.clone(), json!({"url": "http://example.com/hook"})).await;
        assert!(fields["url"][0].as_str().unwrap().contains("https"), "live mode needs https: {fields}");
        // Test mode takes plain http.
        assert_eq!(s.call("POST", "/v1/webhook-endpoints", &sk, Some(json!({"url": "http://example.com/hook"}))).await.status, 201);
        // Private, loopback, link-local and metadata addresses are refused by default.
        for url in ["http://127.0.0.1:8080/", "http://169.254.169.254/latest/meta-data", "https://[fd00::1]/", "http://10.0.0.5/", "http://0.0.0.0/", "http://100.64.1.1/"] {
            let fields = refuse(sk.clone(), json!({"url": url})).await;
            assert!(fields["url"][0].as_str().unwrap().contains("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS"), "{url}: {fields}");
        }
        let fields = refuse(sk.clone(), json!({"url": "https://example.com", "description": "x".repeat(501)})).await;
        assert!(fields.get("description").is_some());
        let unknown = s.call("POST", "/v1/webhook-endpoints", &sk, Some(json!({"url": "https://example.com", "colour": "red"}))).await;
        assert_eq!(unknown.status, 422);
        let id = s.endpoint(&sk, json!({"url": "https://example.com"})).await["id"].as_str().unwrap().to_owned();
        let r = s.call("PATCH", &format!("/v1/webhook-endpoints/{id}"), &sk, Some(json!({"url": "http://192.168.0.1/"}))).await;
        assert_eq!(r.status, 422);
        let r = s.call("POST", &format!("/v1/webhook-endpoints/{id}/replay"), &sk, Some(json!({"since": "yesterday"}))).await;
        assert_eq!(r.status, 422);
        let r = s.call("GET", &format!("/v1/webhook-endpoints/{id}/deliveries?status=lost"), &sk, None).await;
        assert_eq!(r.status, 422);
    }
}

both_backends! {
    async fn only_owners_admins_and_webhook_scoped_keys_manage_endpoints(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let agent = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana Agent", "email": "ana@example.com", "role": "agent"}))).await.json();
        let agent_token = s.call("POST", &format!("/v1/members/{}/tokens", agent["id"].as_str().unwrap()), &owner, None).await.json()["token"].as_str().unwrap().to_owned();
        let denied = s.call("POST", "/v1/webhook-endpoints", &agent_token, Some(json!({"url": "https://example.com"}))).await;
        assert_eq!((denied.status, denied.code().as_str()), (403, "FORBIDDEN"));
        assert_eq!(s.call("GET", "/v1/webhook-endpoints", &agent_token, None).await.status, 403);
        let ok = s.call("POST", "/v1/webhook-endpoints", &owner, Some(json!({"url": "https://example.com"}))).await;
        assert_eq!(ok.status, 201, "{}", ok.text);
        assert_eq!(ok.json()["livemode"], true, "member tokens act in live mode");
    }
}

/// The machine's own name, which resolves (hosts file) to one of its own addresses.
async fn own_name_if_private() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()?
        .trim()
        .to_owned();
    let found: Vec<_> = tokio::net::lookup_host((name.as_str(), 0))
        .await
        .ok()?
        .collect();
    let private = !found.is_empty()
        && found
            .iter()
            .all(|a| !confab_webhooks::address::is_public(a.ip()));
    private.then_some(name)
}

both_backends! {
    async fn endpoints_that_could_only_reach_private_addresses_are_refused_when_made(backend) {
        let s = TestServer::start(backend).await;
        let sk = s.sk().to_owned();
        let refused = |r: confab_testkit::Response| {
            assert_eq!((r.status, r.code().as_str()), (422, "VALIDATION_FAILED"), "{}", r.text);
            let message = r.json()["error"]["fields"]["url"][0].as_str().unwrap().to_owned();
            assert!(message.contains("private"), "{message}");
            assert!(message.contains("CONFAB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS"), "{message}");
            message
        };
        for url in ["http://localhost:8080/hook", "http://LOCALHOST./hook", "http://app.localhost/hook"] {
            let message = refused(s.call("POST", "/v1/webhook-endpoints", &sk, Some(json!({"url": url}))).await);
            assert!(message.contains("127.0.0.1"), "{url}: {message}");
        }
        if let Some(name) = own_name_if_private().await {
            let r = s.call("POST", "/v1/webhook-endpoints", &sk, Some(json!({"url": format!("http://{name}:8080/hook")}))).await;
            assert!(refused(r).contains("resolves to"), "{name}");
        }
        // A name that does not resolve (yet) is accepted: every attempt checks again.
        let endpoint = s.endpoint(&sk, json!({"url": "https://hooks.nowhere.invalid/confab"})).await;
        let id = endpoint["id"].as_str().unwrap();
        let path = format!("/v1/webhook-endpoints/{id}");
        refused(s.call("PATCH", &path, &sk, Some(json!({"url": "http://localhost:9000/"}))).await);
        let r = s.call("GET", &path, &sk, None).await;
        assert_eq!(r.json()["url"], "https://hooks.nowhere.invalid/confab", "a refused update changes nothing");
        assert_eq!(s.call("GET", "/v1/webhook-endpoints", &sk, None).await.json()["data"].as_array().unwrap().len(), 1);
    }
}

both_backends! {
    async fn the_operator_may_allow_private_addresses(backend) {
        let s = TestServer::with_webhooks(backend, "0ms").await;
        let sk = s.sk().to_owned();
        let endpoint = s.endpoint(&sk, json!({"url": "http://localhost:8080/hook"})).await;
        let path = format!("/v1/webhook-endpoints/{}", endpoint["id"].as_str().unwrap());
        let r = s.call("PATCH", &path, &sk, Some(json!({"url": "http://10.0.0.5/hook"}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["url"], "http://10.0.0.5/hook");
    }
}
