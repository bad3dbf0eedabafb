//! Cursor pagination keyed on (created_at, id).

use std::collections::HashSet;

use confab_core::page::PageRequest;
use confab_store::contacts::{self, ContactFilter};
use confab_testkit::{TestDb, both_backends};

use crate::fixtures::{contact, insert_contact, workspace};

both_backends! {
    async fn inserts_between_pages_neither_skip_nor_repeat(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let ws = workspace(&store).await;
        // Two rows share a timestamp so the id tie-break is exercised.
        let mut originals = Vec::new();
        for (i, ts) in [1_000, 2_000, 2_000, 3_000, 4_000].into_iter().enumerate() {
            let c = contact(&format!("Person {i}"), ts);
            insert_contact(&store, &ws, false, &c).await;
            originals.push(c.id.to_string());
        }
        let mut seen = Vec::new();
        let mut page = PageRequest::first(2);
        let mut extra = 0;
        loop {
            let mut tx = store.tenant_read(&ws, false).await.unwrap();
            let got = contacts::list(&mut tx, &ContactFilter::default(), &page).await.unwrap();
            drop(tx);
            seen.extend(got.data.iter().map(|c| c.id.to_string()));
            // New rows arrive while the client pages: they are newer than the cursor.
            extra += 1;
            insert_contact(&store, &ws, false, &contact(&format!("Newcomer {extra}"), 10_000 + extra)).await;
            match got.next_cursor {
                Some(cursor) => page = PageRequest::parse(Some("2"), Some(&cursor)).unwrap(),
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "a row was repeated: {seen:?}");
        for id in &originals {
            assert!(seen.contains(id), "row {id} was missed: {seen:?}");
        }
    }
}

both_backends! {
    async fn search_and_tag_filters(backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let ws = workspace(&store).await;
        let mut a = contact("Grace Hopper", 1_000);
        a.tags = vec!["London".into()];
        let b = contact("Alan Turing", 2_000);
        insert_contact(&store, &ws, false, &a).await;
        insert_contact(&store, &ws, false, &b).await;
        let mut tx = store.tenant_read(&ws, false).await.unwrap();
        let by_name = ContactFilter { search: Some("hopp".into()), ..ContactFilter::default() };
        let got = contacts::list(&mut tx, &by_name, &PageRequest::first(10)).await.unwrap();
        assert_eq!(got.data.len(), 1);
        assert_eq!(got.data[0].id, a.id);
        let by_tag = ContactFilter { tag: Some("london".into()), ..ContactFilter::default() };
        let got = contacts::list(&mut tx, &by_tag, &PageRequest::first(10)).await.unwrap();
        assert_eq!(got.data.iter().map(|c| &c.id).collect::<Vec<_>>(), vec![&a.id]);
        let wildcard = ContactFilter { search: Some("%".into()), ..ContactFilter::default() };
        assert!(contacts::list(&mut tx, &wildcard, &PageRequest::first(10)).await.unwrap().data.is_empty());
    }
}
