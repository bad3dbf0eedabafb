//! `POST /v1/tasks` refuses each bad request with its own code, and accepts a good one
//! with 202.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

both_backends! {
    async fn every_failure_has_its_code(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let body = json!({"message": "Find all contacts from London"});
        let expect = |r: confab_testkit::Response, status: u16, code: &str| {
            assert_eq!((r.status, r.code()), (status, code.to_owned()), "{}", r.text);
            assert!(r.json()["error"]["request_id"].as_str().unwrap().starts_with("req_"));
        };

        // The member token: missing, made up, or a key in its place.
        expect(s.post_task(None, Some(&me.key), &body).await, 401, "UNAUTHENTICATED");
        expect(s.post_task(Some("mt_notarealtoken"), Some(&me.key), &body).await, 401, "UNAUTHENTICATED");
        expect(s.post_task(Some(&me.key), Some(&me.key), &body).await, 401, "UNAUTHENTICATED");
        // The key: missing, made up, or not a secret key.
        expect(s.post_task(Some(&me.token), None, &body).await, 401, "INVALID_API_KEY");
        expect(s.post_task(Some(&me.token), Some("sk_test_doesnotexist"), &body).await, 401, "INVALID_API_KEY");
        expect(s.post_task(Some(&me.token), Some(&s.creds.test_site_key), &body).await, 401, "INVALID_API_KEY");

        // Another member's key.
        let owner = s.creds.owner_token.clone();
        let ana = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Ana", "email": "ana@example.com", "role": "admin"}))).await.json();
        let ana_token = s.call("POST", &format!("/v1/members/{}/tokens", ana["id"].as_str().unwrap()), &owner, None).await.json()["token"].as_str().unwrap().to_owned();
        let ana_key = s.call("POST", "/v1/api-keys", &ana_token, Some(json!({"label": "Ana's", "mode": "test"}))).await.json();
        let ana_key = ana_key["key"].as_str().unwrap();
        expect(s.post_task(Some(&me.token), Some(ana_key), &body).await, 403, "KEY_OWNER_MISMATCH");
        expect(s.post_task(Some(&ana_token), Some(&me.key), &body).await, 403, "KEY_OWNER_MISMATCH");
        assert_eq!(s.post_task(Some(&ana_token), Some(ana_key), &body).await.status, 202);

        // The message: too long, or empty.
        let long = json!({"message": "x".repeat(10_001)});
        let r = s.post_task(Some(&me.token), Some(&me.key), &long).await;
        assert_eq!((r.status, r.code().as_str()), (422, "VALIDATION_FAILED"));
        assert!(r.json()["error"]["fields"]["message"][0].as_str().unwrap().contains("10000"));
        assert_eq!(s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "x".repeat(10_000)})).await.status, 202);
        let r = s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "  "})).await;
        assert_eq!(r.status, 422);
        let r = s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "hi", "context": {"entity_type": "contact", "entity_id": "cnv_01JD0000000000000000000000"}})).await;
        assert!(r.json()["error"]["fields"]["context.entity_id"].is_array(), "{}", r.text);

        // A key whose scopes do not include tasks.
        let narrow = s.task_caller(json!({"label": "narrow", "mode": "test", "scopes": ["contacts:read"]})).await;
        expect(s.post_task(Some(&narrow.token), Some(&narrow.key), &body).await, 403, "FORBIDDEN");

        // A budget already spent (a cap of zero): what was spent, the cap, when it resets.
        let broke = s.task_caller(json!({"label": "broke", "mode": "test", "budget_usd_cents": 0, "budget_period": "daily"})).await;
        let r = s.post_task(Some(&broke.token), Some(&broke.key), &body).await;
        expect(r, 429, "BUDGET_EXCEEDED");
        let r = s.post_task(Some(&broke.token), Some(&broke.key), &body).await;
        let message = r.json()["error"]["message"].as_str().unwrap().to_owned();
        let tomorrow = confab_core::budget::BudgetPeriod::Daily.window(s.app.clock.now()).resets_at.unwrap();
        assert_eq!(
            message,
            format!("This API key has spent 0 cents of its 0-cent daily budget; it resets at {}.", tomorrow.to_rfc3339())
        );

        // A revoked key (checked before whose it is).
        assert_eq!(s.call("DELETE", &format!("/v1/api-keys/{}", me.key_id), &owner, None).await.status, 200);
        expect(s.post_task(Some(&me.token), Some(&me.key), &body).await, 403, "KEY_REVOKED");
    }
}

both_backends! {
    async fn a_good_request_is_accepted_and_readable_only_with_its_key(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let r = s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "Find all contacts from London", "metadata": {"ticket": "T-1"}})).await;
        assert_eq!(r.status, 202, "{}", r.text);
        let accepted = r.json();
        let id = accepted["id"].as_str().unwrap().to_owned();
        assert!(id.starts_with("tsk_"));
        assert_eq!(accepted["status"], "accepted");
        assert!(accepted["message"].as_str().unwrap().contains(&format!("GET /v1/tasks/{id}")));

        let task = s.get_task(&me, &id).await.json();
        assert_eq!(task["status"], "open");
        assert_eq!(task["turns"][0]["role"], "user");
        assert_eq!(task["turns"][0]["payload"]["message"], "Find all contacts from London");
        assert_eq!(task["metadata"], json!({"ticket": "T-1"}));
        assert_eq!(task["webhook"]["status"], "none", "the key has no response_url");
        assert_eq!(task["cost_cents"].as_f64(), Some(0.0));

        // Another key of the same member does not see it; neither does a plain key.
        let other = s.task_caller(json!({"label": "other", "mode": "test"})).await;
        assert_eq!(s.get_task(&other, &id).await.status, 404);
        let plain = s.call("GET", &format!("/v1/tasks/{id}"), s.sk(), None).await;
        assert_eq!((plain.status, plain.code().as_str()), (401, "UNAUTHENTICATED"));

        // The same Idempotency-Key replays the acceptance, not a second task.
        let headers = [("content-type", "application/json"), ("x-api-key", me.key.as_str()), ("idempotency-key", "task-1")];
        let body = serde_json::to_vec(&json!({"message": "Find all contacts from Paris"})).unwrap();
        let first = s.send("POST", "/v1/tasks", Some(&me.token), &headers, Some(body.clone())).await;
        let again = s.send("POST", "/v1/tasks", Some(&me.token), &headers, Some(body)).await;
        assert_eq!(first.text, again.text);
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
        assert_eq!(s.run_tasks().await, 2);
    }
}

both_backends! {
    async fn a_task_whose_key_is_revoked_before_it_runs_fails(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "short-lived", "mode": "test"})).await;
        let id = s.task(&me, json!({"message": "Find all contacts from London"})).await;
        let revoked = s.call("DELETE", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, None).await;
        assert_eq!(revoked.status, 200);
        assert_eq!(s.run_tasks().await, 1);
        let failed = s.events_of("task.failed").await;
        assert_eq!(failed[0]["data"]["id"], id.as_str());
        assert_eq!(failed[0]["data"]["error"]["code"], "KEY_REVOKED");
        let read = s.get_task(&me, &id).await;
        assert_eq!((read.status, read.code().as_str()), (403, "KEY_REVOKED"));
    }
}
