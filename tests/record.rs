//! Course records and their review, with hand-computed responses (issue 10).

use ketamine_planner::protocol::Library;
use ketamine_planner::record::CourseRecord;
use ketamine_planner::review::{review, Review};
use serde_json::{json, Value};

fn lib() -> Library {
    Library::default_library().unwrap()
}

/// Three courses (tests/course-record.json, shared with the browser tests and
/// the fuzz seeds): Walter Reed 80 kg at 2 mg/mL on 2026-12-07 (given 470 mg),
/// its relapse course on 2027-02-08 (given 490 mg), then a Schwartzman
/// series from 2027-02-22 (98 mg and 60 mg given, the second stopped early).
fn record() -> Value {
    serde_json::from_str(include_str!("course-record.json")).unwrap()
}

fn reviewed(v: &Value) -> Review {
    let r = CourseRecord::from_json(&v.to_string()).unwrap();
    review(&lib(), &r).unwrap()
}

/// The first problem of a record that does not read or review.
fn refused(v: &Value) -> (String, String) {
    let e = match CourseRecord::from_json(&v.to_string()) {
        Ok(r) => review(&lib(), &r).unwrap_err(),
        Err(all) => all.first().unwrap().clone(),
    };
    (e.field, e.code)
}

#[test]
fn responses_against_the_baseline_both_criteria_and_both_thresholds() {
    let r = reviewed(&record());
    let rows: Vec<_> = r
        .assessments
        .iter()
        .map(|a| {
            (
                a.date.to_string(),
                a.course,
                a.category,
                a.pain_reduction_percent,
                a.area_reduction_percent,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // Earlier than the baseline.
            ("2026-11-30".into(), 0, "before_course", None, None),
            // On the day of the first session: course 1's baseline (8, 40%).
            ("2026-12-07".into(), 1, "baseline", None, None),
            // (8 - 4) / 8 = 50% less pain: a responder (area (40 - 30) / 40 = 25%).
            ("2026-12-21".into(), 1, "responder", Some(50.0), Some(25.0)),
            // Pain (8 - 6) / 8 = 25%, area (40 - 20) / 40 = 50%: a responder by area alone.
            ("2027-01-04".into(), 1, "responder", Some(25.0), Some(50.0)),
            // Pain 2.5 / 8 = 31.25%, area 12 / 40 = 30%: partial (at least 30%, under 50%).
            ("2027-01-18".into(), 1, "partial", Some(31.25), Some(30.0)),
            // The last before course 2's first session (2027-02-08): its baseline.
            ("2027-02-01".into(), 2, "baseline", None, None),
        ]
    );
}

#[test]
fn relief_window_booster_ledger_and_alerts_over_three_courses() {
    let r = reviewed(&record());
    // Course 1 ended 2026-12-07: response last seen 2027-01-04 (28 days), lost 2027-01-18 (42 days).
    let c = &r.courses[0];
    assert_eq!(
        (c.last_response_days, c.first_lost_days),
        (Some(28), Some(42))
    );
    assert_eq!(c.first_lost.unwrap().to_string(), "2027-01-18");
    // The booster after the last course (ended 2027-03-05, 10 weekdays from
    // 2027-02-22) from the patient's own relief: + 28 and + 42 days.
    let b = r.booster_due.as_ref().unwrap();
    assert_eq!(b.basis, "patient");
    assert_eq!(
        (b.from.to_string(), b.to.to_string()),
        ("2027-04-02".to_string(), "2027-04-16".to_string())
    );
    // Ledger: 4 h x 120 mg/h = 480 mg planned twice; 0.35 x 70 = 24.5 mg/h x 4 h
    // = 98 mg x 10 = 980 mg; given 470 + 490 + 98 + 60 = 1,118 mg.
    let l = &r.ledger;
    let planned: Vec<_> = l.courses.iter().map(|c| c.planned_mg).collect();
    assert_eq!(planned, vec![Some(480.0), Some(480.0), Some(980.0)]);
    let given: Vec<_> = l.courses.iter().map(|c| c.given_mg).collect();
    assert_eq!(given, vec![Some(470.0), Some(490.0), Some(158.0)]);
    assert_eq!(l.total_given_mg, 1118.0);
    // 2026-12-07 to 2027-02-08 = 63 days; 2027-02-08 to 2027-02-22 = 14 days.
    let gaps: Vec<_> = l.courses.iter().map(|c| c.days_since_previous).collect();
    assert_eq!(gaps, vec![None, Some(63), Some(14)]);
    assert_eq!(l.total_given_text, "1,118 mg");
    assert_eq!(
        (
            l.courses[2].text.planned_mg.as_str(),
            l.courses[2].text.given_mg.as_str()
        ),
        ("980 mg", "158 mg")
    );
    let codes: Vec<_> = r.alerts.iter().map(|a| a.code.as_str()).collect();
    // 14 days raises the re-treatment alert (not 63); 490 > 480 mg; one session stopped early.
    assert_eq!(
        codes,
        vec![
            "given_above_planned",
            "retreatment_within_21_days",
            "session_stopped_early"
        ]
    );
    assert!(r.alerts[1].message.contains("14 days"));
    assert!(r.alerts[2].message.contains("nausea"));
    // The next course starts from the last request, its previous end filled in.
    let next = r.next_request.unwrap();
    assert_eq!(
        (
            next.protocol.as_str(),
            next.previous_course_end.as_deref(),
            next.start
        ),
        ("schwartzman-2009", Some("2027-03-05"), None)
    );
}

#[test]
fn without_a_lost_response_the_booster_comes_from_the_protocol_window() {
    let mut v = record();
    v["courses"] = json!([v["courses"][0].clone()]);
    v["assessments"] =
        json!([{"date": "2026-12-07", "painNrs": 8}, {"date": "2026-12-21", "painNrs": 3}]);
    let r = reviewed(&v);
    // Walter Reed booster window: 28 to 56 days after 2026-12-07.
    let b = r.booster_due.unwrap();
    assert_eq!(
        (b.basis, b.from.to_string(), b.to.to_string()),
        ("protocol", "2027-01-04".into(), "2027-02-01".into())
    );
    assert!(b.text.contains("relief lasts 1 to 2 months"), "{}", b.text);
    // (8 - 3) / 8 = 62.5%: responder; no area recorded, so no area figure.
    assert_eq!(
        (
            r.assessments[1].category,
            r.assessments[1].area_reduction_percent
        ),
        ("responder", None)
    );
}

#[test]
fn a_course_with_no_assessment_before_it_has_no_baseline() {
    let mut v = record();
    v["courses"] = json!([v["courses"][0].clone()]);
    v["assessments"] = json!([{"date": "2026-12-21", "painNrs": 4}]);
    let r = reviewed(&v);
    assert_eq!(
        (r.assessments[0].course, r.assessments[0].category),
        (1, "no_baseline")
    );
    assert_eq!(r.courses[0].last_response, None);
}

#[test]
fn bad_records_are_refused_at_their_path() {
    let mut v = record();
    v["assessments"][1]["painNrs"] = json!(11);
    assert_eq!(
        refused(&v),
        ("/assessments/1/painNrs".into(), "out_of_range".into())
    );
    let mut v = record();
    v["assessments"][0]["painAreaPercent"] = json!(101);
    assert_eq!(refused(&v).0, "/assessments/0/painAreaPercent");
    let mut v = record();
    v["courses"][0]["sessions"][0]["start"] = Value::Null;
    assert_eq!(
        refused(&v),
        ("/courses/0/sessions/0/givenMg".into(), "no_session".into())
    );
    let mut v = record();
    v["courses"][0]["sessions"][0]["vitals"][0]["heartRate"] = json!(400);
    assert_eq!(refused(&v).0, "/courses/0/sessions/0/vitals/0/heartRate");
    let mut v = record();
    v["courses"][0]["sessions"][0]["date"] = json!("2026-12-01");
    assert_eq!(
        refused(&v),
        ("/courses/0/sessions/0/date".into(), "before_course".into())
    );
    let mut v = record();
    v["courses"][1]["request"]["patient"]["weightKg"] = json!(-3);
    assert_eq!(refused(&v).0, "/courses/1/request/weightKg");
    let mut v = record();
    v["courses"][0]["sessions"][0]["sideEffects"] = json!(["headache"]);
    assert_eq!(
        refused(&v),
        (
            "/courses/0/sessions/0/sideEffects/0".into(),
            "unknown_value".into()
        )
    );
    let mut v = record();
    v["assessments"][0]["pain"] = json!(3);
    assert_eq!(
        refused(&v),
        ("/assessments/0/pain".into(), "unknown_field".into())
    );
    let mut v = record();
    v["courses"][2]["request"]["start"] = json!("2027-02-01T08:00");
    assert_eq!(refused(&v).1, "before_previous");
}

#[test]
fn foreign_truncated_and_future_files_are_refused_at_the_schema() {
    let text = record().to_string();
    let e = CourseRecord::from_json(&text[..text.len() / 2])
        .unwrap_err()
        .first()
        .unwrap()
        .clone();
    assert_eq!((e.field.as_str(), e.code.as_str()), ("/schema", "not_json"));
    let first = |text: &str| {
        CourseRecord::from_json(text)
            .unwrap_err()
            .first()
            .unwrap()
            .clone()
    };
    let e = first(r#"{"protocol": "walter-reed-outpatient"}"#);
    assert_eq!(
        (e.field.as_str(), e.code.as_str()),
        ("/schema", "not_a_record")
    );
    let e = first(r#"{"schema": "ketamine-planner/course-record@2"}"#);
    assert_eq!(e.code, "unknown_schema");
    assert!(
        e.message.contains("@2") && e.message.contains("@1"),
        "{}",
        e.message
    );
    assert_eq!(first("[1, 2]").code, "not_a_record");
}

#[test]
fn an_older_library_or_planner_is_named_and_changed_plans_are_listed() {
    let mut v = record();
    v["plannerVersion"] = json!("0.0.9");
    v["libraryVersion"] = json!("2026.10.1");
    v["courses"][0]["plannedMg"] = json!(456);
    let notes = reviewed(&v).notes;
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].contains("planner 0.0.9"));
    assert!(notes[1].contains("library 2026.10.1"));
    assert_eq!(
        notes[2],
        "Course 1: planned 456 mg when saved, 480 mg with this library."
    );
    // The same version and plan: nothing to say.
    let mut v = record();
    v["libraryVersion"] = json!(lib().version.to_string());
    v["courses"][0]["plannedMg"] = json!(480);
    assert!(reviewed(&v).notes.is_empty());
}

#[test]
fn a_session_across_midnight_keeps_its_clock_times_in_order() {
    let mut v = record();
    v["courses"][0]["sessions"][0]["start"] = json!("22:00");
    v["courses"][0]["sessions"][0]["end"] = json!("02:00");
    let r = CourseRecord::from_json(&v.to_string()).unwrap();
    let s = &r.courses[0].sessions[0];
    assert_eq!(s.end.unwrap().to_string(), "2026-12-08T02:00");
    assert_eq!(s.vitals[0].at.to_string(), "2026-12-08T08:15");
}

#[test]
fn the_response_chart_draws_courses_sessions_points_and_the_50_percent_lines() {
    let svg = reviewed(&record()).chart_svg;
    // Dates drawn: 2026-11-30 (first assessment) to 2027-04-16 (booster due
    // ends), 137 days, padded by 137 / 30 = 4 days either side: 2026-11-26 to
    // 2027-04-20, 145 days over the 688 px from x = 56 to x = 744, in whole
    // pixels (rounded down).
    for n in 1..=3 {
        assert!(svg.contains(&format!(">Course {n}</text>")), "course {n}");
    }
    assert!(svg.contains(">Booster due</text>"));
    // One mark for each session given (1 + 1 + 2), and the legend's.
    assert_eq!(svg.matches(" l-4,7 h8 z").count(), 5);
    // Course 1's baseline is 8 NRS and 40%: its 50% lines are NRS 4 at
    // y = 194 - 4 / 10 x 150 = 134 and area 20% at y = 194 - 20 / 100 x 150
    // = 164, from its start 2026-12-07 (x = 56 + 11 x 688 / 145 = 108.2) to
    // course 2's start 2027-02-08 (x = 56 + 74 x 688 / 145 = 407.1).
    assert!(svg.contains("<line x1=\"108\" x2=\"407\" y1=\"134\" y2=\"134\""));
    assert!(svg.contains("<line x1=\"108\" x2=\"407\" y1=\"164\" y2=\"164\""));
    // Every assessment is a point of the pain line; the first, 2026-11-30,
    // at x = 56 + 4 x 688 / 145 = 74.98 and NRS 8: y = 194 - 8 / 10 x 150 = 74.
    let pain = svg.split("<polyline points=\"").nth(1).unwrap();
    let pain = &pain[..pain.find('"').unwrap()];
    assert_eq!(pain.split(' ').count(), r_assessments());
    assert!(pain.starts_with("74,74 "));
    // The reductions as the page shows them, rounded by the core: 2.5 / 8 = 31.25% -> "31%".
    let partial = &reviewed(&record()).assessments[4];
    assert_eq!(
        (
            partial.text.pain_reduction.as_str(),
            partial.text.area_reduction.as_str()
        ),
        ("31%", "30%")
    );
}

fn r_assessments() -> usize {
    record()["assessments"].as_array().unwrap().len()
}

#[test]
fn an_empty_record_has_no_chart() {
    let empty =
        json!({ "schema": "ketamine-planner/course-record@1", "courses": [], "assessments": [] });
    assert_eq!(reviewed(&empty).chart_svg, "");
}
