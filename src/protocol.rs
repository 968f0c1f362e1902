//! The protocol library: drugs, standard containers, cautions and protocols,
//! kept in `data/library.json` so a pharmacist can review it without reading
//! Rust. `crate::library` reads and checks a library file (the built-in one
//! and a clinic's alike): a broken library is a list of problems naming
//! their paths, never a panic and never a silently wrong dose.

// Deserialize only for the timeline's input, which tests write as JSON.
use serde::{Deserialize, Serialize};

/// The shipped library file. Native code reads it with `Library::from_json`
/// (in `crate::library`, which reads every library);
/// the page carries the same text and reads it at start through the same
/// path as a clinic's (`KetaminePlanner.useLibrary`).
pub const DEFAULT_LIBRARY_JSON: &str = include_str!("../data/library.json");

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Library {
    pub version: String,
    pub about: String,
    pub drugs: Vec<Drug>,
    pub containers: Vec<Container>,
    pub cautions: Vec<Caution>,
    pub cautions_source: String,
    pub discharge: Discharge,
    pub protocols: Vec<Protocol>,
    /// The clinic's own cases, run by the self-test and the review page.
    pub tests: Vec<LibraryTest>,
}

/// A case a clinic ships with its library, in the self-test's shape: a plan
/// request and the values its plan must hold, by path
/// (`{"levels.0.mlPerHour": 100}`). Both as written in the file, once checked.
#[derive(Debug, Clone, Serialize)]
pub struct LibraryTest {
    pub name: String,
    pub request: crate::value::Value,
    pub expect: crate::value::Value,
}

/// Discharge conditions a clinic sets (clinical-spec section 6).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Discharge {
    pub no_driving_hours: u32,
    pub tag: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drug {
    pub id: String,
    pub name: String,
    pub vials_mg_per_ml: Vec<f64>,
    pub preferred_vial_mg_per_ml: f64,
    pub standard_concentrations_mg_per_ml: Vec<f64>,
    pub max_infusion_concentration_mg_per_ml: f64,
    pub soft_mg_per_kg_per_hour: f64,
    pub hard_mg_per_kg_per_hour: f64,
    pub soft_limit_note: String,
    pub hard_limit_note: String,
    pub notes: String,
    pub tag: String,
    pub source: String,
}

impl Drug {
    /// The name for running text ("ketamine (racemic)"). ASCII lowering, so
    /// Unicode's case tables (about 8 KB of the page) stay out of the wasm: a
    /// non-ASCII capital in a clinic's drug name keeps its case.
    pub fn lowercase_name(&self) -> String {
        self.name.to_ascii_lowercase()
    }
}

/// A standard ready-to-use preparation (bag or syringe).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub concentration_mg_per_ml: f64,
    pub drug_mg: f64,
    pub final_volume_ml: f64,
    pub container: String,
    pub tag: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Caution {
    pub id: String,
    pub label: String,
    pub advice: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DoseUnit {
    #[serde(rename = "mg/kg/h")]
    MgPerKgPerHour,
    #[serde(rename = "mcg/kg/min")]
    McgPerKgPerMin,
    #[serde(rename = "mg/h")]
    MgPerHour,
    /// A fixed dose per session; the rate is dose / duration.
    #[serde(rename = "mg/session")]
    MgPerSession,
    /// A volume order at the chosen concentration.
    #[serde(rename = "mL/h")]
    MlPerHour,
}

impl DoseUnit {
    pub fn label(self) -> &'static str {
        match self {
            DoseUnit::MgPerKgPerHour => "mg/kg/h",
            DoseUnit::McgPerKgPerMin => "mcg/kg/min",
            DoseUnit::MgPerHour => "mg/h",
            DoseUnit::MgPerSession => "mg",
            DoseUnit::MlPerHour => "mL/h",
        }
    }
    pub fn per_kg(self) -> bool {
        matches!(self, DoseUnit::MgPerKgPerHour | DoseUnit::McgPerKgPerMin)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Titration {
    /// One rate for the whole session.
    None,
    /// Step up by response and side effects: the whole ladder is printed,
    /// no clock times are invented.
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Schedule {
    Single,
    Daily,
    Weekdays,
    Continuous,
}

impl Schedule {
    /// The request's word for it.
    pub fn word(self) -> &'static str {
        match self {
            Schedule::Single => "single",
            Schedule::Daily => "daily",
            Schedule::Weekdays => "weekdays",
            Schedule::Continuous => "continuous",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseRecipe {
    pub dose_unit: DoseUnit,
    pub start: Option<f64>,
    pub step: Option<f64>,
    pub max: Option<f64>,
    pub session_dose_mg: Option<f64>,
}

/// An absolute cap in mg/h, optionally for a weight band on total body weight.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cap {
    pub mg_per_hour: f64,
    pub weight_kg_above: Option<f64>,
    pub weight_kg_at_most: Option<f64>,
    pub note: Option<String>,
}

impl Cap {
    pub fn applies(&self, total_kg: f64) -> bool {
        self.weight_kg_above.is_none_or(|w| total_kg > w)
            && self.weight_kg_at_most.is_none_or(|w| total_kg <= w)
    }
}

impl Protocol {
    /// The lowest of the protocol's caps that applies to this weight.
    pub fn cap_for(&self, total_kg: f64) -> Option<&Cap> {
        self.caps
            .iter()
            .filter(|cap| cap.applies(total_kg))
            .min_by(|a, b| a.mg_per_hour.total_cmp(&b.mg_per_hour))
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FrailStart {
    pub start: f64,
    pub age_years: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MinuteRange {
    pub default: u32,
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Course {
    pub schedule: Schedule,
    pub sessions: u32,
    pub schedule_options: Vec<Schedule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoosterPhase {
    pub label: String,
    pub interval_days: u32,
    pub occurrences: u32,
    pub sessions_per_occurrence: u32,
    pub tag: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpWindow {
    pub kind: String,
    pub from_days: u32,
    pub to_days: u32,
    pub source: String,
    pub tag: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Protocol {
    pub id: String,
    pub name: String,
    pub drug: String,
    pub setting: String,
    pub summary: String,
    pub dose: DoseRecipe,
    pub frail_start: Option<FrailStart>,
    pub titration: Titration,
    pub min_step_interval_minutes: u32,
    pub weight_basis: crate::weight::WeightBasis,
    pub caps: Vec<Cap>,
    pub default_concentration_mg_per_ml: Option<f64>,
    pub session_minutes: MinuteRange,
    pub observation_minutes: u32,
    pub container_change_hours: Option<u32>,
    pub course: Course,
    pub booster: Vec<BoosterPhase>,
    pub follow_up: Vec<FollowUpWindow>,
    /// Given before the infusion starts: placed on the session timeline.
    pub premedication: String,
    /// Drugs and instructions during the course (as needed, daily): not timed.
    pub adjuncts: String,
    pub monitoring: String,
    pub source: String,
    pub tag: String,
    pub notes: String,
}

impl Library {
    pub fn drug(&self, id: &str) -> Option<&Drug> {
        self.drugs.iter().find(|d| d.id == id)
    }

    pub fn protocol(&self, id: &str) -> Option<&Protocol> {
        self.protocols.iter().find(|p| p.id == id)
    }

    pub fn container(&self, concentration: f64) -> Option<&Container> {
        self.containers
            .iter()
            .find(|c| same(c.concentration_mg_per_ml, concentration))
    }
}

/// Equality for values typed by people (1 vs 1.0000000001 after unit maths).
pub fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_library_loads_with_every_protocol_of_the_spec() {
        let lib = Library::default_library().unwrap();
        for id in [
            "walter-reed-outpatient",
            "schwartzman-2009",
            "cohen-2018-trial",
            "getson-inpatient",
            "correll-2004-inpatient",
            "sigtermans-2009-esketamine",
            "ward-low-dose",
            "custom",
        ] {
            assert!(lib.protocol(id).is_some(), "{id} missing");
        }
    }
}
