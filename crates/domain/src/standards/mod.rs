//! The work-safety standards and regulations as exact, tested code. Every rule cites its clause;
//! tables live as data files under `crates/domain/data/` (embedded at compile time), with their
//! source. The rules and their verification status are in `shared/reference/standards.md`.
//!
//! ## Layout
//! - [`major_hazard`] — GB 18218-2018 major hazard installations: identification and grading.
//! - [`accident`] — Decree 493 accident grades, reporting chain and deadlines; Order 21 near-miss
//!   reports; Order 14 (2024) fines.
//! - [`classification`] — GB 6441-86 and GB 6441-2025 accident classifications side by side.
//! - [`risk`] — LEC and the 5 × 5 L × S matrix, four-colour levels.
//! - [`hazard_factor`] — GB/T 13861-2022 hazardous-factor codes.
//! - [`hidden_danger_criteria`] — the 2017 major hidden-danger criteria for chemical units.
//! - [`identifiers`] — citizen ID numbers (GB 11643); the USCC is [`crate::uscc`].
//! - [`certificate`] — special-operation certificates (Order 30) and training class hours (Order 3).
//! - [`injury_rates`] — injury and fatality statistics.
//! - [`warning_levels`] — warning and emergency-response levels.
//! - [`calc`] — the topic dispatcher behind `anjian calc <topic>` and `POST /api/calc/<topic>`.

pub mod accident;
pub mod calc;
pub mod certificate;
pub mod classification;
pub mod hazard_factor;
pub mod hidden_danger_criteria;
pub mod identifiers;
pub mod injury_rates;
pub mod major_hazard;
pub mod risk;
pub mod warning_levels;
