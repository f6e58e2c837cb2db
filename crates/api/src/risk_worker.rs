//! The dynamic-risk worker (`docs/dynamic-risk.md`): recomputes enterprises' dynamic risk when
//! something that feeds it changes.
//!
//! - At start: every enterprise (trigger `startup`).
//! - [`crate::risk_trigger::RiskTrigger::touch`] from the write handlers (installations, risk
//!   points, hidden dangers) and every stored alarm event of an enterprise's alarm from the
//!   pipeline's notices (trigger `alarm`): the touched enterprises are collected for
//!   [`COALESCE`] after the first one, then recomputed together (one recomputation per cause).
//!   When the notice stream lags (events were dropped) every enterprise is recomputed.
//! - Every [`PERIODIC`]: the enterprises with a hidden danger whose deadline passed since the last
//!   pass (trigger `schedule`) — overdue comes from time passing, not from a write.
//!
//! `POST /api/enterprise-risks/recompute` recomputes directly through the store; the store runs
//! one recomputation at a time, so the two never interleave.

use crate::risk_trigger::Touch;
use anjian_domain::clock::Clock;
use anjian_ingest::pipeline::AlarmNotice;
use anjian_store::Store;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// How long touches are collected after the first one before recomputing.
pub const COALESCE: Duration = Duration::from_millis(150);

/// How often the worker looks for hidden dangers that became overdue.
pub const PERIODIC: Duration = Duration::from_secs(60);

/// Starts the worker on the current Tokio runtime.
pub fn spawn(
    store: Store,
    clock: Clock,
    touches: mpsc::UnboundedReceiver<Touch>,
    notices: broadcast::Receiver<Arc<AlarmNotice>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(store, clock, touches, notices))
}

async fn full(store: &Store, clock: &Clock, trigger: &str) {
    let started = std::time::Instant::now();
    match store
        .recompute_enterprise_risks(None, trigger, clock.now())
        .await
    {
        Ok(o) => tracing::info!(
            computed = o.computed,
            changed = o.changed,
            ms = started.elapsed().as_millis() as u64,
            trigger,
            "dynamic risk recomputed for every enterprise"
        ),
        Err(e) => tracing::warn!(error = %e, trigger, "dynamic risk recomputation failed"),
    }
}

async fn some(store: &Store, clock: &Clock, pending: BTreeMap<i64, &'static str>) {
    let mut by_cause: BTreeMap<&'static str, Vec<i64>> = BTreeMap::new();
    for (e, cause) in pending {
        by_cause.entry(cause).or_default().push(e);
    }
    for (cause, ids) in by_cause {
        match store
            .recompute_enterprise_risks(Some(&ids), cause, clock.now())
            .await
        {
            Ok(o) => {
                metrics::counter!("anjian_risk_recomputed_total").increment(o.computed);
                tracing::debug!(
                    computed = o.computed,
                    changed = o.changed,
                    cause,
                    "dynamic risk recomputed"
                );
            }
            Err(e) => tracing::warn!(error = %e, cause, "dynamic risk recomputation failed"),
        }
    }
}

async fn run(
    store: Store,
    clock: Clock,
    mut touches: mpsc::UnboundedReceiver<Touch>,
    mut notices: broadcast::Receiver<Arc<AlarmNotice>>,
) {
    full(&store, &clock, "startup").await;
    let mut last_pass = clock.now();
    let mut periodic = tokio::time::interval(PERIODIC);
    periodic.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    periodic.tick().await;
    let mut touches_open = true;
    let mut notices_open = true;
    loop {
        // Wait for the first touch (or the periodic pass).
        let mut pending: BTreeMap<i64, &'static str> = BTreeMap::new();
        let mut everything = false;
        tokio::select! {
            t = touches.recv(), if touches_open => match t {
                Some(t) => { pending.entry(t.enterprise_id).or_insert(t.cause); }
                None => touches_open = false,
            },
            n = notices.recv(), if notices_open => match n {
                Ok(n) => {
                    if let Some(e) = n.alarm.enterprise_id {
                        pending.entry(e).or_insert("alarm");
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => everything = true,
                Err(broadcast::error::RecvError::Closed) => notices_open = false,
            },
            _ = periodic.tick() => {
                let now = clock.now();
                match store.enterprises_with_deadlines_between(last_pass, now).await {
                    Ok(ids) => {
                        last_pass = now;
                        for e in ids {
                            pending.insert(e, "schedule");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "looking for newly overdue hidden dangers failed"),
                }
            }
        }
        if !touches_open && !notices_open {
            // The application is gone (tests drop it); nothing will ask again.
            return;
        }
        if pending.is_empty() && !everything {
            continue;
        }
        // Coalesce: collect what else arrives within the window.
        let until = tokio::time::Instant::now() + COALESCE;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(until) => break,
                t = touches.recv(), if touches_open => match t {
                    Some(t) => { pending.entry(t.enterprise_id).or_insert(t.cause); }
                    None => touches_open = false,
                },
                n = notices.recv(), if notices_open => match n {
                    Ok(n) => {
                        if let Some(e) = n.alarm.enterprise_id {
                            pending.entry(e).or_insert("alarm");
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => everything = true,
                    Err(broadcast::error::RecvError::Closed) => notices_open = false,
                },
            }
        }
        if everything {
            full(&store, &clock, "alarm").await;
        } else {
            some(&store, &clock, pending).await;
        }
    }
}
