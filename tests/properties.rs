//! Properties over arbitrary requests and forms: the planner never panics,
//! never shows a rate that a hard limit refused, rounds within half a pump
//! step, and its totals are its rates times its time.

use ketamine_planner::alert::Level;
use ketamine_planner::form::{plan_form, Form};
use ketamine_planner::plan::plan;
use ketamine_planner::protocol::Library;
use ketamine_planner::request::{DoseOverrides, Patient, PlanRequest};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

/// Every protocol of the shipped library, and one that does not exist.
fn protocol_id() -> impl Strategy<Value = String> {
    let ids: Vec<String> = Library::default_library()
        .unwrap()
        .protocols
        .iter()
        .map(|p| p.id.to_string())
        .collect();
    prop_oneof![12 => prop::sample::select(ids), 1 => Just("no-such-protocol".to_string())]
}

/// Any f64 including the nasty ones, weighted towards plausible values.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0..400.0f64,
        1 => prop::num::f64::ANY,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(-1.0),
        1 => Just(0.0),
        1 => 0.0..2.0f64,
    ]
}

fn opt_number() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![2 => Just(None), 3 => number().prop_map(Some)]
}

/// Overrides are rare in practice; mostly absent so that plans get made.
fn rare_number() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![30 => Just(None), 1 => number().prop_map(Some), 2 => (1u32..600).prop_map(|n| Some(n as f64))]
}

/// Mostly within the entry range, sometimes absent, rarely garbage.
fn plausible(lo: f64, hi: f64) -> impl Strategy<Value = Option<f64>> {
    prop_oneof![12 => (lo..hi).prop_map(Some), 4 => Just(None), 1 => number().prop_map(Some)]
}

fn word(options: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![10 => Just(None), 10 => prop::sample::select(options).prop_map(|s| Some(s.to_string())), 1 => ".{0,6}".prop_map(Some)]
}

prop_compose! {
    fn request()(
        protocol in protocol_id(),
        weight_kg in prop_oneof![20 => (1.0..400.0f64).prop_map(Some), 1 => opt_number()], weight_lb in prop_oneof![30 => Just(None), 1 => number().prop_map(Some)],
        height_cm in plausible(100.0, 250.0), age_years in plausible(0.0, 120.0), frail in any::<Option<bool>>(),
        sex in word(&["female", "male"]), weight_basis in word(&["auto", "total", "ideal", "adjusted"]),
        concentration in prop_oneof![12 => prop::sample::select(&[0.5, 1.0, 2.0, 5.0, 10.0, 50.0][..]).prop_map(Some), 1 => opt_number()],
        resolution in prop_oneof![6 => Just(None), 3 => prop::sample::select(&[0.01, 0.1, 0.5, 1.0][..]).prop_map(Some), 1 => opt_number()],
        (dose_unit, start_dose, step_dose, max_dose) in (prop_oneof![20 => Just(None), 1 => word(&["mg/kg/h", "mcg/kg/min", "mg/h"])], rare_number(), rare_number(), rare_number()),
        (session_dose_mg, session_minutes, sessions, schedule) in (rare_number(), rare_number(), rare_number(), prop_oneof![10 => Just(None), 1 => word(&["single", "daily", "weekdays", "continuous"])]),
        (observation_minutes, rate, volume_ml, volume_minutes, step_every) in (rare_number(), rare_number(), rare_number(), rare_number(), rare_number()),
        // Mostly no target; a target with its model and reach time; rarely
        // any combination (a model without a target is refused).
        (target, model, reach) in prop_oneof![
            14 => Just((None, None, None)),
            2 => ((20.0..400.0f64).prop_map(Some), prop_oneof![2 => Just(None), 1 => word(&["domino", "clements-250", "hijazi-2003", "kamp-2020"])], rare_number()),
            1 => (opt_number(), word(&["domino", "kamp-2020", "nope"]), rare_number()),
        ],
        mixed in prop::bool::weighted(0.2),
        acknowledged in prop::collection::vec(prop::sample::select(&["dose_above_soft_limit", "concentration_non_standard", "rounding_error", "x"][..]).prop_map(String::from), 0..3),
        cautions in prop_oneof![6 => Just(vec![]), 1 => prop::collection::vec(prop::sample::select(&["psychosis", "pregnancy", "nope"][..]).prop_map(String::from), 0..2)],
    ) -> PlanRequest {
        // A target replaces the dose: mostly order it alone, sometimes mixed (refused).
        let alone = target.is_some() && !mixed;
        let (dose_unit, start_dose, step_dose, max_dose, session_dose_mg) = if alone { Default::default() } else { (dose_unit, start_dose, step_dose, max_dose, session_dose_mg) };
        let (rate, volume_ml, volume_minutes, step_every) = if alone { Default::default() } else { (rate, volume_ml, volume_minutes, step_every) };
        PlanRequest {
            protocol,
            patient: Patient { weight_kg, weight_lb, height_cm, sex, age_years, frail },
            weight_basis,
            concentration_mg_per_ml: concentration,
            pump_resolution_ml_per_hour: resolution,
            preparation_volume_ml: None,
            dose: DoseOverrides { dose_unit, start_dose, step_dose, max_dose, session_dose_mg, session_minutes, sessions, schedule, observation_minutes, rate_ml_per_hour: rate, volume_ml, volume_minutes, step_every_minutes: step_every,
                target_ng_per_ml: target, model, reach_minutes: reach },
            acknowledged,
            cautions,
            start: None,
            previous_course_end: None,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn plans_keep_their_promises(req in request()) {
        let lib = Library::default_library().unwrap();
        let Ok(p) = plan(&lib, &req) else { return Ok(()) };
        let hard = p.alerts.iter().any(|a| a.level == Level::Hard);
        let unacked = p.alerts.iter().any(|a| a.level == Level::Soft && !a.acknowledged);
        prop_assert_eq!(p.confirmed, !hard && !unacked);
        prop_assert!(p.dosing_weight_kg > 0.0 && p.dosing_weight_kg <= p.weights.total_kg + 1e-9);
        prop_assert!(!p.levels.is_empty());
        for l in &p.levels {
            match l.ml_per_hour {
                None => {
                    prop_assert!(l.refused.is_some() && l.mg_per_hour.is_none());
                    prop_assert!(hard, "a level without a rate needs a hard alert");
                }
                Some(ml) => {
                    prop_assert!(l.refused.is_none());
                    prop_assert!(ml > 0.0 && ml <= 999.9);
                    let intended_ml = l.intended_mg_per_hour / p.concentration_mg_per_ml;
                    prop_assert!((ml - intended_ml).abs() <= p.pump_resolution_ml_per_hour / 2.0 + 1e-9,
                        "{} mL/h vs intended {} at step {}", ml, intended_ml, p.pump_resolution_ml_per_hour);
                    let mg = l.mg_per_hour.unwrap();
                    prop_assert!((mg - ml * p.concentration_mg_per_ml).abs() < 1e-9 * mg.max(1.0));
                    prop_assert!(!l.text.ml_per_hour.contains("NaN") && l.text.ml_per_hour.ends_with(" mL/h"));
                }
            }
        }
        // The rates on the clock: the first at 0, strictly later, within the
        // session; one unless the order steps by the clock or by a target.
        prop_assert_eq!(p.rate_changes[0].at_minute, 0);
        prop_assert!(p.rate_changes.windows(2).all(|w| w[0].at_minute < w[1].at_minute));
        prop_assert!(p.rate_changes.iter().all(|r| r.at_minute < p.session_minutes));
        if p.step_every_minutes.is_none() && p.target.is_none() {
            prop_assert_eq!(p.rate_changes.len(), 1);
        }
        if let Some(t) = &p.target {
            prop_assert_eq!(&t.starts, &p.rate_changes.iter().map(|r| r.at_minute).collect::<Vec<_>>());
            prop_assert_eq!(t.starts.len(), p.levels.len());
        }
        // Session mg is each rate times its own minutes.
        let mut expected = Some(0.0);
        for (i, r) in p.rate_changes.iter().enumerate() {
            let to = p.rate_changes.get(i + 1).map_or(p.session_minutes, |n| n.at_minute);
            expected = expected.zip(r.mg_per_hour).map(|(sum, mg)| sum + mg * (to - r.at_minute) as f64 / 60.0);
        }
        prop_assert_eq!(p.totals.session_mg.is_some(), expected.is_some());
        if let (Some(session), Some(expected)) = (p.totals.session_mg, expected) {
            prop_assert!((session - expected).abs() <= 1e-9 * session.max(1.0));
            let course = p.totals.course_mg.unwrap();
            prop_assert!((course - session * p.session_count as f64).abs() <= 1e-9 * course.max(1.0));
            let ml = p.totals.course_ml.unwrap();
            prop_assert!((ml * p.concentration_mg_per_ml - course).abs() <= 1e-9 * course.max(1.0));
        }
        if p.levels.iter().any(|l| l.ml_per_hour.is_none()) {
            prop_assert!(p.levels.last().unwrap().ml_per_hour.is_none() || p.levels[0].ml_per_hour.is_none() || hard);
        }
    }

    #[test]
    fn forms_never_panic_and_bad_text_never_makes_a_plan(
        weight in ".{0,8}", conc in ".{0,6}", height in ".{0,6}", start_dose in ".{0,6}",
        protocol in protocol_id(),
    ) {
        let lib = Library::default_library().unwrap();
        let form = Form { protocol, weight_kg: Some(weight.clone()), concentration_mg_per_ml: conc.clone(), height_cm: height, start_dose, ..Form::default() };
        let r = plan_form(&lib, &form);
        let well_formed = |s: &str| ketamine_planner::numbers::parse_decimal(s).is_ok();
        if !well_formed(&weight) || !well_formed(&conc) {
            prop_assert!(r.plan.is_none());
            prop_assert!(!r.field_errors.is_empty());
        }
        prop_assert!(r.plan.is_some() != (!r.field_errors.is_empty() || r.error.is_some()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The session clock never panics, and what it counts lies between
    /// nothing and the session's total, rising with the time now.
    #[test]
    fn the_session_clock_counts_within_the_session(req in request(), start in 0i64..6_000_000, later in 0i64..20_000, step in 0i64..600) {
        use ketamine_planner::calendar::LocalDateTime;
        use ketamine_planner::session_clock::session_clock;
        let lib = Library::default_library().unwrap();
        let Ok(p) = plan(&lib, &req) else { return Ok(()) };
        let origin = LocalDateTime::parse("2000-01-01T00:00", "t").unwrap();
        let started = origin.checked_add_minutes(start).unwrap();
        let now = started.checked_add_minutes(later).unwrap();
        let a = session_clock(&p, started, now).unwrap();
        let b = session_clock(&p, started, now.checked_add_minutes(step).unwrap()).unwrap();
        if let (Some(x), Some(y), Some(total)) = (a.delivered_mg, b.delivered_mg, p.totals.session_mg) {
            prop_assert!(x >= 0.0 && x <= y + 1e-9 && y <= total + 1e-9, "{} then {} of {}", x, y, total);
        }
        prop_assert!(a.infused_minutes <= i64::from(p.session_minutes));
        prop_assert!(session_clock(&p, now, started).is_err() || later == 0);
    }
}

/// A property that only ever sees refusals proves nothing about plans: check
/// that the generator reaches the planner often.
#[test]
fn generated_requests_reach_the_planner() {
    let lib = Library::default_library().unwrap();
    let mut runner = TestRunner::deterministic();
    let strategy = request();
    let made = (0..1000)
        .filter(|_| plan(&lib, &strategy.new_tree(&mut runner).unwrap().current()).is_ok())
        .count();
    assert!(
        made > 200,
        "only {made} of 1000 generated requests became plans"
    );
}

/// Every leaf's JSON pointer in `v`.
fn leaves(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    use serde_json::Value;
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| leaves(x, format!("{at}/{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| leaves(x, format!("{at}/{i}"), out)),
        _ => out.push(at),
    }
}

/// A value of any JSON type to put in place of a file's leaf.
fn any_leaf() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    prop_oneof![
        number().prop_map(|n| serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
        Just(Value::Null),
        Just(Value::Bool(true)),
        Just(serde_json::json!([])),
        Just(serde_json::json!({"x": 1})),
        Just(Value::String("2026-13-40".into())),
        Just(Value::String("25:61".into())),
    ]
}

/// Opening a course record never panics: the three-course record with one of
/// its values replaced by an arbitrary one (any JSON type, any number) is
/// either refused with a `PlanError` naming a path, or reviewed.
#[test]
fn reviewing_any_course_record_never_panics() {
    use ketamine_planner::record::CourseRecord;
    use ketamine_planner::review::review;
    use serde_json::Value;
    let lib = Library::default_library().unwrap();
    let base: Value = serde_json::from_str(include_str!("course-record.json")).unwrap();
    let mut paths = Vec::new();
    leaves(&base, String::new(), &mut paths);
    let mut runner = TestRunner::default();
    runner
        .run(
            &(prop::sample::select(paths), any_leaf()),
            |(path, value)| {
                let mut v = base.clone();
                *v.pointer_mut(&path).unwrap() = value;
                let reviewed = CourseRecord::from_json(&v.to_string())
                    .map_err(|all| all.first().cloned())
                    .and_then(|r| review(&lib, &r).map_err(Some));
                match reviewed {
                    Ok(r) => prop_assert!(r.ledger.total_given_mg.is_finite()),
                    // Every refusal names where and why.
                    Err(e) => prop_assert!(
                        e.is_some_and(|e| e.field.starts_with('/') && !e.message.is_empty())
                    ),
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Reading a clinic's library never panics: the shipped library with one
/// value replaced by an arbitrary one is refused with every problem at a
/// JSON Pointer and a message, or it reads, and then each of its protocols
/// plans (or is refused) for a 70 kg adult without a panic.
#[test]
fn reading_any_edited_library_never_panics() {
    use serde_json::Value;
    let base: Value =
        serde_json::from_str(ketamine_planner::protocol::DEFAULT_LIBRARY_JSON).unwrap();
    let mut paths = Vec::new();
    leaves(&base, String::new(), &mut paths);
    let mut runner = TestRunner::default();
    runner
        .run(
            &(prop::sample::select(paths), any_leaf()),
            |(path, value)| {
                let mut v = base.clone();
                *v.pointer_mut(&path).unwrap() = value;
                match Library::from_json(&v.to_string()) {
                    Ok(lib) => {
                        for p in &lib.protocols {
                            let req = PlanRequest::from_json(&format!(
                                r#"{{"protocol": "{}", "patient": {{"weightKg": 70}}, "concentrationMgPerMl": 1}}"#,
                                p.id
                            ));
                            if let Ok(req) = req {
                                let _ = plan(&lib, &req);
                            }
                        }
                    }
                    Err(all) => {
                        prop_assert!(!all.is_empty());
                        for e in all.iter() {
                            prop_assert!(e.field.is_empty() || e.field.starts_with('/'), "{}", e.field);
                            prop_assert!(!e.message.is_empty() && !e.code.is_empty());
                        }
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}
