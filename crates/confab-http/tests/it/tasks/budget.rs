//! Budgets: a cap that runs out in the middle of a task, and many tasks at once that
//! cannot overspend by more than one action's price.

use confab_app::core::money::Microcents;
use confab_http::HttpConfig;
use confab_testkit::{TestBackend, TestServer, both_backends};
use serde_json::json;

/// A server whose task agent charges a whole cent per action.
async fn a_cent_an_action(backend: TestBackend, concurrency: usize) -> TestServer {
    TestServer::start_configured(backend, HttpConfig::default(), |c| {
        c.tasks.prices.action = Microcents::from_cents(1);
        c.tasks.concurrency = concurrency;
    })
    .await
}

both_backends! {
    async fn a_budget_that_runs_out_mid_way_stops_the_task_before_the_next_action(backend) {
        let s = a_cent_an_action(backend, 1).await;
        let me = s.task_caller(json!({"label": "tight", "mode": "test", "budget_usd_cents": 1, "budget_period": "daily"})).await;
        let id = s.task(&me, json!({"message": "Create a contact for John Smith at Acme Corp, john@acme.com, +44 7700 900000"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "failed", "{task}");
        assert_eq!(task["error"]["code"], "BUDGET_EXCEEDED");
        let tomorrow = confab_core::budget::BudgetPeriod::Daily.window(s.app.clock.now()).resets_at.unwrap();
        assert_eq!(
            task["error"]["message"],
            format!("This API key has spent 1 cent of its 1-cent daily budget; it resets at {}.", tomorrow.to_rfc3339())
        );
        // The search ran and was paid; the create was refused and never ran.
        let actions: Vec<&serde_json::Value> = task["turns"].as_array().unwrap().iter().filter(|t| t["payload"]["type"] == "action").collect();
        assert_eq!(actions.len(), 2);
        assert_eq!((actions[0]["payload"]["tool"].as_str(), actions[0]["payload"]["cost_cents"].as_f64()), (Some("search_contacts"), Some(1.0)));
        assert_eq!(actions[1]["payload"]["tool"], "create_contact");
        assert_eq!(actions[1]["payload"]["error"]["code"], "BUDGET_EXCEEDED");
        assert_eq!(task["cost_cents"].as_f64(), Some(1.0));
        assert_eq!(s.call("GET", "/v1/contacts", s.sk(), None).await.json()["data"], json!([]));

        // The key's usage says so, and the next task is refused at the door.
        let key = s.call("GET", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, None).await.json();
        let usage = &key["usage"];
        assert_eq!((usage["spent_cents"].as_f64(), usage["requests"].as_i64(), usage["tasks"].as_i64()), (Some(1.0), Some(1), Some(1)));
        assert_eq!(usage["remaining_cents"].as_f64(), Some(0.0));
        let r = s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "Find all contacts from London"})).await;
        assert_eq!((r.status, r.code().as_str()), (429, "BUDGET_EXCEEDED"));
        assert!(r.json()["error"]["message"].as_str().unwrap().contains("spent 1 cent of its 1-cent daily budget"));

        // Raising the cap lets work resume; a daily cap starts again tomorrow.
        let raised = s.call("PUT", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, Some(json!({"budget_usd_cents": 3}))).await;
        assert_eq!(raised.status, 200);
        assert_eq!(s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "Find all contacts tagged vip"})).await.status, 202);
        let put_back = s.call("PUT", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, Some(json!({"budget_usd_cents": 1}))).await;
        assert_eq!(put_back.status, 200);
        s.app.clock.advance(24 * 3600 * 1000);
        assert_eq!(s.post_task(Some(&me.token), Some(&me.key), &json!({"message": "Find all contacts tagged vip"})).await.status, 202);
    }
}

both_backends! {
    async fn concurrent_tasks_overspend_by_at_most_one_action(backend) {
        let s = a_cent_an_action(backend, 8).await;
        let me = s.task_caller(json!({"label": "shared", "mode": "test", "budget_usd_cents": 5, "budget_period": "total"})).await;
        // Each of these takes two actions (a city search and a tag search).
        let mut ids = Vec::new();
        for i in 0..12 {
            ids.push(s.task(&me, json!({"message": format!("Find all contacts from City{i}")})).await);
        }
        // Eight workers claim and run them at once.
        let workers: Vec<_> = (0..8)
            .map(|_| {
                let app = s.app.clone();
                tokio::spawn(async move {
                    while confab_app::tasks::worker::process_next(&app).await.expect("task worker") {}
                })
            })
            .collect();
        for w in workers {
            w.await.unwrap();
        }
        let mut total = 0.0;
        let mut failed = 0;
        for id in &ids {
            let task = s.get_task(&me, id).await.json();
            assert!(task["status"] == "resolved" || task["status"] == "failed", "{task}");
            if task["status"] == "failed" {
                assert_eq!(task["error"]["code"], "BUDGET_EXCEEDED");
                failed += 1;
            }
            total += task["cost_cents"].as_f64().unwrap();
        }
        let key = s.call("GET", &format!("/v1/api-keys/{}", me.key_id), &s.creds.owner_token, None).await.json();
        let spent = key["usage"]["spent_cents"].as_f64().unwrap();
        assert_eq!(spent, total, "the key's counter and the tasks' costs agree");
        assert_eq!(key["usage"]["requests"].as_f64(), Some(spent), "one cent per action");
        assert!(spent >= 5.0, "the budget was used up: {spent}");
        assert!(spent < 5.0 + 1.0, "overspent by more than one action: {spent}");
        assert!(failed >= 9, "most tasks were stopped: {failed}");
    }
}
