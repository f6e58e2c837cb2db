//! The situation queries (态势总览, region statistics) on a small known dataset: every count is
//! checked by hand. Runs on SQLite, and on PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set.
//!
//! The rows other modules own (dynamic risk, alarms, hidden dangers, installations) are inserted
//! straight into their tables over a second connection, so the test depends only on the schema.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::situation::{Period, SituationFilter};
use anjian_store::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection};

anjian_store::both_databases!(
    with_raw:
    map_summary_and_scope,
    feeds_top_risks_and_trends,
    region_statistics,
    boundaries
);

/// 12:00 in Asia/Shanghai.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-06-15T04:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}
fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}
fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}
fn a(s: &str) -> Alias {
    Alias::new(s)
}

struct World {
    d1: i64,
    s1: i64,
    d2: i64,
    d1_path: String,
    e1: i64,
    e2: i64,
    e3: i64,
}

async fn insert(raw: &DatabaseConnection, table: &str, cols: &[&str], values: Vec<Expr>) {
    let q = Query::insert()
        .into_table(a(table))
        .columns(cols.iter().map(|c| a(c)))
        .values_panic(values)
        .to_owned();
    raw.execute(&q).await.expect(table);
}

async fn region(store: &Store, parent: Option<i64>, code: &str, level: RegionLevel) -> Region {
    store
        .create_region(RegionInput {
            parent_id: parent,
            code: code.into(),
            name: format!("区{code}"),
            level,
            sort: 0,
        })
        .await
        .unwrap()
}

async fn enterprise(store: &Store, n: u32, region_id: i64, lonlat: Option<(f64, f64)>) -> i64 {
    let draft = EnterpriseInput {
        name: format!("企业{n}"),
        uscc: Uscc::with_check_character(&format!("91320102{n:09}"))
            .unwrap()
            .to_string(),
        address: "地址".into(),
        industry_code: "C2614".into(),
        supervision_category: if n == 3 {
            "fireworks"
        } else {
            "hazardous_chemicals"
        }
        .into(),
        scale: "small".into(),
        employee_count: 10,
        principal_name: "张三".into(),
        region_id,
        longitude: lonlat.map(|p| p.0),
        latitude: lonlat.map(|p| p.1),
        ..Default::default()
    }
    .validate()
    .unwrap();
    store.create_enterprise(draft, None).await.unwrap().id
}

#[allow(clippy::too_many_arguments)]
async fn alarm(
    raw: &DatabaseConnection,
    id: i64,
    enterprise: Option<i64>,
    priority: &str,
    state: &str,
    active: bool,
    ended: bool,
    started: DateTime<Utc>,
) {
    let ms = started.timestamp_millis();
    insert(
        raw,
        "alarms",
        &[
            "id",
            "source_kind",
            "source",
            "condition",
            "enterprise_id",
            "priority",
            "state",
            "active",
            "acknowledged",
            "started_at",
            "ended_at",
            "chattering",
            "updated_at",
        ],
        vec![
            id.into(),
            "sensor".into(),
            format!("S-{id}").into(),
            "high_high".into(),
            enterprise.into(),
            priority.into(),
            state.into(),
            active.into(),
            false.into(),
            ms.into(),
            ended.then_some(ms + 1000).into(),
            false.into(),
            ms.into(),
        ],
    )
    .await;
}

#[allow(clippy::too_many_arguments)]
async fn hidden_danger(
    raw: &DatabaseConnection,
    code: &str,
    enterprise: i64,
    level: &str,
    status: &str,
    reported: DateTime<Utc>,
    deadline_at: Option<DateTime<Utc>>,
    closed: Option<DateTime<Utc>>,
) {
    insert(
        raw,
        "hidden_dangers",
        &[
            "code",
            "enterprise_id",
            "source",
            "description",
            "photo_ids",
            "level",
            "status",
            "reporter_name",
            "reported_at",
            "deadline",
            "deadline_at",
            "evidence_ids",
            "closed_at",
            "escalation_level",
            "created_at",
            "updated_at",
        ],
        vec![
            code.into(),
            enterprise.into(),
            "ad_hoc".into(),
            format!("隐患{code}").into(),
            "[]".into(),
            level.into(),
            status.into(),
            "上报人".into(),
            reported.into(),
            deadline_at
                .map(|d| (d + Duration::hours(8)).date_naive())
                .into(),
            deadline_at.into(),
            "[]".into(),
            closed.into(),
            0i32.into(),
            reported.into(),
            reported.into(),
        ],
    )
    .await;
}

async fn installation(raw: &DatabaseConnection, enterprise: i64, code: &str, grade: Option<i16>) {
    let t = now();
    insert(
        raw,
        "major_hazard_installations",
        &[
            "enterprise_id",
            "code",
            "name",
            "unit_kind",
            "exposed_population",
            "beta_rule",
            "substances",
            "s_exact",
            "s",
            "is_major",
            "grade",
            "working",
            "filing_status",
            "camera_links",
            "created_at",
            "updated_at",
        ],
        vec![
            enterprise.into(),
            code.into(),
            format!("单元{code}").into(),
            "storage".into(),
            10i64.into(),
            "table".into(),
            "[]".into(),
            "1".into(),
            1.0f64.into(),
            grade.is_some().into(),
            grade.into(),
            "{}".into(),
            "filed".into(),
            "[]".into(),
            t.into(),
            t.into(),
        ],
    )
    .await;
}

async fn risk(raw: &DatabaseConnection, enterprise: i64, score: i32, level: &str, summary: &str) {
    let t = now();
    insert(
        raw,
        "enterprise_risks",
        &[
            "enterprise_id",
            "score",
            "level",
            "inherent_score",
            "live_score",
            "breakdown",
            "summary",
            "computed_at",
            "changed_at",
        ],
        vec![
            enterprise.into(),
            score.into(),
            level.into(),
            score.into(),
            0i32.into(),
            r#"{"items":[]}"#.into(),
            summary.into(),
            t.into(),
            t.into(),
        ],
    )
    .await;
}

/// D1 (district) with street S1, and D2. E1 in S1 (placed, major risk, grade-1 installation),
/// E2 directly in D1 (placed, medium risk, grade-3 installation), E3 in D2 (no position, not
/// assessed, a non-major installation).
async fn world(store: &Store, raw: &DatabaseConnection) -> World {
    let d1 = region(store, None, "D1", RegionLevel::District).await;
    let s1 = region(store, Some(d1.id), "S1", RegionLevel::Street).await;
    let d2 = region(store, None, "D2", RegionLevel::District).await;
    let e1 = enterprise(store, 1, s1.id, Some((118.80, 32.05))).await;
    let e2 = enterprise(store, 2, d1.id, Some((118.82, 32.06))).await;
    let e3 = enterprise(store, 3, d2.id, None).await;
    risk(raw, e1, 80, "major", "红色：1 条高高报警活动中").await;
    risk(raw, e2, 30, "medium", "黄色：1 条隐患").await;
    installation(raw, e1, "U1", Some(1)).await;
    installation(raw, e2, "U2", Some(3)).await;
    installation(raw, e3, "U3", None).await;

    let n = now();
    // a1 E1 active critical; a2 E1 shelved (not active); a3 E3 active high; a4 E2 ended 3 days
    // ago; a6 without an enterprise, active medium.
    alarm(
        raw,
        1,
        Some(e1),
        "critical",
        "unacknowledged",
        true,
        false,
        n - Duration::hours(1),
    )
    .await;
    alarm(
        raw,
        2,
        Some(e1),
        "high",
        "shelved",
        true,
        false,
        n - Duration::minutes(30),
    )
    .await;
    alarm(
        raw,
        3,
        Some(e3),
        "high",
        "acknowledged",
        true,
        false,
        n - Duration::hours(2),
    )
    .await;
    alarm(
        raw,
        4,
        Some(e2),
        "high",
        "normal",
        false,
        true,
        n - Duration::days(3),
    )
    .await;
    alarm(
        raw,
        6,
        None,
        "medium",
        "unacknowledged",
        true,
        false,
        n - Duration::minutes(5),
    )
    .await;

    // h1 E1 major overdue by 2 days; h2 E1 open, due in 5 days; h3 E2 reported yesterday; h4 E3
    // closed 2 days ago; h5 E3 submitted, overdue by 1 hour, reported 40 days ago.
    hidden_danger(
        raw,
        "H1",
        e1,
        "major",
        "in_remediation",
        n - Duration::days(20),
        Some(n - Duration::days(2)),
        None,
    )
    .await;
    hidden_danger(
        raw,
        "H2",
        e1,
        "general",
        "assigned",
        n - Duration::hours(1),
        Some(n + Duration::days(5)),
        None,
    )
    .await;
    hidden_danger(
        raw,
        "H3",
        e2,
        "general",
        "reported",
        n - Duration::days(1),
        None,
        None,
    )
    .await;
    hidden_danger(
        raw,
        "H4",
        e3,
        "general",
        "closed",
        n - Duration::days(10),
        Some(n - Duration::days(1)),
        Some(n - Duration::days(2)),
    )
    .await;
    hidden_danger(
        raw,
        "H5",
        e3,
        "general",
        "submitted",
        n - Duration::days(40),
        Some(n - Duration::hours(1)),
        None,
    )
    .await;

    World {
        d1: d1.id,
        s1: s1.id,
        d2: d2.id,
        d1_path: d1.path,
        e1,
        e2,
        e3,
    }
}

fn region_scope(path: &str) -> ScopeFilter {
    ScopeFilter {
        user_id: 99,
        scopes: vec![DataScope::RegionSubtree],
        region_path: Some(path.to_owned()),
        department_id: None,
        enterprise_id: None,
    }
}

fn enterprise_scope(e: i64) -> ScopeFilter {
    ScopeFilter {
        user_id: 99,
        scopes: vec![DataScope::Enterprise],
        region_path: None,
        department_id: None,
        enterprise_id: Some(e),
    }
}

fn kc(v: &[situation::KeyCount]) -> Vec<(String, u64)> {
    v.iter().map(|k| (k.key.clone(), k.count)).collect()
}

async fn map_summary_and_scope(store: Store, raw: DatabaseConnection) {
    let w = world(&store, &raw).await;
    let none = SituationFilter::default();

    let (points, _) = store.situation_map(&none, &all()).await.unwrap();
    assert_eq!(points.len(), 3);
    let p1 = points.iter().find(|p| p.id == w.e1).unwrap();
    assert_eq!(p1.level.as_deref(), Some("major"));
    assert_eq!(p1.score, Some(80));
    assert_eq!(p1.district_id, w.d1);
    assert_eq!(p1.region_id, w.s1);
    assert_eq!(p1.longitude, Some(118.80));
    let p3 = points.iter().find(|p| p.id == w.e3).unwrap();
    assert_eq!(
        (p3.level.clone(), p3.score, p3.longitude),
        (None, None, None)
    );
    assert_eq!(p3.district_id, w.d2);

    let s = store.situation_summary(&none, &all(), now()).await.unwrap();
    assert_eq!(s.enterprises, 3);
    assert_eq!(
        s.by_region
            .iter()
            .map(|r| (r.region_id, r.enterprises, r.major, r.medium, r.unassessed))
            .collect::<Vec<_>>(),
        vec![(w.d1, 2, 1, 1, 0), (w.d2, 1, 0, 0, 1)]
    );
    let d1 = &s.by_region[0];
    assert_eq!(
        (
            d1.active_alarms,
            d1.open_hidden_dangers,
            d1.overdue_hidden_dangers
        ),
        (1, 3, 1)
    );
    assert_eq!(
        kc(&s.by_category),
        vec![("fireworks".into(), 1), ("hazardous_chemicals".into(), 2)]
    );
    assert_eq!(
        kc(&s.by_level),
        vec![
            ("major".into(), 1),
            ("high".into(), 0),
            ("medium".into(), 1),
            ("low".into(), 0),
            ("none".into(), 1)
        ]
    );
    // a1, a3 and the enterprise-less a6 (an unrestricted scope sees it); a2 is shelved, a4 ended.
    assert_eq!(s.active_alarms, 3);
    assert_eq!(
        kc(&s.active_alarms_by_priority),
        vec![
            ("critical".into(), 1),
            ("high".into(), 1),
            ("medium".into(), 1),
            ("low".into(), 0)
        ]
    );
    assert_eq!(
        (
            s.open_hidden_dangers,
            s.open_major_hidden_dangers,
            s.overdue_hidden_dangers
        ),
        (4, 1, 2)
    );
    assert_eq!(
        kc(&s.installations_by_grade),
        vec![
            ("1".into(), 1),
            ("2".into(), 0),
            ("3".into(), 1),
            ("4".into(), 0)
        ]
    );
    assert_eq!(s.major_installations, 2);

    // Region filter D1: rows are S1 and D1 itself (E2 is registered on the district).
    let f = SituationFilter {
        region_id: Some(w.d1),
    };
    let s = store.situation_summary(&f, &all(), now()).await.unwrap();
    assert_eq!(s.enterprises, 2);
    let mut rows: Vec<(i64, u64)> = s
        .by_region
        .iter()
        .map(|r| (r.region_id, r.enterprises))
        .collect();
    rows.sort();
    let mut want = vec![(w.d1, 1), (w.s1, 1)];
    want.sort();
    assert_eq!(rows, want);
    assert_eq!(s.active_alarms, 1, "a6 has no enterprise: not in a region");
    assert_eq!((s.open_hidden_dangers, s.overdue_hidden_dangers), (3, 1));
    assert_eq!(s.major_installations, 2);

    // A district officer of D1 sees the same; an enterprise user of E3 only E3.
    let s = store
        .situation_summary(&none, &region_scope(&w.d1_path), now())
        .await
        .unwrap();
    assert_eq!(
        (s.enterprises, s.active_alarms, s.overdue_hidden_dangers),
        (2, 1, 1)
    );
    let (points, _) = store
        .situation_map(&none, &enterprise_scope(w.e3))
        .await
        .unwrap();
    assert_eq!(points.iter().map(|p| p.id).collect::<Vec<_>>(), vec![w.e3]);
    let s = store
        .situation_summary(&none, &enterprise_scope(w.e3), now())
        .await
        .unwrap();
    assert_eq!(
        (
            s.enterprises,
            s.active_alarms,
            s.open_hidden_dangers,
            s.major_installations
        ),
        (1, 1, 1, 0)
    );

    // An unknown region is a field error.
    let err = store
        .situation_summary(
            &SituationFilter {
                region_id: Some(999_999),
            },
            &all(),
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(v) if v.fields.contains_key("regionId")));
}

async fn feeds_top_risks_and_trends(store: Store, raw: DatabaseConnection) {
    let w = world(&store, &raw).await;
    let none = SituationFilter::default();

    let (total, feed) = store.situation_alarms(&none, &all(), 2).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(
        feed.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![6, 1],
        "newest first, limited"
    );
    assert_eq!(feed[1].enterprise_name.as_deref(), Some("企业1"));
    let (total, feed) = store
        .situation_alarms(&none, &region_scope(&w.d1_path), 20)
        .await
        .unwrap();
    assert_eq!((total, feed.len()), (1, 1));

    let (total, rows) = store
        .situation_overdue_hidden_dangers(&none, &all(), now(), 10)
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(
        rows.iter()
            .map(|h| (h.code.as_str(), h.days_overdue))
            .collect::<Vec<_>>(),
        vec![("H1", 2), ("H5", 0)]
    );
    assert_eq!(rows[0].enterprise_name.as_deref(), Some("企业1"));
    let (total, _) = store
        .situation_overdue_hidden_dangers(
            &SituationFilter {
                region_id: Some(w.d2),
            },
            &all(),
            now(),
            10,
        )
        .await
        .unwrap();
    assert_eq!(total, 1);

    let top = store.situation_top_risks(&none, &all(), 10).await.unwrap();
    assert_eq!(
        top.iter()
            .map(|t| (t.enterprise_id, t.score, t.level.as_str()))
            .collect::<Vec<_>>(),
        vec![(w.e1, 80, "major"), (w.e2, 30, "medium")]
    );
    assert!(top[0].summary.starts_with("红色"));
    let top = store
        .situation_top_risks(&none, &enterprise_scope(w.e2), 10)
        .await
        .unwrap();
    assert_eq!(top.len(), 1);

    let t = store
        .situation_trends(&none, &all(), 7, now())
        .await
        .unwrap();
    assert_eq!(t.len(), 7);
    assert_eq!(t[0].date, day("2026-06-09"));
    assert_eq!(t[6].date, day("2026-06-15"));
    let by = |d: &str| t.iter().find(|x| x.date == day(d)).unwrap().clone();
    assert_eq!(by("2026-06-15").alarms, 4, "a1, a2, a3, a6 started today");
    assert_eq!(by("2026-06-12").alarms, 1);
    assert_eq!(by("2026-06-15").hidden_dangers_reported, 1);
    assert_eq!(by("2026-06-14").hidden_dangers_reported, 1);
    assert_eq!(by("2026-06-13").hidden_dangers_closed, 1);
    assert_eq!(t.iter().map(|x| x.alarms).sum::<u64>(), 5);
    let t = store
        .situation_trends(
            &SituationFilter {
                region_id: Some(w.d2),
            },
            &all(),
            7,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(t.iter().map(|x| x.alarms).sum::<u64>(), 1);
    assert_eq!(t.iter().map(|x| x.hidden_dangers_closed).sum::<u64>(), 1);
    let _ = w.e3;
}

async fn region_statistics(store: Store, raw: DatabaseConnection) {
    let w = world(&store, &raw).await;
    let period = Period {
        from: day("2026-05-17"),
        to: day("2026-06-15"),
    };
    let st = store
        .region_stats(&SituationFilter::default(), &all(), period, now())
        .await
        .unwrap();
    assert_eq!(st.rows.len(), 2);
    let d1 = st.rows.iter().find(|r| r.region_id == w.d1).unwrap();
    assert_eq!(d1.name, "区D1");
    assert_eq!(
        (
            d1.enterprises,
            d1.risk_major,
            d1.risk_medium,
            d1.risk_unassessed
        ),
        (2, 1, 1, 0)
    );
    assert_eq!(d1.installations_by_grade, [1, 0, 1, 0]);
    assert_eq!(
        (
            d1.alarms,
            d1.alarms_critical,
            d1.alarms_high,
            d1.active_alarms
        ),
        (3, 1, 2, 1)
    );
    assert_eq!(
        (
            d1.hidden_dangers_reported,
            d1.hidden_dangers_major,
            d1.hidden_dangers_closed,
            d1.hidden_dangers_open,
            d1.hidden_dangers_overdue
        ),
        (3, 1, 0, 3, 1)
    );
    let d2 = st.rows.iter().find(|r| r.region_id == w.d2).unwrap();
    assert_eq!((d2.enterprises, d2.risk_unassessed), (1, 1));
    assert_eq!((d2.alarms, d2.alarms_high, d2.active_alarms), (1, 1, 1));
    assert_eq!(
        (
            d2.hidden_dangers_reported,
            d2.hidden_dangers_closed,
            d2.hidden_dangers_open,
            d2.hidden_dangers_overdue
        ),
        (1, 1, 1, 1),
        "H5 was reported 40 days ago: outside the period, but open and overdue now"
    );
    assert_eq!(st.total.enterprises, 3);
    assert_eq!(st.total.alarms, 4, "a6 has no enterprise: in no region");
    assert_eq!(st.total.hidden_dangers_reported, 4);

    // A shorter period: only today.
    let today = Period {
        from: day("2026-06-15"),
        to: day("2026-06-15"),
    };
    let st = store
        .region_stats(&SituationFilter::default(), &all(), today, now())
        .await
        .unwrap();
    assert_eq!(st.total.alarms, 3);
    assert_eq!(st.total.hidden_dangers_reported, 1);

    // Children of D1: S1 (E1) and D1 itself (E2).
    let st = store
        .region_stats(
            &SituationFilter {
                region_id: Some(w.d1),
            },
            &all(),
            period,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(st.parent_id, Some(w.d1));
    let s1 = st.rows.iter().find(|r| r.region_id == w.s1).unwrap();
    assert_eq!(
        (s1.enterprises, s1.alarms, s1.hidden_dangers_open),
        (1, 2, 2)
    );
    let own = st.rows.iter().find(|r| r.region_id == w.d1).unwrap();
    assert_eq!(
        (own.enterprises, own.alarms, own.hidden_dangers_open),
        (1, 1, 1)
    );
    assert_eq!(st.total.enterprises, 2);

    // Scope: E3's user sees one district with one enterprise.
    let st = store
        .region_stats(
            &SituationFilter::default(),
            &enterprise_scope(w.e3),
            period,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(st.total.enterprises, 1);
    assert_eq!(st.total.alarms, 1);
    let _ = (w.e1, w.e2);
}

async fn boundaries(store: Store, raw: DatabaseConnection) {
    let w = world(&store, &raw).await;
    let poly = r#"{"type":"Polygon","coordinates":[[[118.7,32.0],[118.9,32.0],[118.9,32.1],[118.7,32.0]]]}"#;
    store.set_region_boundary(w.d1, Some(poly)).await.unwrap();
    let (_, outlines) = store
        .situation_map(&SituationFilter::default(), &all())
        .await
        .unwrap();
    assert_eq!(outlines.len(), 1);
    assert_eq!(outlines[0].id, w.d1);
    let v: serde_json::Value = serde_json::from_str(&outlines[0].boundary).unwrap();
    assert_eq!(v["type"], "Polygon");
    let (_, outlines) = store
        .situation_map(
            &SituationFilter {
                region_id: Some(w.d2),
            },
            &all(),
        )
        .await
        .unwrap();
    assert!(outlines.is_empty());
    let err = store
        .set_region_boundary(w.d1, Some(r#"{"type":"Point","coordinates":[1,2]}"#))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(v) if v.fields.contains_key("boundary")));
    assert!(matches!(
        store.set_region_boundary(999_999, Some(poly)).await,
        Err(StoreError::NotFound)
    ));
    store.set_region_boundary(w.d1, None).await.unwrap();
    let (_, outlines) = store
        .situation_map(&SituationFilter::default(), &all())
        .await
        .unwrap();
    assert!(outlines.is_empty());
}
