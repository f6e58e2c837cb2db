//! # anjian-alarm
//!
//! The early-warning engine: pure, event-time rule evaluation and the ISA-18.2 alarm state machine.
//! No I/O, no threads, no wall clock, so it can be replayed and property-tested. The rules file
//! format and the exact semantics (`>` vs `>=`, delays, occurrences, suppression ...) are in
//! `docs/alarms.md`.
//!
//! # Layout
//!
//! * [`rules`] — the rules file ([`RuleSet`]): serde structs (TOML / JSON), duration strings,
//!   validation ([`RuleError`]).
//! * [`engine`] — the [`Engine`]: readings in, [`AlarmEvent`]s out; operator [`Command`]s;
//!   [`EngineState`] snapshot / restore.
//! * [`kpi`] — EEMUA 191 / ISA-18.2 alarm-system KPIs over a list of events.
//! * this file — the shared vocabulary: [`Reading`], [`Condition`], [`AlarmState`], [`EventKind`],
//!   [`AlarmEvent`], [`ActiveAlarm`].
//!
//! All times are [`Millis`]: UTC epoch milliseconds of **event time** (the readings' own
//! timestamps), never the wall clock. Values are in the unit of their sensor.
#![forbid(unsafe_code)]

pub mod engine;
pub mod kpi;
pub mod rules;

use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub use engine::{Command, CommandError, Disposition, Engine, EngineState};
pub use rules::{
    ChatterRule, DeviceRule, Direction, Duration, Escalate, GroupRule, LimitKind, LimitRule,
    RateRule, RuleError, RuleSet, Schedule, SensorRule,
};

/// UTC epoch milliseconds (event time).
pub type Millis = i64;

/// Dense index of a sensor in the [`RuleSet`] order (`RuleSet::sensors()[ix.0]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SensorIx(pub u32);

/// Quality flag of a reading. A `Bad` reading is a sensor fault and is not used for process limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// The value is usable.
    #[default]
    Good,
    /// The device flagged the value as unusable.
    Bad,
}

/// One sensor reading.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    /// The sensor (index into the rule set).
    pub sensor: SensorIx,
    /// Measurement time, UTC epoch ms.
    pub ts: Millis,
    /// Measured value, in the unit of the sensor.
    pub value: f64,
    /// Quality flag.
    pub quality: Quality,
}

/// Error of `FromStr` for the snake_case enums of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`")]
pub struct ParseEnumError {
    /// Which enum.
    pub what: &'static str,
    /// The rejected text.
    pub value: String,
}

macro_rules! snake_enum {
    ($(#[$m:meta])* $name:ident, $what:literal { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];
            /// The snake_case name (as in the rules file, JSON and the database).
            pub fn as_str(self) -> &'static str { match self { $($name::$v => $s),+ } }
        }
        impl std::str::FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, ParseEnumError> {
                match s { $($s => Ok($name::$v),)+ _ => Err(ParseEnumError { what: $what, value: s.to_string() }) }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

snake_enum!(
    /// Alarm priority. `Ord`: `Low < Medium < High < Critical`.
    #[derive(PartialOrd, Ord)]
    Priority, "priority" {
        /// Lowest.
        Low = "low",
        /// Default of fault alarms.
        Medium = "medium",
        /// Default of device-offline alarms.
        High = "high",
        /// Highest.
        Critical = "critical",
    }
);

snake_enum!(
    /// What an alarm is about. One source has at most one open occurrence per condition.
    Condition, "condition" {
        /// Value above the high-high limit (`value > limit`).
        HighHigh = "high_high",
        /// Value above the high limit (`value > limit`).
        High = "high",
        /// Value below the low limit (`value < limit`).
        Low = "low",
        /// Value below the low-low limit (`value < limit`).
        LowLow = "low_low",
        /// Rate of change above its limit (unit per minute).
        RateOfChange = "rate_of_change",
        /// The sensor sent nothing for `stale_after` sampling periods.
        CommunicationFault = "communication_fault",
        /// Reading out of the measuring range, or with bad quality.
        SensorFault = "sensor_fault",
        /// No reading from any sensor of a device for `offline_after`.
        DeviceOffline = "device_offline",
        /// k-out-of-n voting group tripped.
        Voting = "voting",
    }
);

impl Condition {
    /// The alarm class of the condition.
    pub fn class(self) -> AlarmClass {
        match self {
            Condition::CommunicationFault | Condition::DeviceOffline => AlarmClass::Communication,
            Condition::SensorFault => AlarmClass::SensorFault,
            _ => AlarmClass::Process,
        }
    }
}

snake_enum!(
    /// Alarm class (see `docs/alarms.md`, "Alarm classes").
    AlarmClass, "alarm class" {
        /// Limits, rate of change, voting.
        Process = "process",
        /// Stale sensor, offline device.
        Communication = "communication",
        /// Out of range or bad quality.
        SensorFault = "sensor_fault",
    }
);

snake_enum!(
    /// What kind of thing raised an alarm; `source` is its code.
    SourceKind, "source kind" {
        /// A sensor (监测点).
        Sensor = "sensor",
        /// A gateway / DTU.
        Device = "device",
        /// A voting group.
        Group = "group",
    }
);

snake_enum!(
    /// ISA-18.2 state of an alarm occurrence (after an event).
    AlarmState, "alarm state" {
        /// The occurrence has ended (cleared and acknowledged, or closed).
        Normal = "normal",
        /// Condition active, not acknowledged.
        Unacknowledged = "unacknowledged",
        /// Condition active, acknowledged.
        Acknowledged = "acknowledged",
        /// Condition cleared, not yet acknowledged.
        ReturnedUnacknowledged = "returned_unacknowledged",
        /// Shelved by an operator (or by the chattering detector) until a time.
        Shelved = "shelved",
        /// Suppressed by design (its device is offline).
        Suppressed = "suppressed",
        /// The source (or this condition of it) is out of service.
        OutOfService = "out_of_service",
    }
);

snake_enum!(
    /// What happened to an alarm.
    EventKind, "event kind" {
        /// A new occurrence (always a new id).
        Raised = "raised",
        /// The condition returned to normal.
        Cleared = "cleared",
        /// An operator acknowledged.
        Acknowledged = "acknowledged",
        /// Timed escalation to a higher priority.
        Escalated = "escalated",
        /// Back to the configured priority.
        Deescalated = "deescalated",
        /// Shelved until a time.
        Shelved = "shelved",
        /// Shelve ended (the shelved occurrence ends with it).
        Unshelved = "unshelved",
        /// Suppressed by design (device offline).
        Suppressed = "suppressed",
        /// Suppression ended.
        Unsuppressed = "unsuppressed",
        /// Source put out of service.
        OutOfService = "out_of_service",
        /// Source returned to service (the occurrence ends with it).
        ReturnedToService = "returned_to_service",
        /// Closed by hand, or ended by the engine (comment says why).
        Closed = "closed",
        /// The chattering detector fired for this source and condition.
        Chattering = "chattering",
    }
);

/// One event of the alarm journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmEvent {
    /// Id of the occurrence (engine-assigned, strictly increasing per raise).
    pub alarm_id: u64,
    /// What kind of source.
    pub source_kind: SourceKind,
    /// Sensor / device / group code.
    pub source: Arc<str>,
    /// The condition.
    pub condition: Condition,
    /// What happened.
    pub kind: EventKind,
    /// Event time, UTC epoch ms.
    pub ts: Millis,
    /// The reading that caused it, if any (unit of the sensor; per minute for rate of change).
    pub value: Option<f64>,
    /// Priority of the occurrence after the event.
    pub priority: Priority,
    /// State of the occurrence after the event.
    pub state: AlarmState,
    /// The operator, for commands.
    pub actor: Option<String>,
    /// Ack comment / close reason / `"schedule"` / `"superseded"` ...
    pub comment: Option<String>,
}

/// One alarm occurrence as currently held by the engine (also what is persisted and restored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActiveAlarm {
    /// Occurrence id.
    pub alarm_id: u64,
    /// What kind of source.
    pub source_kind: SourceKind,
    /// Sensor / device / group code.
    pub source: String,
    /// The condition.
    pub condition: Condition,
    /// Current priority (after escalation).
    pub priority: Priority,
    /// Current ISA-18.2 state.
    pub state: AlarmState,
    /// The condition is currently true.
    pub active: bool,
    /// An operator acknowledged it.
    pub acknowledged: bool,
    /// Raise time, UTC epoch ms.
    pub started_at: Millis,
    /// Last clear time, UTC epoch ms.
    pub cleared_at: Option<Millis>,
    /// Shelved until this time (UTC epoch ms), if shelved.
    pub shelved_until: Option<Millis>,
    /// Latest value that drove it (unit of the sensor).
    pub last_value: Option<f64>,
    /// The chattering detector fired for this occurrence.
    pub chattering: bool,
}
