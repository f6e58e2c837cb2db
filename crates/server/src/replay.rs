//! `anjian replay`: the alarm engine offline, in event time, over a reading file or the Tennessee
//! Eastman data (see `docs/alarms.md`).

use anjian_alarm::{Engine, RuleSet};
use anjian_ingest::replay::{ReplayError, event_line, parse_time, replay_csv, run};
use anjian_ingest::tep;
use std::io::Write;
use std::path::Path;

/// Default start time of a TEP replay (row 1).
pub const TEP_START: &str = "2026-01-01T00:00:00Z";

/// Reads and validates a rules file (TOML, or JSON when the name ends in `.json`).
///
/// # Errors
/// A message naming the file and the problem.
pub fn load_rules(path: &Path) -> Result<RuleSet, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the rules file {}: {e}", path.display()))?;
    let rules = if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        RuleSet::from_json(&text)
    } else {
        RuleSet::from_toml(&text)
    };
    rules.map_err(|e| format!("rules file {}: {e}", path.display()))
}

/// Replays `readings` (CSV) against `rules`, writing JSON lines to standard output.
///
/// # Errors
/// A message for an unreadable or invalid file; every bad row is listed.
pub fn replay_file(rules: &Path, readings: &Path, until: Option<&str>) -> Result<String, String> {
    let rules = load_rules(rules)?;
    let until = until
        .map(parse_time)
        .transpose()
        .map_err(|e| format!("--until: {e}"))?;
    let mut engine = Engine::new(rules).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(readings)
        .map_err(|e| format!("cannot read the reading file {}: {e}", readings.display()))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = replay_csv(&mut engine, std::io::BufReader::new(file), until, &mut out);
    let _ = out.flush();
    match result {
        Ok(s) => Ok(summary(&s)),
        Err(ReplayError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(String::new()),
        Err(e) => Err(format!("{}: {e}", readings.display())),
    }
}

/// Replays the TEP test file of `fault` through the demo reactor unit's rules.
///
/// # Errors
/// A message when the data is missing (saying where to get it) or malformed.
pub fn replay_tep(dir: &Path, fault: u8, start: Option<&str>) -> Result<String, String> {
    let data = tep::load(dir, fault).map_err(|e| e.to_string())?;
    let start = parse_time(start.unwrap_or(TEP_START)).map_err(|e| format!("--start: {e}"))?;
    let rules = tep::tep_rules().map_err(|e| e.to_string())?;
    let mut engine = Engine::new(rules).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut broken = false;
    let stats = run(
        &mut engine,
        data.readings(start, tep::ROW_INTERVAL_MS),
        None,
        |e| {
            if !broken && writeln!(out, "{}", event_line(e)).is_err() {
                broken = true;
            }
        },
    );
    let _ = out.flush();
    Ok(summary(&stats))
}

fn summary(s: &anjian_ingest::replay::ReplayStats) -> String {
    format!(
        "{} readings, {} alarm events ({} unknown sensor, {} duplicate, {} out of order)",
        s.readings, s.events, s.unknown_sensor, s.duplicate, s.out_of_order
    )
}
