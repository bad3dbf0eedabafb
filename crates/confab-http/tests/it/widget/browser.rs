//! The widget and the hosted chat page in Chromium (`browser/widget.mjs`,
//! `browser/chat_page.mjs`, `browser/widget_rtl.mjs`), against a real server whose AI
//! reply worker runs, with screenshots under `<target>/browser-artifacts/`.

use std::sync::Arc;

use confab_app::replies::{AgentEngine, run_worker};
use confab_core::widget::user_hash;
use confab_testkit::{TestBackend, TestServer, both_backends, browser};
use serde_json::{Value, json};

use super::opening_hours;

/// A server that answers like production: the reply worker runs in the background and
/// knows the opening hours in English and Arabic.
async fn server(backend: TestBackend) -> TestServer {
    let s = TestServer::start(backend).await;
    opening_hours(&s).await;
    let r = s
        .call(
            "POST",
            "/v1/knowledge",
            s.sk(),
            Some(json!({"title": "ساعات العمل", "body": "نفتح من 9 إلى 6 كل يوم.",
                "questions": ["متى تفتحون؟", "ما هي ساعات العمل؟"], "intent": "opening_hours", "lang": "ar"})),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // The owner answers customers under a display name (their member name stays
    // "Owner" for the team).
    let me = s
        .send(
            "GET",
            "/v1/members/me",
            Some(&s.creds.owner_token),
            &[],
            None,
        )
        .await
        .json();
    let body = serde_json::to_vec(&json!({"display_name": "Owner"})).unwrap();
    let named = s
        .send(
            "PATCH",
            &format!("/v1/members/{}", me["id"].as_str().unwrap()),
            Some(&s.creds.owner_token),
            &[("content-type", "application/json")],
            Some(body),
        )
        .await;
    assert_eq!(named.status, 200, "{}", named.text);
    let engine = Arc::new(AgentEngine::new(s.app.clone()));
    tokio::spawn(run_worker(s.app.clone(), engine, s.background.clone()));
    s
}

fn config(s: &TestServer) -> Value {
    json!({
        "base_url": s.base,
        "site_key": s.creds.test_site_key,
        "secret_key": s.sk(),
        "owner_token": s.creds.owner_token,
    })
}

fn assert_shots(name: &str, shots: &[&str]) {
    for shot in shots {
        let path = browser::artifacts_dir(name).join(format!("{shot}.png"));
        assert!(path.exists(), "screenshot {}", path.display());
    }
}

both_backends! {
    async fn the_widget_on_a_customer_s_page(backend) {
        let s = server(backend).await;
        let secret = s.call("GET", "/v1/settings/widget", s.sk(), None).await.json()["identity_secret"].as_str().unwrap().to_owned();
        let mut config = config(&s);
        config["identity"] = json!({"external_id": "user-42", "name": "Maya Known", "email": "known@example.com",
            "user_hash": user_hash(&secret, "user-42")});
        let name = format!("widget-{backend:?}").to_lowercase();
        let Some(r) = browser::run("widget", &name, config).await else { return };
        println!("{r:#}");
        assert_eq!(r["launcher_label"], "Open chat");
        assert_eq!(r["launcher_background"], "rgb(79, 70, 229)", "the page's CSS does not reach the widget");
        assert!(!r["isolated_font"].as_str().unwrap().contains("Courier"), "{}", r["isolated_font"]);
        assert_eq!(r["panel_hidden_at_first"], true);
        assert_eq!(r["dialog"], json!(["dialog", "true"]));
        assert_eq!(r["focus_on_open"]["inPanel"], true);
        assert_eq!(r["focus_on_open"]["tag"], "input", "the name field first");
        assert_eq!(r["tab_stays_in_panel"], true, "focus is trapped in the open panel");
        assert_eq!(r["greeting"], "Hi! How can we help?");
        assert_eq!(r["pre_chat"], true);
        assert_eq!(r["customer_texts"], json!(["When do you open?"]));
        assert!(r["ai_texts"][0].as_str().unwrap().contains("9 to 6"), "{}", r["ai_texts"]);
        assert_eq!(r["pre_chat_after"], false);
        assert_eq!(r["same_page"], "not reloaded");
        assert!(r["on_message"].as_array().unwrap().contains(&json!("ai")), "Confab.on('message')");
        assert_eq!(r["status_waiting"], "Waiting for a person…");
        assert_eq!(r["human_button_after"], false);
        assert_eq!(r["handled_by_after_click"], "pending");
        assert_eq!(r["contact"], "maya@example.com");
        assert_eq!(r["typing"], "Owner is typing…");
        assert_eq!(r["agent_texts"], json!(["Hi Maya, Owner here. How can I help?"]));
        assert_eq!(r["agent_name_shown"], "Owner");
        assert_eq!(r["typing_hidden_after_reply"], true);
        assert_eq!(r["status_human"], "You are chatting with a person");
        assert!(r["handoff_acknowledged"].as_str().unwrap().contains("a person from our team"), "the customer is told what happens next");
        assert_eq!(r["attachment_link"], "receipt.txt");
        assert_eq!(r["attachment_via_api"], json!(["receipt.txt"]));
        assert_eq!(r["focus_after_close"]["cls"], "launcher", "focus returns to the launcher");
        assert_eq!(r["badge_label"], "Open chat, 1 unread");
        assert_eq!(r["cookies"], 0, "no cookies");
        assert_eq!(r["after_reload"], json!({
            "customer": ["When do you open?", "Here is my receipt"],
            "agents": ["Hi Maya, Owner here. How can I help?", "Thanks, I can see it."],
            "pre_chat": false, "badge_hidden": true, "status": "You are chatting with a person"}));
        assert_eq!(r["closed_by_api"], true);
        assert_eq!(r["stored_fields"], json!(["c", "e", "n", "o", "t", "u"]), "the stored visitor's field names never change");
        assert_eq!(r["earlier_visitor"], json!({"customer": ["When do you open?", "Here is my receipt"], "pre_chat": false}));
        assert_eq!(r["identified_pre_chat"], false, "identify() fills in the visitor");
        assert_eq!(r["identified_contact"]["name"], "Maya Known");
        assert!(r["polled_ai_texts"][0].as_str().unwrap().contains("9 to 6"), "{}", r["polled_ai_texts"]);
        assert_eq!(r["polled_with_since"], true);
        assert_eq!(r["opened_a_stream"], false);
        assert_eq!(r["page_errors"], json!([]));
        assert_shots(&name, &["01-launcher", "02-pre-chat", "03-ai-reply", "04-human-reply", "05-unread-badge", "06-after-reload", "07-identified"]);
        let known = s.call("GET", &format!("/v1/contacts/{}", r["identified_contact"]["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(known["external_id"], "user-42");
    }
}

both_backends! {
    async fn the_hosted_chat_page_on_a_phone(backend) {
        let s = server(backend).await;
        let renamed = s.call("PATCH", "/v1/account", &s.creds.owner_token, Some(json!({"name": "Café Amal"}))).await;
        assert_eq!(renamed.status, 200, "{}", renamed.text);
        let name = format!("chat-page-{backend:?}").to_lowercase();
        let Some(r) = browser::run("chat_page", &name, config(&s)).await else { return };
        println!("{r:#}");
        assert_eq!(r["title"], "Chat · Café Amal");
        assert_eq!(r["desktop_heading"], "Café Amal");
        assert!(r["heading_box"]["y"].as_f64().unwrap() + r["heading_box"]["height"].as_f64().unwrap() <= r["desktop_box"]["y"].as_f64().unwrap(), "the name sits above the card");
        assert!(r["viewport_meta"].as_str().unwrap().contains("width=device-width"));
        assert_eq!(r["launcher_visible"], false);
        assert_eq!(r["close_visible"], false);
        assert_eq!(r["panel_box"]["width"], 390, "full width");
        assert_eq!(r["panel_box"]["height"], 844, "full height");
        assert!(r["input_box"]["y"].as_f64().unwrap() < 844.0, "the composer is on screen");
        assert!(r["ai_texts"][0].as_str().unwrap().contains("9 to 6"), "{}", r["ai_texts"]);
        assert_eq!(r["handled_by"], "pending");
        assert_eq!(r["agent_texts"], json!(["A person here. Hello Omar!"]));
        assert_eq!(r["page_errors"], json!([]));
        let desk = &r["desktop_box"];
        let (x, width) = (desk["x"].as_f64().unwrap(), desk["width"].as_f64().unwrap());
        assert_eq!(width, 640.0, "a card on a desktop");
        assert!((x - (1280.0 - width) / 2.0).abs() < 1.0, "centred: {desk}");
        assert!(desk["y"].as_f64().unwrap() > 0.0 && desk["height"].as_f64().unwrap() < 800.0, "{desk}");
        assert_eq!(r["desktop_radius"], "16px");
        assert_shots(&name, &["01-hosted-page", "02-ai-reply", "03-human-reply", "04-desktop"]);
    }
}

both_backends! {
    async fn an_arabic_page_gets_a_right_to_left_widget(backend) {
        let s = server(backend).await;
        let name = format!("widget-rtl-{backend:?}").to_lowercase();
        let Some(r) = browser::run("widget_rtl", &name, config(&s)).await else { return };
        println!("{r:#}");
        assert_eq!(r["direction"], "rtl");
        assert_eq!(r["lang"], "ar");
        assert_eq!(r["placeholder"], "اكتب رسالة…");
        assert_eq!(r["greeting"], "مرحبًا! كيف يمكننا مساعدتك؟");
        assert_eq!(r["launcher_label"], "افتح المحادثة");
        assert!(r["ai_texts"][0].as_str().unwrap().contains("نفتح من 9 إلى 6"), "{}", r["ai_texts"]);
        assert_eq!(r["bubble_dirs"], json!(["auto"]), "every bubble and its text have dir=auto");
        assert_eq!(r["ai_text_direction"], "rtl");
        assert_eq!(r["customer_left_of_ai"], true);
        assert_eq!(r["hosted_direction"], "rtl");
        assert_eq!(r["hosted_send_label"], "إرسال");
        assert_shots(&name, &["01-arabic-widget", "02-arabic-hosted-page"]);
    }
}

both_backends! {
    /// A test key whose settings do not allow the page's origin: the widget cannot start,
    /// and it says why on the page (for the site's developer) and in the console, instead
    /// of showing nothing.
    async fn a_widget_that_cannot_start_says_why_to_the_developer(backend) {
        let s = server(backend).await;
        let body = serde_json::to_vec(&json!({"allowed_origins": ["https://shop.example.com"]})).unwrap();
        let locked = s.send("PUT", "/v1/settings/widget", Some(s.sk()), &[("content-type", "application/json")], Some(body)).await;
        assert!(locked.status < 300, "{}", locked.text);
        let name = format!("widget-notice-{backend:?}").to_lowercase();
        let Some(r) = browser::run("widget_notice", &name, config(&s)).await else { return };
        println!("{r:#}");
        let notice = r["notice"].as_str().unwrap();
        assert!(notice.contains("cannot start") && notice.contains("allowed_origins"), "{notice}");
        assert_eq!(r["role"], "alert");
        assert_eq!(r["launcher"], 0, "no launcher that would not work");
        assert_eq!(r["warned"], true, "the browser console says it too");
        assert_shots(&name, &["01-notice"]);
    }
}
