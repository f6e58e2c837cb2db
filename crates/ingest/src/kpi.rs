//! Alarm-system KPIs (EEMUA 191 / ISA-18.2) over stored alarm events: the stored rows are turned
//! back into engine events and handed to [`anjian_alarm::kpi::compute`].

use anjian_alarm::kpi::{KpiInput, Kpis};
use anjian_alarm::{AlarmEvent, AlarmState, EventKind, Millis, Priority};
use anjian_store::{AlarmRow, EventWithAlarm};
use std::collections::HashMap;
use std::sync::Arc;

/// KPIs of `[from, to)` at `now`.
///
/// * `events` — the stored events of the period with their alarms' identity;
/// * `open` — alarms not yet ended (those raised before `from` count for "stale", not for rates);
/// * `areas` — plant area per sensor code (`-` when absent).
///
/// Rows whose enum columns do not parse (never written by the engine) are skipped.
pub fn compute(
    events: &[EventWithAlarm],
    open: &[AlarmRow],
    areas: &HashMap<String, String>,
    from: Millis,
    to: Millis,
    now: Millis,
) -> Kpis {
    let mut list: Vec<AlarmEvent> = events
        .iter()
        .filter_map(|e| {
            Some(AlarmEvent {
                alarm_id: u64::try_from(e.event.alarm_id).ok()?,
                source_kind: e.source_kind.parse().ok()?,
                source: Arc::from(e.source.as_str()),
                condition: e.condition.parse().ok()?,
                kind: e.event.kind.parse().ok()?,
                ts: e.event.ts,
                value: e.event.value,
                priority: e.event.priority.parse().ok()?,
                state: e.event.state.parse().ok()?,
                actor: None,
                comment: None,
            })
        })
        .collect();
    for a in open.iter().filter(|a| a.started_at < from) {
        let (Ok(id), Ok(kind), Ok(condition)) = (
            u64::try_from(a.id),
            a.source_kind.parse(),
            a.condition.parse(),
        ) else {
            continue;
        };
        let priority = a.priority.parse().unwrap_or(Priority::Medium);
        let base = AlarmEvent {
            alarm_id: id,
            source_kind: kind,
            source: Arc::from(a.source.as_str()),
            condition,
            kind: EventKind::Raised,
            ts: a.started_at,
            value: a.first_value,
            priority,
            state: AlarmState::Unacknowledged,
            actor: None,
            comment: None,
        };
        if let Some(c) = a.cleared_at.filter(|_| !a.active) {
            list.push(AlarmEvent {
                kind: EventKind::Cleared,
                ts: c,
                state: AlarmState::ReturnedUnacknowledged,
                ..base.clone()
            });
        }
        list.push(base);
    }
    let area_of = |code: &str| areas.get(code).cloned();
    anjian_alarm::kpi::compute(&KpiInput {
        events: &list,
        area_of: &area_of,
        from,
        to,
        now,
    })
}
