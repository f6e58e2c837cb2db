//! End-to-end tests of the telemetry path through the real binary: a device publishes over MQTT
//! (to the built-in listener, or to Mosquitto which anjian subscribes to), the alarm arrives on the
//! SSE stream and in the database; and `anjian` killed with SIGKILL while readings stream in loses
//! no acknowledged reading and no alarm, and raises nothing twice or spuriously after a restart.
//! Each test runs on SQLite and, when `ANJIAN_TEST_POSTGRES_URL` is set, on PostgreSQL.

use anjian_domain::auth::ScopeFilter;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{DeviceInput, RegionInput, SensorInput, Store};
use futures_util::StreamExt;
use rumqttc::{AsyncClient, Event, MqttOptions, Outgoing, Packet, QoS};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

mod common;
use common::*;

const DEVICE: &str = "GW-T1";
const DEVICE_PASSWORD: &str = "Dev1ce#pass";
const SENSORS: [&str; 3] = ["GT-1", "GT-2", "GT-3"];
/// High limit of every test sensor (`value > 90` raises; `<= 90` clears).
const LIMIT: f64 = 90.0;

/// Migrates and seeds: a region, an enterprise, the device with its MQTT password, three
/// combustible-gas sensors with a high limit at 90 %LEL and no stale detection.
async fn seed(url: &str) {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let region = store
        .create_region(RegionInput {
            parent_id: None,
            code: "320102".into(),
            name: "玄武区".into(),
            level: RegionLevel::District,
            sort: 0,
        })
        .await
        .unwrap();
    let draft = EnterpriseInput {
        name: "测试化工有限公司".into(),
        uscc: Uscc::with_check_character("91320102000000001")
            .unwrap()
            .to_string(),
        address: "南京市玄武区".into(),
        industry_code: "C2614".into(),
        supervision_category: "hazardous_chemicals".into(),
        scale: "small".into(),
        employee_count: 10,
        principal_name: "张三".into(),
        region_id: region.id,
        ..Default::default()
    }
    .validate()
    .unwrap();
    let e = store.create_enterprise(draft, None).await.unwrap();
    let scope = ScopeFilter::unrestricted();
    let d = store
        .create_device(
            DeviceInput {
                code: DEVICE.into(),
                name: "网关".into(),
                enterprise_id: e.id,
                kind: "gateway".into(),
                // No device-offline alarm during the test (the default is 3 sampling periods).
                offline_after_s: Some(3600),
                status: "active".into(),
                remark: None,
            },
            &scope,
        )
        .await
        .unwrap();
    let hash = anjian_api::auth::hash_password(DEVICE_PASSWORD).unwrap();
    store
        .set_device_password(d.id, Some(hash), &scope)
        .await
        .unwrap();
    for code in SENSORS {
        store
            .create_sensor(
                SensorInput {
                    code: code.into(),
                    name: format!("可燃气体{code}"),
                    device_id: Some(d.id),
                    enterprise_id: e.id,
                    installation_id: None,
                    risk_point_id: None,
                    quantity: "combustible_gas".into(),
                    unit: "%LEL".into(),
                    range_low: Some(0.0),
                    range_high: Some(100.0),
                    sampling_period_s: 1,
                    stale_after: 0,
                    area: Some("tank farm".into()),
                    settings: json!({"limits": [{"kind": "high", "value": LIMIT, "priority": "high"}]}),
                    status: "active".into(),
                },
                &scope,
            )
            .await
            .unwrap();
    }
    store.close().await;
}

/// Reads the SSE stream; every `alarm` event's data is sent to the channel.
async fn sse(base: &str, token: &str) -> mpsc::UnboundedReceiver<Value> {
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/alarms/stream?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = resp.bytes_stream();
        let mut buf = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let mut event = "";
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(e) = line.strip_prefix("event:") {
                        event = if e.trim() == "alarm" {
                            "alarm"
                        } else {
                            "other"
                        };
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                if event == "alarm"
                    && let Ok(v) = serde_json::from_str(&data)
                    && tx.send(v).is_err()
                {
                    return;
                }
            }
        }
    });
    rx
}

async fn next_alarm(rx: &mut mpsc::UnboundedReceiver<Value>, secs: u64) -> Value {
    tokio::time::timeout(Duration::from_secs(secs), rx.recv())
        .await
        .expect("an alarm event on the SSE stream in time")
        .expect("stream open")
}

fn mqtt_client(port: u16, id: &str, auth: bool) -> (AsyncClient, rumqttc::EventLoop) {
    let mut o = MqttOptions::new(id, "127.0.0.1", port);
    if auth {
        o.set_credentials(DEVICE, DEVICE_PASSWORD);
    }
    o.set_keep_alive(Duration::from_secs(10));
    o.set_max_packet_size(1 << 20, 1 << 20);
    AsyncClient::new(o, 1000)
}

fn topic() -> String {
    format!("anjian/v1/devices/{DEVICE}/telemetry")
}

async fn stored_readings(url: &str) -> HashMap<String, Vec<(i64, f64)>> {
    let store = Store::connect(url).await.unwrap();
    let ids = store
        .sensor_ids_by_code(&SENSORS.map(String::from))
        .await
        .unwrap();
    let mut out = HashMap::new();
    for (code, id) in ids {
        let rows = store
            .readings_between(id, 0, i64::MAX, 1_000_000)
            .await
            .unwrap();
        out.insert(code, rows.into_iter().map(|r| (r.ts, r.value)).collect());
    }
    store.close().await;
    out
}

/// Stored alarm events: (alarm id, source, condition, kind, ts, value).
async fn stored_events(url: &str) -> Vec<(i64, String, String, String, i64, Option<f64>)> {
    let store = Store::connect(url).await.unwrap();
    let ev = store
        .alarm_events_between(0, i64::MAX, &ScopeFilter::unrestricted())
        .await
        .unwrap();
    store.close().await;
    let mut v: Vec<_> = ev
        .into_iter()
        .map(|e| {
            (
                e.event.alarm_id,
                e.source,
                e.condition,
                e.event.kind,
                e.event.ts,
                e.event.value,
            )
        })
        .collect();
    v.sort_by_key(|e| (e.4, e.0));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_over_the_built_in_listener_raises_an_alarm_on_the_stream_and_in_the_database() {
    for db in databases().await {
        seed(&db.url).await;
        let mqtt = free_port();
        let server = Server::start(
            &db.url,
            free_port(),
            &[("ANJIAN_MQTT_LISTEN", format!("127.0.0.1:{mqtt}"))],
        );
        let token = login(&server.base).await;
        let mut alarms = sse(&server.base, &token).await;

        // A wrong password is refused.
        let (_bad, mut bad_loop) = {
            let mut o = MqttOptions::new("intruder", "127.0.0.1", mqtt);
            o.set_credentials(DEVICE, "wrong");
            AsyncClient::new(o, 10)
        };
        let refused = tokio::time::timeout(Duration::from_secs(10), bad_loop.poll())
            .await
            .expect("an answer to a CONNECT with a wrong password");
        assert!(
            matches!(refused, Err(rumqttc::ConnectionError::ConnectionRefused(_))),
            "bad credentials must be refused: {refused:?}"
        );

        let (client, mut el) = mqtt_client(mqtt, "gw-t1", true);
        // Readings must not be stamped in the future (more than 5 minutes ahead is dropped).
        let t0 = now_ms() - 3_600_000;
        client
            .publish(
                topic(),
                QoS::AtLeastOnce,
                false,
                json!({"ts": t0, "values": {"GT-1": 12.0, "GT-2": 95.5}}).to_string(),
            )
            .await
            .unwrap();
        let mut acked = false;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !acked && Instant::now() < deadline {
            if let Ok(Ok(Event::Incoming(Packet::PubAck(_)))) =
                tokio::time::timeout(Duration::from_secs(1), el.poll()).await
            {
                acked = true;
            }
        }
        assert!(acked, "the QoS 1 publish is acknowledged");
        let a = next_alarm(&mut alarms, 10).await;
        assert_eq!(a["source"], "GT-2");
        assert_eq!(a["condition"], "high");
        assert_eq!(a["priority"], "high");
        assert_eq!(a["state"], "unacknowledged");
        assert_eq!(a["event"]["kind"], "raised");
        assert_eq!(a["event"]["ts"], t0);
        assert_eq!(a["event"]["value"], 95.5);
        // The stream carries the names the list shows.
        assert_eq!(a["sourceName"], "可燃气体GT-2");
        assert_eq!(a["unit"], "%LEL");
        assert_eq!(a["enterpriseName"], "测试化工有限公司");
        let id = a["id"].as_i64().unwrap();

        // In the database, through the API, with its history.
        let detail: Value = reqwest::Client::new()
            .get(format!("{}/api/alarms/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["source"], "GT-2");
        assert_eq!(detail["firstValue"], 95.5);
        assert_eq!(detail["events"][0]["kind"], "raised");
        let readings = stored_readings(&db.url).await;
        assert_eq!(readings["GT-1"], vec![(t0, 12.0)]);
        assert_eq!(readings["GT-2"], vec![(t0, 95.5)]);

        // Acknowledge, then the value returns to normal: the occurrence ends.
        let r = reqwest::Client::new()
            .post(format!("{}/api/alarms/{id}/ack", server.base))
            .bearer_auth(&token)
            .json(&json!({"comment": "现场确认"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let a = next_alarm(&mut alarms, 5).await;
        assert_eq!(a["event"]["kind"], "acknowledged");
        assert_eq!(a["ackedBy"], "admin");
        client
            .publish(
                topic(),
                QoS::AtLeastOnce,
                false,
                json!({"sensor": "GT-2", "ts": t0 + 1000, "value": 40.0}).to_string(),
            )
            .await
            .unwrap();
        let poller = tokio::spawn(async move {
            while el.poll().await.is_ok() {
                tokio::task::yield_now().await;
            }
        });
        let a = next_alarm(&mut alarms, 10).await;
        assert_eq!(a["event"]["kind"], "cleared");
        assert_eq!(a["state"], "normal");
        assert_eq!(a["endedAt"], t0 + 1000);
        poller.abort();
        server.stop();
        db.drop_db().await;
    }
}

/// The readings one sensor sends: a repeating pattern that crosses the limit often.
fn pattern(i: usize) -> f64 {
    [40.0, 60.0, 95.0, 97.0, 50.0, 91.0, 20.0][i % 7]
}

#[derive(Default)]
struct Tracker {
    /// Published, waiting for the client's packet id.
    queued: VecDeque<(String, i64, f64)>,
    /// Packet id -> reading, until acknowledged.
    inflight: HashMap<u16, (String, i64, f64)>,
    /// Acknowledged by anjian (PUBACK).
    acked: Vec<(String, i64, f64)>,
}

/// Publishes readings one per message (QoS 1) for `duration`, tracking which were acknowledged.
/// Returns the readings sent and the tracker.
async fn stream_readings(
    port: u16,
    start_ts: i64,
    from: usize,
    count: usize,
    tracker: Arc<Mutex<Tracker>>,
) {
    let (client, mut el) = mqtt_client(port, "gw-t1", true);
    let t = tracker.clone();
    let poller = tokio::spawn(async move {
        loop {
            match el.poll().await {
                Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                    let mut t = t.lock().unwrap();
                    if let Some(r) = t.queued.pop_front() {
                        t.inflight.insert(pkid, r);
                    }
                }
                Ok(Event::Incoming(Packet::PubAck(ack))) => {
                    let mut t = t.lock().unwrap();
                    if let Some(r) = t.inflight.remove(&ack.pkid) {
                        t.acked.push(r);
                    }
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    for i in from..from + count {
        let sensor = SENSORS[i % 3];
        let ts = start_ts + (i / 3) as i64 * 1000;
        let value = pattern(i / 3 + i % 3);
        tracker
            .lock()
            .unwrap()
            .queued
            .push_back((sensor.to_string(), ts, value));
        let body = json!({"sensor": sensor, "ts": ts, "value": value}).to_string();
        if client
            .publish(topic(), QoS::AtLeastOnce, false, body)
            .await
            .is_err()
        {
            break;
        }
        if i % 20 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    // Give the last acknowledgements time to arrive.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    poller.abort();
}

/// The alarm events the engine produces offline for these readings (per sensor, in time order):
/// (source, kind, ts, value).
fn expected_events(
    readings: &HashMap<String, Vec<(i64, f64)>>,
) -> Vec<(String, String, i64, Option<f64>)> {
    let text: String = SENSORS
        .iter()
        .map(|c| {
            format!(
                "[[sensor]]\ncode = \"{c}\"\nrange = [0.0, 100.0]\nsampling_period = \"1s\"\nstale_after = 0\n[[sensor.limit]]\nkind = \"high\"\nvalue = {LIMIT}\npriority = \"high\"\n"
            )
        })
        .collect();
    let rules = anjian_alarm::RuleSet::from_toml(&text).unwrap();
    let mut engine = anjian_alarm::Engine::new(rules).unwrap();
    let mut all: Vec<(i64, &str, f64)> = readings
        .iter()
        .flat_map(|(c, v)| v.iter().map(move |(t, x)| (*t, c.as_str(), *x)))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)));
    let mut out = Vec::new();
    for (ts, code, value) in all {
        let ix = engine.sensor_ix(code).unwrap();
        engine.ingest(
            anjian_alarm::Reading {
                sensor: ix,
                ts,
                value,
                quality: anjian_alarm::Quality::Good,
            },
            &mut out,
        );
    }
    let mut v: Vec<_> = out
        .into_iter()
        .map(|e| {
            (
                e.source.to_string(),
                e.kind.as_str().to_string(),
                e.ts,
                e.value,
            )
        })
        .collect();
    v.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_while_readings_stream_in_loses_no_acknowledged_reading_and_no_alarm() {
    for db in databases().await {
        seed(&db.url).await;
        let mqtt = free_port();
        let http = free_port();
        let env = [("ANJIAN_MQTT_LISTEN", format!("127.0.0.1:{mqtt}"))];
        let t0 = now_ms() - 7_200_000;
        let tracker = Arc::new(Mutex::new(Tracker::default()));

        let server = Server::start(&db.url, http, &env);
        let streaming = tokio::spawn(stream_readings(mqtt, t0, 0, 3000, tracker.clone()));
        // Kill it mid-stream, without warning.
        tokio::time::sleep(Duration::from_millis(700)).await;
        server.kill9();
        streaming.await.unwrap();
        let (acked_before, unacked): (usize, Vec<(String, i64, f64)>) = {
            let mut t = tracker.lock().unwrap();
            let mut un: Vec<_> = t.inflight.drain().map(|(_, r)| r).collect();
            un.extend(t.queued.drain(..));
            (t.acked.len(), un)
        };
        assert!(
            acked_before > 0,
            "some readings were acknowledged before the kill"
        );

        // Restart; the device re-sends what was not acknowledged, then carries on.
        let server = Server::start(&db.url, http, &env);
        {
            let mut resend = unacked.clone();
            resend.sort_by_key(|r| r.1);
            let (client, mut el) = mqtt_client(mqtt, "gw-t1", true);
            let t = tracker.clone();
            let mut order: VecDeque<(String, i64, f64)> = resend.iter().cloned().collect();
            let poller = tokio::spawn(async move {
                let mut map = HashMap::new();
                loop {
                    match el.poll().await {
                        Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                            if let Some(r) = order.pop_front() {
                                map.insert(pkid, r);
                            }
                        }
                        Ok(Event::Incoming(Packet::PubAck(a))) => {
                            if let Some(r) = map.remove(&a.pkid) {
                                t.lock().unwrap().acked.push(r);
                            }
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            });
            for (sensor, ts, value) in &resend {
                let body = json!({"sensor": sensor, "ts": ts, "value": value}).to_string();
                client
                    .publish(topic(), QoS::AtLeastOnce, false, body)
                    .await
                    .unwrap();
            }
            tokio::time::sleep(Duration::from_millis(1500)).await;
            poller.abort();
        }
        stream_readings(mqtt, t0, 3000, 600, tracker.clone()).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        server.stop();

        // Every acknowledged reading is stored.
        let stored = stored_readings(&db.url).await;
        let acked = tracker.lock().unwrap().acked.clone();
        for (sensor, ts, value) in &acked {
            assert!(
                stored[sensor].contains(&(*ts, *value)),
                "acknowledged reading {sensor}@{ts}={value} was lost"
            );
        }
        // No reading stored twice.
        for (code, v) in &stored {
            let set: HashSet<i64> = v.iter().map(|r| r.0).collect();
            assert_eq!(set.len(), v.len(), "{code} has a reading stored twice");
        }
        // The stored alarm events are exactly what the engine computes offline from the stored
        // readings: nothing lost, nothing duplicated, nothing spurious from the restart.
        let events = stored_events(&db.url).await;
        let mut got: Vec<_> = events
            .iter()
            .map(|e| (e.1.clone(), e.3.clone(), e.4, e.5))
            .collect();
        got.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        let want = expected_events(&stored);
        assert!(!want.is_empty());
        if got != want {
            let missing: Vec<_> = want.iter().filter(|e| !got.contains(e)).take(12).collect();
            let extra: Vec<_> = got.iter().filter(|e| !want.contains(e)).take(12).collect();
            panic!(
                "stored events ({}) differ from an offline replay ({}):\nmissing {missing:?}\nextra {extra:?}",
                got.len(),
                want.len()
            );
        }
        assert_eq!(got, want);
        // Every raise has its own id; a clear carries the id of the raise before it.
        let mut open: HashMap<String, i64> = HashMap::new();
        let mut ids = HashSet::new();
        for (id, source, _, kind, _, _) in &events {
            match kind.as_str() {
                "raised" => {
                    assert!(ids.insert(*id), "alarm id {id} raised twice");
                    assert!(
                        open.insert(source.clone(), *id).is_none(),
                        "{source} raised while open"
                    );
                }
                "cleared" => {
                    assert_eq!(open.remove(source), Some(*id), "clear without its raise");
                }
                _ => {}
            }
        }
        db.drop_db().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_mosquitto_anjian_subscribes_and_raises_the_alarm() {
    if std::net::TcpStream::connect("127.0.0.1:1883").is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "CI is set but Mosquitto is not reachable on 127.0.0.1:1883"
        );
        eprintln!("Mosquitto is not running on 127.0.0.1:1883: skipped");
        return;
    }
    let db = TestDb::sqlite();
    seed(&db.url).await;
    let client_id = format!("anjian-test-{}", free_port());
    let server = Server::start(
        &db.url,
        free_port(),
        &[
            ("ANJIAN_MQTT_LISTEN", "off".to_string()),
            (
                "ANJIAN_MQTT_BROKER",
                format!("mqtt://127.0.0.1:1883?client_id={client_id}"),
            ),
        ],
    );
    let token = login(&server.base).await;
    let mut alarms = sse(&server.base, &token).await;
    // Let the subscription settle.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (client, mut el) = mqtt_client(1883, &format!("{client_id}-device"), false);
    let poller = tokio::spawn(async move {
        while el.poll().await.is_ok() {
            tokio::task::yield_now().await;
        }
    });
    let ts = now_ms() - 60_000;
    client
        .publish(
            topic(),
            QoS::AtLeastOnce,
            false,
            json!({"ts": ts, "values": {"GT-3": 99.0}}).to_string(),
        )
        .await
        .unwrap();
    let a = next_alarm(&mut alarms, 15).await;
    assert_eq!(a["source"], "GT-3");
    assert_eq!(a["event"]["kind"], "raised");
    assert_eq!(a["event"]["value"], 99.0);
    poller.abort();
    server.stop();
    let stored = stored_readings(&db.url).await;
    assert_eq!(stored["GT-3"], vec![(ts, 99.0)]);
    let events = stored_events(&db.url).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].3, "raised");
    db.drop_db().await;
}
