//! End-to-end tests of the situation API (态势总览, region statistics) against a real server on a
//! random port and a fresh database (SQLite; also PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is
//! set): permissions, data scope, the region filter, field-level validation, shapes. The counts
//! over alarms, hidden dangers and the dynamic risk are checked row by row in the store tests
//! (crates/store/tests/situation.rs).

use anjian_api::auth::hash_password;
use anjian_domain::clock::Clock;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{NewUser, ParamInput, RegionInput, Store};
use chrono::{DateTime, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

const PW: &str = "Passw0rd!x";

struct App {
    base: String,
    client: Client,
    store: Store,
    db: Option<TestDb>,
    ids: HashMap<&'static str, i64>,
    tokens: HashMap<&'static str, String>,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn enterprise(
    n: u32,
    region_id: i64,
    category: &str,
) -> anjian_domain::enterprise::EnterpriseDraft {
    let mut v: EnterpriseInput = serde_json::from_value(json!({
        "name": format!("测试企业{n}"),
        "uscc": Uscc::with_check_character(&format!("91320102{n:09}")).unwrap().to_string(),
        "address": "测试路1号", "industryCode": "C2614", "supervisionCategory": category,
        "scale": "small", "employeeCount": 50, "principalName": "张三", "regionId": region_id
    }))
    .unwrap();
    v.longitude = Some(118.8 + f64::from(n) / 100.0);
    v.latitude = Some(32.0);
    v.validate().unwrap()
}

impl App {
    /// Districts A (with street A1) and B; enterprises eA (A), eA1 (A1), eB (B, fireworks).
    /// Users: admin, city, inspA (district A), mgrA1 (manager of eA1).
    async fn start(db: TestDb) -> App {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let region = |code: &str, parent: Option<i64>, level| RegionInput {
            parent_id: parent,
            code: code.into(),
            name: format!("区{code}"),
            level,
            sort: 0,
        };
        let a = store
            .create_region(region("A", None, RegionLevel::District))
            .await
            .unwrap();
        let a1 = store
            .create_region(region("A1", Some(a.id), RegionLevel::Street))
            .await
            .unwrap();
        let b = store
            .create_region(region("B", None, RegionLevel::District))
            .await
            .unwrap();
        let e_a = store
            .create_enterprise(enterprise(1, a.id, "hazardous_chemicals"), None)
            .await
            .unwrap();
        let e_a1 = store
            .create_enterprise(enterprise(2, a1.id, "hazardous_chemicals"), None)
            .await
            .unwrap();
        let e_b = store
            .create_enterprise(enterprise(3, b.id, "fireworks"), None)
            .await
            .unwrap();
        store
            .set_region_boundary(
                a.id,
                Some(r#"{"type":"Polygon","coordinates":[[[118.7,31.9],[118.9,31.9],[118.9,32.1],[118.7,31.9]]]}"#),
            )
            .await
            .unwrap();
        let ids: HashMap<&'static str, i64> = [
            ("A", a.id),
            ("A1", a1.id),
            ("B", b.id),
            ("eA", e_a.id),
            ("eA1", e_a1.id),
            ("eB", e_b.id),
        ]
        .into();
        let hash = hash_password(PW).unwrap();
        let users: [(&'static str, &str, Option<i64>, Option<i64>); 4] = [
            ("admin", "admin", None, None),
            ("city", "city_admin", None, None),
            ("inspA", "district_inspector", Some(a.id), None),
            ("mgrA1", "enterprise_manager", None, Some(e_a1.id)),
        ];
        for (name, role, region_id, enterprise_id) in users {
            let role_id = store.find_role_by_key(role).await.unwrap().unwrap().id;
            store
                .create_user(NewUser {
                    username: name.into(),
                    nickname: format!("{name}昵称"),
                    password_hash: hash.clone(),
                    phone: None,
                    email: None,
                    department_id: None,
                    enterprise_id,
                    region_id,
                    role_ids: vec![role_id],
                    must_change_password: false,
                    remark: None,
                })
                .await
                .unwrap();
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let pipeline = anjian_ingest::pipeline::Pipeline::start(store.clone(), Default::default())
            .await
            .expect("telemetry pipeline");
        let clock = Clock::manual(t("2026-03-10T02:00:00Z"));
        let app = anjian_api::app_with_clock(store.clone(), pipeline, clock);
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let mut app = App {
            base: format!("http://{addr}"),
            client: Client::new(),
            store,
            db: Some(db),
            ids,
            tokens: HashMap::new(),
        };
        for (name, ..) in users {
            let r: Value = app
                .client
                .post(format!("{}/api/auth/login", app.base))
                .json(&json!({"username": name, "password": PW}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            app.tokens
                .insert(name, r["token"].as_str().unwrap().to_owned());
        }
        app
    }

    async fn finish(mut self) {
        self.store.clone().close().await;
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }

    async fn get(&self, user: &str, path: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[user])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ok(&self, user: &str, path: &str) -> Value {
        let (s, v) = self.get(user, path).await;
        assert_eq!(s, StatusCode::OK, "GET {path} as {user}: {v}");
        v
    }

    fn id(&self, k: &str) -> i64 {
        self.ids[k]
    }
}

fn fields(v: &Value) -> Vec<String> {
    v["fields"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

async fn on_sqlite() -> App {
    App::start(TestDb::sqlite()).await
}

async fn run(app: App) {
    endpoints_scope_and_shapes(&app).await;
    validation_and_permissions(&app).await;
    region_stats(&app).await;
    settings(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn situation_sqlite() {
    run(on_sqlite().await).await;
}

#[tokio::test]
async fn situation_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    run(App::start(db).await).await;
}

async fn endpoints_scope_and_shapes(app: &App) {
    // The dynamic-risk worker computes every enterprise once at startup; until then the map shows
    // them without a level (未评估). Wait for that pass, then the map carries the stored levels.
    let mut map = app.ok("city", "/api/situation/map").await;
    for _ in 0..50 {
        if map["enterprises"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["level"].is_null())
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        map = app.ok("city", "/api/situation/map").await;
    }
    let ents = map["enterprises"].as_array().unwrap();
    assert_eq!(ents.len(), 3);
    for e in ents {
        let risk = app
            .ok("city", &format!("/api/enterprises/{}/risk", e["id"]))
            .await;
        assert_eq!(e["level"], risk["level"], "map level = dynamic risk: {e}");
        assert_eq!(e["score"], risk["score"], "map score = dynamic risk: {e}");
    }
    let ea1 = ents.iter().find(|e| e["id"] == app.id("eA1")).unwrap();
    assert_eq!(ea1["regionId"], app.id("A1"));
    assert_eq!(ea1["districtId"], app.id("A"));
    assert_eq!(ea1["lon"], json!(118.82));
    assert_eq!(map["regions"][0]["id"], app.id("A"));
    assert_eq!(map["regions"][0]["boundary"]["type"], "Polygon");

    // A district inspector sees district A only; the region filter narrows further.
    let map = app.ok("inspA", "/api/situation/map").await;
    assert_eq!(map["enterprises"].as_array().unwrap().len(), 2);
    let map = app
        .ok(
            "city",
            &format!("/api/situation/map?regionId={}", app.id("A1")),
        )
        .await;
    assert_eq!(map["enterprises"].as_array().unwrap().len(), 1);
    assert!(map["regions"].as_array().unwrap().is_empty());

    let s = app.ok("city", "/api/situation/summary").await;
    assert_eq!(s["enterprises"], 3);
    assert_eq!(
        s["byRegion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (
                r["regionId"].as_i64().unwrap(),
                r["enterprises"].as_u64().unwrap()
            ))
            .collect::<Vec<_>>(),
        vec![(app.id("A"), 2), (app.id("B"), 1)]
    );
    assert_eq!(
        s["byCategory"],
        json!([{"key": "fireworks", "count": 1}, {"key": "hazardous_chemicals", "count": 2}])
    );
    // Every enterprise is assessed (the worker's startup pass): none is 未评估, and the four
    // levels add up to the three enterprises.
    assert_eq!(s["byLevel"][4], json!({"key": "none", "count": 0}));
    assert_eq!(
        s["byLevel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["count"].as_u64().unwrap())
            .sum::<u64>(),
        3
    );
    assert_eq!(
        (
            &s["activeAlarms"],
            &s["openHiddenDangers"],
            &s["overdueHiddenDangers"]
        ),
        (&json!(0), &json!(0), &json!(0))
    );
    assert_eq!(s["installationsByGrade"].as_array().unwrap().len(), 4);
    let s = app
        .ok(
            "city",
            &format!("/api/situation/summary?regionId={}", app.id("A")),
        )
        .await;
    assert_eq!(s["enterprises"], 2);
    let s = app.ok("inspA", "/api/situation/summary").await;
    assert_eq!(s["enterprises"], 2);

    let feed = app.ok("city", "/api/situation/alarms?limit=5").await;
    assert_eq!(feed, json!({"total": 0, "rows": []}));
    let od = app
        .ok("city", "/api/situation/overdue-hidden-dangers")
        .await;
    assert_eq!(od, json!({"total": 0, "rows": []}));
    // All three are assessed (score 0, 蓝色): the top list holds them, riskiest first, each with
    // its reason.
    let top = app.ok("city", "/api/situation/top-risks").await;
    let top = top.as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert!(
        top.windows(2)
            .all(|w| w[0]["score"].as_i64() >= w[1]["score"].as_i64())
    );
    assert!(
        top.iter()
            .all(|t| t["summary"].as_str().is_some_and(|s| s.starts_with("蓝色")))
    );
    let tr = app.ok("city", "/api/situation/trends?days=7").await;
    let days = tr.as_array().unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days[6]["date"], "2026-03-10", "today in Asia/Shanghai");
    assert_eq!(days[0]["date"], "2026-03-04");
    assert_eq!(days[0]["alarms"], 0);
    assert_eq!(
        app.ok("city", "/api/situation/trends")
            .await
            .as_array()
            .unwrap()
            .len(),
        30
    );
}

async fn validation_and_permissions(app: &App) {
    // The enterprise manager has no situation permission.
    for path in [
        "/api/situation/map",
        "/api/situation/summary",
        "/api/situation/alarms",
        "/api/situation/top-risks",
        "/api/stats/regions",
        "/api/situation/settings",
    ] {
        let (s, _) = app.get("mgrA1", path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
    }
    for (path, field) in [
        ("/api/situation/alarms?limit=0", "limit"),
        ("/api/situation/top-risks?limit=101", "limit"),
        ("/api/situation/trends?days=91", "days"),
        ("/api/situation/summary?regionId=0", "regionId"),
        ("/api/situation/summary?regionId=999999", "regionId"),
        ("/api/stats/regions?from=2026-02-30", "from"),
        ("/api/stats/regions?to=yesterday", "to"),
        ("/api/stats/regions?from=2026-03-10&to=2026-03-01", "to"),
        ("/api/stats/regions?from=2024-01-01&to=2026-03-01", "from"),
        ("/api/stats/regions?regionId=999999", "regionId"),
    ] {
        let (s, v) = app.get("city", path).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(fields(&v), vec![field.to_owned()], "{path}: {v}");
    }
    // Not a number: the query decoder's 400 naming the field.
    let (s, v) = app.get("city", "/api/situation/alarms?limit=many").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(fields(&v), vec!["limit".to_owned()]);
}

async fn region_stats(app: &App) {
    let st = app.ok("city", "/api/stats/regions").await;
    assert_eq!(
        (st["from"].as_str(), st["to"].as_str()),
        (Some("2026-02-09"), Some("2026-03-10"))
    );
    assert_eq!(st["regionId"], Value::Null);
    let rows = st["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["regionId"], app.id("A"));
    assert_eq!(rows[0]["code"], "A");
    assert_eq!(rows[0]["enterprises"], 2);
    assert_eq!(
        rows[0]["risk"],
        json!({"major": 0, "high": 0, "medium": 0, "low": 2, "none": 0}),
        "both enterprises of A assessed blue by the startup pass"
    );
    assert_eq!(rows[0]["installationsByGrade"], json!([0, 0, 0, 0]));
    assert_eq!(st["total"]["enterprises"], 3);
    assert_eq!(st["total"]["name"], "合计");

    // Children of A: street A1 and A itself (eA is registered on the district).
    let st = app
        .ok(
            "city",
            &format!(
                "/api/stats/regions?parentId={}&from=2026-01-01&to=2026-03-10",
                app.id("A")
            ),
        )
        .await;
    assert_eq!(st["regionId"], app.id("A"));
    assert_eq!(st["from"], "2026-01-01");
    let mut got: Vec<(i64, u64)> = st["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["regionId"].as_i64().unwrap(),
                r["enterprises"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![(app.id("A"), 1), (app.id("A1"), 1)];
    want.sort();
    assert_eq!(got, want);
    // The inspector of A sees only A's row with enterprises.
    let st = app.ok("inspA", "/api/stats/regions").await;
    assert_eq!(st["total"]["enterprises"], 2);
}

async fn settings(app: &App) {
    let v = app.ok("inspA", "/api/situation/settings").await;
    assert_eq!(v, json!({"tileUrl": "", "tileAttribution": ""}));
    let param = app
        .store
        .list_params()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.param_key == "dashboard.tileUrl")
        .unwrap();
    app.store
        .update_param(
            param.id,
            ParamInput {
                param_key: param.param_key.clone(),
                name: param.name.clone(),
                value: "http://tiles.local/{z}/{x}/{y}.png".into(),
                remark: param.remark.clone(),
            },
        )
        .await
        .unwrap();
    let v = app.ok("inspA", "/api/situation/settings").await;
    assert_eq!(v["tileUrl"], "http://tiles.local/{z}/{x}/{y}.png");
}
