//! Risk assessment: LEC and the 5 x 5 L x S matrix, four-colour levels.
//!
//! (Not implemented yet.)

use super::calc::CalcError;
use serde_json::Value;

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_lec(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_matrix(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}
