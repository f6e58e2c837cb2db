//! # anjian-api
//!
//! The HTTP API of anjian: axum routers under `/api`, authentication and permissions, the
//! OpenAPI 3.1 document (`/api/openapi.json`, Swagger UI at `/api/docs`), Prometheus metrics
//! (`/metrics`), the operation log, and enterprise spreadsheet import/export. Handlers call
//! [`anjian_store::Store`] methods; they never touch the ORM.
//!
//! ## Layout
//! - [`error`] — [`error::ApiError`], the one error type, and its JSON shape.
//! - [`extract`] — JSON / query / path extractors with field-level 400s.
//! - [`auth`] — password hashing, tokens, sessions, the [`auth::CurrentUser`] extractor.
//! - `routes` — one module per resource.
//! - `excel` — xlsx / CSV import and export of enterprises.
//! - `middleware` — request metrics and the operation log.
//! - [`web`] — the web console at `/` (embedded `web/dist`, or a page saying how to build it).
#![forbid(unsafe_code)]

pub mod auth;
pub mod error;
mod excel;
pub mod extract;
mod middleware;
pub mod risk_trigger;
pub mod risk_worker;
mod routes;
pub mod web;

use anjian_ingest::pipeline::Pipeline;
use anjian_store::Store;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Duration;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Storage.
    pub store: Store,
    /// The telemetry pipeline (alarm engine, group-commit writer, alarm event stream).
    pub pipeline: Pipeline,
    /// The time source for deadlines and overdue checks (manual in tests).
    pub clock: anjian_domain::clock::Clock,
    /// Asks the dynamic-risk worker to recompute an enterprise after a write.
    pub risk: risk_trigger::RiskTrigger,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "anjian API",
        description = "城市安全生产监管平台 anjian — REST API. Authenticate with `POST /api/auth/login`, then send `Authorization: Bearer <token>`. Lists take `pageNum` (1-based) and `pageSize` (1..=500) and return `{total, rows}`. Errors are `{code, message, fields}`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "system", description = "Health and version"),
        (name = "auth", description = "Login, sessions, own profile"),
        (name = "enterprise", description = "Enterprise registry and dossier (一企一档)"),
        (name = "org", description = "Regions and supervising departments"),
        (name = "accounts", description = "Users, roles, menus"),
        (name = "config", description = "Dictionaries and system parameters"),
        (name = "monitor", description = "Online users, login log, operation log"),
        (name = "calc", description = "Work-safety calculations: the standards as code"),
        (name = "monitoring", description = "Devices, sensors, trends, webhooks (监测设备)"),
        (name = "alarm", description = "Alarms, their lifecycle and KPIs; telemetry over HTTP (报警)"),
        (name = "attachment", description = "Uploaded photos and documents (附件)"),
        (name = "notification", description = "Reminders and escalations for the signed-in user (站内消息)"),
        (name = "risk", description = "Risk grading and control: risk points, assessments, control measures, four-colour list (风险分级管控)"),
        (name = "hidden-danger", description = "Hidden-danger remediation workflow, overdue escalation, listed supervision, statistics (隐患治理)"),
        (name = "inspection", description = "Checklists, inspection plans and tasks (隐患排查)"),
        (name = "major-hazard", description = "Major hazard installations: GB 18218-2018 identification, grading, history, filing (重大危险源)"),
        (name = "situation", description = "Situation awareness: dynamic enterprise risk, the city dashboard and large screen, region statistics (态势感知)"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("opaque")
                    .build(),
            ),
        );
    }
}

fn openapi_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).merge(routes::router())
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = openapi_router().split_for_parts();
    api
}

/// The process-wide Prometheus recorder (installed once; later calls reuse it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests); keep ours as a detached handle then.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// The whole application: `/api/**`, `/api/openapi.json`, `/api/docs`, `/metrics`.
pub fn app(store: Store, pipeline: Pipeline) -> Router {
    app_with_clock(store, pipeline, anjian_domain::clock::Clock::system())
}

/// [`app`] with an explicit clock: tests pass a manual one to move deadlines past without sleeping.
pub fn app_with_clock(
    store: Store,
    pipeline: Pipeline,
    clock: anjian_domain::clock::Clock,
) -> Router {
    let (risk, touches) = risk_trigger::RiskTrigger::channel();
    risk_worker::spawn(store.clone(), clock.clone(), touches, pipeline.subscribe());
    let state = AppState {
        store,
        pipeline,
        clock,
        risk,
    };
    let (api, openapi) = openapi_router().split_for_parts();
    let metrics = metrics_handle();
    Router::new()
        .merge(api.with_state(state.clone()))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .route(
            "/metrics",
            axum::routing::get(move || std::future::ready(metrics.render())),
        )
        .fallback(web::serve)
        .method_not_allowed_fallback(routes::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state,
            middleware::oper_log,
        ))
        .layer(axum::middleware::from_fn(middleware::track_metrics))
        .layer(DefaultBodyLimit::max(extract::JSON_LIMIT))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            middleware::panic_response,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(60),
        ))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}
