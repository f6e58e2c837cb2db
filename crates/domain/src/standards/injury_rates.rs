//! Injury and fatality statistics (`shared/reference/standards.md` §A9).
//!
//! ## Layout
//! - [`Rate`] — every indicator with its formula, unit and source.
//! - [`InjuryStats`], [`compute`] — compute every indicator whose inputs are present.
//! - [`rate`] — one indicator: `numerator × scale / denominator`, refusing a zero denominator.
//! - [`calc`] — the `injury-rates` topic.
//!
//! All rates are `count × scale / base` as IEEE-754 doubles (one multiplication, one division);
//! counts are whole numbers, bases (hours, employees, GDP, output) non-negative reals.

use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// OSHA's base: 200,000 hours = 100 full-time workers × 40 h × 50 weeks (standards.md §A9,
/// SECONDARY: COMAR 09.12.24.08, NSC Injury Facts).
pub const OSHA_BASE_HOURS: f64 = 200_000.0;

/// An injury or fatality indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rate {
    /// TRIR / total case rate: (G + H + I + J) × 200,000 / hours (OSHA 300A; deaths included as in
    /// the ODI/CORGIS "Total Case Rate" and the ITA TRC; SECONDARY). Cases per 200,000 hours.
    Trir,
    /// DART: (H + I) × 200,000 / hours (SECONDARY). Cases per 200,000 hours.
    Dart,
    /// DAFWII: H × 200,000 / hours (SECONDARY). Cases per 200,000 hours.
    Dafwii,
    /// LTIFR: lost-time injuries × 10⁶ / hours (SECONDARY; AS 1885.1-1990). Per million hours.
    Ltifr,
    /// 千人死亡率 / 千人事故死亡率: deaths / average employees × 10³ (GB 6441-86 §6, SECONDARY;
    /// GB 6441-2025 App. A M_pt, scale inferred from the name). Per 1,000 employees.
    FatalityPerThousand,
    /// 千人重伤率: serious injuries / average employees × 10³ (GB 6441-86 §6, SECONDARY; dropped in
    /// 2025). Per 1,000 employees.
    SeriousInjuryPerThousand,
    /// 千人事故受伤率: injured persons / average employees × 10³ (GB 6441-2025 App. A R_i; scale
    /// inferred from the name). Per 1,000 employees.
    InjuryPerThousand,
    /// 百万工时伤害率 A: injured persons / hours × 10⁶ (GB 6441-86 §6, SECONDARY; dropped in 2025).
    /// Per million hours.
    InjuryPerMillionHours,
    /// 伤害严重率 B: lost workdays / hours × 10⁶ (GB 6441-86 §6, SECONDARY; dropped in 2025).
    /// Lost days per million hours.
    SeverityRate,
    /// 伤害平均严重率 N: lost workdays / injured persons (= B / A; GB 6441-86 §6, SECONDARY).
    /// Lost days per injured person.
    AverageSeverity,
    /// 亿元GDP死亡率: deaths / GDP (亿元) (= D / GDP(元) × 10⁸; GB 6441-2025 App. A M_GDP, scale
    /// inferred from the name). Deaths per 100 million yuan.
    FatalityPer100mGdp,
    /// 百万吨死亡率: deaths / output (t) × 10⁶ (GB 6441-86 §6 SECONDARY; GB 6441-2025 App. A M_mt).
    /// Deaths per million tonnes.
    FatalityPerMillionTonnes,
    /// 万立方米死亡率: deaths / output (m³) × 10⁴ (GB 6441-86 §6 万米木材死亡率; GB 6441-2025 App. A
    /// M_ttm). Deaths per 10,000 m³.
    FatalityPer10kM3,
}

impl Rate {
    /// (name, formula in input field names, unit, source).
    pub fn describe(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Self::Trir => (
                "TRIR 总可记录事件率",
                "(deaths + dafw_cases + djtr_cases + other_recordable_cases) × 200000 / hours_worked",
                "cases per 200,000 hours",
                "OSHA 300A columns G+H+I+J (SECONDARY)",
            ),
            Self::Dart => (
                "DART",
                "(dafw_cases + djtr_cases) × 200000 / hours_worked",
                "cases per 200,000 hours",
                "OSHA 300A columns H+I (SECONDARY)",
            ),
            Self::Dafwii => (
                "DAFWII",
                "dafw_cases × 200000 / hours_worked",
                "cases per 200,000 hours",
                "OSHA 300A column H (SECONDARY)",
            ),
            Self::Ltifr => (
                "LTIFR 损失工时伤害频率",
                "lost_time_injuries × 10^6 / hours_worked",
                "injuries per million hours",
                "AS 1885.1-1990 (SECONDARY)",
            ),
            Self::FatalityPerThousand => (
                "千人死亡率",
                "deaths × 10^3 / average_employees",
                "deaths per 1,000 employees",
                "GB 6441-86 §6 (SECONDARY); GB 6441-2025 App. A 千人事故死亡率",
            ),
            Self::SeriousInjuryPerThousand => (
                "千人重伤率",
                "serious_injuries × 10^3 / average_employees",
                "serious injuries per 1,000 employees",
                "GB 6441-86 §6 (SECONDARY; replaced in 2025 by 千人事故受伤率)",
            ),
            Self::InjuryPerThousand => (
                "千人事故受伤率",
                "injured_persons × 10^3 / average_employees",
                "injured persons per 1,000 employees",
                "GB 6441-2025 App. A",
            ),
            Self::InjuryPerMillionHours => (
                "百万工时伤害率",
                "injured_persons × 10^6 / hours_worked",
                "injured persons per million hours",
                "GB 6441-86 §6 (SECONDARY; dropped in 2025)",
            ),
            Self::SeverityRate => (
                "伤害严重率",
                "lost_workdays × 10^6 / hours_worked",
                "lost workdays per million hours",
                "GB 6441-86 §6 (SECONDARY; dropped in 2025)",
            ),
            Self::AverageSeverity => (
                "伤害平均严重率",
                "lost_workdays / injured_persons",
                "lost workdays per injured person",
                "GB 6441-86 §6 (SECONDARY; dropped in 2025)",
            ),
            Self::FatalityPer100mGdp => (
                "亿元GDP死亡率",
                "deaths / gdp_100m_yuan",
                "deaths per 100 million yuan of GDP",
                "GB 6441-2025 App. A",
            ),
            Self::FatalityPerMillionTonnes => (
                "百万吨死亡率",
                "deaths × 10^6 / output_tonnes",
                "deaths per million tonnes",
                "GB 6441-86 §6 (SECONDARY); GB 6441-2025 App. A",
            ),
            Self::FatalityPer10kM3 => (
                "万立方米死亡率",
                "deaths × 10^4 / output_m3",
                "deaths per 10,000 m³",
                "GB 6441-86 §6 (SECONDARY); GB 6441-2025 App. A",
            ),
        }
    }

    /// Whether the scale factor rests on GB 6441-2025 Appendix A, whose formula images were not
    /// legible (standards.md §A9: "the scale factors follow the indicator names"): UNVERIFIED.
    pub fn scale_unverified(self) -> bool {
        matches!(self, Self::InjuryPerThousand | Self::FatalityPer100mGdp)
    }
}

/// `numerator × scale / denominator`.
///
/// # Errors
/// [`CalcError`] naming `denominator_field` when the denominator is 0.
pub fn rate(
    numerator: f64,
    scale: f64,
    denominator: f64,
    denominator_field: &str,
) -> Result<f64, CalcError> {
    if denominator == 0.0 {
        return Err(CalcError::new(
            denominator_field,
            "must be greater than 0: it is a divisor",
        ));
    }
    Ok(numerator * scale / denominator)
}

/// The inputs. Every field is optional; an indicator is computed when all its inputs are present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InjuryStats {
    /// Total hours actually worked in the period (hours; 实际总工时, often 职工人数 × 工作日 × 8).
    #[serde(default)]
    pub hours_worked: Option<f64>,
    /// Average number of employees in the period (persons; 平均职工数).
    #[serde(default)]
    pub average_employees: Option<f64>,
    /// Deaths (persons; OSHA 300A column G).
    #[serde(default)]
    pub deaths: Option<u64>,
    /// Cases with days away from work (OSHA column H).
    #[serde(default)]
    pub dafw_cases: Option<u64>,
    /// Cases with job transfer or restriction (OSHA column I).
    #[serde(default)]
    pub djtr_cases: Option<u64>,
    /// Other recordable cases (OSHA column J).
    #[serde(default)]
    pub other_recordable_cases: Option<u64>,
    /// Lost-time injuries (≥ 1 full shift lost, death or permanent disability; for LTIFR).
    #[serde(default)]
    pub lost_time_injuries: Option<u64>,
    /// Serious injuries (persons; 重伤).
    #[serde(default)]
    pub serious_injuries: Option<u64>,
    /// Injured persons (persons; 伤害人数 / 受伤人数).
    #[serde(default)]
    pub injured_persons: Option<u64>,
    /// Total lost workdays (days; 总损失工作日).
    #[serde(default)]
    pub lost_workdays: Option<f64>,
    /// GDP of the period (亿元 = 10⁸ yuan).
    #[serde(default)]
    pub gdp_100m_yuan: Option<f64>,
    /// Output (tonnes; 实际产量).
    #[serde(default)]
    pub output_tonnes: Option<f64>,
    /// Output (m³; e.g. timber).
    #[serde(default)]
    pub output_m3: Option<f64>,
}

/// One computed indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateValue {
    /// The value, in `unit`.
    pub value: f64,
    /// Chinese / English name.
    pub name: &'static str,
    /// The formula, in input field names.
    pub formula: &'static str,
    /// The unit.
    pub unit: &'static str,
    /// Where the formula comes from.
    pub source: &'static str,
}

/// Every indicator whose inputs are present, plus notes (skipped indicators, UNVERIFIED scales).
///
/// # Errors
/// [`CalcError`] naming a field that is negative or not finite, or a present divisor equal to 0
/// (`hours_worked`, `average_employees`, `gdp_100m_yuan`, `output_tonnes`, `output_m3`).
pub fn compute(s: &InjuryStats) -> Result<(BTreeMap<Rate, RateValue>, Vec<String>), CalcError> {
    for (name, v) in [
        ("hours_worked", s.hours_worked),
        ("average_employees", s.average_employees),
        ("lost_workdays", s.lost_workdays),
        ("gdp_100m_yuan", s.gdp_100m_yuan),
        ("output_tonnes", s.output_tonnes),
        ("output_m3", s.output_m3),
    ] {
        if let Some(v) = v
            && (!v.is_finite() || v < 0.0)
        {
            return Err(CalcError::new(name, "must be a finite number ≥ 0"));
        }
    }
    let mut out = BTreeMap::new();
    let mut notes = Vec::new();
    let n = |x: u64| x as f64;
    let mut put = |r: Rate, num: f64, scale: f64, den: f64, field: &str| -> Result<(), CalcError> {
        let value = rate(num, scale, den, field)?;
        let (name, formula, unit, source) = r.describe();
        out.insert(
            r,
            RateValue {
                value,
                name,
                formula,
                unit,
                source,
            },
        );
        Ok(())
    };
    if let Some(h) = s.hours_worked {
        if s.dafw_cases.is_some() || s.djtr_cases.is_some() || s.other_recordable_cases.is_some() {
            let g = s.deaths.unwrap_or(0);
            let hh = s.dafw_cases.unwrap_or(0);
            let i = s.djtr_cases.unwrap_or(0);
            let j = s.other_recordable_cases.unwrap_or(0);
            put(
                Rate::Trir,
                n(g + hh + i + j),
                OSHA_BASE_HOURS,
                h,
                "hours_worked",
            )?;
            put(Rate::Dart, n(hh + i), OSHA_BASE_HOURS, h, "hours_worked")?;
            put(Rate::Dafwii, n(hh), OSHA_BASE_HOURS, h, "hours_worked")?;
        }
        if let Some(l) = s.lost_time_injuries {
            put(Rate::Ltifr, n(l), 1e6, h, "hours_worked")?;
        }
        if let Some(p) = s.injured_persons {
            put(Rate::InjuryPerMillionHours, n(p), 1e6, h, "hours_worked")?;
        }
        if let Some(d) = s.lost_workdays {
            put(Rate::SeverityRate, d, 1e6, h, "hours_worked")?;
        }
    }
    if let Some(e) = s.average_employees {
        if let Some(d) = s.deaths {
            put(Rate::FatalityPerThousand, n(d), 1e3, e, "average_employees")?;
        }
        if let Some(x) = s.serious_injuries {
            put(
                Rate::SeriousInjuryPerThousand,
                n(x),
                1e3,
                e,
                "average_employees",
            )?;
        }
        if let Some(p) = s.injured_persons {
            put(Rate::InjuryPerThousand, n(p), 1e3, e, "average_employees")?;
        }
    }
    if let (Some(d), Some(p)) = (s.lost_workdays, s.injured_persons) {
        if p == 0 {
            notes.push(
                "average_severity not computed: injured_persons is 0 (it is the divisor)"
                    .to_owned(),
            );
        } else {
            put(Rate::AverageSeverity, d, 1.0, n(p), "injured_persons")?;
        }
    }
    if let Some(d) = s.deaths {
        if let Some(g) = s.gdp_100m_yuan {
            put(Rate::FatalityPer100mGdp, n(d), 1.0, g, "gdp_100m_yuan")?;
        }
        if let Some(t) = s.output_tonnes {
            put(
                Rate::FatalityPerMillionTonnes,
                n(d),
                1e6,
                t,
                "output_tonnes",
            )?;
        }
        if let Some(m) = s.output_m3 {
            put(Rate::FatalityPer10kM3, n(d), 1e4, m, "output_m3")?;
        }
    }
    // A zero divisor is refused even when nothing was computed with it.
    for (name, v) in [
        ("hours_worked", s.hours_worked),
        ("average_employees", s.average_employees),
        ("gdp_100m_yuan", s.gdp_100m_yuan),
        ("output_tonnes", s.output_tonnes),
        ("output_m3", s.output_m3),
    ] {
        if v == Some(0.0) {
            return Err(CalcError::new(
                name,
                "must be greater than 0: it is a divisor",
            ));
        }
    }
    if out.keys().any(|r| r.scale_unverified()) {
        notes.push("GB 6441-2025 Appendix A scale factors (千人事故受伤率 × 10^3, 亿元GDP死亡率 × 10^8 per yuan) follow the indicator names; the formula images were not legible: UNVERIFIED".to_owned());
    }
    if out.contains_key(&Rate::Trir) {
        notes.push("TRIR counts deaths (column G) as the OSHA 'Total Case Rate' does; some sources use H + I + J only".to_owned());
    }
    if out.is_empty() {
        notes.push("no indicator computed: give a base (hours_worked, average_employees, gdp_100m_yuan, output_tonnes or output_m3) and its counts".to_owned());
    }
    Ok((out, notes))
}

#[derive(Serialize)]
struct Output {
    rates: BTreeMap<Rate, RateValue>,
    notes: Vec<String>,
}

/// The `injury-rates` topic: the fields of [`InjuryStats`] → `rates` (each with `value`, `name`,
/// `formula`, `unit`, `source`) and `notes`.
///
/// # Errors
/// [`CalcError`] naming a malformed field or a divisor equal to 0.
pub fn calc(input: &Value) -> Result<Value, CalcError> {
    let s: InjuryStats = parse(input)?;
    let (rates, notes) = compute(&s)?;
    Ok(to_value(&Output { rates, notes }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn osha_rates() {
        let s = InjuryStats {
            hours_worked: Some(400_000.0),
            deaths: Some(0),
            dafw_cases: Some(2),
            djtr_cases: Some(1),
            other_recordable_cases: Some(3),
            lost_time_injuries: Some(2),
            ..Default::default()
        };
        let (r, _) = compute(&s).unwrap();
        assert_eq!(r[&Rate::Trir].value, 3.0);
        assert_eq!(r[&Rate::Dart].value, 1.5);
        assert_eq!(r[&Rate::Dafwii].value, 1.0);
        assert_eq!(r[&Rate::Ltifr].value, 5.0);
    }

    #[test]
    fn chinese_rates() {
        let s = InjuryStats {
            hours_worked: Some(2_000_000.0),
            average_employees: Some(1000.0),
            deaths: Some(1),
            serious_injuries: Some(2),
            injured_persons: Some(5),
            lost_workdays: Some(6000.0),
            gdp_100m_yuan: Some(5000.0),
            output_tonnes: Some(4_000_000.0),
            output_m3: Some(50_000.0),
            ..Default::default()
        };
        let (r, notes) = compute(&s).unwrap();
        assert_eq!(r[&Rate::FatalityPerThousand].value, 1.0);
        assert_eq!(r[&Rate::SeriousInjuryPerThousand].value, 2.0);
        assert_eq!(r[&Rate::InjuryPerThousand].value, 5.0);
        assert_eq!(r[&Rate::InjuryPerMillionHours].value, 2.5);
        assert_eq!(r[&Rate::SeverityRate].value, 3000.0);
        assert_eq!(r[&Rate::AverageSeverity].value, 1200.0);
        assert_eq!(r[&Rate::FatalityPer100mGdp].value, 0.0002);
        assert_eq!(r[&Rate::FatalityPerMillionTonnes].value, 0.25);
        assert_eq!(r[&Rate::FatalityPer10kM3].value, 0.2);
        assert!(notes.iter().any(|n| n.contains("UNVERIFIED")));
        assert!(!r.contains_key(&Rate::Trir));
    }

    #[test]
    fn zero_divisors_are_errors_naming_the_field() {
        for field in [
            "hours_worked",
            "average_employees",
            "gdp_100m_yuan",
            "output_tonnes",
            "output_m3",
        ] {
            let mut input = json!({"deaths": 1, "injured_persons": 1, "dafw_cases": 1, "lost_time_injuries": 1});
            input[field] = json!(0);
            let e = calc(&input).unwrap_err();
            assert_eq!(e.field, field);
            assert!(e.message.contains("greater than 0"));
        }
        let e = calc(&json!({"hours_worked": -1})).unwrap_err();
        assert_eq!(e.field, "hours_worked");
        let e = calc(&json!({"deaths": -1})).unwrap_err();
        assert_eq!(e.field, "deaths");
        // injured_persons = 0 is a legitimate count: the average severity is skipped with a note.
        let v = calc(&json!({"lost_workdays": 0, "injured_persons": 0, "average_employees": 10}))
            .unwrap();
        assert!(v["rates"].get("average_severity").is_none());
        assert_eq!(v["rates"]["injury_per_thousand"]["value"], json!(0.0));
    }
}
