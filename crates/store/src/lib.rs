//! # anjian-store
//!
//! Persistence for anjian: SeaORM entities, migrations written in Rust, and the repository methods
//! the API calls. One code path serves SQLite (the embedded default) and PostgreSQL (production);
//! the backend is chosen by the database URL at start-up.
//!
//! ## Layout
//! - [`Store`] — the handle every other crate uses; its methods live in the modules below.
//! - `org` — regions (materialised-path tree), departments, enterprises and the dossier.
//! - `accounts` — users, roles, menus and permissions, sessions, lockout bookkeeping.
//! - `logs` — login log and operation log.
//! - `config` — dictionaries and system parameters.
//! - `monitoring` — devices (gateways / DTUs), sensors (监测点), alarm voting groups and webhooks
//!   (CRUD with data scope through the owning enterprise), and [`Store::load_rules_source`].
//! - `telemetry` — the ingestion write path [`Store::write_telemetry`] (one transaction per
//!   [`TelemetryBatch`]: readings, latest values, minute aggregates, alarms, events, webhook
//!   deliveries), the alarm engine's stored state, alarm lists and details, trends, KPI events,
//!   retention and the webhook delivery queue. Times there are `i64` ms since the Unix epoch (UTC).
//! - [`migrations`] — the schema and its seed data.
//! - [`testing`] — fresh SQLite / PostgreSQL databases for tests, and [`both_databases!`], which runs
//!   a storage test on each.
//!
//! Data scope ([`anjian_domain::auth::ScopeFilter`]) is turned into a SQL `WHERE` clause inside the
//! list and get queries here; callers never filter rows after the fact. Devices, sensors, groups
//! and alarms are scoped through their enterprise (and so its region path); an alarm without an
//! enterprise is visible to an unrestricted scope only.
#![forbid(unsafe_code)]

mod accounts;
mod attachments;
mod config;
pub mod enterprise_risk;
pub mod entities;
pub mod hidden_danger;
pub mod inspection;
mod logs;
pub mod major_hazard;
pub mod migrations;
mod monitoring;
mod notifications;
mod org;
pub mod risk;
pub mod situation;
pub mod synthetic;
mod telemetry;
pub mod testing;

pub use accounts::{NewUser, RoleInput, SessionInfo, UserFilter, UserPatch};
pub use attachments::{Attachment, AttachmentInfo, NewAttachment};
pub use config::{DictDataInput, DictTypeInput, ParamInput};
pub use entities::department::Model as Department;
pub use entities::dict_data::Model as DictData;
pub use entities::dict_type::Model as DictType;
pub use entities::enterprise::Model as Enterprise;
pub use entities::login_log::Model as LoginLog;
pub use entities::menu::Model as Menu;
pub use entities::oper_log::Model as OperLog;
pub use entities::param::Model as Param;
pub use entities::region::Model as Region;
pub use entities::role::Model as Role;
pub use entities::user::Model as User;
pub use hidden_danger::{
    HdActor, HiddenDanger, HiddenDangerDetail, HiddenDangerEvent, HiddenDangerExtension,
    HiddenDangerFilter, HiddenDangerStats, HiddenDangerView, ListedSupervision, NewHiddenDanger,
    NewSupervision, ProgressReport, StaffMember, StatBucket, StatsFilter, SupervisionFilter,
    SupervisionView,
};
pub use inspection::{
    CHECKLIST_KINDS, Checklist, ChecklistFilter, ChecklistInput, ChecklistItem, ChecklistItemInput,
    ChecklistView, CompleteInput, InspectionPlan, InspectionStat, InspectionTask, PlanFilter,
    PlanInput, PlanView, TaskFilter, TaskItem, TaskView,
};
pub use logs::{LogFilter, NewOperLog};
pub use monitoring::{
    ALARM_CONDITIONS, AlarmGroup, AlarmGroupFilter, AlarmGroupInput, DEVICE_KINDS, Device,
    DeviceFilter, DeviceInput, DeviceView, RuleDevice, RuleGroup, RuleSensor, RulesSource,
    SENSOR_QUANTITIES, Sensor, SensorFilter, SensorInput, SensorView, Webhook, WebhookInput,
};
pub use notifications::{Audience, NewNotification, NotificationReader, NotificationRow};
pub use org::{DepartmentInput, EnterpriseFilter, RegionInput};
pub use risk::{
    ControlMeasure, MeasureInput, NewAssessment, ReviewDue, RiskAssessment, RiskHistory,
    RiskLevelChangeRow, RiskListRow, RiskPoint, RiskPointFilter, RiskPointInput, RiskPointView,
};
pub use telemetry::{
    AlarmDetail, AlarmEvent, AlarmEventRow, AlarmFilter, AlarmRow, AlarmSummary, AlarmView,
    DueDelivery, EngineMark, EventWithAlarm, MinuteRow, PRIORITIES, PurgeReport, QUALITY_BAD,
    QUALITY_GOOD, ReadingRow, SqlitePragmas, StoredEngineState, TelemetryBatch, TelemetryWritten,
    WebhookDelivery, priority_rank,
};

use anjian_domain::ValidationError;
use anjian_domain::redact::redact_url;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, SqlErr};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row with that id (or none the caller's data scope lets them see).
    #[error("not found")]
    NotFound,
    /// Bad input detected by the store: a duplicate unique value, a reference to a missing row, a
    /// row still referenced elsewhere. Keyed by API field name.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The request is valid but conflicts with the record's current state (a workflow step not
    /// allowed from the current status, a verifier who remediated the record). The message says why.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL is not one this build supports.
    #[error("unsupported database URL {0} (use sqlite://path or postgres://...)")]
    UnsupportedUrl(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// Could not prepare the SQLite file's folder.
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Result alias of this crate.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Rows and the total count of a paged list query.
#[derive(Debug, Clone)]
pub struct PageOf<T> {
    /// Rows matching the filter (and scope) before paging.
    pub total: u64,
    /// This page's rows.
    pub rows: Vec<T>,
}

/// The storage handle: a connection pool plus the repository methods.
#[derive(Clone, Debug)]
pub struct Store {
    db: DatabaseConnection,
}

/// Maps a unique-constraint violation to a field error on `field`, else passes the error on.
pub(crate) fn unique_as_field(err: DbErr, field: &str, message: &str) -> StoreError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ValidationError::field(field, message).into(),
        _ => StoreError::Db(err),
    }
}

/// A case-insensitive `LIKE` condition on `col` matching `value` literally (its `%`, `_` and `\`
/// are escaped): anywhere in the text, or only at its start when `prefix` is true. Both sides are
/// lower-cased, so SQLite and PostgreSQL agree.
pub(crate) fn like_literal<C: sea_orm::sea_query::IntoColumnRef>(
    col: C,
    value: &str,
    prefix: bool,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
    let escaped = value
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = if prefix {
        format!("{escaped}%")
    } else {
        format!("%{escaped}%")
    };
    Expr::expr(Func::lower(Expr::col(col))).like(LikeExpr::new(pattern).escape('\\'))
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://user:pass@host/db`). For SQLite
    /// the file's folder is created, and WAL, `synchronous=NORMAL`, `busy_timeout` (5 s) and
    /// `foreign_keys` are set on every pooled connection (see [`Store::sqlite_pragmas`]).
    ///
    /// # Errors
    /// [`StoreError::UnsupportedUrl`], [`StoreError::Folder`] or [`StoreError::Db`].
    pub async fn connect(url: &str) -> Result<Self> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(15));
        if url.starts_with("sqlite:") {
            if let Some(path) = sqlite_file(url)
                && let Some(dir) = std::path::Path::new(&path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            opts.max_connections(8).map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
            });
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            opts.max_connections(16);
        } else {
            return Err(StoreError::UnsupportedUrl(redact_url(url)));
        }
        let db = Database::connect(opts).await?;
        Ok(Self { db })
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    /// [`StoreError::Db`] when a migration fails (the failing one is rolled back on PostgreSQL).
    pub async fn migrate(&self) -> Result<()> {
        migrations::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Which backend this store talks to: `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DbBackend::Sqlite => "sqlite",
            DbBackend::Postgres => "postgres",
            _ => "other",
        }
    }

    /// A cheap round trip, for health checks.
    ///
    /// # Errors
    /// [`StoreError::Db`] when the database does not answer.
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }

    /// Closes the pool (used on graceful shutdown).
    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}

/// The file path of a `sqlite://path?query` URL (`None` for in-memory databases).
pub fn sqlite_file(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_file("sqlite://data/anjian.db?mode=rwc").as_deref(),
            Some("data/anjian.db")
        );
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }
}
