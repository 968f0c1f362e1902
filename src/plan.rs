//! Request in, plan out: the dosing weight, the ladder of levels with pump
//! rates, totals, the preparation and every alert. Pure and total: each bad
//! input is a `PlanError` naming its field, never a panic.

use crate::alert::{Alert, Level};
use crate::calendar::{LocalDate, LocalDateTime};
use crate::error::{FieldErrors, PlanError, Result};
use crate::limits;
use crate::numbers::{decimals, minutes_text, with_unit};
use crate::order::{dose_decimals, Order, Provenance, Source};
use crate::preparation::{self, Need, Preparation};
use crate::protocol::{same, DoseUnit, Drug, Library, Protocol, Schedule, Titration};
use crate::request::PlanRequest;
use crate::timeline::{self, BoosterDate, FollowUpDates, RateChange, SessionTimeline, Timeline};
use crate::weight::{self, DosingWeight};
use serde::Serialize;

/// 1 mcg/kg/min = 0.06 mg/kg/h.
pub const MG_PER_KG_PER_HOUR_PER_MCG_PER_KG_PER_MIN: f64 = 0.06;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub planner_version: String,
    pub library_version: String,
    pub protocol: ProtocolRef,
    pub weights: DosingWeight,
    pub dosing_weight_kg: f64,
    pub weight_basis: weight::WeightBasis,
    pub weight_basis_reason: String,
    pub concentration_mg_per_ml: f64,
    pub pump_resolution_ml_per_hour: f64,
    pub titration: Titration,
    pub levels: Vec<DoseLevel>,
    pub session_minutes: u32,
    pub session_count: u32,
    pub schedule: Schedule,
    pub observation_minutes: u32,
    pub step_every_minutes: Option<u32>,
    /// Target mode: the level the rates reach and hold, and with which model.
    pub target: Option<crate::target_dose::PlanTarget>,
    /// The pump settings on the session clock: each level at the minute it
    /// starts (one for a single rate or a ladder titrated by response).
    pub rate_changes: Vec<RateChange>,
    pub totals: Totals,
    pub preparation: Option<Preparation>,
    pub preparation_refused: Option<String>,
    pub alerts: Vec<Alert>,
    pub confirmed: bool,
    /// Where each value that decides the rate came from.
    pub provenance: Vec<Provenance>,
    pub text: PlanText,
    /// Dated sessions with their events; empty until the request has a start.
    pub sessions: Vec<SessionTimeline>,
    pub course_end: Option<LocalDate>,
    pub boosters: Vec<BoosterDate>,
    pub follow_up: Vec<FollowUpDates>,
    /// The first session drawn as SVG (phases, rate steps, observation).
    pub timeline_svg: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolRef {
    pub id: String,
    pub name: String,
    pub drug: String,
    pub drug_name: String,
    pub setting: String,
    pub summary: String,
    pub source: String,
    pub tag: String,
    pub premedication: String,
    pub adjuncts: String,
    pub monitoring: String,
    pub notes: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DoseLevel {
    /// The order in its own unit (before caps and rounding).
    pub dose: f64,
    pub dose_unit: String,
    pub intended_mg_per_hour: f64,
    /// What the rounded `ml_per_hour` delivers; None when hard-limited.
    pub mg_per_hour: Option<f64>,
    pub mg_per_kg_per_hour: Option<f64>,
    pub mcg_per_kg_per_min: Option<f64>,
    pub ml_per_hour: Option<f64>,
    pub capped: bool,
    pub cap_note: Option<String>,
    /// Why there is no pump rate for this level.
    pub refused: Option<String>,
    pub text: LevelText,
}

/// Every number of a level as it is shown: ISMP format, unit beside it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LevelText {
    pub dose: String,
    pub mg_per_hour: String,
    pub mg_per_kg_per_hour: String,
    pub mcg_per_kg_per_min: String,
    pub ml_per_hour: String,
    /// Target mode: "15 min", the minute this step starts on the session clock.
    pub from: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Totals {
    pub session_mg: Option<f64>,
    pub session_ml: Option<f64>,
    pub course_mg: Option<f64>,
    pub course_ml: Option<f64>,
    pub session_mg_at_max: Option<f64>,
    pub course_mg_at_max: Option<f64>,
    pub course_ml_at_max: Option<f64>,
    pub text: TotalsText,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalsText {
    pub session_mg: String,
    pub session_ml: String,
    pub course_mg: String,
    pub course_ml: String,
    pub session_mg_at_max: String,
    pub course_mg_at_max: String,
    pub course_ml_at_max: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanText {
    pub total_kg: String,
    pub ideal_kg: String,
    pub adjusted_kg: String,
    pub dosing_weight_kg: String,
    pub concentration: String,
    pub session_duration: String,
    pub observation: String,
    /// "1 session", "10 sessions".
    pub sessions: String,
    /// The library's discharge condition, e.g. "No driving for 24 hours".
    pub no_driving: String,
}

/// Parses `req` and plans it: the one call for callers that hold a request.
pub fn plan(lib: &Library, req: &PlanRequest) -> std::result::Result<Plan, FieldErrors> {
    Ok(Order::parse(lib, req)?.plan())
}

impl Order<'_> {
    /// The plan of a checked order. Total: every field was checked by
    /// `Order::parse`, so nothing here can refuse a field.
    pub fn plan(&self) -> Plan {
        let protocol = self.protocol;
        let drug = self.drug;
        let mut alerts = self.alerts.clone();
        let weights = self.weights.clone();
        let w = weights.dosing_weight_kg;
        let concentration = self.concentration;
        let concentration_refused = limits::check_concentration(drug, concentration, &mut alerts);
        let levels: Vec<DoseLevel> = self
            .recipe
            .dose
            .doses
            .iter()
            .enumerate()
            .map(|(i, &dose)| self.level(i, dose, concentration_refused, &mut alerts))
            .collect();
        // A ladder stops at its cap; a target's steps are a schedule, kept whole.
        let levels = if self.target.is_some() {
            levels
        } else {
            stop_at_cap(levels)
        };
        let rate_changes = self.rate_changes(&levels);
        let totals = totals(&levels, &rate_changes, self);
        let need = Need {
            session_ml: totals.session_ml.unwrap_or(0.0),
            session_ml_at_max: totals.session_mg_at_max.map_or(0.0, |m| m / concentration),
            sessions: self.recipe.sessions,
            change_minutes: protocol
                .container_change_hours
                .map(|h| h as f64 * 60.0)
                .filter(|_| self.recipe.schedule == Schedule::Continuous),
            session_minutes: self.recipe.session_minutes as f64,
        };
        let (preparation, preparation_refused) = if concentration_refused {
            (
                None,
                Some(
                    "No recipe: the concentration is above the maximum infusion concentration."
                        .to_string(),
                ),
            )
        } else {
            match preparation::prepare(
                self.library,
                drug,
                concentration,
                self.preparation_volume,
                &need,
            ) {
                Ok(p) => (Some(p), None),
                Err(why) => {
                    alerts.push(Alert::hard("preparation_impossible", why.clone()));
                    (None, Some(why))
                }
            }
        };
        let mut provenance = self.provenance.clone();
        if let Some(p) = &preparation {
            let (source, how) = match self.preparation_volume {
                Some(_) => (Source::Ordered, "ordered".to_string()),
                None => (
                    Source::Derived,
                    format!(
                        "the smallest that holds {} and {} to prime the line (design default)",
                        with_unit(p.container_need_ml, decimals::ML, "mL"),
                        with_unit(p.priming_ml, decimals::ML, "mL")
                    ),
                ),
            };
            provenance.push(Provenance {
                value: "preparationVolumeMl",
                source,
                text: format!(
                    "Container: {} {}, {how}",
                    with_unit(p.final_volume_ml, decimals::ML, "mL"),
                    p.container
                ),
            });
        }

        let mut course = self
            .timeline_input(
                rate_changes.clone(),
                vec![totals.session_mg; self.recipe.sessions as usize],
            )
            .and_then(|input| {
                // Parse built this course already; a failure here would be a
                // defect, and it withholds the timeline rather than panic.
                let course = timeline::build_timeline(&input).ok()?;
                let svg = course
                    .sessions
                    .first()
                    .map(|s| timeline::svg_session(s, &input.rate_changes));
                Some((course, svg))
            });
        if let Some((c, _)) = &mut course {
            alerts.append(&mut c.alerts);
        }
        let mut alerts = limits::dedupe(alerts);
        for a in alerts.iter_mut() {
            a.acknowledged =
                a.level == Level::Soft && self.acknowledged.iter().any(|c| c == &a.code);
        }
        let confirmed = !alerts
            .iter()
            .any(|a| a.level == Level::Hard || (a.level == Level::Soft && !a.acknowledged));

        let (timeline_svg, sessions, boosters, follow_up) = match &mut course {
            Some((c, svg)) => (
                svg.take(),
                std::mem::take(&mut c.sessions),
                std::mem::take(&mut c.boosters),
                std::mem::take(&mut c.follow_up),
            ),
            None => Default::default(),
        };
        let not_available = || "not available (needs height and sex)".to_string();
        let text = PlanText {
            total_kg: with_unit(weights.total_kg, decimals::KG, "kg"),
            ideal_kg: weights
                .ideal_kg
                .map_or_else(not_available, |v| with_unit(v, decimals::KG, "kg")),
            adjusted_kg: weights
                .adjusted_kg
                .map_or_else(not_available, |v| with_unit(v, decimals::KG, "kg")),
            dosing_weight_kg: with_unit(w, decimals::KG, "kg"),
            concentration: with_unit(concentration, decimals::CONCENTRATION, "mg/mL"),
            session_duration: minutes_text(self.recipe.session_minutes),
            observation: minutes_text(self.recipe.observation_minutes),
            sessions: format!(
                "{} {}",
                self.recipe.sessions,
                if self.recipe.sessions == 1 {
                    "session"
                } else {
                    "sessions"
                }
            ),
            no_driving: format!(
                "No driving for {} hours",
                self.library.discharge.no_driving_hours
            ),
        };
        Plan {
            planner_version: crate::VERSION.to_string(),
            library_version: self.library.version.clone(),
            protocol: protocol_ref(protocol, drug),
            dosing_weight_kg: w,
            weight_basis: weights.weight_basis,
            weight_basis_reason: weights.reason.clone(),
            weights,
            concentration_mg_per_ml: concentration,
            pump_resolution_ml_per_hour: self.resolution,
            titration: self.recipe.dose.titration,
            levels,
            session_minutes: self.recipe.session_minutes,
            session_count: self.recipe.sessions,
            schedule: self.recipe.schedule,
            observation_minutes: self.recipe.observation_minutes,
            step_every_minutes: self.recipe.step_every_minutes,
            target: self.target.clone(),
            rate_changes,
            totals,
            preparation,
            preparation_refused,
            alerts,
            confirmed,
            provenance,
            text,
            // The course's parts move into the plan (its sessions hold every event: not copied).
            course_end: course.as_ref().map(|(c, _)| c.course_end),
            timeline_svg,
            sessions,
            boosters,
            follow_up,
        }
    }

    /// The plan's rates placed on the clock: the first level at the start,
    /// and each further level at its clock-driven step when the order has
    /// one, or at its minute in a target's scheme.
    fn rate_changes(&self, levels: &[DoseLevel]) -> Vec<RateChange> {
        let every = self.recipe.step_every_minutes;
        let starts = self.target.as_ref().map(|t| &t.starts);
        levels
            .iter()
            .enumerate()
            .map_while(|(i, l)| {
                let at = match starts {
                    Some(s) => *s.get(i)?,
                    None => every.map_or(Some(0), |e| e.checked_mul(i as u32))?,
                };
                let timed = every.is_some() || starts.is_some();
                (i == 0 || (timed && at < self.recipe.session_minutes)).then(|| RateChange {
                    at_minute: at,
                    ml_per_hour: l.ml_per_hour,
                    mg_per_hour: l.mg_per_hour,
                    label: format!("{} = {}", l.text.mg_per_hour, l.text.ml_per_hour),
                })
            })
            .collect()
    }

    /// Level `index` of the ladder: caps, pump rounding and the limits on
    /// the rate actually delivered.
    fn level(
        &self,
        index: usize,
        dose: f64,
        concentration_refused: bool,
        alerts: &mut Vec<Alert>,
    ) -> DoseLevel {
        let (p, drug, order) = (self.protocol, self.drug, &self.recipe.dose);
        let (w, total_kg, c) = (
            self.weights.dosing_weight_kg,
            self.patient.total_kg,
            self.concentration,
        );
        let resolution = self.resolution;
        let ml_decimals = decimals_of(resolution);
        let raw_mg_per_hour = match order.unit {
            DoseUnit::MgPerKgPerHour => dose * w,
            DoseUnit::McgPerKgPerMin => dose * MG_PER_KG_PER_HOUR_PER_MCG_PER_KG_PER_MIN * w,
            DoseUnit::MgPerHour => dose,
            DoseUnit::MgPerSession => dose / (self.recipe.session_minutes as f64 / 60.0),
            DoseUnit::MlPerHour => dose * c,
        };
        let cap = p.cap_for(total_kg);
        let (intended, cap_note) = match cap {
            Some(cap) if raw_mg_per_hour > cap.mg_per_hour => {
                let why = cap
                    .note
                    .as_deref()
                    .unwrap_or("protocol maximum")
                    .to_string();
                (
                    cap.mg_per_hour,
                    Some(format!(
                        "capped at {} ({why})",
                        with_unit(cap.mg_per_hour, decimals::MG_PER_HOUR, "mg/h")
                    )),
                )
            }
            _ => (raw_mg_per_hour, None),
        };
        let steps = (intended / c / resolution).round();
        let ml = steps * (resolution * 100.0).round() / 100.0;
        let delivered = ml * c;
        let from = self
            .target
            .as_ref()
            .map(|t| minutes_text(t.starts.get(index).copied().unwrap_or(0)));
        let label = if let Some(from) = &from {
            format!("Step from {from}")
        } else if order.doses.len() > 1 {
            format!(
                "Level {} ({})",
                index + 1,
                with_unit(dose, dose_decimals(order.unit), order.unit.label())
            )
        } else {
            "Rate".to_string()
        };
        let refused = if concentration_refused {
            Some(
                "No rate: the concentration is above the maximum infusion concentration."
                    .to_string(),
            )
        } else {
            limits::check_rate(drug, &label, intended, ml, delivered, w, alerts)
        };
        let ok = refused.is_none();
        let mg_per_kg = delivered / w;
        let dose_text = with_unit(dose, dose_decimals(order.unit), order.unit.label());
        let text = LevelText {
            dose: if order.unit == DoseUnit::MgPerSession {
                format!(
                    "{dose_text} over {}",
                    minutes_text(self.recipe.session_minutes)
                )
            } else {
                dose_text
            },
            mg_per_hour: if ok {
                with_unit(delivered, decimals::MG_PER_HOUR, "mg/h")
            } else {
                "no rate".to_string()
            },
            mg_per_kg_per_hour: if ok {
                with_unit(mg_per_kg, decimals::MG_PER_KG_PER_HOUR, "mg/kg/h")
            } else {
                "no rate".to_string()
            },
            mcg_per_kg_per_min: if ok {
                with_unit(
                    mg_per_kg / MG_PER_KG_PER_HOUR_PER_MCG_PER_KG_PER_MIN,
                    decimals::MCG_PER_KG_PER_MIN,
                    "mcg/kg/min",
                )
            } else {
                "no rate".to_string()
            },
            ml_per_hour: if ok {
                with_unit(ml, ml_decimals, "mL/h")
            } else {
                "no rate".to_string()
            },
            from,
        };
        DoseLevel {
            dose,
            dose_unit: order.unit.label().to_string(),
            intended_mg_per_hour: intended,
            mg_per_hour: ok.then_some(delivered),
            mg_per_kg_per_hour: ok.then_some(mg_per_kg),
            mcg_per_kg_per_min: ok.then_some(mg_per_kg / MG_PER_KG_PER_HOUR_PER_MCG_PER_KG_PER_MIN),
            ml_per_hour: ok.then_some(ml),
            capped: cap_note.is_some(),
            cap_note,
            refused,
            text,
        }
    }
}

/// The course as an `.ics` calendar; needs a start. The UID seed names the
/// protocol and start only: nothing that identifies the patient.
pub fn course_ics(plan: &Plan, dtstamp_utc: LocalDateTime) -> Result<String> {
    let course = plan.timeline().ok_or_else(|| {
        PlanError::new(
            "start",
            "required",
            "Enter the start date and time to export the calendar.",
        )
    })?;
    let rate = plan
        .levels
        .first()
        .map_or("no rate", |l| l.text.ml_per_hour.as_str());
    // An unconfirmed plan's calendar says so in every event, so a rate
    // nobody has confirmed cannot pass for an order on someone's phone.
    let status = if plan.confirmed { "" } else { "UNCONFIRMED: " };
    let summary = format!("{status}Ketamine infusion: {} ({rate})", plan.protocol.name);
    let seed = format!(
        "{}-{}",
        plan.protocol.id,
        course
            .sessions
            .first()
            .map_or(String::new(), |s| s.start.to_string())
    );
    Ok(crate::ics::course_ics(
        &course,
        &summary,
        &seed,
        dtstamp_utc,
    ))
}

impl Plan {
    /// The course as a `Timeline`, for the calendar export.
    pub fn timeline(&self) -> Option<Timeline> {
        Some(Timeline {
            schedule: self.schedule,
            multi_day: self.schedule == Schedule::Continuous && self.session_minutes > 1440,
            course_end: self.course_end?,
            sessions: self.sessions.clone(),
            boosters: self.boosters.clone(),
            follow_up: self.follow_up.clone(),
            alerts: Vec::new(),
        })
    }
}

fn protocol_ref(p: &Protocol, d: &Drug) -> ProtocolRef {
    ProtocolRef {
        id: p.id.clone(),
        name: p.name.clone(),
        drug: p.drug.clone(),
        drug_name: d.name.clone(),
        setting: p.setting.clone(),
        summary: p.summary.clone(),
        source: p.source.clone(),
        tag: p.tag.clone(),
        premedication: p.premedication.clone(),
        adjuncts: p.adjuncts.clone(),
        monitoring: p.monitoring.clone(),
        notes: p.notes.clone(),
    }
}

pub(crate) fn decimals_of(resolution: f64) -> usize {
    if same(resolution, (resolution * 10.0).round() / 10.0) {
        if resolution >= 1.0 {
            0
        } else {
            1
        }
    } else {
        2
    }
}

/// Rungs above the first capped one would all deliver the cap: drop them,
/// and drop the capped rung too when the rung below already gives the cap.
fn stop_at_cap(mut levels: Vec<DoseLevel>) -> Vec<DoseLevel> {
    if let Some(i) = levels.iter().position(|l| l.capped) {
        let repeats_previous = i > 0
            && levels.get(i - 1).is_some_and(|prev| {
                same(prev.intended_mg_per_hour, levels[i].intended_mg_per_hour)
            });
        levels.truncate(if repeats_previous { i } else { i + 1 });
    }
    levels
}

/// Session mg along the rates on the clock; the ladder's top level gives
/// the "at max" figures (a target's scheme has none: it is not titrated).
fn totals(levels: &[DoseLevel], rate_changes: &[RateChange], order: &Order) -> Totals {
    let c = order.concentration;
    let minutes = order.recipe.session_minutes;
    let hours = minutes as f64 / 60.0;
    let n = order.recipe.sessions as f64;
    let top = levels.last().and_then(|l| l.mg_per_hour);
    let session_mg = clock_session_mg(rate_changes, minutes);
    let session_mg_at_max = top.map(|r| r * hours).filter(|_| order.target.is_none());
    let mg = |v: Option<f64>| {
        v.map_or("no total: a rate is refused".to_string(), |v| {
            with_unit(v, decimals::MG, "mg")
        })
    };
    let ml = |v: Option<f64>| {
        v.map_or("no total: a rate is refused".to_string(), |v| {
            with_unit(v, decimals::ML, "mL")
        })
    };
    let session_ml = session_mg.map(|m| m / c);
    let course_mg = session_mg.map(|m| m * n);
    let course_ml = course_mg.map(|m| m / c);
    let course_mg_at_max = session_mg_at_max.map(|m| m * n);
    let course_ml_at_max = course_mg_at_max.map(|m| m / c);
    Totals {
        text: TotalsText {
            session_mg: mg(session_mg),
            session_ml: ml(session_ml),
            course_mg: mg(course_mg),
            course_ml: ml(course_ml),
            session_mg_at_max: mg(session_mg_at_max),
            course_mg_at_max: mg(course_mg_at_max),
            course_ml_at_max: ml(course_ml_at_max),
        },
        session_mg,
        session_ml,
        course_mg,
        course_ml,
        session_mg_at_max,
        course_mg_at_max,
        course_ml_at_max,
    }
}

/// mg delivered when each rate runs from its minute until the next (the
/// last holds to the end); None if any rate used is refused.
fn clock_session_mg(rate_changes: &[RateChange], session_minutes: u32) -> Option<f64> {
    let mut mg = 0.0;
    for (i, r) in rate_changes.iter().enumerate() {
        let to = rate_changes
            .get(i + 1)
            .map_or(session_minutes, |next| next.at_minute);
        mg += r.mg_per_hour? * to.saturating_sub(r.at_minute) as f64 / 60.0;
    }
    Some(mg)
}
