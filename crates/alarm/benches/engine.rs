//! Throughput of `Engine::ingest`: 100,000 sensors with a high and a low limit (and stale
//! detection), round-robin readings one second apart per sensor, values mostly normal and about
//! 0.1 % crossing a limit. `harness = false`.
//!
//! Prints readings per second per core and CPU-seconds per million readings. The engine runs on
//! this one thread, so the CPU time is the thread's own: read from `/proc/thread-self/schedstat`
//! (nanoseconds on CPU, Linux); where that file is missing the wall time of `std::time::Instant`
//! is used instead (and the output says so). The wall time is printed as well; on a shared,
//! busy machine it overstates the cost, the CPU time does not.
//!
//! `ANJIAN_BENCH_SENSORS` / `ANJIAN_BENCH_ROUNDS` override the size (defaults 100,000 and 200),
//! e.g. for a short run under a profiler.

use anjian_alarm::{
    Engine, LimitKind, LimitRule, Priority, Quality, Reading, RuleSet, SensorIx, SensorRule,
};
use std::time::Instant;

/// CPU time of the calling thread in seconds, if the kernel exposes it.
fn thread_cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n: u32 = env_or("ANJIAN_BENCH_SENSORS", 100_000);
    let rounds: i64 = env_or("ANJIAN_BENCH_ROUNDS", 200);
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
    let cpu0 = thread_cpu_secs();
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
    let wall = start.elapsed().as_secs_f64();
    let (cpu, how) = match (cpu0, thread_cpu_secs()) {
        (Some(a), Some(b)) => (b - a, "thread CPU time"),
        _ => (wall, "wall time, no /proc/thread-self/schedstat"),
    };
    events += out.len();
    let total = (rounds * n as i64) as f64;
    println!(
        "engine/ingest: {n} sensors x {rounds} rounds = {total:.0} readings; {events} events\n  \
         {:.2} M readings/s/core ({:.1} ns/reading, {:.3} CPU-s per million readings) [{how}: {cpu:.3} s]\n  \
         wall {wall:.3} s -> {:.2} M readings/s",
        total / cpu / 1e6,
        cpu * 1e9 / total,
        cpu / (total / 1e6),
        total / wall / 1e6,
    );
}
