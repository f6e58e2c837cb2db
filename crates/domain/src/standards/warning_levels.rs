//! Warning and emergency-response levels and colours.
//!
//! (Not implemented yet.)

use super::calc::CalcError;
use serde_json::Value;

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}
