//! The benchmark's synthetic city (`anjian_store::synthetic`): the generator writes what it says,
//! on SQLite and (when `ANJIAN_TEST_POSTGRES_URL` is set) PostgreSQL, and the rows it writes are
//! read back by the ordinary store functions (timestamps in the stored format).

use anjian_domain::auth::ScopeFilter;
use anjian_domain::page::Page;
use anjian_store::synthetic::SyntheticSpec;
use anjian_store::testing::TestDb;
use anjian_store::*;
use chrono::{TimeZone, Utc};

async fn check(store: Store) {
    let now = Utc.with_ymd_and_hms(2026, 12, 6, 4, 0, 0).unwrap();
    let spec = SyntheticSpec {
        enterprises: 40,
        hidden_dangers: 2_000,
        sensors: 20,
        readings: 2_000,
        alarms: 100,
        active_alarms: 7,
    };
    let report = store.generate_synthetic_city(&spec, now).await.unwrap();
    assert_eq!(report.districts.len(), 6);
    assert_eq!(report.enterprise_ids.1 - report.enterprise_ids.0 + 1, 40);
    let c = store.synthetic_counts().await.unwrap();
    assert_eq!(c.enterprises, 40);
    assert_eq!(c.hidden_dangers, 2_000);
    assert_eq!(c.readings, 2_000);
    assert_eq!(c.alarms, 100);

    // Readings: 100 per sensor, one per second, the last at `now`.
    let sensors = store
        .list_sensors(
            &Default::default(),
            &ScopeFilter::unrestricted(),
            Page::new(Some(1), Some(100)).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(sensors.total, 20);

    // Hidden dangers: the stored timestamps are read back by the workflow's own queries — the
    // overdue list finds records whose deadline passed, and none whose deadline is ahead.
    let overdue = store
        .list_hidden_dangers(
            &HiddenDangerFilter {
                overdue: Some(true),
                ..Default::default()
            },
            &ScopeFilter::unrestricted(),
            Page::new(Some(1), Some(500)).unwrap(),
            now,
        )
        .await
        .unwrap();
    assert!(overdue.total > 0, "some records are overdue");
    for r in &overdue.rows {
        let d = r
            .record
            .deadline_at
            .expect("an overdue record has a deadline");
        assert!(d <= now, "{d} is not past {now}");
    }
    // A second run on the same database is refused (its districts exist).
    assert!(store.generate_synthetic_city(&spec, now).await.is_err());
}

#[tokio::test]
async fn synthetic_city_sqlite() {
    let db = TestDb::sqlite();
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    check(store.clone()).await;
    store.close().await;
    db.drop_db().await;
}

#[tokio::test]
async fn synthetic_city_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    check(store.clone()).await;
    store.close().await;
    db.drop_db().await;
}
