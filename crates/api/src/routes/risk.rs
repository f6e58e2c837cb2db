//! (to be written)

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
