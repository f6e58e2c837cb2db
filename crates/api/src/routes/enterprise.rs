//! The enterprise registry (企业档案) and dossier (一企一档): CRUD within the caller's data scope,
//! statistics for the home page, and spreadsheet import / export.

use super::accounts::UserDto;
use super::org::{DepartmentDto, RegionDto};
use super::{PageQuery, PageResult};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::excel::{self, RowError, SheetError};
use crate::extract::{ApiJson, ApiQuery, Id};
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::SupervisionCategory;
use anjian_store::{Enterprise, EnterpriseFilter};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Most rows one export may hold.
pub const EXPORT_MAX_ROWS: u64 = 100_000;

/// An enterprise as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseDto {
    /// Id.
    pub id: i64,
    /// Registered name.
    pub name: String,
    /// Unified social credit code (18 characters).
    pub uscc: String,
    /// Address.
    pub address: String,
    /// WGS-84 longitude, degrees.
    pub longitude: Option<f64>,
    /// WGS-84 latitude, degrees.
    pub latitude: Option<f64>,
    /// GB/T 4754-2017 industry code.
    pub industry_code: String,
    /// Supervision category code.
    pub supervision_category: String,
    /// Scale code.
    pub scale: String,
    /// Employees.
    pub employee_count: i32,
    /// Principal person in charge.
    pub principal_name: String,
    /// Principal's phone.
    pub principal_phone: Option<String>,
    /// Safety manager.
    pub safety_manager_name: Option<String>,
    /// Safety manager's phone.
    pub safety_manager_phone: Option<String>,
    /// Contact phone.
    pub contact_phone: Option<String>,
    /// Supervising department.
    pub department_id: Option<i64>,
    /// Region.
    pub region_id: i64,
    /// Status code.
    pub status: String,
    /// Remark.
    pub remark: Option<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Enterprise> for EnterpriseDto {
    fn from(e: Enterprise) -> Self {
        Self {
            id: e.id,
            name: e.name,
            uscc: e.uscc,
            address: e.address,
            longitude: e.longitude,
            latitude: e.latitude,
            industry_code: e.industry_code,
            supervision_category: e.supervision_category,
            scale: e.scale,
            employee_count: e.employee_count,
            principal_name: e.principal_name,
            principal_phone: e.principal_phone,
            safety_manager_name: e.safety_manager_name,
            safety_manager_phone: e.safety_manager_phone,
            contact_phone: e.contact_phone,
            department_id: e.department_id,
            region_id: e.region_id,
            status: e.status,
            remark: e.remark,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// Enterprise list filters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct EnterpriseQuery {
    /// Page number (1-based).
    #[param(minimum = 1)]
    pub page_num: Option<u64>,
    /// Page size (1..=500).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
    /// Substring of the name.
    pub name: Option<String>,
    /// Prefix of the credit code.
    pub uscc: Option<String>,
    /// Supervision category code.
    pub supervision_category: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Region: that region and everything under it.
    pub region_id: Option<i64>,
    /// Supervising department.
    pub department_id: Option<i64>,
    /// Export format: `xlsx` (default) or `csv` (export only).
    pub format: Option<String>,
}

impl EnterpriseQuery {
    fn filter(&self) -> Result<EnterpriseFilter, ApiError> {
        if let Some(c) = &self.supervision_category
            && SupervisionCategory::parse(c).is_none()
        {
            return Err(ApiError::invalid(
                "supervisionCategory",
                SupervisionCategory::expected(),
            ));
        }
        if let Some(st) = &self.status
            && anjian_domain::org::EnterpriseStatus::parse(st).is_none()
        {
            return Err(ApiError::invalid(
                "status",
                anjian_domain::org::EnterpriseStatus::expected(),
            ));
        }
        let len_ok = |v: &Option<String>| v.as_ref().is_none_or(|s| s.chars().count() <= 200);
        if !len_ok(&self.name) || !len_ok(&self.uscc) {
            return Err(ApiError::invalid(
                "name",
                "filters are at most 200 characters",
            ));
        }
        Ok(EnterpriseFilter {
            name: self.name.clone(),
            uscc: self.uscc.clone(),
            supervision_category: self
                .supervision_category
                .as_ref()
                .and_then(|c| SupervisionCategory::parse(c))
                .map(|c| c.code().to_owned()),
            status: self
                .status
                .as_ref()
                .and_then(|c| anjian_domain::org::EnterpriseStatus::parse(c))
                .map(|c| c.code().to_owned()),
            region_id: self.region_id,
            department_id: self.department_id,
        })
    }
}

/// List enterprises within the caller's data scope.
#[utoipa::path(get, path = "/api/enterprises", tag = "enterprise", security(("bearer" = [])), params(EnterpriseQuery),
    responses((status = 200, body = PageResult<EnterpriseDto>), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<Json<PageResult<EnterpriseDto>>> {
    me.require("enterprise:list")?;
    let page = PageQuery {
        page_num: q.page_num,
        page_size: q.page_size,
    }
    .page()?;
    let p = s
        .store
        .list_enterprises(&q.filter()?, &me.scope, page)
        .await?;
    Ok(Json(PageResult::from_page(p, Into::into)))
}

/// Create an enterprise. The credit code's check character is verified (GB 32100-2015).
#[utoipa::path(post, path = "/api/enterprises", tag = "enterprise", security(("bearer" = [])), request_body = EnterpriseInput,
    responses((status = 201, body = EnterpriseDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<EnterpriseInput>,
) -> ApiResult<(StatusCode, Json<EnterpriseDto>)> {
    me.require("enterprise:add")?;
    let draft = b.validate()?;
    check_region_in_scope(&s, &me, draft.region_id).await?;
    let e = s.store.create_enterprise(draft, Some(me.user.id)).await?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

/// A caller limited to a region subtree may only place enterprises inside it; one limited to a
/// department or an enterprise may not create enterprises at all except through an administrator.
async fn check_region_in_scope(s: &AppState, me: &CurrentUser, region_id: i64) -> ApiResult<()> {
    if me.scope.is_all() {
        return Ok(());
    }
    let path = s.store.get_region(region_id).await.ok().map(|r| r.path);
    region_path_in_scope(me, path.as_deref())
}

/// The rule behind [`check_region_in_scope`], given the target region's materialised path
/// (`None` when the region does not exist).
fn region_path_in_scope(me: &CurrentUser, region_path: Option<&str>) -> ApiResult<()> {
    use anjian_domain::auth::DataScope;
    if me.scope.is_all() || !me.scope.scopes.contains(&DataScope::RegionSubtree) {
        return Ok(());
    }
    match (&me.scope.region_path, region_path) {
        (Some(mine), Some(target)) if target.starts_with(mine.as_str()) => Ok(()),
        _ => Err(ApiError::invalid(
            "regionId",
            "outside the regions you supervise",
        )),
    }
}

/// Fields that only the supervising authority sets: an enterprise's own staff (whose data scope is
/// their enterprise, their department's list, or themselves) may edit the dossier's contact and
/// operating details but not its identity, jurisdiction, category or supervision status.
fn check_regulator_fields(
    me: &CurrentUser,
    current: &Enterprise,
    draft: &anjian_domain::enterprise::EnterpriseDraft,
) -> ApiResult<()> {
    use anjian_domain::auth::DataScope;
    let regulator = me
        .scope
        .scopes
        .iter()
        .any(|s| matches!(s, DataScope::All | DataScope::RegionSubtree));
    if regulator {
        return Ok(());
    }
    let mut c = anjian_domain::validation::Checker::new();
    let msg = "只能由监管部门修改 / may only be changed by the supervising authority";
    if draft.uscc.as_str() != current.uscc {
        c.add("uscc", msg);
    }
    if draft.region_id != current.region_id {
        c.add("regionId", msg);
    }
    if draft.department_id != current.department_id {
        c.add("departmentId", msg);
    }
    if draft.supervision_category.code() != current.supervision_category {
        c.add("supervisionCategory", msg);
    }
    if draft.status.code() != current.status {
        c.add("status", msg);
    }
    Ok(c.finish()?)
}

/// One enterprise (404 when outside the caller's data scope).
#[utoipa::path(get, path = "/api/enterprises/{id}", tag = "enterprise", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = EnterpriseDto), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<EnterpriseDto>> {
    me.require("enterprise:query")?;
    Ok(Json(s.store.get_enterprise(id, &me.scope).await?.into()))
}

/// Replace an enterprise's fields.
#[utoipa::path(put, path = "/api/enterprises/{id}", tag = "enterprise", security(("bearer" = [])), params(("id" = i64, Path)), request_body = EnterpriseInput,
    responses((status = 200, body = EnterpriseDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<EnterpriseInput>,
) -> ApiResult<Json<EnterpriseDto>> {
    me.require("enterprise:edit")?;
    // Scope first: an id outside the scope is 404 whatever the body holds.
    let current = s.store.get_enterprise(id, &me.scope).await?;
    let draft = b.validate()?;
    if draft.region_id != current.region_id {
        check_region_in_scope(&s, &me, draft.region_id).await?;
    }
    check_regulator_fields(&me, &current, &draft)?;
    Ok(Json(
        s.store
            .update_enterprise(id, draft, &me.scope)
            .await?
            .into(),
    ))
}

/// Delete an enterprise.
#[utoipa::path(delete, path = "/api/enterprises/{id}", tag = "enterprise", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("enterprise:remove")?;
    s.store.delete_enterprise(id, &me.scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything about one enterprise (一企一档). Later modules (risks, hidden dangers,
/// installations, sensors, alarms, accidents, enforcement, training) add their sections here.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Dossier {
    /// The enterprise.
    pub enterprise: EnterpriseDto,
    /// Its region and the regions above it, from the district down.
    pub region_path: Vec<RegionDto>,
    /// The supervising department.
    pub department: Option<DepartmentDto>,
    /// Accounts belonging to the enterprise.
    pub accounts: Vec<UserDto>,
}

/// The enterprise dossier.
#[utoipa::path(get, path = "/api/enterprises/{id}/dossier", tag = "enterprise", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Dossier), (status = 404, body = ErrorBody)))]
pub async fn dossier(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<Json<Dossier>> {
    me.require("enterprise:query")?;
    let e = s.store.get_enterprise(id, &me.scope).await?;
    let region = s.store.get_region(e.region_id).await?;
    let mut region_path = Vec::new();
    for part in region.path.split('/').filter(|p| !p.is_empty()) {
        if let Ok(rid) = part.parse::<i64>() {
            region_path.push(s.store.get_region(rid).await?.into());
        }
    }
    let department = match e.department_id {
        Some(d) => Some(s.store.get_department(d).await?.into()),
        None => None,
    };
    let users = s.store.users_of_enterprise(id).await?;
    let mut roles = s
        .store
        .role_ids_of_users(&users.iter().map(|u| u.id).collect::<Vec<_>>())
        .await?;
    let accounts = users
        .into_iter()
        .map(|u| {
            let r = roles.remove(&u.id).unwrap_or_default();
            UserDto::from_row(u, r)
        })
        .collect();
    Ok(Json(Dossier {
        enterprise: e.into(),
        region_path,
        department,
        accounts,
    }))
}

/// A count under a label.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    /// Code (category) or region id.
    pub key: String,
    /// Label shown.
    pub label: String,
    /// Enterprises.
    pub count: i64,
}

/// Enterprise counts for the home page, within the caller's data scope.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseStats {
    /// Enterprises in scope.
    pub total: i64,
    /// By supervision category.
    pub by_category: Vec<Count>,
    /// By district (top-level region).
    pub by_district: Vec<Count>,
}

/// Counts by category and by district.
#[utoipa::path(get, path = "/api/enterprises/stats", tag = "enterprise", security(("bearer" = [])),
    responses((status = 200, body = EnterpriseStats), (status = 403, body = ErrorBody)))]
pub async fn stats(State(s): State<AppState>, me: CurrentUser) -> ApiResult<Json<EnterpriseStats>> {
    me.require("enterprise:list")?;
    let (cats, regions) = s.store.enterprise_counts(&me.scope).await?;
    let all_regions = s.store.list_regions().await?;
    let by_category = cats
        .into_iter()
        .map(|(code, n)| Count {
            label: SupervisionCategory::parse(&code)
                .map(|c| c.label().to_owned())
                .unwrap_or_else(|| code.clone()),
            key: code,
            count: n,
        })
        .collect();
    let mut districts: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (rid, n) in &regions {
        let top = all_regions
            .iter()
            .find(|r| r.id == *rid)
            .and_then(|r| {
                r.path
                    .split('/')
                    .find(|p| !p.is_empty())
                    .and_then(|p| p.parse::<i64>().ok())
            })
            .unwrap_or(*rid);
        *districts.entry(top).or_default() += n;
    }
    let by_district = districts
        .into_iter()
        .map(|(id, n)| Count {
            key: id.to_string(),
            label: all_regions
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            count: n,
        })
        .collect();
    Ok(Json(EnterpriseStats {
        total: regions.iter().map(|r| r.1).sum(),
        by_category,
        by_district,
    }))
}

fn file_response(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    attachment(bytes, content_type, "enterprises", filename)
}

/// A file download: `content_type`, and a `Content-Disposition` naming the file `filename` with
/// the ASCII fallback `{ascii_base}.{extension}`.
pub(crate) fn attachment(
    bytes: Vec<u8>,
    content_type: &'static str,
    ascii_base: &str,
    filename: &str,
) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // RFC 6266 / 5987: an ASCII fallback and the UTF-8 name.
    let disposition = format!(
        "attachment; filename=\"{ascii_base}.{}\"; filename*=UTF-8''{}",
        filename.rsplit('.').next().unwrap_or("bin"),
        utf8_percent(filename)
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn utf8_percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The import template (xlsx), with an example row and a sheet of accepted values.
#[utoipa::path(get, path = "/api/enterprises/import-template", tag = "enterprise", security(("bearer" = [])),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
pub async fn import_template(State(s): State<AppState>, me: CurrentUser) -> ApiResult<Response> {
    me.require("enterprise:import")?;
    let regions = s.store.list_regions().await?;
    let bytes = excel::template(&regions).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(file_response(bytes, XLSX, "企业导入模板.xlsx"))
}

/// Export the filtered list as xlsx (default) or CSV with a UTF-8 BOM (`format=csv`).
#[utoipa::path(get, path = "/api/enterprises/export", tag = "enterprise", security(("bearer" = [])), params(EnterpriseQuery),
    responses((status = 200, description = "xlsx or CSV file"), (status = 422, body = ErrorBody)))]
pub async fn export(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<EnterpriseQuery>,
) -> ApiResult<Response> {
    me.require("enterprise:export")?;
    let format = q.format.clone().unwrap_or_else(|| "xlsx".into());
    if format != "xlsx" && format != "csv" {
        return Err(ApiError::invalid("format", "must be xlsx or csv"));
    }
    let rows = s
        .store
        .all_enterprises(&q.filter()?, &me.scope, EXPORT_MAX_ROWS)
        .await?;
    let regions = s.store.list_regions().await?;
    let departments = s.store.list_departments().await?;
    let values: Vec<Vec<String>> = rows
        .iter()
        .map(|e| excel::row_values(e, &regions, &departments))
        .collect();
    if format == "csv" {
        let bytes = excel::export_csv(&values).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(file_response(
            bytes,
            "text/csv; charset=utf-8",
            "企业列表.csv",
        ))
    } else {
        let bytes = excel::export_xlsx(&values).map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(file_response(bytes, XLSX, "企业列表.xlsx"))
    }
}

/// Import options.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `false` (default): store nothing unless every row is valid. `true`: store the valid rows
    /// and report the bad ones ("import the valid rows").
    #[serde(default)]
    pub import_valid: bool,
    /// `true`: check only, store nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The outcome of an import.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    /// `ok` when every row was valid; `validation` when some were not.
    pub code: &'static str,
    /// Summary.
    pub message: String,
    /// Data rows read (blank lines skipped).
    pub total_rows: usize,
    /// Rows that passed every check.
    pub valid_rows: usize,
    /// Rows stored.
    pub imported: u64,
    /// Every problem: row, column, reason.
    pub errors: Vec<RowError>,
}

/// Import enterprises from an xlsx (the template's columns), sent as the raw body or as the `file`
/// field of a multipart form. Every bad row is reported with its row number, column and reason;
/// nothing is stored unless all rows are valid or `importValid=true`. Up to 10 MiB, 20,000 rows.
#[utoipa::path(post, path = "/api/enterprises/import", tag = "enterprise", security(("bearer" = [])), params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the workbook"),
    responses((status = 200, body = ImportReport, description = "rows stored"), (status = 422, body = ImportReport, description = "bad rows, nothing or only the valid rows stored"),
        (status = 400, body = ErrorBody), (status = 413, body = ErrorBody)))]
pub async fn import(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiQuery(q): ApiQuery<ImportQuery>,
    req: Request,
) -> ApiResult<Response> {
    me.require("enterprise:import")?;
    let bytes = read_upload(req, &s).await?;
    let regions = s.store.list_regions().await?;
    let departments = s.store.list_departments().await?;
    let parsed = excel::parse_workbook(&bytes, &regions, &departments).map_err(|e| match e {
        SheetError::TooManyRows => ApiError::invalid("file", e.to_string()),
        other => ApiError::bad_field("file", other.to_string()),
    })?;
    // One query for the credit codes that already exist; regions were loaded above.
    let codes: Vec<String> = parsed
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|d| d.uscc.as_str().to_owned()))
        .collect();
    let existing = s.store.existing_usccs(&codes).await?;
    let region_path = |id: i64| regions.iter().find(|r| r.id == id).map(|r| r.path.as_str());
    let mut errors: Vec<RowError> = Vec::new();
    let mut good = Vec::new();
    for row in parsed.iter() {
        match &row.result {
            Ok(d) => {
                let mut row_errors = Vec::new();
                if existing.contains(d.uscc.as_str()) {
                    row_errors.push(RowError {
                        row: row.row,
                        column: "统一社会信用代码".into(),
                        field: "uscc".into(),
                        message: "an enterprise with this credit code already exists".into(),
                    });
                }
                if let Err(ApiError::Validation(f)) =
                    region_path_in_scope(&me, region_path(d.region_id))
                {
                    for (field, message) in f {
                        row_errors.push(RowError {
                            row: row.row,
                            column: "所属区域编码".into(),
                            field,
                            message,
                        });
                    }
                }
                if row_errors.is_empty() {
                    good.push(d.clone());
                } else {
                    errors.extend(row_errors);
                }
            }
            Err(e) => errors.extend(e.iter().cloned()),
        }
    }
    let valid_rows = good.len();
    let store_now = !q.dry_run && (errors.is_empty() || q.import_valid) && !good.is_empty();
    let imported = if store_now {
        s.store.create_enterprises(good, Some(me.user.id)).await?
    } else {
        0
    };
    Ok(import_response(parsed.len(), valid_rows, imported, errors))
}

/// The import report and its status: 200 when every row was valid or some rows were stored,
/// else 422.
pub(crate) fn import_response(
    total_rows: usize,
    valid_rows: usize,
    imported: u64,
    errors: Vec<RowError>,
) -> Response {
    let bad_rows = {
        let mut r: Vec<usize> = errors.iter().map(|e| e.row).collect();
        r.dedup();
        r.len()
    };
    let report = ImportReport {
        code: if errors.is_empty() {
            "ok"
        } else {
            "validation"
        },
        message: if errors.is_empty() {
            format!(
                "{total_rows} 行全部有效，已导入 {imported} 行 / all {total_rows} rows valid, {imported} imported"
            )
        } else if imported > 0 {
            format!(
                "{bad_rows} 行有误，已导入其余 {imported} 行 / {bad_rows} bad rows; the {imported} valid rows were imported"
            )
        } else {
            format!("{bad_rows} 行有误，未导入任何数据 / {bad_rows} bad rows; nothing was imported")
        },
        total_rows,
        valid_rows,
        imported,
        errors,
    };
    let status = if report.errors.is_empty() || report.imported > 0 {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (status, Json(report)).into_response()
}

/// The uploaded file: the `file` field of a multipart form, or the raw body.
pub(crate) async fn read_upload(req: Request, s: &AppState) -> ApiResult<Bytes> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if ct.starts_with("multipart/form-data") {
        let mut mp = axum::extract::Multipart::from_request(req, s)
            .await
            .map_err(|e| ApiError::bad_field("file", e.body_text()))?;
        while let Some(field) = mp.next_field().await.map_err(|e| match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(excel::IMPORT_LIMIT),
            _ => ApiError::bad_field("file", e.body_text()),
        })? {
            if field.name() == Some("file") {
                return field
                    .bytes()
                    .await
                    .map_err(|_| ApiError::PayloadTooLarge(excel::IMPORT_LIMIT));
            }
        }
        Err(ApiError::bad_field(
            "file",
            "is required (multipart field 'file')",
        ))
    } else {
        let bytes = Bytes::from_request(req, s)
            .await
            .map_err(|_| ApiError::PayloadTooLarge(excel::IMPORT_LIMIT))?;
        if bytes.is_empty() {
            return Err(ApiError::bad_field("file", "is required"));
        }
        Ok(bytes)
    }
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(stats))
        .routes(routes!(import_template))
        .routes(routes!(export))
        .routes(routes!(get, update, delete))
        .routes(routes!(dossier))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(import))
                .layer(axum::extract::DefaultBodyLimit::max(excel::IMPORT_LIMIT)),
        )
}
