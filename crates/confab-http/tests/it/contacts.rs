//! Contacts: CRUD, tags, blocking, export and erasure.

use confab_testkit::{TestBackend, TestServer, both_backends};
use serde_json::json;
use sqlx::{Connection, Row};

both_backends! {
    async fn create_read_update_and_list(backend) {
        let s = TestServer::start(backend).await;
        let c = s.contact(json!({
            "name": "John Smith", "email": "John@ACME.com", "phone": "+44 7700 900000",
            "external_id": "crm-42", "tags": ["vip", "London"], "attributes": {"company": "Acme Corp"}
        })).await;
        assert_eq!(c["object"], "contact");
        assert!(c["id"].as_str().unwrap().starts_with("ctc_"));
        assert_eq!(c["email"], "John@acme.com");
        assert_eq!(c["phone"], "+447700900000");
        assert_eq!(c["livemode"], false);
        assert!(c["created_at"].as_str().unwrap().ends_with('Z'));
        let id = c["id"].as_str().unwrap();

        let got = s.call("GET", &format!("/v1/contacts/{id}"), s.sk(), None).await;
        assert_eq!(got.json(), c);

        let patched = s.call("PATCH", &format!("/v1/contacts/{id}"), s.sk(), Some(json!({"phone": null, "name": "John S."}))).await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(patched.json()["phone"], serde_json::Value::Null);
        assert_eq!(patched.json()["name"], "John S.");
        assert_eq!(patched.json()["email"], "John@acme.com", "absent fields stay");

        let dup = s.call("POST", "/v1/contacts", s.sk(), Some(json!({"email": "john@acme.com"}))).await;
        assert_eq!(dup.status, 409);
        assert_eq!(dup.code(), "CONFLICT");

        let found = s.call("GET", "/v1/contacts?search=JOHN", s.sk(), None).await.json();
        assert_eq!(found["data"].as_array().unwrap().len(), 1);
        let by_tag = s.call("GET", "/v1/contacts?tag=london", s.sk(), None).await.json();
        assert_eq!(by_tag["data"][0]["id"], id);
        let none = s.call("GET", "/v1/contacts?tag=paris", s.sk(), None).await.json();
        assert!(none["data"].as_array().unwrap().is_empty());
    }
}

both_backends! {
    async fn validation_errors_name_their_fields(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("POST", "/v1/contacts", s.sk(), Some(json!({"email": "nope", "phone": "call me", "agent_id": "x"}))).await;
        assert_eq!(r.status, 422);
        let body = r.json();
        assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
        for field in ["email", "phone", "agent_id"] {
            assert!(body["error"]["fields"][field].is_array(), "{field} missing in {body}");
        }
        assert!(body["error"]["request_id"].as_str().unwrap().starts_with("req_"));
        let unknown = s.call("POST", "/v1/contacts", s.sk(), Some(json!({"name": "A", "colour": "red"}))).await;
        assert_eq!(unknown.status, 422);
        assert_eq!(unknown.json()["error"]["fields"]["colour"][0], "is not a known field");
        let wrong_type = s.call("POST", "/v1/contacts", s.sk(), Some(json!({"name": 5}))).await;
        assert_eq!(wrong_type.status, 422);
        assert!(wrong_type.json()["error"]["fields"]["name"].is_array());
        let empty = s.call("POST", "/v1/contacts", s.sk(), Some(json!({}))).await;
        assert_eq!(empty.status, 422);
        let bad_limit = s.call("GET", "/v1/contacts?limit=500", s.sk(), None).await;
        assert_eq!(bad_limit.status, 422);
        assert!(bad_limit.json()["error"]["fields"]["limit"].is_array());
        let bad_cursor = s.call("GET", "/v1/contacts?cursor=garbage", s.sk(), None).await;
        assert_eq!(bad_cursor.status, 422);
    }
}

both_backends! {
    async fn tags_blocking_and_their_events(backend) {
        let s = TestServer::start(backend).await;
        let id = s.contact(json!({"name": "Tagged"})).await["id"].as_str().unwrap().to_owned();
        let r = s.call("POST", &format!("/v1/contacts/{id}/tags"), s.sk(), Some(json!({"tags": ["vip", "beta", "vip"]}))).await;
        assert_eq!(r.json()["tags"], json!(["vip", "beta"]));
        let r = s.call("DELETE", &format!("/v1/contacts/{id}/tags/vip"), s.sk(), None).await;
        assert_eq!(r.json()["tags"], json!(["beta"]));
        let r = s.call("DELETE", &format!("/v1/contacts/{id}/tags/vip"), s.sk(), None).await;
        assert_eq!(r.status, 404);
        let r = s.call("POST", &format!("/v1/contacts/{id}/block"), s.sk(), None).await;
        assert_eq!(r.json()["blocked"], true);
        let r = s.call("POST", &format!("/v1/contacts/{id}/unblock"), s.sk(), None).await;
        assert_eq!(r.json()["blocked"], false);
        let events = s.call("GET", "/v1/events?type=contact.updated", s.sk(), None).await.json();
        assert_eq!(events["data"].as_array().unwrap().len(), 4);
        assert_eq!(events["data"][0]["data"]["blocked"], false, "newest first");
        let export = s.call("GET", &format!("/v1/contacts/{id}/export"), s.sk(), None).await.json();
        assert_eq!(export["object"], "contact_export");
        assert_eq!(export["contact"]["id"], id.as_str());
        assert_eq!(export["events"].as_array().unwrap().len(), 5, "created + 4 updates");
        let bad_type = s.call("GET", "/v1/events?type=contact.exploded", s.sk(), None).await;
        assert_eq!(bad_type.status, 422);
    }
}

/// Every text column of every table that contains `needle`, read as the database owner
/// (below row-level security).
pub(crate) async fn tables_mentioning(
    url: &str,
    backend: TestBackend,
    needle: &str,
) -> Vec<String> {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let columns_sql = match backend {
        TestBackend::Sqlite => {
            "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND upper(p.type) = 'TEXT'"
        }
        TestBackend::Postgres => {
            "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
             WHERE table_schema = 'public' AND data_type = 'text'"
        }
    };
    let columns = sqlx::query(columns_sql).fetch_all(&mut conn).await.unwrap();
    let mut hits = Vec::new();
    for row in columns {
        let (t, c): (String, String) = (row.get("t"), row.get("c"));
        let sql = format!("SELECT COUNT(*) AS n FROM {t} WHERE lower({c}) LIKE $1");
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(format!("%{}%", needle.to_lowercase()))
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get("n");
        if n > 0 {
            hits.push(format!("{t}.{c}"));
        }
    }
    hits
}

both_backends! {
    async fn erasure_leaves_no_trace_of_the_email(backend) {
        let s = TestServer::start(backend).await;
        let email = "erase.me@privacy.example";
        let created = s
            .send("POST", "/v1/contacts", Some(s.sk()),
                &[("content-type", "application/json"), ("idempotency-key", "create-erase-me")],
                Some(serde_json::to_vec(&json!({"name": "Erase Me", "email": email, "tags": ["gdpr"]})).unwrap()))
            .await;
        assert_eq!(created.status, 201);
        let id = created.json()["id"].as_str().unwrap().to_owned();
        s.call("PATCH", &format!("/v1/contacts/{id}"), s.sk(), Some(json!({"attributes": {"note": email}}))).await;
        // Their conversation, their words and what the AI wrote back.
        let c = s.conversation(json!({"contact_id": id, "message": {"text": format!("reach me at {email}")}})).await;
        s.call("POST", &format!("/v1/conversations/{}/messages", c["id"].as_str().unwrap()), s.sk(),
            Some(json!({"role": "agent", "text": format!("We will write to {email}")}))).await;
        assert!(!tables_mentioning(&s.db.url, backend, email).await.is_empty(), "the email was stored");

        let erased = s.call("DELETE", &format!("/v1/contacts/{id}"), s.sk(), None).await;
        assert_eq!(erased.status, 200);
        assert_eq!(erased.json()["deleted"], true);
        assert_eq!(erased.json()["id"], id.as_str());
        assert!(!erased.text.contains(email));

        let left = tables_mentioning(&s.db.url, backend, email).await;
        assert!(left.is_empty(), "the email survives in {left:?}");
        assert!(tables_mentioning(&s.db.url, backend, "Erase Me").await.is_empty());
        let history = s.call("GET", &format!("/v1/conversations/{}/messages", c["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert!(history["data"].as_array().unwrap().iter().all(|m| m["text"] == ""), "message text erased");
        assert_eq!(s.call("GET", &format!("/v1/contacts/{id}"), s.sk(), None).await.status, 404);
        let deleted = s.call("GET", "/v1/events?type=contact.deleted", s.sk(), None).await.json();
        assert_eq!(deleted["data"][0]["data"]["id"], id.as_str());
        // The event log keeps its shape: the created event is still listed, redacted.
        let created_events = s.call("GET", "/v1/events?type=contact.created", s.sk(), None).await.json();
        assert_eq!(created_events["data"][0]["data"]["erased"], true);
    }
}

both_backends! {
    /// Erasure reaches the disk. SQLite: no byte of the email is left in the database
    /// file or its WAL (secure_delete zeroes freed content; a checkpoint empties the WAL).
    /// PostgreSQL: the touched tables are vacuumed after the erasure commits, so the dead
    /// tuples are gone from every read path and their space is reused.
    async fn erasure_reaches_the_disk(backend) {
        let s = TestServer::start(backend).await;
        let email = "disk.erase@privacy.example";
        let created = s.contact(json!({"name": "Disk Erase", "email": email, "attributes": {"note": email}})).await;
        let id = created["id"].as_str().unwrap().to_owned();
        let c = s.conversation(json!({"contact_id": id, "message": {"text": format!("reach me at {email}")}})).await;
        s.call("POST", &format!("/v1/conversations/{}/messages", c["id"].as_str().unwrap()), s.sk(),
            Some(json!({"role": "agent", "text": format!("We will write to {email}")}))).await;
        match backend {
            confab_testkit::TestBackend::Sqlite => {
                assert!(!sqlite_files_holding(&s, email).is_empty(), "the email was written to disk");
                assert_eq!(erase_with_key(&s, &id).await, 200);
                // The checkpoint runs after the answer, off the request path.
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                loop {
                    let left = sqlite_files_holding(&s, email);
                    if left.is_empty() {
                        break;
                    }
                    assert!(std::time::Instant::now() < deadline, "the email's bytes survive erasure in {left:?}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
            confab_testkit::TestBackend::Postgres => {
                let before = vacuums_of(&s.db.url, "contacts").await;
                assert_eq!(erase_with_key(&s, &id).await, 200);
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                while vacuums_of(&s.db.url, "contacts").await <= before {
                    assert!(std::time::Instant::now() < deadline, "contacts was not vacuumed after the erasure");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Erases under an `Idempotency-Key`, where the erasure commits only after its response
/// is stored: the purge must wait for that commit.
async fn erase_with_key(s: &TestServer, id: &str) -> u16 {
    s.send(
        "DELETE",
        &format!("/v1/contacts/{id}"),
        Some(s.sk()),
        &[("idempotency-key", "erase-to-disk")],
        None,
    )
    .await
    .status
}

/// The SQLite files (database, WAL) whose bytes contain `needle`.
fn sqlite_files_holding(s: &TestServer, needle: &str) -> Vec<String> {
    let dir = s.db.dir().expect("a SQLite test database has a directory");
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap_or_default();
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            hits.push(path.display().to_string());
        }
    }
    hits
}

/// How many times `table` has been vacuumed (PostgreSQL statistics).
async fn vacuums_of(url: &str, table: &str) -> i64 {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query(
        "SELECT CAST(vacuum_count AS BIGINT) AS n FROM pg_stat_user_tables WHERE relname = $1",
    )
    .bind(table)
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .get("n")
}
