//! Masking of secrets before anything reaches a log or the operation log.

use serde_json::Value;

/// Field names whose values are never logged (compared case-insensitively, as substrings).
pub const SECRET_FIELDS: [&str; 4] = ["password", "token", "secret", "authorization"];

/// The replacement for a secret value.
pub const MASK: &str = "******";

/// Replaces, recursively, the value of every object key that names a secret with [`MASK`].
pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                let lk = k.to_ascii_lowercase();
                if SECRET_FIELDS.iter().any(|s| lk.contains(s)) {
                    *v = Value::String(MASK.into());
                } else {
                    mask_json(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

/// A database URL with its password replaced by [`MASK`] (`postgres://u:******@h/db`). Strings
/// that do not look like `scheme://user:pass@...` are returned unchanged.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:{MASK}@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_nested_secrets() {
        let mut v = json!({"username": "a", "password": "p", "nested": [{"newPassword": "x", "accessToken": "t"}]});
        mask_json(&mut v);
        assert_eq!(
            v,
            json!({"username": "a", "password": MASK, "nested": [{"newPassword": MASK, "accessToken": MASK}]})
        );
    }

    #[test]
    fn redacts_url_password() {
        assert_eq!(
            redact_url("postgres://u:s3cr@t@h:5432/db"),
            "postgres://u:******@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            redact_url("sqlite://data/anjian.db?mode=rwc"),
            "sqlite://data/anjian.db?mode=rwc"
        );
    }
}
