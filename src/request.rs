//! What a caller asks for, as sent: every field optional, nothing trusted.
//! `PlanRequest::from_value` is the one way in from outside (JSON natively, a
//! JS object in the browser): the contract checks keys and types first, so an
//! unknown or misspelt key is refused, never ignored. `order::Order::parse`
//! then turns the request into the checked order that planning takes.

use crate::error::FieldErrors;
use crate::value::Value;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanRequest {
    /// Empty when not given: the order refuses it at `protocol`.
    #[serde(default)]
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

impl PlanRequest {
    /// A request read from its untyped form, after the contract's key and
    /// type check; every problem is reported at once.
    pub fn from_value(value: &Value) -> Result<PlanRequest, FieldErrors> {
        crate::contract::check_request(value).into_result()?;
        PlanRequest::deserialize(value).map_err(|e| {
            FieldErrors::from(crate::error::PlanError::new(
                "request",
                "invalid_request",
                format!("The request is not valid: {e}."),
            ))
        })
    }

    /// The same from JSON text (native callers, tests, fuzzing).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(text: &str) -> Result<PlanRequest, FieldErrors> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            FieldErrors::from(crate::error::PlanError::new(
                "request",
                "not_json",
                format!("The request is not readable: {e}."),
            ))
        })?;
        Self::from_value(&value)
    }
}
