//! Alarms (报警): the live and historical list, operator commands (acknowledge, shelve, close,
//! out of service), the server-sent-events stream for the console, alarm-system KPIs
//! (EEMUA 191 / ISA-18.2), and telemetry batches over HTTP.
//!
//! Commands go through the telemetry pipeline, which owns alarm state; each answers after the
//! resulting events are stored.

use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_alarm::{Command, CommandError, Condition, Millis};
use anjian_ingest::pipeline::{AlarmNotice, PipelineError};
use anjian_ingest::{RawReading, Submission, SubmitError, SubmitReport, TelemetrySink};
use anjian_store::{AlarmFilter, AlarmRow, AlarmView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One alarm occurrence as the API shows it. Times are epoch milliseconds (UTC).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmDto {
    /// Alarm id (one per occurrence).
    pub id: i64,
    /// `sensor`, `device` or `group`.
    pub source_kind: String,
    /// Code of the sensor, device or voting group.
    pub source: String,
    /// Name of the sensor (or device / group), when known.
    pub source_name: Option<String>,
    /// `high_high`, `high`, `low`, `low_low`, `rate_of_change`, `communication_fault`,
    /// `sensor_fault`, `device_offline` or `voting`.
    pub condition: String,
    /// `low`, `medium`, `high` or `critical`.
    pub priority: String,
    /// ISA-18.2 state: `unacknowledged`, `acknowledged`, `returned_unacknowledged`, `shelved`,
    /// `suppressed`, `out_of_service` or `normal` (ended).
    pub state: String,
    /// Whether the condition is currently true.
    pub active: bool,
    /// Whether an operator acknowledged it.
    pub acknowledged: bool,
    /// Raised at.
    pub started_at: Millis,
    /// Condition cleared at.
    pub cleared_at: Option<Millis>,
    /// Occurrence ended at (cleared and acknowledged, or closed).
    pub ended_at: Option<Millis>,
    /// Acknowledged at.
    pub acked_at: Option<Millis>,
    /// Who acknowledged.
    pub acked_by: Option<String>,
    /// Acknowledgement comment.
    pub ack_comment: Option<String>,
    /// Who closed it by hand.
    pub closed_by: Option<String>,
    /// Close reason code (dictionary `alarm_close_reason`) and comment.
    pub close_reason: Option<String>,
    /// Shelved until.
    pub shelved_until: Option<Millis>,
    /// Value that raised it, in the sensor's unit.
    pub first_value: Option<f64>,
    /// Latest value seen with it.
    pub last_value: Option<f64>,
    /// The sensor's unit.
    pub unit: Option<String>,
    /// Marked chattering (too many raises in a short window).
    pub chattering: bool,
    /// Sensor id, for the trend chart.
    pub sensor_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Enterprise name.
    pub enterprise_name: Option<String>,
}

impl From<AlarmView> for AlarmDto {
    fn from(r: AlarmView) -> Self {
        let mut d = AlarmDto::from(r.alarm);
        d.source_name = r.sensor_name;
        d.unit = r.unit;
        d.enterprise_name = r.enterprise_name;
        d
    }
}

impl From<AlarmRow> for AlarmDto {
    fn from(a: AlarmRow) -> Self {
        Self {
            id: a.id,
            source_kind: a.source_kind,
            source: a.source,
            source_name: None,
            condition: a.condition,
            priority: a.priority,
            state: a.state,
            active: a.active,
            acknowledged: a.acknowledged,
            started_at: a.started_at,
            cleared_at: a.cleared_at,
            ended_at: a.ended_at,
            acked_at: a.acked_at,
            acked_by: a.acked_by,
            ack_comment: a.ack_comment,
            closed_by: a.closed_by,
            close_reason: a.close_reason,
            shelved_until: a.shelved_until,
            first_value: a.first_value,
            last_value: a.last_value,
            unit: None,
            chattering: a.chattering,
            sensor_id: a.sensor_id,
            enterprise_id: a.enterprise_id,
            enterprise_name: None,
        }
    }
}

/// One event in an alarm's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmEventDto {
    /// `raised`, `cleared`, `acknowledged`, `escalated`, `deescalated`, `shelved`, `unshelved`,
    /// `suppressed`, `unsuppressed`, `out_of_service`, `returned_to_service`, `closed`, `chattering`.
    pub kind: String,
    /// Event time, epoch ms.
    pub ts: Millis,
    /// The reading that caused it, if any.
    pub value: Option<f64>,
    /// Priority after the event.
    pub priority: String,
    /// State after the event.
    pub state: String,
    /// Operator, for commands.
    pub actor: Option<String>,
    /// Comment or reason.
    pub comment: Option<String>,
}

/// An alarm with its full event history.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmDetail {
    /// The alarm.
    #[serde(flatten)]
    pub alarm: AlarmDto,
    /// Its events, oldest first.
    pub events: Vec<AlarmEventDto>,
}

/// Alarm list filters. Times are epoch ms.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AlarmQuery {
    /// Page number (1-based).
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    pub page_size: Option<u64>,
    /// `true`: occurrences not yet ended (the live list, whether or not the condition still
    /// holds); `false`: ended ones (history).
    pub active: Option<bool>,
    /// ISA-18.2 state.
    pub state: Option<String>,
    /// Priority.
    pub priority: Option<String>,
    /// Condition.
    pub condition: Option<String>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Sensor.
    pub sensor_id: Option<i64>,
    /// Source code (exact).
    pub source: Option<String>,
    /// Raised at or after.
    pub from: Option<Millis>,
    /// Raised before.
    pub to: Option<Millis>,
}

fn check_enum<T: std::str::FromStr>(
    field: &str,
    v: &Option<String>,
    expected: &str,
) -> ApiResult<()> {
    match v {
        Some(s) if s.parse::<T>().is_err() => Err(ApiError::invalid(
            field,
            format!("expected one of {expected}"),
        )),
        _ => Ok(()),
    }
}

impl AlarmQuery {
    fn filter(&self) -> ApiResult<AlarmFilter> {
        check_enum::<anjian_alarm::AlarmState>(
            "state",
            &self.state,
            "normal, unacknowledged, acknowledged, returned_unacknowledged, shelved, suppressed, out_of_service",
        )?;
        check_enum::<anjian_alarm::Priority>(
            "priority",
            &self.priority,
            "low, medium, high, critical",
        )?;
        check_enum::<Condition>(
            "condition",
            &self.condition,
            "high_high, high, low, low_low, rate_of_change, communication_fault, sensor_fault, device_offline, voting",
        )?;
        if self.source.as_ref().is_some_and(|s| s.chars().count() > 64) {
            return Err(ApiError::invalid("source", "at most 64 characters"));
        }
        Ok(AlarmFilter {
            open: self.active,
            active: None,
            state: self.state.clone(),
            priority: self.priority.clone(),
            condition: self.condition.clone(),
            enterprise_id: self.enterprise_id,
            sensor_id: self.sensor_id,
            source: self.source.clone(),
            from: self.from,
            to: self.to,
        })
    }
}

/// List alarms within the caller's data scope, newest first.
#[utoipa::path(get, path = "/api/alarms", tag = "alarm", security(("bearer" = [])), params(AlarmQuery),
    responses((status = 200, body = PageResult<AlarmDto>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<AlarmQuery>,
) -> ApiResult<Json<PageResult<AlarmDto>>> {
    me.require("monitoring:alarm:query")?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let p = s.store.list_alarms(&q.filter()?, &me.scope, page).await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// One alarm with its event history (404 outside the caller's data scope).
#[utoipa::path(get, path = "/api/alarms/{id}", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AlarmDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<AlarmDetail>> {
    me.require("monitoring:alarm:query")?;
    detail(&s, &me, id).await
}

/// The alarm and its history as the caller's scope allows (also the answer to a command, which
/// its own permission already guarded).
async fn detail(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<Json<AlarmDetail>> {
    let d = s.store.get_alarm(id, &me.scope).await?;
    Ok(Json(AlarmDetail {
        alarm: d.view.into(),
        events: d
            .events
            .into_iter()
            .map(|e| AlarmEventDto {
                kind: e.kind,
                ts: e.ts,
                value: e.value,
                priority: e.priority,
                state: e.state,
                actor: e.actor,
                comment: e.comment,
            })
            .collect(),
    }))
}

/// Acknowledgement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AckInput {
    /// Comment (at most 500 characters).
    #[serde(default)]
    pub comment: String,
}

/// Shelving.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShelveInput {
    /// How long, in minutes (1..=10080, a week).
    pub minutes: i64,
    /// Why (at most 500 characters).
    #[serde(default)]
    pub comment: String,
}

/// Closing by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// Reason code (dictionary `alarm_close_reason`: false_alarm, maintenance, handled,
    /// duplicate, other).
    pub reason: String,
    /// Comment (at most 500 characters).
    #[serde(default)]
    pub comment: String,
}

/// Close reason codes (dictionary `alarm_close_reason`).
pub const CLOSE_REASONS: [&str; 5] = [
    "false_alarm",
    "maintenance",
    "handled",
    "duplicate",
    "other",
];

fn comment_ok(c: &str) -> ApiResult<()> {
    if c.chars().count() > 500 {
        return Err(ApiError::invalid("comment", "at most 500 characters"));
    }
    Ok(())
}

fn command_error(e: PipelineError) -> ApiError {
    match e {
        PipelineError::Command(CommandError::UnknownAlarm(_)) => ApiError::NotFound,
        PipelineError::Command(other) => ApiError::invalid("state", other.to_string()),
        other => ApiError::Internal(other.to_string()),
    }
}

async fn run(s: &AppState, cmd: Command) -> ApiResult<()> {
    s.pipeline.command(cmd).await.map_err(command_error)
}

async fn scoped_alarm(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<u64> {
    s.store.get_alarm(id, &me.scope).await?;
    u64::try_from(id).map_err(|_| ApiError::NotFound)
}

/// Acknowledge an alarm (ISA-18.2: unacknowledged → acknowledged; returned-unacknowledged →
/// normal, ending the occurrence).
#[utoipa::path(post, path = "/api/alarms/{id}/ack", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AckInput,
    responses((status = 200, body = AlarmDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ack(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<AckInput>,
) -> ApiResult<Json<AlarmDetail>> {
    me.require("monitoring:alarm:ack")?;
    comment_ok(&b.comment)?;
    let alarm_id = scoped_alarm(&s, &me, id).await?;
    run(
        &s,
        Command::Acknowledge {
            alarm_id,
            actor: me.user.username.clone(),
            comment: b.comment,
        },
    )
    .await?;
    detail(&s, &me, id).await
}

/// Shelve an alarm for a number of minutes; when the time is up it comes back (raised anew if
/// its condition still holds).
#[utoipa::path(post, path = "/api/alarms/{id}/shelve", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ShelveInput,
    responses((status = 200, body = AlarmDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn shelve(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ShelveInput>,
) -> ApiResult<Json<AlarmDetail>> {
    me.require("monitoring:alarm:shelve")?;
    comment_ok(&b.comment)?;
    if !(1..=10_080).contains(&b.minutes) {
        return Err(ApiError::invalid("minutes", "1 to 10080 (a week)"));
    }
    let alarm_id = scoped_alarm(&s, &me, id).await?;
    let until = anjian_ingest::pipeline::now_ms() + b.minutes * 60_000;
    run(
        &s,
        Command::Shelve {
            alarm_id,
            actor: me.user.username.clone(),
            until,
            comment: b.comment,
        },
    )
    .await?;
    detail(&s, &me, id).await
}

/// Unshelve an alarm now.
#[utoipa::path(post, path = "/api/alarms/{id}/unshelve", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AlarmDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn unshelve(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<AlarmDetail>> {
    me.require("monitoring:alarm:shelve")?;
    let alarm_id = scoped_alarm(&s, &me, id).await?;
    run(
        &s,
        Command::Unshelve {
            alarm_id,
            actor: me.user.username.clone(),
        },
    )
    .await?;
    detail(&s, &me, id).await
}

/// Close an alarm by hand with a reason code; the occurrence ends. If its condition still holds,
/// nothing is raised again until the value has been normal once.
#[utoipa::path(post, path = "/api/alarms/{id}/close", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CloseInput,
    responses((status = 200, body = AlarmDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn close(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<CloseInput>,
) -> ApiResult<Json<AlarmDetail>> {
    me.require("monitoring:alarm:close")?;
    comment_ok(&b.comment)?;
    if !CLOSE_REASONS.contains(&b.reason.as_str()) {
        return Err(ApiError::invalid(
            "reason",
            format!("one of {}", CLOSE_REASONS.join(", ")),
        ));
    }
    let alarm_id = scoped_alarm(&s, &me, id).await?;
    let reason = if b.comment.is_empty() {
        b.reason
    } else {
        format!("{}: {}", b.reason, b.comment)
    };
    run(
        &s,
        Command::Close {
            alarm_id,
            actor: me.user.username.clone(),
            reason,
        },
    )
    .await?;
    detail(&s, &me, id).await
}

/// Counts for the console's notification bell.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmSummary {
    /// Occurrences awaiting acknowledgement.
    pub unacknowledged: u64,
    /// Occurrences whose condition is active.
    pub active: u64,
    /// Open occurrences by priority.
    pub by_priority: HashMap<String, u64>,
    /// The five newest open occurrences.
    pub latest: Vec<AlarmDto>,
}

/// Counts of open alarms within the caller's scope, and the five newest.
#[utoipa::path(get, path = "/api/alarms/summary", tag = "alarm", security(("bearer" = [])),
    responses((status = 200, body = AlarmSummary)))]
pub async fn summary(State(s): State<AppState>, me: CurrentUser) -> ApiResult<Json<AlarmSummary>> {
    me.require("monitoring:alarm:query")?;
    let c = s.store.alarm_summary(&me.scope).await?;
    Ok(Json(AlarmSummary {
        unacknowledged: c.unacknowledged,
        active: c.active,
        by_priority: c.by_priority.into_iter().collect(),
        latest: c.latest.into_iter().map(Into::into).collect(),
    }))
}

/// The SSE payload of one alarm event.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmStreamItem {
    /// The alarm after the event.
    #[serde(flatten)]
    pub alarm: AlarmDto,
    /// The event.
    pub event: AlarmEventDto,
}

/// Display names of one alarm source, cached per stream subscriber.
struct Names {
    source_name: Option<String>,
    unit: Option<String>,
    enterprise_name: Option<String>,
}

fn stream_item(n: &AlarmNotice) -> AlarmStreamItem {
    let e = &n.event;
    AlarmStreamItem {
        alarm: n.alarm.clone().into(),
        event: AlarmEventDto {
            kind: e.kind.as_str().to_string(),
            ts: e.ts,
            value: e.value,
            priority: e.priority.as_str().to_string(),
            state: e.state.as_str().to_string(),
            actor: e.actor.clone(),
            comment: e.comment.clone(),
        },
    }
}

/// Server-sent events: one `alarm` event per alarm event in the caller's scope, after it is
/// stored; a keep-alive comment every 15 s. `EventSource` cannot send headers, so the token may
/// also be given as `?token=`.
#[utoipa::path(get, path = "/api/alarms/stream", tag = "alarm", security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream of `alarm` events (AlarmStreamItem)", content_type = "text/event-stream")))]
pub async fn stream(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>>> {
    me.require("monitoring:alarm:query")?;
    let rx = s.pipeline.subscribe();
    let store = s.store.clone();
    let scope = Arc::new(me.scope.clone());
    let all = me.scope.is_all();
    // Per subscriber: which enterprises are in scope, and the display names of each source
    // (looked up once per source from the stored alarm, so the stream carries what the list has).
    let state = (
        rx,
        HashMap::<i64, bool>::new(),
        HashMap::<String, Names>::new(),
    );
    let events = futures_util::stream::unfold(state, move |(mut rx, mut seen, mut names)| {
        let store = store.clone();
        let scope = scope.clone();
        async move {
            loop {
                let notice = match rx.recv().await {
                    Ok(n) => n,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(k)) => {
                        let ev = Event::default().event("lagged").data(k.to_string());
                        return Some((Ok(ev), (rx, seen, names)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                };
                let visible = all
                    || match notice.alarm.enterprise_id {
                        None => false,
                        Some(eid) => match seen.get(&eid) {
                            Some(v) => *v,
                            None => {
                                let v = store.get_enterprise(eid, &scope).await.is_ok();
                                seen.insert(eid, v);
                                v
                            }
                        },
                    };
                if !visible {
                    continue;
                }
                let mut item = stream_item(&notice);
                if !names.contains_key(&item.alarm.source)
                    && let Ok(d) = store.get_alarm(item.alarm.id, &scope).await
                {
                    names.insert(
                        item.alarm.source.clone(),
                        Names {
                            source_name: d.view.sensor_name,
                            unit: d.view.unit,
                            enterprise_name: d.view.enterprise_name,
                        },
                    );
                }
                if let Some(n) = names.get(&item.alarm.source) {
                    item.alarm.source_name.clone_from(&n.source_name);
                    item.alarm.unit.clone_from(&n.unit);
                    item.alarm.enterprise_name.clone_from(&n.enterprise_name);
                }
                let data = serde_json::to_string(&item).unwrap_or_default();
                return Some((
                    Ok(Event::default().event("alarm").data(data)),
                    (rx, seen, names),
                ));
            }
        }
    });
    Ok(Sse::new(events).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("ping"),
    ))
}

/// KPI period (epoch ms); default the last 24 hours.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// From (inclusive).
    pub from: Option<Millis>,
    /// To (exclusive).
    pub to: Option<Millis>,
}

/// Alarm-system KPIs after EEMUA 191 / ISA-18.2.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KpiDto {
    /// Per plant area: average and peak raises per 10 minutes (EEMUA 191: ≤ 1 manageable, > 2 over-demanding).
    pub alarms_per_10_min_by_area: Vec<AreaRate>,
    /// Share of 10-minute periods with more than 10 raises (flood), percent.
    pub flood_percent: f64,
    /// Chattering alarms (≥ 3 raises of one source and condition within 60 s, or marked by the engine).
    pub chattering: Vec<Contributor>,
    /// Alarms active for more than 24 hours.
    pub stale: Vec<StaleAlarm>,
    /// The ten sources with the most raises.
    pub top10: Vec<Contributor>,
    /// Raises in the period.
    pub total_raises: u64,
}

/// Alarm rate of one area.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaRate {
    /// Plant area (`-` when the sensor has none).
    pub area: String,
    /// Average raises per 10 minutes.
    pub average: f64,
    /// Most raises in one 10-minute period.
    pub peak: u64,
}

/// A source and condition with its raise count.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contributor {
    /// Source code.
    pub source: String,
    /// Condition.
    pub condition: String,
    /// Raises in the period.
    pub raises: u64,
}

/// An alarm active for more than 24 hours.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StaleAlarm {
    /// Alarm id.
    pub alarm_id: u64,
    /// Source code.
    pub source: String,
    /// Condition.
    pub condition: String,
    /// Raised at, epoch ms.
    pub started_at: Millis,
}

/// Alarm-system KPIs of the caller's scope for a period (at most 31 days).
#[utoipa::path(get, path = "/api/alarms/kpi", tag = "alarm", security(("bearer" = [])), params(KpiQuery),
    responses((status = 200, body = KpiDto), (status = 422, body = ErrorBody)))]
pub async fn kpi(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Json<KpiDto>> {
    me.require("monitoring:kpi:query")?;
    let now = anjian_ingest::pipeline::now_ms();
    let to = q.to.unwrap_or(now);
    let from = q.from.unwrap_or(to - 24 * 3_600_000);
    if from >= to {
        return Err(ApiError::invalid("from", "must be before `to`"));
    }
    if to - from > 31 * 86_400_000 {
        return Err(ApiError::invalid("from", "the period is at most 31 days"));
    }
    let events = s.store.alarm_events_between(from, to, &me.scope).await?;
    let open = s
        .store
        .list_alarms(
            &AlarmFilter {
                open: Some(true),
                to: Some(from),
                ..Default::default()
            },
            &me.scope,
            anjian_domain::page::Page::new(Some(1), Some(500))?,
        )
        .await?;
    let open: Vec<AlarmRow> = open.rows.into_iter().map(|v| v.alarm).collect();
    let mut codes: Vec<String> = events.iter().map(|e| e.source.clone()).collect();
    codes.extend(open.iter().map(|a| a.source.clone()));
    codes.sort_unstable();
    codes.dedup();
    let areas = s.store.sensor_areas(&codes).await?;
    let k = anjian_ingest::kpi::compute(&events, &open, &areas, from, to, now);
    Ok(Json(KpiDto {
        alarms_per_10_min_by_area: k
            .alarms_per_10min_by_area
            .into_iter()
            .map(|(area, average, peak)| AreaRate {
                area,
                average,
                peak,
            })
            .collect(),
        flood_percent: k.flood_percent,
        chattering: k
            .chattering
            .into_iter()
            .map(|(source, c, raises)| Contributor {
                source,
                condition: c.as_str().to_string(),
                raises,
            })
            .collect(),
        stale: k
            .stale
            .into_iter()
            .map(|(alarm_id, source, c, started_at)| StaleAlarm {
                alarm_id,
                source,
                condition: c.as_str().to_string(),
                started_at,
            })
            .collect(),
        top10: k
            .top10
            .into_iter()
            .map(|(source, c, raises)| Contributor {
                source,
                condition: c.as_str().to_string(),
                raises,
            })
            .collect(),
        total_raises: k.total_raises,
    }))
}

/// What happened to the readings of one telemetry batch.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TelemetryReport {
    /// Readings evaluated and stored.
    pub accepted: u32,
    /// Readings with the same sensor and time as one already stored, dropped.
    pub duplicate: u32,
    /// Readings older than the sensor's latest (or more than 5 minutes in the future), dropped.
    pub out_of_order: u32,
    /// Readings of sensor codes that are not configured (or disabled), dropped.
    pub unknown_sensor: u32,
    /// Readings of a sensor wired to another device than the sender, dropped.
    pub foreign_sensor: u32,
}

impl From<SubmitReport> for TelemetryReport {
    fn from(r: SubmitReport) -> Self {
        Self {
            accepted: r.accepted,
            duplicate: r.duplicate,
            out_of_order: r.out_of_order,
            unknown_sensor: r.unknown_sensor,
            foreign_sensor: r.foreign_sensor,
        }
    }
}

/// Readings over HTTP: the same JSON forms as an MQTT payload (docs/telemetry.md). Answers after
/// the accepted readings are stored, with the counts of each outcome.
#[utoipa::path(post, path = "/api/telemetry", tag = "alarm", security(("bearer" = [])),
    request_body(content = Object, description = "one reading, `{ts, values:{code:value}}`, or an array of readings (docs/telemetry.md)"),
    responses((status = 200, body = TelemetryReport), (status = 400, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn telemetry(
    State(s): State<AppState>,
    me: CurrentUser,
    body: axum::body::Bytes,
) -> ApiResult<Json<TelemetryReport>> {
    me.require("monitoring:sensor:edit")?;
    let readings: Vec<RawReading> =
        anjian_ingest::payload::parse_payload(&body).map_err(|e| ApiError::BadRequest {
            message: e.to_string(),
            fields: Default::default(),
        })?;
    let sub = Submission {
        device: None,
        topic_device: None,
        readings,
        received_at: anjian_ingest::pipeline::now_ms(),
    };
    match s.pipeline.submit(sub).await {
        Ok(r) => Ok(Json(r.into())),
        Err(SubmitError::Overloaded) => Err(ApiError::Unavailable(
            "telemetry queue is full; retry".into(),
        )),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// Take a sensor out of service (its alarms end; nothing is raised until it is returned).
#[utoipa::path(post, path = "/api/sensors/{id}/out-of-service", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AckInput,
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn out_of_service(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<AckInput>,
) -> ApiResult<StatusCode> {
    me.require("monitoring:alarm:service")?;
    comment_ok(&b.comment)?;
    let sensor = s.store.get_sensor(id, &me.scope).await?;
    run(
        &s,
        Command::SetOutOfService {
            source: sensor.sensor.code,
            condition: None,
            actor: me.user.username.clone(),
            comment: b.comment,
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Return a sensor to service.
#[utoipa::path(post, path = "/api/sensors/{id}/return-to-service", tag = "alarm", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn return_to_service(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("monitoring:alarm:service")?;
    let sensor = s.store.get_sensor(id, &me.scope).await?;
    run(
        &s,
        Command::ReturnToService {
            source: sensor.sensor.code,
            condition: None,
            actor: me.user.username.clone(),
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(summary))
        .routes(routes!(stream))
        .routes(routes!(kpi))
        .routes(routes!(get))
        .routes(routes!(ack))
        .routes(routes!(shelve))
        .routes(routes!(unshelve))
        .routes(routes!(close))
        .routes(routes!(telemetry))
        .routes(routes!(out_of_service))
        .routes(routes!(return_to_service))
}
