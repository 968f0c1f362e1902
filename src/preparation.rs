//! The drug to prepare (clinical-spec section 2): drug mg = C x V, vial
//! volume = drug mg / vial strength, diluent = V - vial volume ("make up to
//! V mL"), and how many bags or syringes a session and a course need.

use crate::numbers::{decimals, with_unit};
use crate::protocol::Text;
use crate::protocol::{Drug, Library};
use serde::Serialize;

/// Final volumes offered for a non-standard concentration, smallest that
/// holds one session first (D: common syringe and bag sizes).
const NON_STANDARD_VOLUMES_ML: [f64; 5] = [20.0, 50.0, 100.0, 250.0, 500.0];

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Preparation {
    pub concentration_mg_per_ml: f64,
    pub final_volume_ml: f64,
    pub container: Text,
    pub drug_mg: f64,
    pub vial_mg_per_ml: f64,
    pub vial_ml: f64,
    pub diluent_ml: f64,
    pub diluent: String,
    /// Containers for one session / the whole course at the first level.
    pub containers_per_session: u32,
    pub containers_per_course: u32,
    /// The same at the highest level of a titration ladder.
    pub containers_per_course_at_max: u32,
    pub text: String,
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
    let (final_ml, container) = match (volume_ml, standard) {
        (Some(v), _) => (v, Text::Borrowed(if v <= 60.0 { "syringe" } else { "bag" })),
        (None, Some(c)) => (c.final_volume_ml, c.container.clone()),
        (None, None) => {
            let v = NON_STANDARD_VOLUMES_ML
                .iter()
                .copied()
                .find(|v| *v >= need.session_ml)
                .unwrap_or(500.0);
            (v, Text::Borrowed(if v <= 60.0 { "syringe" } else { "bag" }))
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
            crate::built_in::lowercase_drug_name(drug),
            with_unit(drug_mg, decimals::MG, "mg"),
            with_unit(final_ml, decimals::ML, "mL")
        ));
    };
    let vial_ml = drug_mg / vial;
    let diluent_ml = (final_ml - vial_ml).max(0.0);
    let count = |ml: f64| containers(ml, final_ml, need);
    let per_session = count(need.session_ml);
    let text = format!(
        "{} {} in {}: draw {} from {} vials and make up to {} with sodium chloride 0.9% (about {}).",
        with_unit(drug_mg, decimals::MG, "mg"),
        crate::built_in::lowercase_drug_name(drug),
        with_unit(final_ml, decimals::ML, "mL"),
        with_unit(vial_ml, 2, "mL"),
        with_unit(vial, 0, "mg/mL"),
        with_unit(final_ml, decimals::ML, "mL"),
        with_unit(diluent_ml, 2, "mL"),
    );
    Ok(Preparation {
        concentration_mg_per_ml: mg_per_ml,
        final_volume_ml: final_ml,
        container,
        drug_mg,
        vial_mg_per_ml: vial,
        vial_ml,
        diluent_ml,
        diluent: "sodium chloride 0.9%".to_string(),
        containers_per_session: per_session,
        containers_per_course: per_session.saturating_mul(need.sessions),
        containers_per_course_at_max: count(need.session_ml_at_max).saturating_mul(need.sessions),
        text,
    })
}

/// Containers for one session's volume; a continuous infusion also needs a
/// new one at every change interval even when the old one is not empty.
fn containers(session_ml: f64, final_ml: f64, need: &Need) -> u32 {
    let by_volume = (session_ml / final_ml).ceil();
    let by_time = need
        .change_minutes
        .map_or(1.0, |m| (need.session_minutes / m).ceil());
    let n = by_volume.max(by_time).max(1.0);
    if n.is_finite() && n < u32::MAX as f64 {
        n as u32
    } else {
        u32::MAX
    }
}
