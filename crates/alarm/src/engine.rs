//! The alarm engine: readings and operator commands in, [`AlarmEvent`]s out, in event time.
//!
//! Internals: every `(source, condition)` pair is a *point* in one dense `Vec` (a sensor's points
//! are contiguous: its limits, then rate of change, sensor fault, communication fault). Timers
//! (on-/off-delays, escalation, shelve expiry, stale, device offline, schedule edges, vote expiry)
//! live in one binary heap ordered by `(due, seq)`; cancelled timers are skipped lazily by a
//! generation counter. Stale and offline timers are re-armed when they fire instead of being
//! pushed per reading, so a reading that fires nothing costs no heap operation and no allocation.
//!
//! Hot / cold split: what a reading needs is kept apart from the rest, in dense `Vec`s parallel to
//! the cold ones: per sensor a [`SensorHot`] (times, range, point indices, flags: 72 bytes), per
//! point a [`Hot`] (condition flags and the limit value: 16 bytes). A reading that crosses nothing
//! touches only those — about 140 bytes for a sensor with two limits — and no heap operation, map
//! lookup or allocation; the cold [`Point`] (spec details, delays, occurrence, chattering history)
//! is read only when something may change.

use crate::rules::{Direction, RuleSet};
use crate::{
    ActiveAlarm, AlarmEvent, AlarmState, Condition, EventKind, Millis, Priority, Quality, Reading,
    RuleError, SensorIx, SourceKind,
};
use chrono::{NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;

/// What [`Engine::ingest`] did with a reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Applied.
    Accepted,
    /// Same timestamp as the sensor's last accepted reading: dropped.
    Duplicate,
    /// Earlier than the sensor's last accepted reading (or an index outside the rule set): dropped.
    OutOfOrder,
}

/// Operator commands. `alarm_id` names an open occurrence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// `unacknowledged -> acknowledged`; `returned_unacknowledged -> normal` (the occurrence ends).
    Acknowledge {
        /// Occurrence.
        alarm_id: u64,
        /// Operator.
        actor: String,
        /// Ack comment.
        comment: String,
    },
    /// End the occurrence now; if still abnormal the source is latched until a normal reading.
    Close {
        /// Occurrence.
        alarm_id: u64,
        /// Operator.
        actor: String,
        /// Reason code (`false_alarm`, `maintenance`, ...), stored as the event comment.
        reason: String,
    },
    /// Shelve until `until` (UTC epoch ms, must be later than `now`).
    Shelve {
        /// Occurrence.
        alarm_id: u64,
        /// Operator.
        actor: String,
        /// Expiry, UTC epoch ms.
        until: Millis,
        /// Comment.
        comment: String,
    },
    /// End a shelve early (the shelved occurrence ends; an abnormal condition raises anew).
    Unshelve {
        /// Occurrence.
        alarm_id: u64,
        /// Operator.
        actor: String,
    },
    /// Put a source (sensor / device / group code) out of service; `None` = all its conditions.
    SetOutOfService {
        /// Sensor, device or group code.
        source: String,
        /// One condition, or all.
        condition: Option<Condition>,
        /// Operator.
        actor: String,
        /// Comment.
        comment: String,
    },
    /// Return to service; `None` = all conditions of the source.
    ReturnToService {
        /// Sensor, device or group code.
        source: String,
        /// One condition, or all.
        condition: Option<Condition>,
        /// Operator.
        actor: String,
    },
}

/// Why a command was refused. A refused command changes nothing.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CommandError {
    /// No open occurrence with this id (never existed or already ended).
    #[error("alarm {0}: no such open alarm")]
    UnknownAlarm(u64),
    /// The occurrence is not active (reserved; the engine currently accepts commands on cleared alarms).
    #[error("alarm {0}: not active")]
    NotActive(u64),
    /// The command does not apply in the current state.
    #[error("alarm {alarm_id}: cannot {action} in state {state}")]
    InvalidTransition {
        /// Occurrence.
        alarm_id: u64,
        /// The refused action.
        action: &'static str,
        /// Its state.
        state: AlarmState,
    },
    /// No sensor, device or group with this code.
    #[error("unknown source `{0}`")]
    UnknownSource(String),
    /// The source exists but has no alarm of this condition.
    #[error("source `{code}` has no {condition} alarm")]
    UnknownCondition {
        /// The source code.
        code: String,
        /// The condition.
        condition: Condition,
    },
}

/// What survives a restart (persisted by the server, restored at start).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct EngineState {
    /// Next occurrence id to assign.
    pub next_alarm_id: u64,
    /// Occurrences not yet ended.
    pub alarms: Vec<ActiveAlarm>,
    /// Per sensor code: last accepted reading time (UTC epoch ms).
    pub last_ts: Vec<(String, Millis)>,
    /// Out-of-service marks: source code and condition (`None` = all).
    pub out_of_service: Vec<(String, Option<Condition>)>,
    /// Closed by hand while still abnormal: nothing is raised until a normal reading.
    pub latched: Vec<(String, Condition)>,
    /// Recent raise times per source kind, code and condition (UTC epoch ms, oldest first), so
    /// the chattering detector keeps counting across a restart. Entries of unknown sources and
    /// times older than the chatter window are ignored.
    #[serde(default)]
    pub recent_raises: Vec<(SourceKind, String, Condition, Vec<Millis>)>,
}

#[derive(Clone, Copy, Debug)]
enum Delay {
    None,
    Ms(Millis),
    Samples(u32),
}

#[derive(Clone, Copy, Debug)]
struct LimitSpec {
    high: bool,
    value: f64,
    clear: f64,
    on: Delay,
    off: Delay,
    escalate: Option<(Millis, Priority)>,
    deesc: Option<Millis>,
}

#[derive(Clone, Copy, Debug)]
struct RateSpec {
    limit: f64,
    clear: f64,
    window: Millis,
    dir: Direction,
}

#[derive(Clone, Copy, Debug)]
enum Spec {
    Limit(LimitSpec),
    Rate(RateSpec),
    Other,
}

/// The per-reading part of a point, in a dense `Vec` parallel to the points (24 bytes): a
/// reading that changes nothing reads only this (and the sensor's [`SensorHot`]).
#[derive(Clone, Copy, Debug, Default)]
struct Hot {
    /// Limits: the limit value (copy of the spec's, for the fast path).
    value: f64,
    /// Limits: `high` (`value > limit`) or low (`value < limit`).
    high: bool,
    /// The (debounced) condition is true.
    cond: bool,
    /// The latest reading was abnormal (with the deadband of the current `cond`).
    raw_abn: bool,
}

impl Hot {
    fn of(spec: &Spec) -> Hot {
        match spec {
            Spec::Limit(l) => Hot {
                value: l.value,
                high: l.high,
                ..Hot::default()
            },
            _ => Hot::default(),
        }
    }
}

/// The rest of a point (cold: touched only when something happens to it).
#[derive(Debug)]
struct Point {
    source_kind: SourceKind,
    source: Arc<str>,
    condition: Condition,
    priority: Priority,
    /// Sensor / device / group index.
    owner: u32,
    spec: Spec,
    on_since: Option<Millis>,
    on_count: u32,
    off_since: Option<Millis>,
    off_count: u32,
    on_gen: u32,
    off_gen: u32,
    esc_gen: u32,
    deesc_gen: u32,
    shelve_gen: u32,
    /// The open occurrence was de-escalated (its escalation is armed again if the value turns
    /// abnormal before the clear).
    deescalated: bool,
    oos: bool,
    latched: bool,
    suppressed: bool,
    last_value: Option<f64>,
    occ: Option<Box<ActiveAlarm>>,
    raises: VecDeque<Millis>,
}

#[derive(Debug)]
struct Window {
    start: NaiveTime,
    end: NaiveTime,
    tz: Tz,
}

impl Window {
    fn contains(&self, t: Millis) -> bool {
        let Some(u) = chrono::DateTime::from_timestamp_millis(t) else {
            return false;
        };
        let lt = u.with_timezone(&self.tz).time();
        if self.start < self.end {
            self.start <= lt && lt < self.end
        } else {
            lt >= self.start || lt < self.end
        }
    }

    /// The first start or end edge strictly after `t`.
    fn next_edge(&self, t: Millis) -> Millis {
        let fallback = t + 86_400_000;
        let Some(u) = chrono::DateTime::from_timestamp_millis(t) else {
            return fallback;
        };
        let date = u.with_timezone(&self.tz).date_naive();
        let mut best = None::<Millis>;
        for off in -1..=2i64 {
            let Some(d) = date.checked_add_signed(chrono::TimeDelta::days(off)) else {
                continue;
            };
            for tm in [self.start, self.end] {
                if let Some(x) = self.tz.from_local_datetime(&d.and_time(tm)).earliest() {
                    let ms = x.timestamp_millis();
                    if ms > t && best.is_none_or(|b| ms < b) {
                        best = Some(ms);
                    }
                }
            }
        }
        best.unwrap_or(fallback)
    }
}

/// No device / no communication-fault point.
const NONE: u32 = u32::MAX;

/// The per-reading part of a sensor (72 bytes), in a dense `Vec` parallel to `sensors`: the
/// static data a reading needs (copies of the cold [`Sensor`]'s) and the mutable times and flags.
#[derive(Debug)]
struct SensorHot {
    last_ts: Millis,
    last_good_ts: Millis,
    last_seen: Millis,
    /// Communication fault after this long without a reading; 0 = off.
    stale_ms: Millis,
    /// Measuring range, `-inf..=+inf` without one.
    lo: f64,
    hi: f64,
    /// Limit points `a..b`.
    a: u32,
    b: u32,
    /// Sensor-fault point; the rate-of-change point (if any) is `fault - 1`.
    fault: u32,
    /// Communication-fault point, or [`NONE`].
    comm: u32,
    /// Device index, or [`NONE`].
    device: u32,
    stale_armed: bool,
    window_open: bool,
    has_rate: bool,
    has_groups: bool,
}

/// The rest of a sensor (cold).
#[derive(Debug)]
struct Sensor {
    code: Arc<str>,
    limits: (u32, u32),
    rate: Option<u32>,
    fault: u32,
    comm: Option<u32>,
    window: Option<Window>,
    rate_buf: VecDeque<(Millis, f64)>,
    groups: Vec<u32>,
}

impl Sensor {
    fn points(&self) -> impl Iterator<Item = u32> + use<> {
        let (a, b) = self.limits;
        let extra = [self.rate, Some(self.fault), self.comm];
        (a..b).chain(extra.into_iter().flatten())
    }
    fn process_points(&self) -> impl Iterator<Item = u32> + use<> {
        let (a, b) = self.limits;
        (a..b).chain(self.rate)
    }
}

#[derive(Debug)]
struct Device {
    point: u32,
    sensors: Vec<u32>,
    offline_ms: Millis,
    last_seen: Millis,
    armed: bool,
    offline: bool,
}

#[derive(Debug)]
struct Group {
    point: u32,
    members: Vec<(u32, u32)>,
    k: u32,
    window: Millis,
    epoch: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    On(u32),
    Off(u32),
    Esc(u32),
    Deesc(u32),
    Shelve(u32),
    Stale(u32),
    Offline(u32),
    Sched(u32),
    Vote(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Timer {
    due: Millis,
    seq: u64,
    epoch: u32,
    target: Target,
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse for the earliest (due, seq) first.
        other.due.cmp(&self.due).then(other.seq.cmp(&self.seq))
    }
}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The alarm engine. See the module doc and `docs/alarms.md`.
#[derive(Debug)]
pub struct Engine {
    rules: RuleSet,
    sensors: Vec<Sensor>,
    /// Parallel to `sensors`.
    shot: Vec<SensorHot>,
    devices: Vec<Device>,
    groups: Vec<Group>,
    points: Vec<Point>,
    /// Parallel to `points`.
    hot: Vec<Hot>,
    sensor_by_code: HashMap<Arc<str>, u32>,
    device_by_code: HashMap<Arc<str>, u32>,
    group_by_code: HashMap<Arc<str>, u32>,
    by_id: HashMap<u64, u32>,
    timers: BinaryHeap<Timer>,
    seq: u64,
    clock: Millis,
    started: bool,
    next_id: u64,
    oos_marks: Vec<(String, Option<Condition>)>,
    /// Bumped whenever an out-of-service mark or a latch changes (see [`Engine::marks_generation`]).
    marks_gen: u64,
    chatter_raises: usize,
    chatter_window: Millis,
    chatter_shelve: Option<Millis>,
}

fn parse_tz(s: &str, what: &str) -> Result<Tz, RuleError> {
    s.parse::<Tz>()
        .map_err(|_| RuleError::Invalid(format!("{what}: unknown time zone `{s}`")))
}

fn new_point(
    source_kind: SourceKind,
    source: &Arc<str>,
    condition: Condition,
    priority: Priority,
    owner: u32,
    spec: Spec,
) -> Point {
    Point {
        source_kind,
        source: source.clone(),
        condition,
        priority,
        owner,
        spec,
        on_since: None,
        on_count: 0,
        off_since: None,
        off_count: 0,
        on_gen: 0,
        off_gen: 0,
        esc_gen: 0,
        deesc_gen: 0,
        shelve_gen: 0,
        deescalated: false,
        oos: false,
        latched: false,
        suppressed: false,
        last_value: None,
        occ: None,
        raises: VecDeque::new(),
    }
}

fn delay(ms: Option<crate::Duration>, samples: Option<u32>) -> Delay {
    match (ms, samples) {
        (Some(d), _) if d.0 > 0 => Delay::Ms(d.0),
        (_, Some(k)) if k > 1 => Delay::Samples(k),
        _ => Delay::None,
    }
}

fn event(
    o: &ActiveAlarm,
    source: &Arc<str>,
    kind: EventKind,
    ts: Millis,
    value: Option<f64>,
) -> AlarmEvent {
    AlarmEvent {
        alarm_id: o.alarm_id,
        source_kind: o.source_kind,
        source: source.clone(),
        condition: o.condition,
        kind,
        ts,
        value,
        priority: o.priority,
        state: o.state,
        actor: None,
        comment: None,
    }
}

impl Engine {
    /// Build an engine from validated rules. The clock starts at the first reading / advance.
    pub fn new(rules: RuleSet) -> Result<Engine, RuleError> {
        rules.validate()?;
        let default_tz = parse_tz(
            rules.timezone.as_deref().unwrap_or("Asia/Shanghai"),
            "timezone",
        )?;
        let mut points = Vec::new();
        let mut sensors = Vec::with_capacity(rules.sensors.len());
        let mut shot = Vec::with_capacity(rules.sensors.len());
        let mut sensor_by_code = HashMap::with_capacity(rules.sensors.len());
        let mut device_by_code = HashMap::new();
        let mut devices = Vec::new();
        for (i, d) in rules.devices.iter().enumerate() {
            device_by_code.insert(Arc::<str>::from(d.code.as_str()), i as u32);
            devices.push(Device {
                point: 0,
                sensors: Vec::new(),
                offline_ms: d.offline_after.map(|x| x.0).unwrap_or(0),
                last_seen: Millis::MIN,
                armed: false,
                offline: false,
            });
        }
        for (i, s) in rules.sensors.iter().enumerate() {
            let code: Arc<str> = Arc::from(s.code.as_str());
            let ix = i as u32;
            let a = points.len() as u32;
            for l in &s.limits {
                let d = match (l.deadband_pct, s.range) {
                    (Some(p), Some([lo, hi])) => (hi - lo) * p / 100.0,
                    _ => l.deadband,
                };
                let high = l.kind.is_high();
                let spec = LimitSpec {
                    high,
                    value: l.value,
                    clear: if high { l.value - d } else { l.value + d },
                    on: delay(l.on_delay, l.on_delay_samples),
                    off: delay(l.off_delay, l.off_delay_samples),
                    escalate: l.escalate.as_ref().map(|e| (e.after.0, e.priority)),
                    deesc: l.deescalate_after.map(|x| x.0),
                };
                points.push(new_point(
                    SourceKind::Sensor,
                    &code,
                    l.kind.condition(),
                    l.priority,
                    ix,
                    Spec::Limit(spec),
                ));
            }
            let b = points.len() as u32;
            let rate = s.rate_of_change.as_ref().map(|r| {
                points.push(new_point(
                    SourceKind::Sensor,
                    &code,
                    Condition::RateOfChange,
                    r.priority,
                    ix,
                    Spec::Rate(RateSpec {
                        limit: r.limit,
                        clear: r.limit - r.deadband,
                        window: r.window.0,
                        dir: r.direction,
                    }),
                ));
                points.len() as u32 - 1
            });
            points.push(new_point(
                SourceKind::Sensor,
                &code,
                Condition::SensorFault,
                s.fault_priority,
                ix,
                Spec::Other,
            ));
            let fault = points.len() as u32 - 1;
            let comm = (s.stale_after > 0).then(|| {
                points.push(new_point(
                    SourceKind::Sensor,
                    &code,
                    Condition::CommunicationFault,
                    s.fault_priority,
                    ix,
                    Spec::Other,
                ));
                points.len() as u32 - 1
            });
            let device = s
                .device
                .as_deref()
                .and_then(|d| device_by_code.get(d).copied());
            if let Some(d) = device {
                let dev = &mut devices[d as usize];
                dev.sensors.push(ix);
                if rules.devices[d as usize].offline_after.is_none() {
                    dev.offline_ms = dev.offline_ms.max(3 * s.sampling_period.0);
                }
            }
            let window = match &s.schedule {
                None => None,
                Some(sc) => {
                    let bad = |f: &str| {
                        RuleError::Invalid(format!(
                            "sensor {}: schedule.{f}: expected HH:MM",
                            s.code
                        ))
                    };
                    Some(Window {
                        start: crate::rules::parse_hm(&sc.start).ok_or_else(|| bad("start"))?,
                        end: crate::rules::parse_hm(&sc.end).ok_or_else(|| bad("end"))?,
                        tz: match &sc.timezone {
                            Some(t) => {
                                parse_tz(t, &format!("sensor {}: schedule.timezone", s.code))?
                            }
                            None => default_tz,
                        },
                    })
                }
            };
            let rate_buf = match &s.rate_of_change {
                Some(r) => VecDeque::with_capacity(
                    (r.window.0 / s.sampling_period.0).clamp(0, 4096) as usize + 2,
                ),
                None => VecDeque::new(),
            };
            sensor_by_code.insert(code.clone(), ix);
            shot.push(SensorHot {
                last_ts: Millis::MIN,
                last_good_ts: Millis::MIN,
                last_seen: Millis::MIN,
                stale_ms: s.sampling_period.0.saturating_mul(s.stale_after as i64),
                lo: s.range.map_or(f64::NEG_INFINITY, |r| r[0]),
                hi: s.range.map_or(f64::INFINITY, |r| r[1]),
                a,
                b,
                fault,
                comm: comm.unwrap_or(NONE),
                device: device.unwrap_or(NONE),
                stale_armed: false,
                window_open: window.is_none(),
                has_rate: rate.is_some(),
                has_groups: false,
            });
            sensors.push(Sensor {
                code,
                limits: (a, b),
                rate,
                fault,
                comm,
                window,
                rate_buf,
                groups: Vec::new(),
            });
        }
        for (i, d) in rules.devices.iter().enumerate() {
            let code: Arc<str> = Arc::from(d.code.as_str());
            points.push(new_point(
                SourceKind::Device,
                &code,
                Condition::DeviceOffline,
                d.priority,
                i as u32,
                Spec::Other,
            ));
            let dev = &mut devices[i];
            dev.point = points.len() as u32 - 1;
            if dev.offline_ms == 0 {
                dev.offline_ms = 180_000;
            }
        }
        let mut groups = Vec::new();
        let mut group_by_code = HashMap::new();
        for (gi, g) in rules.groups.iter().enumerate() {
            let code: Arc<str> = Arc::from(g.code.as_str());
            points.push(new_point(
                SourceKind::Group,
                &code,
                Condition::Voting,
                g.priority,
                gi as u32,
                Spec::Other,
            ));
            let point = points.len() as u32 - 1;
            let mut members = Vec::new();
            for m in &g.members {
                let Some(&s) = sensor_by_code.get(m.as_str()) else {
                    return Err(RuleError::Invalid(format!(
                        "group {}: members: unknown sensor `{m}`",
                        g.code
                    )));
                };
                let sen: &mut Sensor = &mut sensors[s as usize];
                let (a, b) = sen.limits;
                let Some(lp) =
                    (a..b).find(|&p| points[p as usize].condition == g.condition.condition())
                else {
                    return Err(RuleError::Invalid(format!(
                        "group {}: member `{m}` has no such limit",
                        g.code
                    )));
                };
                sen.groups.push(gi as u32);
                shot[s as usize].has_groups = true;
                members.push((s, lp));
            }
            group_by_code.insert(code, gi as u32);
            groups.push(Group {
                point,
                members,
                k: g.k,
                window: g.window.0,
                epoch: 0,
            });
        }
        Ok(Engine {
            chatter_raises: rules.chatter.raises.max(2) as usize,
            chatter_window: rules.chatter.window.0,
            chatter_shelve: rules.chatter.shelve_for.map(|d| d.0),
            rules,
            sensors,
            shot,
            devices,
            groups,
            hot: points.iter().map(|p| Hot::of(&p.spec)).collect(),
            points,
            sensor_by_code,
            device_by_code,
            group_by_code,
            by_id: HashMap::new(),
            timers: BinaryHeap::new(),
            seq: 0,
            clock: Millis::MIN,
            started: false,
            next_id: 1,
            oos_marks: Vec::new(),
            marks_gen: 0,
        })
    }

    /// Restore after a restart: `now` = restart time (UTC epoch ms). Alarms keep their ids and
    /// states and are not raised again; stale / offline timers start from `now`; pending on-/off-
    /// delays are not restored (they start again with the next reading). Alarms, marks and
    /// timestamps of sources no longer in `rules` are dropped.
    pub fn restore(rules: RuleSet, state: EngineState, now: Millis) -> Result<Engine, RuleError> {
        let mut e = Engine::new(rules)?;
        let max_id = state.alarms.iter().map(|a| a.alarm_id).max().unwrap_or(0);
        e.next_id = state.next_alarm_id.max(max_id + 1).max(1);
        for (code, ts) in &state.last_ts {
            if let Some(&s) = e.sensor_by_code.get(code.as_str()) {
                let s = &mut e.shot[s as usize];
                s.last_ts = *ts;
                s.last_good_ts = *ts;
            }
        }
        for (src, c) in &state.out_of_service {
            if !e.source_points(src).is_empty() && !e.oos_marks.contains(&(src.clone(), *c)) {
                e.oos_marks.push((src.clone(), *c));
            }
        }
        for p in 0..e.points.len() {
            let pt = &e.points[p];
            let oos = e
                .oos_marks
                .iter()
                .any(|(s, c)| **s == *pt.source && c.is_none_or(|c| c == pt.condition));
            e.points[p].oos = oos;
        }
        for (src, c) in &state.latched {
            if let Some(p) = e
                .source_points(src)
                .into_iter()
                .find(|&p| e.points[p as usize].condition == *c)
            {
                let pt = &mut e.points[p as usize];
                pt.latched = true;
                e.hot[p as usize].cond = true;
            }
        }
        for (kind, src, c, times) in &state.recent_raises {
            if let Some(p) = e.find_point(*kind, src, *c) {
                let n = e.chatter_raises;
                let pt = &mut e.points[p as usize];
                pt.raises = times.iter().copied().collect();
                while pt.raises.len() > n {
                    pt.raises.pop_front();
                }
            }
        }
        for a in state.alarms {
            let Some(p) = e.find_point(a.source_kind, &a.source, a.condition) else {
                continue;
            };
            let pi = p as usize;
            e.by_id.insert(a.alarm_id, p);
            e.hot[pi].cond = a.active;
            let pt = &mut e.points[pi];
            pt.last_value = a.last_value;
            if let Some(u) = a.shelved_until {
                pt.shelve_gen += 1;
                let g = pt.shelve_gen;
                e.push(u, g, Target::Shelve(p));
            }
            let pt = &mut e.points[pi];
            if let (Spec::Limit(l), true) = (pt.spec, a.active)
                && let Some((after, prio)) = l.escalate
                && a.priority < prio
            {
                let g = pt.esc_gen;
                e.push(a.started_at.saturating_add(after), g, Target::Esc(p));
            }
            e.points[pi].occ = Some(Box::new(a));
        }
        // A device whose offline condition holds (its alarm active, or closed by hand while
        // offline, i.e. latched) is still offline: its sensors stay suppressed.
        for d in 0..e.devices.len() {
            if !e.hot[e.devices[d].point as usize].cond {
                continue;
            }
            e.devices[d].offline = true;
            let ss = e.devices[d].sensors.clone();
            for s in ss {
                for q in e.sensors[s as usize].points() {
                    e.points[q as usize].suppressed = true;
                }
            }
        }
        for p in 0..e.points.len() {
            e.refresh(p as u32);
        }
        e.init(now);
        Ok(e)
    }

    /// Swap the rules while keeping the state of sources that still exist (as by
    /// [`Engine::snapshot`] + [`Engine::restore`] at `now`). Alarms of removed sources or conditions
    /// end with `closed`, comment `"rule removed"`. Timers due up to `now` fire first. On error the
    /// engine is unchanged.
    pub fn replace_rules(
        &mut self,
        rules: RuleSet,
        now: Millis,
        out: &mut Vec<AlarmEvent>,
    ) -> Result<(), RuleError> {
        let probe = Engine::new(rules.clone())?;
        self.advance_to(now, out);
        let now = now.max(self.clock);
        let mut st = self.snapshot();
        st.alarms.retain(|a| {
            if probe
                .find_point(a.source_kind, &a.source, a.condition)
                .is_some()
            {
                return true;
            }
            let mut a2 = a.clone();
            a2.state = AlarmState::Normal;
            let mut ev = event(
                &a2,
                &Arc::from(a.source.as_str()),
                EventKind::Closed,
                now,
                None,
            );
            ev.comment = Some("rule removed".into());
            out.push(ev);
            false
        });
        *self = Engine::restore(rules, st, now)?;
        Ok(())
    }

    /// Index of a sensor code.
    pub fn sensor_ix(&self, code: &str) -> Option<SensorIx> {
        self.sensor_by_code.get(code).map(|&i| SensorIx(i))
    }

    /// Code of a sensor index. Panics if `ix` is not from this engine's rule set.
    pub fn sensor_code(&self, ix: SensorIx) -> &str {
        &self.sensors[ix.0 as usize].code
    }

    /// Number of sensors.
    pub fn sensor_count(&self) -> usize {
        self.sensors.len()
    }

    /// The rules in force.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// The engine clock (UTC epoch ms); `i64::MIN` before the first reading or advance.
    pub fn clock(&self) -> Millis {
        self.clock
    }

    /// Open occurrences (not yet ended), in point order.
    pub fn active(&self) -> impl Iterator<Item = &ActiveAlarm> {
        self.points.iter().filter_map(|p| p.occ.as_deref())
    }

    /// An open occurrence by id.
    pub fn alarm(&self, id: u64) -> Option<&ActiveAlarm> {
        self.by_id
            .get(&id)
            .and_then(|&p| self.points[p as usize].occ.as_deref())
    }

    /// A counter that changes whenever an out-of-service mark or a latch (closed by hand while
    /// abnormal) is set or removed, so a persister can save [`Engine::marks`] only when needed.
    pub fn marks_generation(&self) -> u64 {
        self.marks_gen
    }

    /// The out-of-service marks and the latched points (source code, condition), as in
    /// [`EngineState`].
    #[allow(clippy::type_complexity)] // two lists, named by the doc and `EngineState`
    pub fn marks(&self) -> (Vec<(String, Option<Condition>)>, Vec<(String, Condition)>) {
        let latched = self
            .points
            .iter()
            .filter(|p| p.latched)
            .map(|p| (p.source.to_string(), p.condition))
            .collect();
        (self.oos_marks.clone(), latched)
    }

    /// What to persist.
    pub fn snapshot(&self) -> EngineState {
        EngineState {
            next_alarm_id: self.next_id,
            alarms: self.active().cloned().collect(),
            last_ts: self
                .sensors
                .iter()
                .zip(&self.shot)
                .filter(|(_, h)| h.last_ts != Millis::MIN)
                .map(|(s, h)| (s.code.to_string(), h.last_ts))
                .collect(),
            out_of_service: self.oos_marks.clone(),
            latched: self.marks().1,
            recent_raises: self
                .points
                .iter()
                .filter(|p| !p.raises.is_empty())
                .map(|p| {
                    (
                        p.source_kind,
                        p.source.to_string(),
                        p.condition,
                        p.raises.iter().copied().collect(),
                    )
                })
                .collect(),
        }
    }

    /// Advance the clock to `max(now, clock)` first (firing due timers in time order, each at its
    /// own due time), then apply the reading. Readings of one sensor must have strictly increasing
    /// `ts`: an equal `ts` is [`Disposition::Duplicate`], an earlier one [`Disposition::OutOfOrder`];
    /// both are dropped without changing alarm state.
    pub fn ingest(&mut self, r: Reading, out: &mut Vec<AlarmEvent>) -> Disposition {
        let i = r.sensor.0 as usize;
        let Some(s) = self.shot.get(i) else {
            return Disposition::OutOfOrder;
        };
        if r.ts == s.last_ts {
            return Disposition::Duplicate;
        }
        if r.ts < s.last_ts {
            return Disposition::OutOfOrder;
        }
        // Timers due before the reading fire first, those due at its very time after it: a
        // reading that arrives exactly at a deadline (stale data, device offline, an on-delay)
        // is in time, so no fault is raised and cleared at the same instant.
        if self.started {
            self.advance_to(r.ts.saturating_sub(1), out);
        } else {
            self.advance_to(r.ts, out);
        }
        let d = self.apply(i, r, out);
        self.advance_to(r.ts, out);
        d
    }

    /// Applies an accepted reading of sensor `i` (the clock is just before its time).
    fn apply(&mut self, i: usize, r: Reading, out: &mut Vec<AlarmEvent>) -> Disposition {
        let ts = r.ts;
        let v = r.value;
        let s = &mut self.shot[i];
        s.last_ts = ts;
        if ts > s.last_seen {
            s.last_seen = ts;
        }
        // Without a range `lo`/`hi` are infinite; a non-finite value is caught before.
        let faulty = r.quality == Quality::Bad || !v.is_finite() || v < s.lo || v > s.hi;
        let (dev, comm, fault) = (s.device, s.comm, s.fault);
        if s.stale_ms > 0 && !s.stale_armed {
            s.stale_armed = true;
            let due = ts + s.stale_ms;
            self.push(due, 0, Target::Stale(i as u32));
        }
        if dev != NONE {
            let dv = &mut self.devices[dev as usize];
            if ts > dv.last_seen {
                dv.last_seen = ts;
            }
            if dv.offline {
                self.device_return(dev, ts, out);
            } else if !dv.armed {
                dv.armed = true;
                let due = ts + dv.offline_ms;
                self.push(due, 0, Target::Offline(dev));
            }
        }
        if comm != NONE && self.hot[comm as usize].cond {
            self.set_cond(comm, false, ts, Some(v), None, out);
        }
        if self.hot[fault as usize].cond != faulty {
            self.set_cond(fault, faulty, ts, Some(v), None, out);
        }
        if faulty {
            return Disposition::Accepted;
        }
        let s = &mut self.shot[i];
        s.last_good_ts = ts;
        let (a, b, open) = (s.a, s.b, s.window_open);
        let (has_rate, has_groups) = (s.has_rate, s.has_groups);
        for p in a..b {
            // Fast path: normal, not active, not abnormal before (hence no on-delay pending).
            // `eval_limit` would only store `v` as the point's `last_value`, which is read only
            // while the point is `cond` or `raw_abn` — states that a reading reaches through
            // `eval_limit`, which stores the value then.
            let h = self.hot[p as usize];
            let abn = if h.high { v > h.value } else { v < h.value };
            if abn || h.cond || h.raw_abn {
                self.eval_limit(p, ts, v, open, out);
            }
        }
        if has_rate {
            self.eval_rate(i, fault - 1, ts, v, open, out);
        }
        if has_groups {
            for gi in 0..self.sensors[i].groups.len() {
                let g = self.sensors[i].groups[gi];
                self.eval_group(g, ts, Some(v), out);
            }
        }
        Disposition::Accepted
    }

    /// Fire every timer due at or before `now` (UTC epoch ms), in `(due, creation)` order, each at
    /// its own due time; then set the clock to `max(now, clock)`.
    pub fn advance_to(&mut self, now: Millis, out: &mut Vec<AlarmEvent>) {
        if !self.started {
            self.init(now);
        }
        while let Some(t) = self.timers.peek() {
            if t.due > now {
                break;
            }
            let t = *t;
            self.timers.pop();
            if t.due > self.clock {
                self.clock = t.due;
            }
            self.fire(t, out);
        }
        if now > self.clock {
            self.clock = now;
        }
    }

    /// Apply an operator command at `now` (UTC epoch ms; timers due up to `now` fire first).
    pub fn command(
        &mut self,
        cmd: Command,
        now: Millis,
        out: &mut Vec<AlarmEvent>,
    ) -> Result<(), CommandError> {
        self.advance_to(now, out);
        let now = now.max(self.clock);
        match cmd {
            Command::Acknowledge {
                alarm_id,
                actor,
                comment,
            } => {
                let p = self.open(alarm_id)?;
                let o = self.occ(p);
                if o.acknowledged {
                    return Err(CommandError::InvalidTransition {
                        alarm_id,
                        action: "acknowledge",
                        state: o.state,
                    });
                }
                self.occ_mut(p).acknowledged = true;
                self.refresh(p);
                let ended = !self.occ(p).active;
                if ended {
                    self.occ_mut(p).state = AlarmState::Normal;
                }
                self.emit(
                    p,
                    EventKind::Acknowledged,
                    now,
                    None,
                    Some(actor),
                    Some(comment),
                    out,
                );
                if ended {
                    self.end(p);
                }
            }
            Command::Close {
                alarm_id,
                actor,
                reason,
            } => {
                let p = self.open(alarm_id)?;
                self.occ_mut(p).state = AlarmState::Normal;
                self.emit(
                    p,
                    EventKind::Closed,
                    now,
                    None,
                    Some(actor),
                    Some(reason),
                    out,
                );
                self.end(p);
                if self.hot[p as usize].cond {
                    self.points[p as usize].latched = true;
                    self.marks_gen += 1;
                }
            }
            Command::Shelve {
                alarm_id,
                actor,
                until,
                comment,
            } => {
                let p = self.open(alarm_id)?;
                let o = self.occ(p);
                if until <= now || self.points[p as usize].oos {
                    return Err(CommandError::InvalidTransition {
                        alarm_id,
                        action: "shelve",
                        state: o.state,
                    });
                }
                self.shelve(p, now, until, Some(actor), Some(comment), out);
            }
            Command::Unshelve { alarm_id, actor } => {
                let p = self.open(alarm_id)?;
                let o = self.occ(p);
                if o.shelved_until.is_none() {
                    return Err(CommandError::InvalidTransition {
                        alarm_id,
                        action: "unshelve",
                        state: o.state,
                    });
                }
                self.unshelve(p, now, Some(actor), out);
            }
            Command::SetOutOfService {
                source,
                condition,
                actor,
                comment,
            } => {
                let pts = self.matching(&source, condition)?;
                let mark = (source, condition);
                if !self.oos_marks.contains(&mark) {
                    self.marks_gen += 1;
                    self.oos_marks.push(mark);
                }
                for p in pts {
                    let pt = &mut self.points[p as usize];
                    if pt.oos {
                        continue;
                    }
                    pt.oos = true;
                    if pt.occ.is_some() {
                        self.refresh(p);
                        self.emit(
                            p,
                            EventKind::OutOfService,
                            now,
                            None,
                            Some(actor.clone()),
                            Some(comment.clone()),
                            out,
                        );
                    }
                }
            }
            Command::ReturnToService {
                source,
                condition,
                actor,
            } => {
                let pts = self.matching(&source, condition)?;
                if let Some(c) = condition
                    && let Some(ix) = self
                        .oos_marks
                        .iter()
                        .position(|m| m.0 == source && m.1.is_none())
                {
                    // Narrow a whole-source mark to the other conditions.
                    self.oos_marks.remove(ix);
                    self.marks_gen += 1;
                    for q in self.source_points(&source) {
                        let qc = self.points[q as usize].condition;
                        if qc != c {
                            self.oos_marks.push((source.clone(), Some(qc)));
                        }
                    }
                }
                self.oos_marks
                    .retain(|m| !(m.0 == source && (condition.is_none() || m.1 == condition)));
                for p in pts {
                    let pi = p as usize;
                    let cnd = self.points[pi].condition;
                    let still = self
                        .oos_marks
                        .iter()
                        .any(|m| m.0 == source && m.1.is_none_or(|c| c == cnd));
                    if !self.points[pi].oos || still {
                        continue;
                    }
                    self.points[pi].oos = false;
                    if self.points[pi].occ.is_some() {
                        self.occ_mut(p).state = AlarmState::Normal;
                        self.emit(
                            p,
                            EventKind::ReturnedToService,
                            now,
                            None,
                            Some(actor.clone()),
                            None,
                            out,
                        );
                        self.end(p);
                    }
                    self.reconcile(p, now, out);
                }
            }
        }
        Ok(())
    }

    // ---------------------------------------------------------------- internals

    fn init(&mut self, now: Millis) {
        self.started = true;
        if now > self.clock {
            self.clock = now;
        }
        for i in 0..self.sensors.len() {
            let s = &mut self.shot[i];
            s.last_seen = now;
            let stale = s.stale_ms > 0 && !s.stale_armed;
            if stale {
                s.stale_armed = true;
            }
            let due = now + s.stale_ms;
            let sched = if let Some(w) = &self.sensors[i].window {
                s.window_open = w.contains(now);
                true
            } else {
                false
            };
            if stale {
                self.push(due, 0, Target::Stale(i as u32));
            }
            if sched {
                self.push(now, 0, Target::Sched(i as u32));
            }
        }
        for d in 0..self.devices.len() {
            let dv = &mut self.devices[d];
            dv.last_seen = now;
            if !dv.offline && !dv.armed && !dv.sensors.is_empty() {
                dv.armed = true;
                let due = now + dv.offline_ms;
                self.push(due, 0, Target::Offline(d as u32));
            }
        }
    }

    fn push(&mut self, due: Millis, epoch: u32, target: Target) {
        self.seq += 1;
        self.timers.push(Timer {
            due,
            seq: self.seq,
            epoch,
            target,
        });
    }

    fn open(&self, id: u64) -> Result<u32, CommandError> {
        self.by_id
            .get(&id)
            .copied()
            .ok_or(CommandError::UnknownAlarm(id))
    }

    fn occ(&self, p: u32) -> &ActiveAlarm {
        // Invariant: callers hold a point index from `by_id` or checked `occ.is_some()`.
        self.points[p as usize]
            .occ
            .as_deref()
            .expect("open occurrence")
    }

    fn occ_mut(&mut self, p: u32) -> &mut ActiveAlarm {
        self.points[p as usize]
            .occ
            .as_deref_mut()
            .expect("open occurrence")
    }

    fn find_point(&self, kind: SourceKind, source: &str, c: Condition) -> Option<u32> {
        let pts: Vec<u32> = match kind {
            SourceKind::Sensor => self
                .sensor_by_code
                .get(source)
                .map(|&s| self.sensors[s as usize].points().collect()),
            SourceKind::Device => self
                .device_by_code
                .get(source)
                .map(|&d| vec![self.devices[d as usize].point]),
            SourceKind::Group => self
                .group_by_code
                .get(source)
                .map(|&g| vec![self.groups[g as usize].point]),
        }?;
        pts.into_iter()
            .find(|&p| self.points[p as usize].condition == c)
    }

    fn source_points(&self, source: &str) -> Vec<u32> {
        if let Some(&s) = self.sensor_by_code.get(source) {
            self.sensors[s as usize].points().collect()
        } else if let Some(&d) = self.device_by_code.get(source) {
            vec![self.devices[d as usize].point]
        } else if let Some(&g) = self.group_by_code.get(source) {
            vec![self.groups[g as usize].point]
        } else {
            Vec::new()
        }
    }

    fn matching(
        &self,
        source: &str,
        condition: Option<Condition>,
    ) -> Result<Vec<u32>, CommandError> {
        let all = self.source_points(source);
        if all.is_empty() {
            return Err(CommandError::UnknownSource(source.to_string()));
        }
        let v: Vec<u32> = all
            .into_iter()
            .filter(|&p| condition.is_none_or(|c| self.points[p as usize].condition == c))
            .collect();
        match condition {
            Some(c) if v.is_empty() => Err(CommandError::UnknownCondition {
                code: source.to_string(),
                condition: c,
            }),
            _ => Ok(v),
        }
    }

    /// Recompute the ISA state of the open occurrence of `p`.
    fn refresh(&mut self, p: u32) {
        let pt = &mut self.points[p as usize];
        let (oos, sup) = (pt.oos, pt.suppressed);
        if let Some(o) = pt.occ.as_deref_mut() {
            o.state = if oos {
                AlarmState::OutOfService
            } else if o.shelved_until.is_some() {
                AlarmState::Shelved
            } else if sup {
                AlarmState::Suppressed
            } else {
                match (o.active, o.acknowledged) {
                    (true, false) => AlarmState::Unacknowledged,
                    (true, true) => AlarmState::Acknowledged,
                    (false, false) => AlarmState::ReturnedUnacknowledged,
                    (false, true) => AlarmState::Normal,
                }
            };
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &self,
        p: u32,
        kind: EventKind,
        ts: Millis,
        value: Option<f64>,
        actor: Option<String>,
        comment: Option<String>,
        out: &mut Vec<AlarmEvent>,
    ) {
        let pt = &self.points[p as usize];
        if let Some(o) = pt.occ.as_deref() {
            let mut e = event(o, &pt.source, kind, ts, value);
            e.actor = actor;
            e.comment = comment;
            out.push(e);
        }
    }

    /// End the open occurrence of `p` (its last event was already emitted).
    fn end(&mut self, p: u32) {
        let pt = &mut self.points[p as usize];
        if let Some(o) = pt.occ.take() {
            self.by_id.remove(&o.alarm_id);
        }
        pt.esc_gen = pt.esc_gen.wrapping_add(1);
        pt.deesc_gen = pt.deesc_gen.wrapping_add(1);
        pt.shelve_gen = pt.shelve_gen.wrapping_add(1);
        pt.deescalated = false;
    }

    fn held(&self, p: u32) -> bool {
        let pt = &self.points[p as usize];
        pt.oos || pt.latched || pt.suppressed
    }

    /// Raise if the condition is true, nothing is holding it back and no occurrence is open.
    fn reconcile(&mut self, p: u32, ts: Millis, out: &mut Vec<AlarmEvent>) {
        let pt = &self.points[p as usize];
        if self.hot[p as usize].cond && pt.occ.is_none() && !self.held(p) {
            let v = pt.last_value;
            self.raise(p, ts, v, out);
        }
    }

    /// Set the debounced condition of `p` and emit what follows.
    fn set_cond(
        &mut self,
        p: u32,
        on: bool,
        ts: Millis,
        value: Option<f64>,
        comment: Option<&str>,
        out: &mut Vec<AlarmEvent>,
    ) {
        self.hot[p as usize].cond = on;
        let pt = &mut self.points[p as usize];
        pt.on_since = None;
        pt.on_count = 0;
        pt.off_since = None;
        pt.off_count = 0;
        pt.on_gen = pt.on_gen.wrapping_add(1);
        pt.off_gen = pt.off_gen.wrapping_add(1);
        pt.deesc_gen = pt.deesc_gen.wrapping_add(1);
        if value.is_some() {
            pt.last_value = value;
        }
        let oos = pt.oos;
        if on {
            if let Some(o) = pt.occ.as_deref_mut() {
                if o.active {
                    return;
                }
                if o.shelved_until.is_some() || oos {
                    o.active = true;
                    o.last_value = value.or(o.last_value);
                    return;
                }
            }
            if self.held(p) {
                return;
            }
            self.raise(p, ts, value, out);
        } else {
            if pt.latched {
                pt.latched = false;
                self.marks_gen += 1;
            }
            let Some(o) = pt.occ.as_deref_mut() else {
                return;
            };
            if !o.active {
                return;
            }
            o.active = false;
            o.cleared_at = Some(ts);
            if value.is_some() {
                o.last_value = value;
            }
            if o.shelved_until.is_some() || oos {
                return;
            }
            pt.esc_gen = pt.esc_gen.wrapping_add(1);
            self.refresh(p);
            let ended = self.occ(p).acknowledged;
            if ended {
                // Cleared and acknowledged: the occurrence ends (also while suppressed).
                self.occ_mut(p).state = AlarmState::Normal;
            }
            self.emit(
                p,
                EventKind::Cleared,
                ts,
                value,
                None,
                comment.map(str::to_string),
                out,
            );
            if ended {
                self.end(p);
            }
        }
    }

    fn raise(&mut self, p: u32, ts: Millis, value: Option<f64>, out: &mut Vec<AlarmEvent>) {
        if self.points[p as usize].occ.is_some() {
            // A cleared but unacknowledged occurrence: a raise is always a new occurrence.
            self.occ_mut(p).state = AlarmState::Normal;
            self.emit(
                p,
                EventKind::Closed,
                ts,
                None,
                None,
                Some("superseded".into()),
                out,
            );
            self.end(p);
        }
        let id = self.next_id;
        self.next_id += 1;
        let pt = &mut self.points[p as usize];
        pt.occ = Some(Box::new(ActiveAlarm {
            alarm_id: id,
            source_kind: pt.source_kind,
            source: pt.source.to_string(),
            condition: pt.condition,
            priority: pt.priority,
            state: AlarmState::Unacknowledged,
            active: true,
            acknowledged: false,
            started_at: ts,
            cleared_at: None,
            shelved_until: None,
            last_value: value,
            chattering: false,
        }));
        pt.deescalated = false;
        self.by_id.insert(id, p);
        self.refresh(p);
        self.emit(p, EventKind::Raised, ts, value, None, None, out);
        let pt = &mut self.points[p as usize];
        if let Spec::Limit(LimitSpec {
            escalate: Some((after, _)),
            ..
        }) = pt.spec
        {
            pt.esc_gen = pt.esc_gen.wrapping_add(1);
            let g = pt.esc_gen;
            self.push(ts.saturating_add(after), g, Target::Esc(p));
        }
        // Chattering detector.
        let (n, w) = (self.chatter_raises, self.chatter_window);
        let pt = &mut self.points[p as usize];
        pt.raises.push_back(ts);
        while pt.raises.front().is_some_and(|&f| ts - f > w) {
            pt.raises.pop_front();
        }
        while pt.raises.len() > n {
            pt.raises.pop_front();
        }
        if pt.raises.len() >= n {
            self.occ_mut(p).chattering = true;
            self.emit(p, EventKind::Chattering, ts, value, None, None, out);
            if let Some(d) = self.chatter_shelve {
                self.shelve(
                    p,
                    ts,
                    ts.saturating_add(d),
                    None,
                    Some("chattering".into()),
                    out,
                );
            }
        }
    }

    fn shelve(
        &mut self,
        p: u32,
        ts: Millis,
        until: Millis,
        actor: Option<String>,
        comment: Option<String>,
        out: &mut Vec<AlarmEvent>,
    ) {
        self.occ_mut(p).shelved_until = Some(until);
        let pt = &mut self.points[p as usize];
        pt.shelve_gen = pt.shelve_gen.wrapping_add(1);
        let g = pt.shelve_gen;
        self.push(until, g, Target::Shelve(p));
        self.refresh(p);
        self.emit(p, EventKind::Shelved, ts, None, actor, comment, out);
    }

    fn unshelve(&mut self, p: u32, ts: Millis, actor: Option<String>, out: &mut Vec<AlarmEvent>) {
        let o = self.occ_mut(p);
        o.shelved_until = None;
        o.state = AlarmState::Normal;
        self.emit(p, EventKind::Unshelved, ts, None, actor, None, out);
        self.end(p);
        self.reconcile(p, ts, out);
    }

    fn eval_limit(&mut self, p: u32, ts: Millis, v: f64, open: bool, out: &mut Vec<AlarmEvent>) {
        let pt = &mut self.points[p as usize];
        let Spec::Limit(l) = pt.spec else { return };
        pt.last_value = Some(v);
        if let Some(o) = pt.occ.as_deref_mut()
            && o.active
        {
            o.last_value = Some(v);
        }
        let cond = self.hot[p as usize].cond;
        let abn = if !cond {
            if l.high { v > l.value } else { v < l.value }
        } else if l.high {
            v > l.clear
        } else {
            v < l.clear
        };
        self.hot[p as usize].raw_abn = abn;
        if !cond {
            if abn {
                match l.on {
                    Delay::None => {
                        if open {
                            self.set_cond(p, true, ts, Some(v), None, out);
                        }
                    }
                    Delay::Samples(k) => {
                        pt.on_count = pt.on_count.saturating_add(1);
                        if pt.on_count >= k && open {
                            self.set_cond(p, true, ts, Some(v), None, out);
                        }
                    }
                    Delay::Ms(d) => {
                        if pt.on_since.is_none() {
                            pt.on_since = Some(ts);
                            pt.on_gen = pt.on_gen.wrapping_add(1);
                            let g = pt.on_gen;
                            self.push(ts.saturating_add(d), g, Target::On(p));
                        }
                    }
                }
            } else if pt.on_since.is_some() || pt.on_count > 0 {
                pt.on_since = None;
                pt.on_count = 0;
                pt.on_gen = pt.on_gen.wrapping_add(1);
            }
        } else if !abn {
            if !open {
                return;
            }
            match l.off {
                Delay::None => self.set_cond(p, false, ts, Some(v), None, out),
                Delay::Samples(k) => {
                    pt.off_count = pt.off_count.saturating_add(1);
                    if pt.off_count >= k {
                        self.set_cond(p, false, ts, Some(v), None, out);
                    }
                }
                Delay::Ms(d) => {
                    if pt.off_since.is_none() {
                        pt.off_since = Some(ts);
                        pt.off_gen = pt.off_gen.wrapping_add(1);
                        let g = pt.off_gen;
                        let deesc = match l.deesc {
                            Some(dd)
                                if pt.occ.as_deref().is_some_and(|o| o.priority != pt.priority) =>
                            {
                                pt.deesc_gen = pt.deesc_gen.wrapping_add(1);
                                Some((dd, pt.deesc_gen))
                            }
                            _ => None,
                        };
                        self.push(ts.saturating_add(d), g, Target::Off(p));
                        if let Some((dd, g2)) = deesc {
                            self.push(ts.saturating_add(dd), g2, Target::Deesc(p));
                        }
                    }
                }
            }
        } else if pt.off_since.is_some() || pt.off_count > 0 {
            pt.off_since = None;
            pt.off_count = 0;
            pt.off_gen = pt.off_gen.wrapping_add(1);
            pt.deesc_gen = pt.deesc_gen.wrapping_add(1);
            // Abnormal again before the clear after a de-escalation: escalate again after
            // `escalate.after` from this reading (before a first escalation its timer still runs).
            if pt.deescalated
                && let Some((after, _)) = l.escalate
            {
                pt.deescalated = false;
                pt.esc_gen = pt.esc_gen.wrapping_add(1);
                let g = pt.esc_gen;
                self.push(ts.saturating_add(after), g, Target::Esc(p));
            }
        }
    }

    fn eval_rate(
        &mut self,
        s: usize,
        p: u32,
        ts: Millis,
        v: f64,
        open: bool,
        out: &mut Vec<AlarmEvent>,
    ) {
        let Spec::Rate(r) = self.points[p as usize].spec else {
            return;
        };
        let buf = &mut self.sensors[s].rate_buf;
        buf.push_back((ts, v));
        while buf.front().is_some_and(|&(t, _)| t < ts - r.window) {
            buf.pop_front();
        }
        let Some(&(t0, v0)) = buf.front() else { return };
        if t0 >= ts {
            return;
        }
        let rate = (v - v0) / ((ts - t0) as f64 / 60_000.0);
        let mag = match r.dir {
            Direction::Rise => rate,
            Direction::Fall => -rate,
            Direction::Both => rate.abs(),
        };
        self.points[p as usize].last_value = Some(rate);
        let h = &mut self.hot[p as usize];
        let abn = if h.cond { mag > r.clear } else { mag > r.limit };
        h.raw_abn = abn;
        if abn != h.cond && open {
            self.set_cond(p, abn, ts, Some(rate), None, out);
        }
    }

    fn eval_group(&mut self, g: u32, ts: Millis, value: Option<f64>, out: &mut Vec<AlarmEvent>) {
        let grp = &self.groups[g as usize];
        let mut votes = 0u32;
        let mut expiry = Millis::MAX;
        for &(s, lp) in &grp.members {
            let last = self.shot[s as usize].last_good_ts;
            if self.hot[lp as usize].cond && last != Millis::MIN && ts - last <= grp.window {
                votes += 1;
                expiry = expiry.min(last + grp.window + 1);
            }
        }
        let on = votes >= grp.k;
        let gp = grp.point;
        if votes > 0 {
            let grp = &mut self.groups[g as usize];
            grp.epoch = grp.epoch.wrapping_add(1);
            let epoch = grp.epoch;
            self.push(expiry, epoch, Target::Vote(g));
        }
        if on != self.hot[gp as usize].cond {
            self.set_cond(gp, on, ts, value, None, out);
        }
    }

    fn eval_groups_of(&mut self, s: u32, ts: Millis, out: &mut Vec<AlarmEvent>) {
        for gi in 0..self.sensors[s as usize].groups.len() {
            let g = self.sensors[s as usize].groups[gi];
            self.eval_group(g, ts, None, out);
        }
    }

    fn go_offline(&mut self, d: u32, ts: Millis, out: &mut Vec<AlarmEvent>) {
        self.devices[d as usize].offline = true;
        for si in 0..self.devices[d as usize].sensors.len() {
            let s = self.devices[d as usize].sensors[si];
            for p in self.sensors[s as usize].points() {
                self.points[p as usize].suppressed = true;
                if self.points[p as usize].occ.is_some() {
                    self.refresh(p);
                    self.emit(
                        p,
                        EventKind::Suppressed,
                        ts,
                        None,
                        None,
                        Some("device offline".into()),
                        out,
                    );
                }
            }
        }
        let dp = self.devices[d as usize].point;
        self.set_cond(dp, true, ts, None, None, out);
    }

    fn device_return(&mut self, d: u32, ts: Millis, out: &mut Vec<AlarmEvent>) {
        let dv = &mut self.devices[d as usize];
        dv.offline = false;
        dv.armed = true;
        let (dp, due) = (dv.point, ts + dv.offline_ms);
        self.push(due, 0, Target::Offline(d));
        self.set_cond(dp, false, ts, None, None, out);
        for si in 0..self.devices[d as usize].sensors.len() {
            let s = self.devices[d as usize].sensors[si];
            let sen = &mut self.shot[s as usize];
            // Its sensors get a fresh stale period from the return.
            sen.last_seen = sen.last_seen.max(ts);
            if sen.stale_ms > 0 && !sen.stale_armed {
                sen.stale_armed = true;
                let due = ts + sen.stale_ms;
                self.push(due, 0, Target::Stale(s));
            }
            if let Some(c) = self.sensors[s as usize].comm
                && self.hot[c as usize].cond
            {
                self.set_cond(c, false, ts, None, None, out);
            }
            for p in self.sensors[s as usize].points() {
                self.points[p as usize].suppressed = false;
                if self.points[p as usize].occ.is_some() {
                    self.refresh(p);
                    self.emit(p, EventKind::Unsuppressed, ts, None, None, None, out);
                }
                self.reconcile(p, ts, out);
            }
        }
    }

    fn fire(&mut self, t: Timer, out: &mut Vec<AlarmEvent>) {
        let ts = t.due;
        match t.target {
            Target::On(p) => {
                let pt = &self.points[p as usize];
                if pt.on_gen != t.epoch || self.hot[p as usize].cond || pt.on_since.is_none() {
                    return;
                }
                let s = pt.owner;
                if !self.shot[s as usize].window_open {
                    return;
                }
                let v = pt.last_value;
                self.set_cond(p, true, ts, v, None, out);
                self.eval_groups_of(s, ts, out);
            }
            Target::Off(p) => {
                let pt = &self.points[p as usize];
                if pt.off_gen != t.epoch || !self.hot[p as usize].cond || pt.off_since.is_none() {
                    return;
                }
                let (s, v) = (pt.owner, pt.last_value);
                self.set_cond(p, false, ts, v, None, out);
                self.eval_groups_of(s, ts, out);
            }
            Target::Esc(p) => {
                let pt = &mut self.points[p as usize];
                let Spec::Limit(LimitSpec {
                    escalate: Some((_, prio)),
                    ..
                }) = pt.spec
                else {
                    return;
                };
                if pt.esc_gen != t.epoch {
                    return;
                }
                if let Some(o) = pt.occ.as_deref_mut()
                    && o.active
                    && o.priority < prio
                {
                    o.priority = prio;
                    self.emit(p, EventKind::Escalated, ts, None, None, None, out);
                }
            }
            Target::Deesc(p) => {
                let pt = &mut self.points[p as usize];
                if pt.deesc_gen != t.epoch {
                    return;
                }
                let prio = pt.priority;
                if let Some(o) = pt.occ.as_deref_mut()
                    && o.active
                    && o.priority != prio
                {
                    o.priority = prio;
                    pt.deescalated = true;
                    self.emit(p, EventKind::Deescalated, ts, None, None, None, out);
                }
            }
            Target::Shelve(p) => {
                let pt = &self.points[p as usize];
                if pt.shelve_gen != t.epoch
                    || pt.occ.as_deref().is_none_or(|o| o.shelved_until.is_none())
                {
                    return;
                }
                self.unshelve(p, ts, None, out);
            }
            Target::Stale(s) => {
                let sen = &mut self.shot[s as usize];
                sen.stale_armed = false;
                let deadline = sen.last_seen.saturating_add(sen.stale_ms);
                if deadline > ts {
                    sen.stale_armed = true;
                    self.push(deadline, 0, Target::Stale(s));
                    return;
                }
                let (comm, d) = (sen.comm, sen.device);
                if d != NONE {
                    let dv = &self.devices[d as usize];
                    if !dv.offline && dv.last_seen.saturating_add(dv.offline_ms) <= ts {
                        self.go_offline(d, ts, out);
                    }
                }
                if comm != NONE && !self.hot[comm as usize].cond {
                    self.set_cond(comm, true, ts, None, None, out);
                }
            }
            Target::Offline(d) => {
                let dv = &mut self.devices[d as usize];
                dv.armed = false;
                if dv.offline {
                    return;
                }
                let deadline = dv.last_seen.saturating_add(dv.offline_ms);
                if deadline > ts {
                    dv.armed = true;
                    self.push(deadline, 0, Target::Offline(d));
                    return;
                }
                self.go_offline(d, ts, out);
            }
            Target::Sched(s) => {
                let Some(w) = &self.sensors[s as usize].window else {
                    return;
                };
                let open = w.contains(ts);
                let next = w.next_edge(ts);
                self.shot[s as usize].window_open = open;
                self.push(next, 0, Target::Sched(s));
                let procs: Vec<u32> = self.sensors[s as usize].process_points().collect();
                for p in procs {
                    let pt = &self.points[p as usize];
                    let h = self.hot[p as usize];
                    if open {
                        if h.cond || !h.raw_abn {
                            continue;
                        }
                        let ready = match pt.spec {
                            Spec::Limit(l) => match l.on {
                                Delay::None => true,
                                Delay::Samples(k) => pt.on_count >= k,
                                Delay::Ms(d) => {
                                    pt.on_since.is_some_and(|x| x.saturating_add(d) <= ts)
                                }
                            },
                            _ => true,
                        };
                        if ready {
                            let v = pt.last_value;
                            self.set_cond(p, true, ts, v, None, out);
                        }
                    } else if h.cond {
                        self.hot[p as usize].raw_abn = false;
                        self.set_cond(p, false, ts, None, Some("schedule"), out);
                    }
                }
                self.eval_groups_of(s, ts, out);
            }
            Target::Vote(g) => {
                if self.groups[g as usize].epoch != t.epoch {
                    return;
                }
                self.eval_group(g, ts, None, out);
            }
        }
    }
}
