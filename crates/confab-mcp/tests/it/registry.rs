//! The tool registry (`confab_app::tools`) without a transport: what each key sees, and
//! that a tool validates, refuses and acts exactly as its REST route.

use confab_app::tools::{self, ToolError};
use confab_app::{Ctx, auth};
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

const READ_TOOLS: [&str; 9] = [
    "search_contacts",
    "get_contact",
    "list_conversations",
    "get_conversation",
    "search_knowledge",
    "get_analytics",
    "list_tickets",
    "list_resources",
    "check_availability",
];

async fn ctx(s: &TestServer, key: &str) -> Ctx {
    auth::authenticate(&s.app, Some(key), None, "req_registry_test")
        .await
        .expect("the key authenticates")
}

async fn names(s: &TestServer, key: &str) -> Vec<&'static str> {
    let mut names: Vec<&str> = tools::visible(&ctx(s, key).await)
        .iter()
        .map(|t| t.name)
        .collect();
    names.sort_unstable();
    names
}

both_backends! {
    async fn scopes_decide_which_tools_a_key_sees(backend) {
        let s = TestServer::start(backend).await;
        assert_eq!(names(&s, s.sk()).await.len(), tools::catalog().len());
        let mut read = READ_TOOLS.to_vec();
        read.sort_unstable();
        assert_eq!(names(&s, &s.secret_key(&["read"]).await).await, read);
        assert_eq!(
            names(&s, &s.secret_key(&["contacts:write"]).await).await,
            ["create_contact", "get_contact", "search_contacts", "update_contact"]
        );
        assert_eq!(
            names(&s, &s.secret_key(&["knowledge:read"]).await).await,
            ["search_knowledge"]
        );
        assert!(names(&s, &s.secret_key(&["webhooks:write"]).await).await.is_empty());
        assert_eq!(
            names(&s, &s.secret_key(&["tickets:write", "bookings:read"]).await).await,
            ["check_availability", "create_ticket", "list_resources", "list_tickets", "reply_to_ticket"]
        );
        for tool in tools::catalog() {
            assert_eq!(tool.hints.read_only, READ_TOOLS.contains(&tool.name), "{}", tool.name);
        }
    }
}

both_backends! {
    async fn a_tool_acts_through_the_use_case_and_emits_its_event(backend) {
        let s = TestServer::start(backend).await;
        let ctx = ctx(&s, s.sk()).await;
        let created = tools::call(&ctx, "create_contact", json!({"name": "Ana Lima", "email": "ana@example.com", "tags": ["vip"]}))
            .await
            .expect("create_contact");
        let id = created.structured["id"].as_str().expect("id").to_owned();
        assert!(created.summary.contains(&id), "{}", created.summary);
        let rest = s.call("GET", &format!("/v1/contacts/{id}"), s.sk(), None).await;
        assert_eq!(rest.status, 200);
        assert_eq!(rest.json(), created.structured);
        assert_eq!(s.events_of("contact.created").await[0]["data"]["id"], id.as_str());

        let updated = tools::call(&ctx, "update_contact", json!({"contact_id": id, "phone": "+44 7700 900000", "name": null}))
            .await
            .expect("update_contact");
        assert_eq!(updated.structured["phone"], "+447700900000");
        assert_eq!(updated.structured["name"], Value::Null);
        assert_eq!(s.events_of("contact.updated").await.len(), 1);

        let found = tools::call(&ctx, "search_contacts", json!({"search": "example.com"}))
            .await
            .expect("search_contacts");
        assert_eq!(found.structured["data"][0]["id"], id.as_str());
        assert_eq!(found.structured["object"], "list");
    }
}

both_backends! {
    async fn bad_arguments_get_the_rest_routes_field_errors(backend) {
        let s = TestServer::start(backend).await;
        let ctx = ctx(&s, s.sk()).await;
        for body in [
            json!({"email": "not-an-address"}),
            json!({"name": "Ana", "favourite_colour": "blue"}),
            json!({"name": 42}),
            json!({}),
        ] {
            let rest = s.call("POST", "/v1/contacts", s.sk(), Some(body.clone())).await;
            assert_eq!(rest.status, 422, "{}", rest.text);
            let Err(ToolError::InvalidArguments(fields)) = tools::call(&ctx, "create_contact", body.clone()).await else {
                panic!("{body} is invalid");
            };
            assert_eq!(serde_json::to_value(&fields).unwrap(), rest.json()["error"]["fields"], "{body}");
        }
        let Err(ToolError::InvalidArguments(fields)) = tools::call(&ctx, "get_contact", json!({})).await else {
            panic!("get_contact needs contact_id");
        };
        assert_eq!(serde_json::to_value(&fields).unwrap(), json!({"contact_id": ["is required"]}));
        let err = tools::call(&ctx, "search_contacts", json!("everyone")).await.unwrap_err();
        assert!(matches!(err, ToolError::InvalidArguments(_)), "{err:?}");
        let err = tools::call(&ctx, "list_conversations", json!({"status": "closed", "limit": 500})).await.unwrap_err();
        let body = err.body("req_x");
        assert_eq!(body["error"]["code"], "VALIDATION_FAILED");
        assert_eq!(body["error"]["fields"]["limit"][0], "must be a whole number from 1 to 100");
    }
}

both_backends! {
    async fn unknown_tools_scopes_and_refusals_are_told_apart(backend) {
        let s = TestServer::start(backend).await;
        let full = ctx(&s, s.sk()).await;
        let err = tools::call(&full, "delete_everything", json!({})).await.unwrap_err();
        assert!(matches!(err, ToolError::UnknownTool(_)), "{err:?}");

        let read_only = ctx(&s, &s.secret_key(&["read"]).await).await;
        let err = tools::call(&read_only, "create_contact", json!({"name": "Nope"})).await.unwrap_err();
        let ToolError::Forbidden(message) = &err else { panic!("{err:?}") };
        assert!(message.contains("contacts:write"), "{message}");
        assert_eq!(err.code().as_str(), "FORBIDDEN");
        let listed = s.call("GET", "/v1/contacts", s.sk(), None).await.json();
        assert!(listed["data"].as_array().unwrap().is_empty(), "nothing was created");

        let err = tools::call(&full, "get_contact", json!({"contact_id": "ctc_01JAAAAAAAAAAAAAAAAAAAAAAA"})).await.unwrap_err();
        assert!(matches!(err, ToolError::Refused { .. }), "{err:?}");
        assert_eq!(err.code().as_str(), "NOT_FOUND");

        // Another mode's objects do not exist for a key.
        let contact = s.contact(json!({"name": "Test mode only"})).await;
        let live = ctx(&s, &s.creds.live_secret_key).await;
        let err = tools::call(&live, "get_contact", json!({"contact_id": contact["id"]})).await.unwrap_err();
        assert_eq!(err.code().as_str(), "NOT_FOUND");
    }
}

both_backends! {
    async fn conversation_tools_follow_the_hand_off_rules(backend) {
        let s = TestServer::start(backend).await;
        let ctx = ctx(&s, s.sk()).await;
        let conversation = s.conversation(json!({"contact": {"name": "Maya"}, "message": {"text": "Where is my order?"}})).await;
        let id = conversation["id"].as_str().unwrap();
        let got = tools::call(&ctx, "get_conversation", json!({"conversation_id": id})).await.unwrap();
        assert_eq!(got.structured["messages"][0]["text"], "Where is my order?");
        let note = tools::call(&ctx, "send_message", json!({"conversation_id": id, "role": "note", "text": "Order 1234 shipped Monday."}))
            .await
            .unwrap();
        assert_eq!(note.structured["role"], "note");
        let handed = tools::call(&ctx, "request_handoff", json!({"conversation_id": id, "reason": "wants a refund"})).await.unwrap();
        assert_eq!(handed.structured["handled_by"], "pending");
        let again = tools::call(&ctx, "request_handoff", json!({"conversation_id": id})).await.unwrap_err();
        assert_eq!(again.code().as_str(), "CONFLICT");
        let pending = tools::call(&ctx, "list_conversations", json!({"handled_by": "pending"})).await.unwrap();
        assert_eq!(pending.structured["data"][0]["id"], id);
        let resolved = tools::call(&ctx, "resolve_conversation", json!({"conversation_id": id, "resolution": {"outcome": "refunded"}}))
            .await
            .unwrap();
        assert_eq!(resolved.structured["status"], "resolved");
        let late = tools::call(&ctx, "send_message", json!({"conversation_id": id, "role": "agent", "text": "Anything else?"}))
            .await
            .unwrap_err();
        assert_eq!(late.code().as_str(), "CONVERSATION_RESOLVED");
        let events = s.events_of("conversation.resolved").await;
        assert_eq!(events[0]["data"]["resolution"]["outcome"], "refunded");
        let figures = tools::call(&ctx, "get_analytics", json!({"period": "week"})).await.unwrap();
        assert_eq!(figures.structured["total_chats"], 1);
        assert!(figures.summary.starts_with("This week: 1 chat, 1 message"), "{}", figures.summary);
    }
}
