//! Input builders shared by the fuzz targets.
//!
//! Random bytes rarely spell a protocol id, a date or a plausible weight, so a
//! target fed only raw bytes stops at the planner's first refusal. These
//! types let libFuzzer choose mostly meaningful values (a known id, a number
//! in the range people type, a date near the supported years) while every
//! choice can still be any text or any f64, NaN and infinities included.
//! That way the deep paths (dose ladder, caps, preparation, timeline, SVG,
//! calendar export) run on most inputs.
//!
//! The checks below are crash oracles beside "no panic": a plan that is
//! returned must never show a non-finite pump rate or dose.

use arbitrary::Arbitrary;
use ketamine_planner::calendar::LocalDateTime;
use ketamine_planner::plan::{course_ics, plan, Plan};
use ketamine_planner::protocol::Library;
use ketamine_planner::request::{DoseOverrides, Patient, PlanRequest};
use ketamine_planner::session_clock::session_clock;
use std::sync::LazyLock;

/// The shipped protocol library, loaded once per fuzzing process.
pub static LIBRARY: LazyLock<Library> =
    LazyLock::new(|| Library::default_library().expect("the shipped library loads"));

pub const SEXES: [&str; 2] = ["female", "male"];
pub const WEIGHT_BASES: [&str; 4] = ["auto", "total", "ideal", "adjusted"];
/// Every unit the library knows; the last two are not accepted in a request.
pub const DOSE_UNITS: [&str; 5] = ["mg/kg/h", "mcg/kg/min", "mg/h", "mg/session", "mL/h"];
pub const SCHEDULES: [&str; 4] = ["single", "daily", "weekdays", "continuous"];
/// The adult PK models and a child's (a target may name any of them).
pub const PK_MODELS: [&str; 5] = [
    "domino",
    "clements-250",
    "hijazi-2003",
    "kamp-2020",
    "herd-2007",
];

pub fn protocol_ids(lib: &Library) -> Vec<&str> {
    lib.protocols.iter().map(|p| p.id.as_ref()).collect()
}

pub fn caution_ids(lib: &Library) -> Vec<&str> {
    lib.cautions.iter().map(|c| c.id.as_ref()).collect()
}

/// A number: mostly one a person could type, sometimes any f64 at all.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Num {
    /// 0 to 6,553.5 in tenths: weights, doses, rates.
    Tenths(u16),
    /// 0 to 42,949,672.95 in hundredths.
    Hundredths(u32),
    /// Whole numbers, negative ones too.
    Whole(i32),
    /// Any bit pattern: NaN, infinities, -0, subnormals, 1e308.
    Any(f64),
}

impl Num {
    pub fn value(self) -> f64 {
        match self {
            Num::Tenths(t) => f64::from(t) / 10.0,
            Num::Hundredths(h) => f64::from(h) / 100.0,
            Num::Whole(w) => f64::from(w),
            Num::Any(v) => v,
        }
    }
}

/// What is typed into a number field: nothing, a number, or any text.
#[derive(Arbitrary, Debug)]
pub enum NumText {
    Empty,
    /// Written as Rust prints it: "24.5", "70", "-3", "NaN", "inf".
    Number(Num),
    Raw(String),
}

impl NumText {
    pub fn text(&self) -> String {
        match self {
            NumText::Empty => String::new(),
            NumText::Number(n) => n.value().to_string(),
            NumText::Raw(s) => s.clone(),
        }
    }
}

/// A text choice: nothing, one of the values the planner knows, or any text.
#[derive(Arbitrary, Debug)]
pub enum Choice {
    Empty,
    Known(u8),
    Raw(String),
}

impl Choice {
    pub fn pick(&self, known: &[&str]) -> String {
        match self {
            Choice::Empty => String::new(),
            Choice::Known(i) => known
                .get(usize::from(*i) % known.len().max(1))
                .map_or(String::new(), |s| s.to_string()),
            Choice::Raw(s) => s.clone(),
        }
    }

    /// `None` for `Empty`, as an absent request field.
    pub fn opt(&self, known: &[&str]) -> Option<String> {
        (!matches!(self, Choice::Empty)).then(|| self.pick(known))
    }
}

/// A wall-clock time as text: built from parts just around the valid ranges
/// (years 1890 to 2210 against the supported 1900 to 2200, month 0 to 13,
/// day 0 to 32, hour 0 to 24, minute 0 to 60), or any text.
#[derive(Arbitrary, Debug)]
pub enum When {
    Empty,
    Parts {
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
    },
    Raw(String),
}

impl When {
    /// "YYYY-MM-DDTHH:MM", as the `start` field takes it.
    pub fn date_time(&self) -> String {
        match self {
            When::Parts { hour, minute, .. } => {
                format!("{}T{:02}:{:02}", self.date(), hour % 25, minute % 61)
            }
            _ => self.date(),
        }
    }

    /// "YYYY-MM-DD", as `previousCourseEnd` takes it.
    pub fn date(&self) -> String {
        match self {
            When::Empty => String::new(),
            When::Parts {
                year, month, day, ..
            } => {
                format!("{:04}-{:02}-{:02}", 1890 + year % 321, month % 14, day % 33)
            }
            When::Raw(s) => s.clone(),
        }
    }

    pub fn opt_date_time(&self) -> Option<String> {
        (!matches!(self, When::Empty)).then(|| self.date_time())
    }

    pub fn opt_date(&self) -> Option<String> {
        (!matches!(self, When::Empty)).then(|| self.date())
    }
}

/// Plans `req`; when `acknowledge` and the plan has alerts, plans again with
/// every alert acknowledged so the confirmed path runs too. Every plan made
/// is checked and exported with `check_plan`.
pub fn plan_and_export(lib: &Library, req: &PlanRequest, acknowledge: bool, stamp: &str) {
    let Ok(first) = plan(lib, req) else { return };
    check_plan(&first, stamp);
    if acknowledge && !first.alerts.is_empty() {
        let mut again = req.clone();
        again.acknowledged = first.alerts.iter().map(|a| a.code.clone()).collect();
        if let Ok(second) = plan(lib, &again) {
            check_plan(&second, stamp);
        }
    }
}

/// Runs what the page runs on a plan (its timeline, the calendar export) and
/// checks that no shown pump rate or dose is non-finite or negative.
pub fn check_plan(p: &Plan, stamp: &str) {
    for (i, level) in p.levels.iter().enumerate() {
        for (name, v) in [
            ("mlPerHour", level.ml_per_hour),
            ("mgPerHour", level.mg_per_hour),
            ("mgPerKgPerHour", level.mg_per_kg_per_hour),
            ("mcgPerKgPerMin", level.mcg_per_kg_per_min),
        ] {
            if let Some(v) = v {
                assert!(
                    v.is_finite() && v >= 0.0,
                    "invariant: levels[{i}].{name} = {v} in a returned plan"
                );
            }
        }
    }
    for v in [
        p.dosing_weight_kg,
        p.concentration_mg_per_ml,
        p.pump_resolution_ml_per_hour,
    ] {
        assert!(
            v.is_finite() && v > 0.0,
            "invariant: non-finite or non-positive weight/concentration/resolution {v}"
        );
    }
    let _ = p.timeline();
    if let Ok(stamp) = LocalDateTime::parse(stamp, "dtstamp") {
        let _ = course_ics(p, stamp);
        // The session clock, started at the stamp, now and half-way through.
        let _ = session_clock(p, stamp, stamp);
        if let Some(later) = stamp.checked_add_minutes(i64::from(p.session_minutes / 2 + 7)) {
            let _ = session_clock(p, stamp, later);
        }
    }
}

/// A sensible request for protocol `id` of `lib` at `concentration`, with a
/// start and a previous course so the timeline and calendar code runs.
pub fn standard_request(id: &str, concentration: Option<f64>) -> PlanRequest {
    PlanRequest {
        protocol: id.to_string(),
        patient: Patient {
            weight_kg: Some(70.0),
            age_years: Some(45.0),
            height_cm: Some(175.0),
            sex: Some("male".into()),
            ..Patient::default()
        },
        concentration_mg_per_ml: concentration,
        start: Some("2026-03-02T09:00".into()),
        previous_course_end: Some("2026-02-20".into()),
        ..PlanRequest::default()
    }
}

/// Plans every protocol of a library (a clinic's own, say) at its default
/// concentration (else 1 mg/mL), dated, alerts acknowledged: a library that
/// loads must never make the planner panic.
pub fn plan_every_protocol(lib: &Library) {
    for p in lib.protocols.iter() {
        let conc = p.default_concentration_mg_per_ml.unwrap_or(1.0);
        plan_and_export(
            lib,
            &standard_request(&p.id, Some(conc)),
            true,
            "2026-03-01T08:00",
        );
    }
}

/// A `PlanRequest` with every field chosen by the fuzzer: a known protocol
/// (or any text), plausible or wild numbers, known or unknown units,
/// schedules and cautions, a start and a previous course end.
#[derive(Arbitrary, Debug)]
pub struct Request {
    protocol: Choice,
    weight_kg: Option<Num>,
    weight_lb: Option<Num>,
    height_cm: Option<Num>,
    sex: Choice,
    age_years: Option<Num>,
    frail: Option<bool>,
    weight_basis: Choice,
    concentration: Option<Num>,
    pump_resolution: Option<Num>,
    preparation_volume: Option<Num>,
    dose: Dose,
    cautions: Vec<Choice>,
    start: When,
    previous_course_end: When,
}

#[derive(Arbitrary, Debug)]
struct Dose {
    unit: Choice,
    start: Option<Num>,
    step: Option<Num>,
    max: Option<Num>,
    session_mg: Option<Num>,
    session_minutes: Option<Num>,
    sessions: Option<Num>,
    schedule: Choice,
    observation_minutes: Option<Num>,
    rate_ml_per_hour: Option<Num>,
    volume_ml: Option<Num>,
    volume_minutes: Option<Num>,
    step_every_minutes: Option<Num>,
    target_ng_per_ml: Option<Num>,
    model: Choice,
    reach_minutes: Option<Num>,
}

fn val(n: Option<Num>) -> Option<f64> {
    n.map(Num::value)
}

impl Request {
    pub fn build(&self, lib: &Library) -> PlanRequest {
        let d = &self.dose;
        PlanRequest {
            protocol: self.protocol.pick(&protocol_ids(lib)),
            patient: Patient {
                weight_kg: val(self.weight_kg),
                weight_lb: val(self.weight_lb),
                height_cm: val(self.height_cm),
                sex: self.sex.opt(&SEXES),
                age_years: val(self.age_years),
                frail: self.frail,
            },
            weight_basis: self.weight_basis.opt(&WEIGHT_BASES),
            concentration_mg_per_ml: val(self.concentration),
            pump_resolution_ml_per_hour: val(self.pump_resolution),
            preparation_volume_ml: val(self.preparation_volume),
            dose: DoseOverrides {
                dose_unit: d.unit.opt(&DOSE_UNITS),
                start_dose: val(d.start),
                step_dose: val(d.step),
                max_dose: val(d.max),
                session_dose_mg: val(d.session_mg),
                session_minutes: val(d.session_minutes),
                sessions: val(d.sessions),
                schedule: d.schedule.opt(&SCHEDULES),
                observation_minutes: val(d.observation_minutes),
                rate_ml_per_hour: val(d.rate_ml_per_hour),
                volume_ml: val(d.volume_ml),
                volume_minutes: val(d.volume_minutes),
                step_every_minutes: val(d.step_every_minutes),
                target_ng_per_ml: val(d.target_ng_per_ml),
                model: d.model.opt(&PK_MODELS),
                reach_minutes: val(d.reach_minutes),
            },
            acknowledged: Vec::new(),
            cautions: self
                .cautions
                .iter()
                .map(|c| c.pick(&caution_ids(lib)))
                .collect(),
            start: self.start.opt_date_time(),
            previous_course_end: self.previous_course_end.opt_date(),
        }
    }
}
