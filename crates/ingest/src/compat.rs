//! Temporary stand-ins for the two `anjian-alarm` types this crate needs.
//!
//! TODO: replace with anjian_alarm::{Millis, Quality}
//! (the alarm crate is written in parallel; at merge this module becomes
//! `pub use anjian_alarm::{Millis, Quality};`).

use serde::{Deserialize, Serialize};

/// UTC epoch milliseconds (event time).
pub type Millis = i64;

/// Quality of a reading as reported by the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// The value is trustworthy.
    #[default]
    Good,
    /// The device flags the value as unreliable (sensor fault, calibration ...).
    Bad,
}

impl Quality {
    /// The snake_case name (`good` / `bad`).
    pub fn as_str(self) -> &'static str {
        match self {
            Quality::Good => "good",
            Quality::Bad => "bad",
        }
    }
}
