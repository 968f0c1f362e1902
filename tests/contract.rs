//! Issue 9, "nothing silent": each path that used to plan something nobody
//! ordered, now refused or explained. The same requests run through the
//! shipped file in Chromium (tests/browser/contract.test.mjs).

use ketamine_planner::contract;
use ketamine_planner::plan::{plan, Plan};
use ketamine_planner::protocol::Library;
use ketamine_planner::request::PlanRequest;
use serde_json::{json, Value};

fn outcome(req: Value) -> Result<Plan, ketamine_planner::error::FieldErrors> {
    let lib = Library::default_library().unwrap();
    PlanRequest::from_json(&req.to_string()).and_then(|r| plan(&lib, &r))
}

#[test]
fn schwartzman_keeps_total_body_weight_when_height_is_entered() {
    // 60 kg, 150 cm, female: IBW = 45.5 + 2.3 x (150/2.54 - 60) = 43.3 kg;
    // 60 > 1.2 x 43.3 = 52 so "auto" would pick AdjBW 50 kg (17.5 mL/h).
    // The protocol orders TBW: 0.35 x 60 = 21 mg/h = 21 mL/h at 1 mg/mL.
    let p = outcome(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 60, "heightCm": 150, "sex": "female"}, "concentrationMgPerMl": 1})).unwrap();
    assert_eq!(p.levels[0].ml_per_hour, Some(21.0));
    let basis = p
        .provenance
        .iter()
        .find(|v| v.value == "weightBasis")
        .unwrap();
    assert_eq!(basis.text, "Weight basis: total, per protocol");
    // Ordered adjusted: 17.5 mL/h, with an info alert naming the change.
    let p = outcome(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 60, "heightCm": 150, "sex": "female"}, "weightBasis": "adjusted", "concentrationMgPerMl": 1})).unwrap();
    assert_eq!(p.levels[0].ml_per_hour, Some(17.5));
    let a = p
        .alerts
        .iter()
        .find(|a| a.code == "weight_basis_changed")
        .unwrap();
    assert_eq!(
        a.message,
        "Weight basis: adjusted, changed from the protocol's total."
    );
}

#[test]
fn custom_needs_its_start_dose() {
    let e = outcome(
        json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1}),
    )
    .unwrap_err();
    let e = e.first().unwrap();
    assert_eq!(
        (e.field.as_str(), e.code.as_str()),
        ("startDose", "required")
    );
    assert_eq!(e.message, "Enter the start dose in mg/kg/h.");
}

#[test]
fn unknown_keys_never_plan() {
    for (req, field) in [
        (
            json!({"protocol": "custom", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"startdose": 0.2}}),
            "dose.startdose",
        ),
        (
            json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70, "Frail": true}, "concentrationMgPerMl": 5}),
            "patient.Frail",
        ),
        (
            json!({"protocol": "ward-low-dose", "patient": {"weightKg": 70, "age": 80}, "concentrationMgPerMl": 5}),
            "patient.age",
        ),
        (
            json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "weightbasis": "ideal", "concentrationMgPerMl": 1}),
            "weightbasis",
        ),
        (
            json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "caution": ["opioids"], "concentrationMgPerMl": 1}),
            "caution",
        ),
        (
            json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "pumpResolutionMlPerHr": 1, "concentrationMgPerMl": 1}),
            "pumpResolutionMlPerHr",
        ),
    ] {
        let e = outcome(req).unwrap_err();
        assert_eq!(e.first().unwrap().field, field);
        assert_eq!(e.first().unwrap().code, "unknown_field");
    }
}

#[test]
fn wrong_types_and_missing_protocol_name_their_field() {
    let e = outcome(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": "70"}, "concentrationMgPerMl": 1})).unwrap_err();
    assert_eq!(e.first().unwrap().field, "weightKg");
    assert_eq!(
        e.first().unwrap().message,
        "Weight must be a number; got the text \"70\"."
    );
    let e = outcome(json!({"patient": {"weightKg": 70}, "concentrationMgPerMl": 1})).unwrap_err();
    assert_eq!(e.first().unwrap().field, "protocol");
    assert_eq!(e.first().unwrap().code, "required");
}

#[test]
fn every_field_error_is_reported_at_once() {
    let e = outcome(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 500, "heightCm": 20}, "concentrationMgPerMl": 0, "dose": {"sessions": 0}})).unwrap_err();
    let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["weightKg", "concentrationMgPerMl", "sessions"]);
}

#[test]
fn absurd_lists_are_refused_quickly() {
    let many: Vec<String> = (0..1_000_000).map(|i| format!("c{i}")).collect();
    let e = outcome(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "cautions": many})).unwrap_err();
    assert_eq!(e.first().unwrap().code, "not_json");
    assert!(e.first().unwrap().message.contains("more than 64 items"));
}

#[test]
fn provenance_names_every_value_that_decides_the_rate() {
    let p = outcome(json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1, "dose": {"sessions": 5}})).unwrap();
    let texts: Vec<&str> = p.provenance.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Dose: 0.35 mg/kg/h, per protocol",
            "Infusion duration: 4 h, per protocol",
            "Schedule: weekdays, per protocol",
            "Sessions: 5, ordered",
            "Observation: 2 h, per protocol",
            "Weight basis: total, per protocol",
            "Concentration: 1 mg/mL, ordered",
            "Pump resolution: 0.1 mL/h, planner default (D): set your pump's",
            "Container: 250 mL bag, the smallest that holds 98 mL and 25 mL to prime the line (design default)",
        ]
    );
}

/// One-edit misspellings of every field are refused at its level (the
/// browser runs the same through the shipped file).
#[test]
fn every_misspelt_field_is_refused_and_suggested() {
    for f in contract::FIELDS {
        let name = f.name();
        let wrong = format!("{}{}", &name[..name.len() - 1], "X");
        let mut req = json!({"protocol": "schwartzman-2009", "patient": {"weightKg": 70}, "concentrationMgPerMl": 1});
        match f.path.split_once('.') {
            Some((group, _)) => {
                req[group][&wrong] = json!(1);
            }
            None => req[&wrong] = json!(1),
        }
        let e = outcome(req).unwrap_err();
        let e = e.first().unwrap();
        assert_eq!(e.code, "unknown_field", "{wrong}");
        assert!(
            e.message.ends_with(&format!("did you mean {}?", f.path)),
            "{}",
            e.message
        );
    }
}

#[test]
fn readme_request_table_is_the_contract() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&contract::markdown_table()),
        "README's request table differs from contract::markdown_table():\n{}",
        contract::markdown_table()
    );
}

#[test]
fn calendar_of_an_unconfirmed_plan_says_so_in_every_event() {
    let p = outcome(json!({"protocol": "walter-reed-outpatient", "patient": {"weightKg": 80}, "concentrationMgPerMl": 2, "start": "2026-12-07T08:00"})).unwrap();
    assert!(!p.confirmed);
    let stamp =
        ketamine_planner::calendar::LocalDateTime::parse("2026-12-01T10:00", "dtstampUtc").unwrap();
    let ics = ketamine_planner::plan::course_ics(&p, stamp).unwrap();
    let summaries: Vec<&str> = ics.lines().filter(|l| l.starts_with("SUMMARY:")).collect();
    assert!(!summaries.is_empty());
    assert!(
        summaries.iter().all(|s| s.contains("UNCONFIRMED")),
        "{summaries:?}"
    );
}

/// `PlanRequest::from_value` reads each field at its contract path by hand:
/// every field of the contract, set to a value of its kind, comes back out
/// of the request at the same path (a field the reader missed would be
/// silently dropped, so this must hold for all of them).
#[test]
fn every_contract_field_reaches_the_request() {
    use ketamine_planner::contract::{Kind, FIELDS};
    let mut request = serde_json::json!({});
    for (i, f) in FIELDS.iter().enumerate() {
        let value = match f.kind {
            Kind::Number | Kind::Whole => serde_json::json!(i as f64 + 1.0),
            Kind::Choice(words) => serde_json::json!(words[words.len() - 1]),
            Kind::Text => serde_json::json!(format!("text-{i}")),
            Kind::Flag => serde_json::json!(true),
            Kind::Codes => serde_json::json!([format!("code-{i}"), "second"]),
        };
        let mut at = &mut request;
        let parts: Vec<&str> = f.path.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            at = at
                .as_object_mut()
                .unwrap()
                .entry(*p)
                .or_insert(serde_json::json!({}));
        }
        at[parts[parts.len() - 1]] = value;
    }
    let req = ketamine_planner::request::PlanRequest::from_json(&request.to_string()).unwrap();
    let back = serde_json::to_value(&req).unwrap();
    for f in FIELDS.iter() {
        let pointer = format!("/{}", f.path.replace('.', "/"));
        assert_eq!(
            back.pointer(&pointer),
            request.pointer(&pointer),
            "{}",
            f.path
        );
    }
}
