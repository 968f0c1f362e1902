//! A request as the caller sent it, before the contract has looked at it: a
//! small JSON-shaped tree. Both boundaries read into this first (serde_json
//! natively, serde-wasm-bindgen in the browser), so the same checks see the
//! same keys: serde-wasm-bindgen reads a struct by looking up its own field
//! names, which would never see an unknown key, and would read inherited
//! properties; read as a map it sees exactly the object's own keys.
//!
//! Reading is bounded (depth, list length, key count) so an absurd input is
//! refused at once instead of being built in memory first.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess};
use std::fmt;

/// More nesting than any request has (request > dose > field is three).
pub const MAX_DEPTH: usize = 6;
/// Longer than any list a request can hold (alert codes, cautions).
pub const MAX_LIST: usize = 64;
/// More keys than any object of the contract has.
pub const MAX_KEYS: usize = 64;
/// Longer than any text a request holds (ids, dates, typed numbers).
pub const MAX_TEXT: usize = 200;

/// How much a reader accepts before it refuses, as a whole.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub list: usize,
    pub keys: usize,
    pub text: usize,
    /// Values in all (a bound on memory however the nesting is shaped).
    pub values: usize,
}

/// A request: the bounds above.
pub const REQUEST: Limits = Limits {
    depth: MAX_DEPTH,
    list: MAX_LIST,
    keys: MAX_KEYS,
    text: MAX_TEXT,
    values: 4_096,
};

/// A course record (`record`): record > courses > course > sessions >
/// session > vitals > row > value is 8 deep; 5 days of vitals every 15 min
/// are 480 rows; notes are free text.
pub const RECORD: Limits = Limits {
    depth: 8,
    list: 2_000,
    keys: MAX_KEYS,
    text: 2_000,
    values: 200_000,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Value>),
    /// Keys in the order given; a repeated key is refused while reading.
    Object(Vec<(String, Value)>),
}

impl Value {
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at `key` when it is given: a missing key and `null` are both
    /// "not given", the one rule every reader of requests, options, forms
    /// and records follows.
    pub fn given(&self, key: &str) -> Option<&Value> {
        self.get(key).filter(|v| **v != Value::Null)
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The texts of a list (codes, ids); anything else gives none.
    pub fn texts(&self) -> Vec<String> {
        match self {
            Value::List(items) => items
                .iter()
                .filter_map(|i| i.as_text().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What the value is, in words a clinician reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "nothing (null)".into(),
            Value::Bool(b) => format!("{b} (yes/no)"),
            Value::Number(n) => format!("the number {}", crate::numbers::format(*n, 6)),
            Value::Text(t) => format!("the text \"{}\"", t.chars().take(40).collect::<String>()),
            Value::List(_) => "a list".into(),
            Value::Object(_) => "an object".into(),
        }
    }
}

/// Written back as the JSON it was read from (a clinic library's own test
/// cases reach the page as given).
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => s.serialize_f64(*n),
            Value::Text(t) => s.serialize_str(t),
            Value::List(items) => s.collect_seq(items),
            Value::Object(entries) => s.collect_map(entries.iter().map(|(k, v)| (k, v))),
        }
    }
}

impl<'de> de::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::read(d, REQUEST)
    }
}

impl Value {
    /// Reads any serde input within `limits` (a request's, or a record's).
    pub fn read<'de, D: Deserializer<'de>>(d: D, limits: Limits) -> Result<Value, D::Error> {
        let count = std::cell::Cell::new(0);
        Bounded {
            depth: 0,
            limits: &limits,
            count: &count,
        }
        .deserialize(d)
    }
}

/// Reads one value at `depth`, refusing what exceeds the bounds.
#[derive(Clone, Copy)]
struct Bounded<'a> {
    depth: usize,
    limits: &'a Limits,
    /// Values read so far, in the whole input.
    count: &'a std::cell::Cell<usize>,
}

impl Bounded<'_> {
    fn inner(self) -> Self {
        Bounded {
            depth: self.depth + 1,
            ..self
        }
    }
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let Limits { depth, values, .. } = *self.limits;
        if self.depth > depth {
            return Err(de::Error::custom(format!(
                "nested more than {depth} levels deep"
            )));
        }
        self.count.set(self.count.get() + 1);
        if self.count.get() > values {
            return Err(de::Error::custom(format!("more than {values} values")));
        }
        d.deserialize_any(self)
    }
}

impl<'de> de::Visitor<'de> for Bounded<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        let max = self.limits.text;
        if s.chars().count() > max {
            return Err(E::custom(format!("a text longer than {max} characters")));
        }
        Ok(Value::Text(s.to_string()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.visit_str(&s)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let max = self.limits.list;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self.inner())? {
            if items.len() == max {
                return Err(de::Error::custom(format!(
                    "a list of more than {max} items"
                )));
            }
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let max = self.limits.keys;
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if entries.len() == max {
                return Err(de::Error::custom(format!(
                    "an object of more than {max} keys"
                )));
            }
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("the key {key} twice")));
            }
            let value = map.next_value_seed(self.inner())?;
            entries.push((key, value));
        }
        Ok(Value::Object(entries))
    }
}

/// A checked `Value` turned into the request's serde types, so the types keep
/// one description (their derives) and `deny_unknown_fields` still holds.
impl<'de> Deserializer<'de> for &'de Value {
    type Error = de::value::Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Number(n) => v.visit_f64(*n),
            Value::Text(t) => v.visit_borrowed_str(t),
            Value::List(items) => v.visit_seq(de::value::SeqDeserializer::new(items.iter())),
            Value::Object(entries) => v.visit_map(de::value::MapDeserializer::new(
                entries.iter().map(|(k, val)| (k.as_str(), val)),
            )),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Value::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, de::value::Error> for &'de Value {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Value, String> {
        serde_json::from_str::<Value>(json).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_json_and_keeps_key_order() {
        let v = read(r#"{"b": [1, "x", null, true], "a": {"c": 2.5}}"#).unwrap();
        let Value::Object(entries) = &v else { panic!() };
        assert_eq!(entries[0].0, "b");
        assert_eq!(
            v.get("a").and_then(|a| a.get("c")),
            Some(&Value::Number(2.5))
        );
    }

    #[test]
    fn absurd_inputs_are_refused_while_reading() {
        let long_list = format!("[{}]", vec!["1"; MAX_LIST + 1].join(","));
        assert!(read(&long_list).unwrap_err().contains("more than 64 items"));
        assert!(read(&format!("[{}]", vec!["1"; MAX_LIST].join(","))).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert!(read(&deep).unwrap_err().contains("nested"));
        assert!(read(r#"{"a": 1, "a": 2}"#).unwrap_err().contains("twice"));
        let long_text = format!("\"{}\"", "x".repeat(MAX_TEXT + 1));
        assert!(read(&long_text).is_err());
    }
}
