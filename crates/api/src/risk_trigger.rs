//! The handle through which a write asks for the dynamic enterprise risk to be recomputed
//! (`docs/dynamic-risk.md`): handlers call [`RiskTrigger::touch`] after a change that feeds the
//! risk (installations, risk-point levels, hidden dangers); alarm events reach the worker from the
//! pipeline directly. Touches are coalesced by the worker.

use tokio::sync::mpsc;

/// One request to recompute an enterprise's dynamic risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    /// The enterprise.
    pub enterprise_id: i64,
    /// What changed (`installation`, `risk_point`, `hidden_danger`, `alarm`, `manual` …), kept in
    /// the history row.
    pub cause: &'static str,
}

/// Cheap to clone; a touch never blocks and never fails (a stopped worker drops it).
#[derive(Debug, Clone)]
pub struct RiskTrigger {
    tx: mpsc::UnboundedSender<Touch>,
}

impl RiskTrigger {
    /// A trigger and the receiving end for the worker.
    pub fn channel() -> (RiskTrigger, mpsc::UnboundedReceiver<Touch>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (RiskTrigger { tx }, rx)
    }

    /// Asks for `enterprise_id`'s dynamic risk to be recomputed because of `cause`.
    pub fn touch(&self, enterprise_id: i64, cause: &'static str) {
        let _ = self.tx.send(Touch {
            enterprise_id,
            cause,
        });
    }
}
