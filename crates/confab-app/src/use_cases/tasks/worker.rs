//! The task worker: claims `task` jobs (a lease; `SKIP LOCKED` on PostgreSQL), runs
//! each task's agent, and writes how it ended. Up to `tasks.concurrency` tasks run at
//! once per process. A task whose run hits an internal error (the database, say) is
//! tried again with backoff, and failed with `INTERNAL` after the last attempt; a
//! crash mid-task leaves the lease to run out, and the task runs again from the start
//! (its agent searches before it acts, so a repeat finds what the first run made).

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use confab_core::Timestamp;
use confab_core::agent::{ProviderKind, ProviderSettings};
use confab_core::job::{JobKind, Work};
use confab_core::task::TaskError;
use confab_store::jobs::{self, Job};
use confab_store::tasks::{self, TaskRow};
use confab_store::{agents, api_keys};

use super::outcome::{self, Response, Stop};
use super::session::Session;
use super::{local, model};
use crate::budget::Budget;
use crate::{Actor, App, AppError, AppResult, Ctx};

/// Runs of one task before an internal error (or an interrupted run) fails it.
const MAX_ATTEMPTS: i64 = 3;

/// Runs tasks until `shutdown`, then lets the running ones finish.
pub async fn run_worker(app: App, shutdown: CancellationToken) {
    let slots = Arc::new(Semaphore::new(app.config.tasks.concurrency.max(1)));
    let mut running = JoinSet::new();
    loop {
        while running.try_join_next().is_some() {}
        let claimed = match slots.clone().try_acquire_owned() {
            Ok(slot) => match claim(&app).await {
                Ok(Some(job)) => {
                    let app = app.clone();
                    running.spawn(async move {
                        let due = job.run_at;
                        if let Err(err) = run_claimed(&app, job).await {
                            tracing::warn!(error = %err, "task worker");
                        }
                        app.work
                            .finished(JobKind::Task.as_str(), due, app.clock.now());
                        drop(slot);
                    });
                    true
                }
                Ok(None) => false,
                Err(err) => {
                    tracing::warn!(error = %err, "task worker: claim failed");
                    false
                }
            },
            Err(_) => false,
        };
        if claimed {
            continue;
        }
        if shutdown.is_cancelled() {
            break;
        }
        if slots.available_permits() == 0 {
            // Full: wait for a running task to end (or shutdown), not for new work.
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = running.join_next() => {}
            }
            continue;
        }
        crate::wakeups::wait_for_job(&app, JobKind::Task, &shutdown).await;
    }
    while running.join_next().await.is_some() {}
}

async fn claim(app: &App) -> AppResult<Option<Job>> {
    let mut sys = app.store.system().await?;
    let job = jobs::claim(
        &mut sys,
        &[JobKind::Task],
        app.clock.now(),
        app.config.job_lease_ms,
    )
    .await?;
    sys.commit().await?;
    Ok(job)
}

/// Claims and runs one due task; false when none was due (tests drive the worker
/// with this).
pub async fn process_next(app: &App) -> AppResult<bool> {
    let Some(job) = claim(app).await? else {
        return Ok(false);
    };
    run_claimed(app, job).await?;
    Ok(true)
}

async fn run_claimed(app: &App, job: Job) -> AppResult<()> {
    // Renewed while the task runs, however many model rounds it takes.
    let _lease = crate::infra::lease::keep_job(app, &job);
    // A run that never returned (the process died, or the run panicked) leaves its
    // lease to run out; past the last attempt the task fails instead of looping.
    if job.attempts > MAX_ATTEMPTS {
        return give_up(app, &job).await;
    }
    let Err(err) = run(app, &job).await else {
        return Ok(());
    };
    tracing::warn!(job = %job.id, attempts = job.attempts, error = %err, "task run failed");
    if job.attempts >= MAX_ATTEMPTS {
        return give_up(app, &job).await;
    }
    let now = app.clock.now();
    let backoff_ms = 1000 * (1_i64 << job.attempts.clamp(0, 6));
    let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    jobs::retry(
        &mut tx,
        &job.id,
        Timestamp::from_millis(now.millis() + backoff_ms),
        &err.to_string(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Fails the task after its last attempt.
async fn give_up(app: &App, job: &Job) -> AppResult<()> {
    match load(app, job).await? {
        Some(task) if !task.status.is_final() => {
            let internal = failure(
                "INTERNAL",
                "The task could not be completed because of an internal error; try again later.",
            );
            outcome::finish(app, job, &task, Err(internal)).await
        }
        _ => outcome::complete(app, job).await,
    }
}

async fn load(app: &App, job: &Job) -> AppResult<Option<TaskRow>> {
    let id = match &job.work {
        Ok(Work::Task { task_id }) => task_id,
        Ok(other) => {
            let kind = other.kind().as_str();
            return Err(AppError::Internal(format!(
                "job {} is a {kind} job, not a task",
                job.id
            )));
        }
        Err(why) => return Err(AppError::Internal(format!("job {}: {why}", job.id))),
    };
    let mut tx = app
        .store
        .tenant_read(&job.workspace_id, job.livemode)
        .await?;
    Ok(tasks::get(&mut tx, id).await?)
}

fn failure(code: &str, message: impl Into<String>) -> TaskError {
    TaskError {
        code: code.to_owned(),
        message: message.into(),
    }
}

/// Errors returned from here are retried by `run_claimed`.
async fn run(app: &App, job: &Job) -> AppResult<()> {
    let Some(task) = load(app, job).await? else {
        return outcome::complete(app, job).await;
    };
    if task.status.is_final() {
        return outcome::complete(app, job).await;
    }
    let now = app.clock.now();
    if task.expires_at <= now {
        let expired = failure("EXPIRED", "The task expired before it could run.");
        return outcome::finish(app, job, &task, Err(expired)).await;
    }
    let mut tx = app.store.tenant(&job.workspace_id, job.livemode).await?;
    let started = tasks::start(&mut tx, &task.id, now).await?;
    let key = api_keys::get(&mut tx, &task.key_id, Some(job.livemode)).await?;
    let default_agent = agents::all(&mut tx)
        .await?
        .into_iter()
        .find(|a| a.is_default);
    tx.commit().await?;
    if !started {
        return outcome::complete(app, job).await;
    }
    let key = match key {
        Some(k) if k.key.revoked_at.is_none() => k,
        _ => {
            let revoked = failure(
                "KEY_REVOKED",
                "The API key that created this task was revoked before it ran.",
            );
            return outcome::finish(app, job, &task, Err(revoked)).await;
        }
    };
    let session = Session {
        ctx: Ctx {
            app: app.clone(),
            workspace_id: job.workspace_id.clone(),
            mode: confab_core::Mode::from_livemode(job.livemode),
            actor: Actor::secret_key(&key.key),
            request_id: task.id.to_string(),
            idempotency: None,
        },
        budget: Budget::of(&key),
        prices: app.config.tasks.prices,
        task: task.clone(),
    };
    // The workspace's default agent chooses the provider; without one, the server's.
    let settings: ProviderSettings = default_agent
        .map(|a| a.provider)
        .unwrap_or_else(|| app.config.ai.provider.clone());
    let result: Result<Response, Stop> = if settings.kind == ProviderKind::Local {
        local::run(&session).await
    } else {
        model::run(&session, &settings).await
    };
    match result {
        Ok(response) => outcome::finish(app, job, &task, Ok(response)).await,
        Err(Stop::Failed(error)) => outcome::finish(app, job, &task, Err(error)).await,
        Err(Stop::Internal(err)) => Err(err),
    }
}
