//! Proves that the session and course timeline, its SVG and its .ics export
//! never panic on any `TimelineInput`, including ones no protocol would
//! produce: any schedule, session count, durations, rate steps (in and out
//! of order, NaN rates), session doses, booster phases, follow-up windows,
//! start and previous course end near the ends of the supported years, and
//! any text in labels, summary and UID seed.
#![no_main]

use arbitrary::Arbitrary;
use ketamine_planner::calendar::{LocalDate, LocalDateTime};
use ketamine_planner::ics;
use ketamine_planner::protocol::{BoosterPhase, FollowUpWindow, Schedule};
use ketamine_planner::timeline::{build_timeline, svg_session, RateChange, TimelineInput};
use ketamine_planner_fuzz::{Num, When};
use libfuzzer_sys::fuzz_target;

/// A count or minute value: mostly small, sometimes any u32.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Count {
    Small(u8),
    Medium(u16),
    Any(u32),
}

impl Count {
    fn get(self) -> u32 {
        match self {
            Count::Small(v) => v.into(),
            Count::Medium(v) => v.into(),
            Count::Any(v) => v,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Step {
    /// Minutes after the previous step (the first step is at this minute).
    after: Count,
    ml_per_hour: Option<Num>,
    mg_per_hour: Option<Num>,
    label: String,
}

#[derive(Arbitrary, Debug)]
struct Input {
    start: When,
    schedule: u8,
    sessions: Count,
    infusion_minutes: Count,
    pre_minutes: Count,
    observation_minutes: Count,
    premedication: Option<String>,
    steps: Vec<Step>,
    session_mg: Vec<Option<Num>>,
    /// Use `session_mg` as given instead of one dose per session.
    raw_session_mg: bool,
    booster: Vec<(String, Count, Count, Count, String)>,
    follow_up: Vec<(String, Count, Count, String, String)>,
    previous_course_end: When,
    vitals_rows_minutes: Option<Count>,
    no_driving_hours: u32,
    summary: String,
    uid_seed: String,
    stamp: When,
}

const SCHEDULES: [Schedule; 4] = [
    Schedule::Single,
    Schedule::Daily,
    Schedule::Weekdays,
    Schedule::Continuous,
];

fuzz_target!(|i: Input| {
    let Ok(start) = LocalDateTime::parse(&i.start.date_time(), "start") else {
        return;
    };
    let sessions = i.sessions.get();
    let mut at = 0u32;
    let rate_changes: Vec<RateChange> = i
        .steps
        .iter()
        .map(|s| {
            at = at.saturating_add(s.after.get());
            RateChange {
                at_minute: at,
                ml_per_hour: s.ml_per_hour.map(Num::value),
                mg_per_hour: s.mg_per_hour.map(Num::value),
                label: s.label.clone(),
            }
        })
        .collect();
    let session_mg = if i.raw_session_mg {
        i.session_mg.iter().map(|m| m.map(Num::value)).collect()
    } else {
        let mg = i.session_mg.first().copied().flatten().map(Num::value);
        vec![mg; sessions.min(200) as usize]
    };
    let input = TimelineInput {
        start,
        schedule: SCHEDULES[usize::from(i.schedule) % 4],
        sessions,
        infusion_minutes: i.infusion_minutes.get(),
        pre_minutes: i.pre_minutes.get(),
        observation_minutes: i.observation_minutes.get(),
        premedication: i.premedication.map(Into::into),
        rate_changes,
        session_mg,
        booster: i
            .booster
            .into_iter()
            .map(|(label, interval, occurrences, per, tag)| BoosterPhase {
                label: label.into(),
                interval_days: interval.get(),
                occurrences: occurrences.get(),
                sessions_per_occurrence: per.get(),
                tag: tag.into(),
            })
            .collect::<Vec<_>>()
            .into(),
        follow_up: i
            .follow_up
            .into_iter()
            .map(|(kind, from, to, source, tag)| FollowUpWindow {
                kind: kind.into(),
                from_days: from.get(),
                to_days: to.get(),
                source: source.into(),
                tag: tag.into(),
            })
            .collect::<Vec<_>>()
            .into(),
        previous_course_end: LocalDate::parse(&i.previous_course_end.date(), "previousCourseEnd")
            .ok(),
        vitals_rows_minutes: i.vitals_rows_minutes.map(Count::get),
        no_driving_hours: i.no_driving_hours,
    };
    let Ok(timeline) = build_timeline(&input) else {
        return;
    };
    for session in timeline.sessions.iter().take(3) {
        let _ = svg_session(session, &input.rate_changes);
    }
    let stamp = LocalDateTime::parse(&i.stamp.date_time(), "dtstamp").unwrap_or(start);
    let _ = ics::course_ics(&timeline, &i.summary, &i.uid_seed, stamp);
});
