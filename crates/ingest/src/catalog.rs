//! From the stored devices, sensors and voting groups to the engine's [`RuleSet`].
//!
//! A sensor's alarm settings are stored as the JSON the API takes (camelCase, durations in
//! seconds: `{"limits":[{"kind":"high","value":70,"priority":"high","deadband":1,"onDelayS":10}],
//! "rateOfChange":{"limit":5,"windowS":60,"direction":"rise","priority":"medium"},
//! "schedule":{"start":"20:00","end":"05:00","timezone":"Asia/Shanghai"}}`). They are turned into
//! the documented rules-file shape (`docs/alarms.md`) and parsed by the alarm crate, so the console,
//! the API and `anjian replay --rules` share one format and one validator.

use crate::pipeline::PipelineError;
use anjian_alarm::RuleSet;
use anjian_store::RulesSource;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Where a source code (sensor, device or group) belongs: the ids stored with its alarms.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// The sensor's id (sensor sources).
    pub sensor_id: Option<i64>,
    /// The device's id.
    pub device_id: Option<i64>,
    /// The enterprise the source belongs to.
    pub enterprise_id: Option<i64>,
    /// The code of the device a sensor is wired to (readings from another device are refused).
    pub device_code: Option<String>,
}

/// Converts one sensor's stored settings (API shape) into the rules-file shape of its
/// `limit` / `rate_of_change` / `schedule` keys.
///
/// # Errors
/// A message naming the field (`settings.limits[0].onDelayS`) when the shape is wrong.
pub fn settings_to_rules(settings: &Value) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    let Some(obj) = settings.as_object() else {
        if settings.is_null() {
            return Ok(out);
        }
        return Err("settings must be an object".into());
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "limits" | "rateOfChange" | "schedule") {
            return Err(format!("settings.{key} is not a known setting"));
        }
    }
    if let Some(limits) = obj.get("limits").filter(|v| !v.is_null()) {
        let arr = limits.as_array().ok_or("settings.limits must be a list")?;
        let mut rules = Vec::new();
        for (i, l) in arr.iter().enumerate() {
            let l = l
                .as_object()
                .ok_or_else(|| format!("settings.limits[{i}] must be an object"))?;
            let mut r = Map::new();
            for (k, v) in l {
                if v.is_null() {
                    continue;
                }
                let field = |name: &str| format!("settings.limits[{i}].{name}");
                match k.as_str() {
                    "kind" | "value" | "priority" | "deadband" => {
                        r.insert(k.clone(), v.clone());
                    }
                    "deadbandPct" => {
                        r.insert("deadband_pct".into(), v.clone());
                    }
                    "onDelayS" => {
                        r.insert("on_delay".into(), seconds(v).ok_or_else(|| field(k))?);
                    }
                    "offDelayS" => {
                        r.insert("off_delay".into(), seconds(v).ok_or_else(|| field(k))?);
                    }
                    "onDelaySamples" => {
                        r.insert("on_delay_samples".into(), v.clone());
                    }
                    "offDelaySamples" => {
                        r.insert("off_delay_samples".into(), v.clone());
                    }
                    "deescalateAfterS" => {
                        r.insert(
                            "deescalate_after".into(),
                            seconds(v).ok_or_else(|| field(k))?,
                        );
                    }
                    "escalate" => {
                        let e = v.as_object().ok_or_else(|| field(k))?;
                        let after = e
                            .get("afterS")
                            .and_then(seconds)
                            .ok_or_else(|| field("escalate.afterS"))?;
                        let priority = e
                            .get("priority")
                            .cloned()
                            .ok_or_else(|| field("escalate.priority"))?;
                        r.insert(
                            "escalate".into(),
                            json!({"after": after, "priority": priority}),
                        );
                    }
                    other => return Err(format!("{} is not a known setting", field(other))),
                }
            }
            rules.push(Value::Object(r));
        }
        out.insert("limit".into(), Value::Array(rules));
    }
    if let Some(roc) = obj.get("rateOfChange").filter(|v| !v.is_null()) {
        let o = roc
            .as_object()
            .ok_or("settings.rateOfChange must be an object")?;
        let mut r = Map::new();
        for (k, v) in o {
            if v.is_null() {
                continue;
            }
            match k.as_str() {
                "limit" | "direction" | "priority" | "deadband" => {
                    r.insert(k.clone(), v.clone());
                }
                "windowS" => {
                    r.insert(
                        "window".into(),
                        seconds(v).ok_or("settings.rateOfChange.windowS")?,
                    );
                }
                other => {
                    return Err(format!(
                        "settings.rateOfChange.{other} is not a known setting"
                    ));
                }
            }
        }
        out.insert("rate_of_change".into(), Value::Object(r));
    }
    if let Some(s) = obj.get("schedule").filter(|v| !v.is_null()) {
        out.insert("schedule".into(), s.clone());
    }
    Ok(out)
}

fn seconds(v: &Value) -> Option<Value> {
    let s = v.as_f64().filter(|s| s.is_finite() && *s >= 0.0)?;
    Some(Value::String(format!("{}ms", (s * 1000.0).round() as i64)))
}

/// The rules-file JSON of the stored catalogue.
///
/// # Errors
/// A message naming the sensor and field of a malformed setting.
pub fn rules_json(source: &RulesSource) -> Result<Value, String> {
    let mut dev_rules = Vec::new();
    for d in &source.devices {
        let mut o = Map::new();
        o.insert("code".into(), json!(d.code));
        if let Some(s) = d.offline_after_s {
            o.insert("offline_after".into(), json!(format!("{s}s")));
        }
        dev_rules.push(Value::Object(o));
    }
    let mut sensors = Vec::new();
    for s in &source.sensors {
        let mut o =
            settings_to_rules(&s.settings).map_err(|e| format!("sensor {}: {e}", s.code))?;
        o.insert("code".into(), json!(s.code));
        if let Some(d) = &s.device_code {
            o.insert("device".into(), json!(d));
        }
        if let Some(a) = &s.area {
            o.insert("area".into(), json!(a));
        }
        o.insert("unit".into(), json!(s.unit));
        if let (Some(lo), Some(hi)) = (s.range_low, s.range_high) {
            o.insert("range".into(), json!([lo, hi]));
        }
        o.insert(
            "sampling_period".into(),
            json!(format!("{}s", s.sampling_period_s.max(1))),
        );
        o.insert("stale_after".into(), json!(s.stale_after.max(0)));
        sensors.push(Value::Object(o));
    }
    let groups: Vec<Value> = source
        .groups
        .iter()
        .map(|g| {
            json!({
                "code": g.code,
                "members": g.members,
                "condition": g.condition,
                "k": g.k,
                "window": format!("{}s", g.window_s),
                "priority": g.priority,
            })
        })
        .collect();
    Ok(json!({
        "timezone": "Asia/Shanghai",
        "device": dev_rules,
        "sensor": sensors,
        "group": groups,
    }))
}

/// The engine's rule set and, per source code, the ids stored with its alarms.
///
/// # Errors
/// [`PipelineError::Rules`] for a stored setting the engine refuses.
pub fn rules_from_source(
    source: &RulesSource,
) -> Result<(RuleSet, HashMap<String, Meta>), PipelineError> {
    let value = rules_json(source).map_err(PipelineError::Settings)?;
    let rules = RuleSet::from_json(&value.to_string())?;
    let devices: HashMap<&str, i64> = source
        .devices
        .iter()
        .map(|d| (d.code.as_str(), d.id))
        .collect();
    let mut meta = HashMap::new();
    for d in &source.devices {
        meta.insert(
            d.code.clone(),
            Meta {
                sensor_id: None,
                device_id: Some(d.id),
                enterprise_id: Some(d.enterprise_id),
                device_code: Some(d.code.clone()),
            },
        );
    }
    for s in &source.sensors {
        meta.insert(
            s.code.clone(),
            Meta {
                sensor_id: Some(s.id),
                device_id: s
                    .device_code
                    .as_deref()
                    .and_then(|c| devices.get(c).copied()),
                enterprise_id: Some(s.enterprise_id),
                device_code: s.device_code.clone(),
            },
        );
    }
    for g in &source.groups {
        meta.insert(
            g.code.clone(),
            Meta {
                sensor_id: None,
                device_id: None,
                enterprise_id: Some(g.enterprise_id),
                device_code: None,
            },
        );
    }
    Ok((rules, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_settings_become_rules_file_keys() {
        let s = json!({
            "limits": [{"kind": "high", "value": 70.0, "priority": "high", "deadbandPct": 2.0,
                        "onDelayS": 10, "offDelaySamples": 3, "escalate": {"afterS": 60, "priority": "critical"},
                        "deescalateAfterS": 120, "onDelaySamples": null}],
            "rateOfChange": {"limit": 5.0, "windowS": 60, "direction": "rise", "priority": "medium"},
            "schedule": {"start": "20:00", "end": "05:00", "timezone": "Asia/Shanghai"}
        });
        let r = Value::Object(settings_to_rules(&s).expect("valid"));
        assert_eq!(
            r,
            json!({
                "limit": [{"kind": "high", "value": 70.0, "priority": "high", "deadband_pct": 2.0,
                           "on_delay": "10000ms", "off_delay_samples": 3,
                           "escalate": {"after": "60000ms", "priority": "critical"},
                           "deescalate_after": "120000ms"}],
                "rate_of_change": {"limit": 5.0, "window": "60000ms", "direction": "rise", "priority": "medium"},
                "schedule": {"start": "20:00", "end": "05:00", "timezone": "Asia/Shanghai"}
            })
        );
    }

    #[test]
    fn malformed_settings_name_the_field() {
        assert_eq!(
            settings_to_rules(&json!({"limits": [{"kind": "high", "onDelayS": -1}]})).unwrap_err(),
            "settings.limits[0].onDelayS"
        );
        assert!(
            settings_to_rules(&json!({"limitz": []}))
                .unwrap_err()
                .contains("settings.limitz")
        );
        assert!(
            settings_to_rules(&Value::Null)
                .expect("null is empty")
                .is_empty()
        );
    }
}
