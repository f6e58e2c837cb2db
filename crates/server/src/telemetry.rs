//! Wiring of the telemetry side: the built-in MQTT listener with per-device credentials, the
//! optional external-broker client, webhook delivery and telemetry retention.

use crate::config::Config;
use anjian_ingest::mqtt_client::{BrokerClientConfig, run_broker_client};
use anjian_ingest::mqtt_server::{self, MqttServerConfig};
use anjian_ingest::pipeline::Pipeline;
use anjian_ingest::{AuthFailure, DeviceAuthenticator};
use anjian_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Checks device credentials against the stored argon2 hash of each device's MQTT password.
/// At most [`PARALLEL_PASSWORD_CHECKS`] hashes are computed at once: each takes about 19 MiB and
/// tens of milliseconds, and a fleet of devices reconnecting together must not exhaust memory.
pub struct StoreDeviceAuth {
    store: Store,
    checks: tokio::sync::Semaphore,
}

/// Password hashes computed at the same time by the MQTT listener.
pub const PARALLEL_PASSWORD_CHECKS: usize = 2;

impl DeviceAuthenticator for StoreDeviceAuth {
    async fn authenticate(
        &self,
        _client_id: &str,
        username: Option<&str>,
        password: Option<&[u8]>,
    ) -> Result<String, AuthFailure> {
        let (Some(user), Some(pass)) = (username, password) else {
            return Err(AuthFailure::BadCredentials);
        };
        let pass = String::from_utf8(pass.to_vec()).map_err(|_| AuthFailure::BadCredentials)?;
        let device = self
            .store
            .find_device_by_code(user)
            .await
            .map_err(|e| AuthFailure::Unavailable(e.to_string()))?;
        if device.as_ref().is_some_and(|d| d.status != "active") {
            return Err(AuthFailure::NotAuthorized);
        }
        // Unknown devices cost a hash too, so that timing does not tell which codes exist.
        let found = device.and_then(|d| d.password_hash.map(|h| (d.code, h)));
        let Ok(_permit) = self.checks.acquire().await else {
            return Err(AuthFailure::Unavailable("shutting down".into()));
        };
        let (code, ok) = tokio::task::spawn_blocking(move || match found {
            Some((code, hash)) => {
                let ok = anjian_api::auth::verify_password(&pass, &hash);
                (code, ok)
            }
            None => {
                anjian_api::auth::verify_against_dummy(&pass);
                (String::new(), false)
            }
        })
        .await
        .unwrap_or_default();
        if ok {
            Ok(code)
        } else {
            Err(AuthFailure::BadCredentials)
        }
    }
}

/// Starts the built-in MQTT listener unless `mqtt_listen = "off"`. With `fall_back` (the demo),
/// a taken port is replaced by the next free one of the ten that follow, and said so.
///
/// # Errors
/// A message saying the port is taken and how to choose another.
pub async fn start_mqtt(
    c: &Config,
    store: &Store,
    pipeline: &Pipeline,
    fall_back: bool,
) -> Result<Option<(JoinHandle<()>, SocketAddr)>, String> {
    if c.mqtt_listen == "off" {
        tracing::info!("built-in MQTT listener is off");
        return Ok(None);
    }
    let listen: SocketAddr = c
        .mqtt_listen
        .parse()
        .map_err(|_| format!("bad mqtt_listen address {}", c.mqtt_listen))?;
    let cfg = MqttServerConfig {
        listen,
        ..MqttServerConfig::default()
    };
    let listener = match mqtt_server::bind(cfg.clone()).await {
        Ok(l) => l,
        Err(first) if fall_back && listen.port() != 0 => {
            let mut found = None;
            for port in listen.port().saturating_add(1)..listen.port().saturating_add(11) {
                let cfg = MqttServerConfig {
                    listen: SocketAddr::new(listen.ip(), port),
                    ..cfg.clone()
                };
                if let Ok(l) = mqtt_server::bind(cfg).await {
                    found = Some(l);
                    break;
                }
            }
            let l = found.ok_or_else(|| first.to_string())?;
            println!(
                "MQTT port {} is taken (another broker?); the demo's built-in listener uses {} instead",
                listen.port(),
                l.local_addr()
            );
            l
        }
        Err(e) => return Err(e.to_string()),
    };
    let addr = listener.local_addr();
    println!(
        "anjian accepts device telemetry over MQTT on {addr} (topic anjian/v1/devices/<device>/telemetry)"
    );
    let sink = Arc::new(pipeline.clone());
    let auth = Arc::new(StoreDeviceAuth {
        store: store.clone(),
        checks: tokio::sync::Semaphore::new(PARALLEL_PASSWORD_CHECKS),
    });
    let task = tokio::spawn(async move {
        listener
            .serve(sink, auth, std::future::pending::<()>())
            .await;
    });
    Ok(Some((task, addr)))
}

/// Subscribes to an external broker when `mqtt_broker` is set.
///
/// # Errors
/// A message when the broker URL is malformed.
pub fn start_broker_client(
    c: &Config,
    pipeline: &Pipeline,
) -> Result<Option<JoinHandle<()>>, String> {
    if c.mqtt_broker.is_empty() {
        return Ok(None);
    }
    let cfg =
        BrokerClientConfig::from_url(&c.mqtt_broker).map_err(|e| format!("mqtt_broker: {e}"))?;
    let sink = Arc::new(pipeline.clone());
    Ok(Some(tokio::spawn(async move {
        if let Err(e) = run_broker_client(cfg, sink, std::future::pending::<()>()).await {
            tracing::error!(error = %e, "external MQTT broker client stopped");
        }
    })))
}

/// Webhook delivery and the hourly telemetry retention purge.
pub fn start_background(store: &Store) -> Vec<JoinHandle<()>> {
    let hooks = tokio::spawn(anjian_ingest::webhook::run(
        store.clone(),
        Duration::from_secs(2),
    ));
    let store = store.clone();
    let retention = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let days = store
                .param_value("monitoring.retentionDays")
                .await
                .ok()
                .flatten()
                .and_then(|v| v.parse::<i64>().ok())
                .filter(|d| *d > 0)
                .unwrap_or(90);
            let cutoff = anjian_ingest::pipeline::now_ms() - days * 86_400_000;
            match store.purge_telemetry_before(cutoff).await {
                Ok(r) if r.readings + r.alarms > 0 => tracing::info!(
                    readings = r.readings,
                    minutes = r.minutes,
                    alarms = r.alarms,
                    days,
                    "purged old telemetry"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "telemetry purge failed"),
            }
        }
    });
    vec![hooks, retention]
}

/// The demo's live feed: the Tennessee Eastman data published over MQTT to our own listener, as
/// the reactor unit's gateway would. Without the data, says where to get it and plays the clearly
/// labelled simulated signal ([`anjian_ingest::tep::simulated`]) instead. `source` is what
/// [`crate::demo::demo_feed`] found once at start-up (the same answer labelled the unit's names).
pub fn start_demo_feed(mqtt: SocketAddr, source: crate::demo::DemoFeed) -> Option<JoinHandle<()>> {
    let dir = match source {
        crate::demo::DemoFeed::Off => {
            println!("  ANJIAN_TEP_DIR=off: the demo reactor unit gets no live feed");
            return None;
        }
        crate::demo::DemoFeed::Tep(dir) => Some(dir),
        crate::demo::DemoFeed::Simulated => None,
    };
    // ANJIAN_TEP_INTERVAL_MS speeds the replay up further (the browser tests use it).
    let ms = std::env::var("ANJIAN_TEP_INTERVAL_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|ms| (1..=180_000).contains(ms))
        .unwrap_or(crate::demo::TEP_FEED_INTERVAL_MS);
    let interval = Duration::from_millis(ms);
    // The feed starts at row 140; the reactor pressure first passes 2895 kPa at row 258.
    let first_alarm_s = (119 * ms).div_ceil(1000);
    match &dir {
        Some(dir) => println!(
            "  Live demo: the reactor unit TEP-DTU-01 of {} replays Tennessee Eastman fault 6 (A feed loss) from {} \
             over MQTT, one 3-minute row every {ms} ms; the reactor-pressure alarm comes about {first_alarm_s} s after start.",
            crate::demo::REACTOR_PLANT_NAME,
            dir.display(),
        ),
        None => {
            println!(
                "  No TEP data found (set ANJIAN_TEP_DIR or put it in ../shared/data/tep): {}",
                anjian_ingest::tep::DATA_HINT
            );
            println!(
                "  *** SIMULATED SIGNAL: the reactor unit TEP-DTU-01 of {} is fed a synthetic fault-6 signal, \
                 not plant data; its names carry {} in the console. The reactor-pressure alarm comes about {first_alarm_s} s after start. ***",
                crate::demo::REACTOR_PLANT_NAME,
                anjian_ingest::tep::SIMULATED_LABEL,
            );
        }
    }
    let cfg = anjian_ingest::tep::FeedConfig::demo(
        dir,
        mqtt,
        crate::demo::DEMO_DEVICE_PASSWORD.to_string(),
        interval,
    );
    Some(tokio::spawn(async move {
        if let Err(e) = anjian_ingest::tep::feed(cfg).await {
            tracing::error!(error = %e, "TEP feed stopped");
        }
    }))
}
