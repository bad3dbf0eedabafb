//! Creating workspaces: first-start bootstrap, `confab init`, and the platform admin API.

use confab_core::object::ObjectName;
use serde::Serialize;

use confab_core::credential::{self, hash_secret, last4};
use confab_core::id::{KeyId, MemberId, WorkspaceId};
use confab_core::member::{Member, Role};
use confab_core::{Mode, validate};
use confab_store::credentials::{KeyKind, KeyRow};
use confab_store::workspaces::{self, WorkspaceRow};
use confab_store::{SystemTx, members};

use crate::members::issue_token;
use crate::{App, AppError, AppResult};

/// The one-time credentials of a new workspace: keys and the owner token, shown once.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WorkspaceCredentials {
    pub workspace_id: WorkspaceId,
    pub test_secret_key: String,
    pub live_secret_key: String,
    pub test_site_key: String,
    pub live_site_key: String,
    pub owner_token: String,
}

/// A new access token for a workspace's owner, made from the command line by someone
/// with the server's database (the banner that showed the first one is gone).
#[derive(Clone, Debug, Serialize)]
pub struct RecoveredOwnerToken {
    pub workspace_id: WorkspaceId,
    pub member_id: MemberId,
    pub owner_token: String,
}

/// Issues a new token for the longest-standing owner of `workspace`, or of the only
/// workspace when none is named. Earlier tokens keep working (revoke them in the
/// console or with `DELETE /v1/members/{id}/tokens/{token_id}` once signed in).
pub async fn recover_owner_token(
    app: &App,
    workspace: Option<&str>,
) -> AppResult<RecoveredOwnerToken> {
    let mut tx = app.store.system().await?;
    let all = workspaces::ids(&mut tx).await?;
    let id = match workspace {
        Some(raw) => WorkspaceId::parse(raw)
            .filter(|id| all.contains(id))
            .ok_or_else(|| AppError::not_found("workspace", raw))?,
        None => match all.as_slice() {
            [only] => only.clone(),
            [] => {
                return Err(AppError::bad_request(
                    "This database has no workspace yet: `confab serve` or `confab init` creates one.",
                ));
            }
            many => {
                let ids: Vec<&str> = many.iter().map(WorkspaceId::as_str).collect();
                return Err(AppError::bad_request(format!(
                    "This database has {} workspaces; name one with --workspace: {}.",
                    many.len(),
                    ids.join(", ")
                )));
            }
        },
    };
    let mut tx = tx.enter(&id, true).await?;
    let owner = members::first_owner(&mut tx)
        .await?
        .ok_or_else(|| AppError::Internal(format!("workspace {id} has no owner")))?;
    let (_, owner_token) = issue_token(&mut tx, &owner.id, app.clock.now()).await?;
    tx.commit().await?;
    Ok(RecoveredOwnerToken {
        workspace_id: id,
        member_id: owner.id,
        owner_token,
    })
}

/// The first owner's address until they set their own: a valid address (so the
/// member can be read and written back like any other) in the `.invalid` domain, which
/// never delivers (RFC 6761).
pub const BOOTSTRAP_OWNER_EMAIL: &str = "owner@confab.invalid";

/// Creates a workspace with an owner, the owner's token, and test and live keys.
pub async fn create(app: &App, name: &str) -> AppResult<WorkspaceCredentials> {
    let name = validate::name(name).map_err(|m| AppError::field("name", &m))?;
    let tx = app.store.system().await?;
    let creds = create_in(app, tx, &name).await?;
    Ok(creds)
}

/// Creates the "Default" workspace when the database has none; `None` otherwise.
pub async fn bootstrap_if_empty(app: &App) -> AppResult<Option<WorkspaceCredentials>> {
    let mut tx = app.store.system().await?;
    if workspaces::count(&mut tx).await? > 0 {
        return Ok(None);
    }
    create_in(app, tx, "Default").await.map(Some)
}

async fn create_in(app: &App, mut tx: SystemTx, name: &str) -> AppResult<WorkspaceCredentials> {
    let now = app.clock.now();
    let workspace = WorkspaceRow {
        id: WorkspaceId::generate(),
        name: name.to_owned(),
        plan: "self_hosted".into(),
        identity_secret: credential::new_signing_secret(),
        timezone: confab_core::hours::Tz::UTC,
        working_hours: None,
        created_at: now,
    };
    workspaces::insert(&mut tx, &workspace).await?;
    let mut tx = tx.enter(&workspace.id, true).await?;

    let owner = Member {
        id: MemberId::generate(),
        object: ObjectName::new(),
        workspace_id: workspace.id.clone(),
        name: "Owner".into(),
        display_name: None,
        email: BOOTSTRAP_OWNER_EMAIL.into(),
        role: Role::Owner,
        department_ids: vec![],
        away: false,
        created_at: now,
        updated_at: now,
    };
    members::insert(&mut tx, &owner).await?;
    let (_, owner_token) = issue_token(&mut tx, &owner.id, now).await?;

    let mut keys = Vec::new();
    for mode in [Mode::Test, Mode::Live] {
        tx.set_livemode(mode.is_live()).await?;
        for kind in [KeyKind::Secret, KeyKind::Site] {
            let secret = match kind {
                KeyKind::Secret => credential::new_secret_key(mode),
                KeyKind::Site => credential::new_site_key(mode),
            };
            let row = KeyRow {
                id: KeyId::generate(),
                workspace_id: workspace.id.clone(),
                livemode: mode.is_live(),
                member_id: Some(owner.id.clone()),
                kind,
                last4: last4(&secret),
                label: format!(
                    "Default {} {} key",
                    mode.as_str(),
                    if kind == KeyKind::Secret {
                        "secret"
                    } else {
                        "site"
                    }
                ),
                scopes: vec![],
                allowed_origins: vec![],
                site_key: (kind == KeyKind::Site).then(|| secret.clone()),
                created_at: now,
                revoked_at: None,
            };
            confab_store::credentials::insert_key(&mut tx, &row, &hash_secret(&secret)).await?;
            keys.push(secret);
        }
    }
    tx.commit().await?;
    let [
        test_secret_key,
        test_site_key,
        live_secret_key,
        live_site_key,
    ]: [String; 4] = keys
        .try_into()
        .map_err(|_| AppError::Internal("bootstrap made the wrong number of keys".into()))?;
    Ok(WorkspaceCredentials {
        workspace_id: workspace.id,
        test_secret_key,
        live_secret_key,
        test_site_key,
        live_site_key,
        owner_token,
    })
}
