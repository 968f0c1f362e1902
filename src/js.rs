//! Rust values to plain JavaScript values and back, through serde: what
//! serde-wasm-bindgen 0.6 did here (`Serializer::json_compatible()` out,
//! `from_value` in), value for value and message for message, in a fraction
//! of the code. Dropping it also drops js-sys (whose futures support keeps
//! dozens of closure shims in every module) and the float formatting that
//! serde's error messages pulled in: a number in an error message is written
//! by JavaScript's `String(n)`, in Rust's notation.
//!
//! Out: structs and maps become objects (keys in field order), sequences
//! arrays, `None` and `()` null, unit variants their name, other variants
//! `{ variant: value }`, 64-bit integers numbers when safe (else an error).
//! In: structs read each declared field with `obj[field]` (absent only when
//! undefined and not `field in obj`; other keys are never looked at), null
//! and undefined are `None`, numbers are f64 (integers when safe), arrays
//! and other iterables are sequences, and a value of the wrong kind is
//! serde's "invalid type" error.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};
use serde::ser::{self, Serialize};
use std::fmt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// Any JS object, read and written as `obj[key]`.
    #[wasm_bindgen(js_name = Object)]
    pub type Obj;
    #[wasm_bindgen(constructor, js_class = "Object")]
    fn new() -> Obj;
    #[wasm_bindgen(method, indexing_getter)]
    fn get(this: &Obj, key: &str) -> JsValue;
    #[wasm_bindgen(method, indexing_setter)]
    pub fn set(this: &Obj, key: &str, value: &JsValue);
    #[wasm_bindgen(method, indexing_setter)]
    fn set_key(this: &Obj, key: &JsValue, value: &JsValue);
    #[wasm_bindgen(static_method_of = Obj, js_class = "Object")]
    fn entries(object: &JsValue) -> Arr;

    #[wasm_bindgen(js_name = Array)]
    type Arr;
    #[wasm_bindgen(constructor, js_class = "Array")]
    fn new() -> Arr;
    #[wasm_bindgen(method)]
    fn push(this: &Arr, value: &JsValue) -> u32;
    #[wasm_bindgen(method, getter)]
    fn length(this: &Arr) -> u32;
    #[wasm_bindgen(method, indexing_getter)]
    fn at(this: &Arr, index: u32) -> JsValue;
    #[wasm_bindgen(static_method_of = Arr, js_class = "Array", js_name = isArray)]
    fn is_array(value: &JsValue) -> bool;

    #[wasm_bindgen(js_namespace = Number, js_name = isSafeInteger)]
    fn is_safe_integer(value: &JsValue) -> bool;

    #[wasm_bindgen(js_name = Uint8Array)]
    type Bytes;
    #[wasm_bindgen(constructor, js_class = "Uint8Array")]
    fn new(source: &JsValue) -> Bytes;
    #[wasm_bindgen(method, getter)]
    fn length(this: &Bytes) -> u32;
    #[wasm_bindgen(method, indexing_getter)]
    fn at(this: &Bytes, index: u32) -> u8;
    #[wasm_bindgen(js_name = ArrayBuffer)]
    type Buffer;

    /// `String(value)`: how a thrown value or a number reads.
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;

    #[wasm_bindgen(thread_local_v2, js_namespace = Symbol, js_name = iterator)]
    static SYMBOL_ITERATOR: JsValue;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = Function)]
    type Func;
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call0(this: &Func, this_arg: &JsValue) -> Result<JsValue, JsValue>;
    /// A JS iterator (`next` is a function) and its results.
    type Iter;
    #[wasm_bindgen(method, getter, js_name = next)]
    fn next_fn(this: &Iter) -> JsValue;
    #[wasm_bindgen(catch, method)]
    fn next(this: &Iter) -> Result<IterResult, JsValue>;
    type IterResult;
    #[wasm_bindgen(method, getter)]
    fn done(this: &IterResult) -> bool;
    #[wasm_bindgen(method, getter)]
    fn value(this: &IterResult) -> JsValue;

    /// The `Error` that carries a `PlanError` to the page.
    #[wasm_bindgen(js_name = Error)]
    pub type JsErr;
    #[wasm_bindgen(constructor, js_class = "Error")]
    pub fn new(message: &str) -> JsErr;
    #[wasm_bindgen(method, setter)]
    pub fn set_name(this: &JsErr, name: &str);
}

/// A failure, as `String(error)` reads: a message becomes `new Error(msg)`
/// ("Error: msg"), a thrown JS value reads as itself. Boxed: the derived
/// code checks a `Result` after every field, and a pointer is the cheapest
/// to check (a `String` here cost ~15 KB of wasm, a `Box<str>`, two words,
/// as much).
#[derive(Debug)]
#[allow(clippy::box_collection)]
pub struct Error(Box<String>);

impl Error {
    fn thrown(value: JsValue) -> Error {
        Error(Box::new(js_string(&value)))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn message(msg: impl fmt::Display) -> Error {
    let msg = msg.to_string();
    Error(Box::new(if msg.is_empty() { "Error".to_string() } else { format!("Error: {msg}") }))
}

impl ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        message(msg)
    }
}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        message(msg)
    }
    fn invalid_type(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        message(format_args!("invalid type: {}, expected {}", Unexp(unexp), exp))
    }
    fn invalid_value(unexp: Unexpected, exp: &dyn de::Expected) -> Self {
        message(format_args!("invalid value: {}, expected {}", Unexp(unexp), exp))
    }
}

/// serde's `Display` for `Unexpected`, except that a float is written by
/// JavaScript (see `float_text`) instead of core's float formatting.
struct Unexp<'a>(Unexpected<'a>);

impl fmt::Display for Unexp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Float(v) => write!(f, "floating point `{}`", float_text(v)),
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(i) => write!(f, "integer `{i}`"),
            Unexpected::Signed(i) => write!(f, "integer `{i}`"),
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => write!(f, "string {s:?}"),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("unit value"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

/// What serde writes for a float in a message: `{}` plus ".0" when that
/// has no point (serde's `WithDecimalPoint`).
fn float_text(v: f64) -> String {
    let text = shortest(v);
    if v.is_finite() && !text.contains('.') {
        format!("{text}.0")
    } else {
        text
    }
}

/// Rust's `{}` of an f64 (the shortest digits that read back as the number,
/// never an exponent). JavaScript's `String(n)` gives the same shortest
/// digits except on an exact tie between two (n exactly halfway), where it
/// takes the even one and Rust the one further from zero; and it writes
/// large and small numbers with an exponent. Both are corrected here.
pub fn shortest(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    let mut out = String::from(if v.is_sign_negative() { "-" } else { "" });
    if v.is_infinite() || v == 0.0 {
        out.push_str(if v == 0.0 { "0" } else { "inf" });
        return out;
    }
    // String(|v|) ("123.45", "1.5e-7", "1e+21") as digits d1..dk without
    // leading zeros and a point position: |v| = 0.d1..dk x 10^point.
    let js = js_string(&JsValue::from_f64(v.abs()));
    let (mut digits, mut point, mut exponent, mut after_point, mut negative) = (Vec::new(), 0i32, None, false, false);
    for b in js.bytes() {
        match (b, exponent.as_mut()) {
            (b'e', _) => exponent = Some(0i32),
            (b'-', _) => negative = true,
            (b'0'..=b'9', Some(e)) => *e = *e * 10 + i32::from(b - b'0'),
            (b'0'..=b'9', None) => {
                if b == b'0' && digits.is_empty() {
                    point -= i32::from(after_point);
                } else {
                    digits.push(b);
                    point += i32::from(!after_point);
                }
            }
            (b'.', _) => after_point = true,
            _ => {}
        }
    }
    let exponent = exponent.unwrap_or(0);
    point += if negative { -exponent } else { exponent };
    // A tie: |v| is exactly d1..dk5 x 10^(point-k-1); Rust then rounds up.
    let k = digits.len() as i32;
    let d = digits.iter().fold(0u64, |n, b| n.wrapping_mul(10).wrapping_add(u64::from(b - b'0')));
    if k <= 17 && is_exactly(v.abs(), d * 10 + 5, point - k - 1) {
        // Add one to the last digit, carrying.
        let mut i = digits.len();
        while i > 0 && digits[i - 1] == b'9' {
            digits.pop();
            i -= 1;
        }
        match digits.last_mut() {
            Some(last) => *last += 1,
            None => {
                digits.push(b'1');
                point += 1;
            }
        }
    }
    let digits: String = digits.into_iter().map(char::from).collect();
    let n = digits.len() as i32;
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', point.unsigned_abs() as usize));
        out.push_str(&digits);
    } else if point >= n {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - n) as usize));
    } else {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    }
    out
}

/// Whether `v` is exactly `k x 10^t` (k odd: it ends in 5). That decimal is
/// k 5^t 2^t, a double only when its odd part k 5^t (or k / 5^-t) is an
/// integer below 2^53.
fn is_exactly(v: f64, k: u64, t: i32) -> bool {
    let odd = if t >= 0 {
        5u64.checked_pow(t.unsigned_abs()).and_then(|p| p.checked_mul(k))
    } else {
        5u64.checked_pow(t.unsigned_abs()).filter(|p| k.is_multiple_of(*p)).map(|p| k / p)
    };
    // n x 2^t in two exact steps (each factor a normal power of two).
    let two = |e: i32| f64::from_bits(((e + 1023).clamp(0, 2046) as u64) << 52);
    matches!(odd, Some(n) if n < 1 << 53 && n as f64 * two(t / 2) * two(t - t / 2) == v)
}

// ---------------------------------------------------------------- out

/// Serializes to plain JS values.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    value.serialize(Ser)
}

#[derive(Clone, Copy)]
struct Ser;

fn number(v: f64) -> Result<JsValue, Error> {
    Ok(JsValue::from_f64(v))
}

/// An object under construction; `variant` wraps it as `{ variant: obj }`.
struct ObjSer {
    obj: Obj,
    variant: Option<&'static str>,
    key: JsValue,
}

/// An array under construction; `variant` as for `ObjSer`.
struct ArrSer {
    arr: Arr,
    variant: Option<&'static str>,
}

fn wrap(variant: Option<&'static str>, value: JsValue) -> JsValue {
    match variant {
        Some(name) => {
            let obj = Obj::new();
            obj.set(name, &value);
            obj.into()
        }
        None => value,
    }
}

fn obj_ser(variant: Option<&'static str>) -> ObjSer {
    ObjSer { obj: Obj::new(), variant, key: JsValue::UNDEFINED }
}

fn arr_ser(variant: Option<&'static str>) -> ArrSer {
    ArrSer { arr: Arr::new(), variant }
}

impl ser::Serializer for Ser {
    type Ok = JsValue;
    type Error = Error;
    type SerializeSeq = ArrSer;
    type SerializeTuple = ArrSer;
    type SerializeTupleStruct = ArrSer;
    type SerializeTupleVariant = ArrSer;
    type SerializeMap = ObjSer;
    type SerializeStruct = ObjSer;
    type SerializeStructVariant = ObjSer;

    fn serialize_bool(self, v: bool) -> Result<JsValue, Error> {
        Ok(JsValue::from_bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_u8(self, v: u8) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_f32(self, v: f32) -> Result<JsValue, Error> {
        number(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<JsValue, Error> {
        number(v)
    }
    fn serialize_i64(self, v: i64) -> Result<JsValue, Error> {
        const SAFE: i64 = (1 << 53) - 1;
        if (-SAFE..=SAFE).contains(&v) {
            number(v as f64)
        } else {
            Err(ser::Error::custom(format_args!("{v} can't be represented as a JavaScript number")))
        }
    }
    fn serialize_u64(self, v: u64) -> Result<JsValue, Error> {
        if v < 1 << 53 {
            number(v as f64)
        } else {
            Err(ser::Error::custom(format_args!("{v} can't be represented as a JavaScript number")))
        }
    }
    fn serialize_i128(self, v: i128) -> Result<JsValue, Error> {
        Ok(JsValue::from(v))
    }
    fn serialize_u128(self, v: u128) -> Result<JsValue, Error> {
        Ok(JsValue::from(v))
    }
    fn serialize_char(self, v: char) -> Result<JsValue, Error> {
        Ok(JsValue::from_str(v.encode_utf8(&mut [0; 4])))
    }
    fn serialize_str(self, v: &str) -> Result<JsValue, Error> {
        Ok(JsValue::from_str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<JsValue, Error> {
        let arr = Arr::new();
        for b in v {
            arr.push(&JsValue::from_f64((*b).into()));
        }
        Ok(arr.into())
    }
    fn serialize_none(self) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<JsValue, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<JsValue, Error> {
        Ok(JsValue::NULL)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<JsValue, Error> {
        Ok(JsValue::from_str(variant))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Result<JsValue, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<JsValue, Error> {
        Ok(wrap(Some(variant), value.serialize(self)?))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<ArrSer, Error> {
        Ok(arr_ser(None))
    }
    fn serialize_tuple(self, _: usize) -> Result<ArrSer, Error> {
        Ok(arr_ser(None))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<ArrSer, Error> {
        Ok(arr_ser(None))
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<ArrSer, Error> {
        Ok(arr_ser(Some(variant)))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<ObjSer, Error> {
        Ok(obj_ser(None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<ObjSer, Error> {
        Ok(obj_ser(None))
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<ObjSer, Error> {
        Ok(obj_ser(Some(variant)))
    }
}

// The generic methods below only serialize the value; what does not depend
// on its type is out of line (they are instantiated per field type).
impl ArrSer {
    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let value = value.serialize(Ser)?;
        self.push(value);
        Ok(())
    }
    #[inline(never)]
    fn push(&self, value: JsValue) {
        self.arr.push(&value);
    }
    fn done(self) -> Result<JsValue, Error> {
        Ok(wrap(self.variant, self.arr.into()))
    }
}

impl ser::SerializeSeq for ArrSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeTuple for ArrSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeTupleStruct for ArrSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeTupleVariant for ArrSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ObjSer {
    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let value = value.serialize(Ser)?;
        self.put(key, value);
        Ok(())
    }
    #[inline(never)]
    fn put(&self, key: &str, value: JsValue) {
        self.obj.set(key, &value);
    }
    /// The value for the key `serialize_key` gave.
    #[inline(never)]
    fn put_at_key(&mut self, value: JsValue) -> Result<(), Error> {
        let key = std::mem::replace(&mut self.key, JsValue::UNDEFINED);
        if !key.is_string() {
            return Err(ser::Error::custom("Map key is not a string and cannot be an object key"));
        }
        self.obj.set_key(&key, &value);
        Ok(())
    }
    fn done(self) -> Result<JsValue, Error> {
        Ok(wrap(self.variant, self.obj.into()))
    }
}

impl ser::SerializeMap for ObjSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), Error> {
        self.key = key.serialize(Ser)?;
        Ok(())
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Error> {
        let value = value.serialize(Ser)?;
        self.put_at_key(value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeStruct for ObjSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

impl ser::SerializeStructVariant for ObjSer {
    type Ok = JsValue;
    type Error = Error;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.field(key, value)
    }
    fn end(self) -> Result<JsValue, Error> {
        self.done()
    }
}

// ---------------------------------------------------------------- in

/// Deserializes from a JS value.
pub fn from_value<T: de::DeserializeOwned>(value: JsValue) -> Result<T, Error> {
    T::deserialize(De(value))
}

struct De(JsValue);

impl De {
    fn nullish(&self) -> bool {
        self.0.loose_eq(&JsValue::NULL)
    }

    fn safe_integer(&self) -> Option<i64> {
        is_safe_integer(&self.0).then(|| self.0.unchecked_into_f64() as i64)
    }

    fn bytes(&self) -> Option<Bytes> {
        if self.0.is_instance_of::<Bytes>() {
            Some(self.0.clone().unchecked_into())
        } else if self.0.is_instance_of::<Buffer>() {
            Some(Bytes::new(&self.0))
        } else {
            None
        }
    }

    /// serde's "invalid type" error for this value and what `exp` wanted.
    #[cold]
    fn unexpected(&self, exp: &dyn de::Expected) -> Error {
        let text;
        let unexpected = if self.nullish() {
            Unexpected::Unit
        } else if let Some(b) = self.0.as_bool() {
            Unexpected::Bool(b)
        } else if let Some(v) = self.0.as_f64() {
            Unexpected::Float(v)
        } else if let Some(s) = self.0.as_string() {
            text = s;
            Unexpected::Str(&text)
        } else if self.bytes().is_some() {
            Unexpected::Bytes(&[])
        } else {
            text = format!("{:?}", self.0);
            Unexpected::Other(&text)
        };
        de::Error::invalid_type(unexpected, exp)
    }

    fn invalid<'de, V: Visitor<'de>, T>(&self, visitor: V) -> Result<T, Error> {
        Err(self.unexpected(&visitor))
    }

    /// `value[Symbol.iterator]()` when that is a function returning an
    /// iterator; errors thrown on the way are errors.
    fn iterator(&self) -> Result<Option<Iter>, Error> {
        let method = SYMBOL_ITERATOR.with(|symbol| reflect_get(&self.0, symbol)).map_err(Error::thrown)?;
        if !method.is_function() {
            return Ok(None);
        }
        let it = method.unchecked_into::<Func>().call0(&self.0).map_err(Error::thrown)?;
        if !it.is_object() || !it.unchecked_ref::<Iter>().next_fn().is_function() {
            return Ok(None);
        }
        Ok(Some(it.unchecked_into()))
    }

    fn seq<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if Arr::is_array(&self.0) {
            let arr: Arr = self.0.unchecked_into();
            visitor.visit_seq(Items { len: arr.length(), arr, next: 0 })
        } else if let Some(iter) = self.iterator()? {
            visitor.visit_seq(Iterated { iter, value: None, done: false })
        } else {
            self.invalid(visitor)
        }
    }

    fn map<'de, V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(iter) = self.iterator()? {
            return visitor.visit_map(Iterated { iter, value: None, done: false });
        }
        if !self.0.is_object() {
            return self.invalid(visitor);
        }
        let arr = Obj::entries(&self.0);
        visitor.visit_map(Pairs { len: arr.length(), arr, next: 0, value: None })
    }
}

fn pair(entry: JsValue) -> (De, De) {
    let entry: Arr = entry.unchecked_into();
    (De(entry.at(0)), De(entry.at(1)))
}

impl<'de> de::Deserializer<'de> for De {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.nullish() {
            visitor.visit_unit()
        } else if let Some(b) = self.0.as_bool() {
            visitor.visit_bool(b)
        } else if self.0.is_bigint() {
            match i64::try_from(self.0) {
                Ok(v) => visitor.visit_i64(v),
                Err(value) => match u64::try_from(value) {
                    Ok(v) => visitor.visit_u64(v),
                    Err(_) => Err(de::Error::custom("Couldn't deserialize i64 or u64 from a BigInt outside i64::MIN..u64::MAX bounds")),
                },
            }
        } else if let Some(v) = self.0.as_f64() {
            if is_safe_integer(&self.0) {
                visitor.visit_i64(v as i64)
            } else {
                visitor.visit_f64(v)
            }
        } else if let Some(s) = self.0.as_string() {
            visitor.visit_string(s)
        } else if Arr::is_array(&self.0) {
            self.seq(visitor)
        } else if let Some(bytes) = self.bytes() {
            visitor.visit_byte_buf((0..bytes.length()).map(|i| bytes.at(i)).collect())
        } else if self.0.is_object() && self.iterator_method_absent_or_map() {
            self.map(visitor)
        } else {
            self.invalid(visitor)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.nullish() {
            visitor.visit_unit()
        } else {
            self.invalid(visitor)
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_bool() {
            Some(b) => visitor.visit_bool(b),
            None => self.invalid(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_f64() {
            Some(v) => visitor.visit_f64(v),
            None => self.invalid(visitor),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.as_string() {
            Some(s) => visitor.visit_string(s),
            None => self.invalid(visitor),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_bigint() {
            return match i64::try_from(self.0) {
                Ok(v) => visitor.visit_i64(v),
                Err(_) => Err(de::Error::custom("Couldn't deserialize i64 from a BigInt outside i64::MIN..i64::MAX bounds")),
            };
        }
        match self.safe_integer() {
            Some(v) => visitor.visit_i64(v),
            None => self.invalid(visitor),
        }
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_u64(visitor)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_bigint() {
            return match u64::try_from(self.0) {
                Ok(v) => visitor.visit_u64(v),
                Err(_) => Err(de::Error::custom("Couldn't deserialize u64 from a BigInt outside u64::MIN..u64::MAX bounds")),
            };
        }
        match self.safe_integer() {
            Some(v) if v >= 0 => visitor.visit_u64(v as u64),
            _ => self.invalid(visitor),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(s) = self.0.as_string() {
            let mut chars = s.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                return visitor.visit_char(c);
            }
        }
        self.invalid(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.nullish() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(self, _: &'static str, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if !self.0.is_object() {
            return self.invalid(visitor);
        }
        visitor.visit_map(Fields { obj: self.0.unchecked_into(), fields, next: 0, value: None })
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let (tag, payload) = if self.0.is_string() {
            (self, De(JsValue::UNDEFINED))
        } else if self.0.is_object() {
            let entries = Obj::entries(&self.0);
            if entries.length() != 1 {
                return Err(de::Error::invalid_length(entries.length() as usize, &"1"));
            }
            pair(entries.at(0))
        } else {
            return self.invalid(visitor);
        };
        visitor.visit_enum(Variant { tag, payload })
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_byte_buf(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(bytes) = self.bytes() {
            visitor.visit_byte_buf((0..bytes.length()).map(|i| bytes.at(i)).collect())
        } else if Arr::is_array(&self.0) {
            self.seq(visitor)
        } else {
            self.invalid(visitor)
        }
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_bigint() {
            return match i128::try_from(self.0) {
                Ok(v) => visitor.visit_i128(v),
                Err(_) => Err(de::Error::custom("Couldn't deserialize i128 from a BigInt outside i128::MIN..i128::MAX bounds")),
            };
        }
        self.invalid(visitor)
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.0.is_bigint() {
            return match u128::try_from(self.0) {
                Ok(v) => visitor.visit_u128(v),
                Err(_) => Err(de::Error::custom("Couldn't deserialize u128 from a BigInt outside u128::MIN..u128::MAX bounds")),
            };
        }
        self.invalid(visitor)
    }
}

impl De {
    /// For `deserialize_any`: plain objects and Maps are maps; other
    /// iterables (Sets, generators) are not guessed at.
    fn iterator_method_absent_or_map(&self) -> bool {
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(js_name = Map)]
            type JsMap;
        }
        let has_iterator = SYMBOL_ITERATOR.with(|symbol| symbol.js_in(&self.0));
        !has_iterator || self.0.is_instance_of::<JsMap>()
    }
}

/// The declared fields of a struct that the object has, in declaration order.
struct Fields {
    obj: Obj,
    fields: &'static [&'static str],
    next: usize,
    value: Option<JsValue>,
}

impl Fields {
    /// The index of the next field the object has, its value kept for
    /// `next_value_seed`.
    fn next_present(&mut self) -> Option<usize> {
        while let Some(field) = self.fields.get(self.next) {
            self.next += 1;
            let value = self.obj.get(field);
            if !value.is_undefined() || JsValue::from_str(field).js_in(&self.obj) {
                self.value = Some(value);
                return Some(self.next - 1);
            }
        }
        None
    }
}

impl<'de> de::MapAccess<'de> for Fields {
    type Error = Error;

    /// The key as its index in the declared fields, which serde's derived
    /// field visitor maps exactly as it maps the name, without comparing
    /// strings (~2 KB of wasm). Exact while no field has a `#[serde(alias)]`
    /// (aliases join `fields`): request::tests checks the request types.
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.next_present() {
            Some(i) => seed.deserialize(IntoDeserializer::<Error>::into_deserializer(i as u64)).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(De(self.value.take().unwrap_or(JsValue::UNDEFINED)))
    }
}

/// The elements of an array, as of its length when reading began (like
/// serde-wasm-bindgen, elements the visitor does not ask for are not an error).
struct Items {
    arr: Arr,
    len: u32,
    next: u32,
}

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if self.next >= self.len {
            return Ok(None);
        }
        self.next += 1;
        seed.deserialize(De(self.arr.at(self.next - 1))).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.len - self.next) as usize)
    }
}

/// `Object.entries` of a plain object, as map entries.
struct Pairs {
    arr: Arr,
    len: u32,
    next: u32,
    value: Option<De>,
}

impl<'de> de::MapAccess<'de> for Pairs {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if self.next >= self.len {
            return Ok(None);
        }
        self.next += 1;
        let (key, value) = pair(self.arr.at(self.next - 1));
        self.value = Some(value);
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(self.value.take().unwrap_or(De(JsValue::UNDEFINED)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some((self.len - self.next) as usize)
    }
}

/// The values of a JS iterator: a sequence, or `[key, value]` map entries.
struct Iterated {
    iter: Iter,
    value: Option<De>,
    done: bool,
}

impl Iterated {
    fn step(&mut self) -> Result<Option<JsValue>, Error> {
        if self.done {
            return Ok(None);
        }
        match self.iter.next() {
            Err(e) => {
                self.done = true;
                Err(Error::thrown(e))
            }
            Ok(r) if r.done() => {
                self.done = true;
                Ok(None)
            }
            Ok(r) => Ok(Some(r.value())),
        }
    }
}

impl<'de> de::SeqAccess<'de> for Iterated {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        match self.step()? {
            Some(value) => seed.deserialize(De(value)).map(Some),
            None => Ok(None),
        }
    }
}

impl<'de> de::MapAccess<'de> for Iterated {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        match self.step()? {
            Some(entry) => {
                let (key, value) = pair(entry);
                self.value = Some(value);
                seed.deserialize(key).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(self.value.take().unwrap_or(De(JsValue::UNDEFINED)))
    }
}

/// An enum as `"Variant"` or `{ Variant: payload }`.
struct Variant {
    tag: De,
    payload: De,
}

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = Error;
    type Variant = De;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, De), Error> {
        Ok((seed.deserialize(self.tag)?, self.payload))
    }
}

impl<'de> de::VariantAccess<'de> for De {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.seq(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(self, fields: &'static [&'static str], visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_struct(self, "", fields, visitor)
    }
}

impl<'de> IntoDeserializer<'de, Error> for De {
    type Deserializer = De;

    fn into_deserializer(self) -> De {
        self
    }
}
