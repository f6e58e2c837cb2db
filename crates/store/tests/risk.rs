//! Conformance of the risk storage (m0005): every test runs on SQLite, and on PostgreSQL when
//! `ANJIAN_TEST_POSTGRES_URL` is set. Each test gets a fresh database.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::dual_prevention::risk_control::AssessmentInput;
use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::org::RegionLevel;
use anjian_domain::page::Page;
use anjian_domain::standards::risk::RiskLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::*;
use chrono::{DateTime, NaiveDate, Utc};

anjian_store::both_databases!(
    menus_grants_dictionaries_and_param,
    point_crud_validation_and_scope,
    level_follows_latest_assessment_and_history,
    as_of_list,
    measures_and_management_gap,
    review_filters_and_reminders,
);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn page(size: u64) -> Page {
    Page::new(Some(1), Some(size)).unwrap()
}
fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}
fn scope(scopes: &[DataScope]) -> ScopeFilter {
    ScopeFilter {
        user_id: 1,
        scopes: scopes.to_vec(),
        region_path: None,
        department_id: None,
        enterprise_id: None,
    }
}
fn uscc(n: u32) -> String {
    Uscc::with_check_character(&format!("91320102{n:09}"))
        .unwrap()
        .to_string()
}
fn draft(n: u32, region_id: i64) -> EnterpriseDraft {
    EnterpriseInput {
        name: format!("企业{n}"),
        uscc: uscc(n),
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
fn field_of(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.fields.into_keys().collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

struct World {
    d1_path: String,
    e1: i64,
    e2: i64,
}

async fn world(store: &Store) -> World {
    let mut ids = vec![];
    let mut paths = vec![];
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
        paths.push(r.path);
    }
    World {
        d1_path: paths[0].clone(),
        e1: ids[0],
        e2: ids[1],
    }
}

fn input(code: &str, enterprise_id: i64) -> RiskPointInput {
    RiskPointInput {
        enterprise_id,
        code: code.into(),
        name: format!("风险点{code}"),
        kind: "area".into(),
        location: Some("罐区".into()),
        hazard_factors: vec!["1".into()],
        accident_types: vec!["08".into(), "WSA10009".into()],
        responsible_person: Some("李四".into()),
        responsible_phone: Some("13800000000".into()),
        consequences: Some("火灾爆炸".into()),
        emergency_actions: Some("切断物料，疏散".into()),
        emergency_contacts: Some("值班室 025-1234".into()),
        review_cycle_months: None,
        status: "active".into(),
    }
}

async fn point(store: &Store, code: &str, e: i64, now: DateTime<Utc>) -> RiskPoint {
    store
        .create_risk_point(input(code, e), &all(), now)
        .await
        .unwrap()
}

fn lec(l: f64, e: f64, c: f64, on: &str, reason: Option<&str>) -> NewAssessment {
    NewAssessment {
        input: AssessmentInput::Lec { l, e, c },
        assessor: "王工".into(),
        assessed_on: d(on),
        note: None,
        reason: reason.map(str::to_owned),
    }
}

async fn menus_grants_dictionaries_and_param(store: Store) {
    let menus = store.list_menus().await.unwrap();
    for (id, perms) in [
        (500, "risk:point:list"),
        (501, "risk:point:list"),
        (502, "risk:review:list"),
        (5005, "risk:assessment:add"),
        (5012, "risk:point:export"),
    ] {
        let m = menus
            .iter()
            .find(|m| m.id == id)
            .unwrap_or_else(|| panic!("menu {id}"));
        assert_eq!(m.perms.as_deref(), Some(perms), "menu {id}");
    }
    let point = menus.iter().find(|m| m.id == 500).unwrap();
    assert_eq!(point.component.as_deref(), Some("risk/point/index"));
    assert_eq!(point.parent_id, 5);
    for (role, has, lacks) in [
        (
            "enterprise_worker",
            "risk:point:query",
            "risk:assessment:add",
        ),
        (
            "department_officer",
            "risk:review:query",
            "risk:point:export",
        ),
        ("district_inspector", "risk:point:export", "risk:point:add"),
        ("enterprise_manager", "risk:measure:remove", "none"),
    ] {
        let r = store.find_role_by_key(role).await.unwrap().unwrap();
        let perms: Vec<String> = store
            .menus_of_roles(&[r])
            .await
            .unwrap()
            .into_iter()
            .filter_map(|m| m.perms)
            .collect();
        assert!(
            perms.iter().any(|p| p == has),
            "{role} lacks {has}: {perms:?}"
        );
        assert!(!perms.iter().any(|p| p == lacks), "{role} has {lacks}");
    }
    for t in [
        "risk_point_kind",
        "control_measure_kind",
        "management_level",
        "risk_assessment_method",
    ] {
        assert!(!store.dict_data_of(t).await.unwrap().is_empty(), "{t}");
    }
    let c = store.risk_review_cycles().await.unwrap();
    assert_eq!(c.months(RiskLevel::Major), 3);
}

async fn point_crud_validation_and_scope(store: Store) {
    let w = world(&store).await;
    let now = t("2026-03-01T02:00:00Z");
    let p = point(&store, "RP-01", w.e1, now).await;
    assert_eq!(p.level, None);
    // The same code in another enterprise is fine; twice in one is not.
    point(&store, "RP-01", w.e2, now).await;
    let dup = store
        .create_risk_point(input("RP-01", w.e1), &all(), now)
        .await
        .unwrap_err();
    assert_eq!(field_of(dup), ["code"]);
    let mut bad = input("RP-02", w.e1);
    bad.kind = "room".into();
    bad.hazard_factors = vec!["9".into()];
    bad.accident_types = vec!["21".into()];
    bad.review_cycle_months = Some(0);
    bad.name = " ".into();
    let mut f = field_of(store.create_risk_point(bad, &all(), now).await.unwrap_err());
    f.sort();
    assert_eq!(
        f,
        [
            "accidentTypes[0]",
            "hazardFactors[0]",
            "kind",
            "name",
            "reviewCycleMonths"
        ]
    );
    // Scope: enterprise 1 sees its own point only; district D1 likewise; writes outside refuse.
    let ent1 = ScopeFilter {
        enterprise_id: Some(w.e1),
        ..scope(&[DataScope::Enterprise])
    };
    let district1 = ScopeFilter {
        region_path: Some(w.d1_path.clone()),
        ..scope(&[DataScope::RegionSubtree])
    };
    for s in [&ent1, &district1] {
        let l = store
            .list_risk_points(&RiskPointFilter::default(), s, page(10), now)
            .await
            .unwrap();
        assert_eq!(l.total, 1);
        assert_eq!(l.rows[0].point.enterprise_id, w.e1);
    }
    let other = store
        .list_risk_points(
            &RiskPointFilter {
                enterprise_id: Some(w.e2),
                ..Default::default()
            },
            &all(),
            page(10),
            now,
        )
        .await
        .unwrap();
    let other_id = other.rows[0].point.id;
    assert!(matches!(
        store.get_risk_point(other_id, &ent1).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        field_of(
            store
                .create_risk_point(input("X", w.e2), &ent1, now)
                .await
                .unwrap_err()
        ),
        ["enterpriseId"]
    );
    assert!(matches!(
        store.delete_risk_point(other_id, &ent1).await,
        Err(StoreError::NotFound)
    ));
    // Keyword and kind filters.
    let k = store
        .list_risk_points(
            &RiskPointFilter {
                keyword: Some("rp-0".into()),
                kind: Some("area".into()),
                ..Default::default()
            },
            &all(),
            page(10),
            now,
        )
        .await
        .unwrap();
    assert_eq!(k.total, 2);
    let mut upd = input("RP-01B", w.e1);
    upd.name = "新名称".into();
    let u = store
        .update_risk_point(p.id, upd, &ent1, now)
        .await
        .unwrap();
    assert_eq!((u.code.as_str(), u.name.as_str()), ("RP-01B", "新名称"));
    store.delete_risk_point(p.id, &ent1).await.unwrap();
    assert!(matches!(
        store.get_risk_point(p.id, &all()).await,
        Err(StoreError::NotFound)
    ));
}

async fn level_follows_latest_assessment_and_history(store: Store) {
    let w = world(&store).await;
    let now = t("2026-03-10T02:00:00Z");
    let p = point(&store, "RP-01", w.e1, now).await;
    // First assessment: 126 → medium (yellow), no reason needed.
    let (a1, c1) = store
        .assess_risk_point(p.id, lec(3.0, 6.0, 7.0, "2025-06-01", None), 7, &all(), now)
        .await
        .unwrap();
    assert_eq!(
        (a1.value, a1.level.as_str(), a1.colour.as_str()),
        (126.0, "medium", "yellow")
    );
    let c1 = c1.expect("first level is logged");
    assert_eq!((c1.from_level, c1.to_level.as_str()), (None, "medium"));
    let v = store.get_risk_point(p.id, &all()).await.unwrap().point;
    assert_eq!(v.level.as_deref(), Some("medium"));
    assert_eq!(v.next_review_due.as_deref(), Some("2026-06-01")); // medium: 12 months
    // A higher level needs a reason.
    let e = store
        .assess_risk_point(
            p.id,
            lec(6.0, 6.0, 15.0, "2025-09-01", None),
            7,
            &all(),
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(e), ["reason"]);
    // Off-scale, future and back-dated dates are refused.
    let e = store
        .assess_risk_point(
            p.id,
            lec(2.0, 6.0, 15.0, "2026-03-11", Some("x")),
            7,
            &all(),
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(e), ["assessedOn", "l"]);
    let e = store
        .assess_risk_point(p.id, lec(3.0, 6.0, 7.0, "2025-05-31", None), 7, &all(), now)
        .await
        .unwrap_err();
    assert_eq!(field_of(e), ["assessedOn"]);
    // 540 → major; same level again → no change row.
    let (_, c2) = store
        .assess_risk_point(
            p.id,
            lec(6.0, 6.0, 15.0, "2025-09-01", Some("新增储罐")),
            8,
            &all(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(c2.unwrap().from_level.as_deref(), Some("medium"));
    let (_, c3) = store
        .assess_risk_point(
            p.id,
            lec(10.0, 6.0, 15.0, "2025-09-01", None),
            8,
            &all(),
            now,
        )
        .await
        .unwrap();
    assert!(c3.is_none());
    let v = store.get_risk_point(p.id, &all()).await.unwrap().point;
    assert_eq!(
        (v.level.as_deref(), v.colour.as_deref(), v.value),
        (Some("major"), Some("red"), Some(900.0))
    );
    assert_eq!(v.next_review_due.as_deref(), Some("2025-12-01")); // major: 3 months
    // L × S: 2 × 3 = 6 → low, with a reason.
    let (a4, _) = store
        .assess_risk_point(
            p.id,
            NewAssessment {
                input: AssessmentInput::Ls { l: 2, s: 3 },
                assessor: "赵工".into(),
                assessed_on: d("2026-03-10"),
                note: Some("整改后复评".into()),
                reason: Some("增设联锁".into()),
            },
            9,
            &all(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (a4.method.as_str(), a4.value, a4.level.as_str()),
        ("ls", 6.0, "low")
    );
    let inputs: serde_json::Value = serde_json::from_str(&a4.inputs).unwrap();
    assert_eq!(inputs, serde_json::json!({"method": "ls", "l": 2, "s": 3}));
    let h = store.risk_point_history(p.id, &all()).await.unwrap();
    assert_eq!(h.assessments.len(), 4);
    type Row<'a> = (Option<&'a str>, &'a str, &'a str, Option<&'a str>, i64);
    let changes: Vec<Row> = h
        .changes
        .iter()
        .map(|c| {
            (
                c.from_level.as_deref(),
                c.to_level.as_str(),
                c.effective_on.as_str(),
                c.reason.as_deref(),
                c.changed_by,
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (None, "medium", "2025-06-01", None, 7),
            (Some("medium"), "major", "2025-09-01", Some("新增储罐"), 8),
            (Some("major"), "low", "2026-03-10", Some("增设联锁"), 9),
        ]
    );
    assert_eq!(h.changes[1].changed_at, now);
}

async fn as_of_list(store: Store) {
    let w = world(&store).await;
    let created = t("2025-01-01T00:00:00Z");
    let now = t("2026-03-10T02:00:00Z");
    let p1 = point(&store, "A", w.e1, created).await;
    let p2 = point(&store, "B", w.e1, created).await;
    let p3 = point(&store, "C", w.e2, created).await;
    // Created later, never assessed: absent from the early lists, unassessed on later ones.
    let p4 = point(&store, "D", w.e1, t("2026-01-01T00:00:00Z")).await;
    store
        .assess_risk_point(
            p1.id,
            lec(3.0, 6.0, 7.0, "2025-03-01", None),
            1,
            &all(),
            now,
        )
        .await
        .unwrap();
    store
        .assess_risk_point(
            p1.id,
            lec(6.0, 6.0, 15.0, "2025-10-01", Some("扩产")),
            1,
            &all(),
            now,
        )
        .await
        .unwrap();
    store
        .assess_risk_point(
            p2.id,
            lec(1.0, 1.0, 7.0, "2025-05-01", None),
            1,
            &all(),
            now,
        )
        .await
        .unwrap();
    store
        .assess_risk_point(
            p3.id,
            lec(6.0, 6.0, 7.0, "2025-03-01", None),
            1,
            &all(),
            now,
        )
        .await
        .unwrap();
    let levels = |rows: Vec<RiskListRow>| -> Vec<(String, Option<RiskLevel>)> {
        rows.into_iter()
            .map(|r| (r.view.point.code, r.level))
            .collect()
    };
    let l = store
        .risk_list(Some(w.e1), Some(d("2025-04-01")), &all(), 1000)
        .await
        .unwrap();
    assert_eq!(
        levels(l),
        [("A".into(), Some(RiskLevel::Medium)), ("B".into(), None)]
    );
    let l = store
        .risk_list(Some(w.e1), Some(d("2025-10-01")), &all(), 1000)
        .await
        .unwrap();
    assert_eq!(
        levels(l),
        [
            ("A".into(), Some(RiskLevel::Major)),
            ("B".into(), Some(RiskLevel::Low))
        ]
    );
    let l = store
        .risk_list(Some(w.e1), None, &all(), 1000)
        .await
        .unwrap();
    assert_eq!(
        levels(l),
        [
            ("A".into(), Some(RiskLevel::Major)),
            ("B".into(), Some(RiskLevel::Low)),
            ("D".into(), None)
        ]
    );
    let _ = p4;
    // Scope: enterprise 2 sees only C.
    let ent2 = ScopeFilter {
        enterprise_id: Some(w.e2),
        ..scope(&[DataScope::Enterprise])
    };
    let l = store
        .risk_list(None, Some(d("2025-12-31")), &ent2, 1000)
        .await
        .unwrap();
    assert_eq!(levels(l), [("C".into(), Some(RiskLevel::High))]);
}

async fn measures_and_management_gap(store: Store) {
    let w = world(&store).await;
    let now = t("2026-03-10T02:00:00Z");
    let p = point(&store, "A", w.e1, now).await;
    store
        .assess_risk_point(
            p.id,
            lec(6.0, 6.0, 15.0, "2026-03-01", None),
            1,
            &all(),
            now,
        )
        .await
        .unwrap();
    let m = |kind: &str, level: &str| MeasureInput {
        kind: kind.into(),
        content: "可燃气体检测报警并联锁切断".into(),
        management_level: level.into(),
        responsible_person: Some("张三".into()),
        sort: 1,
    };
    let gap = |v: RiskPointView| v.management_gap.map(|g| g.as_str());
    assert_eq!(
        gap(store.get_risk_point(p.id, &all()).await.unwrap()),
        Some("company")
    );
    let m1 = store
        .create_control_measure(p.id, m("engineering", "workshop"), &all(), now)
        .await
        .unwrap();
    assert_eq!(
        gap(store.get_risk_point(p.id, &all()).await.unwrap()),
        Some("company")
    );
    store
        .update_control_measure(p.id, m1.id, m("engineering", "company"), &all(), now)
        .await
        .unwrap();
    let v = store.get_risk_point(p.id, &all()).await.unwrap();
    assert_eq!((v.measure_count, gap(v)), (1, None));
    let mut f = field_of(
        store
            .create_control_measure(p.id, m("magic", "boss"), &all(), now)
            .await
            .unwrap_err(),
    );
    f.sort();
    assert_eq!(f, ["kind", "managementLevel"]);
    let q = store.get_risk_point(p.id, &all()).await.unwrap().point;
    let other = point(&store, "B", w.e1, now).await;
    assert!(matches!(
        store.delete_control_measure(other.id, m1.id, &all()).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .list_control_measures(q.id, &all())
            .await
            .unwrap()
            .len(),
        1
    );
    store
        .delete_control_measure(p.id, m1.id, &all())
        .await
        .unwrap();
    assert!(
        store
            .list_control_measures(p.id, &all())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn review_filters_and_reminders(store: Store) {
    let w = world(&store).await;
    let t0 = t("2026-01-01T00:00:00Z");
    let a = point(&store, "A", w.e1, t0).await;
    let b = point(&store, "B", w.e1, t0).await;
    // A major, assessed 2025-12-05: due 2026-03-05. B low: due 2027-01-01.
    store
        .assess_risk_point(a.id, lec(6.0, 6.0, 15.0, "2025-12-05", None), 1, &all(), t0)
        .await
        .unwrap();
    store
        .assess_risk_point(b.id, lec(1.0, 1.0, 1.0, "2026-01-01", None), 1, &all(), t0)
        .await
        .unwrap();
    let codes = |p: PageOf<RiskPointView>| -> Vec<String> {
        p.rows.into_iter().map(|v| v.point.code).collect()
    };
    let list = |due, now| {
        let store = store.clone();
        async move {
            store
                .list_risk_points(
                    &RiskPointFilter {
                        review_due: Some(due),
                        ..Default::default()
                    },
                    &all(),
                    page(10),
                    now,
                )
                .await
                .unwrap()
        }
    };
    // 2026-02-25 Shanghai: A not yet due soon (limit 03-04).
    let now = t("2026-02-25T00:00:00Z");
    assert!(codes(list(ReviewDue::Soon, now).await).is_empty());
    assert_eq!(store.remind_risk_reviews(now).await.unwrap(), 0);
    // 2026-02-26 Shanghai: due within 7 days.
    let now = t("2026-02-25T16:00:00Z");
    assert_eq!(codes(list(ReviewDue::Soon, now).await), ["A"]);
    assert_eq!(store.remind_risk_reviews(now).await.unwrap(), 1);
    assert_eq!(
        store.remind_risk_reviews(now).await.unwrap(),
        0,
        "once per due date"
    );
    // The last second of 03-05 in Shanghai: still due soon, not overdue.
    let now = t("2026-03-05T15:59:59Z");
    assert!(codes(list(ReviewDue::Overdue, now).await).is_empty());
    assert_eq!(store.remind_risk_reviews(now).await.unwrap(), 0);
    // From 03-06 00:00 Shanghai: overdue, reminded once more.
    let now = t("2026-03-05T16:00:00Z");
    assert_eq!(codes(list(ReviewDue::Overdue, now).await), ["A"]);
    assert!(codes(list(ReviewDue::Soon, now).await).is_empty());
    assert_eq!(store.remind_risk_reviews(now).await.unwrap(), 1);
    assert_eq!(store.remind_risk_reviews(now).await.unwrap(), 0);
    let reader = NotificationReader {
        user_id: 99,
        enterprise_id: Some(w.e1),
        department_id: None,
        region_id: None,
    };
    let n = store
        .list_notifications(&reader, false, page(10))
        .await
        .unwrap();
    assert_eq!(n.total, 2);
    assert!(
        n.rows
            .iter()
            .all(|r| r.link.as_deref() == Some(&*format!("/risk/point/{}", a.id)))
    );
    // A re-assessment moves the due date; the overdue list empties.
    store
        .assess_risk_point(
            a.id,
            lec(6.0, 6.0, 15.0, "2026-03-06", None),
            1,
            &all(),
            now,
        )
        .await
        .unwrap();
    assert!(codes(list(ReviewDue::Overdue, now).await).is_empty());
    let _ = w.e2;
}
