//! Proves that the pharmacokinetic simulation never panics: any model id
//! (mostly a real one), any patient, any infusion segments (laid end to end
//! with gaps, or as given: overlapping, reversed, NaN), any resolution,
//! horizon, threshold and session marks through `pk::simulate`,
//! `pk::compare` and `pk::derive`; every simulation that succeeds is drawn
//! with `pk::svg_plot`. Also checks that a returned curve holds only finite,
//! non-negative concentrations.
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::pk::{self, PkPatient, RateSegment, SessionMark, SimOptions};
use ketamine_planner_fuzz::{Choice, Num};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Segment {
    /// Gap after the previous segment's end (or the start itself, when raw).
    gap: Num,
    minutes: Num,
    mg_per_hour: Num,
}

#[derive(Arbitrary, Debug)]
struct Input {
    models: Vec<Choice>,
    weight_kg: Num,
    age_years: Option<Num>,
    segments: Vec<Segment>,
    /// Take each segment's `gap` as its absolute start instead.
    raw_segments: bool,
    resolution_minutes: Option<Num>,
    horizon_minutes: Option<Num>,
    threshold_ng_per_ml: Option<Num>,
    sessions: Vec<(Num, Num)>,
    effect_site: bool,
}

fuzz_target!(|i: Input| {
    let Ok(lib) = pk::Library::shipped() else {
        return;
    };
    let ids: Vec<&str> = lib.models.iter().map(|m| m.id.as_ref()).collect();
    let models: Vec<String> = i.models.iter().take(5).map(|c| c.pick(&ids)).collect();
    let patient = PkPatient {
        weight_kg: i.weight_kg.value(),
        age_years: i.age_years.map(Num::value),
    };
    let mut end = 0.0;
    let segments: Vec<RateSegment> = i
        .segments
        .iter()
        .map(|s| {
            let start = if i.raw_segments {
                s.gap.value()
            } else {
                end + s.gap.value()
            };
            end = start + s.minutes.value();
            RateSegment {
                start_min: start,
                end_min: end,
                mg_per_hour: s.mg_per_hour.value(),
            }
        })
        .collect();
    let options = SimOptions {
        resolution_minutes: i.resolution_minutes.map(Num::value),
        horizon_minutes: i.horizon_minutes.map(Num::value),
        threshold_ng_per_ml: i.threshold_ng_per_ml.map(Num::value),
        sessions: i
            .sessions
            .iter()
            .map(|(e, after)| SessionMark {
                end_min: e.value(),
                discharge_min: e.value() + after.value(),
            })
            .collect(),
        effect_site: i.effect_site,
    };
    let model = models.first().map_or("", String::as_str);
    let _ = pk::derive(lib, model, &patient);
    if let Ok(sim) = pk::simulate(lib, model, &patient, &segments, &options) {
        for c in &sim.concentrations_ng_per_ml {
            assert!(
                c.is_finite() && *c >= 0.0,
                "invariant: concentration {c} in a returned simulation"
            );
        }
        for c in sim
            .effect_site
            .iter()
            .flat_map(|e| &e.concentrations_ng_per_ml)
        {
            assert!(
                c.is_finite() && *c >= 0.0,
                "invariant: effect-site concentration {c}"
            );
        }
        let _ = pk::svg_plot(&[sim], &segments, &lib.bands);
    }
    if let Ok(sims) = pk::compare(lib, &models, &patient, &segments, &options) {
        let _ = pk::svg_plot(&sims, &segments, &lib.bands);
    }
});
