//! Hidden-danger remediation (隐患治理): the record's workflow as a pure state machine, its grading
//! (general / major), deadlines, overdue detection and escalation. No I/O: the store loads a
//! [`RecordState`], asks [`transition`] what the action does, and writes the [`Outcome`] in one
//! transaction guarded by the status it read.
//!
//! ## Workflow (issue 6, "Workflow"; 安全生产事故隐患排查治理暂行规定, 国家安监总局令第16号, arts. 10-18)
//!
//! ```text
//! reported ──confirm──▶ confirmed ──assign──▶ assigned ──start──▶ in_remediation ──submit──▶ submitted ──verify──▶ closed
//!    │                                                                 ▲                        │
//!    └──reject──▶ rejected                                             └────────send_back───────┘
//! closed ──reopen──▶ confirmed (re-assign with a fresh deadline);  rejected ──reopen──▶ reported
//! ```
//!
//! Deadline extensions (延期): the assigned remediator asks (while `assigned`, `in_remediation` or
//! `submitted`), one pending request at a time; a user holding [`perm::APPROVE`] who is not the
//! requester approves (the deadline moves, the escalation starts over) or refuses (nothing moves).
//!
//! ## Deadlines and overdue
//! A deadline is a calendar date; it means the **end of that day in Asia/Shanghai** (UTC+8, no
//! daylight saving since 1991): [`deadline_end`] is 00:00 of the next day, +08:00. A record is
//! overdue when it is `assigned`, `in_remediation` or `submitted` (not closed, and it has a
//! deadline) and `now >= deadline_end` ([`is_overdue`]). Its escalation level ([`escalation_level`])
//! grows with the whole days overdue: the enterprise from day 0, the supervising department after
//! [`EscalationPolicy::department_days`], the bureau after [`EscalationPolicy::bureau_days`]; a major
//! hidden danger uses the shorter `major_*` thresholds. These thresholds are platform defaults
//! (system parameters `hiddenDanger.escalate*`), not figures from a standard.

use crate::FieldErrors;
use crate::auth::permits;
use crate::standards::hidden_danger_criteria::{self, CriteriaStandard};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Permission strings of the workflow (granted by migration m0006).
pub mod perm {
    /// Read the records (list, detail).
    pub const QUERY: &str = "hidden_danger:record:query";
    /// Report a hidden danger (随手拍, from an inspection or an alarm).
    pub const REPORT: &str = "hidden_danger:record:report";
    /// Confirm or reject a reported record; grade it.
    pub const CONFIRM: &str = "hidden_danger:record:confirm";
    /// Assign the remediation (remediator, deadline, measures, five assurances).
    pub const ASSIGN: &str = "hidden_danger:record:assign";
    /// Remediate what is assigned to you: start, submit evidence, ask for an extension.
    pub const REMEDIATE: &str = "hidden_danger:record:remediate";
    /// Approve or refuse a deadline extension.
    pub const APPROVE: &str = "hidden_danger:record:approve";
    /// Verify a submitted remediation: close it or send it back.
    pub const VERIFY: &str = "hidden_danger:record:verify";
    /// Reopen a closed or rejected record (with a reason).
    pub const REOPEN: &str = "hidden_danger:record:reopen";
    /// Export the ledger.
    pub const EXPORT: &str = "hidden_danger:record:export";
    /// The overdue list.
    pub const OVERDUE_QUERY: &str = "hidden_danger:overdue:query";
    /// Export the overdue list.
    pub const OVERDUE_EXPORT: &str = "hidden_danger:overdue:export";
    /// Read listed supervisions.
    pub const SUPERVISION_QUERY: &str = "hidden_danger:supervision:query";
    /// Put a major hidden danger under listed supervision (government users only).
    pub const SUPERVISION_ADD: &str = "hidden_danger:supervision:add";
    /// Lift a listed supervision.
    pub const SUPERVISION_LIFT: &str = "hidden_danger:supervision:lift";
    /// Report progress on a listed supervision (the enterprise).
    pub const SUPERVISION_REPORT: &str = "hidden_danger:supervision:report";
    /// Statistics.
    pub const STATS_QUERY: &str = "hidden_danger:stats:query";
    /// Export the statistics.
    pub const STATS_EXPORT: &str = "hidden_danger:stats:export";
}

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }
        impl $name {
            /// Every value, in workflow order.
            pub const ALL: &'static [Self] = &[$(Self::$v),+];
            /// The wire (and database) name.
            pub fn as_str(self) -> &'static str { match self { $(Self::$v => $s),+ } }
            /// Parses the wire name.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some(Self::$v),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

wire_enum!(
    /// Status of a hidden-danger record (dictionary `hidden_danger_status`).
    Status {
        /// 已上报: reported, waiting for the enterprise to confirm it.
        Reported = "reported",
        /// 已确认: confirmed as a hidden danger and graded, waiting for assignment.
        Confirmed = "confirmed",
        /// 已驳回: not a hidden danger (reason logged).
        Rejected = "rejected",
        /// 已交办: remediation assigned (remediator, deadline, measures).
        Assigned = "assigned",
        /// 整改中: the remediator started.
        InRemediation = "in_remediation",
        /// 待验收: evidence submitted, waiting for verification.
        Submitted = "submitted",
        /// 已销号: verified and closed.
        Closed = "closed",
    }
);

wire_enum!(
    /// Level of a hidden danger (dictionary `hidden_danger_level`).
    Level {
        /// 一般事故隐患.
        General = "general",
        /// 重大事故隐患.
        Major = "major",
    }
);

wire_enum!(
    /// Where a record came from (dictionary `hidden_danger_source`).
    Source {
        /// 随手拍: reported ad hoc by an employee.
        AdHoc = "ad_hoc",
        /// 排查任务: a failed checklist item of an inspection task.
        Inspection = "inspection",
        /// 监测报警: an alarm of the early-warning engine.
        Alarm = "alarm",
        /// 执法检查: a government enforcement inspection.
        Enforcement = "enforcement",
    }
);

wire_enum!(
    /// Escalation level of an overdue record (dictionary `hidden_danger_escalation`).
    Escalation {
        /// Not escalated (not overdue).
        None = "none",
        /// 企业: the enterprise was told (from the first overdue day).
        Enterprise = "enterprise",
        /// 监管部门: the supervising department was told.
        Department = "department",
        /// 应急管理局: the bureau was told.
        Bureau = "bureau",
    }
);

impl Escalation {
    /// 0 (none) .. 3 (bureau), as stored.
    pub fn rank(self) -> i32 {
        match self {
            Self::None => 0,
            Self::Enterprise => 1,
            Self::Department => 2,
            Self::Bureau => 3,
        }
    }

    /// The level of a stored rank (values above 3 are the bureau, below 1 none).
    pub fn from_rank(rank: i32) -> Self {
        match rank {
            i32::MIN..=0 => Self::None,
            1 => Self::Enterprise,
            2 => Self::Department,
            _ => Self::Bureau,
        }
    }
}

pub use super::{shanghai, shanghai_date};

/// The instant a deadline date ends ([`super::end_of_day`]): a record is overdue from this
/// instant on (a deadline of 2026-03-10 ends at 2026-03-10T16:00:00Z).
pub fn deadline_end(date: NaiveDate) -> DateTime<Utc> {
    super::end_of_day(date)
}

/// Whether a deadline date is still ahead of `now` (its end is after `now`): today's date in
/// Shanghai is acceptable, yesterday's is not.
pub fn deadline_ahead(date: NaiveDate, now: DateTime<Utc>) -> bool {
    deadline_end(date) > now
}

/// Whether a record in `status` with `deadline` is overdue at `now`: it is `assigned`,
/// `in_remediation` or `submitted` and `now` is at or past [`deadline_end`]. Reported,
/// confirmed (no deadline yet), rejected and closed records are never overdue.
pub fn is_overdue(status: Status, deadline: Option<NaiveDate>, now: DateTime<Utc>) -> bool {
    matches!(
        status,
        Status::Assigned | Status::InRemediation | Status::Submitted
    ) && deadline.is_some_and(|d| now >= deadline_end(d))
}

/// Whole days past the deadline's end (0 on the first overdue day), `None` when not overdue.
pub fn days_overdue(
    status: Status,
    deadline: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Option<i64> {
    if !is_overdue(status, deadline, now) {
        return None;
    }
    deadline.map(|d| (now - deadline_end(d)).num_days())
}

/// Thresholds of the overdue escalation, in whole days overdue (platform defaults, system
/// parameters `hiddenDanger.escalateDepartmentDays` and so on; no standard fixes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationPolicy {
    /// A general hidden danger reaches the supervising department after this many days (default 3).
    pub department_days: i64,
    /// A general hidden danger reaches the bureau after this many days (default 7).
    pub bureau_days: i64,
    /// A major hidden danger reaches the supervising department after this many days (default 0:
    /// at once).
    pub major_department_days: i64,
    /// A major hidden danger reaches the bureau after this many days (default 1).
    pub major_bureau_days: i64,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            department_days: 3,
            bureau_days: 7,
            major_department_days: 0,
            major_bureau_days: 1,
        }
    }
}

impl EscalationPolicy {
    /// The system parameter keys, in field order, with their defaults.
    pub const PARAMS: [(&'static str, i64); 4] = [
        ("hiddenDanger.escalateDepartmentDays", 3),
        ("hiddenDanger.escalateBureauDays", 7),
        ("hiddenDanger.majorEscalateDepartmentDays", 0),
        ("hiddenDanger.majorEscalateBureauDays", 1),
    ];

    /// A policy from parameter values (in [`Self::PARAMS`] order); a negative value, or a bureau
    /// threshold below its department threshold, falls back to the default of that pair.
    pub fn from_values(v: [i64; 4]) -> Self {
        let d = Self::default();
        let pair = |dep: i64, bur: i64, dd: i64, db: i64| {
            if dep >= 0 && bur >= dep {
                (dep, bur)
            } else {
                (dd, db)
            }
        };
        let (department_days, bureau_days) = pair(v[0], v[1], d.department_days, d.bureau_days);
        let (major_department_days, major_bureau_days) =
            pair(v[2], v[3], d.major_department_days, d.major_bureau_days);
        Self {
            department_days,
            bureau_days,
            major_department_days,
            major_bureau_days,
        }
    }
}

/// The escalation level a record has earned at `now` (monotone in `now` for a fixed deadline):
/// none when not overdue; else the enterprise, then the supervising department, then the bureau
/// as the days overdue reach the policy's thresholds for its level.
pub fn escalation_level(
    status: Status,
    level: Level,
    deadline: Option<NaiveDate>,
    now: DateTime<Utc>,
    policy: &EscalationPolicy,
) -> Escalation {
    let Some(days) = days_overdue(status, deadline, now) else {
        return Escalation::None;
    };
    let (dep, bur) = match level {
        Level::General => (policy.department_days, policy.bureau_days),
        Level::Major => (policy.major_department_days, policy.major_bureau_days),
    };
    if days >= bur {
        Escalation::Bureau
    } else if days >= dep {
        Escalation::Department
    } else {
        Escalation::Enterprise
    }
}

/// Whether a record closed at `closed_at` was closed on time: at or before its deadline's end.
pub fn closed_on_time(deadline: Option<NaiveDate>, closed_at: DateTime<Utc>) -> bool {
    deadline.is_none_or(|d| closed_at < deadline_end(d))
}

/// A grading: the level and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grading {
    /// General unless graded major.
    pub level: Option<Level>,
    /// The criteria standard (`chemical-2017`, `industry-trade-2023`) of a major one.
    pub criteria_standard: Option<String>,
    /// The item number within that standard.
    pub criteria_item: Option<u32>,
    /// A documented judgement (text) when no criteria item fits.
    pub judgement: Option<String>,
}

/// Checks a grading: a major hidden danger must either cite an encoded item of the major
/// hidden-danger criteria (`anjian_domain::standards::hidden_danger_criteria`: standard + item
/// number, e.g. chemical-2017 item 12) or carry a documented judgement (at least 10 characters,
/// at most 2000); a general one cites neither. Errors are keyed `criteriaStandard`,
/// `criteriaItem`, `majorJudgement`.
pub fn check_grading(g: &Grading) -> FieldErrors {
    let mut f = FieldErrors::new();
    let level = g.level.unwrap_or(Level::General);
    let judgement = g
        .judgement
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(j) = judgement
        && j.chars().count() > 2000
    {
        f.insert(
            "majorJudgement".into(),
            "最多 2000 个字符 / at most 2000 characters".into(),
        );
    }
    match level {
        Level::General => {
            if g.criteria_standard.is_some() || g.criteria_item.is_some() {
                f.insert(
                    "criteriaItem".into(),
                    "一般隐患不引用重大隐患判定标准 / a general hidden danger cites no major-hidden-danger criterion".into(),
                );
            }
        }
        Level::Major => {
            let cited = g.criteria_standard.is_some() || g.criteria_item.is_some();
            if cited {
                let std = g.criteria_standard.as_deref().and_then(parse_standard);
                match (g.criteria_standard.as_deref(), std) {
                    (None, _) => {
                        f.insert(
                            "criteriaStandard".into(),
                            "填写判定条款时须选择判定标准 / is required with criteriaItem".into(),
                        );
                    }
                    (Some(_), None) => {
                        f.insert(
                            "criteriaStandard".into(),
                            "判定标准须为 chemical-2017 或 industry-trade-2023 / must be chemical-2017 or industry-trade-2023".into(),
                        );
                    }
                    (Some(_), Some(s)) => match g.criteria_item {
                        None => {
                            f.insert(
                                "criteriaItem".into(),
                                "选择判定标准时须填写判定条款 / is required with criteriaStandard"
                                    .into(),
                            );
                        }
                        Some(n) if hidden_danger_criteria::item(s, n).is_none() => {
                            let count = hidden_danger_criteria::items(s).len();
                            f.insert(
                                "criteriaItem".into(),
                                format!(
                                    "{} 仅有第 1-{count} 条 / {} has items 1-{count} encoded",
                                    s.as_str(),
                                    s.as_str()
                                ),
                            );
                        }
                        Some(_) => {}
                    },
                }
            } else {
                match judgement {
                    None => {
                        f.insert(
                            "majorJudgement".into(),
                            "重大隐患须引用判定标准条款或填写判定依据 / a major hidden danger cites a criteria item (criteriaStandard + criteriaItem) or a documented judgement".into(),
                        );
                    }
                    Some(j) if j.chars().count() < 10 => {
                        f.insert(
                            "majorJudgement".into(),
                            "至少 10 个字符，请说明判定为重大隐患的理由 / at least 10 characters: say why it is major".into(),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }
    f
}

fn parse_standard(s: &str) -> Option<CriteriaStandard> {
    match s {
        "chemical-2017" => Some(CriteriaStandard::Chemical2017),
        "industry-trade-2023" => Some(CriteriaStandard::IndustryTrade2023),
        _ => None,
    }
}

/// The five assurances (五落实) of a major hidden danger's remediation: measures, funds, time
/// limit, responsible person and contingency plan (安全生产事故隐患排查治理暂行规定 art. 15: the
/// remediation plan of a major hidden danger states its measures, funds and materials, people,
/// time limit, and safety measures and contingency plan).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FiveAssurances {
    /// 措施落实: the remediation measures (1-2000 characters).
    pub measures: String,
    /// 资金落实: funds set aside, CNY (> 0, at most 1e10).
    pub funds_cny: f64,
    /// 时限落实: the date by which it is remediated (`YYYY-MM-DD`, not after the deadline).
    pub time_limit: NaiveDate,
    /// 责任落实: the responsible person (1-50 characters).
    pub responsible_person: String,
    /// 预案落实: the contingency plan while the hidden danger remains (1-2000 characters).
    pub contingency_plan: String,
}

fn text_field(f: &mut FieldErrors, key: &str, v: &str, max: usize) {
    let t = v.trim();
    if t.is_empty() {
        f.insert(key.into(), "必填 / is required".into());
    } else if t.chars().count() > max {
        f.insert(
            key.into(),
            format!("最多 {max} 个字符 / at most {max} characters"),
        );
    }
}

/// Checks five assurances against the deadline, keyed `fiveAssurances.<field>`.
pub fn check_five_assurances(a: &FiveAssurances, deadline: NaiveDate) -> FieldErrors {
    let mut f = FieldErrors::new();
    text_field(&mut f, "fiveAssurances.measures", &a.measures, 2000);
    text_field(
        &mut f,
        "fiveAssurances.responsiblePerson",
        &a.responsible_person,
        50,
    );
    text_field(
        &mut f,
        "fiveAssurances.contingencyPlan",
        &a.contingency_plan,
        2000,
    );
    if !(a.funds_cny.is_finite() && a.funds_cny > 0.0 && a.funds_cny <= 1e10) {
        f.insert(
            "fiveAssurances.fundsCny".into(),
            "整改资金须大于 0 元（不超过 1e10） / must be more than 0 CNY (at most 1e10)".into(),
        );
    }
    if a.time_limit > deadline {
        f.insert(
            "fiveAssurances.timeLimit".into(),
            "整改时限不得晚于整改期限 / must not be after the deadline".into(),
        );
    }
    f
}

/// What the store knows of a record when an action comes in.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordState {
    /// Current status.
    pub status: Status,
    /// Current level.
    pub level: Level,
    /// Who reported it.
    pub reporter_id: Option<i64>,
    /// The assigned remediator (set from `assigned` on).
    pub remediator_id: Option<i64>,
    /// Who submitted the current evidence.
    pub submitted_by: Option<i64>,
    /// The current deadline.
    pub deadline: Option<NaiveDate>,
    /// The pending extension request, if any.
    pub pending_extension: Option<PendingExtension>,
}

/// A deadline extension waiting for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingExtension {
    /// Who asked.
    pub requested_by: i64,
    /// The deadline asked for.
    pub new_deadline: NaiveDate,
}

/// Who acts: the user, their permissions, and whether the caller knows them to be the record's
/// assigned remediator (the machine also compares `user_id` with [`RecordState::remediator_id`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// User id.
    pub user_id: i64,
    /// Permission strings granted (`*:*:*` = everything).
    pub permissions: Vec<String>,
    /// Whether they are the assigned remediator.
    pub is_remediator: bool,
}

impl Actor {
    fn can(&self, p: &str) -> bool {
        permits(&self.permissions, p)
    }

    fn remediates(&self, s: &RecordState) -> bool {
        self.is_remediator || s.remediator_id == Some(self.user_id)
    }
}

/// The remediation as assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The remediator (a user of the record's enterprise; the store checks that).
    pub remediator_id: i64,
    /// The responsible department or team inside the enterprise (1-100 characters).
    pub department: String,
    /// The deadline date (its end, Shanghai, must be after `now`).
    pub deadline: NaiveDate,
    /// Remediation measures (1-2000 characters).
    pub measures: String,
    /// Required for a major hidden danger.
    pub five_assurances: Option<FiveAssurances>,
}

/// An action on a record. Texts are checked here (required, length); ids of attachments by the
/// store.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Confirm it is a hidden danger, with its grading.
    Confirm {
        /// The grading (level, criteria item or judgement).
        grading: Grading,
        /// Comment.
        comment: Option<String>,
    },
    /// Not a hidden danger.
    Reject {
        /// Why (required).
        reason: String,
    },
    /// Assign the remediation.
    Assign(Assignment),
    /// The remediator starts.
    Start,
    /// The remediator submits evidence.
    Submit {
        /// What was done (required).
        description: String,
        /// Evidence photo count (at least 1).
        evidence_count: usize,
    },
    /// Verified: close it.
    Verify {
        /// Comment.
        comment: Option<String>,
    },
    /// Not good enough: back to remediation.
    SendBack {
        /// Why (required).
        reason: String,
    },
    /// Reopen a closed or rejected record.
    Reopen {
        /// Why (required).
        reason: String,
    },
    /// Ask for a later deadline.
    RequestExtension {
        /// The date asked for (after the current deadline).
        new_deadline: NaiveDate,
        /// Why (required).
        reason: String,
    },
    /// Approve the pending extension.
    ApproveExtension {
        /// Comment.
        comment: Option<String>,
    },
    /// Refuse the pending extension.
    RefuseExtension {
        /// Why (required).
        reason: String,
    },
}

impl Action {
    /// The action's name as logged in the events (`confirm`, `reject`, `assign`, `start`,
    /// `submit`, `verify`, `send_back`, `reopen`, `request_extension`, `approve_extension`,
    /// `refuse_extension`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Confirm { .. } => "confirm",
            Self::Reject { .. } => "reject",
            Self::Assign(_) => "assign",
            Self::Start => "start",
            Self::Submit { .. } => "submit",
            Self::Verify { .. } => "verify",
            Self::SendBack { .. } => "send_back",
            Self::Reopen { .. } => "reopen",
            Self::RequestExtension { .. } => "request_extension",
            Self::ApproveExtension { .. } => "approve_extension",
            Self::RefuseExtension { .. } => "refuse_extension",
        }
    }

    /// The permission the action needs.
    pub fn permission(&self) -> &'static str {
        match self {
            Self::Confirm { .. } | Self::Reject { .. } => perm::CONFIRM,
            Self::Assign(_) => perm::ASSIGN,
            Self::Start | Self::Submit { .. } | Self::RequestExtension { .. } => perm::REMEDIATE,
            Self::Verify { .. } | Self::SendBack { .. } => perm::VERIFY,
            Self::Reopen { .. } => perm::REOPEN,
            Self::ApproveExtension { .. } | Self::RefuseExtension { .. } => perm::APPROVE,
        }
    }

    /// The statuses the action is allowed from.
    pub fn allowed_from(&self) -> &'static [Status] {
        use Status::*;
        match self {
            Self::Confirm { .. } | Self::Reject { .. } => &[Reported],
            Self::Assign(_) => &[Confirmed],
            Self::Start => &[Assigned],
            Self::Submit { .. } => &[InRemediation],
            Self::Verify { .. } | Self::SendBack { .. } => &[Submitted],
            Self::Reopen { .. } => &[Closed, Rejected],
            Self::RequestExtension { .. }
            | Self::ApproveExtension { .. }
            | Self::RefuseExtension { .. } => &[Assigned, InRemediation, Submitted],
        }
    }
}

/// What happens to the pending extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionEffect {
    /// Nothing.
    None,
    /// A new request is pending.
    Requested,
    /// The pending request was approved: the deadline moved.
    Approved,
    /// The pending request was refused.
    Refused,
    /// The record closed: a pending request lapses.
    Cancelled,
}

/// The result of an allowed action.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Status before.
    pub from: Status,
    /// Status after (equal to `from` for the extension actions).
    pub to: Status,
    /// The new deadline when it changes (assign, approved extension), `None` otherwise.
    pub deadline: Option<NaiveDate>,
    /// The new level when it changes (confirm).
    pub level: Option<Level>,
    /// Whether the overdue escalation starts over (the deadline moved or the record reopened).
    pub reset_escalation: bool,
    /// The extension bookkeeping.
    pub extension: ExtensionEffect,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The actor lacks the permission (HTTP 403).
    #[error("missing permission {0}")]
    Forbidden(&'static str),
    /// The action is not possible from the current status, or the actor may not take it on this
    /// record (a self-verification, someone else's remediation, an extension already pending)
    /// (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// Bad input (HTTP 422), keyed by API field name.
    #[error("invalid input")]
    Invalid(FieldErrors),
}

/// The Chinese name of a status (已上报, 已确认, ...), for messages shown in the console.
pub fn status_zh(s: Status) -> &'static str {
    match s {
        Status::Reported => "已上报",
        Status::Confirmed => "已确认",
        Status::Rejected => "已驳回",
        Status::Assigned => "已交办",
        Status::InRemediation => "整改中",
        Status::Submitted => "待验收",
        Status::Closed => "已销号",
    }
}

fn action_zh(a: &Action) -> &'static str {
    match a {
        Action::Confirm { .. } => "确认",
        Action::Reject { .. } => "驳回",
        Action::Assign(_) => "交办",
        Action::Start => "开始整改",
        Action::Submit { .. } => "提交整改",
        Action::Verify { .. } => "验收",
        Action::SendBack { .. } => "退回整改",
        Action::Reopen { .. } => "重新打开",
        Action::RequestExtension { .. } => "申请延期",
        Action::ApproveExtension { .. } => "批准延期",
        Action::RefuseExtension { .. } => "驳回延期",
    }
}

fn required(f: &mut FieldErrors, key: &str, v: &str, max: usize) {
    text_field(f, key, v, max);
}

fn invalid_if_any(f: FieldErrors) -> Result<(), WorkflowError> {
    if f.is_empty() {
        Ok(())
    } else {
        Err(WorkflowError::Invalid(f))
    }
}

/// Decides an action on a record at `now`. Checks, in order: the permission (403), the status
/// (409: no state is ever skipped), who the actor is on this record (409: only the assigned
/// remediator starts, submits and asks for extensions; the remediator and the submitter never
/// verify nor send back; the requester never decides their own extension), then the input (422:
/// required texts, deadlines after `now`, the grading, the five assurances of a major one).
///
/// # Errors
/// [`WorkflowError`].
pub fn transition(
    state: &RecordState,
    actor: &Actor,
    action: &Action,
    now: DateTime<Utc>,
) -> Result<Outcome, WorkflowError> {
    let p = action.permission();
    if !actor.can(p) {
        return Err(WorkflowError::Forbidden(p));
    }
    if !action.allowed_from().contains(&state.status) {
        return Err(WorkflowError::Conflict(format!(
            "隐患当前为“{}”，不能{} / {} is not allowed when the record is {}",
            status_zh(state.status),
            action_zh(action),
            action.name(),
            state.status
        )));
    }
    let from = state.status;
    let mut out = Outcome {
        from,
        to: from,
        deadline: None,
        level: None,
        reset_escalation: false,
        extension: ExtensionEffect::None,
    };
    let mut f = FieldErrors::new();
    match action {
        Action::Confirm { grading, comment } => {
            f = check_grading(grading);
            if let Some(c) = comment
                && c.chars().count() > 500
            {
                f.insert(
                    "comment".into(),
                    "最多 500 个字符 / at most 500 characters".into(),
                );
            }
            invalid_if_any(f)?;
            out.to = Status::Confirmed;
            out.level = Some(grading.level.unwrap_or(Level::General));
        }
        Action::Reject { reason } => {
            required(&mut f, "reason", reason, 500);
            invalid_if_any(f)?;
            out.to = Status::Rejected;
        }
        Action::Assign(a) => {
            required(&mut f, "department", &a.department, 100);
            required(&mut f, "measures", &a.measures, 2000);
            if !deadline_ahead(a.deadline, now) {
                f.insert(
                    "deadline".into(),
                    "不得早于今天（北京时间） / must not be before today (Asia/Shanghai)".into(),
                );
            }
            match (&a.five_assurances, state.level) {
                (None, Level::Major) => {
                    f.insert(
                        "fiveAssurances".into(),
                        "重大隐患须填写五落实（措施、资金、时限、责任人、预案） / is required for a major hidden danger (measures, funds, time limit, responsible person, contingency plan)".into(),
                    );
                }
                (Some(five), _) => f.extend(check_five_assurances(five, a.deadline)),
                (None, Level::General) => {}
            }
            invalid_if_any(f)?;
            out.to = Status::Assigned;
            out.deadline = Some(a.deadline);
            out.reset_escalation = true;
        }
        Action::Start => {
            if !actor.remediates(state) {
                return Err(WorkflowError::Conflict(
                    "只有指定的整改责任人可以开始整改 / only the assigned remediator starts the remediation".into(),
                ));
            }
            out.to = Status::InRemediation;
        }
        Action::Submit {
            description,
            evidence_count,
        } => {
            if !actor.remediates(state) {
                return Err(WorkflowError::Conflict(
                    "只有指定的整改责任人可以提交整改 / only the assigned remediator submits the remediation".into(),
                ));
            }
            required(&mut f, "description", description, 2000);
            if *evidence_count == 0 {
                f.insert(
                    "evidenceIds".into(),
                    "请至少上传一张整改照片 / at least one evidence photo is required".into(),
                );
            }
            invalid_if_any(f)?;
            out.to = Status::Submitted;
        }
        Action::Verify { comment } => {
            not_own_work(state, actor)?;
            if let Some(c) = comment
                && c.chars().count() > 500
            {
                f.insert(
                    "comment".into(),
                    "最多 500 个字符 / at most 500 characters".into(),
                );
            }
            invalid_if_any(f)?;
            out.to = Status::Closed;
            if state.pending_extension.is_some() {
                out.extension = ExtensionEffect::Cancelled;
            }
        }
        Action::SendBack { reason } => {
            not_own_work(state, actor)?;
            required(&mut f, "reason", reason, 500);
            invalid_if_any(f)?;
            out.to = Status::InRemediation;
        }
        Action::Reopen { reason } => {
            required(&mut f, "reason", reason, 500);
            invalid_if_any(f)?;
            out.to = if from == Status::Closed {
                Status::Confirmed
            } else {
                Status::Reported
            };
            out.reset_escalation = true;
        }
        Action::RequestExtension {
            new_deadline,
            reason,
        } => {
            if !actor.remediates(state) {
                return Err(WorkflowError::Conflict(
                    "只有指定的整改责任人可以申请延期 / only the assigned remediator asks for an extension".into(),
                ));
            }
            if state.pending_extension.is_some() {
                return Err(WorkflowError::Conflict(
                    "已有待审批的延期申请 / an extension request is already pending".into(),
                ));
            }
            required(&mut f, "reason", reason, 500);
            if state.deadline.is_some_and(|d| *new_deadline <= d) {
                f.insert(
                    "newDeadline".into(),
                    "须晚于当前整改期限 / must be after the current deadline".into(),
                );
            } else if !deadline_ahead(*new_deadline, now) {
                f.insert(
                    "newDeadline".into(),
                    "不得早于今天（北京时间） / must not be before today (Asia/Shanghai)".into(),
                );
            }
            invalid_if_any(f)?;
            out.extension = ExtensionEffect::Requested;
        }
        Action::ApproveExtension { comment } => {
            let pending = pending_of(state, actor)?;
            if let Some(c) = comment
                && c.chars().count() > 500
            {
                f.insert(
                    "comment".into(),
                    "最多 500 个字符 / at most 500 characters".into(),
                );
            }
            if !deadline_ahead(pending.new_deadline, now) {
                f.insert(
                    "newDeadline".into(),
                    "申请的整改期限已过，请驳回后重新申请 / the requested deadline has passed: refuse it and ask again".into(),
                );
            }
            invalid_if_any(f)?;
            out.deadline = Some(pending.new_deadline);
            out.reset_escalation = true;
            out.extension = ExtensionEffect::Approved;
        }
        Action::RefuseExtension { reason } => {
            pending_of(state, actor)?;
            required(&mut f, "reason", reason, 500);
            invalid_if_any(f)?;
            out.extension = ExtensionEffect::Refused;
        }
    }
    Ok(out)
}

/// The actions `actor` may take on a record in `state` at `now`, by name (as in
/// [`Action::name`]): those [`transition`] would not refuse for the permission, the status or who
/// the actor is (their input still has to be valid). The console shows only these buttons; the
/// server still decides each action with [`transition`].
pub fn allowed_actions(
    state: &RecordState,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<&'static str> {
    let today = shanghai_date(now);
    let later = state.deadline.unwrap_or(today).max(today) + chrono::Duration::days(30);
    let probes = [
        Action::Confirm {
            grading: Grading::default(),
            comment: None,
        },
        Action::Reject { reason: "-".into() },
        Action::Assign(Assignment {
            remediator_id: 0,
            department: "-".into(),
            deadline: later,
            measures: "-".into(),
            five_assurances: None,
        }),
        Action::Start,
        Action::Submit {
            description: "-".into(),
            evidence_count: 1,
        },
        Action::Verify { comment: None },
        Action::SendBack { reason: "-".into() },
        Action::Reopen { reason: "-".into() },
        Action::RequestExtension {
            new_deadline: later,
            reason: "-".into(),
        },
        Action::ApproveExtension { comment: None },
        Action::RefuseExtension { reason: "-".into() },
    ];
    probes
        .iter()
        .filter(|a| {
            matches!(
                transition(state, actor, a, now),
                Ok(_) | Err(WorkflowError::Invalid(_))
            )
        })
        .map(Action::name)
        .collect()
}

fn not_own_work(state: &RecordState, actor: &Actor) -> Result<(), WorkflowError> {
    if actor.remediates(state) || state.submitted_by == Some(actor.user_id) {
        Err(WorkflowError::Conflict(
            "整改人（或提交人）不能验收自己的整改 / the remediator (or whoever submitted) cannot verify their own work".into(),
        ))
    } else {
        Ok(())
    }
}

fn pending_of(state: &RecordState, actor: &Actor) -> Result<PendingExtension, WorkflowError> {
    let Some(p) = state.pending_extension else {
        return Err(WorkflowError::Conflict(
            "没有待审批的延期申请 / no extension request is pending".into(),
        ));
    };
    if p.requested_by == actor.user_id {
        return Err(WorkflowError::Conflict(
            "延期申请须由申请人以外的人员审批 / an extension is decided by someone other than the requester".into(),
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_deadline_ends_at_midnight_in_shanghai() {
        assert_eq!(deadline_end(d("2026-03-10")), t("2026-03-10T16:00:00Z"));
        let s = Status::InRemediation;
        let dl = Some(d("2026-03-10"));
        assert!(!is_overdue(s, dl, t("2026-03-10T15:59:59Z")));
        assert!(is_overdue(s, dl, t("2026-03-10T16:00:00Z")));
        assert_eq!(days_overdue(s, dl, t("2026-03-11T15:59:59Z")), Some(0));
        assert_eq!(days_overdue(s, dl, t("2026-03-11T16:00:00Z")), Some(1));
        assert!(!is_overdue(Status::Closed, dl, t("2027-01-01T00:00:00Z")));
        assert!(deadline_ahead(d("2026-03-10"), t("2026-03-10T15:00:00Z")));
        assert!(!deadline_ahead(d("2026-03-09"), t("2026-03-10T00:00:00Z")));
        assert_eq!(shanghai_date(t("2026-03-10T16:30:00Z")), d("2026-03-11"));
    }

    #[test]
    fn escalation_follows_the_policy() {
        let p = EscalationPolicy::default();
        let dl = Some(d("2026-03-10"));
        let at = |days: i64| deadline_end(d("2026-03-10")) + Duration::days(days);
        let g = |days| escalation_level(Status::Assigned, Level::General, dl, at(days), &p);
        let m = |days| escalation_level(Status::Assigned, Level::Major, dl, at(days), &p);
        assert_eq!(
            escalation_level(
                Status::Assigned,
                Level::General,
                dl,
                at(0) - Duration::seconds(1),
                &p
            ),
            Escalation::None
        );
        assert_eq!(g(0), Escalation::Enterprise);
        assert_eq!(g(3), Escalation::Department);
        assert_eq!(g(7), Escalation::Bureau);
        assert_eq!(m(0), Escalation::Department);
        assert_eq!(m(1), Escalation::Bureau);
        assert_eq!(
            EscalationPolicy::from_values([5, 2, 0, 1]),
            EscalationPolicy {
                department_days: 3,
                bureau_days: 7,
                ..p
            }
        );
    }

    #[test]
    fn grading_needs_a_criterion_or_a_judgement() {
        let major = |std: Option<&str>, item: Option<u32>, j: Option<&str>| Grading {
            level: Some(Level::Major),
            criteria_standard: std.map(str::to_owned),
            criteria_item: item,
            judgement: j.map(str::to_owned),
        };
        assert!(check_grading(&major(Some("chemical-2017"), Some(12), None)).is_empty());
        assert!(
            check_grading(&major(
                None,
                None,
                Some("储罐区无紧急切断，经专家会商判定为重大隐患")
            ))
            .is_empty()
        );
        assert!(check_grading(&major(None, None, None)).contains_key("majorJudgement"));
        assert!(
            check_grading(&major(Some("chemical-2017"), Some(99), None))
                .contains_key("criteriaItem")
        );
        assert!(
            check_grading(&major(Some("nope"), Some(1), None)).contains_key("criteriaStandard")
        );
        assert!(check_grading(&Grading::default()).is_empty());
    }
}
