//! The plasma-concentration preview of a plan: the plan's delivered rates on
//! its clock (all sessions of a dated course, with the gaps between them)
//! handed to the exact PK solver, with the other models as overlays.

use crate::alert::Alert;
use crate::error::{PlanError, Result};
use crate::numbers::with_unit;
use crate::pk::{self, PkPatient, RateSegment, SessionMark, SimOptions, Simulation};
use crate::plan::{minutes_text, Plan};
use crate::protocol::Titration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PreviewOptions {
    /// Model id; the model file's default (Domino) when absent.
    pub model: Option<String>,
    /// Further models drawn as overlays to show model uncertainty.
    pub compare: Vec<String>,
    pub resolution_minutes: Option<f64>,
    pub horizon_minutes: Option<f64>,
    pub threshold_ng_per_ml: Option<f64>,
}

impl PreviewOptions {
    /// Options read from their untyped form after the contract's check, so a
    /// misspelt option (`modle`) is refused, never silently defaulted.
    pub fn from_value(
        value: &crate::value::Value,
    ) -> std::result::Result<Self, crate::error::FieldErrors> {
        crate::contract::check_options(value).into_result()?;
        PreviewOptions::deserialize(value).map_err(|e| {
            PlanError::new(
                "options",
                "invalid_options",
                format!("The options are not valid: {e}."),
            )
            .into()
        })
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    #[serde(flatten)]
    pub primary: Simulation,
    pub compare: Vec<Simulation>,
    /// What the preview assumed, for the caption (e.g. "first level only").
    pub notes: Vec<Alert>,
    pub svg: String,
    pub text: PreviewText,
}

/// The primary model's figures as shown: unit beside each number.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewText {
    pub peak: String,
    pub threshold: String,
    pub sessions: Vec<SessionLevelsText>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionLevelsText {
    pub end: String,
    pub discharge: String,
    pub minutes_to_threshold: String,
}

fn text(sim: &Simulation) -> PreviewText {
    let ng = |v: f64| with_unit(v, 0, "ng/mL");
    let threshold = ng(sim.threshold_ng_per_ml);
    PreviewText {
        peak: format!(
            "{} at {} after the first start",
            ng(sim.peak.ng_per_ml),
            minutes_text(sim.peak.at_minute.round() as u32)
        ),
        sessions: sim
            .sessions
            .iter()
            .map(|s| SessionLevelsText {
                end: ng(s.end_ng_per_ml),
                discharge: ng(s.discharge_ng_per_ml),
                minutes_to_threshold: match s.minutes_to_threshold {
                    Some(m) if m <= 0.0 => {
                        format!("already below {threshold} at the end of the infusion")
                    }
                    Some(m) => format!(
                        "{} after the end of the infusion",
                        minutes_text(m.round() as u32)
                    ),
                    None => format!("not below {threshold} within the plotted time"),
                },
            })
            .collect(),
        threshold,
    }
}

pub fn preview(
    models: &pk::Library,
    plan: &Plan,
    age_years: Option<f64>,
    options: &PreviewOptions,
) -> Result<Preview> {
    pk::check_drug(&plan.protocol.drug)?;
    let mut notes = Vec::new();
    let segments = segments(plan, &mut notes)?;
    let marks = marks(plan);
    let sim_options = SimOptions {
        resolution_minutes: options.resolution_minutes,
        horizon_minutes: options.horizon_minutes,
        threshold_ng_per_ml: options.threshold_ng_per_ml,
        sessions: marks,
    };
    let patient = PkPatient {
        weight_kg: plan.weights.total_kg,
        age_years,
    };
    let model = options
        .model
        .clone()
        .unwrap_or_else(|| models.default_model.to_string());
    let primary = pk::simulate(models, &model, &patient, &segments, &sim_options)?;
    notes.extend(discharge_note(models, &primary, plan.observation_minutes));
    let others: Vec<&String> = options.compare.iter().filter(|id| **id != model).collect();
    let compare = if others.is_empty() {
        Vec::new()
    } else {
        pk::compare(models, &others, &patient, &segments, &sim_options)?
    };
    let all: Vec<Simulation> = std::iter::once(primary.clone())
        .chain(compare.iter().cloned())
        .collect();
    let svg = pk::svg_plot(&all, &segments, &models.bands);
    let text = text(&primary);
    Ok(Preview {
        primary,
        compare,
        notes,
        svg,
        text,
    })
}

/// An information alert when the model still predicts a level above the
/// threshold band (analgesia, 100 to 160 ng/mL) at the earliest discharge
/// of the last session: a design default to look at, never a criterion for
/// discharge (that is clinical: clinical-spec section 6).
fn discharge_note(
    models: &pk::Library,
    sim: &Simulation,
    observation_minutes: u32,
) -> Option<Alert> {
    let band = models.band(&models.threshold_band)?;
    let last = sim.sessions.last()?;
    if last.discharge_ng_per_ml <= band.high_ng_per_ml {
        return None;
    }
    let ng = |v: f64| with_unit(v, 0, "ng/mL");
    Some(Alert::info(
        "discharge_above_band",
        format!(
            "At the earliest discharge ({} after the infusion) this model predicts {}, above the {} band ({} to {}; {}). Design default (D): a prompt to look, not a discharge criterion; discharge follows the clinical checks.",
            minutes_text(observation_minutes),
            ng(last.discharge_ng_per_ml),
            band.label.to_lowercase(),
            crate::numbers::format(band.low_ng_per_ml, 0),
            ng(band.high_ng_per_ml),
            band.source,
        ),
    ))
}

/// Minutes from the first session's start to each session's start: the
/// dated course when there is one, else the first session alone.
fn session_offsets(plan: &Plan) -> Vec<f64> {
    match plan.sessions.first() {
        Some(first) => plan
            .sessions
            .iter()
            .map(|s| first.start.minutes_until(s.start) as f64)
            .collect(),
        None => vec![0.0],
    }
}

/// The delivered rates as segments: each level at its clock-driven step, or
/// the first level for the whole session when titration is by response.
fn segments(plan: &Plan, notes: &mut Vec<Alert>) -> Result<Vec<RateSegment>> {
    let minutes = plan.session_minutes as f64;
    let mut steps: Vec<(f64, f64)> = Vec::new();
    match plan.step_every_minutes {
        Some(every) => {
            for (i, level) in plan.levels.iter().enumerate() {
                let at = i as f64 * every as f64;
                if at >= minutes {
                    break;
                }
                steps.push((at, level.mg_per_hour.ok_or_else(no_rate)?));
            }
        }
        None => {
            let first = plan
                .levels
                .first()
                .and_then(|l| l.mg_per_hour)
                .ok_or_else(no_rate)?;
            if plan.titration == Titration::Response {
                notes.push(Alert::info("preview_first_level", "Titration by response: the preview holds the first level for the whole infusion."));
            }
            steps.push((0.0, first));
        }
    }
    if plan.sessions.is_empty() && plan.session_count > 1 {
        notes.push(Alert::info(
            "preview_first_session_only",
            "Enter a start date to preview the whole course; this shows the first session.",
        ));
    }
    let mut segments = Vec::new();
    for offset in session_offsets(plan) {
        for (i, &(at, mg_per_hour)) in steps.iter().enumerate() {
            let end = steps.get(i + 1).map_or(minutes, |next| next.0);
            segments.push(RateSegment {
                start_min: offset + at,
                end_min: offset + end,
                mg_per_hour,
            });
        }
    }
    Ok(segments)
}

fn marks(plan: &Plan) -> Vec<SessionMark> {
    let (minutes, observation) = (plan.session_minutes as f64, plan.observation_minutes as f64);
    session_offsets(plan)
        .into_iter()
        .map(|o| SessionMark {
            end_min: o + minutes,
            discharge_min: o + minutes + observation,
        })
        .collect()
}

fn no_rate() -> PlanError {
    PlanError::new(
        "rate",
        "no_rate",
        "No concentration preview: a rate in this plan is refused by a hard limit.",
    )
}
