//! The workspace's working hours (`PATCH /v1/account`) and what a customer who asks for a
//! person is told: outside the hours, roughly when someone is back, in their language.

use chrono::Datelike;
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use crate::widget::{history, start, test_call};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const NAMES: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Hours open only two days after today (UTC, by the app's clock) from 09:00: closed now,
/// back on that day. Returns the hours and the day's English name.
fn closed_until_the_day_after_tomorrow(s: &TestServer) -> (Value, &'static str) {
    let today = s.app.clock.now().to_datetime().weekday();
    let day = (today.num_days_from_monday() as usize + 2) % 7;
    (json!({DAYS[day]: [["09:00", "17:00"]]}), NAMES[day])
}

both_backends! {
    async fn working_hours_are_set_checked_and_removed(backend) {
        let s = TestServer::start(backend).await;
        let owner = s.creds.owner_token.clone();
        let fresh = s.call("GET", "/v1/account", &owner, None).await.json();
        assert_eq!(fresh["workspace"]["timezone"], "UTC");
        assert_eq!(fresh["workspace"]["working_hours"], json!(null));

        let r = s.call("PATCH", "/v1/account", &owner, Some(json!({"timezone": "Europe/London",
            "working_hours": {"mon": [["13:30", "17:00"], ["09:00", "12:30"]], "sat": [["10:00", "24:00"]]}}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let w = &r.json()["workspace"];
        assert_eq!(w["timezone"], "Europe/London");
        assert_eq!(w["working_hours"]["mon"], json!([["09:00", "12:30"], ["13:30", "17:00"]]), "sorted");
        assert_eq!(w["working_hours"]["sat"], json!([["10:00", "24:00"]]));
        assert_eq!(w["working_hours"]["tue"], json!([]), "every day is listed, closed ones empty");

        let r = s.call("PATCH", "/v1/account", &owner, Some(json!({"timezone": "Mars/Olympus",
            "working_hours": {"mon": [["09:00", "12:00"], ["11:00", "17:00"]], "funday": [], "tue": [["9am", "5pm"]], "wed": [["17:00", "09:00"]]}}))).await;
        assert_eq!(r.status, 422, "{}", r.text);
        let fields = r.json()["error"]["fields"].clone();
        for f in ["timezone", "working_hours.mon", "working_hours.funday", "working_hours.tue.0", "working_hours.wed.0"] {
            assert!(fields[f].is_array(), "{f}: {fields}");
        }
        let shape = s.call("PATCH", "/v1/account", &owner, Some(json!({"working_hours": {"mon": "9-5"}}))).await;
        assert_eq!(shape.status, 422, "{}", shape.text);
        let kept = s.call("GET", "/v1/account", &owner, None).await.json();
        assert_eq!(kept["workspace"]["timezone"], "Europe/London", "nothing of a refused change is kept");

        let r = s.call("PATCH", "/v1/account", &owner, Some(json!({"working_hours": null}))).await;
        assert_eq!(r.json()["workspace"]["working_hours"], json!(null));
        assert_eq!(r.json()["workspace"]["timezone"], "Europe/London");
    }
}

both_backends! {
    async fn after_hours_the_customer_is_told_roughly_when_a_person_is_back(backend) {
        let s = TestServer::start(backend).await;
        // No hours: the acknowledgment promises no time.
        let (token, _) = start(&s, "hello").await;
        test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/handoff"), None).await;
        let told = history(&s, &token).await;
        assert!(!told[1]["text"].as_str().unwrap().contains("away"), "{told:?}");

        let (hours, day) = closed_until_the_day_after_tomorrow(&s);
        let r = s.call("PATCH", "/v1/account", &s.creds.owner_token, Some(json!({"working_hours": hours}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        crate::widget::next_window(&s);
        let (token, _) = start(&s, "hello").await;
        test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/handoff"), None).await;
        let text = history(&s, &token).await[1]["text"].as_str().unwrap().to_owned();
        assert!(text.contains("a person from our team"), "{text}");
        assert!(text.contains(&format!("after {day} 09:00 (UTC time)")), "{text}");
        // The request becomes a ticket, linked to the conversation, and the customer is told.
        let tickets = s.call("GET", "/v1/tickets", s.sk(), None).await.json();
        let ticket = tickets["data"][0].clone();
        assert_eq!(tickets["data"].as_array().unwrap().len(), 1, "{tickets}");
        assert!(text.contains(ticket["reference"].as_str().unwrap()), "{text}");
        assert_eq!(ticket["subject"], "Follow-up: asked for a person after hours");

        // The AI's own hand-off, asked in a message and in Spanish, says it too.
        let (token, _) = start(&s, "Quiero hablar con una persona, por favor").await;
        s.run_replies().await;
        let told = history(&s, &token).await;
        let reply = told.iter().rev().find(|m| m["role"] == "ai").unwrap()["text"].as_str().unwrap().to_owned();
        assert!(reply.contains("Nuestro equipo no está disponible") && reply.contains("09:00"), "{reply}");
        let spanish_day = ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"];
        let today = s.app.clock.now().to_datetime().weekday();
        assert!(reply.contains(spanish_day[(today.num_days_from_monday() as usize + 2) % 7]), "{reply}");
        let tickets = s.call("GET", "/v1/tickets", s.sk(), None).await.json()["data"].clone();
        assert_eq!(tickets.as_array().unwrap().len(), 2, "the AI's hand-off opened one too");
        assert_eq!(tickets[0]["subject"], "Follow-up: Quiero hablar con una persona, por favor");
        assert!(reply.contains("Hemos abierto el ticket") && reply.contains(tickets[0]["reference"].as_str().unwrap()), "{reply}");

        // Open now: no note.
        let always: Value = DAYS.iter().map(|d| ((*d).to_owned(), json!([["00:00", "24:00"]]))).collect::<serde_json::Map<_, _>>().into();
        s.call("PATCH", "/v1/account", &s.creds.owner_token, Some(json!({"working_hours": always}))).await;
        let (token, _) = start(&s, "hello").await;
        test_call(&s, "POST", &format!("/v1/widget/conversations/{token}/handoff"), None).await;
        let text = history(&s, &token).await[1]["text"].as_str().unwrap().to_owned();
        assert!(!text.contains("away"), "{text}");
        assert_eq!(s.call("GET", "/v1/tickets", s.sk(), None).await.json()["data"].as_array().unwrap().len(), 2, "in hours, no ticket");
    }
}
