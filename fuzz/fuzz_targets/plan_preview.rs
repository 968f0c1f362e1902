//! Proves that the concentration preview of a plan (`preview::preview`, the
//! wasm `simulate` call) never panics: a structured request (see `Request`)
//! is planned, and each plan made is previewed under any model choice,
//! overlay list, resolution, horizon, threshold and effect site; and, when
//! the request orders a target level, its scheme (`preview::target`, the
//! wasm `solveTarget`).
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::pk;
use ketamine_planner::plan::plan;
use ketamine_planner::preview::{preview, target, PreviewOptions};
use ketamine_planner_fuzz::{Choice, Num, Request, LIBRARY};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    request: Request,
    acknowledge: bool,
    model: Choice,
    compare: Vec<Choice>,
    resolution_minutes: Option<Num>,
    horizon_minutes: Option<Num>,
    threshold_ng_per_ml: Option<Num>,
    effect_site: bool,
}

fuzz_target!(|i: Input| {
    let Ok(models) = pk::Library::shipped() else {
        return;
    };
    let ids: Vec<&str> = models.models.iter().map(|m| m.id.as_ref()).collect();
    let mut req = i.request.build(&LIBRARY);
    let Ok(mut p) = plan(&LIBRARY, &req) else {
        return;
    };
    if i.acknowledge && !p.alerts.is_empty() {
        req.acknowledged = p.alerts.iter().map(|a| a.code.clone()).collect();
        let Ok(again) = plan(&LIBRARY, &req) else {
            return;
        };
        p = again;
    }
    let options = PreviewOptions {
        model: i.model.opt(&ids),
        compare: i.compare.iter().take(6).map(|c| c.pick(&ids)).collect(),
        resolution_minutes: i.resolution_minutes.map(Num::value),
        horizon_minutes: i.horizon_minutes.map(Num::value),
        threshold_ng_per_ml: i.threshold_ng_per_ml.map(Num::value),
        effect_site: i.effect_site,
    };
    if let Ok(shown) = preview(models, &p, req.patient.age_years, &options) {
        for c in &shown.primary.concentrations_ng_per_ml {
            assert!(
                c.is_finite() && *c >= 0.0,
                "invariant: concentration {c} in a returned preview"
            );
        }
    }
    if p.target.is_some() {
        if let Ok(scheme) = target(models, &p, req.patient.age_years) {
            for c in &scheme.predicted.concentrations_ng_per_ml {
                assert!(
                    c.is_finite() && *c >= 0.0,
                    "invariant: concentration {c} in a target scheme"
                );
            }
        }
    }
});
