//! System monitoring: online users (with forced logout), the login log and the operation log.

use super::PageResult;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiQuery, Id};
use anjian_store::{LogFilter, LoginLog, OperLog};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A live session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OnlineSession {
    /// Session id (for forced logout).
    pub session_id: i64,
    /// User id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub nickname: String,
    /// Address at login.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
    /// Login time.
    pub login_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
    /// Ends at, unless used.
    pub expires_at: DateTime<Utc>,
}

/// Users signed in now (within the caller's data scope).
#[utoipa::path(get, path = "/api/monitor/online", tag = "monitor", security(("bearer" = [])),
    responses((status = 200, body = PageResult<OnlineSession>), (status = 403, body = ErrorBody)))]
pub async fn online(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<PageResult<OnlineSession>>> {
    me.require("monitor:online:list")?;
    let rows: Vec<OnlineSession> = s
        .store
        .list_sessions(Utc::now(), &me.scope)
        .await?
        .into_iter()
        .map(|x| OnlineSession {
            session_id: x.id,
            user_id: x.user.id,
            username: x.user.username,
            nickname: x.user.nickname,
            ip: x.ip,
            user_agent: x.user_agent,
            login_at: x.created_at,
            last_seen_at: x.last_seen_at,
            expires_at: x.expires_at,
        })
        .collect();
    Ok(Json(PageResult {
        total: rows.len() as u64,
        rows,
    }))
}

/// Force a session to end (强退). The user's next request answers 401.
#[utoipa::path(delete, path = "/api/monitor/online/{id}", tag = "monitor", security(("bearer" = [])), params(("id" = i64, Path, description = "session id")),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn force_logout(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("monitor:online:forceLogout")?;
    let Some(user_id) = s.store.live_session_user(id, Utc::now(), &me.scope).await? else {
        return Err(ApiError::NotFound);
    };
    super::accounts::check_target(&s, &me, user_id).await?;
    if !s.store.delete_session(id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Log filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// Page number (1-based).
    #[param(minimum = 1)]
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
    /// Exact login name.
    pub username: Option<String>,
    /// Only successes (`true`) or failures (`false`).
    pub success: Option<bool>,
    /// From (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Before (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

impl LogQuery {
    fn split(self) -> Result<(LogFilter, anjian_domain::page::Page), ApiError> {
        let page = super::PageQuery {
            page_num: self.page_num,
            page_size: self.page_size,
        }
        .page()?;
        Ok((
            LogFilter {
                username: self.username,
                success: self.success,
                since: self.since,
                until: self.until,
            },
            page,
        ))
    }
}

/// A login attempt.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginLogDto {
    /// Id.
    pub id: i64,
    /// Name tried.
    pub username: String,
    /// Address.
    pub ip: Option<String>,
    /// Browser.
    pub user_agent: Option<String>,
    /// Whether it succeeded.
    pub success: bool,
    /// Outcome.
    pub message: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<LoginLog> for LoginLogDto {
    fn from(l: LoginLog) -> Self {
        Self {
            id: l.id,
            username: l.username,
            ip: l.ip,
            user_agent: l.user_agent,
            success: l.success,
            message: l.message,
            created_at: l.created_at,
        }
    }
}

/// The login log, newest first.
#[utoipa::path(get, path = "/api/monitor/logininfor", tag = "monitor", security(("bearer" = [])), params(LogQuery),
    responses((status = 200, body = PageResult<LoginLogDto>), (status = 403, body = ErrorBody)))]
pub async fn login_logs(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> ApiResult<Json<PageResult<LoginLogDto>>> {
    me.require("monitor:logininfor:list")?;
    let (f, page) = q.split()?;
    Ok(Json(PageResult::from_page(
        s.store.list_login_logs(&f, page).await?,
        Into::into,
    )))
}

/// A state-changing request.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperLogDto {
    /// Id.
    pub id: i64,
    /// Caller.
    pub user_id: Option<i64>,
    /// Caller's login name.
    pub username: Option<String>,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Response status.
    pub status_code: i32,
    /// Address.
    pub ip: Option<String>,
    /// Request body, secrets masked.
    pub request: Option<String>,
    /// Milliseconds.
    pub duration_ms: i64,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<OperLog> for OperLogDto {
    fn from(l: OperLog) -> Self {
        Self {
            id: l.id,
            user_id: l.user_id,
            username: l.username,
            method: l.method,
            path: l.path,
            status_code: l.status_code,
            ip: l.ip,
            request: l.request,
            duration_ms: l.duration_ms,
            created_at: l.created_at,
        }
    }
}

/// The operation log, newest first.
#[utoipa::path(get, path = "/api/monitor/operlog", tag = "monitor", security(("bearer" = [])), params(LogQuery),
    responses((status = 200, body = PageResult<OperLogDto>), (status = 403, body = ErrorBody)))]
pub async fn oper_logs(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> ApiResult<Json<PageResult<OperLogDto>>> {
    me.require("monitor:operlog:list")?;
    let (f, page) = q.split()?;
    Ok(Json(PageResult::from_page(
        s.store.list_oper_logs(&f, page).await?,
        Into::into,
    )))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(online))
        .routes(routes!(force_logout))
        .routes(routes!(login_logs))
        .routes(routes!(oper_logs))
}
