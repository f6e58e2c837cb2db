//! Login, logout, the caller's profile, permissions and menus, password change.

use super::accounts::{MenuNode, UserDto, menu_tree};
use crate::AppState;
use crate::auth::{
    AnyUser, SecuritySettings, client_ip, hash_password, new_token, token_hash, verify_password,
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use anjian_domain::auth::MAX_PASSWORD_LENGTH;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Login name.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// Opaque bearer token (64 hex characters). Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends unless used (sliding), RFC 3339.
    pub expires_at: chrono::DateTime<Utc>,
    /// True when the password is an initial one: every other endpoint answers 403
    /// `password_change_required` until `PUT /api/auth/password` succeeds.
    pub must_change_password: bool,
}

/// Request metadata the login handler needs.
pub struct ClientInfo {
    ip: Option<String>,
    user_agent: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientInfo {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            ip: client_ip(parts),
            user_agent: parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(300).collect()),
        })
    }
}

/// Log in. Five consecutive failures lock the account for ten minutes (both configurable in the
/// system parameters); every attempt is written to the login log.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody, description = "wrong user name or password"),
        (status = 423, body = ErrorBody, description = "account locked")))]
pub async fn login(
    State(s): State<AppState>,
    client: ClientInfo,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let store = &s.store;
    let settings = SecuritySettings::load(store).await?;
    let username = req.username.trim();
    let log = |ok: bool, msg: &str| {
        let (ip, ua, name, msg) = (
            client.ip.clone(),
            client.user_agent.clone(),
            username.to_owned(),
            msg.to_owned(),
        );
        async move {
            if let Err(e) = store.add_login_log(&name, ip, ua, ok, &msg).await {
                tracing::warn!(error = %e, "could not write the login log");
            }
        }
    };
    if username.is_empty()
        || req.password.is_empty()
        || req.password.chars().count() > MAX_PASSWORD_LENGTH
    {
        log(false, "empty or oversized credentials").await;
        return Err(ApiError::Unauthorized(
            "用户名或密码错误 / wrong user name or password".into(),
        ));
    }
    let now = Utc::now();
    let Some(user) = store.find_user_by_username(username).await? else {
        // Spend the same time as a real check so timing does not reveal which names exist.
        crate::auth::verify_against_dummy(&req.password);
        log(false, "unknown user").await;
        return Err(ApiError::Unauthorized(
            "用户名或密码错误 / wrong user name or password".into(),
        ));
    };
    if settings.lockout.is_locked(user.locked_until, now) {
        log(false, "account locked").await;
        let until = user.locked_until.unwrap_or(now);
        return Err(ApiError::Locked(format!(
            "账号已锁定，请 {} 分钟后再试 / account locked until {}",
            ((until - now).num_seconds() + 59) / 60,
            until.to_rfc3339()
        )));
    }
    if !verify_password(&req.password, &user.password_hash) {
        // A lock that has expired starts the count afresh.
        let previous = if user.locked_until.is_some() {
            0
        } else {
            user.failed_logins.max(0) as u32
        };
        let outcome = settings.lockout.on_failure(previous, now);
        store
            .record_login_failure(user.id, outcome.failures, outcome.locked_until)
            .await?;
        if let Some(until) = outcome.locked_until {
            log(false, "wrong password; account locked").await;
            return Err(ApiError::Locked(format!(
                "密码错误次数过多，账号锁定 {} 分钟 / too many failures: account locked until {}",
                settings.lockout.lock_minutes,
                until.to_rfc3339()
            )));
        }
        log(false, "wrong password").await;
        let left = settings
            .lockout
            .max_failures
            .saturating_sub(outcome.failures);
        return Err(ApiError::Unauthorized(format!(
            "用户名或密码错误，还可尝试 {left} 次 / wrong user name or password ({left} attempts left before lockout)"
        )));
    }
    if user.status != "active" {
        log(false, "account disabled").await;
        return Err(ApiError::Unauthorized(
            "账号已停用 / account disabled".into(),
        ));
    }
    let token = new_token();
    let expires_at = settings.expiry(now, now);
    store
        .create_session(
            user.id,
            token_hash(&token),
            client.ip.clone(),
            client.user_agent.clone(),
            expires_at,
        )
        .await?;
    store
        .record_login_success(user.id, client.ip.clone())
        .await?;
    log(true, "login ok").await;
    Ok(Json(LoginResponse {
        token,
        expires_at,
        must_change_password: user.must_change_password,
    }))
}

/// End the current session.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(s): State<AppState>, AnyUser(u): AnyUser) -> ApiResult<StatusCode> {
    s.store.delete_session(u.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller: account, role keys, permission strings, data scope, and the menu tree to show.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    /// The account.
    pub user: UserDto,
    /// Role keys.
    pub roles: Vec<String>,
    /// Permission strings (`*:*:*` for the administrator).
    pub permissions: Vec<String>,
    /// Data scopes from the roles.
    pub data_scopes: Vec<anjian_domain::auth::DataScope>,
    /// Directories and pages the console shows (buttons are in `permissions`).
    pub menus: Vec<MenuNode>,
    /// The password rules in force (system parameters), for the console's hints.
    pub password_policy: PasswordPolicyDto,
}

/// The password rules in force.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PasswordPolicyDto {
    /// Minimum length, characters.
    pub min_length: usize,
    /// How many of the four classes (lower case, upper case, digits, symbols) must appear.
    pub min_classes: usize,
}

/// Who am I: profile, permissions and menus (works before the initial password is changed).
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(s): State<AppState>, AnyUser(u): AnyUser) -> ApiResult<Json<Me>> {
    let menus = s.store.menus_of_roles(&u.roles).await?;
    let menus = menus
        .into_iter()
        .filter(|m| m.menu_type != "F")
        .collect::<Vec<_>>();
    let policy = SecuritySettings::load(&s.store).await?.password;
    Ok(Json(Me {
        password_policy: PasswordPolicyDto {
            min_length: policy.min_length,
            min_classes: policy.min_classes,
        },
        roles: u.roles.iter().map(|r| r.role_key.clone()).collect(),
        permissions: u.permissions.clone(),
        data_scopes: u.scope.scopes.clone(),
        menus: menu_tree(&menus),
        user: UserDto::from_row(u.user, u.roles.iter().map(|r| r.id).collect()),
    }))
}

/// A password change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordChange {
    /// Current password.
    pub old_password: String,
    /// New password; must satisfy the password policy and differ from the old one.
    pub new_password: String,
}

/// Change one's own password. Other sessions of the account end; this one stays.
#[utoipa::path(put, path = "/api/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn change_password(
    State(s): State<AppState>,
    AnyUser(u): AnyUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let settings = SecuritySettings::load(&s.store).await?;
    if !verify_password(&req.old_password, &u.user.password_hash) {
        return Err(ApiError::invalid(
            "oldPassword",
            "旧密码不正确 / the current password is wrong",
        ));
    }
    if req.old_password == req.new_password {
        return Err(ApiError::invalid(
            "newPassword",
            "新密码不能与旧密码相同 / must differ from the current password",
        ));
    }
    settings
        .password
        .check(&u.user.username, &req.new_password)
        .map_err(|m| ApiError::invalid("newPassword", m))?;
    let hash = hash_password(&req.new_password)?;
    s.store
        .set_password(u.user.id, hash, false, Some(u.session_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}
