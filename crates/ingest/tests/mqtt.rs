//! The built-in MQTT listener driven by rumqttc clients (v3.1.1 and v5), and the external-broker
//! client against the machine's Mosquitto at 127.0.0.1:1883.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anjian_ingest::mqtt_server::{self, MqttServerConfig, MqttStats};
use anjian_ingest::{
    AuthFailure, DeviceAuthenticator, Submission, SubmitError, SubmitReport, TelemetrySink,
};
use tokio::sync::{mpsc, oneshot};

// ---------------------------------------------------------------------------------------------
// Fakes

/// Records submissions; resolves after `delay`; logs "resolved <n>" into the shared event log.
#[derive(Default)]
struct FakeSink {
    delay: Duration,
    subs: Mutex<Vec<Submission>>,
    calls: AtomicUsize,
    log: Arc<Mutex<Vec<String>>>,
    overloaded: std::sync::atomic::AtomicBool,
}

impl FakeSink {
    fn with_delay(delay: Duration) -> Arc<Self> {
        Arc::new(FakeSink {
            delay,
            ..Default::default()
        })
    }
    fn subs(&self) -> Vec<Submission> {
        self.subs.lock().unwrap().clone()
    }
}

impl TelemetrySink for FakeSink {
    async fn submit(&self, sub: Submission) -> Result<SubmitReport, SubmitError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.overloaded.load(Ordering::SeqCst) {
            return Err(SubmitError::Overloaded);
        }
        tokio::time::sleep(self.delay).await;
        let n = sub.readings.len() as u32;
        let value = sub.readings.first().map(|r| r.value).unwrap_or_default();
        self.subs.lock().unwrap().push(sub);
        self.log.lock().unwrap().push(format!("resolved {value}"));
        Ok(SubmitReport {
            accepted: n,
            ..Default::default()
        })
    }
}

/// Devices `dev-1`, `dev-2`, `dev-3` with password `secret`.
struct FakeAuth;

impl DeviceAuthenticator for FakeAuth {
    async fn authenticate(
        &self,
        _client_id: &str,
        username: Option<&str>,
        password: Option<&[u8]>,
    ) -> Result<String, AuthFailure> {
        match (username, password) {
            (Some(u @ ("dev-1" | "dev-2" | "dev-3")), Some(b"secret")) => Ok(u.to_owned()),
            _ => Err(AuthFailure::BadCredentials),
        }
    }
}

struct Server {
    addr: SocketAddr,
    stats: Arc<MqttStats>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), self.task).await;
    }
}

async fn start(sink: Arc<FakeSink>) -> Server {
    let cfg = MqttServerConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let listener = mqtt_server::bind(cfg).await.expect("bind");
    let addr = listener.local_addr();
    let stats = listener.stats();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(listener.serve(sink, Arc::new(FakeAuth), async move {
        let _ = rx.await;
    }));
    Server {
        addr,
        stats,
        stop: Some(tx),
        task,
    }
}

fn reading(value: f64) -> String {
    format!(r#"{{"sensor":"GT-1","ts":1764374400000,"value":{value}}}"#)
}

const TOPIC1: &str = "anjian/v1/devices/dev-1/telemetry";

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..500 {
        if cond() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

// ---------------------------------------------------------------------------------------------
// v3.1.1 client helper

mod v4c {
    use super::*;
    use rumqttc::{AsyncClient, ConnectionError, Event, MqttOptions, Packet};

    pub enum Ev {
        Packet(Packet),
        Error(ConnectionError),
    }

    pub struct Client {
        pub client: AsyncClient,
        pub events: mpsc::UnboundedReceiver<Ev>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Client {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    pub fn opts(addr: SocketAddr, id: &str, user: &str, pass: &str) -> MqttOptions {
        let mut o = MqttOptions::new(id, addr.ip().to_string(), addr.port());
        o.set_credentials(user, pass);
        o.set_keep_alive(Duration::from_secs(5));
        o.set_max_packet_size(1024 * 1024, 1024 * 1024);
        o
    }

    /// Connect; the event-loop task stops at the first error (no reconnects in tests).
    pub fn connect(o: MqttOptions, log: Option<Arc<Mutex<Vec<String>>>>) -> Client {
        let (client, mut el) = AsyncClient::new(o, 2000);
        let (tx, events) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match el.poll().await {
                    Ok(Event::Incoming(p)) => {
                        if let (Some(log), Packet::PubAck(a)) = (&log, &p) {
                            log.lock().unwrap().push(format!("puback {}", a.pkid));
                        }
                        if tx.send(Ev::Packet(p)).is_err() {
                            return;
                        }
                    }
                    Ok(Event::Outgoing(_)) => {}
                    Err(e) => {
                        let _ = tx.send(Ev::Error(e));
                        return;
                    }
                }
            }
        });
        Client {
            client,
            events,
            task,
        }
    }

    impl Client {
        /// Next incoming packet other than CONNACK/PINGRESP (panics on error or timeout).
        pub async fn next(&mut self) -> Packet {
            loop {
                match tokio::time::timeout(Duration::from_secs(10), self.events.recv()).await {
                    Ok(Some(Ev::Packet(Packet::ConnAck(_) | Packet::PingResp))) => {}
                    Ok(Some(Ev::Packet(p))) => return p,
                    Ok(Some(Ev::Error(e))) => panic!("connection error: {e}"),
                    Ok(None) => panic!("event loop ended"),
                    Err(_) => panic!("no packet within 10 s"),
                }
            }
        }

        /// Wait for CONNACK.
        pub async fn connected(&mut self) {
            match tokio::time::timeout(Duration::from_secs(10), self.events.recv()).await {
                Ok(Some(Ev::Packet(Packet::ConnAck(_)))) => {}
                Ok(Some(Ev::Error(e))) => panic!("connect failed: {e}"),
                _ => panic!("no CONNACK"),
            }
        }

        /// The connection error the event loop ends with.
        pub async fn error(&mut self) -> ConnectionError {
            loop {
                match tokio::time::timeout(Duration::from_secs(10), self.events.recv()).await {
                    Ok(Some(Ev::Error(e))) => return e,
                    Ok(Some(Ev::Packet(_))) => {}
                    _ => panic!("no connection error within 10 s"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// v5 client helper

mod v5c {
    use super::*;
    use rumqttc::v5::mqttbytes::v5::Packet;
    use rumqttc::v5::{AsyncClient, ConnectionError, Event, MqttOptions};

    #[allow(clippy::large_enum_variant)] // test-only event log
    pub enum Ev {
        Packet(Packet),
        Error(ConnectionError),
    }

    pub struct Client {
        pub client: AsyncClient,
        pub events: mpsc::UnboundedReceiver<Ev>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Client {
        fn drop(&mut self) {
            self.task.abort();
        }
    }

    pub fn opts(addr: SocketAddr, id: &str, user: &str, pass: &str) -> MqttOptions {
        let mut o = MqttOptions::new(id, addr.ip().to_string(), addr.port());
        o.set_credentials(user, pass);
        o.set_keep_alive(Duration::from_secs(5));
        o
    }

    pub fn connect(o: MqttOptions, log: Option<Arc<Mutex<Vec<String>>>>) -> Client {
        let (client, mut el) = AsyncClient::new(o, 2000);
        let (tx, events) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                match el.poll().await {
                    Ok(Event::Incoming(p)) => {
                        if let (Some(log), Packet::PubAck(a)) = (&log, &p) {
                            log.lock().unwrap().push(format!("puback {}", a.pkid));
                        }
                        if tx.send(Ev::Packet(p)).is_err() {
                            return;
                        }
                    }
                    Ok(Event::Outgoing(_)) => {}
                    Err(e) => {
                        let _ = tx.send(Ev::Error(e));
                        return;
                    }
                }
            }
        });
        Client {
            client,
            events,
            task,
        }
    }

    impl Client {
        pub async fn next(&mut self) -> Packet {
            loop {
                match tokio::time::timeout(Duration::from_secs(10), self.events.recv()).await {
                    Ok(Some(Ev::Packet(Packet::ConnAck(_) | Packet::PingResp(_)))) => {}
                    Ok(Some(Ev::Packet(p))) => return p,
                    Ok(Some(Ev::Error(e))) => panic!("connection error: {e}"),
                    Ok(None) => panic!("event loop ended"),
                    Err(_) => panic!("no packet within 10 s"),
                }
            }
        }

        pub async fn connack(&mut self) -> rumqttc::v5::mqttbytes::v5::ConnAck {
            match tokio::time::timeout(Duration::from_secs(10), self.events.recv()).await {
                Ok(Some(Ev::Packet(Packet::ConnAck(c)))) => c,
                Ok(Some(Ev::Error(e))) => panic!("connect failed: {e}"),
                _ => panic!("no CONNACK"),
            }
        }

        pub async fn error(&mut self) -> ConnectionError {
            loop {
                match tokio::time::timeout(Duration::from_secs(10), self.events.recv()).await {
                    Ok(Some(Ev::Error(e))) => return e,
                    Ok(Some(Ev::Packet(_))) => {}
                    _ => panic!("no connection error within 10 s"),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Built-in listener, v3.1.1

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_qos1_puback_only_after_the_sink_resolved() {
    let sink = FakeSink::with_delay(Duration::from_millis(300));
    let log = sink.log.clone();
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(
        v4c::opts(srv.addr, "c1", "dev-1", "secret"),
        Some(log.clone()),
    );
    c.connected().await;
    c.client
        .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, reading(1.0))
        .await
        .unwrap();
    match c.next().await {
        rumqttc::Packet::PubAck(_) => {}
        p => panic!("expected PUBACK, got {p:?}"),
    }
    assert_eq!(
        *log.lock().unwrap(),
        vec!["resolved 1".to_owned(), "puback 1".to_owned()]
    );
    let subs = sink.subs();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].device.as_deref(), Some("dev-1"));
    assert_eq!(subs[0].topic_device.as_deref(), Some("dev-1"));
    assert_eq!(subs[0].readings[0].sensor, "GT-1");
    assert!(subs[0].received_at > 0);
    assert_eq!(srv.stats.snapshot().accepted, 1);
    assert_eq!(srv.stats.snapshot().connections, 1);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_slow_commit_does_not_serialise_later_publishes() {
    // 20 publishes each taking 300 ms to commit: pipelined they finish in well under 20 x 300 ms.
    let sink = FakeSink::with_delay(Duration::from_millis(300));
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    let t0 = std::time::Instant::now();
    for i in 0..20 {
        c.client
            .publish(
                TOPIC1,
                rumqttc::QoS::AtLeastOnce,
                false,
                reading(f64::from(i)),
            )
            .await
            .unwrap();
    }
    for _ in 0..20 {
        assert!(matches!(c.next().await, rumqttc::Packet::PubAck(_)));
    }
    assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_qos0_is_delivered() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    c.client
        .publish(TOPIC1, rumqttc::QoS::AtMostOnce, false, reading(7.0))
        .await
        .unwrap();
    wait_until("QoS 0 delivery", || sink.subs().len() == 1).await;
    assert_eq!(sink.subs()[0].readings[0].value, 7.0);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_bad_password_is_refused() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "wrong"), None);
    match c.error().await {
        rumqttc::ConnectionError::ConnectionRefused(code) => {
            assert_eq!(code, rumqttc::ConnectReturnCode::BadUserNamePassword)
        }
        e => panic!("expected a refusal, got {e}"),
    }
    assert_eq!(srv.stats.snapshot().unauthorized, 1);
    assert_eq!(srv.stats.snapshot().connections, 0);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_subscribe_is_refused_with_failure_code() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    c.client
        .subscribe("anjian/#", rumqttc::QoS::AtLeastOnce)
        .await
        .unwrap();
    match c.next().await {
        rumqttc::Packet::SubAck(s) => {
            assert_eq!(s.return_codes, vec![rumqttc::SubscribeReasonCode::Failure])
        }
        p => panic!("expected SUBACK, got {p:?}"),
    }
    c.client.unsubscribe("anjian/#").await.unwrap();
    assert!(matches!(c.next().await, rumqttc::Packet::UnsubAck(_)));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_malformed_payload_is_counted_and_connection_stays_usable() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    for bad in ["not json", r#"{"sensor":"GT-1","ts":1}"#] {
        c.client
            .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, bad)
            .await
            .unwrap();
        // acknowledged anyway so that the device does not resend it forever
        assert!(matches!(c.next().await, rumqttc::Packet::PubAck(_)));
    }
    c.client
        .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, reading(2.0))
        .await
        .unwrap();
    assert!(matches!(c.next().await, rumqttc::Packet::PubAck(_)));
    assert_eq!(sink.subs().len(), 1);
    let s = srv.stats.snapshot();
    assert_eq!((s.malformed, s.accepted), (2, 1));
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_oversized_packet_closes_the_connection() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    let big = format!(
        r#"{{"sensor":"GT-1","ts":1,"value":1,"pad":"{}"}}"#,
        "x".repeat(300 * 1024)
    );
    c.client
        .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, big)
        .await
        .unwrap();
    let _ = c.error().await;
    assert_eq!(srv.stats.snapshot().oversized, 1);
    assert!(sink.subs().is_empty());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_oversized_payload_within_packet_limit_is_dropped_and_acked() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    // 256 KiB + 100 bytes: over the payload limit, under the packet limit (payload + 4 KiB).
    let big = vec![b' '; 256 * 1024 + 100];
    c.client
        .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, big)
        .await
        .unwrap();
    assert!(matches!(c.next().await, rumqttc::Packet::PubAck(_)));
    assert_eq!(srv.stats.snapshot().oversized, 1);
    assert!(sink.subs().is_empty());
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_other_devices_topic_is_refused() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    for topic in ["anjian/v1/devices/dev-2/telemetry", "some/other/topic"] {
        c.client
            .publish(topic, rumqttc::QoS::AtLeastOnce, false, reading(1.0))
            .await
            .unwrap();
        assert!(matches!(c.next().await, rumqttc::Packet::PubAck(_)));
    }
    assert!(sink.subs().is_empty());
    assert_eq!(srv.stats.snapshot().foreign_topic, 2);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_thousand_publishes_in_flight_all_acked_and_delivered_once() {
    let sink = FakeSink::with_delay(Duration::from_millis(5));
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    let client = c.client.clone();
    let publisher = tokio::spawn(async move {
        for i in 0..1000 {
            client
                .publish(
                    TOPIC1,
                    rumqttc::QoS::AtLeastOnce,
                    false,
                    reading(f64::from(i)),
                )
                .await
                .unwrap();
        }
    });
    let mut acks = 0;
    while acks < 1000 {
        if let rumqttc::Packet::PubAck(_) = c.next().await {
            acks += 1;
        }
    }
    publisher.await.unwrap();
    let subs = sink.subs();
    assert_eq!(subs.len(), 1000);
    let values: HashSet<i64> = subs.iter().map(|s| s.readings[0].value as i64).collect();
    assert_eq!(values.len(), 1000, "every message delivered exactly once");
    assert_eq!(sink.calls.load(Ordering::SeqCst), 1000);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_same_client_id_takes_the_session_over() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut a = v4c::connect(v4c::opts(srv.addr, "same", "dev-1", "secret"), None);
    a.connected().await;
    let mut b = v4c::connect(v4c::opts(srv.addr, "same", "dev-1", "secret"), None);
    b.connected().await;
    let _ = a.error().await;
    // another device with the same client id is a different session
    let mut other = v4c::connect(v4c::opts(srv.addr, "same", "dev-2", "secret"), None);
    other.connected().await;
    b.client
        .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, reading(1.0))
        .await
        .unwrap();
    assert!(matches!(b.next().await, rumqttc::Packet::PubAck(_)));
    wait_until("two connections", || srv.stats.snapshot().connections == 2).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v4_overloaded_sink_gets_no_puback_and_the_connection_closes() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    sink.overloaded.store(true, Ordering::SeqCst);
    let srv = start(sink.clone()).await;
    let mut c = v4c::connect(v4c::opts(srv.addr, "c1", "dev-1", "secret"), None);
    c.connected().await;
    c.client
        .publish(TOPIC1, rumqttc::QoS::AtLeastOnce, false, reading(1.0))
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), c.events.recv()).await {
            Ok(Some(v4c::Ev::Packet(rumqttc::Packet::PubAck(_)))) => {
                panic!("PUBACK while overloaded")
            }
            Ok(Some(v4c::Ev::Packet(_))) => {}
            Ok(Some(v4c::Ev::Error(_))) => break,
            _ => panic!("connection not closed"),
        }
    }
    assert_eq!(srv.stats.snapshot().rejected, 1);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_timeout_closes_a_silent_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut s = tokio::net::TcpStream::connect(srv.addr).await.unwrap();
    // CONNECT v3.1.1, keep-alive 1 s, client id "raw", user dev-1 / secret
    let mut body = vec![0, 4, b'M', b'Q', b'T', b'T', 4, 0b1100_0010, 0, 1];
    for field in [&b"raw"[..], b"dev-1", b"secret"] {
        body.extend_from_slice(&(field.len() as u16).to_be_bytes());
        body.extend_from_slice(field);
    }
    let mut pkt = vec![0x10, body.len() as u8];
    pkt.extend_from_slice(&body);
    s.write_all(&pkt).await.unwrap();
    let mut connack = [0u8; 4];
    s.read_exact(&mut connack).await.unwrap();
    assert_eq!(connack, [0x20, 2, 0, 0]);
    let t0 = std::time::Instant::now();
    let mut rest = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
        .await
        .expect("closed by the server")
        .unwrap_or(0);
    assert_eq!(n, 0);
    let waited = t0.elapsed();
    assert!(
        waited >= Duration::from_millis(1400) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind_error_names_the_variable() {
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink).await;
    let cfg = MqttServerConfig {
        listen: srv.addr,
        ..Default::default()
    };
    let err = mqtt_server::bind(cfg)
        .await
        .err()
        .expect("second bind fails");
    assert_eq!(
        err.to_string(),
        format!(
            "cannot listen for MQTT on {}: address in use (set ANJIAN_MQTT_LISTEN to another address, or `off`)",
            srv.addr
        )
    );
    srv.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Built-in listener, v5

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_qos1_puback_after_commit_and_qos0() {
    use rumqttc::v5::mqttbytes::{QoS, v5::Packet};
    let sink = FakeSink::with_delay(Duration::from_millis(300));
    let log = sink.log.clone();
    let srv = start(sink.clone()).await;
    let mut c = v5c::connect(
        v5c::opts(srv.addr, "c5", "dev-1", "secret"),
        Some(log.clone()),
    );
    let connack = c.connack().await;
    let props = connack.properties.expect("CONNACK properties");
    assert_eq!(props.max_qos, Some(1));
    assert!(props.receive_max.is_some());
    c.client
        .publish(TOPIC1, QoS::AtLeastOnce, false, reading(1.0))
        .await
        .unwrap();
    match c.next().await {
        Packet::PubAck(a) => {
            assert_eq!(a.reason, rumqttc::v5::mqttbytes::v5::PubAckReason::Success)
        }
        p => panic!("expected PUBACK, got {p:?}"),
    }
    assert_eq!(
        *log.lock().unwrap(),
        vec!["resolved 1".to_owned(), "puback 1".to_owned()]
    );
    c.client
        .publish(TOPIC1, QoS::AtMostOnce, false, reading(2.0))
        .await
        .unwrap();
    wait_until("QoS 0 delivery", || sink.subs().len() == 2).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_refusals_carry_reason_codes() {
    use rumqttc::v5::mqttbytes::v5::{Packet, PubAckReason, SubscribeReasonCode};
    use rumqttc::v5::mqttbytes::{QoS, v5::ConnectReturnCode};
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;

    let mut bad = v5c::connect(v5c::opts(srv.addr, "c5", "dev-1", "nope"), None);
    match bad.error().await {
        rumqttc::v5::ConnectionError::ConnectionRefused(code) => {
            assert_eq!(code, ConnectReturnCode::BadUserNamePassword)
        }
        e => panic!("expected a refusal, got {e}"),
    }

    let mut c = v5c::connect(v5c::opts(srv.addr, "c5", "dev-1", "secret"), None);
    c.connack().await;
    c.client
        .subscribe("anjian/#", QoS::AtLeastOnce)
        .await
        .unwrap();
    match c.next().await {
        Packet::SubAck(s) => assert_eq!(s.return_codes, vec![SubscribeReasonCode::NotAuthorized]),
        p => panic!("expected SUBACK, got {p:?}"),
    }
    let cases = [
        (
            TOPIC1,
            "garbage".to_owned(),
            PubAckReason::PayloadFormatInvalid,
        ),
        (
            "anjian/v1/devices/dev-2/telemetry",
            reading(1.0),
            PubAckReason::NotAuthorized,
        ),
        ("elsewhere", reading(1.0), PubAckReason::TopicNameInvalid),
        (TOPIC1, reading(3.0), PubAckReason::Success),
    ];
    for (topic, payload, reason) in cases {
        c.client
            .publish(topic, QoS::AtLeastOnce, false, payload)
            .await
            .unwrap();
        match c.next().await {
            Packet::PubAck(a) => assert_eq!(a.reason, reason, "{topic}"),
            p => panic!("expected PUBACK, got {p:?}"),
        }
    }
    assert_eq!(sink.subs().len(), 1);
    let s = srv.stats.snapshot();
    assert_eq!(
        (s.unauthorized, s.malformed, s.foreign_topic, s.accepted),
        (1, 1, 2, 1)
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_overloaded_gets_quota_exceeded() {
    use rumqttc::v5::mqttbytes::v5::{Packet, PubAckReason};
    let sink = FakeSink::with_delay(Duration::ZERO);
    sink.overloaded.store(true, Ordering::SeqCst);
    let srv = start(sink.clone()).await;
    let mut c = v5c::connect(v5c::opts(srv.addr, "c5", "dev-1", "secret"), None);
    c.connack().await;
    c.client
        .publish(
            TOPIC1,
            rumqttc::v5::mqttbytes::QoS::AtLeastOnce,
            false,
            reading(1.0),
        )
        .await
        .unwrap();
    match c.next().await {
        Packet::PubAck(a) => assert_eq!(a.reason, PubAckReason::QuotaExceeded),
        p => panic!("expected PUBACK, got {p:?}"),
    }
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v5_qos2_disconnects() {
    use rumqttc::v5::mqttbytes::v5::{DisconnectReasonCode, Packet};
    let sink = FakeSink::with_delay(Duration::ZERO);
    let srv = start(sink.clone()).await;
    let mut c = v5c::connect(v5c::opts(srv.addr, "c5", "dev-1", "secret"), None);
    c.connack().await;
    c.client
        .publish(
            TOPIC1,
            rumqttc::v5::mqttbytes::QoS::ExactlyOnce,
            false,
            reading(1.0),
        )
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), c.events.recv()).await {
            Ok(Some(v5c::Ev::Packet(Packet::Disconnect(d)))) => {
                assert_eq!(d.reason_code, DisconnectReasonCode::QoSNotSupported);
                break;
            }
            Ok(Some(v5c::Ev::Packet(_))) => {}
            // rumqttc reports the server's DISCONNECT as an error of the event loop
            Ok(Some(v5c::Ev::Error(rumqttc::v5::ConnectionError::MqttState(
                rumqttc::v5::StateError::ServerDisconnect { reason_code, .. },
            )))) => {
                assert_eq!(reason_code, DisconnectReasonCode::QoSNotSupported);
                break;
            }
            Ok(Some(v5c::Ev::Error(e))) => panic!("closed without DISCONNECT: {e}"),
            _ => panic!("no DISCONNECT"),
        }
    }
    assert!(sink.subs().is_empty());
    srv.stop().await;
}

// ---------------------------------------------------------------------------------------------
// External broker: the machine's Mosquitto at 127.0.0.1:1883

mod broker {
    use super::*;
    use anjian_ingest::mqtt_client::{BrokerClientConfig, run_broker_client};

    /// `false` (after a printed note) when no broker listens and CI is not set.
    pub async fn reachable() -> bool {
        let ok = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::TcpStream::connect("127.0.0.1:1883"),
        )
        .await
        .is_ok_and(|r| r.is_ok());
        if !ok {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but no MQTT broker listens on 127.0.0.1:1883 (install and start mosquitto)"
            );
            eprintln!("note: skipping: no MQTT broker on 127.0.0.1:1883");
        }
        ok
    }

    pub fn unique(prefix: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        format!("{prefix}-{}-{nanos}", std::process::id())
    }

    pub struct Running {
        stop: oneshot::Sender<()>,
        task: tokio::task::JoinHandle<()>,
    }

    impl Running {
        pub async fn stop(self) {
            let _ = self.stop.send(());
            tokio::time::timeout(Duration::from_secs(15), self.task)
                .await
                .expect("client stops")
                .unwrap();
        }
    }

    pub fn run(client_id: &str, device: &str, sink: Arc<FakeSink>) -> Running {
        let mut cfg = BrokerClientConfig::new("127.0.0.1", 1883);
        cfg.client_id = client_id.to_owned();
        // only this test's device, so that concurrent users of the broker do not interfere
        cfg.topic_filter = format!("anjian/v1/devices/{device}/telemetry");
        let (stop, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            run_broker_client(cfg, sink, async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        Running { stop, task }
    }

    /// Publish one QoS 1 message as another client and wait for the broker's PUBACK.
    pub async fn publish(device: &str, payload: String) {
        let mut o = rumqttc::MqttOptions::new(unique("pub"), "127.0.0.1", 1883);
        o.set_keep_alive(Duration::from_secs(5));
        let mut c = v4c::connect(o, None);
        c.connected().await;
        c.client
            .publish(
                format!("anjian/v1/devices/{device}/telemetry"),
                rumqttc::QoS::AtLeastOnce,
                false,
                payload,
            )
            .await
            .unwrap();
        loop {
            if let rumqttc::Packet::PubAck(_) = c.next().await {
                break;
            }
        }
        let _ = c.client.disconnect().await;
    }

    pub fn values(sink: &FakeSink) -> Vec<f64> {
        sink.subs()
            .iter()
            .flat_map(|s| s.readings.iter().map(|r| r.value))
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_client_receives_and_keeps_its_session_across_restarts() {
    if !broker::reachable().await {
        return;
    }
    let device = broker::unique("dev");
    let client_id = broker::unique("anjian-test");
    let sink = FakeSink::with_delay(Duration::from_millis(20));

    // 1. live delivery; publish until the subscription is in place
    let running = broker::run(&client_id, &device, sink.clone());
    let mut n = 0.0;
    while sink.subs().is_empty() {
        assert!(n < 50.0, "nothing received through the broker");
        n += 1.0;
        broker::publish(&device, reading(n)).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let sub = sink.subs()[0].clone();
    assert_eq!(sub.device, None);
    assert_eq!(sub.topic_device.as_deref(), Some(device.as_str()));
    running.stop().await;

    // 2. published while the client is away: delivered after the restart (persistent session)
    let before = sink.subs().len();
    broker::publish(&device, reading(1000.0)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sink.subs().len(), before, "client is stopped");
    let running = broker::run(&client_id, &device, sink.clone());
    wait_until("the message published while away", || {
        broker::values(&sink).contains(&1000.0)
    })
    .await;
    running.stop().await;

    // 3. acknowledged: a third run gets nothing redelivered
    let count = sink.subs().len();
    let running = broker::run(&client_id, &device, sink.clone());
    tokio::time::sleep(Duration::from_millis(800)).await;
    running.stop().await;
    let values = broker::values(&sink);
    assert_eq!(sink.subs().len(), count, "nothing redelivered: {values:?}");
    assert_eq!(values.iter().filter(|v| **v == 1000.0).count(), 1);

    // clean up the session on the broker
    let mut o = rumqttc::MqttOptions::new(client_id, "127.0.0.1", 1883);
    o.set_clean_session(true);
    let mut c = v4c::connect(o, None);
    c.connected().await;
    let _ = c.client.disconnect().await;
}
