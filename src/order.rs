//! The checked order: a request read once against the protocol and the
//! contract. `Order::parse` is the only way to make one and reports every
//! refused field at once; planning, the timeline, the preview and the exports
//! take an `Order` and cannot meet a field error after it. Each value that
//! decides the rate carries its provenance: ordered, from the protocol,
//! derived, or a planner default (D).

use crate::alert::Alert;
use crate::calendar::{LocalDate, LocalDateTime};
use crate::contract::{self, Field};
use crate::error::{FieldErrors, PlanError, Result};
use crate::numbers::{decimals, with_unit};
use crate::protocol::{same, Caution, DoseUnit, Drug, Library, Protocol, Schedule, Titration};
use crate::request::{DoseOverrides, Patient, PlanRequest};
use crate::target_dose::{PlanTarget, TargetOrder};
use crate::weight::{self, DosingWeight, Sex, WeightBasis, KG_PER_LB};
use serde::Serialize;

/// Pump resolution when the order gives none (clinical-spec section 4, D).
pub const DEFAULT_PUMP_RESOLUTION: f64 = 0.1;
/// More rungs than this is a typing error, not a ladder.
const MAX_LEVELS: usize = 40;

/// Where a value that decides the rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// Entered by the user: it replaces the protocol's value.
    Ordered,
    /// The protocol's own value.
    Protocol,
    /// Computed from other values (the auto weight rule, a volume order).
    Derived,
    /// A design default of this planner (tag D), shown so it can be changed.
    Default,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    /// The request field it concerns, e.g. `weightBasis`.
    pub value: &'static str,
    pub source: Source,
    /// One line for the screen and the sheet: "Weight basis: total, per protocol".
    pub text: String,
}

/// A patient whose numbers are finite and within the contract's ranges.
#[derive(Debug, Clone)]
pub struct ValidPatient {
    pub total_kg: f64,
    pub height_cm: Option<f64>,
    pub sex: Option<Sex>,
    pub age_years: Option<f64>,
    pub frail: bool,
}

/// What each level is computed from, after the request's overrides.
#[derive(Debug, Clone)]
pub struct Dose {
    pub unit: DoseUnit,
    pub doses: Vec<f64>,
    pub titration: Titration,
}

/// A request checked against its protocol. Fields are readable in the crate
/// and there is no constructor but `parse`: holding an `Order` means every
/// value in it was checked.
#[derive(Debug, Clone)]
pub struct Order<'a> {
    pub(crate) library: &'a Library,
    pub(crate) protocol: &'a Protocol,
    pub(crate) drug: &'a Drug,
    pub(crate) patient: ValidPatient,
    pub(crate) weights: DosingWeight,
    pub(crate) concentration: f64,
    pub(crate) resolution: f64,
    pub(crate) preparation_volume: Option<f64>,
    pub(crate) recipe: Recipe,
    pub(crate) acknowledged: Vec<String>,
    pub(crate) start: Option<LocalDateTime>,
    pub(crate) previous_course_end: Option<LocalDate>,
    /// Alerts raised by reading the order (patient, weight, overrides, cautions).
    pub(crate) alerts: Vec<Alert>,
    pub(crate) provenance: Vec<Provenance>,
    /// The target of an order in target mode; its levels are then the scheme's steps.
    pub(crate) target: Option<PlanTarget>,
}

impl<'a> Order<'a> {
    /// Reads `req` against `lib`; every refused field is in the error.
    pub fn parse(
        lib: &'a Library,
        req: &PlanRequest,
    ) -> std::result::Result<Order<'a>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut alerts = Vec::new();
        let mut provenance = Vec::new();
        let protocol = errors.take(find_protocol(lib, &req.protocol));
        let drug = protocol.and_then(|p| {
            errors.take(lib.drug(&p.drug).ok_or_else(|| {
                PlanError::new(
                    "library",
                    "invalid_library",
                    "The protocol's drug is missing from the library.",
                )
            }))
        });
        let patient = errors.take(validate_patient(&req.patient));
        let basis = errors.take(choice(
            &contract::WEIGHT_BASIS,
            req.weight_basis.as_deref(),
            weight_basis,
        ));
        let concentration = errors.take(concentration(req.concentration_mg_per_ml));
        let resolution = errors.take(pump_resolution(req.pump_resolution_ml_per_hour));
        let preparation_volume = errors.take(
            req.preparation_volume_ml
                .map(|v| contract::PREPARATION_VOLUME.number(v))
                .transpose(),
        );
        let cautions = errors.take(cautions(lib, &req.cautions));
        let start = errors.take(
            req.start
                .as_deref()
                .map(|s| LocalDateTime::parse(s, "start"))
                .transpose(),
        );
        let previous_course_end = errors.take(
            req.previous_course_end
                .as_deref()
                .map(|d| LocalDate::parse(d, "previousCourseEnd"))
                .transpose(),
        );
        // The dose needs the protocol; a patient whose numbers were refused
        // still lets the dose fields be checked, so all errors show at once.
        let older_or_frail = |p: &Protocol| {
            p.frail_start.as_ref().is_some_and(|f| {
                req.patient.frail == Some(true)
                    || req.patient.age_years.is_some_and(|a| a >= f.age_years)
            })
        };
        let schedule = protocol.and_then(|p| {
            errors.take(schedule(
                p,
                &req.dose,
                concentration.unwrap_or(1.0),
                older_or_frail(p),
                &mut alerts,
                &mut provenance,
            ))
        });

        let (
            Some(protocol),
            Some(drug),
            Some(patient),
            Some(basis),
            Some(concentration),
            Some(resolution),
            Some(preparation_volume),
            Some(cautions),
            Some(start),
            Some(previous_course_end),
            Some(schedule),
        ) = (
            protocol,
            drug,
            patient,
            basis,
            concentration,
            resolution,
            preparation_volume,
            cautions,
            start,
            previous_course_end,
            schedule,
        )
        else {
            return Err(errors);
        };

        let mut order_alerts = patient_alerts(&patient);
        let weights = weight_basis_order(
            protocol,
            &patient,
            basis,
            &mut order_alerts,
            &mut provenance,
        )?;
        order_alerts.extend(alerts);
        for c in &cautions {
            order_alerts.push(Alert::soft(
                &format!("caution_{}", c.id),
                format!("{}: {} ({}).", c.label, c.advice, lib.cautions_source),
            ));
        }
        provenance.push(Provenance {
            value: "concentrationMgPerMl",
            source: Source::Ordered,
            text: format!(
                "Concentration: {}, ordered",
                with_unit(concentration, decimals::CONCENTRATION, "mg/mL")
            ),
        });
        provenance.push(match req.pump_resolution_ml_per_hour {
            Some(_) => Provenance {
                value: "pumpResolutionMlPerHour",
                source: Source::Ordered,
                text: format!(
                    "Pump resolution: {}, ordered",
                    with_unit(resolution, 2, "mL/h")
                ),
            },
            None => Provenance {
                value: "pumpResolutionMlPerHour",
                source: Source::Default,
                text: format!(
                    "Pump resolution: {}, planner default (D): set your pump's",
                    with_unit(resolution, 2, "mL/h")
                ),
            },
        });
        let target_order = schedule.target.clone();
        let mut order = Order {
            library: lib,
            protocol,
            drug,
            patient,
            weights,
            concentration,
            resolution,
            preparation_volume,
            recipe: schedule,
            acknowledged: req.acknowledged.clone(),
            start,
            previous_course_end,
            alerts: order_alerts,
            provenance,
            target: None,
        };
        // Target mode: the rates need the patient, concentration and pump checked above.
        if let Some(t) = target_order {
            let (mut alerts, mut provenance) = (Vec::new(), Vec::new());
            let (dose, target) = t.solve(&order, &mut alerts, &mut provenance)?;
            order.recipe.dose = dose;
            order.target = Some(target);
            order.alerts.extend(alerts);
            order.provenance.extend(provenance);
        }
        // The course dates are checked here (weekend start, overlapping
        // days, a previous course after this one), so that planning cannot
        // refuse a field afterwards.
        if let Some(input) = order.timeline_input(Vec::new(), Vec::new()) {
            crate::timeline::build_timeline(&input)?;
        }
        Ok(order)
    }

    pub fn age_years(&self) -> Option<f64> {
        self.patient.age_years
    }

    /// The timeline's input with the plan's rate steps and session doses;
    /// None without a start. Empty steps stand in for the rates while parsing.
    pub(crate) fn timeline_input(
        &self,
        rate_changes: Vec<crate::timeline::RateChange>,
        session_mg: Vec<Option<f64>>,
    ) -> Option<crate::timeline::TimelineInput> {
        let start = self.start?;
        let p = self.protocol;
        let rate_changes = if rate_changes.is_empty() {
            vec![crate::timeline::RateChange {
                at_minute: 0,
                ml_per_hour: None,
                mg_per_hour: None,
                label: String::new(),
            }]
        } else {
            rate_changes
        };
        let session_mg = if session_mg.is_empty() {
            vec![None; self.recipe.sessions as usize]
        } else {
            session_mg
        };
        Some(crate::timeline::TimelineInput {
            start,
            schedule: self.recipe.schedule,
            sessions: self.recipe.sessions,
            infusion_minutes: self.recipe.session_minutes,
            pre_minutes: crate::timeline::DEFAULT_PRE_MINUTES,
            observation_minutes: self.recipe.observation_minutes,
            premedication: Some(p.premedication.clone()).filter(|t| !t.is_empty()),
            rate_changes,
            session_mg,
            booster: p.booster.clone(),
            follow_up: p.follow_up.clone(),
            previous_course_end: self.previous_course_end,
            vitals_rows_minutes: None,
            no_driving_hours: self.library.discharge.no_driving_hours,
        })
    }
}

fn find_protocol<'a>(lib: &'a Library, id: &str) -> Result<&'a Protocol> {
    if id.trim().is_empty() {
        return Err(PlanError::new("protocol", "required", "Choose a protocol."));
    }
    lib.protocol(id).ok_or_else(|| {
        PlanError::new(
            "protocol",
            "unknown_protocol",
            format!("Unknown protocol \"{id}\"."),
        )
    })
}

fn validate_patient(p: &Patient) -> Result<ValidPatient> {
    let total_kg = match (p.weight_kg, p.weight_lb) {
        (Some(_), Some(_)) => {
            return Err(PlanError::new(
                "weightKg",
                "ambiguous",
                "Give the weight in kg or in lb, not both.",
            ))
        }
        (Some(kg), None) => contract::WEIGHT_KG.number(kg)?,
        (None, Some(lb)) => contract::WEIGHT_LB.number(lb)? * KG_PER_LB,
        (None, None) => {
            return Err(PlanError::new(
                "weightKg",
                "required",
                "Enter the patient's weight.",
            ))
        }
    };
    let sex = choice(&contract::SEX, p.sex.as_deref(), |t| match t {
        "female" => Some(Sex::Female),
        "male" => Some(Sex::Male),
        _ => None,
    })?;
    Ok(ValidPatient {
        total_kg,
        height_cm: p
            .height_cm
            .map(|v| contract::HEIGHT_CM.number(v))
            .transpose()?,
        sex,
        age_years: p
            .age_years
            .map(|v| contract::AGE_YEARS.number(v))
            .transpose()?,
        frail: p.frail.unwrap_or(false),
    })
}

/// One of a field's words, read by `read`; empty text means not given.
fn choice<T>(f: &Field, text: Option<&str>, read: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
    let Some(t) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    read(t).map(Some).ok_or_else(|| {
        let words = match f.kind {
            contract::Kind::Choice(words) => crate::numbers::listed(words),
            _ => String::new(),
        };
        PlanError::new(
            f.name(),
            "unknown_value",
            format!("{} must be one of: {words}; got \"{t}\".", f.label),
        )
    })
}

fn weight_basis(t: &str) -> Option<WeightBasis> {
    Some(match t {
        "auto" => WeightBasis::Auto,
        "total" => WeightBasis::Total,
        "ideal" => WeightBasis::Ideal,
        "adjusted" => WeightBasis::Adjusted,
        _ => return None,
    })
}

fn dose_unit(t: &str) -> Option<DoseUnit> {
    Some(match t {
        "mg/kg/h" => DoseUnit::MgPerKgPerHour,
        "mcg/kg/min" => DoseUnit::McgPerKgPerMin,
        "mg/h" => DoseUnit::MgPerHour,
        _ => return None,
    })
}

fn schedule_word(t: &str) -> Option<Schedule> {
    Some(match t {
        "single" => Schedule::Single,
        "daily" => Schedule::Daily,
        "weekdays" => Schedule::Weekdays,
        "continuous" => Schedule::Continuous,
        _ => return None,
    })
}

fn basis_word(b: WeightBasis) -> &'static str {
    match b {
        WeightBasis::Auto => "auto",
        WeightBasis::Total => "total",
        WeightBasis::Ideal => "ideal",
        WeightBasis::Adjusted => "adjusted",
    }
}

/// The dosing weight on the protocol's basis unless the order changes it; a
/// change is an info alert naming both.
fn weight_basis_order(
    p: &Protocol,
    patient: &ValidPatient,
    ordered: Option<WeightBasis>,
    alerts: &mut Vec<Alert>,
    provenance: &mut Vec<Provenance>,
) -> Result<DosingWeight> {
    let basis = ordered.unwrap_or(p.weight_basis);
    let weights = weight::resolve(
        patient.total_kg,
        patient.height_cm,
        patient.sex,
        basis,
        alerts,
    )
    .map_err(|m| PlanError::new("weightBasis", "needs_height_and_sex", m))?;
    let used = basis_word(weights.weight_basis);
    let rule = if basis == WeightBasis::Auto {
        " by the auto rule"
    } else {
        ""
    };
    let changed = ordered.filter(|b| *b != p.weight_basis);
    provenance.push(match changed {
        Some(b) => {
            let text = format!(
                "Weight basis: {}{rule}, changed from the protocol's {}",
                if b == WeightBasis::Auto {
                    used
                } else {
                    basis_word(b)
                },
                basis_word(p.weight_basis)
            );
            alerts.push(Alert::info("weight_basis_changed", format!("{text}.")));
            Provenance {
                value: "weightBasis",
                source: Source::Ordered,
                text,
            }
        }
        None => Provenance {
            value: "weightBasis",
            source: if basis == WeightBasis::Auto {
                Source::Derived
            } else {
                Source::Protocol
            },
            text: format!("Weight basis: {used}{rule}, per protocol"),
        },
    });
    Ok(weights)
}

fn concentration(value: Option<f64>) -> Result<f64> {
    let v = value.ok_or_else(|| {
        PlanError::new(
            "concentrationMgPerMl",
            "required",
            "Enter the infusion concentration.",
        )
    })?;
    contract::CONCENTRATION.number(v)
}

fn pump_resolution(value: Option<f64>) -> Result<f64> {
    let r = value
        .map(|v| contract::PUMP_RESOLUTION.number(v))
        .transpose()?
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

fn cautions<'a>(lib: &'a Library, ticked: &[String]) -> Result<Vec<&'a Caution>> {
    let mut out: Vec<&Caution> = Vec::new();
    for id in ticked {
        let c = lib.cautions.iter().find(|c| &c.id == id).ok_or_else(|| {
            PlanError::new(
                "cautions",
                "unknown_value",
                format!("Unknown caution \"{id}\"."),
            )
        })?;
        if !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    }
    Ok(out)
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

/// The dose and the course schedule after overrides.
#[derive(Debug, Clone)]
pub(crate) struct Recipe {
    pub(crate) dose: Dose,
    pub(crate) session_minutes: u32,
    pub(crate) sessions: u32,
    pub(crate) schedule: Schedule,
    pub(crate) observation_minutes: u32,
    pub(crate) step_every_minutes: Option<u32>,
    /// A target level ordered instead of a dose, solved once the patient is read.
    pub(crate) target: Option<TargetOrder>,
}

/// A value's provenance: ordered when the request gave it, else the protocol's.
fn from(value: &'static str, ordered: bool, text: String) -> Provenance {
    ordered_or(value, ordered, (Source::Protocol, "per protocol"), text)
}

/// "{text}, ordered" when the request gave it, else "{text}, {how}" from `otherwise`.
pub(crate) fn ordered_or(
    value: &'static str,
    ordered: bool,
    otherwise: (Source, &str),
    text: String,
) -> Provenance {
    let (source, how) = if ordered {
        (Source::Ordered, "ordered")
    } else {
        otherwise
    };
    Provenance {
        value,
        source,
        text: format!("{text}, {how}"),
    }
}

/// Applies the request's overrides to the protocol's recipe and schedule.
fn schedule(
    p: &Protocol,
    o: &DoseOverrides,
    concentration: f64,
    older_or_frail: bool,
    alerts: &mut Vec<Alert>,
    provenance: &mut Vec<Provenance>,
) -> Result<Recipe> {
    let unit_override = choice(&contract::DOSE_UNIT, o.dose_unit.as_deref(), dose_unit)?;
    let volume_order =
        o.rate_ml_per_hour.is_some() || o.volume_ml.is_some() || o.volume_minutes.is_some();
    let dose_override = unit_override.is_some()
        || o.start_dose.is_some()
        || o.step_dose.is_some()
        || o.max_dose.is_some()
        || o.session_dose_mg.is_some();
    let target = TargetOrder::parse(o)?;
    if target.is_some() && (volume_order || dose_override || o.step_every_minutes.is_some()) {
        return Err(PlanError::new(
            "targetNgPerMl",
            "ambiguous",
            "A target replaces the dose: clear the dose, the volume order or the clock-driven step.",
        ));
    }
    if (volume_order || dose_override || target.is_some()) && p.id != "custom" {
        alerts.push(Alert::info(
            "protocol_dose_overridden",
            format!(
                "The dose differs from the {} protocol: it is the user's order.",
                p.name
            ),
        ));
    }

    let range = p.session_minutes;
    let minutes = o
        .session_minutes
        .map(|m| {
            let m = contract::SESSION_MINUTES.number(m)?;
            contract::in_range(
                "sessionMinutes",
                m,
                range.min as f64,
                range.max as f64,
                "min",
            )
        })
        .transpose()?
        .map(|m| m as u32);
    let mut session_minutes = minutes.unwrap_or(range.default);
    let mut minutes_ordered = minutes.is_some();
    let (dose, dose_text, dose_source) = if let Some(t) = &target {
        t.dose()
    } else if volume_order {
        let rate = match (o.rate_ml_per_hour, o.volume_ml, o.volume_minutes) {
            (Some(r), None, None) => contract::RATE.number(r)?,
            (None, Some(v), Some(m)) => {
                let v = contract::VOLUME.number(v)?;
                let m = contract::VOLUME_MINUTES.whole(Some(m))?.unwrap_or(1);
                session_minutes = m;
                minutes_ordered = true;
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
        let dose = Dose {
            unit: DoseUnit::MlPerHour,
            doses: vec![rate],
            titration: Titration::None,
        };
        (
            dose,
            format!("Dose: {} (volume order)", with_unit(rate, 2, "mL/h")),
            Source::Ordered,
        )
    } else if unit_override.is_none() && p.dose.dose_unit == DoseUnit::MgPerSession
        || o.session_dose_mg.is_some()
    {
        let (mg, source) = match (o.session_dose_mg, p.dose.session_dose_mg) {
            (Some(mg), _) => (mg, Source::Ordered),
            (None, Some(mg)) => (mg, Source::Protocol),
            (None, None) => {
                return Err(PlanError::new(
                    "sessionDoseMg",
                    "required",
                    "Enter the session dose in mg.",
                ))
            }
        };
        let mg = contract::SESSION_DOSE.number(mg)?;
        let dose = Dose {
            unit: DoseUnit::MgPerSession,
            doses: vec![mg],
            titration: Titration::None,
        };
        (
            dose,
            format!("Dose: {} per session", with_unit(mg, decimals::MG, "mg")),
            source,
        )
    } else {
        ladder(
            p,
            older_or_frail,
            unit_override,
            o.start_dose,
            o.step_dose,
            o.max_dose,
        )?
    };
    provenance.push(Provenance {
        value: "dose",
        source: dose_source,
        text: dose_text,
    });
    provenance.push(from(
        "sessionMinutes",
        minutes_ordered,
        format!(
            "Infusion duration: {}",
            crate::numbers::minutes_text(session_minutes)
        ),
    ));

    let sessions_ordered = contract::SESSIONS.whole(o.sessions)?;
    let schedule_ordered = choice(&contract::SCHEDULE, o.schedule.as_deref(), schedule_word)?;
    let schedule = schedule_ordered.unwrap_or(p.course.schedule);
    if schedule != p.course.schedule && !p.course.schedule_options.contains(&schedule) {
        return Err(PlanError::new(
            "schedule",
            "not_offered",
            format!(
                "This protocol's schedule is {}; use the custom protocol for another.",
                p.course.schedule.word()
            ),
        ));
    }
    provenance.push(from(
        "schedule",
        schedule_ordered.is_some(),
        format!("Schedule: {}", schedule.word()),
    ));
    let sessions = if schedule == Schedule::Continuous {
        provenance.push(Provenance {
            value: "sessions",
            source: Source::Derived,
            text: "Sessions: 1, one continuous infusion".into(),
        });
        1
    } else {
        let n = sessions_ordered.unwrap_or(p.course.sessions);
        provenance.push(from(
            "sessions",
            sessions_ordered.is_some(),
            format!("Sessions: {n}"),
        ));
        n
    };
    let observation = contract::OBSERVATION_MINUTES.whole(o.observation_minutes)?;
    let observation_minutes = observation.unwrap_or(p.observation_minutes);
    provenance.push(from(
        "observationMinutes",
        observation.is_some(),
        format!(
            "Observation: {}",
            crate::numbers::minutes_text(observation_minutes)
        ),
    ));
    let step_every_minutes = contract::STEP_EVERY.whole(o.step_every_minutes)?;
    if let Some(n) = step_every_minutes {
        if dose.doses.len() < 2 {
            return Err(PlanError::new(
                "stepEveryMinutes",
                "no_ladder",
                "A clock-driven step needs a titration ladder (step and maximum dose).",
            ));
        }
        if n < p.min_step_interval_minutes {
            alerts.push(Alert::soft(
                "titration_interval_short",
                format!("Steps every {} are more often than the protocol minimum of {} (NHS Highland: not more often than hourly).", crate::numbers::minutes_text(n), crate::numbers::minutes_text(p.min_step_interval_minutes)),
            ));
        }
    }
    Ok(Recipe {
        dose,
        session_minutes,
        sessions,
        schedule,
        observation_minutes,
        step_every_minutes,
        target,
    })
}

/// The titration ladder in the dose unit: start, start + step, ... up to max.
/// Nothing is made up: a protocol without a start dose (custom) needs the
/// order's, and so does a changed dose unit.
fn ladder(
    p: &Protocol,
    older_or_frail: bool,
    unit: Option<DoseUnit>,
    start: Option<f64>,
    step: Option<f64>,
    max: Option<f64>,
) -> Result<(Dose, String, Source)> {
    let unit = unit.unwrap_or(p.dose.dose_unit);
    let same_unit = unit == p.dose.dose_unit;
    let limit = match unit {
        DoseUnit::MgPerKgPerHour => 10.0,
        DoseUnit::McgPerKgPerMin => 200.0,
        _ => 1000.0,
    };
    let check =
        |field: &str, v: Option<f64>| contract::opt_in_range(field, v, 0.001, limit, unit.label());
    // A frail or older patient starts lower, then joins the usual rungs.
    let frail = p
        .frail_start
        .as_ref()
        .filter(|_| start.is_none() && older_or_frail);
    let base = start.or(p.dose.start.filter(|_| same_unit));
    let (first, source, how) = match (start, frail, base) {
        (Some(s), _, _) => (s, Source::Ordered, "ordered".to_string()),
        (None, Some(f), _) => (
            f.start,
            Source::Protocol,
            format!(
                "the protocol's start for frail patients or {} years and over",
                f.age_years
            ),
        ),
        (None, None, Some(b)) => (b, Source::Protocol, "per protocol".to_string()),
        (None, None, None) => {
            return Err(PlanError::new(
                "startDose",
                "required",
                format!("Enter the start dose in {}.", unit.label()),
            ))
        }
    };
    let start = check("startDose", Some(first))?.unwrap_or(first);
    let base = base.unwrap_or(start);
    let step = check("stepDose", step.or(p.dose.step.filter(|_| same_unit)))?;
    let max = check("maxDose", max.or(p.dose.max.filter(|_| same_unit)))?;
    let text = format!(
        "Dose: {}, {how}",
        with_unit(start, dose_decimals(unit), unit.label())
    );
    let (step, max) = match (step, max) {
        (None, None) => {
            let dose = Dose {
                unit,
                doses: vec![start],
                titration: Titration::None,
            };
            return Ok((dose, text, source));
        }
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
    let titration = if doses.len() > 1 {
        Titration::Response
    } else {
        Titration::None
    };
    Ok((
        Dose {
            unit,
            doses,
            titration,
        },
        text,
        source,
    ))
}

pub fn dose_decimals(unit: DoseUnit) -> usize {
    match unit {
        DoseUnit::MgPerKgPerHour => decimals::MG_PER_KG_PER_HOUR,
        DoseUnit::McgPerKgPerMin => decimals::MCG_PER_KG_PER_MIN,
        DoseUnit::MlPerHour => 2,
        _ => decimals::MG_PER_HOUR,
    }
}
