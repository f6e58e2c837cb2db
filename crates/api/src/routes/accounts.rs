//! Users, roles and menus (系统管理 → 用户 / 角色 / 菜单).

use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::{CurrentUser, SecuritySettings, hash_password};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_domain::auth::DataScope;
use anjian_domain::validation::Checker;
use anjian_store::{Menu, NewUser, Role, RoleInput, User, UserFilter, UserPatch};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An account as the API shows it (never the password hash).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub nickname: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region.
    pub region_id: Option<i64>,
    /// `active` / `disabled`.
    pub status: String,
    /// Initial password not yet changed.
    pub must_change_password: bool,
    /// Locked until (after repeated login failures).
    pub locked_until: Option<DateTime<Utc>>,
    /// Last login.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Address of the last login.
    pub last_login_ip: Option<String>,
    /// Role ids.
    pub role_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

impl UserDto {
    /// From a store row and its role ids.
    pub fn from_row(u: User, role_ids: Vec<i64>) -> Self {
        Self {
            id: u.id,
            username: u.username,
            nickname: u.nickname,
            phone: u.phone,
            email: u.email,
            department_id: u.department_id,
            enterprise_id: u.enterprise_id,
            region_id: u.region_id,
            status: u.status,
            must_change_password: u.must_change_password,
            locked_until: u.locked_until,
            last_login_at: u.last_login_at,
            last_login_ip: u.last_login_ip,
            role_ids,
            remark: u.remark,
            created_at: u.created_at,
        }
    }
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserCreate {
    /// Login name: 3–64 letters, digits, `_`, `-`, `.`.
    pub username: String,
    /// Display name.
    pub nickname: String,
    /// Initial password (must meet the policy; the user must change it at first login).
    pub password: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Department (staff of a supervising department).
    pub department_id: Option<i64>,
    /// Enterprise (enterprise staff).
    pub enterprise_id: Option<i64>,
    /// Region the user covers (drives the region-subtree data scope).
    pub region_id: Option<i64>,
    /// Roles.
    #[serde(default)]
    pub role_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
}

/// Changes to an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserUpdate {
    /// Display name.
    pub nickname: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Region.
    pub region_id: Option<i64>,
    /// `active` or `disabled` (disabling ends the user's sessions).
    pub status: String,
    /// Roles (replaces the current set).
    #[serde(default)]
    pub role_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
}

/// An administrator's password reset.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordReset {
    /// New initial password; the user must change it at next login.
    pub password: String,
}

/// User list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Page number (1-based).
    #[param(minimum = 1)]
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
    /// Substring of login or display name.
    pub keyword: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// `active` / `disabled`.
    pub status: Option<String>,
}

fn check_status(c: &mut Checker, status: &str) {
    if status != "active" && status != "disabled" {
        c.add("status", "must be one of: active, disabled");
    }
}

fn check_contact(c: &mut Checker, phone: &Option<String>, email: &Option<String>) {
    c.optional_text("phone", phone.as_deref(), 30);
    if let Some(e) = email.as_deref().filter(|e| !e.is_empty())
        && (e.len() > 100 || !e.contains('@'))
    {
        c.add("email", "must be an e-mail address");
    }
}

async fn role_ids_of(s: &AppState, user_id: i64) -> ApiResult<Vec<i64>> {
    Ok(s.store
        .roles_of_user(user_id)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect())
}

/// List users within the caller's data scope.
#[utoipa::path(get, path = "/api/users", tag = "accounts", security(("bearer" = [])), params(UserQuery),
    responses((status = 200, body = PageResult<UserDto>), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<PageResult<UserDto>>> {
    me.require("system:user:list")?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let f = UserFilter {
        keyword: q.keyword,
        department_id: q.department_id,
        enterprise_id: q.enterprise_id,
        status: q.status,
    };
    let p = s.store.list_users(&f, &me.scope, page).await?;
    let ids: Vec<i64> = p.rows.iter().map(|u| u.id).collect();
    let mut roles = s.store.role_ids_of_users(&ids).await?;
    let rows = p
        .rows
        .into_iter()
        .map(|u| {
            let r = roles.remove(&u.id).unwrap_or_default();
            UserDto::from_row(u, r)
        })
        .collect();
    Ok(Json(PageResult {
        total: p.total,
        rows,
    }))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<UserDto>> {
    me.require("system:user:query")?;
    let u = s.store.get_user(id, &me.scope).await?;
    let ids = role_ids_of(&s, id).await?;
    Ok(Json(UserDto::from_row(u, ids)))
}

/// Only an administrator-like caller (data scope `all`) may hand out roles with a wider scope
/// than their own; others may only grant roles whose scope is not wider than theirs.
async fn check_grantable(s: &AppState, me: &CurrentUser, role_ids: &[i64]) -> ApiResult<()> {
    for id in role_ids {
        let (role, _) = s
            .store
            .get_role(*id)
            .await
            .map_err(|_| ApiError::invalid("roleIds", "contains an unknown role"))?;
        if role.role_key == "admin" && !me.is_admin() {
            return Err(ApiError::invalid(
                "roleIds",
                "only a super administrator may grant the admin role",
            ));
        }
        if me.scope.is_all() {
            continue;
        }
        let scope = DataScope::parse(&role.data_scope).unwrap_or(DataScope::SelfOnly);
        if !me.scope.scopes.iter().any(|mine| *mine <= scope) {
            return Err(ApiError::invalid(
                "roleIds",
                format!("you may not grant role {}", role.role_key),
            ));
        }
    }
    Ok(())
}

/// Only a super administrator may change, reset, delete or log out a super administrator.
pub(crate) async fn check_target(s: &AppState, me: &CurrentUser, target_id: i64) -> ApiResult<()> {
    if me.is_admin() {
        return Ok(());
    }
    let target_is_admin = s
        .store
        .roles_of_user(target_id)
        .await?
        .iter()
        .any(|r| r.role_key == "admin");
    if target_is_admin {
        return Err(ApiError::Forbidden(
            "只有超级管理员可以修改或强退超级管理员账号 / only a super administrator may change or log out a super administrator's account".into(),
        ));
    }
    Ok(())
}

/// Create a user with an initial password.
#[utoipa::path(post, path = "/api/users", tag = "accounts", security(("bearer" = [])), request_body = UserCreate,
    responses((status = 201, body = UserDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<UserCreate>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    me.require("system:user:add")?;
    let settings = SecuritySettings::load(&s.store).await?;
    let mut c = Checker::new();
    let username = b.username.trim().to_owned();
    if username.len() < 3
        || username.len() > 64
        || !username
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "_-.".contains(ch))
    {
        c.add(
            "username",
            "must be 3-64 characters: letters, digits, _ - .",
        );
    }
    c.required_text("nickname", &b.nickname, 64);
    if let Err(m) = settings.password.check(&username, &b.password) {
        c.add("password", m);
    }
    check_contact(&mut c, &b.phone, &b.email);
    c.optional_text("remark", b.remark.as_deref(), 500);
    c.finish()?;
    check_grantable(&s, &me, &b.role_ids).await?;
    let row = s
        .store
        .create_user(NewUser {
            username,
            nickname: b.nickname.trim().to_owned(),
            password_hash: hash_password(&b.password)?,
            phone: b.phone,
            email: b.email,
            department_id: b.department_id,
            enterprise_id: b.enterprise_id,
            region_id: b.region_id,
            role_ids: b.role_ids.clone(),
            must_change_password: settings.init_password_change,
            remark: b.remark,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserDto::from_row(row, b.role_ids)),
    ))
}

/// Update a user.
#[utoipa::path(put, path = "/api/users/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UserUpdate,
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserDto>> {
    me.require("system:user:edit")?;
    s.store.get_user(id, &me.scope).await?;
    check_target(&s, &me, id).await?;
    let mut c = Checker::new();
    c.required_text("nickname", &b.nickname, 64);
    check_status(&mut c, &b.status);
    check_contact(&mut c, &b.phone, &b.email);
    c.optional_text("remark", b.remark.as_deref(), 500);
    if id == me.user.id && b.status != "active" {
        c.add("status", "you cannot disable your own account");
    }
    c.finish()?;
    check_grantable(&s, &me, &b.role_ids).await?;
    let row = s
        .store
        .update_user(
            id,
            UserPatch {
                nickname: b.nickname.trim().to_owned(),
                phone: b.phone,
                email: b.email,
                department_id: b.department_id,
                enterprise_id: b.enterprise_id,
                region_id: b.region_id,
                status: b.status,
                role_ids: b.role_ids.clone(),
                remark: b.remark,
            },
            &me.scope,
        )
        .await?;
    Ok(Json(UserDto::from_row(row, b.role_ids)))
}

/// Delete a user (not oneself).
#[utoipa::path(delete, path = "/api/users/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_user(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:user:remove")?;
    s.store.get_user(id, &me.scope).await?;
    check_target(&s, &me, id).await?;
    if id == me.user.id {
        return Err(ApiError::invalid(
            "id",
            "you cannot delete your own account",
        ));
    }
    s.store.delete_user(id, &me.scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reset a user's password to a new initial one (ends their sessions; forces a change at login).
#[utoipa::path(put, path = "/api/users/{id}/password", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    me.require("system:user:resetPwd")?;
    let target = s.store.get_user(id, &me.scope).await?;
    check_target(&s, &me, id).await?;
    let settings = SecuritySettings::load(&s.store).await?;
    settings
        .password
        .check(&target.username, &b.password)
        .map_err(|m| ApiError::invalid("password", m))?;
    s.store
        .set_password(
            id,
            hash_password(&b.password)?,
            settings.init_password_change,
            None,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A role as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleDto {
    /// Id.
    pub id: i64,
    /// Key.
    pub role_key: String,
    /// Name.
    pub name: String,
    /// Data scope.
    pub data_scope: String,
    /// `active` / `disabled`.
    pub status: String,
    /// Order.
    pub sort: i32,
    /// Built in (cannot be deleted).
    pub builtin: bool,
    /// Remark.
    pub remark: Option<String>,
    /// Menu and button ids (only in single-role responses).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub menu_ids: Option<Vec<i64>>,
}

impl RoleDto {
    fn from_row(r: Role, menu_ids: Option<Vec<i64>>) -> Self {
        Self {
            id: r.id,
            role_key: r.role_key,
            name: r.name,
            data_scope: r.data_scope,
            status: r.status,
            sort: r.sort,
            builtin: r.builtin,
            remark: r.remark,
            menu_ids,
        }
    }
}

/// A role as created or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleBody {
    /// Unique key: 2–64 letters, digits, `_`.
    pub role_key: String,
    /// Name.
    pub name: String,
    /// Data scope.
    pub data_scope: DataScope,
    /// `active` / `disabled`.
    pub status: String,
    /// Order.
    #[serde(default)]
    pub sort: i32,
    /// Menus and buttons granted.
    #[serde(default)]
    pub menu_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
}

impl RoleBody {
    fn validate(self) -> Result<RoleInput, ApiError> {
        let mut c = Checker::new();
        if self.role_key.len() < 2
            || self.role_key.len() > 64
            || !self
                .role_key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        {
            c.add("roleKey", "must be 2-64 characters: letters, digits, _");
        }
        c.required_text("name", &self.name, 64);
        check_status(&mut c, &self.status);
        c.optional_text("remark", self.remark.as_deref(), 500);
        c.finish()?;
        Ok(RoleInput {
            role_key: self.role_key,
            name: self.name.trim().to_owned(),
            data_scope: self.data_scope,
            status: self.status,
            sort: self.sort,
            menu_ids: self.menu_ids,
            remark: self.remark,
        })
    }
}

/// List roles.
#[utoipa::path(get, path = "/api/roles", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = PageResult<RoleDto>), (status = 403, body = ErrorBody)))]
pub async fn list_roles(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<PageResult<RoleDto>>> {
    me.require("system:role:list")?;
    let rows: Vec<RoleDto> = s
        .store
        .list_roles()
        .await?
        .into_iter()
        .map(|r| RoleDto::from_row(r, None))
        .collect();
    Ok(Json(PageResult {
        total: rows.len() as u64,
        rows,
    }))
}

/// One role with its menu ids.
#[utoipa::path(get, path = "/api/roles/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RoleDto), (status = 404, body = ErrorBody)))]
pub async fn get_role(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<RoleDto>> {
    me.require("system:role:query")?;
    let (r, menus) = s.store.get_role(id).await?;
    Ok(Json(RoleDto::from_row(r, Some(menus))))
}

/// Built-in roles are changed only by a super administrator.
async fn check_builtin_role(s: &AppState, me: &CurrentUser, id: i64) -> ApiResult<()> {
    let (role, _) = s.store.get_role(id).await?;
    if role.builtin && !me.is_admin() {
        return Err(ApiError::Forbidden(
            "内置角色只能由超级管理员修改 / built-in roles may only be changed by a super administrator".into(),
        ));
    }
    Ok(())
}

/// Create a role.
#[utoipa::path(post, path = "/api/roles", tag = "accounts", security(("bearer" = [])), request_body = RoleBody,
    responses((status = 201, body = RoleDto), (status = 422, body = ErrorBody)))]
pub async fn create_role(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<RoleBody>,
) -> ApiResult<(StatusCode, Json<RoleDto>)> {
    me.require("system:role:add")?;
    let input = b.validate()?;
    let menus = input.menu_ids.clone();
    let r = s.store.create_role(input).await?;
    Ok((StatusCode::CREATED, Json(RoleDto::from_row(r, Some(menus)))))
}

/// Update a role (not the built-in `admin`).
#[utoipa::path(put, path = "/api/roles/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RoleBody,
    responses((status = 200, body = RoleDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_role(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<RoleBody>,
) -> ApiResult<Json<RoleDto>> {
    me.require("system:role:edit")?;
    check_builtin_role(&s, &me, id).await?;
    let input = b.validate()?;
    let menus = input.menu_ids.clone();
    let r = s.store.update_role(id, input).await?;
    Ok(Json(RoleDto::from_row(r, Some(menus))))
}

/// Delete a role no user has (built-in roles cannot be deleted).
#[utoipa::path(delete, path = "/api/roles/{id}", tag = "accounts", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_role(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:role:remove")?;
    check_builtin_role(&s, &me, id).await?;
    s.store.delete_role(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A menu entry with its children.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MenuNode {
    /// Id.
    pub id: i64,
    /// Parent id (0 at the top).
    pub parent_id: i64,
    /// Label.
    pub name: String,
    /// `M` directory, `C` page, `F` button.
    pub menu_type: String,
    /// Route path segment.
    pub path: Option<String>,
    /// Console component.
    pub component: Option<String>,
    /// Permission string.
    pub perms: Option<String>,
    /// Icon name.
    pub icon: Option<String>,
    /// Order.
    pub sort: i32,
    /// Children.
    #[schema(no_recursion)]
    pub children: Vec<MenuNode>,
}

/// Builds the tree of `menus` (those whose parent is absent become roots).
pub fn menu_tree(menus: &[Menu]) -> Vec<MenuNode> {
    fn build(menus: &[Menu], parent: i64) -> Vec<MenuNode> {
        let mut nodes: Vec<MenuNode> = menus
            .iter()
            .filter(|m| m.parent_id == parent)
            .map(|m| MenuNode {
                id: m.id,
                parent_id: m.parent_id,
                name: m.name.clone(),
                menu_type: m.menu_type.clone(),
                path: m.path.clone(),
                component: m.component.clone(),
                perms: m.perms.clone(),
                icon: m.icon.clone(),
                sort: m.sort,
                children: build(menus, m.id),
            })
            .collect();
        nodes.sort_by_key(|n| (n.sort, n.id));
        nodes
    }
    let ids: std::collections::HashSet<i64> = menus.iter().map(|m| m.id).collect();
    let mut roots: Vec<i64> = menus
        .iter()
        .filter(|m| !ids.contains(&m.parent_id))
        .map(|m| m.parent_id)
        .collect();
    roots.sort_unstable();
    roots.dedup();
    roots.into_iter().flat_map(|r| build(menus, r)).collect()
}

/// The whole menu tree (for the role editor).
#[utoipa::path(get, path = "/api/menus", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<MenuNode>), (status = 403, body = ErrorBody)))]
pub async fn list_menus(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<MenuNode>>> {
    me.require("system:menu:list")?;
    Ok(Json(menu_tree(&s.store.list_menus().await?)))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user, delete_user))
        .routes(routes!(reset_password))
        .routes(routes!(list_roles, create_role))
        .routes(routes!(get_role, update_role, delete_role))
        .routes(routes!(list_menus))
}
