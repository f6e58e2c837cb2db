//! Warning (预警) and emergency-response (应急响应) levels, their colours, and the matching
//! event grade.
//!
//! Sources (see `shared/reference/standards.md` § A10):
//! - 《中华人民共和国突发事件应对法》 (2024 revision, in force 2024-11-01): art. 3 grades events
//!   特别重大/重大/较大/一般; art. 63 sets warning levels 一级..四级 shown as 红/橙/黄/蓝, 一级
//!   highest; art. 71 sets response levels 一级..四级, 一级 highest. VERIFIED.
//! - 国家突发事件总体应急预案: same levels and colours; 特别重大 and 重大 events are in principle
//!   directed by the provincial level, 较大 by the city level and 一般 by the county level. VERIFIED.
//! - Roman numerals Ⅰ..Ⅳ (2006 plan, meteorological usage): SECONDARY.
//! - The one-to-one correspondence level ↔ grade (一级 ↔ 特别重大 ...) is the mapping
//!   recommended by standards.md; the law leaves response-level criteria to the State Council and
//!   each emergency plan (art. 71), so a plan may map differently.
//!
//! ## Layout
//! - [`WarningLevel`] (also used as [`ResponseLevel`]), [`WarningColour`], [`LeadLevel`].
//! - [`calc`] — the `warning-level` calculation topic.

use super::accident::AccidentGrade;
use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Warning level, 突发事件应对法 art. 63: 一级 (highest) .. 四级 (lowest).
///
/// The derived order follows the number: `Level1 < Level4`, i.e. a *smaller* value is *more*
/// serious.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningLevel {
    /// 一级, red, ↔ 特别重大.
    Level1,
    /// 二级, orange, ↔ 重大.
    Level2,
    /// 三级, yellow, ↔ 较大.
    Level3,
    /// 四级, blue, ↔ 一般.
    Level4,
}

/// Emergency-response level, 突发事件应对法 art. 71: the same four levels, 一级 highest.
pub type ResponseLevel = WarningLevel;

impl WarningLevel {
    /// All levels, most serious first.
    pub const ALL: [Self; 4] = [Self::Level1, Self::Level2, Self::Level3, Self::Level4];

    /// The level number, 1 (highest) to 4.
    pub const fn number(self) -> u8 {
        match self {
            Self::Level1 => 1,
            Self::Level2 => 2,
            Self::Level3 => 3,
            Self::Level4 => 4,
        }
    }

    /// The level for a number 1..=4, `None` otherwise.
    pub const fn from_number(n: u8) -> Option<Self> {
        match n {
            1 => Some(Self::Level1),
            2 => Some(Self::Level2),
            3 => Some(Self::Level3),
            4 => Some(Self::Level4),
            _ => None,
        }
    }

    /// Chinese name: 一级..四级.
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Level1 => "一级",
            Self::Level2 => "二级",
            Self::Level3 => "三级",
            Self::Level4 => "四级",
        }
    }

    /// Roman numeral Ⅰ..Ⅳ (SECONDARY: 2006 plan and meteorological usage).
    pub const fn roman(self) -> &'static str {
        match self {
            Self::Level1 => "Ⅰ",
            Self::Level2 => "Ⅱ",
            Self::Level3 => "Ⅲ",
            Self::Level4 => "Ⅳ",
        }
    }

    /// Warning colour, 突发事件应对法 art. 63: 一级 红, 二级 橙, 三级 黄, 四级 蓝.
    pub const fn colour(self) -> WarningColour {
        match self {
            Self::Level1 => WarningColour::Red,
            Self::Level2 => WarningColour::Orange,
            Self::Level3 => WarningColour::Yellow,
            Self::Level4 => WarningColour::Blue,
        }
    }

    /// The level shown in `colour` (inverse of [`Self::colour`]).
    pub const fn from_colour(colour: WarningColour) -> Self {
        match colour {
            WarningColour::Red => Self::Level1,
            WarningColour::Orange => Self::Level2,
            WarningColour::Yellow => Self::Level3,
            WarningColour::Blue => Self::Level4,
        }
    }

    /// The event grade of the recommended mapping (standards.md § A10): 一级 ↔ 特别重大,
    /// 二级 ↔ 重大, 三级 ↔ 较大, 四级 ↔ 一般.
    pub const fn grade(self) -> AccidentGrade {
        match self {
            Self::Level1 => AccidentGrade::EspeciallySerious,
            Self::Level2 => AccidentGrade::Serious,
            Self::Level3 => AccidentGrade::RelativelySerious,
            Self::Level4 => AccidentGrade::Ordinary,
        }
    }

    /// The level for an event grade (inverse of [`Self::grade`]).
    pub const fn from_grade(grade: AccidentGrade) -> Self {
        match grade {
            AccidentGrade::EspeciallySerious => Self::Level1,
            AccidentGrade::Serious => Self::Level2,
            AccidentGrade::RelativelySerious => Self::Level3,
            AccidentGrade::Ordinary => Self::Level4,
        }
    }

    /// Which government level directs the response, 国家突发事件总体应急预案: 特别重大 and 重大
    /// "in principle" the provincial level, 较大 the city level, 一般 the county level.
    pub const fn lead_level(self) -> LeadLevel {
        match self {
            Self::Level1 | Self::Level2 => LeadLevel::Province,
            Self::Level3 => LeadLevel::City,
            Self::Level4 => LeadLevel::County,
        }
    }
}

impl std::fmt::Display for WarningLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name_zh())
    }
}

/// Warning colour, 突发事件应对法 art. 63.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningColour {
    /// 红 (一级).
    Red,
    /// 橙 (二级).
    Orange,
    /// 黄 (三级).
    Yellow,
    /// 蓝 (四级).
    Blue,
}

impl WarningColour {
    /// Code: `red`, `orange`, `yellow`, `blue`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Orange => "orange",
            Self::Yellow => "yellow",
            Self::Blue => "blue",
        }
    }

    /// Chinese name as in art. 63: 红, 橙, 黄, 蓝.
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Red => "红",
            Self::Orange => "橙",
            Self::Yellow => "黄",
            Self::Blue => "蓝",
        }
    }

    /// Parses the code, its US spelling being the same, or the Chinese name with or without
    /// 色 (`红`, `红色`). Case-insensitive for the English codes.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let t = s.strip_suffix('色').unwrap_or(s);
        [Self::Red, Self::Orange, Self::Yellow, Self::Blue]
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(t) || c.name_zh() == t)
    }
}

/// The government level that directs an emergency response (国家突发事件总体应急预案).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadLevel {
    /// 省级 (in principle, for 特别重大 and 重大).
    Province,
    /// 市级.
    City,
    /// 县级.
    County,
}

impl LeadLevel {
    /// Code: `province`, `city`, `county`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }

    /// Chinese name: 省级, 市级, 县级.
    pub const fn name_zh(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    level: Option<u8>,
    #[serde(alias = "color")]
    colour: Option<String>,
    grade: Option<String>,
}

#[derive(Serialize)]
struct Output {
    level: u8,
    level_zh: &'static str,
    roman: &'static str,
    colour: &'static str,
    colour_zh: &'static str,
    grade: &'static str,
    grade_code: &'static str,
    response_level: u8,
    response_level_zh: &'static str,
    lead_level: &'static str,
    lead_level_zh: &'static str,
    clauses: Vec<&'static str>,
    notes: Vec<&'static str>,
}

/// The `warning-level` topic: one of a level, a colour or a grade in, all three out.
///
/// Input: exactly one of `level` (integer 1..=4), `colour` (alias `color`: `red`/`orange`/
/// `yellow`/`blue` or 红/橙/黄/蓝, optionally with 色) or `grade` (特别重大/重大/较大/一般 or
/// the codes of [`AccidentGrade::code`]).
///
/// Output: `level`, `level_zh`, `roman`, `colour`, `colour_zh`, `grade`, `grade_code`,
/// `response_level`, `response_level_zh`, `lead_level` (`province`/`city`/`county`),
/// `lead_level_zh`, `clauses` and `notes` (the status of the mapping).
///
/// # Errors
/// [`CalcError`] naming `level`, `colour` or `grade` when the value is not recognised; `input`
/// when none or more than one of them is given; the field for unknown or mistyped fields.
pub fn calc(input: &Value) -> Result<Value, CalcError> {
    let i: Input = parse(input)?;
    let given = [i.level.is_some(), i.colour.is_some(), i.grade.is_some()]
        .iter()
        .filter(|x| **x)
        .count();
    if given != 1 {
        return Err(CalcError::new(
            "input",
            "give exactly one of level, colour, grade",
        ));
    }
    let level = if let Some(n) = i.level {
        WarningLevel::from_number(n)
            .ok_or_else(|| CalcError::new("level", "must be 1, 2, 3 or 4 (1 is the highest)"))?
    } else if let Some(c) = &i.colour {
        WarningLevel::from_colour(WarningColour::parse(c).ok_or_else(|| {
            CalcError::new(
                "colour",
                "must be red, orange, yellow or blue (红/橙/黄/蓝)",
            )
        })?)
    } else {
        let g = i.grade.as_deref().unwrap_or_default();
        WarningLevel::from_grade(AccidentGrade::parse(g).ok_or_else(|| {
            CalcError::new(
                "grade",
                "must be 特别重大, 重大, 较大 or 一般 (or especially_serious, serious, relatively_serious, ordinary)",
            )
        })?)
    };
    Ok(to_value(&output(level)))
}

fn output(level: WarningLevel) -> Output {
    let grade = level.grade();
    let lead = level.lead_level();
    Output {
        level: level.number(),
        level_zh: level.name_zh(),
        roman: level.roman(),
        colour: level.colour().code(),
        colour_zh: level.colour().name_zh(),
        grade: grade.name_zh(),
        grade_code: grade.code(),
        response_level: level.number(),
        response_level_zh: level.name_zh(),
        lead_level: lead.code(),
        lead_level_zh: lead.name_zh(),
        clauses: vec![
            "突发事件应对法 (2024) art. 3 (grades), art. 63 (warning levels and colours), art. 71 (response levels)",
            "国家突发事件总体应急预案 (lead level)",
        ],
        notes: vec![
            "level <-> grade is the recommended one-to-one mapping; response-level criteria are set by the State Council and each emergency plan (art. 71), which may differ",
            "Roman numerals are SECONDARY (2006 plan and meteorological usage)",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trips() {
        for l in WarningLevel::ALL {
            assert_eq!(WarningLevel::from_number(l.number()), Some(l));
            assert_eq!(WarningLevel::from_colour(l.colour()), l);
            assert_eq!(WarningLevel::from_grade(l.grade()), l);
            assert_eq!(WarningColour::parse(l.colour().code()), Some(l.colour()));
            assert_eq!(WarningColour::parse(l.colour().name_zh()), Some(l.colour()));
        }
        assert_eq!(WarningLevel::from_number(0), None);
        assert_eq!(WarningLevel::from_number(5), None);
    }

    #[test]
    fn mapping_is_the_law() {
        use AccidentGrade::*;
        use WarningColour::*;
        let table = [
            (1, Red, EspeciallySerious, LeadLevel::Province),
            (2, Orange, Serious, LeadLevel::Province),
            (3, Yellow, RelativelySerious, LeadLevel::City),
            (4, Blue, Ordinary, LeadLevel::County),
        ];
        for (n, c, g, lead) in table {
            let l = WarningLevel::from_number(n).unwrap();
            assert_eq!(l.colour(), c);
            assert_eq!(l.grade(), g);
            assert_eq!(l.lead_level(), lead);
        }
        assert!(WarningLevel::Level1 < WarningLevel::Level4);
    }

    #[test]
    fn topic_accepts_each_form() {
        let a = calc(&json!({"level": 2})).unwrap();
        let b = calc(&json!({"colour": "橙色"})).unwrap();
        let c = calc(&json!({"color": "ORANGE"})).unwrap();
        let d = calc(&json!({"grade": "重大"})).unwrap();
        let e = calc(&json!({"grade": "serious"})).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a, d);
        assert_eq!(a, e);
        assert_eq!(a["colour"], "orange");
        assert_eq!(a["grade"], "重大");
    }

    #[test]
    fn topic_errors() {
        assert_eq!(calc(&json!({})).unwrap_err().field, "input");
        assert_eq!(
            calc(&json!({"level": 1, "grade": "一般"}))
                .unwrap_err()
                .field,
            "input"
        );
        assert_eq!(calc(&json!({"level": 5})).unwrap_err().field, "level");
        assert_eq!(calc(&json!({"level": -1})).unwrap_err().field, "level");
        assert_eq!(
            calc(&json!({"colour": "green"})).unwrap_err().field,
            "colour"
        );
        assert_eq!(calc(&json!({"grade": "大"})).unwrap_err().field, "grade");
        assert_eq!(calc(&json!({"lvl": 1})).unwrap_err().field, "lvl");
    }
}
