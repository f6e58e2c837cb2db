//! The login log and the operation log.

use crate::entities::{login_log, oper_log};
use crate::{PageOf, Result, Store};
use anjian_domain::page::Page;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Filters shared by both logs.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Exact user name.
    pub username: Option<String>,
    /// Only successes (`true`) or failures (`false`); for the operation log, success is a 2xx/3xx status.
    pub success: Option<bool>,
    /// From this time on.
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
}

/// One state-changing request to record.
#[derive(Debug, Clone)]
pub struct NewOperLog {
    /// Caller.
    pub user_id: Option<i64>,
    /// Caller's login name.
    pub username: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Response status.
    pub status_code: u16,
    /// Client address.
    pub ip: Option<String>,
    /// Request body with secrets masked, truncated.
    pub request: Option<String>,
    /// Time taken, milliseconds.
    pub duration_ms: i64,
}

impl Store {
    /// Appends to the login log.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn add_login_log(
        &self,
        username: &str,
        ip: Option<String>,
        user_agent: Option<String>,
        success: bool,
        message: &str,
    ) -> Result<()> {
        login_log::ActiveModel {
            username: Set(username.chars().take(64).collect()),
            ip: Set(ip),
            user_agent: Set(user_agent.map(|u| u.chars().take(300).collect())),
            success: Set(success),
            message: Set(message.chars().take(255).collect()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Pages through the login log, newest first.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn list_login_logs(
        &self,
        f: &LogFilter,
        page: Page,
    ) -> Result<PageOf<login_log::Model>> {
        let mut q = login_log::Entity::find();
        if let Some(u) = &f.username {
            q = q.filter(login_log::Column::Username.eq(u.as_str()));
        }
        if let Some(s) = f.success {
            q = q.filter(login_log::Column::Success.eq(s));
        }
        if let Some(t) = f.since {
            q = q.filter(login_log::Column::CreatedAt.gte(t));
        }
        if let Some(t) = f.until {
            q = q.filter(login_log::Column::CreatedAt.lt(t));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(login_log::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }

    /// Appends to the operation log.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn add_oper_log(&self, l: NewOperLog) -> Result<()> {
        oper_log::ActiveModel {
            user_id: Set(l.user_id),
            username: Set(l.username),
            method: Set(l.method),
            path: Set(l.path.chars().take(300).collect()),
            status_code: Set(i32::from(l.status_code)),
            ip: Set(l.ip),
            request: Set(l.request),
            duration_ms: Set(l.duration_ms),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Pages through the operation log, newest first.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn list_oper_logs(
        &self,
        f: &LogFilter,
        page: Page,
    ) -> Result<PageOf<oper_log::Model>> {
        let mut q = oper_log::Entity::find();
        if let Some(u) = &f.username {
            q = q.filter(oper_log::Column::Username.eq(u.as_str()));
        }
        match f.success {
            Some(true) => q = q.filter(oper_log::Column::StatusCode.lt(400)),
            Some(false) => q = q.filter(oper_log::Column::StatusCode.gte(400)),
            None => {}
        }
        if let Some(t) = f.since {
            q = q.filter(oper_log::Column::CreatedAt.gte(t));
        }
        if let Some(t) = f.until {
            q = q.filter(oper_log::Column::CreatedAt.lt(t));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(oper_log::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }
}
