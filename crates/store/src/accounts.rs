//! Users, roles, menus (permission strings), sessions and login-failure bookkeeping.

use crate::entities::{enterprise, menu, region, role, role_menu, session, user, user_role};
use crate::org::region_subtree_ids;
use crate::{PageOf, Result, Store, StoreError, unique_as_field};
use anjian_domain::ValidationError;
use anjian_domain::auth::{ALL_PERMISSIONS, DataScope, ScopeFilter};
use anjian_domain::page::Page;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

/// A new account. `password_hash` is already an argon2 PHC string.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Unique login name.
    pub username: String,
    /// Display name.
    pub nickname: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Department the user belongs to.
    pub department_id: Option<i64>,
    /// Enterprise the user belongs to.
    pub enterprise_id: Option<i64>,
    /// Region the user is responsible for (drives the region-subtree scope).
    pub region_id: Option<i64>,
    /// Role ids.
    pub role_ids: Vec<i64>,
    /// Whether the password must be changed at next login.
    pub must_change_password: bool,
    /// Remark.
    pub remark: Option<String>,
}

/// Changes to an account (everything but the password).
#[derive(Debug, Clone)]
pub struct UserPatch {
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
    /// `active` or `disabled`.
    pub status: String,
    /// Role ids (replaces the current set).
    pub role_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
}

/// Filters of the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Substring of user name or nickname.
    pub keyword: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Enterprise.
    pub enterprise_id: Option<i64>,
    /// Status code.
    pub status: Option<String>,
}

/// A role as created or updated.
#[derive(Debug, Clone)]
pub struct RoleInput {
    /// Unique key, e.g. `district_inspector`.
    pub role_key: String,
    /// Display name.
    pub name: String,
    /// Data scope.
    pub data_scope: DataScope,
    /// `active` or `disabled`.
    pub status: String,
    /// Order.
    pub sort: i32,
    /// Menus and buttons granted.
    pub menu_ids: Vec<i64>,
    /// Remark.
    pub remark: Option<String>,
}

/// A live session joined with its user, for authentication and the online-users page.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// Session id (what forced logout takes).
    pub id: i64,
    /// The account.
    pub user: user::Model,
    /// Client address at login.
    pub ip: Option<String>,
    /// Browser at login.
    pub user_agent: Option<String>,
    /// Login time.
    pub created_at: DateTime<Utc>,
    /// Last request.
    pub last_seen_at: DateTime<Utc>,
    /// When it ends unless used again.
    pub expires_at: DateTime<Utc>,
}

fn session_info(s: session::Model, user: user::Model) -> SessionInfo {
    SessionInfo {
        id: s.id,
        user,
        ip: s.ip,
        user_agent: s.user_agent,
        created_at: s.created_at,
        last_seen_at: s.last_seen_at,
        expires_at: s.expires_at,
    }
}

/// Unexpired sessions of the users `scope` may see.
fn live_sessions(now: DateTime<Utc>, scope: &ScopeFilter) -> sea_orm::Select<session::Entity> {
    session::Entity::find()
        .filter(session::Column::ExpiresAt.gt(now))
        .filter(
            session::Column::UserId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(user::Column::Id)
                    .from(user::Entity)
                    .cond_where(user_scope(scope))
                    .to_owned(),
            ),
        )
}

/// The SQL condition limiting users to what `scope` may see.
fn user_scope(scope: &ScopeFilter) -> Condition {
    if scope.is_all() {
        return Condition::all();
    }
    let mut any = Condition::any();
    for s in &scope.scopes {
        match s {
            DataScope::All => return Condition::all(),
            DataScope::RegionSubtree => {
                if let Some(path) = &scope.region_path {
                    any = any
                        .add(user::Column::RegionId.in_subquery(region_subtree_ids(path)))
                        .add(
                            user::Column::EnterpriseId.in_subquery(
                                sea_orm::sea_query::Query::select()
                                    .column(enterprise::Column::Id)
                                    .from(enterprise::Entity)
                                    .and_where(
                                        enterprise::Column::RegionId
                                            .in_subquery(region_subtree_ids(path)),
                                    )
                                    .to_owned(),
                            ),
                        );
                }
            }
            DataScope::Department => {
                if let Some(d) = scope.department_id {
                    any = any.add(user::Column::DepartmentId.eq(d));
                }
            }
            DataScope::Enterprise => {
                if let Some(e) = scope.enterprise_id {
                    any = any.add(user::Column::EnterpriseId.eq(e));
                }
            }
            DataScope::SelfOnly => {}
        }
    }
    any.add(user::Column::Id.eq(scope.user_id))
}

impl Store {
    // ---------------------------------------------------------------- users

    /// Finds an account by login name (any status).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn find_user_by_username(&self, username: &str) -> Result<Option<user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::Username.eq(username))
            .one(&self.db)
            .await?)
    }

    /// One account, if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_user(&self, id: i64, scope: &ScopeFilter) -> Result<user::Model> {
        user::Entity::find_by_id(id)
            .filter(user_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Lists accounts the caller may see.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_users(
        &self,
        f: &UserFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<user::Model>> {
        let mut q = user::Entity::find().filter(user_scope(scope));
        if let Some(k) = f
            .keyword
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            q = q.filter(
                Condition::any()
                    .add(crate::like_literal(user::Column::Username, k, false))
                    .add(crate::like_literal(user::Column::Nickname, k, false)),
            );
        }
        if let Some(d) = f.department_id {
            q = q.filter(user::Column::DepartmentId.eq(d));
        }
        if let Some(e) = f.enterprise_id {
            q = q.filter(user::Column::EnterpriseId.eq(e));
        }
        if let Some(s) = &f.status {
            q = q.filter(user::Column::Status.eq(s.as_str()));
        }
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_asc(user::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }

    /// Accounts belonging to an enterprise (for its dossier).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn users_of_enterprise(&self, enterprise_id: i64) -> Result<Vec<user::Model>> {
        Ok(user::Entity::find()
            .filter(user::Column::EnterpriseId.eq(enterprise_id))
            .order_by_asc(user::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Active accounts of an enterprise that hold `permission` through their active roles (the
    /// people a workflow notification is for, e.g. those who may confirm a hidden danger), in id
    /// order: an active role granting a menu with exactly that permission string, or the `admin`
    /// role. One query.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn enterprise_users_with_permission(
        &self,
        enterprise_id: i64,
        permission: &str,
    ) -> Result<Vec<i64>> {
        use sea_orm::sea_query::Query;
        let menus = Query::select()
            .column(menu::Column::Id)
            .from(menu::Entity)
            .and_where(menu::Column::Perms.eq(permission))
            .to_owned();
        let granting = Query::select()
            .column(role_menu::Column::RoleId)
            .from(role_menu::Entity)
            .and_where(role_menu::Column::MenuId.in_subquery(menus))
            .to_owned();
        let roles = Query::select()
            .column(role::Column::Id)
            .from(role::Entity)
            .and_where(role::Column::Status.eq("active"))
            .cond_where(
                sea_orm::Condition::any()
                    .add(role::Column::RoleKey.eq("admin"))
                    .add(role::Column::Id.in_subquery(granting)),
            )
            .to_owned();
        let holders = Query::select()
            .column(user_role::Column::UserId)
            .from(user_role::Entity)
            .and_where(user_role::Column::RoleId.in_subquery(roles))
            .to_owned();
        Ok(user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .filter(user::Column::EnterpriseId.eq(enterprise_id))
            .filter(user::Column::Status.eq("active"))
            .filter(user::Column::Id.in_subquery(holders))
            .order_by_asc(user::Column::Id)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    async fn check_user_refs<C: sea_orm::ConnectionTrait>(
        db: &C,
        department_id: Option<i64>,
        enterprise_id: Option<i64>,
        region_id: Option<i64>,
        role_ids: &[i64],
    ) -> Result<()> {
        let mut fields = anjian_domain::FieldErrors::new();
        if department_id.is_some() && enterprise_id.is_some() {
            fields.insert(
                "enterpriseId".into(),
                "a user belongs to a department or to an enterprise, not both".into(),
            );
        }
        if let Some(d) = department_id
            && crate::entities::department::Entity::find_by_id(d)
                .one(db)
                .await?
                .is_none()
        {
            fields.insert("departmentId".into(), "no such department".into());
        }
        if let Some(e) = enterprise_id
            && enterprise::Entity::find_by_id(e).one(db).await?.is_none()
        {
            fields.insert("enterpriseId".into(), "no such enterprise".into());
        }
        if let Some(r) = region_id
            && region::Entity::find_by_id(r).one(db).await?.is_none()
        {
            fields.insert("regionId".into(), "no such region".into());
        }
        let found = role::Entity::find()
            .filter(role::Column::Id.is_in(role_ids.to_vec()))
            .count(db)
            .await?;
        let mut unique = role_ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if found != unique.len() as u64 {
            fields.insert("roleIds".into(), "contains an unknown role".into());
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { fields }.into())
        }
    }

    async fn set_user_roles<C: sea_orm::ConnectionTrait>(
        db: &C,
        user_id: i64,
        role_ids: &[i64],
    ) -> Result<()> {
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(user_id))
            .exec(db)
            .await?;
        let mut ids = role_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for role_id in ids {
            user_role::ActiveModel {
                user_id: Set(user_id),
                role_id: Set(role_id),
            }
            .insert(db)
            .await?;
        }
        Ok(())
    }

    /// Creates an account with its roles.
    ///
    /// # Errors
    /// Field errors on `username` (duplicate) and on missing department, enterprise, region, roles.
    pub async fn create_user(&self, u: NewUser) -> Result<user::Model> {
        let txn = self.db.begin().await?;
        Self::check_user_refs(
            &txn,
            u.department_id,
            u.enterprise_id,
            u.region_id,
            &u.role_ids,
        )
        .await?;
        let now = Utc::now();
        let row = user::ActiveModel {
            username: Set(u.username),
            nickname: Set(u.nickname),
            password_hash: Set(u.password_hash),
            phone: Set(u.phone),
            email: Set(u.email),
            department_id: Set(u.department_id),
            enterprise_id: Set(u.enterprise_id),
            region_id: Set(u.region_id),
            status: Set("active".into()),
            must_change_password: Set(u.must_change_password),
            failed_logins: Set(0),
            remark: Set(u.remark),
            password_changed_at: Set(Some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| unique_as_field(e, "username", "this user name is taken"))?;
        Self::set_user_roles(&txn, row.id, &u.role_ids).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Updates an account the caller may see. Disabling an account ends its sessions.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_user(
        &self,
        id: i64,
        p: UserPatch,
        scope: &ScopeFilter,
    ) -> Result<user::Model> {
        let current = self.get_user(id, scope).await?;
        let txn = self.db.begin().await?;
        Self::check_user_refs(
            &txn,
            p.department_id,
            p.enterprise_id,
            p.region_id,
            &p.role_ids,
        )
        .await?;
        let disabled = p.status != "active";
        let mut active: user::ActiveModel = current.into();
        active.nickname = Set(p.nickname);
        active.phone = Set(p.phone);
        active.email = Set(p.email);
        active.department_id = Set(p.department_id);
        active.enterprise_id = Set(p.enterprise_id);
        active.region_id = Set(p.region_id);
        active.status = Set(p.status);
        active.remark = Set(p.remark);
        active.updated_at = Set(Utc::now());
        let row = active.update(&txn).await?;
        Self::set_user_roles(&txn, id, &p.role_ids).await?;
        if disabled {
            session::Entity::delete_many()
                .filter(session::Column::UserId.eq(id))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes an account the caller may see (its sessions and role links go with it).
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn delete_user(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_user(id, scope).await?;
        let txn = self.db.begin().await?;
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        user_role::Entity::delete_many()
            .filter(user_role::Column::UserId.eq(id))
            .exec(&txn)
            .await?;
        user::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Sets a new password hash. `must_change` marks it as an initial password (administrator
    /// reset) that the user must change at next login. Ends every session of the user except
    /// `keep_session`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn set_password(
        &self,
        id: i64,
        hash: String,
        must_change: bool,
        keep_session: Option<i64>,
    ) -> Result<()> {
        let txn = self.db.begin().await?;
        let current = user::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut active: user::ActiveModel = current.into();
        active.password_hash = Set(hash);
        active.must_change_password = Set(must_change);
        active.password_changed_at = Set(Some(Utc::now()));
        active.failed_logins = Set(0);
        active.locked_until = Set(None);
        active.update(&txn).await?;
        let mut del = session::Entity::delete_many().filter(session::Column::UserId.eq(id));
        if let Some(keep) = keep_session {
            del = del.filter(session::Column::Id.ne(keep));
        }
        del.exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records a failed login: stores the failure count and, if the policy locked the account,
    /// when the lock ends.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn record_login_failure(
        &self,
        id: i64,
        failures: u32,
        locked_until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(failures as i32))
            .col_expr(user::Column::LockedUntil, Expr::value(locked_until))
            .filter(user::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records a successful login: clears the failure count and lock, stores time and address.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn record_login_success(&self, id: i64, ip: Option<String>) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::FailedLogins, Expr::value(0))
            .col_expr(
                user::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(user::Column::LastLoginAt, Expr::value(Utc::now()))
            .col_expr(user::Column::LastLoginIp, Expr::value(ip))
            .filter(user::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Whether any account exists (the bootstrap admin is created only on an empty table).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn user_count(&self) -> Result<u64> {
        Ok(user::Entity::find().count(&self.db).await?)
    }

    // ---------------------------------------------------------------- roles and menus

    /// Every role.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_roles(&self) -> Result<Vec<role::Model>> {
        Ok(role::Entity::find()
            .order_by_asc(role::Column::Sort)
            .order_by_asc(role::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One role and the ids of its menus.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_role(&self, id: i64) -> Result<(role::Model, Vec<i64>)> {
        let r = role::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)?;
        let menus = role_menu::Entity::find()
            .filter(role_menu::Column::RoleId.eq(id))
            .select_only()
            .column(role_menu::Column::MenuId)
            .into_tuple::<i64>()
            .all(&self.db)
            .await?;
        Ok((r, menus))
    }

    /// Finds a role by key.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn find_role_by_key(&self, key: &str) -> Result<Option<role::Model>> {
        Ok(role::Entity::find()
            .filter(role::Column::RoleKey.eq(key))
            .one(&self.db)
            .await?)
    }

    async fn set_role_menus<C: sea_orm::ConnectionTrait>(
        db: &C,
        role_id: i64,
        menu_ids: &[i64],
    ) -> Result<()> {
        let mut ids = menu_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let found = menu::Entity::find()
            .filter(menu::Column::Id.is_in(ids.clone()))
            .count(db)
            .await?;
        if found != ids.len() as u64 {
            return Err(ValidationError::field("menuIds", "contains an unknown menu").into());
        }
        role_menu::Entity::delete_many()
            .filter(role_menu::Column::RoleId.eq(role_id))
            .exec(db)
            .await?;
        for menu_id in ids {
            role_menu::ActiveModel {
                role_id: Set(role_id),
                menu_id: Set(menu_id),
            }
            .insert(db)
            .await?;
        }
        Ok(())
    }

    /// Creates a role with its menus.
    ///
    /// # Errors
    /// Field errors on `roleKey` (duplicate), `menuIds` (unknown).
    pub async fn create_role(&self, r: RoleInput) -> Result<role::Model> {
        let txn = self.db.begin().await?;
        let now = Utc::now();
        let row = role::ActiveModel {
            role_key: Set(r.role_key),
            name: Set(r.name),
            data_scope: Set(r.data_scope.code().into()),
            status: Set(r.status),
            sort: Set(r.sort),
            builtin: Set(false),
            remark: Set(r.remark),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| unique_as_field(e, "roleKey", "a role with this key already exists"))?;
        Self::set_role_menus(&txn, row.id, &r.menu_ids).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Updates a role. The built-in `admin` role cannot be changed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create, or on `id` for `admin`.
    pub async fn update_role(&self, id: i64, r: RoleInput) -> Result<role::Model> {
        let (current, _) = self.get_role(id).await?;
        if current.role_key == "admin" {
            return Err(
                ValidationError::field("id", "the built-in admin role cannot be changed").into(),
            );
        }
        let txn = self.db.begin().await?;
        let mut active: role::ActiveModel = current.into();
        active.role_key = Set(r.role_key);
        active.name = Set(r.name);
        active.data_scope = Set(r.data_scope.code().into());
        active.status = Set(r.status);
        active.sort = Set(r.sort);
        active.remark = Set(r.remark);
        active.updated_at = Set(Utc::now());
        let row = active
            .update(&txn)
            .await
            .map_err(|e| unique_as_field(e, "roleKey", "a role with this key already exists"))?;
        Self::set_role_menus(&txn, id, &r.menu_ids).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes a role that is not built in and that no user has.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id`.
    pub async fn delete_role(&self, id: i64) -> Result<()> {
        let (current, _) = self.get_role(id).await?;
        if current.builtin {
            return Err(ValidationError::field("id", "built-in roles cannot be deleted").into());
        }
        let users = user_role::Entity::find()
            .filter(user_role::Column::RoleId.eq(id))
            .count(&self.db)
            .await?;
        if users > 0 {
            return Err(ValidationError::field(
                "id",
                format!("{users} users still have this role"),
            )
            .into());
        }
        role::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Every menu entry, in tree order.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_menus(&self) -> Result<Vec<menu::Model>> {
        Ok(menu::Entity::find()
            .order_by_asc(menu::Column::ParentId)
            .order_by_asc(menu::Column::Sort)
            .all(&self.db)
            .await?)
    }

    /// Role ids of each of `user_ids` (one query; users without roles are absent).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn role_ids_of_users(
        &self,
        user_ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<i64>>> {
        let pairs: Vec<(i64, i64)> = user_role::Entity::find()
            .filter(user_role::Column::UserId.is_in(user_ids.to_vec()))
            .select_only()
            .column(user_role::Column::UserId)
            .column(user_role::Column::RoleId)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut map: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for (u, r) in pairs {
            map.entry(u).or_default().push(r);
        }
        Ok(map)
    }

    /// The active roles of a user.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn roles_of_user(&self, user_id: i64) -> Result<Vec<role::Model>> {
        let ids: Vec<i64> = user_role::Entity::find()
            .filter(user_role::Column::UserId.eq(user_id))
            .select_only()
            .column(user_role::Column::RoleId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(role::Entity::find()
            .filter(role::Column::Id.is_in(ids))
            .filter(role::Column::Status.eq("active"))
            .all(&self.db)
            .await?)
    }

    /// The menus (pages, directories and buttons) granted by the given roles. The `admin` role is
    /// granted every menu.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn menus_of_roles(&self, roles: &[role::Model]) -> Result<Vec<menu::Model>> {
        if roles.iter().any(|r| r.role_key == "admin") {
            return self.list_menus().await;
        }
        let ids: Vec<i64> = role_menu::Entity::find()
            .filter(role_menu::Column::RoleId.is_in(roles.iter().map(|r| r.id).collect::<Vec<_>>()))
            .select_only()
            .column(role_menu::Column::MenuId)
            .distinct()
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(menu::Entity::find()
            .filter(menu::Column::Id.is_in(ids))
            .order_by_asc(menu::Column::ParentId)
            .order_by_asc(menu::Column::Sort)
            .all(&self.db)
            .await?)
    }

    /// The permission strings and data-scope filter of a user, resolved from their active roles
    /// and their place in the organisation.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn resolve_access(
        &self,
        u: &user::Model,
    ) -> Result<(Vec<String>, Vec<role::Model>, ScopeFilter)> {
        let roles = self.roles_of_user(u.id).await?;
        let mut perms: Vec<String> = if roles.iter().any(|r| r.role_key == "admin") {
            vec![ALL_PERMISSIONS.to_string()]
        } else {
            self.menus_of_roles(&roles)
                .await?
                .into_iter()
                .filter_map(|m| m.perms)
                .collect()
        };
        perms.sort();
        perms.dedup();
        let mut scopes: Vec<DataScope> = roles
            .iter()
            .filter_map(|r| DataScope::parse(&r.data_scope))
            .collect();
        scopes.sort();
        scopes.dedup();
        let region_path = match u.region_id {
            Some(r) => region::Entity::find_by_id(r)
                .one(&self.db)
                .await?
                .map(|r| r.path),
            None => None,
        };
        let scope = ScopeFilter {
            user_id: u.id,
            scopes,
            region_path,
            department_id: u.department_id,
            enterprise_id: u.enterprise_id,
        };
        Ok((perms, roles, scope))
    }

    // ---------------------------------------------------------------- sessions

    /// Stores a new session for `token_hash` (SHA-256 hex of the opaque token).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: String,
        ip: Option<String>,
        user_agent: Option<String>,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        let now = Utc::now();
        let row = session::ActiveModel {
            token_hash: Set(token_hash),
            user_id: Set(user_id),
            ip: Set(ip),
            user_agent: Set(user_agent),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(expires_at),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(row.id)
    }

    /// The unexpired session with this token hash, with its user.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn find_session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionInfo>> {
        let Some(s) = session::Entity::find()
            .filter(session::Column::TokenHash.eq(token_hash))
            .filter(session::Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let Some(user) = user::Entity::find_by_id(s.user_id).one(&self.db).await? else {
            return Ok(None);
        };
        Ok(Some(session_info(s, user)))
    }

    /// Slides a session's expiry forward (never past `hard_limit`).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn touch_session(
        &self,
        id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .col_expr(session::Column::ExpiresAt, Expr::value(expires_at))
            .filter(session::Column::Id.eq(id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Ends a session. Returns whether it existed.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn delete_session(&self, id: i64) -> Result<bool> {
        Ok(session::Entity::delete_by_id(id)
            .exec(&self.db)
            .await?
            .rows_affected
            > 0)
    }

    /// The account of a live session the caller may see (for forced logout).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn live_session_user(
        &self,
        id: i64,
        now: DateTime<Utc>,
        scope: &ScopeFilter,
    ) -> Result<Option<i64>> {
        Ok(live_sessions(now, scope)
            .filter(session::Column::Id.eq(id))
            .select_only()
            .column(session::Column::UserId)
            .into_tuple::<i64>()
            .one(&self.db)
            .await?)
    }

    /// Live sessions (online users), most recent first, limited to users the caller may see.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_sessions(
        &self,
        now: DateTime<Utc>,
        scope: &ScopeFilter,
    ) -> Result<Vec<SessionInfo>> {
        let sessions = live_sessions(now, scope)
            .order_by_desc(session::Column::LastSeenAt)
            .limit(1000)
            .all(&self.db)
            .await?;
        let ids: Vec<i64> = sessions.iter().map(|s| s.user_id).collect();
        let users = user::Entity::find()
            .filter(user::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(sessions
            .into_iter()
            .filter_map(|s| {
                let user = users.iter().find(|u| u.id == s.user_id)?.clone();
                Some(session_info(s, user))
            })
            .collect())
    }

    /// Removes expired sessions; returns how many.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn purge_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(&self.db)
            .await?
            .rows_affected)
    }
}
