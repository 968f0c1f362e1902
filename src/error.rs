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

/// Every refusal of one request, in the order found, at most one per field:
/// parsing collects them all so the page marks every bad input at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<PlanError>);

impl FieldErrors {
    /// Adds `e`, replacing an earlier error of the same field.
    pub fn push(&mut self, e: PlanError) {
        self.0.retain(|old| old.field != e.field);
        self.0.push(e);
    }

    /// The value of `result`, or None after recording its error.
    pub fn take<T>(&mut self, result: Result<T>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// The message at `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn first(&self) -> Option<&PlanError> {
        self.0.first()
    }

    pub fn iter(&self) -> impl Iterator<Item = &PlanError> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Ok when nothing was refused.
    pub fn into_result(self) -> std::result::Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl From<PlanError> for FieldErrors {
    fn from(e: PlanError) -> Self {
        FieldErrors(vec![e])
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| e.to_string()).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// An object keyed by field, as the page reads it: `{ weightKg: "message" }`.
impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|e| (&e.field, &e.message)))
    }
}
