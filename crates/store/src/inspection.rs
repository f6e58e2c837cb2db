//! Hidden-danger inspection (隐患排查): checklists (an enterprise's own, or shared templates with
//! no enterprise that everybody sees), inspection plans on cron schedules, the inspection tasks
//! they generate, and the item results of a completed task.
//!
//! Data scope goes through the enterprise: plans and tasks through their `enterprise_id`,
//! checklists through theirs (a shared template is visible to every scope but written only by an
//! unrestricted one). The schedule rules (cron in Asia/Shanghai, catch-up bound, due time, states,
//! result checks) are [`anjian_domain::dual_prevention::inspection`]; this module applies them.
//! Times are UTC timestamps; `now` is always a parameter.

use crate::entities::user;
use crate::notifications::{Audience, NewNotification};
use crate::telemetry::enterprise_id_in_scope;
use crate::{PageOf, Result, Store, StoreError};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::inspection::{
    self as rules, ItemRef, ItemResult, ResultInput, Schedule, TIME_ZONE, TaskStatus,
};
use anjian_domain::page::Page;
use anjian_domain::validation::Checker;
use anjian_domain::{FieldErrors, ValidationError};
use chrono::{DateTime, Timelike, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap};

/// SeaORM entities of the inspection tables.
pub mod entities {
    /// `checklists`.
    pub mod checklist {
        use sea_orm::entity::prelude::*;

        /// A checklist (检查表).
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "checklists")]
        pub struct Model {
            /// Id.
            #[sea_orm(primary_key)]
            pub id: i64,
            /// Owning enterprise; `None` for a shared template.
            pub enterprise_id: Option<i64>,
            /// Name.
            pub name: String,
            /// Kind (dictionary `inspection_checklist_kind`).
            pub kind: String,
            /// Description.
            pub description: Option<String>,
            /// `active` or `disabled` (a disabled checklist cannot be given to a new plan).
            pub status: String,
            /// Creator.
            pub created_by: Option<i64>,
            /// Created at.
            pub created_at: DateTimeUtc,
            /// Updated at.
            pub updated_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `checklist_items`.
    pub mod checklist_item {
        use sea_orm::entity::prelude::*;

        /// One item of a checklist.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "checklist_items")]
        pub struct Model {
            /// Id.
            #[sea_orm(primary_key)]
            pub id: i64,
            /// The checklist.
            pub checklist_id: i64,
            /// 1-based position.
            pub seq: i32,
            /// What to check.
            pub content: String,
            /// Legal basis (law / standard and clause).
            pub legal_basis: Option<String>,
            /// GB/T 13861-2022 hazardous-factor code.
            pub hazard_factor_code: Option<String>,
            /// Major hidden-danger criteria item, `standard#number` (e.g. `chemical-2017#12`).
            pub major_criteria_ref: Option<String>,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `inspection_plans`.
    pub mod plan {
        use sea_orm::entity::prelude::*;

        /// An inspection plan (排查计划).
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "inspection_plans")]
        pub struct Model {
            /// Id.
            #[sea_orm(primary_key)]
            pub id: i64,
            /// Enterprise.
            pub enterprise_id: i64,
            /// Checklist (the enterprise's own or a shared template).
            pub checklist_id: i64,
            /// Name.
            pub name: String,
            /// Post (岗位).
            pub post: Option<String>,
            /// Risk point (one of the plan's enterprise's).
            pub risk_point_id: Option<i64>,
            /// Five-field cron expression, Asia/Shanghai.
            pub cron: String,
            /// Completion window, hours.
            pub window_hours: i32,
            /// The user who does the tasks.
            pub assignee_id: i64,
            /// Whether tasks are generated.
            pub enabled: bool,
            /// Occurrences up to this time have been generated.
            pub generated_until: DateTimeUtc,
            /// Creator.
            pub created_by: Option<i64>,
            /// Created at.
            pub created_at: DateTimeUtc,
            /// Updated at.
            pub updated_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `inspection_tasks`.
    pub mod task {
        use sea_orm::entity::prelude::*;

        /// An inspection task (排查任务).
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "inspection_tasks")]
        pub struct Model {
            /// Id.
            #[sea_orm(primary_key)]
            pub id: i64,
            /// Plan.
            pub plan_id: i64,
            /// Enterprise (the plan's).
            pub enterprise_id: i64,
            /// Checklist (the plan's at generation).
            pub checklist_id: i64,
            /// Who does it (the plan's assignee at generation).
            pub assignee_id: i64,
            /// `schedule` or `manual` (run now).
            pub trigger: String,
            /// Scheduled time.
            pub scheduled_at: DateTimeUtc,
            /// Due time (scheduled + window).
            pub due_at: DateTimeUtc,
            /// `pending`, `completed` or `missed` (as last stored; see [`TaskStatus::at`]).
            ///
            /// [`TaskStatus::at`]: anjian_domain::dual_prevention::inspection::TaskStatus::at
            pub status: String,
            /// Completed at.
            pub completed_at: Option<DateTimeUtc>,
            /// Completed by (user id).
            pub completed_by: Option<i64>,
            /// Longitude where it was completed (WGS-84).
            pub longitude: Option<f64>,
            /// Latitude where it was completed (WGS-84).
            pub latitude: Option<f64>,
            /// Location as text.
            pub location: Option<String>,
            /// Photo attachment ids, JSON array.
            pub photo_ids: String,
            /// Note.
            pub note: Option<String>,
            /// Created at.
            pub created_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `inspection_results`.
    pub mod result {
        use sea_orm::entity::prelude::*;

        /// The result of one item of a completed task, with a snapshot of the item.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "inspection_results")]
        pub struct Model {
            /// Id.
            #[sea_orm(primary_key)]
            pub id: i64,
            /// Task.
            pub task_id: i64,
            /// Checklist item id.
            pub item_id: i64,
            /// Item number at completion.
            pub seq: i32,
            /// Item text at completion.
            pub content: String,
            /// Legal basis at completion.
            pub legal_basis: Option<String>,
            /// `pass`, `fail` or `not_applicable`.
            pub result: String,
            /// Note.
            pub note: Option<String>,
            /// Photo attachment ids, JSON array.
            pub photo_ids: String,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entities::{checklist, checklist_item, plan, result as res, task};

pub use entities::checklist::Model as Checklist;
pub use entities::checklist_item::Model as ChecklistItem;
pub use entities::plan::Model as InspectionPlan;
pub use entities::task::Model as InspectionTask;

/// Checklist kinds (dictionary `inspection_checklist_kind`).
pub const CHECKLIST_KINDS: [&str; 7] = [
    "daily",
    "special",
    "hot_work",
    "confined_space",
    "seasonal",
    "holiday",
    "comprehensive",
];
/// Most items on one checklist.
pub const ITEMS_MAX: usize = 200;

/// An item as created or updated; `id` keeps an existing item (so its results and reports keep
/// pointing at it), `None` adds one.
#[derive(Debug, Clone, Default)]
pub struct ChecklistItemInput {
    /// Existing item of this checklist, or `None` for a new one.
    pub id: Option<i64>,
    /// What to check (at most 500 characters).
    pub content: String,
    /// Legal basis (at most 300 characters).
    pub legal_basis: Option<String>,
    /// GB/T 13861-2022 code (digits, at most 16).
    pub hazard_factor_code: Option<String>,
    /// Major hidden-danger criteria reference, e.g. `chemical-2017#12` (at most 64 characters).
    pub major_criteria_ref: Option<String>,
}

/// A checklist as created or replaced. Items are numbered in the order given.
#[derive(Debug, Clone, Default)]
pub struct ChecklistInput {
    /// Owning enterprise; `None` = shared template (unrestricted scope only).
    pub enterprise_id: Option<i64>,
    /// Name (at most 100 characters).
    pub name: String,
    /// Kind, see [`CHECKLIST_KINDS`].
    pub kind: String,
    /// Description (at most 500 characters).
    pub description: Option<String>,
    /// `active` or `disabled`.
    pub status: String,
    /// Items, 1..=[`ITEMS_MAX`].
    pub items: Vec<ChecklistItemInput>,
}

/// Filters of the checklist list.
#[derive(Debug, Clone, Default)]
pub struct ChecklistFilter {
    /// This enterprise's checklists (plus the shared templates unless `exclude_shared`).
    pub enterprise_id: Option<i64>,
    /// Leave the shared templates out.
    pub exclude_shared: bool,
    /// Only the shared templates.
    pub shared_only: bool,
    /// Substring of the name.
    pub name: Option<String>,
    /// Exact kind.
    pub kind: Option<String>,
    /// Exact status.
    pub status: Option<String>,
}

/// A checklist with what the console shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistView {
    /// The checklist.
    pub checklist: Checklist,
    /// Its enterprise's name (`None` for a shared template).
    pub enterprise_name: Option<String>,
    /// Its items in order.
    pub items: Vec<ChecklistItem>,
}

/// A plan as created or replaced.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    /// Enterprise (within the caller's scope).
    pub enterprise_id: i64,
    /// Checklist: the enterprise's own or a shared template, active.
    pub checklist_id: i64,
    /// Name (at most 100 characters).
    pub name: String,
    /// Post (岗位, at most 64 characters); this or `risk_point_id` is required.
    pub post: Option<String>,
    /// Risk point: one of the plan's enterprise's (else 422 on `riskPointId`).
    pub risk_point_id: Option<i64>,
    /// Five-field cron expression in Asia/Shanghai.
    pub cron: String,
    /// Completion window, hours (1..=744).
    pub window_hours: i32,
    /// The user who does the tasks: an active account of the enterprise.
    pub assignee_id: i64,
    /// Whether tasks are generated.
    pub enabled: bool,
}

/// Filters of the plan list.
#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
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

/// A plan with names for display.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanView {
    /// The plan.
    pub plan: InspectionPlan,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// Checklist name.
    pub checklist_name: Option<String>,
    /// Assignee's nickname.
    pub assignee_name: Option<String>,
}

/// Filters of the task list.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Plan.
    pub plan_id: Option<i64>,
    /// Assignee (`mine=true` sets the caller).
    pub assignee_id: Option<i64>,
    /// Status as of `now` (a pending task past its due time counts as missed).
    pub status: Option<TaskStatus>,
    /// Scheduled at or after.
    pub from: Option<DateTime<Utc>>,
    /// Scheduled before.
    pub to: Option<DateTime<Utc>>,
}

/// A task with names for display.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskView {
    /// The stored task.
    pub task: InspectionTask,
    /// Its status as of the query's `now`.
    pub status: TaskStatus,
    /// Plan name.
    pub plan_name: Option<String>,
    /// The plan's post.
    pub post: Option<String>,
    /// The plan's risk point.
    pub risk_point_id: Option<i64>,
    /// Checklist name.
    pub checklist_name: Option<String>,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
    /// Assignee's nickname.
    pub assignee_name: Option<String>,
    /// Completer's nickname.
    pub completed_by_name: Option<String>,
}

/// One item of a task: the checklist item (or, once completed, the snapshot) and its result.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskItem {
    /// Checklist item id.
    pub item_id: i64,
    /// Number.
    pub seq: i32,
    /// What to check.
    pub content: String,
    /// Legal basis.
    pub legal_basis: Option<String>,
    /// Hazardous-factor code (from the current checklist; `None` if the item was since removed).
    pub hazard_factor_code: Option<String>,
    /// Major criteria reference (likewise).
    pub major_criteria_ref: Option<String>,
    /// The result, once completed.
    pub result: Option<ItemResult>,
    /// Result note.
    pub note: Option<String>,
    /// Result photos.
    pub photo_ids: Vec<i64>,
}

/// What the assignee submits to complete a task.
#[derive(Debug, Clone, Default)]
pub struct CompleteInput {
    /// One result per checklist item.
    pub results: Vec<ResultInput>,
    /// Longitude (WGS-84, -180..=180).
    pub longitude: Option<f64>,
    /// Latitude (WGS-84, -90..=90).
    pub latitude: Option<f64>,
    /// Location text (at most 200 characters).
    pub location: Option<String>,
    /// Photos of the whole inspection.
    pub photo_ids: Vec<i64>,
    /// Note (at most 500 characters).
    pub note: Option<String>,
}

/// Inspection counts of one enterprise over a period (tasks scheduled in it).
#[derive(Debug, Clone, PartialEq)]
pub struct InspectionStat {
    /// Enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: String,
    /// Tasks scheduled in the period.
    pub total: u64,
    /// Completed.
    pub completed: u64,
    /// Missed (stored, or pending past due).
    pub missed: u64,
    /// Pending, not yet due.
    pub pending: u64,
}

fn ids_json(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Parses a stored id array (`[]` when unreadable).
pub fn parse_ids(s: &str) -> Vec<i64> {
    serde_json::from_str(s).unwrap_or_default()
}

fn nonblank(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&TIME_ZONE)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Checklists the scope may read: shared templates plus those of enterprises in scope.
fn checklist_read_scope(scope: &ScopeFilter) -> Condition {
    Condition::any()
        .add(checklist::Column::EnterpriseId.is_null())
        .add(enterprise_id_in_scope(
            checklist::Column::EnterpriseId,
            scope,
        ))
}

/// Checklists the scope may change: those of enterprises in scope; shared ones only when
/// unrestricted.
fn checklist_write_scope(scope: &ScopeFilter) -> Condition {
    if scope.is_all() {
        Condition::all()
    } else {
        Condition::all()
            .add(checklist::Column::EnterpriseId.is_not_null())
            .add(enterprise_id_in_scope(
                checklist::Column::EnterpriseId,
                scope,
            ))
    }
}

fn status_condition(status: TaskStatus, now: DateTime<Utc>) -> Condition {
    match status {
        TaskStatus::Completed => Condition::all().add(task::Column::Status.eq("completed")),
        TaskStatus::Pending => Condition::all()
            .add(task::Column::Status.eq("pending"))
            .add(task::Column::DueAt.gte(now)),
        TaskStatus::Missed => Condition::any().add(task::Column::Status.eq("missed")).add(
            Condition::all()
                .add(task::Column::Status.eq("pending"))
                .add(task::Column::DueAt.lt(now)),
        ),
    }
}

fn check_item_inputs(c: &mut Checker, items: &[ChecklistItemInput]) {
    if items.is_empty() {
        c.add("items", "至少需要一个检查项 / at least one item");
    } else if items.len() > ITEMS_MAX {
        c.add("items", format!("at most {ITEMS_MAX} items"));
    }
    let mut seen = BTreeSet::new();
    for (i, it) in items.iter().enumerate() {
        c.required_text(&format!("items[{i}].content"), &it.content, 500);
        c.optional_text(
            &format!("items[{i}].legalBasis"),
            it.legal_basis.as_deref(),
            300,
        );
        c.optional_text(
            &format!("items[{i}].majorCriteriaRef"),
            it.major_criteria_ref.as_deref(),
            64,
        );
        if let Some(code) = it.hazard_factor_code.as_deref().map(str::trim)
            && !code.is_empty()
            && (code.len() > 16 || !code.chars().all(|ch| ch.is_ascii_digit()))
        {
            c.add(
                &format!("items[{i}].hazardFactorCode"),
                "a GB/T 13861-2022 code: digits only",
            );
        }
        if let Some(id) = it.id
            && !seen.insert(id)
        {
            c.add(&format!("items[{i}].id"), "item given twice");
        }
    }
}

impl Store {
    // ---------------------------------------------------------------- checklists

    /// Checklists the caller may see (shared templates first, then by name).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_checklists(
        &self,
        f: &ChecklistFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<(Checklist, Option<String>, u64)>> {
        let mut q = checklist::Entity::find().filter(checklist_read_scope(scope));
        if f.shared_only {
            q = q.filter(checklist::Column::EnterpriseId.is_null());
        } else if let Some(e) = f.enterprise_id {
            let mut c = Condition::any().add(checklist::Column::EnterpriseId.eq(e));
            if !f.exclude_shared {
                c = c.add(checklist::Column::EnterpriseId.is_null());
            }
            q = q.filter(c);
        } else if f.exclude_shared {
            q = q.filter(checklist::Column::EnterpriseId.is_not_null());
        }
        if let Some(n) = nonblank(f.name.as_deref()) {
            q = q.filter(crate::like_literal(checklist::Column::Name, &n, false));
        }
        if let Some(k) = nonblank(f.kind.as_deref()) {
            q = q.filter(checklist::Column::Kind.eq(k));
        }
        if let Some(s) = nonblank(f.status.as_deref()) {
            q = q.filter(checklist::Column::Status.eq(s));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_asc(checklist::Column::EnterpriseId)
            .order_by_asc(checklist::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        let names = crate::monitoring::enterprise_names_of(
            self,
            rows.iter().filter_map(|c| c.enterprise_id),
        )
        .await?;
        let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
        let counts: Vec<(i64, i64)> = checklist_item::Entity::find()
            .select_only()
            .column(checklist_item::Column::ChecklistId)
            .column_as(checklist_item::Column::Id.count(), "n")
            .filter(checklist_item::Column::ChecklistId.is_in(ids))
            .group_by(checklist_item::Column::ChecklistId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let counts: HashMap<i64, i64> = counts.into_iter().collect();
        Ok(PageOf {
            total,
            rows: rows
                .into_iter()
                .map(|c| {
                    let name = c.enterprise_id.and_then(|e| names.get(&e).cloned());
                    let n = counts.get(&c.id).copied().unwrap_or(0).max(0) as u64;
                    (c, name, n)
                })
                .collect(),
        })
    }

    /// One checklist with its items (404 outside the scope).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_checklist(&self, id: i64, scope: &ScopeFilter) -> Result<ChecklistView> {
        let c = checklist::Entity::find_by_id(id)
            .filter(checklist_read_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let items = checklist_item::Entity::find()
            .filter(checklist_item::Column::ChecklistId.eq(id))
            .order_by_asc(checklist_item::Column::Seq)
            .all(&self.db)
            .await?;
        let enterprise_name = match c.enterprise_id {
            Some(e) => crate::monitoring::enterprise_names_of(self, [e])
                .await?
                .remove(&e),
            None => None,
        };
        Ok(ChecklistView {
            checklist: c,
            enterprise_name,
            items,
        })
    }

    async fn check_checklist(&self, input: &ChecklistInput, scope: &ScopeFilter) -> Result<()> {
        let mut c = Checker::new();
        c.required_text("name", &input.name, 100);
        c.optional_text("description", input.description.as_deref(), 500);
        if !CHECKLIST_KINDS.contains(&input.kind.as_str()) {
            c.add(
                "kind",
                format!("must be one of {}", CHECKLIST_KINDS.join(", ")),
            );
        }
        if !["active", "disabled"].contains(&input.status.as_str()) {
            c.add("status", "must be active or disabled");
        }
        check_item_inputs(&mut c, &input.items);
        match input.enterprise_id {
            None if !scope.is_all() => c.add(
                "enterpriseId",
                "共享模板仅系统管理员可维护 / only an unrestricted administrator keeps shared templates",
            ),
            Some(e) if !self.enterprise_in_scope(e, scope).await? => {
                c.add("enterpriseId", "no such enterprise in your data scope");
            }
            _ => {}
        }
        c.finish()?;
        Ok(())
    }

    async fn enterprise_in_scope(&self, id: i64, scope: &ScopeFilter) -> Result<bool> {
        crate::org::enterprise_visible(&self.db, id, scope).await
    }

    /// Display names (nicknames) of users by id.
    pub(crate) async fn user_names(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<HashMap<i64, String>> {
        let ids: BTreeSet<i64> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Nickname)
            .filter(user::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().collect())
    }

    async fn write_items<C: ConnectionTrait>(
        db: &C,
        checklist_id: i64,
        items: &[ChecklistItemInput],
    ) -> Result<()> {
        let existing: Vec<i64> = checklist_item::Entity::find()
            .select_only()
            .column(checklist_item::Column::Id)
            .filter(checklist_item::Column::ChecklistId.eq(checklist_id))
            .into_tuple()
            .all(db)
            .await?;
        let mut fields = FieldErrors::new();
        for (i, it) in items.iter().enumerate() {
            if let Some(id) = it.id
                && !existing.contains(&id)
            {
                fields.insert(
                    format!("items[{i}].id"),
                    "not an item of this checklist".into(),
                );
            }
        }
        if !fields.is_empty() {
            return Err(ValidationError { fields }.into());
        }
        let keep: Vec<i64> = items.iter().filter_map(|i| i.id).collect();
        checklist_item::Entity::delete_many()
            .filter(checklist_item::Column::ChecklistId.eq(checklist_id))
            .filter(checklist_item::Column::Id.is_not_in(keep))
            .exec(db)
            .await?;
        for (i, it) in items.iter().enumerate() {
            let mut am = checklist_item::ActiveModel {
                checklist_id: Set(checklist_id),
                seq: Set(i as i32 + 1),
                content: Set(it.content.trim().to_owned()),
                legal_basis: Set(nonblank(it.legal_basis.as_deref())),
                hazard_factor_code: Set(nonblank(it.hazard_factor_code.as_deref())),
                major_criteria_ref: Set(nonblank(it.major_criteria_ref.as_deref())),
                ..Default::default()
            };
            if let Some(id) = it.id {
                am.id = sea_orm::Unchanged(id);
                am.update(db).await?;
            } else {
                am.insert(db).await?;
            }
        }
        Ok(())
    }

    /// Creates a checklist with its items.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the field (`items[i].content`, `enterpriseId`, ...),
    /// [`StoreError::Db`].
    pub async fn create_checklist(
        &self,
        input: ChecklistInput,
        created_by: Option<i64>,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<Checklist> {
        self.check_checklist(&input, scope).await?;
        let txn = self.db.begin().await?;
        let c = checklist::ActiveModel {
            enterprise_id: Set(input.enterprise_id),
            name: Set(input.name.trim().to_owned()),
            kind: Set(input.kind.clone()),
            description: Set(nonblank(input.description.as_deref())),
            status: Set(input.status.clone()),
            created_by: Set(created_by),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let items: Vec<ChecklistItemInput> = input
            .items
            .into_iter()
            .map(|i| ChecklistItemInput { id: None, ..i })
            .collect();
        Self::write_items(&txn, c.id, &items).await?;
        txn.commit().await?;
        Ok(c)
    }

    /// Replaces a checklist and its items: items with an `id` are kept (renumbered and edited),
    /// items without are added, the others are removed. Completed tasks keep their snapshot.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (also a shared template for a restricted scope),
    /// [`StoreError::Invalid`], [`StoreError::Db`].
    pub async fn update_checklist(
        &self,
        id: i64,
        input: ChecklistInput,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<Checklist> {
        let current = checklist::Entity::find_by_id(id)
            .filter(checklist_write_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.check_checklist(&input, scope).await?;
        if current.enterprise_id != input.enterprise_id
            && plan::Entity::find()
                .filter(plan::Column::ChecklistId.eq(id))
                .count(&self.db)
                .await?
                > 0
        {
            return Err(ValidationError::field(
                "enterpriseId",
                "排查计划在用，不能更换企业 / plans use this checklist; its enterprise cannot change",
            )
            .into());
        }
        let txn = self.db.begin().await?;
        let c = checklist::ActiveModel {
            id: sea_orm::Unchanged(id),
            enterprise_id: Set(input.enterprise_id),
            name: Set(input.name.trim().to_owned()),
            kind: Set(input.kind.clone()),
            description: Set(nonblank(input.description.as_deref())),
            status: Set(input.status.clone()),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        Self::write_items(&txn, id, &input.items).await?;
        txn.commit().await?;
        Ok(c)
    }

    /// Deletes a checklist and its items; refused (422) while plans or tasks use it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Invalid`] on `id`, [`StoreError::Db`].
    pub async fn delete_checklist(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        checklist::Entity::find_by_id(id)
            .filter(checklist_write_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let plans = plan::Entity::find()
            .filter(plan::Column::ChecklistId.eq(id))
            .count(&self.db)
            .await?;
        let tasks = task::Entity::find()
            .filter(task::Column::ChecklistId.eq(id))
            .count(&self.db)
            .await?;
        if plans + tasks > 0 {
            return Err(ValidationError::field(
                "id",
                format!("在用：{plans} 个排查计划、{tasks} 个排查任务 / used by {plans} plans and {tasks} tasks; disable it instead"),
            )
            .into());
        }
        checklist::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    // ---------------------------------------------------------------- plans

    async fn check_plan(&self, input: &PlanInput, scope: &ScopeFilter) -> Result<()> {
        let mut c = Checker::new();
        c.required_text("name", &input.name, 100);
        c.optional_text("post", input.post.as_deref(), 64);
        if nonblank(input.post.as_deref()).is_none() && input.risk_point_id.is_none() {
            c.add(
                "post",
                "请填写岗位或选择风险点 / a post or a risk point is required",
            );
        }
        if let Err(e) = Schedule::parse(&input.cron) {
            c.add("cron", e.to_string());
        }
        if !rules::WINDOW_HOURS.contains(&input.window_hours) {
            c.add(
                "windowHours",
                format!(
                    "must be {}..={} hours",
                    rules::WINDOW_HOURS.start(),
                    rules::WINDOW_HOURS.end()
                ),
            );
        }
        if !self.enterprise_in_scope(input.enterprise_id, scope).await? {
            c.add("enterpriseId", "no such enterprise in your data scope");
        } else {
            let cl = checklist::Entity::find_by_id(input.checklist_id)
                .filter(
                    Condition::any()
                        .add(checklist::Column::EnterpriseId.is_null())
                        .add(checklist::Column::EnterpriseId.eq(input.enterprise_id)),
                )
                .one(&self.db)
                .await?;
            match cl {
                None => c.add(
                    "checklistId",
                    "no such checklist of this enterprise or shared template",
                ),
                Some(cl) if cl.status != "active" => {
                    c.add("checklistId", "the checklist is disabled");
                }
                _ => {}
            }
            if let Some(rp) = input.risk_point_id {
                let found = crate::risk::entity::risk_point::Entity::find_by_id(rp)
                    .filter(
                        crate::risk::entity::risk_point::Column::EnterpriseId
                            .eq(input.enterprise_id),
                    )
                    .count(&self.db)
                    .await?;
                if found == 0 {
                    c.add(
                        "riskPointId",
                        "该企业没有这个风险点 / no such risk point of this enterprise",
                    );
                }
            }
            let u = user::Entity::find_by_id(input.assignee_id)
                .one(&self.db)
                .await?;
            match u {
                Some(u) if u.enterprise_id == Some(input.enterprise_id) && u.status == "active" => {
                }
                _ => c.add(
                    "assigneeId",
                    "执行人须为该企业的在用账号 / the assignee must be an active user of the enterprise",
                ),
            }
        }
        c.finish()?;
        Ok(())
    }

    /// Plans the caller may see, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_plans(
        &self,
        f: &PlanFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<PlanView>> {
        let mut q =
            plan::Entity::find().filter(enterprise_id_in_scope(plan::Column::EnterpriseId, scope));
        if let Some(e) = f.enterprise_id {
            q = q.filter(plan::Column::EnterpriseId.eq(e));
        }
        if let Some(c) = f.checklist_id {
            q = q.filter(plan::Column::ChecklistId.eq(c));
        }
        if let Some(a) = f.assignee_id {
            q = q.filter(plan::Column::AssigneeId.eq(a));
        }
        if let Some(e) = f.enabled {
            q = q.filter(plan::Column::Enabled.eq(e));
        }
        if let Some(n) = nonblank(f.name.as_deref()) {
            q = q.filter(crate::like_literal(plan::Column::Name, &n, false));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(plan::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.plan_views(rows).await?,
        })
    }

    async fn plan_views(&self, rows: Vec<InspectionPlan>) -> Result<Vec<PlanView>> {
        let enterprises =
            crate::monitoring::enterprise_names_of(self, rows.iter().map(|p| p.enterprise_id))
                .await?;
        let users = self.user_names(rows.iter().map(|p| p.assignee_id)).await?;
        let checklists = self
            .checklist_names(rows.iter().map(|p| p.checklist_id))
            .await?;
        Ok(rows
            .into_iter()
            .map(|p| PlanView {
                enterprise_name: enterprises.get(&p.enterprise_id).cloned(),
                checklist_name: checklists.get(&p.checklist_id).cloned(),
                assignee_name: users.get(&p.assignee_id).cloned(),
                plan: p,
            })
            .collect())
    }

    async fn checklist_names(
        &self,
        ids: impl IntoIterator<Item = i64>,
    ) -> Result<HashMap<i64, String>> {
        let ids: BTreeSet<i64> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = checklist::Entity::find()
            .select_only()
            .column(checklist::Column::Id)
            .column(checklist::Column::Name)
            .filter(checklist::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// One plan (404 outside the scope).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_plan(&self, id: i64, scope: &ScopeFilter) -> Result<PlanView> {
        let p = plan::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(plan::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.plan_views(vec![p])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// Creates a plan; it generates the occurrences after `now` (nothing in the past).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming the field (`cron` with the reason), [`StoreError::Db`].
    pub async fn create_plan(
        &self,
        input: PlanInput,
        created_by: Option<i64>,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<InspectionPlan> {
        self.check_plan(&input, scope).await?;
        let cron = Schedule::parse(&input.cron)
            .map(|s| s.as_str().to_owned())
            .unwrap_or(input.cron);
        Ok(plan::ActiveModel {
            enterprise_id: Set(input.enterprise_id),
            checklist_id: Set(input.checklist_id),
            name: Set(input.name.trim().to_owned()),
            post: Set(nonblank(input.post.as_deref())),
            risk_point_id: Set(input.risk_point_id),
            cron: Set(cron),
            window_hours: Set(input.window_hours),
            assignee_id: Set(input.assignee_id),
            enabled: Set(input.enabled),
            generated_until: Set(now),
            created_by: Set(created_by),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    /// Replaces a plan. Re-enabling it or changing its schedule restarts generation at `now`
    /// (the time it was off, or the old schedule's past, is not back-filled). Tasks already
    /// generated keep their assignee, checklist and due time.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Invalid`], [`StoreError::Db`].
    pub async fn update_plan(
        &self,
        id: i64,
        input: PlanInput,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<InspectionPlan> {
        let current = self.get_plan(id, scope).await?.plan;
        self.check_plan(&input, scope).await?;
        let cron = Schedule::parse(&input.cron)
            .map(|s| s.as_str().to_owned())
            .unwrap_or(input.cron);
        let restart = (input.enabled && !current.enabled) || cron != current.cron;
        let generated_until = if restart {
            current.generated_until.max(now)
        } else {
            current.generated_until
        };
        Ok(plan::ActiveModel {
            id: sea_orm::Unchanged(id),
            enterprise_id: Set(input.enterprise_id),
            checklist_id: Set(input.checklist_id),
            name: Set(input.name.trim().to_owned()),
            post: Set(nonblank(input.post.as_deref())),
            risk_point_id: Set(input.risk_point_id),
            cron: Set(cron),
            window_hours: Set(input.window_hours),
            assignee_id: Set(input.assignee_id),
            enabled: Set(input.enabled),
            generated_until: Set(generated_until),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&self.db)
        .await?)
    }

    /// Deletes a plan without tasks; one with tasks is refused (422: disable it instead, its
    /// record stays).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Invalid`] on `id`, [`StoreError::Db`].
    pub async fn delete_plan(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_plan(id, scope).await?;
        let n = task::Entity::find()
            .filter(task::Column::PlanId.eq(id))
            .count(&self.db)
            .await?;
        if n > 0 {
            return Err(ValidationError::field(
                "id",
                format!(
                    "该计划已有 {n} 个任务，请停用 / the plan has {n} tasks; disable it instead"
                ),
            )
            .into());
        }
        plan::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Inserts a task unless the plan already has one at that time; `Some(id)` when this call
    /// created it.
    async fn insert_task(
        &self,
        p: &InspectionPlan,
        scheduled_at: DateTime<Utc>,
        trigger: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, TaskStatus)>> {
        let due = rules::due_at(scheduled_at, p.window_hours);
        let status = TaskStatus::Pending.at(due, now);
        let n = task::Entity::insert(task::ActiveModel {
            plan_id: Set(p.id),
            enterprise_id: Set(p.enterprise_id),
            checklist_id: Set(p.checklist_id),
            assignee_id: Set(p.assignee_id),
            trigger: Set(trigger.to_owned()),
            scheduled_at: Set(scheduled_at),
            due_at: Set(due),
            status: Set(status.code().to_owned()),
            photo_ids: Set("[]".into()),
            created_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([task::Column::PlanId, task::Column::ScheduledAt])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        if n == 0 {
            return Ok(None);
        }
        let id: Option<i64> = task::Entity::find()
            .select_only()
            .column(task::Column::Id)
            .filter(task::Column::PlanId.eq(p.id))
            .filter(task::Column::ScheduledAt.eq(scheduled_at))
            .into_tuple()
            .one(&self.db)
            .await?;
        let id = id.ok_or(StoreError::NotFound)?;
        self.notify_task(p, id, scheduled_at, due, status, now)
            .await?;
        Ok(Some((id, status)))
    }

    async fn notify_task(
        &self,
        p: &InspectionPlan,
        task_id: i64,
        scheduled_at: DateTime<Utc>,
        due: DateTime<Utc>,
        status: TaskStatus,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let link = Some(format!("/hidden-danger/task/{task_id}"));
        if status == TaskStatus::Pending {
            self.notify(NewNotification {
                kind: "inspection.task_new".into(),
                title: format!("新的排查任务：{}", p.name),
                body: format!(
                    "计划时间 {}，请在 {} 前完成。",
                    local(scheduled_at),
                    local(due)
                ),
                link,
                audience: Audience::User(p.assignee_id),
                dedupe_key: Some(format!("insp-task:{task_id}")),
                created_at: now,
            })
            .await?;
        } else {
            self.notify_missed(p.enterprise_id, &p.name, task_id, scheduled_at, due, now)
                .await?;
        }
        Ok(())
    }

    async fn notify_missed(
        &self,
        enterprise_id: i64,
        plan_name: &str,
        task_id: i64,
        scheduled_at: DateTime<Utc>,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.notify(NewNotification {
            kind: "inspection.task_missed".into(),
            title: format!("排查任务漏检：{plan_name}"),
            body: format!(
                "计划时间 {} 的排查任务未在 {} 前完成，已记为漏检。",
                local(scheduled_at),
                local(due)
            ),
            link: Some(format!("/hidden-danger/task/{task_id}")),
            audience: Audience::Enterprise(enterprise_id),
            dedupe_key: Some(format!("insp-missed:{task_id}")),
            created_at: now,
        })
        .await
    }

    /// Creates a task of the plan now (立即执行), scheduled at `now` (whole seconds), due after
    /// the plan's window; the assignee is notified. Works for a disabled plan too.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Conflict`] when the plan already has a task at
    /// this second, [`StoreError::Db`].
    pub async fn run_plan_now(
        &self,
        id: i64,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<InspectionTask> {
        let p = self.get_plan(id, scope).await?.plan;
        let at = now.with_nanosecond(0).unwrap_or(now);
        let Some((task_id, _)) = self.insert_task(&p, at, "manual", now).await? else {
            return Err(StoreError::Conflict(
                "该计划此刻已有任务 / the plan already has a task at this time".into(),
            ));
        };
        task::Entity::find_by_id(task_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Generates the inspection tasks whose scheduled time has come and flags tasks past their due
    /// time as missed. Returns how many tasks were created or flagged.
    ///
    /// For every enabled plan: the occurrences in `(generated_until, now]` (at most
    /// [`rules::MAX_CATCH_UP`], the latest) become tasks — past-due ones directly as missed — and
    /// the mark moves to `now`. Inserts are `ON CONFLICT DO NOTHING` on `(plan, scheduled_at)`,
    /// so a second run or a second instance creates nothing twice. The assignee is notified of
    /// a new task (`insp-task:<id>`), the enterprise of a missed one (`insp-missed:<id>`). A plan
    /// whose stored cron no longer parses is skipped with a warning.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn generate_inspection_tasks(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut changed = 0u64;
        let plans = plan::Entity::find()
            .filter(plan::Column::Enabled.eq(true))
            .filter(plan::Column::GeneratedUntil.lt(now))
            .all(&self.db)
            .await?;
        for p in plans {
            let schedule = match Schedule::parse(&p.cron) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(plan = p.id, error = %e, "inspection plan skipped");
                    continue;
                }
            };
            let g = rules::plan_generation(&schedule, p.generated_until, now);
            for at in g.occurrences {
                if self.insert_task(&p, at, "schedule", now).await?.is_some() {
                    changed += 1;
                }
            }
            plan::Entity::update_many()
                .col_expr(plan::Column::GeneratedUntil, Expr::value(g.generated_until))
                .filter(plan::Column::Id.eq(p.id))
                .filter(plan::Column::GeneratedUntil.lt(g.generated_until))
                .exec(&self.db)
                .await?;
        }

        let overdue = task::Entity::find()
            .filter(task::Column::Status.eq("pending"))
            .filter(task::Column::DueAt.lt(now))
            .order_by_asc(task::Column::Id)
            .limit(5_000)
            .all(&self.db)
            .await?;
        let names = self.plan_names(overdue.iter().map(|t| t.plan_id)).await?;
        for t in overdue {
            let r = task::Entity::update_many()
                .col_expr(task::Column::Status, Expr::value("missed"))
                .filter(task::Column::Id.eq(t.id))
                .filter(task::Column::Status.eq("pending"))
                .exec(&self.db)
                .await?;
            if r.rows_affected == 1 {
                changed += 1;
                let name = names.get(&t.plan_id).map_or("", String::as_str);
                self.notify_missed(t.enterprise_id, name, t.id, t.scheduled_at, t.due_at, now)
                    .await?;
            }
        }
        Ok(changed)
    }

    async fn plan_names(&self, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, String>> {
        let ids: BTreeSet<i64> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = plan::Entity::find()
            .select_only()
            .column(plan::Column::Id)
            .column(plan::Column::Name)
            .filter(plan::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().collect())
    }

    // ---------------------------------------------------------------- tasks

    /// Tasks the caller may see: pending first, then by scheduled time (newest first).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_tasks(
        &self,
        f: &TaskFilter,
        scope: &ScopeFilter,
        page: Page,
        now: DateTime<Utc>,
    ) -> Result<PageOf<TaskView>> {
        let mut q =
            task::Entity::find().filter(enterprise_id_in_scope(task::Column::EnterpriseId, scope));
        if let Some(e) = f.enterprise_id {
            q = q.filter(task::Column::EnterpriseId.eq(e));
        }
        if let Some(p) = f.plan_id {
            q = q.filter(task::Column::PlanId.eq(p));
        }
        if let Some(a) = f.assignee_id {
            q = q.filter(task::Column::AssigneeId.eq(a));
        }
        if let Some(s) = f.status {
            q = q.filter(status_condition(s, now));
        }
        if let Some(t) = f.from {
            q = q.filter(task::Column::ScheduledAt.gte(t));
        }
        if let Some(t) = f.to {
            q = q.filter(task::Column::ScheduledAt.lt(t));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc({
                use sea_orm::sea_query::ExprTrait as _;
                Expr::col(task::Column::Status).eq("pending")
            })
            .order_by_desc(task::Column::ScheduledAt)
            .order_by_desc(task::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.task_views(rows, now).await?,
        })
    }

    async fn task_views(
        &self,
        rows: Vec<InspectionTask>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TaskView>> {
        let plans: HashMap<i64, InspectionPlan> = plan::Entity::find()
            .filter(plan::Column::Id.is_in(rows.iter().map(|t| t.plan_id).collect::<BTreeSet<_>>()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let enterprises =
            crate::monitoring::enterprise_names_of(self, rows.iter().map(|t| t.enterprise_id))
                .await?;
        let user_ids: Vec<i64> = rows
            .iter()
            .flat_map(|t| [Some(t.assignee_id), t.completed_by])
            .flatten()
            .collect();
        let users = self.user_names(user_ids).await?;
        let checklists = self
            .checklist_names(rows.iter().map(|t| t.checklist_id))
            .await?;
        Ok(rows
            .into_iter()
            .map(|t| {
                let p = plans.get(&t.plan_id);
                let stored = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Pending);
                TaskView {
                    status: stored.at(t.due_at, now),
                    plan_name: p.map(|p| p.name.clone()),
                    post: p.and_then(|p| p.post.clone()),
                    risk_point_id: p.and_then(|p| p.risk_point_id),
                    checklist_name: checklists.get(&t.checklist_id).cloned(),
                    enterprise_name: enterprises.get(&t.enterprise_id).cloned(),
                    assignee_name: users.get(&t.assignee_id).cloned(),
                    completed_by_name: t.completed_by.and_then(|u| users.get(&u).cloned()),
                    task: t,
                }
            })
            .collect())
    }

    /// One task with its items and results (404 outside the scope). A task not yet completed
    /// shows the checklist's current items; a completed one the items as they were when done.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_task(
        &self,
        id: i64,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<(TaskView, Vec<TaskItem>)> {
        let t = task::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(task::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current = checklist_item::Entity::find()
            .filter(checklist_item::Column::ChecklistId.eq(t.checklist_id))
            .order_by_asc(checklist_item::Column::Seq)
            .all(&self.db)
            .await?;
        let results = res::Entity::find()
            .filter(res::Column::TaskId.eq(id))
            .order_by_asc(res::Column::Seq)
            .all(&self.db)
            .await?;
        let by_id: HashMap<i64, &ChecklistItem> = current.iter().map(|i| (i.id, i)).collect();
        let items = if results.is_empty() {
            current
                .iter()
                .map(|i| TaskItem {
                    item_id: i.id,
                    seq: i.seq,
                    content: i.content.clone(),
                    legal_basis: i.legal_basis.clone(),
                    hazard_factor_code: i.hazard_factor_code.clone(),
                    major_criteria_ref: i.major_criteria_ref.clone(),
                    result: None,
                    note: None,
                    photo_ids: Vec::new(),
                })
                .collect()
        } else {
            results
                .into_iter()
                .map(|r| {
                    let cur = by_id.get(&r.item_id);
                    TaskItem {
                        item_id: r.item_id,
                        seq: r.seq,
                        content: r.content,
                        legal_basis: r.legal_basis,
                        hazard_factor_code: cur.and_then(|c| c.hazard_factor_code.clone()),
                        major_criteria_ref: cur.and_then(|c| c.major_criteria_ref.clone()),
                        result: ItemResult::parse(&r.result),
                        note: r.note,
                        photo_ids: parse_ids(&r.photo_ids),
                    }
                })
                .collect()
        };
        let view = self
            .task_views(vec![t], now)
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        Ok((view, items))
    }

    /// Completes a task with one result per checklist item. The caller (API) has checked who
    /// may do it and that the photo ids are the caller's files.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`] when the task is completed already or
    /// missed (late completion is refused; the task is flagged missed on the way);
    /// [`StoreError::Invalid`] naming `results.<itemId>` (see
    /// [`rules::check_results`]), `longitude`, `latitude`, `location`, `note`, `photoIds`;
    /// [`StoreError::Db`].
    pub async fn complete_task(
        &self,
        id: i64,
        input: CompleteInput,
        completed_by: i64,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<InspectionTask> {
        let t = task::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(task::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let stored = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Pending);
        if let Err(m) = rules::check_completable(stored, t.due_at, now) {
            if stored == TaskStatus::Pending {
                // Past due: record it as missed right away (the job would at its next run).
                self.generate_missed_one(&t, now).await?;
            }
            return Err(StoreError::Conflict(m));
        }
        let items = checklist_item::Entity::find()
            .filter(checklist_item::Column::ChecklistId.eq(t.checklist_id))
            .order_by_asc(checklist_item::Column::Seq)
            .all(&self.db)
            .await?;
        let refs: Vec<ItemRef<'_>> = items
            .iter()
            .map(|i| ItemRef {
                id: i.id,
                seq: i.seq,
                content: &i.content,
            })
            .collect();
        let mut fields = match rules::check_results(&refs, &input.results) {
            Ok(()) => FieldErrors::new(),
            Err(e) => e.fields,
        };
        let mut c = Checker::new();
        c.optional_text("location", input.location.as_deref(), 200);
        c.optional_text("note", input.note.as_deref(), rules::NOTE_MAX);
        if input
            .longitude
            .is_some_and(|v| !(-180.0..=180.0).contains(&v))
        {
            c.add("longitude", "must be within -180..=180");
        }
        if input.latitude.is_some_and(|v| !(-90.0..=90.0).contains(&v)) {
            c.add("latitude", "must be within -90..=90");
        }
        if input.longitude.is_some() != input.latitude.is_some() {
            c.add("latitude", "longitude and latitude go together");
        }
        if input.photo_ids.len() > rules::PHOTOS_MAX {
            c.add("photoIds", format!("at most {} photos", rules::PHOTOS_MAX));
        }
        if let Err(e) = c.finish() {
            fields.extend(e.fields);
        }
        if !fields.is_empty() {
            return Err(ValidationError { fields }.into());
        }
        let txn = self.db.begin().await?;
        let r = task::Entity::update_many()
            .col_expr(task::Column::Status, Expr::value("completed"))
            .col_expr(task::Column::CompletedAt, Expr::value(now))
            .col_expr(task::Column::CompletedBy, Expr::value(completed_by))
            .col_expr(task::Column::Longitude, Expr::value(input.longitude))
            .col_expr(task::Column::Latitude, Expr::value(input.latitude))
            .col_expr(
                task::Column::Location,
                Expr::value(nonblank(input.location.as_deref())),
            )
            .col_expr(
                task::Column::PhotoIds,
                Expr::value(ids_json(&input.photo_ids)),
            )
            .col_expr(
                task::Column::Note,
                Expr::value(nonblank(input.note.as_deref())),
            )
            .filter(task::Column::Id.eq(id))
            .filter(task::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        if r.rows_affected != 1 {
            return Err(StoreError::Conflict(
                "任务状态已变化 / the task changed meanwhile".into(),
            ));
        }
        let by_item: HashMap<i64, &ResultInput> =
            input.results.iter().map(|r| (r.item_id, r)).collect();
        for item in &items {
            let Some(r) = by_item.get(&item.id) else {
                continue;
            };
            res::ActiveModel {
                task_id: Set(id),
                item_id: Set(item.id),
                seq: Set(item.seq),
                content: Set(item.content.clone()),
                legal_basis: Set(item.legal_basis.clone()),
                result: Set(r.result.map_or("pass", ItemResult::code).to_owned()),
                note: Set(nonblank(r.note.as_deref())),
                photo_ids: Set(ids_json(&r.photo_ids)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
        }
        txn.commit().await?;
        task::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn generate_missed_one(&self, t: &InspectionTask, now: DateTime<Utc>) -> Result<()> {
        let r = task::Entity::update_many()
            .col_expr(task::Column::Status, Expr::value("missed"))
            .filter(task::Column::Id.eq(t.id))
            .filter(task::Column::Status.eq("pending"))
            .exec(&self.db)
            .await?;
        if r.rows_affected == 1 {
            let name = self.plan_names([t.plan_id]).await?;
            let name = name.get(&t.plan_id).map_or("", String::as_str);
            self.notify_missed(t.enterprise_id, name, t.id, t.scheduled_at, t.due_at, now)
                .await?;
        }
        Ok(())
    }

    /// Per-enterprise inspection counts of the tasks scheduled in `[from, to)` that the caller
    /// may see, most missed first (the supervisors' 漏检统计).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn inspection_stats(
        &self,
        scope: &ScopeFilter,
        enterprise_id: Option<i64>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<InspectionStat>> {
        let mut q = task::Entity::find()
            .select_only()
            .column(task::Column::EnterpriseId)
            .column(task::Column::Status)
            .column(task::Column::DueAt)
            .filter(enterprise_id_in_scope(task::Column::EnterpriseId, scope))
            .filter(task::Column::ScheduledAt.gte(from))
            .filter(task::Column::ScheduledAt.lt(to));
        if let Some(e) = enterprise_id {
            q = q.filter(task::Column::EnterpriseId.eq(e));
        }
        let rows: Vec<(i64, String, DateTime<Utc>)> = q.into_tuple().all(&self.db).await?;
        let mut by: HashMap<i64, InspectionStat> = HashMap::new();
        for (e, status, due) in rows {
            let s = by.entry(e).or_insert_with(|| InspectionStat {
                enterprise_id: e,
                enterprise_name: String::new(),
                total: 0,
                completed: 0,
                missed: 0,
                pending: 0,
            });
            s.total += 1;
            match TaskStatus::parse(&status)
                .unwrap_or(TaskStatus::Pending)
                .at(due, now)
            {
                TaskStatus::Completed => s.completed += 1,
                TaskStatus::Missed => s.missed += 1,
                TaskStatus::Pending => s.pending += 1,
            }
        }
        let names = crate::monitoring::enterprise_names_of(self, by.keys().copied()).await?;
        let mut out: Vec<InspectionStat> = by
            .into_values()
            .map(|mut s| {
                s.enterprise_name = names.get(&s.enterprise_id).cloned().unwrap_or_default();
                s
            })
            .collect();
        out.sort_by(|a, b| {
            b.missed
                .cmp(&a.missed)
                .then(a.enterprise_id.cmp(&b.enterprise_id))
        });
        Ok(out)
    }
}
