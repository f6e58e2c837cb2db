//! Special-operation certificates (Order 30) and safety-training class hours (Order 3).
//!
//! (Not implemented yet.)

use super::calc::CalcError;
use serde_json::Value;

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_certificate(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_training_hours(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}
