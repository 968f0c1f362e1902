//! The protocol library and the PK model file compiled in: build.rs writes
//! each JSON file as a byte string with a decoder per struct type, and the
//! wasm decodes them instead of parsing JSON, so no deserializer for the
//! library types ships. Both are validated on load exactly as a parsed file is.

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

/// Reads build.rs's byte string (see `write` there): unsigned LEB128
/// numbers, f64 as 8 bytes, strings as (start, length) in one text. Reading
/// past the end gives zeros and empty strings (the test below would fail),
/// never a panic.
struct Reader {
    bytes: &'static [u8],
    text: &'static str,
    at: usize,
}

impl Reader {
    fn new(bytes: &'static [u8], text: &'static str) -> Reader {
        Reader { bytes, text, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn n(&mut self) -> usize {
        let (mut v, mut shift) = (0usize, 0);
        loop {
            let b = self.byte();
            v |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b < 0x80 || shift >= usize::BITS {
                return v;
            }
        }
    }

    #[inline(never)]
    fn s(&mut self) -> String {
        let start = self.n();
        let end = start + self.n();
        self.text.get(start..end).unwrap_or_default().to_string()
    }

    fn f64(&mut self) -> f64 {
        f64::from_le_bytes([(); 8].map(|_| self.byte()))
    }

    fn opt<T>(&mut self, read: impl FnOnce(&mut Reader) -> T) -> Option<T> {
        (self.n() != 0).then(|| read(self))
    }

    fn seq<T>(&mut self, mut read: impl FnMut(&mut Reader) -> T) -> Vec<T> {
        let n = self.n();
        (0..n).map(|_| read(self)).collect()
    }
}

/// The first `n` variants of a unit enum, by index through the enum's serde
/// derive (the generated code knows only the serialized form).
fn variants<T: serde::de::DeserializeOwned>(n: u32) -> core::result::Result<Vec<T>, NoVariant> {
    (0..n).map(|i| T::deserialize(serde::de::IntoDeserializer::<NoVariant>::into_deserializer(i))).collect()
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
    fn the_wasm_lowercases_drug_names_as_to_lowercase_does() {
        let drugs = library().unwrap().drugs;
        assert_eq!(library::ASCII_DRUG_NAMES, drugs.iter().all(|d| d.name.is_ascii()));
        for d in drugs {
            if library::ASCII_DRUG_NAMES {
                assert_eq!(d.name.to_ascii_lowercase(), d.name.to_lowercase());
            }
            assert_eq!(lowercase_drug_name(&d), d.name.to_lowercase());
        }
    }

    #[test]
    fn built_in_pk_models_are_the_json_file() {
        assert_eq!(&pk_models().unwrap(), crate::pk::Library::shipped().unwrap());
    }
}
