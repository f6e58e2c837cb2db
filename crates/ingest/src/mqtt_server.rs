//! The built-in MQTT listener: devices connect straight to anjian.
//!
//! MQTT 3.1.1 and 5 (chosen per connection by the CONNECT protocol level), QoS 0 and 1, on the
//! packet types of `rumqttc` (`rumqttc::mqttbytes::v4`, `rumqttc::v5::mqttbytes::v5`); framing
//! and the size limit are checked here before a packet is decoded.
//!
//! Per connection one task reads, decodes and handles packets; a second task writes. Each
//! PUBLISH becomes a [`TelemetrySink::submit`] future; up to
//! [`MqttServerConfig::max_inflight`] of them run concurrently (reading pauses beyond that), and
//! the QoS 1 PUBACK is sent only once its submit resolved `Ok` (storage committed), so PUBACKs may
//! go out in another order than the PUBLISHes came in.
//!
//! Policies (see docs/telemetry.md):
//! - bad credentials: CONNACK refused, connection closed (outcome `unauthorized`);
//! - malformed or oversized payload, topic not of the telemetry scheme, another device's topic:
//!   counted, logged at debug (rate limited), and for QoS 1 still acknowledged so the device
//!   does not resend it forever (v5: PUBACK reason 0x99 payload format invalid, 0x90 topic name
//!   invalid, 0x87 not authorized);
//! - a packet larger than [`MqttServerConfig::max_packet_size`]: connection closed
//!   (v5: DISCONNECT 0x95);
//! - QoS 2: connection closed (v5: DISCONNECT 0x9B);
//! - [`SubmitError::Overloaded`]: v3.1.1 no PUBACK, the connection is drained and closed so the
//!   device reconnects and resends; v5 PUBACK 0x97 quota exceeded;
//! - [`SubmitError::Storage`] / [`SubmitError::ShuttingDown`]: no PUBACK, connection drained and
//!   closed (v5: DISCONNECT 0x80 / 0x8B); the device resends after reconnecting.
//! - SUBSCRIBE: SUBACK with a failure code per filter (this listener only takes telemetry);
//!   UNSUBSCRIBE: UNSUBACK; PINGREQ: PINGRESP; no packet for 1.5 x keep-alive: closed;
//! - a second connection of the same device with the same client id takes the session over:
//!   the older connection is closed (v5: DISCONNECT 0x8E). Connections of different devices
//!   never affect each other, even with equal client ids.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::{Buf, Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use rumqttc::mqttbytes::v4;
use rumqttc::v5::mqttbytes::v5;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tokio::task::JoinSet;

use crate::payload::{MAX_PAYLOAD_BYTES, PayloadError, parse_payload, parse_topic};
use crate::sink::{
    AuthFailure, DeviceAuthenticator, Submission, SubmitError, SubmitReport, TelemetrySink,
};
use anjian_alarm::Millis;

/// Settings of the built-in listener.
#[derive(Clone, Debug)]
pub struct MqttServerConfig {
    /// Address to listen on (`ANJIAN_MQTT_LISTEN`, default `0.0.0.0:1883`).
    pub listen: SocketAddr,
    /// Most simultaneous connections; further ones are closed right after accept.
    pub max_connections: usize,
    /// Most PUBLISHes of one connection being submitted at once (also announced to v5 clients
    /// as Receive Maximum). Reading from the connection pauses while this many are pending.
    pub max_inflight: usize,
    /// Largest accepted MQTT packet, bytes of remaining length (payload + topic + header
    /// fields). Larger packets close the connection.
    pub max_packet_size: usize,
    /// Time allowed between accept and a complete CONNECT.
    pub connect_timeout: Duration,
    /// Time allowed for one write to a client before the connection is dropped.
    pub write_timeout: Duration,
    /// On shutdown, how long connections may take to finish their pending submits.
    pub shutdown_grace: Duration,
}

impl Default for MqttServerConfig {
    fn default() -> Self {
        MqttServerConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 1883)),
            max_connections: 10_000,
            max_inflight: 64,
            max_packet_size: MAX_PAYLOAD_BYTES + 4096,
            connect_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Errors of the MQTT transports.
#[derive(Debug, thiserror::Error)]
pub enum MqttError {
    /// The listen socket could not be bound.
    #[error(
        "cannot listen for MQTT on {addr}: {reason} (set ANJIAN_MQTT_LISTEN to another address, or `off`)"
    )]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why, in words (`address in use`, `permission denied`, ...).
        reason: String,
    },
    /// Invalid external-broker settings.
    #[error("invalid MQTT broker settings: {0}")]
    Config(String),
}

/// Counters of one listener (also exported through the `metrics` facade).
#[derive(Debug, Default)]
pub struct MqttStats {
    connections: AtomicU64,
    accepted: AtomicU64,
    malformed: AtomicU64,
    unauthorized: AtomicU64,
    oversized: AtomicU64,
    foreign_topic: AtomicU64,
    rejected: AtomicU64,
    readings_accepted: AtomicU64,
}

/// A copy of the [`MqttStats`] counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MqttStatsSnapshot {
    /// Connections currently open (after a successful CONNECT).
    pub connections: u64,
    /// Messages submitted and committed.
    pub accepted: u64,
    /// Messages whose payload did not parse.
    pub malformed: u64,
    /// Refused CONNECTs (bad credentials / not authorized).
    pub unauthorized: u64,
    /// Payloads or packets over the size limits.
    pub oversized: u64,
    /// PUBLISHes to a topic that is not the device's own telemetry topic.
    pub foreign_topic: u64,
    /// Messages the sink refused (overloaded, storage failure, shutting down).
    pub rejected: u64,
    /// Readings reported accepted by the sink.
    pub readings_accepted: u64,
}

impl MqttStats {
    /// Current values.
    pub fn snapshot(&self) -> MqttStatsSnapshot {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        MqttStatsSnapshot {
            connections: g(&self.connections),
            accepted: g(&self.accepted),
            malformed: g(&self.malformed),
            unauthorized: g(&self.unauthorized),
            oversized: g(&self.oversized),
            foreign_topic: g(&self.foreign_topic),
            rejected: g(&self.rejected),
            readings_accepted: g(&self.readings_accepted),
        }
    }
}

/// Outcome label of `anjian_ingest_messages_total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Malformed,
    Unauthorized,
    Oversized,
    ForeignTopic,
    Overloaded,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Malformed => "malformed",
            Outcome::Unauthorized => "unauthorized",
            Outcome::Oversized => "oversized",
            Outcome::ForeignTopic => "foreign_topic",
            Outcome::Overloaded => "overloaded",
            Outcome::Failed => "failed",
        }
    }
}

/// Record one message outcome (metrics facade; `transport` label `mqtt` or `broker`).
pub(crate) fn count_message(transport: &'static str, outcome: &'static str) {
    metrics::counter!("anjian_ingest_messages_total", "transport" => transport, "outcome" => outcome)
        .increment(1);
}

/// Record the reading outcomes of one committed message.
pub(crate) fn count_readings(transport: &'static str, r: &SubmitReport) {
    for (outcome, n) in [
        ("accepted", r.accepted),
        ("duplicate", r.duplicate),
        ("out_of_order", r.out_of_order),
        ("unknown_sensor", r.unknown_sensor),
        ("foreign_sensor", r.foreign_sensor),
    ] {
        if n > 0 {
            metrics::counter!("anjian_ingest_readings_total", "transport" => transport, "outcome" => outcome)
                .increment(u64::from(n));
        }
    }
}

/// Now as UTC epoch milliseconds.
pub(crate) fn now_millis() -> Millis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Lets through at most one log line per second per kind, counting the rest.
#[derive(Debug)]
pub(crate) struct LogLimiter {
    start: Instant,
    next_ms: AtomicU64,
    suppressed: AtomicU64,
}

impl LogLimiter {
    pub(crate) fn new() -> Self {
        LogLimiter {
            start: Instant::now(),
            next_ms: AtomicU64::new(0),
            suppressed: AtomicU64::new(0),
        }
    }

    /// `Some(n)` = log now, `n` lines were suppressed since the last one.
    pub(crate) fn allow(&self) -> Option<u64> {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        let next = self.next_ms.load(Ordering::Relaxed);
        if now >= next
            && self
                .next_ms
                .compare_exchange(next, now + 1000, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            Some(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

type SessionKey = (String, String);

struct Shared {
    cfg: MqttServerConfig,
    stats: Arc<MqttStats>,
    sessions: Mutex<HashMap<SessionKey, (u64, oneshot::Sender<()>)>>,
    next_conn: AtomicU64,
    reject_log: LogLimiter,
    warn_log: LogLimiter,
}

impl Shared {
    fn outcome(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Accepted => &self.stats.accepted,
            Outcome::Malformed => &self.stats.malformed,
            Outcome::Unauthorized => &self.stats.unauthorized,
            Outcome::Oversized => &self.stats.oversized,
            Outcome::ForeignTopic => &self.stats.foreign_topic,
            Outcome::Overloaded | Outcome::Failed => &self.stats.rejected,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        count_message("mqtt", outcome.as_str());
    }
}

/// A bound listener, not yet serving. See [`bind`].
pub struct MqttListener {
    listener: TcpListener,
    local: SocketAddr,
    shared: Arc<Shared>,
}

/// Bind the listen socket. The error message names the address and `ANJIAN_MQTT_LISTEN`.
pub async fn bind(cfg: MqttServerConfig) -> Result<MqttListener, MqttError> {
    let addr = cfg.listen;
    let bind_err = |e: io::Error| MqttError::Bind {
        addr,
        reason: match e.kind() {
            io::ErrorKind::AddrInUse => "address in use".to_owned(),
            io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            io::ErrorKind::AddrNotAvailable => "address not available on this machine".to_owned(),
            _ => e.to_string(),
        },
    };
    let listener = TcpListener::bind(addr).await.map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    Ok(MqttListener {
        listener,
        local,
        shared: Arc::new(Shared {
            cfg,
            stats: Arc::new(MqttStats::default()),
            sessions: Mutex::new(HashMap::new()),
            next_conn: AtomicU64::new(1),
            reject_log: LogLimiter::new(),
            warn_log: LogLimiter::new(),
        }),
    })
}

impl MqttListener {
    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The listener's counters (shared; stays valid while and after serving).
    pub fn stats(&self) -> Arc<MqttStats> {
        self.shared.stats.clone()
    }

    /// Accept and serve connections until `shutdown` resolves; then stop accepting, let every
    /// connection finish its pending submits (up to [`MqttServerConfig::shutdown_grace`]) and
    /// close them (v5: DISCONNECT 0x8B server shutting down).
    pub async fn serve<S, A, F>(self, sink: Arc<S>, auth: Arc<A>, shutdown: F)
    where
        S: TelemetrySink,
        A: DeviceAuthenticator,
        F: Future<Output = ()> + Send,
    {
        let MqttListener {
            listener,
            local,
            shared,
        } = self;
        tracing::info!(addr = %local, "MQTT listener started");
        let permits = Arc::new(Semaphore::new(shared.cfg.max_connections.max(1)));
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut conns = JoinSet::new();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        let Ok(permit) = permits.clone().try_acquire_owned() else {
                            if let Some(n) = shared.warn_log.allow() {
                                tracing::warn!(%peer, suppressed = n, max = shared.cfg.max_connections,
                                    "MQTT connection limit reached; closing the new connection");
                            }
                            drop(stream);
                            continue;
                        };
                        let conn = Connection::new(shared.clone(), sink.clone(), stop_rx.clone());
                        let auth = auth.clone();
                        conns.spawn(async move {
                            conn.run(stream, peer, auth).await;
                            drop(permit);
                        });
                    }
                    Err(e) => {
                        // EMFILE and friends: back off a little instead of spinning.
                        if let Some(n) = shared.warn_log.allow() {
                            tracing::warn!(error = %e, suppressed = n, "MQTT accept failed");
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
            }
        }
        drop(listener);
        let _ = stop_tx.send(true);
        let grace = shared.cfg.shutdown_grace;
        let drained =
            tokio::time::timeout(grace, async { while conns.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!(
                remaining = conns.len(),
                "MQTT connections still busy after the shutdown grace period; aborting them"
            );
            conns.shutdown().await;
        }
        tracing::info!(addr = %local, "MQTT listener stopped");
    }
}

// ---------------------------------------------------------------------------------------------
// Framing

#[derive(Debug, PartialEq, Eq)]
enum Frame {
    Incomplete,
    Ready { packet_type: u8, remaining: usize },
}

#[derive(Debug, PartialEq, Eq)]
enum FrameError {
    TooLarge(usize),
    Malformed,
}

/// Look at the fixed header in `buf` without consuming anything.
fn peek_frame(buf: &[u8], max_remaining: usize) -> Result<Frame, FrameError> {
    let Some(&byte1) = buf.first() else {
        return Ok(Frame::Incomplete);
    };
    let mut remaining = 0usize;
    let mut header_len = 1;
    for i in 0..4 {
        let Some(&b) = buf.get(1 + i) else {
            return Ok(Frame::Incomplete);
        };
        header_len += 1;
        remaining |= usize::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            if remaining > max_remaining {
                return Err(FrameError::TooLarge(remaining));
            }
            if buf.len() < header_len + remaining {
                return Ok(Frame::Incomplete);
            }
            return Ok(Frame::Ready {
                packet_type: byte1 >> 4,
                remaining,
            });
        }
    }
    Err(FrameError::Malformed)
}

/// Protocol level of a complete CONNECT frame at the start of `buf` (name must be `MQTT`).
fn connect_level(buf: &[u8]) -> Option<u8> {
    let mut i = 1;
    while buf.get(i)? & 0x80 != 0 {
        i += 1;
    }
    let name_len = usize::from(u16::from_be_bytes([*buf.get(i + 1)?, *buf.get(i + 2)?]));
    let name = buf.get(i + 3..i + 3 + name_len)?;
    if name != b"MQTT" {
        return None;
    }
    buf.get(i + 3 + name_len).copied()
}

// ---------------------------------------------------------------------------------------------
// Protocol-neutral view of the packets

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Proto {
    V4,
    V5,
}

enum Incoming {
    Publish {
        topic: Option<String>,
        qos: u8,
        pkid: u16,
        payload: Bytes,
        topic_alias: bool,
    },
    Subscribe {
        pkid: u16,
        filters: usize,
    },
    Unsubscribe {
        pkid: u16,
        filters: usize,
    },
    PingReq,
    Disconnect,
    Unexpected(&'static str),
}

fn decode(
    proto: Proto,
    buf: &mut BytesMut,
    packet_type: u8,
    remaining: usize,
) -> Result<Incoming, String> {
    if packet_type == 14 && remaining == 0 {
        // v5 allows an empty DISCONNECT (reason 0), which rumqttc's v5 decoder refuses.
        buf.advance(2);
        return Ok(Incoming::Disconnect);
    }
    match proto {
        Proto::V4 => {
            let p = v4::Packet::read(buf, usize::MAX).map_err(|e| e.to_string())?;
            Ok(match p {
                v4::Packet::Publish(p) => Incoming::Publish {
                    topic: Some(p.topic),
                    qos: p.qos as u8,
                    pkid: p.pkid,
                    payload: p.payload,
                    topic_alias: false,
                },
                v4::Packet::Subscribe(s) => Incoming::Subscribe {
                    pkid: s.pkid,
                    filters: s.filters.len(),
                },
                v4::Packet::Unsubscribe(u) => Incoming::Unsubscribe {
                    pkid: u.pkid,
                    filters: u.topics.len(),
                },
                v4::Packet::PingReq => Incoming::PingReq,
                v4::Packet::Disconnect => Incoming::Disconnect,
                v4::Packet::Connect(_) => Incoming::Unexpected("a second CONNECT"),
                _ => Incoming::Unexpected("a packet only a server sends, or a QoS 2 flow packet"),
            })
        }
        Proto::V5 => {
            let p = v5::Packet::read(buf, None).map_err(|e| e.to_string())?;
            Ok(match p {
                v5::Packet::Publish(p) => Incoming::Publish {
                    topic: String::from_utf8(p.topic.to_vec()).ok(),
                    qos: p.qos as u8,
                    pkid: p.pkid,
                    payload: p.payload,
                    topic_alias: p
                        .properties
                        .as_ref()
                        .is_some_and(|pr| pr.topic_alias.is_some()),
                },
                v5::Packet::Subscribe(s) => Incoming::Subscribe {
                    pkid: s.pkid,
                    filters: s.filters.len(),
                },
                v5::Packet::Unsubscribe(u) => Incoming::Unsubscribe {
                    pkid: u.pkid,
                    filters: u.filters.len(),
                },
                v5::Packet::PingReq(_) => Incoming::PingReq,
                v5::Packet::Disconnect(_) => Incoming::Disconnect,
                v5::Packet::Connect(..) => Incoming::Unexpected("a second CONNECT"),
                v5::Packet::Auth(_) => {
                    Incoming::Unexpected("AUTH (enhanced authentication is not supported)")
                }
                _ => Incoming::Unexpected("a packet only a server sends, or a QoS 2 flow packet"),
            })
        }
    }
}

/// How a QoS 1 PUBLISH is answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ack {
    Success,
    PayloadFormatInvalid,
    TopicNameInvalid,
    NotAuthorized,
    QuotaExceeded,
}

fn encode_v4(p: v4::Packet) -> Bytes {
    let mut b = BytesMut::with_capacity(p.size());
    // Only small, well-formed server packets are written here; a failure would be a bug, and
    // an empty buffer simply writes nothing.
    if let Err(e) = p.write(&mut b, usize::MAX) {
        tracing::error!(error = %e, "cannot encode MQTT packet");
        b.clear();
    }
    b.freeze()
}

fn encode_v5(p: v5::Packet) -> Bytes {
    let mut b = BytesMut::with_capacity(p.size());
    if let Err(e) = p.write(&mut b, None) {
        tracing::error!(error = %e, "cannot encode MQTT packet");
        b.clear();
    }
    b.freeze()
}

fn puback(proto: Proto, pkid: u16, ack: Ack) -> Bytes {
    match proto {
        Proto::V4 => encode_v4(v4::Packet::PubAck(v4::PubAck::new(pkid))),
        Proto::V5 => {
            let mut p = v5::PubAck::new(pkid, None);
            p.reason = match ack {
                Ack::Success => v5::PubAckReason::Success,
                Ack::PayloadFormatInvalid => v5::PubAckReason::PayloadFormatInvalid,
                Ack::TopicNameInvalid => v5::PubAckReason::TopicNameInvalid,
                Ack::NotAuthorized => v5::PubAckReason::NotAuthorized,
                Ack::QuotaExceeded => v5::PubAckReason::QuotaExceeded,
            };
            encode_v5(v5::Packet::PubAck(p))
        }
    }
}

fn disconnect_v5(reason: v5::DisconnectReasonCode) -> Bytes {
    // Written by hand: rumqttc 0.25 encodes a v5 DISCONNECT without properties with remaining
    // length 1 followed by two bytes (reason code + empty property length), which clients
    // reject ("bytes remaining on stream"); and its decoder needs the property length byte
    // (remaining length 1 is valid MQTT 5 but rumqttc then waits for more). So: reason code +
    // empty properties, remaining length 2.
    Bytes::from(vec![0xE0, 0x02, reason as u8, 0x00])
}

/// CONNACK refusal codes, per protocol.
#[derive(Clone, Copy, Debug)]
enum Refuse {
    Protocol,
    ClientId,
    Unavailable,
    BadCredentials,
    NotAuthorized,
    BadAuthMethod,
}

fn connack_refused(proto: Proto, why: Refuse) -> Bytes {
    match proto {
        Proto::V4 => {
            let code = match why {
                Refuse::Protocol => v4::ConnectReturnCode::RefusedProtocolVersion,
                Refuse::ClientId => v4::ConnectReturnCode::BadClientId,
                Refuse::Unavailable => v4::ConnectReturnCode::ServiceUnavailable,
                Refuse::BadCredentials => v4::ConnectReturnCode::BadUserNamePassword,
                Refuse::NotAuthorized | Refuse::BadAuthMethod => {
                    v4::ConnectReturnCode::NotAuthorized
                }
            };
            encode_v4(v4::Packet::ConnAck(v4::ConnAck::new(code, false)))
        }
        Proto::V5 => {
            // Only v5 codes: rumqttc panics when encoding the v3-only ones in a v5 CONNACK.
            let code = match why {
                Refuse::Protocol => v5::ConnectReturnCode::UnsupportedProtocolVersion,
                Refuse::ClientId => v5::ConnectReturnCode::ClientIdentifierNotValid,
                Refuse::Unavailable => v5::ConnectReturnCode::ServerUnavailable,
                Refuse::BadCredentials => v5::ConnectReturnCode::BadUserNamePassword,
                Refuse::NotAuthorized => v5::ConnectReturnCode::NotAuthorized,
                Refuse::BadAuthMethod => v5::ConnectReturnCode::BadAuthenticationMethod,
            };
            encode_v5(v5::Packet::ConnAck(v5::ConnAck {
                session_present: false,
                code,
                properties: None,
            }))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One connection

struct Done {
    pkid: u16,
    qos: u8,
    result: Result<SubmitReport, SubmitError>,
}

/// A pending submit (boxed: one small allocation per message).
type SubmitFuture = Pin<Box<dyn Future<Output = Done> + Send>>;

fn submit_task<S: TelemetrySink>(
    sink: Arc<S>,
    sub: Submission,
    pkid: u16,
    qos: u8,
) -> SubmitFuture {
    Box::pin(async move {
        let result = sink.submit(sub).await;
        Done { pkid, qos, result }
    })
}

struct Connection<S> {
    shared: Arc<Shared>,
    sink: Arc<S>,
    stop: watch::Receiver<bool>,
    id: u64,
}

/// What the first packet turned out to be.
struct Login {
    proto: Proto,
    client_id: String,
    keep_alive: u16,
    device: String,
}

/// Why the read loop ended.
enum Close {
    /// Peer closed or sent DISCONNECT: nothing to send.
    Quiet,
    /// Server-initiated, with a v5 DISCONNECT reason.
    Reason(v5::DisconnectReasonCode),
}

impl<S: TelemetrySink> Connection<S> {
    fn new(shared: Arc<Shared>, sink: Arc<S>, stop: watch::Receiver<bool>) -> Self {
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        Connection {
            shared,
            sink,
            stop,
            id,
        }
    }

    async fn run<A: DeviceAuthenticator>(self, stream: TcpStream, peer: SocketAddr, auth: Arc<A>) {
        let _ = stream.set_nodelay(true);
        let (mut rd, wr) = stream.into_split();
        let (tx, rx) = mpsc::channel::<Bytes>(256);
        let writer = tokio::spawn(write_loop(wr, rx, self.shared.cfg.write_timeout));
        let mut buf = BytesMut::with_capacity(8 * 1024);

        let connect_timeout = self.shared.cfg.connect_timeout;
        let login = tokio::time::timeout(
            connect_timeout,
            self.handshake(&mut rd, &mut buf, &tx, peer, auth.as_ref()),
        )
        .await;
        let login = match login {
            Ok(Some(login)) => login,
            Ok(None) => {
                finish_writer(tx, writer).await;
                return;
            }
            Err(_) => {
                tracing::debug!(%peer, "MQTT client sent no CONNECT in time");
                finish_writer(tx, writer).await;
                return;
            }
        };

        // Session takeover: the same device with the same client id closes the older one.
        let (takeover_tx, takeover_rx) = oneshot::channel();
        let key = (login.device.clone(), login.client_id.clone());
        let old = self
            .shared
            .sessions
            .lock()
            .ok()
            .and_then(|mut m| m.insert(key.clone(), (self.id, takeover_tx)));
        if let Some((_, old)) = old {
            let _ = old.send(());
        }
        self.shared
            .stats
            .connections
            .fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("anjian_mqtt_connections").increment(1.0);
        tracing::debug!(%peer, device = %login.device, client_id = %login.client_id,
            proto = ?login.proto, "MQTT device connected");

        let close = self
            .serve_session(&mut rd, &mut buf, &tx, &login, takeover_rx)
            .await;
        if let (Proto::V5, Close::Reason(reason)) = (login.proto, &close) {
            let _ = tx.send(disconnect_v5(*reason)).await;
        }
        finish_writer(tx, writer).await;

        if let Ok(mut m) = self.shared.sessions.lock()
            && m.get(&key).is_some_and(|(id, _)| *id == self.id)
        {
            m.remove(&key);
        }
        self.shared
            .stats
            .connections
            .fetch_sub(1, Ordering::Relaxed);
        metrics::gauge!("anjian_mqtt_connections").decrement(1.0);
        tracing::debug!(%peer, device = %login.device, client_id = %login.client_id, "MQTT device disconnected");
    }

    /// Read the CONNECT, authenticate, answer with CONNACK. `None` = connection to be closed.
    async fn handshake<A: DeviceAuthenticator>(
        &self,
        rd: &mut tokio::net::tcp::OwnedReadHalf,
        buf: &mut BytesMut,
        tx: &mpsc::Sender<Bytes>,
        peer: SocketAddr,
        auth: &A,
    ) -> Option<Login> {
        let max = self.shared.cfg.max_packet_size;
        let packet_type = loop {
            match peek_frame(buf, max) {
                Ok(Frame::Ready { packet_type, .. }) => break packet_type,
                Ok(Frame::Incomplete) => {}
                Err(_) => return None,
            }
            match rd.read_buf(buf).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        };
        if packet_type != 1 {
            tracing::debug!(%peer, packet_type, "MQTT client did not start with CONNECT");
            return None;
        }
        let proto = match connect_level(buf) {
            Some(4) => Proto::V4,
            Some(5) => Proto::V5,
            level => {
                tracing::debug!(%peer, ?level, "unsupported MQTT protocol level");
                let _ = tx.send(connack_refused(Proto::V4, Refuse::Protocol)).await;
                return None;
            }
        };
        let (client_id, clean, keep_alive, login, auth_method) = match proto {
            Proto::V4 => match v4::Packet::read(buf, usize::MAX) {
                Ok(v4::Packet::Connect(c)) => (
                    c.client_id,
                    c.clean_session,
                    c.keep_alive,
                    c.login.map(|l| (l.username, l.password)),
                    false,
                ),
                Ok(_) | Err(_) => {
                    tracing::debug!(%peer, "malformed MQTT CONNECT");
                    return None;
                }
            },
            Proto::V5 => match v5::Packet::read(buf, None) {
                Ok(v5::Packet::Connect(c, _will, login)) => {
                    let props = c.properties.as_ref();
                    (
                        c.client_id,
                        c.clean_start,
                        c.keep_alive,
                        login.map(|l| (l.username, l.password)),
                        props.is_some_and(|p| p.authentication_method.is_some()),
                    )
                }
                Ok(_) | Err(_) => {
                    tracing::debug!(%peer, "malformed MQTT CONNECT");
                    return None;
                }
            },
        };
        let refuse = |why| connack_refused(proto, why);
        if auth_method {
            let _ = tx.send(refuse(Refuse::BadAuthMethod)).await;
            return None;
        }
        let mut assigned = None;
        let client_id = if client_id.is_empty() {
            if proto == Proto::V4 && !clean {
                let _ = tx.send(refuse(Refuse::ClientId)).await;
                return None;
            }
            let id = format!("anjian-auto-{}", self.id);
            assigned = Some(id.clone());
            id
        } else {
            client_id
        };
        let (username, password) = match &login {
            Some((u, p)) => (
                Some(u.as_str()).filter(|u| !u.is_empty()),
                Some(p.as_bytes()).filter(|p| !p.is_empty()),
            ),
            None => (None, None),
        };
        let device = match auth.authenticate(&client_id, username, password).await {
            Ok(device) => device,
            Err(failure) => {
                let why = match &failure {
                    AuthFailure::BadCredentials => Refuse::BadCredentials,
                    AuthFailure::NotAuthorized => Refuse::NotAuthorized,
                    AuthFailure::Unavailable(_) => Refuse::Unavailable,
                };
                if !matches!(failure, AuthFailure::Unavailable(_)) {
                    self.shared.outcome(Outcome::Unauthorized);
                }
                if let Some(n) = self.shared.reject_log.allow() {
                    tracing::debug!(%peer, client_id = %client_id, username = ?username,
                        error = %failure, suppressed = n, "MQTT CONNECT refused");
                }
                let _ = tx.send(refuse(why)).await;
                return None;
            }
        };
        let ack = match proto {
            Proto::V4 => encode_v4(v4::Packet::ConnAck(v4::ConnAck::new(
                v4::ConnectReturnCode::Success,
                false,
            ))),
            Proto::V5 => encode_v5(v5::Packet::ConnAck(v5::ConnAck {
                session_present: false,
                code: v5::ConnectReturnCode::Success,
                properties: Some(v5::ConnAckProperties {
                    // no session state is kept beyond the connection
                    session_expiry_interval: Some(0),
                    receive_max: Some(
                        u16::try_from(self.shared.cfg.max_inflight.max(1)).unwrap_or(u16::MAX),
                    ),
                    max_qos: Some(1),
                    retain_available: None,
                    max_packet_size: Some(
                        u32::try_from(self.shared.cfg.max_packet_size + 5).unwrap_or(u32::MAX),
                    ),
                    assigned_client_identifier: assigned,
                    topic_alias_max: None,
                    reason_string: None,
                    user_properties: Vec::new(),
                    wildcard_subscription_available: Some(0),
                    subscription_identifiers_available: Some(0),
                    shared_subscription_available: Some(0),
                    server_keep_alive: None,
                    response_information: None,
                    server_reference: None,
                    authentication_method: None,
                    authentication_data: None,
                }),
            })),
        };
        tx.send(ack).await.ok()?;
        Some(Login {
            proto,
            client_id,
            keep_alive,
            device,
        })
    }

    /// The main loop after a successful CONNECT.
    async fn serve_session(
        &self,
        rd: &mut tokio::net::tcp::OwnedReadHalf,
        buf: &mut BytesMut,
        tx: &mpsc::Sender<Bytes>,
        login: &Login,
        mut takeover: oneshot::Receiver<()>,
    ) -> Close {
        let cfg = &self.shared.cfg;
        let proto = login.proto;
        let mut inflight: FuturesUnordered<SubmitFuture> = FuturesUnordered::new();
        let keep_alive = (login.keep_alive > 0)
            .then(|| Duration::from_millis(u64::from(login.keep_alive) * 1500));
        let far = Duration::from_secs(86_400 * 365);
        let mut deadline = tokio::time::Instant::now() + keep_alive.unwrap_or(far);
        let mut stop = self.stop.clone();
        let mut stopping = *stop.borrow();
        // Some(reason) once the connection is to be closed: no more reading; pending submits are
        // still finished (they commit data) before closing.
        let mut closing: Option<Close> =
            stopping.then_some(Close::Reason(v5::DisconnectReasonCode::ServerShuttingDown));
        let mut eof = false;

        loop {
            // 1. handle complete packets already buffered, while there is room in flight.
            while closing.is_none() && inflight.len() < cfg.max_inflight.max(1) {
                let (packet_type, remaining) = match peek_frame(buf, cfg.max_packet_size) {
                    Ok(Frame::Incomplete) => {
                        if eof {
                            closing = Some(Close::Quiet);
                        }
                        break;
                    }
                    Ok(Frame::Ready {
                        packet_type,
                        remaining,
                    }) => (packet_type, remaining),
                    Err(FrameError::TooLarge(size)) => {
                        self.shared.outcome(Outcome::Oversized);
                        self.log_reject(login, "packet too large", &format!("{size} bytes"));
                        closing = Some(Close::Reason(v5::DisconnectReasonCode::PacketTooLarge));
                        break;
                    }
                    Err(FrameError::Malformed) => {
                        closing = Some(Close::Reason(v5::DisconnectReasonCode::MalformedPacket));
                        break;
                    }
                };
                if let Some(ka) = keep_alive {
                    deadline = tokio::time::Instant::now() + ka;
                }
                let packet = match decode(proto, buf, packet_type, remaining) {
                    Ok(p) => p,
                    Err(e) => {
                        self.log_reject(login, "malformed packet", &e);
                        closing = Some(Close::Reason(v5::DisconnectReasonCode::MalformedPacket));
                        break;
                    }
                };
                if let Some(c) = self.handle(packet, login, tx, &mut inflight).await {
                    closing = Some(c);
                }
            }
            if closing.is_some() && inflight.is_empty() {
                break;
            }
            let can_read = closing.is_none() && !eof && inflight.len() < cfg.max_inflight.max(1);

            tokio::select! {
                _ = &mut takeover, if closing.is_none() => {
                    tracing::debug!(device = %login.device, client_id = %login.client_id, "MQTT session taken over");
                    closing = Some(Close::Reason(v5::DisconnectReasonCode::SessionTakenOver));
                }
                changed = stop.changed(), if !stopping => {
                    stopping = true;
                    if changed.is_err() || *stop.borrow() {
                        closing.get_or_insert(Close::Reason(v5::DisconnectReasonCode::ServerShuttingDown));
                    }
                }
                Some(done) = inflight.next(), if !inflight.is_empty() => {
                    if let Some(ka) = keep_alive {
                        deadline = deadline.max(tokio::time::Instant::now() + ka);
                    }
                    if let Some(c) = self.completed(done, login, tx).await {
                        closing.get_or_insert(c);
                    }
                }
                read = rd.read_buf(buf), if can_read => match read {
                    Ok(0) | Err(_) => eof = true,
                    Ok(_) => {}
                },
                () = tokio::time::sleep_until(deadline), if can_read && keep_alive.is_some() => {
                    tracing::debug!(device = %login.device, client_id = %login.client_id, "MQTT keep-alive timeout");
                    closing = Some(Close::Reason(v5::DisconnectReasonCode::KeepAliveTimeout));
                }
            }
            if eof
                && closing.is_none()
                && matches!(peek_frame(buf, cfg.max_packet_size), Ok(Frame::Incomplete))
            {
                closing = Some(Close::Quiet);
            }
        }
        closing.unwrap_or(Close::Quiet)
    }

    fn log_reject(&self, login: &Login, what: &str, detail: &str) {
        if let Some(n) = self.shared.reject_log.allow() {
            tracing::debug!(device = %login.device, client_id = %login.client_id,
                suppressed = n, "MQTT {what}: {detail}");
        }
    }

    /// Handle one packet; `Some` = close the connection.
    async fn handle(
        &self,
        packet: Incoming,
        login: &Login,
        tx: &mpsc::Sender<Bytes>,
        inflight: &mut FuturesUnordered<SubmitFuture>,
    ) -> Option<Close> {
        let proto = login.proto;
        let send = |b: Bytes| async move { tx.send(b).await.is_ok() };
        match packet {
            Incoming::Publish {
                topic,
                qos,
                pkid,
                payload,
                topic_alias,
            } => {
                if qos > 1 {
                    self.log_reject(login, "QoS 2 not supported", "closing");
                    return Some(Close::Reason(v5::DisconnectReasonCode::QoSNotSupported));
                }
                if topic_alias {
                    return Some(Close::Reason(v5::DisconnectReasonCode::TopicAliasInvalid));
                }
                let topic = topic.unwrap_or_default();
                let rejected = match parse_topic(&topic) {
                    Err(_) => Some((
                        Outcome::ForeignTopic,
                        Ack::TopicNameInvalid,
                        format!("topic `{topic}` is not a telemetry topic"),
                    )),
                    Ok(code) if code != login.device => Some((
                        Outcome::ForeignTopic,
                        Ack::NotAuthorized,
                        format!("topic `{topic}` belongs to another device"),
                    )),
                    Ok(_) => None,
                };
                let readings = match rejected {
                    Some(r) => Err(r),
                    None => parse_payload(&payload).map_err(|e| match e {
                        PayloadError::TooLarge { .. } => {
                            (Outcome::Oversized, Ack::PayloadFormatInvalid, e.to_string())
                        }
                        e => (Outcome::Malformed, Ack::PayloadFormatInvalid, e.to_string()),
                    }),
                };
                match readings {
                    Err((outcome, ack, why)) => {
                        self.shared.outcome(outcome);
                        self.log_reject(login, "message dropped", &why);
                        if qos == 1 && !send(puback(proto, pkid, ack)).await {
                            return Some(Close::Quiet);
                        }
                        None
                    }
                    Ok(readings) => {
                        let sub = Submission {
                            device: Some(login.device.clone()),
                            topic_device: Some(login.device.clone()),
                            readings,
                            received_at: now_millis(),
                        };
                        inflight.push(submit_task(self.sink.clone(), sub, pkid, qos));
                        None
                    }
                }
            }
            Incoming::Subscribe { pkid, filters } => {
                let b = match proto {
                    Proto::V4 => encode_v4(v4::Packet::SubAck(v4::SubAck::new(
                        pkid,
                        vec![v4::SubscribeReasonCode::Failure; filters],
                    ))),
                    Proto::V5 => encode_v5(v5::Packet::SubAck(v5::SubAck {
                        pkid,
                        return_codes: vec![v5::SubscribeReasonCode::NotAuthorized; filters],
                        properties: None,
                    })),
                };
                (!send(b).await).then_some(Close::Quiet)
            }
            Incoming::Unsubscribe { pkid, filters } => {
                let b = match proto {
                    Proto::V4 => encode_v4(v4::Packet::UnsubAck(v4::UnsubAck::new(pkid))),
                    Proto::V5 => encode_v5(v5::Packet::UnsubAck(v5::UnsubAck {
                        pkid,
                        reasons: vec![v5::UnsubAckReason::NoSubscriptionExisted; filters],
                        properties: None,
                    })),
                };
                (!send(b).await).then_some(Close::Quiet)
            }
            Incoming::PingReq => {
                let b = match proto {
                    Proto::V4 => encode_v4(v4::Packet::PingResp),
                    Proto::V5 => encode_v5(v5::Packet::PingResp(v5::PingResp)),
                };
                (!send(b).await).then_some(Close::Quiet)
            }
            Incoming::Disconnect => Some(Close::Quiet),
            Incoming::Unexpected(what) => {
                self.log_reject(login, "protocol error", what);
                Some(Close::Reason(v5::DisconnectReasonCode::ProtocolError))
            }
        }
    }

    /// A submit resolved: acknowledge (or not) according to the policy.
    async fn completed(
        &self,
        done: Done,
        login: &Login,
        tx: &mpsc::Sender<Bytes>,
    ) -> Option<Close> {
        let Done { pkid, qos, result } = done;
        match result {
            Ok(report) => {
                self.shared.outcome(Outcome::Accepted);
                self.shared
                    .stats
                    .readings_accepted
                    .fetch_add(u64::from(report.accepted), Ordering::Relaxed);
                count_readings("mqtt", &report);
                if qos == 1
                    && tx
                        .send(puback(login.proto, pkid, Ack::Success))
                        .await
                        .is_err()
                {
                    return Some(Close::Quiet);
                }
                None
            }
            Err(e) => {
                let overloaded = e == SubmitError::Overloaded;
                self.shared.outcome(if overloaded {
                    Outcome::Overloaded
                } else {
                    Outcome::Failed
                });
                if let Some(n) = self.shared.warn_log.allow() {
                    tracing::warn!(device = %login.device, error = %e, suppressed = n,
                        "MQTT message not committed; not acknowledged");
                }
                match (login.proto, e) {
                    (Proto::V5, SubmitError::Overloaded) => {
                        if qos == 1
                            && tx
                                .send(puback(Proto::V5, pkid, Ack::QuotaExceeded))
                                .await
                                .is_err()
                        {
                            return Some(Close::Quiet);
                        }
                        None
                    }
                    // v3.1.1 only resends unacknowledged messages after reconnecting.
                    (_, SubmitError::Overloaded) => {
                        Some(Close::Reason(v5::DisconnectReasonCode::ServerBusy))
                    }
                    (_, SubmitError::ShuttingDown) => {
                        Some(Close::Reason(v5::DisconnectReasonCode::ServerShuttingDown))
                    }
                    (_, SubmitError::Storage(_)) => {
                        Some(Close::Reason(v5::DisconnectReasonCode::UnspecifiedError))
                    }
                }
            }
        }
    }
}

async fn write_loop(mut wr: OwnedWriteHalf, mut rx: mpsc::Receiver<Bytes>, timeout: Duration) {
    let mut out = BytesMut::with_capacity(4096);
    while let Some(first) = rx.recv().await {
        out.extend_from_slice(&first);
        while out.len() < 64 * 1024 {
            match rx.try_recv() {
                Ok(more) => out.extend_from_slice(&more),
                Err(_) => break,
            }
        }
        match tokio::time::timeout(timeout, wr.write_all(&out)).await {
            Ok(Ok(())) => out.clear(),
            Ok(Err(_)) | Err(_) => return,
        }
    }
    let _ = tokio::time::timeout(timeout, wr.shutdown()).await;
}

async fn finish_writer(tx: mpsc::Sender<Bytes>, writer: tokio::task::JoinHandle<()>) {
    drop(tx);
    let _ = writer.await;
}
