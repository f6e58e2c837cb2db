//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database created through the
//! server named by `ANJIAN_TEST_POSTGRES_URL`. Used by the conformance suite and the API and CLI
//! tests; not used by the running service. `both_databases!` declares a storage test once for each
//! database ([`on_sqlite`], [`on_postgres`]).

use sea_orm::{ConnectionTrait, Database};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_suffix() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    format!(
        "{secs}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database made for one test.
#[derive(Debug)]
pub struct TestDb {
    /// Its URL.
    pub url: String,
    admin_url: Option<String>,
    name: String,
}

impl TestDb {
    /// A new SQLite file in the system temporary folder.
    pub fn sqlite() -> Self {
        let path = std::env::temp_dir().join(format!("anjian_t_{}.db", unique_suffix()));
        Self {
            url: format!("sqlite://{}?mode=rwc", path.display()),
            admin_url: None,
            name: path.display().to_string(),
        }
    }

    /// The PostgreSQL server to test against, if `ANJIAN_TEST_POSTGRES_URL` is set. When it is
    /// not set and `CI` is, this panics: CI must run the PostgreSQL half of every storage test.
    pub fn postgres_admin_url() -> Option<String> {
        match std::env::var("ANJIAN_TEST_POSTGRES_URL") {
            Ok(u) if !u.is_empty() => Some(u),
            _ => {
                assert!(
                    std::env::var("CI").is_err(),
                    "CI is set but ANJIAN_TEST_POSTGRES_URL is not: the PostgreSQL tests would be skipped"
                );
                None
            }
        }
    }

    /// A new, empty PostgreSQL database on the test server (`None` when no server is configured).
    /// Databases left behind by crashed runs more than an hour old are dropped first.
    ///
    /// # Panics
    /// When the server cannot be reached or the database cannot be created.
    pub async fn postgres() -> Option<Self> {
        let admin_url = Self::postgres_admin_url()?;
        let admin = Database::connect(admin_url.as_str())
            .await
            .expect("connect to ANJIAN_TEST_POSTGRES_URL");
        let stale: Vec<String> = admin
            .query_all_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT datname FROM pg_database WHERE datname LIKE 'anjian\\_t\\_%'",
            ))
            .await
            .unwrap_or_default()
            .into_iter()
            .filter_map(|r| r.try_get::<String>("", "datname").ok())
            .collect();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        for db in stale {
            let created = db
                .trim_start_matches("anjian_t_")
                .split('_')
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(now);
            if now.saturating_sub(created) > 3600 {
                let _ = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))
                    .await;
            }
        }
        let name = format!("anjian_t_{}", unique_suffix());
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        let _ = admin.close().await;
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b.to_owned())
            .unwrap_or_else(|| admin_url.clone());
        let query = admin_url
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        Some(Self {
            url: format!("{base}/{name}{query}"),
            admin_url: Some(admin_url),
            name,
        })
    }

    /// Removes the database (call at the end of a test; a failed test leaves it for inspection,
    /// and the hour-old sweep in [`TestDb::postgres`] removes it later).
    pub async fn drop_db(self) {
        match self.admin_url {
            Some(admin_url) => {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                            self.name
                        ))
                        .await;
                    let _ = admin.close().await;
                }
            }
            None => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", self.name));
                }
            }
        }
    }
}

/// Runs `f` on a fresh, migrated store in `db` (given with the database's URL), then closes it and
/// drops the database.
async fn with_store<F, Fut>(db: TestDb, f: F)
where
    F: FnOnce(crate::Store, String) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let store = crate::Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    f(store.clone(), db.url.clone()).await;
    store.close().await;
    db.drop_db().await;
}

/// Runs `f` on a fresh, migrated SQLite store (the storage tests' SQLite half).
pub async fn on_sqlite<F, Fut>(f: F)
where
    F: FnOnce(crate::Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    with_store(TestDb::sqlite(), |store, _| f(store)).await;
}

/// Runs `f` on a fresh, migrated PostgreSQL store, or says it is skipped when
/// `ANJIAN_TEST_POSTGRES_URL` is not set (and panics on CI, see [`TestDb::postgres_admin_url`]).
pub async fn on_postgres<F, Fut>(f: F)
where
    F: FnOnce(crate::Store) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    match TestDb::postgres().await {
        Some(db) => with_store(db, |store, _| f(store)).await,
        None => eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped"),
    }
}

/// [`on_sqlite`] with a second, plain connection to the same database, for tests that write rows
/// the store has no call for (e.g. back-dated history).
pub async fn on_sqlite_with_raw<F, Fut>(f: F)
where
    F: FnOnce(crate::Store, sea_orm::DatabaseConnection) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    with_store(TestDb::sqlite(), |store, url| with_raw(store, url, f)).await;
}

/// [`on_postgres`] with a second, plain connection to the same database.
pub async fn on_postgres_with_raw<F, Fut>(f: F)
where
    F: FnOnce(crate::Store, sea_orm::DatabaseConnection) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    match TestDb::postgres().await {
        Some(db) => with_store(db, |store, url| with_raw(store, url, f)).await,
        None => eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped"),
    }
}

async fn with_raw<F, Fut>(store: crate::Store, url: String, f: F)
where
    F: FnOnce(crate::Store, sea_orm::DatabaseConnection) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let raw = Database::connect(url.as_str()).await.expect("raw connect");
    f(store, raw.clone()).await;
    let _ = raw.close().await;
}

/// Declares each named `async fn(Store)` as two `#[tokio::test]`s, `sqlite::name` and
/// `postgres::name`, each on a fresh database. `both_databases!(with_raw: a, b)` does the same for
/// `async fn(Store, DatabaseConnection)`.
#[macro_export]
macro_rules! both_databases {
    (with_raw: $($name:ident),+ $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { $crate::testing::on_sqlite_with_raw(super::$name).await } )+ }
        mod postgres { $( #[tokio::test] async fn $name() { $crate::testing::on_postgres_with_raw(super::$name).await } )+ }
    };
    ($($name:ident),+ $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { $crate::testing::on_sqlite(super::$name).await } )+ }
        mod postgres { $( #[tokio::test] async fn $name() { $crate::testing::on_postgres(super::$name).await } )+ }
    };
}
