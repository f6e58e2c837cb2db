//! Conformance of the major hazard installation storage (m0008): every test runs on SQLite, and on
//! PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set. Each test gets a fresh database.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::major_hazard_installation::SubstanceLine;
use anjian_domain::org::RegionLevel;
use anjian_domain::page::Page;
use anjian_domain::uscc::Uscc;
use anjian_store::major_hazard::{Assessor, CameraLink, InstallationFilter, InstallationInput};
use anjian_store::*;
use chrono::{DateTime, NaiveDate, Utc};

anjian_store::both_databases!(
    crud_grade_and_history,
    validation_and_scope,
    sensors_and_grades_per_enterprise,
    synthetic_installations,
);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
fn page(size: u64) -> Page {
    Page::new(Some(1), Some(size)).unwrap()
}
fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}
fn who() -> Assessor {
    Assessor {
        user_id: None,
        name: "测试员".into(),
    }
}
fn draft(n: u32, region_id: i64) -> EnterpriseDraft {
    EnterpriseInput {
        name: format!("企业{n}"),
        uscc: Uscc::with_check_character(&format!("91320102{n:09}"))
            .unwrap()
            .to_string(),
        address: "地址".into(),
        industry_code: "C2614".into(),
        supervision_category: "hazardous_chemicals".into(),
        scale: "small".into(),
        employee_count: 10,
        principal_name: "张三".into(),
        region_id,
        ..Default::default()
    }
    .validate()
    .unwrap()
}
fn fields(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.fields.into_keys().collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn two_enterprises(store: &Store) -> (i64, i64) {
    let mut ids = vec![];
    for (i, code) in ["D1", "D2"].into_iter().enumerate() {
        let r = store
            .create_region(RegionInput {
                parent_id: None,
                code: code.into(),
                name: code.into(),
                level: RegionLevel::District,
                sort: 0,
            })
            .await
            .unwrap();
        let e = store
            .create_enterprise(draft(i as u32 + 1, r.id), None)
            .await
            .unwrap();
        ids.push(e.id);
    }
    (ids[0], ids[1])
}

fn sub(name: &str, classes: &[&str], q: &str) -> SubstanceLine {
    SubstanceLine {
        name: Some(name.into()),
        hazard_classes: classes.iter().map(|s| (*s).to_owned()).collect(),
        quantity_tonnes: q.into(),
        ..Default::default()
    }
}

fn input(code: &str, enterprise_id: i64, pop: i64, subs: Vec<SubstanceLine>) -> InstallationInput {
    InstallationInput {
        enterprise_id,
        code: code.into(),
        name: format!("单元{code}"),
        unit_kind: "storage".into(),
        location: Some("罐区".into()),
        longitude: Some(118.8),
        latitude: Some(32.0),
        exposed_population: pop,
        beta_rule: "max".into(),
        substances: subs,
        filing_status: "not_filed".into(),
        filing_date: None,
        filing_number: None,
        principal_name: Some("张总".into()),
        principal_phone: Some("13800000001".into()),
        technical_name: Some("李工".into()),
        technical_phone: None,
        operational_name: Some("王班长".into()),
        operational_phone: None,
        camera_links: vec![CameraLink {
            name: "罐区东".into(),
            url: "rtsp://10.0.0.5/ch1".into(),
        }],
        sensor_ids: vec![],
        remark: None,
    }
}

async fn crud_grade_and_history(store: Store) {
    let (e1, _) = two_enterprises(&store).await;
    let now = t("2026-03-10T02:00:00Z");
    // 氯 4.6 t: S = 0.92, not major.
    let v = store
        .create_installation(
            input("MH-1", e1, 100, vec![sub("氯", &[], "4.6")]),
            &who(),
            &all(),
            now,
        )
        .await
        .unwrap();
    let id = v.installation.id;
    assert_eq!(v.installation.s_exact, "23/25");
    assert!(!v.installation.is_major);
    assert_eq!(v.installation.grade, None);
    assert_eq!(v.camera_links.len(), 1);
    let working: serde_json::Value = serde_json::from_str(&v.installation.working).unwrap();
    assert_eq!(working["substances"][0]["thresholdTonnes"], 5.0);
    assert_eq!(working["alpha"], 2.0);
    // Only a descriptive change: no new assessment.
    let mut p = input("MH-1", e1, 100, vec![sub("氯", &[], "4.6")]);
    p.name = "液氯库".into();
    p.filing_status = "filed".into();
    p.filing_date = NaiveDate::from_ymd_opt(2026, 1, 5);
    p.filing_number = Some("宁危备〔2026〕001".into());
    let (v, written) = store
        .update_installation(id, p, &who(), &all(), now)
        .await
        .unwrap();
    assert!(written.is_none());
    assert_eq!(v.installation.filing_status, "filed");
    // 氯 5.25 t: S = 1.05 ≥ 1, α = 2, R = 2 × 4 × 1.05 = 8.4 → 四级.
    let (v, written) = store
        .update_installation(
            id,
            input("MH-1", e1, 100, vec![sub("氯", &[], "5.25")]),
            &who(),
            &all(),
            t("2026-03-11T02:00:00Z"),
        )
        .await
        .unwrap();
    let a = written.unwrap();
    assert_eq!(a.trigger, "inventory");
    assert_eq!(a.previous_is_major, Some(false));
    assert!(
        a.reason.contains("S 0.92 → 1.05：跨越 S = 1"),
        "{}",
        a.reason
    );
    assert_eq!(v.installation.grade, Some(4));
    // Population 100 → 20: α 2 → 1, R 8.4 → 4.2, still 四级; trigger population.
    // Then inventory to 氯 31.25 t at α = 2: R = 50 → 二级.
    let (_, written) = store
        .update_installation(
            id,
            input("MH-1", e1, 20, vec![sub("氯", &[], "5.25")]),
            &who(),
            &all(),
            t("2026-03-12T02:00:00Z"),
        )
        .await
        .unwrap();
    let a = written.unwrap();
    assert_eq!(a.trigger, "population");
    assert!(a.reason.starts_with("暴露人数 100 → 20"), "{}", a.reason);
    let (v, written) = store
        .update_installation(
            id,
            input("MH-1", e1, 100, vec![sub("氯", &[], "31.25")]),
            &who(),
            &all(),
            t("2026-03-13T02:00:00Z"),
        )
        .await
        .unwrap();
    let a = written.unwrap();
    assert_eq!(a.previous_grade, Some(4));
    assert_eq!(a.grade, Some(2));
    assert!(a.reason.contains("四级 → 二级"), "{}", a.reason);
    assert_eq!(v.installation.r_exact.as_deref(), Some("50"));
    let m = store
        .reassess_installation(
            id,
            Some("年度复核"),
            &who(),
            &all(),
            t("2026-03-14T02:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(m.trigger, "manual");
    let h = store.installation_assessments(id, &all()).await.unwrap();
    let triggers: Vec<&str> = h.iter().map(|a| a.trigger.as_str()).collect();
    assert_eq!(
        triggers,
        ["manual", "inventory", "population", "inventory", "create"]
    );
    // Filters.
    let f = |g: Option<i16>, m: Option<bool>| InstallationFilter {
        grade: g,
        is_major: m,
        ..Default::default()
    };
    assert_eq!(
        store
            .list_installations(&f(Some(2), None), &all(), page(10))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        store
            .list_installations(&f(None, Some(false)), &all(), page(10))
            .await
            .unwrap()
            .total,
        0
    );
    let filed = InstallationFilter {
        filing_status: Some("filed".into()),
        keyword: Some("MH".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_installations(&filed, &all(), page(10))
            .await
            .unwrap()
            .total,
        0,
        "the last replace set not_filed"
    );
    assert_eq!(store.delete_installation(id, &all()).await.unwrap(), e1);
    assert!(matches!(
        store.get_installation(id, &all()).await,
        Err(StoreError::NotFound)
    ));
}

async fn validation_and_scope(store: Store) {
    let (e1, e2) = two_enterprises(&store).await;
    let now = t("2026-03-10T02:00:00Z");
    let mut bad = input(
        "",
        e1,
        -5,
        vec![
            SubstanceLine {
                cas: Some("7782-50-6".into()),
                quantity_tonnes: "1".into(),
                ..Default::default()
            },
            sub("甲醇", &["W5.3"], "-1"),
            SubstanceLine {
                variant: Some(200),
                quantity_tonnes: "1".into(),
                ..Default::default()
            },
        ],
    );
    bad.unit_kind = "tank".into();
    bad.filing_status = "filed".into();
    bad.camera_links[0].url = "javascript:alert(1)".into();
    bad.sensor_ids = vec![999_999];
    let f = fields(
        store
            .create_installation(bad, &who(), &all(), now)
            .await
            .unwrap_err(),
    );
    for k in [
        "code",
        "exposedPopulation",
        "unitKind",
        "substances[0].cas",
        "substances[1].quantityTonnes",
        "substances[2].variant",
        "filingDate",
        "filingNumber",
        "cameraLinks[0].url",
        "sensorIds[0]",
    ] {
        assert!(f.contains(&k.to_owned()), "{k} missing in {f:?}");
    }
    assert_eq!(
        store
            .list_installations(&InstallationFilter::default(), &all(), page(10))
            .await
            .unwrap()
            .total,
        0
    );
    // Duplicate code in the same enterprise.
    let ok = || input("MH-1", e1, 10, vec![sub("液氨", &[], "12")]);
    store
        .create_installation(ok(), &who(), &all(), now)
        .await
        .unwrap();
    assert_eq!(
        fields(
            store
                .create_installation(ok(), &who(), &all(), now)
                .await
                .unwrap_err()
        ),
        ["code"]
    );
    // Another enterprise may use the code.
    store
        .create_installation(
            input("MH-1", e2, 10, vec![sub("甲醇", &["W5.3"], "600")]),
            &who(),
            &all(),
            now,
        )
        .await
        .unwrap();
    // Enterprise scope: sees its own only, cannot write for another.
    let ent1 = ScopeFilter {
        user_id: 1,
        scopes: vec![DataScope::Enterprise],
        region_path: None,
        department_id: None,
        enterprise_id: Some(e1),
    };
    let l = store
        .list_installations(&InstallationFilter::default(), &ent1, page(10))
        .await
        .unwrap();
    assert_eq!(l.total, 1);
    assert_eq!(l.rows[0].installation.enterprise_id, e1);
    assert_eq!(
        fields(
            store
                .create_installation(
                    input("MH-2", e2, 10, vec![sub("氨", &[], "1")]),
                    &who(),
                    &ent1,
                    now
                )
                .await
                .unwrap_err()
        ),
        ["enterpriseId"]
    );
    let other = store
        .list_installations(
            &InstallationFilter {
                enterprise_id: Some(e2),
                ..Default::default()
            },
            &all(),
            page(10),
        )
        .await
        .unwrap()
        .rows[0]
        .installation
        .id;
    assert!(matches!(
        store.get_installation(other, &ent1).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_installation(other, &ent1).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.installation_assessments(other, &ent1).await,
        Err(StoreError::NotFound)
    ));
}

fn sensor(code: &str, enterprise_id: i64) -> SensorInput {
    SensorInput {
        code: code.into(),
        name: format!("传感器{code}"),
        device_id: None,
        enterprise_id,
        installation_id: None,
        risk_point_id: None,
        quantity: "pressure".into(),
        unit: "kPa".into(),
        range_low: Some(0.0),
        range_high: Some(4000.0),
        sampling_period_s: 10,
        stale_after: 0,
        area: None,
        settings: serde_json::Value::Null,
        status: "active".into(),
    }
}

async fn sensors_and_grades_per_enterprise(store: Store) {
    let (e1, e2) = two_enterprises(&store).await;
    let now = t("2026-03-10T02:00:00Z");
    let s1 = store
        .create_sensor(sensor("S-1", e1), &all())
        .await
        .unwrap();
    let s2 = store
        .create_sensor(sensor("S-2", e2), &all())
        .await
        .unwrap();
    let mut p = input("MH-1", e1, 100, vec![sub("氯", &[], "62.5")]);
    p.sensor_ids = vec![s2.id];
    assert_eq!(
        fields(
            store
                .create_installation(p.clone(), &who(), &all(), now)
                .await
                .unwrap_err()
        ),
        ["sensorIds[0]"]
    );
    p.sensor_ids = vec![s1.id, s1.id];
    let v = store
        .create_installation(p, &who(), &all(), now)
        .await
        .unwrap();
    assert_eq!(v.sensor_ids, [s1.id]);
    assert_eq!(v.installation.grade, Some(1));
    let linked = store
        .installation_sensors(v.installation.id, &all())
        .await
        .unwrap();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].code, "S-1");
    assert_eq!(linked[0].value, None);
    // A second installation of e1, 三级; one of e2 not major.
    store
        .create_installation(
            input("MH-2", e1, 100, vec![sub("氯", &[], "10")]),
            &who(),
            &all(),
            now,
        )
        .await
        .unwrap();
    store
        .create_installation(
            input("MH-1", e2, 0, vec![sub("甲醇", &["W5.3"], "100")]),
            &who(),
            &all(),
            now,
        )
        .await
        .unwrap();
    let g = store.installation_grades(None).await.unwrap();
    assert_eq!(g, vec![(e1, Some(1), 2), (e2, None, 0)]);
    let g = store.installation_grades(Some(&[e2])).await.unwrap();
    assert_eq!(g, vec![(e2, None, 0)]);
    assert!(
        store
            .installation_grades(Some(&[]))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn synthetic_installations(store: Store) {
    let (e1, e2) = two_enterprises(&store).await;
    let now = t("2026-03-10T02:00:00Z");
    let n = store
        .generate_synthetic_installations((e1, e2), now)
        .await
        .unwrap();
    assert!((2..=6).contains(&n), "{n}");
    let l = store
        .list_installations(&InstallationFilter::default(), &all(), page(50))
        .await
        .unwrap();
    assert_eq!(l.total, n);
    for v in &l.rows {
        let h = store
            .installation_assessments(v.installation.id, &all())
            .await
            .unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].trigger, "create");
        assert_eq!(h[0].grade, v.installation.grade);
        assert!(h[0].reason.starts_with("首次辨识"), "{}", h[0].reason);
    }
    let g = store.installation_grades(None).await.unwrap();
    assert_eq!(g.len(), 2);
    assert!(
        store
            .generate_synthetic_installations((e1, e2), now)
            .await
            .is_err(),
        "codes are unique per enterprise"
    );
}
