//! End-to-end tests of the HTTP API against a real server on a random port and a fresh database
//! (SQLite always; the role matrix also on PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set).

use anjian_api::auth::hash_password;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel};
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{DepartmentInput, NewUser, RegionInput, Store};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

const PW: &str = "Passw0rd!x";

struct App {
    base: String,
    client: Client,
    store: Store,
    db: Option<TestDb>,
    /// Fixture ids by name: regions A, A1, B; department housing; enterprises eA, eA1, eB.
    ids: HashMap<&'static str, i64>,
}

fn code(n: u32) -> String {
    Uscc::with_check_character(&format!("91320102{n:09}"))
        .unwrap()
        .to_string()
}

fn enterprise_json(n: u32, region_id: i64) -> Value {
    json!({
        "name": format!("测试企业{n}"), "uscc": code(n), "address": "测试路1号", "longitude": 118.8, "latitude": 32.05,
        "industryCode": "C2614", "supervisionCategory": "hazardous_chemicals", "scale": "small", "employeeCount": 50,
        "principalName": "张三", "regionId": region_id
    })
}

impl App {
    async fn start(db: TestDb) -> App {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let mut ids = HashMap::new();
        let a = store
            .create_region(RegionInput {
                parent_id: None,
                code: "A".into(),
                name: "甲区".into(),
                level: RegionLevel::District,
                sort: 0,
            })
            .await
            .unwrap();
        let a1 = store
            .create_region(RegionInput {
                parent_id: Some(a.id),
                code: "A1".into(),
                name: "甲区一街道".into(),
                level: RegionLevel::Street,
                sort: 0,
            })
            .await
            .unwrap();
        let b = store
            .create_region(RegionInput {
                parent_id: None,
                code: "B".into(),
                name: "乙区".into(),
                level: RegionLevel::District,
                sort: 1,
            })
            .await
            .unwrap();
        let housing = store
            .create_department(DepartmentInput {
                parent_id: None,
                name: "住建局".into(),
                kind: DepartmentKind::Housing,
                region_id: None,
                supervised_categories: vec![],
                industry_codes: vec![],
                leader: None,
                phone: None,
                status: RecordStatus::Active,
                sort: 0,
            })
            .await
            .unwrap();
        let mk = |n: u32, region: i64, dep: Option<i64>| {
            let mut v: EnterpriseInput =
                serde_json::from_value(enterprise_json(n, region)).unwrap();
            v.department_id = dep;
            v.validate().unwrap()
        };
        let e_a = store
            .create_enterprise(mk(1, a.id, None), None)
            .await
            .unwrap();
        let e_a1 = store
            .create_enterprise(mk(2, a1.id, Some(housing.id)), None)
            .await
            .unwrap();
        let e_b = store
            .create_enterprise(mk(3, b.id, None), None)
            .await
            .unwrap();
        ids.extend([
            ("A", a.id),
            ("A1", a1.id),
            ("B", b.id),
            ("housing", housing.id),
            ("eA", e_a.id),
            ("eA1", e_a1.id),
            ("eB", e_b.id),
        ]);
        let hash = hash_password(PW).unwrap();
        // (user name, role key, region, department, enterprise)
        type Fixture = (
            &'static str,
            &'static str,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let users: [Fixture; 5] = [
            ("admin", "admin", None, None, None),
            ("city", "city_admin", None, None, None),
            ("inspA", "district_inspector", Some(a.id), None, None),
            (
                "officer",
                "department_officer",
                None,
                Some(housing.id),
                None,
            ),
            ("mgr", "enterprise_manager", None, None, Some(e_a1.id)),
        ];
        for (name, role, region_id, department_id, enterprise_id) in users {
            let role_id = store.find_role_by_key(role).await.unwrap().unwrap().id;
            store
                .create_user(NewUser {
                    username: name.into(),
                    nickname: name.into(),
                    password_hash: hash.clone(),
                    phone: None,
                    email: None,
                    department_id,
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
        let app = anjian_api::app(store.clone(), pipeline);
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        App {
            base: format!("http://{addr}"),
            client: Client::new(),
            store,
            db: Some(db),
            ids,
        }
    }

    async fn sqlite() -> App {
        Self::start(TestDb::sqlite()).await
    }

    async fn finish(mut self) {
        self.store.clone().close().await;
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }

    fn id(&self, name: &str) -> i64 {
        self.ids[name]
    }

    async fn login(&self, user: &str, password: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .post(format!("{}/api/auth/login", self.base))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    async fn token(&self, user: &str) -> String {
        let (s, v) = self.login(user, PW).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["token"].as_str().unwrap().to_owned()
    }

    async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
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

    async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(token, Method::GET, path, None).await
    }

    async fn enterprise_count(&self) -> u64 {
        let t = self.token("admin").await;
        self.get(&t, "/api/enterprises?pageSize=1").await.1["total"]
            .as_u64()
            .unwrap()
    }
}

#[tokio::test]
async fn health_docs_metrics_and_unknown_routes() {
    let app = App::sqlite().await;
    let r = app
        .client
        .get(format!("{}/api/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(
        (h["status"].as_str(), h["database"].as_str()),
        (Some("ok"), Some("sqlite"))
    );
    let doc: Value = app
        .client
        .get(format!("{}/api/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/enterprises",
        "/api/enterprises/{id}",
        "/api/enterprises/import",
        "/api/auth/login",
        "/api/users",
        "/api/regions",
    ] {
        assert!(
            doc["paths"].get(p).is_some(),
            "{p} missing from the OpenAPI document"
        );
    }
    let ui = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger-ui"));
    let nf = app
        .client
        .get(format!("{}/api/nothing-here", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(nf.status(), 404);
    assert_eq!(nf.json::<Value>().await.unwrap()["code"], "not_found");
    // The console (or, when it is not built, a page saying how to build it) at / and at any
    // console route; a missing hashed asset is a plain 404.
    for path in ["/", "/enterprise/list", "/login"] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = r.text().await.unwrap();
        assert!(
            html.contains("<html") && (html.contains("安监") || html.contains("anjian")),
            "{path}"
        );
    }
    let r = app
        .client
        .get(format!("{}/assets/missing-0000.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app
        .client
        .patch(format!("{}/api/enterprises", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "method_not_allowed"
    );
    let unauth = app
        .client
        .get(format!("{}/api/enterprises", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    let bogus = app.get("not-a-token", "/api/enterprises").await;
    assert_eq!(bogus.0, 401);
    let metrics = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("anjian_http_requests_total"), "{metrics}");
    assert!(metrics.contains("path=\"/api/health\""));
    app.finish().await;
}

#[tokio::test]
async fn login_lockout_and_login_log() {
    let app = App::sqlite().await;
    let (s, v) = app.login("nobody", PW).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("unauthorized"))
    );
    for i in 1..=4 {
        let (s, v) = app.login("city", "wrong").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{} attempts left", 5 - i))
        );
    }
    let (s, v) = app.login("city", "wrong").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::LOCKED, Some("locked"))
    );
    // Even the right password is refused while locked.
    assert_eq!(app.login("city", PW).await.0, StatusCode::LOCKED);
    // Lift the lock as if ten minutes had passed: the right password works and resets the count.
    let u = app
        .store
        .find_user_by_username("city")
        .await
        .unwrap()
        .unwrap();
    app.store
        .record_login_failure(
            u.id,
            5,
            Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .await
        .unwrap();
    assert_eq!(app.login("city", PW).await.0, StatusCode::OK);
    assert_eq!(
        app.store
            .find_user_by_username("city")
            .await
            .unwrap()
            .unwrap()
            .failed_logins,
        0
    );
    let t = app.token("admin").await;
    let (_, log) = app
        .get(&t, "/api/monitor/logininfor?username=city&pageSize=50")
        .await;
    assert_eq!(
        log["total"], 7,
        "4 wrong + locking failure + refused while locked + success"
    );
    let (_, fails) = app
        .get(&t, "/api/monitor/logininfor?username=city&success=false")
        .await;
    assert_eq!(fails["total"], 6);
    app.finish().await;
}

#[tokio::test]
async fn initial_password_must_be_changed_first() {
    let app = App::sqlite().await;
    let admin = app.token("admin").await;
    let role = app
        .store
        .find_role_by_key("city_admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, v) = app
        .call(&admin, Method::POST, "/api/users", Some(json!({"username": "newbie", "nickname": "新人", "password": "weak", "roleIds": [role]})))
        .await;
    assert_eq!(s, 422);
    assert!(v["fields"]["password"].is_string());
    let (s, v) = app
        .call(&admin, Method::POST, "/api/users", Some(json!({"username": "newbie", "nickname": "新人", "password": "Init@2026x", "roleIds": [role]})))
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["mustChangePassword"], true);
    let (s, v) = app.login("newbie", "Init@2026x").await;
    assert_eq!(
        (s, v["mustChangePassword"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let t = v["token"].as_str().unwrap().to_owned();
    let (s, v) = app.get(&t, "/api/enterprises").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("password_change_required"))
    );
    assert_eq!(app.get(&t, "/api/auth/me").await.0, 200);
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            "/api/auth/password",
            Some(json!({"oldPassword": "Init@2026x", "newPassword": "short"})),
        )
        .await;
    assert_eq!(s, 422);
    assert!(v["fields"]["newPassword"].is_string());
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            "/api/auth/password",
            Some(json!({"oldPassword": "nope", "newPassword": "Better#2026"})),
        )
        .await;
    assert_eq!(
        (s, v["fields"]["oldPassword"].is_string()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (s, _) = app
        .call(
            &t,
            Method::PUT,
            "/api/auth/password",
            Some(json!({"oldPassword": "Init@2026x", "newPassword": "Better#2026"})),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(
        app.get(&t, "/api/enterprises").await.0,
        200,
        "the same session continues"
    );
    assert_eq!(app.login("newbie", "Init@2026x").await.0, 401);
    assert_eq!(app.login("newbie", "Better#2026").await.0, 200);
    // The operation log recorded the change with both passwords masked.
    let (_, ops) = app
        .get(&admin, "/api/monitor/operlog?username=newbie")
        .await;
    let req = ops["rows"][0]["request"].as_str().unwrap().to_owned();
    assert!(
        req.contains("******") && !req.contains("Better#2026") && !req.contains("Init@2026x"),
        "{req}"
    );
    // An administrator's reset makes the password initial again and ends the user's sessions.
    let uid = app
        .store
        .find_user_by_username("newbie")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, _) = app
        .call(
            &admin,
            Method::PUT,
            &format!("/api/users/{uid}/password"),
            Some(json!({"password": "Reset#2026"})),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(app.get(&t, "/api/auth/me").await.0, 401);
    assert_eq!(
        app.login("newbie", "Reset#2026").await.1["mustChangePassword"],
        true
    );
    app.finish().await;
}

#[tokio::test]
async fn create_enterprise_validates_the_credit_code_and_lists_it_back() {
    let app = App::sqlite().await;
    let t = app.token("admin").await;
    let mut body = enterprise_json(100, app.id("A1"));
    let good = body["uscc"].as_str().unwrap().to_owned();
    let wrong_check = format!(
        "{}{}",
        &good[..17],
        if good.ends_with('0') { '1' } else { '0' }
    );
    body["uscc"] = json!(wrong_check);
    let (s, v) = app
        .call(&t, Method::POST, "/api/enterprises", Some(body.clone()))
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["code"], "validation");
    assert!(
        v["fields"]["uscc"]
            .as_str()
            .unwrap()
            .contains("check character"),
        "{v}"
    );
    body["uscc"] = json!(good);
    let (s, created) = app
        .call(&t, Method::POST, "/api/enterprises", Some(body.clone()))
        .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["uscc"], json!(good));
    let (s, list) = app.get(&t, &format!("/api/enterprises?uscc={good}")).await;
    assert_eq!(s, 200);
    assert_eq!(
        (list["total"].as_u64(), &list["rows"][0]["id"]),
        (Some(1), &created["id"])
    );
    let (s, v) = app
        .call(&t, Method::POST, "/api/enterprises", Some(body))
        .await;
    assert_eq!(
        (
            s,
            v["fields"]["uscc"]
                .as_str()
                .unwrap()
                .contains("already exists")
        ),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    // Dossier: region path from the district down, and accounts.
    let (s, d) = app
        .get(&t, &format!("/api/enterprises/{}/dossier", app.id("eA1")))
        .await;
    assert_eq!(s, 200);
    let names: Vec<_> = d["regionPath"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["A", "A1"]);
    assert_eq!(d["department"]["name"], "住建局");
    assert_eq!(d["accounts"][0]["username"], "mgr");
    assert!(d["accounts"][0].get("passwordHash").is_none());
    app.finish().await;
}

#[tokio::test]
async fn bad_input_gets_a_4xx_naming_the_field_and_stores_nothing() {
    let app = App::sqlite().await;
    let t = app.token("admin").await;
    let before = app.enterprise_count().await;
    let url = format!("{}/api/enterprises", app.base);
    let raw = |body: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body(body)
    };
    let r = raw(r#"{"name": "a\u0000b"}"#).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<Value>().await.unwrap()["fields"]["body"]
            .as_str()
            .unwrap()
            .contains("NUL")
    );
    let (s, v) = app.get(&t, "/api/enterprises?name=a%00b").await;
    assert_eq!((s.as_u16(), v["fields"]["name"].is_string()), (400, true));
    let (s, _) = app.get(&t, "/api/dict/data/type/a%00b").await;
    assert_eq!(s, 400);
    let (s, _) = app.login("ad\u{0}min", PW).await;
    assert_eq!(
        s, 400,
        "a NUL in the user name is refused before any lookup"
    );
    let r = raw("{\"name\": ").send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<Value>().await.unwrap()["fields"]["body"]
            .as_str()
            .unwrap()
            .contains("malformed")
    );
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            {
                let mut b = enterprise_json(200, app.id("A"));
                b["employeeCount"] = json!("many");
                b
            },
            400,
            "employeeCount",
        ),
        (
            {
                let mut b = enterprise_json(201, app.id("A"));
                b.as_object_mut().unwrap().remove("name");
                b
            },
            400,
            "name",
        ),
        (
            {
                let mut b = enterprise_json(202, app.id("A"));
                b["supervisionCategory"] = json!("spaceships");
                b
            },
            422,
            "supervisionCategory",
        ),
        (
            {
                let mut b = enterprise_json(203, app.id("A"));
                b["scale"] = json!("huge");
                b
            },
            422,
            "scale",
        ),
        (
            {
                let mut b = enterprise_json(204, app.id("A"));
                b["regionId"] = json!(99999);
                b
            },
            422,
            "regionId",
        ),
        (
            {
                let mut b = enterprise_json(205, app.id("A"));
                b["latitude"] = json!(91.5);
                b
            },
            422,
            "latitude",
        ),
        (
            {
                let mut b = enterprise_json(206, app.id("A"));
                b["industryCode"] = json!("Z99");
                b
            },
            422,
            "industryCode",
        ),
        (
            {
                let mut b = enterprise_json(207, app.id("A"));
                b["bogus"] = json!(1);
                b
            },
            400,
            "bogus",
        ),
        (
            {
                let mut b = enterprise_json(208, app.id("A"));
                b["uscc"] = json!("123");
                b
            },
            422,
            "uscc",
        ),
        (
            {
                let mut b = enterprise_json(209, app.id("A"));
                b["employeeCount"] = json!(1e300);
                b
            },
            400,
            "employeeCount",
        ),
        (json!([1, 2]), 400, "body"),
    ];
    for (body, status, field) in cases {
        let (s, v) = app
            .call(&t, Method::POST, "/api/enterprises", Some(body.clone()))
            .await;
        assert_eq!(s.as_u16(), status, "{field}: {v}");
        assert!(
            v["fields"][field].is_string(),
            "expected field {field} in {v}"
        );
    }
    // Oversized body.
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let r = app
        .client
        .post(&url)
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(
        r.json::<Value>().await.unwrap()["code"],
        "payload_too_large"
    );
    // Wrong content type.
    let r = app
        .client
        .post(&url)
        .bearer_auth(&t)
        .body(enterprise_json(210, app.id("A")).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    // Paging and path parameters.
    let (s, v) = app.get(&t, "/api/enterprises?pageSize=1000000000").await;
    assert_eq!(
        (s.as_u16(), v["fields"]["pageSize"].is_string()),
        (422, true)
    );
    let (s, v) = app.get(&t, "/api/enterprises?pageSize=abc").await;
    assert_eq!(
        (s.as_u16(), v["fields"]["pageSize"].is_string()),
        (400, true)
    );
    let (s, v) = app.get(&t, "/api/enterprises?pageNum=0").await;
    assert_eq!(
        (s.as_u16(), v["fields"]["pageNum"].is_string()),
        (422, true)
    );
    let (s, v) = app.get(&t, "/api/enterprises/abc").await;
    assert_eq!((s.as_u16(), v["fields"]["id"].is_string()), (400, true));
    let (s, _) = app.get(&t, "/api/enterprises/99999999").await;
    assert_eq!(s, 404);
    let (s, v) = app.get(&t, "/api/enterprises?supervisionCategory=x").await;
    assert_eq!(
        (s.as_u16(), v["fields"]["supervisionCategory"].is_string()),
        (422, true)
    );
    // Other resources share the rules.
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/regions",
            Some(json!({"code": "Z", "name": "z", "level": "planet"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["level"].is_string()),
        (422, true),
        "unknown enum value"
    );
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/regions",
            Some(json!({"code": "Z", "name": "z", "level": "grid"})),
        )
        .await;
    assert_eq!((s.as_u16(), v["fields"]["level"].is_string()), (422, true));
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/users",
            Some(json!({"username": "a b", "nickname": "", "password": "x"})),
        )
        .await;
    assert_eq!(s, 422);
    for f in ["username", "nickname", "password"] {
        assert!(v["fields"][f].is_string(), "{f} in {v}");
    }
    assert_eq!(app.enterprise_count().await, before, "nothing was stored");
    app.finish().await;
}

/// What each role may do with enterprises. `own` is inside the caller's scope, `other` outside.
async fn role_matrix(app: &App) {
    let (a, a1, b) = (app.id("A"), app.id("A1"), app.id("B"));
    let (ea, ea1, eb) = (app.id("eA"), app.id("eA1"), app.id("eB"));
    // user → (visible enterprise ids, may create, may edit, may delete)
    let expect: [(&str, Vec<i64>, bool, bool, bool); 5] = [
        ("admin", vec![ea, ea1, eb], true, true, true),
        ("city", vec![ea, ea1, eb], true, true, true),
        ("inspA", vec![ea, ea1], true, true, true),
        ("officer", vec![ea1], false, false, false),
        ("mgr", vec![ea1], false, true, false),
    ];
    let all = [ea, ea1, eb];
    for (user, visible, can_add, can_edit, can_delete) in expect {
        let t = app.token(user).await;
        let (s, list) = app.get(&t, "/api/enterprises?pageSize=100").await;
        assert_eq!(s, 200, "{user}");
        let mut got: Vec<i64> = list["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        got.sort();
        assert_eq!(got, visible, "{user} list");
        assert_eq!(
            list["total"].as_u64().unwrap() as usize,
            visible.len(),
            "{user} total"
        );
        for id in all {
            let (s, body) = app.get(&t, &format!("/api/enterprises/{id}")).await;
            if visible.contains(&id) {
                assert_eq!(s, 200, "{user} get {id}");
            } else {
                assert_eq!(s, 404, "{user} get {id} outside scope");
                assert_eq!(body["message"], "not found", "reveals nothing");
            }
            let (s, _) = app.get(&t, &format!("/api/enterprises/{id}/dossier")).await;
            assert_eq!(
                s,
                if visible.contains(&id) { 200 } else { 404 },
                "{user} dossier {id}"
            );
        }
        // Edit the first visible one (keeping its data) and one outside the scope.
        let target = visible[0];
        let (_, current) = app.get(&t, &format!("/api/enterprises/{target}")).await;
        let mut body = current.clone();
        for k in ["id", "createdAt", "updatedAt"] {
            body.as_object_mut().unwrap().remove(k);
        }
        body["name"] = json!(format!("{user} 改名"));
        let (s, v) = app
            .call(
                &t,
                Method::PUT,
                &format!("/api/enterprises/{target}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, if can_edit { 200 } else { 403 }, "{user} edit own: {v}");
        if let Some(outside) = all.iter().find(|id| !visible.contains(id)) {
            let (s, _) = app
                .call(
                    &t,
                    Method::PUT,
                    &format!("/api/enterprises/{outside}"),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(s, if can_edit { 404 } else { 403 }, "{user} edit outside");
            let (s, _) = app
                .call(
                    &t,
                    Method::DELETE,
                    &format!("/api/enterprises/{outside}"),
                    None,
                )
                .await;
            assert_eq!(
                s,
                if can_delete { 404 } else { 403 },
                "{user} delete outside"
            );
        }
        // Create in the caller's own region (A for the inspector), and in B.
        let n = 500 + user.len() as u32 * 7;
        let (s, v) = app
            .call(
                &t,
                Method::POST,
                "/api/enterprises",
                Some(enterprise_json(n, a1)),
            )
            .await;
        assert_eq!(s, if can_add { 201 } else { 403 }, "{user} create: {v}");
        if can_add {
            let id = v["id"].as_i64().unwrap();
            let (s, _) = app
                .call(&t, Method::DELETE, &format!("/api/enterprises/{id}"), None)
                .await;
            assert_eq!(s, if can_delete { 204 } else { 403 }, "{user} delete own");
        }
        let (s, v) = app
            .call(
                &t,
                Method::POST,
                "/api/enterprises",
                Some(enterprise_json(n + 1, b)),
            )
            .await;
        let expected = match user {
            "inspA" => 422,
            _ if can_add => 201,
            _ => 403,
        };
        assert_eq!(s, expected, "{user} create in B: {v}");
        if s == 201 {
            let id = v["id"].as_i64().unwrap();
            app.call(&t, Method::DELETE, &format!("/api/enterprises/{id}"), None)
                .await;
        }
        // System pages are for administrators.
        let (s, _) = app.get(&t, "/api/users").await;
        assert_eq!(
            s,
            if user == "admin" || user == "city" {
                200
            } else {
                403
            },
            "{user} users"
        );
        let (s, _) = app.get(&t, "/api/regions").await;
        assert_eq!(s, if user == "mgr" { 403 } else { 200 }, "{user} regions");
    }
    // An enterprise's own manager may not move it to another region or change its category.
    let t = app.token("mgr").await;
    let (_, mut own) = app.get(&t, &format!("/api/enterprises/{ea1}")).await;
    for k in ["id", "createdAt", "updatedAt"] {
        own.as_object_mut().unwrap().remove(k);
    }
    own["regionId"] = json!(a);
    own["supervisionCategory"] = json!("construction");
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/enterprises/{ea1}"),
            Some(own),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["fields"]["regionId"].is_string() && v["fields"]["supervisionCategory"].is_string(),
        "{v}"
    );
    // The stats follow the scope too.
    let t = app.token("inspA").await;
    let (_, stats) = app.get(&t, "/api/enterprises/stats").await;
    assert_eq!(stats["total"], 2);
    assert_eq!(stats["byDistrict"][0]["key"], a.to_string());
}

#[tokio::test]
async fn role_by_endpoint_matrix_sqlite() {
    let app = App::sqlite().await;
    role_matrix(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn role_by_endpoint_matrix_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: skipped");
        return;
    };
    let app = App::start(db).await;
    role_matrix(&app).await;
    let h: Value = app
        .client
        .get(format!("{}/api/health", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["database"], "postgres");
    app.finish().await;
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let headers = [
        "企业名称*",
        "统一社会信用代码*",
        "地址*",
        "经度",
        "纬度",
        "行业代码*",
        "监管分类*",
        "企业规模*",
        "从业人数*",
        "主要负责人*",
        "所属区域编码*",
        "监管部门",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn sheet_row(n: u32, region: &str) -> Vec<String> {
    [
        &format!("导入企业{n}"),
        &code(n),
        "地址",
        "118.8",
        "32.0",
        "C2614",
        "危险化学品",
        "小型",
        "12",
        "王五",
        region,
        "住建局",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[tokio::test]
async fn import_reports_every_bad_row_and_export_round_trips() {
    let app = App::sqlite().await;
    let t = app.token("admin").await;
    // Template.
    let r = app
        .client
        .get(format!("{}/api/enterprises/import-template", app.base))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let template = r.bytes().await.unwrap();
    assert_eq!(&template[..2], b"PK");
    // One bad check character, one duplicate of an existing enterprise, one missing name.
    let mut bad_check = sheet_row(301, "A");
    bad_check[1] = format!(
        "{}{}",
        &bad_check[1][..17],
        if bad_check[1].ends_with('0') {
            '1'
        } else {
            '0'
        }
    );
    let existing = {
        let mut r = sheet_row(302, "A1");
        r[1] = code(1);
        r
    };
    let mut no_name = sheet_row(303, "B");
    no_name[0].clear();
    let book = xlsx(&[
        sheet_row(300, "A"),
        bad_check,
        existing,
        no_name,
        sheet_row(304, "B"),
    ]);
    let before = app.enterprise_count().await;
    let import = |q: &'static str, body: Vec<u8>| {
        app.client
            .post(format!("{}/api/enterprises/import{q}", app.base))
            .bearer_auth(&t)
            .header(
                "content-type",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            .body(body)
            .send()
    };
    let r = import("", book.clone()).await.unwrap();
    assert_eq!(r.status(), 422);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (
            report["totalRows"].as_u64(),
            report["validRows"].as_u64(),
            report["imported"].as_u64()
        ),
        (Some(5), Some(2), Some(0))
    );
    let errs: Vec<(u64, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!((errs[0].0, errs[0].1.as_str()), (3, "统一社会信用代码"));
    assert!(errs[0].2.contains("check character"));
    assert_eq!(errs[1].0, 4);
    assert!(errs[1].2.contains("already exists"));
    assert_eq!(
        (errs[2].0, errs[2].1.as_str(), errs[2].2.as_str()),
        (5, "企业名称", "is required")
    );
    assert_eq!(
        app.enterprise_count().await,
        before,
        "nothing stored without importValid"
    );
    // Dry run stores nothing even with importValid.
    let r = import("?importValid=true&dryRun=true", book.clone())
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["imported"], 0);
    assert_eq!(app.enterprise_count().await, before);
    // "Import the valid rows": the two good rows are stored, through multipart this time.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(book).file_name("e.xlsx"),
    );
    let r = app
        .client
        .post(format!(
            "{}/api/enterprises/import?importValid=true",
            app.base
        ))
        .bearer_auth(&t)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the valid rows were stored as asked");
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (
            report["imported"].as_u64(),
            report["errors"].as_array().unwrap().len()
        ),
        (Some(2), 3)
    );
    assert_eq!(app.enterprise_count().await, before + 2);
    let (_, imported) = app
        .get(&t, &format!("/api/enterprises?uscc={}", code(300)))
        .await;
    assert_eq!(
        imported["rows"][0]["departmentId"].as_i64(),
        Some(app.id("housing"))
    );
    // A clean file imports entirely with 200.
    let r = import("", xlsx(&[sheet_row(310, "A")])).await.unwrap();
    assert_eq!(r.status(), 200);
    // Not a workbook.
    let r = import("", b"hello".to_vec()).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.json::<Value>().await.unwrap()["fields"]["file"].is_string());
    // Export, filtered to district A (A and A1), as CSV with BOM and as xlsx.
    let r = app
        .client
        .get(format!(
            "{}/api/enterprises/export?format=csv&regionId={}",
            app.base,
            app.id("A")
        ))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.bytes().await.unwrap();
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let (_, in_a) = app
        .get(&t, &format!("/api/enterprises?regionId={}", app.id("A")))
        .await;
    assert_eq!(
        text.lines().count() as u64,
        in_a["total"].as_u64().unwrap() + 1
    );
    assert!(text.contains(&code(300)) && !text.contains(&code(3)));
    let r = app
        .client
        .get(format!(
            "{}/api/enterprises/export?regionId={}",
            app.base,
            app.id("A")
        ))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height() as u64, in_a["total"].as_u64().unwrap() + 1);
    // The export is importable as is (the same columns); every row is a duplicate now.
    let r = import("", bytes).await.unwrap();
    let report: Value = r.json().await.unwrap();
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["message"].as_str().unwrap().contains("already exists")),
        "{report}"
    );
    let (s, v) = app.get(&t, "/api/enterprises/export?format=pdf").await;
    assert_eq!((s.as_u16(), v["fields"]["format"].is_string()), (422, true));
    app.finish().await;
}

#[tokio::test]
async fn a_city_administrator_cannot_take_over_the_super_administrator() {
    let app = App::sqlite().await;
    let city = app.token("city").await;
    let admin_role = app
        .store
        .find_role_by_key("admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let city_role = app
        .store
        .find_role_by_key("city_admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let admin_id = app
        .store
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (s, v) = app
        .call(&city, Method::POST, "/api/users", Some(json!({"username": "sneaky", "nickname": "s", "password": "Sneaky#2026", "roleIds": [admin_role]})))
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["roleIds"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, _) = app
        .call(
            &city,
            Method::PUT,
            &format!("/api/users/{admin_id}/password"),
            Some(json!({"password": "Taken#2026x"})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .call(
            &city,
            Method::PUT,
            &format!("/api/users/{admin_id}"),
            Some(json!({"nickname": "x", "status": "disabled", "roleIds": []})),
        )
        .await;
    assert_eq!(s, 403);
    assert_eq!(
        app.call(
            &city,
            Method::DELETE,
            &format!("/api/users/{admin_id}"),
            None
        )
        .await
        .0,
        403
    );
    let (s, _) = app
        .call(&city, Method::PUT, &format!("/api/roles/{city_role}"), Some(json!({"roleKey": "city_admin", "name": "x", "dataScope": "all", "status": "active", "menuIds": [1]})))
        .await;
    assert_eq!(s, 403, "built-in roles are the super administrator's");
    let admin = app.token("admin").await;
    let (_, online) = app.get(&city, "/api/monitor/online").await;
    let admin_session = online["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "admin")
        .unwrap()["sessionId"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.call(
            &city,
            Method::DELETE,
            &format!("/api/monitor/online/{admin_session}"),
            None
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.get(&admin, "/api/auth/me").await.0,
        200,
        "the admin is still signed in"
    );
    assert_eq!(
        app.login("admin", PW).await.0,
        200,
        "the admin's password is unchanged"
    );
    // The city administrator still manages ordinary accounts.
    let (s, u) = app
        .call(&city, Method::POST, "/api/users", Some(json!({"username": "clerk", "nickname": "c", "password": "Clerk#2026x", "roleIds": [city_role]})))
        .await;
    assert_eq!(s, 201, "{u}");
    let (s, _) = app
        .call(
            &city,
            Method::PUT,
            &format!("/api/users/{}/password", u["id"]),
            Some(json!({"password": "Clerk#2027x"})),
        )
        .await;
    assert_eq!(s, 204);
    app.finish().await;
}

#[tokio::test]
async fn logout_online_users_and_forced_logout() {
    let app = App::sqlite().await;
    let admin = app.token("admin").await;
    let city = app.token("city").await;
    let (s, online) = app.get(&admin, "/api/monitor/online").await;
    assert_eq!(s, 200);
    let city_session = online["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["username"] == "city")
        .unwrap()["sessionId"]
        .as_i64()
        .unwrap();
    // A district inspector has no permission to force anyone out.
    let inspector = app.token("inspA").await;
    assert_eq!(
        app.call(
            &inspector,
            Method::DELETE,
            &format!("/api/monitor/online/{city_session}"),
            None
        )
        .await
        .0,
        403
    );
    let (s, _) = app
        .call(
            &admin,
            Method::DELETE,
            &format!("/api/monitor/online/{city_session}"),
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(app.get(&city, "/api/enterprises").await.0, 401);
    assert_eq!(
        app.call(
            &admin,
            Method::DELETE,
            &format!("/api/monitor/online/{city_session}"),
            None
        )
        .await
        .0,
        404
    );
    let (s, _) = app
        .call(&admin, Method::POST, "/api/auth/logout", None)
        .await;
    assert_eq!(s, 204);
    assert_eq!(app.get(&admin, "/api/auth/me").await.0, 401);
    app.finish().await;
}

#[tokio::test]
async fn system_resources_crud() {
    let app = App::sqlite().await;
    let t = app.token("admin").await;
    // Me: admin has every permission and every menu.
    let (_, me) = app.get(&t, "/api/auth/me").await;
    assert_eq!(me["permissions"], json!(["*:*:*"]));
    assert_eq!(
        me["passwordPolicy"],
        json!({"minLength": 8, "minClasses": 3})
    );
    assert!(me["menus"].as_array().unwrap().len() >= 3);
    // Regions tree.
    let (_, tree) = app.get(&t, "/api/regions").await;
    assert_eq!(tree[0]["children"][0]["code"], "A1");
    let (s, street) = app.call(&t, Method::POST, "/api/regions", Some(json!({"parentId": app.id("B"), "code": "B1", "name": "乙区一街道", "level": "street"}))).await;
    assert_eq!(s, 201, "{street}");
    let (s, v) = app
        .call(
            &t,
            Method::DELETE,
            &format!("/api/regions/{}", app.id("A")),
            None,
        )
        .await;
    assert_eq!((s.as_u16(), v["fields"]["id"].is_string()), (422, true));
    // Departments.
    let (s, d) = app.call(&t, Method::POST, "/api/departments", Some(json!({"name": "交通局", "kind": "transport", "supervisedCategories": ["transport"], "industryCodes": ["5430"]}))).await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["industryCodes"], json!(["G5430"]));
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/departments",
            Some(json!({"name": "交通局", "kind": "transport"})),
        )
        .await;
    assert_eq!((s.as_u16(), v["fields"]["name"].is_string()), (422, true));
    // Roles: a custom one with a menu; its holder gets exactly those permissions.
    let (s, role) = app.call(&t, Method::POST, "/api/roles", Some(json!({"roleKey": "viewer", "name": "只读", "dataScope": "all", "status": "active", "menuIds": [300, 3001]}))).await;
    assert_eq!(s, 201, "{role}");
    let (s, u) = app
        .call(&t, Method::POST, "/api/users", Some(json!({"username": "viewer1", "nickname": "v", "password": "View#2026x", "roleIds": [role["id"]]})))
        .await;
    assert_eq!(s, 201, "{u}");
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/users",
            Some(json!({"username": "viewer1", "nickname": "v", "password": "View#2026x"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["username"].is_string()),
        (422, true)
    );
    let uid = u["id"].as_i64().unwrap();
    let (s, _) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/users/{uid}"),
            Some(json!({"nickname": "v2", "status": "active", "roleIds": [role["id"]]})),
        )
        .await;
    assert_eq!(s, 200);
    // Dictionaries and parameters.
    let (_, cats) = app
        .get(&t, "/api/dict/data/type/supervision_category")
        .await;
    assert_eq!(cats[0]["value"], "hazardous_chemicals");
    let (_, params) = app.get(&t, "/api/params").await;
    let lock = params["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["paramKey"] == "sys.login.maxFailures")
        .unwrap()
        .clone();
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/params/{}", lock["id"]),
            Some(
                json!({"paramKey": "sys.login.maxFailures", "name": lock["name"], "value": "zero"}),
            ),
        )
        .await;
    assert_eq!((s.as_u16(), v["fields"]["value"].is_string()), (422, true));
    let (s, _) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/params/{}", lock["id"]),
            Some(json!({"paramKey": "sys.login.maxFailures", "name": lock["name"], "value": "2"})),
        )
        .await;
    assert_eq!(s, 200);
    let min_len = params["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["paramKey"] == "sys.password.minLength")
        .unwrap()
        .clone();
    let (s2, v2) = app
        .call(&t, Method::PUT, &format!("/api/params/{}", min_len["id"]), Some(json!({"paramKey": "sys.password.minLength", "name": min_len["name"], "value": "100000"})))
        .await;
    assert_eq!(
        (
            s2.as_u16(),
            v2["fields"]["value"]
                .as_str()
                .map(|m| m.contains("6 to 64"))
        ),
        (422, Some(true)),
        "{v2}"
    );
    // The changed parameter takes effect: two failures now lock.
    app.login("city", "x").await;
    assert_eq!(app.login("city", "x").await.0, StatusCode::LOCKED);
    let (s, _) = app
        .call(&t, Method::DELETE, &format!("/api/users/{uid}"), None)
        .await;
    assert_eq!(s, 204);
    let me_id = me["user"]["id"].as_i64().unwrap();
    let (s, _) = app
        .call(&t, Method::DELETE, &format!("/api/users/{me_id}"), None)
        .await;
    assert_eq!(s, 422, "cannot delete oneself");
    app.finish().await;
}

#[tokio::test]
async fn calculations_over_http() {
    let app = App::sqlite().await;
    let t = app.token("mgr").await;
    let (s, topics) = app.get(&t, "/api/calc").await;
    assert_eq!(s, 200);
    assert!(
        topics
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "major-hazard")
    );
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/calc/uscc",
            Some(json!({"code": "91110000600037341L"})),
        )
        .await;
    assert_eq!((s.as_u16(), &v["valid"]), (200, &json!(true)), "{v}");
    let (s, v) = app
        .call(&t, Method::POST, "/api/calc/uscc", Some(json!({})))
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["code"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/calc/accident-grade",
            Some(json!({"deaths": 3, "serious_injuries": 0, "direct_loss_cny": 0})),
        )
        .await;
    assert_eq!((s.as_u16(), &v["grade"]), (200, &json!("较大")), "{v}");
    let (s, v) = app
        .call(
            &t,
            Method::POST,
            "/api/calc/accident-grade",
            Some(json!({"deaths": -1, "serious_injuries": 0, "direct_loss_cny": 0})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["deaths"].is_string()),
        (422, true),
        "{v}"
    );
    assert_eq!(
        app.call(&t, Method::POST, "/api/calc/no-such-topic", Some(json!({})))
            .await
            .0,
        404
    );
    let r = app
        .client
        .post(format!("{}/api/calc/uscc", app.base))
        .json(&json!({"code": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.finish().await;
}

/// Posts an xlsx as the `file` field of a multipart form, as the console does.
async fn upload(app: &App, token: &str, path: &str, book: Vec<u8>) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(book).file_name("import.xlsx"),
    );
    let r = app
        .client
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn sheet(headers: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn monitoring_crud(app: &App) {
    let t = app.token("admin").await;
    let (ea1, eb) = (app.id("eA1"), app.id("eB"));
    let post = |path: &'static str, body: Value| {
        let t = t.clone();
        async move { app.call(&t, Method::POST, path, Some(body)).await }
    };

    // Devices: create, duplicate code, the DTO never holds the hash.
    let (s, dev) = post(
        "/api/devices",
        json!({"code": "DTU-1", "name": "一号罐区DTU", "enterpriseId": ea1, "kind": "dtu"}),
    )
    .await;
    assert_eq!(s, 201, "{dev}");
    assert_eq!(
        (&dev["online"], &dev["hasPassword"], &dev["status"]),
        (&json!(false), &json!(false), &json!("active"))
    );
    assert!(dev.get("passwordHash").is_none() && dev.get("password").is_none());
    let dev_id = dev["id"].as_i64().unwrap();
    let (s, v) = post(
        "/api/devices",
        json!({"code": "DTU-1", "name": "x", "enterpriseId": ea1, "kind": "dtu"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["code"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, dev_b) = post(
        "/api/devices",
        json!({"code": "DTU-B", "name": "乙区DTU", "enterpriseId": eb, "kind": "gateway"}),
    )
    .await;
    assert_eq!(s, 201, "{dev_b}");
    let dev_b_id = dev_b["id"].as_i64().unwrap();

    // Sensors: limits are stored in the API shape; the engine validates them with field names.
    let limits = json!({"limits": [{"kind": "high", "value": 50.0, "priority": "high"},
                                    {"kind": "high_high", "value": 75.0, "priority": "critical", "onDelayS": 0}]});
    let sensor = |code: &str, device: Option<i64>, enterprise: i64, settings: Value| {
        json!({"code": code, "name": format!("{code} 可燃气体"), "deviceId": device, "enterpriseId": enterprise,
               "quantity": "combustible_gas", "unit": "%LEL", "samplingPeriodS": 10, "staleAfter": 0, "settings": settings})
    };
    let (s, gt1) = post(
        "/api/sensors",
        sensor("GT-1", Some(dev_id), ea1, limits.clone()),
    )
    .await;
    assert_eq!(s, 201, "{gt1}");
    let gt1_id = gt1["id"].as_i64().unwrap();
    assert_eq!(gt1["settings"]["limits"][0]["value"], 50.0);
    assert_eq!(
        (&gt1["deviceCode"], &gt1["outOfService"], &gt1["latest"]),
        (&json!("DTU-1"), &json!(false), &Value::Null)
    );
    for (settings, field) in [
        (
            json!({"limits": [{"kind": "high", "value": 5, "priority": "high", "deadbandPct": 2}]}),
            "settings.limits[0].deadbandPct",
        ),
        (
            json!({"limits": [{"kind": "high", "value": 5, "priority": "urgent"}]}),
            "settings.limits[0].priority",
        ),
        (
            json!({"limits": [{"kind": "low", "value": 5, "priority": "high"}, {"kind": "low", "value": 1, "priority": "high"}]}),
            "settings.limits[1].kind",
        ),
        (
            json!({"limits": [], "schedule": {"start": "25:00", "end": "05:00"}}),
            "settings.schedule.start",
        ),
        (json!({"limitz": []}), "settings.limitz"),
    ] {
        let (s, v) = post("/api/sensors", sensor("GT-X", None, ea1, settings.clone())).await;
        assert_eq!(s, 422, "{settings} -> {v}");
        assert!(
            v["fields"][field].is_string(),
            "{settings}: expected {field}, got {v}"
        );
    }
    let (s, v) = post("/api/sensors", sensor("GT-1", None, ea1, json!({}))).await;
    assert_eq!(
        (s.as_u16(), v["fields"]["code"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, v) = post(
        "/api/sensors",
        sensor("GT-X", Some(dev_b_id), ea1, json!({})),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["deviceId"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, gt_b) = post(
        "/api/sensors",
        sensor("GT-B", Some(dev_b_id), eb, json!({})),
    )
    .await;
    assert_eq!(s, 201, "{gt_b}");
    let gt_b_id = gt_b["id"].as_i64().unwrap();

    // Scope: the enterprise manager of A1 sees neither B's device nor its sensor.
    let mgr = app.token("mgr").await;
    let (s, list) = app.get(&mgr, "/api/devices?pageSize=100").await;
    assert_eq!(s, 200, "{list}");
    let codes: Vec<&str> = list["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["DTU-1"]);
    for path in [
        format!("/api/devices/{dev_b_id}"),
        format!("/api/sensors/{gt_b_id}"),
        format!("/api/sensors/{gt_b_id}/trend"),
    ] {
        assert_eq!(app.get(&mgr, &path).await.0, 404, "{path}");
    }
    let (s, _) = app
        .call(
            &mgr,
            Method::PUT,
            &format!("/api/devices/{dev_b_id}"),
            Some(json!({"code": "DTU-B", "name": "taken", "enterpriseId": eb, "kind": "dtu"})),
        )
        .await;
    assert_eq!(s, 404);
    assert_eq!(
        app.call(
            &mgr,
            Method::DELETE,
            &format!("/api/sensors/{gt_b_id}"),
            None
        )
        .await
        .0,
        404
    );
    let (s, v) = app
        .call(
            &mgr,
            Method::POST,
            "/api/devices",
            Some(json!({"code": "DTU-M", "name": "m", "enterpriseId": eb, "kind": "dtu"})),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["enterpriseId"].is_string()),
        (422, true),
        "{v}"
    );

    // MQTT password: returned once, stored as a verifiable hash.
    let (s, secret) = app
        .call(
            &t,
            Method::POST,
            &format!("/api/devices/{dev_id}/secret"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{secret}");
    assert_eq!(secret["username"], "DTU-1");
    let password = secret["password"].as_str().unwrap();
    assert_eq!(password.len(), 24);
    let stored = app
        .store
        .find_device_by_code("DTU-1")
        .await
        .unwrap()
        .unwrap();
    let hash = stored.password_hash.expect("hash stored");
    assert_ne!(hash, password);
    assert!(anjian_api::auth::verify_password(password, &hash));
    assert_eq!(
        app.get(&t, &format!("/api/devices/{dev_id}")).await.1["hasPassword"],
        true
    );

    // A webhook created before the alarm gets a delivery queued.
    let (s, v) = post(
        "/api/webhooks",
        json!({"name": "bad", "url": "ftp://example.com/x", "minPriority": "low"}),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["url"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, hook) = post(
        "/api/webhooks",
        json!({"name": "值班室", "url": "http://127.0.0.1:9/hook", "secret": "s3cret", "minPriority": "low", "enabled": true}),
    )
    .await;
    assert_eq!(s, 201, "{hook}");
    assert_eq!(
        (&hook["hasSecret"], hook.get("secret")),
        (&json!(true), None)
    );
    let hook_id = hook["id"].as_i64().unwrap();

    // Telemetry above the high limit raises an alarm and shows in the trend.
    let ts = chrono::Utc::now().timestamp_millis() - 1_000;
    let (s, rep) = post(
        "/api/telemetry",
        json!({"ts": ts, "values": {"GT-1": 60.5}}),
    )
    .await;
    assert_eq!((s.as_u16(), &rep["accepted"]), (200, &json!(1)), "{rep}");
    let mut alarm = Value::Null;
    for _ in 0..50 {
        let (_, list) = app.get(&t, "/api/alarms?source=GT-1&active=true").await;
        if let Some(a) = list["rows"]
            .as_array()
            .and_then(|r| r.iter().find(|a| a["condition"] == "high"))
        {
            alarm = a.clone();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        (&alarm["priority"], &alarm["sensorId"], &alarm["firstValue"]),
        (&json!("high"), &json!(gt1_id), &json!(60.5)),
        "no high alarm within 5 s: {alarm}"
    );
    let (s, trend) = app
        .get(
            &t,
            &format!(
                "/api/sensors/{gt1_id}/trend?from={}&to={}",
                ts - 60_000,
                ts + 60_000
            ),
        )
        .await;
    assert_eq!(s, 200, "{trend}");
    assert_eq!(trend["raw"], json!([{"ts": ts, "value": 60.5}]));
    assert_eq!(trend["points"].as_array().unwrap().len(), 1, "{trend}");
    assert_eq!(
        (&trend["points"][0]["max"], &trend["points"][0]["avg"]),
        (&json!(60.5), &json!(60.5))
    );
    assert!(
        trend["limits"]
            .as_array()
            .unwrap()
            .contains(&json!({"kind": "high", "value": 50.0, "priority": "high"}))
    );
    assert_eq!(trend["sensor"]["latest"]["value"], 60.5);
    let (s, v) = app
        .get(
            &t,
            &format!(
                "/api/sensors/{gt1_id}/trend?from={ts}&to={}",
                ts + 32 * 86_400_000
            ),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["from"].is_string()),
        (422, true),
        "{v}"
    );
    let dev = app.get(&t, &format!("/api/devices/{dev_id}")).await.1;
    assert_eq!(
        (&dev["online"], &dev["lastSeen"]),
        (&json!(true), &json!(ts)),
        "{dev}"
    );
    let (s, deliveries) = app
        .get(
            &t,
            &format!("/api/webhooks/{hook_id}/deliveries?pageSize=5"),
        )
        .await;
    assert_eq!(s, 200, "{deliveries}");
    assert!(deliveries["total"].as_u64().unwrap() >= 1, "{deliveries}");
    assert_eq!(deliveries["rows"][0]["webhookId"], hook_id);

    // Webhook update: a blank secret keeps the stored one.
    let (s, v) = app
        .call(&t, Method::PUT, &format!("/api/webhooks/{hook_id}"),
              Some(json!({"name": "值班室2", "url": "https://example.com/h", "secret": "", "minPriority": "high", "enabled": false})))
        .await;
    assert_eq!(
        (s.as_u16(), &v["name"], &v["hasSecret"], &v["enabled"]),
        (200, &json!("值班室2"), &json!(true), &json!(false)),
        "{v}"
    );
    assert_eq!(
        app.store
            .get_webhook(hook_id)
            .await
            .unwrap()
            .secret
            .as_deref(),
        Some("s3cret")
    );
    let (_, hooks) = app.get(&t, "/api/webhooks").await;
    assert_eq!(hooks["total"], 1);
    assert_eq!(
        app.call(
            &t,
            Method::DELETE,
            &format!("/api/webhooks/{hook_id}"),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        app.get(&t, &format!("/api/webhooks/{hook_id}/deliveries"))
            .await
            .0,
        404
    );

    // Voting groups: every member needs the voting limit; a member keeps its limit and its place.
    let (s, gt2) = post(
        "/api/sensors",
        sensor(
            "GT-2",
            Some(dev_id),
            ea1,
            json!({"limits": [{"kind": "low", "value": 1, "priority": "high"}]}),
        ),
    )
    .await;
    assert_eq!(s, 201, "{gt2}");
    let gt2_id = gt2["id"].as_i64().unwrap();
    let group = json!({"code": "VOTE-1", "name": "罐区2oo2", "enterpriseId": ea1, "members": ["GT-1", "GT-2"],
                       "condition": "high", "k": 2, "windowS": 60, "priority": "critical"});
    let (s, v) = post("/api/alarm-groups", group.clone()).await;
    assert_eq!(
        (s.as_u16(), v["fields"]["members"].is_string()),
        (422, true),
        "GT-2 has no high limit: {v}"
    );
    let mut gt2_body = sensor("GT-2", Some(dev_id), ea1, limits.clone());
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/sensors/{gt2_id}"),
            Some(gt2_body.clone()),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let mut bad_k = group.clone();
    bad_k["k"] = json!(3);
    let (s, v) = post("/api/alarm-groups", bad_k).await;
    assert_eq!(
        (s.as_u16(), v["fields"]["k"].is_string()),
        (422, true),
        "{v}"
    );
    let (s, g) = post("/api/alarm-groups", group.clone()).await;
    assert_eq!(
        (s.as_u16(), &g["members"]),
        (201, &json!(["GT-1", "GT-2"])),
        "{g}"
    );
    let group_id = g["id"].as_i64().unwrap();
    gt2_body["settings"] = json!({"limits": []});
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/sensors/{gt2_id}"),
            Some(gt2_body),
        )
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["settings"].is_string()),
        (422, true),
        "a group member loses its limit: {v}"
    );
    assert_eq!(
        app.call(&t, Method::DELETE, &format!("/api/sensors/{gt2_id}"), None)
            .await
            .0,
        422
    );
    assert_eq!(
        app.get(&mgr, &format!("/api/alarm-groups/{group_id}"))
            .await
            .0,
        200
    );
    let mut renamed = group.clone();
    renamed["name"] = json!("改名");
    let (s, v) = app
        .call(
            &t,
            Method::PUT,
            &format!("/api/alarm-groups/{group_id}"),
            Some(renamed),
        )
        .await;
    assert_eq!((s.as_u16(), &v["name"]), (200, &json!("改名")), "{v}");
    assert_eq!(
        app.call(
            &t,
            Method::DELETE,
            &format!("/api/alarm-groups/{group_id}"),
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        app.call(&t, Method::DELETE, &format!("/api/sensors/{gt2_id}"), None)
            .await
            .0,
        204
    );

    // A device with sensors cannot be deleted.
    let (s, v) = app
        .call(&t, Method::DELETE, &format!("/api/devices/{dev_id}"), None)
        .await;
    assert_eq!(
        (s.as_u16(), v["fields"]["id"].is_string()),
        (422, true),
        "{v}"
    );

    // Import: one bad row is reported and nothing is stored, unless importValid=true.
    let headers = [
        "设备编码*",
        "设备名称*",
        "所属企业*",
        "设备类型*",
        "离线判定(秒)",
        "状态",
    ];
    let book = sheet(
        &headers,
        &[
            vec!["DTU-2", "二号", "测试企业2", "DTU", "120", "正常"],
            vec!["DTU-3", "三号", "测试企业2", "路由器", "", ""],
            vec!["DTU-4", "四号", &code(2), "网关", "", "停用"],
        ],
    );
    let (s, rep) = upload(app, &t, "/api/devices/import", book.clone()).await;
    assert_eq!(s, 422, "{rep}");
    assert_eq!(
        (&rep["totalRows"], &rep["validRows"], &rep["imported"]),
        (&json!(3), &json!(2), &json!(0)),
        "{rep}"
    );
    assert_eq!(
        rep["errors"],
        json!([{"row": 3, "column": "设备类型", "field": "kind", "message": "must be 网关 or DTU (gateway / dtu)"}])
    );
    assert_eq!(app.get(&t, "/api/devices?code=DTU-2").await.1["total"], 0);
    let (s, rep) = upload(app, &t, "/api/devices/import?importValid=true", book).await;
    assert_eq!((s.as_u16(), &rep["imported"]), (200, &json!(2)), "{rep}");
    let (_, d4) = app.get(&t, "/api/devices?code=DTU-4").await;
    assert_eq!(
        (
            &d4["rows"][0]["kind"],
            &d4["rows"][0]["status"],
            &d4["rows"][0]["enterpriseId"]
        ),
        (&json!("gateway"), &json!("disabled"), &json!(ea1))
    );
    // Sensors import with the limit columns; a bad setting names its row.
    let book = sheet(
        &[
            "监测点编码*",
            "监测点名称*",
            "所属企业*",
            "所属设备编码",
            "监测类型*",
            "采样周期(秒)*",
            "高报",
            "报警设置(JSON)",
        ],
        &[
            vec![
                "GT-10",
                "十号",
                "测试企业2",
                "DTU-2",
                "有毒气体",
                "30",
                "20",
                "",
            ],
            vec![
                "GT-11",
                "十一号",
                "测试企业2",
                "DTU-B",
                "氧气",
                "30",
                "",
                "",
            ],
            vec![
                "GT-12",
                "十二号",
                "测试企业2",
                "",
                "温度",
                "30",
                "",
                r#"{"limits":[{"kind":"high","value":5,"priority":"high","deadbandPct":1}]}"#,
            ],
        ],
    );
    let (s, rep) = upload(app, &t, "/api/sensors/import", book).await;
    assert_eq!((s.as_u16(), &rep["imported"]), (422, &json!(0)), "{rep}");
    let fields: Vec<(u64, &str)> = rep["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [(3, "deviceId"), (4, "settings.limits[0].deadbandPct")],
        "{rep}"
    );

    // Export: the filtered list as xlsx, readable with calamine; CSV with a BOM.
    let r = app
        .client
        .get(format!(
            "{}/api/devices/export?format=xlsx&enterpriseId={ea1}",
            app.base
        ))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        cells[0][..4],
        ["设备编码", "设备名称", "所属企业", "设备类型"]
    );
    let mut exported: Vec<&str> = cells[1..].iter().map(|r| r[0].as_str()).collect();
    exported.sort();
    assert_eq!(exported, ["DTU-1", "DTU-2", "DTU-4"]);
    assert!(
        cells
            .iter()
            .any(|r| r[0] == "DTU-2" && r[3] == "DTU" && r[4] == "120" && r[5] == "正常"),
        "{cells:?}"
    );
    let r = app
        .client
        .get(format!("{}/api/sensors/export?format=csv", app.base))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.bytes().await.unwrap();
    assert_eq!(&csv[..3], &[0xEF, 0xBB, 0xBF]);
    assert!(String::from_utf8_lossy(&csv).contains("GT-1"));
    let r = app
        .client
        .get(format!("{}/api/sensors/import-template", app.base))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.get(&mgr, "/api/devices/import-template").await.0, 200);
    assert_eq!(
        app.get(&app.token("officer").await, "/api/devices/import-template")
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn monitoring_configuration_sqlite() {
    let app = App::sqlite().await;
    monitoring_crud(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn monitoring_configuration_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: skipped");
        return;
    };
    let app = App::start(db).await;
    monitoring_crud(&app).await;
    app.finish().await;
}
