//! Exact sign analysis of f(t) = sum d * exp(-mu * t), mu >= 0, at most four
//! terms: where the concentration falls below a threshold and where it peaks,
//! found without sampling (a sampled search can step over a crossing).
//!
//! Method: h(t) = f(t) * exp(mu_min * t) has f's signs and one constant term,
//! so h' has one term fewer; the sign changes of h' cut [a, b] into pieces
//! where h is monotone, and each piece holds at most one sign change of h,
//! found by bisection. Recursion ends at one term (never changes sign).
//! Zero counts as non-negative throughout, so "below" means strictly below.

use core::cmp::Ordering;

pub type Term = (f64, f64);

fn eval(terms: &[Term], t: f64) -> f64 {
    terms.iter().map(|&(d, mu)| d * libm::exp(-mu * t)).sum()
}

/// Same signs as `terms`, smallest rate 0: no term can overflow for t >= 0.
fn shifted(terms: &[Term]) -> Vec<Term> {
    let mu0 = terms.iter().map(|t| t.1).fold(f64::INFINITY, f64::min);
    terms
        .iter()
        .filter(|t| t.0 != 0.0)
        .map(|&(d, mu)| (d, mu - mu0))
        .collect()
}

fn derivative(terms: &[Term]) -> Vec<Term> {
    terms
        .iter()
        .filter(|t| t.1 > 0.0)
        .map(|&(d, mu)| (-mu * d, mu))
        .collect()
}

/// Bisects [lo, hi] where `neg(lo) != neg(hi)`; returns the end on hi's side.
fn bisect(terms: &[Term], mut lo: f64, mut hi: f64) -> f64 {
    let lo_neg = eval(terms, lo) < 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if (eval(terms, mid) < 0.0) == lo_neg {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Pieces of [a, b] on which h is monotone, as their end points.
fn monotone_cuts(h: &[Term], a: f64, b: f64) -> Vec<f64> {
    let mut cuts = vec![a];
    cuts.extend(sign_changes(&derivative(h), a, b));
    cuts.push(b);
    cuts
}

/// Points in [a, b] where f changes between negative and non-negative, ascending.
pub fn sign_changes(terms: &[Term], a: f64, b: f64) -> Vec<f64> {
    let h = shifted(terms);
    if h.len() <= 1 || a.partial_cmp(&b) != Some(Ordering::Less) {
        return Vec::new();
    }
    let cuts = monotone_cuts(&h, a, b);
    cuts.windows(2)
        .filter_map(|w| match *w {
            [p, q] if (eval(&h, p) < 0.0) != (eval(&h, q) < 0.0) => Some(bisect(&h, p, q)),
            _ => None,
        })
        .collect()
}

/// First t in [a, b] with f(t) < 0 (to bisection precision), if any.
pub fn first_below(terms: &[Term], a: f64, b: f64) -> Option<f64> {
    let h = shifted(terms);
    if h.is_empty() || a.partial_cmp(&b).is_none_or(Ordering::is_gt) {
        return None;
    }
    let cuts = monotone_cuts(&h, a, b);
    for w in cuts.windows(2) {
        if let [p, q] = *w {
            if eval(&h, p) < 0.0 {
                return Some(p);
            }
            if eval(&h, q) < 0.0 {
                return Some(bisect(&h, p, q));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_crossings_of_a_dip() {
        // e^{-t} - 2 e^{-2t}... plus constant: f = 0.1 - e^{-t} + e^{-2t}
        // is 0.1 at 0, dips to 0.1 - 0.25 at t = ln 2, and returns to 0.1.
        let f = [(0.1, 0.0), (-1.0, 1.0), (1.0, 2.0)];
        let roots = sign_changes(&f, 0.0, 50.0);
        assert_eq!(roots.len(), 2);
        // roots of u^2 - u + 0.1 = 0 with u = e^{-t}
        let u1 = (1.0 + libm::sqrt(0.6)) / 2.0;
        let u2 = (1.0 - libm::sqrt(0.6)) / 2.0;
        assert!((roots[0] + libm::log(u1)).abs() < 1e-9);
        assert!((roots[1] + libm::log(u2)).abs() < 1e-9);
        let first = first_below(&f, 0.0, 50.0).unwrap_or(f64::NAN);
        assert!((first - roots[0]).abs() < 1e-9);
        assert_eq!(first_below(&f, 0.0, 0.1), None);
    }

    #[test]
    fn touching_zero_is_not_below() {
        // (1 - e^{-t})^2 = 1 - 2e^{-t} + e^{-2t} >= 0, zero only at t = 0.
        let f = [(1.0, 0.0), (-2.0, 1.0), (1.0, 2.0)];
        assert_eq!(first_below(&f, 0.0, 10.0), None);
    }
}
