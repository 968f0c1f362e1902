//! The JavaScript boundary, and nothing else: deserialize, call the core,
//! serialize. Core errors become JS `Error`s carrying `.field` and `.code`.

use crate::error::PlanError;
use crate::pk;
use crate::protocol::Library;
use crate::request::PlanRequest;
use serde::Serialize;
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// The protocol library built in (build.rs), checked on first use and
    /// then kept for the life of the page.
    static LIBRARY: Cell<Option<&'static Library>> = const { Cell::new(None) };
    /// The PK model file, likewise.
    static PK_MODELS: Cell<Option<&'static pk::Library>> = const { Cell::new(None) };
}

// Plain functions rather than `LocalKey::with` closures: those are
// instantiated per caller (~3 KB of wasm).
fn library_ref() -> Result<&'static Library, JsValue> {
    if let Some(lib) = LIBRARY.get() {
        return Ok(lib);
    }
    let lib: &'static Library = Box::leak(Box::new(crate::built_in::library().map_err(js_error)?));
    LIBRARY.set(Some(lib));
    Ok(lib)
}

fn pk_models_ref() -> Result<&'static pk::Library, JsValue> {
    if let Some(models) = PK_MODELS.get() {
        return Ok(models);
    }
    let models: &'static pk::Library = Box::leak(Box::new(crate::built_in::pk_models().map_err(js_error)?));
    PK_MODELS.set(Some(models));
    Ok(models)
}

fn js_error(e: PlanError) -> JsValue {
    let err = crate::js::JsErr::new(&e.message);
    err.set_name("PlanError");
    let obj: &crate::js::Obj = err.unchecked_ref();
    obj.set("field", &e.field.into());
    obj.set("code", &e.code.into());
    err.into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    crate::js::to_value(value).map_err(|e| js_error(PlanError::new("result", "serialize", e.to_string())))
}

fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsValue> {
    crate::js::from_value(value).map_err(|e| js_error(PlanError::new("request", "invalid_request", format!("The request is not valid: {e}."))))
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
    let options: crate::preview::PreviewOptions = if options.is_undefined() || options.is_null() { Default::default() } else { from_js(options)? };
    let plan = crate::plan::plan(library_ref()?, &req).map_err(js_error)?;
    let preview = crate::preview::preview(pk_models_ref()?, &plan, req.patient.age_years, &options).map_err(js_error)?;
    to_js(&preview)
}

/// The PK models, bands and their sources, for the model picker.
#[wasm_bindgen(js_name = pkModels)]
pub fn pk_models() -> Result<JsValue, JsValue> {
    to_js(pk_models_ref()?)
}

/// The wasm's allocator: power-of-two size classes with a free list each,
/// carved from memory grown on demand. dlmalloc (std's default on wasm) is
/// about 7 KB of the module; this is a few hundred bytes. Blocks are reused
/// only by their class and memory is never returned (wasm memory cannot
/// shrink anyway), so memory use is bounded by the peak per class of the
/// calls made; the planner's calls repeat the same shapes.
mod alloc {
    use core::alloc::{GlobalAlloc, Layout};
    use core::arch::wasm32::memory_grow;
    use core::cell::UnsafeCell;
    use core::ptr::null_mut;

    const PAGE: usize = 65536;
    /// Classes 2^3 .. 2^31 bytes.
    const CLASSES: usize = 29;

    struct Heap {
        free: [*mut u8; CLASSES],
        next: usize,
        end: usize,
    }

    struct Classes(UnsafeCell<Heap>);

    // wasm32-unknown-unknown without atomics runs one thread.
    unsafe impl Sync for Classes {}

    #[global_allocator]
    static HEAP: Classes = Classes(UnsafeCell::new(Heap { free: [null_mut(); CLASSES], next: 0, end: 0 }));

    /// The class of a request, or None when it is over 2 GB or asks for more
    /// than 16-byte alignment (nothing here does).
    fn class(layout: Layout) -> Option<usize> {
        if layout.align() > 16 || layout.size() > 1 << 31 {
            return None;
        }
        Some(layout.size().max(8).next_power_of_two().trailing_zeros() as usize - 3)
    }

    unsafe impl GlobalAlloc for Classes {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let Some(c) = class(layout) else { return null_mut() };
            let heap = &mut *self.0.get();
            let head = heap.free[c];
            if !head.is_null() {
                heap.free[c] = *(head as *mut *mut u8);
                return head;
            }
            let size = 8usize << c;
            // Blocks start at a multiple of min(size, 16): aligned for any request.
            let start = (heap.next + 15) & !15;
            if start + size > heap.end || heap.end == 0 {
                let pages = (size + 15).div_ceil(PAGE);
                let old = memory_grow(0, pages);
                if old == usize::MAX {
                    return null_mut();
                }
                if old * PAGE != heap.end {
                    // First use, or memory grown by someone else: start afresh there.
                    heap.next = old * PAGE;
                }
                heap.end = (old + pages) * PAGE;
                return self.alloc(layout);
            }
            heap.next = start + size;
            start as *mut u8
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // Zero-size "blocks" are wasm-bindgen's dangling pointers, not ours.
            if layout.size() == 0 {
                return;
            }
            if let Some(c) = class(layout) {
                let heap = &mut *self.0.get();
                *(ptr as *mut *mut u8) = heap.free[c];
                heap.free[c] = ptr;
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = Layout::from_size_align_unchecked(new_size, layout.align());
            if layout.size() == 0 {
                return self.alloc(new);
            }
            if class(layout) == class(new) {
                return ptr;
            }
            let out = self.alloc(new);
            if !out.is_null() {
                core::ptr::copy_nonoverlapping(ptr, out, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            out
        }
    }
}
