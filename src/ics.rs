//! The course as an iCalendar file (RFC 5545) so a clinic or patient can
//! import the sessions. Session times are floating local times (no TZID):
//! the plan is made in wall-clock time and the core knows no time zones, so
//! 08:00 must import as 08:00 wherever the calendar is. Output is a pure
//! function of its inputs: UIDs come from a seed, DTSTAMP from the caller.

use crate::calendar::{LocalDate, LocalDateTime};
use crate::timeline::{EventKind, SessionTimeline, Timeline};

const UID_DOMAIN: &str = "ketamine-planner";

/// FNV-1a, 64 bit: a stable, dependency-free digest so the UID is
/// deterministic without carrying the seed (which may identify a patient).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// TEXT value escaping (RFC 5545 3.3.11); control characters other than
/// tab are not allowed in TEXT, so they become spaces.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // text.replace("\r\n", "\n").replace('\r', "\n"), by chars: substring
    // patterns link core's two-way searcher (4 KB of wasm).
    let mut normalized = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            normalized.push('\n');
        } else {
            normalized.push(c);
        }
    }
    for c in normalized.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets (continuations start with one space,
/// which counts), never inside a UTF-8 character, and ends it with CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn ics_date(d: LocalDate) -> String {
    let (y, m, day) = d.ymd();
    format!("{y:04}{m:02}{day:02}")
}

fn ics_datetime(t: LocalDateTime) -> String {
    let (h, m) = t.hm();
    format!("{}T{h:02}{m:02}00", ics_date(t.date()))
}

/// "2026-12-07 08:00" for descriptions.
fn readable(t: LocalDateTime) -> String {
    let (h, m) = t.hm();
    format!("{} {h:02}:{m:02}", t.date())
}

fn session_description(summary: &str, s: &SessionTimeline, count: usize) -> String {
    let mut lines = vec![
        summary.to_string(),
        format!(
            "Session {} of {count}, {} {}.",
            s.index,
            s.weekday.name(),
            s.start.date()
        ),
        format!(
            "Arrival {}; infusion {} to {}; earliest discharge {}.",
            readable(s.arrival),
            readable(s.start),
            readable(s.end),
            readable(s.discharge_earliest)
        ),
        format!(
            "Planned dose this session: {}; cumulative: {}.",
            s.text.planned_mg, s.text.cumulative_mg
        ),
    ];
    // Every event except the 15-min vital-sign rows, which belong on the sheet.
    for e in s.events.iter().filter(|e| e.kind != EventKind::Vitals) {
        lines.push(format!("{}: {}", readable(e.at), e.label));
    }
    lines.push(format!(
        "Planned with ketamine-planner {}: a calculation aid; verify every value.",
        crate::VERSION
    ));
    lines.join("\n")
}

/// The course as an .ics file. `dtstamp` must be the current UTC time (RFC
/// 5545 requires DTSTAMP in UTC; the caller reads the clock, not the core).
/// `uid_seed` should be stable per plan, so re-importing a revised plan
/// updates its events instead of duplicating them.
///
/// Sessions are timed events from arrival to earliest discharge, the time
/// the patient and the escort must block. Boosters are all-day, tentative
/// and transparent events: their time is not planned yet, so none is invented.
pub fn course_ics(
    timeline: &Timeline,
    summary: &str,
    uid_seed: &str,
    dtstamp: LocalDateTime,
) -> String {
    let uid = format!("{:016x}", fnv1a(uid_seed));
    let stamp = format!("DTSTAMP:{}Z", ics_datetime(dtstamp));
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        push_line(&mut out, line);
    }
    push_line(
        &mut out,
        &format!(
            "PRODID:-//{UID_DOMAIN}//{UID_DOMAIN} {}//EN",
            crate::VERSION
        ),
    );
    let count = timeline.sessions.len();
    for s in &timeline.sessions {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(
            &mut out,
            &format!("UID:{uid}-session-{}@{UID_DOMAIN}", s.index),
        );
        push_line(&mut out, &stamp);
        push_line(&mut out, &format!("DTSTART:{}", ics_datetime(s.arrival)));
        push_line(
            &mut out,
            &format!("DTEND:{}", ics_datetime(s.discharge_earliest)),
        );
        let title = format!("{summary}: session {} of {count}", s.index);
        push_line(&mut out, &format!("SUMMARY:{}", escape_text(&title)));
        push_line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                escape_text(&session_description(summary, s, count))
            ),
        );
        push_line(&mut out, "LOCATION:");
        push_line(&mut out, "END:VEVENT");
    }
    for (i, b) in timeline.boosters.iter().enumerate() {
        push_line(&mut out, "BEGIN:VEVENT");
        push_line(
            &mut out,
            &format!("UID:{uid}-booster-{}@{UID_DOMAIN}", i + 1),
        );
        push_line(&mut out, &stamp);
        push_line(
            &mut out,
            &format!("DTSTART;VALUE=DATE:{}", ics_date(b.date)),
        );
        // One day long; at the last supported date DTEND is left out, which
        // RFC 5545 also reads as one day.
        if let Some(next) = b.date.checked_add_days(1) {
            push_line(&mut out, &format!("DTEND;VALUE=DATE:{}", ics_date(next)));
        }
        push_line(
            &mut out,
            &format!(
                "SUMMARY:{}",
                escape_text(&format!("{summary}: {}", b.label))
            ),
        );
        let description = format!("{summary}\n{}\nOccurrence {} of this phase. Date and time to be confirmed by the clinic.", b.label, b.occurrence);
        push_line(
            &mut out,
            &format!("DESCRIPTION:{}", escape_text(&description)),
        );
        push_line(&mut out, "LOCATION:");
        push_line(&mut out, "STATUS:TENTATIVE");
        push_line(&mut out, "TRANSP:TRANSPARENT");
        push_line(&mut out, "END:VEVENT");
    }
    push_line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn line_breaks_normalize_as_str_replace(text in "[\r\na;,\\\\\u{e9}]{0,16}") {
            let expected = text.replace("\r\n", "\n").replace('\r', "\n");
            proptest::prop_assert_eq!(super::escape_text(&text), super::escape_text(&expected));
        }
    }
}
