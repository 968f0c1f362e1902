//! The protocol library and the PK model file as compiled-in statics,
//! written by build.rs from the JSON files (see there). The wasm reads these
//! in place instead of parsing JSON: no deserializer for the library types
//! ships, and nothing is built at run time. Neither is validated again here:
//! build.rs validated the file (the build fails on an invalid one) and the
//! tests below prove each value equals its validated, parsed file.

mod library {
    use crate::protocol::*;
    use crate::weight::WeightBasis;
    use std::borrow::Cow;
    type Value = Library;
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}

mod pk_models {
    use crate::pk::*;
    use std::borrow::Cow;
    type Value = Library;
    include!(concat!(env!("OUT_DIR"), "/pk_models.rs"));
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
pub fn library() -> &'static crate::protocol::Library {
    &library::VALUE
}

/// The PK model file built in (data/pk-models.json).
pub fn pk_models() -> &'static crate::pk::Library {
    &pk_models::VALUE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_library_is_the_json_file() {
        let text = std::fs::read_to_string(env!("KP_LIBRARY_SOURCE")).unwrap();
        let parsed = crate::protocol::Library::from_json(&text).unwrap();
        assert_eq!(format!("{:?}", library()), format!("{parsed:?}"));
    }

    #[test]
    fn the_wasm_lowercases_drug_names_as_to_lowercase_does() {
        let drugs = &library().drugs;
        assert_eq!(
            library::ASCII_DRUG_NAMES,
            drugs.iter().all(|d| d.name.is_ascii())
        );
        for d in drugs.iter() {
            if library::ASCII_DRUG_NAMES {
                assert_eq!(d.name.to_ascii_lowercase(), d.name.to_lowercase());
            }
            assert_eq!(lowercase_drug_name(d), d.name.to_lowercase());
        }
    }

    #[test]
    fn built_in_pk_models_are_the_json_file() {
        assert_eq!(pk_models(), crate::pk::Library::shipped().unwrap());
    }
}
