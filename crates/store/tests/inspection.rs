//! Conformance of the inspection storage (m0007): every test runs on SQLite, and on PostgreSQL
//! when `ANJIAN_TEST_POSTGRES_URL` is set. Each test gets a fresh database.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::dual_prevention::inspection::{ItemResult, ResultInput, TaskStatus};
use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::org::RegionLevel;
use anjian_domain::page::Page;
use anjian_domain::uscc::Uscc;
use anjian_store::*;
use chrono::{DateTime, Duration, TimeZone, Utc};

anjian_store::both_databases!(
    seeded_templates_menus_and_grants,
    checklist_crud_items_and_scope,
    plan_validation,
    generation_is_idempotent_and_flags_missed,
    catch_up_is_bounded,
    completion_rules,
    task_scope_and_stats,
);

fn page(size: u64) -> Page {
    Page::new(Some(1), Some(size)).unwrap()
}

fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}

fn enterprise_scope(e: i64) -> ScopeFilter {
    ScopeFilter {
        user_id: 0,
        scopes: vec![DataScope::Enterprise],
        region_path: None,
        department_id: None,
        enterprise_id: Some(e),
    }
}

/// 2026-03-02 00:00 Asia/Shanghai (a Monday).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap()
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

/// Two districts, one enterprise in each, a worker in each enterprise.
struct World {
    d1_path: String,
    e1: i64,
    e2: i64,
    w1: i64,
    w2: i64,
}

async fn world(store: &Store) -> World {
    let mut ids = vec![];
    let mut paths = vec![];
    let mut users = vec![];
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
        let u = store
            .create_user(NewUser {
                username: format!("w{}", i + 1),
                nickname: format!("员工{}", i + 1),
                password_hash: "$argon2id$x".into(),
                phone: None,
                email: None,
                department_id: None,
                enterprise_id: Some(e.id),
                region_id: None,
                role_ids: vec![],
                must_change_password: false,
                remark: None,
            })
            .await
            .unwrap();
        ids.push(e.id);
        paths.push(r.path);
        users.push(u.id);
    }
    World {
        d1_path: paths[0].clone(),
        e1: ids[0],
        e2: ids[1],
        w1: users[0],
        w2: users[1],
    }
}

fn checklist_input(enterprise_id: Option<i64>, n: usize) -> ChecklistInput {
    ChecklistInput {
        enterprise_id,
        name: "罐区巡检".into(),
        kind: "daily".into(),
        description: None,
        status: "active".into(),
        items: (1..=n)
            .map(|i| ChecklistItemInput {
                content: format!("检查项{i}"),
                legal_basis: Some("GB 30871-2022".into()),
                ..Default::default()
            })
            .collect(),
    }
}

fn plan_input(w: &World, checklist_id: i64, cron: &str, window_hours: i32) -> PlanInput {
    PlanInput {
        enterprise_id: w.e1,
        checklist_id,
        name: "日常巡检".into(),
        post: Some("罐区操作工".into()),
        risk_point_id: None,
        cron: cron.into(),
        window_hours,
        assignee_id: w.w1,
        enabled: true,
    }
}

async fn seeded_templates_menus_and_grants(store: Store) {
    store.migrate().await.expect("second migrate is a no-op");
    let shared = store
        .list_checklists(
            &ChecklistFilter {
                shared_only: true,
                ..Default::default()
            },
            &enterprise_scope(999),
            page(50),
        )
        .await
        .unwrap();
    assert_eq!(
        shared.total, 3,
        "three shared templates visible to any scope"
    );
    for (c, enterprise_name, n) in &shared.rows {
        assert!(c.enterprise_id.is_none() && enterprise_name.is_none());
        assert!(*n >= 7, "{} has {n} items", c.name);
        let v = store
            .get_checklist(c.id, &enterprise_scope(999))
            .await
            .unwrap();
        assert!(v.items.iter().all(|i| i.legal_basis.is_some()));
        assert_eq!(v.items[0].seq, 1);
    }
    assert!(shared.rows.iter().any(|(c, ..)| c.name.contains("动火")));

    let menus = store.list_menus().await.unwrap();
    let perms_of = |id: i64| {
        menus
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.perms.clone())
    };
    assert_eq!(perms_of(610).as_deref(), Some("inspection:checklist:list"));
    assert_eq!(perms_of(6115).as_deref(), Some("inspection:plan:run"));
    assert_eq!(perms_of(6122).as_deref(), Some("inspection:task:complete"));
    let page612 = menus.iter().find(|m| m.id == 612).unwrap();
    assert_eq!(
        page612.component.as_deref(),
        Some("hidden-danger/task/index")
    );
    assert_eq!(page612.parent_id, 6);
    let menu_ids = |key: &'static str| {
        let store = store.clone();
        async move {
            let role = store.find_role_by_key(key).await.unwrap().unwrap();
            store.get_role(role.id).await.unwrap().1
        }
    };
    let worker = menu_ids("enterprise_worker").await;
    assert!(worker.contains(&6) && worker.contains(&612) && worker.contains(&6122));
    assert!(!worker.contains(&6123), "workers see their own tasks only");
    assert!(!worker.contains(&610) && !worker.contains(&611));
    let manager = menu_ids("enterprise_manager").await;
    assert!(manager.contains(&6102) && manager.contains(&6115) && manager.contains(&6123));
    let inspector = menu_ids("district_inspector").await;
    assert!(inspector.contains(&6123) && inspector.contains(&613));
    assert!(!inspector.contains(&6122) && !inspector.contains(&6102));
    let statuses = store.dict_data_of("inspection_task_status").await.unwrap();
    assert_eq!(statuses.len(), 3);
    assert_eq!(
        store.dict_data_of("inspection_item_result").await.unwrap()[2].label,
        "不适用"
    );
}

async fn checklist_crud_items_and_scope(store: Store) {
    let w = world(&store).await;
    let s1 = enterprise_scope(w.e1);
    let now = t0();
    let c = store
        .create_checklist(checklist_input(Some(w.e1), 3), Some(w.w1), &s1, now)
        .await
        .unwrap();
    let v = store.get_checklist(c.id, &s1).await.unwrap();
    assert_eq!(v.items.len(), 3);
    assert_eq!(v.enterprise_name.as_deref(), Some("企业1"));
    // Another enterprise does not see it; it does see the shared templates.
    assert!(matches!(
        store.get_checklist(c.id, &enterprise_scope(w.e2)).await,
        Err(StoreError::NotFound)
    ));
    let l2 = store
        .list_checklists(
            &ChecklistFilter::default(),
            &enterprise_scope(w.e2),
            page(50),
        )
        .await
        .unwrap();
    assert_eq!(l2.total, 3);
    let l1 = store
        .list_checklists(
            &ChecklistFilter {
                enterprise_id: Some(w.e1),
                exclude_shared: true,
                ..Default::default()
            },
            &s1,
            page(50),
        )
        .await
        .unwrap();
    assert_eq!(l1.total, 1);
    assert_eq!(l1.rows[0].2, 3);

    // Edit: keep item 2 (moves to position 1), drop 1 and 3, add one.
    let keep = v.items[1].id;
    let mut input = checklist_input(Some(w.e1), 0);
    input.items = vec![
        ChecklistItemInput {
            id: Some(keep),
            content: "改过的检查项".into(),
            ..Default::default()
        },
        ChecklistItemInput {
            content: "新增检查项".into(),
            hazard_factor_code: Some("2109".into()),
            ..Default::default()
        },
    ];
    store.update_checklist(c.id, input, &s1, now).await.unwrap();
    let v = store.get_checklist(c.id, &s1).await.unwrap();
    assert_eq!(v.items.len(), 2);
    assert_eq!((v.items[0].id, v.items[0].seq), (keep, 1));
    assert_eq!(v.items[0].content, "改过的检查项");
    assert_eq!(v.items[1].hazard_factor_code.as_deref(), Some("2109"));

    // Validation names the field.
    let mut bad = checklist_input(Some(w.e1), 1);
    bad.items[0].content = " ".into();
    bad.kind = "nope".into();
    let f = field_of(
        store
            .create_checklist(bad, None, &s1, now)
            .await
            .unwrap_err(),
    );
    assert!(f.contains(&"items[0].content".to_owned()) && f.contains(&"kind".to_owned()));
    let f = field_of(
        store
            .create_checklist(checklist_input(Some(w.e1), 0), None, &s1, now)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, ["items"]);
    let mut foreign = checklist_input(Some(w.e1), 1);
    foreign.items[0].id = Some(999_999);
    let f = field_of(
        store
            .update_checklist(c.id, foreign, &s1, now)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, ["items[0].id"]);
    // Shared templates: only an unrestricted scope writes them.
    let f = field_of(
        store
            .create_checklist(checklist_input(None, 1), None, &s1, now)
            .await
            .unwrap_err(),
    );
    assert_eq!(f, ["enterpriseId"]);
    let shared = store
        .create_checklist(checklist_input(None, 1), None, &all(), now)
        .await
        .unwrap();
    assert!(matches!(
        store.delete_checklist(shared.id, &s1).await,
        Err(StoreError::NotFound)
    ));
    store.delete_checklist(shared.id, &all()).await.unwrap();
    // Other enterprise's scope cannot create for e1.
    let f = field_of(
        store
            .create_checklist(
                checklist_input(Some(w.e1), 1),
                None,
                &enterprise_scope(w.e2),
                now,
            )
            .await
            .unwrap_err(),
    );
    assert_eq!(f, ["enterpriseId"]);

    // In use by a plan: not deletable.
    store
        .create_plan(plan_input(&w, c.id, "0 8 * * *", 12), None, &s1, now)
        .await
        .unwrap();
    assert_eq!(
        field_of(store.delete_checklist(c.id, &s1).await.unwrap_err()),
        ["id"]
    );
}

async fn plan_validation(store: Store) {
    let w = world(&store).await;
    let s1 = enterprise_scope(w.e1);
    let now = t0();
    let c = store
        .create_checklist(checklist_input(Some(w.e1), 2), None, &s1, now)
        .await
        .unwrap();
    let other = store
        .create_checklist(checklist_input(Some(w.e2), 2), None, &all(), now)
        .await
        .unwrap();
    type Edit<'a> = Box<dyn Fn(&mut PlanInput) + 'a>;
    let cases: Vec<(Edit<'_>, &str)> = vec![
        (Box::new(|p| p.cron = "*/5 * * * *".into()), "cron"),
        (Box::new(|p| p.cron = "0 8 * *".into()), "cron"),
        (Box::new(|p| p.window_hours = 0), "windowHours"),
        (Box::new(|p| p.window_hours = 745), "windowHours"),
        (Box::new(|p| p.assignee_id = w.w2), "assigneeId"),
        (Box::new(|p| p.checklist_id = other.id), "checklistId"),
        (Box::new(|p| p.post = None), "post"),
        (Box::new(|p| p.name = String::new()), "name"),
    ];
    for (edit, field) in cases {
        let mut p = plan_input(&w, c.id, "0 8 * * *", 12);
        edit(&mut p);
        let f = field_of(store.create_plan(p, None, &s1, now).await.unwrap_err());
        assert_eq!(f, [field]);
    }
    // A risk point instead of a post is fine; a shared template is fine; cron is normalised.
    let shared = store
        .list_checklists(
            &ChecklistFilter {
                shared_only: true,
                ..Default::default()
            },
            &s1,
            page(1),
        )
        .await
        .unwrap()
        .rows[0]
        .0
        .id;
    // A plan per risk point: the point must be one of the plan's enterprise.
    let point = |enterprise_id: i64, code: &str| RiskPointInput {
        enterprise_id,
        code: code.into(),
        name: "反应釜区".into(),
        kind: "area".into(),
        location: None,
        hazard_factors: vec![],
        accident_types: vec![],
        responsible_person: None,
        responsible_phone: None,
        consequences: None,
        emergency_actions: None,
        emergency_contacts: None,
        review_cycle_months: None,
        status: "active".into(),
    };
    let unrestricted = ScopeFilter::unrestricted();
    let own = store
        .create_risk_point(point(w.e1, "FX-01"), &unrestricted, now)
        .await
        .unwrap();
    let foreign = store
        .create_risk_point(point(w.e2, "FX-02"), &unrestricted, now)
        .await
        .unwrap();
    let mut p = plan_input(&w, shared, " 0  8 * * 1-5", 12);
    p.post = None;
    p.risk_point_id = Some(foreign.id);
    match store.create_plan(p.clone(), None, &s1, now).await {
        Err(StoreError::Invalid(e)) => assert!(e.fields.contains_key("riskPointId"), "{e:?}"),
        other => panic!("a risk point of another enterprise must be refused: {other:?}"),
    }
    p.risk_point_id = Some(own.id);
    let plan = store.create_plan(p, None, &s1, now).await.unwrap();
    assert_eq!(plan.risk_point_id, Some(own.id));
    assert_eq!(plan.cron, "0 8 * * 1-5");
    assert_eq!(plan.generated_until, now);
    // Out of scope: 404; deletable while it has no tasks.
    assert!(matches!(
        store.get_plan(plan.id, &enterprise_scope(w.e2)).await,
        Err(StoreError::NotFound)
    ));
    store.delete_plan(plan.id, &s1).await.unwrap();
}

async fn notifications_of(store: &Store, user_id: i64, enterprise_id: i64) -> Vec<NotificationRow> {
    store
        .list_notifications(
            &NotificationReader {
                user_id,
                enterprise_id: Some(enterprise_id),
                department_id: None,
                region_id: None,
            },
            false,
            page(100),
        )
        .await
        .unwrap()
        .rows
}

async fn generation_is_idempotent_and_flags_missed(store: Store) {
    let w = world(&store).await;
    let s1 = enterprise_scope(w.e1);
    let start = t0(); // 00:00 Shanghai
    let c = store
        .create_checklist(checklist_input(Some(w.e1), 2), None, &s1, start)
        .await
        .unwrap();
    let plan = store
        .create_plan(plan_input(&w, c.id, "0 8 * * *", 12), None, &s1, start)
        .await
        .unwrap();
    // Before 08:00 nothing is due.
    assert_eq!(
        store
            .generate_inspection_tasks(start + Duration::hours(7))
            .await
            .unwrap(),
        0
    );
    // At 08:00 one task; running again (or from a second instance) creates nothing more.
    let at8 = start + Duration::hours(8);
    assert_eq!(store.generate_inspection_tasks(at8).await.unwrap(), 1);
    assert_eq!(store.generate_inspection_tasks(at8).await.unwrap(), 0);
    let (a, b) = tokio::join!(
        store.generate_inspection_tasks(at8 + Duration::minutes(1)),
        store.generate_inspection_tasks(at8 + Duration::minutes(1))
    );
    assert_eq!(a.unwrap() + b.unwrap(), 0);
    let tasks = store
        .list_tasks(&TaskFilter::default(), &s1, page(10), at8)
        .await
        .unwrap();
    assert_eq!(tasks.total, 1);
    let t = &tasks.rows[0];
    assert_eq!(t.task.scheduled_at, at8);
    assert_eq!(t.task.due_at, at8 + Duration::hours(12));
    assert_eq!(t.status, TaskStatus::Pending);
    assert_eq!(t.task.trigger, "schedule");
    assert_eq!(t.plan_name.as_deref(), Some("日常巡检"));
    assert_eq!(t.assignee_name.as_deref(), Some("员工1"));
    let n = notifications_of(&store, w.w1, w.e1).await;
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].kind, "inspection.task_new");
    assert_eq!(
        n[0].link,
        Some(format!("/hidden-danger/task/{}", t.task.id))
    );

    // Exactly at the due time it is still pending; one second later it is missed (as of now,
    // even before the job flags it), and the job flags it once and tells the enterprise.
    let due = t.task.due_at;
    let at_due = store
        .list_tasks(&TaskFilter::default(), &s1, page(10), due)
        .await
        .unwrap();
    assert_eq!(at_due.rows[0].status, TaskStatus::Pending);
    let late = due + Duration::seconds(1);
    let missed_filter = TaskFilter {
        status: Some(TaskStatus::Missed),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_tasks(&missed_filter, &s1, page(10), late)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(store.generate_inspection_tasks(late).await.unwrap(), 1);
    assert_eq!(store.generate_inspection_tasks(late).await.unwrap(), 0);
    let (view, _) = store.get_task(t.task.id, &s1, late).await.unwrap();
    assert_eq!(view.task.status, "missed");
    let n = notifications_of(&store, w.w1, w.e1).await;
    assert_eq!(
        n.iter()
            .filter(|n| n.kind == "inspection.task_missed")
            .count(),
        1
    );
    assert_eq!(
        n.iter()
            .find(|n| n.kind == "inspection.task_missed")
            .unwrap()
            .audience,
        "enterprise"
    );

    // A disabled plan generates nothing; re-enabling does not back-fill the days it was off.
    let mut input = plan_input(&w, c.id, "0 8 * * *", 12);
    input.enabled = false;
    store
        .update_plan(plan.id, input.clone(), &s1, late)
        .await
        .unwrap();
    let day3 = start + Duration::days(3);
    assert_eq!(store.generate_inspection_tasks(day3).await.unwrap(), 0);
    input.enabled = true;
    store.update_plan(plan.id, input, &s1, day3).await.unwrap();
    assert_eq!(
        store
            .generate_inspection_tasks(day3 + Duration::hours(8))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .list_tasks(
                &TaskFilter {
                    plan_id: Some(plan.id),
                    ..Default::default()
                },
                &s1,
                page(10),
                day3
            )
            .await
            .unwrap()
            .total,
        2
    );
    // A plan with tasks cannot be deleted.
    assert_eq!(
        field_of(store.delete_plan(plan.id, &s1).await.unwrap_err()),
        ["id"]
    );

    // Run now: a manual task at this second; a second call at the same second conflicts.
    let now = day3 + Duration::hours(9) + Duration::milliseconds(250);
    let manual = store.run_plan_now(plan.id, &s1, now).await.unwrap();
    assert_eq!(manual.trigger, "manual");
    assert_eq!(manual.scheduled_at, day3 + Duration::hours(9));
    assert!(matches!(
        store.run_plan_now(plan.id, &s1, now).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .run_plan_now(plan.id, &enterprise_scope(w.e2), now)
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn catch_up_is_bounded(store: Store) {
    let w = world(&store).await;
    let s1 = enterprise_scope(w.e1);
    let start = t0();
    let c = store
        .create_checklist(checklist_input(Some(w.e1), 1), None, &s1, start)
        .await
        .unwrap();
    // Every shift (3 a day), 8 h window; the job is down for 20 days = 60 occurrences.
    store
        .create_plan(plan_input(&w, c.id, "0 0,8,16 * * *", 8), None, &s1, start)
        .await
        .unwrap();
    let back = start + Duration::days(20) + Duration::hours(1);
    let n = store.generate_inspection_tasks(back).await.unwrap();
    let cap = anjian_domain::dual_prevention::inspection::MAX_CATCH_UP as u64;
    assert_eq!(n, cap);
    let all_tasks = store
        .list_tasks(&TaskFilter::default(), &s1, page(100), back)
        .await
        .unwrap();
    assert_eq!(all_tasks.total, cap);
    // The latest occurrence (00:00 today) is pending; the others were created as missed.
    let pending = store
        .list_tasks(
            &TaskFilter {
                status: Some(TaskStatus::Pending),
                ..Default::default()
            },
            &s1,
            page(100),
            back,
        )
        .await
        .unwrap();
    assert_eq!(pending.total, 1);
    assert_eq!(
        pending.rows[0].task.scheduled_at,
        start + Duration::days(20)
    );
    let stored_missed = all_tasks
        .rows
        .iter()
        .filter(|t| t.task.status == "missed")
        .count();
    assert_eq!(stored_missed as u64, cap - 1);
    // Only one "new task" notification (for the pending one), one "missed" per missed task.
    let n = notifications_of(&store, w.w1, w.e1).await;
    assert_eq!(
        n.iter().filter(|n| n.kind == "inspection.task_new").count(),
        1
    );
    assert_eq!(
        n.iter()
            .filter(|n| n.kind == "inspection.task_missed")
            .count() as u64,
        cap - 1
    );
    assert_eq!(store.generate_inspection_tasks(back).await.unwrap(), 0);
}

fn results(items: &[TaskItem], fail_first: bool) -> Vec<ResultInput> {
    items
        .iter()
        .enumerate()
        .map(|(i, it)| ResultInput {
            item_id: it.item_id,
            result: Some(if i == 0 && fail_first {
                ItemResult::Fail
            } else if i == 1 {
                ItemResult::NotApplicable
            } else {
                ItemResult::Pass
            }),
            note: (i == 0 && fail_first).then(|| "接地线断开".to_owned()),
            photo_ids: vec![],
        })
        .collect()
}

async fn completion_rules(store: Store) {
    let w = world(&store).await;
    let s1 = enterprise_scope(w.e1);
    let start = t0();
    let c = store
        .create_checklist(checklist_input(Some(w.e1), 3), None, &s1, start)
        .await
        .unwrap();
    let plan = store
        .create_plan(plan_input(&w, c.id, "0 8 * * *", 12), None, &s1, start)
        .await
        .unwrap();
    let at8 = start + Duration::hours(8);
    store.generate_inspection_tasks(at8).await.unwrap();
    let id = store
        .list_tasks(&TaskFilter::default(), &s1, page(1), at8)
        .await
        .unwrap()
        .rows[0]
        .task
        .id;
    let (_, items) = store.get_task(id, &s1, at8).await.unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.result.is_none()));

    // Incomplete: 422 naming the item.
    let mut partial = results(&items, true);
    partial.pop();
    let input = |r: Vec<ResultInput>| CompleteInput {
        results: r,
        longitude: Some(118.8),
        latitude: Some(32.05),
        location: Some("罐区".into()),
        photo_ids: vec![],
        note: None,
    };
    let e = store
        .complete_task(id, input(partial), w.w1, &s1, at8)
        .await
        .unwrap_err();
    assert_eq!(field_of(e), [format!("results.{}", items[2].item_id)]);
    let mut bad_geo = input(results(&items, true));
    bad_geo.latitude = Some(95.0);
    assert_eq!(
        field_of(
            store
                .complete_task(id, bad_geo, w.w1, &s1, at8)
                .await
                .unwrap_err()
        ),
        ["latitude"]
    );
    // Out of scope: 404.
    assert!(matches!(
        store
            .complete_task(
                id,
                input(results(&items, true)),
                w.w2,
                &enterprise_scope(w.e2),
                at8
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // Valid: completed, with results and a snapshot.
    let done = store
        .complete_task(
            id,
            input(results(&items, true)),
            w.w1,
            &s1,
            at8 + Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(done.status, "completed");
    assert_eq!(done.completed_by, Some(w.w1));
    assert_eq!(done.location.as_deref(), Some("罐区"));
    // Twice: 409.
    assert!(matches!(
        store
            .complete_task(
                id,
                input(results(&items, true)),
                w.w1,
                &s1,
                at8 + Duration::hours(2)
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    // Editing the checklist later does not change the completed record.
    let mut edit = checklist_input(Some(w.e1), 1);
    edit.items[0].content = "全新的检查项".into();
    store.update_checklist(c.id, edit, &s1, at8).await.unwrap();
    let (view, items_after) = store
        .get_task(id, &s1, at8 + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(view.status, TaskStatus::Completed);
    assert_eq!(view.completed_by_name.as_deref(), Some("员工1"));
    assert_eq!(items_after.len(), 3);
    assert_eq!(items_after[0].content, "检查项1");
    assert_eq!(items_after[0].result, Some(ItemResult::Fail));
    assert_eq!(items_after[0].note.as_deref(), Some("接地线断开"));
    assert_eq!(items_after[1].result, Some(ItemResult::NotApplicable));

    // Late completion is refused (409) and flags the task missed on the way.
    let day2 = at8 + Duration::days(1);
    store.generate_inspection_tasks(day2).await.unwrap();
    let t2 = store
        .list_tasks(
            &TaskFilter {
                plan_id: Some(plan.id),
                status: Some(TaskStatus::Pending),
                ..Default::default()
            },
            &s1,
            page(1),
            day2,
        )
        .await
        .unwrap()
        .rows[0]
        .task
        .clone();
    let (_, items2) = store.get_task(t2.id, &s1, day2).await.unwrap();
    let too_late = t2.due_at + Duration::minutes(1);
    let e = store
        .complete_task(t2.id, input(results(&items2, false)), w.w1, &s1, too_late)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, StoreError::Conflict(m) if m.contains("漏检")),
        "{e:?}"
    );
    let (v2, _) = store.get_task(t2.id, &s1, too_late).await.unwrap();
    assert_eq!(v2.task.status, "missed");
}

async fn task_scope_and_stats(store: Store) {
    let w = world(&store).await;
    let start = t0();
    for (e, u) in [(w.e1, w.w1), (w.e2, w.w2)] {
        let s = enterprise_scope(e);
        let c = store
            .create_checklist(checklist_input(Some(e), 1), None, &s, start)
            .await
            .unwrap();
        let mut p = plan_input(&w, c.id, "0 8 * * *", 12);
        p.enterprise_id = e;
        p.assignee_id = u;
        store.create_plan(p, None, &s, start).await.unwrap();
    }
    // Two days: day 1 missed everywhere, day 2 pending.
    let now = start + Duration::days(1) + Duration::hours(9);
    store.generate_inspection_tasks(now).await.unwrap();
    let e1 = store
        .list_tasks(
            &TaskFilter::default(),
            &enterprise_scope(w.e1),
            page(50),
            now,
        )
        .await
        .unwrap();
    assert_eq!(e1.total, 2);
    assert!(e1.rows.iter().all(|t| t.task.enterprise_id == w.e1));
    // Pending first.
    assert_eq!(e1.rows[0].status, TaskStatus::Pending);
    let district = ScopeFilter {
        user_id: 0,
        scopes: vec![DataScope::RegionSubtree],
        region_path: Some(w.d1_path.clone()),
        department_id: None,
        enterprise_id: None,
    };
    let d = store
        .list_tasks(&TaskFilter::default(), &district, page(50), now)
        .await
        .unwrap();
    assert_eq!(d.total, 2);
    let everything = store
        .list_tasks(&TaskFilter::default(), &all(), page(50), now)
        .await
        .unwrap();
    assert_eq!(everything.total, 4);
    let other_id = everything
        .rows
        .iter()
        .find(|t| t.task.enterprise_id == w.e2)
        .unwrap()
        .task
        .id;
    assert!(matches!(
        store.get_task(other_id, &district, now).await,
        Err(StoreError::NotFound)
    ));
    // Filters: assignee, date range.
    let mine = store
        .list_tasks(
            &TaskFilter {
                assignee_id: Some(w.w2),
                ..Default::default()
            },
            &all(),
            page(50),
            now,
        )
        .await
        .unwrap();
    assert_eq!(mine.total, 2);
    let day2 = store
        .list_tasks(
            &TaskFilter {
                from: Some(start + Duration::days(1)),
                to: Some(start + Duration::days(2)),
                ..Default::default()
            },
            &all(),
            page(50),
            now,
        )
        .await
        .unwrap();
    assert_eq!(day2.total, 2);

    let stats = store
        .inspection_stats(&district, None, start, start + Duration::days(7), now)
        .await
        .unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!(
        (
            stats[0].enterprise_id,
            stats[0].total,
            stats[0].missed,
            stats[0].pending,
            stats[0].completed
        ),
        (w.e1, 2, 1, 1, 0)
    );
    assert_eq!(stats[0].enterprise_name, "企业1");
    let stats = store
        .inspection_stats(&all(), None, start, start + Duration::days(7), now)
        .await
        .unwrap();
    assert_eq!(stats.len(), 2);
}
