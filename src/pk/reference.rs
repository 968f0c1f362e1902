//! Independent check of the closed-form solver: classical RK4 on the
//! compartment amounts, from the micro rate constants only (no eigenvalues).
//! Used by tests/pk.rs and examples/bench_pk.rs; too slow for the page.

use super::{checked_segments, Derived, RateSegment};
use crate::error::{PlanError, Result};

/// Most RK4 steps one call may take (about 10 s natively).
const MAX_STEPS: f64 = 1e8;

/// Plasma concentrations (ng/mL) at ascending `times`, integrating with steps
/// of at most `step_min`, each step inside one constant-rate stretch.
pub fn concentrations(
    d: &Derived,
    segments: &[RateSegment],
    times: &[f64],
    step_min: f64,
) -> Result<Vec<f64>> {
    let segments = checked_segments(segments)?;
    let last = times.last().copied().unwrap_or(0.0);
    if !(step_min.is_finite() && step_min > 0.0 && last / step_min <= MAX_STEPS) {
        return Err(PlanError::new(
            "stepMin",
            "out_of_range",
            "RK4 step must be positive and give at most 1e8 steps.",
        ));
    }
    if times.windows(2).any(|w| !matches!(w, [a, b] if a <= b))
        || times.iter().any(|t| !(t.is_finite() && *t >= 0.0))
    {
        return Err(PlanError::new(
            "times",
            "not_ascending",
            "Times must be finite, non-negative and ascending.",
        ));
    }
    let mut breaks: Vec<f64> = segments
        .iter()
        .flat_map(|s| [s.start_min, s.end_min])
        .collect();
    breaks.sort_by(f64::total_cmp);
    let rate_at = |t: f64| {
        segments
            .iter()
            .find(|s| s.start_min <= t && t < s.end_min)
            .map_or(0.0, |s| s.mg_per_hour / 60.0)
    };
    let (mut t, mut a) = (0.0, [0.0_f64; 3]);
    let mut out = Vec::with_capacity(times.len());
    for &target in times {
        while t < target {
            let stop = breaks
                .iter()
                .copied()
                .find(|&b| b > t)
                .map_or(target, |b| b.min(target));
            let rate = rate_at(0.5 * (t + stop));
            let n = ((stop - t) / step_min).ceil().max(1.0);
            let h = (stop - t) / n;
            for _ in 0..n as u64 {
                a = rk4_step(d, a, rate, h);
            }
            t = stop;
        }
        out.push(a[0] / d.v1_l * 1000.0);
    }
    Ok(out)
}

fn rates(d: &Derived, a: [f64; 3], r: f64) -> [f64; 3] {
    let [a1, a2, a3] = a;
    [
        r - (d.k10 + d.k12 + d.k13) * a1 + d.k21 * a2 + d.k31 * a3,
        d.k12 * a1 - d.k21 * a2,
        d.k13 * a1 - d.k31 * a3,
    ]
}

fn rk4_step(d: &Derived, a: [f64; 3], r: f64, h: f64) -> [f64; 3] {
    let add = |x: [f64; 3], k: [f64; 3], s: f64| std::array::from_fn(|i| x[i] + s * k[i]);
    let k1 = rates(d, a, r);
    let k2 = rates(d, add(a, k1, h / 2.0), r);
    let k3 = rates(d, add(a, k2, h / 2.0), r);
    let k4 = rates(d, add(a, k3, h), r);
    std::array::from_fn(|i| a[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]))
}
