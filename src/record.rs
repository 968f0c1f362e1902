//! The course record (clinical-spec sections 4, 6 and 8): what was planned,
//! what was given and how the patient responded, one versioned JSON document
//! the user saves as a file. `CourseRecord::parse` is the one way in
//! (`crate::reader`, as for the protocol library): every problem is listed
//! at its JSON Pointer (`/assessments/1/painNrs`,
//! `/courses/0/sessions/0/givenMg`), unknown keys are refused, and a file
//! of another kind or schema is refused before anything is read from it.

use crate::calendar::{LocalDate, LocalDateTime};
use crate::error::{FieldErrors, PlanError, Result};
use crate::reader::At;
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

impl CourseRecord {
    /// A record read from its untyped form, or every problem in it.
    pub fn parse(value: &Value) -> std::result::Result<CourseRecord, FieldErrors> {
        schema(value)?;
        crate::reader::read(value, |r| {
            r.object(&[
                "schema",
                "plannerVersion",
                "libraryVersion",
                "patientLabel",
                "courses",
                "assessments",
            ])?;
            Some(CourseRecord {
                patient_label: r.key("patientLabel").opt_text(),
                planner_version: r.key("plannerVersion").opt_text(),
                library_version: r.key("libraryVersion").opt_text(),
                courses: r.key("courses").list_or_empty(course),
                assessments: r.key("assessments").list_or_empty(assessment),
            })
        })
    }

    /// The same from JSON text (native callers, tests, fuzzing).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(text: &str) -> std::result::Result<CourseRecord, FieldErrors> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = Value::read(&mut de, crate::value::RECORD)
            .and_then(|v| de.end().map(|_| v))
            .map_err(|e| {
                let message = format!("The file is not readable as JSON: {e}.");
                PlanError::new("/schema", "not_json", message)
            })?;
        Self::parse(&value)
    }
}

/// A file of another kind or schema is refused before anything is read from it.
fn schema(value: &Value) -> Result<()> {
    let refuse = |code: &str, message: String| Err(PlanError::new("/schema", code, message));
    let schema = match value.get("schema") {
        Some(Value::Text(s)) => s.as_str(),
        _ if matches!(value, Value::Object(_)) => {
            let message = "This is not a ketamine planner course record: it has no schema.";
            return refuse("not_a_record", message.into());
        }
        _ => {
            return refuse(
                "not_a_record",
                "This is not a ketamine planner course record.".into(),
            )
        }
    };
    if schema == SCHEMA {
        return Ok(());
    }
    let why = if schema.starts_with("ketamine-planner/course-record@") {
        format!("This record is schema {schema}; this planner reads {SCHEMA}.")
    } else {
        format!("This is not a course record (schema {schema}).")
    };
    refuse("unknown_schema", why)
}

fn assessment(a: &At) -> Option<Assessment> {
    a.object(&["date", "painNrs", "painAreaPercent", "cssScore", "note"])?;
    let pain_nrs = a.key("painNrs").number_in(0.0, 10.0, "");
    Some(Assessment {
        pain_nrs,
        pain_area_percent: a.key("painAreaPercent").opt_number_in(0.0, 100.0, "%"),
        css_score: a.key("cssScore").opt_number_in(CSS.0, CSS.1, "points"),
        note: a.key("note").opt_text(),
        date: a.key("date").date()?,
    })
}

fn course(c: &At) -> Option<Course> {
    c.object(&["request", "plannedMg", "sessions"])?;
    let at = c.key("request");
    let request = at.request().and_then(|r| {
        if r.start.is_none() {
            let message = "A course in a record needs its first session's start.";
            at.key("start").add("required", message);
        }
        r.start.is_some().then_some(r)
    });
    Some(Course {
        planned_mg: c.key("plannedMg").opt_number_in(0.0, 1e6, "mg"),
        sessions: c.key("sessions").list_or_empty(session),
        request: request?,
    })
}

fn session(s: &At) -> Option<GivenSession> {
    s.object(&[
        "date",
        "start",
        "end",
        "rateChanges",
        "givenMg",
        "stoppedEarly",
        "stoppedWhy",
        "sideEffects",
        "vitals",
    ])?;
    let date = s.key("date").date();
    let start = s.key("start").opt_time_on(date);
    // A clock time before the start is the next day (a session across midnight).
    let after_start = |t: Option<LocalDateTime>| match (start, t) {
        (Some(st), Some(t)) if st.minutes_until(t) < 0 => t.checked_add_days(1),
        (_, t) => t,
    };
    let given_mg = s.key("givenMg").opt_number_in(0.0, 1e5, "mg");
    if given_mg.is_some_and(|mg| mg > 0.0) && !s.key("start").given() {
        let message = "A given dose needs the session's start time.";
        s.key("givenMg").add("no_session", message);
    }
    let rate_changes = s.key("rateChanges").list_or_empty(|r| {
        r.object(&["time", "mlPerHour"])?;
        let ml_per_hour = r.key("mlPerHour").number_in(0.0, 1000.0, "mL/h");
        Some((after_start(r.key("time").time_on(date))?, ml_per_hour))
    });
    let side_effects = s.key("sideEffects").list_or_empty(|e| {
        let words = SIDE_EFFECTS.map(|w| (w, w));
        e.choice(&words).map(str::to_string)
    });
    let vitals = s.key("vitals").list_or_empty(|v| {
        v.object(&[
            "time",
            "systolic",
            "diastolic",
            "heartRate",
            "spo2",
            "sedation",
        ])?;
        let reading = |key: &str, (min, max): (f64, f64), unit: &str| {
            v.key(key).opt_number_in(min, max, unit)
        };
        Some(Vitals {
            systolic: reading("systolic", SYSTOLIC, "mmHg"),
            diastolic: reading("diastolic", DIASTOLIC, "mmHg"),
            heart_rate: reading("heartRate", HEART_RATE, "/min"),
            spo2: reading("spo2", SPO2, "%"),
            sedation: reading("sedation", SEDATION, ""),
            at: after_start(v.key("time").time_on(date))?,
        })
    });
    Some(GivenSession {
        start,
        end: after_start(s.key("end").opt_time_on(date)),
        rate_changes,
        given_mg,
        stopped_early: s.key("stoppedEarly").flag(),
        stopped_why: s.key("stoppedWhy").opt_text(),
        side_effects,
        vitals,
        date: date?,
    })
}
