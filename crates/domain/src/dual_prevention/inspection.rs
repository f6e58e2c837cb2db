//! Hidden-danger inspection (隐患排查) rules: the schedule of an inspection plan, the tasks it
//! generates, their states and what makes a completed checklist valid.
//!
//! ## Schedules
//! A plan's schedule is a five-field cron expression (`minute hour day-of-month month day-of-week`,
//! the Vixie cron syntax: lists, ranges, steps, `JAN`-`DEC`, `SUN`-`SAT`, `L`, `#`), parsed by the
//! `croner` crate and **evaluated in Asia/Shanghai** (UTC+8, no daylight saving since 1991, so
//! every local time exists exactly once). When both day-of-month and day-of-week are restricted a
//! day matching either fires (Vixie semantics). Seconds and years are not accepted. A schedule
//! must not fire more often than once an hour ([`MIN_INTERVAL_MINUTES`]) and must fire at all.
//! [`PRESETS`] maps the usual rhythms (daily, weekly, monthly, per shift) to expressions.
//!
//! ## Generation
//! A plan remembers up to when it has generated (`generated_until`, initially its creation or
//! re-enable time). A run at `now` creates one task for every occurrence in
//! `(generated_until, now]` ([`occurrences_between`]) and moves the mark to `now`; a second run at
//! the same `now` finds nothing new. After a long outage only the latest [`MAX_CATCH_UP`]
//! occurrences of a plan are created (older ones are skipped and not recorded); those already past
//! their due time are created directly as missed.
//!
//! ## Tasks
//! A task is due at its scheduled time plus the plan's completion window in hours ([`due_at`]).
//! States: `pending` → `completed` | `missed`. A pending task whose due time has passed
//! (`now > due_at`; completing exactly at the due time is on time) is missed. **Completing a
//! missed task is refused** (HTTP 409): a missed inspection stays on the record as missed, and the
//! inspector reports what they find ad hoc (随手拍) instead. See [`check_completable`].
//!
//! ## Results
//! A completed task carries one result per checklist item — `pass`, `fail` or `not_applicable` —
//! and a failed item must carry a note or at least one photo ([`check_results`]). The legal basis
//! of this duty: 《安全生产法》(2021) 第四十一条 (hidden-danger inspection and remediation,
//! records of it) and 《安全生产事故隐患排查治理暂行规定》(安监总局令第16号) 第十条.

use crate::validation::{FieldErrors, ValidationError};
use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The time zone schedules are evaluated in.
pub const TIME_ZONE: Tz = chrono_tz::Asia::Shanghai;
/// Most occurrences of one plan created by one generation run (after an outage).
pub const MAX_CATCH_UP: usize = 31;
/// Smallest allowed gap between two occurrences of a schedule, minutes.
pub const MIN_INTERVAL_MINUTES: i64 = 60;
/// Completion window bounds, hours (1 hour .. 31 days).
pub const WINDOW_HOURS: std::ops::RangeInclusive<i32> = 1..=744;
/// Longest cron expression accepted, characters.
pub const CRON_MAX: usize = 100;
/// Longest note of an item result or a task, characters.
pub const NOTE_MAX: usize = 500;
/// Most photos on one item result or one task.
pub const PHOTOS_MAX: usize = 9;

/// A usual rhythm and the cron expression it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Preset {
    /// `daily`, `weekly`, `monthly` or `per_shift`.
    pub key: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// The cron expression (Asia/Shanghai).
    pub cron: &'static str,
    /// Suggested completion window, hours.
    pub window_hours: i32,
}

/// The presets the console offers: daily at 08:00 (12 h to do it), weekly on Monday 09:00
/// (5 days), monthly on the 1st at 09:00 (10 days), and per shift at 00:00, 08:00 and 16:00 for
/// three eight-hour shifts (8 h).
pub const PRESETS: [Preset; 4] = [
    Preset {
        key: "daily",
        label: "每日",
        cron: "0 8 * * *",
        window_hours: 12,
    },
    Preset {
        key: "weekly",
        label: "每周",
        cron: "0 9 * * 1",
        window_hours: 120,
    },
    Preset {
        key: "monthly",
        label: "每月",
        cron: "0 9 1 * *",
        window_hours: 240,
    },
    Preset {
        key: "per_shift",
        label: "每班",
        cron: "0 0,8,16 * * *",
        window_hours: 8,
    },
];

/// The preset with this key.
pub fn preset(key: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.key == key)
}

/// A parsed, validated schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    source: String,
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Why a cron expression was refused (the message is shown under the `cron` field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// Empty, too long, not five fields, or a field the parser rejects.
    #[error(
        "不是有效的 cron 表达式（分 时 日 月 周）/ not a valid five-field cron expression: {0}"
    )]
    Syntax(String),
    /// The expression never matches (e.g. `0 0 30 2 *`).
    #[error("该表达式永远不会触发 / the expression never fires")]
    Never,
    /// Two occurrences closer than [`MIN_INTERVAL_MINUTES`].
    #[error(
        "触发过于频繁（至少间隔 {MIN_INTERVAL_MINUTES} 分钟）/ fires more often than once an hour"
    )]
    TooFrequent,
}

/// A fixed reference time for the frequency check: 2025-01-01T00:00:00+08:00.
fn reference() -> DateTime<Tz> {
    TIME_ZONE
        .with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
        .single()
        // Unreachable (a fixed date in a zone without gaps); the same instant from UTC.
        .unwrap_or_else(|| {
            DateTime::from_timestamp(1_735_660_800, 0)
                .unwrap_or_default()
                .with_timezone(&TIME_ZONE)
        })
}

impl Schedule {
    /// Parses and validates a five-field cron expression (see the module docs).
    ///
    /// The frequency check samples the first 200 occurrences after 2025-01-01 (enough to cover
    /// any minute/hour/day pattern's cycle within a week and most monthly ones).
    ///
    /// # Errors
    /// [`ScheduleError`].
    pub fn parse(expr: &str) -> Result<Self, ScheduleError> {
        let source = expr.split_whitespace().collect::<Vec<_>>().join(" ");
        if source.is_empty() {
            return Err(ScheduleError::Syntax("empty".into()));
        }
        if source.chars().count() > CRON_MAX || source.contains('@') {
            return Err(ScheduleError::Syntax(format!(
                "at most {CRON_MAX} characters, no @nicknames"
            )));
        }
        let fields = source.split(' ').count();
        if fields != 5 {
            return Err(ScheduleError::Syntax(format!(
                "expected 5 fields, got {fields}"
            )));
        }
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build()
            .parse(&source)
            .map_err(|e| ScheduleError::Syntax(e.to_string()))?;
        let s = Self { cron, source };
        let mut prev: Option<DateTime<Tz>> = None;
        let mut t = reference();
        for _ in 0..200 {
            let Ok(next) = s.cron.find_next_occurrence(&t, false) else {
                if prev.is_none() {
                    return Err(ScheduleError::Never);
                }
                break;
            };
            if let Some(p) = prev
                && next - p < Duration::minutes(MIN_INTERVAL_MINUTES)
            {
                return Err(ScheduleError::TooFrequent);
            }
            prev = Some(next);
            t = next;
        }
        Ok(s)
    }

    /// The normalised expression (single spaces).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The first occurrence strictly after `t`, or `None` when there is none within croner's
    /// search limit.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .find_next_occurrence(&t.with_timezone(&TIME_ZONE), false)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The next `n` occurrences strictly after `t` (the preview of a plan).
    pub fn upcoming(&self, t: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::with_capacity(n);
        let mut cur = t;
        while out.len() < n {
            match self.next_after(cur) {
                Some(next) => {
                    out.push(next);
                    cur = next;
                }
                None => break,
            }
        }
        out
    }
}

/// The occurrences of `schedule` in `(after, until]`, oldest first, at most `max` of them — the
/// **latest** `max` when there are more (a long outage keeps the recent ones).
pub fn occurrences_between(
    schedule: &Schedule,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    max: usize,
) -> Vec<DateTime<Utc>> {
    let mut out = std::collections::VecDeque::new();
    if max == 0 || until <= after {
        return Vec::new();
    }
    let mut cur = after;
    while let Some(next) = schedule.next_after(cur) {
        if next > until {
            break;
        }
        if out.len() == max {
            out.pop_front();
        }
        out.push_back(next);
        cur = next;
    }
    out.into()
}

/// What one generation run does for one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// Scheduled times of the tasks to create, oldest first.
    pub occurrences: Vec<DateTime<Utc>>,
    /// The plan's new `generated_until` (`now`, or the old mark when it was ahead of `now`).
    pub generated_until: DateTime<Utc>,
}

/// The tasks a plan whose mark is `generated_until` owes at `now` (see the module docs).
pub fn plan_generation(
    schedule: &Schedule,
    generated_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Generation {
    Generation {
        occurrences: occurrences_between(schedule, generated_until, now, MAX_CATCH_UP),
        generated_until: generated_until.max(now),
    }
}

/// The due time of a task scheduled at `scheduled_at` with a completion window of
/// `window_hours` hours.
pub fn due_at(scheduled_at: DateTime<Utc>, window_hours: i32) -> DateTime<Utc> {
    scheduled_at + Duration::hours(i64::from(window_hours))
}

/// The state of an inspection task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Generated, not done yet, not past its due time.
    Pending,
    /// Done with a valid set of results.
    Completed,
    /// Not done by its due time.
    Missed,
}

impl TaskStatus {
    /// Every state.
    pub const ALL: [Self; 3] = [Self::Pending, Self::Completed, Self::Missed];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Completed => "completed",
            Self::Missed => "missed",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }

    /// The state as of `now`: a pending task past its due time is missed, whether or not the
    /// periodic job has flagged it yet.
    pub fn at(self, due_at: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        if self == Self::Pending && now > due_at {
            Self::Missed
        } else {
            self
        }
    }
}

/// Whether a task in `status`, due at `due_at`, may be completed at `now`.
///
/// # Errors
/// A message saying why not (completed already, or missed — late completion is refused).
pub fn check_completable(
    status: TaskStatus,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    match status.at(due_at, now) {
        TaskStatus::Pending => Ok(()),
        TaskStatus::Completed => Err("任务已完成 / the task is already completed".into()),
        TaskStatus::Missed => Err(format!(
            "任务已超过完成期限（{}），已记为漏检 / the task was due at {} and is missed",
            due_at.with_timezone(&TIME_ZONE).format("%Y-%m-%d %H:%M"),
            due_at.to_rfc3339()
        )),
    }
}

/// The result of one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemResult {
    /// 合格.
    Pass,
    /// 不合格 (a hidden danger may be reported from it).
    Fail,
    /// 不适用.
    NotApplicable,
}

impl ItemResult {
    /// Every value.
    pub const ALL: [Self; 3] = [Self::Pass, Self::Fail, Self::NotApplicable];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotApplicable => "not_applicable",
        }
    }

    /// Parses a stored code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == s)
    }
}

/// A checklist item as the result check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRef<'a> {
    /// Item id.
    pub id: i64,
    /// 1-based position in the checklist.
    pub seq: i32,
    /// What to check (quoted in messages, first 20 characters).
    pub content: &'a str,
}

/// One submitted result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultInput {
    /// The checklist item.
    pub item_id: i64,
    /// The result; `None` when the client sent none.
    pub result: Option<ItemResult>,
    /// Note.
    pub note: Option<String>,
    /// Photo attachment ids.
    pub photo_ids: Vec<i64>,
}

fn short(s: &str) -> String {
    let head: String = s.chars().take(20).collect();
    if s.chars().count() > 20 {
        format!("{head}…")
    } else {
        head
    }
}

/// Checks a set of results against the checklist's items: one result per item (no unknown or
/// repeated items), every result one of pass / fail / not_applicable, a failed item with a note
/// or a photo, notes at most [`NOTE_MAX`] characters and at most [`PHOTOS_MAX`] photos each.
///
/// Errors are keyed `results.<itemId>` (unknown or repeated items `results`), and each message
/// names the item by its number and the start of its text, e.g. `第3项「静电接地…」未填写结果`.
///
/// # Errors
/// [`ValidationError`] listing every bad item.
pub fn check_results(
    items: &[ItemRef<'_>],
    results: &[ResultInput],
) -> Result<(), ValidationError> {
    let mut fields = FieldErrors::new();
    let mut by_item: HashMap<i64, &ResultInput> = HashMap::new();
    for r in results {
        if !items.iter().any(|i| i.id == r.item_id) {
            fields.entry("results".into()).or_insert_with(|| {
                format!(
                    "检查项 {} 不属于该检查表 / item {} is not on this checklist",
                    r.item_id, r.item_id
                )
            });
        } else if by_item.insert(r.item_id, r).is_some() {
            fields.entry("results".into()).or_insert_with(|| {
                format!("检查项 {} 重复 / item {} given twice", r.item_id, r.item_id)
            });
        }
    }
    for item in items {
        let key = format!("results.{}", item.id);
        let name = format!("第{}项「{}」", item.seq, short(item.content));
        let Some(r) = by_item.get(&item.id) else {
            fields.insert(
                key,
                format!("{name}未填写结果 / item {} has no result", item.seq),
            );
            continue;
        };
        let note = r.note.as_deref().map(str::trim).unwrap_or("");
        match r.result {
            None => {
                fields.insert(
                    key,
                    format!(
                        "{name}未选择合格/不合格/不适用 / item {} has no result",
                        item.seq
                    ),
                );
            }
            Some(ItemResult::Fail) if note.is_empty() && r.photo_ids.is_empty() => {
                fields.insert(
                    key,
                    format!("{name}不合格，需填写说明或上传照片 / failed item {} needs a note or a photo", item.seq),
                );
            }
            _ if note.chars().count() > NOTE_MAX => {
                fields.insert(
                    key,
                    format!("{name}说明不超过 {NOTE_MAX} 字 / note too long"),
                );
            }
            _ if r.photo_ids.len() > PHOTOS_MAX => {
                fields.insert(
                    key,
                    format!("{name}照片不超过 {PHOTOS_MAX} 张 / too many photos"),
                );
            }
            _ => {}
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sh(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        TIME_ZONE
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn presets_parse_and_fire_in_shanghai_time() {
        for p in PRESETS {
            Schedule::parse(p.cron).unwrap();
            assert!(WINDOW_HOURS.contains(&p.window_hours));
        }
        let daily = Schedule::parse(preset("daily").unwrap().cron).unwrap();
        // 08:00 in Shanghai is 00:00 UTC.
        assert_eq!(
            daily.next_after(sh(2026, 3, 1, 7, 59)),
            Some(sh(2026, 3, 1, 8, 0))
        );
        assert_eq!(
            daily.next_after(sh(2026, 3, 1, 8, 0)),
            Some(sh(2026, 3, 2, 8, 0))
        );
        let shifts = Schedule::parse(preset("per_shift").unwrap().cron).unwrap();
        assert_eq!(
            shifts.upcoming(sh(2026, 3, 1, 1, 0), 3),
            vec![
                sh(2026, 3, 1, 8, 0),
                sh(2026, 3, 1, 16, 0),
                sh(2026, 3, 2, 0, 0)
            ]
        );
    }

    #[test]
    fn validation_names_the_problem() {
        assert!(matches!(Schedule::parse(""), Err(ScheduleError::Syntax(_))));
        assert!(matches!(
            Schedule::parse("0 8 * *"),
            Err(ScheduleError::Syntax(_))
        ));
        assert!(matches!(
            Schedule::parse("0 0 8 * * *"),
            Err(ScheduleError::Syntax(_))
        ));
        assert!(matches!(
            Schedule::parse("61 8 * * *"),
            Err(ScheduleError::Syntax(_))
        ));
        assert!(matches!(
            Schedule::parse("@daily"),
            Err(ScheduleError::Syntax(_))
        ));
        assert_eq!(
            Schedule::parse("*/30 * * * *"),
            Err(ScheduleError::TooFrequent)
        );
        assert_eq!(
            Schedule::parse("0,30 8 * * *"),
            Err(ScheduleError::TooFrequent)
        );
        assert_eq!(Schedule::parse("0 0 30 2 *"), Err(ScheduleError::Never));
        assert_eq!(
            Schedule::parse("  0   8 * *  1-5 ").unwrap().as_str(),
            "0 8 * * 1-5"
        );
        assert!(ScheduleError::TooFrequent.to_string().contains("60"));
    }

    #[test]
    fn month_ends_and_last_day() {
        // The 31st skips the short months.
        let s = Schedule::parse("0 9 31 * *").unwrap();
        assert_eq!(
            s.upcoming(sh(2026, 1, 31, 10, 0), 2),
            vec![sh(2026, 3, 31, 9, 0), sh(2026, 5, 31, 9, 0)]
        );
        // L = the last day of each month, leap February included.
        let last = Schedule::parse("0 9 L * *").unwrap();
        assert_eq!(
            last.upcoming(sh(2028, 1, 31, 10, 0), 2),
            vec![sh(2028, 2, 29, 9, 0), sh(2028, 3, 31, 9, 0)]
        );
        // Monthly at midnight on the 1st: the Shanghai date, which is the 31st / 30th in UTC.
        let m = Schedule::parse("0 0 1 * *").unwrap();
        let next = m.next_after(sh(2026, 4, 15, 0, 0)).unwrap();
        assert_eq!(next, sh(2026, 5, 1, 0, 0));
        assert_eq!(next.to_rfc3339(), "2026-04-30T16:00:00+00:00");
    }

    #[test]
    fn no_daylight_saving_in_shanghai() {
        // Mid-March / early November (DST changes elsewhere): every day still fires once at 02:30.
        let s = Schedule::parse("30 2 * * *").unwrap();
        for (start, n) in [(sh(2026, 3, 7, 0, 0), 3), (sh(2026, 10, 31, 0, 0), 3)] {
            let got = s.upcoming(start, n);
            for w in got.windows(2) {
                assert_eq!(w[1] - w[0], Duration::hours(24));
            }
        }
    }

    #[test]
    fn window_boundaries() {
        let s = Schedule::parse("0 8 * * *").unwrap();
        // (after, until]: an occurrence exactly at `after` is excluded, exactly at `until` included.
        let occ = occurrences_between(&s, sh(2026, 3, 1, 8, 0), sh(2026, 3, 3, 8, 0), 10);
        assert_eq!(occ, vec![sh(2026, 3, 2, 8, 0), sh(2026, 3, 3, 8, 0)]);
        assert!(occurrences_between(&s, sh(2026, 3, 3, 8, 0), sh(2026, 3, 3, 8, 0), 10).is_empty());
        // A week down with a cap of 3: the latest three.
        let occ = occurrences_between(&s, sh(2026, 3, 1, 0, 0), sh(2026, 3, 8, 9, 0), 3);
        assert_eq!(
            occ,
            vec![
                sh(2026, 3, 6, 8, 0),
                sh(2026, 3, 7, 8, 0),
                sh(2026, 3, 8, 8, 0)
            ]
        );
        let g = plan_generation(&s, sh(2026, 3, 1, 0, 0), sh(2026, 3, 1, 9, 0));
        assert_eq!(g.occurrences, vec![sh(2026, 3, 1, 8, 0)]);
        assert_eq!(g.generated_until, sh(2026, 3, 1, 9, 0));
        // A mark ahead of now (clock moved back) does not move back.
        let g = plan_generation(&s, sh(2026, 3, 2, 0, 0), sh(2026, 3, 1, 9, 0));
        assert!(g.occurrences.is_empty());
        assert_eq!(g.generated_until, sh(2026, 3, 2, 0, 0));
    }

    #[test]
    fn task_states_at_the_due_time() {
        let due = due_at(sh(2026, 3, 1, 8, 0), 12);
        assert_eq!(due, sh(2026, 3, 1, 20, 0));
        assert_eq!(TaskStatus::Pending.at(due, due), TaskStatus::Pending);
        assert!(check_completable(TaskStatus::Pending, due, due).is_ok());
        let late = due + Duration::seconds(1);
        assert_eq!(TaskStatus::Pending.at(due, late), TaskStatus::Missed);
        assert!(
            check_completable(TaskStatus::Pending, due, late)
                .unwrap_err()
                .contains("漏检")
        );
        assert!(check_completable(TaskStatus::Missed, due, due).is_err());
        assert!(
            check_completable(TaskStatus::Completed, due, due)
                .unwrap_err()
                .contains("已完成")
        );
        assert_eq!(TaskStatus::Completed.at(due, late), TaskStatus::Completed);
        for s in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(s.code()), Some(s));
        }
        for r in ItemResult::ALL {
            assert_eq!(ItemResult::parse(r.code()), Some(r));
        }
    }

    fn items() -> Vec<ItemRef<'static>> {
        vec![
            ItemRef {
                id: 10,
                seq: 1,
                content: "储罐区防火堤完好，无破损、无渗漏",
            },
            ItemRef {
                id: 11,
                seq: 2,
                content: "静电接地完好",
            },
            ItemRef {
                id: 12,
                seq: 3,
                content: "可燃气体检测报警器正常投用",
            },
        ]
    }

    fn r(
        item_id: i64,
        result: Option<ItemResult>,
        note: Option<&str>,
        photos: &[i64],
    ) -> ResultInput {
        ResultInput {
            item_id,
            result,
            note: note.map(str::to_owned),
            photo_ids: photos.to_vec(),
        }
    }

    #[test]
    fn results_need_every_item_and_evidence_for_failures() {
        use ItemResult::*;
        let ok = [
            r(10, Some(Pass), None, &[]),
            r(11, Some(Fail), None, &[5]),
            r(12, Some(NotApplicable), None, &[]),
        ];
        check_results(&items(), &ok).unwrap();
        let ok2 = [
            r(10, Some(Pass), None, &[]),
            r(11, Some(Fail), Some("接地线断开"), &[]),
            r(12, Some(Pass), None, &[]),
        ];
        check_results(&items(), &ok2).unwrap();

        let e = check_results(&items(), &ok[..2]).unwrap_err();
        assert_eq!(e.fields.len(), 1);
        assert!(e.fields["results.12"].contains("第3项"), "{:?}", e.fields);

        let e = check_results(
            &items(),
            &[
                r(10, Some(Pass), None, &[]),
                r(11, Some(Fail), Some("  "), &[]),
                r(12, None, None, &[]),
            ],
        )
        .unwrap_err();
        assert!(e.fields["results.11"].contains("不合格"));
        assert!(e.fields["results.12"].contains("未选择"));

        let mut extra = ok.to_vec();
        extra.push(r(99, Some(Pass), None, &[]));
        assert!(check_results(&items(), &extra).unwrap_err().fields["results"].contains("99"));
        let mut dup = ok.to_vec();
        dup.push(r(10, Some(Pass), None, &[]));
        assert!(check_results(&items(), &dup).unwrap_err().fields["results"].contains("重复"));
        let long = "长".repeat(NOTE_MAX + 1);
        let e = check_results(
            &items(),
            &[
                r(10, Some(Pass), Some(&long), &[]),
                ok[1].clone(),
                ok[2].clone(),
            ],
        )
        .unwrap_err();
        assert!(e.fields.contains_key("results.10"));
    }

    fn any_schedule() -> impl Strategy<Value = Schedule> {
        prop_oneof![
            Just("0 8 * * *".to_owned()),
            Just("0 0,8,16 * * *".to_owned()),
            Just("0 9 * * 1".to_owned()),
            Just("0 9 1 * *".to_owned()),
            Just("30 9 L * *".to_owned()),
            Just("0 9 31 * *".to_owned()),
            (0u32..60, 0u32..24).prop_map(|(m, h)| format!("{m} {h} * * *")),
            (0u32..60, 1u32..12).prop_map(|(m, step)| format!("{m} */{step} * * *")),
            (0u32..24, 1u32..29).prop_map(|(h, d)| format!("0 {h} {d} * *")),
        ]
        .prop_map(|s| Schedule::parse(&s).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn occurrences_are_increasing_and_inside_the_range(
            s in any_schedule(),
            start in 1_700_000_000i64..1_900_000_000,
            len_h in 0i64..24 * 40,
            max in 1usize..60,
        ) {
            let after = Utc.timestamp_opt(start, 0).unwrap();
            let until = after + Duration::hours(len_h);
            let occ = occurrences_between(&s, after, until, max);
            prop_assert!(occ.len() <= max);
            for w in occ.windows(2) {
                prop_assert!(w[0] < w[1]);
                prop_assert!(w[1] - w[0] >= Duration::minutes(MIN_INTERVAL_MINUTES));
            }
            for t in &occ {
                prop_assert!(*t > after && *t <= until);
            }
            // Capped, the latest are kept: the last one is the last of the whole range.
            let all = occurrences_between(&s, after, until, usize::MAX);
            prop_assert_eq!(occ.last(), all.last());
            prop_assert_eq!(&all[all.len() - occ.len()..], &occ[..]);
        }

        #[test]
        fn generating_twice_creates_nothing_new(
            s in any_schedule(),
            start in 1_700_000_000i64..1_900_000_000,
            a_h in 0i64..24 * 20,
            b_h in 0i64..24 * 20,
        ) {
            let mark = Utc.timestamp_opt(start, 0).unwrap();
            let t1 = mark + Duration::hours(a_h);
            let t2 = t1 + Duration::hours(b_h);
            let g1 = plan_generation(&s, mark, t1);
            let again = plan_generation(&s, g1.generated_until, t1);
            prop_assert!(again.occurrences.is_empty());
            // Two runs see exactly what one run over the whole span sees (without the cap).
            let g2 = plan_generation(&s, g1.generated_until, t2);
            let whole = occurrences_between(&s, mark, t2, usize::MAX);
            if whole.len() <= MAX_CATCH_UP {
                let mut joined = g1.occurrences.clone();
                joined.extend(g2.occurrences.iter().copied());
                prop_assert_eq!(joined, whole);
            }
            for t in g2.occurrences {
                prop_assert!(!g1.occurrences.contains(&t));
            }
        }
    }
}
