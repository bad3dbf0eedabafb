//! Every other resource that is read and written back: concurrent changes of different
//! fields all land, and list-like changes all accumulate.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use super::{N, all_at_once, tally};

/// A field and the value request `i` sends for it.
type Field<'a> = (&'a str, fn(usize) -> Value);

/// `N` PATCH-like requests at once, round-robin over `fields` (each with its own
/// value per request), for `rounds` rounds; after each round every field holds one of
/// the values sent for it in that round. A write that put back a stale copy of the
/// row would leave some field with the previous round's value.
async fn every_field_lands(
    s: &TestServer,
    key: &str,
    method: &'static str,
    path: &str,
    fields: &[Field<'_>],
    rounds: usize,
) {
    for round in 0..rounds {
        let calls = (0..N)
            .map(|i| {
                let (field, value) = fields[i % fields.len()];
                let body = json!({ field: value(round * N + i) });
                (method, path.to_owned(), Some(body))
            })
            .collect();
        let answers = all_at_once(s, key, calls).await;
        assert_eq!(
            tally(&answers),
            vec![(200, N)],
            "{path}: {}",
            answers[0].text
        );
        let after = s.call("GET", path, key, None).await.json();
        for (f, (field, value)) in fields.iter().enumerate() {
            let sent: Vec<Value> = (0..N)
                .filter(|i| i % fields.len() == f)
                .map(|i| value(round * N + i))
                .collect();
            let now = pointer(&after, field);
            assert!(
                sent.contains(&now),
                "{path} round {round}: {field} is {now}, not one of this round's values"
            );
        }
    }
}

/// A field of an object, also inside `config` (the widget settings' shape) or
/// `workspace` (the account's).
fn pointer(object: &Value, field: &str) -> Value {
    object
        .get(field)
        .or_else(|| object["config"].get(field))
        .or_else(|| object["workspace"].get(field))
        .cloned()
        .unwrap_or(Value::Null)
}

fn name(i: usize) -> Value {
    json!(format!("Name {i}"))
}
fn phone(i: usize) -> Value {
    json!(format!("+1555{i:07}"))
}
fn text(i: usize) -> Value {
    json!(format!("Text number {i}"))
}
fn url(i: usize) -> Value {
    json!(format!("https://hooks.example.com/{i}"))
}
fn color(i: usize) -> Value {
    json!(format!("#{:06x}", i * 1111 % 0xffffff))
}
fn cents(i: usize) -> Value {
    json!(100 + i)
}
/// Working hours unique to `i`, every day listed (as the account answers them).
fn hours(i: usize) -> Value {
    let close = format!("{:02}:{:02}", 12 + i / 60, i % 60);
    json!({"mon": [["09:00", close]], "tue": [], "wed": [], "thu": [], "fri": [], "sat": [], "sun": []})
}

both_backends! {
    async fn contacts_keep_every_concurrent_change(backend) {
        let s = TestServer::start(backend).await;
        let c = s.contact(json!({"name": "Maya", "email": "maya@example.com"})).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/contacts/{id}");
        every_field_lands(&s, s.sk(), "PATCH", &path, &[("name", name), ("phone", phone)], 3).await;

        // Tags added at once all stay.
        let calls = (0..N)
            .map(|i| ("POST", format!("/v1/contacts/{id}/tags"), Some(json!({"tags": [format!("t{i}")]}))))
            .collect();
        let answers = all_at_once(&s, s.sk(), calls).await;
        assert_eq!(tally(&answers), vec![(200, N)]);
        let tags = s.call("GET", &path, s.sk(), None).await.json()["tags"].as_array().unwrap().len();
        assert_eq!(tags, N, "every added tag is kept");
    }
}

both_backends! {
    async fn agents_knowledge_and_endpoints_keep_every_concurrent_change(backend) {
        let s = TestServer::start(backend).await;
        let agent = s.call("POST", "/v1/agents", s.sk(), Some(json!({"name": "Ava"}))).await;
        assert_eq!(agent.status, 201, "{}", agent.text);
        let path = format!("/v1/agents/{}", agent.json()["id"].as_str().unwrap());
        every_field_lands(&s, s.sk(), "PATCH", &path, &[("name", name), ("persona", text), ("instructions", text)], 3).await;

        let entry = s.call("POST", "/v1/knowledge", s.sk(), Some(json!({"title": "Hours", "body": "9 to 5"}))).await;
        assert_eq!(entry.status, 201, "{}", entry.text);
        let path = format!("/v1/knowledge/{}", entry.json()["id"].as_str().unwrap());
        every_field_lands(&s, s.sk(), "PATCH", &path, &[("title", name), ("body", text)], 3).await;

        let endpoint = s.endpoint(s.sk(), json!({"url": "https://hooks.example.com/a"})).await;
        let path = format!("/v1/webhook-endpoints/{}", endpoint["id"].as_str().unwrap());
        every_field_lands(&s, s.sk(), "PATCH", &path, &[("url", url), ("description", text)], 3).await;
    }
}

both_backends! {
    async fn widget_settings_and_keys_keep_every_concurrent_change(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        every_field_lands(&s, s.sk(), "PUT", "/v1/settings/widget", &[("greeting", text), ("agent_name", name), ("accent_color", color)], 3).await;

        let key = s.call("POST", "/v1/api-keys", &owner, Some(json!({"label": "CRM", "mode": "test"}))).await;
        assert_eq!(key.status, 201, "{}", key.text);
        let path = format!("/v1/api-keys/{}", key.json()["id"].as_str().unwrap());
        every_field_lands(&s, &owner, "PUT", &path, &[("label", name), ("budget_usd_cents", cents)], 3).await;
        every_field_lands(&s, &owner, "PATCH", "/v1/account", &[("name", name), ("working_hours", hours)], 3).await;
    }
}

both_backends! {
    /// Two owners demoting each other at once would each count two owners and leave
    /// none; one of them must stay.
    async fn two_owners_demoting_each_other_leave_one(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let me = s.call("GET", "/v1/members/me", &owner, None).await.json();
        let a = me["id"].as_str().unwrap().to_owned();
        let b = s.call("POST", "/v1/members", &owner, Some(json!({"name": "Bo", "email": "bo@example.com", "role": "owner"}))).await;
        assert_eq!(b.status, 201, "{}", b.text);
        let b = b.json()["id"].as_str().unwrap().to_owned();
        let b_token = s.call("POST", &format!("/v1/members/{b}/tokens"), &owner, None).await.json()["token"].as_str().unwrap().to_owned();
        for _ in 0..5 {
            // Each owner demotes the other, many times over, at once.
            let calls: Vec<_> = (0..N)
                .map(|i| if i % 2 == 0 { (&owner, &b) } else { (&b_token, &a) })
                .collect();
            let s = &s;
            futures::future::join_all(calls.into_iter().map(|(token, who)| async move {
                s.call("PATCH", &format!("/v1/members/{who}"), token, Some(json!({"role": "admin"}))).await
            }))
            .await;
            let members = s.call("GET", "/v1/members", &b_token, None).await.json();
            let owners: Vec<&Value> = members["data"].as_array().unwrap().iter().filter(|m| m["role"] == "owner").collect();
            assert_eq!(owners.len(), 1, "exactly one owner is left: {members}");
            let (survivor_token, other) = if owners[0]["id"] == a.as_str() { (&owner, &b) } else { (&b_token, &a) };
            let r = s.call("PATCH", &format!("/v1/members/{other}"), survivor_token, Some(json!({"role": "owner"}))).await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
}

both_backends! {
    /// Replacing the site key many times at once must leave exactly one working key,
    /// the one the settings show, with the origins it had.
    async fn simultaneous_site_key_replacements_leave_one_working_key(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("PUT", "/v1/settings/widget", s.sk(), Some(json!({"allowed_origins": ["https://shop.example.com"]}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let calls = (0..N).map(|_| ("POST", "/v1/settings/widget/site-key".to_owned(), None)).collect();
        let answers = all_at_once(&s, s.sk(), calls).await;
        assert_eq!(tally(&answers), vec![(200, N)]);
        let shown = s.call("GET", "/v1/settings/widget", s.sk(), None).await.json();
        assert_eq!(shown["allowed_origins"], json!(["https://shop.example.com"]));
        let mut working = Vec::new();
        for a in &answers {
            let key = a.json()["site_key"].as_str().unwrap().to_owned();
            let r = s.send("GET", "/v1/widget/config", None, &[("x-site-key", key.as_str())], None).await;
            if r.status == 200 {
                working.push(key);
            }
        }
        assert_eq!(working, vec![shown["site_key"].as_str().unwrap().to_owned()], "one working key, the one shown");
    }
}
