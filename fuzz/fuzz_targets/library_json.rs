//! Proves that loading a clinic's own library file never panics:
//! `Library::from_json` on any bytes. A library that loads is then used to
//! plan every one of its protocols (with a start date, alerts acknowledged,
//! .ics export), so validation is shown to keep out whatever would make the
//! planner panic. Seed: data/library.json (scripts/fuzz.sh).
#![no_main]

use ketamine_planner::protocol::Library;
use ketamine_planner_fuzz::plan_every_protocol;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(lib) = Library::from_json(text) {
        plan_every_protocol(&lib);
    }
});
