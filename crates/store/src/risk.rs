//! Risk grading and control (风险分级管控): risk points, assessments, the level-change log, control
//! measures, the four-colour list (also as of a past date) and the review schedule with its
//! reminders. Rules come from [`anjian_domain::dual_prevention::risk_control`].
//!
//! A point's level, colour and value are its latest assessment's (by assessed date, then id);
//! assessments are appended in date order (a new one may not be dated before the latest), so the
//! level-change log replays the level on any past date. Every query is limited to the caller's
//! data scope through the point's enterprise; outside it a point is "not found".

use crate::notifications::{Audience, NewNotification};
use crate::telemetry::enterprise_id_in_scope;
use crate::{PageOf, Result, Store, StoreError, unique_as_field};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::risk_control::{
    self as rc, AssessmentInput, LevelChange, ManagementLevel, MeasureKind, REVIEW_CYCLES_PARAM,
    ReviewCycles, RiskPointKind,
};
use anjian_domain::org::RecordStatus;
use anjian_domain::page::Page;
use anjian_domain::standards::risk::RiskLevel;
use anjian_domain::{FieldErrors, ValidationError};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait, Unchanged,
};
use std::collections::HashMap;

pub use entity::control_measure::Model as ControlMeasure;
pub use entity::risk_assessment::Model as RiskAssessment;
pub use entity::risk_level_change::Model as RiskLevelChangeRow;
pub use entity::risk_point::Model as RiskPoint;

/// SeaORM entities of the risk tables (m0005).
pub mod entity {
    /// `risk_points`: a place, facility, operation or activity of an enterprise with its hazards.
    /// `hazard_factors` and `accident_types` are JSON arrays of codes; dates are `YYYY-MM-DD`;
    /// `level`/`colour`/`value` are the latest assessment's (`None` before the first).
    pub mod risk_point {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "risk_points")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub enterprise_id: i64,
            pub code: String,
            pub name: String,
            pub kind: String,
            pub location: Option<String>,
            pub hazard_factors: String,
            pub accident_types: String,
            pub responsible_person: Option<String>,
            pub responsible_phone: Option<String>,
            pub consequences: Option<String>,
            pub emergency_actions: Option<String>,
            pub emergency_contacts: Option<String>,
            pub review_cycle_months: Option<i32>,
            pub next_review_due: Option<String>,
            pub level: Option<String>,
            pub colour: Option<String>,
            pub value: Option<f64>,
            pub last_assessed_on: Option<String>,
            pub status: String,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `risk_assessments`: one LEC or L × S assessment; `inputs` is the JSON of the method's
    /// inputs (`{"method":"lec","l":6,"e":6,"c":7}`), `value` D or R.
    pub mod risk_assessment {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "risk_assessments")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub risk_point_id: i64,
            pub method: String,
            pub inputs: String,
            pub value: f64,
            pub level: String,
            pub colour: String,
            pub assessor: String,
            pub assessed_on: String,
            pub note: Option<String>,
            pub recorded_by: i64,
            pub created_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `risk_level_changes`: who changed a point's level, when, why, effective from which date.
    pub mod risk_level_change {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "risk_level_changes")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub risk_point_id: i64,
            pub assessment_id: Option<i64>,
            pub from_level: Option<String>,
            pub to_level: String,
            pub effective_on: String,
            pub reason: Option<String>,
            pub changed_by: i64,
            pub changed_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `control_measures`: one measure of a risk point with its management level.
    pub mod control_measure {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "control_measures")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub risk_point_id: i64,
            pub kind: String,
            pub content: String,
            pub management_level: String,
            pub responsible_person: Option<String>,
            pub sort: i32,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{control_measure, risk_assessment, risk_level_change, risk_point};

/// A risk point as created or updated.
#[derive(Debug, Clone, Default)]
pub struct RiskPointInput {
    /// Owning enterprise (must be within the caller's scope).
    pub enterprise_id: i64,
    /// Code, unique within the enterprise, at most 64 characters.
    pub code: String,
    /// Name, at most 100 characters.
    pub name: String,
    /// `area`, `equipment_facility`, `operation` or `activity`.
    pub kind: String,
    /// Location text, at most 200 characters.
    pub location: Option<String>,
    /// GB/T 13861-2022 hazardous-factor codes (each checked against Table 1).
    pub hazard_factors: Vec<String>,
    /// GB 6441 accident-type codes (`01`-`20` or `WSA1xxxx`).
    pub accident_types: Vec<String>,
    /// Responsible person, at most 50 characters.
    pub responsible_person: Option<String>,
    /// Their phone, at most 30 characters.
    pub responsible_phone: Option<String>,
    /// Possible consequences (for the notification card).
    pub consequences: Option<String>,
    /// Emergency actions (for the card).
    pub emergency_actions: Option<String>,
    /// Emergency contacts (for the card).
    pub emergency_contacts: Option<String>,
    /// Review cycle override, months (1..=60); `None` = by level from the system parameter.
    pub review_cycle_months: Option<i32>,
    /// `active` or `disabled`.
    pub status: String,
}

/// Which review deadlines a list keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDue {
    /// The end of the due date (Asia/Shanghai) has passed.
    Overdue,
    /// Due today or within [`rc::DUE_SOON_DAYS`] days, not overdue.
    Soon,
}

/// Filters of the risk point list; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct RiskPointFilter {
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Current level (`major`, `high`, `medium`, `low`), or `none` for points never assessed.
    pub level: Option<String>,
    /// Exact kind.
    pub kind: Option<String>,
    /// Substring of the code, name or location (case-insensitive).
    pub keyword: Option<String>,
    /// Review state at the `now` the list is asked with.
    pub review_due: Option<ReviewDue>,
    /// Exact status.
    pub status: Option<String>,
}

/// A risk point with what the console shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskPointView {
    /// The stored point.
    pub point: RiskPoint,
    /// Its enterprise's name.
    pub enterprise_name: Option<String>,
    /// Hazardous-factor codes.
    pub hazard_factors: Vec<String>,
    /// Accident-type codes.
    pub accident_types: Vec<String>,
    /// Number of control measures.
    pub measure_count: u64,
    /// The management level its measures lack (graded control), if any; `None` also for a point
    /// never assessed.
    pub management_gap: Option<ManagementLevel>,
}

/// A new assessment.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    /// Method and inputs.
    pub input: AssessmentInput,
    /// Who assessed (name), at most 50 characters.
    pub assessor: String,
    /// Assessment date (Asia/Shanghai calendar date); not in the future, not before the latest.
    pub assessed_on: NaiveDate,
    /// Note.
    pub note: Option<String>,
    /// Why the level changes; required when it does (not for the first assessment).
    pub reason: Option<String>,
}

/// A control measure as created or updated.
#[derive(Debug, Clone)]
pub struct MeasureInput {
    /// `engineering`, `management`, `training`, `personal_protection` or `emergency`.
    pub kind: String,
    /// What is done, at most 1000 characters.
    pub content: String,
    /// `company`, `department`, `workshop` or `team`.
    pub management_level: String,
    /// Responsible person, at most 50 characters.
    pub responsible_person: Option<String>,
    /// Display order.
    pub sort: i32,
}

/// A point's history: assessments and level changes, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskHistory {
    /// Every assessment, by date then id.
    pub assessments: Vec<RiskAssessment>,
    /// Every level change, by effective date then id.
    pub changes: Vec<RiskLevelChangeRow>,
}

/// One row of the four-colour list.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskListRow {
    /// The point (its stored level is the current one).
    pub view: RiskPointView,
    /// The level as of the list's date (the current level without a date).
    pub level: Option<RiskLevel>,
    /// The point's control measures.
    pub measures: Vec<ControlMeasure>,
}

const TEXT_MAX: usize = 2000;

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn check_text(f: &mut FieldErrors, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        f.insert(field.into(), "不能为空 / must not be empty".into());
    } else if value.chars().count() > max {
        f.insert(
            field.into(),
            format!("最多 {max} 个字符 / at most {max} characters"),
        );
    }
}

fn check_opt(f: &mut FieldErrors, field: &str, value: &Option<String>, max: usize) {
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        f.insert(
            field.into(),
            format!("最多 {max} 个字符 / at most {max} characters"),
        );
    }
}

fn finish(f: FieldErrors) -> Result<()> {
    if f.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { fields: f }.into())
    }
}

fn codes(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses a stored `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses a stored level name.
pub fn parse_level(s: &str) -> Option<RiskLevel> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn level_name(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Major => "major",
        RiskLevel::High => "high",
        RiskLevel::Medium => "medium",
        RiskLevel::Low => "low",
    }
}

fn colour_name(c: anjian_domain::standards::risk::Colour) -> &'static str {
    use anjian_domain::standards::risk::Colour;
    match c {
        Colour::Red => "red",
        Colour::Orange => "orange",
        Colour::Yellow => "yellow",
        Colour::Blue => "blue",
    }
}

fn point_scope(scope: &ScopeFilter) -> Condition {
    enterprise_id_in_scope(risk_point::Column::EnterpriseId, scope)
}

impl Store {
    /// The review cycles in force (system parameter [`REVIEW_CYCLES_PARAM`], else the default).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn risk_review_cycles(&self) -> Result<ReviewCycles> {
        let v = self.param_value(REVIEW_CYCLES_PARAM).await?;
        Ok(ReviewCycles::from_param(v.as_deref()))
    }

    fn risk_point_query(
        filter: &RiskPointFilter,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> sea_orm::Select<risk_point::Entity> {
        let mut q = risk_point::Entity::find().filter(point_scope(scope));
        if let Some(e) = filter.enterprise_id {
            q = q.filter(risk_point::Column::EnterpriseId.eq(e));
        }
        match filter.level.as_deref() {
            Some("none") => q = q.filter(risk_point::Column::Level.is_null()),
            Some(l) => q = q.filter(risk_point::Column::Level.eq(l)),
            None => {}
        }
        if let Some(k) = &filter.kind {
            q = q.filter(risk_point::Column::Kind.eq(k.as_str()));
        }
        if let Some(s) = &filter.status {
            q = q.filter(risk_point::Column::Status.eq(s.as_str()));
        }
        if let Some(k) = trimmed(&filter.keyword) {
            q = q.filter(
                Condition::any()
                    .add(crate::like_literal(risk_point::Column::Code, &k, false))
                    .add(crate::like_literal(risk_point::Column::Name, &k, false))
                    .add(crate::like_literal(risk_point::Column::Location, &k, false)),
            );
        }
        let overdue = date_text(rc::overdue_limit(now));
        match filter.review_due {
            Some(ReviewDue::Overdue) => {
                q = q
                    .filter(risk_point::Column::Status.eq("active"))
                    .filter(risk_point::Column::NextReviewDue.lte(overdue));
            }
            Some(ReviewDue::Soon) => {
                q = q
                    .filter(risk_point::Column::Status.eq("active"))
                    .filter(risk_point::Column::NextReviewDue.gt(overdue))
                    .filter(risk_point::Column::NextReviewDue.lte(date_text(rc::soon_limit(now))));
            }
            None => {}
        }
        q
    }

    async fn risk_point_views<C: ConnectionTrait>(
        &self,
        db: &C,
        rows: Vec<RiskPoint>,
    ) -> Result<Vec<RiskPointView>> {
        let names =
            crate::monitoring::enterprise_names_of(self, rows.iter().map(|p| p.enterprise_id))
                .await?;
        let ids: Vec<i64> = rows.iter().map(|p| p.id).collect();
        let mut levels: HashMap<i64, Vec<ManagementLevel>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(i64, String)> = control_measure::Entity::find()
                .select_only()
                .column(control_measure::Column::RiskPointId)
                .column(control_measure::Column::ManagementLevel)
                .filter(control_measure::Column::RiskPointId.is_in(chunk.to_vec()))
                .into_tuple()
                .all(db)
                .await?;
            for (id, l) in found {
                let e = levels.entry(id).or_default();
                e.extend(ManagementLevel::parse(&l));
            }
        }
        Ok(rows
            .into_iter()
            .map(|p| {
                let ms = levels.remove(&p.id).unwrap_or_default();
                RiskPointView {
                    enterprise_name: names.get(&p.enterprise_id).cloned(),
                    hazard_factors: codes(&p.hazard_factors),
                    accident_types: codes(&p.accident_types),
                    measure_count: ms.len() as u64,
                    management_gap: p
                        .level
                        .as_deref()
                        .and_then(parse_level)
                        .and_then(|l| rc::management_gap(l, ms)),
                    point: p,
                }
            })
            .collect())
    }

    /// Lists the risk points the caller may see, filtered and paged: highest level first, then
    /// code. `now` decides the review filter.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_risk_points(
        &self,
        filter: &RiskPointFilter,
        scope: &ScopeFilter,
        page: Page,
        now: DateTime<Utc>,
    ) -> Result<PageOf<RiskPointView>> {
        let q = Self::risk_point_query(filter, scope, now);
        let total = q.clone().count(&self.db).await?;
        let q = if filter.review_due.is_some() {
            q.order_by_asc(risk_point::Column::NextReviewDue)
        } else {
            q.order_by_asc(Expr::cust(
                "CASE level WHEN 'major' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 WHEN 'low' THEN 4 ELSE 5 END",
            ))
        };
        let rows = q
            .order_by_asc(risk_point::Column::EnterpriseId)
            .order_by_asc(risk_point::Column::Code)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.risk_point_views(&self.db, rows).await?,
        })
    }

    /// One risk point, if the caller's scope includes its enterprise.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_risk_point(&self, id: i64, scope: &ScopeFilter) -> Result<RiskPointView> {
        let p = risk_point::Entity::find_by_id(id)
            .filter(point_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.risk_point_views(&self.db, vec![p])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    async fn check_risk_point(&self, p: &RiskPointInput, scope: &ScopeFilter) -> Result<()> {
        let mut f = FieldErrors::new();
        check_text(&mut f, "code", &p.code, 64);
        check_text(&mut f, "name", &p.name, 100);
        if RiskPointKind::parse(&p.kind).is_none() {
            f.insert(
                "kind".into(),
                format!(
                    "须为以下之一：{} / must be one of {}",
                    RiskPointKind::names().join(", "),
                    RiskPointKind::names().join(", ")
                ),
            );
        }
        check_opt(&mut f, "location", &p.location, 200);
        check_opt(&mut f, "responsiblePerson", &p.responsible_person, 50);
        check_opt(&mut f, "responsiblePhone", &p.responsible_phone, 30);
        check_opt(&mut f, "consequences", &p.consequences, TEXT_MAX);
        check_opt(&mut f, "emergencyActions", &p.emergency_actions, TEXT_MAX);
        check_opt(&mut f, "emergencyContacts", &p.emergency_contacts, TEXT_MAX);
        if p.hazard_factors.len() > 50 {
            f.insert(
                "hazardFactors".into(),
                "最多 50 个危险有害因素代码 / at most 50 codes".into(),
            );
        }
        for (i, c) in p.hazard_factors.iter().enumerate() {
            if let Err(e) = rc::check_hazard_factor(c) {
                f.insert(format!("hazardFactors[{i}]"), e);
            }
        }
        if p.accident_types.len() > 30 {
            f.insert(
                "accidentTypes".into(),
                "最多 30 个事故类别代码 / at most 30 codes".into(),
            );
        }
        for (i, c) in p.accident_types.iter().enumerate() {
            if let Err(e) = rc::check_accident_type(c) {
                f.insert(format!("accidentTypes[{i}]"), e);
            }
        }
        if p.review_cycle_months
            .is_some_and(|m| !(1..=rc::MAX_CYCLE_MONTHS as i32).contains(&m))
        {
            f.insert(
                "reviewCycleMonths".into(),
                format!(
                    "评估周期须为 1 到 {} 个月 / must be 1 to {} months",
                    rc::MAX_CYCLE_MONTHS,
                    rc::MAX_CYCLE_MONTHS
                ),
            );
        }
        if RecordStatus::parse(&p.status).is_none() {
            f.insert(
                "status".into(),
                "状态须为在用或停用 / must be active or disabled".into(),
            );
        }
        let visible = crate::org::enterprise_visible(&self.db, p.enterprise_id, scope).await?;
        if !visible {
            f.insert(
                "enterpriseId".into(),
                "没有这个企业 / no such enterprise".into(),
            );
        }
        finish(f)
    }

    fn risk_point_active(p: RiskPointInput, now: DateTime<Utc>) -> risk_point::ActiveModel {
        let mut hf = p.hazard_factors;
        hf.dedup();
        let mut at = p.accident_types;
        at.dedup();
        risk_point::ActiveModel {
            enterprise_id: Set(p.enterprise_id),
            code: Set(p.code.trim().to_owned()),
            name: Set(p.name.trim().to_owned()),
            kind: Set(p.kind),
            location: Set(trimmed(&p.location)),
            hazard_factors: Set(serde_json::to_string(&hf).unwrap_or_else(|_| "[]".into())),
            accident_types: Set(serde_json::to_string(&at).unwrap_or_else(|_| "[]".into())),
            responsible_person: Set(trimmed(&p.responsible_person)),
            responsible_phone: Set(trimmed(&p.responsible_phone)),
            consequences: Set(trimmed(&p.consequences)),
            emergency_actions: Set(trimmed(&p.emergency_actions)),
            emergency_contacts: Set(trimmed(&p.emergency_contacts)),
            review_cycle_months: Set(p.review_cycle_months),
            status: Set(p.status),
            updated_at: Set(now),
            ..Default::default()
        }
    }

    /// Creates a risk point (not yet assessed).
    ///
    /// # Errors
    /// Field errors on `code` (empty, too long, taken in the enterprise), `name`, `kind`,
    /// `location`, `hazardFactors[i]` / `accidentTypes[i]` (unknown codes), `reviewCycleMonths`,
    /// `status`, `enterpriseId` (missing or outside the scope), the text fields' lengths.
    pub async fn create_risk_point(
        &self,
        p: RiskPointInput,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<RiskPoint> {
        self.check_risk_point(&p, scope).await?;
        let mut a = Self::risk_point_active(p, now);
        a.created_at = Set(now);
        a.level = Set(None);
        a.colour = Set(None);
        a.value = Set(None);
        a.next_review_due = Set(None);
        a.last_assessed_on = Set(None);
        a.insert(&self.db).await.map_err(|e| {
            unique_as_field(
                e,
                "code",
                "该编号的风险点已存在 / a risk point with this code already exists",
            )
        })
    }

    /// Replaces a risk point's descriptive fields (not its level), if the caller's scope
    /// includes it and the new enterprise. A changed review cycle moves the next due date.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_risk_point(
        &self,
        id: i64,
        p: RiskPointInput,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<RiskPoint> {
        let current = self.get_risk_point(id, scope).await?.point;
        self.check_risk_point(&p, scope).await?;
        let cycle = p.review_cycle_months;
        let mut a = Self::risk_point_active(p, now);
        a.id = Unchanged(id);
        if cycle != current.review_cycle_months
            && let (Some(on), Some(level)) = (
                current.last_assessed_on.as_deref().and_then(parse_date),
                current.level.as_deref().and_then(parse_level),
            )
        {
            let months = match cycle {
                Some(m) => m as u32,
                None => self.risk_review_cycles().await?.months(level),
            };
            a.next_review_due = Set(rc::next_review_due(on, months).map(date_text));
        }
        a.update(&self.db).await.map_err(|e| {
            unique_as_field(
                e,
                "code",
                "该编号的风险点已存在 / a risk point with this code already exists",
            )
        })
    }

    /// Deletes a risk point with its assessments, level changes and measures.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn delete_risk_point(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_risk_point(id, scope).await?;
        let txn = self.db.begin().await?;
        control_measure::Entity::delete_many()
            .filter(control_measure::Column::RiskPointId.eq(id))
            .exec(&txn)
            .await?;
        risk_level_change::Entity::delete_many()
            .filter(risk_level_change::Column::RiskPointId.eq(id))
            .exec(&txn)
            .await?;
        risk_assessment::Entity::delete_many()
            .filter(risk_assessment::Column::RiskPointId.eq(id))
            .exec(&txn)
            .await?;
        risk_point::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records an assessment of a point and makes its result the point's level, colour and value;
    /// a changed level is logged with `recorded_by`, `now` and the reason; the next review is due
    /// `assessed_on` + the cycle of the new level (or the point's own cycle).
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors on `l`, `e`, `c`, `s` (off the scale), `assessor`,
    /// `assessedOn` (in the future at `now` in Asia/Shanghai, or before the latest assessment),
    /// `note`, `reason` (missing when the level changes).
    pub async fn assess_risk_point(
        &self,
        id: i64,
        a: NewAssessment,
        recorded_by: i64,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<(RiskAssessment, Option<RiskLevelChangeRow>)> {
        let point = self.get_risk_point(id, scope).await?.point;
        let mut f = FieldErrors::new();
        let result = a.input.evaluate();
        if let Err(e) = &result {
            f.insert(e.field.clone(), e.message.clone());
        }
        check_text(&mut f, "assessor", &a.assessor, 50);
        check_opt(&mut f, "note", &a.note, TEXT_MAX);
        check_opt(&mut f, "reason", &a.reason, TEXT_MAX);
        if a.assessed_on > rc::shanghai_date(now) {
            f.insert(
                "assessedOn".into(),
                "评估日期不得晚于今天 / must not be in the future".into(),
            );
        }
        if let Some(last) = point.last_assessed_on.as_deref().and_then(parse_date)
            && a.assessed_on < last
        {
            f.insert(
                "assessedOn".into(),
                format!(
                    "不得早于最近一次评估日期（{last}） / must not be before the latest assessment ({last})"
                ),
            );
        }
        let current = point.level.as_deref().and_then(parse_level);
        let reason = trimmed(&a.reason);
        if let Ok(r) = &result
            && current.is_some_and(|c| c != r.level)
            && reason.is_none()
        {
            f.insert(
                "reason".into(),
                format!(
                    "风险等级由{}变为{}，请说明原因 / the level changes from {} to {}: say why",
                    current.map(RiskLevel::name_zh).unwrap_or_default(),
                    r.level.name_zh(),
                    current.map(RiskLevel::name_zh).unwrap_or_default(),
                    r.level.name_zh()
                ),
            );
        }
        finish(f)?;
        let r = result.map_err(|e| ValidationError::field(&e.field, e.message))?;
        let months = match point.review_cycle_months {
            Some(m) => m as u32,
            None => self.risk_review_cycles().await?.months(r.level),
        };
        let txn = self.db.begin().await?;
        let assessment = risk_assessment::ActiveModel {
            risk_point_id: Set(id),
            method: Set(a.input.method().to_owned()),
            inputs: Set(serde_json::to_string(&a.input).unwrap_or_else(|_| "{}".into())),
            value: Set(r.value),
            level: Set(level_name(r.level).to_owned()),
            colour: Set(colour_name(r.colour).to_owned()),
            assessor: Set(a.assessor.trim().to_owned()),
            assessed_on: Set(date_text(a.assessed_on)),
            note: Set(trimmed(&a.note)),
            recorded_by: Set(recorded_by),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let change = if current != Some(r.level) {
            Some(
                risk_level_change::ActiveModel {
                    risk_point_id: Set(id),
                    assessment_id: Set(Some(assessment.id)),
                    from_level: Set(current.map(|l| level_name(l).to_owned())),
                    to_level: Set(level_name(r.level).to_owned()),
                    effective_on: Set(date_text(a.assessed_on)),
                    reason: Set(reason),
                    changed_by: Set(recorded_by),
                    changed_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?,
            )
        } else {
            None
        };
        risk_point::ActiveModel {
            id: Unchanged(id),
            level: Set(Some(level_name(r.level).to_owned())),
            colour: Set(Some(colour_name(r.colour).to_owned())),
            value: Set(Some(r.value)),
            last_assessed_on: Set(Some(date_text(a.assessed_on))),
            next_review_due: Set(rc::next_review_due(a.assessed_on, months).map(date_text)),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        Ok((assessment, change))
    }

    /// A point's assessments and level changes, oldest first.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn risk_point_history(&self, id: i64, scope: &ScopeFilter) -> Result<RiskHistory> {
        self.get_risk_point(id, scope).await?;
        let assessments = risk_assessment::Entity::find()
            .filter(risk_assessment::Column::RiskPointId.eq(id))
            .order_by_asc(risk_assessment::Column::AssessedOn)
            .order_by_asc(risk_assessment::Column::Id)
            .all(&self.db)
            .await?;
        let changes = risk_level_change::Entity::find()
            .filter(risk_level_change::Column::RiskPointId.eq(id))
            .order_by_asc(risk_level_change::Column::EffectiveOn)
            .order_by_asc(risk_level_change::Column::Id)
            .all(&self.db)
            .await?;
        Ok(RiskHistory {
            assessments,
            changes,
        })
    }

    /// The four-colour list: the active points of the caller's scope (optionally of one
    /// enterprise), each with its level as of the end of `as_of` (Asia/Shanghai) replayed from
    /// the level-change log, or the current level without a date; with their measures. Points
    /// created after `as_of` and not assessed by then are left out. Highest level first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn risk_list(
        &self,
        enterprise_id: Option<i64>,
        as_of: Option<NaiveDate>,
        scope: &ScopeFilter,
        limit: u64,
    ) -> Result<Vec<RiskListRow>> {
        let mut q = risk_point::Entity::find()
            .filter(point_scope(scope))
            .filter(risk_point::Column::Status.eq("active"));
        if let Some(e) = enterprise_id {
            q = q.filter(risk_point::Column::EnterpriseId.eq(e));
        }
        let points = q
            .order_by_asc(risk_point::Column::EnterpriseId)
            .order_by_asc(risk_point::Column::Code)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = points.iter().map(|p| p.id).collect();
        let mut changes: HashMap<i64, Vec<LevelChange>> = HashMap::new();
        let mut measures: HashMap<i64, Vec<ControlMeasure>> = HashMap::new();
        for chunk in ids.chunks(500) {
            if let Some(d) = as_of {
                let rows = risk_level_change::Entity::find()
                    .filter(risk_level_change::Column::RiskPointId.is_in(chunk.to_vec()))
                    .filter(risk_level_change::Column::EffectiveOn.lte(date_text(d)))
                    .all(&self.db)
                    .await?;
                for c in rows {
                    if let (Some(on), Some(to)) =
                        (parse_date(&c.effective_on), parse_level(&c.to_level))
                    {
                        changes
                            .entry(c.risk_point_id)
                            .or_default()
                            .push(LevelChange {
                                on,
                                seq: c.id,
                                from: c.from_level.as_deref().and_then(parse_level),
                                to,
                            });
                    }
                }
            }
            let rows = control_measure::Entity::find()
                .filter(control_measure::Column::RiskPointId.is_in(chunk.to_vec()))
                .order_by_asc(control_measure::Column::Sort)
                .order_by_asc(control_measure::Column::Id)
                .all(&self.db)
                .await?;
            for m in rows {
                measures.entry(m.risk_point_id).or_default().push(m);
            }
        }
        let views = self.risk_point_views(&self.db, points).await?;
        let mut out: Vec<RiskListRow> = views
            .into_iter()
            .filter_map(|v| {
                let id = v.point.id;
                let level = match as_of {
                    None => v.point.level.as_deref().and_then(parse_level),
                    Some(d) => {
                        let l =
                            rc::level_as_of(changes.get(&id).map(Vec::as_slice).unwrap_or(&[]), d);
                        if l.is_none() && rc::shanghai_date(v.point.created_at) > d {
                            return None;
                        }
                        l
                    }
                };
                Some(RiskListRow {
                    measures: measures.remove(&id).unwrap_or_default(),
                    level,
                    view: v,
                })
            })
            .collect();
        out.sort_by_key(|r| std::cmp::Reverse(r.level.map(RiskLevel::rank).unwrap_or(0)));
        Ok(out)
    }

    // ---------------------------------------------------------------- measures

    /// The control measures of a point, in display order.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn list_control_measures(
        &self,
        risk_point_id: i64,
        scope: &ScopeFilter,
    ) -> Result<Vec<ControlMeasure>> {
        self.get_risk_point(risk_point_id, scope).await?;
        Ok(control_measure::Entity::find()
            .filter(control_measure::Column::RiskPointId.eq(risk_point_id))
            .order_by_asc(control_measure::Column::Sort)
            .order_by_asc(control_measure::Column::Id)
            .all(&self.db)
            .await?)
    }

    fn check_measure(m: &MeasureInput) -> Result<()> {
        let mut f = FieldErrors::new();
        if MeasureKind::parse(&m.kind).is_none() {
            f.insert(
                "kind".into(),
                format!(
                    "须为以下之一：{} / must be one of {}",
                    MeasureKind::names().join(", "),
                    MeasureKind::names().join(", ")
                ),
            );
        }
        check_text(&mut f, "content", &m.content, 1000);
        if ManagementLevel::parse(&m.management_level).is_none() {
            f.insert(
                "managementLevel".into(),
                format!(
                    "须为以下之一：{} / must be one of {}",
                    ManagementLevel::names().join(", "),
                    ManagementLevel::names().join(", ")
                ),
            );
        }
        check_opt(&mut f, "responsiblePerson", &m.responsible_person, 50);
        finish(f)
    }

    /// Adds a control measure to a point.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors on `kind`, `content`, `managementLevel`,
    /// `responsiblePerson`.
    pub async fn create_control_measure(
        &self,
        risk_point_id: i64,
        m: MeasureInput,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<ControlMeasure> {
        self.get_risk_point(risk_point_id, scope).await?;
        Self::check_measure(&m)?;
        Ok(control_measure::ActiveModel {
            risk_point_id: Set(risk_point_id),
            kind: Set(m.kind),
            content: Set(m.content.trim().to_owned()),
            management_level: Set(m.management_level),
            responsible_person: Set(trimmed(&m.responsible_person)),
            sort: Set(m.sort),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&self.db)
        .await?)
    }

    async fn measure_of(&self, risk_point_id: i64, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_risk_point(risk_point_id, scope).await?;
        control_measure::Entity::find_by_id(id)
            .filter(control_measure::Column::RiskPointId.eq(risk_point_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(())
    }

    /// Replaces a control measure of a point.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (also when the measure is not the point's); field errors as for
    /// create.
    pub async fn update_control_measure(
        &self,
        risk_point_id: i64,
        id: i64,
        m: MeasureInput,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<ControlMeasure> {
        self.measure_of(risk_point_id, id, scope).await?;
        Self::check_measure(&m)?;
        Ok(control_measure::ActiveModel {
            id: Unchanged(id),
            kind: Set(m.kind),
            content: Set(m.content.trim().to_owned()),
            management_level: Set(m.management_level),
            responsible_person: Set(trimmed(&m.responsible_person)),
            sort: Set(m.sort),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&self.db)
        .await?)
    }

    /// Deletes a control measure of a point.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn delete_control_measure(
        &self,
        risk_point_id: i64,
        id: i64,
        scope: &ScopeFilter,
    ) -> Result<()> {
        self.measure_of(risk_point_id, id, scope).await?;
        control_measure::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?;
        Ok(())
    }

    // ---------------------------------------------------------------- reminders

    /// Notifies the responsible enterprises of risk points whose re-assessment is due or overdue
    /// (once per point and due date). Returns how many notifications were sent.
    ///
    /// An active point due within [`rc::DUE_SOON_DAYS`] days gets one `risk.review_due`
    /// notification (dedupe key `risk-review:{id}:{due}:soon`); once the end of its due day in
    /// Asia/Shanghai has passed, one `risk.review_overdue` (`risk-review:{id}:{due}:overdue`).
    /// Both go to the point's enterprise and link to `/risk/point/{id}`.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn remind_risk_reviews(&self, now: DateTime<Utc>) -> Result<u64> {
        let due: Vec<RiskPoint> = risk_point::Entity::find()
            .filter(risk_point::Column::Status.eq("active"))
            .filter(risk_point::Column::NextReviewDue.lte(date_text(rc::soon_limit(now))))
            .order_by_asc(risk_point::Column::Id)
            .all(&self.db)
            .await?;
        let mut sent = 0;
        // Who re-assesses: the enterprise's users who may add assessments (one query per
        // enterprise per run); the whole enterprise when nobody holds it.
        let mut recipients: std::collections::HashMap<i64, Vec<Audience>> =
            std::collections::HashMap::new();
        for p in due {
            let Some(d) = p.next_review_due.as_deref().and_then(parse_date) else {
                continue;
            };
            let (kind, tag, title) = match rc::review_state(d, now) {
                rc::ReviewState::Overdue => ("risk.review_overdue", "overdue", "风险点复评已逾期"),
                rc::ReviewState::DueSoon => ("risk.review_due", "soon", "风险点即将到期复评"),
                rc::ReviewState::Ok => continue,
            };
            if let std::collections::hash_map::Entry::Vacant(slot) =
                recipients.entry(p.enterprise_id)
            {
                let users = self
                    .enterprise_users_with_permission(p.enterprise_id, "risk:assessment:add")
                    .await?;
                slot.insert(if users.is_empty() {
                    vec![Audience::Enterprise(p.enterprise_id)]
                } else {
                    users.into_iter().map(Audience::User).collect()
                });
            }
            for audience in recipients
                .get(&p.enterprise_id)
                .cloned()
                .unwrap_or_default()
            {
                let who = match audience {
                    Audience::User(u) => format!("u{u}"),
                    _ => "e".to_owned(),
                };
                let fresh = self
                    .notify(NewNotification {
                        kind: kind.into(),
                        title: format!("{title}：{}", p.name),
                        body: format!("风险点 {}（{}）应于 {} 前完成复评。", p.name, p.code, d),
                        link: Some(format!("/risk/point/{}", p.id)),
                        audience,
                        dedupe_key: Some(format!("risk-review:{}:{}:{}:{who}", p.id, d, tag)),
                        created_at: now,
                    })
                    .await?;
                if fresh {
                    sent += 1;
                }
            }
        }
        Ok(sent)
    }
}
