//! Dates and times as people write them when they book ("next Tuesday at 10",
//! "tomorrow afternoon", "15 March 3pm", "غداً الساعة 3 مساءً"), read against the local
//! date of whoever is booked. Narrow on purpose: what it does not recognise stays
//! unknown, so the caller asks instead of guessing.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};

/// A part of the day said instead of a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    /// The local hours it covers, `[from, to)`.
    pub fn hours(self) -> (u32, u32) {
        match self {
            DayPart::Morning => (6, 12),
            DayPart::Afternoon => (12, 17),
            DayPart::Evening => (17, 22),
        }
    }
}

/// What a sentence says about when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct When {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub part: Option<DayPart>,
}

const WEEKDAYS_EN: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];
const WEEKDAYS_AR: [(&str, Weekday); 8] = [
    ("الاثنين", Weekday::Mon),
    ("الإثنين", Weekday::Mon),
    ("الثلاثاء", Weekday::Tue),
    ("الأربعاء", Weekday::Wed),
    ("الخميس", Weekday::Thu),
    ("الجمعة", Weekday::Fri),
    ("السبت", Weekday::Sat),
    ("الأحد", Weekday::Sun),
];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Arabic-Indic and Eastern Arabic-Indic digits as ASCII, lower-cased.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
            c => c,
        })
        .collect::<String>()
        .to_lowercase()
}

/// The first `weekday` strictly after `today`.
fn next(today: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() as i64
        - today.weekday().num_days_from_monday() as i64)
        % 7;
    today + Duration::days(if ahead == 0 { 7 } else { ahead })
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || ",.;!?،؟".contains(c))
        .filter(|w| !w.is_empty())
        .collect()
}

fn date_in(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let has = |w: &str| text.contains(w);
    if has("day after tomorrow") || has("بعد غد") {
        return Some(today + Duration::days(2));
    }
    if has("tomorrow") || ["غدا", "غداً", "بكرة", "بكره"].iter().any(|w| has(w)) {
        return Some(today + Duration::days(1));
    }
    if has("today") || has("اليوم") {
        return Some(today);
    }
    for (name, day) in WEEKDAYS_EN.iter().chain(WEEKDAYS_AR.iter()) {
        if has(name) {
            return Some(next(today, *day));
        }
    }
    // `2026-03-15`
    for w in words(text) {
        if let Ok(d) = NaiveDate::parse_from_str(w, "%Y-%m-%d") {
            return Some(d);
        }
    }
    // "15 March", "March 15", "15th of March".
    let ws = words(text);
    for (i, w) in ws.iter().enumerate() {
        let Some(month) = MONTHS
            .iter()
            .position(|m| w.starts_with(&m[..3]) && m.starts_with(w.trim_end_matches('.')))
        else {
            continue;
        };
        let day_of = |s: &str| -> Option<u32> {
            s.trim_end_matches(|c: char| c.is_alphabetic())
                .parse()
                .ok()
                .filter(|d| (1..=31).contains(d))
        };
        let day = i
            .checked_sub(1)
            .and_then(|j| day_of(ws[j]))
            .or_else(|| {
                i.checked_sub(2)
                    .filter(|j| ws[j + 1] == "of")
                    .and_then(|j| day_of(ws[j]))
            })
            .or_else(|| ws.get(i + 1).and_then(|s| day_of(s)))?;
        let month = month as u32 + 1;
        let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
        return Some(if this_year < today {
            NaiveDate::from_ymd_opt(today.year() + 1, month, day)?
        } else {
            this_year
        });
    }
    None
}

fn part_in(text: &str) -> Option<DayPart> {
    let has = |w: &str| text.contains(w);
    if has("afternoon") || has("بعد الظهر") || has("العصر") {
        Some(DayPart::Afternoon)
    } else if has("morning")
        || has("الصباح")
        || has("صباحا") && !text.chars().any(|c| c.is_ascii_digit())
    {
        Some(DayPart::Morning)
    } else if has("evening") || has("المساء") {
        Some(DayPart::Evening)
    } else {
        None
    }
}

fn time_in(text: &str, part: Option<DayPart>) -> Option<NaiveTime> {
    let ws = words(text);
    if ws.iter().any(|w| ["noon", "midday", "الظهر"].contains(w)) && !text.contains("بعد الظهر")
    {
        return NaiveTime::from_hms_opt(12, 0, 0);
    }
    for (i, w) in ws.iter().enumerate() {
        // "10", "10am", "10:30", "3pm", "15:00", "3.30pm"
        let digits_end = w
            .find(|c: char| !(c.is_ascii_digit() || c == ':'))
            .unwrap_or(w.len());
        let (num, suffix) = w.split_at(digits_end);
        if num.is_empty() || !num.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let (h, m) = match num.split_once(':') {
            Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            None => (num.parse::<u32>().ok()?, 0),
        };
        let next_word = ws.get(i + 1).copied().unwrap_or("");
        let before = i.checked_sub(1).map(|j| ws[j]).unwrap_or("");
        let marker = if suffix.is_empty() { next_word } else { suffix };
        // A bare number counts as a time only when something says so.
        let ordinal = ["st", "nd", "rd", "th"].contains(&suffix);
        let by_month = [before, next_word].iter().any(|n| {
            MONTHS
                .iter()
                .any(|m| n.len() >= 3 && m.starts_with(n.trim_end_matches('.')))
        });
        if ordinal || (by_month && !num.contains(':') && suffix.is_empty()) {
            continue;
        }
        let timely = !suffix.is_empty()
            || num.contains(':')
            || ["at", "الساعة", "الساعه", "around", "about"].contains(&before)
            || [
                "am",
                "pm",
                "a.m",
                "p.m",
                "o'clock",
                "صباحا",
                "صباحاً",
                "مساء",
                "مساءً",
                "مساءا",
                "ظهرا",
                "ظهراً",
            ]
            .iter()
            .any(|mk| marker.starts_with(mk));
        if !timely || h > 24 || m > 59 {
            continue;
        }
        let pm = marker.starts_with("pm")
            || marker.starts_with("p.m")
            || marker.starts_with("مساء")
            || marker.starts_with("ظهر");
        let am =
            marker.starts_with("am") || marker.starts_with("a.m") || marker.starts_with("صباح");
        let h = if pm && h < 12 {
            h + 12
        } else if am && h == 12 {
            0
        } else if !am && !pm && h < 12 {
            // No am or pm: the part of the day decides, else a working-day guess (3 is
            // 15:00, 10 is 10:00).
            match part {
                Some(DayPart::Afternoon | DayPart::Evening) => h + 12,
                Some(DayPart::Morning) => h,
                None if (1..=7).contains(&h) => h + 12,
                None => h,
            }
        } else {
            h
        };
        return NaiveTime::from_hms_opt(h % 24, m, 0);
    }
    None
}

/// Reads `text` against `today` (the local date of whoever is booked).
pub fn parse(text: &str, today: NaiveDate) -> When {
    let text = normalise(text);
    let part = part_in(&text);
    When {
        date: date_in(&text, today),
        time: time_in(&text, part),
        part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(h: u32, m: u32) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(h, m, 0)
    }

    // 2026-12-08 is a Tuesday.
    const TODAY: &str = "2026-12-08";

    #[test]
    fn english_days_and_times() {
        let today = d(TODAY);
        let cases = [
            ("next Tuesday at 10", Some("2026-12-15"), t(10, 0)),
            ("on Friday at 3pm", Some("2026-12-11"), t(15, 0)),
            ("tomorrow at 3", Some("2026-12-09"), t(15, 0)),
            ("today 15:30", Some("2026-12-08"), t(15, 30)),
            ("15 March at 9am", Some("2027-03-15"), t(9, 0)),
            ("March 15th, 10:45", Some("2027-03-15"), t(10, 45)),
            ("the 20th of December at noon", Some("2026-12-20"), t(12, 0)),
            ("2027-01-04 at 11am", Some("2027-01-04"), t(11, 0)),
            (
                "Can I come in tomorrow afternoon?",
                Some("2026-12-09"),
                None,
            ),
            ("12am", None, t(0, 0)),
        ];
        for (text, date, time) in cases {
            let w = parse(text, today);
            assert_eq!((w.date, w.time), (date.map(d), time), "{text}");
        }
        assert_eq!(
            parse("tomorrow afternoon", today).part,
            Some(DayPart::Afternoon)
        );
        assert_eq!(
            parse("I have 2 questions", today),
            When::default(),
            "a bare number is no time"
        );
    }

    #[test]
    fn arabic_days_and_times() {
        let today = d(TODAY);
        let cases = [
            ("غداً الساعة 3 مساءً", Some("2026-12-09"), t(15, 0)),
            ("يوم الخميس الساعة ١٠ صباحاً", Some("2026-12-10"), t(10, 0)),
            ("الأحد القادم الساعة 11", Some("2026-12-13"), t(11, 0)),
            ("بكرة الساعة 4:30", Some("2026-12-09"), t(16, 30)),
            ("اليوم بعد الظهر", Some("2026-12-08"), None),
        ];
        for (text, date, time) in cases {
            let w = parse(text, today);
            assert_eq!((w.date, w.time), (date.map(d), time), "{text}");
        }
        assert_eq!(
            parse("اليوم بعد الظهر", today).part,
            Some(DayPart::Afternoon)
        );
    }
}
