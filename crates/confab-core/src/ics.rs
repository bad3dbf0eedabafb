//! iCalendar (RFC 5545) text for one event: CRLF line ends, lines folded at 75 octets
//! (never inside a UTF-8 character), text values escaped.

use chrono::{DateTime, Utc};

/// One VEVENT in a VCALENDAR.
pub struct CalendarEvent<'a> {
    /// Globally unique: the booking id and the host.
    pub uid: &'a str,
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: Option<&'a str>,
    pub cancelled: bool,
    /// Bumped on every change, so calendars replace the copy they hold.
    pub sequence: i64,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line: at most 75 octets a line, continuations start with a space.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

pub fn calendar(event: &CalendarEvent<'_>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Confab//Bookings//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        format!(
            "METHOD:{}",
            if event.cancelled { "CANCEL" } else { "PUBLISH" }
        ),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(event.uid)),
        format!("DTSTAMP:{}", utc(event.stamp)),
        format!("DTSTART:{}", utc(event.start)),
        format!("DTEND:{}", utc(event.end)),
        format!("SEQUENCE:{}", event.sequence),
        format!("SUMMARY:{}", escape(event.summary)),
    ];
    if let Some(d) = event.description {
        lines.push(format!("DESCRIPTION:{}", escape(d)));
    }
    lines.push(format!(
        "STATUS:{}",
        if event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    ));
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());
    let mut out = String::new();
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_escaped_folded_and_crlf_terminated() {
        let text = calendar(&CalendarEvent {
            uid: "bkg_01@confab",
            stamp: "2026-06-01T09:00:00Z".parse().unwrap(),
            start: "2026-06-02T04:30:00Z".parse().unwrap(),
            end: "2026-06-02T05:00:00Z".parse().unwrap(),
            summary: "Dr. Rao; check-up, room 2",
            description: Some(&format!("Line one\nمرحبا {}", "é".repeat(60))),
            cancelled: false,
            sequence: 0,
        });
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART:20260602T043000Z\r\n"));
        assert!(text.contains("SUMMARY:Dr. Rao\\; check-up\\, room 2\r\n"));
        assert!(text.contains("DESCRIPTION:Line one\\nمرحبا"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(
            unfolded.contains(&"é".repeat(60)),
            "folding never splits a character"
        );
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "only CRLF line ends"
        );
    }
}
