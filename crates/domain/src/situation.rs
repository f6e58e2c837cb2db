//! The dynamic enterprise risk (企业动态风险): a score per enterprise from its inherent hazards
//! (major hazard installations, risk points) and its live state (active alarms, overdue and major
//! hidden danger, recent accidents), a level by the score, and a breakdown saying why.
//!
//! **A platform default, not a regulation.** No national standard defines this score; the weights
//! live in the system parameter [`WEIGHTS_PARAM`] (JSON, `docs/dynamic-risk.md`) and every point
//! shown in the breakdown comes from them. No I/O here: the store gathers [`RiskInputs`], the
//! worker calls [`compute`].
//!
//! ## The score
//! - inherent = points of the best (highest) grade among the enterprise's major hazard
//!   installations (GB 18218-2018 §4.2 grades, 1 = 一级 highest) + points of the highest current
//!   level among its risk points.
//! - live = min(Σ points per active alarm by priority, `activeAlarmCap`)
//!   + min(overdue hidden dangers × `overdueHiddenDanger`, `overdueHiddenDangerCap`)
//!   + min(open major hidden dangers × `majorHiddenDanger`, `majorHiddenDangerCap`)
//!   + min(accidents within `recentAccidentDays` × `recentAccident`, `recentAccidentCap`).
//! - score = inherent + live (an integer, no upper bound other than the sum of the caps).
//! - level: `major` from `levels.major` points on, `high` from `levels.high`, `medium` from
//!   `levels.medium`, else `low` (edges inclusive).
//!
//! An overdue hidden danger that is also major counts in both terms, on purpose: both facts raise
//! the risk.

use crate::standards::risk::RiskLevel;
use crate::validation::{FieldErrors, ValidationError};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The system parameter holding [`Weights`] as JSON.
pub const WEIGHTS_PARAM: &str = "risk.dynamicWeights";

/// Largest points any single weight or cap may have.
pub const MAX_POINTS: i64 = 1000;

/// Longest accident window, days (10 years).
pub const MAX_ACCIDENT_DAYS: i64 = 3650;

/// Points per major hazard installation grade (keys `"1"` … `"4"`, GB 18218-2018 §4.2: 1 = 一级,
/// the highest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradePoints {
    /// 一级.
    #[serde(rename = "1")]
    pub g1: i64,
    /// 二级.
    #[serde(rename = "2")]
    pub g2: i64,
    /// 三级.
    #[serde(rename = "3")]
    pub g3: i64,
    /// 四级.
    #[serde(rename = "4")]
    pub g4: i64,
}

impl GradePoints {
    /// The points of `grade` (1..=4; 0 for anything else).
    pub fn of(&self, grade: u8) -> i64 {
        match grade {
            1 => self.g1,
            2 => self.g2,
            3 => self.g3,
            4 => self.g4,
            _ => 0,
        }
    }
}

/// Points per risk level (重大 / 较大 / 一般 / 低).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelPoints {
    /// 重大风险.
    pub major: i64,
    /// 较大风险.
    pub high: i64,
    /// 一般风险.
    pub medium: i64,
    /// 低风险.
    pub low: i64,
}

impl LevelPoints {
    /// The points of `level`.
    pub fn of(&self, level: RiskLevel) -> i64 {
        match level {
            RiskLevel::Major => self.major,
            RiskLevel::High => self.high,
            RiskLevel::Medium => self.medium,
            RiskLevel::Low => self.low,
        }
    }
}

/// Points per active alarm by its (current) priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityPoints {
    /// critical.
    pub critical: i64,
    /// high.
    pub high: i64,
    /// medium.
    pub medium: i64,
    /// low.
    pub low: i64,
}

impl PriorityPoints {
    /// The points of `p`.
    pub fn of(&self, p: AlarmPriority) -> i64 {
        match p {
            AlarmPriority::Critical => self.critical,
            AlarmPriority::High => self.high,
            AlarmPriority::Medium => self.medium,
            AlarmPriority::Low => self.low,
        }
    }
}

/// The score at which each level starts (inclusive); below `medium` the level is `low`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelEdges {
    /// 重大 (红) from this score on.
    pub major: i64,
    /// 较大 (橙) from this score on.
    pub high: i64,
    /// 一般 (黄) from this score on.
    pub medium: i64,
}

/// The weights of the dynamic risk (system parameter [`WEIGHTS_PARAM`]); all in points except
/// `recentAccidentDays` (days). A platform default, not a regulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Weights {
    /// Points of the best installation grade.
    pub installation_grade: GradePoints,
    /// Points of the highest risk-point level.
    pub risk_point_level: LevelPoints,
    /// Points per active alarm by priority.
    pub active_alarm: PriorityPoints,
    /// At most this many points from active alarms.
    pub active_alarm_cap: i64,
    /// Points per overdue hidden danger.
    pub overdue_hidden_danger: i64,
    /// At most this many points from overdue hidden dangers.
    pub overdue_hidden_danger_cap: i64,
    /// Points per open major hidden danger.
    pub major_hidden_danger: i64,
    /// At most this many points from open major hidden dangers.
    pub major_hidden_danger_cap: i64,
    /// Points per accident within `recentAccidentDays`.
    pub recent_accident: i64,
    /// How far back an accident counts, days.
    pub recent_accident_days: i64,
    /// At most this many points from recent accidents.
    pub recent_accident_cap: i64,
    /// Where the levels start.
    pub levels: LevelEdges,
}

impl Default for Weights {
    /// The platform default (the same document as the migration's `DEFAULT_WEIGHTS`).
    fn default() -> Self {
        Self {
            installation_grade: GradePoints {
                g1: 40,
                g2: 30,
                g3: 20,
                g4: 10,
            },
            risk_point_level: LevelPoints {
                major: 30,
                high: 15,
                medium: 5,
                low: 0,
            },
            active_alarm: PriorityPoints {
                critical: 25,
                high: 15,
                medium: 8,
                low: 3,
            },
            active_alarm_cap: 50,
            overdue_hidden_danger: 8,
            overdue_hidden_danger_cap: 32,
            major_hidden_danger: 20,
            major_hidden_danger_cap: 40,
            recent_accident: 30,
            recent_accident_days: 365,
            recent_accident_cap: 60,
            levels: LevelEdges {
                major: 70,
                high: 45,
                medium: 20,
            },
        }
    }
}

impl Weights {
    /// Parses and validates the parameter's JSON text.
    ///
    /// # Errors
    /// Field errors keyed by the weight's path (`levels.high`, `activeAlarm.critical`, or the
    /// path where the document stops being the right shape).
    pub fn parse(text: &str) -> Result<Weights, ValidationError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let w: Weights = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let field = if path.is_empty() || path == "." {
                "weights".to_owned()
            } else {
                path
            };
            ValidationError::field(field, e.inner().to_string())
        })?;
        w.validate()?;
        Ok(w)
    }

    /// Checks every weight is 0..=[`MAX_POINTS`], the window 1..=[`MAX_ACCIDENT_DAYS`] days and
    /// the level edges strictly decreasing: `levels.major > levels.high > levels.medium > 0`.
    ///
    /// # Errors
    /// One message per offending field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut f = FieldErrors::new();
        let points: [(&str, i64); 22] = [
            ("installationGrade.1", self.installation_grade.g1),
            ("installationGrade.2", self.installation_grade.g2),
            ("installationGrade.3", self.installation_grade.g3),
            ("installationGrade.4", self.installation_grade.g4),
            ("riskPointLevel.major", self.risk_point_level.major),
            ("riskPointLevel.high", self.risk_point_level.high),
            ("riskPointLevel.medium", self.risk_point_level.medium),
            ("riskPointLevel.low", self.risk_point_level.low),
            ("activeAlarm.critical", self.active_alarm.critical),
            ("activeAlarm.high", self.active_alarm.high),
            ("activeAlarm.medium", self.active_alarm.medium),
            ("activeAlarm.low", self.active_alarm.low),
            ("activeAlarmCap", self.active_alarm_cap),
            ("overdueHiddenDanger", self.overdue_hidden_danger),
            ("overdueHiddenDangerCap", self.overdue_hidden_danger_cap),
            ("majorHiddenDanger", self.major_hidden_danger),
            ("majorHiddenDangerCap", self.major_hidden_danger_cap),
            ("recentAccident", self.recent_accident),
            ("recentAccidentCap", self.recent_accident_cap),
            ("levels.major", self.levels.major),
            ("levels.high", self.levels.high),
            ("levels.medium", self.levels.medium),
        ];
        for (k, v) in points {
            if !(0..=MAX_POINTS).contains(&v) {
                f.insert(
                    k.into(),
                    format!("须为 0 到 {MAX_POINTS} 的整数 / must be a whole number from 0 to {MAX_POINTS}"),
                );
            }
        }
        if !(1..=MAX_ACCIDENT_DAYS).contains(&self.recent_accident_days) {
            f.insert(
                "recentAccidentDays".into(),
                format!("须为 1 到 {MAX_ACCIDENT_DAYS} 天 / must be 1 to {MAX_ACCIDENT_DAYS} days"),
            );
        }
        let l = self.levels;
        if l.medium <= 0 {
            f.entry("levels.medium".into())
                .or_insert_with(|| "须大于 0 / must be greater than 0".into());
        }
        if l.high <= l.medium {
            f.entry("levels.high".into()).or_insert_with(|| {
                format!(
                    "须大于 levels.medium（{}）/ must be greater than levels.medium ({})",
                    l.medium, l.medium
                )
            });
        }
        if l.major <= l.high {
            f.entry("levels.major".into()).or_insert_with(|| {
                format!(
                    "须大于 levels.high（{}）/ must be greater than levels.high ({})",
                    l.high, l.high
                )
            });
        }
        if f.is_empty() {
            Ok(())
        } else {
            Err(ValidationError { fields: f })
        }
    }

    /// The level of `score`: `major` from `levels.major` on, `high` from `levels.high`, `medium`
    /// from `levels.medium`, else `low` (each edge inclusive).
    pub fn level_of(&self, score: i64) -> RiskLevel {
        if score >= self.levels.major {
            RiskLevel::Major
        } else if score >= self.levels.high {
            RiskLevel::High
        } else if score >= self.levels.medium {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

/// Priority of an alarm (`alarms.priority`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlarmPriority {
    /// low.
    Low,
    /// medium.
    Medium,
    /// high.
    High,
    /// critical.
    Critical,
}

impl AlarmPriority {
    /// Parses a stored priority name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "critical" => Some(Self::Critical),
            "high" => Some(Self::High),
            "medium" => Some(Self::Medium),
            "low" => Some(Self::Low),
            _ => None,
        }
    }
}

/// The Chinese name of an alarm condition (`alarms.condition`), e.g. `high_high` → `高高`;
/// unknown names are returned as they are.
pub fn condition_zh(condition: &str) -> &str {
    match condition {
        "high_high" => "高高",
        "high" => "高",
        "low" => "低",
        "low_low" => "低低",
        "rate_of_change" => "变化率",
        "communication_fault" => "通讯故障",
        "sensor_fault" => "传感器故障",
        "device_offline" => "设备离线",
        "voting" => "表决",
        other => other,
    }
}

/// The best major hazard installation of an enterprise (the highest grade among those
/// identified as major).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallationInput {
    /// `major_hazard_installations.id`.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Grade 1..=4 (1 = 一级, the highest).
    pub grade: u8,
    /// How many of the enterprise's installations are major (graded).
    pub count: u32,
}

/// The enterprise's risk point(s) at the highest current level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskPointInput {
    /// One such point (`risk_points.id`; the lowest id).
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The highest level (the latest assessment's).
    pub level: RiskLevel,
    /// How many active points have this level.
    pub count: u32,
}

/// One active alarm of the enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmInput {
    /// `alarms.id`.
    pub alarm_id: i64,
    /// Current priority.
    pub priority: AlarmPriority,
    /// The source's tag (sensor / device / group code).
    pub tag: String,
    /// The sensor's name, when the source is a sensor.
    pub name: Option<String>,
    /// The condition (`high_high`, …).
    pub condition: String,
    /// The latest value, in `unit`.
    pub value: Option<f64>,
    /// The sensor's unit.
    pub unit: Option<String>,
}

/// Everything the score needs about one enterprise, at one moment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RiskInputs {
    /// The best major installation, if any.
    pub installation: Option<InstallationInput>,
    /// The highest-level risk point, if any point has been assessed.
    pub risk_point: Option<RiskPointInput>,
    /// Active alarms (`active AND ended_at IS NULL AND state NOT IN (shelved, suppressed,
    /// out_of_service)`).
    pub alarms: Vec<AlarmInput>,
    /// Hidden dangers past their remediation deadline and not closed.
    pub overdue_hidden_dangers: u32,
    /// Open (neither closed nor rejected) hidden dangers graded major (重大事故隐患).
    pub major_hidden_dangers: u32,
    /// Accidents within `recentAccidentDays`. There is no accident register yet: always 0.
    pub recent_accidents: u32,
}

/// What a breakdown item is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// The best major hazard installation (inherent).
    Installation,
    /// The highest risk-point level (inherent).
    RiskPoint,
    /// Active alarms of one condition (live).
    ActiveAlarm,
    /// Overdue hidden dangers (live).
    OverdueHiddenDanger,
    /// Open major hidden dangers (live).
    MajorHiddenDanger,
    /// Recent accidents (live).
    RecentAccident,
}

impl ItemKind {
    /// Whether the item counts as inherent (else live).
    pub fn inherent(self) -> bool {
        matches!(self, Self::Installation | Self::RiskPoint)
    }
}

/// One line of the breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownItem {
    /// What it is about.
    pub kind: ItemKind,
    /// How many things (alarms, hidden dangers, installations, risk points).
    pub count: u32,
    /// Points it adds (after the cap).
    pub points: i64,
    /// Points before the cap (equal to `points` when no cap applied).
    pub raw_points: i64,
    /// Chinese text naming the cause, e.g. `1 条高高报警活动中：T-101 反应器压力 2950 kPa`.
    pub text: String,
    /// Ids of the things for links: alarm ids, the installation id, the risk point id.
    pub refs: Vec<i64>,
    /// The alarm condition (active alarms only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// The computed risk of one enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// inherent + live, points.
    pub score: i64,
    /// The level of `score`.
    pub level: RiskLevel,
    /// Installations and risk points, points.
    pub inherent_score: i64,
    /// Alarms, hidden dangers and accidents, points (each term capped).
    pub live_score: i64,
    /// The items that add points (or name a cause), highest points first within live then
    /// inherent.
    pub breakdown: Vec<BreakdownItem>,
    /// Chinese summary: `橙色：1 条高高报警活动中（T-101 反应器压力 2950 kPa）；2 条隐患逾期`.
    pub summary: String,
}

/// The Chinese colour name of a level with its suffix: `红色` / `橙色` / `黄色` / `蓝色`.
pub fn colour_zh(level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::Major => "红色",
        RiskLevel::High => "橙色",
        RiskLevel::Medium => "黄色",
        RiskLevel::Low => "蓝色",
    }
}

/// A value without needless decimals: `2950`, `2.5`, `0.12` (at most 3 decimals).
pub fn format_value(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn grade_zh(g: u8) -> &'static str {
    match g {
        1 => "一级",
        2 => "二级",
        3 => "三级",
        _ => "四级",
    }
}

/// How many alarms one breakdown item names in its text; the rest are counted ("等 N 条").
const NAMED_ALARMS: usize = 3;

fn alarm_label(a: &AlarmInput) -> String {
    let mut s = a.tag.clone();
    if let Some(n) = a.name.as_deref().filter(|n| !n.is_empty()) {
        s.push(' ');
        s.push_str(n);
    }
    if let Some(v) = a.value {
        let _ = write!(s, " {}", format_value(v));
        if let Some(u) = a.unit.as_deref().filter(|u| !u.is_empty()) {
            s.push(' ');
            s.push_str(u);
        }
    }
    s
}

fn capped(raw: i64, cap: i64) -> i64 {
    raw.min(cap).max(0)
}

/// Computes the score, level, breakdown and summary of `inputs` under `w`.
pub fn compute(inputs: &RiskInputs, w: &Weights) -> Assessment {
    let mut live: Vec<BreakdownItem> = Vec::new();

    // Active alarms, grouped by condition; the group with the most urgent alarm first.
    let mut alarms: Vec<&AlarmInput> = inputs.alarms.iter().collect();
    alarms.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.alarm_id.cmp(&b.alarm_id))
    });
    let mut groups: Vec<(String, Vec<&AlarmInput>)> = Vec::new();
    for a in alarms {
        match groups.iter_mut().find(|g| g.0 == a.condition) {
            Some(g) => g.1.push(a),
            None => groups.push((a.condition.clone(), vec![a])),
        }
    }
    let mut left = w.active_alarm_cap.max(0);
    for (condition, members) in groups {
        let raw: i64 = members.iter().map(|a| w.active_alarm.of(a.priority)).sum();
        let points = raw.min(left);
        left -= points;
        let names: Vec<String> = members
            .iter()
            .take(NAMED_ALARMS)
            .map(|a| alarm_label(a))
            .collect();
        let mut text = format!(
            "{} 条{}报警活动中：{}",
            members.len(),
            condition_zh(&condition),
            names.join("、")
        );
        if members.len() > NAMED_ALARMS {
            let _ = write!(text, " 等");
        }
        live.push(BreakdownItem {
            kind: ItemKind::ActiveAlarm,
            count: members.len() as u32,
            points,
            raw_points: raw,
            text,
            refs: members.iter().map(|a| a.alarm_id).collect(),
            condition: Some(condition),
        });
    }

    let n = inputs.overdue_hidden_dangers;
    if n > 0 {
        let raw = i64::from(n) * w.overdue_hidden_danger;
        live.push(BreakdownItem {
            kind: ItemKind::OverdueHiddenDanger,
            count: n,
            points: capped(raw, w.overdue_hidden_danger_cap),
            raw_points: raw,
            text: format!("{n} 条隐患逾期未整改"),
            refs: vec![],
            condition: None,
        });
    }
    let n = inputs.major_hidden_dangers;
    if n > 0 {
        let raw = i64::from(n) * w.major_hidden_danger;
        live.push(BreakdownItem {
            kind: ItemKind::MajorHiddenDanger,
            count: n,
            points: capped(raw, w.major_hidden_danger_cap),
            raw_points: raw,
            text: format!("{n} 条重大事故隐患未销号"),
            refs: vec![],
            condition: None,
        });
    }
    let n = inputs.recent_accidents;
    if n > 0 {
        let raw = i64::from(n) * w.recent_accident;
        live.push(BreakdownItem {
            kind: ItemKind::RecentAccident,
            count: n,
            points: capped(raw, w.recent_accident_cap),
            raw_points: raw,
            text: format!("近 {} 天发生 {n} 起事故", w.recent_accident_days),
            refs: vec![],
            condition: None,
        });
    }

    let mut inherent: Vec<BreakdownItem> = Vec::new();
    if let Some(i) = &inputs.installation {
        let p = w.installation_grade.of(i.grade);
        let text = if i.count > 1 {
            format!(
                "{} 处重大危险源，最高{}：{}",
                i.count,
                grade_zh(i.grade),
                i.name
            )
        } else {
            format!("{}重大危险源：{}", grade_zh(i.grade), i.name)
        };
        inherent.push(BreakdownItem {
            kind: ItemKind::Installation,
            count: i.count.max(1),
            points: p,
            raw_points: p,
            text,
            refs: vec![i.id],
            condition: None,
        });
    }
    if let Some(r) = &inputs.risk_point {
        let p = w.risk_point_level.of(r.level);
        let text = if r.count > 1 {
            format!("{} 个{}点，如：{}", r.count, r.level.name_zh(), r.name)
        } else {
            format!("最高风险点为{}：{}", r.level.name_zh(), r.name)
        };
        inherent.push(BreakdownItem {
            kind: ItemKind::RiskPoint,
            count: r.count.max(1),
            points: p,
            raw_points: p,
            text,
            refs: vec![r.id],
            condition: None,
        });
    }

    let live_score: i64 = live.iter().map(|i| i.points).sum();
    let inherent_score: i64 = inherent.iter().map(|i| i.points).sum();
    let score = live_score + inherent_score;
    let level = w.level_of(score);

    let mut causes: Vec<&BreakdownItem> = live.iter().chain(inherent.iter()).collect();
    causes.retain(|i| i.points > 0 || i.kind == ItemKind::ActiveAlarm);
    let summary = if causes.is_empty() {
        format!("{}：无固有或动态风险因素", colour_zh(level))
    } else {
        let parts: Vec<String> = causes.iter().map(|i| i.text.clone()).collect();
        format!("{}：{}", colour_zh(level), parts.join("；"))
    };
    let mut breakdown = live;
    breakdown.extend(inherent);
    Assessment {
        score,
        level,
        inherent_score,
        live_score,
        breakdown,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alarm(id: i64, priority: AlarmPriority, condition: &str) -> AlarmInput {
        AlarmInput {
            alarm_id: id,
            priority,
            tag: format!("T-{id}"),
            name: Some("反应器压力".into()),
            condition: condition.into(),
            value: Some(2950.0),
            unit: Some("kPa".into()),
        }
    }

    #[test]
    fn default_is_the_documented_json() {
        let json = r#"{"installationGrade":{"1":40,"2":30,"3":20,"4":10},"riskPointLevel":{"major":30,"high":15,"medium":5,"low":0},"activeAlarm":{"critical":25,"high":15,"medium":8,"low":3},"activeAlarmCap":50,"overdueHiddenDanger":8,"overdueHiddenDangerCap":32,"majorHiddenDanger":20,"majorHiddenDangerCap":40,"recentAccident":30,"recentAccidentDays":365,"recentAccidentCap":60,"levels":{"major":70,"high":45,"medium":20}}"#;
        assert_eq!(Weights::parse(json).unwrap(), Weights::default());
        assert!(Weights::default().validate().is_ok());
    }

    #[test]
    fn field_errors_name_the_weight() {
        let mut w = serde_json::to_value(Weights::default()).unwrap();
        w["activeAlarm"]["high"] = serde_json::json!(-1);
        let e = Weights::parse(&w.to_string()).unwrap_err();
        assert!(e.fields.contains_key("activeAlarm.high"), "{e}");

        let mut w = serde_json::to_value(Weights::default()).unwrap();
        w["levels"]["high"] = serde_json::json!("x");
        let e = Weights::parse(&w.to_string()).unwrap_err();
        assert!(e.fields.contains_key("levels.high"), "{e}");

        let mut w = serde_json::to_value(Weights::default()).unwrap();
        w["extra"] = serde_json::json!(1);
        assert!(Weights::parse(&w.to_string()).is_err());
        assert!(Weights::parse("not json").is_err());
        assert!(Weights::parse("{}").is_err());
    }

    #[test]
    fn level_edges_must_strictly_decrease_above_zero() {
        let mut w = Weights {
            levels: LevelEdges {
                major: 45,
                high: 45,
                medium: 20,
            },
            ..Default::default()
        };
        let e = w.validate().unwrap_err();
        assert!(e.fields.contains_key("levels.major"), "{e}");
        w.levels = LevelEdges {
            major: 70,
            high: 20,
            medium: 20,
        };
        assert!(w.validate().unwrap_err().fields.contains_key("levels.high"));
        w.levels = LevelEdges {
            major: 70,
            high: 45,
            medium: 0,
        };
        assert!(
            w.validate()
                .unwrap_err()
                .fields
                .contains_key("levels.medium")
        );
        w.levels = LevelEdges {
            major: 3,
            high: 2,
            medium: 1,
        };
        assert!(w.validate().is_ok());
        w.recent_accident_days = 0;
        assert!(
            w.validate()
                .unwrap_err()
                .fields
                .contains_key("recentAccidentDays")
        );
        let mut w = Weights {
            active_alarm_cap: MAX_POINTS + 1,
            ..Default::default()
        };
        assert!(
            w.validate()
                .unwrap_err()
                .fields
                .contains_key("activeAlarmCap")
        );
        w.active_alarm_cap = MAX_POINTS;
        assert!(w.validate().is_ok());
    }

    #[test]
    fn levels_at_every_edge() {
        let w = Weights::default();
        assert_eq!(w.level_of(0), RiskLevel::Low);
        assert_eq!(w.level_of(19), RiskLevel::Low);
        assert_eq!(w.level_of(20), RiskLevel::Medium);
        assert_eq!(w.level_of(44), RiskLevel::Medium);
        assert_eq!(w.level_of(45), RiskLevel::High);
        assert_eq!(w.level_of(69), RiskLevel::High);
        assert_eq!(w.level_of(70), RiskLevel::Major);
        assert_eq!(w.level_of(250), RiskLevel::Major);
    }

    #[test]
    fn nothing_is_low_with_zero() {
        let a = compute(&RiskInputs::default(), &Weights::default());
        assert_eq!((a.score, a.level), (0, RiskLevel::Low));
        assert!(a.breakdown.is_empty());
        assert_eq!(a.summary, "蓝色：无固有或动态风险因素");
    }

    #[test]
    fn one_high_high_alarm_names_the_sensor() {
        let inputs = RiskInputs {
            alarms: vec![alarm(101, AlarmPriority::High, "high_high")],
            ..Default::default()
        };
        let a = compute(&inputs, &Weights::default());
        assert_eq!(a.score, 15);
        assert_eq!(a.live_score, 15);
        assert_eq!(a.level, RiskLevel::Low);
        assert_eq!(
            a.breakdown[0].text,
            "1 条高高报警活动中：T-101 反应器压力 2950 kPa"
        );
        assert_eq!(a.breakdown[0].refs, vec![101]);
        assert_eq!(
            a.summary,
            "蓝色：1 条高高报警活动中：T-101 反应器压力 2950 kPa"
        );
    }

    #[test]
    fn edges_reached_by_inputs() {
        let w = Weights::default();
        // 一级 installation (40) alone: medium; + one medium alarm (8) = 48: high.
        let mut i = RiskInputs {
            installation: Some(InstallationInput {
                id: 7,
                name: "液氯储罐区".into(),
                grade: 1,
                count: 1,
            }),
            ..Default::default()
        };
        let a = compute(&i, &w);
        assert_eq!(
            (a.score, a.level, a.inherent_score),
            (40, RiskLevel::Medium, 40)
        );
        i.alarms.push(alarm(1, AlarmPriority::Low, "high")); // 43
        assert_eq!(compute(&i, &w).level, RiskLevel::Medium);
        i.alarms[0].priority = AlarmPriority::Medium; // 48
        let a = compute(&i, &w);
        assert_eq!((a.score, a.level), (48, RiskLevel::High));
        assert!(a.summary.starts_with("橙色："), "{}", a.summary);
        // + 重大 risk point (30) = 78: major.
        i.risk_point = Some(RiskPointInput {
            id: 3,
            name: "氯气充装".into(),
            level: RiskLevel::Major,
            count: 1,
        });
        let a = compute(&i, &w);
        assert_eq!((a.score, a.level), (78, RiskLevel::Major));
        assert!(a.summary.starts_with("红色："));
        // Exactly 20 = medium, 19 = low: a 二级 … no: 四级 (10) + 较大 (15) = 25; low with 10 + 5.
        let j = RiskInputs {
            installation: Some(InstallationInput {
                id: 1,
                name: "x".into(),
                grade: 4,
                count: 1,
            }),
            risk_point: Some(RiskPointInput {
                id: 2,
                name: "y".into(),
                level: RiskLevel::Medium,
                count: 2,
            }),
            overdue_hidden_dangers: 0,
            ..Default::default()
        };
        assert_eq!(compute(&j, &w).score, 15);
        let mut k = j.clone();
        k.alarms.push(alarm(9, AlarmPriority::Low, "low")); // 18
        assert_eq!(compute(&k, &w).level, RiskLevel::Low);
        k.alarms.push(alarm(10, AlarmPriority::Low, "low")); // 21
        assert_eq!(compute(&k, &w).level, RiskLevel::Medium);
        // 45 exactly: 一级 (40) + 一般 (5).
        let mut m = i.clone();
        m.alarms.clear();
        m.risk_point.as_mut().unwrap().level = RiskLevel::Medium;
        let a = compute(&m, &w);
        assert_eq!((a.score, a.level), (45, RiskLevel::High));
        // 70 exactly: 一级 (40) + 重大 (30).
        m.risk_point.as_mut().unwrap().level = RiskLevel::Major;
        let a = compute(&m, &w);
        assert_eq!((a.score, a.level), (70, RiskLevel::Major));
        // 69: 二级 (30) + 重大 (30) + low alarm ×3 (9).
        m.installation.as_mut().unwrap().grade = 2;
        for n in 0..3 {
            m.alarms.push(alarm(n, AlarmPriority::Low, "high"));
        }
        let a = compute(&m, &w);
        assert_eq!((a.score, a.level), (69, RiskLevel::High));
    }

    #[test]
    fn caps() {
        let w = Weights::default();
        // Alarms: 3 critical = 75 > 50.
        let i = RiskInputs {
            alarms: vec![
                alarm(1, AlarmPriority::Critical, "high_high"),
                alarm(2, AlarmPriority::Critical, "high_high"),
                alarm(3, AlarmPriority::Critical, "low_low"),
                alarm(4, AlarmPriority::Low, "high"),
            ],
            overdue_hidden_dangers: 4, // 32 = cap exactly
            major_hidden_dangers: 3,   // 60 > 40
            recent_accidents: 3,       // 90 > 60
            ..Default::default()
        };
        let a = compute(&i, &w);
        let alarm_points: i64 = a
            .breakdown
            .iter()
            .filter(|b| b.kind == ItemKind::ActiveAlarm)
            .map(|b| b.points)
            .sum();
        assert_eq!(alarm_points, 50);
        let hh = &a.breakdown[0];
        assert_eq!((hh.count, hh.points, hh.raw_points), (2, 50, 50));
        assert_eq!(hh.condition.as_deref(), Some("high_high"));
        let ll = &a.breakdown[1];
        assert_eq!((ll.count, ll.points, ll.raw_points), (1, 0, 25));
        let by = |k| a.breakdown.iter().find(|b| b.kind == k).unwrap();
        assert_eq!(by(ItemKind::OverdueHiddenDanger).points, 32);
        assert_eq!(by(ItemKind::OverdueHiddenDanger).raw_points, 32);
        assert_eq!(by(ItemKind::MajorHiddenDanger).points, 40);
        assert_eq!(by(ItemKind::MajorHiddenDanger).raw_points, 60);
        assert_eq!(by(ItemKind::RecentAccident).points, 60);
        assert_eq!(a.live_score, 50 + 32 + 40 + 60);
        assert_eq!(a.score, a.live_score);
        // One below the overdue cap: 3 × 8 = 24.
        let mut j = i.clone();
        j.overdue_hidden_dangers = 3;
        let a = compute(&j, &w);
        assert_eq!(
            a.breakdown
                .iter()
                .find(|b| b.kind == ItemKind::OverdueHiddenDanger)
                .unwrap()
                .points,
            24
        );
        // The score's maximum under the defaults: 40 + 30 + 50 + 32 + 40 + 60.
        let mut k = i.clone();
        k.overdue_hidden_dangers = 100;
        k.installation = Some(InstallationInput {
            id: 1,
            name: "x".into(),
            grade: 1,
            count: 3,
        });
        k.risk_point = Some(RiskPointInput {
            id: 1,
            name: "y".into(),
            level: RiskLevel::Major,
            count: 1,
        });
        assert_eq!(compute(&k, &w).score, 252);
    }

    #[test]
    fn many_alarms_of_one_condition_name_three() {
        let i = RiskInputs {
            alarms: (1..=5)
                .map(|n| alarm(n, AlarmPriority::Medium, "high"))
                .collect(),
            ..Default::default()
        };
        let a = compute(&i, &Weights::default());
        assert_eq!(a.breakdown.len(), 1);
        assert!(a.breakdown[0].text.starts_with("5 条高报警活动中：T-1 "));
        assert!(a.breakdown[0].text.ends_with(" 等"));
        assert_eq!(a.breakdown[0].refs.len(), 5);
        assert_eq!(a.breakdown[0].points, 40);
    }

    #[test]
    fn values_are_formatted_plainly() {
        assert_eq!(format_value(2950.0), "2950");
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(format_value(0.1234), "0.123");
        assert_eq!(format_value(-0.0001), "0");
        assert_eq!(condition_zh("high_high"), "高高");
        assert_eq!(condition_zh("x"), "x");
    }
}
