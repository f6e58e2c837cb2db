//! Shared ground of the dual prevention mechanism (双重预防机制): uploaded files (`attachments`:
//! photos and evidence, kept in the database so both backends and backups carry them),
//! notifications (`notifications` + per-user `notification_reads`), the built-in role
//! `enterprise_worker` (企业员工: reports hidden dangers, does inspection tasks, remediates what is
//! assigned to them), and the two menu directories 风险分级管控 (5) and 隐患排查治理 (6) whose pages
//! m0005 – m0007 add.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The 风险分级管控 directory's id.
pub const RISK_DIRECTORY_ID: i64 = 5;
/// The 隐患排查治理 directory's id.
pub const HIDDEN_DANGER_DIRECTORY_ID: i64 = 6;
/// The employee role's key.
pub const WORKER_ROLE: &str = "enterprise_worker";

#[derive(DeriveIden)]
enum Attachments {
    Table,
    Id,
    FileName,
    ContentType,
    SizeBytes,
    Sha256,
    Data,
    EnterpriseId,
    UploadedBy,
    UploadedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    Kind,
    Title,
    Body,
    Link,
    Audience,
    AudienceId,
    DedupeKey,
    CreatedAt,
}

#[derive(DeriveIden)]
enum NotificationReads {
    Table,
    NotificationId,
    UserId,
    ReadAt,
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(big_pk_auto(Attachments::Id))
                .col(string_len(Attachments::FileName, 255))
                .col(string_len(Attachments::ContentType, 100))
                .col(big_integer(Attachments::SizeBytes))
                .col(string_len(Attachments::Sha256, 64))
                .col(blob(Attachments::Data))
                .col(big_integer_null(Attachments::EnterpriseId))
                .col(big_integer(Attachments::UploadedBy))
                .col(timestamp_with_time_zone(Attachments::UploadedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attachments_enterprise")
                .table(Attachments::Table)
                .col(Attachments::EnterpriseId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(big_pk_auto(Notifications::Id))
                .col(string_len(Notifications::Kind, 50))
                .col(string_len(Notifications::Title, 200))
                .col(text(Notifications::Body))
                .col(string_len_null(Notifications::Link, 300))
                .col(string_len(Notifications::Audience, 20))
                .col(big_integer(Notifications::AudienceId))
                .col(string_len_null(Notifications::DedupeKey, 200).unique_key())
                .col(timestamp_with_time_zone(Notifications::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_audience")
                .table(Notifications::Table)
                .col(Notifications::Audience)
                .col(Notifications::AudienceId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(NotificationReads::Table)
                .col(big_integer(NotificationReads::NotificationId))
                .col(big_integer(NotificationReads::UserId))
                .col(timestamp_with_time_zone(NotificationReads::ReadAt))
                .primary_key(
                    Index::create()
                        .col(NotificationReads::NotificationId)
                        .col(NotificationReads::UserId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_notification_reads_notification")
                        .from(NotificationReads::Table, NotificationReads::NotificationId)
                        .to(Notifications::Table, Notifications::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.exec_stmt(
            Query::insert()
                .into_table(a("roles"))
                .columns([
                    a("role_key"),
                    a("name"),
                    a("data_scope"),
                    a("status"),
                    a("sort"),
                    a("builtin"),
                    a("remark"),
                    a("created_at"),
                    a("updated_at"),
                ])
                .values_panic([
                    WORKER_ROLE.into(),
                    "企业员工".into(),
                    "enterprise".into(),
                    "active".into(),
                    6.into(),
                    true.into(),
                    "reports hidden dangers (随手拍), does inspection tasks, remediates what is assigned"
                        .into(),
                    chrono::Utc::now().into(),
                    chrono::Utc::now().into(),
                ])
                .to_owned(),
        )
        .await?;
        for (id, name, path, icon, sort) in [
            (RISK_DIRECTORY_ID, "风险分级管控", "risk", "warning", 3),
            (
                HIDDEN_DANGER_DIRECTORY_ID,
                "隐患排查治理",
                "hidden-danger",
                "search",
                4,
            ),
        ] {
            m.exec_stmt(
                Query::insert()
                    .into_table(a("menus"))
                    .columns([
                        a("id"),
                        a("parent_id"),
                        a("name"),
                        a("menu_type"),
                        a("path"),
                        a("icon"),
                        a("sort"),
                    ])
                    .values_panic([
                        id.into(),
                        0i64.into(),
                        name.into(),
                        "M".into(),
                        path.into(),
                        icon.into(),
                        sort.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let dirs = [RISK_DIRECTORY_ID, HIDDEN_DANGER_DIRECTORY_ID];
        m.exec_stmt(
            Query::delete()
                .from_table(a("role_menus"))
                .and_where(Expr::col(a("menu_id")).is_in(dirs))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::delete()
                .from_table(a("menus"))
                .and_where(Expr::col(a("id")).is_in(dirs))
                .to_owned(),
        )
        .await?;
        m.exec_stmt(
            Query::delete()
                .from_table(a("roles"))
                .and_where(Expr::col(a("role_key")).eq(WORKER_ROLE))
                .to_owned(),
        )
        .await?;
        for t in [
            NotificationReads::Table.into_iden(),
            Notifications::Table.into_iden(),
            Attachments::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
