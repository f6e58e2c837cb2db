//! Client of an external MQTT broker (Mosquitto, EMQX ...) that the devices publish to.
//!
//! The broker authenticates the devices; anjian subscribes to the telemetry topics with a
//! persistent session (`clean_session = false`, stable client id) at QoS 1 and acknowledges each
//! message only after its submit resolved `Ok` (manual acks), so a message is either committed
//! or redelivered by the broker after a reconnect/restart. The device identity is taken from the
//! topic: [`Submission::device`] is `None` (trusted), [`Submission::topic_device`] the code.
//!
//! The rumqttc event loop runs in its own task and is polled continuously (its `poll` is never
//! cancelled); it resubscribes on every CONNACK and reconnects with exponential backoff.
//! Submits that fail with [`SubmitError::Overloaded`] or [`SubmitError::Storage`] are retried
//! after a pause (the message stays unacknowledged meanwhile); [`SubmitError::ShuttingDown`]
//! leaves it unacknowledged for the broker to redeliver after the restart.
//! Unparsable messages are counted, logged (rate limited) and acknowledged so that the broker
//! does not redeliver them forever.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use rumqttc::{AsyncClient, Event, MqttOptions, Outgoing, Packet, Publish, QoS};
use tokio::sync::{mpsc, watch};

use crate::mqtt_server::{LogLimiter, MqttError, count_message, count_readings, now_millis};
use crate::payload::{MAX_PAYLOAD_BYTES, PayloadError, parse_payload, parse_topic};
use crate::sink::{Submission, SubmitError, SubmitReport, TelemetrySink};

/// Default subscription: the telemetry topic of every device.
pub const DEFAULT_TOPIC_FILTER: &str = "anjian/v1/devices/+/telemetry";

/// Settings of the external-broker client.
#[derive(Clone, Debug)]
pub struct BrokerClientConfig {
    /// Broker host name or address.
    pub host: String,
    /// Broker TCP port (1883).
    pub port: u16,
    /// Client id; must be stable across restarts for the broker to keep the session
    /// (default `anjian-<hostname>`, see [`default_client_id`]).
    pub client_id: String,
    /// User name for the broker, if it requires one.
    pub username: Option<String>,
    /// Password for the broker.
    pub password: Option<String>,
    /// Topic filter subscribed to (default [`DEFAULT_TOPIC_FILTER`]).
    pub topic_filter: String,
    /// MQTT keep-alive interval.
    pub keep_alive: Duration,
    /// First reconnect delay; doubles per failed attempt up to `reconnect_max`.
    pub reconnect_min: Duration,
    /// Longest reconnect delay.
    pub reconnect_max: Duration,
    /// Pause before a submit that failed with overload/storage error is retried.
    pub retry_delay: Duration,
    /// On shutdown, how long pending submits may take before the client disconnects anyway.
    pub shutdown_grace: Duration,
}

impl BrokerClientConfig {
    /// Settings for `host:port` with the defaults for everything else.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        BrokerClientConfig {
            host: host.into(),
            port,
            client_id: default_client_id(),
            username: None,
            password: None,
            topic_filter: DEFAULT_TOPIC_FILTER.to_owned(),
            keep_alive: Duration::from_secs(30),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            retry_delay: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(10),
        }
    }

    /// Settings from a URL `mqtt://[user[:password]@]host[:port][?client_id=ID&topic=FILTER]`
    /// (port default 1883; client id default [`default_client_id`]). TLS (`mqtts://`) is not
    /// supported.
    pub fn from_url(url: &str) -> Result<Self, MqttError> {
        let bad = |why: &str| MqttError::Config(format!("broker URL `{url}`: {why}"));
        let rest = url
            .strip_prefix("mqtt://")
            .or_else(|| url.strip_prefix("tcp://"))
            .ok_or_else(|| bad("must start with mqtt:// (TLS is not supported)"))?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let rest = rest.trim_end_matches('/');
        let (auth, hostport) = match rest.rsplit_once('@') {
            Some((a, h)) => (Some(a), h),
            None => (None, rest),
        };
        let parse_port = |p: &str| p.parse::<u16>().map_err(|_| bad("invalid port"));
        let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
            let (h, after) = v6.split_once(']').ok_or_else(|| bad("unclosed `[`"))?;
            match after.strip_prefix(':') {
                Some(p) => (h, parse_port(p)?),
                None if after.is_empty() => (h, 1883),
                None => return Err(bad("unexpected text after the address")),
            }
        } else {
            match hostport.rsplit_once(':') {
                Some((h, p)) => (h, parse_port(p)?),
                None => (hostport, 1883),
            }
        };
        if host.is_empty() || host.contains('/') {
            return Err(bad("missing or invalid host"));
        }
        let mut cfg = BrokerClientConfig::new(host, port);
        if let Some(auth) = auth {
            let (user, pass) = match auth.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (auth, None),
            };
            cfg.username = Some(user.to_owned()).filter(|u| !u.is_empty());
            cfg.password = pass.map(str::to_owned);
        }
        for pair in query
            .unwrap_or_default()
            .split('&')
            .filter(|p| !p.is_empty())
        {
            match pair.split_once('=') {
                Some(("client_id", v)) if !v.is_empty() => cfg.client_id = v.to_owned(),
                Some(("topic", v)) if !v.is_empty() => cfg.topic_filter = v.replace("%2B", "+"),
                _ => return Err(bad("the only query parameters are client_id and topic")),
            }
        }
        Ok(cfg)
    }
}

/// `anjian-<hostname>` (host name from the kernel or `HOSTNAME`; `anjian-server` if unknown).
pub fn default_client_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty());
    match host {
        Some(h) => format!("anjian-{h}"),
        None => "anjian-server".to_owned(),
    }
}

/// What the event-loop task reports to the main loop.
enum LoopEvent {
    Publish(Publish),
}

type Pending = Pin<Box<dyn Future<Output = (Publish, Result<SubmitReport, SubmitError>)> + Send>>;

fn submit_later<S: TelemetrySink>(
    sink: Arc<S>,
    publish: Publish,
    sub: Submission,
    delay: Duration,
) -> Pending {
    Box::pin(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let result = sink.submit(sub).await;
        (publish, result)
    })
}

/// Run the broker client until `shutdown` resolves; then finish pending submits (up to
/// [`BrokerClientConfig::shutdown_grace`]), acknowledge them and disconnect.
pub async fn run_broker_client<S, F>(
    cfg: BrokerClientConfig,
    sink: Arc<S>,
    shutdown: F,
) -> Result<(), MqttError>
where
    S: TelemetrySink,
    F: Future<Output = ()> + Send,
{
    if cfg.client_id.is_empty() {
        return Err(MqttError::Config(
            "the client id must not be empty (the broker keeps the session under it)".into(),
        ));
    }
    let mut opts = MqttOptions::new(cfg.client_id.clone(), cfg.host.clone(), cfg.port);
    opts.set_clean_session(false);
    opts.set_manual_acks(true);
    opts.set_keep_alive(cfg.keep_alive.max(Duration::from_secs(5)));
    opts.set_max_packet_size(MAX_PAYLOAD_BYTES + 4096, 64 * 1024);
    if let Some(user) = &cfg.username {
        opts.set_credentials(user.clone(), cfg.password.clone().unwrap_or_default());
    }
    let (client, eventloop) = AsyncClient::new(opts, 1024);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = watch::channel(false);
    let loop_task = tokio::spawn(event_loop(
        eventloop,
        client.clone(),
        cfg.clone(),
        events_tx,
        stop_rx,
    ));

    let logs = LogLimiter::new();
    let mut pending: FuturesUnordered<Pending> = FuturesUnordered::new();
    tokio::pin!(shutdown);
    let mut stopping = false;
    let grace = tokio::time::sleep(Duration::from_secs(86_400 * 365));
    tokio::pin!(grace);

    loop {
        if stopping && pending.is_empty() {
            break;
        }
        tokio::select! {
            () = &mut shutdown, if !stopping => {
                stopping = true;
                grace.as_mut().reset(tokio::time::Instant::now() + cfg.shutdown_grace);
            }
            () = &mut grace, if stopping => {
                tracing::warn!(pending = pending.len(), "broker client: pending submits not finished in time; leaving them to be redelivered");
                break;
            }
            Some((publish, result)) = pending.next(), if !pending.is_empty() => {
                match result {
                    Ok(report) => {
                        count_message("broker", "accepted");
                        count_readings("broker", &report);
                        ack(&client, &publish).await;
                    }
                    Err(SubmitError::ShuttingDown) => {
                        count_message("broker", "failed");
                    }
                    Err(e) if !stopping => {
                        count_message("broker", if e == SubmitError::Overloaded { "overloaded" } else { "failed" });
                        if let Some(n) = logs.allow() {
                            tracing::warn!(error = %e, suppressed = n, "broker client: submit failed; retrying");
                        }
                        // parsed again: cheaper than keeping a copy of every submission
                        if let Some(sub) = to_submission(&publish, &logs) {
                            pending.push(submit_later(sink.clone(), publish, sub, cfg.retry_delay));
                        }
                    }
                    Err(_) => count_message("broker", "failed"),
                }
            }
            ev = events.recv(), if !stopping => match ev {
                Some(LoopEvent::Publish(publish)) => {
                    if let Some(sub) = to_submission(&publish, &logs) {
                        pending.push(submit_later(sink.clone(), publish, sub, Duration::ZERO));
                    } else {
                        ack(&client, &publish).await;
                    }
                }
                None => break,
            },
        }
    }

    let _ = stop_tx.send(true);
    let _ = client.try_disconnect();
    let mut loop_task = loop_task;
    if tokio::time::timeout(Duration::from_secs(5), &mut loop_task)
        .await
        .is_err()
    {
        loop_task.abort();
    }
    tracing::info!(host = %cfg.host, port = cfg.port, "broker client stopped");
    Ok(())
}

async fn ack(client: &AsyncClient, publish: &Publish) {
    if publish.qos != QoS::AtMostOnce {
        // the request channel is drained by the event-loop task; if it ends, the broker
        // redelivers the message after the next connect.
        let _ = client.ack(publish).await;
    }
}

/// Parse topic and payload; `None` = dropped (counted and logged).
fn to_submission(publish: &Publish, logs: &LogLimiter) -> Option<Submission> {
    let parsed =
        parse_topic(&publish.topic).and_then(|code| Ok((code, parse_payload(&publish.payload)?)));
    match parsed {
        Ok((code, readings)) => Some(Submission {
            device: None,
            topic_device: Some(code.to_owned()),
            readings,
            received_at: now_millis(),
        }),
        Err(e) => {
            let outcome = match e {
                PayloadError::Topic(_) => "foreign_topic",
                PayloadError::TooLarge { .. } => "oversized",
                _ => "malformed",
            };
            count_message("broker", outcome);
            if let Some(n) = logs.allow() {
                tracing::debug!(topic = %publish.topic, error = %e, suppressed = n, "broker client: message dropped");
            }
            None
        }
    }
}

async fn event_loop(
    mut eventloop: rumqttc::EventLoop,
    client: AsyncClient,
    cfg: BrokerClientConfig,
    events: mpsc::UnboundedSender<LoopEvent>,
    stop: watch::Receiver<bool>,
) {
    let mut backoff = cfg.reconnect_min;
    let mut connected = false;
    let mut failures: u32 = 0;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                tracing::info!(host = %cfg.host, port = cfg.port, client_id = %cfg.client_id,
                    session_present = ack.session_present, "broker client connected");
                connected = true;
                failures = 0;
                backoff = cfg.reconnect_min;
                if let Err(e) = client.try_subscribe(cfg.topic_filter.clone(), QoS::AtLeastOnce) {
                    tracing::warn!(error = %e, "broker client: cannot queue SUBSCRIBE");
                }
            }
            Ok(Event::Incoming(Packet::SubAck(s))) => {
                if s.return_codes
                    .iter()
                    .any(|c| matches!(c, rumqttc::SubscribeReasonCode::Failure))
                {
                    tracing::error!(filter = %cfg.topic_filter, "broker refused the telemetry subscription");
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                if events.send(LoopEvent::Publish(p)).is_err() {
                    return;
                }
            }
            Ok(Event::Outgoing(Outgoing::Disconnect)) if *stop.borrow() => return,
            Ok(_) => {}
            Err(e) => {
                if *stop.borrow() {
                    return;
                }
                if connected {
                    tracing::warn!(host = %cfg.host, port = cfg.port, error = %e, "broker client lost the connection; reconnecting");
                } else if failures == 0 || failures.is_power_of_two() {
                    tracing::warn!(host = %cfg.host, port = cfg.port, error = %e, attempts = failures + 1,
                        "broker client cannot connect; retrying in {:?}", backoff);
                }
                connected = false;
                failures = failures.saturating_add(1);
                let mut stop = stop.clone();
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    _ = stop.changed() => return,
                }
                backoff = (backoff * 2).min(cfg.reconnect_max);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_forms() {
        let c = BrokerClientConfig::from_url("mqtt://broker.local").unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.username.as_deref()),
            ("broker.local", 1883, None)
        );
        let c = BrokerClientConfig::from_url("mqtt://anjian:p%40ss:x@10.0.0.5:11883/").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("10.0.0.5", 11883));
        assert_eq!(c.username.as_deref(), Some("anjian"));
        assert_eq!(c.password.as_deref(), Some("p%40ss:x"));
        let c = BrokerClientConfig::from_url("mqtt://[::1]:1884").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("::1", 1884));
        let c = BrokerClientConfig::from_url("mqtt://[::1]").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("::1", 1883));
        assert!(BrokerClientConfig::from_url("mqtts://x").is_err());
        assert!(BrokerClientConfig::from_url("mqtt://host:port").is_err());
        assert!(BrokerClientConfig::from_url("mqtt://").is_err());
        assert_eq!(c.topic_filter, DEFAULT_TOPIC_FILTER);
        assert!(default_client_id().starts_with("anjian-"));
    }
}
