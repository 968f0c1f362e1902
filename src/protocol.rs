//! The protocol library: drugs, standard containers, cautions and protocols,
//! kept in `data/library.json` so a pharmacist can review it without reading
//! Rust. Loading validates every entry: a broken library is an error naming
//! the entry, never a panic and never a silently wrong dose.

use crate::error::{PlanError, Result};
use serde::{Deserialize, Serialize};

/// Library text: borrowed from the static that build.rs writes for the wasm,
/// owned when a file is parsed. The wasm then holds the library as data and
/// builds nothing at run time.
pub type Text = std::borrow::Cow<'static, str>;
/// A library list, borrowed or owned like [`Text`].
pub type List<T> = std::borrow::Cow<'static, [T]>;

/// The shipped library. Native code parses it with serde_json; for the wasm,
/// build.rs turns it (or the file in `KP_LIBRARY`) into Rust code, so no JSON
/// reader and no deserializer for these types ship (see `crate::built_in`).
pub const DEFAULT_LIBRARY_JSON: &str = include_str!("../data/library.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Library {
    pub version: Text,
    #[serde(default)]
    pub about: Text,
    pub drugs: List<Drug>,
    pub containers: List<Container>,
    pub cautions: List<Caution>,
    #[serde(default)]
    pub cautions_source: Text,
    pub discharge: Discharge,
    pub protocols: List<Protocol>,
}

/// Discharge conditions a clinic sets (clinical-spec section 6).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Discharge {
    pub no_driving_hours: u32,
    pub tag: Text,
    #[serde(default)]
    pub note: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Drug {
    pub id: Text,
    pub name: Text,
    pub vials_mg_per_ml: List<f64>,
    pub preferred_vial_mg_per_ml: f64,
    pub standard_concentrations_mg_per_ml: List<f64>,
    pub max_infusion_concentration_mg_per_ml: f64,
    pub soft_mg_per_kg_per_hour: f64,
    pub hard_mg_per_kg_per_hour: f64,
    pub soft_limit_note: Text,
    pub hard_limit_note: Text,
    #[serde(default)]
    pub notes: Text,
    pub tag: Text,
    pub source: Text,
}

/// A standard ready-to-use preparation (bag or syringe).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Container {
    pub concentration_mg_per_ml: f64,
    pub drug_mg: f64,
    pub final_volume_ml: f64,
    pub container: Text,
    pub tag: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Caution {
    pub id: Text,
    pub label: Text,
    pub advice: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DoseRecipe {
    pub dose_unit: DoseUnit,
    #[serde(default)]
    pub start: Option<f64>,
    #[serde(default)]
    pub step: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub session_dose_mg: Option<f64>,
}

/// An absolute cap in mg/h, optionally for a weight band on total body weight.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cap {
    pub mg_per_hour: f64,
    #[serde(default)]
    pub weight_kg_above: Option<f64>,
    #[serde(default)]
    pub weight_kg_at_most: Option<f64>,
    #[serde(default)]
    pub note: Option<Text>,
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

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FrailStart {
    pub start: f64,
    pub age_years: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MinuteRange {
    pub default: u32,
    pub min: u32,
    pub max: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Course {
    pub schedule: Schedule,
    pub sessions: u32,
    #[serde(default)]
    pub schedule_options: List<Schedule>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoosterPhase {
    pub label: Text,
    pub interval_days: u32,
    pub occurrences: u32,
    pub sessions_per_occurrence: u32,
    pub tag: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FollowUpWindow {
    pub kind: Text,
    pub from_days: u32,
    pub to_days: u32,
    pub source: Text,
    pub tag: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Protocol {
    pub id: Text,
    pub name: Text,
    pub drug: Text,
    pub setting: Text,
    pub summary: Text,
    pub dose: DoseRecipe,
    #[serde(default)]
    pub frail_start: Option<FrailStart>,
    pub titration: Titration,
    #[serde(default = "default_step_interval")]
    pub min_step_interval_minutes: u32,
    pub weight_basis: crate::weight::WeightBasis,
    pub caps: List<Cap>,
    #[serde(default)]
    pub default_concentration_mg_per_ml: Option<f64>,
    pub session_minutes: MinuteRange,
    pub observation_minutes: u32,
    #[serde(default)]
    pub container_change_hours: Option<u32>,
    pub course: Course,
    #[serde(default)]
    pub booster: List<BoosterPhase>,
    #[serde(default)]
    pub follow_up: List<FollowUpWindow>,
    /// Given before the infusion starts: placed on the session timeline.
    pub premedication: Text,
    /// Drugs and instructions during the course (as needed, daily): not timed.
    #[serde(default)]
    pub adjuncts: Text,
    pub monitoring: Text,
    pub source: Text,
    pub tag: Text,
    #[serde(default)]
    pub notes: Text,
}

fn default_step_interval() -> u32 {
    60
}

const TAGS: [&str; 4] = ["S", "S2", "PK-code", "D"];

impl Library {
    /// The library shipped with the planner.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn default_library() -> Result<Library> {
        Library::from_json(DEFAULT_LIBRARY_JSON)
    }

    /// Parses and validates a library file (a clinic's own, or the default).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(text: &str) -> Result<Library> {
        let lib: Library = serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        lib.validated()
    }

    /// Checks a deserialized library; every loading path ends here.
    pub fn validated(self) -> Result<Library> {
        self.validate()?;
        Ok(self)
    }

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

    fn validate(&self) -> Result<()> {
        let bad = |what: &str, why: &str| {
            Err(PlanError::new(
                "library",
                "invalid_library",
                format!("Protocol library: {what}: {why}."),
            ))
        };
        if self.version.trim().is_empty() {
            return bad("version", "missing");
        }
        if !(1..=168).contains(&self.discharge.no_driving_hours) {
            return bad("discharge", "noDrivingHours must be from 1 to 168");
        }
        for d in self.drugs.iter() {
            let all = d
                .vials_mg_per_ml
                .iter()
                .chain(d.standard_concentrations_mg_per_ml.iter())
                .chain([
                    &d.preferred_vial_mg_per_ml,
                    &d.max_infusion_concentration_mg_per_ml,
                    &d.soft_mg_per_kg_per_hour,
                    &d.hard_mg_per_kg_per_hour,
                ]);
            if all.into_iter().any(|v| !positive(*v)) {
                return bad(&d.id, "every strength and limit must be a positive number");
            }
            if d.vials_mg_per_ml.is_empty()
                || !d
                    .vials_mg_per_ml
                    .iter()
                    .any(|v| same(*v, d.preferred_vial_mg_per_ml))
            {
                return bad(&d.id, "the preferred vial must be one of its vials");
            }
            if d.soft_mg_per_kg_per_hour >= d.hard_mg_per_kg_per_hour {
                return bad(&d.id, "the soft limit must be below the hard limit");
            }
            if !TAGS.contains(&&*d.tag) {
                return bad(&d.id, "unknown evidence tag");
            }
        }
        for c in self.containers.iter() {
            if !positive(c.concentration_mg_per_ml)
                || !positive(c.final_volume_ml)
                || !same(c.drug_mg, c.concentration_mg_per_ml * c.final_volume_ml)
            {
                return bad(
                    "containers",
                    "each container needs drug mg = concentration x final volume",
                );
            }
        }
        for (i, p) in self.protocols.iter().enumerate() {
            if self.protocols[..i].iter().any(|q| q.id == p.id) {
                return bad(&p.id, "duplicate protocol id");
            }
            if self.drug(&p.drug).is_none() {
                return bad(&p.id, "unknown drug");
            }
            if !TAGS.contains(&&*p.tag) || p.booster.iter().any(|b| !TAGS.contains(&&*b.tag)) {
                return bad(&p.id, "unknown evidence tag");
            }
            let d = &p.dose;
            let numbers = [
                d.start,
                d.step,
                d.max,
                d.session_dose_mg,
                p.default_concentration_mg_per_ml,
            ];
            if numbers.iter().flatten().any(|v| !positive(*v))
                || p.caps.iter().any(|c| !positive(c.mg_per_hour))
            {
                return bad(
                    &p.id,
                    "doses, caps and concentrations must be positive numbers",
                );
            }
            // A rate protocol may leave its start dose to the order (custom):
            // the planner then refuses to plan until one is entered.
            let per_session = d.dose_unit == DoseUnit::MgPerSession;
            if (per_session && d.start.is_some()) || per_session != d.session_dose_mg.is_some() {
                return bad(&p.id, "a session-dose protocol needs sessionDoseMg and no start dose; a rate protocol no sessionDoseMg");
            }
            if (p.titration == Titration::Response) != (d.step.is_some() && d.max.is_some()) {
                return bad(
                    &p.id,
                    "titration by response needs step and max, and only it may have them",
                );
            }
            if let (Some(s), Some(m)) = (d.start, d.max) {
                if m < s {
                    return bad(&p.id, "max dose is below the start dose");
                }
            }
            let r = p.session_minutes;
            if r.min == 0 || r.min > r.default || r.default > r.max {
                return bad(&p.id, "session minutes need 0 < min <= default <= max");
            }
            if p.course.sessions == 0
                || p.booster.iter().any(|b| {
                    b.interval_days == 0 || b.occurrences == 0 || b.sessions_per_occurrence == 0
                })
            {
                return bad(&p.id, "sessions and booster phases need positive counts");
            }
            if p.follow_up.iter().any(|f| f.from_days > f.to_days) {
                return bad(&p.id, "a follow-up window ends before it starts");
            }
        }
        Ok(())
    }
}

/// A library file that could not be read as a library at all.
#[cfg(not(target_arch = "wasm32"))]
fn invalid(why: String) -> PlanError {
    PlanError::new(
        "library",
        "invalid_library",
        format!("The protocol library file is not valid: {why}."),
    )
}

fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
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

    #[test]
    fn broken_libraries_are_errors_not_panics() {
        let good = DEFAULT_LIBRARY_JSON;
        for (from, to) in [
            ("\"version\": \"2026.11.1\"", "\"version\": \"\""),
            ("\"drug\": \"esketamine\"", "\"drug\": \"unobtainium\""),
            ("\"start\": 1.5", "\"start\": -1.5"),
            ("\"softMgPerKgPerHour\": 1.0", "\"softMgPerKgPerHour\": 3.0"),
            (
                "\"tag\": \"S2\",\n      \"notes\": \"Exceeds",
                "\"tag\": \"maybe\",\n      \"notes\": \"Exceeds",
            ),
            (
                "\"default\": 240, \"min\": 240, \"max\": 300",
                "\"default\": 200, \"min\": 240, \"max\": 300",
            ),
        ] {
            assert!(good.contains(from), "fixture drifted: {from}");
            let err = Library::from_json(&good.replacen(from, to, 1)).unwrap_err();
            assert_eq!(err.code, "invalid_library", "{from} -> {to}");
        }
        assert!(Library::from_json("{").is_err());
        assert!(Library::from_json("").is_err());
    }
}
