//! Throughput of `Engine::ingest`: 100,000 sensors with a high and a low limit (and stale
//! detection), round-robin readings one second apart per sensor, values mostly normal and about
//! 0.1 % crossing a limit. Prints readings per second on one core. `harness = false`.

use anjian_alarm::{
    Engine, LimitKind, LimitRule, Priority, Quality, Reading, RuleSet, SensorIx, SensorRule,
};
use std::time::Instant;

fn main() {
    let n: u32 = 100_000;
    let rounds: i64 = 200;
    let mut rules = RuleSet::default();
    for i in 0..n {
        rules.sensors.push(SensorRule {
            code: format!("S{i:06}"),
            sampling_period: anjian_alarm::Duration(1_000),
            stale_after: 3,
            limits: vec![
                LimitRule::new(LimitKind::High, 90.0, Priority::High),
                LimitRule::new(LimitKind::Low, 10.0, Priority::Medium),
            ],
            ..SensorRule::default()
        });
    }
    let mut engine = Engine::new(rules).expect("rules");
    let mut out = Vec::with_capacity(1024);
    let t0: i64 = 1_767_225_600_000;
    let mut events = 0usize;
    // warm-up round
    for i in 0..n {
        engine.ingest(
            Reading {
                sensor: SensorIx(i),
                ts: t0,
                value: 50.0,
                quality: Quality::Good,
            },
            &mut out,
        );
    }
    let start = Instant::now();
    for r in 1..=rounds {
        let ts = t0 + r * 1_000;
        for i in 0..n {
            let k = (i as i64).wrapping_mul(7919).wrapping_add(r * 13) % 1000;
            let value = match k {
                0 => 95.0,
                1 => 5.0,
                _ => 50.0 + (k % 7) as f64,
            };
            engine.ingest(
                Reading {
                    sensor: SensorIx(i),
                    ts,
                    value,
                    quality: Quality::Good,
                },
                &mut out,
            );
            if out.len() > 512 {
                events += out.len();
                out.clear();
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    events += out.len();
    let total = (rounds * n as i64) as f64;
    println!(
        "engine/ingest: {} sensors x {} rounds = {:.0} readings in {:.3} s -> {:.2} M readings/s/core ({:.1} ns/reading, {:.3} CPU-s per million); {} events",
        n,
        rounds,
        total,
        secs,
        total / secs / 1e6,
        secs * 1e9 / total,
        secs / (total / 1e6),
        events
    );
}
