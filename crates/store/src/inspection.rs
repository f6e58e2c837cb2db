//! Hidden-danger inspection (隐患排查): checklists, inspection plans on cron schedules, generated
//! inspection tasks and their item results. (to be written)

use crate::{Result, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Generates the inspection tasks whose scheduled time has come and flags tasks past their due
    /// time as missed. Returns how many tasks were created or flagged.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn generate_inspection_tasks(&self, _now: DateTime<Utc>) -> Result<u64> {
        Ok(0)
    }
}
