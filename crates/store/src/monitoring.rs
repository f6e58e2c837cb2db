//! Configuration of monitoring: devices (gateways / DTUs), sensors (监测点), alarm voting groups and
//! webhooks, with data scope applied through the owning enterprise's region path; and
//! [`Store::load_rules_source`], everything the alarm engine's rule set is built from.

use crate::entities::{alarm_group, device, enterprise, sensor, sensor_latest, webhook};
use crate::telemetry::{ReadingRow, enterprise_id_in_scope, priority_rank};
use crate::{PageOf, Result, Store, StoreError, unique_as_field};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::org::RecordStatus;
use anjian_domain::page::Page;
use anjian_domain::{FieldErrors, ValidationError};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait, Unchanged,
};
use std::collections::{HashMap, HashSet};

pub use crate::entities::alarm_group::Model as AlarmGroup;
pub use crate::entities::device::Model as Device;
pub use crate::entities::sensor::Model as Sensor;
pub use crate::entities::webhook::Model as Webhook;

/// Device kinds (dictionary `device_kind`).
pub const DEVICE_KINDS: [&str; 2] = ["gateway", "dtu"];
/// Measured quantities (dictionary `sensor_quantity`).
pub const SENSOR_QUANTITIES: [&str; 8] = [
    "combustible_gas",
    "toxic_gas",
    "oxygen",
    "temperature",
    "pressure",
    "level",
    "flow",
    "other",
];
/// Alarm conditions (dictionary `alarm_condition`).
pub const ALARM_CONDITIONS: [&str; 9] = [
    "high_high",
    "high",
    "low",
    "low_low",
    "rate_of_change",
    "communication_fault",
    "sensor_fault",
    "device_offline",
    "voting",
];

const CODE_MAX: usize = 64;
const NAME_MAX: usize = 100;

/// A device as created or updated.
#[derive(Debug, Clone)]
pub struct DeviceInput {
    /// Unique code; also the MQTT user name and the `{device_code}` of its topic.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owning enterprise (must be within the caller's scope).
    pub enterprise_id: i64,
    /// `gateway` or `dtu`.
    pub kind: String,
    /// Seconds without any reading before the device counts as offline (`None` = the engine's
    /// default, 3 x the longest sampling period of its sensors).
    pub offline_after_s: Option<i32>,
    /// `active` or `disabled` (a disabled device and its sensors are left out of the rules).
    pub status: String,
    /// Remark.
    pub remark: Option<String>,
}

/// Filters of the device list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct DeviceFilter {
    /// Prefix of the code (case-insensitive).
    pub code: Option<String>,
    /// Substring of the name (case-insensitive).
    pub name: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Exact kind.
    pub kind: Option<String>,
    /// Exact status.
    pub status: Option<String>,
}

/// A device with what the console shows next to it. The password hash stays in `device` for the
/// caller that needs it; it must never be sent to a client.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceView {
    /// The stored device.
    pub device: Device,
    /// The enterprise's name.
    pub enterprise_name: Option<String>,
    /// Time of the newest stored reading of any of its sensors, ms since the epoch.
    pub last_seen: Option<i64>,
}

/// A sensor as created or updated.
#[derive(Debug, Clone)]
pub struct SensorInput {
    /// Unique code; readings are keyed by it.
    pub code: String,
    /// Name.
    pub name: String,
    /// The device it is wired to (same enterprise), if any.
    pub device_id: Option<i64>,
    /// Owning enterprise (must be within the caller's scope).
    pub enterprise_id: i64,
    /// Installation it belongs to (not checked: that register comes later).
    pub installation_id: Option<i64>,
    /// Risk point it watches (not checked: that register comes later).
    pub risk_point_id: Option<i64>,
    /// Measured quantity, see [`SENSOR_QUANTITIES`].
    pub quantity: String,
    /// Unit of its values (`%LEL`, `ppm`, `kPa`, ...), at most 16 characters.
    pub unit: String,
    /// Bottom of the measuring range, in `unit`.
    pub range_low: Option<f64>,
    /// Top of the measuring range, in `unit`.
    pub range_high: Option<f64>,
    /// Expected interval between readings, seconds (>= 1).
    pub sampling_period_s: i32,
    /// Communication fault after this many sampling periods without a reading; 0 = off.
    pub stale_after: i32,
    /// Plant area (for the KPIs), at most 64 characters.
    pub area: Option<String>,
    /// Alarm settings (limits, rate of change, schedule; see docs/alarms.md): a JSON object, or
    /// null for none. Stored as given; the rule set validates it.
    pub settings: serde_json::Value,
    /// `active` or `disabled` (a disabled sensor is left out of the rules).
    pub status: String,
}

/// Filters of the sensor list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct SensorFilter {
    /// Prefix of the code (case-insensitive).
    pub code: Option<String>,
    /// Substring of the name (case-insensitive).
    pub name: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Device.
    pub device_id: Option<i64>,
    /// Exact quantity.
    pub quantity: Option<String>,
    /// Exact status.
    pub status: Option<String>,
}

/// A sensor with what the console shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorView {
    /// The stored sensor.
    pub sensor: Sensor,
    /// Its settings, parsed (`Null` if the stored text is not JSON).
    pub settings: serde_json::Value,
    /// Its device's code.
    pub device_code: Option<String>,
    /// The enterprise's name.
    pub enterprise_name: Option<String>,
    /// Its newest stored reading.
    pub latest: Option<ReadingRow>,
}

/// An alarm voting group as created or updated.
#[derive(Debug, Clone)]
pub struct AlarmGroupInput {
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owning enterprise (must be within the caller's scope).
    pub enterprise_id: i64,
    /// Codes of its member sensors (existing sensors of the same enterprise).
    pub members: Vec<String>,
    /// Which member condition votes (`high`, `high_high`, `low`, `low_low`, ...).
    pub condition: String,
    /// Votes needed, 1..=members.
    pub k: i32,
    /// The votes must fall within this many seconds (>= 0).
    pub window_s: i32,
    /// Priority of the group's alarm.
    pub priority: String,
}

/// Filters of the group list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct AlarmGroupFilter {
    /// Prefix of the code (case-insensitive).
    pub code: Option<String>,
    /// Substring of the name (case-insensitive).
    pub name: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
}

/// A webhook as created or updated. Webhooks are city-wide (not bound to an enterprise): only
/// the `monitoring:webhook:*` permissions guard them.
#[derive(Debug, Clone)]
pub struct WebhookInput {
    /// Name.
    pub name: String,
    /// `http://` or `https://` URL, at most 500 characters.
    pub url: String,
    /// Signing secret.
    pub secret: Option<String>,
    /// Whether events are queued for it.
    pub enabled: bool,
    /// Lowest priority delivered (`low`, `medium`, `high`, `critical`).
    pub min_priority: String,
}

/// An enabled device as the rule set needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDevice {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// Seconds without readings before offline (`None` = engine default).
    pub offline_after_s: Option<i32>,
}

/// An enabled sensor as the rule set needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSensor {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Its device's code (always an enabled device of [`RulesSource::devices`]).
    pub device_code: Option<String>,
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// Measured quantity.
    pub quantity: String,
    /// Unit of its values.
    pub unit: String,
    /// Bottom of the measuring range, in `unit`.
    pub range_low: Option<f64>,
    /// Top of the measuring range, in `unit`.
    pub range_high: Option<f64>,
    /// Expected interval between readings, seconds.
    pub sampling_period_s: i32,
    /// Stale after this many sampling periods; 0 = off.
    pub stale_after: i32,
    /// Plant area.
    pub area: Option<String>,
    /// Alarm settings (`Null` when the stored text is not JSON).
    pub settings: serde_json::Value,
}

/// A voting group as the rule set needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleGroup {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// Member sensor codes.
    pub members: Vec<String>,
    /// Voting condition.
    pub condition: String,
    /// Votes needed.
    pub k: i32,
    /// Window, seconds.
    pub window_s: i32,
    /// Priority.
    pub priority: String,
}

/// Everything enabled that a rule set is built from, each list in code order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RulesSource {
    /// Enabled devices.
    pub devices: Vec<RuleDevice>,
    /// Enabled sensors not wired to a disabled device.
    pub sensors: Vec<RuleSensor>,
    /// Every group (groups have no status).
    pub groups: Vec<RuleGroup>,
}

fn trimmed(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn check_text(f: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        f.insert(field.into(), "must not be empty".into());
    } else if value.chars().count() > max {
        f.insert(field.into(), format!("at most {max} characters"));
    }
}

fn check_one_of(f: &mut FieldErrors, field: &str, value: &str, allowed: &[&str]) {
    if !allowed.contains(&value) {
        f.insert(
            field.into(),
            format!("must be one of {}", allowed.join(", ")),
        );
    }
}

fn check_status(f: &mut FieldErrors, status: &str) {
    if RecordStatus::parse(status).is_none() {
        f.insert("status".into(), "must be active or disabled".into());
    }
}

fn finish(f: FieldErrors) -> Result<()> {
    if f.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { fields: f }.into())
    }
}

/// Re-keys the field errors of row `i` of a bulk create as `[i].field`.
fn in_row(i: usize, e: StoreError) -> StoreError {
    match e {
        StoreError::Invalid(v) => StoreError::Invalid(ValidationError {
            fields: v
                .fields
                .into_iter()
                .map(|(k, m)| (format!("[{i}].{k}"), m))
                .collect(),
        }),
        other => other,
    }
}

fn parse_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

fn parse_members(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

async fn enterprise_names<C: ConnectionTrait>(
    db: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = enterprise::Entity::find()
            .select_only()
            .column(enterprise::Column::Id)
            .column(enterprise::Column::Name)
            .filter(enterprise::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub(crate) async fn enterprise_names_of(
    store: &Store,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, String>> {
    enterprise_names(&store.db, ids).await
}

impl Store {
    // ---------------------------------------------------------------- devices

    fn device_query(filter: &DeviceFilter, scope: &ScopeFilter) -> sea_orm::Select<device::Entity> {
        let mut q = device::Entity::find()
            .filter(enterprise_id_in_scope(device::Column::EnterpriseId, scope));
        if let Some(c) = trimmed(&filter.code) {
            q = q.filter(crate::like_literal(device::Column::Code, c, true));
        }
        if let Some(n) = trimmed(&filter.name) {
            q = q.filter(crate::like_literal(device::Column::Name, n, false));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(device::Column::EnterpriseId.eq(e));
        }
        if let Some(k) = &filter.kind {
            q = q.filter(device::Column::Kind.eq(k.as_str()));
        }
        if let Some(s) = &filter.status {
            q = q.filter(device::Column::Status.eq(s.as_str()));
        }
        q
    }

    async fn device_views(&self, rows: Vec<Device>) -> Result<Vec<DeviceView>> {
        let names = enterprise_names(&self.db, rows.iter().map(|d| d.enterprise_id)).await?;
        let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
        let mut seen: HashMap<i64, i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(Option<i64>, Option<i64>)> = sensor_latest::Entity::find()
                .select_only()
                .column_as(Expr::col((sensor::Entity, sensor::Column::DeviceId)), "d")
                .column_as(sensor_latest::Column::Ts.max(), "m")
                .join(
                    sea_orm::JoinType::InnerJoin,
                    sensor_latest::Entity::belongs_to(sensor::Entity)
                        .from(sensor_latest::Column::SensorId)
                        .to(sensor::Column::Id)
                        .into(),
                )
                .filter(sensor::Column::DeviceId.is_in(chunk.to_vec()))
                .group_by(Expr::col((sensor::Entity, sensor::Column::DeviceId)))
                .into_tuple()
                .all(&self.db)
                .await?;
            seen.extend(found.into_iter().filter_map(|(d, m)| Some((d?, m?))));
        }
        Ok(rows
            .into_iter()
            .map(|d| DeviceView {
                enterprise_name: names.get(&d.enterprise_id).cloned(),
                last_seen: seen.get(&d.id).copied(),
                device: d,
            })
            .collect())
    }

    /// Lists the devices the caller may see, filtered and paged, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_devices(
        &self,
        filter: &DeviceFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<DeviceView>> {
        let q = Self::device_query(filter, scope);
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(device::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.device_views(rows).await?,
        })
    }

    /// Every device matching the filter and scope (for export), in id order, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn all_devices(
        &self,
        filter: &DeviceFilter,
        scope: &ScopeFilter,
        limit: u64,
    ) -> Result<Vec<DeviceView>> {
        let rows = Self::device_query(filter, scope)
            .order_by_asc(device::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.device_views(rows).await
    }

    /// One device, if the caller's scope includes its enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_device(&self, id: i64, scope: &ScopeFilter) -> Result<DeviceView> {
        let d = device::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(device::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.device_views(vec![d])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// A device by its code regardless of scope (for device authentication and imports).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn find_device_by_code(&self, code: &str) -> Result<Option<Device>> {
        Ok(device::Entity::find()
            .filter(device::Column::Code.eq(code))
            .one(&self.db)
            .await?)
    }

    /// Which of `codes` are already device codes (city-wide). Queried in batches of 500.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn existing_device_codes(&self, codes: &[String]) -> Result<HashSet<String>> {
        let mut found = HashSet::new();
        for chunk in codes.chunks(500) {
            let rows: Vec<String> = device::Entity::find()
                .select_only()
                .column(device::Column::Code)
                .filter(device::Column::Code.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    async fn check_device<C: ConnectionTrait>(
        db: &C,
        d: &DeviceInput,
        scope: &ScopeFilter,
    ) -> Result<()> {
        let mut f = FieldErrors::new();
        check_text(&mut f, "code", &d.code, CODE_MAX);
        check_text(&mut f, "name", &d.name, NAME_MAX);
        check_one_of(&mut f, "kind", &d.kind, &DEVICE_KINDS);
        check_status(&mut f, &d.status);
        if d.offline_after_s.is_some_and(|s| s < 1) {
            f.insert("offlineAfterS".into(), "must be at least 1 second".into());
        }
        if d.remark.as_ref().is_some_and(|r| r.chars().count() > 500) {
            f.insert("remark".into(), "at most 500 characters".into());
        }
        if !crate::org::enterprise_visible(db, d.enterprise_id, scope).await? {
            f.insert("enterpriseId".into(), "no such enterprise".into());
        }
        finish(f)
    }

    fn device_active(d: DeviceInput) -> device::ActiveModel {
        device::ActiveModel {
            code: Set(d.code.trim().to_owned()),
            name: Set(d.name.trim().to_owned()),
            enterprise_id: Set(d.enterprise_id),
            kind: Set(d.kind),
            offline_after_s: Set(d.offline_after_s),
            status: Set(d.status),
            remark: Set(d.remark),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
    }

    async fn insert_device<C: ConnectionTrait>(
        db: &C,
        d: DeviceInput,
        scope: &ScopeFilter,
    ) -> Result<Device> {
        Self::check_device(db, &d, scope).await?;
        let mut active = Self::device_active(d);
        active.created_at = active.updated_at.clone();
        active.password_hash = Set(None);
        active
            .insert(db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a device with this code already exists"))
    }

    /// Checks a device as [`Store::create_device`] would, storing nothing (imports check each
    /// row; a duplicate code is found only on insert).
    ///
    /// # Errors
    /// Field errors as for create.
    pub async fn validate_device(&self, d: &DeviceInput, scope: &ScopeFilter) -> Result<()> {
        Self::check_device(&self.db, d, scope).await
    }

    /// Creates a device (without an MQTT password; see [`Store::set_device_password`]).
    ///
    /// # Errors
    /// Field errors on `code` (empty, too long, duplicate), `name`, `kind`, `status`,
    /// `offlineAfterS`, `remark`, `enterpriseId` (missing or outside the scope).
    pub async fn create_device(&self, d: DeviceInput, scope: &ScopeFilter) -> Result<Device> {
        Self::insert_device(&self.db, d, scope).await
    }

    /// Creates many devices in one transaction (imports): all or none. Field errors are keyed
    /// `[i].field` by the 0-based index of the failing input.
    ///
    /// # Errors
    /// The first failure; nothing is stored.
    pub async fn create_devices(&self, list: Vec<DeviceInput>, scope: &ScopeFilter) -> Result<u64> {
        let txn = self.db.begin().await?;
        let mut n = 0;
        for (i, d) in list.into_iter().enumerate() {
            Self::insert_device(&txn, d, scope)
                .await
                .map_err(|e| in_row(i, e))?;
            n += 1;
        }
        txn.commit().await?;
        Ok(n)
    }

    /// Replaces a device's fields (not its password), if the caller's scope includes it and the
    /// new enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create, and on `enterpriseId` when sensors
    /// of another enterprise are wired to it.
    pub async fn update_device(
        &self,
        id: i64,
        d: DeviceInput,
        scope: &ScopeFilter,
    ) -> Result<Device> {
        let current = self.get_device(id, scope).await?.device;
        Self::check_device(&self.db, &d, scope).await?;
        if d.enterprise_id != current.enterprise_id {
            let foreign = sensor::Entity::find()
                .filter(sensor::Column::DeviceId.eq(id))
                .filter(sensor::Column::EnterpriseId.ne(d.enterprise_id))
                .count(&self.db)
                .await?;
            if foreign > 0 {
                return Err(ValidationError::field(
                    "enterpriseId",
                    format!("{foreign} sensors of another enterprise are wired to this device"),
                )
                .into());
            }
        }
        let mut active = Self::device_active(d);
        active.id = Unchanged(id);
        active
            .update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a device with this code already exists"))
    }

    /// Sets (or with `None` clears) a device's MQTT password hash (an argon2 PHC string made by
    /// the caller), if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn set_device_password(
        &self,
        id: i64,
        password_hash: Option<String>,
        scope: &ScopeFilter,
    ) -> Result<()> {
        self.get_device(id, scope).await?;
        device::ActiveModel {
            id: Unchanged(id),
            password_hash: Set(password_hash),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
        .update(&self.db)
        .await?;
        Ok(())
    }

    /// Deletes a device no sensor is wired to, if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` while sensors reference it.
    pub async fn delete_device(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_device(id, scope).await?;
        let sensors = sensor::Entity::find()
            .filter(sensor::Column::DeviceId.eq(id))
            .count(&self.db)
            .await?;
        if sensors > 0 {
            return Err(ValidationError::field(
                "id",
                format!("{sensors} sensors are wired to this device"),
            )
            .into());
        }
        device::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    // ---------------------------------------------------------------- sensors

    fn sensor_query(filter: &SensorFilter, scope: &ScopeFilter) -> sea_orm::Select<sensor::Entity> {
        let mut q = sensor::Entity::find()
            .filter(enterprise_id_in_scope(sensor::Column::EnterpriseId, scope));
        if let Some(c) = trimmed(&filter.code) {
            q = q.filter(crate::like_literal(sensor::Column::Code, c, true));
        }
        if let Some(n) = trimmed(&filter.name) {
            q = q.filter(crate::like_literal(sensor::Column::Name, n, false));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(sensor::Column::EnterpriseId.eq(e));
        }
        if let Some(d) = filter.device_id {
            q = q.filter(sensor::Column::DeviceId.eq(d));
        }
        if let Some(k) = &filter.quantity {
            q = q.filter(sensor::Column::Quantity.eq(k.as_str()));
        }
        if let Some(s) = &filter.status {
            q = q.filter(sensor::Column::Status.eq(s.as_str()));
        }
        q
    }

    async fn sensor_views(&self, rows: Vec<Sensor>) -> Result<Vec<SensorView>> {
        let names = enterprise_names(&self.db, rows.iter().map(|s| s.enterprise_id)).await?;
        let device_ids: Vec<i64> = rows
            .iter()
            .filter_map(|s| s.device_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut codes: HashMap<i64, String> = HashMap::new();
        for chunk in device_ids.chunks(500) {
            let found: Vec<(i64, String)> = device::Entity::find()
                .select_only()
                .column(device::Column::Id)
                .column(device::Column::Code)
                .filter(device::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            codes.extend(found);
        }
        let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
        let mut latest: HashMap<i64, ReadingRow> = HashMap::new();
        for chunk in ids.chunks(500) {
            for l in sensor_latest::Entity::find()
                .filter(sensor_latest::Column::SensorId.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?
            {
                latest.insert(
                    l.sensor_id,
                    ReadingRow {
                        sensor_id: l.sensor_id,
                        ts: l.ts,
                        value: l.value,
                        quality: l.quality,
                    },
                );
            }
        }
        Ok(rows
            .into_iter()
            .map(|s| SensorView {
                settings: parse_json(&s.settings),
                device_code: s.device_id.and_then(|d| codes.get(&d).cloned()),
                enterprise_name: names.get(&s.enterprise_id).cloned(),
                latest: latest.get(&s.id).copied(),
                sensor: s,
            })
            .collect())
    }

    /// Lists the sensors the caller may see, filtered and paged, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_sensors(
        &self,
        filter: &SensorFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<SensorView>> {
        let q = Self::sensor_query(filter, scope);
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(sensor::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.sensor_views(rows).await?,
        })
    }

    /// Every sensor matching the filter and scope (for export), in id order, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn all_sensors(
        &self,
        filter: &SensorFilter,
        scope: &ScopeFilter,
        limit: u64,
    ) -> Result<Vec<SensorView>> {
        let rows = Self::sensor_query(filter, scope)
            .order_by_asc(sensor::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        self.sensor_views(rows).await
    }

    /// One sensor, if the caller's scope includes its enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_sensor(&self, id: i64, scope: &ScopeFilter) -> Result<SensorView> {
        let s = sensor::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(sensor::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.sensor_views(vec![s])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Which of `codes` are already sensor codes (city-wide). Queried in batches of 500.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn existing_sensor_codes(&self, codes: &[String]) -> Result<HashSet<String>> {
        let mut found = HashSet::new();
        for chunk in codes.chunks(500) {
            let rows: Vec<String> = sensor::Entity::find()
                .select_only()
                .column(sensor::Column::Code)
                .filter(sensor::Column::Code.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    async fn check_sensor<C: ConnectionTrait>(
        db: &C,
        s: &SensorInput,
        scope: &ScopeFilter,
    ) -> Result<()> {
        let mut f = FieldErrors::new();
        check_text(&mut f, "code", &s.code, CODE_MAX);
        check_text(&mut f, "name", &s.name, NAME_MAX);
        check_one_of(&mut f, "quantity", &s.quantity, &SENSOR_QUANTITIES);
        check_status(&mut f, &s.status);
        if s.unit.chars().count() > 16 {
            f.insert("unit".into(), "at most 16 characters".into());
        }
        if s.area.as_ref().is_some_and(|a| a.chars().count() > 64) {
            f.insert("area".into(), "at most 64 characters".into());
        }
        if s.range_low.is_some_and(|v| !v.is_finite()) {
            f.insert("rangeLow".into(), "must be a finite number".into());
        }
        if s.range_high.is_some_and(|v| !v.is_finite()) {
            f.insert("rangeHigh".into(), "must be a finite number".into());
        }
        if let (Some(lo), Some(hi)) = (s.range_low, s.range_high)
            && lo >= hi
        {
            f.insert("rangeHigh".into(), "must be above rangeLow".into());
        }
        if s.sampling_period_s < 1 {
            f.insert("samplingPeriodS".into(), "must be at least 1 second".into());
        }
        if s.stale_after < 0 {
            f.insert("staleAfter".into(), "must not be negative".into());
        }
        if !(s.settings.is_object() || s.settings.is_null()) {
            f.insert("settings".into(), "must be an object".into());
        }
        if !crate::org::enterprise_visible(db, s.enterprise_id, scope).await? {
            f.insert("enterpriseId".into(), "no such enterprise".into());
        }
        if let Some(d) = s.device_id {
            match device::Entity::find_by_id(d).one(db).await? {
                None => {
                    f.insert("deviceId".into(), "no such device".into());
                }
                Some(dev) if dev.enterprise_id != s.enterprise_id => {
                    f.insert(
                        "deviceId".into(),
                        "the device belongs to another enterprise".into(),
                    );
                }
                Some(_) => {}
            }
        }
        finish(f)
    }

    fn sensor_active(s: SensorInput) -> sensor::ActiveModel {
        let settings = if s.settings.is_null() {
            "{}".to_owned()
        } else {
            s.settings.to_string()
        };
        sensor::ActiveModel {
            code: Set(s.code.trim().to_owned()),
            name: Set(s.name.trim().to_owned()),
            device_id: Set(s.device_id),
            enterprise_id: Set(s.enterprise_id),
            installation_id: Set(s.installation_id),
            risk_point_id: Set(s.risk_point_id),
            quantity: Set(s.quantity),
            unit: Set(s.unit),
            range_low: Set(s.range_low),
            range_high: Set(s.range_high),
            sampling_period_s: Set(s.sampling_period_s),
            stale_after: Set(s.stale_after),
            area: Set(s.area),
            settings: Set(settings),
            status: Set(s.status),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
    }

    async fn insert_sensor<C: ConnectionTrait>(
        db: &C,
        s: SensorInput,
        scope: &ScopeFilter,
    ) -> Result<Sensor> {
        Self::check_sensor(db, &s, scope).await?;
        let mut active = Self::sensor_active(s);
        active.created_at = active.updated_at.clone();
        active
            .insert(db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a sensor with this code already exists"))
    }

    /// Checks a sensor as [`Store::create_sensor`] would, storing nothing (a duplicate code is
    /// found only on insert).
    ///
    /// # Errors
    /// Field errors as for create.
    pub async fn validate_sensor(&self, s: &SensorInput, scope: &ScopeFilter) -> Result<()> {
        Self::check_sensor(&self.db, s, scope).await
    }

    /// Creates a sensor.
    ///
    /// # Errors
    /// Field errors on `code` (empty, too long, duplicate), `name`, `quantity`, `unit`, `area`,
    /// `rangeLow`/`rangeHigh`, `samplingPeriodS`, `staleAfter`, `settings`, `status`,
    /// `enterpriseId` (missing or outside the scope), `deviceId` (missing or another enterprise's).
    pub async fn create_sensor(&self, s: SensorInput, scope: &ScopeFilter) -> Result<Sensor> {
        Self::insert_sensor(&self.db, s, scope).await
    }

    /// Creates many sensors in one transaction (imports): all or none. Field errors are keyed
    /// `[i].field` by the 0-based index of the failing input.
    ///
    /// # Errors
    /// The first failure; nothing is stored.
    pub async fn create_sensors(&self, list: Vec<SensorInput>, scope: &ScopeFilter) -> Result<u64> {
        let txn = self.db.begin().await?;
        let mut n = 0;
        for (i, s) in list.into_iter().enumerate() {
            Self::insert_sensor(&txn, s, scope)
                .await
                .map_err(|e| in_row(i, e))?;
            n += 1;
        }
        txn.commit().await?;
        Ok(n)
    }

    /// Replaces a sensor's fields, if the caller's scope includes it and the new enterprise.
    /// Changing the code of a sensor that is a group member is refused.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_sensor(
        &self,
        id: i64,
        s: SensorInput,
        scope: &ScopeFilter,
    ) -> Result<Sensor> {
        let current = self.get_sensor(id, scope).await?.sensor;
        Self::check_sensor(&self.db, &s, scope).await?;
        if s.code.trim() != current.code
            && let Some(g) = self.group_with_member(&current.code).await?
        {
            return Err(ValidationError::field(
                "code",
                format!("the sensor is a member of group {g}; remove it there first"),
            )
            .into());
        }
        let mut active = Self::sensor_active(s);
        active.id = Unchanged(id);
        active
            .update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a sensor with this code already exists"))
    }

    async fn group_with_member(&self, code: &str) -> Result<Option<String>> {
        // Members are a JSON array of strings; a code appears quoted. The LIKE narrows, the
        // parse decides.
        let quoted = serde_json::Value::from(code).to_string();
        let candidates = alarm_group::Entity::find()
            .filter(crate::like_literal(
                alarm_group::Column::Members,
                &quoted,
                false,
            ))
            .all(&self.db)
            .await?;
        Ok(candidates
            .into_iter()
            .find(|g| parse_members(&g.members).iter().any(|m| m == code))
            .map(|g| g.code))
    }

    /// Deletes a sensor and its telemetry (readings, latest value, minute aggregates), if the
    /// caller's scope includes it and no group has it as a member. Its alarms stay as history.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` while a group has it as a member.
    pub async fn delete_sensor(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        use crate::entities::{reading, reading_minute};
        let current = self.get_sensor(id, scope).await?.sensor;
        if let Some(g) = self.group_with_member(&current.code).await? {
            return Err(ValidationError::field(
                "id",
                format!("the sensor is a member of group {g}"),
            )
            .into());
        }
        let txn = self.db.begin().await?;
        reading::Entity::delete_many()
            .filter(reading::Column::SensorId.eq(id))
            .exec(&txn)
            .await?;
        reading_minute::Entity::delete_many()
            .filter(reading_minute::Column::SensorId.eq(id))
            .exec(&txn)
            .await?;
        sensor_latest::Entity::delete_by_id(id).exec(&txn).await?;
        sensor::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sensor ids by code for `codes` (city-wide, any status), for the ingestion pipeline and
    /// imports. Queried in batches of 500.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn sensor_ids_by_code(&self, codes: &[String]) -> Result<HashMap<String, i64>> {
        let mut found = HashMap::new();
        for chunk in codes.chunks(500) {
            let rows: Vec<(String, i64)> = sensor::Entity::find()
                .select_only()
                .column(sensor::Column::Code)
                .column(sensor::Column::Id)
                .filter(sensor::Column::Code.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// Plant area per sensor code, for the codes given that have one (the KPI grouping).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn sensor_areas(&self, codes: &[String]) -> Result<HashMap<String, String>> {
        let mut found = HashMap::new();
        for chunk in codes.chunks(500) {
            let rows: Vec<(String, Option<String>)> = sensor::Entity::find()
                .select_only()
                .column(sensor::Column::Code)
                .column(sensor::Column::Area)
                .filter(sensor::Column::Code.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows.into_iter().filter_map(|(c, a)| a.map(|a| (c, a))));
        }
        Ok(found)
    }

    // ---------------------------------------------------------------- alarm groups

    fn group_query(
        filter: &AlarmGroupFilter,
        scope: &ScopeFilter,
    ) -> sea_orm::Select<alarm_group::Entity> {
        let mut q = alarm_group::Entity::find().filter(enterprise_id_in_scope(
            alarm_group::Column::EnterpriseId,
            scope,
        ));
        if let Some(c) = trimmed(&filter.code) {
            q = q.filter(crate::like_literal(alarm_group::Column::Code, c, true));
        }
        if let Some(n) = trimmed(&filter.name) {
            q = q.filter(crate::like_literal(alarm_group::Column::Name, n, false));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(alarm_group::Column::EnterpriseId.eq(e));
        }
        q
    }

    /// Lists the alarm groups the caller may see, filtered and paged, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_alarm_groups(
        &self,
        filter: &AlarmGroupFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<AlarmGroup>> {
        let q = Self::group_query(filter, scope);
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(alarm_group::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }

    /// One alarm group, if the caller's scope includes its enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_alarm_group(&self, id: i64, scope: &ScopeFilter) -> Result<AlarmGroup> {
        alarm_group::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(
                alarm_group::Column::EnterpriseId,
                scope,
            ))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn check_group<C: ConnectionTrait>(
        db: &C,
        g: &AlarmGroupInput,
        scope: &ScopeFilter,
    ) -> Result<()> {
        let mut f = FieldErrors::new();
        check_text(&mut f, "code", &g.code, CODE_MAX);
        check_text(&mut f, "name", &g.name, NAME_MAX);
        check_one_of(&mut f, "condition", &g.condition, &ALARM_CONDITIONS);
        if priority_rank(&g.priority).is_none() {
            f.insert(
                "priority".into(),
                "must be low, medium, high or critical".into(),
            );
        }
        let distinct: HashSet<&String> = g.members.iter().collect();
        if g.members.is_empty() {
            f.insert("members".into(), "must not be empty".into());
        } else if distinct.len() != g.members.len() {
            f.insert("members".into(), "a sensor is listed twice".into());
        } else {
            let found: Vec<String> = sensor::Entity::find()
                .select_only()
                .column(sensor::Column::Code)
                .filter(sensor::Column::Code.is_in(g.members.clone()))
                .filter(sensor::Column::EnterpriseId.eq(g.enterprise_id))
                .into_tuple()
                .all(db)
                .await?;
            if let Some(missing) = g.members.iter().find(|m| !found.contains(m)) {
                f.insert(
                    "members".into(),
                    format!("no sensor {missing} in this enterprise"),
                );
            }
        }
        if g.k < 1 || g.k as usize > g.members.len().max(1) {
            f.insert(
                "k".into(),
                "must be between 1 and the number of members".into(),
            );
        }
        if g.window_s < 0 {
            f.insert("windowS".into(), "must not be negative".into());
        }
        if !crate::org::enterprise_visible(db, g.enterprise_id, scope).await? {
            f.insert("enterpriseId".into(), "no such enterprise".into());
        }
        finish(f)
    }

    fn group_active(g: AlarmGroupInput) -> alarm_group::ActiveModel {
        alarm_group::ActiveModel {
            code: Set(g.code.trim().to_owned()),
            name: Set(g.name.trim().to_owned()),
            enterprise_id: Set(g.enterprise_id),
            members: Set(serde_json::Value::from(g.members).to_string()),
            condition: Set(g.condition),
            k: Set(g.k),
            window_s: Set(g.window_s),
            priority: Set(g.priority),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
    }

    /// Checks an alarm group as [`Store::create_alarm_group`] would, storing nothing.
    ///
    /// # Errors
    /// Field errors as for create.
    pub async fn validate_alarm_group(
        &self,
        g: &AlarmGroupInput,
        scope: &ScopeFilter,
    ) -> Result<()> {
        Self::check_group(&self.db, g, scope).await
    }

    /// Creates an alarm group.
    ///
    /// # Errors
    /// Field errors on `code` (duplicate ...), `name`, `members`, `condition`, `k`, `windowS`,
    /// `priority`, `enterpriseId`.
    pub async fn create_alarm_group(
        &self,
        g: AlarmGroupInput,
        scope: &ScopeFilter,
    ) -> Result<AlarmGroup> {
        Self::check_group(&self.db, &g, scope).await?;
        let mut active = Self::group_active(g);
        active.created_at = active.updated_at.clone();
        active
            .insert(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a group with this code already exists"))
    }

    /// Replaces an alarm group's fields, if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_alarm_group(
        &self,
        id: i64,
        g: AlarmGroupInput,
        scope: &ScopeFilter,
    ) -> Result<AlarmGroup> {
        self.get_alarm_group(id, scope).await?;
        Self::check_group(&self.db, &g, scope).await?;
        let mut active = Self::group_active(g);
        active.id = Unchanged(id);
        active
            .update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a group with this code already exists"))
    }

    /// Deletes an alarm group, if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn delete_alarm_group(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_alarm_group(id, scope).await?;
        alarm_group::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    // ---------------------------------------------------------------- webhooks

    /// Lists webhooks, paged, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_webhooks(&self, page: Page) -> Result<PageOf<Webhook>> {
        let q = webhook::Entity::find();
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(webhook::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }

    /// One webhook.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_webhook(&self, id: i64) -> Result<Webhook> {
        webhook::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    fn check_webhook(w: &WebhookInput) -> Result<()> {
        let mut f = FieldErrors::new();
        check_text(&mut f, "name", &w.name, NAME_MAX);
        check_text(&mut f, "url", &w.url, 500);
        if !(w.url.starts_with("http://") || w.url.starts_with("https://"))
            || url::Url::parse(&w.url).is_err()
        {
            f.entry("url".into())
                .or_insert_with(|| "must be an http:// or https:// URL".into());
        }
        if w.secret.as_ref().is_some_and(|s| s.chars().count() > 200) {
            f.insert("secret".into(), "at most 200 characters".into());
        }
        if priority_rank(&w.min_priority).is_none() {
            f.insert(
                "minPriority".into(),
                "must be low, medium, high or critical".into(),
            );
        }
        finish(f)
    }

    fn webhook_active(w: WebhookInput) -> webhook::ActiveModel {
        webhook::ActiveModel {
            name: Set(w.name.trim().to_owned()),
            url: Set(w.url),
            secret: Set(w.secret),
            enabled: Set(w.enabled),
            min_priority: Set(w.min_priority),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
    }

    /// Creates a webhook.
    ///
    /// # Errors
    /// Field errors on `name`, `url`, `secret`, `minPriority`.
    pub async fn create_webhook(&self, w: WebhookInput) -> Result<Webhook> {
        Self::check_webhook(&w)?;
        let mut active = Self::webhook_active(w);
        active.created_at = active.updated_at.clone();
        Ok(active.insert(&self.db).await?)
    }

    /// Replaces a webhook's fields.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_webhook(&self, id: i64, w: WebhookInput) -> Result<Webhook> {
        self.get_webhook(id).await?;
        Self::check_webhook(&w)?;
        let mut active = Self::webhook_active(w);
        active.id = Unchanged(id);
        Ok(active.update(&self.db).await?)
    }

    /// Deletes a webhook and its deliveries.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        use crate::entities::webhook_delivery;
        self.get_webhook(id).await?;
        let txn = self.db.begin().await?;
        webhook_delivery::Entity::delete_many()
            .filter(webhook_delivery::Column::WebhookId.eq(id))
            .exec(&txn)
            .await?;
        webhook::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    // ---------------------------------------------------------------- rules

    /// Every enabled device, every enabled sensor not wired to a disabled device, and every
    /// group, in code order: what the alarm engine's rule set is built from.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn load_rules_source(&self) -> Result<RulesSource> {
        let active = RecordStatus::Active.code();
        let devices: Vec<RuleDevice> = device::Entity::find()
            .filter(device::Column::Status.eq(active))
            .order_by_asc(device::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| RuleDevice {
                id: d.id,
                code: d.code,
                enterprise_id: d.enterprise_id,
                offline_after_s: d.offline_after_s,
            })
            .collect();
        let device_codes: HashMap<i64, &str> =
            devices.iter().map(|d| (d.id, d.code.as_str())).collect();
        let sensors: Vec<RuleSensor> = sensor::Entity::find()
            .filter(sensor::Column::Status.eq(active))
            .order_by_asc(sensor::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|s| {
                let device_code = match s.device_id {
                    Some(d) => Some((*device_codes.get(&d)?).to_owned()),
                    None => None,
                };
                Some(RuleSensor {
                    id: s.id,
                    settings: parse_json(&s.settings),
                    code: s.code,
                    device_code,
                    enterprise_id: s.enterprise_id,
                    quantity: s.quantity,
                    unit: s.unit,
                    range_low: s.range_low,
                    range_high: s.range_high,
                    sampling_period_s: s.sampling_period_s,
                    stale_after: s.stale_after,
                    area: s.area,
                })
            })
            .collect();
        let groups = alarm_group::Entity::find()
            .order_by_asc(alarm_group::Column::Code)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|g| RuleGroup {
                id: g.id,
                members: parse_members(&g.members),
                code: g.code,
                enterprise_id: g.enterprise_id,
                condition: g.condition,
                k: g.k,
                window_s: g.window_s,
                priority: g.priority,
            })
            .collect();
        Ok(RulesSource {
            devices,
            sensors,
            groups,
        })
    }
}
