//! Property tests over random reading sequences and random operator commands.

use anjian_alarm::{
    AlarmEvent, AlarmState, Command, Engine, EventKind, Quality, Reading, RuleSet, SensorIx,
};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Debug)]
enum Op {
    Read {
        sensor: u32,
        dt: i64,
        value: f64,
        bad: bool,
    },
    Advance {
        dt: i64,
    },
    Ack {
        pick: usize,
    },
    Close {
        pick: usize,
    },
    Shelve {
        pick: usize,
        for_ms: i64,
    },
    Unshelve {
        pick: usize,
    },
    Oos {
        sensor: u32,
    },
    Rts {
        sensor: u32,
    },
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(10.0),
        Just(9.0),
        Just(11.0),
        Just(90.0),
        Just(89.0),
        Just(91.0),
        Just(50.0),
        0.0f64..100.0,
        Just(150.0)
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (0u32..3, 0i64..4_000, value(), prop::bool::weighted(0.05)).prop_map(|(sensor, dt, value, bad)| Op::Read { sensor, dt, value, bad }),
        1 => (0i64..60_000).prop_map(|dt| Op::Advance { dt }),
        1 => any::<usize>().prop_map(|pick| Op::Ack { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Close { pick }),
        1 => (any::<usize>(), 1i64..30_000).prop_map(|(pick, for_ms)| Op::Shelve { pick, for_ms }),
        1 => any::<usize>().prop_map(|pick| Op::Unshelve { pick }),
        1 => (0u32..3).prop_map(|sensor| Op::Oos { sensor }),
        1 => (0u32..3).prop_map(|sensor| Op::Rts { sensor }),
    ]
}

fn rules(extra: &str, shelve: bool) -> RuleSet {
    let mut s = String::from("[chatter]\nraises = 3\nwindow = \"20s\"\n");
    if shelve {
        s.push_str("shelve_for = \"15s\"\n");
    }
    s.push_str("[[device]]\ncode = \"D\"\n");
    for i in 0..3 {
        s.push_str(&format!(
            "[[sensor]]\ncode = \"S{i}\"\ndevice = \"D\"\nrange = [0.0, 120.0]\nsampling_period = \"2s\"\nstale_after = 2\n\
             [[sensor.limit]]\nkind = \"high\"\nvalue = 90.0\npriority = \"high\"\n{extra}\
             [[sensor.limit]]\nkind = \"low\"\nvalue = 10.0\npriority = \"medium\"\n{extra}\
             [sensor.rate_of_change]\nlimit = 600.0\nwindow = \"10s\"\npriority = \"low\"\n"
        ));
    }
    s.push_str("[[group]]\ncode = \"G\"\nmembers = [\"S0\", \"S1\", \"S2\"]\ncondition = \"high\"\nk = 2\nwindow = \"5s\"\npriority = \"critical\"\n");
    RuleSet::from_toml(&s).expect("rules")
}

fn run(e: &mut Engine, ops: &[Op]) -> Vec<AlarmEvent> {
    let mut out = Vec::new();
    let mut now = 1_000_000i64;
    for o in ops {
        let open: Vec<u64> = e.active().map(|a| a.alarm_id).collect();
        let pick = |p: usize| open.get(p % open.len().max(1)).copied().unwrap_or(0);
        match o {
            Op::Read {
                sensor,
                dt,
                value,
                bad,
            } => {
                now += dt;
                let q = if *bad { Quality::Bad } else { Quality::Good };
                e.ingest(
                    Reading {
                        sensor: SensorIx(*sensor),
                        ts: now,
                        value: *value,
                        quality: q,
                    },
                    &mut out,
                );
            }
            Op::Advance { dt } => {
                now += dt;
                e.advance_to(now, &mut out);
            }
            Op::Ack { pick: p } => {
                let _ = e.command(
                    Command::Acknowledge {
                        alarm_id: pick(*p),
                        actor: "a".into(),
                        comment: "c".into(),
                    },
                    now,
                    &mut out,
                );
            }
            Op::Close { pick: p } => {
                let _ = e.command(
                    Command::Close {
                        alarm_id: pick(*p),
                        actor: "a".into(),
                        reason: "other".into(),
                    },
                    now,
                    &mut out,
                );
            }
            Op::Shelve { pick: p, for_ms } => {
                let _ = e.command(
                    Command::Shelve {
                        alarm_id: pick(*p),
                        actor: "a".into(),
                        until: now + for_ms,
                        comment: "c".into(),
                    },
                    now,
                    &mut out,
                );
            }
            Op::Unshelve { pick: p } => {
                let _ = e.command(
                    Command::Unshelve {
                        alarm_id: pick(*p),
                        actor: "a".into(),
                    },
                    now,
                    &mut out,
                );
            }
            Op::Oos { sensor } => {
                let _ = e.command(
                    Command::SetOutOfService {
                        source: format!("S{sensor}"),
                        condition: None,
                        actor: "a".into(),
                        comment: "c".into(),
                    },
                    now,
                    &mut out,
                );
            }
            Op::Rts { sensor } => {
                let _ = e.command(
                    Command::ReturnToService {
                        source: format!("S{sensor}"),
                        condition: None,
                        actor: "a".into(),
                    },
                    now,
                    &mut out,
                );
            }
        }
    }
    out
}

fn raises(ev: &[AlarmEvent]) -> usize {
    ev.iter().filter(|e| e.kind == EventKind::Raised).count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn lifecycle_invariants(ops in prop::collection::vec(op(), 1..300)) {
        let mut e = Engine::new(rules("", true)).expect("engine");
        let ev = run(&mut e, &ops);
        let mut last_id = 0u64;
        let mut raised = HashSet::new();
        let mut cleared = HashSet::new();
        let mut ended = HashSet::new();
        let mut open: HashMap<(String, anjian_alarm::Condition), u64> = HashMap::new();
        for x in &ev {
            let key = (x.source.to_string(), x.condition);
            if x.kind == EventKind::Raised {
                prop_assert!(x.alarm_id > last_id, "ids strictly increasing: {} after {}", x.alarm_id, last_id);
                last_id = x.alarm_id;
                raised.insert(x.alarm_id);
                prop_assert!(!open.contains_key(&key), "two open occurrences of {:?}", key);
                open.insert(key.clone(), x.alarm_id);
            } else {
                prop_assert!(raised.contains(&x.alarm_id), "{:?} without a raise", x.kind);
                prop_assert!(!ended.contains(&x.alarm_id), "{:?} after the occurrence ended", x.kind);
            }
            if x.kind == EventKind::Cleared {
                prop_assert!(cleared.insert(x.alarm_id), "second clear of {}", x.alarm_id);
            }
            if x.state == AlarmState::Normal {
                ended.insert(x.alarm_id);
                prop_assert_eq!(open.remove(&key), Some(x.alarm_id));
            }
        }
        // the engine agrees with the journal about what is open
        let mut held: Vec<u64> = e.active().map(|a| a.alarm_id).collect();
        let mut journal: Vec<u64> = open.values().copied().collect();
        held.sort_unstable();
        journal.sort_unstable();
        prop_assert_eq!(held, journal);
        // snapshot / restore is lossless for the open occurrences
        let st = e.snapshot();
        let r = Engine::restore(rules("", true), st.clone(), e.clock()).expect("restore");
        prop_assert_eq!(r.snapshot().alarms, st.alarms);
    }

    #[test]
    fn deadband_and_delays_never_add_raises(reads in prop::collection::vec((0u32..3, 1i64..4_000, value()), 1..300)) {
        let ops: Vec<Op> = reads.iter().map(|&(sensor, dt, value)| Op::Read { sensor, dt, value, bad: false }).collect();
        let count = |extra: &str| {
            let mut e = Engine::new(rules(extra, false)).expect("engine");
            let ev = run(&mut e, &ops);
            raises(&ev.into_iter().filter(|x| matches!(x.condition, anjian_alarm::Condition::High | anjian_alarm::Condition::Low)).collect::<Vec<_>>())
        };
        let base = count("");
        for extra in ["deadband = 3.0\n", "on_delay = \"3s\"\n", "on_delay_samples = 2\n", "off_delay = \"3s\"\n", "off_delay_samples = 2\n"] {
            let n = count(extra);
            prop_assert!(n <= base, "{} gave {} raises > {} without", extra.trim(), n, base);
        }
    }
}
