//! The one error type of the HTTP layer and its JSON shape:
//! `{"code": "validation", "message": "...", "fields": {"uscc": "..."}}`.

use anjian_domain::{FieldErrors, ValidationError};
use anjian_store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable kind: `bad_request`, `validation`, `unauthorized`, `password_change_required`,
    /// `forbidden`, `not_found`, `method_not_allowed`, `locked`, `payload_too_large`, `unsupported_media_type`, `internal`.
    pub code: &'static str,
    /// Human-readable summary.
    pub message: String,
    /// Field name → message, for input errors; empty otherwise.
    pub fields: FieldErrors,
}

/// Errors a handler returns; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request could not be read (malformed JSON, wrong type, missing field).
    #[error("bad request: {message}")]
    BadRequest {
        /// Summary.
        message: String,
        /// Field errors.
        fields: FieldErrors,
    },
    /// 422: well-formed but invalid values.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// 401: no, expired or unknown token; wrong credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// 403: the initial password must be changed first.
    #[error("password change required")]
    PasswordChangeRequired,
    /// 403: signed in but lacking the permission.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 404: no such resource, or one outside the caller's data scope.
    #[error("not found")]
    NotFound,
    /// 409: the action conflicts with the record's current state (e.g. a workflow step that is not
    /// allowed from the current status).
    #[error("conflict: {0}")]
    Conflict(String),
    /// 423: account locked after repeated failures.
    #[error("locked: {0}")]
    Locked(String),
    /// 405: the path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 413: body over the limit.
    #[error("payload too large")]
    PayloadTooLarge(usize),
    /// 415: wrong content type.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// 503: temporarily unable to take the request (a full queue); retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault on our side; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 naming one field.
    pub fn bad_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut fields = FieldErrors::new();
        fields.insert(field.into(), message.clone());
        Self::BadRequest {
            message: format!("{field}: {message}"),
            fields,
        }
    }

    /// A 422 naming one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(ValidationError::field(field, message).fields)
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        Self::Validation(e.fields)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Invalid(v) => Self::Validation(v.fields),
            StoreError::Conflict(m) => Self::Conflict(m),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, fields) = match self {
            Self::BadRequest { message, fields } => (StatusCode::BAD_REQUEST, "bad_request", message, fields),
            Self::Validation(fields) => {
                let message = format!(
                    "invalid input: {}",
                    fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("; ")
                );
                (StatusCode::UNPROCESSABLE_ENTITY, "validation", message, fields)
            }
            Self::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "unauthorized", m, FieldErrors::new()),
            Self::PasswordChangeRequired => (
                StatusCode::FORBIDDEN,
                "password_change_required",
                "请先修改初始密码 / the initial password must be changed first (PUT /api/auth/password)".into(),
                FieldErrors::new(),
            ),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m, FieldErrors::new()),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this path does not accept that HTTP method".into(),
                FieldErrors::new(),
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, "not_found", "not found".into(), FieldErrors::new()),
            Self::Conflict(m) => (StatusCode::CONFLICT, "conflict", m, FieldErrors::new()),
            Self::Locked(m) => (StatusCode::LOCKED, "locked", m, FieldErrors::new()),
            Self::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("request body is larger than the limit of {limit} bytes"),
                FieldErrors::new(),
            ),
            Self::UnsupportedMediaType(m) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", m, FieldErrors::new())
            }
            Self::Unavailable(m) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", m, FieldErrors::new()),
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal server error".into(), FieldErrors::new())
            }
        };
        (
            status,
            Json(ErrorBody {
                code,
                message,
                fields,
            }),
        )
            .into_response()
    }
}

/// Result alias of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
