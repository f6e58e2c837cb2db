//! The hidden-danger workflow through HTTP against a real server on a random port, with a manual
//! clock: reporting with a photo, confirm / assign / start / extension / submit / verify, the
//! 403 / 409 / 422 answers, data scope (an enterprise sees its own, a district its district), the
//! overdue escalation and its notifications, listed supervision with progress reports, an alarm
//! turned into a hidden danger, statistics. SQLite always; PostgreSQL too when
//! `ANJIAN_TEST_POSTGRES_URL` is set.

use anjian_api::auth::hash_password;
use anjian_domain::clock::Clock;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::{DepartmentKind, RecordStatus, RegionLevel};
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{AlarmRow, DepartmentInput, NewUser, RegionInput, Store, TelemetryBatch};
use chrono::{DateTime, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

const PW: &str = "Passw0rd!x";

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

struct App {
    base: String,
    client: Client,
    store: Store,
    clock: Clock,
    db: Option<TestDb>,
    ids: HashMap<&'static str, i64>,
    tokens: HashMap<&'static str, String>,
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn uscc(n: u32) -> String {
    Uscc::with_check_character(&format!("91320102{n:09}"))
        .unwrap()
        .to_string()
}

impl App {
    async fn start(db: TestDb) -> App {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let mut ids = HashMap::new();
        let region = |code: &str, name: &str, sort| RegionInput {
            parent_id: None,
            code: code.into(),
            name: name.into(),
            level: RegionLevel::District,
            sort,
        };
        let a = store.create_region(region("A", "甲区", 0)).await.unwrap();
        let b = store.create_region(region("B", "乙区", 1)).await.unwrap();
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
        let bureau = store
            .create_department(DepartmentInput {
                parent_id: None,
                name: "市应急管理局".into(),
                kind: DepartmentKind::Bureau,
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
            let mut v: EnterpriseInput = serde_json::from_value(json!({
                "name": format!("测试化工{n}"), "uscc": uscc(n), "address": "测试路1号",
                "industryCode": "C2614", "supervisionCategory": "hazardous_chemicals", "scale": "small",
                "employeeCount": 50, "principalName": "张三", "regionId": region
            }))
            .unwrap();
            v.department_id = dep;
            v.validate().unwrap()
        };
        let e_a = store
            .create_enterprise(mk(1, a1.id, Some(bureau.id)), None)
            .await
            .unwrap();
        let e_b = store
            .create_enterprise(mk(2, b.id, Some(bureau.id)), None)
            .await
            .unwrap();
        ids.extend([
            ("A", a.id),
            ("B", b.id),
            ("bureau", bureau.id),
            ("eA", e_a.id),
            ("eB", e_b.id),
        ]);
        let hash = hash_password(PW).unwrap();
        type Fixture = (
            &'static str,
            &'static str,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let users: [Fixture; 9] = [
            ("city", "city_admin", None, Some(bureau.id), None),
            ("inspA", "district_inspector", Some(a.id), None, None),
            ("inspB", "district_inspector", Some(b.id), None, None),
            ("officer", "department_officer", None, Some(bureau.id), None),
            ("mgrA", "enterprise_manager", None, None, Some(e_a.id)),
            ("workerA", "enterprise_worker", None, None, Some(e_a.id)),
            ("repairA", "enterprise_worker", None, None, Some(e_a.id)),
            ("mgrB", "enterprise_manager", None, None, Some(e_b.id)),
            ("mgrA2", "enterprise_manager", None, None, Some(e_a.id)),
        ];
        for (name, role, region_id, department_id, enterprise_id) in users {
            let role_id = store.find_role_by_key(role).await.unwrap().unwrap().id;
            let u = store
                .create_user(NewUser {
                    username: name.into(),
                    nickname: format!("{name}的名字"),
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
            ids.insert(name, u.id);
        }
        let clock = Clock::manual(t("2026-03-02T02:00:00Z")); // 10:00 in Shanghai
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let pipeline = anjian_ingest::pipeline::Pipeline::start(store.clone(), Default::default())
            .await
            .expect("telemetry pipeline");
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
        for name in [
            "city", "inspA", "inspB", "officer", "mgrA", "workerA", "repairA", "mgrB", "mgrA2",
        ] {
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
                .insert(name, r["token"].as_str().expect("token").to_owned());
        }
        app
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

    async fn call(
        &self,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut rb = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[who]);
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

    async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.call(who, Method::GET, path, None).await
    }

    async fn post(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(who, Method::POST, path, Some(body)).await
    }

    async fn upload(&self, who: &str) -> i64 {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("photo.png"),
        );
        let r = self
            .client
            .post(format!("{}/api/attachments", self.base))
            .bearer_auth(&self.tokens[who])
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }

    /// Overdue notifications a user sees.
    async fn overdue_notes(&self, who: &str) -> Vec<Value> {
        let (s, v) = self.get(who, "/api/notifications?pageSize=100").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "hidden_danger.overdue")
            .cloned()
            .collect()
    }
}

fn field(v: &Value) -> Vec<String> {
    v["fields"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

async fn on_sqlite<F, Fut>(f: F)
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = App>,
{
    f(App::start(TestDb::sqlite()).await).await.finish().await;
}

async fn on_postgres<F, Fut>(f: F)
where
    F: FnOnce(App) -> Fut,
    Fut: std::future::Future<Output = App>,
{
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    f(App::start(db).await).await.finish().await;
}

macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite { $( #[tokio::test] async fn $name() { super::on_sqlite(super::$name).await } )+ }
        mod postgres { $( #[tokio::test] async fn $name() { super::on_postgres(super::$name).await } )+ }
    };
}

both!(
    the_whole_workflow_with_scope_and_refusals,
    overdue_escalation_notifications_and_listed_supervision,
    alarm_to_hidden_danger_staff_picker_and_stats,
);

async fn the_whole_workflow_with_scope_and_refusals(app: App) -> App {
    // The worker reports with a photo (随手拍); the enterprise defaults to theirs.
    let photo = app.upload("workerA").await;
    let (s, r) = app
        .post(
            "workerA",
            "/api/hidden-dangers",
            json!({"description": "储罐区可燃气体检测报警器未安装", "location": "罐区东侧",
                   "longitude": 118.8, "latitude": 32.05, "photoIds": [photo], "hazardFactorCode": "2"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["status"], "reported");
    assert_eq!(r["enterpriseId"], app.id("eA"));
    assert_eq!(r["code"], format!("YH-{}-20260302-001", app.id("eA")));
    let id = r["id"].as_i64().unwrap();
    let p = |a: &str| format!("/api/hidden-dangers/{id}/{a}");

    // 422 naming fields; 403 without the permission.
    let (s, v) = app
        .post(
            "workerA",
            "/api/hidden-dangers",
            json!({"description": " ", "photoIds": [999999], "latitude": 99}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field(&v).contains(&"description".to_string()), "{v}");
    assert!(field(&v).contains(&"latitude".to_string()), "{v}");
    let (s, _) = app
        .post(
            "officer",
            "/api/hidden-dangers",
            json!({"description": "x", "enterpriseId": app.id("eA")}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.post("workerA", &p("confirm"), json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Scope: an enterprise sees its own, a district its district.
    for (who, sees) in [
        ("mgrA", true),
        ("mgrB", false),
        ("inspA", true),
        ("inspB", false),
        ("city", true),
        ("officer", true),
    ] {
        let (s, v) = app.get(who, "/api/hidden-dangers?pageSize=50").await;
        assert_eq!(s, StatusCode::OK, "{who}: {v}");
        assert_eq!(v["total"].as_u64() == Some(1), sees, "{who}: {v}");
        let (s, _) = app.get(who, &format!("/api/hidden-dangers/{id}")).await;
        assert_eq!(s == StatusCode::OK, sees, "{who}");
    }
    let (s, _) = app.post("mgrB", &p("confirm"), json!({})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Grading: major needs a criteria item or a judgement.
    let (s, v) = app
        .post("mgrA", &p("confirm"), json!({"level": "major"}))
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["majorJudgement".to_string()]
        ),
        "{v}"
    );
    let (s, v) = app
        .post(
            "mgrA",
            &p("confirm"),
            json!({"level": "major", "criteriaStandard": "chemical-2017", "criteriaItem": 99}),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["criteriaItem".to_string()]
        ),
        "{v}"
    );
    // No step can be skipped.
    let (s, _) = app.post("mgrA", &p("verify"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = app
        .post(
            "mgrA",
            &p("confirm"),
            json!({"level": "major", "criteriaStandard": "chemical-2017", "criteriaItem": 12}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["level"].as_str()),
        (Some("confirmed"), Some("major"))
    );
    assert!(
        v["allowedActions"]
            .as_array()
            .unwrap()
            .contains(&json!("assign"))
    );
    let (s, v) = app.post("mgrA", &p("confirm"), json!({})).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict"))
    );

    // Assignment: the five assurances of a major one, a deadline not in the past, a remediator of
    // the enterprise.
    let five = json!({"measures": "安装可燃气体检测报警器并接入DCS", "fundsCny": 12000.0, "timeLimit": "2026-03-05",
                      "responsiblePerson": "李明", "contingencyPlan": "整改期间设警戒区，每2小时便携式检测"});
    let assign = |remediator: i64, deadline: &str, five: Option<Value>| {
        let mut b = json!({"remediatorId": remediator, "department": "维修班", "deadline": deadline, "measures": "安装报警器"});
        if let Some(f) = five {
            b["fiveAssurances"] = f;
        }
        b
    };
    let (s, v) = app
        .post(
            "mgrA",
            &p("assign"),
            assign(app.id("repairA"), "2026-03-05", None),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["fiveAssurances".to_string()]
        ),
        "{v}"
    );
    let (s, v) = app
        .post(
            "mgrA",
            &p("assign"),
            assign(app.id("repairA"), "2026-03-01", Some(five.clone())),
        )
        .await;
    assert!(
        s == StatusCode::UNPROCESSABLE_ENTITY && field(&v).contains(&"deadline".to_string()),
        "{v}"
    );
    let (s, v) = app
        .post(
            "mgrA",
            &p("assign"),
            assign(app.id("mgrB"), "2026-03-05", Some(five.clone())),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["remediatorId".to_string()]
        ),
        "{v}"
    );
    let (s, v) = app
        .post(
            "mgrA",
            &p("assign"),
            assign(app.id("repairA"), "2026-03-05", Some(five.clone())),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["deadline"].as_str()),
        (Some("assigned"), Some("2026-03-05"))
    );
    assert_eq!(v["fiveAssurances"]["fundsCny"], 12000.0);

    // Only the assigned remediator starts; nothing before its turn.
    let (s, _) = app.post("workerA", &p("start"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(
            "repairA",
            &p("submit"),
            json!({"description": "done", "evidenceIds": [photo]}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, v) = app
        .get("repairA", &format!("/api/hidden-dangers/{id}"))
        .await;
    let allowed: Vec<&str> = v["allowedActions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(allowed, ["start", "request_extension"]);
    let (s, v) = app.post("repairA", &p("start"), json!({})).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("in_remediation")),
        "{v}"
    );

    // An extension: one pending at a time; the deadline moves only on approval.
    let (s, v) = app
        .post(
            "repairA",
            &p("extension"),
            json!({"newDeadline": "2026-03-10", "reason": "报警器到货延迟"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["deadline"], "2026-03-05");
    let ext = v["extensions"][0]["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            "repairA",
            &p("extension"),
            json!({"newDeadline": "2026-03-12", "reason": "again"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post(
            "repairA",
            &format!("/api/hidden-danger-extensions/{ext}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            "mgrA",
            &format!("/api/hidden-danger-extensions/{ext}/approve"),
            json!({"comment": "同意"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["deadline"], "2026-03-10");
    assert_eq!(v["extensions"][0]["status"], "approved");
    let (s, _) = app
        .post(
            "mgrA",
            &format!("/api/hidden-danger-extensions/{ext}/refuse"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // Submit: evidence required; then the manager verifies.
    let (s, v) = app
        .post(
            "repairA",
            &p("submit"),
            json!({"description": "已安装报警器", "evidenceIds": []}),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["evidenceIds".to_string()]
        ),
        "{v}"
    );
    let evidence = app.upload("repairA").await;
    let (s, v) = app
        .post(
            "repairA",
            &p("submit"),
            json!({"description": "已安装报警器", "evidenceIds": [evidence]}),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{v}"
    );
    let (s, _) = app.post("repairA", &p("verify"), json!({})).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a worker holds no verify permission"
    );
    let (s, v) = app
        .post("mgrA", &p("send-back"), json!({"reason": ""}))
        .await;
    assert_eq!(
        (s, field(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()])
    );
    let (s, v) = app
        .post("mgrA", &p("verify"), json!({"comment": "验收合格"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "closed");
    assert_eq!(v["verifierName"], "mgrA的名字");
    let actions: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "report",
            "confirm",
            "assign",
            "start",
            "request_extension",
            "approve_extension",
            "submit",
            "verify"
        ]
    );
    assert_eq!(v["events"][0]["attachmentIds"], json!([photo]));
    assert_eq!(v["evidence"][0]["id"], evidence);

    // A closed record changes only through a logged reopen.
    let (s, _) = app
        .post("mgrA", &p("send-back"), json!({"reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = app
        .post(
            "mgrA",
            &p("reopen"),
            json!({"reason": "复查发现报警器未接入DCS"}),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("confirmed")),
        "{v}"
    );
    assert_eq!(
        v["events"].as_array().unwrap().last().unwrap()["comment"],
        "复查发现报警器未接入DCS"
    );

    // An enterprise whose only verifier is the proposed remediator: the assignment is refused,
    // or the record could never be verified.
    let (s, r) = app
        .post(
            "mgrB",
            "/api/hidden-dangers",
            json!({"description": "配电室门未关"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let only = r["id"].as_i64().unwrap();
    assert_eq!(
        app.post(
            "mgrB",
            &format!("/api/hidden-dangers/{only}/confirm"),
            json!({})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (s, v) = app
        .post(
            "mgrB",
            &format!("/api/hidden-dangers/{only}/assign"),
            assign(app.id("mgrB"), "2026-03-02", None),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["remediatorId".to_string()]
        )
    );

    // The remediator (here a manager assigned to himself) can never verify his own work; the
    // other manager can.
    let (s, r) = app
        .post(
            "mgrA",
            "/api/hidden-dangers",
            json!({"description": "消防通道堵塞"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id2 = r["id"].as_i64().unwrap();
    let p2 = |a: &str| format!("/api/hidden-dangers/{id2}/{a}");
    assert_eq!(
        app.post("mgrA", &p2("confirm"), json!({})).await.0,
        StatusCode::OK
    );
    assert_eq!(
        app.post(
            "mgrA",
            &p2("assign"),
            assign(app.id("mgrA"), "2026-03-02", None)
        )
        .await
        .0,
        StatusCode::OK
    );
    assert_eq!(
        app.post("mgrA", &p2("start"), json!({})).await.0,
        StatusCode::OK
    );
    let ev = app.upload("mgrA").await;
    assert_eq!(
        app.post(
            "mgrA",
            &p2("submit"),
            json!({"description": "已清理", "evidenceIds": [ev]})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (s, v) = app.post("mgrA", &p2("verify"), json!({})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v["message"].as_str().unwrap().contains("own work"));
    let (_, v) = app.get("mgrA", &format!("/api/hidden-dangers/{id2}")).await;
    assert!(
        !v["allowedActions"]
            .as_array()
            .unwrap()
            .contains(&json!("verify"))
    );
    let (s, v) = app.post("mgrA2", &p2("verify"), json!({})).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("closed")),
        "{v}"
    );
    app
}

async fn overdue_escalation_notifications_and_listed_supervision(app: App) -> App {
    let (s, r) = app
        .post(
            "mgrA",
            "/api/hidden-dangers",
            json!({"description": "液氯充装未使用万向管道充装系统", "level": "major", "majorJudgement": "符合化工重大隐患判定标准第7项的情形"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    let p = |a: &str| format!("/api/hidden-dangers/{id}/{a}");
    let (s, v) = app
        .post(
            "mgrA",
            &p("confirm"),
            json!({"level": "major", "criteriaStandard": "chemical-2017", "criteriaItem": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A general record with the same deadline, to compare the thresholds.
    let (_, g) = app
        .post(
            "mgrA",
            "/api/hidden-dangers",
            json!({"description": "配电室门未关"}),
        )
        .await;
    let gid = g["id"].as_i64().unwrap();
    app.post(
        "mgrA",
        &format!("/api/hidden-dangers/{gid}/confirm"),
        json!({}),
    )
    .await;
    let five = json!({"measures": "改造万向管道", "fundsCny": 80000, "timeLimit": "2026-03-03",
                      "responsiblePerson": "李明", "contingencyPlan": "暂停充装"});
    let (s, v) = app
        .post("mgrA", &p("assign"), json!({"remediatorId": app.id("repairA"), "department": "设备部", "deadline": "2026-03-03", "measures": "改造", "fiveAssurances": five}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _) = app
        .post("mgrA", &format!("/api/hidden-dangers/{gid}/assign"), json!({"remediatorId": app.id("repairA"), "department": "电工班", "deadline": "2026-03-03", "measures": "关门"}))
        .await;
    assert_eq!(s, StatusCode::OK);

    // Before the deadline's end (2026-03-03 24:00 Shanghai = 16:00Z) nothing is overdue.
    app.clock.set(t("2026-03-03T15:59:59Z"));
    assert_eq!(
        app.store
            .escalate_overdue_hidden_dangers(app.clock.now())
            .await
            .unwrap(),
        0
    );
    let (_, v) = app.get("city", "/api/hidden-dangers/overdue").await;
    assert_eq!(v["total"], 0, "{v}");

    // Two days later: the major one has reached the bureau, the general one the enterprise.
    app.clock.set(t("2026-03-05T17:00:00Z"));
    let raised = app
        .store
        .escalate_overdue_hidden_dangers(app.clock.now())
        .await
        .unwrap();
    assert_eq!(raised, 3 + 1);
    assert_eq!(
        app.store
            .escalate_overdue_hidden_dangers(app.clock.now())
            .await
            .unwrap(),
        0,
        "once per level"
    );
    let (s, v) = app
        .get("city", "/api/hidden-dangers/overdue?level=major")
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["rows"][0]["id"], id);
    assert_eq!(v["rows"][0]["escalation"], "bureau");
    assert_eq!(v["rows"][0]["daysOverdue"], 2);
    let (_, v) = app.get("inspB", "/api/hidden-dangers/overdue").await;
    assert_eq!(v["total"], 0, "another district sees none");
    let (_, v) = app.get("mgrA", &format!("/api/hidden-dangers/{gid}")).await;
    assert_eq!(v["escalation"], "enterprise");

    // Notifications reached each level once: the enterprise (both records), the supervising
    // department = the bureau (major: department and bureau levels), the district (bureau level).
    // At the enterprise the notices go to those who can act: the managers and the remediator.
    assert_eq!(app.overdue_notes("mgrA").await.len(), 2);
    assert_eq!(app.overdue_notes("mgrA2").await.len(), 2);
    assert_eq!(app.overdue_notes("repairA").await.len(), 2);
    assert_eq!(app.overdue_notes("workerA").await.len(), 0);
    let city = app.overdue_notes("city").await;
    assert_eq!(city.len(), 2, "{city:?}");
    assert!(
        city.iter()
            .all(|n| n["link"] == format!("/hidden-danger/detail/{id}"))
    );
    assert_eq!(app.overdue_notes("inspA").await.len(), 1);
    assert_eq!(app.overdue_notes("inspB").await.len(), 0);
    assert_eq!(app.overdue_notes("mgrB").await.len(), 0);
    let (_, v) = app.get("city", &format!("/api/hidden-dangers/{id}")).await;
    let escalations = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "escalate")
        .count();
    assert_eq!(escalations, 3);
    assert_eq!(v["canSupervise"], true);

    // Listed supervision: by a government level only, for a major one, once.
    let body = json!({"deadline": "2026-03-20", "requirements": "限期完成万向管道改造，每周报告进展", "documentNo": "宁应急督〔2026〕1号"});
    let (s, _) = app.post("mgrA", &p("supervision"), body.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post(
            "city",
            &format!("/api/hidden-dangers/{gid}/supervision"),
            body.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a general hidden danger");
    let (s, v) = app
        .post(
            "city",
            &p("supervision"),
            json!({"deadline": "2026-03-01", "requirements": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field(&v), ["deadline", "requirements"]);
    let (s, sup) = app.post("city", &p("supervision"), body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{sup}");
    assert_eq!(
        (
            sup["govLevel"].as_str(),
            sup["organName"].as_str(),
            sup["status"].as_str()
        ),
        (Some("city"), Some("市应急管理局"), Some("open"))
    );
    let (s, _) = app.post("inspA", &p("supervision"), body.clone()).await;
    assert_eq!(s, StatusCode::CONFLICT, "already supervised");
    let sid = sup["id"].as_i64().unwrap();

    // The enterprise reports progress; the government lifts it.
    let att = app.upload("mgrA").await;
    let (s, v) = app
        .post(
            "mgrA",
            &format!("/api/listed-supervisions/{sid}/progress"),
            json!({"content": "管道已采购，预计3月15日安装", "attachmentIds": [att]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["progress"][0]["content"], "管道已采购，预计3月15日安装");
    let (s, _) = app
        .post(
            "city",
            &format!("/api/listed-supervisions/{sid}/progress"),
            json!({"content": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .get("inspA", "/api/listed-supervisions?status=open")
        .await;
    assert_eq!((s, v["total"].as_u64()), (StatusCode::OK, Some(1)), "{v}");
    let (_, v) = app.get("inspB", "/api/listed-supervisions").await;
    assert_eq!(v["total"], 0);
    let (_, v) = app.get("city", "/api/hidden-dangers?supervised=true").await;
    assert_eq!(v["total"], 1);
    let (s, _) = app
        .post(
            "mgrA",
            &format!("/api/listed-supervisions/{sid}/lift"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .post(
            "city",
            &format!("/api/listed-supervisions/{sid}/lift"),
            json!({"reason": ""}),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_string()])
    );
    let (s, v) = app
        .post(
            "city",
            &format!("/api/listed-supervisions/{sid}/lift"),
            json!({"reason": "已完成整改并验收"}),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (StatusCode::OK, Some("lifted")),
        "{v}"
    );
    let (s, _) = app
        .post(
            "mgrA",
            &format!("/api/listed-supervisions/{sid}/progress"),
            json!({"content": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // An approved extension moves the deadline: no longer overdue, escalation starts over.
    app.post("repairA", &p("start"), json!({})).await;
    let (s, v) = app
        .post(
            "repairA",
            &p("extension"),
            json!({"newDeadline": "2026-03-12", "reason": "材料未到"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ext = v["pendingExtensionId"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "mgrA",
            &format!("/api/hidden-danger-extensions/{ext}/approve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["overdue"].as_bool(), v["escalation"].as_str()),
        (Some(false), Some("none"))
    );
    app
}

async fn alarm_to_hidden_danger_staff_picker_and_stats(app: App) -> App {
    let alarm = AlarmRow {
        id: 77,
        source_kind: "sensor".into(),
        source: "PT-101".into(),
        condition: "high".into(),
        enterprise_id: Some(app.id("eA")),
        sensor_id: None,
        device_id: None,
        priority: "high".into(),
        state: "unacknowledged".into(),
        active: true,
        acknowledged: false,
        started_at: 1_772_416_800_000,
        cleared_at: None,
        ended_at: None,
        acked_at: None,
        acked_by: None,
        ack_comment: None,
        closed_by: None,
        close_reason: None,
        shelved_until: None,
        first_value: Some(2950.0),
        last_value: Some(2950.0),
        chattering: false,
        updated_at: 1_772_416_800_000,
    };
    app.store
        .write_telemetry(&TelemetryBatch {
            alarms: vec![alarm],
            ..Default::default()
        })
        .await
        .unwrap();
    let (s, _) = app
        .post("mgrB", "/api/alarms/77/hidden-danger", json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "outside mgrB's scope");
    let (s, v) = app
        .post("mgrA", "/api/alarms/77/hidden-danger", json!({}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (
            v["source"].as_str(),
            v["alarmId"].as_i64(),
            v["enterpriseId"].as_i64()
        ),
        (Some("alarm"), Some(77), Some(app.id("eA")))
    );
    // The description names the condition and priority by their dictionary labels, with the value.
    let description = v["description"].as_str().unwrap();
    assert!(description.contains("PT-101"), "{description}");
    assert!(description.contains("高报"), "{description}");
    assert!(description.contains("报警级别高"), "{description}");
    assert!(description.contains("2950"), "{description}");
    let hid = v["id"].as_i64().unwrap();
    let (s, v) = app
        .post("mgrA", "/api/alarms/77/hidden-danger", json!({}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains(&format!("hidden danger {hid}")),
        "{v}"
    );
    let (_, v) = app.get("mgrA", "/api/hidden-dangers?alarmId=77").await;
    assert_eq!(v["total"], 1);
    // An empty body is accepted too (the console sends none).
    let r = app
        .client
        .post(format!("{}/api/hidden-dangers/{hid}/verify", app.base))
        .bearer_auth(&app.tokens["mgrA"])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "reported, not submitted");

    // A risk point link must name one of the enterprise's risk points; links filter the list.
    // (Links to inspection tasks and checklist items are checked in crates/api/tests/inspection.rs.)
    let (s, point) = app
        .post(
            "mgrA",
            "/api/risk-points",
            json!({"enterpriseId": app.ids["eA"], "code": "FX-01", "name": "灭火器站", "kind": "area"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{point}");
    let point_id = point["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "workerA",
            "/api/hidden-dangers",
            json!({"description": "灭火器过期", "riskPointId": point_id + 1000}),
        )
        .await;
    assert_eq!(
        (s, field(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["riskPointId".to_string()]
        )
    );
    let (s, _) = app
        .post(
            "workerA",
            "/api/hidden-dangers",
            json!({"description": "灭火器过期", "riskPointId": point_id}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, v) = app
        .get(
            "mgrA",
            &format!("/api/hidden-dangers?riskPointId={point_id}&source=ad_hoc"),
        )
        .await;
    assert_eq!(v["total"], 1);
    let (s, v) = app.get("mgrA", "/api/hidden-dangers?status=bogus").await;
    assert_eq!(
        (s, field(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["status".to_string()])
    );
    let (_, v) = app.get("mgrA", "/api/hidden-dangers?keyword=灭火器").await;
    assert_eq!(v["total"], 1);

    // Staff picker: users of an enterprise in scope.
    let (s, v) = app.get("mgrA", "/api/enterprise-staff").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["mgrA", "workerA", "repairA", "mgrA2"]);
    assert_eq!(v[1]["roleKeys"], json!(["enterprise_worker"]));
    let (s, _) = app
        .get(
            "mgrB",
            &format!("/api/enterprise-staff?enterpriseId={}", app.id("eA")),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .get(
            "inspA",
            &format!("/api/enterprise-staff?enterpriseId={}", app.id("eA")),
        )
        .await;
    assert_eq!(s, StatusCode::OK);

    // Statistics and exports.
    let (s, st) = app.get("city", "/api/hidden-danger-stats").await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(st["total"], 2);
    assert_eq!(
        st["byStatus"][0],
        json!({"key": "reported", "label": null, "count": 2, "closed": 0, "overdue": 0})
    );
    assert_eq!(st["byRegion"][0]["label"], "甲区");
    assert_eq!(st["onTimeRate"], Value::Null);
    let (_, st) = app.get("mgrB", "/api/hidden-danger-stats").await;
    assert_eq!(st["total"], 0);
    let (s, _) = app.get("workerA", "/api/hidden-danger-stats").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for path in [
        "/api/hidden-danger-stats/export",
        "/api/hidden-dangers/export",
        "/api/hidden-dangers/export?overdue=true",
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.base))
            .bearer_auth(&app.tokens["city"])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let bytes = r.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "{path}: an xlsx");
    }
    let (s, _) = app.get("officer", "/api/hidden-dangers/export").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app
}
