//! Task gateway fixtures: keys made through the API, task requests with both
//! credentials, and a worker the test drives step by step.

use serde_json::Value;

use crate::server::{Response, TestServer};

/// A member's credentials for `/v1/tasks`: their token and one of their keys.
#[derive(Clone, Debug)]
pub struct TaskCaller {
    pub token: String,
    pub key: String,
    pub key_id: String,
    /// The key's `whsec_…` secret, which signs task results.
    pub signing_secret: String,
}

impl TestServer {
    /// Creates a secret key with the owner's token (`body` is the create request) and
    /// returns the owner as a task caller with it.
    pub async fn task_caller(&self, body: Value) -> TaskCaller {
        let owner = self.creds.owner_token.clone();
        let r = self.call("POST", "/v1/api-keys", &owner, Some(body)).await;
        assert_eq!(r.status, 201, "create API key: {}", r.text);
        let key = r.json();
        TaskCaller {
            token: owner,
            key: key["key"].as_str().expect("key shown once").to_owned(),
            key_id: key["id"].as_str().expect("id").to_owned(),
            signing_secret: key["signing_secret"]
                .as_str()
                .expect("signing secret shown once")
                .to_owned(),
        }
    }

    /// `POST /v1/tasks` with a member token and an `X-Api-Key` (either may be absent).
    pub async fn post_task(
        &self,
        token: Option<&str>,
        key: Option<&str>,
        body: &Value,
    ) -> Response {
        let mut headers = vec![("content-type", "application/json")];
        if let Some(k) = key {
            headers.push(("x-api-key", k));
        }
        self.send(
            "POST",
            "/v1/tasks",
            token,
            &headers,
            Some(serde_json::to_vec(body).expect("json")),
        )
        .await
    }

    /// Queues a task as `caller` and returns its id (asserting 202).
    pub async fn task(&self, caller: &TaskCaller, body: Value) -> String {
        let r = self
            .post_task(Some(&caller.token), Some(&caller.key), &body)
            .await;
        assert_eq!(r.status, 202, "create task: {}", r.text);
        r.json()["id"].as_str().expect("task id").to_owned()
    }

    /// `GET /v1/tasks/{id}` as `caller`.
    pub async fn get_task(&self, caller: &TaskCaller, id: &str) -> Response {
        self.send(
            "GET",
            &format!("/v1/tasks/{id}"),
            Some(&caller.token),
            &[("x-api-key", caller.key.as_str())],
            None,
        )
        .await
    }

    /// Runs the task worker until no task is due; returns how many ran.
    pub async fn run_tasks(&self) -> usize {
        let mut n = 0;
        while confab_app::tasks::worker::process_next(&self.app)
            .await
            .expect("task worker")
        {
            n += 1;
        }
        n
    }

    /// Runs the due tasks and returns the task as `GET /v1/tasks/{id}` shows it.
    pub async fn finished_task(&self, caller: &TaskCaller, id: &str) -> Value {
        self.run_tasks().await;
        let r = self.get_task(caller, id).await;
        assert_eq!(r.status, 200, "get task: {}", r.text);
        r.json()
    }
}
