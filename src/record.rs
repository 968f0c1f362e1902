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

/// One object of the record, with its path for messages.
struct At<'a> {
    path: String,
    value: &'a Value,
}

impl<'a> At<'a> {
    fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn error(path: String, code: &str, message: String) -> PlanError {
        PlanError::new(path, code, message)
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> PlanError {
        Self::error(
            self.child(key),
            "wrong_type",
            format!("Expected {expected}, found {}.", found.describe()),
        )
    }

    /// An object with only these keys (an unknown key is refused, by name).
    fn object(path: String, value: &'a Value, keys: &[&str]) -> Result<At<'a>> {
        let Value::Object(entries) = value else {
            let what = value.describe();
            return Err(Self::error(
                path,
                "wrong_type",
                format!("Expected an object, found {what}."),
            ));
        };
        if let Some((k, _)) = entries.iter().find(|(k, _)| !keys.contains(&k.as_str())) {
            let at = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            return Err(Self::error(
                at,
                "unknown_field",
                format!(
                    "Unknown field \"{k}\": expected one of {}.",
                    keys.join(", ")
                ),
            ));
        }
        Ok(At { path, value })
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.value.given(key)
    }

    fn required<T>(&self, key: &str, found: Option<T>) -> Result<T> {
        found.ok_or_else(|| {
            Self::error(
                self.child(key),
                "required",
                format!("The field {key} is missing."),
            )
        })
    }

    fn text(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.as_str())),
            Some(v) => Err(self.wrong(key, "text", v)),
        }
    }

    fn number(&self, key: &str, (min, max): (f64, f64), unit: &str) -> Result<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_finite() && *n >= min && *n <= max => Ok(Some(*n)),
            Some(Value::Number(n)) => Err(Self::error(
                self.child(key),
                "out_of_range",
                format!(
                    "{} is outside {} to {}{}.",
                    crate::numbers::format(*n, 3),
                    crate::numbers::format(min, 3),
                    crate::numbers::format(max, 3),
                    if unit.is_empty() {
                        String::new()
                    } else {
                        format!(" {unit}")
                    }
                ),
            )),
            Some(v) => Err(self.wrong(key, "a number", v)),
        }
    }

    fn flag(&self, key: &str) -> Result<bool> {
        match self.get(key) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.wrong(key, "true or false", v)),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<(String, &'a Value)>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::List(items)) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{}[{i}]", self.child(key)), v))
                .collect()),
            Some(v) => Err(self.wrong(key, "a list", v)),
        }
    }

    fn date(&self, key: &str) -> Result<Option<LocalDate>> {
        self.text(key)?
            .map(|t| LocalDate::parse(t, &self.child(key)))
            .transpose()
    }

    /// A clock time "HH:MM" on `day` (a time before the session's start is the next day).
    fn time(&self, key: &str, day: LocalDate) -> Result<Option<LocalDateTime>> {
        let Some(t) = self.text(key)? else {
            return Ok(None);
        };
        let bad = || {
            Self::error(
                self.child(key),
                "invalid_time",
                format!("\"{t}\" is not a clock time HH:MM."),
            )
        };
        let (h, m) = t.split_once(':').ok_or_else(bad)?;
        let two = |s: &str| {
            (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i64>().ok())
                .flatten()
        };
        let (Some(h), Some(m)) = (two(h), two(m)) else {
            return Err(bad());
        };
        day.at(h, m).map(Some).ok_or_else(bad)
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
        let r = At::object(
            String::new(),
            value,
            &[
                "schema",
                "plannerVersion",
                "libraryVersion",
                "patientLabel",
                "courses",
                "assessments",
            ],
        )?;
        let mut courses = Vec::new();
        for (path, v) in r.list("courses")? {
            courses.push(Course::parse(path, v)?);
        }
        let mut assessments = Vec::new();
        for (path, v) in r.list("assessments")? {
            let a = At::object(
                path,
                v,
                &["date", "painNrs", "painAreaPercent", "cssScore", "note"],
            )?;
            assessments.push(Assessment {
                date: a.required("date", a.date("date")?)?,
                pain_nrs: a.required("painNrs", a.number("painNrs", (0.0, 10.0), "")?)?,
                pain_area_percent: a.number("painAreaPercent", (0.0, 100.0), "%")?,
                css_score: a.number("cssScore", CSS, "points")?,
                note: a.text("note")?.map(str::to_string),
            });
        }
        Ok(CourseRecord {
            patient_label: r.text("patientLabel")?.map(str::to_string),
            planner_version: r.text("plannerVersion")?.map(str::to_string),
            library_version: r.text("libraryVersion")?.map(str::to_string),
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
        let c = At::object(path, value, &["request", "plannedMg", "sessions"])?;
        let request_value = c.required("request", c.get("request"))?;
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
        for (path, v) in c.list("sessions")? {
            sessions.push(GivenSession::parse(path, v)?);
        }
        Ok(Course {
            request,
            planned_mg: c.number("plannedMg", (0.0, 1e6), "mg")?,
            sessions,
        })
    }
}

impl GivenSession {
    fn parse(path: String, value: &Value) -> Result<GivenSession> {
        let s = At::object(
            path,
            value,
            &[
                "date",
                "start",
                "end",
                "rateChanges",
                "givenMg",
                "stoppedEarly",
                "stoppedWhy",
                "sideEffects",
                "vitals",
            ],
        )?;
        let date = s.required("date", s.date("date")?)?;
        let start = s.time("start", date)?;
        // A clock time before the start is the next day (a session across midnight).
        let after_start = |t: Option<LocalDateTime>| match (start, t) {
            (Some(st), Some(t)) if st.minutes_until(t) < 0 => t.checked_add_days(1),
            (_, t) => t,
        };
        let end = after_start(s.time("end", date)?);
        let given_mg = s.number("givenMg", (0.0, 1e5), "mg")?;
        if given_mg.is_some_and(|mg| mg > 0.0) && start.is_none() {
            return Err(PlanError::new(
                s.child("givenMg"),
                "no_session",
                "A given dose needs the session's start time.",
            ));
        }
        let mut rate_changes = Vec::new();
        for (path, v) in s.list("rateChanges")? {
            let r = At::object(path, v, &["time", "mlPerHour"])?;
            rate_changes.push((
                r.required("time", after_start(r.time("time", date)?))?,
                r.required("mlPerHour", r.number("mlPerHour", (0.0, 1000.0), "mL/h")?)?,
            ));
        }
        let mut side_effects = Vec::new();
        for (path, v) in s.list("sideEffects")? {
            match v {
                Value::Text(t) if SIDE_EFFECTS.contains(&t.as_str()) => {
                    side_effects.push(t.clone())
                }
                _ => {
                    return Err(PlanError::new(
                        path,
                        "unknown_value",
                        format!(
                            "Expected one of {}, found {}.",
                            SIDE_EFFECTS.join(", "),
                            v.describe()
                        ),
                    ))
                }
            }
        }
        let mut vitals = Vec::new();
        for (path, v) in s.list("vitals")? {
            let r = At::object(
                path,
                v,
                &[
                    "time",
                    "systolic",
                    "diastolic",
                    "heartRate",
                    "spo2",
                    "sedation",
                ],
            )?;
            vitals.push(Vitals {
                at: r.required("time", after_start(r.time("time", date)?))?,
                systolic: r.number("systolic", SYSTOLIC, "mmHg")?,
                diastolic: r.number("diastolic", DIASTOLIC, "mmHg")?,
                heart_rate: r.number("heartRate", HEART_RATE, "/min")?,
                spo2: r.number("spo2", SPO2, "%")?,
                sedation: r.number("sedation", SEDATION, "")?,
            });
        }
        Ok(GivenSession {
            date,
            start,
            end,
            rate_changes,
            given_mg,
            stopped_early: s.flag("stoppedEarly")?,
            stopped_why: s.text("stoppedWhy")?.map(str::to_string),
            side_effects,
            vitals,
        })
    }
}
