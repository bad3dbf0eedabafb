//! `PUT/GET /v1/settings/widget` and what the widget reads of them.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

use super::test_call;

both_backends! {
    async fn settings_start_as_defaults_and_the_widget_reads_them(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("GET", "/v1/settings/widget", s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let defaults = r.json();
        assert_eq!(defaults["object"], "widget_settings");
        assert_eq!(defaults["accent_color"], "#4f46e5");
        assert_eq!(defaults["position"], "right");
        assert_eq!(defaults["require_email"], false);
        assert_eq!(defaults["languages"], json!([]));
        assert_eq!(defaults["allowed_origins"], json!([]));
        assert_eq!(defaults["updated_at"], json!(null));
        assert_eq!(defaults["livemode"], false);
        let config = test_call(&s, "GET", "/v1/widget/config", None).await;
        assert_eq!(config.status, 200);
        assert_eq!(config.json(), json!({"greeting": null, "agent_name": null, "accent_color": "#4f46e5",
            "position": "right", "require_email": false, "languages": []}));

        let r = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"greeting": "  Hi there! ", "agent_name": "Sam",
            "accent_color": "#0A7", "position": "left", "require_email": true, "languages": ["EN", "ar", "en"],
            "allowed_origins": ["https://Shop.example.com", "https://*.example.org"]}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let saved = r.json();
        assert_eq!(saved["greeting"], "Hi there!");
        assert_eq!(saved["accent_color"], "#00aa77");
        assert_eq!(saved["languages"], json!(["en", "ar"]));
        assert_eq!(saved["allowed_origins"], json!(["https://shop.example.com", "https://*.example.org"]));
        assert!(saved["updated_at"].is_string());
        assert_eq!(s.call("GET", "/v1/settings/widget", s.sk(), None).await.json(), saved);
        let config = test_call(&s, "GET", "/v1/widget/config", None).await.json();
        assert_eq!(config, json!({"greeting": "Hi there!", "agent_name": "Sam", "accent_color": "#00aa77",
            "position": "left", "require_email": true, "languages": ["en", "ar"]}));

        // Fields left out stay; null clears.
        let r = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"greeting": null}))).await.json();
        assert_eq!(r["greeting"], json!(null));
        assert_eq!(r["agent_name"], "Sam");
        assert_eq!(r["position"], "left");
        // Test-mode settings are not live-mode settings.
        let live = s.call("GET", "/v1/settings/widget", &s.creds.live_secret_key, None).await.json();
        assert_eq!(live["livemode"], true);
        assert_eq!(live["agent_name"], json!(null));
        assert_eq!(live["allowed_origins"], json!([]));
        assert_eq!(live["identity_secret"], saved["identity_secret"], "one identity per workspace");
    }
}

both_backends! {
    async fn bad_settings_are_refused_field_by_field(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"accent_color": "blue",
            "languages": ["english"], "allowed_origins": ["https://shop.example.com/path", "*"],
            "greeting": "x".repeat(501), "agent_name": "y".repeat(101)}))).await;
        assert_eq!(r.status, 422, "{}", r.text);
        let fields = r.json()["error"]["fields"].clone();
        for field in ["accent_color", "languages.0", "allowed_origins.0", "greeting", "agent_name"] {
            assert!(fields[field].is_array(), "{field}: {fields}");
        }
        assert!(fields.get("allowed_origins.1").is_none(), "* is a valid origin");
        let position = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"position": "top"}))).await;
        assert_eq!(position.status, 422);
        assert!(position.json()["error"]["fields"]["position"].is_array());
        let many = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"allowed_origins": (0..51).map(|i| format!("https://s{i}.example.com")).collect::<Vec<_>>()}))).await;
        assert_eq!(many.status, 422);
        let unchanged = s.call("GET", "/v1/settings/widget", s.sk(), None).await.json();
        assert_eq!(unchanged["updated_at"], json!(null), "nothing was saved");
    }
}

both_backends! {
    async fn only_owners_admins_and_scoped_keys_manage_settings(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let member = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana", "email": "ana@example.com", "role": "agent"}))).await.json();
        let token = s.call("POST", &format!("/v1/members/{}/tokens", member["id"].as_str().unwrap()), &owner, None).await.json();
        let agent = token["token"].as_str().unwrap();
        for (method, body) in [("GET", None), ("PUT", Some(json!({"agent_name": "Ana"})))] {
            let r = s.call(method, "/v1/settings/widget", agent, body).await;
            assert_eq!(r.status, 403, "{method}: {}", r.text);
            assert_eq!(r.code(), "FORBIDDEN");
        }
        let r = s.call("PUT", "/v1/settings/widget", &owner, Some(json!({"agent_name": "Owner's pick"}))).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["livemode"], true, "member tokens act in live mode");
        let r = s.call("PUT", "/v1/settings/widget", &s.creds.test_site_key, Some(json!({}))).await;
        assert_eq!(r.status, 401, "a site key cannot change settings");
    }
}

both_backends! {
    async fn unset_words_come_from_the_web_agent(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "Nora", "greeting": "Hello, I am Nora."}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let config = test_call(&s, "GET", "/v1/widget/config", None).await.json();
        assert_eq!(config["agent_name"], "Nora");
        assert_eq!(config["greeting"], "Hello, I am Nora.");
        s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"greeting": "Welcome!"}))).await;
        let config = test_call(&s, "GET", "/v1/widget/config", None).await.json();
        assert_eq!(config["greeting"], "Welcome!");
        assert_eq!(config["agent_name"], "Nora");
    }
}

both_backends! {
    async fn the_settings_show_each_modes_site_key_and_a_new_one_replaces_it(backend) {
        let s = TestServer::start(backend).await;
        let test = s.call("GET", "/v1/settings/widget", s.sk(), None).await.json();
        assert_eq!(test["site_key"], s.creds.test_site_key.as_str(), "the snippet needs the key itself");
        let live = s.call("GET", "/v1/settings/widget", &s.creds.live_secret_key, None).await.json();
        assert_eq!(live["site_key"], s.creds.live_site_key.as_str());

        let r = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"allowed_origins": ["https://shop.example.com"]}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = s.call("POST", "/v1/settings/widget/site-key", s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let replaced = r.json();
        let new_key = replaced["site_key"].as_str().unwrap().to_owned();
        assert!(new_key.starts_with("pk_test_"), "{new_key}");
        assert_ne!(new_key, s.creds.test_site_key);
        assert_eq!(replaced["allowed_origins"], json!(["https://shop.example.com"]), "the origins stay");
        assert_eq!(s.call("GET", "/v1/settings/widget", s.sk(), None).await.json()["site_key"], new_key.as_str());

        let old = test_call(&s, "GET", "/v1/widget/config", None).await;
        assert_eq!(old.status, 401, "the old key stops at once: {}", old.text);
        assert_eq!(old.code(), "INVALID_API_KEY");
        let new = crate::widget::call(&s, &new_key, "GET", "/v1/widget/config", None).await;
        assert_eq!(new.status, 200, "{}", new.text);
        let page = s.send("GET", &format!("/chat/{new_key}"), None, &[], None).await;
        assert_eq!(page.status, 200);

        // The other mode's key is untouched, and an agent may not replace keys.
        let live_config = crate::widget::call(&s, &s.creds.live_site_key, "GET", "/v1/widget/config", None).await;
        assert_eq!(live_config.status, 200, "{}", live_config.text);
        let member = s.call("POST", "/v1/members", &s.creds.owner_token, Some(json!({"name": "Ana", "email": "ana@example.com", "role": "agent"}))).await.json();
        let token = s.call("POST", &format!("/v1/members/{}/tokens", member["id"].as_str().unwrap()), &s.creds.owner_token, None).await.json();
        let r = s.call("POST", "/v1/settings/widget/site-key", token["token"].as_str().unwrap(), None).await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
}
