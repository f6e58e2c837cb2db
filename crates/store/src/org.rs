//! Regions, departments and enterprises.

use crate::entities::{department, enterprise, region, user};
use crate::{PageOf, Result, Store, StoreError, unique_as_field};
use anjian_domain::ValidationError;
use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::enterprise::EnterpriseDraft;
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel, SupervisionCategory};
use anjian_domain::page::Page;
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

/// A region as created or updated.
#[derive(Debug, Clone)]
pub struct RegionInput {
    /// Parent region (`None` for a district).
    pub parent_id: Option<i64>,
    /// Administrative code, unique (GB/T 2260 for districts; local codes below).
    pub code: String,
    /// Name.
    pub name: String,
    /// Level; must fit under the parent's level.
    pub level: RegionLevel,
    /// Order among siblings.
    pub sort: i32,
}

/// A department as created or updated.
#[derive(Debug, Clone)]
pub struct DepartmentInput {
    /// Parent department.
    pub parent_id: Option<i64>,
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: DepartmentKind,
    /// Region the department covers (`None` = the whole city).
    pub region_id: Option<i64>,
    /// Supervision categories it is responsible for.
    pub supervised_categories: Vec<SupervisionCategory>,
    /// GB/T 4754 industry codes it supervises (normalised).
    pub industry_codes: Vec<String>,
    /// Head of department.
    pub leader: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Status.
    pub status: RecordStatus,
    /// Order.
    pub sort: i32,
}

/// Filters of the enterprise list. Every field narrows the result; `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Substring of the name.
    pub name: Option<String>,
    /// Prefix of the USCC.
    pub uscc: Option<String>,
    /// Exact category code.
    pub supervision_category: Option<String>,
    /// Exact status code.
    pub status: Option<String>,
    /// Region id: that region and everything under it.
    pub region_id: Option<i64>,
    /// Supervising department.
    pub department_id: Option<i64>,
}

/// The SQL condition that limits enterprises to what `scope` may see.
pub(crate) fn enterprise_scope(scope: &ScopeFilter) -> Condition {
    if scope.is_all() {
        return Condition::all();
    }
    let mut any = Condition::any();
    for s in &scope.scopes {
        match s {
            DataScope::All => return Condition::all(),
            DataScope::RegionSubtree => {
                if let Some(path) = &scope.region_path {
                    any =
                        any.add(enterprise::Column::RegionId.in_subquery(region_subtree_ids(path)));
                }
            }
            DataScope::Department => {
                if let Some(d) = scope.department_id {
                    any = any.add(enterprise::Column::DepartmentId.eq(d));
                }
            }
            DataScope::Enterprise => {
                if let Some(e) = scope.enterprise_id {
                    any = any.add(enterprise::Column::Id.eq(e));
                }
            }
            DataScope::SelfOnly => {
                any = any.add(enterprise::Column::CreatedBy.eq(scope.user_id));
            }
        }
    }
    if any.is_empty() {
        // No usable scope: match nothing.
        Condition::all().add(enterprise::Column::Id.lt(0))
    } else {
        any
    }
}

/// Whether the enterprise `id` exists and the scope lets the caller see it (for writes that name
/// an enterprise: a record of an enterprise outside the scope is refused).
pub(crate) async fn enterprise_visible<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i64,
    scope: &ScopeFilter,
) -> crate::Result<bool> {
    Ok(enterprise::Entity::find_by_id(id)
        .filter(enterprise_scope(scope))
        .count(db)
        .await?
        > 0)
}

/// `SELECT id FROM regions WHERE path LIKE '<path>%'` — the region and all below it.
pub(crate) fn region_subtree_ids(path: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(region::Column::Id)
        .from(region::Entity)
        .and_where(region::Column::Path.like(format!("{path}%")))
        .to_owned()
}

impl Store {
    // ---------------------------------------------------------------- regions

    /// Every region, ordered by path then sort (a depth-first order of the tree).
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_regions(&self) -> Result<Vec<region::Model>> {
        Ok(region::Entity::find()
            .order_by_asc(region::Column::Sort)
            .order_by_asc(region::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One region.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_region(&self, id: i64) -> Result<region::Model> {
        region::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Finds a region by its code.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn find_region_by_code(&self, code: &str) -> Result<Option<region::Model>> {
        Ok(region::Entity::find()
            .filter(region::Column::Code.eq(code))
            .one(&self.db)
            .await?)
    }

    async fn check_region_parent(&self, input: &RegionInput) -> Result<String> {
        let parent = match input.parent_id {
            Some(pid) => Some(
                region::Entity::find_by_id(pid)
                    .one(&self.db)
                    .await?
                    .ok_or_else(|| ValidationError::field("parentId", "no such region"))?,
            ),
            None => None,
        };
        let parent_level = parent.as_ref().and_then(|p| RegionLevel::parse(&p.level));
        if !input.level.may_have_parent(parent_level) {
            return Err(ValidationError::field(
                "level",
                match parent_level {
                    None => "a top-level region must be a district".to_string(),
                    Some(p) => match p.child() {
                        Some(c) => format!("a region under a {} must be a {}", p.code(), c.code()),
                        None => format!("a {} cannot have child regions", p.code()),
                    },
                },
            )
            .into());
        }
        Ok(parent.map(|p| p.path).unwrap_or_else(|| "/".into()))
    }

    /// Creates a region under its parent, computing its materialised path.
    ///
    /// # Errors
    /// Field errors on `parentId`, `level` (wrong level for the parent), `code` (duplicate).
    pub async fn create_region(&self, input: RegionInput) -> Result<region::Model> {
        let parent_path = self.check_region_parent(&input).await?;
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let row = region::ActiveModel {
            parent_id: Set(input.parent_id),
            code: Set(input.code.clone()),
            name: Set(input.name.clone()),
            level: Set(input.level.code().into()),
            path: Set(String::new()),
            sort: Set(input.sort),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(|e| unique_as_field(e, "code", "a region with this code already exists"))?;
        let mut active: region::ActiveModel = row.into();
        let id = *active.id.as_ref();
        active.path = Set(format!("{parent_path}{id}/"));
        let row = active.update(&txn).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Renames or re-sorts a region. Moving a region to another parent is not supported (it would
    /// change the data scope of every user and enterprise below it); create a new one instead.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors on `parentId` (a move), `code` (duplicate).
    pub async fn update_region(&self, id: i64, input: RegionInput) -> Result<region::Model> {
        let current = self.get_region(id).await?;
        if current.parent_id != input.parent_id {
            return Err(ValidationError::field(
                "parentId",
                "a region cannot be moved to another parent",
            )
            .into());
        }
        if current.level != input.level.code() {
            return Err(ValidationError::field(
                "level",
                "the level of an existing region cannot change",
            )
            .into());
        }
        let mut active: region::ActiveModel = current.into();
        active.code = Set(input.code);
        active.name = Set(input.name);
        active.sort = Set(input.sort);
        active.updated_at = Set(Utc::now());
        active
            .update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "code", "a region with this code already exists"))
    }

    /// Deletes a region that has no child regions and nothing attached to it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` when it is still in use.
    pub async fn delete_region(&self, id: i64) -> Result<()> {
        self.get_region(id).await?;
        let children = region::Entity::find()
            .filter(region::Column::ParentId.eq(id))
            .count(&self.db)
            .await?;
        let enterprises = enterprise::Entity::find()
            .filter(enterprise::Column::RegionId.eq(id))
            .count(&self.db)
            .await?;
        let users = user::Entity::find()
            .filter(user::Column::RegionId.eq(id))
            .count(&self.db)
            .await?;
        let departments = department::Entity::find()
            .filter(department::Column::RegionId.eq(id))
            .count(&self.db)
            .await?;
        if children + enterprises + users + departments > 0 {
            return Err(ValidationError::field(
                "id",
                format!(
                    "region is in use ({children} sub-regions, {enterprises} enterprises, {users} users, {departments} departments)"
                ),
            )
            .into());
        }
        region::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    // ---------------------------------------------------------------- departments

    /// Every department, in sort order.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_departments(&self) -> Result<Vec<department::Model>> {
        Ok(department::Entity::find()
            .order_by_asc(department::Column::Sort)
            .order_by_asc(department::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One department.
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_department(&self, id: i64) -> Result<department::Model> {
        department::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    async fn check_department_refs(&self, id: Option<i64>, input: &DepartmentInput) -> Result<()> {
        if let Some(pid) = input.parent_id {
            if Some(pid) == id {
                return Err(ValidationError::field(
                    "parentId",
                    "a department cannot be its own parent",
                )
                .into());
            }
            if department::Entity::find_by_id(pid)
                .one(&self.db)
                .await?
                .is_none()
            {
                return Err(ValidationError::field("parentId", "no such department").into());
            }
        }
        if let Some(rid) = input.region_id
            && region::Entity::find_by_id(rid)
                .one(&self.db)
                .await?
                .is_none()
        {
            return Err(ValidationError::field("regionId", "no such region").into());
        }
        Ok(())
    }

    fn department_active(input: DepartmentInput) -> department::ActiveModel {
        let cats: Vec<&str> = input
            .supervised_categories
            .iter()
            .map(|c| c.code())
            .collect();
        department::ActiveModel {
            parent_id: Set(input.parent_id),
            name: Set(input.name),
            kind: Set(input.kind.code().into()),
            region_id: Set(input.region_id),
            supervised_categories: Set(serde_json::to_string(&cats).unwrap_or_else(|_| "[]".into())),
            industry_codes: Set(
                serde_json::to_string(&input.industry_codes).unwrap_or_else(|_| "[]".into())
            ),
            leader: Set(input.leader),
            phone: Set(input.phone),
            status: Set(input.status.code().into()),
            sort: Set(input.sort),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
    }

    /// Creates a department.
    ///
    /// # Errors
    /// Field errors on `parentId`, `regionId` (missing), `name` (duplicate).
    pub async fn create_department(&self, input: DepartmentInput) -> Result<department::Model> {
        self.check_department_refs(None, &input).await?;
        let mut active = Self::department_active(input);
        active.created_at = active.updated_at.clone();
        active
            .insert(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "name", "a department with this name already exists"))
    }

    /// Updates a department.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_department(
        &self,
        id: i64,
        input: DepartmentInput,
    ) -> Result<department::Model> {
        self.get_department(id).await?;
        self.check_department_refs(Some(id), &input).await?;
        let mut active = Self::department_active(input);
        active.id = sea_orm::Unchanged(id);
        active
            .update(&self.db)
            .await
            .map_err(|e| unique_as_field(e, "name", "a department with this name already exists"))
    }

    /// Deletes a department nobody references.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` when it is still in use.
    pub async fn delete_department(&self, id: i64) -> Result<()> {
        self.get_department(id).await?;
        let refs = enterprise::Entity::find()
            .filter(enterprise::Column::DepartmentId.eq(id))
            .count(&self.db)
            .await?
            + user::Entity::find()
                .filter(user::Column::DepartmentId.eq(id))
                .count(&self.db)
                .await?
            + department::Entity::find()
                .filter(department::Column::ParentId.eq(id))
                .count(&self.db)
                .await?;
        if refs > 0 {
            return Err(ValidationError::field(
                "id",
                format!("department is referenced by {refs} records"),
            )
            .into());
        }
        department::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    // ---------------------------------------------------------------- enterprises

    fn enterprise_query(
        filter: &EnterpriseFilter,
        scope: &ScopeFilter,
    ) -> sea_orm::Select<enterprise::Entity> {
        let mut q = enterprise::Entity::find().filter(enterprise_scope(scope));
        if let Some(n) = filter
            .name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            q = q.filter(crate::like_literal(enterprise::Column::Name, n, false));
        }
        if let Some(u) = filter
            .uscc
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            q = q.filter(crate::like_literal(enterprise::Column::Uscc, u, true));
        }
        if let Some(c) = &filter.supervision_category {
            q = q.filter(enterprise::Column::SupervisionCategory.eq(c.as_str()));
        }
        if let Some(s) = &filter.status {
            q = q.filter(enterprise::Column::Status.eq(s.as_str()));
        }
        if let Some(d) = filter.department_id {
            q = q.filter(enterprise::Column::DepartmentId.eq(d));
        }
        q
    }

    /// Lists enterprises the caller may see, filtered and paged, newest first.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn list_enterprises(
        &self,
        filter: &EnterpriseFilter,
        scope: &ScopeFilter,
        page: Page,
    ) -> Result<PageOf<enterprise::Model>> {
        let q = self.scoped_enterprises(filter, scope).await?;
        let total = q.clone().count(&self.db).await?;
        let rows = q
            .order_by_desc(enterprise::Column::Id)
            .offset(page.offset())
            .limit(page.size)
            .all(&self.db)
            .await?;
        Ok(PageOf { total, rows })
    }

    /// Every enterprise matching the filter and scope (for export), in id order, at most `limit`.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn all_enterprises(
        &self,
        filter: &EnterpriseFilter,
        scope: &ScopeFilter,
        limit: u64,
    ) -> Result<Vec<enterprise::Model>> {
        let q = self.scoped_enterprises(filter, scope).await?;
        Ok(q.order_by_asc(enterprise::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    async fn scoped_enterprises(
        &self,
        filter: &EnterpriseFilter,
        scope: &ScopeFilter,
    ) -> Result<sea_orm::Select<enterprise::Entity>> {
        let mut q = Self::enterprise_query(filter, scope);
        if let Some(r) = filter.region_id {
            match region::Entity::find_by_id(r).one(&self.db).await? {
                Some(reg) => {
                    q = q.filter(
                        enterprise::Column::RegionId.in_subquery(region_subtree_ids(&reg.path)),
                    )
                }
                None => q = q.filter(enterprise::Column::Id.lt(0)),
            }
        }
        Ok(q)
    }

    /// One enterprise, if the caller's scope includes it (else [`StoreError::NotFound`], revealing
    /// nothing about whether it exists).
    ///
    /// # Errors
    /// [`StoreError::NotFound`], [`StoreError::Db`].
    pub async fn get_enterprise(&self, id: i64, scope: &ScopeFilter) -> Result<enterprise::Model> {
        enterprise::Entity::find_by_id(id)
            .filter(enterprise_scope(scope))
            .one(&self.db)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Which of `codes` (normalised credit codes) already belong to an enterprise, regardless of
    /// scope (uniqueness is city-wide). Queried in batches of 500.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn existing_usccs(
        &self,
        codes: &[String],
    ) -> Result<std::collections::HashSet<String>> {
        let mut found = std::collections::HashSet::new();
        for chunk in codes.chunks(500) {
            let rows: Vec<String> = enterprise::Entity::find()
                .select_only()
                .column(enterprise::Column::Uscc)
                .filter(enterprise::Column::Uscc.is_in(chunk.to_vec()))
                .into_tuple()
                .all(&self.db)
                .await?;
            found.extend(rows);
        }
        Ok(found)
    }

    async fn check_enterprise_refs<C: sea_orm::ConnectionTrait>(
        db: &C,
        d: &EnterpriseDraft,
    ) -> Result<()> {
        let mut fields = anjian_domain::FieldErrors::new();
        if region::Entity::find_by_id(d.region_id)
            .one(db)
            .await?
            .is_none()
        {
            fields.insert("regionId".into(), "no such region".into());
        }
        if let Some(dep) = d.department_id
            && department::Entity::find_by_id(dep).one(db).await?.is_none()
        {
            fields.insert("departmentId".into(), "no such department".into());
        }
        if fields.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { fields }.into())
        }
    }

    fn enterprise_active(d: EnterpriseDraft) -> enterprise::ActiveModel {
        enterprise::ActiveModel {
            name: Set(d.name),
            uscc: Set(d.uscc.as_str().to_owned()),
            address: Set(d.address),
            longitude: Set(d.longitude),
            latitude: Set(d.latitude),
            industry_code: Set(d.industry_code),
            supervision_category: Set(d.supervision_category.code().into()),
            scale: Set(d.scale.code().into()),
            employee_count: Set(d.employee_count),
            principal_name: Set(d.principal_name),
            principal_phone: Set(d.principal_phone),
            safety_manager_name: Set(d.safety_manager_name),
            safety_manager_phone: Set(d.safety_manager_phone),
            contact_phone: Set(d.contact_phone),
            department_id: Set(d.department_id),
            region_id: Set(d.region_id),
            status: Set(d.status.code().into()),
            remark: Set(d.remark),
            updated_at: Set(Utc::now()),
            ..Default::default()
        }
    }

    /// Creates an enterprise.
    ///
    /// # Errors
    /// Field errors on `uscc` (duplicate), `regionId`, `departmentId` (missing rows).
    pub async fn create_enterprise(
        &self,
        d: EnterpriseDraft,
        created_by: Option<i64>,
    ) -> Result<enterprise::Model> {
        Self::insert_enterprise(&self.db, d, created_by).await
    }

    async fn insert_enterprise<C: sea_orm::ConnectionTrait>(
        db: &C,
        d: EnterpriseDraft,
        created_by: Option<i64>,
    ) -> Result<enterprise::Model> {
        Self::check_enterprise_refs(db, &d).await?;
        let mut active = Self::enterprise_active(d);
        active.created_by = Set(created_by);
        active.created_at = active.updated_at.clone();
        active.insert(db).await.map_err(|e| {
            unique_as_field(
                e,
                "uscc",
                "an enterprise with this credit code already exists",
            )
        })
    }

    /// Creates many enterprises in one transaction: all are stored or none.
    ///
    /// # Errors
    /// The first failure, prefixed with nothing; the transaction is rolled back.
    pub async fn create_enterprises(
        &self,
        drafts: Vec<EnterpriseDraft>,
        created_by: Option<i64>,
    ) -> Result<u64> {
        let txn = self.db.begin().await?;
        let mut n = 0;
        for d in drafts {
            Self::insert_enterprise(&txn, d, created_by).await?;
            n += 1;
        }
        txn.commit().await?;
        Ok(n)
    }

    /// Replaces an enterprise's fields, if the caller's scope includes it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; field errors as for create.
    pub async fn update_enterprise(
        &self,
        id: i64,
        d: EnterpriseDraft,
        scope: &ScopeFilter,
    ) -> Result<enterprise::Model> {
        self.get_enterprise(id, scope).await?;
        Self::check_enterprise_refs(&self.db, &d).await?;
        let mut active = Self::enterprise_active(d);
        active.id = sea_orm::Unchanged(id);
        active.update(&self.db).await.map_err(|e| {
            unique_as_field(
                e,
                "uscc",
                "an enterprise with this credit code already exists",
            )
        })
    }

    /// Deletes an enterprise, if the caller's scope includes it and no account, device, sensor
    /// or alarm group belongs to it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; a field error on `id` when accounts or monitoring equipment still
    /// belong to it.
    pub async fn delete_enterprise(&self, id: i64, scope: &ScopeFilter) -> Result<()> {
        self.get_enterprise(id, scope).await?;
        let users = user::Entity::find()
            .filter(user::Column::EnterpriseId.eq(id))
            .count(&self.db)
            .await?;
        if users > 0 {
            return Err(ValidationError::field(
                "id",
                format!("{users} user accounts belong to this enterprise"),
            )
            .into());
        }
        let devices = crate::entities::device::Entity::find()
            .filter(crate::entities::device::Column::EnterpriseId.eq(id))
            .count(&self.db)
            .await?;
        let sensors = crate::entities::sensor::Entity::find()
            .filter(crate::entities::sensor::Column::EnterpriseId.eq(id))
            .count(&self.db)
            .await?;
        let groups = crate::entities::alarm_group::Entity::find()
            .filter(crate::entities::alarm_group::Column::EnterpriseId.eq(id))
            .count(&self.db)
            .await?;
        if devices + sensors + groups > 0 {
            return Err(ValidationError::field(
                "id",
                format!(
                    "monitoring equipment belongs to this enterprise ({devices} devices, {sensors} sensors, {groups} alarm groups)"
                ),
            )
            .into());
        }
        enterprise::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Counts of enterprises the caller may see, grouped by supervision category and by district
    /// (top-level region id), for the home page.
    ///
    /// # Errors
    /// [`StoreError::Db`].
    pub async fn enterprise_counts(
        &self,
        scope: &ScopeFilter,
    ) -> Result<(Vec<(String, i64)>, Vec<(i64, i64)>)> {
        let by_category: Vec<(String, i64)> = enterprise::Entity::find()
            .filter(enterprise_scope(scope))
            .select_only()
            .column(enterprise::Column::SupervisionCategory)
            .column_as(enterprise::Column::Id.count(), "n")
            .group_by(enterprise::Column::SupervisionCategory)
            .into_tuple()
            .all(&self.db)
            .await?;
        let by_region: Vec<(i64, i64)> = enterprise::Entity::find()
            .filter(enterprise_scope(scope))
            .select_only()
            .column(enterprise::Column::RegionId)
            .column_as(enterprise::Column::Id.count(), "n")
            .group_by(enterprise::Column::RegionId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok((by_category, by_region))
    }
}
