//! The JavaScript boundary, and nothing else: deserialize, call the core,
//! serialize. Core errors become JS `Error`s carrying `.field` and `.code`.

use crate::error::PlanError;
use crate::request::PlanRequest;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// talc instead of std's dlmalloc: a maintained general-purpose allocator,
/// faster and smaller (about 2 KB of the gzipped wasm).
#[global_allocator]
static ALLOC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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
    to_js(crate::built_in::library())
}

#[wasm_bindgen]
pub fn plan(request: JsValue) -> Result<JsValue, JsValue> {
    let req: PlanRequest = from_js(request)?;
    let plan = crate::plan::plan(crate::built_in::library(), &req).map_err(js_error)?;
    to_js(&plan)
}

/// Raw input strings in; `{ fieldErrors, error, plan, request }` out. Never throws
/// for bad input: the page shows each message at its field.
#[wasm_bindgen(js_name = planForm)]
pub fn plan_form(form: JsValue) -> Result<JsValue, JsValue> {
    let form: crate::form::Form = from_js(form)?;
    to_js(&crate::form::plan_form(crate::built_in::library(), &form))
}

/// The course as an RFC 5545 calendar. `dtstamp_utc` ("YYYY-MM-DDTHH:MM",
/// UTC) is passed in because the core never reads a clock.
#[wasm_bindgen]
pub fn ics(request: JsValue, dtstamp_utc: &str) -> Result<String, JsValue> {
    let req: PlanRequest = from_js(request)?;
    let stamp = crate::calendar::LocalDateTime::parse(dtstamp_utc, "dtstamp").map_err(js_error)?;
    let plan = crate::plan::plan(crate::built_in::library(), &req).map_err(js_error)?;
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
    let plan = crate::plan::plan(crate::built_in::library(), &req).map_err(js_error)?;
    let preview = crate::preview::preview(
        crate::built_in::pk_models(),
        &plan,
        req.patient.age_years,
        &options,
    )
    .map_err(js_error)?;
    to_js(&preview)
}

/// The PK models, bands and their sources, for the model picker.
#[wasm_bindgen(js_name = pkModels)]
pub fn pk_models() -> Result<JsValue, JsValue> {
    to_js(crate::built_in::pk_models())
}
