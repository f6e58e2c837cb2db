//! Work-safety calculations (`POST /api/calc/{topic}`): the same documents as `anjian calc`.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use anjian_domain::standards::calc::{TOPICS, calc};
use axum::Json;
use axum::extract::Path;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A calculation topic.
#[derive(Debug, Serialize, ToSchema)]
pub struct Topic {
    /// Name used in the path, e.g. `accident-grade`.
    pub name: &'static str,
    /// What it computes.
    pub description: &'static str,
}

/// Every calculation topic.
#[utoipa::path(get, path = "/api/calc", tag = "calc", security(("bearer" = [])),
    responses((status = 200, body = Vec<Topic>), (status = 401, body = ErrorBody)))]
pub async fn topics(_me: CurrentUser) -> Json<Vec<Topic>> {
    Json(
        TOPICS
            .iter()
            .map(|(name, description)| Topic { name, description })
            .collect(),
    )
}

/// Run a calculation. The input and output of each topic are documented, with examples, in
/// `docs/calc.md`. Bad input answers 422 naming the field (a JSON path such as
/// `substances[0].quantity_t`).
#[utoipa::path(post, path = "/api/calc/{topic}", tag = "calc", security(("bearer" = [])),
    params(("topic" = String, Path, description = "e.g. major-hazard, accident-grade, lec, uscc")),
    request_body(content = Object, description = "the topic's input document"),
    responses((status = 200, body = Object, description = "the topic's result"), (status = 404, body = ErrorBody, description = "unknown topic"),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn run(
    _me: CurrentUser,
    Path(topic): Path<String>,
    ApiJson(input): ApiJson<Value>,
) -> ApiResult<Json<Value>> {
    if !TOPICS.iter().any(|t| t.0 == topic) {
        return Err(ApiError::NotFound);
    }
    calc(&topic, &input)
        .map(Json)
        .map_err(|e| ApiError::invalid(&e.field, e.message))
}

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(topics))
        .routes(routes!(run))
}
