//! `GET /v1/analytics`: every figure checked against a fixed data set whose expected
//! values were worked out by hand.
//!
//! Rows are inserted with SQL at times relative to the real clock (the server's clock
//! cannot be moved from outside): `t0` is 00:00 UTC today, `w0` is Monday 00:00 UTC.
//!
//! | chat | ws / mode | channel | created | status | contact | requested | took over | first response |
//! |---|---|---|---|---|---|---|---|---|
//! | c1 | A test | web | t0 (exactly the start) | resolved | k1 | – | – | t0+2000 (2000) |
//! | c2 | A test | web | t0+1000 | open | k1 | t0+5000 | t0+6000 | t0+4001 (3001) |
//! | c3 | A test | web | t0+2000 | resolved | – | t0+8000 | t0+9000 | t0+12000 (10000) |
//! | c4 | A test | web | now-1s | resolved | – | – | now-1s | – |
//! | c5 | A test | whatsapp | t0+3000 | open | k2 | – | – | t0+3500 (500) |
//! | c6 | A test | web | t0-1 (just before today) | open | k3 | t0+10 | – | t0+20000 (20001) |
//! | c7 | A live | web | t0+1000 | resolved | – | – | – | – |
//! | c8 | B test | web | t0+1000 | resolved | – | – | – | – |
//! | c9 | A test | web | w0 (exactly; not on Mondays) | resolved | k3 | – | – | w0+7000 (7000) |
//! | c10 | A test | web | w0-1 (not on Mondays) | resolved | k1 | – | – | – |
//!
//! Messages (role @ time): c1: customer @t0, ai @t0+2000, note @t0+2500, system
//! @t0+2600; c2: customer @t0+1100, ai @t0+4000, customer @t0+4500, agent @t0+6000;
//! c3: customer @t0+2100, agent @t0+12000; c4: customer @now-1s; c5: customer @t0+3100,
//! ai @t0+3500; c6: customer @t0-1, ai @t0+20000; c7: customer @t0+1100, ai @t0+1200;
//! c8: customer @t0+1100, ai @t0+1200; c9: customer @w0+100, ai @w0+7000; c10: customer
//! @w0-1, customer @w0+50.

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Timelike, Utc, Weekday};
use confab_testkit::{TestServer, both_backends};
use serde_json::{Value, json};
use sqlx::Connection;

type Chat<'a> = (
    &'a str,         // id
    &'a str,         // workspace
    i64,             // livemode
    &'a str,         // channel
    &'a str,         // status
    Option<&'a str>, // contact
    i64,             // created_at
    Option<i64>,     // human_requested_at
    Option<i64>,     // human_took_over_at
    Option<i64>,     // first_response_at
);

async fn insert_chat(conn: &mut sqlx::AnyConnection, c: Chat<'_>) {
    let (id, ws, live, channel, status, contact, created, requested, took_over, first) = c;
    sqlx::query(
        "INSERT INTO conversations (id, workspace_id, livemode, channel, status, handled_by, contact_id, \
         human_requested_at, human_took_over_at, first_response_at, last_activity_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'ai', $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(ws)
    .bind(live)
    .bind(channel)
    .bind(status)
    .bind(contact)
    .bind(requested)
    .bind(took_over)
    .bind(first)
    .bind(created)
    .bind(created)
    .bind(created)
    .execute(&mut *conn)
    .await
    .unwrap_or_else(|e| panic!("insert {id}: {e}"));
}

async fn insert_message(
    conn: &mut sqlx::AnyConnection,
    (id, ws, live, chat, role, at): (&str, &str, i64, &str, &str, i64),
) {
    let author = match role {
        "customer" => "contact",
        "ai" | "system" => "ai",
        _ => "member",
    };
    sqlx::query(
        "INSERT INTO messages (id, workspace_id, livemode, conversation_id, role, text, author_type, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'hello', $6, $7)",
    )
    .bind(id)
    .bind(ws)
    .bind(live)
    .bind(chat)
    .bind(role)
    .bind(author)
    .bind(at)
    .execute(&mut *conn)
    .await
    .unwrap_or_else(|e| panic!("insert {id}: {e}"));
}

/// Asserts each field of `expected` (the rest of `body` is not checked here).
fn check(what: &str, body: &Value, expected: Value) {
    for (field, want) in expected.as_object().unwrap() {
        assert_eq!(&body[field], want, "{what}: `{field}` in {body}");
    }
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn sum(body: &Value, field: &str) -> i64 {
    body["chart_data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b[field].as_i64().unwrap())
        .sum()
}

/// The expected figures for today without a channel filter (and for the week on a
/// Monday, when the two periods coincide and c9, c10 are not inserted).
fn today_all() -> Value {
    json!({
        "object": "analytics",
        "channel": null,
        "livemode": false,
        "total_chats": 5,
        "engaged_chats": 4,
        "active_chats": 2,
        "completed_chats": 3,
        "unique_visitors": 4,
        "visitor_messages": 6,
        "bot_messages": 4,
        "agent_messages": 2,
        "total_messages": 12,
        "avg_messages_per_chat": 2.4,
        "handoff_rate": 0.4,
        "ai_resolution_rate": 0.3333,
        "median_first_response_ms": 2500,
    })
}

both_backends! {
    async fn figures_for_today_and_the_week_match_a_hand_counted_data_set(backend) {
        let now = Utc::now();
        let t0_at = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let since_midnight = (now - t0_at).num_milliseconds();
        if !(60_000..=86_400_000 - 60_000).contains(&since_midnight) {
            eprintln!("skipping: too close to midnight UTC for fixed periods ({now})");
            return;
        }
        let monday = now.weekday() == Weekday::Mon;
        let w0_at = t0_at - Duration::days(i64::from(now.weekday().num_days_from_monday()));
        let (t0, w0, now_ms) = (t0_at.timestamp_millis(), w0_at.timestamp_millis(), now.timestamp_millis());

        let s = TestServer::start(backend).await;
        let other = confab_app::workspaces::create(&s.app, "Other").await.unwrap();
        let (a, b) = (s.creds.workspace_id.to_string(), other.workspace_id.to_string());
        let (a, b) = (a.as_str(), b.as_str());
        let mut conn = sqlx::AnyConnection::connect(&s.db.url).await.unwrap();

        let mut chats: Vec<Chat> = vec![
            ("cnv_c1", a, 0, "web", "resolved", Some("ctc_k1"), t0, None, None, Some(t0 + 2000)),
            ("cnv_c2", a, 0, "web", "open", Some("ctc_k1"), t0 + 1000, Some(t0 + 5000), Some(t0 + 6000), Some(t0 + 4001)),
            ("cnv_c3", a, 0, "web", "resolved", None, t0 + 2000, Some(t0 + 8000), Some(t0 + 9000), Some(t0 + 12000)),
            ("cnv_c4", a, 0, "web", "resolved", None, now_ms - 1000, None, Some(now_ms - 1000), None),
            ("cnv_c5", a, 0, "whatsapp", "open", Some("ctc_k2"), t0 + 3000, None, None, Some(t0 + 3500)),
            ("cnv_c6", a, 0, "web", "open", Some("ctc_k3"), t0 - 1, Some(t0 + 10), None, Some(t0 + 20000)),
            ("cnv_c7", a, 1, "web", "resolved", None, t0 + 1000, None, None, None),
            ("cnv_c8", b, 0, "web", "resolved", None, t0 + 1000, None, None, None),
        ];
        let mut messages = vec![
            ("msg_01", a, 0, "cnv_c1", "customer", t0),
            ("msg_02", a, 0, "cnv_c1", "ai", t0 + 2000),
            ("msg_03", a, 0, "cnv_c1", "note", t0 + 2500),
            ("msg_04", a, 0, "cnv_c1", "system", t0 + 2600),
            ("msg_05", a, 0, "cnv_c2", "customer", t0 + 1100),
            ("msg_06", a, 0, "cnv_c2", "ai", t0 + 4000),
            ("msg_07", a, 0, "cnv_c2", "customer", t0 + 4500),
            ("msg_08", a, 0, "cnv_c2", "agent", t0 + 6000),
            ("msg_09", a, 0, "cnv_c3", "customer", t0 + 2100),
            ("msg_10", a, 0, "cnv_c3", "agent", t0 + 12000),
            ("msg_11", a, 0, "cnv_c4", "customer", now_ms - 1000),
            ("msg_12", a, 0, "cnv_c5", "customer", t0 + 3100),
            ("msg_13", a, 0, "cnv_c5", "ai", t0 + 3500),
            ("msg_14", a, 0, "cnv_c6", "customer", t0 - 1),
            ("msg_15", a, 0, "cnv_c6", "ai", t0 + 20000),
            ("msg_16", a, 1, "cnv_c7", "customer", t0 + 1100),
            ("msg_17", a, 1, "cnv_c7", "ai", t0 + 1200),
            ("msg_18", b, 0, "cnv_c8", "customer", t0 + 1100),
            ("msg_19", b, 0, "cnv_c8", "ai", t0 + 1200),
        ];
        if !monday {
            chats.push(("cnv_c9", a, 0, "web", "resolved", Some("ctc_k3"), w0, None, None, Some(w0 + 7000)));
            chats.push(("cnv_c10", a, 0, "web", "resolved", Some("ctc_k1"), w0 - 1, None, None, None));
            messages.push(("msg_20", a, 0, "cnv_c9", "customer", w0 + 100));
            messages.push(("msg_21", a, 0, "cnv_c9", "ai", w0 + 7000));
            messages.push(("msg_22", a, 0, "cnv_c10", "customer", w0 - 1));
            messages.push(("msg_23", a, 0, "cnv_c10", "customer", w0 + 50));
        }
        for c in chats {
            insert_chat(&mut conn, c).await;
        }
        for m in messages {
            insert_message(&mut conn, m).await;
        }
        conn.close().await.unwrap();

        // Today, every channel; `period` defaults to today.
        let r = s.call("GET", "/v1/analytics", s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let today = r.json();
        check("today", &today, today_all());
        check("today", &today, json!({"period": "today", "from": rfc3339(t0_at)}));
        let to = DateTime::parse_from_rfc3339(today["to"].as_str().unwrap()).unwrap();
        assert!(to.timestamp_millis() >= now_ms && to.timestamp_millis() <= Utc::now().timestamp_millis(), "to is now: {to}");
        let explicit = s.call("GET", "/v1/analytics?period=today", s.sk(), None).await.json();
        check("today (explicit)", &explicit, today_all());

        // Today's chart: one bucket per hour so far, the current hour included.
        let chart = today["chart_data"].as_array().unwrap();
        assert_eq!(chart.len(), now.hour() as usize + 1, "{today}");
        assert_eq!(chart[0]["start"], rfc3339(t0_at));
        if chart.len() > 1 {
            assert_eq!(chart[1]["start"], rfc3339(t0_at + Duration::hours(1)));
        }
        assert_eq!(sum(&today, "chats"), 5);
        assert_eq!(sum(&today, "messages"), 12);
        // c4 and its message (now - 1 s) are in their hour; everything else in the first.
        let c4_hour = (now - Duration::seconds(1)).hour() as usize;
        if c4_hour == 0 {
            check("first hour", &chart[0], json!({"chats": 5, "messages": 12}));
        } else {
            check("first hour", &chart[0], json!({"chats": 4, "messages": 11}));
            check("c4's hour", &chart[c4_hour], json!({"chats": 1, "messages": 1}));
        }

        // Today, one channel.
        let web = s.call("GET", "/v1/analytics?channel=web", s.sk(), None).await.json();
        check("today web", &web, json!({
            "channel": "web",
            "total_chats": 4,
            "engaged_chats": 3,
            "active_chats": 1,
            "completed_chats": 3,
            "unique_visitors": 3,
            "visitor_messages": 5,
            "bot_messages": 3,
            "agent_messages": 2,
            "total_messages": 10,
            "avg_messages_per_chat": 2.5,
            "handoff_rate": 0.5,
            "ai_resolution_rate": 0.3333,
            "median_first_response_ms": 3001,
        }));
        assert_eq!(sum(&web, "chats"), 4);
        assert_eq!(sum(&web, "messages"), 10);
        let whatsapp = s.call("GET", "/v1/analytics?period=today&channel=whatsapp", s.sk(), None).await.json();
        check("today whatsapp", &whatsapp, json!({
            "channel": "whatsapp",
            "total_chats": 1,
            "engaged_chats": 1,
            "active_chats": 1,
            "completed_chats": 0,
            "unique_visitors": 1,
            "visitor_messages": 1,
            "bot_messages": 1,
            "agent_messages": 0,
            "total_messages": 2,
            "avg_messages_per_chat": 2.0,
            "handoff_rate": 0.0,
            "ai_resolution_rate": 0.0,
            "median_first_response_ms": 500,
        }));
        let telegram = s.call("GET", "/v1/analytics?channel=telegram", s.sk(), None).await.json();
        check("today telegram", &telegram, json!({
            "channel": "telegram",
            "total_chats": 0,
            "engaged_chats": 0,
            "active_chats": 0,
            "completed_chats": 0,
            "unique_visitors": 0,
            "visitor_messages": 0,
            "bot_messages": 0,
            "agent_messages": 0,
            "total_messages": 0,
            "avg_messages_per_chat": 0.0,
            "handoff_rate": 0.0,
            "ai_resolution_rate": 0.0,
            "median_first_response_ms": null,
        }));
        assert_eq!(telegram["chart_data"].as_array().unwrap().len(), now.hour() as usize + 1, "empty buckets are listed");
        assert_eq!(sum(&telegram, "chats"), 0);

        // The week.
        let week = s.call("GET", "/v1/analytics?period=week", s.sk(), None).await.json();
        check("week", &week, json!({"period": "week", "from": rfc3339(w0_at)}));
        let days = week["chart_data"].as_array().unwrap();
        assert_eq!(days.len(), now.weekday().number_from_monday() as usize, "{week}");
        assert_eq!(days[0]["start"], rfc3339(w0_at));
        check("today in the week", days.last().unwrap(), json!({"chats": 5, "messages": 12}));
        if monday {
            check("week (Monday)", &week, today_all());
        } else {
            check("week", &week, json!({
                "total_chats": 7,
                "engaged_chats": 6,
                "active_chats": 3,
                "completed_chats": 4,
                "unique_visitors": 5,
                "visitor_messages": 9,
                "bot_messages": 5,
                "agent_messages": 2,
                "total_messages": 16,
                "avg_messages_per_chat": 2.29,
                "handoff_rate": 0.4286,
                "ai_resolution_rate": 0.5,
                "median_first_response_ms": 5000,
            }));
            assert_eq!(sum(&week, "chats"), 7);
            assert_eq!(sum(&week, "messages"), 16);
        }

        // Month and year: calendar starts and one bucket per day or month so far.
        let month = s.call("GET", "/v1/analytics?period=month", s.sk(), None).await.json();
        let first = t0_at.with_day(1).unwrap();
        check("month", &month, json!({"period": "month", "from": rfc3339(first)}));
        assert_eq!(month["chart_data"].as_array().unwrap().len(), now.day() as usize);
        let year = s.call("GET", "/v1/analytics?period=year", s.sk(), None).await.json();
        let months = year["chart_data"].as_array().unwrap();
        assert_eq!(months.len(), now.month() as usize, "{year}");
        for (i, bucket) in months.iter().enumerate() {
            assert_eq!(bucket["start"], format!("{}-{:02}-01T00:00:00.000Z", now.year(), i + 1));
        }
        check("year", &year, json!({"from": format!("{}-01-01T00:00:00.000Z", now.year())}));

        // Live mode and the other workspace each see only their own chat.
        let live = s.call("GET", "/v1/analytics", &s.creds.live_secret_key, None).await.json();
        check("live", &live, json!({"livemode": true, "total_chats": 1, "completed_chats": 1, "total_messages": 2, "unique_visitors": 1}));
        let other_ws = s.call("GET", "/v1/analytics", &other.test_secret_key, None).await.json();
        check("other workspace", &other_ws, json!({"total_chats": 1, "visitor_messages": 1, "bot_messages": 1, "total_messages": 2}));
    }
}

both_backends! {
    async fn an_unknown_period_or_channel_is_rejected(backend) {
        let s = TestServer::start(backend).await;
        let r = s.call("GET", "/v1/analytics?period=decade", s.sk(), None).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(r.code(), "VALIDATION_FAILED");
        assert!(r.json()["error"]["fields"]["period"].is_array(), "{}", r.text);
        let r = s.call("GET", "/v1/analytics?period=week&channel=fax", s.sk(), None).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.json()["error"]["fields"]["channel"].is_array(), "{}", r.text);
        // An empty database answers zeros, not errors.
        let r = s.call("GET", "/v1/analytics?period=year", s.sk(), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        check("empty", &r.json(), json!({"total_chats": 0, "total_messages": 0, "avg_messages_per_chat": 0.0, "median_first_response_ms": null}));
    }
}
