//! # anjian-alarm
//!
//! The early-warning engine: pure, event-time rule evaluation and the ISA-18.2 alarm state machine.
//! No I/O, so it can be replayed and property-tested. See `docs/alarms.md`.
#![forbid(unsafe_code)]
