//! GB/T 13861-2022《生产过程危险和有害因素分类与代码》 hazardous and harmful factor codes
//! (`hazard_factor`).
//!
//! The whole of Table 1 is data in `crates/domain/data/gbt13861_2022.toml` (all four levels, 243
//! codes, with its source). Clause 4: the code is hierarchical, 6 digits in 4 levels — 大类 (1
//! digit), 中类 (1 digit), 小类 (2 digits), 细类 (2 digits); each level is written as its prefix,
//! so a code has 1, 2, 4 or 6 digits and its parent is the code two (or, for a 中类, one) digits
//! shorter. "99" (at 小类 or 细类 level) means 其他 (other).
//!
//! Flagged: code 45 is encoded with `verified = false` (absent from the 2022 table in the rendering
//! used; the name is the 2009 edition's — UNVERIFIED per `shared/reference/standards.md` §A5).

use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

const DATA: &str = include_str!("../../data/gbt13861_2022.toml");

/// The four levels of a GB/T 13861-2022 code (clause 4, figure 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 大类, 1 digit (1 人的因素, 2 物的因素, 3 环境因素, 4 管理因素).
    Category,
    /// 中类, 2 digits.
    Division,
    /// 小类, 4 digits.
    Group,
    /// 细类, 6 digits.
    Item,
}

impl Level {
    /// The level of a code of `len` digits (1, 2, 4 or 6), else `None`.
    pub fn from_len(len: usize) -> Option<Self> {
        match len {
            1 => Some(Self::Category),
            2 => Some(Self::Division),
            4 => Some(Self::Group),
            6 => Some(Self::Item),
            _ => None,
        }
    }

    /// 1-based level number.
    pub fn number(self) -> u8 {
        match self {
            Self::Category => 1,
            Self::Division => 2,
            Self::Group => 3,
            Self::Item => 4,
        }
    }

    /// The Chinese level name (大类, 中类, 小类, 细类).
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Category => "大类",
            Self::Division => "中类",
            Self::Group => "小类",
            Self::Item => "细类",
        }
    }
}

/// One code of GB/T 13861-2022 Table 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HazardFactor {
    /// The code: 1, 2, 4 or 6 ASCII digits.
    pub code: String,
    /// The name in Table 1.
    pub name: String,
    /// `false` for an UNVERIFIED entry (only code 45).
    #[serde(default = "yes")]
    pub verified: bool,
    /// Why an entry is flagged.
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

impl HazardFactor {
    /// The level, from the code's length.
    pub fn level(&self) -> Level {
        Level::from_len(self.code.len()).unwrap_or(Level::Item)
    }

    /// The parent code (`None` for a 大类).
    pub fn parent_code(&self) -> Option<&str> {
        parent_code(&self.code)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    standard: String,
    title: String,
    status: String,
    complete_levels: String,
    factor: Vec<HazardFactor>,
}

struct Catalogue {
    table: Table,
    by_code: HashMap<String, usize>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let table: Table = toml::from_str(DATA).expect("gbt13861_2022.toml parses");
    let by_code = table
        .factor
        .iter()
        .enumerate()
        .map(|(i, f)| (f.code.clone(), i))
        .collect();
    Catalogue { table, by_code }
});

/// Every code of Table 1, in table order.
pub fn all() -> &'static [HazardFactor] {
    &CATALOGUE.table.factor
}

/// The source standard and what part of the hierarchy the data covers.
pub fn source() -> (&'static str, &'static str, &'static str, &'static str) {
    let t = &CATALOGUE.table;
    (&t.standard, &t.title, &t.status, &t.complete_levels)
}

/// The code's entry, if `code` is in Table 1 (exact match, no trimming).
pub fn lookup(code: &str) -> Option<&'static HazardFactor> {
    CATALOGUE
        .by_code
        .get(code)
        .map(|&i| &CATALOGUE.table.factor[i])
}

/// The parent of a well-shaped code (`None` for a 1-digit 大类 or a badly shaped code).
/// Clause 4: 中类 → its 大类 digit; 小类 → its 2-digit 中类; 细类 → its 4-digit 小类.
pub fn parent_code(code: &str) -> Option<&str> {
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match code.len() {
        2 => Some(&code[..1]),
        4 => Some(&code[..2]),
        6 => Some(&code[..4]),
        _ => None,
    }
}

/// The ancestors of `code` from its 大类 down to its direct parent (empty for a 大类 or an unknown
/// code). Only codes present in the table are returned.
pub fn parents(code: &str) -> Vec<&'static HazardFactor> {
    let mut out = Vec::new();
    let mut cur = parent_code(code);
    while let Some(c) = cur {
        if let Some(f) = lookup(c) {
            out.push(f);
        }
        cur = parent_code(c);
    }
    out.reverse();
    out
}

/// The direct children of `code`, in table order.
pub fn children(code: &str) -> Vec<&'static HazardFactor> {
    all()
        .iter()
        .filter(|f| parent_code(&f.code) == Some(code))
        .collect()
}

/// Entries whose name contains `keyword` (after removing whitespace from both), in table order.
/// An empty keyword matches nothing.
pub fn search(keyword: &str) -> Vec<&'static HazardFactor> {
    let k = squash(keyword);
    if k.is_empty() {
        return Vec::new();
    }
    all()
        .iter()
        .filter(|f| squash(&f.name).contains(&k))
        .collect()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Why a code is not a GB/T 13861-2022 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HazardFactorError {
    /// The code is empty.
    #[error("code is empty")]
    Empty,
    /// A character other than an ASCII digit.
    #[error("code must contain only the digits 0-9")]
    NotDigits,
    /// Not 1, 2, 4 or 6 digits (clause 4: levels of 1, 1, 2 and 2 digits).
    #[error("code must have 1, 2, 4 or 6 digits (大类, 中类, 小类, 细类); found {0}")]
    BadLength(usize),
    /// Well shaped, but the 大类 digit is not 1-4 (clause 4: four 大类).
    #[error("大类 must be 1-4 (人的因素, 物的因素, 环境因素, 管理因素); found {0}")]
    BadCategory(char),
    /// Well shaped but not in Table 1; names the deepest ancestor that exists.
    #[error("code {code} is not in GB/T 13861-2022 Table 1{}", .deepest_existing_parent.as_ref().map(|p| format!(" (deepest existing parent: {p})")).unwrap_or_default())]
    Unknown {
        /// The code.
        code: String,
        /// The longest prefix of the code that is in the table.
        deepest_existing_parent: Option<String>,
    },
}

/// Checks the shape of `code` (digits only, 1/2/4/6 digits, 大类 1-4) without looking it up.
///
/// # Errors
/// [`HazardFactorError::Empty`], [`HazardFactorError::NotDigits`],
/// [`HazardFactorError::BadLength`] or [`HazardFactorError::BadCategory`].
pub fn check_shape(code: &str) -> Result<Level, HazardFactorError> {
    if code.is_empty() {
        return Err(HazardFactorError::Empty);
    }
    if !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HazardFactorError::NotDigits);
    }
    let level = Level::from_len(code.len()).ok_or(HazardFactorError::BadLength(code.len()))?;
    let first = code.chars().next().unwrap_or('0');
    if !('1'..='4').contains(&first) {
        return Err(HazardFactorError::BadCategory(first));
    }
    Ok(level)
}

/// Validates `code` (shape, then existence in Table 1) and returns its entry. The entry may be
/// flagged `verified = false` (code 45): callers should show that.
///
/// # Errors
/// A shape error from [`check_shape`], or [`HazardFactorError::Unknown`].
pub fn validate(code: &str) -> Result<&'static HazardFactor, HazardFactorError> {
    check_shape(code)?;
    lookup(code).ok_or_else(|| HazardFactorError::Unknown {
        code: code.to_owned(),
        deepest_existing_parent: parents(code).last().map(|f| f.code.clone()),
    })
}

// ------------------------------------------------------------------------------------------
// Calculation topic `hazard-factor`.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    code: Option<String>,
    keyword: Option<String>,
}

#[derive(Debug, Serialize)]
struct Brief {
    code: String,
    name: String,
    level: u8,
    verified: bool,
}

impl From<&HazardFactor> for Brief {
    fn from(f: &HazardFactor) -> Self {
        Self {
            code: f.code.clone(),
            name: f.name.clone(),
            level: f.level().number(),
            verified: f.verified,
        }
    }
}

#[derive(Debug, Serialize)]
struct CodeOutput {
    code: String,
    valid: bool,
    errors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    level_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<bool>,
    parents: Vec<Brief>,
    children: Vec<Brief>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct SearchOutput {
    keyword: String,
    count: usize,
    matches: Vec<Brief>,
}

/// Calculation topic `hazard-factor` (see `docs/calc.md` (section `hazard-factor`)).
///
/// Input: exactly one of `{"code": string}` or `{"keyword": string}`.
/// - `code` → `{code, valid, errors, name?, level?, level_name?, verified?, parents, children,
///   notes}`; an invalid code is not an error (`valid: false`, `errors` says why; `parents` lists
///   the existing ancestors).
/// - `keyword` → `{keyword, count, matches: [{code, name, level, verified}]}` (name substring).
///
/// # Errors
/// [`CalcError`] on unknown fields, wrong types, neither or both of `code` / `keyword`, or an
/// empty keyword.
pub fn calc(input: &Value) -> Result<Value, CalcError> {
    let input: Input = parse(input)?;
    match (input.code, input.keyword) {
        (Some(code), None) => Ok(to_value(&describe(&code))),
        (None, Some(keyword)) => {
            if squash(&keyword).is_empty() {
                return Err(CalcError::new("keyword", "must not be empty"));
            }
            let matches: Vec<Brief> = search(&keyword).into_iter().map(Brief::from).collect();
            Ok(to_value(&SearchOutput {
                keyword,
                count: matches.len(),
                matches,
            }))
        }
        (Some(_), Some(_)) => Err(CalcError::new(
            "input",
            "give either code or keyword, not both",
        )),
        (None, None) => Err(CalcError::new("input", "give code or keyword")),
    }
}

fn describe(code: &str) -> CodeOutput {
    let mut out = CodeOutput {
        code: code.to_owned(),
        valid: false,
        errors: Vec::new(),
        name: None,
        level: None,
        level_name: None,
        verified: None,
        parents: Vec::new(),
        children: Vec::new(),
        notes: Vec::new(),
    };
    match validate(code) {
        Ok(f) => {
            out.valid = true;
            out.name = Some(f.name.clone());
            out.level = Some(f.level().number());
            out.level_name = Some(f.level().name_zh());
            out.verified = Some(f.verified);
            out.parents = parents(code).into_iter().map(Brief::from).collect();
            out.children = children(code).into_iter().map(Brief::from).collect();
            if let Some(n) = &f.note {
                out.notes.push(n.clone());
            }
        }
        Err(e) => {
            if matches!(e, HazardFactorError::Unknown { .. }) {
                out.parents = parents(code).into_iter().map(Brief::from).collect();
            }
            out.errors.push(e.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    #[test]
    fn data_parses_and_is_consistent() {
        let all = all();
        assert_eq!(all.len(), 243);
        let mut seen = HashSet::new();
        for f in all {
            assert!(seen.insert(f.code.as_str()), "duplicate {}", f.code);
            check_shape(&f.code).unwrap_or_else(|e| panic!("{}: {e}", f.code));
            assert!(!f.name.trim().is_empty());
            assert!(!f.name.contains(char::is_whitespace), "{}", f.name);
            assert!(!f.name.contains("您"), "OCR artefact in {}", f.name);
            if let Some(p) = f.parent_code() {
                assert!(lookup(p).is_some(), "parent of {} missing", f.code);
                // Table order: a parent comes before its children.
                assert!(CATALOGUE.by_code[p] < CATALOGUE.by_code[&f.code]);
            }
            assert_eq!(f.verified, f.code != "45", "{}", f.code);
            assert_eq!(f.note.is_some(), !f.verified);
        }
        let count = |l: Level| all.iter().filter(|f| f.level() == l).count();
        assert_eq!(count(Level::Category), 4);
        assert_eq!(count(Level::Division), 16);
        assert_eq!(
            count(Level::Category)
                + count(Level::Division)
                + count(Level::Group)
                + count(Level::Item),
            243
        );
        let (std, _, status, complete) = source();
        assert_eq!(std, "GB/T 13861-2022");
        assert_eq!(status, "VERIFIED");
        assert!(complete.starts_with("1-4"));
    }

    #[test]
    fn spot_checks_against_the_standard() {
        assert_eq!(lookup("2115").unwrap().name, "信息系统缺陷");
        assert_eq!(lookup("1102").unwrap().name, "健康状况异常");
        assert_eq!(
            lookup("220208").unwrap().name,
            "特异性靶器官系统毒性—一次接触"
        );
        assert_eq!(lookup("3999").unwrap().name, "以上未包括的其他作业环境不良");
        assert_eq!(children("22").len(), 3);
        assert_eq!(children("2201").len(), 16);
        assert_eq!(children("2202").len(), 10);
        assert_eq!(children("31").len(), 15);
        assert_eq!(children("32").len(), 19);
        assert_eq!(children("33").len(), 9);
        assert_eq!(children("46").len(), 7);
        assert_eq!(children("4").len(), 7);
        assert!(children("1103").is_empty());
    }

    #[test]
    fn validation_at_the_edges_of_each_level() {
        // 大类: 1-4 exist; 0 and 5 are out of range.
        assert_eq!(validate("1").unwrap().name, "人的因素");
        assert_eq!(validate("4").unwrap().name, "管理因素");
        assert_eq!(validate("0"), Err(HazardFactorError::BadCategory('0')));
        assert_eq!(validate("5"), Err(HazardFactorError::BadCategory('5')));
        // 中类: 11, 12 exist under 1; 13 does not; 39 and 49 are the "other" 中类.
        assert!(validate("12").is_ok());
        assert!(validate("39").is_ok());
        assert!(validate("49").is_ok());
        let e = validate("13").unwrap_err();
        assert_eq!(
            e,
            HazardFactorError::Unknown {
                code: "13".into(),
                deepest_existing_parent: Some("1".into())
            }
        );
        assert!(matches!(
            validate("34"),
            Err(HazardFactorError::Unknown { .. })
        ));
        assert!(matches!(
            validate("10"),
            Err(HazardFactorError::Unknown { .. })
        ));
        // 45 exists but is flagged.
        assert!(!validate("45").unwrap().verified);
        // 小类: 1105 exists, 1106 does not, 1199 exists, 1100 does not.
        assert!(validate("1105").is_ok());
        assert!(validate("1199").is_ok());
        assert!(matches!(
            validate("1106"),
            Err(HazardFactorError::Unknown { .. })
        ));
        assert!(matches!(
            validate("1100"),
            Err(HazardFactorError::Unknown { .. })
        ));
        assert!(validate("3218").is_ok());
        assert!(matches!(
            validate("3219"),
            Err(HazardFactorError::Unknown { .. })
        ));
        // 细类: 110103 exists, 110104 does not; 211507 is the last of 2115; 2115 08 not.
        assert!(validate("110103").is_ok());
        assert!(validate("211507").is_ok());
        assert!(matches!(
            validate("110104"),
            Err(HazardFactorError::Unknown { .. })
        ));
        assert_eq!(
            validate("211508"),
            Err(HazardFactorError::Unknown {
                code: "211508".into(),
                deepest_existing_parent: Some("2115".into())
            })
        );
        // A 细类 under a leaf 小类.
        assert!(matches!(
            validate("110301"),
            Err(HazardFactorError::Unknown { .. })
        ));
        // Shapes.
        assert_eq!(validate(""), Err(HazardFactorError::Empty));
        assert_eq!(validate("123"), Err(HazardFactorError::BadLength(3)));
        assert_eq!(validate("12345"), Err(HazardFactorError::BadLength(5)));
        assert_eq!(validate("1101011"), Err(HazardFactorError::BadLength(7)));
        assert_eq!(validate("11a1"), Err(HazardFactorError::NotDigits));
        assert_eq!(validate(" 11"), Err(HazardFactorError::NotDigits));
        assert_eq!(validate("１１"), Err(HazardFactorError::NotDigits));
    }

    #[test]
    fn parents_children_and_search() {
        let p: Vec<_> = parents("210805").iter().map(|f| f.code.as_str()).collect();
        assert_eq!(p, ["2", "21", "2108"]);
        assert!(parents("1").is_empty());
        let c: Vec<_> = children("1").iter().map(|f| f.code.as_str()).collect();
        assert_eq!(c, ["11", "12"]);
        let s: Vec<_> = search("噪声").iter().map(|f| f.code.as_str()).collect();
        assert_eq!(s, ["2104", "210401", "210402", "210403", "210499"]);
        assert!(search("").is_empty());
        assert!(search("  ").is_empty());
        assert!(search("不存在的因素").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn validate_never_panics_and_agrees_with_lookup(code in "\\PC{0,8}") {
            match validate(&code) {
                Ok(f) => proptest::prop_assert_eq!(&f.code, &code),
                Err(_) => proptest::prop_assert!(lookup(&code).is_none() || check_shape(&code).is_err()),
            }
            let _ = (parents(&code), children(&code), search(&code));
        }

        #[test]
        fn digit_codes_either_exist_or_name_an_existing_parent(code in "[1-4][0-9]{0,5}") {
            match validate(&code) {
                Ok(f) => proptest::prop_assert_eq!(&f.code, &code),
                Err(HazardFactorError::Unknown { deepest_existing_parent: Some(p), .. }) => {
                    proptest::prop_assert!(code.starts_with(&p) && lookup(&p).is_some());
                }
                // Lengths 3 and 5 are bad shapes; every 大类 1-4 exists.
                Err(e) => proptest::prop_assert!(
                    matches!(e, HazardFactorError::BadLength(3 | 5)),
                    "{e}"
                ),
            }
        }
    }

    #[test]
    fn non_ascii_input_is_safe() {
        assert_eq!(parent_code("é"), None);
        assert!(parents("é1").is_empty());
        assert_eq!(validate("é"), Err(HazardFactorError::NotDigits));
    }

    #[test]
    fn calc_topic() {
        let v = calc(&json!({"code": "2104"})).unwrap();
        assert_eq!(v["valid"], true);
        assert_eq!(v["parents"][1]["code"], "21");
        assert_eq!(v["children"].as_array().unwrap().len(), 4);
        let v = calc(&json!({"code": "99"})).unwrap();
        assert_eq!(v["valid"], false);
        let v = calc(&json!({"code": "45"})).unwrap();
        assert_eq!(v["verified"], false);
        assert_eq!(v["notes"].as_array().unwrap().len(), 1);
        let v = calc(&json!({"keyword": "标志"})).unwrap();
        assert_eq!(v["count"], 8);
        assert_eq!(calc(&json!({})).unwrap_err().field, "input");
        assert_eq!(
            calc(&json!({"code": "1", "keyword": "x"}))
                .unwrap_err()
                .field,
            "input"
        );
        assert_eq!(calc(&json!({"keyword": " "})).unwrap_err().field, "keyword");
        assert_eq!(calc(&json!({"code": 1})).unwrap_err().field, "code");
        assert_eq!(calc(&json!({"cod": "1"})).unwrap_err().field, "cod");
    }
}
