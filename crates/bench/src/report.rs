//! Rendering of run results: a one-line summary per run and the Markdown table of
//! `docs/benchmarks.md`.

use crate::run::RunResult;
use std::path::Path;

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1}"))
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.digits$}"))
}

/// One line for the console.
pub fn summary(r: &RunResult) -> String {
    format!(
        "{} / {} @ {:.0}/s: achieved {:.0}/s (stored {:.0}/s), PUBACK {}/{} msgs, stored {}/{} readings (drain {:.1} s), \
         alarms {}/{} matched (unmatched {}, lagged {}), latency p50 {} p99 {} max {} ms, \
         anjian {} CPU-s = {} CPU-s per M readings, RSS {} -> peak {} -> {} MiB, broker {} CPU-s, loadgen {} CPU-s, MQTT errors {}",
        r.path,
        r.database,
        r.target_rate,
        r.achieved_rate,
        r.stored_rate,
        r.pubacks,
        r.published_msgs,
        r.stored_readings,
        r.published_readings,
        r.drain_s,
        r.matched,
        r.window_crossings,
        r.unmatched,
        r.lagged,
        ms(r.latency_p50_ms),
        ms(r.latency_p99_ms),
        ms(r.latency_max_ms),
        num(r.anjian_cpu_s, 2),
        num(r.cpu_s_per_million, 2),
        num(r.rss_start_mib, 0),
        num(r.peak_rss_mib, 0),
        num(r.rss_end_mib, 0),
        num(r.broker_cpu_s, 2),
        num(r.loadgen_cpu_s, 2),
        r.mqtt_errors
    )
}

/// Prints the Markdown table of a results file (one JSON line per run).
///
/// # Errors
/// A message when the file cannot be read or a line is not a result.
pub fn table(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = String::from(
        "| path | database | target /s | achieved /s | stored /s (window) | PUBACK / published msgs | stored / published readings | drain s | alarms matched / crossings | latency p50 ms | p99 ms | max ms | anjian CPU-s | CPU-s per M readings | RSS MiB start / peak / end | broker CPU-s | loadgen CPU-s |\n\
         | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let r: RunResult = serde_json::from_str(line)
            .map_err(|e| format!("{} line {}: {e}", path.display(), n + 1))?;
        out.push_str(&format!(
            "| {} | {} | {:.0} | {:.0} | {:.0} | {} / {} | {} / {} | {:.1} | {} / {} | {} | {} | {} | {} | {} | {} / {} / {} | {} | {} |\n",
            r.path,
            r.database,
            r.target_rate,
            r.achieved_rate,
            r.stored_rate,
            r.pubacks,
            r.published_msgs,
            r.stored_readings,
            r.published_readings,
            r.drain_s,
            r.matched,
            r.window_crossings,
            ms(r.latency_p50_ms),
            ms(r.latency_p99_ms),
            ms(r.latency_max_ms),
            num(r.anjian_cpu_s, 2),
            num(r.cpu_s_per_million, 2),
            num(r.rss_start_mib, 0),
            num(r.peak_rss_mib, 0),
            num(r.rss_end_mib, 0),
            num(r.broker_cpu_s, 2),
            num(r.loadgen_cpu_s, 2),
        ));
    }
    print!("{out}");
    Ok(())
}
