//! The calculation topics: one JSON document in, one JSON document out. Used by `anjian calc
//! <topic>` and `POST /api/calc/<topic>`; each topic's input and output are documented with an
//! executed example in `docs/calc.md`.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Bad input to a calculation, naming the field (a JSON path such as `substances[0].quantity_t`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CalcError {
    /// The offending field (`input` when the document as a whole is wrong).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl CalcError {
    /// An error on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Every topic, with a one-line description.
pub const TOPICS: [(&str, &str); 15] = [
    (
        "major-hazard",
        "GB 18218-2018 major hazard installation: S, R, alpha, grade",
    ),
    (
        "accident-grade",
        "Decree 493 accident grade from deaths, serious injuries and direct loss",
    ),
    (
        "accident-deadlines",
        "Decree 493 / Order 21 reporting chain, supplementary window, investigation deadlines",
    ),
    (
        "accident-fine",
        "Order 14 (2024) fine ranges for the accident unit and responsible persons",
    ),
    (
        "accident-classification",
        "GB 6441-86 and GB 6441-2025 accident types",
    ),
    ("lec", "LEC risk assessment D = L x E x C"),
    ("risk-matrix", "5 x 5 likelihood x severity risk matrix"),
    (
        "hazard-factor",
        "GB/T 13861-2022 hazardous-factor code lookup and validation",
    ),
    (
        "major-hidden-danger",
        "2017 major hidden-danger criteria for chemical units",
    ),
    ("uscc", "Unified social credit code (GB 32100-2015)"),
    ("citizen-id", "Citizen ID number (GB 11643-1999)"),
    (
        "certificate",
        "Special-operation certificate validity and review (Order 30)",
    ),
    ("training-hours", "Safety training class hours (Order 3)"),
    (
        "injury-rates",
        "Injury and fatality rates (TRIR, DART, LTIFR, per-thousand rates ...)",
    ),
    ("warning-level", "Warning / response levels and colours"),
];

/// Decodes `input` into `T`, naming the field at fault.
///
/// # Errors
/// [`CalcError`] with the JSON path of the bad field.
pub fn parse<T: DeserializeOwned>(input: &Value) -> Result<T, CalcError> {
    serde_path_to_error::deserialize(input).map_err(|e| {
        let path = e.path().to_string();
        let msg = e.into_inner().to_string();
        if let Some(rest) = msg.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or_default();
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            return CalcError::new(field, "is required");
        }
        if let Some(rest) = msg.strip_prefix("unknown field `") {
            let name = rest.split('`').next().unwrap_or_default();
            return CalcError::new(name, "is not a known field");
        }
        CalcError::new(
            if path == "." {
                "input".to_owned()
            } else {
                path
            },
            msg,
        )
    })
}

/// Serialises a result (infallible for the plain data types used by the topics).
pub fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Runs `topic` on `input`.
///
/// # Errors
/// [`CalcError`] for an unknown topic (`field` = `topic`) or bad input.
pub fn calc(topic: &str, input: &Value) -> Result<Value, CalcError> {
    use super::*;
    match topic {
        "major-hazard" => major_hazard::calc(input),
        "accident-grade" => accident::calc_grade(input),
        "accident-deadlines" => accident::calc_deadlines(input),
        "accident-fine" => accident::calc_fine(input),
        "accident-classification" => classification::calc(input),
        "lec" => risk::calc_lec(input),
        "risk-matrix" => risk::calc_matrix(input),
        "hazard-factor" => hazard_factor::calc(input),
        "major-hidden-danger" => hidden_danger_criteria::calc(input),
        "uscc" => identifiers::calc_uscc(input),
        "citizen-id" => identifiers::calc_citizen_id(input),
        "certificate" => certificate::calc_certificate(input),
        "training-hours" => certificate::calc_training_hours(input),
        "injury-rates" => injury_rates::calc(input),
        "warning-level" => warning_levels::calc(input),
        other => Err(CalcError::new(
            "topic",
            format!(
                "unknown topic {other:?}; topics: {}",
                TOPICS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

/// A plain-text rendering of a result for people (`anjian calc --format text`): one `key: value`
/// line per field, nested objects indented, arrays of objects numbered.
pub fn to_text(v: &Value) -> String {
    fn walk(v: &Value, indent: usize, out: &mut String) {
        let pad = "  ".repeat(indent);
        match v {
            Value::Object(map) => {
                for (k, val) in map {
                    match val {
                        Value::Object(_) | Value::Array(_) if !is_scalar_array(val) => {
                            out.push_str(&format!("{pad}{k}:\n"));
                            walk(val, indent + 1, out);
                        }
                        _ => out.push_str(&format!("{pad}{k}: {}\n", scalar(val))),
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&format!("{pad}[{}]\n", i + 1));
                    walk(item, indent + 1, out);
                }
            }
            other => out.push_str(&format!("{pad}{}\n", scalar(other))),
        }
    }
    fn is_scalar_array(v: &Value) -> bool {
        matches!(v, Value::Array(a) if a.iter().all(|x| !x.is_object() && !x.is_array()))
    }
    fn scalar(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        }
    }
    let mut out = String::new();
    walk(v, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_topic_names_the_topics() {
        let e = calc("nope", &json!({})).unwrap_err();
        assert_eq!(e.field, "topic");
        assert!(e.message.contains("major-hazard"));
    }

    #[test]
    fn text_rendering() {
        let t = to_text(
            &json!({"grade": "较大", "criteria": ["deaths"], "parts": {"a": 1}, "rows": [{"x": null}]}),
        );
        assert!(t.contains("grade: 较大\n"));
        assert!(t.contains("criteria: deaths\n"));
        assert!(t.contains("parts:\n  a: 1\n"));
        assert!(t.contains("rows:\n  [1]\n    x: -\n"));
    }
}
