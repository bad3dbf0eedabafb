//! Transactions: [`SystemTx`] (privileged, unfenced) and [`TenantTx`] (one workspace
//! and mode). On PostgreSQL a tenant transaction switches to the restricted role and
//! sets the tenant with `set_config(…, true)`, both local to the transaction, so
//! nothing leaks to the next borrower of the pooled connection.

use sqlx::{Any, AnyConnection, Executor, Transaction};

use crate::db::Backend;
use crate::error::{Classify, Result, StoreError};
use confab_core::id::WorkspaceId;

pub struct SystemTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    tenant_role: Option<String>,
}

impl SystemTx {
    pub(crate) fn new(
        tx: Transaction<'static, Any>,
        backend: Backend,
        tenant_role: Option<String>,
    ) -> Self {
        SystemTx {
            tx,
            backend,
            tenant_role,
        }
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Fences the rest of this transaction to one tenant. There is no way back.
    pub async fn enter(mut self, workspace: &WorkspaceId, livemode: bool) -> Result<TenantTx> {
        if self.backend == Backend::Postgres {
            // The id was parsed as `ws_` + ULID (Crockford base32), so inlining it is
            // safe; one simple-protocol round trip sets both role and tenant.
            let id = workspace.as_str();
            if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(StoreError::Corrupt(format!("workspace id {id:?}")));
            }
            let role = match &self.tenant_role {
                Some(role) => format!("SET LOCAL ROLE {role}; "),
                None => String::new(),
            };
            let live = livemode as i64;
            let sql = format!(
                "{role}SELECT set_config('app.workspace_id', '{id}', true), set_config('app.livemode', '{live}', true)"
            );
            self.tx
                .execute(sqlx::AssertSqlSafe(sql))
                .await
                .classified()?;
        }
        Ok(TenantTx {
            inner: self,
            workspace: workspace.clone(),
            livemode,
        })
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await.classified()
    }
}

pub struct TenantTx {
    inner: SystemTx,
    workspace: WorkspaceId,
    livemode: bool,
}

impl TenantTx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        self.inner.conn()
    }

    pub fn workspace(&self) -> &WorkspaceId {
        &self.workspace
    }

    pub fn livemode(&self) -> bool {
        self.livemode
    }

    /// The scope as bind values: `(workspace_id, livemode)`.
    pub(crate) fn scope(&self) -> (String, i64) {
        (self.workspace.as_str().to_owned(), self.livemode as i64)
    }

    /// Switches mode inside the same workspace (bootstrap makes test and live keys in
    /// one transaction; a member managing the other mode's key writes its endpoint).
    /// The workspace fence stays; on PostgreSQL the row-level mode fence moves with it.
    pub async fn set_livemode(&mut self, livemode: bool) -> Result<()> {
        if self.backend() == Backend::Postgres && livemode != self.livemode {
            let sql = format!(
                "SELECT set_config('app.livemode', '{}', true)",
                livemode as i64
            );
            self.conn()
                .execute(sqlx::AssertSqlSafe(sql))
                .await
                .classified()?;
        }
        self.livemode = livemode;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    pub async fn commit(self) -> Result<()> {
        self.inner.commit().await
    }
}
