//! The live pipeline: every way in (built-in MQTT listener, external broker, HTTP) submits
//! readings here; one engine task evaluates them in arrival order with the [`Engine`], a writer
//! task stores readings, latest values, minute aggregates, alarms and alarm events in group commits
//! (one transaction per batch, never one per reading), and only after the commit are submitters
//! answered (so an MQTT PUBACK means "stored") and alarm events published to subscribers (SSE).
//!
//! Operator commands (acknowledge, shelve, close, out of service) go through the same engine task,
//! so the engine stays the single owner of alarm state; its state is persisted with every batch and
//! restored at start ([`Pipeline::start`]).
//!
//! Policies (see `docs/telemetry.md`): unknown sensors, sensors of another device, duplicates and
//! out-of-order readings are counted and dropped; readings more than [`PipelineConfig::future_ms`]
//! ahead of the server clock are dropped as out of order (they would otherwise move the engine
//! clock into the future). When storage fails the writer retries with back-off and the queue fills:
//! submitters then get [`SubmitError::Overloaded`] (devices keep and resend) — nothing
//! acknowledged is ever dropped.

use crate::catalog::Meta;
use crate::{RawReading, Submission, SubmitError, SubmitReport, TelemetrySink};
use anjian_alarm::{ActiveAlarm, Condition, EngineState};
use anjian_alarm::{
    AlarmEvent, Command, CommandError, Disposition, Engine, EventKind, Millis, Reading, SourceKind,
};
use anjian_store::{AlarmEventRow, AlarmRow, ReadingRow, Store, StoredEngineState, TelemetryBatch};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};

/// Tuning of the pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Readings per group commit at most.
    pub max_batch: usize,
    /// Submissions that may wait for the engine before submitters get `Overloaded`.
    pub queue: usize,
    /// How often the engine clock is advanced by the wall clock (timers: delays, stale data,
    /// schedules, escalation, shelve expiry).
    pub tick: Duration,
    /// Readings stamped more than this many milliseconds after the server clock are dropped.
    pub future_ms: Millis,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        Self {
            max_batch: 20_000,
            queue: 4096,
            tick: Duration::from_millis(500),
            future_ms: 5 * 60 * 1000,
        }
    }
}

/// Why the pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Loading the rules or the persisted state failed.
    #[error("storage: {0}")]
    Store(#[from] anjian_store::StoreError),
    /// The stored sensor settings do not make a valid rule set.
    #[error("alarm rules: {0}")]
    Rules(#[from] anjian_alarm::RuleError),
    /// A stored sensor setting is malformed (names the sensor and field).
    #[error("sensor settings: {0}")]
    Settings(String),
    /// The command was refused by the engine.
    #[error(transparent)]
    Command(#[from] CommandError),
    /// The pipeline has stopped.
    #[error("the telemetry pipeline is not running")]
    Stopped,
}

/// An alarm event as published to subscribers: the alarm's row after the event, and the event.
#[derive(Debug, Clone)]
pub struct AlarmNotice {
    /// The alarm as stored after this event.
    pub alarm: AlarmRow,
    /// The event.
    pub event: AlarmEvent,
}

enum Msg {
    Submit(
        Submission,
        oneshot::Sender<Result<SubmitReport, SubmitError>>,
    ),
    Command(Command, oneshot::Sender<Result<(), PipelineError>>),
    Reload(oneshot::Sender<Result<(), PipelineError>>),
}

enum Reply {
    Submit(
        oneshot::Sender<Result<SubmitReport, SubmitError>>,
        SubmitReport,
    ),
    Command(oneshot::Sender<Result<(), PipelineError>>),
}

/// One group commit in the making.
#[derive(Default)]
struct Pending {
    batch: TelemetryBatch,
    alarms: HashMap<u64, AlarmRow>,
    notices: Vec<AlarmNotice>,
    replies: Vec<Reply>,
    /// The engine's out-of-service marks and latches, when they changed.
    marks: Option<Marks>,
}

type Marks = (Vec<(String, Option<Condition>)>, Vec<(String, Condition)>);

impl Pending {
    fn is_empty(&self) -> bool {
        self.batch.readings.is_empty() && self.notices.is_empty() && self.replies.is_empty()
    }
}

/// The handle every way in uses; cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    tx: mpsc::Sender<Msg>,
    notices: broadcast::Sender<Arc<AlarmNotice>>,
}

impl Pipeline {
    /// Loads the rules and the persisted alarm state from the store, restores the engine at the
    /// current time and starts the engine and writer tasks.
    ///
    /// # Errors
    /// [`PipelineError::Store`] or [`PipelineError::Rules`].
    pub async fn start(store: Store, cfg: PipelineConfig) -> Result<Pipeline, PipelineError> {
        let source = store.load_rules_source().await?;
        let (rules, meta) = crate::catalog::rules_from_source(&source)?;
        let stored = store.load_engine_state().await?;
        let now = now_ms();
        let open: HashMap<u64, AlarmRow> = stored
            .alarms
            .iter()
            .map(|r| (r.id as u64, r.clone()))
            .collect();
        // The chattering detector's memory: raises of the last hour before the newest reading.
        let since = stored.last_ts.iter().map(|(_, t)| *t).max().unwrap_or(now) - 3_600_000;
        let recent = store
            .alarm_events_between(
                since,
                i64::MAX,
                &anjian_domain::auth::ScopeFilter::unrestricted(),
            )
            .await?;
        let (mut state, marks) = engine_state(stored);
        state.recent_raises = recent_raises(&recent);
        let engine = Engine::restore(rules, state, now)?;
        let marks_gen = engine.marks_generation();
        let (tx, rx) = mpsc::channel(cfg.queue);
        let (notices, _) = broadcast::channel(4096);
        let (wtx, wrx) = mpsc::channel::<Pending>(2);
        tokio::spawn(writer(store.clone(), wrx, notices.clone(), marks));
        let core = Core {
            marks_gen,
            engine,
            meta,
            open,
            store,
            cfg,
            out: Vec::new(),
        };
        tokio::spawn(core.run(rx, wtx));
        Ok(Pipeline { tx, notices })
    }

    /// Subscribes to alarm events (after they are stored).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<AlarmNotice>> {
        self.notices.subscribe()
    }

    /// Applies an operator command; resolves after the resulting events are stored.
    ///
    /// # Errors
    /// [`PipelineError::Command`] when the engine refuses it, [`PipelineError::Stopped`].
    pub async fn command(&self, cmd: Command) -> Result<(), PipelineError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Msg::Command(cmd, reply))
            .await
            .map_err(|_| PipelineError::Stopped)?;
        rx.await.map_err(|_| PipelineError::Stopped)?
    }

    /// Reloads the rules from the store (after sensors, devices or groups changed); alarm state of
    /// sources that still exist is kept.
    ///
    /// # Errors
    /// [`PipelineError::Rules`] when the stored settings are invalid (the old rules stay).
    pub async fn reload(&self) -> Result<(), PipelineError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Msg::Reload(reply))
            .await
            .map_err(|_| PipelineError::Stopped)?;
        rx.await.map_err(|_| PipelineError::Stopped)?
    }
}

impl TelemetrySink for Pipeline {
    async fn submit(&self, sub: Submission) -> Result<SubmitReport, SubmitError> {
        let (reply, rx) = oneshot::channel();
        match self.tx.try_send(Msg::Submit(sub, reply)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => return Err(SubmitError::Overloaded),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(SubmitError::ShuttingDown),
        }
        rx.await.map_err(|_| SubmitError::ShuttingDown)?
    }
}

/// Current wall-clock time in epoch milliseconds.
pub fn now_ms() -> Millis {
    chrono::Utc::now().timestamp_millis()
}

struct Core {
    marks_gen: u64,
    engine: Engine,
    meta: HashMap<String, Meta>,
    open: HashMap<u64, AlarmRow>,
    store: Store,
    cfg: PipelineConfig,
    out: Vec<AlarmEvent>,
}

impl Core {
    async fn run(mut self, mut rx: mpsc::Receiver<Msg>, wtx: mpsc::Sender<Pending>) {
        let mut tick = tokio::time::interval(self.cfg.tick);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let mut pending = Pending::default();
            tokio::select! {
                msg = rx.recv() => match msg {
                    Some(m) => self.handle(m, &mut pending).await,
                    None => break,
                },
                _ = tick.tick() => self.advance(now_ms(), &mut pending),
            }
            // Group commit: take whatever else is already waiting, up to the batch size.
            while pending.batch.readings.len() < self.cfg.max_batch {
                match rx.try_recv() {
                    Ok(m) => self.handle(m, &mut pending).await,
                    Err(_) => break,
                }
            }
            if self.engine.marks_generation() != self.marks_gen {
                self.marks_gen = self.engine.marks_generation();
                pending.marks = Some(self.engine.marks());
            }
            if pending.is_empty() && pending.marks.is_none() {
                continue;
            }
            finish(&mut pending);
            if wtx.send(pending).await.is_err() {
                break;
            }
        }
    }

    async fn handle(&mut self, msg: Msg, p: &mut Pending) {
        match msg {
            Msg::Submit(sub, reply) => {
                let report = self.ingest(sub, p);
                p.replies.push(Reply::Submit(reply, report));
            }
            Msg::Command(cmd, reply) => {
                let now = now_ms().max(self.engine.clock());
                let mut out = std::mem::take(&mut self.out);
                match self.engine.command(cmd, now, &mut out) {
                    Ok(()) => {
                        self.record(&mut out, p);
                        p.replies.push(Reply::Command(reply));
                    }
                    Err(e) => {
                        out.clear();
                        let _ = reply.send(Err(e.into()));
                    }
                }
                self.out = out;
            }
            Msg::Reload(reply) => {
                let result = self.reload(p).await;
                match result {
                    Ok(()) => p.replies.push(Reply::Command(reply)),
                    Err(e) => {
                        let _ = reply.send(Err(e));
                    }
                }
            }
        }
    }

    async fn reload(&mut self, p: &mut Pending) -> Result<(), PipelineError> {
        let source = self.store.load_rules_source().await?;
        let (rules, meta) = crate::catalog::rules_from_source(&source)?;
        let mut out = std::mem::take(&mut self.out);
        let now = now_ms().max(self.engine.clock());
        let result = self.engine.replace_rules(rules, now, &mut out);
        if result.is_ok() {
            self.meta = meta;
        }
        self.record(&mut out, p);
        self.out = out;
        Ok(result?)
    }

    fn advance(&mut self, now: Millis, p: &mut Pending) {
        let mut out = std::mem::take(&mut self.out);
        self.engine.advance_to(now, &mut out);
        self.record(&mut out, p);
        self.out = out;
    }

    fn ingest(&mut self, sub: Submission, p: &mut Pending) -> SubmitReport {
        let mut report = SubmitReport::default();
        let horizon = sub.received_at + self.cfg.future_ms;
        let owner = sub.device.as_deref().or(sub.topic_device.as_deref());
        let mut out = std::mem::take(&mut self.out);
        for r in sub.readings {
            let RawReading {
                sensor,
                ts,
                value,
                quality,
            } = r;
            let Some(ix) = self.engine.sensor_ix(&sensor) else {
                report.unknown_sensor += 1;
                continue;
            };
            let meta = self.meta.get(&sensor);
            if let Some(dev) = owner
                && meta.and_then(|m| m.device_code.as_deref()) != Some(dev)
            {
                report.foreign_sensor += 1;
                continue;
            }
            if ts > horizon {
                report.out_of_order += 1;
                continue;
            }
            let reading = Reading {
                sensor: ix,
                ts,
                value,
                quality,
            };
            match self.engine.ingest(reading, &mut out) {
                Disposition::Accepted => {
                    report.accepted += 1;
                    if let Some(sensor_id) = meta.and_then(|m| m.sensor_id) {
                        p.batch.readings.push(ReadingRow {
                            sensor_id,
                            ts,
                            value,
                            quality: quality_code(quality),
                        });
                    }
                }
                Disposition::Duplicate => report.duplicate += 1,
                Disposition::OutOfOrder => report.out_of_order += 1,
            }
            if !out.is_empty() {
                self.record(&mut out, p);
            }
        }
        self.out = out;
        report
    }

    /// Turns engine events into alarm rows, event rows and notices.
    fn record(&mut self, out: &mut Vec<AlarmEvent>, p: &mut Pending) {
        for e in out.drain(..) {
            let id = e.alarm_id;
            let row = match self.open.remove(&id) {
                Some(row) => row,
                None => new_row(&e, self.meta.get(&*e.source)),
            };
            let mut row = apply(row, &e);
            match self.engine.alarm(id) {
                Some(a) => {
                    row.active = a.active;
                    row.acknowledged = a.acknowledged;
                    row.shelved_until = a.shelved_until;
                    row.chattering = a.chattering;
                    self.open.insert(id, row.clone());
                }
                None => row.ended_at = Some(e.ts),
            }
            p.batch.events.push(AlarmEventRow {
                alarm_id: id as i64,
                kind: e.kind.as_str().to_string(),
                ts: e.ts,
                value: e.value,
                priority: e.priority.as_str().to_string(),
                state: e.state.as_str().to_string(),
                actor: e.actor.clone(),
                comment: e.comment.clone(),
            });
            p.alarms.insert(id, row.clone());
            p.notices.push(AlarmNotice {
                alarm: row,
                event: e,
            });
        }
    }
}

fn quality_code(q: anjian_alarm::Quality) -> i16 {
    match q {
        anjian_alarm::Quality::Good => 0,
        anjian_alarm::Quality::Bad => 1,
    }
}

/// Moves the batch's maps into the batch (latest value per sensor, alarms).
fn finish(p: &mut Pending) {
    let mut latest: HashMap<i64, ReadingRow> = HashMap::new();
    for r in &p.batch.readings {
        match latest.get(&r.sensor_id) {
            Some(l) if l.ts >= r.ts => {}
            _ => {
                latest.insert(r.sensor_id, *r);
            }
        }
    }
    p.batch.latest = latest.into_values().collect();
    // The engine accepted each reading only if it is later than the sensor's latest stored one.
    p.batch.readings_are_new = true;
    p.batch.alarms = p.alarms.drain().map(|(_, a)| a).collect();
}

fn new_row(e: &AlarmEvent, meta: Option<&Meta>) -> AlarmRow {
    let meta = meta.cloned().unwrap_or_default();
    AlarmRow {
        id: e.alarm_id as i64,
        source_kind: e.source_kind.as_str().to_string(),
        source: e.source.to_string(),
        condition: e.condition.as_str().to_string(),
        enterprise_id: meta.enterprise_id,
        sensor_id: if e.source_kind == SourceKind::Sensor {
            meta.sensor_id
        } else {
            None
        },
        device_id: meta.device_id,
        priority: e.priority.as_str().to_string(),
        state: e.state.as_str().to_string(),
        active: true,
        acknowledged: false,
        started_at: e.ts,
        cleared_at: None,
        ended_at: None,
        acked_at: None,
        acked_by: None,
        ack_comment: None,
        closed_by: None,
        close_reason: None,
        shelved_until: None,
        first_value: e.value,
        last_value: e.value,
        chattering: false,
        updated_at: e.ts,
    }
}

fn apply(mut row: AlarmRow, e: &AlarmEvent) -> AlarmRow {
    row.priority = e.priority.as_str().to_string();
    row.state = e.state.as_str().to_string();
    row.updated_at = e.ts;
    if e.value.is_some() {
        row.last_value = e.value;
    }
    match e.kind {
        EventKind::Cleared => row.cleared_at = Some(e.ts),
        EventKind::Acknowledged => {
            row.acked_at = Some(e.ts);
            row.acked_by = e.actor.clone();
            row.ack_comment = e.comment.clone();
        }
        EventKind::Closed => {
            row.closed_by = e.actor.clone();
            row.close_reason = e.comment.clone();
        }
        _ => {}
    }
    row
}

async fn writer(
    store: Store,
    mut rx: mpsc::Receiver<Pending>,
    notices: broadcast::Sender<Arc<AlarmNotice>>,
    mut marks: Marks,
) {
    while let Some(p) = rx.recv().await {
        let mut backoff = Duration::from_millis(50);
        loop {
            match store.write_telemetry(&p.batch).await {
                Ok(_) => break,
                Err(e) => {
                    tracing::error!(error = %e, readings = p.batch.readings.len(), "storing telemetry failed; retrying");
                    metrics::counter!("anjian_pipeline_write_errors_total").increment(1);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
        if let Some(new) = &p.marks {
            save_marks(&store, &marks, new).await;
            marks = new.clone();
        }
        let n = p.batch.readings.len() as u64;
        metrics::counter!("anjian_readings_stored_total").increment(n);
        metrics::counter!("anjian_alarm_events_total").increment(p.notices.len() as u64);
        for r in p.replies {
            match r {
                Reply::Submit(tx, report) => {
                    let _ = tx.send(Ok(report));
                }
                Reply::Command(tx) => {
                    let _ = tx.send(Ok(()));
                }
            }
        }
        for n in p.notices {
            let _ = notices.send(Arc::new(n));
        }
    }
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("queued", &(self.tx.max_capacity() - self.tx.capacity()))
            .finish()
    }
}

/// The engine state persisted in the store, in the engine's terms, and the marks as loaded.
fn engine_state(s: StoredEngineState) -> (EngineState, Marks) {
    let alarms = s
        .alarms
        .iter()
        .filter_map(|r| {
            Some(ActiveAlarm {
                alarm_id: u64::try_from(r.id).ok()?,
                source_kind: r.source_kind.parse().ok()?,
                source: r.source.clone(),
                condition: r.condition.parse().ok()?,
                priority: r.priority.parse().ok()?,
                state: r.state.parse().ok()?,
                active: r.active,
                acknowledged: r.acknowledged,
                started_at: r.started_at,
                cleared_at: r.cleared_at,
                shelved_until: r.shelved_until,
                last_value: r.last_value,
                chattering: r.chattering,
            })
        })
        .collect();
    let mut oos = Vec::new();
    let mut latched = Vec::new();
    for m in &s.marks {
        let condition = m
            .condition
            .as_deref()
            .and_then(|c| c.parse::<Condition>().ok());
        match m.kind.as_str() {
            "out_of_service" => oos.push((m.source.clone(), condition)),
            "latched" => {
                if let Some(c) = condition {
                    latched.push((m.source.clone(), c));
                }
            }
            _ => {}
        }
    }
    let next = s.max_alarm_id.map_or(1, |m| m.max(0) as u64 + 1);
    let state = EngineState {
        next_alarm_id: next,
        alarms,
        last_ts: s.last_ts,
        out_of_service: oos.clone(),
        latched: latched.clone(),
        recent_raises: Vec::new(),
    };
    (state, (oos, latched))
}

/// Raise times per source and condition from stored events (the newest ten of each).
fn recent_raises(
    events: &[anjian_store::EventWithAlarm],
) -> Vec<(SourceKind, String, Condition, Vec<Millis>)> {
    let mut by: HashMap<(String, String, String), Vec<Millis>> = HashMap::new();
    for e in events.iter().filter(|e| e.event.kind == "raised") {
        by.entry((e.source_kind.clone(), e.source.clone(), e.condition.clone()))
            .or_default()
            .push(e.event.ts);
    }
    by.into_iter()
        .filter_map(|((kind, source, condition), mut times)| {
            times.sort_unstable();
            let skip = times.len().saturating_sub(10);
            Some((
                kind.parse().ok()?,
                source,
                condition.parse().ok()?,
                times.split_off(skip),
            ))
        })
        .collect()
}

/// Writes the difference between the stored marks and the engine's.
async fn save_marks(store: &Store, old: &Marks, new: &Marks) {
    let now = now_ms();
    let result: Result<(), anjian_store::StoreError> = async {
        for m in old.0.iter().filter(|m| !new.0.contains(m)) {
            store
                .remove_engine_mark(&m.0, m.1.map(|c| c.as_str()), "out_of_service")
                .await?;
        }
        for m in new.0.iter().filter(|m| !old.0.contains(m)) {
            store
                .add_engine_mark(
                    &m.0,
                    m.1.map(|c| c.as_str()),
                    "out_of_service",
                    "engine",
                    now,
                )
                .await?;
        }
        for m in old.1.iter().filter(|m| !new.1.contains(m)) {
            store
                .remove_engine_mark(&m.0, Some(m.1.as_str()), "latched")
                .await?;
        }
        for m in new.1.iter().filter(|m| !old.1.contains(m)) {
            store
                .add_engine_mark(&m.0, Some(m.1.as_str()), "latched", "engine", now)
                .await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "saving out-of-service marks and latches failed");
    }
}
