//! Major hazard installations (重大危险源, GB 18218-2018) as the platform keeps them: one 生产单元
//! (§3.5) or 储存单元 (§3.6) of an enterprise with its inventory (each substance's maximum design
//! quantity in tonnes, as exact decimal text), the exposed population (for α, Table 5) and the
//! β rule. Pure: validation with field-level errors, the identification and grade computed by
//! [`crate::standards::major_hazard`] (S §4.2.1, R §4.3.2, grade Table 6) with the whole working
//! as JSON, and the reason text of a re-assessment (what changed, e.g. "S 0.92 → 1.05：跨越 S = 1，
//! 成为重大危险源"). See `docs/major-hazards.md`.
//!
//! Field names are the API's (camelCase): `unitKind`, `exposedPopulation`, `betaRule`,
//! `substances`, `substances[i].name`, `substances[i].cas`, `substances[i].variant`,
//! `substances[i].hazardClasses[j]`, `substances[i].quantityTonnes`.

use crate::FieldErrors;
use crate::standards::major_hazard::{
    self as mh, AssessError, Assessment, BetaRule, BetaSource, Grade, MAX_QUANTITY_T, Ratio,
    SubstanceSpec, ThresholdSource,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The most substances one unit may list.
pub const MAX_SUBSTANCES: usize = 100;
/// The most decimal places accepted in a quantity (1 g = 0.000001 t).
pub const MAX_QUANTITY_DECIMALS: usize = 6;
/// The largest exposed population accepted (people).
pub const MAX_POPULATION: i64 = 100_000_000;

/// 生产单元 (GB 18218-2018 §3.5) or 储存单元 (§3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// 生产单元: a production unit bounded by cut-off valves (§3.5).
    Production,
    /// 储存单元: a tank farm or warehouse bounded by fire walls / dikes (§3.6).
    Storage,
}

impl UnitKind {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            UnitKind::Production => "production",
            UnitKind::Storage => "storage",
        }
    }
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<UnitKind> {
        match s {
            "production" => Some(UnitKind::Production),
            "storage" => Some(UnitKind::Storage),
            _ => None,
        }
    }
}

/// Parses a β rule name (`max` or `governing_class`).
pub fn parse_beta_rule(s: &str) -> Option<BetaRule> {
    match s {
        "max" => Some(BetaRule::Max),
        "governing_class" => Some(BetaRule::GoverningClass),
        _ => None,
    }
}

/// The stored name of a β rule.
pub fn beta_rule_name(r: BetaRule) -> &'static str {
    match r {
        BetaRule::Max => "max",
        BetaRule::GoverningClass => "governing_class",
    }
}

/// One substance line of an installation as entered and stored (JSON `substances`, camelCase).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubstanceLine {
    /// Name (Table 1 name, alias, or any label for a substance not in Table 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// CAS registry number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cas: Option<String>,
    /// GB 18218-2018 Table 1 序号 (chooses a conditional row; alone it names the chemical); `0` =
    /// not in Table 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<u32>,
    /// GHS hazard class symbols of Table 2 / Table 4 (`W5.3`, `J5` …).
    #[serde(default)]
    pub hazard_classes: Vec<String>,
    /// Maximum design quantity q (设计最大量, §4.2.2), tonnes, as exact decimal text (`"12.5"`).
    pub quantity_tonnes: String,
}

/// An installation's inputs to the identification and grading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryInput {
    /// `production` or `storage`.
    pub unit_kind: String,
    /// Resident population within 500 m of the plant boundary (people, Table 5).
    pub exposed_population: i64,
    /// `max` (default) or `governing_class`.
    pub beta_rule: String,
    /// The substances.
    pub substances: Vec<SubstanceLine>,
}

/// The computed identification and grade of an installation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// S = Σ q/Q as an exact fraction (`n` or `n/d`).
    pub s_exact: String,
    /// S, nearest f64.
    pub s: f64,
    /// S ≥ 1 (§4.2.1).
    pub is_major: bool,
    /// R = α·Σβ·q/Q as an exact fraction; `None` when not a major hazard.
    pub r_exact: Option<String>,
    /// R, nearest f64.
    pub r: Option<f64>,
    /// Grade 1..=4 (1 = 一级, most severe; Table 6); `None` when not a major hazard.
    pub grade: Option<u8>,
    /// The whole working (S, R, α, per-substance q, Q, β, q/Q) as JSON, see [`working_json`].
    pub working: Value,
    /// The substances normalised (trimmed text, canonical quantity text).
    pub substances: Vec<SubstanceLine>,
}

fn trim_opt(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Parses a quantity in tonnes: a plain non-negative decimal with at most
/// [`MAX_QUANTITY_DECIMALS`] decimals and at most [`MAX_QUANTITY_T`] t.
///
/// # Errors
/// The Chinese / English message.
pub fn parse_quantity(text: &str) -> Result<Ratio, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("请填写设计最大量（吨） / the maximum design quantity (t) is required".into());
    }
    if t.starts_with('-') {
        return Err("数量不能为负 / must not be negative".into());
    }
    if t.split_once('.')
        .is_some_and(|(_, f)| f.len() > MAX_QUANTITY_DECIMALS)
    {
        return Err(format!(
            "最多 {MAX_QUANTITY_DECIMALS} 位小数（1 克） / at most {MAX_QUANTITY_DECIMALS} decimal places (1 g)"
        ));
    }
    let r = Ratio::parse_decimal(t).ok_or_else(|| {
        "须为不带符号的十进制数，单位吨 / must be a plain decimal number of tonnes".to_owned()
    })?;
    if r > Ratio::from_integer(MAX_QUANTITY_T) {
        return Err(format!(
            "不得超过 {MAX_QUANTITY_T} 吨 / must be at most {MAX_QUANTITY_T} t"
        ));
    }
    Ok(r)
}

/// Canonical decimal text of a parsed quantity (no trailing zeros, no leading zeros).
fn canonical_quantity(text: &str) -> String {
    let t = text.trim();
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        int.to_owned()
    } else {
        format!("{int}.{frac}")
    }
}

/// Maps the standards library's field (`name`, `cas`, `variant`, `hazard_classes[i]`,
/// `quantity_t`) to the API's name under `substances[i]`.
fn api_field(i: usize, lib_field: &str) -> String {
    let f = if let Some(rest) = lib_field.strip_prefix("hazard_classes") {
        format!("hazardClasses{rest}")
    } else if lib_field == "quantity_t" {
        "quantityTonnes".into()
    } else {
        lib_field.to_owned()
    };
    format!("substances[{i}].{f}")
}

/// Validates the inputs and computes the identification (§4.2) and grade (§4.3) with the
/// standards library ([`mh::assess`]). Every field at fault is reported (not only the first).
///
/// A substance given only by its Table 1 序号 (`variant`, no name and no CAS) is that row.
///
/// # Errors
/// [`FieldErrors`] keyed `unitKind`, `exposedPopulation`, `betaRule`, `substances` (none, too
/// many, or sums too large), `substances[i].<field>` (bad CAS, unknown Table 1 序号, ambiguous
/// conditional row, missing hazard classes, negative / malformed quantity …).
pub fn evaluate(input: &InventoryInput) -> Result<Evaluation, FieldErrors> {
    let mut f = FieldErrors::new();
    if UnitKind::parse(input.unit_kind.trim()).is_none() {
        f.insert(
            "unitKind".into(),
            "须为生产单元（production）或储存单元（storage） / must be production or storage"
                .into(),
        );
    }
    if !(0..=MAX_POPULATION).contains(&input.exposed_population) {
        f.insert(
            "exposedPopulation".into(),
            format!("须为 0 到 {MAX_POPULATION} 的人数 / must be 0 to {MAX_POPULATION} people"),
        );
    }
    let rule = parse_beta_rule(input.beta_rule.trim());
    if rule.is_none() {
        f.insert(
            "betaRule".into(),
            "须为 max 或 governing_class / must be max or governing_class".into(),
        );
    }
    if input.substances.is_empty() {
        f.insert(
            "substances".into(),
            "至少填写一种危险化学品 / at least one substance".into(),
        );
    } else if input.substances.len() > MAX_SUBSTANCES {
        f.insert(
            "substances".into(),
            format!("最多 {MAX_SUBSTANCES} 种 / at most {MAX_SUBSTANCES} substances"),
        );
    }
    let mut specs = Vec::with_capacity(input.substances.len());
    let mut lines = Vec::with_capacity(input.substances.len());
    for (i, line) in input.substances.iter().enumerate() {
        let mut name = trim_opt(&line.name);
        let cas = trim_opt(&line.cas);
        if name.as_ref().is_some_and(|n| n.chars().count() > 100) {
            f.insert(
                format!("substances[{i}].name"),
                "最多 100 个字符 / at most 100 characters".into(),
            );
        }
        if name.is_none() && cas.is_none() {
            match line.variant {
                Some(v) if v > 0 => match mh::table1_entry(v) {
                    Some(e) => name = Some(e.name.clone()),
                    None => {
                        f.insert(
                            format!("substances[{i}].variant"),
                            format!(
                                "GB 18218-2018 表1 没有序号 {v}（1-85） / Table 1 has no no. {v} (1-85)"
                            ),
                        );
                    }
                },
                _ => {
                    f.insert(
                        format!("substances[{i}].name"),
                        "请填写名称或 CAS 号 / give the name or the CAS number".into(),
                    );
                }
            }
        }
        let classes: Vec<String> = line
            .hazard_classes
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        let q = match parse_quantity(&line.quantity_tonnes) {
            Ok(q) => Some(q),
            Err(m) => {
                f.insert(format!("substances[{i}].quantityTonnes"), m);
                None
            }
        };
        let spec = SubstanceSpec {
            name: name.clone(),
            cas: cas.clone(),
            variant: line.variant,
            hazard_classes: classes.clone(),
            quantity_t: q.unwrap_or(Ratio::ZERO),
        };
        // Resolve each substance on its own so every substance's error is reported.
        if (name.is_some() || cas.is_some())
            && let Err(e) = mh::resolve_substance(&spec, rule.unwrap_or_default())
        {
            f.entry(api_field(i, &e.field)).or_insert(e.message);
        }
        specs.push(spec);
        lines.push(SubstanceLine {
            name: trim_opt(&line.name),
            cas,
            variant: line.variant,
            hazard_classes: classes,
            quantity_tonnes: canonical_quantity(&line.quantity_tonnes),
        });
    }
    if !f.is_empty() {
        return Err(f);
    }
    let rule = rule.unwrap_or_default();
    let population = input.exposed_population.max(0) as u64;
    let a = mh::assess(&specs, population, rule).map_err(|AssessError { field, message }| {
        let key = match field.split_once('.') {
            Some((head, rest)) => {
                let i = head
                    .trim_start_matches("substances[")
                    .trim_end_matches(']')
                    .parse::<usize>()
                    .unwrap_or(0);
                api_field(i, rest)
            }
            None => field,
        };
        FieldErrors::from([(key, message)])
    })?;
    Ok(Evaluation {
        s_exact: a.s.to_string(),
        s: a.s.to_f64(),
        is_major: a.is_major,
        r_exact: a.r.map(|r| r.to_string()),
        r: a.r.map(Ratio::to_f64),
        grade: a.grade.map(Grade::number),
        working: working_json(&a, &lines, population, rule),
        substances: lines,
    })
}

/// The working of an assessment as JSON (camelCase): `s`, `sExact`, `isMajor`, `alpha`,
/// `exposedPopulation`, `weightedSum`, `r`, `rExact`, `grade`, `gradeLabel`, `betaRule`, and
/// `substances[]` with `name`, `cas`, `table1No`, `quantityTonnes` (q, text as entered),
/// `q`, `thresholdTonnes` (Q), `thresholdSource` (`table1`/`table2`), `thresholdClass`, `beta`,
/// `betaSource` (`table3`/`table4`), `betaClass`, `ratio` (q/Q), `ratioExact`, `weightedRatio`
/// (β·q/Q). Numbers are the nearest f64; the `*Exact` strings are exact fractions.
pub fn working_json(
    a: &Assessment,
    lines: &[SubstanceLine],
    exposed_population: u64,
    rule: BetaRule,
) -> Value {
    let subs: Vec<Value> = a
        .substances
        .iter()
        .zip(lines)
        .map(|(r, l)| {
            json!({
                "name": r.name,
                "cas": r.cas,
                "table1No": r.table1_no,
                "quantityTonnes": l.quantity_tonnes,
                "q": r.quantity_t.to_f64(),
                "thresholdTonnes": r.threshold_t.to_f64(),
                "thresholdSource": match r.threshold_source {
                    ThresholdSource::Table1 => "table1",
                    ThresholdSource::Table2 => "table2",
                },
                "thresholdClass": r.threshold_class,
                "beta": r.beta.to_f64(),
                "betaSource": match r.beta_source {
                    BetaSource::Table3 => "table3",
                    BetaSource::Table4 => "table4",
                },
                "betaClass": r.beta_class,
                "ratio": r.ratio.to_f64(),
                "ratioExact": r.ratio.to_string(),
                "weightedRatio": r.weighted_ratio.to_f64(),
            })
        })
        .collect();
    json!({
        "s": a.s.to_f64(),
        "sExact": a.s.to_string(),
        "isMajor": a.is_major,
        "alpha": a.alpha.to_f64(),
        "exposedPopulation": exposed_population,
        "weightedSum": a.weighted_sum.to_f64(),
        "weightedSumExact": a.weighted_sum.to_string(),
        "r": a.r.map(Ratio::to_f64),
        "rExact": a.r.map(|r| r.to_string()),
        "grade": a.grade.map(Grade::number),
        "gradeLabel": a.grade.map(Grade::label),
        "betaRule": beta_rule_name(rule),
        "substances": subs,
    })
}

/// Chinese label of a grade number (1 → 一级 … 4 → 四级).
pub fn grade_label(g: u8) -> &'static str {
    match g {
        1 => "一级",
        2 => "二级",
        3 => "三级",
        4 => "四级",
        _ => "未定级",
    }
}

/// Parses an exact fraction as stored (`n` or `n/d`).
pub fn parse_exact(s: &str) -> Option<Ratio> {
    match s.split_once('/') {
        Some((n, d)) => Ratio::new(n.trim().parse().ok()?, d.trim().parse().ok()?),
        None => Ratio::new(s.trim().parse().ok()?, 1),
    }
}

/// Formats `v` with 2 decimals, or more (up to 6) when 2 would hide which side of `edge` it is on.
fn fmt_near(v: Ratio, edges: &[u64]) -> String {
    let x = v.to_f64();
    for places in 2..=6 {
        let text = format!("{x:.places$}");
        let hides = edges.iter().any(|&e| {
            let e = Ratio::from_integer(e);
            v != e && text.parse::<f64>().ok() == Some(e.to_f64())
        });
        if !hides {
            return text;
        }
    }
    format!("{x:.6}")
}

/// The result of one assessment, as compared by [`change_reason`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// S, exact.
    pub s: Ratio,
    /// R, exact; `None` when not a major hazard.
    pub r: Option<Ratio>,
    /// Grade 1..=4.
    pub grade: Option<u8>,
}

impl Outcome {
    /// From stored exact text; `None` when `s_exact` does not parse.
    pub fn from_stored(s_exact: &str, r_exact: Option<&str>, grade: Option<u8>) -> Option<Self> {
        Some(Outcome {
            s: parse_exact(s_exact)?,
            r: r_exact.and_then(parse_exact),
            grade,
        })
    }
    /// From an evaluation.
    pub fn of(e: &Evaluation) -> Option<Self> {
        Outcome::from_stored(&e.s_exact, e.r_exact.as_deref(), e.grade)
    }
    fn is_major(&self) -> bool {
        mh::is_major(self.s)
    }
}

/// The reason text of an assessment for the history: what the new result is and, against the
/// previous one, what crossed. Examples:
/// - first: "首次辨识：S = 1.05，构成重大危险源，R = 52.00，二级"
/// - "S 0.92 → 1.05：跨越 S = 1，成为重大危险源；R = 12.60，三级"
/// - "S 1.05 → 0.80：低于 S = 1，不再构成重大危险源（原三级）"
/// - "R 48.00 → 52.00：三级 → 二级"
/// - "S 1.20 → 1.30，R 20.00 → 24.00：等级不变（三级）"
///
/// S = 1 is the identification edge (§4.2.1); R = 10, 50, 100 the grade edges (Table 6).
pub fn change_reason(previous: Option<&Outcome>, new: &Outcome) -> String {
    let s_txt = |s: Ratio| fmt_near(s, &[1]);
    let r_txt = |r: Ratio| fmt_near(r, &[10, 50, 100]);
    let g_txt = |g: Option<u8>| g.map(grade_label).unwrap_or("未定级");
    let Some(p) = previous else {
        return if new.is_major() {
            format!(
                "首次辨识：S = {}，构成重大危险源，R = {}，{}",
                s_txt(new.s),
                new.r.map(r_txt).unwrap_or_default(),
                g_txt(new.grade)
            )
        } else {
            format!("首次辨识：S = {}，不构成重大危险源", s_txt(new.s))
        };
    };
    let s_move = format!("S {} → {}", s_txt(p.s), s_txt(new.s));
    match (p.is_major(), new.is_major()) {
        (false, true) => format!(
            "{s_move}：跨越 S = 1，成为重大危险源；R = {}，{}",
            new.r.map(r_txt).unwrap_or_default(),
            g_txt(new.grade)
        ),
        (true, false) => format!(
            "{s_move}：低于 S = 1，不再构成重大危险源（原{}）",
            g_txt(p.grade)
        ),
        (false, false) => {
            if p.s == new.s {
                format!("S = {}：结果不变，不构成重大危险源", s_txt(new.s))
            } else {
                format!("{s_move}：仍不构成重大危险源")
            }
        }
        (true, true) => {
            let r_move = match (p.r, new.r) {
                (Some(a), Some(b)) => format!("R {} → {}", r_txt(a), r_txt(b)),
                _ => String::new(),
            };
            if p.grade != new.grade {
                format!("{r_move}：{} → {}", g_txt(p.grade), g_txt(new.grade))
            } else if p.s == new.s && p.r == new.r {
                format!(
                    "S = {}，R = {}：结果不变（{}）",
                    s_txt(new.s),
                    new.r.map(r_txt).unwrap_or_default(),
                    g_txt(new.grade)
                )
            } else {
                format!("{s_move}，{r_move}：等级不变（{}）", g_txt(new.grade))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(name: &str, classes: &[&str], q: &str) -> SubstanceLine {
        SubstanceLine {
            name: Some(name.into()),
            hazard_classes: classes.iter().map(|s| (*s).to_owned()).collect(),
            quantity_tonnes: q.into(),
            ..Default::default()
        }
    }

    fn input(pop: i64, subs: Vec<SubstanceLine>) -> InventoryInput {
        InventoryInput {
            unit_kind: "storage".into(),
            exposed_population: pop,
            beta_rule: "max".into(),
            substances: subs,
        }
    }

    fn ratio(s: &str) -> Ratio {
        Ratio::parse_decimal(s).unwrap()
    }

    #[test]
    fn s_equal_to_one_is_major_and_just_below_is_not() {
        // 氯 Q = 5 t (Table 1 no. 12), β = 4 (Table 3).
        let e = evaluate(&input(0, vec![line("氯", &[], "5")])).unwrap();
        assert_eq!(e.s_exact, "1");
        assert!(e.is_major);
        // α = 0.5 (nobody exposed), R = 0.5 × 4 × 1 = 2 → 四级.
        assert_eq!(e.r_exact.as_deref(), Some("2"));
        assert_eq!(e.grade, Some(4));
        let e = evaluate(&input(0, vec![line("氯", &[], "4.999999")])).unwrap();
        assert!(!e.is_major);
        assert_eq!(e.r, None);
        assert_eq!(e.grade, None);
        // Two substances summing to exactly 1: 氯 2.5 t (0.5) + 甲醇 250 t (0.5).
        let e = evaluate(&input(
            10,
            vec![line("氯", &[], "2.5"), line("甲醇", &["W5.3"], "250")],
        ))
        .unwrap();
        assert_eq!(e.s_exact, "1");
        assert!(e.is_major);
    }

    #[test]
    fn r_band_edges_10_50_100() {
        // 氯 alone, α = 2 (≥ 100 people): R = 2 × 4 × q/5 = 1.6 q.
        // R = 10 at q = 6.25 → 三级; just below → 四级.
        let grade = |q: &str| evaluate(&input(100, vec![line("氯", &[], q)])).unwrap();
        let e = grade("6.25");
        assert_eq!((e.r_exact.as_deref(), e.grade), (Some("10"), Some(3)));
        assert_eq!(grade("6.249999").grade, Some(4));
        // R = 50 at q = 31.25 → 二级.
        let e = grade("31.25");
        assert_eq!((e.r_exact.as_deref(), e.grade), (Some("50"), Some(2)));
        assert_eq!(grade("31.249999").grade, Some(3));
        // R = 100 at q = 62.5 → 一级.
        let e = grade("62.5");
        assert_eq!((e.r_exact.as_deref(), e.grade), (Some("100"), Some(1)));
        assert_eq!(grade("62.499999").grade, Some(2));
    }

    #[test]
    fn working_lists_every_quantity() {
        let e = evaluate(&input(
            60,
            vec![line("液氨", &[], "30"), line("甲醇", &["W5.3"], "100")],
        ))
        .unwrap();
        let w = &e.working;
        assert_eq!(w["alpha"], 1.5);
        assert_eq!(w["exposedPopulation"], 60);
        let s0 = &w["substances"][0];
        assert_eq!(s0["table1No"], 1);
        assert_eq!(s0["thresholdTonnes"], 10.0);
        assert_eq!(s0["beta"], 2.0);
        assert_eq!(s0["betaSource"], "table3");
        assert_eq!(s0["ratio"], 3.0);
        let s1 = &w["substances"][1];
        assert_eq!(s1["thresholdTonnes"], 500.0);
        assert_eq!(s1["betaClass"], "W5.3");
        assert_eq!(s1["ratioExact"], "1/5");
        // S = 3.2; R = 1.5 × (2 × 3 + 1 × 0.2) = 9.3 → 四级.
        assert_eq!(e.s_exact, "16/5");
        assert_eq!(e.r_exact.as_deref(), Some("93/10"));
        assert_eq!(e.grade, Some(4));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = InventoryInput {
            unit_kind: "tank".into(),
            exposed_population: -1,
            beta_rule: "min".into(),
            substances: vec![
                SubstanceLine {
                    cas: Some("67-56-2".into()),
                    quantity_tonnes: "1".into(),
                    ..Default::default()
                },
                SubstanceLine {
                    variant: Some(99),
                    quantity_tonnes: "1".into(),
                    ..Default::default()
                },
                line("甲醇", &["W5.3"], "-3"),
                line("某溶剂", &["X9"], "1"),
                line("某溶剂", &[], "1"),
                line("甲醇", &["W5.3"], "1.0000001"),
                line("甲醇", &["W5.3"], "abc"),
                SubstanceLine {
                    quantity_tonnes: "1".into(),
                    ..Default::default()
                },
            ],
        };
        let f = evaluate(&bad).unwrap_err();
        let keys: Vec<&str> = f.keys().map(String::as_str).collect();
        for k in [
            "unitKind",
            "exposedPopulation",
            "betaRule",
            "substances[0].cas",
            "substances[1].variant",
            "substances[2].quantityTonnes",
            "substances[3].hazardClasses[0]",
            "substances[4].hazardClasses",
            "substances[5].quantityTonnes",
            "substances[6].quantityTonnes",
            "substances[7].name",
        ] {
            assert!(keys.contains(&k), "{k} missing in {keys:?}");
        }
        assert!(
            evaluate(&input(0, vec![]))
                .unwrap_err()
                .contains_key("substances")
        );
        // Table 1 no. alone names the chemical.
        let e = evaluate(&input(
            0,
            vec![SubstanceLine {
                variant: Some(12),
                quantity_tonnes: "10".into(),
                ..Default::default()
            }],
        ))
        .unwrap();
        assert_eq!(e.s_exact, "2");
    }

    #[test]
    fn quantities_are_kept_canonical() {
        let e = evaluate(&input(0, vec![line("氯", &[], " 005.500 ")])).unwrap();
        assert_eq!(e.substances[0].quantity_tonnes, "5.5");
        assert_eq!(e.working["substances"][0]["quantityTonnes"], "5.5");
        assert_eq!(canonical_quantity("0.0"), "0");
    }

    fn out(s: &str, r: Option<&str>, g: Option<u8>) -> Outcome {
        Outcome {
            s: ratio(s),
            r: r.map(ratio),
            grade: g,
        }
    }

    #[test]
    fn reasons_name_what_crossed() {
        assert_eq!(
            change_reason(
                Some(&out("0.92", None, None)),
                &out("1.05", Some("12.6"), Some(3))
            ),
            "S 0.92 → 1.05：跨越 S = 1，成为重大危险源；R = 12.60，三级"
        );
        assert_eq!(
            change_reason(
                Some(&out("1.2", Some("48"), Some(3))),
                &out("1.3", Some("52"), Some(2))
            ),
            "R 48.00 → 52.00：三级 → 二级"
        );
        assert_eq!(
            change_reason(
                Some(&out("1.05", Some("12"), Some(3))),
                &out("0.8", None, None)
            ),
            "S 1.05 → 0.80：低于 S = 1，不再构成重大危险源（原三级）"
        );
        assert_eq!(
            change_reason(None, &out("0.5", None, None)),
            "首次辨识：S = 0.50，不构成重大危险源"
        );
        assert_eq!(
            change_reason(None, &out("2", Some("100"), Some(1))),
            "首次辨识：S = 2.00，构成重大危险源，R = 100.00，一级"
        );
        // Rounding never hides the edge: 0.999 is not shown as 1.00.
        assert_eq!(
            change_reason(
                Some(&out("0.999", None, None)),
                &out("1", Some("2"), Some(4))
            ),
            "S 0.999 → 1.00：跨越 S = 1，成为重大危险源；R = 2.00，四级"
        );
        assert_eq!(
            change_reason(
                Some(&out("1.2", Some("20"), Some(3))),
                &out("1.3", Some("24"), Some(3))
            ),
            "S 1.20 → 1.30，R 20.00 → 24.00：等级不变（三级）"
        );
    }

    #[test]
    fn outcome_round_trips_stored_text() {
        let e = evaluate(&input(100, vec![line("氯", &[], "31.25")])).unwrap();
        let o = Outcome::of(&e).unwrap();
        assert_eq!(o.r, Some(Ratio::from_integer(50)));
        assert_eq!(o.grade, Some(2));
        assert_eq!(parse_exact("93/10"), Ratio::new(93, 10));
    }

    const NAMED: [(&str, &[&str]); 8] = [
        ("氯", &[]),
        ("氨", &[]),
        ("甲醇", &["W5.3"]),
        ("苯", &["W5.2", "J5"]),
        ("液化石油气", &["W2"]),
        ("硫化氢", &[]),
        ("环氧乙烷", &[]),
        ("某溶剂", &["W5.4", "J5"]),
    ];

    proptest! {
        /// The grade stored for an installation is the standards library's for the same inventory.
        #[test]
        fn grade_equals_the_standards_library(
            picks in proptest::collection::vec((0usize..NAMED.len(), 0u64..200_000_000u64), 1..6),
            pop in 0i64..300,
            governing in any::<bool>(),
        ) {
            let lines: Vec<SubstanceLine> = picks
                .iter()
                .map(|&(i, milli)| {
                    let (n, c) = NAMED[i];
                    line(n, c, &format!("{}.{:03}", milli / 1000, milli % 1000))
                })
                .collect();
            let rule = if governing { BetaRule::GoverningClass } else { BetaRule::Max };
            let mut inp = input(pop, lines.clone());
            inp.beta_rule = beta_rule_name(rule).into();
            let e = evaluate(&inp).unwrap();
            let specs: Vec<SubstanceSpec> = lines
                .iter()
                .map(|l| SubstanceSpec {
                    name: l.name.clone(),
                    cas: None,
                    variant: None,
                    hazard_classes: l.hazard_classes.clone(),
                    quantity_t: Ratio::parse_decimal(&l.quantity_tonnes).unwrap(),
                })
                .collect();
            let a = mh::assess(&specs, pop as u64, rule).unwrap();
            prop_assert_eq!(e.grade, a.grade.map(Grade::number));
            prop_assert_eq!(e.is_major, a.is_major);
            prop_assert_eq!(e.s_exact, a.s.to_string());
            prop_assert_eq!(e.r_exact, a.r.map(|r| r.to_string()));
        }
    }
}
