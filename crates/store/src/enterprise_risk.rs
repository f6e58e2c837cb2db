//! The dynamic enterprise risk (企业动态风险, `docs/dynamic-risk.md`): gathering the inputs of
//! [`anjian_domain::situation::compute`] for one enterprise or all of them in a handful of
//! queries, storing the result in `enterprise_risks` (one row per enterprise) and a row in
//! `enterprise_risk_history` whenever the score or the level changes, and the ranking and history
//! queries.
//!
//! Inputs, per enterprise:
//! - the best grade among its major hazard installations (`is_major`, graded, not
//!   `filing_status = 'cancelled'`);
//! - the highest current level among its active risk points (`risk_points.level`, the latest
//!   assessment's);
//! - its active alarms: `active AND ended_at IS NULL AND state NOT IN ('shelved', 'suppressed',
//!   'out_of_service')`, with the sensor's name and unit;
//! - its overdue hidden dangers (`assigned` / `in_remediation` / `submitted` and past
//!   `deadline_at`) and its open major ones (`level = 'major'`, neither `closed` nor `rejected`);
//! - recent accidents: there is no accident register yet, so always 0.
//!
//! Recomputations are serialised within the process (one at a time), so two of them never
//! interleave their history rows.

use crate::entities::{alarm, enterprise, region, sensor};
use crate::hidden_danger::entity::record as hd;
use crate::risk::entity::risk_point;
use crate::telemetry::{enterprise_id_in_scope, insert_chunked};
use crate::{PageOf, Result, Store, StoreError};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::page::Page;
use anjian_domain::situation::{
    self as sit, AlarmInput, AlarmPriority, Assessment, BreakdownItem, InstallationInput,
    RiskInputs, RiskPointInput, WEIGHTS_PARAM, Weights,
};
use anjian_domain::standards::risk::RiskLevel;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, TransactionTrait, Value,
};
use std::collections::{BTreeMap, HashMap};

/// SeaORM entities of the dynamic-risk tables (m0008).
pub mod entity {
    /// `enterprise_risks`: the current dynamic risk of an enterprise. `breakdown` is the JSON of
    /// the breakdown items; `changed_at` is when the score or level last changed.
    pub mod current {
        use sea_orm::entity::prelude::*;

        /// The stored current risk.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "enterprise_risks")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub enterprise_id: i64,
            pub score: i32,
            pub level: String,
            pub inherent_score: i32,
            pub live_score: i32,
            pub breakdown: String,
            pub summary: String,
            pub computed_at: DateTimeUtc,
            pub changed_at: DateTimeUtc,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {
            /// The enterprise.
            #[sea_orm(
                belongs_to = "crate::entities::enterprise::Entity",
                from = "Column::EnterpriseId",
                to = "crate::entities::enterprise::Column::Id"
            )]
            Enterprise,
        }
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// `enterprise_risk_history`: one row per change of score or level, with what triggered it.
    pub mod history {
        use sea_orm::entity::prelude::*;

        /// A change of an enterprise's risk.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "enterprise_risk_history")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub enterprise_id: i64,
            pub computed_at: DateTimeUtc,
            pub score: i32,
            pub level: String,
            pub breakdown: String,
            pub summary: String,
            pub trigger: String,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }

    /// The columns of `major_hazard_installations` the risk reads (the table is owned by the
    /// major-hazard module).
    pub mod installation {
        use sea_orm::entity::prelude::*;

        /// An installation, as far as the risk needs it.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "major_hazard_installations")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub enterprise_id: i64,
            pub name: String,
            pub is_major: bool,
            pub grade: Option<i16>,
            pub filing_status: String,
        }
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{current, history, installation};

/// Alarm states that do not count as active for the risk.
pub const INACTIVE_ALARM_STATES: [&str; 3] = ["shelved", "suppressed", "out_of_service"];

/// Hidden-danger statuses in which a record can be overdue.
const OVERDUE_STATUSES: [&str; 3] = ["assigned", "in_remediation", "submitted"];

/// Ids per `IN (...)` list.
const CHUNK: usize = 5000;

/// Recomputations run one at a time in a process.
static RECOMPUTE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The SQL condition of an active alarm (the same definition everywhere): `active AND ended_at
/// IS NULL AND state NOT IN ('shelved', 'suppressed', 'out_of_service')`.
pub fn active_alarm_condition() -> Condition {
    Condition::all()
        .add(alarm::Column::Active.eq(true))
        .add(alarm::Column::EndedAt.is_null())
        .add(alarm::Column::State.is_not_in(INACTIVE_ALARM_STATES))
}

/// What a recomputation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecomputeOutcome {
    /// Enterprises computed (and their rows written).
    pub computed: u64,
    /// Of them, those whose score or level changed (a history row each).
    pub changed: u64,
}

/// A stored current risk with its enterprise.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseRiskView {
    /// The enterprise.
    pub enterprise_id: i64,
    /// Its name.
    pub enterprise_name: String,
    /// Its region.
    pub region_id: i64,
    /// The region's name.
    pub region_name: Option<String>,
    /// inherent + live.
    pub score: i64,
    /// Level of the score.
    pub level: RiskLevel,
    /// Installations and risk points.
    pub inherent_score: i64,
    /// Alarms, hidden dangers, accidents.
    pub live_score: i64,
    /// The items.
    pub breakdown: Vec<BreakdownItem>,
    /// Chinese summary.
    pub summary: String,
    /// When last computed and written.
    pub computed_at: DateTime<Utc>,
    /// When the score or level last changed.
    pub changed_at: DateTime<Utc>,
}

/// One row of an enterprise's risk history.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskHistoryRow {
    /// Row id.
    pub id: i64,
    /// When computed.
    pub computed_at: DateTime<Utc>,
    /// Score then.
    pub score: i64,
    /// Level then.
    pub level: RiskLevel,
    /// The breakdown then.
    pub breakdown: Vec<BreakdownItem>,
    /// The summary then.
    pub summary: String,
    /// What caused the recomputation (`alarm`, `hidden_danger`, `risk_point`, `installation`,
    /// `startup`, `manual`, `schedule`, `initial` …).
    pub trigger: String,
}

/// Filter of the ranking.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseRiskFilter {
    /// Exact level.
    pub level: Option<RiskLevel>,
    /// The region and everything under it.
    pub region_id: Option<i64>,
    /// Substring of the enterprise name.
    pub name: Option<String>,
    /// One enterprise.
    pub enterprise_id: Option<i64>,
}

fn parse_level(s: &str) -> Option<RiskLevel> {
    match s {
        "major" => Some(RiskLevel::Major),
        "high" => Some(RiskLevel::High),
        "medium" => Some(RiskLevel::Medium),
        "low" => Some(RiskLevel::Low),
        _ => None,
    }
}

fn level_of(s: &str) -> RiskLevel {
    match s {
        "major" => RiskLevel::Major,
        "high" => RiskLevel::High,
        "medium" => RiskLevel::Medium,
        _ => RiskLevel::Low,
    }
}

fn level_str(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::Major => "major",
        RiskLevel::High => "high",
        RiskLevel::Medium => "medium",
        RiskLevel::Low => "low",
    }
}

fn parse_breakdown(s: &str) -> Vec<BreakdownItem> {
    serde_json::from_str(s).unwrap_or_default()
}

fn to_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

fn count_u32(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

/// Runs `f` once for all (`None`) or once per chunk of `ids`.
fn chunks(ids: Option<&[i64]>) -> Vec<Option<&[i64]>> {
    match ids {
        None => vec![None],
        Some(ids) => ids.chunks(CHUNK).map(Some).collect(),
    }
}

impl Store {
    /// The weights in force: parameter [`WEIGHTS_PARAM`], or the default when it is missing or
    /// invalid (logged as a warning).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn dynamic_risk_weights(&self) -> Result<Weights> {
        let Some(text) = self.param_value(WEIGHTS_PARAM).await? else {
            return Ok(Weights::default());
        };
        match Weights::parse(&text) {
            Ok(w) => Ok(w),
            Err(e) => {
                tracing::warn!(param = WEIGHTS_PARAM, error = %e, "invalid dynamic risk weights; using the defaults");
                Ok(Weights::default())
            }
        }
    }

    /// The inputs of every enterprise in `ids` (every enterprise when `None`) at `now`. Each
    /// enterprise asked for is in the map (with empty inputs when nothing applies). A fixed
    /// number of queries per 5000 ids, never one per enterprise.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn dynamic_risk_inputs(
        &self,
        ids: Option<&[i64]>,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, RiskInputs>> {
        let mut out: HashMap<i64, RiskInputs> = HashMap::new();
        for chunk in chunks(ids) {
            let mut q = enterprise::Entity::find()
                .select_only()
                .column(enterprise::Column::Id);
            if let Some(c) = chunk {
                q = q.filter(enterprise::Column::Id.is_in(c.iter().copied()));
            }
            for id in q.into_tuple::<i64>().all(&self.db).await? {
                out.insert(id, RiskInputs::default());
            }
            self.gather_installations(chunk, &mut out).await?;
            self.gather_risk_points(chunk, &mut out).await?;
            self.gather_alarms(chunk, &mut out).await?;
            self.gather_hidden_dangers(chunk, now, &mut out).await?;
        }
        Ok(out)
    }

    async fn gather_installations(
        &self,
        ids: Option<&[i64]>,
        out: &mut HashMap<i64, RiskInputs>,
    ) -> Result<()> {
        let mut q = installation::Entity::find()
            .filter(installation::Column::IsMajor.eq(true))
            .filter(installation::Column::Grade.is_not_null())
            .filter(installation::Column::FilingStatus.ne("cancelled"));
        if let Some(c) = ids {
            q = q.filter(installation::Column::EnterpriseId.is_in(c.iter().copied()));
        }
        let rows = q
            .order_by_asc(installation::Column::Id)
            .all(&self.db)
            .await?;
        for r in rows {
            let Some(grade) = r.grade.and_then(|g| u8::try_from(g).ok()) else {
                continue;
            };
            if !(1..=4).contains(&grade) {
                continue;
            }
            let Some(inp) = out.get_mut(&r.enterprise_id) else {
                continue;
            };
            match &mut inp.installation {
                Some(best) => {
                    best.count += 1;
                    if grade < best.grade {
                        best.id = r.id;
                        best.name = r.name;
                        best.grade = grade;
                    }
                }
                None => {
                    inp.installation = Some(InstallationInput {
                        id: r.id,
                        name: r.name,
                        grade,
                        count: 1,
                    })
                }
            }
        }
        Ok(())
    }

    async fn gather_risk_points(
        &self,
        ids: Option<&[i64]>,
        out: &mut HashMap<i64, RiskInputs>,
    ) -> Result<()> {
        let mut q = risk_point::Entity::find()
            .select_only()
            .column(risk_point::Column::EnterpriseId)
            .column(risk_point::Column::Level)
            .column_as(risk_point::Column::Id.count(), "n")
            .column_as(risk_point::Column::Id.min(), "first")
            .filter(risk_point::Column::Level.is_not_null())
            .filter(risk_point::Column::Status.eq("active"))
            .group_by(risk_point::Column::EnterpriseId)
            .group_by(risk_point::Column::Level);
        if let Some(c) = ids {
            q = q.filter(risk_point::Column::EnterpriseId.is_in(c.iter().copied()));
        }
        let rows: Vec<(i64, Option<String>, i64, i64)> = q.into_tuple().all(&self.db).await?;
        let mut best: HashMap<i64, (RiskLevel, i64, i64)> = HashMap::new();
        for (e, level, n, first) in rows {
            let Some(level) = level.as_deref().and_then(parse_level) else {
                continue;
            };
            match best.get(&e) {
                Some((l, _, _)) if *l >= level => {}
                _ => {
                    best.insert(e, (level, n, first));
                }
            }
        }
        let point_ids: Vec<i64> = best.values().map(|b| b.2).collect();
        let mut names: HashMap<i64, String> = HashMap::new();
        for c in point_ids.chunks(CHUNK) {
            let rows: Vec<(i64, String)> = risk_point::Entity::find()
                .select_only()
                .column(risk_point::Column::Id)
                .column(risk_point::Column::Name)
                .filter(risk_point::Column::Id.is_in(c.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            names.extend(rows);
        }
        for (e, (level, n, first)) in best {
            if let Some(inp) = out.get_mut(&e) {
                inp.risk_point = Some(RiskPointInput {
                    id: first,
                    name: names.remove(&first).unwrap_or_default(),
                    level,
                    count: count_u32(n),
                });
            }
        }
        Ok(())
    }

    async fn gather_alarms(
        &self,
        ids: Option<&[i64]>,
        out: &mut HashMap<i64, RiskInputs>,
    ) -> Result<()> {
        type Row = (
            i64,
            Option<i64>,
            String,
            String,
            String,
            Option<f64>,
            Option<String>,
            Option<String>,
        );
        let mut q = alarm::Entity::find()
            .select_only()
            .column(alarm::Column::Id)
            .column(alarm::Column::EnterpriseId)
            .column(alarm::Column::Priority)
            .column(alarm::Column::Source)
            .column(alarm::Column::Condition)
            .column(alarm::Column::LastValue)
            .column_as(
                Expr::col((sensor::Entity, sensor::Column::Name)),
                "sensor_name",
            )
            .column_as(
                Expr::col((sensor::Entity, sensor::Column::Unit)),
                "sensor_unit",
            )
            .join(
                JoinType::LeftJoin,
                alarm::Entity::belongs_to(sensor::Entity)
                    .from(alarm::Column::SensorId)
                    .to(sensor::Column::Id)
                    .into(),
            )
            .filter(active_alarm_condition())
            .filter(alarm::Column::EnterpriseId.is_not_null());
        if let Some(c) = ids {
            q = q.filter(alarm::Column::EnterpriseId.is_in(c.iter().copied()));
        }
        let rows: Vec<Row> = q.into_tuple().all(&self.db).await?;
        for (id, e, priority, source, condition, value, name, unit) in rows {
            let Some(inp) = e.and_then(|e| out.get_mut(&e)) else {
                continue;
            };
            inp.alarms.push(AlarmInput {
                alarm_id: id,
                priority: AlarmPriority::parse(&priority).unwrap_or(AlarmPriority::Low),
                tag: source,
                name,
                condition,
                value,
                unit,
            });
        }
        Ok(())
    }

    async fn gather_hidden_dangers(
        &self,
        ids: Option<&[i64]>,
        now: DateTime<Utc>,
        out: &mut HashMap<i64, RiskInputs>,
    ) -> Result<()> {
        let by_enterprise = |cond: Condition| {
            let mut q = hd::Entity::find()
                .select_only()
                .column(hd::Column::EnterpriseId)
                .column_as(hd::Column::Id.count(), "n")
                .filter(cond)
                .group_by(hd::Column::EnterpriseId);
            if let Some(c) = ids {
                q = q.filter(hd::Column::EnterpriseId.is_in(c.iter().copied()));
            }
            q
        };
        let overdue: Vec<(i64, i64)> = by_enterprise(
            Condition::all()
                .add(hd::Column::Status.is_in(OVERDUE_STATUSES))
                .add(hd::Column::DeadlineAt.lte(now)),
        )
        .into_tuple()
        .all(&self.db)
        .await?;
        for (e, n) in overdue {
            if let Some(inp) = out.get_mut(&e) {
                inp.overdue_hidden_dangers = count_u32(n);
            }
        }
        let major: Vec<(i64, i64)> = by_enterprise(
            Condition::all()
                .add(hd::Column::Level.eq("major"))
                .add(hd::Column::Status.is_not_in(["closed", "rejected"])),
        )
        .into_tuple()
        .all(&self.db)
        .await?;
        for (e, n) in major {
            if let Some(inp) = out.get_mut(&e) {
                inp.major_hidden_dangers = count_u32(n);
            }
        }
        Ok(())
    }

    /// Enterprises with an open hidden danger whose deadline passed in `(after, until]`: their
    /// overdue count changed by time passing alone (the periodic pass recomputes them).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn enterprises_with_deadlines_between(
        &self,
        after: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        Ok(hd::Entity::find()
            .select_only()
            .column(hd::Column::EnterpriseId)
            .distinct()
            .filter(hd::Column::Status.is_in(OVERDUE_STATUSES))
            .filter(hd::Column::DeadlineAt.gt(after))
            .filter(hd::Column::DeadlineAt.lte(until))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// The ids of the enterprises `scope` may see, of `ids` (all visible ones when `None`).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn visible_enterprise_ids(
        &self,
        ids: Option<&[i64]>,
        scope: &ScopeFilter,
    ) -> Result<Vec<i64>> {
        let mut all = Vec::new();
        for chunk in chunks(ids) {
            let mut q = enterprise::Entity::find()
                .select_only()
                .column(enterprise::Column::Id)
                .filter(crate::org::enterprise_scope(scope));
            if let Some(c) = chunk {
                q = q.filter(enterprise::Column::Id.is_in(c.iter().copied()));
            }
            all.extend(q.into_tuple::<i64>().all(&self.db).await?);
        }
        all.sort_unstable();
        Ok(all)
    }

    /// Recomputes the dynamic risk of `ids` (every enterprise when `None`; unknown ids are
    /// skipped) at `now`: writes each one's current row, and a history row (with `trigger`) for
    /// each whose score or level changed or that had none. One at a time per process.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn recompute_enterprise_risks(
        &self,
        ids: Option<&[i64]>,
        trigger: &str,
        now: DateTime<Utc>,
    ) -> Result<RecomputeOutcome> {
        let _one = RECOMPUTE.lock().await;
        let weights = self.dynamic_risk_weights().await?;
        let inputs = self.dynamic_risk_inputs(ids, now).await?;
        if inputs.is_empty() {
            return Ok(RecomputeOutcome::default());
        }
        let mut ids: Vec<i64> = inputs.keys().copied().collect();
        ids.sort_unstable();
        let mut previous: HashMap<i64, (i32, String, DateTime<Utc>)> = HashMap::new();
        for c in ids.chunks(CHUNK) {
            let rows: Vec<(i64, i32, String, DateTime<Utc>)> = current::Entity::find()
                .select_only()
                .column(current::Column::EnterpriseId)
                .column(current::Column::Score)
                .column(current::Column::Level)
                .column(current::Column::ChangedAt)
                .filter(current::Column::EnterpriseId.is_in(c.iter().copied()))
                .into_tuple()
                .all(&self.db)
                .await?;
            for (e, s, l, at) in rows {
                previous.insert(e, (s, l, at));
            }
        }
        struct Out {
            id: i64,
            a: Assessment,
            breakdown: String,
            changed_at: DateTime<Utc>,
            changed: bool,
        }
        let mut rows: Vec<Out> = Vec::with_capacity(ids.len());
        for id in &ids {
            let a = sit::compute(&inputs[id], &weights);
            let level = level_str(a.level);
            let (changed, changed_at) = match previous.get(id) {
                Some((s, l, at)) if i64::from(*s) == a.score && l == level => (false, *at),
                _ => (true, now),
            };
            let breakdown = serde_json::to_string(&a.breakdown).unwrap_or_else(|_| "[]".into());
            rows.push(Out {
                id: *id,
                a,
                breakdown,
                changed_at,
                changed,
            });
        }
        let txn = self.db.begin().await?;
        insert_chunked(
            &txn,
            "INSERT INTO enterprise_risks (enterprise_id, score, level, inherent_score, \
             live_score, breakdown, summary, computed_at, changed_at)",
            9,
            "ON CONFLICT (enterprise_id) DO UPDATE SET score = excluded.score, \
             level = excluded.level, inherent_score = excluded.inherent_score, \
             live_score = excluded.live_score, breakdown = excluded.breakdown, \
             summary = excluded.summary, computed_at = excluded.computed_at, \
             changed_at = excluded.changed_at",
            &rows,
            false,
            |r, v: &mut Vec<Value>| {
                v.push(Value::BigInt(Some(r.id)));
                v.push(Value::Int(Some(to_i32(r.a.score))));
                v.push(level_str(r.a.level).into());
                v.push(Value::Int(Some(to_i32(r.a.inherent_score))));
                v.push(Value::Int(Some(to_i32(r.a.live_score))));
                v.push(r.breakdown.clone().into());
                v.push(r.a.summary.clone().into());
                v.push(now.into());
                v.push(r.changed_at.into());
            },
        )
        .await?;
        let changed: Vec<&Out> = rows.iter().filter(|r| r.changed).collect();
        insert_chunked(
            &txn,
            "INSERT INTO enterprise_risk_history (enterprise_id, computed_at, score, level, \
             breakdown, summary, trigger)",
            7,
            "",
            &changed,
            false,
            |r, v: &mut Vec<Value>| {
                v.push(Value::BigInt(Some(r.id)));
                v.push(now.into());
                v.push(Value::Int(Some(to_i32(r.a.score))));
                v.push(level_str(r.a.level).into());
                v.push(r.breakdown.clone().into());
                v.push(r.a.summary.clone().into());
                v.push(trigger.chars().take(40).collect::<String>().into());
            },
        )
        .await?;
        txn.commit().await?;
        Ok(RecomputeOutcome {
            computed: rows.len() as u64,
            changed: changed.len() as u64,
        })
    }

    /// The ranking: stored risks of the enterprises in `scope` matching `filter`, highest score
    /// first (then enterprise id).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_enterprise_risks(
        &self,
        filter: &EnterpriseRiskFilter,
        page: Page,
        scope: &ScopeFilter,
    ) -> Result<PageOf<EnterpriseRiskView>> {
        let mut q = current::Entity::find()
            .join(JoinType::InnerJoin, current::Relation::Enterprise.def())
            .filter(enterprise_id_in_scope(current::Column::EnterpriseId, scope));
        if let Some(l) = filter.level {
            q = q.filter(current::Column::Level.eq(level_str(l)));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(current::Column::EnterpriseId.eq(e));
        }
        if let Some(r) = filter.region_id {
            let path = region::Entity::find_by_id(r)
                .one(&self.db)
                .await?
                .map(|r| r.path);
            match path {
                Some(p) => {
                    q = q.filter(
                        enterprise::Column::RegionId
                            .in_subquery(crate::org::region_subtree_ids(&p)),
                    )
                }
                None => q = q.filter(current::Column::EnterpriseId.lt(0)),
            }
        }
        if let Some(n) = filter
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            q = q.filter(crate::like_literal(
                (enterprise::Entity, enterprise::Column::Name),
                n,
                false,
            ));
        }
        let total = q.clone().count(&self.db).await?;
        let rows: Vec<current::Model> = q
            .order_by_desc(current::Column::Score)
            .order_by_asc(current::Column::EnterpriseId)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.enterprise_id).collect();
        let mut enterprises: HashMap<i64, enterprise::Model> = if ids.is_empty() {
            HashMap::new()
        } else {
            enterprise::Entity::find()
                .filter(enterprise::Column::Id.is_in(ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|e| (e.id, e))
                .collect()
        };
        let rows = rows
            .into_iter()
            .map(|r| {
                let e = enterprises.remove(&r.enterprise_id);
                (r, e)
            })
            .collect();
        let rows = self.risk_views(rows).await?;
        Ok(PageOf { total, rows })
    }

    async fn risk_views(
        &self,
        rows: Vec<(current::Model, Option<enterprise::Model>)>,
    ) -> Result<Vec<EnterpriseRiskView>> {
        let region_ids: Vec<i64> = rows
            .iter()
            .filter_map(|(_, e)| e.as_ref().map(|e| e.region_id))
            .collect();
        let regions: HashMap<i64, String> = if region_ids.is_empty() {
            HashMap::new()
        } else {
            region::Entity::find()
                .filter(region::Column::Id.is_in(region_ids))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|r| (r.id, r.name))
                .collect()
        };
        Ok(rows
            .into_iter()
            .map(|(r, e)| {
                let (name, region_id) = e.map(|e| (e.name, e.region_id)).unwrap_or_default();
                EnterpriseRiskView {
                    enterprise_id: r.enterprise_id,
                    enterprise_name: name,
                    region_id,
                    region_name: regions.get(&region_id).cloned(),
                    score: i64::from(r.score),
                    level: level_of(&r.level),
                    inherent_score: i64::from(r.inherent_score),
                    live_score: i64::from(r.live_score),
                    breakdown: parse_breakdown(&r.breakdown),
                    summary: r.summary,
                    computed_at: r.computed_at,
                    changed_at: r.changed_at,
                }
            })
            .collect())
    }

    /// The current risk of one enterprise in `scope`: the stored row, or (before the first
    /// recomputation) one computed now and not stored.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the enterprise does not exist or is outside the scope.
    pub async fn enterprise_risk(
        &self,
        enterprise_id: i64,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<EnterpriseRiskView> {
        let e = enterprise::Entity::find_by_id(enterprise_id)
            .filter(crate::org::enterprise_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        if let Some(r) = current::Entity::find_by_id(enterprise_id)
            .one(&self.db)
            .await?
        {
            return self
                .risk_views(vec![(r, Some(e))])
                .await?
                .pop()
                .ok_or(StoreError::NotFound);
        }
        let weights = self.dynamic_risk_weights().await?;
        let inputs = self
            .dynamic_risk_inputs(Some(&[enterprise_id]), now)
            .await?
            .remove(&enterprise_id)
            .unwrap_or_default();
        let a = sit::compute(&inputs, &weights);
        let region_name = region::Entity::find_by_id(e.region_id)
            .one(&self.db)
            .await?
            .map(|r| r.name);
        Ok(EnterpriseRiskView {
            enterprise_id,
            enterprise_name: e.name,
            region_id: e.region_id,
            region_name,
            score: a.score,
            level: a.level,
            inherent_score: a.inherent_score,
            live_score: a.live_score,
            breakdown: a.breakdown,
            summary: a.summary,
            computed_at: now,
            changed_at: now,
        })
    }

    /// An enterprise's risk history in `scope`, newest first, optionally within `[from, to]`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the enterprise does not exist or is outside the scope.
    pub async fn enterprise_risk_history(
        &self,
        enterprise_id: i64,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        page: Page,
        scope: &ScopeFilter,
    ) -> Result<PageOf<RiskHistoryRow>> {
        if !crate::org::enterprise_visible(&self.db, enterprise_id, scope).await? {
            return Err(StoreError::NotFound);
        }
        let mut q = history::Entity::find().filter(history::Column::EnterpriseId.eq(enterprise_id));
        if let Some(f) = from {
            q = q.filter(history::Column::ComputedAt.gte(f));
        }
        if let Some(t) = to {
            q = q.filter(history::Column::ComputedAt.lte(t));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(history::Column::ComputedAt)
            .order_by_desc(history::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|h| RiskHistoryRow {
                id: h.id,
                computed_at: h.computed_at,
                score: i64::from(h.score),
                level: level_of(&h.level),
                breakdown: parse_breakdown(&h.breakdown),
                summary: h.summary,
                trigger: h.trigger,
            })
            .collect();
        Ok(PageOf { total, rows })
    }

    /// How many enterprises have a stored risk, per level (for tests and summaries).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn enterprise_risk_levels(&self) -> Result<BTreeMap<String, u64>> {
        let rows: Vec<(String, i64)> = current::Entity::find()
            .select_only()
            .column(current::Column::Level)
            .column_as(current::Column::EnterpriseId.count(), "n")
            .group_by(current::Column::Level)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(l, n)| (l, u64::try_from(n).unwrap_or_default()))
            .collect())
    }
}
