//! Major hazard installations (GB 18218-2018), the dynamic enterprise risk and the city situation
//! pages (issue 7):
//!
//! - `major_hazard_installations`: one 生产单元 / 储存单元 of an enterprise with its inventory
//!   (`substances`, JSON; quantities as exact decimal text in tonnes), the identification and grade
//!   the standards library computed for it (S, R, grade, and the whole working as JSON), filing
//!   (备案) and the three levels of responsible persons (包保责任人: principal, technical,
//!   operational), camera links (JSON) and linked sensors (`major_hazard_installation_sensors`);
//!   `major_hazard_assessments` keeps every (re)computation with its reason.
//! - `enterprise_risks`: the current dynamic risk of each enterprise (score, level, breakdown);
//!   `enterprise_risk_history` a row per change of score or level.
//! - `regions.boundary`: a GeoJSON geometry (WGS 84 longitude/latitude) drawn by the dashboard map.
//! - Parameters `risk.dynamicWeights` (the weights of the dynamic risk, JSON), `dashboard.tileUrl`
//!   and `dashboard.tileAttribution` (the map's tile URL template; empty = outlines only).
//! - The page 重大危险源 (503) under 风险分级管控, and a directory 态势感知 (7) with 态势总览 (700),
//!   企业动态风险 (701) and 区域统计 (702), granted to the built-in roles.

use super::m0004_dual_prevention_base::RISK_DIRECTORY_ID;
use super::seed::{self, MenuRow};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The 态势感知 directory.
pub const SITUATION_DIRECTORY_ID: i64 = 7;

fn a(name: &str) -> Alias {
    Alias::new(name)
}

fn ts(name: &str) -> ColumnDef {
    timestamp_with_time_zone(a(name))
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(a(table));
    for c in cols {
        i.col(a(c));
    }
    i.to_owned()
}

fn fk(name: &str, from: (&str, &str), to: (&str, &str)) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(a(from.0), a(from.1))
        .to(a(to.0), a(to.1))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// The default weights of the dynamic enterprise risk (see `docs/dynamic-risk.md`); the same
/// document as `anjian_domain::situation::Weights::default()` serialised (a test compares).
pub const DEFAULT_WEIGHTS: &str = r#"{"installationGrade":{"1":40,"2":30,"3":20,"4":10},"riskPointLevel":{"major":30,"high":15,"medium":5,"low":0},"activeAlarm":{"critical":25,"high":15,"medium":8,"low":3},"activeAlarmCap":50,"overdueHiddenDanger":8,"overdueHiddenDangerCap":32,"majorHiddenDanger":20,"majorHiddenDangerCap":40,"recentAccident":30,"recentAccidentDays":365,"recentAccidentCap":60,"levels":{"major":70,"high":45,"medium":20}}"#;

/// (key, name, value, remark)
pub const PARAMS: [(&str, &str, &str, &str); 3] = [
    (
        "risk.dynamicWeights",
        "企业动态风险权重",
        DEFAULT_WEIGHTS,
        "Weights of the dynamic enterprise risk (JSON, docs/dynamic-risk.md): points per installation grade, per highest risk-point level, per active alarm by priority, per overdue / major hidden danger and per recent accident, the caps, and the score at which each level starts. A platform default, not a regulation.",
    ),
    (
        "dashboard.tileUrl",
        "态势地图瓦片地址",
        "",
        "Leaflet tile URL template for the situation map, e.g. an intranet tile server http://tiles.local/{z}/{x}/{y}.png or Tianditu https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=YOUR_KEY (subdomains 0-7). Empty: the map shows the enterprises over the region outlines without tiles.",
    ),
    (
        "dashboard.tileAttribution",
        "态势地图瓦片署名",
        "",
        "Attribution text shown on the situation map for the tiles (e.g. 天地图 GS(2024)0650号).",
    ),
];

/// (id, parent, name, path, component, permission prefix, icon, buttons as (label, action)).
/// Buttons get the ids `page id * 10 + n` (n from 1), as in m0002.
type PageDef = (
    i64,
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
        503,
        RISK_DIRECTORY_ID,
        "重大危险源",
        "major-hazard",
        "risk/major-hazard/index",
        "risk:installation",
        "odometer",
        &[
            ("查询", "query"),
            ("新增", "add"),
            ("修改", "edit"),
            ("删除", "remove"),
        ],
    ),
    (
        700,
        SITUATION_DIRECTORY_ID,
        "态势总览",
        "dashboard",
        "situation/dashboard/index",
        "situation:dashboard",
        "data-board",
        &[("查询", "query")],
    ),
    (
        701,
        SITUATION_DIRECTORY_ID,
        "企业动态风险",
        "enterprise-risk",
        "situation/enterprise-risk/index",
        "situation:risk",
        "trend-charts",
        &[("查询", "query"), ("重新计算", "recompute")],
    ),
    (
        702,
        SITUATION_DIRECTORY_ID,
        "区域统计",
        "region-stats",
        "situation/region-stats/index",
        "situation:stats",
        "histogram",
        &[("查询", "query")],
    ),
];

const GOVERNMENT: &[&str] = &[
    "situation",
    "risk:installation:list",
    "risk:installation:query",
];

/// Permission patterns granted to the built-in roles (equal, or a prefix followed by `:`).
/// Government roles see the situation pages and read installations; an enterprise manager keeps
/// the installations of the enterprise and sees its own dynamic risk.
pub const GRANTS: [(&str, &[&str]); 5] = [
    ("admin", &["situation", "risk:installation"]),
    ("city_admin", GOVERNMENT),
    ("district_inspector", GOVERNMENT),
    ("department_officer", GOVERNMENT),
    (
        "enterprise_manager",
        &[
            "risk:installation",
            "situation:risk:list",
            "situation:risk:query",
        ],
    ),
];

/// Every menu row this migration adds under `parent` (the directory row itself is not included).
pub fn menus(parent: i64) -> Vec<MenuRow> {
    let mut rows = Vec::new();
    for (id, dir, name, path, component, prefix, icon, buttons) in PAGES {
        if dir != parent {
            continue;
        }
        rows.push((
            id,
            dir,
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

async fn create_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(a("major_hazard_installations"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("enterprise_id")))
            .col(string_len(a("code"), 40))
            .col(string_len(a("name"), 100))
            .col(string_len(a("unit_kind"), 16))
            .col(string_len_null(a("location"), 200))
            .col(double_null(a("longitude")))
            .col(double_null(a("latitude")))
            .col(big_integer(a("exposed_population")))
            .col(string_len(a("beta_rule"), 20))
            .col(text(a("substances")))
            .col(string_len(a("s_exact"), 80))
            .col(double(a("s")))
            .col(boolean(a("is_major")))
            .col(string_len_null(a("r_exact"), 80))
            .col(double_null(a("r")))
            .col(small_integer_null(a("grade")))
            .col(text(a("working")))
            .col(string_len(a("filing_status"), 16))
            .col(date_null(a("filing_date")))
            .col(string_len_null(a("filing_number"), 60))
            .col(string_len_null(a("principal_name"), 64))
            .col(string_len_null(a("principal_phone"), 20))
            .col(string_len_null(a("technical_name"), 64))
            .col(string_len_null(a("technical_phone"), 20))
            .col(string_len_null(a("operational_name"), 64))
            .col(string_len_null(a("operational_phone"), 20))
            .col(text(a("camera_links")))
            .col(string_len_null(a("remark"), 500))
            .col(big_integer_null(a("created_by")))
            .col(ts("created_at"))
            .col(ts("updated_at"))
            .foreign_key(&mut fk(
                "fk_mhi_enterprise",
                ("major_hazard_installations", "enterprise_id"),
                ("enterprises", "id"),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(
        index(
            "uq_mhi_enterprise_code",
            "major_hazard_installations",
            &["enterprise_id", "code"],
        )
        .unique()
        .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_mhi_grade",
        "major_hazard_installations",
        &["grade"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("major_hazard_installation_sensors"))
            .col(big_integer(a("installation_id")))
            .col(big_integer(a("sensor_id")))
            .primary_key(
                Index::create()
                    .col(a("installation_id"))
                    .col(a("sensor_id")),
            )
            .foreign_key(&mut fk(
                "fk_mhis_installation",
                ("major_hazard_installation_sensors", "installation_id"),
                ("major_hazard_installations", "id"),
            ))
            .foreign_key(&mut fk(
                "fk_mhis_sensor",
                ("major_hazard_installation_sensors", "sensor_id"),
                ("sensors", "id"),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_mhis_sensor",
        "major_hazard_installation_sensors",
        &["sensor_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("major_hazard_assessments"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("installation_id")))
            .col(ts("assessed_at"))
            .col(big_integer_null(a("assessed_by")))
            .col(string_len(a("assessor_name"), 64))
            .col(string_len(a("trigger"), 20))
            .col(text(a("reason")))
            .col(string_len(a("s_exact"), 80))
            .col(double(a("s")))
            .col(boolean(a("is_major")))
            .col(string_len_null(a("r_exact"), 80))
            .col(double_null(a("r")))
            .col(small_integer_null(a("grade")))
            .col(boolean_null(a("previous_is_major")))
            .col(small_integer_null(a("previous_grade")))
            .col(text(a("substances")))
            .col(big_integer(a("exposed_population")))
            .col(text(a("working")))
            .foreign_key(&mut fk(
                "fk_mha_installation",
                ("major_hazard_assessments", "installation_id"),
                ("major_hazard_installations", "id"),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_mha_installation",
        "major_hazard_assessments",
        &["installation_id", "assessed_at"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("enterprise_risks"))
            .col(big_integer(a("enterprise_id")).primary_key())
            .col(integer(a("score")))
            .col(string_len(a("level"), 10))
            .col(integer(a("inherent_score")))
            .col(integer(a("live_score")))
            .col(text(a("breakdown")))
            .col(text(a("summary")))
            .col(ts("computed_at"))
            .col(ts("changed_at"))
            .foreign_key(&mut fk(
                "fk_enterprise_risks_enterprise",
                ("enterprise_risks", "enterprise_id"),
                ("enterprises", "id"),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_enterprise_risks_score",
        "enterprise_risks",
        &["score"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(a("enterprise_risk_history"))
            .col(big_pk_auto(a("id")))
            .col(big_integer(a("enterprise_id")))
            .col(ts("computed_at"))
            .col(integer(a("score")))
            .col(string_len(a("level"), 10))
            .col(text(a("breakdown")))
            .col(text(a("summary")))
            .col(string_len(a("trigger"), 40))
            .foreign_key(&mut fk(
                "fk_enterprise_risk_history_enterprise",
                ("enterprise_risk_history", "enterprise_id"),
                ("enterprises", "id"),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_enterprise_risk_history",
        "enterprise_risk_history",
        &["enterprise_id", "computed_at"],
    ))
    .await?;

    m.alter_table(
        Table::alter()
            .table(a("regions"))
            .add_column(text_null(a("boundary")))
            .to_owned(),
    )
    .await?;
    // The dashboard's queries by period (hidden dangers by report time; alarms have
    // idx_alarms_started since m0003).
    m.create_index(index(
        "idx_hidden_dangers_reported",
        "hidden_dangers",
        &["reported_at"],
    ))
    .await?;
    // The situation dashboard and region statistics (helper C, docs/dashboard.md): covering
    // indexes so the per-enterprise aggregates of a period, of the open hidden dangers and of
    // the dynamic risk are answered from the index alone.
    for (name, table, cols) in [
        (
            "idx_hidden_dangers_period",
            "hidden_dangers",
            &["reported_at", "enterprise_id", "level"][..],
        ),
        (
            "idx_hidden_dangers_closed",
            "hidden_dangers",
            &["closed_at", "enterprise_id", "level"][..],
        ),
        (
            "idx_hidden_dangers_open",
            "hidden_dangers",
            &["status", "deadline_at", "enterprise_id", "level"][..],
        ),
        (
            "idx_alarms_period",
            "alarms",
            &["started_at", "enterprise_id", "priority"][..],
        ),
    ] {
        m.create_index(index(name, table, cols)).await?;
    }
    Ok(())
}

async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    seed::params(m, &PARAMS).await?;
    seed::dictionary(
        m,
        "major_hazard_unit_kind",
        "重大危险源单元类型",
        &[
            ("production", "生产单元", Some("GB 18218-2018 §3.5")),
            ("storage", "储存单元", Some("GB 18218-2018 §3.6")),
        ],
    )
    .await?;
    seed::dictionary(
        m,
        "major_hazard_filing_status",
        "重大危险源备案状态",
        &[
            ("not_filed", "未备案", None),
            ("filed", "已备案", None),
            ("cancelled", "已核销", None),
        ],
    )
    .await?;
    seed::dictionary(
        m,
        "major_hazard_grade",
        "重大危险源等级",
        &[
            ("1", "一级", Some("R ≥ 100 (GB 18218-2018 Table 6)")),
            ("2", "二级", Some("100 > R ≥ 50")),
            ("3", "三级", Some("50 > R ≥ 10")),
            ("4", "四级", Some("R < 10")),
        ],
    )
    .await?;
    seed::menus(
        m,
        &[(
            SITUATION_DIRECTORY_ID,
            0,
            "态势感知".to_owned(),
            "M",
            Some("situation".to_owned()),
            None,
            None,
            Some("data-board".to_owned()),
            0,
        )],
    )
    .await?;
    for dir in [RISK_DIRECTORY_ID, SITUATION_DIRECTORY_ID] {
        let rows = menus(dir);
        seed::menus(m, &rows).await?;
        seed::grant(m, &GRANTS, &rows, dir).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_tables(m).await?;
        seed(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut menu_ids: Vec<i64> = menus(RISK_DIRECTORY_ID)
            .into_iter()
            .chain(menus(SITUATION_DIRECTORY_ID))
            .map(|r| r.0)
            .collect();
        menu_ids.push(SITUATION_DIRECTORY_ID);
        for table in ["role_menus"] {
            m.exec_stmt(
                Query::delete()
                    .from_table(a(table))
                    .and_where(Expr::col(a("menu_id")).is_in(menu_ids.clone()))
                    .to_owned(),
            )
            .await?;
        }
        m.exec_stmt(
            Query::delete()
                .from_table(a("menus"))
                .and_where(Expr::col(a("id")).is_in(menu_ids))
                .to_owned(),
        )
        .await?;
        let types = [
            "major_hazard_unit_kind",
            "major_hazard_filing_status",
            "major_hazard_grade",
        ];
        for table in ["dict_data", "dict_types"] {
            m.exec_stmt(
                Query::delete()
                    .from_table(a(table))
                    .and_where(Expr::col(a("dict_type")).is_in(types))
                    .to_owned(),
            )
            .await?;
        }
        let keys: Vec<&str> = PARAMS.iter().map(|p| p.0).collect();
        m.exec_stmt(
            Query::delete()
                .from_table(a("params"))
                .and_where(Expr::col(a("param_key")).is_in(keys))
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("idx_hidden_dangers_reported")
                .table(a("hidden_dangers"))
                .to_owned(),
        )
        .await?;
        for (name, table) in [
            ("idx_hidden_dangers_period", "hidden_dangers"),
            ("idx_hidden_dangers_closed", "hidden_dangers"),
            ("idx_hidden_dangers_open", "hidden_dangers"),
            ("idx_alarms_period", "alarms"),
        ] {
            m.drop_index(Index::drop().name(name).table(a(table)).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table(a("regions"))
                .drop_column(a("boundary"))
                .to_owned(),
        )
        .await?;
        for t in [
            "enterprise_risk_history",
            "enterprise_risks",
            "major_hazard_assessments",
            "major_hazard_installation_sensors",
            "major_hazard_installations",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
