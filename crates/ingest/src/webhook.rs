//! Webhook delivery of alarm events, with retries and a dead-letter record.
//!
//! Each stored alarm event produces a delivery row per enabled webhook whose minimum priority it
//! reaches (written in the same transaction as the event). This task posts the due ones as JSON:
//!
//! ```json
//! {"alarmId":12,"source":"GT-101","condition":"high","kind":"raised","ts":1767225600000,
//!  "value":27.5,"priority":"high","state":"unacknowledged","enterpriseId":3,"attempt":1}
//! ```
//!
//! with `X-Anjian-Event: alarm` and, when the webhook has a secret,
//! `X-Anjian-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>`. A 2xx answer marks
//! the delivery `delivered`; anything else is retried after 10 s, 1 min, 5 min, 30 min and 2 h;
//! after [`MAX_ATTEMPTS`] failures the delivery is `dead` (kept, with its last error, for the
//! console's dead-letter list).

use anjian_alarm::Millis;
use anjian_store::Store;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// Attempts before a delivery is dead.
pub const MAX_ATTEMPTS: i32 = 6;

/// Delay before attempt `n + 1` after `n` failed attempts, in milliseconds.
pub fn retry_delay_ms(failed_attempts: i32) -> Option<Millis> {
    const DELAYS: [Millis; 5] = [10_000, 60_000, 300_000, 1_800_000, 7_200_000];
    if failed_attempts >= MAX_ATTEMPTS {
        return None;
    }
    usize::try_from(failed_attempts - 1)
        .ok()
        .and_then(|i| DELAYS.get(i).copied())
}

/// `sha256=<hex>` of the body with the secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Runs the delivery loop until the process ends, polling every `poll`.
pub async fn run(store: Store, poll: Duration) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "webhook client could not be built; webhooks disabled");
            return;
        }
    };
    let mut tick = tokio::time::interval(poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = deliver_due(&store, &client, crate::pipeline::now_ms()).await {
            tracing::warn!(error = %e, "webhook delivery round failed");
        }
    }
}

/// Posts every delivery due at `now` (epoch ms) once; returns how many were tried.
///
/// # Errors
/// Storage errors (delivery failures are recorded, not returned).
pub async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    now: Millis,
) -> Result<usize, anjian_store::StoreError> {
    let due = store.due_webhook_deliveries(now, 100).await?;
    let n = due.len();
    for d in due {
        let attempt = d.delivery.attempts + 1;
        let body = payload(&d, attempt);
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let mut req = client
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-anjian-event", "alarm");
        if let Some(secret) = d.secret.as_deref().filter(|s| !s.is_empty()) {
            req = req.header("x-anjian-signature", signature(secret, &bytes));
        }
        let outcome = match req.body(bytes).send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("HTTP {}", r.status())),
            Err(e) => Err(e.to_string()),
        };
        match outcome {
            Ok(()) => {
                store.mark_delivery_delivered(d.delivery.id).await?;
                metrics::counter!("anjian_webhook_deliveries_total", "outcome" => "delivered")
                    .increment(1);
            }
            Err(err) => {
                let next = retry_delay_ms(attempt).map(|ms| now + ms);
                let outcome = if next.is_some() { "retry" } else { "dead" };
                tracing::info!(delivery = d.delivery.id, attempt, error = %err, outcome, "webhook delivery failed");
                store
                    .mark_delivery_failed(d.delivery.id, &err, next)
                    .await?;
                metrics::counter!("anjian_webhook_deliveries_total", "outcome" => outcome)
                    .increment(1);
            }
        }
    }
    Ok(n)
}

/// The JSON body of one delivery.
pub fn payload(d: &anjian_store::DueDelivery, attempt: i32) -> serde_json::Value {
    let a = d.alarm.as_ref();
    serde_json::json!({
        "alarmId": d.event.alarm_id,
        "source": a.map(|a| a.source.as_str()),
        "sourceKind": a.map(|a| a.source_kind.as_str()),
        "condition": a.map(|a| a.condition.as_str()),
        "kind": d.event.kind,
        "ts": d.event.ts,
        "value": d.event.value,
        "priority": d.event.priority,
        "state": d.event.state,
        "actor": d.event.actor,
        "comment": d.event.comment,
        "enterpriseId": a.and_then(|a| a.enterprise_id),
        "sensorId": a.and_then(|a| a.sensor_id),
        "attempt": attempt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_then_die() {
        assert_eq!(retry_delay_ms(1), Some(10_000));
        assert_eq!(retry_delay_ms(2), Some(60_000));
        assert_eq!(retry_delay_ms(5), Some(7_200_000));
        assert_eq!(retry_delay_ms(6), None);
    }

    #[test]
    fn signature_is_hmac_sha256() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
