//! The cross-tenant and cross-mode probe, derived from the OpenAPI document: every
//! operation whose path names an object is called on workspace A's live object with
//! workspace B's credentials and with workspace A's test-mode credentials, and must
//! answer 404 and change nothing. A new route with an id that this probe cannot fill or
//! give a body fails the test until it is taught here.

use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use crate::specimens::{self, Body, Caller, Operation, Specimens};

/// A body that the operation would accept from `caller` for its own object, so that a
/// leak would act. `None`: the probe does not know this operation.
fn probe_body(
    op: &Operation,
    ids: &std::collections::BTreeMap<&'static str, String>,
    caller: &Caller,
) -> Option<Body> {
    let body = match (op.method.as_str(), op.path.as_str()) {
        ("PATCH", "/v1/agents/{id}") => json!({"name": "Leaked"}),
        ("POST", "/v1/agents/{id}/preview") => json!({"text": "hello"}),
        ("PUT", "/v1/api-keys/{id}") => json!({"label": "Leaked"}),
        ("PATCH", "/v1/contacts/{id}") => json!({"name": "Leaked"}),
        ("POST", "/v1/contacts/{id}/tags") => json!({"tags": ["leaked"]}),
        ("PATCH", "/v1/conversations/{id}") => json!({"metadata": {"leaked": true}}),
        ("POST", "/v1/conversations/{id}/messages") => json!({"role": "agent", "text": "Leaked"}),
        ("POST", "/v1/conversations/{id}/assign") => json!({"member_id": ids["members"]}),
        ("POST", "/v1/conversations/{id}/handoff") => json!({"reason": "leaked"}),
        ("POST", "/v1/conversations/{id}/take-over") => json!({}),
        ("POST", "/v1/conversations/{id}/resolve") => json!({"resolution": {"outcome": "leaked"}}),
        ("PATCH", "/v1/knowledge/{id}") => json!({"title": "Leaked"}),
        ("PATCH", "/v1/members/{id}") => json!({"name": "Leaked"}),
        ("PATCH", "/v1/webhook-endpoints/{id}") => json!({"description": "Leaked"}),
        ("PATCH", "/v1/departments/{id}") => json!({"name": "Leaked"}),
        ("PATCH", "/v1/tickets/{id}") => json!({"subject": "Leaked"}),
        ("POST", "/v1/tickets/{id}/replies") => json!({"body": "Leaked"}),
        ("PATCH", "/v1/resources/{id}") => json!({"name": "Leaked"}),
        ("PATCH", "/v1/bookings/{id}") => json!({"notes": "Leaked"}),
        ("POST", "/v1/webhook-endpoints/{id}/replay") => json!({"since": "2000-01-01T00:00:00Z"}),
        ("POST", "/v1/widget/conversations/{visitor_token}/messages") => {
            json!({"message": "Leaked"})
        }
        ("POST", "/v1/widget/conversations/{visitor_token}/identify") => {
            json!({"external_id": "probe-user", "user_hash": caller.user_hash, "name": "Leaked"})
        }
        ("POST", "/v1/widget/conversations/{visitor_token}/files") => return Some(Body::File),
        _ if op.body.is_none() => return Some(Body::None),
        _ => return None,
    };
    Some(Body::Json(body))
}

/// Identity objects (members and their tokens) and departments belong to the workspace and span both
/// modes (ARCHITECTURE, Invariants), so only the other workspace is probed on them.
fn spans_modes(path: &str) -> bool {
    path.starts_with("/v1/members/") || path.starts_with("/v1/departments/")
}

/// What A's live objects look like, read with A's live credentials; fields that move
/// when a credential is merely used, or with the clock, are left out.
async fn snapshot(s: &TestServer, sp: &Specimens) -> Vec<(String, Value)> {
    let owner = &sp.a_live.bearer;
    let mut paths: Vec<String> = [
        "agents",
        "api-keys",
        "contacts",
        "conversations",
        "events",
        "files",
        "knowledge",
        "members",
        "webhook-endpoints",
        "webhook-deliveries",
        "departments",
        "tickets",
        "resources",
        "bookings",
    ]
    .iter()
    .map(|c| format!("/v1/{c}/{}", sp.ids[c]))
    .collect();
    paths.push(format!(
        "/v1/conversations/{}/messages",
        sp.ids["conversations"]
    ));
    paths.push(format!("/v1/members/{}/tokens", sp.ids["members"]));
    paths.push(format!("/v1/contacts/{}/export", sp.ids["contacts"]));
    paths.push("/v1/events?limit=100".into());
    paths.push("/v1/conversations?limit=100".into());
    paths.push("/v1/contacts?limit=100".into());
    paths.push(format!("/v1/tickets/{}/replies", sp.ids["tickets"]));
    let mut out = Vec::new();
    for path in paths {
        let r = s.call("GET", &path, owner, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        out.push((path, without_volatile(r.json())));
    }
    let task = s.get_task(&sp.a_live.task, &sp.ids["tasks"]).await;
    assert_eq!(task.status, 200, "{}", task.text);
    out.push(("task".into(), task.json()));
    let token = &sp.ids["visitor_token"];
    for path in [
        format!("/v1/widget/conversations/{token}"),
        format!("/v1/widget/conversations/{token}/messages"),
    ] {
        s.app.clock.advance(60_000);
        let r = s
            .send(
                "GET",
                &path,
                None,
                &[("x-site-key", &sp.a_live.site_key)],
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        out.push((path, r.json()));
    }
    out
}

fn without_volatile(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("last_used_at");
        o.remove("usage");
        o.remove("exported_at");
    }
    v
}

both_backends! {
    async fn no_operation_with_an_id_reaches_another_workspace_or_mode(backend) {
        let s = TestServer::start(backend).await;
        let sp = Specimens::create(&s).await;
        let before = snapshot(&s, &sp).await;
        let mut unknown = Vec::new();
        let mut leaks = Vec::new();
        let mut probed = 0;
        for op in specimens::operations(&s).await {
            if op.path_params.is_empty() {
                continue;
            }
            let path = match sp.fill(&op.path) {
                Ok(path) => path,
                Err(missing) => {
                    unknown.push(format!("{}: no specimen for {missing:?}", op.label()));
                    continue;
                }
            };
            if probe_body(&op, &sp.ids, &sp.b_live).is_none() {
                unknown.push(format!("{}: no probe body", op.label()));
                continue;
            }
            let mut callers: Vec<(&str, &Caller)> = vec![("workspace B", &sp.b_live)];
            if !spans_modes(&op.path) {
                callers.push(("A's test mode", &sp.a_test));
            }
            for (who, caller) in callers {
                let body = probe_body(&op, &sp.ids, caller).expect("known above");
                let r = specimens::send(&s, &op, &path, caller, body).await;
                probed += 1;
                let not_found = r.status == 404
                    && r.code() == "NOT_FOUND"
                    && r.json()["error"]["message"] != confab_http::NO_ROUTE_MESSAGE;
                if !not_found {
                    leaks.push(format!("{} as {who}: {} {}", op.label(), r.status, r.text));
                }
            }
        }
        assert!(unknown.is_empty(), "operations the probe cannot exercise; teach it: {unknown:#?}");
        assert!(leaks.is_empty(), "answered something other than 404: {leaks:#?}");
        assert!(probed > 80, "probed {probed}");
        let after = snapshot(&s, &sp).await;
        for ((path, was), (_, is)) in before.iter().zip(&after) {
            assert_eq!(was, is, "{path} changed");
        }
        // B saw nothing of A's, and made nothing in A.
        let b_events = s.call("GET", "/v1/events?limit=100", &sp.b.owner_token, None).await.json();
        assert!(b_events["data"].as_array().unwrap().is_empty(), "{b_events}");
    }
}
