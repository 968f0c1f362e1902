//! Proves that opening a course record never panics, whatever the file holds:
//! arbitrary bytes go through `CourseRecord::from_json` (bounded `Value`,
//! schema, every path checked) and every record read is reviewed against the
//! shipped library (each course planned again, baselines, relief, ledger).
//! Seed: tests/course-record.json (scripts/fuzz.sh).
#![no_main]

use ketamine_planner::record::CourseRecord;
use ketamine_planner::review::review;
use ketamine_planner_fuzz::LIBRARY;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(record) = CourseRecord::from_json(text) {
        let _ = review(&LIBRARY, &record);
    }
});
