//! The dynamic enterprise risk (企业动态风险, `docs/dynamic-risk.md`): the ranking, one
//! enterprise's current risk with its breakdown, its history, and a recomputation on demand.
//!
//! Scores are points (integers), computed from the weights in the system parameter
//! `risk.dynamicWeights` — a platform default, not a regulation. Data scope: an enterprise
//! outside the caller's scope is 404 and absent from the ranking; an enterprise manager sees only
//! their own enterprise.

use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Id};
use anjian_domain::situation::BreakdownItem;
use anjian_domain::standards::risk::{Colour, RiskLevel};
use anjian_store::enterprise_risk::{EnterpriseRiskFilter, EnterpriseRiskView, RiskHistoryRow};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Permission of the ranking.
pub const LIST: &str = "situation:risk:list";
/// Permission of one enterprise's risk and history.
pub const QUERY: &str = "situation:risk:query";
/// Permission of a recomputation on demand.
pub const RECOMPUTE: &str = "situation:risk:recompute";

/// Most enterprise ids one recomputation request may name.
pub const MAX_RECOMPUTE_IDS: usize = 10_000;

/// An enterprise's current dynamic risk.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseRiskDto {
    /// Enterprise id.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: String,
    /// Its region.
    pub region_id: i64,
    /// The region's name.
    pub region_name: Option<String>,
    /// inherent + live, points.
    pub score: i64,
    /// `major` (红), `high` (橙), `medium` (黄) or `low` (蓝), by the score and `levels` weights.
    pub level: RiskLevel,
    /// The level's colour.
    pub colour: Colour,
    /// Installations and risk points, points.
    pub inherent_score: i64,
    /// Active alarms, overdue and major hidden dangers, recent accidents, points (each capped).
    pub live_score: i64,
    /// Why: one item per cause, live first.
    pub breakdown: Vec<BreakdownItem>,
    /// Chinese summary, e.g. `橙色：1 条高高报警活动中：T-101 反应器压力 2950 kPa；2 条隐患逾期未整改`.
    pub summary: String,
    /// When last computed, RFC 3339.
    pub computed_at: DateTime<Utc>,
    /// When the score or level last changed, RFC 3339.
    pub changed_at: DateTime<Utc>,
}

impl From<EnterpriseRiskView> for EnterpriseRiskDto {
    fn from(v: EnterpriseRiskView) -> Self {
        Self {
            enterprise_id: v.enterprise_id,
            enterprise_name: v.enterprise_name,
            region_id: v.region_id,
            region_name: v.region_name,
            score: v.score,
            level: v.level,
            colour: v.level.standard_colour(),
            inherent_score: v.inherent_score,
            live_score: v.live_score,
            breakdown: v.breakdown,
            summary: v.summary,
            computed_at: v.computed_at,
            changed_at: v.changed_at,
        }
    }
}

/// One change of an enterprise's risk.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RiskHistoryDto {
    /// Row id.
    pub id: i64,
    /// When computed, RFC 3339.
    pub computed_at: DateTime<Utc>,
    /// Score, points.
    pub score: i64,
    /// Level.
    pub level: RiskLevel,
    /// The breakdown then.
    pub breakdown: Vec<BreakdownItem>,
    /// The summary then.
    pub summary: String,
    /// What caused it: `startup`, `alarm`, `hidden_danger`, `risk_point`, `installation`,
    /// `schedule` (a deadline passed), `manual`.
    pub trigger: String,
}

impl From<RiskHistoryRow> for RiskHistoryDto {
    fn from(h: RiskHistoryRow) -> Self {
        Self {
            id: h.id,
            computed_at: h.computed_at,
            score: h.score,
            level: h.level,
            breakdown: h.breakdown,
            summary: h.summary,
            trigger: h.trigger,
        }
    }
}

/// Ranking filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// `major`, `high`, `medium` or `low`.
    pub level: Option<String>,
    /// A region: it and everything under it.
    pub region_id: Option<i64>,
    /// Part of the enterprise name.
    pub name: Option<String>,
    /// One enterprise.
    pub enterprise_id: Option<i64>,
    /// 1-based page number (default 1).
    pub page_num: Option<u64>,
    /// Rows per page, 1..=500 (default 10).
    pub page_size: Option<u64>,
}

fn parse_level(field: &str, v: &str) -> ApiResult<RiskLevel> {
    match v.trim() {
        "major" => Ok(RiskLevel::Major),
        "high" => Ok(RiskLevel::High),
        "medium" => Ok(RiskLevel::Medium),
        "low" => Ok(RiskLevel::Low),
        _ => Err(ApiError::invalid(
            field,
            "须为 major、high、medium 或 low / must be major, high, medium or low",
        )),
    }
}

/// The ranking of enterprises by dynamic risk within the caller's data scope: highest score
/// first. Needs `situation:risk:list`.
#[utoipa::path(get, path = "/api/enterprise-risks", tag = "situation", security(("bearer" = [])), params(RankingQuery),
    responses((status = 200, body = PageResult<EnterpriseRiskDto>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ranking(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<RankingQuery>,
) -> ApiResult<Json<PageResult<EnterpriseRiskDto>>> {
    me.require(LIST)?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let level = match q.level.as_deref().filter(|l| !l.trim().is_empty()) {
        Some(l) => Some(parse_level("level", l)?),
        None => None,
    };
    let filter = EnterpriseRiskFilter {
        level,
        region_id: q.region_id,
        name: q.name,
        enterprise_id: q.enterprise_id,
    };
    let p = s
        .store
        .list_enterprise_risks(&filter, page, &me.scope)
        .await?;
    Ok(Json(PageResult::from_page(p, EnterpriseRiskDto::from)))
}

/// One enterprise's current dynamic risk with its breakdown (404 outside the caller's scope).
/// Before the first recomputation it is computed on the fly. Needs `situation:risk:query`.
#[utoipa::path(get, path = "/api/enterprises/{id}/risk", tag = "situation", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseRiskDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn current(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<EnterpriseRiskDto>> {
    me.require(QUERY)?;
    let v = s
        .store
        .enterprise_risk(id, &me.scope, s.clock.now())
        .await?;
    Ok(Json(v.into()))
}

/// History query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// From this time on, RFC 3339.
    pub from: Option<DateTime<Utc>>,
    /// Up to this time, RFC 3339.
    pub to: Option<DateTime<Utc>>,
    /// 1-based page number (default 1).
    pub page_num: Option<u64>,
    /// Rows per page, 1..=500 (default 10).
    pub page_size: Option<u64>,
}

/// The changes of an enterprise's dynamic risk (a row whenever the score or level changed),
/// newest first. Needs `situation:risk:query`.
#[utoipa::path(get, path = "/api/enterprises/{id}/risk/history", tag = "situation", security(("bearer" = [])), params(("id" = i64, Path), HistoryQuery),
    responses((status = 200, body = PageResult<RiskHistoryDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn history(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<PageResult<RiskHistoryDto>>> {
    me.require(QUERY)?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    if let (Some(f), Some(t)) = (q.from, q.to)
        && f > t
    {
        return Err(ApiError::invalid(
            "to",
            "不能早于 from / must not be before from",
        ));
    }
    let p = s
        .store
        .enterprise_risk_history(id, q.from, q.to, page, &me.scope)
        .await?;
    Ok(Json(PageResult::from_page(p, RiskHistoryDto::from)))
}

/// Which enterprises to recompute.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecomputeBody {
    /// Enterprise ids (at most 10,000); absent or `null`: every enterprise in the caller's scope.
    pub enterprise_ids: Option<Vec<i64>>,
}

/// What a recomputation did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecomputeResult {
    /// Enterprises computed.
    pub count: u64,
    /// Of them, those whose score or level changed.
    pub changed: u64,
}

/// Recompute the dynamic risk now (trigger `manual`): of the enterprises named, or of every
/// enterprise in the caller's scope when the body is empty. Ids outside the scope are skipped.
/// Needs `situation:risk:recompute`.
#[utoipa::path(post, path = "/api/enterprise-risks/recompute", tag = "situation", security(("bearer" = [])), request_body(content = RecomputeBody, description = "optional"),
    responses((status = 200, body = RecomputeResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn recompute(
    State(s): State<AppState>,
    me: CurrentUser,
    body: axum::body::Bytes,
) -> ApiResult<Json<RecomputeResult>> {
    me.require(RECOMPUTE)?;
    let b: RecomputeBody = if body.iter().all(u8::is_ascii_whitespace) {
        RecomputeBody::default()
    } else {
        crate::extract::decode_json(&body)?
    };
    if let Some(ids) = &b.enterprise_ids {
        if ids.len() > MAX_RECOMPUTE_IDS {
            return Err(ApiError::invalid(
                "enterpriseIds",
                format!("最多 {MAX_RECOMPUTE_IDS} 个 / at most {MAX_RECOMPUTE_IDS} ids"),
            ));
        }
        if let Some(i) = ids.iter().position(|id| *id <= 0) {
            return Err(ApiError::invalid(
                &format!("enterpriseIds[{i}]"),
                "须为正整数 / must be a positive id",
            ));
        }
    }
    let ids = if me.scope.is_all() && b.enterprise_ids.is_none() {
        None
    } else {
        Some(
            s.store
                .visible_enterprise_ids(b.enterprise_ids.as_deref(), &me.scope)
                .await?,
        )
    };
    if ids.as_ref().is_some_and(Vec::is_empty) {
        return Ok(Json(RecomputeResult {
            count: 0,
            changed: 0,
        }));
    }
    let o = s
        .store
        .recompute_enterprise_risks(ids.as_deref(), "manual", s.clock.now())
        .await?;
    Ok(Json(RecomputeResult {
        count: o.computed,
        changed: o.changed,
    }))
}

/// The dynamic-risk routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ranking))
        .routes(routes!(current))
        .routes(routes!(history))
        .routes(routes!(recompute))
}
