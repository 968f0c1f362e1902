//! The session clock (issue 10), by hand: delivered mg is each programmed
//! rate times the minutes it has run since the infusion actually started.

use ketamine_planner::calendar::LocalDateTime;
use ketamine_planner::plan::{plan, Plan};
use ketamine_planner::protocol::Library;
use ketamine_planner::request::PlanRequest;
use ketamine_planner::session_clock::{session_clock, Phase, SessionClock};
use serde_json::json;

fn plan_of(request: serde_json::Value) -> Plan {
    let lib = Library::default_library().unwrap();
    let req: PlanRequest = serde_json::from_value(request).unwrap();
    plan(&lib, &req).unwrap()
}

fn at(text: &str) -> LocalDateTime {
    LocalDateTime::parse(text, "t").unwrap()
}

fn clock(p: &Plan, started: &str, now: &str) -> SessionClock {
    session_clock(p, at(started), at(now)).unwrap()
}

/// Schwartzman, 70 kg, 1 mg/mL: 0.35 x 70 = 24.5 mg/h = 24.5 mL/h for 240 min, then 120 min observation.
fn schwartzman() -> Plan {
    plan_of(
        json!({ "protocol": "schwartzman-2009", "patient": { "weightKg": 70 }, "concentrationMgPerMl": 1 }),
    )
}

#[test]
fn one_rate_counts_from_the_actual_start() {
    let p = schwartzman();
    // Started 09:07 (not the planned 09:00); at 10:12 it has run 65 min: 24.5 x 65 / 60 = 26.54 mg.
    let c = clock(&p, "2026-12-07T09:07", "2026-12-07T10:12");
    assert_eq!(c.phase, Phase::Infusion);
    assert_eq!(c.infused_minutes, 65);
    assert!((c.delivered_mg.unwrap() - 26.541_666).abs() < 1e-5);
    assert_eq!(c.text.elapsed, "1 h 5 min");
    assert_eq!(c.text.delivered, "26.5 mg at the programmed rates");
    assert_eq!(c.rate.as_deref(), Some("24.5 mg/h = 24.5 mL/h"));
    assert_eq!(c.next_change, None, "one rate: no change ahead");
    // Vital signs every 15 min from the start: 09:07 + 75 min = 10:22.
    assert_eq!(c.next_vitals.as_ref().unwrap().text, "10:22 (in 10 min)");
    // In the minute of a check it is due now; a minute later the next one is.
    let due = |now: &str| clock(&p, "2026-12-07T09:07", now).next_vitals.unwrap().text;
    assert_eq!(
        due("2026-12-07T09:07"),
        "09:22 (in 15 min)",
        "the baseline was before the start"
    );
    assert_eq!(due("2026-12-07T10:22"), "10:22 (now)");
    assert_eq!(due("2026-12-07T10:23"), "10:37 (in 14 min)");
    // 09:07 + 240 min = 13:07; + 120 min observation = 15:07.
    assert_eq!(c.infusion_end.text, "13:07 (in 2 h 55 min)");
    assert_eq!(c.discharge_earliest.text, "15:07 (in 4 h 55 min)");
}

#[test]
fn after_the_infusion_the_whole_session_is_counted_and_no_rate_is_shown() {
    let p = schwartzman();
    // 13:37 is 30 min after the end: 24.5 x 4 h = 98 mg, no rate, no vital-sign check of the infusion.
    let c = clock(&p, "2026-12-07T09:07", "2026-12-07T13:37");
    assert_eq!(c.phase, Phase::Observation);
    assert_eq!(c.infused_minutes, 240);
    assert_eq!(c.text.delivered, "98 mg at the programmed rates");
    assert_eq!(c.rate, None);
    assert_eq!(c.next_vitals, None);
    assert_eq!(c.infusion_end.text, "13:07 (30 min ago)");
    assert_eq!(c.discharge_earliest.text, "15:07 (in 1 h 30 min)");
    let c = clock(&p, "2026-12-07T09:07", "2026-12-07T15:07");
    assert_eq!(c.phase, Phase::Done);
    assert_eq!(c.discharge_earliest.text, "15:07 (now)");
}

#[test]
fn a_target_scheme_counts_each_step_and_names_the_next_change() {
    // Custom, 70 kg, 1 mg/mL, 150 ng/mL (Domino): 39.7 mL/h for 15 min, then 34.1, then 30.8 mL/h.
    let p = plan_of(
        json!({ "protocol": "custom", "patient": { "weightKg": 70 }, "concentrationMgPerMl": 1,
        "dose": { "targetNgPerMl": 150 } }),
    );
    // 20 min in: 39.7 x 15/60 + 34.1 x 5/60 = 9.925 + 2.8417 = 12.77 mg.
    let c = clock(&p, "2026-12-07T09:00", "2026-12-07T09:20");
    assert!((c.delivered_mg.unwrap() - 12.766_666).abs() < 1e-5);
    assert_eq!(c.text.delivered, "12.8 mg at the programmed rates");
    assert_eq!(c.rate.as_deref(), Some("34.1 mg/h = 34.1 mL/h"));
    assert_eq!(
        c.next_change.unwrap().text,
        "09:30 (in 10 min): 30.8 mg/h = 30.8 mL/h"
    );
    assert_eq!(c.next_vitals.unwrap().text, "09:30 (in 10 min)");
    // In the minute of a change it is due now, and the pump setting is already the new one.
    let c = clock(&p, "2026-12-07T09:00", "2026-12-07T09:30");
    assert_eq!(
        c.next_change.unwrap().text,
        "09:30 (now): 30.8 mg/h = 30.8 mL/h"
    );
    assert_eq!(c.rate.as_deref(), Some("30.8 mg/h = 30.8 mL/h"));
    // The whole session is the plan's session total.
    let end = clock(&p, "2026-12-07T09:00", "2026-12-07T13:00");
    assert!((end.delivered_mg.unwrap() - p.totals.session_mg.unwrap()).abs() < 1e-9);
}

#[test]
fn a_multi_day_infusion_names_the_day_of_what_is_not_today() {
    // Getson, 5 days (7,200 min) continuous, 20 mg/h at the first level (titrated by response: the ladder's first rate).
    let p = plan_of(
        json!({ "protocol": "getson-inpatient", "patient": { "weightKg": 70 }, "concentrationMgPerMl": 1 }),
    );
    let c = clock(&p, "2026-12-07T08:00", "2026-12-08T08:00");
    assert_eq!(c.text.elapsed, "1 day");
    // 20 to 40 mg/h by response: the clock cannot know the rates the nurse chose, and says so.
    assert!(c
        .text
        .note
        .as_deref()
        .unwrap()
        .starts_with("Titrated by response: this counts the first level"));
    assert_eq!(
        clock(&schwartzman(), "2026-12-07T09:07", "2026-12-07T10:12")
            .text
            .note,
        None
    );
    assert_eq!(c.text.delivered, "480 mg at the programmed rates");
    assert_eq!(c.infusion_end.text, "2026-12-12 08:00 (in 4 days)");
    assert_eq!(
        c.next_vitals.unwrap().text,
        "08:00 (now)",
        "24 h in is a quarter hour: the check is due"
    );
}

#[test]
fn a_time_before_the_start_is_refused() {
    let e = session_clock(
        &schwartzman(),
        at("2026-12-07T09:07"),
        at("2026-12-07T09:00"),
    )
    .unwrap_err();
    assert_eq!((e.field.as_str(), e.code.as_str()), ("now", "before_start"));
}
