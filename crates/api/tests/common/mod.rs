//! The fixture shared by the API test files (risk, major hazard installations, dynamic risk): a real server on a
//! random port over a fresh database (SQLite, or PostgreSQL from `ANJIAN_TEST_POSTGRES_URL`) with a
//! manual clock, two regions, a department, three enterprises and the users of every built-in
//! role, signed in. Each test file adds its own helpers in its own `impl App` block.
#![allow(dead_code)] // each test file uses a different part

use anjian_api::auth::hash_password;
use anjian_domain::clock::Clock;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel};
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{DepartmentInput, NewUser, RegionInput, Store};
use chrono::{DateTime, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

pub const PW: &str = "Passw0rd!x";

pub struct App {
    pub base: String,
    pub client: Client,
    pub store: Store,
    pub clock: Clock,
    pub db: Option<TestDb>,
    pub ids: HashMap<&'static str, i64>,
    pub tokens: HashMap<&'static str, String>,
}

pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub fn enterprise(
    n: u32,
    region_id: i64,
    dep: Option<i64>,
) -> anjian_domain::enterprise::EnterpriseDraft {
    let mut v: EnterpriseInput = serde_json::from_value(json!({
        "name": format!("测试企业{n}"),
        "uscc": Uscc::with_check_character(&format!("91320102{n:09}")).unwrap().to_string(),
        "address": "测试路1号", "industryCode": "C2614", "supervisionCategory": "hazardous_chemicals",
        "scale": "small", "employeeCount": 50, "principalName": "张三", "regionId": region_id
    }))
    .unwrap();
    v.department_id = dep;
    v.validate().unwrap()
}

impl App {
    /// Regions A (with street A1) and B; department housing; enterprises eA (A), eA1 (A1,
    /// supervised by housing), eB (B). Users: admin, city, inspA (district A), officer (housing),
    /// mgrA1 (manager of eA1), workerA1 (worker of eA1), mgrB (manager of eB).
    pub async fn start(db: TestDb) -> App {
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
        let e_a = store
            .create_enterprise(enterprise(1, a.id, None), None)
            .await
            .unwrap();
        let e_a1 = store
            .create_enterprise(enterprise(2, a1.id, Some(housing.id)), None)
            .await
            .unwrap();
        let e_b = store
            .create_enterprise(enterprise(3, b.id, None), None)
            .await
            .unwrap();
        let ids: HashMap<&'static str, i64> = [
            ("eA", e_a.id),
            ("eA1", e_a1.id),
            ("eB", e_b.id),
            ("A", a.id),
            ("A1", a1.id),
            ("B", b.id),
        ]
        .into();
        let hash = hash_password(PW).unwrap();
        type Fixture = (
            &'static str,
            &'static str,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let users: [Fixture; 7] = [
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
            ("mgrA1", "enterprise_manager", None, None, Some(e_a1.id)),
            ("workerA1", "enterprise_worker", None, None, Some(e_a1.id)),
            ("mgrB", "enterprise_manager", None, None, Some(e_b.id)),
        ];
        for (name, role, region_id, department_id, enterprise_id) in users {
            let role_id = store.find_role_by_key(role).await.unwrap().unwrap().id;
            store
                .create_user(NewUser {
                    username: name.into(),
                    nickname: format!("{name}昵称"),
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
        // 2026-03-10 10:00 in Shanghai.
        let clock = Clock::manual(t("2026-03-10T02:00:00Z"));
        let app = anjian_api::app_with_clock(store.clone(), pipeline, clock.clone());
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
            clock,
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

    pub async fn finish(mut self) {
        self.store.clone().close().await;
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }

    pub async fn call(
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

    pub async fn get(&self, user: &str, path: &str) -> (StatusCode, Value) {
        self.call(user, Method::GET, path, None).await
    }

    pub async fn post(&self, user: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(user, Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, user: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(user, Method::PUT, path, Some(body)).await
    }
}

/// The field names of a 422 answer's `fields`.
pub fn fields(v: &Value) -> Vec<String> {
    v["fields"]
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}
