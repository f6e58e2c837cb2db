//! Hidden-danger remediation (隐患治理): the record, its workflow transitions, deadline extensions,
//! overdue escalation, listed supervision and statistics. (to be written)

use crate::{Result, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Finds hidden dangers past their remediation deadline and escalates them up the chain
    /// (enterprise → supervising department → bureau), notifying each level once. Returns how many
    /// escalations were recorded.
    ///
    /// # Errors
    /// [`crate::StoreError::Db`].
    pub async fn escalate_overdue_hidden_dangers(&self, _now: DateTime<Utc>) -> Result<u64> {
        Ok(0)
    }
}
