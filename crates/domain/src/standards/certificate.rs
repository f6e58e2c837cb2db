//! Special-operation certificates (特种作业操作证, 安监总局令第30号, VERIFIED) and safety-training
//! class hours (生产经营单位安全培训规定, 原国家安全监管总局令第3号, SECONDARY).
//! Source: `shared/reference/standards.md` §A8.
//!
//! ## Layout
//! - [`certificate_schedule`], [`certificate_status`] — validity, review dates, review window,
//!   expiry and the practical re-test (Order 30 arts. 19, 21, 22, 23, 26, 32).
//! - [`required_hours`], [`check_training`] — initial and annual class hours by role and industry
//!   (Order 3; table in `crates/domain/data/training.toml`).
//! - [`calc_certificate`], [`calc_training_hours`] — the `certificate` and `training-hours` topics.
//!
//! Date arithmetic: "+ N years" is calendar arithmetic (`checked_add_months`); a 29 February start
//! falls on 28 February in a non-leap target year. A day count ("60 days") is exact days.

use super::calc::{CalcError, parse, to_value};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::OnceLock;

/// Order 30 art. 19: a special-operation certificate is valid for 6 years (nationwide).
pub const VALIDITY_YEARS: u32 = 6;
/// Order 30 art. 21: the certificate is reviewed (复审) every 3 years.
pub const REVIEW_INTERVAL_YEARS: u32 = 3;
/// Order 30 art. 21: after ≥ 10 years' continuous lawful work in the same trade the review interval
/// may be extended to 6 years.
pub const EXTENDED_REVIEW_INTERVAL_YEARS: u32 = 6;
/// Order 30 art. 21: years of continuous work in the same 工种 needed for the extension.
pub const EXTENSION_MIN_YEARS_IN_TRADE: u32 = 10;
/// Order 30 art. 22: apply for review within 60 days before it falls due (days).
pub const REVIEW_WINDOW_DAYS: u64 = 60;
/// Order 30 art. 23: at least 8 class hours (学时) of safety training before a review.
pub const REVIEW_TRAINING_HOURS: u32 = 8;
/// Order 30 art. 32: ≥ 6 months away from the special operation requires a practical re-test.
pub const PRACTICAL_RETEST_MONTHS: u32 = 6;

fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// What a due date is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// The periodic review (复审) within the validity (Order 30 art. 21).
    Review,
    /// The review at the end of the 6-year validity (延期复审 / 换证; art. 19 with art. 22).
    Renewal,
}

/// One review due date and its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    /// Periodic review or end-of-validity renewal.
    pub kind: DueKind,
    /// The due date (issue date + 3 or 6 years).
    pub due: NaiveDate,
    /// First day of the application window: `due − 60 days` (Order 30 art. 22; inclusive — a
    /// choice: "within 60 days before" read as the 60th day before counting).
    pub window_opens: NaiveDate,
}

impl ReviewDue {
    /// Whether `d` is inside the window `[window_opens, due]`.
    pub fn in_window(&self, d: NaiveDate) -> bool {
        self.window_opens <= d && d <= self.due
    }
}

/// The schedule of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSchedule {
    /// Issue date.
    pub issue_date: NaiveDate,
    /// Last day of validity: issue date + 6 years (art. 19; valid through this day — a choice).
    pub expiry_date: NaiveDate,
    /// 3, or 6 with the art. 21 extension.
    pub review_interval_years: u32,
    /// Whether the art. 21 extension applies.
    pub extended_review: bool,
    /// Due dates in order; the last is the renewal at the expiry date.
    pub dues: Vec<ReviewDue>,
}

/// The schedule of a certificate issued on `issue_date` (Order 30 arts. 19, 21, 22).
/// `continuous_years_in_trade` and `law_abiding` decide the art. 21 extension as standards.md §A8
/// states it: ≥ 10 years of continuous work in the same trade **and** obeying the law → review
/// every 6 years (the regulation says "may": the authority's consent is assumed).
pub fn certificate_schedule(
    issue_date: NaiveDate,
    continuous_years_in_trade: u32,
    law_abiding: bool,
) -> CertificateSchedule {
    let extended = continuous_years_in_trade >= EXTENSION_MIN_YEARS_IN_TRADE && law_abiding;
    let interval = if extended {
        EXTENDED_REVIEW_INTERVAL_YEARS
    } else {
        REVIEW_INTERVAL_YEARS
    };
    let expiry_date = add_years(issue_date, VALIDITY_YEARS);
    let mk = |kind, due: NaiveDate| ReviewDue {
        kind,
        due,
        window_opens: due
            .checked_sub_days(Days::new(REVIEW_WINDOW_DAYS))
            .unwrap_or(NaiveDate::MIN),
    };
    let mut dues = Vec::new();
    let mut y = interval;
    while y < VALIDITY_YEARS {
        dues.push(mk(DueKind::Review, add_years(issue_date, y)));
        y += interval;
    }
    dues.push(mk(DueKind::Renewal, expiry_date));
    CertificateSchedule {
        issue_date,
        expiry_date,
        review_interval_years: interval,
        extended_review: extended,
        dues,
    }
}

/// A certificate's state on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// Valid; no review window is open.
    Valid,
    /// Valid, and a review window is open (apply now: art. 22).
    ReviewWindowOpen,
    /// A due date passed without a review in its window (art. 26), or the validity ended.
    Expired,
    /// The validity ended after a renewal review in its window: a new certificate replaces it
    /// (compute the new one from its own issue date).
    Renewed,
}

/// State of one due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// A review took place inside the window.
    Reviewed,
    /// Not reviewed; no `today` to say more.
    Pending,
    /// Not reviewed; the window has not opened yet.
    Upcoming,
    /// Not reviewed; the window is open today.
    WindowOpen,
    /// Not reviewed and the due date has passed: the certificate expired (art. 26).
    Missed,
}

/// A certificate's schedule evaluated against its reviews (and optionally today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateState {
    /// Per due date (same order as [`CertificateSchedule::dues`]): its state and the review date
    /// that satisfied it.
    pub dues: Vec<(DueState, Option<NaiveDate>)>,
    /// The overall status (only with `today`).
    pub status: Option<CertificateStatus>,
    /// Reviews inside no window (not counted).
    pub stray_reviews: Vec<NaiveDate>,
}

/// The state of the schedule's due dates given the dates of passed reviews and, optionally, today
/// (Order 30 arts. 22 and 26: a review counts when inside its 60-day window; a due date passed
/// without one means the certificate expired).
pub fn certificate_status(
    schedule: &CertificateSchedule,
    reviews: &[NaiveDate],
    today: Option<NaiveDate>,
) -> CertificateState {
    let states: Vec<(DueState, Option<NaiveDate>)> = schedule
        .dues
        .iter()
        .map(|due| {
            let hit = reviews.iter().copied().filter(|r| due.in_window(*r)).min();
            let state = match (hit, today) {
                (Some(_), _) => DueState::Reviewed,
                (None, None) => DueState::Pending,
                (None, Some(t)) if t > due.due => DueState::Missed,
                (None, Some(t)) if t >= due.window_opens => DueState::WindowOpen,
                (None, Some(_)) => DueState::Upcoming,
            };
            (state, hit)
        })
        .collect();
    let stray: Vec<NaiveDate> = reviews
        .iter()
        .copied()
        .filter(|r| !schedule.dues.iter().any(|d| d.in_window(*r)))
        .collect();
    let status = today.map(|t| {
        if states.iter().any(|(s, _)| *s == DueState::Missed) {
            CertificateStatus::Expired
        } else if t > schedule.expiry_date {
            CertificateStatus::Renewed
        } else if states.iter().any(|(s, _)| *s == DueState::WindowOpen) {
            CertificateStatus::ReviewWindowOpen
        } else {
            CertificateStatus::Valid
        }
    });
    CertificateState {
        dues: states,
        status,
        stray_reviews: stray,
    }
}

/// The first day a practical re-test is required: `last_worked_on + 6 months` (Order 30 art. 32,
/// "≥ 6 months" away: that day itself requires it).
pub fn practical_retest_from(last_worked_on: NaiveDate) -> NaiveDate {
    last_worked_on
        .checked_add_months(Months::new(PRACTICAL_RETEST_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateInput {
    issue_date: NaiveDate,
    #[serde(default)]
    today: Option<NaiveDate>,
    #[serde(default)]
    continuous_years_in_trade: u32,
    #[serde(default)]
    law_abiding: bool,
    #[serde(default)]
    reviews: Vec<NaiveDate>,
    #[serde(default)]
    last_worked_on: Option<NaiveDate>,
}

#[derive(Serialize)]
struct DueOut {
    kind: DueKind,
    due: NaiveDate,
    window_opens: NaiveDate,
    state: DueState,
    reviewed_on: Option<NaiveDate>,
}

#[derive(Serialize)]
struct CertificateOutput {
    issue_date: NaiveDate,
    expiry_date: NaiveDate,
    review_interval_years: u32,
    extended_review: bool,
    dues: Vec<DueOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<CertificateStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_due: Option<NaiveDate>,
    review_training_hours_min: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    practical_retest_required_from: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    practical_retest_required: Option<bool>,
    notes: Vec<String>,
}

/// The `certificate` topic. Input: `issue_date`, optional `today`, `continuous_years_in_trade`
/// (years, default 0), `law_abiding` (default false), `reviews` (dates of passed reviews),
/// `last_worked_on` (last day of work in the special operation). Output: expiry date, review
/// interval, due dates with windows and states, overall status (with `today`), practical re-test.
///
/// # Errors
/// [`CalcError`] naming a malformed field, or `today` before `issue_date`.
pub fn calc_certificate(input: &Value) -> Result<Value, CalcError> {
    let i: CertificateInput = parse(input)?;
    if let Some(t) = i.today
        && t < i.issue_date
    {
        return Err(CalcError::new("today", "is before issue_date"));
    }
    for (k, r) in i.reviews.iter().enumerate() {
        if *r < i.issue_date {
            return Err(CalcError::new(
                format!("reviews[{k}]"),
                "is before issue_date",
            ));
        }
    }
    let s = certificate_schedule(i.issue_date, i.continuous_years_in_trade, i.law_abiding);
    let CertificateState {
        dues: states,
        status,
        stray_reviews: stray,
    } = certificate_status(&s, &i.reviews, i.today);
    let mut notes = vec![
        "Order 30 (VERIFIED): valid 6 years (art. 19); review every 3 years, or every 6 after >= 10 years of continuous lawful work in the same trade (art. 21); apply within 60 days before the due date (art. 22); >= 8 class hours of training before review (art. 23); not reviewed in time = expired (art. 26); >= 6 months away = practical re-test (art. 32)".to_owned(),
        "choices: the window includes the 60th day before the due date and the due date itself; the certificate is valid through its expiry date".to_owned(),
        "the renewal review at the end of the validity uses the same 60-day window: not stated in standards.md, UNVERIFIED".to_owned(),
    ];
    if s.extended_review {
        notes.push(
            "art. 21 says the interval 'may' be extended: the issuing authority's consent is assumed"
                .to_owned(),
        );
    }
    for r in &stray {
        notes.push(format!(
            "review on {r} is outside every review window and was not counted"
        ));
    }
    let next_due = i.today.and_then(|t| {
        s.dues
            .iter()
            .zip(&states)
            .find(|(d, (st, _))| d.due >= t && *st != DueState::Reviewed)
            .map(|(d, _)| d.due)
    });
    let retest_from = i.last_worked_on.map(practical_retest_from);
    let retest = match (retest_from, i.today) {
        (Some(f), Some(t)) => Some(t >= f),
        _ => None,
    };
    let dues = s
        .dues
        .iter()
        .zip(states)
        .map(|(d, (state, reviewed_on))| DueOut {
            kind: d.kind,
            due: d.due,
            window_opens: d.window_opens,
            state,
            reviewed_on,
        })
        .collect();
    Ok(to_value(&CertificateOutput {
        issue_date: s.issue_date,
        expiry_date: s.expiry_date,
        review_interval_years: s.review_interval_years,
        extended_review: s.extended_review,
        dues,
        status,
        next_due,
        review_training_hours_min: REVIEW_TRAINING_HOURS,
        practical_retest_required_from: retest_from,
        practical_retest_required: retest,
        notes,
    }))
}

// ---------------------------------------------------------------------------------------------
// Training class hours (Order 3)
// ---------------------------------------------------------------------------------------------

/// Who is trained (Order 3; standards.md §A8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingRole {
    /// 主要负责人.
    Principal,
    /// 安全生产管理人员.
    SafetyManager,
    /// 从业人员 (the initial hours are the pre-job training of new staff, 新上岗从业人员).
    Worker,
}

/// The industry, as far as Order 3 distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingIndustry {
    /// Any other industry.
    General,
    /// 煤矿.
    CoalMine,
    /// 非煤矿山.
    NonCoalMine,
    /// 危险化学品.
    HazardousChemicals,
    /// 烟花爆竹.
    Fireworks,
    /// 金属冶炼.
    MetalSmelting,
}

/// General or one of the five high-risk industries of Order 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndustryClass {
    /// Everything else.
    General,
    /// 煤矿、非煤矿山、危险化学品、烟花爆竹、金属冶炼.
    HighRisk,
}

impl TrainingIndustry {
    /// The class of the industry.
    pub fn class(self) -> IndustryClass {
        match self {
            Self::General => IndustryClass::General,
            _ => IndustryClass::HighRisk,
        }
    }
}

/// Minimum class hours (学时) for one role and industry class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoursRule {
    /// Who.
    pub role: TrainingRole,
    /// Which industries.
    pub industry_class: IndustryClass,
    /// Initial training, class hours (≥).
    pub initial: u32,
    /// Annual refresher, class hours per calendar year (≥).
    pub annual: u32,
    /// The annual figure is UNVERIFIED in standards.md (8 学时 for general staff).
    #[serde(default)]
    pub annual_unverified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainingData {
    rules: Vec<HoursRule>,
}

fn training_rules() -> &'static [HoursRule] {
    static DATA: OnceLock<TrainingData> = OnceLock::new();
    &DATA
        .get_or_init(|| {
            toml::from_str(include_str!("../../data/training.toml"))
                .expect("data/training.toml is valid (tested)")
        })
        .rules
}

/// The class-hour rule for `role` in `industry` (Order 3 as summarised in standards.md §A8,
/// SECONDARY): 主要负责人 / 安全生产管理人员 32 initial + 12 a year (48 + 16 in the five high-risk
/// industries); 从业人员 24 pre-job (72 + 20 a year in the high-risk industries); the 8 a year for
/// general staff is UNVERIFIED (flagged by [`HoursRule::annual_unverified`]).
pub fn required_hours(role: TrainingRole, industry: TrainingIndustry) -> HoursRule {
    *training_rules()
        .iter()
        .find(|r| r.role == role && r.industry_class == industry.class())
        .expect("data/training.toml covers every role and class (tested)")
}

/// Class hours logged in one calendar year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearHours {
    /// Calendar year.
    pub year: i32,
    /// Class hours (学时).
    pub hours: u32,
}

/// One checked item: hours against the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HoursCheck {
    /// The calendar year (`None` for the initial training).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Class hours done.
    pub hours: u32,
    /// Class hours required (≥).
    pub required: u32,
    /// `hours ≥ required`.
    pub compliant: bool,
    /// `required − hours` when short, else 0.
    pub shortfall: u32,
}

fn hours_check(year: Option<i32>, hours: u32, required: u32) -> HoursCheck {
    HoursCheck {
        year,
        hours,
        required,
        compliant: hours >= required,
        shortfall: required.saturating_sub(hours),
    }
}

/// A person's training record checked against [`required_hours`]: the initial hours (when given)
/// and each year in `years` (or, when empty, each year in `annual`), entries of the same year
/// summed and a missing year counted as 0 hours.
pub fn check_training(
    rule: &HoursRule,
    initial_hours: Option<u32>,
    annual: &[YearHours],
    years: &[i32],
) -> (Option<HoursCheck>, Vec<HoursCheck>) {
    let initial = initial_hours.map(|h| hours_check(None, h, rule.initial));
    let mut ys: Vec<i32> = if years.is_empty() {
        annual.iter().map(|a| a.year).collect()
    } else {
        years.to_vec()
    };
    ys.sort_unstable();
    ys.dedup();
    let per_year = ys
        .into_iter()
        .map(|y| {
            let h = annual
                .iter()
                .filter(|a| a.year == y)
                .map(|a| a.hours)
                .fold(0u32, u32::saturating_add);
            hours_check(Some(y), h, rule.annual)
        })
        .collect();
    (initial, per_year)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrainingInput {
    role: TrainingRole,
    industry: TrainingIndustry,
    #[serde(default)]
    initial_hours: Option<u32>,
    #[serde(default)]
    annual_hours: Vec<YearHours>,
    #[serde(default)]
    years: Vec<i32>,
}

#[derive(Serialize)]
struct TrainingOutput {
    role: TrainingRole,
    industry: TrainingIndustry,
    industry_class: IndustryClass,
    initial_hours_required: u32,
    annual_hours_required: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    initial: Option<HoursCheck>,
    years: Vec<HoursCheck>,
    compliant: Option<bool>,
    notes: Vec<String>,
}

/// The `training-hours` topic. Input: `role` (`principal` / `safety_manager` / `worker`),
/// `industry` (`general`, `coal_mine`, `non_coal_mine`, `hazardous_chemicals`, `fireworks`,
/// `metal_smelting`), optional record: `initial_hours`, `annual_hours` (`[{year, hours}]`), `years`
/// to check. Output: the required class hours and, for a record, each check and `compliant`
/// (`null` without a record).
///
/// # Errors
/// [`CalcError`] naming a malformed field.
pub fn calc_training_hours(input: &Value) -> Result<Value, CalcError> {
    let i: TrainingInput = parse(input)?;
    let rule = required_hours(i.role, i.industry);
    let (initial, years) = check_training(&rule, i.initial_hours, &i.annual_hours, &i.years);
    let has_record = initial.is_some() || !years.is_empty();
    let compliant = has_record
        .then(|| initial.is_none_or(|c| c.compliant) && years.iter().all(|y| y.compliant));
    let mut notes = vec![
        "Order 3 class hours are SECONDARY: consistent secondary sources, primary text not seen (standards.md A8)".to_owned(),
    ];
    if rule.annual_unverified {
        notes.push(format!(
            "the annual {} class hours for general staff are UNVERIFIED: not specified nationally",
            rule.annual
        ));
    }
    if i.role == TrainingRole::Worker {
        notes.push("staff changing post or returning after >= 1 year away redo workshop- and team-level training (UNVERIFIED article)".to_owned());
    }
    Ok(to_value(&TrainingOutput {
        role: i.role,
        industry: i.industry,
        industry_class: i.industry.class(),
        initial_hours_required: rule.initial,
        annual_hours_required: rule.annual,
        initial,
        years,
        compliant,
        notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn status(issue: &str, reviews: &[&str], today: &str) -> CertificateStatus {
        let s = certificate_schedule(d(issue), 0, true);
        let r: Vec<NaiveDate> = reviews.iter().map(|x| d(x)).collect();
        certificate_status(&s, &r, Some(d(today))).status.unwrap()
    }

    #[test]
    fn schedule_dates() {
        let s = certificate_schedule(d("2021-03-15"), 0, false);
        assert_eq!(s.expiry_date, d("2027-03-15"));
        assert_eq!(s.review_interval_years, 3);
        assert_eq!(s.dues.len(), 2);
        assert_eq!(s.dues[0].due, d("2024-03-15"));
        assert_eq!(s.dues[0].window_opens, d("2024-01-15")); // 60 days before (leap February)
        assert_eq!(s.dues[1].kind, DueKind::Renewal);
        assert_eq!(s.dues[1].window_opens, d("2027-01-14"));
        // 29 February issue: + 3 years falls on 28 February.
        let s = certificate_schedule(d("2024-02-29"), 0, false);
        assert_eq!(s.dues[0].due, d("2027-02-28"));
        assert_eq!(s.expiry_date, d("2030-02-28"));
    }

    #[test]
    fn extension_threshold_at_ten_years_and_law_abiding() {
        assert_eq!(
            certificate_schedule(d("2021-03-15"), 9, true).review_interval_years,
            3
        );
        let s = certificate_schedule(d("2021-03-15"), 10, true);
        assert_eq!(s.review_interval_years, 6);
        assert_eq!(s.dues.len(), 1);
        assert_eq!(s.dues[0].due, d("2027-03-15"));
        assert_eq!(
            certificate_schedule(d("2021-03-15"), 30, false).review_interval_years,
            3
        );
    }

    #[test]
    fn review_window_edges() {
        use CertificateStatus::*;
        let issue = "2021-03-15";
        // Due 2024-03-15, window opens 2024-01-15.
        assert_eq!(status(issue, &[], "2024-01-14"), Valid);
        assert_eq!(status(issue, &[], "2024-01-15"), ReviewWindowOpen);
        assert_eq!(status(issue, &[], "2024-03-15"), ReviewWindowOpen);
        assert_eq!(status(issue, &[], "2024-03-16"), Expired);
        // Reviewed on the first and last day of the window.
        assert_eq!(status(issue, &["2024-01-15"], "2024-03-16"), Valid);
        assert_eq!(status(issue, &["2024-03-15"], "2024-06-01"), Valid);
        // Reviewed one day too early or too late: not counted.
        assert_eq!(status(issue, &["2024-01-14"], "2024-03-16"), Expired);
        assert_eq!(status(issue, &["2024-03-16"], "2024-03-17"), Expired);
        // Expiry: valid through the expiry date, then renewed or expired.
        let both = ["2024-02-01", "2027-03-01"];
        assert_eq!(status(issue, &both, "2027-03-15"), Valid);
        assert_eq!(status(issue, &both, "2027-03-16"), Renewed);
        assert_eq!(
            status(issue, &["2024-02-01"], "2027-03-15"),
            ReviewWindowOpen
        );
        assert_eq!(status(issue, &["2024-02-01"], "2027-03-16"), Expired);
    }

    #[test]
    fn practical_retest_at_six_months() {
        assert_eq!(practical_retest_from(d("2024-01-31")), d("2024-07-31"));
        assert_eq!(practical_retest_from(d("2024-08-31")), d("2025-02-28"));
        let v = |today: &str| {
            calc_certificate(&json!({"issue_date": "2023-01-01", "today": today, "last_worked_on": "2024-01-31"}))
                .unwrap()["practical_retest_required"]
                .clone()
        };
        assert_eq!(v("2024-07-30"), json!(false));
        assert_eq!(v("2024-07-31"), json!(true));
    }

    #[test]
    fn certificate_input_errors() {
        let e = calc_certificate(&json!({"issue_date": "2024-01-01", "today": "2023-12-31"}))
            .unwrap_err();
        assert_eq!(e.field, "today");
        let e = calc_certificate(&json!({"issue_date": "2024-02-30"})).unwrap_err();
        assert_eq!(e.field, "issue_date");
        let e = calc_certificate(&json!({"issue_date": "2024-01-01", "reviews": ["2023-01-01"]}))
            .unwrap_err();
        assert_eq!(e.field, "reviews[0]");
    }

    #[test]
    fn training_table_complete() {
        use TrainingIndustry::*;
        use TrainingRole::*;
        let cases = [
            (Principal, General, 32, 12),
            (Principal, CoalMine, 48, 16),
            (SafetyManager, General, 32, 12),
            (SafetyManager, HazardousChemicals, 48, 16),
            (Worker, General, 24, 8),
            (Worker, MetalSmelting, 72, 20),
            (Worker, Fireworks, 72, 20),
            (Principal, NonCoalMine, 48, 16),
        ];
        for (role, ind, i, a) in cases {
            let r = required_hours(role, ind);
            assert_eq!((r.initial, r.annual), (i, a), "{role:?} {ind:?}");
            assert_eq!(r.annual_unverified, role == Worker && ind == General);
        }
    }

    #[test]
    fn training_thresholds() {
        let rule = required_hours(TrainingRole::Principal, TrainingIndustry::General);
        let (i, y) = check_training(
            &rule,
            Some(32),
            &[
                YearHours {
                    year: 2024,
                    hours: 12,
                },
                YearHours {
                    year: 2025,
                    hours: 6,
                },
                YearHours {
                    year: 2025,
                    hours: 5,
                },
            ],
            &[],
        );
        assert!(i.unwrap().compliant);
        assert!(y[0].compliant);
        assert_eq!((y[1].hours, y[1].compliant, y[1].shortfall), (11, false, 1));
        let (i, _) = check_training(&rule, Some(31), &[], &[]);
        assert_eq!(i.unwrap().shortfall, 1);
        // A year with no entries counts as 0.
        let (_, y) = check_training(
            &rule,
            None,
            &[YearHours {
                year: 2024,
                hours: 12,
            }],
            &[2024, 2025],
        );
        assert_eq!((y[1].hours, y[1].compliant), (0, false));
        let rule = required_hours(TrainingRole::Worker, TrainingIndustry::CoalMine);
        assert!(
            !check_training(&rule, Some(71), &[], &[])
                .0
                .unwrap()
                .compliant
        );
        assert!(
            check_training(&rule, Some(72), &[], &[])
                .0
                .unwrap()
                .compliant
        );
        let v = calc_training_hours(&json!({"role": "worker", "industry": "general"})).unwrap();
        assert_eq!(v["compliant"], json!(null));
        let e = calc_training_hours(&json!({"role": "boss", "industry": "general"})).unwrap_err();
        assert_eq!(e.field, "role");
    }
}
