//! API tests of hidden-danger inspection against a real server on a random port, with a manual
//! clock: advancing the clock and running the periodic job generates tasks per the cron and flags
//! missed ones; workers complete their own tasks only; data scope (an enterprise sees its own, a
//! district its district). SQLite always; PostgreSQL too when `ANJIAN_TEST_POSTGRES_URL` is set.

use anjian_api::auth::hash_password;
use anjian_domain::clock::Clock;
use anjian_domain::enterprise::EnterpriseInput;
use anjian_domain::org::RegionLevel;
use anjian_domain::uscc::Uscc;
use anjian_store::testing::TestDb;
use anjian_store::{NewUser, RegionInput, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

const PW: &str = "Passw0rd!x";
/// A 1 x 1 PNG.
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
    tokens: HashMap<String, String>,
}

/// 2026-03-02 00:00 Asia/Shanghai (a Monday).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 16, 0, 0).unwrap()
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
        for (code, name) in [("A", "甲区"), ("B", "乙区")] {
            let r = store
                .create_region(RegionInput {
                    parent_id: None,
                    code: code.into(),
                    name: name.into(),
                    level: RegionLevel::District,
                    sort: 0,
                })
                .await
                .unwrap();
            let e = store
                .create_enterprise(
                    EnterpriseInput {
                        name: format!("{name}化工"),
                        uscc: uscc(if code == "A" { 1 } else { 2 }),
                        address: "测试路1号".into(),
                        industry_code: "C2614".into(),
                        supervision_category: "hazardous_chemicals".into(),
                        scale: "small".into(),
                        employee_count: 50,
                        principal_name: "张三".into(),
                        region_id: r.id,
                        ..Default::default()
                    }
                    .validate()
                    .unwrap(),
                    None,
                )
                .await
                .unwrap();
            ids.insert(if code == "A" { "A" } else { "B" }, r.id);
            ids.insert(if code == "A" { "eA" } else { "eB" }, e.id);
        }
        let hash = hash_password(PW).unwrap();
        let users: [(&'static str, &str, Option<i64>, Option<i64>); 7] = [
            ("admin", "admin", None, None),
            ("city", "city_admin", None, None),
            ("inspA", "district_inspector", Some(ids["A"]), None),
            ("mgrA", "enterprise_manager", None, Some(ids["eA"])),
            ("w1", "enterprise_worker", None, Some(ids["eA"])),
            ("w2", "enterprise_worker", None, Some(ids["eA"])),
            ("wB", "enterprise_worker", None, Some(ids["eB"])),
        ];
        for (name, role, region_id, enterprise_id) in users {
            let role_id = store.find_role_by_key(role).await.unwrap().unwrap().id;
            let u = store
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
            ids.insert(name, u.id);
        }
        let clock = Clock::manual(t0());
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
        App {
            base: format!("http://{addr}"),
            client: Client::new(),
            store,
            clock,
            db: Some(db),
            ids,
            tokens: HashMap::new(),
        }
    }

    async fn finish(mut self) {
        self.store.clone().close().await;
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }

    async fn login_all(&mut self) {
        for u in ["admin", "city", "inspA", "mgrA", "w1", "w2", "wB"] {
            let r = self
                .client
                .post(format!("{}/api/auth/login", self.base))
                .json(&json!({"username": u, "password": PW}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            let v: Value = r.json().await.unwrap();
            self.tokens
                .insert(u.to_owned(), v["token"].as_str().unwrap().to_owned());
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

    /// What the periodic job does once a minute, at the manual clock's time.
    async fn advance(&self, d: Duration) -> u64 {
        self.clock.advance(d);
        self.store
            .generate_inspection_tasks(self.clock.now())
            .await
            .unwrap()
    }

    /// Sets the clock to `t` and runs the job.
    async fn at(&self, t: DateTime<Utc>) -> u64 {
        self.clock.set(t);
        self.store.generate_inspection_tasks(t).await.unwrap()
    }

    async fn upload(&self, user: &str) -> i64 {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("p.png"),
        );
        let r = self
            .client
            .post(format!("{}/api/attachments", self.base))
            .bearer_auth(&self.tokens[user])
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
    }
}

fn results(items: &Value, fail: Option<(usize, Value)>) -> Value {
    let rows: Vec<Value> = items
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, it)| match &fail {
            Some((j, extra)) if *j == i => {
                let mut r = json!({"itemId": it["itemId"], "result": "fail"});
                for (k, v) in extra.as_object().unwrap() {
                    r[k] = v.clone();
                }
                r
            }
            _ => json!({"itemId": it["itemId"], "result": if i == 1 { "not_applicable" } else { "pass" }}),
        })
        .collect();
    Value::Array(rows)
}

async fn scenario(mut app: App) {
    app.login_all().await;
    let (e_a, e_b) = (app.ids["eA"], app.ids["eB"]);

    // Shared templates are visible to the manager; the worker has no checklist page.
    let (s, v) = app.get("mgrA", "/api/checklists?shared=true").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 3);
    let template = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "daily")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.get("w1", "/api/checklists").await.0,
        StatusCode::FORBIDDEN
    );
    // A manager cannot edit a shared template.
    let (s, _) = app
        .call(
            "mgrA",
            Method::PUT,
            &format!("/api/checklists/{template}"),
            Some(json!({"name": "x", "kind": "daily", "items": [{"content": "x"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Preview: invalid cron -> 422 naming cron; a preset -> occurrences in Shanghai time.
    let (s, v) = app
        .get(
            "mgrA",
            "/api/inspection-plans/preview?cron=*/5%20*%20*%20*%20*",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["cron"].as_str().unwrap().contains("60"), "{v}");
    let (s, v) = app
        .get(
            "mgrA",
            "/api/inspection-plans/preview?preset=per_shift&count=3&windowHours=8",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["cron"], "0 0,8,16 * * *");
    assert_eq!(v["occurrences"][0]["local"], "2026-03-02 08:00 周一");
    assert_eq!(
        v["occurrences"][0]["dueAt"], "2026-03-02T08:00:00Z",
        "08:00 Shanghai + 8 h = 08:00 UTC"
    );
    let (_, presets) = app.get("mgrA", "/api/inspection-plans/presets").await;
    assert_eq!(presets.as_array().unwrap().len(), 4);

    // The manager plans a daily patrol for worker 1 (enterprise defaults to the manager's).
    let (s, plan) = app
        .post(
            "mgrA",
            "/api/inspection-plans",
            json!({"checklistId": template, "name": "罐区日常巡检", "post": "罐区操作工",
                   "preset": "daily", "assigneeId": app.ids["w1"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{plan}");
    assert_eq!(plan["enterpriseId"], e_a);
    assert_eq!(
        (plan["cron"].as_str(), plan["windowHours"].as_i64()),
        (Some("0 8 * * *"), Some(12))
    );
    assert_eq!(plan["nextOccurrences"][0], "2026-03-02T00:00:00Z");
    assert_eq!(plan["assigneeName"], "w1昵称");
    let plan_id = plan["id"].as_i64().unwrap();
    // Assignee of another enterprise: 422 naming it. Workers cannot plan.
    let (s, v) = app
        .post(
            "mgrA",
            "/api/inspection-plans",
            json!({"checklistId": template, "name": "x", "post": "p", "cron": "0 8 * * *",
                   "windowHours": 4, "assigneeId": app.ids["wB"]}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(v["fields"]["assigneeId"].is_string(), "{v}");
    let (s, _) = app
        .post(
            "w1",
            "/api/inspection-plans",
            json!({"checklistId": template, "name": "x", "post": "p", "preset": "daily", "assigneeId": app.ids["w1"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The job before 08:00 creates nothing; at 08:00 it creates today's task.
    assert_eq!(app.advance(Duration::hours(7)).await, 0);
    assert_eq!(app.advance(Duration::hours(1)).await, 1);
    assert_eq!(app.advance(Duration::minutes(1)).await, 0);
    let (s, mine) = app
        .get("w1", "/api/inspection-tasks?mine=true&status=pending")
        .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(mine["total"], 1);
    let task = &mine["rows"][0];
    let task_id = task["id"].as_i64().unwrap();
    assert_eq!(task["scheduledAt"], "2026-03-02T00:00:00Z");
    assert_eq!(task["dueAt"], "2026-03-02T12:00:00Z");
    assert_eq!(task["status"], "pending");
    // The worker was notified.
    let (_, n) = app.get("w1", "/api/notifications").await;
    assert!(
        n["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "inspection.task_new"
                && n["link"] == format!("/hidden-danger/task/{task_id}")),
        "{n}"
    );
    // Another worker sees none of it, cannot open it, cannot complete it.
    let (_, other) = app.get("w2", "/api/inspection-tasks").await;
    assert_eq!(other["total"], 0);
    let (_, other) = app.get("w2", "/api/inspection-tasks?mine=false").await;
    assert_eq!(
        other["total"], 0,
        "without inspection:task:all, mine is forced"
    );
    assert_eq!(
        app.get("w2", &format!("/api/inspection-tasks/{task_id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    let (s, detail) = app
        .get("w1", &format!("/api/inspection-tasks/{task_id}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{detail}");
    assert_eq!(detail["canComplete"], true);
    assert_eq!(detail["planName"], "罐区日常巡检");
    let items = detail["items"].clone();
    let n_items = items.as_array().unwrap().len();
    assert!(n_items >= 7);
    assert!(items[0]["legalBasis"].is_string());
    let complete = format!("/api/inspection-tasks/{task_id}/complete");
    let (s, v) = app
        .post("w2", &complete, json!({"results": results(&items, None)}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");

    // Incomplete: 422 naming the missing item; failed without evidence: 422 naming it.
    let mut partial = results(&items, None);
    partial.as_array_mut().unwrap().pop();
    let (s, v) = app.post("w1", &complete, json!({"results": partial})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let last = items[n_items - 1]["itemId"].as_i64().unwrap();
    let msg = v["fields"][format!("results.{last}")].as_str().unwrap();
    assert!(msg.contains(&format!("第{n_items}项")), "{v}");
    let (s, v) = app
        .post(
            "w1",
            &complete,
            json!({"results": results(&items, Some((0, json!({}))))}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let first = items[0]["itemId"].as_i64().unwrap();
    assert!(
        v["fields"][format!("results.{first}")]
            .as_str()
            .unwrap()
            .contains("不合格")
    );
    // Someone else's photo id is refused.
    let photo_b = app.upload("wB").await;
    let (s, v) = app
        .post(
            "w1",
            &complete,
            json!({"results": results(&items, Some((0, json!({"photoIds": [photo_b]}))))}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The worker fails item 1 with a photo, at the tank farm, and submits.
    app.clock.advance(Duration::hours(1));
    let photo = app.upload("w1").await;
    let (s, done) = app
        .post(
            "w1",
            &complete,
            json!({"results": results(&items, Some((0, json!({"photoIds": [photo], "note": "防火堤有裂缝"})))),
                   "longitude": 118.79, "latitude": 32.06, "location": "1号罐区"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "completed");
    assert_eq!(done["completedBy"], app.ids["w1"]);
    assert_eq!(done["canComplete"], false);
    assert_eq!(done["items"][0]["result"], "fail");
    assert_eq!(done["items"][0]["photoIds"], json!([photo]));
    assert_eq!(done["items"][1]["result"], "not_applicable");
    assert_eq!(done["location"], "1号罐区");
    // Twice: 409.
    let (s, _) = app
        .post("w1", &complete, json!({"results": results(&items, None)}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The failed item becomes a hidden danger linked to the task and the item (随手拍 from a task).
    let report = |task: Value, item: Value| {
        json!({"source": "inspection", "description": "1号罐区防火堤有裂缝", "photoIds": [photo],
               "inspectionTaskId": task, "checklistItemId": item})
    };
    let (s, hd) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(json!(task_id), json!(first)),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hd}");
    assert_eq!(hd["inspectionTaskId"], task_id);
    assert_eq!(hd["checklistItemId"], first);
    let (_, linked) = app
        .get(
            "w1",
            &format!("/api/hidden-dangers?inspectionTaskId={task_id}"),
        )
        .await;
    assert_eq!(linked["total"], 1, "{linked}");
    // Once per item: a second report of the same item answers 409 with the first one's code.
    let (s, v) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(json!(task_id), json!(first)),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains(hd["code"].as_str().unwrap()),
        "{v}"
    );
    // An item recorded as passed (or not applicable) in this task is not a finding.
    let passed = items[n_items - 1]["itemId"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(json!(task_id), json!(passed)),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["checklistItemId"].is_string(), "{v}");
    // A report from an inspection names its task.
    let (s, v) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(Value::Null, Value::Null),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["inspectionTaskId"].is_string(), "{v}");
    // An item of another checklist, an item without its task, a task of another enterprise: 422.
    let (s, v) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(json!(task_id), json!(999_999)),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["checklistItemId"].is_string(), "{v}");
    let (s, v) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(Value::Null, json!(first)),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["checklistItemId"].is_string(), "{v}");
    let (s, v) = app
        .post(
            "w1",
            "/api/hidden-dangers",
            report(json!(999_999), Value::Null),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["inspectionTaskId"].is_string(), "{v}");

    // Next day: the 08:00 task is generated; nobody does it; after 20:00 it is missed.
    let mar3 = t0() + Duration::days(1);
    assert_eq!(app.at(mar3 + Duration::hours(8)).await, 1);
    let (_, p2) = app.get("w1", "/api/inspection-tasks?status=pending").await;
    let t2 = p2["rows"][0]["id"].as_i64().unwrap();
    // Exactly at the due time it is still pending.
    assert_eq!(app.at(mar3 + Duration::hours(20)).await, 0);
    let (_, v) = app.get("w1", &format!("/api/inspection-tasks/{t2}")).await;
    assert_eq!(v["status"], "pending");
    assert_eq!(
        app.at(mar3 + Duration::hours(20) + Duration::minutes(1))
            .await,
        1
    );
    let (_, v) = app.get("w1", &format!("/api/inspection-tasks/{t2}")).await;
    assert_eq!(
        (v["status"].as_str(), v["canComplete"].as_bool()),
        (Some("missed"), Some(false))
    );
    let (s, v) = app
        .post(
            "w1",
            &format!("/api/inspection-tasks/{t2}/complete"),
            json!({"results": results(&v["items"], None)}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    // The enterprise hears of it.
    let (_, n) = app.get("mgrA", "/api/notifications").await;
    assert!(
        n["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "inspection.task_missed")
    );

    // Run now (manager); a worker may not.
    let (s, manual) = app
        .post(
            "mgrA",
            &format!("/api/inspection-plans/{plan_id}/run"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{manual}");
    assert_eq!(
        (manual["trigger"].as_str(), manual["status"].as_str()),
        (Some("manual"), Some("pending"))
    );
    assert_eq!(
        app.post(
            "w1",
            &format!("/api/inspection-plans/{plan_id}/run"),
            json!({})
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    // The manager completes the worker's manual task on their behalf.
    let manual_id = manual["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "mgrA",
            &format!("/api/inspection-tasks/{manual_id}/complete"),
            json!({"results": results(&items, None)}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["completedBy"], app.ids["mgrA"]);

    // Enterprise B: a plan by the administrator for its worker, per one of B's risk points; one task.
    let (s, point_b) = app
        .post(
            "admin",
            "/api/risk-points",
            json!({"enterpriseId": e_b, "code": "FX-B1", "name": "储罐区", "kind": "area"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{point_b}");
    let plan_body = |risk_point_id: Value| {
        json!({"enterpriseId": e_b, "checklistId": template, "name": "乙区巡检", "riskPointId": risk_point_id,
               "cron": "0 * * * *", "windowHours": 2, "assigneeId": app.ids["wB"]})
    };
    let (s, v) = app
        .post("admin", "/api/inspection-plans", plan_body(json!(999_999)))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v["fields"]["riskPointId"].is_string(), "{v}");
    let (s, plan_b) = app
        .post(
            "admin",
            "/api/inspection-plans",
            plan_body(point_b["id"].clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{plan_b}");
    assert_eq!(app.at(mar3 + Duration::hours(21)).await, 1);
    let (_, all_b) = app
        .get(
            "admin",
            &format!("/api/inspection-tasks?enterpriseId={e_b}"),
        )
        .await;
    let task_b = all_b["rows"][0]["id"].as_i64().unwrap();

    // Scope: the manager and district A see enterprise A only; the city sees both.
    for user in ["mgrA", "inspA"] {
        let (s, v) = app.get(user, "/api/inspection-tasks?pageSize=100").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["total"], 3, "{user}");
        assert!(
            v["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|t| t["enterpriseId"] == e_a)
        );
        assert_eq!(
            app.get(user, &format!("/api/inspection-tasks/{task_b}"))
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
    let (_, v) = app.get("city", "/api/inspection-tasks?pageSize=100").await;
    assert_eq!(v["total"], 4);
    let (_, v) = app.get("wB", "/api/inspection-tasks").await;
    assert_eq!(v["total"], 1);
    // Government reads but does not complete.
    let (s, _) = app
        .post(
            "inspA",
            &format!("/api/inspection-tasks/{task_b}/complete"),
            json!({"results": []}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("inspA", "/api/inspection-plans").await.1["total"],
        1
    );
    assert_eq!(
        app.get("mgrA", &format!("/api/inspection-plans/{}", plan_b["id"]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Date filter (Shanghai days).
    let (_, v) = app
        .get(
            "mgrA",
            "/api/inspection-tasks?from=2026-03-03&to=2026-03-03",
        )
        .await;
    assert_eq!(v["total"], 2, "{v}");

    // Missed statistics per enterprise for the supervisors.
    let (s, st) = app
        .get(
            "inspA",
            "/api/inspection-tasks/stats?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(st["rows"].as_array().unwrap().len(), 1);
    let row = &st["rows"][0];
    assert_eq!(
        (
            row["enterpriseId"].as_i64(),
            row["total"].as_u64(),
            row["completed"].as_u64(),
            row["missed"].as_u64()
        ),
        (Some(e_a), Some(3), Some(2), Some(1))
    );
    assert!((row["missedRate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    let (_, st) = app
        .get(
            "city",
            "/api/inspection-tasks/stats?from=2026-03-01&to=2026-03-31",
        )
        .await;
    assert_eq!(st["total"]["total"], 4);
    assert_eq!(
        app.get("w1", "/api/inspection-tasks/stats").await.0,
        StatusCode::FORBIDDEN
    );

    // A plan with tasks cannot be deleted; disabling stops generation.
    assert_eq!(
        app.call(
            "mgrA",
            Method::DELETE,
            &format!("/api/inspection-plans/{plan_id}"),
            None
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (s, v) = app
        .call(
            "mgrA",
            Method::PUT,
            &format!("/api/inspection-plans/{plan_id}"),
            Some(
                json!({"checklistId": template, "name": "罐区日常巡检", "post": "罐区操作工",
                        "preset": "daily", "assigneeId": app.ids["w1"], "enabled": false}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["nextOccurrences"], json!([]));

    app.finish().await;
}

#[tokio::test]
async fn inspection_flow_on_sqlite() {
    scenario(App::start(TestDb::sqlite()).await).await;
}

#[tokio::test]
async fn inspection_flow_on_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    scenario(App::start(db).await).await;
}
