//! Demo major hazard installations (重大危险源, GB 18218-2018): seven units on the demo chemical
//! enterprises with real Table 1 chemicals — graded 一级 to 四级 and one unit below the threshold
//! (S < 1) — with filing, responsible persons and a camera link. The reactor enterprise's unit
//! `MH-R101` is linked to its Tennessee Eastman sensors (`TEP-R101-*`). Two units carry a
//! history: a population change (四级 → 三级) and an inventory change (三级 → 二级).
//!
//! Idempotent: a unit whose code exists at its enterprise is left alone, except that `MH-R101`
//! gets the TEP sensors linked once they exist.

use anjian_domain::auth::ScopeFilter;
use anjian_domain::major_hazard_installation::SubstanceLine;
use anjian_domain::page::Page;
use anjian_store::major_hazard::{
    Assessor, CameraLink, InstallationFilter, InstallationInput, InstallationView,
};
use anjian_store::{EnterpriseFilter, SensorFilter, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// (name, hazard classes, tonnes)
type Sub = (&'static str, &'static [&'static str], &'static str);

/// One demo unit: (enterprise slot, code, name, kind, location, exposed population, substances,
/// later change: (population, substances) applied 30 days ago).
type UnitDef = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static [Sub],
    Option<(i64, &'static [Sub])>,
);

// Slot 0 is the reactor (TEP) plant, slot 1 the `enterprise` account's plant; slots 2.. are other
// chemical enterprises (falling back to slot 0 when the demo city has fewer).
const UNITS: [UnitDef; 7] = [
    // S = 1.2 + 1.5 + 0.8 = 3.5; Σβq/Q = 1.8 + 3.0 + 1.2 = 6; α 1.5 → R 9 四级; then α 2 → R 12 三级.
    (
        0,
        "MH-R101",
        "R101 反应单元",
        "production",
        "反应装置区 R101",
        80,
        &[
            ("氢", &["W2"], "6"),
            ("一氧化碳", &[], "30"),
            ("乙烯", &["W2"], "40"),
        ],
        Some((
            150,
            &[
                ("氢", &["W2"], "6"),
                ("一氧化碳", &[], "30"),
                ("乙烯", &["W2"], "40"),
            ],
        )),
    ),
    // 氯 20 t: S 4, α 2, R 32 三级; then 32 t: R 51.2 二级.
    (
        1,
        "MH-T201",
        "液氯钢瓶库",
        "storage",
        "原料库 三号库",
        260,
        &[("氯", &[], "20")],
        Some((260, &[("氯", &[], "32")])),
    ),
    // 甲醇 400 t: S 0.8, not a major hazard installation.
    (
        1,
        "MH-T202",
        "甲醇中间罐区",
        "storage",
        "罐区 T-101～T-104",
        260,
        &[("甲醇", &["W5.3"], "400")],
        None,
    ),
    // 液氨 150 t: S 15, β 2, α 2 → R 60 二级.
    (
        2,
        "MH-T101",
        "液氨储罐区",
        "storage",
        "液氨球罐区",
        500,
        &[("液氨", &[], "150")],
        None,
    ),
    // 液化石油气 2000 t: S 40, β 1.5, α 2 → R 120 一级.
    (
        2,
        "MH-T102",
        "液化石油气球罐区",
        "storage",
        "球罐区 V-201～V-204",
        500,
        &[("液化石油气", &["W2"], "2000")],
        None,
    ),
    // 苯 120 t (2.4) + 甲苯 800 t (1.6): S 4, α 1.5 → R 6 四级.
    (
        3,
        "MH-T301",
        "芳烃罐区",
        "storage",
        "芳烃罐区",
        60,
        &[("苯", &["W5.3"], "120"), ("甲苯", &["W5.3"], "800")],
        None,
    ),
    // 环氧乙烷 45 t: S 4.5, β 2, α 1.2 → R 10.8 三级.
    (
        4,
        "MH-T401",
        "环氧乙烷储存单元",
        "storage",
        "环氧乙烷罐区",
        40,
        &[("环氧乙烷", &[], "45")],
        None,
    ),
];

fn lines(subs: &[Sub]) -> Vec<SubstanceLine> {
    subs.iter()
        .map(|(name, classes, q)| SubstanceLine {
            name: Some((*name).to_owned()),
            cas: None,
            variant: None,
            hazard_classes: classes.iter().map(|c| (*c).to_owned()).collect(),
            quantity_tonnes: (*q).to_owned(),
        })
        .collect()
}

fn page(size: u64) -> Result<Page, StoreError> {
    Page::new(Some(1), Some(size)).map_err(StoreError::Invalid)
}

async fn existing(
    store: &Store,
    enterprise_id: i64,
    code: &str,
) -> Result<Option<InstallationView>, StoreError> {
    let all = ScopeFilter::unrestricted();
    let found = store
        .list_installations(
            &InstallationFilter {
                enterprise_id: Some(enterprise_id),
                keyword: Some(code.to_owned()),
                ..Default::default()
            },
            &all,
            page(50)?,
        )
        .await?;
    Ok(found.rows.into_iter().find(|v| v.installation.code == code))
}

async fn tep_sensors(store: &Store, enterprise_id: i64) -> Result<Vec<i64>, StoreError> {
    let found = store
        .list_sensors(
            &SensorFilter {
                code: Some("TEP-R101".into()),
                enterprise_id: Some(enterprise_id),
                ..Default::default()
            },
            &ScopeFilter::unrestricted(),
            page(50)?,
        )
        .await?;
    Ok(found.rows.into_iter().map(|s| s.sensor.id).collect())
}

/// Seeds the demo installations; `tep_enterprise_id` is the demo reactor plant, `home_id` the
/// `enterprise` account's plant (the same id in databases seeded before the reactor plant existed).
///
/// # Errors
/// Storage errors.
pub async fn seed(
    store: &Store,
    tep_enterprise_id: i64,
    home_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let all = ScopeFilter::unrestricted();
    let mut chemical: Vec<i64> = store
        .list_enterprises(
            &EnterpriseFilter {
                supervision_category: Some("hazardous_chemicals".into()),
                ..Default::default()
            },
            &all,
            page(50)?,
        )
        .await?
        .rows
        .into_iter()
        .map(|e| e.id)
        .filter(|id| *id != tep_enterprise_id && *id != home_id)
        .collect();
    chemical.sort_unstable();
    let slot = |i: usize| match i {
        0 => tep_enterprise_id,
        1 => home_id,
        _ => chemical.get(i - 2).copied().unwrap_or(tep_enterprise_id),
    };
    let who = Assessor {
        user_id: None,
        name: "演示数据".into(),
    };
    let sensors = tep_sensors(store, tep_enterprise_id).await?;
    let created = now - Duration::days(400);
    let changed = now - Duration::days(30);
    let mut made = 0;
    for (i, (s, code, name, kind, location, population, subs, change)) in
        UNITS.into_iter().enumerate()
    {
        let enterprise_id = slot(s);
        let sensor_ids = if code == "MH-R101" {
            sensors.clone()
        } else {
            Vec::new()
        };
        let major = code != "MH-T202";
        let input = |population: i64, subs: &[Sub]| InstallationInput {
            enterprise_id,
            code: code.into(),
            name: name.into(),
            unit_kind: kind.into(),
            location: Some(location.into()),
            longitude: None,
            latitude: None,
            exposed_population: population,
            beta_rule: "max".into(),
            substances: lines(subs),
            filing_status: if major { "filed" } else { "not_filed" }.into(),
            filing_date: major
                .then(|| NaiveDate::from_ymd_opt(2025, 3, 10 + i as u32))
                .flatten(),
            filing_number: major.then(|| format!("宁应急危备〔2025〕{:03}号", 21 + i)),
            principal_name: Some("王建国".into()),
            principal_phone: Some("13905150001".into()),
            technical_name: Some("陈立新".into()),
            technical_phone: Some("13905150002".into()),
            operational_name: Some("刘志强".into()),
            operational_phone: Some("13905150003".into()),
            camera_links: vec![CameraLink {
                name: format!("{name} 全景"),
                url: format!("rtsp://192.168.10.{}/stream1", 20 + i),
            }],
            sensor_ids: sensor_ids.clone(),
            remark: None,
        };
        if let Some(v) = existing(store, enterprise_id, code).await? {
            // Link the TEP sensors once the reactor unit exists (no new assessment: same inputs).
            if code == "MH-R101" && v.sensor_ids.is_empty() && !sensors.is_empty() {
                let last = change.map_or(subs, |c| c.1);
                let pop = change.map_or(population, |c| c.0);
                store
                    .update_installation(v.installation.id, input(pop, last), &who, &all, now)
                    .await?;
            }
            continue;
        }
        let v = store
            .create_installation(input(population, subs), &who, &all, created)
            .await?;
        if let Some((pop, later)) = change {
            store
                .update_installation(v.installation.id, input(pop, later), &who, &all, changed)
                .await?;
        }
        made += 1;
    }
    if made > 0 {
        tracing::info!(
            installations = made,
            "demo major hazard installations seeded"
        );
    }
    Ok(())
}
