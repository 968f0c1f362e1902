//! Target mode (issue 13): a plasma level ordered instead of a dose. The
//! order's rates are then the manual pump scheme of `pk::target` for this
//! patient, concentration and pump resolution, and each step is a level of
//! the plan like a ladder rung: capped, rounded and judged by the same
//! limits (`Order::level`), placed on the session clock at its minute.

use crate::alert::Alert;
use crate::contract;
use crate::error::{PlanError, Result};
use crate::numbers::{minutes_text, with_unit};
use crate::order::{ordered_or, Dose, Order, Provenance, Source};
use crate::pk::{self, target::STEP_MINUTES, ModelRef, PkPatient};
use crate::protocol::{DoseUnit, Titration};
use crate::request::DoseOverrides;
use serde::Serialize;

/// The target fields of a request, checked against the contract.
#[derive(Debug, Clone)]
pub(crate) struct TargetOrder {
    ng_per_ml: f64,
    model: Option<String>,
    reach_minutes: Option<u32>,
}

/// What the plan says of its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanTarget {
    pub ng_per_ml: f64,
    pub model: ModelRef,
    pub reach_minutes: u32,
    /// The minute each level of the plan starts (the first is 0).
    pub starts: Vec<u32>,
    /// Largest distance from the target after `reach_minutes`, percent.
    pub max_deviation_percent: f64,
    /// "150 ng/mL by 15 min (Domino 1982)", for the pump card and the sheet.
    pub text: String,
}

impl TargetOrder {
    /// None when the request orders no target. A model or reach time
    /// without a target would be ignored, so it is refused.
    pub(crate) fn parse(o: &DoseOverrides) -> Result<Option<TargetOrder>> {
        let Some(ng) = o.target_ng_per_ml else {
            if o.model.is_some() || o.reach_minutes.is_some() {
                return Err(PlanError::new(
                    "targetNgPerMl",
                    "required",
                    "A PK model or a time to reach belongs to a target: enter the target level.",
                ));
            }
            return Ok(None);
        };
        Ok(Some(TargetOrder {
            ng_per_ml: contract::TARGET.number(ng)?,
            model: o.model.clone(),
            reach_minutes: contract::REACH_MINUTES.whole(o.reach_minutes)?,
        }))
    }

    /// A stand-in until `solve` has the patient and the pump: no levels yet.
    pub(crate) fn dose(&self) -> (Dose, String, Source) {
        let dose = Dose {
            unit: DoseUnit::MgPerHour,
            doses: Vec::new(),
            titration: Titration::None,
        };
        let text = format!(
            "Dose: the rates that reach and hold {} (target order)",
            with_unit(self.ng_per_ml, 1, "ng/mL")
        );
        (dose, text, Source::Ordered)
    }

    /// The scheme's rates as the order's levels, with its alerts and the
    /// provenance of the model and the time to reach.
    pub(crate) fn solve(
        &self,
        order: &Order,
        alerts: &mut Vec<Alert>,
        provenance: &mut Vec<Provenance>,
    ) -> Result<(Dose, PlanTarget)> {
        let models = crate::built_in::pk_models();
        pk::check_drug(&order.drug.id)
            .map_err(|e| PlanError::new("targetNgPerMl", &e.code, e.message))?;
        let id = self.model.as_deref().unwrap_or(&models.default_model);
        let model = models.model(id)?;
        let minutes = order.recipe.session_minutes;
        let reach = self.reach_minutes.unwrap_or(STEP_MINUTES as u32);
        if reach > minutes {
            return Err(PlanError::new(
                "reachMinutes",
                "out_of_range",
                "The target must be reached within the infusion.",
            ));
        }
        let patient = PkPatient {
            weight_kg: order.patient.total_kg,
            age_years: order.patient.age_years,
        };
        // The model decides the dose here: a patient outside its population needs acknowledging.
        if let Some(outside) = pk::outside_range(model, &patient) {
            alerts.push(Alert::soft(
                "target_model_out_of_range",
                format!("{outside}: the rates for the target are an extrapolation."),
            ));
        }
        let scheme = pk::target::solve_target(
            models,
            id,
            &patient,
            &pk::target::TargetInput {
                target_ng_per_ml: self.ng_per_ml,
                session_minutes: minutes as f64,
                reach_minutes: reach as f64,
                mg_per_hour_step: order.resolution * order.concentration,
                // The plan's limits judge each step; this only bounds the arithmetic.
                hard_max_mg_per_hour: pk::MAX_MG_PER_HOUR,
                cap_mg_per_hour: order
                    .protocol
                    .cap_for(order.patient.total_kg)
                    .map(|c| c.mg_per_hour),
            },
        )?;
        alerts.extend(scheme.alerts);
        provenance.push(ordered_or(
            "model",
            self.model.is_some(),
            (Source::Default, "the model file's default (D)"),
            format!("PK model: {}", model.name),
        ));
        provenance.push(ordered_or(
            "reachMinutes",
            self.reach_minutes.is_some(),
            (Source::Default, "planner default (D)"),
            format!("Target reached by: {}", minutes_text(reach)),
        ));
        // The scheme's own rules decide the rates too: say where they come from.
        provenance.push(Provenance {
            value: "targetSteps",
            source: Source::Default,
            text: format!(
                "Rate steps: at most every {}, a rate kept while the level stays within {}% of the target, planner defaults (D)",
                minutes_text(STEP_MINUTES as u32),
                crate::numbers::format(pk::target::HOLD_PERCENT, 0)
            ),
        });
        let dose = Dose {
            unit: DoseUnit::MgPerHour,
            doses: scheme.steps.iter().map(|s| s.mg_per_hour).collect(),
            titration: Titration::None,
        };
        let target = PlanTarget {
            ng_per_ml: self.ng_per_ml,
            model: model.reference(),
            reach_minutes: reach,
            // Steps start on whole minutes: at 0, at `reach` and 15 minutes apart.
            starts: scheme.steps.iter().map(|s| s.from_minute as u32).collect(),
            max_deviation_percent: scheme.max_deviation_percent,
            text: format!(
                "{} by {} ({})",
                with_unit(self.ng_per_ml, 1, "ng/mL"),
                minutes_text(reach),
                model.name
            ),
        };
        Ok((dose, target))
    }
}
