//! The dual prevention mechanism (双重预防机制, 2021 Work Safety Law art. 4 and 41): risk grading
//! and control ([`risk_control`]) and hidden-danger inspection and remediation ([`hidden_danger`],
//! [`inspection`]). Pure rules only: the state machine, deadlines, schedules, management levels.

pub mod hidden_danger;
pub mod inspection;
pub mod risk_control;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

/// Asia/Shanghai (UTC+8 all year: no daylight saving since 1991). Deadlines, due dates and review
/// dates of the dual prevention mechanism are calendar dates there.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The calendar date in Asia/Shanghai at `t`.
pub fn shanghai_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

/// The first instant after the end of `date` in Asia/Shanghai (the next day's 00:00 +08:00), in
/// UTC: a deadline or due date on `date` is missed at and after this instant (a deadline of
/// 2026-03-10 ends at 2026-03-10T16:00:00Z).
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let next = date.checked_add_days(Days::new(1)).unwrap_or(date);
    shanghai()
        .from_local_datetime(&next.and_time(chrono::NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
