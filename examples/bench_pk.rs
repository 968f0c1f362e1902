//! Times the closed-form solver against the RK4 reference on the two longest
//! regimens the planner draws, at 1-minute resolution, and prints how far
//! apart they are. Figures only: timings depend on the machine.
//!
//! cargo run --release --example bench_pk

use ketamine_planner::pk::{
    derive, reference, simulate, Library, PkPatient, RateSegment, SessionMark, SimOptions,
};
use std::time::Instant;

const RUNS: u32 = 50;
const RK4_STEP_MIN: f64 = 0.01;

fn main() {
    let lib = match Library::shipped() {
        Ok(lib) => lib,
        Err(e) => return println!("PK models unreadable: {e}"),
    };
    let patient = PkPatient {
        weight_kg: 70.0,
        age_years: Some(45.0),
    };
    // Schwartzman-style course: 0.35 mg/kg/h x 70 kg = 24.5 mg/h, 4 h, weekdays x 2.
    let days = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11];
    let course: Vec<RateSegment> = days
        .iter()
        .map(|&d| {
            let start = f64::from(d) * 1440.0 + 480.0;
            RateSegment {
                start_min: start,
                end_min: start + 240.0,
                mg_per_hour: 24.5,
            }
        })
        .collect();
    let marks = course
        .iter()
        .map(|s| SessionMark {
            end_min: s.end_min,
            discharge_min: s.end_min + 120.0,
        })
        .collect();
    // Getson-style 5-day continuous infusion, 20 to 40 mg/h, one step a day.
    let continuous: Vec<RateSegment> = (0..5)
        .map(|d| RateSegment {
            start_min: f64::from(d) * 1440.0,
            end_min: f64::from(d + 1) * 1440.0,
            mg_per_hour: 20.0 + 5.0 * f64::from(d),
        })
        .collect();

    for (name, segments, sessions) in [
        ("10-session course", course, marks),
        ("5-day continuous", continuous, vec![]),
    ] {
        let options = SimOptions {
            resolution_minutes: Some(1.0),
            sessions,
            ..SimOptions::default()
        };
        for model in ["domino", "kamp-2020"] {
            let started = Instant::now();
            let mut sim = None;
            for _ in 0..RUNS {
                sim = simulate(lib, model, &patient, &segments, &options).ok();
            }
            let exact_ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);
            let (Some(sim), Ok(d)) = (sim, derive(lib, model, &patient)) else {
                println!("{name} / {model}: simulation refused");
                continue;
            };
            let started = Instant::now();
            let rk = reference::concentrations(&d, &segments, &sim.times, RK4_STEP_MIN);
            let rk_ms = started.elapsed().as_secs_f64() * 1000.0;
            let Ok(rk) = rk else {
                println!("{name} / {model}: RK4 refused");
                continue;
            };
            let floor = sim.peak.ng_per_ml * 1e-3;
            let max_rel = sim
                .concentrations_ng_per_ml
                .iter()
                .zip(&rk)
                .filter(|(_, r)| **r > floor)
                .map(|(e, r)| ((e - r) / r).abs())
                .fold(0.0, f64::max);
            println!(
                "{name:18} {model:10} {:6} points: exact {exact_ms:8.3} ms, RK4 (h = {RK4_STEP_MIN} min) {rk_ms:9.1} ms, \
                 ratio {:7.0}x, max rel diff {max_rel:.1e}, peak {:.1} ng/mL",
                sim.times.len(),
                rk_ms / exact_ms,
                sim.peak.ng_per_ml
            );
        }
    }
}
