//! The city situation (态势感知): the dashboard (态势总览) and the large screen read
//! `/api/situation/*`; region statistics (区域统计) are `/api/stats/regions`, also meant for other
//! systems (shape in `docs/dashboard.md`).
//!
//! Every answer is limited to the caller's data scope and, with `regionId`, to that region and
//! everything under it. Levels are the dynamic enterprise risk (`major` 红 / `high` 橙 /
//! `medium` 黄 / `low` 蓝; `null` = 未评估). Alarm times are ms since the Unix epoch; dates are
//! `YYYY-MM-DD` calendar days in Asia/Shanghai; hidden-danger times are RFC 3339 UTC.
//! An active alarm is `active AND ended_at IS NULL AND state NOT IN (shelved, suppressed,
//! out_of_service)`.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiQuery;
use anjian_store::situation::{
    self as st, FeedAlarm, KeyCount, MapPoint, OverdueHiddenDanger, Period, RegionCounts,
    RegionOutline, RegionStatRow, SituationFilter, TopRisk, TrendDay,
};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Permission of the dashboard endpoints (态势总览, large screen).
pub const DASHBOARD: &str = "situation:dashboard:list";
/// Permission of the region statistics.
pub const STATS: &str = "situation:stats:list";
/// Longest statistics period, days.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Longest trend, days.
pub const MAX_TREND_DAYS: u32 = 90;
/// Longest feed / list.
pub const MAX_LIMIT: u64 = 100;

/// The region filter shared by every endpoint.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// Only enterprises in this region (district, street or grid) or below.
    pub region_id: Option<i64>,
}

impl RegionQuery {
    fn filter(&self) -> ApiResult<SituationFilter> {
        region_filter(self.region_id)
    }
}

fn region_filter(region_id: Option<i64>) -> ApiResult<SituationFilter> {
    if let Some(r) = region_id
        && r <= 0
    {
        return Err(ApiError::invalid(
            "regionId",
            "须为正整数 / must be a positive integer",
        ));
    }
    Ok(SituationFilter { region_id })
}

/// A region filter and a list length.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    /// Only enterprises in this region or below.
    pub region_id: Option<i64>,
    /// Rows, 1..=100 (default 20; top risks default 10).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u64>,
}

impl LimitQuery {
    fn limit(&self, default: u64) -> ApiResult<u64> {
        match self.limit {
            None => Ok(default),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::invalid(
                "limit",
                format!("须在 1..={MAX_LIMIT} 之间 / must be 1..={MAX_LIMIT}"),
            )),
        }
    }
}

/// An enterprise on the map.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MapPointDto {
    /// Enterprise id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// WGS 84 longitude, degrees (null: no position registered).
    pub lon: Option<f64>,
    /// WGS 84 latitude, degrees.
    pub lat: Option<f64>,
    /// Dynamic risk level `major` / `high` / `medium` / `low`; null = not assessed (未评估, grey).
    pub level: Option<String>,
    /// Dynamic risk score, points; null = not assessed.
    pub score: Option<i32>,
    /// The enterprise's region.
    pub region_id: i64,
    /// Its district.
    pub district_id: i64,
    /// Supervision category code (dictionary `supervision_category`).
    pub category: String,
}

impl From<MapPoint> for MapPointDto {
    fn from(p: MapPoint) -> Self {
        Self {
            id: p.id,
            name: p.name,
            lon: p.longitude,
            lat: p.latitude,
            level: p.level,
            score: p.score,
            region_id: p.region_id,
            district_id: p.district_id,
            category: p.category,
        }
    }
}

/// A region outline.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OutlineDto {
    /// Region id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `district`, `street` or `grid`.
    pub level: String,
    /// Parent region.
    pub parent_id: Option<i64>,
    /// GeoJSON geometry (`Polygon` / `MultiPolygon`, WGS 84 degrees).
    #[schema(value_type = Object)]
    pub boundary: serde_json::Value,
}

impl From<RegionOutline> for OutlineDto {
    fn from(r: RegionOutline) -> Self {
        Self {
            id: r.id,
            name: r.name,
            level: r.level,
            parent_id: r.parent_id,
            boundary: serde_json::from_str(&r.boundary).unwrap_or_default(),
        }
    }
}

/// The map: every visible enterprise and the region outlines.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MapDto {
    /// Enterprises (also those without a position: `lon`/`lat` null).
    pub enterprises: Vec<MapPointDto>,
    /// Regions with an outline.
    pub regions: Vec<OutlineDto>,
}

/// Map of the visible enterprises coloured by dynamic risk level, with the region outlines.
#[utoipa::path(get, path = "/api/situation/map", tag = "situation", security(("bearer" = [])), params(RegionQuery),
    responses((status = 200, body = MapDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn map(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> ApiResult<Json<MapDto>> {
    me.require(DASHBOARD)?;
    let (points, outlines) = s.store.situation_map(&q.filter()?, &me.scope).await?;
    Ok(Json(MapDto {
        enterprises: points.into_iter().map(Into::into).collect(),
        regions: outlines.into_iter().map(Into::into).collect(),
    }))
}

/// A count under a key.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyCountDto {
    /// Key (category code, level or `none`, priority, installation grade `1`..`4`).
    pub key: String,
    /// Count.
    pub count: u64,
}

fn keys(v: Vec<KeyCount>) -> Vec<KeyCountDto> {
    v.into_iter()
        .map(|k| KeyCountDto {
            key: k.key,
            count: k.count,
        })
        .collect()
}

/// Counts of one region.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionCountsDto {
    /// Region id.
    pub region_id: i64,
    /// Name.
    pub name: String,
    /// Enterprises.
    pub enterprises: u64,
    /// At dynamic level major.
    pub major: u64,
    /// High.
    pub high: u64,
    /// Medium.
    pub medium: u64,
    /// Low.
    pub low: u64,
    /// Not assessed.
    pub unassessed: u64,
    /// Active alarms now.
    pub active_alarms: u64,
    /// Open hidden dangers now.
    pub open_hidden_dangers: u64,
    /// Overdue hidden dangers now.
    pub overdue_hidden_dangers: u64,
}

impl From<RegionCounts> for RegionCountsDto {
    fn from(c: RegionCounts) -> Self {
        Self {
            region_id: c.region_id,
            name: c.name,
            enterprises: c.enterprises,
            major: c.major,
            high: c.high,
            medium: c.medium,
            low: c.low,
            unassessed: c.unassessed,
            active_alarms: c.active_alarms,
            open_hidden_dangers: c.open_hidden_dangers,
            overdue_hidden_dangers: c.overdue_hidden_dangers,
        }
    }
}

/// The dashboard's headline figures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SummaryDto {
    /// Visible enterprises.
    pub enterprises: u64,
    /// By district (with `regionId`: by the region's child regions; enterprises registered on
    /// the region itself count under its own id).
    pub by_region: Vec<RegionCountsDto>,
    /// By supervision category code.
    pub by_category: Vec<KeyCountDto>,
    /// By dynamic-risk level: `major`, `high`, `medium`, `low`, `none` (未评估).
    pub by_level: Vec<KeyCountDto>,
    /// Active alarms now.
    pub active_alarms: u64,
    /// Active alarms by priority `critical`, `high`, `medium`, `low`.
    pub active_alarms_by_priority: Vec<KeyCountDto>,
    /// Open hidden dangers (reported, confirmed, assigned, in remediation, submitted).
    pub open_hidden_dangers: u64,
    /// Of them major (重大隐患).
    pub open_major_hidden_dangers: u64,
    /// Overdue hidden dangers now.
    pub overdue_hidden_dangers: u64,
    /// Major hazard installations by grade `1` (一级, highest) … `4`.
    pub installations_by_grade: Vec<KeyCountDto>,
    /// Major hazard installations in all.
    pub major_installations: u64,
}

/// Headline figures: enterprises by district, supervision category and dynamic-risk level;
/// active alarms; open, major and overdue hidden dangers; major hazard installations by grade.
#[utoipa::path(get, path = "/api/situation/summary", tag = "situation", security(("bearer" = [])), params(RegionQuery),
    responses((status = 200, body = SummaryDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn summary(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> ApiResult<Json<SummaryDto>> {
    me.require(DASHBOARD)?;
    let v = s
        .store
        .situation_summary(&q.filter()?, &me.scope, s.clock.now())
        .await?;
    Ok(Json(SummaryDto {
        enterprises: v.enterprises,
        by_region: v.by_region.into_iter().map(Into::into).collect(),
        by_category: keys(v.by_category),
        by_level: keys(v.by_level),
        active_alarms: v.active_alarms,
        active_alarms_by_priority: keys(v.active_alarms_by_priority),
        open_hidden_dangers: v.open_hidden_dangers,
        open_major_hidden_dangers: v.open_major_hidden_dangers,
        overdue_hidden_dangers: v.overdue_hidden_dangers,
        installations_by_grade: keys(v.installations_by_grade),
        major_installations: v.major_installations,
    }))
}

/// An active alarm in the feed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedAlarmDto {
    /// Alarm id.
    pub id: i64,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// Sensor.
    pub sensor_id: Option<i64>,
    /// Sensor name.
    pub sensor_name: Option<String>,
    /// Unit of `lastValue`.
    pub unit: Option<String>,
    /// Source (sensor or device code).
    pub source: String,
    /// Condition (`high_high`, `high`, `low`, `low_low`, `offline`, …).
    pub condition: String,
    /// `critical`, `high`, `medium`, `low`.
    pub priority: String,
    /// ISA-18.2 state.
    pub state: String,
    /// Started, ms since the epoch.
    pub started_at: i64,
    /// Latest value, in `unit`.
    pub last_value: Option<f64>,
}

impl From<FeedAlarm> for FeedAlarmDto {
    fn from(a: FeedAlarm) -> Self {
        Self {
            id: a.id,
            enterprise_id: a.enterprise_id,
            enterprise_name: a.enterprise_name,
            sensor_id: a.sensor_id,
            sensor_name: a.sensor_name,
            unit: a.unit,
            source: a.source,
            condition: a.condition,
            priority: a.priority,
            state: a.state,
            started_at: a.started_at,
            last_value: a.last_value,
        }
    }
}

/// The live alarm feed.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmFeedDto {
    /// Active alarms in all.
    pub total: u64,
    /// The newest `limit`, newest first.
    pub rows: Vec<FeedAlarmDto>,
}

/// Live feed: the newest active alarms (default 20, at most 100) and the active count. The page
/// refreshes it on every alarm event of `/api/alarms/stream`.
#[utoipa::path(get, path = "/api/situation/alarms", tag = "situation", security(("bearer" = [])), params(LimitQuery),
    responses((status = 200, body = AlarmFeedDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn alarms(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<AlarmFeedDto>> {
    me.require(DASHBOARD)?;
    let limit = q.limit(20)?;
    let (total, rows) = s
        .store
        .situation_alarms(&region_filter(q.region_id)?, &me.scope, limit)
        .await?;
    Ok(Json(AlarmFeedDto {
        total,
        rows: rows.into_iter().map(Into::into).collect(),
    }))
}

/// An overdue hidden danger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueDto {
    /// Record id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// `general` or `major`.
    pub level: String,
    /// Status.
    pub status: String,
    /// Description.
    pub description: String,
    /// Deadline, `YYYY-MM-DD` (end of that day, Asia/Shanghai).
    pub deadline: Option<NaiveDate>,
    /// End of the deadline day, RFC 3339 UTC.
    pub deadline_at: Option<DateTime<Utc>>,
    /// Whole days overdue (0 on the first day).
    pub days_overdue: i64,
}

impl From<OverdueHiddenDanger> for OverdueDto {
    fn from(h: OverdueHiddenDanger) -> Self {
        Self {
            id: h.id,
            code: h.code,
            enterprise_id: h.enterprise_id,
            enterprise_name: h.enterprise_name,
            level: h.level,
            status: h.status,
            description: h.description,
            deadline: h.deadline,
            deadline_at: h.deadline_at,
            days_overdue: h.days_overdue,
        }
    }
}

/// Overdue hidden dangers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OverdueListDto {
    /// Overdue in all.
    pub total: u64,
    /// The most overdue `limit`, most overdue first.
    pub rows: Vec<OverdueDto>,
}

/// The overdue hidden dangers, most overdue first (default 20, at most 100), and how many.
#[utoipa::path(get, path = "/api/situation/overdue-hidden-dangers", tag = "situation", security(("bearer" = [])), params(LimitQuery),
    responses((status = 200, body = OverdueListDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overdue_hidden_dangers(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<OverdueListDto>> {
    me.require(DASHBOARD)?;
    let limit = q.limit(20)?;
    let (total, rows) = s
        .store
        .situation_overdue_hidden_dangers(
            &region_filter(q.region_id)?,
            &me.scope,
            s.clock.now(),
            limit,
        )
        .await?;
    Ok(Json(OverdueListDto {
        total,
        rows: rows.into_iter().map(Into::into).collect(),
    }))
}

/// One of the riskiest enterprises.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TopRiskDto {
    /// Enterprise.
    pub enterprise_id: i64,
    /// Name.
    pub name: String,
    /// Region.
    pub region_id: i64,
    /// Dynamic risk score, points.
    pub score: i32,
    /// Level.
    pub level: String,
    /// The reasons in one line, e.g. `橙色：1 条高高报警（T-101 压力）活动中；2 条隐患逾期`.
    pub summary: String,
    /// The breakdown as computed (see docs/dynamic-risk.md).
    #[schema(value_type = Object)]
    pub breakdown: serde_json::Value,
    /// When computed.
    pub computed_at: DateTime<Utc>,
}

impl From<TopRisk> for TopRiskDto {
    fn from(t: TopRisk) -> Self {
        Self {
            enterprise_id: t.enterprise_id,
            name: t.name,
            region_id: t.region_id,
            score: t.score,
            level: t.level,
            summary: t.summary,
            breakdown: serde_json::from_str(&t.breakdown).unwrap_or_default(),
            computed_at: t.computed_at,
        }
    }
}

/// The riskiest enterprises by dynamic score (default 10, at most 100), with their reasons.
#[utoipa::path(get, path = "/api/situation/top-risks", tag = "situation", security(("bearer" = [])), params(LimitQuery),
    responses((status = 200, body = Vec<TopRiskDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn top_risks(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<LimitQuery>,
) -> ApiResult<Json<Vec<TopRiskDto>>> {
    me.require(DASHBOARD)?;
    let limit = q.limit(10)?;
    let rows = s
        .store
        .situation_top_risks(&region_filter(q.region_id)?, &me.scope, limit)
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Trend parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// Only enterprises in this region or below.
    pub region_id: Option<i64>,
    /// Days ending today (Asia/Shanghai), 1..=90 (default 30).
    #[param(minimum = 1, maximum = 90)]
    pub days: Option<u32>,
}

/// One day.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrendDayDto {
    /// `YYYY-MM-DD` (Asia/Shanghai).
    pub date: NaiveDate,
    /// Alarms started that day.
    pub alarms: u64,
    /// Hidden dangers reported that day.
    pub hidden_dangers_reported: u64,
    /// Hidden dangers closed (销号) that day.
    pub hidden_dangers_closed: u64,
}

impl From<TrendDay> for TrendDayDto {
    fn from(t: TrendDay) -> Self {
        Self {
            date: t.date,
            alarms: t.alarms,
            hidden_dangers_reported: t.hidden_dangers_reported,
            hidden_dangers_closed: t.hidden_dangers_closed,
        }
    }
}

/// Daily alarms and hidden dangers reported / closed over the last `days` days (every day
/// present, oldest first).
#[utoipa::path(get, path = "/api/situation/trends", tag = "situation", security(("bearer" = [])), params(TrendQuery),
    responses((status = 200, body = Vec<TrendDayDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn trends(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> ApiResult<Json<Vec<TrendDayDto>>> {
    me.require(DASHBOARD)?;
    let days = q.days.unwrap_or(30);
    if !(1..=MAX_TREND_DAYS).contains(&days) {
        return Err(ApiError::invalid(
            "days",
            format!("须在 1..={MAX_TREND_DAYS} 之间 / must be 1..={MAX_TREND_DAYS}"),
        ));
    }
    let rows = s
        .store
        .situation_trends(&region_filter(q.region_id)?, &me.scope, days, s.clock.now())
        .await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Map tile settings of the dashboard.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDto {
    /// Leaflet tile URL template (parameter `dashboard.tileUrl`); empty = no tiles, outlines only.
    pub tile_url: String,
    /// Attribution text (parameter `dashboard.tileAttribution`).
    pub tile_attribution: String,
}

/// The map tile settings (parameters `dashboard.tileUrl`, `dashboard.tileAttribution`), readable
/// by everyone who may open the dashboard.
#[utoipa::path(get, path = "/api/situation/settings", tag = "situation", security(("bearer" = [])),
    responses((status = 200, body = SettingsDto), (status = 403, body = ErrorBody)))]
pub async fn settings(State(s): State<AppState>, me: CurrentUser) -> ApiResult<Json<SettingsDto>> {
    me.require(DASHBOARD)?;
    Ok(Json(SettingsDto {
        tile_url: s
            .store
            .param_value("dashboard.tileUrl")
            .await?
            .unwrap_or_default()
            .trim()
            .to_owned(),
        tile_attribution: s
            .store
            .param_value("dashboard.tileAttribution")
            .await?
            .unwrap_or_default(),
    }))
}

/// Region statistics parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Rows are the child regions of this region (default: the districts of the city).
    pub region_id: Option<i64>,
    /// Same as `regionId` (accepted for clients that name it the parent).
    pub parent_id: Option<i64>,
    /// First day of the period, `YYYY-MM-DD` (Asia/Shanghai; default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day of the period, inclusive, `YYYY-MM-DD` (default: today). At most 366 days.
    pub to: Option<String>,
}

fn parse_day(field: &str, v: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        ApiError::invalid(field, "日期格式须为 YYYY-MM-DD / must be a date YYYY-MM-DD")
    })
}

impl StatsQuery {
    fn validate(&self, now: DateTime<Utc>) -> ApiResult<(SituationFilter, Period)> {
        let mut fields = anjian_domain::FieldErrors::new();
        let region = match (self.region_id, self.parent_id) {
            (Some(a), Some(b)) if a != b => {
                fields.insert(
                    "parentId".into(),
                    "与 regionId 不一致 / differs from regionId".into(),
                );
                None
            }
            (a, b) => a.or(b),
        };
        if let Some(r) = region
            && r <= 0
        {
            fields.insert(
                "regionId".into(),
                "须为正整数 / must be a positive integer".into(),
            );
        }
        let mut day = |field: &str, v: &Option<String>| match v {
            None => None,
            Some(v) => match parse_day(field, v) {
                Ok(d) => Some(d),
                Err(_) => {
                    fields.insert(
                        field.into(),
                        "日期格式须为 YYYY-MM-DD / must be a date YYYY-MM-DD".into(),
                    );
                    None
                }
            },
        };
        let to_given = day("to", &self.to);
        let from_given = day("from", &self.from);
        let to = to_given.unwrap_or_else(|| st::local_today(now));
        let from = from_given.unwrap_or(to - Duration::days(29));
        if fields.is_empty() {
            if from > to {
                fields.insert(
                    "to".into(),
                    "结束日期不得早于开始日期 / must not be before from".into(),
                );
            } else if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
                fields.insert(
                    "from".into(),
                    format!(
                        "统计期间最长 {MAX_PERIOD_DAYS} 天 / the period is at most {MAX_PERIOD_DAYS} days"
                    ),
                );
            }
        }
        if !fields.is_empty() {
            return Err(ApiError::Validation(fields));
        }
        Ok((SituationFilter { region_id: region }, Period { from, to }))
    }
}

/// One region's statistics.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionStatDto {
    /// Region id (in `total`: the filter region, 0 for the city).
    pub region_id: i64,
    /// Administrative code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `district`, `street` or `grid`.
    pub level: String,
    /// Enterprises.
    pub enterprises: u64,
    /// Enterprises by dynamic-risk level now: `major`, `high`, `medium`, `low`, `none` (未评估).
    pub risk: RiskDistributionDto,
    /// Major hazard installations by grade now: `[一级, 二级, 三级, 四级]`.
    pub installations_by_grade: Vec<u64>,
    /// Alarms started in the period.
    pub alarms: u64,
    /// Of them `critical`.
    pub alarms_critical: u64,
    /// Of them `high`.
    pub alarms_high: u64,
    /// Active alarms now.
    pub active_alarms: u64,
    /// Hidden dangers reported in the period.
    pub hidden_dangers_reported: u64,
    /// Of them major.
    pub hidden_dangers_major: u64,
    /// Hidden dangers closed in the period.
    pub hidden_dangers_closed: u64,
    /// Open hidden dangers now.
    pub hidden_dangers_open: u64,
    /// Overdue hidden dangers now.
    pub hidden_dangers_overdue: u64,
}

/// Enterprises per dynamic-risk level.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskDistributionDto {
    /// 红 major.
    pub major: u64,
    /// 橙 high.
    pub high: u64,
    /// 黄 medium.
    pub medium: u64,
    /// 蓝 low.
    pub low: u64,
    /// 未评估.
    pub none: u64,
}

impl From<RegionStatRow> for RegionStatDto {
    fn from(r: RegionStatRow) -> Self {
        Self {
            region_id: r.region_id,
            code: r.code,
            name: r.name,
            level: r.level,
            enterprises: r.enterprises,
            risk: RiskDistributionDto {
                major: r.risk_major,
                high: r.risk_high,
                medium: r.risk_medium,
                low: r.risk_low,
                none: r.risk_unassessed,
            },
            installations_by_grade: r.installations_by_grade.to_vec(),
            alarms: r.alarms,
            alarms_critical: r.alarms_critical,
            alarms_high: r.alarms_high,
            active_alarms: r.active_alarms,
            hidden_dangers_reported: r.hidden_dangers_reported,
            hidden_dangers_major: r.hidden_dangers_major,
            hidden_dangers_closed: r.hidden_dangers_closed,
            hidden_dangers_open: r.hidden_dangers_open,
            hidden_dangers_overdue: r.hidden_dangers_overdue,
        }
    }
}

/// Region statistics.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionStatsDto {
    /// First day of the period (Asia/Shanghai).
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    /// The region whose children the rows are (null: the city; rows are districts).
    pub region_id: Option<i64>,
    /// One row per child region (every child, also empty ones), in the regions' order.
    pub rows: Vec<RegionStatDto>,
    /// Sum of the rows.
    pub total: RegionStatDto,
}

/// Region statistics for other systems and the 区域统计 page: per child region (default: per
/// district) the enterprises by dynamic-risk level, major installations by grade, alarms and
/// hidden dangers of the period `from`..=`to` and the open / overdue / active counts now.
#[utoipa::path(get, path = "/api/stats/regions", tag = "situation", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = RegionStatsDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn region_stats(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<RegionStatsDto>> {
    me.require(STATS)?;
    let now = s.clock.now();
    let (filter, period) = q.validate(now)?;
    let v = s
        .store
        .region_stats(&filter, &me.scope, period, now)
        .await?;
    Ok(Json(RegionStatsDto {
        from: v.period.from,
        to: v.period.to,
        region_id: v.parent_id,
        rows: v.rows.into_iter().map(Into::into).collect(),
        total: v.total.into(),
    }))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(map))
        .routes(routes!(summary))
        .routes(routes!(alarms))
        .routes(routes!(overdue_hidden_dangers))
        .routes(routes!(top_risks))
        .routes(routes!(trends))
        .routes(routes!(settings))
        .routes(routes!(region_stats))
}
