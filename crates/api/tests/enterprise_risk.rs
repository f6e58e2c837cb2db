//! End-to-end tests of the dynamic enterprise risk API (企业动态风险) against a real server on a
//! random port, a fresh database (SQLite; also PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set)
//! and a manual clock: the startup recomputation, recomputation after risk-point and
//! hidden-danger writes (through the worker), the ranking's scope and filters, history,
//! recomputation on demand and the weights parameter's validation.

use anjian_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

mod common;
use common::*;

impl App {
    /// Polls the enterprise's risk until `pred` holds (at most 5 s); returns it.
    async fn risk_until(&self, e: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (s, v) = self
                .get("admin", &format!("/api/enterprises/{}/risk", self.ids[e]))
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
            if pred(&v) {
                return v;
            }
            assert!(Instant::now() < deadline, "{what}: {v}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn ranking(&self, user: &str, query: &str) -> (StatusCode, Value) {
        self.get(user, &format!("/api/enterprise-risks?pageSize=100{query}"))
            .await
    }
}

fn enterprise_ids(v: &Value) -> Vec<i64> {
    v["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {v}"))
        .iter()
        .map(|r| r["enterpriseId"].as_i64().unwrap())
        .collect()
}

async fn run(db: TestDb) {
    let app = App::start(db).await;
    let (ea, ea1, eb) = (app.ids["eA"], app.ids["eA1"], app.ids["eB"]);

    // The startup recomputation writes every enterprise.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, v) = app.ranking("admin", "").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["total"] == 3 {
            assert_eq!(v["rows"][0]["level"], "low");
            assert_eq!(v["rows"][0]["colour"], "blue");
            assert_eq!(v["rows"][0]["summary"], "蓝色：无固有或动态风险因素");
            break;
        }
        assert!(Instant::now() < deadline, "no startup recomputation: {v}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A risk point assessed 较大 (LEC D = 252): the worker recomputes eA1 (15 points).
    let (s, p) = app
        .post(
            "mgrA1",
            "/api/risk-points",
            json!({"code": "RP-1", "name": "氯气充装", "kind": "operation"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let (s, v) = app
        .post(
            "mgrA1",
            &format!("/api/risk-points/{}/assessments", p["id"]),
            json!({"method": "lec", "l": 6, "e": 6, "c": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let r = app
        .risk_until("eA1", "risk point", |v| v["score"] == 15)
        .await;
    assert_eq!(r["inherentScore"], 15);
    assert_eq!(r["breakdown"][0]["kind"], "risk_point");
    assert_eq!(r["breakdown"][0]["refs"][0], p["id"]);
    assert_eq!(r["summary"], "蓝色：最高风险点为较大风险：氯气充装");

    // A major hidden danger reported at eB: 20 points, 一般 (黄).
    let (s, v) = app
        .post(
            "mgrB",
            "/api/hidden-dangers",
            json!({"description": "液氯充装未使用万向管道充装系统", "level": "major", "majorJudgement": "符合化工重大隐患判定标准第7项的情形"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let r = app
        .risk_until("eB", "major hidden danger", |v| v["score"] == 20)
        .await;
    assert_eq!(r["level"], "medium");
    assert_eq!(r["colour"], "yellow");
    assert!(
        r["summary"]
            .as_str()
            .unwrap()
            .starts_with("黄色：1 条重大事故隐患未销号"),
        "{r}"
    );
    let (s, h) = app
        .get("admin", &format!("/api/enterprises/{eb}/risk/history"))
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert_eq!(h["total"], 2);
    assert_eq!(h["rows"][0]["trigger"], "hidden_danger");
    assert_eq!(h["rows"][0]["score"], 20);
    assert_eq!(h["rows"][1]["trigger"], "startup");
    let (s, h) = app
        .get(
            "admin",
            &format!("/api/enterprises/{eb}/risk/history?from=2030-01-01T00:00:00Z"),
        )
        .await;
    assert_eq!((s, h["total"].as_i64()), (StatusCode::OK, Some(0)));
    let (s, v) = app
        .get(
            "admin",
            &format!(
                "/api/enterprises/{eb}/risk/history?from=2030-01-01T00:00:00Z&to=2029-01-01T00:00:00Z"
            ),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["to".to_string()])
    );

    // Ranking: highest first, within the scope; filters.
    let (_, v) = app.ranking("admin", "").await;
    assert_eq!(enterprise_ids(&v), vec![eb, ea1, ea]);
    let (_, v) = app.ranking("inspA", "").await;
    assert_eq!(enterprise_ids(&v), vec![ea1, ea]);
    let (_, v) = app.ranking("mgrA1", "").await;
    assert_eq!(enterprise_ids(&v), vec![ea1]);
    let (s, _) = app.ranking("workerA1", "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, v) = app.ranking("admin", "&level=medium").await;
    assert_eq!(enterprise_ids(&v), vec![eb]);
    let (_, v) = app
        .ranking("admin", &format!("&regionId={}", app.ids["A"]))
        .await;
    assert_eq!(enterprise_ids(&v), vec![ea1, ea]);
    let (_, v) = app.ranking("admin", "&name=企业1").await;
    assert_eq!(enterprise_ids(&v), vec![ea]);
    let (s, v) = app.ranking("admin", "&level=purple").await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["level".to_string()])
    );
    let (s, v) = app.get("admin", "/api/enterprise-risks?pageSize=501").await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["pageSize".to_string()]
        )
    );
    let (_, v) = app
        .get("admin", "/api/enterprise-risks?pageSize=1&pageNum=2")
        .await;
    assert_eq!(
        (v["total"].as_i64(), enterprise_ids(&v)),
        (Some(3), vec![ea1])
    );

    // One enterprise: 404 outside the scope.
    for (user, e, status) in [
        ("mgrA1", eb, StatusCode::NOT_FOUND),
        ("mgrA1", ea1, StatusCode::OK),
        ("inspA", eb, StatusCode::NOT_FOUND),
        ("admin", 999_999, StatusCode::NOT_FOUND),
        ("workerA1", ea1, StatusCode::FORBIDDEN),
    ] {
        assert_eq!(
            app.get(user, &format!("/api/enterprises/{e}/risk")).await.0,
            status,
            "{user} {e}"
        );
        assert_eq!(
            app.get(user, &format!("/api/enterprises/{e}/risk/history"))
                .await
                .0,
            status,
            "{user} {e} history"
        );
    }

    // Recomputation on demand.
    let (s, v) = app
        .call(
            "admin",
            Method::POST,
            "/api/enterprise-risks/recompute",
            None,
        )
        .await;
    assert_eq!(
        (s, v["count"].as_i64(), v["changed"].as_i64()),
        (StatusCode::OK, Some(3), Some(0)),
        "{v}"
    );
    let (s, v) = app
        .post(
            "admin",
            "/api/enterprise-risks/recompute",
            json!({"enterpriseIds": [ea1, 999_999]}),
        )
        .await;
    assert_eq!((s, v["count"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    let (s, v) = app
        .post(
            "inspA",
            "/api/enterprise-risks/recompute",
            json!({"enterpriseIds": [eb]}),
        )
        .await;
    assert_eq!((s, v["count"].as_i64()), (StatusCode::OK, Some(0)), "{v}");
    let (s, v) = app
        .post("inspA", "/api/enterprise-risks/recompute", json!({}))
        .await;
    assert_eq!((s, v["count"].as_i64()), (StatusCode::OK, Some(2)), "{v}");
    let (s, _) = app
        .post("mgrA1", "/api/enterprise-risks/recompute", json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            "admin",
            "/api/enterprise-risks/recompute",
            json!({"enterpriseIds": [0]}),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["enterpriseIds[0]".to_string()]
        )
    );
    let (s, _) = app
        .post(
            "admin",
            "/api/enterprise-risks/recompute",
            json!({"ids": [1]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // The weights parameter: invalid documents are refused naming the value; a valid one applies.
    let (_, params) = app.get("admin", "/api/params").await;
    let param = params["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{params}"))
        .iter()
        .find(|p| p["paramKey"] == "risk.dynamicWeights")
        .expect("the weights parameter")
        .clone();
    let put = |value: String| {
        let path = format!("/api/params/{}", param["id"]);
        let body = json!({"paramKey": "risk.dynamicWeights", "name": param["name"], "value": value, "remark": param["remark"]});
        let app = &app;
        async move { app.call("admin", Method::PUT, &path, Some(body)).await }
    };
    let mut w: Value = serde_json::from_str(param["value"].as_str().unwrap()).unwrap();
    w["levels"]["high"] = json!(10);
    let (s, v) = put(w.to_string()).await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["value".to_string()]),
        "{v}"
    );
    assert!(
        v["fields"]["value"]
            .as_str()
            .unwrap()
            .contains("levels.high"),
        "{v}"
    );
    let (s, v) = put("{}".into()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    w["levels"]["high"] = json!(45);
    w["levels"]["medium"] = json!(10);
    let (s, v) = put(w.to_string()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .post("admin", "/api/enterprise-risks/recompute", json!({}))
        .await;
    assert_eq!((s, v["changed"].as_i64()), (StatusCode::OK, Some(1)), "{v}");
    let r = app
        .risk_until("eA1", "new edges", |v| v["level"] == "medium")
        .await;
    assert_eq!(r["score"], 15);
    let (_, h) = app
        .get("admin", &format!("/api/enterprises/{ea1}/risk/history"))
        .await;
    assert_eq!(h["rows"][0]["trigger"], "manual");
    app.finish().await;
}

#[tokio::test]
async fn enterprise_risk_api_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test]
async fn enterprise_risk_api_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    run(db).await;
}
