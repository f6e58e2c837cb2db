//! The boundary between the transports (MQTT, HTTP, replay) and the pipeline:
//! what a transport hands over ([`Submission`]), what it gets back ([`SubmitReport`] /
//! [`SubmitError`]), and how devices are authenticated ([`DeviceAuthenticator`]).

use std::future::Future;

use serde::Serialize;

use anjian_alarm::{Millis, Quality};

/// One reading as received, before the sensor code is resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct RawReading {
    /// Sensor (监测点) code as sent by the device.
    pub sensor: String,
    /// Event time, UTC epoch milliseconds.
    pub ts: Millis,
    /// Measured value in the sensor's unit; always finite.
    pub value: f64,
    /// Quality flag sent with the value (default good).
    pub quality: Quality,
}

/// One message worth of readings handed to a [`TelemetrySink`].
#[derive(Clone, Debug, PartialEq)]
pub struct Submission {
    /// Authenticated device code; `None` = trusted source (HTTP admin, external broker topic).
    pub device: Option<String>,
    /// Device code taken from the MQTT topic, if the readings came over MQTT.
    pub topic_device: Option<String>,
    /// The readings, in message order.
    pub readings: Vec<RawReading>,
    /// When the transport received the message, UTC epoch milliseconds.
    pub received_at: Millis,
}

/// What became of the readings of one [`Submission`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitReport {
    /// Readings applied and stored.
    pub accepted: u32,
    /// Readings already stored (same sensor and time), dropped.
    pub duplicate: u32,
    /// Readings older than the sensor's last accepted reading, dropped.
    pub out_of_order: u32,
    /// Readings for a sensor code that is not configured, dropped.
    pub unknown_sensor: u32,
    /// Readings for a sensor that belongs to another device than the authenticated one, dropped.
    pub foreign_sensor: u32,
}

/// Why a [`Submission`] was not committed; the transport must not acknowledge it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// The pipeline queue is full; the sender should retry later.
    #[error("telemetry pipeline overloaded")]
    Overloaded,
    /// The storage transaction failed.
    #[error("telemetry storage failed: {0}")]
    Storage(String),
    /// The pipeline is stopping.
    #[error("telemetry pipeline is shutting down")]
    ShuttingDown,
}

/// Implemented by the pipeline; resolves only after the accepted readings are durably committed.
pub trait TelemetrySink: Send + Sync + 'static {
    /// Hand over one message; resolves after commit (or with the reason it was not committed).
    fn submit(
        &self,
        sub: Submission,
    ) -> impl Future<Output = Result<SubmitReport, SubmitError>> + Send;
}

/// Why a device could not log in.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// Unknown device, no MQTT password set, or wrong password.
    #[error("bad user name or password")]
    BadCredentials,
    /// The device exists but may not connect (disabled).
    #[error("not authorized")]
    NotAuthorized,
    /// The credential store could not be consulted (e.g. the database is down).
    #[error("authentication unavailable: {0}")]
    Unavailable(String),
}

/// Checks MQTT CONNECT credentials of devices.
pub trait DeviceAuthenticator: Send + Sync + 'static {
    /// username = device code, password = device secret. Ok(device code).
    fn authenticate(
        &self,
        client_id: &str,
        username: Option<&str>,
        password: Option<&[u8]>,
    ) -> impl Future<Output = Result<String, AuthFailure>> + Send;
}
