//! The review of a course record (clinical-spec section 8): each assessment
//! against its course's baseline (the last assessment on or before the
//! course's first session), the relief window after each course, when the
//! next booster is due, the ledger of what was planned and given, and the
//! alerts across courses. Every course is planned again with this planner's
//! library, so the ledger and the checks are the ones a new plan would get.

use crate::alert::Alert;
use crate::calendar::LocalDate;
use crate::error::{PlanError, Result};
use crate::numbers::{decimals, with_unit};
use crate::order::Order;
use crate::plan::Plan;
use crate::protocol::Library;
use crate::record::{Course, CourseRecord, SCHEMA};
use crate::request::PlanRequest;
use crate::timeline::RETREATMENT_MIN_DAYS;
use serde::Serialize;

mod chart;

/// At least this reduction in pain or in area is a response (Walter Reed; S2).
pub const RESPONDER_PERCENT: f64 = 50.0;
/// At least this is a moderate, clinically meaningful change (D).
pub const PARTIAL_PERCENT: f64 = 30.0;
/// Given more than planned by more than this is reported (rounding of a
/// hand-entered total is not).
const GIVEN_TOLERANCE_MG: f64 = 0.5;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub schema: &'static str,
    pub patient_label: Option<String>,
    /// What differs from when the record was made (planner, library, plans).
    pub notes: Vec<String>,
    pub assessments: Vec<AssessmentReview>,
    pub courses: Vec<CourseReview>,
    pub booster_due: Option<BoosterDue>,
    pub ledger: Ledger,
    pub alerts: Vec<Alert>,
    /// The response chart (`chart.rs`), "" when nothing is dated yet.
    pub chart_svg: String,
    /// The next course's request: the last one, its previous course's end
    /// filled in and no start (the clinician enters it).
    pub next_request: Option<PlanRequest>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentReview {
    pub date: LocalDate,
    pub pain_nrs: f64,
    pub pain_area_percent: Option<f64>,
    pub css_score: Option<f64>,
    /// 1-based course the assessment belongs to (0: before any course).
    pub course: usize,
    pub pain_reduction_percent: Option<f64>,
    pub area_reduction_percent: Option<f64>,
    /// `baseline`, `responder`, `partial`, `none`, `before_course` (earlier
    /// than the baseline) or `no_baseline` (the course has none).
    pub category: &'static str,
    pub text: AssessmentText,
}

/// The reductions as the page shows them ("50%", "-25%" for more pain).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentText {
    pub pain_reduction: String,
    pub area_reduction: String,
}

fn percent_text(p: Option<f64>) -> String {
    p.map_or(String::new(), |p| {
        format!("{}%", crate::numbers::format(p, 0))
    })
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CourseReview {
    pub end: LocalDate,
    /// The last follow-up with a response, and the first without one after
    /// it, in days from the end of the course.
    pub last_response: Option<LocalDate>,
    pub last_response_days: Option<i64>,
    pub first_lost: Option<LocalDate>,
    pub first_lost_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BoosterDue {
    pub from: LocalDate,
    pub to: LocalDate,
    /// `patient` (their own relief duration) or `protocol` (its window).
    pub basis: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    pub courses: Vec<LedgerCourse>,
    pub total_given_mg: f64,
    /// "1,118 mg"
    pub total_given_text: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerCourse {
    pub protocol: String,
    pub start: LocalDate,
    pub end: LocalDate,
    pub planned_mg: Option<f64>,
    pub given_mg: Option<f64>,
    /// Days from the end of the previous course to this one's start.
    pub days_since_previous: Option<i64>,
    pub text: LedgerText,
}

/// The ledger's numbers as the page shows them ("480 mg", "not recorded").
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerText {
    pub protocol: String,
    pub planned_mg: String,
    pub given_mg: String,
}

fn percent_less(baseline: f64, now: f64) -> Option<f64> {
    (baseline > 0.0).then(|| (baseline - now) / baseline * 100.0)
}

fn category(pain: Option<f64>, area: Option<f64>) -> &'static str {
    let best = pain
        .into_iter()
        .chain(area)
        .fold(f64::NEG_INFINITY, f64::max);
    if best >= RESPONDER_PERCENT {
        "responder"
    } else if best >= PARTIAL_PERCENT {
        "partial"
    } else {
        "none"
    }
}

/// Each course planned, with its dates; an error names the course.
fn planned(lib: &Library, i: usize, course: &Course) -> Result<(Plan, LocalDate, LocalDate)> {
    let at = |e: PlanError| {
        PlanError::new(
            format!("/courses/{i}/request/{}", e.field.replace('.', "/")),
            &e.code,
            e.message,
        )
    };
    let order = Order::parse(lib, &course.request).map_err(|all| {
        at(all.first().cloned().unwrap_or_else(|| {
            PlanError::new("request", "invalid_request", "The request is not valid.")
        }))
    })?;
    let plan = order.plan();
    let (Some(first), Some(end)) = (plan.sessions.first(), plan.course_end) else {
        return Err(at(PlanError::new(
            "start",
            "no_course",
            "This course has no sessions to review.",
        )));
    };
    let start = first.start.date();
    for (j, s) in course.sessions.iter().enumerate() {
        if s.date.days_until(start) > 0 {
            return Err(PlanError::new(
                format!("/courses/{i}/sessions/{j}/date"),
                "before_course",
                format!(
                    "{} is before this course's first session ({start}).",
                    s.date
                ),
            ));
        }
    }
    Ok((plan, start, end))
}

pub fn review(lib: &Library, record: &CourseRecord) -> Result<Review> {
    let mut notes = Vec::new();
    if let Some(v) = record
        .planner_version
        .as_deref()
        .filter(|v| *v != crate::VERSION)
    {
        notes.push(format!(
            "Made with planner {v}; reviewed with planner {}.",
            crate::VERSION
        ));
    }
    let lib_changed = record
        .library_version
        .as_deref()
        .filter(|v| *v != lib.version.as_str());
    if let Some(v) = lib_changed {
        notes.push(format!(
            "Made with protocol library {v}; every course is planned again with library {}.",
            lib.version
        ));
    }

    let mut plans: Vec<(Plan, LocalDate, LocalDate)> = Vec::new();
    for (i, c) in record.courses.iter().enumerate() {
        let (plan, start, end) = planned(lib, i, c)?;
        if let (Some(then), Some(now)) = (c.planned_mg, plan.totals.course_mg) {
            if (then - now).abs() > GIVEN_TOLERANCE_MG {
                notes.push(format!(
                    "Course {}: planned {} when saved, {} with this library.",
                    i + 1,
                    with_unit(then, decimals::MG, "mg"),
                    with_unit(now, decimals::MG, "mg")
                ));
            }
        }
        if let Some((_, _, prev_end)) = plans.last() {
            if prev_end.days_until(start) < 0 {
                return Err(PlanError::new(
                    format!("/courses/{i}/request/start"),
                    "before_previous",
                    "A course starts before the previous course ended: list courses in order.",
                ));
            }
        }
        plans.push((plan, start, end));
    }

    // Baselines: the last assessment on or before each course's first session.
    let mut sorted: Vec<_> = record.assessments.iter().collect();
    crate::sort::sort_by(&mut sorted, |a, b| a.date < b.date);
    let baseline_of = |start: LocalDate| sorted.iter().rposition(|a| a.date.days_until(start) >= 0);
    let baselines: Vec<Option<usize>> = plans
        .iter()
        .map(|(_, start, _)| baseline_of(*start))
        .collect();
    let mut assessments = Vec::new();
    for (k, a) in sorted.iter().enumerate() {
        // The course it follows: the last one started strictly before it (or whose baseline it is).
        let course = plans
            .iter()
            .rposition(|(_, start, _)| start.days_until(a.date) > 0);
        // A baseline shared by courses with no assessment between them is the first one's.
        let own_baseline = baselines.iter().position(|b| *b == Some(k));
        let (course_no, pain, area, category) = match (own_baseline, course) {
            (Some(c), _) if course.map_or(true, |f| c >= f) => (c + 1, None, None, "baseline"),
            (_, None) => (0, None, None, "before_course"),
            (_, Some(c)) => match baselines[c] {
                None => (c + 1, None, None, "no_baseline"),
                Some(b) => {
                    let base = sorted[b];
                    let pain = percent_less(base.pain_nrs, a.pain_nrs);
                    let area = base
                        .pain_area_percent
                        .zip(a.pain_area_percent)
                        .and_then(|(b, n)| percent_less(b, n));
                    (c + 1, pain, area, category(pain, area))
                }
            },
        };
        assessments.push(AssessmentReview {
            date: a.date,
            pain_nrs: a.pain_nrs,
            pain_area_percent: a.pain_area_percent,
            css_score: a.css_score,
            course: course_no,
            pain_reduction_percent: pain,
            area_reduction_percent: area,
            category,
            text: AssessmentText {
                pain_reduction: percent_text(pain),
                area_reduction: percent_text(area),
            },
        });
    }

    // Relief after each course: follow-ups after its end, before the next course.
    let courses: Vec<CourseReview> = plans
        .iter()
        .enumerate()
        .map(|(i, (_, _, end))| {
            let next_start = plans.get(i + 1).map(|(_, s, _)| *s);
            let follow = assessments.iter().filter(|a| {
                a.course == i + 1
                    && end.days_until(a.date) >= 0
                    && next_start.map_or(true, |n| a.date.days_until(n) > 0)
            });
            let (mut last, mut lost) = (None, None);
            for a in follow {
                match a.category {
                    "responder" if lost.is_none() => last = Some(a.date),
                    "partial" | "none" if lost.is_none() => lost = Some(a.date),
                    _ => {}
                }
            }
            CourseReview {
                end: *end,
                last_response: last,
                last_response_days: last.map(|d| end.days_until(d)),
                first_lost: lost,
                first_lost_days: lost.map(|d| end.days_until(d)),
            }
        })
        .collect();

    let booster_due = booster_due(&plans, &courses);
    let chart_courses: Vec<chart::ChartCourse> = plans
        .iter()
        .enumerate()
        .map(|(i, (_, start, end))| chart::ChartCourse {
            start: *start,
            end: *end,
            given: record.courses[i].sessions.iter().map(|s| s.date).collect(),
            baseline: baselines[i].map(|b| (sorted[b].pain_nrs, sorted[b].pain_area_percent)),
        })
        .collect();
    let chart_svg = chart::response_svg(&assessments, &chart_courses, booster_due.as_ref());

    // Ledger.
    let mut ledger_courses = Vec::new();
    let mut total = 0.0;
    for (i, (plan, start, end)) in plans.iter().enumerate() {
        let given: Vec<f64> = record.courses[i]
            .sessions
            .iter()
            .filter_map(|s| s.given_mg)
            .collect();
        let given_mg = (!given.is_empty()).then(|| given.iter().sum::<f64>());
        total += given_mg.unwrap_or(0.0);
        let gap = i.checked_sub(1).map(|p| plans[p].2.days_until(*start));
        let planned = plan.totals.course_mg;
        ledger_courses.push(LedgerCourse {
            protocol: plan.protocol.id.to_string(),
            start: *start,
            end: *end,
            planned_mg: planned,
            given_mg,
            days_since_previous: gap,
            text: LedgerText {
                protocol: plan.protocol.name.to_string(),
                planned_mg: planned.map_or("no dose".into(), |m| with_unit(m, decimals::MG, "mg")),
                given_mg: given_mg
                    .map_or("not recorded".into(), |m| with_unit(m, decimals::MG, "mg")),
            },
        });
    }

    Ok(Review {
        schema: SCHEMA,
        patient_label: record.patient_label.clone(),
        notes,
        assessments,
        courses,
        booster_due,
        ledger: Ledger {
            total_given_text: with_unit(total, decimals::MG, "mg"),
            courses: ledger_courses,
            total_given_mg: total,
        },
        alerts: alerts(record, &plans),
        chart_svg,
        next_request: record
            .courses
            .last()
            .zip(plans.last())
            .map(|(c, (_, _, end))| PlanRequest {
                start: None,
                previous_course_end: Some(end.to_string()),
                acknowledged: Vec::new(),
                ..c.request.clone()
            }),
    })
}

/// From the patient's own relief after the latest course that showed when
/// relief was lost; else the latest course's protocol window.
fn booster_due(
    plans: &[(Plan, LocalDate, LocalDate)],
    courses: &[CourseReview],
) -> Option<BoosterDue> {
    let (_, _, end) = plans.last()?;
    let own = courses
        .iter()
        .rev()
        .find_map(|c| Some((c.last_response_days?, c.first_lost_days?)));
    if let Some((seen, lost)) = own {
        return Some(BoosterDue {
            from: end.checked_add_days(seen)?,
            to: end.checked_add_days(lost)?,
            basis: "patient",
            text: format!("From the patient's own relief: a response was last seen {seen} days after a course and was lost by {lost} days."),
        });
    }
    let window = plans
        .last()?
        .0
        .follow_up
        .iter()
        .rev()
        .find(|w| w.kind != "reassess")?;
    Some(BoosterDue {
        from: window.from,
        to: window.to,
        basis: "protocol",
        text: format!(
            "From the protocol's window ({}); the patient's own relief is not known yet.",
            window.source
        ),
    })
}

fn alerts(record: &CourseRecord, plans: &[(Plan, LocalDate, LocalDate)]) -> Vec<Alert> {
    let mut out = Vec::new();
    for (i, (plan, start, _)) in plans.iter().enumerate() {
        if let Some(prev_end) = i.checked_sub(1).map(|p| plans[p].2) {
            let days = prev_end.days_until(*start);
            if days < RETREATMENT_MIN_DAYS {
                out.push(Alert::soft(
                    "retreatment_within_21_days",
                    format!("Course {} started {days} days after course {} ended ({prev_end}), fewer than {RETREATMENT_MIN_DAYS}: liver tests before it (liver injury in 3 of 6 patients on a repeat course after 16 days; Noppers 2011).", i + 1, i),
                ));
            }
        }
        for s in &record.courses[i].sessions {
            let planned = plan
                .sessions
                .iter()
                .find(|p| p.start.date() == s.date)
                .and_then(|p| p.planned_mg);
            if let (Some(given), Some(planned)) = (s.given_mg, planned) {
                if given > planned + GIVEN_TOLERANCE_MG {
                    out.push(Alert::soft(
                        "given_above_planned",
                        format!(
                            "Course {}, {}: {} given, {} planned.",
                            i + 1,
                            s.date,
                            with_unit(given, decimals::MG, "mg"),
                            with_unit(planned, decimals::MG, "mg")
                        ),
                    ));
                }
            }
            if s.stopped_early {
                out.push(Alert::info(
                    "session_stopped_early",
                    format!(
                        "Course {}, {}: stopped early{}.",
                        i + 1,
                        s.date,
                        s.stopped_why
                            .as_deref()
                            .map_or(String::new(), |w| format!(" ({w})"))
                    ),
                ));
            }
        }
    }
    out
}
