//! Risk grading and control (风险分级管控): risk points, their assessments (the inputs kept), the
//! log of level changes, control measures; the 风险分级管控 pages (ids 500-) with their buttons and
//! grants to the built-in roles, the dictionaries of the risk enumerations, and the review-cycle
//! parameter.
//!
//! Calendar dates (assessment date, review due date, change effective date) are `YYYY-MM-DD`
//! strings, which sort like dates and read the same on SQLite and PostgreSQL. Code lists (hazard
//! factors, accident types) and assessment inputs are JSON text.

use super::m0004_dual_prevention_base::RISK_DIRECTORY_ID;
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
enum RiskPoints {
    Table,
    Id,
    EnterpriseId,
    Code,
    Name,
    Kind,
    Location,
    HazardFactors,
    AccidentTypes,
    ResponsiblePerson,
    ResponsiblePhone,
    Consequences,
    EmergencyActions,
    EmergencyContacts,
    ReviewCycleMonths,
    NextReviewDue,
    Level,
    Colour,
    Value,
    LastAssessedOn,
    Status,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum RiskAssessments {
    Table,
    Id,
    RiskPointId,
    Method,
    Inputs,
    Value,
    Level,
    Colour,
    Assessor,
    AssessedOn,
    Note,
    RecordedBy,
    CreatedAt,
}
#[derive(DeriveIden)]
enum RiskLevelChanges {
    Table,
    Id,
    RiskPointId,
    AssessmentId,
    FromLevel,
    ToLevel,
    EffectiveOn,
    Reason,
    ChangedBy,
    ChangedAt,
}
#[derive(DeriveIden)]
enum ControlMeasures {
    Table,
    Id,
    RiskPointId,
    Kind,
    Content,
    ManagementLevel,
    ResponsiblePerson,
    Sort,
    CreatedAt,
    UpdatedAt,
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

fn ts<T: IntoIden>(c: T) -> ColumnDef {
    timestamp_with_time_zone(c)
}

/// (dict_type, name, [(value, label)])
type Dictionary = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The dictionaries of the risk enumerations (values are the API's snake_case names).
pub const DICTIONARIES: [Dictionary; 4] = [
    (
        "risk_point_kind",
        "风险点类型",
        &[
            ("area", "区域场所"),
            ("equipment_facility", "设备设施"),
            ("operation", "作业活动"),
            ("activity", "作业行为"),
        ],
    ),
    (
        "control_measure_kind",
        "管控措施类型",
        &[
            ("engineering", "工程技术"),
            ("management", "管理措施"),
            ("training", "培训教育"),
            ("personal_protection", "个体防护"),
            ("emergency", "应急处置"),
        ],
    ),
    (
        "management_level",
        "管控层级",
        &[
            ("company", "公司级"),
            ("department", "部门级"),
            ("workshop", "车间级"),
            ("team", "班组级"),
        ],
    ),
    (
        "risk_assessment_method",
        "风险评价方法",
        &[("lec", "LEC 作业条件危险性分析"), ("ls", "L×S 风险矩阵")],
    ),
];

/// The review-cycle parameter: (key, name, value, remark). A platform default, not a regulation.
pub const REVIEW_PARAM: (&str, &str, &str, &str) = (
    "risk.reviewCycleMonths",
    "风险复评周期（月）",
    r#"{"major":3,"high":6,"medium":12,"low":12}"#,
    "Months between re-assessments by level (platform default, not a regulation); a risk point may override it",
);

/// (id, name, path, icon, page permission, buttons as (label, permission)). Buttons get the ids
/// `page id * 10 + n` (n from 1).
type PageDef = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const PAGES: [PageDef; 3] = [
    (
        500,
        "风险点",
        "point",
        "risk",
        "risk:point:list",
        &[
            ("查询", "risk:point:query"),
            ("新增", "risk:point:add"),
            ("修改", "risk:point:edit"),
            ("删除", "risk:point:remove"),
            ("评估", "risk:assessment:add"),
            ("新增措施", "risk:measure:add"),
            ("修改措施", "risk:measure:edit"),
            ("删除措施", "risk:measure:remove"),
        ],
    ),
    (
        501,
        "四色风险清单",
        "list",
        "list",
        "risk:point:list",
        &[("查询", "risk:point:query"), ("导出", "risk:point:export")],
    ),
    (
        502,
        "复评计划",
        "review",
        "alarm-clock",
        "risk:review:list",
        &[("查询", "risk:review:query")],
    ),
];

const READ: &[&str] = &[
    "risk:point:list",
    "risk:point:query",
    "risk:review:list",
    "risk:review:query",
];
const READ_EXPORT: &[&str] = &[
    "risk:point:list",
    "risk:point:query",
    "risk:point:export",
    "risk:review:list",
    "risk:review:query",
];

/// Permission patterns granted to the built-in roles (equal, or a prefix followed by `:`).
pub const GRANTS: [(&str, &[&str]); 6] = [
    ("admin", &["risk"]),
    ("city_admin", READ_EXPORT),
    ("district_inspector", READ_EXPORT),
    ("department_officer", READ),
    ("enterprise_manager", &["risk"]),
    (
        "enterprise_worker",
        &["risk:point:list", "risk:point:query"],
    ),
];

/// Every menu row this migration adds (pages and buttons; the directory is m0004's).
pub fn menus() -> Vec<MenuRow> {
    let mut rows = Vec::new();
    for (id, name, path, icon, perm, buttons) in PAGES {
        rows.push((
            id,
            RISK_DIRECTORY_ID,
            name.to_owned(),
            "C",
            Some(path.to_owned()),
            Some(format!("risk/{path}/index")),
            Some(perm.to_owned()),
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
        for (table, col) in [("role_menus", "menu_id"), ("menus", "id")] {
            m.exec_stmt(
                Query::delete()
                    .from_table(a(table))
                    .and_where(Expr::col(a(col)).is_in(menu_ids.clone()))
                    .to_owned(),
            )
            .await?;
        }
        m.exec_stmt(
            Query::delete()
                .from_table(a("params"))
                .and_where(Expr::col(a("param_key")).eq(REVIEW_PARAM.0))
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
            ControlMeasures::Table.into_iden(),
            RiskLevelChanges::Table.into_iden(),
            RiskAssessments::Table.into_iden(),
            RiskPoints::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(RiskPoints::Table)
            .col(big_pk_auto(RiskPoints::Id))
            .col(big_integer(RiskPoints::EnterpriseId))
            .col(string_len(RiskPoints::Code, 64))
            .col(string_len(RiskPoints::Name, 100))
            .col(string_len(RiskPoints::Kind, 32))
            .col(string_len_null(RiskPoints::Location, 200))
            .col(text(RiskPoints::HazardFactors))
            .col(text(RiskPoints::AccidentTypes))
            .col(string_len_null(RiskPoints::ResponsiblePerson, 50))
            .col(string_len_null(RiskPoints::ResponsiblePhone, 30))
            .col(text_null(RiskPoints::Consequences))
            .col(text_null(RiskPoints::EmergencyActions))
            .col(text_null(RiskPoints::EmergencyContacts))
            .col(integer_null(RiskPoints::ReviewCycleMonths))
            .col(string_len_null(RiskPoints::NextReviewDue, 10))
            .col(string_len_null(RiskPoints::Level, 16))
            .col(string_len_null(RiskPoints::Colour, 16))
            .col(double_null(RiskPoints::Value))
            .col(string_len_null(RiskPoints::LastAssessedOn, 10))
            .col(string_len(RiskPoints::Status, 16))
            .col(ts(RiskPoints::CreatedAt))
            .col(ts(RiskPoints::UpdatedAt))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_risk_points_enterprise")
                    .from(RiskPoints::Table, RiskPoints::EnterpriseId)
                    .to(Enterprises::Table, Enterprises::Id),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("uq_risk_points_enterprise_code")
            .table(RiskPoints::Table)
            .col(RiskPoints::EnterpriseId)
            .col(RiskPoints::Code)
            .unique()
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_risk_points_review_due")
            .table(RiskPoints::Table)
            .col(RiskPoints::NextReviewDue)
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table(RiskAssessments::Table)
            .col(big_pk_auto(RiskAssessments::Id))
            .col(big_integer(RiskAssessments::RiskPointId))
            .col(string_len(RiskAssessments::Method, 8))
            .col(text(RiskAssessments::Inputs))
            .col(double(RiskAssessments::Value))
            .col(string_len(RiskAssessments::Level, 16))
            .col(string_len(RiskAssessments::Colour, 16))
            .col(string_len(RiskAssessments::Assessor, 50))
            .col(string_len(RiskAssessments::AssessedOn, 10))
            .col(text_null(RiskAssessments::Note))
            .col(big_integer(RiskAssessments::RecordedBy))
            .col(ts(RiskAssessments::CreatedAt))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_risk_assessments_point")
                    .from(RiskAssessments::Table, RiskAssessments::RiskPointId)
                    .to(RiskPoints::Table, RiskPoints::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_risk_assessments_point")
            .table(RiskAssessments::Table)
            .col(RiskAssessments::RiskPointId)
            .col(RiskAssessments::AssessedOn)
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table(RiskLevelChanges::Table)
            .col(big_pk_auto(RiskLevelChanges::Id))
            .col(big_integer(RiskLevelChanges::RiskPointId))
            .col(big_integer_null(RiskLevelChanges::AssessmentId))
            .col(string_len_null(RiskLevelChanges::FromLevel, 16))
            .col(string_len(RiskLevelChanges::ToLevel, 16))
            .col(string_len(RiskLevelChanges::EffectiveOn, 10))
            .col(text_null(RiskLevelChanges::Reason))
            .col(big_integer(RiskLevelChanges::ChangedBy))
            .col(ts(RiskLevelChanges::ChangedAt))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_risk_level_changes_point")
                    .from(RiskLevelChanges::Table, RiskLevelChanges::RiskPointId)
                    .to(RiskPoints::Table, RiskPoints::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_risk_level_changes_point")
            .table(RiskLevelChanges::Table)
            .col(RiskLevelChanges::RiskPointId)
            .col(RiskLevelChanges::EffectiveOn)
            .to_owned(),
    )
    .await?;
    m.create_table(
        Table::create()
            .table(ControlMeasures::Table)
            .col(big_pk_auto(ControlMeasures::Id))
            .col(big_integer(ControlMeasures::RiskPointId))
            .col(string_len(ControlMeasures::Kind, 32))
            .col(text(ControlMeasures::Content))
            .col(string_len(ControlMeasures::ManagementLevel, 16))
            .col(string_len_null(ControlMeasures::ResponsiblePerson, 50))
            .col(integer(ControlMeasures::Sort))
            .col(ts(ControlMeasures::CreatedAt))
            .col(ts(ControlMeasures::UpdatedAt))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_control_measures_point")
                    .from(ControlMeasures::Table, ControlMeasures::RiskPointId)
                    .to(RiskPoints::Table, RiskPoints::Id)
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(
        Index::create()
            .name("idx_control_measures_point")
            .table(ControlMeasures::Table)
            .col(ControlMeasures::RiskPointId)
            .to_owned(),
    )
    .await?;
    Ok(())
}

async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    seed::params(m, &[REVIEW_PARAM]).await?;
    for (dict_type, name, entries) in DICTIONARIES {
        let rows: Vec<(&str, &str, Option<&str>)> =
            entries.iter().map(|(v, l)| (*v, *l, None)).collect();
        seed::dictionary(m, dict_type, name, &rows).await?;
    }
    let menus = menus();
    seed::menus(m, &menus).await?;
    seed::grant(m, &GRANTS, &menus, RISK_DIRECTORY_ID).await
}
