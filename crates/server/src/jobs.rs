//! Periodic jobs of the dual prevention mechanism, once a minute: generate due inspection tasks and
//! flag missed ones, escalate overdue hidden dangers, remind of risk re-assessments due. Each job
//! is idempotent (the store records what it has done), so a restart or a second instance does not
//! notify twice.

use anjian_domain::clock::Clock;
use anjian_store::Store;
use std::time::Duration;

/// How often the jobs run.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// Runs every job once at `clock.now()`; failures are logged, not fatal.
pub async fn run_once(store: &Store, clock: &Clock) {
    let now = clock.now();
    match store.generate_inspection_tasks(now).await {
        Ok(n) if n > 0 => tracing::info!(changed = n, "inspection tasks generated or flagged"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "inspection task generation failed"),
    }
    match store.escalate_overdue_hidden_dangers(now).await {
        Ok(n) if n > 0 => tracing::info!(escalated = n, "overdue hidden dangers escalated"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "overdue escalation failed"),
    }
    match store.remind_risk_reviews(now).await {
        Ok(n) if n > 0 => tracing::info!(reminders = n, "risk review reminders sent"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "risk review reminders failed"),
    }
}

/// Starts the jobs on a timer (first run right away).
pub fn start(store: Store, clock: Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        // A run longer than the interval delays the next one instead of firing a burst.
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            run_once(&store, &clock).await;
        }
    })
}
