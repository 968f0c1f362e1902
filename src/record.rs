//! The course record (clinical-spec sections 4, 6 and 8): what was planned,
//! what was given and how the patient responded, one versioned JSON document
//! the user saves as a file. `CourseRecord::parse` is the one way in; every
//! problem names its path (`assessments[1].painNrs`,
//! `courses[0].sessions[0].givenMg`), unknown keys are refused, and a file
//! of another kind or schema is refused before anything is read from it.

use crate::calendar::{LocalDate, LocalDateTime};
use crate::error::{PlanError, Result};
use crate::request::PlanRequest;
use crate::value::Value;

/// The schema this planner writes and reads.
pub const SCHEMA: &str = "ketamine-planner/course-record@1";

/// Side effects a session can record (the short list).
pub const SIDE_EFFECTS: [&str; 6] = [
    "dissociation",
    "nausea_vomiting",
    "hypertension",
    "sedation",
    "hallucinations",
    "other",
];

/// Physiological bounds for entered vital signs (D: far outside them is an
/// entry error, not a patient).
const SYSTOLIC: (f64, f64) = (50.0, 260.0);
const DIASTOLIC: (f64, f64) = (20.0, 160.0);
const HEART_RATE: (f64, f64) = (20.0, 250.0);
const SPO2: (f64, f64) = (50.0, 100.0);
/// University of Michigan Sedation Scale, 0 (awake) to 4 (unrousable) (D).
const SEDATION: (f64, f64) = (0.0, 4.0);
/// CRPS Severity Score, 0 to 16 (Harden 2010; S2).
const CSS: (f64, f64) = (0.0, 16.0);

#[derive(Debug, Clone)]
pub struct CourseRecord {
    pub patient_label: Option<String>,
    pub planner_version: Option<String>,
    pub library_version: Option<String>,
    pub courses: Vec<Course>,
    pub assessments: Vec<Assessment>,
}

#[derive(Debug, Clone)]
pub struct Course {
    pub request: PlanRequest,
    /// The planned course total as saved, to say what a newer library changes.
    pub planned_mg: Option<f64>,
    pub sessions: Vec<GivenSession>,
}

/// One session as it was given.
#[derive(Debug, Clone)]
pub struct GivenSession {
    pub date: LocalDate,
    pub start: Option<LocalDateTime>,
    pub end: Option<LocalDateTime>,
    pub rate_changes: Vec<(LocalDateTime, f64)>,
    pub given_mg: Option<f64>,
    pub stopped_early: bool,
    pub stopped_why: Option<String>,
    pub side_effects: Vec<String>,
    pub vitals: Vec<Vitals>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vitals {
    pub at: LocalDateTime,
    pub systolic: Option<f64>,
    pub diastolic: Option<f64>,
    pub heart_rate: Option<f64>,
    pub spo2: Option<f64>,
    pub sedation: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub date: LocalDate,
    /// Overall pain, NRS 0 to 10.
    pub pain_nrs: f64,
    /// Area of pain, percent of the body.
    pub pain_area_percent: Option<f64>,
    pub css_score: Option<f64>,
    pub note: Option<String>,
}

/// What one key of a record object holds. `Checked::new` checks every key
/// of an object against its slot before anything reads it, so the readers
/// below it cannot fail: one checker for every object of the record.
#[derive(Clone, Copy)]
enum Slot {
    Text,
    Date,
    /// A clock time "HH:MM" on the session's date.
    Time,
    /// A number within (min, max), with its unit for the message.
    Number((f64, f64), &'static str),
    Flag,
    List,
    /// The plan request, which the contract checks (`PlanRequest::from_value`).
    Object,
}
use Slot::*;

/// A key of an object, what it holds, and whether it must be there.
type Key = (&'static str, Slot, bool);

const RECORD_KEYS: [Key; 6] = [
    ("schema", Text, true),
    ("plannerVersion", Text, false),
    ("libraryVersion", Text, false),
    ("patientLabel", Text, false),
    ("courses", List, false),
    ("assessments", List, false),
];
const ASSESSMENT: [Key; 5] = [
    ("date", Date, true),
    ("painNrs", Number((0.0, 10.0), ""), true),
    ("painAreaPercent", Number((0.0, 100.0), "%"), false),
    ("cssScore", Number(CSS, "points"), false),
    ("note", Text, false),
];
const COURSE: [Key; 3] = [
    ("request", Object, true),
    ("plannedMg", Number((0.0, 1e6), "mg"), false),
    ("sessions", List, false),
];
const SESSION: [Key; 9] = [
    ("date", Date, true),
    ("start", Time, false),
    ("end", Time, false),
    ("rateChanges", List, false),
    ("givenMg", Number((0.0, 1e5), "mg"), false),
    ("stoppedEarly", Flag, false),
    ("stoppedWhy", Text, false),
    ("sideEffects", List, false),
    ("vitals", List, false),
];
const RATE_CHANGE: [Key; 2] = [
    ("time", Time, true),
    ("mlPerHour", Number((0.0, 1000.0), "mL/h"), true),
];
const VITALS: [Key; 6] = [
    ("time", Time, true),
    ("systolic", Number(SYSTOLIC, "mmHg"), false),
    ("diastolic", Number(DIASTOLIC, "mmHg"), false),
    ("heartRate", Number(HEART_RATE, "/min"), false),
    ("spo2", Number(SPO2, "%"), false),
    ("sedation", Number(SEDATION, ""), false),
];

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A required key that is not there (the check and the readers say it alike).
fn missing(path: &str, key: &str) -> PlanError {
    let message = format!("The field {key} is missing.");
    PlanError::new(child(path, key), "required", message)
}

/// "HH:MM" as hour and minute, when it is a clock time.
fn clock_time(t: &str) -> Option<(i64, i64)> {
    let (h, m) = t.split_once(':')?;
    let two = |s: &str| {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (h, m) = (two(h)?, two(m)?);
    (h < 24 && m < 60).then_some((h, m))
}

/// One present value against its slot; the error names its path.
fn check(slot: Slot, v: &Value, at: String) -> Result<()> {
    let expected = match (slot, v) {
        (Text, Value::Text(_)) | (Flag, Value::Bool(_)) | (List, Value::List(_)) => return Ok(()),
        (Object, Value::Object(_)) => return Ok(()),
        (Date, Value::Text(t)) => return LocalDate::parse(t, &at).map(|_| ()),
        (Time, Value::Text(t)) if clock_time(t).is_some() => return Ok(()),
        (Time, Value::Text(t)) => {
            let message = format!("\"{t}\" is not a clock time HH:MM.");
            return Err(PlanError::new(at, "invalid_time", message));
        }
        (Number((min, max), unit), Value::Number(n)) => {
            return crate::contract::in_range(&at, *n, min, max, unit).map(|_| ())
        }
        (Text | Date | Time, _) => "text",
        (Number(..), _) => "a number",
        (Flag, _) => "true or false",
        (List, _) => "a list",
        (Object, _) => "an object",
    };
    let message = format!("Expected {expected}, found {}.", v.describe());
    Err(PlanError::new(at, "wrong_type", message))
}

/// An object of the record whose keys have all been checked against their slots.
struct Checked<'a> {
    path: String,
    value: &'a Value,
}

impl<'a> Checked<'a> {
    /// An object with only these keys (an unknown key is refused, by name),
    /// each of the right kind and range, and the required ones there.
    fn new(path: String, value: &'a Value, keys: &[Key]) -> Result<Checked<'a>> {
        let Value::Object(entries) = value else {
            let message = format!("Expected an object, found {}.", value.describe());
            return Err(PlanError::new(path, "wrong_type", message));
        };
        for (k, v) in entries {
            let at = child(&path, k);
            match keys.iter().find(|key| key.0 == k) {
                Some(_) if *v == Value::Null => {}
                Some(&(_, slot, _)) => check(slot, v, at)?,
                None => {
                    let names: Vec<&str> = keys.iter().map(|key| key.0).collect();
                    let message = format!(
                        "Unknown field \"{k}\": expected one of {}.",
                        names.join(", ")
                    );
                    return Err(PlanError::new(at, "unknown_field", message));
                }
            }
        }
        if let Some((k, ..)) = keys
            .iter()
            .find(|key| key.2 && value.given(key.0).is_none())
        {
            return Err(missing(&path, k));
        }
        Ok(Checked { path, value })
    }

    fn child(&self, key: &str) -> String {
        child(&self.path, key)
    }

    fn text(&self, key: &str) -> Option<&'a str> {
        self.value.given(key).and_then(Value::as_text)
    }

    fn number(&self, key: &str) -> Option<f64> {
        self.value.given(key).and_then(Value::as_number)
    }

    fn flag(&self, key: &str) -> bool {
        self.value.given(key) == Some(&Value::Bool(true))
    }

    fn date(&self, key: &str) -> Option<LocalDate> {
        self.text(key).and_then(|t| LocalDate::parse(t, key).ok())
    }

    /// A clock time on `day`.
    fn time(&self, key: &str, day: LocalDate) -> Option<LocalDateTime> {
        let (h, m) = clock_time(self.text(key)?)?;
        day.at(h, m)
    }

    /// A required value, read after the check (its error is never expected).
    fn required<T>(&self, key: &str, found: Option<T>) -> Result<T> {
        found.ok_or_else(|| missing(&self.path, key))
    }

    /// Each item of a list with its path, `courses[0]`.
    fn items(&self, key: &str) -> Vec<(String, &'a Value)> {
        match self.value.given(key) {
            Some(Value::List(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{}[{i}]", self.child(key)), v))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl CourseRecord {
    /// A record read from its untyped form; the first problem is the error.
    pub fn parse(value: &Value) -> Result<CourseRecord> {
        let schema = match value.get("schema") {
            Some(Value::Text(s)) => s.as_str(),
            _ if matches!(value, Value::Object(_)) => {
                return Err(PlanError::new(
                    "schema",
                    "not_a_record",
                    "This is not a ketamine planner course record: it has no schema.",
                ));
            }
            _ => {
                return Err(PlanError::new(
                    "schema",
                    "not_a_record",
                    "This is not a ketamine planner course record.",
                ))
            }
        };
        if schema != SCHEMA {
            let why = if schema.starts_with("ketamine-planner/course-record@") {
                format!("This record is schema {schema}; this planner reads {SCHEMA}.")
            } else {
                format!("This is not a course record (schema {schema}).")
            };
            return Err(PlanError::new("schema", "unknown_schema", why));
        }
        let r = Checked::new(String::new(), value, &RECORD_KEYS)?;
        let mut courses = Vec::new();
        for (path, v) in r.items("courses") {
            courses.push(Course::parse(path, v)?);
        }
        let mut assessments = Vec::new();
        for (path, v) in r.items("assessments") {
            let a = Checked::new(path, v, &ASSESSMENT)?;
            assessments.push(Assessment {
                date: a.required("date", a.date("date"))?,
                pain_nrs: a.required("painNrs", a.number("painNrs"))?,
                pain_area_percent: a.number("painAreaPercent"),
                css_score: a.number("cssScore"),
                note: a.text("note").map(str::to_string),
            });
        }
        Ok(CourseRecord {
            patient_label: r.text("patientLabel").map(str::to_string),
            planner_version: r.text("plannerVersion").map(str::to_string),
            library_version: r.text("libraryVersion").map(str::to_string),
            courses,
            assessments,
        })
    }

    /// The same from JSON text (native callers, tests, fuzzing).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(text: &str) -> Result<CourseRecord> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Value::read(&mut de, crate::value::RECORD)
            .and_then(|v| de.end().map(|_| v))
            .map_err(|e| {
                PlanError::new(
                    "schema",
                    "not_json",
                    format!("The file is not readable as JSON: {e}."),
                )
            })?;
        Self::parse(&value)
    }
}

impl Course {
    fn parse(path: String, value: &Value) -> Result<Course> {
        let c = Checked::new(path, value, &COURSE)?;
        let request_value = c.required("request", c.value.given("request"))?;
        let request = PlanRequest::from_value(request_value).map_err(|all| {
            let e = all.first().cloned().unwrap_or_else(|| {
                PlanError::new("request", "invalid_request", "The request is not valid.")
            });
            PlanError::new(
                format!("{}.{}", c.child("request"), e.field),
                &e.code,
                e.message,
            )
        })?;
        if request.start.is_none() {
            return Err(PlanError::new(
                format!("{}.start", c.child("request")),
                "required",
                "A course in a record needs its first session's start.",
            ));
        }
        let mut sessions = Vec::new();
        for (path, v) in c.items("sessions") {
            sessions.push(GivenSession::parse(path, v)?);
        }
        Ok(Course {
            request,
            planned_mg: c.number("plannedMg"),
            sessions,
        })
    }
}

impl GivenSession {
    fn parse(path: String, value: &Value) -> Result<GivenSession> {
        let s = Checked::new(path, value, &SESSION)?;
        let date = s.required("date", s.date("date"))?;
        let start = s.time("start", date);
        // A clock time before the start is the next day (a session across midnight).
        let after_start = |t: Option<LocalDateTime>| match (start, t) {
            (Some(st), Some(t)) if st.minutes_until(t) < 0 => t.checked_add_days(1),
            (_, t) => t,
        };
        let given_mg = s.number("givenMg");
        if given_mg.is_some_and(|mg| mg > 0.0) && start.is_none() {
            return Err(PlanError::new(
                s.child("givenMg"),
                "no_session",
                "A given dose needs the session's start time.",
            ));
        }
        let mut rate_changes = Vec::new();
        for (path, v) in s.items("rateChanges") {
            let r = Checked::new(path, v, &RATE_CHANGE)?;
            rate_changes.push((
                r.required("time", after_start(r.time("time", date)))?,
                r.required("mlPerHour", r.number("mlPerHour"))?,
            ));
        }
        let mut side_effects = Vec::new();
        for (path, v) in s.items("sideEffects") {
            match v {
                Value::Text(t) if SIDE_EFFECTS.contains(&t.as_str()) => {
                    side_effects.push(t.clone())
                }
                _ => {
                    let message = format!(
                        "Expected one of {}, found {}.",
                        SIDE_EFFECTS.join(", "),
                        v.describe()
                    );
                    return Err(PlanError::new(path, "unknown_value", message));
                }
            }
        }
        let mut vitals = Vec::new();
        for (path, v) in s.items("vitals") {
            let r = Checked::new(path, v, &VITALS)?;
            vitals.push(Vitals {
                at: r.required("time", after_start(r.time("time", date)))?,
                systolic: r.number("systolic"),
                diastolic: r.number("diastolic"),
                heart_rate: r.number("heartRate"),
                spo2: r.number("spo2"),
                sedation: r.number("sedation"),
            });
        }
        Ok(GivenSession {
            date,
            start,
            end: after_start(s.time("end", date)),
            rate_changes,
            given_mg,
            stopped_early: s.flag("stoppedEarly"),
            stopped_why: s.text("stoppedWhy").map(str::to_string),
            side_effects,
            vitals,
        })
    }
}
