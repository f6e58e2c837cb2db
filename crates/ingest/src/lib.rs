//! # anjian-ingest
//!
//! Telemetry ingestion: the built-in MQTT listener, the external-broker client, HTTP batches and
//! file replay, all feeding one pipeline into the alarm engine and storage.
#![forbid(unsafe_code)]
