//! The calculator's one call per keystroke: raw input strings in, a plan or
//! per-field messages out. Parsing is strict (see `numbers`) and every field
//! is checked in the same pass, so all bad fields are marked at once.

use crate::contract;
use crate::error::{FieldErrors, PlanError};
use crate::numbers::{parse_decimal, parse_whole};
use crate::order::Order;
use crate::plan::Plan;
use crate::protocol::Library;
use crate::request::{DoseOverrides, Patient, PlanRequest};
use crate::value::Value;
use serde::{Deserialize, Serialize};

/// Inputs as typed, keyed by each input's `name` (= its request field).
/// An empty string means "not entered".
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(Serialize))]
#[serde(rename_all = "camelCase", default)]
pub struct Form {
    pub protocol: String,
    pub weight_kg: Option<String>,
    pub weight_lb: Option<String>,
    pub height_cm: String,
    pub sex: String,
    pub age_years: String,
    pub frail: bool,
    pub weight_basis: String,
    pub concentration_mg_per_ml: String,
    pub pump_resolution_ml_per_hour: String,
    pub preparation_volume_ml: String,
    pub dose_unit: String,
    pub start_dose: String,
    pub step_dose: String,
    pub max_dose: String,
    pub session_dose_mg: String,
    pub session_minutes: String,
    pub sessions: String,
    pub schedule: String,
    pub observation_minutes: String,
    pub rate_ml_per_hour: String,
    pub volume_ml: String,
    pub volume_minutes: String,
    pub step_every_minutes: String,
    /// Present (even empty) when the page is in target mode: an empty
    /// target is then "required", never a plan of the protocol's dose.
    pub target_ng_per_ml: Option<String>,
    pub model: String,
    pub reach_minutes: String,
    pub start: String,
    pub previous_course_end: String,
    pub acknowledged: Vec<String>,
    pub cautions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FormResult {
    /// Message per input name; when not empty, `plan` is None.
    pub field_errors: FieldErrors,
    /// A refusal that belongs to no single input (an unknown key, the library).
    pub error: Option<PlanError>,
    pub plan: Option<Plan>,
    /// The request the form became, so the page can pass it on (simulate, ics).
    pub request: Option<PlanRequest>,
}

impl FormResult {
    /// A form that could not even be read.
    pub fn from_error(e: PlanError) -> FormResult {
        FormResult::refused(e.into())
    }

    fn refused(all: FieldErrors) -> FormResult {
        let mut field_errors = FieldErrors::default();
        let mut error = None;
        for e in all.iter() {
            if contract::by_name(&e.field).is_some() {
                field_errors.push(e.clone());
            } else if error.is_none() {
                error = Some(e.clone());
            }
        }
        FormResult {
            field_errors,
            error,
            plan: None,
            request: None,
        }
    }
}

/// The form as the page sends it, checked against the contract first; never
/// fails: every problem comes back in the result.
pub fn plan_form_value(lib: &Library, value: &Value) -> FormResult {
    if let Err(e) = contract::check_form(value).into_result() {
        return FormResult::refused(e);
    }
    plan_form(lib, &Form::read(value))
}

impl Form {
    /// The form as the contract checked it (keys are input names, values
    /// text as typed, `frail` yes/no, two lists): read by hand, as requests
    /// are (`request::PlanRequest::from_value`), not by serde's derive.
    fn read(value: &Value) -> Form {
        let get = |name: &str| value.given(name);
        let text = |name: &str| get(name).and_then(Value::as_text).unwrap_or("").to_string();
        // Weight in kg or lb, and the target: the key's presence says which input the page shows.
        let weight = |name: &str| get(name).map(|_| text(name));
        let list = |name: &str| get(name).map_or_else(Vec::new, Value::texts);
        Form {
            protocol: text("protocol"),
            weight_kg: weight("weightKg"),
            weight_lb: weight("weightLb"),
            height_cm: text("heightCm"),
            sex: text("sex"),
            age_years: text("ageYears"),
            frail: matches!(get("frail"), Some(Value::Bool(true))),
            weight_basis: text("weightBasis"),
            concentration_mg_per_ml: text("concentrationMgPerMl"),
            pump_resolution_ml_per_hour: text("pumpResolutionMlPerHour"),
            preparation_volume_ml: text("preparationVolumeMl"),
            dose_unit: text("doseUnit"),
            start_dose: text("startDose"),
            step_dose: text("stepDose"),
            max_dose: text("maxDose"),
            session_dose_mg: text("sessionDoseMg"),
            session_minutes: text("sessionMinutes"),
            sessions: text("sessions"),
            schedule: text("schedule"),
            observation_minutes: text("observationMinutes"),
            rate_ml_per_hour: text("rateMlPerHour"),
            volume_ml: text("volumeMl"),
            volume_minutes: text("volumeMinutes"),
            step_every_minutes: text("stepEveryMinutes"),
            target_ng_per_ml: weight("targetNgPerMl"),
            model: text("model"),
            reach_minutes: text("reachMinutes"),
            start: text("start"),
            previous_course_end: text("previousCourseEnd"),
            acknowledged: list("acknowledged"),
            cautions: list("cautions"),
        }
    }
}

pub fn plan_form(lib: &Library, form: &Form) -> FormResult {
    let mut errors = FieldErrors::default();
    let mut num = |name: &str, text: &str, whole: bool| -> Option<f64> {
        if text.trim().is_empty() {
            return None;
        }
        let parsed = if whole {
            parse_whole(text)
        } else {
            parse_decimal(text)
        };
        parsed
            .map_err(|m| errors.push(PlanError::new(name, "not_a_number", m)))
            .ok()
    };
    let weight_kg = form
        .weight_kg
        .as_deref()
        .and_then(|t| num("weightKg", t, false));
    let weight_lb = form
        .weight_lb
        .as_deref()
        .and_then(|t| num("weightLb", t, false));
    let patient = Patient {
        weight_kg,
        weight_lb,
        height_cm: num("heightCm", &form.height_cm, false),
        sex: text(&form.sex),
        age_years: num("ageYears", &form.age_years, false),
        frail: Some(form.frail),
    };
    let dose = DoseOverrides {
        dose_unit: text(&form.dose_unit),
        start_dose: num("startDose", &form.start_dose, false),
        step_dose: num("stepDose", &form.step_dose, false),
        max_dose: num("maxDose", &form.max_dose, false),
        session_dose_mg: num("sessionDoseMg", &form.session_dose_mg, false),
        session_minutes: num("sessionMinutes", &form.session_minutes, true),
        sessions: num("sessions", &form.sessions, true),
        schedule: text(&form.schedule),
        observation_minutes: num("observationMinutes", &form.observation_minutes, true),
        rate_ml_per_hour: num("rateMlPerHour", &form.rate_ml_per_hour, false),
        volume_ml: num("volumeMl", &form.volume_ml, false),
        volume_minutes: num("volumeMinutes", &form.volume_minutes, true),
        step_every_minutes: num("stepEveryMinutes", &form.step_every_minutes, true),
        target_ng_per_ml: form
            .target_ng_per_ml
            .as_deref()
            .and_then(|t| num("targetNgPerMl", t, false)),
        model: text(&form.model),
        reach_minutes: num("reachMinutes", &form.reach_minutes, true),
    };
    let request = PlanRequest {
        protocol: form.protocol.clone(),
        patient,
        weight_basis: text(&form.weight_basis),
        concentration_mg_per_ml: num("concentrationMgPerMl", &form.concentration_mg_per_ml, false),
        pump_resolution_ml_per_hour: num(
            "pumpResolutionMlPerHour",
            &form.pump_resolution_ml_per_hour,
            false,
        ),
        preparation_volume_ml: num("preparationVolumeMl", &form.preparation_volume_ml, false),
        dose,
        acknowledged: form.acknowledged.clone(),
        cautions: form.cautions.clone(),
        start: text(&form.start),
        previous_course_end: text(&form.previous_course_end),
    };
    let mut request = request;
    if matches!(form.target_ng_per_ml.as_deref(), Some(t) if t.trim().is_empty()) {
        errors.push(PlanError::new(
            "targetNgPerMl",
            "required",
            "Enter the target plasma level in ng/mL, or order a dose instead.",
        ));
        // The other inputs are checked as the target order they will be; the
        // stand-in level is never planned, as the target is still required.
        request.dose.target_ng_per_ml = contract::TARGET.range.map(|(low, _)| low);
    }
    // The order's own checks run too, so every bad input is marked in one
    // pass; a field whose text did not parse keeps its parse message.
    match Order::parse(lib, &request) {
        Ok(order) if errors.is_empty() => FormResult {
            field_errors: errors,
            error: None,
            plan: Some(order.plan()),
            request: Some(request),
        },
        Ok(_) => FormResult::refused(errors),
        Err(order_errors) => {
            for e in order_errors.iter() {
                if errors.get(&e.field).is_none() {
                    errors.push(e.clone());
                }
            }
            FormResult::refused(errors)
        }
    }
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {

    /// `Form::read` reads every input of the contract by its name (a name it
    /// missed would silently be "not entered").
    #[test]
    fn every_contract_input_reaches_the_form() {
        use crate::contract::{Kind, FIELDS};
        let mut entries = Vec::new();
        for (i, f) in FIELDS.iter().enumerate() {
            let v = match f.kind {
                Kind::Flag => Value::Bool(true),
                Kind::Codes => Value::List(vec![Value::Text(format!("c{i}"))]),
                _ => Value::Text(format!("t{i}")),
            };
            entries.push((f.name().to_string(), v));
        }
        let form = serde_json::to_value(Form::read(&Value::Object(entries.clone()))).unwrap();
        for (name, v) in entries {
            let want = match v {
                Value::Bool(b) => serde_json::json!(b),
                Value::Text(t) => serde_json::json!(t),
                Value::List(items) => serde_json::json!(items
                    .iter()
                    .map(|i| match i {
                        Value::Text(t) => t.clone(),
                        _ => String::new(),
                    })
                    .collect::<Vec<_>>()),
                _ => serde_json::Value::Null,
            };
            assert_eq!(form.get(&name), Some(&want), "{name}");
        }
    }

    use super::*;

    fn form(weight: &str, conc: &str) -> Form {
        Form {
            protocol: "schwartzman-2009".into(),
            weight_kg: Some(weight.into()),
            concentration_mg_per_ml: conc.into(),
            ..Form::default()
        }
    }

    #[test]
    fn malformed_numbers_are_marked_at_their_field_and_no_plan_is_made() {
        let lib = Library::default_library().unwrap();
        for bad in ["1..2", "5,0", "1e3", ""] {
            let r = plan_form(&lib, &form(bad, "1"));
            assert!(r.plan.is_none(), "{bad}");
            assert!(
                r.field_errors.get("weightKg").is_some(),
                "{bad}: {:?}",
                r.field_errors
            );
        }
        let r = plan_form(&lib, &form("1..2", "5,0"));
        assert_eq!(r.field_errors.len(), 2);
        // An object keyed by input name, as the page reads it.
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json["fieldErrors"],
            serde_json::json!({
                "weightKg": "More than one decimal point.",
                "concentrationMgPerMl": "Use a point for decimals and no thousands separator (for example 1200 or 0.5)."
            })
        );
    }

    #[test]
    fn a_good_form_gives_the_plan_and_range_errors_land_at_the_field() {
        let lib = Library::default_library().unwrap();
        let r = plan_form(&lib, &form("70", "1"));
        assert_eq!(r.plan.unwrap().levels[0].ml_per_hour, Some(24.5));
        let r = plan_form(&lib, &form("500", "1"));
        assert!(
            r.field_errors
                .get("weightKg")
                .is_some_and(|m| m.contains("1 to 400 kg")),
            "{:?}",
            r.field_errors
        );
    }

    /// Target mode sends the target input even while it is empty: that is
    /// "required", not a plan of the protocol's dose nobody ordered.
    #[test]
    fn target_mode_with_no_target_plans_nothing() {
        let lib = Library::default_library().unwrap();
        let mut f = Form {
            protocol: "custom".into(),
            ..form("70", "1")
        };
        f.target_ng_per_ml = Some(" ".into());
        let r = plan_form(&lib, &f);
        assert!(r.plan.is_none());
        // Only the target is asked for, not the custom protocol's start dose.
        assert_eq!(r.field_errors.len(), 1, "{:?}", r.field_errors);
        assert_eq!(
            r.field_errors.get("targetNgPerMl"),
            Some("Enter the target plasma level in ng/mL, or order a dose instead.")
        );
        // 150 ng/mL, Domino, 70 kg: 39.7 mL/h at 1 mg/mL for the first 15 min.
        f.target_ng_per_ml = Some("150".into());
        let plan = plan_form(&lib, &f).plan.unwrap();
        assert_eq!(plan.levels[0].ml_per_hour, Some(39.7));
        assert_eq!(plan.levels[1].text.from.as_deref(), Some("15 min"));
        assert!(plan.target.is_some());
    }
}
