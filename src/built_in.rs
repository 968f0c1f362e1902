//! The protocol library and the PK model file as compiled-in Rust values,
//! written by build.rs from the JSON files (see there). The wasm loads these
//! instead of parsing JSON: no deserializer for the library types ships.
//! Both are validated on load exactly as a parsed file is.

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
fn unit_variant<T: serde::de::DeserializeOwned>(index: u32) -> core::result::Result<T, serde::de::value::Error> {
    T::deserialize(serde::de::IntoDeserializer::<serde::de::value::Error>::into_deserializer(index))
}

/// The protocol library built in (data/library.json, or `KP_LIBRARY`), validated.
pub fn library() -> Result<crate::protocol::Library> {
    library::value().map_err(|e| crate::protocol::invalid(e.to_string()))?.validated()
}

/// The PK model file built in (data/pk-models.json), validated.
pub fn pk_models() -> Result<crate::pk::Library> {
    pk_models::value().map_err(crate::pk::invalid)?.validated()
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
    fn built_in_pk_models_are_the_json_file() {
        assert_eq!(&pk_models().unwrap(), crate::pk::Library::shipped().unwrap());
    }
}
