//! Monitoring and early warning (监测预警): devices, sensors, alarm groups, raw readings, the
//! latest value and per-minute aggregates of every sensor, alarms and their events, the engine's
//! marks, webhooks and their deliveries; the 监测预警 menus, their grants to the built-in roles,
//! and the dictionaries of the alarm enumerations.
//!
//! Times of telemetry and alarms are `BIGINT` milliseconds since the Unix epoch (UTC); the audit
//! columns of the configuration tables (`created_at`, `updated_at` of devices, sensors, groups,
//! webhooks) are timestamps like the rest of the schema.
//!
//! The telemetry tables (`readings`, `sensor_latest`, `reading_minutes`) carry no foreign key to
//! `sensors`: they are written in bulk on the hot path, and deleting a sensor deletes its telemetry
//! explicitly. `alarms` and `alarm_events` keep no foreign key either: an alarm's history outlives
//! the sensor or device it came from (its `source` code stays).

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
enum Devices {
    Table,
    Id,
    Code,
    Name,
    EnterpriseId,
    Kind,
    PasswordHash,
    OfflineAfterS,
    Status,
    Remark,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Sensors {
    Table,
    Id,
    Code,
    Name,
    DeviceId,
    EnterpriseId,
    InstallationId,
    RiskPointId,
    Quantity,
    Unit,
    RangeLow,
    RangeHigh,
    SamplingPeriodS,
    StaleAfter,
    Area,
    Settings,
    Status,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum AlarmGroups {
    Table,
    Id,
    Code,
    Name,
    EnterpriseId,
    Members,
    Condition,
    K,
    WindowS,
    Priority,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum Readings {
    Table,
    SensorId,
    Ts,
    Value,
    Quality,
}
#[derive(DeriveIden)]
enum SensorLatest {
    Table,
    SensorId,
    Ts,
    Value,
    Quality,
}
#[derive(DeriveIden)]
enum ReadingMinutes {
    Table,
    SensorId,
    Minute,
    Min,
    Max,
    Sum,
    Count,
}
#[derive(DeriveIden)]
enum Alarms {
    Table,
    Id,
    SourceKind,
    Source,
    Condition,
    EnterpriseId,
    SensorId,
    DeviceId,
    Priority,
    State,
    Active,
    Acknowledged,
    StartedAt,
    ClearedAt,
    EndedAt,
    AckedAt,
    AckedBy,
    AckComment,
    ClosedBy,
    CloseReason,
    ShelvedUntil,
    FirstValue,
    LastValue,
    Chattering,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum AlarmEvents {
    Table,
    Id,
    AlarmId,
    Kind,
    Ts,
    Value,
    Priority,
    State,
    Actor,
    Comment,
}
#[derive(DeriveIden)]
enum EngineMarks {
    Table,
    Id,
    Source,
    Condition,
    Kind,
    Actor,
    CreatedAt,
}
#[derive(DeriveIden)]
enum Webhooks {
    Table,
    Id,
    Name,
    Url,
    Secret,
    Enabled,
    MinPriority,
    CreatedAt,
    UpdatedAt,
}
#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    WebhookId,
    AlarmEventId,
    Status,
    Attempts,
    LastError,
    NextAttemptAt,
    CreatedAt,
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

/// The dictionaries of the monitoring enumerations. Values are the snake_case names used in the
/// alarm engine and the API; the remark of a `sensor_quantity` entry is its usual unit.
pub const DICTIONARIES: [Dictionary; 6] = [
    (
        "alarm_priority",
        "报警级别",
        &[
            ("low", "低", None),
            ("medium", "中", None),
            ("high", "高", None),
            ("critical", "紧急", None),
        ],
    ),
    (
        "alarm_state",
        "报警状态",
        &[
            ("normal", "正常", None),
            ("unacknowledged", "未确认", None),
            ("acknowledged", "已确认", None),
            ("returned_unacknowledged", "已恢复未确认", None),
            ("shelved", "已搁置", None),
            ("suppressed", "已抑制", None),
            ("out_of_service", "已停用", None),
        ],
    ),
    (
        "alarm_condition",
        "报警类型",
        &[
            ("high_high", "高高报", None),
            ("high", "高报", None),
            ("low", "低报", None),
            ("low_low", "低低报", None),
            ("rate_of_change", "变化率超限", None),
            ("communication_fault", "通讯故障", None),
            ("sensor_fault", "传感器故障", None),
            ("device_offline", "设备离线", None),
            ("voting", "联合表决", None),
        ],
    ),
    (
        "alarm_close_reason",
        "报警关闭原因",
        &[
            ("false_alarm", "误报", None),
            ("maintenance", "检修", None),
            ("handled", "已处置", None),
            ("duplicate", "重复", None),
            ("other", "其他", None),
        ],
    ),
    (
        "sensor_quantity",
        "监测量",
        &[
            ("combustible_gas", "可燃气体", Some("%LEL")),
            ("toxic_gas", "有毒气体", Some("ppm")),
            ("oxygen", "氧气", Some("%VOL")),
            ("temperature", "温度", None),
            ("pressure", "压力", None),
            ("level", "液位", None),
            ("flow", "流量", None),
            ("other", "其他", None),
        ],
    ),
    (
        "device_kind",
        "设备类型",
        &[("gateway", "网关", None), ("dtu", "DTU", None)],
    ),
];

/// (id, name, path, permission prefix, icon, buttons as (label, action)). Buttons get the ids
/// `page id * 10 + n` (n from 1), as in m0002.
type PageDef = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The 监测预警 directory's id.
pub const DIRECTORY_ID: i64 = 4;

const IMPORTABLE: &[(&str, &str)] = &[
    ("查询", "query"),
    ("新增", "add"),
    ("修改", "edit"),
    ("删除", "remove"),
    ("导入", "import"),
    ("导出", "export"),
];
const CRUD: &[(&str, &str)] = &[
    ("查询", "query"),
    ("新增", "add"),
    ("修改", "edit"),
    ("删除", "remove"),
];

const PAGES: [PageDef; 5] = [
    (
        400,
        "设备管理",
        "device",
        "monitoring:device",
        "server",
        IMPORTABLE,
    ),
    (
        401,
        "监测点",
        "sensor",
        "monitoring:sensor",
        "chart",
        IMPORTABLE,
    ),
    (
        402,
        "实时报警",
        "alarm",
        "monitoring:alarm",
        "message",
        &[
            ("查询", "query"),
            ("确认", "ack"),
            ("搁置", "shelve"),
            ("关闭", "close"),
            ("投退", "service"),
        ],
    ),
    (
        403,
        "报警指标",
        "kpi",
        "monitoring:kpi",
        "rate",
        &[("查询", "query")],
    ),
    (
        404,
        "Webhook",
        "webhook",
        "monitoring:webhook",
        "link",
        CRUD,
    ),
];

/// Permission strings granted to the built-in roles (by role key), matched like m0002: equal, or a
/// prefix followed by `:`.
pub const GRANTS: [(&str, &[&str]); 5] = [
    ("admin", &["monitoring"]),
    ("city_admin", &["monitoring"]),
    ("district_inspector", READ_AND_ACK),
    ("department_officer", READ_AND_ACK),
    (
        "enterprise_manager",
        &[
            "monitoring:device",
            "monitoring:sensor",
            "monitoring:alarm",
            "monitoring:kpi",
        ],
    ),
];
const READ_AND_ACK: &[&str] = &[
    "monitoring:device:list",
    "monitoring:device:query",
    "monitoring:sensor:list",
    "monitoring:sensor:query",
    "monitoring:alarm:list",
    "monitoring:alarm:query",
    "monitoring:alarm:ack",
    "monitoring:kpi:list",
    "monitoring:kpi:query",
    "monitoring:webhook:list",
    "monitoring:webhook:query",
];

/// A menu row: (id, parent, name, type, path, component, perms, icon, sort).
type MenuRow = (
    i64,
    i64,
    String,
    &'static str,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i32,
);

/// Every menu row this migration adds.
pub fn menus() -> Vec<MenuRow> {
    let mut rows = vec![(
        DIRECTORY_ID,
        0,
        "监测预警".to_owned(),
        "M",
        Some("monitoring".to_owned()),
        None,
        None,
        Some("dashboard".to_owned()),
        2,
    )];
    for (id, name, path, prefix, icon, buttons) in PAGES {
        rows.push((
            id,
            DIRECTORY_ID,
            name.to_owned(),
            "C",
            Some(path.to_owned()),
            Some(format!("monitoring/{path}/index")),
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

fn grants(patterns: &[&str], perms: Option<&str>) -> bool {
    patterns
        .iter()
        .any(|p| perms.is_some_and(|perm| perm == *p || perm.starts_with(&format!("{p}:"))))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// All or nothing on every backend, like m0001 and m0002.
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
                .and_where(Expr::col(a("param_key")).eq(RETENTION_PARAM.0))
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
            WebhookDeliveries::Table.into_iden(),
            Webhooks::Table.into_iden(),
            EngineMarks::Table.into_iden(),
            AlarmEvents::Table.into_iden(),
            Alarms::Table.into_iden(),
            ReadingMinutes::Table.into_iden(),
            SensorLatest::Table.into_iden(),
            Readings::Table.into_iden(),
            AlarmGroups::Table.into_iden(),
            Sensors::Table.into_iden(),
            Devices::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_tables(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table(Devices::Table)
            .col(big_pk_auto(Devices::Id))
            .col(string_len_uniq(Devices::Code, 64))
            .col(string_len(Devices::Name, 100))
            .col(big_integer(Devices::EnterpriseId))
            .col(string_len(Devices::Kind, 16))
            .col(string_len_null(Devices::PasswordHash, 255))
            .col(integer_null(Devices::OfflineAfterS))
            .col(string_len(Devices::Status, 16))
            .col(string_len_null(Devices::Remark, 500))
            .col(ts(Devices::CreatedAt))
            .col(ts(Devices::UpdatedAt))
            .foreign_key(&mut fk(
                "fk_devices_enterprise",
                (Devices::Table, Devices::EnterpriseId),
                (Enterprises::Table, Enterprises::Id),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_devices_enterprise",
        Devices::Table,
        &["enterprise_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(Sensors::Table)
            .col(big_pk_auto(Sensors::Id))
            .col(string_len_uniq(Sensors::Code, 64))
            .col(string_len(Sensors::Name, 100))
            .col(big_integer_null(Sensors::DeviceId))
            .col(big_integer(Sensors::EnterpriseId))
            .col(big_integer_null(Sensors::InstallationId))
            .col(big_integer_null(Sensors::RiskPointId))
            .col(string_len(Sensors::Quantity, 32))
            .col(string_len(Sensors::Unit, 16))
            .col(double_null(Sensors::RangeLow))
            .col(double_null(Sensors::RangeHigh))
            .col(integer(Sensors::SamplingPeriodS))
            .col(integer(Sensors::StaleAfter))
            .col(string_len_null(Sensors::Area, 64))
            .col(text(Sensors::Settings))
            .col(string_len(Sensors::Status, 16))
            .col(ts(Sensors::CreatedAt))
            .col(ts(Sensors::UpdatedAt))
            .foreign_key(&mut fk(
                "fk_sensors_device",
                (Sensors::Table, Sensors::DeviceId),
                (Devices::Table, Devices::Id),
            ))
            .foreign_key(&mut fk(
                "fk_sensors_enterprise",
                (Sensors::Table, Sensors::EnterpriseId),
                (Enterprises::Table, Enterprises::Id),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_sensors_enterprise",
        Sensors::Table,
        &["enterprise_id"],
    ))
    .await?;
    m.create_index(index("idx_sensors_device", Sensors::Table, &["device_id"]))
        .await?;

    m.create_table(
        Table::create()
            .table(AlarmGroups::Table)
            .col(big_pk_auto(AlarmGroups::Id))
            .col(string_len_uniq(AlarmGroups::Code, 64))
            .col(string_len(AlarmGroups::Name, 100))
            .col(big_integer(AlarmGroups::EnterpriseId))
            .col(text(AlarmGroups::Members))
            .col(string_len(AlarmGroups::Condition, 32))
            .col(integer(AlarmGroups::K))
            .col(integer(AlarmGroups::WindowS))
            .col(string_len(AlarmGroups::Priority, 16))
            .col(ts(AlarmGroups::CreatedAt))
            .col(ts(AlarmGroups::UpdatedAt))
            .foreign_key(&mut fk(
                "fk_alarm_groups_enterprise",
                (AlarmGroups::Table, AlarmGroups::EnterpriseId),
                (Enterprises::Table, Enterprises::Id),
            ))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_alarm_groups_enterprise",
        AlarmGroups::Table,
        &["enterprise_id"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(Readings::Table)
            .col(big_integer(Readings::SensorId))
            .col(big_integer(Readings::Ts))
            .col(double(Readings::Value))
            .col(small_integer(Readings::Quality))
            .primary_key(Index::create().col(Readings::SensorId).col(Readings::Ts))
            .to_owned(),
    )
    .await?;
    m.create_index(index("idx_readings_ts", Readings::Table, &["ts"]))
        .await?;

    m.create_table(
        Table::create()
            .table(SensorLatest::Table)
            .col(big_integer(SensorLatest::SensorId).primary_key())
            .col(big_integer(SensorLatest::Ts))
            .col(double(SensorLatest::Value))
            .col(small_integer(SensorLatest::Quality))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(ReadingMinutes::Table)
            .col(big_integer(ReadingMinutes::SensorId))
            .col(big_integer(ReadingMinutes::Minute))
            .col(double(ReadingMinutes::Min))
            .col(double(ReadingMinutes::Max))
            .col(double(ReadingMinutes::Sum))
            .col(big_integer(ReadingMinutes::Count))
            .primary_key(
                Index::create()
                    .col(ReadingMinutes::SensorId)
                    .col(ReadingMinutes::Minute),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_reading_minutes_minute",
        ReadingMinutes::Table,
        &["minute"],
    ))
    .await?;

    m.create_table(
        Table::create()
            .table(Alarms::Table)
            .col(big_integer(Alarms::Id).primary_key())
            .col(string_len(Alarms::SourceKind, 16))
            .col(text(Alarms::Source))
            .col(string_len(Alarms::Condition, 32))
            .col(big_integer_null(Alarms::EnterpriseId))
            .col(big_integer_null(Alarms::SensorId))
            .col(big_integer_null(Alarms::DeviceId))
            .col(string_len(Alarms::Priority, 16))
            .col(string_len(Alarms::State, 32))
            .col(boolean(Alarms::Active))
            .col(boolean(Alarms::Acknowledged))
            .col(big_integer(Alarms::StartedAt))
            .col(big_integer_null(Alarms::ClearedAt))
            .col(big_integer_null(Alarms::EndedAt))
            .col(big_integer_null(Alarms::AckedAt))
            .col(text_null(Alarms::AckedBy))
            .col(text_null(Alarms::AckComment))
            .col(text_null(Alarms::ClosedBy))
            .col(text_null(Alarms::CloseReason))
            .col(big_integer_null(Alarms::ShelvedUntil))
            .col(double_null(Alarms::FirstValue))
            .col(double_null(Alarms::LastValue))
            .col(boolean(Alarms::Chattering))
            .col(big_integer(Alarms::UpdatedAt))
            .to_owned(),
    )
    .await?;
    for (name, col) in [
        ("idx_alarms_ended", "ended_at"),
        ("idx_alarms_enterprise", "enterprise_id"),
        ("idx_alarms_started", "started_at"),
        ("idx_alarms_sensor", "sensor_id"),
    ] {
        m.create_index(index(name, Alarms::Table, &[col])).await?;
    }

    m.create_table(
        Table::create()
            .table(AlarmEvents::Table)
            .col(big_pk_auto(AlarmEvents::Id))
            .col(big_integer(AlarmEvents::AlarmId))
            .col(string_len(AlarmEvents::Kind, 32))
            .col(big_integer(AlarmEvents::Ts))
            .col(double_null(AlarmEvents::Value))
            .col(string_len(AlarmEvents::Priority, 16))
            .col(string_len(AlarmEvents::State, 32))
            .col(text_null(AlarmEvents::Actor))
            .col(text_null(AlarmEvents::Comment))
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_alarm_events_alarm",
        AlarmEvents::Table,
        &["alarm_id"],
    ))
    .await?;
    m.create_index(index("idx_alarm_events_ts", AlarmEvents::Table, &["ts"]))
        .await?;

    m.create_table(
        Table::create()
            .table(EngineMarks::Table)
            .col(big_pk_auto(EngineMarks::Id))
            .col(text(EngineMarks::Source))
            .col(string_len_null(EngineMarks::Condition, 32))
            .col(string_len(EngineMarks::Kind, 32))
            .col(text(EngineMarks::Actor))
            .col(big_integer(EngineMarks::CreatedAt))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(Webhooks::Table)
            .col(big_pk_auto(Webhooks::Id))
            .col(string_len(Webhooks::Name, 100))
            .col(string_len(Webhooks::Url, 500))
            .col(string_len_null(Webhooks::Secret, 200))
            .col(boolean(Webhooks::Enabled))
            .col(string_len(Webhooks::MinPriority, 16))
            .col(ts(Webhooks::CreatedAt))
            .col(ts(Webhooks::UpdatedAt))
            .to_owned(),
    )
    .await?;

    m.create_table(
        Table::create()
            .table(WebhookDeliveries::Table)
            .col(big_pk_auto(WebhookDeliveries::Id))
            .col(big_integer(WebhookDeliveries::WebhookId))
            .col(big_integer(WebhookDeliveries::AlarmEventId))
            .col(string_len(WebhookDeliveries::Status, 16))
            .col(integer(WebhookDeliveries::Attempts))
            .col(text_null(WebhookDeliveries::LastError))
            .col(big_integer(WebhookDeliveries::NextAttemptAt))
            .col(big_integer(WebhookDeliveries::CreatedAt))
            .foreign_key(
                &mut fk(
                    "fk_webhook_deliveries_webhook",
                    (WebhookDeliveries::Table, WebhookDeliveries::WebhookId),
                    (Webhooks::Table, Webhooks::Id),
                )
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned(),
            )
            .foreign_key(
                &mut fk(
                    "fk_webhook_deliveries_event",
                    (WebhookDeliveries::Table, WebhookDeliveries::AlarmEventId),
                    (AlarmEvents::Table, AlarmEvents::Id),
                )
                .on_delete(ForeignKeyAction::Cascade)
                .to_owned(),
            )
            .to_owned(),
    )
    .await?;
    m.create_index(index(
        "idx_webhook_deliveries_due",
        WebhookDeliveries::Table,
        &["status", "next_attempt_at"],
    ))
    .await?;
    m.create_index(index(
        "idx_webhook_deliveries_webhook",
        WebhookDeliveries::Table,
        &["webhook_id"],
    ))
    .await?;
    m.create_index(index(
        "idx_webhook_deliveries_event",
        WebhookDeliveries::Table,
        &["alarm_event_id"],
    ))
    .await?;
    Ok(())
}

/// The retention setting of telemetry: (key, name, value, remark).
pub const RETENTION_PARAM: (&str, &str, &str, &str) = (
    "monitoring.retentionDays",
    "监测数据保留天数",
    "90",
    "Days raw readings, minute aggregates and ended alarms are kept (purged hourly)",
);

async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let (key, name, value, remark) = RETENTION_PARAM;
    m.exec_stmt(
        Query::insert()
            .into_table(a("params"))
            .columns([
                a("param_key"),
                a("name"),
                a("value"),
                a("builtin"),
                a("remark"),
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
    for (dict_type, name, entries) in DICTIONARIES {
        m.exec_stmt(
            Query::insert()
                .into_table(a("dict_types"))
                .columns([a("dict_type"), a("name"), a("status"), a("builtin")])
                .values_panic([dict_type.into(), name.into(), "active".into(), true.into()])
                .to_owned(),
        )
        .await?;
        for (i, (value, label, remark)) in entries.iter().enumerate() {
            m.exec_stmt(
                Query::insert()
                    .into_table(a("dict_data"))
                    .columns([
                        a("dict_type"),
                        a("label"),
                        a("value"),
                        a("sort"),
                        a("status"),
                        a("remark"),
                    ])
                    .values_panic([
                        dict_type.into(),
                        (*label).into(),
                        (*value).into(),
                        (i as i32 + 1).into(),
                        "active".into(),
                        remark.map(str::to_owned).into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
    }

    let menus = menus();
    for (id, parent, name, kind, path, component, perms, icon, sort) in &menus {
        m.exec_stmt(
            Query::insert()
                .into_table(a("menus"))
                .columns([
                    a("id"),
                    a("parent_id"),
                    a("name"),
                    a("menu_type"),
                    a("path"),
                    a("component"),
                    a("perms"),
                    a("icon"),
                    a("sort"),
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

    let db = m.get_connection();
    for (key, patterns) in GRANTS {
        let row = db
            .query_one(
                &Query::select()
                    .column(a("id"))
                    .from(a("roles"))
                    .and_where(Expr::col(a("role_key")).eq(key))
                    .to_owned(),
            )
            .await?;
        // A built-in role an operator renamed or removed gets nothing.
        let Some(role_id) = row.map(|r| r.try_get::<i64>("", "id")).transpose()? else {
            continue;
        };
        // A granted button implies its page and the directory.
        let mut granted = std::collections::BTreeSet::new();
        for (id, parent, .., perms, _, _) in &menus {
            if grants(patterns, perms.as_deref()) {
                granted.insert(*id);
                granted.insert(*parent);
                if *parent != DIRECTORY_ID {
                    granted.insert(DIRECTORY_ID);
                }
            }
        }
        granted.remove(&0);
        for menu_id in granted {
            m.exec_stmt(
                Query::insert()
                    .into_table(a("role_menus"))
                    .columns([a("role_id"), a("menu_id")])
                    .values_panic([role_id.into(), menu_id.into()])
                    .to_owned(),
            )
            .await?;
        }
    }
    Ok(())
}
