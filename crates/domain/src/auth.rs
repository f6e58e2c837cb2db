//! Accounts and permissions, as Chinese admin users know them from RuoYi: permission strings on
//! menus and buttons (`enterprise:list`, `system:user:add`), a data scope per role, a password
//! policy and a login lockout.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The permission that grants everything (the built-in administrator's).
pub const ALL_PERMISSIONS: &str = "*:*:*";

/// Whether a set of granted permission strings allows `required`.
///
/// A granted string matches when equal, when it is [`ALL_PERMISSIONS`], or when it ends in `:*`
/// and `required` starts with the part before the `*` (`system:*` allows `system:user:add`).
pub fn permits<S: AsRef<str>>(granted: &[S], required: &str) -> bool {
    granted.iter().any(|g| {
        let g = g.as_ref();
        g == required
            || g == ALL_PERMISSIONS
            || g.strip_suffix('*')
                .is_some_and(|prefix| prefix.ends_with(':') && required.starts_with(prefix))
    })
}

/// Which rows of region-bound data a role may see (数据权限). A user with several roles sees the
/// union of their scopes.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// Everything (全部数据).
    All,
    /// The user's region and every region under it (本区域及以下).
    RegionSubtree,
    /// Records supervised by the user's own department (本部门).
    Department,
    /// The user's own enterprise only (本企业).
    Enterprise,
    /// Records the user created (仅本人).
    SelfOnly,
}

impl DataScope {
    /// Every scope, widest first.
    pub const ALL: [DataScope; 5] = [
        Self::All,
        Self::RegionSubtree,
        Self::Department,
        Self::Enterprise,
        Self::SelfOnly,
    ];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::RegionSubtree => "region_subtree",
            Self::Department => "department",
            Self::Enterprise => "enterprise",
            Self::SelfOnly => "self_only",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == s)
    }
}

/// What a signed-in user may see, resolved from their roles and their place in the organisation.
/// Store queries take this and turn it into a `WHERE` clause; nothing is filtered after the fact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeFilter {
    /// The user's id (for [`DataScope::SelfOnly`]).
    pub user_id: i64,
    /// Scopes granted by the user's roles (union). Empty means "nothing".
    pub scopes: Vec<DataScope>,
    /// The materialised path of the user's region (e.g. `/1/4/`), if they have one.
    pub region_path: Option<String>,
    /// The user's department, if they belong to one.
    pub department_id: Option<i64>,
    /// The user's enterprise, if they belong to one.
    pub enterprise_id: Option<i64>,
}

impl ScopeFilter {
    /// Whether the filter lets everything through.
    pub fn is_all(&self) -> bool {
        self.scopes.contains(&DataScope::All)
    }

    /// A filter that allows everything, for the CLI and internal jobs.
    pub fn unrestricted() -> Self {
        Self {
            user_id: 0,
            scopes: vec![DataScope::All],
            region_path: None,
            department_id: None,
            enterprise_id: None,
        }
    }
}

/// Password rules (密码策略). Defaults: at least 8 characters from at least 3 of the 4 classes
/// (lower case, upper case, digits, symbols), at most 128 characters, not equal to the user name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: usize,
    /// How many of the four character classes must appear.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 8,
            min_classes: 3,
        }
    }
}

/// Maximum password length (guards the hash function against huge inputs).
pub const MAX_PASSWORD_LENGTH: usize = 128;

impl PasswordPolicy {
    /// Checks `password` for `username`.
    ///
    /// # Errors
    /// A Chinese-and-English message naming the first rule broken.
    pub fn check(&self, username: &str, password: &str) -> Result<(), String> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(format!(
                "密码至少 {} 位 / must be at least {} characters",
                self.min_length, self.min_length
            ));
        }
        if len > MAX_PASSWORD_LENGTH {
            return Err(format!(
                "密码最多 {MAX_PASSWORD_LENGTH} 位 / must be at most {MAX_PASSWORD_LENGTH} characters"
            ));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes {
            return Err(format!(
                "密码需包含大写字母、小写字母、数字、符号中的至少 {} 类 / must mix at least {} of: lower case, upper case, digits, symbols",
                self.min_classes, self.min_classes
            ));
        }
        if password.eq_ignore_ascii_case(username) {
            return Err("密码不能与用户名相同 / must differ from the user name".into());
        }
        Ok(())
    }
}

/// Login lockout (登录锁定): after `max_failures` consecutive failures the account is locked for
/// `lock_minutes`. Defaults: 5 failures, 10 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock the account.
    pub max_failures: u32,
    /// Lock duration in minutes.
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_minutes: 10,
        }
    }
}

/// The outcome of recording a failed login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureOutcome {
    /// The consecutive-failure count to store.
    pub failures: u32,
    /// When the account becomes usable again, if this failure locked it.
    pub locked_until: Option<DateTime<Utc>>,
}

impl LockoutPolicy {
    /// Whether an account locked until `locked_until` is still locked at `now`.
    pub fn is_locked(&self, locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        locked_until.is_some_and(|t| now < t)
    }

    /// Records a failure after `previous` consecutive failures. The count restarts once a lock has
    /// expired (the caller passes 0 then).
    pub fn on_failure(&self, previous: u32, now: DateTime<Utc>) -> FailureOutcome {
        let failures = previous.saturating_add(1);
        let locked_until =
            (failures >= self.max_failures).then(|| now + Duration::minutes(self.lock_minutes));
        FailureOutcome {
            failures,
            locked_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_matching() {
        assert!(permits(&["enterprise:list"], "enterprise:list"));
        assert!(!permits(&["enterprise:list"], "enterprise:add"));
        assert!(permits(&[ALL_PERMISSIONS], "system:user:remove"));
        assert!(permits(&["system:*"], "system:user:add"));
        assert!(!permits(&["system:*"], "enterprise:list"));
        assert!(!permits(&["sys*"], "system:user:add"));
        assert!(!permits::<&str>(&[], "enterprise:list"));
    }

    #[test]
    fn password_policy_edges() {
        let p = PasswordPolicy::default();
        assert!(p.check("alice", "Abcdef1").is_err()); // 7 chars
        assert!(p.check("alice", "Abcdefg1").is_ok()); // 8 chars, 3 classes
        assert!(p.check("alice", "abcdefg1").is_err()); // 2 classes
        assert!(p.check("alice", "abcdefg!1").is_ok());
        assert!(p.check("Admin123", "admin123").is_err()); // 2 classes anyway
        assert!(p.check("Admin@123", "admin@123").is_err()); // same as user name
        assert!(p.check("x", &format!("Aa1{}", "x".repeat(125))).is_ok()); // 128
        assert!(p.check("x", &format!("Aa1{}", "x".repeat(126))).is_err()); // 129
    }

    #[test]
    fn lockout_at_the_fifth_failure_for_ten_minutes() {
        let l = LockoutPolicy::default();
        let now = Utc::now();
        let o4 = l.on_failure(3, now);
        assert_eq!(
            o4,
            FailureOutcome {
                failures: 4,
                locked_until: None
            }
        );
        let o5 = l.on_failure(4, now);
        assert_eq!(o5.failures, 5);
        let until = o5.locked_until.unwrap();
        assert_eq!(until - now, Duration::minutes(10));
        assert!(l.is_locked(
            Some(until),
            now + Duration::minutes(10) - Duration::seconds(1)
        ));
        assert!(!l.is_locked(Some(until), now + Duration::minutes(10)));
        assert!(!l.is_locked(None, now));
    }

    #[test]
    fn data_scope_codes() {
        for d in DataScope::ALL {
            assert_eq!(DataScope::parse(d.code()), Some(d));
            assert_eq!(
                serde_json::to_string(&d).unwrap(),
                format!("\"{}\"", d.code())
            );
        }
    }
}
