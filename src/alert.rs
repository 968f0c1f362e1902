//! Guardrail alerts. Hard: no pump rate for what it concerns. Soft: values are
//! shown but the plan is unconfirmed until the user acknowledges the code.
//! Info: shown, nothing to acknowledge.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Level {
    Info,
    Soft,
    Hard,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub level: Level,
    /// Stable code; a request acknowledges a soft alert by listing it.
    pub code: String,
    pub message: String,
    pub acknowledged: bool,
}

impl Alert {
    pub fn new(level: Level, code: &str, message: impl Into<String>) -> Self {
        Alert {
            level,
            code: code.to_string(),
            message: message.into(),
            acknowledged: false,
        }
    }
    pub fn info(code: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Info, code, message)
    }
    pub fn soft(code: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Soft, code, message)
    }
    pub fn hard(code: &str, message: impl Into<String>) -> Self {
        Self::new(Level::Hard, code, message)
    }
}
