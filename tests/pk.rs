//! Pharmacokinetics: the closed-form solver against an independent RK4
//! integrator, the spec's numbers, and garbage input.

use ketamine_planner::alert::Level;
use ketamine_planner::pk::{
    self, check_drug, compare, derive, reference, simulate, svg_plot, Library, PkPatient,
    RateSegment, SessionMark, SimOptions, Simulation,
};
use proptest::prelude::*;

fn lib() -> &'static Library {
    Library::shipped().expect("shipped PK models load")
}

const ADULT: PkPatient = PkPatient {
    weight_kg: 70.0,
    age_years: Some(45.0),
};
const MODELS: [&str; 5] = [
    "domino",
    "clements-250",
    "hijazi-2003",
    "kamp-2020",
    "herd-2007",
];

fn seg(start_min: f64, end_min: f64, mg_per_hour: f64) -> RateSegment {
    RateSegment {
        start_min,
        end_min,
        mg_per_hour,
    }
}

fn opts(resolution: f64, horizon: f64) -> SimOptions {
    SimOptions {
        resolution_minutes: Some(resolution),
        horizon_minutes: Some(horizon),
        ..SimOptions::default()
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

fn sim(model: &str, segments: &[RateSegment], o: &SimOptions) -> Simulation {
    simulate(lib(), model, &ADULT, segments, o).expect("valid simulation")
}

/// Regimens from the spec: a 4 h session, a titration ladder, two sessions a
/// day apart, and a 5-day continuous infusion stepping 20 to 40 mg/h.
fn regimens() -> Vec<(&'static str, Vec<RateSegment>, f64)> {
    let ladder: Vec<RateSegment> = (0..5)
        .map(|k| {
            seg(
                k as f64 * 60.0,
                (k + 1) as f64 * 60.0,
                20.0 + 5.0 * k as f64,
            )
        })
        .collect();
    let five_day: Vec<RateSegment> = (0..5)
        .map(|d| {
            seg(
                d as f64 * 1440.0,
                (d + 1) as f64 * 1440.0,
                20.0 + 5.0 * d as f64,
            )
        })
        .collect();
    vec![
        ("4 h session", vec![seg(0.0, 240.0, 24.5)], 960.0),
        ("titration ladder", ladder, 1020.0),
        (
            "two sessions with a gap",
            vec![seg(30.0, 270.0, 24.5), seg(1470.0, 1710.0, 24.5)],
            2430.0,
        ),
        ("5-day continuous", five_day, 7200.0 + 720.0),
    ]
}

#[test]
fn exact_solver_matches_rk4_within_0_1_percent() {
    for model in MODELS {
        let d = derive(lib(), model, &ADULT).expect("derive");
        for (name, segments, horizon) in regimens() {
            let s = sim(model, &segments, &opts(1.0, horizon));
            let rk = reference::concentrations(&d, &segments, &s.times, 0.01).expect("rk4");
            let floor = s.peak.ng_per_ml * 1e-3;
            for ((t, exact), approx) in s.times.iter().zip(&s.concentrations_ng_per_ml).zip(&rk) {
                if *approx > floor {
                    assert!(
                        close(*exact, *approx, 1e-3),
                        "{model} {name} t={t}: exact {exact} vs RK4 {approx}"
                    );
                }
            }
        }
    }
}

#[test]
fn long_infusion_reaches_rate_over_clearance() {
    for model in MODELS {
        let d = derive(lib(), model, &ADULT).expect("derive");
        assert!(
            d.terminal_half_life_min < 43_200.0 / 40.0,
            "{model} too slow for this check"
        );
        let s = sim(model, &[seg(0.0, 43_200.0, 30.0)], &opts(60.0, 43_200.0));
        let css = 30.0 / 60.0 / d.cl_l_per_min * 1000.0;
        let last = s.concentrations_ng_per_ml.last().copied().unwrap_or(0.0);
        assert!(close(last, css, 1e-9), "{model}: {last} vs {css}");
    }
}

#[test]
fn superposition_and_linearity() {
    let o = opts(1.0, 900.0);
    for model in MODELS {
        let full = sim(model, &[seg(0.0, 240.0, 24.0)], &o);
        let half = sim(model, &[seg(0.0, 240.0, 12.0)], &o);
        let split = sim(model, &[seg(0.0, 100.0, 24.0), seg(100.0, 240.0, 24.0)], &o);
        for ((f, h), s) in full
            .concentrations_ng_per_ml
            .iter()
            .zip(&half.concentrations_ng_per_ml)
            .zip(&split.concentrations_ng_per_ml)
        {
            assert!(close(2.0 * h, *f, 1e-12) || (*f == 0.0 && *h == 0.0));
            assert!(close(*s, *f, 1e-12) || *f == 0.0);
        }
    }
}

#[test]
fn no_infusion_gives_zero() {
    for model in MODELS {
        for segments in [
            vec![],
            vec![seg(0.0, 240.0, 0.0)],
            vec![seg(60.0, 60.0, 30.0)],
        ] {
            let s = sim(model, &segments, &SimOptions::default());
            assert!(s.concentrations_ng_per_ml.iter().all(|c| *c == 0.0));
            assert_eq!(s.peak.ng_per_ml, 0.0);
        }
    }
}

#[test]
fn decay_follows_terminal_half_life() {
    for model in MODELS {
        let th = derive(lib(), model, &ADULT)
            .expect("derive")
            .terminal_half_life_min;
        let s = sim(
            model,
            &[seg(0.0, 240.0, 24.5)],
            &opts(1.0, 240.0 + 17.0 * th),
        );
        let i = (240.0 + 15.0 * th).round() as usize;
        let (c1, c2) = (
            s.concentrations_ng_per_ml[i],
            s.concentrations_ng_per_ml[i + 60],
        );
        let slope = (c2.ln() - c1.ln()) / 60.0;
        assert!(
            close(slope, -std::f64::consts::LN_2 / th, 1e-4),
            "{model}: slope {slope}, t1/2 {th} min"
        );
    }
}

#[test]
fn derived_parameters_match_clinical_spec() {
    let d = derive(lib(), "domino", &ADULT).expect("domino");
    assert!(close(d.v1_l, 4.41, 1e-12));
    assert!(close(d.cl_l_per_min, 4.41 * 0.4381, 1e-12));
    assert!(close(d.cl_l_per_min, 1.932021, 1e-12));
    assert!(close(d.v2_l.unwrap_or(0.0), 4.41 * 0.5921 / 0.2470, 1e-12));
    assert!(close(d.v3_l.unwrap_or(0.0), 4.41 * 0.5900 / 0.0146, 1e-12));
    assert!(close(d.q2_l_per_min.unwrap_or(0.0), 4.41 * 0.5921, 1e-12));
    assert!(close(d.q3_l_per_min.unwrap_or(0.0), 4.41 * 0.59, 1e-12));
    assert_eq!(
        (d.compartments, d.k10, d.k12, d.k13, d.k21, d.k31),
        (3, 0.4381, 0.5921, 0.59, 0.247, 0.0146)
    );

    let c = derive(lib(), "clements-250", &ADULT).expect("clements");
    assert_eq!(c.compartments, 2);
    assert!(close(c.v1_l, 1.7522 * 70.0, 1e-12));
    assert!(close(c.cl_l_per_min, 1.7522 * 70.0 * 0.0109, 1e-12));
    assert!(close(
        c.v2_l.unwrap_or(0.0),
        1.7522 * 70.0 * 0.0186 / 0.0137,
        1e-12
    ));
    assert_eq!(c.v3_l, None);

    // Hijazi: the paper's CL 36 mL/kg/min and t1/2 4.9 h.
    let h = derive(lib(), "hijazi-2003", &ADULT).expect("hijazi");
    let ml_per_kg_min = h.cl_l_per_min * 1000.0 / 70.0;
    assert!(close(ml_per_kg_min, 1.08 * 0.0333 * 1000.0, 1e-12));
    assert!((ml_per_kg_min - 36.0).abs() < 0.05, "{ml_per_kg_min}");
    // Slow root of l^2 - (k10+k12+k21) l + k10 k21, by hand.
    let (a, b): (f64, f64) = (0.0333 + 0.0088 + 0.0030, 0.0333 * 0.0030);
    let slow = (a - (a * a - 4.0 * b).sqrt()) / 2.0;
    assert!(close(
        h.terminal_half_life_min,
        std::f64::consts::LN_2 / slow,
        1e-9
    ));
    assert!(
        (h.terminal_half_life_min / 60.0 - 4.9).abs() < 0.1,
        "{}",
        h.terminal_half_life_min / 60.0
    );

    // Kamp: linear in weight, so at 35 kg everything is half the 70 kg value.
    let half = PkPatient {
        weight_kg: 35.0,
        age_years: Some(45.0),
    };
    for (p, f) in [(ADULT, 1.0), (half, 0.5)] {
        let k = derive(lib(), "kamp-2020", &p).expect("kamp");
        assert!(close(k.v1_l, 25.0 * f, 1e-12) && close(k.v2_l.unwrap_or(0.0), 56.0 * f, 1e-12));
        assert!(close(k.v3_l.unwrap_or(0.0), 157.0 * f, 1e-12));
        assert!(close(k.cl_l_per_min, 84.0 / 60.0 * f, 1e-12));
        assert!(close(
            k.q2_l_per_min.unwrap_or(0.0),
            161.0 / 60.0 * f,
            1e-12
        ));
        assert!(close(k.q3_l_per_min.unwrap_or(0.0), 79.0 / 60.0 * f, 1e-12));
        assert!(
            close(k.k10, 84.0 / 60.0 / 25.0, 1e-12) && close(k.k31, 79.0 / 60.0 / 157.0, 1e-12)
        );
    }

    // Herd: volumes x W/70, clearances x (W/70)^0.75 (std powf, not libm).
    let child = PkPatient {
        weight_kg: 20.0,
        age_years: Some(6.0),
    };
    let hd = derive(lib(), "herd-2007", &child).expect("herd");
    let (fv, fc) = (20.0 / 70.0, (20.0_f64 / 70.0).powf(0.75));
    assert!(close(hd.v1_l, 38.7 * fv, 1e-12) && close(hd.v2_l.unwrap_or(0.0), 102.0 * fv, 1e-12));
    assert!(close(hd.cl_l_per_min, 90.0 / 60.0 * fc, 1e-12));
    assert!(close(
        hd.q2_l_per_min.unwrap_or(0.0),
        215.0 / 60.0 * fc,
        1e-12
    ));
    assert!(close(hd.k21, 215.0 * fc / 60.0 / (102.0 * fv), 1e-12));
    assert_eq!(hd.compartments, 2);
}

#[test]
fn library_carries_models_bands_and_tags() {
    let lib = lib();
    assert_eq!(lib.default_model, "domino");
    assert_eq!(
        lib.models.iter().map(|m| m.id.as_ref()).collect::<Vec<_>>(),
        MODELS
    );
    let analgesia = lib.band("analgesia").expect("analgesia band");
    assert_eq!(
        (
            analgesia.low_ng_per_ml,
            analgesia.high_ng_per_ml,
            analgesia.tag.as_ref()
        ),
        (100.0, 160.0, "S2")
    );
    let awake = lib.band("awakening").expect("awakening band");
    assert_eq!((awake.low_ng_per_ml, awake.tag.as_ref()), (750.0, "S"));
    assert_eq!(lib.default_threshold(), 100.0);
    for m in lib.models.iter() {
        assert!(!m.source.is_empty() && !m.tag.is_empty() && !m.population.is_empty());
    }
}

#[test]
fn outside_model_range_is_an_info_alert_naming_the_population() {
    let regimen = [seg(0.0, 240.0, 10.0)];
    let child = PkPatient {
        weight_kg: 20.0,
        age_years: Some(6.0),
    };
    let s = simulate(lib(), "domino", &child, &regimen, &SimOptions::default()).expect("sim");
    let a = s
        .alerts
        .iter()
        .find(|a| a.code == "pk_outside_model_range")
        .expect("alert");
    assert_eq!(a.level, Level::Info);
    assert!(a.message.contains("adults"), "{}", a.message);
    let herd = simulate(lib(), "herd-2007", &ADULT, &regimen, &SimOptions::default()).expect("sim");
    assert!(herd
        .alerts
        .iter()
        .any(|a| a.message.contains("children 1 to 14 y")));
    let fits = simulate(lib(), "herd-2007", &child, &regimen, &SimOptions::default()).expect("sim");
    assert!(fits.alerts.is_empty());
    assert!(sim("domino", &regimen, &SimOptions::default())
        .alerts
        .is_empty());
    // Age unknown: weight alone decides.
    let heavy = PkPatient {
        weight_kg: 180.0,
        age_years: None,
    };
    assert!(
        simulate(lib(), "domino", &heavy, &regimen, &SimOptions::default())
            .expect("sim")
            .alerts
            .len()
            == 1
    );
}

#[test]
fn esketamine_is_refused_not_guessed() {
    let e = check_drug("esketamine").expect_err("no model");
    assert_eq!((e.field.as_str(), e.code.as_str()), ("drug", "no_pk_model"));
    assert!(e
        .message
        .contains("No pharmacokinetic model here covers esketamine or norketamine"));
    assert!(check_drug("Ketamine").is_ok());
    assert_eq!(
        check_drug("propofol").expect_err("unknown").code,
        "unknown_drug"
    );
}

#[test]
fn sessions_report_levels_and_exact_time_to_threshold() {
    let segments = [seg(0.0, 240.0, 24.5), seg(1440.0, 1680.0, 24.5)];
    let o = SimOptions {
        resolution_minutes: Some(1.0),
        horizon_minutes: Some(2400.0),
        threshold_ng_per_ml: Some(40.0),
        sessions: vec![
            SessionMark {
                end_min: 240.0,
                discharge_min: 360.0,
            },
            SessionMark {
                end_min: 1680.0,
                discharge_min: 1800.0,
            },
        ],
        ..Default::default()
    };
    for model in MODELS {
        let s = sim(model, &segments, &o);
        let at = |t: f64| s.concentrations_ng_per_ml[t as usize];
        for (mark, lv) in o.sessions.iter().zip(&s.sessions) {
            assert!(close(lv.end_ng_per_ml, at(mark.end_min), 1e-12));
            assert!(close(lv.discharge_ng_per_ml, at(mark.discharge_min), 1e-12));
            let m = lv.minutes_to_threshold.expect("falls below within horizon");
            let t = mark.end_min + m;
            // First grid minute below 40 is the ceiling of the exact crossing.
            let first = (mark.end_min as usize..s.times.len())
                .find(|&i| s.concentrations_ng_per_ml[i] < 40.0);
            if lv.end_ng_per_ml >= 40.0 {
                assert_eq!(first, Some(t.ceil() as usize), "{model}: {t}");
                let d = derive(lib(), model, &ADULT).expect("derive");
                let c = reference::concentrations(&d, &segments, &[t], 0.001).expect("rk4")[0];
                assert!(close(c, 40.0, 1e-6), "{model}: C at crossing {c}");
            } else {
                assert_eq!(m, 0.0);
            }
        }
    }
    // Never falls within a short horizon: None, not a made-up number.
    let short = SimOptions {
        horizon_minutes: Some(250.0),
        ..o.clone()
    };
    let s = sim("domino", &segments, &short);
    assert_eq!(s.sessions[0].minutes_to_threshold, None);
    assert_eq!(s.sessions[1].minutes_to_threshold, None);
}

#[test]
fn peak_is_exact_and_at_least_every_grid_value() {
    for model in MODELS {
        for (_, segments, horizon) in regimens() {
            let s = sim(model, &segments, &opts(5.0, horizon));
            assert!(s
                .concentrations_ng_per_ml
                .iter()
                .all(|c| *c <= s.peak.ng_per_ml));
        }
        let s = sim(model, &[seg(0.0, 240.0, 24.5)], &SimOptions::default());
        assert_eq!(s.peak.at_minute, 240.0);
    }
}

#[test]
fn compare_runs_each_model_in_order() {
    let sims = compare(
        lib(),
        &["domino", "kamp-2020"],
        &ADULT,
        &[seg(0.0, 240.0, 24.5)],
        &SimOptions::default(),
    )
    .expect("compare");
    assert_eq!(
        sims.iter().map(|s| s.model.id.as_ref()).collect::<Vec<_>>(),
        ["domino", "kamp-2020"]
    );
    let empty: [&str; 0] = [];
    assert_eq!(
        compare(lib(), &empty, &ADULT, &[], &SimOptions::default())
            .expect_err("empty")
            .field,
        "models"
    );
    assert_eq!(
        compare(
            lib(),
            &["domino", "nope"],
            &ADULT,
            &[],
            &SimOptions::default()
        )
        .expect_err("unknown")
        .code,
        "unknown_model"
    );
}

#[test]
fn defaults_and_json_shape() {
    let s = sim("domino", &[seg(0.0, 240.0, 24.5)], &SimOptions::default());
    assert_eq!(s.times.last().copied(), Some(240.0 + 720.0));
    assert_eq!(s.times.get(1).copied(), Some(5.0));
    assert_eq!(s.threshold_ng_per_ml, 100.0);
    let v = serde_json::to_value(&s).expect("json");
    for key in [
        "model",
        "thresholdNgPerMl",
        "times",
        "concentrationsNgPerMl",
        "peak",
        "sessions",
        "alerts",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["peak"].get("atMinute").is_some() && v["model"].get("population").is_some());
    let o: SimOptions = serde_json::from_str(
        r#"{"resolutionMinutes":1,"sessions":[{"endMin":240,"dischargeMin":360}]}"#,
    )
    .expect("options");
    assert_eq!(o.sessions.len(), 1);
}

#[test]
fn bad_input_is_an_error_at_its_field() {
    let ok = [seg(0.0, 240.0, 24.5)];
    let d = SimOptions::default();
    let field = |m: &str, p: &PkPatient, s: &[RateSegment], o: &SimOptions| {
        simulate(lib(), m, p, s, o).expect_err("must refuse").field
    };
    assert_eq!(
        field("domino", &ADULT, &[seg(0.0, 240.0, f64::NAN)], &d),
        "segments[0].mgPerHour"
    );
    assert_eq!(
        field("domino", &ADULT, &[seg(0.0, 240.0, -1.0)], &d),
        "segments[0].mgPerHour"
    );
    assert_eq!(
        field("domino", &ADULT, &[seg(240.0, 0.0, 5.0)], &d),
        "segments[0].endMin"
    );
    assert_eq!(
        field("domino", &ADULT, &[seg(f64::INFINITY, 1.0, 5.0)], &d),
        "segments[0].startMin"
    );
    assert_eq!(
        field(
            "domino",
            &ADULT,
            &[seg(0.0, 240.0, 5.0), seg(200.0, 300.0, 5.0)],
            &d
        ),
        "segments"
    );
    assert_eq!(field("nope", &ADULT, &ok, &d), "model");
    assert_eq!(
        simulate(lib(), "nope", &ADULT, &ok, &d)
            .expect_err("x")
            .code,
        "unknown_model"
    );
    assert_eq!(
        field(
            "domino",
            &PkPatient {
                weight_kg: f64::NAN,
                age_years: None
            },
            &ok,
            &d
        ),
        "patient.weightKg"
    );
    assert_eq!(
        field(
            "domino",
            &PkPatient {
                weight_kg: 70.0,
                age_years: Some(-1.0)
            },
            &ok,
            &d
        ),
        "patient.ageYears"
    );
    assert_eq!(
        field("domino", &ADULT, &ok, &opts(0.0, 100.0)),
        "resolutionMinutes"
    );
    assert_eq!(
        field("domino", &ADULT, &ok, &opts(f64::NAN, 100.0)),
        "resolutionMinutes"
    );
    assert_eq!(
        field("domino", &ADULT, &ok, &opts(5.0, -3.0)),
        "horizonMinutes"
    );
    assert_eq!(
        field("domino", &ADULT, &ok, &opts(5.0, 1e12)),
        "horizonMinutes"
    );
    let too_many =
        simulate(lib(), "domino", &ADULT, &ok, &opts(0.001, 7200.0)).expect_err("points");
    assert_eq!(
        (too_many.field.as_str(), too_many.code.as_str()),
        ("resolutionMinutes", "too_many_points")
    );
    let thr = SimOptions {
        threshold_ng_per_ml: Some(0.0),
        ..d.clone()
    };
    assert_eq!(field("domino", &ADULT, &ok, &thr), "thresholdNgPerMl");
    let marks = SimOptions {
        sessions: vec![SessionMark {
            end_min: 240.0,
            discharge_min: 100.0,
        }],
        ..d
    };
    assert_eq!(
        field("domino", &ADULT, &ok, &marks),
        "sessions[0].dischargeMin"
    );
}

#[test]
fn svg_plot_is_accessible_escaped_and_captioned() {
    let segments = [seg(0.0, 240.0, 24.5)];
    let mut sims = compare(
        lib(),
        &["domino", "kamp-2020"],
        &ADULT,
        &segments,
        &SimOptions::default(),
    )
    .expect("compare");
    sims[1].model.name = "Kamp <2020> & \"co\"".into();
    let lib = lib();
    let svg = svg_plot(&sims, &segments, &lib.bands);
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    assert!(svg.contains(r#"role="img""#) && svg.contains("<title>") && svg.contains("viewBox"));
    assert!(
        svg.contains("Model estimate for a typical patient; individual concentrations vary widely")
    );
    assert!(svg.contains("Kamp &lt;2020&gt; &amp; &quot;co&quot;"));
    assert!(!svg.contains("<2020>"));
    assert!(svg.contains("population orientation, not a target"));
    assert!(svg.contains("Analgesia 100 to 160 ng/mL (S2)"));
    assert!(svg.contains("ng/mL</text>") && svg.contains(" h</text>"));
    assert!(svg.contains("stroke-dasharray"), "overlay is dashed");
    // A 1-minute, 5-day curve stays compact.
    let long = sim("domino", &[seg(0.0, 7200.0, 30.0)], &opts(1.0, 7920.0));
    let big = svg_plot(&[long], &[seg(0.0, 7200.0, 30.0)], &lib.bands);
    assert!(big.len() < 80_000, "{} bytes", big.len());
    assert!(big.contains("1,000 ng/mL") || big.contains("Above the plotted range"));
    // Nothing to plot is still a valid picture, not a panic.
    assert!(svg_plot(&[], &[], &[]).contains("No concentration to plot"));
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(-0.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        -1e9..1e9f64,
        0.0..600.0f64,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn concentration_is_finite_and_never_negative(
        model in 0usize..5,
        weight in 10.0..200.0f64,
        parts in prop::collection::vec((0.0..600.0f64, 0.0..200.0f64), 0..8),
    ) {
        let mut t = 0.0;
        let segments: Vec<RateSegment> = parts.iter().map(|(len, rate)| {
            let s = seg(t, t + len, *rate);
            t += len + 30.0;
            s
        }).collect();
        let p = PkPatient { weight_kg: weight, age_years: None };
        let s = simulate(lib(), MODELS[model], &p, &segments, &SimOptions::default()).expect("valid");
        prop_assert!(s.concentrations_ng_per_ml.iter().all(|c| c.is_finite() && *c >= 0.0));
        prop_assert!(s.peak.ng_per_ml.is_finite());
    }

    #[test]
    fn rises_monotonically_during_a_constant_infusion(model in 0usize..5, rate in 0.1..500.0f64, len in 1.0..7200.0f64) {
        let s = simulate(lib(), MODELS[model], &ADULT, &[seg(0.0, len, rate)], &opts(1.0, len)).expect("valid");
        for w in s.concentrations_ng_per_ml.windows(2) {
            prop_assert!(w[1] >= w[0] * (1.0 - 1e-12), "{} then {}", w[0], w[1]);
        }
    }

    #[test]
    fn garbage_never_panics(
        model in prop_oneof![Just("domino".to_string()), Just("herd-2007".to_string()), ".{0,8}"],
        weight in any_f64(), age in prop::option::of(any_f64()),
        raw in prop::collection::vec((any_f64(), any_f64(), any_f64()), 0..6),
        res in prop::option::of(any_f64()), horizon in prop::option::of(any_f64()),
        threshold in prop::option::of(any_f64()),
        marks in prop::collection::vec((any_f64(), any_f64()), 0..3),
    ) {
        let segments: Vec<RateSegment> = raw.iter().map(|&(a, b, r)| seg(a, b, r)).collect();
        let o = SimOptions {
            resolution_minutes: res,
            horizon_minutes: horizon,
            threshold_ng_per_ml: threshold,
            sessions: marks.iter().map(|&(end_min, discharge_min)| SessionMark { end_min, discharge_min }).collect(),
            effect_site: true,
        };
        let p = PkPatient { weight_kg: weight, age_years: age };
        if let Ok(s) = simulate(lib(), &model, &p, &segments, &o) {
            prop_assert!(s.concentrations_ng_per_ml.iter().all(|c| c.is_finite() && *c >= 0.0));
            let _ = svg_plot(&[s], &segments, &lib().bands);
        }
        let _ = pk::derive(lib(), &model, &p);
        let _ = compare(lib(), &[model.as_str(), "domino"], &p, &segments, &o);
    }
}

mod target {
    use super::*;
    use ketamine_planner::pk::target::{solve_target, TargetInput, STEP_MINUTES};

    fn input(target: f64, minutes: f64, hard: f64) -> TargetInput {
        TargetInput {
            target_ng_per_ml: target,
            session_minutes: minutes,
            reach_minutes: 15.0,
            // 0.1 mL/h at 1 mg/mL.
            mg_per_hour_step: 0.1,
            hard_max_mg_per_hour: hard,
            cap_mg_per_hour: None,
        }
    }

    /// Domino, 70 kg, 150 ng/mL: the loading rate (39.7 mg/h) is above a
    /// 25 mg/h cap. The capped steps run at the cap, each later step is
    /// solved from the level really reached, and the plan says why the
    /// target is not held from minute 15.
    #[test]
    fn a_cap_holds_the_rate_and_later_steps_start_from_the_level_reached() {
        let s = solve_target(
            lib(),
            "domino",
            &ADULT,
            &TargetInput {
                cap_mg_per_hour: Some(25.0),
                ..input(150.0, 240.0, 10_000.0)
            },
        )
        .unwrap();
        assert_eq!(s.steps[0].mg_per_hour, 25.0);
        assert!(s.steps.iter().all(|x| x.mg_per_hour <= 25.0));
        assert!(
            s.steps.len() > 1,
            "the cap is left once the level is near the target"
        );
        let held = s
            .alerts
            .iter()
            .find(|a| a.code == "target_not_held")
            .unwrap();
        assert!(
            held.message
                .starts_with("The rate is capped at 25 mg/h, so the level strays up to"),
            "{}",
            held.message
        );
        // Below the target while capped, never above it by more than 10%.
        let peak = s
            .concentrations_ng_per_ml
            .iter()
            .cloned()
            .fold(0.0, f64::max);
        assert!(peak <= 165.0, "{peak}");
        assert!(s.concentrations_ng_per_ml[15] < 135.0);
        assert!((s.concentrations_ng_per_ml[240] - 150.0).abs() <= 15.0);
    }

    /// Each adult model, 100, 150 and 300 ng/mL over a 4 h session: the steps,
    /// replayed through the independent RK4 integrator, stay within 10% of the
    /// target from minute 15 to the end, with at most 4 rate changes an hour.
    #[test]
    fn reaches_and_holds_the_target_checked_by_rk4() {
        for model in ["domino", "clements-250", "hijazi-2003", "kamp-2020"] {
            let d = derive(lib(), model, &ADULT).unwrap();
            for target in [100.0, 150.0, 300.0] {
                let s =
                    solve_target(lib(), model, &ADULT, &input(target, 240.0, 10_000.0)).unwrap();
                assert!(s.alerts.is_empty(), "{model} {target}: {:?}", s.alerts);
                // 240 min: the first step to 15 min, then at most one change every 15 min.
                assert!(
                    s.steps.len() <= (240.0 / STEP_MINUTES) as usize,
                    "{model}: {} steps",
                    s.steps.len()
                );
                for w in s.steps.windows(2) {
                    assert!(w[1].from_minute - w[0].from_minute >= STEP_MINUTES - 1e-9);
                }
                for st in &s.steps {
                    let tenths = st.mg_per_hour * 10.0;
                    assert!(
                        (tenths - tenths.round()).abs() < 1e-6,
                        "rounded to 0.1 mg/h: {}",
                        st.mg_per_hour
                    );
                }
                let segments = &s.segments;
                let rk = reference::concentrations(&d, segments, &s.times, 0.01).unwrap();
                for (t, c) in s.times.iter().zip(&rk) {
                    if *t >= 15.0 {
                        assert!(
                            (c - target).abs() <= 0.10 * target,
                            "{model} {target} ng/mL at {t} min: RK4 {c:.1}"
                        );
                    }
                }
                // The loading step is the fastest: the rates fall as the peripheral compartments fill.
                assert!(s.steps[0].mg_per_hour > s.steps.last().unwrap().mg_per_hour);
                assert!(s.max_deviation_percent <= 10.0);
            }
        }
    }

    #[test]
    fn a_rate_at_or_above_the_hard_limit_refuses_the_scheme() {
        // Domino, 70 kg: 100 ng/mL by minute 15 needs 26.5 mg/h, at or above a 20 mg/h limit.
        let s = solve_target(lib(), "domino", &ADULT, &input(100.0, 240.0, 20.0)).unwrap();
        assert!(s.steps.is_empty());
        assert_eq!(s.alerts.len(), 1);
        assert_eq!(
            (s.alerts[0].level, s.alerts[0].code.as_str()),
            (Level::Hard, "target_needs_rate_above_hard_limit")
        );
        assert!(
            s.alerts[0].message.contains("26.5 mg/h") && s.alerts[0].message.contains("20 mg/h"),
            "{}",
            s.alerts[0].message
        );
        // Given 2 h to get there, one rate under the limit does it, and the rest hold it.
        let slow = solve_target(
            lib(),
            "domino",
            &ADULT,
            &TargetInput {
                reach_minutes: 120.0,
                ..input(100.0, 240.0, 20.0)
            },
        )
        .unwrap();
        assert!(!slow.steps.is_empty(), "{:?}", slow.alerts);
        assert!(slow.steps.iter().all(|s| s.mg_per_hour < 20.0));
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let e = solve_target(lib(), "domino", &ADULT, &input(5000.0, 240.0, 100.0)).unwrap_err();
        assert_eq!(e.field, "targetNgPerMl");
        let e = solve_target(
            lib(),
            "domino",
            &ADULT,
            &TargetInput {
                reach_minutes: 5.0,
                ..input(100.0, 240.0, 100.0)
            },
        )
        .unwrap_err();
        assert_eq!(e.field, "reachMinutes");
        let e = solve_target(lib(), "no-model", &ADULT, &input(100.0, 240.0, 100.0)).unwrap_err();
        assert_eq!(e.field, "model");
        assert!(solve_target(lib(), "domino", &ADULT, &input(f64::NAN, 240.0, 100.0)).is_err());
    }
}

/// The effect site (Domino, Navarrete 2025 ke0 0.238/min) in closed form,
/// against RK4 on Ce' = ke0 (Cp - Ce) driven by the exact plasma curve: within
/// 0.1% wherever it is above a thousandth of its peak; later than the plasma
/// peak and lower at it; asked of a model without a ke0, an information alert.
#[test]
fn effect_site_matches_rk4_and_lags_the_plasma() {
    let segments = [seg(0.0, 240.0, 120.0), seg(1440.0, 1680.0, 60.0)];
    let o = SimOptions {
        resolution_minutes: Some(0.02),
        horizon_minutes: Some(1800.0),
        effect_site: true,
        ..Default::default()
    };
    let s = sim("domino", &segments, &o);
    let e = s.effect_site.as_ref().expect("Domino has a ke0");
    assert_eq!(e.site.ke0_per_min, 0.238);
    let ke0 = 0.238;
    // RK4 on Ce with Cp from the exact solver (every 0.02 min, linear between).
    let dt: f64 = 0.02;
    let cp = |t: f64| {
        let i = ((t / 0.02).floor() as usize).min(s.times.len() - 2);
        let f = (t - s.times[i]) / 0.02;
        s.concentrations_ng_per_ml[i] * (1.0 - f) + s.concentrations_ng_per_ml[i + 1] * f
    };
    let (mut ce, mut t) = (0.0_f64, 0.0_f64);
    let peak_e = e
        .concentrations_ng_per_ml
        .iter()
        .cloned()
        .fold(0.0, f64::max);
    for (k, &time) in s.times.iter().enumerate() {
        while t < time - 1e-9 {
            let h = dt.min(time - t);
            let d = |t: f64, c: f64| ke0 * (cp(t) - c);
            let k1 = d(t, ce);
            let k2 = d(t + h / 2.0, ce + h / 2.0 * k1);
            let k3 = d(t + h / 2.0, ce + h / 2.0 * k2);
            let k4 = d(t + h, ce + h * k3);
            ce += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            t += h;
        }
        let exact = e.concentrations_ng_per_ml[k];
        if ce > peak_e * 1e-3 {
            // The plasma is interpolated linearly between grid points, so allow 0.5%.
            assert!(
                close(exact, ce, 5e-3),
                "t={time}: closed form {exact} vs RK4 {ce}"
            );
        }
    }
    // Ce lags: at the start it is below Cp; at 240 min it is close to Cp (ke0 half-time 2.9 min).
    let at = |m: f64| (m / 0.02).round() as usize;
    assert!(e.concentrations_ng_per_ml[at(5.0)] < s.concentrations_ng_per_ml[at(5.0)] * 0.8);
    assert!(close(
        e.concentrations_ng_per_ml[at(240.0)],
        s.concentrations_ng_per_ml[at(240.0)],
        0.02
    ));
    // Kamp has no published ke0: no curve, an information alert.
    let k = sim("kamp-2020", &segments, &o);
    assert!(k.effect_site.is_none());
    assert!(k.alerts.iter().any(|a| a.code == "pk_no_effect_site"));
}

/// The PK vectors shipped for the page's self-test (data/reference-pk.json):
/// each case's concentrations, recomputed here by RK4 from the regimen the
/// file states (hand-derived from its request), must equal the file; and
/// the page's own path (the preview of the request's plan, closed form)
/// must agree within the file's tolerance. `KP_PRINT_REFERENCE=1` prints
/// the RK4 values to paste when a model changes on purpose.
#[test]
fn shipped_pk_reference_vectors_are_rk4_and_the_preview_meets_them() {
    use ketamine_planner::{order::Order, preview, request::PlanRequest};
    let file: serde_json::Value =
        serde_json::from_str(include_str!("../data/reference-pk.json")).unwrap();
    let tolerance = file["tolerancePercent"].as_f64().unwrap() / 100.0;
    let cases = file["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let model = case["model"].as_str().unwrap();
        let req: PlanRequest = serde_json::from_value(case["request"].clone()).unwrap();
        let minutes: Vec<f64> = serde_json::from_value(case["minutes"].clone()).unwrap();
        let expect: Vec<f64> = serde_json::from_value(case["ngPerMl"].clone()).unwrap();
        let segments: Vec<RateSegment> = case["regimen"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                seg(
                    r[0].as_f64().unwrap(),
                    r[1].as_f64().unwrap(),
                    r[2].as_f64().unwrap(),
                )
            })
            .collect();
        let patient = PkPatient {
            weight_kg: req.patient.weight_kg.unwrap(),
            age_years: req.patient.age_years,
        };
        let d = derive(lib(), model, &patient).unwrap();
        let rk = reference::concentrations(&d, &segments, &minutes, 0.005).unwrap();
        if std::env::var_os("KP_PRINT_REFERENCE").is_some() {
            let v: Vec<String> = rk.iter().map(|c| format!("{c:.4}")).collect();
            println!("{name}: [{}]", v.join(", "));
            continue;
        }
        for ((t, e), r) in minutes.iter().zip(&expect).zip(&rk) {
            assert!(close(*e, *r, 1e-5), "{name} t={t}: file {e} vs RK4 {r}");
        }
        let library = ketamine_planner::protocol::Library::default_library().unwrap();
        let order = Order::parse(&library, &req).unwrap();
        let options = preview::PreviewOptions {
            model: Some(model.to_string()),
            resolution_minutes: Some(case["resolutionMinutes"].as_f64().unwrap()),
            horizon_minutes: Some(case["horizonMinutes"].as_f64().unwrap()),
            ..Default::default()
        };
        let p = preview::preview(lib(), &order.plan(), order.age_years(), &options).unwrap();
        for (t, e) in minutes.iter().zip(&expect) {
            let i = p
                .primary
                .times
                .iter()
                .position(|x| x == t)
                .expect("minute on the grid");
            let c = p.primary.concentrations_ng_per_ml[i];
            assert!(
                close(c, *e, tolerance),
                "{name} t={t}: preview {c} vs reference {e}"
            );
        }
    }
}
