//! The first administrator account.

use anjian_api::auth::hash_password;
use anjian_domain::auth::PasswordPolicy;
use anjian_store::{NewUser, Store};
use rand::Rng;

/// A random 16-character password with lower case, upper case, digits and a symbol (no look-alike
/// characters), which always satisfies the default password policy.
pub fn generate_password() -> String {
    const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"@#%+=";
    let mut rng = rand::rng();
    let mut pick = |set: &[u8]| set[rng.random_range(0..set.len())] as char;
    let mut s: String = (0..4).map(|_| pick(UPPER)).collect();
    s.extend((0..7).map(|_| pick(LOWER)));
    s.extend((0..4).map(|_| pick(DIGIT)));
    s.push(pick(SYMBOL));
    s
}

/// Creates an account with the built-in `admin` role. The password is `ANJIAN_ADMIN_PASSWORD`
/// (which must meet the password policy) or, if unset, generated, printed once to standard
/// output (never to the log), and marked to be changed at first login.
///
/// # Errors
/// A message when the password breaks the policy, the name is taken, or the database fails.
pub async fn create_admin(store: &Store, username: &str) -> Result<(), String> {
    let role = store
        .find_role_by_key("admin")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the built-in admin role is missing; run `anjian migrate`")?;
    let (password, generated) = match std::env::var("ANJIAN_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (generate_password(), true),
    };
    PasswordPolicy::default()
        .check(username, &password)
        .map_err(|m| format!("ANJIAN_ADMIN_PASSWORD does not meet the password policy: {m}"))?;
    store
        .create_user(NewUser {
            username: username.to_owned(),
            nickname: "系统管理员".into(),
            password_hash: hash_password(&password).map_err(|e| e.to_string())?,
            phone: None,
            email: None,
            department_id: None,
            enterprise_id: None,
            region_id: None,
            role_ids: vec![role.id],
            must_change_password: generated,
            remark: Some("bootstrap administrator".into()),
        })
        .await
        .map_err(|e| match e {
            anjian_store::StoreError::Invalid(v) => v.to_string(),
            other => other.to_string(),
        })?;
    tracing::info!(username, "administrator account created");
    if generated {
        println!();
        println!("  Administrator account created: {username}");
        println!(
            "  Initial password (shown only this once; you must change it at first login): {password}"
        );
        println!();
    } else {
        println!("Administrator account created: {username} (password from ANJIAN_ADMIN_PASSWORD)");
    }
    Ok(())
}

/// Creates the bootstrap `admin` when the database has no account at all.
///
/// # Errors
/// As [`create_admin`].
pub async fn ensure_admin(store: &Store) -> Result<(), String> {
    if store.user_count().await.map_err(|e| e.to_string())? == 0 {
        create_admin(store, "admin").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_meet_the_policy_and_differ() {
        let p = PasswordPolicy::default();
        let a = generate_password();
        for _ in 0..200 {
            let x = generate_password();
            assert_eq!(x.len(), 16);
            assert!(p.check("admin", &x).is_ok(), "{x}");
        }
        assert_ne!(a, generate_password());
    }
}
