//! The drug to prepare (clinical-spec section 2): drug mg = C x V, vial
//! volume = drug mg / vial strength, diluent = V - vial volume ("make up to
//! V mL"), and how many bags or syringes a session and a course need.

use crate::numbers::{decimals, with_unit};
use crate::protocol::{Drug, Library};
use serde::Serialize;

/// Fill volumes a pharmacy can make up (D: common bag and syringe sizes).
/// The smallest that holds what one container must hold is chosen, so an
/// 87 mg session is not drawn from a 500 mg bag (413 mg of a controlled drug
/// wasted). A standard concentration keeps its container kind (a bag for a
/// volumetric pump, a syringe for a syringe driver) and never exceeds its
/// standard volume.
const BAG_VOLUMES_ML: [f64; 4] = [50.0, 100.0, 250.0, 500.0];
const SYRINGE_VOLUMES_ML: [f64; 3] = [10.0, 20.0, 50.0];
/// Any volume up to this is a syringe; above, a bag.
const LARGEST_SYRINGE_ML: f64 = 60.0;
/// Room left to prime the line (D: a volumetric pump set takes about 20 to
/// 25 mL, a syringe extension line about 2 mL), so the chosen container does
/// not run dry before the session ends.
fn priming_ml(container: &str) -> f64 {
    if container == "syringe" {
        2.0
    } else {
        25.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preparation {
    pub concentration_mg_per_ml: f64,
    pub final_volume_ml: f64,
    pub container: String,
    pub drug_mg: f64,
    pub vial_mg_per_ml: f64,
    pub vial_ml: f64,
    pub diluent_ml: f64,
    pub diluent: String,
    /// What one container must hold: one session, or for a continuous
    /// infusion one change interval (a day), at the first level.
    pub container_need_ml: f64,
    /// Kept free in the chosen container to prime the line.
    pub priming_ml: f64,
    /// Containers for one session (one day of a continuous infusion) / the
    /// whole course at the first level.
    pub containers_per_session: u32,
    pub containers_per_course: u32,
    /// The same at the highest level of a titration ladder.
    pub containers_per_course_at_max: u32,
    pub text: String,
    /// "1 bag of 100 mL per session; 5 for the course", shown under the recipe.
    pub containers_text: String,
    /// The numbers of the bag or syringe label, formatted here like every number.
    pub label: Label,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    /// "100 mg"
    pub drug_mg: String,
    /// "100 mL"
    pub final_volume: String,
    /// "1 mg/mL"
    pub concentration: String,
}

pub struct Need {
    pub session_ml: f64,
    pub session_ml_at_max: f64,
    pub sessions: u32,
    /// A new container at least this often (continuous infusions).
    pub change_minutes: Option<f64>,
    pub session_minutes: f64,
}

/// The recipe, or the reason there is none.
pub fn prepare(
    lib: &Library,
    drug: &Drug,
    mg_per_ml: f64,
    volume_ml: Option<f64>,
    need: &Need,
) -> Result<Preparation, String> {
    let standard = lib.container(mg_per_ml).filter(|_| drug.id == "ketamine");
    let hold_ml = need.container_ml();
    let kind = |v: f64| {
        String::from(if v <= LARGEST_SYRINGE_ML {
            "syringe"
        } else {
            "bag"
        })
    };
    let holds = |v: f64, container: &str| v >= hold_ml + priming_ml(container);
    let (final_ml, container) = match (volume_ml, standard) {
        (Some(v), _) => (v, kind(v)),
        (None, Some(c)) => {
            let sizes: &[f64] = if c.container == "syringe" {
                &SYRINGE_VOLUMES_ML
            } else {
                &BAG_VOLUMES_ML
            };
            let v = sizes
                .iter()
                .copied()
                .filter(|v| *v < c.final_volume_ml)
                .find(|v| holds(*v, &c.container))
                .unwrap_or(c.final_volume_ml);
            (v, c.container.clone())
        }
        (None, None) => {
            let v = SYRINGE_VOLUMES_ML
                .iter()
                .chain(&BAG_VOLUMES_ML)
                .copied()
                .find(|v| holds(*v, &kind(*v)))
                .unwrap_or(500.0);
            (v, kind(v))
        }
    };
    let drug_mg = mg_per_ml * final_ml;
    let fits = |strength: f64| drug_mg / strength <= final_ml;
    let vial = if fits(drug.preferred_vial_mg_per_ml) {
        Some(drug.preferred_vial_mg_per_ml)
    } else {
        drug.vials_mg_per_ml
            .iter()
            .copied()
            .filter(|s| fits(*s))
            .reduce(f64::max)
    };
    let Some(vial) = vial else {
        return Err(format!(
            "No {} vial is strong enough: {} needs more vial volume than the final volume of {}.",
            drug.lowercase_name(),
            with_unit(drug_mg, decimals::MG, "mg"),
            with_unit(final_ml, decimals::ML, "mL")
        ));
    };
    let vial_ml = drug_mg / vial;
    let diluent_ml = (final_ml - vial_ml).max(0.0);
    let count = |ml: f64| containers(ml, final_ml, need);
    let per_session = count(need.session_ml);
    let per_course = per_session.saturating_mul(need.sessions);
    let per_course_at_max = count(need.session_ml_at_max).saturating_mul(need.sessions);
    let text = format!(
        "{} {} in {}: draw {} from {} vials and make up to {} with sodium chloride 0.9% (about {}).",
        with_unit(drug_mg, decimals::MG, "mg"),
        drug.lowercase_name(),
        with_unit(final_ml, decimals::ML, "mL"),
        with_unit(vial_ml, 2, "mL"),
        with_unit(vial, 0, "mg/mL"),
        with_unit(final_ml, decimals::ML, "mL"),
        with_unit(diluent_ml, 2, "mL"),
    );
    let containers_text = containers_text(
        &container,
        final_ml,
        need,
        [per_session, per_course, per_course_at_max],
    );
    let label = Label {
        drug_mg: with_unit(drug_mg, decimals::MG, "mg"),
        final_volume: with_unit(final_ml, decimals::ML, "mL"),
        concentration: with_unit(mg_per_ml, decimals::CONCENTRATION, "mg/mL"),
    };
    Ok(Preparation {
        label,
        concentration_mg_per_ml: mg_per_ml,
        priming_ml: priming_ml(&container),
        final_volume_ml: final_ml,
        container,
        drug_mg,
        vial_mg_per_ml: vial,
        vial_ml,
        diluent_ml,
        diluent: "sodium chloride 0.9%".to_string(),
        container_need_ml: hold_ml,
        containers_per_session: per_session,
        containers_per_course: per_course,
        containers_per_course_at_max: per_course_at_max,
        text,
        containers_text,
    })
}

/// "2 bags of 500 mL per day (a new bag at least every 24 h); 10 for the
/// course, up to 20 at the highest level".
fn containers_text(container: &str, final_ml: f64, need: &Need, counts: [u32; 3]) -> String {
    let [session, course, at_max] = counts;
    let plural = |n: u32| if n == 1 { "" } else { "s" };
    let (first, per) = match need.change_minutes {
        Some(m) if need.session_minutes > m => (
            whole((need.container_ml() / final_ml).ceil().max(1.0)),
            format!(
                "per day (a new {container} at least every {})",
                with_unit(m / 60.0, 1, "h")
            ),
        ),
        _ if need.sessions > 1 => (session, "per session".to_string()),
        _ => (session, "for the session".to_string()),
    };
    let mut text = format!(
        "{first} {container}{} of {} {per}",
        plural(first),
        with_unit(final_ml, decimals::ML, "mL")
    );
    if course != first {
        text += &format!("; {course} for the course");
    }
    if at_max > course {
        text += &format!(", up to {at_max} at the highest level");
    }
    text + "."
}

/// A count that fits a `u32` (saturating; never a panic on a huge volume).
fn whole(n: f64) -> u32 {
    if n.is_finite() && n < u32::MAX as f64 {
        n as u32
    } else {
        u32::MAX
    }
}

impl Need {
    /// What one container must hold: the session, or for a continuous
    /// infusion changed every so often, one change interval of it.
    fn container_ml(&self) -> f64 {
        match self.change_minutes {
            Some(m) if self.session_minutes > m && self.session_minutes > 0.0 => {
                self.session_ml * m / self.session_minutes
            }
            _ => self.session_ml,
        }
    }
}

/// Containers for one session's volume; a continuous infusion also needs a
/// new one at every change interval even when the old one is not empty.
fn containers(session_ml: f64, final_ml: f64, need: &Need) -> u32 {
    let by_volume = (session_ml / final_ml).ceil();
    let by_time = need
        .change_minutes
        .map_or(1.0, |m| (need.session_minutes / m).ceil());
    whole(by_volume.max(by_time).max(1.0))
}
