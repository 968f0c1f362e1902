//! The concentration preview joins the plan to the PK solver: the course's
//! real clock (gaps included), the delivered (rounded, capped) rates, and a
//! refusal where no model applies.

use ketamine_planner::pk;
use ketamine_planner::plan::plan;
use ketamine_planner::preview::{preview, PreviewOptions};
use ketamine_planner::protocol::Library;
use ketamine_planner::request::PlanRequest;
use serde_json::json;

fn run(
    req: serde_json::Value,
    options: PreviewOptions,
) -> ketamine_planner::Result<ketamine_planner::preview::Preview> {
    let lib = Library::default_library().unwrap();
    let req: PlanRequest = serde_json::from_value(req).unwrap();
    let p = plan(&lib, &req).unwrap();
    preview(
        pk::Library::shipped().unwrap(),
        &p,
        req.patient.age_years,
        &options,
    )
}

#[test]
fn single_session_equals_the_solver_on_the_delivered_rate() {
    // Schwartzman 70 kg: 24.5 mg/h for 240 min; observation to 360 min.
    let got = run(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}), PreviewOptions::default()).unwrap();
    let direct = pk::simulate(
        pk::Library::shipped().unwrap(),
        "domino",
        &pk::PkPatient {
            weight_kg: 70.0,
            age_years: None,
        },
        &[pk::RateSegment {
            start_min: 0.0,
            end_min: 240.0,
            mg_per_hour: 24.5,
        }],
        &pk::SimOptions {
            sessions: vec![pk::SessionMark {
                end_min: 240.0,
                discharge_min: 360.0,
            }],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(got.primary.model.id, "domino");
    assert_eq!(got.primary.sessions, direct.sessions);
    assert_eq!(
        got.primary.concentrations_ng_per_ml,
        direct.concentrations_ng_per_ml
    );
    assert!(got.svg.contains("Model estimate for a typical patient"));
    // Only the first session without a start date, and it says so.
    assert!(got
        .notes
        .iter()
        .any(|n| n.code == "preview_first_session_only"));
}

#[test]
fn a_dated_course_includes_every_session_and_the_gaps() {
    // 10 weekday sessions from Monday 2026-12-07 08:00: the weekend gap is
    // 3 days, so session 6 (Monday 14th) starts 7 x 1440 = 10,080 min in.
    let got = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "start": "2026-12-07T08:00"}),
        PreviewOptions { resolution_minutes: Some(60.0), compare: vec!["kamp-2020".into(), "hijazi-2003".into()], ..Default::default() },
    )
    .unwrap();
    assert_eq!(got.primary.sessions.len(), 10);
    assert_eq!(got.compare.len(), 2);
    let at = |minute: f64| {
        let i = got.primary.times.iter().position(|t| *t == minute).unwrap();
        got.primary.concentrations_ng_per_ml[i]
    };
    // Before session 6 the level has decayed over the weekend; during it, it rises again.
    assert!(at(10_080.0) < 1.0, "{}", at(10_080.0));
    assert!(at(10_080.0 + 240.0) > 100.0);
    assert!(!got
        .notes
        .iter()
        .any(|n| n.code == "preview_first_session_only"));
}

#[test]
fn clock_driven_steps_feed_the_solver_and_esketamine_is_refused() {
    let stepped = run(json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"stepEveryMinutes": 60}}), PreviewOptions::default()).unwrap();
    let flat = run(json!({"protocol": "getson-inpatient", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}), PreviewOptions::default()).unwrap();
    // Stepping up to 40 mg/h ends higher than holding 20 mg/h.
    assert!(
        stepped.primary.sessions[0].end_ng_per_ml > 1.9 * flat.primary.sessions[0].end_ng_per_ml
    );
    assert!(flat.notes.iter().any(|n| n.code == "preview_first_level"));
    let e = run(json!({"protocol": "sigtermans-2009-esketamine", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}), PreviewOptions::default()).unwrap_err();
    assert_eq!(e.code, "no_pk_model");
    let e = run(json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"startDose": 3}}), PreviewOptions::default()).unwrap_err();
    assert_eq!(e.code, "no_rate");
}

#[test]
fn preview_figures_come_formatted() {
    let got = run(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}), PreviewOptions::default()).unwrap();
    // Formatted from the same numbers: whole ng/mL, unit beside.
    let end = got.primary.sessions[0].end_ng_per_ml;
    assert_eq!(
        got.text.sessions[0].end,
        format!("{} ng/mL", ketamine_planner::numbers::format(end, 0))
    );
    assert!(got.text.peak.contains(" ng/mL at "));
    assert!(
        got.text.sessions[0]
            .minutes_to_threshold
            .contains("after the end of the infusion")
            || got.text.sessions[0]
                .minutes_to_threshold
                .contains("already below")
    );
}

#[test]
fn a_level_above_the_band_at_discharge_is_an_information_alert_not_a_criterion() {
    // Walter Reed 96 kg at 2 mg/mL: 144 mg/h capped at 120 mg/h for 4 h, then 2 h
    // observation; the default model (Domino) predicts about 167 ng/mL at discharge,
    // above the 160 ng/mL top of the analgesia band.
    let p = run(
        json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 96}, "concentrationMgPerMl": 2}),
        PreviewOptions::default(),
    )
    .unwrap();
    let at_discharge = p.primary.sessions[0].discharge_ng_per_ml;
    assert!(
        at_discharge > 160.0 && at_discharge < 175.0,
        "{at_discharge}"
    );
    let note = p
        .notes
        .iter()
        .find(|a| a.code == "discharge_above_band")
        .expect("the alert");
    assert_eq!(note.level, ketamine_planner::alert::Level::Info);
    assert!(
        note.message.contains("2 h after the infusion")
            && note.message.contains("not a discharge criterion"),
        "{}",
        note.message
    );
    assert!(
        note.message
            .contains(&format!("{} ng/mL", at_discharge.round())),
        "{}",
        note.message
    );
    // Schwartzman 0.35 mg/kg/h x 70 kg = 24.5 mg/h: far below the band at discharge.
    let p = run(
        json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
        PreviewOptions::default(),
    )
    .unwrap();
    assert!(p.primary.sessions[0].discharge_ng_per_ml < 100.0);
    assert!(!p.notes.iter().any(|a| a.code == "discharge_above_band"));
}

mod solve_target {
    use super::*;
    use ketamine_planner::alert::Level;
    use ketamine_planner::preview::target;

    fn target_plan(target_ng: f64, acknowledged: &[&str]) -> ketamine_planner::plan::Plan {
        let lib = Library::default_library().unwrap();
        let req = PlanRequest::from_json(
            &json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1,
                "dose": {"targetNgPerMl": target_ng}, "acknowledged": acknowledged})
            .to_string(),
        )
        .unwrap();
        plan(&lib, &req).unwrap()
    }

    /// The model decides the dose in target mode: a patient outside its
    /// population is a soft alert, not the preview's information line.
    #[test]
    fn a_patient_outside_the_models_population_needs_acknowledging() {
        let lib = Library::default_library().unwrap();
        let run = |patient: serde_json::Value, model: &str| {
            let req = PlanRequest::from_json(
                &json!({"protocol": "custom", "patient": patient, "concentrationMgPerMl": 1,
                    "dose": {"targetNgPerMl": 150, "model": model}})
                .to_string(),
            )
            .unwrap();
            let p = plan(&lib, &req).unwrap();
            let out = p
                .alerts
                .iter()
                .find(|a| a.code == "target_model_out_of_range")
                .map(|a| (a.level, a.message.clone()));
            (out, p.confirmed)
        };
        // An 8-year-old (25 kg) on Domino (adults 18 to 100 y): soft, unconfirmed until acknowledged.
        let (out, confirmed) = run(json!({"weightKg": 25, "ageYears": 8}), "domino");
        let (level, message) = out.unwrap();
        assert_eq!(level, Level::Soft);
        assert!(
            message.starts_with("This patient is outside the Domino model's range (adults"),
            "{message}"
        );
        assert!(
            message.ends_with("the rates for the target are an extrapolation."),
            "{message}"
        );
        assert!(!confirmed);
        // The same child on Herd 2007 (children 1 to 14 y): within its population.
        assert_eq!(
            run(json!({"weightKg": 25, "ageYears": 8}), "herd-2007").0,
            None
        );
        // 160 kg on Kamp 2020 (40 to 150 kg): outside by weight.
        assert!(run(json!({"weightKg": 160}), "kamp-2020").0.is_some());
        assert_eq!(run(json!({"weightKg": 70}), "kamp-2020").0, None);
    }

    fn scheme(target_ng: f64, acknowledged: &[&str]) -> ketamine_planner::preview::TargetPlan {
        target(
            pk::Library::shipped().unwrap(),
            &target_plan(target_ng, acknowledged),
            None,
        )
        .unwrap()
    }

    #[test]
    fn steps_at_the_orders_concentration_and_pump_through_the_plans_limits() {
        // Domino, 70 kg, 150 ng/mL by 15 min: 39.7 mg/h = 39.7 mL/h at 1 mg/mL,
        // 0.567 mg/kg/h: under every limit, so the scheme is usable as it is.
        let s = scheme(150.0, &[]);
        assert_eq!(s.steps[0].ml_per_hour, Some(39.7));
        assert_eq!(s.steps[0].text.ml_per_hour, "39.7 mL/h");
        assert_eq!(s.steps[1].text.from, "15 min");
        // A rate is kept while it holds the level within 3% (pk::target::HOLD_PERCENT):
        // 10 changes over the 4 h, not one every 15 min (16); the first hour changes each quarter.
        assert_eq!(s.steps.len(), 10);
        let rates: Vec<_> = s
            .steps
            .iter()
            .take(4)
            .map(|r| r.ml_per_hour.unwrap())
            .collect();
        assert_eq!(rates, [39.7, 34.1, 30.8, 28.3]);
        assert!(s.max_deviation_percent <= 10.0);
        assert!(s.usable, "{:?}", s.alerts);
        assert!(
            s.alerts.iter().all(|a| a.level == Level::Info),
            "{:?}",
            s.alerts
        );
        assert!(
            s.svg.starts_with("<svg")
                && s.svg
                    .contains(">Target 150 ng/mL: the level ordered</text>")
        );
        assert_eq!(s.predicted.times.len(), 241);
        // 300 ng/mL: 79.5 mg/h / 70 kg = 1.14 mg/kg/h, above the 1 mg/kg/h soft limit.
        let s = scheme(300.0, &[]);
        assert!(s
            .alerts
            .iter()
            .any(|a| a.level == Level::Soft && a.code == "dose_above_soft_limit"));
        assert!(!s.usable);
        assert!(scheme(300.0, &["dose_above_soft_limit"]).usable);
        // 1,000 ng/mL: 265 mg/h = 3.8 mg/kg/h, at or above the 2 mg/kg/h hard limit:
        // that step has no rate, and the scheme is not usable.
        let s = scheme(1000.0, &["dose_above_soft_limit"]);
        assert_eq!(s.steps[0].ml_per_hour, None);
        assert_eq!(s.steps[0].text.ml_per_hour, "no rate");
        assert!(s.alerts.iter().any(|a| a.level == Level::Hard));
        assert!(!s.usable);
        assert!(
            s.svg.is_empty() && s.predicted.times.is_empty(),
            "no curve of a refused step"
        );
    }

    #[test]
    fn the_scheme_is_the_plans_rates_on_the_clock_totals_and_preview() {
        let p = target_plan(150.0, &[]);
        let t = p.target.as_ref().unwrap();
        assert_eq!(t.text, "150 ng/mL by 15 min (Domino)");
        assert_eq!(t.starts.len(), p.levels.len());
        // The steps start at 0, at 15 min and then on quarter hours, as rate changes.
        let at: Vec<u32> = p.rate_changes.iter().map(|r| r.at_minute).collect();
        assert_eq!(at, t.starts);
        assert_eq!(&at[..2], [0, 15]);
        assert!(at.windows(2).all(|w| w[1] > w[0] && (w[1] - 15) % 15 == 0));
        assert_eq!(p.levels[0].mg_per_hour, Some(39.7));
        // Session mg: each rate times its own minutes (the last to 240).
        let mut mg = 0.0;
        for (i, r) in p.rate_changes.iter().enumerate() {
            let to = p.rate_changes.get(i + 1).map_or(240, |n| n.at_minute);
            mg += r.mg_per_hour.unwrap() * (to - r.at_minute) as f64 / 60.0;
        }
        assert!((p.totals.session_mg.unwrap() - mg).abs() < 1e-9);
        assert_eq!(p.totals.session_mg_at_max, None, "a scheme is not titrated");
        // The preview follows the scheme and holds the target within 10% after 15 min.
        let v = preview(
            pk::Library::shipped().unwrap(),
            &p,
            None,
            &PreviewOptions {
                resolution_minutes: Some(1.0),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(v.primary.model.id, "domino");
        for (t, c) in v
            .primary
            .times
            .iter()
            .zip(&v.primary.concentrations_ng_per_ml)
        {
            if (15.0..=240.0).contains(t) {
                assert!((c - 150.0).abs() <= 15.0, "{c} ng/mL at {t} min");
            }
        }
        assert!(v
            .svg
            .contains(">Target 150 ng/mL: the level ordered</text>"));
        // Provenance: the target ordered, the model and the 15 min the planner's defaults.
        let sources: Vec<(&str, String)> = p
            .provenance
            .iter()
            .map(|v| (v.value, format!("{:?}", v.source)))
            .collect();
        assert!(sources.contains(&("dose", "Ordered".into())));
        assert!(sources.contains(&("model", "Default".into())));
        assert!(sources.contains(&("reachMinutes", "Default".into())));
        // The scheme's own rules, which decide the rates as well.
        let steps = p
            .provenance
            .iter()
            .find(|v| v.value == "targetSteps")
            .unwrap();
        assert_eq!(steps.text, "Rate steps: at most every 15 min, a rate kept while the level stays within 3% of the target, planner defaults (D)");
    }

    #[test]
    fn target_mode_refuses_what_it_cannot_honour() {
        let lib = Library::default_library().unwrap();
        let refuse = |dose: serde_json::Value, protocol: &str| {
            let req = PlanRequest::from_json(
                &json!({"protocol": protocol, "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": dose}).to_string(),
            )
            .unwrap();
            let e = plan(&lib, &req).unwrap_err();
            let e = e.first().unwrap();
            (e.field.clone(), e.code.clone())
        };
        let f = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            refuse(json!({"targetNgPerMl": 150, "startDose": 0.2}), "custom"),
            f("targetNgPerMl", "ambiguous")
        );
        assert_eq!(
            refuse(json!({"targetNgPerMl": 150, "rateMlPerHour": 20}), "custom"),
            f("targetNgPerMl", "ambiguous")
        );
        assert_eq!(
            refuse(json!({"model": "domino"}), "schwartzman-2009"),
            f("targetNgPerMl", "required")
        );
        assert_eq!(
            refuse(
                json!({"targetNgPerMl": 150, "model": "nobody"}),
                "schwartzman-2009"
            ),
            f("model", "unknown_model")
        );
        assert_eq!(
            refuse(
                json!({"targetNgPerMl": 150, "reachMinutes": 300}),
                "schwartzman-2009"
            ),
            f("reachMinutes", "out_of_range")
        );
        assert_eq!(
            refuse(json!({"targetNgPerMl": 5}), "schwartzman-2009"),
            f("targetNgPerMl", "out_of_range")
        );
        // A custom protocol needs no start dose in target mode.
        let req = PlanRequest::from_json(
            &json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1,
                "dose": {"targetNgPerMl": 150, "model": "kamp-2020", "reachMinutes": 30}})
            .to_string(),
        )
        .unwrap();
        let p = plan(&lib, &req).unwrap();
        assert_eq!(p.target.as_ref().unwrap().reach_minutes, 30);
        assert_eq!(p.rate_changes[1].at_minute, 30);
        assert_eq!(p.target.unwrap().model.id, "kamp-2020");
        // Schwartzman caps at 25 mg/h: the first steps run at the cap, and the plan says why.
        let req = PlanRequest::from_json(
            &json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1,
                "dose": {"targetNgPerMl": 150}}).to_string(),
        )
        .unwrap();
        let p = plan(&lib, &req).unwrap();
        assert_eq!(p.levels[0].ml_per_hour, Some(25.0));
        assert!(p.levels.iter().all(|l| l.mg_per_hour.unwrap() <= 25.0));
        let codes: Vec<&str> = p.alerts.iter().map(|a| a.code.as_str()).collect();
        assert!(
            codes.contains(&"target_not_held") && codes.contains(&"protocol_dose_overridden"),
            "{codes:?}"
        );
        assert!(p.confirmed, "information alerts only");
    }
}
