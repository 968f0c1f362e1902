//! Hand-computed reference cases, one or more per protocol of the library
//! (clinical-spec section 5). The arithmetic is written beside each case.
//! The same cases run in headless Chromium against the built
//! `dist/ketamine-planner.js` from `data/reference-cases.json`.

use ketamine_planner::plan::{plan, Plan};
use ketamine_planner::protocol::Library;
use ketamine_planner::request::PlanRequest;
use serde_json::{json, Value};

/// Through the one way in: the contract's check, then the order's parse.
fn run(req: Value) -> Plan {
    let lib = Library::default_library().unwrap();
    let req = PlanRequest::from_json(&req.to_string()).unwrap();
    plan(&lib, &req).unwrap()
}

/// The first refusal's field and code.
fn err(req: Value) -> (String, String) {
    let lib = Library::default_library().unwrap();
    let e = PlanRequest::from_json(&req.to_string())
        .and_then(|req| plan(&lib, &req).map(|_| ()))
        .unwrap_err();
    let e = e.first().unwrap().clone();
    (e.field, e.code)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn codes(p: &Plan) -> Vec<&str> {
    p.alerts.iter().map(|a| a.code.as_str()).collect()
}

/// Every case of the shared JSON file: the browser test runs the same file.
#[test]
fn reference_cases_file() {
    let cases: Vec<Value> =
        serde_json::from_str(include_str!("../data/reference-cases.json")).unwrap();
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let p = serde_json::to_value(run(case["request"].clone())).unwrap();
        for (path, want) in case["expect"].as_object().unwrap() {
            let got = path.split('.').fold(&p, |v, k| match k.parse::<usize>() {
                Ok(i) => &v[i],
                Err(_) => &v[k],
            });
            let ok = match (got.as_f64(), want.as_f64()) {
                (Some(g), Some(w)) => (g - w).abs() < 1e-6,
                _ => got == want,
            };
            assert!(ok, "{name}: {path} = {got}, expected {want}");
        }
    }
}

#[test]
fn walter_reed_80_kg_is_120_mg_per_h_and_needs_the_soft_acknowledgement() {
    // 1.5 mg/kg/h x 80 kg = 120 mg/h (= the 120 mg/h cap, not above it).
    // 120 mg/h / 2 mg/mL = 60 mL/h; 4 h x 120 = 480 mg = 240 mL.
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 80}, "concentrationMgPerMl": 2}),
    );
    let l = &p.levels[0];
    assert_eq!(l.ml_per_hour, Some(60.0));
    assert_eq!(l.mg_per_hour, Some(120.0));
    assert!(!l.capped);
    assert_eq!(p.totals.session_mg, Some(480.0));
    assert_eq!(p.totals.course_ml, Some(240.0));
    assert!(codes(&p).contains(&"dose_above_soft_limit"));
    assert!(!p.confirmed);
    // Standard 2 mg/mL: 500 mg in 250 mL; 500 / 50 mg/mL = 10 mL vial, 240 mL diluent.
    let prep = p.preparation.as_ref().unwrap();
    assert_eq!(
        (
            prep.drug_mg,
            prep.vial_ml,
            prep.diluent_ml,
            prep.containers_per_session
        ),
        (500.0, 10.0, 240.0, 1)
    );
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 80}, "concentrationMgPerMl": 2, "acknowledged": ["dose_above_soft_limit"]}),
    );
    assert!(p.confirmed, "{:?}", p.alerts);
}

#[test]
fn walter_reed_caps_at_120_mg_per_h() {
    // 1.5 x 100 kg = 150 mg/h > cap: 120 mg/h = 60 mL/h at 2 mg/mL; 1.2 mg/kg/h.
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 100}, "concentrationMgPerMl": 2}),
    );
    let l = &p.levels[0];
    assert!(l.capped);
    assert_eq!(l.ml_per_hour, Some(60.0));
    assert_eq!(
        l.cap_note.as_deref(),
        Some("capped at 120 mg/h (protocol maximum)")
    );
    assert!(close(l.mg_per_kg_per_hour.unwrap(), 1.2));
}

#[test]
fn walter_reed_obese_patient_doses_on_adjusted_weight() {
    // Male 175 cm = 68.898 in: IBW = 50 + 2.3 x 8.898 = 70.465 kg; 130 kg > 1.2 x IBW.
    // AdjBW = 70.465 + 0.4 x (130 - 70.465) = 94.279 kg; x 1.5 = 141.4 mg/h > cap: 120 mg/h.
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 130, "heightCm": 175, "sex": "male"}, "concentrationMgPerMl": 2}),
    );
    assert!(
        (p.dosing_weight_kg - 94.279).abs() < 0.001,
        "{}",
        p.dosing_weight_kg
    );
    assert_eq!(p.text.dosing_weight_kg, "94.3 kg");
    assert!(p.levels[0].capped);
}

#[test]
fn schwartzman_70_kg_and_the_25_mg_cap() {
    // 0.35 x 70 = 24.5 mg/h (under 25) = 24.5 mL/h at 1 mg/mL; 4 h = 98 mg; 10 sessions = 980 mg.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    assert_eq!(p.levels[0].ml_per_hour, Some(24.5));
    assert_eq!(p.levels[0].text.ml_per_hour, "24.5 mL/h");
    assert!(close(p.totals.session_mg.unwrap(), 98.0));
    assert!(close(p.totals.course_mg.unwrap(), 980.0));
    assert_eq!(p.session_count, 10);
    assert!(p.confirmed, "{:?}", p.alerts);
    // 0.35 x 80 = 28 mg/h > 25: capped at 25 mg/h = 25 mL/h, 0.3125 mg/kg/h.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 80}, "concentrationMgPerMl": 1}),
    );
    assert!(p.levels[0].capped);
    assert_eq!(p.levels[0].ml_per_hour, Some(25.0));
    assert_eq!(p.levels[0].text.mg_per_kg_per_hour, "0.313 mg/kg/h");
    // Exactly at the cap boundary: 25 / 0.35 = 71.43 kg gives 25.0 mg/h, not capped.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 71.4}, "concentrationMgPerMl": 1}),
    );
    assert!(!p.levels[0].capped);
}

#[test]
fn cohen_session_dose_stays_80_mg() {
    // 80 mg over 120 min = 40 mg/h = 40 mL/h at 1 mg/mL.
    let p = run(
        json!({"protocol": "cohen-2018-trial", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    assert_eq!(p.levels[0].ml_per_hour, Some(40.0));
    assert!(close(p.totals.session_mg.unwrap(), 80.0));
    // Lengthened to 240 min: 80 / 4 h = 20 mg/h; the dose stays 80 mg.
    let p = run(
        json!({"protocol": "cohen-2018-trial", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"sessionMinutes": 240}}),
    );
    assert_eq!(p.levels[0].ml_per_hour, Some(20.0));
    assert!(close(p.totals.session_mg.unwrap(), 80.0));
    assert_eq!(p.levels[0].text.dose, "80 mg over 4 h");
}

#[test]
fn getson_ladder_and_supply_at_both_ends() {
    // 20, 25, 30, 35, 40 mg/h at 1 mg/mL; 5 days = 120 h: 2,400 mg at 20 mg/h, 4,800 mg at 40.
    let p = run(
        json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    let rates: Vec<_> = p.levels.iter().map(|l| l.ml_per_hour.unwrap()).collect();
    assert_eq!(rates, vec![20.0, 25.0, 30.0, 35.0, 40.0]);
    assert!(close(p.totals.course_mg.unwrap(), 2400.0));
    assert!(close(p.totals.course_mg_at_max.unwrap(), 4800.0));
    assert_eq!(p.totals.text.course_mg_at_max, "4,800 mg");
    // 500 mL bags: 2,400 mL = 4.8 -> 5 bags (also one per 24 h: 5); at max 9.6 -> 10.
    let prep = p.preparation.unwrap();
    assert_eq!(
        (
            prep.containers_per_course,
            prep.containers_per_course_at_max
        ),
        (5, 10)
    );
}

#[test]
fn correll_ladder() {
    let p = run(
        json!({"protocol": "correll-2004-inpatient", "patient": {"weightKg": 60}, "concentrationMgPerMl": 2}),
    );
    let mg: Vec<_> = p.levels.iter().map(|l| l.mg_per_hour.unwrap()).collect();
    // 10..50 mg/h in 10 mg/h steps; at 2 mg/mL: 5, 10, 15, 20, 25 mL/h.
    assert_eq!(mg, vec![10.0, 20.0, 30.0, 40.0, 50.0]);
    assert_eq!(p.levels[4].ml_per_hour, Some(25.0));
}

#[test]
fn sigtermans_esketamine_in_mcg_per_kg_per_min() {
    // 1.2 mcg/kg/min x 0.06 = 0.072 mg/kg/h x 70 kg = 5.04 mg/h; at 1 mg/mL 5.04 mL/h -> 5 mL/h (0.8% rounding).
    // Top: 7.2 x 0.06 x 70 = 30.24 mg/h -> 30.2 mL/h.
    let p = run(
        json!({"protocol": "sigtermans-2009-esketamine", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    assert_eq!(p.levels.len(), 6);
    assert_eq!(p.levels[0].ml_per_hour, Some(5.0));
    assert_eq!(p.levels[0].text.dose, "1.2 mcg/kg/min");
    assert_eq!(p.levels[5].ml_per_hour, Some(30.2));
    assert!(codes(&p).contains(&"concentration_non_standard"));
    assert!(!codes(&p).contains(&"rounding_error"));
}

#[test]
fn ward_low_dose_weight_bands_and_frail_start() {
    // 5 mg/mL syringe: 5 to 25 mg/h = 1 to 5 mL/h above 50 kg.
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70}, "concentrationMgPerMl": 5}),
    );
    let ml: Vec<_> = p.levels.iter().map(|l| l.ml_per_hour.unwrap()).collect();
    assert_eq!(ml, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    // 50 kg or less: cap 15 mg/h, so the ladder ends at 15 mg/h.
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 50}, "concentrationMgPerMl": 5}),
    );
    let mg: Vec<_> = p.levels.iter().map(|l| l.mg_per_hour.unwrap()).collect();
    assert_eq!(mg, vec![5.0, 10.0, 15.0]);
    // 75 years or older: start 2.5 mg/h = 0.5 mL/h, then the usual rungs.
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70, "ageYears": 80}, "concentrationMgPerMl": 5}),
    );
    let mg: Vec<_> = p.levels.iter().map(|l| l.mg_per_hour.unwrap()).collect();
    assert_eq!(mg, vec![2.5, 5.0, 10.0, 15.0, 20.0, 25.0]);
    // 24 h continuous at 5 mg/h = 120 mg = 24 mL: one 40 mL syringe.
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70}, "concentrationMgPerMl": 5}),
    );
    assert_eq!(p.preparation.unwrap().containers_per_course, 1);
}

#[test]
fn custom_anaesthetic_range_is_refused_without_a_rate() {
    let p = run(
        json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 2, "dose": {"startDose": 2.5}}),
    );
    assert_eq!(p.levels[0].ml_per_hour, None);
    assert_eq!(p.levels[0].text.ml_per_hour, "no rate");
    assert!(p.levels[0]
        .refused
        .as_deref()
        .unwrap()
        .contains("anaesthetic"));
    assert!(p.totals.session_mg.is_none());
    assert!(!p.confirmed);
    // 1.99 mg/kg/h x 70 = 139.3 mg/h = 69.65 -> 69.7 mL/h -> 139.4 mg/h = 1.9914: soft only.
    let p = run(
        json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 2, "dose": {"startDose": 1.99}}),
    );
    assert_eq!(p.levels[0].ml_per_hour, Some(69.7));
    assert!(codes(&p).contains(&"dose_above_soft_limit"));
}

#[test]
fn volume_order_300_ml_over_4_h() {
    // 300 mL / 4 h = 75 mL/h; at 1 mg/mL = 75 mg/h; / 80 kg = 0.9375 mg/kg/h.
    let p = run(
        json!({"protocol": "custom", "patient": {"weightKg": 80}, "concentrationMgPerMl": 1, "dose": {"volumeMl": 300, "volumeMinutes": 240}}),
    );
    assert_eq!(p.levels[0].ml_per_hour, Some(75.0));
    assert_eq!(p.levels[0].text.mg_per_kg_per_hour, "0.938 mg/kg/h");
    assert_eq!(p.session_minutes, 240);
    assert!(close(p.totals.session_ml.unwrap(), 300.0));
}

#[test]
fn limits_at_their_boundaries() {
    // Undiluted 50 mg/mL: hard, no rate for any level, no recipe.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 50}),
    );
    assert!(codes(&p).contains(&"concentration_undiluted"));
    assert!(p.levels.iter().all(|l| l.ml_per_hour.is_none()));
    assert!(p.preparation.is_none());
    // 10 mg/mL is the maximum, allowed but non-standard.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 10}),
    );
    assert!(codes(&p).contains(&"concentration_non_standard"));
    assert!(!codes(&p).contains(&"concentration_undiluted"));
    // 2.45 mL/h at 10 mg/mL rounds to 2.5 (2.0% change): no rounding alert; at 1 mL/h steps 2 mL/h (18%): alert.
    assert!(!codes(&p).contains(&"rounding_error"));
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 10, "pumpResolutionMlPerHour": 1}),
    );
    assert_eq!(p.levels[0].ml_per_hour, Some(2.0));
    assert!(codes(&p).contains(&"rounding_error"));
    // Ward 5 mg/h at 10 mg/mL = 0.5 mL/h: not below 0.5; 2.5 mg/h (frail) = 0.25 mL/h: low-rate alert.
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70}, "concentrationMgPerMl": 10}),
    );
    assert!(!codes(&p).contains(&"pump_rate_low"));
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70, "frail": true}, "concentrationMgPerMl": 10}),
    );
    assert!(codes(&p).contains(&"pump_rate_low"));
    // Pump maximum: 120 mg/h at 0.1 mg/mL = 1,200 mL/h: hard.
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 80}, "concentrationMgPerMl": 0.1}),
    );
    assert!(codes(&p).contains(&"pump_rate_too_high"));
    assert_eq!(p.levels[0].ml_per_hour, None);
    // Patient soft alerts.
    let p = run(
        json!({"protocol": "custom", "patient": {"weightKg": 39, "ageYears": 17}, "concentrationMgPerMl": 1, "dose": {"startDose": 0.5}}),
    );
    assert!(codes(&p).contains(&"weight_under_40_kg") && codes(&p).contains(&"age_under_18"));
    let p = run(
        json!({"protocol": "custom", "patient": {"weightKg": 251}, "concentrationMgPerMl": 1, "dose": {"startDose": 0.5}}),
    );
    assert!(codes(&p).contains(&"weight_over_250_kg"));
    // Esketamine hard limit: 1 mg/kg/h = 16.67 mcg/kg/min.
    let p = run(
        json!({"protocol": "sigtermans-2009-esketamine", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"startDose": 17, "stepDose": 1, "maxDose": 18}}),
    );
    assert!(p.levels.iter().all(|l| l.ml_per_hour.is_none()));
}

#[test]
fn titration_interval_and_clock_driven_totals() {
    // Getson every 30 min: soft alert (minimum 60 min).
    let p = run(
        json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"stepEveryMinutes": 30}}),
    );
    assert!(codes(&p).contains(&"titration_interval_short"));
    // Every 60 min for 7200 min at 1 mg/mL: 20+25+30+35 mg over the first 4 h = 110 mg,
    // then 40 mg/h for 116 h = 4,640 mg: 4,750 mg.
    let p = run(
        json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"stepEveryMinutes": 60}}),
    );
    assert!(!codes(&p).contains(&"titration_interval_short"));
    assert!(close(p.totals.session_mg.unwrap(), 4750.0));
}

#[test]
fn weight_in_pounds() {
    // 176.37 lb x 0.45359237 = 80.0 kg -> Walter Reed 120 mg/h.
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightLb": 176.3698097}, "concentrationMgPerMl": 2}),
    );
    assert!((p.dosing_weight_kg - 80.0).abs() < 1e-6);
    assert_eq!(p.levels[0].ml_per_hour, Some(60.0));
}

#[test]
fn cautions_raise_soft_alerts_naming_them() {
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "cautions": ["psychosis"]}),
    );
    let a = p
        .alerts
        .iter()
        .find(|a| a.code == "caution_psychosis")
        .unwrap();
    assert!(a.message.contains("Poorly controlled psychosis"));
    assert!(!p.confirmed);
}

#[test]
fn field_errors_name_the_field() {
    let base = |patch: Value| {
        let mut r = json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1});
        for (k, v) in patch.as_object().unwrap() {
            r[k] = v.clone();
        }
        err(r)
    };
    assert_eq!(
        base(json!({"protocol": "nope"})),
        ("protocol".into(), "unknown_protocol".into())
    );
    assert_eq!(
        base(json!({"protocol": ""})),
        ("protocol".into(), "required".into())
    );
    assert_eq!(
        base(json!({"patient": {}})),
        ("weightKg".into(), "required".into())
    );
    assert_eq!(
        base(json!({"patient": {"weightKg": 401}})),
        ("weightKg".into(), "out_of_range".into())
    );
    assert_eq!(
        base(json!({"patient": {"weightKg": 0.5}})),
        ("weightKg".into(), "out_of_range".into())
    );
    assert_eq!(
        base(json!({"patient": {"weightKg": 70, "heightCm": 99}})),
        ("heightCm".into(), "out_of_range".into())
    );
    assert_eq!(
        base(json!({"patient": {"weightKg": 70, "ageYears": 121}})),
        ("ageYears".into(), "out_of_range".into())
    );
    assert_eq!(
        base(json!({"patient": {"weightKg": 70, "sex": "x"}})),
        ("sex".into(), "unknown_value".into())
    );
    assert_eq!(
        base(json!({"concentrationMgPerMl": null})),
        ("concentrationMgPerMl".into(), "required".into())
    );
    assert_eq!(
        base(json!({"dose": {"doseUnit": "mg/kg/day"}})),
        ("doseUnit".into(), "unknown_value".into())
    );
    assert_eq!(
        base(json!({"dose": {"sessionMinutes": 300}})),
        ("sessionMinutes".into(), "out_of_range".into())
    );
    assert_eq!(
        base(json!({"dose": {"sessions": 2.5}})),
        ("sessions".into(), "not_whole".into())
    );
    assert_eq!(
        base(json!({"pumpResolutionMlPerHour": 0.015})),
        ("pumpResolutionMlPerHour".into(), "out_of_range".into())
    );
    assert_eq!(
        base(json!({"weightBasis": "ideal"})),
        ("weightBasis".into(), "needs_height_and_sex".into())
    );
}

#[test]
fn schwartzman_course_on_weekdays_from_a_monday() {
    // 2026-12-07 is a Monday: 10 weekday sessions end Friday 2026-12-18.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-07T08:00"}),
    );
    assert_eq!(p.sessions.len(), 10);
    assert_eq!(p.sessions[9].start.to_string(), "2026-12-18T08:00");
    // 98 mg a session: 980 mg after the tenth, equal to the course total.
    assert!(close(
        p.sessions[9].cumulative_mg.unwrap(),
        p.totals.course_mg.unwrap()
    ));
    // Arrival 07:30, infusion 08:00 to 12:00, earliest discharge 14:00.
    let s = &p.sessions[0];
    assert_eq!(
        (
            s.arrival.to_string(),
            s.end.to_string(),
            s.discharge_earliest.to_string()
        ),
        (
            "2026-12-07T07:30".into(),
            "2026-12-07T12:00".into(),
            "2026-12-07T14:00".into()
        )
    );
    assert!(p.timeline_svg.as_deref().unwrap().starts_with("<svg"));
    // Premedication is on the timeline; follow-up windows are dated from the course end.
    assert!(s.events.iter().any(|e| e.label.contains("Midazolam")));
    assert_eq!(p.follow_up[0].to.to_string(), "2027-03-12");
}

#[test]
fn clock_driven_titration_shows_each_step_at_its_time() {
    // Getson, steps every 60 min from 08:00: 25 mg/h at 09:00 ... 40 mg/h at 12:00.
    let p = run(
        json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-29T08:00", "dose": {"stepEveryMinutes": 60}}),
    );
    let steps: Vec<_> = p.sessions[0]
        .events
        .iter()
        .filter(|e| e.kind == ketamine_planner::timeline::EventKind::RateChange)
        .map(|e| (e.at.to_string(), e.label.clone()))
        .collect();
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert_eq!(steps[0].0, "2026-12-29T09:00");
    assert!(steps[3].1.contains("40 mg/h = 40 mL/h"), "{steps:?}");
    // 5 days from 2026-12-29T08:00 ends 2027-01-03T08:00; re-treatment within 21 days alerts.
    assert_eq!(p.sessions[0].end.to_string(), "2027-01-03T08:00");
    let p = run(
        json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-29T08:00", "previousCourseEnd": "2026-12-10"}),
    );
    assert!(codes(&p).contains(&"retreatment_within_21_days"));
    assert!(!p.boosters.is_empty());
}

#[test]
fn calendar_export_needs_a_start_and_names_the_sessions() {
    let lib = Library::default_library().unwrap();
    let stamp =
        ketamine_planner::calendar::LocalDateTime::parse("2026-11-24T10:00", "dtstamp").unwrap();
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    assert_eq!(
        ketamine_planner::plan::course_ics(&p, stamp)
            .unwrap_err()
            .field,
        "start"
    );
    let req: PlanRequest = serde_json::from_value(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-07T08:00"})).unwrap();
    let ics = ketamine_planner::plan::course_ics(&plan(&lib, &req).unwrap(), stamp).unwrap();
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 10);
    assert!(ics.contains("24.5 mL/h"));
}

#[test]
fn discharge_conditions_and_plain_dates_come_from_the_library() {
    // 2026-12-07 is a Monday.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-07T08:00"}),
    );
    assert_eq!(p.sessions[0].text.date, "Monday 7 December 2026");
    assert_eq!(p.sessions[9].text.date, "Friday 18 December 2026");
    assert_eq!(p.text.no_driving, "No driving for 24 hours");
    let discharge = p.sessions[0]
        .events
        .iter()
        .find(|e| e.kind == ketamine_planner::timeline::EventKind::DischargeEarliest)
        .unwrap();
    assert!(
        discharge.label.ends_with("no driving for 24 h"),
        "{}",
        discharge.label
    );
    // A clinic that sets 12 hours gets 12 hours everywhere.
    let lib = Library::from_json(&include_str!("../data/library.json").replacen(
        "\"noDrivingHours\": 24",
        "\"noDrivingHours\": 12",
        1,
    ))
    .unwrap();
    let req: PlanRequest = serde_json::from_value(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-07T08:00"})).unwrap();
    let p = plan(&lib, &req).unwrap();
    assert_eq!(p.text.no_driving, "No driving for 12 hours");
    assert!(p.sessions[0]
        .events
        .iter()
        .any(|e| e.label.ends_with("no driving for 12 h")));
}

#[test]
fn preparation_chooses_the_smallest_container_that_holds_the_session() {
    // Schwartzman 0.35 mg/kg/h x 40 kg = 14 mg/h; 4 h = 56 mg = 56 mL at 1 mg/mL.
    // 56 + 25 mL priming = 81 mL: a 100 mL bag (100 mg), not the 500 mL standard.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 40}, "concentrationMgPerMl": 1, "dose": {"sessions": 5}}),
    );
    let prep = p.preparation.unwrap();
    assert_eq!(
        (prep.final_volume_ml, prep.drug_mg, prep.container.as_ref()),
        (100.0, 100.0, "bag")
    );
    assert_eq!(
        prep.containers_text,
        "1 bag of 100 mL per session; 5 for the course."
    );
    // The label's numbers: 1 mg/mL x 100 mL = 100 mg.
    assert_eq!(
        (
            prep.label.drug_mg.as_str(),
            prep.label.final_volume.as_str(),
            prep.label.concentration.as_str()
        ),
        ("100 mg", "100 mL", "1 mg/mL")
    );
    // 70 kg: 98 mL + 25 = 123 mL: the next size, 250 mL.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    assert_eq!(p.preparation.unwrap().final_volume_ml, 250.0);
}

#[test]
fn continuous_infusion_containers_per_day() {
    // Getson at 1 mg/mL: 20 mL/h x 24 h = 480 mL a day; + 25 mL priming > 250:
    // the 500 mL standard bag. One a day (by volume and by the 24 h change),
    // 5 for 5 days; at 40 mL/h 960 mL a day = 2 a day, 10 for the course.
    let p = run(
        json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    );
    let prep = p.preparation.unwrap();
    assert_eq!(prep.container_need_ml, 480.0);
    assert_eq!(
        prep.containers_text,
        "1 bag of 500 mL per day (a new bag at least every 24 h); 5 for the course, up to 10 at the highest level."
    );
    // Ward syringe: 24 h at 1 mL/h = 24 mL + 2 mL line: 40 mL is the smallest
    // standard syringe size above 26 mL (20 mL does not hold it).
    let p = run(
        json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70}, "concentrationMgPerMl": 5}),
    );
    let prep = p.preparation.unwrap();
    assert_eq!(
        (prep.final_volume_ml, prep.container.as_ref()),
        (40.0, "syringe")
    );
    // At the top rung, 25 mg/h = 5 mL/h x 24 h = 120 mL = 3 syringes.
    assert_eq!(
        prep.containers_text,
        "1 syringe of 40 mL for the session, up to 3 at the highest level."
    );
}
