//! Monitoring configuration (监测设备): devices (gateways / DTUs) with their MQTT credentials,
//! sensors (监测点) with their alarm settings and trend, k-out-of-n voting groups, and the webhooks
//! alarm events are delivered to. Devices and sensors also have spreadsheet import / export.
//!
//! Every change of devices, sensors or groups reloads the alarm engine's rules. Before a change is
//! stored, the rules it would produce are checked by the engine's own validator, so one bad
//! setting cannot stop the reload of everybody else's rules.

use super::enterprise::{
    ImportQuery, ImportReport, XLSX, attachment, import_response, read_upload,
};
use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::excel::{self, Col, RowError, SheetError, SheetRow};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_alarm::{LimitKind, LimitRule, Millis, Priority, RuleSet};
use anjian_domain::org::RecordStatus;
use anjian_ingest::catalog::{rules_json, settings_to_rules};
use anjian_ingest::pipeline::now_ms;
use anjian_store::{
    AlarmGroup, AlarmGroupFilter, AlarmGroupInput, DEVICE_KINDS, DeviceFilter, DeviceInput,
    DeviceView, EnterpriseFilter, QUALITY_BAD, RuleDevice, RuleGroup, RuleSensor, RulesSource,
    SENSOR_QUANTITIES, SensorFilter, SensorInput, SensorView, Webhook, WebhookDelivery,
    WebhookInput,
};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most rows one export may hold.
const EXPORT_MAX_ROWS: u64 = super::enterprise::EXPORT_MAX_ROWS;
/// Longest trend period, ms (31 days).
const TREND_MAX_MS: i64 = 31 * 86_400_000;
/// Raw readings are returned with the trend up to this period, ms (2 hours).
const TREND_RAW_MAX_MS: i64 = 2 * 3_600_000;
/// Most raw readings returned with one trend.
const TREND_RAW_MAX_POINTS: u64 = 5_000;
/// A device without `offlineAfterS` and without sensors counts as offline after this, seconds.
const DEFAULT_OFFLINE_S: i64 = 300;

/// Logs, without failing the request, when the stored rules do not reload (the engine keeps the
/// previous rules then).
async fn reload(s: &AppState) {
    if let Err(e) = s.pipeline.reload().await {
        tracing::warn!(error = %e, "alarm rules not reloaded; the previous rules stay in force");
    }
}

fn check_one_of(field: &str, v: &Option<String>, allowed: &[&str]) -> ApiResult<()> {
    match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(x) if !allowed.contains(&x) => Err(ApiError::invalid(
            field,
            format!("must be one of {}", allowed.join(", ")),
        )),
        _ => Ok(()),
    }
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn check_filter_len(v: &[&Option<String>]) -> ApiResult<()> {
    if v.iter()
        .any(|v| v.as_ref().is_some_and(|s| s.chars().count() > 200))
    {
        return Err(ApiError::invalid(
            "code",
            "filters are at most 200 characters",
        ));
    }
    Ok(())
}

const STATUSES: [&str; 2] = ["active", "disabled"];

fn format_of(f: &Option<String>) -> ApiResult<&'static str> {
    match f.as_deref().unwrap_or("xlsx") {
        "xlsx" => Ok("xlsx"),
        "csv" => Ok("csv"),
        _ => Err(ApiError::invalid("format", "must be xlsx or csv")),
    }
}

fn file(
    format: &str,
    cols: &[Col],
    sheet: &str,
    ascii: &str,
    name: &str,
    rows: &[Vec<String>],
) -> ApiResult<Response> {
    if format == "csv" {
        let bytes = excel::write_csv(cols, rows).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(attachment(
            bytes,
            "text/csv; charset=utf-8",
            ascii,
            &format!("{name}.csv"),
        ))
    } else {
        let bytes = excel::write_sheet(sheet, cols, rows, false, &[])
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(attachment(bytes, XLSX, ascii, &format!("{name}.xlsx")))
    }
}

fn sheet_error(e: SheetError) -> ApiError {
    match e {
        SheetError::TooManyRows => ApiError::invalid("file", e.to_string()),
        other => ApiError::bad_field("file", other.to_string()),
    }
}

// ---------------------------------------------------------------- the rules check

/// A change to the rules source, applied to the stored one before it is validated.
enum Edit {
    /// A device is created (`old_code` None) or changed; `rule` None when it is disabled.
    Device {
        old_code: Option<String>,
        rule: Option<RuleDevice>,
    },
    /// A sensor is created or changed; `rule` None when it is left out of the rules.
    Sensor {
        old_code: Option<String>,
        rule: Option<RuleSensor>,
    },
    /// A group is created or changed.
    Group {
        old_code: Option<String>,
        rule: RuleGroup,
    },
}

fn rules_valid(src: &RulesSource) -> Result<(), String> {
    let v = rules_json(src)?;
    RuleSet::from_json(&v.to_string())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn apply(src: &mut RulesSource, edit: Edit) {
    match edit {
        Edit::Device { old_code, rule } => {
            if let Some(old) = &old_code {
                src.devices.retain(|d| &d.code != old);
                match &rule {
                    // Sensors of a disabled device are left out of the rules.
                    None => src
                        .sensors
                        .retain(|s| s.device_code.as_deref() != Some(old.as_str())),
                    Some(r) => {
                        for s in &mut src.sensors {
                            if s.device_code.as_deref() == Some(old.as_str()) {
                                s.device_code = Some(r.code.clone());
                            }
                        }
                    }
                }
            }
            src.devices.extend(rule);
        }
        Edit::Sensor { old_code, rule } => {
            if let Some(old) = &old_code {
                src.sensors.retain(|s| &s.code != old);
            }
            if let Some(r) = rule
                && r.device_code
                    .as_ref()
                    .is_none_or(|d| src.devices.iter().any(|x| &x.code == d))
            {
                src.sensors.push(r);
            }
        }
        Edit::Group { old_code, rule } => {
            if let Some(old) = &old_code {
                src.groups.retain(|g| &g.code != old);
            }
            src.groups.push(rule);
        }
    }
}

/// Checks that the stored rules with `edit` applied are valid; when they are not, 422 on the
/// field `field` picks from the engine's message. A rule source that is already invalid without
/// the edit does not block it (that is logged on every reload).
async fn check_rules(s: &AppState, edit: Edit, field: impl Fn(&str) -> String) -> ApiResult<()> {
    let src = s.store.load_rules_source().await?;
    let mut after = src.clone();
    apply(&mut after, edit);
    match rules_valid(&after) {
        Ok(()) => Ok(()),
        Err(msg) if rules_valid(&src).is_ok() => Err(ApiError::invalid(&field(&msg), msg)),
        Err(msg) => {
            tracing::warn!(%msg, "stored alarm rules are invalid; change not checked against them");
            Ok(())
        }
    }
}

/// The rule-file field of a limit named in an engine message → the API field.
const LIMIT_FIELDS: [(&str, &str); 9] = [
    ("deadband_pct", "deadbandPct"),
    ("deadband", "deadband"),
    ("on_delay_samples", "onDelaySamples"),
    ("on_delay", "onDelayS"),
    ("off_delay_samples", "offDelaySamples"),
    ("off_delay", "offDelayS"),
    ("deescalate_after", "deescalateAfterS"),
    ("escalate.after", "escalate.afterS"),
    ("value", "value"),
];

/// The most precise `settings...` field an engine message about one sensor's settings points at.
fn settings_field(settings: &Value, msg: &str) -> String {
    let limits = settings
        .get("limits")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if let Some((_, rest)) = msg.split_once(": limit ")
        && let Some((kind, detail)) = rest.split_once(": ")
    {
        let of_kind = |l: &Value| l.get("kind").and_then(Value::as_str) == Some(kind);
        let duplicate = detail.starts_with("duplicate limit kind");
        // A duplicate is reported on its second occurrence.
        let i = if duplicate {
            limits.iter().rposition(of_kind)
        } else {
            limits.iter().position(of_kind)
        };
        let Some(i) = i else {
            return "settings".into();
        };
        let base = format!("settings.limits[{i}]");
        if duplicate {
            return format!("{base}.kind");
        }
        return match LIMIT_FIELDS.iter().find(|(k, _)| detail.starts_with(k)) {
            Some((_, f)) => format!("{base}.{f}"),
            None => base,
        };
    }
    for (key, field) in [
        ("rate_of_change.limit", "settings.rateOfChange.limit"),
        ("rate_of_change.window", "settings.rateOfChange.windowS"),
        ("rate_of_change.deadband", "settings.rateOfChange.deadband"),
        ("schedule.start", "settings.schedule.start"),
        ("schedule.end", "settings.schedule.end"),
        ("schedule.timezone", "settings.schedule.timezone"),
        ("schedule", "settings.schedule"),
        ("range", "rangeHigh"),
        ("sampling_period", "samplingPeriodS"),
    ] {
        if msg.contains(&format!(": {key}")) {
            return field.into();
        }
    }
    "settings".into()
}

/// Validates one sensor's settings as the engine will read them: the settings turned into the
/// rules-file shape, with the sensor's code, range, sampling period and stale count, parsed by
/// [`RuleSet::from_json`].
///
/// # Errors
/// 422 on `settings` or a more precise `settings.limits[i].field`, with the engine's message.
fn check_settings(s: &SensorInput) -> ApiResult<()> {
    let mut o = settings_to_rules(&s.settings).map_err(|m| {
        let field = m
            .split_whitespace()
            .next()
            .filter(|f| f.starts_with("settings"))
            .unwrap_or("settings")
            .to_owned();
        ApiError::invalid(&field, m)
    })?;
    // Name the limit of a type error (unknown kind or priority, a string value ...).
    if let Some(Value::Array(limits)) = o.get("limit") {
        for (i, l) in limits.iter().enumerate() {
            if let Err(e) = serde_json::from_value::<LimitRule>(l.clone()) {
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                let bad = |f: &str, ok: &dyn Fn(&Value) -> bool| !l.get(f).is_some_and(ok);
                let field = if bad("kind", &|v| {
                    serde_json::from_value::<LimitKind>(v.clone()).is_ok()
                }) {
                    format!("settings.limits[{i}].kind")
                } else if bad("priority", &|v| {
                    serde_json::from_value::<Priority>(v.clone()).is_ok()
                }) {
                    format!("settings.limits[{i}].priority")
                } else if bad("value", &Value::is_number) {
                    format!("settings.limits[{i}].value")
                } else {
                    format!("settings.limits[{i}]")
                };
                return Err(ApiError::invalid(&field, msg));
            }
        }
    }
    let code = if s.code.trim().is_empty() {
        "new"
    } else {
        s.code.trim()
    };
    o.insert("code".into(), json!(code));
    if let (Some(lo), Some(hi)) = (s.range_low, s.range_high) {
        o.insert("range".into(), json!([lo, hi]));
    }
    o.insert(
        "sampling_period".into(),
        json!(format!("{}s", s.sampling_period_s.max(1))),
    );
    o.insert("stale_after".into(), json!(s.stale_after.max(0)));
    let rules = json!({ "sensor": [Value::Object(o)] });
    RuleSet::from_json(&rules.to_string()).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        ApiError::invalid(&settings_field(&s.settings, &msg), msg)
    })?;
    Ok(())
}

// ---------------------------------------------------------------- devices

/// A device (gateway / DTU) as the API shows it. Never holds the MQTT password or its hash.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDto {
    /// Id.
    pub id: i64,
    /// Unique code; also the MQTT user name and the `{device_code}` of its topic.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// The enterprise's name.
    pub enterprise_name: Option<String>,
    /// `gateway` or `dtu` (dictionary `device_kind`).
    pub kind: String,
    /// Seconds without any reading before the device counts as offline; null = 3 × the longest
    /// sampling period of its sensors (300 s without sensors).
    pub offline_after_s: Option<i32>,
    /// `active` or `disabled` (a disabled device and its sensors raise no alarms).
    pub status: String,
    /// Whether a reading of one of its sensors arrived within the offline time.
    pub online: bool,
    /// Time of its newest reading, epoch ms (UTC); null before the first.
    pub last_seen: Option<Millis>,
    /// Whether an MQTT password is set (`POST /api/devices/{id}/secret`).
    pub has_password: bool,
    /// Remark.
    pub remark: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// The offline time of a device, ms: its own, else 3 × the longest sampling period of its
/// sensors, else [`DEFAULT_OFFLINE_S`].
fn offline_after_ms(offline_after_s: Option<i32>, longest_period_s: Option<i32>) -> i64 {
    match (offline_after_s, longest_period_s) {
        (Some(s), _) => i64::from(s) * 1000,
        (None, Some(p)) => 3 * i64::from(p.max(1)) * 1000,
        (None, None) => DEFAULT_OFFLINE_S * 1000,
    }
}

fn device_dto(v: DeviceView, longest_period_s: Option<i32>, now: Millis) -> DeviceDto {
    let d = v.device;
    let online = v
        .last_seen
        .is_some_and(|t| now - t <= offline_after_ms(d.offline_after_s, longest_period_s));
    DeviceDto {
        id: d.id,
        code: d.code,
        name: d.name,
        enterprise_id: d.enterprise_id,
        enterprise_name: v.enterprise_name,
        kind: d.kind,
        offline_after_s: d.offline_after_s,
        status: d.status,
        online,
        last_seen: v.last_seen,
        has_password: d.password_hash.is_some(),
        remark: d.remark,
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

/// DTOs of devices; the sampling periods of their sensors are looked up only for devices that
/// have readings and no offline time of their own.
async fn device_dtos(
    s: &AppState,
    me: &CurrentUser,
    rows: Vec<DeviceView>,
) -> ApiResult<Vec<DeviceDto>> {
    let now = now_ms();
    let mut out = Vec::with_capacity(rows.len());
    for v in rows {
        let longest = if v.last_seen.is_some() && v.device.offline_after_s.is_none() {
            s.store
                .all_sensors(
                    &SensorFilter {
                        device_id: Some(v.device.id),
                        ..Default::default()
                    },
                    &me.scope,
                    10_000,
                )
                .await?
                .iter()
                .map(|x| x.sensor.sampling_period_s)
                .max()
        } else {
            None
        };
        out.push(device_dto(v, longest, now));
    }
    Ok(out)
}

/// A device as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeviceBody {
    /// Unique code (at most 64 characters); the MQTT user name.
    pub code: String,
    /// Name (at most 100 characters).
    pub name: String,
    /// Owning enterprise (within the caller's data scope).
    pub enterprise_id: i64,
    /// `gateway` or `dtu`.
    pub kind: String,
    /// Seconds without readings before offline (>= 1); null = the default.
    #[serde(default)]
    pub offline_after_s: Option<i32>,
    /// `active` (default) or `disabled`.
    #[serde(default)]
    pub status: Option<String>,
    /// Remark (at most 500 characters).
    #[serde(default)]
    pub remark: Option<String>,
}

impl DeviceBody {
    fn input(self) -> DeviceInput {
        DeviceInput {
            code: self.code.trim().to_owned(),
            name: self.name,
            enterprise_id: self.enterprise_id,
            kind: self.kind,
            offline_after_s: self.offline_after_s,
            status: nonblank(&self.status).unwrap_or_else(|| "active".into()),
            remark: nonblank(&self.remark),
        }
    }
}

/// Device list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DeviceQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Prefix of the code.
    pub code: Option<String>,
    /// Substring of the name.
    pub name: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// `gateway` or `dtu`.
    pub kind: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// Export format: `xlsx` (default) or `csv` (export only).
    pub format: Option<String>,
}

impl DeviceQuery {
    fn filter(&self) -> ApiResult<DeviceFilter> {
        check_one_of("kind", &self.kind, &DEVICE_KINDS)?;
        check_one_of("status", &self.status, &STATUSES)?;
        check_filter_len(&[&self.code, &self.name])?;
        Ok(DeviceFilter {
            code: self.code.clone(),
            name: self.name.clone(),
            enterprise_id: self.enterprise_id,
            kind: nonblank(&self.kind),
            status: nonblank(&self.status),
        })
    }

    fn page(&self) -> ApiResult<anjian_domain::page::Page> {
        PageQuery {
            page_num: self.page_num,
            page_size: self.page_size,
        }
        .page()
    }
}

/// List devices within the caller's data scope, newest first.
#[utoipa::path(get, path = "/api/devices", tag = "monitoring", security(("bearer" = [])), params(DeviceQuery),
    responses((status = 200, body = PageResult<DeviceDto>), (status = 422, body = ErrorBody)))]
pub async fn list_devices(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<DeviceQuery>,
) -> ApiResult<Json<PageResult<DeviceDto>>> {
    me.require("monitoring:device:query")?;
    let p = s
        .store
        .list_devices(&q.filter()?, &me.scope, q.page()?)
        .await?;
    Ok(Json(PageResult {
        total: p.total,
        rows: device_dtos(&s, &me, p.rows).await?,
    }))
}

/// One device (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/devices/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DeviceDto), (status = 404, body = ErrorBody)))]
pub async fn get_device(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<DeviceDto>> {
    me.require("monitoring:device:query")?;
    let v = s.store.get_device(id, &me.scope).await?;
    let mut dtos = device_dtos(&s, &me, vec![v]).await?;
    dtos.pop().map(Json).ok_or(ApiError::NotFound)
}

async fn device_view(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<Json<DeviceDto>> {
    get_device(State(s.clone()), me.clone(), Id(id)).await
}

/// Create a device (without an MQTT password: see `POST /api/devices/{id}/secret`).
#[utoipa::path(post, path = "/api/devices", tag = "monitoring", security(("bearer" = [])), request_body = DeviceBody,
    responses((status = 201, body = DeviceDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_device(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<DeviceBody>,
) -> ApiResult<(StatusCode, Json<DeviceDto>)> {
    me.require("monitoring:device:add")?;
    let d = s.store.create_device(b.input(), &me.scope).await?;
    reload(&s).await;
    Ok((StatusCode::CREATED, device_view(&s, &me, d.id).await?))
}

/// Replace a device's fields (not its password). Disabling a device the rules of a voting group
/// depend on is refused (422).
#[utoipa::path(put, path = "/api/devices/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DeviceBody,
    responses((status = 200, body = DeviceDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_device(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<DeviceBody>,
) -> ApiResult<Json<DeviceDto>> {
    me.require("monitoring:device:edit")?;
    let current = s.store.get_device(id, &me.scope).await?.device;
    let input = b.input();
    s.store.validate_device(&input, &me.scope).await?;
    let active = input.status == RecordStatus::Active.code();
    let was_active = current.status == RecordStatus::Active.code();
    if active || was_active {
        let rule = active.then(|| RuleDevice {
            id,
            code: input.code.clone(),
            enterprise_id: input.enterprise_id,
            offline_after_s: input.offline_after_s,
        });
        let old_code = was_active.then(|| current.code.clone());
        check_rules(&s, Edit::Device { old_code, rule }, |m| {
            if m.contains("offline_after") {
                "offlineAfterS".into()
            } else {
                "status".into()
            }
        })
        .await?;
    }
    s.store.update_device(id, input, &me.scope).await?;
    reload(&s).await;
    device_view(&s, &me, id).await
}

/// Delete a device (422 while sensors are wired to it).
#[utoipa::path(delete, path = "/api/devices/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_device(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("monitoring:device:remove")?;
    s.store.delete_device(id, &me.scope).await?;
    reload(&s).await;
    Ok(StatusCode::NO_CONTENT)
}

/// MQTT credentials of a device, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceSecret {
    /// The MQTT user name (the device code).
    pub username: String,
    /// The new password (24 letters and digits). Only its argon2 hash is stored.
    pub password: String,
}

/// Generate a new MQTT password for a device, replacing the old one. The password is returned
/// only in this answer.
#[utoipa::path(post, path = "/api/devices/{id}/secret", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DeviceSecret), (status = 404, body = ErrorBody)))]
pub async fn device_secret(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<DeviceSecret>> {
    me.require("monitoring:device:edit")?;
    use rand::distr::{Alphanumeric, SampleString};
    let device = s.store.get_device(id, &me.scope).await?.device;
    let password = Alphanumeric.sample_string(&mut rand::rng(), 24);
    let hash = crate::auth::hash_password(&password)?;
    s.store
        .set_device_password(id, Some(hash), &me.scope)
        .await?;
    Ok(Json(DeviceSecret {
        username: device.code,
        password,
    }))
}

const DEVICE_COLS: [Col; 7] = [
    Col {
        header: "设备编码",
        field: "code",
        required: true,
        width: 16.0,
        numeric: false,
    },
    Col {
        header: "设备名称",
        field: "name",
        required: true,
        width: 24.0,
        numeric: false,
    },
    Col {
        header: "所属企业",
        field: "enterpriseId",
        required: true,
        width: 30.0,
        numeric: false,
    },
    Col {
        header: "设备类型",
        field: "kind",
        required: true,
        width: 10.0,
        numeric: false,
    },
    Col {
        header: "离线判定(秒)",
        field: "offlineAfterS",
        required: false,
        width: 12.0,
        numeric: true,
    },
    Col {
        header: "状态",
        field: "status",
        required: false,
        width: 8.0,
        numeric: false,
    },
    Col {
        header: "备注",
        field: "remark",
        required: false,
        width: 24.0,
        numeric: false,
    },
];

const DEVICE_KIND_LABELS: [(&str, &str); 2] = [("gateway", "网关"), ("dtu", "DTU")];

/// A code given as itself or as its label.
fn code_of<'a>(v: &str, labels: &'a [(&'a str, &'a str)]) -> Option<&'a str> {
    labels
        .iter()
        .find(|(c, l)| c.eq_ignore_ascii_case(v) || *l == v)
        .map(|(c, _)| *c)
}

fn label_of<'a>(v: &'a str, labels: &'a [(&'a str, &'a str)]) -> &'a str {
    labels
        .iter()
        .find(|(c, _)| *c == v)
        .map(|(_, l)| *l)
        .unwrap_or(v)
}

fn status_labels() -> Vec<(&'static str, &'static str)> {
    RecordStatus::ALL
        .iter()
        .map(|s| (s.code(), s.label()))
        .collect()
}

/// Enterprises of the caller's scope by name and by credit code, for imports.
struct EnterpriseLookup {
    by_key: HashMap<String, Vec<i64>>,
}

impl EnterpriseLookup {
    async fn load(s: &AppState, me: &CurrentUser) -> ApiResult<Self> {
        let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
        for e in s
            .store
            .all_enterprises(&EnterpriseFilter::default(), &me.scope, EXPORT_MAX_ROWS)
            .await?
        {
            by_key.entry(e.name.clone()).or_default().push(e.id);
            by_key.entry(e.uscc.clone()).or_default().push(e.id);
        }
        Ok(Self { by_key })
    }

    fn find(&self, key: &str) -> Result<i64, String> {
        match self.by_key.get(key).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some([_, ..]) => Err(format!(
                "several enterprises are named '{key}'; give the credit code"
            )),
            _ => Err(format!(
                "no enterprise '{key}' (name or credit code) within your data scope"
            )),
        }
    }
}

/// Integer cell, or an error message.
fn int_cell(v: &str) -> Result<Option<i32>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<i32>()
        .map(Some)
        .map_err(|_| format!("'{v}' is not a whole number"))
}

fn num_cell(v: &str) -> Result<Option<f64>, String> {
    if v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .map(Some)
        .ok_or_else(|| format!("'{v}' is not a number"))
}

/// Reads the status column (code or label; default active).
fn status_cell(row: &SheetRow, cols: &[Col], errors: &mut Vec<RowError>) -> String {
    let v = row.get("status");
    if v.is_empty() {
        return "active".into();
    }
    match code_of(v, &status_labels()) {
        Some(c) => c.to_owned(),
        None => {
            errors.push(row.error(cols, "status", "must be 正常 or 停用 (active / disabled)"));
            "active".into()
        }
    }
}

/// Store field errors of one input (`code`, `name` ...) as row errors.
fn row_errors(row: &SheetRow, cols: &[Col], e: ApiError) -> Vec<RowError> {
    match e {
        ApiError::Validation(f) | ApiError::BadRequest { fields: f, .. } => f
            .into_iter()
            .map(|(field, message)| row.error(cols, &field, message))
            .collect(),
        other => vec![row.error(cols, "", other.to_string())],
    }
}

/// The device import template (xlsx), with an example row and a sheet of accepted values.
#[utoipa::path(get, path = "/api/devices/import-template", tag = "monitoring", security(("bearer" = [])),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn device_template(State(_s): State<AppState>, me: CurrentUser) -> ApiResult<Response> {
    me.require("monitoring:device:import")?;
    let example = vec![
        "DTU-001".to_owned(),
        "一号罐区数据采集终端".into(),
        "示例化工有限公司（企业名称或统一社会信用代码）".into(),
        "DTU".into(),
        "".into(),
        "正常".into(),
        "示例行，导入前请删除".into(),
    ];
    let notes = [
        (
            "设备类型",
            DEVICE_KIND_LABELS
                .iter()
                .map(|(_, l)| l.to_string())
                .collect(),
        ),
        (
            "状态",
            status_labels().iter().map(|(_, l)| l.to_string()).collect(),
        ),
        (
            "离线判定(秒)",
            vec!["留空：按监测点最长采样周期的 3 倍".to_owned()],
        ),
    ];
    let bytes = excel::write_sheet("设备", &DEVICE_COLS, &[example], true, &notes)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(attachment(
        bytes,
        XLSX,
        "devices-template",
        "设备导入模板.xlsx",
    ))
}

/// Export the filtered device list as xlsx (default) or CSV with a UTF-8 BOM (`format=csv`).
#[utoipa::path(get, path = "/api/devices/export", tag = "monitoring", security(("bearer" = [])), params(DeviceQuery),
    responses((status = 200, description = "xlsx or CSV file"), (status = 422, body = ErrorBody)))]
pub async fn export_devices(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<DeviceQuery>,
) -> ApiResult<Response> {
    me.require("monitoring:device:export")?;
    let format = format_of(&q.format)?;
    let rows = s
        .store
        .all_devices(&q.filter()?, &me.scope, EXPORT_MAX_ROWS)
        .await?;
    let statuses = status_labels();
    let values: Vec<Vec<String>> = rows
        .into_iter()
        .map(|v| {
            let d = v.device;
            vec![
                d.code,
                d.name,
                v.enterprise_name.unwrap_or_default(),
                label_of(&d.kind, &DEVICE_KIND_LABELS).to_owned(),
                d.offline_after_s.map(|s| s.to_string()).unwrap_or_default(),
                label_of(&d.status, &statuses).to_owned(),
                d.remark.unwrap_or_default(),
            ]
        })
        .collect();
    file(format, &DEVICE_COLS, "设备", "devices", "监测设备", &values)
}

/// Import devices from an xlsx (the template's columns; the enterprise by name or credit code),
/// sent as the `file` field of a multipart form or as the raw body. Every bad row is reported;
/// nothing is stored unless all rows are valid or `importValid=true`.
#[utoipa::path(post, path = "/api/devices/import", tag = "monitoring", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
    responses((status = 200, body = ImportReport, description = "rows stored"), (status = 422, body = ImportReport, description = "bad rows, nothing or only the valid rows stored"),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import_devices(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    req: Request,
) -> ApiResult<Response> {
    me.require("monitoring:device:import")?;
    let bytes = read_upload(req, &s).await?;
    let rows = excel::read_sheet(&bytes, &DEVICE_COLS).map_err(sheet_error)?;
    let enterprises = EnterpriseLookup::load(&s, &me).await?;
    let codes: Vec<String> = rows.iter().map(|r| r.get("code").to_owned()).collect();
    let existing = s.store.existing_device_codes(&codes).await?;
    let cols = &DEVICE_COLS;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for row in &rows {
        let mut e = Vec::new();
        let code = row.get("code").to_owned();
        if code.is_empty() {
            e.push(row.error(cols, "code", "is required"));
        } else if existing.contains(&code) {
            e.push(row.error(cols, "code", "a device with this code already exists"));
        } else if let Some(first) = seen.get(&code) {
            e.push(row.error(cols, "code", format!("duplicate code: same as row {first}")));
        } else {
            seen.insert(code.clone(), row.row);
        }
        let enterprise_id = enterprises
            .find(row.get("enterpriseId"))
            .unwrap_or_else(|m| {
                e.push(row.error(cols, "enterpriseId", m));
                0
            });
        let kind = code_of(row.get("kind"), &DEVICE_KIND_LABELS).unwrap_or_else(|| {
            e.push(row.error(cols, "kind", "must be 网关 or DTU (gateway / dtu)"));
            "dtu"
        });
        let offline_after_s = int_cell(row.get("offlineAfterS")).unwrap_or_else(|m| {
            e.push(row.error(cols, "offlineAfterS", m));
            None
        });
        let status = status_cell(row, cols, &mut e);
        let input = DeviceInput {
            code,
            name: row.get("name").to_owned(),
            enterprise_id,
            kind: kind.to_owned(),
            offline_after_s,
            status,
            remark: Some(row.get("remark").to_owned()).filter(|r| !r.is_empty()),
        };
        if e.is_empty()
            && let Err(err) = s.store.validate_device(&input, &me.scope).await
        {
            e.extend(row_errors(row, cols, err.into()));
        }
        if e.is_empty() {
            good.push(input);
        } else {
            errors.extend(e);
        }
    }
    let valid_rows = good.len();
    let imported = if (errors.is_empty() || q.import_valid) && !q.dry_run && !good.is_empty() {
        let n = s.store.create_devices(good, &me.scope).await?;
        reload(&s).await;
        n
    } else {
        0
    };
    Ok(import_response(rows.len(), valid_rows, imported, errors))
}

// ---------------------------------------------------------------- sensors

/// The newest reading of a sensor.
#[derive(Debug, Serialize, ToSchema)]
pub struct LatestDto {
    /// Event time, epoch ms (UTC).
    pub ts: Millis,
    /// The value, in the sensor's unit.
    pub value: f64,
    /// `good`, or `bad` when the device flagged it.
    pub quality: String,
}

/// A sensor (监测点) as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SensorDto {
    /// Id.
    pub id: i64,
    /// Unique code; readings are keyed by it.
    pub code: String,
    /// Name.
    pub name: String,
    /// The device it is wired to.
    pub device_id: Option<i64>,
    /// That device's code.
    pub device_code: Option<String>,
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// The enterprise's name.
    pub enterprise_name: Option<String>,
    /// Measured quantity (dictionary `sensor_quantity`).
    pub quantity: String,
    /// Unit of its values (`%LEL`, `ppm`, `kPa`, ...).
    pub unit: String,
    /// Bottom of the measuring range, in `unit`.
    pub range_low: Option<f64>,
    /// Top of the measuring range, in `unit`.
    pub range_high: Option<f64>,
    /// Expected interval between readings, seconds.
    pub sampling_period_s: i32,
    /// Communication fault after this many sampling periods without a reading; 0 = off.
    pub stale_after: i32,
    /// Plant area (for the alarm KPIs).
    pub area: Option<String>,
    /// Alarm settings: `{limits:[{kind, value, priority, deadband, deadbandPct, onDelayS,
    /// onDelaySamples, offDelayS, offDelaySamples, escalate:{afterS, priority}, deescalateAfterS}],
    /// rateOfChange:{limit (unit per minute), windowS, direction, priority}, schedule:{start,
    /// end, timezone}}`; values in the sensor's unit, durations in seconds.
    #[schema(value_type = Object)]
    pub settings: Value,
    /// `active` or `disabled` (a disabled sensor raises no alarms).
    pub status: String,
    /// Its newest reading.
    pub latest: Option<LatestDto>,
    /// Whether an operator took it out of service (no alarms until returned to service).
    pub out_of_service: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Stored settings as the API shows them: an object that always has `limits`.
fn settings_out(v: Value) -> Value {
    let mut o = match v {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    if !o.get("limits").is_some_and(Value::is_array) {
        o.insert("limits".into(), json!([]));
    }
    Value::Object(o)
}

fn sensor_dto(v: SensorView, out_of_service: &HashSet<String>) -> SensorDto {
    let x = v.sensor;
    SensorDto {
        out_of_service: out_of_service.contains(&x.code),
        id: x.id,
        code: x.code,
        name: x.name,
        device_id: x.device_id,
        device_code: v.device_code,
        enterprise_id: x.enterprise_id,
        enterprise_name: v.enterprise_name,
        quantity: x.quantity,
        unit: x.unit,
        range_low: x.range_low,
        range_high: x.range_high,
        sampling_period_s: x.sampling_period_s,
        stale_after: x.stale_after,
        area: x.area,
        settings: settings_out(v.settings),
        status: x.status,
        latest: v.latest.map(|l| LatestDto {
            ts: l.ts,
            value: l.value,
            quality: if l.quality == QUALITY_BAD {
                "bad".into()
            } else {
                "good".into()
            },
        }),
        created_at: x.created_at,
        updated_at: x.updated_at,
    }
}

/// Codes of the sources an operator took out of service as a whole.
async fn out_of_service_codes(s: &AppState) -> ApiResult<HashSet<String>> {
    Ok(s.store
        .list_engine_marks()
        .await?
        .into_iter()
        .filter(|m| m.kind == "out_of_service" && m.condition.is_none())
        .map(|m| m.source)
        .collect())
}

/// A sensor as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SensorBody {
    /// Unique code (at most 64 characters).
    pub code: String,
    /// Name (at most 100 characters).
    pub name: String,
    /// The device it is wired to (same enterprise), if any.
    #[serde(default)]
    pub device_id: Option<i64>,
    /// Owning enterprise (within the caller's data scope).
    pub enterprise_id: i64,
    /// Measured quantity: combustible_gas, toxic_gas, oxygen, temperature, pressure, level,
    /// flow, other.
    pub quantity: String,
    /// Unit of its values (at most 16 characters).
    #[serde(default)]
    pub unit: String,
    /// Bottom of the measuring range, in `unit`.
    #[serde(default)]
    pub range_low: Option<f64>,
    /// Top of the measuring range, in `unit` (above `rangeLow`).
    #[serde(default)]
    pub range_high: Option<f64>,
    /// Expected interval between readings, seconds (>= 1; default 60).
    #[serde(default = "default_sampling")]
    pub sampling_period_s: i32,
    /// Communication fault after this many sampling periods without a reading; 0 = off
    /// (default 3).
    #[serde(default = "default_stale")]
    pub stale_after: i32,
    /// Plant area (at most 64 characters).
    #[serde(default)]
    pub area: Option<String>,
    /// Alarm settings (see [`SensorDto::settings`]); keys left out are unset.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: Value,
    /// `active` (default) or `disabled`.
    #[serde(default)]
    pub status: Option<String>,
}

fn default_sampling() -> i32 {
    60
}
fn default_stale() -> i32 {
    3
}

impl SensorBody {
    fn input(self, installation_id: Option<i64>, risk_point_id: Option<i64>) -> SensorInput {
        SensorInput {
            code: self.code.trim().to_owned(),
            name: self.name,
            device_id: self.device_id,
            enterprise_id: self.enterprise_id,
            installation_id,
            risk_point_id,
            quantity: self.quantity,
            unit: self.unit.trim().to_owned(),
            range_low: self.range_low,
            range_high: self.range_high,
            sampling_period_s: self.sampling_period_s,
            stale_after: self.stale_after,
            area: nonblank(&self.area),
            settings: self.settings,
            status: nonblank(&self.status).unwrap_or_else(|| "active".into()),
        }
    }
}

/// The rule of a sensor as the engine will see it (None when it raises no alarms).
async fn sensor_rule(
    s: &AppState,
    me: &CurrentUser,
    id: i64,
    input: &SensorInput,
) -> ApiResult<Option<RuleSensor>> {
    if input.status != RecordStatus::Active.code() {
        return Ok(None);
    }
    let device_code = match input.device_id {
        Some(d) => match s.store.get_device(d, &me.scope).await.ok() {
            Some(v) if v.device.status == RecordStatus::Active.code() => Some(v.device.code),
            // Wired to a disabled (or missing) device: left out of the rules.
            _ => return Ok(None),
        },
        None => None,
    };
    Ok(Some(RuleSensor {
        id,
        code: input.code.clone(),
        device_code,
        enterprise_id: input.enterprise_id,
        quantity: input.quantity.clone(),
        unit: input.unit.clone(),
        range_low: input.range_low,
        range_high: input.range_high,
        sampling_period_s: input.sampling_period_s,
        stale_after: input.stale_after,
        area: input.area.clone(),
        settings: input.settings.clone(),
    }))
}

/// Sensor list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SensorQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Prefix of the code.
    pub code: Option<String>,
    /// Substring of the name.
    pub name: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Device.
    pub device_id: Option<i64>,
    /// Measured quantity.
    pub quantity: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// Export format: `xlsx` (default) or `csv` (export only).
    pub format: Option<String>,
}

impl SensorQuery {
    fn filter(&self) -> ApiResult<SensorFilter> {
        check_one_of("quantity", &self.quantity, &SENSOR_QUANTITIES)?;
        check_one_of("status", &self.status, &STATUSES)?;
        check_filter_len(&[&self.code, &self.name])?;
        Ok(SensorFilter {
            code: self.code.clone(),
            name: self.name.clone(),
            enterprise_id: self.enterprise_id,
            device_id: self.device_id,
            quantity: nonblank(&self.quantity),
            status: nonblank(&self.status),
        })
    }
}

/// List sensors within the caller's data scope, newest first, with their newest reading.
#[utoipa::path(get, path = "/api/sensors", tag = "monitoring", security(("bearer" = [])), params(SensorQuery),
    responses((status = 200, body = PageResult<SensorDto>), (status = 422, body = ErrorBody)))]
pub async fn list_sensors(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<SensorQuery>,
) -> ApiResult<Json<PageResult<SensorDto>>> {
    me.require("monitoring:sensor:query")?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let p = s.store.list_sensors(&q.filter()?, &me.scope, page).await?;
    let oos = out_of_service_codes(&s).await?;
    Ok(Json(PageResult::from_page(p, |v| sensor_dto(v, &oos))))
}

/// One sensor (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/sensors/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SensorDto), (status = 404, body = ErrorBody)))]
pub async fn get_sensor(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<SensorDto>> {
    me.require("monitoring:sensor:query")?;
    let v = s.store.get_sensor(id, &me.scope).await?;
    Ok(Json(sensor_dto(v, &out_of_service_codes(&s).await?)))
}

async fn sensor_view(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<Json<SensorDto>> {
    get_sensor(State(s.clone()), me.clone(), Id(id)).await
}

/// Create a sensor. Its settings are checked by the alarm engine's validator (422 naming
/// `settings.limits[i].field`).
#[utoipa::path(post, path = "/api/sensors", tag = "monitoring", security(("bearer" = [])), request_body = SensorBody,
    responses((status = 201, body = SensorDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_sensor(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<SensorBody>,
) -> ApiResult<(StatusCode, Json<SensorDto>)> {
    me.require("monitoring:sensor:add")?;
    let input = b.input(None, None);
    check_settings(&input)?;
    let x = s.store.create_sensor(input, &me.scope).await?;
    reload(&s).await;
    Ok((StatusCode::CREATED, sensor_view(&s, &me, x.id).await?))
}

/// Replace a sensor's fields. Besides its own settings, the change must keep the voting groups
/// it belongs to valid (a member needs a limit of the group's condition).
#[utoipa::path(put, path = "/api/sensors/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SensorBody,
    responses((status = 200, body = SensorDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_sensor(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<SensorBody>,
) -> ApiResult<Json<SensorDto>> {
    me.require("monitoring:sensor:edit")?;
    let current = s.store.get_sensor(id, &me.scope).await?.sensor;
    let input = b.input(current.installation_id, current.risk_point_id);
    check_settings(&input)?;
    s.store.validate_sensor(&input, &me.scope).await?;
    let rule = sensor_rule(&s, &me, id, &input).await?;
    let disabled = rule.is_none();
    check_rules(
        &s,
        Edit::Sensor {
            old_code: Some(current.code.clone()),
            rule,
        },
        |_| {
            if disabled {
                "status".into()
            } else {
                "settings".into()
            }
        },
    )
    .await?;
    s.store.update_sensor(id, input, &me.scope).await?;
    reload(&s).await;
    sensor_view(&s, &me, id).await
}

/// Delete a sensor and its readings (422 while a voting group has it as a member). Its alarms
/// stay as history.
#[utoipa::path(delete, path = "/api/sensors/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_sensor(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("monitoring:sensor:remove")?;
    s.store.delete_sensor(id, &me.scope).await?;
    reload(&s).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Trend period (epoch ms); default the last hour.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// From (inclusive), epoch ms; default `to` − 1 h.
    pub from: Option<Millis>,
    /// To (exclusive), epoch ms; default now. At most 31 days after `from`.
    pub to: Option<Millis>,
}

/// A limit line of the trend chart.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendLimit {
    /// `high_high`, `high`, `low` or `low_low`.
    pub kind: String,
    /// The limit, in the sensor's unit.
    pub value: f64,
    /// Its priority.
    pub priority: String,
}

/// The readings of one minute.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPoint {
    /// Start of the minute, epoch ms.
    pub ts: Millis,
    /// Smallest value, in the sensor's unit.
    pub min: f64,
    /// Largest value, in the sensor's unit.
    pub max: f64,
    /// Average value, in the sensor's unit.
    pub avg: f64,
}

/// One raw reading.
#[derive(Debug, Serialize, ToSchema)]
pub struct RawPoint {
    /// Event time, epoch ms.
    pub ts: Millis,
    /// The value, in the sensor's unit.
    pub value: f64,
}

/// A sensor's trend over a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct Trend {
    /// The sensor.
    pub sensor: SensorDto,
    /// Its limits, for the chart's lines.
    pub limits: Vec<TrendLimit>,
    /// Minute aggregates in time order.
    pub points: Vec<TrendPoint>,
    /// The raw readings in time order (at most 5000), when the period is at most 2 hours; else
    /// null.
    pub raw: Option<Vec<RawPoint>>,
}

/// A sensor's minute aggregates (and raw readings for periods up to 2 h) with its limits.
#[utoipa::path(get, path = "/api/sensors/{id}/trend", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path), TrendQuery),
    responses((status = 200, body = Trend), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn trend(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> ApiResult<Json<Trend>> {
    me.require("monitoring:sensor:query")?;
    let to = q.to.unwrap_or_else(now_ms);
    let from = q.from.unwrap_or(to.saturating_sub(3_600_000));
    if from >= to {
        return Err(ApiError::invalid("from", "must be before `to`"));
    }
    if to - from > TREND_MAX_MS {
        return Err(ApiError::invalid("from", "the period is at most 31 days"));
    }
    // Scope first: the reading queries do not check it.
    let v = s.store.get_sensor(id, &me.scope).await?;
    let limits = v
        .settings
        .get("limits")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|l| {
                    Some(TrendLimit {
                        kind: l.get("kind")?.as_str()?.to_owned(),
                        value: l.get("value")?.as_f64()?,
                        priority: l.get("priority")?.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let points = s
        .store
        .minutes_between(id, from, to)
        .await?
        .into_iter()
        .map(|m| TrendPoint {
            ts: m.minute,
            min: m.min,
            max: m.max,
            avg: if m.count > 0 {
                m.sum / m.count as f64
            } else {
                m.sum
            },
        })
        .collect();
    let raw = if to - from <= TREND_RAW_MAX_MS {
        Some(
            s.store
                .readings_between(id, from, to, TREND_RAW_MAX_POINTS)
                .await?
                .into_iter()
                .map(|r| RawPoint {
                    ts: r.ts,
                    value: r.value,
                })
                .collect(),
        )
    } else {
        None
    };
    Ok(Json(Trend {
        sensor: sensor_dto(v, &out_of_service_codes(&s).await?),
        limits,
        points,
        raw,
    }))
}

const QUANTITY_LABELS: [(&str, &str); 8] = [
    ("combustible_gas", "可燃气体"),
    ("toxic_gas", "有毒气体"),
    ("oxygen", "氧气"),
    ("temperature", "温度"),
    ("pressure", "压力"),
    ("level", "液位"),
    ("flow", "流量"),
    ("other", "其他"),
];

/// Limit columns of the sensor sheet: (field, limit kind, default priority).
const LIMIT_COLS: [(&str, &str, &str); 4] = [
    ("highHigh", "high_high", "critical"),
    ("high", "high", "high"),
    ("low", "low", "high"),
    ("lowLow", "low_low", "critical"),
];

const fn col(
    header: &'static str,
    field: &'static str,
    required: bool,
    width: f64,
    numeric: bool,
) -> Col {
    Col {
        header,
        field,
        required,
        width,
        numeric,
    }
}

const SENSOR_COLS: [Col; 17] = [
    col("监测点编码", "code", true, 16.0, false),
    col("监测点名称", "name", true, 24.0, false),
    col("所属企业", "enterpriseId", true, 30.0, false),
    col("所属设备编码", "deviceId", false, 16.0, false),
    col("监测类型", "quantity", true, 10.0, false),
    col("单位", "unit", false, 8.0, false),
    col("量程下限", "rangeLow", false, 10.0, true),
    col("量程上限", "rangeHigh", false, 10.0, true),
    col("采样周期(秒)", "samplingPeriodS", true, 12.0, true),
    col("过期周期数", "staleAfter", false, 10.0, true),
    col("区域", "area", false, 12.0, false),
    col("高高报", "highHigh", false, 10.0, true),
    col("高报", "high", false, 10.0, true),
    col("低报", "low", false, 10.0, true),
    col("低低报", "lowLow", false, 10.0, true),
    col("报警设置(JSON)", "settings", false, 40.0, false),
    col("状态", "status", false, 8.0, false),
];

/// The sensor import template (xlsx), with an example row and a sheet of accepted values.
#[utoipa::path(get, path = "/api/sensors/import-template", tag = "monitoring", security(("bearer" = [])),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn sensor_template(State(_s): State<AppState>, me: CurrentUser) -> ApiResult<Response> {
    me.require("monitoring:sensor:import")?;
    let example: Vec<String> = [
        "GT-101",
        "一号罐区可燃气体",
        "示例化工有限公司（企业名称或统一社会信用代码）",
        "DTU-001",
        "可燃气体",
        "%LEL",
        "0",
        "100",
        "10",
        "3",
        "一号罐区",
        "50",
        "25",
        "",
        "",
        "",
        "正常",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let notes = [
        (
            "监测类型",
            QUANTITY_LABELS.iter().map(|(_, l)| l.to_string()).collect(),
        ),
        (
            "状态",
            status_labels().iter().map(|(_, l)| l.to_string()).collect(),
        ),
        (
            "报警限值",
            vec![
                "高高报、低低报默认紧急级别，高报、低报默认高级别".to_owned(),
                "报警设置(JSON) 可写完整设置（死区、延时、升级、变化率、时段），格式同接口".into(),
                "限值列填写时覆盖 JSON 中同类限值的数值".into(),
            ],
        ),
    ];
    let bytes = excel::write_sheet("监测点", &SENSOR_COLS, &[example], true, &notes)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(attachment(
        bytes,
        XLSX,
        "sensors-template",
        "监测点导入模板.xlsx",
    ))
}

/// Export the filtered sensor list as xlsx (default) or CSV with a UTF-8 BOM (`format=csv`). The
/// settings are written whole as JSON and the limit values in their own columns, so the file
/// imports back.
#[utoipa::path(get, path = "/api/sensors/export", tag = "monitoring", security(("bearer" = [])), params(SensorQuery),
    responses((status = 200, description = "xlsx or CSV file"), (status = 422, body = ErrorBody)))]
pub async fn export_sensors(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<SensorQuery>,
) -> ApiResult<Response> {
    me.require("monitoring:sensor:export")?;
    let format = format_of(&q.format)?;
    let rows = s
        .store
        .all_sensors(&q.filter()?, &me.scope, EXPORT_MAX_ROWS)
        .await?;
    let statuses = status_labels();
    let opt = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
    let values: Vec<Vec<String>> = rows
        .into_iter()
        .map(|v| {
            let settings = settings_out(v.settings);
            let limit = |kind: &str| {
                settings["limits"]
                    .as_array()
                    .and_then(|a| a.iter().find(|l| l["kind"] == kind))
                    .and_then(|l| l["value"].as_f64())
            };
            let x = v.sensor;
            let mut row = vec![
                x.code,
                x.name,
                v.enterprise_name.unwrap_or_default(),
                v.device_code.unwrap_or_default(),
                label_of(&x.quantity, &QUANTITY_LABELS).to_owned(),
                x.unit,
                opt(x.range_low),
                opt(x.range_high),
                x.sampling_period_s.to_string(),
                x.stale_after.to_string(),
                x.area.unwrap_or_default(),
            ];
            row.extend(LIMIT_COLS.iter().map(|(_, k, _)| opt(limit(k))));
            row.push(settings.to_string());
            row.push(label_of(&x.status, &statuses).to_owned());
            row
        })
        .collect();
    file(format, &SENSOR_COLS, "监测点", "sensors", "监测点", &values)
}

/// The settings of one sheet row: the JSON column (if any) with the limit columns applied.
fn row_settings(row: &SheetRow, errors: &mut Vec<RowError>) -> Value {
    let cols = &SENSOR_COLS;
    let text = row.get("settings");
    let mut settings = if text.is_empty() {
        json!({"limits": []})
    } else {
        match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Object(_)) => settings_out(v),
            _ => {
                errors.push(row.error(cols, "settings", "must be a JSON object"));
                return json!({"limits": []});
            }
        }
    };
    for (field, kind, priority) in LIMIT_COLS {
        let value = match num_cell(row.get(field)) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(m) => {
                errors.push(row.error(cols, field, m));
                continue;
            }
        };
        if let Some(limits) = settings["limits"].as_array_mut() {
            match limits.iter_mut().find(|l| l["kind"] == kind) {
                Some(l) => l["value"] = json!(value),
                None => limits.push(json!({"kind": kind, "value": value, "priority": priority})),
            }
        }
    }
    settings
}

/// Import sensors from an xlsx (the template's columns; the enterprise by name or credit code,
/// the device by code), as the `file` field of a multipart form or the raw body. Each row's
/// settings are checked like `POST /api/sensors`. Nothing is stored unless all rows are valid or
/// `importValid=true`.
#[utoipa::path(post, path = "/api/sensors/import", tag = "monitoring", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
    responses((status = 200, body = ImportReport, description = "rows stored"), (status = 422, body = ImportReport, description = "bad rows, nothing or only the valid rows stored"),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import_sensors(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    req: Request,
) -> ApiResult<Response> {
    me.require("monitoring:sensor:import")?;
    let bytes = read_upload(req, &s).await?;
    let rows = excel::read_sheet(&bytes, &SENSOR_COLS).map_err(sheet_error)?;
    let cols = &SENSOR_COLS;
    let enterprises = EnterpriseLookup::load(&s, &me).await?;
    let devices: HashMap<String, (i64, i64)> = s
        .store
        .all_devices(&DeviceFilter::default(), &me.scope, EXPORT_MAX_ROWS)
        .await?
        .into_iter()
        .map(|v| (v.device.code, (v.device.id, v.device.enterprise_id)))
        .collect();
    let codes: Vec<String> = rows.iter().map(|r| r.get("code").to_owned()).collect();
    let existing = s.store.existing_sensor_codes(&codes).await?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for row in &rows {
        let mut e = Vec::new();
        let code = row.get("code").to_owned();
        if code.is_empty() {
            e.push(row.error(cols, "code", "is required"));
        } else if existing.contains(&code) {
            e.push(row.error(cols, "code", "a sensor with this code already exists"));
        } else if let Some(first) = seen.get(&code) {
            e.push(row.error(cols, "code", format!("duplicate code: same as row {first}")));
        } else {
            seen.insert(code.clone(), row.row);
        }
        let enterprise_id = enterprises
            .find(row.get("enterpriseId"))
            .unwrap_or_else(|m| {
                e.push(row.error(cols, "enterpriseId", m));
                0
            });
        let device_code = row.get("deviceId");
        let device_id = if device_code.is_empty() {
            None
        } else {
            match devices.get(device_code) {
                Some((id, ent)) if *ent == enterprise_id || enterprise_id == 0 => Some(*id),
                Some(_) => {
                    e.push(row.error(cols, "deviceId", "the device belongs to another enterprise"));
                    None
                }
                None => {
                    e.push(row.error(
                        cols,
                        "deviceId",
                        format!("no device '{device_code}' within your data scope"),
                    ));
                    None
                }
            }
        };
        let quantity = code_of(row.get("quantity"), &QUANTITY_LABELS).unwrap_or_else(|| {
            e.push(row.error(
                cols,
                "quantity",
                format!(
                    "must be one of {}",
                    QUANTITY_LABELS.map(|(_, l)| l).join(", ")
                ),
            ));
            "other"
        });
        let mut num = |field: &str| {
            num_cell(row.get(field)).unwrap_or_else(|m| {
                e.push(row.error(cols, field, m));
                None
            })
        };
        let range_low = num("rangeLow");
        let range_high = num("rangeHigh");
        let mut int = |field: &str, default: i32| match int_cell(row.get(field)) {
            Ok(v) => v.unwrap_or(default),
            Err(m) => {
                e.push(row.error(cols, field, m));
                default
            }
        };
        let sampling_period_s = int("samplingPeriodS", 0);
        let stale_after = int("staleAfter", 3);
        if row.get("samplingPeriodS").is_empty() {
            e.push(row.error(cols, "samplingPeriodS", "is required"));
        }
        let status = status_cell(row, cols, &mut e);
        let settings = row_settings(row, &mut e);
        let input = SensorInput {
            code,
            name: row.get("name").to_owned(),
            device_id,
            enterprise_id,
            installation_id: None,
            risk_point_id: None,
            quantity: quantity.to_owned(),
            unit: row.get("unit").to_owned(),
            range_low,
            range_high,
            sampling_period_s,
            stale_after,
            area: Some(row.get("area").to_owned()).filter(|a| !a.is_empty()),
            settings,
            status,
        };
        if e.is_empty() {
            if let Err(err) = check_settings(&input) {
                e.extend(row_errors(row, cols, err));
            } else if let Err(err) = s.store.validate_sensor(&input, &me.scope).await {
                e.extend(row_errors(row, cols, err.into()));
            }
        }
        if e.is_empty() {
            good.push(input);
        } else {
            errors.extend(e);
        }
    }
    let valid_rows = good.len();
    let imported = if (errors.is_empty() || q.import_valid) && !q.dry_run && !good.is_empty() {
        let n = s.store.create_sensors(good, &me.scope).await?;
        reload(&s).await;
        n
    } else {
        0
    };
    Ok(import_response(rows.len(), valid_rows, imported, errors))
}

// ---------------------------------------------------------------- voting groups

/// A k-out-of-n voting group: one `voting` alarm when `k` of its member sensors are in alarm on
/// `condition` at once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmGroupDto {
    /// Id.
    pub id: i64,
    /// Unique code; the `source` of its alarms.
    pub code: String,
    /// Name.
    pub name: String,
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// Codes of the member sensors.
    pub members: Vec<String>,
    /// The member limit that votes: `high_high`, `high`, `low` or `low_low`.
    pub condition: String,
    /// Votes needed, 1..=members.
    pub k: i32,
    /// A member votes while its limit alarm is active and its newest reading is at most this
    /// old, seconds.
    pub window_s: i32,
    /// Priority of the group's alarm.
    pub priority: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<AlarmGroup> for AlarmGroupDto {
    fn from(g: AlarmGroup) -> Self {
        Self {
            id: g.id,
            members: serde_json::from_str(&g.members).unwrap_or_default(),
            code: g.code,
            name: g.name,
            enterprise_id: g.enterprise_id,
            condition: g.condition,
            k: g.k,
            window_s: g.window_s,
            priority: g.priority,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

/// A voting group as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlarmGroupBody {
    /// Unique code (at most 64 characters).
    pub code: String,
    /// Name (at most 100 characters).
    pub name: String,
    /// Owning enterprise (within the caller's data scope).
    pub enterprise_id: i64,
    /// Codes of its member sensors: sensors of the same enterprise, each with a limit of kind
    /// `condition`.
    pub members: Vec<String>,
    /// `high_high`, `high`, `low` or `low_low`.
    pub condition: String,
    /// Votes needed, 1..=members.
    pub k: i32,
    /// Vote window, seconds (>= 1).
    pub window_s: i32,
    /// `low`, `medium`, `high` or `critical`.
    pub priority: String,
}

/// Group list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AlarmGroupQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Prefix of the code.
    pub code: Option<String>,
    /// Substring of the name.
    pub name: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
}

const LIMIT_KINDS: [&str; 4] = ["high_high", "high", "low", "low_low"];

/// Checks a group body: the store's checks (code, name, members of the enterprise, priority,
/// scope), then what the engine needs (a limit kind as condition, a window of at least 1 s, each
/// member with a limit of that kind), with the change applied to the stored rules.
async fn check_group(
    s: &AppState,
    me: &CurrentUser,
    current: Option<&AlarmGroup>,
    b: AlarmGroupBody,
) -> ApiResult<AlarmGroupInput> {
    let input = AlarmGroupInput {
        code: b.code.trim().to_owned(),
        name: b.name,
        enterprise_id: b.enterprise_id,
        members: b.members.iter().map(|m| m.trim().to_owned()).collect(),
        condition: b.condition,
        k: b.k,
        window_s: b.window_s,
        priority: b.priority,
    };
    s.store.validate_alarm_group(&input, &me.scope).await?;
    if !LIMIT_KINDS.contains(&input.condition.as_str()) {
        return Err(ApiError::invalid(
            "condition",
            "must be one of high_high, high, low, low_low",
        ));
    }
    if input.window_s < 1 {
        return Err(ApiError::invalid("windowS", "must be at least 1 second"));
    }
    let rule = RuleGroup {
        id: current.map(|g| g.id).unwrap_or(0),
        code: input.code.clone(),
        enterprise_id: input.enterprise_id,
        members: input.members.clone(),
        condition: input.condition.clone(),
        k: input.k,
        window_s: input.window_s,
        priority: input.priority.clone(),
    };
    let old_code = current.map(|g| g.code.clone());
    check_rules(s, Edit::Group { old_code, rule }, |m| {
        if m.contains("has no") {
            "members".into()
        } else if m.contains("window") {
            "windowS".into()
        } else if m.contains(" k ") {
            "k".into()
        } else {
            "members".into()
        }
    })
    .await?;
    Ok(input)
}

/// List voting groups within the caller's data scope, newest first.
#[utoipa::path(get, path = "/api/alarm-groups", tag = "monitoring", security(("bearer" = [])), params(AlarmGroupQuery),
    responses((status = 200, body = PageResult<AlarmGroupDto>), (status = 422, body = ErrorBody)))]
pub async fn list_groups(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<AlarmGroupQuery>,
) -> ApiResult<Json<PageResult<AlarmGroupDto>>> {
    me.require("monitoring:sensor:query")?;
    check_filter_len(&[&q.code, &q.name])?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let filter = AlarmGroupFilter {
        code: q.code,
        name: q.name,
        enterprise_id: q.enterprise_id,
    };
    let p = s.store.list_alarm_groups(&filter, &me.scope, page).await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// One voting group (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/alarm-groups/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AlarmGroupDto), (status = 404, body = ErrorBody)))]
pub async fn get_group(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<AlarmGroupDto>> {
    me.require("monitoring:sensor:query")?;
    Ok(Json(s.store.get_alarm_group(id, &me.scope).await?.into()))
}

/// Create a voting group.
#[utoipa::path(post, path = "/api/alarm-groups", tag = "monitoring", security(("bearer" = [])), request_body = AlarmGroupBody,
    responses((status = 201, body = AlarmGroupDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_group(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<AlarmGroupBody>,
) -> ApiResult<(StatusCode, Json<AlarmGroupDto>)> {
    me.require("monitoring:sensor:add")?;
    let input = check_group(&s, &me, None, b).await?;
    let g = s.store.create_alarm_group(input, &me.scope).await?;
    reload(&s).await;
    Ok((StatusCode::CREATED, Json(g.into())))
}

/// Replace a voting group's fields.
#[utoipa::path(put, path = "/api/alarm-groups/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AlarmGroupBody,
    responses((status = 200, body = AlarmGroupDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_group(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<AlarmGroupBody>,
) -> ApiResult<Json<AlarmGroupDto>> {
    me.require("monitoring:sensor:edit")?;
    let current = s.store.get_alarm_group(id, &me.scope).await?;
    let input = check_group(&s, &me, Some(&current), b).await?;
    let g = s.store.update_alarm_group(id, input, &me.scope).await?;
    reload(&s).await;
    Ok(Json(g.into()))
}

/// Delete a voting group (its alarms stay as history).
#[utoipa::path(delete, path = "/api/alarm-groups/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_group(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("monitoring:sensor:remove")?;
    s.store.delete_alarm_group(id, &me.scope).await?;
    reload(&s).await;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- webhooks

/// A webhook: alarm events at or above `minPriority` are POSTed to `url`. City-wide (not bound
/// to an enterprise). The signing secret is never returned.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDto {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `http://` or `https://` URL.
    pub url: String,
    /// Whether a signing secret is set.
    pub has_secret: bool,
    /// Whether events are queued for it.
    pub enabled: bool,
    /// Lowest priority delivered: `low`, `medium`, `high` or `critical`.
    pub min_priority: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Webhook> for WebhookDto {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id,
            name: w.name,
            url: w.url,
            has_secret: w.secret.as_deref().is_some_and(|s| !s.is_empty()),
            enabled: w.enabled,
            min_priority: w.min_priority,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A webhook as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookBody {
    /// Name (at most 100 characters).
    pub name: String,
    /// `http://` or `https://` URL (at most 500 characters).
    pub url: String,
    /// Signing secret (at most 200 characters). On update, null or blank keeps the stored one.
    #[serde(default)]
    pub secret: Option<String>,
    /// Whether events are queued for it (default true).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Lowest priority delivered (default `high`).
    #[serde(default = "default_min_priority")]
    pub min_priority: String,
}

fn yes() -> bool {
    true
}
fn default_min_priority() -> String {
    "high".into()
}

impl WebhookBody {
    fn input(self, keep_secret: Option<String>) -> WebhookInput {
        WebhookInput {
            name: self.name,
            url: self.url.trim().to_owned(),
            secret: nonblank(&self.secret).or(keep_secret),
            enabled: self.enabled,
            min_priority: self.min_priority,
        }
    }
}

/// List webhooks, newest first.
#[utoipa::path(get, path = "/api/webhooks", tag = "monitoring", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = PageResult<WebhookDto>), (status = 422, body = ErrorBody)))]
pub async fn list_webhooks(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageResult<WebhookDto>>> {
    me.require("monitoring:webhook:query")?;
    let p = s.store.list_webhooks(q.page()?).await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// Create a webhook.
#[utoipa::path(post, path = "/api/webhooks", tag = "monitoring", security(("bearer" = [])), request_body = WebhookBody,
    responses((status = 201, body = WebhookDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_webhook(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<WebhookBody>,
) -> ApiResult<(StatusCode, Json<WebhookDto>)> {
    me.require("monitoring:webhook:add")?;
    let w = s.store.create_webhook(b.input(None)).await?;
    Ok((StatusCode::CREATED, Json(w.into())))
}

/// Replace a webhook's fields; a null or blank `secret` keeps the stored one.
#[utoipa::path(put, path = "/api/webhooks/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)), request_body = WebhookBody,
    responses((status = 200, body = WebhookDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_webhook(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<WebhookBody>,
) -> ApiResult<Json<WebhookDto>> {
    me.require("monitoring:webhook:edit")?;
    let current = s.store.get_webhook(id).await?;
    let w = s.store.update_webhook(id, b.input(current.secret)).await?;
    Ok(Json(w.into()))
}

/// Delete a webhook and its delivery log.
#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_webhook(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("monitoring:webhook:remove")?;
    s.store.delete_webhook(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery of one alarm event to a webhook.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDto {
    /// Id.
    pub id: i64,
    /// The webhook.
    pub webhook_id: i64,
    /// The alarm event delivered.
    pub alarm_event_id: i64,
    /// `pending`, `delivered` or `dead` (given up after the retries).
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// The last failure (HTTP status or transport error).
    pub last_error: Option<String>,
    /// Next attempt at, epoch ms.
    pub next_attempt_at: Millis,
    /// Queued at, epoch ms.
    pub created_at: Millis,
}

impl From<WebhookDelivery> for DeliveryDto {
    fn from(d: WebhookDelivery) -> Self {
        Self {
            id: d.id,
            webhook_id: d.webhook_id,
            alarm_event_id: d.alarm_event_id,
            status: d.status,
            attempts: d.attempts,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
        }
    }
}

/// The deliveries of a webhook, newest first.
#[utoipa::path(get, path = "/api/webhooks/{id}/deliveries", tag = "monitoring", security(("bearer" = [])), params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = PageResult<DeliveryDto>), (status = 404, body = ErrorBody)))]
pub async fn webhook_deliveries(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<PageResult<DeliveryDto>>> {
    me.require("monitoring:webhook:query")?;
    s.store.get_webhook(id).await?;
    let p = s.store.list_webhook_deliveries(id, q.page()?).await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_devices, create_device))
        .routes(routes!(device_template))
        .routes(routes!(export_devices))
        .routes(routes!(get_device, update_device, delete_device))
        .routes(routes!(device_secret))
        .routes(routes!(list_sensors, create_sensor))
        .routes(routes!(sensor_template))
        .routes(routes!(export_sensors))
        .routes(routes!(get_sensor, update_sensor, delete_sensor))
        .routes(routes!(trend))
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, update_group, delete_group))
        .routes(routes!(list_webhooks, create_webhook))
        .routes(routes!(update_webhook, delete_webhook))
        .routes(routes!(webhook_deliveries))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import_devices))
                .routes(routes!(import_sensors))
                .layer(axum::extract::DefaultBodyLimit::max(excel::IMPORT_LIMIT)),
        )
}
