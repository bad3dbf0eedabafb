//! Resources, availability and bookings: the calendar in the resource's own timezone,
//! the refusals with their reasons, and no overlap ever, also under a race.

use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};

use crate::concurrency::{all_at_once, tally};

/// Every day 09:00–12:00 and 13:00–17:00 in `timezone`, half-hour slots.
async fn resource(s: &TestServer, timezone: &str, extra: Value) -> Value {
    let all: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| {
            (
                (*d).to_owned(),
                json!([["09:00", "12:00"], ["13:00", "17:00"]]),
            )
        })
        .collect();
    let mut body =
        json!({"name": "Dr. Rao", "timezone": timezone, "working_hours": all, "horizon_days": 730});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let r = s.call("POST", "/v1/resources", s.sk(), Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json()
}

/// A local date a few days ahead of the app's clock.
fn days_ahead(s: &TestServer, days: i64) -> NaiveDate {
    (s.app.clock.now().to_datetime() + Duration::days(days)).date_naive()
}

fn booking(resource: &Value, contact: &Value, start: &str) -> Value {
    json!({"resource_id": resource["id"], "contact_id": contact["id"], "start": start})
}

both_backends! {
    async fn resources_are_created_checked_changed_and_deleted(backend) {
        let s = TestServer::start(backend).await;
        let r = resource(&s, "Asia/Kolkata", json!({"closed_dates": ["2027-01-26", "2026-12-25", "2027-01-26"], "min_notice_minutes": 60})).await;
        assert_eq!(r["object"], "resource");
        assert!(r["id"].as_str().unwrap().starts_with("res_"));
        assert_eq!(r["timezone"], "Asia/Kolkata");
        assert_eq!(r["slot_minutes"], 30);
        assert_eq!(r["closed_dates"], json!(["2026-12-25", "2027-01-26"]), "sorted, once each");
        assert_eq!(r["working_hours"]["mon"], json!([["09:00", "12:00"], ["13:00", "17:00"]]));
        let path = format!("/v1/resources/{}", r["id"].as_str().unwrap());
        assert_eq!(s.call("GET", &path, s.sk(), None).await.json(), r);

        let bad = s.call("POST", "/v1/resources", s.sk(), Some(json!({"timezone": "Moon/Base", "slot_minutes": 2,
            "working_hours": {"mon": [["10:00", "09:00"]]}, "closed_dates": ["26/01/2027"], "horizon_days": 0}))).await;
        assert_eq!(bad.status, 422, "{}", bad.text);
        let fields = bad.json()["error"]["fields"].clone();
        for f in ["name", "timezone", "slot_minutes", "working_hours.mon.0", "closed_dates.0", "horizon_days"] {
            assert!(fields[f].is_array(), "{f}: {fields}");
        }
        let changed = s.call("PATCH", &path, s.sk(), Some(json!({"slot_minutes": 15, "name": "Dr. Rao (clinic)"}))).await;
        assert_eq!(changed.status, 200, "{}", changed.text);
        assert_eq!(changed.json()["slot_minutes"], 15);
        assert_eq!(changed.json()["timezone"], "Asia/Kolkata", "absent fields stay");
        let list = s.call("GET", "/v1/resources", s.sk(), None).await.json();
        assert_eq!(list["data"].as_array().unwrap().len(), 1);
        // Live mode sees none of it.
        let live = s.call("GET", &path, &s.creds.live_secret_key, None).await;
        assert_eq!(live.status, 404);
        assert_eq!(s.call("DELETE", &path, s.sk(), None).await.status, 200);
        assert_eq!(s.call("GET", &path, s.sk(), None).await.status, 404);
    }
}

both_backends! {
    async fn availability_is_in_local_time_across_dst_and_midnight(backend) {
        let s = TestServer::start(backend).await;
        // The next last Sunday of March: London moves its clocks from 01:00 to 02:00.
        let year = s.app.clock.now().to_datetime().year() + 1;
        let mut dst = NaiveDate::from_ymd_opt(year, 3, 31).unwrap();
        while dst.weekday() != Weekday::Sun {
            dst = dst.pred_opt().unwrap();
        }
        let allday: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
            .iter().map(|d| ((*d).to_owned(), json!([["00:00", "24:00"]]))).collect();
        let london = resource(&s, "Europe/London", json!({"working_hours": allday})).await;
        let q = |r: &Value, date: NaiveDate, minutes: u32| format!("/v1/availability?resource_id={}&date={date}&duration_minutes={minutes}", r["id"].as_str().unwrap());
        let a = s.call("GET", &q(&london, dst, 60), s.sk(), None).await;
        assert_eq!(a.status, 200, "{}", a.text);
        let a = a.json();
        assert_eq!(a["object"], "availability");
        assert_eq!(a["timezone"], "Europe/London");
        let slots = a["slots"].as_array().unwrap();
        assert_eq!(slots.len(), 45, "a 23-hour day: one-hour bookings every half hour");
        assert_eq!(slots[0]["start"], format!("{dst}T00:00:00+00:00"));
        assert_eq!(slots[2]["start"], format!("{dst}T02:00:00+01:00"), "01:00 does not exist that night");
        let next = s.call("GET", &q(&london, dst.succ_opt().unwrap(), 60), s.sk(), None).await.json();
        assert_eq!(next["slots"][0]["start"], format!("{}T00:00:00+01:00", dst.succ_opt().unwrap()));

        // Tokyo's morning is the previous evening in UTC: a booking there shows on the
        // Tokyo date, and only there.
        let tokyo = resource(&s, "Asia/Tokyo", json!({})).await;
        let day = days_ahead(&s, 10);
        let contact = s.contact(json!({"name": "Aiko"})).await;
        let start = format!("{day}T09:00:00+09:00");
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(booking(&tokyo, &contact, &start))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json()["start"], start);
        assert_eq!(r.json()["end"], format!("{day}T09:30:00+09:00"));
        let free = s.call("GET", &format!("/v1/availability?resource_id={}&date={day}", tokyo["id"].as_str().unwrap()), s.sk(), None).await.json();
        let starts: Vec<&str> = free["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap()).collect();
        assert_eq!(starts.len(), 13, "14 half hours of work, one booked: {starts:?}");
        assert!(!starts.contains(&start.as_str()));
        assert_eq!(starts[0], format!("{day}T09:30:00+09:00"));
        assert!(starts.contains(&format!("{day}T13:00:00+09:00").as_str()), "the break is skipped, not the afternoon");

        let bad = s.call("GET", "/v1/availability?resource_id=nope&date=tomorrow&duration_minutes=0", s.sk(), None).await;
        assert_eq!(bad.status, 422, "{}", bad.text);
        let fields = bad.json()["error"]["fields"].clone();
        for f in ["resource_id", "date", "duration_minutes"] {
            assert!(fields[f].is_array(), "{f}: {fields}");
        }
    }
}

both_backends! {
    async fn bookings_refuse_with_reasons_never_overlap_move_cancel_and_export(backend) {
        let s = TestServer::start(backend).await;
        let day = days_ahead(&s, 5);
        let res = resource(&s, "UTC", json!({"min_notice_minutes": 120, "horizon_days": 30, "closed_dates": [days_ahead(&s, 6).to_string()]})).await;
        let contact = s.contact(json!({"name": "John Smith"})).await;
        let at = |t: &str| format!("{day}T{t}:00Z");

        let r = s.call("POST", "/v1/bookings", s.sk(), Some(json!({"resource_id": res["id"], "contact_id": contact["id"],
            "start": at("10:00"), "duration_minutes": 60, "notes": "First visit"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let b = r.json();
        assert_eq!(b["object"], "booking");
        assert_eq!(b["status"], "confirmed");
        assert_eq!(b["duration_minutes"], 60);
        assert_eq!(b["start"], format!("{day}T10:00:00+00:00"));
        let created = s.events_of("booking.created").await;
        assert_eq!(created.len(), 1);
        assert_eq!(created[0]["data"]["id"], b["id"]);

        // Overlap is 409 SLOT_TAKEN; touching end to start is fine.
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(booking(&res, &contact, &at("10:30")))).await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(r.code(), "SLOT_TAKEN");
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(booking(&res, &contact, &at("11:00")))).await;
        assert_eq!(r.status, 201, "{}", r.text);

        let now = Utc::now();
        for (start, why) in [
            ((now - Duration::days(1)).format("%Y-%m-%dT10:00:00Z").to_string(), "in the past"),
            ((now + Duration::minutes(30)).format("%Y-%m-%dT%H:%M:00Z").to_string(), "minimum notice"),
            ((now + Duration::days(40)).format("%Y-%m-%dT10:00:00Z").to_string(), "horizon"),
            (format!("{}T10:00:00Z", days_ahead(&s, 6)), "closed"),
            (at("12:00"), "working hours"),
            (at("08:30"), "working hours"),
        ] {
            let r = s.call("POST", "/v1/bookings", s.sk(), Some(booking(&res, &contact, &start))).await;
            assert_eq!(r.status, 422, "{start}: {}", r.text);
            let msg = r.json()["error"]["fields"]["start"][0].as_str().unwrap().to_owned();
            assert!(msg.contains(why), "{start}: {msg}");
        }
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(json!({"resource_id": res["id"], "contact_id": "ctc_01J00000000000000000000000", "start": "10am"}))).await;
        assert_eq!(r.status, 422);
        assert!(r.json()["error"]["fields"]["start"].is_array());

        // Moving onto the other booking is refused; moving to a free time works.
        let path = format!("/v1/bookings/{}", b["id"].as_str().unwrap());
        let r = s.call("PATCH", &path, s.sk(), Some(json!({"start": at("10:30")}))).await;
        assert_eq!(r.status, 409, "{}", r.text);
        let r = s.call("PATCH", &path, s.sk(), Some(json!({"start": at("14:00"), "notes": null}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["start"], format!("{day}T14:00:00+00:00"));
        assert_eq!(r.json()["duration_minutes"], 60, "the length stays");
        assert_eq!(r.json()["notes"], json!(null));
        assert_eq!(s.events_of("booking.rescheduled").await.len(), 1);

        // The calendar file.
        let ics = s.call("GET", &format!("{path}/ics"), s.sk(), None).await;
        assert_eq!(ics.status, 200);
        assert_eq!(ics.header("content-type"), Some("text/calendar; charset=utf-8"));
        assert!(ics.text.contains(&format!("DTSTART:{}T140000Z\r\n", day.format("%Y%m%d"))), "{}", ics.text);
        assert!(ics.text.contains("SUMMARY:Dr. Rao\r\n") && ics.text.contains("STATUS:CONFIRMED"));

        // Cancelling frees the slot at once; twice is a 409.
        let r = s.call("POST", &format!("{path}/cancel"), s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["status"], "cancelled");
        assert_eq!(s.call("POST", &format!("{path}/cancel"), s.sk(), None).await.status, 409);
        assert_eq!(s.call("PATCH", &path, s.sk(), Some(json!({"start": at("15:00")}))).await.status, 409);
        assert_eq!(s.events_of("booking.cancelled").await.len(), 1);
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(booking(&res, &contact, &at("14:00")))).await;
        assert_eq!(r.status, 201, "the cancelled slot is free: {}", r.text);
        assert!(s.call("GET", &format!("{path}/ics"), s.sk(), None).await.text.contains("STATUS:CANCELLED"));

        let mine = s.call("GET", &format!("/v1/bookings?contact_id={}&status=confirmed", contact["id"].as_str().unwrap()), s.sk(), None).await.json();
        assert_eq!(mine["data"].as_array().unwrap().len(), 2);
        // A resource with upcoming bookings cannot go.
        let gone = s.call("DELETE", &format!("/v1/resources/{}", res["id"].as_str().unwrap()), s.sk(), None).await;
        assert_eq!(gone.status, 409, "{}", gone.text);
        // Erasing the contact erases their bookings.
        s.call("DELETE", &format!("/v1/contacts/{}", contact["id"].as_str().unwrap()), s.sk(), None).await;
        let left = s.call("GET", "/v1/bookings", s.sk(), None).await.json();
        assert_eq!(left["data"], json!([]));
    }
}

both_backends! {
    /// Twenty requests for one slot at once: exactly one booking, nineteen 409s.
    async fn twenty_simultaneous_requests_for_one_slot_book_it_once(backend) {
        let s = TestServer::start(backend).await;
        let res = resource(&s, "Europe/Paris", json!({})).await;
        let contact = s.contact(json!({"name": "Maya"})).await;
        let start = format!("{}T10:00:00+01:00", days_ahead(&s, 20));
        // Half the requests ask for the same hour from an overlapping start.
        let calls = (0..20)
            .map(|i| {
                let start = if i % 2 == 0 { start.clone() } else { start.replace("10:00", "10:30") };
                let body = json!({"resource_id": res["id"], "contact_id": contact["id"], "start": start, "duration_minutes": 60});
                ("POST", "/v1/bookings".to_owned(), Some(body))
            })
            .collect();
        let answers = all_at_once(&s, s.sk(), calls).await;
        assert_eq!(tally(&answers), vec![(201, 1), (409, 19)], "{:?}", answers.iter().map(|a| &a.text).collect::<Vec<_>>());
        assert!(answers.iter().filter(|a| a.status == 409).all(|a| a.code() == "SLOT_TAKEN"));
        let all = s.call("GET", "/v1/bookings?status=confirmed", s.sk(), None).await.json();
        assert_eq!(all["data"].as_array().unwrap().len(), 1);
    }
}

both_backends! {
    /// A booking made for a conversation is confirmed there with the resource's local
    /// time, in the customer's language.
    async fn a_booking_is_confirmed_in_the_customers_conversation_and_language(backend) {
        let s = TestServer::start(backend).await;
        let res = resource(&s, "Asia/Dubai", json!({})).await;
        let day = days_ahead(&s, 4);
        let names = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"];
        let c = s.conversation(json!({"channel": "api", "contact": {"name": "Omar"},
            "message": {"text": "مرحبا، أريد حجز موعد مع الطبيب من فضلك"}})).await;
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(json!({"resource_id": res["id"], "contact_id": c["contact"]["id"],
            "start": format!("{day}T06:00:00Z"), "conversation_id": c["id"]}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let messages = s.messages(c["id"].as_str().unwrap()).await;
        let told = messages.last().unwrap();
        assert_eq!(told["role"], "ai");
        let text = told["text"].as_str().unwrap();
        let weekday = names[day.weekday().num_days_from_monday() as usize];
        assert!(text.contains(&format!("{weekday} {day} 10:00")) && text.contains("Asia/Dubai") && text.contains("Dr. Rao"), "{text}");

        // Someone else's conversation is refused, and nothing is booked.
        let other = s.conversation(json!({"channel": "api", "contact": {"name": "Lina"}, "message": {"text": "Hi"}})).await;
        let r = s.call("POST", "/v1/bookings", s.sk(), Some(json!({"resource_id": res["id"], "contact_id": c["contact"]["id"],
            "start": format!("{day}T07:00:00Z"), "conversation_id": other["id"]}))).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.json()["error"]["fields"]["conversation_id"].is_array());
        assert_eq!(s.call("GET", "/v1/bookings", s.sk(), None).await.json()["data"].as_array().unwrap().len(), 1);
    }
}
