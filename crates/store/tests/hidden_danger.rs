//! Conformance of the hidden-danger storage (m0006): every test runs on SQLite, and on PostgreSQL
//! when `ANJIAN_TEST_POSTGRES_URL` is set. Each test gets a fresh database.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::dual_prevention::hidden_danger::{
    Action, Assignment, Grading, Level, Source, Status,
};
use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel};
use anjian_domain::page::Page;
use anjian_domain::uscc::Uscc;
use anjian_store::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};

anjian_store::both_databases!(
    menus_grants_dictionaries_and_parameters,
    workflow_scope_events_and_no_lost_update,
    escalation_once_per_level_and_reset_by_extension,
    statistics_and_on_time_rate,
    listed_supervision_rules,
);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn page() -> Page {
    Page::new(Some(1), Some(100)).unwrap()
}

fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}

fn uscc(n: u32) -> String {
    Uscc::with_check_character(&format!("91320102{n:09}"))
        .unwrap()
        .to_string()
}

fn draft(n: u32, region_id: i64, department_id: Option<i64>) -> EnterpriseDraft {
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
        department_id,
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn conflict(e: StoreError) -> String {
    match e {
        StoreError::Conflict(m) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn fields(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.fields.into_keys().collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// Two districts with an enterprise each (supervised by the bureau), a manager, a worker and a
/// remediator in the first, a district user of the first district.
struct World {
    d1: i64,
    e1: i64,
    e2: i64,
    bureau: i64,
    mgr: HdActor,
    worker: HdActor,
    repair: HdActor,
    district_user: i64,
}

fn actor(id: i64, name: &str, enterprise_id: Option<i64>) -> HdActor {
    HdActor {
        user_id: id,
        name: name.into(),
        permissions: vec!["*:*:*".into()],
        enterprise_id,
        department_id: None,
        region_id: None,
    }
}

async fn world(store: &Store) -> World {
    let bureau = store
        .create_department(DepartmentInput {
            parent_id: None,
            name: "市应急管理局".into(),
            kind: DepartmentKind::Bureau,
            region_id: None,
            supervised_categories: vec![],
            industry_codes: vec![],
            leader: None,
            phone: None,
            status: RecordStatus::Active,
            sort: 0,
        })
        .await
        .unwrap();
    let mut regions = vec![];
    let mut enterprises = vec![];
    for (i, code) in ["D1", "D2"].into_iter().enumerate() {
        let r = store
            .create_region(RegionInput {
                parent_id: None,
                code: code.into(),
                name: format!("{code}区"),
                level: RegionLevel::District,
                sort: 0,
            })
            .await
            .unwrap();
        let e = store
            .create_enterprise(draft(i as u32 + 1, r.id, Some(bureau.id)), None)
            .await
            .unwrap();
        regions.push(r.id);
        enterprises.push(e.id);
    }
    // The manager holds the built-in enterprise_manager role: the store looks up who may verify.
    let manager_role = store
        .find_role_by_key("enterprise_manager")
        .await
        .unwrap()
        .unwrap()
        .id;
    let user = |name: &'static str, enterprise_id: Option<i64>, region_id: Option<i64>| {
        let store = store.clone();
        let role_ids = if name == "mgr" {
            vec![manager_role]
        } else {
            vec![]
        };
        async move {
            store
                .create_user(NewUser {
                    username: name.into(),
                    nickname: name.into(),
                    password_hash: "x".into(),
                    phone: None,
                    email: None,
                    department_id: None,
                    enterprise_id,
                    region_id,
                    role_ids,
                    must_change_password: false,
                    remark: None,
                })
                .await
                .unwrap()
                .id
        }
    };
    let mgr = user("mgr", Some(enterprises[0]), None).await;
    let worker = user("worker", Some(enterprises[0]), None).await;
    let repair = user("repair", Some(enterprises[0]), None).await;
    let district_user = user("district", None, Some(regions[0])).await;
    World {
        d1: regions[0],
        e1: enterprises[0],
        e2: enterprises[1],
        bureau: bureau.id,
        mgr: actor(mgr, "mgr", Some(enterprises[0])),
        worker: actor(worker, "worker", Some(enterprises[0])),
        repair: actor(repair, "repair", Some(enterprises[0])),
        district_user,
    }
}

fn enterprise_scope(enterprise_id: i64, user_id: i64) -> ScopeFilter {
    ScopeFilter {
        user_id,
        scopes: vec![DataScope::Enterprise],
        region_path: None,
        department_id: None,
        enterprise_id: Some(enterprise_id),
    }
}

async fn report(
    store: &Store,
    w: &World,
    enterprise_id: i64,
    text: &str,
    at: DateTime<Utc>,
) -> i64 {
    store
        .report_hidden_danger(
            NewHiddenDanger {
                enterprise_id,
                source: Some(Source::AdHoc),
                description: text.into(),
                ..Default::default()
            },
            &all(),
            &w.worker,
            at,
        )
        .await
        .unwrap()
        .record
        .id
}

fn assign(w: &World, deadline: &str) -> Action {
    Action::Assign(Assignment {
        remediator_id: w.repair.user_id,
        department: "维修班".into(),
        deadline: d(deadline),
        measures: "整改".into(),
        five_assurances: None,
    })
}

fn confirm() -> Action {
    Action::Confirm {
        grading: Grading::default(),
        comment: None,
    }
}

async fn menus_grants_dictionaries_and_parameters(store: Store) {
    store.migrate().await.expect("second migrate is a no-op");
    let menus = store.list_menus().await.unwrap();
    let perms_of = |id: i64| {
        menus
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.perms.clone())
    };
    assert_eq!(perms_of(600).as_deref(), Some("hidden_danger:record:list"));
    assert_eq!(
        perms_of(6007).as_deref(),
        Some("hidden_danger:record:verify")
    );
    assert_eq!(
        perms_of(6032).as_deref(),
        Some("hidden_danger:supervision:add")
    );
    let page = menus.iter().find(|m| m.id == 602).unwrap();
    assert_eq!(
        (page.parent_id, page.component.as_deref()),
        (6, Some("hidden-danger/overdue/index"))
    );
    let menu_ids = |key: &'static str| {
        let store = store.clone();
        async move {
            let role = store.find_role_by_key(key).await.unwrap().unwrap();
            store.get_role(role.id).await.unwrap().1
        }
    };
    let worker = menu_ids("enterprise_worker").await;
    assert!(worker.contains(&6) && worker.contains(&601) && worker.contains(&6002));
    assert!(worker.contains(&6005), "remediate");
    assert!(
        !worker.contains(&6003) && !worker.contains(&6007),
        "no confirm, no verify"
    );
    let manager = menu_ids("enterprise_manager").await;
    assert!(manager.contains(&6007) && manager.contains(&6033) && manager.contains(&604));
    assert!(
        !manager.contains(&6032) && !manager.contains(&6034),
        "no supervision add / lift"
    );
    let city = menu_ids("city_admin").await;
    assert!(city.contains(&6032) && city.contains(&6034) && city.contains(&602));
    assert!(!city.contains(&6003), "government users do not confirm");
    let officer = menu_ids("department_officer").await;
    assert!(officer.contains(&602) && !officer.contains(&6032));

    let statuses = store.dict_data_of("hidden_danger_status").await.unwrap();
    assert_eq!(statuses.len(), Status::ALL.len());
    assert_eq!(
        (statuses[4].value.as_str(), statuses[4].label.as_str()),
        ("in_remediation", "整改中")
    );
    assert_eq!(
        store
            .param_value("hiddenDanger.majorEscalateBureauDays")
            .await
            .unwrap()
            .as_deref(),
        Some("1")
    );
}

async fn workflow_scope_events_and_no_lost_update(store: Store) {
    let w = world(&store).await;
    let now = t("2026-03-02T02:00:00Z");
    let id = report(&store, &w, w.e1, "配电箱门损坏", now).await;
    let other = report(&store, &w, w.e2, "乙企业的隐患", now).await;
    // Codes per enterprise and day (Shanghai).
    let late = t("2026-03-02T17:00:00Z"); // 01:00 on 3 March in Shanghai
    let third = store
        .report_hidden_danger(
            NewHiddenDanger {
                enterprise_id: w.e1,
                description: "第二天".into(),
                ..Default::default()
            },
            &all(),
            &w.worker,
            late,
        )
        .await
        .unwrap();
    assert_eq!(third.record.code, format!("YH-{}-20260303-001", w.e1));

    // Scope: the enterprise sees its own only; outside the scope a record is not found.
    let mine = enterprise_scope(w.e1, w.mgr.user_id);
    let list = store
        .list_hidden_dangers(&HiddenDangerFilter::default(), &mine, page(), now)
        .await
        .unwrap();
    assert_eq!(list.total, 2);
    assert!(matches!(
        store.get_hidden_danger(other, &mine, now).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .hidden_danger_action(other, &mine, &w.mgr, confirm(), &[], now)
            .await,
        Err(StoreError::NotFound)
    ));
    // Reporting for an enterprise outside the scope names the field.
    let e = store
        .report_hidden_danger(
            NewHiddenDanger {
                enterprise_id: w.e2,
                description: "x".into(),
                hazard_factor_code: Some("9".into()),
                ..Default::default()
            },
            &mine,
            &w.worker,
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["enterpriseId", "hazardFactorCode"]);

    // Two concurrent decisions on one record: exactly one wins, the other conflicts.
    let everything = all();
    let (a, b) = tokio::join!(
        store.hidden_danger_action(id, &everything, &w.mgr, confirm(), &[], now),
        store.hidden_danger_action(
            id,
            &everything,
            &w.mgr,
            Action::Reject {
                reason: "不是隐患".into()
            },
            &[],
            now
        ),
    );
    assert!(a.is_ok() != b.is_ok(), "{a:?} / {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(loser, Err(StoreError::Conflict(_))));
    let detail = store.get_hidden_danger(id, &all(), now).await.unwrap();
    assert_eq!(
        detail
            .events
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>()
            .len(),
        2,
        "one report, one decision"
    );
    if detail.view.record.status == "rejected" {
        store
            .hidden_danger_action(
                id,
                &all(),
                &w.mgr,
                Action::Reopen {
                    reason: "复核".into(),
                },
                &[],
                now,
            )
            .await
            .unwrap();
        store
            .hidden_danger_action(id, &all(), &w.mgr, confirm(), &[], now)
            .await
            .unwrap();
    }

    // The remediator must belong to the enterprise.
    let mut outsider = assign(&w, "2026-03-05");
    if let Action::Assign(a) = &mut outsider {
        a.remediator_id = w.district_user;
    }
    let e = store
        .hidden_danger_action(id, &all(), &w.mgr, outsider, &[], now)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["remediatorId"]);
    store
        .hidden_danger_action(id, &all(), &w.mgr, assign(&w, "2026-03-05"), &[], now)
        .await
        .unwrap();
    // Not the remediator: conflict; the remediator starts and submits evidence.
    let e = store
        .hidden_danger_action(id, &all(), &w.worker, Action::Start, &[], now)
        .await
        .unwrap_err();
    assert!(conflict(e).contains("remediator"));
    store
        .hidden_danger_action(id, &all(), &w.repair, Action::Start, &[], now)
        .await
        .unwrap();
    let file = store
        .create_attachment(NewAttachment {
            file_name: "a.png".into(),
            content_type: "image/png".into(),
            sha256: "0".repeat(64),
            data: vec![1, 2, 3],
            enterprise_id: Some(w.e1),
            uploaded_by: w.repair.user_id,
            uploaded_at: now,
        })
        .await
        .unwrap();
    let submit = |n| Action::Submit {
        description: "已修复".into(),
        evidence_count: n,
    };
    let e = store
        .hidden_danger_action(id, &all(), &w.repair, submit(1), &[999_999], now)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["evidenceIds"]);
    store
        .hidden_danger_action(id, &all(), &w.repair, submit(1), &[file.id], now)
        .await
        .unwrap();
    let e = store
        .hidden_danger_action(
            id,
            &all(),
            &w.repair,
            Action::Verify { comment: None },
            &[],
            now,
        )
        .await
        .unwrap_err();
    assert!(conflict(e).contains("own work"));
    let v = store
        .hidden_danger_action(
            id,
            &all(),
            &w.mgr,
            Action::Verify { comment: None },
            &[],
            now,
        )
        .await
        .unwrap();
    assert_eq!(v.record.status, "closed");
    assert_eq!(v.record.closed_at, Some(now));
    let detail = store.get_hidden_danger(id, &all(), now).await.unwrap();
    assert_eq!(detail.evidence.len(), 1);
    let last = detail.events.last().unwrap();
    assert_eq!(
        (
            last.action.as_str(),
            last.from_status.as_deref(),
            last.to_status.as_str(),
            last.actor_id
        ),
        ("verify", Some("submitted"), "closed", Some(w.mgr.user_id))
    );
}

async fn escalation_once_per_level_and_reset_by_extension(store: Store) {
    let w = world(&store).await;
    let start = t("2026-03-02T02:00:00Z");
    let id = report(&store, &w, w.e1, "防爆区使用非防爆插座", start).await;
    store
        .hidden_danger_action(id, &all(), &w.mgr, confirm(), &[], start)
        .await
        .unwrap();
    store
        .hidden_danger_action(id, &all(), &w.mgr, assign(&w, "2026-03-03"), &[], start)
        .await
        .unwrap();
    let end = t("2026-03-03T16:00:00Z");
    let overdue = HiddenDangerFilter {
        overdue: Some(true),
        ..Default::default()
    };
    let count_overdue = |now| {
        let store = store.clone();
        let f = overdue.clone();
        async move {
            store
                .list_hidden_dangers(&f, &all(), page(), now)
                .await
                .unwrap()
                .total
        }
    };
    assert_eq!(count_overdue(end - Duration::seconds(1)).await, 0);
    assert_eq!(
        store
            .escalate_overdue_hidden_dangers(end - Duration::seconds(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(count_overdue(end).await, 1);
    // General: the enterprise at once, the department after 3 days, the bureau after 7.
    let reader = |user_id, enterprise_id, department_id, region_id| NotificationReader {
        user_id,
        enterprise_id,
        department_id,
        region_id,
    };
    let notes = |r: NotificationReader| {
        let store = store.clone();
        async move {
            store
                .list_notifications(&r, false, page())
                .await
                .unwrap()
                .rows
                .into_iter()
                .filter(|n| n.kind == "hidden_danger.overdue")
                .count()
        }
    };
    let enterprise = reader(w.mgr.user_id, Some(w.e1), None, None);
    let department = reader(9_999, None, Some(w.bureau), None);
    let district = reader(w.district_user, None, None, Some(w.d1));
    for (at, raised, level, (e, dep, dist)) in [
        (end, 1, "enterprise", (1, 0, 0)),
        (end + Duration::days(1), 0, "enterprise", (1, 0, 0)),
        (end + Duration::days(3), 1, "department", (1, 1, 0)),
        (end + Duration::days(3), 0, "department", (1, 1, 0)),
        (end + Duration::days(7), 1, "bureau", (1, 2, 1)),
        (end + Duration::days(30), 0, "bureau", (1, 2, 1)),
    ] {
        assert_eq!(
            store.escalate_overdue_hidden_dangers(at).await.unwrap(),
            raised,
            "{at}"
        );
        let v = store.get_hidden_danger(id, &all(), at).await.unwrap();
        assert_eq!(
            anjian_domain::dual_prevention::hidden_danger::Escalation::from_rank(
                v.view.record.escalation_level
            )
            .as_str(),
            level
        );
        assert_eq!(
            (
                notes(enterprise).await,
                notes(department).await,
                notes(district).await
            ),
            (e, dep, dist),
            "{at}"
        );
    }
    // An approved extension moves the deadline and starts the escalation over.
    let now = end + Duration::days(8);
    store
        .hidden_danger_action(
            id,
            &all(),
            &w.repair,
            Action::RequestExtension {
                new_deadline: d("2026-03-20"),
                reason: "等待备件".into(),
            },
            &[],
            now,
        )
        .await
        .unwrap();
    let v = store
        .hidden_danger_action(
            id,
            &all(),
            &w.mgr,
            Action::ApproveExtension { comment: None },
            &[],
            now,
        )
        .await
        .unwrap();
    assert_eq!((v.record.escalation_level, v.overdue), (0, false));
    assert_eq!(v.record.deadline, Some(d("2026-03-20")));
    assert_eq!(count_overdue(now).await, 0);
    // Overdue again after the new deadline: notified again (a new deadline, new keys).
    let later = t("2026-03-20T16:00:00Z");
    assert_eq!(
        store.escalate_overdue_hidden_dangers(later).await.unwrap(),
        1
    );
    assert_eq!(notes(enterprise).await, 2);
    let v = store.get_hidden_danger(id, &all(), later).await.unwrap();
    assert!(v.view.overdue);
}

async fn statistics_and_on_time_rate(store: Store) {
    let w = world(&store).await;
    let start = t("2026-03-02T02:00:00Z");
    let file = store
        .create_attachment(NewAttachment {
            file_name: "a.png".into(),
            content_type: "image/png".into(),
            sha256: "0".repeat(64),
            data: vec![1],
            enterprise_id: Some(w.e1),
            uploaded_by: w.repair.user_id,
            uploaded_at: start,
        })
        .await
        .unwrap();
    // Two closed: one on the deadline day (on time), one the day after (late).
    for close_at in [t("2026-03-05T15:59:00Z"), t("2026-03-05T16:00:00Z")] {
        let id = report(&store, &w, w.e1, "灭火器过期", start).await;
        for (who, a, files) in [
            (&w.mgr, confirm(), vec![]),
            (&w.mgr, assign(&w, "2026-03-05"), vec![]),
            (&w.repair, Action::Start, vec![]),
            (
                &w.repair,
                Action::Submit {
                    description: "更换".into(),
                    evidence_count: 1,
                },
                vec![file.id],
            ),
        ] {
            store
                .hidden_danger_action(id, &all(), who, a, &files, start)
                .await
                .unwrap();
        }
        store
            .hidden_danger_action(
                id,
                &all(),
                &w.mgr,
                Action::Verify { comment: None },
                &[],
                close_at,
            )
            .await
            .unwrap();
    }
    // One overdue major (by judgement) with a hazard factor category, one in the other district.
    let major = store
        .report_hidden_danger(
            NewHiddenDanger {
                enterprise_id: w.e1,
                description: "液氯充装未使用万向管道".into(),
                hazard_factor_code: Some("2".into()),
                grading: Grading {
                    level: Some(Level::Major),
                    criteria_standard: Some("chemical-2017".into()),
                    criteria_item: Some(7),
                    judgement: None,
                },
                ..Default::default()
            },
            &all(),
            &w.worker,
            start,
        )
        .await
        .unwrap()
        .record
        .id;
    assert_eq!(
        fields(
            store
                .hidden_danger_action(
                    major,
                    &all(),
                    &w.mgr,
                    Action::Confirm {
                        grading: Grading {
                            level: Some(Level::Major),
                            ..Default::default()
                        },
                        comment: None
                    },
                    &[],
                    start
                )
                .await
                .unwrap_err()
        ),
        ["majorJudgement"]
    );
    store
        .hidden_danger_action(
            major,
            &all(),
            &w.mgr,
            Action::Confirm {
                grading: Grading {
                    level: Some(Level::Major),
                    judgement: Some("经专家论证，属于重大事故隐患情形".into()),
                    ..Default::default()
                },
                comment: None,
            },
            &[],
            start,
        )
        .await
        .unwrap();
    let mut a = assign(&w, "2026-03-03");
    if let Action::Assign(x) = &mut a {
        x.five_assurances = Some(
            anjian_domain::dual_prevention::hidden_danger::FiveAssurances {
                measures: "改造".into(),
                funds_cny: 1000.0,
                time_limit: d("2026-03-03"),
                responsible_person: "李明".into(),
                contingency_plan: "停止充装".into(),
            },
        );
    }
    store
        .hidden_danger_action(major, &all(), &w.mgr, a, &[], start)
        .await
        .unwrap();
    report(&store, &w, w.e2, "乙企业隐患", start).await;

    let now = t("2026-03-10T00:00:00Z");
    let s = store
        .hidden_danger_stats(&StatsFilter::default(), &all(), now)
        .await
        .unwrap();
    assert_eq!(
        (s.total, s.major, s.closed, s.closed_on_time, s.overdue),
        (4, 1, 2, 1, 1)
    );
    assert_eq!(s.on_time_rate, Some(0.5));
    let by = |v: &[StatBucket], k: &str| {
        v.iter()
            .find(|b| b.key == k)
            .map(|b| (b.count, b.closed, b.overdue))
    };
    assert_eq!(by(&s.by_status, "closed"), Some((2, 2, 0)));
    assert_eq!(by(&s.by_status, "assigned"), Some((1, 0, 1)));
    assert_eq!(by(&s.by_status, "submitted"), Some((0, 0, 0)));
    assert_eq!(by(&s.by_level, "major"), Some((1, 0, 1)));
    assert_eq!(by(&s.by_category, "2"), Some((1, 0, 1)));
    assert_eq!(by(&s.by_category, "none"), Some((3, 2, 0)));
    assert_eq!(s.by_region.len(), 2);
    assert_eq!(by(&s.by_region, &w.d1.to_string()), Some((3, 2, 1)));
    assert_eq!(s.by_enterprise[0].key, w.e1.to_string());
    // Scope and filters.
    let mine = enterprise_scope(w.e2, 1);
    let s = store
        .hidden_danger_stats(&StatsFilter::default(), &mine, now)
        .await
        .unwrap();
    assert_eq!((s.total, s.on_time_rate), (1, None));
    let s = store
        .hidden_danger_stats(
            &StatsFilter {
                region_id: Some(w.d1),
                ..Default::default()
            },
            &all(),
            now,
        )
        .await
        .unwrap();
    assert_eq!(s.total, 3);
}

async fn listed_supervision_rules(store: Store) {
    let w = world(&store).await;
    let now = t("2026-03-02T02:00:00Z");
    let general = report(&store, &w, w.e1, "一般隐患", now).await;
    store
        .hidden_danger_action(general, &all(), &w.mgr, confirm(), &[], now)
        .await
        .unwrap();
    let gov = HdActor {
        enterprise_id: None,
        region_id: Some(w.d1),
        ..actor(w.district_user, "district", None)
    };
    let input = || NewSupervision {
        deadline: d("2026-03-20"),
        requirements: "限期整改".into(),
        document_no: None,
    };
    let e = store
        .put_under_supervision(general, &all(), &gov, input(), now)
        .await
        .unwrap_err();
    assert!(conflict(e).contains("major"));
    let major = store
        .report_hidden_danger(
            NewHiddenDanger {
                enterprise_id: w.e1,
                description: "重大隐患".into(),
                grading: Grading {
                    level: Some(Level::Major),
                    judgement: Some("经专家论证，属于重大事故隐患情形".into()),
                    ..Default::default()
                },
                ..Default::default()
            },
            &all(),
            &w.worker,
            now,
        )
        .await
        .unwrap()
        .record
        .id;
    let e = store
        .put_under_supervision(major, &all(), &gov, input(), now)
        .await
        .unwrap_err();
    assert!(conflict(e).contains("reported"), "confirmed first");
    store
        .hidden_danger_action(
            major,
            &all(),
            &w.mgr,
            Action::Confirm {
                grading: Grading {
                    level: Some(Level::Major),
                    judgement: Some("经专家论证，属于重大事故隐患情形".into()),
                    ..Default::default()
                },
                comment: None,
            },
            &[],
            now,
        )
        .await
        .unwrap();
    let e = store
        .put_under_supervision(major, &all(), &w.mgr, input(), now)
        .await
        .unwrap_err();
    assert!(conflict(e).contains("government"));
    let s = store
        .put_under_supervision(major, &all(), &gov, input(), now)
        .await
        .unwrap();
    assert_eq!(
        (
            s.supervision.gov_level.as_str(),
            s.supervision.organ_name.as_str()
        ),
        ("district", "D1区")
    );
    assert!(
        conflict(
            store
                .put_under_supervision(major, &all(), &gov, input(), now)
                .await
                .unwrap_err()
        )
        .contains("already")
    );
    // Its own deadline: overdue when it passes while open.
    let listed = store
        .list_supervisions(
            &SupervisionFilter::default(),
            &all(),
            page(),
            t("2026-03-20T16:00:00Z"),
        )
        .await
        .unwrap();
    assert!(listed.rows[0].overdue);
    let other = enterprise_scope(w.e2, 1);
    assert_eq!(
        store
            .list_supervisions(&SupervisionFilter::default(), &other, page(), now)
            .await
            .unwrap()
            .total,
        0
    );
    let e = store
        .report_supervision_progress(s.supervision.id, &all(), &w.mgr, " ".into(), vec![], now)
        .await
        .unwrap_err();
    assert_eq!(fields(e), ["content"]);
    let v = store
        .report_supervision_progress(
            s.supervision.id,
            &all(),
            &w.mgr,
            "已采购".into(),
            vec![],
            now,
        )
        .await
        .unwrap();
    assert_eq!(v.progress.len(), 1);
    let v = store
        .lift_supervision(s.supervision.id, &all(), &gov, "已整改".into(), now)
        .await
        .unwrap();
    assert_eq!(v.supervision.status, "lifted");
    assert!(
        conflict(
            store
                .lift_supervision(s.supervision.id, &all(), &gov, "again".into(), now)
                .await
                .unwrap_err()
        )
        .contains("not open")
    );
    let detail = store.get_hidden_danger(major, &all(), now).await.unwrap();
    let actions: Vec<&str> = detail.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "report",
            "confirm",
            "supervise",
            "supervision_progress",
            "lift_supervision"
        ]
    );
}
