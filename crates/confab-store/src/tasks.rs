//! Tasks and their turns. Status moves only forward (`open → processing → resolved |
//! failed`), each move a conditional update, so a task finishes once.

use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::{Classify, Result, StoreError};
use crate::sql::{fetch_by_id, json, like_pattern, ts};
use crate::{SystemTx, TenantTx};
use confab_core::Timestamp;
use confab_core::id::{EventId, KeyId, MemberId, TaskId, WebhookDeliveryId};
use confab_core::money::Microcents;
use confab_core::task::{TaskError, TaskStatus, TaskTarget, TaskTurn, TurnRole};

/// A task as stored (turns and webhook status are read separately).
#[derive(Clone, Debug)]
pub struct TaskRow {
    pub id: TaskId,
    pub livemode: bool,
    pub key_id: KeyId,
    pub member_id: MemberId,
    pub status: TaskStatus,
    pub message: String,
    pub context: Option<TaskTarget>,
    pub metadata: Value,
    pub response: Option<Value>,
    pub error: Option<TaskError>,
    pub cost: Microcents,
    pub delivery_id: Option<WebhookDeliveryId>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub expires_at: Timestamp,
}

const COLUMNS: &str = "id, livemode, key_id, member_id, status, message, context, metadata, response, error_code, \
    error_message, cost_microcents, delivery_id, created_at, started_at, resolved_at, expires_at";

fn decode(row: &AnyRow) -> Result<TaskRow> {
    let status: String = row.try_get("status").classified()?;
    let error_code: Option<String> = row.try_get("error_code").classified()?;
    Ok(TaskRow {
        id: TaskId::from_trusted(row.try_get("id").classified()?),
        livemode: row.try_get::<i64, _>("livemode").classified()? != 0,
        key_id: KeyId::from_trusted(row.try_get("key_id").classified()?),
        member_id: MemberId::from_trusted(row.try_get("member_id").classified()?),
        status: TaskStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("task status {status}")))?,
        message: row.try_get("message").classified()?,
        context: json(row.try_get("context").classified()?)?,
        metadata: json(row.try_get("metadata").classified()?)?
            .unwrap_or_else(|| Value::Object(Default::default())),
        response: json(row.try_get("response").classified()?)?,
        error: match error_code {
            Some(code) => Some(TaskError {
                code,
                message: row
                    .try_get::<Option<String>, _>("error_message")
                    .classified()?
                    .unwrap_or_default(),
            }),
            None => None,
        },
        cost: Microcents(row.try_get("cost_microcents").classified()?),
        delivery_id: row
            .try_get::<Option<String>, _>("delivery_id")
            .classified()?
            .map(WebhookDeliveryId::from_trusted),
        created_at: Timestamp::from_millis(row.try_get("created_at").classified()?),
        started_at: ts(row, "started_at")?,
        resolved_at: ts(row, "resolved_at")?,
        expires_at: Timestamp::from_millis(row.try_get("expires_at").classified()?),
    })
}

pub async fn insert(tx: &mut TenantTx, t: &TaskRow) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO tasks (id, workspace_id, livemode, key_id, member_id, status, message, context, metadata, \
         created_at, updated_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)",
    )
    .bind(t.id.as_str())
    .bind(ws)
    .bind(live)
    .bind(t.key_id.as_str())
    .bind(t.member_id.as_str())
    .bind(t.status.as_str())
    .bind(t.message.clone())
    .bind(
        t.context
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap_or_else(|_| "null".into())),
    )
    .bind(t.metadata.to_string())
    .bind(t.created_at.millis())
    .bind(t.expires_at.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

pub async fn get(tx: &mut TenantTx, id: &TaskId) -> Result<Option<TaskRow>> {
    let select = format!("SELECT {COLUMNS} FROM tasks");
    fetch_by_id(tx, &select, "", id, decode).await
}

/// `open` (or an interrupted `processing`) → `processing`; false when the task has
/// already finished.
pub async fn start(tx: &mut TenantTx, id: &TaskId, now: Timestamp) -> Result<bool> {
    let (ws, live) = tx.scope();
    let done = sqlx::query(
        "UPDATE tasks SET status = 'processing', started_at = coalesce(started_at, $4), updated_at = $4 \
         WHERE workspace_id = $1 AND livemode = $2 AND id = $3 AND status IN ('open', 'processing')",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected() == 1)
}

/// The end of a task: `resolved` with a response or `failed` with an error. False when
/// it had already finished (nothing is written).
pub async fn finish(
    tx: &mut TenantTx,
    id: &TaskId,
    response: Option<&Value>,
    error: Option<&TaskError>,
    now: Timestamp,
) -> Result<bool> {
    let (ws, live) = tx.scope();
    let status = if error.is_some() {
        TaskStatus::Failed
    } else {
        TaskStatus::Resolved
    };
    let done = sqlx::query(
        "UPDATE tasks SET status = $4, response = $5, error_code = $6, error_message = $7, resolved_at = $8, \
         updated_at = $8 WHERE workspace_id = $1 AND livemode = $2 AND id = $3 AND status IN ('open', 'processing')",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(status.as_str())
    .bind(response.map(Value::to_string))
    .bind(error.map(|e| e.code.clone()))
    .bind(error.map(|e| e.message.clone()))
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(done.rows_affected() == 1)
}

/// Records the task's `task.resolved` / `task.failed` event and the delivery that
/// carries its result to the key's `response_url` (when it has one).
pub async fn set_result(
    tx: &mut TenantTx,
    id: &TaskId,
    event_id: &EventId,
    delivery_id: Option<&WebhookDeliveryId>,
) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "UPDATE tasks SET result_event_id = $4, delivery_id = $5 WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
    )
    .bind(ws)
    .bind(live)
    .bind(id.as_str())
    .bind(event_id.to_string())
    .bind(delivery_id.map(WebhookDeliveryId::to_string))
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// A task found by [`mentioning`], with its result event.
#[derive(Clone, Debug)]
pub struct Mention {
    pub id: TaskId,
    pub result_event_id: Option<EventId>,
}

/// Tasks whose request, result or turns contain any of `needles` (compared without
/// case): what a contact's erasure must remove.
pub async fn mentioning(tx: &mut TenantTx, needles: &[String]) -> Result<Vec<Mention>> {
    let (ws, live) = tx.scope();
    let mut found: Vec<Mention> = Vec::new();
    for needle in needles {
        let rows = sqlx::query(
            "SELECT id, result_event_id FROM tasks WHERE workspace_id = $1 AND livemode = $2 AND ( \
             lower(message) LIKE $3 ESCAPE '\\' OR lower(coalesce(context, '')) LIKE $3 ESCAPE '\\' \
             OR lower(coalesce(response, '')) LIKE $3 ESCAPE '\\' OR lower(coalesce(error_message, '')) LIKE $3 ESCAPE '\\' \
             OR id IN (SELECT task_id FROM task_turns WHERE workspace_id = $1 AND livemode = $2 \
                       AND lower(payload) LIKE $3 ESCAPE '\\'))",
        )
        .bind(ws.clone())
        .bind(live)
        .bind(like_pattern(needle))
        .fetch_all(tx.conn())
        .await
        .classified()?;
        for row in rows {
            let id = TaskId::from_trusted(row.try_get("id").classified()?);
            if !found.iter().any(|m| m.id == id) {
                found.push(Mention {
                    id,
                    result_event_id: row
                        .try_get::<Option<String>, _>("result_event_id")
                        .classified()?
                        .map(EventId::from_trusted),
                });
            }
        }
    }
    Ok(found)
}

/// Deletes tasks and their turns (their ledger lines stay: they hold no personal data).
pub async fn delete(tx: &mut TenantTx, ids: &[TaskId]) -> Result<()> {
    let (ws, live) = tx.scope();
    for id in ids {
        for sql in [
            "DELETE FROM task_turns WHERE workspace_id = $1 AND livemode = $2 AND task_id = $3",
            "DELETE FROM tasks WHERE workspace_id = $1 AND livemode = $2 AND id = $3",
        ] {
            sqlx::query(sql)
                .bind(ws.clone())
                .bind(live)
                .bind(id.as_str())
                .execute(tx.conn())
                .await
                .classified()?;
        }
    }
    Ok(())
}

/// Adds to the task's running cost (in the transaction of the charge).
pub async fn add_cost(tx: &mut TenantTx, id: &TaskId, amount: Microcents) -> Result<()> {
    let (ws, _) = tx.scope();
    sqlx::query(
        "UPDATE tasks SET cost_microcents = cost_microcents + $3 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(ws)
    .bind(id.to_string())
    .bind(amount.0)
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Appends a turn.
pub async fn add_turn(
    tx: &mut TenantTx,
    task_id: &TaskId,
    role: TurnRole,
    payload: &Value,
    now: Timestamp,
) -> Result<()> {
    let (ws, live) = tx.scope();
    sqlx::query(
        "INSERT INTO task_turns (task_id, n, workspace_id, livemode, role, payload, created_at) \
         VALUES ($1, (SELECT coalesce(MAX(n), 0) + 1 FROM task_turns WHERE task_id = $1), $2, $3, $4, $5, $6)",
    )
    .bind(task_id.as_str())
    .bind(ws)
    .bind(live)
    .bind(role.as_str())
    .bind(payload.to_string())
    .bind(now.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    Ok(())
}

/// Every turn, oldest first.
pub async fn turns(tx: &mut TenantTx, task_id: &TaskId) -> Result<Vec<TaskTurn>> {
    let (ws, live) = tx.scope();
    let rows = sqlx::query(
        "SELECT role, payload, created_at FROM task_turns WHERE workspace_id = $1 AND livemode = $2 AND task_id = $3 \
         ORDER BY n",
    )
    .bind(ws)
    .bind(live)
    .bind(task_id.as_str())
    .fetch_all(tx.conn())
    .await
    .classified()?;
    rows.iter()
        .map(|row| {
            let role: String = row.try_get("role").classified()?;
            let payload: String = row.try_get("payload").classified()?;
            Ok(TaskTurn {
                role: TurnRole::parse(&role)
                    .ok_or_else(|| StoreError::Corrupt(format!("turn role {role}")))?,
                payload: serde_json::from_str(&payload)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                timestamp: Timestamp::from_millis(row.try_get("created_at").classified()?),
            })
        })
        .collect()
}

/// Retention: deletes tasks (and their turns) that expired before `before`.
pub async fn purge_expired(tx: &mut SystemTx, before: Timestamp) -> Result<u64> {
    sqlx::query(
        "DELETE FROM task_turns WHERE task_id IN (SELECT id FROM tasks WHERE expires_at < $1)",
    )
    .bind(before.millis())
    .execute(tx.conn())
    .await
    .classified()?;
    let done = sqlx::query("DELETE FROM tasks WHERE expires_at < $1")
        .bind(before.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(done.rows_affected())
}
