//! One error type for every refusal, so the wasm boundary can turn each into a
//! JS `Error` with `.field` and `.code` and the page can show it at its field.

use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanError {
    /// Request path of the offending value, e.g. `patient.weightKg`, or `library`.
    pub field: String,
    /// Stable machine code, e.g. `out_of_range`, `not_a_number`, `unknown_protocol`.
    pub code: String,
    /// Sentence a nurse can act on.
    pub message: String,
}

impl PlanError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        PlanError {
            field: field.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for PlanError {}

pub type Result<T> = std::result::Result<T, PlanError>;
