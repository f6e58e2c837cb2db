//! GB 18218-2018《危险化学品重大危险源辨识》: identification and grading of major hazard
//! installations (`major_hazard_installation`) for hazardous chemicals.
//!
//! - Identification, GB 18218-2018 §4.2.1 formula (1): `S = Σ q_i / Q_i`; the unit (生产单元 or
//!   储存单元, §3.5/§3.6) is a major hazard installation when **S ≥ 1** ([`is_major`]).
//! - Grading, §4.3.2 formula (2): `R = α · Σ β_i · q_i / Q_i`, graded 一级..四级 by Table 6
//!   ([`grade_of`]); α from Table 5 ([`alpha`]); β from Table 3 or Table 4.
//! - Threshold quantities (临界量, `threshold_quantity`) Q: Table 1 for the 85 named chemicals,
//!   Table 2 by hazard class for any other (§4.1.2).
//!
//! All quantities are in **tonnes**. q is the maximum design quantity (设计最大量, §4.2.2) of the
//! unit; mixtures (§4.2.3) are the caller's responsibility: give a mixture in the same hazard class
//! as its pure substance as that substance with the mixture's whole mass, otherwise as a non-Table-1
//! substance with the mixture's own hazard classes.
//!
//! The tables are data, in `crates/domain/data/gb18218-2018.toml` (source noted there), embedded at
//! compile time and parsed once ([`tables`]).
//!
//! Arithmetic is **exact**: quantities, Q, β and α are rationals ([`Ratio`]), so the band edges
//! (S = 1, R = 10, 50, 100) are decided without rounding. JSON output carries the nearest `f64`
//! and, for S and R, the exact fraction as text.
//!
//! # Choices the standard leaves open (see also `docs/calc.md` (section `major-hazard`))
//! 1. **β of a substance that is not in Table 3 but has several hazard classes** — the standard
//!    gives no rule. Default [`BetaRule::Max`]: the largest Table 4 β among the given classes
//!    (never under-grades). [`BetaRule::GoverningClass`] takes the β of the class with the lowest
//!    Table 2 Q (the class that sets, or for a Table 1 chemical would set, Q), the practice noted as
//!    UNVERIFIED in `standards.md`. Ties on Q in that rule go to the larger β.
//! 2. **β of a Table 1 chemical not in Table 3**: Table 4 needs a hazard class, which Table 1 does
//!    not give; the caller must pass `hazard_classes` (no classes are invented here).
//! 3. **Several hazard classes, not in Table 1** (§4.1.2): the lowest Table 2 Q.
//! 4. **Conditional Table 1 rows** (content, water, nitrogen, anhydrous ...: nos. 8, 11, 37-45, 72,
//!    81): CAS numbers and plain names do not say whether the condition holds, so a lookup by CAS,
//!    alias or short name must name the row (`variant` = the 序号), or `variant = 0` to say no row's
//!    condition holds (then Table 2 applies). The full printed name with its condition selects the
//!    row directly. Row 56 (氧, 压缩的或液化的) is treated as unconditional: stored oxygen is
//!    always compressed or liquefied.
//! 5. **一氧化碳** is looked up as Table 1 no. 13 (煤气, whose description starts with CO), and its
//!    Table 3 β = 2 is applied to row 13 as a whole.
//! 6. **R when the unit is not a major hazard**: not given (`None`/`null`), since §4.3 grades only
//!    identified installations; the weighted sum Σ β·q/Q is still reported.
//! 7. **Exposed population** (Table 5): the resident population (常住人口) within 500 m of the
//!    plant boundary; "100人以上" includes 100 (以上 includes the number itself).

use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

// ---------------------------------------------------------------------------------------------
// Exact arithmetic
// ---------------------------------------------------------------------------------------------

/// A non-negative exact rational number (numerator / denominator, in lowest terms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs()
}

impl Ratio {
    /// 0.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };
    /// 1.
    pub const ONE: Ratio = Ratio { num: 1, den: 1 };

    /// `num / den`; `None` when `den` is 0 or either is negative.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den <= 0 || num < 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        Some(Ratio {
            num: num / g,
            den: den / g,
        })
    }

    /// A whole number.
    pub const fn from_integer(n: u64) -> Ratio {
        Ratio {
            num: n as i128,
            den: 1,
        }
    }

    /// The numerator (lowest terms).
    pub fn numer(self) -> i128 {
        self.num
    }

    /// The denominator (lowest terms, > 0).
    pub fn denom(self) -> i128 {
        self.den
    }

    /// Parses a plain non-negative decimal such as `12`, `0.75` or `1.` (no sign, no exponent,
    /// at most 18 digits after the point and 20 before).
    pub fn parse_decimal(s: &str) -> Option<Ratio> {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if (int.is_empty() && frac.is_empty())
            || int.len() > 20
            || frac.len() > 18
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let digits = format!("{int}{frac}");
        let num: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        Ratio::new(num, 10i128.checked_pow(frac.len() as u32)?)
    }

    /// The decimal a finite non-negative `f64` prints as (its shortest round-trip form), exactly:
    /// `0.1` is 1/10, not the binary value nearest to it.
    pub fn from_f64(x: f64) -> Option<Ratio> {
        if !x.is_finite() || x < 0.0 {
            return None;
        }
        // `Display` for f64 never uses an exponent and prints the shortest round-trip digits.
        Ratio::parse_decimal(&format!("{x}"))
    }

    /// The nearest `f64` (exact division when numerator and denominator are below 2^53).
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// `self + other`, `None` on overflow.
    pub fn checked_add(self, other: Ratio) -> Option<Ratio> {
        let g = gcd(self.den, other.den);
        let l = (self.den / g).checked_mul(other.den)?;
        let a = self.num.checked_mul(l / self.den)?;
        let b = other.num.checked_mul(l / other.den)?;
        Ratio::new(a.checked_add(b)?, l)
    }

    /// `self × other`, `None` on overflow.
    pub fn checked_mul(self, other: Ratio) -> Option<Ratio> {
        let g1 = gcd(self.num, other.den).max(1);
        let g2 = gcd(other.num, self.den).max(1);
        Ratio::new(
            (self.num / g1).checked_mul(other.num / g2)?,
            (self.den / g2).checked_mul(other.den / g1)?,
        )
    }

    /// `self / other`, `None` on overflow or division by zero.
    pub fn checked_div(self, other: Ratio) -> Option<Ratio> {
        if other.num == 0 {
            return None;
        }
        self.checked_mul(Ratio {
            num: other.den,
            den: other.num,
        })
    }
}

impl Default for Ratio {
    /// 0.
    fn default() -> Ratio {
        Ratio::ZERO
    }
}

impl Ord for Ratio {
    /// Exact comparison by continued-fraction expansion (cannot overflow).
    fn cmp(&self, other: &Self) -> Ordering {
        let (mut a, mut b, mut c, mut d) = (self.num, self.den, other.num, other.den);
        let mut flip = false;
        loop {
            let (qa, qc) = (a / b, c / d);
            if qa != qc {
                let o = qa.cmp(&qc);
                return if flip { o.reverse() } else { o };
            }
            let (ra, rc) = (a % b, c % d);
            let o = match (ra == 0, rc == 0) {
                (true, true) => return Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => {
                    // a/b = q + ra/b; compare ra/b with rc/d  <=>  compare d/rc with b/ra.
                    (a, b, c, d) = (b, ra, d, rc);
                    flip = !flip;
                    continue;
                }
            };
            return if flip { o.reverse() } else { o };
        }
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Ratio {
    /// `n` or `n/d` in lowest terms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl Serialize for Ratio {
    /// As the nearest JSON number.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.to_f64())
    }
}

// ---------------------------------------------------------------------------------------------
// CAS registry numbers
// ---------------------------------------------------------------------------------------------

/// Whether `cas` is a well-formed CAS registry number with a correct check digit: `NNNNNNN-NN-R`
/// (2 to 7 digits, 2 digits, 1 check digit), where R = Σ (position from the right × digit) mod 10
/// over the digits before the check digit.
pub fn cas_is_valid(cas: &str) -> bool {
    let parts: Vec<&str> = cas.split('-').collect();
    let [a, b, r] = parts.as_slice() else {
        return false;
    };
    if !(2..=7).contains(&a.len())
        || b.len() != 2
        || r.len() != 1
        || !cas.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        return false;
    }
    let body: Vec<u32> = a
        .chars()
        .chain(b.chars())
        .filter_map(|c| c.to_digit(10))
        .collect();
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| (i as u32 + 1) * d)
        .sum();
    r.chars().next().and_then(|c| c.to_digit(10)) == Some(sum % 10)
}

// ---------------------------------------------------------------------------------------------
// The tables
// ---------------------------------------------------------------------------------------------

const DATA: &str = include_str!("../../data/gb18218-2018.toml");

/// A number in the data file (TOML integer or float), read exactly as written.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawNum {
    Int(u64),
    Float(f64),
}

impl RawNum {
    fn ratio(&self) -> Ratio {
        match *self {
            RawNum::Int(n) => Ratio::from_integer(n),
            RawNum::Float(x) => Ratio::from_f64(x).expect("gb18218-2018.toml: bad number"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    table1: Vec<RawTable1>,
    hazard_class: Vec<RawClass>,
    table3: Vec<RawTable3>,
    table5: Vec<RawTable5>,
    table6: Vec<RawTable6>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable1 {
    no: u32,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    lookup_names: Vec<String>,
    #[serde(default)]
    cas: Vec<String>,
    #[serde(default)]
    cas_notes: Vec<String>,
    #[serde(default)]
    conditional: bool,
    threshold_t: RawNum,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    symbol: String,
    hazard: String,
    description: String,
    threshold_t: RawNum,
    beta: RawNum,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable3 {
    name: String,
    beta: RawNum,
    table1_no: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable5 {
    min_population: u64,
    alpha: RawNum,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable6 {
    grade: u8,
    label: String,
    min_r: RawNum,
}

/// One row of GB 18218-2018 Table 1 (危险化学品名称及其临界量).
#[derive(Debug, Clone, PartialEq)]
pub struct Table1Entry {
    /// The standard's 序号 (1..=85); also the stable `variant` id.
    pub no: u32,
    /// The name as printed, including its condition if any.
    pub name: String,
    /// The standard's 别名 column.
    pub aliases: Vec<String>,
    /// Short names added by this project (not from the standard), e.g. 硝酸铵, 甲烷.
    pub lookup_names: Vec<String>,
    /// CAS numbers printed in the row (empty for nos. 13, 45, 74).
    pub cas: Vec<String>,
    /// What each CAS stands for when the row prints several (same length as `cas`, or empty).
    pub cas_notes: Vec<String>,
    /// Whether the row applies only under a condition printed in its name.
    pub conditional: bool,
    /// Threshold quantity Q, tonnes.
    pub threshold_t: Ratio,
    /// β from Table 3 when the chemical is one of its toxic gases.
    pub table3_beta: Option<Ratio>,
}

/// One GHS hazard class of GB 18218-2018 Table 2 (Q) and Table 4 (β), e.g. `W5.3`.
#[derive(Debug, Clone, PartialEq)]
pub struct HazardClass {
    /// The symbol, e.g. `J1`, `W5.3`.
    pub symbol: String,
    /// The hazard (危险性类别), e.g. 易燃液体.
    pub hazard: String,
    /// The description (说明).
    pub description: String,
    /// Threshold quantity Q, tonnes (Table 2).
    pub threshold_t: Ratio,
    /// Correction factor β (Table 4).
    pub beta: Ratio,
}

/// One row of GB 18218-2018 Table 3 (β for named toxic gases).
#[derive(Debug, Clone, PartialEq)]
pub struct Table3Entry {
    /// The gas, as printed.
    pub name: String,
    /// β.
    pub beta: Ratio,
    /// The Table 1 row of the gas (project mapping).
    pub table1_no: u32,
}

/// The grade of a major hazard installation, GB 18218-2018 §4.3.3 Table 6; 一级 is the most
/// severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Grade {
    /// 一级, R ≥ 100.
    One = 1,
    /// 二级, 100 > R ≥ 50.
    Two = 2,
    /// 三级, 50 > R ≥ 10.
    Three = 3,
    /// 四级, R < 10.
    Four = 4,
}

impl Grade {
    /// 1..=4.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// 一级..四级.
    pub fn label(self) -> &'static str {
        match self {
            Grade::One => "一级",
            Grade::Two => "二级",
            Grade::Three => "三级",
            Grade::Four => "四级",
        }
    }

    fn from_number(n: u8) -> Option<Grade> {
        [Grade::One, Grade::Two, Grade::Three, Grade::Four]
            .into_iter()
            .find(|g| g.number() == n)
    }
}

/// GB 18218-2018 Tables 1-6, parsed from the embedded data file.
#[derive(Debug, Clone)]
pub struct Tables {
    /// Table 1, 85 rows in the standard's order.
    pub table1: Vec<Table1Entry>,
    /// Tables 2 and 4 by class symbol, 24 rows.
    pub hazard_classes: Vec<HazardClass>,
    /// Table 3, 14 gases.
    pub table3: Vec<Table3Entry>,
    /// Table 5: (minimum exposed population, inclusive; α), descending.
    pub alpha_bands: Vec<(u64, Ratio)>,
    /// Table 6: (grade, minimum R inclusive), most severe first.
    pub grade_bands: Vec<(Grade, Ratio)>,
}

fn build_tables() -> Result<Tables, String> {
    let raw: RawData = toml::from_str(DATA).map_err(|e| e.to_string())?;
    let table3: Vec<Table3Entry> = raw
        .table3
        .iter()
        .map(|r| Table3Entry {
            name: r.name.clone(),
            beta: r.beta.ratio(),
            table1_no: r.table1_no,
        })
        .collect();
    let mut table1 = Vec::new();
    for (i, r) in raw.table1.into_iter().enumerate() {
        if r.no as usize != i + 1 {
            return Err(format!("table1 row {} is numbered {}", i + 1, r.no));
        }
        if let Some(bad) = r.cas.iter().find(|c| !cas_is_valid(c)) {
            return Err(format!("table1 no. {}: bad CAS {bad}", r.no));
        }
        if !r.cas_notes.is_empty() && r.cas_notes.len() != r.cas.len() {
            return Err(format!("table1 no. {}: cas_notes length", r.no));
        }
        let table3_beta = table3.iter().find(|t| t.table1_no == r.no).map(|t| t.beta);
        table1.push(Table1Entry {
            no: r.no,
            name: r.name,
            aliases: r.aliases,
            lookup_names: r.lookup_names,
            cas: r.cas,
            cas_notes: r.cas_notes,
            conditional: r.conditional,
            threshold_t: r.threshold_t.ratio(),
            table3_beta,
        });
    }
    if let Some(t) = table3
        .iter()
        .find(|t| t.table1_no == 0 || t.table1_no as usize > table1.len())
    {
        return Err(format!("table3 {}: bad table1_no", t.name));
    }
    let hazard_classes = raw
        .hazard_class
        .into_iter()
        .map(|c| HazardClass {
            symbol: c.symbol,
            hazard: c.hazard,
            description: c.description,
            threshold_t: c.threshold_t.ratio(),
            beta: c.beta.ratio(),
        })
        .collect();
    let alpha_bands: Vec<(u64, Ratio)> = raw
        .table5
        .iter()
        .map(|r| (r.min_population, r.alpha.ratio()))
        .collect();
    if !alpha_bands.windows(2).all(|w| w[0].0 > w[1].0)
        || alpha_bands.last().map(|b| b.0) != Some(0)
    {
        return Err("table5 must descend to 0".into());
    }
    let mut grade_bands = Vec::new();
    for r in &raw.table6 {
        let g = Grade::from_number(r.grade).ok_or("table6: bad grade")?;
        if g.label() != r.label {
            return Err(format!("table6: label {} for grade {}", r.label, r.grade));
        }
        grade_bands.push((g, r.min_r.ratio()));
    }
    if !grade_bands
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[0].1 > w[1].1)
        || grade_bands.last().map(|b| b.1) != Some(Ratio::ZERO)
    {
        return Err("table6 must run from 一级 down to R ≥ 0".into());
    }
    Ok(Tables {
        table1,
        hazard_classes,
        table3,
        alpha_bands,
        grade_bands,
    })
}

static TABLES: LazyLock<Tables> =
    LazyLock::new(|| build_tables().unwrap_or_else(|e| panic!("gb18218-2018.toml: {e}")));

/// GB 18218-2018 Tables 1-6 (parsed once; the data file is checked by this module's tests).
pub fn tables() -> &'static Tables {
    &TABLES
}

/// The hazard class with this symbol (Table 2 / Table 4), case-insensitive, e.g. `w5.3`.
pub fn hazard_class(symbol: &str) -> Option<&'static HazardClass> {
    let s = symbol.trim();
    tables()
        .hazard_classes
        .iter()
        .find(|c| c.symbol.eq_ignore_ascii_case(s))
}

/// The Table 1 row with this 序号.
pub fn table1_entry(no: u32) -> Option<&'static Table1Entry> {
    tables().table1.iter().find(|e| e.no == no)
}

// ---------------------------------------------------------------------------------------------
// The rules
// ---------------------------------------------------------------------------------------------

/// α from the number of people outside the plant who may be exposed (resident population within
/// 500 m of the boundary), GB 18218-2018 §4.3.2 Table 5: ≥ 100 → 2.0; 50-99 → 1.5; 30-49 → 1.2;
/// 1-29 → 1.0; 0 → 0.5.
pub fn alpha(exposed_population: u64) -> Ratio {
    tables()
        .alpha_bands
        .iter()
        .find(|(min, _)| exposed_population >= *min)
        .map(|b| b.1)
        .unwrap_or(Ratio::ZERO)
}

/// Grade from R, GB 18218-2018 §4.3.3 Table 6: 一级 R ≥ 100; 二级 100 > R ≥ 50; 三级
/// 50 > R ≥ 10; 四级 R < 10.
pub fn grade_of(r: Ratio) -> Grade {
    tables()
        .grade_bands
        .iter()
        .find(|(_, min)| r >= *min)
        .map(|b| b.0)
        .unwrap_or(Grade::Four)
}

/// Identification, GB 18218-2018 §4.2.1 formula (1): a major hazard installation when S ≥ 1
/// (for one substance, q ≥ Q).
pub fn is_major(s: Ratio) -> bool {
    s >= Ratio::ONE
}

/// How β is chosen for a substance outside Table 3 with several hazard classes (the standard is
/// silent; see the module documentation, open choice 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BetaRule {
    /// The largest Table 4 β among the classes (default; never under-grades).
    #[default]
    Max,
    /// The β of the class with the lowest Table 2 Q (ties: larger β). UNVERIFIED practice.
    GoverningClass,
}

/// A lookup or input error on one substance. `field` is relative to the substance: `name`, `cas`,
/// `variant`, `hazard_classes[i]`, `quantity_t`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct SubstanceError {
    /// The field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

fn serr(field: impl Into<String>, message: impl Into<String>) -> SubstanceError {
    SubstanceError {
        field: field.into(),
        message: message.into(),
    }
}

/// Normalises a name for comparison: no whitespace, full-width ASCII forms (（）［］＞，…) folded to
/// ASCII, Latin letters lower-cased.
fn normalize_name(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn describe(rows: &[&Table1Entry]) -> String {
    rows.iter()
        .map(|e| format!("{} ({}, Q = {} t)", e.no, e.name, e.threshold_t.to_f64()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Finds a chemical in GB 18218-2018 Table 1 by name (the printed name, an alias or a short
/// lookup name; whitespace and full-width forms ignored), CAS number, or both, and the caller's
/// `variant` (the Table 1 序号; `0` = none of the matching rows' conditions holds).
///
/// Returns `Ok(None)` when the chemical is not in Table 1 (then Table 2 applies, §4.1.2 b).
///
/// # Errors
/// - `cas`: malformed or wrong check digit;
/// - `name`: name and CAS point to different rows, or neither was given;
/// - `variant`: several rows match (CAS is not unique: e.g. 9004-70-0 is nos. 37-42), or the only
///   row is conditional and was not named in full — the message lists the variants; or the given
///   variant is not one of the matching rows; or `0` was given for an unconditional row.
pub fn lookup_table1(
    name: Option<&str>,
    cas: Option<&str>,
    variant: Option<u32>,
) -> Result<Option<&'static Table1Entry>, SubstanceError> {
    let name = name.map(str::trim).filter(|s| !s.is_empty());
    let cas = cas.map(str::trim).filter(|s| !s.is_empty());
    if name.is_none() && cas.is_none() {
        return Err(serr("name", "give the substance's name or its CAS number"));
    }
    if let Some(c) = cas
        && !cas_is_valid(c)
    {
        return Err(serr(
            "cas",
            format!("{c:?} is not a valid CAS number (NNNNNNN-NN-R with a correct check digit)"),
        ));
    }
    let t1 = &tables().table1;
    let key = name.map(normalize_name);
    let full_match = |e: &Table1Entry| key.as_deref() == Some(normalize_name(&e.name).as_str());
    let by_name: Vec<&Table1Entry> = match &key {
        Some(k) => t1
            .iter()
            .filter(|e| {
                std::iter::once(&e.name)
                    .chain(&e.aliases)
                    .chain(&e.lookup_names)
                    .any(|n| normalize_name(n) == *k)
            })
            .collect(),
        None => Vec::new(),
    };
    let by_cas: Vec<&Table1Entry> = match cas {
        Some(c) => t1.iter().filter(|e| e.cas.iter().any(|x| x == c)).collect(),
        None => Vec::new(),
    };
    let candidates: Vec<&Table1Entry> = match (by_name.is_empty(), by_cas.is_empty()) {
        (true, _) => by_cas,
        (false, true) => by_name,
        (false, false) => {
            let both: Vec<&Table1Entry> = by_name
                .iter()
                .copied()
                .filter(|e| by_cas.iter().any(|c| c.no == e.no))
                .collect();
            if both.is_empty() {
                return Err(serr(
                    "name",
                    format!(
                        "the name is Table 1 {} but the CAS number is Table 1 {}",
                        describe(&by_name),
                        describe(&by_cas)
                    ),
                ));
            }
            both
        }
    };
    if candidates.is_empty() {
        return match variant {
            None | Some(0) => Ok(None),
            Some(v) => Err(serr(
                "variant",
                format!("variant {v} given but the substance matches no GB 18218-2018 Table 1 row"),
            )),
        };
    }
    match variant {
        Some(0) => {
            if let Some(e) = candidates.iter().find(|e| !e.conditional) {
                Err(serr(
                    "variant",
                    format!(
                        "variant 0 (not in Table 1) is not allowed: Table 1 no. {} ({}) lists it \
                         without a condition, and a listed chemical uses its Table 1 Q \
                         (GB 18218-2018 §4.1.2 a)",
                        e.no, e.name
                    ),
                ))
            } else {
                Ok(None)
            }
        }
        Some(v) => candidates
            .iter()
            .copied()
            .find(|e| e.no == v)
            .map(Some)
            .ok_or_else(|| {
                serr(
                    "variant",
                    format!(
                        "variant {v} is not one of the matching GB 18218-2018 Table 1 rows: {}",
                        describe(&candidates)
                    ),
                )
            }),
        None => {
            if let [only] = candidates.as_slice()
                && (!only.conditional || full_match(only))
            {
                return Ok(Some(*only));
            }
            let none = if candidates.iter().all(|e| e.conditional) {
                "; or 0 if none of these conditions holds (then give hazard_classes, Table 2 applies)"
            } else {
                ""
            };
            Err(serr(
                "variant",
                format!(
                    "ambiguous: GB 18218-2018 Table 1 lists this substance under conditions; \
                     choose the variant (Table 1 no.): {}{none}",
                    describe(&candidates)
                ),
            ))
        }
    }
}

/// One substance present in a unit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubstanceSpec {
    /// Chinese name, alias or (for a substance not in Table 1) any label.
    pub name: Option<String>,
    /// CAS number.
    pub cas: Option<String>,
    /// Table 1 序号 choosing among conditional/duplicate rows; `0` = not in Table 1.
    pub variant: Option<u32>,
    /// GHS hazard class symbols of Table 2 / Table 4 (e.g. `W5.3`, `J5`): required for a substance
    /// not in Table 1 (Q and β) and for a Table 1 chemical not in Table 3 (β).
    pub hazard_classes: Vec<String>,
    /// Actual quantity q (maximum design quantity, §4.2.2), tonnes.
    pub quantity_t: Ratio,
}

/// Which table gave Q.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdSource {
    /// GB 18218-2018 Table 1 (named chemical).
    Table1,
    /// GB 18218-2018 Table 2 (by hazard class).
    Table2,
}

/// Which table gave β.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BetaSource {
    /// GB 18218-2018 Table 3 (named toxic gas).
    Table3,
    /// GB 18218-2018 Table 4 (by hazard class).
    Table4,
}

/// A substance with its Q and β resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedSubstance {
    /// The Table 1 name, or the caller's name for a substance not in Table 1.
    pub name: Option<String>,
    /// The caller's CAS, else the Table 1 row's first CAS.
    pub cas: Option<String>,
    /// The Table 1 序号, if listed.
    pub table1_no: Option<u32>,
    /// q, tonnes.
    pub quantity_t: Ratio,
    /// Q, tonnes.
    pub threshold_t: Ratio,
    /// The table Q came from.
    pub threshold_source: ThresholdSource,
    /// The Table 2 class that set Q (lowest Q), for a substance not in Table 1.
    pub threshold_class: Option<String>,
    /// β.
    pub beta: Ratio,
    /// The table β came from.
    pub beta_source: BetaSource,
    /// The Table 4 class that gave β.
    pub beta_class: Option<String>,
    /// q / Q.
    pub ratio: Ratio,
    /// β · q / Q.
    pub weighted_ratio: Ratio,
}

fn overflow() -> SubstanceError {
    serr("quantity_t", "the quantity is too large to compute exactly")
}

/// The largest quantity accepted, tonnes (10^9 t).
pub const MAX_QUANTITY_T: u64 = 1_000_000_000;

/// Resolves Q (GB 18218-2018 §4.1.2: Table 1, else the lowest Table 2 Q of the classes) and β
/// (§4.3.2: Table 3, else Table 4 per `rule`) of one substance, and its ratios.
///
/// # Errors
/// [`SubstanceError`] naming `name`, `cas`, `variant` (see [`lookup_table1`]),
/// `hazard_classes[i]` (unknown symbol) or `hazard_classes` (missing where needed), or
/// `quantity_t` (above [`MAX_QUANTITY_T`]).
pub fn resolve_substance(
    spec: &SubstanceSpec,
    rule: BetaRule,
) -> Result<ResolvedSubstance, SubstanceError> {
    if spec.quantity_t > Ratio::from_integer(MAX_QUANTITY_T) {
        return Err(serr(
            "quantity_t",
            format!("must be at most {MAX_QUANTITY_T} t"),
        ));
    }
    let entry = lookup_table1(spec.name.as_deref(), spec.cas.as_deref(), spec.variant)?;
    let mut classes: Vec<&'static HazardClass> = Vec::new();
    for (i, s) in spec.hazard_classes.iter().enumerate() {
        let c = hazard_class(s).ok_or_else(|| {
            serr(
                format!("hazard_classes[{i}]"),
                format!(
                    "{s:?} is not a GB 18218-2018 Table 2 class; classes: {}",
                    tables()
                        .hazard_classes
                        .iter()
                        .map(|c| c.symbol.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
        classes.push(c);
    }
    // The class with the lowest Table 2 Q (ties: larger β, then first given).
    let governing =
        classes
            .iter()
            .copied()
            .reduce(|best, c| match c.threshold_t.cmp(&best.threshold_t) {
                Ordering::Less => c,
                Ordering::Equal if c.beta > best.beta => c,
                _ => best,
            });
    let (threshold_t, threshold_source, threshold_class) = match (entry, governing) {
        (Some(e), _) => (e.threshold_t, ThresholdSource::Table1, None),
        (None, Some(g)) => (
            g.threshold_t,
            ThresholdSource::Table2,
            Some(g.symbol.clone()),
        ),
        (None, None) => {
            return Err(serr(
                "hazard_classes",
                "the substance is not in GB 18218-2018 Table 1: give its GHS hazard classes \
                 (Table 2 symbols such as W5.3, J5) to find Q (§4.1.2 b)",
            ));
        }
    };
    let (beta, beta_source, beta_class) = match entry.and_then(|e| e.table3_beta) {
        Some(b) => (b, BetaSource::Table3, None),
        None => {
            let chosen = match rule {
                BetaRule::GoverningClass => governing,
                BetaRule::Max => classes.iter().copied().reduce(|best, c| {
                    if c.beta > best.beta
                        || (c.beta == best.beta && c.threshold_t < best.threshold_t)
                    {
                        c
                    } else {
                        best
                    }
                }),
            };
            let c = chosen.ok_or_else(|| {
                serr(
                    "hazard_classes",
                    "the substance is not in GB 18218-2018 Table 3: give its GHS hazard classes \
                     (Table 4 symbols such as W5.3, J5) to find β (§4.3.2)",
                )
            })?;
            (c.beta, BetaSource::Table4, Some(c.symbol.clone()))
        }
    };
    let ratio = spec
        .quantity_t
        .checked_div(threshold_t)
        .ok_or_else(overflow)?;
    let weighted_ratio = ratio.checked_mul(beta).ok_or_else(overflow)?;
    let cas = spec
        .cas
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .or_else(|| entry.and_then(|e| e.cas.first().cloned()));
    let name = match entry {
        Some(e) => Some(e.name.clone()),
        None => spec
            .name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
    };
    Ok(ResolvedSubstance {
        name,
        cas,
        table1_no: entry.map(|e| e.no),
        quantity_t: spec.quantity_t,
        threshold_t,
        threshold_source,
        threshold_class,
        beta,
        beta_source,
        beta_class,
        ratio,
        weighted_ratio,
    })
}

/// The identification and grading of one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Each substance, in input order.
    pub substances: Vec<ResolvedSubstance>,
    /// S = Σ q/Q (§4.2.1 formula (1)).
    pub s: Ratio,
    /// S ≥ 1.
    pub is_major: bool,
    /// α (Table 5).
    pub alpha: Ratio,
    /// Σ β·q/Q.
    pub weighted_sum: Ratio,
    /// R = α · Σ β·q/Q (§4.3.2 formula (2)); `None` when not a major hazard installation.
    pub r: Option<Ratio>,
    /// Grade (Table 6); `None` when not a major hazard installation.
    pub grade: Option<Grade>,
}

/// An error in [`assess`]: `field` is the full path, e.g. `substances[1].quantity_t`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AssessError {
    /// The path of the field at fault.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Identifies (§4.2) and grades (§4.3) one 生产单元 or 储存单元 holding `substances` (quantities
/// in tonnes), with `exposed_population` people within 500 m of the plant boundary.
///
/// # Errors
/// [`AssessError`] naming `substances[i].<field>` for a substance that cannot be resolved (see
/// [`resolve_substance`]), or `substances` when the sums overflow exact arithmetic.
pub fn assess(
    substances: &[SubstanceSpec],
    exposed_population: u64,
    rule: BetaRule,
) -> Result<Assessment, AssessError> {
    let mut resolved = Vec::with_capacity(substances.len());
    let mut s = Ratio::ZERO;
    let mut weighted_sum = Ratio::ZERO;
    let too_big = || AssessError {
        field: "substances".into(),
        message: "the quantities are too large to compute exactly".into(),
    };
    for (i, spec) in substances.iter().enumerate() {
        let r = resolve_substance(spec, rule).map_err(|e| AssessError {
            field: format!("substances[{i}].{}", e.field),
            message: e.message,
        })?;
        s = s.checked_add(r.ratio).ok_or_else(too_big)?;
        weighted_sum = weighted_sum
            .checked_add(r.weighted_ratio)
            .ok_or_else(too_big)?;
        resolved.push(r);
    }
    let alpha = alpha(exposed_population);
    let major = is_major(s);
    let r = if major {
        Some(alpha.checked_mul(weighted_sum).ok_or_else(too_big)?)
    } else {
        None
    };
    Ok(Assessment {
        substances: resolved,
        s,
        is_major: major,
        alpha,
        weighted_sum,
        r,
        grade: r.map(grade_of),
    })
}

// ---------------------------------------------------------------------------------------------
// Calculation topic `major-hazard`
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalcInput {
    substances: Vec<CalcSubstance>,
    exposed_population: u64,
    #[serde(default)]
    beta_rule: BetaRule,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalcSubstance {
    name: Option<String>,
    cas: Option<String>,
    variant: Option<u32>,
    #[serde(default)]
    hazard_classes: Vec<String>,
    quantity_t: f64,
}

#[derive(Serialize)]
struct CalcOutput {
    s: Ratio,
    s_exact: String,
    is_major: bool,
    alpha: Ratio,
    weighted_sum: Ratio,
    r: Option<Ratio>,
    r_exact: Option<String>,
    grade: Option<u8>,
    grade_label: Option<&'static str>,
    beta_rule: BetaRule,
    substances: Vec<ResolvedSubstance>,
}

/// The most decimal places accepted in `quantity_t` (1 g).
const MAX_QUANTITY_DECIMALS: usize = 6;

/// Calculation topic `major-hazard` (see `docs/calc.md` (section `major-hazard`)): GB 18218-2018
/// identification (S) and grading (R, α, grade) of one unit. Quantities in tonnes.
///
/// # Errors
/// [`CalcError`] naming the field, e.g. `substances[1].quantity_t` (negative, not finite, more
/// than 6 decimals or above 10^9 t), `substances[0].variant` (ambiguous Table 1 row, listing the
/// variants), `substances[0].hazard_classes`, or an unknown field.
pub fn calc(input: &Value) -> Result<Value, CalcError> {
    let input: CalcInput = parse(input)?;
    let mut specs = Vec::with_capacity(input.substances.len());
    for (i, s) in input.substances.into_iter().enumerate() {
        let field = format!("substances[{i}].quantity_t");
        let q = s.quantity_t;
        if !q.is_finite() || q < 0.0 {
            return Err(CalcError::new(field, "must be a number ≥ 0 (tonnes)"));
        }
        let text = format!("{q}");
        if text.split_once('.').map_or(0, |(_, f)| f.len()) > MAX_QUANTITY_DECIMALS {
            return Err(CalcError::new(
                field,
                "at most 6 decimal places (1 g) are accepted",
            ));
        }
        let quantity_t = Ratio::from_f64(q)
            .ok_or_else(|| CalcError::new(field, "must be at most 1000000000 t"))?;
        specs.push(SubstanceSpec {
            name: s.name,
            cas: s.cas,
            variant: s.variant,
            hazard_classes: s.hazard_classes,
            quantity_t,
        });
    }
    let a = assess(&specs, input.exposed_population, input.beta_rule)
        .map_err(|e| CalcError::new(e.field, e.message))?;
    Ok(to_value(&CalcOutput {
        s: a.s,
        s_exact: a.s.to_string(),
        is_major: a.is_major,
        alpha: a.alpha,
        weighted_sum: a.weighted_sum,
        r: a.r,
        r_exact: a.r.map(|r| r.to_string()),
        grade: a.grade.map(Grade::number),
        grade_label: a.grade.map(Grade::label),
        beta_rule: input.beta_rule,
        substances: a.substances,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    fn r(s: &str) -> Ratio {
        Ratio::parse_decimal(s).unwrap()
    }

    fn spec(name: &str, q: &str) -> SubstanceSpec {
        SubstanceSpec {
            name: Some(name.into()),
            quantity_t: r(q),
            ..Default::default()
        }
    }

    // --- data file ---------------------------------------------------------------------------

    #[test]
    fn data_file_parses_with_the_standards_row_counts() {
        let t = build_tables().expect("gb18218-2018.toml parses and validates");
        assert_eq!(t.table1.len(), 85);
        assert_eq!(t.hazard_classes.len(), 24);
        assert_eq!(t.table3.len(), 14);
        assert_eq!(t.alpha_bands.len(), 5);
        assert_eq!(t.grade_bands.len(), 4);
        // Rows without CAS in the standard: 13, 45, 74.
        let no_cas: Vec<u32> = t
            .table1
            .iter()
            .filter(|e| e.cas.is_empty())
            .map(|e| e.no)
            .collect();
        assert_eq!(no_cas, vec![13, 45, 74]);
        // Spot checks of Q (tonnes) against standards.md A1.
        assert_eq!(table1_entry(6).unwrap().threshold_t, r("0.3")); // 碳酰氯
        assert_eq!(table1_entry(30).unwrap().threshold_t, r("0.75")); // 异氰酸甲酯
        assert_eq!(table1_entry(46).unwrap().threshold_t, r("1000")); // 硝酸钾
        assert_eq!(table1_entry(65).unwrap().threshold_t, r("500")); // 甲醇
        assert_eq!(hazard_class("W5.4").unwrap().threshold_t, r("5000"));
        assert_eq!(hazard_class("w3").unwrap().threshold_t, r("150"));
        assert_eq!(hazard_class("J1").unwrap().beta, r("4"));
        assert_eq!(hazard_class("W2").unwrap().beta, r("1.5"));
    }

    #[test]
    fn every_cas_in_the_data_passes_the_check_digit() {
        let mut n = 0;
        for e in &tables().table1 {
            for c in &e.cas {
                assert!(cas_is_valid(c), "no. {}: {c}", e.no);
                n += 1;
            }
        }
        // 82 rows with CAS; rows 49 and 52 print 2 and 3 numbers.
        assert_eq!(n, 85);
    }

    #[test]
    fn cas_check_digit() {
        assert!(cas_is_valid("7732-18-5")); // water
        assert!(cas_is_valid("7664-41-7"));
        assert!(!cas_is_valid("7732-18-4"));
        assert!(!cas_is_valid("7732-185"));
        assert!(!cas_is_valid("1-18-5"));
        assert!(!cas_is_valid("12345678-18-5"));
        assert!(!cas_is_valid("7732-18-5 "));
        assert!(!cas_is_valid("7a32-18-5"));
    }

    #[test]
    fn table3_gases_link_to_their_table1_rows() {
        let beta = |no| table1_entry(no).unwrap().table3_beta;
        assert_eq!(beta(1), Some(r("2"))); // 氨
        assert_eq!(beta(11), Some(r("3"))); // 氯化氢
        assert_eq!(beta(12), Some(r("4"))); // 氯
        assert_eq!(beta(13), Some(r("2"))); // 煤气 (一氧化碳)
        assert_eq!(beta(20), Some(r("5"))); // 氟化氢
        assert_eq!(beta(25), Some(r("10"))); // 氰化氢
        assert_eq!(beta(30), Some(r("20"))); // 异氰酸甲酯
        assert_eq!(beta(65), None); // 甲醇
        for t in &tables().table3 {
            let e = table1_entry(t.table1_no).unwrap();
            assert!(
                e.name.starts_with(&t.name)
                    || e.aliases.contains(&t.name)
                    || e.lookup_names.contains(&t.name),
                "{} -> {}",
                t.name,
                e.name
            );
        }
    }

    // --- lookup ------------------------------------------------------------------------------

    #[test]
    fn every_table1_row_is_found_by_name_and_by_cas() {
        for e in &tables().table1 {
            let got = lookup_table1(Some(&e.name), None, None).unwrap().unwrap();
            assert_eq!(got.no, e.no, "{}", e.name);
            for c in &e.cas {
                let got = lookup_table1(None, Some(c), Some(e.no)).unwrap().unwrap();
                assert_eq!(got.no, e.no);
                match lookup_table1(None, Some(c), None) {
                    Ok(Some(got)) => {
                        assert_eq!(got.no, e.no);
                        assert!(!e.conditional);
                    }
                    Err(err) => {
                        assert_eq!(err.field, "variant");
                        assert!(err.message.contains(&format!("{} (", e.no)), "{err}");
                    }
                    Ok(None) => panic!("{c} not found"),
                }
            }
            for a in e.aliases.iter().chain(&e.lookup_names) {
                let got = lookup_table1(Some(a), None, Some(e.no)).unwrap().unwrap();
                assert_eq!(got.no, e.no);
            }
        }
    }

    #[test]
    fn the_only_shared_names_are_the_conditional_families() {
        let mut names: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for e in &tables().table1 {
            let mut own: Vec<String> = std::iter::once(&e.name)
                .chain(&e.aliases)
                .chain(&e.lookup_names)
                .map(|n| normalize_name(n))
                .collect();
            own.dedup();
            for n in own {
                names.entry(n).or_default().push(e.no);
            }
        }
        let shared: BTreeMap<String, Vec<u32>> =
            names.into_iter().filter(|(_, v)| v.len() > 1).collect();
        let expected: BTreeMap<String, Vec<u32>> = [
            ("硝化棉", vec![37, 38, 39, 40, 41]),
            ("硝化纤维素", vec![37, 38, 39, 40, 41]),
            ("硝酸铵", vec![43, 44]),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(shared, expected);
    }

    #[test]
    fn ambiguous_cas_lists_the_variants() {
        let e = lookup_table1(None, Some("9004-70-0"), None).unwrap_err();
        assert_eq!(e.field, "variant");
        for no in 37..=42 {
            assert!(e.message.contains(&format!("{no} (")), "{e}");
        }
        assert!(e.message.contains("or 0 if none"));
        let got = lookup_table1(Some("硝化棉"), Some("9004-70-0"), Some(39));
        assert_eq!(got.unwrap().unwrap().threshold_t, r("10"));
        let e = lookup_table1(Some("硝化棉"), None, Some(42)).unwrap_err();
        assert_eq!(e.field, "variant");
        let e = lookup_table1(Some("硝酸铵"), None, None).unwrap_err();
        assert!(e.message.contains("43 (") && e.message.contains("44 ("));
        let got = lookup_table1(Some("硝酸铵"), Some("6484-52-2"), Some(44));
        assert_eq!(got.unwrap().unwrap().threshold_t, r("50"));
    }

    #[test]
    fn conditional_rows_need_the_condition() {
        assert_eq!(
            lookup_table1(Some("甲醛"), None, None).unwrap_err().field,
            "variant"
        );
        assert_eq!(
            lookup_table1(None, Some("50-00-0"), None)
                .unwrap_err()
                .field,
            "variant"
        );
        assert_eq!(
            lookup_table1(Some("甲醛"), None, Some(8))
                .unwrap()
                .unwrap()
                .no,
            8
        );
        assert_eq!(lookup_table1(Some("甲醛"), None, Some(0)).unwrap(), None);
        // The printed name with its condition (half-width forms too) selects the row.
        assert_eq!(
            lookup_table1(Some("甲醛(含量>90%)"), None, None)
                .unwrap()
                .unwrap()
                .no,
            8
        );
        // An unconditional row cannot be opted out of.
        let e = lookup_table1(Some("甲醇"), None, Some(0)).unwrap_err();
        assert_eq!(e.field, "variant");
        assert!(e.message.contains("§4.1.2"));
    }

    #[test]
    fn lookup_errors() {
        assert_eq!(lookup_table1(None, None, None).unwrap_err().field, "name");
        assert_eq!(
            lookup_table1(None, Some("67-56-2"), None)
                .unwrap_err()
                .field,
            "cas"
        );
        // Name 甲醇 (67-56-1) with the CAS of 乙醇.
        assert_eq!(
            lookup_table1(Some("甲醇"), Some("64-17-5"), None)
                .unwrap_err()
                .field,
            "name"
        );
        // A free label with a Table 1 CAS uses the CAS.
        assert_eq!(
            lookup_table1(Some("工业甲醇"), Some("67-56-1"), None)
                .unwrap()
                .unwrap()
                .no,
            65
        );
        assert_eq!(lookup_table1(Some("某溶剂"), None, None).unwrap(), None);
        assert_eq!(
            lookup_table1(Some("某溶剂"), None, Some(3))
                .unwrap_err()
                .field,
            "variant"
        );
        assert_eq!(
            lookup_table1(Some("甲醇"), None, Some(64))
                .unwrap_err()
                .field,
            "variant"
        );
        // Aliases, short names, case and width.
        assert_eq!(
            lookup_table1(Some("tnt"), None, None).unwrap().unwrap().no,
            35
        );
        assert_eq!(
            lookup_table1(Some(" 液氨 "), None, None)
                .unwrap()
                .unwrap()
                .no,
            1
        );
        assert_eq!(
            lookup_table1(Some("丙烷"), None, None).unwrap().unwrap().no,
            52
        );
        assert_eq!(
            lookup_table1(None, Some("106-97-8"), None)
                .unwrap()
                .unwrap()
                .no,
            52
        );
        assert_eq!(
            lookup_table1(Some("一氧化碳"), None, None)
                .unwrap()
                .unwrap()
                .no,
            13
        );
    }

    // --- Table 5 and Table 6 edges -------------------------------------------------------------

    #[test]
    fn alpha_band_edges() {
        let cases = [
            (0, "0.5"),
            (1, "1"),
            (29, "1"),
            (30, "1.2"),
            (49, "1.2"),
            (50, "1.5"),
            (99, "1.5"),
            (100, "2"),
            (u64::MAX, "2"),
        ];
        for (n, a) in cases {
            assert_eq!(alpha(n), r(a), "{n} people");
        }
    }

    #[test]
    fn grade_band_edges() {
        let eps = Ratio::new(1, 1_000_000_000_000).unwrap();
        let below =
            |x: &str| Ratio::new(r(x).numer() * 1_000_000_000_000 - 1, 1_000_000_000_000).unwrap();
        assert_eq!(grade_of(r("100")), Grade::One);
        assert_eq!(grade_of(r("1000000")), Grade::One);
        assert_eq!(grade_of(below("100")), Grade::Two);
        assert_eq!(grade_of(r("50")), Grade::Two);
        assert_eq!(grade_of(below("50")), Grade::Three);
        assert_eq!(grade_of(r("10")), Grade::Three);
        assert_eq!(grade_of(below("10")), Grade::Four);
        assert_eq!(grade_of(eps), Grade::Four);
        assert_eq!(grade_of(Ratio::ZERO), Grade::Four);
        assert_eq!(Grade::One.label(), "一级");
        assert_eq!(Grade::Four.number(), 4);
    }

    #[test]
    fn s_exactly_one_is_major() {
        // 氯 Q = 5 t.
        assert!(
            assess(&[spec("氯", "5")], 0, BetaRule::Max)
                .unwrap()
                .is_major
        );
        let a = assess(&[spec("氯", "4.999999")], 0, BetaRule::Max).unwrap();
        assert!(!a.is_major);
        assert_eq!(a.r, None);
        assert_eq!(a.grade, None);
        // 0.7 + 0.2 + 0.1 is exactly 1 (in f64 it is 0.9999999999999999).
        let a = assess(
            &[spec("氨", "7"), spec("氯", "1"), spec("硫化氢", "0.5")],
            0,
            BetaRule::Max,
        )
        .unwrap();
        assert_eq!(a.s, Ratio::ONE);
        assert!(a.is_major);
        let floats: f64 = [0.7f64, 0.2, 0.1].iter().sum();
        assert!(floats < 1.0, "f64 would miss the edge: {floats}");
        // 光气 Q = 0.3: 0.1 t is exactly 1/3.
        let a = assess(&[spec("光气", "0.1")], 0, BetaRule::Max).unwrap();
        assert_eq!(a.s, Ratio::new(1, 3).unwrap());
        assert!(is_major(Ratio::ONE));
        assert!(!is_major(Ratio::new(999_999, 1_000_000).unwrap()));
    }

    #[test]
    fn r_at_the_grade_edges() {
        // 氯: β = 4 (Table 3), Q = 5. α = 1 (1..29 people). R = 4·q/5.
        let grade = |q: &str| {
            let a = assess(&[spec("氯", q)], 10, BetaRule::Max).unwrap();
            (a.r.unwrap(), a.grade.unwrap())
        };
        assert_eq!(grade("125"), (r("100"), Grade::One));
        assert_eq!(grade("124.999999").1, Grade::Two);
        assert_eq!(grade("62.5"), (r("50"), Grade::Two));
        assert_eq!(grade("62.499999").1, Grade::Three);
        assert_eq!(grade("12.5"), (r("10"), Grade::Three));
        assert_eq!(grade("12.499999").1, Grade::Four);
        assert_eq!(grade("5"), (r("4"), Grade::Four));
    }

    // --- Q and β -------------------------------------------------------------------------------

    #[test]
    fn table2_takes_the_lowest_q_and_beta_rules_differ() {
        let mut s = spec("某混合物", "1");
        s.hazard_classes = vec!["W5.3".into(), "J5".into()];
        let x = resolve_substance(&s, BetaRule::Max).unwrap();
        assert_eq!(x.threshold_t, r("500"));
        assert_eq!(x.threshold_source, ThresholdSource::Table2);
        assert_eq!(x.threshold_class.as_deref(), Some("J5"));
        // W1.1: Q 1, β 2; J1: Q 5, β 4.
        s.hazard_classes = vec!["J1".into(), "W1.1".into()];
        let max = resolve_substance(&s, BetaRule::Max).unwrap();
        assert_eq!((max.threshold_t, max.beta), (r("1"), r("4")));
        assert_eq!(max.beta_class.as_deref(), Some("J1"));
        let gov = resolve_substance(&s, BetaRule::GoverningClass).unwrap();
        assert_eq!((gov.threshold_t, gov.beta), (r("1"), r("2")));
        assert_eq!(gov.beta_class.as_deref(), Some("W1.1"));
    }

    #[test]
    fn table1_wins_over_table2_and_table3_over_table4() {
        let mut s = spec("甲醇", "250");
        s.hazard_classes = vec!["W5.1".into()];
        let x = resolve_substance(&s, BetaRule::Max).unwrap();
        assert_eq!(x.threshold_t, r("500"));
        assert_eq!(x.threshold_source, ThresholdSource::Table1);
        assert_eq!((x.beta, x.beta_source), (r("1.5"), BetaSource::Table4));
        assert_eq!(x.ratio, r("0.5"));
        assert_eq!(x.weighted_ratio, r("0.75"));
        let mut s = spec("液氯", "1");
        s.hazard_classes = vec!["J1".into()];
        let x = resolve_substance(&s, BetaRule::Max).unwrap();
        assert_eq!((x.beta, x.beta_source), (r("4"), BetaSource::Table3));
        assert_eq!(x.beta_class, None);
    }

    #[test]
    fn missing_or_unknown_classes() {
        assert_eq!(
            resolve_substance(&spec("甲醇", "1"), BetaRule::Max)
                .unwrap_err()
                .field,
            "hazard_classes"
        );
        assert_eq!(
            resolve_substance(&spec("某物", "1"), BetaRule::Max)
                .unwrap_err()
                .field,
            "hazard_classes"
        );
        let mut s = spec("某物", "1");
        s.hazard_classes = vec!["W2".into(), "W99".into()];
        assert_eq!(
            resolve_substance(&s, BetaRule::Max).unwrap_err().field,
            "hazard_classes[1]"
        );
        let s = spec("氯", "1000000001");
        assert_eq!(
            resolve_substance(&s, BetaRule::Max).unwrap_err().field,
            "quantity_t"
        );
    }

    // --- exact arithmetic ------------------------------------------------------------------------

    #[test]
    fn ratio_arithmetic() {
        assert_eq!(Ratio::from_f64(0.1), Some(Ratio::new(1, 10).unwrap()));
        assert_eq!(Ratio::from_f64(-1.0), None);
        assert_eq!(Ratio::from_f64(f64::NAN), None);
        assert_eq!(Ratio::parse_decimal("1."), Some(Ratio::ONE));
        assert_eq!(Ratio::parse_decimal("."), None);
        assert_eq!(Ratio::parse_decimal("-1"), None);
        assert_eq!(Ratio::parse_decimal("1e3"), None);
        let a = Ratio::new(1, 3).unwrap();
        let b = Ratio::new(1, 6).unwrap();
        assert_eq!(a.checked_add(b), Some(Ratio::new(1, 2).unwrap()));
        assert_eq!(a.checked_mul(b), Some(Ratio::new(1, 18).unwrap()));
        assert_eq!(a.checked_div(b), Some(Ratio::from_integer(2)));
        assert_eq!(a.checked_div(Ratio::ZERO), None);
        assert!(a > b);
        assert!(Ratio::new(355, 113).unwrap() < Ratio::new(22, 7).unwrap());
        assert!(Ratio::new(2, 3).unwrap() < Ratio::new(3, 4).unwrap());
        assert_eq!(a.to_string(), "1/3");
        assert_eq!(Ratio::from_integer(7).to_string(), "7");
    }

    // --- calc topic ---------------------------------------------------------------------------

    #[test]
    fn calc_names_the_field() {
        let e = calc(&json!({"substances": [{"name": "氯", "quantity_t": 1}, {"name": "氨", "quantity_t": -1}], "exposed_population": 0})).unwrap_err();
        assert_eq!(e.field, "substances[1].quantity_t");
        let e = calc(&json!({"substances": [{"name": "氯", "quantity_t": 0.0000001}], "exposed_population": 0})).unwrap_err();
        assert_eq!(e.field, "substances[0].quantity_t");
        let e = calc(
            &json!({"substances": [{"name": "氯", "quantity_t": 1e30}], "exposed_population": 0}),
        )
        .unwrap_err();
        assert_eq!(e.field, "substances[0].quantity_t");
        let e = calc(&json!({"substances": [{"name": "氯", "q": 1}], "exposed_population": 0}))
            .unwrap_err();
        assert_eq!(e.field, "q");
        let e = calc(&json!({"substances": [], "exposed_population": -3})).unwrap_err();
        assert_eq!(e.field, "exposed_population");
        let e = calc(&json!({"substances": []})).unwrap_err();
        assert_eq!(e.field, "exposed_population");
        let e = calc(&json!({"substances": [{"cas": "9004-70-0", "quantity_t": 1}], "exposed_population": 0})).unwrap_err();
        assert_eq!(e.field, "substances[0].variant");
        let e = calc(
            &json!({"substances": [{"name": "甲醇", "quantity_t": 1}], "exposed_population": 0}),
        )
        .unwrap_err();
        assert_eq!(e.field, "substances[0].hazard_classes");
    }

    #[test]
    fn calc_output() {
        let v = calc(
            &json!({"substances": [{"name": "液氯", "quantity_t": 10}], "exposed_population": 120}),
        )
        .unwrap();
        assert_eq!(v["s"], json!(2.0));
        assert_eq!(v["is_major"], json!(true));
        assert_eq!(v["alpha"], json!(2.0));
        assert_eq!(v["r"], json!(16.0));
        assert_eq!(v["grade"], json!(3));
        assert_eq!(v["grade_label"], json!("三级"));
        assert_eq!(v["substances"][0]["threshold_source"], json!("table1"));
        assert_eq!(v["substances"][0]["beta_source"], json!("table3"));
        assert_eq!(v["substances"][0]["cas"], json!("7782-50-5"));
        let v = calc(&json!({"substances": [], "exposed_population": 0})).unwrap();
        assert_eq!(v["s"], json!(0.0));
        assert_eq!(v["r"], Value::Null);
        assert_eq!(v["grade"], Value::Null);
    }

    // --- properties --------------------------------------------------------------------------

    fn arb_unit() -> impl Strategy<Value = (Vec<SubstanceSpec>, u64)> {
        let n = tables().table1.len() as u32;
        let classes = tables().hazard_classes.len();
        let one = (1..=n, 0..classes, 0u64..50_000_000, any::<bool>()).prop_map(
            move |(no, c, milli, listed)| {
                let class = tables().hazard_classes[c].symbol.clone();
                SubstanceSpec {
                    name: Some(if listed {
                        table1_entry(no).unwrap().name.clone()
                    } else {
                        format!("unlisted {no}")
                    }),
                    cas: None,
                    variant: None,
                    hazard_classes: vec![class],
                    quantity_t: Ratio::new(milli as i128, 1000).unwrap(),
                }
            },
        );
        (prop::collection::vec(one, 1..8), 0u64..200)
    }

    proptest! {
        #[test]
        fn more_quantity_never_lowers_s_or_r(
            (unit, pop) in arb_unit(),
            pick in any::<prop::sample::Index>(),
            extra_milli in 0u64..10_000_000,
        ) {
            for rule in [BetaRule::Max, BetaRule::GoverningClass] {
                let before = assess(&unit, pop, rule).unwrap();
                let mut more = unit.clone();
                let i = pick.index(more.len());
                more[i].quantity_t = more[i]
                    .quantity_t
                    .checked_add(Ratio::new(extra_milli as i128, 1000).unwrap())
                    .unwrap();
                let after = assess(&more, pop, rule).unwrap();
                prop_assert!(after.s >= before.s);
                prop_assert!(after.weighted_sum >= before.weighted_sum);
                if before.is_major {
                    prop_assert!(after.is_major);
                    prop_assert!(after.r.unwrap() >= before.r.unwrap());
                    prop_assert!(after.grade.unwrap() <= before.grade.unwrap());
                }
            }
        }

        #[test]
        fn more_people_never_lower_alpha(a in any::<u64>(), b in any::<u64>()) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(alpha(hi) >= alpha(lo));
        }

        #[test]
        fn ratio_order_matches_cross_multiplication(
            a in 0i128..1_000_000, b in 1i128..1_000_000, c in 0i128..1_000_000, d in 1i128..1_000_000,
        ) {
            let x = Ratio::new(a, b).unwrap();
            let y = Ratio::new(c, d).unwrap();
            prop_assert_eq!(x.cmp(&y), (a * d).cmp(&(c * b)));
        }
    }
}
