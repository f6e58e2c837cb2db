//! Webhook delivery against a real HTTP endpoint and a real database (SQLite, and PostgreSQL when
//! `ANJIAN_TEST_POSTGRES_URL` is set): signed JSON body, retry with back-off after a failure,
//! delivered on success, dead after the last attempt.

use anjian_ingest::webhook::{MAX_ATTEMPTS, deliver_due, retry_delay_ms, signature};
use anjian_store::testing::TestDb;
use anjian_store::{AlarmEventRow, AlarmRow, Store, TelemetryBatch, WebhookInput};
use axum::http::{HeaderMap, StatusCode};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Endpoint {
    /// Status codes to answer, in order; 200 once exhausted.
    answers: Vec<u16>,
    /// (signature header, body) of every request.
    seen: Vec<(Option<String>, serde_json::Value)>,
}

async fn endpoint(state: Arc<Mutex<Endpoint>>) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let state = state.clone();
            async move {
                let mut s = state.lock().unwrap();
                let sig = headers
                    .get("x-anjian-signature")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let v = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                s.seen.push((sig, v));
                let code = if s.answers.is_empty() {
                    200
                } else {
                    s.answers.remove(0)
                };
                StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    format!("http://{addr}/hook")
}

fn alarm(id: i64, ts: i64) -> AlarmRow {
    AlarmRow {
        id,
        source_kind: "sensor".into(),
        source: "GT-1".into(),
        condition: "high".into(),
        enterprise_id: None,
        sensor_id: None,
        device_id: None,
        priority: "high".into(),
        state: "unacknowledged".into(),
        active: true,
        acknowledged: false,
        started_at: ts,
        cleared_at: None,
        ended_at: None,
        acked_at: None,
        acked_by: None,
        ack_comment: None,
        closed_by: None,
        close_reason: None,
        shelved_until: None,
        first_value: Some(95.0),
        last_value: Some(95.0),
        chattering: false,
        updated_at: ts,
    }
}

async fn raise(store: &Store, id: i64, ts: i64) {
    store
        .write_telemetry(&TelemetryBatch {
            alarms: vec![alarm(id, ts)],
            events: vec![AlarmEventRow {
                alarm_id: id,
                kind: "raised".into(),
                ts,
                value: Some(95.0),
                priority: "high".into(),
                state: "unacknowledged".into(),
                actor: None,
                comment: None,
            }],
            ..Default::default()
        })
        .await
        .unwrap();
}

async fn statuses(store: &Store, webhook: i64) -> Vec<(String, i32)> {
    store
        .list_webhook_deliveries(
            webhook,
            anjian_domain::page::Page::new(Some(1), Some(50)).unwrap(),
        )
        .await
        .unwrap()
        .rows
        .into_iter()
        .map(|d| (d.status, d.attempts))
        .collect()
}

#[tokio::test]
async fn deliveries_are_signed_retried_and_dead_lettered() {
    let mut dbs = vec![TestDb::sqlite()];
    if let Some(pg) = TestDb::postgres().await {
        dbs.push(pg);
    }
    for db in dbs {
        let store = Store::connect(&db.url).await.unwrap();
        store.migrate().await.unwrap();
        let state = Arc::new(Mutex::new(Endpoint {
            answers: vec![500],
            seen: Vec::new(),
        }));
        let url = endpoint(state.clone()).await;
        let hook = store
            .create_webhook(WebhookInput {
                name: "值班系统".into(),
                url,
                secret: Some("s3cret".into()),
                enabled: true,
                min_priority: "medium".into(),
            })
            .await
            .unwrap();
        let client = reqwest::Client::new();
        // Deliveries are created due at the wall-clock time of the commit.
        let t0 = anjian_ingest::pipeline::now_ms() + 1_000;
        raise(&store, 1, t0).await;

        // First attempt fails (HTTP 500): pending again, due 10 s later, not before.
        assert_eq!(deliver_due(&store, &client, t0).await.unwrap(), 1);
        assert_eq!(
            statuses(&store, hook.id).await,
            vec![("pending".to_string(), 1)]
        );
        assert_eq!(deliver_due(&store, &client, t0 + 9_000).await.unwrap(), 0);
        // Second attempt succeeds.
        assert_eq!(deliver_due(&store, &client, t0 + 10_000).await.unwrap(), 1);
        assert_eq!(
            statuses(&store, hook.id).await,
            vec![("delivered".to_string(), 2)]
        );
        assert_eq!(
            deliver_due(&store, &client, t0 + 10_000_000).await.unwrap(),
            0
        );
        {
            let s = state.lock().unwrap();
            assert_eq!(s.seen.len(), 2);
            let (sig, body) = &s.seen[1];
            assert_eq!(body["alarmId"], 1);
            assert_eq!(body["source"], "GT-1");
            assert_eq!(body["kind"], "raised");
            assert_eq!(body["priority"], "high");
            assert_eq!(body["attempt"], 2);
            let bytes = serde_json::to_vec(body).unwrap();
            assert_eq!(sig.as_deref(), Some(signature("s3cret", &bytes).as_str()));
        }

        // An endpoint that always fails: dead after MAX_ATTEMPTS, kept with its last error.
        state.lock().unwrap().answers = vec![503; 20];
        raise(&store, 2, t0 + 1).await;
        let mut now = t0 + 1;
        for attempt in 1..=MAX_ATTEMPTS {
            assert_eq!(
                deliver_due(&store, &client, now).await.unwrap(),
                1,
                "attempt {attempt}"
            );
            now += retry_delay_ms(attempt).unwrap_or(0);
        }
        let st = statuses(&store, hook.id).await;
        assert!(st.contains(&("dead".to_string(), MAX_ATTEMPTS)), "{st:?}");
        assert_eq!(
            deliver_due(&store, &client, now + 86_400_000)
                .await
                .unwrap(),
            0
        );
        store.close().await;
        db.drop_db().await;
    }
}
