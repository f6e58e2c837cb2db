//! Dictionaries (字典管理) and system parameters (参数设置).

use super::PageResult;
use crate::AppState;
use crate::auth::{AnyUser, CurrentUser};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Id};
use anjian_domain::validation::Checker;
use anjian_store::{DictData, DictDataInput, DictType, DictTypeInput, Param, ParamInput};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A dictionary.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DictTypeDto {
    /// Id.
    pub id: i64,
    /// Key, e.g. `supervision_category`.
    pub dict_type: String,
    /// Name.
    pub name: String,
    /// `active` / `disabled`.
    pub status: String,
    /// Built in: key and values fixed (code relies on them).
    pub builtin: bool,
    /// Remark.
    pub remark: Option<String>,
}

impl From<DictType> for DictTypeDto {
    fn from(d: DictType) -> Self {
        Self {
            id: d.id,
            dict_type: d.dict_type,
            name: d.name,
            status: d.status,
            builtin: d.builtin,
            remark: d.remark,
        }
    }
}

/// A dictionary as created or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DictTypeBody {
    /// Key: 2–64 lower-case letters, digits, `_`.
    pub dict_type: String,
    /// Name.
    pub name: String,
    /// `active` / `disabled` (default `active`).
    pub status: Option<String>,
    /// Remark.
    pub remark: Option<String>,
}

fn status_or_default(c: &mut Checker, s: Option<String>) -> String {
    let s = s.unwrap_or_else(|| "active".into());
    if s != "active" && s != "disabled" {
        c.add("status", "must be one of: active, disabled");
    }
    s
}

impl DictTypeBody {
    fn validate(self) -> Result<DictTypeInput, ApiError> {
        let mut c = Checker::new();
        if self.dict_type.len() < 2
            || self.dict_type.len() > 64
            || !self
                .dict_type
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            c.add("dictType", "must be 2-64 characters: a-z, 0-9, _");
        }
        c.required_text("name", &self.name, 100);
        c.optional_text("remark", self.remark.as_deref(), 500);
        let status = status_or_default(&mut c, self.status);
        c.finish()?;
        Ok(DictTypeInput {
            dict_type: self.dict_type,
            name: self.name.trim().to_owned(),
            status,
            remark: self.remark,
        })
    }
}

/// An entry of a dictionary.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DictDataDto {
    /// Id.
    pub id: i64,
    /// Dictionary key.
    pub dict_type: String,
    /// Label shown.
    pub label: String,
    /// Stored value.
    pub value: String,
    /// Order.
    pub sort: i32,
    /// `active` / `disabled`.
    pub status: String,
    /// Remark.
    pub remark: Option<String>,
}

impl From<DictData> for DictDataDto {
    fn from(d: DictData) -> Self {
        Self {
            id: d.id,
            dict_type: d.dict_type,
            label: d.label,
            value: d.value,
            sort: d.sort,
            status: d.status,
            remark: d.remark,
        }
    }
}

/// An entry as created or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DictDataBody {
    /// Dictionary key.
    pub dict_type: String,
    /// Label.
    pub label: String,
    /// Value (unique within the dictionary).
    pub value: String,
    /// Order.
    #[serde(default)]
    pub sort: i32,
    /// `active` / `disabled` (default `active`).
    pub status: Option<String>,
    /// Remark.
    pub remark: Option<String>,
}

impl DictDataBody {
    fn validate(self) -> Result<DictDataInput, ApiError> {
        let mut c = Checker::new();
        c.required_text("dictType", &self.dict_type, 64);
        c.required_text("label", &self.label, 100);
        c.required_text("value", &self.value, 100);
        c.optional_text("remark", self.remark.as_deref(), 500);
        let status = status_or_default(&mut c, self.status);
        c.finish()?;
        Ok(DictDataInput {
            dict_type: self.dict_type,
            label: self.label.trim().to_owned(),
            value: self.value.trim().to_owned(),
            sort: self.sort,
            status,
            remark: self.remark,
        })
    }
}

/// Every dictionary.
#[utoipa::path(get, path = "/api/dict/types", tag = "config", security(("bearer" = [])),
    responses((status = 200, body = PageResult<DictTypeDto>), (status = 403, body = ErrorBody)))]
pub async fn list_dict_types(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<PageResult<DictTypeDto>>> {
    me.require("system:dict:list")?;
    let rows: Vec<DictTypeDto> = s
        .store
        .list_dict_types()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(PageResult {
        total: rows.len() as u64,
        rows,
    }))
}

/// Create a dictionary.
#[utoipa::path(post, path = "/api/dict/types", tag = "config", security(("bearer" = [])), request_body = DictTypeBody,
    responses((status = 201, body = DictTypeDto), (status = 422, body = ErrorBody)))]
pub async fn create_dict_type(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<DictTypeBody>,
) -> ApiResult<(StatusCode, Json<DictTypeDto>)> {
    me.require("system:dict:add")?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_dict_type(b.validate()?).await?.into()),
    ))
}

/// Update a dictionary.
#[utoipa::path(put, path = "/api/dict/types/{id}", tag = "config", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DictTypeBody,
    responses((status = 200, body = DictTypeDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_dict_type(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<DictTypeBody>,
) -> ApiResult<Json<DictTypeDto>> {
    me.require("system:dict:edit")?;
    Ok(Json(
        s.store.update_dict_type(id, b.validate()?).await?.into(),
    ))
}

/// Delete a dictionary that is not built in.
#[utoipa::path(delete, path = "/api/dict/types/{id}", tag = "config", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_dict_type(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:dict:remove")?;
    s.store.delete_dict_type(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The entries of one dictionary (any signed-in user: the console needs them for labels).
#[utoipa::path(get, path = "/api/dict/data/type/{dict_type}", tag = "config", security(("bearer" = [])), params(("dict_type" = String, Path)),
    responses((status = 200, body = Vec<DictDataDto>), (status = 401, body = ErrorBody)))]
pub async fn dict_data_by_type(
    State(s): State<AppState>,
    AnyUser(_me): AnyUser,
    Path(dict_type): Path<String>,
) -> ApiResult<Json<Vec<DictDataDto>>> {
    if dict_type.contains('\0') || dict_type.len() > 64 {
        return Err(ApiError::bad_field("dictType", "must be a dictionary key"));
    }
    Ok(Json(
        s.store
            .dict_data_of(&dict_type)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Add an entry.
#[utoipa::path(post, path = "/api/dict/data", tag = "config", security(("bearer" = [])), request_body = DictDataBody,
    responses((status = 201, body = DictDataDto), (status = 422, body = ErrorBody)))]
pub async fn create_dict_data(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<DictDataBody>,
) -> ApiResult<(StatusCode, Json<DictDataDto>)> {
    me.require("system:dict:add")?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_dict_data(b.validate()?).await?.into()),
    ))
}

/// Update an entry (values of built-in dictionaries are fixed).
#[utoipa::path(put, path = "/api/dict/data/{id}", tag = "config", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DictDataBody,
    responses((status = 200, body = DictDataDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_dict_data(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<DictDataBody>,
) -> ApiResult<Json<DictDataDto>> {
    me.require("system:dict:edit")?;
    Ok(Json(
        s.store.update_dict_data(id, b.validate()?).await?.into(),
    ))
}

/// Delete an entry of a dictionary that is not built in.
#[utoipa::path(delete, path = "/api/dict/data/{id}", tag = "config", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_dict_data(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:dict:remove")?;
    s.store.delete_dict_data(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A system parameter.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParamDto {
    /// Id.
    pub id: i64,
    /// Key, e.g. `sys.login.maxFailures`.
    pub param_key: String,
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
    /// Built in (key fixed, cannot be deleted).
    pub builtin: bool,
    /// Remark (units and meaning).
    pub remark: Option<String>,
}

impl From<Param> for ParamDto {
    fn from(p: Param) -> Self {
        Self {
            id: p.id,
            param_key: p.param_key,
            name: p.name,
            value: p.value,
            builtin: p.builtin,
            remark: p.remark,
        }
    }
}

/// A parameter as created or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParamBody {
    /// Key: 2–100 characters of a-z, A-Z, 0-9, `.`, `_`.
    pub param_key: String,
    /// Name.
    pub name: String,
    /// Value, up to 500 characters. Built-in numeric parameters must hold an integer.
    pub value: String,
    /// Remark.
    pub remark: Option<String>,
}

impl ParamBody {
    fn validate(self) -> Result<ParamInput, ApiError> {
        let mut c = Checker::new();
        if self.param_key.len() < 2
            || self.param_key.len() > 100
            || !self
                .param_key
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '_')
        {
            c.add("paramKey", "must be 2-100 characters: letters, digits, . _");
        }
        c.required_text("name", &self.name, 100);
        c.optional_text("value", Some(&self.value), 500);
        c.optional_text("remark", self.remark.as_deref(), 500);
        if let Some((_, _, min, max)) = crate::auth::numeric_param(&self.param_key)
            && !self
                .value
                .trim()
                .parse::<i64>()
                .is_ok_and(|v| (min..=max).contains(&v))
        {
            c.add(
                "value",
                format!("must be a whole number from {min} to {max}"),
            );
        }
        if self.param_key == "sys.user.initPasswordChange"
            && self.value != "true"
            && self.value != "false"
        {
            c.add("value", "must be true or false");
        }
        if self.param_key == anjian_domain::situation::WEIGHTS_PARAM
            && let Err(e) = anjian_domain::situation::Weights::parse(&self.value)
        {
            let msg: Vec<String> = e.fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            c.add("value", msg.join("; "));
        }
        c.finish()?;
        Ok(ParamInput {
            param_key: self.param_key,
            name: self.name.trim().to_owned(),
            value: self.value,
            remark: self.remark,
        })
    }
}

/// Every parameter.
#[utoipa::path(get, path = "/api/params", tag = "config", security(("bearer" = [])),
    responses((status = 200, body = PageResult<ParamDto>), (status = 403, body = ErrorBody)))]
pub async fn list_params(
    State(s): State<AppState>,
    me: CurrentUser,
) -> ApiResult<Json<PageResult<ParamDto>>> {
    me.require("system:param:list")?;
    let rows: Vec<ParamDto> = s
        .store
        .list_params()
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(PageResult {
        total: rows.len() as u64,
        rows,
    }))
}

/// Create a parameter.
#[utoipa::path(post, path = "/api/params", tag = "config", security(("bearer" = [])), request_body = ParamBody,
    responses((status = 201, body = ParamDto), (status = 422, body = ErrorBody)))]
pub async fn create_param(
    State(s): State<AppState>,
    me: CurrentUser,
    ApiJson(b): ApiJson<ParamBody>,
) -> ApiResult<(StatusCode, Json<ParamDto>)> {
    me.require("system:param:add")?;
    Ok((
        StatusCode::CREATED,
        Json(s.store.create_param(b.validate()?).await?.into()),
    ))
}

/// Update a parameter.
#[utoipa::path(put, path = "/api/params/{id}", tag = "config", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ParamBody,
    responses((status = 200, body = ParamDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_param(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
    ApiJson(b): ApiJson<ParamBody>,
) -> ApiResult<Json<ParamDto>> {
    me.require("system:param:edit")?;
    Ok(Json(s.store.update_param(id, b.validate()?).await?.into()))
}

/// Delete a parameter that is not built in.
#[utoipa::path(delete, path = "/api/params/{id}", tag = "config", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_param(
    State(s): State<AppState>,
    me: CurrentUser,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    me.require("system:param:remove")?;
    s.store.delete_param(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_dict_types, create_dict_type))
        .routes(routes!(update_dict_type, delete_dict_type))
        .routes(routes!(dict_data_by_type))
        .routes(routes!(create_dict_data))
        .routes(routes!(update_dict_data, delete_dict_data))
        .routes(routes!(list_params, create_param))
        .routes(routes!(update_param, delete_param))
}
