//! End-to-end tests of the dynamic enterprise risk API (企业动态风险) against a real server on a
//! random port, a fresh database (SQLite; also PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set)
//! and a manual clock: the startup recomputation, recomputation after risk-point and
//! hidden-danger writes (through the worker), the ranking's scope and filters, history,
//! recomputation on demand and the weights parameter's validation.

use anjian_api::auth::hash_password;
use anjian_domain::clock::Clock;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{NewUser, RegionInput, Store};
use chrono::{DateTime, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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

fn enterprise(n: u32, region_id: i64) -> anjian_domain::enterprise::EnterpriseDraft {
    let v: EnterpriseInput = serde_json::from_value(json!({
        "name": format!("测试企业{n}"),
        "uscc": Uscc::with_check_character(&format!("91320102{n:09}")).unwrap().to_string(),
        "address": "测试路1号", "industryCode": "C2614", "supervisionCategory": "hazardous_chemicals",
        "scale": "small", "employeeCount": 50, "principalName": "张三", "regionId": region_id
    }))
    .unwrap();
    v.validate().unwrap()
}

impl App {
    /// Regions A (with street A1) and B; enterprises eA (A), eA1 (A1), eB (B). Users: admin,
    /// inspA (district A), mgrA1 (manager of eA1), workerA1 (worker of eA1), mgrB.
    async fn start(db: TestDb) -> App {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let region = |code: &str, parent: Option<i64>, level| RegionInput {
            parent_id: parent,
            code: code.into(),
            name: code.into(),
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
            .create_enterprise(enterprise(1, a.id), None)
            .await
            .unwrap();
        let e_a1 = store
            .create_enterprise(enterprise(2, a1.id), None)
            .await
            .unwrap();
        let e_b = store
            .create_enterprise(enterprise(3, b.id), None)
            .await
            .unwrap();
        let ids: HashMap<&'static str, i64> = [
            ("eA", e_a.id),
            ("eA1", e_a1.id),
            ("eB", e_b.id),
            ("A", a.id),
        ]
        .into();
        let hash = hash_password(PW).unwrap();
        type Fixture = (&'static str, &'static str, Option<i64>, Option<i64>);
        let users: [Fixture; 5] = [
            ("admin", "admin", None, None),
            ("inspA", "district_inspector", Some(a.id), None),
            ("mgrA1", "enterprise_manager", None, Some(e_a1.id)),
            ("workerA1", "enterprise_worker", None, Some(e_a1.id)),
            ("mgrB", "enterprise_manager", None, Some(e_b.id)),
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

    async fn call(
        &self,
        user: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[user]);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, user: &str, path: &str) -> (StatusCode, Value) {
        self.call(user, Method::GET, path, None).await
    }

    async fn post(&self, user: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(user, Method::POST, path, Some(body)).await
    }

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

fn fields(v: &Value) -> Vec<String> {
    v["fields"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
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
