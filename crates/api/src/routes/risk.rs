//! Risk grading and control (风险分级管控): risk points (CRUD), their assessments (LEC or L × S
//! through the standards library), control measures with the graded-control warning, the level
//! history, the four-colour list (also as of a past date) and its xlsx export, the risk
//! notification card (风险告知卡) with a QR code, and the review schedule. See `docs/risk.md`.
//!
//! Data scope: every point is seen through its enterprise; outside the caller's scope a point is
//! 404 and absent from lists. Dates are `YYYY-MM-DD`; a review due date means the end of that day
//! in Asia/Shanghai.

use super::PageResult;
use super::enterprise::{XLSX, attachment};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_domain::dual_prevention::risk_control::{
    self as rc, AssessmentInput, ManagementLevel, MeasureKind, ReviewCycles, ReviewState,
    RiskPointKind,
};
use anjian_domain::standards::risk::{Colour, RiskLevel, lec_scales, matrix_labels};
use anjian_domain::standards::{classification, hazard_factor};
use anjian_store::risk::{parse_date, parse_level};
use anjian_store::{
    ControlMeasure, MeasureInput, NewAssessment, ReviewDue, RiskAssessment, RiskLevelChangeRow,
    RiskPointFilter, RiskPointInput, RiskPointView,
};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most rows of one four-colour list or export.
const LIST_MAX_ROWS: u64 = 10_000;

/// The system parameter with the console's public base URL (e.g. `https://aj.example.gov.cn`),
/// used in the card's QR code; when empty, the request's `X-Forwarded-Proto` / `X-Forwarded-Host`
/// or `Host` is used.
pub const PUBLIC_URL_PARAM: &str = "sys.publicUrl";

fn level_str(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Major => "major",
        RiskLevel::High => "high",
        RiskLevel::Medium => "medium",
        RiskLevel::Low => "low",
    }
}

fn colour_of(l: RiskLevel) -> Colour {
    l.standard_colour()
}

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn parse_day(field: &str, v: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(field, "日期格式须为 YYYY-MM-DD / must be a date YYYY-MM-DD")
    })
}

// ---------------------------------------------------------------- DTOs

/// A risk point as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskPointDto {
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
    /// `area`, `equipment_facility`, `operation` or `activity`.
    pub kind: String,
    /// Location.
    pub location: Option<String>,
    /// GB/T 13861-2022 hazardous-factor codes.
    pub hazard_factors: Vec<String>,
    /// GB 6441 accident-type codes.
    pub accident_types: Vec<String>,
    /// Responsible person.
    pub responsible_person: Option<String>,
    /// Their phone.
    pub responsible_phone: Option<String>,
    /// Possible consequences.
    pub consequences: Option<String>,
    /// Emergency actions.
    pub emergency_actions: Option<String>,
    /// Emergency contacts.
    pub emergency_contacts: Option<String>,
    /// Review cycle override, months (`null` = by level).
    pub review_cycle_months: Option<i32>,
    /// Next review due date, `YYYY-MM-DD` (end of that day, Asia/Shanghai).
    pub next_review_due: Option<String>,
    /// `ok`, `due_soon` or `overdue` at the server's time; `null` when no review is scheduled.
    pub review_state: Option<ReviewState>,
    /// Current level (`major`, `high`, `medium`, `low`), `null` before the first assessment.
    pub level: Option<String>,
    /// Its colour (`red`, `orange`, `yellow`, `blue`).
    pub colour: Option<String>,
    /// D (LEC) or R (L × S) of the latest assessment.
    pub value: Option<f64>,
    /// Date of the latest assessment.
    pub last_assessed_on: Option<String>,
    /// `active` or `disabled`.
    pub status: String,
    /// Number of control measures.
    pub measure_count: u64,
    /// The management level the measures lack ("the higher the risk, the higher the level"), if
    /// any. A warning, not an error.
    pub management_gap: Option<ManagementLevel>,
    /// The warning text of `managementGap`.
    pub management_warning: Option<String>,
    /// Created, RFC 3339.
    pub created_at: DateTime<Utc>,
    /// Last changed, RFC 3339.
    pub updated_at: DateTime<Utc>,
}

fn point_dto(v: RiskPointView, now: DateTime<Utc>) -> RiskPointDto {
    let p = v.point;
    let level = p.level.as_deref().and_then(parse_level);
    RiskPointDto {
        id: p.id,
        enterprise_id: p.enterprise_id,
        enterprise_name: v.enterprise_name,
        code: p.code,
        name: p.name,
        kind: p.kind,
        location: p.location,
        hazard_factors: v.hazard_factors,
        accident_types: v.accident_types,
        responsible_person: p.responsible_person,
        responsible_phone: p.responsible_phone,
        consequences: p.consequences,
        emergency_actions: p.emergency_actions,
        emergency_contacts: p.emergency_contacts,
        review_cycle_months: p.review_cycle_months,
        review_state: (p.status == "active")
            .then(|| {
                p.next_review_due
                    .as_deref()
                    .and_then(parse_date)
                    .map(|d| rc::review_state(d, now))
            })
            .flatten(),
        next_review_due: p.next_review_due,
        level: p.level,
        colour: p.colour,
        value: p.value,
        last_assessed_on: p.last_assessed_on,
        status: p.status,
        measure_count: v.measure_count,
        management_warning: match (level, v.management_gap) {
            (Some(l), Some(g)) => Some(rc::management_gap_message(l, g)),
            _ => None,
        },
        management_gap: v.management_gap,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// A risk point as created or replaced. Unknown fields are refused.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RiskPointBody {
    /// Enterprise (default: the caller's).
    pub enterprise_id: Option<i64>,
    /// Code, unique within the enterprise (≤ 64 characters).
    pub code: String,
    /// Name (≤ 100 characters).
    pub name: String,
    /// `area`, `equipment_facility`, `operation` or `activity`.
    pub kind: String,
    /// Location (≤ 200 characters).
    pub location: Option<String>,
    /// GB/T 13861-2022 hazardous-factor codes, e.g. `["1", "2102"]`.
    #[serde(default)]
    pub hazard_factors: Vec<String>,
    /// GB 6441 accident-type codes (`01`-`20` or `WSA1xxxx`).
    #[serde(default)]
    pub accident_types: Vec<String>,
    /// Responsible person (≤ 50).
    pub responsible_person: Option<String>,
    /// Their phone (≤ 30).
    pub responsible_phone: Option<String>,
    /// Possible consequences, for the card.
    pub consequences: Option<String>,
    /// Emergency actions, for the card.
    pub emergency_actions: Option<String>,
    /// Emergency contacts, for the card.
    pub emergency_contacts: Option<String>,
    /// Review cycle override, months 1..=60 (`null` = by level).
    pub review_cycle_months: Option<i32>,
    /// `active` (default) or `disabled`.
    pub status: Option<String>,
}

impl RiskPointBody {
    fn input(self, me: &CurrentUser) -> ApiResult<RiskPointInput> {
        let enterprise_id = self
            .enterprise_id
            .or(me.user.enterprise_id)
            .ok_or_else(|| ApiError::invalid("enterpriseId", "请选择企业 / is required"))?;
        Ok(RiskPointInput {
            enterprise_id,
            code: self.code,
            name: self.name,
            kind: self.kind,
            location: self.location,
            hazard_factors: self
                .hazard_factors
                .into_iter()
                .map(|c| c.trim().to_owned())
                .collect(),
            accident_types: self
                .accident_types
                .into_iter()
                .map(|c| c.trim().to_owned())
                .collect(),
            responsible_person: self.responsible_person,
            responsible_phone: self.responsible_phone,
            consequences: self.consequences,
            emergency_actions: self.emergency_actions,
            emergency_contacts: self.emergency_contacts,
            review_cycle_months: self.review_cycle_months,
            status: nonblank(&self.status).unwrap_or_else(|| "active".into()),
        })
    }
}

/// Risk point list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RiskPointQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// `major`, `high`, `medium`, `low`, or `none` (never assessed).
    pub level: Option<String>,
    /// `area`, `equipment_facility`, `operation` or `activity`.
    pub kind: Option<String>,
    /// Substring of the code, name or location.
    pub keyword: Option<String>,
    /// `overdue` or `soon` (due within 7 days).
    pub review_due: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
}

fn one_of(field: &str, v: &Option<String>, allowed: &[&str]) -> ApiResult<Option<String>> {
    match nonblank(v) {
        Some(x) if !allowed.contains(&x.as_str()) => Err(ApiError::invalid(
            field,
            format!("须为以下之一：{0} / must be one of {0}", allowed.join(", ")),
        )),
        other => Ok(other),
    }
}

fn review_due(field: &str, v: &Option<String>) -> ApiResult<Option<ReviewDue>> {
    Ok(match one_of(field, v, &["overdue", "soon"])?.as_deref() {
        Some("overdue") => Some(ReviewDue::Overdue),
        Some(_) => Some(ReviewDue::Soon),
        None => None,
    })
}

impl RiskPointQuery {
    fn filter(&self) -> ApiResult<RiskPointFilter> {
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
        Ok(RiskPointFilter {
            enterprise_id: self.enterprise_id,
            level: one_of(
                "level",
                &self.level,
                &["major", "high", "medium", "low", "none"],
            )?,
            kind: one_of("kind", &self.kind, &RiskPointKind::names())?,
            keyword: nonblank(&self.keyword),
            review_due: review_due("reviewDue", &self.review_due)?,
            status: one_of("status", &self.status, &["active", "disabled"])?,
        })
    }
}

fn page_of(num: Option<u64>, size: Option<u64>) -> ApiResult<anjian_domain::page::Page> {
    super::PageQuery {
        page_num: num,
        page_size: size,
    }
    .page()
}

// ---------------------------------------------------------------- points

/// List risk points within the caller's data scope: highest level first (or, with
/// `reviewDue`, earliest due first).
#[utoipa::path(get, path = "/api/risk-points", tag = "risk", security(("bearer" = [])), params(RiskPointQuery),
    responses((status = 200, body = PageResult<RiskPointDto>), (status = 422, body = ErrorBody)))]
pub async fn list_points(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<RiskPointQuery>,
) -> ApiResult<Json<PageResult<RiskPointDto>>> {
    me.require("risk:point:query")?;
    let now = s.clock.now();
    let p = s
        .store
        .list_risk_points(
            &q.filter()?,
            &me.scope,
            page_of(q.page_num, q.page_size)?,
            now,
        )
        .await?;
    Ok(Json(PageResult::from_page(p, |v| point_dto(v, now))))
}

/// One risk point (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/risk-points/{id}", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RiskPointDto), (status = 404, body = ErrorBody)))]
pub async fn get_point(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<RiskPointDto>> {
    me.require("risk:point:query")?;
    let v = s.store.get_risk_point(id, &me.scope).await?;
    Ok(Json(point_dto(v, s.clock.now())))
}

/// Create a risk point (not yet assessed). 422 names the field: `code` (taken in the
/// enterprise), `kind`, `hazardFactors[i]`, `accidentTypes[i]`, `enterpriseId`, ...
#[utoipa::path(post, path = "/api/risk-points", tag = "risk", security(("bearer" = [])), request_body = RiskPointBody,
    responses((status = 201, body = RiskPointDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_point(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<RiskPointBody>,
) -> ApiResult<(StatusCode, Json<RiskPointDto>)> {
    me.require("risk:point:add")?;
    let now = s.clock.now();
    let p = s
        .store
        .create_risk_point(b.input(&me)?, &me.scope, now)
        .await?;
    let v = s.store.get_risk_point(p.id, &me.scope).await?;
    Ok((StatusCode::CREATED, Json(point_dto(v, now))))
}

/// Replace a risk point's descriptive fields (its level changes only by assessment).
#[utoipa::path(put, path = "/api/risk-points/{id}", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RiskPointBody,
    responses((status = 200, body = RiskPointDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_point(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<RiskPointBody>,
) -> ApiResult<Json<RiskPointDto>> {
    me.require("risk:point:edit")?;
    let now = s.clock.now();
    s.store
        .update_risk_point(id, b.input(&me)?, &me.scope, now)
        .await?;
    let v = s.store.get_risk_point(id, &me.scope).await?;
    s.risk.touch(v.point.enterprise_id, "risk_point");
    Ok(Json(point_dto(v, now)))
}

/// Delete a risk point with its assessments, history and measures.
#[utoipa::path(delete, path = "/api/risk-points/{id}", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_point(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("risk:point:remove")?;
    let enterprise_id = s
        .store
        .get_risk_point(id, &me.scope)
        .await?
        .point
        .enterprise_id;
    s.store.delete_risk_point(id, &me.scope).await?;
    s.risk.touch(enterprise_id, "risk_point");
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- assessments

/// An assessment: `{method:"lec", l, e, c}` or `{method:"ls", l, s}`, plus who, when and why.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssessmentBody {
    /// `lec` or `ls`.
    pub method: String,
    /// LEC: likelihood on its scale (10, 6, 3, 1, 0.5, 0.2, 0.1); L × S: likelihood 1..=5.
    pub l: Option<f64>,
    /// LEC only: exposure (10, 6, 3, 2, 1, 0.5).
    pub e: Option<f64>,
    /// LEC only: consequence (100, 40, 15, 7, 3, 1).
    pub c: Option<f64>,
    /// L × S only: severity 1..=5.
    pub s: Option<f64>,
    /// Who assessed (default: the caller's name).
    pub assessor: Option<String>,
    /// Assessment date `YYYY-MM-DD` (default: today in Asia/Shanghai); not in the future, not
    /// before the latest assessment.
    pub assessed_on: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Why the level changes; required when it does.
    pub reason: Option<String>,
}

fn input_of(b: &AssessmentBody) -> ApiResult<AssessmentInput> {
    let need =
        |f: &str, v: Option<f64>| v.ok_or_else(|| ApiError::invalid(f, "必填 / is required"));
    let refuse = |f: &str, v: Option<f64>, m: &str| {
        if v.is_some() {
            Err(ApiError::invalid(
                f,
                format!("不是 {m} 评估法的输入项 / is not an input of {m}"),
            ))
        } else {
            Ok(())
        }
    };
    match b.method.as_str() {
        "lec" => {
            refuse("s", b.s, "LEC")?;
            Ok(AssessmentInput::Lec {
                l: need("l", b.l)?,
                e: need("e", b.e)?,
                c: need("c", b.c)?,
            })
        }
        "ls" => {
            refuse("e", b.e, "L × S")?;
            refuse("c", b.c, "L × S")?;
            let int = |f: &str, v: f64| {
                if v.fract() == 0.0 && (1.0..=5.0).contains(&v) {
                    Ok(v as u32)
                } else {
                    Err(ApiError::invalid(
                        f,
                        "须为 1 到 5 的整数 / must be an integer from 1 to 5",
                    ))
                }
            };
            Ok(AssessmentInput::Ls {
                l: int("l", need("l", b.l)?)?,
                s: int("s", need("s", b.s)?)?,
            })
        }
        _ => Err(ApiError::invalid(
            "method",
            "评估方法须为 LEC 或 LS / must be lec or ls",
        )),
    }
}

/// A stored assessment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessmentDto {
    /// Id.
    pub id: i64,
    /// Risk point.
    pub risk_point_id: i64,
    /// `lec` or `ls`.
    pub method: String,
    /// The inputs as given, e.g. `{"method":"lec","l":6,"e":6,"c":7}`.
    pub inputs: serde_json::Value,
    /// D (LEC) or R (L × S).
    pub value: f64,
    /// Level.
    pub level: String,
    /// Colour.
    pub colour: String,
    /// Who assessed.
    pub assessor: String,
    /// Assessment date.
    pub assessed_on: String,
    /// Note.
    pub note: Option<String>,
    /// User id of who recorded it.
    pub recorded_by: i64,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
}

fn assessment_dto(a: RiskAssessment) -> AssessmentDto {
    AssessmentDto {
        id: a.id,
        risk_point_id: a.risk_point_id,
        method: a.method,
        inputs: serde_json::from_str(&a.inputs).unwrap_or(serde_json::Value::Null),
        value: a.value,
        level: a.level,
        colour: a.colour,
        assessor: a.assessor,
        assessed_on: a.assessed_on,
        note: a.note,
        recorded_by: a.recorded_by,
        created_at: a.created_at,
    }
}

/// A change of a point's level.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LevelChangeDto {
    /// Id.
    pub id: i64,
    /// The assessment that caused it.
    pub assessment_id: Option<i64>,
    /// Previous level (`null` for the first assessment).
    pub from_level: Option<String>,
    /// New level.
    pub to_level: String,
    /// Effective from (the assessment date).
    pub effective_on: String,
    /// Why.
    pub reason: Option<String>,
    /// User id of who changed it.
    pub changed_by: i64,
    /// Their name.
    pub changed_by_name: Option<String>,
    /// When, RFC 3339.
    pub changed_at: DateTime<Utc>,
}

async fn change_dtos(s: &AppState, rows: Vec<RiskLevelChangeRow>) -> Vec<LevelChangeDto> {
    let mut names = std::collections::HashMap::new();
    for r in &rows {
        if let std::collections::hash_map::Entry::Vacant(e) = names.entry(r.changed_by)
            && let Ok(u) = s
                .store
                .get_user(
                    r.changed_by,
                    &anjian_domain::auth::ScopeFilter::unrestricted(),
                )
                .await
        {
            e.insert(u.nickname);
        }
    }
    rows.into_iter()
        .map(|c| LevelChangeDto {
            id: c.id,
            assessment_id: c.assessment_id,
            from_level: c.from_level,
            to_level: c.to_level,
            effective_on: c.effective_on,
            reason: c.reason,
            changed_by_name: names.get(&c.changed_by).cloned(),
            changed_by: c.changed_by,
            changed_at: c.changed_at,
        })
        .collect()
}

/// The result of an assessment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessResult {
    /// The stored assessment.
    pub assessment: AssessmentDto,
    /// The level change it caused, if any.
    pub change: Option<LevelChangeDto>,
    /// The point afterwards.
    pub point: RiskPointDto,
}

/// Assess a risk point by LEC or L × S (standards library, `docs/calc.md`); the result becomes
/// the point's level. 422 names `l`/`e`/`c`/`s` (off the scale), `method`, `assessedOn`, or
/// `reason` (required when the level changes).
#[utoipa::path(post, path = "/api/risk-points/{id}/assessments", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssessmentBody,
    responses((status = 201, body = AssessResult), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<AssessmentBody>,
) -> ApiResult<(StatusCode, Json<AssessResult>)> {
    me.require("risk:assessment:add")?;
    let now = s.clock.now();
    // 404 before 422: a point outside the scope is not revealed by validation.
    s.store.get_risk_point(id, &me.scope).await?;
    let input = input_of(&b)?;
    let assessed_on = match nonblank(&b.assessed_on) {
        Some(d) => parse_day("assessedOn", &d)?,
        None => rc::shanghai_date(now),
    };
    let (a, change) = s
        .store
        .assess_risk_point(
            id,
            NewAssessment {
                input,
                assessor: nonblank(&b.assessor).unwrap_or_else(|| me.user.nickname.clone()),
                assessed_on,
                note: b.note,
                reason: b.reason,
            },
            me.user.id,
            &me.scope,
            now,
        )
        .await?;
    let point = point_dto(s.store.get_risk_point(id, &me.scope).await?, now);
    s.risk.touch(point.enterprise_id, "risk_point");
    let change = change_dtos(&s, change.into_iter().collect()).await.pop();
    Ok((
        StatusCode::CREATED,
        Json(AssessResult {
            assessment: assessment_dto(a),
            change,
            point,
        }),
    ))
}

/// A point's history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryDto {
    /// Every assessment, oldest first.
    pub assessments: Vec<AssessmentDto>,
    /// Every level change (who, when, why), oldest first.
    pub changes: Vec<LevelChangeDto>,
}

/// The assessments and level changes of a risk point.
#[utoipa::path(get, path = "/api/risk-points/{id}/history", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HistoryDto), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<HistoryDto>> {
    me.require("risk:point:query")?;
    let h = s.store.risk_point_history(id, &me.scope).await?;
    Ok(Json(HistoryDto {
        assessments: h.assessments.into_iter().map(assessment_dto).collect(),
        changes: change_dtos(&s, h.changes).await,
    }))
}

// ---------------------------------------------------------------- measures

/// A control measure.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeasureDto {
    /// Id.
    pub id: i64,
    /// Risk point.
    pub risk_point_id: i64,
    /// `engineering`, `management`, `training`, `personal_protection` or `emergency`.
    pub kind: String,
    /// What is done.
    pub content: String,
    /// `company`, `department`, `workshop` or `team`.
    pub management_level: String,
    /// Responsible person.
    pub responsible_person: Option<String>,
    /// Display order.
    pub sort: i32,
}

fn measure_dto(m: ControlMeasure) -> MeasureDto {
    MeasureDto {
        id: m.id,
        risk_point_id: m.risk_point_id,
        kind: m.kind,
        content: m.content,
        management_level: m.management_level,
        responsible_person: m.responsible_person,
        sort: m.sort,
    }
}

/// A control measure as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MeasureBody {
    /// `engineering`, `management`, `training`, `personal_protection` or `emergency`.
    pub kind: String,
    /// What is done (≤ 1000 characters).
    pub content: String,
    /// `company`, `department`, `workshop` or `team`.
    pub management_level: String,
    /// Responsible person (≤ 50).
    pub responsible_person: Option<String>,
    /// Display order (default 0).
    pub sort: Option<i32>,
}

impl MeasureBody {
    fn input(self) -> MeasureInput {
        MeasureInput {
            kind: self.kind,
            content: self.content,
            management_level: self.management_level,
            responsible_person: self.responsible_person,
            sort: self.sort.unwrap_or(0),
        }
    }
}

/// A point's measures with the graded-control check.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeasuresDto {
    /// Measures in display order.
    pub rows: Vec<MeasureDto>,
    /// The management level the measures lack for the point's level, if any.
    pub management_gap: Option<ManagementLevel>,
    /// The warning text.
    pub management_warning: Option<String>,
}

async fn measures_dto(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<MeasuresDto> {
    let p = point_dto(s.store.get_risk_point(id, &me.scope).await?, s.clock.now());
    let rows = s.store.list_control_measures(id, &me.scope).await?;
    Ok(MeasuresDto {
        rows: rows.into_iter().map(measure_dto).collect(),
        management_gap: p.management_gap,
        management_warning: p.management_warning,
    })
}

fn two_ids(raw: (String, String)) -> ApiResult<(i64, i64)> {
    let parse = |f: &str, v: &str| match v.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(ApiError::bad_field(
            f,
            "须为正整数 / must be a positive integer",
        )),
    };
    Ok((parse("id", &raw.0)?, parse("measureId", &raw.1)?))
}

/// The control measures of a risk point, with the management-level warning.
#[utoipa::path(get, path = "/api/risk-points/{id}/measures", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MeasuresDto), (status = 404, body = ErrorBody)))]
pub async fn list_measures(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<MeasuresDto>> {
    me.require("risk:point:query")?;
    Ok(Json(measures_dto(&s, &me, id).await?))
}

/// Add a control measure. The answer carries the management-level warning (never a refusal).
#[utoipa::path(post, path = "/api/risk-points/{id}/measures", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)), request_body = MeasureBody,
    responses((status = 201, body = MeasuresDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_measure(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<MeasureBody>,
) -> ApiResult<(StatusCode, Json<MeasuresDto>)> {
    me.require("risk:measure:add")?;
    s.store
        .create_control_measure(id, b.input(), &me.scope, s.clock.now())
        .await?;
    Ok((StatusCode::CREATED, Json(measures_dto(&s, &me, id).await?)))
}

/// Replace a control measure.
#[utoipa::path(put, path = "/api/risk-points/{id}/measures/{measureId}", tag = "risk", security(("bearer" = [])),
    params(("id" = i64, Path), ("measureId" = i64, Path)), request_body = MeasureBody,
    responses((status = 200, body = MeasuresDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_measure(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(raw): Path<(String, String)>,
    ApiJson(b): ApiJson<MeasureBody>,
) -> ApiResult<Json<MeasuresDto>> {
    me.require("risk:measure:edit")?;
    let (id, mid) = two_ids(raw)?;
    s.store
        .update_control_measure(id, mid, b.input(), &me.scope, s.clock.now())
        .await?;
    Ok(Json(measures_dto(&s, &me, id).await?))
}

/// Delete a control measure.
#[utoipa::path(delete, path = "/api/risk-points/{id}/measures/{measureId}", tag = "risk", security(("bearer" = [])),
    params(("id" = i64, Path), ("measureId" = i64, Path)),
    responses((status = 200, body = MeasuresDto), (status = 404, body = ErrorBody)))]
pub async fn delete_measure(
    State(s): State<AppState>,
    me: CurrentUser,
    Path(raw): Path<(String, String)>,
) -> ApiResult<Json<MeasuresDto>> {
    me.require("risk:measure:remove")?;
    let (id, mid) = two_ids(raw)?;
    s.store.delete_control_measure(id, mid, &me.scope).await?;
    Ok(Json(measures_dto(&s, &me, id).await?))
}

// ---------------------------------------------------------------- four-colour list

/// Four-colour list parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RiskListQuery {
    /// Enterprise (default: every enterprise in scope).
    pub enterprise_id: Option<i64>,
    /// Show the levels as of the end of this date (`YYYY-MM-DD`, Asia/Shanghai); default now.
    pub as_of: Option<String>,
}

/// One row of the four-colour list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskListRowDto {
    /// The point (current state).
    pub point: RiskPointDto,
    /// Level as of the list's date (`null`: not assessed by then).
    pub level: Option<String>,
    /// Its colour.
    pub colour: Option<String>,
    /// The point's control measures (current).
    pub measures: Vec<MeasureDto>,
}

/// The four-colour list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskListDto {
    /// The date the levels are shown as of (`null` = now).
    pub as_of: Option<String>,
    /// Number of points per level as of that date: `major`, `high`, `medium`, `low`, `none`.
    pub counts: std::collections::BTreeMap<String, u64>,
    /// Rows, highest level first.
    pub rows: Vec<RiskListRowDto>,
}

async fn risk_list_dto(
    s: &AppState,
    me: &CurrentUser,
    q: &RiskListQuery,
) -> ApiResult<RiskListDto> {
    let now = s.clock.now();
    let as_of = match nonblank(&q.as_of) {
        Some(d) => {
            let d = parse_day("asOf", &d)?;
            if d > rc::shanghai_date(now) {
                return Err(ApiError::invalid(
                    "asOf",
                    "统计日期不得晚于今天 / must not be in the future",
                ));
            }
            Some(d)
        }
        None => None,
    };
    let rows = s
        .store
        .risk_list(q.enterprise_id, as_of, &me.scope, LIST_MAX_ROWS)
        .await?;
    let mut counts: std::collections::BTreeMap<String, u64> =
        ["major", "high", "medium", "low", "none"]
            .into_iter()
            .map(|k| (k.to_owned(), 0))
            .collect();
    let rows: Vec<RiskListRowDto> = rows
        .into_iter()
        .map(|r| {
            let key = r.level.map(level_str).unwrap_or("none");
            *counts.entry(key.to_owned()).or_default() += 1;
            RiskListRowDto {
                level: r.level.map(|l| level_str(l).to_owned()),
                colour: r.level.map(|l| colour_name(colour_of(l)).to_owned()),
                measures: r.measures.into_iter().map(measure_dto).collect(),
                point: point_dto(r.view, now),
            }
        })
        .collect();
    Ok(RiskListDto {
        as_of: as_of.map(|d| d.to_string()),
        counts,
        rows,
    })
}

fn colour_name(c: Colour) -> &'static str {
    match c {
        Colour::Red => "red",
        Colour::Orange => "orange",
        Colour::Yellow => "yellow",
        Colour::Blue => "blue",
    }
}

/// The enterprise's four-colour risk list (四色风险清单), optionally as of a past date: each
/// point's level then is replayed from the level-change log.
#[utoipa::path(get, path = "/api/risk-list", tag = "risk", security(("bearer" = [])), params(RiskListQuery),
    responses((status = 200, body = RiskListDto), (status = 422, body = ErrorBody)))]
pub async fn risk_list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<RiskListQuery>,
) -> ApiResult<Json<RiskListDto>> {
    me.require("risk:point:query")?;
    Ok(Json(risk_list_dto(&s, &me, &q).await?))
}

/// The four-colour list as an xlsx workbook: one row per point, the level cell filled with its
/// colour.
#[utoipa::path(get, path = "/api/risk-list/export", tag = "risk", security(("bearer" = [])), params(RiskListQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 422, body = ErrorBody)))]
pub async fn export_risk_list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<RiskListQuery>,
) -> ApiResult<Response> {
    me.require("risk:point:export")?;
    let list = risk_list_dto(&s, &me, &q).await?;
    let bytes = list_xlsx(&list).map_err(|e| ApiError::Internal(e.to_string()))?;
    let name = match &list.as_of {
        Some(d) => format!("四色风险清单-{d}.xlsx"),
        None => "四色风险清单.xlsx".to_owned(),
    };
    Ok(attachment(bytes, XLSX, "risk-list", &name))
}

fn list_xlsx(list: &RiskListDto) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("四色风险清单")?;
    let title = match &list.as_of {
        Some(d) => format!("四色风险清单（截至 {d}）"),
        None => "四色风险清单".to_owned(),
    };
    ws.write_string_with_format(0, 0, title, &Format::new().set_bold().set_font_size(14))?;
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(0xDDEBF7));
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let cols: [(&str, f64); 12] = [
        ("企业", 24.0),
        ("编号", 12.0),
        ("风险点", 20.0),
        ("类型", 10.0),
        ("位置", 16.0),
        ("危险有害因素", 28.0),
        ("可能导致的事故", 24.0),
        ("风险等级", 12.0),
        ("风险值", 8.0),
        ("管控措施", 48.0),
        ("责任人", 10.0),
        ("下次复评", 12.0),
    ];
    for (i, (h, w)) in cols.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, *h, &header)?;
        ws.set_column_width(i as u16, *w)?;
    }
    ws.set_freeze_panes(2, 0)?;
    for (r, row) in list.rows.iter().enumerate() {
        let r = r as u32 + 2;
        let p = &row.point;
        let hazards = p
            .hazard_factors
            .iter()
            .map(|c| hazard_label(c))
            .collect::<Vec<_>>()
            .join("；");
        let accidents = p
            .accident_types
            .iter()
            .map(|c| accident_label(c))
            .collect::<Vec<_>>()
            .join("、");
        let measures = row
            .measures
            .iter()
            .map(|m| {
                format!(
                    "[{}/{}] {}",
                    MeasureKind::parse(&m.kind)
                        .map(|k| k.name_zh())
                        .unwrap_or(""),
                    ManagementLevel::parse(&m.management_level)
                        .map(|k| k.name_zh())
                        .unwrap_or(""),
                    m.content
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let texts = [
            p.enterprise_name.clone().unwrap_or_default(),
            p.code.clone(),
            p.name.clone(),
            RiskPointKind::parse(&p.kind)
                .map(|k| k.name_zh().to_owned())
                .unwrap_or_default(),
            p.location.clone().unwrap_or_default(),
            hazards,
            accidents,
        ];
        for (c, t) in texts.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, t, &cell)?;
        }
        let level = row.level.as_deref().and_then(parse_level);
        let (text, fill, font) = match level {
            Some(l) => {
                let (bg, fg) = match colour_of(l) {
                    Colour::Red => (0xE53935, 0xFFFFFF),
                    Colour::Orange => (0xFB8C00, 0xFFFFFF),
                    Colour::Yellow => (0xFDD835, 0x000000),
                    Colour::Blue => (0x1E88E5, 0xFFFFFF),
                };
                (
                    format!("{}（{}）", l.name_zh(), colour_of(l).name_zh()),
                    Some(bg),
                    fg,
                )
            }
            None => ("未评估".to_owned(), None, 0x000000),
        };
        let mut lf = cell.clone().set_font_color(Color::RGB(font)).set_bold();
        if let Some(bg) = fill {
            lf = lf.set_background_color(Color::RGB(bg));
        }
        ws.write_string_with_format(r, 7, text, &lf)?;
        match (level.is_some() && list.as_of.is_none(), p.value) {
            (true, Some(v)) => ws.write_number_with_format(r, 8, v, &cell)?,
            _ => ws.write_string_with_format(r, 8, "", &cell)?,
        };
        ws.write_string_with_format(r, 9, measures, &cell)?;
        ws.write_string_with_format(
            r,
            10,
            p.responsible_person.clone().unwrap_or_default(),
            &cell,
        )?;
        ws.write_string_with_format(r, 11, p.next_review_due.clone().unwrap_or_default(), &cell)?;
    }
    wb.save_to_buffer()
}

// ---------------------------------------------------------------- card

fn hazard_label(code: &str) -> String {
    match hazard_factor::lookup(code) {
        Some(h) => format!("{code} {}", h.name),
        None => code.to_owned(),
    }
}

fn accident_label(code: &str) -> String {
    classification::Scheme::of_code(code)
        .and_then(|s| classification::lookup(s, code))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| code.to_owned())
}

/// A code with its name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeName {
    /// Code.
    pub code: String,
    /// Name from the standard's table (the code itself when unknown).
    pub name: String,
}

/// The risk notification card (风险告知卡).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskCardDto {
    /// The point.
    pub point: RiskPointDto,
    /// Level name, e.g. `重大风险`, or `未评估`.
    pub level_name: String,
    /// Hazardous factors (GB/T 13861-2022) with names.
    pub hazards: Vec<CodeName>,
    /// Possible accident types (GB 6441) with names.
    pub accident_types: Vec<CodeName>,
    /// Control measures.
    pub measures: Vec<MeasureDto>,
    /// The console URL the QR code encodes: `{base}/risk/point/{id}`.
    pub url: String,
    /// The QR code of `url` as an SVG document.
    pub qr_svg: String,
}

fn public_base(param: Option<String>, headers: &HeaderMap) -> String {
    if let Some(p) = param
        .map(|p| p.trim().trim_end_matches('/').to_owned())
        .filter(|p| p.starts_with("http://") || p.starts_with("https://"))
    {
        return p;
    }
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| {
                !v.is_empty()
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            })
            .map(str::to_owned)
    };
    let proto = h("x-forwarded-proto")
        .filter(|p| p == "http" || p == "https")
        .unwrap_or_else(|| "http".into());
    let host = h("x-forwarded-host")
        .or_else(|| h("host"))
        .unwrap_or_else(|| "localhost".into());
    format!("{proto}://{host}")
}

/// Renders `text` as a QR code SVG (error correction M).
fn qr_svg(text: &str) -> ApiResult<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The data of a point's risk notification card: hazards, consequences, measures, emergency
/// actions and contacts, and a QR code (SVG) of the console URL `/risk/point/{id}` made absolute
/// with the `sys.publicUrl` parameter, else the request's `X-Forwarded-Proto`/`X-Forwarded-Host`
/// or `Host`.
#[utoipa::path(get, path = "/api/risk-points/{id}/card", tag = "risk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RiskCardDto), (status = 404, body = ErrorBody)))]
pub async fn card(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    headers: HeaderMap,
) -> ApiResult<Json<RiskCardDto>> {
    me.require("risk:point:query")?;
    let now = s.clock.now();
    let v = s.store.get_risk_point(id, &me.scope).await?;
    let measures = s.store.list_control_measures(id, &me.scope).await?;
    let base = public_base(s.store.param_value(PUBLIC_URL_PARAM).await?, &headers);
    let url = format!("{base}/risk/point/{id}");
    let point = point_dto(v, now);
    Ok(Json(RiskCardDto {
        level_name: point
            .level
            .as_deref()
            .and_then(parse_level)
            .map(|l| l.name_zh().to_owned())
            .unwrap_or_else(|| "未评估".into()),
        hazards: point
            .hazard_factors
            .iter()
            .map(|c| CodeName {
                code: c.clone(),
                name: hazard_factor::lookup(c)
                    .map(|h| h.name.clone())
                    .unwrap_or_else(|| c.clone()),
            })
            .collect(),
        accident_types: point
            .accident_types
            .iter()
            .map(|c| CodeName {
                code: c.clone(),
                name: accident_label(c),
            })
            .collect(),
        measures: measures.into_iter().map(measure_dto).collect(),
        qr_svg: qr_svg(&url)?,
        url,
        point,
    }))
}

// ---------------------------------------------------------------- reviews, scales

/// Review schedule filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `overdue` (default) or `soon` (due within 7 days).
    pub due: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
}

/// The review schedule (复评计划): active risk points whose re-assessment is overdue or due
/// within 7 days at the server's time, earliest due first.
#[utoipa::path(get, path = "/api/risk-reviews", tag = "risk", security(("bearer" = [])), params(ReviewQuery),
    responses((status = 200, body = PageResult<RiskPointDto>), (status = 422, body = ErrorBody)))]
pub async fn reviews(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> ApiResult<Json<PageResult<RiskPointDto>>> {
    me.require("risk:review:query")?;
    let now = s.clock.now();
    let filter = RiskPointFilter {
        enterprise_id: q.enterprise_id,
        review_due: Some(review_due("due", &q.due)?.unwrap_or(ReviewDue::Overdue)),
        ..Default::default()
    };
    let p = s
        .store
        .list_risk_points(&filter, &me.scope, page_of(q.page_num, q.page_size)?, now)
        .await?;
    Ok(Json(PageResult::from_page(p, |v| point_dto(v, now))))
}

/// One value of a scale with its meaning.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScaleItem {
    /// The value.
    pub value: f64,
    /// Its meaning, e.g. `相当可能`.
    pub meaning: String,
}

/// The assessment scales and rules the console shows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskScalesDto {
    /// LEC L scale.
    pub lec_l: Vec<ScaleItem>,
    /// LEC E scale.
    pub lec_e: Vec<ScaleItem>,
    /// LEC C scale.
    pub lec_c: Vec<ScaleItem>,
    /// LEC D bands in words.
    pub lec_bands: String,
    /// L × S likelihood 1..=5 labels.
    pub ls_l: Vec<ScaleItem>,
    /// L × S severity 1..=5 labels.
    pub ls_s: Vec<ScaleItem>,
    /// L × S bands in words.
    pub ls_bands: String,
    /// Review cycles in force, months.
    pub review_cycles: ReviewCycles,
    /// Minimum management level by risk level (`major` → `company`, ...).
    pub min_management_level: std::collections::BTreeMap<String, ManagementLevel>,
}

/// The LEC and L × S scales with their meanings (standards.md §A4), the review cycles and the
/// graded-control rule, for the assessment dialog.
#[utoipa::path(get, path = "/api/risk-scales", tag = "risk", security(("bearer" = [])),
    responses((status = 200, body = RiskScalesDto), (status = 401, body = ErrorBody)))]
pub async fn scales(State(s): State<AppState>, _me: CurrentUser) -> ApiResult<Json<RiskScalesDto>> {
    use anjian_domain::standards::risk::{LecConfig, MatrixConfig};
    let items = |v: &[anjian_domain::standards::risk::ScaleValue]| {
        v.iter()
            .map(|x| ScaleItem {
                value: x.value,
                meaning: x.meaning.clone(),
            })
            .collect::<Vec<_>>()
    };
    let labels = |v: &[String; 5]| {
        v.iter()
            .enumerate()
            .map(|(i, m)| ScaleItem {
                value: i as f64 + 1.0,
                meaning: m.clone(),
            })
            .collect::<Vec<_>>()
    };
    let sc = lec_scales();
    let ml = matrix_labels();
    Ok(Json(RiskScalesDto {
        lec_l: items(&sc.l),
        lec_e: items(&sc.e),
        lec_c: items(&sc.c),
        lec_bands: LecConfig::default().describe(),
        ls_l: labels(&ml.likelihood),
        ls_s: labels(&ml.severity),
        ls_bands: MatrixConfig::default().describe(),
        review_cycles: s.store.risk_review_cycles().await?,
        min_management_level: RiskLevel::ALL
            .iter()
            .map(|l| (level_str(*l).to_owned(), rc::min_management_level(*l)))
            .collect(),
    }))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_points, create_point))
        .routes(routes!(get_point, update_point, delete_point))
        .routes(routes!(assess))
        .routes(routes!(history))
        .routes(routes!(list_measures, create_measure))
        .routes(routes!(update_measure, delete_measure))
        .routes(routes!(card))
        .routes(routes!(risk_list))
        .routes(routes!(export_risk_list))
        .routes(routes!(reviews))
        .routes(routes!(scales))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_base_prefers_param_then_forwarded_then_host() {
        let mut h = HeaderMap::new();
        h.insert("host", "10.0.0.1:8080".parse().unwrap());
        assert_eq!(public_base(None, &h), "http://10.0.0.1:8080");
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        h.insert("x-forwarded-host", "aj.example.cn, proxy".parse().unwrap());
        assert_eq!(public_base(None, &h), "https://aj.example.cn");
        assert_eq!(
            public_base(Some("https://x.gov.cn/".into()), &h),
            "https://x.gov.cn"
        );
        // A junk param or header is ignored.
        assert_eq!(
            public_base(Some("ftp://x".into()), &h),
            "https://aj.example.cn"
        );
        h.insert("x-forwarded-host", "evil\"host".parse().unwrap());
        assert_eq!(public_base(None, &h), "https://10.0.0.1:8080");
    }

    #[test]
    fn qr_is_svg() {
        let s = qr_svg("http://localhost/risk/point/1").unwrap();
        assert!(s.contains("<svg") && s.contains("</svg>"));
    }
}
