//! Identifier checks: citizen ID numbers (公民身份号码, GB 11643-1999) and the `uscc` calculation
//! topic for the unified social credit code (GB 32100-2015, implemented in [`crate::uscc`]).
//! Algorithms: `shared/reference/standards.md` §A7 (VERIFIED, recomputed).
//!
//! ## Layout
//! - [`citizen_id_check_character`], [`CitizenId`], [`check_citizen_id`] — GB 11643-1999.
//! - [`calc_uscc`], [`calc_citizen_id`] — the `uscc` and `citizen-id` topics.

use super::calc::{CalcError, parse, to_value};
use crate::uscc::{Uscc, UsccError, org_code_check_character};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// USCC topic
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CodeInput {
    code: String,
}

#[derive(Serialize)]
struct UsccOutput {
    valid: bool,
    errors: Vec<String>,
    warnings: Vec<String>,
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    registration_authority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    division_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organisation_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    check_character: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_check_character: Option<String>,
}

/// The warning for an embedded organisation code (USCC positions 9–17) whose own GB 11714 check
/// character is wrong (standards.md §A7: report it as a warning, never reject — codes issued
/// before the reform may fail it). `org` is the 9-character organisation code.
pub fn organisation_code_warning(org: &str) -> Option<String> {
    let chars: Vec<char> = org.chars().collect();
    if chars.len() != 9 {
        return None;
    }
    let first8: String = chars[..8].iter().collect();
    let expected = org_code_check_character(&first8)?;
    (expected != chars[8]).then(|| {
        format!(
            "organisation code check character (GB 11714) is wrong: expected {expected:?}, found {:?}; codes issued before the reform may fail this",
            chars[8]
        )
    })
}

/// The `uscc` topic: `{"code"}` → `valid`, `errors`, `warnings` and, when the code is well-formed
/// (18 characters of the GB 32100-2015 alphabet), its parts. Output documented in
/// `docs/calc.md` (section `uscc`).
///
/// # Errors
/// [`CalcError`] only when the input document is malformed (an invalid code is a result).
pub fn calc_uscc(input: &Value) -> Result<Value, CalcError> {
    let i: CodeInput = parse(input)?;
    let code = i.code.trim().to_uppercase();
    let mut out = UsccOutput {
        valid: false,
        errors: vec![],
        warnings: vec![],
        code: code.clone(),
        registration_authority: None,
        organisation_type: None,
        division_code: None,
        organisation_code: None,
        check_character: None,
        expected_check_character: None,
    };
    let parsed = Uscc::parse(&code);
    let well_formed = match &parsed {
        Ok(_) => true,
        Err(UsccError::CheckCharacter { .. }) => true,
        Err(e) => {
            out.errors.push(e.to_string());
            false
        }
    };
    if let Err(e @ UsccError::CheckCharacter { .. }) = &parsed {
        out.errors.push(e.to_string());
    }
    out.valid = parsed.is_ok();
    if well_formed {
        let chars: Vec<char> = code.chars().collect();
        let s = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        let first17 = s(0, 17);
        out.registration_authority = Some(s(0, 1));
        out.organisation_type = Some(s(1, 2));
        out.division_code = Some(s(2, 8));
        out.organisation_code = Some(s(8, 17));
        out.check_character = Some(s(17, 18));
        out.expected_check_character =
            crate::uscc::check_character(&first17).map(|c| c.to_string());
        out.warnings.extend(organisation_code_warning(&s(8, 17)));
    }
    Ok(to_value(&out))
}

// ---------------------------------------------------------------------------------------------
// Citizen ID (GB 11643-1999)
// ---------------------------------------------------------------------------------------------

/// Position weights `W_i = 2^(18−i) mod 11` for positions 1..=17 (GB 11643-1999; standards.md §A7).
pub const CITIZEN_ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for the first 17 digits of a citizen ID number: `(12 − Σ a_i·W_i mod 11)
/// mod 11`, 10 → `X` (GB 11643-1999, ISO 7064 MOD 11-2; standards.md §A7). `None` unless
/// `first17` is 17 ASCII digits.
pub fn citizen_id_check_character(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b
        .iter()
        .zip(CITIZEN_ID_WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match (12 - sum % 11) % 11 {
        10 => Some('X'),
        d => char::from_digit(d, 10),
    }
}

/// Province-level codes of GB/T 2260 (first two digits of the address code) with their names.
/// Not in standards.md: the well-known province list (34 entries incl. 71 台湾, 81 香港, 82 澳门);
/// the county-level table is not bundled, so only the province part is checked.
pub const PROVINCES: [(&str, &str); 34] = [
    ("11", "北京市"),
    ("12", "天津市"),
    ("13", "河北省"),
    ("14", "山西省"),
    ("15", "内蒙古自治区"),
    ("21", "辽宁省"),
    ("22", "吉林省"),
    ("23", "黑龙江省"),
    ("31", "上海市"),
    ("32", "江苏省"),
    ("33", "浙江省"),
    ("34", "安徽省"),
    ("35", "福建省"),
    ("36", "江西省"),
    ("37", "山东省"),
    ("41", "河南省"),
    ("42", "湖北省"),
    ("43", "湖南省"),
    ("44", "广东省"),
    ("45", "广西壮族自治区"),
    ("46", "海南省"),
    ("50", "重庆市"),
    ("51", "四川省"),
    ("52", "贵州省"),
    ("53", "云南省"),
    ("54", "西藏自治区"),
    ("61", "陕西省"),
    ("62", "甘肃省"),
    ("63", "青海省"),
    ("64", "宁夏回族自治区"),
    ("65", "新疆维吾尔自治区"),
    ("71", "台湾省"),
    ("81", "香港特别行政区"),
    ("82", "澳门特别行政区"),
];

/// The province name of a 6-digit address code, if its first two digits are a province code.
pub fn province_of(region_code: &str) -> Option<&'static str> {
    let p = region_code.get(..2)?;
    PROVINCES.iter().find(|(c, _)| *c == p).map(|(_, n)| *n)
}

/// Sex from the sequence code (GB 11643-1999: odd = male, even = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男: odd sequence code.
    Male,
    /// 女: even sequence code.
    Female,
}

impl Sex {
    /// 男 / 女.
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// Why a string is not a valid citizen ID number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    /// Not exactly 18 characters (the 15-digit first-generation numbers are not accepted).
    #[error("must be exactly 18 characters (got {0})")]
    Length(usize),
    /// Positions 1–17 must be digits, position 18 a digit or X.
    #[error(
        "character {found:?} at position {position} is not allowed (positions 1-17 are digits, 18 a digit or X)"
    )]
    Character {
        /// 1-based position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The first two digits are not a GB/T 2260 province code.
    #[error("region code {0} does not start with a GB/T 2260 province code")]
    Region(String),
    /// Positions 7–14 are not a real calendar date.
    #[error("birth date {0} is not a real calendar date")]
    BirthDate(String),
    /// The birth date is after `today`.
    #[error("birth date {birth} is after today ({today})")]
    FutureBirthDate {
        /// The birth date.
        birth: NaiveDate,
        /// The reference date.
        today: NaiveDate,
    },
    /// The check character does not match.
    #[error("check character is wrong: expected {expected:?}, found {found:?}")]
    CheckCharacter {
        /// What the first 17 digits require.
        expected: char,
        /// What the number has.
        found: char,
    },
}

/// A validated citizen ID number (upper case X).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CitizenId {
    code: String,
    birth_date: NaiveDate,
}

/// The full check of a citizen ID number: every error found (not just the first), and the parts
/// when the number is well-formed (18 characters, digits, last a digit or X).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenIdReport {
    /// The normalised number (trimmed, upper case).
    pub code: String,
    /// Every problem, in position order; empty when valid.
    pub errors: Vec<CitizenIdError>,
    /// Positions 1–6, the GB/T 2260 address code (when well-formed).
    pub region_code: Option<String>,
    /// The province of the address code.
    pub province: Option<&'static str>,
    /// Positions 7–14 as a date, when a real calendar date.
    pub birth_date: Option<NaiveDate>,
    /// Positions 15–17.
    pub sequence_code: Option<String>,
    /// From the sequence code's parity.
    pub sex: Option<Sex>,
    /// Position 18.
    pub check_character: Option<char>,
    /// What positions 1–17 require.
    pub expected_check_character: Option<char>,
}

/// Checks `code` against GB 11643-1999 (standards.md §A7): length 18, digits, province part of the
/// address code (GB/T 2260), a real birth date not after `today` (when given), and the check
/// character. Surrounding spaces are ignored and a lower-case `x` accepted.
pub fn check_citizen_id(code: &str, today: Option<NaiveDate>) -> CitizenIdReport {
    let code = code.trim().to_uppercase();
    let mut r = CitizenIdReport {
        code: code.clone(),
        errors: vec![],
        region_code: None,
        province: None,
        birth_date: None,
        sequence_code: None,
        sex: None,
        check_character: None,
        expected_check_character: None,
    };
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        r.errors.push(CitizenIdError::Length(chars.len()));
        return r;
    }
    for (i, c) in chars.iter().enumerate() {
        let ok = c.is_ascii_digit() || (i == 17 && *c == 'X');
        if !ok {
            r.errors.push(CitizenIdError::Character {
                position: i + 1,
                found: *c,
            });
            return r;
        }
    }
    let region = &code[..6];
    r.region_code = Some(region.to_owned());
    r.province = province_of(region);
    if r.province.is_none() {
        r.errors.push(CitizenIdError::Region(region.to_owned()));
    }
    let birth = &code[6..14];
    match NaiveDate::parse_from_str(birth, "%Y%m%d") {
        Ok(d) => {
            r.birth_date = Some(d);
            if let Some(t) = today
                && d > t
            {
                r.errors
                    .push(CitizenIdError::FutureBirthDate { birth: d, today: t });
            }
        }
        Err(_) => r.errors.push(CitizenIdError::BirthDate(birth.to_owned())),
    }
    let seq = &code[14..17];
    r.sequence_code = Some(seq.to_owned());
    r.sex = Some(if (seq.as_bytes()[2] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    });
    let expected = citizen_id_check_character(&code[..17]);
    r.check_character = Some(chars[17]);
    r.expected_check_character = expected;
    if let Some(e) = expected
        && e != chars[17]
    {
        r.errors.push(CitizenIdError::CheckCharacter {
            expected: e,
            found: chars[17],
        });
    }
    r
}

impl CitizenId {
    /// Validates `s` (see [`check_citizen_id`]); `today` bounds the birth date when given.
    ///
    /// # Errors
    /// The first [`CitizenIdError`] found.
    pub fn parse(s: &str, today: Option<NaiveDate>) -> Result<Self, CitizenIdError> {
        let r = check_citizen_id(s, today);
        match (r.errors.into_iter().next(), r.birth_date) {
            (Some(e), _) => Err(e),
            (None, Some(birth_date)) => Ok(Self {
                code: r.code,
                birth_date,
            }),
            (None, None) => Err(CitizenIdError::BirthDate(r.code)),
        }
    }

    /// The 18-character number.
    pub fn as_str(&self) -> &str {
        &self.code
    }
    /// The 6-digit address code.
    pub fn region_code(&self) -> &str {
        &self.code[..6]
    }
    /// The birth date.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }
    /// Sex from the sequence code.
    pub fn sex(&self) -> Sex {
        if (self.code.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }
    /// Completed years of age on `on`.
    pub fn age_on(&self, on: NaiveDate) -> i32 {
        age_on(self.birth_date, on)
    }
}

/// Completed years between `birth` and `on` (a 29 February birthday completes a year on 1 March
/// in non-leap years).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CitizenIdInput {
    code: String,
    #[serde(default)]
    today: Option<NaiveDate>,
}

#[derive(Serialize)]
struct CitizenIdOutput {
    valid: bool,
    errors: Vec<String>,
    code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    region_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    province: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    age: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sex_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    check_character: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_check_character: Option<String>,
    notes: Vec<String>,
}

/// The `citizen-id` topic: `{"code", "today"?}` → `valid`, `errors` and the parts (region code,
/// province, birth date, age on `today` when given, sequence code, sex, check characters).
///
/// # Errors
/// [`CalcError`] only when the input document is malformed (e.g. `today` not `YYYY-MM-DD`).
pub fn calc_citizen_id(input: &Value) -> Result<Value, CalcError> {
    let i: CitizenIdInput = parse(input)?;
    let r = check_citizen_id(&i.code, i.today);
    let age = match (r.birth_date, i.today) {
        (Some(b), Some(t)) if b <= t => Some(age_on(b, t)),
        _ => None,
    };
    let mut notes = vec![
        "region code checked at province level only (GB/T 2260); the county-level table is not bundled".to_owned(),
    ];
    if i.today.is_none() {
        notes.push(
            "no `today` given: the birth date is not checked against the current date".to_owned(),
        );
    }
    Ok(to_value(&CitizenIdOutput {
        valid: r.errors.is_empty(),
        errors: r.errors.iter().map(ToString::to_string).collect(),
        code: r.code,
        region_code: r.region_code,
        province: r.province,
        birth_date: r.birth_date,
        age,
        sequence_code: r.sequence_code,
        sex: r.sex,
        sex_name: r.sex.map(Sex::name_zh),
        check_character: r.check_character.map(|c| c.to_string()),
        expected_check_character: r.expected_check_character.map(|c| c.to_string()),
        notes,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn standard_example() {
        // GB 11643-1999 example (standards.md §A7).
        assert_eq!(citizen_id_check_character("11010519491231002"), Some('X'));
        let id = CitizenId::parse("11010519491231002X", None).unwrap();
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.birth_date(), d("1949-12-31"));
        assert_eq!(id.sex(), Sex::Female);
        assert!(CitizenId::parse("11010519491231002x", None).is_ok());
        assert_eq!(
            CitizenId::parse("110105194912310021", None),
            Err(CitizenIdError::CheckCharacter {
                expected: 'X',
                found: '1'
            })
        );
    }

    #[test]
    fn check_character_lookup_covers_every_residue() {
        // Σ mod 11 = 0..10 → 1 0 X 9 8 7 6 5 4 3 2 (standards.md §A7).
        let table = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
        let mut seen = [false; 11];
        for n in 0..5000u32 {
            let p = format!("1101051990010{n:04}");
            let sum: u32 = p
                .bytes()
                .zip(CITIZEN_ID_WEIGHTS)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            let m = (sum % 11) as usize;
            seen[m] = true;
            assert_eq!(citizen_id_check_character(&p), Some(table[m]));
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn birth_date_rules() {
        let mk =
            |first17: &str| format!("{first17}{}", citizen_id_check_character(first17).unwrap());
        // 29 February only in leap years.
        assert!(CitizenId::parse(&mk("11010520000229001"), None).is_ok());
        let e = CitizenId::parse(&mk("11010519000229001"), None).unwrap_err();
        assert_eq!(e, CitizenIdError::BirthDate("19000229".into()));
        assert!(CitizenId::parse(&mk("11010519991301001"), None).is_err());
        // Born today is fine; born tomorrow is not.
        let id = mk("11010520240615001");
        assert!(CitizenId::parse(&id, Some(d("2024-06-15"))).is_ok());
        assert!(matches!(
            CitizenId::parse(&id, Some(d("2024-06-14"))),
            Err(CitizenIdError::FutureBirthDate { .. })
        ));
        let idv = CitizenId::parse(&id, None).unwrap();
        assert_eq!(idv.age_on(d("2042-06-14")), 17);
        assert_eq!(idv.age_on(d("2042-06-15")), 18);
        assert_eq!(idv.sex(), Sex::Male);
    }

    #[test]
    fn region_and_format_errors() {
        let mk =
            |first17: &str| format!("{first17}{}", citizen_id_check_character(first17).unwrap());
        assert_eq!(
            CitizenId::parse(&mk("99010519900101001"), None),
            Err(CitizenIdError::Region("990105".into()))
        );
        assert_eq!(
            CitizenId::parse("1101051949123100", None),
            Err(CitizenIdError::Length(16))
        );
        assert_eq!(
            CitizenId::parse("1101051949123100X2", None),
            Err(CitizenIdError::Character {
                position: 17,
                found: 'X'
            })
        );
        let v = calc_citizen_id(&json!({"code": "11010519491231002X", "today": "2024-13-01"}))
            .unwrap_err();
        assert_eq!(v.field, "today");
    }

    #[test]
    fn uscc_topic_warns_on_organisation_code() {
        let v = calc_uscc(&json!({"code": "91110000600037341L"})).unwrap();
        assert_eq!(v["valid"], json!(true));
        assert_eq!(v["warnings"], json!([]));
        // Change the organisation code's check digit and recompute the USCC check character.
        let u = Uscc::with_check_character("91110000600037342").unwrap();
        let v = calc_uscc(&json!({"code": u.as_str()})).unwrap();
        assert_eq!(v["valid"], json!(true));
        assert_eq!(v["warnings"].as_array().unwrap().len(), 1);
        let v = calc_uscc(&json!({"code": "9111000060003IOZSV"})).unwrap();
        assert_eq!(v["valid"], json!(false));
        assert!(v.get("division_code").is_none());
    }

    fn valid_id() -> impl Strategy<Value = String> {
        (
            0usize..PROVINCES.len(),
            0u32..10_000,
            1900i32..2100,
            1u32..=12,
            1u32..=31,
            0u32..1000,
        )
            .prop_filter_map("real date", |(p, rest, y, m, dd, seq)| {
                let date = NaiveDate::from_ymd_opt(y, m, dd)?;
                let first17 = format!(
                    "{}{rest:04}{}{seq:03}",
                    PROVINCES[p].0,
                    date.format("%Y%m%d")
                );
                Some(format!(
                    "{first17}{}",
                    citizen_id_check_character(&first17)?
                ))
            })
    }

    proptest! {
        #[test]
        fn generated_ids_pass_and_any_single_change_fails(
            id in valid_id(), pos in 0usize..18, delta in 1u32..11
        ) {
            prop_assert!(CitizenId::parse(&id, None).is_ok());
            let mut chars: Vec<char> = id.chars().collect();
            // Cycle through the 11 allowed values of position 18 (0-9, X) or 10 digits elsewhere.
            let alphabet: Vec<char> = if pos == 17 {
                "0123456789X".chars().collect()
            } else {
                "0123456789".chars().collect()
            };
            let n = alphabet.len();
            let cur = alphabet.iter().position(|c| *c == chars[pos]).unwrap();
            let step = (delta as usize) % n;
            prop_assume!(step != 0);
            chars[pos] = alphabet[(cur + step) % n];
            let bad: String = chars.into_iter().collect();
            prop_assert!(CitizenId::parse(&bad, None).is_err());
        }
    }
}
