//! Dosing weight (clinical-spec section 3): total, ideal (Devine 1974),
//! adjusted, and the `auto` rule for obesity.

use crate::alert::Alert;
use serde::{Deserialize, Serialize};

pub const KG_PER_LB: f64 = 0.45359237;
const CM_PER_INCH: f64 = 2.54;
/// Devine's formula is built from heights of 5 ft (152.4 cm) and over.
const DEVINE_MIN_CM: f64 = 152.4;
/// `auto` switches to AdjBW above this multiple of IBW (design default D).
const OBESITY_RATIO: f64 = 1.2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Sex {
    Female,
    Male,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WeightBasis {
    #[default]
    Auto,
    Total,
    Ideal,
    Adjusted,
}

/// Ideal body weight in kg by Devine, or None when it would not be a weight.
pub fn ideal_kg(height_cm: f64, sex: Sex) -> Option<f64> {
    let base = match sex {
        Sex::Male => 50.0,
        Sex::Female => 45.5,
    };
    let ibw = base + 2.3 * (height_cm / CM_PER_INCH - 60.0);
    (ibw.is_finite() && ibw >= 1.0).then_some(ibw)
}

/// AdjBW = IBW + 0.4 x (TBW - IBW).
pub fn adjusted_kg(total_kg: f64, ideal_kg: f64) -> f64 {
    ideal_kg + 0.4 * (total_kg - ideal_kg)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DosingWeight {
    pub total_kg: f64,
    pub ideal_kg: Option<f64>,
    pub adjusted_kg: Option<f64>,
    pub dosing_weight_kg: f64,
    /// The basis actually used (never `auto`).
    pub weight_basis: WeightBasis,
    /// One sentence: which weight and why, for the screen and the printout.
    pub reason: String,
}

/// Resolves the dosing weight. Never returns a weight above TBW: a basis that
/// would exceed it falls back to TBW and says so.
pub fn resolve(
    total_kg: f64,
    height_cm: Option<f64>,
    sex: Option<Sex>,
    basis: WeightBasis,
    alerts: &mut Vec<Alert>,
) -> Result<DosingWeight, String> {
    let ideal = match (height_cm, sex) {
        (Some(h), Some(s)) => {
            if h < DEVINE_MIN_CM {
                alerts.push(Alert::info(
                    "ibw_height_out_of_range",
                    "Height is below 152.4 cm (5 ft), outside the range of the Devine ideal body weight formula.",
                ));
            }
            ideal_kg(h, s)
        }
        _ => None,
    };
    let adjusted = ideal.map(|i| adjusted_kg(total_kg, i));
    let (used, basis, reason) = match basis {
        WeightBasis::Total => (
            total_kg,
            WeightBasis::Total,
            "Total body weight, as chosen.".to_string(),
        ),
        WeightBasis::Ideal | WeightBasis::Adjusted => {
            let (w, name) = match basis {
                WeightBasis::Ideal => (ideal, "Ideal body weight"),
                _ => (adjusted, "Adjusted body weight"),
            };
            let Some(w) = w else {
                return Err("Ideal and adjusted body weight need height and sex.".to_string());
            };
            if w > total_kg {
                (
                    total_kg,
                    WeightBasis::Total,
                    format!("{name} is above total body weight, so total body weight is used."),
                )
            } else {
                (w, basis, format!("{name}, as chosen."))
            }
        }
        WeightBasis::Auto => match (ideal, adjusted) {
            (Some(i), Some(a)) if total_kg > OBESITY_RATIO * i => (
                a.min(total_kg),
                WeightBasis::Adjusted,
                "Adjusted body weight: total body weight is more than 1.2 x ideal body weight."
                    .to_string(),
            ),
            (Some(_), _) => (
                total_kg,
                WeightBasis::Total,
                "Total body weight: it is not more than 1.2 x ideal body weight.".to_string(),
            ),
            _ => {
                alerts.push(Alert::info(
                    "weight_basis_needs_height_and_sex",
                    "Without height and sex the dosing weight is total body weight; enter both to check for obesity.",
                ));
                (
                    total_kg,
                    WeightBasis::Total,
                    "Total body weight: height or sex not entered.".to_string(),
                )
            }
        },
    };
    Ok(DosingWeight {
        total_kg,
        ideal_kg: ideal,
        adjusted_kg: adjusted,
        dosing_weight_kg: used,
        weight_basis: basis,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devine_reference_values() {
        // 180 cm = 70.866 in; male 50 + 2.3 x 10.866 = 74.99 kg.
        let m = ideal_kg(180.0, Sex::Male).unwrap();
        assert!((m - 74.992).abs() < 0.01, "{m}");
        // 165 cm = 64.961 in; female 45.5 + 2.3 x 4.961 = 56.91 kg.
        let f = ideal_kg(165.0, Sex::Female).unwrap();
        assert!((f - 56.910).abs() < 0.01, "{f}");
        // 152.4 cm is exactly 60 in: the base weight.
        assert!((ideal_kg(152.4, Sex::Male).unwrap() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn auto_uses_adjusted_only_above_1_2_ibw() {
        let mut a = vec![];
        // IBW 74.99; 1.2 x = 89.99. 130 kg: AdjBW = 74.99 + 0.4 x 55.01 = 96.99.
        let w = resolve(
            130.0,
            Some(180.0),
            Some(Sex::Male),
            WeightBasis::Auto,
            &mut a,
        )
        .unwrap();
        assert_eq!(w.weight_basis, WeightBasis::Adjusted);
        assert!((w.dosing_weight_kg - 96.995).abs() < 0.01);
        // 85 kg is under 1.2 x IBW: TBW.
        let w = resolve(
            85.0,
            Some(180.0),
            Some(Sex::Male),
            WeightBasis::Auto,
            &mut a,
        )
        .unwrap();
        assert_eq!(w.weight_basis, WeightBasis::Total);
        assert_eq!(w.dosing_weight_kg, 85.0);
        assert!(a.is_empty());
    }

    #[test]
    fn never_above_total_and_falls_back_without_height() {
        let mut a = vec![];
        let w = resolve(
            50.0,
            Some(190.0),
            Some(Sex::Male),
            WeightBasis::Ideal,
            &mut a,
        )
        .unwrap();
        assert_eq!(w.dosing_weight_kg, 50.0);
        let w = resolve(70.0, None, None, WeightBasis::Auto, &mut a).unwrap();
        assert_eq!(w.dosing_weight_kg, 70.0);
        assert_eq!(a[0].code, "weight_basis_needs_height_and_sex");
        assert!(resolve(70.0, None, None, WeightBasis::Ideal, &mut a).is_err());
    }
}
