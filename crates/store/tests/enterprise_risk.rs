//! Conformance of the dynamic enterprise risk storage (`anjian_store::enterprise_risk`, m0008):
//! inputs gathered in bulk equal the inputs gathered one enterprise at a time, the score and the
//! breakdown, the history written only on a change, the weights parameter, the ranking's filters
//! and scope. Every test runs on SQLite, and on PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::dual_prevention::risk_control::AssessmentInput;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::page::Page;
use anjian_domain::situation::{ItemKind, Weights};
use anjian_domain::standards::risk::RiskLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::enterprise_risk::EnterpriseRiskFilter;
use anjian_store::migrations::m0008_situation::DEFAULT_WEIGHTS;
use anjian_store::testing::TestDb;
use anjian_store::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};

anjian_store::both_databases!(
    with_raw:
    score_breakdown_and_history,
    bulk_inputs_equal_single_inputs,
    weights_parameter,
    ranking_filters_and_scope,
);

#[test]
fn default_weights_are_the_migration_parameter() {
    let stored: serde_json::Value = serde_json::from_str(DEFAULT_WEIGHTS).unwrap();
    assert_eq!(serde_json::to_value(Weights::default()).unwrap(), stored);
    assert_eq!(Weights::parse(DEFAULT_WEIGHTS).unwrap(), Weights::default());
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}

fn page(size: u64) -> Page {
    Page::new(Some(1), Some(size)).unwrap()
}

/// Runs `sql` with `?` placeholders (turned into `$n` on PostgreSQL).
async fn exec(db: &DatabaseConnection, sql: &str, values: Vec<Value>) {
    let backend = db.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        let mut out = String::new();
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    db.execute_raw(Statement::from_sql_and_values(backend, sql.clone(), values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn installation(
    db: &DatabaseConnection,
    enterprise_id: i64,
    code: &str,
    is_major: bool,
    grade: Option<i16>,
    filing: &str,
    now: DateTime<Utc>,
) {
    exec(
        db,
        "INSERT INTO major_hazard_installations (enterprise_id, code, name, unit_kind, \
         exposed_population, beta_rule, substances, s_exact, s, is_major, grade, working, \
         filing_status, camera_links, created_at, updated_at) \
         VALUES (?, ?, ?, 'storage', 10, 'default', '[]', '1', 1.0, ?, ?, '{}', ?, '[]', ?, ?)",
        vec![
            enterprise_id.into(),
            code.into(),
            format!("{code}储罐区").into(),
            is_major.into(),
            Value::SmallInt(grade),
            filing.into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
}

#[allow(clippy::too_many_arguments)]
async fn hidden_danger(
    db: &DatabaseConnection,
    code: &str,
    enterprise_id: i64,
    level: &str,
    status: &str,
    deadline_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) {
    exec(
        db,
        "INSERT INTO hidden_dangers (code, enterprise_id, source, description, photo_ids, level, \
         status, reporter_name, reported_at, deadline, deadline_at, evidence_ids, \
         escalation_level, created_at, updated_at) \
         VALUES (?, ?, 'ad_hoc', '消防通道堵塞', '[]', ?, ?, '张三', ?, ?, ?, '[]', 0, ?, ?)",
        vec![
            code.into(),
            enterprise_id.into(),
            level.into(),
            status.into(),
            now.into(),
            Value::ChronoDate(deadline_at.map(|d| d.date_naive())),
            Value::ChronoDateTimeUtc(deadline_at),
            now.into(),
            now.into(),
        ],
    )
    .await;
}

fn alarm_row(id: i64, enterprise_id: i64, sensor_id: i64, source: &str) -> AlarmRow {
    AlarmRow {
        id,
        source_kind: "sensor".into(),
        source: source.into(),
        condition: "high_high".into(),
        enterprise_id: Some(enterprise_id),
        sensor_id: Some(sensor_id),
        device_id: None,
        priority: "high".into(),
        state: "unacknowledged".into(),
        active: true,
        acknowledged: false,
        started_at: 1_000,
        cleared_at: None,
        ended_at: None,
        acked_at: None,
        acked_by: None,
        ack_comment: None,
        closed_by: None,
        close_reason: None,
        shelved_until: None,
        first_value: Some(2950.0),
        last_value: Some(2950.0),
        chattering: false,
        updated_at: 1_000,
    }
}

async fn write_alarms(store: &Store, alarms: Vec<AlarmRow>) {
    store
        .write_telemetry(&TelemetryBatch {
            alarms,
            ..Default::default()
        })
        .await
        .unwrap();
}

struct World {
    district: i64,
    e1: i64,
    e2: i64,
    sensor: i64,
}

async fn enterprise(store: &Store, n: u32, name: &str, region_id: i64) -> i64 {
    let draft = EnterpriseInput {
        name: name.into(),
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
    .unwrap();
    store.create_enterprise(draft, None).await.unwrap().id
}

async fn world(store: &Store) -> World {
    let d = store
        .create_region(RegionInput {
            parent_id: None,
            code: "320102".into(),
            name: "玄武区".into(),
            level: RegionLevel::District,
            sort: 0,
        })
        .await
        .unwrap();
    let street = store
        .create_region(RegionInput {
            parent_id: Some(d.id),
            code: "320102001".into(),
            name: "梅园街道".into(),
            level: RegionLevel::Street,
            sort: 0,
        })
        .await
        .unwrap();
    let other = store
        .create_region(RegionInput {
            parent_id: None,
            code: "320104".into(),
            name: "秦淮区".into(),
            level: RegionLevel::District,
            sort: 1,
        })
        .await
        .unwrap();
    let e1 = enterprise(store, 1, "甲化工有限公司", street.id).await;
    let e2 = enterprise(store, 2, "乙仓储有限公司", other.id).await;
    let s = store
        .create_sensor(
            SensorInput {
                code: "T-101".into(),
                name: "反应器压力".into(),
                device_id: None,
                enterprise_id: e1,
                installation_id: None,
                risk_point_id: None,
                quantity: "pressure".into(),
                unit: "kPa".into(),
                range_low: Some(0.0),
                range_high: Some(4000.0),
                sampling_period_s: 1,
                stale_after: 0,
                area: None,
                settings: serde_json::json!({"limits": [{"kind": "high_high", "value": 2800.0, "priority": "high"}]}),
                status: "active".into(),
            },
            &all(),
        )
        .await
        .unwrap();
    World {
        district: d.id,
        e1,
        e2,
        sensor: s.id,
    }
}

async fn risk_point(store: &Store, e: i64, code: &str, lec: (f64, f64, f64), now: DateTime<Utc>) {
    let p = store
        .create_risk_point(
            RiskPointInput {
                enterprise_id: e,
                code: code.into(),
                name: format!("风险点{code}"),
                kind: "area".into(),
                location: None,
                hazard_factors: vec!["1".into()],
                accident_types: vec!["08".into()],
                responsible_person: None,
                responsible_phone: None,
                consequences: None,
                emergency_actions: None,
                emergency_contacts: None,
                review_cycle_months: None,
                status: "active".into(),
            },
            &all(),
            now,
        )
        .await
        .unwrap();
    store
        .assess_risk_point(
            p.id,
            NewAssessment {
                input: AssessmentInput::Lec {
                    l: lec.0,
                    e: lec.1,
                    c: lec.2,
                },
                assessor: "王工".into(),
                assessed_on: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                note: None,
                reason: None,
            },
            7,
            &all(),
            now,
        )
        .await
        .unwrap();
}

/// e1: a 二级 installation (30; a cancelled 一级 and a non-major one do not count), a 较大 risk
/// point (15; and a 一般 one), one active high-priority HH alarm (15; a shelved, an ended and a
/// returned one do not count), two overdue hidden dangers (16) and one open major one (20).
async fn populate(store: &Store, raw: &DatabaseConnection, w: &World, now: DateTime<Utc>) {
    installation(raw, w.e1, "MH-1", true, Some(2), "filed", now).await;
    installation(raw, w.e1, "MH-2", true, Some(1), "cancelled", now).await;
    installation(raw, w.e1, "MH-3", false, None, "not_filed", now).await;
    risk_point(store, w.e1, "RP-1", (6.0, 6.0, 7.0), now).await; // D = 252: 较大
    risk_point(store, w.e1, "RP-2", (3.0, 6.0, 7.0), now).await; // D = 126: 一般
    let past = now - Duration::days(2);
    let future = now + Duration::days(2);
    hidden_danger(raw, "HD-1", w.e1, "general", "assigned", Some(past), now).await;
    hidden_danger(raw, "HD-2", w.e1, "general", "submitted", Some(past), now).await;
    hidden_danger(
        raw,
        "HD-3",
        w.e1,
        "general",
        "in_remediation",
        Some(future),
        now,
    )
    .await;
    hidden_danger(raw, "HD-4", w.e1, "general", "closed", Some(past), now).await;
    hidden_danger(raw, "HD-5", w.e1, "major", "reported", None, now).await;
    hidden_danger(raw, "HD-6", w.e1, "major", "rejected", None, now).await;
    let mut shelved = alarm_row(2, w.e1, w.sensor, "T-101");
    shelved.state = "shelved".into();
    shelved.condition = "high".into();
    let mut ended = alarm_row(3, w.e1, w.sensor, "T-101");
    ended.ended_at = Some(2_000);
    ended.condition = "low".into();
    let mut returned = alarm_row(4, w.e1, w.sensor, "T-101");
    returned.active = false;
    returned.state = "returned_unacknowledged".into();
    returned.condition = "low_low".into();
    write_alarms(
        store,
        vec![
            alarm_row(1, w.e1, w.sensor, "T-101"),
            shelved,
            ended,
            returned,
        ],
    )
    .await;
}

async fn score_breakdown_and_history(store: Store, raw: DatabaseConnection) {
    let now = t("2026-06-01T02:00:00Z");
    let w = world(&store).await;
    populate(&store, &raw, &w, now).await;

    let o = store
        .recompute_enterprise_risks(None, "startup", now)
        .await
        .unwrap();
    assert_eq!((o.computed, o.changed), (2, 2));
    let r = store.enterprise_risk(w.e1, &all(), now).await.unwrap();
    assert_eq!(r.inherent_score, 30 + 15);
    assert_eq!(r.live_score, 15 + 16 + 20);
    assert_eq!(r.score, 96);
    assert_eq!(r.level, RiskLevel::Major);
    assert_eq!(r.enterprise_name, "甲化工有限公司");
    assert_eq!(r.region_name.as_deref(), Some("梅园街道"));
    let alarm = r
        .breakdown
        .iter()
        .find(|b| b.kind == ItemKind::ActiveAlarm)
        .expect("the alarm item");
    assert_eq!(alarm.text, "1 条高高报警活动中：T-101 反应器压力 2950 kPa");
    assert_eq!(alarm.refs, vec![1]);
    let by = |k| r.breakdown.iter().find(|b| b.kind == k).unwrap();
    assert_eq!(by(ItemKind::OverdueHiddenDanger).count, 2);
    assert_eq!(by(ItemKind::MajorHiddenDanger).count, 1);
    assert_eq!(
        by(ItemKind::Installation).text,
        "二级重大危险源：MH-1储罐区"
    );
    assert_eq!(by(ItemKind::RiskPoint).points, 15);
    assert!(
        r.summary.starts_with("红色：1 条高高报警活动中"),
        "{}",
        r.summary
    );
    let r2 = store.enterprise_risk(w.e2, &all(), now).await.unwrap();
    assert_eq!((r2.score, r2.level), (0, RiskLevel::Low));

    // Nothing changed: no history row, the row's computed_at moves.
    let later = now + Duration::minutes(1);
    let o = store
        .recompute_enterprise_risks(None, "manual", later)
        .await
        .unwrap();
    assert_eq!((o.computed, o.changed), (2, 0));
    let r = store.enterprise_risk(w.e1, &all(), later).await.unwrap();
    assert_eq!(r.computed_at, later);
    assert_eq!(r.changed_at, now);
    let h = store
        .enterprise_risk_history(w.e1, None, None, page(10), &all())
        .await
        .unwrap();
    assert_eq!(h.total, 1);
    assert_eq!(h.rows[0].trigger, "startup");

    // The alarm clears: the score falls by 15; one history row with the cause.
    let mut cleared = alarm_row(1, w.e1, w.sensor, "T-101");
    cleared.active = false;
    cleared.state = "returned_unacknowledged".into();
    write_alarms(&store, vec![cleared]).await;
    let t2 = later + Duration::minutes(1);
    let o = store
        .recompute_enterprise_risks(Some(&[w.e1, w.e2, 999_999]), "alarm", t2)
        .await
        .unwrap();
    assert_eq!((o.computed, o.changed), (2, 1));
    let r = store.enterprise_risk(w.e1, &all(), t2).await.unwrap();
    assert_eq!((r.score, r.level, r.changed_at), (81, RiskLevel::Major, t2));
    assert!(!r.breakdown.iter().any(|b| b.kind == ItemKind::ActiveAlarm));
    let h = store
        .enterprise_risk_history(w.e1, None, None, page(10), &all())
        .await
        .unwrap();
    assert_eq!(h.total, 2);
    assert_eq!((h.rows[0].score, h.rows[0].trigger.as_str()), (81, "alarm"));
    assert_eq!(
        (h.rows[1].score, h.rows[1].trigger.as_str()),
        (96, "startup")
    );
    // The history's time window.
    let h = store
        .enterprise_risk_history(w.e1, Some(later), None, page(10), &all())
        .await
        .unwrap();
    assert_eq!(h.total, 1);

    // A deadline passing by time alone: the periodic pass finds the enterprise.
    hidden_danger(
        &raw,
        "HD-7",
        w.e2,
        "general",
        "assigned",
        Some(t2 + Duration::hours(1)),
        t2,
    )
    .await;
    let found = store
        .enterprises_with_deadlines_between(t2, t2 + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(found, vec![w.e2]);
    assert!(
        store
            .enterprises_with_deadlines_between(t2 + Duration::hours(2), t2 + Duration::hours(3))
            .await
            .unwrap()
            .is_empty()
    );
    let t3 = t2 + Duration::hours(2);
    store
        .recompute_enterprise_risks(Some(&found), "schedule", t3)
        .await
        .unwrap();
    let r2 = store.enterprise_risk(w.e2, &all(), t3).await.unwrap();
    assert_eq!(r2.score, 8);
    let h2 = store
        .enterprise_risk_history(w.e2, None, None, page(10), &all())
        .await
        .unwrap();
    assert_eq!(h2.rows[0].trigger, "schedule");

    // Another enterprise's history is not visible to an enterprise user.
    let mine = ScopeFilter {
        user_id: 1,
        scopes: vec![DataScope::Enterprise],
        region_path: None,
        department_id: None,
        enterprise_id: Some(w.e2),
    };
    assert!(matches!(
        store
            .enterprise_risk_history(w.e1, None, None, page(10), &mine)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.enterprise_risk(w.e1, &mine, t3).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store.enterprise_risk(w.e2, &mine, t3).await.unwrap().score,
        8
    );
}

async fn bulk_inputs_equal_single_inputs(store: Store, raw: DatabaseConnection) {
    let now = t("2026-06-01T02:00:00Z");
    let w = world(&store).await;
    populate(&store, &raw, &w, now).await;
    // A synthetic city on top: 60 enterprises with hidden dangers and active alarms.
    let spec = synthetic::SyntheticSpec {
        enterprises: 60,
        hidden_dangers: 3_000,
        sensors: 20,
        readings: 200,
        alarms: 200,
        active_alarms: 15,
    };
    store.generate_synthetic_city(&spec, now).await.unwrap();
    let bulk = store.dynamic_risk_inputs(None, now).await.unwrap();
    assert_eq!(bulk.len(), 62);
    let with_alarms = bulk.values().filter(|i| !i.alarms.is_empty()).count();
    assert!(with_alarms > 1, "the synthetic active alarms are found");
    assert!(
        bulk.values()
            .filter(|i| i.overdue_hidden_dangers > 0)
            .count()
            > 1
    );
    for (id, inputs) in &bulk {
        let one = store
            .dynamic_risk_inputs(Some(&[*id]), now)
            .await
            .unwrap()
            .remove(id)
            .unwrap();
        let mut a = one.alarms.clone();
        let mut b = inputs.alarms.clone();
        a.sort_by_key(|x| x.alarm_id);
        b.sort_by_key(|x| x.alarm_id);
        assert_eq!(a, b, "enterprise {id}");
        assert_eq!(one.installation, inputs.installation);
        assert_eq!(one.risk_point, inputs.risk_point);
        assert_eq!(one.overdue_hidden_dangers, inputs.overdue_hidden_dangers);
        assert_eq!(one.major_hidden_dangers, inputs.major_hidden_dangers);
    }
    let o = store
        .recompute_enterprise_risks(None, "startup", now)
        .await
        .unwrap();
    assert_eq!(o.computed, 62);
    let levels = store.enterprise_risk_levels().await.unwrap();
    assert_eq!(levels.values().sum::<u64>(), 62);
}

async fn weights_parameter(store: Store, raw: DatabaseConnection) {
    let now = t("2026-06-01T02:00:00Z");
    let w = world(&store).await;
    populate(&store, &raw, &w, now).await;
    assert_eq!(
        store.dynamic_risk_weights().await.unwrap(),
        Weights::default()
    );
    let param = store
        .list_params()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.param_key == "risk.dynamicWeights")
        .expect("the parameter is seeded");
    // Raise the level edges: 96 is now only 较大.
    let mut custom = Weights::default();
    custom.levels.major = 100;
    store
        .update_param(
            param.id,
            ParamInput {
                param_key: param.param_key.clone(),
                name: param.name.clone(),
                value: serde_json::to_string(&custom).unwrap(),
                remark: param.remark.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.dynamic_risk_weights().await.unwrap(), custom);
    store
        .recompute_enterprise_risks(Some(&[w.e1]), "manual", now)
        .await
        .unwrap();
    let r = store.enterprise_risk(w.e1, &all(), now).await.unwrap();
    assert_eq!((r.score, r.level), (96, RiskLevel::High));
    assert!(r.summary.starts_with("橙色："));
    // An invalid document (stored behind the API's back): the defaults apply.
    store
        .update_param(
            param.id,
            ParamInput {
                param_key: param.param_key.clone(),
                name: param.name.clone(),
                value: r#"{"levels":{"major":1}}"#.into(),
                remark: param.remark.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.dynamic_risk_weights().await.unwrap(),
        Weights::default()
    );
    store
        .recompute_enterprise_risks(Some(&[w.e1]), "manual", now)
        .await
        .unwrap();
    let r = store.enterprise_risk(w.e1, &all(), now).await.unwrap();
    assert_eq!(r.level, RiskLevel::Major);
}

async fn ranking_filters_and_scope(store: Store, raw: DatabaseConnection) {
    let now = t("2026-06-01T02:00:00Z");
    let w = world(&store).await;
    populate(&store, &raw, &w, now).await;
    hidden_danger(&raw, "HD-9", w.e2, "major", "confirmed", None, now).await;
    store
        .recompute_enterprise_risks(None, "startup", now)
        .await
        .unwrap();
    let list = |f: EnterpriseRiskFilter, scope: ScopeFilter| {
        let store = store.clone();
        async move {
            store
                .list_enterprise_risks(&f, page(10), &scope)
                .await
                .unwrap()
        }
    };
    let p = list(EnterpriseRiskFilter::default(), all()).await;
    assert_eq!(p.total, 2);
    assert_eq!(p.rows[0].enterprise_id, w.e1);
    assert_eq!(p.rows[1].enterprise_id, w.e2);
    assert_eq!((p.rows[1].score, p.rows[1].level), (20, RiskLevel::Medium));
    assert_eq!(p.rows[1].region_name.as_deref(), Some("秦淮区"));
    let p = list(
        EnterpriseRiskFilter {
            level: Some(RiskLevel::Medium),
            ..Default::default()
        },
        all(),
    )
    .await;
    assert_eq!(p.total, 1);
    assert_eq!(p.rows[0].enterprise_id, w.e2);
    // The district includes its street.
    let p = list(
        EnterpriseRiskFilter {
            region_id: Some(w.district),
            ..Default::default()
        },
        all(),
    )
    .await;
    assert_eq!(p.total, 1);
    assert_eq!(p.rows[0].enterprise_id, w.e1);
    let p = list(
        EnterpriseRiskFilter {
            name: Some("仓储".into()),
            ..Default::default()
        },
        all(),
    )
    .await;
    assert_eq!(p.total, 1);
    assert_eq!(p.rows[0].enterprise_id, w.e2);
    let p = list(
        EnterpriseRiskFilter {
            name: Some("100%".into()),
            ..Default::default()
        },
        all(),
    )
    .await;
    assert_eq!(p.total, 0);
    let p = list(
        EnterpriseRiskFilter {
            region_id: Some(999_999),
            ..Default::default()
        },
        all(),
    )
    .await;
    assert_eq!(p.total, 0);
    // An enterprise manager sees only their own.
    let own = ScopeFilter {
        user_id: 1,
        scopes: vec![DataScope::Enterprise],
        region_path: None,
        department_id: None,
        enterprise_id: Some(w.e2),
    };
    let p = list(EnterpriseRiskFilter::default(), own.clone()).await;
    assert_eq!(p.total, 1);
    assert_eq!(p.rows[0].enterprise_id, w.e2);
    assert_eq!(
        store.visible_enterprise_ids(None, &own).await.unwrap(),
        vec![w.e2]
    );
    assert_eq!(
        store
            .visible_enterprise_ids(Some(&[w.e1, w.e2]), &own)
            .await
            .unwrap(),
        vec![w.e2]
    );
    // Paging.
    let p = store
        .list_enterprise_risks(
            &EnterpriseRiskFilter::default(),
            Page::new(Some(2), Some(1)).unwrap(),
            &all(),
        )
        .await
        .unwrap();
    assert_eq!((p.total, p.rows.len()), (2, 1));
    assert_eq!(p.rows[0].enterprise_id, w.e2);
}

/// The full pass on the benchmark city (10,000 enterprises, 1,000,000 hidden dangers, 300 active
/// alarms): run by hand with `--ignored --nocapture`; prints the time of the full recomputation.
#[tokio::test]
#[ignore]
async fn ten_thousand_enterprises() {
    let mut dbs = vec![TestDb::sqlite()];
    if let Some(pg) = TestDb::postgres().await {
        dbs.push(pg);
    }
    for db in dbs {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let now = Utc::now();
        let spec = synthetic::SyntheticSpec {
            readings: 1_000,
            ..Default::default()
        };
        store.generate_synthetic_city(&spec, now).await.unwrap();
        for (trigger, expect_changed) in [("startup", true), ("manual", false)] {
            let started = std::time::Instant::now();
            let o = store
                .recompute_enterprise_risks(None, trigger, now)
                .await
                .unwrap();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{}: full recomputation ({trigger}) of {} enterprises, {} changed: {secs:.2} s",
                store.backend_name(),
                o.computed,
                o.changed
            );
            assert_eq!(o.computed, 10_000);
            assert_eq!(o.changed > 0, expect_changed);
            assert!(secs < 20.0, "{secs} s");
        }
        for round in 0..3 {
            let started = std::time::Instant::now();
            store
                .dynamic_risk_inputs(Some(&[1, 2, 3]), now)
                .await
                .unwrap();
            let inputs = started.elapsed().as_secs_f64() * 1000.0;
            let started = std::time::Instant::now();
            store
                .recompute_enterprise_risks(Some(&[1, 2, 3]), "alarm", now)
                .await
                .unwrap();
            println!(
                "{}: round {round}: inputs of 3 enterprises {inputs:.1} ms, recomputation of 3 enterprises {:.1} ms",
                store.backend_name(),
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
        store.close().await;
        db.drop_db().await;
    }
}
