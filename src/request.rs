//! What a caller asks for, and its validation into a `Order` the planner can
//! trust. Every refusal names the request field (the same name the page uses
//! for its input) so the message lands at the right field.

use crate::error::{PlanError, Result};
use crate::protocol::{DoseUnit, Schedule};
use crate::weight::{Sex, WeightBasis, KG_PER_LB};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanRequest {
    pub protocol: String,
    #[serde(default)]
    pub patient: Patient,
    #[serde(default)]
    pub weight_basis: Option<String>,
    #[serde(default)]
    pub concentration_mg_per_ml: Option<f64>,
    #[serde(default)]
    pub pump_resolution_ml_per_hour: Option<f64>,
    #[serde(default)]
    pub preparation_volume_ml: Option<f64>,
    #[serde(default)]
    pub dose: DoseOverrides,
    /// Codes of the soft alerts the user has acknowledged.
    #[serde(default)]
    pub acknowledged: Vec<String>,
    /// Ids of ticked contraindications and cautions.
    #[serde(default)]
    pub cautions: Vec<String>,
    /// First session's infusion start, local wall clock "YYYY-MM-DDTHH:MM".
    #[serde(default)]
    pub start: Option<String>,
    /// End date of the previous course, "YYYY-MM-DD", for the re-treatment check.
    #[serde(default)]
    pub previous_course_end: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Patient {
    #[serde(default)]
    pub weight_kg: Option<f64>,
    #[serde(default)]
    pub weight_lb: Option<f64>,
    #[serde(default)]
    pub height_cm: Option<f64>,
    #[serde(default)]
    pub sex: Option<String>,
    #[serde(default)]
    pub age_years: Option<f64>,
    #[serde(default)]
    pub frail: Option<bool>,
}

/// Overrides of the protocol's recipe and schedule; each absent field keeps
/// the protocol's value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoseOverrides {
    #[serde(default)]
    pub dose_unit: Option<String>,
    #[serde(default)]
    pub start_dose: Option<f64>,
    #[serde(default)]
    pub step_dose: Option<f64>,
    #[serde(default)]
    pub max_dose: Option<f64>,
    #[serde(default)]
    pub session_dose_mg: Option<f64>,
    #[serde(default)]
    pub session_minutes: Option<f64>,
    #[serde(default)]
    pub sessions: Option<f64>,
    #[serde(default)]
    pub schedule: Option<String>,
    #[serde(default)]
    pub observation_minutes: Option<f64>,
    #[serde(default)]
    pub rate_ml_per_hour: Option<f64>,
    #[serde(default)]
    pub volume_ml: Option<f64>,
    #[serde(default)]
    pub volume_minutes: Option<f64>,
    #[serde(default)]
    pub step_every_minutes: Option<f64>,
}

/// Validated patient: numbers finite and within plausible ranges.
#[derive(Debug, Clone)]
pub struct ValidPatient {
    pub total_kg: f64,
    pub height_cm: Option<f64>,
    pub sex: Option<Sex>,
    pub age_years: Option<f64>,
    pub frail: bool,
}

/// A number checked to be finite and within [min, max].
pub fn in_range(field: &str, value: f64, min: f64, max: f64, unit: &str) -> Result<f64> {
    if !value.is_finite() {
        return Err(PlanError::new(field, "not_a_number", "Enter a number."));
    }
    if value < min || value > max {
        let (lo, hi) = (
            crate::numbers::format(min, 2),
            crate::numbers::format(max, 2),
        );
        let text = format!("Must be from {lo} to {hi} {unit}.");
        return Err(PlanError::new(
            field,
            "out_of_range",
            replace(&replace(&text, "  ", " "), " .", "."),
        ));
    }
    Ok(value)
}

/// `text.replace(from, to)` for a non-empty `from`, scanning char by char:
/// core's substring search (two-way) is 4 KB of wasm for three call sites.
fn replace(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !from.is_empty() && rest.starts_with(from) {
            out.push_str(to);
            rest = &rest[from.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

pub fn opt_in_range(
    field: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<Option<f64>> {
    value
        .map(|v| in_range(field, v, min, max, unit))
        .transpose()
}

/// A whole count or minute value.
pub fn whole(
    field: &str,
    value: Option<f64>,
    min: u32,
    max: u32,
    unit: &str,
) -> Result<Option<u32>> {
    let Some(v) = opt_in_range(field, value, min as f64, max as f64, unit)? else {
        return Ok(None);
    };
    if v.fract() != 0.0 {
        return Err(PlanError::new(field, "not_whole", "Enter a whole number."));
    }
    Ok(Some(v as u32))
}

pub fn validate_patient(p: &Patient) -> Result<ValidPatient> {
    let total_kg = match (p.weight_kg, p.weight_lb) {
        (Some(_), Some(_)) => {
            return Err(PlanError::new(
                "weightKg",
                "ambiguous",
                "Give the weight in kg or in lb, not both.",
            ))
        }
        (Some(kg), None) => in_range("weightKg", kg, 1.0, 400.0, "kg")?,
        (None, Some(lb)) => {
            let lb = in_range("weightLb", lb, 1.0 / KG_PER_LB, 400.0 / KG_PER_LB, "lb")?;
            lb * KG_PER_LB
        }
        (None, None) => {
            return Err(PlanError::new(
                "weightKg",
                "required",
                "Enter the patient's weight.",
            ))
        }
    };
    let sex = match p.sex.as_deref() {
        None | Some("") => None,
        Some("female") => Some(Sex::Female),
        Some("male") => Some(Sex::Male),
        Some(_) => {
            return Err(PlanError::new(
                "sex",
                "unknown_value",
                "Sex must be female or male.",
            ))
        }
    };
    Ok(ValidPatient {
        total_kg,
        height_cm: opt_in_range("heightCm", p.height_cm, 100.0, 250.0, "cm")?,
        sex,
        age_years: opt_in_range("ageYears", p.age_years, 0.0, 120.0, "years")?,
        frail: p.frail.unwrap_or(false),
    })
}

pub fn parse_weight_basis(text: Option<&str>) -> Result<Option<WeightBasis>> {
    Ok(match text {
        None | Some("") => None,
        Some("auto") => Some(WeightBasis::Auto),
        Some("total") => Some(WeightBasis::Total),
        Some("ideal") => Some(WeightBasis::Ideal),
        Some("adjusted") => Some(WeightBasis::Adjusted),
        Some(_) => {
            return Err(PlanError::new(
                "weightBasis",
                "unknown_value",
                "Weight basis must be auto, total, ideal or adjusted.",
            ))
        }
    })
}

pub fn parse_dose_unit(text: Option<&str>) -> Result<Option<DoseUnit>> {
    Ok(match text {
        None | Some("") => None,
        Some("mg/kg/h") => Some(DoseUnit::MgPerKgPerHour),
        Some("mcg/kg/min") => Some(DoseUnit::McgPerKgPerMin),
        Some("mg/h") => Some(DoseUnit::MgPerHour),
        Some(_) => {
            return Err(PlanError::new(
                "doseUnit",
                "wrong_unit",
                "Dose unit must be mg/kg/h, mcg/kg/min or mg/h.",
            ))
        }
    })
}

pub fn parse_schedule(text: Option<&str>) -> Result<Option<Schedule>> {
    Ok(match text {
        None | Some("") => None,
        Some("single") => Some(Schedule::Single),
        Some("daily") => Some(Schedule::Daily),
        Some("weekdays") => Some(Schedule::Weekdays),
        Some("continuous") => Some(Schedule::Continuous),
        Some(_) => {
            return Err(PlanError::new(
                "schedule",
                "unknown_value",
                "Schedule must be single, daily, weekdays or continuous.",
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn replace_is_str_replace(text in "[ .a\u{e9}]{0,12}", from in "[ .a\u{e9}]{1,3}", to in "[ .b]{0,2}") {
            proptest::prop_assert_eq!(super::replace(&text, &from, &to), text.replace(from.as_str(), &to));
        }
    }
}
