//! The JavaScript boundary, and nothing else: deserialize, call the core,
//! serialize. Core errors become JS `Error`s carrying `.field` and `.code`.

use crate::error::PlanError;
use crate::protocol::Library;
use crate::request::PlanRequest;
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The library in use: the shipped one until a clinic loads its own.
    static LIBRARY: RefCell<Option<Library>> = const { RefCell::new(None) };
}

fn with_library<T>(f: impl FnOnce(&Library) -> Result<T, JsValue>) -> Result<T, JsValue> {
    LIBRARY.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(parse_library(crate::protocol::DEFAULT_LIBRARY_JSON)?);
        }
        match slot.as_ref() {
            Some(lib) => f(lib),
            None => Err(js_error(PlanError::new("library", "invalid_library", "No protocol library loaded."))),
        }
    })
}

/// JSON text through the browser's parser, then validated by the core.
fn parse_library(json: &str) -> Result<Library, JsValue> {
    let value = js_sys::JSON::parse(json).map_err(|e| js_error(crate::protocol::invalid(e.as_string().unwrap_or_else(|| "not JSON".to_string()))))?;
    let lib: Library = serde_wasm_bindgen::from_value(value).map_err(|e| js_error(crate::protocol::invalid(e.to_string())))?;
    lib.validated().map_err(js_error)
}

fn js_error(e: PlanError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("PlanError");
    let obj: &JsValue = err.as_ref();
    let _ = js_sys::Reflect::set(obj, &"field".into(), &e.field.into());
    let _ = js_sys::Reflect::set(obj, &"code".into(), &e.code.into());
    err.into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_error(PlanError::new("result", "serialize", e.to_string())))
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| js_error(PlanError::new("request", "invalid_request", format!("The request is not valid: {e}."))))
}

#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// The library in use (drugs, containers, cautions, protocols, version).
#[wasm_bindgen]
pub fn library() -> Result<JsValue, JsValue> {
    with_library(|lib| to_js(lib))
}

/// Replaces the library with a clinic's own (JSON text); validated first.
#[wasm_bindgen(js_name = loadLibrary)]
pub fn load_library(json: &str) -> Result<JsValue, JsValue> {
    let lib = parse_library(json)?;
    let out = to_js(&lib)?;
    LIBRARY.with(|cell| *cell.borrow_mut() = Some(lib));
    Ok(out)
}

#[wasm_bindgen]
pub fn plan(request: JsValue) -> Result<JsValue, JsValue> {
    let req: PlanRequest = from_js(request)?;
    with_library(|lib| crate::plan::plan(lib, &req).map_err(js_error).and_then(|p| to_js(&p)))
}

/// Raw input strings in; `{ fieldErrors, error, plan, request }` out. Never throws
/// for bad input: the page shows each message at its field.
#[wasm_bindgen(js_name = planForm)]
pub fn plan_form(form: JsValue) -> Result<JsValue, JsValue> {
    let form: crate::form::Form = from_js(form)?;
    with_library(|lib| to_js(&crate::form::plan_form(lib, &form)))
}

/// The course as an RFC 5545 calendar. `dtstamp_utc` ("YYYY-MM-DDTHH:MM",
/// UTC) is passed in because the core never reads a clock.
#[wasm_bindgen]
pub fn ics(request: JsValue, dtstamp_utc: &str) -> Result<String, JsValue> {
    let req: PlanRequest = from_js(request)?;
    let stamp = crate::calendar::LocalDateTime::parse(dtstamp_utc, "dtstamp").map_err(js_error)?;
    with_library(|lib| {
        let plan = crate::plan::plan(lib, &req).map_err(js_error)?;
        crate::plan::course_ics(&plan, stamp).map_err(js_error)
    })
}
