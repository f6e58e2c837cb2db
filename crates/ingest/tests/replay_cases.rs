//! Replay-path tests of every case of `shared/reference/alarm-cases.md`: a rules file and a reading
//! file go through [`replay_csv`] (the function `anjian replay` uses), and the JSON lines it prints
//! ([`event_line`]) are compared, line by line and exactly, with the expected output.
//!
//! Fixtures live in `tests/cases/`: for case N `caseN.toml` (rules), `caseN.csv` (readings) and
//! `caseN.expected.jsonl`; variants of a case are `caseNb`, `caseNc`. The long sequences of cases
//! 8 and 9 are generated here into a temporary file, and so is their exact expected output (case
//! 8) or the exact event counts and the raise / clear pairing (case 9).
//!
//! `ANJIAN_BLESS=1 cargo test -p anjian-ingest --test replay_cases` rewrites the expected files
//! from the current output (review the diff before committing it).

use anjian_alarm::{Command, Engine, Millis, RuleSet};
use anjian_ingest::replay::{event_line, format_time, parse_time, replay_csv};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn rules(name: &str) -> RuleSet {
    let path = cases_dir().join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    RuleSet::from_toml(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn engine(name: &str) -> Engine {
    Engine::new(rules(name)).expect("engine")
}

/// Replays one reading file through `engine`; the printed lines.
fn replay(engine: &mut Engine, csv: &Path, until: Option<Millis>) -> Vec<String> {
    let file = File::open(csv).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    let mut out = Vec::new();
    replay_csv(engine, file, until, &mut out).unwrap_or_else(|e| panic!("{}: {e}", csv.display()));
    String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(str::to_string)
        .collect()
}

/// Compares with `caseN.expected.jsonl` line by line (or rewrites it with `ANJIAN_BLESS=1`).
fn check(name: &str, got: &[String]) {
    let path = cases_dir().join(format!("{name}.expected.jsonl"));
    if std::env::var_os("ANJIAN_BLESS").is_some() {
        let mut text = got.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("bless");
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let want: Vec<&str> = text.lines().collect();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{name}: line {} differs", i + 1);
    }
    assert_eq!(
        got.len(),
        want.len(),
        "{name}: {} lines, expected {}",
        got.len(),
        want.len()
    );
}

/// The plain cases: `caseN.toml` + `caseN.csv`, optionally advanced to `until` at the end.
fn run_case(name: &str, until: Option<&str>) -> Vec<String> {
    let until = until.map(|t| parse_time(t).expect("until"));
    let mut e = engine(name);
    let got = replay(&mut e, &cases_dir().join(format!("{name}.csv")), until);
    check(name, &got);
    got
}

fn count(lines: &[String], event: &str) -> usize {
    let pat = format!("\"event\":\"{event}\"");
    lines.iter().filter(|l| l.contains(&pat)).count()
}

#[test]
fn case1_hovering_with_deadband_one_raise() {
    let got = run_case("case1", None);
    assert_eq!(count(&got, "raised"), 1);
    assert_eq!(got.len(), 1);
}

#[test]
fn case1b_no_deadband_chattering_is_shelved() {
    let got = run_case("case1b", None);
    assert_eq!(count(&got, "chattering"), 2);
    assert_eq!(count(&got, "shelved"), 2);
}

#[test]
fn case1c_no_deadband_no_shelve_chattering_marked_once_per_occurrence() {
    let got = run_case("case1c", None);
    // 6 raises; the 3rd and every later one (3 raises within 60 s) get one `chattering` each
    assert_eq!(count(&got, "raised"), 6);
    assert_eq!(count(&got, "chattering"), 4);
    assert_eq!(count(&got, "shelved"), 0);
}

#[test]
fn case2_hysteresis() {
    run_case("case2", None);
}

#[test]
fn case3_exact_boundaries() {
    run_case("case3", None);
}

#[test]
fn case4_reoccurrence_is_a_new_alarm() {
    run_case("case4", None);
}

/// Case 4 with the operator's close by hand between two reading files replayed into one engine.
#[test]
fn case4b_closed_by_hand_then_new_alarm() {
    let mut e = engine("case4b");
    let dir = cases_dir();
    let mut got = replay(&mut e, &dir.join("case4b.csv"), None);
    let mut out = Vec::new();
    e.command(
        Command::Close {
            alarm_id: 1,
            actor: "op".into(),
            reason: "maintenance".into(),
        },
        parse_time("2026-01-01T00:00:05Z").expect("time"),
        &mut out,
    )
    .expect("close");
    got.extend(out.iter().map(event_line));
    got.extend(replay(&mut e, &dir.join("case4b.after-close.csv"), None));
    check("case4b", &got);
}

#[test]
fn case5_steady_condition_one_raise_in_six_hours() {
    let got = run_case("case5", Some("2026-01-01T06:00:30Z"));
    assert_eq!(got.len(), 1);
    assert_eq!(count(&got, "raised"), 1);
}

#[test]
fn case6_escalation_and_deescalation() {
    run_case("case6", None);
}

#[test]
fn case7_window_opens_on_abnormal_value() {
    run_case("case7", Some("2026-01-10T20:00:30+08:00"));
}

#[test]
fn case7b_window_across_midnight() {
    run_case("case7b", Some("2026-01-12T01:00:05+08:00"));
}

fn tmp_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}.csv", std::process::id()))
}

const T0: Millis = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// Case 8: 20,000 readings 100 ms apart, abnormal for 200 ms in every 700 ms. The whole expected
/// output is built here: per cycle the previous (cleared, unacknowledged) occurrence ends with
/// `closed` (superseded), the new one is raised, marked `chattering` from the 3rd raise on (3
/// within the default 60 s), and cleared 200 ms later.
#[test]
fn case8_thousands_of_cycles_every_raise_has_one_clear() {
    let n = 20_000i64;
    let value = |i: i64| if i < n && i % 7 < 2 { 20.0 } else { 0.0 };
    let csv = tmp_file("case8");
    {
        let mut w = BufWriter::new(File::create(&csv).expect("tmp"));
        writeln!(w, "ts,sensor,value").expect("write");
        for i in 0..=n {
            writeln!(w, "{},FT-801,{}", T0 + i * 100, value(i)).expect("write");
        }
    }
    let mut e = engine("case8");
    let got = replay(&mut e, &csv, None);
    std::fs::remove_file(&csv).ok();

    let line = |id: u64, event: &str, ts: Millis, v: Option<f64>, comment: Option<&str>| {
        let v = v.map_or("null".to_string(), |v| format!("{v:?}"));
        let c = comment.map_or(String::new(), |c| format!(",\"comment\":\"{c}\""));
        format!(
            "{{\"alarm_id\":{id},\"sensor\":\"FT-801\",\"limit\":\"high\",\"event\":\"{event}\",\"time\":\"{}\",\"value\":{v},\"priority\":\"low\"{c}}}",
            format_time(ts)
        )
    };
    let mut want = Vec::new();
    let mut id = 0u64;
    for i in (0..n).filter(|i| i % 7 == 0) {
        let t = T0 + i * 100;
        if id > 0 {
            want.push(line(id, "closed", t, None, Some("superseded")));
        }
        id += 1;
        want.push(line(id, "raised", t, Some(20.0), None));
        if id >= 3 {
            want.push(line(id, "chattering", t, Some(20.0), None));
        }
        // the last blip is cleared by the closing reading, 100 ms later
        let c = T0 + (i + 2).min(n) * 100;
        want.push(line(id, "cleared", c, Some(0.0), None));
    }
    assert_eq!(id, 2_858);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "case8: line {} differs", i + 1);
    }
    assert_eq!(got.len(), want.len());

    // and independently of the exact lines: every raise has exactly one clear, after it, and
    // there is no clear without a raise
    let mut raised: BTreeMap<u64, Millis> = BTreeMap::new();
    let mut cleared: BTreeMap<u64, Millis> = BTreeMap::new();
    for l in &got {
        let id = field(l, "alarm_id").parse::<u64>().expect("id");
        let t = parse_time(field(l, "time")).expect("time");
        match field(l, "event") {
            "raised" => assert!(raised.insert(id, t).is_none()),
            "cleared" => {
                let r = raised.get(&id).expect("clear without a raise");
                assert!(*r < t, "clear before its raise");
                assert!(cleared.insert(id, t).is_none(), "second clear");
            }
            _ => {}
        }
    }
    assert_eq!(raised.len(), 2_858);
    assert_eq!(cleared.len(), raised.len());
}

/// The text of a top-level field of an event line (strings without their quotes).
fn field<'a>(line: &'a str, name: &str) -> &'a str {
    let key = format!("\"{name}\":");
    let start = line
        .find(&key)
        .unwrap_or_else(|| panic!("{name} in {line}"))
        + key.len();
    let rest = &line[start..];
    if let Some(s) = rest.strip_prefix('"') {
        &s[..s.find('"').expect("closing quote")]
    } else {
        &rest[..rest.find([',', '}']).expect("end of value")]
    }
}

/// Case 9: the rules of `case9.toml` (one sensor) repeated for 1,000 sensors: 2,000 limit rules
/// plus sensor-fault and stale detection.
fn case9_rules(sensors: usize) -> RuleSet {
    let path = cases_dir().join("case9.toml");
    let template = std::fs::read_to_string(&path).expect("case9.toml");
    let (head, sensor) = template.split_at(template.find("[[sensor]]").expect("a sensor"));
    let mut text = head.to_string();
    for i in 0..sensors {
        text.push_str(&sensor.replace("S0000", &format!("S{i:04}")));
    }
    RuleSet::from_toml(&text).expect("case9 rules")
}

/// Case 9: 1,000 sensors read every 50 ms (20,000 readings per simulated second) for a simulated
/// minute (1.2 million readings). Sensor `i` has the phase `p = i % 119`; at step `k` it reads 95
/// (above its high limit) when `k % 240 == p`, 5 (below its low limit) when `k % 240 == p + 120`,
/// else 50: per sensor 5 high and 5 low blips of one reading (50 ms), 12 s apart (no chattering
/// with the 10 s window), none at the last step (`k % 240 == 239`), so each is cleared.
#[test]
fn case9_many_rules_high_rate_exact_counts_and_pairing() {
    let sensors = 1_000usize;
    let steps = 1_200i64;
    let rules = case9_rules(sensors);
    let limits: usize = rules.sensors.iter().map(|s| s.limits.len()).sum();
    assert_eq!(limits, 2_000);
    let csv = tmp_file("case9");
    let mut expect_raise: HashMap<(String, &str, Millis), ()> = HashMap::new();
    {
        let mut w = BufWriter::new(File::create(&csv).expect("tmp"));
        writeln!(w, "ts,sensor,value").expect("write");
        for k in 0..steps {
            let ts = T0 + k * 50;
            for i in 0..sensors {
                let (m, p) = (k % 240, i as i64 % 119);
                let (v, limit) = match m {
                    _ if m == p => (95, Some("high")),
                    _ if m == p + 120 => (5, Some("low")),
                    _ => (50, None),
                };
                writeln!(w, "{ts},S{i:04},{v}").expect("write");
                if let Some(limit) = limit {
                    expect_raise.insert((format!("S{i:04}"), limit, ts), ());
                }
            }
        }
    }
    let mut e = Engine::new(rules).expect("engine");
    let started = std::time::Instant::now();
    let got = replay(&mut e, &csv, None);
    let took = started.elapsed();
    std::fs::remove_file(&csv).ok();
    println!(
        "case9: {} readings, {} events, replayed (CSV parsing included, test profile) in {:.2} s",
        steps * sensors as i64,
        got.len(),
        took.as_secs_f64()
    );

    assert_eq!(count(&got, "raised"), 10_000);
    assert_eq!(count(&got, "cleared"), 10_000);
    // every raise but a sensor-limit's first supersedes the previous (cleared, unacknowledged) one
    assert_eq!(count(&got, "closed"), 8_000);
    assert_eq!(
        got.len(),
        28_000,
        "nothing else (no chattering, faults or stale)"
    );

    // each raise pairs with exactly one clear of the same id, 50 ms later (the next reading)
    let mut open: HashMap<u64, (String, String, Millis)> = HashMap::new();
    let mut last_id = 0u64;
    let mut pairs = 0usize;
    for l in &got {
        let id: u64 = field(l, "alarm_id").parse().expect("id");
        let t = parse_time(field(l, "time")).expect("time");
        match field(l, "event") {
            "raised" => {
                assert!(id > last_id, "ids strictly increase");
                last_id = id;
                let key = (field(l, "sensor").to_string(), field(l, "limit"), t);
                assert!(
                    expect_raise.remove(&(key.0.clone(), key.1, t)).is_some(),
                    "unexpected raise {l}"
                );
                open.insert(id, (key.0, key.1.to_string(), t));
            }
            "cleared" => {
                let (s, lim, r) = open.remove(&id).expect("a clear pairs with an open raise");
                assert_eq!((field(l, "sensor"), field(l, "limit")), (&*s, &*lim));
                assert_eq!(t, r + 50, "{l}");
                pairs += 1;
            }
            "closed" => assert_eq!(field(l, "comment"), "superseded"),
            other => panic!("unexpected event {other}: {l}"),
        }
    }
    assert!(open.is_empty(), "raises without a clear: {}", open.len());
    assert!(
        expect_raise.is_empty(),
        "missing raises: {}",
        expect_raise.len()
    );
    assert_eq!(pairs, 10_000);
}
