//! A synthetic city for benchmarks (`anjian-loadgen situation`, `docs/benchmarks.md`): districts
//! and streets, enterprises with coordinates, devices and sensors, readings, alarms and hidden
//! dangers in realistic proportions, generated deterministically (no randomness: every value is a
//! function of the row number) straight into the tables in large multi-row statements.
//!
//! The readings are generated inside the database (`generate_series` on PostgreSQL, a recursive
//! CTE on SQLite): ten million rows would otherwise cost minutes of binding.
//!
//! Not for production data: it writes into a fresh database and refuses one that already holds
//! its districts.

use crate::telemetry::insert_chunked;
use crate::{DeviceInput, RegionInput, Result, SensorInput, Store, StoreError};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::{RegionLevel, SupervisionCategory};
use anjian_domain::uscc::{Uscc, org_code_check_character};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use std::time::Instant;

/// How much to generate.
#[derive(Debug, Clone)]
pub struct SyntheticSpec {
    /// Enterprises, spread over 6 districts × 4 streets.
    pub enterprises: u32,
    /// Hidden dangers, reported over the last three years; records older than 90 days are
    /// closed or rejected except one in 200 (left overdue), newer ones spread over every status.
    pub hidden_dangers: u64,
    /// Sensors (one device per 10), belonging to the first enterprises (one device each).
    pub sensors: u32,
    /// Readings, spread evenly over the sensors at one per second up to `now`.
    pub readings: u64,
    /// Alarms over the last 365 days, of which `active_alarms` are still active.
    pub alarms: u32,
    /// Active alarms (the newest ones).
    pub active_alarms: u32,
}

impl Default for SyntheticSpec {
    /// The issue-7 benchmark size: 10,000 enterprises, 1,000,000 hidden dangers, 1,000 sensors
    /// with 10,000,000 readings, 100,000 alarms (300 active).
    fn default() -> Self {
        SyntheticSpec {
            enterprises: 10_000,
            hidden_dangers: 1_000_000,
            sensors: 1_000,
            readings: 10_000_000,
            alarms: 100_000,
            active_alarms: 300,
        }
    }
}

/// Seconds each phase took, and the ids generated.
#[derive(Debug, Clone, Default)]
pub struct SyntheticReport {
    /// (phase, seconds).
    pub phases: Vec<(&'static str, f64)>,
    /// The district region ids.
    pub districts: Vec<i64>,
    /// The first and last enterprise id (contiguous).
    pub enterprise_ids: (i64, i64),
}

/// The six districts: (code, name, centre longitude, centre latitude).
pub const DISTRICTS: [(&str, &str, f64, f64); 6] = [
    ("329801", "基准一区", 118.78, 32.06),
    ("329802", "基准二区", 118.88, 32.08),
    ("329803", "基准三区", 118.72, 32.00),
    ("329804", "基准四区", 118.82, 31.96),
    ("329805", "基准五区", 118.95, 32.01),
    ("329806", "基准六区", 118.68, 32.10),
];

fn mix(i: u64) -> u64 {
    // SplitMix64's finaliser: a well-spread, deterministic function of the row number.
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn invalid(msg: impl Into<String>) -> StoreError {
    StoreError::Invalid(anjian_domain::ValidationError::field("synthetic", msg))
}

impl Store {
    /// Generates the synthetic city of `spec` with `now` as the present.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when the database already has the synthetic districts or `spec`
    /// is inconsistent (more sensors than devices can carry, readings not a multiple of sensors);
    /// database errors.
    pub async fn generate_synthetic_city(
        &self,
        spec: &SyntheticSpec,
        now: DateTime<Utc>,
    ) -> Result<SyntheticReport> {
        if spec.sensors == 0 || !spec.readings.is_multiple_of(u64::from(spec.sensors)) {
            return Err(invalid(
                "readings must be a multiple of sensors (and sensors > 0)",
            ));
        }
        let devices = spec.sensors.div_ceil(10);
        if devices > spec.enterprises {
            return Err(invalid("at most 10 sensors per enterprise"));
        }
        if spec.active_alarms > spec.alarms {
            return Err(invalid("active_alarms must not exceed alarms"));
        }
        let mut report = SyntheticReport::default();
        let scope = ScopeFilter::unrestricted();
        let mut t = Instant::now();
        let mut lap = |report: &mut SyntheticReport, name: &'static str| {
            report.phases.push((name, t.elapsed().as_secs_f64()));
            t = Instant::now();
        };

        // Regions.
        let mut streets: Vec<(i64, f64, f64)> = Vec::new();
        for (d, (code, name, lon, lat)) in DISTRICTS.iter().enumerate() {
            let district = self
                .create_region(RegionInput {
                    parent_id: None,
                    code: (*code).into(),
                    name: (*name).into(),
                    level: RegionLevel::District,
                    sort: d as i32,
                })
                .await?;
            report.districts.push(district.id);
            for s in 0..4 {
                let street = self
                    .create_region(RegionInput {
                        parent_id: Some(district.id),
                        code: format!("{code}{:03}", s + 1),
                        name: format!("{name}第{}街道", s + 1),
                        level: RegionLevel::Street,
                        sort: s,
                    })
                    .await?;
                let dx = if s % 2 == 0 { -0.015 } else { 0.015 };
                let dy = if s < 2 { 0.012 } else { -0.012 };
                streets.push((street.id, lon + dx, lat + dy));
            }
        }
        lap(&mut report, "regions");

        // Enterprises, in one transaction per thousand.
        let categories = SupervisionCategory::ALL;
        let mut first_id = None;
        let mut last_id = 0;
        let mut drafts = Vec::with_capacity(1000);
        for i in 0..spec.enterprises {
            let h = mix(u64::from(i));
            let (street, lon, lat) = streets[(h % streets.len() as u64) as usize];
            // Hazardous chemicals are over-represented, as in a chemical-industry city.
            let category = if h % 10 < 3 {
                SupervisionCategory::HazardousChemicals
            } else {
                categories[((h >> 8) % categories.len() as u64) as usize]
            };
            let body = format!("B{i:07}");
            let check = org_code_check_character(&body)
                .ok_or_else(|| invalid("organisation code check character"))?;
            let uscc = Uscc::with_check_character(&format!("91329800{body}{check}"))
                .map_err(|e| invalid(format!("credit code: {e}")))?;
            let dlon = ((h >> 16) % 2000) as f64 / 100_000.0 - 0.01;
            let dlat = ((h >> 32) % 2000) as f64 / 100_000.0 - 0.01;
            let draft = EnterpriseInput {
                name: format!("基准{}企业{i:05}", category.label()),
                uscc: uscc.to_string(),
                address: format!("基准市测试路{}号", i + 1),
                longitude: Some(((lon + dlon) * 1e6).round() / 1e6),
                latitude: Some(((lat + dlat) * 1e6).round() / 1e6),
                industry_code: "C2614".into(),
                supervision_category: category.code().into(),
                scale: ["large", "medium", "small", "micro"][((h >> 40) % 4) as usize].into(),
                employee_count: ((h >> 44) % 900 + 10) as i64,
                principal_name: "王伟".into(),
                principal_phone: None,
                safety_manager_name: None,
                safety_manager_phone: None,
                contact_phone: None,
                department_id: None,
                region_id: street,
                status: None,
                remark: Some("synthetic".into()),
            }
            .validate()
            .map_err(|e| invalid(format!("enterprise: {e}")))?;
            drafts.push(draft);
            if drafts.len() == 1000 || i + 1 == spec.enterprises {
                self.create_enterprises(std::mem::take(&mut drafts), None)
                    .await?;
            }
        }
        let ids = self
            .db
            .query_all_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT id FROM enterprises WHERE remark = 'synthetic' ORDER BY id",
            ))
            .await?;
        for row in &ids {
            let id: i64 = row.try_get("", "id")?;
            first_id.get_or_insert(id);
            last_id = id;
        }
        let first_id = first_id.ok_or_else(|| invalid("no enterprise was created"))?;
        if (last_id - first_id + 1) as usize != ids.len() {
            return Err(invalid("enterprise ids are not contiguous: use a fresh database"));
        }
        report.enterprise_ids = (first_id, last_id);
        lap(&mut report, "enterprises");

        // Devices and sensors: one device (10 sensors) per enterprise from the first.
        let device_inputs: Vec<DeviceInput> = (0..devices)
            .map(|d| DeviceInput {
                code: format!("SYN-D{d:05}"),
                name: format!("合成网关{d}"),
                enterprise_id: first_id + i64::from(d),
                kind: "gateway".into(),
                offline_after_s: None,
                status: "active".into(),
                remark: None,
            })
            .collect();
        self.create_devices(device_inputs, &scope).await?;
        let dev_rows = self
            .db
            .query_all_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT id, enterprise_id FROM devices WHERE code LIKE 'SYN-D%' ORDER BY id",
            ))
            .await?;
        let mut device_ids = Vec::with_capacity(dev_rows.len());
        for r in &dev_rows {
            device_ids.push((
                r.try_get::<i64>("", "id")?,
                r.try_get::<i64>("", "enterprise_id")?,
            ));
        }
        let settings = serde_json::json!({
            "limits": [
                {"kind": "high", "value": 80.0, "priority": "high"},
                {"kind": "high_high", "value": 95.0, "priority": "critical"}
            ]
        });
        let sensor_inputs: Vec<SensorInput> = (0..spec.sensors)
            .map(|i| {
                let (device, enterprise) = device_ids[(i / 10) as usize];
                SensorInput {
                    code: format!("SYN-S{i:06}"),
                    name: format!("合成测点{i}"),
                    device_id: Some(device),
                    enterprise_id: enterprise,
                    installation_id: None,
                    risk_point_id: None,
                    quantity: "combustible_gas".into(),
                    unit: "%LEL".into(),
                    range_low: Some(0.0),
                    range_high: Some(100.0),
                    sampling_period_s: 1,
                    stale_after: 0,
                    area: Some("synthetic".into()),
                    settings: settings.clone(),
                    status: "active".into(),
                }
            })
            .collect();
        self.create_sensors(sensor_inputs, &scope).await?;
        let sensor_rows = self
            .db
            .query_all_raw(Statement::from_string(
                self.db.get_database_backend(),
                "SELECT id, device_id, enterprise_id FROM sensors WHERE code LIKE 'SYN-S%' ORDER BY id",
            ))
            .await?;
        let mut sensors = Vec::with_capacity(sensor_rows.len());
        for r in &sensor_rows {
            sensors.push((
                r.try_get::<i64>("", "id")?,
                r.try_get::<i64>("", "device_id")?,
                r.try_get::<i64>("", "enterprise_id")?,
            ));
        }
        let (s_first, s_last) = match (sensors.first(), sensors.last()) {
            (Some(f), Some(l)) => (f.0, l.0),
            _ => return Err(invalid("no sensor was created")),
        };
        if (s_last - s_first + 1) as usize != sensors.len() {
            return Err(invalid("sensor ids are not contiguous: use a fresh database"));
        }
        lap(&mut report, "devices and sensors");

        // Readings: generated by the database, one per second per sensor up to now.
        let per_sensor = spec.readings / u64::from(spec.sensors);
        let end_ms = now.timestamp_millis();
        let start_ms = end_ms - (per_sensor as i64 - 1) * 1000;
        let n_sensors = i64::from(spec.sensors);
        let backend = self.db.get_database_backend();
        // Row k (0-based): sensor s_first + k / per_sensor, time start + (k % per_sensor) s; the
        // value a smooth function of k in 0..100.
        let chunk: u64 = 1_000_000;
        let mut k0: u64 = 0;
        while k0 < spec.readings {
            let k1 = (k0 + chunk).min(spec.readings);
            let sql = match backend {
                DbBackend::Postgres => format!(
                    "INSERT INTO readings (sensor_id, ts, value, quality) \
                     SELECT {s_first} + k / {per_sensor}, {start_ms} + (k % {per_sensor}) * 1000, \
                     ((k * 7919) % 10000) / 125.0, 0 \
                     FROM generate_series({k0}::bigint, {}::bigint) AS k",
                    k1 - 1
                ),
                _ => format!(
                    "WITH RECURSIVE g(k) AS (SELECT {k0} UNION ALL SELECT k + 1 FROM g WHERE k < {}) \
                     INSERT INTO readings (sensor_id, ts, value, quality) \
                     SELECT {s_first} + k / {per_sensor}, {start_ms} + (k % {per_sensor}) * 1000, \
                     ((k * 7919) % 10000) / 125.0, 0 FROM g",
                    k1 - 1
                ),
            };
            self.db
                .execute_raw(Statement::from_string(backend, sql))
                .await?;
            k0 = k1;
        }
        // The latest value of each sensor.
        let latest = format!(
            "INSERT INTO sensor_latest (sensor_id, ts, value, quality) \
             SELECT sensor_id, MAX(ts), 50.0, 0 FROM readings \
             WHERE sensor_id BETWEEN {s_first} AND {s_last} AND ts = {end_ms} GROUP BY sensor_id"
        );
        self.db
            .execute_raw(Statement::from_string(backend, latest))
            .await?;
        let _ = n_sensors;
        lap(&mut report, "readings");

        // Alarms: the newest `active_alarms` are active and unacknowledged.
        let year_ms: i64 = 365 * 86_400_000;
        let alarm_rows: Vec<u32> = (0..spec.alarms).collect();
        let conditions = ["high", "high_high"];
        insert_chunked(
            &self.db,
            "INSERT INTO alarms (id, source_kind, source, condition, enterprise_id, sensor_id, \
             device_id, priority, state, active, acknowledged, started_at, cleared_at, ended_at, \
             first_value, last_value, chattering, updated_at)",
            18,
            "",
            &alarm_rows,
            false,
            |&i, v: &mut Vec<Value>| {
                let h = mix(u64::from(i) ^ 0xA1A2);
                let (sid, did, eid) = sensors[(h % sensors.len() as u64) as usize];
                let active = i >= spec.alarms - spec.active_alarms;
                let cond = conditions[((h >> 8) % 2) as usize];
                let started = end_ms - year_ms + (i64::from(i) * year_ms) / i64::from(spec.alarms);
                v.push(Value::BigInt(Some(i64::from(i) + 1_000_000_000)));
                v.push("sensor".into());
                v.push(format!("SYN-S{:06}", sid - s_first).into());
                v.push(cond.into());
                v.push(Value::BigInt(Some(eid)));
                v.push(Value::BigInt(Some(sid)));
                v.push(Value::BigInt(Some(did)));
                v.push(if cond == "high_high" { "critical" } else { "high" }.into());
                v.push(if active { "unacknowledged" } else { "normal" }.into());
                v.push(active.into());
                v.push((!active).into());
                v.push(Value::BigInt(Some(started)));
                v.push(Value::BigInt((!active).then_some(started + 60_000)));
                v.push(Value::BigInt((!active).then_some(started + 120_000)));
                v.push(Value::Double(Some(96.0)));
                v.push(Value::Double(Some(97.5)));
                v.push(false.into());
                v.push(Value::BigInt(Some(started)));
            },
        )
        .await?;
        lap(&mut report, "alarms");

        // Hidden dangers.
        let n = spec.hidden_dangers;
        let span = Duration::days(3 * 365);
        let n_ent = i64::from(spec.enterprises);
        let mut from = 0u64;
        let batch = 50_000u64;
        while from < n {
            let to = (from + batch).min(n);
            let rows: Vec<u64> = (from..to).collect();
            insert_chunked(
                &self.db,
                "INSERT INTO hidden_dangers (code, enterprise_id, source, description, photo_ids, \
                 level, status, reporter_name, reported_at, confirmed_at, deadline, deadline_at, \
                 evidence_ids, closed_at, escalation_level, created_at, updated_at)",
                17,
                "",
                &rows,
                false,
                |&i, v: &mut Vec<Value>| {
                    let h = mix(i ^ 0x5EED);
                    let reported = now - span + Duration::seconds(
                        (span.num_seconds() as u128 * u128::from(i) / u128::from(n)) as i64,
                    );
                    let age_days = (now - reported).num_days();
                    let status = if age_days > 90 {
                        match h % 200 {
                            0 => "in_remediation",
                            1..=10 => "rejected",
                            _ => "closed",
                        }
                    } else {
                        match h % 100 {
                            0..=49 => "closed",
                            50..=54 => "rejected",
                            55..=62 => "reported",
                            63..=70 => "confirmed",
                            71..=82 => "assigned",
                            83..=92 => "in_remediation",
                            _ => "submitted",
                        }
                    };
                    let level = if (h >> 12) % 50 == 0 { "major" } else { "general" };
                    let assigned = !matches!(status, "reported" | "confirmed" | "rejected");
                    let deadline = (reported + Duration::days(30)).date_naive();
                    let deadline_at = anjian_domain::dual_prevention::hidden_danger::deadline_end(deadline);
                    v.push(format!("SYN{i:09}").into());
                    v.push(Value::BigInt(Some(
                        first_id + ((h >> 20) % n_ent as u64) as i64,
                    )));
                    v.push(["ad_hoc", "inspection", "enforcement"][((h >> 4) % 3) as usize].into());
                    v.push("合成隐患：消防通道堵塞".into());
                    v.push("[]".into());
                    v.push(level.into());
                    v.push(status.into());
                    v.push("合成上报人".into());
                    v.push(reported.into());
                    v.push(Value::ChronoDateTimeUtc(
                        (status != "reported").then(|| reported + Duration::hours(2)),
                    ));
                    v.push(Value::ChronoDate(assigned.then(|| deadline)));
                    v.push(Value::ChronoDateTimeUtc(
                        assigned.then(|| deadline_at),
                    ));
                    v.push("[]".into());
                    v.push(Value::ChronoDateTimeUtc(
                        (status == "closed").then(|| reported + Duration::days(10)),
                    ));
                    v.push(0i32.into());
                    v.push(reported.into());
                    v.push(reported.into());
                },
            )
            .await?;
            from = to;
        }
        lap(&mut report, "hidden dangers");
        Ok(report)
    }
}

/// Row counts of the tables the dashboard benchmark is about.
#[derive(Debug, Clone, Default)]
pub struct SyntheticCounts {
    /// All enterprises.
    pub enterprises: i64,
    /// The lowest enterprise id.
    pub first_enterprise: i64,
    /// All hidden dangers.
    pub hidden_dangers: i64,
    /// All readings.
    pub readings: i64,
    /// All alarms.
    pub alarms: i64,
    /// All major hazard installations.
    pub installations: i64,
    /// Enterprises with a computed dynamic risk.
    pub enterprise_risks: i64,
}

impl Store {
    /// Counts the rows of the benchmark's tables (a full count each: seconds on large tables).
    ///
    /// # Errors
    /// Database errors.
    pub async fn synthetic_counts(&self) -> Result<SyntheticCounts> {
        let backend = self.db.get_database_backend();
        let one = async |sql: &str| -> Result<i64> {
            let row = self
                .db
                .query_one_raw(Statement::from_string(backend, sql))
                .await?;
            Ok(match row {
                Some(r) => r.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0),
                None => 0,
            })
        };
        Ok(SyntheticCounts {
            enterprises: one("SELECT COUNT(*) FROM enterprises").await?,
            first_enterprise: one("SELECT MIN(id) FROM enterprises").await?,
            hidden_dangers: one("SELECT COUNT(*) FROM hidden_dangers").await?,
            readings: one("SELECT COUNT(*) FROM readings").await?,
            alarms: one("SELECT COUNT(*) FROM alarms").await?,
            installations: one("SELECT COUNT(*) FROM major_hazard_installations").await?,
            enterprise_risks: one("SELECT COUNT(*) FROM enterprise_risks").await?,
        })
    }
}
