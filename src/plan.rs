//! Request in, plan out: the dosing weight, the ladder of levels with pump
//! rates, totals, the preparation and every alert. Pure and total: each bad
//! input is a `PlanError` naming its field, never a panic.

use crate::alert::{Alert, Level};
use crate::calendar::{LocalDate, LocalDateTime};
use crate::error::{PlanError, Result};
use crate::limits;
use crate::numbers::{decimals, with_unit};
use crate::preparation::{self, Need, Preparation};
use crate::protocol::Text;
use crate::protocol::{same, DoseUnit, Drug, Library, Protocol, Schedule, Titration};
use crate::request::{self, in_range, opt_in_range, whole, PlanRequest, ValidPatient};
use crate::timeline::{
    self, BoosterDate, FollowUpDates, RateChange, SessionTimeline, Timeline, TimelineInput,
};
use crate::weight::{self, DosingWeight};
use serde::Serialize;

/// 1 mcg/kg/min = 0.06 mg/kg/h.
pub const MG_PER_KG_PER_HOUR_PER_MCG_PER_KG_PER_MIN: f64 = 0.06;
const DEFAULT_PUMP_RESOLUTION: f64 = 0.1;
/// More rungs than this is a typing error, not a ladder.
const MAX_LEVELS: usize = 40;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub planner_version: String,
    pub library_version: Text,
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
    pub totals: Totals,
    pub preparation: Option<Preparation>,
    pub preparation_refused: Option<String>,
    pub alerts: Vec<Alert>,
    pub confirmed: bool,
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
    pub id: Text,
    pub name: Text,
    pub drug: Text,
    pub drug_name: Text,
    pub setting: Text,
    pub summary: Text,
    pub source: Text,
    pub tag: Text,
    pub premedication: Text,
    pub adjuncts: Text,
    pub monitoring: Text,
    pub notes: Text,
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

/// The order after overrides: what each level is computed from.
struct Order {
    unit: DoseUnit,
    doses: Vec<f64>,
    session_minutes: u32,
    sessions: u32,
    schedule: Schedule,
    observation_minutes: u32,
    step_every_minutes: Option<u32>,
    titration: Titration,
}

pub fn plan(lib: &Library, req: &PlanRequest) -> Result<Plan> {
    if req.protocol.trim().is_empty() {
        return Err(PlanError::new("protocol", "required", "Choose a protocol."));
    }
    let protocol = lib.protocol(&req.protocol).ok_or_else(|| {
        PlanError::new(
            "protocol",
            "unknown_protocol",
            format!("Unknown protocol \"{}\".", req.protocol),
        )
    })?;
    let drug = lib.drug(&protocol.drug).ok_or_else(|| {
        PlanError::new(
            "library",
            "invalid_library",
            "The protocol's drug is missing from the library.",
        )
    })?;
    let patient = request::validate_patient(&req.patient)?;
    let mut alerts = patient_alerts(&patient);

    let basis =
        request::parse_weight_basis(req.weight_basis.as_deref())?.unwrap_or(protocol.weight_basis);
    let weights = weight::resolve(
        patient.total_kg,
        patient.height_cm,
        patient.sex,
        basis,
        &mut alerts,
    )
    .map_err(|m| PlanError::new("weightBasis", "needs_height_and_sex", m))?;
    let w = weights.dosing_weight_kg;

    let concentration = in_range(
        "concentrationMgPerMl",
        req.concentration_mg_per_ml.ok_or_else(|| {
            PlanError::new(
                "concentrationMgPerMl",
                "required",
                "Enter the infusion concentration.",
            )
        })?,
        0.01,
        1000.0,
        "mg/mL",
    )?;
    let resolution = pump_resolution(req.pump_resolution_ml_per_hour)?;
    let order = order(protocol, &patient, req, concentration, &mut alerts)?;
    let concentration_refused = limits::check_concentration(drug, concentration, &mut alerts);

    let ml_decimals = decimals_of(resolution);
    let levels: Vec<DoseLevel> = order
        .doses
        .iter()
        .enumerate()
        .map(|(i, &dose)| {
            level(
                protocol,
                drug,
                &order,
                i,
                dose,
                w,
                patient.total_kg,
                concentration,
                resolution,
                ml_decimals,
                concentration_refused,
                &mut alerts,
            )
        })
        .collect();
    let levels = stop_at_cap(levels);

    let totals = totals(&levels, &order, concentration);
    let need = Need {
        session_ml: totals.session_ml.unwrap_or(0.0),
        session_ml_at_max: totals.session_mg_at_max.map_or(0.0, |m| m / concentration),
        sessions: order.sessions,
        change_minutes: protocol
            .container_change_hours
            .map(|h| h as f64 * 60.0)
            .filter(|_| order.schedule == Schedule::Continuous),
        session_minutes: order.session_minutes as f64,
    };
    let volume = opt_in_range(
        "preparationVolumeMl",
        req.preparation_volume_ml,
        1.0,
        1000.0,
        "mL",
    )?;
    let (preparation, preparation_refused) = if concentration_refused {
        (
            None,
            Some(
                "No recipe: the concentration is above the maximum infusion concentration."
                    .to_string(),
            ),
        )
    } else {
        match preparation::prepare(lib, drug, concentration, volume, &need) {
            Ok(p) => (Some(p), None),
            Err(why) => {
                alerts.push(Alert::hard("preparation_impossible", why.clone()));
                (None, Some(why))
            }
        }
    };

    caution_alerts(lib, &req.cautions, &mut alerts)?;
    let course = match &req.start {
        Some(start) => {
            let input = timeline_input(
                lib.discharge.no_driving_hours,
                protocol,
                &order,
                &levels,
                &totals,
                start,
                req.previous_course_end.as_deref(),
            )?;
            let course = timeline::build_timeline(&input)?;
            alerts.extend(course.alerts.iter().cloned());
            let svg = course
                .sessions
                .first()
                .map(|s| timeline::svg_session(s, &input.rate_changes));
            Some((course, svg))
        }
        None => None,
    };
    let mut alerts = limits::dedupe(alerts);
    for a in alerts.iter_mut() {
        a.acknowledged = a.level == Level::Soft && req.acknowledged.iter().any(|c| c == &a.code);
    }
    let confirmed = !alerts
        .iter()
        .any(|a| a.level == Level::Hard || (a.level == Level::Soft && !a.acknowledged));

    let text = PlanText {
        total_kg: with_unit(weights.total_kg, decimals::KG, "kg"),
        ideal_kg: weights
            .ideal_kg
            .map_or("not available (needs height and sex)".to_string(), |v| {
                with_unit(v, decimals::KG, "kg")
            }),
        adjusted_kg: weights
            .adjusted_kg
            .map_or("not available (needs height and sex)".to_string(), |v| {
                with_unit(v, decimals::KG, "kg")
            }),
        dosing_weight_kg: with_unit(w, decimals::KG, "kg"),
        concentration: with_unit(concentration, decimals::CONCENTRATION, "mg/mL"),
        session_duration: minutes_text(order.session_minutes),
        observation: minutes_text(order.observation_minutes),
        sessions: format!(
            "{} {}",
            order.sessions,
            if order.sessions == 1 {
                "session"
            } else {
                "sessions"
            }
        ),
        no_driving: format!("No driving for {} hours", lib.discharge.no_driving_hours),
    };
    Ok(Plan {
        planner_version: crate::VERSION.to_string(),
        library_version: lib.version.clone(),
        protocol: protocol_ref(protocol, drug),
        dosing_weight_kg: w,
        weight_basis: weights.weight_basis,
        weight_basis_reason: weights.reason.clone(),
        weights,
        concentration_mg_per_ml: concentration,
        pump_resolution_ml_per_hour: resolution,
        titration: order.titration,
        levels,
        session_minutes: order.session_minutes,
        session_count: order.sessions,
        schedule: order.schedule,
        observation_minutes: order.observation_minutes,
        step_every_minutes: order.step_every_minutes,
        totals,
        preparation,
        preparation_refused,
        alerts,
        confirmed,
        text,
        course_end: course.as_ref().map(|(c, _)| c.course_end),
        timeline_svg: course.as_ref().and_then(|(_, svg)| svg.clone()),
        sessions: course
            .as_ref()
            .map_or_else(Vec::new, |(c, _)| c.sessions.clone()),
        boosters: course
            .as_ref()
            .map_or_else(Vec::new, |(c, _)| c.boosters.clone()),
        follow_up: course.map_or_else(Vec::new, |(c, _)| c.follow_up),
    })
}

/// The plan's rates placed on the clock: the first level at the start, and
/// each further level at its clock-driven step when the order has one.
fn timeline_input(
    no_driving_hours: u32,
    p: &Protocol,
    order: &Order,
    levels: &[DoseLevel],
    totals: &Totals,
    start: &str,
    previous: Option<&str>,
) -> Result<TimelineInput> {
    let every = order.step_every_minutes;
    let rate_changes = levels
        .iter()
        .enumerate()
        .map_while(|(i, l)| {
            let at = every.map_or(Some(0), |e| e.checked_mul(i as u32))?;
            (i == 0 || (every.is_some() && at < order.session_minutes)).then(|| RateChange {
                at_minute: at,
                ml_per_hour: l.ml_per_hour,
                mg_per_hour: l.mg_per_hour,
                label: format!("{} = {}", l.text.mg_per_hour, l.text.ml_per_hour),
            })
        })
        .collect();
    Ok(TimelineInput {
        start: LocalDateTime::parse(start, "start")?,
        schedule: order.schedule,
        sessions: order.sessions,
        infusion_minutes: order.session_minutes,
        pre_minutes: timeline::DEFAULT_PRE_MINUTES,
        observation_minutes: order.observation_minutes,
        premedication: Some(p.premedication.clone()).filter(|t| !t.is_empty()),
        rate_changes,
        session_mg: vec![totals.session_mg; order.sessions as usize],
        booster: p.booster.clone(),
        follow_up: p.follow_up.clone(),
        previous_course_end: previous
            .map(|d| LocalDate::parse(d, "previousCourseEnd"))
            .transpose()?,
        vitals_rows_minutes: None,
        no_driving_hours,
    })
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
    let summary = format!("Ketamine infusion: {} ({rate})", plan.protocol.name);
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

fn patient_alerts(p: &ValidPatient) -> Vec<Alert> {
    let mut alerts = Vec::new();
    if p.total_kg < 40.0 {
        alerts.push(Alert::soft(
            "weight_under_40_kg",
            "Weight under 40 kg: these protocols come from adults. Check every value.",
        ));
    }
    if p.age_years.is_some_and(|a| a < 18.0) {
        alerts.push(Alert::soft(
            "age_under_18",
            "Age under 18 years: these protocols come from adults. Check every value.",
        ));
    }
    if p.total_kg > 250.0 {
        alerts.push(Alert::soft(
            "weight_over_250_kg",
            "Weight over 250 kg: verify the weight.",
        ));
    }
    alerts
}

fn caution_alerts(lib: &Library, ticked: &[String], alerts: &mut Vec<Alert>) -> Result<()> {
    for id in ticked {
        let c = lib.cautions.iter().find(|c| &c.id == id).ok_or_else(|| {
            PlanError::new(
                "cautions",
                "unknown_value",
                format!("Unknown caution \"{id}\"."),
            )
        })?;
        alerts.push(Alert::soft(
            &format!("caution_{}", c.id),
            format!("{}: {} ({}).", c.label, c.advice, lib.cautions_source),
        ));
    }
    Ok(())
}

fn pump_resolution(value: Option<f64>) -> Result<f64> {
    let r = opt_in_range("pumpResolutionMlPerHour", value, 0.01, 1.0, "mL/h")?
        .unwrap_or(DEFAULT_PUMP_RESOLUTION);
    let hundredths = r * 100.0;
    if (hundredths - hundredths.round()).abs() > 1e-6 {
        return Err(PlanError::new(
            "pumpResolutionMlPerHour",
            "out_of_range",
            "Pump resolution must be a multiple of 0.01 mL/h.",
        ));
    }
    Ok(hundredths.round() / 100.0)
}

fn decimals_of(resolution: f64) -> usize {
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

/// Applies the request's overrides to the protocol's recipe and schedule.
fn order(
    p: &Protocol,
    patient: &ValidPatient,
    req: &PlanRequest,
    concentration: f64,
    alerts: &mut Vec<Alert>,
) -> Result<Order> {
    let o = &req.dose;
    let unit_override = request::parse_dose_unit(o.dose_unit.as_deref())?;
    let volume_order =
        o.rate_ml_per_hour.is_some() || o.volume_ml.is_some() || o.volume_minutes.is_some();
    let dose_override = unit_override.is_some()
        || o.start_dose.is_some()
        || o.step_dose.is_some()
        || o.max_dose.is_some()
        || o.session_dose_mg.is_some();
    if (volume_order || dose_override) && p.id != "custom" {
        alerts.push(Alert::info(
            "protocol_dose_overridden",
            format!(
                "The dose differs from the {} protocol: it is the user's order.",
                p.name
            ),
        ));
    }

    let range = p.session_minutes;
    let mut session_minutes = whole(
        "sessionMinutes",
        o.session_minutes,
        range.min,
        range.max,
        "min",
    )?
    .unwrap_or(range.default);
    let (unit, doses) = if volume_order {
        let rate = match (o.rate_ml_per_hour, o.volume_ml, o.volume_minutes) {
            (Some(r), None, None) => in_range("rateMlPerHour", r, 0.01, 999.9, "mL/h")?,
            (None, Some(v), Some(m)) => {
                let v = in_range("volumeMl", v, 0.1, 10000.0, "mL")?;
                let m = whole("volumeMinutes", Some(m), 1, 10080, "min")?.unwrap_or(1);
                session_minutes = m;
                v / (m as f64 / 60.0)
            }
            (None, Some(_), None) => {
                return Err(PlanError::new(
                    "volumeMinutes",
                    "required",
                    "A volume order needs the minutes it runs over.",
                ))
            }
            (None, None, Some(_)) => {
                return Err(PlanError::new(
                    "volumeMl",
                    "required",
                    "A volume order needs the volume in mL.",
                ))
            }
            _ => {
                return Err(PlanError::new(
                    "rateMlPerHour",
                    "ambiguous",
                    "Give either a rate in mL/h or a volume over minutes, not both.",
                ))
            }
        };
        alerts.push(Alert::info(
            "volume_order",
            format!(
                "Volume order: {} at {} is {}.",
                with_unit(rate, 2, "mL/h"),
                with_unit(concentration, 2, "mg/mL"),
                with_unit(rate * concentration, 2, "mg/h")
            ),
        ));
        (DoseUnit::MlPerHour, vec![rate])
    } else if unit_override.is_none() && p.dose.dose_unit == DoseUnit::MgPerSession
        || o.session_dose_mg.is_some()
    {
        let mg = o.session_dose_mg.or(p.dose.session_dose_mg).unwrap_or(0.0);
        (
            DoseUnit::MgPerSession,
            vec![in_range("sessionDoseMg", mg, 0.1, 5000.0, "mg")?],
        )
    } else {
        ladder(
            p,
            patient,
            unit_override,
            o.start_dose,
            o.step_dose,
            o.max_dose,
        )?
    };

    let sessions = whole("sessions", o.sessions, 1, 60, "sessions")?.unwrap_or(p.course.sessions);
    let schedule = request::parse_schedule(o.schedule.as_deref())?.unwrap_or(p.course.schedule);
    if schedule != p.course.schedule && !p.course.schedule_options.contains(&schedule) {
        return Err(PlanError::new(
            "schedule",
            "not_offered",
            format!(
                "This protocol's schedule is {:?}; use the custom protocol for another.",
                p.course.schedule
            )
            .to_ascii_lowercase(),
        ));
    }
    let sessions = if schedule == Schedule::Continuous {
        1
    } else {
        sessions
    };
    let observation_minutes = whole("observationMinutes", o.observation_minutes, 0, 1440, "min")?
        .unwrap_or(p.observation_minutes);
    let step_every_minutes = whole("stepEveryMinutes", o.step_every_minutes, 1, 10080, "min")?;
    let titration = if doses.len() > 1 {
        Titration::Response
    } else {
        Titration::None
    };
    if let Some(n) = step_every_minutes {
        if doses.len() < 2 {
            return Err(PlanError::new(
                "stepEveryMinutes",
                "no_ladder",
                "A clock-driven step needs a titration ladder (step and maximum dose).",
            ));
        }
        if n < p.min_step_interval_minutes {
            alerts.push(Alert::soft(
                "titration_interval_short",
                format!("Steps every {} are more often than the protocol minimum of {} (NHS Highland: not more often than hourly).", minutes_text(n), minutes_text(p.min_step_interval_minutes)),
            ));
        }
    }
    Ok(Order {
        unit,
        doses,
        session_minutes,
        sessions,
        schedule,
        observation_minutes,
        step_every_minutes,
        titration,
    })
}

/// The titration ladder in the dose unit: start, start + step, ... up to max.
fn ladder(
    p: &Protocol,
    patient: &ValidPatient,
    unit: Option<DoseUnit>,
    start: Option<f64>,
    step: Option<f64>,
    max: Option<f64>,
) -> Result<(DoseUnit, Vec<f64>)> {
    let unit = unit.unwrap_or(p.dose.dose_unit);
    if unit != p.dose.dose_unit && start.is_none() {
        return Err(PlanError::new(
            "startDose",
            "required",
            format!("Enter the start dose in {}.", unit.label()),
        ));
    }
    let limit = match unit {
        DoseUnit::MgPerKgPerHour => 10.0,
        DoseUnit::McgPerKgPerMin => 200.0,
        _ => 1000.0,
    };
    // A frail or older patient starts lower, then joins the usual rungs.
    let frail = p.frail_start.as_ref().filter(|f| {
        start.is_none() && (patient.frail || patient.age_years.is_some_and(|a| a >= f.age_years))
    });
    let base = start.or(p.dose.start);
    let start = in_range(
        "startDose",
        frail.map(|f| f.start).or(base).unwrap_or(0.0),
        0.001,
        limit,
        unit.label(),
    )?;
    let base = base.unwrap_or(start);
    let same_unit = unit == p.dose.dose_unit;
    let step = opt_in_range(
        "stepDose",
        step.or(p.dose.step.filter(|_| same_unit)),
        0.001,
        limit,
        unit.label(),
    )?;
    let max = opt_in_range(
        "maxDose",
        max.or(p.dose.max.filter(|_| same_unit)),
        0.001,
        limit,
        unit.label(),
    )?;
    let (step, max) = match (step, max) {
        (None, None) => return Ok((unit, vec![start])),
        (Some(s), Some(m)) => (s, m),
        (Some(_), None) => {
            return Err(PlanError::new(
                "maxDose",
                "required",
                "A titration step needs a maximum dose.",
            ))
        }
        (None, Some(_)) => {
            return Err(PlanError::new(
                "stepDose",
                "required",
                "A maximum dose needs a titration step.",
            ))
        }
    };
    if max < start {
        return Err(PlanError::new(
            "maxDose",
            "below_start",
            "The maximum dose is below the start dose.",
        ));
    }
    let mut doses = vec![start];
    let mut k = 0.0;
    loop {
        let d = base + k * step;
        k += 1.0;
        if d > max && !same(d, max) {
            break;
        }
        if d > start && !same(d, start) {
            doses.push(d);
        }
        if doses.len() > MAX_LEVELS {
            return Err(PlanError::new(
                "stepDose",
                "too_many_levels",
                format!(
                    "The step gives more than {MAX_LEVELS} levels; check the step and the maximum."
                ),
            ));
        }
    }
    if let Some(&last) = doses.last() {
        if !same(last, max) {
            doses.push(max);
        }
    }
    Ok((unit, doses))
}

#[allow(clippy::too_many_arguments)]
fn level(
    p: &Protocol,
    drug: &Drug,
    order: &Order,
    index: usize,
    dose: f64,
    w: f64,
    total_kg: f64,
    c: f64,
    resolution: f64,
    ml_decimals: usize,
    concentration_refused: bool,
    alerts: &mut Vec<Alert>,
) -> DoseLevel {
    let raw_mg_per_hour = match order.unit {
        DoseUnit::MgPerKgPerHour => dose * w,
        DoseUnit::McgPerKgPerMin => dose * MG_PER_KG_PER_HOUR_PER_MCG_PER_KG_PER_MIN * w,
        DoseUnit::MgPerHour => dose,
        DoseUnit::MgPerSession => dose / (order.session_minutes as f64 / 60.0),
        DoseUnit::MlPerHour => dose * c,
    };
    let cap = p
        .caps
        .iter()
        .filter(|cap| cap.applies(total_kg))
        .min_by(|a, b| a.mg_per_hour.total_cmp(&b.mg_per_hour));
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
    let label = if order.doses.len() > 1 {
        format!(
            "Level {} ({})",
            index + 1,
            with_unit(dose, dose_decimals(order.unit), order.unit.label())
        )
    } else {
        "Rate".to_string()
    };
    let refused = if concentration_refused {
        Some("No rate: the concentration is above the maximum infusion concentration.".to_string())
    } else {
        limits::check_rate(drug, &label, intended, ml, delivered, w, alerts)
    };
    let ok = refused.is_none();
    let mg_per_kg = delivered / w;
    let dose_text = with_unit(dose, dose_decimals(order.unit), order.unit.label());
    let text = LevelText {
        dose: if order.unit == DoseUnit::MgPerSession {
            format!("{dose_text} over {}", minutes_text(order.session_minutes))
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

fn dose_decimals(unit: DoseUnit) -> usize {
    match unit {
        DoseUnit::MgPerKgPerHour => decimals::MG_PER_KG_PER_HOUR,
        DoseUnit::McgPerKgPerMin => decimals::MCG_PER_KG_PER_MIN,
        DoseUnit::MlPerHour => 2,
        _ => decimals::MG_PER_HOUR,
    }
}

/// Session mg at the first level, or along the clock-driven steps when the
/// order has them; the ladder's top level gives the "at max" figures.
fn totals(levels: &[DoseLevel], order: &Order, c: f64) -> Totals {
    let hours = order.session_minutes as f64 / 60.0;
    let n = order.sessions as f64;
    let first = levels.first().and_then(|l| l.mg_per_hour);
    let top = levels.last().and_then(|l| l.mg_per_hour);
    let session_mg = match order.step_every_minutes {
        Some(every) => clock_session_mg(levels, every, order.session_minutes),
        None => first.map(|r| r * hours),
    };
    let session_mg_at_max = top.map(|r| r * hours);
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

/// mg delivered when level i runs from i x every until the next step (the
/// top level holds to the end); None if any level used has no rate.
fn clock_session_mg(levels: &[DoseLevel], every: u32, session_minutes: u32) -> Option<f64> {
    let mut mg = 0.0;
    for (i, l) in levels.iter().enumerate() {
        let from = (i as u64 * every as u64).min(session_minutes as u64);
        let to = if i + 1 == levels.len() {
            session_minutes as u64
        } else {
            ((i as u64 + 1) * every as u64).min(session_minutes as u64)
        };
        if to > from {
            mg += l.mg_per_hour? * (to - from) as f64 / 60.0;
        }
    }
    Some(mg)
}

/// "4 h", "2 h 30 min", "5 days" — durations as a nurse reads them.
pub fn minutes_text(minutes: u32) -> String {
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} {}", if d == 1 { "day" } else { "days" }));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m} min"));
    }
    parts.join(" ")
}
