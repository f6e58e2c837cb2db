//! EEMUA 191 / ISA-18.2 alarm-system KPIs over a list of events (pure).

use crate::{AlarmEvent, Condition, EventKind, Millis};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Length of one KPI period: 10 minutes in ms.
pub const PERIOD_MS: Millis = 600_000;
/// A 10-minute period with more than this many raises is a flood.
pub const FLOOD_RAISES: u64 = 10;
/// Chattering: at least this many raises of one source and condition ...
pub const CHATTER_RAISES: usize = 3;
/// ... within this window (ms).
pub const CHATTER_WINDOW_MS: Millis = 60_000;
/// An alarm active longer than this (ms) at `now` is stale.
pub const STALE_MS: Millis = 86_400_000;

/// Input of [`compute`].
pub struct KpiInput<'a> {
    /// Events, any order; only those with `from <= ts < to` count (except for `stale`).
    pub events: &'a [AlarmEvent],
    /// Area of a source code (`None` -> area `"-"`).
    pub area_of: &'a dyn Fn(&str) -> Option<String>,
    /// Start of the range, UTC epoch ms (inclusive).
    pub from: Millis,
    /// End of the range, UTC epoch ms (exclusive).
    pub to: Millis,
    /// Reference time for stale alarms, UTC epoch ms.
    pub now: Millis,
}

/// The KPIs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Kpis {
    /// Per area (`"-"` = none): average raises per 10-min period over `[from, to)`, and the peak in one period.
    /// Sorted by area.
    pub alarms_per_10min_by_area: Vec<(String, f64, u64)>,
    /// % of the 10-min periods of `[from, to)` (aligned to `from`) with more than 10 raises (all areas).
    pub flood_percent: f64,
    /// Chattering source+condition pairs with their raise count in the range: >= 3 raises within 60 s,
    /// or any `chattering` event. Sorted by raises descending, then source.
    pub chattering: Vec<(String, Condition, u64)>,
    /// Alarms raised, not ended (no `closed`, no ack after clear / clear after ack ...) and active for
    /// more than 24 h at `now`: (alarm id, source, condition, started). Derived from the events
    /// (all events, not only the range). Sorted by start.
    pub stale: Vec<(u64, String, Condition, Millis)>,
    /// The 10 source+condition pairs with the most raises (ties by source).
    pub top10: Vec<(String, Condition, u64)>,
    /// Raises in the range.
    pub total_raises: u64,
}

/// Compute the KPIs.
pub fn compute(input: &KpiInput) -> Kpis {
    let mut ev: Vec<&AlarmEvent> = input.events.iter().collect();
    ev.sort_by_key(|e| (e.ts, e.alarm_id));
    let periods = if input.to > input.from {
        ((input.to - input.from + PERIOD_MS - 1) / PERIOD_MS) as usize
    } else {
        0
    };
    let mut all = vec![0u64; periods];
    let mut by_area: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut area_cache: HashMap<&str, String> = HashMap::new();
    let mut raises: HashMap<(&str, Condition), Vec<Millis>> = HashMap::new();
    let mut chatter_flag: HashMap<(&str, Condition), bool> = HashMap::new();
    let mut total = 0u64;
    for e in ev.iter().filter(|e| e.ts >= input.from && e.ts < input.to) {
        let key = (&*e.source, e.condition);
        match e.kind {
            EventKind::Raised => {
                total += 1;
                let ix = ((e.ts - input.from) / PERIOD_MS) as usize;
                all[ix] += 1;
                let area = area_cache
                    .entry(&e.source)
                    .or_insert_with(|| (input.area_of)(&e.source).unwrap_or_else(|| "-".into()))
                    .clone();
                by_area.entry(area).or_insert_with(|| vec![0; periods])[ix] += 1;
                raises.entry(key).or_default().push(e.ts);
            }
            EventKind::Chattering => {
                chatter_flag.insert(key, true);
            }
            _ => {}
        }
    }
    let alarms_per_10min_by_area = by_area
        .into_iter()
        .map(|(a, v)| {
            let sum: u64 = v.iter().sum();
            (
                a,
                sum as f64 / periods.max(1) as f64,
                v.iter().copied().max().unwrap_or(0),
            )
        })
        .collect();
    let flood = all.iter().filter(|&&n| n > FLOOD_RAISES).count();
    let flood_percent = if periods == 0 {
        0.0
    } else {
        flood as f64 * 100.0 / periods as f64
    };
    let mut chattering = Vec::new();
    let mut top: Vec<(String, Condition, u64)> = Vec::new();
    for (k, ts) in &raises {
        let n = ts.len() as u64;
        let chat = chatter_flag.contains_key(k)
            || ts
                .windows(CHATTER_RAISES)
                .any(|w| w[CHATTER_RAISES - 1] - w[0] <= CHATTER_WINDOW_MS);
        if chat {
            chattering.push((k.0.to_string(), k.1, n));
        }
        top.push((k.0.to_string(), k.1, n));
    }
    for k in chatter_flag.keys() {
        if !raises.contains_key(k) {
            chattering.push((k.0.to_string(), k.1, 0));
        }
    }
    let ord = |a: &(String, Condition, u64), b: &(String, Condition, u64)| {
        b.2.cmp(&a.2)
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| a.1.as_str().cmp(b.1.as_str()))
    };
    chattering.sort_by(ord);
    top.sort_by(ord);
    top.truncate(10);
    // Stale: replay all events per alarm id.
    struct St<'a> {
        source: &'a str,
        cond: Condition,
        started: Millis,
        active: bool,
        ended: bool,
    }
    let mut st: BTreeMap<u64, St> = BTreeMap::new();
    for e in &ev {
        if e.ts > input.now {
            continue;
        }
        if e.kind == EventKind::Raised {
            st.insert(
                e.alarm_id,
                St {
                    source: &e.source,
                    cond: e.condition,
                    started: e.ts,
                    active: true,
                    ended: false,
                },
            );
            continue;
        }
        let Some(s) = st.get_mut(&e.alarm_id) else {
            continue;
        };
        if e.kind == EventKind::Cleared {
            s.active = false;
        }
        if e.state == crate::AlarmState::Normal {
            s.ended = true;
        }
    }
    let mut stale: Vec<(u64, String, Condition, Millis)> = st
        .into_iter()
        .filter(|(_, s)| s.active && !s.ended && input.now - s.started > STALE_MS)
        .map(|(id, s)| (id, s.source.to_string(), s.cond, s.started))
        .collect();
    stale.sort_by_key(|x| (x.3, x.0));
    Kpis {
        alarms_per_10min_by_area,
        flood_percent,
        chattering,
        stale,
        top10: top,
        total_raises: total,
    }
}
