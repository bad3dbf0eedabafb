//! PostgreSQL row-level security, checked below the store API with raw SQL as the
//! tenant role.

use confab_testkit::{TestBackend, TestDb};
use sqlx::{Connection, Executor, Row};

use crate::fixtures::{contact, insert_contact, workspace};

async fn setup() -> Option<(
    TestDb,
    confab_store::Store,
    sqlx::AnyConnection,
    String,
    String,
)> {
    if !TestBackend::postgres_available().await {
        return None;
    }
    let db = TestDb::new(TestBackend::Postgres).await;
    let store = db.store().await;
    let (a, b) = (workspace(&store).await, workspace(&store).await);
    insert_contact(&store, &a, false, &contact("Tenant A", 1_000)).await;
    insert_contact(&store, &b, false, &contact("Tenant B", 1_000)).await;
    let conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    Some((db, store, conn, a.to_string(), b.to_string()))
}

#[tokio::test]
async fn the_tenant_role_cannot_bypass_rls_and_owns_nothing() {
    let Some((_db, store, mut conn, _, _)) = setup().await else {
        return;
    };
    assert_eq!(store.tenant_role(), Some("confab_tenant"));
    let row = conn
        .fetch_one("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'confab_tenant'")
        .await
        .unwrap();
    assert!(!row.get::<bool, _>("rolsuper"));
    assert!(!row.get::<bool, _>("rolbypassrls"));
    let owned: i64 = conn
        .fetch_one("SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'confab_tenant'")
        .await
        .unwrap()
        .get("n");
    assert_eq!(owned, 0);
    let unforced: i64 = conn
        .fetch_one(
            "SELECT COUNT(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations' \
             AND NOT (c.relrowsecurity AND c.relforcerowsecurity)",
        )
        .await
        .unwrap()
        .get("n");
    assert_eq!(
        unforced, 0,
        "every tenant table has ENABLE and FORCE ROW LEVEL SECURITY"
    );
}

#[tokio::test]
async fn a_query_without_the_tenant_setting_sees_zero_rows() {
    let Some((_db, _store, mut conn, a, _)) = setup().await else {
        return;
    };
    let mut tx = conn.begin().await.unwrap();
    tx.execute("SET LOCAL ROLE confab_tenant").await.unwrap();
    assert_eq!(
        count_contacts(&mut tx).await,
        0,
        "no tenant set: nothing visible"
    );
    tx.execute(sqlx::AssertSqlSafe(format!(
        "SELECT set_config('app.workspace_id', '{a}', true), set_config('app.livemode', '0', true)"
    )))
    .await
    .unwrap();
    assert_eq!(
        count_contacts(&mut tx).await,
        1,
        "tenant A sees exactly its own row"
    );
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn a_cross_tenant_insert_is_rejected() {
    let Some((_db, _store, mut conn, a, b)) = setup().await else {
        return;
    };
    let mut tx = conn.begin().await.unwrap();
    tx.execute(sqlx::AssertSqlSafe(format!(
        "SET LOCAL ROLE confab_tenant; SELECT set_config('app.workspace_id', '{a}', true)"
    )))
    .await
    .unwrap();
    let err = tx
        .execute(sqlx::AssertSqlSafe(format!(
            "INSERT INTO contacts (id, workspace_id, livemode, created_at, updated_at) VALUES ('ctc_x', '{b}', 0, 1, 1)"
        )))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
}

#[tokio::test]
async fn the_tenant_setting_does_not_outlive_its_transaction() {
    let Some((_db, _store, mut conn, a, _)) = setup().await else {
        return;
    };
    let mut tx = conn.begin().await.unwrap();
    tx.execute(sqlx::AssertSqlSafe(format!(
        "SET LOCAL ROLE confab_tenant; SELECT set_config('app.workspace_id', '{a}', true)"
    )))
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let row = conn
        .fetch_one("SELECT current_user::text AS who, coalesce(current_setting('app.workspace_id', true), '') AS ws")
        .await
        .unwrap();
    assert_ne!(row.get::<String, _>("who"), "confab_tenant");
    assert_eq!(row.get::<String, _>("ws"), "");
}

#[tokio::test]
async fn a_tenant_transaction_sees_and_writes_only_its_mode() {
    let Some((_db, store, mut conn, a, _)) = setup().await else {
        return;
    };
    let ws = confab_core::id::WorkspaceId::parse(&a).unwrap();

    let mut c = contact("Live customer", 2_000);
    c.livemode = true;
    // A TenantTx in live mode writes it; one in test mode cannot see it.
    insert_contact(&store, &ws, true, &c).await;
    let mut test = store.tenant_read(&ws, false).await.unwrap();
    assert!(
        confab_store::contacts::get(&mut test, &c.id)
            .await
            .unwrap()
            .is_none()
    );
    drop(test);

    // Below the store, as the tenant role with the settings a TenantTx makes, and
    // queries that omit the mode.
    for (live, name) in [(0, "Tenant A"), (1, "Live customer")] {
        let mut tx = conn.begin().await.unwrap();
        tx.execute(sqlx::AssertSqlSafe(format!(
            "SET LOCAL ROLE confab_tenant; SELECT set_config('app.workspace_id', '{a}', true), set_config('app.livemode', '{live}', true)"
        )))
        .await
        .unwrap();
        let rows = tx.fetch_all("SELECT name FROM contacts").await.unwrap();
        let seen: Vec<String> = rows.iter().map(|r| r.get("name")).collect();
        assert_eq!(seen, vec![name.to_owned()], "mode {live}");
        let other = 1 - live;
        let err = tx
            .execute(sqlx::AssertSqlSafe(format!(
                "INSERT INTO contacts (id, workspace_id, livemode, created_at, updated_at) VALUES ('ctc_m{live}', '{a}', {other}, 1, 1)"
            )))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("row-level security"), "{err}");
        tx.rollback().await.unwrap();
    }

    // Without a mode set, nothing is visible even with the workspace set.
    let mut tx = conn.begin().await.unwrap();
    tx.execute(sqlx::AssertSqlSafe(format!(
        "SET LOCAL ROLE confab_tenant; SELECT set_config('app.workspace_id', '{a}', true)"
    )))
    .await
    .unwrap();
    assert_eq!(
        count_contacts(&mut tx).await,
        0,
        "no mode set: nothing visible"
    );
    tx.rollback().await.unwrap();
}

/// The contacts a raw query without any filter sees.
async fn count_contacts(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> i64 {
    tx.fetch_one("SELECT COUNT(*) AS n FROM contacts")
        .await
        .unwrap()
        .get("n")
}

/// Through the store API: `webhook_endpoints::for_key` names a key's endpoint by
/// workspace and key only (no mode), so only row-level security keeps a TenantTx of the
/// other mode from it, and from writing into the other mode.
#[tokio::test]
async fn a_tenant_tx_query_that_omits_the_mode_sees_only_its_mode() {
    use confab_core::id::KeyId;
    use confab_store::webhook_endpoints::{for_key, insert_for_key};
    let Some((_db, store, _conn, a, _)) = setup().await else {
        return;
    };
    let ws = confab_core::id::WorkspaceId::parse(&a).unwrap();
    let now = confab_core::Timestamp::now();
    let (key, other_key) = (KeyId::generate(), KeyId::generate());
    let mut live = store.tenant(&ws, true).await.unwrap();
    let id = insert_for_key(&mut live, &key, true, None, "whsec_x", now)
        .await
        .unwrap();
    live.commit().await.unwrap();

    let mut test = store.tenant_read(&ws, false).await.unwrap();
    assert!(
        for_key(&mut test, &key).await.unwrap().is_none(),
        "a test-mode TenantTx does not see the live row"
    );
    drop(test);
    let mut live = store.tenant_read(&ws, true).await.unwrap();
    assert_eq!(for_key(&mut live, &key).await.unwrap().unwrap().id, id);
    drop(live);

    let mut test = store.tenant(&ws, false).await.unwrap();
    let err = insert_for_key(&mut test, &other_key, true, None, "whsec_y", now)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    drop(test);

    // Switching the TenantTx's mode moves the fence with it.
    let mut tx = store.tenant(&ws, false).await.unwrap();
    tx.set_livemode(true).await.unwrap();
    assert_eq!(for_key(&mut tx, &key).await.unwrap().unwrap().id, id);
}
