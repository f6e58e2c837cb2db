//! GB/T 4754-2017 industry classification (国民经济行业分类) codes.
//!
//! A code is a section letter `A`..`T` (门类), optionally followed by a 2-digit division (大类),
//! 3-digit group (中类) or 4-digit class (小类) code, e.g. `C`, `C26`, `C261`, `C2614`; or the digits
//! alone (`2614`). When both are given the digits must fall in the section's division range
//! (GB/T 4754-2017 Table, section → divisions).

/// Section letter → inclusive range of 2-digit divisions (GB/T 4754-2017).
pub const SECTIONS: [(char, u8, u8, &str); 20] = [
    ('A', 1, 5, "农、林、牧、渔业"),
    ('B', 6, 12, "采矿业"),
    ('C', 13, 43, "制造业"),
    ('D', 44, 46, "电力、热力、燃气及水生产和供应业"),
    ('E', 47, 50, "建筑业"),
    ('F', 51, 52, "批发和零售业"),
    ('G', 53, 60, "交通运输、仓储和邮政业"),
    ('H', 61, 62, "住宿和餐饮业"),
    ('I', 63, 65, "信息传输、软件和信息技术服务业"),
    ('J', 66, 69, "金融业"),
    ('K', 70, 70, "房地产业"),
    ('L', 71, 72, "租赁和商务服务业"),
    ('M', 73, 75, "科学研究和技术服务业"),
    ('N', 76, 79, "水利、环境和公共设施管理业"),
    ('O', 80, 82, "居民服务、修理和其他服务业"),
    ('P', 83, 83, "教育"),
    ('Q', 84, 85, "卫生和社会工作"),
    ('R', 86, 90, "文化、体育和娱乐业"),
    ('S', 91, 97, "公共管理、社会保障和社会组织"),
    ('T', 98, 98, "国际组织"),
];

/// Why an industry code is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndustryCodeError {
    /// Not of the shape letter / letter+2..4 digits / 2..4 digits.
    #[error("must be a GB/T 4754 code such as C, C26, C261, C2614 or 2614")]
    Format,
    /// Division not in any section.
    #[error("division {0:02} does not exist in GB/T 4754-2017")]
    UnknownDivision(u8),
    /// Section letter and division disagree.
    #[error("division {division:02} does not belong to section {section}")]
    SectionMismatch {
        /// The letter given.
        section: char,
        /// The division given.
        division: u8,
    },
}

/// The section letter that contains a 2-digit division, if any.
pub fn section_of_division(division: u8) -> Option<char> {
    SECTIONS
        .iter()
        .find(|(_, lo, hi, _)| (*lo..=*hi).contains(&division))
        .map(|(s, ..)| *s)
}

/// Validates and normalises (upper-cases, and prefixes the section letter to bare digits) an
/// industry code.
///
/// # Errors
/// [`IndustryCodeError`] describing the first problem found.
pub fn normalise_industry_code(code: &str) -> Result<String, IndustryCodeError> {
    let code = code.trim().to_uppercase();
    let (letter, digits) = match code.chars().next() {
        Some(c) if c.is_ascii_uppercase() => (Some(c), &code[1..]),
        Some(c) if c.is_ascii_digit() => (None, code.as_str()),
        _ => return Err(IndustryCodeError::Format),
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() == 1 || digits.len() > 4 {
        return Err(IndustryCodeError::Format);
    }
    if let Some(l) = letter {
        if !SECTIONS.iter().any(|(s, ..)| *s == l) {
            return Err(IndustryCodeError::Format);
        }
        if digits.is_empty() {
            return Ok(code);
        }
    }
    let division: u8 = digits[..2].parse().map_err(|_| IndustryCodeError::Format)?;
    let section =
        section_of_division(division).ok_or(IndustryCodeError::UnknownDivision(division))?;
    if let Some(l) = letter
        && l != section
    {
        return Err(IndustryCodeError::SectionMismatch {
            section: l,
            division,
        });
    }
    Ok(format!("{section}{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(normalise_industry_code("c2614").unwrap(), "C2614");
        assert_eq!(normalise_industry_code("2614").unwrap(), "C2614");
        assert_eq!(normalise_industry_code("C").unwrap(), "C");
        assert_eq!(normalise_industry_code("E47").unwrap(), "E47");
        assert_eq!(
            normalise_industry_code("C2"),
            Err(IndustryCodeError::Format)
        );
        assert_eq!(
            normalise_industry_code("C26145"),
            Err(IndustryCodeError::Format)
        );
        assert_eq!(normalise_industry_code("U"), Err(IndustryCodeError::Format));
        assert_eq!(normalise_industry_code(""), Err(IndustryCodeError::Format));
    }

    #[test]
    fn section_edges() {
        // Every section's first and last division maps back to it; the gaps between do not exist.
        for (s, lo, hi, _) in SECTIONS {
            assert_eq!(section_of_division(lo), Some(s));
            assert_eq!(section_of_division(hi), Some(s));
        }
        assert_eq!(section_of_division(0), None);
        assert_eq!(section_of_division(99), None);
        assert_eq!(
            normalise_industry_code("99"),
            Err(IndustryCodeError::UnknownDivision(99))
        );
        assert_eq!(
            normalise_industry_code("B13"),
            Err(IndustryCodeError::SectionMismatch {
                section: 'B',
                division: 13
            })
        );
        assert_eq!(normalise_industry_code("B12").unwrap(), "B12");
        assert_eq!(normalise_industry_code("C13").unwrap(), "C13");
    }
}
