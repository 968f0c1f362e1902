//! The core's results as JSON text, for the JavaScript boundary: the page
//! reads them with one `JSON.parse`. A result crossed as a JS object is built
//! field by field (about 2,000 calls into JS for one plan) and its serializer
//! is generic code for every field type; JSON text is one string across and
//! a writer a quarter of the size. serde_json is not used in the wasm because
//! its float writer (ryu) brings about 10 KB of tables; floats here are
//! written by core's shortest round-trip `Display`, which the wasm has anyway.
//! Tested against serde_json natively (same JSON values).

use serde::ser::{self, Serialize};
use std::fmt::Write;

#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

/// `value` as JSON text. Non-finite numbers are written as `null`, as
/// `JSON.stringify` does.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    let mut w = Writer(String::new());
    value.serialize(&mut w)?;
    Ok(w.0)
}

struct Writer(String);

impl Writer {
    /// A JSON string: the text between the characters JSON escapes is
    /// copied in runs (the escapes are ASCII, so every cut is at a character
    /// boundary); a plan holds some 30 KB of text, written on every keystroke.
    fn text(&mut self, s: &str) {
        self.0.push('"');
        let mut run = 0;
        for (i, b) in s.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0..=0x1f => "",
                _ => continue,
            };
            self.0.push_str(s.get(run..i).unwrap_or(""));
            if escape.is_empty() {
                let _ = write!(self.0, "\\u{b:04x}");
            } else {
                self.0.push_str(escape);
            }
            run = i + 1;
        }
        self.0.push_str(s.get(run..).unwrap_or(""));
        self.0.push('"');
    }

    fn number(&mut self, v: f64) {
        if v.is_finite() {
            let _ = write!(self.0, "{v}");
        } else {
            self.0.push_str("null");
        }
    }

    fn integer(&mut self, v: impl std::fmt::Display) {
        let _ = write!(self.0, "{v}");
    }

    fn open(&mut self, open: &str, close: &'static str) -> Compound<'_> {
        self.0.push_str(open);
        Compound {
            w: self,
            first: true,
            close,
        }
    }

    /// `{"Variant":` before the variant's content.
    fn variant(&mut self, variant: &str) {
        self.0.push('{');
        self.text(variant);
        self.0.push(':');
    }
}

/// An object or a list being written: `first` says whether a comma is due.
struct Compound<'a> {
    w: &'a mut Writer,
    first: bool,
    /// The closing text (`}`, `]`, or `]}` / `}}` for an enum variant).
    close: &'static str,
}

impl Compound<'_> {
    fn comma(&mut self) {
        if !self.first {
            self.w.0.push(',');
        }
        self.first = false;
    }

    fn key(&mut self, key: &str) {
        self.comma();
        self.w.text(key);
        self.w.0.push(':');
    }

    fn end(self) -> Result<(), Error> {
        self.w.0.push_str(self.close);
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Writer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = Compound<'a>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = Compound<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.integer(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.number(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.text(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.text(v);
        Ok(())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(Error("bytes have no JSON form".into()))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.0.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Error> {
        self.text(v);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.variant(variant);
        v.serialize(&mut *self)?;
        self.0.push('}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open("[", "]"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        self.variant(variant);
        Ok(self.open("[", "]}"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
        Ok(self.open("{", "}"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
        Ok(self.open("{", "}"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'a>, Error> {
        self.variant(variant);
        Ok(self.open("{", "}}"))
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.comma();
        v.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Error;
    /// JSON keys are text: a key that serializes to anything else is quoted.
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let text = to_string(key)?;
        self.comma();
        if text.starts_with('"') {
            self.w.0.push_str(&text);
        } else {
            self.w.text(&text);
        }
        self.w.0.push(':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        v.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.key(key);
        v.serialize(&mut *self.w)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, v)
    }
    fn end(self) -> Result<(), Error> {
        Compound::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::to_string;
    use serde_json::{json, Value};

    /// Equal as JSON values: numbers compared as f64, within an ulp or two
    /// (serde_json's own float reader, without `float_roundtrip`, is not
    /// exact; `floats_read_back_exactly` checks the text with std's parser).
    fn equal(a: &Value, b: &Value, at: &str) {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => {
                let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
                assert!(
                    (x - y).abs() <= 1e-15 * x.abs().max(y.abs()),
                    "{at}: {x} vs {y}"
                );
            }
            (Value::Array(x), Value::Array(y)) => {
                assert_eq!(x.len(), y.len(), "{at}");
                for (i, (x, y)) in x.iter().zip(y).enumerate() {
                    equal(x, y, &format!("{at}[{i}]"));
                }
            }
            (Value::Object(x), Value::Object(y)) => {
                assert_eq!(
                    x.keys().collect::<Vec<_>>(),
                    y.keys().collect::<Vec<_>>(),
                    "{at}"
                );
                for (k, v) in x {
                    equal(v, &y[k], &format!("{at}.{k}"));
                }
            }
            _ => assert_eq!(a, b, "{at}"),
        }
    }

    fn same<T: serde::Serialize>(v: &T) {
        let ours: Value = serde_json::from_str(&to_string(v).unwrap()).unwrap();
        equal(&ours, &serde_json::to_value(v).unwrap(), "");
    }

    #[test]
    fn writes_what_serde_json_writes() {
        same(&json!({"a": [1, -2, 0.1, 1e-7, 12345678.25, true, null, "x\"\\\n\u{1}é"], "b": {}}));
        same(&(1u8, -3i64, 'c', Some(2.5f32), None::<i32>));
        let mut m = std::collections::BTreeMap::new();
        m.insert(3, "three");
        assert_eq!(to_string(&m).unwrap(), r#"{"3":"three"}"#);
        assert_eq!(to_string(&f64::NAN).unwrap(), "null");
        assert_eq!(to_string(&-0.0f64).unwrap(), "-0");
    }

    #[test]
    fn writes_the_core_results_as_serde_json_does() {
        let lib = crate::protocol::Library::default_library().unwrap();
        let lib = &lib;
        same(lib);
        same(crate::built_in::pk_models());
        same(&crate::contract::FIELDS);
        let mut planned = 0;
        for p in lib.protocols.iter() {
            let req: crate::request::PlanRequest = serde_json::from_value(json!({
                "protocol": p.id.as_str(), "patient": {"weightKg": 70, "ageYears": 40},
                "concentrationMgPerMl": 1, "start": "2026-12-07T08:00"
            }))
            .unwrap();
            // The custom order needs a start dose: its refusal is not a plan.
            if let Ok(order) = crate::order::Order::parse(lib, &req) {
                same(&order.plan());
                planned += 1;
            }
        }
        assert_eq!(planned, lib.protocols.len() - 1);
    }

    proptest::proptest! {
        #[test]
        fn floats_read_back_exactly(v in proptest::num::f64::NORMAL | proptest::num::f64::SUBNORMAL | proptest::num::f64::ZERO) {
            let back: f64 = to_string(&v).unwrap().parse().unwrap();
            proptest::prop_assert_eq!(back.to_bits(), v.to_bits());
        }

        #[test]
        fn any_text_reads_back_exactly(s in "(?s).{0,40}") {
            let back: String = serde_json::from_str(&to_string(&s).unwrap()).unwrap();
            proptest::prop_assert_eq!(back, s);
        }
    }
}
