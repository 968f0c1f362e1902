//! Proves that `plan::plan` never panics on any request the page or an API
//! caller can send: arbitrary bytes go through the one way in,
//! `PlanRequest::from_json` (bounded `Value`, the contract's check), planned against the shipped library, and every plan
//! returned is checked and exported with `plan::course_ics`.
//! Seeds: data/reference-cases.json requests plus dated variants (scripts/fuzz.sh).
#![no_main]

use ketamine_planner::request::PlanRequest;
use ketamine_planner_fuzz::{plan_and_export, LIBRARY};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(req) = PlanRequest::from_json(text) {
        plan_and_export(&LIBRARY, &req, false, "2026-03-01T08:00");
    }
});
