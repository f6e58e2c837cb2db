//! Paging parameters, RuoYi style: `pageNum` (1-based) and `pageSize`.

use crate::validation::{Checker, ValidationError};

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 500;
/// The page size when the client gives none.
pub const DEFAULT_PAGE_SIZE: u64 = 10;

/// A validated page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based page number.
    pub num: u64,
    /// Rows per page, 1..=[`MAX_PAGE_SIZE`].
    pub size: u64,
}

impl Page {
    /// Validates optional `pageNum` / `pageSize` (defaults 1 and [`DEFAULT_PAGE_SIZE`]).
    ///
    /// # Errors
    /// A field error on `pageNum` (below 1 or above 10^9) or `pageSize` (outside 1..=500).
    pub fn new(num: Option<u64>, size: Option<u64>) -> Result<Self, ValidationError> {
        let num = num.unwrap_or(1);
        let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
        let mut c = Checker::new();
        if num == 0 || num > 1_000_000_000 {
            c.add("pageNum", "must be between 1 and 1000000000");
        }
        if size == 0 || size > MAX_PAGE_SIZE {
            c.add("pageSize", format!("must be between 1 and {MAX_PAGE_SIZE}"));
        }
        c.finish()?;
        Ok(Self { num, size })
    }

    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.num - 1).saturating_mul(self.size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges() {
        assert_eq!(Page::new(None, None).unwrap(), Page { num: 1, size: 10 });
        assert!(Page::new(Some(1), Some(500)).is_ok());
        assert_eq!(
            Page::new(Some(1), Some(501))
                .unwrap_err()
                .fields
                .keys()
                .collect::<Vec<_>>(),
            ["pageSize"]
        );
        assert!(
            Page::new(Some(1), Some(1_000_000_000))
                .unwrap_err()
                .fields
                .contains_key("pageSize")
        );
        assert!(
            Page::new(Some(0), Some(10))
                .unwrap_err()
                .fields
                .contains_key("pageNum")
        );
        assert!(Page::new(Some(1), Some(0)).is_err());
        assert_eq!(Page::new(Some(3), Some(20)).unwrap().offset(), 40);
    }
}
