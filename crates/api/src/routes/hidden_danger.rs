//! Hidden-danger remediation (隐患治理): reporting (随手拍, from an inspection item, from an
//! alarm), the ledger with filters and xlsx export, the detail with its events, one endpoint per
//! workflow action (the server's state machine decides: 403 without the permission, 409 from the
//! wrong state or for a self-verifier, 422 naming fields), deadline extensions, the overdue list,
//! listed supervision (挂牌督办), statistics, and the enterprise staff picker.
//!
//! Times are RFC 3339 UTC; deadlines are `YYYY-MM-DD` dates meaning the end of that day in
//! Asia/Shanghai. Every handler reads the time from the application clock.

use super::enterprise::{XLSX, attachment};
use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::excel::{self, Col};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::attachments::AttachmentDto;
use anjian_domain::auth::permits;
use anjian_domain::dual_prevention::hidden_danger::{
    self as hd, Action, Assignment, Escalation, FiveAssurances, Grading, Level, Source, Status,
    perm,
};
use anjian_store::hidden_danger::record_state;
use anjian_store::{
    HdActor, HiddenDangerDetail, HiddenDangerEvent, HiddenDangerExtension, HiddenDangerFilter,
    HiddenDangerStats, HiddenDangerView, NewHiddenDanger, NewSupervision, StatBucket, StatsFilter,
    SupervisionFilter, SupervisionView,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A hidden-danger record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HiddenDangerDto {
    /// Id.
    pub id: i64,
    /// Code `YH-<enterprise id>-<yyyymmdd>-<seq>`.
    pub code: String,
    /// Enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// `ad_hoc`, `inspection`, `alarm` or `enforcement`.
    pub source: String,
    /// Inspection task it came from.
    pub inspection_task_id: Option<i64>,
    /// Checklist item it came from.
    pub checklist_item_id: Option<i64>,
    /// Alarm it came from.
    pub alarm_id: Option<i64>,
    /// Linked risk point.
    pub risk_point_id: Option<i64>,
    /// What is wrong.
    pub description: String,
    /// Where, as text.
    pub location: Option<String>,
    /// WGS-84 longitude, degrees.
    pub longitude: Option<f64>,
    /// WGS-84 latitude, degrees.
    pub latitude: Option<f64>,
    /// Photo attachment ids.
    pub photo_ids: Vec<i64>,
    /// GB/T 13861-2022 code of the hazardous factor.
    pub hazard_factor_code: Option<String>,
    /// Its top-level category (1 人, 2 物, 3 环境, 4 管理).
    pub hazard_category: Option<String>,
    /// `general` or `major`.
    pub level: String,
    /// Criteria standard of a major one (`chemical-2017`, `industry-trade-2023`).
    pub criteria_standard: Option<String>,
    /// Criteria item number.
    pub criteria_item: Option<i32>,
    /// Documented judgement of a major one.
    pub major_judgement: Option<String>,
    /// `reported`, `confirmed`, `rejected`, `assigned`, `in_remediation`, `submitted`, `closed`.
    pub status: String,
    /// Reporter.
    pub reporter_id: Option<i64>,
    /// Reporter's name.
    pub reporter_name: String,
    /// Reported at.
    pub reported_at: DateTime<Utc>,
    /// Confirmed at.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Responsible department or team (inside the enterprise).
    pub department: Option<String>,
    /// Assigned remediator.
    pub remediator_id: Option<i64>,
    /// Remediator's name.
    pub remediator_name: Option<String>,
    /// Deadline date (end of that day, Asia/Shanghai).
    pub deadline: Option<NaiveDate>,
    /// Remediation measures.
    pub measures: Option<String>,
    /// Five assurances of a major one.
    pub five_assurances: Option<FiveAssurances>,
    /// Evidence attachment ids.
    pub evidence_ids: Vec<i64>,
    /// What was done.
    pub evidence_description: Option<String>,
    /// Who submitted.
    pub submitted_by: Option<i64>,
    /// Submitted at.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Verifier.
    pub verifier_id: Option<i64>,
    /// Verifier's name.
    pub verifier_name: Option<String>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Pending extension request.
    pub pending_extension_id: Option<i64>,
    /// `none`, `enterprise`, `department` or `bureau`.
    pub escalation: String,
    /// Overdue now.
    pub overdue: bool,
    /// Whole days overdue.
    pub days_overdue: Option<i64>,
    /// Under an open listed supervision.
    pub supervised: bool,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<HiddenDangerView> for HiddenDangerDto {
    fn from(v: HiddenDangerView) -> Self {
        let r = v.record;
        Self {
            id: r.id,
            code: r.code,
            enterprise_id: r.enterprise_id,
            enterprise_name: v.enterprise_name,
            source: r.source,
            inspection_task_id: r.inspection_task_id,
            checklist_item_id: r.checklist_item_id,
            alarm_id: r.alarm_id,
            risk_point_id: r.risk_point_id,
            description: r.description,
            location: r.location,
            longitude: r.longitude,
            latitude: r.latitude,
            photo_ids: anjian_store::hidden_danger::parse_ids(&r.photo_ids),
            hazard_factor_code: r.hazard_factor_code,
            hazard_category: r.hazard_category,
            level: r.level,
            criteria_standard: r.criteria_standard,
            criteria_item: r.criteria_item,
            major_judgement: r.major_judgement,
            status: r.status,
            reporter_id: r.reporter_id,
            reporter_name: r.reporter_name,
            reported_at: r.reported_at,
            confirmed_at: r.confirmed_at,
            department: r.department,
            remediator_id: r.remediator_id,
            remediator_name: v.remediator_name,
            deadline: r.deadline,
            measures: r.measures,
            five_assurances: v.five_assurances,
            evidence_ids: anjian_store::hidden_danger::parse_ids(&r.evidence_ids),
            evidence_description: r.evidence_description,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at,
            verifier_id: r.verifier_id,
            verifier_name: v.verifier_name,
            closed_at: r.closed_at,
            pending_extension_id: r.pending_extension_id,
            escalation: Escalation::from_rank(r.escalation_level)
                .as_str()
                .to_owned(),
            overdue: v.overdue,
            days_overdue: v.days_overdue,
            supervised: v.supervised,
            updated_at: r.updated_at,
        }
    }
}

/// One logged transition.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventDto {
    /// Id.
    pub id: i64,
    /// `report`, `confirm`, `reject`, `assign`, `start`, `submit`, `verify`, `send_back`,
    /// `reopen`, `request_extension`, `approve_extension`, `refuse_extension`, `escalate`,
    /// `supervise`, `supervision_progress`, `lift_supervision`.
    pub action: String,
    /// Status before.
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// Actor (none for the escalation job).
    pub actor_id: Option<i64>,
    /// Actor's name (`系统` for the job).
    pub actor_name: String,
    /// Comment, reason or description.
    pub comment: Option<String>,
    /// Attachment ids (photos, evidence).
    pub attachment_ids: Vec<i64>,
    /// When.
    pub at: DateTime<Utc>,
}

impl From<HiddenDangerEvent> for EventDto {
    fn from(e: HiddenDangerEvent) -> Self {
        Self {
            id: e.id,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            actor_id: e.actor_id,
            actor_name: e.actor_name,
            comment: e.comment,
            attachment_ids: anjian_store::hidden_danger::parse_ids(&e.attachment_ids),
            at: e.at,
        }
    }
}

/// A deadline extension request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionDto {
    /// Id (for approve / refuse).
    pub id: i64,
    /// The record.
    pub hidden_danger_id: i64,
    /// Requester.
    pub requested_by: i64,
    /// Requester's name.
    pub requester_name: String,
    /// When.
    pub requested_at: DateTime<Utc>,
    /// Deadline at the time.
    pub old_deadline: Option<NaiveDate>,
    /// Deadline asked for.
    pub new_deadline: NaiveDate,
    /// Why.
    pub reason: String,
    /// `pending`, `approved`, `refused`, `cancelled`.
    pub status: String,
    /// Decider's name.
    pub decider_name: Option<String>,
    /// Decided at.
    pub decided_at: Option<DateTime<Utc>>,
    /// Decision comment.
    pub decision_comment: Option<String>,
}

impl From<HiddenDangerExtension> for ExtensionDto {
    fn from(e: HiddenDangerExtension) -> Self {
        Self {
            id: e.id,
            hidden_danger_id: e.hidden_danger_id,
            requested_by: e.requested_by,
            requester_name: e.requester_name,
            requested_at: e.requested_at,
            old_deadline: e.old_deadline,
            new_deadline: e.new_deadline,
            reason: e.reason,
            status: e.status,
            decider_name: e.decider_name,
            decided_at: e.decided_at,
            decision_comment: e.decision_comment,
        }
    }
}

/// A progress report on a listed supervision.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProgressDto {
    /// Id.
    pub id: i64,
    /// Reporter's name.
    pub reporter_name: String,
    /// Text.
    pub content: String,
    /// Attachment ids.
    pub attachment_ids: Vec<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A listed supervision (挂牌督办).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SupervisionDto {
    /// Id.
    pub id: i64,
    /// The record.
    pub hidden_danger_id: i64,
    /// Its code.
    pub code: String,
    /// Its description.
    pub description: String,
    /// Its status.
    pub record_status: String,
    /// Its enterprise.
    pub enterprise_id: i64,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// `city` or `district`.
    pub gov_level: String,
    /// Supervising organ (department or region name).
    pub organ_name: String,
    /// Who put it under supervision.
    pub supervisor_name: String,
    /// Document number.
    pub document_no: Option<String>,
    /// Requirements.
    pub requirements: String,
    /// Its own deadline (end of day, Asia/Shanghai).
    pub deadline: NaiveDate,
    /// `open` or `lifted`.
    pub status: String,
    /// Open and past its deadline now.
    pub overdue: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Who lifted it.
    pub lifter_name: Option<String>,
    /// Lifted at.
    pub lifted_at: Option<DateTime<Utc>>,
    /// Why.
    pub lift_reason: Option<String>,
    /// Progress reports, oldest first.
    pub progress: Vec<ProgressDto>,
}

impl From<SupervisionView> for SupervisionDto {
    fn from(v: SupervisionView) -> Self {
        let s = v.supervision;
        Self {
            id: s.id,
            hidden_danger_id: s.hidden_danger_id,
            code: v.code,
            description: v.description,
            record_status: v.record_status,
            enterprise_id: v.enterprise_id,
            enterprise_name: v.enterprise_name,
            gov_level: s.gov_level,
            organ_name: s.organ_name,
            supervisor_name: s.supervisor_name,
            document_no: s.document_no,
            requirements: s.requirements,
            deadline: s.deadline,
            status: s.status,
            overdue: v.overdue,
            created_at: s.created_at,
            lifter_name: s.lifter_name,
            lifted_at: s.lifted_at,
            lift_reason: s.lift_reason,
            progress: v
                .progress
                .into_iter()
                .map(|p| ProgressDto {
                    id: p.id,
                    reporter_name: p.reporter_name,
                    content: p.content,
                    attachment_ids: anjian_store::hidden_danger::parse_ids(&p.attachment_ids),
                    created_at: p.created_at,
                })
                .collect(),
        }
    }
}

/// A record with its history and what the caller may do with it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HiddenDangerDetailDto {
    /// The record.
    #[serde(flatten)]
    pub record: HiddenDangerDto,
    /// Events, oldest first.
    pub events: Vec<EventDto>,
    /// Extension requests, oldest first.
    pub extensions: Vec<ExtensionDto>,
    /// Listed supervisions, oldest first.
    pub supervisions: Vec<SupervisionDto>,
    /// Photo metadata.
    pub photos: Vec<AttachmentDto>,
    /// Evidence metadata.
    pub evidence: Vec<AttachmentDto>,
    /// Workflow actions the caller may take now (`confirm`, `reject`, `assign`, `start`,
    /// `submit`, `verify`, `send_back`, `reopen`, `request_extension`, `approve_extension`,
    /// `refuse_extension`); the server still checks each one.
    pub allowed_actions: Vec<String>,
    /// Whether the caller may put it under listed supervision now.
    pub can_supervise: bool,
}

/// An optional JSON body: empty (or only whitespace) means the defaults.
fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(T::default())
    } else {
        crate::extract::decode_json(body)
    }
}

fn actor(me: &CurrentUser) -> HdActor {
    HdActor {
        user_id: me.user.id,
        name: me.user.nickname.clone(),
        permissions: me.permissions.clone(),
        enterprise_id: me.user.enterprise_id,
        department_id: me.user.department_id,
        region_id: me.user.region_id,
    }
}

fn detail_dto(
    me: &CurrentUser,
    d: HiddenDangerDetail,
    now: DateTime<Utc>,
) -> HiddenDangerDetailDto {
    let state = record_state(&d.view.record, &d.extensions);
    let who = hd::Actor {
        user_id: me.user.id,
        permissions: me.permissions.clone(),
        is_remediator: d.view.record.remediator_id == Some(me.user.id),
    };
    let allowed = hd::allowed_actions(&state, &who, now);
    let open_supervision = d
        .supervisions
        .iter()
        .any(|s| s.supervision.status == "open");
    let can_supervise = permits(&me.permissions, perm::SUPERVISION_ADD)
        && me.user.enterprise_id.is_none()
        && state.level == Level::Major
        && !open_supervision
        && !matches!(
            state.status,
            Status::Closed | Status::Rejected | Status::Reported
        );
    HiddenDangerDetailDto {
        record: d.view.into(),
        events: d.events.into_iter().map(Into::into).collect(),
        extensions: d.extensions.into_iter().map(Into::into).collect(),
        supervisions: d.supervisions.into_iter().map(Into::into).collect(),
        photos: d.photos.into_iter().map(Into::into).collect(),
        evidence: d.evidence.into_iter().map(Into::into).collect(),
        allowed_actions: allowed.into_iter().map(str::to_owned).collect(),
        can_supervise,
    }
}

// ---------------------------------------------------------------- report

/// A report (contract §1).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportInput {
    /// Enterprise (default: the caller's).
    pub enterprise_id: Option<i64>,
    /// `ad_hoc` (default), `inspection`, `alarm` or `enforcement`.
    pub source: Option<Source>,
    /// What is wrong (1-2000 characters).
    pub description: String,
    /// Where, as text (at most 200 characters).
    pub location: Option<String>,
    /// WGS-84 longitude, degrees.
    pub longitude: Option<f64>,
    /// WGS-84 latitude, degrees.
    pub latitude: Option<f64>,
    /// Photo attachment ids (from `POST /api/attachments`, at most 20).
    #[serde(default)]
    pub photo_ids: Vec<i64>,
    /// GB/T 13861-2022 code.
    pub hazard_factor_code: Option<String>,
    /// `general` (default) or `major` (then a criteria item or a judgement).
    pub level: Option<Level>,
    /// Criteria standard of a major one.
    pub criteria_standard: Option<String>,
    /// Criteria item number.
    pub criteria_item: Option<u32>,
    /// Documented judgement of a major one.
    pub major_judgement: Option<String>,
    /// Linked risk point.
    pub risk_point_id: Option<i64>,
    /// Inspection task (source `inspection`).
    pub inspection_task_id: Option<i64>,
    /// Checklist item (source `inspection`).
    pub checklist_item_id: Option<i64>,
}

/// Report a hidden danger (随手拍, from an inspection task, ...): 201 with the record, status
/// `reported`.
#[utoipa::path(post, path = "/api/hidden-dangers", tag = "hidden-danger", security(("bearer" = [])), request_body = ReportInput,
    responses((status = 201, body = HiddenDangerDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<ReportInput>,
) -> ApiResult<(StatusCode, Json<HiddenDangerDto>)> {
    me.require(perm::REPORT)?;
    let Some(enterprise_id) = b.enterprise_id.or(me.user.enterprise_id) else {
        return Err(ApiError::invalid(
            "enterpriseId",
            "请选择企业 / is required",
        ));
    };
    let v = s
        .store
        .report_hidden_danger(
            NewHiddenDanger {
                enterprise_id,
                source: b.source,
                description: b.description,
                location: b.location,
                longitude: b.longitude,
                latitude: b.latitude,
                photo_ids: b.photo_ids,
                hazard_factor_code: b.hazard_factor_code,
                grading: Grading {
                    level: b.level,
                    criteria_standard: b.criteria_standard,
                    criteria_item: b.criteria_item,
                    judgement: b.major_judgement,
                },
                risk_point_id: b.risk_point_id,
                inspection_task_id: b.inspection_task_id,
                checklist_item_id: b.checklist_item_id,
                // An alarm is linked only through `POST /api/alarms/{id}/hidden-danger`, which
                // checks the alarm against the caller's scope.
                alarm_id: None,
            },
            &me.scope,
            &actor(&me),
            s.clock.now(),
        )
        .await?;
    s.risk.touch(v.record.enterprise_id, "hidden_danger");
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Turning an alarm into a hidden danger (contract §2).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FromAlarmInput {
    /// Description (default: built from the alarm).
    pub description: Option<String>,
    /// `general` (default) or `major`.
    pub level: Option<Level>,
    /// Criteria standard of a major one.
    pub criteria_standard: Option<String>,
    /// Criteria item number.
    pub criteria_item: Option<u32>,
    /// Documented judgement of a major one.
    pub major_judgement: Option<String>,
}

/// Turn an alarm into a hidden danger linked to it (`source: alarm`, the enterprise of the
/// alarm's source). A second call answers 409 naming the existing record.
#[utoipa::path(post, path = "/api/alarms/{id}/hidden-danger", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = FromAlarmInput,
    responses((status = 201, body = HiddenDangerDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn from_alarm(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, Json<HiddenDangerDto>)> {
    me.require(perm::REPORT)?;
    me.require("monitoring:alarm:query")?;
    let b: FromAlarmInput = optional_json(&body)?;
    let v = s
        .store
        .hidden_danger_from_alarm(
            id,
            b.description,
            Grading {
                level: b.level,
                criteria_standard: b.criteria_standard,
                criteria_item: b.criteria_item,
                judgement: b.major_judgement,
            },
            &me.scope,
            &actor(&me),
            s.clock.now(),
        )
        .await?;
    s.risk.touch(v.record.enterprise_id, "hidden_danger");
    Ok((StatusCode::CREATED, Json(v.into())))
}

// ---------------------------------------------------------------- list, detail, export

/// Ledger filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct HiddenDangerQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// Status.
    pub status: Option<String>,
    /// Level.
    pub level: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region (and below).
    pub region_id: Option<i64>,
    /// Only overdue (`true`) or only not overdue (`false`).
    pub overdue: Option<bool>,
    /// Substring of the code, description or location.
    pub keyword: Option<String>,
    /// Inspection task.
    pub inspection_task_id: Option<i64>,
    /// Risk point.
    pub risk_point_id: Option<i64>,
    /// Alarm.
    pub alarm_id: Option<i64>,
    /// Only those assigned to me.
    pub mine: Option<bool>,
    /// Only those under open listed supervision.
    pub supervised: Option<bool>,
    /// Reported on or after this date (Asia/Shanghai).
    pub from: Option<NaiveDate>,
    /// Reported on or before this date (Asia/Shanghai).
    pub to: Option<NaiveDate>,
}

fn parse_enum<T>(
    field: &str,
    v: &Option<String>,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
) -> ApiResult<Option<T>> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or_else(|| {
            ApiError::invalid(
                field,
                format!("须为以下之一：{0} / must be one of {0}", all.join(", ")),
            )
        }),
    }
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    hd::deadline_end(d) - chrono::Duration::days(1)
}

impl HiddenDangerQuery {
    fn filter(&self, me: &CurrentUser) -> ApiResult<HiddenDangerFilter> {
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
        let levels: Vec<&str> = Level::ALL.iter().map(|s| s.as_str()).collect();
        let sources: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
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
        if let (Some(a), Some(b)) = (self.from, self.to)
            && a > b
        {
            return Err(ApiError::invalid(
                "to",
                "结束日期不得早于开始日期 / must not be before from",
            ));
        }
        Ok(HiddenDangerFilter {
            status: parse_enum("status", &self.status, Status::parse, &statuses)?,
            level: parse_enum("level", &self.level, Level::parse, &levels)?,
            source: parse_enum("source", &self.source, Source::parse, &sources)?,
            enterprise_id: self.enterprise_id,
            region_id: self.region_id,
            overdue: self.overdue,
            keyword: self.keyword.clone(),
            inspection_task_id: self.inspection_task_id,
            risk_point_id: self.risk_point_id,
            alarm_id: self.alarm_id,
            remediator_id: self.mine.unwrap_or(false).then_some(me.user.id),
            from: self.from.map(day_start),
            to: self.to.map(hd::deadline_end),
            supervised: self.supervised,
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

/// The ledger: records within the caller's data scope, newest first.
#[utoipa::path(get, path = "/api/hidden-dangers", tag = "hidden-danger", security(("bearer" = [])), params(HiddenDangerQuery),
    responses((status = 200, body = PageResult<HiddenDangerDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<HiddenDangerQuery>,
) -> ApiResult<Json<PageResult<HiddenDangerDto>>> {
    me.require(perm::QUERY)?;
    let p = s
        .store
        .list_hidden_dangers(&q.filter(&me)?, &me.scope, q.page()?, s.clock.now())
        .await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// The overdue list: records past their deadline and not closed, most overdue first, with their
/// escalation level.
#[utoipa::path(get, path = "/api/hidden-dangers/overdue", tag = "hidden-danger", security(("bearer" = [])), params(HiddenDangerQuery),
    responses((status = 200, body = PageResult<HiddenDangerDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn overdue(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<HiddenDangerQuery>,
) -> ApiResult<Json<PageResult<HiddenDangerDto>>> {
    me.require(perm::OVERDUE_QUERY)?;
    let mut f = q.filter(&me)?;
    f.overdue = Some(true);
    let p = s
        .store
        .list_hidden_dangers(&f, &me.scope, q.page()?, s.clock.now())
        .await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

const EXPORT_COLS: [Col; 16] = {
    const fn c(header: &'static str, field: &'static str, width: f64) -> Col {
        Col {
            header,
            field,
            required: false,
            width,
            numeric: false,
        }
    }
    [
        c("隐患编号", "code", 24.0),
        c("企业", "enterpriseName", 28.0),
        c("来源", "source", 10.0),
        c("隐患描述", "description", 40.0),
        c("位置", "location", 20.0),
        c("危险有害因素", "hazardFactorCode", 12.0),
        c("等级", "level", 10.0),
        c("状态", "status", 10.0),
        c("上报人", "reporterName", 12.0),
        c("上报时间", "reportedAt", 20.0),
        c("整改责任部门", "department", 16.0),
        c("整改人", "remediatorName", 12.0),
        c("整改期限", "deadline", 12.0),
        c("销号时间", "closedAt", 20.0),
        c("逾期天数", "daysOverdue", 10.0),
        c("挂牌督办", "supervised", 10.0),
    ]
};

fn label(kind: &str, v: &str) -> String {
    let s = match (kind, v) {
        ("source", "ad_hoc") => "随手拍",
        ("source", "inspection") => "排查任务",
        ("source", "alarm") => "监测报警",
        ("source", "enforcement") => "执法检查",
        ("level", "general") => "一般隐患",
        ("level", "major") => "重大隐患",
        ("status", "reported") => "已上报",
        ("status", "confirmed") => "已确认",
        ("status", "rejected") => "已驳回",
        ("status", "assigned") => "已交办",
        ("status", "in_remediation") => "整改中",
        ("status", "submitted") => "待验收",
        ("status", "closed") => "已销号",
        _ => v,
    };
    s.to_owned()
}

fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&hd::shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Export format.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Status.
    pub status: Option<String>,
    /// Level.
    pub level: Option<String>,
    /// Source.
    pub source: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region (and below).
    pub region_id: Option<i64>,
    /// Only overdue.
    pub overdue: Option<bool>,
    /// Substring of the code, description or location.
    pub keyword: Option<String>,
    /// Reported on or after.
    pub from: Option<NaiveDate>,
    /// Reported on or before.
    pub to: Option<NaiveDate>,
}

/// Export the ledger (the same filters as the list, at most 10,000 rows) as xlsx; times in
/// Asia/Shanghai.
#[utoipa::path(get, path = "/api/hidden-dangers/export", tag = "hidden-danger", security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    if q.overdue == Some(true) {
        me.require(perm::OVERDUE_EXPORT)?;
    } else {
        me.require(perm::EXPORT)?;
    }
    let lq = HiddenDangerQuery {
        status: q.status,
        level: q.level,
        source: q.source,
        enterprise_id: q.enterprise_id,
        region_id: q.region_id,
        overdue: q.overdue,
        keyword: q.keyword,
        from: q.from,
        to: q.to,
        ..Default::default()
    };
    let mut rows = Vec::new();
    let now = s.clock.now();
    for page_num in 1..=20u64 {
        let page = anjian_domain::page::Page::new(Some(page_num), Some(500))?;
        let p = s
            .store
            .list_hidden_dangers(&lq.filter(&me)?, &me.scope, page, now)
            .await?;
        let n = p.rows.len();
        for v in p.rows {
            let r = &v.record;
            rows.push(vec![
                r.code.clone(),
                v.enterprise_name.clone().unwrap_or_default(),
                label("source", &r.source),
                r.description.clone(),
                r.location.clone().unwrap_or_default(),
                r.hazard_factor_code.clone().unwrap_or_default(),
                label("level", &r.level),
                label("status", &r.status),
                r.reporter_name.clone(),
                local_time(r.reported_at),
                r.department.clone().unwrap_or_default(),
                v.remediator_name.clone().unwrap_or_default(),
                r.deadline.map(|d| d.to_string()).unwrap_or_default(),
                r.closed_at.map(local_time).unwrap_or_default(),
                v.days_overdue.map(|d| d.to_string()).unwrap_or_default(),
                if v.supervised { "是" } else { "" }.to_owned(),
            ]);
        }
        if n < 500 {
            break;
        }
    }
    let bytes = excel::write_sheet("隐患台账", &EXPORT_COLS, &rows, false, &[])
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(attachment(bytes, XLSX, "hidden-dangers", "隐患台账.xlsx"))
}

/// One record with its events, extensions, supervisions, attachment metadata and the actions the
/// caller may take (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/hidden-dangers/{id}", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HiddenDangerDetailDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    me.require(perm::QUERY)?;
    let now = s.clock.now();
    let d = s.store.get_hidden_danger(id, &me.scope, now).await?;
    Ok(Json(detail_dto(&me, d, now)))
}

// ---------------------------------------------------------------- actions

async fn act(
    s: &AppState,
    me: &CurrentUser,
    id: i64,
    action: Action,
    attachments: &[i64],
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    me.require(action.permission())?;
    let now = s.clock.now();
    s.store
        .hidden_danger_action(id, &me.scope, &actor(me), action, attachments, now)
        .await?;
    let d = s.store.get_hidden_danger(id, &me.scope, now).await?;
    s.risk.touch(d.view.record.enterprise_id, "hidden_danger");
    Ok(Json(detail_dto(me, d, now)))
}

/// Confirming (and grading) a reported record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfirmInput {
    /// `general` (default) or `major`.
    pub level: Option<Level>,
    /// Criteria standard of a major one (`chemical-2017`, `industry-trade-2023`).
    pub criteria_standard: Option<String>,
    /// Criteria item number.
    pub criteria_item: Option<u32>,
    /// Documented judgement of a major one (when no criteria item fits; at least 10 characters).
    pub major_judgement: Option<String>,
    /// Comment (at most 500 characters).
    pub comment: Option<String>,
}

/// A reason (required, at most 500 characters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReasonInput {
    /// Why.
    pub reason: String,
}

/// An optional comment.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CommentInput {
    /// Comment (at most 500 characters).
    pub comment: Option<String>,
}

/// Assigning the remediation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssignInput {
    /// The remediator: an active user of the record's enterprise (see `GET /api/enterprise-staff`).
    pub remediator_id: i64,
    /// Responsible department or team inside the enterprise (1-100 characters).
    pub department: String,
    /// Deadline date `YYYY-MM-DD` (end of that day, Asia/Shanghai; not before today).
    pub deadline: NaiveDate,
    /// Remediation measures (1-2000 characters).
    pub measures: String,
    /// Required for a major hidden danger.
    pub five_assurances: Option<FiveAssurances>,
}

/// Submitting the remediation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitInput {
    /// What was done (1-2000 characters).
    pub description: String,
    /// Evidence photo ids (1-20, from `POST /api/attachments`).
    #[serde(default)]
    pub evidence_ids: Vec<i64>,
}

/// Asking for a later deadline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExtensionInput {
    /// The date asked for (after the current deadline).
    pub new_deadline: NaiveDate,
    /// Why (required).
    pub reason: String,
}

/// Confirm a reported record as a hidden danger and grade it (`reported` → `confirmed`).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/confirm", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ConfirmInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn confirm(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ConfirmInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    let action = Action::Confirm {
        grading: Grading {
            level: b.level,
            criteria_standard: b.criteria_standard,
            criteria_item: b.criteria_item,
            judgement: b.major_judgement,
        },
        comment: b.comment,
    };
    act(&s, &me, id, action, &[]).await
}

/// Reject a reported record: not a hidden danger (`reported` → `rejected`).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/reject", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    act(&s, &me, id, Action::Reject { reason: b.reason }, &[]).await
}

/// Assign the remediation (`confirmed` → `assigned`); a major one needs the five assurances.
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/assign", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AssignInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assign(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<AssignInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    let action = Action::Assign(Assignment {
        remediator_id: b.remediator_id,
        department: b.department,
        deadline: b.deadline,
        measures: b.measures,
        five_assurances: b.five_assurances,
    });
    act(&s, &me, id, action, &[]).await
}

/// The assigned remediator starts (`assigned` → `in_remediation`).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/start", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn start(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    act(&s, &me, id, Action::Start, &[]).await
}

/// The assigned remediator submits evidence (`in_remediation` → `submitted`).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/submit", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SubmitInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<SubmitInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    let action = Action::Submit {
        description: b.description,
        evidence_count: b.evidence_ids.len(),
    };
    act(&s, &me, id, action, &b.evidence_ids).await
}

/// Verify and close (`submitted` → `closed`): never by the remediator or whoever submitted (409).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/verify", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CommentInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    body: axum::body::Bytes,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    let b: CommentInput = optional_json(&body)?;
    act(&s, &me, id, Action::Verify { comment: b.comment }, &[]).await
}

/// Send a submitted remediation back (`submitted` → `in_remediation`), with a reason.
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/send-back", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_back(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    act(&s, &me, id, Action::SendBack { reason: b.reason }, &[]).await
}

/// The assigned remediator asks for a later deadline (one pending request at a time).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/extension", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ExtensionInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn request_extension(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ExtensionInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    let action = Action::RequestExtension {
        new_deadline: b.new_deadline,
        reason: b.reason,
    };
    act(&s, &me, id, action, &[]).await
}

/// Reopen a closed (→ `confirmed`) or rejected (→ `reported`) record, with a reason (logged).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/reopen", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reopen(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    act(&s, &me, id, Action::Reopen { reason: b.reason }, &[]).await
}

async fn decide(
    s: &AppState,
    me: &CurrentUser,
    id: i64,
    approve: bool,
    comment: Option<String>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    me.require(perm::APPROVE)?;
    let now = s.clock.now();
    let v = s
        .store
        .decide_hidden_danger_extension(id, &me.scope, &actor(me), approve, comment, now)
        .await?;
    let d = s
        .store
        .get_hidden_danger(v.record.id, &me.scope, now)
        .await?;
    s.risk.touch(v.record.enterprise_id, "hidden_danger");
    Ok(Json(detail_dto(me, d, now)))
}

/// Approve a pending extension: the record's deadline moves to the date asked for (which must
/// still lie ahead); never by the requester (409).
#[utoipa::path(post, path = "/api/hidden-danger-extensions/{id}/approve", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CommentInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn approve_extension(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    body: axum::body::Bytes,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    let b: CommentInput = optional_json(&body)?;
    decide(&s, &me, id, true, b.comment).await
}

/// Refuse a pending extension, with a reason: the deadline stays.
#[utoipa::path(post, path = "/api/hidden-danger-extensions/{id}/refuse", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = HiddenDangerDetailDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn refuse_extension(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<HiddenDangerDetailDto>> {
    decide(&s, &me, id, false, Some(b.reason)).await
}

// ---------------------------------------------------------------- staff picker

/// Staff picker query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StaffQuery {
    /// Enterprise (default: the caller's).
    pub enterprise_id: Option<i64>,
}

/// A user of an enterprise.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaffDto {
    /// User id.
    pub id: i64,
    /// Display name.
    pub nickname: String,
    /// Login name.
    pub username: String,
    /// Their role keys.
    pub role_keys: Vec<String>,
}

/// Active users of an enterprise within the caller's data scope (contract §3): for assigning
/// remediators and inspection assignees. Needs `hidden_danger:record:query` or
/// `inspection:plan:query`; 404 for an enterprise outside the scope.
#[utoipa::path(get, path = "/api/enterprise-staff", tag = "hidden-danger", security(("bearer" = [])), params(StaffQuery),
    responses((status = 200, body = Vec<StaffDto>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn staff(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<StaffQuery>,
) -> ApiResult<Json<Vec<StaffDto>>> {
    if !permits(&me.permissions, perm::QUERY) && !permits(&me.permissions, "inspection:plan:query")
    {
        me.require(perm::QUERY)?;
    }
    let Some(eid) = q.enterprise_id.or(me.user.enterprise_id) else {
        return Err(ApiError::invalid(
            "enterpriseId",
            "请选择企业 / is required",
        ));
    };
    let rows = s.store.enterprise_staff(eid, &me.scope).await?;
    Ok(Json(
        rows.into_iter()
            .map(|u| StaffDto {
                id: u.id,
                nickname: u.nickname,
                username: u.username,
                role_keys: u.role_keys,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------- listed supervision

/// Putting a record under listed supervision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SupervisionInput {
    /// Its own deadline `YYYY-MM-DD` (end of day, Asia/Shanghai; not before today).
    pub deadline: NaiveDate,
    /// What is required (1-2000 characters).
    pub requirements: String,
    /// Document number (督办文号), at most 64 characters.
    pub document_no: Option<String>,
}

/// A progress report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProgressInput {
    /// What has been done (1-2000 characters).
    pub content: String,
    /// Attachment ids (at most 20).
    #[serde(default)]
    pub attachment_ids: Vec<i64>,
}

/// Put a major hidden danger under listed supervision (挂牌督办): government users only (403 for
/// enterprise users, 409 when not major, closed, rejected or already supervised).
#[utoipa::path(post, path = "/api/hidden-dangers/{id}/supervision", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SupervisionInput,
    responses((status = 201, body = SupervisionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn supervise(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<SupervisionInput>,
) -> ApiResult<(StatusCode, Json<SupervisionDto>)> {
    me.require(perm::SUPERVISION_ADD)?;
    if me.user.enterprise_id.is_some() {
        return Err(ApiError::Forbidden(
            "listed supervision is decided by a government level".into(),
        ));
    }
    let v = s
        .store
        .put_under_supervision(
            id,
            &me.scope,
            &actor(&me),
            NewSupervision {
                deadline: b.deadline,
                requirements: b.requirements,
                document_no: b.document_no,
            },
            s.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

/// Supervision list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SupervisionQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// `open` or `lifted`.
    pub status: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
}

/// Listed supervisions within the caller's data scope, open ones first.
#[utoipa::path(get, path = "/api/listed-supervisions", tag = "hidden-danger", security(("bearer" = [])), params(SupervisionQuery),
    responses((status = 200, body = PageResult<SupervisionDto>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn supervisions(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<SupervisionQuery>,
) -> ApiResult<Json<PageResult<SupervisionDto>>> {
    me.require(perm::SUPERVISION_QUERY)?;
    if q.status
        .as_deref()
        .is_some_and(|v| !v.is_empty() && v != "open" && v != "lifted")
    {
        return Err(ApiError::invalid(
            "status",
            "状态须为督办中或已解除 / must be open or lifted",
        ));
    }
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let p = s
        .store
        .list_supervisions(
            &SupervisionFilter {
                status: q.status,
                enterprise_id: q.enterprise_id,
            },
            &me.scope,
            page,
            s.clock.now(),
        )
        .await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// The enterprise reports progress on an open listed supervision.
#[utoipa::path(post, path = "/api/listed-supervisions/{id}/progress", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ProgressInput,
    responses((status = 200, body = SupervisionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn progress(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ProgressInput>,
) -> ApiResult<Json<SupervisionDto>> {
    me.require(perm::SUPERVISION_REPORT)?;
    let v = s
        .store
        .report_supervision_progress(
            id,
            &me.scope,
            &actor(&me),
            b.content,
            b.attachment_ids,
            s.clock.now(),
        )
        .await?;
    Ok(Json(v.into()))
}

/// Lift (摘牌) an open listed supervision, with a reason (government users only).
#[utoipa::path(post, path = "/api/listed-supervisions/{id}/lift", tag = "hidden-danger", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 200, body = SupervisionDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lift(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ReasonInput>,
) -> ApiResult<Json<SupervisionDto>> {
    me.require(perm::SUPERVISION_LIFT)?;
    if me.user.enterprise_id.is_some() {
        return Err(ApiError::Forbidden(
            "listed supervision is lifted by a government level".into(),
        ));
    }
    let v = s
        .store
        .lift_supervision(id, &me.scope, &actor(&me), b.reason, s.clock.now())
        .await?;
    Ok(Json(v.into()))
}

// ---------------------------------------------------------------- statistics

/// Statistics filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region (and below).
    pub region_id: Option<i64>,
    /// Reported on or after this date (Asia/Shanghai).
    pub from: Option<NaiveDate>,
    /// Reported on or before this date (Asia/Shanghai).
    pub to: Option<NaiveDate>,
}

/// One bucket.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketDto {
    /// Key: status, level, category code (1-4, `none`), region id, enterprise id.
    pub key: String,
    /// Label (category, region or enterprise name).
    pub label: Option<String>,
    /// Records.
    pub count: u64,
    /// Of them closed.
    pub closed: u64,
    /// Of them overdue now.
    pub overdue: u64,
}

/// Hidden-danger statistics.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatsDto {
    /// Records.
    pub total: u64,
    /// Major ones.
    pub major: u64,
    /// Closed.
    pub closed: u64,
    /// Closed on or before the deadline.
    pub closed_on_time: u64,
    /// On-time remediation rate = closedOnTime / closed (0..1; null when nothing is closed).
    pub on_time_rate: Option<f64>,
    /// Overdue now.
    pub overdue: u64,
    /// Under open listed supervision.
    pub supervised: u64,
    /// By status.
    pub by_status: Vec<BucketDto>,
    /// By level.
    pub by_level: Vec<BucketDto>,
    /// By GB/T 13861 top-level category.
    pub by_category: Vec<BucketDto>,
    /// By district.
    pub by_region: Vec<BucketDto>,
    /// By enterprise (top 20).
    pub by_enterprise: Vec<BucketDto>,
}

fn buckets(v: Vec<StatBucket>) -> Vec<BucketDto> {
    v.into_iter()
        .map(|b| BucketDto {
            key: b.key,
            label: b.label,
            count: b.count,
            closed: b.closed,
            overdue: b.overdue,
        })
        .collect()
}

impl From<HiddenDangerStats> for StatsDto {
    fn from(s: HiddenDangerStats) -> Self {
        Self {
            total: s.total,
            major: s.major,
            closed: s.closed,
            closed_on_time: s.closed_on_time,
            on_time_rate: s.on_time_rate,
            overdue: s.overdue,
            supervised: s.supervised,
            by_status: buckets(s.by_status),
            by_level: buckets(s.by_level),
            by_category: buckets(s.by_category),
            by_region: buckets(s.by_region),
            by_enterprise: buckets(s.by_enterprise),
        }
    }
}

impl StatsQuery {
    fn filter(&self) -> ApiResult<StatsFilter> {
        if let (Some(a), Some(b)) = (self.from, self.to)
            && a > b
        {
            return Err(ApiError::invalid(
                "to",
                "结束日期不得早于开始日期 / must not be before from",
            ));
        }
        Ok(StatsFilter {
            enterprise_id: self.enterprise_id,
            region_id: self.region_id,
            from: self.from.map(day_start),
            to: self.to.map(hd::deadline_end),
        })
    }
}

/// Statistics over the caller's data scope: by status, level, category, district and enterprise,
/// the on-time remediation rate and the overdue count.
#[utoipa::path(get, path = "/api/hidden-danger-stats", tag = "hidden-danger", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = StatsDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn stats(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<StatsDto>> {
    me.require(perm::STATS_QUERY)?;
    let st = s
        .store
        .hidden_danger_stats(&q.filter()?, &me.scope, s.clock.now())
        .await?;
    Ok(Json(st.into()))
}

const STATS_COLS: [Col; 6] = {
    const fn c(header: &'static str, field: &'static str, numeric: bool) -> Col {
        Col {
            header,
            field,
            required: false,
            width: 18.0,
            numeric,
        }
    }
    [
        c("维度", "dimension", false),
        c("分类", "label", false),
        c("隐患数", "count", true),
        c("已销号", "closed", true),
        c("逾期", "overdue", true),
        c("整改率", "rate", false),
    ]
};

/// Export the statistics as xlsx: one row per bucket of each dimension, plus the totals and the
/// on-time rate.
#[utoipa::path(get, path = "/api/hidden-danger-stats/export", tag = "hidden-danger", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn stats_export(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    me.require(perm::STATS_EXPORT)?;
    let st = s
        .store
        .hidden_danger_stats(&q.filter()?, &me.scope, s.clock.now())
        .await?;
    let pct = |closed: u64, count: u64| {
        if count == 0 {
            String::new()
        } else {
            format!("{:.1}%", closed as f64 * 100.0 / count as f64)
        }
    };
    let mut rows = vec![
        vec![
            "合计".to_owned(),
            "全部".to_owned(),
            st.total.to_string(),
            st.closed.to_string(),
            st.overdue.to_string(),
            pct(st.closed, st.total),
        ],
        vec![
            "按期整改率".to_owned(),
            "按期销号 / 已销号".to_owned(),
            st.closed_on_time.to_string(),
            st.closed.to_string(),
            String::new(),
            st.on_time_rate
                .map(|r| format!("{:.1}%", r * 100.0))
                .unwrap_or_default(),
        ],
    ];
    for (dim, kind, list) in [
        ("状态", "status", &st.by_status),
        ("等级", "level", &st.by_level),
        ("类别", "", &st.by_category),
        ("区域", "", &st.by_region),
        ("企业", "", &st.by_enterprise),
    ] {
        for b in list {
            rows.push(vec![
                dim.to_owned(),
                b.label.clone().unwrap_or_else(|| label(kind, &b.key)),
                b.count.to_string(),
                b.closed.to_string(),
                b.overdue.to_string(),
                pct(b.closed, b.count),
            ]);
        }
    }
    let bytes = excel::write_sheet("隐患统计", &STATS_COLS, &rows, false, &[])
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(attachment(
        bytes,
        XLSX,
        "hidden-danger-stats",
        "隐患统计.xlsx",
    ))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report, list))
        .routes(routes!(overdue))
        .routes(routes!(export))
        .routes(routes!(get))
        .routes(routes!(confirm))
        .routes(routes!(reject))
        .routes(routes!(assign))
        .routes(routes!(start))
        .routes(routes!(submit))
        .routes(routes!(verify))
        .routes(routes!(send_back))
        .routes(routes!(request_extension))
        .routes(routes!(reopen))
        .routes(routes!(approve_extension))
        .routes(routes!(refuse_extension))
        .routes(routes!(from_alarm))
        .routes(routes!(staff))
        .routes(routes!(supervise))
        .routes(routes!(supervisions))
        .routes(routes!(progress))
        .routes(routes!(lift))
        .routes(routes!(stats))
        .routes(routes!(stats_export))
}
