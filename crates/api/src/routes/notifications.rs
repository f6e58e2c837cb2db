//! Notifications (站内消息) for the signed-in user: reminders (risk reviews due, inspection tasks)
//! and escalations (overdue hidden dangers) addressed to them, their enterprise, department or
//! region.

use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};
use anjian_store::{NotificationReader, NotificationRow};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One notification.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NotificationDto {
    /// Id.
    pub id: i64,
    /// Machine kind, e.g. `hidden_danger.overdue`, `risk.review_due`.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Console path to open.
    pub link: Option<String>,
    /// `user`, `enterprise`, `department` or `region`.
    pub audience: String,
    /// Sent at (UTC).
    pub created_at: DateTime<Utc>,
    /// Whether the caller has read it.
    pub read: bool,
}

impl From<NotificationRow> for NotificationDto {
    fn from(n: NotificationRow) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            audience: n.audience,
            created_at: n.created_at,
            read: n.read,
        }
    }
}

/// List filter.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only those not read yet.
    pub unread_only: Option<bool>,
    /// 1-based page number.
    pub page_num: Option<u64>,
    /// Rows per page, 1..=500.
    pub page_size: Option<u64>,
}

/// Which notifications to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkRead {
    /// These ids; all of the caller's when absent.
    pub ids: Option<Vec<i64>>,
}

/// Count of marked rows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Marked {
    /// How many were newly marked read.
    pub marked: u64,
}

pub(crate) fn reader(me: &CurrentUser) -> NotificationReader {
    NotificationReader {
        user_id: me.user.id,
        enterprise_id: me.user.enterprise_id,
        department_id: me.user.department_id,
        region_id: me.user.region_id,
    }
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/notifications", tag = "notification", security(("bearer" = [])), params(NotificationQuery),
    responses((status = 200, body = PageResult<NotificationDto>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<PageResult<NotificationDto>>> {
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let p = s
        .store
        .list_notifications(&reader(&me), q.unread_only.unwrap_or(false), page)
        .await?;
    Ok(Json(PageResult::from_page(p, NotificationDto::from)))
}

/// Mark notifications read (the given ids, or all).
#[utoipa::path(post, path = "/api/notifications/read", tag = "notification", security(("bearer" = [])), request_body = MarkRead,
    responses((status = 200, body = Marked), (status = 401, body = ErrorBody)))]
pub async fn mark_read(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<MarkRead>,
) -> ApiResult<Json<Marked>> {
    let marked = s
        .store
        .mark_notifications_read(&reader(&me), b.ids.as_deref(), s.clock.now())
        .await?;
    Ok(Json(Marked { marked }))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(mark_read))
}
