//! Plasma concentration of racemic ketamine under a planned regimen, by the
//! published models of clinical-spec section 9, solved in closed form.
//!
//! A model estimate for a typical patient, shown as orientation: it never
//! feeds back into a dose. Every input is checked; bad input is a
//! `PlanError`, never a panic (a panic kills the wasm instance).

mod expsum;
mod models;
pub mod reference;
mod solve;
mod svg;
pub mod target;

pub use models::{Band, Derived, EffectSite, Library, Model, Parameters, ValidRange, MODELS_JSON};
pub use svg::{svg_plot, TARGET_BAND};

use crate::alert::Alert;
use crate::contract::{in_range, opt_in_range};
use crate::error::{PlanError, Result};
use crate::numbers::format as number;
use models::Text;
use serde::{Deserialize, Serialize};
use solve::Course;

/// Longest time accepted anywhere (366 days): beyond it a plan is a typo.
pub const MAX_MINUTES: f64 = 366.0 * 24.0 * 60.0;
/// Most output points one simulation may return.
pub const MAX_POINTS: usize = 100_000;
/// Sanity ceiling on a rate (not a clinical limit: `limits` does those).
pub const MAX_MG_PER_HOUR: f64 = 100_000.0;
pub const MAX_SESSIONS: usize = 1_000;
const DEFAULT_RESOLUTION_MIN: f64 = 5.0;
const DEFAULT_TAIL_MIN: f64 = 12.0 * 60.0;

/// Constant rate from `start_min` to `end_min` (minutes from time 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateSegment {
    pub start_min: f64,
    pub end_min: f64,
    pub mg_per_hour: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PkPatient {
    /// Total body weight: the models were fitted on it.
    pub weight_kg: f64,
    #[serde(default)]
    pub age_years: Option<f64>,
}

/// End of an infusion session and when the patient may leave.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionMark {
    pub end_min: f64,
    pub discharge_min: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SimOptions {
    /// Output spacing; default 5 min.
    pub resolution_minutes: Option<f64>,
    /// Output end; default last segment end + 12 h.
    pub horizon_minutes: Option<f64>,
    /// Level for `minutes_to_threshold`; default lower edge of the analgesia band.
    pub threshold_ng_per_ml: Option<f64>,
    pub sessions: Vec<SessionMark>,
    /// Also the effect-site curve, where the model has a published ke0.
    pub effect_site: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelRef {
    pub id: Text,
    pub name: Text,
    pub source: Text,
    pub tag: Text,
    pub population: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Peak {
    pub at_minute: f64,
    pub ng_per_ml: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionLevels {
    pub end_ng_per_ml: f64,
    pub discharge_ng_per_ml: f64,
    /// Minutes after the session end until the concentration is first below
    /// the threshold: 0 when it already is at the end; `None` when it is
    /// not below it by the horizon (or the end lies beyond the horizon).
    pub minutes_to_threshold: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Simulation {
    pub model: ModelRef,
    pub threshold_ng_per_ml: f64,
    pub times: Vec<f64>,
    pub concentrations_ng_per_ml: Vec<f64>,
    /// Exact maximum over [0, horizon], not just over the output grid.
    pub peak: Peak,
    pub sessions: Vec<SessionLevels>,
    pub alerts: Vec<Alert>,
    /// The effect-site curve at `times` with its source, when asked for and published.
    pub effect_site: Option<EffectCurve>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectCurve {
    pub site: EffectSite,
    pub concentrations_ng_per_ml: Vec<f64>,
}

/// Refuses to model a drug no model here covers, instead of guessing.
pub fn check_drug(drug: &str) -> Result<()> {
    match drug.trim().to_ascii_lowercase().as_str() {
        "ketamine" | "racemic ketamine" => Ok(()),
        "esketamine" | "s-ketamine" | "norketamine" => Err(PlanError::new(
            "drug",
            "no_pk_model",
            "No pharmacokinetic model here covers esketamine or norketamine; no concentration is estimated.",
        )),
        _ => Err(PlanError::new("drug", "unknown_drug", "Pharmacokinetic models here cover racemic ketamine only.")),
    }
}

/// One model's derived parameters for a patient.
pub fn derive(lib: &Library, model_id: &str, patient: &PkPatient) -> Result<Derived> {
    check_patient(patient)?;
    lib.model(model_id)?.derive(patient.weight_kg)
}

/// Plasma concentration curve, peak and per-session levels for one model.
pub fn simulate(
    lib: &Library,
    model_id: &str,
    patient: &PkPatient,
    segments: &[RateSegment],
    options: &SimOptions,
) -> Result<Simulation> {
    let model = lib.model(model_id)?;
    let plan = Plan::new(lib, patient, segments, options)?;
    run(model, patient, &plan)
}

/// The same regimen under several models, in the order given.
pub fn compare<S: AsRef<str>>(
    lib: &Library,
    model_ids: &[S],
    patient: &PkPatient,
    segments: &[RateSegment],
    options: &SimOptions,
) -> Result<Vec<Simulation>> {
    if model_ids.is_empty() {
        return Err(PlanError::new(
            "models",
            "empty",
            "Choose at least one model to compare.",
        ));
    }
    let plan = Plan::new(lib, patient, segments, options)?;
    model_ids
        .iter()
        .map(|id| run(lib.model(id.as_ref())?, patient, &plan))
        .collect()
}

/// Validated inputs shared by every model of a comparison.
struct Plan {
    segments: Vec<RateSegment>,
    times: Vec<f64>,
    horizon: f64,
    threshold: f64,
    sessions: Vec<SessionMark>,
    effect_site: bool,
}

fn check_patient(p: &PkPatient) -> Result<()> {
    in_range("patient.weightKg", p.weight_kg, 1.0, 400.0, "kg")?;
    opt_in_range("patient.ageYears", p.age_years, 0.0, 120.0, "years")?;
    Ok(())
}

/// Checks segments and returns them sorted by start.
pub(crate) fn checked_segments(segments: &[RateSegment]) -> Result<Vec<RateSegment>> {
    for (i, s) in segments.iter().enumerate() {
        let f = |name: &str| format!("segments[{i}].{name}");
        in_range(&f("startMin"), s.start_min, 0.0, MAX_MINUTES, "min")?;
        in_range(&f("endMin"), s.end_min, s.start_min, MAX_MINUTES, "min")?;
        in_range(&f("mgPerHour"), s.mg_per_hour, 0.0, MAX_MG_PER_HOUR, "mg/h")?;
    }
    let mut sorted = segments.to_vec();
    crate::sort::sort_by(&mut sorted, |a, b| {
        a.start_min.total_cmp(&b.start_min).is_lt()
    });
    for w in sorted.windows(2) {
        if let [a, b] = w {
            if b.start_min < a.end_min {
                return Err(PlanError::new(
                    "segments",
                    "overlap",
                    "Infusion segments overlap: each minute may have one rate only.",
                ));
            }
        }
    }
    Ok(sorted)
}

impl Plan {
    fn new(
        lib: &Library,
        patient: &PkPatient,
        segments: &[RateSegment],
        o: &SimOptions,
    ) -> Result<Plan> {
        check_patient(patient)?;
        let segments = checked_segments(segments)?;
        let last_end = segments.iter().map(|s| s.end_min).fold(0.0, f64::max);
        let horizon = o
            .horizon_minutes
            .unwrap_or((last_end + DEFAULT_TAIL_MIN).min(MAX_MINUTES));
        in_range("horizonMinutes", horizon, 1.0, MAX_MINUTES, "min")?;
        let res = o.resolution_minutes.unwrap_or(DEFAULT_RESOLUTION_MIN);
        if !(res.is_finite() && res > 0.0) {
            return Err(PlanError::new(
                "resolutionMinutes",
                "out_of_range",
                "Resolution must be a positive number of minutes.",
            ));
        }
        let steps = (horizon / res - 1e-9).ceil();
        if steps >= MAX_POINTS as f64 {
            return Err(PlanError::new(
                "resolutionMinutes",
                "too_many_points",
                "Horizon / resolution gives more than 100,000 points: use a coarser resolution or a shorter horizon.",
            ));
        }
        let threshold = o
            .threshold_ng_per_ml
            .unwrap_or_else(|| lib.default_threshold());
        if !(threshold.is_finite() && threshold > 0.0) {
            return Err(PlanError::new(
                "thresholdNgPerMl",
                "out_of_range",
                "Threshold must be a positive number of ng/mL.",
            ));
        }
        if o.sessions.len() > MAX_SESSIONS {
            return Err(PlanError::new(
                "sessions",
                "too_many",
                "At most 1,000 sessions per simulation.",
            ));
        }
        for (i, s) in o.sessions.iter().enumerate() {
            in_range(
                &format!("sessions[{i}].endMin"),
                s.end_min,
                0.0,
                MAX_MINUTES,
                "min",
            )?;
            in_range(
                &format!("sessions[{i}].dischargeMin"),
                s.discharge_min,
                s.end_min,
                MAX_MINUTES,
                "min",
            )?;
        }
        // steps < MAX_POINTS, so the cast is exact and small.
        let n = steps as usize;
        let times = (0..=n).map(|k| (k as f64 * res).min(horizon)).collect();
        Ok(Plan {
            segments,
            times,
            horizon,
            threshold,
            sessions: o.sessions.clone(),
            effect_site: o.effect_site,
        })
    }
}

impl Model {
    /// The model as a result names it.
    pub fn reference(&self) -> ModelRef {
        ModelRef {
            id: self.id.clone(),
            name: self.name.clone(),
            source: self.source.clone(),
            tag: self.tag.clone(),
            population: self.population.clone(),
        }
    }
}

fn run(model: &Model, patient: &PkPatient, plan: &Plan) -> Result<Simulation> {
    let (_, modes) = model.derive_with_modes(patient.weight_kg)?;
    let course = Course::new(modes, &plan.segments);
    let concentrations = course.at_all(&plan.times);
    let effect_site = match (&model.effect_site, plan.effect_site) {
        (Some(site), true) => Some(EffectCurve {
            site: site.clone(),
            concentrations_ng_per_ml: course.effect_all(site.ke0_per_min, &plan.times),
        }),
        _ => None,
    };
    let (at_minute, ng_per_ml) = course.peak(plan.horizon);
    let sessions = plan
        .sessions
        .iter()
        .map(|s| SessionLevels {
            end_ng_per_ml: course.at(s.end_min),
            discharge_ng_per_ml: course.at(s.discharge_min),
            minutes_to_threshold: course
                .first_below(plan.threshold, s.end_min, plan.horizon)
                .map(|t| t - s.end_min),
        })
        .collect();
    Ok(Simulation {
        model: model.reference(),
        threshold_ng_per_ml: plan.threshold,
        times: plan.times.clone(),
        concentrations_ng_per_ml: concentrations,
        peak: Peak {
            at_minute,
            ng_per_ml,
        },
        sessions,
        alerts: alerts(model, patient, plan),
        effect_site,
    })
}

/// "This patient is outside the Domino model's range (adults: ...)", or None
/// when the age (if given) and the weight are within the model's population.
pub(crate) fn outside_range(model: &Model, patient: &PkPatient) -> Option<String> {
    let age_out = patient
        .age_years
        .is_some_and(|a| !model.age_years.contains(a));
    (age_out || !model.weight_kg.contains(patient.weight_kg)).then(|| {
        format!(
            "This patient is outside the {} model's range ({}: age {} to {} y, weight {} to {} kg)",
            model.name,
            model.population,
            number(model.age_years.min, 1),
            number(model.age_years.max, 1),
            number(model.weight_kg.min, 1),
            number(model.weight_kg.max, 1)
        )
    })
}

fn alerts(model: &Model, patient: &PkPatient, plan: &Plan) -> Vec<Alert> {
    let mut out = Vec::new();
    if plan.effect_site && model.effect_site.is_none() {
        out.push(Alert::info(
            "pk_no_effect_site",
            format!(
                "No published effect-site constant exists for the {} model: plasma only.",
                model.name
            ),
        ));
    }
    if let Some(outside) = outside_range(model, patient) {
        out.push(Alert::info(
            "pk_outside_model_range",
            format!("{outside}; the curve is an extrapolation."),
        ));
    }
    if plan
        .segments
        .iter()
        .any(|s| s.end_min > plan.horizon && s.mg_per_hour > 0.0)
    {
        out.push(Alert::info(
            "pk_horizon_cuts_infusion",
            "The plotted time ends before the infusion does; the peak shown is within the plotted time only.",
        ));
    }
    out
}
