//! `anjian demo` seeds a city in operation (`src/demo_city.rs`): on a fresh SQLite database the
//! situation summary shows all four dynamic risk levels in plausible proportions, coloured
//! enterprises in every district, overdue hidden dangers at several enterprises, while the demo
//! enterprise keeps exactly what its own seeders give it. The enterprise accounts the seeder
//! creates cannot sign in.

use anjian_store::testing::TestDb;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

mod common;
use common::*;

const DEMO_PASSWORD: &str = "Demo@2026";

async fn sign_in(base: &str, username: &str, password: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn get(base: &str, token: &str, path: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.unwrap()
}

fn count(summary: &Value, level: &str) -> u64 {
    summary["byLevel"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == level)
        .and_then(|l| l["count"].as_u64())
        .unwrap_or(0)
}

#[tokio::test]
async fn demo_seeds_a_city_with_a_plausible_spread_of_risk() {
    let db = TestDb::sqlite();
    let http = free_port();
    let server = Server::start_command(
        "demo",
        &db.url,
        http,
        &[("ANJIAN_MQTT_LISTEN", "127.0.0.1:0".into())],
    );
    let base = &server.base;
    let r: Value = sign_in(base, "city", DEMO_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let token = r["token"].as_str().expect("token").to_owned();

    // The dynamic risk is computed right after the server starts listening.
    let deadline = Instant::now() + Duration::from_secs(20);
    let summary = loop {
        let s = get(base, &token, "/api/situation/summary").await;
        if count(&s, "none") == 0 {
            break s;
        }
        assert!(Instant::now() < deadline, "the startup recomputation: {s}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let n = summary["enterprises"].as_u64().unwrap() as f64;
    let share = |level: &str| count(&summary, level) as f64 / n;
    let shares = ["low", "medium", "high", "major"].map(share);
    let spread = format!("blue/yellow/orange/red {shares:?} of {n}");
    assert!((0.55..=0.66).contains(&shares[0]), "{spread}");
    assert!((0.25..=0.36).contains(&shares[1]), "{spread}");
    assert!((0.045..=0.10).contains(&shares[2]), "{spread}");
    assert!((1..=4).contains(&count(&summary, "major")), "{spread}");

    // Every district has coloured enterprises, and most have orange or red ones.
    let regions = summary["byRegion"].as_array().unwrap();
    assert!(regions.len() >= 6);
    let coloured = |r: &Value, levels: &[&str]| {
        levels
            .iter()
            .map(|l| r[*l].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    for r in regions {
        assert!(
            coloured(r, &["major", "high", "medium"]) > 0,
            "{} has no coloured enterprise",
            r["name"]
        );
    }
    let hot = regions
        .iter()
        .filter(|r| coloured(r, &["major", "high"]) > 0)
        .count();
    assert!(hot >= 4, "{hot} districts with orange or red enterprises");

    // Overdue hidden dangers at several enterprises.
    let overdue = get(
        base,
        &token,
        "/api/hidden-dangers?overdue=true&pageSize=100",
    )
    .await;
    let at: BTreeSet<i64> = overdue["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["enterpriseId"].as_i64())
        .collect();
    assert!(at.len() > 5, "overdue at {at:?}");

    // The demo enterprise (the `enterprise` account's) keeps what its own seeders give it: the
    // eight risk points of demo_risk.rs and the twelve hidden dangers of demo_hidden_danger.rs.
    let r: Value = sign_in(base, "enterprise", DEMO_PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let me = get(base, r["token"].as_str().expect("token"), "/api/auth/me").await;
    let own = me["user"]["enterpriseId"]
        .as_i64()
        .expect("the demo enterprise");
    let points = get(
        base,
        &token,
        &format!("/api/risk-points?enterpriseId={own}&pageSize=1"),
    )
    .await;
    assert_eq!(points["total"], 8);
    let hds = get(
        base,
        &token,
        &format!("/api/hidden-dangers?enterpriseId={own}&pageSize=1"),
    )
    .await;
    assert_eq!(hds["total"], 12);

    // The seeder's enterprise accounts exist but have no password.
    let other = at
        .iter()
        .find(|e| **e != own)
        .expect("an overdue record elsewhere");
    let r = sign_in(base, &format!("e{other:03}.safety"), DEMO_PASSWORD).await;
    assert_eq!(r.status(), 401);

    server.stop();
    db.drop_db().await;
}
