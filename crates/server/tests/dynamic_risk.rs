//! Must-show of the dynamic enterprise risk (issue 7, `docs/dynamic-risk.md`), end to end through
//! the real binary: a device publishes a reading above a sensor's high-high limit to the built-in
//! MQTT listener; within 2 seconds the enterprise's risk (through the API) rises and its breakdown
//! names the alarm (sensor tag, name, value); a normal reading clears the condition and the risk
//! falls back, also within 2 seconds — without anyone acknowledging the alarm: a cleared alarm is
//! no longer active (`alarms.active = false`) even while it waits for its acknowledgement
//! (`returned_unacknowledged`, `ended_at` still empty). Runs on SQLite and, when
//! `ANJIAN_TEST_POSTGRES_URL` is set, on PostgreSQL. Prints the measured latencies.

use anjian_domain::auth::ScopeFilter;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::{DeviceInput, RegionInput, SensorInput, Store};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

mod common;
use common::*;

const DEVICE: &str = "GW-R1";
const DEVICE_PASSWORD: &str = "Dev1ce#pass";
const TAG: &str = "T-101";
/// The sensor's high-high limit, kPa (`value > 2800` raises; `<= 2800 - 50` clears: deadband 50).
const HH: f64 = 2800.0;
/// What the risk must do within.
const WITHIN: Duration = Duration::from_secs(2);

/// A region, an enterprise, the device with its MQTT password, and the reactor pressure sensor
/// T-101 with a high-high limit at 2800 kPa (high priority, deadband 50 kPa). Returns the
/// enterprise id.
async fn seed(url: &str) -> i64 {
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
        name: "动态风险化工有限公司".into(),
        uscc: Uscc::with_check_character("91320102000000007")
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
                name: "反应器网关".into(),
                enterprise_id: e.id,
                kind: "gateway".into(),
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
    store
        .create_sensor(
            SensorInput {
                code: TAG.into(),
                name: "反应器压力".into(),
                device_id: Some(d.id),
                enterprise_id: e.id,
                installation_id: None,
                risk_point_id: None,
                quantity: "pressure".into(),
                unit: "kPa".into(),
                range_low: Some(0.0),
                range_high: Some(4000.0),
                sampling_period_s: 1,
                stale_after: 0,
                area: Some("一车间".into()),
                settings: json!({"limits": [{"kind": "high_high", "value": HH, "priority": "high", "deadband": 50.0}]}),
                status: "active".into(),
            },
            &scope,
        )
        .await
        .unwrap();
    store.close().await;
    e.id
}

async fn risk(base: &str, token: &str, enterprise: i64) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{base}/api/enterprises/{enterprise}/risk"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Publishes one reading (QoS 1) and waits for the PUBACK ("stored"); returns when it was sent.
async fn publish(
    client: &AsyncClient,
    el: &mut rumqttc::EventLoop,
    ts: i64,
    value: f64,
) -> Instant {
    let sent = Instant::now();
    client
        .publish(
            format!("anjian/v1/devices/{DEVICE}/telemetry"),
            QoS::AtLeastOnce,
            false,
            json!({"sensor": TAG, "ts": ts, "value": value}).to_string(),
        )
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no PUBACK");
        if let Ok(Ok(Event::Incoming(Packet::PubAck(_)))) =
            tokio::time::timeout(Duration::from_secs(1), el.poll()).await
        {
            return sent;
        }
    }
}

/// Polls the risk every 20 ms until `pred` holds; returns it and the time since `since`.
async fn until(
    base: &str,
    token: &str,
    enterprise: i64,
    since: Instant,
    what: &str,
    pred: impl Fn(&Value) -> bool,
) -> (Value, Duration) {
    loop {
        let v = risk(base, token, enterprise).await;
        if pred(&v) {
            return (v, since.elapsed());
        }
        assert!(
            since.elapsed() < WITHIN,
            "{what}: not within {WITHIN:?}; the risk is {v}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn history(base: &str, token: &str, enterprise: i64) -> Value {
    reqwest::Client::new()
        .get(format!("{base}/api/enterprises/{enterprise}/risk/history"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn alarm_item(v: &Value) -> Option<&Value> {
    v["breakdown"]
        .as_array()?
        .iter()
        .find(|b| b["kind"] == "active_alarm")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_high_high_alarm_raises_the_enterprise_risk_within_two_seconds_and_its_clearing_lowers_it()
 {
    for db in databases().await {
        let enterprise = seed(&db.url).await;
        let mqtt = free_port();
        let server = Server::start(
            &db.url,
            free_port(),
            &[("ANJIAN_MQTT_LISTEN", format!("127.0.0.1:{mqtt}"))],
        );
        let token = login(&server.base).await;
        // Wait for the startup recomputation to store the baseline (until then the risk is
        // computed on the fly).
        let deadline = Instant::now() + Duration::from_secs(10);
        while history(&server.base, &token, enterprise).await["total"] == 0 {
            assert!(Instant::now() < deadline, "no startup recomputation");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let before = risk(&server.base, &token, enterprise).await;
        assert_eq!(before["score"], 0, "{before}");
        assert_eq!(before["level"], "low");

        let mut o = MqttOptions::new("gw-r1", "127.0.0.1", mqtt);
        o.set_credentials(DEVICE, DEVICE_PASSWORD);
        o.set_keep_alive(Duration::from_secs(10));
        let (client, mut el) = AsyncClient::new(o, 100);

        // Above HH: the alarm raises, the risk rises by the high-priority weight (15 points).
        let t0 = now_ms() - 5_000;
        let sent = publish(&client, &mut el, t0, 2950.0).await;
        let (up, rise) = until(&server.base, &token, enterprise, sent, "rise", |v| {
            v["score"].as_i64() > Some(0)
        })
        .await;
        assert_eq!(up["score"], 15, "{up}");
        assert_eq!(up["liveScore"], 15);
        let item = alarm_item(&up).expect("an active-alarm item");
        assert_eq!(
            item["text"], "1 条高高报警活动中：T-101 反应器压力 2950 kPa",
            "{up}"
        );
        assert_eq!(item["condition"], "high_high");
        assert!(
            up["summary"].as_str().unwrap().contains(TAG),
            "the summary names the alarm: {up}"
        );

        // Back to normal (below HH − deadband), not acknowledged: the risk falls back.
        let sent = publish(&client, &mut el, t0 + 1_000, 2000.0).await;
        let (down, fall) = until(&server.base, &token, enterprise, sent, "fall", |v| {
            v["score"] == 0
        })
        .await;
        assert!(alarm_item(&down).is_none(), "{down}");
        assert_eq!(down["level"], "low");

        // The history has the rise and the fall, caused by the alarm.
        let h = history(&server.base, &token, enterprise).await;
        let triggers: Vec<(&str, i64)> = h["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["trigger"].as_str().unwrap(), r["score"].as_i64().unwrap()))
            .collect();
        assert_eq!(
            triggers,
            vec![("alarm", 0), ("alarm", 15), ("startup", 0)],
            "{h}"
        );

        // The alarm is still open, waiting for its acknowledgement: cleared is not active.
        let alarms: Value = reqwest::Client::new()
            .get(format!("{}/api/alarms?pageSize=10", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let a = &alarms["rows"][0];
        assert_eq!(a["state"], "returned_unacknowledged", "{alarms}");
        assert_eq!(a["active"], false);

        println!(
            "{}: publish → risk up {} ms, publish → risk down {} ms",
            if db.url.starts_with("sqlite") {
                "sqlite"
            } else {
                "postgres"
            },
            rise.as_millis(),
            fall.as_millis()
        );
        drop(client);
        server.stop();
        db.drop_db().await;
    }
}
