//! The Tennessee Eastman Process (TEP) adapter: reads the benchmark's test files and maps their
//! columns to the sensors of a demo reactor unit, whose alarm rules (`tep_rules.toml`) use the
//! plant's published operating constraints (Downs & Vogel 1993): reactor pressure high 2895 kPa,
//! high-high (shutdown) 3000 kPa; reactor temperature high 150 °C, high-high 175 °C.
//!
//! Data: `dNN_te.dat` (NN = 00 normal operation, 01..21 faults), 960 rows × 52 whitespace-separated
//! columns, one row every 3 minutes; the fault starts after row 160. The files are read from the
//! folder the user gives (`../shared/data/tep/` in this project's development setup) and never
//! copied into the repository.

use crate::replay::ReplayReading;
use anjian_alarm::{Millis, Quality, RuleError, RuleSet};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::page::Page;
use anjian_store::{DeviceInput, SensorFilter, SensorInput, Store, StoreError};
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Minutes between two TEP rows.
pub const ROW_INTERVAL_MS: Millis = 3 * 60 * 1000;

/// Where to get the data, for error messages.
pub const DATA_HINT: &str = "the TEP benchmark files (d00_te.dat .. d21_te.dat) come from \
https://github.com/camaramm/tennessee-eastman-profBraatz; put them in a folder and set \
ANJIAN_TEP_DIR to it (or ../shared/data/tep next to the checkout) for `anjian demo`, or pass it \
to `anjian replay --tep DIR`";

/// What the demo unit's device and sensor names carry while it runs on [`simulated`] data.
pub const SIMULATED_LABEL: &str = "（模拟信号）";

/// The gateway's name (without [`SIMULATED_LABEL`]).
pub const DEVICE_NAME: &str = "TEP反应单元数据采集网关";

/// A TEP column mapped to a demo sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TepSensor {
    /// 1-based column in the data file (XMEAS(n) is column n).
    pub column: usize,
    /// Sensor code in the rules (`tep_rules.toml`).
    pub code: &'static str,
    /// Chinese name for the console.
    pub name: &'static str,
    /// Unit of the column.
    pub unit: &'static str,
    /// Measured quantity (dictionary `sensor_quantity`).
    pub quantity: &'static str,
}

/// The demo reactor unit's sensors, in the order of [`tep_rules`].
pub const SENSORS: [TepSensor; 9] = [
    TepSensor {
        column: 7,
        code: "TEP-R101-PT",
        name: "反应器压力",
        unit: "kPa",
        quantity: "pressure",
    },
    TepSensor {
        column: 9,
        code: "TEP-R101-TT",
        name: "反应器温度",
        unit: "°C",
        quantity: "temperature",
    },
    TepSensor {
        column: 8,
        code: "TEP-R101-LT",
        name: "反应器液位",
        unit: "%",
        quantity: "level",
    },
    TepSensor {
        column: 1,
        code: "TEP-R101-FT-A",
        name: "A进料流量",
        unit: "kscmh",
        quantity: "flow",
    },
    TepSensor {
        column: 21,
        code: "TEP-R101-TT-CW",
        name: "反应器冷却水出口温度",
        unit: "°C",
        quantity: "temperature",
    },
    TepSensor {
        column: 13,
        code: "TEP-V102-PT",
        name: "产品分离器压力",
        unit: "kPa",
        quantity: "pressure",
    },
    TepSensor {
        column: 12,
        code: "TEP-V102-LT",
        name: "产品分离器液位",
        unit: "%",
        quantity: "level",
    },
    TepSensor {
        column: 16,
        code: "TEP-C104-PT",
        name: "汽提塔压力",
        unit: "kPa",
        quantity: "pressure",
    },
    TepSensor {
        column: 15,
        code: "TEP-C104-LT",
        name: "汽提塔液位",
        unit: "%",
        quantity: "level",
    },
];

/// The demo reactor unit's device (gateway) code.
pub const DEVICE: &str = "TEP-DTU-01";

/// The rules file text of the demo reactor unit.
pub const RULES_TOML: &str = include_str!("tep_rules.toml");

/// The demo reactor unit's rule set.
///
/// # Errors
/// Only if the embedded rules were broken (a test guards it).
pub fn tep_rules() -> Result<RuleSet, RuleError> {
    RuleSet::from_toml(RULES_TOML)
}

/// A problem reading TEP data.
#[derive(Debug, thiserror::Error)]
pub enum TepError {
    /// The file is not there.
    #[error("cannot read {path}: {source}; {DATA_HINT}")]
    Missing {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A row does not have 52 numbers.
    #[error("{path} line {line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Fault numbers are 0..=21.
    #[error("fault {0} does not exist: TEP faults are 0 (normal operation) to 21")]
    Fault(u8),
}

/// The rows of one TEP test file: 52 values per row.
#[derive(Debug, Clone)]
pub struct TepData {
    /// Rows in file order; row `i` (0-based) is sampled at `i × 3 min`.
    pub rows: Vec<[f64; 52]>,
}

/// The test file of a fault: `dNN_te.dat` in `dir`.
pub fn test_file(dir: &Path, fault: u8) -> PathBuf {
    dir.join(format!("d{fault:02}_te.dat"))
}

/// Reads `dNN_te.dat` for `fault` (0 = normal operation) from `dir`.
///
/// # Errors
/// [`TepError::Fault`] for a fault above 21, [`TepError::Missing`] (with where to get the data),
/// [`TepError::Format`] for a malformed row.
pub fn load(dir: &Path, fault: u8) -> Result<TepData, TepError> {
    if fault > 21 {
        return Err(TepError::Fault(fault));
    }
    let path = test_file(dir, fault);
    let text = std::fs::read_to_string(&path).map_err(|source| TepError::Missing {
        path: path.clone(),
        source,
    })?;
    parse(&text).map_err(|(line, message)| TepError::Format {
        path,
        line,
        message,
    })
}

/// Parses the text of a TEP test file.
///
/// # Errors
/// `(line, message)` of the first malformed row.
pub fn parse(text: &str) -> Result<TepData, (usize, String)> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut row = [0.0; 52];
        let mut n = 0;
        for tok in line.split_whitespace() {
            if n == 52 {
                return Err((i + 1, "more than 52 columns".into()));
            }
            row[n] = tok
                .parse()
                .map_err(|_| (i + 1, format!("`{tok}` is not a number")))?;
            n += 1;
        }
        if n != 52 {
            return Err((i + 1, format!("{n} columns, expected 52")));
        }
        rows.push(row);
    }
    Ok(TepData { rows })
}

/// Base-case values of the mapped columns (Downs & Vogel 1993, Table 4), keyed by 1-based column.
const BASE_CASE: [(usize, f64); 9] = [
    (1, 0.250_52),
    (7, 2705.0),
    (8, 75.0),
    (9, 120.40),
    (12, 50.0),
    (13, 2633.7),
    (15, 50.0),
    (16, 3102.2),
    (21, 94.599),
];

/// A clearly artificial stand-in for a TEP test file when the real data is not there: 960 rows
/// with the base-case values of the mapped columns plus small deterministic noise (all other
/// columns 0). For fault 6 the A feed is lost after row 160 and the reactor pressure (kPa)
/// approaches 2990 kPa exponentially (time constant 89 rows), so it passes the 2895 kPa high limit
/// near row 258 as the real data does (row 258, 2897.3 kPa) and never passes the 3000 kPa
/// high-high limit. Any other fault number gives normal operation.
pub fn simulated(fault: u8) -> TepData {
    let rows = (0..960u32)
        .map(|i| {
            let mut row = [0.0; 52];
            for (k, (column, base)) in BASE_CASE.iter().enumerate() {
                // Deterministic noise in [-1, 1): a fixed hash of (row, column).
                let h = (i.wrapping_mul(2_654_435_761) ^ (k as u32).wrapping_mul(40_503))
                    .wrapping_mul(2_246_822_519);
                let noise = f64::from(h >> 8) / f64::from(1u32 << 23) - 1.0;
                // Rounded like the benchmark files' five significant digits.
                let v = base + noise * base.abs() * 0.001;
                row[column - 1] = round_sig(v);
            }
            if fault == 6 && i > 160 {
                let t = f64::from(i - 160);
                row[0] = 0.0;
                row[6] =
                    round_sig(2705.0 + 285.0 * (1.0 - (-t / 89.0).exp()) + (row[6] - 2705.0) * 0.5);
            }
            row
        })
        .collect();
    TepData { rows }
}

/// `v` to five significant digits (2897.3, 120.40, 0.25052), as in the benchmark files.
fn round_sig(v: f64) -> f64 {
    if v == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(4 - v.abs().log10().floor() as i32);
    (v * scale).round() / scale
}

impl TepData {
    /// The readings of every mapped sensor, row by row, the first row at `start` and one row
    /// every `interval_ms` (3 minutes in the plant's own time).
    pub fn readings(
        &self,
        start: Millis,
        interval_ms: Millis,
    ) -> impl Iterator<Item = ReplayReading> + '_ {
        self.rows.iter().enumerate().flat_map(move |(i, row)| {
            let ts = start + i as Millis * interval_ms;
            SENSORS.iter().map(move |s| ReplayReading {
                ts,
                sensor: s.code.to_string(),
                value: row[s.column - 1],
                quality: Quality::Good,
            })
        })
    }

    /// The values of one row keyed by sensor code (for an MQTT batch payload).
    pub fn row_values(&self, row: usize) -> Vec<(&'static str, f64)> {
        self.rows
            .get(row)
            .map(|r| SENSORS.iter().map(|s| (s.code, r[s.column - 1])).collect())
            .unwrap_or_default()
    }
}

/// Creates the demo reactor unit for `enterprise_id`: the gateway [`DEVICE`] with the given MQTT
/// password hash, and the [`SENSORS`] with the alarm limits of [`RULES_TOML`] (same values, in the
/// API's settings shape), sampled every `period_s` seconds (the live feed's row interval).
/// Returns `false` without changes when the gateway already exists.
///
/// # Errors
/// Storage errors.
pub async fn seed_unit(
    store: &Store,
    enterprise_id: i64,
    password_hash: String,
    period_s: i32,
) -> Result<bool, StoreError> {
    if store.find_device_by_code(DEVICE).await?.is_some() {
        return Ok(false);
    }
    let scope = ScopeFilter::unrestricted();
    let device = store
        .create_device(
            DeviceInput {
                code: DEVICE.into(),
                name: DEVICE_NAME.into(),
                enterprise_id,
                kind: "gateway".into(),
                offline_after_s: None,
                status: "active".into(),
                remark: Some("Tennessee Eastman 演示装置".into()),
            },
            &scope,
        )
        .await?;
    store
        .set_device_password(device.id, Some(password_hash), &scope)
        .await?;
    let rules = tep_rules().map_err(|e| {
        StoreError::Invalid(anjian_domain::ValidationError::field(
            "rules",
            e.to_string(),
        ))
    })?;
    let mut inputs = Vec::new();
    for s in SENSORS {
        let Some(rule) = rules.sensors().iter().find(|r| r.code == s.code) else {
            continue;
        };
        let limits: Vec<_> = rule
            .limits
            .iter()
            .map(|l| {
                json!({
                    "kind": l.kind.condition().as_str(),
                    "value": l.value,
                    "priority": l.priority.as_str(),
                    "deadband": l.deadband,
                })
            })
            .collect();
        inputs.push(SensorInput {
            code: s.code.into(),
            name: s.name.into(),
            device_id: Some(device.id),
            enterprise_id,
            installation_id: None,
            risk_point_id: None,
            quantity: s.quantity.into(),
            unit: s.unit.into(),
            range_low: rule.range.map(|r| r[0]),
            range_high: rule.range.map(|r| r[1]),
            sampling_period_s: period_s.max(1),
            stale_after: i32::try_from(rule.stale_after).unwrap_or(3),
            area: rule.area.clone(),
            settings: json!({ "limits": limits }),
            status: "active".into(),
        });
    }
    store.create_sensors(inputs, &scope).await?;
    Ok(true)
}

/// Names the demo unit's gateway and sensors for the data it runs on: with `simulated`, every
/// name ends in [`SIMULATED_LABEL`] (so the alarm list, the dashboard and the device list say it),
/// otherwise the plain names. Does nothing when the unit does not exist.
///
/// # Errors
/// Storage errors.
pub async fn label_unit(store: &Store, simulated: bool) -> Result<(), StoreError> {
    let scope = ScopeFilter::unrestricted();
    let Some(device) = store.find_device_by_code(DEVICE).await? else {
        return Ok(());
    };
    let label = |name: &str| {
        if simulated {
            format!("{name}{SIMULATED_LABEL}")
        } else {
            name.to_owned()
        }
    };
    let name = label(DEVICE_NAME);
    if device.name != name {
        store
            .update_device(
                device.id,
                DeviceInput {
                    code: device.code.clone(),
                    name,
                    enterprise_id: device.enterprise_id,
                    kind: device.kind.clone(),
                    offline_after_s: device.offline_after_s,
                    status: device.status.clone(),
                    remark: Some(
                        if simulated {
                            "未找到 Tennessee Eastman 数据：模拟信号，非真实装置数据"
                        } else {
                            "Tennessee Eastman 演示装置"
                        }
                        .into(),
                    ),
                },
                &scope,
            )
            .await?;
    }
    let filter = SensorFilter {
        device_id: Some(device.id),
        ..SensorFilter::default()
    };
    let page = Page::new(Some(1), Some(100)).map_err(StoreError::Invalid)?;
    for view in store.list_sensors(&filter, &scope, page).await?.rows {
        let Some(s) = SENSORS.iter().find(|s| s.code == view.sensor.code) else {
            continue;
        };
        let name = label(s.name);
        let c = view.sensor;
        if c.name == name {
            continue;
        }
        store
            .update_sensor(
                c.id,
                SensorInput {
                    code: c.code,
                    name,
                    device_id: c.device_id,
                    enterprise_id: c.enterprise_id,
                    installation_id: c.installation_id,
                    risk_point_id: c.risk_point_id,
                    quantity: c.quantity,
                    unit: c.unit,
                    range_low: c.range_low,
                    range_high: c.range_high,
                    sampling_period_s: c.sampling_period_s,
                    stale_after: c.stale_after,
                    area: c.area,
                    settings: view.settings,
                    status: c.status,
                },
                &scope,
            )
            .await?;
    }
    Ok(())
}

/// Settings of the live feed.
#[derive(Debug, Clone)]
pub struct FeedConfig {
    /// Folder with the TEP files; `None` plays the [`simulated`] signal instead.
    pub dir: Option<PathBuf>,
    /// The (fault, first row, last row exclusive) segments played in a loop; rows are 0-based.
    pub segments: Vec<(u8, usize, usize)>,
    /// Wall-clock time between two rows (the plant's 3 minutes, sped up).
    pub interval: Duration,
    /// anjian's MQTT listener.
    pub mqtt: SocketAddr,
    /// The gateway's MQTT password.
    pub password: String,
}

impl FeedConfig {
    /// The demo's loop: fault 6 (A feed loss) from shortly before the fault starts (row 140; the
    /// reactor pressure passes 2895 kPa at row 259), then normal operation, then again.
    pub fn demo(
        dir: Option<PathBuf>,
        mqtt: SocketAddr,
        password: String,
        interval: Duration,
    ) -> Self {
        Self {
            dir,
            segments: vec![(6, 140, 480), (0, 0, 240)],
            interval,
            mqtt,
            password,
        }
    }
}

/// Publishes the TEP rows as the gateway [`DEVICE`] would: one MQTT batch per row, stamped with
/// the current time, QoS 1, looping over the segments until the task is dropped.
///
/// # Errors
/// [`TepError`] when a data file is missing or malformed (checked before anything is sent).
pub async fn feed(cfg: FeedConfig) -> Result<(), TepError> {
    let mut files = Vec::new();
    for (fault, from, to) in &cfg.segments {
        let data = match &cfg.dir {
            Some(dir) => load(dir, *fault)?,
            None => simulated(*fault),
        };
        let to = (*to).min(data.rows.len());
        files.push((data, *from, to));
    }
    let mut opts = rumqttc::MqttOptions::new(
        format!("{DEVICE}-feed"),
        cfg.mqtt.ip().to_string(),
        cfg.mqtt.port(),
    );
    opts.set_credentials(DEVICE, cfg.password.clone());
    opts.set_keep_alive(Duration::from_secs(30));
    let (client, mut eventloop) = rumqttc::AsyncClient::new(opts, 64);
    let poller = tokio::spawn(async move {
        loop {
            if let Err(e) = eventloop.poll().await {
                tracing::debug!(error = %e, "TEP feed: MQTT connection problem; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    });
    let topic = crate::payload::telemetry_topic(DEVICE);
    let mut tick = tokio::time::interval(cfg.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        for (data, from, to) in &files {
            for row in *from..*to {
                tick.tick().await;
                let values: serde_json::Map<String, serde_json::Value> = data
                    .row_values(row)
                    .into_iter()
                    .map(|(code, v)| (code.to_string(), json!(v)))
                    .collect();
                let body = json!({ "ts": crate::pipeline::now_ms(), "values": values });
                if client
                    .publish(&topic, rumqttc::QoS::AtLeastOnce, false, body.to_string())
                    .await
                    .is_err()
                {
                    poller.abort();
                    return Ok(());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_cover_every_sensor() {
        let rules = tep_rules().expect("embedded rules are valid");
        let engine = anjian_alarm::Engine::new(rules).expect("engine");
        for s in SENSORS {
            assert!(engine.sensor_ix(s.code).is_some(), "{} missing", s.code);
        }
        assert_eq!(engine.sensor_count(), SENSORS.len());
    }

    #[test]
    fn malformed_rows_are_located() {
        let mut line = vec!["1.0"; 52].join(" ");
        assert_eq!(parse(&line).map(|d| d.rows.len()), Ok(1));
        line.push_str(" 2.0");
        assert_eq!(parse(&line).unwrap_err().0, 1);
        let short = format!("{}\n{}", vec!["1"; 52].join(" "), vec!["1"; 51].join(" "));
        assert_eq!(
            parse(&short).unwrap_err(),
            (2, "51 columns, expected 52".into())
        );
        assert!(matches!(
            load(Path::new("/nonexistent"), 22),
            Err(TepError::Fault(22))
        ));
        let missing = load(Path::new("/nonexistent"), 6).unwrap_err().to_string();
        assert!(
            missing.contains("d06_te.dat") && missing.contains("camaramm"),
            "{missing}"
        );
    }
}
