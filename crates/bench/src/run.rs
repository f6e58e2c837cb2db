//! `run`: one measured load run against a running anjian.
//!
//! One MQTT client per device publishes `{"ts":ms,"values":{...}}` with all of its sensors at QoS 1,
//! paced by the clock (device `d` publishes at `begin + phase_d + k * period`, so the total rate is
//! fixed and bounded; a device that falls behind catches up, none publishes past the end). Sensor
//! `i` reads above the limit when `(k + 37 i) % crossing_every == 0` and normal otherwise, so each
//! crossing raises a new alarm after the previous reading cleared the last one. The publish instant
//! of every crossing is kept under (sensor, ts); the SSE reader matches each `raised` event by the
//! alarm's source and event time, and the difference is the alarm latency (publish → stored →
//! pushed to the console).
//!
//! anjian's CPU time (utime + stime of `/proc/<pid>/stat`) is sampled at the start of the measured
//! window and again when everything published has been stored (the `anjian_readings_stored_total`
//! counter of `/metrics` reached the published count), so the CPU-seconds per million readings
//! include parsing, the alarm engine and storage of every reading.

use crate::{device_code, sensor_code};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// Arguments of `run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// MQTT address the devices publish to (anjian's listener or the broker), host:port.
    #[arg(long)]
    pub mqtt: String,
    /// anjian's HTTP base URL, e.g. http://127.0.0.1:18080.
    #[arg(long)]
    pub http: String,
    /// The admin password (login for the alarm stream).
    #[arg(long, env = "ANJIAN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: String,
    /// Number of devices, as seeded.
    #[arg(long, default_value_t = 100)]
    pub devices: usize,
    /// Number of sensors, as seeded.
    #[arg(long, default_value_t = 10_000)]
    pub sensors: usize,
    /// The devices' MQTT password, as seeded.
    #[arg(long, default_value = "bench-device-secret")]
    pub device_password: String,
    /// Connect without user name and password (a broker that allows anonymous clients); by
    /// default user name = device code, password = `--device-password` (anjian's listener).
    #[arg(long)]
    pub anonymous: bool,
    /// Target rate, readings per second (all devices together).
    #[arg(long)]
    pub rate: f64,
    /// Seconds of load before the measured window.
    #[arg(long, default_value_t = 5.0)]
    pub warmup: f64,
    /// Length of the measured window, seconds.
    #[arg(long, default_value_t = 20.0)]
    pub duration: f64,
    /// Every sensor reads above the limit once every this many readings (>= 2).
    #[arg(long, default_value_t = 200)]
    pub crossing_every: u64,
    /// The sensors' high limit, as seeded.
    #[arg(long, default_value_t = 90.0)]
    pub limit: f64,
    /// Process id of anjian (CPU time and peak RSS).
    #[arg(long)]
    pub pid: Option<u32>,
    /// Process id of the broker, if any (its CPU time is reported separately).
    #[arg(long)]
    pub broker_pid: Option<u32>,
    /// How the readings reach anjian, for the report (`built-in listener`, `Mosquitto`).
    #[arg(long, default_value = "built-in listener")]
    pub path: String,
    /// The database, for the report (`SQLite`, `PostgreSQL`).
    #[arg(long, default_value = "SQLite")]
    pub database: String,
    /// Append the result as one JSON line to this file.
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Longest wait after the window for anjian to store everything published, seconds.
    #[arg(long, default_value_t = 60.0)]
    pub drain_timeout: f64,
}

/// The result of one run (one JSON line of the results file).
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct RunResult {
    /// How the readings reached anjian.
    pub path: String,
    /// The database.
    pub database: String,
    /// Target readings per second.
    pub target_rate: f64,
    /// Devices (MQTT connections) and sensors.
    pub devices: usize,
    /// Sensors.
    pub sensors: usize,
    /// Length of the measured window, s.
    pub window_s: f64,
    /// Readings published in the window.
    pub window_readings: u64,
    /// Readings published in the window per second.
    pub achieved_rate: f64,
    /// Readings anjian stored during the window per second.
    pub stored_rate: f64,
    /// QoS 1 messages published (whole run) and PUBACKs received.
    pub published_msgs: u64,
    /// PUBACKs received.
    pub pubacks: u64,
    /// Readings published (whole run) and stored by anjian (counter at the end).
    pub published_readings: u64,
    /// Readings stored by anjian during the run.
    pub stored_readings: u64,
    /// Seconds after the window until everything published was stored.
    pub drain_s: f64,
    /// Limit crossings published in the window.
    pub window_crossings: u64,
    /// `raised` events matched to a crossing of the window.
    pub matched: u64,
    /// `raised` events that matched no recorded crossing.
    pub unmatched: u64,
    /// `lagged` notices on the SSE stream (events the stream skipped).
    pub lagged: u64,
    /// Alarm latency percentiles, ms.
    pub latency_p50_ms: Option<f64>,
    /// 99th percentile.
    pub latency_p99_ms: Option<f64>,
    /// Maximum.
    pub latency_max_ms: Option<f64>,
    /// anjian CPU-seconds from the window start until everything was stored.
    pub anjian_cpu_s: Option<f64>,
    /// Readings stored over the same span.
    pub cpu_span_readings: u64,
    /// anjian CPU-seconds per million stored readings.
    pub cpu_s_per_million: Option<f64>,
    /// anjian resident memory (VmRSS) before the devices connected, MiB.
    pub rss_start_mib: Option<f64>,
    /// anjian peak resident memory (VmHWM, whole process life), MiB.
    pub peak_rss_mib: Option<f64>,
    /// anjian resident memory (VmRSS) after the drain, MiB.
    pub rss_end_mib: Option<f64>,
    /// Broker CPU-seconds over the same span.
    pub broker_cpu_s: Option<f64>,
    /// The load generator's own CPU-seconds over the same span.
    pub loadgen_cpu_s: Option<f64>,
    /// MQTT connection errors seen by the device clients.
    pub mqtt_errors: u64,
}

#[derive(Default)]
struct Shared {
    /// (sensor index, reading ts) → (publish instant, in the measured window).
    crossings: Mutex<HashMap<(u32, i64), (Instant, bool)>>,
    latencies_ms: Mutex<Vec<f64>>,
    published_msgs: AtomicU64,
    published_readings: AtomicU64,
    window_readings: AtomicU64,
    window_crossings: AtomicU64,
    pubacks: AtomicU64,
    connacks: AtomicU64,
    errors: AtomicU64,
    matched: AtomicU64,
    unmatched: AtomicU64,
    lagged: AtomicU64,
    stopping: AtomicBool,
}

/// When the devices publish.
#[derive(Clone, Copy)]
struct Schedule {
    begin: Instant,
    window_start: Instant,
    end: Instant,
    period: Duration,
}

/// Runs the load and prints (and optionally appends) the result.
///
/// # Errors
/// A message when anjian cannot be reached or the arguments are inconsistent.
pub async fn run(a: &RunArgs) -> Result<(), String> {
    if a.devices == 0 || !a.sensors.is_multiple_of(a.devices) || a.sensors == 0 {
        return Err("--sensors must be a positive multiple of --devices".into());
    }
    if a.crossing_every < 2 || a.rate <= 0.0 || a.duration <= 0.0 || a.warmup < 0.0 {
        return Err("need --crossing-every >= 2, --rate > 0, --duration > 0, --warmup >= 0".into());
    }
    let (host, port) = a
        .mqtt
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
        .ok_or("--mqtt must be host:port")?;
    let http = a.http.trim_end_matches('/').to_owned();
    let web = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let token = login(&web, &http, &a.admin_password).await?;
    let shared = Arc::new(Shared::default());
    // Readings anjian stored before this run (0 for a fresh server).
    let stored_base = stored(&web, &http).await.unwrap_or(0);

    // The alarm stream, opened before any reading is published.
    let sse_client = reqwest::Client::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let resp = sse_client
        .get(format!("{http}/api/alarms/stream?token={token}"))
        .send()
        .await
        .map_err(|e| format!("alarm stream: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("alarm stream: HTTP {}", resp.status()));
    }
    let sse = tokio::spawn(read_stream(resp, shared.clone()));

    let rss_start_mib = a.pid.and_then(|p| status_kib(p, "VmRSS:")).map(mib);
    // One client per device, all connecting at once (as after a restart of anjian).
    let mut clients = Vec::with_capacity(a.devices);
    let mut loops = Vec::with_capacity(a.devices);
    for d in 0..a.devices {
        let code = device_code(d);
        let mut opts = MqttOptions::new(
            format!("{code}-lg{}", std::process::id()),
            host.clone(),
            port,
        );
        opts.set_keep_alive(Duration::from_secs(30));
        opts.set_max_packet_size(300 * 1024, 300 * 1024);
        opts.set_inflight(64);
        if !a.anonymous {
            opts.set_credentials(code, a.device_password.clone());
        }
        let (client, eventloop) = AsyncClient::new(opts, 256);
        loops.push(tokio::spawn(poll_loop(eventloop, shared.clone())));
        clients.push(client);
    }
    let connect_deadline = Instant::now() + Duration::from_secs(60);
    while shared.connacks.load(Ordering::Relaxed) < a.devices as u64 {
        if Instant::now() > connect_deadline {
            return Err(format!(
                "only {} of {} devices connected within 60 s",
                shared.connacks.load(Ordering::Relaxed),
                a.devices
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let per_device = a.sensors / a.devices;
    let begin = Instant::now() + Duration::from_millis(100);
    let window_start = begin + Duration::from_secs_f64(a.warmup);
    let sched = Schedule {
        begin,
        window_start,
        end: window_start + Duration::from_secs_f64(a.duration),
        period: Duration::from_secs_f64(per_device as f64 * a.devices as f64 / a.rate),
    };
    let publishers: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(d, c)| {
            tokio::spawn(publish_loop(
                d,
                a.devices,
                per_device,
                a.crossing_every,
                a.limit,
                c.clone(),
                sched,
                shared.clone(),
            ))
        })
        .collect();

    tokio::time::sleep_until(window_start).await;
    let cpu0 = a.pid.and_then(cpu_seconds);
    let broker0 = a.broker_pid.and_then(cpu_seconds);
    let self0 = cpu_seconds(std::process::id());
    let stored0 = stored(&web, &http).await.unwrap_or(0);
    tokio::time::sleep_until(sched.end).await;
    let stored_end = stored(&web, &http).await.unwrap_or(stored0);
    for p in publishers {
        let _ = tokio::time::timeout(Duration::from_secs(30), p).await;
    }
    let window_end = Instant::now();

    // Wait until everything published is stored and acknowledged.
    let published = shared.published_readings.load(Ordering::Relaxed);
    let expected = stored_base + published;
    let drain_deadline = window_end + Duration::from_secs_f64(a.drain_timeout);
    let mut last = stored_end;
    let mut last_progress = Instant::now();
    let mut stored_now = stored_end;
    loop {
        stored_now = stored(&web, &http).await.unwrap_or(stored_now);
        let acked =
            shared.pubacks.load(Ordering::Relaxed) >= shared.published_msgs.load(Ordering::Relaxed);
        if stored_now >= expected && acked {
            break;
        }
        if stored_now != last {
            last = stored_now;
            last_progress = Instant::now();
        }
        if Instant::now() > drain_deadline || last_progress.elapsed() > Duration::from_secs(10) {
            eprintln!(
                "anjian-loadgen: stopped waiting: {} of {published} readings stored, {} of {} PUBACKs",
                stored_now - stored_base,
                shared.pubacks.load(Ordering::Relaxed),
                shared.published_msgs.load(Ordering::Relaxed)
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let drain_s = window_end.elapsed().as_secs_f64();
    let cpu1 = a.pid.and_then(cpu_seconds);
    let broker1 = a.broker_pid.and_then(cpu_seconds);
    let self1 = cpu_seconds(std::process::id());
    let peak_rss_mib = a.pid.and_then(|p| status_kib(p, "VmHWM:")).map(mib);
    let rss_end_mib = a.pid.and_then(|p| status_kib(p, "VmRSS:")).map(mib);
    // The last alarm events travel after the last commit.
    tokio::time::sleep(Duration::from_millis(500)).await;
    shared.stopping.store(true, Ordering::Relaxed);
    for c in &clients {
        let _ = c.try_disconnect();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for l in loops {
        l.abort();
    }
    sse.abort();

    let mut lat = std::mem::take(&mut *lock(&shared.latencies_ms));
    lat.sort_by(f64::total_cmp);
    let window_readings = shared.window_readings.load(Ordering::Relaxed);
    let cpu_span_readings = stored_now.saturating_sub(stored0);
    let anjian_cpu_s = cpu0.zip(cpu1).map(|(a, b)| b - a);
    let result = RunResult {
        path: a.path.clone(),
        database: a.database.clone(),
        target_rate: a.rate,
        devices: a.devices,
        sensors: a.sensors,
        window_s: a.duration,
        window_readings,
        achieved_rate: window_readings as f64 / a.duration,
        stored_rate: stored_end.saturating_sub(stored0) as f64 / a.duration,
        published_msgs: shared.published_msgs.load(Ordering::Relaxed),
        pubacks: shared.pubacks.load(Ordering::Relaxed),
        published_readings: published,
        stored_readings: stored_now.saturating_sub(stored_base),
        drain_s,
        window_crossings: shared.window_crossings.load(Ordering::Relaxed),
        matched: shared.matched.load(Ordering::Relaxed),
        unmatched: shared.unmatched.load(Ordering::Relaxed),
        lagged: shared.lagged.load(Ordering::Relaxed),
        latency_p50_ms: percentile(&lat, 0.50),
        latency_p99_ms: percentile(&lat, 0.99),
        latency_max_ms: lat.last().copied(),
        anjian_cpu_s,
        cpu_span_readings,
        cpu_s_per_million: anjian_cpu_s
            .filter(|_| cpu_span_readings > 0)
            .map(|c| c / (cpu_span_readings as f64 / 1e6)),
        rss_start_mib,
        peak_rss_mib,
        rss_end_mib,
        broker_cpu_s: broker0.zip(broker1).map(|(a, b)| b - a),
        loadgen_cpu_s: self0.zip(self1).map(|(a, b)| b - a),
        mqtt_errors: shared.errors.load(Ordering::Relaxed),
    };
    let line = serde_json::to_string(&result).map_err(|e| e.to_string())?;
    println!("{}", crate::report::summary(&result));
    if let Some(path) = &a.results {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        writeln!(f, "{line}").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Deletes the persistent session of `client_id` on the broker at `addr` (host:port).
///
/// # Errors
/// A message when the broker does not answer within 10 s.
pub async fn forget_session(addr: &str, client_id: &str) -> Result<(), String> {
    let (host, port) = addr
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
        .ok_or("--mqtt must be host:port")?;
    let mut opts = MqttOptions::new(client_id, host, port);
    opts.set_clean_session(true);
    let (client, mut eventloop) = AsyncClient::new(opts, 8);
    let connected = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => return Ok(()),
                Ok(_) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    })
    .await
    .map_err(|_| "no CONNACK within 10 s".to_string())?;
    connected?;
    let _ = client.try_disconnect();
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while eventloop.poll().await.is_ok() {}
    })
    .await;
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn login(web: &reqwest::Client, http: &str, password: &str) -> Result<String, String> {
    let resp = web
        .post(format!("{http}/api/auth/login"))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    let status = resp.status();
    let body: serde_json::Value = resp.json().await.map_err(|e| format!("login: {e}"))?;
    if !status.is_success() {
        return Err(format!("login: HTTP {status}: {body}"));
    }
    body["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("login: no token in {body}"))
}

/// `anjian_readings_stored_total` from `/metrics` (0 before the first commit).
async fn stored(web: &reqwest::Client, http: &str) -> Option<u64> {
    let text = web
        .get(format!("{http}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    Some(
        text.lines()
            .find(|l| l.starts_with("anjian_readings_stored_total"))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(0, |v| v as u64),
    )
}

/// Drives one client's event loop: counts CONNACKs, PUBACKs and errors; reconnects.
async fn poll_loop(mut eventloop: rumqttc::EventLoop, shared: Arc<Shared>) {
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::PubAck(_))) => {
                shared.pubacks.fetch_add(1, Ordering::Relaxed);
            }
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                shared.connacks.fetch_add(1, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(e) => {
                if shared.stopping.load(Ordering::Relaxed) {
                    return;
                }
                let n = shared.errors.fetch_add(1, Ordering::Relaxed);
                if n < 5 {
                    eprintln!("anjian-loadgen: MQTT: {e}");
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// Publishes device `d`'s messages on schedule.
#[allow(clippy::too_many_arguments)]
async fn publish_loop(
    d: usize,
    devices: usize,
    per_device: usize,
    every: u64,
    limit: f64,
    client: AsyncClient,
    s: Schedule,
    shared: Arc<Shared>,
) {
    let topic = format!("anjian/v1/devices/{}/telemetry", device_code(d));
    let codes: Vec<String> = (0..per_device)
        .map(|j| sensor_code(d * per_device + j))
        .collect();
    let phase = s.period.mul_f64(d as f64 / devices as f64);
    let mut last_ts = 0i64;
    let mut payload = String::with_capacity(per_device * 24 + 64);
    let mut crossing = Vec::new();
    for k in 0u64.. {
        let due = s.begin + phase + s.period.mul_f64(k as f64);
        if due >= s.end {
            break;
        }
        tokio::time::sleep_until(due).await;
        let ts = chrono::Utc::now().timestamp_millis().max(last_ts + 1);
        last_ts = ts;
        let in_window = due >= s.window_start;
        payload.clear();
        crossing.clear();
        payload.push_str(&format!("{{\"ts\":{ts},\"values\":{{"));
        for (j, code) in codes.iter().enumerate() {
            let i = (d * per_device + j) as u64;
            let value = if (k + i * 37).is_multiple_of(every) {
                crossing.push(i as u32);
                limit + 5.0
            } else {
                50.0 + ((i * 7 + k) % 10) as f64 * 0.5
            };
            if j > 0 {
                payload.push(',');
            }
            payload.push_str(&format!("\"{code}\":{value}"));
        }
        payload.push_str("}}");
        let now = Instant::now();
        if !crossing.is_empty() {
            let mut map = lock(&shared.crossings);
            for &i in &crossing {
                map.insert((i, ts), (now, in_window));
            }
        }
        if client
            .publish(
                topic.clone(),
                QoS::AtLeastOnce,
                false,
                payload.clone().into_bytes(),
            )
            .await
            .is_err()
        {
            shared.errors.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        shared.published_msgs.fetch_add(1, Ordering::Relaxed);
        shared
            .published_readings
            .fetch_add(per_device as u64, Ordering::Relaxed);
        if in_window {
            shared
                .window_readings
                .fetch_add(per_device as u64, Ordering::Relaxed);
            shared
                .window_crossings
                .fetch_add(crossing.len() as u64, Ordering::Relaxed);
        }
    }
}

/// Reads the SSE stream and matches `raised` events to the recorded crossings.
async fn read_stream(mut resp: reqwest::Response, shared: Arc<Shared>) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    while let Ok(Some(chunk)) = resp.chunk().await {
        let now = Instant::now();
        buf.extend_from_slice(&chunk);
        while let Some(pos) = buf.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = buf.drain(..pos + 2).collect();
            handle_event(&String::from_utf8_lossy(&block), now, &shared);
        }
    }
}

fn handle_event(block: &str, now: Instant, shared: &Shared) {
    let mut event = "message";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            event = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    match event {
        "lagged" => {
            let n = data.trim().parse::<u64>().unwrap_or(1);
            shared.lagged.fetch_add(n, Ordering::Relaxed);
        }
        "alarm" => {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&data) else {
                return;
            };
            if v["event"]["kind"] != "raised" {
                return;
            }
            let key = v["source"]
                .as_str()
                .and_then(|s| s.strip_prefix("BS"))
                .and_then(|s| s.parse::<u32>().ok())
                .zip(v["event"]["ts"].as_i64());
            let found = key.and_then(|k| lock(&shared.crossings).remove(&k));
            match found {
                Some((sent, in_window)) => {
                    if in_window {
                        shared.matched.fetch_add(1, Ordering::Relaxed);
                        let ms = now.saturating_duration_since(sent).as_secs_f64() * 1e3;
                        lock(&shared.latencies_ms).push(ms);
                    }
                }
                None => {
                    shared.unmatched.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        _ => {}
    }
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let ix = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[ix])
}

/// utime + stime of a process, seconds.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start with field 3 (state).
    let rest = stat.rsplit_once(") ")?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// Clock ticks per second (`getconf CLK_TCK`, 100 if unknown).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A memory figure (`VmHWM:`, `VmRSS:`) of `/proc/<pid>/status`, KiB.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(50.0));
        assert_eq!(percentile(&v, 0.99), Some(99.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn own_cpu_time_and_memory_are_readable() {
        assert!(cpu_seconds(std::process::id()).is_some());
        assert!(status_kib(std::process::id(), "VmHWM:").is_some_and(|k| k > 0));
        assert!(status_kib(std::process::id(), "VmRSS:").is_some_and(|k| k > 0));
    }

    #[test]
    fn sse_blocks_are_matched_by_source_and_time() {
        let shared = Shared::default();
        let t0 = Instant::now();
        lock(&shared.crossings).insert((7, 1000), (t0, true));
        let block = "event: alarm\ndata: {\"source\":\"BS000007\",\"event\":{\"kind\":\"raised\",\"ts\":1000}}\n";
        handle_event(block, t0 + Duration::from_millis(12), &shared);
        handle_event(block, t0, &shared);
        assert_eq!(shared.matched.load(Ordering::Relaxed), 1);
        assert_eq!(shared.unmatched.load(Ordering::Relaxed), 1);
        assert_eq!(*lock(&shared.latencies_ms), vec![12.0]);
    }
}
