//! Authentication: argon2id password hashes, opaque bearer tokens stored as SHA-256, sliding
//! session expiry, and the [`CurrentUser`] extractor that resolves permissions and data scope.

use crate::AppState;
use crate::error::ApiError;
use anjian_domain::auth::{LockoutPolicy, PasswordPolicy, ScopeFilter, permits};
use anjian_store::{Role, Store, User};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// Hashes a password with argon2id (default parameters, random salt) into a PHC string.
///
/// # Errors
/// [`ApiError::Internal`] if hashing fails (it does not for valid input).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| ApiError::Internal(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Verifies against a fixed hash and discards the result, so a login for an unknown user name
/// costs as much time as one for a known name.
pub fn verify_against_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("dummy-password-for-timing").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// A fresh opaque token: 32 random bytes, hex-encoded (64 characters).
pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// The SHA-256 hex digest under which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The numeric security parameters: (key, default, minimum, maximum). Values outside the range
/// are refused when an administrator edits them, and ignored (default used) if found stored.
pub const NUMERIC_PARAMS: [(&str, i64, i64, i64); 7] = [
    ("sys.session.idleMinutes", 120, 1, 60 * 24 * 30),
    ("sys.session.maxHours", 24, 1, 24 * 90),
    ("sys.password.minLength", 8, 6, 64),
    ("sys.password.minClasses", 3, 1, 4),
    ("sys.login.maxFailures", 5, 1, 100),
    ("sys.login.lockMinutes", 10, 1, 24 * 60),
    ("monitoring.retentionDays", 90, 1, 3650),
];

/// The range entry of a numeric security parameter.
pub fn numeric_param(key: &str) -> Option<(&'static str, i64, i64, i64)> {
    NUMERIC_PARAMS.iter().copied().find(|p| p.0 == key)
}

/// Session and password settings, read from system parameters (with these defaults).
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// Idle minutes before a session ends (sliding).
    pub idle_minutes: i64,
    /// Hours after login when a session ends regardless.
    pub max_hours: i64,
    /// Password rules.
    pub password: PasswordPolicy,
    /// Lockout rules.
    pub lockout: LockoutPolicy,
    /// Whether administrator-set passwords must be changed at first login.
    pub init_password_change: bool,
}

impl SecuritySettings {
    /// Reads the `sys.*` parameters, falling back to the defaults for missing or unparsable values.
    ///
    /// # Errors
    /// [`ApiError::Internal`] on a database failure.
    pub async fn load(store: &Store) -> Result<Self, ApiError> {
        async fn num(store: &Store, key: &str) -> Result<i64, ApiError> {
            let (_, default, min, max) = numeric_param(key).unwrap_or(("", 0, 0, 0));
            Ok(store
                .param_value(key)
                .await?
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| (min..=max).contains(v))
                .unwrap_or(default))
        }
        Ok(Self {
            idle_minutes: num(store, "sys.session.idleMinutes").await?,
            max_hours: num(store, "sys.session.maxHours").await?,
            password: PasswordPolicy {
                min_length: num(store, "sys.password.minLength").await? as usize,
                min_classes: num(store, "sys.password.minClasses").await? as usize,
            },
            lockout: LockoutPolicy {
                max_failures: num(store, "sys.login.maxFailures").await? as u32,
                lock_minutes: num(store, "sys.login.lockMinutes").await?,
            },
            init_password_change: store
                .param_value("sys.user.initPasswordChange")
                .await?
                .as_deref()
                != Some("false"),
        })
    }

    /// When a session used at `now`, started at `created`, ends.
    pub fn expiry(&self, created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
        (now + Duration::minutes(self.idle_minutes)).min(created + Duration::hours(self.max_hours))
    }
}

/// The signed-in caller: account, permissions and data scope, resolved per request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account.
    pub user: User,
    /// Active roles.
    pub roles: Vec<Role>,
    /// Permission strings granted.
    pub permissions: Vec<String>,
    /// Data scope for list and get queries.
    pub scope: ScopeFilter,
    /// The session the request came with.
    pub session_id: i64,
}

impl CurrentUser {
    /// Whether the caller holds the built-in `admin` role (super administrator).
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r.role_key == "admin")
    }

    /// `Ok` when the caller holds `permission`, else 403.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] naming the missing permission.
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        if permits(&self.permissions, permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "没有权限 / missing permission {permission}"
            )))
        }
    }
}

/// Who made a request, filled in by the [`CurrentUser`] extractor for the operation log.
#[derive(Debug, Clone, Default)]
pub struct Actor(pub Arc<Mutex<Option<(i64, String)>>>);

/// The caller's address: the first `X-Forwarded-For` entry when present, else the socket peer.
pub fn client_ip(parts: &Parts) -> Option<String> {
    if let Some(xff) = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        && let Some(first) = xff
            .split(',')
            .next()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    {
        return Some(first.chars().take(64).collect());
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// Authenticates without the "initial password must be changed" gate (for the endpoints that
/// let the user change it, see who they are, or log out).
#[derive(Debug, Clone)]
pub struct AnyUser(pub CurrentUser);

async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<CurrentUser, ApiError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let query_token;
    let token = match header {
        Some(h) => h
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or_else(|| {
                ApiError::Unauthorized("Authorization must be 'Bearer <token>'".into())
            })?,
        // `EventSource` cannot send headers: the event streams also take `?token=`.
        None if parts.uri.path().ends_with("/stream") => {
            query_token = parts
                .uri
                .query()
                .and_then(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .find(|(k, _)| k == "token")
                        .map(|(_, v)| v.into_owned())
                })
                .filter(|t| !t.is_empty() && t.len() <= 128)
                .ok_or_else(|| ApiError::Unauthorized("请先登录 / missing token".into()))?;
            query_token.as_str()
        }
        None => {
            return Err(ApiError::Unauthorized(
                "请先登录 / missing Authorization: Bearer token".into(),
            ));
        }
    };
    let now = Utc::now();
    let session = state
        .store
        .find_session(&token_hash(token), now)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized("登录已过期，请重新登录 / session expired or unknown".into())
        })?;
    if session.user.status != "active" {
        state.store.delete_session(session.id).await?;
        return Err(ApiError::Unauthorized("account disabled".into()));
    }
    // Slide the expiry, writing at most once a minute per session.
    if now - session.last_seen_at > Duration::seconds(60) {
        let settings = SecuritySettings::load(&state.store).await?;
        state
            .store
            .touch_session(session.id, now, settings.expiry(session.created_at, now))
            .await?;
    }
    let (permissions, roles, scope) = state.store.resolve_access(&session.user).await?;
    if let Some(actor) = parts.extensions.get::<Actor>()
        && let Ok(mut a) = actor.0.lock()
    {
        *a = Some((session.user.id, session.user.username.clone()));
    }
    Ok(CurrentUser {
        user: session.user,
        roles,
        permissions,
        scope,
        session_id: session.id,
    })
}

impl FromRequestParts<AppState> for AnyUser {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await.map(AnyUser)
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let u = authenticate(parts, state).await?;
        if u.user.must_change_password {
            return Err(ApiError::PasswordChangeRequired);
        }
        Ok(u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("Secret#123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Secret#123", &h));
        assert!(!verify_password("Secret#124", &h));
        assert!(!verify_password("Secret#123", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn expiry_slides_but_not_past_the_hard_limit() {
        let s = SecuritySettings {
            idle_minutes: 120,
            max_hours: 24,
            password: PasswordPolicy::default(),
            lockout: LockoutPolicy::default(),
            init_password_change: true,
        };
        let t0 = Utc::now();
        assert_eq!(s.expiry(t0, t0), t0 + Duration::minutes(120));
        assert_eq!(
            s.expiry(t0, t0 + Duration::hours(23)),
            t0 + Duration::hours(24)
        );
    }
}
