//! Hidden-danger remediation (隐患治理): the record, its workflow transitions, deadline extensions,
//! overdue escalation, listed supervision and statistics.
//!
//! Every transition runs [`anjian_domain::dual_prevention::hidden_danger::transition`] on the
//! stored state, then writes the outcome in one transaction whose `UPDATE` carries the status it
//! read (and, for extensions, the pending request it read) in its `WHERE`: of two concurrent
//! actions on one record one wins, the other gets [`StoreError::Conflict`]. Every transition writes
//! an event (actor, time, action, from → to, comment, attachment ids).
//!
//! Data scope: records are visible through their enterprise ([`crate::org::enterprise_scope`]);
//! outside the scope a record is [`StoreError::NotFound`] and absent from lists.
//!
//! Escalation ([`Store::escalate_overdue_hidden_dangers`]): an overdue record's level rises with
//! the days overdue (see the domain module); each level reached writes an event and notifies, once
//! (dedupe key `hd-overdue:<id>:<deadline>:<level>`): level 1 the enterprise; level 2 its
//! supervising department (`enterprises.department_id`; none when it has none); level 3 the
//! bureau: the emergency-management department(s) (`departments.kind = 'bureau'`) whose region is
//! the enterprise's district or that have no region (city level), and the users of the
//! enterprise's district (`Audience::Region`, the district inspectors).

use crate::entities::{department, enterprise, region, user};
use crate::notifications::{Audience, NewNotification};
use crate::telemetry::enterprise_id_in_scope;
use crate::{AttachmentInfo, PageOf, Result, Store, StoreError, unique_as_field};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::hidden_danger::{
    self as hd, Action, Actor, Escalation, EscalationPolicy, ExtensionEffect, FiveAssurances,
    Grading, Level, Outcome, PendingExtension, RecordState, Source, Status, WorkflowError,
};
use anjian_domain::page::Page;
use anjian_domain::standards::hazard_factor;
use anjian_domain::{FieldErrors, ValidationError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// SeaORM entities of this module's tables (m0006).
pub mod entity {
    /// `hidden_dangers`.
    pub mod record {
        use sea_orm::entity::prelude::*;

        /// A hidden-danger record as stored.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "hidden_dangers")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub code: String,
            pub enterprise_id: i64,
            pub source: String,
            pub inspection_task_id: Option<i64>,
            pub checklist_item_id: Option<i64>,
            pub alarm_id: Option<i64>,
            pub risk_point_id: Option<i64>,
            pub description: String,
            pub location: Option<String>,
            pub longitude: Option<f64>,
            pub latitude: Option<f64>,
            pub photo_ids: String,
            pub hazard_factor_code: Option<String>,
            pub hazard_category: Option<String>,
            pub level: String,
            pub criteria_standard: Option<String>,
            pub criteria_item: Option<i32>,
            pub major_judgement: Option<String>,
            pub status: String,
            pub reporter_id: Option<i64>,
            pub reporter_name: String,
            pub reported_at: DateTimeUtc,
            pub confirmed_by: Option<i64>,
            pub confirmed_at: Option<DateTimeUtc>,
            pub department: Option<String>,
            pub remediator_id: Option<i64>,
            pub deadline: Option<Date>,
            pub deadline_at: Option<DateTimeUtc>,
            pub measures: Option<String>,
            pub five_assurances: Option<String>,
            pub evidence_ids: String,
            pub evidence_description: Option<String>,
            pub submitted_by: Option<i64>,
            pub submitted_at: Option<DateTimeUtc>,
            pub verifier_id: Option<i64>,
            pub closed_at: Option<DateTimeUtc>,
            pub pending_extension_id: Option<i64>,
            pub escalation_level: i32,
            pub escalated_at: Option<DateTimeUtc>,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `hidden_danger_events`.
    pub mod event {
        use sea_orm::entity::prelude::*;

        /// One logged transition.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "hidden_danger_events")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub hidden_danger_id: i64,
            pub action: String,
            pub from_status: Option<String>,
            pub to_status: String,
            pub actor_id: Option<i64>,
            pub actor_name: String,
            pub comment: Option<String>,
            pub attachment_ids: String,
            pub at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `hidden_danger_extensions`.
    pub mod extension {
        use sea_orm::entity::prelude::*;

        /// A deadline extension request.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "hidden_danger_extensions")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub hidden_danger_id: i64,
            pub requested_by: i64,
            pub requester_name: String,
            pub requested_at: DateTimeUtc,
            pub old_deadline: Option<Date>,
            pub new_deadline: Date,
            pub reason: String,
            pub status: String,
            pub decided_by: Option<i64>,
            pub decider_name: Option<String>,
            pub decided_at: Option<DateTimeUtc>,
            pub decision_comment: Option<String>,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `listed_supervisions`.
    pub mod supervision {
        use sea_orm::entity::prelude::*;

        /// A listed supervision (挂牌督办).
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "listed_supervisions")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub hidden_danger_id: i64,
            pub gov_level: String,
            pub department_id: Option<i64>,
            pub region_id: Option<i64>,
            pub organ_name: String,
            pub supervisor_id: i64,
            pub supervisor_name: String,
            pub document_no: Option<String>,
            pub requirements: String,
            pub deadline: Date,
            pub deadline_at: DateTimeUtc,
            pub status: String,
            pub created_at: DateTimeUtc,
            pub lifted_by: Option<i64>,
            pub lifter_name: Option<String>,
            pub lifted_at: Option<DateTimeUtc>,
            pub lift_reason: Option<String>,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `supervision_progress_reports`.
    pub mod progress {
        use sea_orm::entity::prelude::*;

        /// A progress report of the enterprise on a listed supervision.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "supervision_progress_reports")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub supervision_id: i64,
            pub reporter_id: i64,
            pub reporter_name: String,
            pub content: String,
            pub attachment_ids: String,
            pub created_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{event, extension, progress, record, supervision};

pub use entity::event::Model as HiddenDangerEvent;
pub use entity::extension::Model as HiddenDangerExtension;
pub use entity::progress::Model as ProgressReport;
pub use entity::record::Model as HiddenDanger;
pub use entity::supervision::Model as ListedSupervision;

/// At most this many photos (or evidence files, or progress attachments) per record or report.
pub const MAX_ATTACHMENTS: usize = 20;

/// Who acts on a record: the signed-in user, their display name and permission strings.
#[derive(Debug, Clone)]
pub struct HdActor {
    /// User id.
    pub user_id: i64,
    /// Display name (kept in the event log).
    pub name: String,
    /// Permission strings.
    pub permissions: Vec<String>,
    /// Their enterprise (enterprise users), if any.
    pub enterprise_id: Option<i64>,
    /// Their department (government users), if any.
    pub department_id: Option<i64>,
    /// Their region (district users), if any.
    pub region_id: Option<i64>,
}

/// A report (随手拍, from an inspection task, from an alarm).
#[derive(Debug, Clone, Default)]
pub struct NewHiddenDanger {
    /// The enterprise (within the reporter's scope).
    pub enterprise_id: i64,
    /// Where it came from.
    pub source: Option<Source>,
    /// What is wrong (1-2000 characters).
    pub description: String,
    /// Where, as text (at most 200 characters).
    pub location: Option<String>,
    /// WGS-84 longitude, degrees (-180..=180).
    pub longitude: Option<f64>,
    /// WGS-84 latitude, degrees (-90..=90).
    pub latitude: Option<f64>,
    /// Photo attachment ids (at most 20, visible to the reporter).
    pub photo_ids: Vec<i64>,
    /// GB/T 13861-2022 code of the hazardous factor.
    pub hazard_factor_code: Option<String>,
    /// A grading proposed at report time (the confirmer may change it).
    pub grading: Grading,
    /// Linked risk point: one of the enterprise's (else 422 on `riskPointId`).
    pub risk_point_id: Option<i64>,
    /// Linked inspection task: one of the enterprise's (else 422 on `inspectionTaskId`).
    pub inspection_task_id: Option<i64>,
    /// Linked checklist item: one of the task's checklist; needs the task (else 422 on
    /// `checklistItemId`).
    pub checklist_item_id: Option<i64>,
    /// Linked alarm.
    pub alarm_id: Option<i64>,
}

/// Filters of the list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct HiddenDangerFilter {
    /// Status.
    pub status: Option<Status>,
    /// Level.
    pub level: Option<Level>,
    /// Source.
    pub source: Option<Source>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region: enterprises in this region or below.
    pub region_id: Option<i64>,
    /// `true`: only overdue at `now`; `false`: only not overdue.
    pub overdue: Option<bool>,
    /// Substring of the code, description or location (case-insensitive).
    pub keyword: Option<String>,
    /// Inspection task.
    pub inspection_task_id: Option<i64>,
    /// Risk point.
    pub risk_point_id: Option<i64>,
    /// Alarm.
    pub alarm_id: Option<i64>,
    /// Assigned remediator.
    pub remediator_id: Option<i64>,
    /// Reported at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
    /// Only records under an open listed supervision.
    pub supervised: Option<bool>,
}

/// A record with what lists show next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenDangerView {
    /// The stored record.
    pub record: HiddenDanger,
    /// Its enterprise's name.
    pub enterprise_name: Option<String>,
    /// The remediator's display name.
    pub remediator_name: Option<String>,
    /// The verifier's display name.
    pub verifier_name: Option<String>,
    /// Overdue at the time of the query.
    pub overdue: bool,
    /// Whole days overdue (0 on the first day), when overdue.
    pub days_overdue: Option<i64>,
    /// Under an open listed supervision.
    pub supervised: bool,
    /// The five assurances, parsed.
    pub five_assurances: Option<FiveAssurances>,
}

/// A listed supervision with its progress reports.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisionView {
    /// The supervision.
    pub supervision: ListedSupervision,
    /// Progress reports, oldest first.
    pub progress: Vec<ProgressReport>,
    /// Its hidden danger's code.
    pub code: String,
    /// Its hidden danger's description.
    pub description: String,
    /// Its hidden danger's status.
    pub record_status: String,
    /// Its enterprise's id.
    pub enterprise_id: i64,
    /// Its enterprise's name.
    pub enterprise_name: Option<String>,
    /// Open and past its own deadline at the time of the query.
    pub overdue: bool,
}

/// A record with its history.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenDangerDetail {
    /// The record.
    pub view: HiddenDangerView,
    /// Events, oldest first.
    pub events: Vec<HiddenDangerEvent>,
    /// Extension requests, oldest first.
    pub extensions: Vec<HiddenDangerExtension>,
    /// Listed supervisions, oldest first.
    pub supervisions: Vec<SupervisionView>,
    /// Metadata of the photos.
    pub photos: Vec<AttachmentInfo>,
    /// Metadata of the evidence.
    pub evidence: Vec<AttachmentInfo>,
}

/// A government user putting a record under listed supervision.
#[derive(Debug, Clone)]
pub struct NewSupervision {
    /// Its own deadline (a date, end of day in Asia/Shanghai; after now).
    pub deadline: NaiveDate,
    /// What is required (1-2000 characters).
    pub requirements: String,
    /// Document number (督办文号), at most 64 characters.
    pub document_no: Option<String>,
}

/// Filters of the supervision list.
#[derive(Debug, Clone, Default)]
pub struct SupervisionFilter {
    /// `open` or `lifted`.
    pub status: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
}

/// Filters of the statistics.
#[derive(Debug, Clone, Default)]
pub struct StatsFilter {
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region (and below).
    pub region_id: Option<i64>,
    /// Reported at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
}

/// One bucket of a statistic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatBucket {
    /// The key (status, level, category code, region id, enterprise id).
    pub key: String,
    /// A label (category name, region or enterprise name) when known.
    pub label: Option<String>,
    /// Records.
    pub count: u64,
    /// Of them closed.
    pub closed: u64,
    /// Of them overdue now.
    pub overdue: u64,
}

/// Hidden-danger statistics over the caller's scope.
#[derive(Debug, Clone, PartialEq)]
pub struct HiddenDangerStats {
    /// Records (rejected ones included).
    pub total: u64,
    /// Of them major.
    pub major: u64,
    /// Closed.
    pub closed: u64,
    /// Closed at or before their deadline's end.
    pub closed_on_time: u64,
    /// `closed_on_time / closed`, `None` when nothing is closed.
    pub on_time_rate: Option<f64>,
    /// Overdue now.
    pub overdue: u64,
    /// Under open listed supervision.
    pub supervised: u64,
    /// By status (every status, workflow order).
    pub by_status: Vec<StatBucket>,
    /// By level.
    pub by_level: Vec<StatBucket>,
    /// By GB/T 13861 category (top-level code 1-4, `none` when unclassified).
    pub by_category: Vec<StatBucket>,
    /// By district (the enterprise's region rolled up to its district).
    pub by_region: Vec<StatBucket>,
    /// By enterprise, most records first (at most 20).
    pub by_enterprise: Vec<StatBucket>,
}

/// One user of an enterprise for the staff picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// User id.
    pub id: i64,
    /// Display name.
    pub nickname: String,
    /// Login name.
    pub username: String,
    /// Keys of their roles.
    pub role_keys: Vec<String>,
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Parses a stored JSON array of ids (an unreadable value is empty).
pub fn parse_ids(s: &str) -> Vec<i64> {
    serde_json::from_str(s).unwrap_or_default()
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn status_of(m: &HiddenDanger) -> Status {
    Status::parse(&m.status).unwrap_or(Status::Reported)
}

fn level_of(m: &HiddenDanger) -> Level {
    Level::parse(&m.level).unwrap_or(Level::General)
}

fn workflow_error(e: WorkflowError) -> StoreError {
    match e {
        WorkflowError::Forbidden(p) => {
            StoreError::Conflict(format!("缺少权限 {p} / missing permission {p}"))
        }
        WorkflowError::Conflict(m) => StoreError::Conflict(m),
        WorkflowError::Invalid(fields) => ValidationError { fields }.into(),
    }
}

fn finish(f: FieldErrors) -> Result<()> {
    if f.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { fields: f }.into())
    }
}

fn extension_status_zh(s: &str) -> &str {
    match s {
        "pending" => "待审批",
        "approved" => "已批准",
        "refused" => "已驳回",
        "cancelled" => "已撤销",
        other => other,
    }
}

fn check_attachment_count(f: &mut FieldErrors, field: &str, ids: &[i64]) {
    if ids.len() > MAX_ATTACHMENTS {
        f.insert(
            field.into(),
            format!("最多 {MAX_ATTACHMENTS} 个文件 / at most {MAX_ATTACHMENTS} files"),
        );
    }
}

type MaybeTime = Option<DateTime<Utc>>;

/// The statuses in which a record can be overdue.
const OPEN: [&str; 3] = ["assigned", "in_remediation", "submitted"];

fn overdue_condition(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(record::Column::Status.is_in(OPEN))
        .add(record::Column::DeadlineAt.lte(now))
}

fn open_supervision_ids() -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(supervision::Column::HiddenDangerId)
        .from(supervision::Entity)
        .and_where(supervision::Column::Status.eq("open"))
        .to_owned()
}

impl Store {
    async fn region_enterprises(
        &self,
        region_id: i64,
    ) -> Result<sea_orm::sea_query::SelectStatement> {
        let r = region::Entity::find_by_id(region_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| {
                ValidationError::field("regionId", "没有这个行政区划 / no such region")
            })?;
        Ok(Query::select()
            .column(enterprise::Column::Id)
            .from(enterprise::Entity)
            .and_where(
                enterprise::Column::RegionId.in_subquery(crate::org::region_subtree_ids(&r.path)),
            )
            .to_owned())
    }

    async fn hidden_danger_query(
        &self,
        f: &HiddenDangerFilter,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<sea_orm::Select<record::Entity>> {
        let mut q = record::Entity::find()
            .filter(enterprise_id_in_scope(record::Column::EnterpriseId, scope));
        if let Some(s) = f.status {
            q = q.filter(record::Column::Status.eq(s.as_str()));
        }
        if let Some(l) = f.level {
            q = q.filter(record::Column::Level.eq(l.as_str()));
        }
        if let Some(s) = f.source {
            q = q.filter(record::Column::Source.eq(s.as_str()));
        }
        if let Some(e) = f.enterprise_id {
            q = q.filter(record::Column::EnterpriseId.eq(e));
        }
        if let Some(r) = f.region_id {
            q = q.filter(
                record::Column::EnterpriseId.in_subquery(self.region_enterprises(r).await?),
            );
        }
        match f.overdue {
            Some(true) => q = q.filter(overdue_condition(now)),
            Some(false) => q = q.filter(overdue_condition(now).not()),
            None => {}
        }
        if let Some(k) = trimmed(&f.keyword) {
            q = q.filter(
                Condition::any()
                    .add(crate::like_literal(record::Column::Code, &k, false))
                    .add(crate::like_literal(record::Column::Description, &k, false))
                    .add(crate::like_literal(record::Column::Location, &k, false)),
            );
        }
        if let Some(v) = f.inspection_task_id {
            q = q.filter(record::Column::InspectionTaskId.eq(v));
        }
        if let Some(v) = f.risk_point_id {
            q = q.filter(record::Column::RiskPointId.eq(v));
        }
        if let Some(v) = f.alarm_id {
            q = q.filter(record::Column::AlarmId.eq(v));
        }
        if let Some(v) = f.remediator_id {
            q = q.filter(record::Column::RemediatorId.eq(v));
        }
        if let Some(t) = f.from {
            q = q.filter(record::Column::ReportedAt.gte(t));
        }
        if let Some(t) = f.to {
            q = q.filter(record::Column::ReportedAt.lt(t));
        }
        match f.supervised {
            Some(true) => q = q.filter(record::Column::Id.in_subquery(open_supervision_ids())),
            Some(false) => q = q.filter(record::Column::Id.not_in_subquery(open_supervision_ids())),
            None => {}
        }
        Ok(q)
    }

    async fn hidden_danger_views(
        &self,
        rows: Vec<HiddenDanger>,
        now: DateTime<Utc>,
    ) -> Result<Vec<HiddenDangerView>> {
        let enterprise_ids: Vec<i64> = rows.iter().map(|r| r.enterprise_id).collect();
        let names = crate::monitoring::enterprise_names_of(self, enterprise_ids).await?;
        let mut user_ids: Vec<i64> = Vec::new();
        for r in &rows {
            user_ids.extend(r.remediator_id);
            user_ids.extend(r.verifier_id);
        }
        let users = self.user_names(user_ids).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let supervised: HashSet<i64> = if ids.is_empty() {
            HashSet::new()
        } else {
            supervision::Entity::find()
                .select_only()
                .column(supervision::Column::HiddenDangerId)
                .filter(supervision::Column::Status.eq("open"))
                .filter(supervision::Column::HiddenDangerId.is_in(ids))
                .into_tuple::<i64>()
                .all(&self.db)
                .await?
                .into_iter()
                .collect()
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let status = status_of(&r);
                HiddenDangerView {
                    enterprise_name: names.get(&r.enterprise_id).cloned(),
                    remediator_name: r.remediator_id.and_then(|u| users.get(&u).cloned()),
                    verifier_name: r.verifier_id.and_then(|u| users.get(&u).cloned()),
                    overdue: hd::is_overdue(status, r.deadline, now),
                    days_overdue: hd::days_overdue(status, r.deadline, now),
                    supervised: supervised.contains(&r.id),
                    five_assurances: r
                        .five_assurances
                        .as_deref()
                        .and_then(|s| serde_json::from_str(s).ok()),
                    record: r,
                }
            })
            .collect())
    }

    /// Checks the records a report links to: the risk point and the inspection task must be the
    /// reported enterprise's; a report from an inspection names its task; a checklist item must be
    /// one of that task's checklist (an item needs its task), must not be recorded as passed in
    /// that task, and is reported once ([`StoreError::Conflict`] naming the existing record; a
    /// rejected report does not count).
    async fn check_report_links(&self, n: &NewHiddenDanger, f: &mut FieldErrors) -> Result<()> {
        use crate::inspection::entities::{checklist_item, result, task};
        if n.source == Some(Source::Inspection) && n.inspection_task_id.is_none() {
            f.insert(
                "inspectionTaskId".into(),
                "来源为排查任务时必填 / is required when the source is an inspection".into(),
            );
        }
        use crate::risk::entity::risk_point;
        if let Some(id) = n.risk_point_id {
            let found = risk_point::Entity::find_by_id(id)
                .filter(risk_point::Column::EnterpriseId.eq(n.enterprise_id))
                .count(&self.db)
                .await?;
            if found == 0 {
                f.insert(
                    "riskPointId".into(),
                    "该企业没有这个风险点 / no such risk point of this enterprise".into(),
                );
            }
        }
        let task = match n.inspection_task_id {
            Some(id) => {
                let t = task::Entity::find_by_id(id)
                    .filter(task::Column::EnterpriseId.eq(n.enterprise_id))
                    .one(&self.db)
                    .await?;
                if t.is_none() {
                    f.insert(
                        "inspectionTaskId".into(),
                        "该企业没有这个排查任务 / no such inspection task of this enterprise"
                            .into(),
                    );
                }
                t
            }
            None => None,
        };
        if let Some(item_id) = n.checklist_item_id {
            match (&task, n.inspection_task_id) {
                (_, None) => {
                    f.insert(
                        "checklistItemId".into(),
                        "须同时指定发现该隐患的排查任务 / needs inspectionTaskId (the task it was found in)".into(),
                    );
                }
                (Some(t), Some(_)) => {
                    let found = checklist_item::Entity::find_by_id(item_id)
                        .filter(checklist_item::Column::ChecklistId.eq(t.checklist_id))
                        .count(&self.db)
                        .await?;
                    if found == 0 {
                        f.insert(
                            "checklistItemId".into(),
                            "不是该排查任务检查表中的检查项 / not an item of the task's checklist"
                                .into(),
                        );
                        return Ok(());
                    }
                    let recorded: Option<String> = result::Entity::find()
                        .select_only()
                        .column(result::Column::Result)
                        .filter(result::Column::TaskId.eq(t.id))
                        .filter(result::Column::ItemId.eq(item_id))
                        .into_tuple()
                        .one(&self.db)
                        .await?;
                    if recorded.as_deref().is_some_and(|r| r != "fail") {
                        f.insert(
                            "checklistItemId".into(),
                            "该项在本次排查中记录为合格或不适用 / the item was recorded as passed or not applicable in this task".into(),
                        );
                    }
                    let existing: Option<String> = record::Entity::find()
                        .select_only()
                        .column(record::Column::Code)
                        .filter(record::Column::InspectionTaskId.eq(t.id))
                        .filter(record::Column::ChecklistItemId.eq(item_id))
                        .filter(record::Column::Status.ne(Status::Rejected.as_str()))
                        .into_tuple()
                        .one(&self.db)
                        .await?;
                    if let Some(code) = existing {
                        return Err(StoreError::Conflict(format!(
                            "该检查项已上报为隐患 {code} / this item of this task was already reported as {code}"
                        )));
                    }
                }
                (None, Some(_)) => {}
            }
        }
        Ok(())
    }

    /// Reports a hidden danger: status `reported`, a new code `YH-<enterprise id>-<yyyymmdd
    /// (Shanghai)>-<seq>`, an event `report` carrying the photos; notifies the enterprise.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming `enterpriseId` (missing or outside the scope),
    /// `description`, `location`, `longitude`, `latitude`, `photoIds`, `hazardFactorCode`,
    /// `criteriaStandard`, `criteriaItem`, `majorJudgement`; [`StoreError::Db`].
    pub async fn report_hidden_danger(
        &self,
        n: NewHiddenDanger,
        scope: &ScopeFilter,
        reporter: &HdActor,
        now: DateTime<Utc>,
    ) -> Result<HiddenDangerView> {
        let mut f = FieldErrors::new();
        let description = n.description.trim().to_owned();
        if description.is_empty() {
            f.insert("description".into(), "必填 / is required".into());
        } else if description.chars().count() > 2000 {
            f.insert(
                "description".into(),
                "最多 2000 个字符 / at most 2000 characters".into(),
            );
        }
        let location = trimmed(&n.location);
        if location.as_ref().is_some_and(|l| l.chars().count() > 200) {
            f.insert(
                "location".into(),
                "最多 200 个字符 / at most 200 characters".into(),
            );
        }
        if n.longitude
            .is_some_and(|v| !(v.is_finite() && (-180.0..=180.0).contains(&v)))
        {
            f.insert(
                "longitude".into(),
                "经度须在 -180 到 180 度之间 / must be within -180..180 degrees".into(),
            );
        }
        if n.latitude
            .is_some_and(|v| !(v.is_finite() && (-90.0..=90.0).contains(&v)))
        {
            f.insert(
                "latitude".into(),
                "纬度须在 -90 到 90 度之间 / must be within -90..90 degrees".into(),
            );
        }
        check_attachment_count(&mut f, "photoIds", &n.photo_ids);
        let hazard = trimmed(&n.hazard_factor_code);
        if let Some(code) = &hazard
            && let Err(e) = hazard_factor::validate(code)
        {
            f.insert("hazardFactorCode".into(), e.to_string());
        }
        f.extend(hd::check_grading(&n.grading));
        let visible = crate::org::enterprise_visible(&self.db, n.enterprise_id, scope).await?;
        if !visible {
            f.insert(
                "enterpriseId".into(),
                "没有这个企业 / no such enterprise".into(),
            );
        } else {
            self.check_report_links(&n, &mut f).await?;
        }
        finish(f)?;
        self.check_attachments(&n.photo_ids, scope, "photoIds")
            .await?;
        let level = n.grading.level.unwrap_or(Level::General);
        let day = hd::shanghai_date(now).format("%Y%m%d").to_string();
        let prefix = format!("YH-{}-{day}-", n.enterprise_id);
        let mut last_err = None;
        for _ in 0..5 {
            let seq = record::Entity::find()
                .filter(crate::like_literal(record::Column::Code, &prefix, true))
                .count(&self.db)
                .await?
                + 1;
            let code = format!("{prefix}{seq:03}");
            let txn = self.db.begin().await?;
            let inserted = record::ActiveModel {
                code: Set(code),
                enterprise_id: Set(n.enterprise_id),
                source: Set(n.source.unwrap_or(Source::AdHoc).as_str().to_owned()),
                inspection_task_id: Set(n.inspection_task_id),
                checklist_item_id: Set(n.checklist_item_id),
                alarm_id: Set(n.alarm_id),
                risk_point_id: Set(n.risk_point_id),
                description: Set(description.clone()),
                location: Set(location.clone()),
                longitude: Set(n.longitude),
                latitude: Set(n.latitude),
                photo_ids: Set(ids_json(&n.photo_ids)),
                hazard_category: Set(hazard.as_ref().map(|c| c[..1].to_owned())),
                hazard_factor_code: Set(hazard.clone()),
                level: Set(level.as_str().to_owned()),
                criteria_standard: Set(n.grading.criteria_standard.clone()),
                criteria_item: Set(n.grading.criteria_item.map(|i| i as i32)),
                major_judgement: Set(trimmed(&n.grading.judgement)),
                status: Set(Status::Reported.as_str().to_owned()),
                reporter_id: Set(Some(reporter.user_id)),
                reporter_name: Set(reporter.name.chars().take(64).collect()),
                reported_at: Set(now),
                evidence_ids: Set("[]".into()),
                escalation_level: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            let m = match inserted {
                Ok(m) => m,
                Err(e) => {
                    let _ = txn.rollback().await;
                    last_err = Some(unique_as_field(e, "code", "taken"));
                    continue;
                }
            };
            insert_event(
                &txn,
                event_row(
                    m.id,
                    "report",
                    None,
                    Status::Reported,
                    Some(reporter),
                    None,
                    &n.photo_ids,
                    now,
                ),
            )
            .await?;
            txn.commit().await?;
            for audience in self
                .enterprise_recipients(m.enterprise_id, hd::perm::CONFIRM, &[])
                .await?
            {
                self.notify(NewNotification {
                    kind: "hidden_danger.reported".into(),
                    title: format!("新隐患待确认：{}", m.code),
                    body: description.chars().take(100).collect(),
                    link: Some(format!("/hidden-danger/detail/{}", m.id)),
                    audience,
                    dedupe_key: Some(format!("hd-reported:{}:{}", m.id, audience_key(audience))),
                    created_at: now,
                })
                .await?;
            }
            return self
                .hidden_danger_views(vec![m], now)
                .await?
                .pop()
                .ok_or(StoreError::NotFound);
        }
        Err(last_err.unwrap_or(StoreError::Conflict(
            "隐患编号分配失败，请重试 / could not allocate a code".into(),
        )))
    }

    /// Lists records in the caller's scope, newest report first (the overdue filter sorts by
    /// deadline, most overdue first).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] on `regionId` (no such region), [`StoreError::Db`].
    pub async fn list_hidden_dangers(
        &self,
        filter: &HiddenDangerFilter,
        scope: &ScopeFilter,
        page: Page,
        now: DateTime<Utc>,
    ) -> Result<PageOf<HiddenDangerView>> {
        let q = self.hidden_danger_query(filter, scope, now).await?;
        let total = q.clone().count(&self.db).await?;
        let q = if filter.overdue == Some(true) {
            q.order_by_asc(record::Column::DeadlineAt)
        } else {
            q.order_by_desc(record::Column::ReportedAt)
        };
        let rows = q
            .order_by_desc(record::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.hidden_danger_views(rows, now).await?,
        })
    }

    async fn scoped_record(&self, id: i64, scope: &ScopeFilter) -> Result<HiddenDanger> {
        record::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(record::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// One record with its events, extensions, supervisions and attachment metadata.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (also outside the scope), [`StoreError::Db`].
    pub async fn get_hidden_danger(
        &self,
        id: i64,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<HiddenDangerDetail> {
        let m = self.scoped_record(id, scope).await?;
        let photos = self
            .attachment_infos(&parse_ids(&m.photo_ids), scope)
            .await?;
        let evidence = self
            .attachment_infos(&parse_ids(&m.evidence_ids), scope)
            .await?;
        let events = event::Entity::find()
            .filter(event::Column::HiddenDangerId.eq(id))
            .order_by_asc(event::Column::At)
            .order_by_asc(event::Column::Id)
            .all(&self.db)
            .await?;
        let extensions = extension::Entity::find()
            .filter(extension::Column::HiddenDangerId.eq(id))
            .order_by_asc(extension::Column::Id)
            .all(&self.db)
            .await?;
        let sups = supervision::Entity::find()
            .filter(supervision::Column::HiddenDangerId.eq(id))
            .order_by_asc(supervision::Column::Id)
            .all(&self.db)
            .await?;
        let supervisions = self.supervision_views(sups, now).await?;
        let view = self
            .hidden_danger_views(vec![m], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        Ok(HiddenDangerDetail {
            view,
            events,
            extensions,
            supervisions,
            photos,
            evidence,
        })
    }

    /// Applies a workflow action to a record (see the module docs): the domain decides, the
    /// `UPDATE` is guarded by the status read, an event is written, and the people concerned are
    /// notified (the remediator on assign and send-back, the enterprise on submit and on an
    /// extension request, the requester on its decision). `attachments` are the evidence ids of a
    /// submit (checked against the caller's scope).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (also outside the scope); [`StoreError::Conflict`] when the action
    /// is not allowed from the current status, by this actor on this record, or the record changed
    /// meanwhile; [`StoreError::Invalid`] naming the field at fault (`remediatorId` when not a user
    /// of the record's enterprise, `evidenceIds`); [`StoreError::Db`].
    pub async fn hidden_danger_action(
        &self,
        id: i64,
        scope: &ScopeFilter,
        actor: &HdActor,
        action: Action,
        attachments: &[i64],
        now: DateTime<Utc>,
    ) -> Result<HiddenDangerView> {
        let m = self.scoped_record(id, scope).await?;
        let pending = match m.pending_extension_id {
            Some(eid) => extension::Entity::find_by_id(eid).one(&self.db).await?,
            None => None,
        };
        let state = RecordState {
            status: status_of(&m),
            level: level_of(&m),
            reporter_id: m.reporter_id,
            remediator_id: m.remediator_id,
            submitted_by: m.submitted_by,
            deadline: m.deadline,
            pending_extension: pending.as_ref().map(|p| PendingExtension {
                requested_by: p.requested_by,
                new_deadline: p.new_deadline,
            }),
        };
        let who = Actor {
            user_id: actor.user_id,
            permissions: actor.permissions.clone(),
            is_remediator: m.remediator_id == Some(actor.user_id),
        };
        let outcome = hd::transition(&state, &who, &action, now).map_err(workflow_error)?;
        if let Action::Assign(a) = &action {
            let ok = user::Entity::find_by_id(a.remediator_id)
                .filter(user::Column::EnterpriseId.eq(m.enterprise_id))
                .filter(user::Column::Status.eq("active"))
                .count(&self.db)
                .await?
                > 0;
            if !ok {
                return Err(ValidationError::field(
                    "remediatorId",
                    "整改人须为该企业的在用账号 / must be an active user of the record's enterprise",
                )
                .into());
            }
            // Verification is by someone other than the remediator: refuse an assignment that
            // would leave the record with nobody allowed to verify it.
            let verifiers = self
                .enterprise_users_with_permission(m.enterprise_id, hd::perm::VERIFY)
                .await?;
            if !verifiers.iter().any(|u| *u != a.remediator_id) {
                return Err(ValidationError::field(
                    "remediatorId",
                    "整改人是本企业唯一有验收权限的人，整改后将无人可以验收；请另选整改人或先为他人授予验收权限 / nobody else in the enterprise may verify this remediator's work",
                )
                .into());
            }
        }
        if let Action::Submit { .. } = action {
            let mut f = FieldErrors::new();
            check_attachment_count(&mut f, "evidenceIds", attachments);
            finish(f)?;
            self.check_attachments(attachments, scope, "evidenceIds")
                .await?;
        }
        let txn = self.db.begin().await?;
        let from = outcome.from.as_str();
        let mut upd = record::Entity::update_many()
            .col_expr(record::Column::Status, Expr::value(outcome.to.as_str()))
            .col_expr(record::Column::UpdatedAt, Expr::value(now))
            .filter(record::Column::Id.eq(id))
            .filter(record::Column::Status.eq(from));
        let mut comment: Option<String> = None;
        let mut event_attachments: Vec<i64> = Vec::new();
        let mut new_extension: Option<i64> = None;
        match &action {
            Action::Confirm {
                grading,
                comment: c,
            } => {
                upd = upd
                    .col_expr(
                        record::Column::Level,
                        Expr::value(outcome.level.unwrap_or(Level::General).as_str()),
                    )
                    .col_expr(
                        record::Column::CriteriaStandard,
                        Expr::value(grading.criteria_standard.clone()),
                    )
                    .col_expr(
                        record::Column::CriteriaItem,
                        Expr::value(grading.criteria_item.map(|i| i as i32)),
                    )
                    .col_expr(
                        record::Column::MajorJudgement,
                        Expr::value(trimmed(&grading.judgement)),
                    )
                    .col_expr(record::Column::ConfirmedBy, Expr::value(actor.user_id))
                    .col_expr(record::Column::ConfirmedAt, Expr::value(now));
                comment = trimmed(c);
            }
            Action::Reject { reason }
            | Action::SendBack { reason }
            | Action::RefuseExtension { reason } => comment = Some(reason.trim().to_owned()),
            Action::Assign(a) => {
                let deadline_at = hd::deadline_end(a.deadline);
                upd = upd
                    .col_expr(record::Column::RemediatorId, Expr::value(a.remediator_id))
                    .col_expr(record::Column::Department, Expr::value(a.department.trim()))
                    .col_expr(record::Column::Deadline, Expr::value(a.deadline))
                    .col_expr(record::Column::DeadlineAt, Expr::value(deadline_at))
                    .col_expr(record::Column::Measures, Expr::value(a.measures.trim()))
                    .col_expr(
                        record::Column::FiveAssurances,
                        Expr::value(
                            a.five_assurances
                                .as_ref()
                                .and_then(|f| serde_json::to_string(f).ok()),
                        ),
                    );
                comment = Some(format!(
                    "整改期限 {}；措施：{}",
                    a.deadline,
                    a.measures.trim()
                ));
            }
            Action::Start => {}
            Action::Submit { description, .. } => {
                upd = upd
                    .col_expr(
                        record::Column::EvidenceIds,
                        Expr::value(ids_json(attachments)),
                    )
                    .col_expr(
                        record::Column::EvidenceDescription,
                        Expr::value(description.trim()),
                    )
                    .col_expr(record::Column::SubmittedBy, Expr::value(actor.user_id))
                    .col_expr(record::Column::SubmittedAt, Expr::value(now));
                comment = Some(description.trim().to_owned());
                event_attachments = attachments.to_vec();
            }
            Action::Verify { comment: c } => {
                upd = upd
                    .col_expr(record::Column::VerifierId, Expr::value(actor.user_id))
                    .col_expr(record::Column::ClosedAt, Expr::value(now))
                    .col_expr(
                        record::Column::PendingExtensionId,
                        Expr::value(Option::<i64>::None),
                    );
                comment = trimmed(c);
            }
            Action::Reopen { reason } => {
                upd = upd
                    .col_expr(record::Column::VerifierId, Expr::value(Option::<i64>::None))
                    .col_expr(
                        record::Column::ClosedAt,
                        Expr::value(Option::<DateTime<Utc>>::None),
                    );
                comment = Some(reason.trim().to_owned());
            }
            Action::RequestExtension {
                new_deadline,
                reason,
            } => {
                let e = extension::ActiveModel {
                    hidden_danger_id: Set(id),
                    requested_by: Set(actor.user_id),
                    requester_name: Set(actor.name.chars().take(64).collect()),
                    requested_at: Set(now),
                    old_deadline: Set(m.deadline),
                    new_deadline: Set(*new_deadline),
                    reason: Set(reason.trim().to_owned()),
                    status: Set("pending".into()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                new_extension = Some(e.id);
                upd = upd
                    .col_expr(record::Column::PendingExtensionId, Expr::value(e.id))
                    .filter(record::Column::PendingExtensionId.is_null());
                comment = Some(format!("申请延期至 {new_deadline}：{}", reason.trim()));
            }
            Action::ApproveExtension { comment: c } => {
                let d = outcome.deadline.unwrap_or_default();
                upd = upd
                    .col_expr(record::Column::Deadline, Expr::value(d))
                    .col_expr(record::Column::DeadlineAt, Expr::value(hd::deadline_end(d)))
                    .col_expr(
                        record::Column::PendingExtensionId,
                        Expr::value(Option::<i64>::None),
                    )
                    .filter(record::Column::PendingExtensionId.eq(m.pending_extension_id));
                comment = Some(match trimmed(c) {
                    Some(c) => format!("批准延期至 {d}：{c}"),
                    None => format!("批准延期至 {d}"),
                });
            }
        }
        if matches!(action, Action::RefuseExtension { .. }) {
            upd = upd
                .col_expr(
                    record::Column::PendingExtensionId,
                    Expr::value(Option::<i64>::None),
                )
                .filter(record::Column::PendingExtensionId.eq(m.pending_extension_id));
        }
        if outcome.reset_escalation {
            upd = upd
                .col_expr(record::Column::EscalationLevel, Expr::value(0))
                .col_expr(
                    record::Column::EscalatedAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                );
        }
        let changed = upd.exec(&txn).await?.rows_affected;
        if changed == 0 {
            txn.rollback().await?;
            return Err(StoreError::Conflict(
                "隐患记录已被他人修改，请刷新后重试 / the record changed meanwhile: reload it and try again".into(),
            ));
        }
        if let Some(p) = &pending {
            let decided = match outcome.extension {
                ExtensionEffect::Approved => Some("approved"),
                ExtensionEffect::Refused => Some("refused"),
                ExtensionEffect::Cancelled => Some("cancelled"),
                _ => None,
            };
            if let Some(status) = decided {
                let mut am: extension::ActiveModel = p.clone().into();
                am.status = Set(status.into());
                if status != "cancelled" {
                    am.decided_by = Set(Some(actor.user_id));
                    am.decider_name = Set(Some(actor.name.chars().take(64).collect()));
                    am.decision_comment = Set(comment.clone());
                }
                am.decided_at = Set(Some(now));
                am.update(&txn).await?;
            }
        }
        insert_event(
            &txn,
            event_row(
                id,
                action.name(),
                Some(outcome.from),
                outcome.to,
                Some(actor),
                comment,
                &event_attachments,
                now,
            ),
        )
        .await?;
        txn.commit().await?;
        // The step is stored: a failed notification is logged, not reported as a failed step
        // (a retry would only meet a 409).
        if let Err(e) = self
            .notify_action(
                &m,
                &action,
                &outcome,
                actor,
                pending.as_ref(),
                new_extension,
                now,
            )
            .await
        {
            tracing::warn!(error = %e, hidden_danger = m.id, "workflow notification failed");
        }
        let m = self.scoped_record(id, scope).await?;
        self.hidden_danger_views(vec![m], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    #[allow(clippy::too_many_arguments)]
    async fn notify_action(
        &self,
        m: &HiddenDanger,
        action: &Action,
        outcome: &Outcome,
        actor: &HdActor,
        pending: Option<&HiddenDangerExtension>,
        new_extension: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let link = Some(format!("/hidden-danger/detail/{}", m.id));
        let key = |what: &str, n: i64| Some(format!("hd-{what}:{}:{n}", m.id));
        let n = match action {
            Action::Assign(a) => Some((
                "hidden_danger.assigned",
                format!("隐患整改任务：{}", m.code),
                format!("{} 交办，期限 {}", actor.name, a.deadline),
                vec![Audience::User(a.remediator_id)],
                key("assigned", now.timestamp_millis()),
            )),
            Action::SendBack { reason } => m.remediator_id.map(|u| {
                (
                    "hidden_danger.sent_back",
                    format!("隐患整改被退回：{}", m.code),
                    reason.clone(),
                    vec![Audience::User(u)],
                    key("sent-back", now.timestamp_millis()),
                )
            }),
            Action::Submit { .. } => Some((
                "hidden_danger.submitted",
                format!("隐患整改待验收：{}", m.code),
                format!("{} 提交了整改", actor.name),
                self.enterprise_recipients(
                    m.enterprise_id,
                    hd::perm::VERIFY,
                    &[actor.user_id, m.remediator_id.unwrap_or_default()],
                )
                .await?,
                key("submitted", now.timestamp_millis()),
            )),
            Action::RequestExtension { new_deadline, .. } => Some((
                "hidden_danger.extension_requested",
                format!("隐患延期申请待审批：{}", m.code),
                format!("{} 申请延期至 {new_deadline}", actor.name),
                self.enterprise_recipients(m.enterprise_id, hd::perm::APPROVE, &[actor.user_id])
                    .await?,
                key("extension", new_extension.unwrap_or_default()),
            )),
            Action::ApproveExtension { .. } | Action::RefuseExtension { .. } => pending.map(|p| {
                let ok = outcome.extension == ExtensionEffect::Approved;
                (
                    "hidden_danger.extension_decided",
                    format!(
                        "隐患延期申请{}：{}",
                        if ok { "已批准" } else { "被驳回" },
                        m.code
                    ),
                    format!("{} → {}", p.new_deadline, actor.name),
                    vec![Audience::User(p.requested_by)],
                    key("extension-decided", p.id),
                )
            }),
            _ => None,
        };
        if let Some((kind, title, body, audiences, dedupe_key)) = n {
            for audience in audiences {
                self.notify(NewNotification {
                    kind: kind.into(),
                    title: title.clone(),
                    body: body.clone(),
                    link: link.clone(),
                    audience,
                    dedupe_key: dedupe_key
                        .as_ref()
                        .map(|k| format!("{k}:{}", audience_key(audience))),
                    created_at: now,
                })
                .await?;
            }
        }
        Ok(())
    }

    /// The enterprise's active users who hold `permission`, less `except`, as notification
    /// audiences; the whole enterprise when nobody qualifies (so the notice is not lost).
    async fn enterprise_recipients(
        &self,
        enterprise_id: i64,
        permission: &str,
        except: &[i64],
    ) -> Result<Vec<Audience>> {
        let users: Vec<Audience> = self
            .enterprise_users_with_permission(enterprise_id, permission)
            .await?
            .into_iter()
            .filter(|u| !except.contains(u))
            .map(Audience::User)
            .collect();
        Ok(if users.is_empty() {
            vec![Audience::Enterprise(enterprise_id)]
        } else {
            users
        })
    }

    /// Decides a deadline extension request (by its id): approve (the deadline moves) or refuse.
    ///
    /// # Errors
    /// As [`Store::hidden_danger_action`]; [`StoreError::Conflict`] when the request is no longer
    /// pending.
    pub async fn decide_hidden_danger_extension(
        &self,
        extension_id: i64,
        scope: &ScopeFilter,
        actor: &HdActor,
        approve: bool,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<HiddenDangerView> {
        let e = extension::Entity::find_by_id(extension_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = self.scoped_record(e.hidden_danger_id, scope).await?;
        if e.status != "pending" || m.pending_extension_id != Some(e.id) {
            return Err(StoreError::Conflict(format!(
                "该延期申请{}，不是待审批状态 / the extension request is {}, not pending",
                extension_status_zh(&e.status),
                e.status
            )));
        }
        let action = if approve {
            Action::ApproveExtension { comment }
        } else {
            Action::RefuseExtension {
                reason: comment.unwrap_or_default(),
            }
        };
        self.hidden_danger_action(m.id, scope, actor, action, &[], now)
            .await
    }

    /// Creates a hidden danger from an alarm the caller can see: `source = alarm`, `alarmId` set,
    /// the enterprise of the alarm's source. A second call for the same alarm is a conflict whose
    /// message names the existing record (`... hidden danger <id> (<code>)`).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (no such alarm in scope); [`StoreError::Conflict`] (already
    /// turned into a hidden danger, or the alarm has no enterprise); as
    /// [`Store::report_hidden_danger`].
    pub async fn hidden_danger_from_alarm(
        &self,
        alarm_id: i64,
        description: Option<String>,
        grading: Grading,
        scope: &ScopeFilter,
        reporter: &HdActor,
        now: DateTime<Utc>,
    ) -> Result<HiddenDangerView> {
        let a = self.get_alarm(alarm_id, scope).await?;
        if let Some(existing) = record::Entity::find()
            .filter(record::Column::AlarmId.eq(alarm_id))
            .one(&self.db)
            .await?
        {
            return Err(StoreError::Conflict(format!(
                "该报警已转为隐患 {} / alarm {alarm_id} is already hidden danger {} ({})",
                existing.code, existing.id, existing.code
            )));
        }
        let Some(enterprise_id) = a.view.alarm.enterprise_id else {
            return Err(StoreError::Conflict(
                "报警来源不属于任何企业 / the alarm's source belongs to no enterprise".into(),
            ));
        };
        let name = a
            .view
            .sensor_name
            .clone()
            .unwrap_or_else(|| a.view.alarm.source.clone());
        // The condition and priority by their dictionary labels (高报, 紧急 …), the code if absent.
        let label = |dict: &'static str, value: String| async move {
            Ok::<String, StoreError>(
                self.dict_data_of(dict)
                    .await?
                    .into_iter()
                    .find(|d| d.value == value)
                    .map(|d| d.label)
                    .unwrap_or(value),
            )
        };
        let condition = label("alarm_condition", a.view.alarm.condition.clone()).await?;
        let priority = label("alarm_priority", a.view.alarm.priority.clone()).await?;
        let default = format!(
            "监测报警转隐患：{name}（{}）{condition}，报警级别{priority}{}",
            a.view.alarm.source,
            a.view
                .alarm
                .first_value
                .map(|v| {
                    let unit = a
                        .view
                        .unit
                        .clone()
                        .map(|u| format!(" {u}"))
                        .unwrap_or_default();
                    format!("，报警值 {}{unit}", display_value(v))
                })
                .unwrap_or_default()
        );
        let created = self
            .report_hidden_danger(
                NewHiddenDanger {
                    enterprise_id,
                    source: Some(Source::Alarm),
                    description: trimmed(&description).unwrap_or(default),
                    location: None,
                    grading,
                    alarm_id: Some(alarm_id),
                    ..Default::default()
                },
                scope,
                reporter,
                now,
            )
            .await;
        match created {
            Ok(v) => Ok(v),
            // Two clicks raced: the unique index on alarm_id let one insert through.
            Err(e) => match record::Entity::find()
                .filter(record::Column::AlarmId.eq(alarm_id))
                .one(&self.db)
                .await?
            {
                Some(existing) => Err(StoreError::Conflict(format!(
                    "alarm {alarm_id} is already hidden danger {} ({})",
                    existing.id, existing.code
                ))),
                None => Err(e),
            },
        }
    }

    /// Users of an enterprise within the caller's scope, for the remediator / assignee picker:
    /// active users, by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the enterprise is outside the scope, [`StoreError::Db`].
    pub async fn enterprise_staff(
        &self,
        enterprise_id: i64,
        scope: &ScopeFilter,
    ) -> Result<Vec<StaffMember>> {
        self.get_enterprise(enterprise_id, scope).await?;
        let users: Vec<_> = self
            .users_of_enterprise(enterprise_id)
            .await?
            .into_iter()
            .filter(|u| u.status == "active")
            .collect();
        let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
        let roles = self.role_ids_of_users(&ids).await?;
        let keys: HashMap<i64, String> = self
            .list_roles()
            .await?
            .into_iter()
            .map(|r| (r.id, r.role_key))
            .collect();
        Ok(users
            .into_iter()
            .map(|u| StaffMember {
                role_keys: roles
                    .get(&u.id)
                    .map(|rs| rs.iter().filter_map(|r| keys.get(r).cloned()).collect())
                    .unwrap_or_default(),
                id: u.id,
                nickname: u.nickname,
                username: u.username,
            })
            .collect())
    }

    async fn escalation_policy(&self) -> Result<EscalationPolicy> {
        let mut v = [0i64; 4];
        for (i, (key, default)) in EscalationPolicy::PARAMS.iter().enumerate() {
            v[i] = self
                .param_value(key)
                .await?
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(*default);
        }
        Ok(EscalationPolicy::from_values(v))
    }

    /// Finds hidden dangers past their remediation deadline and escalates them up the chain
    /// (enterprise → supervising department → bureau), notifying each level once (see the module
    /// docs for who the bureau is). The thresholds come from the system parameters
    /// `hiddenDanger.escalate*` ([`EscalationPolicy`]). Each level reached writes an `escalate`
    /// event; the level is raised with a guarded `UPDATE`, so concurrent runs do not double it.
    /// Returns how many levels were raised in all.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn escalate_overdue_hidden_dangers(&self, now: DateTime<Utc>) -> Result<u64> {
        let policy = self.escalation_policy().await?;
        let rows = record::Entity::find()
            .filter(overdue_condition(now))
            // Records already at the top level cannot rise further.
            .filter(record::Column::EscalationLevel.lt(Escalation::Bureau.rank()))
            .order_by_asc(record::Column::Id)
            .all(&self.db)
            .await?;
        let mut raised = 0u64;
        for m in rows {
            let status = status_of(&m);
            let target = hd::escalation_level(status, level_of(&m), m.deadline, now, &policy);
            let old = m.escalation_level;
            if target.rank() <= old {
                continue;
            }
            let days = hd::days_overdue(status, m.deadline, now).unwrap_or_default();
            let txn = self.db.begin().await?;
            let changed = record::Entity::update_many()
                .col_expr(record::Column::EscalationLevel, Expr::value(target.rank()))
                .col_expr(record::Column::EscalatedAt, Expr::value(now))
                .filter(record::Column::Id.eq(m.id))
                .filter(record::Column::EscalationLevel.eq(old))
                .filter(record::Column::Status.eq(m.status.clone()))
                .exec(&txn)
                .await?
                .rows_affected;
            if changed == 0 {
                txn.rollback().await?;
                continue;
            }
            for rank in (old + 1)..=target.rank() {
                insert_event(
                    &txn,
                    event_row(
                        m.id,
                        "escalate",
                        Some(status),
                        status,
                        None,
                        Some(format!(
                            "逾期 {days} 天，升级至{}",
                            escalation_label(Escalation::from_rank(rank))
                        )),
                        &[],
                        now,
                    ),
                )
                .await?;
            }
            txn.commit().await?;
            for rank in (old + 1)..=target.rank() {
                raised += 1;
                let level = Escalation::from_rank(rank);
                for audience in self.escalation_audience(&m, level).await? {
                    self.notify(NewNotification {
                        kind: "hidden_danger.overdue".into(),
                        title: format!(
                            "{}隐患逾期未整改（{}）：{}",
                            if level_of(&m) == Level::Major {
                                "重大"
                            } else {
                                ""
                            },
                            escalation_label(level),
                            m.code
                        ),
                        body: format!(
                            "整改期限 {}，已逾期 {days} 天（{}）。{}",
                            m.deadline.map(|d| d.to_string()).unwrap_or_default(),
                            escalation_label(level),
                            m.description.chars().take(80).collect::<String>()
                        ),
                        link: Some(format!("/hidden-danger/detail/{}", m.id)),
                        audience,
                        dedupe_key: Some(format!(
                            "hd-overdue:{}:{}:{}:{}",
                            m.id,
                            m.deadline.map(|d| d.to_string()).unwrap_or_default(),
                            level.as_str(),
                            audience_key(audience)
                        )),
                        created_at: now,
                    })
                    .await?;
                }
            }
        }
        Ok(raised)
    }

    async fn escalation_audience(
        &self,
        m: &HiddenDanger,
        level: Escalation,
    ) -> Result<Vec<Audience>> {
        let Some(e) = enterprise::Entity::find_by_id(m.enterprise_id)
            .one(&self.db)
            .await?
        else {
            return Ok(vec![]);
        };
        Ok(match level {
            Escalation::None => vec![],
            // The people who can act on it: the managers who assign, and the remediator.
            Escalation::Enterprise => {
                let mut out = self
                    .enterprise_recipients(
                        e.id,
                        hd::perm::ASSIGN,
                        &m.remediator_id.into_iter().collect::<Vec<_>>(),
                    )
                    .await?;
                out.extend(m.remediator_id.map(Audience::User));
                out
            }
            Escalation::Department => e
                .department_id
                .map(Audience::Department)
                .into_iter()
                .collect(),
            Escalation::Bureau => {
                let district = self.district_of(e.region_id).await?;
                let mut out: Vec<Audience> = department::Entity::find()
                    .filter(department::Column::Kind.eq("bureau"))
                    .filter(department::Column::Status.eq("active"))
                    .filter(
                        Condition::any()
                            .add(department::Column::RegionId.is_null())
                            .add(department::Column::RegionId.eq(district)),
                    )
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|d| Audience::Department(d.id))
                    .collect();
                if let Some(d) = district {
                    out.push(Audience::Region(d));
                }
                out
            }
        })
    }

    /// The district (top of the region path) of a region.
    async fn district_of(&self, region_id: i64) -> Result<Option<i64>> {
        let Some(r) = region::Entity::find_by_id(region_id).one(&self.db).await? else {
            return Ok(None);
        };
        Ok(r.path
            .split('/')
            .find(|s| !s.is_empty())
            .and_then(|s| s.parse().ok())
            .or(Some(r.id)))
    }

    async fn supervision_views(
        &self,
        sups: Vec<ListedSupervision>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SupervisionView>> {
        if sups.is_empty() {
            return Ok(vec![]);
        }
        let sup_ids: Vec<i64> = sups.iter().map(|s| s.id).collect();
        let mut reports: BTreeMap<i64, Vec<ProgressReport>> = BTreeMap::new();
        for p in progress::Entity::find()
            .filter(progress::Column::SupervisionId.is_in(sup_ids))
            .order_by_asc(progress::Column::Id)
            .all(&self.db)
            .await?
        {
            reports.entry(p.supervision_id).or_default().push(p);
        }
        let hd_ids: Vec<i64> = sups.iter().map(|s| s.hidden_danger_id).collect();
        let records: HashMap<i64, HiddenDanger> = record::Entity::find()
            .filter(record::Column::Id.is_in(hd_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let enterprise_ids: Vec<i64> = records.values().map(|r| r.enterprise_id).collect();
        let names = crate::monitoring::enterprise_names_of(self, enterprise_ids).await?;
        Ok(sups
            .into_iter()
            .map(|s| {
                let r = records.get(&s.hidden_danger_id);
                SupervisionView {
                    progress: reports.remove(&s.id).unwrap_or_default(),
                    code: r.map(|r| r.code.clone()).unwrap_or_default(),
                    description: r.map(|r| r.description.clone()).unwrap_or_default(),
                    record_status: r.map(|r| r.status.clone()).unwrap_or_default(),
                    enterprise_id: r.map(|r| r.enterprise_id).unwrap_or_default(),
                    enterprise_name: r.and_then(|r| names.get(&r.enterprise_id).cloned()),
                    overdue: s.status == "open" && now >= s.deadline_at,
                    supervision: s,
                }
            })
            .collect())
    }

    /// Puts a major hidden danger under listed supervision (挂牌督办) by a government user: the
    /// level is `district` when the user has a region, else `city`; the organ is the user's
    /// department (or region). Writes a `supervise` event and notifies the enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`] when the record is not major, is closed
    /// or rejected, or is already under an open supervision, or the user belongs to an
    /// enterprise; [`StoreError::Invalid`] on `deadline`, `requirements`, `documentNo`.
    pub async fn put_under_supervision(
        &self,
        id: i64,
        scope: &ScopeFilter,
        actor: &HdActor,
        n: NewSupervision,
        now: DateTime<Utc>,
    ) -> Result<SupervisionView> {
        let m = self.scoped_record(id, scope).await?;
        if actor.enterprise_id.is_some() {
            return Err(StoreError::Conflict(
                "挂牌督办由政府监管部门决定，企业不能挂牌 / listed supervision is decided by a government level, not an enterprise".into(),
            ));
        }
        if level_of(&m) != Level::Major {
            return Err(StoreError::Conflict(
                "只有重大隐患可以挂牌督办 / only a major hidden danger is put under listed supervision".into(),
            ));
        }
        if matches!(
            status_of(&m),
            Status::Closed | Status::Rejected | Status::Reported
        ) {
            return Err(StoreError::Conflict(format!(
                "“{}”的隐患不能挂牌督办 / a {} record is not put under listed supervision",
                hd::status_zh(status_of(&m)),
                m.status
            )));
        }
        let mut f = FieldErrors::new();
        let requirements = n.requirements.trim().to_owned();
        if requirements.is_empty() {
            f.insert("requirements".into(), "必填 / is required".into());
        } else if requirements.chars().count() > 2000 {
            f.insert(
                "requirements".into(),
                "最多 2000 个字符 / at most 2000 characters".into(),
            );
        }
        let document_no = trimmed(&n.document_no);
        if document_no.as_ref().is_some_and(|d| d.chars().count() > 64) {
            f.insert(
                "documentNo".into(),
                "最多 64 个字符 / at most 64 characters".into(),
            );
        }
        if !hd::deadline_ahead(n.deadline, now) {
            f.insert(
                "deadline".into(),
                "不得早于今天（北京时间） / must not be before today (Asia/Shanghai)".into(),
            );
        }
        finish(f)?;
        let (gov_level, organ_name) = match (actor.region_id, actor.department_id) {
            (Some(r), _) => (
                "district",
                region::Entity::find_by_id(r)
                    .one(&self.db)
                    .await?
                    .map(|r| r.name)
                    .unwrap_or_else(|| "区县".into()),
            ),
            (None, Some(d)) => (
                "city",
                department::Entity::find_by_id(d)
                    .one(&self.db)
                    .await?
                    .map(|d| d.name)
                    .unwrap_or_else(|| "市级".into()),
            ),
            (None, None) => ("city", "市级".to_owned()),
        };
        let txn = self.db.begin().await?;
        let open = supervision::Entity::find()
            .filter(supervision::Column::HiddenDangerId.eq(id))
            .filter(supervision::Column::Status.eq("open"))
            .count(&txn)
            .await?;
        if open > 0 {
            txn.rollback().await?;
            return Err(StoreError::Conflict(
                "该隐患已在挂牌督办中 / the record is already under listed supervision".into(),
            ));
        }
        // Touch the record under its status so a concurrent close conflicts with this.
        let touched = record::Entity::update_many()
            .col_expr(record::Column::UpdatedAt, Expr::value(now))
            .filter(record::Column::Id.eq(id))
            .filter(record::Column::Status.eq(m.status.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        if touched == 0 {
            txn.rollback().await?;
            return Err(StoreError::Conflict(
                "隐患记录已被他人修改，请刷新后重试 / the record changed meanwhile: reload it and try again".into(),
            ));
        }
        let s = supervision::ActiveModel {
            hidden_danger_id: Set(id),
            gov_level: Set(gov_level.into()),
            department_id: Set(actor.department_id),
            region_id: Set(actor.region_id),
            organ_name: Set(organ_name.chars().take(100).collect()),
            supervisor_id: Set(actor.user_id),
            supervisor_name: Set(actor.name.chars().take(64).collect()),
            document_no: Set(document_no),
            requirements: Set(requirements.clone()),
            deadline: Set(n.deadline),
            deadline_at: Set(hd::deadline_end(n.deadline)),
            status: Set("open".into()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let st = status_of(&m);
        insert_event(
            &txn,
            event_row(
                id,
                "supervise",
                Some(st),
                st,
                Some(actor),
                Some(format!(
                    "{organ_name}挂牌督办，期限 {}：{requirements}",
                    n.deadline
                )),
                &[],
                now,
            ),
        )
        .await?;
        txn.commit().await?;
        for audience in self
            .enterprise_recipients(m.enterprise_id, hd::perm::SUPERVISION_REPORT, &[])
            .await?
        {
            self.notify(NewNotification {
                kind: "hidden_danger.supervised".into(),
                title: format!("重大隐患挂牌督办：{}", m.code),
                body: format!("{organ_name}挂牌督办，期限 {}", n.deadline),
                link: Some(format!("/hidden-danger/detail/{id}")),
                audience,
                dedupe_key: Some(format!("hd-supervised:{}:{}", s.id, audience_key(audience))),
                created_at: now,
            })
            .await?;
        }
        self.supervision_views(vec![s], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn scoped_supervision(
        &self,
        id: i64,
        scope: &ScopeFilter,
    ) -> Result<(ListedSupervision, HiddenDanger)> {
        let s = supervision::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = self.scoped_record(s.hidden_danger_id, scope).await?;
        Ok((s, m))
    }

    /// Listed supervisions in the caller's scope, open ones first, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_supervisions(
        &self,
        f: &SupervisionFilter,
        scope: &ScopeFilter,
        page: Page,
        now: DateTime<Utc>,
    ) -> Result<PageOf<SupervisionView>> {
        let mut records = Query::select()
            .column(record::Column::Id)
            .from(record::Entity)
            .cond_where(enterprise_id_in_scope(record::Column::EnterpriseId, scope))
            .to_owned();
        if let Some(e) = f.enterprise_id {
            records.and_where(record::Column::EnterpriseId.eq(e));
        }
        let mut q = supervision::Entity::find()
            .filter(supervision::Column::HiddenDangerId.in_subquery(records));
        if let Some(s) = trimmed(&f.status) {
            q = q.filter(supervision::Column::Status.eq(s));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(supervision::Column::Status.eq("open"))
            .order_by_desc(supervision::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.supervision_views(rows, now).await?,
        })
    }

    /// The enterprise reports progress on an open listed supervision (text + attachments).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`] when lifted; [`StoreError::Invalid`] on
    /// `content`, `attachmentIds`.
    pub async fn report_supervision_progress(
        &self,
        id: i64,
        scope: &ScopeFilter,
        actor: &HdActor,
        content: String,
        attachment_ids: Vec<i64>,
        now: DateTime<Utc>,
    ) -> Result<SupervisionView> {
        let (s, m) = self.scoped_supervision(id, scope).await?;
        if s.status != "open" {
            return Err(StoreError::Conflict(
                "挂牌督办已解除 / the supervision has been lifted".into(),
            ));
        }
        let mut f = FieldErrors::new();
        let content = content.trim().to_owned();
        if content.is_empty() {
            f.insert("content".into(), "必填 / is required".into());
        } else if content.chars().count() > 2000 {
            f.insert(
                "content".into(),
                "最多 2000 个字符 / at most 2000 characters".into(),
            );
        }
        check_attachment_count(&mut f, "attachmentIds", &attachment_ids);
        finish(f)?;
        self.check_attachments(&attachment_ids, scope, "attachmentIds")
            .await?;
        let txn = self.db.begin().await?;
        progress::ActiveModel {
            supervision_id: Set(id),
            reporter_id: Set(actor.user_id),
            reporter_name: Set(actor.name.chars().take(64).collect()),
            content: Set(content.clone()),
            attachment_ids: Set(ids_json(&attachment_ids)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let st = status_of(&m);
        insert_event(
            &txn,
            event_row(
                m.id,
                "supervision_progress",
                Some(st),
                st,
                Some(actor),
                Some(content),
                &attachment_ids,
                now,
            ),
        )
        .await?;
        txn.commit().await?;
        let s = supervision::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.supervision_views(vec![s], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Lifts (摘牌) an open listed supervision with a reason.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`] when already lifted or the user belongs
    /// to an enterprise; [`StoreError::Invalid`] on `reason`.
    pub async fn lift_supervision(
        &self,
        id: i64,
        scope: &ScopeFilter,
        actor: &HdActor,
        reason: String,
        now: DateTime<Utc>,
    ) -> Result<SupervisionView> {
        let (s, m) = self.scoped_supervision(id, scope).await?;
        if actor.enterprise_id.is_some() {
            return Err(StoreError::Conflict(
                "挂牌督办由政府监管部门解除 / listed supervision is lifted by a government level"
                    .into(),
            ));
        }
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            return Err(ValidationError::field("reason", "必填 / is required").into());
        }
        if reason.chars().count() > 500 {
            return Err(ValidationError::field(
                "reason",
                "最多 500 个字符 / at most 500 characters",
            )
            .into());
        }
        let txn = self.db.begin().await?;
        let changed = supervision::Entity::update_many()
            .col_expr(supervision::Column::Status, Expr::value("lifted"))
            .col_expr(supervision::Column::LiftedBy, Expr::value(actor.user_id))
            .col_expr(
                supervision::Column::LifterName,
                Expr::value(actor.name.chars().take(64).collect::<String>()),
            )
            .col_expr(supervision::Column::LiftedAt, Expr::value(now))
            .col_expr(supervision::Column::LiftReason, Expr::value(reason.clone()))
            .filter(supervision::Column::Id.eq(s.id))
            .filter(supervision::Column::Status.eq("open"))
            .exec(&txn)
            .await?
            .rows_affected;
        if changed == 0 {
            txn.rollback().await?;
            return Err(StoreError::Conflict(
                "挂牌督办未在进行中 / the supervision is not open".into(),
            ));
        }
        let st = status_of(&m);
        insert_event(
            &txn,
            event_row(
                m.id,
                "lift_supervision",
                Some(st),
                st,
                Some(actor),
                Some(reason),
                &[],
                now,
            ),
        )
        .await?;
        txn.commit().await?;
        let s = supervision::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.supervision_views(vec![s], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Statistics of the records in the caller's scope: counts grouped in SQL by enterprise,
    /// status, level and category, then rolled up (regions to their district); the on-time rate is
    /// `closed at or before the deadline's end / closed`.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] on `regionId`; [`StoreError::Db`].
    pub async fn hidden_danger_stats(
        &self,
        f: &StatsFilter,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<HiddenDangerStats> {
        let filter = HiddenDangerFilter {
            enterprise_id: f.enterprise_id,
            region_id: f.region_id,
            from: f.from,
            to: f.to,
            ..Default::default()
        };
        let base = self.hidden_danger_query(&filter, scope, now).await?;
        // (enterprise, status, level, category, count)
        let groups: Vec<(i64, String, String, Option<String>, i64)> = base
            .clone()
            .select_only()
            .column(record::Column::EnterpriseId)
            .column(record::Column::Status)
            .column(record::Column::Level)
            .column(record::Column::HazardCategory)
            .column_as(record::Column::Id.count(), "n")
            .group_by(record::Column::EnterpriseId)
            .group_by(record::Column::Status)
            .group_by(record::Column::Level)
            .group_by(record::Column::HazardCategory)
            .into_tuple()
            .all(&self.db)
            .await?;
        // Overdue now, by enterprise / level / category.
        let overdue_groups: Vec<(i64, String, Option<String>, i64)> = base
            .clone()
            .filter(overdue_condition(now))
            .select_only()
            .column(record::Column::EnterpriseId)
            .column(record::Column::Level)
            .column(record::Column::HazardCategory)
            .column_as(record::Column::Id.count(), "n")
            .group_by(record::Column::EnterpriseId)
            .group_by(record::Column::Level)
            .group_by(record::Column::HazardCategory)
            .into_tuple()
            .all(&self.db)
            .await?;
        let closed_rows: Vec<(MaybeTime, MaybeTime)> = base
            .clone()
            .filter(record::Column::Status.eq("closed"))
            .select_only()
            .column(record::Column::ClosedAt)
            .column(record::Column::DeadlineAt)
            .into_tuple()
            .all(&self.db)
            .await?;
        let supervised = base
            .clone()
            .filter(record::Column::Id.in_subquery(open_supervision_ids()))
            .count(&self.db)
            .await?;
        let closed_on_time = closed_rows
            .iter()
            .filter(|(c, d)| match (c, d) {
                (Some(c), Some(d)) => c < d,
                (Some(_), None) => true,
                _ => false,
            })
            .count() as u64;

        let enterprises: HashMap<i64, (String, i64)> = {
            let ids: HashSet<i64> = groups.iter().map(|g| g.0).collect();
            let mut out = HashMap::new();
            let ids: Vec<i64> = ids.into_iter().collect();
            for chunk in ids.chunks(500) {
                let rows: Vec<(i64, String, i64)> = enterprise::Entity::find()
                    .select_only()
                    .column(enterprise::Column::Id)
                    .column(enterprise::Column::Name)
                    .column(enterprise::Column::RegionId)
                    .filter(enterprise::Column::Id.is_in(chunk.to_vec()))
                    .into_tuple()
                    .all(&self.db)
                    .await?;
                out.extend(rows.into_iter().map(|(id, n, r)| (id, (n, r))));
            }
            out
        };
        let regions: HashMap<i64, (String, String)> = self
            .list_regions()
            .await?
            .into_iter()
            .map(|r| (r.id, (r.name, r.path)))
            .collect();
        let district = |region_id: i64| -> i64 {
            regions
                .get(&region_id)
                .and_then(|(_, p)| p.split('/').find(|s| !s.is_empty()))
                .and_then(|s| s.parse().ok())
                .unwrap_or(region_id)
        };

        #[derive(Default)]
        struct Acc {
            count: u64,
            closed: u64,
            overdue: u64,
        }
        let mut by_status: BTreeMap<String, Acc> = BTreeMap::new();
        let mut by_level: BTreeMap<String, Acc> = BTreeMap::new();
        let mut by_category: BTreeMap<String, Acc> = BTreeMap::new();
        let mut by_region: BTreeMap<i64, Acc> = BTreeMap::new();
        let mut by_enterprise: BTreeMap<i64, Acc> = BTreeMap::new();
        let (mut total, mut major, mut closed) = (0u64, 0u64, 0u64);
        for (e, status, level, cat, n) in &groups {
            let n = *n as u64;
            let is_closed = status == "closed";
            total += n;
            if level == "major" {
                major += n;
            }
            if is_closed {
                closed += n;
            }
            let cat = cat.clone().unwrap_or_else(|| "none".into());
            let region = enterprises
                .get(e)
                .map(|x| district(x.1))
                .unwrap_or_default();
            for acc in [
                by_status.entry(status.clone()).or_default(),
                by_level.entry(level.clone()).or_default(),
                by_category.entry(cat).or_default(),
                by_region.entry(region).or_default(),
                by_enterprise.entry(*e).or_default(),
            ] {
                acc.count += n;
                if is_closed {
                    acc.closed += n;
                }
            }
        }
        let mut overdue = 0u64;
        for (e, level, cat, n) in &overdue_groups {
            let n = *n as u64;
            overdue += n;
            let cat = cat.clone().unwrap_or_else(|| "none".into());
            let region = enterprises
                .get(e)
                .map(|x| district(x.1))
                .unwrap_or_default();
            for acc in [
                by_level.entry(level.clone()).or_default(),
                by_category.entry(cat).or_default(),
                by_region.entry(region).or_default(),
                by_enterprise.entry(*e).or_default(),
            ] {
                acc.overdue += n;
            }
        }
        // Overdue records are open (assigned / in remediation / submitted): count them per status.
        let overdue_by_status: Vec<(String, i64)> = base
            .clone()
            .filter(overdue_condition(now))
            .select_only()
            .column(record::Column::Status)
            .column_as(record::Column::Id.count(), "n")
            .group_by(record::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (s, n) in overdue_by_status {
            by_status.entry(s).or_default().overdue += n as u64;
        }
        let bucket = |key: String, label: Option<String>, a: &Acc| StatBucket {
            key,
            label,
            count: a.count,
            closed: a.closed,
            overdue: a.overdue,
        };
        let empty = Acc::default();
        let mut by_enterprise: Vec<StatBucket> = by_enterprise
            .iter()
            .map(|(id, a)| bucket(id.to_string(), enterprises.get(id).map(|x| x.0.clone()), a))
            .collect();
        by_enterprise.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        by_enterprise.truncate(20);
        Ok(HiddenDangerStats {
            total,
            major,
            closed,
            closed_on_time,
            on_time_rate: (closed > 0).then(|| closed_on_time as f64 / closed as f64),
            overdue,
            supervised,
            by_status: Status::ALL
                .iter()
                .map(|s| {
                    bucket(
                        s.as_str().into(),
                        None,
                        by_status.get(s.as_str()).unwrap_or(&empty),
                    )
                })
                .collect(),
            by_level: Level::ALL
                .iter()
                .map(|l| {
                    bucket(
                        l.as_str().into(),
                        None,
                        by_level.get(l.as_str()).unwrap_or(&empty),
                    )
                })
                .collect(),
            by_category: by_category
                .iter()
                .map(|(k, a)| {
                    let label = hazard_factor::lookup(k).map(|h| h.name.clone());
                    bucket(k.clone(), label, a)
                })
                .collect(),
            by_region: by_region
                .iter()
                .map(|(id, a)| bucket(id.to_string(), regions.get(id).map(|r| r.0.clone()), a))
                .collect(),
            by_enterprise,
        })
    }
}

fn escalation_label(e: Escalation) -> &'static str {
    match e {
        Escalation::None => "未升级",
        Escalation::Enterprise => "企业",
        Escalation::Department => "监管部门",
        Escalation::Bureau => "应急管理局",
    }
}

fn audience_key(a: Audience) -> String {
    match a {
        Audience::User(id) => format!("u{id}"),
        Audience::Enterprise(id) => format!("e{id}"),
        Audience::Department(id) => format!("d{id}"),
        Audience::Region(id) => format!("r{id}"),
    }
}

/// An event row to write (see [`insert_event`]).
#[allow(clippy::too_many_arguments)]
fn event_row(
    hidden_danger_id: i64,
    action: &str,
    from: Option<Status>,
    to: Status,
    actor: Option<&HdActor>,
    comment: Option<String>,
    attachment_ids: &[i64],
    at: DateTime<Utc>,
) -> event::ActiveModel {
    event::ActiveModel {
        hidden_danger_id: Set(hidden_danger_id),
        action: Set(action.to_owned()),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        actor_id: Set(actor.map(|a| a.user_id)),
        actor_name: Set(actor
            .map(|a| a.name.chars().take(64).collect())
            .unwrap_or_else(|| "系统".into())),
        comment: Set(comment),
        attachment_ids: Set(ids_json(attachment_ids)),
        at: Set(at),
        ..Default::default()
    }
}

async fn insert_event(txn: &sea_orm::DatabaseTransaction, row: event::ActiveModel) -> Result<()> {
    row.insert(txn).await?;
    Ok(())
}

/// The workflow state of a stored record (its pending extension found among `extensions`).
pub fn record_state(m: &HiddenDanger, extensions: &[HiddenDangerExtension]) -> RecordState {
    RecordState {
        status: status_of(m),
        level: level_of(m),
        reporter_id: m.reporter_id,
        remediator_id: m.remediator_id,
        submitted_by: m.submitted_by,
        deadline: m.deadline,
        pending_extension: m
            .pending_extension_id
            .and_then(|id| extensions.iter().find(|e| e.id == id))
            .map(|p| PendingExtension {
                requested_by: p.requested_by,
                new_deadline: p.new_deadline,
            }),
    }
}

/// A reading as people read it (the console's `fmtValue`): one decimal from 1000 up, two from 1,
/// four below; trailing zeros dropped.
fn display_value(v: f64) -> String {
    let decimals = if v.abs() >= 1000.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        4
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod display_tests {
    use super::display_value;

    #[test]
    fn readings_are_displayed_with_sensible_decimals() {
        assert_eq!(display_value(2895.2142110388395), "2895.2");
        assert_eq!(display_value(2897.3), "2897.3");
        assert_eq!(display_value(3000.0), "3000");
        assert_eq!(display_value(12.346), "12.35");
        assert_eq!(display_value(0.25052), "0.2505");
    }
}
