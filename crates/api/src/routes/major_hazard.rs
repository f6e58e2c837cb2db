//! Major hazard installations (重大危险源, GB 18218-2018): CRUD at `/api/major-hazards`, a dry-run
//! `POST /api/major-hazards/preview` (the identification and grade of an inventory without
//! storing it), the assessment history, the linked sensors with their latest values, and a manual
//! re-assessment. See `docs/major-hazards.md`.
//!
//! Quantities are tonnes as decimal text (`"12.5"`); S, R, α, β, q/Q are dimensionless. Data
//! scope: an installation is seen through its enterprise; outside the scope it is 404. Every
//! write that may change the grade asks the dynamic-risk worker to recompute the enterprise.

use super::PageResult;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_domain::major_hazard_installation::{self as mhi, InventoryInput, SubstanceLine};
use anjian_store::major_hazard::{
    Assessor, CameraLink, FILING_STATUSES, InstallationAssessment, InstallationFilter,
    InstallationInput, InstallationView, LinkedSensor,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

fn assessor(me: &CurrentUser) -> Assessor {
    Assessor {
        user_id: Some(me.user.id),
        name: me.user.nickname.clone(),
    }
}

// ---------------------------------------------------------------- DTOs

/// One substance of an installation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubstanceDto {
    /// Name: a GB 18218-2018 Table 1 name or alias (e.g. `液氨`), or any label for a chemical
    /// not in Table 1.
    pub name: Option<String>,
    /// CAS number (check digit verified).
    pub cas: Option<String>,
    /// Table 1 序号: chooses a conditional row, or alone names the chemical; `0` = not in Table 1.
    pub variant: Option<u32>,
    /// GHS hazard classes of Table 2 / Table 4 (`W5.3`, `J5`, …): needed for Q of a chemical
    /// not in Table 1 and for β of one not in Table 3.
    #[serde(default)]
    pub hazard_classes: Vec<String>,
    /// Maximum design quantity q (设计最大量), **tonnes**, decimal text (≤ 6 decimals).
    pub quantity_tonnes: String,
}

impl From<SubstanceDto> for SubstanceLine {
    fn from(s: SubstanceDto) -> Self {
        SubstanceLine {
            name: s.name,
            cas: s.cas,
            variant: s.variant,
            hazard_classes: s.hazard_classes,
            quantity_tonnes: s.quantity_tonnes,
        }
    }
}

impl From<SubstanceLine> for SubstanceDto {
    fn from(s: SubstanceLine) -> Self {
        SubstanceDto {
            name: s.name,
            cas: s.cas,
            variant: s.variant,
            hazard_classes: s.hazard_classes,
            quantity_tonnes: s.quantity_tonnes,
        }
    }
}

/// A camera (video) link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraDto {
    /// Label.
    pub name: String,
    /// `http(s)://` or `rtsp://` URL.
    pub url: String,
}

/// An installation as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallationDto {
    /// Id.
    pub id: i64,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// Code (unique within the enterprise).
    pub code: String,
    /// Name.
    pub name: String,
    /// `production` (生产单元) or `storage` (储存单元).
    pub unit_kind: String,
    /// Location.
    pub location: Option<String>,
    /// WGS 84 longitude, degrees.
    pub longitude: Option<f64>,
    /// WGS 84 latitude, degrees.
    pub latitude: Option<f64>,
    /// Resident population within 500 m of the plant boundary (people).
    pub exposed_population: i64,
    /// `max` or `governing_class`.
    pub beta_rule: String,
    /// The substances.
    pub substances: Vec<SubstanceDto>,
    /// S = Σ q/Q, nearest number.
    pub s: f64,
    /// S as an exact fraction (`n` or `n/d`).
    pub s_exact: String,
    /// S ≥ 1: a major hazard installation.
    pub is_major: bool,
    /// R = α·Σ β·q/Q (`null` when not major).
    pub r: Option<f64>,
    /// R exact.
    pub r_exact: Option<String>,
    /// Grade 1..=4 (1 = 一级, most severe), `null` when not major.
    pub grade: Option<i16>,
    /// Grade label (一级 …).
    pub grade_label: Option<String>,
    /// The working: S, R, α, and per substance q, Q, β, q/Q (see docs/major-hazards.md).
    pub working: serde_json::Value,
    /// `not_filed`, `filed` or `cancelled`.
    pub filing_status: String,
    /// Filing date.
    pub filing_date: Option<NaiveDate>,
    /// Filing number.
    pub filing_number: Option<String>,
    /// 主要负责人.
    pub principal_name: Option<String>,
    /// Phone.
    pub principal_phone: Option<String>,
    /// 技术负责人.
    pub technical_name: Option<String>,
    /// Phone.
    pub technical_phone: Option<String>,
    /// 操作负责人.
    pub operational_name: Option<String>,
    /// Phone.
    pub operational_phone: Option<String>,
    /// Camera links.
    pub camera_links: Vec<CameraDto>,
    /// Linked sensor ids.
    pub sensor_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn dto(v: InstallationView) -> InstallationDto {
    let i = v.installation;
    InstallationDto {
        id: i.id,
        enterprise_id: i.enterprise_id,
        enterprise_name: v.enterprise_name,
        code: i.code,
        name: i.name,
        unit_kind: i.unit_kind,
        location: i.location,
        longitude: i.longitude,
        latitude: i.latitude,
        exposed_population: i.exposed_population,
        beta_rule: i.beta_rule,
        substances: v.substances.into_iter().map(Into::into).collect(),
        s: i.s,
        s_exact: i.s_exact,
        is_major: i.is_major,
        r: i.r,
        r_exact: i.r_exact,
        grade: i.grade,
        grade_label: i
            .grade
            .and_then(|g| u8::try_from(g).ok())
            .map(|g| mhi::grade_label(g).to_owned()),
        working: json_of(&i.working),
        filing_status: i.filing_status,
        filing_date: i.filing_date,
        filing_number: i.filing_number,
        principal_name: i.principal_name,
        principal_phone: i.principal_phone,
        technical_name: i.technical_name,
        technical_phone: i.technical_phone,
        operational_name: i.operational_name,
        operational_phone: i.operational_phone,
        camera_links: v
            .camera_links
            .into_iter()
            .map(|c| CameraDto {
                name: c.name,
                url: c.url,
            })
            .collect(),
        sensor_ids: v.sensor_ids,
        remark: i.remark,
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

/// An installation as created or replaced. Unknown fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallationBody {
    /// Enterprise (default: the caller's).
    pub enterprise_id: Option<i64>,
    /// Code, unique within the enterprise (≤ 40).
    pub code: String,
    /// Name (≤ 100).
    pub name: String,
    /// `production` or `storage`.
    pub unit_kind: String,
    /// Location (≤ 200).
    pub location: Option<String>,
    /// WGS 84 longitude.
    pub longitude: Option<f64>,
    /// WGS 84 latitude.
    pub latitude: Option<f64>,
    /// Resident population within 500 m of the plant boundary, people (α, GB 18218-2018 Table 5).
    pub exposed_population: i64,
    /// `max` (default) or `governing_class`: β of a substance outside Table 3 with several classes.
    pub beta_rule: Option<String>,
    /// The substances (at least one).
    pub substances: Vec<SubstanceDto>,
    /// `not_filed` (default), `filed` or `cancelled`.
    pub filing_status: Option<String>,
    /// Filing date `YYYY-MM-DD` (required when filed).
    pub filing_date: Option<String>,
    /// Filing number (required when filed).
    pub filing_number: Option<String>,
    /// 主要负责人 name.
    pub principal_name: Option<String>,
    /// Phone.
    pub principal_phone: Option<String>,
    /// 技术负责人 name.
    pub technical_name: Option<String>,
    /// Phone.
    pub technical_phone: Option<String>,
    /// 操作负责人 name.
    pub operational_name: Option<String>,
    /// Phone.
    pub operational_phone: Option<String>,
    /// Camera links.
    #[serde(default)]
    pub camera_links: Vec<CameraDto>,
    /// Linked sensors (of the same enterprise).
    #[serde(default)]
    pub sensor_ids: Vec<i64>,
    /// Remark (≤ 500).
    pub remark: Option<String>,
}

impl InstallationBody {
    fn input(self, me: &CurrentUser) -> ApiResult<InstallationInput> {
        let enterprise_id = self
            .enterprise_id
            .or(me.user.enterprise_id)
            .ok_or_else(|| ApiError::invalid("enterpriseId", "请选择企业 / is required"))?;
        let filing_date = match nonblank(&self.filing_date) {
            Some(d) => Some(NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid(
                    "filingDate",
                    "日期格式须为 YYYY-MM-DD / must be a date YYYY-MM-DD",
                )
            })?),
            None => None,
        };
        Ok(InstallationInput {
            enterprise_id,
            code: self.code,
            name: self.name,
            unit_kind: self.unit_kind,
            location: self.location,
            longitude: self.longitude,
            latitude: self.latitude,
            exposed_population: self.exposed_population,
            beta_rule: nonblank(&self.beta_rule).unwrap_or_else(|| "max".into()),
            substances: self.substances.into_iter().map(Into::into).collect(),
            filing_status: nonblank(&self.filing_status).unwrap_or_else(|| "not_filed".into()),
            filing_date,
            filing_number: self.filing_number,
            principal_name: self.principal_name,
            principal_phone: self.principal_phone,
            technical_name: self.technical_name,
            technical_phone: self.technical_phone,
            operational_name: self.operational_name,
            operational_phone: self.operational_phone,
            camera_links: self
                .camera_links
                .into_iter()
                .map(|c| CameraLink {
                    name: c.name,
                    url: c.url,
                })
                .collect(),
            sensor_ids: self.sensor_ids,
            remark: self.remark,
        })
    }
}

/// List filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct InstallationQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Grade 1..=4.
    pub grade: Option<i16>,
    /// `true`: major hazard installations only (S ≥ 1); `false`: units below the threshold.
    pub is_major: Option<bool>,
    /// `not_filed`, `filed` or `cancelled`.
    pub filing_status: Option<String>,
    /// `production` or `storage`.
    pub unit_kind: Option<String>,
    /// Substring of the code, name or location.
    pub keyword: Option<String>,
}

impl InstallationQuery {
    fn filter(&self) -> ApiResult<InstallationFilter> {
        if self.grade.is_some_and(|g| !(1..=4).contains(&g)) {
            return Err(ApiError::invalid(
                "grade",
                "等级须为 1 到 4 / must be 1 to 4",
            ));
        }
        let filing_status = nonblank(&self.filing_status);
        if filing_status
            .as_deref()
            .is_some_and(|s| !FILING_STATUSES.contains(&s))
        {
            return Err(ApiError::invalid(
                "filingStatus",
                format!(
                    "须为以下之一：{0} / must be one of {0}",
                    FILING_STATUSES.join(", ")
                ),
            ));
        }
        let unit_kind = nonblank(&self.unit_kind);
        if unit_kind
            .as_deref()
            .is_some_and(|k| mhi::UnitKind::parse(k).is_none())
        {
            return Err(ApiError::invalid(
                "unitKind",
                "须为 production 或 storage / must be production or storage",
            ));
        }
        if self
            .keyword
            .as_ref()
            .is_some_and(|k| k.chars().count() > 100)
        {
            return Err(ApiError::invalid(
                "keyword",
                "最多 100 个字符 / at most 100 characters",
            ));
        }
        Ok(InstallationFilter {
            enterprise_id: self.enterprise_id,
            grade: self.grade,
            is_major: self.is_major,
            filing_status,
            unit_kind,
            keyword: nonblank(&self.keyword),
        })
    }
}

/// One assessment of an installation.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentDto {
    /// Id.
    pub id: i64,
    /// Installation.
    pub installation_id: i64,
    /// When.
    pub assessed_at: DateTime<Utc>,
    /// User id.
    pub assessed_by: Option<i64>,
    /// Who.
    pub assessor_name: String,
    /// `create`, `inventory`, `population` or `manual`.
    pub trigger: String,
    /// Why, e.g. `S 0.92 → 1.05：跨越 S = 1，成为重大危险源；R = 12.60，三级`.
    pub reason: String,
    /// S.
    pub s: f64,
    /// S exact.
    pub s_exact: String,
    /// S ≥ 1.
    pub is_major: bool,
    /// R.
    pub r: Option<f64>,
    /// R exact.
    pub r_exact: Option<String>,
    /// Grade 1..=4.
    pub grade: Option<i16>,
    /// Before this assessment: major or not (`null` for the first).
    pub previous_is_major: Option<bool>,
    /// Before this assessment: grade.
    pub previous_grade: Option<i16>,
    /// The substances assessed.
    pub substances: serde_json::Value,
    /// The exposed population assessed.
    pub exposed_population: i64,
    /// The working.
    pub working: serde_json::Value,
}

fn assessment_dto(a: InstallationAssessment) -> AssessmentDto {
    AssessmentDto {
        id: a.id,
        installation_id: a.installation_id,
        assessed_at: a.assessed_at,
        assessed_by: a.assessed_by,
        assessor_name: a.assessor_name,
        trigger: a.trigger,
        reason: a.reason,
        s: a.s,
        s_exact: a.s_exact,
        is_major: a.is_major,
        r: a.r,
        r_exact: a.r_exact,
        grade: a.grade,
        previous_is_major: a.previous_is_major,
        previous_grade: a.previous_grade,
        substances: json_of(&a.substances),
        exposed_population: a.exposed_population,
        working: json_of(&a.working),
    }
}

/// A linked sensor with its latest reading.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LinkedSensorDto {
    /// Sensor id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Quantity.
    pub quantity: String,
    /// Unit.
    pub unit: String,
    /// Latest value.
    pub value: Option<f64>,
    /// Its time, ms since the Unix epoch.
    pub ts: Option<i64>,
}

impl From<LinkedSensor> for LinkedSensorDto {
    fn from(s: LinkedSensor) -> Self {
        LinkedSensorDto {
            id: s.id,
            code: s.code,
            name: s.name,
            quantity: s.quantity,
            unit: s.unit,
            value: s.value,
            ts: s.ts,
        }
    }
}

/// The inventory to preview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewBody {
    /// `production` or `storage` (default `storage`).
    pub unit_kind: Option<String>,
    /// Resident population within 500 m, people.
    pub exposed_population: i64,
    /// `max` (default) or `governing_class`.
    pub beta_rule: Option<String>,
    /// The substances.
    pub substances: Vec<SubstanceDto>,
}

/// The identification and grade of an inventory, not stored.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewDto {
    /// S.
    pub s: f64,
    /// S exact.
    pub s_exact: String,
    /// S ≥ 1.
    pub is_major: bool,
    /// R (`null` when not major).
    pub r: Option<f64>,
    /// R exact.
    pub r_exact: Option<String>,
    /// Grade 1..=4.
    pub grade: Option<u8>,
    /// Grade label.
    pub grade_label: Option<String>,
    /// The working.
    pub working: serde_json::Value,
}

/// A manual re-assessment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReassessBody {
    /// Why (recorded before the computed reason, ≤ 200 characters).
    pub note: Option<String>,
}

// ---------------------------------------------------------------- handlers

/// List installations within the caller's data scope: most severe grade first.
#[utoipa::path(get, path = "/api/major-hazards", tag = "major-hazard", security(("bearer" = [])), params(InstallationQuery),
    responses((status = 200, body = PageResult<InstallationDto>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<InstallationQuery>,
) -> ApiResult<Json<PageResult<InstallationDto>>> {
    me.require("risk:installation:list")?;
    let page = super::PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let p = s
        .store
        .list_installations(&q.filter()?, &me.scope, page)
        .await?;
    Ok(Json(PageResult::from_page(p, dto)))
}

/// One installation (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/major-hazards/{id}", tag = "major-hazard", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = InstallationDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<InstallationDto>> {
    me.require("risk:installation:query")?;
    Ok(Json(dto(s.store.get_installation(id, &me.scope).await?)))
}

/// Create an installation: S, R and the grade are computed (GB 18218-2018) and the first
/// assessment recorded. 422 names the field, e.g. `substances[1].quantityTonnes`,
/// `substances[0].cas`, `substances[0].variant`, `code`, `sensorIds[0]`.
#[utoipa::path(post, path = "/api/major-hazards", tag = "major-hazard", security(("bearer" = [])), request_body = InstallationBody,
    responses((status = 201, body = InstallationDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<InstallationBody>,
) -> ApiResult<(StatusCode, Json<InstallationDto>)> {
    me.require("risk:installation:add")?;
    let v = s
        .store
        .create_installation(b.input(&me)?, &assessor(&me), &me.scope, s.clock.now())
        .await?;
    s.risk.touch(v.installation.enterprise_id, "installation");
    Ok((StatusCode::CREATED, Json(dto(v))))
}

/// Replace an installation. A changed inventory or exposed population is re-assessed and the
/// history records why (e.g. `物料变更；R 48.00 → 52.00：三级 → 二级`).
#[utoipa::path(put, path = "/api/major-hazards/{id}", tag = "major-hazard", security(("bearer" = [])), params(("id" = i64, Path)), request_body = InstallationBody,
    responses((status = 200, body = InstallationDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<InstallationBody>,
) -> ApiResult<Json<InstallationDto>> {
    me.require("risk:installation:edit")?;
    let before = s.store.get_installation(id, &me.scope).await?;
    let (v, _) = s
        .store
        .update_installation(id, b.input(&me)?, &assessor(&me), &me.scope, s.clock.now())
        .await?;
    if before.installation.enterprise_id != v.installation.enterprise_id {
        s.risk
            .touch(before.installation.enterprise_id, "installation");
    }
    s.risk.touch(v.installation.enterprise_id, "installation");
    Ok(Json(dto(v)))
}

/// Delete an installation with its history and sensor links.
#[utoipa::path(delete, path = "/api/major-hazards/{id}", tag = "major-hazard", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("risk:installation:remove")?;
    let enterprise_id = s.store.delete_installation(id, &me.scope).await?;
    s.risk.touch(enterprise_id, "installation");
    Ok(StatusCode::NO_CONTENT)
}

/// The assessment history of an installation, newest first.
#[utoipa::path(get, path = "/api/major-hazards/{id}/assessments", tag = "major-hazard", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AssessmentDto>), (status = 404, body = ErrorBody)))]
pub async fn assessments(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<Vec<AssessmentDto>>> {
    me.require("risk:installation:query")?;
    let rows = s.store.installation_assessments(id, &me.scope).await?;
    Ok(Json(rows.into_iter().map(assessment_dto).collect()))
}

/// Re-assess an installation from its stored inputs (trigger `manual`).
#[utoipa::path(post, path = "/api/major-hazards/{id}/assessments", tag = "major-hazard", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReassessBody,
    responses((status = 201, body = AssessmentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reassess(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ReassessBody>,
) -> ApiResult<(StatusCode, Json<AssessmentDto>)> {
    me.require("risk:installation:edit")?;
    let row = s
        .store
        .reassess_installation(
            id,
            b.note.as_deref(),
            &assessor(&me),
            &me.scope,
            s.clock.now(),
        )
        .await?;
    let v = s.store.get_installation(id, &me.scope).await?;
    s.risk.touch(v.installation.enterprise_id, "installation");
    Ok((StatusCode::CREATED, Json(assessment_dto(row))))
}

/// The sensors linked to an installation with their latest readings.
#[utoipa::path(get, path = "/api/major-hazards/{id}/sensors", tag = "major-hazard", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LinkedSensorDto>), (status = 404, body = ErrorBody)))]
pub async fn sensors(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<Vec<LinkedSensorDto>>> {
    me.require("risk:installation:query")?;
    let rows = s.store.installation_sensors(id, &me.scope).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Dry run: the identification (S) and grade (R, α, Table 6) of an inventory, with the working,
/// without storing anything. 422 names the field as for create.
#[utoipa::path(post, path = "/api/major-hazards/preview", tag = "major-hazard", security(("bearer" = [])), request_body = PreviewBody,
    responses((status = 200, body = PreviewDto), (status = 422, body = ErrorBody)))]
pub async fn preview(
    me: CurrentUser,
    ApiJson(b): ApiJson<PreviewBody>,
) -> ApiResult<Json<PreviewDto>> {
    me.require("risk:installation:query")?;
    let e = mhi::evaluate(&InventoryInput {
        unit_kind: nonblank(&b.unit_kind).unwrap_or_else(|| "storage".into()),
        exposed_population: b.exposed_population,
        beta_rule: nonblank(&b.beta_rule).unwrap_or_else(|| "max".into()),
        substances: b.substances.into_iter().map(Into::into).collect(),
    })
    .map_err(ApiError::Validation)?;
    Ok(Json(PreviewDto {
        s: e.s,
        s_exact: e.s_exact,
        is_major: e.is_major,
        r: e.r,
        r_exact: e.r_exact,
        grade: e.grade,
        grade_label: e.grade.map(|g| mhi::grade_label(g).to_owned()),
        working: e.working,
    }))
}

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(preview))
        .routes(routes!(get, update, delete))
        .routes(routes!(assessments, reassess))
        .routes(routes!(sensors))
}
