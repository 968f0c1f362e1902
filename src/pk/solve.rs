//! Closed-form plasma concentration for piecewise-constant infusions.
//!
//! The plasma response of a 1- to 3-compartment mammillary model to a unit
//! bolus is sum c_i exp(-lambda_i t) (lambda_i: eigenvalues of the rate
//! matrix, as in STANPUMP). So plasma concentration is the sum of modal
//! states x_i with x_i' = -lambda_i x_i + c_i R. Over a constant rate held
//! for dt the update is exact and only ever takes exp of negative numbers:
//!   x_i <- x_i e^{-lambda_i dt} + c_i R (1 - e^{-lambda_i dt}) / lambda_i.
//! States are stored at every rate change, so any time costs one binary
//! search and n exponentials, with no error building up over 5 days.

use super::expsum::{self, Term};
use super::models::Derived;
use super::RateSegment;
use crate::error::{PlanError, Result};

#[derive(Debug, Clone, Copy)]
struct Mode {
    /// Per minute.
    lambda: f64,
    /// ng/mL per mg given as a bolus.
    coef: f64,
}

/// Eigenvalues and plasma coefficients of one model at one weight.
#[derive(Debug, Clone)]
pub(crate) struct Modes(Vec<Mode>);

impl Modes {
    pub(crate) fn new(d: &Derived) -> Result<Modes> {
        let (k10, k12, k13, k21, k31) = (d.k10, d.k12, d.k13, d.k21, d.k31);
        let (lambdas, peripheral) = match d.compartments {
            1 => (vec![k10], vec![]),
            2 => {
                let a = k10 + k12 + k21;
                let big =
                    0.5 * (a + ((k10 + k12 - k21) * (k10 + k12 - k21) + 4.0 * k12 * k21).sqrt());
                // Small root as product / big root: no cancellation.
                (vec![big, k10 * k21 / big], vec![k21])
            }
            _ => (cubic_roots(k10, k12, k13, k21, k31), vec![k21, k31]),
        };
        let degenerate = || {
            PlanError::new(
                "model",
                "degenerate_model",
                "PK model rate constants give repeated or invalid eigenvalues.",
            )
        };
        let scale = lambdas.iter().fold(0.0_f64, |m, &l| m.max(l));
        let mut modes = Vec::with_capacity(lambdas.len());
        for (i, &l) in lambdas.iter().enumerate() {
            let mut num = 1.0;
            for &k in &peripheral {
                num *= k - l;
            }
            let mut den = 1.0;
            for (j, &m) in lambdas.iter().enumerate() {
                if j != i {
                    let distinct = (m - l).abs() > 1e-9 * scale;
                    if !distinct {
                        return Err(degenerate());
                    }
                    den *= m - l;
                }
            }
            let coef = num / den / d.v1_l * 1000.0;
            if !(l.is_finite() && l > 0.0 && coef.is_finite() && coef > 0.0) {
                return Err(degenerate());
            }
            modes.push(Mode { lambda: l, coef });
        }
        Ok(Modes(modes))
    }

    /// Smallest eigenvalue (per minute): sets the terminal half-life.
    pub(crate) fn slowest(&self) -> f64 {
        self.0
            .iter()
            .map(|m| m.lambda)
            .fold(f64::INFINITY, f64::min)
    }

    /// Modal states `dt` after knot `k`, its rate held throughout.
    fn advance(&self, k: &Knot, dt: f64) -> [f64; 3] {
        let mut out = [0.0; 3];
        for ((o, m), x) in out.iter_mut().zip(&self.0).zip(k.x) {
            let decay = libm::exp(-m.lambda * dt);
            let rise = -libm::expm1(-m.lambda * dt) / m.lambda;
            *o = x * decay + m.coef * k.rate * rise;
        }
        out
    }

    /// Modal states `dt` minutes after `x`, at `rate` mg/min throughout.
    pub(crate) fn step(&self, x: [f64; 3], rate: f64, dt: f64) -> [f64; 3] {
        self.advance(&Knot { t: 0.0, rate, x }, dt)
    }

    /// Plasma concentration (ng/mL) of modal states.
    pub(crate) fn plasma(x: [f64; 3]) -> f64 {
        x.iter().sum()
    }

    /// Plasma concentration per (mg/min) at steady state: 1000 / CL.
    #[cfg(test)]
    pub(crate) fn steady_state_per_rate(&self) -> f64 {
        self.0.iter().map(|m| m.coef / m.lambda).sum()
    }
}

/// Roots of lambda^3 - a2 lambda^2 + a1 lambda - a0 (all real and positive
/// for a mammillary model). Newton from `a2`, which lies above every root
/// (they are positive and sum to `a2`), falls monotonically to the largest
/// root because the cubic is increasing and convex there; the other two are
/// the roots of the deflated quadratic, then polished on the cubic. Only
/// sqrt: no trigonometric cubic formula, whose acos, cos and cbrt cost about
/// 7 KB of wasm.
fn cubic_roots(k10: f64, k12: f64, k13: f64, k21: f64, k31: f64) -> Vec<f64> {
    let a0 = k10 * k21 * k31;
    let a1 = k10 * k31 + k21 * k31 + k21 * k13 + k10 * k21 + k31 * k12;
    let a2 = k10 + k12 + k13 + k21 + k31;
    let f = |l: f64| ((l - a2) * l + a1) * l - a0;
    let df = |l: f64| (3.0 * l - 2.0 * a2) * l + a1;
    let mut largest = a2;
    for _ in 0..200 {
        let next = largest - f(largest) / df(largest);
        // Monotone descent: stop when a step no longer goes down.
        if !(next < largest) {
            break;
        }
        largest = next;
    }
    // lambda^2 - b lambda + c holds the other two roots.
    let b = a2 - largest;
    let c = a0 / largest;
    let big = 0.5 * (b + (b * b - 4.0 * c).max(0.0).sqrt());
    // Small root as product / big root: no cancellation.
    [largest, big, c / big]
        .iter()
        .map(|&root| {
            let mut l = root;
            for _ in 0..3 {
                let step = f(l) / df(l);
                if step.is_finite() && (f(l - step)).abs() < f(l).abs() {
                    l -= step;
                }
            }
            l
        })
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct Knot {
    t: f64,
    /// mg/min from `t` to the next knot (or for ever).
    rate: f64,
    x: [f64; 3],
}

/// No drug, no infusion: the state at time 0.
const REST: Knot = Knot {
    t: 0.0,
    rate: 0.0,
    x: [0.0; 3],
};

/// Modal states at every rate change of one regimen.
#[derive(Debug, Clone)]
pub(crate) struct Course {
    modes: Modes,
    knots: Vec<Knot>,
}

impl Course {
    /// `segments` must be validated: sorted, non-overlapping, starts >= 0.
    pub(crate) fn new(modes: Modes, segments: &[RateSegment]) -> Course {
        let mut changes: Vec<(f64, f64)> = vec![(0.0, 0.0)];
        for s in segments.iter().filter(|s| s.end_min > s.start_min) {
            for (t, rate) in [(s.start_min, s.mg_per_hour / 60.0), (s.end_min, 0.0)] {
                match changes.last_mut() {
                    Some(last) if last.0 == t => last.1 = rate,
                    _ => changes.push((t, rate)),
                }
            }
        }
        let mut knots: Vec<Knot> = Vec::with_capacity(changes.len());
        let mut prev = REST;
        for (t, rate) in changes {
            let x = modes.advance(&prev, t - prev.t);
            prev = Knot { t, rate, x };
            knots.push(prev);
        }
        Course { modes, knots }
    }

    /// Knot governing time t (the last at or before it; the first for t < 0).
    fn knot(&self, t: f64) -> Knot {
        let i = self.knots.partition_point(|k| k.t <= t).saturating_sub(1);
        self.knots.get(i).copied().unwrap_or(REST)
    }

    /// Plasma concentration, ng/mL (0 before time 0).
    pub(crate) fn at(&self, t: f64) -> f64 {
        if t.is_nan() || t <= 0.0 {
            return 0.0;
        }
        let k = self.knot(t);
        self.modes.advance(&k, t - k.t).iter().sum()
    }

    /// `value(knot index, knot, time since it)` at ascending times, walking
    /// the knots once; 0 at and before time 0.
    fn walk(&self, times: &[f64], value: impl Fn(usize, &Knot, f64) -> f64) -> Vec<f64> {
        let mut i = 0;
        times
            .iter()
            .map(|&t| {
                while self.knots.get(i + 1).is_some_and(|k| k.t <= t) {
                    i += 1;
                }
                match self.knots.get(i) {
                    Some(k) if t > 0.0 => value(i, k, t - k.t),
                    _ => 0.0,
                }
            })
            .collect()
    }

    /// Concentrations at ascending times.
    pub(crate) fn at_all(&self, times: &[f64]) -> Vec<f64> {
        self.walk(times, |_, k, dt| self.modes.advance(k, dt).iter().sum())
    }

    /// Effect-site concentration (ng/mL) at ascending times: Ce' = ke0 (Cp - Ce),
    /// in closed form over each constant-rate piece as the plasma is. With
    /// Cp = sum of p_i + (x_i - p_i) e^(-l_i t) (p_i the plateau of mode i),
    /// Ce(t) = Ce0 e^(-k t) + sum of p_i (1 - e^(-k t))
    ///         + (x_i - p_i) k (e^(-l_i t) - e^(-k t)) / (k - l_i).
    pub(crate) fn effect_all(&self, ke0: f64, times: &[f64]) -> Vec<f64> {
        let after = |k: &Knot, e0: f64, dt: f64| {
            let ek = libm::exp(-ke0 * dt);
            let mut e = e0 * ek;
            for (m, x) in self.modes.0.iter().zip(k.x) {
                let p = m.coef * k.rate / m.lambda;
                let el = libm::exp(-m.lambda * dt);
                let gap = ke0 - m.lambda;
                // At ke0 = lambda the quotient's limit is k t e^(-k t).
                let shape = if gap.abs() < 1e-9 * ke0 {
                    ke0 * dt * ek
                } else {
                    ke0 * (el - ek) / gap
                };
                e += p * (1.0 - ek) + (x - p) * shape;
            }
            e
        };
        // Ce at each knot, walking forward once.
        let mut at_knot = Vec::with_capacity(self.knots.len());
        let mut e = 0.0;
        for (i, k) in self.knots.iter().enumerate() {
            if let Some(prev) = i.checked_sub(1).map(|p| &self.knots[p]) {
                e = after(prev, e, k.t - prev.t);
            }
            at_knot.push(e);
        }
        self.walk(times, |i, k, dt| after(k, at_knot[i], dt).max(0.0))
    }

    /// Constant-rate pieces overlapping [from, to]: (knot, local start, local end).
    fn pieces(&self, from: f64, to: f64) -> impl Iterator<Item = (Knot, f64, f64)> + '_ {
        let next_t = self
            .knots
            .iter()
            .skip(1)
            .map(|k| k.t)
            .chain(std::iter::once(f64::INFINITY));
        self.knots.iter().zip(next_t).filter_map(move |(k, end)| {
            let (a, b) = (from.max(k.t), to.min(end));
            (a <= b).then_some((*k, a - k.t, b - k.t))
        })
    }

    /// Concentration minus `level` on a piece, as an exponential sum in local time.
    fn terms(&self, k: &Knot, level: f64) -> Vec<Term> {
        let mut terms: Vec<Term> = vec![(-level, 0.0)];
        for (m, x) in self.modes.0.iter().zip(k.x) {
            let plateau = m.coef * k.rate / m.lambda;
            terms.push((x - plateau, m.lambda));
            if let Some(c) = terms.first_mut() {
                c.0 += plateau;
            }
        }
        terms
    }

    /// First time in [from, to] at which the concentration is below `level`.
    pub(crate) fn first_below(&self, level: f64, from: f64, to: f64) -> Option<f64> {
        self.pieces(from, to).find_map(|(k, a, b)| {
            expsum::first_below(&self.terms(&k, level), a, b).map(|t| k.t + t)
        })
    }

    /// Exact maximum over [0, to]: piece ends and interior turning points.
    pub(crate) fn peak(&self, to: f64) -> (f64, f64) {
        let mut best = (0.0, 0.0);
        for (k, a, b) in self.pieces(0.0, to) {
            let slope: Vec<Term> = self
                .terms(&k, 0.0)
                .iter()
                .map(|&(d, mu)| (-mu * d, mu))
                .collect();
            let inner = expsum::sign_changes(&slope, a, b);
            for t in [a, b].into_iter().chain(inner).map(|t| k.t + t) {
                let c = self.at(t);
                if c > best.1 {
                    best = (t, c);
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pk::Library;

    #[test]
    fn modes_sum_to_the_bolus_and_steady_state() {
        for m in Library::shipped().expect("library").models.iter() {
            let d = m.derive(70.0).expect("derive");
            let modes = Modes::new(&d).expect("modes");
            assert_eq!(modes.0.len(), usize::from(d.compartments));
            // A unit bolus starts at 1 / V1 (ng/mL per mg: 1000 / V1).
            let start: f64 = modes.0.iter().map(|m| m.coef).sum();
            assert!((start * d.v1_l / 1000.0 - 1.0).abs() < 1e-12, "{}", m.id);
            let css = modes.steady_state_per_rate() * d.cl_l_per_min / 1000.0;
            assert!((css - 1.0).abs() < 1e-12, "{}: {css}", m.id);
        }
    }

    #[test]
    fn cubic_roots_solve_the_domino_polynomial() {
        let (k10, k12, k13, k21, k31) = (0.4381, 0.5921, 0.59, 0.247, 0.0146);
        for l in cubic_roots(k10, k12, k13, k21, k31) {
            // det(lambda I + K) = 0 for the rate matrix K, expanded directly.
            let det = (k10 + k12 + k13 - l) * (k21 - l) * (k31 - l)
                - k12 * k21 * (k31 - l)
                - k13 * k31 * (k21 - l);
            assert!(det.abs() < 1e-15, "{l}: {det}");
        }
        // Three distinct roots, not one found three times: Vieta's sum and
        // product, and the mammillary interlacing of the roots.
        let r = cubic_roots(k10, k12, k13, k21, k31);
        let sum = k10 + k12 + k13 + k21 + k31;
        assert!((r.iter().sum::<f64>() - sum).abs() < 1e-12 * sum);
        let product = k10 * k21 * k31;
        assert!((r.iter().product::<f64>() - product).abs() < 1e-12 * product);
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(sorted[0] < k31 && k31 < sorted[1] && sorted[1] < k21 && k21 < sorted[2]);
    }
}
