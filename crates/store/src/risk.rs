//! Risk grading and control (风险分级管控): risk points, assessments, level history, control
//! measures, the four-colour list and the review schedule. (to be written)

use crate::{Result, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Notifies the responsible enterprises of risk points whose re-assessment is due or overdue
    /// (once per point and due date). Returns how many notifications were sent.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn remind_risk_reviews(&self, _now: DateTime<Utc>) -> Result<u64> {
        Ok(0)
    }
}
