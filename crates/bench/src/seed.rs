//! `seed`: the benchmark's devices and sensors, written straight through `anjian-store`.
//!
//! Sensor `i` belongs to device `i / (sensors / devices)`; every sensor has one high limit
//! (default 90, priority high), a sampling period of 1 s and no stale detection; devices go offline
//! only after 60 s, so the benchmark raises nothing but the limit alarms it provokes.

use crate::{device_code, sensor_code};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::{Uscc, org_code_check_character};
use anjian_store::{DeviceInput, RegionInput, SensorInput, Store};
use std::time::Instant;

/// Arguments of `seed`.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Database URL (`sqlite://path?mode=rwc` or `postgres://...`); migrated first.
    #[arg(long)]
    pub database_url: String,
    /// Number of devices (MQTT clients).
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Number of sensors, spread evenly over the devices.
    #[arg(long, default_value_t = 10_000)]
    pub sensors: usize,
    /// The MQTT password of every device.
    #[arg(long, default_value = "bench-device-secret")]
    pub device_password: String,
    /// The high limit of every sensor.
    #[arg(long, default_value_t = 90.0)]
    pub limit: f64,
}

/// Seeds the database; refuses a database that already has the benchmark's region.
///
/// # Errors
/// A message for storage errors or bad arguments.
pub async fn seed(a: &SeedArgs) -> Result<(), String> {
    if a.devices == 0 || a.sensors < a.devices || !a.sensors.is_multiple_of(a.devices) {
        return Err("--sensors must be a positive multiple of --devices".into());
    }
    let started = Instant::now();
    let store = Store::connect(&a.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let db = |e: anjian_store::StoreError| e.to_string();
    let scope = ScopeFilter::unrestricted();
    let region = store
        .create_region(RegionInput {
            parent_id: None,
            code: "329901".into(),
            name: "基准测试区".into(),
            level: RegionLevel::District,
            sort: 0,
        })
        .await
        .map_err(|e| format!("region (is this database already seeded?): {e}"))?;
    let body = "B3NCH001";
    let check = org_code_check_character(body).ok_or("organisation code check character")?;
    let uscc = Uscc::with_check_character(&format!("91329901{body}{check}"))
        .map_err(|e| format!("credit code: {e}"))?;
    let draft = EnterpriseInput {
        name: "基准测试化工有限公司".into(),
        uscc: uscc.to_string(),
        address: "基准测试区测试路1号".into(),
        longitude: None,
        latitude: None,
        industry_code: "C2614".into(),
        supervision_category: "hazardous_chemicals".into(),
        scale: "large".into(),
        employee_count: 500,
        principal_name: "王伟".into(),
        principal_phone: None,
        safety_manager_name: None,
        safety_manager_phone: None,
        contact_phone: None,
        department_id: None,
        region_id: region.id,
        status: None,
        remark: Some("anjian-loadgen seed".into()),
    }
    .validate()
    .map_err(|e| format!("enterprise: {e}"))?;
    let enterprise = store.create_enterprise(draft, None).await.map_err(db)?;

    let devices: Vec<DeviceInput> = (0..a.devices)
        .map(|d| DeviceInput {
            code: device_code(d),
            name: format!("基准网关{d}"),
            enterprise_id: enterprise.id,
            kind: "gateway".into(),
            offline_after_s: Some(60),
            status: "active".into(),
            remark: None,
        })
        .collect();
    store.create_devices(devices, &scope).await.map_err(db)?;
    // One hash for all devices: the server verifies each login against it all the same.
    let hash = anjian_api::auth::hash_password(&a.device_password)
        .map_err(|e| format!("hashing the device password: {e}"))?;
    let mut device_ids = Vec::with_capacity(a.devices);
    for d in 0..a.devices {
        let dev = store
            .find_device_by_code(&device_code(d))
            .await
            .map_err(db)?
            .ok_or("a device just created is missing")?;
        store
            .set_device_password(dev.id, Some(hash.clone()), &scope)
            .await
            .map_err(db)?;
        device_ids.push(dev.id);
    }
    let per_device = a.sensors / a.devices;
    let settings = serde_json::json!({
        "limits": [{"kind": "high", "value": a.limit, "priority": "high"}]
    });
    let sensors: Vec<SensorInput> = (0..a.sensors)
        .map(|i| SensorInput {
            code: sensor_code(i),
            name: format!("基准测点{i}"),
            device_id: Some(device_ids[i / per_device]),
            enterprise_id: enterprise.id,
            installation_id: None,
            risk_point_id: None,
            quantity: "combustible_gas".into(),
            unit: "%LEL".into(),
            range_low: Some(0.0),
            range_high: Some(100.0),
            sampling_period_s: 1,
            stale_after: 0,
            area: Some("bench".into()),
            settings: settings.clone(),
            status: "active".into(),
        })
        .collect();
    store.create_sensors(sensors, &scope).await.map_err(db)?;
    store.close().await;
    println!(
        "seeded {} devices and {} sensors (high limit {}) in {:.1} s",
        a.devices,
        a.sensors,
        a.limit,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
