//! Job leases: a worker renews the lease of the job it runs, so a slow provider keeps
//! its job, and a worker that dies frees it within one lease.

use std::sync::Arc;
use std::time::Duration;

use confab_app::replies::{
    AgentEngine, Reply, ReplyEngine, ReplyError, ReplyRequest, process_next,
};
use confab_app::responder::Answer;
use confab_http::HttpConfig;
use confab_testkit::{TestBackend, TestServer, both_backends};
use futures::future::BoxFuture;
use serde_json::json;
use tokio::sync::Notify;

/// An engine that answers only when told to, and says when it was asked.
#[derive(Default)]
struct Held {
    asked: Notify,
    release: Notify,
}

impl ReplyEngine for Held {
    fn reply<'a>(&'a self, _: ReplyRequest<'a>) -> BoxFuture<'a, Result<Reply, ReplyError>> {
        Box::pin(async move {
            self.asked.notify_one();
            self.release.notified().await;
            Ok(Reply {
                answer: Answer {
                    text: Some("Sorry for the wait.".into()),
                    ..Answer::default()
                },
                agent_id: None,
            })
        })
    }
}

async fn server(backend: TestBackend) -> TestServer {
    TestServer::start_configured(backend, HttpConfig::default(), |c| c.job_lease_ms = 300).await
}

async fn ai_replies(s: &TestServer, conversation: &str) -> usize {
    s.messages(conversation)
        .await
        .iter()
        .filter(|m| m["role"] == "ai")
        .count()
}

both_backends! {
    async fn a_running_job_keeps_its_lease_and_a_dead_workers_job_is_taken_over(backend) {
        let s = server(backend).await;
        let c = s.conversation(json!({"message": {"text": "Is anyone there?"}})).await;
        let id = c["id"].as_str().unwrap().to_owned();

        // A slow answer: three leases pass while the engine works.
        let held = Arc::new(Held::default());
        let running = tokio::spawn({
            let (app, held) = (s.app.clone(), held.clone());
            async move { process_next(&app, held.as_ref()).await }
        });
        held.asked.notified().await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        let other = AgentEngine::new(s.app.clone());
        assert!(!process_next(&s.app, &other).await.unwrap(), "the renewed lease keeps the job");
        held.release.notify_one();
        assert!(running.await.unwrap().unwrap());
        assert_eq!(ai_replies(&s, &id).await, 1);

        // The next job's worker dies mid-answer: its lease is no longer renewed.
        s.call("POST", &format!("/v1/conversations/{id}/messages"), s.sk(),
            Some(json!({"role": "customer", "text": "Hello again?"}))).await;
        let dying = tokio::spawn({
            let (app, held) = (s.app.clone(), held.clone());
            async move { process_next(&app, held.as_ref()).await }
        });
        held.asked.notified().await;
        dying.abort();
        let _ = dying.await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(process_next(&s.app, &other).await.unwrap(), "taken over after one lease");
        assert_eq!(ai_replies(&s, &id).await, 2);
    }
}
