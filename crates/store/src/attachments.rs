//! Uploaded files (photos of hidden dangers, remediation evidence, inspection photos). The bytes
//! live in the `attachments` table so SQLite and PostgreSQL deployments and their backups carry
//! them; records refer to files by id. A file belongs to the uploader's enterprise (none for
//! government users) and is visible to whoever's data scope covers that enterprise, and always to
//! its uploader.

use crate::{Result, Store, StoreError};
use anjian_domain::auth::ScopeFilter;
use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, Condition, QuerySelect};

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "attachments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub file_name: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub data: Vec<u8>,
        pub enterprise_id: Option<i64>,
        pub uploaded_by: i64,
        pub uploaded_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

/// A file to store. The API checks type and size before it gets here.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// The file name the client sent (for display and download).
    pub file_name: String,
    /// MIME type, e.g. `image/jpeg`.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
    /// SHA-256 of the bytes, lower-case hex.
    pub sha256: String,
    /// The uploader's enterprise, if they belong to one.
    pub enterprise_id: Option<i64>,
    /// The uploader.
    pub uploaded_by: i64,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

/// A stored file's metadata (no bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// Id to refer to it by.
    pub id: i64,
    /// File name.
    pub file_name: String,
    /// MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Uploader's enterprise.
    pub enterprise_id: Option<i64>,
    /// Uploader's user id.
    pub uploaded_by: i64,
    /// Upload time.
    pub uploaded_at: DateTime<Utc>,
}

/// A stored file with its bytes.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// Metadata.
    pub info: AttachmentInfo,
    /// The bytes.
    pub data: Vec<u8>,
}

/// (id, file name, content type, size, sha256, enterprise, uploader, uploaded at)
type InfoTuple = (
    i64,
    String,
    String,
    i64,
    String,
    Option<i64>,
    i64,
    DateTime<Utc>,
);

fn info(m: &entity::Model) -> AttachmentInfo {
    AttachmentInfo {
        id: m.id,
        file_name: m.file_name.clone(),
        content_type: m.content_type.clone(),
        size_bytes: m.size_bytes,
        sha256: m.sha256.clone(),
        enterprise_id: m.enterprise_id,
        uploaded_by: m.uploaded_by,
        uploaded_at: m.uploaded_at,
    }
}

/// Rows of `attachments` the scope lets through: the uploader's own, or those of an enterprise in
/// scope.
pub(crate) fn attachment_scope(scope: &ScopeFilter) -> Condition {
    if scope.is_all() {
        return Condition::all();
    }
    Condition::any()
        .add(entity::Column::UploadedBy.eq(scope.user_id))
        .add(crate::telemetry::enterprise_id_in_scope(
            entity::Column::EnterpriseId,
            scope,
        ))
}

impl Store {
    /// Stores a file and returns its metadata.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn create_attachment(&self, a: NewAttachment) -> Result<AttachmentInfo> {
        let m = entity::ActiveModel {
            file_name: Set(a.file_name),
            content_type: Set(a.content_type),
            size_bytes: Set(i64::try_from(a.data.len()).unwrap_or(i64::MAX)),
            sha256: Set(a.sha256),
            data: Set(a.data),
            enterprise_id: Set(a.enterprise_id),
            uploaded_by: Set(a.uploaded_by),
            uploaded_at: Set(a.uploaded_at),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(info(&m))
    }

    /// A file with its bytes, if the scope lets the caller see it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] (also outside the scope), [`StoreError::Db`].
    pub async fn get_attachment(&self, id: i64, scope: &ScopeFilter) -> Result<Attachment> {
        let m = entity::Entity::find_by_id(id)
            .filter(attachment_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(Attachment {
            info: info(&m),
            data: m.data,
        })
    }

    /// Metadata of the files with these ids that the scope lets the caller see, in id order.
    /// Records use this to check the ids a client sends (a file the caller cannot see is refused).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn attachment_infos(
        &self,
        ids: &[i64],
        scope: &ScopeFilter,
    ) -> Result<Vec<AttachmentInfo>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<InfoTuple> = entity::Entity::find()
            .select_only()
            .columns([
                entity::Column::Id,
                entity::Column::FileName,
                entity::Column::ContentType,
                entity::Column::SizeBytes,
                entity::Column::Sha256,
                entity::Column::EnterpriseId,
                entity::Column::UploadedBy,
                entity::Column::UploadedAt,
            ])
            .filter(entity::Column::Id.is_in(ids.to_vec()))
            .filter(attachment_scope(scope))
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut out: Vec<AttachmentInfo> = rows
            .into_iter()
            .map(
                |(
                    id,
                    file_name,
                    content_type,
                    size_bytes,
                    sha256,
                    enterprise_id,
                    uploaded_by,
                    uploaded_at,
                )| {
                    AttachmentInfo {
                        id,
                        file_name,
                        content_type,
                        size_bytes,
                        sha256,
                        enterprise_id,
                        uploaded_by,
                        uploaded_at,
                    }
                },
            )
            .collect();
        out.sort_by_key(|a| a.id);
        Ok(out)
    }

    /// Checks that every id in `ids` names a file the caller may see; a 422 on `field` otherwise.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] naming `field`, [`StoreError::Db`].
    pub async fn check_attachments(
        &self,
        ids: &[i64],
        scope: &ScopeFilter,
        field: &str,
    ) -> Result<()> {
        let found = self.attachment_infos(ids, scope).await?;
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !found.iter().any(|f| f.id == *id))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(anjian_domain::ValidationError::field(
                field,
                format!("no such file (or not yours to use): {missing:?}"),
            )
            .into())
        }
    }
}
