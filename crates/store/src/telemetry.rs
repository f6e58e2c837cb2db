//! Telemetry and alarms: the write path of the ingestion pipeline ([`Store::write_telemetry`]),
//! the engine's persisted state, and the read side (alarm lists, trends, KPI events, webhook
//! deliveries, retention).
//!
//! All times here are `i64` milliseconds since the Unix epoch (UTC). Values are in the unit of
//! their sensor. Enumerations (priority, state, condition, event kind, source kind) are stored as
//! the snake_case names of `anjian-alarm`'s enums; the store does not interpret them except for
//! priorities (to route webhook deliveries).

use crate::entities::{
    alarm, alarm_event, engine_mark, enterprise, reading, reading_minute, sensor, sensor_latest,
    webhook, webhook_delivery,
};
use crate::{PageOf, Result, Store, StoreError};
use anjian_domain::ValidationError;
use anjian_domain::auth::ScopeFilter;
use anjian_domain::page::Page;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement, TransactionTrait, Value,
};
use std::collections::{HashMap, HashSet};

pub use crate::entities::alarm::Model as AlarmRow;
pub use crate::entities::alarm_event::Model as AlarmEvent;
pub use crate::entities::engine_mark::Model as EngineMark;
pub use crate::entities::webhook_delivery::Model as WebhookDelivery;

/// `readings.quality` of a good reading.
pub const QUALITY_GOOD: i16 = 0;
/// `readings.quality` of a bad reading (the device flagged it).
pub const QUALITY_BAD: i16 = 1;

/// SQLite's limit on bound variables in one statement (PostgreSQL allows 65535).
const MAX_VARIABLES: usize = 32766;

/// Alarm priorities, lowest first (the order webhook `min_priority` is compared in).
pub const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// The rank of a priority name in [`PRIORITIES`] (`None` for an unknown name).
pub fn priority_rank(p: &str) -> Option<usize> {
    PRIORITIES.iter().position(|x| *x == p)
}

/// One reading of one sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadingRow {
    /// `sensors.id`.
    pub sensor_id: i64,
    /// Event time, ms since the epoch (UTC).
    pub ts: i64,
    /// The value, in the sensor's unit. Must be finite.
    pub value: f64,
    /// [`QUALITY_GOOD`] or [`QUALITY_BAD`].
    pub quality: i16,
}

/// The aggregate of a sensor's readings within one minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinuteRow {
    /// `sensors.id`.
    pub sensor_id: i64,
    /// Start of the minute, ms since the epoch (UTC), a multiple of 60,000.
    pub minute: i64,
    /// Smallest value, in the sensor's unit.
    pub min: f64,
    /// Largest value, in the sensor's unit.
    pub max: f64,
    /// Sum of the values, in the sensor's unit (average = `sum / count`).
    pub sum: f64,
    /// Number of readings.
    pub count: i64,
}

/// One alarm event to insert (the id is assigned by the database).
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmEventRow {
    /// The alarm (occurrence) it belongs to; its row should be in the same batch or already stored.
    pub alarm_id: i64,
    /// Event kind (`raised`, `cleared`, `acknowledged`, ...).
    pub kind: String,
    /// Event time, ms since the epoch (UTC).
    pub ts: i64,
    /// The reading that caused it, in the sensor's unit, if any.
    pub value: Option<f64>,
    /// The alarm's priority after the event: `low`, `medium`, `high` or `critical`.
    pub priority: String,
    /// The alarm's state after the event.
    pub state: String,
    /// Who, for operator commands.
    pub actor: Option<String>,
    /// Acknowledge comment, close reason, ...
    pub comment: Option<String>,
}

/// Everything one pass of the pipeline persists, written in one transaction by
/// [`Store::write_telemetry`].
///
/// Minute aggregates are not part of the batch: the store derives them from the readings that
/// were actually new (the readings insert reports them with `RETURNING`), so a batch sent twice
/// (e.g. retried after a lost commit acknowledgement) neither duplicates readings nor counts them
/// twice in `reading_minutes`.
#[derive(Debug, Clone, Default)]
pub struct TelemetryBatch {
    /// Raw readings; ones already stored (same sensor and `ts`) are ignored.
    pub readings: Vec<ReadingRow>,
    /// The caller guarantees that no reading of the batch is stored yet and none repeats (the
    /// ingestion pipeline does: its engine drops, per sensor, every reading not later than the
    /// stored latest one). The insert then skips sending the inserted rows back and aggregates
    /// the minutes from the batch itself — the hot path. `false` (the default): only the rows
    /// actually inserted are aggregated, so a batch written twice is counted once.
    pub readings_are_new: bool,
    /// Candidates for `sensor_latest`; a row replaces the stored one only when its `ts` is newer.
    /// Several rows of one sensor may be given; the newest wins.
    pub latest: Vec<ReadingRow>,
    /// Alarm rows, inserted or replaced whole by id (when an id repeats, the last row wins).
    pub alarms: Vec<AlarmRow>,
    /// Alarm events to append. Each also queues a delivery to every enabled webhook whose
    /// `min_priority` is at or below the event's priority.
    pub events: Vec<AlarmEventRow>,
}

/// What [`Store::write_telemetry`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TelemetryWritten {
    /// Readings inserted.
    pub readings_new: u64,
    /// Readings ignored because that sensor already had a reading at that `ts`.
    pub readings_duplicate: u64,
    /// Minute aggregate rows inserted or merged.
    pub minutes: u64,
    /// Alarm events inserted.
    pub events: u64,
    /// Webhook deliveries queued.
    pub deliveries: u64,
}

/// What survives a restart of the alarm engine, as stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredEngineState {
    /// Alarm occurrences not yet ended (`ended_at` is null), by id.
    pub alarms: Vec<AlarmRow>,
    /// Out-of-service and latched marks.
    pub marks: Vec<EngineMark>,
    /// The largest alarm id ever stored (ended ones included, until purged); `None` when none.
    pub max_alarm_id: Option<i64>,
    /// Per sensor code: the time of its latest stored reading, ms since the epoch.
    pub last_ts: Vec<(String, i64)>,
}

/// Filters of the alarm list. Every field narrows the result; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct AlarmFilter {
    /// `true`: occurrences not yet ended; `false`: ended ones.
    pub open: Option<bool>,
    /// The condition is currently abnormal (`alarms.active`).
    pub active: Option<bool>,
    /// Exact state name.
    pub state: Option<String>,
    /// Exact priority name.
    pub priority: Option<String>,
    /// Exact condition name.
    pub condition: Option<String>,
    /// Enterprise id.
    pub enterprise_id: Option<i64>,
    /// Sensor id.
    pub sensor_id: Option<i64>,
    /// Exact source code (sensor, device or group).
    pub source: Option<String>,
    /// Started at or after, ms since the epoch.
    pub from: Option<i64>,
    /// Started before, ms since the epoch.
    pub to: Option<i64>,
}

/// An alarm with the names the console shows next to it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmView {
    /// The stored alarm.
    pub alarm: AlarmRow,
    /// The sensor's name, for sensor alarms whose sensor still exists.
    pub sensor_name: Option<String>,
    /// The sensor's unit (of `first_value` / `last_value`).
    pub unit: Option<String>,
    /// The enterprise's name.
    pub enterprise_name: Option<String>,
}

/// An alarm with all its events, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmDetail {
    /// The alarm.
    pub view: AlarmView,
    /// Its events in time order.
    pub events: Vec<AlarmEvent>,
}

/// An event together with the identity of its alarm, as the KPI computation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventWithAlarm {
    /// The event.
    pub event: AlarmEvent,
    /// `sensor`, `device` or `group`.
    pub source_kind: String,
    /// Sensor, device or group code.
    pub source: String,
    /// The alarm's condition.
    pub condition: String,
    /// The alarm's enterprise.
    pub enterprise_id: Option<i64>,
}

/// Counts for the console's alarm bell, over occurrences not yet ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlarmSummary {
    /// Not yet acknowledged.
    pub unacknowledged: u64,
    /// Condition currently abnormal.
    pub active: u64,
    /// Not-ended occurrences per priority name, in [`PRIORITIES`] order.
    pub by_priority: Vec<(String, u64)>,
    /// The five most recently started not-ended occurrences.
    pub latest: Vec<AlarmView>,
}

/// Rows removed by [`Store::purge_telemetry_before`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Raw readings.
    pub readings: u64,
    /// Minute aggregates.
    pub minutes: u64,
    /// Ended alarms.
    pub alarms: u64,
    /// Events of those alarms.
    pub events: u64,
}

/// A webhook delivery that is due, with what is needed to send it.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDelivery {
    /// The delivery.
    pub delivery: WebhookDelivery,
    /// The webhook's URL.
    pub url: String,
    /// The webhook's signing secret.
    pub secret: Option<String>,
    /// The event to send.
    pub event: AlarmEvent,
    /// Its alarm (`None` if it was purged meanwhile).
    pub alarm: Option<AlarmRow>,
}

/// Placeholder text for `rows` rows of `cols` values each, numbered from `first` (PostgreSQL).
fn push_placeholders(sql: &mut String, backend: DbBackend, rows: usize, cols: usize) {
    use std::fmt::Write;
    let mut n = 0usize;
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            if backend == DbBackend::Postgres {
                let _ = write!(sql, "${n}");
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
}

/// Rows per multi-row statement with `cols` bound values each.
fn rows_per_statement(cols: usize) -> usize {
    MAX_VARIABLES / cols
}

/// Runs `INSERT INTO <head> VALUES <rows> <tail>` for `rows` in chunks; `bind` appends one row's
/// values. Returns the rows the statements return (when `tail` has `RETURNING`) or nothing.
pub(crate) async fn insert_chunked<C, T, F>(
    db: &C,
    head: &str,
    cols: usize,
    tail: &str,
    rows: &[T],
    returning: bool,
    mut bind: F,
) -> Result<(u64, Vec<sea_orm::QueryResult>)>
where
    C: ConnectionTrait,
    F: FnMut(&T, &mut Vec<Value>),
{
    let backend = db.get_database_backend();
    let mut affected = 0;
    let mut returned = Vec::new();
    for chunk in rows.chunks(rows_per_statement(cols)) {
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.len() * cols * 5);
        sql.push_str(head);
        sql.push_str(" VALUES ");
        push_placeholders(&mut sql, backend, chunk.len(), cols);
        sql.push(' ');
        sql.push_str(tail);
        let mut values = Vec::with_capacity(chunk.len() * cols);
        for row in chunk {
            bind(row, &mut values);
        }
        let stmt = Statement::from_sql_and_values(backend, sql, values);
        if returning {
            returned.extend(db.query_all_raw(stmt).await?);
        } else {
            affected += db.execute_raw(stmt).await?.rows_affected();
        }
    }
    Ok((affected, returned))
}

#[derive(Clone, Copy)]
struct Agg {
    min: f64,
    max: f64,
    sum: f64,
    count: i64,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `alarms.enterprise_id` (or another enterprise id column) limited to what `scope` may see.
pub(crate) fn enterprise_id_in_scope<C>(col: C, scope: &ScopeFilter) -> Condition
where
    C: ColumnTrait,
{
    if scope.is_all() {
        return Condition::all();
    }
    Condition::all().add(
        col.in_subquery(
            Query::select()
                .column(enterprise::Column::Id)
                .from(enterprise::Entity)
                .cond_where(crate::org::enterprise_scope(scope))
                .to_owned(),
        ),
    )
}

fn check_batch(b: &TelemetryBatch) -> Result<()> {
    let mut fields = anjian_domain::FieldErrors::new();
    if let Some(i) = b.readings.iter().position(|r| !r.value.is_finite()) {
        fields.insert(
            format!("readings[{i}].value"),
            "must be a finite number".into(),
        );
    }
    if let Some(i) = b.latest.iter().position(|r| !r.value.is_finite()) {
        fields.insert(
            format!("latest[{i}].value"),
            "must be a finite number".into(),
        );
    }
    if let Some(i) = b
        .events
        .iter()
        .position(|e| priority_rank(&e.priority).is_none())
    {
        fields.insert(
            format!("events[{i}].priority"),
            "must be low, medium, high or critical".into(),
        );
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { fields }.into())
    }
}

impl Store {
    /// Persists one batch of the ingestion pipeline in ONE transaction: raw readings (duplicates
    /// ignored), `sensor_latest` (moved forward only), `reading_minutes` (merged with the new
    /// readings only), alarm rows (upserted by id, all columns), alarm events, and a pending
    /// webhook delivery per event and matching enabled webhook. Multi-row statements with bound
    /// values, in chunks below SQLite's variable limit.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] when a value is not finite or an event's priority is unknown
    /// (nothing is written); [`StoreError::Db`] (the transaction is rolled back).
    pub async fn write_telemetry(&self, b: &TelemetryBatch) -> Result<TelemetryWritten> {
        check_batch(b)?;
        let backend = self.db.get_database_backend();
        let mut out = TelemetryWritten::default();
        let txn = self.db.begin().await?;

        // Readings: only the rows actually inserted are aggregated (all of them when the caller
        // vouches that they are new; otherwise the inserted ones come back from the database).
        let mut minutes: HashMap<(i64, i64), Agg> = HashMap::new();
        let mut add = |sensor_id: i64, ts: i64, value: f64| {
            let minute = ts - ts.rem_euclid(60_000);
            minutes
                .entry((sensor_id, minute))
                .and_modify(|a| {
                    a.min = a.min.min(value);
                    a.max = a.max.max(value);
                    a.sum += value;
                    a.count += 1;
                })
                .or_insert(Agg {
                    min: value,
                    max: value,
                    sum: value,
                    count: 1,
                });
        };
        if !b.readings.is_empty() {
            let tail = if b.readings_are_new {
                "ON CONFLICT (sensor_id, ts) DO NOTHING"
            } else {
                "ON CONFLICT (sensor_id, ts) DO NOTHING RETURNING sensor_id, ts, value"
            };
            let (affected, rows) = insert_chunked(
                &txn,
                "INSERT INTO readings (sensor_id, ts, value, quality)",
                4,
                tail,
                &b.readings,
                !b.readings_are_new,
                |r, v| {
                    v.push(r.sensor_id.into());
                    v.push(r.ts.into());
                    v.push(r.value.into());
                    v.push(r.quality.into());
                },
            )
            .await?;
            if b.readings_are_new {
                out.readings_new = affected;
                for r in &b.readings {
                    add(r.sensor_id, r.ts, r.value);
                }
            } else {
                out.readings_new = rows.len() as u64;
                for row in rows {
                    let sensor_id: i64 = row.try_get_by_index(0)?;
                    let ts: i64 = row.try_get_by_index(1)?;
                    let value: f64 = row.try_get_by_index(2)?;
                    add(sensor_id, ts, value);
                }
            }
            out.readings_duplicate = (b.readings.len() as u64).saturating_sub(out.readings_new);
        }

        if !minutes.is_empty() {
            let (least, greatest) = match backend {
                DbBackend::Postgres => ("LEAST", "GREATEST"),
                _ => ("min", "max"),
            };
            let tail = format!(
                "ON CONFLICT (sensor_id, minute) DO UPDATE SET \
                 \"min\" = {least}(reading_minutes.\"min\", excluded.\"min\"), \
                 \"max\" = {greatest}(reading_minutes.\"max\", excluded.\"max\"), \
                 \"sum\" = reading_minutes.\"sum\" + excluded.\"sum\", \
                 \"count\" = reading_minutes.\"count\" + excluded.\"count\""
            );
            let rows: Vec<((i64, i64), Agg)> = minutes.into_iter().collect();
            out.minutes = rows.len() as u64;
            insert_chunked(
                &txn,
                "INSERT INTO reading_minutes (sensor_id, minute, \"min\", \"max\", \"sum\", \"count\")",
                6,
                &tail,
                &rows,
                false,
                |((sensor_id, minute), a), v| {
                    v.push((*sensor_id).into());
                    v.push((*minute).into());
                    v.push(a.min.into());
                    v.push(a.max.into());
                    v.push(a.sum.into());
                    v.push(a.count.into());
                },
            )
            .await?;
        }

        if !b.latest.is_empty() {
            // One row per sensor (an upsert may not touch a row twice in one statement).
            let mut newest: HashMap<i64, ReadingRow> = HashMap::with_capacity(b.latest.len());
            for r in &b.latest {
                newest
                    .entry(r.sensor_id)
                    .and_modify(|cur| {
                        if r.ts > cur.ts {
                            *cur = *r;
                        }
                    })
                    .or_insert(*r);
            }
            let rows: Vec<ReadingRow> = newest.into_values().collect();
            insert_chunked(
                &txn,
                "INSERT INTO sensor_latest (sensor_id, ts, value, quality)",
                4,
                "ON CONFLICT (sensor_id) DO UPDATE SET ts = excluded.ts, value = excluded.value, \
                 quality = excluded.quality WHERE excluded.ts > sensor_latest.ts",
                &rows,
                false,
                |r, v| {
                    v.push(r.sensor_id.into());
                    v.push(r.ts.into());
                    v.push(r.value.into());
                    v.push(r.quality.into());
                },
            )
            .await?;
        }

        if !b.alarms.is_empty() {
            let mut last: HashMap<i64, usize> = HashMap::with_capacity(b.alarms.len());
            for (i, a) in b.alarms.iter().enumerate() {
                last.insert(a.id, i);
            }
            let rows: Vec<&AlarmRow> = b
                .alarms
                .iter()
                .enumerate()
                .filter(|(i, a)| last.get(&a.id) == Some(i))
                .map(|(_, a)| a)
                .collect();
            let set: Vec<String> = ALARM_COLUMNS[1..]
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect();
            let head = format!("INSERT INTO alarms ({})", ALARM_COLUMNS.join(", "));
            let tail = format!("ON CONFLICT (id) DO UPDATE SET {}", set.join(", "));
            insert_chunked(
                &txn,
                &head,
                ALARM_COLUMNS.len(),
                &tail,
                &rows,
                false,
                |a, v| bind_alarm(a, v),
            )
            .await?;
        }

        if !b.events.is_empty() {
            let (_, rows) = insert_chunked(
                &txn,
                "INSERT INTO alarm_events (alarm_id, kind, ts, value, priority, state, actor, comment)",
                8,
                "RETURNING id, priority",
                &b.events,
                true,
                |e, v| {
                    v.push(e.alarm_id.into());
                    v.push(e.kind.clone().into());
                    v.push(e.ts.into());
                    v.push(e.value.into());
                    v.push(e.priority.clone().into());
                    v.push(e.state.clone().into());
                    v.push(e.actor.clone().into());
                    v.push(e.comment.clone().into());
                },
            )
            .await?;
            out.events = rows.len() as u64;
            let hooks: Vec<(i64, String)> = webhook::Entity::find()
                .select_only()
                .column(webhook::Column::Id)
                .column(webhook::Column::MinPriority)
                .filter(webhook::Column::Enabled.eq(true))
                .into_tuple()
                .all(&txn)
                .await?;
            if !hooks.is_empty() {
                let mut deliveries: Vec<(i64, i64)> = Vec::new();
                for row in rows {
                    let event_id: i64 = row.try_get_by_index(0)?;
                    let priority: String = row.try_get_by_index(1)?;
                    let rank = priority_rank(&priority).unwrap_or(PRIORITIES.len());
                    for (hook_id, min) in &hooks {
                        // An unknown min_priority (edited by hand) delivers everything.
                        if priority_rank(min).unwrap_or(0) <= rank {
                            deliveries.push((*hook_id, event_id));
                        }
                    }
                }
                let now = now_ms();
                out.deliveries = deliveries.len() as u64;
                insert_chunked(
                    &txn,
                    "INSERT INTO webhook_deliveries (webhook_id, alarm_event_id, status, attempts, next_attempt_at, created_at)",
                    6,
                    "",
                    &deliveries,
                    false,
                    |(hook, event), v| {
                        v.push((*hook).into());
                        v.push((*event).into());
                        v.push("pending".into());
                        v.push(0i32.into());
                        v.push(now.into());
                        v.push(now.into());
                    },
                )
                .await?;
            }
        }

        txn.commit().await?;
        Ok(out)
    }

    /// What the alarm engine needs at start: occurrences not yet ended, the engine marks, the
    /// largest alarm id and the time of each sensor's latest stored reading.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn load_engine_state(&self) -> Result<StoredEngineState> {
        let alarms = alarm::Entity::find()
            .filter(alarm::Column::EndedAt.is_null())
            .order_by_asc(alarm::Column::Id)
            .all(&self.db)
            .await?;
        let marks = engine_mark::Entity::find()
            .order_by_asc(engine_mark::Column::Id)
            .all(&self.db)
            .await?;
        let max_alarm_id: Option<i64> = alarm::Entity::find()
            .select_only()
            .column_as(alarm::Column::Id.max(), "m")
            .into_tuple::<Option<i64>>()
            .one(&self.db)
            .await?
            .flatten();
        let last_ts: Vec<(String, i64)> = sensor_latest::Entity::find()
            .select_only()
            .column_as(Expr::col((sensor::Entity, sensor::Column::Code)), "code")
            .column(sensor_latest::Column::Ts)
            .join(
                sea_orm::JoinType::InnerJoin,
                sensor_latest::Entity::belongs_to(sensor::Entity)
                    .from(sensor_latest::Column::SensorId)
                    .to(sensor::Column::Id)
                    .into(),
            )
            .order_by_asc(Expr::col((sensor::Entity, sensor::Column::Code)))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(StoredEngineState {
            alarms,
            marks,
            max_alarm_id,
            last_ts,
        })
    }

    /// Records an engine mark (`kind` = `out_of_service` or `latched`) on `source` (and
    /// `condition`, `None` = all conditions), replacing an equal one. `at` in ms since the epoch.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn add_engine_mark(
        &self,
        source: &str,
        condition: Option<&str>,
        kind: &str,
        actor: &str,
        at: i64,
    ) -> Result<EngineMark> {
        use sea_orm::{ActiveModelTrait, Set};
        let txn = self.db.begin().await?;
        engine_mark::Entity::delete_many()
            .filter(mark_condition(source, condition, kind))
            .exec(&txn)
            .await?;
        let row = engine_mark::ActiveModel {
            source: Set(source.to_owned()),
            condition: Set(condition.map(str::to_owned)),
            kind: Set(kind.to_owned()),
            actor: Set(actor.to_owned()),
            created_at: Set(at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Removes the engine marks equal to (`source`, `condition`, `kind`); returns how many.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn remove_engine_mark(
        &self,
        source: &str,
        condition: Option<&str>,
        kind: &str,
    ) -> Result<u64> {
        Ok(engine_mark::Entity::delete_many()
            .filter(mark_condition(source, condition, kind))
            .exec(&self.db)
            .await?
            .rows_affected)
    }

    /// Every engine mark, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_engine_marks(&self) -> Result<Vec<EngineMark>> {
        Ok(engine_mark::Entity::find()
            .order_by_asc(engine_mark::Column::Id)
            .all(&self.db)
            .await?)
    }
}

fn mark_condition(source: &str, condition: Option<&str>, kind: &str) -> Condition {
    let c = Condition::all()
        .add(engine_mark::Column::Source.eq(source))
        .add(engine_mark::Column::Kind.eq(kind));
    match condition {
        Some(cond) => c.add(engine_mark::Column::Condition.eq(cond)),
        None => c.add(engine_mark::Column::Condition.is_null()),
    }
}

/// The columns of `alarms` in the order [`bind_alarm`] binds them (id first).
const ALARM_COLUMNS: [&str; 24] = [
    "id",
    "source_kind",
    "source",
    "condition",
    "enterprise_id",
    "sensor_id",
    "device_id",
    "priority",
    "state",
    "active",
    "acknowledged",
    "started_at",
    "cleared_at",
    "ended_at",
    "acked_at",
    "acked_by",
    "ack_comment",
    "closed_by",
    "close_reason",
    "shelved_until",
    "first_value",
    "last_value",
    "chattering",
    "updated_at",
];

fn bind_alarm(a: &AlarmRow, v: &mut Vec<Value>) {
    v.push(a.id.into());
    v.push(a.source_kind.clone().into());
    v.push(a.source.clone().into());
    v.push(a.condition.clone().into());
    v.push(a.enterprise_id.into());
    v.push(a.sensor_id.into());
    v.push(a.device_id.into());
    v.push(a.priority.clone().into());
    v.push(a.state.clone().into());
    v.push(a.active.into());
    v.push(a.acknowledged.into());
    v.push(a.started_at.into());
    v.push(a.cleared_at.into());
    v.push(a.ended_at.into());
    v.push(a.acked_at.into());
    v.push(a.acked_by.clone().into());
    v.push(a.ack_comment.clone().into());
    v.push(a.closed_by.clone().into());
    v.push(a.close_reason.clone().into());
    v.push(a.shelved_until.into());
    v.push(a.first_value.into());
    v.push(a.last_value.into());
    v.push(a.chattering.into());
    v.push(a.updated_at.into());
}

/// SQLite connection settings in force (see [`Store::sqlite_pragmas`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    /// `journal_mode` (`wal` expected).
    pub journal_mode: String,
    /// `synchronous` (1 = NORMAL).
    pub synchronous: i64,
    /// `busy_timeout`, ms.
    pub busy_timeout_ms: i64,
    /// `foreign_keys`.
    pub foreign_keys: bool,
}

impl Store {
    fn alarm_query(filter: &AlarmFilter, scope: &ScopeFilter) -> sea_orm::Select<alarm::Entity> {
        let mut q = alarm::Entity::find()
            .filter(enterprise_id_in_scope(alarm::Column::EnterpriseId, scope));
        match filter.open {
            Some(true) => q = q.filter(alarm::Column::EndedAt.is_null()),
            Some(false) => q = q.filter(alarm::Column::EndedAt.is_not_null()),
            None => {}
        }
        if let Some(a) = filter.active {
            q = q.filter(alarm::Column::Active.eq(a));
        }
        if let Some(s) = &filter.state {
            q = q.filter(alarm::Column::State.eq(s.as_str()));
        }
        if let Some(p) = &filter.priority {
            q = q.filter(alarm::Column::Priority.eq(p.as_str()));
        }
        if let Some(c) = &filter.condition {
            q = q.filter(alarm::Column::Condition.eq(c.as_str()));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(alarm::Column::EnterpriseId.eq(e));
        }
        if let Some(s) = filter.sensor_id {
            q = q.filter(alarm::Column::SensorId.eq(s));
        }
        if let Some(s) = &filter.source {
            q = q.filter(alarm::Column::Source.eq(s.as_str()));
        }
        if let Some(f) = filter.from {
            q = q.filter(alarm::Column::StartedAt.gte(f));
        }
        if let Some(t) = filter.to {
            q = q.filter(alarm::Column::StartedAt.lt(t));
        }
        q
    }

    async fn alarm_views(&self, rows: Vec<AlarmRow>) -> Result<Vec<AlarmView>> {
        let names = crate::monitoring::enterprise_names_of(
            self,
            rows.iter().filter_map(|a| a.enterprise_id),
        )
        .await?;
        let sensor_ids: Vec<i64> = rows
            .iter()
            .filter_map(|a| a.sensor_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut sensors: HashMap<i64, (String, String)> = HashMap::new();
        for chunk in sensor_ids.chunks(500) {
            let found: Vec<(i64, String, String)> = sensor::Entity::find()
                .select_only()
                .column(sensor::Column::Id)
                .column(sensor::Column::Name)
                .column(sensor::Column::Unit)
                .filter(sensor::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            sensors.extend(found.into_iter().map(|(id, n, u)| (id, (n, u))));
        }
        Ok(rows
            .into_iter()
            .map(|a| {
                let s = a.sensor_id.and_then(|id| sensors.get(&id));
                AlarmView {
                    sensor_name: s.map(|s| s.0.clone()),
                    unit: s.map(|s| s.1.clone()),
                    enterprise_name: a.enterprise_id.and_then(|e| names.get(&e).cloned()),
                    alarm: a,
                }
            })
            .collect())
    }

    /// Lists the alarms the caller may see (by the alarm's enterprise; alarms without an
    /// enterprise only with an unrestricted scope), filtered and paged, newest start first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_alarms(
        &self,
        filter: &AlarmFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<AlarmView>> {
        let q = Self::alarm_query(filter, scope);
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(alarm::Column::StartedAt)
            .order_by_desc(alarm::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf {
            total,
            rows: self.alarm_views(rows).await?,
        })
    }

    /// One alarm with its events (oldest first), if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_alarm(&self, id: i64, scope: &ScopeFilter) -> Result<AlarmDetail> {
        let a = alarm::Entity::find_by_id(id)
            .filter(enterprise_id_in_scope(alarm::Column::EnterpriseId, scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let events = alarm_event::Entity::find()
            .filter(alarm_event::Column::AlarmId.eq(id))
            .order_by_asc(alarm_event::Column::Ts)
            .order_by_asc(alarm_event::Column::Id)
            .all(&self.db)
            .await?;
        let view = self
            .alarm_views(vec![a])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        Ok(AlarmDetail { view, events })
    }

    /// Counts of not-ended alarms the caller may see, and the five started last.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn alarm_summary(&self, scope: &ScopeFilter) -> Result<AlarmSummary> {
        let open = || {
            alarm::Entity::find()
                .filter(enterprise_id_in_scope(alarm::Column::EnterpriseId, scope))
                .filter(alarm::Column::EndedAt.is_null())
        };
        let unacknowledged = open()
            .filter(alarm::Column::Acknowledged.eq(false))
            .count(&self.db)
            .await?;
        let active = open()
            .filter(alarm::Column::Active.eq(true))
            .count(&self.db)
            .await?;
        let counts: Vec<(String, i64)> = open()
            .select_only()
            .column(alarm::Column::Priority)
            .column_as(alarm::Column::Id.count(), "n")
            .group_by(alarm::Column::Priority)
            .into_tuple()
            .all(&self.db)
            .await?;
        let by_priority = PRIORITIES
            .iter()
            .map(|p| {
                let n = counts
                    .iter()
                    .find(|(q, _)| q == p)
                    .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0));
                ((*p).to_owned(), n)
            })
            .collect();
        let latest = open()
            .order_by_desc(alarm::Column::StartedAt)
            .order_by_desc(alarm::Column::Id)
            .limit(5)
            .all(&self.db)
            .await?;
        Ok(AlarmSummary {
            unacknowledged,
            active,
            by_priority,
            latest: self.alarm_views(latest).await?,
        })
    }

    /// Alarm events with `from <= ts < to` (ms since the epoch) of the alarms the caller may see,
    /// in time order, with their alarm's source and condition (the input of the KPIs).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn alarm_events_between(
        &self,
        from: i64,
        to: i64,
        scope: &ScopeFilter,
    ) -> Result<Vec<EventWithAlarm>> {
        let events = alarm_event::Entity::find()
            .filter(alarm_event::Column::Ts.gte(from))
            .filter(alarm_event::Column::Ts.lt(to))
            .filter(
                alarm_event::Column::AlarmId.in_subquery(
                    Query::select()
                        .column(alarm::Column::Id)
                        .from(alarm::Entity)
                        .cond_where(enterprise_id_in_scope(alarm::Column::EnterpriseId, scope))
                        .to_owned(),
                ),
            )
            .order_by_asc(alarm_event::Column::Ts)
            .order_by_asc(alarm_event::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = events
            .iter()
            .map(|e| e.alarm_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut alarms: HashMap<i64, (String, String, String, Option<i64>)> = HashMap::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(i64, String, String, String, Option<i64>)> = alarm::Entity::find()
                .select_only()
                .column(alarm::Column::Id)
                .column(alarm::Column::SourceKind)
                .column(alarm::Column::Source)
                .column(alarm::Column::Condition)
                .column(alarm::Column::EnterpriseId)
                .filter(alarm::Column::Id.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            alarms.extend(found.into_iter().map(|(id, k, s, c, e)| (id, (k, s, c, e))));
        }
        Ok(events
            .into_iter()
            .filter_map(|event| {
                let (source_kind, source, condition, enterprise_id) =
                    alarms.get(&event.alarm_id)?.clone();
                Some(EventWithAlarm {
                    event,
                    source_kind,
                    source,
                    condition,
                    enterprise_id,
                })
            })
            .collect())
    }

    /// Raw readings of a sensor with `from <= ts < to` (ms since the epoch), oldest first, at
    /// most `limit`. Scope is not checked here: fetch the sensor with [`Store::get_sensor`] first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn readings_between(
        &self,
        sensor_id: i64,
        from: i64,
        to: i64,
        limit: u64,
    ) -> Result<Vec<ReadingRow>> {
        Ok(reading::Entity::find()
            .filter(reading::Column::SensorId.eq(sensor_id))
            .filter(reading::Column::Ts.gte(from))
            .filter(reading::Column::Ts.lt(to))
            .order_by_asc(reading::Column::Ts)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| ReadingRow {
                sensor_id: r.sensor_id,
                ts: r.ts,
                value: r.value,
                quality: r.quality,
            })
            .collect())
    }

    /// Minute aggregates of a sensor whose minute starts in `[from, to)` (ms since the epoch),
    /// oldest first. Scope is not checked here: fetch the sensor with [`Store::get_sensor`] first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn minutes_between(
        &self,
        sensor_id: i64,
        from: i64,
        to: i64,
    ) -> Result<Vec<MinuteRow>> {
        Ok(reading_minute::Entity::find()
            .filter(reading_minute::Column::SensorId.eq(sensor_id))
            .filter(reading_minute::Column::Minute.gte(from))
            .filter(reading_minute::Column::Minute.lt(to))
            .order_by_asc(reading_minute::Column::Minute)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| MinuteRow {
                sensor_id: m.sensor_id,
                minute: m.minute,
                min: m.min,
                max: m.max,
                sum: m.sum,
                count: m.count,
            })
            .collect())
    }

    /// How many raw readings are stored (all sensors).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn count_readings(&self) -> Result<u64> {
        Ok(reading::Entity::find().count(&self.db).await?)
    }

    /// Retention: deletes raw readings with `ts < before`, minute aggregates whose minute starts
    /// before it, and alarms that ended before it together with their events (and those events'
    /// webhook deliveries), in one transaction. Open alarms and `sensor_latest` are kept.
    /// `before` in ms since the epoch.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn purge_telemetry_before(&self, before: i64) -> Result<PurgeReport> {
        use crate::entities::webhook_delivery;
        let txn = self.db.begin().await?;
        let readings = reading::Entity::delete_many()
            .filter(reading::Column::Ts.lt(before))
            .exec(&txn)
            .await?
            .rows_affected;
        let minutes = reading_minute::Entity::delete_many()
            .filter(reading_minute::Column::Minute.lt(before))
            .exec(&txn)
            .await?
            .rows_affected;
        let ended = || {
            Query::select()
                .column(alarm::Column::Id)
                .from(alarm::Entity)
                .and_where(Expr::col(alarm::Column::EndedAt).lt(before))
                .to_owned()
        };
        webhook_delivery::Entity::delete_many()
            .filter(
                webhook_delivery::Column::AlarmEventId.in_subquery(
                    Query::select()
                        .column(alarm_event::Column::Id)
                        .from(alarm_event::Entity)
                        .and_where(Expr::col(alarm_event::Column::AlarmId).in_subquery(ended()))
                        .to_owned(),
                ),
            )
            .exec(&txn)
            .await?;
        let events = alarm_event::Entity::delete_many()
            .filter(alarm_event::Column::AlarmId.in_subquery(ended()))
            .exec(&txn)
            .await?
            .rows_affected;
        let alarms = alarm::Entity::delete_many()
            .filter(alarm::Column::EndedAt.lt(before))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        Ok(PurgeReport {
            readings,
            minutes,
            alarms,
            events,
        })
    }

    /// Pending deliveries with `next_attempt_at <= now` (ms since the epoch) to enabled webhooks,
    /// oldest due first, at most `limit` (keep it in the hundreds), with the webhook's URL and secret, the event and its
    /// alarm.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn due_webhook_deliveries(&self, now: i64, limit: u64) -> Result<Vec<DueDelivery>> {
        let due = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::Status.eq("pending"))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
            .filter(
                webhook_delivery::Column::WebhookId.in_subquery(
                    Query::select()
                        .column(webhook::Column::Id)
                        .from(webhook::Entity)
                        .and_where(Expr::col(webhook::Column::Enabled).eq(true))
                        .to_owned(),
                ),
            )
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        let ids = |f: &dyn Fn(&WebhookDelivery) -> i64| -> Vec<i64> {
            due.iter()
                .map(f)
                .collect::<HashSet<_>>()
                .into_iter()
                .collect()
        };
        let hooks: HashMap<i64, webhook::Model> = webhook::Entity::find()
            .filter(webhook::Column::Id.is_in(ids(&|d| d.webhook_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|h| (h.id, h))
            .collect();
        let events: HashMap<i64, AlarmEvent> = alarm_event::Entity::find()
            .filter(alarm_event::Column::Id.is_in(ids(&|d| d.alarm_event_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let alarm_ids: Vec<i64> = events
            .values()
            .map(|e| e.alarm_id)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let alarms: HashMap<i64, AlarmRow> = alarm::Entity::find()
            .filter(alarm::Column::Id.is_in(alarm_ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let mut out = Vec::with_capacity(due.len());
        for d in due {
            let (Some(hook), Some(event)) =
                (hooks.get(&d.webhook_id), events.get(&d.alarm_event_id))
            else {
                continue;
            };
            out.push(DueDelivery {
                url: hook.url.clone(),
                secret: hook.secret.clone(),
                alarm: alarms.get(&event.alarm_id).cloned(),
                event: event.clone(),
                delivery: d,
            });
        }
        Ok(out)
    }

    /// Marks a delivery sent (one more attempt, status `delivered`).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn mark_delivery_delivered(&self, id: i64) -> Result<()> {
        self.update_delivery(id, "delivered", None, None).await
    }

    /// Records a failed attempt: one more attempt, `error` kept, and either another try at
    /// `next_attempt_at` (ms since the epoch) or, with `None`, status `dead` (given up).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn mark_delivery_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: Option<i64>,
    ) -> Result<()> {
        let status = if next_attempt_at.is_some() {
            "pending"
        } else {
            "dead"
        };
        self.update_delivery(id, status, Some(error), next_attempt_at)
            .await
    }

    async fn update_delivery(
        &self,
        id: i64,
        status: &str,
        error: Option<&str>,
        next_attempt_at: Option<i64>,
    ) -> Result<()> {
        let mut q = webhook_delivery::Entity::update_many()
            .col_expr(webhook_delivery::Column::Status, Expr::value(status))
            .col_expr(
                webhook_delivery::Column::Attempts,
                Expr::col(webhook_delivery::Column::Attempts).add(1),
            )
            .filter(webhook_delivery::Column::Id.eq(id));
        if let Some(e) = error {
            q = q.col_expr(webhook_delivery::Column::LastError, Expr::value(e));
        }
        if let Some(n) = next_attempt_at {
            q = q.col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(n));
        }
        if q.exec(&self.db).await?.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// A webhook's deliveries, newest first, paged.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_webhook_deliveries(
        &self,
        webhook_id: i64,
        page: Page,
    ) -> Result<PageOf<WebhookDelivery>> {
        let q = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::WebhookId.eq(webhook_id));
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(webhook_delivery::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }

    /// The SQLite settings in force on a pooled connection (`None` on PostgreSQL), for health
    /// checks and tests.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn sqlite_pragmas(&self) -> Result<Option<SqlitePragmas>> {
        if self.db.get_database_backend() != DbBackend::Sqlite {
            return Ok(None);
        }
        let one = |sql: &'static str| async move {
            self.db
                .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await?
                .ok_or_else(|| StoreError::Db(sea_orm::DbErr::RecordNotFound(sql.into())))
        };
        let journal_mode: String = one("PRAGMA journal_mode").await?.try_get_by_index(0)?;
        let synchronous: i64 = one("PRAGMA synchronous").await?.try_get_by_index(0)?;
        let busy_timeout_ms: i64 = one("PRAGMA busy_timeout").await?.try_get_by_index(0)?;
        let foreign_keys: i64 = one("PRAGMA foreign_keys").await?.try_get_by_index(0)?;
        Ok(Some(SqlitePragmas {
            journal_mode: journal_mode.to_lowercase(),
            synchronous,
            busy_timeout_ms,
            foreign_keys: foreign_keys != 0,
        }))
    }
}
