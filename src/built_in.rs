//! The protocol library and the PK model file as compiled-in Rust values,
//! written by build.rs from the JSON files (see there). The wasm loads these
//! instead of parsing JSON: no deserializer for the library types ships.
//! Neither is validated again here: build.rs validated the file (the build
//! fails on an invalid one) and the tests below prove each value equals its
//! validated, parsed file, so the wasm carries no validation code.

use crate::error::Result;

mod library {
    use crate::protocol::*;
    use crate::weight::WeightBasis;
    type Value = Library;
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}

mod pk_models {
    use crate::pk::*;
    type Value = Library;
    include!(concat!(env!("OUT_DIR"), "/pk_models.rs"));
}

/// Out of line: one call per string instead of an inlined allocation.
#[inline(never)]
fn s(text: &str) -> String {
    text.to_string()
}

/// A unit enum variant by its index, through the enum's serde derive (the
/// generated code knows only the serialized form).
fn unit_variant<T: serde::de::DeserializeOwned>(index: u32) -> core::result::Result<T, NoVariant> {
    T::deserialize(serde::de::IntoDeserializer::<NoVariant>::into_deserializer(
        index,
    ))
}

/// An index that names no variant (build.rs and the crate disagree, which
/// cannot happen: both compile the same source). Its own type rather than
/// serde's, whose messages would link float formatting into the wasm.
#[derive(Debug)]
pub(crate) struct NoVariant;

impl std::fmt::Display for NoVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an enum variant index out of range")
    }
}

impl std::error::Error for NoVariant {}

impl serde::de::Error for NoVariant {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NoVariant
    }
    fn invalid_type(_: serde::de::Unexpected, _: &dyn serde::de::Expected) -> Self {
        NoVariant
    }
    fn invalid_value(_: serde::de::Unexpected, _: &dyn serde::de::Expected) -> Self {
        NoVariant
    }
}

/// A drug's name for running text ("ketamine (racemic)"): `to_lowercase`.
/// The wasm holds only the built-in library (nothing loads drugs at run
/// time), so when build.rs found every drug name ASCII, ASCII lowering gives
/// the same text and Unicode's case tables stay out of the wasm (about 8 KB
/// gzipped). A way to load a library at run time in the wasm must drop this.
pub fn lowercase_drug_name(drug: &crate::protocol::Drug) -> String {
    if cfg!(target_arch = "wasm32") && library::ASCII_DRUG_NAMES {
        drug.name.to_ascii_lowercase()
    } else {
        drug.name.to_lowercase()
    }
}

/// The protocol library built in (data/library.json, or `KP_LIBRARY`).
pub fn library() -> Result<crate::protocol::Library> {
    library::value().map_err(|e| crate::protocol::invalid(e.to_string()))
}

/// The PK model file built in (data/pk-models.json).
pub fn pk_models() -> Result<crate::pk::Library> {
    pk_models::value().map_err(crate::pk::invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_library_is_the_json_file() {
        let text = std::fs::read_to_string(env!("KP_LIBRARY_SOURCE")).unwrap();
        let parsed = crate::protocol::Library::from_json(&text).unwrap();
        assert_eq!(format!("{:?}", library().unwrap()), format!("{parsed:?}"));
    }

    #[test]
    fn the_wasm_lowercases_drug_names_as_to_lowercase_does() {
        let drugs = library().unwrap().drugs;
        assert_eq!(
            library::ASCII_DRUG_NAMES,
            drugs.iter().all(|d| d.name.is_ascii())
        );
        for d in drugs {
            if library::ASCII_DRUG_NAMES {
                assert_eq!(d.name.to_ascii_lowercase(), d.name.to_lowercase());
            }
            assert_eq!(lowercase_drug_name(&d), d.name.to_lowercase());
        }
    }

    #[test]
    fn built_in_pk_models_are_the_json_file() {
        assert_eq!(
            &pk_models().unwrap(),
            crate::pk::Library::shipped().unwrap()
        );
    }
}
