//! Seed data every installation needs: dictionaries (from the domain enumerations), system
//! parameters, the console menu tree with its permission strings, and the built-in roles.
//! The bootstrap admin account is not created here (its password comes from the operator).

use anjian_domain::auth::DataScope;
use anjian_domain::org::{
    DepartmentKind, EnterpriseScale, EnterpriseStatus, RecordStatus, RegionLevel,
    SupervisionCategory,
};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn t(name: &str) -> Alias {
    Alias::new(name)
}

/// (dict_type, name, [(value, label)])
/// (dict_type, name, [(value, label)])
type Dictionary = (&'static str, &'static str, Vec<(String, String)>);

fn dictionaries() -> Vec<Dictionary> {
    macro_rules! from_enum {
        ($e:ty, $name:literal) => {
            (
                <$e>::DICT_TYPE,
                $name,
                <$e>::ALL
                    .iter()
                    .map(|v| (v.code().to_owned(), v.label().to_owned()))
                    .collect(),
            )
        };
    }
    vec![
        from_enum!(RegionLevel, "区域层级"),
        from_enum!(DepartmentKind, "部门类型"),
        from_enum!(SupervisionCategory, "监管分类"),
        from_enum!(EnterpriseScale, "企业规模"),
        from_enum!(EnterpriseStatus, "企业状态"),
        from_enum!(RecordStatus, "启用状态"),
        (
            "data_scope",
            "数据权限",
            vec![
                (DataScope::All.code().into(), "全部数据".into()),
                (
                    DataScope::RegionSubtree.code().into(),
                    "本区域及以下".into(),
                ),
                (DataScope::Department.code().into(), "本部门".into()),
                (DataScope::Enterprise.code().into(), "本企业".into()),
                (DataScope::SelfOnly.code().into(), "仅本人".into()),
            ],
        ),
        (
            "risk_level",
            "风险等级",
            vec![
                ("major".into(), "重大风险(红)".into()),
                ("high".into(), "较大风险(橙)".into()),
                ("medium".into(), "一般风险(黄)".into()),
                ("low".into(), "低风险(蓝)".into()),
            ],
        ),
    ]
}

/// (key, name, value, remark)
pub const PARAMS: [(&str, &str, &str, &str); 8] = [
    (
        "sys.index.title",
        "平台名称",
        "安监 · 城市安全生产监管平台",
        "Shown in the console title bar",
    ),
    (
        "sys.session.idleMinutes",
        "会话空闲超时(分钟)",
        "120",
        "Sliding expiry of a login session, minutes",
    ),
    (
        "sys.session.maxHours",
        "会话最长时长(小时)",
        "24",
        "A session ends this many hours after login regardless of use",
    ),
    ("sys.password.minLength", "密码最小长度", "8", "Characters"),
    (
        "sys.password.minClasses",
        "密码字符类别数",
        "3",
        "Of: lower case, upper case, digits, symbols",
    ),
    (
        "sys.login.maxFailures",
        "登录失败锁定次数",
        "5",
        "Consecutive failures that lock an account",
    ),
    (
        "sys.login.lockMinutes",
        "锁定时长(分钟)",
        "10",
        "Minutes an account stays locked",
    ),
    (
        "sys.user.initPasswordChange",
        "首次登录强制改密",
        "true",
        "Whether a password set by an administrator must be changed at first login",
    ),
];

/// Pages: (id, parent, name, path, permission prefix, icon, buttons)
/// (id, parent, name, path, permission prefix, icon, buttons as (label, action))
type PageDef = (
    i64,
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PAGES: [PageDef; 11] = [
    (100, 1, "区域管理", "region", "system:region", "tree", CRUD),
    (
        101,
        1,
        "部门管理",
        "department",
        "system:department",
        "tree-table",
        CRUD,
    ),
    (
        102,
        1,
        "用户管理",
        "user",
        "system:user",
        "user",
        USER_BUTTONS,
    ),
    (103, 1, "角色管理", "role", "system:role", "peoples", CRUD),
    (
        104,
        1,
        "菜单管理",
        "menu",
        "system:menu",
        "tree-table",
        &[("查询", "query")],
    ),
    (105, 1, "字典管理", "dict", "system:dict", "dict", CRUD),
    (106, 1, "参数设置", "param", "system:param", "edit", CRUD),
    (
        200,
        2,
        "在线用户",
        "online",
        "monitor:online",
        "online",
        &[("查询", "query"), ("强退", "forceLogout")],
    ),
    (
        201,
        2,
        "操作日志",
        "operlog",
        "monitor:operlog",
        "form",
        &[("查询", "query"), ("导出", "export")],
    ),
    (
        202,
        2,
        "登录日志",
        "logininfor",
        "monitor:logininfor",
        "logininfor",
        &[("查询", "query"), ("导出", "export")],
    ),
    (
        300,
        3,
        "企业档案",
        "list",
        "enterprise",
        "office-building",
        ENTERPRISE_BUTTONS,
    ),
];
const CRUD: &[(&str, &str)] = &[
    ("查询", "query"),
    ("新增", "add"),
    ("修改", "edit"),
    ("删除", "remove"),
];
const USER_BUTTONS: &[(&str, &str)] = &[
    ("查询", "query"),
    ("新增", "add"),
    ("修改", "edit"),
    ("删除", "remove"),
    ("重置密码", "resetPwd"),
];
const ENTERPRISE_BUTTONS: &[(&str, &str)] = &[
    ("查询", "query"),
    ("新增", "add"),
    ("修改", "edit"),
    ("删除", "remove"),
    ("导入", "import"),
    ("导出", "export"),
];

/// (key, name, data scope, permission strings granted (by prefix match on menu perms), sort)
pub const ROLES: [(&str, &str, DataScope, &[&str], i32); 5] = [
    ("admin", "超级管理员", DataScope::All, &["*"], 1),
    ("city_admin", "市级管理员", DataScope::All, &["*"], 2),
    (
        "district_inspector",
        "区县监管员",
        DataScope::RegionSubtree,
        &[
            "enterprise",
            "system:region:list",
            "system:region:query",
            "system:department:list",
            "system:dict:list",
        ],
        3,
    ),
    (
        "department_officer",
        "行业部门监管员",
        DataScope::Department,
        &[
            "enterprise:list",
            "enterprise:query",
            "enterprise:export",
            "system:region:list",
            "system:dict:list",
        ],
        4,
    ),
    (
        "enterprise_manager",
        "企业安全管理员",
        DataScope::Enterprise,
        &[
            "enterprise:list",
            "enterprise:query",
            "enterprise:edit",
            "system:dict:list",
        ],
        5,
    ),
];

/// Every menu row: (id, parent, name, type, path, component, perms, icon, sort).
#[allow(clippy::type_complexity)]
pub fn menus() -> Vec<(
    i64,
    i64,
    String,
    &'static str,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
)> {
    let mut rows = vec![
        (
            1,
            0,
            "系统管理".to_owned(),
            "M",
            Some("system".to_owned()),
            None,
            None,
            Some("system".to_owned()),
            90,
        ),
        (
            2,
            0,
            "系统监控".to_owned(),
            "M",
            Some("monitor".to_owned()),
            None,
            None,
            Some("monitor".to_owned()),
            91,
        ),
        (
            3,
            0,
            "企业管理".to_owned(),
            "M",
            Some("enterprise".to_owned()),
            None,
            None,
            Some("office-building".to_owned()),
            1,
        ),
    ];
    for (id, parent, name, path, prefix, icon, buttons) in PAGES {
        let dir = match parent {
            1 => "system",
            2 => "monitor",
            _ => "enterprise",
        };
        rows.push((
            id,
            parent,
            name.to_owned(),
            "C",
            Some(path.to_owned()),
            Some(format!("{dir}/{path}/index")),
            Some(format!("{prefix}:list")),
            Some(icon.to_owned()),
            (id % 100) as i32,
        ));
        for (i, (label, action)) in buttons.iter().enumerate() {
            let bid = id * 10 + i as i64 + 1;
            rows.push((
                bid,
                id,
                (*label).to_owned(),
                "F",
                None,
                None,
                Some(format!("{prefix}:{action}")),
                None,
                i as i32 + 1,
            ));
        }
    }
    rows
}

fn grants(patterns: &[&str], perms: Option<&str>) -> bool {
    patterns.iter().any(|p| {
        *p == "*" || perms.is_some_and(|perm| perm == *p || perm.starts_with(&format!("{p}:")))
    })
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every backend (SQLite has transactional DDL too), so a start that is
    /// interrupted half-way leaves no partial schema behind.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (dict_type, name, entries) in dictionaries() {
            m.exec_stmt(
                Query::insert()
                    .into_table(t("dict_types"))
                    .columns([t("dict_type"), t("name"), t("status"), t("builtin")])
                    .values_panic([dict_type.into(), name.into(), "active".into(), true.into()])
                    .to_owned(),
            )
            .await?;
            for (i, (value, label)) in entries.into_iter().enumerate() {
                m.exec_stmt(
                    Query::insert()
                        .into_table(t("dict_data"))
                        .columns([
                            t("dict_type"),
                            t("label"),
                            t("value"),
                            t("sort"),
                            t("status"),
                        ])
                        .values_panic([
                            dict_type.into(),
                            label.into(),
                            value.into(),
                            (i as i32 + 1).into(),
                            "active".into(),
                        ])
                        .to_owned(),
                )
                .await?;
            }
        }
        for (key, name, value, remark) in PARAMS {
            m.exec_stmt(
                Query::insert()
                    .into_table(t("params"))
                    .columns([
                        t("param_key"),
                        t("name"),
                        t("value"),
                        t("builtin"),
                        t("remark"),
                    ])
                    .values_panic([
                        key.into(),
                        name.into(),
                        value.into(),
                        true.into(),
                        remark.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        let menus = menus();
        for (id, parent, name, kind, path, component, perms, icon, sort) in &menus {
            m.exec_stmt(
                Query::insert()
                    .into_table(t("menus"))
                    .columns([
                        t("id"),
                        t("parent_id"),
                        t("name"),
                        t("menu_type"),
                        t("path"),
                        t("component"),
                        t("perms"),
                        t("icon"),
                        t("sort"),
                    ])
                    .values_panic([
                        (*id).into(),
                        (*parent).into(),
                        name.clone().into(),
                        (*kind).into(),
                        path.clone().into(),
                        component.clone().into(),
                        perms.clone().into(),
                        icon.clone().into(),
                        (*sort).into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        let now = chrono::Utc::now();
        for (role_id, (key, name, scope, patterns, sort)) in ROLES.iter().enumerate() {
            let role_id = role_id as i64 + 1;
            m.exec_stmt(
                Query::insert()
                    .into_table(t("roles"))
                    .columns([
                        t("id"),
                        t("role_key"),
                        t("name"),
                        t("data_scope"),
                        t("status"),
                        t("sort"),
                        t("builtin"),
                        t("created_at"),
                        t("updated_at"),
                    ])
                    .values_panic([
                        role_id.into(),
                        (*key).into(),
                        (*name).into(),
                        scope.code().into(),
                        "active".into(),
                        (*sort).into(),
                        true.into(),
                        now.into(),
                        now.into(),
                    ])
                    .to_owned(),
            )
            .await?;
            // A granted button implies its page and directory, so the console can show the way to it.
            let mut granted: std::collections::BTreeSet<i64> = std::collections::BTreeSet::new();
            for (id, parent, .., perms, _, _) in &menus {
                if grants(patterns, perms.as_deref()) {
                    granted.insert(*id);
                    granted.insert(*parent);
                    if let Some(p) = menus.iter().find(|r| r.0 == *parent) {
                        granted.insert(p.1);
                    }
                }
            }
            granted.remove(&0);
            for menu_id in granted {
                m.exec_stmt(
                    Query::insert()
                        .into_table(t("role_menus"))
                        .columns([t("role_id"), t("menu_id")])
                        .values_panic([role_id.into(), menu_id.into()])
                        .to_owned(),
                )
                .await?;
            }
        }
        // PostgreSQL: move the roles sequence past the explicit ids.
        if m.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            m.get_connection()
                .execute_unprepared("SELECT setval(pg_get_serial_sequence('roles', 'id'), (SELECT MAX(id) FROM roles))")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "role_menus",
            "roles",
            "menus",
            "params",
            "dict_data",
            "dict_types",
        ] {
            m.exec_stmt(Query::delete().from_table(t(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
