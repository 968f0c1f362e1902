//! The plasma-concentration preview of a plan: the plan's delivered rates on
//! its clock (all sessions of a dated course, with the gaps between them)
//! handed to the exact PK solver, with the other models as overlays.

use crate::alert::Alert;
use crate::error::{PlanError, Result};
use crate::numbers::minutes_text;
use crate::numbers::with_unit;
use crate::pk::{self, PkPatient, RateSegment, SessionMark, SimOptions, Simulation};
use crate::plan::Plan;
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
    /// Also the effect-site curve (only the Domino model has a published ke0).
    pub effect_site: bool,
}

impl PreviewOptions {
    /// Options read from their untyped form after the contract's check, so a
    /// misspelt option (`modle`) is refused, never silently defaulted.
    pub fn from_value(
        value: &crate::value::Value,
    ) -> std::result::Result<Self, crate::error::FieldErrors> {
        use crate::value::Value;
        crate::contract::check_options(value).into_result()?;
        // Read by hand after the contract's check, as requests are.
        let get = |k: &str| value.given(k);
        let number = |k: &str| get(k).and_then(Value::as_number);
        let text = |k: &str| get(k).and_then(Value::as_text).map(str::to_string);
        Ok(PreviewOptions {
            model: text("model"),
            compare: get("compare").map_or_else(Vec::new, Value::texts),
            resolution_minutes: number("resolutionMinutes"),
            horizon_minutes: number("horizonMinutes"),
            threshold_ng_per_ml: number("thresholdNgPerMl"),
            effect_site: matches!(get("effectSite"), Some(Value::Bool(true))),
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
        effect_site: options.effect_site,
    };
    let patient = PkPatient {
        weight_kg: plan.weights.total_kg,
        age_years,
    };
    // A target's own model unless another is asked for.
    let model = options
        .model
        .clone()
        .or_else(|| plan.target.as_ref().map(|t| t.model.id.to_string()))
        .unwrap_or_else(|| models.default_model.to_string());
    let primary = pk::simulate(models, &model, &patient, &segments, &sim_options)?;
    notes.extend(discharge_note(models, &primary, plan.observation_minutes));
    let others: Vec<&String> = options.compare.iter().filter(|id| **id != model).collect();
    let compare = if others.is_empty() {
        Vec::new()
    } else {
        pk::compare(models, &others, &patient, &segments, &sim_options)?
    };
    let mut all: Vec<Simulation> = std::iter::once(primary.clone())
        .chain(compare.iter().cloned())
        .collect();
    // The effect site is drawn as the first overlay, named with its source and population.
    if let Some(e) = &primary.effect_site {
        let source = e.site.source.split(',').next().unwrap_or("").to_string();
        let mut overlay = primary.clone();
        overlay.model.name = format!(
            "Effect site, ke0 {}/min, {source}",
            crate::numbers::format(e.site.ke0_per_min, 3)
        )
        .into();
        overlay.model.tag = e.site.tag.clone();
        overlay.concentrations_ng_per_ml = e.concentrations_ng_per_ml.clone();
        all.insert(1, overlay);
        notes.push(Alert::info(
            "pk_effect_site",
            format!("Effect site: ke0 {}/min from {} ({}). An estimate for orientation, like the plasma curve.", crate::numbers::format(e.site.ke0_per_min, 3), e.site.source, e.site.population),
        ));
    }
    // A plan in target mode draws its target as a line.
    let mut bands = models.bands.to_vec();
    if let Some(t) = &plan.target {
        bands.push(pk::Band {
            id: pk::TARGET_BAND.into(),
            label: "Target".into(),
            low_ng_per_ml: t.ng_per_ml,
            high_ng_per_ml: t.ng_per_ml,
            source: "the order".into(),
            // Not evidence and not a default: the clinician's order.
            tag: String::new().into(),
        });
    }
    let svg = pk::svg_plot(&all, &segments, &bands);
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
            "At the earliest discharge ({} after the infusion) this model predicts {}, above the band \"{}\" ({} to {}; {}). Design default (D): a prompt to look, not a discharge criterion; discharge follows the clinical checks.",
            minutes_text(observation_minutes),
            ng(last.discharge_ng_per_ml),
            // As written (no lowercasing: Unicode's case tables cost about 7 KB gzipped).
            band.label,
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

/// The delivered rates as segments: the plan's rates on its clock, in
/// every session (a ladder titrated by response holds its first level).
fn segments(plan: &Plan, notes: &mut Vec<Alert>) -> Result<Vec<RateSegment>> {
    let minutes = plan.session_minutes as f64;
    let steps = plan
        .rate_changes
        .iter()
        .map(|r| Ok((r.at_minute as f64, r.mg_per_hour.ok_or_else(no_rate)?)))
        .collect::<Result<Vec<(f64, f64)>>>()?;
    if steps.is_empty() {
        return Err(no_rate());
    }
    if plan.titration == Titration::Response && plan.step_every_minutes.is_none() {
        notes.push(Alert::info(
            "preview_first_level",
            "Titration by response: the preview holds the first level for the whole infusion.",
        ));
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

/// The answer to "which rates reach and hold this level?": the steps of a
/// plan in target mode (`target_dose`), each through the plan's own limits
/// (a hard limit leaves that step without a rate; a soft one needs
/// acknowledging, as in any plan), with the predicted curve.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetPlan {
    pub target_ng_per_ml: f64,
    /// "150 ng/mL", formatted here like every number the page shows.
    pub target_text: String,
    pub model: pk::ModelRef,
    pub reach_minutes: f64,
    pub steps: Vec<TargetRow>,
    pub predicted: Predicted,
    pub max_deviation_percent: f64,
    pub alerts: Vec<Alert>,
    /// No hard limit, and every soft alert acknowledged in the request.
    pub usable: bool,
    pub svg: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRow {
    pub from_minute: f64,
    /// `None`: refused by a hard limit.
    pub ml_per_hour: Option<f64>,
    pub mg_per_hour: Option<f64>,
    pub text: TargetRowText,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetRowText {
    pub from: String,
    pub ml_per_hour: String,
    pub mg_per_hour: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Predicted {
    pub times: Vec<f64>,
    pub concentrations_ng_per_ml: Vec<f64>,
}

/// The scheme of a plan in target mode, with its curve over the first
/// session at 1-minute resolution (the `solveTarget` answer). The steps are
/// the plan's levels: a step refused by a hard limit has no rate.
pub fn target(models: &pk::Library, plan: &Plan, age_years: Option<f64>) -> Result<TargetPlan> {
    let t = plan.target.as_ref().ok_or_else(|| {
        PlanError::new(
            "targetNgPerMl",
            "required",
            "Enter the target plasma level in ng/mL.",
        )
    })?;
    let steps = plan
        .levels
        .iter()
        .zip(&t.starts)
        .map(|(l, &from)| TargetRow {
            from_minute: from as f64,
            ml_per_hour: l.ml_per_hour,
            mg_per_hour: l.mg_per_hour,
            text: TargetRowText {
                from: l.text.from.clone().unwrap_or_default(),
                ml_per_hour: l.text.ml_per_hour.clone(),
                mg_per_hour: l.text.mg_per_hour.clone(),
            },
        })
        .collect();
    // The curve of the first session; none when a step has no rate.
    let curve = preview(
        models,
        plan,
        age_years,
        &PreviewOptions {
            model: Some(t.model.id.to_string()),
            resolution_minutes: Some(1.0),
            horizon_minutes: Some(plan.session_minutes as f64),
            ..Default::default()
        },
    )
    .ok();
    Ok(TargetPlan {
        target_ng_per_ml: t.ng_per_ml,
        target_text: with_unit(t.ng_per_ml, 1, "ng/mL"),
        model: t.model.clone(),
        reach_minutes: t.reach_minutes as f64,
        steps,
        predicted: Predicted {
            times: curve
                .as_ref()
                .map_or_else(Vec::new, |c| c.primary.times.clone()),
            concentrations_ng_per_ml: curve
                .as_ref()
                .map_or_else(Vec::new, |c| c.primary.concentrations_ng_per_ml.clone()),
        },
        max_deviation_percent: t.max_deviation_percent,
        alerts: plan.alerts.clone(),
        usable: plan.confirmed,
        svg: curve.map_or_else(String::new, |c| c.svg),
    })
}
