//! Decree 493 accidents: grade, reporting chain and deadlines; Order 21 near-miss reports; Order 14 (2024) fines.
//!
//! (Not implemented yet.)

use super::calc::CalcError;
use serde_json::Value;

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_grade(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_deadlines(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}

/// Calculation topic entry point (see `docs/calc/`).
///
/// # Errors
/// [`CalcError`] on bad input.
pub fn calc_fine(_input: &Value) -> Result<Value, CalcError> {
    Err(CalcError::new("topic", "not implemented yet"))
}
