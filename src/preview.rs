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
    /// For `target`: the plasma level the manual scheme reaches and holds.
    pub target_ng_per_ml: Option<f64>,
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
            target_ng_per_ml: number("targetNgPerMl"),
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
    if options.target_ng_per_ml.is_some() {
        return Err(PlanError::new(
            "targetNgPerMl",
            "not_an_option",
            "A target belongs to solveTarget, not to the preview of the ordered dose.",
        ));
    }
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

/// The answer to "which rates reach and hold this level?" for an order:
/// the manual pump scheme of `pk::target` at the order's concentration and
/// pump resolution over its session, each step through the plan's own
/// limits (a hard limit leaves that step without a rate; a soft one needs
/// acknowledging, as in a plan). A model scheme to program by hand, shown
/// beside the order: it does not replace the ordered dose.
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

pub fn target(
    models: &pk::Library,
    order: &crate::order::Order,
    options: &PreviewOptions,
) -> Result<TargetPlan> {
    pk::check_drug(&order.drug.id)?;
    let target = options.target_ng_per_ml.ok_or_else(|| {
        PlanError::new(
            "targetNgPerMl",
            "required",
            "Enter the target plasma level in ng/mL.",
        )
    })?;
    let model_id = options
        .model
        .clone()
        .unwrap_or_else(|| models.default_model.to_string());
    let (c, resolution, w) = (
        order.concentration,
        order.resolution,
        order.weights.dosing_weight_kg,
    );
    let patient = PkPatient {
        weight_kg: order.patient.total_kg,
        age_years: order.age_years(),
    };
    let minutes = order.recipe.session_minutes as f64;
    let scheme = pk::target::solve_target(
        models,
        &model_id,
        &patient,
        &pk::target::TargetInput {
            target_ng_per_ml: target,
            session_minutes: minutes,
            reach_minutes: pk::target::STEP_MINUTES,
            mg_per_hour_step: resolution * c,
            // The plan's limits judge each step below; this only bounds the arithmetic.
            hard_max_mg_per_hour: pk::MAX_MG_PER_HOUR,
        },
    )?;
    let mut alerts = scheme.alerts.clone();
    let ml_decimals = crate::plan::decimals_of(resolution);
    let steps: Vec<TargetRow> = scheme
        .steps
        .iter()
        .map(|s| {
            let ml = s.mg_per_hour / c;
            let label = format!(
                "Target step from minute {}",
                crate::numbers::format(s.from_minute, 0)
            );
            // A pause (0 mL/h) is a pump setting too; only rates are limit-checked.
            let refused = (ml > 0.0)
                .then(|| {
                    crate::limits::check_rate(
                        order.drug,
                        &label,
                        s.mg_per_hour,
                        ml,
                        s.mg_per_hour,
                        w,
                        &mut alerts,
                    )
                })
                .flatten();
            let ok = refused.is_none();
            TargetRow {
                from_minute: s.from_minute,
                ml_per_hour: ok.then_some(ml),
                mg_per_hour: ok.then_some(s.mg_per_hour),
                text: TargetRowText {
                    from: minutes_text(s.from_minute as u32),
                    ml_per_hour: if ok {
                        with_unit(ml, ml_decimals, "mL/h")
                    } else {
                        "no rate".into()
                    },
                    mg_per_hour: if ok {
                        with_unit(s.mg_per_hour, crate::numbers::decimals::MG_PER_HOUR, "mg/h")
                    } else {
                        "no rate".into()
                    },
                },
            }
        })
        .collect();
    let mut alerts = crate::limits::dedupe(alerts);
    for a in &mut alerts {
        a.acknowledged =
            a.level == crate::alert::Level::Soft && order.acknowledged.contains(&a.code);
    }
    let usable = alerts.iter().all(|a| match a.level {
        crate::alert::Level::Hard => false,
        crate::alert::Level::Soft => a.acknowledged,
        crate::alert::Level::Info => true,
    });
    let sim = pk::simulate(
        models,
        &model_id,
        &patient,
        &scheme.segments,
        &SimOptions {
            resolution_minutes: Some(1.0),
            ..Default::default()
        },
    )?;
    let line = pk::Band {
        id: "target".into(),
        label: "Target".into(),
        low_ng_per_ml: target,
        high_ng_per_ml: target,
        source: "solveTarget".into(),
        tag: "D".into(),
    };
    let svg = pk::svg_plot(std::slice::from_ref(&sim), &scheme.segments, &[line]);
    Ok(TargetPlan {
        target_ng_per_ml: target,
        target_text: with_unit(target, 1, "ng/mL"),
        model: sim.model.clone(),
        reach_minutes: scheme.reach_minutes,
        steps,
        predicted: Predicted {
            times: scheme.times,
            concentrations_ng_per_ml: scheme.concentrations_ng_per_ml,
        },
        max_deviation_percent: scheme.max_deviation_percent,
        alerts,
        usable,
        svg,
    })
}
