//! The JavaScript boundary, and nothing else: read the JS value, call the
//! core, serialize. Every argument is first read as an untyped `Value`
//! (own properties only, bounded) and checked against the contract, exactly
//! as natively; core errors convert themselves into JS `Error`s named
//! `PlanError` with `.field`, `.code` and `.errors` (after automerge-wasm), so
//! `?` needs no `map_err`.

use crate::error::{FieldErrors, PlanError};
use crate::order::Order;
use crate::protocol::Library;
use crate::request::PlanRequest;
use crate::value::Value;
use serde::Serialize;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// talc instead of std's dlmalloc: a maintained general-purpose allocator,
/// faster and smaller (about 2 KB of the gzipped wasm).
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &key.into(), value);
}

/// The first refusal as the thrown error, all of them in `.errors`; `place`
/// is the key that says where (`field` of a request, `path` in a file).
fn thrown(all: FieldErrors, name: &str, place: &str) -> JsValue {
    let object = |e: &PlanError| {
        let err = js_sys::Error::new(&e.message);
        err.set_name(name);
        set(err.as_ref(), place, &e.field.as_str().into());
        set(err.as_ref(), "code", &e.code.as_str().into());
        err
    };
    let first = all.first().cloned().unwrap_or_else(|| {
        PlanError::new("request", "invalid_request", "The request is not valid.")
    });
    let err = object(&first);
    let list = js_sys::Array::new();
    for e in all.iter() {
        list.push(object(e).as_ref());
    }
    set(err.as_ref(), "errors", list.as_ref());
    err.into()
}

impl From<PlanError> for JsValue {
    fn from(e: PlanError) -> JsValue {
        FieldErrors::from(e).into()
    }
}

/// A refused request or record: a `PlanError` with `.field`, `.code`, `.errors`.
impl From<FieldErrors> for JsValue {
    fn from(all: FieldErrors) -> JsValue {
        thrown(all, "PlanError", "field")
    }
}

/// Every problem of a protocol library, thrown as a `LibraryError` whose
/// `.path` is the JSON Pointer of the first (`/protocols/3/caps/0/mgPerHour`),
/// with all of them in `.errors`, each with `.path`, `.code`, `.message`.
struct LibraryError(FieldErrors);

impl From<LibraryError> for JsValue {
    fn from(e: LibraryError) -> JsValue {
        thrown(e.0, "LibraryError", "path")
    }
}

/// A result as JS: written as JSON text by the core and read by `JSON.parse`
/// (one string across the boundary instead of one call per field).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = crate::json::to_string(value)
        .map_err(|e| PlanError::new("result", "serialize", e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// Any JS value as a bounded `Value`; `what` names the argument in messages.
fn read(value: JsValue, what: &str) -> Result<Value, PlanError> {
    read_within(value, what, crate::value::REQUEST)
}

fn read_within(
    value: JsValue,
    what: &str,
    limits: crate::value::Limits,
) -> Result<Value, PlanError> {
    if value.is_undefined() || value.is_null() {
        return Err(PlanError::new(
            what,
            "required",
            format!("The {what} is missing."),
        ));
    }
    Value::read(serde_wasm_bindgen::Deserializer::from(value), limits).map_err(|e| {
        PlanError::new(
            what,
            "invalid_value",
            format!("The {what} is not valid: {e}."),
        )
    })
}

/// The library in use and the SHA-256 that names it.
struct InUse {
    library: Library,
    sha256: String,
}

thread_local! {
    /// Set by `useLibrary`; the built-in library until then.
    static IN_USE: RefCell<Option<Rc<InUse>>> = const { RefCell::new(None) };
}

/// The library in use, reading the built-in one on first use: through
/// `use_library`, the path a clinic's takes.
fn in_use() -> Result<Rc<InUse>, JsValue> {
    if let Some(lib) = IN_USE.with(|l| l.borrow().clone()) {
        return Ok(lib);
    }
    use_library(crate::built_in::LIBRARY_JSON.into())?;
    IN_USE
        .with(|l| l.borrow().clone())
        .ok_or_else(|| PlanError::new("library", "no_library", "No protocol library.").into())
}

/// Reads, checks and then uses a protocol library: its JSON text, or the
/// object `JSON.parse` made of it. A library with any problem throws them
/// all and the library in use stays in use. Its SHA-256 is of the exact
/// UTF-8 text given, or, for an object, of the library as the core writes
/// it (`library()` gives both back).
#[wasm_bindgen(js_name = useLibrary)]
pub fn use_library(input: JsValue) -> Result<(), JsValue> {
    let text = input.as_string();
    let object = match &text {
        Some(t) => js_sys::JSON::parse(t).map_err(|e| {
            let why = js_sys::Error::from(e).message();
            LibraryError(crate::library::not_json(&String::from(why)))
        })?,
        None => input,
    };
    let value = read_within(object, "library", crate::library::LIMITS)
        .map_err(|e| LibraryError(PlanError::new("", "invalid_library", e.message).into()))?;
    let library = crate::library::from_value(&value).map_err(LibraryError)?;
    let sha256 = match &text {
        Some(t) => crate::library::sha256_hex(t.as_bytes()),
        None => {
            let canonical = crate::json::to_string(&library)
                .map_err(|e| PlanError::new("library", "serialize", e.to_string()))?;
            crate::library::sha256_hex(canonical.as_bytes())
        }
    };
    let loaded = Rc::new(InUse { library, sha256 });
    IN_USE.with(|l| *l.borrow_mut() = Some(loaded));
    Ok(())
}

fn request(value: JsValue) -> Result<PlanRequest, JsValue> {
    Ok(PlanRequest::from_value(&read(value, "request")?)?)
}

/// The library in use (drugs, containers, cautions, protocols, tests,
/// version) and its `sha256`, as `useLibrary` gave it.
#[wasm_bindgen]
pub fn library() -> Result<JsValue, JsValue> {
    let lib = in_use()?;
    let out = to_js(&lib.library)?;
    set(&out, "sha256", &lib.sha256.as_str().into());
    Ok(out)
}

/// The input contract: every request field with its type, unit, range and role.
#[wasm_bindgen]
pub fn contract() -> Result<JsValue, JsValue> {
    to_js(&crate::contract::FIELDS)
}

#[wasm_bindgen]
pub fn plan(request: JsValue) -> Result<JsValue, JsValue> {
    let req = self::request(request)?;
    to_js(&Order::parse(&in_use()?.library, &req)?.plan())
}

/// Raw input strings in; `{ fieldErrors, error, plan, request }` out. Never
/// throws, whatever it is given: the page shows each message at its field.
#[wasm_bindgen(js_name = planForm)]
pub fn plan_form(form: JsValue) -> JsValue {
    let lib = match in_use() {
        Ok(lib) => lib,
        Err(e) => return e,
    };
    let result = match read(form, "form") {
        Ok(value) => crate::form::plan_form_value(&lib.library, &value),
        Err(e) => crate::form::FormResult::from_error(e),
    };
    to_js(&result).unwrap_or_else(|e| e)
}

/// The course as an RFC 5545 calendar. `dtstamp_utc` ("YYYY-MM-DDTHH:MM",
/// UTC) is passed in because the core never reads a clock.
#[wasm_bindgen]
pub fn ics(request: JsValue, dtstamp_utc: JsValue) -> Result<String, JsValue> {
    let req = self::request(request)?;
    let stamp = dtstamp_utc.as_string().ok_or_else(|| {
        PlanError::new(
            "dtstampUtc",
            "required",
            "The calendar needs the time stamp in UTC as text \"YYYY-MM-DDTHH:MM\".",
        )
    })?;
    let stamp = crate::calendar::LocalDateTime::parse(&stamp, "dtstampUtc")?;
    let plan = Order::parse(&in_use()?.library, &req)?.plan();
    Ok(crate::plan::course_ics(&plan, stamp)?)
}

/// Where the session of `request` stands at `now`, its infusion having
/// started at `startedAt` (both local "YYYY-MM-DDTHH:MM", from the page's clock).
#[wasm_bindgen(js_name = sessionClock)]
pub fn session_clock(
    request: JsValue,
    started_at: JsValue,
    now: JsValue,
) -> Result<JsValue, JsValue> {
    let req = self::request(request)?;
    let time = |v: JsValue, field: &str| {
        let text = v.as_string().ok_or_else(|| {
            PlanError::new(
                field,
                "required",
                format!("{field} is the local time as text \"YYYY-MM-DDTHH:MM\"."),
            )
        })?;
        crate::calendar::LocalDateTime::parse(&text, field)
    };
    let (started, now) = (time(started_at, "startedAt")?, time(now, "now")?);
    let plan = Order::parse(&in_use()?.library, &req)?.plan();
    to_js(&crate::session_clock::session_clock(&plan, started, now)?)
}

/// The plasma-concentration preview of a plan: `options` is `{ model,
/// compare: [ids], resolutionMinutes, horizonMinutes, thresholdNgPerMl }`.
#[wasm_bindgen]
pub fn simulate(request: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let req = self::request(request)?;
    let options = if options.is_undefined() || options.is_null() {
        Default::default()
    } else {
        crate::preview::PreviewOptions::from_value(&read(options, "options")?)?
    };
    let lib = in_use()?;
    let order = Order::parse(&lib.library, &req)?;
    let preview = crate::preview::preview(
        crate::built_in::pk_models(),
        &order.plan(),
        order.age_years(),
        &options,
    )?;
    to_js(&preview)
}

/// The manual pump scheme of a request in target mode (`dose.targetNgPerMl`,
/// `dose.model`, `dose.reachMinutes`), with its curve over the first session.
#[wasm_bindgen(js_name = solveTarget)]
pub fn solve_target(request: JsValue) -> Result<JsValue, JsValue> {
    let req = self::request(request)?;
    let lib = in_use()?;
    let order = Order::parse(&lib.library, &req)?;
    to_js(&crate::preview::target(
        crate::built_in::pk_models(),
        &order.plan(),
        order.age_years(),
    )?)
}

/// The PK models, bands and their sources, for the model picker.
#[wasm_bindgen(js_name = pkModels)]
pub fn pk_models() -> Result<JsValue, JsValue> {
    to_js(crate::built_in::pk_models())
}

/// The review of a course record (the object of a saved record file): each
/// assessment against its baseline, the relief windows, the booster due, the
/// ledger and the alerts across courses. A record that does not read is
/// refused with the path of its first problem (`assessments[1].painNrs`).
#[wasm_bindgen]
pub fn review(record: JsValue) -> Result<JsValue, JsValue> {
    let value = read_within(record, "record", crate::value::RECORD)?;
    let record = crate::record::CourseRecord::parse(&value)?;
    to_js(&crate::review::review(&in_use()?.library, &record)?)
}

/// A number as a person typed it, read by the core's one strict rule (no
/// comma, no exponent, a leading zero): the page's course-record entries use
/// it, so "1e3" is refused there as in the planner's form. `field` names the
/// input in the error.
#[wasm_bindgen(js_name = parseDecimal)]
pub fn parse_decimal(text: String, field: String) -> Result<f64, JsValue> {
    crate::numbers::parse_decimal(&text)
        .map_err(|message| PlanError::new(field, "invalid_number", message).into())
}
