//! GB 6441-86 and GB 6441-2025 accident classifications (`accident` types), side by side.
//!
//! Data: `crates/domain/data/gb6441.toml` (with sources). Historical records keep their scheme, so
//! every code carries its [`Scheme`]:
//! - GB 6441-86《企业职工伤亡事故分类》: 20 categories, codes `01`-`20` (SECONDARY per
//!   `shared/reference/standards.md` §A3).
//! - GB 6441-2025《生产安全事故分类与编码》 (in force 2026-07-01): §4.1.2 Table 1, 27 basic accident
//!   types; §5.2 code = `WSA` + mode digit + 4 digits; §5.3 basic types `WSA10001`-`WSA10026` and
//!   `WSA10099` (其他); §5.4 injury severity `WSA20001`-`WSA20004`; §5.5 industry `WSA3` + GB/T 4754
//!   code without the section letter (shape only, not tabulated here). VERIFIED.
//!
//! The 1986 → 2025 mapping follows the 2025 foreword (前言, 主要技术变化): renamed, split, deleted
//! and added types. 中毒和窒息 → 中毒 + 窒息 is inferred, not stated: flagged
//! `mapping_verified = false`.

use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::LazyLock;

const DATA: &str = include_str!("../../data/gb6441.toml");

/// The classification scheme a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Scheme {
    /// GB 6441-86 (codes `01`-`20`).
    #[serde(rename = "gb6441-1986")]
    Gb6441_1986,
    /// GB 6441-2025 (codes `WSA` + 5 digits).
    #[serde(rename = "gb6441-2025")]
    Gb6441_2025,
}

impl Scheme {
    /// The wire name (`gb6441-1986` / `gb6441-2025`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gb6441_1986 => "gb6441-1986",
            Self::Gb6441_2025 => "gb6441-2025",
        }
    }

    /// The scheme a code's shape belongs to: `WSA…` → 2025, two digits → 1986; else `None`.
    pub fn of_code(code: &str) -> Option<Self> {
        if code.starts_with("WSA") {
            Some(Self::Gb6441_2025)
        } else if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) {
            Some(Self::Gb6441_1986)
        } else {
            None
        }
    }

    /// Verification status of the scheme's data (standards.md §A3).
    pub fn status(self) -> &'static str {
        match self {
            Self::Gb6441_1986 => &TABLES.raw.scheme_1986_status,
            Self::Gb6441_2025 => &TABLES.raw.scheme_2025_status,
        }
    }
}

/// What a code classifies (GB 6441-2025 §5.2 "分类方式"; every 1986 code is an accident type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Basic accident type (1986 categories; 2025 mode 1, `WSA1…`).
    AccidentType,
    /// Injury severity (2025 mode 2, `WSA2…`).
    InjurySeverity,
}

/// How a type changed between GB 6441-86 and GB 6441-2025 (2025 foreword).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Same name in both schemes.
    Unchanged,
    /// Renamed (机械伤害 → 机械致害, 起重伤害 → 起重致害, 其他伤害 → 其他).
    Renamed,
    /// One 1986 category became two 2025 types (车辆伤害; 中毒和窒息, inferred).
    Split,
    /// 1986 category deleted in 2025, no counterpart.
    Deleted,
    /// 2025 type with no 1986 source (the foreword's 增加 list).
    Added,
}

/// One accident type or injury-severity class of either scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccidentType {
    /// Its scheme.
    pub scheme: Scheme,
    /// The code (`"08"`, `"WSA10009"`, `"WSA20003"`).
    pub code: String,
    /// 序号 in its table (1986: the code's number; 2025 其他 is 27).
    pub number: u32,
    /// Name in its table.
    pub name: String,
    /// Accident type or injury severity.
    pub kind: Kind,
    /// Change between the schemes (`None` for injury-severity classes).
    pub change: Option<Change>,
    /// Codes of the counterparts in the other scheme.
    pub counterparts: Vec<String>,
    /// `false` when the mapping to the counterparts is inferred (UNVERIFIED).
    pub mapping_verified: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw1986 {
    code: String,
    name: String,
    change: Change,
    maps_to: Vec<String>,
    #[serde(default = "yes")]
    mapping_verified: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw2025 {
    number: u32,
    code: String,
    name: String,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    scheme_1986_status: String,
    scheme_2025_status: String,
    category_1986: Vec<Raw1986>,
    type_2025: Vec<Raw2025>,
    injury_severity_2025: Vec<Raw2025>,
}

struct Tables {
    raw: Raw,
    y1986: Vec<AccidentType>,
    y2025: Vec<AccidentType>,
    severity: Vec<AccidentType>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let raw: Raw = toml::from_str(DATA).expect("gb6441.toml parses");
    let y1986 = raw
        .category_1986
        .iter()
        .map(|c| AccidentType {
            scheme: Scheme::Gb6441_1986,
            code: c.code.clone(),
            number: c.code.parse().unwrap_or(0),
            name: c.name.clone(),
            kind: Kind::AccidentType,
            change: Some(c.change),
            counterparts: c.maps_to.clone(),
            mapping_verified: c.mapping_verified,
        })
        .collect();
    let y2025 = raw
        .type_2025
        .iter()
        .map(|t| {
            let sources: Vec<&Raw1986> = raw
                .category_1986
                .iter()
                .filter(|c| c.maps_to.contains(&t.code))
                .collect();
            AccidentType {
                scheme: Scheme::Gb6441_2025,
                code: t.code.clone(),
                number: t.number,
                name: t.name.clone(),
                kind: Kind::AccidentType,
                change: Some(sources.first().map_or(Change::Added, |c| c.change)),
                counterparts: sources.iter().map(|c| c.code.clone()).collect(),
                mapping_verified: sources.iter().all(|c| c.mapping_verified),
            }
        })
        .collect();
    let severity = raw
        .injury_severity_2025
        .iter()
        .map(|t| AccidentType {
            scheme: Scheme::Gb6441_2025,
            code: t.code.clone(),
            number: t.number,
            name: t.name.clone(),
            kind: Kind::InjurySeverity,
            change: None,
            counterparts: Vec::new(),
            mapping_verified: true,
        })
        .collect();
    Tables {
        raw,
        y1986,
        y2025,
        severity,
    }
});

/// The basic accident types of `scheme`, in table order (20 for 1986, 27 for 2025).
pub fn types(scheme: Scheme) -> &'static [AccidentType] {
    match scheme {
        Scheme::Gb6441_1986 => &TABLES.y1986,
        Scheme::Gb6441_2025 => &TABLES.y2025,
    }
}

/// GB 6441-2025 §4.2 / §5.4 injury-severity classes, `WSA20001`-`WSA20004`.
pub fn injury_severities() -> &'static [AccidentType] {
    &TABLES.severity
}

/// The entry for `code` in `scheme` (exact match), if any.
pub fn lookup(scheme: Scheme, code: &str) -> Option<&'static AccidentType> {
    let in_types = types(scheme).iter().find(|t| t.code == code);
    match scheme {
        Scheme::Gb6441_1986 => in_types,
        Scheme::Gb6441_2025 => {
            in_types.or_else(|| injury_severities().iter().find(|t| t.code == code))
        }
    }
}

/// The entry's counterparts in the other scheme (empty for deleted, added and severity entries).
pub fn counterparts(entry: &AccidentType) -> Vec<&'static AccidentType> {
    let other = match entry.scheme {
        Scheme::Gb6441_1986 => Scheme::Gb6441_2025,
        Scheme::Gb6441_2025 => Scheme::Gb6441_1986,
    };
    entry
        .counterparts
        .iter()
        .filter_map(|c| lookup(other, c))
        .collect()
}

/// Accident types (and 2025 severity classes) whose name contains `keyword` (whitespace ignored),
/// 1986 first, then 2025; limited to `scheme` when given. An empty keyword matches nothing.
pub fn search(keyword: &str, scheme: Option<Scheme>) -> Vec<&'static AccidentType> {
    let k: String = keyword.chars().filter(|c| !c.is_whitespace()).collect();
    if k.is_empty() {
        return Vec::new();
    }
    types(Scheme::Gb6441_1986)
        .iter()
        .chain(types(Scheme::Gb6441_2025))
        .chain(injury_severities())
        .filter(|t| scheme.is_none_or(|s| s == t.scheme))
        .filter(|t| t.name.contains(&k))
        .collect()
}

/// Why a code is not a code of its scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassificationError {
    /// Wrong shape for the scheme.
    #[error("{code:?} is not a {} code: expected {expected}", .scheme.as_str())]
    BadShape {
        /// The scheme.
        scheme: Scheme,
        /// The code.
        code: String,
        /// The expected shape.
        expected: &'static str,
    },
    /// Right shape, not in the scheme's tables.
    #[error("{code} is not a {} code", .scheme.as_str())]
    Unknown {
        /// The scheme.
        scheme: Scheme,
        /// The code.
        code: String,
    },
    /// A well-shaped GB 6441-2025 §5.5 industry code (`WSA3` + GB/T 4754 code); not tabulated here.
    #[error(
        "{code} is a GB 6441-2025 industry code (GB/T 4754 code {industry_code}); industries are not tabulated here"
    )]
    Industry {
        /// The code.
        code: String,
        /// The 4 digits after `WSA3`.
        industry_code: String,
    },
}

const SHAPE_1986: &str = "two digits 01-20 (GB 6441-86)";
const SHAPE_2025: &str = "WSA + mode 1/2/3 + 4 digits, e.g. WSA10009 (GB 6441-2025 §5.2)";

/// Validates `code` as a code of `scheme`: shape first (1986: two ASCII digits; 2025: `WSA`, a
/// mode digit 1-3 and 4 ASCII digits, §5.2), then existence.
///
/// # Errors
/// [`ClassificationError::BadShape`], [`ClassificationError::Unknown`], or for a well-shaped
/// mode-3 code [`ClassificationError::Industry`].
pub fn validate(scheme: Scheme, code: &str) -> Result<&'static AccidentType, ClassificationError> {
    let bad = |expected| ClassificationError::BadShape {
        scheme,
        code: code.to_owned(),
        expected,
    };
    match scheme {
        Scheme::Gb6441_1986 => {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(SHAPE_1986));
            }
        }
        Scheme::Gb6441_2025 => {
            let digits = code.strip_prefix("WSA").unwrap_or("");
            if digits.len() != 5
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || !matches!(digits.as_bytes()[0], b'1'..=b'3')
            {
                return Err(bad(SHAPE_2025));
            }
            if let Some(industry) = digits.strip_prefix('3') {
                return Err(ClassificationError::Industry {
                    code: code.to_owned(),
                    industry_code: industry.to_owned(),
                });
            }
        }
    }
    lookup(scheme, code).ok_or_else(|| ClassificationError::Unknown {
        scheme,
        code: code.to_owned(),
    })
}

// ------------------------------------------------------------------------------------------
// Calculation topic `accident-classification`.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    scheme: Option<Scheme>,
    code: Option<String>,
    keyword: Option<String>,
}

#[derive(Debug, Serialize)]
struct Brief {
    scheme: Scheme,
    code: String,
    name: String,
}

#[derive(Debug, Serialize)]
struct EntryOut {
    scheme: Scheme,
    code: String,
    number: u32,
    name: String,
    kind: Kind,
    #[serde(skip_serializing_if = "Option::is_none")]
    change: Option<Change>,
    counterparts: Vec<Brief>,
    mapping_verified: bool,
    notes: Vec<String>,
}

fn entry_out(t: &AccidentType) -> EntryOut {
    let mut notes = Vec::new();
    match (t.scheme, t.change) {
        (_, Some(Change::Deleted)) => notes.push(
            "deleted in GB 6441-2025 (foreword); no counterpart: historical records keep the 1986 code"
                .to_owned(),
        ),
        (_, Some(Change::Added)) => {
            notes.push("added in GB 6441-2025 (foreword); no GB 6441-86 counterpart".to_owned())
        }
        (Scheme::Gb6441_1986, Some(Change::Split)) => notes.push(
            "split in GB 6441-2025: choose the counterpart from the accident's facts".to_owned(),
        ),
        _ => {}
    }
    if !t.mapping_verified {
        notes.push(
            "UNVERIFIED mapping: 中毒和窒息 -> 中毒 + 窒息 is inferred from the two tables; the GB 6441-2025 foreword does not state it"
                .to_owned(),
        );
    }
    if t.scheme == Scheme::Gb6441_1986 {
        notes.push(format!(
            "GB 6441-86 category list is {} (primary text not seen)",
            Scheme::Gb6441_1986.status()
        ));
    }
    EntryOut {
        scheme: t.scheme,
        code: t.code.clone(),
        number: t.number,
        name: t.name.clone(),
        kind: t.kind,
        change: t.change,
        counterparts: counterparts(t)
            .into_iter()
            .map(|c| Brief {
                scheme: c.scheme,
                code: c.code.clone(),
                name: c.name.clone(),
            })
            .collect(),
        mapping_verified: t.mapping_verified,
        notes,
    }
}

#[derive(Debug, Serialize)]
struct ListOut {
    scheme: Scheme,
    status: &'static str,
    count: usize,
    types: Vec<Brief>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    injury_severities: Vec<Brief>,
}

#[derive(Debug, Serialize)]
struct SearchOut {
    keyword: String,
    count: usize,
    matches: Vec<EntryOut>,
}

fn brief(t: &AccidentType) -> Brief {
    Brief {
        scheme: t.scheme,
        code: t.code.clone(),
        name: t.name.clone(),
    }
}

/// Calculation topic `accident-classification` (see `docs/calc.md` (section `accident-classification`)).
///
/// Input (`scheme` is `"gb6441-1986"` or `"gb6441-2025"`):
/// - `{"code", "scheme"?}` → the entry `{scheme, code, number, name, kind, change?, counterparts,
///   mapping_verified, notes}`; without `scheme` it is inferred from the code's shape.
/// - `{"keyword", "scheme"?}` → `{keyword, count, matches: [entry]}` (name substring).
/// - `{"scheme"}` alone → `{scheme, status, count, types, injury_severities?}`.
///
/// # Errors
/// [`CalcError`] on unknown fields, a bad scheme, both `code` and `keyword`, an empty input, an
/// empty keyword, or a code that is not in its scheme (`field` = `code`).
pub fn calc(input: &Value) -> Result<Value, CalcError> {
    let input: Input = parse(input)?;
    match (input.code, input.keyword, input.scheme) {
        (Some(_), Some(_), _) => Err(CalcError::new(
            "input",
            "give either code or keyword, not both",
        )),
        (Some(code), None, scheme) => {
            let scheme = scheme.or_else(|| Scheme::of_code(&code)).ok_or_else(|| {
                CalcError::new(
                    "code",
                    format!(
                        "{code:?} is not a GB 6441 code: expected {SHAPE_1986} or {SHAPE_2025}"
                    ),
                )
            })?;
            let t = validate(scheme, &code).map_err(|e| CalcError::new("code", e.to_string()))?;
            Ok(to_value(&entry_out(t)))
        }
        (None, Some(keyword), scheme) => {
            if keyword.trim().is_empty() {
                return Err(CalcError::new("keyword", "must not be empty"));
            }
            let matches: Vec<EntryOut> = search(&keyword, scheme)
                .into_iter()
                .map(entry_out)
                .collect();
            Ok(to_value(&SearchOut {
                keyword,
                count: matches.len(),
                matches,
            }))
        }
        (None, None, Some(scheme)) => {
            let types: Vec<Brief> = types(scheme).iter().map(brief).collect();
            let injury_severities = match scheme {
                Scheme::Gb6441_1986 => Vec::new(),
                Scheme::Gb6441_2025 => injury_severities().iter().map(brief).collect(),
            };
            Ok(to_value(&ListOut {
                scheme,
                status: scheme.status(),
                count: types.len(),
                types,
                injury_severities,
            }))
        }
        (None, None, None) => Err(CalcError::new("input", "give code, keyword or scheme")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    #[test]
    fn data_parses_and_is_consistent() {
        let y1986 = types(Scheme::Gb6441_1986);
        let y2025 = types(Scheme::Gb6441_2025);
        assert_eq!(y1986.len(), 20);
        assert_eq!(y2025.len(), 27);
        assert_eq!(injury_severities().len(), 4);
        let mut codes = HashSet::new();
        for (i, t) in y1986.iter().enumerate() {
            assert_eq!(t.code, format!("{:02}", i + 1));
            assert_eq!(t.number as usize, i + 1);
            assert!(codes.insert(t.code.clone()));
            validate(Scheme::Gb6441_1986, &t.code).unwrap();
            // Every mapping target exists; deleted categories have none.
            assert_eq!(t.change == Some(Change::Deleted), t.counterparts.is_empty());
            assert_eq!(counterparts(t).len(), t.counterparts.len());
        }
        let mut names = HashSet::new();
        for (i, t) in y2025.iter().enumerate() {
            let expected = if i == 26 { 99 } else { i + 1 };
            assert_eq!(t.code, format!("WSA1{expected:04}"));
            assert_eq!(t.number as usize, i + 1);
            assert!(codes.insert(t.code.clone()));
            assert!(names.insert(t.name.clone()));
            validate(Scheme::Gb6441_2025, &t.code).unwrap();
            assert_eq!(counterparts(t).len(), t.counterparts.len());
        }
        for (i, t) in injury_severities().iter().enumerate() {
            assert_eq!(t.code, format!("WSA2{:04}", i + 1));
            assert!(codes.insert(t.code.clone()));
        }
        // Foreword: 7 categories deleted, 12 types added.
        let deleted: Vec<_> = y1986
            .iter()
            .filter(|t| t.change == Some(Change::Deleted))
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            deleted,
            [
                "冒顶片帮",
                "透水",
                "放炮",
                "火药爆炸",
                "瓦斯爆炸",
                "锅炉爆炸",
                "其他爆炸"
            ]
        );
        let added = y2025
            .iter()
            .filter(|t| t.change == Some(Change::Added))
            .count();
        assert_eq!(added, 12);
        // "unchanged" means the same name on both sides; the mapping is symmetric.
        for t in y1986 {
            for c in counterparts(t) {
                assert!(c.counterparts.contains(&t.code));
                if t.change == Some(Change::Unchanged) {
                    assert_eq!(c.name, t.name);
                }
            }
        }
        // Only 中毒和窒息 is an inferred mapping.
        let unverified: Vec<_> = y1986
            .iter()
            .chain(y2025)
            .filter(|t| !t.mapping_verified)
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(unverified, ["19", "WSA10023", "WSA10024"]);
        assert_eq!(Scheme::Gb6441_1986.status(), "SECONDARY");
        assert_eq!(Scheme::Gb6441_2025.status(), "VERIFIED");
    }

    #[test]
    fn validation_edges() {
        use ClassificationError as E;
        let s86 = Scheme::Gb6441_1986;
        let s25 = Scheme::Gb6441_2025;
        assert_eq!(validate(s86, "01").unwrap().name, "物体打击");
        assert_eq!(validate(s86, "20").unwrap().name, "其他伤害");
        assert!(matches!(validate(s86, "00"), Err(E::Unknown { .. })));
        assert!(matches!(validate(s86, "21"), Err(E::Unknown { .. })));
        assert!(matches!(validate(s86, "1"), Err(E::BadShape { .. })));
        assert!(matches!(validate(s86, "001"), Err(E::BadShape { .. })));
        assert!(matches!(validate(s86, "WSA10001"), Err(E::BadShape { .. })));
        assert_eq!(validate(s25, "WSA10001").unwrap().name, "物体打击");
        assert_eq!(validate(s25, "WSA10026").unwrap().name, "泄漏");
        assert_eq!(validate(s25, "WSA10099").unwrap().name, "其他");
        assert!(matches!(validate(s25, "WSA10000"), Err(E::Unknown { .. })));
        assert!(matches!(validate(s25, "WSA10027"), Err(E::Unknown { .. })));
        assert!(matches!(validate(s25, "WSA10098"), Err(E::Unknown { .. })));
        assert_eq!(
            validate(s25, "WSA20004").unwrap().kind,
            Kind::InjurySeverity
        );
        assert!(matches!(validate(s25, "WSA20000"), Err(E::Unknown { .. })));
        assert!(matches!(validate(s25, "WSA20005"), Err(E::Unknown { .. })));
        assert_eq!(
            validate(s25, "WSA35523"),
            Err(E::Industry {
                code: "WSA35523".into(),
                industry_code: "5523".into()
            })
        );
        for bad in [
            "WSA40001",
            "WSA00001",
            "WSA1001",
            "WSA100001",
            "wsa10001",
            "WSB10001",
            "08",
        ] {
            assert!(
                matches!(validate(s25, bad), Err(E::BadShape { .. })),
                "{bad}"
            );
        }
        assert_eq!(Scheme::of_code("08"), Some(s86));
        assert_eq!(Scheme::of_code("WSA10009"), Some(s25));
        assert_eq!(Scheme::of_code("8"), None);
    }

    proptest::proptest! {
        #[test]
        fn validate_never_panics(code in "\\PC{0,10}") {
            for scheme in [Scheme::Gb6441_1986, Scheme::Gb6441_2025] {
                if let Ok(t) = validate(scheme, &code) {
                    proptest::prop_assert_eq!(&t.code, &code);
                    proptest::prop_assert_eq!(Scheme::of_code(&code), Some(scheme));
                }
            }
            let _ = calc(&json!({"code": code}));
        }
    }

    #[test]
    fn mapping_and_search() {
        let car = lookup(Scheme::Gb6441_1986, "02").unwrap();
        let names: Vec<_> = counterparts(car).iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["厂（场）内车辆致害", "道路（轨道）车辆致害"]);
        let gas = lookup(Scheme::Gb6441_2025, "WSA10016").unwrap();
        assert_eq!(gas.change, Some(Change::Added));
        assert!(counterparts(gas).is_empty());
        let other = lookup(Scheme::Gb6441_2025, "WSA10099").unwrap();
        assert_eq!(counterparts(other)[0].name, "其他伤害");
        let hits: Vec<_> = search("爆炸", Some(Scheme::Gb6441_1986))
            .iter()
            .map(|t| t.code.as_str())
            .collect();
        assert_eq!(hits, ["14", "15", "16", "17", "18"]);
        assert_eq!(search("爆炸", None).len(), 5 + 9);
        assert!(search(" ", None).is_empty());
    }

    #[test]
    fn calc_topic() {
        let v = calc(&json!({"code": "19"})).unwrap();
        assert_eq!(v["change"], "split");
        assert_eq!(v["mapping_verified"], false);
        assert_eq!(v["counterparts"].as_array().unwrap().len(), 2);
        let v = calc(&json!({"scheme": "gb6441-2025"})).unwrap();
        assert_eq!(v["count"], 27);
        assert_eq!(v["injury_severities"].as_array().unwrap().len(), 4);
        let v = calc(&json!({"scheme": "gb6441-1986"})).unwrap();
        assert_eq!(v["count"], 20);
        assert!(v.get("injury_severities").is_none());
        let v = calc(&json!({"keyword": "窒息"})).unwrap();
        assert_eq!(v["count"], 2);
        assert_eq!(calc(&json!({"code": "21"})).unwrap_err().field, "code");
        assert_eq!(calc(&json!({"code": "x"})).unwrap_err().field, "code");
        assert_eq!(
            calc(&json!({"scheme": "gb6441-1986", "code": "WSA10001"}))
                .unwrap_err()
                .field,
            "code"
        );
        assert_eq!(
            calc(&json!({"scheme": "1986"})).unwrap_err().field,
            "scheme"
        );
        assert_eq!(calc(&json!({})).unwrap_err().field, "input");
        assert_eq!(
            calc(&json!({"code": "01", "keyword": "x"}))
                .unwrap_err()
                .field,
            "input"
        );
        assert_eq!(calc(&json!({"keyword": ""})).unwrap_err().field, "keyword");
        assert_eq!(calc(&json!({"type": "01"})).unwrap_err().field, "type");
    }
}
