//! The task gateway: plain-English requests from callers that bring no AI of their
//! own. `POST /v1/tasks` checks the key's budget and queues the task as a durable job
//! in one transaction; the worker (`worker`) runs the agent (`local` or `model`),
//! which acts only through the tool registry the MCP server exposes
//! (`crate::tools`), as the task's key, and pays for every action and model call as
//! it goes (`session`); the end (`outcome`) writes the result, its event and
//! the delivery to the key's `response_url` in one transaction.

mod local;
mod model;
mod outcome;
mod session;
pub mod worker;

use confab_core::object::{Named, ObjectName};
use serde::Deserialize;
use serde_json::{Value, json};

use confab_core::id::{ContactId, ConversationId, TaskId};
use confab_core::job::Work;
use confab_core::task::{
    Entity, MAX_TASK_MESSAGE_CHARS, Task, TaskAccepted, TaskStatus, TaskTarget, TaskTurn,
    TaskWebhook, TaskWebhookStatus, TurnRole,
};
use confab_core::{FieldErrors, Timestamp, validate};
use confab_store::tasks::{self, TaskRow};
use confab_store::{TenantTx, api_keys, jobs, webhook_deliveries, webhook_endpoints};

use crate::budget::{self, Budget};
use crate::input::{bounded_text, optional_text};
use crate::{Access, Actor, App, AppError, AppResult, Ctx, Resource};

const MAX_ACTION_CHARS: usize = 200;

/// What the request is about, when the caller says.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskContext {
    /// `contact` or `conversation`.
    pub entity_type: Option<String>,
    /// A `ctc_…` or `cnv_…` id.
    pub entity_id: Option<String>,
    /// What the caller was doing, in its own words (kept with the task).
    pub action: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskCreate {
    /// What to do, in plain English (at most 10,000 characters).
    #[schema(min_length = 1, max_length = 10_000, pattern = r"\S")]
    pub message: String,
    pub context: Option<TaskContext>,
    /// Kept with the task and returned with it.
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
}

/// Checks the context: a known entity type and an id of that type. The entity's
/// existence is the agent's to find out (and report).
fn check_context(raw: Option<&TaskContext>, errors: &mut FieldErrors) -> Option<TaskTarget> {
    let c = raw?;
    let id = c
        .entity_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let named = c
        .entity_type
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let entity_type = match named {
        Some("contact") => Some(Entity::Contact),
        Some("conversation") => Some(Entity::Conversation),
        Some(_) => {
            errors.add("context.entity_type", "must be contact or conversation");
            None
        }
        None => match id {
            Some(i) if i.starts_with(ContactId::PREFIX) => Some(Entity::Contact),
            Some(i) if i.starts_with(ConversationId::PREFIX) => Some(Entity::Conversation),
            Some(_) => {
                errors.add(
                    "context.entity_id",
                    "must be a contact (ctc_…) or conversation (cnv_…) id",
                );
                None
            }
            None => None,
        },
    };
    match (entity_type, id) {
        (Some(Entity::Contact), Some(i)) if ContactId::parse(i).is_none() => {
            errors.add("context.entity_id", "must be a contact id (ctc_…)")
        }
        (Some(Entity::Conversation), Some(i)) if ConversationId::parse(i).is_none() => {
            errors.add("context.entity_id", "must be a conversation id (cnv_…)")
        }
        _ => {}
    }
    let action = optional_text(
        c.action.as_deref(),
        "context.action",
        MAX_ACTION_CHARS,
        errors,
    );
    Some(TaskTarget {
        entity_type,
        entity_id: id.map(str::to_owned),
        action,
    })
}

/// Accepts a task: checks it, refuses it when the key's budget is spent, and queues it
/// with its first turn, all in one transaction.
pub async fn create(ctx: &Ctx, input: TaskCreate) -> AppResult<TaskAccepted> {
    ctx.authorize(Resource::Tasks, Access::Write)?;
    let Actor::SecretKey {
        key_id,
        member_id: Some(member_id),
        ..
    } = &ctx.actor
    else {
        return Err(AppError::forbidden(
            "Tasks are created with a member token and that member's secret key.",
        ));
    };
    let mut errors = FieldErrors::new();
    let message = bounded_text(
        &input.message,
        "message",
        MAX_TASK_MESSAGE_CHARS,
        true,
        &mut errors,
    );
    let context = check_context(input.context.as_ref(), &mut errors);
    let metadata = match &input.metadata {
        Some(m) => validate::attributes(m)
            .map_err(|e| errors.add("metadata", e))
            .unwrap_or_default(),
        None => json!({}),
    };
    errors.into_result()?;

    let mut uow = ctx.write().await?;
    let now = uow.now;
    let key = api_keys::get(uow.tx(), key_id, Some(ctx.livemode()))
        .await?
        .ok_or_else(|| AppError::not_found("API key", key_id.as_str()))?;
    budget::admit_task(uow.tx(), &Budget::of(&key), now).await?;
    let task = TaskRow {
        id: TaskId::generate(),
        livemode: ctx.livemode(),
        key_id: key_id.clone(),
        member_id: member_id.clone(),
        status: TaskStatus::Open,
        message: message.clone(),
        context: context.clone(),
        metadata: metadata.clone(),
        response: None,
        error: None,
        cost: Default::default(),
        delivery_id: None,
        created_at: now,
        started_at: None,
        resolved_at: None,
        expires_at: Timestamp::from_millis(now.millis() + ctx.app.config.tasks.ttl_ms),
    };
    tasks::insert(uow.tx(), &task).await?;
    let request = json!({"message": message, "context": context, "metadata": metadata});
    tasks::add_turn(uow.tx(), &task.id, TurnRole::User, &request, now).await?;
    let work = Work::Task {
        task_id: task.id.clone(),
    };
    jobs::enqueue(uow.tx(), &work, now).await?;
    uow.commit().await?;
    let delivery = match key.response_url.as_deref() {
        Some(url) => format!("the result will be POSTed to {url} and"),
        None => "the key has no response_url, so the result".to_owned(),
    };
    Ok(TaskAccepted {
        message: format!(
            "Task accepted; {delivery} can be read at GET /v1/tasks/{} until {}.",
            task.id,
            task.expires_at.to_rfc3339()
        ),
        id: task.id,
        object: ObjectName::new(),
        status: "accepted",
        expires_at: task.expires_at,
        livemode: ctx.livemode(),
    })
}

/// A task with its turns, cost and the state of its result's delivery. Tasks are
/// read with the key that created them, and only until they expire (then 404).
pub async fn get(ctx: &Ctx, id: &TaskId) -> AppResult<Task> {
    ctx.authorize(Resource::Tasks, Access::Read)?;
    let mut tx = ctx.read().await?;
    let task = load(&mut tx, ctx, id).await?;
    let turns = tasks::turns(&mut tx, &task.id).await?;
    let webhook = webhook_of(&mut tx, &task).await?;
    Ok(view(task, turns, webhook))
}

async fn load(tx: &mut TenantTx, ctx: &Ctx, id: &TaskId) -> AppResult<TaskRow> {
    let mine = |t: &TaskRow| match &ctx.actor {
        Actor::SecretKey { key_id, .. } => *key_id == t.key_id,
        _ => true,
    };
    tasks::get(tx, id)
        .await?
        .filter(|t| mine(t) && t.expires_at > ctx.app.clock.now())
        .ok_or_else(|| {
            AppError::new(
                confab_core::ErrorCode::NotFound,
                format!(
                    "No task with id `{id}` exists for this key; tasks are kept 24 hours after they are accepted."
                ),
            )
        })
}

/// Where the result's delivery stands.
async fn webhook_of(tx: &mut TenantTx, task: &TaskRow) -> AppResult<TaskWebhook> {
    if let Some(delivery_id) = &task.delivery_id {
        return Ok(match webhook_deliveries::get(tx, delivery_id).await? {
            Some(d) => TaskWebhook {
                status: d.status.into(),
                delivered_at: d.delivered_at,
                attempts: d.attempts.len() as i64,
                next_attempt_at: d.next_attempt_at,
            },
            None => TaskWebhook::unsent(TaskWebhookStatus::None),
        });
    }
    if task.status.is_final() {
        return Ok(TaskWebhook::unsent(TaskWebhookStatus::None));
    }
    let endpoint = webhook_endpoints::for_key(tx, &task.key_id).await?;
    Ok(TaskWebhook::unsent(
        if endpoint.is_some_and(|e| e.enabled) {
            TaskWebhookStatus::Pending
        } else {
            TaskWebhookStatus::None
        },
    ))
}

fn view(t: TaskRow, turns: Vec<TaskTurn>, webhook: TaskWebhook) -> Task {
    Task {
        id: t.id,
        object: ObjectName::new(),
        status: t.status,
        api_key_id: t.key_id,
        member_id: t.member_id,
        turns,
        response: t.response,
        error: t.error,
        webhook,
        cost_cents: t.cost.cents(),
        metadata: t.metadata,
        created_at: t.created_at,
        resolved_at: t.resolved_at,
        expires_at: t.expires_at,
        livemode: t.livemode,
    }
}

/// Erasure: removes every task whose request, result or turns mention the contact (by
/// id or email), and redacts their result events, inside the erasure's transaction.
pub(crate) async fn forget_contact(
    tx: &mut TenantTx,
    contact: &confab_core::contact::Contact,
) -> AppResult<()> {
    let mut needles = vec![contact.id.to_string()];
    needles.extend(contact.email.as_ref().map(|e| e.to_lowercase()));
    let found = tasks::mentioning(tx, &needles).await?;
    for task in &found {
        if let Some(event) = &task.result_event_id {
            let erased = json!({"id": task.id, "object": <Task as Named>::OBJECT, "erased": true, "livemode": tx.livemode()});
            confab_store::events::redact(tx, event, &erased).await?;
            webhook_deliveries::redact_event(tx, event).await?;
        }
    }
    let ids: Vec<TaskId> = found.into_iter().map(|t| t.id).collect();
    tasks::delete(tx, &ids).await?;
    Ok(())
}

/// Retention: tasks past their expiry, and ledger lines older than the event log.
pub async fn purge_expired(app: &App) -> AppResult<u64> {
    let now = app.clock.now();
    let mut tx = app.store.system().await?;
    let n = tasks::purge_expired(&mut tx, now).await?;
    let before = Timestamp::from_millis(now.millis() - app.config.event_retention_ms);
    confab_store::spending::purge_before(&mut tx, before).await?;
    tx.commit().await?;
    Ok(n)
}
