//! Notifications (站内消息): reminders and escalations addressed to a user, an enterprise, a
//! supervising department or a region's bureau. Writers give a `dedupe_key` so a periodic job can
//! notify once per event (e.g. `hd-overdue:42:department`); reading is tracked per user.

use crate::{PageOf, Result, Store};
use anjian_domain::page::Page;
use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{OnConflict, Query};
use sea_orm::{ActiveValue::Set, Condition, QueryOrder, QuerySelect};
use std::collections::HashSet;

pub(crate) mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notifications")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub title: String,
        pub body: String,
        pub link: Option<String>,
        pub audience: String,
        pub audience_id: i64,
        pub dedupe_key: Option<String>,
        pub created_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod reads {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification_reads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub notification_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: i64,
        pub read_at: DateTimeUtc,
    }
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

/// Who a notification is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// One user (by id).
    User(i64),
    /// Every user of an enterprise (by enterprise id).
    Enterprise(i64),
    /// Every user of a supervising department (by department id).
    Department(i64),
    /// Every user whose region is this region (by region id): the bureau of that region.
    Region(i64),
}

impl Audience {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Self::User(id) => ("user", id),
            Self::Enterprise(id) => ("enterprise", id),
            Self::Department(id) => ("department", id),
            Self::Region(id) => ("region", id),
        }
    }
}

/// A notification to send.
#[derive(Debug, Clone)]
pub struct NewNotification {
    /// Machine kind, e.g. `hidden_danger.overdue`, `risk.review_due`.
    pub kind: String,
    /// One-line title (Chinese UI text).
    pub title: String,
    /// Body text.
    pub body: String,
    /// Console path to open, e.g. `/hidden-danger/detail/42`.
    pub link: Option<String>,
    /// Recipient.
    pub audience: Audience,
    /// When set, a second notification with the same key is not stored (idempotent jobs).
    pub dedupe_key: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A notification as one reader sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Machine kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Console path.
    pub link: Option<String>,
    /// `user`, `enterprise`, `department` or `region`.
    pub audience: String,
    /// When it was sent.
    pub created_at: DateTime<Utc>,
    /// Whether this reader has read it.
    pub read: bool,
}

/// The reader: a user and the org units they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationReader {
    /// User id.
    pub user_id: i64,
    /// Their enterprise.
    pub enterprise_id: Option<i64>,
    /// Their supervising department.
    pub department_id: Option<i64>,
    /// Their region.
    pub region_id: Option<i64>,
}

fn for_reader(r: &NotificationReader) -> Condition {
    let mut c = Condition::any().add(
        Condition::all()
            .add(entity::Column::Audience.eq("user"))
            .add(entity::Column::AudienceId.eq(r.user_id)),
    );
    for (kind, id) in [
        ("enterprise", r.enterprise_id),
        ("department", r.department_id),
        ("region", r.region_id),
    ] {
        if let Some(id) = id {
            c = c.add(
                Condition::all()
                    .add(entity::Column::Audience.eq(kind))
                    .add(entity::Column::AudienceId.eq(id)),
            );
        }
    }
    c
}

impl Store {
    /// Stores a notification. Returns `false` when one with the same `dedupe_key` exists already.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn notify(&self, n: NewNotification) -> Result<bool> {
        // A duplicate dedupe key inserts nothing (ON CONFLICT DO NOTHING): 0 rows.
        let (audience, audience_id) = n.audience.parts();
        let res = entity::Entity::insert(entity::ActiveModel {
            kind: Set(n.kind),
            title: Set(n.title),
            body: Set(n.body),
            link: Set(n.link),
            audience: Set(audience.to_owned()),
            audience_id: Set(audience_id),
            dedupe_key: Set(n.dedupe_key),
            created_at: Set(n.created_at),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(entity::Column::DedupeKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(res > 0)
    }

    /// The reader's notifications, newest first; `unread_only` leaves out those they have read.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn list_notifications(
        &self,
        reader: &NotificationReader,
        unread_only: bool,
        page: Page,
    ) -> Result<PageOf<NotificationRow>> {
        let read_ids = Query::select()
            .column(reads::Column::NotificationId)
            .from(reads::Entity)
            .and_where(reads::Column::UserId.eq(reader.user_id))
            .to_owned();
        let mut q = entity::Entity::find().filter(for_reader(reader));
        if unread_only {
            q = q.filter(entity::Column::Id.not_in_subquery(read_ids));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(entity::Column::CreatedAt)
            .order_by_desc(entity::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let read: HashSet<i64> = reads::Entity::find()
            .filter(reads::Column::UserId.eq(reader.user_id))
            .filter(reads::Column::NotificationId.is_in(ids))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.notification_id)
            .collect();
        Ok(PageOf {
            total,
            rows: rows
                .into_iter()
                .map(|m| NotificationRow {
                    read: read.contains(&m.id),
                    id: m.id,
                    kind: m.kind,
                    title: m.title,
                    body: m.body,
                    link: m.link,
                    audience: m.audience,
                    created_at: m.created_at,
                })
                .collect(),
        })
    }

    /// Marks notifications read for this reader: the given ids, or all of theirs when `ids` is
    /// `None`. Ids that are not the reader's are ignored. Returns how many were newly marked.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn mark_notifications_read(
        &self,
        reader: &NotificationReader,
        ids: Option<&[i64]>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut q = entity::Entity::find()
            .select_only()
            .column(entity::Column::Id)
            .filter(for_reader(reader));
        if let Some(ids) = ids {
            q = q.filter(entity::Column::Id.is_in(ids.to_vec()));
        }
        let mine: Vec<i64> = q.into_tuple().all(&self.db).await?;
        let already: HashSet<i64> = reads::Entity::find()
            .filter(reads::Column::UserId.eq(reader.user_id))
            .filter(reads::Column::NotificationId.is_in(mine.clone()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| r.notification_id)
            .collect();
        let new: Vec<reads::ActiveModel> = mine
            .into_iter()
            .filter(|id| !already.contains(id))
            .map(|id| reads::ActiveModel {
                notification_id: Set(id),
                user_id: Set(reader.user_id),
                read_at: Set(now),
            })
            .collect();
        let n = new.len() as u64;
        if n > 0 {
            reads::Entity::insert_many(new)
                .on_conflict(
                    OnConflict::columns([reads::Column::NotificationId, reads::Column::UserId])
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.db)
                .await?;
        }
        Ok(n)
    }
}
