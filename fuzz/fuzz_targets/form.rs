//! Proves that `form::plan_form`, the call the page makes on every
//! keystroke, never panics on any text in any field: each input is empty, a
//! number written out, a known value or any string. A plan the form returns
//! is planned again with its alerts acknowledged and exported as .ics.
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::form::{plan_form, Form};
use ketamine_planner_fuzz::*;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    protocol: Choice,
    weight_kg: Option<NumText>,
    weight_lb: Option<NumText>,
    height_cm: NumText,
    sex: Choice,
    age_years: NumText,
    frail: bool,
    weight_basis: Choice,
    concentration: NumText,
    pump_resolution: NumText,
    preparation_volume: NumText,
    dose_unit: Choice,
    start_dose: NumText,
    step_dose: NumText,
    max_dose: NumText,
    session_dose_mg: NumText,
    session_minutes: NumText,
    sessions: NumText,
    schedule: Choice,
    observation_minutes: NumText,
    rate_ml_per_hour: NumText,
    volume_ml: NumText,
    volume_minutes: NumText,
    step_every_minutes: NumText,
    target_ng_per_ml: Option<NumText>,
    model: Choice,
    reach_minutes: NumText,
    start: When,
    previous_course_end: When,
    acknowledged: Vec<String>,
    cautions: Vec<Choice>,
    acknowledge: bool,
}

fuzz_target!(|i: Input| {
    let lib = &*LIBRARY;
    let form = Form {
        protocol: i.protocol.pick(&protocol_ids(lib)),
        weight_kg: i.weight_kg.as_ref().map(NumText::text),
        weight_lb: i.weight_lb.as_ref().map(NumText::text),
        height_cm: i.height_cm.text(),
        sex: i.sex.pick(&SEXES),
        age_years: i.age_years.text(),
        frail: i.frail,
        weight_basis: i.weight_basis.pick(&WEIGHT_BASES),
        concentration_mg_per_ml: i.concentration.text(),
        pump_resolution_ml_per_hour: i.pump_resolution.text(),
        preparation_volume_ml: i.preparation_volume.text(),
        dose_unit: i.dose_unit.pick(&DOSE_UNITS),
        start_dose: i.start_dose.text(),
        step_dose: i.step_dose.text(),
        max_dose: i.max_dose.text(),
        session_dose_mg: i.session_dose_mg.text(),
        session_minutes: i.session_minutes.text(),
        sessions: i.sessions.text(),
        schedule: i.schedule.pick(&SCHEDULES),
        observation_minutes: i.observation_minutes.text(),
        rate_ml_per_hour: i.rate_ml_per_hour.text(),
        volume_ml: i.volume_ml.text(),
        volume_minutes: i.volume_minutes.text(),
        step_every_minutes: i.step_every_minutes.text(),
        target_ng_per_ml: i.target_ng_per_ml.as_ref().map(NumText::text),
        model: i.model.pick(&PK_MODELS),
        reach_minutes: i.reach_minutes.text(),
        start: i.start.date_time(),
        previous_course_end: i.previous_course_end.date(),
        acknowledged: i.acknowledged,
        cautions: i
            .cautions
            .iter()
            .map(|c| c.pick(&caution_ids(lib)))
            .collect(),
    };
    let result = plan_form(lib, &form);
    if let (Some(plan), Some(request)) = (&result.plan, &result.request) {
        check_plan(plan, "2026-03-01T08:00");
        if i.acknowledge {
            plan_and_export(lib, request, true, "2026-03-01T08:00");
        }
    }
});
