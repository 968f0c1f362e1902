//! Calendar, timeline, SVG and .ics tests. Expected dates are worked out by
//! hand in the comments, not by the code under test.

use ketamine_planner::alert::Level;
use ketamine_planner::calendar::{LocalDate, LocalDateTime, Weekday};
use ketamine_planner::ics::course_ics;
use ketamine_planner::timeline::*;
use proptest::prelude::*;

fn dt(text: &str) -> LocalDateTime {
    LocalDateTime::parse(text, "test").unwrap()
}

fn date(text: &str) -> LocalDate {
    LocalDate::parse(text, "test").unwrap()
}

fn step(at_minute: u32, ml: f64, mg: f64) -> RateChange {
    RateChange {
        at_minute,
        ml_per_hour: Some(ml),
        mg_per_hour: Some(mg),
        label: format!("{mg} mg/h = {ml:.1} mL/h"),
    }
}

/// A Schwartzman-like outpatient course: 240 min, 30 min pre, 120 min observation.
fn course(start: &str, schedule: Schedule, sessions: u32, infusion_minutes: u32) -> TimelineInput {
    TimelineInput {
        start: dt(start),
        schedule,
        sessions,
        infusion_minutes,
        pre_minutes: DEFAULT_PRE_MINUTES,
        observation_minutes: DEFAULT_OBSERVATION_MINUTES,
        premedication: None,
        rate_changes: vec![step(0, 12.5, 25.0)],
        session_mg: vec![Some(100.0); sessions as usize],
        booster: vec![].into(),
        follow_up: vec![].into(),
        previous_course_end: None,
        vitals_rows_minutes: None,
        no_driving_hours: 24,
    }
}

fn starts(t: &Timeline) -> Vec<String> {
    t.sessions.iter().map(|s| s.start.to_string()).collect()
}

fn events_of(s: &SessionTimeline, kind: EventKind) -> Vec<String> {
    s.events
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.at.to_string())
        .collect()
}

// ---------------------------------------------------------------- calendar

#[test]
fn parsing_is_strict() {
    for bad in [
        "2026-2-07",
        "2026-02-7",
        "2026/02/07",
        "2026-02-30",
        "2027-02-29",
        "1900-02-29",
        "2026-13-01",
        "2026-00-10",
        "1899-12-31",
        "2201-01-01",
        "+026-02-07",
        "2026-02-07 ",
        "",
        "２０２６-02-07",
    ] {
        let e = LocalDate::parse(bad, "start").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("start", "invalid_date"),
            "{bad}"
        );
    }
    for bad in [
        "2026-02-07T08:00:00",
        "2026-02-07 08:00",
        "2026-02-07T8:00",
        "2026-02-07T24:00",
        "2026-02-07T08:60",
        "2026-02-07T08:00Z",
        "2026-02-07",
    ] {
        let e = LocalDateTime::parse(bad, "sessions[0].start").unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("sessions[0].start", "invalid_date"),
            "{bad}"
        );
    }
    // 2000 is a leap year (divisible by 400), 1900 is not (divisible by 100).
    assert_eq!(date("2000-02-29").to_string(), "2000-02-29");
    assert_eq!(date("1900-01-01").to_string(), "1900-01-01");
    assert_eq!(date("2200-12-31").to_string(), "2200-12-31");
    assert_eq!(dt("2026-12-07T23:59").to_string(), "2026-12-07T23:59");
}

#[test]
fn leap_day_and_month_ends() {
    assert_eq!(
        date("2028-02-28").checked_add_days(1).unwrap().to_string(),
        "2028-02-29"
    );
    assert_eq!(
        date("2028-02-28").checked_add_days(2).unwrap().to_string(),
        "2028-03-01"
    );
    assert_eq!(
        date("2027-02-28").checked_add_days(1).unwrap().to_string(),
        "2027-03-01"
    );
    assert_eq!(
        date("2026-12-31").checked_add_days(1).unwrap().to_string(),
        "2027-01-01"
    );
    // 2028 has 366 days.
    assert_eq!(date("2028-01-01").days_until(date("2029-01-01")), 366);
    assert_eq!(
        dt("2028-02-28T23:30")
            .checked_add_minutes(45)
            .unwrap()
            .to_string(),
        "2028-02-29T00:15"
    );
    assert_eq!(
        dt("2027-01-01T00:10")
            .checked_add_minutes(-20)
            .unwrap()
            .to_string(),
        "2026-12-31T23:50"
    );
    assert!(date("2200-12-31").checked_add_days(1).is_none());
    assert!(date("1900-01-01").checked_add_days(-1).is_none());
}

#[test]
fn weekdays_and_differences() {
    // 2026-01-01 is a Thursday; 2026-12-07 is day 341 (334 days in Jan..Nov
    // + 7), 340 days later; 340 = 48 * 7 + 4, Thursday + 4 = Monday.
    assert_eq!(date("2026-01-01").weekday(), Weekday::Thursday);
    assert_eq!(date("2026-12-07").weekday(), Weekday::Monday);
    assert_eq!(date("2026-12-12").weekday(), Weekday::Saturday);
    assert_eq!(date("2028-02-29").weekday(), Weekday::Tuesday);
    assert_eq!(date("1970-01-01").weekday(), Weekday::Thursday);
    assert_eq!(date("1900-01-01").weekday(), Weekday::Monday);
    // 5 days of 1440 minutes across the year end.
    assert_eq!(
        dt("2026-12-29T08:00").minutes_until(dt("2027-01-03T08:00")),
        7200
    );
    assert_eq!(date("2027-01-03").days_until(date("2026-12-29")), -5);
}

#[test]
fn dates_serialize_as_iso_and_deserialize_strictly() {
    assert_eq!(
        serde_json::to_string(&dt("2026-12-07T08:05")).unwrap(),
        "\"2026-12-07T08:05\""
    );
    assert_eq!(
        serde_json::to_string(&date("2026-12-07")).unwrap(),
        "\"2026-12-07\""
    );
    assert!(serde_json::from_str::<LocalDate>("\"2026-12-07\"").is_ok());
    assert!(serde_json::from_str::<LocalDate>("\"2026-12-7\"").is_err());
    assert!(serde_json::from_str::<LocalDateTime>("\"2026-12-07T08:00:00\"").is_err());
}

// ---------------------------------------------------------------- course calendar

#[test]
fn ten_weekday_sessions_from_a_monday() {
    // Mon 7 .. Fri 11 (5), Mon 14 .. Fri 18 (5): last 2026-12-18.
    let t = build_timeline(&course("2026-12-07T08:00", Schedule::Weekdays, 10, 240)).unwrap();
    let days: Vec<i64> = t.sessions.iter().map(|s| s.start.date().ymd().2).collect();
    assert_eq!(days, [7, 8, 9, 10, 11, 14, 15, 16, 17, 18]);
    assert_eq!(t.course_end.to_string(), "2026-12-18");
    // Cumulative dose: 10 x 100 mg.
    assert_eq!(t.sessions[9].cumulative_mg, Some(1000.0));
    assert_eq!(t.sessions[0].cumulative_mg, Some(100.0));
}

#[test]
fn ten_weekday_sessions_from_a_thursday() {
    // Thu 10, Fri 11 (2); Mon 14 .. Fri 18 (7); Mon 21, Tue 22, Wed 23 (10).
    let t = build_timeline(&course("2026-12-10T09:30", Schedule::Weekdays, 10, 240)).unwrap();
    let days: Vec<i64> = t.sessions.iter().map(|s| s.start.date().ymd().2).collect();
    assert_eq!(days, [10, 11, 14, 15, 16, 17, 18, 21, 22, 23]);
    assert_eq!(t.sessions[9].start.to_string(), "2026-12-23T09:30");
    assert_eq!(t.sessions[9].weekday, Weekday::Wednesday);
}

#[test]
fn weekdays_course_refuses_a_weekend_start() {
    // Saturday 2026-12-12: the next Monday is 2026-12-14.
    let e = build_timeline(&course("2026-12-12T08:00", Schedule::Weekdays, 10, 240)).unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.code.as_str()),
        ("start", "weekend_start")
    );
    assert!(e.message.contains("2026-12-14"), "{}", e.message);
    let e = build_timeline(&course("2026-12-13T08:00", Schedule::Weekdays, 10, 240)).unwrap_err();
    assert!(e.message.contains("2026-12-14"), "{}", e.message);
    // Daily sessions may start on a weekend.
    assert!(build_timeline(&course("2026-12-12T08:00", Schedule::Daily, 10, 240)).is_ok());
}

#[test]
fn daily_sessions_cross_the_year_end() {
    // Dec 28, 29, 30, 31 (4) and Jan 1 .. 6 (6): last 2027-01-06.
    let t = build_timeline(&course("2026-12-28T08:00", Schedule::Daily, 10, 240)).unwrap();
    assert_eq!(
        starts(&t),
        [
            "2026-12-28T08:00",
            "2026-12-29T08:00",
            "2026-12-30T08:00",
            "2026-12-31T08:00",
            "2027-01-01T08:00",
            "2027-01-02T08:00",
            "2027-01-03T08:00",
            "2027-01-04T08:00",
            "2027-01-05T08:00",
            "2027-01-06T08:00",
        ]
    );
    assert_eq!(t.course_end.to_string(), "2027-01-06");
}

#[test]
fn single_session_timeline() {
    // Arrival 08:00 - 30 min = 07:30; premedication 07:45; end 08:00 + 240 min
    // = 12:00; discharge 12:00 + 120 min = 14:00; vitals 08:15 .. 12:00 (16).
    let mut input = course("2026-12-07T08:00", Schedule::Single, 1, 240);
    input.premedication = Some("midazolam 2 mg IV x2; clonidine 0.1 mg PO".into());
    let t = build_timeline(&input).unwrap();
    let s = &t.sessions[0];
    assert_eq!(s.arrival.to_string(), "2026-12-07T07:30");
    assert_eq!(s.end.to_string(), "2026-12-07T12:00");
    assert_eq!(s.discharge_earliest.to_string(), "2026-12-07T14:00");
    assert_eq!(events_of(s, EventKind::Premedication), ["2026-12-07T07:45"]);
    let vitals = events_of(s, EventKind::Vitals);
    assert_eq!(
        (vitals.len(), vitals[0].as_str(), vitals[15].as_str()),
        (16, "2026-12-07T08:15", "2026-12-07T12:00")
    );
    let kinds: Vec<EventKind> = s.events.iter().map(|e| e.kind).collect();
    assert_eq!(
        &kinds[..3],
        [
            EventKind::Arrival,
            EventKind::Premedication,
            EventKind::InfusionStart
        ]
    );
    assert_eq!(
        &kinds[kinds.len() - 2..],
        [EventKind::InfusionEnd, EventKind::DischargeEarliest]
    );
    assert!(s.events[2].label.contains("12.5 mL/h"));
    assert!(s.events.last().unwrap().label.contains("responsible adult"));
    assert!(events_of(s, EventKind::BagChange).is_empty() && !t.multi_day);
}

#[test]
fn clock_driven_titration_steps() {
    // Start 08:00; +60 min = 09:00, +120 = 10:00, +180 = 11:00.
    let mut input = course("2026-12-07T08:00", Schedule::Single, 1, 240);
    input.rate_changes = vec![
        step(0, 10.0, 20.0),
        step(60, 12.5, 25.0),
        RateChange {
            at_minute: 120,
            ml_per_hour: Some(15.0),
            mg_per_hour: Some(30.0),
            label: "30 mg/h".into(),
        },
        RateChange {
            at_minute: 180,
            ml_per_hour: None,
            mg_per_hour: None,
            label: "refused: anaesthetic range".into(),
        },
    ];
    input.session_mg = vec![None];
    let t = build_timeline(&input).unwrap();
    let s = &t.sessions[0];
    assert_eq!(
        events_of(s, EventKind::RateChange),
        ["2026-12-07T09:00", "2026-12-07T10:00", "2026-12-07T11:00"]
    );
    let labels: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.kind == EventKind::RateChange)
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(labels[0], "Rate change: 25 mg/h = 12.5 mL/h");
    assert_eq!(labels[1], "Rate change: 30 mg/h = 15 mL/h");
    assert!(labels[2].contains("no pump rate"));
    assert_eq!(s.cumulative_mg, None);
    // Same minute: the rate change sorts before the vital-sign row.
    let at_nine: Vec<EventKind> = s
        .events
        .iter()
        .filter(|e| e.at == dt("2026-12-07T09:00"))
        .map(|e| e.kind)
        .collect();
    assert_eq!(at_nine, [EventKind::RateChange, EventKind::Vitals]);

    let svg = svg_session(s, &input.rate_changes);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
    assert!(
        svg.contains("role=\"img\"") && svg.contains("<title>Session 1: arrival 2026-12-07T07:30")
    );
    // ISMP: no trailing zero anywhere on the drawing.
    assert!(!svg.contains(".0 mL/h"), "{svg}");
    for text in [
        ">10 mL/h",
        "12.5 mL/h",
        ">15 mL/h",
        "no rate",
        "Infusion",
        "Observation",
        "08:00",
        "14:00",
    ] {
        assert!(svg.contains(text), "{text}");
    }
    assert_eq!(
        svg.matches("y1=\"168\"").count(),
        16,
        "one tick per vital-sign row"
    );
    assert_well_formed(&svg);
}

#[test]
fn five_day_continuous_course_crosses_month_and_year() {
    // 2026-12-29T08:00 + 7200 min (5 x 1440) = 2027-01-03T08:00.
    let mut input = course("2026-12-29T08:00", Schedule::Continuous, 1, 7200);
    input.rate_changes = vec![step(0, 10.0, 20.0)];
    let t = build_timeline(&input).unwrap();
    let s = &t.sessions[0];
    assert!(t.multi_day);
    assert_eq!(s.end.to_string(), "2027-01-03T08:00");
    assert_eq!(s.discharge_earliest.to_string(), "2027-01-03T10:00");
    assert_eq!(t.course_end.to_string(), "2027-01-03");
    // Bags at +24, 48, 72, 96 h (not at 120 h: the infusion ends).
    assert_eq!(
        events_of(s, EventKind::BagChange),
        [
            "2026-12-30T08:00",
            "2026-12-31T08:00",
            "2027-01-01T08:00",
            "2027-01-02T08:00"
        ]
    );
    // Liver tests every 48 h: +48 h, +96 h.
    assert_eq!(
        events_of(s, EventKind::LiverTest),
        ["2026-12-31T08:00", "2027-01-02T08:00"]
    );
    // Vital-sign rows for the first 4 h only: 08:15 .. 12:00, 16 rows.
    let vitals: Vec<&TimelineEvent> = s
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Vitals)
        .collect();
    assert_eq!(vitals.len(), 16);
    assert!(vitals[15].label.contains("last printed row"));
    assert!(s
        .events
        .windows(2)
        .all(|w| (w[0].at, w[0].kind) <= (w[1].at, w[1].kind)));
    let svg = svg_session(s, &input.rate_changes);
    assert!(svg.contains("2027-01-01"));
    assert_well_formed(&svg);
}

#[test]
fn hundred_hour_infusion_over_a_leap_day() {
    // 2028-02-27T09:00 + 6000 min (4 d 4 h): Feb 28, 29, Mar 1, Mar 2, 13:00.
    let t = build_timeline(&course("2028-02-27T09:00", Schedule::Continuous, 1, 6000)).unwrap();
    assert_eq!(t.sessions[0].end.to_string(), "2028-03-02T13:00");
}

#[test]
fn getson_taper_becomes_dates() {
    // Course ends 2027-01-03 (five-day course above). Phases as in
    // data/library.json, getson-inpatient, passed through unchanged.
    let mut input = course("2026-12-29T08:00", Schedule::Continuous, 1, 7200);
    input.booster = serde_json::from_str(
        r#"[
        {"label": "Booster 4 h infusion 100 to 200 mg, weekly (once or twice a week)", "intervalDays": 7, "occurrences": 4, "sessionsPerOccurrence": 1, "tag": "S"},
        {"label": "Booster: 2 infusions every other week for a month", "intervalDays": 14, "occurrences": 2, "sessionsPerOccurrence": 2, "tag": "S"},
        {"label": "Booster: 1 infusion every other week for a month", "intervalDays": 14, "occurrences": 2, "sessionsPerOccurrence": 1, "tag": "S"},
        {"label": "Booster: monthly for 3 months", "intervalDays": 30, "occurrences": 3, "sessionsPerOccurrence": 1, "tag": "S"},
        {"label": "Booster: every 3 months (shown for one year)", "intervalDays": 91, "occurrences": 4, "sessionsPerOccurrence": 1, "tag": "D"}
    ]"#,
    )
    .unwrap();
    let t = build_timeline(&input).unwrap();
    let dates: Vec<String> = t.boosters.iter().map(|b| b.date.to_string()).collect();
    #[rustfmt::skip]
    let expected = [
        // Jan 3 + 7 = Jan 10, 17, 24, 31.
        "2027-01-10", "2027-01-17", "2027-01-24", "2027-01-31",
        // Jan 31 + 14 = Feb 14; + 14 = Feb 28.
        "2027-02-14", "2027-02-28",
        // Feb 28 (2027 is not a leap year) + 14 = Mar 14; + 14 = Mar 28.
        "2027-03-14", "2027-03-28",
        // Mar 28 + 30 = Apr 27 (3 days left in March + 27); + 30 = May 27
        // (3 left in April + 27); + 30 = Jun 26 (4 left in May + 26).
        "2027-04-27", "2027-05-27", "2027-06-26",
        // Jun 26 + 91 = 4 (June) + 31 (July) + 31 (August) + 25 = Sep 25;
        // + 91 = 5 (Sep) + 31 (Oct) + 30 (Nov) + 25 = Dec 25;
        // + 91 = 6 (Dec) + 31 (Jan) + 29 (Feb 2028, leap) + 25 = 2028-03-25;
        // + 91 = 6 (Mar) + 30 (Apr) + 31 (May) + 24 = 2028-06-24.
        "2027-09-25", "2027-12-25", "2028-03-25", "2028-06-24",
    ];
    assert_eq!(dates, expected);
    assert!(t
        .boosters
        .iter()
        .all(|b| b.label.contains("planned booster (to be confirmed)")));
    assert_eq!((t.boosters[4].sessions, t.boosters[4].occurrence), (2, 1));
    assert!(t.boosters[4].label.contains("2 sessions"));
    assert_eq!(
        (t.boosters[14].tag.as_ref(), t.boosters[14].occurrence),
        ("D", 4)
    );
}

#[test]
fn follow_up_windows() {
    // Single session 2026-12-07; +30 days: 24 left in Dec + 6 = Jan 6;
    // +60 days: Jan 6 + 30 = 25 left in Jan + 5 = Feb 5.
    let mut input = course("2026-12-07T08:00", Schedule::Single, 1, 240);
    input.follow_up = vec![FollowUpWindow {
        kind: "relief".into(),
        from_days: 30,
        to_days: 60,
        source: "Walter Reed report".into(),
        tag: "S2".into(),
    }]
    .into();
    let t = build_timeline(&input).unwrap();
    let json = serde_json::to_value(&t.follow_up).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{ "kind": "relief", "from": "2027-01-06", "to": "2027-02-05", "source": "Walter Reed report", "tag": "S2",
            "text": "Wednesday 6 January 2027 to Friday 5 February 2027" }])
    );
    // Walter Reed windows as in data/library.json: reassess at 28 days, booster
    // window 28 to 56 days. 2026-12-07 + 28 = 24 left in Dec + 4 = Jan 4;
    // + 56 = Jan 4 + 28 = 27 left in Jan + 1 = Feb 1.
    input.follow_up = serde_json::from_str(
        r#"[{"kind": "reassess", "fromDays": 28, "toDays": 28, "source": "WR", "tag": "S2"},
            {"kind": "booster_window", "fromDays": 28, "toDays": 56, "source": "WR", "tag": "S2"}]"#,
    )
    .unwrap();
    let t = build_timeline(&input).unwrap();
    let got: Vec<(String, String)> = t
        .follow_up
        .iter()
        .map(|w| (w.from.to_string(), w.to.to_string()))
        .collect();
    assert_eq!(
        got,
        [
            ("2027-01-04".into(), "2027-01-04".into()),
            ("2027-01-04".into(), "2027-02-01".into())
        ]
    );
}

#[test]
fn retreatment_alert_at_the_21_day_boundary() {
    // Course starts 2027-01-24. Previous end 2027-01-03: 24 - 3 = 21 days, no alert.
    let mut input = course("2027-01-24T08:00", Schedule::Continuous, 1, 7200);
    input.previous_course_end = Some(date("2027-01-03"));
    assert!(build_timeline(&input).unwrap().alerts.is_empty());
    // Previous end 2027-01-04: 20 days, soft alert.
    input.previous_course_end = Some(date("2027-01-04"));
    let alerts = build_timeline(&input).unwrap().alerts;
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].level, alerts[0].code.as_str()),
        (Level::Soft, "retreatment_within_21_days")
    );
    assert!(alerts[0].message.contains("20 days") && alerts[0].message.contains("liver"));
    // Across the year end: 2026-12-17 to 2027-01-06 is 14 + 6 = 20 days.
    let mut input = course("2027-01-06T08:00", Schedule::Continuous, 1, 7200);
    input.previous_course_end = Some(date("2026-12-17"));
    assert_eq!(build_timeline(&input).unwrap().alerts.len(), 1);
    input.previous_course_end = Some(date("2026-12-16"));
    assert!(build_timeline(&input).unwrap().alerts.is_empty());
    // Any new course counts, outpatient series included (clinical-spec 8):
    // a 10-day weekday series repeated 14 days after the last one alerts,
    // 30 days after does not.
    let mut series = course("2027-01-25T08:00", Schedule::Weekdays, 10, 240);
    series.previous_course_end = Some(date("2027-01-11"));
    let alerts = build_timeline(&series).unwrap().alerts;
    assert_eq!(alerts.len(), 1);
    assert!(
        alerts[0].message.contains("14 days"),
        "{}",
        alerts[0].message
    );
    series.previous_course_end = Some(date("2026-12-26"));
    assert!(build_timeline(&series).unwrap().alerts.is_empty());
    let mut single = course("2027-01-24T08:00", Schedule::Single, 1, 240);
    single.previous_course_end = Some(date("2027-01-20"));
    assert_eq!(build_timeline(&single).unwrap().alerts.len(), 1);
    // A previous course ending after this one starts is an entry error.
    single.previous_course_end = Some(date("2027-01-25"));
    assert_eq!(build_timeline(&single).unwrap_err().code, "after_start");
}

#[test]
fn invalid_inputs_name_their_field() {
    let cases: Vec<(TimelineInput, &str, &str)> = vec![
        (
            course("2026-12-07T08:00", Schedule::Single, 2, 240),
            "sessions",
            "invalid_for_schedule",
        ),
        (
            course("2026-12-07T08:00", Schedule::Daily, 0, 240),
            "sessions",
            "out_of_range",
        ),
        (
            course("2026-12-07T08:00", Schedule::Single, 1, 0),
            "infusionMinutes",
            "out_of_range",
        ),
        (
            course("2026-12-07T08:00", Schedule::Single, 1, 3000),
            "infusionMinutes",
            "invalid_for_schedule",
        ),
        (
            course("2026-12-07T08:00", Schedule::Daily, 3, 1400),
            "infusionMinutes",
            "sessions_overlap",
        ),
        (
            course("2200-12-30T08:00", Schedule::Daily, 5, 240),
            "start",
            "out_of_range",
        ),
        (
            {
                let mut i = course("2026-12-07T08:00", Schedule::Daily, 3, 240);
                i.session_mg.pop();
                i
            },
            "sessionMg",
            "length_mismatch",
        ),
        (
            {
                let mut i = course("2026-12-07T08:00", Schedule::Single, 1, 240);
                i.rate_changes.push(step(240, 1.0, 2.0));
                i
            },
            "rateChanges[1].atMinute",
            "out_of_order",
        ),
        (
            {
                let mut i = course("2026-12-07T08:00", Schedule::Single, 1, 240);
                i.rate_changes[0].ml_per_hour = Some(f64::NAN);
                i
            },
            "rateChanges[0].mlPerHour",
            "out_of_range",
        ),
    ];
    for (input, field, code) in cases {
        let e = build_timeline(&input).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            (field, code),
            "{}",
            e.message
        );
    }
}

#[test]
fn json_shapes() {
    let json = r#"{"start":"2026-12-07T08:00","schedule":"weekdays","sessions":2,"infusionMinutes":240,
        "rateChanges":[{"atMinute":0,"mlPerHour":12.5,"mgPerHour":25,"label":"25 mg/h = 12.5 mL/h"}],
        "sessionMg":[100,null]}"#;
    let input: TimelineInput = serde_json::from_str(json).unwrap();
    assert_eq!((input.pre_minutes, input.observation_minutes), (30, 120));
    let out = serde_json::to_value(build_timeline(&input).unwrap()).unwrap();
    let s = &out["sessions"][1];
    assert_eq!(s["index"], 2);
    assert_eq!(s["weekday"], "tuesday");
    assert_eq!(s["start"], "2026-12-08T08:00");
    assert_eq!(s["end"], "2026-12-08T12:00");
    assert_eq!(s["dischargeEarliest"], "2026-12-08T14:00");
    assert_eq!(s["plannedMg"], serde_json::Value::Null);
    assert_eq!(out["sessions"][0]["cumulativeMg"], 100.0);
    assert_eq!(
        s["events"][0],
        serde_json::json!({"at": "2026-12-08T07:30", "kind": "arrival", "label": "Arrival and checks: consent, baseline vital signs and pain score"})
    );
    assert_eq!(out["courseEnd"], "2026-12-08");
    assert_eq!(out["schedule"], "weekdays");
    assert_eq!(out["multiDay"], false);
    assert!(
        out["boosters"].as_array().unwrap().is_empty()
            && out["alerts"].as_array().unwrap().is_empty()
    );
}

// ---------------------------------------------------------------- .ics

#[test]
fn ics_framing_and_python_icalendar_round_trip() {
    let mut input = course("2026-12-07T08:00", Schedule::Weekdays, 2, 240);
    input.premedication = Some("midazolam 2 mg IV ×2; clonidine 0.1 mg PO, as ordered".into());
    input.booster = vec![BoosterPhase {
        label: "Monthly".into(),
        interval_days: 30,
        occurrences: 1,
        sessions_per_occurrence: 1,
        tag: "S".into(),
    }]
    .into();
    let t = build_timeline(&input).unwrap();
    let summary = "Ketamine; CRPS, schwartzman-2009 \\ test\nline 2 with a long tail of text to force folding: éééééééééééééé";
    let ics = course_ics(&t, summary, "plan-42", dt("2026-11-30T14:05"));
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    assert!(!ics.replace("\r\n", "").contains('\n'), "bare LF");
    assert!(
        ics.split("\r\n").all(|line| line.len() <= 75),
        "line over 75 octets"
    );
    assert!(ics.contains("\r\nDTSTAMP:20261130T140500Z\r\n"));
    assert!(ics.contains("\r\nDTSTART:20261207T073000\r\n"));
    assert!(ics.contains("\r\nDTSTART;VALUE=DATE:20270107\r\n"));
    assert_eq!(
        ics,
        course_ics(&t, summary, "plan-42", dt("2026-11-30T14:05")),
        "deterministic"
    );
    run_python_check(&ics, summary);
}

fn run_python_check(ics: &str, summary: &str) {
    let ci = std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false);
    let probe = std::process::Command::new("python3")
        .args(["-c", "import icalendar"])
        .output();
    if !matches!(&probe, Ok(out) if out.status.success()) {
        let why = match probe {
            Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
            Err(e) => e.to_string(),
        };
        assert!(
            !ci,
            "CI: python3 with icalendar is required (pip install icalendar): {why}"
        );
        eprintln!("SKIPPED ics_check.py: python3 with icalendar not importable ({why}); pip install icalendar");
        return;
    }
    let dir = std::env::temp_dir().join(format!("ketamine-planner-ics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, expected) = (dir.join("course.ics"), dir.join("expected.json"));
    std::fs::write(&file, ics).unwrap();
    let first_line = summary.lines().next().unwrap();
    // Hand-written expectations: sessions Mon 2026-12-07 and Tue 2026-12-08,
    // 07:30 arrival to 14:00 discharge; booster 2026-12-08 + 30 days =
    // 2027-01-07 (23 days left in December + 7), all-day, ending 2027-01-08.
    let want = serde_json::json!({
        "dtstamp": "2026-11-30T14:05",
        "events": [
            { "uid": "39a8251aceb3a40b-session-1@ketamine-planner", "dtstart": "2026-12-07T07:30", "dtend": "2026-12-07T14:00",
              "summary": format!("{summary}: session 1 of 2"), "location": "",
              "descriptionContains": [summary, "Session 1 of 2, Monday 2026-12-07.", "infusion 2026-12-07 08:00 to 2026-12-07 12:00",
                                      "midazolam 2 mg IV ×2; clonidine 0.1 mg PO, as ordered", "cumulative: 100 mg", "responsible adult"] },
            { "dtstart": "2026-12-08T07:30", "dtend": "2026-12-08T14:00", "summary": format!("{summary}: session 2 of 2"),
              "descriptionContains": ["Session 2 of 2, Tuesday 2026-12-08.", "cumulative: 200 mg"] },
            { "dtstart": "2027-01-07", "dtend": "2027-01-08", "status": "TENTATIVE", "location": "",
              "summary": format!("{summary}: Monthly: planned booster (to be confirmed)"), "descriptionContains": [first_line] },
        ]
    });
    std::fs::write(&expected, want.to_string()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ics_check.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .arg(&expected)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "ics_check.py failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Minimal XML well-formedness: tags balance and no bare `&` or `<` in text.
fn assert_well_formed(svg: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "stray > in {text}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "bare & in {text}"
            );
        }
        let close = rest[open..].find('>').expect("unclosed tag") + open;
        let tag = &rest[open + 1..close];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap());
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

// ---------------------------------------------------------------- properties

fn schedule() -> impl Strategy<Value = Schedule> {
    prop_oneof![
        Just(Schedule::Single),
        Just(Schedule::Daily),
        Just(Schedule::Weekdays),
        Just(Schedule::Continuous)
    ]
}

/// Mostly valid inputs, so the properties below are exercised on real timelines.
fn valid_input() -> impl Strategy<Value = TimelineInput> {
    (
        (0i64..70_000, 0i64..1440),
        schedule(),
        1u32..=40,
        (15u32..=600, 1440u32..=10_080),
        (0u32..=60, 0u32..=240),
        proptest::collection::vec((1u32..400, 0.0f64..200.0), 0..6),
        proptest::collection::vec(proptest::option::weighted(0.9, 0.0f64..500.0), 40),
        any::<bool>(),
    )
        .prop_map(
            |((day, minute), schedule, n, (short, long), (pre, obs), steps, mg, premed)| {
                let single = matches!(schedule, Schedule::Single | Schedule::Continuous);
                let sessions = if single { 1 } else { n };
                let infusion = if schedule == Schedule::Continuous {
                    long
                } else {
                    short
                };
                let mut start = dt("1990-01-01T00:00")
                    .checked_add_days(day)
                    .unwrap()
                    .checked_add_minutes(minute)
                    .unwrap();
                while schedule == Schedule::Weekdays && start.date().weekday().is_weekend() {
                    start = start.checked_add_days(1).unwrap();
                }
                let mut rate_changes = vec![step(0, 5.0, 10.0)];
                let mut at = 0;
                for (gap, ml) in steps {
                    at += gap;
                    if at < infusion {
                        rate_changes.push(step(at, ml, ml * 2.0));
                    }
                }
                TimelineInput {
                    start,
                    schedule,
                    sessions,
                    infusion_minutes: infusion,
                    pre_minutes: pre,
                    observation_minutes: obs,
                    premedication: premed.then(|| "midazolam 2 mg".into()),
                    rate_changes,
                    session_mg: mg[..sessions as usize].to_vec(),
                    booster: vec![BoosterPhase {
                        label: "b".into(),
                        interval_days: 7,
                        occurrences: 3,
                        sessions_per_occurrence: 1,
                        tag: "D".into(),
                    }]
                    .into(),
                    follow_up: vec![].into(),
                    previous_course_end: None,
                    vitals_rows_minutes: None,
                    no_driving_hours: 24,
                }
            },
        )
}

proptest! {
    #[test]
    fn timeline_properties(input in valid_input()) {
        let t = build_timeline(&input).unwrap();
        prop_assert_eq!(t.sessions.len(), input.sessions as usize);
        for s in &t.sessions {
            prop_assert!(s.events.windows(2).all(|w| w[0].at <= w[1].at), "events out of order");
            prop_assert_eq!(s.events.first().map(|e| e.kind), Some(EventKind::Arrival));
            prop_assert_eq!(s.events.last().map(|e| e.kind), Some(EventKind::DischargeEarliest));
            if input.schedule == Schedule::Weekdays {
                prop_assert!(!s.weekday.is_weekend() && !s.start.date().weekday().is_weekend());
            }
        }
        prop_assert!(t.sessions.windows(2).all(|w| w[0].discharge_earliest < w[1].arrival), "sessions overlap");
        let all_known: Option<Vec<f64>> = input.session_mg.iter().copied().collect();
        let last = t.sessions.last().and_then(|s| s.cumulative_mg);
        match all_known {
            Some(mg) => prop_assert_eq!(last, Some(mg.iter().sum::<f64>())),
            None => prop_assert_eq!(last, None),
        }
        prop_assert!(t.boosters.iter().all(|b| b.date > t.course_end));
        for s in &t.sessions {
            let svg = svg_session(s, &input.rate_changes);
            prop_assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        }
        let ics = course_ics(&t, "plan", "seed", dt("2026-01-01T00:00"));
        prop_assert!(ics.split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn no_panic_on_arbitrary_input(
        text in "\\PC{0,20}",
        (day, minute) in (-80_000i64..120_000, -5000i64..5000),
        schedule in schedule(),
        (sessions, infusion, pre, obs) in (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()),
        steps in proptest::collection::vec((any::<u32>(), any::<Option<f64>>(), "\\PC{0,8}"), 0..5),
        mg in proptest::collection::vec(any::<Option<f64>>(), 0..5),
        phases in proptest::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 0..3),
        windows in proptest::collection::vec((any::<u32>(), any::<u32>()), 0..3),
        previous in -5000i64..5000,
        rows in any::<Option<u32>>(),
    ) {
        let _ = LocalDate::parse(&text, "x");
        let _ = LocalDateTime::parse(&text, "x");
        let base = dt("2026-01-01T00:00");
        let start = base.checked_add_days(day).and_then(|t| t.checked_add_minutes(minute)).unwrap_or(base);
        let input = TimelineInput {
            start,
            schedule,
            sessions: sessions % 200,
            infusion_minutes: infusion,
            pre_minutes: pre,
            observation_minutes: obs,
            premedication: Some(text.clone().into()),
            rate_changes: steps.into_iter().map(|(at, ml, label)| RateChange { at_minute: at, ml_per_hour: ml, mg_per_hour: ml, label }).collect(),
            session_mg: mg,
            booster: phases.into_iter().map(|(i, o, s)| BoosterPhase { label: text.clone().into(), interval_days: i, occurrences: o, sessions_per_occurrence: s, tag: text.clone().into() }).collect::<Vec<_>>().into(),
            follow_up: windows.into_iter().map(|(f, t)| FollowUpWindow { kind: text.clone().into(), from_days: f, to_days: t, source: "".into(), tag: "".into() }).collect::<Vec<_>>().into(),
            previous_course_end: start.date().checked_add_days(previous),
            vitals_rows_minutes: rows,
            no_driving_hours: 24,
        };
        if let Ok(t) = build_timeline(&input) {
            for s in &t.sessions {
                let _ = svg_session(s, &input.rate_changes);
            }
            let _ = course_ics(&t, &text, &text, start);
        }
    }

    #[test]
    fn svg_and_ics_survive_hostile_rates_and_text(
        ml in proptest::collection::vec(any::<Option<f64>>(), 1..6),
        at in proptest::collection::vec(any::<u32>(), 1..6),
        text in "\\PC{0,200}",
    ) {
        let t = build_timeline(&course("2026-12-07T08:00", Schedule::Single, 1, 240)).unwrap();
        let rates: Vec<RateChange> = ml.into_iter().zip(at).map(|(ml, at)| RateChange { at_minute: at, ml_per_hour: ml, mg_per_hour: None, label: text.clone() }).collect();
        let svg = svg_session(&t.sessions[0], &rates);
        prop_assert!(!svg.contains("NaN") && !svg.contains("inf\"") && !svg.contains("inf,") && !svg.contains("inf "));
        let ics = course_ics(&t, &text, &text, dt("2026-12-01T00:00"));
        prop_assert!(ics.split("\r\n").all(|l| l.len() <= 75));
    }

    #[test]
    fn calendar_arithmetic_round_trips(day in 0i64..110_000, delta in -50_000i64..50_000) {
        let d = date("1900-01-01").checked_add_days(day);
        prop_assume!(d.is_some());
        let d = d.unwrap();
        prop_assert_eq!(LocalDate::parse(&d.to_string(), "x").unwrap(), d);
        if let Some(e) = d.checked_add_days(delta) {
            prop_assert_eq!(d.days_until(e), delta);
            let (y, m, dd) = e.ymd();
            prop_assert_eq!(LocalDate::from_ymd(y, m, dd), Some(e));
        }
        // Consecutive days step the weekday by one.
        if let Some(next) = d.checked_add_days(1) {
            let index = |w: Weekday| [Weekday::Monday, Weekday::Tuesday, Weekday::Wednesday, Weekday::Thursday, Weekday::Friday, Weekday::Saturday, Weekday::Sunday].iter().position(|x| *x == w).unwrap();
            prop_assert_eq!((index(d.weekday()) + 1) % 7, index(next.weekday()));
        }
    }
}
