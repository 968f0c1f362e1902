//! Proves that `plan::plan` never panics on structured requests that get past
//! parsing (see `Request`): a known protocol or any text, plausible or wild
//! numbers in every field, known or unknown units, schedules and cautions, a
//! start and a previous course end near the supported years. Each plan
//! returned is checked, planned again with its alerts acknowledged and
//! exported with `plan::course_ics` at any stamp, and its session clock read.
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner_fuzz::{plan_and_export, Request, When, LIBRARY};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    request: Request,
    acknowledge: bool,
    stamp: When,
}

fuzz_target!(|i: Input| {
    let req = i.request.build(&LIBRARY);
    plan_and_export(&LIBRARY, &req, i.acknowledge, &i.stamp.date_time());
});
