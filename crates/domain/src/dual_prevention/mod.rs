//! The dual prevention mechanism (双重预防机制, 2021 Work Safety Law art. 4 and 41): risk grading
//! and control ([`risk_control`]) and hidden-danger inspection and remediation ([`hidden_danger`],
//! [`inspection`]). Pure rules only: the state machine, deadlines, schedules, management levels.

pub mod hidden_danger;
pub mod inspection;
pub mod risk_control;
