//! Field-level validation errors. Every layer reports bad input as a map from the field's API name
//! (camelCase, as the client sent it) to a human-readable message.

use std::collections::BTreeMap;

/// A map from field name (as spelled in the API, e.g. `uscc`, `pageSize`) to a message.
pub type FieldErrors = BTreeMap<String, String>;

/// Bad input, with one message per offending field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("validation failed: {}", summary(.fields))]
pub struct ValidationError {
    /// Field name → message. Never empty.
    pub fields: FieldErrors,
}

fn summary(fields: &FieldErrors) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ValidationError {
    /// One field, one message.
    pub fn field(name: impl Into<String>, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(name.into(), message.into());
        Self { fields }
    }
}

/// Whether text holds a control character other than tab, CR and LF (NUL cannot be stored in
/// PostgreSQL text at all).
pub fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Collects field errors while a whole input is checked, so the client learns of every bad field at once.
#[derive(Debug, Default)]
pub struct Checker {
    fields: FieldErrors,
}

impl Checker {
    /// A checker with no errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `message` for `field` (the first message for a field wins).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    /// Records the error of `result`, if any, under `field`, and returns the value if it was good.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e.to_string());
                None
            }
        }
    }

    /// Requires a non-blank string of at most `max` characters.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) {
        if has_control(value) {
            self.add(field, "must not contain control characters");
        } else if value.trim().is_empty() {
            self.add(field, "is required");
        } else if value.chars().count() > max {
            self.add(field, format!("must be at most {max} characters"));
        }
    }

    /// Limits an optional string to `max` characters.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            if has_control(v) {
                self.add(field, "must not contain control characters");
            } else if v.chars().count() > max {
                self.add(field, format!("must be at most {max} characters"));
            }
        }
    }

    /// `Ok(())` when nothing was recorded, else the collected errors.
    pub fn finish(self) -> Result<(), ValidationError> {
        if self.fields.is_empty() {
            Ok(())
        } else {
            Err(ValidationError {
                fields: self.fields,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checker_collects_every_field_and_keeps_first_message() {
        let mut c = Checker::new();
        c.required_text("name", "  ", 10);
        c.required_text("address", "x".repeat(11).as_str(), 10);
        c.add("name", "second message");
        let err = c.finish().unwrap_err();
        assert_eq!(err.fields["name"], "is required");
        assert_eq!(err.fields["address"], "must be at most 10 characters");
        assert_eq!(err.fields.len(), 2);
    }

    #[test]
    fn control_characters_are_refused() {
        let mut c = Checker::new();
        c.required_text("name", "a\0b", 10);
        c.optional_text("remark", Some("x\u{7}"), 10);
        c.optional_text("address", Some("line 1\nline 2\tend"), 100);
        let e = c.finish().unwrap_err();
        assert_eq!(e.fields.keys().collect::<Vec<_>>(), ["name", "remark"]);
    }

    #[test]
    fn empty_checker_passes() {
        let mut c = Checker::new();
        c.required_text("name", "ok", 10);
        c.optional_text("remark", None, 1);
        assert!(c.finish().is_ok());
    }
}
