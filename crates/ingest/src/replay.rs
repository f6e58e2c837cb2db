//! Offline replay and back-testing: a CSV reading file evaluated against a rule set in event time
//! by the same [`Engine`] that runs live, printing the alarm events as JSON lines.
//!
//! Reading file: CSV with the header `ts,sensor,value` and an optional fourth column `quality`
//! (`good` / `bad`, default good). `ts` is RFC 3339 (`2026-01-01T08:00:00+08:00`) or epoch
//! milliseconds (`1767225600000`). Rows are fed in file order; per sensor, a row not later than the
//! previous one is dropped as a duplicate or out-of-order reading, as live ingestion does.

use anjian_alarm::{AlarmEvent, Disposition, Engine, Millis, Quality, Reading};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::io::{Read, Write};

/// One row of a reading file, before the sensor code is resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReading {
    /// Event time, UTC epoch milliseconds.
    pub ts: Millis,
    /// Sensor code.
    pub sensor: String,
    /// Measured value in the sensor's unit.
    pub value: f64,
    /// Quality flag.
    pub quality: Quality,
}

/// A problem with a reading file or its output.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Rows that could not be read; every bad row is listed (line numbers are 1-based, the header
    /// is line 1). The good rows were still evaluated.
    #[error("{} bad row(s) in the reading file:\n{}", .0.len(), .0.join("\n"))]
    BadRows(Vec<String>),
    /// The file has no `ts,sensor,value` header.
    #[error(
        "the reading file must start with the header `ts,sensor,value` (optionally `,quality`), found `{0}`"
    )]
    Header(String),
    /// Reading the input or writing the output failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

/// Counts of one replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReplayStats {
    /// Rows read and evaluated.
    pub readings: u64,
    /// Rows whose sensor is not in the rule set (skipped).
    pub unknown_sensor: u64,
    /// Rows dropped as duplicates (same time as the sensor's previous reading).
    pub duplicate: u64,
    /// Rows dropped as out of order (earlier than the sensor's previous reading).
    pub out_of_order: u64,
    /// Alarm events written.
    pub events: u64,
}

/// Parses a time as RFC 3339 or as integer epoch milliseconds.
///
/// # Errors
/// A message naming the accepted forms.
pub fn parse_time(s: &str) -> Result<Millis, String> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Ok(ms);
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_millis())
        .map_err(|_| {
            format!("`{s}` is neither RFC 3339 (2026-01-01T08:00:00+08:00) nor epoch milliseconds")
        })
}

/// Formats epoch milliseconds as RFC 3339 UTC (fractional seconds only when not whole).
pub fn format_time(ms: Millis) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_else(|| ms.to_string())
}

/// The JSON line of one event: `{"alarm_id","sensor","limit","event","time","value","priority"}`
/// (`sensor` is the source code: a sensor, device or voting group; `limit` the condition).
pub fn event_line(e: &AlarmEvent) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        alarm_id: u64,
        sensor: &'a str,
        limit: &'a str,
        event: &'a str,
        time: String,
        value: Option<f64>,
        priority: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        comment: Option<&'a str>,
    }
    let line = Line {
        alarm_id: e.alarm_id,
        sensor: &e.source,
        limit: e.condition.as_str(),
        event: e.kind.as_str(),
        time: format_time(e.ts),
        value: e.value,
        priority: e.priority.as_str(),
        comment: e.comment.as_deref(),
    };
    serde_json::to_string(&line).unwrap_or_default()
}

/// Parses one CSV record (without the header) into a reading.
fn parse_record(rec: &csv::StringRecord) -> Result<ReplayReading, String> {
    let field = |i: usize, name: &str| {
        rec.get(i)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("column `{name}` is missing"))
    };
    let ts = parse_time(field(0, "ts")?)?;
    let sensor = field(1, "sensor")?.to_string();
    let raw = field(2, "value")?;
    let value: f64 = raw
        .parse()
        .map_err(|_| format!("value `{raw}` is not a number"))?;
    if !value.is_finite() {
        return Err(format!("value `{raw}` is not finite"));
    }
    let quality = match rec.get(3).map(str::trim) {
        None | Some("") | Some("good") => Quality::Good,
        Some("bad") => Quality::Bad,
        Some(other) => return Err(format!("quality `{other}` must be `good` or `bad`")),
    };
    Ok(ReplayReading {
        ts,
        sensor,
        value,
        quality,
    })
}

/// Reads a whole reading file. Every bad row is reported in [`ReplayError::BadRows`].
///
/// # Errors
/// [`ReplayError::Header`] without the header, [`ReplayError::BadRows`] listing every bad row.
pub fn read_readings(input: impl Read) -> Result<Vec<ReplayReading>, ReplayError> {
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for_each_row(input, |r| rows.push(r), &mut bad)?;
    if bad.is_empty() {
        Ok(rows)
    } else {
        Err(ReplayError::BadRows(bad))
    }
}

fn for_each_row(
    input: impl Read,
    mut each: impl FnMut(ReplayReading),
    bad: &mut Vec<String>,
) -> Result<(), ReplayError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(input);
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| ReplayError::Header(e.to_string()))?
        .iter()
        .map(str::to_ascii_lowercase)
        .collect();
    let ok_header = header.len() >= 3
        && header[0] == "ts"
        && header[1] == "sensor"
        && header[2] == "value"
        && (header.len() == 3 || (header.len() == 4 && header[3] == "quality"));
    if !ok_header {
        return Err(ReplayError::Header(header.join(",")));
    }
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, |p| p.line());
                if rec.len() > header.len() {
                    bad.push(format!(
                        "line {line}: {} columns, the header has {}",
                        rec.len(),
                        header.len()
                    ));
                    continue;
                }
                match parse_record(&rec) {
                    Ok(r) => each(r),
                    Err(msg) => bad.push(format!("line {line}: {msg}")),
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(ReplayError::Io(std::io::Error::other(e.to_string())));
                }
                bad.push(format!("line {line}: {e}"));
            }
        }
    }
    Ok(())
}

/// Feeds readings to the engine in order and hands each event to `sink`.
pub fn run(
    engine: &mut Engine,
    readings: impl IntoIterator<Item = ReplayReading>,
    until: Option<Millis>,
    mut sink: impl FnMut(&AlarmEvent),
) -> ReplayStats {
    let mut stats = ReplayStats::default();
    let mut out = Vec::new();
    for r in readings {
        feed(engine, &r, &mut stats, &mut out);
        for e in out.drain(..) {
            stats.events += 1;
            sink(&e);
        }
    }
    if let Some(t) = until {
        engine.advance_to(t, &mut out);
        for e in out.drain(..) {
            stats.events += 1;
            sink(&e);
        }
    }
    stats
}

fn feed(
    engine: &mut Engine,
    r: &ReplayReading,
    stats: &mut ReplayStats,
    out: &mut Vec<AlarmEvent>,
) {
    stats.readings += 1;
    let Some(ix) = engine.sensor_ix(&r.sensor) else {
        stats.unknown_sensor += 1;
        return;
    };
    let reading = Reading {
        sensor: ix,
        ts: r.ts,
        value: r.value,
        quality: r.quality,
    };
    match engine.ingest(reading, out) {
        Disposition::Accepted => {}
        Disposition::Duplicate => stats.duplicate += 1,
        Disposition::OutOfOrder => stats.out_of_order += 1,
    }
}

/// Streams a reading file through the engine, writing one JSON line per alarm event to `output`.
/// Bad rows are skipped and all reported at the end as [`ReplayError::BadRows`] (the events of the
/// good rows have been written by then).
///
/// # Errors
/// See [`ReplayError`].
pub fn replay_csv(
    engine: &mut Engine,
    input: impl Read,
    until: Option<Millis>,
    output: &mut impl Write,
) -> Result<ReplayStats, ReplayError> {
    let mut stats = ReplayStats::default();
    let mut bad = Vec::new();
    let mut out = Vec::new();
    let mut io_err: Option<std::io::Error> = None;
    for_each_row(
        input,
        |r| {
            feed(engine, &r, &mut stats, &mut out);
            for e in out.drain(..) {
                stats.events += 1;
                if io_err.is_none()
                    && let Err(err) = writeln!(output, "{}", event_line(&e))
                {
                    io_err = Some(err);
                }
            }
        },
        &mut bad,
    )?;
    if let Some(t) = until {
        engine.advance_to(t, &mut out);
        for e in out.drain(..) {
            stats.events += 1;
            writeln!(output, "{}", event_line(&e))?;
        }
    }
    if let Some(e) = io_err {
        return Err(ReplayError::Io(e));
    }
    if bad.is_empty() {
        Ok(stats)
    } else {
        Err(ReplayError::BadRows(bad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_both_forms() {
        assert_eq!(parse_time("1767225600000"), Ok(1_767_225_600_000));
        assert_eq!(
            parse_time("2026-01-01T08:00:00+08:00"),
            Ok(1_767_225_600_000)
        );
        assert!(parse_time("yesterday").is_err());
        assert_eq!(format_time(1_767_225_600_000), "2026-01-01T00:00:00Z");
        assert_eq!(format_time(1_767_225_600_250), "2026-01-01T00:00:00.250Z");
    }

    #[test]
    fn every_bad_row_is_reported() {
        let csv = "ts,sensor,value\n1000,A,1\nnope,A,2\n3000,A,x\n4000,,1\n5000,A,NaN\n6000,A,3,maybe\n7000,A,4,bad\n";
        // (the last two rows have a fourth column the header does not have)
        let err = read_readings(csv.as_bytes()).unwrap_err();
        let ReplayError::BadRows(rows) = err else {
            panic!("expected bad rows")
        };
        assert_eq!(rows.len(), 6, "{rows:?}");
        assert!(rows[0].starts_with("line 3:"), "{rows:?}");
        assert!(rows[1].contains("not a number"), "{rows:?}");
        assert!(rows[2].contains("`sensor` is missing"), "{rows:?}");
        assert!(rows[3].contains("not finite"), "{rows:?}");
        assert_eq!(rows[4], "line 7: 4 columns, the header has 3");
        assert_eq!(rows[5], "line 8: 4 columns, the header has 3");
        let bad_quality = read_readings("ts,sensor,value,quality\n1000,A,1,maybe\n".as_bytes());
        let Err(ReplayError::BadRows(rows)) = bad_quality else {
            panic!("expected a bad quality")
        };
        assert!(rows[0].contains("quality `maybe`"), "{rows:?}");
        let good = read_readings("ts,sensor,value,quality\n1000,A,1\n2000,A,2,bad\n".as_bytes())
            .expect("good file");
        assert_eq!(good.len(), 2);
        assert_eq!(good[1].quality, Quality::Bad);
    }

    #[test]
    fn header_is_required() {
        assert!(matches!(
            read_readings("time,id,v\n1,A,1\n".as_bytes()),
            Err(ReplayError::Header(_))
        ));
    }
}
