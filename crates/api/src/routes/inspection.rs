//! Hidden-danger inspection (隐患排查): checklists (检查表) with items citing their legal basis,
//! inspection plans (排查计划) on cron schedules evaluated in Asia/Shanghai, the tasks they
//! generate (排查任务), completing a task on a phone, and the missed-inspection statistics.
//!
//! Who sees what: data scope through the enterprise. A caller without `inspection:task:all`
//! (an enterprise worker) sees and completes only the tasks assigned to them; managers
//! (`inspection:task:all` + `inspection:task:complete`) complete any task of their enterprise;
//! government roles read. Shared template checklists are visible to everyone and written only by
//! an unrestricted administrator. All times come from the server clock (`AppState::clock`).

use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_domain::auth::permits;
use anjian_domain::dual_prevention::inspection::{
    self as rules, ItemResult, PRESETS, Preset, ResultInput, Schedule, TIME_ZONE, TaskStatus,
};
use anjian_store::{
    CHECKLIST_KINDS, Checklist, ChecklistFilter, ChecklistInput, ChecklistItem, ChecklistItemInput,
    CompleteInput, InspectionStat, PlanFilter, PlanInput, PlanView, TaskFilter, TaskItem, TaskView,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most occurrences a preview returns.
const PREVIEW_MAX: usize = 20;
/// Occurrences shown with a plan.
const PLAN_NEXT: usize = 5;

fn nonblank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
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

fn page_of(num: Option<u64>, size: Option<u64>) -> ApiResult<anjian_domain::page::Page> {
    PageQuery {
        page_num: num,
        page_size: size,
    }
    .page()
}

/// A time filter: RFC 3339, or a date `YYYY-MM-DD` meaning the start of that day in
/// Asia/Shanghai (for `to`, the start of the next day: the date is included).
fn time_param(field: &str, v: &Option<String>, end: bool) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(s) = nonblank(v) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let d = NaiveDate::parse_from_str(&s, "%Y-%m-%d")
        .map_err(|_| ApiError::invalid(field, "expected YYYY-MM-DD or an RFC 3339 time"))?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    let local = d
        .and_hms_opt(0, 0, 0)
        .and_then(|n| TIME_ZONE.from_local_datetime(&n).single())
        .ok_or_else(|| ApiError::invalid(field, "no such day"))?;
    Ok(Some(local.with_timezone(&Utc)))
}

fn can_see_all_tasks(me: &CurrentUser) -> bool {
    permits(&me.permissions, "inspection:task:all")
}

// ------------------------------------------------------------------ checklists

/// One checklist item.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItemDto {
    /// Id (the `checklistItemId` of a hidden danger reported from it).
    pub id: i64,
    /// 1-based number.
    pub seq: i32,
    /// What to check.
    pub content: String,
    /// Legal basis, e.g. `《危险化学品安全管理条例》第二十四条` or `GB 30871-2022 第5章`.
    pub legal_basis: Option<String>,
    /// GB/T 13861-2022 hazardous-factor code.
    pub hazard_factor_code: Option<String>,
    /// Major hidden-danger criteria item, `standard#number` (e.g. `chemical-2017#12`).
    pub major_criteria_ref: Option<String>,
}

impl From<ChecklistItem> for ChecklistItemDto {
    fn from(i: ChecklistItem) -> Self {
        Self {
            id: i.id,
            seq: i.seq,
            content: i.content,
            legal_basis: i.legal_basis,
            hazard_factor_code: i.hazard_factor_code,
            major_criteria_ref: i.major_criteria_ref,
        }
    }
}

/// A checklist (检查表).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChecklistDto {
    /// Id.
    pub id: i64,
    /// Owning enterprise; null for a shared template.
    pub enterprise_id: Option<i64>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// Whether it is a shared template (visible to all).
    pub shared: bool,
    /// Name.
    pub name: String,
    /// Kind (dictionary `inspection_checklist_kind`).
    pub kind: String,
    /// Description.
    pub description: Option<String>,
    /// `active` or `disabled`.
    pub status: String,
    /// Number of items.
    pub item_count: u64,
    /// The items in order (in the detail; empty in lists).
    pub items: Vec<ChecklistItemDto>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
}

fn checklist_dto(
    c: Checklist,
    enterprise_name: Option<String>,
    item_count: u64,
    items: Vec<ChecklistItem>,
) -> ChecklistDto {
    ChecklistDto {
        id: c.id,
        shared: c.enterprise_id.is_none(),
        enterprise_id: c.enterprise_id,
        enterprise_name,
        name: c.name,
        kind: c.kind,
        description: c.description,
        status: c.status,
        item_count,
        items: items.into_iter().map(Into::into).collect(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// A checklist item as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChecklistItemBody {
    /// An existing item of this checklist to keep (its id stays, so reports keep pointing at
    /// it); omit for a new item.
    #[serde(default)]
    pub id: Option<i64>,
    /// What to check (at most 500 characters).
    pub content: String,
    /// Legal basis (at most 300 characters).
    #[serde(default)]
    pub legal_basis: Option<String>,
    /// GB/T 13861-2022 code (digits).
    #[serde(default)]
    pub hazard_factor_code: Option<String>,
    /// Major criteria reference, e.g. `chemical-2017#12`.
    #[serde(default)]
    pub major_criteria_ref: Option<String>,
}

/// A checklist as created or replaced; items are numbered in the order given, items left out
/// of a replacement are removed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChecklistBody {
    /// Owning enterprise (default: the caller's).
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    /// A shared template without enterprise (unrestricted administrators only).
    #[serde(default)]
    pub shared: bool,
    /// Name (at most 100 characters).
    pub name: String,
    /// Kind: `daily`, `special`, `hot_work`, `confined_space`, `seasonal`, `holiday`,
    /// `comprehensive`.
    pub kind: String,
    /// Description (at most 500 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// `active` (default) or `disabled`.
    #[serde(default)]
    pub status: Option<String>,
    /// Items (1..=200).
    pub items: Vec<ChecklistItemBody>,
}

impl ChecklistBody {
    fn input(self, me: &CurrentUser) -> ApiResult<ChecklistInput> {
        let enterprise_id = if self.shared {
            None
        } else {
            Some(
                self.enterprise_id
                    .or(me.user.enterprise_id)
                    .ok_or_else(|| ApiError::invalid("enterpriseId", "is required"))?,
            )
        };
        Ok(ChecklistInput {
            enterprise_id,
            name: self.name,
            kind: self.kind,
            description: self.description,
            status: nonblank(&self.status).unwrap_or_else(|| "active".into()),
            items: self
                .items
                .into_iter()
                .map(|i| ChecklistItemInput {
                    id: i.id,
                    content: i.content,
                    legal_basis: i.legal_basis,
                    hazard_factor_code: i.hazard_factor_code,
                    major_criteria_ref: i.major_criteria_ref,
                })
                .collect(),
        })
    }
}

/// Checklist list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChecklistQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// This enterprise's checklists (plus the shared templates unless `shared=false`).
    pub enterprise_id: Option<i64>,
    /// `true`: only shared templates; `false`: no shared templates; absent: both.
    pub shared: Option<bool>,
    /// Substring of the name.
    pub name: Option<String>,
    /// Exact kind.
    pub kind: Option<String>,
    /// `active` or `disabled`.
    pub status: Option<String>,
}

/// List checklists: the shared templates and those of the enterprises in the caller's scope.
#[utoipa::path(get, path = "/api/checklists", tag = "inspection", security(("bearer" = [])), params(ChecklistQuery),
    responses((status = 200, body = PageResult<ChecklistDto>), (status = 422, body = ErrorBody)))]
pub async fn list_checklists(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ChecklistQuery>,
) -> ApiResult<Json<PageResult<ChecklistDto>>> {
    me.require("inspection:checklist:query")?;
    check_one_of("kind", &q.kind, &CHECKLIST_KINDS)?;
    check_one_of("status", &q.status, &["active", "disabled"])?;
    let f = ChecklistFilter {
        enterprise_id: q.enterprise_id,
        exclude_shared: q.shared == Some(false),
        shared_only: q.shared == Some(true),
        name: nonblank(&q.name),
        kind: nonblank(&q.kind),
        status: nonblank(&q.status),
    };
    let p = s
        .store
        .list_checklists(&f, &me.scope, page_of(q.page_num, q.page_size)?)
        .await?;
    Ok(Json(PageResult::from_page(p, |(c, name, n)| {
        checklist_dto(c, name, n, Vec::new())
    })))
}

/// One checklist with its items (404 outside the scope).
#[utoipa::path(get, path = "/api/checklists/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ChecklistDto), (status = 404, body = ErrorBody)))]
pub async fn get_checklist(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<ChecklistDto>> {
    me.require("inspection:checklist:query")?;
    let v = s.store.get_checklist(id, &me.scope).await?;
    let n = v.items.len() as u64;
    Ok(Json(checklist_dto(
        v.checklist,
        v.enterprise_name,
        n,
        v.items,
    )))
}

async fn checklist_view(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<Json<ChecklistDto>> {
    get_checklist(State(s.clone()), me.clone(), Id(id)).await
}

/// Create a checklist with its items.
#[utoipa::path(post, path = "/api/checklists", tag = "inspection", security(("bearer" = [])), request_body = ChecklistBody,
    responses((status = 201, body = ChecklistDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_checklist(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<ChecklistBody>,
) -> ApiResult<(StatusCode, Json<ChecklistDto>)> {
    me.require("inspection:checklist:add")?;
    let c = s
        .store
        .create_checklist(b.input(&me)?, Some(me.user.id), &me.scope, s.clock.now())
        .await?;
    Ok((StatusCode::CREATED, checklist_view(&s, &me, c.id).await?))
}

/// 403 when a restricted caller touches a shared template.
async fn check_writable(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<()> {
    let v = s.store.get_checklist(id, &me.scope).await?;
    if v.checklist.enterprise_id.is_none() && !me.scope.is_all() {
        return Err(ApiError::Forbidden(
            "共享模板仅系统管理员可维护 / shared templates are kept by the administrator".into(),
        ));
    }
    Ok(())
}

/// Replace a checklist and its items (items with an `id` are kept, others added, the rest
/// removed; completed tasks keep their snapshot). 403 for a shared template unless the caller is
/// unrestricted.
#[utoipa::path(put, path = "/api/checklists/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ChecklistBody,
    responses((status = 200, body = ChecklistDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_checklist(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ChecklistBody>,
) -> ApiResult<Json<ChecklistDto>> {
    me.require("inspection:checklist:edit")?;
    check_writable(&s, &me, id).await?;
    s.store
        .update_checklist(id, b.input(&me)?, &me.scope, s.clock.now())
        .await?;
    checklist_view(&s, &me, id).await
}

/// Delete a checklist (422 while plans or tasks use it; 403 for a shared template unless the
/// caller is unrestricted).
#[utoipa::path(delete, path = "/api/checklists/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_checklist(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("inspection:checklist:remove")?;
    check_writable(&s, &me, id).await?;
    s.store.delete_checklist(id, &me.scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ------------------------------------------------------------------ plans

/// An inspection plan (排查计划).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanDto {
    /// Id.
    pub id: i64,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// Checklist.
    pub checklist_id: i64,
    /// Its name.
    pub checklist_name: Option<String>,
    /// Name.
    pub name: String,
    /// Post (岗位).
    pub post: Option<String>,
    /// Risk point.
    pub risk_point_id: Option<i64>,
    /// Five-field cron expression (minute hour day month weekday), Asia/Shanghai.
    pub cron: String,
    /// Completion window, hours: a task is due this long after its scheduled time.
    pub window_hours: i32,
    /// Assignee (user id).
    pub assignee_id: i64,
    /// Assignee's name.
    pub assignee_name: Option<String>,
    /// Whether tasks are generated.
    pub enabled: bool,
    /// Occurrences up to this time have been generated (UTC).
    pub generated_until: DateTime<Utc>,
    /// The next occurrences after now (UTC; empty when disabled).
    pub next_occurrences: Vec<DateTime<Utc>>,
    /// Created at (UTC).
    pub created_at: DateTime<Utc>,
    /// Updated at (UTC).
    pub updated_at: DateTime<Utc>,
}

fn plan_dto(v: PlanView, now: DateTime<Utc>) -> PlanDto {
    let p = v.plan;
    let next = if p.enabled {
        Schedule::parse(&p.cron)
            .map(|s| s.upcoming(now.max(p.generated_until), PLAN_NEXT))
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    PlanDto {
        id: p.id,
        enterprise_id: p.enterprise_id,
        enterprise_name: v.enterprise_name,
        checklist_id: p.checklist_id,
        checklist_name: v.checklist_name,
        name: p.name,
        post: p.post,
        risk_point_id: p.risk_point_id,
        cron: p.cron,
        window_hours: p.window_hours,
        assignee_id: p.assignee_id,
        assignee_name: v.assignee_name,
        enabled: p.enabled,
        generated_until: p.generated_until,
        next_occurrences: next,
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

/// A plan as created or replaced. Give `cron`, or a `preset` (`daily`, `weekly`, `monthly`,
/// `per_shift`) whose expression and window are used where `cron` / `windowHours` are absent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlanBody {
    /// Enterprise (default: the caller's).
    #[serde(default)]
    pub enterprise_id: Option<i64>,
    /// Checklist: the enterprise's own or a shared template.
    pub checklist_id: i64,
    /// Name (at most 100 characters).
    pub name: String,
    /// Post (岗位); this or `riskPointId` is required.
    #[serde(default)]
    pub post: Option<String>,
    /// Risk point (from `GET /api/risk-points`).
    #[serde(default)]
    pub risk_point_id: Option<i64>,
    /// Five-field cron expression, Asia/Shanghai; at most hourly.
    #[serde(default)]
    pub cron: Option<String>,
    /// A preset key instead of `cron`.
    #[serde(default)]
    pub preset: Option<String>,
    /// Completion window, hours (1..=744).
    #[serde(default)]
    pub window_hours: Option<i32>,
    /// Assignee: an active user of the enterprise (from `GET /api/enterprise-staff`).
    pub assignee_id: i64,
    /// Whether tasks are generated (default true).
    #[serde(default)]
    pub enabled: Option<bool>,
}

impl PlanBody {
    fn input(self, me: &CurrentUser) -> ApiResult<PlanInput> {
        let preset = match nonblank(&self.preset) {
            Some(k) => Some(rules::preset(&k).ok_or_else(|| {
                ApiError::invalid("preset", "must be one of daily, weekly, monthly, per_shift")
            })?),
            None => None,
        };
        let cron = nonblank(&self.cron)
            .or_else(|| preset.map(|p| p.cron.to_owned()))
            .ok_or_else(|| ApiError::invalid("cron", "is required (or give a preset)"))?;
        let window_hours = self
            .window_hours
            .or_else(|| preset.map(|p| p.window_hours))
            .ok_or_else(|| ApiError::invalid("windowHours", "is required (or give a preset)"))?;
        Ok(PlanInput {
            enterprise_id: self
                .enterprise_id
                .or(me.user.enterprise_id)
                .ok_or_else(|| ApiError::invalid("enterpriseId", "is required"))?,
            checklist_id: self.checklist_id,
            name: self.name,
            post: self.post,
            risk_point_id: self.risk_point_id,
            cron,
            window_hours,
            assignee_id: self.assignee_id,
            enabled: self.enabled.unwrap_or(true),
        })
    }
}

/// Plan list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Checklist.
    pub checklist_id: Option<i64>,
    /// Assignee.
    pub assignee_id: Option<i64>,
    /// Enabled or not.
    pub enabled: Option<bool>,
    /// Substring of the name.
    pub name: Option<String>,
}

/// List plans within the caller's data scope, newest first.
#[utoipa::path(get, path = "/api/inspection-plans", tag = "inspection", security(("bearer" = [])), params(PlanQuery),
    responses((status = 200, body = PageResult<PlanDto>), (status = 422, body = ErrorBody)))]
pub async fn list_plans(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<Json<PageResult<PlanDto>>> {
    me.require("inspection:plan:query")?;
    let f = PlanFilter {
        enterprise_id: q.enterprise_id,
        checklist_id: q.checklist_id,
        assignee_id: q.assignee_id,
        enabled: q.enabled,
        name: nonblank(&q.name),
    };
    let now = s.clock.now();
    let p = s
        .store
        .list_plans(&f, &me.scope, page_of(q.page_num, q.page_size)?)
        .await?;
    Ok(Json(PageResult::from_page(p, |v| plan_dto(v, now))))
}

/// One plan with its next occurrences (404 outside the scope).
#[utoipa::path(get, path = "/api/inspection-plans/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PlanDto), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<PlanDto>> {
    me.require("inspection:plan:query")?;
    let v = s.store.get_plan(id, &me.scope).await?;
    Ok(Json(plan_dto(v, s.clock.now())))
}

/// Create a plan. Tasks are generated for the occurrences after now (nothing in the past).
#[utoipa::path(post, path = "/api/inspection-plans", tag = "inspection", security(("bearer" = [])), request_body = PlanBody,
    responses((status = 201, body = PlanDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_plan(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<(StatusCode, Json<PlanDto>)> {
    me.require("inspection:plan:add")?;
    let now = s.clock.now();
    let p = s
        .store
        .create_plan(b.input(&me)?, Some(me.user.id), &me.scope, now)
        .await?;
    let v = s.store.get_plan(p.id, &me.scope).await?;
    Ok((StatusCode::CREATED, Json(plan_dto(v, now))))
}

/// Replace a plan. Re-enabling it or changing its schedule restarts generation now (no
/// back-fill); tasks already generated keep their assignee and due time.
#[utoipa::path(put, path = "/api/inspection-plans/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PlanBody,
    responses((status = 200, body = PlanDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_plan(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Json<PlanDto>> {
    me.require("inspection:plan:edit")?;
    let now = s.clock.now();
    s.store
        .update_plan(id, b.input(&me)?, &me.scope, now)
        .await?;
    let v = s.store.get_plan(id, &me.scope).await?;
    Ok(Json(plan_dto(v, now)))
}

/// Delete a plan without tasks (422 when it has tasks: disable it instead).
#[utoipa::path(delete, path = "/api/inspection-plans/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_plan(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("inspection:plan:remove")?;
    s.store.delete_plan(id, &me.scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Run a plan now (立即执行): a task scheduled now, due after the plan's window; the assignee
/// is notified. 409 when the plan already has a task at this second.
#[utoipa::path(post, path = "/api/inspection-plans/{id}/run", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 201, body = TaskDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn run_plan(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<TaskDto>)> {
    me.require("inspection:plan:run")?;
    let now = s.clock.now();
    let t = s.store.run_plan_now(id, &me.scope, now).await?;
    let (v, _) = s.store.get_task(t.id, &me.scope, now).await?;
    Ok((StatusCode::CREATED, Json(task_dto(v))))
}

/// Schedule preview query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// Five-field cron expression (Asia/Shanghai).
    pub cron: Option<String>,
    /// A preset key instead of `cron`.
    pub preset: Option<String>,
    /// How many occurrences (1..=20, default 5).
    pub count: Option<usize>,
    /// With a window, each occurrence's due time is given too.
    pub window_hours: Option<i32>,
}

/// One previewed occurrence.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Occurrence {
    /// Scheduled time (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Scheduled time in Asia/Shanghai, `YYYY-MM-DD HH:MM 周X`.
    pub local: String,
    /// Due time (UTC), when a window was given.
    pub due_at: Option<DateTime<Utc>>,
}

/// A schedule preview.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The normalised expression.
    pub cron: String,
    /// The next occurrences after now.
    pub occurrences: Vec<Occurrence>,
}

const WEEKDAYS: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

fn local_label(t: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let l = t.with_timezone(&TIME_ZONE);
    format!(
        "{} {}",
        l.format("%Y-%m-%d %H:%M"),
        WEEKDAYS[l.weekday().num_days_from_monday() as usize]
    )
}

/// The next occurrences of a cron expression or preset after now (422 naming `cron` with the
/// reason when it is not valid: syntax, never fires, more often than hourly).
#[utoipa::path(get, path = "/api/inspection-plans/preview", tag = "inspection", security(("bearer" = [])), params(PreviewQuery),
    responses((status = 200, body = Preview), (status = 422, body = ErrorBody)))]
pub async fn preview(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<PreviewQuery>,
) -> ApiResult<Json<Preview>> {
    me.require("inspection:plan:query")?;
    let cron = match (nonblank(&q.cron), nonblank(&q.preset)) {
        (Some(c), _) => c,
        (None, Some(p)) => rules::preset(&p)
            .ok_or_else(|| ApiError::invalid("preset", "unknown preset"))?
            .cron
            .to_owned(),
        (None, None) => return Err(ApiError::invalid("cron", "is required")),
    };
    let count = q.count.unwrap_or(5);
    if !(1..=PREVIEW_MAX).contains(&count) {
        return Err(ApiError::invalid(
            "count",
            format!("must be 1..={PREVIEW_MAX}"),
        ));
    }
    if let Some(w) = q.window_hours
        && !rules::WINDOW_HOURS.contains(&w)
    {
        return Err(ApiError::invalid("windowHours", "must be 1..=744 hours"));
    }
    let schedule = Schedule::parse(&cron).map_err(|e| ApiError::invalid("cron", e.to_string()))?;
    let occurrences = schedule
        .upcoming(s.clock.now(), count)
        .into_iter()
        .map(|t| Occurrence {
            scheduled_at: t,
            local: local_label(t),
            due_at: q.window_hours.map(|w| rules::due_at(t, w)),
        })
        .collect();
    Ok(Json(Preview {
        cron: schedule.as_str().to_owned(),
        occurrences,
    }))
}

/// The schedule presets (daily, weekly, monthly, per shift) with their cron expressions and
/// suggested windows.
#[utoipa::path(get, path = "/api/inspection-plans/presets", tag = "inspection", security(("bearer" = [])),
    responses((status = 200, body = Vec<Preset>)))]
pub async fn presets(me: CurrentUser) -> ApiResult<Json<Vec<Preset>>> {
    me.require("inspection:plan:query")?;
    Ok(Json(PRESETS.to_vec()))
}

// ------------------------------------------------------------------ tasks

/// An inspection task (排查任务).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskDto {
    /// Id.
    pub id: i64,
    /// Plan.
    pub plan_id: i64,
    /// Plan name.
    pub plan_name: Option<String>,
    /// The plan's post.
    pub post: Option<String>,
    /// The plan's risk point.
    pub risk_point_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// Checklist.
    pub checklist_id: i64,
    /// Its name.
    pub checklist_name: Option<String>,
    /// Assignee.
    pub assignee_id: i64,
    /// Assignee's name.
    pub assignee_name: Option<String>,
    /// `schedule` or `manual`.
    pub trigger: String,
    /// Scheduled time (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Due time (UTC): scheduled + the plan's window. Completing exactly at it is on time.
    pub due_at: DateTime<Utc>,
    /// `pending`, `completed` or `missed`, as of now.
    pub status: TaskStatus,
    /// Completed at (UTC).
    pub completed_at: Option<DateTime<Utc>>,
    /// Completed by (user id).
    pub completed_by: Option<i64>,
    /// Completer's name.
    pub completed_by_name: Option<String>,
    /// Longitude (WGS-84) where completed.
    pub longitude: Option<f64>,
    /// Latitude (WGS-84) where completed.
    pub latitude: Option<f64>,
    /// Location text.
    pub location: Option<String>,
    /// Photos of the whole inspection.
    pub photo_ids: Vec<i64>,
    /// Note.
    pub note: Option<String>,
}

fn task_dto(v: TaskView) -> TaskDto {
    let t = v.task;
    TaskDto {
        id: t.id,
        plan_id: t.plan_id,
        plan_name: v.plan_name,
        post: v.post,
        risk_point_id: v.risk_point_id,
        enterprise_id: t.enterprise_id,
        enterprise_name: v.enterprise_name,
        checklist_id: t.checklist_id,
        checklist_name: v.checklist_name,
        assignee_id: t.assignee_id,
        assignee_name: v.assignee_name,
        trigger: t.trigger,
        scheduled_at: t.scheduled_at,
        due_at: t.due_at,
        status: v.status,
        completed_at: t.completed_at,
        completed_by: t.completed_by,
        completed_by_name: v.completed_by_name,
        longitude: t.longitude,
        latitude: t.latitude,
        location: t.location,
        photo_ids: anjian_store::inspection::parse_ids(&t.photo_ids),
        note: t.note,
    }
}

/// One item of a task with its result.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskItemDto {
    /// Checklist item id (send it back as `itemId`; a hidden danger reported from it carries it
    /// as `checklistItemId`).
    pub item_id: i64,
    /// Number.
    pub seq: i32,
    /// What to check.
    pub content: String,
    /// Legal basis.
    pub legal_basis: Option<String>,
    /// GB/T 13861-2022 code.
    pub hazard_factor_code: Option<String>,
    /// Major criteria reference.
    pub major_criteria_ref: Option<String>,
    /// The result, once completed.
    pub result: Option<ItemResult>,
    /// Result note.
    pub note: Option<String>,
    /// Result photos.
    pub photo_ids: Vec<i64>,
}

impl From<TaskItem> for TaskItemDto {
    fn from(i: TaskItem) -> Self {
        Self {
            item_id: i.item_id,
            seq: i.seq,
            content: i.content,
            legal_basis: i.legal_basis,
            hazard_factor_code: i.hazard_factor_code,
            major_criteria_ref: i.major_criteria_ref,
            result: i.result,
            note: i.note,
            photo_ids: i.photo_ids,
        }
    }
}

/// A task with its items and results.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskDetailDto {
    /// The task.
    #[serde(flatten)]
    pub task: TaskDto,
    /// Its checklist items (as they were when completed, for a completed task).
    pub items: Vec<TaskItemDto>,
    /// Whether the caller may complete it now.
    pub can_complete: bool,
}

/// Task list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Only the caller's own tasks (always so without `inspection:task:all`).
    pub mine: Option<bool>,
    /// `pending`, `completed` or `missed` (as of now).
    pub status: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Plan.
    pub plan_id: Option<i64>,
    /// Assignee.
    pub assignee_id: Option<i64>,
    /// Scheduled at or after: RFC 3339, or `YYYY-MM-DD` (start of that day, Asia/Shanghai).
    pub from: Option<String>,
    /// Scheduled before: RFC 3339, or `YYYY-MM-DD` (that day included, Asia/Shanghai).
    pub to: Option<String>,
}

/// List tasks, pending first then newest. A caller without `inspection:task:all` gets only the
/// tasks assigned to them.
#[utoipa::path(get, path = "/api/inspection-tasks", tag = "inspection", security(("bearer" = [])), params(TaskQuery),
    responses((status = 200, body = PageResult<TaskDto>), (status = 422, body = ErrorBody)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<PageResult<TaskDto>>> {
    me.require("inspection:task:query")?;
    let status = match nonblank(&q.status) {
        Some(v) => Some(TaskStatus::parse(&v).ok_or_else(|| {
            ApiError::invalid("status", "must be one of pending, completed, missed")
        })?),
        None => None,
    };
    let mine = q.mine == Some(true) || !can_see_all_tasks(&me);
    let f = TaskFilter {
        enterprise_id: q.enterprise_id,
        plan_id: q.plan_id,
        assignee_id: if mine {
            Some(me.user.id)
        } else {
            q.assignee_id
        },
        status,
        from: time_param("from", &q.from, false)?,
        to: time_param("to", &q.to, true)?,
    };
    let p = s
        .store
        .list_tasks(
            &f,
            &me.scope,
            page_of(q.page_num, q.page_size)?,
            s.clock.now(),
        )
        .await?;
    Ok(Json(PageResult::from_page(p, task_dto)))
}

/// One task with its items and results (404 outside the scope, and for a worker's colleague's
/// task).
#[utoipa::path(get, path = "/api/inspection-tasks/{id}", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = TaskDetailDto), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<TaskDetailDto>> {
    me.require("inspection:task:query")?;
    let (v, items) = s.store.get_task(id, &me.scope, s.clock.now()).await?;
    let own = v.task.assignee_id == me.user.id;
    if !own && !can_see_all_tasks(&me) {
        return Err(ApiError::NotFound);
    }
    let can_complete = v.status == TaskStatus::Pending
        && permits(&me.permissions, "inspection:task:complete")
        && (own || can_see_all_tasks(&me));
    Ok(Json(TaskDetailDto {
        task: task_dto(v),
        items: items.into_iter().map(Into::into).collect(),
        can_complete,
    }))
}

/// One item's result as submitted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResultBody {
    /// Checklist item id.
    pub item_id: i64,
    /// `pass`, `fail` or `not_applicable`.
    #[serde(default)]
    pub result: Option<String>,
    /// Note (required, or a photo, when failed; at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
    /// Photos (uploaded with `POST /api/attachments`; at most 9).
    #[serde(default)]
    pub photo_ids: Vec<i64>,
}

/// Completing a task.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompleteBody {
    /// One result per checklist item.
    pub results: Vec<ResultBody>,
    /// Longitude (WGS-84).
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Latitude (WGS-84).
    #[serde(default)]
    pub latitude: Option<f64>,
    /// Location text (at most 200 characters).
    #[serde(default)]
    pub location: Option<String>,
    /// Photos of the whole inspection (at most 9).
    #[serde(default)]
    pub photo_ids: Vec<i64>,
    /// Note (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// Complete a task: every item pass / fail / not_applicable, a failed item with a note or a
/// photo. Only the assignee, or a manager with `inspection:task:all` (403 otherwise). 409 when
/// the task is completed or missed (completing after the due time is refused: the task is
/// recorded as missed); 422 naming the item (`results.<itemId>`) when incomplete.
#[utoipa::path(post, path = "/api/inspection-tasks/{id}/complete", tag = "inspection", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CompleteBody,
    responses((status = 200, body = TaskDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn complete_task(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<CompleteBody>,
) -> ApiResult<Json<TaskDetailDto>> {
    me.require("inspection:task:complete")?;
    let now = s.clock.now();
    let (v, _) = s.store.get_task(id, &me.scope, now).await?;
    let own = v.task.assignee_id == me.user.id;
    if !own && !can_see_all_tasks(&me) {
        return Err(ApiError::Forbidden(
            "只能执行分配给自己的任务 / only the assignee or a manager completes this task".into(),
        ));
    }
    s.store
        .check_attachments(&b.photo_ids, &me.scope, "photoIds")
        .await?;
    let result_photos: Vec<i64> = b
        .results
        .iter()
        .flat_map(|r| r.photo_ids.iter().copied())
        .collect();
    s.store
        .check_attachments(&result_photos, &me.scope, "results")
        .await?;
    let input = CompleteInput {
        results: b
            .results
            .into_iter()
            .map(|r| ResultInput {
                item_id: r.item_id,
                result: r.result.as_deref().and_then(ItemResult::parse),
                note: r.note,
                photo_ids: r.photo_ids,
            })
            .collect(),
        longitude: b.longitude,
        latitude: b.latitude,
        location: b.location,
        photo_ids: b.photo_ids,
        note: b.note,
    };
    s.store
        .complete_task(id, input, me.user.id, &me.scope, now)
        .await?;
    get_task(State(s), me, Id(id)).await
}

// ------------------------------------------------------------------ statistics

/// Statistics query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day (`YYYY-MM-DD`, Asia/Shanghai; default 30 days ago).
    pub from: Option<String>,
    /// Last day, included (default today).
    pub to: Option<String>,
    /// One enterprise.
    pub enterprise_id: Option<i64>,
}

/// Inspection counts of one enterprise.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatRow {
    /// Enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: String,
    /// Tasks scheduled in the period.
    pub total: u64,
    /// Completed.
    pub completed: u64,
    /// Missed.
    pub missed: u64,
    /// Pending (not yet due).
    pub pending: u64,
    /// missed / (completed + missed), 0..=1 (0 when none is settled yet).
    pub missed_rate: f64,
}

/// Inspection statistics.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsDto {
    /// Period start (UTC).
    pub from: DateTime<Utc>,
    /// Period end, exclusive (UTC).
    pub to: DateTime<Utc>,
    /// Per enterprise, most missed first.
    pub rows: Vec<StatRow>,
    /// All enterprises together.
    pub total: StatRow,
}

fn stat_row(s: InspectionStat) -> StatRow {
    let settled = s.completed + s.missed;
    StatRow {
        missed_rate: if settled == 0 {
            0.0
        } else {
            s.missed as f64 / settled as f64
        },
        enterprise_id: s.enterprise_id,
        enterprise_name: s.enterprise_name,
        total: s.total,
        completed: s.completed,
        missed: s.missed,
        pending: s.pending,
    }
}

/// Missed-inspection statistics per enterprise within the caller's data scope (漏检统计): the
/// tasks scheduled in the period, completed / missed / pending, and the missed rate.
#[utoipa::path(get, path = "/api/inspection-tasks/stats", tag = "inspection", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = StatsDto), (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsDto>> {
    me.require("inspection:stats:query")?;
    let now = s.clock.now();
    let today = now.with_timezone(&TIME_ZONE).date_naive().to_string();
    let to = time_param("to", &q.to.clone().or(Some(today)), true)?.unwrap_or(now);
    let from = time_param("from", &q.from, false)?.unwrap_or(to - Duration::days(31));
    if from >= to || to - from > Duration::days(366) {
        return Err(ApiError::invalid(
            "from",
            "the period must be 1..=366 days, from before to",
        ));
    }
    let rows = s
        .store
        .inspection_stats(&me.scope, q.enterprise_id, from, to, now)
        .await?;
    let mut total = InspectionStat {
        enterprise_id: 0,
        enterprise_name: "合计".into(),
        total: 0,
        completed: 0,
        missed: 0,
        pending: 0,
    };
    for r in &rows {
        total.total += r.total;
        total.completed += r.completed;
        total.missed += r.missed;
        total.pending += r.pending;
    }
    Ok(Json(StatsDto {
        from,
        to,
        rows: rows.into_iter().map(stat_row).collect(),
        total: stat_row(total),
    }))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_checklists, create_checklist))
        .routes(routes!(get_checklist, update_checklist, delete_checklist))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(preview))
        .routes(routes!(presets))
        .routes(routes!(get_plan, update_plan, delete_plan))
        .routes(routes!(run_plan))
        .routes(routes!(list_tasks))
        .routes(routes!(stats))
        .routes(routes!(get_task))
        .routes(routes!(complete_task))
}
