//! Uploaded files: photos of hidden dangers, remediation evidence, inspection photos. Upload first
//! (`POST /api/attachments`, multipart field `file`), then refer to the returned id from a record.
//! The type is read from the bytes (JPEG, PNG, WebP, PDF), not from the client's header.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Id;
use anjian_store::{AttachmentInfo, NewAttachment};
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest file accepted: 10 MiB.
pub const ATTACHMENT_LIMIT: usize = 10 * 1024 * 1024;

/// A stored file's metadata.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDto {
    /// Id to put in a record's `photoIds` / `evidenceIds`.
    pub id: i64,
    /// File name as uploaded.
    pub file_name: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `application/pdf`.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Uploader's user id.
    pub uploaded_by: i64,
    /// Upload time (UTC).
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it (`GET`, with the bearer token).
    pub url: String,
}

impl From<AttachmentInfo> for AttachmentDto {
    fn from(a: AttachmentInfo) -> Self {
        Self {
            url: format!("/api/attachments/{}", a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// The MIME type of `bytes` from their signature, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

fn clean_name(name: Option<&str>) -> String {
    let n: String = name
        .unwrap_or("file")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("file")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if n.trim().is_empty() {
        "file".into()
    } else {
        n
    }
}

/// Upload a photo or document (multipart field `file`; JPEG, PNG, WebP or PDF; at most 10 MiB).
/// Any signed-in user may upload; the file belongs to their enterprise.
#[utoipa::path(post, path = "/api/attachments", tag = "attachment", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "field `file`"),
    responses((status = 201, body = AttachmentDto), (status = 400, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    me: CurrentUser,
    req: Request,
) -> ApiResult<(StatusCode, Json<AttachmentDto>)> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !ct.starts_with("multipart/form-data") {
        return Err(ApiError::UnsupportedMediaType(
            "send the file as multipart/form-data, field 'file'".into(),
        ));
    }
    let mut mp = axum::extract::Multipart::from_request(req, &s)
        .await
        .map_err(|e| ApiError::bad_field("file", e.body_text()))?;
    while let Some(field) = mp.next_field().await.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(ATTACHMENT_LIMIT),
        _ => ApiError::bad_field("file", e.body_text()),
    })? {
        if field.name() != Some("file") {
            continue;
        }
        let name = clean_name(field.file_name());
        let bytes = field
            .bytes()
            .await
            .map_err(|_| ApiError::PayloadTooLarge(ATTACHMENT_LIMIT))?;
        if bytes.is_empty() {
            return Err(ApiError::bad_field("file", "is empty"));
        }
        let content_type = sniff(&bytes).ok_or_else(|| {
            ApiError::UnsupportedMediaType(
                "file: only JPEG, PNG, WebP images and PDF documents are accepted".into(),
            )
        })?;
        let info = s
            .store
            .create_attachment(NewAttachment {
                file_name: name,
                content_type: content_type.into(),
                sha256: hex::encode(Sha256::digest(&bytes)),
                data: bytes.to_vec(),
                enterprise_id: me.user.enterprise_id,
                uploaded_by: me.user.id,
                uploaded_at: s.clock.now(),
            })
            .await?;
        return Ok((StatusCode::CREATED, Json(info.into())));
    }
    Err(ApiError::bad_field(
        "file",
        "is required (multipart field 'file')",
    ))
}

/// Download a file (its own content type; images display inline). 404 outside the data scope.
#[utoipa::path(get, path = "/api/attachments/{id}", tag = "attachment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the bytes"), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Response> {
    let a = s.store.get_attachment(id, &me.scope).await?;
    let mut r = a.data.into_response();
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&a.info.content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let disposition = if a.info.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    if let Ok(v) = HeaderValue::from_str(disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download)).merge(
        OpenApiRouter::new()
            .routes(routes!(upload))
            .layer(axum::extract::DefaultBodyLimit::max(
                ATTACHMENT_LIMIT + 64 * 1024,
            )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_accepted_types_and_refuses_others() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some("image/png")
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7"), Some("application/pdf"));
        assert_eq!(sniff(b"<svg xmlns="), None);
        assert_eq!(sniff(b"MZ"), None);
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_name(Some("C:\\x\\a.jpg")), "a.jpg");
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("a\u{0}b.png")), "ab.png");
        assert_eq!(clean_name(None), "file");
    }
}
