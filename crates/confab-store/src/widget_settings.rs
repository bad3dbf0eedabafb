//! The chat widget's settings, one row per workspace and mode (absent until first set).

use sqlx::Row;

use crate::error::{Classify, Result, StoreError};
use crate::{Backend, TenantTx};
use confab_core::Timestamp;
use confab_core::widget::{Position, WidgetConfig};

#[derive(Clone, Debug, PartialEq)]
pub struct WidgetSettingsRow {
    pub config: WidgetConfig,
    pub updated_at: Timestamp,
}

/// The settings of the transaction's workspace and mode, if they were ever set.
pub async fn get(tx: &mut TenantTx) -> Result<Option<WidgetSettingsRow>> {
    fetch(tx, "").await
}

/// The settings under a row lock, for a change the transaction writes back with
/// [`put`]; the row is created from `defaults` first when it was never set, so two
/// first changes cannot overwrite each other either.
pub async fn get_for_update(
    tx: &mut TenantTx,
    defaults: &WidgetSettingsRow,
) -> Result<WidgetSettingsRow> {
    insert(
        tx,
        defaults,
        " ON CONFLICT (workspace_id, livemode) DO NOTHING",
    )
    .await?;
    let lock = match tx.backend() {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    fetch(tx, lock)
        .await?
        .ok_or_else(|| StoreError::Corrupt("widget settings vanished under a lock".into()))
}

async fn fetch(tx: &mut TenantTx, lock: &str) -> Result<Option<WidgetSettingsRow>> {
    let (ws, live) = tx.scope();
    let sql = format!(
        "SELECT greeting, agent_name, accent_color, position, require_email, languages, updated_at \
         FROM widget_settings WHERE workspace_id = $1 AND livemode = $2{lock}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .fetch_optional(tx.conn())
        .await
        .classified()?;
    let Some(row) = row else { return Ok(None) };
    let position: String = row.try_get("position").classified()?;
    let languages: String = row.try_get("languages").classified()?;
    Ok(Some(WidgetSettingsRow {
        config: WidgetConfig {
            greeting: row.try_get("greeting").classified()?,
            agent_name: row.try_get("agent_name").classified()?,
            accent_color: row.try_get("accent_color").classified()?,
            position: Position::parse(&position)
                .ok_or_else(|| StoreError::Corrupt(format!("widget position {position:?}")))?,
            require_email: row.try_get::<i64, _>("require_email").classified()? != 0,
            languages: serde_json::from_str(&languages)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        },
        updated_at: Timestamp::from_millis(row.try_get("updated_at").classified()?),
    }))
}

/// Writes the settings of the transaction's workspace and mode, creating the row the
/// first time.
pub async fn put(tx: &mut TenantTx, row: &WidgetSettingsRow) -> Result<()> {
    insert(
        tx,
        row,
        " ON CONFLICT (workspace_id, livemode) DO UPDATE SET greeting = $3, agent_name = $4, accent_color = $5, \
         position = $6, require_email = $7, languages = $8, updated_at = $9",
    )
    .await
}

async fn insert(tx: &mut TenantTx, row: &WidgetSettingsRow, on_conflict: &str) -> Result<()> {
    let (ws, live) = tx.scope();
    let s = &row.config;
    let sql = format!(
        "INSERT INTO widget_settings (workspace_id, livemode, greeting, agent_name, accent_color, position, \
         require_email, languages, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9){on_conflict}"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ws)
        .bind(live)
        .bind(s.greeting.clone())
        .bind(s.agent_name.clone())
        .bind(s.accent_color.clone())
        .bind(s.position.as_str())
        .bind(s.require_email as i64)
        .bind(serde_json::to_string(&s.languages).unwrap_or_else(|_| "[]".into()))
        .bind(row.updated_at.millis())
        .execute(tx.conn())
        .await
        .classified()?;
    Ok(())
}
