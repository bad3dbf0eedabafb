//! Builders for store rows.

use confab_core::Timestamp;
use confab_core::contact::Contact;
use confab_core::id::{ContactId, WorkspaceId};
use confab_store::Store;
use confab_store::workspaces::{self, WorkspaceRow};
use serde_json::json;

pub async fn workspace(store: &Store) -> WorkspaceId {
    let mut tx = store.system().await.unwrap();
    let row = WorkspaceRow {
        id: WorkspaceId::generate(),
        name: "Test".into(),
        plan: "self_hosted".into(),
        identity_secret: "whsec_x".into(),
        timezone: confab_core::hours::Tz::UTC,
        working_hours: None,
        created_at: Timestamp::now(),
    };
    workspaces::insert(&mut tx, &row).await.unwrap();
    tx.commit().await.unwrap();
    row.id
}

pub fn contact(name: &str, created_at: i64) -> Contact {
    Contact {
        id: ContactId::generate(),
        object: confab_core::object::ObjectName::new(),
        name: Some(name.into()),
        email: Some(format!(
            "{}@example.com",
            name.to_lowercase().replace(' ', ".")
        )),
        phone: None,
        external_id: None,
        tags: vec!["vip".into()],
        attributes: json!({}),
        blocked: false,
        agent_id: None,
        created_at: Timestamp::from_millis(created_at),
        updated_at: Timestamp::from_millis(created_at),
        livemode: false,
    }
}

pub async fn insert_contact(store: &Store, ws: &WorkspaceId, livemode: bool, c: &Contact) {
    let mut tx = store.tenant(ws, livemode).await.unwrap();
    confab_store::contacts::insert(&mut tx, c).await.unwrap();
    tx.commit().await.unwrap();
}
