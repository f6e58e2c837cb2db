//! The cases of `shared/reference/alarm-cases.md` and the boundary / feature tests, each with the
//! exact expected event list.

use anjian_alarm::kpi::{KpiInput, compute};
use anjian_alarm::{
    AlarmEvent, AlarmState, Command, Condition, Disposition, Engine, EventKind, Millis, Priority,
    Quality, Reading, RuleSet,
};
use chrono::TimeZone;

type Row = (EventKind, Millis, u64, Priority, Option<f64>);

fn eng(toml: &str) -> Engine {
    Engine::new(RuleSet::from_toml(toml).expect("rules")).expect("engine")
}

fn rd(
    e: &mut Engine,
    code: &str,
    ts: Millis,
    value: f64,
    out: &mut Vec<AlarmEvent>,
) -> Disposition {
    let sensor = e.sensor_ix(code).expect("sensor");
    e.ingest(
        Reading {
            sensor,
            ts,
            value,
            quality: Quality::Good,
        },
        out,
    )
}

fn rows(v: &[AlarmEvent]) -> Vec<Row> {
    v.iter()
        .map(|e| (e.kind, e.ts, e.alarm_id, e.priority, e.value))
        .collect()
}

use EventKind::*;
use Priority::*;

const S: Millis = 1_000;
const MIN: Millis = 60_000;

// ---- case 1: hovering at the threshold

#[test]
fn case1_deadband_pct_one_raise_in_an_hour() {
    let mut e = eng(r#"
[[sensor]]
code = "T"
range = [0.0, 100.0]
sampling_period = "10s"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 70.0
priority = "high"
deadband_pct = 2.0
"#);
    let mut out = Vec::new();
    for i in 0..360 {
        let v = if i % 2 == 0 { 69.9 } else { 70.1 };
        assert_eq!(
            rd(&mut e, "T", i * 10 * S, v, &mut out),
            Disposition::Accepted
        );
    }
    assert_eq!(rows(&out), vec![(Raised, 10 * S, 1, High, Some(70.1))]);
}

#[test]
fn case1_no_deadband_chattering_is_shelved_and_reported() {
    let mut e = eng(r#"
[chatter]
raises = 3
window = "60s"
shelve_for = "10m"
[[sensor]]
code = "T"
area = "tank-farm"
sampling_period = "10s"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 70.0
priority = "high"
"#);
    let mut out = Vec::new();
    for i in 0..=70 {
        let v = if i % 2 == 0 { 69.9 } else { 70.1 };
        rd(&mut e, "T", i * 10 * S, v, &mut out);
    }
    let c = |k, t, id, v| (k, t * S, id, High, v);
    assert_eq!(
        rows(&out),
        vec![
            c(Raised, 10, 1, Some(70.1)),
            c(Cleared, 20, 1, Some(69.9)),
            c(Closed, 30, 1, None),
            c(Raised, 30, 2, Some(70.1)),
            c(Cleared, 40, 2, Some(69.9)),
            c(Closed, 50, 2, None),
            c(Raised, 50, 3, Some(70.1)),
            c(Chattering, 50, 3, Some(70.1)),
            c(Shelved, 50, 3, None),
            // shelved 10 minutes: nothing; at expiry the condition is normal (last 69.9 at 640 s)
            c(Unshelved, 650, 3, None),
            c(Raised, 650, 4, Some(70.1)),
            c(Cleared, 660, 4, Some(69.9)),
            c(Closed, 670, 4, None),
            c(Raised, 670, 5, Some(70.1)),
            c(Cleared, 680, 5, Some(69.9)),
            c(Closed, 690, 5, None),
            c(Raised, 690, 6, Some(70.1)),
            c(Chattering, 690, 6, Some(70.1)),
            c(Shelved, 690, 6, None),
        ]
    );
    assert_eq!(out[2].comment.as_deref(), Some("superseded"));
    assert_eq!(out[8].comment.as_deref(), Some("chattering"));
    assert_eq!(out[9].state, AlarmState::Normal);
    let area = |s: &str| (s == "T").then(|| "tank-farm".to_string());
    let k = compute(&KpiInput {
        events: &out,
        area_of: &area,
        from: 0,
        to: 20 * MIN,
        now: 20 * MIN,
    });
    assert_eq!(k.total_raises, 6);
    assert_eq!(k.chattering, vec![("T".to_string(), Condition::High, 6)]);
    assert_eq!(k.top10, vec![("T".to_string(), Condition::High, 6)]);
    assert_eq!(
        k.alarms_per_10min_by_area,
        vec![("tank-farm".to_string(), 3.0, 3)]
    );
    assert_eq!(k.flood_percent, 0.0);
}

/// Case 1 without a deadband and without auto-shelve: the detector only marks. Every raise that
/// completes `raises` raises within `window` emits exactly one `chattering` event for its
/// occurrence and marks it (`ActiveAlarm::chattering`); nothing is shelved; the KPIs report it.
#[test]
fn case1_no_deadband_no_shelve_chattering_marked_once_per_occurrence() {
    let mut e = eng(r#"
[chatter]
raises = 3
window = "60s"
[[sensor]]
code = "T"
area = "tank-farm"
sampling_period = "10s"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 70.0
priority = "high"
"#);
    let mut out = Vec::new();
    for i in 0..=11 {
        let v = if i % 2 == 0 { 69.9 } else { 70.1 };
        rd(&mut e, "T", i * 10 * S, v, &mut out);
    }
    let c = |k, t, id, v| (k, t * S, id, High, v);
    let mut want = Vec::new();
    for id in 1..=6u64 {
        let t = 10 + 20 * (id as i64 - 1);
        if id > 1 {
            want.push(c(Closed, t, id - 1, None));
        }
        want.push(c(Raised, t, id, Some(70.1)));
        if id >= 3 {
            want.push(c(Chattering, t, id, Some(70.1)));
        }
        if id < 6 {
            want.push(c(Cleared, t + 10, id, Some(69.9)));
        }
    }
    assert_eq!(rows(&out), want);
    assert!(out.iter().all(|x| x.kind != Shelved));
    // exactly once per occurrence
    for id in 1..=6u64 {
        let n = out
            .iter()
            .filter(|x| x.kind == Chattering && x.alarm_id == id)
            .count();
        assert_eq!(n, usize::from(id >= 3), "alarm {id}");
    }
    // the open occurrence is marked, not shelved
    let a = e.alarm(6).expect("open");
    assert!(a.chattering);
    assert_eq!(a.state, AlarmState::Unacknowledged);
    assert_eq!(a.shelved_until, None);
    let area = |s: &str| (s == "T").then(|| "tank-farm".to_string());
    let k = compute(&KpiInput {
        events: &out,
        area_of: &area,
        from: 0,
        to: 10 * MIN,
        now: 10 * MIN,
    });
    assert_eq!(k.total_raises, 6);
    assert_eq!(k.chattering, vec![("T".to_string(), Condition::High, 6)]);
    // an alarm that is not chattering (raises 40 s apart with a 30 s window) is not reported
    let mut q = eng(
        "[chatter]\nwindow = \"30s\"\n[[sensor]]\ncode = \"Q\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = 70.0\npriority = \"high\"\n",
    );
    let mut out = Vec::new();
    for i in 0..=7 {
        let v = if i % 2 == 0 { 69.9 } else { 70.1 };
        rd(&mut q, "Q", i * 20 * S, v, &mut out);
    }
    assert_eq!(out.iter().filter(|x| x.kind == Raised).count(), 4);
    assert!(out.iter().all(|x| x.kind != Chattering));
}

// ---- case 2: hysteresis

#[test]
fn case2_hysteresis() {
    let mut e = eng(r#"
[[sensor]]
code = "T"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 23.0
priority = "medium"
deadband = 1.0
"#);
    let mut out = Vec::new();
    for (i, v) in [21.0, 23.5, 22.5, 21.5].into_iter().enumerate() {
        rd(&mut e, "T", i as i64 * S, v, &mut out);
    }
    assert_eq!(
        rows(&out),
        vec![
            (Raised, S, 1, Medium, Some(23.5)),
            (Cleared, 3 * S, 1, Medium, Some(21.5))
        ]
    );
}

// ---- case 3: exact boundaries

const BAND: &str = r#"
[[sensor]]
code = "P"
stale_after = 0
[[sensor.limit]]
kind = "low"
value = 4000.0
priority = "medium"
[[sensor.limit]]
kind = "high"
value = 5000.0
priority = "high"
"#;

#[test]
fn case3_band_boundaries_same_state_from_both_sides() {
    let mut a = eng(BAND);
    let mut out = Vec::new();
    rd(&mut a, "P", 0, 4001.0, &mut out);
    rd(&mut a, "P", S, 4000.0, &mut out);
    assert!(out.is_empty());
    assert_eq!(a.active().count(), 0);

    let mut b = eng(BAND);
    rd(&mut b, "P", 0, 3999.0, &mut out);
    rd(&mut b, "P", S, 4000.0, &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, Medium, Some(3999.0)),
            (Cleared, S, 1, Medium, Some(4000.0))
        ]
    );
    assert!(b.active().all(|x| !x.active));
    out.clear();
    rd(&mut b, "P", 2 * S, 5000.0, &mut out);
    assert!(out.is_empty());
    rd(&mut b, "P", 3 * S, 5000.001, &mut out);
    rd(&mut b, "P", 4 * S, 5000.0, &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 3 * S, 2, High, Some(5000.001)),
            (Cleared, 4 * S, 2, High, Some(5000.0))
        ]
    );
}

/// Every limit kind at its value, with and without deadband, from both sides.
#[test]
fn boundaries_every_limit_kind() {
    for kind in ["high", "high_high", "low", "low_low"] {
        let high = kind.starts_with("high");
        let sgn = if high { 1.0 } else { -1.0 };
        let l = 100.0;
        for db in [0.0, 5.0] {
            let rules = format!(
                "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"{kind}\"\nvalue = {l:?}\npriority = \"low\"\ndeadband = {db:?}\n"
            );
            // from the normal side: equal is normal
            let mut e = eng(&rules);
            let mut out = Vec::new();
            rd(&mut e, "X", 0, l - sgn, &mut out);
            rd(&mut e, "X", S, l, &mut out);
            assert!(
                out.is_empty(),
                "{kind} db {db}: equal from the normal side raised"
            );
            // crossing strictly raises
            rd(&mut e, "X", 2 * S, l + sgn * 0.001, &mut out);
            assert_eq!(
                rows(&out),
                vec![(Raised, 2 * S, 1, Low, Some(l + sgn * 0.001))],
                "{kind} {db}"
            );
            out.clear();
            // back to the limit from the abnormal side
            rd(&mut e, "X", 3 * S, l, &mut out);
            if db == 0.0 {
                assert_eq!(
                    rows(&out),
                    vec![(Cleared, 3 * S, 1, Low, Some(l))],
                    "{kind}"
                );
            } else {
                assert!(out.is_empty(), "{kind}: inside the deadband must hold");
                let edge_in = l - sgn * (db - 0.001);
                rd(&mut e, "X", 4 * S, edge_in, &mut out);
                assert!(out.is_empty(), "{kind}: just inside the deadband must hold");
                let edge = l - sgn * db;
                rd(&mut e, "X", 5 * S, edge, &mut out);
                assert_eq!(
                    rows(&out),
                    vec![(Cleared, 5 * S, 1, Low, Some(edge))],
                    "{kind}: clear is inclusive at limit -/+ deadband"
                );
            }
        }
    }
}

// ---- case 4: re-occurrence is a new alarm

#[test]
fn case4_close_by_hand_then_new_alarm() {
    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\n",
    );
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    e.command(
        Command::Close {
            alarm_id: 1,
            actor: "op".into(),
            reason: "maintenance".into(),
        },
        5 * S,
        &mut out,
    )
    .expect("close");
    rd(&mut e, "X", 10 * S, 12.0, &mut out); // still abnormal: latched, nothing
    rd(&mut e, "X", 20 * S, 5.0, &mut out); // normal: latch released, nothing to clear
    rd(&mut e, "X", 30 * S, 11.0, &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, High, Some(11.0)),
            (Closed, 5 * S, 1, High, None),
            (Raised, 30 * S, 2, High, Some(11.0))
        ]
    );
    assert_eq!(out[1].actor.as_deref(), Some("op"));
    assert_eq!(out[1].comment.as_deref(), Some("maintenance"));
    assert_eq!(out[1].state, AlarmState::Normal);
    assert!(e.alarm(1).is_none());
    assert_eq!(e.alarm(2).map(|a| a.started_at), Some(30 * S));
    assert_eq!(
        e.command(
            Command::Acknowledge {
                alarm_id: 1,
                actor: "op".into(),
                comment: String::new()
            },
            31 * S,
            &mut out
        ),
        Err(anjian_alarm::CommandError::UnknownAlarm(1))
    );
}

// ---- case 5: steady condition

#[test]
fn case5_six_hours_above_one_raise() {
    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nsampling_period = \"1m\"\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\n",
    );
    let mut out = Vec::new();
    for i in 0..=360 {
        rd(&mut e, "X", i * MIN, 10.5 + (i % 3) as f64, &mut out);
    }
    e.advance_to(360 * MIN + 30 * S, &mut out);
    assert_eq!(rows(&out), vec![(Raised, 0, 1, High, Some(10.5))]);
}

// ---- case 6: escalation / de-escalation

#[test]
fn case6_escalation_and_deescalation() {
    let mut e = eng(r#"
[[sensor]]
code = "X"
sampling_period = "10s"
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "medium"
off_delay = "5m"
escalate = { after = "1m", priority = "critical" }
deescalate_after = "2m"
"#);
    let mut out = Vec::new();
    for i in 0..=60 {
        let t = i * 10 * S;
        rd(
            &mut e,
            "X",
            t,
            if t < 90 * S { 60.0 } else { 40.0 },
            &mut out,
        );
    }
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, Medium, Some(60.0)),
            (Escalated, MIN, 1, Critical, None),
            (Deescalated, 90 * S + 2 * MIN, 1, Medium, None),
            (Cleared, 90 * S + 5 * MIN, 1, Medium, Some(40.0)),
        ]
    );
}

/// After a de-escalation the value is abnormal again before the off-delay clears the alarm: the
/// escalation is armed again, `escalate.after` from that reading (docs/alarms.md, Escalation).
#[test]
fn escalation_rearmed_after_deescalation_when_abnormal_again() {
    let mut e = eng(r#"
[[sensor]]
code = "X"
sampling_period = "10s"
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "medium"
off_delay = "5m"
escalate = { after = "1m", priority = "critical" }
deescalate_after = "2m"
"#);
    let mut out = Vec::new();
    // abnormal 0..90 s, normal 90..240 s, abnormal 240..330 s, normal from 330 s
    for i in 0..=120 {
        let t = i * 10 * S;
        let v = if t < 90 * S || (240 * S..330 * S).contains(&t) {
            60.0
        } else {
            40.0
        };
        rd(&mut e, "X", t, v, &mut out);
    }
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, Medium, Some(60.0)),
            (Escalated, MIN, 1, Critical, None),
            (Deescalated, 90 * S + 2 * MIN, 1, Medium, None),
            // abnormal again at 240 s (the pending clear is cancelled): escalated 1 min later
            (Escalated, 240 * S + MIN, 1, Critical, None),
            (Deescalated, 330 * S + 2 * MIN, 1, Medium, None),
            (Cleared, 330 * S + 5 * MIN, 1, Medium, Some(40.0)),
        ]
    );
}

/// Before a first escalation, a cancelled clear does not restart the escalation timer: the alarm
/// has been active throughout and escalates `escalate.after` from its raise.
#[test]
fn escalation_not_restarted_by_a_cancelled_clear_before_escalating() {
    let mut e = eng(r#"
[[sensor]]
code = "X"
sampling_period = "10s"
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "medium"
off_delay = "5m"
escalate = { after = "1m", priority = "critical" }
deescalate_after = "2m"
"#);
    let mut out = Vec::new();
    for (t, v) in [(0, 60.0), (20, 40.0), (40, 60.0), (50, 60.0), (70, 60.0)] {
        rd(&mut e, "X", t * S, v, &mut out);
    }
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, Medium, Some(60.0)),
            (Escalated, MIN, 1, Critical, None),
        ]
    );
}

// ---- case 7: schedule window opening on an abnormal value (crossing midnight)

fn sh(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Millis {
    chrono_tz::Asia::Shanghai
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("time")
        .timestamp_millis()
}

const NIGHT: &str = r#"
timezone = "Asia/Shanghai"
[[sensor]]
code = "G"
stale_after = 0
schedule = { start = "20:00", end = "05:00" }
[[sensor.limit]]
kind = "high"
value = 25.0
priority = "high"
on_delay = "1s"
"#;

#[test]
fn case7_window_opens_on_abnormal_value() {
    let mut e = eng(NIGHT);
    let mut out = Vec::new();
    rd(&mut e, "G", sh(2026, 1, 10, 19, 59, 59), 30.0, &mut out);
    e.advance_to(sh(2026, 1, 10, 20, 0, 30), &mut out);
    assert_eq!(
        rows(&out),
        vec![(Raised, sh(2026, 1, 10, 20, 0, 0), 1, High, Some(30.0))]
    );
}

#[test]
fn case7_window_crossing_midnight_raise_hold_and_close() {
    let mut e = eng(NIGHT);
    let mut out = Vec::new();
    // abnormal long before the window: on-delay elapsed outside, raised exactly at the opening
    rd(&mut e, "G", sh(2026, 1, 10, 12, 0, 0), 30.0, &mut out);
    rd(&mut e, "G", sh(2026, 1, 10, 19, 50, 0), 31.0, &mut out);
    assert!(out.is_empty());
    // across midnight: stays active, no events
    rd(&mut e, "G", sh(2026, 1, 10, 23, 59, 59), 32.0, &mut out);
    rd(&mut e, "G", sh(2026, 1, 11, 0, 0, 1), 33.0, &mut out);
    rd(&mut e, "G", sh(2026, 1, 11, 4, 0, 0), 34.0, &mut out);
    e.advance_to(sh(2026, 1, 11, 6, 0, 0), &mut out);
    // outside the window an abnormal value raises nothing
    rd(&mut e, "G", sh(2026, 1, 11, 12, 0, 0), 40.0, &mut out);
    // normal before the next opening: nothing raised at 20:00
    rd(&mut e, "G", sh(2026, 1, 11, 19, 0, 0), 20.0, &mut out);
    e.advance_to(sh(2026, 1, 11, 21, 0, 0), &mut out);
    // abnormal inside the window after midnight: on-delay 1 s from the reading
    rd(&mut e, "G", sh(2026, 1, 12, 1, 0, 0), 26.0, &mut out);
    e.advance_to(sh(2026, 1, 12, 1, 0, 5), &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Raised, sh(2026, 1, 10, 20, 0, 0), 1, High, Some(31.0)),
            (Cleared, sh(2026, 1, 11, 5, 0, 0), 1, High, None),
            // the cleared, unacknowledged occurrence ends when a new one is raised
            (Closed, sh(2026, 1, 12, 1, 0, 1), 1, High, None),
            (Raised, sh(2026, 1, 12, 1, 0, 1), 2, High, Some(26.0)),
        ]
    );
    assert_eq!(out[1].comment.as_deref(), Some("schedule"));
}

// ---- case 8: thousands of sub-second cycles

#[test]
fn case8_every_raise_has_exactly_one_clear() {
    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nsampling_period = \"100ms\"\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"low\"\n",
    );
    let mut out = Vec::new();
    for i in 0..20_000i64 {
        let v = if i % 7 < 2 { 20.0 } else { 0.0 };
        rd(&mut e, "X", i * 100, v, &mut out);
        let first = e.active().map(|a| a.alarm_id).next();
        if i % 50 == 0
            && let Some(id) = first
        {
            let _ = e.command(
                Command::Acknowledge {
                    alarm_id: id,
                    actor: "op".into(),
                    comment: "ok".into(),
                },
                i * 100,
                &mut out,
            );
        }
    }
    rd(&mut e, "X", 20_000 * 100, 0.0, &mut out);
    let mut raised = std::collections::BTreeSet::new();
    let mut cleared = std::collections::BTreeSet::new();
    for ev in &out {
        match ev.kind {
            Raised => assert!(raised.insert(ev.alarm_id)),
            Cleared => {
                assert!(raised.contains(&ev.alarm_id), "clear without raise");
                assert!(cleared.insert(ev.alarm_id), "second clear");
            }
            _ => {}
        }
    }
    assert_eq!(raised.len(), 20_000usize.div_ceil(7));
    assert_eq!(cleared.len(), raised.len());
}

// ---- delays

#[test]
fn on_delay_duration_and_samples() {
    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\non_delay = \"10s\"\n",
    );
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    rd(&mut e, "X", 5 * S, 11.0, &mut out);
    rd(&mut e, "X", 8 * S, 9.0, &mut out); // cancels
    rd(&mut e, "X", 20 * S, 11.0, &mut out);
    rd(&mut e, "X", 25 * S, 12.0, &mut out);
    e.advance_to(40 * S, &mut out);
    assert_eq!(rows(&out), vec![(Raised, 30 * S, 1, High, Some(12.0))]);

    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"low\"\nvalue = 10.0\npriority = \"high\"\non_delay_samples = 3\n",
    );
    let mut out = Vec::new();
    for (i, v) in [9.0, 9.0, 11.0, 9.0, 9.0, 8.0, 7.0].into_iter().enumerate() {
        rd(&mut e, "X", i as i64 * S, v, &mut out);
    }
    assert_eq!(rows(&out), vec![(Raised, 5 * S, 1, High, Some(8.0))]);
}

#[test]
fn off_delay_duration_and_samples() {
    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\noff_delay = \"10s\"\n",
    );
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    rd(&mut e, "X", 2 * S, 9.0, &mut out);
    rd(&mut e, "X", 5 * S, 11.0, &mut out); // cancels the pending clear
    rd(&mut e, "X", 6 * S, 9.0, &mut out);
    rd(&mut e, "X", 7 * S, 8.0, &mut out);
    e.advance_to(30 * S, &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, High, Some(11.0)),
            (Cleared, 16 * S, 1, High, Some(8.0))
        ]
    );

    let mut e = eng(
        "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\noff_delay_samples = 2\n",
    );
    let mut out = Vec::new();
    for (i, v) in [11.0, 9.0, 11.0, 9.0, 8.0].into_iter().enumerate() {
        rd(&mut e, "X", i as i64 * S, v, &mut out);
    }
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, High, Some(11.0)),
            (Cleared, 4 * S, 1, High, Some(8.0))
        ]
    );
}

// ---- rate of change

#[test]
fn rate_of_change_rise() {
    let mut e = eng(r#"
[[sensor]]
code = "X"
stale_after = 0
[sensor.rate_of_change]
limit = 10.0
window = "1m"
direction = "rise"
priority = "medium"
"#);
    let mut out = Vec::new();
    for (t, v) in [
        (0, 0.0),
        (10, 1.0),
        (20, 2.0),
        (30, 10.0),
        (40, 10.0),
        (50, 10.0),
        (60, 10.0),
        (70, 0.0),
    ] {
        rd(&mut e, "X", t * S, v, &mut out);
    }
    // 30 s: (10-0)/0.5 min = 20/min > 10; 60 s: (10-0)/1 min = 10 -> clears (<=); a fall does not count
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 30 * S, 1, Medium, Some(20.0)),
            (Cleared, 60 * S, 1, Medium, Some(10.0))
        ]
    );
}

// ---- stale, sensor fault

#[test]
fn stale_and_sensor_fault() {
    let mut e = eng(r#"
[[sensor]]
code = "X"
range = [0.0, 100.0]
sampling_period = "10s"
stale_after = 3
fault_priority = "low"
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "high"
"#);
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 1.0, &mut out);
    e.advance_to(30 * S - 1, &mut out);
    assert!(out.is_empty());
    e.advance_to(30 * S, &mut out);
    rd(&mut e, "X", 35 * S, 1.0, &mut out);
    rd(&mut e, "X", 40 * S, 101.0, &mut out); // out of range: sensor fault, not a high alarm
    let x = e.sensor_ix("X").expect("ix");
    e.ingest(
        Reading {
            sensor: x,
            ts: 45 * S,
            value: 60.0,
            quality: Quality::Bad,
        },
        &mut out,
    );
    rd(&mut e, "X", 50 * S, 60.0, &mut out); // good: fault clears, high raised
    let r: Vec<_> = out
        .iter()
        .map(|e| (e.kind, e.ts, e.alarm_id, e.condition, e.priority))
        .collect();
    assert_eq!(
        r,
        vec![
            (Raised, 30 * S, 1, Condition::CommunicationFault, Low),
            (Cleared, 35 * S, 1, Condition::CommunicationFault, Low),
            (Raised, 40 * S, 2, Condition::SensorFault, Low),
            (Cleared, 50 * S, 2, Condition::SensorFault, Low),
            (Raised, 50 * S, 3, Condition::High, High),
        ]
    );
}

// ---- device offline

#[test]
fn device_offline_one_alarm_suppresses_and_returns() {
    let mut e = eng(r#"
[[device]]
code = "DTU"
[[sensor]]
code = "A"
device = "DTU"
sampling_period = "10s"
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "high"
[[sensor]]
code = "B"
device = "DTU"
sampling_period = "10s"
[[sensor]]
code = "C"
device = "DTU"
sampling_period = "10s"
"#);
    let mut out = Vec::new();
    rd(&mut e, "A", 0, 60.0, &mut out);
    rd(&mut e, "B", 0, 1.0, &mut out);
    rd(&mut e, "C", 0, 1.0, &mut out);
    e.advance_to(10 * MIN, &mut out);
    rd(&mut e, "B", 10 * MIN, 1.0, &mut out);
    let r: Vec<_> = out
        .iter()
        .map(|e| (e.kind, e.ts, e.alarm_id, &*e.source, e.condition, e.state))
        .collect();
    assert_eq!(
        r,
        vec![
            (
                Raised,
                0,
                1,
                "A",
                Condition::High,
                AlarmState::Unacknowledged
            ),
            (
                Suppressed,
                30 * S,
                1,
                "A",
                Condition::High,
                AlarmState::Suppressed
            ),
            (
                Raised,
                30 * S,
                2,
                "DTU",
                Condition::DeviceOffline,
                AlarmState::Unacknowledged
            ),
            (
                Cleared,
                10 * MIN,
                2,
                "DTU",
                Condition::DeviceOffline,
                AlarmState::ReturnedUnacknowledged
            ),
            (
                Unsuppressed,
                10 * MIN,
                1,
                "A",
                Condition::High,
                AlarmState::Unacknowledged
            ),
        ]
    );
}

// ---- voting

const VOTE: &str = r#"
[[sensor]]
code = "G1"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "low"
[[sensor]]
code = "G2"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "low"
[[sensor]]
code = "G3"
stale_after = 0
[[sensor.limit]]
kind = "high"
value = 50.0
priority = "low"
[[group]]
code = "AREA"
members = ["G1", "G2", "G3"]
condition = "high"
k = 2
window = "10s"
priority = "critical"
"#;

#[test]
fn voting_2oo3_inside_window() {
    let mut e = eng(VOTE);
    let mut out = Vec::new();
    rd(&mut e, "G1", 0, 60.0, &mut out);
    rd(&mut e, "G2", 5 * S, 60.0, &mut out);
    e.advance_to(20 * S, &mut out);
    let r: Vec<_> = out
        .iter()
        .map(|e| (e.kind, e.ts, e.alarm_id, &*e.source, e.priority))
        .collect();
    assert_eq!(
        r,
        vec![
            (Raised, 0, 1, "G1", Low),
            (Raised, 5 * S, 2, "G2", Low),
            (Raised, 5 * S, 3, "AREA", Critical),
            // G1's latest reading (t=0) is older than 10 s from 10.001 s: only one vote left
            (Cleared, 10 * S + 1, 3, "AREA", Critical),
        ]
    );
}

#[test]
fn voting_2oo3_outside_window() {
    let mut e = eng(VOTE);
    let mut out = Vec::new();
    rd(&mut e, "G1", 0, 60.0, &mut out);
    rd(&mut e, "G2", 15 * S, 60.0, &mut out);
    let r: Vec<_> = out.iter().map(|e| (e.kind, e.ts, &*e.source)).collect();
    assert_eq!(r, vec![(Raised, 0, "G1"), (Raised, 15 * S, "G2")]);
    // G1 reports again while still high: two fresh votes
    rd(&mut e, "G1", 16 * S, 61.0, &mut out);
    assert_eq!(
        rows(&out[2..]),
        vec![(Raised, 16 * S, 3, Critical, Some(61.0))]
    );
}

// ---- shelve, out of service

const ONE: &str = "[[sensor]]\ncode = \"X\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\n";

#[test]
fn shelve_expiry_raises_new_occurrence() {
    let mut e = eng(ONE);
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    e.command(
        Command::Shelve {
            alarm_id: 1,
            actor: "op".into(),
            until: MIN,
            comment: "work".into(),
        },
        S,
        &mut out,
    )
    .expect("shelve");
    rd(&mut e, "X", 10 * S, 5.0, &mut out);
    rd(&mut e, "X", 30 * S, 12.0, &mut out);
    e.advance_to(2 * MIN, &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, High, Some(11.0)),
            (Shelved, S, 1, High, None),
            (Unshelved, MIN, 1, High, None),
            (Raised, MIN, 2, High, Some(12.0))
        ]
    );
    assert_eq!(out[1].state, AlarmState::Shelved);
    assert_eq!(out[2].state, AlarmState::Normal);
}

#[test]
fn out_of_service_and_return() {
    let mut e = eng(ONE);
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    e.command(
        Command::SetOutOfService {
            source: "X".into(),
            condition: None,
            actor: "op".into(),
            comment: "calibration".into(),
        },
        S,
        &mut out,
    )
    .expect("oos");
    rd(&mut e, "X", 2 * S, 5.0, &mut out);
    rd(&mut e, "X", 3 * S, 15.0, &mut out);
    e.command(
        Command::ReturnToService {
            source: "X".into(),
            condition: None,
            actor: "op".into(),
        },
        4 * S,
        &mut out,
    )
    .expect("rts");
    assert_eq!(
        rows(&out),
        vec![
            (Raised, 0, 1, High, Some(11.0)),
            (EventKind::OutOfService, S, 1, High, None),
            (ReturnedToService, 4 * S, 1, High, None),
            (Raised, 4 * S, 2, High, Some(15.0)),
        ]
    );
    assert_eq!(out[1].state, AlarmState::OutOfService);
    assert_eq!(
        e.command(
            Command::ReturnToService {
                source: "nope".into(),
                condition: None,
                actor: "op".into()
            },
            5 * S,
            &mut out
        ),
        Err(anjian_alarm::CommandError::UnknownSource("nope".into()))
    );
}

// ---- restore

#[test]
fn restore_after_restart() {
    let rules = "[[sensor]]\ncode = \"X\"\nsampling_period = \"10s\"\nstale_after = 3\n[[sensor.limit]]\nkind = \"high\"\nvalue = 10.0\npriority = \"high\"\n";
    let mut e = eng(rules);
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    e.command(
        Command::Acknowledge {
            alarm_id: 1,
            actor: "op".into(),
            comment: "seen".into(),
        },
        S,
        &mut out,
    )
    .expect("ack");
    let st = e.snapshot();
    let json = serde_json::to_string(&st).expect("json");
    let st: anjian_alarm::EngineState = serde_json::from_str(&json).expect("json");
    out.clear();
    let now = 60 * MIN;
    let mut e =
        Engine::restore(RuleSet::from_toml(rules).expect("rules"), st, now).expect("restore");
    assert_eq!(e.alarm(1).map(|a| a.state), Some(AlarmState::Acknowledged));
    e.advance_to(now + 29 * S, &mut out);
    assert!(
        out.is_empty(),
        "no stale raise before fresh readings had a chance: {out:?}"
    );
    assert_eq!(rd(&mut e, "X", 0, 1.0, &mut out), Disposition::Duplicate);
    rd(&mut e, "X", now + 29 * S, 12.0, &mut out); // still abnormal: no second raise
    assert!(out.is_empty());
    rd(&mut e, "X", now + 30 * S, 1.0, &mut out);
    rd(&mut e, "X", now + 31 * S, 11.0, &mut out);
    assert_eq!(
        rows(&out),
        vec![
            (Cleared, now + 30 * S, 1, High, Some(1.0)),
            (Raised, now + 31 * S, 2, High, Some(11.0))
        ]
    );
    assert_eq!(out[0].state, AlarmState::Normal);
}

/// A device alarm closed by hand while the device is offline latches it; after a restart the device
/// is still offline and its sensors' alarms stay suppressed (found by the lifecycle proptest).
#[test]
fn restore_keeps_a_latched_offline_device_suppressing() {
    let rules = "[[device]]\ncode = \"D\"\n[[sensor]]\ncode = \"A\"\ndevice = \"D\"\nsampling_period = \"10s\"\n[[sensor.limit]]\nkind = \"high\"\nvalue = 50.0\npriority = \"high\"\n";
    let mut e = eng(rules);
    let mut out = Vec::new();
    rd(&mut e, "A", 0, 60.0, &mut out);
    e.advance_to(MIN, &mut out);
    let dev = out
        .iter()
        .find(|x| x.condition == Condition::DeviceOffline)
        .map(|x| x.alarm_id)
        .expect("device offline raised");
    e.command(
        Command::Close {
            alarm_id: dev,
            actor: "op".into(),
            reason: "maintenance".into(),
        },
        2 * MIN,
        &mut out,
    )
    .expect("close");
    let st = e.snapshot();
    assert_eq!(
        st.latched,
        vec![("D".to_string(), Condition::DeviceOffline)]
    );
    assert_eq!(e.alarm(1).map(|a| a.state), Some(AlarmState::Suppressed));
    out.clear();
    let mut r = Engine::restore(
        RuleSet::from_toml(rules).expect("rules"),
        st.clone(),
        3 * MIN,
    )
    .expect("restore");
    assert_eq!(r.snapshot().alarms, st.alarms);
    // a reading returns the device: nothing to clear (closed), then the sensor is unsuppressed
    rd(&mut r, "A", 4 * MIN, 60.0, &mut out);
    assert_eq!(
        out.iter().map(|x| (x.kind, x.alarm_id)).collect::<Vec<_>>(),
        vec![(Unsuppressed, 1)]
    );
    assert_eq!(
        r.alarm(1).map(|a| a.state),
        Some(AlarmState::Unacknowledged)
    );
}

// ---- input policy

#[test]
fn duplicates_and_out_of_order_are_dropped() {
    let mut e = eng(ONE);
    let mut out = Vec::new();
    assert_eq!(
        rd(&mut e, "X", 10 * S, 5.0, &mut out),
        Disposition::Accepted
    );
    assert_eq!(
        rd(&mut e, "X", 10 * S, 50.0, &mut out),
        Disposition::Duplicate
    );
    assert_eq!(
        rd(&mut e, "X", 9 * S, 50.0, &mut out),
        Disposition::OutOfOrder
    );
    assert!(out.is_empty());
    assert_eq!(
        rd(&mut e, "X", 11 * S, 50.0, &mut out),
        Disposition::Accepted
    );
    assert_eq!(rows(&out), vec![(Raised, 11 * S, 1, High, Some(50.0))]);
}

// ---- replace rules

#[test]
fn replace_rules_keeps_state_and_closes_removed() {
    let mut e = eng(&format!(
        "{ONE}[[sensor]]\ncode = \"Y\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"low\"\nvalue = 0.0\npriority = \"low\"\n"
    ));
    let mut out = Vec::new();
    rd(&mut e, "X", 0, 11.0, &mut out);
    rd(&mut e, "Y", 0, -1.0, &mut out);
    out.clear();
    e.replace_rules(RuleSet::from_toml(ONE).expect("rules"), S, &mut out)
        .expect("replace");
    assert_eq!(rows(&out), vec![(Closed, S, 2, Low, None)]);
    assert_eq!(out[0].comment.as_deref(), Some("rule removed"));
    assert_eq!(e.alarm(1).map(|a| a.active), Some(true));
    out.clear();
    rd(&mut e, "X", 2 * S, 12.0, &mut out);
    rd(&mut e, "X", 3 * S, 1.0, &mut out);
    assert_eq!(rows(&out), vec![(Cleared, 3 * S, 1, High, Some(1.0))]);
}

// ---- rules file

#[test]
fn rules_errors_name_the_field() {
    let err = |s: &str| RuleSet::from_toml(s).expect_err("must fail").to_string();
    assert!(err("[[sensor]]\ncode = \"X\"\nbogus = 1\n").contains("bogus"));
    assert!(
        err("[[sensor]]\ncode = \"X\"\nsampling_period = \"10 parsecs\"\n")
            .contains("unit must be")
    );
    let e = err(
        "[[sensor]]\ncode = \"X\"\n[[sensor.limit]]\nkind = \"high\"\nvalue = 1.0\npriority = \"low\"\ndeadband_pct = 2.0\n",
    );
    assert!(
        e.contains("sensor X") && e.contains("limit high") && e.contains("deadband_pct"),
        "{e}"
    );
    assert!(err("[[sensor]]\ncode = \"X\"\ndevice = \"D\"\n").contains("unknown device `D`"));
    assert!(
        err("[[sensor]]\ncode = \"X\"\n[[sensor]]\ncode = \"X\"\n").contains("sensor X: duplicate")
    );
    let e = err(&VOTE.replace("k = 2", "k = 4"));
    assert!(e.contains("group AREA") && e.contains("k must"), "{e}");
    let e = err(
        "[[sensor]]\ncode = \"X\"\nschedule = { start = \"20:00\", end = \"05:00\", timezone = \"Mars/Base\" }\n",
    );
    assert!(e.contains("schedule.timezone"), "{e}");
    let j = RuleSet::from_json(r#"{"sensor":[{"code":"X","sampling_period":"500ms","limit":[{"kind":"low_low","value":1.0,"priority":"critical","on_delay":"2h"}]}]}"#)
        .expect("json");
    assert_eq!(j.sensors()[0].sampling_period.0, 500);
    assert_eq!(
        j.sensors()[0].limits[0].on_delay.map(|d| d.0),
        Some(7_200_000)
    );
    assert!(RuleSet::from_json(r#"{"sensor":[{"code":"X","x":1}]}"#).is_err());
    assert_eq!(
        anjian_alarm::Duration::parse("1d"),
        Ok(anjian_alarm::Duration(86_400_000))
    );
}

#[test]
fn kpi_flood_and_stale() {
    let mut e = eng(ONE);
    let mut out = Vec::new();
    // 12 raises in the first 10 minutes (a flood), none in the second
    for i in 0..12 {
        rd(&mut e, "X", i * 20 * S, 11.0, &mut out);
        rd(&mut e, "X", i * 20 * S + 10 * S, 1.0, &mut out);
    }
    rd(&mut e, "X", 5 * MIN, 11.0, &mut out);
    let area = |_: &str| None;
    let k = compute(&KpiInput {
        events: &out,
        area_of: &area,
        from: 0,
        to: 20 * MIN,
        now: 25 * 60 * MIN,
    });
    assert_eq!(k.total_raises, 13);
    assert_eq!(k.flood_percent, 50.0);
    assert_eq!(k.alarms_per_10min_by_area, vec![("-".to_string(), 6.5, 13)]);
    assert_eq!(
        k.stale,
        vec![(13, "X".to_string(), Condition::High, 5 * MIN)]
    );
}

/// "No reading for N sampling periods": a reading exactly N periods after the previous one is in
/// time (no communication fault raised and cleared at the same instant); one millisecond later
/// is not. The same holds for a device's offline deadline.
#[test]
fn a_reading_exactly_at_the_stale_deadline_is_in_time() {
    let mut e = eng(r#"
[[sensor]]
code = "X"
sampling_period = "5s"
stale_after = 3
"#);
    let mut out = Vec::new();
    rd(&mut e, "X", 5 * S, 1.0, &mut out);
    rd(&mut e, "X", 20 * S, 1.0, &mut out); // exactly 3 periods later
    rd(&mut e, "X", 35 * S, 1.0, &mut out);
    assert!(out.is_empty(), "{:?}", rows(&out));
    rd(&mut e, "X", 50 * S + 1, 1.0, &mut out); // 15.001 s: stale by 1 ms
    let r: Vec<_> = out.iter().map(|e| (e.kind, e.ts, e.condition)).collect();
    assert_eq!(
        r,
        vec![
            (Raised, 50 * S, Condition::CommunicationFault),
            (Cleared, 50 * S + 1, Condition::CommunicationFault),
        ]
    );

    let mut e = eng(r#"
[[device]]
code = "D"
offline_after = "20s"
[[sensor]]
code = "Y"
device = "D"
sampling_period = "5s"
stale_after = 0
"#);
    let mut out = Vec::new();
    rd(&mut e, "Y", 0, 1.0, &mut out);
    rd(&mut e, "Y", 20 * S, 1.0, &mut out); // exactly the 20 s later
    assert!(out.is_empty(), "{:?}", rows(&out));
    rd(&mut e, "Y", 40 * S + 1, 1.0, &mut out);
    let r: Vec<_> = out.iter().map(|e| (e.kind, e.ts, e.condition)).collect();
    assert_eq!(
        r,
        vec![
            (Raised, 40 * S, Condition::DeviceOffline),
            (Cleared, 40 * S + 1, Condition::DeviceOffline),
        ]
    );
}
