//! SeaORM entities, one module per table. Private to the store: other crates see the plain row
//! types re-exported from [`crate`] and the repository methods on [`crate::Store`].

pub mod region {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A region: district (区县), street (街道) or grid (网格). `path` is the materialised path of
    /// ids from the root, e.g. `/1/4/9/`, so a subtree is a prefix match.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "regions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub level: String,
        pub path: String,
        pub sort: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod department {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// A supervising department. `supervised_categories` and `industry_codes` are JSON arrays of codes.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "departments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        #[sea_orm(unique)]
        pub name: String,
        pub kind: String,
        pub region_id: Option<i64>,
        pub supervised_categories: String,
        pub industry_codes: String,
        pub leader: Option<String>,
        pub phone: Option<String>,
        pub status: String,
        pub sort: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod enterprise {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// An enterprise (生产经营单位), identified by its USCC.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "enterprises")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        #[sea_orm(unique)]
        pub uscc: String,
        pub address: String,
        pub longitude: Option<f64>,
        pub latitude: Option<f64>,
        pub industry_code: String,
        pub supervision_category: String,
        pub scale: String,
        pub employee_count: i32,
        pub principal_name: String,
        pub principal_phone: Option<String>,
        pub safety_manager_name: Option<String>,
        pub safety_manager_phone: Option<String>,
        pub contact_phone: Option<String>,
        pub department_id: Option<i64>,
        pub region_id: i64,
        pub status: String,
        pub remark: Option<String>,
        pub created_by: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user {
    use sea_orm::entity::prelude::*;

    /// An account. Belongs to a department or to an enterprise (or neither, for the built-in admin).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub username: String,
        pub nickname: String,
        pub password_hash: String,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub department_id: Option<i64>,
        pub enterprise_id: Option<i64>,
        pub region_id: Option<i64>,
        pub status: String,
        pub must_change_password: bool,
        pub failed_logins: i32,
        pub locked_until: Option<DateTimeUtc>,
        pub password_changed_at: Option<DateTimeUtc>,
        pub last_login_at: Option<DateTimeUtc>,
        pub last_login_ip: Option<String>,
        pub remark: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod role {
    use sea_orm::entity::prelude::*;

    /// A role: a set of menus/buttons (and so permission strings) and a data scope.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "roles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub role_key: String,
        pub name: String,
        pub data_scope: String,
        pub status: String,
        pub sort: i32,
        pub builtin: bool,
        pub remark: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod menu {
    use sea_orm::entity::prelude::*;

    /// A console menu entry: `M` directory, `C` page, `F` button. `perms` is its permission string.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "menus")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub parent_id: i64,
        pub name: String,
        pub menu_type: String,
        pub path: Option<String>,
        pub component: Option<String>,
        pub perms: Option<String>,
        pub icon: Option<String>,
        pub sort: i32,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod role_menu {
    use sea_orm::entity::prelude::*;

    /// Which menus a role has.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "role_menus")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub role_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub menu_id: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod user_role {
    use sea_orm::entity::prelude::*;

    /// Which roles a user has.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "user_roles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub role_id: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    /// A login session. Only the SHA-256 of the opaque token is stored.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub token_hash: String,
        pub user_id: i64,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub created_at: DateTimeUtc,
        pub last_seen_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod login_log {
    use sea_orm::entity::prelude::*;

    /// One login attempt.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_logs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub username: String,
        pub ip: Option<String>,
        pub user_agent: Option<String>,
        pub success: bool,
        pub message: String,
        pub created_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod oper_log {
    use sea_orm::entity::prelude::*;

    /// One state-changing API call (operation log), with secrets masked.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "oper_logs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: Option<i64>,
        pub username: Option<String>,
        pub method: String,
        pub path: String,
        pub status_code: i32,
        pub ip: Option<String>,
        pub request: Option<String>,
        pub duration_ms: i64,
        pub created_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dict_type {
    use sea_orm::entity::prelude::*;

    /// A dictionary (code table), e.g. `supervision_category`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dict_types")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub dict_type: String,
        pub name: String,
        pub status: String,
        pub builtin: bool,
        pub remark: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod dict_data {
    use sea_orm::entity::prelude::*;

    /// One entry of a dictionary.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dict_data")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub dict_type: String,
        pub label: String,
        pub value: String,
        pub sort: i32,
        pub status: String,
        pub remark: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod param {
    use sea_orm::entity::prelude::*;

    /// A system parameter (参数设置).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "params")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub param_key: String,
        pub name: String,
        pub value: String,
        pub builtin: bool,
        pub remark: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

// ------------------------------------------------------------------ monitoring (m0003)

pub mod device {
    use sea_orm::entity::prelude::*;

    /// A gateway or DTU that sends telemetry. `password_hash` is an argon2 PHC string; `None`
    /// means the device cannot log in to the built-in MQTT listener.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "devices")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub enterprise_id: i64,
        pub kind: String,
        pub password_hash: Option<String>,
        pub offline_after_s: Option<i32>,
        pub status: String,
        pub remark: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sensor {
    use sea_orm::entity::prelude::*;

    /// A monitoring point (监测点). `settings` is the JSON text of its alarm settings.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sensors")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub device_id: Option<i64>,
        pub enterprise_id: i64,
        pub installation_id: Option<i64>,
        pub risk_point_id: Option<i64>,
        pub quantity: String,
        pub unit: String,
        pub range_low: Option<f64>,
        pub range_high: Option<f64>,
        pub sampling_period_s: i32,
        pub stale_after: i32,
        pub area: Option<String>,
        #[sea_orm(column_type = "Text")]
        pub settings: String,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod alarm_group {
    use sea_orm::entity::prelude::*;

    /// A k-out-of-n voting group. `members` is a JSON array of sensor codes.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "alarm_groups")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(unique)]
        pub code: String,
        pub name: String,
        pub enterprise_id: i64,
        #[sea_orm(column_type = "Text")]
        pub members: String,
        pub condition: String,
        pub k: i32,
        pub window_s: i32,
        pub priority: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod reading {
    use sea_orm::entity::prelude::*;

    /// One raw reading. `ts` in ms since the epoch (UTC); `quality` 0 = good, 1 = bad.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "readings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sensor_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub ts: i64,
        pub value: f64,
        pub quality: i16,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sensor_latest {
    use sea_orm::entity::prelude::*;

    /// The newest reading of a sensor.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "sensor_latest")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sensor_id: i64,
        pub ts: i64,
        pub value: f64,
        pub quality: i16,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod reading_minute {
    use sea_orm::entity::prelude::*;

    /// Aggregate of a sensor's readings in one minute (`minute` = its start, ms since the epoch).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "reading_minutes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sensor_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub minute: i64,
        pub min: f64,
        pub max: f64,
        pub sum: f64,
        pub count: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod alarm {
    use sea_orm::entity::prelude::*;

    /// One alarm occurrence; the id is assigned by the alarm engine. Times in ms since the epoch.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "alarms")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i64,
        pub source_kind: String,
        #[sea_orm(column_type = "Text")]
        pub source: String,
        pub condition: String,
        pub enterprise_id: Option<i64>,
        pub sensor_id: Option<i64>,
        pub device_id: Option<i64>,
        pub priority: String,
        pub state: String,
        pub active: bool,
        pub acknowledged: bool,
        pub started_at: i64,
        pub cleared_at: Option<i64>,
        pub ended_at: Option<i64>,
        pub acked_at: Option<i64>,
        #[sea_orm(column_type = "Text", nullable)]
        pub acked_by: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub ack_comment: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub closed_by: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub close_reason: Option<String>,
        pub shelved_until: Option<i64>,
        pub first_value: Option<f64>,
        pub last_value: Option<f64>,
        pub chattering: bool,
        pub updated_at: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod alarm_event {
    use sea_orm::entity::prelude::*;

    /// One event of an alarm's life (raised, acknowledged, ...). `ts` in ms since the epoch.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "alarm_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub alarm_id: i64,
        pub kind: String,
        pub ts: i64,
        pub value: Option<f64>,
        pub priority: String,
        pub state: String,
        #[sea_orm(column_type = "Text", nullable)]
        pub actor: Option<String>,
        #[sea_orm(column_type = "Text", nullable)]
        pub comment: Option<String>,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod engine_mark {
    use sea_orm::entity::prelude::*;

    /// A source put out of service, or latched after a close by hand. `created_at` in ms.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "engine_marks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        #[sea_orm(column_type = "Text")]
        pub source: String,
        pub condition: Option<String>,
        pub kind: String,
        #[sea_orm(column_type = "Text")]
        pub actor: String,
        pub created_at: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod webhook {
    use sea_orm::entity::prelude::*;

    /// An HTTP endpoint notified of alarm events at or above `min_priority`.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhooks")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub url: String,
        pub secret: Option<String>,
        pub enabled: bool,
        pub min_priority: String,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod webhook_delivery {
    use sea_orm::entity::prelude::*;

    /// One alarm event to send to one webhook. Times in ms since the epoch.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "webhook_deliveries")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub webhook_id: i64,
        pub alarm_event_id: i64,
        pub status: String,
        pub attempts: i32,
        #[sea_orm(column_type = "Text", nullable)]
        pub last_error: Option<String>,
        pub next_attempt_at: i64,
        pub created_at: i64,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
