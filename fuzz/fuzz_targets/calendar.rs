//! Proves that date and time parsing and arithmetic never panic: any text
//! through `LocalDateTime::parse` / `LocalDate::parse` (and their serde
//! forms), any parts through `from_ymd` / `at`, and any day or minute offset
//! through the checked additions. Also checks that an accepted text prints
//! back exactly as typed (the parse is strict, so nothing is reinterpreted).
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::calendar::{LocalDate, LocalDateTime};
use ketamine_planner_fuzz::When;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    text: String,
    parts: When,
    days: i64,
    minutes: i64,
    ymd: (i64, i64, i64),
    hm: (i64, i64),
}

fuzz_target!(|input: Input| {
    let anchor = LocalDate::from_ymd(2026, 1, 1).and_then(|d| d.at(0, 0));
    for text in [
        input.text.clone(),
        input.parts.date_time(),
        input.parts.date(),
    ] {
        if let Ok(t) = LocalDateTime::parse(&text, "start") {
            assert_eq!(t.to_string(), text, "invariant: date-time round trip");
            let _ = (t.hm(), t.date().weekday(), t.date().ymd());
            let _ = t.checked_add_minutes(input.minutes);
            let _ = t.checked_add_days(input.days);
            if let Some(a) = anchor {
                let _ = (a.minutes_until(t), t.minutes_until(a));
            }
        }
        if let Ok(d) = LocalDate::parse(&text, "previousCourseEnd") {
            assert_eq!(d.to_string(), text, "invariant: date round trip");
            let _ = d.checked_add_days(input.days);
            let _ = d.at(input.hm.0, input.hm.1);
            if let Some(a) = anchor {
                let _ = (a.date().days_until(d), d.days_until(a.date()));
            }
        }
        let json = serde_json::to_string(&text).unwrap_or_default();
        let _ = serde_json::from_str::<LocalDateTime>(&json);
        let _ = serde_json::from_str::<LocalDate>(&json);
    }
    if let Some(d) = LocalDate::from_ymd(input.ymd.0, input.ymd.1, input.ymd.2) {
        assert_eq!(d.ymd(), input.ymd, "invariant: from_ymd / ymd round trip");
        let _ = (
            d.weekday(),
            d.checked_add_days(input.days),
            d.at(input.hm.0, input.hm.1),
        );
    }
});
