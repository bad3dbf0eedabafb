//! Tasks are kept 24 hours: then `GET` answers 404, a task still queued fails as
//! expired, and the cleaner removes them.

use confab_testkit::{TestServer, both_backends};
use serde_json::json;

const DAY_MS: i64 = 24 * 3600 * 1000;

both_backends! {
    async fn a_task_is_gone_after_24_hours(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let id = s.task(&me, json!({"message": "Find all contacts from London"})).await;
        let task = s.finished_task(&me, &id).await;
        assert_eq!(task["status"], "resolved");
        let created = confab_core::Timestamp::parse_rfc3339(task["created_at"].as_str().unwrap()).unwrap();
        let expires = confab_core::Timestamp::parse_rfc3339(task["expires_at"].as_str().unwrap()).unwrap();
        assert_eq!(expires.millis() - created.millis(), DAY_MS);

        // A task queued now but not run in time fails as expired.
        let late = s.task(&me, json!({"message": "Find all contacts from Paris"})).await;
        s.app.clock.advance(DAY_MS - 60_000);
        assert_eq!(s.get_task(&me, &id).await.status, 200, "still there a minute before");
        s.app.clock.advance(60_000);
        let gone = s.get_task(&me, &id).await;
        assert_eq!((gone.status, gone.code().as_str()), (404, "NOT_FOUND"));
        assert!(gone.json()["error"]["message"].as_str().unwrap().contains("24 hours"));

        assert_eq!(s.run_tasks().await, 1);
        let failed = s.events_of("task.failed").await;
        assert_eq!(failed[0]["data"]["id"], late.as_str());
        assert_eq!(failed[0]["data"]["error"]["code"], "EXPIRED");

        // The cleaner deletes expired tasks and their turns.
        assert_eq!(confab_app::tasks::purge_expired(&s.app).await.unwrap(), 2);
        s.app.clock.advance(-2 * DAY_MS);
        assert_eq!(s.get_task(&me, &id).await.status, 404, "deleted, not just hidden");
    }
}

both_backends! {
    async fn a_task_interrupted_again_and_again_fails_instead_of_looping(backend) {
        let s = TestServer::start(backend).await;
        let me = s.task_caller(json!({"label": "tasks", "mode": "test"})).await;
        let id = s.task(&me, json!({"message": "Find all contacts from London"})).await;
        // Three runs that never finished (a crash each time): claimed, then the lease ran out.
        for _ in 0..3 {
            let mut tx = s.app.store.system().await.unwrap();
            let claimed = confab_store::jobs::claim(&mut tx, &[confab_app::core::job::JobKind::Task], s.app.clock.now(), 60_000).await.unwrap();
            tx.commit().await.unwrap();
            assert!(claimed.is_some());
            s.app.clock.advance(61_000);
        }
        assert_eq!(s.run_tasks().await, 1);
        let task = s.get_task(&me, &id).await.json();
        assert_eq!(task["status"], "failed", "{task}");
        assert_eq!(task["error"]["code"], "INTERNAL");
        assert_eq!(s.run_tasks().await, 0, "the job is closed");
    }
}
