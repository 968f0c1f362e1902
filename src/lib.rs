//! Ketamine infusion planner: a pure core (no web, no clock) that turns a
//! patient, a protocol and a concentration into pump-ready numbers with
//! guardrails. `wasm` is the only module that knows about JavaScript.

// The PK model static that build.rs writes names `alloc::borrow::Cow` (databake).
extern crate alloc;

pub mod alert;
// The PK model file as a Rust value (build.rs).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod built_in;
pub mod calendar;
pub mod contract;
pub mod error;
pub mod form;
pub mod ics;
pub mod json;
pub mod library;
pub mod limits;
pub mod numbers;
pub mod order;
pub mod pk;
pub mod plan;
pub mod preparation;
pub mod preview;
pub mod protocol;
pub mod reader;
pub mod record;
pub mod request;
pub mod review;
pub mod session_clock;
mod sort;
pub mod target_dose;
pub mod timeline;
pub mod value;
pub mod weight;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use error::{PlanError, Result};

/// Planner version shown in the header and printed on every sheet.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
