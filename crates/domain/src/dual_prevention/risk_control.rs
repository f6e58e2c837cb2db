//! Risk grading and control (风险分级管控): the pure rules behind risk points, control measures,
//! management levels, the review schedule and the level history.
//!
//! ## Sources
//! - Four levels and colours: 安委办〔2016〕11号《关于实施遏制重特大事故工作指南构建双重预防机制的意见》
//!   ("安全风险等级从高到低划分为重大风险、较大风险、一般风险和低风险，分别用红、橙、黄、蓝四种颜色标示";
//!   SECONDARY per `shared/reference/standards.md` §A4), reused from
//!   [`crate::standards::risk`] ([`RiskLevel`], `lec()`, `matrix()`).
//! - Graded control (分级管控, "风险越高管控层级越高"): the same document asks enterprises to control
//!   risks by level, the higher the risk the higher the management level. The mapping used here
//!   — 重大 → 公司 (company), 较大 → 部门 (department), 一般 → 车间 (workshop), 低 → 班组 (team) — is
//!   the common practice of enterprises and provincial guidance implementing it, not a clause of
//!   the document (SECONDARY). [`min_management_level`] encodes it; a gap is a warning, never a
//!   refusal.
//! - Review cycles ([`ReviewCycles`]): a **platform default** (重大 every 3 months, 较大 6, 一般 12,
//!   低 12), not a regulation; operators change it with the system parameter
//!   [`REVIEW_CYCLES_PARAM`].
//! - Hazardous factors are GB/T 13861-2022 codes ([`crate::standards::hazard_factor`]) and
//!   accident types GB 6441 codes ([`crate::standards::classification`]); see
//!   [`check_hazard_factor`] and [`check_accident_type`].
//!
//! ## Dates
//! Assessment and review-due dates are calendar dates. A due date means the end of that day in
//! Asia/Shanghai (UTC+8, no daylight saving): a review due 2026-03-31 is overdue from
//! 2026-04-01T00:00+08:00 (= 2026-03-31T16:00Z) on.

use crate::standards::classification::{self, Scheme};
use crate::standards::hazard_factor;
use crate::standards::risk::RiskLevel;
use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The system parameter holding the review cycles as JSON, e.g.
/// `{"major":3,"high":6,"medium":12,"low":12}` (months).
pub const REVIEW_CYCLES_PARAM: &str = "risk.reviewCycleMonths";

/// Reviews due within this many days count as "due soon" (and are reminded).
pub const DUE_SOON_DAYS: u64 = 7;

/// Longest review cycle accepted, months (5 years).
pub const MAX_CYCLE_MONTHS: u32 = 60;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal / $zh:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$(Self::$v),+];
            /// The wire name (snake_case).
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s),+ } }
            /// The Chinese label.
            pub fn name_zh(self) -> &'static str { match self { $(Self::$v => $zh),+ } }
            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(Self::$v),)+ _ => None } }
            /// The wire names of [`Self::ALL`].
            pub fn names() -> Vec<&'static str> { Self::ALL.iter().map(|v| v.as_str()).collect() }
        }
    };
}

str_enum!(
    /// What a risk point is (风险点类型).
    RiskPointKind {
        /// 区域/场所, e.g. a tank farm.
        Area = "area" / "区域场所",
        /// 设备设施, e.g. a reactor.
        EquipmentFacility = "equipment_facility" / "设备设施",
        /// 作业活动 (an operation), e.g. loading.
        Operation = "operation" / "作业活动",
        /// 其他活动 (an activity), e.g. hot work, confined-space entry.
        Activity = "activity" / "作业行为",
    }
);

str_enum!(
    /// What a control measure is (管控措施类型).
    MeasureKind {
        /// 工程技术措施.
        Engineering = "engineering" / "工程技术",
        /// 管理措施.
        Management = "management" / "管理措施",
        /// 培训教育措施.
        Training = "training" / "培训教育",
        /// 个体防护措施.
        PersonalProtection = "personal_protection" / "个体防护",
        /// 应急处置措施.
        Emergency = "emergency" / "应急处置",
    }
);

str_enum!(
    /// Who controls a measure (管控层级), highest first: 公司 > 部门 > 车间 > 班组.
    ManagementLevel {
        /// 公司级.
        Company = "company" / "公司级",
        /// 部门级.
        Department = "department" / "部门级",
        /// 车间级.
        Workshop = "workshop" / "车间级",
        /// 班组级 (incl. the post).
        Team = "team" / "班组级",
    }
);

impl ManagementLevel {
    /// Rank: 4 = company … 1 = team.
    pub fn rank(self) -> u8 {
        match self {
            Self::Company => 4,
            Self::Department => 3,
            Self::Workshop => 2,
            Self::Team => 1,
        }
    }
}

/// The lowest management level that must control a risk of `level` ("风险越高管控层级越高",
/// 安委办〔2016〕11号 as commonly implemented, SECONDARY): 重大 → company, 较大 → department,
/// 一般 → workshop, 低 → team.
pub fn min_management_level(level: RiskLevel) -> ManagementLevel {
    match level {
        RiskLevel::Major => ManagementLevel::Company,
        RiskLevel::High => ManagementLevel::Department,
        RiskLevel::Medium => ManagementLevel::Workshop,
        RiskLevel::Low => ManagementLevel::Team,
    }
}

/// The management-level gap of a risk point: `Some(required)` when none of its measures is
/// controlled at or above [`min_management_level`] of `level` (no measures at all is a gap too),
/// `None` when the rule is met. A gap is shown as a warning; it never blocks a change.
pub fn management_gap(
    level: RiskLevel,
    measure_levels: impl IntoIterator<Item = ManagementLevel>,
) -> Option<ManagementLevel> {
    let need = min_management_level(level);
    if measure_levels.into_iter().any(|m| m.rank() >= need.rank()) {
        None
    } else {
        Some(need)
    }
}

/// The warning text of a gap, e.g. `重大风险应至少有一项公司级管控措施`.
pub fn management_gap_message(level: RiskLevel, need: ManagementLevel) -> String {
    format!(
        "{}应至少有一项{}（或更高层级）管控措施",
        level.name_zh(),
        need.name_zh()
    )
}

/// Review (re-assessment) cycles by level, months. The default (3 / 6 / 12 / 12) is a platform
/// default, not a regulation; it is read from the system parameter [`REVIEW_CYCLES_PARAM`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewCycles {
    /// 重大风险, months.
    pub major: u32,
    /// 较大风险, months.
    pub high: u32,
    /// 一般风险, months.
    pub medium: u32,
    /// 低风险, months.
    pub low: u32,
}

impl Default for ReviewCycles {
    fn default() -> Self {
        Self {
            major: 3,
            high: 6,
            medium: 12,
            low: 12,
        }
    }
}

impl ReviewCycles {
    /// The cycle of `level`, months.
    pub fn months(&self, level: RiskLevel) -> u32 {
        match level {
            RiskLevel::Major => self.major,
            RiskLevel::High => self.high,
            RiskLevel::Medium => self.medium,
            RiskLevel::Low => self.low,
        }
    }

    /// Parses the parameter value (JSON object with the four levels, each 1..=60 months). A
    /// missing, malformed or out-of-range value falls back to the default.
    pub fn from_param(value: Option<&str>) -> Self {
        value
            .and_then(|v| serde_json::from_str::<Self>(v).ok())
            .filter(|c| {
                [c.major, c.high, c.medium, c.low]
                    .iter()
                    .all(|m| (1..=MAX_CYCLE_MONTHS).contains(m))
            })
            .unwrap_or_default()
    }
}

/// The next review due date: `assessed_on` plus `months` calendar months (the end of a shorter
/// month is clamped, e.g. 2026-01-31 + 1 month = 2026-02-28). `None` past the calendar's range.
pub fn next_review_due(assessed_on: NaiveDate, months: u32) -> Option<NaiveDate> {
    assessed_on.checked_add_months(Months::new(months))
}

pub use super::{end_of_day, shanghai, shanghai_date};

/// Where a risk point stands against its review due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Not due within [`DUE_SOON_DAYS`] days.
    Ok,
    /// Due today or within the next [`DUE_SOON_DAYS`] days (Asia/Shanghai dates).
    DueSoon,
    /// The end of the due date (Asia/Shanghai) has passed.
    Overdue,
}

/// The review state of a point due on `due` at `now`: overdue from the end of the due day in
/// Asia/Shanghai; due soon when the due date is at most [`DUE_SOON_DAYS`] days after today's
/// Shanghai date.
pub fn review_state(due: NaiveDate, now: DateTime<Utc>) -> ReviewState {
    if now >= end_of_day(due) {
        ReviewState::Overdue
    } else if due <= soon_limit(now) {
        ReviewState::DueSoon
    } else {
        ReviewState::Ok
    }
}

/// The last due date that counts as "due soon" at `now`: today (Shanghai) + [`DUE_SOON_DAYS`].
pub fn soon_limit(now: DateTime<Utc>) -> NaiveDate {
    let today = shanghai_date(now);
    today
        .checked_add_days(Days::new(DUE_SOON_DAYS))
        .unwrap_or(today)
}

/// The latest due date that is overdue at `now` (yesterday in Shanghai): due dates `<=` it are
/// overdue.
pub fn overdue_limit(now: DateTime<Utc>) -> NaiveDate {
    let today = shanghai_date(now);
    today.pred_opt().unwrap_or(today)
}

/// One assessment as the history sees it: its date, its insertion order (id) and its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The assessment date (Asia/Shanghai calendar date).
    pub on: NaiveDate,
    /// Insertion order (the row id): breaks ties between entries of one date.
    pub seq: i64,
    /// The level it gave.
    pub level: RiskLevel,
}

/// A change of a risk point's level derived from its assessments: `from` (None before the first
/// assessment) → `to`, effective on `on`, caused by the entry `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelChange {
    /// Effective date.
    pub on: NaiveDate,
    /// The causing entry's sequence number.
    pub seq: i64,
    /// Previous level.
    pub from: Option<RiskLevel>,
    /// New level.
    pub to: RiskLevel,
}

fn ordered(entries: &[HistoryEntry]) -> Vec<HistoryEntry> {
    let mut v = entries.to_vec();
    v.sort_by_key(|e| (e.on, e.seq));
    v
}

/// The current level: the latest entry's (by date, then sequence), `None` without entries.
pub fn current_level(entries: &[HistoryEntry]) -> Option<RiskLevel> {
    entries
        .iter()
        .max_by_key(|e| (e.on, e.seq))
        .map(|e| e.level)
}

/// The level changes of a history, in order: one per entry whose level differs from the level
/// before it (the first entry always starts one, from `None`).
pub fn level_changes(entries: &[HistoryEntry]) -> Vec<LevelChange> {
    let mut out = Vec::new();
    let mut cur: Option<RiskLevel> = None;
    for e in ordered(entries) {
        if cur != Some(e.level) {
            out.push(LevelChange {
                on: e.on,
                seq: e.seq,
                from: cur,
                to: e.level,
            });
            cur = Some(e.level);
        }
    }
    out
}

/// The level as of the end of `as_of` reconstructed from the change log: the `to` of the last
/// change (by date, then sequence) effective on or before `as_of`; `None` when the point had not
/// been assessed yet.
pub fn level_as_of(changes: &[LevelChange], as_of: NaiveDate) -> Option<RiskLevel> {
    changes
        .iter()
        .filter(|c| c.on <= as_of)
        .max_by_key(|c| (c.on, c.seq))
        .map(|c| c.to)
}

/// Checks a GB/T 13861-2022 hazardous-factor code (shape and existence in Table 1).
///
/// # Errors
/// The reason, for a field error.
pub fn check_hazard_factor(code: &str) -> Result<(), String> {
    hazard_factor::validate(code)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Checks a GB 6441 accident-type code of either scheme (`01`-`20` of GB 6441-86, `WSA1xxxx` of
/// GB 6441-2025 §5.3). Injury-severity (`WSA2…`) codes are not accident types.
///
/// # Errors
/// The reason, for a field error.
pub fn check_accident_type(code: &str) -> Result<(), String> {
    let scheme = Scheme::of_code(code)
        .ok_or_else(|| format!(
            "{code:?} 不是 GB 6441 事故类别代码（01-20 或 WSA1xxxx） / {code:?} is not a GB 6441 code (01-20 or WSA1xxxx)"
        ))?;
    let t = classification::validate(scheme, code).map_err(|e| e.to_string())?;
    if t.kind != classification::Kind::AccidentType {
        return Err(format!(
            "{code} 不是事故类别代码 / {code} is not an accident type"
        ));
    }
    Ok(())
}

/// The inputs of an assessment: LEC (`D = L × E × C`, each on its scale) or the 5 × 5 L × S
/// matrix (standards.md §A4, SECONDARY), computed by [`crate::standards::risk`] with the default
/// band configuration (`data/risk.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum AssessmentInput {
    /// LEC: L (likelihood), E (exposure), C (consequence), each a value of its scale.
    Lec {
        /// Likelihood: 10, 6, 3, 1, 0.5, 0.2 or 0.1.
        l: f64,
        /// Exposure: 10, 6, 3, 2, 1 or 0.5.
        e: f64,
        /// Consequence: 100, 40, 15, 7, 3 or 1.
        c: f64,
    },
    /// L × S: likelihood and severity, 1..=5 each.
    Ls {
        /// Likelihood 1..=5.
        l: u32,
        /// Severity 1..=5.
        s: u32,
    },
}

/// What an assessment computes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluated {
    /// D (LEC) or R (L × S), dimensionless.
    pub value: f64,
    /// The level of that value.
    pub level: RiskLevel,
    /// The level's colour.
    pub colour: crate::standards::risk::Colour,
}

impl AssessmentInput {
    /// The method's wire name: `lec` or `ls`.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Lec { .. } => "lec",
            Self::Ls { .. } => "ls",
        }
    }

    /// Computes value, level and colour.
    ///
    /// # Errors
    /// [`crate::standards::calc::CalcError`] naming `l`, `e`, `c` or `s` when a value is off its
    /// scale.
    pub fn evaluate(&self) -> Result<Evaluated, crate::standards::calc::CalcError> {
        use crate::standards::risk::{LecConfig, MatrixConfig, lec, matrix};
        match *self {
            Self::Lec { l, e, c } => {
                let r = lec(l, e, c, &LecConfig::default())?;
                Ok(Evaluated {
                    value: r.d(),
                    level: r.level,
                    colour: r.colour,
                })
            }
            Self::Ls { l, s } => {
                let r = matrix(l, s, &MatrixConfig::default()).map_err(|mut e| {
                    e.field = match e.field.as_str() {
                        "likelihood" => "l".into(),
                        "severity" => "s".into(),
                        other => other.into(),
                    };
                    e
                })?;
                Ok(Evaluated {
                    value: f64::from(r.score),
                    level: r.level,
                    colour: r.colour,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn wire_names_round_trip() {
        for k in RiskPointKind::ALL {
            assert_eq!(RiskPointKind::parse(k.as_str()), Some(*k));
        }
        for k in MeasureKind::ALL {
            assert_eq!(MeasureKind::parse(k.as_str()), Some(*k));
        }
        for k in ManagementLevel::ALL {
            assert_eq!(ManagementLevel::parse(k.as_str()), Some(*k));
        }
        assert_eq!(RiskPointKind::parse("Area"), None);
        assert_eq!(
            serde_json::to_value(MeasureKind::PersonalProtection).unwrap(),
            "personal_protection"
        );
    }

    #[test]
    fn higher_risk_needs_higher_level() {
        assert_eq!(
            min_management_level(RiskLevel::Major),
            ManagementLevel::Company
        );
        assert_eq!(
            min_management_level(RiskLevel::High),
            ManagementLevel::Department
        );
        assert_eq!(
            min_management_level(RiskLevel::Medium),
            ManagementLevel::Workshop
        );
        assert_eq!(min_management_level(RiskLevel::Low), ManagementLevel::Team);
        // Monotonic: a higher risk never needs a lower level.
        for a in RiskLevel::ALL {
            for b in RiskLevel::ALL {
                if a > b {
                    assert!(min_management_level(a).rank() > min_management_level(b).rank());
                }
            }
        }
    }

    #[test]
    fn gap_at_every_edge() {
        use ManagementLevel::*;
        assert_eq!(management_gap(RiskLevel::Major, []), Some(Company));
        assert_eq!(
            management_gap(RiskLevel::Major, [Department, Team]),
            Some(Company)
        );
        assert_eq!(management_gap(RiskLevel::Major, [Team, Company]), None);
        assert_eq!(
            management_gap(RiskLevel::High, [Workshop]),
            Some(Department)
        );
        assert_eq!(management_gap(RiskLevel::High, [Department]), None);
        assert_eq!(management_gap(RiskLevel::High, [Company]), None);
        assert_eq!(management_gap(RiskLevel::Medium, [Team]), Some(Workshop));
        assert_eq!(management_gap(RiskLevel::Medium, [Workshop]), None);
        assert_eq!(management_gap(RiskLevel::Low, []), Some(Team));
        assert_eq!(management_gap(RiskLevel::Low, [Team]), None);
        assert!(management_gap_message(RiskLevel::Major, Company).contains("公司级"));
    }

    #[test]
    fn review_cycles_default_and_param() {
        let c = ReviewCycles::default();
        assert_eq!(RiskLevel::ALL.map(|l| c.months(l)), [3, 6, 12, 12]);
        let p = ReviewCycles::from_param(Some(r#"{"major":1,"high":2,"medium":6,"low":24}"#));
        assert_eq!(p.months(RiskLevel::Low), 24);
        assert_eq!(p.months(RiskLevel::Major), 1);
        for bad in [
            None,
            Some("x"),
            Some(r#"{"major":0,"high":2,"medium":6,"low":24}"#),
            Some(r#"{"major":61,"high":2,"medium":6,"low":24}"#),
            Some(r#"{"major":1,"high":2,"medium":6}"#),
        ] {
            assert_eq!(
                ReviewCycles::from_param(bad),
                ReviewCycles::default(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn due_dates_clamp_month_ends() {
        assert_eq!(next_review_due(d("2026-01-31"), 1), Some(d("2026-02-28")));
        assert_eq!(next_review_due(d("2024-11-30"), 3), Some(d("2025-02-28")));
        assert_eq!(next_review_due(d("2023-11-30"), 3), Some(d("2024-02-29")));
        assert_eq!(next_review_due(d("2026-03-15"), 12), Some(d("2027-03-15")));
    }

    #[test]
    fn review_state_edges_in_shanghai() {
        let due = d("2026-03-31");
        // The end of 2026-03-31 in Shanghai is 2026-03-31T16:00Z.
        assert_eq!(end_of_day(due), t("2026-03-31T16:00:00Z"));
        assert_eq!(
            review_state(due, t("2026-03-31T15:59:59Z")),
            ReviewState::DueSoon
        );
        assert_eq!(
            review_state(due, t("2026-03-31T16:00:00Z")),
            ReviewState::Overdue
        );
        // Due soon from 7 days before (Shanghai dates): 03-24 00:00 +08 = 03-23T16:00Z.
        assert_eq!(
            review_state(due, t("2026-03-23T15:59:59Z")),
            ReviewState::Ok
        );
        assert_eq!(
            review_state(due, t("2026-03-23T16:00:00Z")),
            ReviewState::DueSoon
        );
        assert_eq!(overdue_limit(t("2026-04-01T00:00:00Z")), d("2026-03-31"));
        assert_eq!(soon_limit(t("2026-03-23T16:00:00Z")), d("2026-03-31"));
    }

    #[test]
    fn history_and_as_of() {
        let e = |on: &str, seq, level| HistoryEntry {
            on: d(on),
            seq,
            level,
        };
        let h = [
            e("2025-01-10", 1, RiskLevel::Medium),
            e("2025-06-01", 2, RiskLevel::Medium),
            e("2025-06-01", 3, RiskLevel::Major),
            e("2025-12-01", 4, RiskLevel::High),
        ];
        let c = level_changes(&h);
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].from, c[0].to), (None, RiskLevel::Medium));
        assert_eq!(
            (c[1].from, c[1].to),
            (Some(RiskLevel::Medium), RiskLevel::Major)
        );
        assert_eq!(level_as_of(&c, d("2025-01-09")), None);
        assert_eq!(level_as_of(&c, d("2025-01-10")), Some(RiskLevel::Medium));
        assert_eq!(level_as_of(&c, d("2025-05-31")), Some(RiskLevel::Medium));
        assert_eq!(level_as_of(&c, d("2025-06-01")), Some(RiskLevel::Major));
        assert_eq!(level_as_of(&c, d("2025-11-30")), Some(RiskLevel::Major));
        assert_eq!(level_as_of(&c, d("2099-01-01")), current_level(&h));
    }

    #[test]
    fn evaluation_band_edges() {
        let lec = |l, e, c| AssessmentInput::Lec { l, e, c }.evaluate().unwrap();
        // Bands (at-or-above): D >= 320 major, 160.. high, 70.. medium, below low.
        assert_eq!(lec(10.0, 6.0, 40.0).level, RiskLevel::Major); // 2400
        let v = lec(6.0, 6.0, 7.0); // 252
        assert_eq!((v.value, v.level), (252.0, RiskLevel::High));
        let v = lec(3.0, 6.0, 7.0); // 126
        assert_eq!((v.value, v.level), (126.0, RiskLevel::Medium));
        let v = lec(1.0, 10.0, 7.0); // 70
        assert_eq!((v.value, v.level), (70.0, RiskLevel::Medium));
        let v = lec(3.0, 3.0, 7.0); // 63
        assert_eq!((v.value, v.level), (63.0, RiskLevel::Low));
        let v = lec(1.0, 2.0, 100.0); // 200
        assert_eq!(v.level, RiskLevel::High);
        let ls = |l, s| AssessmentInput::Ls { l, s }.evaluate().unwrap();
        assert_eq!(ls(4, 5).level, RiskLevel::Major); // 20
        assert_eq!(ls(4, 4).level, RiskLevel::High); // 16
        assert_eq!(ls(3, 5).level, RiskLevel::High); // 15
        assert_eq!(ls(3, 4).level, RiskLevel::Medium); // 12
        assert_eq!(ls(3, 3).level, RiskLevel::Medium); // 9
        assert_eq!(ls(2, 4).level, RiskLevel::Low); // 8
        let e = AssessmentInput::Ls { l: 6, s: 1 }.evaluate().unwrap_err();
        assert_eq!(e.field, "l");
        let e = AssessmentInput::Lec {
            l: 2.0,
            e: 1.0,
            c: 1.0,
        }
        .evaluate()
        .unwrap_err();
        assert_eq!(e.field, "l");
        let j: AssessmentInput = serde_json::from_str(r#"{"method":"ls","l":2,"s":3}"#).unwrap();
        assert_eq!(j.method(), "ls");
    }

    #[test]
    fn code_checks() {
        assert!(check_hazard_factor("1").is_ok());
        assert!(check_hazard_factor("9").is_err());
        assert!(check_hazard_factor("").is_err());
        assert!(check_accident_type("08").is_ok());
        assert!(check_accident_type("WSA10009").is_ok());
        assert!(check_accident_type("21").is_err());
        assert!(check_accident_type("WSA20001").is_err());
        assert!(check_accident_type("x").is_err());
    }

    fn level() -> impl Strategy<Value = RiskLevel> {
        prop::sample::select(RiskLevel::ALL.to_vec())
    }

    fn entries() -> impl Strategy<Value = Vec<HistoryEntry>> {
        prop::collection::vec((0u32..400, level()), 0..12).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (day, level))| HistoryEntry {
                    on: d("2025-01-01") + Days::new(day.into()),
                    seq: i as i64 + 1,
                    level,
                })
                .collect()
        })
    }

    proptest! {
        /// The level as of a date from the change log equals the level of the latest assessment
        /// on or before that date (by date, then id).
        #[test]
        fn as_of_from_changes_matches_assessments(h in entries(), day in 0u32..420) {
            let as_of = d("2024-12-31") + Days::new(day.into());
            let expected = h.iter().filter(|e| e.on <= as_of).max_by_key(|e| (e.on, e.seq)).map(|e| e.level);
            prop_assert_eq!(level_as_of(&level_changes(&h), as_of), expected);
        }

        /// Consecutive changes chain (each `from` is the previous `to`) and never repeat a level.
        #[test]
        fn changes_chain(h in entries()) {
            let c = level_changes(&h);
            for w in c.windows(2) {
                prop_assert_eq!(w[1].from, Some(w[0].to));
                prop_assert_ne!(w[1].to, w[0].to);
            }
            prop_assert_eq!(c.last().map(|c| c.to), current_level(&h));
        }

        /// The due date is after the assessment, at most `months` × 31 days later, and the state
        /// moves forward with time: ok → due soon → overdue, never back.
        #[test]
        fn due_dates_and_states(day in 0u32..3000, months in 1u32..=60, hours in prop::collection::vec(0i64..20_000, 1..8)) {
            let on = d("2020-01-01") + Days::new(day.into());
            let due = next_review_due(on, months).unwrap();
            prop_assert!(due > on);
            prop_assert!((due - on).num_days() <= i64::from(months) * 31);
            let mut hs = hours.clone();
            hs.sort_unstable();
            let rank = |s: ReviewState| match s { ReviewState::Ok => 0, ReviewState::DueSoon => 1, ReviewState::Overdue => 2 };
            let base = end_of_day(due) - chrono::Duration::days(10);
            let mut last = 0;
            for h in hs {
                let s = review_state(due, base + chrono::Duration::hours(h / 10));
                prop_assert!(rank(s) >= last);
                last = rank(s);
            }
        }

        /// Overdue exactly from the end of the due day in Shanghai.
        #[test]
        fn overdue_edge(day in 0u32..3000, secs in -100_000i64..100_000) {
            let due = d("2020-01-01") + Days::new(day.into());
            let now = end_of_day(due) + chrono::Duration::seconds(secs);
            prop_assert_eq!(review_state(due, now) == ReviewState::Overdue, secs >= 0);
            prop_assert_eq!(due <= overdue_limit(now), secs >= 0);
        }
    }
}
