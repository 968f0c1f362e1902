//! Session and course timeline (clinical spec section 6): what happens when,
//! on which dates, and the cumulative dose. The dosing core prepares the rate
//! labels; this module only places them on the wall clock, so it never
//! decides a dose. Every number that is a design default (D) is a named
//! constant below.

use crate::alert::Alert;
use crate::calendar::{LocalDate, LocalDateTime, Weekday};
use crate::error::{PlanError, Result};
use serde::{Deserialize, Serialize};

/// The schedule, booster phases and follow-up windows are the protocol
/// library's own types, so the library data passes through unchanged.
/// Follow-up and booster days count from the course end: the date the last
/// infusion ends.
pub use crate::protocol::{BoosterPhase, FollowUpWindow, Schedule};

mod svg;
pub use svg::svg_session;
pub(crate) use svg::xml_escape;

/// Default arrival and checks before the infusion starts (D).
pub const DEFAULT_PRE_MINUTES: u32 = 30;
/// Default observation after the infusion ends (S: Walter Reed report).
pub const DEFAULT_OBSERVATION_MINUTES: u32 = 120;
/// Premedication is placed this long before the start (D), or at arrival
/// when the pre-infusion phase is shorter.
pub const PREMEDICATION_LEAD_MINUTES: u32 = 15;
/// Blood pressure every 15 min during the infusion (S: Goldberg 2005).
pub const VITALS_INTERVAL_MINUTES: u32 = 15;
/// Multi-day courses print vital-sign rows for the first 4 h only (D), so a
/// 5-day sheet is not 480 rows a day; the last row says monitoring goes on.
pub const MULTI_DAY_VITALS_ROWS_MINUTES: u32 = 240;
/// New bag or syringe every 24 h (S).
pub const BAG_CHANGE_MINUTES: u32 = 1440;
/// Liver tests "every 1 to 2 days" (S2); placed every 2 days (D).
pub const LIVER_TEST_MINUTES: u32 = 2880;
/// A new course sooner than this after the previous one raises the liver
/// alert (S: Noppers 2011; D for the scope: any course, outpatient series
/// included, clinical-spec section 8).
pub const RETREATMENT_MIN_DAYS: i64 = 21;

// Input bounds (D): far beyond any protocol, small enough to bound output size.
const MAX_SESSIONS: u32 = 100;
const MAX_INFUSION_MINUTES: u32 = 20_160; // 14 days
const MAX_PRE_MINUTES: u32 = 240;
const MAX_OBSERVATION_MINUTES: u32 = 1440;
const MAX_RATE_CHANGES: usize = 500;
const MAX_PHASES: usize = 20;
const MAX_OCCURRENCES: u32 = 60;
const MAX_INTERVAL_DAYS: u32 = 366;
const MAX_SESSIONS_PER_OCCURRENCE: u32 = 7;
const MAX_FOLLOW_UP_DAYS: u32 = 3660;
const MAX_TEXT_CHARS: usize = 500;

/// One pump setting from `at_minute` after infusion start. `None` rates mean
/// the step is hard-limited: no pump rate is shown, the label says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateChange {
    pub at_minute: u32,
    pub ml_per_hour: Option<f64>,
    pub mg_per_hour: Option<f64>,
    /// Prepared by the caller, e.g. "20 mg/h = 10 mL/h".
    pub label: String,
}

fn default_pre() -> u32 {
    DEFAULT_PRE_MINUTES
}
fn default_observation() -> u32 {
    DEFAULT_OBSERVATION_MINUTES
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineInput {
    /// First session's infusion start.
    pub start: LocalDateTime,
    pub schedule: Schedule,
    /// Must be 1 for `single` and `continuous`.
    pub sessions: u32,
    /// Per session; for `continuous` the whole infusion (e.g. 7200).
    pub infusion_minutes: u32,
    #[serde(default = "default_pre")]
    pub pre_minutes: u32,
    #[serde(default = "default_observation")]
    pub observation_minutes: u32,
    #[serde(default)]
    pub premedication: Option<String>,
    /// First at minute 0, then strictly later, all before the infusion ends; same each session.
    pub rate_changes: Vec<RateChange>,
    /// Planned mg per session (len = sessions); `None` when a step is hard-limited.
    pub session_mg: Vec<Option<f64>>,
    #[serde(default)]
    pub booster: Vec<BoosterPhase>,
    #[serde(default)]
    pub follow_up: Vec<FollowUpWindow>,
    #[serde(default)]
    pub previous_course_end: Option<LocalDate>,
    /// Vital-sign rows are printed for this many minutes of the infusion;
    /// default: all of it, or the first 4 h of a multi-day infusion.
    #[serde(default)]
    pub vitals_rows_minutes: Option<u32>,
    /// From the library's discharge conditions (clinic-editable).
    #[serde(default = "default_no_driving_hours")]
    pub no_driving_hours: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    // Declaration order breaks ties between events at the same minute.
    Arrival,
    Premedication,
    InfusionStart,
    RateChange,
    BagChange,
    LiverTest,
    Vitals,
    InfusionEnd,
    DischargeEarliest,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineEvent {
    pub at: LocalDateTime,
    pub kind: EventKind,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionTimeline {
    /// 1-based.
    pub index: u32,
    pub weekday: Weekday,
    pub arrival: LocalDateTime,
    pub start: LocalDateTime,
    pub end: LocalDateTime,
    pub discharge_earliest: LocalDateTime,
    pub planned_mg: Option<f64>,
    /// Sum of planned mg up to and including this session; `None` once any
    /// session's dose is unknown, rather than a sum that looks complete.
    pub cumulative_mg: Option<f64>,
    pub events: Vec<TimelineEvent>,
    pub text: SessionText,
}

/// The session's doses as shown (ISMP, unit beside the number).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionText {
    /// Plain-language dates for patients, e.g. "Monday 7 December 2026":
    /// the session's start and its earliest discharge.
    pub date: String,
    pub discharge_date: String,
    pub planned_mg: String,
    pub cumulative_mg: String,
}

fn mg_text(mg: Option<f64>) -> String {
    mg.map_or_else(
        || "no dose: a rate is refused".to_string(),
        |v| crate::numbers::with_unit(v, crate::numbers::decimals::MG, "mg"),
    )
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BoosterDate {
    pub phase: String,
    /// 1-based within the phase.
    pub occurrence: u32,
    pub date: LocalDate,
    pub sessions: u32,
    pub label: String,
    /// Evidence tag of the phase, shown beside the date.
    pub tag: String,
    /// The date in plain language, for patients.
    pub date_text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FollowUpDates {
    pub kind: String,
    pub from: LocalDate,
    pub to: LocalDate,
    pub source: String,
    pub tag: String,
    /// The window in plain language, for patients: "Friday 18 December 2026
    /// to Friday 12 March 2027", or one date.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub schedule: Schedule,
    /// Continuous over more than 24 h: bag changes, liver tests, re-treatment check.
    pub multi_day: bool,
    /// Date the last infusion ends; boosters and follow-up count from here.
    pub course_end: LocalDate,
    pub sessions: Vec<SessionTimeline>,
    pub boosters: Vec<BoosterDate>,
    pub follow_up: Vec<FollowUpDates>,
    pub alerts: Vec<Alert>,
}

const ARRIVAL_LABEL: &str = "Arrival and checks: consent, baseline vital signs and pain score";
const VITALS_LABEL: &str = "Vital signs: blood pressure; continuous ECG and SpO2";
fn default_no_driving_hours() -> u32 {
    24
}

fn discharge_label(no_driving_hours: u32) -> String {
    format!("End of observation: earliest discharge, when side effects have resolved; only with a responsible adult; no driving for {no_driving_hours} h")
}
const BOOSTER_LABEL: &str = "planned booster (to be confirmed)";

fn err(field: impl Into<String>, code: &str, message: impl Into<String>) -> PlanError {
    PlanError::new(field, code, message)
}

fn check_max(field: &str, value: u32, min: u32, max: u32) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(err(
            field,
            "out_of_range",
            format!("Must be between {min} and {max}."),
        ))
    }
}

fn check_text(field: &str, text: &str) -> Result<()> {
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(err(
            field,
            "too_long",
            format!("At most {MAX_TEXT_CHARS} characters."),
        ));
    }
    Ok(())
}

fn check_rate(field: String, rate: Option<f64>) -> Result<()> {
    match rate {
        Some(r) if !r.is_finite() || r < 0.0 => Err(err(
            field,
            "out_of_range",
            "A rate must be a finite number, 0 or more.",
        )),
        _ => Ok(()),
    }
}

fn multi_day(input: &TimelineInput) -> bool {
    input.schedule == Schedule::Continuous && input.infusion_minutes > 1440
}

fn validate(input: &TimelineInput) -> Result<()> {
    match input.schedule {
        Schedule::Single | Schedule::Continuous if input.sessions != 1 => {
            return Err(err(
                "sessions",
                "invalid_for_schedule",
                "A single or continuous course has exactly 1 session.",
            ));
        }
        _ => check_max("sessions", input.sessions, 1, MAX_SESSIONS)?,
    }
    check_max(
        "infusionMinutes",
        input.infusion_minutes,
        1,
        MAX_INFUSION_MINUTES,
    )?;
    check_max("preMinutes", input.pre_minutes, 0, MAX_PRE_MINUTES)?;
    check_max(
        "observationMinutes",
        input.observation_minutes,
        0,
        MAX_OBSERVATION_MINUTES,
    )?;
    if input.schedule != Schedule::Continuous && input.infusion_minutes > 1440 {
        return Err(err(
            "infusionMinutes",
            "invalid_for_schedule",
            "An infusion longer than 24 h is a continuous course.",
        ));
    }
    let whole_visit = input.pre_minutes + input.infusion_minutes + input.observation_minutes;
    if matches!(input.schedule, Schedule::Daily | Schedule::Weekdays) && whole_visit > 1440 {
        return Err(err("infusionMinutes", "sessions_overlap", "Arrival, infusion and observation take more than 24 h, so daily sessions would overlap."));
    }
    if let Some(rows) = input.vitals_rows_minutes {
        check_max(
            "vitalsRowsMinutes",
            rows,
            VITALS_INTERVAL_MINUTES,
            MAX_INFUSION_MINUTES,
        )?;
    }
    if let Some(text) = &input.premedication {
        check_text("premedication", text)?;
    }
    validate_rates(input)?;
    if input.session_mg.len() != input.sessions as usize {
        return Err(err(
            "sessionMg",
            "length_mismatch",
            "One planned dose per session is needed.",
        ));
    }
    for (i, mg) in input.session_mg.iter().enumerate() {
        check_rate(format!("sessionMg[{i}]"), *mg)?;
    }
    validate_after_course(input)
}

fn validate_rates(input: &TimelineInput) -> Result<()> {
    let rc = &input.rate_changes;
    if rc.is_empty() || rc.len() > MAX_RATE_CHANGES {
        return Err(err(
            "rateChanges",
            "out_of_range",
            format!("Between 1 and {MAX_RATE_CHANGES} rate steps, the first at minute 0."),
        ));
    }
    let mut previous: Option<u32> = None;
    for (i, step) in rc.iter().enumerate() {
        let field = format!("rateChanges[{i}].atMinute");
        let ok = match previous {
            None => step.at_minute == 0,
            Some(p) => step.at_minute > p && step.at_minute < input.infusion_minutes,
        };
        if !ok {
            return Err(err(field, "out_of_order", "The first rate step is at minute 0; each later one is later than the one before and before the infusion ends."));
        }
        previous = Some(step.at_minute);
        check_rate(format!("rateChanges[{i}].mlPerHour"), step.ml_per_hour)?;
        check_rate(format!("rateChanges[{i}].mgPerHour"), step.mg_per_hour)?;
        check_text(&format!("rateChanges[{i}].label"), &step.label)?;
    }
    Ok(())
}

fn validate_after_course(input: &TimelineInput) -> Result<()> {
    if input.booster.len() > MAX_PHASES || input.follow_up.len() > MAX_PHASES {
        return Err(err(
            "booster",
            "out_of_range",
            format!("At most {MAX_PHASES} booster phases and {MAX_PHASES} follow-up windows."),
        ));
    }
    for (i, p) in input.booster.iter().enumerate() {
        check_text(&format!("booster[{i}].label"), &p.label)?;
        check_text(&format!("booster[{i}].tag"), &p.tag)?;
        check_max(
            &format!("booster[{i}].intervalDays"),
            p.interval_days,
            1,
            MAX_INTERVAL_DAYS,
        )?;
        check_max(
            &format!("booster[{i}].occurrences"),
            p.occurrences,
            0,
            MAX_OCCURRENCES,
        )?;
        check_max(
            &format!("booster[{i}].sessionsPerOccurrence"),
            p.sessions_per_occurrence,
            1,
            MAX_SESSIONS_PER_OCCURRENCE,
        )?;
    }
    for (i, w) in input.follow_up.iter().enumerate() {
        for (name, text) in [("kind", &w.kind), ("source", &w.source), ("tag", &w.tag)] {
            check_text(&format!("followUp[{i}].{name}"), text)?;
        }
        check_max(
            &format!("followUp[{i}].toDays"),
            w.to_days,
            0,
            MAX_FOLLOW_UP_DAYS,
        )?;
        check_max(
            &format!("followUp[{i}].fromDays"),
            w.from_days,
            0,
            w.to_days,
        )?;
    }
    Ok(())
}

fn past_range() -> PlanError {
    err(
        "start",
        "out_of_range",
        format!(
            "The course would run past year {}.",
            crate::calendar::MAX_YEAR
        ),
    )
}

fn add_minutes(t: LocalDateTime, minutes: i64) -> Result<LocalDateTime> {
    t.checked_add_minutes(minutes).ok_or_else(past_range)
}

fn add_days(d: LocalDate, days: i64) -> Result<LocalDate> {
    d.checked_add_days(days).ok_or_else(past_range)
}

/// Infusion start of every session, per schedule. A weekdays course entered
/// on a Saturday or Sunday is refused rather than moved: the date the
/// clinician typed is not silently changed, and the message names the Monday.
fn session_starts(input: &TimelineInput) -> Result<Vec<LocalDateTime>> {
    let start = input.start;
    if input.schedule == Schedule::Weekdays && start.date().weekday().is_weekend() {
        let day = start.date().weekday();
        let shift = if day == Weekday::Saturday { 2 } else { 1 };
        let monday = add_days(start.date(), shift)?;
        return Err(err("start", "weekend_start", format!("{} is a {}; a weekdays course runs Monday to Friday. Start on {} (Monday) or choose daily sessions.", start.date(), day.name(), monday)));
    }
    let mut starts = Vec::new();
    let mut day = start;
    while starts.len() < input.sessions as usize {
        let skip = input.schedule == Schedule::Weekdays && day.date().weekday().is_weekend();
        if !skip {
            starts.push(day);
        }
        day = day.checked_add_days(1).ok_or_else(past_range)?;
    }
    Ok(starts)
}

fn event(at: LocalDateTime, kind: EventKind, label: impl Into<String>) -> TimelineEvent {
    TimelineEvent {
        at,
        kind,
        label: label.into(),
    }
}

/// Pump rate as printed: one decimal, two when the pump resolution needs it.
/// mL/h as the pump shows it: ISMP style, up to 0.01 mL/h.
fn format_ml(ml: f64) -> String {
    crate::numbers::format(ml, 2)
}

fn rate_label(step: &RateChange) -> String {
    match step.ml_per_hour {
        None => format!("{} (no pump rate shown)", step.label),
        // contains("mL/h") without core's substring searcher (4 KB of wasm).
        Some(_) if step.label.as_bytes().windows(4).any(|w| w == b"mL/h") => step.label.clone(),
        Some(ml) => format!("{} = {} mL/h", step.label, format_ml(ml)),
    }
}

fn session_events(input: &TimelineInput, start: LocalDateTime) -> Result<Vec<TimelineEvent>> {
    let pre = i64::from(input.pre_minutes);
    let infusion = i64::from(input.infusion_minutes);
    let end = add_minutes(start, infusion)?;
    let mut events = vec![event(
        add_minutes(start, -pre)?,
        EventKind::Arrival,
        ARRIVAL_LABEL,
    )];
    if let Some(text) = input
        .premedication
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        let lead = input.pre_minutes.min(PREMEDICATION_LEAD_MINUTES);
        let label =
            format!("Premedication {lead} min before start (timing is a design default): {text}");
        events.push(event(
            add_minutes(start, -i64::from(lead))?,
            EventKind::Premedication,
            label,
        ));
    }
    for (i, step) in input.rate_changes.iter().enumerate() {
        let at = add_minutes(start, i64::from(step.at_minute))?;
        if i == 0 {
            events.push(event(
                at,
                EventKind::InfusionStart,
                format!("Start infusion: {}", rate_label(step)),
            ));
        } else {
            events.push(event(
                at,
                EventKind::RateChange,
                format!("Rate change: {}", rate_label(step)),
            ));
        }
    }
    let multi = multi_day(input);
    if multi {
        for minute in
            (BAG_CHANGE_MINUTES..input.infusion_minutes).step_by(BAG_CHANGE_MINUTES as usize)
        {
            events.push(event(
                add_minutes(start, i64::from(minute))?,
                EventKind::BagChange,
                "New bag or syringe (every 24 h)",
            ));
        }
        for minute in
            (LIVER_TEST_MINUTES..input.infusion_minutes).step_by(LIVER_TEST_MINUTES as usize)
        {
            events.push(event(
                add_minutes(start, i64::from(minute))?,
                EventKind::LiverTest,
                "Liver function tests (every 1 to 2 days)",
            ));
        }
    }
    let default_rows = if multi {
        MULTI_DAY_VITALS_ROWS_MINUTES
    } else {
        input.infusion_minutes
    };
    let rows_until = input
        .vitals_rows_minutes
        .unwrap_or(default_rows)
        .min(input.infusion_minutes);
    let row_minutes: Vec<u32> = (VITALS_INTERVAL_MINUTES..=rows_until)
        .step_by(VITALS_INTERVAL_MINUTES as usize)
        .collect();
    for (i, minute) in row_minutes.iter().enumerate() {
        let last_printed = i + 1 == row_minutes.len() && rows_until < input.infusion_minutes;
        let label = if last_printed {
            format!("{VITALS_LABEL} (last printed row: blood pressure every 15 min continues until the infusion ends)")
        } else {
            VITALS_LABEL.to_string()
        };
        events.push(event(
            add_minutes(start, i64::from(*minute))?,
            EventKind::Vitals,
            label,
        ));
    }
    events.push(event(end, EventKind::InfusionEnd, "Stop infusion"));
    let discharge = add_minutes(end, i64::from(input.observation_minutes))?;
    events.push(event(
        discharge,
        EventKind::DischargeEarliest,
        discharge_label(input.no_driving_hours),
    ));
    crate::sort::sort_by(&mut events, |a, b| (a.at, a.kind) < (b.at, b.kind));
    Ok(events)
}

fn boosters(input: &TimelineInput, course_end: LocalDate) -> Result<Vec<BoosterDate>> {
    let mut out = Vec::new();
    let mut previous = course_end;
    for phase in input.booster.iter() {
        for occurrence in 1..=phase.occurrences {
            previous = add_days(previous, i64::from(phase.interval_days))?;
            let label = match phase.sessions_per_occurrence {
                1 => format!("{}: {BOOSTER_LABEL}", phase.label),
                n => format!(
                    "{}: {BOOSTER_LABEL}, {n} sessions from this date",
                    phase.label
                ),
            };
            let sessions = phase.sessions_per_occurrence;
            out.push(BoosterDate {
                tag: phase.tag.clone(),
                phase: phase.label.clone(),
                occurrence,
                date: previous,
                sessions,
                label,
                date_text: previous.long_text(),
            });
        }
    }
    Ok(out)
}

fn follow_up(input: &TimelineInput, course_end: LocalDate) -> Result<Vec<FollowUpDates>> {
    input
        .follow_up
        .iter()
        .map(|w| {
            let (from, to) = (
                add_days(course_end, i64::from(w.from_days))?,
                add_days(course_end, i64::from(w.to_days))?,
            );
            let text = if from == to {
                from.long_text()
            } else {
                format!("{} to {}", from.long_text(), to.long_text())
            };
            Ok(FollowUpDates {
                kind: w.kind.clone(),
                from,
                to,
                source: w.source.clone(),
                tag: w.tag.clone(),
                text,
            })
        })
        .collect()
}

/// Soft alert when a new course, of any kind, starts fewer than 21 days after
/// the previous course ended (exactly 21 is fine). A course's own sessions
/// and its planned boosters never raise it: only a new course has a
/// `previousCourseEnd`.
fn retreatment_alert(input: &TimelineInput) -> Result<Option<Alert>> {
    let Some(previous) = input.previous_course_end else {
        return Ok(None);
    };
    let days = previous.days_until(input.start.date());
    if days < 0 {
        return Err(err(
            "previousCourseEnd",
            "after_start",
            "The previous course cannot end after this course starts.",
        ));
    }
    if days >= RETREATMENT_MIN_DAYS {
        return Ok(None);
    }
    Ok(Some(Alert::soft(
        "retreatment_within_21_days",
        format!("This course starts {days} days after the previous course ended ({previous}), fewer than 21. Check liver function tests before it (and during a multi-day course): liver injury occurred in 3 of 6 patients when a course was repeated after 16 days (Noppers 2011)."),
    )))
}

/// Build the whole timeline. Fails at the offending field, never panics.
pub fn build_timeline(input: &TimelineInput) -> Result<Timeline> {
    validate(input)?;
    let mut alerts = Vec::new();
    alerts.extend(retreatment_alert(input)?);
    let mut sessions = Vec::new();
    let mut cumulative = Some(0.0);
    for (i, (start, mg)) in session_starts(input)?
        .into_iter()
        .zip(&input.session_mg)
        .enumerate()
    {
        let events = session_events(input, start)?;
        cumulative = cumulative.zip(*mg).map(|(sum, mg)| sum + mg);
        let end = add_minutes(start, i64::from(input.infusion_minutes))?;
        let discharge_earliest = add_minutes(end, i64::from(input.observation_minutes))?;
        sessions.push(SessionTimeline {
            index: u32::try_from(i + 1).unwrap_or(u32::MAX),
            weekday: start.date().weekday(),
            arrival: add_minutes(start, -i64::from(input.pre_minutes))?,
            start,
            end,
            discharge_earliest,
            planned_mg: *mg,
            cumulative_mg: cumulative,
            events,
            text: SessionText {
                date: start.date().long_text(),
                discharge_date: discharge_earliest.date().long_text(),
                planned_mg: mg_text(*mg),
                cumulative_mg: mg_text(cumulative),
            },
        });
    }
    let course_end = sessions
        .last()
        .map(|s| s.end.date())
        .ok_or_else(|| err("sessions", "out_of_range", "At least 1 session."))?;
    Ok(Timeline {
        schedule: input.schedule,
        multi_day: multi_day(input),
        course_end,
        boosters: boosters(input, course_end)?,
        follow_up: follow_up(input, course_end)?,
        sessions,
        alerts,
    })
}
