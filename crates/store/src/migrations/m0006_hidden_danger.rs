//! Hidden-danger remediation (隐患治理): the hidden-danger record (`hidden_dangers`), its logged
//! transitions (`hidden_danger_events`), deadline extensions (`hidden_danger_extensions`), listed
//! supervision (`listed_supervisions`) and the enterprise's progress reports on it
//! (`supervision_progress_reports`); the 隐患 pages (ids 600-604 under directory 6), their grants
//! to the built-in roles, the dictionaries of the enumerations and the escalation parameters.
//!
//! A deadline is stored twice: `deadline` (the date, `YYYY-MM-DD`, as entered) and `deadline_at`
//! (the instant it ends, 00:00 of the next day in Asia/Shanghai, UTC) so overdue queries compare
//! timestamps in SQL. Attachment ids (photos, evidence) are JSON arrays of integers in text
//! columns. Records keep no foreign key to alarms, inspection tasks, checklist items or risk
//! points (other slices' tables; the ids are kept as given).

use super::m0004_dual_prevention_base::HIDDEN_DANGER_DIRECTORY_ID;
use super::seed::{self, MenuRow};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// (dict_type, name, [(value, label)])
type Dictionary = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The dictionaries of the hidden-danger enumerations (values as in the API).
pub const DICTIONARIES: [Dictionary; 6] = [
    (
        "hidden_danger_status",
        "隐患状态",
        &[
            ("reported", "已上报"),
            ("confirmed", "已确认"),
            ("rejected", "已驳回"),
            ("assigned", "已交办"),
            ("in_remediation", "整改中"),
            ("submitted", "待验收"),
            ("closed", "已销号"),
        ],
    ),
    (
        "hidden_danger_level",
        "隐患等级",
        &[("general", "一般隐患"), ("major", "重大隐患")],
    ),
    (
        "hidden_danger_source",
        "隐患来源",
        &[
            ("ad_hoc", "随手拍"),
            ("inspection", "排查任务"),
            ("alarm", "监测报警"),
            ("enforcement", "执法检查"),
        ],
    ),
    (
        "hidden_danger_escalation",
        "逾期升级",
        &[
            ("none", "未升级"),
            ("enterprise", "企业"),
            ("department", "监管部门"),
            ("bureau", "应急管理局"),
        ],
    ),
    (
        "hidden_danger_extension_status",
        "延期申请状态",
        &[
            ("pending", "待审批"),
            ("approved", "已批准"),
            ("refused", "已驳回"),
            ("cancelled", "已失效"),
        ],
    ),
    (
        "listed_supervision_status",
        "挂牌督办状态",
        &[("open", "督办中"), ("lifted", "已摘牌")],
    ),
];

/// (key, name, default, remark): the overdue escalation thresholds, whole days overdue.
pub const PARAMS: [(&str, &str, &str, &str); 4] = [
    (
        "hiddenDanger.escalateDepartmentDays",
        "一般隐患逾期升级至监管部门天数",
        "3",
        "Whole days past the deadline before an overdue general hidden danger is escalated to the supervising department (platform default)",
    ),
    (
        "hiddenDanger.escalateBureauDays",
        "一般隐患逾期升级至应急管理局天数",
        "7",
        "Whole days past the deadline before an overdue general hidden danger is escalated to the bureau (platform default)",
    ),
    (
        "hiddenDanger.majorEscalateDepartmentDays",
        "重大隐患逾期升级至监管部门天数",
        "0",
        "Whole days past the deadline before an overdue major hidden danger is escalated to the supervising department (platform default: at once)",
    ),
    (
        "hiddenDanger.majorEscalateBureauDays",
        "重大隐患逾期升级至应急管理局天数",
        "1",
        "Whole days past the deadline before an overdue major hidden danger is escalated to the bureau (platform default)",
    ),
];

/// A page: (id, name, path, icon, page permission, buttons as (label, permission)).
type PageDef = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The pages under 隐患排查治理 (ids 600-604); buttons get the ids `page id * 10 + n`.
pub const PAGES: [PageDef; 5] = [
    (
        600,
        "隐患台账",
        "record",
        "list",
        "hidden_danger:record:list",
        &[
            ("查询", "hidden_danger:record:query"),
            ("上报", "hidden_danger:record:report"),
            ("确认", "hidden_danger:record:confirm"),
            ("交办", "hidden_danger:record:assign"),
            ("整改", "hidden_danger:record:remediate"),
            ("延期审批", "hidden_danger:record:approve"),
            ("验收", "hidden_danger:record:verify"),
            ("重新打开", "hidden_danger:record:reopen"),
            ("导出", "hidden_danger:record:export"),
        ],
    ),
    (
        601,
        "随手拍",
        "report",
        "camera",
        "hidden_danger:report:list",
        &[],
    ),
    (
        602,
        "逾期隐患",
        "overdue",
        "alarm-clock",
        "hidden_danger:overdue:list",
        &[
            ("查询", "hidden_danger:overdue:query"),
            ("导出", "hidden_danger:overdue:export"),
        ],
    ),
    (
        603,
        "挂牌督办",
        "supervision",
        "flag",
        "hidden_danger:supervision:list",
        &[
            ("查询", "hidden_danger:supervision:query"),
            ("挂牌", "hidden_danger:supervision:add"),
            ("进展报告", "hidden_danger:supervision:report"),
            ("摘牌", "hidden_danger:supervision:lift"),
        ],
    ),
    (
        604,
        "隐患统计",
        "stats",
        "data-analysis",
        "hidden_danger:stats:list",
        &[
            ("查询", "hidden_danger:stats:query"),
            ("导出", "hidden_danger:stats:export"),
        ],
    ),
];

const GOV_READ: &[&str] = &[
    "hidden_danger:record:list",
    "hidden_danger:record:query",
    "hidden_danger:overdue:list",
    "hidden_danger:overdue:query",
    "hidden_danger:supervision:list",
    "hidden_danger:supervision:query",
    "hidden_danger:stats:list",
    "hidden_danger:stats:query",
];

const GOV_SUPERVISE: &[&str] = &[
    "hidden_danger:record:list",
    "hidden_danger:record:query",
    "hidden_danger:record:export",
    "hidden_danger:overdue",
    "hidden_danger:supervision:list",
    "hidden_danger:supervision:query",
    "hidden_danger:supervision:add",
    "hidden_danger:supervision:lift",
    "hidden_danger:stats",
];

/// Permission patterns granted to the built-in roles (equal, or a prefix followed by `:`).
pub const GRANTS: [(&str, &[&str]); 6] = [
    ("admin", &["hidden_danger"]),
    ("city_admin", GOV_SUPERVISE),
    ("district_inspector", GOV_SUPERVISE),
    ("department_officer", GOV_READ),
    (
        "enterprise_manager",
        &[
            "hidden_danger:record",
            "hidden_danger:report",
            "hidden_danger:overdue",
            "hidden_danger:supervision:list",
            "hidden_danger:supervision:query",
            "hidden_danger:supervision:report",
            "hidden_danger:stats",
        ],
    ),
    (
        "enterprise_worker",
        &[
            "hidden_danger:record:list",
            "hidden_danger:record:query",
            "hidden_danger:record:report",
            "hidden_danger:record:remediate",
            "hidden_danger:report",
        ],
    ),
];

/// Every menu row this migration adds.
pub fn menus() -> Vec<MenuRow> {
    let mut rows = Vec::new();
    for (id, name, path, icon, page_perm, buttons) in PAGES {
        rows.push((
            id,
            HIDDEN_DANGER_DIRECTORY_ID,
            name.to_owned(),
            "C",
            Some(path.to_owned()),
            Some(format!("hidden-danger/{path}/index")),
            Some(page_perm.to_owned()),
            Some(icon.to_owned()),
            (id % 100) as i32,
        ));
        for (i, (label, perm)) in buttons.iter().enumerate() {
            rows.push((
                id * 10 + i as i64 + 1,
                id,
                (*label).to_owned(),
                "F",
                None,
                None,
                Some((*perm).to_owned()),
                None,
                i as i32 + 1,
            ));
        }
    }
    rows
}

fn ts(name: &str) -> ColumnDef {
    timestamp_with_time_zone(a(name))
}

fn ts_null(name: &str) -> ColumnDef {
    timestamp_with_time_zone_null(a(name))
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(a(table));
    for c in cols {
        i.col(a(c));
    }
    i.to_owned()
}

async fn create_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(a("hidden_dangers"))
            .col(big_pk_auto(a("id")))
            .col(string_len_uniq(a("code"), 40))
            .col(big_integer(a("enterprise_id")))
            .col(string_len(a("source"), 20))
            .col(big_integer_null(a("inspection_task_id")))
            .col(big_integer_null(a("checklist_item_id")))
            .col(big_integer_null(a("alarm_id")))
            .col(big_integer_null(a("risk_point_id")))
            .col(text(a("description")))
            .col(string_len_null(a("location"), 200))
            .col(double_null(a("longitude")))
            .col(double_null(a("latitude")))
            .col(text(a("photo_ids")))
            .col(string_len_null(a("hazard_factor_code"), 6))
            .col(string_len_null(a("hazard_category"), 1))
            .col(string_len(a("level"), 10))
            .col(string_len_null(a("criteria_standard"), 30))
            .col(integer_null(a("criteria_item")))
            .col(text_null(a("major_judgement")))
            .col(string_len(a("status"), 20))
            .col(big_integer_null(a("reporter_id")))
            .col(string_len(a("reporter_name"), 64))
            .col(ts("reported_at"))
            .col(big_integer_null(a("confirmed_by")))
            .col(ts_null("confirmed_at"))
            .col(string_len_null(a("department"), 100))
            .col(big_integer_null(a("remediator_id")))
            .col(date_null(a("deadline")))
            .col(ts_null("deadline_at"))
            .col(text_null(a("measures")))
            .col(text_null(a("five_assurances")))
            .col(text(a("evidence_ids")))
            .col(text_null(a("evidence_description")))
            .col(big_integer_null(a("submitted_by")))
            .col(ts_null("submitted_at"))
            .col(big_integer_null(a("verifier_id")))
            .col(ts_null("closed_at"))
            .col(big_integer_null(a("pending_extension_id")))
            .col(integer(a("escalation_level")).default(0))
            .col(ts_null("escalated_at"))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_hidden_dangers_enterprise")
                    .from(a("hidden_dangers"), a("enterprise_id"))
                    .to(a("enterprises"), a("id")),
            )
            .to_owned(),
    )
    .await?;
    for (name, cols) in [
        (
            "idx_hidden_dangers_enterprise",
            &["enterprise_id", "status"][..],
        ),
        (
            "idx_hidden_dangers_status_deadline",
            &["status", "deadline_at"],
        ),
        ("idx_hidden_dangers_task", &["inspection_task_id"]),
        ("idx_hidden_dangers_risk_point", &["risk_point_id"]),
    ] {
        m.create_index(index(name, "hidden_dangers", cols)).await?;
    }
    // One hidden danger per alarm, also when two clicks race (NULLs do not collide).
    {
        let mut i = index("uq_hidden_dangers_alarm", "hidden_dangers", &["alarm_id"]);
        m.create_index(i.unique().to_owned()).await?;
    }

    m.create_table(
        Table::create()
            .table(a("hidden_danger_events"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("hidden_danger_id")))
            .col(string_len(a("action"), 30))
            .col(string_len_null(a("from_status"), 20))
            .col(string_len(a("to_status"), 20))
            .col(big_integer_null(a("actor_id")))
            .col(string_len(a("actor_name"), 64))
            .col(text_null(a("comment")))
            .col(text(a("attachment_ids")))
            .col(ts("at"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_hidden_danger_events_record")
                    .from(a("hidden_danger_events"), a("hidden_danger_id"))
                    .to(a("hidden_dangers"), a("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_hidden_danger_events_record",
        "hidden_danger_events",
        &["hidden_danger_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("hidden_danger_extensions"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("hidden_danger_id")))
            .col(big_integer(a("requested_by")))
            .col(string_len(a("requester_name"), 64))
            .col(ts("requested_at"))
            .col(date_null(a("old_deadline")))
            .col(date(a("new_deadline")))
            .col(text(a("reason")))
            .col(string_len(a("status"), 20))
            .col(big_integer_null(a("decided_by")))
            .col(string_len_null(a("decider_name"), 64))
            .col(ts_null("decided_at"))
            .col(text_null(a("decision_comment")))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_hidden_danger_extensions_record")
                    .from(a("hidden_danger_extensions"), a("hidden_danger_id"))
                    .to(a("hidden_dangers"), a("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_hidden_danger_extensions_record",
        "hidden_danger_extensions",
        &["hidden_danger_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("listed_supervisions"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("hidden_danger_id")))
            .col(string_len(a("gov_level"), 10))
            .col(big_integer_null(a("department_id")))
            .col(big_integer_null(a("region_id")))
            .col(string_len(a("organ_name"), 100))
            .col(big_integer(a("supervisor_id")))
            .col(string_len(a("supervisor_name"), 64))
            .col(string_len_null(a("document_no"), 64))
            .col(text(a("requirements")))
            .col(date(a("deadline")))
            .col(ts("deadline_at"))
            .col(string_len(a("status"), 10))
            .col(ts("created_at"))
            .col(big_integer_null(a("lifted_by")))
            .col(string_len_null(a("lifter_name"), 64))
            .col(ts_null("lifted_at"))
            .col(text_null(a("lift_reason")))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_listed_supervisions_record")
                    .from(a("listed_supervisions"), a("hidden_danger_id"))
                    .to(a("hidden_dangers"), a("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_listed_supervisions_record",
        "listed_supervisions",
        &["hidden_danger_id", "status"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("supervision_progress_reports"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("supervision_id")))
            .col(big_integer(a("reporter_id")))
            .col(string_len(a("reporter_name"), 64))
            .col(text(a("content")))
            .col(text(a("attachment_ids")))
            .col(ts("created_at"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_supervision_progress_supervision")
                    .from(a("supervision_progress_reports"), a("supervision_id"))
                    .to(a("listed_supervisions"), a("id"))
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_supervision_progress_supervision",
        "supervision_progress_reports",
        &["supervision_id"],
    ))
    .await?;
    Ok(())
}

async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    seed::params(m, &PARAMS).await?;
    for (dict_type, name, entries) in DICTIONARIES {
        let rows: Vec<(&str, &str, Option<&str>)> =
            entries.iter().map(|(v, l)| (*v, *l, None)).collect();
        seed::dictionary(m, dict_type, name, &rows).await?;
    }
    let menus = menus();
    seed::menus(m, &menus).await?;
    seed::grant(m, &GRANTS, &menus, HIDDEN_DANGER_DIRECTORY_ID).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_tables(m).await?;
        seed(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let menu_ids: Vec<i64> = menus().into_iter().map(|r| r.0).collect();
        m.exec_stmt(
            Query::delete()
                .from_table(a("role_menus"))
                .and_where(Expr::col(a("menu_id")).is_in(menu_ids.clone()))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::delete()
                .from_table(a("menus"))
                .and_where(Expr::col(a("id")).is_in(menu_ids))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::delete()
                .from_table(a("params"))
                .and_where(Expr::col(a("param_key")).is_in(PARAMS.iter().map(|p| p.0)))
                .to_owned(),
        )
        .await?;
        let types: Vec<&str> = DICTIONARIES.iter().map(|d| d.0).collect();
        for table in ["dict_data", "dict_types"] {
            m.exec_stmt(
                Query::delete()
                    .from_table(a(table))
                    .and_where(Expr::col(a("dict_type")).is_in(types.clone()))
                    .to_owned(),
            )
            .await?;
        }
        for t in [
            "supervision_progress_reports",
            "listed_supervisions",
            "hidden_danger_extensions",
            "hidden_danger_events",
            "hidden_dangers",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
