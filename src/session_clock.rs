//! The session clock at the pump (issue 10): once the nurse says the
//! infusion started, where the session stands now. It counts from the
//! moment the infusion actually started, not the planned start, along the
//! plan's own rates on the clock (`Plan::rate_changes`), so the delivered
//! amount is "at the programmed rates", never a measurement. The core reads
//! no clock: the page passes the start and the time now.

use crate::calendar::LocalDateTime;
use crate::error::{PlanError, Result};
use crate::numbers::minutes_text;
use crate::numbers::{decimals, with_unit};
use crate::plan::Plan;
use serde::Serialize;

/// Blood pressure every 15 min during the infusion (Goldberg 2005; clinical-spec 6).
pub const VITALS_EVERY_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Phase {
    Infusion,
    Observation,
    /// The earliest discharge has passed.
    Done,
}

/// A time ahead on the clock, with how long until it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Due {
    pub at: LocalDateTime,
    pub in_minutes: i64,
    /// "10:15 (in 4 min)"; the date too when it is another day than now.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionClock {
    pub started: LocalDateTime,
    pub now: LocalDateTime,
    pub phase: Phase,
    /// Minutes of infusion so far (at most the session's length).
    pub infused_minutes: i64,
    /// At the programmed rates; `None` when a rate used so far is refused.
    pub delivered_mg: Option<f64>,
    /// The pump setting now, "24.5 mg/h = 24.5 mL/h"; `None` after the infusion.
    pub rate: Option<String>,
    /// The next rate change of a clock-driven or target scheme.
    pub next_change: Option<Due>,
    /// `None` after the infusion.
    pub next_vitals: Option<Due>,
    pub infusion_end: Due,
    pub discharge_earliest: Due,
    pub text: ClockText,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockText {
    /// "1 h 5 min"
    pub elapsed: String,
    /// "27.3 mg at the programmed rates"
    pub delivered: String,
    /// "Infusion running", "Observation after the infusion", "Earliest discharge reached"
    pub phase: String,
    /// Why the figures may not be what runs: a ladder titrated by response
    /// changes at the pump, not on the clock.
    pub note: Option<String>,
}

/// "2 h 5 min" for minutes that may span years (the dates allow it).
fn span(minutes: i64) -> String {
    minutes_text(minutes.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Where the session of `plan` stands at `now`, the infusion having started at `started`.
pub fn session_clock(
    plan: &Plan,
    started: LocalDateTime,
    now: LocalDateTime,
) -> Result<SessionClock> {
    let elapsed = started.minutes_until(now);
    if elapsed < 0 {
        return Err(PlanError::new(
            "now",
            "before_start",
            "The time now is before the infusion started: check the start time.",
        ));
    }
    let infusion = i64::from(plan.session_minutes);
    let observation = i64::from(plan.observation_minutes);
    let at = |minutes: i64| {
        started.checked_add_minutes(minutes).ok_or_else(|| {
            PlanError::new(
                "startedAt",
                "out_of_range",
                "The session would end outside the supported years.",
            )
        })
    };
    let due = |minutes: i64| -> Result<Due> {
        let when = at(minutes)?;
        let in_minutes = minutes - elapsed;
        let (h, m) = when.hm();
        let clock = if when.date() == now.date() {
            format!("{h:02}:{m:02}")
        } else {
            format!("{} {h:02}:{m:02}", when.date())
        };
        let text = match in_minutes {
            n if n > 0 => format!("{clock} (in {})", span(n)),
            0 => format!("{clock} (now)"),
            n => format!("{clock} ({} ago)", span(-n)),
        };
        Ok(Due {
            at: when,
            in_minutes,
            text,
        })
    };

    let infused = elapsed.min(infusion);
    let running = elapsed < infusion;
    // Each rate from its minute to the next change (the last to the end), up to now.
    let mut delivered = Some(0.0);
    let mut rate = None;
    let mut next_change = None;
    for (i, r) in plan.rate_changes.iter().enumerate() {
        let from = i64::from(r.at_minute);
        let to = plan
            .rate_changes
            .get(i + 1)
            .map_or(infusion, |n| i64::from(n.at_minute));
        if from <= infused {
            let minutes = (to.min(infused) - from).max(0);
            delivered = delivered
                .zip(r.mg_per_hour)
                .map(|(sum, mg)| sum + mg * minutes as f64 / 60.0);
        }
        if running && from <= elapsed && elapsed < to {
            rate = Some(r.label.clone());
        }
        // The change of this minute stays shown, as due now, for its minute.
        if running && i > 0 && from >= elapsed && next_change.is_none() {
            next_change = Some((from, r.label.clone()));
        }
    }
    let next_change = match next_change {
        Some((from, label)) => {
            let d = due(from)?;
            Some(Due {
                text: format!("{}: {label}", d.text),
                ..d
            })
        }
        None => None,
    };
    // The check of this quarter hour, "now" in its minute, else the next one
    // (the first 15 min in: the baseline was taken before the start; the
    // last at the end of the infusion).
    let next_vitals = if running {
        let quarter = (elapsed + VITALS_EVERY_MINUTES - 1) / VITALS_EVERY_MINUTES;
        let next = quarter.max(1) * VITALS_EVERY_MINUTES;
        Some(due(next.min(infusion))?)
    } else {
        None
    };
    let phase = if running {
        Phase::Infusion
    } else if elapsed < infusion + observation {
        Phase::Observation
    } else {
        Phase::Done
    };
    let text = ClockText {
        elapsed: span(elapsed),
        delivered: delivered.map_or_else(
            || "no total: a rate is refused".to_string(),
            |mg| {
                format!(
                    "{} at the programmed rates",
                    with_unit(mg, decimals::MG, "mg")
                )
            },
        ),
        phase: match phase {
            Phase::Infusion => "Infusion running",
            Phase::Observation => "Observation after the infusion",
            Phase::Done => "Earliest discharge reached",
        }
        .to_string(),
        note: (plan.levels.len() > plan.rate_changes.len()).then(|| {
            "Titrated by response: this counts the first level; rate changes made at the pump are not in these figures.".to_string()
        }),
    };
    Ok(SessionClock {
        started,
        now,
        phase,
        infused_minutes: infused,
        delivered_mg: delivered,
        rate,
        next_change,
        next_vitals,
        infusion_end: due(infusion)?,
        discharge_earliest: due(infusion + observation)?,
        text,
    })
}
