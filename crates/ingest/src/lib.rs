//! # anjian-ingest
//!
//! Telemetry ingestion: the built-in MQTT listener, the external-broker client, HTTP batches and
//! file replay, all feeding one pipeline into the alarm engine and storage.
//!
//! # Layout
//!
//! - [`sink`]: the boundary types every transport shares: [`RawReading`], [`Submission`],
//!   [`SubmitReport`], [`SubmitError`], the [`TelemetrySink`] implemented by the pipeline and the
//!   [`DeviceAuthenticator`] that checks device credentials.
//! - [`payload`]: topic (`anjian/v1/devices/{device_code}/telemetry`) and JSON payload parsing
//!   with limits (256 KiB, 10,000 readings).
//! - [`mqtt_server`]: the built-in MQTT 3.1.1/5 listener (QoS 0/1, PUBACK only after commit).
//! - [`mqtt_client`]: a client of an external broker (Mosquitto, EMQX) with a persistent session.
//! - [`pipeline`]: the engine task and the group-commit writer every transport submits to; alarm
//!   events are published after they are stored.
//! - [`catalog`]: stored devices, sensors and voting groups → the engine's rule set.
//! - [`replay`]: CSV reading files through the engine offline (`anjian replay`).
//! - [`tep`]: the Tennessee Eastman adapter (demo reactor unit and its rules).
//! - [`kpi`]: alarm-system KPIs over stored alarm events.
//! - [`webhook`]: webhook delivery with retries and a dead-letter record.
//!
//! The wire format and the policies are described for operators in `docs/telemetry.md`.
#![forbid(unsafe_code)]

pub mod catalog;
pub mod kpi;
pub mod mqtt_client;
pub mod mqtt_server;
pub mod payload;
pub mod pipeline;
pub mod replay;
pub mod sink;
pub mod tep;
pub mod webhook;

pub use anjian_alarm::{Millis, Quality};
pub use payload::{PayloadError, parse_payload, parse_topic};
pub use sink::{
    AuthFailure, DeviceAuthenticator, RawReading, Submission, SubmitError, SubmitReport,
    TelemetrySink,
};
