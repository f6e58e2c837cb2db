//! Demo data for the dual prevention pages (to be written).

use anjian_store::{Store, StoreError};
use chrono::{DateTime, Utc};

/// Seeds demo records for the demo enterprise `enterprise_id` (the `enterprise` account's).
///
/// # Errors
/// Any [`StoreError`].
pub async fn seed(
    _store: &Store,
    _enterprise_id: i64,
    _now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(())
}
