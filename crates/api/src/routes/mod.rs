//! Routers, one module per resource. Every handler is annotated for the OpenAPI document.

use crate::AppState;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod accounts;
pub mod alarm;
pub mod attachments;
pub mod auth;
pub mod calc;
pub mod config;
pub mod enterprise;
pub mod enterprise_risk;
pub mod hidden_danger;
pub mod inspection;
pub mod major_hazard;
pub mod monitor;
pub mod monitoring;
pub mod notifications;
pub mod org;
pub mod risk;
pub mod situation;

/// A page of rows: `{total, rows}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageResult<T: ToSchema> {
    /// Rows matching the query before paging.
    pub total: u64,
    /// This page.
    pub rows: Vec<T>,
}

impl<T: ToSchema> PageResult<T> {
    /// Maps a store page into API rows.
    pub fn from_page<R>(p: anjian_store::PageOf<R>, f: impl FnMut(R) -> T) -> Self {
        Self {
            total: p.total,
            rows: p.rows.into_iter().map(f).collect(),
        }
    }
}

/// Paging parameters shared by every list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    #[param(minimum = 1)]
    pub page_num: Option<u64>,
    /// Rows per page, 1..=500 (default 10).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
}

impl PageQuery {
    /// Validates into a store page.
    ///
    /// # Errors
    /// 422 naming `pageNum` or `pageSize`.
    pub fn page(&self) -> Result<anjian_domain::page::Page, ApiError> {
        Ok(anjian_domain::page::Page::new(
            self.page_num,
            self.page_size,
        )?)
    }
}

/// Health of the service and its database.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// Whether the database answered.
    pub database_ok: bool,
    /// The anjian version.
    pub version: &'static str,
}

/// Liveness and database check. No authentication.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health)))]
pub async fn health(State(s): State<AppState>) -> (axum::http::StatusCode, Json<Health>) {
    let ok = s.store.ping().await.is_ok();
    let status = if ok {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Health {
            status: if ok { "ok" } else { "degraded" },
            database: s.store.backend_name(),
            database_ok: ok,
            version: env!("CARGO_PKG_VERSION"),
        }),
    )
}

/// 405 for a known path with another method, in the usual error shape.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// Every documented route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .merge(auth::router())
        .merge(calc::router())
        .merge(enterprise::router())
        .merge(org::router())
        .merge(accounts::router())
        .merge(config::router())
        .merge(monitor::router())
        .merge(alarm::router())
        .merge(monitoring::router())
        .merge(attachments::router())
        .merge(notifications::router())
        .merge(risk::router())
        .merge(hidden_danger::router())
        .merge(inspection::router())
        .merge(major_hazard::router())
        .merge(enterprise_risk::router())
        .merge(situation::router())
}
