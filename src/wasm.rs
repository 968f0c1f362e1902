//! The JavaScript boundary, and nothing else: deserialize, call the core,
//! serialize. Core errors become JS `Error`s carrying `.field` and `.code`.

use crate::error::PlanError;
use crate::pk;
use crate::protocol::Library;
use crate::request::PlanRequest;
use serde::Serialize;
use std::cell::Cell;
use wasm_bindgen::prelude::*;

/// talc instead of std's dlmalloc: a maintained general-purpose allocator,
/// faster and smaller (about 2 KB of the gzipped wasm).
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

thread_local! {
    /// The protocol library built in (build.rs), built on first use and
    /// then kept for the life of the page.
    static LIBRARY: Cell<Option<&'static Library>> = const { Cell::new(None) };
    /// The PK model file, likewise.
    static PK_MODELS: Cell<Option<&'static pk::Library>> = const { Cell::new(None) };
}

/// Loads a built-in data file on first use and keeps it for the page's life.
fn cached<T: 'static>(
    cell: &'static std::thread::LocalKey<Cell<Option<&'static T>>>,
    load: fn() -> crate::Result<T>,
) -> Result<&'static T, JsValue> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value: &'static T = Box::leak(Box::new(load().map_err(js_error)?));
    cell.set(Some(value));
    Ok(value)
}

fn library_ref() -> Result<&'static Library, JsValue> {
    cached(&LIBRARY, crate::built_in::library)
}

fn pk_models_ref() -> Result<&'static pk::Library, JsValue> {
    cached(&PK_MODELS, crate::built_in::pk_models)
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
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        js_error(PlanError::new(
            "request",
            "invalid_request",
            format!("The request is not valid: {e}."),
        ))
    })
}

#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// The library in use (drugs, containers, cautions, protocols, version).
#[wasm_bindgen]
pub fn library() -> Result<JsValue, JsValue> {
    to_js(library_ref()?)
}

#[wasm_bindgen]
pub fn plan(request: JsValue) -> Result<JsValue, JsValue> {
    let req: PlanRequest = from_js(request)?;
    let plan = crate::plan::plan(library_ref()?, &req).map_err(js_error)?;
    to_js(&plan)
}

/// Raw input strings in; `{ fieldErrors, error, plan, request }` out. Never throws
/// for bad input: the page shows each message at its field.
#[wasm_bindgen(js_name = planForm)]
pub fn plan_form(form: JsValue) -> Result<JsValue, JsValue> {
    let form: crate::form::Form = from_js(form)?;
    to_js(&crate::form::plan_form(library_ref()?, &form))
}

/// The course as an RFC 5545 calendar. `dtstamp_utc` ("YYYY-MM-DDTHH:MM",
/// UTC) is passed in because the core never reads a clock.
#[wasm_bindgen]
pub fn ics(request: JsValue, dtstamp_utc: &str) -> Result<String, JsValue> {
    let req: PlanRequest = from_js(request)?;
    let stamp = crate::calendar::LocalDateTime::parse(dtstamp_utc, "dtstamp").map_err(js_error)?;
    let plan = crate::plan::plan(library_ref()?, &req).map_err(js_error)?;
    crate::plan::course_ics(&plan, stamp).map_err(js_error)
}

/// The plasma-concentration preview of a plan: `options` is `{ model,
/// compare: [ids], resolutionMinutes, horizonMinutes, thresholdNgPerMl }`.
#[wasm_bindgen]
pub fn simulate(request: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let req: PlanRequest = from_js(request)?;
    let options: crate::preview::PreviewOptions = if options.is_undefined() || options.is_null() {
        Default::default()
    } else {
        from_js(options)?
    };
    let plan = crate::plan::plan(library_ref()?, &req).map_err(js_error)?;
    let preview = crate::preview::preview(pk_models_ref()?, &plan, req.patient.age_years, &options)
        .map_err(js_error)?;
    to_js(&preview)
}

/// The PK models, bands and their sources, for the model picker.
#[wasm_bindgen(js_name = pkModels)]
pub fn pk_models() -> Result<JsValue, JsValue> {
    to_js(pk_models_ref()?)
}
