//! Major accident hidden-danger criteria (重大事故隐患判定标准) as checklists: a `hidden_danger`
//! that matches an item of the applicable standard is graded major (重大事故隐患).
//!
//! Data: `crates/domain/data/major_hidden_danger.toml` (with sources), two standards:
//! - `chemical-2017`: 化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）,
//!   安监总管三〔2017〕121号 — all 20 items, VERIFIED (`shared/reference/standards.md` §A6).
//! - `industry-trade-2023`: 工贸企业重大事故隐患判定标准, 应急管理部令第10号 — only art. 3 (the 3
//!   general items), PARTLY VERIFIED: every item and the standard carry `verified = false`; the
//!   sector articles 4-10 and the special articles are not encoded.
//!
//! Each item carries keyword groups (our own screening aid, not part of the standards): a
//! description matches an item when it contains every term of one group. A keyword match proposes
//! a grading; an inspector confirms it against the item text.

use super::calc::{CalcError, parse, to_value};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::LazyLock;

const DATA: &str = include_str!("../../data/major_hidden_danger.toml");

/// The criteria standards encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum CriteriaStandard {
    /// 安监总管三〔2017〕121号, chemical and hazardous-chemical units (20 items).
    #[serde(rename = "chemical-2017")]
    Chemical2017,
    /// 应急管理部令第10号 (2023), industry and trade enterprises (art. 3 only).
    #[serde(rename = "industry-trade-2023")]
    IndustryTrade2023,
}

impl CriteriaStandard {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chemical2017 => "chemical-2017",
            Self::IndustryTrade2023 => "industry-trade-2023",
        }
    }
}

/// A standard's metadata (title, document number, status, source, what is encoded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardInfo {
    /// Which standard.
    pub id: CriteriaStandard,
    /// Title.
    pub title: String,
    /// Document number and dates.
    pub document: String,
    /// VERIFIED / PARTLY VERIFIED (standards.md §A6).
    pub status: String,
    /// `false` unless VERIFIED.
    pub verified: bool,
    /// Where the text was read.
    pub source: String,
    /// Units the standard applies to.
    pub scope: String,
    /// What part of the standard is encoded.
    pub complete: String,
}

/// One checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriteriaItem {
    /// Its standard.
    pub standard: CriteriaStandard,
    /// Item number within the standard (industry-trade-2023: item of art. 3).
    pub number: u32,
    /// Citation of the item.
    pub clause: String,
    /// The item, as published.
    pub text: String,
    /// Which units / installations the item concerns (summary).
    pub applies_to: String,
    /// Screening keywords: groups of terms, all terms of a group must occur.
    pub keywords: Vec<Vec<String>>,
    /// `false` when not VERIFIED.
    #[serde(default = "yes")]
    pub verified: bool,
}

fn yes() -> bool {
    true
}

impl CriteriaItem {
    /// The keyword groups of this item that `description` satisfies (whitespace ignored, ASCII
    /// case-insensitive).
    pub fn matching_groups(&self, description: &str) -> Vec<&[String]> {
        let d = normalise(description);
        self.keywords
            .iter()
            .filter(|g| !g.is_empty() && g.iter().all(|k| d.contains(&normalise(k))))
            .map(Vec::as_slice)
            .collect()
    }
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    standard: Vec<StandardInfo>,
    item: Vec<CriteriaItem>,
}

static DATASET: LazyLock<Data> =
    LazyLock::new(|| toml::from_str(DATA).expect("major_hidden_danger.toml parses"));

/// Metadata of `standard`.
pub fn standard_info(standard: CriteriaStandard) -> &'static StandardInfo {
    DATASET
        .standard
        .iter()
        .find(|s| s.id == standard)
        .expect("every standard has metadata (tested)")
}

/// The items of `standard`, in order.
pub fn items(standard: CriteriaStandard) -> Vec<&'static CriteriaItem> {
    DATASET
        .item
        .iter()
        .filter(|i| i.standard == standard)
        .collect()
}

/// Item `number` of `standard`, if it is encoded.
pub fn item(standard: CriteriaStandard, number: u32) -> Option<&'static CriteriaItem> {
    DATASET
        .item
        .iter()
        .find(|i| i.standard == standard && i.number == number)
}

/// Items of `standard` whose text, applicability or keywords contain `keyword` (whitespace
/// ignored). An empty keyword matches nothing.
pub fn search(standard: CriteriaStandard, keyword: &str) -> Vec<&'static CriteriaItem> {
    let k = normalise(keyword);
    if k.is_empty() {
        return Vec::new();
    }
    items(standard)
        .into_iter()
        .filter(|i| {
            normalise(&i.text).contains(&k)
                || normalise(&i.applies_to).contains(&k)
                || i.keywords
                    .iter()
                    .flatten()
                    .any(|w| normalise(w).contains(&k))
        })
        .collect()
}

/// Items of `standard` that a hidden-danger `description` matches (see
/// [`CriteriaItem::matching_groups`]). A non-empty result proposes grading the hidden danger as
/// major (重大事故隐患); it is a screening result to be confirmed against the item text.
pub fn match_description(
    standard: CriteriaStandard,
    description: &str,
) -> Vec<&'static CriteriaItem> {
    items(standard)
        .into_iter()
        .filter(|i| !i.matching_groups(description).is_empty())
        .collect()
}

// ------------------------------------------------------------------------------------------
// Calculation topic `major-hidden-danger`.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    #[serde(default)]
    standard: Option<CriteriaStandard>,
    item: Option<u32>,
    keyword: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Serialize)]
struct ItemOut {
    standard: CriteriaStandard,
    item: u32,
    clause: String,
    text: String,
    applies_to: String,
    verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched_keywords: Option<Vec<Vec<String>>>,
}

fn item_out(i: &CriteriaItem, description: Option<&str>) -> ItemOut {
    ItemOut {
        standard: i.standard,
        item: i.number,
        clause: i.clause.clone(),
        text: i.text.clone(),
        applies_to: i.applies_to.clone(),
        verified: i.verified,
        matched_keywords: description.map(|d| {
            i.matching_groups(d)
                .into_iter()
                .map(<[String]>::to_vec)
                .collect()
        }),
    }
}

#[derive(Debug, Serialize)]
struct ListOut {
    standard: CriteriaStandard,
    title: String,
    document: String,
    status: String,
    verified: bool,
    complete: String,
    count: usize,
    items: Vec<ItemOut>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct MatchOut {
    standard: CriteriaStandard,
    is_major: bool,
    grading: &'static str,
    count: usize,
    items: Vec<ItemOut>,
    notes: Vec<String>,
}

fn standard_notes(standard: CriteriaStandard) -> Vec<String> {
    let info = standard_info(standard);
    if info.verified {
        Vec::new()
    } else {
        vec![format!(
            "{}: {}; encoded: {}",
            info.status, info.source, info.complete
        )]
    }
}

/// Calculation topic `major-hidden-danger` (see `docs/calc.md` (section `major-hidden-danger`)).
///
/// Input: `standard` (`"chemical-2017"`, the default, or `"industry-trade-2023"`) and at most one
/// of:
/// - `item` (number) → the item `{standard, item, clause, text, applies_to, verified}`;
/// - `keyword` → `{standard, ..., count, items}` whose text, applicability or keywords contain it;
/// - `description` (a hidden danger) → `{standard, is_major, grading, count, items (with
///   matched_keywords), notes}`;
/// - none → the whole checklist of the standard.
///
/// # Errors
/// [`CalcError`] on unknown fields, an unknown standard, more than one of `item` / `keyword` /
/// `description`, an item number not encoded (`field` = `item`), or an empty keyword / description.
pub fn calc(input: &Value) -> Result<Value, CalcError> {
    let input: Input = parse(input)?;
    let standard = input.standard.unwrap_or(CriteriaStandard::Chemical2017);
    let given = [
        input.item.is_some(),
        input.keyword.is_some(),
        input.description.is_some(),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    if given > 1 {
        return Err(CalcError::new(
            "input",
            "give at most one of item, keyword, description",
        ));
    }
    let info = standard_info(standard);
    if let Some(n) = input.item {
        let count = items(standard).len();
        let i = item(standard, n).ok_or_else(|| {
            CalcError::new(
                "item",
                format!(
                    "{} has items 1-{count} encoded; found {n}",
                    standard.as_str()
                ),
            )
        })?;
        let mut v = to_value(&item_out(i, None));
        if !i.verified {
            v["notes"] = to_value(&standard_notes(standard));
        }
        return Ok(v);
    }
    if let Some(d) = input.description {
        if normalise(&d).is_empty() {
            return Err(CalcError::new("description", "must not be empty"));
        }
        let matched = match_description(standard, &d);
        let is_major = !matched.is_empty();
        let mut notes = standard_notes(standard);
        notes.push(
            "keyword matching is a screening aid: confirm the hidden danger against the item text"
                .to_owned(),
        );
        return Ok(to_value(&MatchOut {
            standard,
            is_major,
            grading: if is_major {
                "重大事故隐患"
            } else {
                "no major-hidden-danger item matched"
            },
            count: matched.len(),
            items: matched.into_iter().map(|i| item_out(i, Some(&d))).collect(),
            notes,
        }));
    }
    let list = match &input.keyword {
        Some(k) => {
            if normalise(k).is_empty() {
                return Err(CalcError::new("keyword", "must not be empty"));
            }
            search(standard, k)
        }
        None => items(standard),
    };
    Ok(to_value(&ListOut {
        standard,
        title: info.title.clone(),
        document: info.document.clone(),
        status: info.status.clone(),
        verified: info.verified,
        complete: info.complete.clone(),
        count: list.len(),
        items: list.into_iter().map(|i| item_out(i, None)).collect(),
        notes: standard_notes(standard),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashSet;

    const CHEM: CriteriaStandard = CriteriaStandard::Chemical2017;
    const TRADE: CriteriaStandard = CriteriaStandard::IndustryTrade2023;

    #[test]
    fn data_parses_and_is_consistent() {
        assert_eq!(DATASET.standard.len(), 2);
        let chem = items(CHEM);
        assert_eq!(chem.len(), 20);
        let trade = items(TRADE);
        assert_eq!(trade.len(), 3);
        for (list, std) in [(chem, CHEM), (trade, TRADE)] {
            let info = standard_info(std);
            let mut seen = HashSet::new();
            for (n, i) in list.iter().enumerate() {
                assert_eq!(i.number as usize, n + 1, "numbered 1..n in order");
                assert!(seen.insert(i.number));
                assert!(!i.text.is_empty() && !i.applies_to.is_empty());
                assert!(!i.keywords.is_empty());
                assert!(i.keywords.iter().all(|g| !g.is_empty()));
                assert!(
                    i.clause
                        .starts_with(info.document.split(' ').next().unwrap())
                );
                assert_eq!(i.verified, info.verified, "item flag follows the standard");
            }
        }
        assert!(standard_info(CHEM).verified);
        assert_eq!(standard_info(CHEM).status, "VERIFIED");
        assert!(!standard_info(TRADE).verified);
        assert_eq!(standard_info(TRADE).status, "PARTLY VERIFIED");
    }

    #[test]
    fn each_item_is_reachable_by_its_own_keywords() {
        for std in [CHEM, TRADE] {
            for i in items(std) {
                for g in &i.keywords {
                    let d = g.concat();
                    assert!(
                        match_description(std, &d)
                            .iter()
                            .any(|m| m.number == i.number),
                        "{} item {} group {g:?}",
                        std.as_str(),
                        i.number
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn matching_never_panics(d in "\\PC{0,40}") {
            let m = match_description(CHEM, &d);
            let v = calc(&json!({"description": d})).map(|v| v["is_major"] == true);
            if let Ok(is_major) = v {
                proptest::prop_assert_eq!(is_major, !m.is_empty());
            }
        }
    }

    #[test]
    fn lookup_and_matching() {
        assert_eq!(item(CHEM, 2).unwrap().text, "特种作业人员未持证上岗。");
        assert!(item(CHEM, 0).is_none());
        assert!(item(CHEM, 21).is_none());
        assert!(item(TRADE, 4).is_none());
        let m: Vec<_> = match_description(CHEM, "罐区 未设置 紧急切断阀")
            .iter()
            .map(|i| i.number)
            .collect();
        assert_eq!(m, [5]);
        let m: Vec<_> = match_description(CHEM, "动火作业未办理作业票")
            .iter()
            .map(|i| i.number)
            .collect();
        assert_eq!(m, [18]);
        assert!(match_description(CHEM, "车间地面有油污").is_empty());
        // ASCII case-insensitive.
        assert_eq!(match_description(CHEM, "DCS未配ups")[0].number, 14);
        let s: Vec<_> = search(CHEM, "液化烃").iter().map(|i| i.number).collect();
        assert_eq!(s, [6, 7]);
        assert!(search(CHEM, " ").is_empty());
    }

    #[test]
    fn calc_topic() {
        let v = calc(&json!({"item": 20})).unwrap();
        assert_eq!(v["item"], 20);
        assert!(v.get("notes").is_none());
        let v = calc(&json!({"standard": "industry-trade-2023", "item": 1})).unwrap();
        assert_eq!(v["verified"], false);
        assert_eq!(v["notes"].as_array().unwrap().len(), 1);
        let v = calc(&json!({"description": "特种作业人员无证上岗"})).unwrap();
        assert_eq!(v["is_major"], true);
        assert_eq!(v["items"][0]["item"], 2);
        let v = calc(&json!({"description": "楼梯扶手松动"})).unwrap();
        assert_eq!(v["is_major"], false);
        assert_eq!(v["count"], 0);
        let v = calc(&json!({})).unwrap();
        assert_eq!(v["count"], 20);
        let v = calc(&json!({"standard": "industry-trade-2023"})).unwrap();
        assert_eq!(v["count"], 3);
        assert_eq!(v["verified"], false);
        let v = calc(&json!({"keyword": "安全阀"})).unwrap();
        assert_eq!(v["count"], 1);
        assert_eq!(calc(&json!({"item": 21})).unwrap_err().field, "item");
        assert_eq!(calc(&json!({"item": -1})).unwrap_err().field, "item");
        assert_eq!(
            calc(&json!({"item": 1, "keyword": "x"})).unwrap_err().field,
            "input"
        );
        assert_eq!(calc(&json!({"keyword": ""})).unwrap_err().field, "keyword");
        assert_eq!(
            calc(&json!({"description": " "})).unwrap_err().field,
            "description"
        );
        assert_eq!(
            calc(&json!({"standard": "mining"})).unwrap_err().field,
            "standard"
        );
        assert_eq!(calc(&json!({"grade": 1})).unwrap_err().field, "grade");
    }
}
