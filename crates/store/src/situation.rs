//! The city situation pages (态势总览, the large screen, 区域统计): read-only aggregates over
//! enterprises, their dynamic risk (`enterprise_risks`, written by the dynamic-risk worker),
//! active alarms, hidden dangers and major hazard installations, always within the caller's data
//! scope and optionally within one region's subtree.
//!
//! Performance (docs/dashboard.md): every query is an aggregate or a bounded list served by an
//! index; readings are never read (latest values live in `sensor_latest`). Counts are grouped by
//! enterprise in SQL and rolled up to regions here, with the enterprise → region map read once
//! per request (one row per visible enterprise). Times of alarms are ms since the epoch; days are
//! calendar days in Asia/Shanghai (UTC+8, no daylight saving).

use crate::entities::{alarm, enterprise, region};
use crate::org::{enterprise_scope, region_subtree_ids};
use crate::{Result, Store, StoreError};
use anjian_domain::ValidationError;
use anjian_domain::auth::ScopeFilter;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryResult, TryGetable};
use std::collections::{BTreeMap, HashMap};

/// Statuses of an open (not closed, not rejected) hidden danger.
pub const OPEN_HD_STATUSES: [&str; 5] = [
    "reported",
    "confirmed",
    "assigned",
    "in_remediation",
    "submitted",
];
/// Statuses in which a hidden danger can be overdue (it has a deadline).
const OVERDUE_HD_STATUSES: [&str; 3] = ["assigned", "in_remediation", "submitted"];
/// Alarm states that do not count as active: the same definition as the dynamic risk's.
use crate::enterprise_risk::INACTIVE_ALARM_STATES;
/// Dynamic-risk levels, most severe first.
pub const RISK_LEVELS: [&str; 4] = ["major", "high", "medium", "low"];
/// Asia/Shanghai offset, ms.
const CST_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// What every situation query is limited to, besides the data scope.
#[derive(Debug, Clone, Copy, Default)]
pub struct SituationFilter {
    /// A region: only enterprises in it or below.
    pub region_id: Option<i64>,
}

/// One enterprise on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    /// Enterprise id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// WGS 84 longitude, degrees (`None`: not placed).
    pub longitude: Option<f64>,
    /// WGS 84 latitude, degrees.
    pub latitude: Option<f64>,
    /// Dynamic risk level (`major`/`high`/`medium`/`low`), `None` = not assessed (未评估).
    pub level: Option<String>,
    /// Dynamic risk score (points), `None` = not assessed.
    pub score: Option<i32>,
    /// The enterprise's own region.
    pub region_id: i64,
    /// Its district (top-level region).
    pub district_id: i64,
    /// Supervision category code.
    pub category: String,
}

/// A region outline for the map.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionOutline {
    /// Region id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `district`, `street` or `grid`.
    pub level: String,
    /// Parent region.
    pub parent_id: Option<i64>,
    /// GeoJSON geometry (WGS 84), as stored.
    pub boundary: String,
}

/// Counts of one key (category, level, grade, priority).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCount {
    /// The key (`none` for "no value", e.g. an enterprise without a dynamic risk).
    pub key: String,
    /// How many.
    pub count: u64,
}

/// Counts of one region in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegionCounts {
    /// Region id.
    pub region_id: i64,
    /// Name.
    pub name: String,
    /// Enterprises.
    pub enterprises: u64,
    /// Of them at level major / high / medium / low, and not assessed.
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

/// The dashboard's headline figures.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SituationSummary {
    /// Visible enterprises.
    pub enterprises: u64,
    /// By region: the districts, or the children of the filter region.
    pub by_region: Vec<RegionCounts>,
    /// By supervision category code.
    pub by_category: Vec<KeyCount>,
    /// By dynamic-risk level (`major`, `high`, `medium`, `low`, `none`).
    pub by_level: Vec<KeyCount>,
    /// Active alarms now.
    pub active_alarms: u64,
    /// Active alarms by priority (`critical`, `high`, `medium`, `low`).
    pub active_alarms_by_priority: Vec<KeyCount>,
    /// Open hidden dangers (reported … submitted).
    pub open_hidden_dangers: u64,
    /// Of them major (重大隐患).
    pub open_major_hidden_dangers: u64,
    /// Overdue now.
    pub overdue_hidden_dangers: u64,
    /// Major hazard installations by grade (`1`..`4`), major ones only.
    pub installations_by_grade: Vec<KeyCount>,
    /// Major hazard installations (构成重大危险源).
    pub major_installations: u64,
}

/// An active alarm in the live feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedAlarm {
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
    /// Sensor unit.
    pub unit: Option<String>,
    /// Source (sensor code or device code).
    pub source: String,
    /// Condition (`high_high`, `offline`, …).
    pub condition: String,
    /// `critical`, `high`, `medium` or `low`.
    pub priority: String,
    /// ISA-18.2 state.
    pub state: String,
    /// Started, ms since the epoch.
    pub started_at: i64,
    /// Latest value.
    pub last_value: Option<f64>,
}

/// An overdue hidden danger.
#[derive(Debug, Clone, PartialEq)]
pub struct OverdueHiddenDanger {
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
    /// Deadline date.
    pub deadline: Option<NaiveDate>,
    /// End of the deadline day.
    pub deadline_at: Option<DateTime<Utc>>,
    /// Whole days overdue (0 on the first day).
    pub days_overdue: i64,
}

/// One of the riskiest enterprises.
#[derive(Debug, Clone, PartialEq)]
pub struct TopRisk {
    /// Enterprise.
    pub enterprise_id: i64,
    /// Name.
    pub name: String,
    /// Region.
    pub region_id: i64,
    /// Score, points.
    pub score: i32,
    /// Level.
    pub level: String,
    /// The reasons, one line (e.g. "橙色：1 条高高报警…").
    pub summary: String,
    /// Breakdown JSON, as stored.
    pub breakdown: String,
    /// When computed.
    pub computed_at: DateTime<Utc>,
}

/// One day of the trends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrendDay {
    /// Calendar day (Asia/Shanghai).
    pub date: NaiveDate,
    /// Alarms started that day.
    pub alarms: u64,
    /// Hidden dangers reported that day.
    pub hidden_dangers_reported: u64,
    /// Hidden dangers closed (销号) that day.
    pub hidden_dangers_closed: u64,
}

/// A statistics period: calendar days `from..=to` in Asia/Shanghai.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

impl Period {
    /// Start instant (00:00 Asia/Shanghai of `from`).
    pub fn start(&self) -> DateTime<Utc> {
        day_start(self.from)
    }
    /// End instant (exclusive: 00:00 Asia/Shanghai of the day after `to`).
    pub fn end(&self) -> DateTime<Utc> {
        day_start(self.to) + Duration::days(1)
    }
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() - Duration::hours(8))
        .unwrap_or_default()
}

/// Today's date in Asia/Shanghai.
pub fn local_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(8)).date_naive()
}

/// One row of the region statistics.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegionStatRow {
    /// Region id (the filter region itself for enterprises registered directly on it).
    pub region_id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `district`, `street` or `grid`.
    pub level: String,
    /// Enterprises.
    pub enterprises: u64,
    /// Dynamic risk: major.
    pub risk_major: u64,
    /// High.
    pub risk_high: u64,
    /// Medium.
    pub risk_medium: u64,
    /// Low.
    pub risk_low: u64,
    /// Not assessed.
    pub risk_unassessed: u64,
    /// Major hazard installations, grade 1..4 (index 0 = 一级).
    pub installations_by_grade: [u64; 4],
    /// Alarms started in the period.
    pub alarms: u64,
    /// Of them critical.
    pub alarms_critical: u64,
    /// Of them high.
    pub alarms_high: u64,
    /// Active now.
    pub active_alarms: u64,
    /// Hidden dangers reported in the period.
    pub hidden_dangers_reported: u64,
    /// Of them major.
    pub hidden_dangers_major: u64,
    /// Hidden dangers closed in the period.
    pub hidden_dangers_closed: u64,
    /// Open now.
    pub hidden_dangers_open: u64,
    /// Overdue now.
    pub hidden_dangers_overdue: u64,
}

/// Region statistics: one row per child region and the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionStats {
    /// The period.
    pub period: Period,
    /// The region the rows are children of (`None`: the city, rows are districts).
    pub parent_id: Option<i64>,
    /// Rows.
    pub rows: Vec<RegionStatRow>,
    /// Totals over the rows.
    pub total: RegionStatRow,
}

/// Visible enterprise with what the roll-ups need.
struct Visible {
    id: i64,
    name: String,
    lon: Option<f64>,
    lat: Option<f64>,
    region_id: i64,
    category: String,
    level: Option<String>,
    score: Option<i32>,
}

/// The regions, for roll-ups.
struct RegionTree {
    by_id: HashMap<i64, region::Model>,
}

impl RegionTree {
    /// The ancestor of `region` one level below `parent` (or `parent` itself when `region` is
    /// `parent`); `None` when `region` is not under `parent`. `parent = None` means the city
    /// (answer: the district).
    fn bucket(&self, region: i64, parent: Option<&region::Model>) -> Option<i64> {
        let r = self.by_id.get(&region)?;
        let ids: Vec<i64> = r
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        match parent {
            None => ids.first().copied(),
            Some(p) => {
                let depth = p.path.split('/').filter(|s| !s.is_empty()).count();
                if !r.path.starts_with(&p.path) {
                    return None;
                }
                Some(ids.get(depth).copied().unwrap_or(p.id))
            }
        }
    }

    fn district(&self, region: i64) -> i64 {
        self.bucket(region, None).unwrap_or(region)
    }
}

/// `enterprise_id` in a form no index applies to: the scope / region sub-query of a period query
/// is then a filter, and the period's index drives (otherwise SQLite walks every record of each
/// visible enterprise through the enterprise index — seconds for a district over 90 days).
fn enterprise_filter_col() -> Expr {
    Expr::cust("(enterprise_id + 0)")
}

fn count(row: &QueryResult, col: &str) -> Result<u64> {
    Ok(u64::try_from(row.try_get::<i64>("", col)?).unwrap_or(0))
}

impl Store {
    async fn region_tree(&self) -> Result<RegionTree> {
        Ok(RegionTree {
            by_id: self
                .list_regions()
                .await?
                .into_iter()
                .map(|r| (r.id, r))
                .collect(),
        })
    }

    /// The filter region (422 `regionId` when missing).
    async fn filter_region(&self, f: &SituationFilter) -> Result<Option<region::Model>> {
        match f.region_id {
            None => Ok(None),
            Some(id) => Ok(Some(
                region::Entity::find_by_id(id)
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| {
                        ValidationError::field("regionId", "没有这个行政区划 / no such region")
                    })?,
            )),
        }
    }

    /// `SELECT id FROM enterprises WHERE <scope> AND <region>`, or `None` when nothing limits.
    fn visible_ids(scope: &ScopeFilter, region: Option<&region::Model>) -> Option<SelectStatement> {
        if scope.is_all() && region.is_none() {
            return None;
        }
        let mut q = Query::select();
        q.column(enterprise::Column::Id)
            .from(enterprise::Entity)
            .cond_where(enterprise_scope(scope));
        if let Some(r) = region {
            q.and_where(
                Expr::col(enterprise::Column::RegionId).in_subquery(region_subtree_ids(&r.path)),
            );
        }
        Some(q.to_owned())
    }

    /// The same restriction as [`Self::visible_ids`] as a condition on a joined `enterprises e`:
    /// the region subtree directly on `e.region_id` (SQLite then probes the handful of region ids
    /// for each row instead of an ephemeral set of thousands of enterprise ids — half the time of
    /// a district's 90-day region statistics), and the data scope as `e.id IN (…)` only when the
    /// scope limits anything. `None` when nothing limits.
    fn visible_on_e(scope: &ScopeFilter, region: Option<&region::Model>) -> Option<Condition> {
        if scope.is_all() && region.is_none() {
            return None;
        }
        let mut c = Condition::all();
        if let Some(r) = region {
            c = c.add(Expr::col((a("e"), a("region_id"))).in_subquery(region_subtree_ids(&r.path)));
        }
        if !scope.is_all() {
            let mut q = Query::select();
            q.column(enterprise::Column::Id)
                .from(enterprise::Entity)
                .cond_where(enterprise_scope(scope));
            c = c.add(Expr::col((a("e"), a("id"))).in_subquery(q.to_owned()));
        }
        Some(c)
    }

    async fn visible_enterprises(
        &self,
        scope: &ScopeFilter,
        region: Option<&region::Model>,
        with_names: bool,
    ) -> Result<Vec<Visible>> {
        let mut q = Query::select()
            .expr_as(Expr::col((a("e"), a("id"))), a("id"))
            .expr_as(Expr::col((a("e"), a("region_id"))), a("region_id"))
            .expr_as(
                Expr::col((a("e"), a("supervision_category"))),
                a("category"),
            )
            .expr_as(Expr::col((a("r"), a("level"))), a("level"))
            .expr_as(Expr::col((a("r"), a("score"))), a("score"))
            .from_as(enterprise::Entity, a("e"))
            .join_as(
                sea_orm::sea_query::JoinType::LeftJoin,
                a("enterprise_risks"),
                a("r"),
                Expr::col((a("r"), a("enterprise_id"))).equals((a("e"), a("id"))),
            )
            .to_owned();
        if with_names {
            q.expr_as(Expr::col((a("e"), a("name"))), a("name"))
                .expr_as(Expr::col((a("e"), a("longitude"))), a("lon"))
                .expr_as(Expr::col((a("e"), a("latitude"))), a("lat"));
        }
        if let Some(sub) = Self::visible_ids(scope, region) {
            q.and_where(Expr::col((a("e"), a("id"))).in_subquery(sub));
        }
        q.order_by((a("e"), a("id")), Order::Asc);
        let rows = self.db.query_all(&q).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(Visible {
                id: r.try_get("", "id")?,
                name: if with_names {
                    r.try_get("", "name")?
                } else {
                    String::new()
                },
                lon: if with_names {
                    r.try_get("", "lon")?
                } else {
                    None
                },
                lat: if with_names {
                    r.try_get("", "lat")?
                } else {
                    None
                },
                region_id: r.try_get("", "region_id")?,
                category: r.try_get("", "category")?,
                level: r.try_get("", "level")?,
                score: r.try_get("", "score")?,
            });
        }
        Ok(out)
    }

    /// Every visible enterprise with its position and dynamic risk (`None` level = 未评估), and
    /// the outlines (`regions.boundary`) of the regions that have one.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn situation_map(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
    ) -> Result<(Vec<MapPoint>, Vec<RegionOutline>)> {
        let region = self.filter_region(f).await?;
        let tree = self.region_tree().await?;
        let points = self
            .visible_enterprises(scope, region.as_ref(), true)
            .await?
            .into_iter()
            .map(|v| MapPoint {
                district_id: tree.district(v.region_id),
                id: v.id,
                name: v.name,
                longitude: v.lon,
                latitude: v.lat,
                level: v.level,
                score: v.score,
                region_id: v.region_id,
                category: v.category,
            })
            .collect();
        let outlines = self.region_outlines(region.as_ref()).await?;
        Ok((points, outlines))
    }

    /// Regions with a boundary (within `under` when given).
    async fn region_outlines(&self, under: Option<&region::Model>) -> Result<Vec<RegionOutline>> {
        let mut q = Query::select()
            .columns([
                a("id"),
                a("name"),
                a("level"),
                a("parent_id"),
                a("boundary"),
                a("path"),
            ])
            .from(a("regions"))
            .and_where(Expr::col(a("boundary")).is_not_null())
            .order_by(a("sort"), Order::Asc)
            .order_by(a("id"), Order::Asc)
            .to_owned();
        if let Some(r) = under {
            q.and_where(Expr::col(a("path")).like(format!("{}%", r.path)));
        }
        let rows = self.db.query_all(&q).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(RegionOutline {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                level: r.try_get("", "level")?,
                parent_id: r.try_get("", "parent_id")?,
                boundary: r.try_get("", "boundary")?,
            });
        }
        Ok(out)
    }

    /// Sets (or, with `None`, clears) a region's outline: a GeoJSON `Polygon` or `MultiPolygon`
    /// geometry (or a `Feature` holding one) in WGS 84 longitude/latitude degrees.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for an unknown region; 422 `boundary` for anything that is not
    /// such a geometry; database errors.
    pub async fn set_region_boundary(&self, region_id: i64, geojson: Option<&str>) -> Result<()> {
        let value = match geojson {
            None => None,
            Some(text) => Some(normalise_boundary(text)?),
        };
        let q = Query::update()
            .table(a("regions"))
            .value(a("boundary"), value)
            .and_where(Expr::col(a("id")).eq(region_id))
            .to_owned();
        let r = self.db.execute(&q).await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Runs a grouped `(region_id, <key>, n)` query and decodes its rows.
    async fn region_groups<R: TryGetable, K: TryGetable>(
        &self,
        q: &SelectStatement,
        key: &str,
    ) -> Result<Vec<(R, K, u64)>> {
        let mut out = Vec::new();
        for r in self.db.query_all(q).await? {
            out.push((
                r.try_get("", "region_id")?,
                r.try_get("", key)?,
                count(&r, "n")?,
            ));
        }
        Ok(out)
    }

    /// `SELECT e.region_id, al.priority, COUNT(*) FROM alarms al <join> enterprises e ON <on>
    /// GROUP BY e.region_id, al.priority`, limited to the visible enterprises; the caller adds
    /// which alarms count.
    fn alarm_by_region_query(
        join: sea_orm::sea_query::JoinType,
        on: sea_orm::sea_query::SimpleExpr,
        visible: Option<&Condition>,
    ) -> SelectStatement {
        let mut q = Query::select()
            .expr_as(Expr::col((a("e"), a("region_id"))), a("region_id"))
            .expr_as(Expr::col((a("al"), a("priority"))), a("priority"))
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from_as(alarm::Entity, a("al"))
            .join_as(join, enterprise::Entity, a("e"), on)
            .group_by_col((a("e"), a("region_id")))
            .group_by_col((a("al"), a("priority")))
            .to_owned();
        if let Some(c) = visible {
            q.cond_where(c.clone());
        }
        q
    }

    /// Active alarms (contract definition) per region of their enterprise and priority:
    /// (region, priority, count); region `None` for alarms without an enterprise.
    async fn active_alarm_groups(
        &self,
        visible: Option<&Condition>,
    ) -> Result<Vec<(Option<i64>, String, u64)>> {
        let al = |c: &str| Expr::col((a("al"), a(c)));
        let mut q = Self::alarm_by_region_query(
            sea_orm::sea_query::JoinType::LeftJoin,
            Expr::col((a("e"), a("id"))).equals((a("al"), a("enterprise_id"))),
            visible,
        );
        q.and_where(al("active").eq(true))
            .and_where(al("ended_at").is_null())
            .and_where(al("state").is_not_in(INACTIVE_ALARM_STATES));
        self.region_groups(&q, "priority").await
    }

    /// Counts of open hidden dangers per region of their enterprise: (region, level, open,
    /// overdue). Grouped by region in SQL, so that a few dozen rows come back instead of one per
    /// enterprise.
    async fn open_hd_groups(
        &self,
        visible: Option<&Condition>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, String, u64, u64)>> {
        let h = |c: &str| Expr::col((a("h"), a(c)));
        let overdue = sea_orm::sea_query::Func::sum(
            Expr::case(
                h("status")
                    .is_in(OVERDUE_HD_STATUSES)
                    .and(h("deadline_at").lte(now)),
                1,
            )
            .finally(0),
        );
        let mut q = Self::hd_by_region_query(visible);
        q.expr_as(overdue, a("overdue"))
            .and_where(h("status").is_in(OPEN_HD_STATUSES));
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            out.push((
                r.try_get("", "region_id")?,
                r.try_get("", "level")?,
                count(&r, "n")?,
                count(&r, "overdue")?,
            ));
        }
        Ok(out)
    }

    /// `SELECT e.region_id, h.level, COUNT(*) FROM hidden_dangers h JOIN enterprises e … GROUP BY
    /// e.region_id, h.level`, limited to the visible enterprises. The join goes through
    /// `h.enterprise_id + 0` so that the hidden dangers' own index (status or period) drives.
    fn hd_by_region_query(visible: Option<&Condition>) -> SelectStatement {
        let mut q = Query::select()
            .expr_as(Expr::col((a("e"), a("region_id"))), a("region_id"))
            .expr_as(Expr::col((a("h"), a("level"))), a("level"))
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from_as(a("hidden_dangers"), a("h"))
            .join_as(
                sea_orm::sea_query::JoinType::InnerJoin,
                enterprise::Entity,
                a("e"),
                Expr::col((a("e"), a("id"))).eq(Expr::cust("(h.enterprise_id + 0)")),
            )
            .group_by_col((a("e"), a("region_id")))
            .group_by_col((a("h"), a("level")))
            .to_owned();
        if let Some(c) = visible {
            q.cond_where(c.clone());
        }
        q
    }

    /// Major hazard installations per region of their enterprise and grade: (region, grade,
    /// count).
    async fn installation_groups(
        &self,
        visible: Option<&Condition>,
    ) -> Result<Vec<(i64, i32, u64)>> {
        let mut q = Query::select()
            .expr_as(Expr::col((a("e"), a("region_id"))), a("region_id"))
            .expr_as(Expr::col((a("i"), a("grade"))), a("grade"))
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from_as(a("major_hazard_installations"), a("i"))
            .join_as(
                sea_orm::sea_query::JoinType::InnerJoin,
                enterprise::Entity,
                a("e"),
                Expr::col((a("e"), a("id"))).equals((a("i"), a("enterprise_id"))),
            )
            .and_where(Expr::col((a("i"), a("is_major"))).eq(true))
            .and_where(Expr::col((a("i"), a("grade"))).is_not_null())
            .group_by_col((a("e"), a("region_id")))
            .group_by_col((a("i"), a("grade")))
            .to_owned();
        if let Some(c) = visible {
            q.cond_where(c.clone());
        }
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            let grade: i16 = r.try_get("", "grade")?;
            out.push((
                r.try_get("", "region_id")?,
                i32::from(grade),
                count(&r, "n")?,
            ));
        }
        Ok(out)
    }

    /// Visible enterprises per region, supervision category and dynamic-risk level:
    /// (region, category, level or `None` = not assessed, count).
    async fn enterprise_groups(
        &self,
        visible: Option<&Condition>,
    ) -> Result<Vec<(i64, String, Option<String>, u64)>> {
        let mut q = Query::select()
            .expr_as(Expr::col((a("e"), a("region_id"))), a("region_id"))
            .expr_as(
                Expr::col((a("e"), a("supervision_category"))),
                a("category"),
            )
            .expr_as(Expr::col((a("r"), a("level"))), a("level"))
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from_as(enterprise::Entity, a("e"))
            .join_as(
                sea_orm::sea_query::JoinType::LeftJoin,
                a("enterprise_risks"),
                a("r"),
                Expr::col((a("r"), a("enterprise_id"))).equals((a("e"), a("id"))),
            )
            .group_by_col((a("e"), a("region_id")))
            .group_by_col((a("e"), a("supervision_category")))
            .group_by_col((a("r"), a("level")))
            .to_owned();
        if let Some(c) = visible {
            q.cond_where(c.clone());
        }
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            out.push((
                r.try_get("", "region_id")?,
                r.try_get("", "category")?,
                r.try_get("", "level")?,
                count(&r, "n")?,
            ));
        }
        Ok(out)
    }

    /// The dashboard's headline figures: enterprises by region / category / level, active
    /// alarms, open and overdue hidden dangers, major installations by grade.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn situation_summary(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
    ) -> Result<SituationSummary> {
        let region = self.filter_region(f).await?;
        let visible = Self::visible_on_e(scope, region.as_ref());
        let v = visible.as_ref();
        // Independent aggregates, concurrently (each on its own pooled connection), all grouped
        // by region in SQL and rolled up to districts / child regions here.
        let (tree, ents, alarm_groups, hd_groups, installation_groups) = tokio::try_join!(
            self.region_tree(),
            self.enterprise_groups(v),
            self.active_alarm_groups(v),
            self.open_hd_groups(v, now),
            self.installation_groups(v),
        )?;
        let bucket = |region_id: i64| tree.bucket(region_id, region.as_ref());
        let mut rows: BTreeMap<i64, RegionCounts> = BTreeMap::new();
        let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_level: BTreeMap<&str, u64> = RISK_LEVELS
            .iter()
            .chain(["none"].iter())
            .map(|l| (*l, 0))
            .collect();
        let mut s = SituationSummary::default();
        for (region_id, category, level, n) in &ents {
            s.enterprises += n;
            *by_category.entry(category.clone()).or_default() += n;
            let lvl = level.as_deref().unwrap_or("none");
            if let Some(c) = by_level.get_mut(lvl) {
                *c += n;
            }
            if let Some(b) = bucket(*region_id) {
                let row = rows.entry(b).or_default();
                row.enterprises += n;
                match lvl {
                    "major" => row.major += n,
                    "high" => row.high += n,
                    "medium" => row.medium += n,
                    "low" => row.low += n,
                    _ => row.unassessed += n,
                }
            }
        }
        let mut by_priority: BTreeMap<String, u64> = BTreeMap::new();
        for (region_id, prio, n) in alarm_groups {
            s.active_alarms += n;
            *by_priority.entry(prio).or_default() += n;
            if let Some(b) = region_id.and_then(bucket) {
                rows.entry(b).or_default().active_alarms += n;
            }
        }
        for (region_id, level, open, overdue) in hd_groups {
            s.open_hidden_dangers += open;
            s.overdue_hidden_dangers += overdue;
            if level == "major" {
                s.open_major_hidden_dangers += open;
            }
            if let Some(b) = bucket(region_id) {
                let row = rows.entry(b).or_default();
                row.open_hidden_dangers += open;
                row.overdue_hidden_dangers += overdue;
            }
        }
        let mut grades: BTreeMap<i32, u64> = (1..=4).map(|g| (g, 0)).collect();
        for (_, g, n) in installation_groups {
            s.major_installations += n;
            *grades.entry(g).or_default() += n;
        }
        s.by_region = rows
            .into_iter()
            .map(|(id, mut c)| {
                c.region_id = id;
                c.name = tree
                    .by_id
                    .get(&id)
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                c
            })
            .collect();
        s.by_region.sort_by_key(|c| {
            let r = tree.by_id.get(&c.region_id);
            (r.map(|r| r.sort).unwrap_or_default(), c.region_id)
        });
        s.by_category = by_category
            .into_iter()
            .map(|(key, count)| KeyCount { key, count })
            .collect();
        s.by_level = RISK_LEVELS
            .iter()
            .chain(["none"].iter())
            .map(|l| KeyCount {
                key: (*l).to_owned(),
                count: by_level.get(l).copied().unwrap_or_default(),
            })
            .collect();
        s.active_alarms_by_priority = ["critical", "high", "medium", "low"]
            .iter()
            .map(|p| KeyCount {
                key: (*p).to_owned(),
                count: by_priority.get(*p).copied().unwrap_or_default(),
            })
            .collect();
        s.installations_by_grade = grades
            .into_iter()
            .map(|(g, count)| KeyCount {
                key: g.to_string(),
                count,
            })
            .collect();
        Ok(s)
    }

    /// The live feed: the newest `limit` active alarms (contract definition) and how many are
    /// active in all.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn situation_alarms(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
        limit: u64,
    ) -> Result<(u64, Vec<FeedAlarm>)> {
        let region = self.filter_region(f).await?;
        let visible = Self::visible_ids(scope, region.as_ref());
        let total: u64 = self
            .active_alarm_groups(Self::visible_on_e(scope, region.as_ref()).as_ref())
            .await?
            .iter()
            .map(|g| g.2)
            .sum();
        let mut q = Query::select()
            .exprs_as_alarm()
            .from_as(alarm::Entity, a("al"))
            .join_as(
                sea_orm::sea_query::JoinType::LeftJoin,
                enterprise::Entity,
                a("e"),
                Expr::col((a("e"), a("id"))).equals((a("al"), a("enterprise_id"))),
            )
            .join_as(
                sea_orm::sea_query::JoinType::LeftJoin,
                a("sensors"),
                a("s"),
                Expr::col((a("s"), a("id"))).equals((a("al"), a("sensor_id"))),
            )
            .and_where(Expr::col((a("al"), a("active"))).eq(true))
            .and_where(Expr::col((a("al"), a("ended_at"))).is_null())
            .and_where(Expr::col((a("al"), a("state"))).is_not_in(INACTIVE_ALARM_STATES))
            .order_by((a("al"), a("started_at")), Order::Desc)
            .order_by((a("al"), a("id")), Order::Desc)
            .limit(limit)
            .to_owned();
        if let Some(sub) = visible {
            q.and_where(Expr::col((a("al"), a("enterprise_id"))).in_subquery(sub));
        }
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            out.push(FeedAlarm {
                id: r.try_get("", "id")?,
                enterprise_id: r.try_get("", "enterprise_id")?,
                enterprise_name: r.try_get("", "enterprise_name")?,
                sensor_id: r.try_get("", "sensor_id")?,
                sensor_name: r.try_get("", "sensor_name")?,
                unit: r.try_get("", "unit")?,
                source: r.try_get("", "source")?,
                condition: r.try_get("", "condition")?,
                priority: r.try_get("", "priority")?,
                state: r.try_get("", "state")?,
                started_at: r.try_get("", "started_at")?,
                last_value: r.try_get("", "last_value")?,
            });
        }
        Ok((total, out))
    }

    /// The overdue hidden dangers, most overdue first (at most `limit`), and how many in all.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn situation_overdue_hidden_dangers(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
        now: DateTime<Utc>,
        limit: u64,
    ) -> Result<(u64, Vec<OverdueHiddenDanger>)> {
        let region = self.filter_region(f).await?;
        let visible = Self::visible_ids(scope, region.as_ref());
        let cond = |q: &mut SelectStatement, prefix: Option<&str>, statuses: &[&str]| {
            let col = |c: &str| match prefix {
                Some(p) => Expr::col((a(p), a(c))),
                None => Expr::col(a(c)),
            };
            q.and_where(col("status").is_in(statuses.iter().copied()))
                .and_where(col("deadline_at").lte(now));
            if let Some(sub) = &visible {
                q.and_where(col("enterprise_id").in_subquery(sub.clone()));
            }
        };
        let mut c = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from(a("hidden_dangers"))
            .to_owned();
        cond(&mut c, None, &OVERDUE_HD_STATUSES);
        // The list: one query per status, each walking idx_hidden_dangers_status_deadline in
        // deadline order and stopping after `limit` rows; merged here.
        let list = |status: &str| {
            let mut q = Query::select()
                .expr_as(Expr::col((a("h"), a("id"))), a("id"))
                .expr_as(Expr::col((a("h"), a("code"))), a("code"))
                .expr_as(Expr::col((a("h"), a("enterprise_id"))), a("enterprise_id"))
                .expr_as(Expr::col((a("e"), a("name"))), a("enterprise_name"))
                .expr_as(Expr::col((a("h"), a("level"))), a("level"))
                .expr_as(Expr::col((a("h"), a("status"))), a("status"))
                .expr_as(Expr::col((a("h"), a("description"))), a("description"))
                .expr_as(Expr::col((a("h"), a("deadline"))), a("deadline"))
                .expr_as(Expr::col((a("h"), a("deadline_at"))), a("deadline_at"))
                .from_as(a("hidden_dangers"), a("h"))
                .join_as(
                    sea_orm::sea_query::JoinType::LeftJoin,
                    enterprise::Entity,
                    a("e"),
                    Expr::col((a("e"), a("id"))).equals((a("h"), a("enterprise_id"))),
                )
                .order_by((a("h"), a("deadline_at")), Order::Asc)
                .order_by((a("h"), a("id")), Order::Asc)
                .limit(limit)
                .to_owned();
            cond(&mut q, Some("h"), &[status]);
            q
        };
        let (q0, q1, q2) = (
            list(OVERDUE_HD_STATUSES[0]),
            list(OVERDUE_HD_STATUSES[1]),
            list(OVERDUE_HD_STATUSES[2]),
        );
        let (counted, r0, r1, r2) = tokio::try_join!(
            self.db.query_one(&c),
            self.db.query_all(&q0),
            self.db.query_all(&q1),
            self.db.query_all(&q2),
        )?;
        let total = match counted {
            Some(r) => count(&r, "n")?,
            None => 0,
        };
        let mut out = Vec::new();
        for r in r0.into_iter().chain(r1).chain(r2) {
            let deadline: Option<NaiveDate> = r.try_get("", "deadline")?;
            let deadline_at: Option<DateTime<Utc>> = r.try_get("", "deadline_at")?;
            let days_overdue = deadline_at
                .map(|d| std::cmp::max((now - d).num_days(), 0))
                .unwrap_or_default();
            out.push(OverdueHiddenDanger {
                id: r.try_get("", "id")?,
                code: r.try_get("", "code")?,
                enterprise_id: r.try_get("", "enterprise_id")?,
                enterprise_name: r.try_get("", "enterprise_name")?,
                level: r.try_get("", "level")?,
                status: r.try_get("", "status")?,
                description: r.try_get("", "description")?,
                deadline,
                deadline_at,
                days_overdue,
            });
        }
        out.sort_by_key(|h| (h.deadline_at, h.id));
        out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok((total, out))
    }

    /// The `limit` riskiest visible enterprises by dynamic-risk score (ties by id), with the
    /// summary of their reasons. Enterprises without a computed risk are not listed.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn situation_top_risks(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
        limit: u64,
    ) -> Result<Vec<TopRisk>> {
        let region = self.filter_region(f).await?;
        let visible = Self::visible_ids(scope, region.as_ref());
        let mut q = Query::select()
            .expr_as(Expr::col((a("r"), a("enterprise_id"))), a("enterprise_id"))
            .expr_as(Expr::col((a("e"), a("name"))), a("name"))
            .expr_as(Expr::col((a("e"), a("region_id"))), a("region_id"))
            .expr_as(Expr::col((a("r"), a("score"))), a("score"))
            .expr_as(Expr::col((a("r"), a("level"))), a("level"))
            .expr_as(Expr::col((a("r"), a("summary"))), a("summary"))
            .expr_as(Expr::col((a("r"), a("breakdown"))), a("breakdown"))
            .expr_as(Expr::col((a("r"), a("computed_at"))), a("computed_at"))
            .from_as(a("enterprise_risks"), a("r"))
            .join_as(
                sea_orm::sea_query::JoinType::InnerJoin,
                enterprise::Entity,
                a("e"),
                Expr::col((a("e"), a("id"))).equals((a("r"), a("enterprise_id"))),
            )
            .order_by((a("r"), a("score")), Order::Desc)
            .order_by((a("r"), a("enterprise_id")), Order::Asc)
            .limit(limit)
            .to_owned();
        if let Some(sub) = visible {
            q.and_where(Expr::col((a("r"), a("enterprise_id"))).in_subquery(sub));
        }
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            out.push(TopRisk {
                enterprise_id: r.try_get("", "enterprise_id")?,
                name: r.try_get("", "name")?,
                region_id: r.try_get("", "region_id")?,
                score: r.try_get("", "score")?,
                level: r.try_get("", "level")?,
                summary: r.try_get("", "summary")?,
                breakdown: r.try_get("", "breakdown")?,
                computed_at: r.try_get("", "computed_at")?,
            });
        }
        Ok(out)
    }

    /// Daily counts over the `days` calendar days ending today (Asia/Shanghai): alarms started,
    /// hidden dangers reported and closed. Oldest day first; every day present.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn situation_trends(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
        days: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<TrendDay>> {
        let region = self.filter_region(f).await?;
        let visible = Self::visible_ids(scope, region.as_ref());
        let today = local_today(now);
        let first = today - Duration::days(i64::from(std::cmp::max(days, 1)) - 1);
        let period = Period {
            from: first,
            to: today,
        };
        let mut by_day: BTreeMap<NaiveDate, TrendDay> = BTreeMap::new();
        let mut d = first;
        while d <= today {
            by_day.insert(
                d,
                TrendDay {
                    date: d,
                    alarms: 0,
                    hidden_dangers_reported: 0,
                    hidden_dangers_closed: 0,
                },
            );
            d += Duration::days(1);
        }
        let v = visible.as_ref();
        let (alarms, reported, closed) = tokio::try_join!(
            self.alarms_by_day(v, &period),
            self.hd_by_day(v, &period, "reported_at"),
            self.hd_by_day(v, &period, "closed_at"),
        )?;
        for (day, n) in alarms {
            if let Some(t) = by_day.get_mut(&day) {
                t.alarms += n;
            }
        }
        for (day, n) in reported {
            if let Some(t) = by_day.get_mut(&day) {
                t.hidden_dangers_reported += n;
            }
        }
        for (day, n) in closed {
            if let Some(t) = by_day.get_mut(&day) {
                t.hidden_dangers_closed += n;
            }
        }
        Ok(by_day.into_values().collect())
    }

    async fn alarms_by_day(
        &self,
        visible: Option<&SelectStatement>,
        p: &Period,
    ) -> Result<Vec<(NaiveDate, u64)>> {
        let day = Expr::cust(format!("(started_at + {CST_MS}) / {DAY_MS}"));
        let mut q = Query::select()
            .expr_as(day, a("d"))
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from(alarm::Entity)
            .and_where(Expr::col(alarm::Column::StartedAt).gte(p.start().timestamp_millis()))
            .and_where(Expr::col(alarm::Column::StartedAt).lt(p.end().timestamp_millis()))
            .group_by_columns([a("d")])
            .to_owned();
        if let Some(sub) = visible {
            q.and_where(enterprise_filter_col().in_subquery(sub.clone()));
        }
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            let d: i64 = r.try_get("", "d")?;
            if let Some(date) = DateTime::from_timestamp(d * 86_400, 0) {
                out.push((date.date_naive(), count(&r, "n")?));
            }
        }
        Ok(out)
    }

    /// The local-date expression of a timestamp column.
    fn local_date_expr(&self, col: &str) -> String {
        match self.db.get_database_backend() {
            DbBackend::Postgres => {
                format!("to_char({col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')")
            }
            _ => format!("date({col}, '+8 hours')"),
        }
    }

    async fn hd_by_day(
        &self,
        visible: Option<&SelectStatement>,
        p: &Period,
        col: &str,
    ) -> Result<Vec<(NaiveDate, u64)>> {
        let mut q = Query::select()
            .expr_as(Expr::cust(self.local_date_expr(col)), a("d"))
            .expr_as(Expr::cust("COUNT(*)"), a("n"))
            .from(a("hidden_dangers"))
            .and_where(Expr::col(a(col)).gte(p.start()))
            .and_where(Expr::col(a(col)).lt(p.end()))
            .group_by_columns([a("d")])
            .to_owned();
        if let Some(sub) = visible {
            q.and_where(enterprise_filter_col().in_subquery(sub.clone()));
        }
        let mut out = Vec::new();
        for r in self.db.query_all(&q).await? {
            let d: String = r.try_get("", "d")?;
            if let Ok(date) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                out.push((date, count(&r, "n")?));
            }
        }
        Ok(out)
    }

    /// Alarms started in the period per region of their enterprise and priority: (region,
    /// priority, count). Alarms without an enterprise are in no region.
    async fn period_alarm_groups(
        &self,
        visible: Option<&Condition>,
        period: &Period,
    ) -> Result<Vec<(i64, String, u64)>> {
        let al = |c: &str| Expr::col((a("al"), a(c)));
        // `al.enterprise_id + 0`: the period index drives, as for hidden dangers.
        let mut q = Self::alarm_by_region_query(
            sea_orm::sea_query::JoinType::InnerJoin,
            Expr::col((a("e"), a("id"))).eq(Expr::cust("(al.enterprise_id + 0)")),
            visible,
        );
        q.and_where(al("started_at").gte(period.start().timestamp_millis()))
            .and_where(al("started_at").lt(period.end().timestamp_millis()));
        self.region_groups(&q, "priority").await
    }

    /// Hidden dangers whose `col` (`reported_at` or `closed_at`) falls in the period, per region
    /// of their enterprise and level: (region, level, count).
    async fn period_hd_groups(
        &self,
        visible: Option<&Condition>,
        period: &Period,
        col: &str,
    ) -> Result<Vec<(i64, String, u64)>> {
        let mut q = Self::hd_by_region_query(visible);
        q.and_where(Expr::col((a("h"), a(col))).gte(period.start()))
            .and_where(Expr::col((a("h"), a(col))).lt(period.end()));
        self.region_groups(&q, "level").await
    }

    /// Region statistics for other systems and the 区域统计 page: one row per child region of
    /// `f.region_id` (the districts when `None`) with enterprises by dynamic-risk level, major
    /// installations by grade, alarms and hidden dangers of the period, and open / overdue /
    /// active counts now; plus the totals.
    ///
    /// # Errors
    /// 422 `regionId` for an unknown region; database errors.
    pub async fn region_stats(
        &self,
        f: &SituationFilter,
        scope: &ScopeFilter,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<RegionStats> {
        let region = self.filter_region(f).await?;
        let visible = Self::visible_on_e(scope, region.as_ref());
        let v = visible.as_ref();
        // Independent aggregates, concurrently (each on its own pooled connection), all grouped
        // by region in SQL and rolled up to the child regions here.
        let (tree, ents, installations, active, open, alarms, reported, closed) = tokio::try_join!(
            self.region_tree(),
            self.enterprise_groups(v),
            self.installation_groups(v),
            self.active_alarm_groups(v),
            self.open_hd_groups(v, now),
            self.period_alarm_groups(v, &period),
            self.period_hd_groups(v, &period, "reported_at"),
            self.period_hd_groups(v, &period, "closed_at"),
        )?;
        let bucket = |region_id: i64| tree.bucket(region_id, region.as_ref());
        // Every child region gets a row, even an empty one.
        let mut rows: BTreeMap<i64, RegionStatRow> = BTreeMap::new();
        for r in tree.by_id.values() {
            if r.parent_id == region.as_ref().map(|p| p.id) {
                rows.insert(r.id, RegionStatRow::default());
            }
        }
        for (region_id, _, level, n) in ents {
            let Some(b) = bucket(region_id) else {
                continue;
            };
            let row = rows.entry(b).or_default();
            row.enterprises += n;
            match level.as_deref() {
                Some("major") => row.risk_major += n,
                Some("high") => row.risk_high += n,
                Some("medium") => row.risk_medium += n,
                Some("low") => row.risk_low += n,
                _ => row.risk_unassessed += n,
            }
        }
        for (region_id, g, n) in installations {
            if let (Some(b), Ok(i)) = (bucket(region_id), usize::try_from(g - 1))
                && i < 4
            {
                rows.entry(b).or_default().installations_by_grade[i] += n;
            }
        }
        for (region_id, _, n) in active {
            if let Some(b) = region_id.and_then(bucket) {
                rows.entry(b).or_default().active_alarms += n;
            }
        }
        for (region_id, _, open, overdue) in open {
            if let Some(b) = bucket(region_id) {
                let row = rows.entry(b).or_default();
                row.hidden_dangers_open += open;
                row.hidden_dangers_overdue += overdue;
            }
        }
        for (region_id, prio, n) in alarms {
            if let Some(b) = bucket(region_id) {
                let row = rows.entry(b).or_default();
                row.alarms += n;
                match prio.as_str() {
                    "critical" => row.alarms_critical += n,
                    "high" => row.alarms_high += n,
                    _ => {}
                }
            }
        }
        for (region_id, level, n) in reported {
            if let Some(b) = bucket(region_id) {
                let row = rows.entry(b).or_default();
                row.hidden_dangers_reported += n;
                if level == "major" {
                    row.hidden_dangers_major += n;
                }
            }
        }
        for (region_id, _, n) in closed {
            if let Some(b) = bucket(region_id) {
                rows.entry(b).or_default().hidden_dangers_closed += n;
            }
        }
        let mut out: Vec<RegionStatRow> = rows
            .into_iter()
            .map(|(id, mut row)| {
                row.region_id = id;
                if let Some(r) = tree.by_id.get(&id) {
                    row.code = r.code.clone();
                    row.name = r.name.clone();
                    row.level = r.level.clone();
                }
                row
            })
            .collect();
        out.sort_by_key(|c| {
            let r = tree.by_id.get(&c.region_id);
            (r.map(|r| r.sort).unwrap_or_default(), c.region_id)
        });
        let mut total = RegionStatRow {
            region_id: region.as_ref().map(|r| r.id).unwrap_or_default(),
            code: region.as_ref().map(|r| r.code.clone()).unwrap_or_default(),
            name: region
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_else(|| "合计".into()),
            level: region.as_ref().map(|r| r.level.clone()).unwrap_or_default(),
            ..Default::default()
        };
        for r in &out {
            total.enterprises += r.enterprises;
            total.risk_major += r.risk_major;
            total.risk_high += r.risk_high;
            total.risk_medium += r.risk_medium;
            total.risk_low += r.risk_low;
            total.risk_unassessed += r.risk_unassessed;
            for i in 0..4 {
                total.installations_by_grade[i] += r.installations_by_grade[i];
            }
            total.alarms += r.alarms;
            total.alarms_critical += r.alarms_critical;
            total.alarms_high += r.alarms_high;
            total.active_alarms += r.active_alarms;
            total.hidden_dangers_reported += r.hidden_dangers_reported;
            total.hidden_dangers_major += r.hidden_dangers_major;
            total.hidden_dangers_closed += r.hidden_dangers_closed;
            total.hidden_dangers_open += r.hidden_dangers_open;
            total.hidden_dangers_overdue += r.hidden_dangers_overdue;
        }
        Ok(RegionStats {
            period,
            parent_id: region.map(|r| r.id),
            rows: out,
            total,
        })
    }
}

/// The select list of the live feed.
trait AlarmColumns {
    fn exprs_as_alarm(&mut self) -> &mut Self;
}

impl AlarmColumns for SelectStatement {
    fn exprs_as_alarm(&mut self) -> &mut Self {
        for c in [
            "id",
            "enterprise_id",
            "sensor_id",
            "source",
            "condition",
            "priority",
            "state",
            "started_at",
            "last_value",
        ] {
            self.expr_as(Expr::col((a("al"), a(c))), a(c));
        }
        self.expr_as(Expr::col((a("e"), a("name"))), a("enterprise_name"))
            .expr_as(Expr::col((a("s"), a("name"))), a("sensor_name"))
            .expr_as(Expr::col((a("s"), a("unit"))), a("unit"))
    }
}

/// Checks a region outline and returns it as compact GeoJSON text: a `Polygon` or
/// `MultiPolygon` geometry (a `Feature` is unwrapped to its geometry) whose positions are
/// `[longitude, latitude]` in degrees within ±180 / ±90 and whose rings are closed with at least
/// four positions.
///
/// # Errors
/// 422 `boundary` naming what is wrong.
pub fn normalise_boundary(text: &str) -> Result<String> {
    let bad = |m: &str| StoreError::Invalid(ValidationError::field("boundary", m));
    let mut v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(&format!("不是 GeoJSON / not JSON: {e}")))?;
    if v.get("type").and_then(|t| t.as_str()) == Some("Feature") {
        v = v.get("geometry").cloned().unwrap_or_default();
    }
    let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or_default();
    let coords = v
        .get("coordinates")
        .and_then(|c| c.as_array())
        .ok_or_else(|| bad("缺少 coordinates / coordinates missing"))?;
    let polygons: Vec<&serde_json::Value> = match kind {
        "Polygon" => vec![&v["coordinates"]],
        "MultiPolygon" => coords.iter().collect(),
        _ => {
            return Err(bad(
                "须为 Polygon 或 MultiPolygon / must be a Polygon or MultiPolygon",
            ));
        }
    };
    if polygons.is_empty() {
        return Err(bad("没有多边形 / no polygon"));
    }
    for p in polygons {
        let rings = p
            .as_array()
            .filter(|r| !r.is_empty())
            .ok_or_else(|| bad("多边形须有环 / a polygon needs rings"))?;
        for ring in rings {
            let pts = ring
                .as_array()
                .filter(|r| r.len() >= 4)
                .ok_or_else(|| bad("每个环至少 4 个点 / a ring needs at least 4 positions"))?;
            let mut parsed = Vec::with_capacity(pts.len());
            for pt in pts {
                let xy = pt.as_array().filter(|x| x.len() >= 2);
                let (lon, lat) = match xy.map(|x| (x[0].as_f64(), x[1].as_f64())) {
                    Some((Some(lon), Some(lat))) => (lon, lat),
                    _ => return Err(bad("坐标须为 [经度, 纬度] / positions are [lon, lat]")),
                };
                if !(-180.0..=180.0).contains(&lon) || !(-90.0..=90.0).contains(&lat) {
                    return Err(bad("经纬度超出范围 / longitude or latitude out of range"));
                }
                parsed.push((lon, lat));
            }
            if parsed.first() != parsed.last() {
                return Err(bad("环须闭合 / a ring must be closed"));
            }
        }
    }
    Ok(serde_json::json!({"type": kind, "coordinates": v["coordinates"]}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let sq = r#"{"type":"Polygon","coordinates":[[[118,32],[119,32],[119,33],[118,32]]]}"#;
        assert!(normalise_boundary(sq).is_ok());
        let feat = format!(r#"{{"type":"Feature","properties":{{}},"geometry":{sq}}}"#);
        assert_eq!(normalise_boundary(&feat).ok(), normalise_boundary(sq).ok());
        for bad in [
            "x",
            r#"{"type":"Point","coordinates":[1,2]}"#,
            r#"{"type":"Polygon","coordinates":[[[118,32],[119,32],[119,33],[118,33]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[118,32],[119,32],[118,32]]]}"#,
            r#"{"type":"Polygon","coordinates":[[[218,32],[119,32],[119,33],[218,32]]]}"#,
        ] {
            assert!(normalise_boundary(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods_are_shanghai_days() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap_or_default();
        let p = Period { from: d, to: d };
        assert_eq!(p.start().to_rfc3339(), "2026-01-01T16:00:00+00:00");
        assert_eq!(p.end().to_rfc3339(), "2026-01-02T16:00:00+00:00");
        let now = DateTime::parse_from_rfc3339("2026-01-01T16:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(local_today(now), d);
    }
}
