//! How a task ends. The final status, the answer's turn, the `task.resolved` or
//! `task.failed` event (with its deliveries to subscribed endpoints), the delivery of
//! the result to the key's `response_url`, and the job's completion commit together,
//! once: a second finish finds the task final and writes nothing.

use serde_json::{Value, json};

use confab_core::event::EventType;
use confab_core::task::{TaskError, TaskStatus, TaskWebhook, TaskWebhookStatus, TurnRole};
use confab_store::jobs::{self, Job};
use confab_store::tasks::{self, TaskRow};
use confab_store::webhook_endpoints;

use crate::{App, AppError, AppResult, Uow};

/// What a task produced: an answer for people and the records it touched.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub text: String,
    pub data: Value,
}

/// Why a task stopped early: a failure to report (the task fails with it), or an
/// internal error (the job is tried again).
#[derive(Debug)]
pub(crate) enum Stop {
    Failed(TaskError),
    Internal(AppError),
}

impl Stop {
    pub fn failed(code: &str, message: &str) -> Stop {
        Stop::Failed(TaskError {
            code: code.to_owned(),
            message: message.to_owned(),
        })
    }
}

impl From<AppError> for Stop {
    fn from(err: AppError) -> Stop {
        match err {
            AppError::Client { code, message, .. } => Stop::Failed(TaskError {
                code: code.as_str().to_owned(),
                message,
            }),
            internal @ AppError::Internal(_) => Stop::Internal(internal),
        }
    }
}

/// Writes the end of `task`: resolved with `response`, or failed with the error.
pub(crate) async fn finish(
    app: &App,
    job: &Job,
    task: &TaskRow,
    result: Result<Response, TaskError>,
) -> AppResult<()> {
    let tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    let mut uow = Uow::new(tx, app.clock.now(), None, app);
    let now = uow.now;
    let (response, error, last_turn) = match &result {
        Ok(r) => {
            let response = json!({"text": r.text, "data": r.data});
            (
                Some(response),
                None,
                json!({"type": "answer", "text": r.text}),
            )
        }
        Err(e) => (
            None,
            Some(e.clone()),
            json!({"type": "failure", "code": e.code, "message": e.message}),
        ),
    };
    if !tasks::finish(uow.tx(), &task.id, response.as_ref(), error.as_ref(), now).await? {
        // Finished already (a job that ran twice): leave it as it is.
        drop(uow);
        return complete(app, job).await;
    }
    tasks::add_turn(uow.tx(), &task.id, TurnRole::Agent, &last_turn, now).await?;
    let finished = tasks::get(uow.tx(), &task.id)
        .await?
        .ok_or_else(|| AppError::Internal(format!("task {} vanished", task.id)))?;
    let event_type = match finished.status {
        TaskStatus::Resolved => EventType::TaskResolved,
        _ => EventType::TaskFailed,
    };
    let event = uow.emit(event_type, event_data(&finished), None).await?;
    let delivery = match webhook_endpoints::for_key(uow.tx(), &task.key_id).await? {
        Some(endpoint) if endpoint.enabled => Some(uow.deliver_to(&endpoint.id, &event).await?),
        _ => None,
    };
    tasks::set_result(uow.tx(), &task.id, &event.id, delivery.as_ref()).await?;
    jobs::complete(uow.tx(), &job.id, now).await?;
    uow.commit().await
}

pub(crate) async fn complete(app: &App, job: &Job) -> AppResult<()> {
    let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    jobs::complete(&mut tx, &job.id, app.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// The task as its event carries it: the object without its turns (which `GET
/// /v1/tasks/{id}` has) and before its result is delivered.
fn event_data(task: &TaskRow) -> Value {
    let pending = TaskWebhook::unsent(TaskWebhookStatus::Pending);
    let mut data =
        serde_json::to_value(super::view(task.clone(), Vec::new(), pending)).unwrap_or(Value::Null);
    if let Some(object) = data.as_object_mut() {
        object.remove("turns");
        object.remove("webhook");
    }
    data
}
