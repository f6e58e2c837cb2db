//! End-to-end tests of the risk API (风险分级管控) against a real server on a random port, a fresh
//! database (SQLite; also PostgreSQL when `ANJIAN_TEST_POSTGRES_URL` is set) and a manual clock.

use anjian_store::testing::TestDb;
use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod common;
use common::*;

impl App {
    async fn point(&self, user: &str, enterprise: &str, code: &str) -> i64 {
        let (s, v) = self
            .post(
                user,
                "/api/risk-points",
                json!({"enterpriseId": self.ids[enterprise], "code": code, "name": format!("风险点{code}"),
                       "kind": "equipment_facility", "location": "一车间", "hazardFactors": ["2201"],
                       "accidentTypes": ["08", "17"], "responsiblePerson": "李四",
                       "consequences": "火灾爆炸", "emergencyActions": "切断进料", "emergencyContacts": "119"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_i64().unwrap()
    }

    async fn codes(&self, user: &str, query: &str) -> Vec<String> {
        let (s, v) = self
            .get(user, &format!("/api/risk-points?pageSize=100{query}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let mut c: Vec<String> = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect();
        c.sort();
        c
    }
}

async fn scope_and_permissions(app: &App) {
    let a = app.point("admin", "eA", "A-1").await;
    let a1 = app.point("mgrA1", "eA1", "A1-1").await;
    let b = app.point("admin", "eB", "B-1").await;
    // The manager's own enterprise is the default.
    let (s, v) = app
        .post(
            "mgrB",
            "/api/risk-points",
            json!({"code": "B-2", "name": "二号", "kind": "area"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["enterpriseId"].as_i64(), Some(app.ids["eB"]));
    assert_eq!(app.codes("admin", "").await, ["A-1", "A1-1", "B-1", "B-2"]);
    assert_eq!(app.codes("city", "").await.len(), 4);
    assert_eq!(app.codes("inspA", "").await, ["A-1", "A1-1"]);
    assert_eq!(app.codes("officer", "").await, ["A1-1"]);
    assert_eq!(app.codes("mgrA1", "").await, ["A1-1"]);
    assert_eq!(app.codes("workerA1", "").await, ["A1-1"]);
    assert_eq!(app.codes("mgrB", "").await, ["B-1", "B-2"]);
    // Outside the scope: 404 on get, history, card, assess, update, delete.
    for path in [
        format!("/api/risk-points/{b}"),
        format!("/api/risk-points/{b}/history"),
        format!("/api/risk-points/{b}/card"),
        format!("/api/risk-points/{b}/measures"),
    ] {
        assert_eq!(
            app.get("mgrA1", &path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert_eq!(
            app.get("inspA", &path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (s, _) = app
        .post(
            "mgrA1",
            &format!("/api/risk-points/{b}/assessments"),
            json!({"method": "lec", "l": 3, "e": 6, "c": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .call(
            "mgrA1",
            Method::DELETE,
            &format!("/api/risk-points/{b}"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Creating for another enterprise: 422 on enterpriseId.
    let (s, v) = app
        .post(
            "mgrA1",
            "/api/risk-points",
            json!({"enterpriseId": app.ids["eB"], "code": "X", "name": "X", "kind": "area"}),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["enterpriseId".to_owned()]
        )
    );
    // Government roles and workers read but do not write.
    for user in ["inspA", "officer", "workerA1"] {
        let (s, _) = app
            .post(
                user,
                &format!("/api/risk-points/{a1}/assessments"),
                json!({"method": "lec", "l": 3, "e": 6, "c": 7}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{user}");
        assert_eq!(
            app.get(user, &format!("/api/risk-points/{a1}/card"))
                .await
                .0,
            StatusCode::OK
        );
    }
    assert_eq!(
        app.get("officer", "/api/risk-list/export").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("inspA", "/api/risk-list/export").await.0,
        StatusCode::OK
    );
    let _ = a;
}

async fn validation_assessment_history_and_card(app: &App) {
    let id = app.point("mgrA1", "eA1", "V-1").await;
    // Field errors by name.
    let (s, v) = app
        .post(
            "mgrA1",
            "/api/risk-points",
            json!({"code": "V-1", "name": "", "kind": "room", "hazardFactors": ["9"], "accidentTypes": ["WSA20001"], "reviewCycleMonths": 99}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&v);
    f.sort();
    assert_eq!(
        f,
        [
            "accidentTypes[0]",
            "hazardFactors[0]",
            "kind",
            "name",
            "reviewCycleMonths"
        ]
    );
    let (s, v) = app
        .post(
            "mgrA1",
            "/api/risk-points",
            json!({"code": "V-1", "name": "重复", "kind": "area"}),
        )
        .await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["code".to_owned()])
    );
    let (s, _) = app
        .post(
            "mgrA1",
            "/api/risk-points",
            json!({"code": "V-9", "name": "x", "kind": "area", "colour": "red"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "unknown fields are refused");
    let assess = |body: Value| async move {
        app.post("mgrA1", &format!("/api/risk-points/{id}/assessments"), body)
            .await
    };
    for (body, field) in [
        (json!({"method": "lec", "l": 2, "e": 6, "c": 7}), "l"),
        (json!({"method": "lec", "l": 3, "c": 7}), "e"),
        (json!({"method": "ls", "l": 3, "s": 6}), "s"),
        (json!({"method": "ls", "l": 3, "s": 2, "c": 1}), "c"),
        (json!({"method": "abc", "l": 3}), "method"),
        (
            json!({"method": "ls", "l": 3, "s": 2, "assessedOn": "2026-03-11"}),
            "assessedOn",
        ),
        (
            json!({"method": "ls", "l": 3, "s": 2, "assessedOn": "10/03/2026"}),
            "assessedOn",
        ),
    ] {
        let (s, v) = assess(body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(fields(&v), [field], "{body}");
    }
    // LEC 6 × 6 × 7 = 252 → 较大 (orange), by default today and the caller's name.
    let (s, v) = assess(json!({"method": "lec", "l": 6, "e": 6, "c": 7})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["assessment"]["value"], 252.0);
    assert_eq!(v["assessment"]["assessedOn"], "2026-03-10");
    assert_eq!(v["assessment"]["assessor"], "mgrA1昵称");
    assert_eq!(
        v["assessment"]["inputs"],
        json!({"method": "lec", "l": 6.0, "e": 6.0, "c": 7.0})
    );
    assert_eq!(
        (v["point"]["level"].as_str(), v["point"]["colour"].as_str()),
        (Some("high"), Some("orange"))
    );
    assert_eq!(v["point"]["nextReviewDue"], "2026-09-10");
    assert_eq!(v["point"]["managementGap"], "department");
    assert!(
        v["point"]["managementWarning"]
            .as_str()
            .unwrap()
            .contains("部门级")
    );
    assert_eq!(v["change"]["toLevel"], "high");
    // L × S 4 × 5 = 20 → 重大: reason required.
    let (s, v) = assess(json!({"method": "ls", "l": 4, "s": 5})).await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["reason".to_owned()])
    );
    let (s, v) = assess(
        json!({"method": "ls", "l": 4, "s": 5, "reason": "新增两台反应釜", "assessor": "张工"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["point"]["colour"], "red");
    assert_eq!(v["change"]["fromLevel"], "high");
    assert_eq!(v["change"]["changedByName"], "mgrA1昵称");
    // Measures: the warning follows the levels, never blocks.
    let (s, v) = app
        .post(
            "mgrA1",
            &format!("/api/risk-points/{id}/measures"),
            json!({"kind": "engineering", "content": "紧急切断联锁", "managementLevel": "department", "responsiblePerson": "王五"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["managementGap"], "company");
    let mid = v["rows"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .call(
            "mgrA1",
            Method::PUT,
            &format!("/api/risk-points/{id}/measures/{mid}"),
            Some(json!({"kind": "engineering", "content": "紧急切断联锁（SIS）", "managementLevel": "company"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["managementGap"], Value::Null);
    let (s, v) = app
        .post(
            "mgrA1",
            &format!("/api/risk-points/{id}/measures"),
            json!({"kind": "magic", "content": "", "managementLevel": "boss"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let mut f = fields(&v);
    f.sort();
    assert_eq!(f, ["content", "kind", "managementLevel"]);
    // History: two assessments, two changes with who / when / why.
    let (_, h) = app
        .get("workerA1", &format!("/api/risk-points/{id}/history"))
        .await;
    assert_eq!(h["assessments"].as_array().unwrap().len(), 2);
    let changes = h["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[1]["reason"], "新增两台反应釜");
    assert_eq!(changes[1]["changedAt"], "2026-03-10T02:00:00Z");
    // The card: hazards with names, measures, a QR SVG of the console URL from the forwarded host.
    let r = app
        .client
        .get(format!("{}/api/risk-points/{id}/card", app.base))
        .bearer_auth(&app.tokens["workerA1"])
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "aj.example.cn")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["url"], format!("https://aj.example.cn/risk/point/{id}"));
    assert!(
        c["qrSvg"].as_str().unwrap().starts_with("<?xml")
            || c["qrSvg"].as_str().unwrap().contains("<svg")
    );
    assert_eq!(c["hazards"][0], json!({"code": "2201", "name": "理化危险"}));
    assert_eq!(c["accidentTypes"][1]["name"], "容器爆炸");
    assert_eq!(c["levelName"], "重大风险");
    assert_eq!(c["measures"].as_array().unwrap().len(), 1);
    assert_eq!(c["point"]["emergencyActions"], "切断进料");
    // Scales for the dialog.
    let (_, sc) = app.get("workerA1", "/api/risk-scales").await;
    assert_eq!(sc["lecL"][1], json!({"value": 6.0, "meaning": "相当可能"}));
    assert_eq!(sc["minManagementLevel"]["major"], "company");
    assert_eq!(sc["reviewCycles"]["major"], 3);
}

async fn as_of_list_and_export(app: &App) {
    let id = app.point("mgrA1", "eA1", "L-1").await;
    let other = app.point("mgrA1", "eA1", "L-2").await;
    let assess = |id: i64, body: Value| async move {
        let (s, v) = app
            .post("mgrA1", &format!("/api/risk-points/{id}/assessments"), body)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    };
    assess(
        id,
        json!({"method": "lec", "l": 3, "e": 6, "c": 7, "assessedOn": "2025-05-01"}),
    )
    .await;
    assess(id, json!({"method": "lec", "l": 6, "e": 6, "c": 15, "assessedOn": "2025-11-01", "reason": "扩产"})).await;
    assess(
        other,
        json!({"method": "ls", "l": 1, "s": 2, "assessedOn": "2025-12-01"}),
    )
    .await;
    let e = app.ids["eA1"];
    let list = |q: String| async move {
        let (s, v) = app
            .get("mgrA1", &format!("/api/risk-list?enterpriseId={e}{q}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let rows: Vec<(String, Value)> = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["point"]["code"].as_str().unwrap().to_owned(),
                    r["colour"].clone(),
                )
            })
            .collect();
        (rows, v["counts"].clone())
    };
    let (rows, counts) = list("&asOf=2025-06-30".into()).await;
    // L-2 was created (2026-03-10, the clock) after that date and not assessed by then: absent.
    assert_eq!(rows, [("L-1".to_owned(), json!("yellow"))]);
    assert_eq!(counts["medium"], 1);
    let (rows, _) = list("&asOf=2025-12-31".into()).await;
    assert_eq!(
        rows,
        [
            ("L-1".to_owned(), json!("red")),
            ("L-2".to_owned(), json!("blue"))
        ]
    );
    let (rows, _) = list(String::new()).await;
    assert_eq!(rows[0], ("L-1".to_owned(), json!("red")));
    let (s, v) = app.get("mgrA1", "/api/risk-list?asOf=2026-03-11").await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["asOf".to_owned()])
    );
    let (s, v) = app.get("mgrA1", "/api/risk-list?asOf=yesterday").await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["asOf".to_owned()])
    );
    // Another enterprise's list is empty for this manager (scope), not an error.
    let (_, v) = app
        .get(
            "mgrA1",
            &format!("/api/risk-list?enterpriseId={}", app.ids["eB"]),
        )
        .await;
    assert!(v["rows"].as_array().unwrap().is_empty());
    // The export is a real xlsx with the level text.
    let r = app
        .client
        .get(format!(
            "{}/api/risk-list/export?enterpriseId={e}&asOf=2025-12-31",
            app.base
        ))
        .bearer_auth(&app.tokens["mgrA1"])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = r.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(cells.iter().any(|c| c.contains("截至 2025-12-31")));
    assert!(cells.iter().any(|c| c == "重大风险（红）"));
    assert!(cells.iter().any(|c| c == "低风险（蓝）"));
    assert!(cells.iter().any(|c| c == "L-1"));
}

async fn review_schedule_and_reminders(app: &App) {
    let id = app.point("mgrA1", "eA1", "R-1").await;
    // 重大, assessed 2026-01-10 → due 2026-04-10 (3 months).
    let (s, v) = app
        .post(
            "mgrA1",
            &format!("/api/risk-points/{id}/assessments"),
            json!({"method": "ls", "l": 5, "s": 5, "assessedOn": "2026-01-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["point"]["nextReviewDue"], "2026-04-10");
    assert_eq!(v["point"]["reviewState"], "ok");
    let due = |q: &'static str| async move {
        let (s, v) = app
            .get("officer", &format!("/api/risk-reviews?due={q}"))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            // L-1 of the list test is overdue all along.
            .filter(|c| c.starts_with("R-"))
            .collect::<Vec<_>>()
    };
    assert!(due("soon").await.is_empty());
    // L-1 of the list test is already overdue: reminded once, then nothing more is due.
    assert_eq!(
        app.store
            .remind_risk_reviews(app.clock.now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.store
            .remind_risk_reviews(app.clock.now())
            .await
            .unwrap(),
        0
    );
    // 2026-04-03 00:00 Shanghai: within 7 days.
    app.clock.set(t("2026-04-02T16:00:00Z"));
    assert_eq!(due("soon").await, ["R-1"]);
    assert!(due("overdue").await.is_empty());
    assert_eq!(
        app.store
            .remind_risk_reviews(app.clock.now())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.store
            .remind_risk_reviews(app.clock.now())
            .await
            .unwrap(),
        0
    );
    // The end of 04-10 Shanghai (16:00Z): overdue from then on, not a second before.
    app.clock.set(t("2026-04-10T15:59:59Z"));
    assert!(due("overdue").await.is_empty());
    app.clock.advance(Duration::seconds(1));
    assert_eq!(due("overdue").await, ["R-1"]);
    let (_, v) = app.get("mgrA1", &format!("/api/risk-points/{id}")).await;
    assert_eq!(v["reviewState"], "overdue");
    assert_eq!(
        app.codes("mgrA1", "&reviewDue=overdue").await,
        ["L-1", "R-1"]
    );
    assert_eq!(
        app.store
            .remind_risk_reviews(app.clock.now())
            .await
            .unwrap(),
        1
    );
    // The enterprise's users who may re-assess (the manager) see both reminders, linked to the
    // point; a worker, who cannot assess, gets none.
    let links_of = |n: &Value| {
        n["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["link"].as_str().map(str::to_owned))
            .filter(|l| *l == format!("/risk/point/{id}"))
            .count()
    };
    let (_, n) = app.get("mgrA1", "/api/notifications").await;
    assert_eq!(links_of(&n), 2, "{n}");
    let (_, n) = app.get("workerA1", "/api/notifications").await;
    assert_eq!(links_of(&n), 0, "{n}");
    let (_, n) = app.get("mgrB", "/api/notifications").await;
    assert_eq!(n["total"], 0);
    let (s, v) = app.get("officer", "/api/risk-reviews?due=later").await;
    assert_eq!(
        (s, fields(&v)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["due".to_owned()])
    );
    // Re-assessing clears it.
    let (s, _) = app
        .post(
            "mgrA1",
            &format!("/api/risk-points/{id}/assessments"),
            json!({"method": "ls", "l": 5, "s": 5}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(due("overdue").await.is_empty());
}

async fn run(db: TestDb) {
    let app = App::start(db).await;
    scope_and_permissions(&app).await;
    validation_assessment_history_and_card(&app).await;
    as_of_list_and_export(&app).await;
    review_schedule_and_reminders(&app).await;
    app.finish().await;
}

#[tokio::test]
async fn risk_api_sqlite() {
    run(TestDb::sqlite()).await;
}

#[tokio::test]
async fn risk_api_postgres() {
    let Some(db) = TestDb::postgres().await else {
        eprintln!("ANJIAN_TEST_POSTGRES_URL not set: PostgreSQL half skipped");
        return;
    };
    run(db).await;
}
