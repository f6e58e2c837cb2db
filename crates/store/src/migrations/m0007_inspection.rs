//! Hidden-danger inspection (隐患排查): checklists and their items, inspection plans (cron
//! schedules), inspection tasks and their item results; the 排查 pages (ids 610-619) under the
//! 隐患排查治理 directory, their grants to the built-in roles, the dictionaries of the inspection
//! enumerations, and three shared template checklists (`enterprise_id` NULL, visible to everyone)
//! whose items cite their legal basis.
//!
//! `inspection_tasks` has a unique key on `(plan_id, scheduled_at)`: generation inserts with
//! `ON CONFLICT DO NOTHING`, so two instances running the job at once create each task once.
//! `inspection_results` keep a snapshot of the item (number, text, legal basis) so a later edit of
//! the checklist does not rewrite a completed inspection; they carry no foreign key to the items.

use super::m0004_dual_prevention_base::{HIDDEN_DANGER_DIRECTORY_ID, WORKER_ROLE};
use super::seed::{self, MenuRow};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Enterprises {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Checklists {
    Table,
    Id,
    EnterpriseId,
    Name,
    Kind,
    Description,
    Status,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum ChecklistItems {
    Table,
    Id,
    ChecklistId,
    Seq,
    Content,
    LegalBasis,
    HazardFactorCode,
    MajorCriteriaRef,
}
#[derive(DeriveIden)]
enum InspectionPlans {
    Table,
    Id,
    EnterpriseId,
    ChecklistId,
    Name,
    Post,
    RiskPointId,
    Cron,
    WindowHours,
    AssigneeId,
    Enabled,
    GeneratedUntil,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum InspectionTasks {
    Table,
    Id,
    PlanId,
    EnterpriseId,
    ChecklistId,
    AssigneeId,
    Trigger,
    ScheduledAt,
    DueAt,
    Status,
    CompletedAt,
    CompletedBy,
    Longitude,
    Latitude,
    Location,
    PhotoIds,
    Note,
    CreatedAt,
}
#[derive(DeriveIden)]
enum InspectionResults {
    Table,
    Id,
    TaskId,
    ItemId,
    Seq,
    Content,
    LegalBasis,
    Result,
    Note,
    PhotoIds,
}

fn ts<T: IntoIden>(c: T) -> ColumnDef {
    timestamp_with_time_zone(c)
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

fn index(name: &str, table: impl IntoIden, cols: &[&'static str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// (dict_type, name, [(value, label, remark)])
type Dictionary = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, Option<&'static str>)],
);

/// The dictionaries of the inspection enumerations (values as in the API).
pub const DICTIONARIES: [Dictionary; 3] = [
    (
        "inspection_checklist_kind",
        "检查表类型",
        &[
            ("daily", "日常巡检", None),
            ("special", "专项检查", None),
            ("hot_work", "动火作业", None),
            ("confined_space", "有限空间作业", None),
            ("seasonal", "季节性检查", None),
            ("holiday", "节假日检查", None),
            ("comprehensive", "综合检查", None),
        ],
    ),
    (
        "inspection_task_status",
        "排查任务状态",
        &[
            ("pending", "待执行", None),
            ("completed", "已完成", None),
            ("missed", "漏检", None),
        ],
    ),
    (
        "inspection_item_result",
        "检查结果",
        &[
            ("pass", "合格", None),
            ("fail", "不合格", None),
            ("not_applicable", "不适用", None),
        ],
    ),
];

/// (id, name, path, component, permission prefix, icon, buttons as (label, action)). Buttons get
/// the ids `page id * 10 + n` (n from 1), as in m0002.
type PageDef = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PAGES: [PageDef; 4] = [
    (
        610,
        "检查表",
        "checklist",
        "hidden-danger/checklist/index",
        "inspection:checklist",
        "document-checked",
        &[
            ("查询", "query"),
            ("新增", "add"),
            ("修改", "edit"),
            ("删除", "remove"),
        ],
    ),
    (
        611,
        "排查计划",
        "plan",
        "hidden-danger/plan/index",
        "inspection:plan",
        "calendar",
        &[
            ("查询", "query"),
            ("新增", "add"),
            ("修改", "edit"),
            ("删除", "remove"),
            ("立即执行", "run"),
        ],
    ),
    (
        612,
        "排查任务",
        "task",
        "hidden-danger/task/index",
        "inspection:task",
        "finished",
        &[("查询", "query"), ("执行", "complete"), ("查看全部", "all")],
    ),
    (
        613,
        "漏检统计",
        "inspection-stats",
        "hidden-danger/task/stats",
        "inspection:stats",
        "data-analysis",
        &[("查询", "query")],
    ),
];

/// Permission strings granted to the built-in roles (by role key), matched like m0003: equal, or
/// a prefix followed by `:`. Workers see and do their own tasks (`inspection:task:all` lets a
/// role see every task in its data scope); managers have everything for their enterprise;
/// government roles read.
pub const GRANTS: [(&str, &[&str]); 6] = [
    ("admin", &["inspection"]),
    ("city_admin", GOVERNMENT),
    ("district_inspector", GOVERNMENT),
    ("department_officer", GOVERNMENT),
    ("enterprise_manager", &["inspection"]),
    (
        WORKER_ROLE,
        &[
            "inspection:task:list",
            "inspection:task:query",
            "inspection:task:complete",
        ],
    ),
];
const GOVERNMENT: &[&str] = &[
    "inspection:checklist:list",
    "inspection:checklist:query",
    "inspection:plan:list",
    "inspection:plan:query",
    "inspection:task:list",
    "inspection:task:query",
    "inspection:task:all",
    "inspection:stats",
];

/// Every menu row this migration adds (the directory exists since m0004).
pub fn menus() -> Vec<MenuRow> {
    let mut rows = Vec::new();
    for (id, name, path, component, prefix, icon, buttons) in PAGES {
        rows.push((
            id,
            HIDDEN_DANGER_DIRECTORY_ID,
            name.to_owned(),
            "C",
            Some(path.to_owned()),
            Some(component.to_owned()),
            Some(format!("{prefix}:list")),
            Some(icon.to_owned()),
            (id % 100) as i32,
        ));
        for (i, (label, action)) in buttons.iter().enumerate() {
            rows.push((
                id * 10 + i as i64 + 1,
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

/// An item of a seeded template: (content, legal basis, GB/T 13861-2022 hazard factor code,
/// major hidden-danger criteria reference `standard#number`).
type SeedItem = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
);

/// The shared template checklists: (name, kind, description, items). Citations name the law or
/// standard and, where we are sure of it, the article; the GB 30871-2022 items cite the chapter
/// (5 动火作业, 6 受限空间作业) rather than a sub-clause number (see docs/inspection.md).
pub const TEMPLATES: [(&str, &str, &str, &[SeedItem]); 3] = [
    (
        "危险化学品企业日常巡检表",
        "daily",
        "危险化学品生产、储存企业岗位日常巡回检查（共享模板）",
        &[
            (
                "储罐区防火堤、隔堤完好，无破损、无渗漏，雨水排放阀处于关闭状态",
                "GB 50351-2014《储罐区防火堤设计规范》",
                Some("2102"),
                None,
            ),
            (
                "可燃气体和有毒气体检测报警器正常投用，无故障、无屏蔽、无超期未检定",
                "GB/T 50493-2019《石油化工可燃气体和有毒气体检测报警设计标准》；安监总管三〔2017〕121号 第十二项",
                Some("2101"),
                Some("chemical-2017#12"),
            ),
            (
                "爆炸危险场所电气设备、照明、开关防爆完好，无私拉乱接电线",
                "GB 3836.1-2021《爆炸性环境 第1部分：设备 通用要求》；安监总管三〔2017〕121号 第十二项",
                Some("2103"),
                Some("chemical-2017#12"),
            ),
            (
                "安全阀、爆破片、紧急切断阀等安全附件在校验有效期内并正常投用",
                "《特种设备安全法》第三十九条；安监总管三〔2017〕121号 第十五项",
                Some("2101"),
                Some("chemical-2017#15"),
            ),
            (
                "危险化学品按规定分区分类储存，无超量、超品种储存，相互禁配物质无混放混存",
                "《危险化学品安全管理条例》第二十四条；安监总管三〔2017〕121号 第二十项",
                Some("2201"),
                Some("chemical-2017#20"),
            ),
            (
                "工艺参数（温度、压力、液位、流量）在操作规程规定的控制指标范围内，DCS无未处置报警",
                "安监总管三〔2017〕121号 第十七项",
                None,
                Some("chemical-2017#17"),
            ),
            (
                "静电接地、跨接及防雷设施完好，连接可靠",
                "GB 12158-2006《防止静电事故通用导则》",
                Some("2103"),
                None,
            ),
            (
                "消防器材、消防设施完好有效，疏散通道、安全出口、消防车通道畅通",
                "《消防法》第二十八条",
                Some("2102"),
                None,
            ),
            (
                "安全警示标志、风险告知卡设置齐全、清晰",
                "《安全生产法》第三十五条",
                Some("2113"),
                None,
            ),
            (
                "岗位人员按规定正确佩戴、使用劳动防护用品",
                "《安全生产法》第四十五条",
                None,
                None,
            ),
        ],
    ),
    (
        "动火作业安全检查表",
        "hot_work",
        "依据 GB 30871-2022《危险化学品企业特殊作业安全规范》第5章（共享模板）",
        &[
            (
                "动火作业证已按作业级别审批，作业内容、地点、时间、人员与作业证一致",
                "GB 30871-2022 第4章、第5章",
                None,
                Some("chemical-2017#18"),
            ),
            (
                "动火设备、管线已与系统可靠隔绝（加盲板或拆除管段），并已清洗、置换合格",
                "GB 30871-2022 第5章、第7章",
                Some("2201"),
                None,
            ),
            (
                "动火点周围易燃可燃物已清除，周边下水井、地漏、地沟、电缆沟等已封堵或覆盖",
                "GB 30871-2022 第5章",
                Some("2109"),
                None,
            ),
            (
                "作业前已进行气体分析且合格（取样与动火间隔不超过30 min；爆炸下限≥4%时可燃气体浓度≤0.5%，<4%时≤0.2%，均为体积分数）",
                "GB 30871-2022 第5章",
                Some("2201"),
                None,
            ),
            (
                "监火人在场并全程监护，现场配备足够的灭火器材",
                "GB 30871-2022 第5章",
                None,
                None,
            ),
            (
                "焊接与热切割作业人员持有效特种作业操作证",
                "《特种作业人员安全技术培训考核管理规定》（国家安全监管总局令第30号）；安监总管三〔2017〕121号 第二项",
                None,
                Some("chemical-2017#2"),
            ),
            (
                "五级以上（含五级）风天气未进行露天动火作业（确需动火已升级管理）；高处动火已采取防火花飞溅措施",
                "GB 30871-2022 第5章",
                Some("2109"),
                None,
            ),
            (
                "作业结束后已清理现场，确认无残留火种",
                "GB 30871-2022 第5章",
                Some("2109"),
                None,
            ),
        ],
    ),
    (
        "有限空间作业安全检查表",
        "confined_space",
        "依据《工贸企业有限空间作业安全规定》（应急管理部令第13号）与 GB 30871-2022 第6章（共享模板）",
        &[
            (
                "有限空间已辨识并设置明显的安全警示标志，作业经审批",
                "《工贸企业有限空间作业安全规定》（应急管理部令第13号）；《安全生产法》第三十五条",
                Some("2113"),
                Some("chemical-2017#18"),
            ),
            (
                "与有限空间连通的管道已可靠隔绝（加盲板或断开），未以水封或关闭阀门代替",
                "GB 30871-2022 第6章",
                Some("2201"),
                None,
            ),
            (
                "严格执行“先通风、再检测、后作业”，作业中持续通风",
                "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
                None,
                None,
            ),
            (
                "气体检测合格：氧含量19.5%～21%（富氧环境下不大于23.5%），可燃、有毒有害气体浓度符合要求，作业中定时或连续检测",
                "GB 30871-2022 第6章",
                Some("2202"),
                None,
            ),
            (
                "作业现场设专职监护人，监护人全程在场、不得离开",
                "《工贸企业有限空间作业安全规定》（应急管理部令第13号）；GB 30871-2022 第6章",
                None,
                None,
            ),
            (
                "配备正压式空气呼吸器、安全带（绳）、通风和检测设备等应急救援装备，未盲目施救",
                "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
                None,
                None,
            ),
            (
                "作业人员、监护人员经有限空间作业专项安全培训",
                "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
                None,
                None,
            ),
        ],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every backend, like m0003.
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
            InspectionResults::Table.into_iden(),
            InspectionTasks::Table.into_iden(),
            InspectionPlans::Table.into_iden(),
            ChecklistItems::Table.into_iden(),
            Checklists::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Checklists::Table)
            .col(big_pk_auto(Checklists::Id))
            .col(big_integer_null(Checklists::EnterpriseId))
            .col(string_len(Checklists::Name, 100))
            .col(string_len(Checklists::Kind, 32))
            .col(text_null(Checklists::Description))
            .col(string_len(Checklists::Status, 16))
            .col(big_integer_null(Checklists::CreatedBy))
            .col(ts(Checklists::CreatedAt))
            .col(ts(Checklists::UpdatedAt))
            .foreign_key(&mut fk(
                "fk_checklists_enterprise",
                (Checklists::Table, Checklists::EnterpriseId),
                (Enterprises::Table, Enterprises::Id),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_checklists_enterprise",
        Checklists::Table,
        &["enterprise_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(ChecklistItems::Table)
            .col(big_pk_auto(ChecklistItems::Id))
            .col(big_integer(ChecklistItems::ChecklistId))
            .col(integer(ChecklistItems::Seq))
            .col(string_len(ChecklistItems::Content, 500))
            .col(string_len_null(ChecklistItems::LegalBasis, 300))
            .col(string_len_null(ChecklistItems::HazardFactorCode, 16))
            .col(string_len_null(ChecklistItems::MajorCriteriaRef, 64))
            .foreign_key(
                &mut fk(
                    "fk_checklist_items_checklist",
                    (ChecklistItems::Table, ChecklistItems::ChecklistId),
                    (Checklists::Table, Checklists::Id),
                )
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_checklist_items_checklist",
        ChecklistItems::Table,
        &["checklist_id", "seq"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(InspectionPlans::Table)
            .col(big_pk_auto(InspectionPlans::Id))
            .col(big_integer(InspectionPlans::EnterpriseId))
            .col(big_integer(InspectionPlans::ChecklistId))
            .col(string_len(InspectionPlans::Name, 100))
            .col(string_len_null(InspectionPlans::Post, 64))
            .col(big_integer_null(InspectionPlans::RiskPointId))
            .col(string_len(InspectionPlans::Cron, 100))
            .col(integer(InspectionPlans::WindowHours))
            .col(big_integer(InspectionPlans::AssigneeId))
            .col(boolean(InspectionPlans::Enabled))
            .col(ts(InspectionPlans::GeneratedUntil))
            .col(big_integer_null(InspectionPlans::CreatedBy))
            .col(ts(InspectionPlans::CreatedAt))
            .col(ts(InspectionPlans::UpdatedAt))
            .foreign_key(&mut fk(
                "fk_inspection_plans_enterprise",
                (InspectionPlans::Table, InspectionPlans::EnterpriseId),
                (Enterprises::Table, Enterprises::Id),
            ))
            .foreign_key(&mut fk(
                "fk_inspection_plans_checklist",
                (InspectionPlans::Table, InspectionPlans::ChecklistId),
                (Checklists::Table, Checklists::Id),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_inspection_plans_enterprise",
        InspectionPlans::Table,
        &["enterprise_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(InspectionTasks::Table)
            .col(big_pk_auto(InspectionTasks::Id))
            .col(big_integer(InspectionTasks::PlanId))
            .col(big_integer(InspectionTasks::EnterpriseId))
            .col(big_integer(InspectionTasks::ChecklistId))
            .col(big_integer(InspectionTasks::AssigneeId))
            .col(string_len(InspectionTasks::Trigger, 16))
            .col(ts(InspectionTasks::ScheduledAt))
            .col(ts(InspectionTasks::DueAt))
            .col(string_len(InspectionTasks::Status, 16))
            .col(timestamp_with_time_zone_null(InspectionTasks::CompletedAt))
            .col(big_integer_null(InspectionTasks::CompletedBy))
            .col(double_null(InspectionTasks::Longitude))
            .col(double_null(InspectionTasks::Latitude))
            .col(string_len_null(InspectionTasks::Location, 200))
            .col(text(InspectionTasks::PhotoIds))
            .col(text_null(InspectionTasks::Note))
            .col(ts(InspectionTasks::CreatedAt))
            .foreign_key(&mut fk(
                "fk_inspection_tasks_plan",
                (InspectionTasks::Table, InspectionTasks::PlanId),
                (InspectionPlans::Table, InspectionPlans::Id),
            ))
            .foreign_key(&mut fk(
                "fk_inspection_tasks_enterprise",
                (InspectionTasks::Table, InspectionTasks::EnterpriseId),
                (Enterprises::Table, Enterprises::Id),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("uq_inspection_tasks_plan_scheduled")
            .table(InspectionTasks::Table)
            .col(InspectionTasks::PlanId)
            .col(InspectionTasks::ScheduledAt)
            .unique()
            .to_owned(),
    )
    .await?;
    for (name, cols) in [
        (
            "idx_inspection_tasks_enterprise",
            &["enterprise_id", "scheduled_at"][..],
        ),
        (
            "idx_inspection_tasks_assignee",
            &["assignee_id", "status"][..],
        ),
        ("idx_inspection_tasks_due", &["status", "due_at"][..]),
    ] {
        m.create_index(index(name, InspectionTasks::Table, cols))
            .await?;
    }

    m.create_table(
        Table::create()
            .table(InspectionResults::Table)
            .col(big_pk_auto(InspectionResults::Id))
            .col(big_integer(InspectionResults::TaskId))
            .col(big_integer(InspectionResults::ItemId))
            .col(integer(InspectionResults::Seq))
            .col(string_len(InspectionResults::Content, 500))
            .col(string_len_null(InspectionResults::LegalBasis, 300))
            .col(string_len(InspectionResults::Result, 16))
            .col(text_null(InspectionResults::Note))
            .col(text(InspectionResults::PhotoIds))
            .foreign_key(
                &mut fk(
                    "fk_inspection_results_task",
                    (InspectionResults::Table, InspectionResults::TaskId),
                    (InspectionTasks::Table, InspectionTasks::Id),
                )
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("uq_inspection_results_task_item")
            .table(InspectionResults::Table)
            .col(InspectionResults::TaskId)
            .col(InspectionResults::ItemId)
            .unique()
            .to_owned(),
    )
    .await?;
    Ok(())
}

async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    for (dict_type, name, entries) in DICTIONARIES {
        seed::dictionary(m, dict_type, name, entries).await?;
    }
    let menus = menus();
    seed::menus(m, &menus).await?;
    seed::grant(m, &GRANTS, &menus, HIDDEN_DANGER_DIRECTORY_ID).await?;

    let db = m.get_connection();
    let now = chrono::Utc::now();
    for (name, kind, description, items) in TEMPLATES {
        m.exec_stmt(
            Query::insert()
                .into_table(Checklists::Table)
                .columns([
                    Checklists::EnterpriseId,
                    Checklists::Name,
                    Checklists::Kind,
                    Checklists::Description,
                    Checklists::Status,
                    Checklists::CreatedAt,
                    Checklists::UpdatedAt,
                ])
                .values_panic([
                    Option::<i64>::None.into(),
                    name.into(),
                    kind.into(),
                    description.into(),
                    "active".into(),
                    now.into(),
                    now.into(),
                ])
                .to_owned(),
        )
        .await?;
        let row = db
            .query_one(
                &Query::select()
                    .column(Checklists::Id)
                    .from(Checklists::Table)
                    .and_where(Expr::col(Checklists::Name).eq(name))
                    .and_where(Expr::col(Checklists::EnterpriseId).is_null())
                    .to_owned(),
            )
            .await?
            .ok_or_else(|| DbErr::Custom(format!("seeded checklist {name} not found")))?;
        let checklist_id: i64 = row.try_get("", "id")?;
        for (i, (content, basis, factor, major)) in items.iter().enumerate() {
            m.exec_stmt(
                Query::insert()
                    .into_table(ChecklistItems::Table)
                    .columns([
                        ChecklistItems::ChecklistId,
                        ChecklistItems::Seq,
                        ChecklistItems::Content,
                        ChecklistItems::LegalBasis,
                        ChecklistItems::HazardFactorCode,
                        ChecklistItems::MajorCriteriaRef,
                    ])
                    .values_panic([
                        checklist_id.into(),
                        (i as i32 + 1).into(),
                        (*content).into(),
                        (*basis).into(),
                        factor.map(str::to_owned).into(),
                        major.map(str::to_owned).into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
    }
    Ok(())
}
