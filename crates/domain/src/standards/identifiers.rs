//! Identifier checks: citizen ID numbers (GB 11643-1999) and the calculation topic for the USCC (GB 32100-2015, see crate::uscc).
//!
//! (Not implemented yet.)

use super::calc::CalcError;
use serde_json::Value;

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_uscc(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_citizen_id(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}
