//! # anjian-domain
//!
//! Pure domain types and rules of the anjian work-safety platform. Nothing in this crate performs
//! I/O: it is plain data, validation and policy, so every rule can be unit- and property-tested.
//!
//! ## Layout
//! - [`uscc`] — the unified social credit code (统一社会信用代码, GB 32100-2015) and the embedded
//!   organisation code (GB 11714).
//! - [`industry`] — GB/T 4754-2017 industry classification codes (国民经济行业分类).
//! - [`org`] — the organisation model's enumerations: region levels, department kinds, supervision
//!   categories, enterprise scale and status.
//! - [`enterprise`] — enterprise input and its validation (shared by the API and the import).
//! - [`auth`] — password policy, login lockout, permission strings and data scopes (RuoYi conventions).
//! - [`page`] — validated paging parameters.
//! - [`validation`] — field-level validation errors shared by every layer.
//! - [`redact`] — masking of secrets before they reach a log.
//! - [`clock`] — the injectable clock (system or manual, for tests).
//! - [`dual_prevention`] — risk grading and control, hidden-danger inspection and remediation:
//!   the workflow state machine, deadlines, schedules.
//! - [`standards`] — the work-safety standards and regulations as code (`anjian calc`).
#![forbid(unsafe_code)]

pub mod auth;
pub mod clock;
pub mod dual_prevention;
pub mod enterprise;
pub mod industry;
pub mod major_hazard_installation;
pub mod org;
pub mod page;
pub mod redact;
pub mod situation;
pub mod standards;
pub mod uscc;
pub mod validation;

pub use validation::{FieldErrors, ValidationError};
