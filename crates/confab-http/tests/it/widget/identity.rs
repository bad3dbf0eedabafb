//! Identity verification: `external_id` with `user_hash` = hex HMAC-SHA256 of the
//! external id keyed with the workspace's identity secret.

use confab_core::widget::user_hash;
use confab_testkit::{TestServer, both_backends};
use serde_json::json;

use super::{next_window, start, test_call, token};

async fn identity_secret(s: &TestServer) -> String {
    let r = s.call("GET", "/v1/settings/widget", s.sk(), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json()["identity_secret"].as_str().unwrap().to_owned()
}

both_backends! {
    async fn a_verified_visitor_is_the_business_s_own_user(backend) {
        let s = TestServer::start(backend).await;
        let secret = identity_secret(&s).await;
        assert!(secret.starts_with("whsec_"));
        let known = s.contact(json!({"name": "Maya Known", "external_id": "user-42", "email": "maya@corp.example"})).await;
        let hash = user_hash(&secret, "user-42");
        let r = test_call(&s, "POST", "/v1/widget/conversations", Some(json!({"name": "Maya", "message": "hi",
            "visitor_token": token(), "external_id": "user-42", "user_hash": hash}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.json()["conversation_id"].as_str().unwrap().to_owned();
        let c = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json();
        assert_eq!(c["contact"]["id"], known["id"], "linked to the known user");

        // Upper-case hex verifies too; a wrong hash, or one half of the pair, does not.
        let upper = test_call(&s, "POST", "/v1/widget/conversations", Some(json!({"name": "Maya", "message": "hi",
            "visitor_token": token(), "external_id": "user-42", "user_hash": hash.to_uppercase()}))).await;
        assert_eq!(upper.status, 201);
        for (body, field) in [
            (json!({"external_id": "user-42", "user_hash": user_hash(&secret, "user-43")}), "user_hash"),
            (json!({"external_id": "user-42", "user_hash": user_hash("whsec_guess", "user-42")}), "user_hash"),
            (json!({"external_id": "user-42"}), "user_hash"),
            (json!({"user_hash": hash}), "external_id"),
        ] {
            let mut body = body;
            body["name"] = json!("Mallory");
            body["message"] = json!("I am user-42");
            body["visitor_token"] = json!(token());
            next_window(&s);
            let r = test_call(&s, "POST", "/v1/widget/conversations", Some(body)).await;
            assert_eq!(r.status, 422, "{}", r.text);
            assert!(r.json()["error"]["fields"][field].is_array(), "{field}: {}", r.text);
        }
        next_window(&s);
        let wrong = test_call(&s, "POST", "/v1/widget/conversations", Some(json!({"name": "M", "message": "m",
            "visitor_token": token(), "external_id": "user-42", "user_hash": "00"}))).await;
        assert!(wrong.json()["error"]["fields"]["user_hash"][0].as_str().unwrap().contains("HMAC-SHA256"));
        let conversations = s.call("GET", &format!("/v1/conversations?contact_id={}", known["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(conversations["data"].as_array().unwrap().len(), 2, "the refused visitors got nothing");

        // Typing a known user's email without verification does not make you them: a
        // lead of your own, with the email you typed kept on the conversation.
        next_window(&s);
        let impostor = test_call(&s, "POST", "/v1/widget/conversations", Some(json!({"name": "Mallory",
            "email": "maya@corp.example", "message": "reset my password", "visitor_token": token()}))).await;
        assert_eq!(impostor.status, 201, "{}", impostor.text);
        let c = s.call("GET", &format!("/v1/conversations/{}", impostor.json()["conversation_id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_ne!(c["contact"]["id"], known["id"]);
        assert_eq!(c["contact"]["name"], "Mallory");
        assert_eq!(c["contact"]["email"], json!(null));
        assert_eq!(c["metadata"]["claimed_email"], "maya@corp.example");
    }
}

both_backends! {
    async fn identify_links_a_conversation_that_started_anonymously(backend) {
        let s = TestServer::start(backend).await;
        let secret = identity_secret(&s).await;
        // Maya chatted as a lead before; now the host page signs her in.
        let (visitor, started) = start(&s, "hello").await;
        let id = started["conversation_id"].as_str().unwrap();
        let lead = s.call("GET", &format!("/v1/conversations/{id}"), s.sk(), None).await.json()["contact"].clone();
        let path = format!("/v1/widget/conversations/{visitor}/identify");
        let bad = test_call(&s, "POST", &path, Some(json!({"external_id": "user-7", "user_hash": "nope"}))).await;
        assert_eq!(bad.status, 422);
        let missing = test_call(&s, "POST", &path, Some(json!({}))).await;
        assert_eq!(missing.status, 422);
        assert!(missing.json()["error"]["fields"]["external_id"].is_array());
        let r = test_call(&s, "POST", &path, Some(json!({"external_id": "user-7",
            "user_hash": user_hash(&secret, "user-7"), "email": "maya@example.com"}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["id"], id);
        // The lead with her email becomes the known user: same contact, now with the id.
        let contact = s.call("GET", &format!("/v1/contacts/{}", lead["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(contact["external_id"], "user-7");
        assert_eq!(s.events_of("contact.updated").await.len(), 1);

        // Another signed-in user on a fresh conversation gets their own contact, even
        // when they type an email someone else holds.
        let (other, started) = start(&s, "hi again").await;
        let r = test_call(&s, "POST", &format!("/v1/widget/conversations/{other}/identify"), Some(json!({"external_id": "user-8",
            "user_hash": user_hash(&secret, "user-8"), "name": "Sam"}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let c = s.call("GET", &format!("/v1/conversations/{}", started["conversation_id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(c["contact"]["name"], "Sam");
        assert_ne!(c["contact"]["id"], lead["id"]);
        let unknown = test_call(&s, "POST", &format!("/v1/widget/conversations/{}/identify", token()), Some(json!({"external_id": "user-7",
            "user_hash": user_hash(&secret, "user-7")}))).await;
        assert_eq!(unknown.status, 404);
    }
}
