//! The input contract, written once: every field a request can carry, its
//! type, unit and range, and which protocol value it overrides. The request
//! check below, the calculator form (`form`), the element's inputs and the
//! README's request table are all read from or tested against `FIELDS`.
//!
//! A request is checked here before anything reads it: unknown keys at any
//! level are refused with the nearest known key, and a value of the wrong
//! type is named in plain words. Ranges that depend on the protocol (dose by
//! unit, session minutes) are checked by `order`.

use crate::error::{FieldErrors, PlanError, Result};
use crate::value::Value;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "words")]
pub enum Kind {
    /// A finite decimal number.
    Number,
    /// A whole number (counts, minutes).
    Whole,
    /// One of the listed words.
    Choice(&'static [&'static str]),
    /// Free text: an id, a date "YYYY-MM-DD", a date and time "YYYY-MM-DDTHH:MM".
    Text,
    /// Yes or no.
    Flag,
    /// A list of codes or ids.
    Codes,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// Where it sits in a request: `patient.weightKg`.
    pub path: &'static str,
    pub kind: Kind,
    /// The field in words, as the message begins: "Weight".
    pub label: &'static str,
    pub unit: &'static str,
    /// Accepted range when it does not depend on the protocol.
    pub range: Option<(f64, f64)>,
    /// What the field is, or which protocol value it replaces.
    pub role: &'static str,
}

impl Field {
    /// The last part of the path: the input's `name` and a plan error's `field`.
    pub fn name(&self) -> &'static str {
        self.path.rsplit('.').next().unwrap_or(self.path)
    }

    /// A present value checked against the range (and wholeness) of the contract.
    pub fn number(&self, value: f64) -> Result<f64> {
        let (min, max) = self.range.unwrap_or((f64::MIN, f64::MAX));
        let v = in_range(self.name(), value, min, max, self.unit)?;
        if self.kind == Kind::Whole && v.fract() != 0.0 {
            return Err(PlanError::new(
                self.name(),
                "not_whole",
                "Enter a whole number.",
            ));
        }
        Ok(v)
    }

    pub fn whole(&self, value: Option<f64>) -> Result<Option<u32>> {
        // Ranges of whole fields sit inside u32, so the cast is exact.
        Ok(value.map(|v| self.number(v)).transpose()?.map(|v| v as u32))
    }
}

const fn field(
    path: &'static str,
    kind: Kind,
    label: &'static str,
    unit: &'static str,
    range: Option<(f64, f64)>,
    role: &'static str,
) -> Field {
    Field {
        path,
        kind,
        label,
        unit,
        range,
        role,
    }
}

/// The contract, one line a field: path, type, label, unit, range, role.
#[rustfmt::skip]
mod table {
    use super::{field, Field, Kind::*};
    use crate::weight::KG_PER_LB;

    pub const PROTOCOL: Field = field("protocol", Text, "Protocol", "", None, "library protocol id (required)");
    pub const WEIGHT_KG: Field = field("patient.weightKg", Number, "Weight", "kg", Some((1.0, 400.0)), "total body weight (this or weightLb required)");
    pub const WEIGHT_LB: Field = field("patient.weightLb", Number, "Weight", "lb", Some((1.0 / KG_PER_LB, 400.0 / KG_PER_LB)), "total body weight in lb");
    pub const HEIGHT_CM: Field = field("patient.heightCm", Number, "Height", "cm", Some((100.0, 250.0)), "for ideal and adjusted weight");
    pub const SEX: Field = field("patient.sex", Choice(&["female", "male"]), "Sex", "", None, "for ideal and adjusted weight");
    pub const AGE_YEARS: Field = field("patient.ageYears", Number, "Age", "years", Some((0.0, 120.0)), "age alerts; the protocol's older-patient start");
    pub const FRAIL: Field = field("patient.frail", Flag, "Frail", "", None, "the protocol's frail start");
    pub const WEIGHT_BASIS: Field = field("weightBasis", Choice(&["auto", "total", "ideal", "adjusted"]), "Weight basis", "", None, "protocol's weight basis");
    pub const CONCENTRATION: Field = field("concentrationMgPerMl", Number, "Concentration", "mg/mL", Some((0.01, 1000.0)), "infusion concentration (required)");
    pub const PUMP_RESOLUTION: Field = field("pumpResolutionMlPerHour", Number, "Pump resolution", "mL/h", Some((0.01, 1.0)), "planner default 0.1 mL/h (D)");
    pub const PREPARATION_VOLUME: Field = field("preparationVolumeMl", Number, "Final volume", "mL", Some((1.0, 1000.0)), "smallest standard container that holds the need");
    pub const DOSE_UNIT: Field = field("dose.doseUnit", Choice(&["mg/kg/h", "mcg/kg/min", "mg/h"]), "Dose unit", "", None, "protocol's dose unit (then the start dose is required)");
    pub const START_DOSE: Field = field("dose.startDose", Number, "Start dose", "dose unit", None, "protocol's start dose");
    pub const STEP_DOSE: Field = field("dose.stepDose", Number, "Step", "dose unit", None, "protocol's titration step");
    pub const MAX_DOSE: Field = field("dose.maxDose", Number, "Maximum dose", "dose unit", None, "protocol's maximum dose");
    pub const SESSION_DOSE: Field = field("dose.sessionDoseMg", Number, "Session dose", "mg", Some((0.1, 5000.0)), "protocol's fixed session dose");
    pub const SESSION_MINUTES: Field = field("dose.sessionMinutes", Whole, "Infusion duration", "min", None, "protocol's session length, within its range");
    pub const SESSIONS: Field = field("dose.sessions", Whole, "Sessions", "sessions", Some((1.0, 60.0)), "protocol's number of sessions");
    pub const SCHEDULE: Field = field("dose.schedule", Choice(&["single", "daily", "weekdays", "continuous"]), "Schedule", "", None, "protocol's schedule, among its options");
    pub const OBSERVATION_MINUTES: Field = field("dose.observationMinutes", Whole, "Observation", "min", Some((0.0, 1440.0)), "protocol's observation after infusion");
    pub const RATE: Field = field("dose.rateMlPerHour", Number, "Rate", "mL/h", Some((0.01, 999.9)), "volume order: replaces the dose");
    pub const VOLUME: Field = field("dose.volumeMl", Number, "Volume", "mL", Some((0.1, 10000.0)), "volume order, with volumeMinutes");
    pub const VOLUME_MINUTES: Field = field("dose.volumeMinutes", Whole, "Volume over", "min", Some((1.0, 10080.0)), "volume order: also the infusion duration");
    pub const STEP_EVERY: Field = field("dose.stepEveryMinutes", Whole, "Step every", "min", Some((1.0, 10080.0)), "clock-driven titration (protocols titrate by response)");
    pub const TARGET: Field = field("dose.targetNgPerMl", Number, "Target level", "ng/mL", Some((10.0, 2000.0)), "target mode: the plasma level the rates reach and hold; replaces the dose");
    pub const MODEL: Field = field("dose.model", Text, "PK model", "", None, "target mode: the model the rates are solved with; the model file's default (D)");
    pub const REACH_MINUTES: Field = field("dose.reachMinutes", Whole, "Reach the target by", "min", Some((15.0, 10080.0)), "target mode: the first step's length; 15 min (D)");
    pub const ACKNOWLEDGED: Field = field("acknowledged", Codes, "Acknowledged alerts", "", None, "soft alert codes the user acknowledged");
    pub const CAUTIONS: Field = field("cautions", Codes, "Cautions", "", None, "ticked contraindications (library ids)");
    pub const START: Field = field("start", Text, "First session starts", "", None, "local date and time YYYY-MM-DDTHH:MM");
    pub const PREVIOUS_COURSE_END: Field = field("previousCourseEnd", Text, "Previous course ended", "", None, "date YYYY-MM-DD, for the 21-day re-treatment check");

    /// Every field of a plan request, in the order of the README's table.
    pub const FIELDS: [Field; 31] = [
        PROTOCOL,
        WEIGHT_KG,
        WEIGHT_LB,
        HEIGHT_CM,
        SEX,
        AGE_YEARS,
        FRAIL,
        WEIGHT_BASIS,
        CONCENTRATION,
        PUMP_RESOLUTION,
        PREPARATION_VOLUME,
        DOSE_UNIT,
        START_DOSE,
        STEP_DOSE,
        MAX_DOSE,
        SESSION_DOSE,
        SESSION_MINUTES,
        SESSIONS,
        SCHEDULE,
        OBSERVATION_MINUTES,
        RATE,
        VOLUME,
        VOLUME_MINUTES,
        STEP_EVERY,
        TARGET,
        MODEL,
        REACH_MINUTES,
        ACKNOWLEDGED,
        CAUTIONS,
        START,
        PREVIOUS_COURSE_END,
    ];

    /// The options of a concentration preview (`simulate(request, options)`).
    pub const SIMULATE_OPTIONS: [Field; 6] = [
        field("model", Text, "Model", "", None, "PK model id; the model file's default when absent"),
        field("compare", Codes, "Compared models", "", None, "further model ids drawn as overlays"),
        field("resolutionMinutes", Number, "Resolution", "min", None, "time step of the curve"),
        field("horizonMinutes", Number, "Horizon", "min", None, "how long the curve runs"),
        field("thresholdNgPerMl", Number, "Threshold", "ng/mL", None, "level for time-to-threshold"),
        field("effectSite", Flag, "Effect site", "", None, "also the effect-site curve where the model has a published ke0 (Domino: Navarrete 2025)"),
    ];
}
pub use table::*;
use Kind::*;

/// The objects a request nests its fields in.
const GROUPS: [&str; 2] = ["patient", "dose"];

/// The field whose input name is `name` (names are unique across the contract).
pub fn by_name(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name() == name)
}

/// Unknown keys and wrong types of a plan request, all at once.
pub fn check_request(request: &Value) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_object(request, "", &FIELDS, &mut errors);
    errors
}

/// The same for the options of a preview.
pub fn check_options(options: &Value) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_object(options, "", &SIMULATE_OPTIONS, &mut errors);
    errors
}

/// The calculator form: one flat object keyed by input name, every value as
/// typed (text), but `frail` (yes/no) and the two lists.
pub fn check_form(form: &Value) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let Value::Object(entries) = form else {
        errors.push(PlanError::new(
            "form",
            "wrong_type",
            format!("The form must be an object; got {}.", form.describe()),
        ));
        return errors;
    };
    let names: Vec<&str> = FIELDS.iter().map(|f| f.name()).collect();
    for (key, value) in entries {
        let Some(f) = by_name(key) else {
            errors.push(unknown(key, &names));
            continue;
        };
        let ok = match f.kind {
            Flag => matches!(value, Value::Bool(_) | Value::Null),
            Codes => is_codes(value),
            _ => matches!(value, Value::Text(_) | Value::Null),
        };
        if !ok {
            let want = match f.kind {
                Flag => "yes or no (true or false)",
                Codes => "a list of texts",
                _ => "text as typed",
            };
            errors.push(wrong_type(f, want, value));
        }
    }
    errors
}

fn check_object(value: &Value, prefix: &str, fields: &[Field], errors: &mut FieldErrors) {
    let Value::Object(entries) = value else {
        let what = if prefix.is_empty() {
            "The request".to_string()
        } else {
            prefix.trim_end_matches('.').to_string()
        };
        errors.push(PlanError::new(
            if prefix.is_empty() {
                "request"
            } else {
                prefix.trim_end_matches('.')
            },
            "wrong_type",
            format!("{what} must be an object; got {}.", value.describe()),
        ));
        return;
    };
    // The keys allowed at this level: fields and nested groups.
    let mut known: Vec<&str> = Vec::new();
    for f in fields {
        if let Some(rest) = f.path.strip_prefix(prefix) {
            let key = rest.split('.').next().unwrap_or(rest);
            if !known.contains(&key) {
                known.push(key);
            }
        }
    }
    for (key, v) in entries {
        let path = format!("{prefix}{key}");
        if let Some(f) = fields.iter().find(|f| f.path == path) {
            check_type(f, v, errors);
        } else if GROUPS.contains(&path.as_str()) && known.contains(&key.as_str()) {
            if *v != Value::Null {
                check_object(v, &format!("{path}."), fields, errors);
            }
        } else {
            let candidates: Vec<String> = known.iter().map(|k| format!("{prefix}{k}")).collect();
            let candidates: Vec<&str> = candidates.iter().map(String::as_str).collect();
            errors.push(unknown(&path, &candidates));
        }
    }
}

fn check_type(f: &Field, v: &Value, errors: &mut FieldErrors) {
    let ok = match (f.kind, v) {
        (_, Value::Null) => true,
        (Number | Whole, Value::Number(_)) => true,
        (Text | Choice(_), Value::Text(_)) => true,
        (Flag, Value::Bool(_)) => true,
        (Codes, v) => is_codes(v),
        _ => false,
    };
    if !ok {
        let want = match f.kind {
            Number | Whole => "a number",
            Text | Choice(_) => "text",
            Flag => "true or false",
            Codes => "a list of texts",
        };
        errors.push(wrong_type(f, want, v));
    }
}

fn is_codes(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::List(items) => items.iter().all(|i| matches!(i, Value::Text(_))),
        _ => false,
    }
}

fn wrong_type(f: &Field, want: &str, got: &Value) -> PlanError {
    PlanError::new(
        f.name(),
        "wrong_type",
        format!("{} must be {want}; got {}.", f.label, got.describe()),
    )
}

fn unknown(path: &str, known: &[&str]) -> PlanError {
    let message = match nearest(path, known) {
        Some(k) => format!("{path} is not a field; did you mean {k}?"),
        None => format!("{path} is not a field."),
    };
    PlanError::new(path, "unknown_field", message)
}

/// The known key closest to `key` by edit distance (ignoring case), if it is
/// close enough to be a misspelling.
fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let key = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&key, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A number checked to be finite and within [min, max], with a message in
/// ISMP format ("Must be from 1 to 400 kg.").
pub fn in_range(field: &str, value: f64, min: f64, max: f64, unit: &str) -> Result<f64> {
    if !value.is_finite() {
        return Err(PlanError::new(field, "not_a_number", "Enter a number."));
    }
    if value < min || value > max {
        let lo = crate::numbers::format(min, 2);
        let hi = crate::numbers::format(max, 2);
        let space = if unit.is_empty() { "" } else { " " };
        let text = format!("Must be from {lo} to {hi}{space}{unit}.");
        return Err(PlanError::new(field, "out_of_range", text));
    }
    Ok(value)
}

pub fn opt_in_range(
    field: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<Option<f64>> {
    value
        .map(|v| in_range(field, v, min, max, unit))
        .transpose()
}

/// The README's request table, generated from `FIELDS`; a test keeps the
/// README equal to it.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| field | type | unit | range | what it is or overrides |\n|---|---|---|---|---|\n",
    );
    for f in FIELDS {
        let kind = match f.kind {
            Number => "number".to_string(),
            Whole => "whole number".to_string(),
            Choice(words) => words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(" \\| "),
            Text => "text".to_string(),
            Flag => "true / false".to_string(),
            Codes => "list of texts".to_string(),
        };
        let range = f.range.map_or("by protocol".to_string(), |(lo, hi)| {
            format!(
                "{} to {}",
                crate::numbers::format(lo, 2),
                crate::numbers::format(hi, 2)
            )
        });
        let range = if matches!(f.kind, Number | Whole) {
            range
        } else {
            String::new()
        };
        out.push_str(&format!(
            "| `{}` | {kind} | {} | {range} | {} |\n",
            f.path, f.unit, f.role
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn names_are_unique_and_every_path_is_in_a_known_group() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS[..i].iter().all(|g| g.name() != f.name()),
                "{}",
                f.path
            );
            if let Some((group, _)) = f.path.split_once('.') {
                assert!(GROUPS.contains(&group), "{}", f.path);
            }
        }
    }

    #[test]
    fn unknown_keys_name_the_path_and_the_nearest_field() {
        let e = check_request(&json(
            r#"{"protocol": "custom", "dose": {"startdose": 0.2}}"#,
        ));
        assert_eq!(e.first().unwrap().field, "dose.startdose");
        assert_eq!(
            e.first().unwrap().message,
            "dose.startdose is not a field; did you mean dose.startDose?"
        );
        let e = check_request(&json(
            r#"{"patient": {"Frail": true, "age": 80}, "weightbasis": "total", "caution": []}"#,
        ));
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["patient.Frail", "patient.age", "weightbasis", "caution"]
        );
        assert!(e
            .iter()
            .nth(0)
            .unwrap()
            .message
            .ends_with("did you mean patient.frail?"));
        assert!(e
            .iter()
            .nth(2)
            .unwrap()
            .message
            .ends_with("did you mean weightBasis?"));
        assert!(e
            .iter()
            .nth(3)
            .unwrap()
            .message
            .ends_with("did you mean cautions?"));
        let e = check_request(&json(r#"{"pumpResolutionMlPerHr": 0.1, "zzz": 1}"#));
        assert!(e
            .iter()
            .nth(0)
            .unwrap()
            .message
            .ends_with("did you mean pumpResolutionMlPerHour?"));
        assert_eq!(e.iter().nth(1).unwrap().message, "zzz is not a field.");
        let e = check_options(&json(r#"{"modle": "domino"}"#));
        assert_eq!(
            e.first().unwrap().message,
            "modle is not a field; did you mean model?"
        );
    }

    #[test]
    fn wrong_types_are_named_in_plain_words() {
        let e = check_request(&json(
            r#"{"patient": {"weightKg": "70"}, "dose": 3, "acknowledged": [1]}"#,
        ));
        let messages: Vec<&str> = e.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Weight must be a number; got the text \"70\".",
                "dose must be an object; got the number 3.",
                "Acknowledged alerts must be a list of texts; got a list.",
            ]
        );
        assert_eq!(e.first().unwrap().field, "weightKg");
        assert_eq!(e.first().unwrap().code, "wrong_type");
        assert!(check_request(&json(
            r#"{"protocol": "custom", "patient": {"weightKg": 70}, "dose": null}"#
        ))
        .is_empty());
    }

    #[test]
    fn form_keys_are_the_input_names() {
        assert!(check_form(&json(
            r#"{"weightKg": "70", "frail": true, "cautions": []}"#
        ))
        .is_empty());
        let e = check_form(&json(r#"{"weightkg": "70", "heightCm": 170}"#));
        assert_eq!(
            e.first().unwrap().message,
            "weightkg is not a field; did you mean weightKg?"
        );
        assert_eq!(
            e.iter().nth(1).unwrap().message,
            "Height must be text as typed; got the number 170."
        );
    }

    #[test]
    fn edit_distance_by_hand() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("startdose", "startdose"), 0);
    }
}
