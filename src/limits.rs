//! The guardrails of clinical-spec section 4, checked on the rate actually
//! delivered after pump rounding. Protocol caps are not here: capping is part
//! of the recipe (see `plan`), not an alert.

use crate::alert::Alert;
use crate::numbers::{format, with_unit};
use crate::protocol::{same, Drug};

/// Pump flow below this is inaccurate on common volumetric pumps (D).
pub const LOW_RATE_ML_PER_HOUR: f64 = 0.5;
/// Highest rate a common pump accepts (D).
pub const MAX_RATE_ML_PER_HOUR: f64 = 999.9;
/// Rounding to the pump step may change the dose by at most this fraction (D).
pub const MAX_ROUNDING_ERROR: f64 = 0.05;

/// Concentration checks that concern every level: returns true when the
/// concentration itself is hard-limited (no rate at all).
pub fn check_concentration(drug: &Drug, mg_per_ml: f64, alerts: &mut Vec<Alert>) -> bool {
    if mg_per_ml > drug.max_infusion_concentration_mg_per_ml {
        alerts.push(Alert::hard(
            "concentration_undiluted",
            format!(
                "{} is above {}: undiluted stock is never an infusion concentration. Dilute first.",
                with_unit(mg_per_ml, 2, "mg/mL"),
                with_unit(drug.max_infusion_concentration_mg_per_ml, 2, "mg/mL")
            ),
        ));
        return true;
    }
    let standard = &drug.standard_concentrations_mg_per_ml;
    if !standard.iter().any(|c| same(*c, mg_per_ml)) {
        let list = standard
            .iter()
            .map(|c| with_unit(*c, 2, "mg/mL"))
            .collect::<Vec<_>>()
            .join(", ");
        let known = if list.is_empty() {
            "none in this library".to_string()
        } else {
            list
        };
        alerts.push(Alert::soft(
            "concentration_non_standard",
            format!("{} is not a standard {} infusion concentration (standard: {known}). Check the preparation.", with_unit(mg_per_ml, 2, "mg/mL"), drug.lowercase_name()),
        ));
    }
    false
}

/// Checks one level's delivered rate. `label` names the level in messages.
pub fn check_rate(
    drug: &Drug,
    label: &str,
    intended_mg_per_hour: f64,
    delivered_ml_per_hour: f64,
    delivered_mg_per_hour: f64,
    dosing_weight_kg: f64,
    alerts: &mut Vec<Alert>,
) -> Option<String> {
    let mg_per_kg = delivered_mg_per_hour / dosing_weight_kg;
    let per_kg = with_unit(mg_per_kg, 3, "mg/kg/h");
    let mut refuse = |code: &str, why: String| {
        alerts.push(Alert::hard(code, format!("{label}: {why}")));
        Some(why)
    };
    let refused = if delivered_ml_per_hour <= 0.0 {
        refuse(
            "pump_rate_zero",
            "the rate rounds to 0 mL/h at this pump resolution. Use a lower concentration."
                .to_string(),
        )
    } else if delivered_ml_per_hour > MAX_RATE_ML_PER_HOUR {
        refuse(
            "pump_rate_too_high",
            format!(
                "{} is above the pump maximum of 999.9 mL/h. Use a higher concentration.",
                with_unit(delivered_ml_per_hour, 2, "mL/h")
            ),
        )
    } else if mg_per_kg >= drug.hard_mg_per_kg_per_hour {
        refuse(
            "dose_hard_limit",
            format!("{per_kg}. {}.", drug.hard_limit_note),
        )
    } else {
        None
    };
    if refused.is_none() {
        if mg_per_kg > drug.soft_mg_per_kg_per_hour {
            alerts.push(Alert::soft(
                "dose_above_soft_limit",
                format!("{label}: {per_kg}. {}.", drug.soft_limit_note),
            ));
        }
        if delivered_ml_per_hour < LOW_RATE_ML_PER_HOUR {
            alerts.push(Alert::soft(
                "pump_rate_low",
                format!("{label}: {} is below 0.5 mL/h, where pump flow is inaccurate. Consider a lower concentration.", with_unit(delivered_ml_per_hour, 2, "mL/h")),
            ));
        }
        let error = (delivered_mg_per_hour - intended_mg_per_hour).abs() / intended_mg_per_hour;
        if error > MAX_ROUNDING_ERROR {
            alerts.push(Alert::soft(
                "rounding_error",
                format!("{label}: rounding to the pump step changes the dose by {}% (intended {}, delivered {}).", format(error * 100.0, 1), with_unit(intended_mg_per_hour, 2, "mg/h"), with_unit(delivered_mg_per_hour, 2, "mg/h")),
            ));
        }
    }
    refused
}

/// Keeps the first alert of each code: one acknowledgement covers a code,
/// and the first (lowest) level where it happens is the one to read.
pub fn dedupe(alerts: Vec<Alert>) -> Vec<Alert> {
    let mut out: Vec<Alert> = Vec::new();
    for a in alerts {
        if !out.iter().any(|b| b.code == a.code) {
            out.push(a);
        }
    }
    crate::sort::sort_by(&mut out, |a, b| a.level > b.level);
    out
}
