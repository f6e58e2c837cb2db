//! The rules file: serde structs (TOML or JSON, unknown keys rejected), duration strings and
//! validation. See `docs/alarms.md` for every field.

use crate::{Condition, Millis, Priority};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Error in a rules file. Messages name the sensor / device / group, the limit and the field.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The TOML text does not parse or does not match the schema.
    #[error("rules file (TOML): {0}")]
    Toml(String),
    /// The JSON text does not parse or does not match the schema.
    #[error("rules file (JSON): {0}")]
    Json(String),
    /// A semantic error; the message names the item and field.
    #[error("{0}")]
    Invalid(String),
}

/// A duration, written in the rules file as a string with a unit: `"500ms"`, `"10s"`, `"5m"`,
/// `"2h"`, `"1d"`. Holds milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Duration(pub Millis);

impl Duration {
    /// Milliseconds.
    pub fn ms(self) -> Millis {
        self.0
    }
    /// Parse `"<non-negative integer><unit>"`, unit one of `ms`, `s`, `m`, `h`, `d`.
    pub fn parse(s: &str) -> Result<Duration, String> {
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let (num, unit) = t.split_at(split);
        if num.is_empty() {
            return Err(format!(
                "duration `{s}`: expected a number followed by ms|s|m|h|d"
            ));
        }
        let n: i64 = num
            .parse()
            .map_err(|_| format!("duration `{s}`: number too large"))?;
        let mult = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => {
                return Err(format!(
                    "duration `{s}`: unit must be one of ms, s, m, h, d"
                ));
            }
        };
        n.checked_mul(mult)
            .map(Duration)
            .ok_or_else(|| format!("duration `{s}`: too large"))
    }
}

impl std::fmt::Display for Duration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

impl Serialize for Duration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Duration::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The whole rules file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Default IANA time zone of schedule windows (default `Asia/Shanghai`).
    #[serde(default)]
    pub timezone: Option<String>,
    /// Chattering detector.
    #[serde(default)]
    pub chatter: ChatterRule,
    /// Devices (`[[device]]`).
    #[serde(default, rename = "device")]
    pub devices: Vec<DeviceRule>,
    /// Sensors (`[[sensor]]`); their order defines [`crate::SensorIx`].
    #[serde(default, rename = "sensor")]
    pub sensors: Vec<SensorRule>,
    /// Voting groups (`[[group]]`).
    #[serde(default, rename = "group")]
    pub groups: Vec<GroupRule>,
}

/// Chattering detector: `raises` raises of one source and condition within `window`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatterRule {
    /// Number of raises (default 3, >= 2).
    #[serde(default = "default_chatter_raises")]
    pub raises: u32,
    /// Window (default 60 s); raises at `t1 <= ... <= tn` chatter when `tn - t1 <= window`.
    #[serde(default = "default_chatter_window")]
    pub window: Duration,
    /// Auto-shelve a chattering occurrence for this long (default: only mark it).
    #[serde(default)]
    pub shelve_for: Option<Duration>,
}

fn default_chatter_raises() -> u32 {
    3
}
fn default_chatter_window() -> Duration {
    Duration(60_000)
}

impl Default for ChatterRule {
    fn default() -> Self {
        ChatterRule {
            raises: 3,
            window: Duration(60_000),
            shelve_for: None,
        }
    }
}

/// A gateway / DTU.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceRule {
    /// Unique device code.
    pub code: String,
    /// No reading from any of its sensors for this long -> `DeviceOffline`
    /// (default 3 x the longest sampling period of its sensors).
    #[serde(default)]
    pub offline_after: Option<Duration>,
    /// Priority of the `DeviceOffline` alarm (default high).
    #[serde(default = "default_high")]
    pub priority: Priority,
}

fn default_high() -> Priority {
    Priority::High
}
fn default_medium() -> Priority {
    Priority::Medium
}
fn default_sampling() -> Duration {
    Duration(60_000)
}
fn default_stale_after() -> u32 {
    3
}

/// One sensor (监测点) and its alarm settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensorRule {
    /// Unique sensor code; readings are keyed by it.
    pub code: String,
    /// Code of the device it is wired to.
    #[serde(default)]
    pub device: Option<String>,
    /// Plant area (for KPIs).
    #[serde(default)]
    pub area: Option<String>,
    /// Unit (informational).
    #[serde(default)]
    pub unit: Option<String>,
    /// Measuring range `[low, high]` in the sensor's unit; a reading strictly outside is a sensor fault.
    #[serde(default)]
    pub range: Option<[f64; 2]>,
    /// Expected interval between readings (default 60 s).
    #[serde(default = "default_sampling")]
    pub sampling_period: Duration,
    /// Communication fault after this many sampling periods without a reading; 0 = off (default 3).
    #[serde(default = "default_stale_after")]
    pub stale_after: u32,
    /// Priority of this sensor's SensorFault / CommunicationFault alarms (default medium).
    #[serde(default = "default_medium")]
    pub fault_priority: Priority,
    /// Optional schedule window for the limits and the rate of change.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// Limits (`[[sensor.limit]]`).
    #[serde(default, rename = "limit")]
    pub limits: Vec<LimitRule>,
    /// Rate-of-change alarm.
    #[serde(default)]
    pub rate_of_change: Option<RateRule>,
}

impl Default for SensorRule {
    fn default() -> Self {
        SensorRule {
            code: String::new(),
            device: None,
            area: None,
            unit: None,
            range: None,
            sampling_period: default_sampling(),
            stale_after: 3,
            fault_priority: Priority::Medium,
            schedule: None,
            limits: Vec::new(),
            rate_of_change: None,
        }
    }
}

/// A schedule window `[start, end)` in local time; `start > end` crosses midnight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Local opening time `"HH:MM"` or `"HH:MM:SS"` (inclusive).
    pub start: String,
    /// Local closing time (exclusive).
    pub end: String,
    /// IANA time zone (default: the rule set's `timezone`, else `Asia/Shanghai`).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Kind of a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// Raised when `value > limit`.
    High,
    /// Raised when `value > limit`.
    HighHigh,
    /// Raised when `value < limit`.
    Low,
    /// Raised when `value < limit`.
    LowLow,
}

impl LimitKind {
    /// The alarm condition of this limit kind.
    pub fn condition(self) -> Condition {
        match self {
            LimitKind::High => Condition::High,
            LimitKind::HighHigh => Condition::HighHigh,
            LimitKind::Low => Condition::Low,
            LimitKind::LowLow => Condition::LowLow,
        }
    }
    /// True for `high` / `high_high`.
    pub fn is_high(self) -> bool {
        matches!(self, LimitKind::High | LimitKind::HighHigh)
    }
}

/// Timed escalation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Escalate {
    /// Active this long (from the raise) -> escalated.
    pub after: Duration,
    /// The escalated priority.
    pub priority: Priority,
}

/// One limit of a sensor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRule {
    /// high | high_high | low | low_low.
    pub kind: LimitKind,
    /// The limit, in the sensor's unit.
    pub value: f64,
    /// Configured priority.
    pub priority: Priority,
    /// Absolute deadband in the sensor's unit (default 0).
    #[serde(default)]
    pub deadband: f64,
    /// Deadband as % of the measuring range's span (needs `range`; excludes `deadband`).
    #[serde(default)]
    pub deadband_pct: Option<f64>,
    /// Condition must hold this long before the raise.
    #[serde(default)]
    pub on_delay: Option<Duration>,
    /// Or: raised on the k-th consecutive abnormal reading.
    #[serde(default)]
    pub on_delay_samples: Option<u32>,
    /// Condition must be false this long before the clear.
    #[serde(default)]
    pub off_delay: Option<Duration>,
    /// Or: cleared on the k-th consecutive normal reading.
    #[serde(default)]
    pub off_delay_samples: Option<u32>,
    /// Timed escalation while active.
    #[serde(default)]
    pub escalate: Option<Escalate>,
    /// Back in range this long (while an off-delay holds the clear) -> configured priority again.
    #[serde(default)]
    pub deescalate_after: Option<Duration>,
}

impl LimitRule {
    /// A limit with no deadband, delays or escalation.
    pub fn new(kind: LimitKind, value: f64, priority: Priority) -> LimitRule {
        LimitRule {
            kind,
            value,
            priority,
            deadband: 0.0,
            deadband_pct: None,
            on_delay: None,
            on_delay_samples: None,
            off_delay: None,
            off_delay_samples: None,
            escalate: None,
            deescalate_after: None,
        }
    }
}

/// Direction of a rate-of-change alarm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Only increases count.
    Rise,
    /// Only decreases count.
    Fall,
    /// Both.
    #[default]
    Both,
}

/// Rate-of-change alarm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateRule {
    /// Limit in sensor unit per minute; raised when the rate (in `direction`) is `> limit`.
    pub limit: f64,
    /// Window: rate between the newest reading and the oldest reading with `ts >= newest - window`.
    pub window: Duration,
    /// rise | fall | both (default both).
    #[serde(default)]
    pub direction: Direction,
    /// Priority.
    pub priority: Priority,
    /// Clears when the rate is `<= limit - deadband` (unit per minute, default 0).
    #[serde(default)]
    pub deadband: f64,
}

/// k-out-of-n voting group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRule {
    /// Unique group code.
    pub code: String,
    /// Member sensor codes.
    pub members: Vec<String>,
    /// Which member limit votes (each member must have a limit of this kind).
    pub condition: LimitKind,
    /// Votes needed.
    pub k: u32,
    /// A member votes while its `condition` limit is active and its latest reading is no older than this.
    pub window: Duration,
    /// Priority of the `Voting` alarm.
    pub priority: Priority,
}

impl RuleSet {
    /// Parse a TOML rules file and validate it.
    pub fn from_toml(s: &str) -> Result<RuleSet, RuleError> {
        let r: RuleSet = toml::from_str(s).map_err(|e| RuleError::Toml(e.to_string()))?;
        r.validate()?;
        Ok(r)
    }

    /// Parse a JSON rules file (same shape as TOML) and validate it.
    pub fn from_json(s: &str) -> Result<RuleSet, RuleError> {
        let r: RuleSet = serde_json::from_str(s).map_err(|e| RuleError::Json(e.to_string()))?;
        r.validate()?;
        Ok(r)
    }

    /// The sensors, in [`crate::SensorIx`] order.
    pub fn sensors(&self) -> &[SensorRule] {
        &self.sensors
    }

    /// Semantic checks: duplicate codes, unknown device / member, `deadband_pct` without `range`,
    /// both a duration and a sample count for one delay, `k` out of `1..=n`, bad time zone or time.
    pub fn validate(&self) -> Result<(), RuleError> {
        let bad = |m: String| Err(RuleError::Invalid(m));
        if let Some(tz) = &self.timezone
            && tz.parse::<chrono_tz::Tz>().is_err()
        {
            return bad(format!("timezone: unknown time zone `{tz}`"));
        }
        if self.chatter.raises < 2 {
            return bad("chatter.raises: must be >= 2".into());
        }
        let mut devs = HashSet::new();
        for d in &self.devices {
            if d.code.is_empty() {
                return bad("device: empty code".into());
            }
            if !devs.insert(d.code.as_str()) {
                return bad(format!("device {}: duplicate code", d.code));
            }
            if let Some(o) = d.offline_after
                && o.0 <= 0
            {
                return bad(format!("device {}: offline_after must be > 0", d.code));
            }
        }
        let mut sens = std::collections::HashMap::new();
        for s in &self.sensors {
            let c = &s.code;
            if c.is_empty() {
                return bad("sensor: empty code".into());
            }
            if sens.insert(c.as_str(), s).is_some() {
                return bad(format!("sensor {c}: duplicate code"));
            }
            if let Some(d) = &s.device
                && !devs.contains(d.as_str())
            {
                return bad(format!("sensor {c}: device: unknown device `{d}`"));
            }
            if let Some([lo, hi]) = s.range
                && !(lo.is_finite() && hi.is_finite() && lo < hi)
            {
                return bad(format!("sensor {c}: range: need finite low < high"));
            }
            if s.sampling_period.0 <= 0 {
                return bad(format!("sensor {c}: sampling_period must be > 0"));
            }
            if let Some(sc) = &s.schedule {
                let st = parse_hm(&sc.start).ok_or_else(|| {
                    RuleError::Invalid(format!(
                        "sensor {c}: schedule.start: expected HH:MM, got `{}`",
                        sc.start
                    ))
                })?;
                let en = parse_hm(&sc.end).ok_or_else(|| {
                    RuleError::Invalid(format!(
                        "sensor {c}: schedule.end: expected HH:MM, got `{}`",
                        sc.end
                    ))
                })?;
                if st == en {
                    return bad(format!("sensor {c}: schedule: start equals end"));
                }
                if let Some(tz) = &sc.timezone
                    && tz.parse::<chrono_tz::Tz>().is_err()
                {
                    return bad(format!(
                        "sensor {c}: schedule.timezone: unknown time zone `{tz}`"
                    ));
                }
            }
            let mut kinds = HashSet::new();
            for l in &s.limits {
                let k = l.kind.condition().as_str();
                if !kinds.insert(l.kind) {
                    return bad(format!("sensor {c}: limit {k}: duplicate limit kind"));
                }
                if !l.value.is_finite() {
                    return bad(format!("sensor {c}: limit {k}: value must be finite"));
                }
                if !(l.deadband.is_finite() && l.deadband >= 0.0) {
                    return bad(format!("sensor {c}: limit {k}: deadband must be >= 0"));
                }
                if let Some(p) = l.deadband_pct {
                    if s.range.is_none() {
                        return bad(format!(
                            "sensor {c}: limit {k}: deadband_pct needs the sensor's range"
                        ));
                    }
                    if l.deadband != 0.0 {
                        return bad(format!(
                            "sensor {c}: limit {k}: give deadband or deadband_pct, not both"
                        ));
                    }
                    if !(p.is_finite() && (0.0..=100.0).contains(&p)) {
                        return bad(format!(
                            "sensor {c}: limit {k}: deadband_pct must be in 0..=100"
                        ));
                    }
                }
                if l.on_delay.is_some() && l.on_delay_samples.is_some() {
                    return bad(format!(
                        "sensor {c}: limit {k}: give on_delay or on_delay_samples, not both"
                    ));
                }
                if l.off_delay.is_some() && l.off_delay_samples.is_some() {
                    return bad(format!(
                        "sensor {c}: limit {k}: give off_delay or off_delay_samples, not both"
                    ));
                }
                if l.on_delay_samples == Some(0) || l.off_delay_samples == Some(0) {
                    return bad(format!(
                        "sensor {c}: limit {k}: *_delay_samples must be >= 1"
                    ));
                }
                for (f, d) in [
                    ("on_delay", l.on_delay),
                    ("off_delay", l.off_delay),
                    ("deescalate_after", l.deescalate_after),
                ] {
                    if let Some(d) = d
                        && d.0 < 0
                    {
                        return bad(format!("sensor {c}: limit {k}: {f} must be >= 0"));
                    }
                }
                if let Some(e) = &l.escalate
                    && e.after.0 <= 0
                {
                    return bad(format!("sensor {c}: limit {k}: escalate.after must be > 0"));
                }
            }
            if let Some(r) = &s.rate_of_change {
                if !(r.limit.is_finite() && r.limit > 0.0) {
                    return bad(format!("sensor {c}: rate_of_change.limit must be > 0"));
                }
                if r.window.0 <= 0 {
                    return bad(format!("sensor {c}: rate_of_change.window must be > 0"));
                }
                if !(r.deadband.is_finite() && r.deadband >= 0.0) {
                    return bad(format!("sensor {c}: rate_of_change.deadband must be >= 0"));
                }
            }
        }
        let mut groups = HashSet::new();
        for g in &self.groups {
            let c = &g.code;
            if !groups.insert(c.as_str()) {
                return bad(format!("group {c}: duplicate code"));
            }
            let mut seen = HashSet::new();
            for m in &g.members {
                let Some(s) = sens.get(m.as_str()) else {
                    return bad(format!("group {c}: members: unknown sensor `{m}`"));
                };
                if !seen.insert(m.as_str()) {
                    return bad(format!("group {c}: members: duplicate member `{m}`"));
                }
                if !s.limits.iter().any(|l| l.kind == g.condition) {
                    return bad(format!(
                        "group {c}: member `{m}` has no `{}` limit",
                        g.condition.condition().as_str()
                    ));
                }
            }
            if g.k == 0 || g.k as usize > g.members.len() {
                return bad(format!(
                    "group {c}: k must be in 1..={} (number of members)",
                    g.members.len()
                ));
            }
            if g.window.0 <= 0 {
                return bad(format!("group {c}: window must be > 0"));
            }
        }
        Ok(())
    }
}

/// Parse `"HH:MM"` or `"HH:MM:SS"`.
pub(crate) fn parse_hm(s: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .ok()
}
