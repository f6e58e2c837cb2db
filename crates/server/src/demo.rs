//! The demo city seeded by `anjian demo`: districts, streets and grids of a real city's layout
//! (Nanjing's district codes, GB/T 2260), the supervising departments, about 200 enterprises with
//! valid generated credit codes and plausible WGS-84 locations, and one account per role.
//! Seeding is idempotent: it does nothing if the demo regions already exist.

use anjian_api::auth::hash_password;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel, SupervisionCategory};
use anjian_domain::uscc::{Uscc, org_code_check_character};
use anjian_store::{DepartmentInput, NewUser, RegionInput, Store, StoreError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Password of every demo account (printed by `anjian demo`).
pub const DEMO_PASSWORD: &str = "Demo@2026";

/// MQTT password of the demo reactor unit's gateway (`TEP-DTU-01`).
pub const DEMO_DEVICE_PASSWORD: &str = "Tep@2026";

/// The demo reactor plant: the chemical enterprise whose reactor unit is fed live by the TEP data
/// (the `plant` account's). It starts 一般 (yellow): a 三级 installation and a 较大 risk point.
pub const REACTOR_PLANT_NAME: &str = "栖霞紫金新材料化工有限公司";

/// Milliseconds between two rows of the live TEP feed (the plant's 3 minutes at 360× speed);
/// `ANJIAN_TEP_INTERVAL_MS` overrides it.
pub const TEP_FEED_INTERVAL_MS: u64 = 500;

/// The demo reactor unit (Tennessee Eastman) at the reactor plant (the `plant` account's
/// enterprise; in a database seeded before that account existed, the `enterprise` account's):
/// created once, idempotent. Also seeds the demo major hazard installations.
///
/// # Errors
/// Storage errors.
pub async fn ensure_tep_unit(store: &Store) -> Result<(), StoreError> {
    let enterprise_of = |username: &'static str| async move {
        store
            .find_user_by_username(username)
            .await
            .map(|u| u.and_then(|u| u.enterprise_id))
    };
    let home = enterprise_of("enterprise").await?;
    let Some(plant) = enterprise_of("plant").await?.or(home) else {
        return Ok(());
    };
    let hash = hash_password(DEMO_DEVICE_PASSWORD).map_err(|e| {
        StoreError::Invalid(anjian_domain::ValidationError::field(
            "password",
            e.to_string(),
        ))
    })?;
    if anjian_ingest::tep::seed_unit(store, plant, hash, 1).await? {
        tracing::info!(enterprise_id = plant, "demo reactor unit (TEP) created");
    }
    crate::demo_major_hazard::seed(store, plant, home.unwrap_or(plant), chrono::Utc::now()).await?;
    Ok(())
}

/// What feeds the demo reactor unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DemoFeed {
    /// The TEP data in this folder.
    Tep(std::path::PathBuf),
    /// No data found: the labelled simulated signal.
    Simulated,
    /// `ANJIAN_TEP_DIR=off`: no feed (tests that want a quiet city).
    Off,
}

/// Where the TEP data is: `ANJIAN_TEP_DIR` (`off` for no feed), else `../shared/data/tep` (this
/// project's development layout), if it holds the fault 6 and normal-operation files; else the
/// simulated signal.
pub fn demo_feed() -> DemoFeed {
    let var = std::env::var_os("ANJIAN_TEP_DIR");
    if var.as_deref() == Some(std::ffi::OsStr::new("off")) {
        return DemoFeed::Off;
    }
    let dir = var
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("../shared/data/tep"));
    let has = |fault| anjian_ingest::tep::test_file(&dir, fault).is_file();
    if has(6) && has(0) {
        DemoFeed::Tep(dir)
    } else {
        DemoFeed::Simulated
    }
}

/// (code, name, centre longitude, centre latitude)
const DISTRICTS: [(&str, &str, f64, f64); 6] = [
    ("320102", "玄武区", 118.797, 32.049),
    ("320104", "秦淮区", 118.794, 32.012),
    ("320105", "建邺区", 118.732, 32.004),
    ("320106", "鼓楼区", 118.770, 32.066),
    ("320113", "栖霞区", 118.909, 32.096),
    ("320115", "江宁区", 118.840, 31.953),
];
const STREETS: [&str; 3] = ["第一街道", "第二街道", "第三街道"];

/// (name, kind, categories)
const DEPARTMENTS: [(&str, DepartmentKind, &[SupervisionCategory]); 5] = [
    (
        "市应急管理局",
        DepartmentKind::Bureau,
        &[
            SupervisionCategory::HazardousChemicals,
            SupervisionCategory::NonCoalMine,
            SupervisionCategory::Fireworks,
            SupervisionCategory::IndustryTrade,
        ],
    ),
    (
        "市住房和城乡建设局",
        DepartmentKind::Housing,
        &[SupervisionCategory::Construction],
    ),
    (
        "市交通运输局",
        DepartmentKind::Transport,
        &[SupervisionCategory::Transport],
    ),
    (
        "市市场监督管理局",
        DepartmentKind::MarketRegulation,
        &[SupervisionCategory::SpecialEquipment],
    ),
    (
        "市消防救援支队",
        DepartmentKind::Fire,
        &[
            SupervisionCategory::CrowdedPlace,
            SupervisionCategory::Other,
        ],
    ),
];

/// (category, industry codes, name stems, suffix)
const KINDS: [(SupervisionCategory, &[&str], &[&str], &str); 8] = [
    (
        SupervisionCategory::HazardousChemicals,
        &["C2614", "C2611", "C2651", "F5162"],
        &["化工", "石化", "精细化学", "气体", "涂料"],
        "有限公司",
    ),
    (
        SupervisionCategory::IndustryTrade,
        &["C3110", "C3130", "C3340", "C1331", "C2231"],
        &["钢铁", "金属制品", "粮油", "纸业", "机械"],
        "有限公司",
    ),
    (
        SupervisionCategory::Construction,
        &["E4710", "E4790", "E4851"],
        &["建工", "建设", "市政工程", "建筑"],
        "集团有限公司",
    ),
    (
        SupervisionCategory::Transport,
        &["G5430", "G5810", "G5951"],
        &["运输", "物流", "仓储"],
        "有限公司",
    ),
    (
        SupervisionCategory::SpecialEquipment,
        &["C3435", "D4430"],
        &["电梯", "锅炉", "热力"],
        "有限公司",
    ),
    (
        SupervisionCategory::CrowdedPlace,
        &["F5211", "H6110", "R8710"],
        &["商业广场", "酒店", "文化中心"],
        "管理有限公司",
    ),
    (
        SupervisionCategory::Fireworks,
        &["F5199"],
        &["烟花爆竹"],
        "经营部",
    ),
    (
        SupervisionCategory::NonCoalMine,
        &["B1011"],
        &["建材矿业"],
        "有限公司",
    ),
];
const PREFIXES: [&str; 16] = [
    "金陵", "扬子", "钟山", "长江", "紫金", "秦淮", "石城", "江宁", "栖霞", "玄武", "新港", "龙潭",
    "汤山", "江北", "雨花", "莫愁",
];
const SURNAMES: [&str; 10] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇"];

/// A valid credit code: "91" + district code + a 9-character organisation code with its own
/// GB 11714 check character + the GB 32100 check character.
fn credit_code(rng: &mut StdRng, division: &str) -> Option<Uscc> {
    let body: String = (0..8)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect();
    let org_check = org_code_check_character(&body)?;
    Uscc::with_check_character(&format!("91{division}{body}{org_check}")).ok()
}

/// A plausible Chinese name (surname and given name) for demo people.
pub(crate) fn person(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.random_range(0..SURNAMES.len())],
        GIVEN[rng.random_range(0..GIVEN.len())]
    )
}

fn phone(rng: &mut StdRng) -> String {
    format!(
        "13{}{:08}",
        rng.random_range(0..10),
        rng.random_range(0..100_000_000u32)
    )
}

/// Seeds the demo city and prints the demo accounts.
///
/// # Errors
/// [`StoreError`] from the database.
pub async fn seed(store: &Store) -> Result<(), StoreError> {
    if store.find_region_by_code(DISTRICTS[0].0).await?.is_some() {
        if store.find_user_by_username("city").await?.is_some() {
            print_accounts();
        } else {
            println!(
                "  The demo regions exist but the demo accounts do not (this database was not seeded by `anjian demo`); no demo accounts are available."
            );
        }
        return Ok(());
    }
    let mut rng = StdRng::seed_from_u64(20261129);
    // Regions: district → 3 streets → 2 grids each.
    let mut districts = Vec::new();
    for (i, (code, name, lon, lat)) in DISTRICTS.iter().enumerate() {
        let d = store
            .create_region(RegionInput {
                parent_id: None,
                code: (*code).into(),
                name: (*name).into(),
                level: RegionLevel::District,
                sort: i as i32,
            })
            .await?;
        let mut leaves = Vec::new();
        for (j, street) in STREETS.iter().enumerate() {
            let s = store
                .create_region(RegionInput {
                    parent_id: Some(d.id),
                    code: format!("{code}{:03}", j + 1),
                    name: format!("{name}{street}"),
                    level: RegionLevel::Street,
                    sort: j as i32,
                })
                .await?;
            leaves.push(s.id);
            for k in 0..2 {
                let g = store
                    .create_region(RegionInput {
                        parent_id: Some(s.id),
                        code: format!("{code}{:03}{:03}", j + 1, k + 1),
                        name: format!("{name}{street}第{}网格", k + 1),
                        level: RegionLevel::Grid,
                        sort: k,
                    })
                    .await?;
                leaves.push(g.id);
            }
        }
        districts.push((d, leaves, *code, *lon, *lat));
    }
    // Departments.
    let mut departments = Vec::new();
    for (i, (name, kind, cats)) in DEPARTMENTS.iter().enumerate() {
        let d = store
            .create_department(DepartmentInput {
                parent_id: None,
                name: (*name).into(),
                kind: *kind,
                region_id: None,
                supervised_categories: cats.to_vec(),
                industry_codes: vec![],
                leader: Some(person(&mut rng)),
                phone: Some(format!("025-8{:07}", rng.random_range(0..10_000_000u32))),
                status: RecordStatus::Active,
                sort: i as i32,
            })
            .await?;
        departments.push((d, *cats));
    }
    // Enterprises.
    let mut first_chemical = None;
    let mut reactor_plant = None;
    let mut created = 0;
    for n in 0..200 {
        let (category, industries, stems, suffix) = KINDS[match n % 20 {
            0..=5 => 0,
            6..=9 => 1,
            10..=12 => 2,
            13..=14 => 3,
            15..=16 => 4,
            17..=18 => 5,
            _ => 6 + (n / 20) % 2,
        }];
        let (district, leaves, division, lon, lat) = &districts[n % districts.len()];
        let Some(uscc) = credit_code(&mut rng, division) else {
            continue;
        };
        let department = departments
            .iter()
            .find(|(_, cats)| cats.contains(&category))
            .map(|(d, _)| d.id);
        let name = format!(
            "{}{}{}{}",
            district.name.trim_end_matches('区'),
            PREFIXES[rng.random_range(0..PREFIXES.len())],
            stems[rng.random_range(0..stems.len())],
            suffix
        );
        let scale = ["large", "medium", "small", "small", "micro"][rng.random_range(0..5)];
        // The fifth enterprise is a chemical plant in 栖霞区: the reactor plant.
        let reactor = n == 4;
        let (name, scale) = if reactor {
            (REACTOR_PLANT_NAME.to_owned(), "large")
        } else {
            (name, scale)
        };
        let input = EnterpriseInput {
            name,
            uscc: uscc.to_string(),
            address: format!(
                "南京市{}{}路{}号",
                district.name,
                PREFIXES[rng.random_range(0..PREFIXES.len())],
                rng.random_range(1..300)
            ),
            longitude: Some(((lon + rng.random_range(-0.03..0.03)) * 1e6).round() / 1e6),
            latitude: Some(((lat + rng.random_range(-0.025..0.025)) * 1e6).round() / 1e6),
            industry_code: industries[rng.random_range(0..industries.len())].into(),
            supervision_category: category.code().into(),
            scale: scale.into(),
            employee_count: match scale {
                "large" => rng.random_range(1000..5000),
                "medium" => rng.random_range(300..1000),
                "small" => rng.random_range(20..300),
                _ => rng.random_range(3..20),
            },
            principal_name: person(&mut rng),
            principal_phone: Some(phone(&mut rng)),
            safety_manager_name: Some(person(&mut rng)),
            safety_manager_phone: Some(phone(&mut rng)),
            contact_phone: None,
            department_id: department,
            region_id: leaves[rng.random_range(0..leaves.len())],
            status: Some(
                if n % 37 == 5 {
                    "suspended"
                } else {
                    "operating"
                }
                .into(),
            ),
            remark: None,
        };
        let Ok(draft) = input.validate() else {
            continue;
        };
        let e = store.create_enterprise(draft, None).await?;
        if reactor {
            reactor_plant = Some(e.id);
        } else if category == SupervisionCategory::HazardousChemicals && first_chemical.is_none() {
            first_chemical = Some(e.id);
        }
        created += 1;
    }
    // One account per role.
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| {
        StoreError::Invalid(anjian_domain::ValidationError::field(
            "password",
            e.to_string(),
        ))
    })?;
    let role = |key: &'static str| async move {
        store.find_role_by_key(key).await.map(|r| r.map(|r| r.id))
    };
    let bureau = departments.first().map(|d| d.0.id);
    let housing = departments.get(1).map(|d| d.0.id);
    // (user name, display name, department, enterprise, region, role key)
    type DemoAccount = (
        &'static str,
        &'static str,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        &'static str,
    );
    let accounts: [DemoAccount; 7] = [
        ("city", "市局管理员", bureau, None, None, "city_admin"),
        (
            "xuanwu",
            "玄武区监管员",
            None,
            None,
            Some(districts[0].0.id),
            "district_inspector",
        ),
        (
            "housing",
            "住建局监管员",
            housing,
            None,
            None,
            "department_officer",
        ),
        (
            "enterprise",
            "企业安全管理员",
            None,
            first_chemical,
            None,
            "enterprise_manager",
        ),
        (
            "plant",
            "反应装置安全管理员",
            None,
            reactor_plant,
            None,
            "enterprise_manager",
        ),
        (
            "worker",
            "一线员工王强",
            None,
            first_chemical,
            None,
            "enterprise_worker",
        ),
        (
            "repair",
            "维修班长李明",
            None,
            first_chemical,
            None,
            "enterprise_worker",
        ),
    ];
    for (username, nickname, department_id, enterprise_id, region_id, role_key) in accounts {
        let role_ids = role(role_key).await?.into_iter().collect();
        store
            .create_user(NewUser {
                username: username.into(),
                nickname: nickname.into(),
                password_hash: hash.clone(),
                phone: None,
                email: None,
                department_id,
                enterprise_id,
                region_id,
                role_ids,
                must_change_password: false,
                remark: Some("demo account".into()),
            })
            .await?;
    }
    if let Some(enterprise_id) = first_chemical {
        let now = chrono::Utc::now();
        crate::demo_risk::seed(store, enterprise_id, now).await?;
        crate::demo_hidden_danger::seed(store, enterprise_id, now).await?;
        crate::demo_inspection::seed(store, enterprise_id, now).await?;
    }
    if let Some(plant) = reactor_plant {
        crate::demo_risk::seed_reactor_plant(store, plant, chrono::Utc::now()).await?;
    }
    crate::demo_situation::seed(store).await?;
    // The rest of the city; the two plants above keep their own, hand-made records.
    let own: Vec<i64> = first_chemical.into_iter().chain(reactor_plant).collect();
    crate::demo_city::seed(store, &own, chrono::Utc::now()).await?;
    tracing::info!(enterprises = created, "demo city seeded");
    print_accounts();
    Ok(())
}

/// The walkthrough printed once the demo listens (the README's "A first look").
pub fn print_first_steps(url: &str, live: bool) {
    println!();
    println!("  Open the console: {url}");
    println!(
        "    1. Sign in as city / {DEMO_PASSWORD}, open 态势感知 → 态势总览 (the city dashboard)."
    );
    if live {
        println!(
            "    2. Within about a minute the reactor of {REACTOR_PLANT_NAME} passes 2895 kPa: the alarm appears in the live feed \
             and the plant turns from yellow to orange on the map."
        );
        println!("    3. 监测预警 → 实时报警 shows the alarm with its value.");
        println!(
            "    4. Sign in as plant / {DEMO_PASSWORD} (the plant's safety manager): 确认 (acknowledge) the alarm, then 转为隐患."
        );
    }
    println!();
}

fn print_accounts() {
    println!();
    println!("  Demo accounts (password {DEMO_PASSWORD} for each):");
    println!("    city        市级管理员      sees every enterprise");
    println!("    xuanwu      区县监管员      sees 玄武区 only");
    println!(
        "    housing     行业部门监管员  sees construction enterprises of the housing department"
    );
    println!(
        "    enterprise  企业安全管理员  sees and edits one enterprise (hidden dangers, risks)"
    );
    println!(
        "    plant       企业安全管理员  the reactor plant {REACTOR_PLANT_NAME}: its live alarms"
    );
    println!("    worker      企业员工        reports hidden dangers, does inspection tasks");
    println!("    repair      企业员工        remediates the hidden dangers assigned to him");
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_credit_codes_are_valid_and_consistent() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..500 {
            let u = credit_code(&mut rng, "320102").unwrap();
            assert!(Uscc::parse(u.as_str()).is_ok());
            assert_eq!(u.division_code(), "320102");
            assert!(u.organisation_code_is_consistent());
        }
    }
}
