//! Risk assessment: LEC (D = L × E × C) and the 5 × 5 L × S matrix, with the four-colour risk
//! levels (`shared/reference/standards.md` §A4).
//!
//! ## Layout
//! - [`RiskLevel`] and [`Colour`] — 重大/较大/一般/低 and 红/橙/黄/蓝 (安委办〔2016〕11号, SECONDARY).
//! - [`LecConfig`], [`lec`] — the LEC method: value scales, D bands (configuration), level.
//! - [`MatrixConfig`], [`matrix`] — the L × S matrix: R bands (configuration), level.
//! - [`calc_lec`], [`calc_matrix`] — the `lec` and `risk-matrix` calculation topics.
//!
//! Band edges and the band → level → colour mapping are configuration with defaults from
//! `crates/domain/data/risk.toml`; the decision logic only walks the validated bands.

use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::sync::OnceLock;

/// A risk level (风险等级), from highest to lowest 重大 / 较大 / 一般 / 低 (安委办〔2016〕11号,
/// SECONDARY: "安全风险等级从高到低划分为重大风险、较大风险、一般风险和低风险").
///
/// Ordered by severity: `Low < Medium < High < Major`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// 重大风险 (red by default).
    Major,
    /// 较大风险 (orange by default).
    High,
    /// 一般风险 (yellow by default).
    Medium,
    /// 低风险 (blue by default).
    Low,
}

impl RiskLevel {
    /// All levels, highest first.
    pub const ALL: [RiskLevel; 4] = [Self::Major, Self::High, Self::Medium, Self::Low];

    /// Severity rank: 4 = major … 1 = low.
    pub fn rank(self) -> u8 {
        match self {
            Self::Major => 4,
            Self::High => 3,
            Self::Medium => 2,
            Self::Low => 1,
        }
    }

    /// The Chinese name, e.g. `重大风险`.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Major => "重大风险",
            Self::High => "较大风险",
            Self::Medium => "一般风险",
            Self::Low => "低风险",
        }
    }

    /// The colour 安委办〔2016〕11号 assigns (red / orange / yellow / blue).
    pub fn standard_colour(self) -> Colour {
        match self {
            Self::Major => Colour::Red,
            Self::High => Colour::Orange,
            Self::Medium => Colour::Yellow,
            Self::Low => Colour::Blue,
        }
    }
}

impl PartialOrd for RiskLevel {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RiskLevel {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// A risk colour (四色).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// 红.
    Red,
    /// 橙.
    Orange,
    /// 黄.
    Yellow,
    /// 蓝.
    Blue,
}

impl Colour {
    /// The Chinese name, e.g. `红`.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Red => "红",
            Self::Orange => "橙",
            Self::Yellow => "黄",
            Self::Blue => "蓝",
        }
    }
}

/// The level → colour mapping (configuration; default 安委办〔2016〕11号: red / orange / yellow /
/// blue). The four colours must be distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelColours {
    /// Colour of 重大风险.
    pub major: Colour,
    /// Colour of 较大风险.
    pub high: Colour,
    /// Colour of 一般风险.
    pub medium: Colour,
    /// Colour of 低风险.
    pub low: Colour,
}

impl Default for LevelColours {
    fn default() -> Self {
        Self {
            major: Colour::Red,
            high: Colour::Orange,
            medium: Colour::Yellow,
            low: Colour::Blue,
        }
    }
}

impl LevelColours {
    /// The colour of `level`.
    pub fn of(&self, level: RiskLevel) -> Colour {
        match level {
            RiskLevel::Major => self.major,
            RiskLevel::High => self.high,
            RiskLevel::Medium => self.medium,
            RiskLevel::Low => self.low,
        }
    }

    fn validate(&self, prefix: &str) -> Result<(), CalcError> {
        let all = [self.major, self.high, self.medium, self.low];
        for i in 0..4 {
            for j in i + 1..4 {
                if all[i] == all[j] {
                    return Err(CalcError::new(
                        format!("{prefix}colours"),
                        "the four levels must have four distinct colours",
                    ));
                }
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Data file
// ---------------------------------------------------------------------------------------------

/// One value of an LEC scale with its meaning (standards.md §A4, SECONDARY).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleValue {
    /// The numeric value (dimensionless).
    pub value: f64,
    /// 含义, e.g. `相当可能`.
    pub meaning: String,
}

/// The LEC value scales (standards.md §A4 tables L, E and C; SECONDARY).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LecScales {
    /// L, likelihood of an accident: 10, 6, 3, 1, 0.5, 0.2, 0.1.
    pub l: Vec<ScaleValue>,
    /// E, exposure frequency: 10, 6, 3, 2, 1, 0.5.
    pub e: Vec<ScaleValue>,
    /// C, consequence: 100, 40, 15, 7, 3, 1.
    pub c: Vec<ScaleValue>,
}

/// The labels of the matrix's L = 1..5 and S = 1..5 (standards.md §A4, SECONDARY).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixLabels {
    /// L = 1..5: 极不可能 … 极可能.
    pub likelihood: [String; 5],
    /// S = 1..5: 很低 … 很高.
    pub severity: [String; 5],
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RiskData {
    lec: LecConfig,
    lec_scales: LecScales,
    matrix: MatrixConfig,
    matrix_labels: MatrixLabels,
}

fn data() -> &'static RiskData {
    static DATA: OnceLock<RiskData> = OnceLock::new();
    DATA.get_or_init(|| {
        let d: RiskData = toml::from_str(include_str!("../../data/risk.toml"))
            .expect("data/risk.toml is valid (tested)");
        d.lec.validate("").expect("default LEC config is valid");
        d.matrix
            .validate("")
            .expect("default matrix config is valid");
        d
    })
}

/// The LEC value scales from `data/risk.toml`.
pub fn lec_scales() -> &'static LecScales {
    &data().lec_scales
}

/// The matrix labels from `data/risk.toml`.
pub fn matrix_labels() -> &'static MatrixLabels {
    &data().matrix_labels
}

// ---------------------------------------------------------------------------------------------
// LEC
// ---------------------------------------------------------------------------------------------

/// Which band a D value exactly on an edge belongs to. standards.md §A4 notes that implementations
/// differ; the default is [`EdgeRule::AtOrAbove`] (`D ≥ 320 → 重大`, UNVERIFIED as an official rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeRule {
    /// Bands are `[min, max)`: an edge value belongs to the band above it.
    #[default]
    AtOrAbove,
    /// Bands are `(min, max]`: an edge value belongs to the band below it.
    Above,
}

/// One band of D (dimensionless), e.g. 160–320 高度危险 → 较大风险.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LecBand {
    /// Lower edge of D (the first band starts at 0).
    pub min: f64,
    /// Upper edge of D; `None` for the last, unbounded band. Equals the next band's `min`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// 危险程度, e.g. `高度危险，需立即整改`.
    pub danger: String,
    /// The risk level of this band.
    pub level: RiskLevel,
}

fn default_lec_edge_rule() -> EdgeRule {
    data().lec.edge_rule
}
fn default_lec_bands() -> Vec<LecBand> {
    data().lec.bands.clone()
}
fn default_lec_colours() -> LevelColours {
    data().lec.colours
}

/// LEC configuration: the D bands (edges, 危险程度 and level), the edge rule and the level → colour
/// mapping. Defaults (`data/risk.toml`, standards.md §A4): D ≥ 320 重大 (red), 160 ≤ D < 320 较大
/// (orange), 70 ≤ D < 160 一般 (yellow), D < 70 低 (blue; 20–70 and < 20 are two danger bands
/// of the same level). The Chinese bands are SECONDARY and the level mapping UNVERIFIED.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LecConfig {
    /// Which band an edge value belongs to.
    #[serde(default = "default_lec_edge_rule")]
    pub edge_rule: EdgeRule,
    /// Contiguous bands in ascending order of D.
    #[serde(default = "default_lec_bands")]
    pub bands: Vec<LecBand>,
    /// Level → colour.
    #[serde(default = "default_lec_colours")]
    pub colours: LevelColours,
}

impl Default for LecConfig {
    fn default() -> Self {
        data().lec.clone()
    }
}

impl LecConfig {
    /// Checks that the bands start at 0, are ascending, contiguous (each `max` is the next `min`:
    /// ordered, non-overlapping, no gaps), end unbounded, and that the level never falls as D rises.
    /// `prefix` is prepended to the field names of errors (e.g. `config.`).
    ///
    /// # Errors
    /// [`CalcError`] naming the offending band field.
    pub fn validate(&self, prefix: &str) -> Result<(), CalcError> {
        let n = self.bands.len();
        if n == 0 {
            return Err(CalcError::new(
                format!("{prefix}bands"),
                "needs at least one band",
            ));
        }
        for (i, b) in self.bands.iter().enumerate() {
            let f = |name: &str| format!("{prefix}bands[{i}].{name}");
            if !b.min.is_finite() || b.min < 0.0 {
                return Err(CalcError::new(f("min"), "must be a finite number ≥ 0"));
            }
            if i == 0 && b.min != 0.0 {
                return Err(CalcError::new(f("min"), "the first band must start at 0"));
            }
            match (b.max, i + 1 == n) {
                (None, true) => {}
                (Some(_), true) => {
                    return Err(CalcError::new(
                        f("max"),
                        "the last band must have no upper edge",
                    ));
                }
                (None, false) => {
                    return Err(CalcError::new(
                        f("max"),
                        "is required except on the last band",
                    ));
                }
                (Some(max), false) => {
                    if !max.is_finite() || max <= b.min {
                        return Err(CalcError::new(f("max"), "must be greater than min"));
                    }
                    let next = &self.bands[i + 1];
                    if next.min != max {
                        return Err(CalcError::new(
                            format!("{prefix}bands[{}].min", i + 1),
                            "must equal the previous band's max (bands are ascending and contiguous)",
                        ));
                    }
                    if next.level < b.level {
                        return Err(CalcError::new(
                            format!("{prefix}bands[{}].level", i + 1),
                            "must not be lower than the previous band's level",
                        ));
                    }
                }
            }
        }
        self.colours.validate(prefix)
    }

    /// The effective bands in words, highest first, e.g. `D >= 320 major, 160 <= D < 320 high, …`.
    pub fn describe(&self) -> String {
        let (lo, hi) = match self.edge_rule {
            EdgeRule::AtOrAbove => (">=", "<"),
            EdgeRule::Above => (">", "<="),
        };
        let level = |l: RiskLevel| format!("{l:?}").to_lowercase();
        self.bands
            .iter()
            .rev()
            .map(|b| match (b.min == 0.0, b.max) {
                (true, Some(max)) => format!("D {hi} {max} {}", level(b.level)),
                (_, None) => format!("D {lo} {} {}", b.min, level(b.level)),
                (false, Some(max)) => {
                    let lo_rev = if lo == ">=" { "<=" } else { "<" };
                    format!("{} {lo_rev} D {hi} {max} {}", b.min, level(b.level))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The band D falls in.
    pub fn band_of(&self, d: f64) -> &LecBand {
        let hit = |b: &LecBand| match self.edge_rule {
            EdgeRule::AtOrAbove => d >= b.min && b.max.is_none_or(|m| d < m),
            EdgeRule::Above => (d > b.min || b.min == 0.0) && b.max.is_none_or(|m| d <= m),
        };
        self.bands
            .iter()
            .find(|b| hit(b))
            .unwrap_or_else(|| self.bands.last().expect("validated: non-empty"))
    }
}

/// Which LEC factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LecFactor {
    /// L, likelihood.
    L,
    /// E, exposure.
    E,
    /// C, consequence.
    C,
}

impl LecFactor {
    fn field(self) -> &'static str {
        match self {
            Self::L => "l",
            Self::E => "e",
            Self::C => "c",
        }
    }
    fn scale(self) -> &'static [ScaleValue] {
        let s = lec_scales();
        match self {
            Self::L => &s.l,
            Self::E => &s.e,
            Self::C => &s.c,
        }
    }
}

/// `value` on the scale of `factor`, as tenths (exact integer arithmetic) and its meaning.
///
/// # Errors
/// [`CalcError`] naming the factor (`l`, `e`, `c`) when the value is not on its scale.
pub fn scale_value(factor: LecFactor, value: f64) -> Result<(i64, &'static str), CalcError> {
    let scale = factor.scale();
    match scale.iter().find(|s| s.value == value) {
        Some(s) => Ok(((s.value * 10.0).round() as i64, s.meaning.as_str())),
        None => Err(CalcError::new(
            factor.field(),
            format!(
                "{value} is not on the {} scale (allowed: {})",
                factor.field().to_uppercase(),
                scale
                    .iter()
                    .map(|s| s.value.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// The result of an LEC assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct LecResult {
    /// D in thousandths (exact): D = L × E × C, each factor on its scale.
    pub d_thousandths: i64,
    /// The band D falls in.
    pub band: LecBand,
    /// The risk level.
    pub level: RiskLevel,
    /// The colour of the level.
    pub colour: Colour,
}

impl LecResult {
    /// D as a number (dimensionless).
    pub fn d(&self) -> f64 {
        self.d_thousandths as f64 / 1000.0
    }
}

/// LEC: `D = L × E × C` (standards.md §A4, SECONDARY), computed exactly, then banded with `config`.
///
/// # Errors
/// [`CalcError`] naming `l`, `e` or `c` when a value is not on its scale.
pub fn lec(l: f64, e: f64, c: f64, config: &LecConfig) -> Result<LecResult, CalcError> {
    let (lt, _) = scale_value(LecFactor::L, l)?;
    let (et, _) = scale_value(LecFactor::E, e)?;
    let (ct, _) = scale_value(LecFactor::C, c)?;
    let d_thousandths = lt * et * ct;
    let d = d_thousandths as f64 / 1000.0;
    let band = config.band_of(d).clone();
    Ok(LecResult {
        d_thousandths,
        level: band.level,
        colour: config.colours.of(band.level),
        band,
    })
}

/// A decimal with an exact integer numerator over 1000, rendered as a JSON integer when whole.
fn thousandths_value(t: i64) -> Value {
    if t % 1000 == 0 {
        Value::from(t / 1000)
    } else {
        Value::from(t as f64 / 1000.0)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LecInput {
    l: f64,
    e: f64,
    c: f64,
    #[serde(default)]
    config: Option<LecConfig>,
}

#[derive(Serialize)]
struct LecOutput {
    l: Value,
    l_meaning: &'static str,
    e: Value,
    e_meaning: &'static str,
    c: Value,
    c_meaning: &'static str,
    d: Value,
    danger: String,
    level: RiskLevel,
    level_name: &'static str,
    colour: Colour,
    colour_name: &'static str,
    notes: Vec<String>,
}

/// The `lec` topic: `{"l", "e", "c", "config"?}` → D, 危险程度, level and colour.
///
/// # Errors
/// [`CalcError`] naming a field that is missing, off its scale, or an invalid `config`.
pub fn calc_lec(input: &Value) -> Result<Value, CalcError> {
    let i: LecInput = parse(input)?;
    let custom = i.config.is_some();
    let config = i.config.unwrap_or_default();
    config.validate("config.")?;
    let r = lec(i.l, i.e, i.c, &config)?;
    let notes = vec![
        "LEC scales and D bands are SECONDARY; the mapping of D bands to the four levels is UNVERIFIED as an official rule (standards.md A4)".to_owned(),
        format!(
            "{} bands: {}",
            if custom { "configured" } else { "default" },
            config.describe()
        ),
    ];
    let tenths = |v: f64| thousandths_value((v * 1000.0).round() as i64);
    Ok(to_value(&LecOutput {
        l: tenths(i.l),
        l_meaning: scale_value(LecFactor::L, i.l)?.1,
        e: tenths(i.e),
        e_meaning: scale_value(LecFactor::E, i.e)?.1,
        c: tenths(i.c),
        c_meaning: scale_value(LecFactor::C, i.c)?.1,
        d: thousandths_value(r.d_thousandths),
        danger: r.band.danger.clone(),
        level: r.level,
        level_name: r.level.name_zh(),
        colour: r.colour,
        colour_name: r.colour.name_zh(),
        notes,
    }))
}

// ---------------------------------------------------------------------------------------------
// Matrix
// ---------------------------------------------------------------------------------------------

/// One band of R = L × S, inclusive at both ends (e.g. 15–16 → 较大风险).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixBand {
    /// Lowest R of the band (inclusive).
    pub min: u32,
    /// Highest R of the band (inclusive).
    pub max: u32,
    /// The risk level.
    pub level: RiskLevel,
}

fn default_matrix_bands() -> Vec<MatrixBand> {
    data().matrix.bands.clone()
}
fn default_matrix_colours() -> LevelColours {
    data().matrix.colours
}

/// Matrix configuration: R bands and level → colour. Default (`data/risk.toml`, standards.md §A4,
/// SECONDARY): 20–25 重大 red, 15–16 较大 orange, 9–12 一般 yellow, 1–8 低 blue. The coal-mine
/// variant (20–25, 15–19, 10–14, 1–9; UNVERIFIED provenance) is expressible as a config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    /// Bands in ascending order of R, non-overlapping, covering every reachable product.
    #[serde(default = "default_matrix_bands")]
    pub bands: Vec<MatrixBand>,
    /// Level → colour.
    #[serde(default = "default_matrix_colours")]
    pub colours: LevelColours,
}

impl Default for MatrixConfig {
    fn default() -> Self {
        data().matrix.clone()
    }
}

/// The products L × S reachable on a 5 × 5 grid: 1,2,3,4,5,6,8,9,10,12,15,16,20,25.
pub fn reachable_products() -> Vec<u32> {
    let mut v: Vec<u32> = (1..=5u32)
        .flat_map(|l| (1..=5u32).map(move |s| l * s))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl MatrixConfig {
    /// Checks: bands within 1..=25, `min ≤ max`, ascending and non-overlapping, every reachable
    /// product covered, level never falling as R rises, four distinct colours.
    ///
    /// # Errors
    /// [`CalcError`] naming the offending field (prefixed by `prefix`).
    pub fn validate(&self, prefix: &str) -> Result<(), CalcError> {
        if self.bands.is_empty() {
            return Err(CalcError::new(
                format!("{prefix}bands"),
                "needs at least one band",
            ));
        }
        for (i, b) in self.bands.iter().enumerate() {
            let f = |name: &str| format!("{prefix}bands[{i}].{name}");
            if !(1..=25).contains(&b.min) {
                return Err(CalcError::new(f("min"), "must be between 1 and 25"));
            }
            if !(b.min..=25).contains(&b.max) {
                return Err(CalcError::new(f("max"), "must be between min and 25"));
            }
            if i > 0 {
                let prev = &self.bands[i - 1];
                if b.min <= prev.max {
                    return Err(CalcError::new(
                        f("min"),
                        "must be above the previous band's max (bands are ascending and non-overlapping)",
                    ));
                }
                if b.level < prev.level {
                    return Err(CalcError::new(
                        f("level"),
                        "must not be lower than the previous band's level",
                    ));
                }
            }
        }
        for r in reachable_products() {
            if !self.bands.iter().any(|b| (b.min..=b.max).contains(&r)) {
                return Err(CalcError::new(
                    format!("{prefix}bands"),
                    format!("R = {r} is reachable (L × S) but in no band"),
                ));
            }
        }
        self.colours.validate(prefix)
    }

    /// The effective bands in words, highest first, e.g. `R 20-25 major, 15-16 high, …`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .bands
            .iter()
            .rev()
            .map(|b| {
                format!(
                    "{}-{} {}",
                    b.min,
                    b.max,
                    format!("{:?}", b.level).to_lowercase()
                )
            })
            .collect();
        format!("R {}", parts.join(", "))
    }

    /// The level of R (`None` only for an R no band covers, impossible for a validated config
    /// and a reachable R).
    pub fn level_of(&self, r: u32) -> Option<RiskLevel> {
        self.bands
            .iter()
            .find(|b| (b.min..=b.max).contains(&r))
            .map(|b| b.level)
    }
}

/// The result of a matrix assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatrixResult {
    /// R = L × S, 1..=25.
    pub score: u32,
    /// The risk level.
    pub level: RiskLevel,
    /// The colour of the level.
    pub colour: Colour,
}

/// The 5 × 5 matrix: `R = L × S`, banded with `config` (standards.md §A4, SECONDARY).
///
/// # Errors
/// [`CalcError`] naming `likelihood` or `severity` when outside 1..=5.
pub fn matrix(
    likelihood: u32,
    severity: u32,
    config: &MatrixConfig,
) -> Result<MatrixResult, CalcError> {
    for (name, v) in [("likelihood", likelihood), ("severity", severity)] {
        if !(1..=5).contains(&v) {
            return Err(CalcError::new(
                name,
                format!("must be an integer from 1 to 5 (got {v})"),
            ));
        }
    }
    let score = likelihood * severity;
    let level = config
        .level_of(score)
        .ok_or_else(|| CalcError::new("config.bands", format!("R = {score} is in no band")))?;
    Ok(MatrixResult {
        score,
        level,
        colour: config.colours.of(level),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatrixInput {
    likelihood: u32,
    severity: u32,
    #[serde(default)]
    config: Option<MatrixConfig>,
}

#[derive(Serialize)]
struct MatrixOutput {
    likelihood: u32,
    likelihood_label: String,
    severity: u32,
    severity_label: String,
    score: u32,
    level: RiskLevel,
    level_name: &'static str,
    colour: Colour,
    colour_name: &'static str,
    notes: Vec<String>,
}

/// The `risk-matrix` topic: `{"likelihood", "severity", "config"?}` (1..=5 each) → R, level, colour.
///
/// # Errors
/// [`CalcError`] naming a field that is missing or out of range, or an invalid `config`.
pub fn calc_matrix(input: &Value) -> Result<Value, CalcError> {
    let i: MatrixInput = parse(input)?;
    let custom = i.config.is_some();
    let config = i.config.unwrap_or_default();
    config.validate("config.")?;
    let r = matrix(i.likelihood, i.severity, &config)?;
    let labels = matrix_labels();
    let notes = vec![
        "the 5 x 5 L x S matrix and its default bands are SECONDARY (standards.md A4)".to_owned(),
        format!(
            "{} bands: {}",
            if custom { "configured" } else { "default" },
            config.describe()
        ),
    ];
    Ok(to_value(&MatrixOutput {
        likelihood: i.likelihood,
        likelihood_label: labels.likelihood[i.likelihood as usize - 1].clone(),
        severity: i.severity,
        severity_label: labels.severity[i.severity as usize - 1].clone(),
        score: r.score,
        level: r.level,
        level_name: r.level.name_zh(),
        colour: r.colour,
        colour_name: r.colour.name_zh(),
        notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn lvl(l: f64, e: f64, c: f64) -> RiskLevel {
        lec(l, e, c, &LecConfig::default()).unwrap().level
    }

    #[test]
    fn data_file_loads_and_validates() {
        LecConfig::default().validate("").unwrap();
        MatrixConfig::default().validate("").unwrap();
        assert_eq!(lec_scales().l.len(), 7);
        assert_eq!(lec_scales().e.len(), 6);
        assert_eq!(lec_scales().c.len(), 6);
        assert_eq!(matrix_labels().likelihood[4], "极可能");
    }

    #[test]
    fn lec_band_edges_exact() {
        // 160 and 320 are not products of the scales: test the band function directly at every
        // edge (standard-like default, standards.md §A4: D ≥ 320 重大, 160 ≤ D < 320 较大, …).
        let cfg = LecConfig::default();
        assert_eq!(cfg.band_of(320.0).level, RiskLevel::Major);
        assert_eq!(cfg.band_of(319.999).level, RiskLevel::High);
        assert_eq!(cfg.band_of(160.0).level, RiskLevel::High);
        assert_eq!(cfg.band_of(159.999).level, RiskLevel::Medium);
        assert_eq!(cfg.band_of(70.0).level, RiskLevel::Medium);
        assert_eq!(cfg.band_of(69.999).level, RiskLevel::Low);
        assert_eq!(cfg.band_of(20.0).danger, "一般危险（可能危险），需要注意");
        assert_eq!(cfg.band_of(19.999).danger, "稍有危险，可以接受");
        assert_eq!(cfg.band_of(0.05).level, RiskLevel::Low);
        // The other edge rule: an edge value belongs to the band below.
        let above = LecConfig {
            edge_rule: EdgeRule::Above,
            ..LecConfig::default()
        };
        assert_eq!(above.band_of(320.0).level, RiskLevel::High);
        assert_eq!(above.band_of(320.001).level, RiskLevel::Major);
        assert_eq!(above.band_of(160.0).level, RiskLevel::Medium);
        assert_eq!(above.band_of(70.0).level, RiskLevel::Low);
        assert_eq!(above.band_of(0.05).level, RiskLevel::Low);
        assert_eq!(
            LecConfig::default().describe(),
            "D >= 320 major, 160 <= D < 320 high, 70 <= D < 160 medium, 20 <= D < 70 low, D < 20 low"
        );
        assert_eq!(
            above.describe(),
            "D > 320 major, 160 < D <= 320 high, 70 < D <= 160 medium, 20 < D <= 70 low, D <= 20 low"
        );
        assert_eq!(
            MatrixConfig::default().describe(),
            "R 20-25 major, 15-16 high, 9-12 medium, 1-8 low"
        );
    }

    #[test]
    fn lec_reachable_edges() {
        let d = |l, e, c| lec(l, e, c, &LecConfig::default()).unwrap().d();
        // D = 70 and D = 20 are reachable: exactly on the edge → the band above (default rule).
        assert_eq!(d(10.0, 1.0, 7.0), 70.0);
        assert_eq!(lvl(10.0, 1.0, 7.0), RiskLevel::Medium);
        assert_eq!(lvl(3.0, 3.0, 7.0), RiskLevel::Low); // 63
        assert_eq!(d(0.5, 1.0, 40.0), 20.0);
        let r = lec(0.5, 1.0, 40.0, &LecConfig::default()).unwrap();
        assert_eq!(r.band.danger, "一般危险（可能危险），需要注意");
        let r = lec(3.0, 6.0, 1.0, &LecConfig::default()).unwrap(); // 18
        assert_eq!(r.band.danger, "稍有危险，可以接受");
        // 160 and 320 are not products of the scales: nearest values either side.
        assert_eq!(d(10.0, 1.0, 15.0), 150.0);
        assert_eq!(lvl(10.0, 1.0, 15.0), RiskLevel::Medium);
        assert_eq!(d(6.0, 2.0, 15.0), 180.0);
        assert_eq!(lvl(6.0, 2.0, 15.0), RiskLevel::High);
        assert_eq!(d(3.0, 1.0, 100.0), 300.0);
        assert_eq!(lvl(3.0, 1.0, 100.0), RiskLevel::High);
        assert_eq!(d(3.0, 3.0, 40.0), 360.0);
        assert_eq!(lvl(3.0, 3.0, 40.0), RiskLevel::Major);
        // With the other edge rule, D = 70 falls to the band below.
        let above = LecConfig {
            edge_rule: EdgeRule::Above,
            ..LecConfig::default()
        };
        assert_eq!(lec(10.0, 1.0, 7.0, &above).unwrap().level, RiskLevel::Low);
        // Exact small values: 0.1 × 0.5 × 1 = 0.05; 0.2 × 0.5 × 3 = 0.3.
        let r = lec(0.1, 0.5, 1.0, &LecConfig::default()).unwrap();
        assert_eq!(r.d_thousandths, 50);
        assert_eq!(r.d(), 0.05);
        assert_eq!(d(0.2, 0.5, 3.0), 0.3);
        assert_eq!(thousandths_value(300), json!(0.3));
        assert_eq!(thousandths_value(70_000), json!(70));
    }

    #[test]
    fn lec_rejects_values_off_the_scales() {
        let e = lec(5.0, 6.0, 7.0, &LecConfig::default()).unwrap_err();
        assert_eq!(e.field, "l");
        assert_eq!(
            lec(1.0, 4.0, 7.0, &LecConfig::default()).unwrap_err().field,
            "e"
        );
        assert_eq!(
            lec(1.0, 6.0, 10.0, &LecConfig::default())
                .unwrap_err()
                .field,
            "c"
        );
        let e = calc_lec(&json!({"l": 3, "e": 6})).unwrap_err();
        assert_eq!(e.field, "c");
        let e = calc_lec(&json!({"l": 3, "e": 6, "c": 7, "x": 1})).unwrap_err();
        assert_eq!(e.field, "x");
    }

    #[test]
    fn lec_config_validation() {
        let mut cfg = LecConfig::default();
        cfg.bands[2].min = 80.0;
        assert_eq!(
            cfg.validate("config.").unwrap_err().field,
            "config.bands[2].min"
        );
        let mut cfg = LecConfig::default();
        cfg.bands[0].min = 5.0;
        assert_eq!(cfg.validate("").unwrap_err().field, "bands[0].min");
        let mut cfg = LecConfig::default();
        cfg.bands[4].max = Some(1000.0);
        assert_eq!(cfg.validate("").unwrap_err().field, "bands[4].max");
        let mut cfg = LecConfig::default();
        cfg.bands[3].level = RiskLevel::Low;
        assert_eq!(cfg.validate("").unwrap_err().field, "bands[3].level");
        let mut cfg = LecConfig::default();
        cfg.colours.low = Colour::Red;
        assert_eq!(cfg.validate("").unwrap_err().field, "colours");
        let e = calc_lec(&json!({"l": 3, "e": 6, "c": 7, "config": {"bands": []}})).unwrap_err();
        assert_eq!(e.field, "config.bands");
    }

    #[test]
    fn matrix_band_edges() {
        let cfg = MatrixConfig::default();
        let cases = [
            (1, 1, RiskLevel::Low),
            (2, 4, RiskLevel::Low),    // 8
            (3, 3, RiskLevel::Medium), // 9
            (3, 4, RiskLevel::Medium), // 12
            (3, 5, RiskLevel::High),   // 15
            (4, 4, RiskLevel::High),   // 16
            (4, 5, RiskLevel::Major),  // 20
            (5, 5, RiskLevel::Major),  // 25
        ];
        for (l, s, want) in cases {
            let r = matrix(l, s, &cfg).unwrap();
            assert_eq!(r.level, want, "L={l} S={s}");
            assert_eq!(r.colour, want.standard_colour());
        }
        assert_eq!(matrix(0, 3, &cfg).unwrap_err().field, "likelihood");
        assert_eq!(matrix(3, 6, &cfg).unwrap_err().field, "severity");
    }

    #[test]
    fn matrix_config_validation_and_coal_variant() {
        let coal = MatrixConfig {
            bands: vec![
                MatrixBand {
                    min: 1,
                    max: 9,
                    level: RiskLevel::Low,
                },
                MatrixBand {
                    min: 10,
                    max: 14,
                    level: RiskLevel::Medium,
                },
                MatrixBand {
                    min: 15,
                    max: 19,
                    level: RiskLevel::High,
                },
                MatrixBand {
                    min: 20,
                    max: 25,
                    level: RiskLevel::Major,
                },
            ],
            colours: LevelColours::default(),
        };
        coal.validate("").unwrap();
        assert_eq!(matrix(3, 3, &coal).unwrap().level, RiskLevel::Low);
        assert_eq!(matrix(2, 5, &coal).unwrap().level, RiskLevel::Medium);
        let mut gap = MatrixConfig::default();
        gap.bands[1].min = 10; // 9 uncovered
        assert!(gap.validate("").unwrap_err().message.contains("R = 9"));
        let mut overlap = MatrixConfig::default();
        overlap.bands[1].min = 8;
        assert_eq!(overlap.validate("").unwrap_err().field, "bands[1].min");
        let e = calc_matrix(&json!({"likelihood": 6, "severity": 1})).unwrap_err();
        assert_eq!(e.field, "likelihood");
    }

    fn scale_strategy(f: LecFactor) -> impl Strategy<Value = f64> {
        let vals: Vec<f64> = f.scale().iter().map(|s| s.value).collect();
        proptest::sample::select(vals)
    }

    proptest! {
        #[test]
        fn lec_d_and_level_monotonic(
            l1 in scale_strategy(LecFactor::L), l2 in scale_strategy(LecFactor::L),
            e1 in scale_strategy(LecFactor::E), e2 in scale_strategy(LecFactor::E),
            c1 in scale_strategy(LecFactor::C), c2 in scale_strategy(LecFactor::C),
        ) {
            let cfg = LecConfig::default();
            let base = lec(l1, e1, c1, &cfg).unwrap();
            for (l, e, c) in [(l2, e1, c1), (l1, e2, c1), (l1, e1, c2)] {
                let other = lec(l, e, c, &cfg).unwrap();
                let grew = l > l1 || e > e1 || c > c1;
                let same = l == l1 && e == e1 && c == c1;
                if grew {
                    prop_assert!(other.d_thousandths > base.d_thousandths);
                    prop_assert!(other.level >= base.level);
                } else if !same {
                    prop_assert!(other.d_thousandths < base.d_thousandths);
                    prop_assert!(other.level <= base.level);
                }
            }
        }

        #[test]
        fn matrix_level_monotonic(l in 1u32..=5, s in 1u32..=5, dl in 0u32..=4, ds in 0u32..=4) {
            let cfg = MatrixConfig::default();
            let base = matrix(l, s, &cfg).unwrap();
            let l2 = (l + dl).min(5);
            let s2 = (s + ds).min(5);
            prop_assert!(matrix(l2, s, &cfg).unwrap().level >= base.level);
            prop_assert!(matrix(l, s2, &cfg).unwrap().level >= base.level);
            prop_assert!(matrix(l2, s2, &cfg).unwrap().score >= base.score);
        }
    }
}
