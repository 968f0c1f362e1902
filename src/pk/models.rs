//! The model library (data/pk-models.json) and what each model means for one
//! patient. Parameters live in data so a pharmacist can check them against
//! the spec without reading Rust; a broken file is an error, never a panic.

use super::solve::Modes;
use crate::error::{PlanError, Result};
/// Borrowed in the static build.rs writes (databake), owned when the file is read.
pub type Text = std::borrow::Cow<'static, str>;
pub type List<T> = std::borrow::Cow<'static, [T]>;
use serde::{Deserialize, Serialize};

/// The shipped model file. Native code parses it with serde_json; for the
/// wasm, build.rs turns it into Rust code (`crate::built_in`), which is then
/// checked with [`Library::validated`].
pub const MODELS_JSON: &str = include_str!("../../data/pk-models.json");
const FIELD: &str = "pkModels";

/// The whole model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(databake::Bake), databake(path = crate::pk))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Library {
    pub version: Text,
    pub note: Text,
    pub default_model: Text,
    /// Band whose lower edge is the default threshold for "time to fall below".
    pub threshold_band: Text,
    pub bands: List<Band>,
    pub models: List<Model>,
}

/// A population orientation band; `low == high` is a single level ("about").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(databake::Bake), databake(path = crate::pk))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Band {
    pub id: Text,
    pub label: Text,
    pub low_ng_per_ml: f64,
    pub high_ng_per_ml: f64,
    pub source: Text,
    pub tag: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(databake::Bake), databake(path = crate::pk))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidRange {
    pub min: f64,
    pub max: f64,
    /// Evidence tag of the range itself (often D: a design default).
    pub tag: Text,
}

impl ValidRange {
    pub fn contains(&self, v: f64) -> bool {
        v >= self.min && v <= self.max
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(databake::Bake), databake(path = crate::pk))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Model {
    pub id: Text,
    pub name: Text,
    pub population: Text,
    pub source: Text,
    pub tag: Text,
    pub age_years: ValidRange,
    pub weight_kg: ValidRange,
    pub parameters: Parameters,
    /// A published effect-site equilibration constant for this model, if any.
    #[serde(default)]
    pub effect_site: Option<EffectSite>,
}

/// ke0 with its source: it belongs to the model it was estimated with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(databake::Bake), databake(path = crate::pk))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EffectSite {
    pub ke0_per_min: f64,
    pub source: Text,
    pub population: Text,
    pub tag: Text,
}

/// The two ways the spec states a model. Optional members absent = fewer
/// compartments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(databake::Bake), databake(path = crate::pk))]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum Parameters {
    /// V1 per kg and micro rate constants per minute (weight-independent).
    #[serde(rename_all = "camelCase")]
    RateConstants {
        v1_l_per_kg: f64,
        k10: f64,
        k12: Option<f64>,
        k21: Option<f64>,
        k13: Option<f64>,
        k31: Option<f64>,
    },
    /// Volumes (L) and clearances (L/h) for `reference_kg`, scaled by
    /// (W / reference)^exponent.
    #[serde(rename_all = "camelCase")]
    Scaled {
        reference_kg: f64,
        volume_exponent: f64,
        clearance_exponent: f64,
        v1_l: f64,
        v2_l: Option<f64>,
        v3_l: Option<f64>,
        cl_l_per_h: f64,
        q2_l_per_h: Option<f64>,
        q3_l_per_h: Option<f64>,
    },
}

/// A model evaluated at one weight. Rate constants per minute; those of a
/// compartment the model lacks are 0, which the equations treat correctly.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Derived {
    pub compartments: u8,
    pub v1_l: f64,
    pub v2_l: Option<f64>,
    pub v3_l: Option<f64>,
    pub cl_l_per_min: f64,
    pub q2_l_per_min: Option<f64>,
    pub q3_l_per_min: Option<f64>,
    pub k10: f64,
    pub k12: f64,
    pub k13: f64,
    pub k21: f64,
    pub k31: f64,
    pub terminal_half_life_min: f64,
}

/// A model file that could not be read as one at all.
#[cfg(not(target_arch = "wasm32"))]
fn invalid(why: impl core::fmt::Display) -> PlanError {
    PlanError::new(
        FIELD,
        "invalid_pk_data",
        format!("PK model file unreadable: {why}"),
    )
}

fn bad(msg: String) -> PlanError {
    PlanError::new(FIELD, "invalid_pk_data", msg)
}

impl Library {
    /// The shipped file, parsed and checked once per process (not per
    /// keystroke).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn shipped() -> Result<&'static Library> {
        static LIB: std::sync::OnceLock<Result<Library>> = std::sync::OnceLock::new();
        LIB.get_or_init(|| Library::from_json(MODELS_JSON))
            .as_ref()
            .map_err(Clone::clone)
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_json(text: &str) -> Result<Library> {
        serde_json::from_str::<Library>(text)
            .map_err(invalid)?
            .validated()
    }

    /// Checks a deserialized library; every loading path ends here.
    pub fn validated(self) -> Result<Library> {
        self.validate()?;
        Ok(self)
    }

    pub fn model(&self, id: &str) -> Result<&Model> {
        self.models.iter().find(|m| m.id == id).ok_or_else(|| {
            // Strings, not &str: one `join` in the wasm instead of two.
            let known: Vec<String> = self.models.iter().map(|m| m.id.to_string()).collect();
            PlanError::new(
                "model",
                "unknown_model",
                format!("Unknown PK model \"{id}\"; known: {}.", known.join(", ")),
            )
        })
    }

    pub fn band(&self, id: &str) -> Option<&Band> {
        self.bands.iter().find(|b| b.id == id)
    }

    /// Lower edge of the threshold band (validated to exist).
    pub fn default_threshold(&self) -> f64 {
        self.band(&self.threshold_band)
            .map_or(100.0, |b| b.low_ng_per_ml)
    }

    fn validate(&self) -> Result<()> {
        if self.version.trim().is_empty() {
            return Err(bad("PK model file has no version.".into()));
        }
        for (i, b) in self.bands.iter().enumerate() {
            let ok = b.low_ng_per_ml.is_finite()
                && b.low_ng_per_ml > 0.0
                && b.high_ng_per_ml >= b.low_ng_per_ml;
            if !ok || b.high_ng_per_ml.is_infinite() {
                return Err(bad(format!("Band {} needs 0 < low <= high.", b.id)));
            }
            if [&b.id, &b.label, &b.source, &b.tag]
                .iter()
                .any(|s| s.trim().is_empty())
            {
                return Err(bad(format!(
                    "Band {i} has an empty id, label, source or tag."
                )));
            }
            if self.bands.iter().filter(|o| o.id == b.id).count() > 1 {
                return Err(bad(format!("Band id {} appears twice.", b.id)));
            }
        }
        if self.band(&self.threshold_band).is_none() {
            return Err(bad(format!(
                "Threshold band {} is not in the file.",
                self.threshold_band
            )));
        }
        for m in self.models.iter() {
            m.validate()?;
            if self.models.iter().filter(|o| o.id == m.id).count() > 1 {
                return Err(bad(format!("Model id {} appears twice.", m.id)));
            }
        }
        self.model(&self.default_model).map_err(|_| {
            bad(format!(
                "Default model {} is not in the file.",
                self.default_model
            ))
        })?;
        Ok(())
    }
}

fn positive(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// Some(true): both present and positive; Some(false): both absent; None: broken.
fn pair(a: Option<f64>, b: Option<f64>) -> Option<bool> {
    match (a, b) {
        (Some(x), Some(y)) => (positive(x) && positive(y)).then_some(true),
        (None, None) => Some(false),
        _ => None,
    }
}

/// Compartment 3 only on top of compartment 2.
fn shape(second: Option<bool>, third: Option<bool>) -> bool {
    matches!(
        (second, third),
        (Some(_), Some(false)) | (Some(true), Some(true))
    )
}

impl Model {
    fn validate(&self) -> Result<()> {
        let id = &self.id;
        if [
            &self.id,
            &self.name,
            &self.population,
            &self.source,
            &self.tag,
        ]
        .iter()
        .any(|s| s.trim().is_empty())
        {
            return Err(bad(format!(
                "Model {id} has an empty id, name, population, source or tag."
            )));
        }
        if let Some(e) = &self.effect_site {
            if !(positive(e.ke0_per_min) && e.ke0_per_min < 100.0) || e.source.trim().is_empty() {
                return Err(bad(format!(
                    "Model {id}: effect-site ke0 must be a positive rate per minute with a source."
                )));
            }
        }
        for (what, r) in [("age", &self.age_years), ("weight", &self.weight_kg)] {
            if !(r.min.is_finite() && r.max.is_finite() && r.min >= 0.0 && r.min < r.max)
                || r.tag.trim().is_empty()
            {
                return Err(bad(format!(
                    "Model {id}: {what} range needs 0 <= min < max and a tag."
                )));
            }
        }
        let shape_ok = match self.parameters {
            Parameters::RateConstants {
                v1_l_per_kg,
                k10,
                k12,
                k21,
                k13,
                k31,
            } => positive(v1_l_per_kg) && positive(k10) && shape(pair(k12, k21), pair(k13, k31)),
            Parameters::Scaled {
                reference_kg,
                volume_exponent,
                clearance_exponent,
                v1_l,
                v2_l,
                v3_l,
                cl_l_per_h,
                q2_l_per_h,
                q3_l_per_h,
            } => {
                let exp_ok = |e: f64| e.is_finite() && (0.0..=2.0).contains(&e);
                positive(reference_kg)
                    && exp_ok(volume_exponent)
                    && exp_ok(clearance_exponent)
                    && positive(v1_l)
                    && positive(cl_l_per_h)
                    && shape(pair(v2_l, q2_l_per_h), pair(v3_l, q3_l_per_h))
            }
        };
        if !shape_ok {
            return Err(bad(format!(
                "Model {id}: parameters must be finite and positive, in pairs, compartment 2 before 3."
            )));
        }
        // The file must solve across its whole stated weight range.
        for w in [self.weight_kg.min.max(1.0), self.weight_kg.max] {
            self.derive(w)
                .map_err(|e| bad(format!("Model {id} at {w} kg: {}", e.message, w = w)))?;
        }
        Ok(())
    }

    /// Volumes, clearances, rate constants and terminal half-life at a weight.
    pub fn derive(&self, weight_kg: f64) -> Result<Derived> {
        self.derive_with_modes(weight_kg).map(|(d, _)| d)
    }

    /// `derive` plus the eigen-solution it needed, so the solver reuses it.
    pub(crate) fn derive_with_modes(&self, weight_kg: f64) -> Result<(Derived, Modes)> {
        if !positive(weight_kg) {
            return Err(PlanError::new(
                "patient.weightKg",
                "out_of_range",
                "Weight must be a positive number of kg.",
            ));
        }
        let mut d = match self.parameters {
            Parameters::RateConstants {
                v1_l_per_kg,
                k10,
                k12,
                k21,
                k13,
                k31,
            } => {
                let v1 = v1_l_per_kg * weight_kg;
                let (k12, k21, k13, k31) = (
                    k12.unwrap_or(0.0),
                    k21.unwrap_or(0.0),
                    k13.unwrap_or(0.0),
                    k31.unwrap_or(0.0),
                );
                Derived {
                    compartments: 1 + u8::from(k12 > 0.0) + u8::from(k13 > 0.0),
                    v1_l: v1,
                    v2_l: (k21 > 0.0).then(|| v1 * k12 / k21),
                    v3_l: (k31 > 0.0).then(|| v1 * k13 / k31),
                    cl_l_per_min: v1 * k10,
                    q2_l_per_min: (k12 > 0.0).then_some(v1 * k12),
                    q3_l_per_min: (k13 > 0.0).then_some(v1 * k13),
                    k10,
                    k12,
                    k13,
                    k21,
                    k31,
                    terminal_half_life_min: 0.0,
                }
            }
            Parameters::Scaled {
                reference_kg,
                volume_exponent,
                clearance_exponent,
                v1_l,
                v2_l,
                v3_l,
                cl_l_per_h,
                q2_l_per_h,
                q3_l_per_h,
            } => {
                // ratio^e as exp(e ln ratio): exp and log are in the wasm
                // anyway, libm's pow would add about 2 KB.
                let ln_ratio = libm::log(weight_kg / reference_kg);
                let fv = libm::exp(volume_exponent * ln_ratio);
                let fc = libm::exp(clearance_exponent * ln_ratio) / 60.0;
                let v1 = v1_l * fv;
                let v2 = v2_l.map(|v| v * fv);
                let v3 = v3_l.map(|v| v * fv);
                let (cl, q2, q3) = (
                    cl_l_per_h * fc,
                    q2_l_per_h.map(|q| q * fc),
                    q3_l_per_h.map(|q| q * fc),
                );
                let k = |q: Option<f64>, v: Option<f64>| match (q, v) {
                    (Some(q), Some(v)) => q / v,
                    _ => 0.0,
                };
                Derived {
                    compartments: 1 + u8::from(v2.is_some()) + u8::from(v3.is_some()),
                    v1_l: v1,
                    v2_l: v2,
                    v3_l: v3,
                    cl_l_per_min: cl,
                    q2_l_per_min: q2,
                    q3_l_per_min: q3,
                    k10: cl / v1,
                    k12: k(q2, Some(v1)),
                    k13: k(q3, Some(v1)),
                    k21: k(q2, v2),
                    k31: k(q3, v3),
                    terminal_half_life_min: 0.0,
                }
            }
        };
        let modes = Modes::new(&d)?;
        d.terminal_half_life_min = core::f64::consts::LN_2 / modes.slowest();
        Ok((d, modes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(from: &str, to: &str) -> Result<Library> {
        assert!(
            MODELS_JSON.contains(from),
            "fixture text {from} not in file"
        );
        Library::from_json(&MODELS_JSON.replacen(from, to, 1))
    }

    /// Allometric scaling as exp(e ln(W / 70)) instead of libm's pow (out of
    /// the wasm to make room): within 1e-15 of pow (a few units in the last
    /// place), from 1 to 400 kg.
    #[test]
    fn scaling_without_pow_matches_pow() {
        for w in (1..=400).map(f64::from) {
            for e in [0.75, 1.0] {
                let pow = libm::pow(w / 70.0, e);
                let exp = libm::exp(e * libm::log(w / 70.0));
                assert!(
                    (exp - pow).abs() <= 1e-15 * pow,
                    "{w} kg ^{e}: {exp} vs {pow}"
                );
            }
        }
    }

    #[test]
    fn shipped_file_loads() {
        assert!(Library::shipped().is_ok());
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        assert!(Library::from_json("").is_err());
        assert!(Library::from_json("{").is_err());
        for (from, to) in [
            ("\"k10\": 0.4381", "\"k10\": -0.4381"),
            ("\"k10\": 0.4381", "\"k10\": 0"),
            ("\"k31\": 0.0146", "\"k31x\": 0.0146"),
            ("\"k12\": 0.5921,", ""),
            (
                "\"defaultModel\": \"domino\"",
                "\"defaultModel\": \"dominoes\"",
            ),
            (
                "\"thresholdBand\": \"analgesia\"",
                "\"thresholdBand\": \"none\"",
            ),
            ("\"lowNgPerMl\": 100", "\"lowNgPerMl\": 200"),
            ("\"id\": \"clements-250\"", "\"id\": \"domino\""),
            ("\"kind\": \"scaled\"", "\"kind\": \"other\""),
            ("\"v3L\": 157,", ""),
            ("\"clearanceExponent\": 0.75", "\"clearanceExponent\": 9"),
            (
                "\"ageYears\": { \"min\": 1, \"max\": 14",
                "\"ageYears\": { \"min\": 14, \"max\": 1",
            ),
            ("\"tag\": \"PK-code\"", "\"tag\": \" \""),
        ] {
            let e = with(from, to).expect_err(to);
            assert_eq!(
                (e.field.as_str(), e.code.as_str()),
                (FIELD, "invalid_pk_data"),
                "{to}"
            );
        }
    }
}
