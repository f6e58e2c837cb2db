//! End-to-end tests of the major hazard installation API (重大危险源, GB 18218-2018) against a real
//! server on a random port and a fresh database (SQLite; also PostgreSQL when
//! `ANJIAN_TEST_POSTGRES_URL` is set).

use anjian_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::*;

impl App {
    async fn count(&self, user: &str, query: &str) -> u64 {
        let (s, v) = self
            .get(user, &format!("/api/major-hazards?pageSize=100{query}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["total"].as_u64().unwrap()
    }
}

/// The body of an installation of enterprise `e` with 氯 `q` tonnes and 甲醇 250 t.
fn body(e: i64, code: &str, chlorine_t: &str, population: i64) -> Value {
    json!({
        "enterpriseId": e, "code": code, "name": "液氯及甲醇储存单元", "unitKind": "storage",
        "location": "罐区", "exposedPopulation": population,
        "substances": [
            {"name": "液氯", "cas": "7782-50-5", "quantityTonnes": chlorine_t},
            {"name": "甲醇", "hazardClasses": ["W5.3"], "quantityTonnes": "250"}
        ],
        "principalName": "张总", "principalPhone": "13800000001",
        "technicalName": "李工", "operationalName": "王班长",
        "cameraLinks": [{"name": "罐区东", "url": "rtsp://10.0.0.5/ch1"}]
    })
}

/// The grade the standards library gives for the same inventory (via the calc topic).
fn library(chlorine_t: f64, population: u64) -> Value {
    anjian_domain::standards::major_hazard::calc(&json!({
        "substances": [
            {"name": "液氯", "cas": "7782-50-5", "quantity_t": chlorine_t},
            {"name": "甲醇", "hazard_classes": ["W5.3"], "quantity_t": 250.0}
        ],
        "exposed_population": population
    }))
    .unwrap()
}

async fn create_grade_and_history(app: &App) {
    let e = app.ids["eA1"];
    // 氯 2.1 t (0.42) + 甲醇 250 t (0.5): S = 0.92, not major.
    let (s, v) = app
        .post("mgrA1", "/api/major-hazards", body(e, "MH-1", "2.1", 100))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let lib = library(2.1, 100);
    assert_eq!(v["sExact"], lib["s_exact"]);
    assert_eq!(v["isMajor"], false);
    assert_eq!(v["grade"], Value::Null);
    assert_eq!(v["working"]["substances"][0]["thresholdTonnes"], 5.0);
    assert_eq!(v["working"]["substances"][0]["beta"], 4.0);
    assert_eq!(v["working"]["alpha"], 2.0);
    // Inventory change crossing S = 1: 氯 2.75 t → S = 0.55 + 0.5 = 1.05;
    // R = 2 × (4 × 0.55 + 1 × 0.5) = 5.4 → 四级.
    let (s, v) = app
        .put(
            "mgrA1",
            &format!("/api/major-hazards/{id}"),
            body(e, "MH-1", "2.75", 100),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let lib = library(2.75, 100);
    assert_eq!(v["isMajor"], true);
    assert_eq!(v["grade"], lib["grade"]);
    assert_eq!(v["grade"], 4);
    assert_eq!(v["rExact"], lib["r_exact"]);
    // A grade boundary: 氯 6.25 t → S = 1.75; R = 2 × (4 × 1.25 + 0.5) = 11 → 三级 (R ≥ 10).
    let (s, v) = app
        .put(
            "mgrA1",
            &format!("/api/major-hazards/{id}"),
            body(e, "MH-1", "6.25", 100),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["grade"], library(6.25, 100)["grade"]);
    assert_eq!(v["grade"], 3);
    assert_eq!(v["rExact"], "11");
    // Population 100 → 40: α 2 → 1.2, R = 6.6 → 四级.
    let (s, v) = app
        .put(
            "mgrA1",
            &format!("/api/major-hazards/{id}"),
            body(e, "MH-1", "6.25", 40),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["grade"], 4);
    let (s, h) = app
        .get("inspA", &format!("/api/major-hazards/{id}/assessments"))
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    let h = h.as_array().unwrap();
    let triggers: Vec<&str> = h.iter().map(|a| a["trigger"].as_str().unwrap()).collect();
    assert_eq!(triggers, ["population", "inventory", "inventory", "create"]);
    let reasons: Vec<&str> = h.iter().map(|a| a["reason"].as_str().unwrap()).collect();
    assert!(
        reasons[2].contains("S 0.92 → 1.05：跨越 S = 1，成为重大危险源"),
        "{reasons:?}"
    );
    assert!(
        reasons[1].contains("R 5.40 → 11.00：四级 → 三级"),
        "{reasons:?}"
    );
    assert!(reasons[0].starts_with("暴露人数 100 → 40"), "{reasons:?}");
    assert!(reasons[0].contains("三级 → 四级"), "{reasons:?}");
    assert_eq!(h[1]["previousGrade"], 4);
    assert_eq!(h[2]["previousIsMajor"], false);
    // Preview: the same computation, nothing stored.
    let (s, p) = app
        .post(
            "inspA",
            "/api/major-hazards/preview",
            json!({"exposedPopulation": 100, "substances": [
                {"name": "液氯", "quantityTonnes": "6.25"},
                {"name": "甲醇", "hazardClasses": ["W5.3"], "quantityTonnes": "250"}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["grade"].as_i64(), p["rExact"].as_str()),
        (Some(3), Some("11"))
    );
    // Filters and scope.
    assert_eq!(app.count("admin", "&grade=4").await, 1);
    assert_eq!(app.count("admin", "&isMajor=false").await, 0);
    assert_eq!(app.count("admin", &format!("&enterpriseId={e}")).await, 1);
    assert_eq!(app.count("mgrB", "").await, 0);
    assert_eq!(
        app.get("mgrB", &format!("/api/major-hazards/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    // Government roles read, do not write.
    assert_eq!(app.count("inspA", "").await, 1);
    let (s, _) = app
        .put(
            "inspA",
            &format!("/api/major-hazards/{id}"),
            body(e, "MH-1", "1", 40),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Manual re-assessment and delete.
    let (s, a) = app
        .post(
            "mgrA1",
            &format!("/api/major-hazards/{id}/assessments"),
            json!({"note": "年度复核"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["trigger"], "manual");
    let (s, _) = app
        .call(
            "mgrA1",
            Method::DELETE,
            &format!("/api/major-hazards/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(app.count("admin", "").await, 0);
}

async fn bad_input_is_422_and_nothing_stored(app: &App) {
    let e = app.ids["eA1"];
    let mut b = body(e, "MH-X", "-1", -3);
    b["unitKind"] = json!("tank");
    b["substances"][1]["cas"] = json!("67-56-2");
    b["substances"]
        .as_array_mut()
        .unwrap()
        .push(json!({"variant": 99, "quantityTonnes": "1"}));
    b["substances"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "某溶剂", "quantityTonnes": "1"}));
    b["cameraLinks"][0]["url"] = json!("javascript:alert(1)");
    b["filingStatus"] = json!("filed");
    let (s, v) = app.post("mgrA1", "/api/major-hazards", b).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let f = fields(&v);
    for k in [
        "unitKind",
        "exposedPopulation",
        "substances[0].quantityTonnes",
        "substances[1].cas",
        "substances[2].variant",
        "substances[3].hazardClasses",
        "cameraLinks[0].url",
        "filingDate",
        "filingNumber",
    ] {
        assert!(f.contains(&k.to_owned()), "{k} missing in {f:?}");
    }
    // Preview names the same fields.
    let (s, v) = app
        .post(
            "mgrA1",
            "/api/major-hazards/preview",
            json!({"exposedPopulation": 0, "substances": [{"name": "氯", "quantityTonnes": "1.0000001"}]}),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["substances[0].quantityTonnes".to_owned()]
        )
    );
    // A sensor of another enterprise.
    let other = app
        .store
        .create_sensor(
            anjian_store::SensorInput {
                code: "B-PT-1".into(),
                name: "压力".into(),
                device_id: None,
                enterprise_id: app.ids["eB"],
                installation_id: None,
                risk_point_id: None,
                quantity: "pressure".into(),
                unit: "kPa".into(),
                range_low: None,
                range_high: None,
                sampling_period_s: 10,
                stale_after: 0,
                area: None,
                settings: Value::Null,
                status: "active".into(),
            },
            &anjian_domain::auth::ScopeFilter::unrestricted(),
        )
        .await
        .unwrap();
    let mut b = body(e, "MH-Y", "1", 0);
    b["sensorIds"] = json!([other.id]);
    let (s, v) = app.post("mgrA1", "/api/major-hazards", b).await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["sensorIds[0]".to_owned()]
        )
    );
    // Unknown fields are refused; another enterprise is refused.
    let mut b = body(e, "MH-Z", "1", 0);
    b["grade"] = json!(1);
    assert_eq!(
        app.post("mgrA1", "/api/major-hazards", b).await.0,
        StatusCode::BAD_REQUEST
    );
    let (s, v) = app
        .post(
            "mgrA1",
            "/api/major-hazards",
            body(app.ids["eB"], "MH-Z", "1", 0),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["enterpriseId".to_owned()]
        )
    );
    assert_eq!(app.count("admin", "").await, 0, "nothing stored");
    // A bad update leaves the stored installation and its history as they were.
    let (s, v) = app
        .post("mgrA1", "/api/major-hazards", body(e, "MH-1", "1", 0))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, _) = app
        .put(
            "mgrA1",
            &format!("/api/major-hazards/{id}"),
            body(e, "MH-1", "abc", 0),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, got) = app.get("mgrA1", &format!("/api/major-hazards/{id}")).await;
    assert_eq!(got["substances"][0]["quantityTonnes"], "1");
    let (_, h) = app
        .get("mgrA1", &format!("/api/major-hazards/{id}/assessments"))
        .await;
    assert_eq!(h.as_array().unwrap().len(), 1);
    let (s, _) = app
        .call(
            "mgrA1",
            Method::DELETE,
            &format!("/api/major-hazards/{id}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}

async fn run(db: TestDb) {
    let app = App::start(db).await;
    bad_input_is_422_and_nothing_stored(&app).await;
    create_grade_and_history(&app).await;
    let _ = &app.clock;
    app.finish().await;
}

#[tokio::test]
async fn major_hazard_api_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test]
async fn major_hazard_api_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    run(db).await;
}
