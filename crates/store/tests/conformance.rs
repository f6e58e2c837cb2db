//! The storage conformance suite: every test runs on SQLite, and on PostgreSQL when
//! `ANJIAN_TEST_POSTGRES_URL` is set (CI sets it). Each test gets a fresh database.

use anjian_domain::auth::{ALL_PERMISSIONS, DataScope, ScopeFilter};
use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel, SupervisionCategory};
use anjian_domain::page::Page;
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::*;
use chrono::{Duration, Utc};

anjian_store::both_databases!(
    migrations_seed_and_are_idempotent,
    region_tree_rules,
    enterprise_crud_and_uniqueness,
    batch_insert_is_all_or_nothing,
    data_scope_is_applied_in_the_query,
    users_roles_and_access,
    sessions_expire_slide_and_end,
    login_failure_bookkeeping,
    dictionaries_and_parameters,
    logs_are_filtered_and_paged,
);

/// A migration that fails half-way leaves nothing behind, so the next start can succeed.
async fn interrupted_migration_leaves_no_partial_schema(url: String) {
    use sea_orm::ConnectionTrait;
    let store = Store::connect(&url).await.unwrap();
    // A conflicting table makes the first migration fail at its last step.
    let conn = sea_orm::Database::connect(url.as_str()).await.unwrap();
    conn.execute_unprepared("CREATE TABLE params (x INTEGER)")
        .await
        .unwrap();
    assert!(store.migrate().await.is_err());
    let leftover = conn
        .execute_unprepared("CREATE TABLE regions (x INTEGER)")
        .await;
    assert!(
        leftover.is_ok(),
        "the failed migration left the regions table behind"
    );
    conn.execute_unprepared("DROP TABLE regions").await.unwrap();
    conn.execute_unprepared("DROP TABLE params").await.unwrap();
    store.migrate().await.expect("a clean retry succeeds");
    assert!(store.find_role_by_key("admin").await.unwrap().is_some());
    let _ = conn.close().await;
    store.close().await;
}

#[tokio::test]
async fn interrupted_migration_sqlite() {
    let db = TestDb::sqlite();
    interrupted_migration_leaves_no_partial_schema(db.url.clone()).await;
    db.drop_db().await;
}

#[tokio::test]
async fn interrupted_migration_postgres() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    interrupted_migration_leaves_no_partial_schema(db.url.clone()).await;
    db.drop_db().await;
}

fn page(size: u64) -> Page {
    Page::new(Some(1), Some(size)).unwrap()
}

fn scope(scopes: &[DataScope]) -> ScopeFilter {
    ScopeFilter {
        user_id: 0,
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

fn draft(n: u32, region_id: i64, department_id: Option<i64>) -> EnterpriseDraft {
    EnterpriseInput {
        name: format!("企业{n}"),
        uscc: uscc(n),
        address: "地址".into(),
        longitude: Some(118.8),
        latitude: Some(32.0),
        industry_code: "C2614".into(),
        supervision_category: "hazardous_chemicals".into(),
        scale: "small".into(),
        employee_count: 10,
        principal_name: "张三".into(),
        department_id,
        region_id,
        ..Default::default()
    }
    .validate()
    .unwrap()
}

async fn region(store: &Store, parent: Option<i64>, code: &str, level: RegionLevel) -> Region {
    store
        .create_region(RegionInput {
            parent_id: parent,
            code: code.into(),
            name: code.into(),
            level,
            sort: 0,
        })
        .await
        .unwrap()
}

fn field_of(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.fields.into_keys().collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn migrations_seed_and_are_idempotent(store: Store) {
    store.migrate().await.expect("second migrate is a no-op");
    let types = store.list_dict_types().await.unwrap();
    assert!(
        types
            .iter()
            .any(|t| t.dict_type == "supervision_category" && t.builtin)
    );
    let cats = store.dict_data_of("supervision_category").await.unwrap();
    assert_eq!(cats.len(), SupervisionCategory::ALL.len());
    assert_eq!(
        store
            .param_value("sys.login.maxFailures")
            .await
            .unwrap()
            .as_deref(),
        Some("5")
    );
    let roles = store.list_roles().await.unwrap();
    let keys: Vec<_> = roles.iter().map(|r| r.role_key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "admin",
            "city_admin",
            "district_inspector",
            "department_officer",
            "enterprise_manager",
            "enterprise_worker"
        ]
    );
    let menus = store.list_menus().await.unwrap();
    assert!(
        menus
            .iter()
            .any(|m| m.perms.as_deref() == Some("enterprise:import"))
    );
    // A role created after the seed gets a fresh id (the PostgreSQL sequence was moved on).
    let r = store
        .create_role(RoleInput {
            role_key: "extra".into(),
            name: "x".into(),
            data_scope: DataScope::SelfOnly,
            status: "active".into(),
            sort: 9,
            menu_ids: vec![300],
            remark: None,
        })
        .await
        .unwrap();
    assert!(r.id > 6);
}

async fn region_tree_rules(store: Store) {
    let d = region(&store, None, "320102", RegionLevel::District).await;
    assert_eq!(d.path, format!("/{}/", d.id));
    let s = region(&store, Some(d.id), "320102001", RegionLevel::Street).await;
    assert_eq!(s.path, format!("/{}/{}/", d.id, s.id));
    let g = region(&store, Some(s.id), "320102001001", RegionLevel::Grid).await;
    assert!(g.path.starts_with(&s.path));
    // Wrong levels.
    let bad = store
        .create_region(RegionInput {
            parent_id: None,
            code: "x1".into(),
            name: "x".into(),
            level: RegionLevel::Street,
            sort: 0,
        })
        .await;
    assert_eq!(field_of(bad.unwrap_err()), ["level"]);
    let bad = store
        .create_region(RegionInput {
            parent_id: Some(g.id),
            code: "x2".into(),
            name: "x".into(),
            level: RegionLevel::Grid,
            sort: 0,
        })
        .await;
    assert_eq!(field_of(bad.unwrap_err()), ["level"]);
    let bad = store
        .create_region(RegionInput {
            parent_id: Some(9999),
            code: "x3".into(),
            name: "x".into(),
            level: RegionLevel::Street,
            sort: 0,
        })
        .await;
    assert_eq!(field_of(bad.unwrap_err()), ["parentId"]);
    // Duplicate code.
    let dup = store
        .create_region(RegionInput {
            parent_id: None,
            code: "320102".into(),
            name: "y".into(),
            level: RegionLevel::District,
            sort: 0,
        })
        .await;
    assert_eq!(field_of(dup.unwrap_err()), ["code"]);
    // In use: has children.
    assert_eq!(
        field_of(store.delete_region(d.id).await.unwrap_err()),
        ["id"]
    );
    store.delete_region(g.id).await.unwrap();
    assert!(matches!(
        store.get_region(g.id).await,
        Err(StoreError::NotFound)
    ));
    // Rename keeps the path; moving is refused.
    let renamed = store
        .update_region(
            s.id,
            RegionInput {
                parent_id: Some(d.id),
                code: "320102001".into(),
                name: "新名".into(),
                level: RegionLevel::Street,
                sort: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.path.as_str()),
        ("新名", s.path.as_str())
    );
    let moved = store
        .update_region(
            s.id,
            RegionInput {
                parent_id: None,
                code: "320102001".into(),
                name: "x".into(),
                level: RegionLevel::Street,
                sort: 0,
            },
        )
        .await;
    assert_eq!(field_of(moved.unwrap_err()), ["parentId"]);
}

async fn enterprise_crud_and_uniqueness(store: Store) {
    let d = region(&store, None, "320102", RegionLevel::District).await;
    let all = scope(&[DataScope::All]);
    let e = store
        .create_enterprise(draft(1, d.id, None), Some(7))
        .await
        .unwrap();
    assert_eq!(e.uscc, uscc(1));
    assert_eq!(e.created_by, Some(7));
    assert_eq!(
        field_of(
            store
                .create_enterprise(draft(1, d.id, None), None)
                .await
                .unwrap_err()
        ),
        ["uscc"]
    );
    assert_eq!(
        field_of(
            store
                .create_enterprise(draft(2, 999, None), None)
                .await
                .unwrap_err()
        ),
        ["regionId"]
    );
    assert_eq!(
        field_of(
            store
                .create_enterprise(draft(2, d.id, Some(999)), None)
                .await
                .unwrap_err()
        ),
        ["departmentId"]
    );
    let mut changed = draft(1, d.id, None);
    changed.name = "改名".into();
    changed.supervision_category = SupervisionCategory::Construction;
    let u = store.update_enterprise(e.id, changed, &all).await.unwrap();
    assert_eq!(
        (u.name.as_str(), u.supervision_category.as_str()),
        ("改名", "construction")
    );
    let e2 = store
        .create_enterprise(draft(2, d.id, None), None)
        .await
        .unwrap();
    assert_eq!(
        field_of(
            store
                .update_enterprise(e2.id, draft(1, d.id, None), &all)
                .await
                .unwrap_err()
        ),
        ["uscc"]
    );
    let filter = EnterpriseFilter {
        name: Some("改".into()),
        ..Default::default()
    };
    let found = store
        .list_enterprises(&filter, &all, page(10))
        .await
        .unwrap();
    assert_eq!((found.total, found.rows[0].id), (1, e.id));
    let by_code = EnterpriseFilter {
        uscc: Some(uscc(2)[..10].to_lowercase()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_enterprises(&by_code, &all, page(10))
            .await
            .unwrap()
            .total,
        2
    );
    // Filters match literally: % and _ are not wildcards; case does not matter on either database.
    for (pattern, n) in [("%", 0), ("_", 0), ("企业2", 1), ("改_", 0)] {
        let f = EnterpriseFilter {
            name: Some(pattern.into()),
            ..Default::default()
        };
        assert_eq!(
            store
                .list_enterprises(&f, &all, page(10))
                .await
                .unwrap()
                .total,
            n,
            "name {pattern:?}"
        );
    }
    let lower = EnterpriseFilter {
        uscc: Some(uscc(2).to_lowercase()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_enterprises(&lower, &all, page(10))
            .await
            .unwrap()
            .total,
        1
    );
    store.delete_enterprise(e.id, &all).await.unwrap();
    assert!(matches!(
        store.get_enterprise(e.id, &all).await,
        Err(StoreError::NotFound)
    ));
    // The deleted code is free again; the other one is taken, whoever may see it.
    let taken = store
        .existing_usccs(&[uscc(1), uscc(2), uscc(99)])
        .await
        .unwrap();
    assert_eq!(taken, std::collections::HashSet::from([uscc(2)]));
    assert_eq!(
        store.get_enterprise(e2.id, &all).await.unwrap().uscc,
        uscc(2)
    );
    // Paging.
    for n in 10..35 {
        store
            .create_enterprise(draft(n, d.id, None), None)
            .await
            .unwrap();
    }
    let p2 = store
        .list_enterprises(
            &EnterpriseFilter::default(),
            &all,
            Page::new(Some(3), Some(10)).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((p2.total, p2.rows.len()), (26, 6));
}

async fn batch_insert_is_all_or_nothing(store: Store) {
    let d = region(&store, None, "320102", RegionLevel::District).await;
    let batch = vec![
        draft(1, d.id, None),
        draft(2, d.id, None),
        draft(1, d.id, None),
    ];
    assert!(store.create_enterprises(batch, None).await.is_err());
    let all = scope(&[DataScope::All]);
    assert_eq!(
        store
            .list_enterprises(&EnterpriseFilter::default(), &all, page(10))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store
            .create_enterprises(vec![draft(1, d.id, None), draft(2, d.id, None)], None)
            .await
            .unwrap(),
        2
    );
}

async fn data_scope_is_applied_in_the_query(store: Store) {
    let d1 = region(&store, None, "D1", RegionLevel::District).await;
    let s1 = region(&store, Some(d1.id), "D1S1", RegionLevel::Street).await;
    let d2 = region(&store, None, "D2", RegionLevel::District).await;
    // "D1" must not match "D10..." style siblings: the path has a trailing slash.
    let d10 = region(&store, None, "D10", RegionLevel::District).await;
    let dep = store
        .create_department(DepartmentInput {
            parent_id: None,
            name: "住建".into(),
            kind: DepartmentKind::Housing,
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
    let in_d1 = store
        .create_enterprise(draft(1, d1.id, None), None)
        .await
        .unwrap();
    let in_s1 = store
        .create_enterprise(draft(2, s1.id, Some(dep.id)), None)
        .await
        .unwrap();
    let in_d2 = store
        .create_enterprise(draft(3, d2.id, None), Some(42))
        .await
        .unwrap();
    let in_d10 = store
        .create_enterprise(draft(4, d10.id, None), None)
        .await
        .unwrap();
    let ids = |p: PageOf<Enterprise>| {
        let mut v: Vec<i64> = p.rows.into_iter().map(|e| e.id).collect();
        v.sort();
        v
    };
    let f = EnterpriseFilter::default();
    let region_scope = ScopeFilter {
        region_path: Some(d1.path.clone()),
        ..scope(&[DataScope::RegionSubtree])
    };
    assert_eq!(
        ids(store
            .list_enterprises(&f, &region_scope, page(50))
            .await
            .unwrap()),
        vec![in_d1.id, in_s1.id]
    );
    assert!(matches!(
        store.get_enterprise(in_d2.id, &region_scope).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_enterprise(in_d10.id, &region_scope).await,
        Err(StoreError::NotFound)
    ));
    let street_scope = ScopeFilter {
        region_path: Some(s1.path.clone()),
        ..scope(&[DataScope::RegionSubtree])
    };
    assert_eq!(
        ids(store
            .list_enterprises(&f, &street_scope, page(50))
            .await
            .unwrap()),
        vec![in_s1.id]
    );
    let dep_scope = ScopeFilter {
        department_id: Some(dep.id),
        ..scope(&[DataScope::Department])
    };
    assert_eq!(
        ids(store
            .list_enterprises(&f, &dep_scope, page(50))
            .await
            .unwrap()),
        vec![in_s1.id]
    );
    let ent_scope = ScopeFilter {
        enterprise_id: Some(in_d2.id),
        ..scope(&[DataScope::Enterprise])
    };
    assert_eq!(
        ids(store
            .list_enterprises(&f, &ent_scope, page(50))
            .await
            .unwrap()),
        vec![in_d2.id]
    );
    assert!(
        store
            .update_enterprise(in_d1.id, draft(1, d1.id, None), &ent_scope)
            .await
            .is_err()
    );
    assert!(matches!(
        store.delete_enterprise(in_d1.id, &ent_scope).await,
        Err(StoreError::NotFound)
    ));
    let self_scope = ScopeFilter {
        user_id: 42,
        ..scope(&[DataScope::SelfOnly])
    };
    assert_eq!(
        ids(store
            .list_enterprises(&f, &self_scope, page(50))
            .await
            .unwrap()),
        vec![in_d2.id]
    );
    // Union of two roles' scopes.
    let union = ScopeFilter {
        region_path: Some(s1.path.clone()),
        enterprise_id: Some(in_d10.id),
        ..scope(&[DataScope::RegionSubtree, DataScope::Enterprise])
    };
    assert_eq!(
        ids(store.list_enterprises(&f, &union, page(50)).await.unwrap()),
        vec![in_s1.id, in_d10.id]
    );
    // A scope without its anchor (no region, no enterprise) sees nothing.
    assert_eq!(
        store
            .list_enterprises(&f, &scope(&[DataScope::RegionSubtree]), page(50))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store
            .list_enterprises(&f, &scope(&[]), page(50))
            .await
            .unwrap()
            .total,
        0
    );
    // The region filter narrows within the scope.
    let f_d2 = EnterpriseFilter {
        region_id: Some(d2.id),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_enterprises(&f_d2, &region_scope, page(50))
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store
            .list_enterprises(&f_d2, &scope(&[DataScope::All]), page(50))
            .await
            .unwrap()
            .total,
        1
    );
    let (cats, regions) = store.enterprise_counts(&region_scope).await.unwrap();
    assert_eq!(cats, vec![("hazardous_chemicals".to_string(), 2)]);
    assert_eq!(regions.iter().map(|r| r.1).sum::<i64>(), 2);
}

fn new_user(name: &str, role_ids: Vec<i64>) -> NewUser {
    NewUser {
        username: name.into(),
        nickname: name.into(),
        password_hash: "$argon2id$x".into(),
        phone: None,
        email: None,
        department_id: None,
        enterprise_id: None,
        region_id: None,
        role_ids,
        must_change_password: true,
        remark: None,
    }
}

async fn users_roles_and_access(store: Store) {
    let admin_role = store.find_role_by_key("admin").await.unwrap().unwrap();
    let inspector = store
        .find_role_by_key("district_inspector")
        .await
        .unwrap()
        .unwrap();
    let d = region(&store, None, "D1", RegionLevel::District).await;
    let admin = store
        .create_user(new_user("root", vec![admin_role.id]))
        .await
        .unwrap();
    assert_eq!(
        field_of(
            store
                .create_user(new_user("root", vec![]))
                .await
                .unwrap_err()
        ),
        ["username"]
    );
    assert_eq!(
        field_of(
            store
                .create_user(new_user("x", vec![999]))
                .await
                .unwrap_err()
        ),
        ["roleIds"]
    );
    let (perms, _, sc) = store.resolve_access(&admin).await.unwrap();
    assert_eq!(perms, [ALL_PERMISSIONS]);
    assert!(sc.is_all());
    let mut u = new_user("insp", vec![inspector.id]);
    u.region_id = Some(d.id);
    let insp = store.create_user(u).await.unwrap();
    let (perms, roles, sc) = store.resolve_access(&insp).await.unwrap();
    assert_eq!(roles.len(), 1);
    assert!(
        perms.contains(&"enterprise:list".to_string())
            && perms.contains(&"enterprise:add".to_string())
    );
    assert!(!perms.iter().any(|p| p.starts_with("system:user")));
    assert_eq!(
        (sc.scopes.clone(), sc.region_path.clone()),
        (vec![DataScope::RegionSubtree], Some(d.path.clone()))
    );
    // The inspector sees themself (and users in their region), not the admin.
    let visible = store
        .list_users(&UserFilter::default(), &sc, page(50))
        .await
        .unwrap();
    assert_eq!(
        visible
            .rows
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["insp"]
    );
    assert!(matches!(
        store.get_user(admin.id, &sc).await,
        Err(StoreError::NotFound)
    ));
    // Disabling a role removes its permissions.
    let patch = UserPatch {
        nickname: "x".into(),
        phone: None,
        email: None,
        department_id: None,
        enterprise_id: None,
        region_id: Some(d.id),
        status: "disabled".into(),
        role_ids: vec![],
        remark: None,
    };
    let updated = store
        .update_user(insp.id, patch, &ScopeFilter::unrestricted())
        .await
        .unwrap();
    assert_eq!(updated.status, "disabled");
    assert!(store.resolve_access(&updated).await.unwrap().0.is_empty());
    // Built-in roles cannot be deleted or (admin) edited.
    assert_eq!(
        field_of(store.delete_role(inspector.id).await.unwrap_err()),
        ["id"]
    );
    let edit = RoleInput {
        role_key: "admin".into(),
        name: "x".into(),
        data_scope: DataScope::SelfOnly,
        status: "active".into(),
        sort: 0,
        menu_ids: vec![],
        remark: None,
    };
    assert_eq!(
        field_of(store.update_role(admin_role.id, edit).await.unwrap_err()),
        ["id"]
    );
    let bad_menu = RoleInput {
        role_key: "r2".into(),
        name: "x".into(),
        data_scope: DataScope::SelfOnly,
        status: "active".into(),
        sort: 0,
        menu_ids: vec![123456],
        remark: None,
    };
    assert_eq!(
        field_of(store.create_role(bad_menu).await.unwrap_err()),
        ["menuIds"]
    );
    store
        .delete_user(insp.id, &ScopeFilter::unrestricted())
        .await
        .unwrap();
    assert_eq!(store.user_count().await.unwrap(), 1);
}

async fn sessions_expire_slide_and_end(store: Store) {
    let u = store.create_user(new_user("s", vec![])).await.unwrap();
    let now = Utc::now();
    let id = store
        .create_session(
            u.id,
            "h1".into(),
            Some("127.0.0.1".into()),
            None,
            now + Duration::minutes(5),
        )
        .await
        .unwrap();
    store
        .create_session(u.id, "h2".into(), None, None, now - Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        store
            .find_session("h1", now)
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
        u.id
    );
    assert!(
        store.find_session("h2", now).await.unwrap().is_none(),
        "expired"
    );
    assert!(
        store
            .find_session("h1", now + Duration::minutes(6))
            .await
            .unwrap()
            .is_none()
    );
    store
        .touch_session(id, now, now + Duration::minutes(30))
        .await
        .unwrap();
    assert!(
        store
            .find_session("h1", now + Duration::minutes(6))
            .await
            .unwrap()
            .is_some(),
        "slid"
    );
    assert_eq!(
        store
            .list_sessions(now, &ScopeFilter::unrestricted())
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.purge_expired_sessions(now).await.unwrap(), 1);
    // A password change ends the other sessions.
    let keep = store
        .create_session(u.id, "h3".into(), None, None, now + Duration::minutes(5))
        .await
        .unwrap();
    store
        .set_password(u.id, "$argon2id$y".into(), false, Some(keep))
        .await
        .unwrap();
    assert!(store.find_session("h1", now).await.unwrap().is_none());
    assert!(store.find_session("h3", now).await.unwrap().is_some());
    assert!(store.delete_session(keep).await.unwrap());
    assert!(!store.delete_session(keep).await.unwrap());
}

async fn login_failure_bookkeeping(store: Store) {
    let u = store.create_user(new_user("f", vec![])).await.unwrap();
    let until = Utc::now() + Duration::minutes(10);
    store
        .record_login_failure(u.id, 5, Some(until))
        .await
        .unwrap();
    let row = store.find_user_by_username("f").await.unwrap().unwrap();
    assert_eq!(row.failed_logins, 5);
    assert_eq!(
        row.locked_until.map(|t| t.timestamp()),
        Some(until.timestamp())
    );
    store
        .record_login_success(u.id, Some("10.0.0.1".into()))
        .await
        .unwrap();
    let row = store.find_user_by_username("f").await.unwrap().unwrap();
    assert_eq!(
        (
            row.failed_logins,
            row.locked_until,
            row.last_login_ip.as_deref()
        ),
        (0, None, Some("10.0.0.1"))
    );
}

async fn dictionaries_and_parameters(store: Store) {
    let t = store
        .create_dict_type(DictTypeInput {
            dict_type: "color".into(),
            name: "颜色".into(),
            status: "active".into(),
            remark: None,
        })
        .await
        .unwrap();
    let dup = store
        .create_dict_type(DictTypeInput {
            dict_type: "color".into(),
            name: "x".into(),
            status: "active".into(),
            remark: None,
        })
        .await;
    assert_eq!(field_of(dup.unwrap_err()), ["dictType"]);
    let item = DictDataInput {
        dict_type: "color".into(),
        label: "红".into(),
        value: "red".into(),
        sort: 1,
        status: "active".into(),
        remark: None,
    };
    let red = store.create_dict_data(item.clone()).await.unwrap();
    assert_eq!(
        field_of(store.create_dict_data(item.clone()).await.unwrap_err()),
        ["value"]
    );
    let missing = DictDataInput {
        dict_type: "nope".into(),
        ..item.clone()
    };
    assert_eq!(
        field_of(store.create_dict_data(missing).await.unwrap_err()),
        ["dictType"]
    );
    // Renaming the dictionary carries its entries along.
    store
        .update_dict_type(
            t.id,
            DictTypeInput {
                dict_type: "colour".into(),
                name: "颜色".into(),
                status: "active".into(),
                remark: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.dict_data_of("colour").await.unwrap()[0].id, red.id);
    store.delete_dict_type(t.id).await.unwrap();
    assert!(store.dict_data_of("colour").await.unwrap().is_empty());
    // Built-in dictionaries: values fixed, no deletion.
    let builtin = store
        .list_dict_types()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.dict_type == "enterprise_scale")
        .unwrap();
    assert_eq!(
        field_of(store.delete_dict_type(builtin.id).await.unwrap_err()),
        ["id"]
    );
    let large = store
        .dict_data_of("enterprise_scale")
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.value == "large")
        .unwrap();
    let relabel = DictDataInput {
        dict_type: "enterprise_scale".into(),
        label: "大型企业".into(),
        value: "large".into(),
        sort: 1,
        status: "active".into(),
        remark: None,
    };
    assert_eq!(
        store
            .update_dict_data(large.id, relabel.clone())
            .await
            .unwrap()
            .label,
        "大型企业"
    );
    let revalue = DictDataInput {
        value: "big".into(),
        ..relabel
    };
    assert_eq!(
        field_of(store.update_dict_data(large.id, revalue).await.unwrap_err()),
        ["value"]
    );
    assert_eq!(
        field_of(store.delete_dict_data(large.id).await.unwrap_err()),
        ["id"]
    );
    // Parameters.
    let p = store
        .list_params()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.param_key == "sys.login.lockMinutes")
        .unwrap();
    let upd = store
        .update_param(
            p.id,
            ParamInput {
                param_key: p.param_key.clone(),
                name: p.name.clone(),
                value: "15".into(),
                remark: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(upd.value, "15");
    assert_eq!(
        store
            .param_value("sys.login.lockMinutes")
            .await
            .unwrap()
            .as_deref(),
        Some("15")
    );
    let rename = ParamInput {
        param_key: "other".into(),
        name: "x".into(),
        value: "1".into(),
        remark: None,
    };
    assert_eq!(
        field_of(store.update_param(p.id, rename.clone()).await.unwrap_err()),
        ["paramKey"]
    );
    assert_eq!(
        field_of(store.delete_param(p.id).await.unwrap_err()),
        ["id"]
    );
    let mine = store.create_param(rename).await.unwrap();
    store.delete_param(mine.id).await.unwrap();
}

async fn logs_are_filtered_and_paged(store: Store) {
    for i in 0..3 {
        store
            .add_login_log("alice", Some("1.2.3.4".into()), None, i != 1, "m")
            .await
            .unwrap();
    }
    store
        .add_login_log("bob", None, None, true, "ok")
        .await
        .unwrap();
    let f = LogFilter {
        username: Some("alice".into()),
        ..Default::default()
    };
    assert_eq!(store.list_login_logs(&f, page(10)).await.unwrap().total, 3);
    let fails = LogFilter {
        success: Some(false),
        ..Default::default()
    };
    assert_eq!(
        store.list_login_logs(&fails, page(10)).await.unwrap().total,
        1
    );
    let future = LogFilter {
        since: Some(Utc::now() + Duration::hours(1)),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_login_logs(&future, page(10))
            .await
            .unwrap()
            .total,
        0
    );
    for code in [201u16, 422] {
        store
            .add_oper_log(NewOperLog {
                user_id: Some(1),
                username: Some("alice".into()),
                method: "POST".into(),
                path: "/api/x".into(),
                status_code: code,
                ip: None,
                request: None,
                duration_ms: 3,
            })
            .await
            .unwrap();
    }
    let failed = store
        .list_oper_logs(
            &LogFilter {
                success: Some(false),
                ..Default::default()
            },
            page(10),
        )
        .await
        .unwrap();
    assert_eq!((failed.total, failed.rows[0].status_code), (1, 422));
    let newest_first = store
        .list_oper_logs(&LogFilter::default(), page(10))
        .await
        .unwrap();
    assert!(newest_first.rows[0].id > newest_first.rows[1].id);
}
