//! A population band: the 5th and 95th percentile of plasma concentration
//! across a fixed set of virtual patients drawn from a model's published
//! between-subject variability, each solved exactly (closed form, as the
//! typical patient is), never by Euler steps or random draws.
//!
//! The virtual patients are a rank-1 lattice (Korobov): patient i has
//! u_d = ((i a^(d+1) mod N) + 0.5) / N in dimension d, so every dimension
//! takes each of the N midpoints (j + 0.5) / N once (a Latin hypercube) and
//! the lattice spreads the points evenly across dimensions. Each u becomes a
//! standard normal z (Abramowitz and Stegun 26.2.23, error below 4.5e-4) and
//! each parameter the typical value x exp(omega z). The same bits on every
//! call, natively and in the wasm (integers and libm only).
//!
//! A percentile is read from the N levels at a time as Hazen's: the j-th
//! smallest (from 1) stands at (j - 0.5) / N, linear between. So where the
//! level depends on one parameter alone (R / CL_i at steady state), the band
//! is that parameter's exact percentile up to the interpolation.

use super::models::{Model, Variability};
use super::solve::{Course, Walk};
use super::RateSegment;
use crate::error::Result;
use serde::Serialize;

/// Virtual patients: prime, so every power of `A` is coprime with it.
pub const PATIENTS: usize = 251;
/// Korobov generator: of all for 251 points, the best in four dimensions by
/// the P2 discrepancy criterion.
const A: usize = 100;
/// Hazen's position of the 5th percentile among the sorted levels (from 0):
/// 0.05 N - 0.5 = 12.05, so 0.05 of the way from the 13th smallest to the
/// 14th; the 95th mirrors it from the largest.
const AT: usize = 12;
const FRACTION: f64 = 0.05 * PATIENTS as f64 - 0.5 - AT as f64;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopulationBand {
    pub low_percentile: f64,
    pub high_percentile: f64,
    /// At the simulation's times.
    pub low_ng_per_ml: Vec<f64>,
    pub high_ng_per_ml: Vec<f64>,
    pub patients: usize,
    /// The variability's source and the reading of it, with their tags.
    pub source: super::models::Text,
    pub tag: super::models::Text,
    pub reading: super::models::Text,
    pub reading_tag: super::models::Text,
}

/// Standard normal quantile of u in (0, 1) (A and S 26.2.23; odd about 0.5).
fn normal_quantile(u: f64) -> f64 {
    let p = u.min(1.0 - u);
    let t = (-2.0 * libm::log(p)).sqrt();
    let x = t
        - (2.515517 + t * (0.802853 + t * 0.010328))
            / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
    if u < 0.5 {
        -x
    } else {
        x
    }
}

/// Virtual patient i's factors exp(omega z) on CL, V1, V2, Q2, V3 and Q3
/// (1 where omega is 0): dimension d of the lattice is parameter d.
pub(crate) fn factors(v: &Variability, i: usize) -> [f64; 6] {
    let mut f = v.omegas();
    let mut power = A;
    for f in &mut f {
        let u = ((i * power % PATIENTS) as f64 + 0.5) / PATIENTS as f64;
        *f = libm::exp(*f * normal_quantile(u));
        power = power * A % PATIENTS;
    }
    f
}

/// The band of a model for these rates (checked: sorted, apart) at
/// ascending `times`; `None` when the model has no variability.
pub(crate) fn band(
    model: &Model,
    weight_kg: f64,
    segments: &[RateSegment],
    times: &[f64],
) -> Result<Option<PopulationBand>> {
    let Some(v) = &model.variability else {
        return Ok(None);
    };
    let mut walks = Vec::with_capacity(PATIENTS);
    // (level, patient), sorted by the level at the last time: at the next
    // time the order has hardly changed, so insertion sort takes about N steps.
    let mut sorted = Vec::with_capacity(PATIENTS);
    for i in 0..PATIENTS {
        let (_, modes) = model
            .parameters
            .derive_with_modes(weight_kg, factors(v, i))?;
        walks.push(Walk::new(Course::new(modes, segments)));
        sorted.push((0.0, i));
    }
    let (mut low, mut high) = (Vec::new(), Vec::new());
    for &t in times {
        for i in 0..PATIENTS {
            sorted[i].0 = walks[sorted[i].1].at(t);
            let mut k = i;
            while k > 0 && sorted[k - 1].0 > sorted[k].0 {
                sorted.swap(k - 1, k);
                k -= 1;
            }
        }
        let at = |k: usize| sorted[k].0;
        let top = PATIENTS - 1 - AT;
        low.push(at(AT) + FRACTION * (at(AT + 1) - at(AT)));
        high.push(at(top) - FRACTION * (at(top) - at(top - 1)));
    }
    Ok(Some(PopulationBand {
        low_percentile: 5.0,
        high_percentile: 95.0,
        low_ng_per_ml: low,
        high_ng_per_ml: high,
        patients: PATIENTS,
        source: v.source.clone(),
        tag: v.tag.clone(),
        reading: v.reading.clone(),
        reading_tag: v.reading_tag.clone(),
    }))
}
