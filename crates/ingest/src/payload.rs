//! Parsing of the telemetry topic and JSON payload (contract section 3, docs/telemetry.md).
//!
//! Three payload forms are accepted:
//! - one reading: `{"sensor":"GT-1","ts":"2026-11-29T08:00:00+08:00","value":12.5,"quality":"good"}`
//! - a batch at one time: `{"ts":1764374400000,"values":{"GT-1":12.5,"GT-2":3.0}}`
//! - an array of single readings: `[{...},{...}]`
//!
//! `ts` is an RFC 3339 string or an integer number of epoch milliseconds; `quality` is optional
//! (`good` or `bad`, default good); `value` must be a finite number. Unknown fields are refused so
//! that a misspelt field is reported instead of silently ignored.

use serde_json::{Map, Value};

use crate::sink::RawReading;
use anjian_alarm::{Millis, Quality};

/// Largest accepted payload, bytes (256 KiB).
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024;
/// Most readings accepted in one message.
pub const MAX_READINGS: usize = 10_000;
/// Longest accepted sensor or device code, bytes.
pub const MAX_CODE_LEN: usize = 128;

const TOPIC_PREFIX: &str = "anjian/v1/devices/";
const TOPIC_SUFFIX: &str = "/telemetry";

/// Why a topic or payload was refused. Messages name the field (and array index) at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The topic is not `anjian/v1/devices/{device_code}/telemetry`.
    #[error("topic `{0}` is not of the form anjian/v1/devices/{{device_code}}/telemetry")]
    Topic(String),
    /// The payload is larger than [`MAX_PAYLOAD_BYTES`].
    #[error("payload of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Payload size, bytes.
        size: usize,
        /// The limit, bytes.
        max: usize,
    },
    /// More than [`MAX_READINGS`] readings in one message.
    #[error("payload holds {count} readings, more than the limit of {max}")]
    TooManyReadings {
        /// Readings in the message.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Not valid UTF-8 JSON.
    #[error("payload is not valid JSON: {0}")]
    Json(String),
    /// Valid JSON, but none of the three forms.
    #[error(
        "payload must be an object with `sensor` (one reading) or `values` (batch), or an array of readings; got {0}"
    )]
    Form(&'static str),
    /// The message holds no readings.
    #[error("payload holds no readings")]
    Empty,
    /// A field is missing or invalid.
    #[error("`{path}`: {message}")]
    Field {
        /// Path of the field, e.g. `ts`, `values.GT-1`, `[3].value`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
}

fn field(path: impl Into<String>, message: impl Into<String>) -> PayloadError {
    PayloadError::Field {
        path: path.into(),
        message: message.into(),
    }
}

/// Extract the device code from a telemetry topic `anjian/v1/devices/{device_code}/telemetry`.
pub fn parse_topic(topic: &str) -> Result<&str, PayloadError> {
    let code = topic
        .strip_prefix(TOPIC_PREFIX)
        .and_then(|rest| rest.strip_suffix(TOPIC_SUFFIX))
        .filter(|code| {
            !code.is_empty()
                && code.len() <= MAX_CODE_LEN
                && !code.contains(['/', '+', '#'])
                && !code.chars().any(char::is_control)
        });
    code.ok_or_else(|| PayloadError::Topic(topic.chars().take(200).collect()))
}

/// The telemetry topic of a device.
pub fn telemetry_topic(device_code: &str) -> String {
    format!("{TOPIC_PREFIX}{device_code}{TOPIC_SUFFIX}")
}

/// Parse a JSON payload (any of the three forms) into readings, in message order.
pub fn parse_payload(payload: &[u8]) -> Result<Vec<RawReading>, PayloadError> {
    if payload.len() > MAX_PAYLOAD_BYTES {
        return Err(PayloadError::TooLarge {
            size: payload.len(),
            max: MAX_PAYLOAD_BYTES,
        });
    }
    let doc: Value =
        serde_json::from_slice(payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    let readings = match doc {
        Value::Object(obj) if obj.contains_key("values") => parse_batch(obj)?,
        Value::Object(obj) if obj.contains_key("sensor") => vec![parse_single(obj, "")?],
        Value::Object(_) => {
            return Err(PayloadError::Form("an object without `sensor` or `values`"));
        }
        Value::Array(items) => {
            check_count(items.len())?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let prefix = format!("[{i}].");
                match item {
                    Value::Object(obj) => out.push(parse_single(obj, &prefix)?),
                    other => {
                        return Err(field(
                            format!("[{i}]"),
                            format!(
                                "must be an object like {{\"sensor\":..,\"ts\":..,\"value\":..}}, got {}",
                                kind(&other)
                            ),
                        ));
                    }
                }
            }
            out
        }
        other => return Err(PayloadError::Form(kind(&other))),
    };
    if readings.is_empty() {
        return Err(PayloadError::Empty);
    }
    Ok(readings)
}

fn check_count(count: usize) -> Result<(), PayloadError> {
    if count > MAX_READINGS {
        return Err(PayloadError::TooManyReadings {
            count,
            max: MAX_READINGS,
        });
    }
    Ok(())
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_single(mut obj: Map<String, Value>, prefix: &str) -> Result<RawReading, PayloadError> {
    let sensor = match obj.remove("sensor") {
        Some(Value::String(s)) => check_code(s, &format!("{prefix}sensor"))?,
        Some(other) => {
            return Err(field(
                format!("{prefix}sensor"),
                format!("must be a string, got {}", kind(&other)),
            ));
        }
        None => return Err(field(format!("{prefix}sensor"), "is missing")),
    };
    let ts = parse_ts(obj.remove("ts"), &format!("{prefix}ts"))?;
    let value = parse_value(obj.remove("value"), &format!("{prefix}value"))?;
    let quality = parse_quality(obj.remove("quality"), &format!("{prefix}quality"))?;
    reject_unknown(&obj, prefix, "sensor, ts, value, quality")?;
    Ok(RawReading {
        sensor,
        ts,
        value,
        quality,
    })
}

fn parse_batch(mut obj: Map<String, Value>) -> Result<Vec<RawReading>, PayloadError> {
    let ts = parse_ts(obj.remove("ts"), "ts")?;
    let quality = parse_quality(obj.remove("quality"), "quality")?;
    let values = match obj.remove("values") {
        Some(Value::Object(values)) => values,
        Some(other) => {
            return Err(field(
                "values",
                format!(
                    "must be an object of sensor code to number, got {}",
                    kind(&other)
                ),
            ));
        }
        None => return Err(field("values", "is missing")),
    };
    reject_unknown(&obj, "", "ts, values, quality")?;
    check_count(values.len())?;
    let mut out = Vec::with_capacity(values.len());
    for (sensor, value) in values {
        let path = format!("values.{sensor}");
        let sensor = check_code(sensor, &path)?;
        let value = parse_value(Some(value), &path)?;
        out.push(RawReading {
            sensor,
            ts,
            value,
            quality,
        });
    }
    Ok(out)
}

fn reject_unknown(
    obj: &Map<String, Value>,
    prefix: &str,
    allowed: &str,
) -> Result<(), PayloadError> {
    match obj.keys().next() {
        Some(key) => Err(field(
            format!("{prefix}{key}"),
            format!("unknown field (expected {allowed})"),
        )),
        None => Ok(()),
    }
}

fn check_code(code: String, path: &str) -> Result<String, PayloadError> {
    if code.trim().is_empty() {
        return Err(field(path, "sensor code must not be empty"));
    }
    if code.len() > MAX_CODE_LEN {
        return Err(field(
            path,
            format!("sensor code longer than {MAX_CODE_LEN} bytes"),
        ));
    }
    Ok(code)
}

fn parse_ts(v: Option<Value>, path: &str) -> Result<Millis, PayloadError> {
    const EXPECTED: &str = "must be an RFC 3339 time string or integer epoch milliseconds";
    match v {
        None => Err(field(path, "is missing")),
        Some(Value::String(s)) => chrono::DateTime::parse_from_rfc3339(&s)
            .map(|t| t.timestamp_millis())
            .map_err(|e| field(path, format!("{EXPECTED}: `{s}` ({e})"))),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                Ok(i)
            } else if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15) {
                Ok(f as i64)
            } else {
                Err(field(path, format!("{EXPECTED}, got {n}")))
            }
        }
        Some(other) => Err(field(path, format!("{EXPECTED}, got {}", kind(&other)))),
    }
}

fn parse_value(v: Option<Value>, path: &str) -> Result<f64, PayloadError> {
    match v {
        None => Err(field(path, "is missing")),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err(field(path, format!("must be a finite number, got {n}"))),
        },
        Some(other) => Err(field(
            path,
            format!("must be a finite number, got {}", kind(&other)),
        )),
    }
}

fn parse_quality(v: Option<Value>, path: &str) -> Result<Quality, PayloadError> {
    match v {
        None | Some(Value::Null) => Ok(Quality::Good),
        Some(Value::String(s)) => match s.as_str() {
            "good" => Ok(Quality::Good),
            "bad" => Ok(Quality::Bad),
            _ => Err(field(
                path,
                format!("must be \"good\" or \"bad\", got \"{s}\""),
            )),
        },
        Some(other) => Err(field(
            path,
            format!("must be \"good\" or \"bad\", got {}", kind(&other)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(payload: &str) -> String {
        match parse_payload(payload.as_bytes()) {
            Ok(r) => panic!("expected an error for {payload}, got {r:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn topic_ok_and_errors() {
        assert_eq!(
            parse_topic("anjian/v1/devices/GW-01/telemetry"),
            Ok("GW-01")
        );
        assert_eq!(
            telemetry_topic("GW-01"),
            "anjian/v1/devices/GW-01/telemetry"
        );
        for bad in [
            "",
            "anjian/v1/devices//telemetry",
            "anjian/v1/devices/a/b/telemetry",
            "anjian/v1/devices/+/telemetry",
            "anjian/v1/devices/#/telemetry",
            "anjian/v2/devices/GW/telemetry",
            "anjian/v1/devices/GW/status",
            "anjian/v1/devices/GW/telemetry/x",
            "/anjian/v1/devices/GW/telemetry",
        ] {
            let e = parse_topic(bad).unwrap_err();
            assert!(e.to_string().contains("is not of the form"), "{bad}: {e}");
        }
        let long = format!("anjian/v1/devices/{}/telemetry", "x".repeat(129));
        assert!(parse_topic(&long).is_err());
    }

    #[test]
    fn single_with_rfc3339_and_quality() {
        let r = parse_payload(
            br#"{"sensor":"GT-1","ts":"2026-11-29T08:00:00+08:00","value":12.5,"quality":"bad"}"#,
        )
        .unwrap();
        assert_eq!(
            r,
            vec![RawReading {
                sensor: "GT-1".into(),
                ts: 1_795_910_400_000, // 2026-11-29T00:00:00Z
                value: 12.5,
                quality: Quality::Bad
            }]
        );
    }

    #[test]
    fn single_with_epoch_ms_default_quality() {
        let r = parse_payload(br#"{"sensor":"GT-1","ts":1764374400123,"value":-3}"#).unwrap();
        assert_eq!(r[0].ts, 1_764_374_400_123);
        assert_eq!(r[0].value, -3.0);
        assert_eq!(r[0].quality, Quality::Good);
        // an integral float is accepted as milliseconds
        let r = parse_payload(br#"{"sensor":"GT-1","ts":1764374400000.0,"value":1}"#).unwrap();
        assert_eq!(r[0].ts, 1_764_374_400_000);
        // null quality = good
        let r = parse_payload(br#"{"sensor":"A","ts":0,"value":1,"quality":null}"#).unwrap();
        assert_eq!(r[0].quality, Quality::Good);
    }

    #[test]
    fn batch_form() {
        let r = parse_payload(
            br#"{"ts":1764374400000,"values":{"GT-1":12.5,"GT-2":3.0},"quality":"good"}"#,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert!(r.iter().all(|x| x.ts == 1_764_374_400_000));
        let mut codes: Vec<_> = r.iter().map(|x| (x.sensor.as_str(), x.value)).collect();
        codes.sort_by(|a, b| a.0.cmp(b.0));
        assert_eq!(codes, vec![("GT-1", 12.5), ("GT-2", 3.0)]);
    }

    #[test]
    fn array_form_keeps_order() {
        let r = parse_payload(
            br#"[{"sensor":"B","ts":2,"value":2},{"sensor":"A","ts":"1970-01-01T00:00:00.001Z","value":1}]"#,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].sensor.as_str(), r[0].ts), ("B", 2));
        assert_eq!((r[1].sensor.as_str(), r[1].ts), ("A", 1));
    }

    #[test]
    fn size_limits() {
        let big = vec![b' '; MAX_PAYLOAD_BYTES + 1];
        assert_eq!(
            parse_payload(&big),
            Err(PayloadError::TooLarge {
                size: MAX_PAYLOAD_BYTES + 1,
                max: MAX_PAYLOAD_BYTES
            })
        );
        let values: Vec<String> = (0..=MAX_READINGS).map(|i| format!(r#""S{i}":1"#)).collect();
        let batch = format!(r#"{{"ts":1,"values":{{{}}}}}"#, values.join(","));
        assert!(matches!(
            parse_payload(batch.as_bytes()),
            Err(PayloadError::TooManyReadings { .. })
        ));
        // exactly the limit is fine
        let batch = format!(
            r#"{{"ts":1,"values":{{{}}}}}"#,
            values[..MAX_READINGS].join(",")
        );
        assert_eq!(parse_payload(batch.as_bytes()).unwrap().len(), MAX_READINGS);
        // (an array of 10,001 single readings cannot fit in 256 KiB, so the array form meets
        // the byte limit first)
    }

    #[test]
    fn json_and_form_errors() {
        assert!(err("{").starts_with("payload is not valid JSON"));
        assert!(parse_payload(b"\xff\xfe").is_err());
        assert!(err("42").contains("got a number"));
        assert!(err(r#""x""#).contains("got a string"));
        assert!(err("null").contains("got null"));
        assert!(err(r#"{"ts":1,"value":2}"#).contains("without `sensor` or `values`"));
        assert_eq!(err("[]"), "payload holds no readings");
        assert_eq!(err(r#"{"ts":1,"values":{}}"#), "payload holds no readings");
        assert!(
            err(r#"[{"sensor":"A","ts":1,"value":1}, 5]"#).starts_with("`[1]`: must be an object")
        );
    }

    #[test]
    fn field_errors_name_the_field() {
        let cases = [
            (
                r#"{"sensor":1,"ts":1,"value":1}"#,
                "`sensor`: must be a string",
            ),
            (
                r#"{"sensor":"","ts":1,"value":1}"#,
                "`sensor`: sensor code must not be empty",
            ),
            (r#"{"sensor":"A","value":1}"#, "`ts`: is missing"),
            (
                r#"{"sensor":"A","ts":"yesterday","value":1}"#,
                "`ts`: must be an RFC 3339",
            ),
            (
                r#"{"sensor":"A","ts":1.5,"value":1}"#,
                "`ts`: must be an RFC 3339",
            ),
            (
                r#"{"sensor":"A","ts":true,"value":1}"#,
                "`ts`: must be an RFC 3339",
            ),
            (r#"{"sensor":"A","ts":1}"#, "`value`: is missing"),
            (
                r#"{"sensor":"A","ts":1,"value":"1"}"#,
                "`value`: must be a finite number, got a string",
            ),
            (
                r#"{"sensor":"A","ts":1,"value":null}"#,
                "`value`: must be a finite number, got null",
            ),
            (
                r#"{"sensor":"A","ts":1,"value":1,"quality":"ok"}"#,
                "`quality`: must be \"good\" or \"bad\"",
            ),
            (
                r#"{"sensor":"A","ts":1,"value":1,"quality":1}"#,
                "`quality`: must be \"good\" or \"bad\", got a number",
            ),
            (
                r#"{"sensor":"A","ts":1,"value":1,"valeu":2}"#,
                "`valeu`: unknown field",
            ),
            (r#"{"values":{"A":1}}"#, "`ts`: is missing"),
            (
                r#"{"ts":1,"values":[1]}"#,
                "`values`: must be an object of sensor code to number",
            ),
            (
                r#"{"ts":1,"values":{"A":"x"}}"#,
                "`values.A`: must be a finite number",
            ),
            (
                r#"{"ts":1,"values":{"":1}}"#,
                "`values.`: sensor code must not be empty",
            ),
            (
                r#"{"ts":1,"values":{"A":1},"extra":1}"#,
                "`extra`: unknown field",
            ),
            (
                r#"{"ts":1,"values":{"A":1},"quality":"meh"}"#,
                "`quality`: must be",
            ),
            (
                r#"[{"sensor":"A","ts":1,"value":1},{"sensor":"B","ts":1}]"#,
                "`[1].value`: is missing",
            ),
            (
                r#"[{"sensor":"A","ts":"x","value":1}]"#,
                "`[0].ts`: must be an RFC 3339",
            ),
        ];
        for (payload, expected) in cases {
            let e = err(payload);
            assert!(
                e.starts_with(expected),
                "{payload}: `{e}` should start with `{expected}`"
            );
        }
        let long = format!(r#"{{"sensor":"{}","ts":1,"value":1}}"#, "x".repeat(129));
        assert!(err(&long).contains("longer than 128"));
    }

    #[test]
    fn out_of_range_numbers_are_refused() {
        // JSON cannot carry NaN/inf; numbers beyond f64 are rejected by the JSON parser.
        assert!(err(r#"{"sensor":"A","ts":1,"value":1e999}"#).contains("JSON"));
        assert!(err(r#"{"sensor":"A","ts":1e300,"value":1}"#).contains("`ts`"));
    }
}
