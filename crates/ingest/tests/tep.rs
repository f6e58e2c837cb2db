//! The Tennessee Eastman Process benchmark data replayed through the demo reactor unit's rules
//! (`tep::tep_rules()`), as `anjian replay --tep DIR --fault N` does.
//!
//! The data is not in the repository: it is read from `shared/data/tep` next to the checkout
//! (`CARGO_MANIFEST_DIR/../../../shared/data/tep`; for a checkout nested deeper, such as a git
//! worktree, the nearest ancestor holding `shared/data/tep`), or from `ANJIAN_TEP_DIR`. Without
//! it the tests are skipped with a note, except on CI (`CI` set), where they fail.

use anjian_alarm::{AlarmEvent, Condition, Engine, EventKind, Millis};
use anjian_ingest::replay::{event_line, parse_time, run};
use anjian_ingest::tep;
use std::path::{Path, PathBuf};

fn tep_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("ANJIAN_TEP_DIR") {
        return Some(PathBuf::from(d));
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let documented = manifest.join("../../../shared/data/tep");
    std::iter::once(documented)
        .chain(manifest.ancestors().map(|a| a.join("shared/data/tep")))
        .find(|d| d.join("d00_te.dat").is_file())
}

/// The data folder, or `None` (with a note) when it is missing outside CI.
fn data_or_skip(test: &str) -> Option<PathBuf> {
    match tep_dir() {
        Some(d) => Some(d),
        None if std::env::var_os("CI").is_some() => {
            panic!("{test}: TEP data missing on CI; {}", tep::DATA_HINT)
        }
        None => {
            eprintln!(
                "{test}: skipped, no TEP data in shared/data/tep (or ANJIAN_TEP_DIR); {}",
                tep::DATA_HINT
            );
            None
        }
    }
}

const START: &str = "2026-01-01T00:00:00Z";

fn replay_fault(dir: &Path, fault: u8) -> (tep::TepData, Vec<AlarmEvent>) {
    replay_data(tep::load(dir, fault).expect("TEP file"))
}

fn replay_data(data: tep::TepData) -> (tep::TepData, Vec<AlarmEvent>) {
    let mut engine = Engine::new(tep::tep_rules().expect("rules")).expect("engine");
    let start = parse_time(START).expect("start");
    let mut events = Vec::new();
    let stats = run(
        &mut engine,
        data.readings(start, tep::ROW_INTERVAL_MS),
        None,
        |e| events.push(e.clone()),
    );
    assert_eq!(
        stats.readings,
        (data.rows.len() * tep::SENSORS.len()) as u64
    );
    assert_eq!(
        (stats.unknown_sensor, stats.duplicate, stats.out_of_order),
        (0, 0, 0)
    );
    (data, events)
}

/// The simulated signal (the demo's stand-in when the data is missing) behaves like fault 6 for
/// the rules: exactly one alarm, the reactor pressure's `high`, raised near row 258 (as the real
/// data's row 258), never the 3000 kPa high-high; the A feed is lost after row 160. Normal
/// operation raises nothing. Runs without the data.
#[test]
fn simulated_signal_raises_the_reactor_pressure_high_like_fault6() {
    let (data, events) = replay_data(tep::simulated(6));
    assert_eq!(data.rows.len(), 960);
    let pt = 7 - 1;
    assert!(data.rows.iter().all(|r| r[pt] < 3000.0));
    assert!(
        data.rows[..=160]
            .iter()
            .all(|r| r[pt] < 2895.0 && r[0] > 0.2)
    );
    assert!(data.rows[161..].iter().all(|r| r[0] == 0.0));
    let raised: Vec<&AlarmEvent> = events
        .iter()
        .filter(|e| e.kind == EventKind::Raised)
        .collect();
    assert_eq!(
        raised.len(),
        1,
        "{:?}",
        raised.iter().map(|e| event_line(e)).collect::<Vec<_>>()
    );
    let e = raised[0];
    assert_eq!((&*e.source, e.condition), ("TEP-R101-PT", Condition::High));
    let start = parse_time(START).expect("start");
    let row = (e.ts - start) / tep::ROW_INTERVAL_MS;
    assert!((250..=266).contains(&row), "raised at row {row}");
    let value = e.value.expect("value");
    assert!((2895.0..2910.0).contains(&value), "{value}");
    assert_eq!(
        value,
        (value * 10.0).round() / 10.0,
        "one decimal, as in the data"
    );
    let (_, normal) = replay_data(tep::simulated(0));
    assert!(
        normal.is_empty(),
        "{} events in normal operation",
        normal.len()
    );
}

/// Fault 6 (A feed loss): the reactor pressure crosses its high limit (2895 kPa) for the first
/// time at row 259 (1-based): the `high` alarm is raised at that row's time with that row's value.
#[test]
fn fault6_reactor_pressure_high_at_row_259() {
    let Some(dir) = data_or_skip("fault6_reactor_pressure_high_at_row_259") else {
        return;
    };
    let (data, events) = replay_fault(&dir, 6);
    assert_eq!(data.rows.len(), 960);
    let col = tep::SENSORS
        .iter()
        .find(|s| s.code == "TEP-R101-PT")
        .expect("reactor pressure")
        .column;
    let row = 258; // 0-based index of row 259
    let value = data.rows[row][col - 1];
    assert!(value > 2895.0, "row 259 reads {value}");
    assert!(
        data.rows[..row].iter().all(|r| r[col - 1] <= 2895.0),
        "an earlier row is already above 2895 kPa"
    );
    let at: Millis = parse_time(START).expect("start") + 258 * tep::ROW_INTERVAL_MS;
    let highs: Vec<&AlarmEvent> = events
        .iter()
        .filter(|e| {
            &*e.source == "TEP-R101-PT"
                && e.condition == Condition::High
                && e.kind == EventKind::Raised
        })
        .collect();
    let first = highs.first().expect("reactor pressure high raised");
    assert_eq!(first.ts, at, "{}", event_line(first));
    assert_eq!(first.value, Some(value), "{}", event_line(first));
    assert_eq!(
        event_line(first),
        format!(
            "{{\"alarm_id\":{},\"sensor\":\"TEP-R101-PT\",\"limit\":\"high\",\"event\":\"raised\",\"time\":\"2026-01-01T12:54:00Z\",\"value\":{value:?},\"priority\":\"high\"}}",
            first.alarm_id
        )
    );
    // nothing of the reactor pressure before it
    assert!(
        events
            .iter()
            .filter(|e| &*e.source == "TEP-R101-PT")
            .all(|e| e.ts >= at)
    );
}

/// Normal operation (fault 0): no alarm at all over the 960 rows (48 h of plant time).
#[test]
fn fault0_normal_operation_raises_nothing() {
    let Some(dir) = data_or_skip("fault0_normal_operation_raises_nothing") else {
        return;
    };
    let (data, events) = replay_fault(&dir, 0);
    assert_eq!(data.rows.len(), 960);
    let lines: Vec<String> = events.iter().map(event_line).collect();
    assert!(lines.is_empty(), "{}", lines.join("\n"));
}
