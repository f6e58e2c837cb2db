//! The unified social credit code (统一社会信用代码), GB 32100-2015.
//!
//! 18 characters from the 31-character alphabet `0123456789ABCDEFGHJKLMNPQRTUWXY` (no I, O, S, V, Z):
//! position 1 registration authority, 2 organisation type, 3–8 the GB/T 2260 administrative-division
//! code, 9–17 the organisation code (GB 11714), 18 the check character
//! (GB 32100-2015 §4 and Annex A; see `shared/reference/standards.md` §A7).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters a USCC may use, in value order (GB 32100-2015 Table 1 / Annex A).
pub const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Position weights `W_i = 3^(i-1) mod 31` for positions 1..=17 (GB 32100-2015 Annex A).
pub const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// Why a string is not a valid USCC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Not exactly 18 characters.
    #[error("must be exactly 18 characters (got {0})")]
    Length(usize),
    /// A character outside the 31-character alphabet (I, O, S, V, Z and lower case are not allowed).
    #[error(
        "character {found:?} at position {position} is not allowed (allowed: 0-9 and A-Y except I, O, S, V)"
    )]
    Character {
        /// 1-based position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// The 18th character does not match the GB 32100-2015 check computation.
    #[error("check character is wrong: expected {expected:?}, found {found:?}")]
    CheckCharacter {
        /// What the first 17 characters require.
        expected: char,
        /// What the code has.
        found: char,
    },
}

/// A validated unified social credit code, stored in upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Uscc(String);

fn value_of(c: char) -> Option<u32> {
    ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters of a USCC.
///
/// `C18 = (31 − Σ value(c_i)·W_i mod 31) mod 31`, mapped back through [`ALPHABET`]
/// (GB 32100-2015 Annex A). Returns `None` if `first17` is not 17 alphabet characters.
pub fn check_character(first17: &str) -> Option<char> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check as usize)
}

/// The check character of a 9-character organisation code's first 8 characters (GB 11714-1997):
/// weights `3,7,9,10,5,8,4,2`, digits by value and letters A=10 … Z=35, `C9 = 11 − (Σ mod 11)`,
/// 10 → 'X', 11 → '0'. Returns `None` for characters outside 0-9 and A-Z.
pub fn org_code_check_character(first8: &str) -> Option<char> {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let chars: Vec<char> = first8.chars().collect();
    if chars.len() != 8 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in chars.iter().zip(W) {
        let v = c.to_digit(36)?;
        sum += v * w;
    }
    Some(match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10)?,
    })
}

impl Uscc {
    /// Validates `s` (surrounding white space is ignored; lower case is accepted and upper-cased).
    ///
    /// # Errors
    /// [`UsccError::Length`], [`UsccError::Character`] or [`UsccError::CheckCharacter`].
    pub fn parse(s: &str) -> Result<Self, UsccError> {
        let s = s.trim().to_uppercase();
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(UsccError::Length(chars.len()));
        }
        for (i, c) in chars.iter().enumerate() {
            if value_of(*c).is_none() {
                return Err(UsccError::Character {
                    position: i + 1,
                    found: *c,
                });
            }
        }
        let first17: String = chars[..17].iter().collect();
        let expected = check_character(&first17).ok_or(UsccError::Length(chars.len()))?;
        if expected != chars[17] {
            return Err(UsccError::CheckCharacter {
                expected,
                found: chars[17],
            });
        }
        Ok(Self(s))
    }

    /// Builds a valid code from 17 characters by appending the check character (used for demo data).
    ///
    /// # Errors
    /// As [`Uscc::parse`] when `first17` is not 17 alphabet characters.
    pub fn with_check_character(first17: &str) -> Result<Self, UsccError> {
        let first17 = first17.to_uppercase();
        match check_character(&first17) {
            Some(c) => Self::parse(&format!("{first17}{c}")),
            None => Self::parse(&format!("{first17}0")),
        }
    }

    /// The code as an 18-character upper-case string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit administrative-division code (positions 3–8).
    pub fn division_code(&self) -> &str {
        &self.0[2..8]
    }

    /// The embedded 9-character organisation code (positions 9–17).
    pub fn organisation_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether the embedded organisation code's own check character (GB 11714) is right. Real codes
    /// issued before the reform may fail this, so it is a warning, never a rejection.
    pub fn organisation_code_is_consistent(&self) -> bool {
        let org = self.organisation_code();
        org_code_check_character(&org[..8]) == org.chars().nth(8)
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Uscc {
    type Error = UsccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Uscc> for String {
    fn from(u: Uscc) -> Self {
        u.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_examples() {
        // standards.md §A7 examples.
        assert!(Uscc::parse("91110000600037341L").is_ok());
        assert_eq!(
            Uscc::parse("91110000600037341N"),
            Err(UsccError::CheckCharacter {
                expected: 'L',
                found: 'N'
            })
        );
        assert!(matches!(
            Uscc::parse("9111000060003IOZSV"),
            Err(UsccError::Character {
                position: 14,
                found: 'I'
            })
        ));
    }

    #[test]
    fn length_edges() {
        assert_eq!(Uscc::parse("91110000600037341"), Err(UsccError::Length(17)));
        assert_eq!(
            Uscc::parse("91110000600037341LL"),
            Err(UsccError::Length(19))
        );
        assert_eq!(Uscc::parse(""), Err(UsccError::Length(0)));
    }

    #[test]
    fn lower_case_and_spaces_accepted() {
        let u = Uscc::parse(" 91110000600037341l ").unwrap();
        assert_eq!(u.as_str(), "91110000600037341L");
        assert_eq!(u.division_code(), "110000");
        assert_eq!(u.organisation_code(), "600037341");
    }

    #[test]
    fn check_value_zero_maps_to_0_and_30_maps_to_y() {
        // Find prefixes whose check value is 0 and 30: the edges of the modulo mapping.
        let mut seen0 = false;
        let mut seen30 = false;
        for n in 0..2000u32 {
            let p = format!("9144030071526{n:04}");
            let c = check_character(&p).unwrap();
            if c == '0' {
                seen0 = true;
                assert!(Uscc::parse(&format!("{p}0")).is_ok());
            }
            if c == 'Y' {
                seen30 = true;
                assert!(Uscc::parse(&format!("{p}Y")).is_ok());
            }
        }
        assert!(seen0 && seen30);
    }

    #[test]
    fn organisation_code_check() {
        // 60003734-1 from the reference example: weights 3,7,9,10,5,8,4,2.
        assert_eq!(org_code_check_character("60003734"), Some('1'));
        assert!(
            Uscc::parse("91110000600037341L")
                .unwrap()
                .organisation_code_is_consistent()
        );
        // D2143569-? : letter values A=10 ...
        let c = org_code_check_character("D2143569").unwrap();
        assert!(c.is_ascii_digit() || c == 'X');
    }

    #[test]
    fn serde_round_trip_validates() {
        let u: Uscc = serde_json::from_str("\"91110000600037341L\"").unwrap();
        assert_eq!(serde_json::to_string(&u).unwrap(), "\"91110000600037341L\"");
        assert!(serde_json::from_str::<Uscc>("\"91110000600037341N\"").is_err());
    }

    proptest! {
        #[test]
        fn every_generated_code_validates_and_any_other_check_char_fails(
            idx in proptest::collection::vec(0usize..31, 17), other in 0usize..31
        ) {
            let first17: String = idx.iter().map(|i| ALPHABET.chars().nth(*i).unwrap()).collect();
            let good = Uscc::with_check_character(&first17).unwrap();
            prop_assert!(Uscc::parse(good.as_str()).is_ok());
            let wrong = ALPHABET.chars().nth(other).unwrap();
            if wrong != good.as_str().chars().nth(17).unwrap() {
                let bad = format!("{first17}{wrong}");
                let is_check_error = matches!(Uscc::parse(&bad), Err(UsccError::CheckCharacter { .. }));
                prop_assert!(is_check_error);
            }
        }

        #[test]
        fn a_single_substitution_is_always_detected(
            idx in proptest::collection::vec(0usize..31, 17), pos in 0usize..17, delta in 1usize..31
        ) {
            let first17: String = idx.iter().map(|i| ALPHABET.chars().nth(*i).unwrap()).collect();
            let good = Uscc::with_check_character(&first17).unwrap();
            let mut chars: Vec<char> = good.as_str().chars().collect();
            chars[pos] = ALPHABET.chars().nth((idx[pos] + delta) % 31).unwrap();
            let bad: String = chars.into_iter().collect();
            prop_assert!(Uscc::parse(&bad).is_err());
        }
    }
}
