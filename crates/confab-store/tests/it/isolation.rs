//! Tenant and mode isolation through the store API, on both backends.

use confab_core::page::PageRequest;
use confab_store::contacts::{self, ContactFilter};
use confab_testkit::{TestDb, both_backends};

use crate::fixtures::{contact, insert_contact, workspace};

both_backends! {
    async fn another_workspace_sees_nothing(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let (a, b) = (workspace(&store).await, workspace(&store).await);
        let c = contact("Ada Lovelace", 1_000);
        insert_contact(&store, &a, false, &c).await;

        let mut tx = store.tenant(&b, false).await.unwrap();
        assert!(contacts::get(&mut tx, &c.id).await.unwrap().is_none());
        let page = contacts::list(&mut tx, &ContactFilter::default(), &PageRequest::first(100)).await.unwrap();
        assert!(page.data.is_empty());

        let mut tx = store.tenant_read(&a, false).await.unwrap();
        assert_eq!(contacts::get(&mut tx, &c.id).await.unwrap().unwrap().name.as_deref(), Some("Ada Lovelace"));
    }
}

both_backends! {
    async fn the_other_mode_sees_nothing(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let ws = workspace(&store).await;
        let live = contact("Live Person", 1_000);
        insert_contact(&store, &ws, true, &live).await;

        let mut test_tx = store.tenant_read(&ws, false).await.unwrap();
        assert!(contacts::get(&mut test_tx, &live.id).await.unwrap().is_none());
        assert!(contacts::find_by_email(&mut test_tx, live.email.as_deref().unwrap()).await.unwrap().is_none());
        let mut live_tx = store.tenant_read(&ws, true).await.unwrap();
        assert!(contacts::get(&mut live_tx, &live.id).await.unwrap().is_some());
    }
}

both_backends! {
    async fn duplicate_email_is_a_unique_violation(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let ws = workspace(&store).await;
        let first = contact("Same Name", 1_000);
        insert_contact(&store, &ws, false, &first).await;
        let mut again = contact("Same Name", 2_000);
        again.email = first.email.clone();
        let mut tx = store.tenant(&ws, false).await.unwrap();
        let err = contacts::insert(&mut tx, &again).await.unwrap_err();
        assert!(err.is_unique_on("email"), "{err}");
    }
}
