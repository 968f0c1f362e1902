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
    #[serde(default)]
    pub target_ng_per_ml: Option<f64>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub reach_minutes: Option<f64>,
}

/// A request value whose keys and types the contract has checked: each
/// field is read at its contract path (`patient.weightKg`); absent or null
/// is `None`.
struct Checked<'a>(&'a Value);

impl Checked<'_> {
    fn at(&self, f: &crate::contract::Field) -> Option<&Value> {
        f.path.split('.').try_fold(self.0, |v, key| v.given(key))
    }
    fn number(&self, f: &crate::contract::Field) -> Option<f64> {
        self.at(f).and_then(Value::as_number)
    }
    fn text(&self, f: &crate::contract::Field) -> Option<String> {
        self.at(f).and_then(Value::as_text).map(str::to_string)
    }
    fn flag(&self, f: &crate::contract::Field) -> Option<bool> {
        match self.at(f) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }
    fn codes(&self, f: &crate::contract::Field) -> Vec<String> {
        self.at(f).map_or_else(Vec::new, Value::texts)
    }
}

impl PlanRequest {
    /// A request read from its untyped form, after the contract's key and
    /// type check; every problem is reported at once.
    pub fn from_value(value: &Value) -> Result<PlanRequest, FieldErrors> {
        crate::contract::check_request(value).into_result()?;
        Ok(PlanRequest::read(&Checked(value)))
    }

    /// Reads a request the contract has checked (keys and types), field by
    /// field at the contract's paths. Hand-written instead of serde's derive
    /// from `Value`: the derive's visitors cost about 6 KB of the gzipped
    /// wasm, and a test round-trips every contract field through this.
    fn read(v: &Checked) -> PlanRequest {
        use crate::contract as c;
        PlanRequest {
            protocol: v.text(&c::PROTOCOL).unwrap_or_default(),
            patient: Patient {
                weight_kg: v.number(&c::WEIGHT_KG),
                weight_lb: v.number(&c::WEIGHT_LB),
                height_cm: v.number(&c::HEIGHT_CM),
                sex: v.text(&c::SEX),
                age_years: v.number(&c::AGE_YEARS),
                frail: v.flag(&c::FRAIL),
            },
            weight_basis: v.text(&c::WEIGHT_BASIS),
            concentration_mg_per_ml: v.number(&c::CONCENTRATION),
            pump_resolution_ml_per_hour: v.number(&c::PUMP_RESOLUTION),
            preparation_volume_ml: v.number(&c::PREPARATION_VOLUME),
            dose: DoseOverrides {
                dose_unit: v.text(&c::DOSE_UNIT),
                start_dose: v.number(&c::START_DOSE),
                step_dose: v.number(&c::STEP_DOSE),
                max_dose: v.number(&c::MAX_DOSE),
                session_dose_mg: v.number(&c::SESSION_DOSE),
                session_minutes: v.number(&c::SESSION_MINUTES),
                sessions: v.number(&c::SESSIONS),
                schedule: v.text(&c::SCHEDULE),
                observation_minutes: v.number(&c::OBSERVATION_MINUTES),
                rate_ml_per_hour: v.number(&c::RATE),
                volume_ml: v.number(&c::VOLUME),
                volume_minutes: v.number(&c::VOLUME_MINUTES),
                step_every_minutes: v.number(&c::STEP_EVERY),
                target_ng_per_ml: v.number(&c::TARGET),
                model: v.text(&c::MODEL),
                reach_minutes: v.number(&c::REACH_MINUTES),
            },
            acknowledged: v.codes(&c::ACKNOWLEDGED),
            cautions: v.codes(&c::CAUTIONS),
            start: v.text(&c::START),
            previous_course_end: v.text(&c::PREVIOUS_COURSE_END),
        }
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
