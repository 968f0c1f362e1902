//! The PK model file as a compiled-in static, written by build.rs from
//! `data/pk-models.json` (see there): the wasm reads it in place instead of
//! parsing JSON, so no deserializer for the model types ships. The protocol
//! library is only named here: it is read at run time (`crate::library`),
//! the built-in one through the same path as a clinic's.

mod pk_models {
    type Value = crate::pk::Library;
    include!(concat!(env!("OUT_DIR"), "/pk_models.rs"));
}

/// The text of the library the page starts with (data/library.json, or the
/// file in `KP_LIBRARY` at build time), read at run time like a clinic's.
pub const LIBRARY_JSON: &str = include_str!(env!("KP_BUILT_IN_LIBRARY"));

/// The PK model file built in (data/pk-models.json).
pub fn pk_models() -> &'static crate::pk::Library {
    &pk_models::VALUE
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `KP_LIBRARY` build runs this first (scripts/build.sh), so a broken
    /// clinic file fails the build, not the page.
    #[test]
    fn built_in_library_reads() {
        let lib = crate::library::from_json(LIBRARY_JSON);
        assert!(
            lib.is_ok(),
            "{}: {}",
            env!("KP_BUILT_IN_LIBRARY"),
            lib.unwrap_err()
        );
    }

    #[test]
    fn built_in_pk_models_are_the_json_file() {
        assert_eq!(pk_models(), crate::pk::Library::shipped().unwrap());
    }
}
