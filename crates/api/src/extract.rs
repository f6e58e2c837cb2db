//! Request extractors that turn every decoding failure into a 400 naming the field, instead of
//! axum's plain-text rejections.

use crate::error::ApiError;
use anjian_domain::FieldErrors;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Maximum size of a JSON body, bytes.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// Turns a serde error at `path` into a field name and message.
fn field_error(path: &str, err: &str) -> (String, String) {
    // "missing field `name`" is reported at the parent path; name the field itself.
    if let Some(rest) = err.strip_prefix("missing field `")
        && let Some(name) = rest.split('`').next()
    {
        let full = if path == "." || path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return (full, "is required".into());
    }
    if let Some(rest) = err.strip_prefix("unknown field `")
        && let Some(name) = rest.split('`').next()
    {
        return (name.to_string(), "is not a known field".into());
    }
    if path.starts_with('[') {
        return ("body".into(), "must be a JSON object".into());
    }
    let field = if path == "." || path.is_empty() {
        "body".to_string()
    } else {
        path.to_string()
    };
    // Drop serde_json's " at line 1 column 12" suffix.
    let msg = err.split(" at line ").next().unwrap_or(err).to_string();
    (field, msg)
}

/// A JSON body, decoded with field-level errors (400) and a size limit (413).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge(JSON_LIMIT))?;
        decode_json(&bytes).map(ApiJson)
    }
}

/// Decodes JSON bytes with field-level errors.
///
/// # Errors
/// [`ApiError::BadRequest`] naming the field at fault (`body` for malformed JSON).
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if contains_nul_escape(bytes) {
        return Err(ApiError::bad_field(
            "body",
            "must not contain NUL (\\u0000) characters",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let (field, message) = if inner.is_syntax() || inner.is_eof() {
            ("body".to_string(), format!("malformed JSON: {inner}"))
        } else {
            field_error(&path, &inner.to_string())
        };
        // A well-formed value outside an enumeration is invalid rather than unreadable (422),
        // like every other out-of-domain value.
        if message.starts_with("unknown variant") {
            return ApiError::invalid(&field, message);
        }
        let mut fields = FieldErrors::new();
        fields.insert(field.clone(), message.clone());
        ApiError::BadRequest {
            message: format!("{field}: {message}"),
            fields,
        }
    })
}

/// Whether JSON text holds a `\u0000` escape (raw NUL bytes are not valid JSON anyway).
fn contains_nul_escape(bytes: &[u8]) -> bool {
    bytes.windows(6).enumerate().any(|(i, w)| {
        w[0] == b'\\'
            && (w[1] == b'u' || w[1] == b'U')
            && &w[2..6] == b"0000"
            // An escaped backslash before it (`\\u0000`) is literal text, not a NUL.
            && bytes[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

/// Query-string parameters, decoded with field-level errors (400).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            if k.contains('\0') || v.contains('\0') {
                return Err(ApiError::bad_field(
                    &k.replace('\0', ""),
                    "must not contain NUL characters",
                ));
            }
        }
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                let (field, message) = field_error(&path, &e.into_inner().to_string());
                let mut fields = FieldErrors::new();
                fields.insert(field.clone(), message.clone());
                ApiError::BadRequest {
                    message: format!("{field}: {message}"),
                    fields,
                }
            })
    }
}

/// A path parameter `{id}` that must be a positive integer (400 naming `id` otherwise).
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::bad_field("id", "must be a positive integer"))?;
        match raw.parse::<i64>() {
            Ok(v) if v > 0 => Ok(Id(v)),
            _ => Err(ApiError::bad_field("id", "must be a positive integer")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: String,
        employee_count: i64,
        kind: Kind,
    }
    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Kind {
        A,
    }

    fn fields(body: &str) -> FieldErrors {
        match decode_json::<T>(body.as_bytes()) {
            Err(ApiError::BadRequest { fields, .. }) => fields,
            other => panic!("expected bad request, got {other:?}"),
        }
    }

    #[test]
    fn names_the_field() {
        assert!(
            fields(r#"{"name":"x","employeeCount":"many","kind":"a"}"#)
                .contains_key("employeeCount")
        );
        assert_eq!(
            fields(r#"{"employeeCount":1,"kind":"a"}"#)["name"],
            "is required"
        );
        match decode_json::<T>(br#"{"name":"x","employeeCount":1,"kind":"zzz"}"#) {
            Err(ApiError::Validation(f)) => assert!(f["kind"].contains("unknown variant")),
            other => panic!("an unknown enum value is a 422, got {other:?}"),
        }
        assert!(
            fields(r#"{"name":"x","employeeCount":1,"kind":"a","extra":1}"#).contains_key("extra")
        );
        assert!(fields(r#"{"name":"x""#)["body"].starts_with("malformed JSON"));
        assert!(fields("[]").contains_key("body"));
        assert!(
            fields(r#"{"name":"a\u0000b","employeeCount":1,"kind":"a"}"#)["body"].contains("NUL")
        );
        assert!(
            !contains_nul_escape(br#"{"name":"a\\u0000b"}"#),
            "an escaped backslash is not a NUL"
        );
    }
}
