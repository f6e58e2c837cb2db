//! Regions (district → street → grid) and supervising departments.

use super::PageResult;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Id};
use anjian_domain::industry::normalise_industry_code;
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel, SupervisionCategory};
use anjian_domain::validation::Checker;
use anjian_store::{Department, DepartmentInput, Region, RegionInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A region.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegionDto {
    /// Id.
    pub id: i64,
    /// Parent (none for a district).
    pub parent_id: Option<i64>,
    /// Code (unique).
    pub code: String,
    /// Name.
    pub name: String,
    /// `district`, `street` or `grid`.
    pub level: String,
    /// Materialised path of ids, e.g. `/1/4/`.
    pub path: String,
    /// Order among siblings.
    pub sort: i32,
    /// Children (only in the tree response).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(no_recursion)]
    pub children: Option<Vec<RegionDto>>,
}

impl From<Region> for RegionDto {
    fn from(r: Region) -> Self {
        Self {
            id: r.id,
            parent_id: r.parent_id,
            code: r.code,
            name: r.name,
            level: r.level,
            path: r.path,
            sort: r.sort,
            children: None,
        }
    }
}

/// A region as created or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegionBody {
    /// Parent region (omit for a district).
    pub parent_id: Option<i64>,
    /// Code: 1–32 letters and digits (GB/T 2260 for districts).
    pub code: String,
    /// Name.
    pub name: String,
    /// Level, which must fit under the parent: district at the top, street under a district, grid under a street.
    pub level: RegionLevel,
    /// Order.
    #[serde(default)]
    pub sort: i32,
}

impl RegionBody {
    fn validate(self) -> Result<RegionInput, ApiError> {
        let mut c = Checker::new();
        let code = self.code.trim().to_owned();
        if code.is_empty() || code.len() > 32 || !code.chars().all(|ch| ch.is_ascii_alphanumeric())
        {
            c.add("code", "must be 1-32 letters or digits");
        }
        c.required_text("name", &self.name, 100);
        c.finish()?;
        Ok(RegionInput {
            parent_id: self.parent_id,
            code,
            name: self.name.trim().to_owned(),
            level: self.level,
            sort: self.sort,
        })
    }
}

/// The region tree: districts with their streets and grids.
pub fn region_tree(rows: Vec<Region>) -> Vec<RegionDto> {
    fn build(all: &[Region], parent: Option<i64>) -> Vec<RegionDto> {
        all.iter()
            .filter(|r| r.parent_id == parent)
            .map(|r| {
                let mut d = RegionDto::from(r.clone());
                d.children = Some(build(all, Some(r.id)));
                d
            })
            .collect()
    }
    build(&rows, None)
}

/// Every region as a tree (no paging: a city has hundreds, not millions).
#[utoipa::path(get, path = "/api/regions", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = Vec<RegionDto>), (status = 403, body = ErrorBody)))]
pub async fn list_regions(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<Vec<RegionDto>>> {
    me.require("system:region:list")?;
    Ok(Json(region_tree(s.store.list_regions().await?)))
}

/// One region.
#[utoipa::path(get, path = "/api/regions/{id}", tag = "org", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = RegionDto), (status = 404, body = ErrorBody)))]
pub async fn get_region(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<RegionDto>> {
    me.require("system:region:query")?;
    Ok(Json(s.store.get_region(id).await?.into()))
}

/// Create a region.
#[utoipa::path(post, path = "/api/regions", tag = "org", security(("bearer" = [])), request_body = RegionBody,
    responses((status = 201, body = RegionDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_region(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<RegionBody>,
) -> ApiResult<(StatusCode, Json<RegionDto>)> {
    me.require("system:region:add")?;
    let r = s.store.create_region(b.validate()?).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// Rename or re-sort a region (moving it is refused).
#[utoipa::path(put, path = "/api/regions/{id}", tag = "org", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RegionBody,
    responses((status = 200, body = RegionDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_region(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<RegionBody>,
) -> ApiResult<Json<RegionDto>> {
    me.require("system:region:edit")?;
    Ok(Json(s.store.update_region(id, b.validate()?).await?.into()))
}

/// Delete an unused region.
#[utoipa::path(delete, path = "/api/regions/{id}", tag = "org", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_region(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:region:remove")?;
    s.store.delete_region(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A supervising department.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentDto {
    /// Id.
    pub id: i64,
    /// Parent department.
    pub parent_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Kind code (dictionary `department_kind`).
    pub kind: String,
    /// Region covered (none = the whole city).
    pub region_id: Option<i64>,
    /// Supervision categories it is responsible for.
    pub supervised_categories: Vec<String>,
    /// GB/T 4754 industry codes it supervises.
    pub industry_codes: Vec<String>,
    /// Head.
    pub leader: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// `active` / `disabled`.
    pub status: String,
    /// Order.
    pub sort: i32,
}

impl From<Department> for DepartmentDto {
    fn from(d: Department) -> Self {
        Self {
            id: d.id,
            parent_id: d.parent_id,
            name: d.name,
            kind: d.kind,
            region_id: d.region_id,
            supervised_categories: serde_json::from_str(&d.supervised_categories)
                .unwrap_or_default(),
            industry_codes: serde_json::from_str(&d.industry_codes).unwrap_or_default(),
            leader: d.leader,
            phone: d.phone,
            status: d.status,
            sort: d.sort,
        }
    }
}

/// A department as created or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DepartmentBody {
    /// Parent department.
    pub parent_id: Option<i64>,
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: DepartmentKind,
    /// Region covered.
    pub region_id: Option<i64>,
    /// Supervision categories.
    #[serde(default)]
    pub supervised_categories: Vec<SupervisionCategory>,
    /// GB/T 4754 industry codes.
    #[serde(default)]
    pub industry_codes: Vec<String>,
    /// Head.
    pub leader: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Status (default `active`).
    pub status: Option<RecordStatus>,
    /// Order.
    #[serde(default)]
    pub sort: i32,
}

impl DepartmentBody {
    fn validate(self) -> Result<DepartmentInput, ApiError> {
        let mut c = Checker::new();
        c.required_text("name", &self.name, 100);
        c.optional_text("leader", self.leader.as_deref(), 50);
        c.optional_text("phone", self.phone.as_deref(), 30);
        let mut codes = Vec::new();
        for (i, code) in self.industry_codes.iter().enumerate() {
            match normalise_industry_code(code) {
                Ok(n) => codes.push(n),
                Err(e) => c.add(&format!("industryCodes[{i}]"), e.to_string()),
            }
        }
        c.finish()?;
        Ok(DepartmentInput {
            parent_id: self.parent_id,
            name: self.name.trim().to_owned(),
            kind: self.kind,
            region_id: self.region_id,
            supervised_categories: self.supervised_categories,
            industry_codes: codes,
            leader: self.leader,
            phone: self.phone,
            status: self.status.unwrap_or(RecordStatus::Active),
            sort: self.sort,
        })
    }
}

/// Every department.
#[utoipa::path(get, path = "/api/departments", tag = "org", security(("bearer" = [])),
    responses((status = 200, body = PageResult<DepartmentDto>), (status = 403, body = ErrorBody)))]
pub async fn list_departments(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<PageResult<DepartmentDto>>> {
    me.require("system:department:list")?;
    let rows: Vec<DepartmentDto> = s
        .store
        .list_departments()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(PageResult {
        total: rows.len() as u64,
        rows,
    }))
}

/// One department.
#[utoipa::path(get, path = "/api/departments/{id}", tag = "org", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = DepartmentDto), (status = 404, body = ErrorBody)))]
pub async fn get_department(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<DepartmentDto>> {
    me.require("system:department:query")?;
    Ok(Json(s.store.get_department(id).await?.into()))
}

/// Create a department.
#[utoipa::path(post, path = "/api/departments", tag = "org", security(("bearer" = [])), request_body = DepartmentBody,
    responses((status = 201, body = DepartmentDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_department(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<DepartmentBody>,
) -> ApiResult<(StatusCode, Json<DepartmentDto>)> {
    me.require("system:department:add")?;
    let d = s.store.create_department(b.validate()?).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// Update a department.
#[utoipa::path(put, path = "/api/departments/{id}", tag = "org", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DepartmentBody,
    responses((status = 200, body = DepartmentDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_department(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<DepartmentBody>,
) -> ApiResult<Json<DepartmentDto>> {
    me.require("system:department:edit")?;
    Ok(Json(
        s.store.update_department(id, b.validate()?).await?.into(),
    ))
}

/// Delete an unreferenced department.
#[utoipa::path(delete, path = "/api/departments/{id}", tag = "org", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_department(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:department:remove")?;
    s.store.delete_department(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_regions, create_region))
        .routes(routes!(get_region, update_region, delete_region))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(
            get_department,
            update_department,
            delete_department
        ))
}
