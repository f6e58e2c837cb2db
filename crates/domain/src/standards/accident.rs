//! Decree 493 accidents: grade, reporting chain and deadlines; Order 21 near-miss reports; Order 14
//! (2024) fines.
//!
//! Sources (see `shared/reference/standards.md` § A2; full texts checked where it points):
//! - 《生产安全事故报告和调查处理条例》 国务院令第493号 (in force 2007-06-01), "Decree 493". VERIFIED.
//!   Art. 3's last paragraph: "以上" includes the number itself, "以下" excludes it.
//! - 《生产安全事故信息报告和处置办法》 原安监总局令第21号 (2009), "Order 21". VERIFIED against the
//!   2009 text; its 2015 amendment (令第77号) was NOT checked (UNVERIFIED).
//! - 《生产安全事故罚款处罚规定》 应急管理部令第14号 (in force 2024-03-01), "Order 14". VERIFIED.
//!
//! Units: money in CNY (元), durations in hours or calendar days as named. Times are RFC 3339
//! with an offset; dates and day counts are taken in the offset of the accident time.
//!
//! ## Layout
//! - Grades: [`AccidentGrade`], [`Casualties`], [`grade`] (Decree 493 art. 3).
//! - Reporting: [`reporting_chain`], [`report_up_to`], [`min_follow_up_reports_per_day`],
//!   [`NearMiss`] (Decree 493 arts. 9-11, Order 21 arts. 6, 11, 26).
//! - Windows and deadlines: [`AccidentType`], [`day_period`], [`supplementary_window`],
//!   [`regrade`], [`Investigator`], [`investigation_report_due`], [`reply_days`]
//!   (Decree 493 arts. 13, 19, 20, 27, 29, 32).
//! - Fines: [`UNIT_FINE_BANDS`], [`unit_fine_band`], [`principal_income_share_pct`],
//!   [`other_person_income_share_pct`] (Order 14 arts. 14-21).
//! - Topics: [`calc_grade`], [`calc_deadlines`], [`calc_fine`].

use super::calc::{CalcError, parse, to_value};
use super::warning_levels::WarningLevel;
use chrono::{DateTime, Days, FixedOffset, NaiveDate, SecondsFormat, TimeDelta};
use serde::{Deserialize, Serialize};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// Grades (Decree 493 art. 3)
// ---------------------------------------------------------------------------------------------

/// Accident grade, Decree 493 art. 3. The derived order runs from least to most serious
/// (`Ordinary < RelativelySerious < Serious < EspeciallySerious`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccidentGrade {
    /// 一般事故: < 3 deaths and < 10 serious injuries and < 10,000,000 CNY.
    Ordinary,
    /// 较大事故: 3 ≤ deaths < 10, or 10 ≤ serious injuries < 50, or 10,000,000 ≤ loss < 50,000,000 CNY.
    RelativelySerious,
    /// 重大事故: 10 ≤ deaths < 30, or 50 ≤ serious injuries < 100, or 50,000,000 ≤ loss < 100,000,000 CNY.
    Serious,
    /// 特别重大事故: ≥ 30 deaths, or ≥ 100 serious injuries, or ≥ 100,000,000 CNY.
    EspeciallySerious,
}

impl AccidentGrade {
    /// All grades, least serious first.
    pub const ALL: [Self; 4] = [
        Self::Ordinary,
        Self::RelativelySerious,
        Self::Serious,
        Self::EspeciallySerious,
    ];

    /// Chinese name: 特别重大, 重大, 较大, 一般.
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::EspeciallySerious => "特别重大",
            Self::Serious => "重大",
            Self::RelativelySerious => "较大",
            Self::Ordinary => "一般",
        }
    }

    /// Stable code: `especially_serious`, `serious`, `relatively_serious`, `ordinary`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::EspeciallySerious => "especially_serious",
            Self::Serious => "serious",
            Self::RelativelySerious => "relatively_serious",
            Self::Ordinary => "ordinary",
        }
    }

    /// Parses a Chinese name (with or without the suffix 事故, e.g. `较大` or `较大事故`) or a code.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let t = s.strip_suffix("事故").unwrap_or(s);
        Self::ALL
            .into_iter()
            .find(|g| g.name_zh() == t || g.code() == t)
    }

    /// 0 (一般) .. 3 (特别重大).
    const fn rank(self) -> usize {
        match self {
            Self::Ordinary => 0,
            Self::RelativelySerious => 1,
            Self::Serious => 2,
            Self::EspeciallySerious => 3,
        }
    }

    const fn from_rank(rank: usize) -> Self {
        match rank {
            0 => Self::Ordinary,
            1 => Self::RelativelySerious,
            2 => Self::Serious,
            _ => Self::EspeciallySerious,
        }
    }

    /// The matching warning / response level (一级 ↔ 特别重大 ... 四级 ↔ 一般).
    pub const fn warning_level(self) -> WarningLevel {
        WarningLevel::from_grade(self)
    }
}

impl std::fmt::Display for AccidentGrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name_zh())
    }
}

/// Deaths at which 较大, 重大, 特别重大 start (Decree 493 art. 3: 3, 10, 30 人以上).
pub const DEATHS_THRESHOLDS: [u32; 3] = [3, 10, 30];
/// Serious injuries (incl. acute industrial poisoning) at which 较大, 重大, 特别重大 start
/// (Decree 493 art. 3: 10, 50, 100 人以上).
pub const SERIOUS_INJURIES_THRESHOLDS: [u32; 3] = [10, 50, 100];
/// Direct economic loss in CNY at which 较大, 重大, 特别重大 start (Decree 493 art. 3: 1000万,
/// 5000万, 1亿元以上).
pub const DIRECT_LOSS_THRESHOLDS_CNY: [u64; 3] = [10_000_000, 50_000_000, 100_000_000];

/// Grade reached by the number of deaths alone (Decree 493 art. 3; 以上 includes the number).
pub fn grade_by_deaths(deaths: u32) -> AccidentGrade {
    AccidentGrade::from_rank(DEATHS_THRESHOLDS.iter().filter(|t| deaths >= **t).count())
}

/// Grade reached by serious injuries, acute industrial poisoning included, alone (Decree 493
/// art. 3).
pub fn grade_by_serious_injuries(serious_injuries: u32) -> AccidentGrade {
    AccidentGrade::from_rank(
        SERIOUS_INJURIES_THRESHOLDS
            .iter()
            .filter(|t| serious_injuries >= **t)
            .count(),
    )
}

/// Grade reached by the direct economic loss (CNY) alone (Decree 493 art. 3). A NaN counts as 0.
pub fn grade_by_direct_loss(direct_loss_cny: f64) -> AccidentGrade {
    AccidentGrade::from_rank(
        DIRECT_LOSS_THRESHOLDS_CNY
            .iter()
            .filter(|t| direct_loss_cny >= **t as f64)
            .count(),
    )
}

/// One of the three grading criteria of Decree 493 art. 3. Codes are the input field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Deaths (死亡).
    Deaths,
    /// Serious injuries including acute industrial poisoning (重伤, 包括急性工业中毒).
    SeriousInjuries,
    /// Direct economic loss in CNY (直接经济损失).
    DirectLossCny,
}

impl Criterion {
    /// Code: `deaths`, `serious_injuries`, `direct_loss_cny`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Deaths => "deaths",
            Self::SeriousInjuries => "serious_injuries",
            Self::DirectLossCny => "direct_loss_cny",
        }
    }
}

/// The casualty figures that grade an accident (Decree 493 art. 3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Casualties {
    /// Deaths (missing persons are reported separately, art. 12; they are not counted here).
    pub deaths: u32,
    /// Serious injuries, acute industrial poisoning included.
    pub serious_injuries: u32,
    /// Direct economic loss, CNY (may have fen, e.g. `1234.56`).
    pub direct_loss_cny: f64,
}

impl Casualties {
    /// Checks that the loss is a finite, non-negative amount.
    ///
    /// # Errors
    /// [`CalcError`] on `direct_loss_cny`.
    pub fn validate(&self) -> Result<(), CalcError> {
        if self.direct_loss_cny.is_finite() && self.direct_loss_cny >= 0.0 {
            Ok(())
        } else {
            Err(CalcError::new(
                "direct_loss_cny",
                "must be a non-negative amount in CNY",
            ))
        }
    }

    /// The grade of these figures (see [`grade`]).
    pub fn grade(&self) -> AccidentGrade {
        grade(self).grade
    }
}

/// The result of grading: the grade and which criteria decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeDecision {
    /// The highest grade any criterion reaches.
    pub grade: AccidentGrade,
    /// The criteria that reach [`Self::grade`] (for 一般 with small figures, all three).
    pub decided_by: Vec<Criterion>,
    /// The grade each criterion reaches on its own, in the order deaths, serious injuries, loss.
    pub by_criterion: [(Criterion, AccidentGrade); 3],
}

/// Grades an accident, Decree 493 art. 3: the criteria are joined by 或者 (or), so the grade is
/// the highest reached by any one of deaths, serious injuries and direct loss.
pub fn grade(c: &Casualties) -> GradeDecision {
    let by_criterion = [
        (Criterion::Deaths, grade_by_deaths(c.deaths)),
        (
            Criterion::SeriousInjuries,
            grade_by_serious_injuries(c.serious_injuries),
        ),
        (
            Criterion::DirectLossCny,
            grade_by_direct_loss(c.direct_loss_cny),
        ),
    ];
    let top = by_criterion
        .iter()
        .map(|x| x.1)
        .max()
        .unwrap_or(AccidentGrade::Ordinary);
    GradeDecision {
        grade: top,
        decided_by: by_criterion
            .iter()
            .filter(|x| x.1 == top)
            .map(|x| x.0)
            .collect(),
        by_criterion,
    }
}

// ---------------------------------------------------------------------------------------------
// Accident type, day periods, supplementary window and re-grading (Decree 493 arts. 13, 20)
// ---------------------------------------------------------------------------------------------

/// Accident type, as far as the deadlines depend on it (Decree 493 arts. 13, 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccidentType {
    /// 道路交通事故: 7-day supplementary window.
    RoadTraffic,
    /// 火灾事故: 7-day supplementary window.
    Fire,
    /// Any other accident: 30-day supplementary window.
    #[default]
    Other,
}

impl AccidentType {
    /// Supplementary-report (补报) window in days: 7 for road traffic and fire, 30 otherwise
    /// (Decree 493 art. 13 para. 2; the same window bounds re-grading, art. 20 para. 2).
    pub const fn supplementary_window_days(self) -> u32 {
        match self {
            Self::RoadTraffic | Self::Fire => 7,
            Self::Other => 30,
        }
    }
}

/// A period of whole calendar days counted from an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayPeriod {
    /// Length in days.
    pub days: u32,
    /// The last day of the period (inclusive), in the event's offset.
    pub last_day: NaiveDate,
    /// The end of the period: 00:00 of the day after `last_day` (i.e. 24:00 of the last day),
    /// exclusive, in the event's offset.
    pub ends_at: DateTime<FixedOffset>,
}

/// The period of `days` days "自...之日起" from `start`.
///
/// Day counting (an interpretation, UNVERIFIED for these regulations, which do not define it):
/// the general rule of the Civil Code arts. 201 and 203 — the starting day is not counted, the
/// period ends at 24:00 of its last day. So an accident on 1 March has a 30-day window whose last
/// day is 31 March. Returns `None` only if the date overflows chrono's range.
pub fn day_period(start: DateTime<FixedOffset>, days: u32) -> Option<DayPeriod> {
    let last_day = start
        .date_naive()
        .checked_add_days(Days::new(u64::from(days)))?;
    let next = last_day.checked_add_days(Days::new(1))?;
    let local = next.and_hms_opt(0, 0, 0)?;
    let offset = *start.offset();
    let utc = local.checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))?;
    Some(DayPeriod {
        days,
        last_day,
        ends_at: DateTime::from_naive_utc_and_offset(utc, offset),
    })
}

/// The supplementary-report window (Decree 493 art. 13 para. 2): casualty changes within it
/// must be reported (补报) promptly; 30 days, 7 for road traffic and fire accidents. Counted by
/// [`day_period`]. `None` only on date overflow.
pub fn supplementary_window(
    occurred_at: DateTime<FixedOffset>,
    accident_type: AccidentType,
) -> Option<DayPeriod> {
    day_period(occurred_at, accident_type.supplementary_window_days())
}

/// Whether `at` falls within the supplementary window (strictly before its end).
pub fn within_supplementary_window(
    occurred_at: DateTime<FixedOffset>,
    accident_type: AccidentType,
    at: DateTime<FixedOffset>,
) -> bool {
    supplementary_window(occurred_at, accident_type).is_some_and(|w| at < w.ends_at)
}

/// The outcome of a casualty change reported after the first report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regrade {
    /// The grade before the change.
    pub previous: AccidentGrade,
    /// The grade after the change: recomputed inside the window, unchanged after it.
    pub grade: AccidentGrade,
    /// Whether the change was reported inside the supplementary window.
    pub within_window: bool,
    /// The grade rose, so a higher government is now responsible for the investigation and may
    /// set up its own team (Decree 493 art. 20 para. 2).
    pub investigation_moves_up: bool,
}

/// Re-grades after a 补报 (Decree 493 arts. 13, 20): inside the window (30 days, 7 for road
/// traffic and fire) the grade is recomputed from the updated figures; after it the grade stays.
///
/// UNVERIFIED: the Decree does not literally say "重新确定事故等级"; this follows from arts. 13
/// and 20 and common practice (standards.md § A2).
pub fn regrade(
    previous: AccidentGrade,
    updated: &Casualties,
    occurred_at: DateTime<FixedOffset>,
    accident_type: AccidentType,
    reported_at: DateTime<FixedOffset>,
) -> Regrade {
    let within_window = within_supplementary_window(occurred_at, accident_type, reported_at);
    let new = if within_window {
        updated.grade()
    } else {
        previous
    };
    Regrade {
        previous,
        grade: new,
        within_window,
        investigation_moves_up: new > previous,
    }
}

// ---------------------------------------------------------------------------------------------
// Reporting chain (Decree 493 arts. 9-11, Order 21 arts. 6, 11, 26)
// ---------------------------------------------------------------------------------------------

/// A party in the reporting chain. Authorities are the 安全生产监督管理部门 (now 应急管理部门)
/// and the departments with supervisory duties at that level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// The accident unit's head (事故发生单位负责人).
    AccidentUnit,
    /// County-level authorities (县级).
    County,
    /// Prefecture-level city authorities (设区的市级).
    PrefectureCity,
    /// Provincial authorities (省级).
    Province,
    /// The State Council's work-safety department and the departments concerned.
    StateCouncilDepartment,
    /// The provincial government (省级人民政府).
    ProvincialGovernment,
    /// The State Council (国务院).
    StateCouncil,
}

impl Party {
    /// Code, e.g. `prefecture_city`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::AccidentUnit => "accident_unit",
            Self::County => "county",
            Self::PrefectureCity => "prefecture_city",
            Self::Province => "province",
            Self::StateCouncilDepartment => "state_council_department",
            Self::ProvincialGovernment => "provincial_government",
            Self::StateCouncil => "state_council",
        }
    }

    /// Chinese name.
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::AccidentUnit => "事故发生单位负责人",
            Self::County => "县级安全生产监督管理部门和负有安全生产监督管理职责的有关部门",
            Self::PrefectureCity => {
                "设区的市级安全生产监督管理部门和负有安全生产监督管理职责的有关部门"
            }
            Self::Province => "省级安全生产监督管理部门和负有安全生产监督管理职责的有关部门",
            Self::StateCouncilDepartment => {
                "国务院安全生产监督管理部门和负有安全生产监督管理职责的有关部门"
            }
            Self::ProvincialGovernment => "省级人民政府",
            Self::StateCouncil => "国务院",
        }
    }
}

/// The highest authority a report must reach (Decree 493 art. 10 para. 1): 特别重大 and 重大 the
/// State Council department, 较大 the province, 一般 the prefecture-level city.
pub const fn report_up_to(grade: AccidentGrade) -> Party {
    match grade {
        AccidentGrade::EspeciallySerious | AccidentGrade::Serious => Party::StateCouncilDepartment,
        AccidentGrade::RelativelySerious => Party::Province,
        AccidentGrade::Ordinary => Party::PrefectureCity,
    }
}

/// Bodies notified at each level when an authority passes a report up (Decree 493 art. 10
/// para. 1): 公安机关, 劳动保障行政部门, 工会, 人民检察院; and the report goes to the government at the
/// same level (art. 10 para. 2).
pub const NOTIFIED_AT_EACH_LEVEL: [&str; 4] =
    ["公安机关", "劳动保障行政部门", "工会", "人民检察院"];

/// Hours the unit head has to report to the county-level authorities (Decree 493 art. 9).
pub const UNIT_REPORT_HOURS: u32 = 1;
/// Hours each authority level has to pass the report up (Decree 493 art. 11).
pub const EACH_LEVEL_HOURS: u32 = 2;

/// One step of the reporting chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportStep {
    /// Who reports.
    pub from: Party,
    /// To whom.
    pub to: Party,
    /// Hours allowed from when `from` received the report; `None` = immediately (立即).
    pub within_hours: Option<u32>,
    /// Latest due time, assuming every earlier step used its full allowance; `None` = immediately.
    pub due_at: Option<DateTime<FixedOffset>>,
    /// The clause.
    pub clause: &'static str,
}

/// The reporting chain for `grade`, with latest due times counted from `clock_start` (when the
/// unit head received the report; on-site people must report to the head immediately, art. 9).
///
/// - unit → county: 1 hour (Decree 493 art. 9; Order 21 art. 6);
/// - for 较大 and above also unit → province: 1 hour (Order 21 art. 6);
/// - each authority level → the next: 2 hours (Decree 493 art. 11), up to the level of
///   [`report_up_to`] (art. 10);
/// - for 特别重大 and 重大 the State Council department and the provincial government tell the
///   State Council immediately (art. 10 para. 2).
///
/// Due times assume every level used its full 2 hours; a level that reports earlier moves the
/// next level's deadline earlier (each level's 2 hours run from its own receipt). Skipping a level
/// (越级上报) is allowed when necessary (art. 10 para. 3).
pub fn reporting_chain(
    grade: AccidentGrade,
    clock_start: DateTime<FixedOffset>,
) -> Vec<ReportStep> {
    let at = |hours: u32| clock_start.checked_add_signed(TimeDelta::hours(i64::from(hours)));
    let mut steps = vec![ReportStep {
        from: Party::AccidentUnit,
        to: Party::County,
        within_hours: Some(UNIT_REPORT_HOURS),
        due_at: at(UNIT_REPORT_HOURS),
        clause: "Decree 493 art. 9; Order 21 art. 6",
    }];
    if grade >= AccidentGrade::RelativelySerious {
        steps.push(ReportStep {
            from: Party::AccidentUnit,
            to: Party::Province,
            within_hours: Some(UNIT_REPORT_HOURS),
            due_at: at(UNIT_REPORT_HOURS),
            clause: "Order 21 art. 6 (较大 and above: also to the province)",
        });
    }
    let ladder = [
        Party::County,
        Party::PrefectureCity,
        Party::Province,
        Party::StateCouncilDepartment,
    ];
    let top = report_up_to(grade);
    let mut hours = UNIT_REPORT_HOURS;
    for pair in ladder.windows(2) {
        hours += EACH_LEVEL_HOURS;
        steps.push(ReportStep {
            from: pair[0],
            to: pair[1],
            within_hours: Some(EACH_LEVEL_HOURS),
            due_at: at(hours),
            clause: "Decree 493 arts. 10, 11",
        });
        if pair[1] == top {
            break;
        }
    }
    if top == Party::StateCouncilDepartment {
        for from in [Party::StateCouncilDepartment, Party::ProvincialGovernment] {
            steps.push(ReportStep {
                from,
                to: Party::StateCouncil,
                within_hours: None,
                due_at: None,
                clause: "Decree 493 art. 10 para. 2 (立即)",
            });
        }
    }
    steps
}

/// Minimum follow-up reports (续报) per day (Order 21 art. 11): 2 for 重大 and 特别重大, 1 for
/// 较大, 一般 and 较大涉险 events.
pub const fn min_follow_up_reports_per_day(grade: AccidentGrade) -> u32 {
    match grade {
        AccidentGrade::EspeciallySerious | AccidentGrade::Serious => 2,
        _ => 1,
    }
}

/// Facts that make an event a 较大涉险事故 (major near-miss), Order 21 art. 26. All default to
/// zero / false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NearMiss {
    /// People put at risk (涉险), persons. ≥ 10 qualifies (art. 26(1)).
    pub people_at_risk: u32,
    /// People trapped or missing (被困或者下落不明), persons. ≥ 3 qualifies (art. 26(2)).
    pub trapped_or_missing: u32,
    /// People urgently evacuated (紧急疏散), persons. ≥ 500 qualifies (art. 26(3)).
    pub evacuated: u32,
    /// Serious pollution of surface water, groundwater, soil or air (art. 26(4)).
    pub serious_environmental_pollution: bool,
    /// Danger to important sites or facilities (art. 26(5)).
    pub important_site_endangered: bool,
    /// Another 较大涉险 event (art. 26(6)).
    pub other: bool,
}

/// A condition of Order 21 art. 26. Codes are the [`NearMiss`] field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NearMissCondition {
    /// ≥ 10 people at risk.
    PeopleAtRisk,
    /// ≥ 3 trapped or missing.
    TrappedOrMissing,
    /// ≥ 500 evacuated.
    Evacuated,
    /// Serious environmental pollution.
    SeriousEnvironmentalPollution,
    /// Important site or facility endangered.
    ImportantSiteEndangered,
    /// Other.
    Other,
}

/// Thresholds of Order 21 art. 26 (1)-(3) (以上, inclusive): people at risk, trapped or
/// missing, evacuated.
pub const NEAR_MISS_THRESHOLDS: [u32; 3] = [10, 3, 500];

impl NearMiss {
    /// The art. 26 conditions met; non-empty means a 较大涉险事故.
    pub fn conditions(&self) -> Vec<NearMissCondition> {
        let [risk, trapped, evacuated] = NEAR_MISS_THRESHOLDS;
        [
            (self.people_at_risk >= risk, NearMissCondition::PeopleAtRisk),
            (
                self.trapped_or_missing >= trapped,
                NearMissCondition::TrappedOrMissing,
            ),
            (self.evacuated >= evacuated, NearMissCondition::Evacuated),
            (
                self.serious_environmental_pollution,
                NearMissCondition::SeriousEnvironmentalPollution,
            ),
            (
                self.important_site_endangered,
                NearMissCondition::ImportantSiteEndangered,
            ),
            (self.other, NearMissCondition::Other),
        ]
        .into_iter()
        .filter(|x| x.0)
        .map(|x| x.1)
        .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Investigation (Decree 493 arts. 19, 27, 29, 32)
// ---------------------------------------------------------------------------------------------

/// The government responsible for the investigation (Decree 493 art. 19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Investigator {
    /// 国务院 or a department it authorises (特别重大).
    StateCouncil,
    /// 省级人民政府 (重大).
    ProvincialGovernment,
    /// 设区的市级人民政府 (较大).
    CityGovernment,
    /// 县级人民政府 (一般).
    CountyGovernment,
}

impl Investigator {
    /// For `grade` (Decree 493 art. 19 para. 1-2).
    pub const fn for_grade(grade: AccidentGrade) -> Self {
        match grade {
            AccidentGrade::EspeciallySerious => Self::StateCouncil,
            AccidentGrade::Serious => Self::ProvincialGovernment,
            AccidentGrade::RelativelySerious => Self::CityGovernment,
            AccidentGrade::Ordinary => Self::CountyGovernment,
        }
    }

    /// Code, e.g. `city_government`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::StateCouncil => "state_council",
            Self::ProvincialGovernment => "provincial_government",
            Self::CityGovernment => "city_government",
            Self::CountyGovernment => "county_government",
        }
    }

    /// Chinese name.
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::StateCouncil => "国务院或者国务院授权有关部门",
            Self::ProvincialGovernment => "事故发生地省级人民政府",
            Self::CityGovernment => "事故发生地设区的市级人民政府",
            Self::CountyGovernment => "事故发生地县级人民政府",
        }
    }
}

/// Days from the accident to submit the investigation report (Decree 493 art. 29).
pub const INVESTIGATION_REPORT_DAYS: u32 = 60;
/// Maximum extension of the investigation report deadline, days (Decree 493 art. 29).
pub const INVESTIGATION_MAX_EXTENSION_DAYS: u32 = 60;
/// Upper bound accepted for technical-appraisal days (input sanity, not a legal limit).
pub const MAX_TECHNICAL_APPRAISAL_DAYS: u32 = 3650;

/// The investigation report deadlines (Decree 493 arts. 27, 29): 60 days from the accident plus
/// the days spent on technical appraisal (which do not count), and the latest date with the
/// maximum 60-day extension. Counted by [`day_period`]. `None` on date overflow.
pub fn investigation_report_due(
    occurred_at: DateTime<FixedOffset>,
    technical_appraisal_days: u32,
) -> Option<(DayPeriod, DayPeriod)> {
    let base = INVESTIGATION_REPORT_DAYS.checked_add(technical_appraisal_days)?;
    Some((
        day_period(occurred_at, base)?,
        day_period(
            occurred_at,
            base.checked_add(INVESTIGATION_MAX_EXTENSION_DAYS)?,
        )?,
    ))
}

/// Days the investigating government has to reply (批复) from receiving the report, and the
/// maximum extension, days (Decree 493 art. 32): 15 (no extension) for 重大, 较大, 一般; 30 (+ at
/// most 30) for 特别重大.
pub const fn reply_days(grade: AccidentGrade) -> (u32, u32) {
    match grade {
        AccidentGrade::EspeciallySerious => (30, 30),
        _ => (15, 0),
    }
}

// ---------------------------------------------------------------------------------------------
// Fines (Order 14, 2024)
// ---------------------------------------------------------------------------------------------

/// A fine band for the accident unit (Order 14 arts. 14-17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FineBand {
    /// The grade the band belongs to.
    pub grade: AccidentGrade,
    /// Minimum fine, CNY.
    pub min_cny: u64,
    /// Maximum fine, CNY.
    pub max_cny: u64,
    /// The clause.
    pub clause: &'static str,
}

/// Lower edges of bands 1..=11 by deaths (Order 14 arts. 14-17; band 0 is below the first edge).
pub const FINE_DEATHS_EDGES: [u32; 11] = [1, 2, 3, 5, 7, 10, 13, 15, 30, 40, 50];
/// Lower edges of bands 1..=11 by serious injuries (Order 14 arts. 14-17).
pub const FINE_SERIOUS_INJURIES_EDGES: [u32; 11] = [3, 6, 10, 20, 30, 50, 60, 70, 100, 120, 150];
/// Lower edges of bands 1..=11 by direct loss, CNY (Order 14 arts. 14-17).
pub const FINE_DIRECT_LOSS_EDGES_CNY: [u64; 11] = [
    3_000_000,
    5_000_000,
    10_000_000,
    20_000_000,
    30_000_000,
    50_000_000,
    60_000_000,
    70_000_000,
    100_000_000,
    150_000_000,
    200_000_000,
];

const fn band(grade: AccidentGrade, min_wan: u64, max_wan: u64, clause: &'static str) -> FineBand {
    FineBand {
        grade,
        min_cny: min_wan * 10_000,
        max_cny: max_wan * 10_000,
        clause,
    }
}

/// The twelve fine bands for the accident unit, least serious first (Order 14 arts. 14-17).
pub const UNIT_FINE_BANDS: [FineBand; 12] = {
    use AccidentGrade::*;
    [
        band(Ordinary, 30, 50, "Order 14 art. 14(1)"),
        band(Ordinary, 50, 70, "Order 14 art. 14(2)"),
        band(Ordinary, 70, 100, "Order 14 art. 14(3)"),
        band(RelativelySerious, 100, 120, "Order 14 art. 15(1)"),
        band(RelativelySerious, 120, 150, "Order 14 art. 15(2)"),
        band(RelativelySerious, 150, 200, "Order 14 art. 15(3)"),
        band(Serious, 200, 400, "Order 14 art. 16(1)"),
        band(Serious, 400, 600, "Order 14 art. 16(2)"),
        band(Serious, 600, 1000, "Order 14 art. 16(3)"),
        band(EspeciallySerious, 1000, 1200, "Order 14 art. 17(1)"),
        band(EspeciallySerious, 1200, 1500, "Order 14 art. 17(2)"),
        band(EspeciallySerious, 1500, 2000, "Order 14 art. 17(3)"),
    ]
};

/// The unit's fine band for these figures and the criteria that decided it (Order 14 arts.
/// 14-17): like the grade, the highest band any criterion reaches. Returns the band index 0..12
/// into [`UNIT_FINE_BANDS`]. The bands subdivide the Decree 493 grades exactly, so
/// `UNIT_FINE_BANDS[i].grade == c.grade()`.
///
/// Interpretation: Order 14 does not restate the 以上/以下 convention; Decree 493 art. 3's
/// (以上 inclusive, 以下 exclusive) is applied, the only reading under which the bands neither
/// overlap nor leave gaps (e.g. art. 14(1) "3人以下重伤" = fewer than 3).
pub fn unit_fine_band(c: &Casualties) -> (usize, Vec<Criterion>) {
    let by = [
        (
            Criterion::Deaths,
            FINE_DEATHS_EDGES.iter().filter(|e| c.deaths >= **e).count(),
        ),
        (
            Criterion::SeriousInjuries,
            FINE_SERIOUS_INJURIES_EDGES
                .iter()
                .filter(|e| c.serious_injuries >= **e)
                .count(),
        ),
        (
            Criterion::DirectLossCny,
            FINE_DIRECT_LOSS_EDGES_CNY
                .iter()
                .filter(|e| c.direct_loss_cny >= **e as f64)
                .count(),
        ),
    ];
    let top = by.iter().map(|x| x.1).max().unwrap_or(0);
    (top, by.iter().filter(|x| x.1 == top).map(|x| x.0).collect())
}

/// The unit's fine range over all bands of `grade`, CNY (Order 14 arts. 14-17): 一般 30万-100万,
/// 较大 100万-200万, 重大 200万-1000万, 特别重大 1000万-2000万.
pub fn unit_fine_range(grade: AccidentGrade) -> (u64, u64) {
    let r = grade.rank() * 3;
    (UNIT_FINE_BANDS[r].min_cny, UNIT_FINE_BANDS[r + 2].max_cny)
}

/// Multipliers for "情节特别严重、影响特别恶劣" circumstances (Order 14 art. 18): 2× to 5× the
/// fine the law sets.
pub const ESPECIALLY_SERIOUS_MULTIPLIERS: (u64, u64) = (2, 5);

/// The principal person's (主要负责人) fine as a percentage of the previous year's income (Order
/// 14 art. 19): 40 (一般), 60 (较大), 80 (重大), 100 (特别重大).
pub const fn principal_income_share_pct(grade: AccidentGrade) -> u32 {
    match grade {
        AccidentGrade::Ordinary => 40,
        AccidentGrade::RelativelySerious => 60,
        AccidentGrade::Serious => 80,
        AccidentGrade::EspeciallySerious => 100,
    }
}

/// Other persons in charge and safety managers: fine range as a percentage of the previous year's
/// income (Order 14 art. 20): 20-30 (一般), 30-40 (较大), 40-50 (重大), 50 (特别重大).
pub const fn other_person_income_share_pct(grade: AccidentGrade) -> (u32, u32) {
    match grade {
        AccidentGrade::Ordinary => (20, 30),
        AccidentGrade::RelativelySerious => (30, 40),
        AccidentGrade::Serious => (40, 50),
        AccidentGrade::EspeciallySerious => (50, 50),
    }
}

/// Fine on an individual investor (个人经营的投资人) who did not ensure the necessary safety
/// funds, CNY (Order 14 art. 21): 2万-5万 (一般), 5万-10万 (较大), 10万-15万 (重大), 15万-20万
/// (特别重大).
pub const fn individual_investor_fine_cny(grade: AccidentGrade) -> (u64, u64) {
    match grade {
        AccidentGrade::Ordinary => (20_000, 50_000),
        AccidentGrade::RelativelySerious => (50_000, 100_000),
        AccidentGrade::Serious => (100_000, 150_000),
        AccidentGrade::EspeciallySerious => (150_000, 200_000),
    }
}

/// `income × pct / 100`, rounded to the fen.
fn share(income_cny: f64, pct: u32) -> f64 {
    (income_cny * f64::from(pct)).round() / 100.0
}

/// A CNY amount as JSON: an integer when it is whole (and exactly representable), else a decimal.
fn money(v: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if v.fract() == 0.0 && (0.0..EXACT).contains(&v) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Value::from(v as u64)
    } else {
        to_value(&v)
    }
}

// ---------------------------------------------------------------------------------------------
// Calculation topics
// ---------------------------------------------------------------------------------------------

fn parse_time(field: &str, s: &str) -> Result<DateTime<FixedOffset>, CalcError> {
    DateTime::parse_from_rfc3339(s).map_err(|_| {
        CalcError::new(
            field,
            "must be an RFC 3339 time with an offset, e.g. 2024-03-01T10:00:00+08:00",
        )
    })
}

fn fmt_time(t: DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn overflow(field: &str) -> CalcError {
    CalcError::new(field, "date out of range")
}

fn check_amount(field: &str, v: f64) -> Result<f64, CalcError> {
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(CalcError::new(
            field,
            "must be a non-negative amount in CNY",
        ))
    }
}

/// Either a grade or the three casualty figures.
fn resolve_grade(
    grade: Option<&str>,
    deaths: Option<u32>,
    serious_injuries: Option<u32>,
    direct_loss_cny: Option<f64>,
) -> Result<(AccidentGrade, Option<Casualties>), CalcError> {
    let any_figure = deaths.is_some() || serious_injuries.is_some() || direct_loss_cny.is_some();
    match (grade, any_figure) {
        (Some(_), true) => Err(CalcError::new(
            "grade",
            "give either grade or the casualty figures, not both",
        )),
        (Some(g), false) => AccidentGrade::parse(g).map(|g| (g, None)).ok_or_else(|| {
            CalcError::new(
                "grade",
                "must be 特别重大, 重大, 较大 or 一般 (or especially_serious, serious, relatively_serious, ordinary)",
            )
        }),
        (None, false) => Err(CalcError::new(
            "grade",
            "is required (or give deaths, serious_injuries and direct_loss_cny)",
        )),
        (None, true) => {
            let c = Casualties {
                deaths: deaths.ok_or_else(|| CalcError::new("deaths", "is required"))?,
                serious_injuries: serious_injuries
                    .ok_or_else(|| CalcError::new("serious_injuries", "is required"))?,
                direct_loss_cny: direct_loss_cny
                    .ok_or_else(|| CalcError::new("direct_loss_cny", "is required"))?,
            };
            c.validate()?;
            Ok((c.grade(), Some(c)))
        }
    }
}

const NOTE_DAY_COUNT: &str = "day periods: the accident day is not counted and a period ends at 24:00 of its last day (Civil Code arts. 201, 203) - an interpretation, UNVERIFIED for Decree 493";
const NOTE_REGRADE: &str = "UNVERIFIED: re-grading on casualty changes within the window follows from Decree 493 arts. 13 and 20 and practice; the Decree does not literally say so";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GradeInput {
    deaths: u32,
    serious_injuries: u32,
    direct_loss_cny: f64,
    #[serde(default)]
    accident_type: Option<AccidentType>,
    #[serde(default)]
    occurred_at: Option<String>,
}

#[derive(Serialize)]
struct CriterionOut {
    value: Value,
    grade: &'static str,
    grade_code: &'static str,
}

#[derive(Serialize)]
struct WindowOut {
    days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ends_at: Option<String>,
    clause: &'static str,
}

#[derive(Serialize)]
struct GradeOutput {
    grade: &'static str,
    grade_code: &'static str,
    decided_by: Vec<&'static str>,
    criteria: serde_json::Map<String, Value>,
    warning_level: u8,
    warning_colour: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplementary_window: Option<WindowOut>,
    clause: &'static str,
    notes: Vec<&'static str>,
}

fn window_out(
    accident_type: AccidentType,
    occurred_at: Option<DateTime<FixedOffset>>,
) -> Result<WindowOut, CalcError> {
    let days = accident_type.supplementary_window_days();
    let (last_day, ends_at) = match occurred_at {
        Some(t) => {
            let w =
                supplementary_window(t, accident_type).ok_or_else(|| overflow("occurred_at"))?;
            (Some(w.last_day.to_string()), Some(fmt_time(w.ends_at)))
        }
        None => (None, None),
    };
    Ok(WindowOut {
        days,
        last_day,
        ends_at,
        clause: "Decree 493 arts. 13, 20 (30 days; 7 for road traffic and fire)",
    })
}

/// The `accident-grade` topic (Decree 493 art. 3).
///
/// Input: `deaths` (persons), `serious_injuries` (persons, acute industrial poisoning
/// included), `direct_loss_cny` (CNY, non-negative, fen allowed) — all required; optional
/// `accident_type` (`road_traffic`, `fire`, `other`) and `occurred_at` (RFC 3339 with offset).
///
/// Output: `grade` (特别重大/重大/较大/一般), `grade_code` (`especially_serious`/`serious`/
/// `relatively_serious`/`ordinary`), `decided_by` (criteria reaching that grade), `criteria`
/// (each criterion's own value and grade), `warning_level` (1-4) and `warning_colour`,
/// `supplementary_window` (only when `accident_type` or `occurred_at` is given: `days`, and with
/// `occurred_at` its `last_day` and exclusive `ends_at`), `clause`, `notes`.
///
/// # Errors
/// [`CalcError`] naming the field: missing, negative or mistyped figures, an unknown
/// `accident_type`, an `occurred_at` that is not RFC 3339, unknown fields.
pub fn calc_grade(input: &Value) -> Result<Value, CalcError> {
    let i: GradeInput = parse(input)?;
    let c = Casualties {
        deaths: i.deaths,
        serious_injuries: i.serious_injuries,
        direct_loss_cny: i.direct_loss_cny,
    };
    c.validate()?;
    let occurred_at = i
        .occurred_at
        .as_deref()
        .map(|s| parse_time("occurred_at", s))
        .transpose()?;
    let d = grade(&c);
    let mut criteria = serde_json::Map::new();
    for (crit, g) in d.by_criterion {
        let value = match crit {
            Criterion::Deaths => Value::from(c.deaths),
            Criterion::SeriousInjuries => Value::from(c.serious_injuries),
            Criterion::DirectLossCny => money(c.direct_loss_cny),
        };
        criteria.insert(
            crit.code().to_owned(),
            to_value(&CriterionOut {
                value,
                grade: g.name_zh(),
                grade_code: g.code(),
            }),
        );
    }
    let mut notes = Vec::new();
    if c.deaths == 0 && c.serious_injuries == 0 && c.direct_loss_cny == 0.0 {
        notes.push("no deaths, serious injuries or direct loss: Decree 493 applies to accidents causing casualties or direct loss (art. 2); no-casualty accidents with bad social impact may still be investigated (art. 44)");
    }
    let supplementary_window = if i.accident_type.is_some() || occurred_at.is_some() {
        if occurred_at.is_some() {
            notes.push(NOTE_DAY_COUNT);
        }
        notes.push(NOTE_REGRADE);
        Some(window_out(
            i.accident_type.unwrap_or_default(),
            occurred_at,
        )?)
    } else {
        None
    };
    let level = d.grade.warning_level();
    Ok(to_value(&GradeOutput {
        grade: d.grade.name_zh(),
        grade_code: d.grade.code(),
        decided_by: d.decided_by.iter().map(|c| c.code()).collect(),
        criteria,
        warning_level: level.number(),
        warning_colour: level.colour().code(),
        supplementary_window,
        clause: "Decree 493 art. 3",
        notes,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlinesInput {
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    deaths: Option<u32>,
    #[serde(default)]
    serious_injuries: Option<u32>,
    #[serde(default)]
    direct_loss_cny: Option<f64>,
    #[serde(default)]
    accident_type: AccidentType,
    occurred_at: String,
    #[serde(default)]
    unit_head_notified_at: Option<String>,
    #[serde(default)]
    technical_appraisal_days: u32,
    #[serde(default)]
    investigation_report_received_on: Option<String>,
    #[serde(default)]
    near_miss: Option<NearMiss>,
}

#[derive(Serialize)]
struct StepOut {
    step: usize,
    from: &'static str,
    from_zh: &'static str,
    to: &'static str,
    to_zh: &'static str,
    within_hours: Option<u32>,
    immediately: bool,
    due_at: Option<String>,
    clause: &'static str,
}

#[derive(Serialize)]
struct NearMissOut {
    is_major_near_miss: bool,
    conditions: Vec<NearMissCondition>,
    clause: &'static str,
}

#[derive(Serialize)]
struct InvestigationOut {
    authority: &'static str,
    authority_zh: &'static str,
    may_entrust_unit_if_no_casualties: bool,
    report_within_days: u32,
    technical_appraisal_days: u32,
    report_due_last_day: String,
    report_due_at: String,
    max_extension_days: u32,
    extended_due_last_day: String,
    extended_due_at: String,
    clause: &'static str,
}

#[derive(Serialize)]
struct ReplyOut {
    within_days: u32,
    max_extension_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    report_received_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    due_last_day: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extended_due_last_day: Option<String>,
    clause: &'static str,
}

#[derive(Serialize)]
struct DeadlinesOutput {
    grade: &'static str,
    grade_code: &'static str,
    accident_type: AccidentType,
    occurred_at: String,
    clock_starts_at: String,
    report_up_to: &'static str,
    report_up_to_zh: &'static str,
    reporting_chain: Vec<StepOut>,
    notify_at_each_level: [&'static str; 4],
    report_to_government_at_each_level: bool,
    state_council_informed_immediately: bool,
    follow_up_reports_min_per_day: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    major_near_miss: Option<NearMissOut>,
    supplementary_window: WindowOut,
    investigation: InvestigationOut,
    reply: ReplyOut,
    notes: Vec<&'static str>,
}

/// The `accident-deadlines` topic (Decree 493 arts. 9-13, 19, 20, 27, 29, 32; Order 21 arts. 6,
/// 11, 26).
///
/// Input: either `grade` (特别重大/重大/较大/一般 or its code) or all of `deaths`,
/// `serious_injuries`, `direct_loss_cny`; `occurred_at` (RFC 3339, required); optional
/// `accident_type` (`road_traffic`/`fire`/`other`, default `other`), `unit_head_notified_at`
/// (RFC 3339; the 1-hour clock starts here, default `occurred_at`), `technical_appraisal_days`
/// (days, default 0, at most 3650), `investigation_report_received_on` (`YYYY-MM-DD`) and
/// `near_miss` ([`NearMiss`] fields).
///
/// Output: grade, `reporting_chain` (steps with `within_hours` and latest `due_at`),
/// `report_up_to`, notified bodies, `follow_up_reports_min_per_day`, `major_near_miss`,
/// `supplementary_window` (`days`, `last_day`, exclusive `ends_at`), `investigation` (authority,
/// report due dates with and without the 60-day extension), `reply` (days, and dates when the
/// report's receipt date is given), `notes`.
///
/// # Errors
/// [`CalcError`] naming the field: bad or conflicting grade/figures, times that are not RFC 3339,
/// a bad date, too many appraisal days, unknown fields.
pub fn calc_deadlines(input: &Value) -> Result<Value, CalcError> {
    let i: DeadlinesInput = parse(input)?;
    let (grade, _) = resolve_grade(
        i.grade.as_deref(),
        i.deaths,
        i.serious_injuries,
        i.direct_loss_cny,
    )?;
    let occurred_at = parse_time("occurred_at", &i.occurred_at)?;
    let clock = match i.unit_head_notified_at.as_deref() {
        Some(s) => {
            let t = parse_time("unit_head_notified_at", s)?;
            if t < occurred_at {
                return Err(CalcError::new(
                    "unit_head_notified_at",
                    "must not be before occurred_at",
                ));
            }
            t
        }
        None => occurred_at,
    };
    if i.technical_appraisal_days > MAX_TECHNICAL_APPRAISAL_DAYS {
        return Err(CalcError::new(
            "technical_appraisal_days",
            format!("must be at most {MAX_TECHNICAL_APPRAISAL_DAYS}"),
        ));
    }
    let received_on = i
        .investigation_report_received_on
        .as_deref()
        .map(|s| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                CalcError::new(
                    "investigation_report_received_on",
                    "must be a date YYYY-MM-DD",
                )
            })
        })
        .transpose()?;

    let reporting_chain = reporting_chain(grade, clock)
        .into_iter()
        .enumerate()
        .map(|(n, s)| StepOut {
            step: n + 1,
            from: s.from.code(),
            from_zh: s.from.name_zh(),
            to: s.to.code(),
            to_zh: s.to.name_zh(),
            within_hours: s.within_hours,
            immediately: s.within_hours.is_none(),
            due_at: s.due_at.map(fmt_time),
            clause: s.clause,
        })
        .collect();

    let near = i.near_miss.map(|n| {
        let conditions = n.conditions();
        NearMissOut {
            is_major_near_miss: !conditions.is_empty(),
            conditions,
            clause: "Order 21 art. 26",
        }
    });

    let (due, extended) = investigation_report_due(occurred_at, i.technical_appraisal_days)
        .ok_or_else(|| overflow("occurred_at"))?;
    let inv = Investigator::for_grade(grade);
    let (reply_in, reply_ext) = reply_days(grade);
    let add = |d: NaiveDate, n: u32| {
        d.checked_add_days(Days::new(u64::from(n)))
            .map(|x| x.to_string())
            .ok_or_else(|| overflow("investigation_report_received_on"))
    };
    let (due_last_day, extended_due_last_day) = match received_on {
        Some(d) => (
            Some(add(d, reply_in)?),
            if reply_ext > 0 {
                Some(add(d, reply_in + reply_ext)?)
            } else {
                None
            },
        ),
        None => (None, None),
    };
    let top = report_up_to(grade);
    let mut notes = vec![
        "due_at values assume each level used its full allowance; each level's 2 hours run from its own receipt, and a level may be skipped when necessary (Decree 493 art. 10 para. 3)",
        NOTE_DAY_COUNT,
        NOTE_REGRADE,
    ];
    if i.unit_head_notified_at.is_none() {
        notes.push("the 1-hour clock runs from the unit head's receipt of the report (art. 9); on-site people must report immediately, so occurred_at is used as that time");
    }
    notes.push("UNVERIFIED: Order 21 was amended in 2015 (令第77号); the 2009 text was used");

    Ok(to_value(&DeadlinesOutput {
        grade: grade.name_zh(),
        grade_code: grade.code(),
        accident_type: i.accident_type,
        occurred_at: fmt_time(occurred_at),
        clock_starts_at: fmt_time(clock),
        report_up_to: top.code(),
        report_up_to_zh: top.name_zh(),
        reporting_chain,
        notify_at_each_level: NOTIFIED_AT_EACH_LEVEL,
        report_to_government_at_each_level: true,
        state_council_informed_immediately: grade >= AccidentGrade::Serious,
        follow_up_reports_min_per_day: min_follow_up_reports_per_day(grade),
        major_near_miss: near,
        supplementary_window: window_out(i.accident_type, Some(occurred_at))?,
        investigation: InvestigationOut {
            authority: inv.code(),
            authority_zh: inv.name_zh(),
            may_entrust_unit_if_no_casualties: grade == AccidentGrade::Ordinary,
            report_within_days: INVESTIGATION_REPORT_DAYS,
            technical_appraisal_days: i.technical_appraisal_days,
            report_due_last_day: due.last_day.to_string(),
            report_due_at: fmt_time(due.ends_at),
            max_extension_days: INVESTIGATION_MAX_EXTENSION_DAYS,
            extended_due_last_day: extended.last_day.to_string(),
            extended_due_at: fmt_time(extended.ends_at),
            clause: "Decree 493 arts. 19, 27, 29",
        },
        reply: ReplyOut {
            within_days: reply_in,
            max_extension_days: reply_ext,
            report_received_on: received_on.map(|d| d.to_string()),
            due_last_day,
            extended_due_last_day,
            clause: "Decree 493 art. 32",
        },
        notes,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FineInput {
    #[serde(default)]
    grade: Option<String>,
    #[serde(default)]
    deaths: Option<u32>,
    #[serde(default)]
    serious_injuries: Option<u32>,
    #[serde(default)]
    direct_loss_cny: Option<f64>,
    #[serde(default)]
    especially_serious_circumstances: bool,
    #[serde(default)]
    principal_income_cny: Option<f64>,
    #[serde(default)]
    other_person_income_cny: Option<f64>,
}

#[derive(Serialize)]
struct UnitFineOut {
    min_cny: u64,
    max_cny: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    band: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    decided_by: Option<Vec<&'static str>>,
    clause: String,
}

#[derive(Serialize)]
struct MultipliedOut {
    multiplier_min: u64,
    multiplier_max: u64,
    min_cny: u64,
    max_cny: u64,
    clause: &'static str,
}

#[derive(Serialize)]
struct PersonFineOut {
    income_share_min_pct: u32,
    income_share_max_pct: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_year_income_cny: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fine_min_cny: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fine_max_cny: Option<Value>,
    clause: &'static str,
}

#[derive(Serialize)]
struct RangeOut {
    min_cny: u64,
    max_cny: u64,
    clause: &'static str,
}

#[derive(Serialize)]
struct FineOutput {
    grade: &'static str,
    grade_code: &'static str,
    unit_fine: UnitFineOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    especially_serious_circumstances: Option<MultipliedOut>,
    principal: PersonFineOut,
    other_responsible_person: PersonFineOut,
    individual_investor: RangeOut,
    notes: Vec<&'static str>,
}

fn person((lo, hi): (u32, u32), income: Option<f64>, clause: &'static str) -> PersonFineOut {
    PersonFineOut {
        income_share_min_pct: lo,
        income_share_max_pct: hi,
        previous_year_income_cny: income.map(money),
        fine_min_cny: income.map(|x| money(share(x, lo))),
        fine_max_cny: income.map(|x| money(share(x, hi))),
        clause,
    }
}

/// The `accident-fine` topic (Order 14, 2024, arts. 14-21).
///
/// Input: either `grade` or all of `deaths`, `serious_injuries`, `direct_loss_cny` (CNY);
/// optional `especially_serious_circumstances` (bool, art. 18), `principal_income_cny` and
/// `other_person_income_cny` (previous year's income, CNY, art. 4).
///
/// Output: `grade`, `grade_code`; `unit_fine` (`min_cny`, `max_cny`, and with figures the `band`
/// 1-3 within the grade and `decided_by`; with a grade only, the range over the grade's three
/// bands); `especially_serious_circumstances` (×2 to ×5, only when asked); `principal` and
/// `other_responsible_person` (income shares in percent, and fines in CNY rounded to the fen
/// when the income is given); `individual_investor` (art. 21); `notes`.
///
/// # Errors
/// [`CalcError`] naming the field: bad or conflicting grade/figures, negative incomes, unknown
/// fields.
pub fn calc_fine(input: &Value) -> Result<Value, CalcError> {
    let i: FineInput = parse(input)?;
    let (grade, figures) = resolve_grade(
        i.grade.as_deref(),
        i.deaths,
        i.serious_injuries,
        i.direct_loss_cny,
    )?;
    let principal_income = i
        .principal_income_cny
        .map(|v| check_amount("principal_income_cny", v))
        .transpose()?;
    let other_income = i
        .other_person_income_cny
        .map(|v| check_amount("other_person_income_cny", v))
        .transpose()?;
    let mut notes = Vec::new();
    let unit_fine = match figures {
        Some(c) => {
            let (idx, by) = unit_fine_band(&c);
            let b = UNIT_FINE_BANDS[idx];
            notes.push("band edges: Decree 493 art. 3's convention (以上 inclusive, 以下 exclusive) is applied to Order 14, which does not restate it");
            UnitFineOut {
                min_cny: b.min_cny,
                max_cny: b.max_cny,
                band: Some(idx % 3 + 1),
                decided_by: Some(by.iter().map(|c| c.code()).collect()),
                clause: b.clause.to_owned(),
            }
        }
        None => {
            let (lo, hi) = unit_fine_range(grade);
            let a = 14 + grade.rank();
            notes.push("grade only: the unit fine is the range over the grade's three bands; give deaths, serious_injuries and direct_loss_cny for the band");
            UnitFineOut {
                min_cny: lo,
                max_cny: hi,
                band: None,
                decided_by: None,
                clause: format!("Order 14 art. {a}"),
            }
        }
    };
    let especially = i.especially_serious_circumstances.then(|| {
        let (m_lo, m_hi) = ESPECIALLY_SERIOUS_MULTIPLIERS;
        MultipliedOut {
            multiplier_min: m_lo,
            multiplier_max: m_hi,
            min_cny: unit_fine.min_cny * m_lo,
            max_cny: unit_fine.max_cny * m_hi,
            clause: "Order 14 art. 18",
        }
    });
    if principal_income.is_none() || other_income.is_none() {
        notes.push("income that cannot be determined is set by Order 14 art. 4: principal 5-10x, others 1-5x the province's previous-year average urban wage");
    }
    let p = principal_income_share_pct(grade);
    let (ilo, ihi) = individual_investor_fine_cny(grade);
    Ok(to_value(&FineOutput {
        grade: grade.name_zh(),
        grade_code: grade.code(),
        unit_fine,
        especially_serious_circumstances: especially,
        principal: person((p, p), principal_income, "Order 14 art. 19"),
        other_responsible_person: person(
            other_person_income_share_pct(grade),
            other_income,
            "Order 14 art. 20",
        ),
        individual_investor: RangeOut {
            min_cny: ilo,
            max_cny: ihi,
            clause: "Order 14 art. 21",
        },
        notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccidentGrade::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn c(deaths: u32, serious_injuries: u32, direct_loss_cny: f64) -> Casualties {
        Casualties {
            deaths,
            serious_injuries,
            direct_loss_cny,
        }
    }

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn death_band_edges() {
        for (d, g) in [
            (0, Ordinary),
            (2, Ordinary),
            (3, RelativelySerious),
            (9, RelativelySerious),
            (10, Serious),
            (29, Serious),
            (30, EspeciallySerious),
            (u32::MAX, EspeciallySerious),
        ] {
            assert_eq!(grade_by_deaths(d), g, "{d} deaths");
            assert_eq!(c(d, 0, 0.0).grade(), g);
        }
    }

    #[test]
    fn injury_band_edges() {
        for (s, g) in [
            (0, Ordinary),
            (9, Ordinary),
            (10, RelativelySerious),
            (49, RelativelySerious),
            (50, Serious),
            (99, Serious),
            (100, EspeciallySerious),
        ] {
            assert_eq!(grade_by_serious_injuries(s), g, "{s} injuries");
            assert_eq!(c(0, s, 0.0).grade(), g);
        }
    }

    #[test]
    fn loss_band_edges() {
        for (l, g) in [
            (0.0, Ordinary),
            (9_999_999.0, Ordinary),
            (9_999_999.99, Ordinary),
            (10_000_000.0, RelativelySerious),
            (49_999_999.0, RelativelySerious),
            (50_000_000.0, Serious),
            (99_999_999.0, Serious),
            (99_999_999.99, Serious),
            (100_000_000.0, EspeciallySerious),
        ] {
            assert_eq!(grade_by_direct_loss(l), g, "{l} CNY");
            assert_eq!(c(0, 0, l).grade(), g);
        }
    }

    #[test]
    fn highest_criterion_wins_and_is_reported() {
        let d = grade(&c(2, 50, 10_000_000.0));
        assert_eq!(d.grade, Serious);
        assert_eq!(d.decided_by, vec![Criterion::SeriousInjuries]);
        let d = grade(&c(3, 10, 1.0));
        assert_eq!(d.grade, RelativelySerious);
        assert_eq!(
            d.decided_by,
            vec![Criterion::Deaths, Criterion::SeriousInjuries]
        );
        let d = grade(&c(0, 0, 0.0));
        assert_eq!(d.decided_by.len(), 3);
    }

    #[test]
    fn grade_parse_and_order() {
        for g in AccidentGrade::ALL {
            assert_eq!(AccidentGrade::parse(g.name_zh()), Some(g));
            assert_eq!(AccidentGrade::parse(g.code()), Some(g));
            assert_eq!(AccidentGrade::parse(&format!("{g}事故")), Some(g));
            assert_eq!(g.warning_level().grade(), g);
        }
        assert_eq!(AccidentGrade::parse("大"), None);
        assert!(Ordinary < RelativelySerious && RelativelySerious < Serious);
        assert!(Serious < EspeciallySerious);
    }

    #[test]
    fn windows_7_vs_30_days() {
        let at = t("2024-03-01T10:00:00+08:00");
        let w = supplementary_window(at, AccidentType::Other).unwrap();
        assert_eq!(w.days, 30);
        assert_eq!(w.last_day.to_string(), "2024-03-31");
        assert_eq!(w.ends_at, t("2024-04-01T00:00:00+08:00"));
        for ty in [AccidentType::RoadTraffic, AccidentType::Fire] {
            let w = supplementary_window(at, ty).unwrap();
            assert_eq!(w.days, 7);
            assert_eq!(w.last_day.to_string(), "2024-03-08");
            assert_eq!(w.ends_at, t("2024-03-09T00:00:00+08:00"));
        }
        // The accident day's clock time does not matter; the calendar day in its offset does.
        let late = supplementary_window(t("2024-03-01T23:59:59+08:00"), AccidentType::Fire);
        assert_eq!(late.unwrap().last_day.to_string(), "2024-03-08");
        let next = supplementary_window(t("2024-03-02T00:00:00+08:00"), AccidentType::Fire);
        assert_eq!(next.unwrap().last_day.to_string(), "2024-03-09");
        // Offsets are respected: 16:30Z on 1 March is 2 March in Beijing.
        let utc = supplementary_window(t("2024-03-01T16:30:00Z"), AccidentType::Fire).unwrap();
        assert_eq!(utc.last_day.to_string(), "2024-03-08");
    }

    #[test]
    fn within_window_boundary() {
        let at = t("2024-03-01T10:00:00+08:00");
        let road = AccidentType::RoadTraffic;
        assert!(within_supplementary_window(
            at,
            road,
            t("2024-03-08T23:59:59+08:00")
        ));
        assert!(!within_supplementary_window(
            at,
            road,
            t("2024-03-09T00:00:00+08:00")
        ));
        assert!(within_supplementary_window(
            at,
            AccidentType::Other,
            t("2024-03-09T00:00:00+08:00")
        ));
        assert!(within_supplementary_window(
            at,
            AccidentType::Other,
            t("2024-03-31T23:59:59+08:00")
        ));
        assert!(!within_supplementary_window(
            at,
            AccidentType::Other,
            t("2024-04-01T00:00:00+08:00")
        ));
    }

    #[test]
    fn regrade_inside_and_outside_window() {
        let at = t("2024-03-01T10:00:00+08:00");
        let worse = c(3, 0, 0.0);
        let r = regrade(
            Ordinary,
            &worse,
            at,
            AccidentType::Other,
            t("2024-03-20T09:00:00+08:00"),
        );
        assert_eq!(r.grade, RelativelySerious);
        assert!(r.within_window && r.investigation_moves_up);
        let r = regrade(
            Ordinary,
            &worse,
            at,
            AccidentType::Fire,
            t("2024-03-20T09:00:00+08:00"),
        );
        assert_eq!(r.grade, Ordinary);
        assert!(!r.within_window && !r.investigation_moves_up);
    }

    #[test]
    fn chain_hours_per_grade() {
        let at = t("2024-03-01T10:00:00+08:00");
        let ord = reporting_chain(Ordinary, at);
        assert_eq!(ord.len(), 2);
        assert_eq!(ord[0].due_at, Some(t("2024-03-01T11:00:00+08:00")));
        assert_eq!(ord[1].to, Party::PrefectureCity);
        assert_eq!(ord[1].due_at, Some(t("2024-03-01T13:00:00+08:00")));

        let rel = reporting_chain(RelativelySerious, at);
        assert_eq!(
            rel.iter().map(|s| s.to).collect::<Vec<_>>(),
            vec![
                Party::County,
                Party::Province,
                Party::PrefectureCity,
                Party::Province
            ]
        );
        assert_eq!(rel[1].due_at, Some(t("2024-03-01T11:00:00+08:00")));
        assert_eq!(rel[3].due_at, Some(t("2024-03-01T15:00:00+08:00")));

        for g in [Serious, EspeciallySerious] {
            let ch = reporting_chain(g, at);
            assert_eq!(ch.len(), 7);
            assert_eq!(ch[4].to, Party::StateCouncilDepartment);
            assert_eq!(ch[4].due_at, Some(t("2024-03-01T17:00:00+08:00")));
            assert!(ch[5..].iter().all(|s| s.to == Party::StateCouncil
                && s.within_hours.is_none()
                && s.due_at.is_none()));
        }
        // Hour arithmetic crosses midnight exactly.
        let ch = reporting_chain(Ordinary, t("2024-03-01T22:30:00+08:00"));
        assert_eq!(ch[0].due_at, Some(t("2024-03-01T23:30:00+08:00")));
        assert_eq!(ch[1].due_at, Some(t("2024-03-02T01:30:00+08:00")));
    }

    #[test]
    fn investigation_and_reply_deadlines() {
        let at = t("2024-03-01T10:00:00+08:00");
        let (due, ext) = investigation_report_due(at, 0).unwrap();
        assert_eq!(due.last_day.to_string(), "2024-04-30");
        assert_eq!(due.ends_at, t("2024-05-01T00:00:00+08:00"));
        assert_eq!(ext.last_day.to_string(), "2024-06-29");
        let (due, _) = investigation_report_due(at, 10).unwrap();
        assert_eq!(due.last_day.to_string(), "2024-05-10");
        assert_eq!(reply_days(EspeciallySerious), (30, 30));
        for g in [Serious, RelativelySerious, Ordinary] {
            assert_eq!(reply_days(g), (15, 0));
        }
        assert_eq!(
            Investigator::for_grade(Serious).code(),
            "provincial_government"
        );
        assert_eq!(min_follow_up_reports_per_day(Serious), 2);
        assert_eq!(min_follow_up_reports_per_day(RelativelySerious), 1);
    }

    #[test]
    fn near_miss_edges() {
        let base = NearMiss::default();
        assert!(base.conditions().is_empty());
        let n = NearMiss {
            people_at_risk: 9,
            trapped_or_missing: 2,
            evacuated: 499,
            ..base
        };
        assert!(n.conditions().is_empty());
        let n = NearMiss {
            people_at_risk: 10,
            trapped_or_missing: 3,
            evacuated: 500,
            ..base
        };
        assert_eq!(
            n.conditions(),
            vec![
                NearMissCondition::PeopleAtRisk,
                NearMissCondition::TrappedOrMissing,
                NearMissCondition::Evacuated
            ]
        );
    }

    #[test]
    fn fine_band_edges() {
        let cases: [(Casualties, usize); 16] = [
            (c(0, 0, 0.0), 0),
            (c(0, 2, 2_999_999.0), 0),
            (c(0, 3, 0.0), 1),
            (c(1, 0, 0.0), 1),
            (c(0, 0, 3_000_000.0), 1),
            (c(0, 5, 4_999_999.0), 1),
            (c(2, 0, 0.0), 2),
            (c(0, 6, 0.0), 2),
            (c(0, 9, 9_999_999.0), 2),
            (c(3, 0, 0.0), 3),
            (c(4, 19, 19_999_999.0), 3),
            (c(5, 0, 0.0), 4),
            (c(9, 49, 49_999_999.0), 5),
            (c(10, 0, 0.0), 6),
            (c(29, 99, 99_999_999.0), 8),
            (c(50, 0, 0.0), 11),
        ];
        for (cas, idx) in cases {
            assert_eq!(unit_fine_band(&cas).0, idx, "{cas:?}");
            assert_eq!(UNIT_FINE_BANDS[idx].grade, cas.grade(), "{cas:?}");
        }
        assert_eq!(unit_fine_range(Ordinary), (300_000, 1_000_000));
        assert_eq!(unit_fine_range(EspeciallySerious), (10_000_000, 20_000_000));
        // Bands chain without gaps.
        for w in UNIT_FINE_BANDS.windows(2) {
            assert_eq!(w[0].max_cny, w[1].min_cny);
        }
    }

    #[test]
    fn income_shares() {
        assert_eq!(share(123_456.78, 40), 49_382.71);
        assert_eq!(share(100_000.0, 100), 100_000.0);
        assert_eq!(principal_income_share_pct(RelativelySerious), 60);
        assert_eq!(other_person_income_share_pct(EspeciallySerious), (50, 50));
    }

    #[test]
    fn topic_errors_name_the_field() {
        let e = calc_grade(&json!({"deaths": -1, "serious_injuries": 0, "direct_loss_cny": 0}));
        assert_eq!(e.unwrap_err().field, "deaths");
        let e = calc_grade(&json!({"deaths": 0, "serious_injuries": 0, "direct_loss_cny": -1}));
        assert_eq!(e.unwrap_err().field, "direct_loss_cny");
        let e = calc_grade(&json!({"deaths": 0, "serious_injuries": 0}));
        assert_eq!(e.unwrap_err().field, "direct_loss_cny");
        let e = calc_grade(
            &json!({"deaths": 0, "serious_injuries": 0, "direct_loss_cny": 0, "occurred_at": "yesterday"}),
        );
        assert_eq!(e.unwrap_err().field, "occurred_at");
        let e = calc_deadlines(&json!({"occurred_at": "2024-03-01T10:00:00+08:00"}));
        assert_eq!(e.unwrap_err().field, "grade");
        let e = calc_deadlines(
            &json!({"grade": "一般", "deaths": 1, "occurred_at": "2024-03-01T10:00:00+08:00"}),
        );
        assert_eq!(e.unwrap_err().field, "grade");
        let e = calc_deadlines(&json!({"deaths": 1, "occurred_at": "2024-03-01T10:00:00+08:00"}));
        assert_eq!(e.unwrap_err().field, "serious_injuries");
        let e = calc_deadlines(&json!({"grade": "一般", "occurred_at": "2024-03-01T10:00:00"}));
        assert_eq!(e.unwrap_err().field, "occurred_at");
        let e = calc_deadlines(
            &json!({"grade": "一般", "occurred_at": "2024-03-01T10:00:00+08:00", "technical_appraisal_days": 5000}),
        );
        assert_eq!(e.unwrap_err().field, "technical_appraisal_days");
        let e = calc_fine(&json!({"grade": "一般", "principal_income_cny": -5}));
        assert_eq!(e.unwrap_err().field, "principal_income_cny");
        let e = calc_fine(&json!({"grade": "一般", "bonus": 1}));
        assert_eq!(e.unwrap_err().field, "bonus");
    }

    #[test]
    fn topic_outputs() {
        let v = calc_grade(&json!({"deaths": 2, "serious_injuries": 50, "direct_loss_cny": 0}))
            .unwrap();
        assert_eq!(v["grade"], "重大");
        assert_eq!(v["grade_code"], "serious");
        assert_eq!(v["decided_by"], json!(["serious_injuries"]));
        let v = calc_deadlines(&json!({"grade": "较大", "accident_type": "fire", "occurred_at": "2024-03-01T10:00:00+08:00"})).unwrap();
        assert_eq!(v["supplementary_window"]["last_day"], "2024-03-08");
        assert_eq!(v["investigation"]["authority"], "city_government");
        let v = calc_fine(&json!({"deaths": 1, "serious_injuries": 0, "direct_loss_cny": 0, "principal_income_cny": 200000, "especially_serious_circumstances": true})).unwrap();
        assert_eq!(v["unit_fine"]["min_cny"], 500_000);
        assert_eq!(v["unit_fine"]["max_cny"], 700_000);
        assert_eq!(v["especially_serious_circumstances"]["max_cny"], 3_500_000);
        assert_eq!(v["principal"]["fine_min_cny"], 80_000);
    }

    proptest! {
        #[test]
        fn more_deaths_never_lower_the_grade(d in 0u32..200, extra in 0u32..200, s in 0u32..300, l in 0.0f64..3e8) {
            prop_assert!(c(d + extra, s, l).grade() >= c(d, s, l).grade());
        }

        #[test]
        fn more_injuries_never_lower_the_grade(d in 0u32..200, s in 0u32..300, extra in 0u32..300, l in 0.0f64..3e8) {
            prop_assert!(c(d, s + extra, l).grade() >= c(d, s, l).grade());
        }

        #[test]
        fn more_loss_never_lowers_the_grade(d in 0u32..200, s in 0u32..300, l in 0.0f64..3e8, extra in 0.0f64..3e8) {
            prop_assert!(c(d, s, l + extra).grade() >= c(d, s, l).grade());
        }

        #[test]
        fn grade_is_the_max_of_the_criteria(d in 0u32..200, s in 0u32..300, l in 0.0f64..3e8) {
            let g = c(d, s, l).grade();
            let m = grade_by_deaths(d).max(grade_by_serious_injuries(s)).max(grade_by_direct_loss(l));
            prop_assert_eq!(g, m);
        }

        #[test]
        fn fine_band_lies_in_the_grade(d in 0u32..200, s in 0u32..300, l in 0.0f64..3e8, extra in 0u32..100) {
            let cas = c(d, s, l);
            let (idx, _) = unit_fine_band(&cas);
            prop_assert_eq!(UNIT_FINE_BANDS[idx].grade, cas.grade());
            prop_assert!(unit_fine_band(&c(d + extra, s, l)).0 >= idx);
        }
    }
}
