//! Target to rate (issue 13): the manual pump scheme that brings the plasma
//! concentration to a target and holds it, as a clinician would program a
//! plain pump: a first rate until `reach_minutes`, then a new rate every 15
//! minutes at most (4 changes an hour), each rounded to what the pump can
//! be set to. Each rate is the one that puts the model's concentration on
//! the target at the end of its step, from the exact state at its start
//! (the solver's closed form: linear in the rate), so rounding never
//! accumulates. A rate at or above the hard limit refuses the whole scheme.

use super::solve::{Course, Modes};
use super::{check_patient, Library, PkPatient, RateSegment};
use crate::alert::Alert;
use crate::contract::in_range;
use crate::error::Result;
use crate::numbers::{decimals, with_unit};
use serde::Serialize;

/// Shortest time between two rate changes: at most 4 an hour.
pub const STEP_MINUTES: f64 = 15.0;
/// A rate is kept while the level it gives stays within this many percent of
/// the target (D): well inside the 10% the scheme promises.
pub const HOLD_PERCENT: f64 = 3.0;
/// The concentration stays within this fraction of the target once reached.
pub const HOLD_TOLERANCE: f64 = 0.10;

#[derive(Debug, Clone, Copy)]
pub struct TargetInput {
    pub target_ng_per_ml: f64,
    pub session_minutes: f64,
    /// When the target is to be reached: the first step's length.
    pub reach_minutes: f64,
    /// The smallest rate change the pump takes, in mg/h (resolution x concentration).
    pub mg_per_hour_step: f64,
    /// A rate at or above this is refused (the plan's hard limit), mg/h.
    pub hard_max_mg_per_hour: f64,
    /// No step runs faster (a protocol's cap, mg/h): the steps after a
    /// capped one start from the level it really reached.
    pub cap_mg_per_hour: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetStep {
    pub from_minute: f64,
    pub mg_per_hour: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetScheme {
    /// Empty when a step would need a rate at or above the hard limit.
    pub steps: Vec<TargetStep>,
    /// The same steps as rate segments over the session, for the solver and the plot.
    #[serde(skip)]
    pub segments: Vec<RateSegment>,
    pub reach_minutes: f64,
    /// The model's concentration under the rounded steps, every minute.
    pub times: Vec<f64>,
    pub concentrations_ng_per_ml: Vec<f64>,
    /// Largest deviation from the target after `reach_minutes`, percent.
    pub max_deviation_percent: f64,
    pub alerts: Vec<Alert>,
}

pub fn solve_target(
    lib: &Library,
    model_id: &str,
    patient: &PkPatient,
    input: &TargetInput,
) -> Result<TargetScheme> {
    check_patient(patient)?;
    let target = in_range(
        "targetNgPerMl",
        input.target_ng_per_ml,
        10.0,
        2000.0,
        "ng/mL",
    )?;
    let minutes = in_range(
        "sessionMinutes",
        input.session_minutes,
        STEP_MINUTES,
        super::MAX_MINUTES,
        "min",
    )?;
    let reach = in_range(
        "reachMinutes",
        input.reach_minutes,
        STEP_MINUTES,
        minutes,
        "min",
    )?;
    let step = in_range(
        "pumpResolutionMgPerHour",
        input.mg_per_hour_step,
        0.001,
        100.0,
        "mg/h",
    )?;
    let hard = in_range(
        "hardMaxMgPerHour",
        input.hard_max_mg_per_hour,
        step,
        super::MAX_MG_PER_HOUR,
        "mg/h",
    )?;
    let (_, modes) = lib.model(model_id)?.derive_with_modes(patient.weight_kg)?;

    let mut steps: Vec<TargetStep> = Vec::new();
    let mut x = [0.0; 3];
    let mut from = 0.0;
    let mut capped = false;
    while from < minutes {
        let to = if from == 0.0 {
            reach
        } else {
            (from + STEP_MINUTES).min(minutes)
        };
        let dt = to - from;
        // Concentration at `to` is free + rate x unit (mg/min): linear in the rate.
        let free = Modes::plasma(modes.step(x, 0.0, dt));
        let unit = Modes::plasma(modes.step([0.0; 3], 1.0, dt));
        let wanted = ((target - free) / unit * 60.0).max(0.0);
        let exact = input.cap_mg_per_hour.map_or(wanted, |cap| wanted.min(cap));
        capped |= exact < wanted;
        // Whole pump steps, without float noise (22.7, not 22.700000000000003).
        let mut mg_per_hour = ((exact / step).round() * step * 1e9).round() / 1e9;
        // The rate stays as it is while it keeps the level within
        // HOLD_PERCENT of the target at the end of this step: fewer changes
        // at the pump, and no going up and down by one pump step as the
        // rounding of one step is made up by the next.
        if let Some(prev) = steps.last().map(|s| s.mg_per_hour) {
            let held = free + unit * prev / 60.0;
            if (held - target).abs() <= HOLD_PERCENT / 100.0 * target {
                mg_per_hour = prev;
            }
        }
        if mg_per_hour >= hard {
            let alert = Alert::hard(
                "target_needs_rate_above_hard_limit",
                format!(
                    "Reaching {} by {} min needs {} from minute {}, at or above the hard limit of {}: no scheme. Allow longer to reach it, or choose a lower target.",
                    with_unit(target, 0, "ng/mL"),
                    crate::numbers::format(reach, 0),
                    with_unit(mg_per_hour, decimals::MG_PER_HOUR, "mg/h"),
                    crate::numbers::format(from, 0),
                    with_unit(hard, decimals::MG_PER_HOUR, "mg/h"),
                ),
            );
            return Ok(TargetScheme {
                steps: Vec::new(),
                segments: Vec::new(),
                reach_minutes: reach,
                times: Vec::new(),
                concentrations_ng_per_ml: Vec::new(),
                max_deviation_percent: 0.0,
                alerts: vec![alert],
            });
        }
        if steps.last().is_none_or(|s| s.mg_per_hour != mg_per_hour) {
            steps.push(TargetStep {
                from_minute: from,
                mg_per_hour,
            });
        }
        x = modes.step(x, mg_per_hour / 60.0, dt);
        from = to;
    }

    let segments: Vec<RateSegment> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| RateSegment {
            start_min: s.from_minute,
            end_min: steps.get(i + 1).map_or(minutes, |n| n.from_minute),
            mg_per_hour: s.mg_per_hour,
        })
        .collect();
    let course = Course::new(modes, &segments);
    let times: Vec<f64> = (0..=minutes as usize).map(|m| m as f64).collect();
    let concentrations = course.at_all(&times);
    let max_deviation = times
        .iter()
        .zip(&concentrations)
        .filter(|(t, _)| **t >= reach)
        .map(|(_, c)| (c - target).abs() / target)
        .fold(0.0, f64::max);
    let mut alerts = Vec::new();
    if max_deviation > HOLD_TOLERANCE {
        let why = if capped {
            format!(
                "The rate is capped at {}, so",
                with_unit(
                    input.cap_mg_per_hour.unwrap_or(0.0),
                    decimals::MG_PER_HOUR,
                    "mg/h"
                )
            )
        } else {
            "With 15-minute steps rounded to the pump,".to_string()
        };
        alerts.push(Alert::info(
            "target_not_held",
            format!(
                "{why} the level strays up to {}% from the target.",
                crate::numbers::format(max_deviation * 100.0, 0)
            ),
        ));
    }
    Ok(TargetScheme {
        steps,
        segments,
        reach_minutes: reach,
        times,
        concentrations_ng_per_ml: concentrations,
        max_deviation_percent: max_deviation * 100.0,
        alerts,
    })
}
