//! An injectable clock. Deadlines, overdue detection, review due dates and scheduled inspection
//! tasks read the time through a [`Clock`], so tests can set and advance it instead of sleeping.
//! Pure rules never call a clock: they take `now` as an argument.

use chrono::{DateTime, Duration, Utc};
use std::sync::{Arc, Mutex};

/// The time source: the system clock, or a manual clock that tests set and advance.
/// Cheap to clone; clones of a manual clock share one time.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Mutex<DateTime<Utc>>>>);

impl Clock {
    /// The system clock (UTC).
    pub fn system() -> Self {
        Self(None)
    }

    /// A manual clock that reads `start` until it is [`set`](Self::set) or
    /// [`advance`](Self::advance)d.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(start))))
    }

    /// Whether this is a manual (test) clock.
    pub fn is_manual(&self) -> bool {
        self.0.is_some()
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(t) => *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Sets a manual clock to `t`; a system clock ignores it.
    pub fn set(&self, t: DateTime<Utc>) {
        if let Some(c) = &self.0 {
            *c.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = t;
        }
    }

    /// Moves a manual clock forward by `d`; a system clock ignores it.
    pub fn advance(&self, d: Duration) {
        if let Some(c) = &self.0 {
            let mut g = c.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *g += d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_is_shared_between_clones_and_advances() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .expect("valid");
        let c = Clock::manual(start);
        let d = c.clone();
        c.advance(Duration::hours(5));
        assert_eq!(d.now(), start + Duration::hours(5));
        d.set(start);
        assert_eq!(c.now(), start);
        assert!(c.is_manual());
        assert!(!Clock::system().is_manual());
    }
}
