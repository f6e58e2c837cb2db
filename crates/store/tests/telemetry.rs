//! Conformance of the monitoring storage (m0003): every test runs on SQLite, and on PostgreSQL
//! when `ANJIAN_TEST_POSTGRES_URL` is set (CI sets it). Each test gets a fresh database.

use anjian_domain::auth::{DataScope, ScopeFilter};
use anjian_domain::enterprise::{EnterpriseDraft, EnterpriseInput};
use anjian_domain::org::RegionLevel;
use anjian_domain::page::Page;
use anjian_domain::uscc::Uscc;
use anjian_store::*;

anjian_store::both_databases!(
    menus_grants_and_dictionaries,
    sqlite_pragmas,
    write_is_idempotent_and_aggregates_only_new_readings,
    latest_only_moves_forward,
    alarms_upsert_events_and_webhook_deliveries,
    engine_state_round_trip,
    purge_removes_old_telemetry_and_ended_alarms,
    fifty_thousand_readings_in_one_call,
    device_crud_scope_and_uniqueness,
    sensor_crud_scope_and_rules_source,
    alarm_list_scope_filters_and_detail,
    webhook_crud_and_delivery_lifecycle,
);

const T0: i64 = 1_764_374_400_000; // 2025-11-29T00:00:00Z, a minute boundary

fn page(size: u64) -> Page {
    Page::new(Some(1), Some(size)).unwrap()
}

fn all() -> ScopeFilter {
    ScopeFilter::unrestricted()
}

fn uscc(n: u32) -> String {
    Uscc::with_check_character(&format!("91320102{n:09}"))
        .unwrap()
        .to_string()
}

fn draft(n: u32, region_id: i64) -> EnterpriseDraft {
    EnterpriseInput {
        name: format!("企业{n}"),
        uscc: uscc(n),
        address: "地址".into(),
        industry_code: "C2614".into(),
        supervision_category: "hazardous_chemicals".into(),
        scale: "small".into(),
        employee_count: 10,
        principal_name: "张三".into(),
        region_id,
        ..Default::default()
    }
    .validate()
    .unwrap()
}

fn field_of(e: StoreError) -> Vec<String> {
    match e {
        StoreError::Invalid(v) => v.fields.into_keys().collect(),
        other => panic!("expected a field error, got {other:?}"),
    }
}

/// Two districts, one enterprise in each.
struct World {
    d1_path: String,
    e1: i64,
    e2: i64,
}

async fn world(store: &Store) -> World {
    let mut ids = vec![];
    let mut paths = vec![];
    for (i, code) in ["D1", "D2"].into_iter().enumerate() {
        let r = store
            .create_region(RegionInput {
                parent_id: None,
                code: code.into(),
                name: code.into(),
                level: RegionLevel::District,
                sort: 0,
            })
            .await
            .unwrap();
        let e = store
            .create_enterprise(draft(i as u32 + 1, r.id), None)
            .await
            .unwrap();
        ids.push(e.id);
        paths.push(r.path);
    }
    World {
        d1_path: paths[0].clone(),
        e1: ids[0],
        e2: ids[1],
    }
}

fn device_input(code: &str, enterprise_id: i64) -> DeviceInput {
    DeviceInput {
        code: code.into(),
        name: format!("设备{code}"),
        enterprise_id,
        kind: "dtu".into(),
        offline_after_s: Some(90),
        status: "active".into(),
        remark: None,
    }
}

fn sensor_input(code: &str, enterprise_id: i64, device_id: Option<i64>) -> SensorInput {
    SensorInput {
        code: code.into(),
        name: format!("监测点{code}"),
        device_id,
        enterprise_id,
        installation_id: None,
        risk_point_id: None,
        quantity: "combustible_gas".into(),
        unit: "%LEL".into(),
        range_low: Some(0.0),
        range_high: Some(100.0),
        sampling_period_s: 10,
        stale_after: 3,
        area: Some("罐区".into()),
        settings: serde_json::json!({"limits": [{"kind": "high", "value": 25.0, "priority": "high"}]}),
        status: "active".into(),
    }
}

async fn sensor(store: &Store, code: &str, enterprise_id: i64) -> Sensor {
    store
        .create_sensor(sensor_input(code, enterprise_id, None), &all())
        .await
        .unwrap()
}

fn r(sensor_id: i64, ts: i64, value: f64) -> ReadingRow {
    ReadingRow {
        sensor_id,
        ts,
        value,
        quality: QUALITY_GOOD,
    }
}

fn alarm_row(
    id: i64,
    source: &str,
    sensor_id: Option<i64>,
    enterprise_id: Option<i64>,
) -> AlarmRow {
    AlarmRow {
        id,
        source_kind: "sensor".into(),
        source: source.into(),
        condition: "high".into(),
        enterprise_id,
        sensor_id,
        device_id: None,
        priority: "high".into(),
        state: "unacknowledged".into(),
        active: true,
        acknowledged: false,
        started_at: T0,
        cleared_at: None,
        ended_at: None,
        acked_at: None,
        acked_by: None,
        ack_comment: None,
        closed_by: None,
        close_reason: None,
        shelved_until: None,
        first_value: Some(30.0),
        last_value: Some(30.0),
        chattering: false,
        updated_at: T0,
    }
}

fn event(alarm_id: i64, kind: &str, ts: i64, priority: &str) -> AlarmEventRow {
    AlarmEventRow {
        alarm_id,
        kind: kind.into(),
        ts,
        value: Some(30.0),
        priority: priority.into(),
        state: "unacknowledged".into(),
        actor: None,
        comment: None,
    }
}

async fn menus_grants_and_dictionaries(store: Store) {
    store.migrate().await.expect("second migrate is a no-op");
    let menus = store.list_menus().await.unwrap();
    let perms_of = |id: i64| {
        menus
            .iter()
            .find(|m| m.id == id)
            .and_then(|m| m.perms.clone())
    };
    assert_eq!(perms_of(400).as_deref(), Some("monitoring:device:list"));
    assert_eq!(perms_of(4001).as_deref(), Some("monitoring:device:query"));
    assert_eq!(perms_of(4022).as_deref(), Some("monitoring:alarm:ack"));
    assert_eq!(perms_of(4031).as_deref(), Some("monitoring:kpi:query"));
    assert_eq!(perms_of(4044).as_deref(), Some("monitoring:webhook:remove"));
    let dir = menus.iter().find(|m| m.id == 4).unwrap();
    assert_eq!(
        (dir.menu_type.as_str(), dir.path.as_deref()),
        ("M", Some("monitoring"))
    );
    let page = menus.iter().find(|m| m.id == 402).unwrap();
    assert_eq!(page.component.as_deref(), Some("monitoring/alarm/index"));

    let menu_ids = |key: &'static str| {
        let store = store.clone();
        async move {
            let role = store.find_role_by_key(key).await.unwrap().unwrap();
            store.get_role(role.id).await.unwrap().1
        }
    };
    let admin = menu_ids("city_admin").await;
    assert!(admin.contains(&4) && admin.contains(&4044) && admin.contains(&4025));
    let inspector = menu_ids("district_inspector").await;
    assert!(inspector.contains(&4) && inspector.contains(&402) && inspector.contains(&4022));
    assert!(inspector.contains(&4001) && inspector.contains(&4041));
    assert!(!inspector.contains(&4002), "no device add for inspectors");
    assert!(!inspector.contains(&4023), "no shelve for inspectors");
    let manager = menu_ids("enterprise_manager").await;
    assert!(manager.contains(&4002) && manager.contains(&4015) && manager.contains(&4025));
    assert!(!manager.contains(&404) && !manager.contains(&4041));

    let reasons = store.dict_data_of("alarm_close_reason").await.unwrap();
    let pairs: Vec<(&str, &str)> = reasons
        .iter()
        .map(|d| (d.value.as_str(), d.label.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("false_alarm", "误报"),
            ("maintenance", "检修"),
            ("handled", "已处置"),
            ("duplicate", "重复"),
            ("other", "其他")
        ]
    );
    let quantities = store.dict_data_of("sensor_quantity").await.unwrap();
    assert_eq!(quantities.len(), SENSOR_QUANTITIES.len());
    assert_eq!(quantities[0].remark.as_deref(), Some("%LEL"));
    for t in [
        "alarm_priority",
        "alarm_state",
        "alarm_condition",
        "device_kind",
    ] {
        assert!(!store.dict_data_of(t).await.unwrap().is_empty(), "{t}");
    }
    assert_eq!(
        store.dict_data_of("alarm_priority").await.unwrap().len(),
        PRIORITIES.len()
    );
    assert_eq!(
        store.dict_data_of("alarm_condition").await.unwrap().len(),
        ALARM_CONDITIONS.len()
    );
}

async fn sqlite_pragmas(store: Store) {
    if store.backend_name() != "sqlite" {
        assert_eq!(store.sqlite_pragmas().await.unwrap(), None);
        return;
    }
    let p = store.sqlite_pragmas().await.unwrap().expect("sqlite");
    assert_eq!(p.journal_mode, "wal");
    assert_eq!(p.synchronous, 1, "NORMAL");
    assert!(p.busy_timeout_ms >= 1000);
    assert!(p.foreign_keys);
}

async fn write_is_idempotent_and_aggregates_only_new_readings(store: Store) {
    let w = world(&store).await;
    let s = sensor(&store, "GT-1", w.e1).await;
    let batch = TelemetryBatch {
        readings: vec![
            r(s.id, T0, 10.0),
            r(s.id, T0 + 10_000, 14.0),
            r(s.id, T0 + 60_000, 3.0),
        ],
        latest: vec![r(s.id, T0 + 60_000, 3.0)],
        ..Default::default()
    };
    let first = store.write_telemetry(&batch).await.unwrap();
    assert_eq!((first.readings_new, first.readings_duplicate), (3, 0));
    assert_eq!(first.minutes, 2);
    let again = store.write_telemetry(&batch).await.unwrap();
    assert_eq!((again.readings_new, again.readings_duplicate), (0, 3));
    assert_eq!(again.minutes, 0);

    let raw = store
        .readings_between(s.id, T0, T0 + 120_000, 100)
        .await
        .unwrap();
    assert_eq!(raw.len(), 3);
    let minutes = store.minutes_between(s.id, T0, T0 + 120_000).await.unwrap();
    assert_eq!(
        minutes,
        vec![
            MinuteRow {
                sensor_id: s.id,
                minute: T0,
                min: 10.0,
                max: 14.0,
                sum: 24.0,
                count: 2
            },
            MinuteRow {
                sensor_id: s.id,
                minute: T0 + 60_000,
                min: 3.0,
                max: 3.0,
                sum: 3.0,
                count: 1
            },
        ]
    );

    // A second batch into the same minute merges min/max/sum/count; a duplicate inside it
    // (already stored) is not counted again.
    let second = TelemetryBatch {
        readings: vec![
            r(s.id, T0 + 20_000, 20.0),
            r(s.id, T0 + 30_000, 7.5),
            r(s.id, T0, 999.0),
        ],
        ..Default::default()
    };
    let out = store.write_telemetry(&second).await.unwrap();
    assert_eq!((out.readings_new, out.readings_duplicate), (2, 1));
    let m0 = store.minutes_between(s.id, T0, T0 + 1).await.unwrap();
    assert_eq!(
        m0,
        vec![MinuteRow {
            sensor_id: s.id,
            minute: T0,
            min: 7.5,
            max: 20.0,
            sum: 51.5,
            count: 4
        }]
    );
    // The stored value of a duplicate is the first one.
    let first_reading = store.readings_between(s.id, T0, T0 + 1, 10).await.unwrap();
    assert_eq!(first_reading, vec![r(s.id, T0, 10.0)]);
    // Limits: `to` is exclusive, `limit` caps, order is by time.
    let capped = store
        .readings_between(s.id, T0, T0 + 60_000, 2)
        .await
        .unwrap();
    assert_eq!(
        capped.iter().map(|r| r.ts).collect::<Vec<_>>(),
        [T0, T0 + 10_000]
    );
    // The same reading twice inside one batch is stored and aggregated once.
    let twice = TelemetryBatch {
        readings: vec![r(s.id, T0 + 180_000, 6.0), r(s.id, T0 + 180_000, 6.0)],
        ..Default::default()
    };
    let out = store.write_telemetry(&twice).await.unwrap();
    assert_eq!((out.readings_new, out.readings_duplicate), (1, 1));
    let m3 = store
        .minutes_between(s.id, T0 + 180_000, T0 + 240_000)
        .await
        .unwrap();
    assert_eq!((m3[0].count, m3[0].sum), (1, 6.0));
    // A value that is not finite is refused before anything is written.
    let bad = TelemetryBatch {
        readings: vec![r(s.id, T0 + 90_000, 1.0), r(s.id, T0 + 91_000, f64::NAN)],
        ..Default::default()
    };
    assert_eq!(
        field_of(store.write_telemetry(&bad).await.unwrap_err()),
        ["readings[1].value"]
    );
    assert!(
        store
            .readings_between(s.id, T0 + 90_000, T0 + 90_001, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn latest_only_moves_forward(store: Store) {
    let w = world(&store).await;
    let s = sensor(&store, "GT-1", w.e1).await;
    let s2 = sensor(&store, "GT-2", w.e1).await;
    let latest = |ts, v| TelemetryBatch {
        latest: vec![r(s.id, ts, v)],
        ..Default::default()
    };
    store
        .write_telemetry(&latest(T0 + 5_000, 5.0))
        .await
        .unwrap();
    store
        .write_telemetry(&latest(T0 + 1_000, 1.0))
        .await
        .unwrap();
    let got = store.get_sensor(s.id, &all()).await.unwrap().latest;
    assert_eq!(got, Some(r(s.id, T0 + 5_000, 5.0)));
    store
        .write_telemetry(&latest(T0 + 9_000, 9.0))
        .await
        .unwrap();
    // Several candidates of one sensor in one batch: the newest wins, whatever the order.
    store
        .write_telemetry(&TelemetryBatch {
            latest: vec![
                r(s.id, T0 + 20_000, 20.0),
                r(s2.id, T0, 1.0),
                r(s.id, T0 + 30_000, 30.0),
                r(s.id, T0 + 10_000, 10.0),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
    let got = store.get_sensor(s.id, &all()).await.unwrap().latest;
    assert_eq!(got, Some(r(s.id, T0 + 30_000, 30.0)));
    let got2 = store.get_sensor(s2.id, &all()).await.unwrap().latest;
    assert_eq!(got2, Some(r(s2.id, T0, 1.0)));
}

async fn alarms_upsert_events_and_webhook_deliveries(store: Store) {
    let w = world(&store).await;
    let s = sensor(&store, "GT-1", w.e1).await;
    let high = store
        .create_webhook(WebhookInput {
            name: "high".into(),
            url: "https://example.invalid/high".into(),
            secret: Some("k".into()),
            enabled: true,
            min_priority: "high".into(),
        })
        .await
        .unwrap();
    let low = store
        .create_webhook(WebhookInput {
            name: "all".into(),
            url: "https://example.invalid/all".into(),
            secret: None,
            enabled: true,
            min_priority: "low".into(),
        })
        .await
        .unwrap();
    store
        .create_webhook(WebhookInput {
            name: "off".into(),
            url: "https://example.invalid/off".into(),
            secret: None,
            enabled: false,
            min_priority: "low".into(),
        })
        .await
        .unwrap();

    let mut a = alarm_row(7, "GT-1", Some(s.id), Some(w.e1));
    let out = store
        .write_telemetry(&TelemetryBatch {
            alarms: vec![a.clone()],
            events: vec![event(7, "raised", T0, "high")],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((out.events, out.deliveries), (1, 2));

    // The same alarm updated (all columns replaced), twice in one batch: the last row wins.
    a.state = "acknowledged".into();
    a.acknowledged = true;
    a.acked_at = Some(T0 + 5_000);
    a.acked_by = Some("admin".into());
    a.ack_comment = Some("checked".into());
    a.priority = "medium".into();
    a.last_value = Some(31.5);
    a.updated_at = T0 + 5_000;
    let mut stale = a.clone();
    stale.state = "bogus".into();
    let out = store
        .write_telemetry(&TelemetryBatch {
            alarms: vec![stale, a.clone()],
            events: vec![AlarmEventRow {
                actor: Some("admin".into()),
                comment: Some("checked".into()),
                state: "acknowledged".into(),
                ..event(7, "acknowledged", T0 + 5_000, "medium")
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((out.events, out.deliveries), (1, 1), "only the low webhook");

    let detail = store.get_alarm(7, &all()).await.unwrap();
    assert_eq!(detail.view.alarm, a);
    assert_eq!(detail.view.sensor_name.as_deref(), Some("监测点GT-1"));
    assert_eq!(detail.view.unit.as_deref(), Some("%LEL"));
    assert_eq!(detail.view.enterprise_name.as_deref(), Some("企业1"));
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["raised", "acknowledged"]);
    assert_eq!(detail.events[1].actor.as_deref(), Some("admin"));

    let to_high = store
        .list_webhook_deliveries(high.id, page(10))
        .await
        .unwrap();
    assert_eq!(to_high.total, 1);
    assert_eq!(to_high.rows[0].alarm_event_id, detail.events[0].id);
    let to_low = store
        .list_webhook_deliveries(low.id, page(10))
        .await
        .unwrap();
    assert_eq!(to_low.total, 2);

    // An unknown event priority is refused.
    let bad = TelemetryBatch {
        events: vec![event(7, "escalated", T0 + 6_000, "urgent")],
        ..Default::default()
    };
    assert_eq!(
        field_of(store.write_telemetry(&bad).await.unwrap_err()),
        ["events[0].priority"]
    );
}

async fn engine_state_round_trip(store: Store) {
    let w = world(&store).await;
    let s1 = sensor(&store, "GT-1", w.e1).await;
    let s2 = sensor(&store, "GT-2", w.e1).await;
    let empty = store.load_engine_state().await.unwrap();
    assert_eq!(empty, StoredEngineState::default());

    let open = alarm_row(3, "GT-1", Some(s1.id), Some(w.e1));
    let mut ended = alarm_row(9, "GT-2", Some(s2.id), Some(w.e1));
    ended.ended_at = Some(T0 + 1_000);
    ended.active = false;
    let group = AlarmRow {
        source_kind: "group".into(),
        source: "AREA-A".into(),
        condition: "voting".into(),
        sensor_id: None,
        enterprise_id: None,
        shelved_until: Some(T0 + 600_000),
        first_value: None,
        last_value: None,
        chattering: true,
        ..alarm_row(5, "x", None, None)
    };
    store
        .write_telemetry(&TelemetryBatch {
            readings: vec![r(s1.id, T0, 1.0)],
            latest: vec![r(s1.id, T0 + 2_000, 1.0), r(s2.id, T0 + 7_000, 2.0)],
            alarms: vec![open.clone(), ended, group.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .add_engine_mark("GT-2", None, "out_of_service", "admin", T0)
        .await
        .unwrap();
    store
        .add_engine_mark("GT-1", Some("high"), "latched", "admin", T0)
        .await
        .unwrap();
    // Adding an equal mark again replaces it.
    store
        .add_engine_mark("GT-2", None, "out_of_service", "op", T0 + 1)
        .await
        .unwrap();

    let st = store.load_engine_state().await.unwrap();
    assert_eq!(st.alarms, vec![open, group]);
    assert_eq!(st.max_alarm_id, Some(9));
    assert_eq!(
        st.last_ts,
        vec![
            ("GT-1".to_string(), T0 + 2_000),
            ("GT-2".to_string(), T0 + 7_000)
        ]
    );
    let marks: Vec<(&str, Option<&str>, &str, &str)> = st
        .marks
        .iter()
        .map(|m| {
            (
                m.source.as_str(),
                m.condition.as_deref(),
                m.kind.as_str(),
                m.actor.as_str(),
            )
        })
        .collect();
    assert_eq!(
        marks,
        [
            ("GT-1", Some("high"), "latched", "admin"),
            ("GT-2", None, "out_of_service", "op")
        ]
    );
    // Removing matches the condition exactly (None is "all conditions", not a wildcard).
    assert_eq!(
        store
            .remove_engine_mark("GT-1", None, "latched")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .remove_engine_mark("GT-1", Some("high"), "latched")
            .await
            .unwrap(),
        1
    );
    assert_eq!(store.load_engine_state().await.unwrap().marks.len(), 1);
}

async fn purge_removes_old_telemetry_and_ended_alarms(store: Store) {
    let w = world(&store).await;
    let s = sensor(&store, "GT-1", w.e1).await;
    let cut = T0 + 120_000;
    let mut old_ended = alarm_row(1, "GT-1", Some(s.id), Some(w.e1));
    old_ended.ended_at = Some(T0 + 1_000);
    let mut new_ended = alarm_row(2, "GT-1", Some(s.id), Some(w.e1));
    new_ended.ended_at = Some(cut + 1);
    let open_old = alarm_row(3, "GT-1", Some(s.id), Some(w.e1));
    store
        .create_webhook(WebhookInput {
            name: "all".into(),
            url: "https://example.invalid/".into(),
            secret: None,
            enabled: true,
            min_priority: "low".into(),
        })
        .await
        .unwrap();
    store
        .write_telemetry(&TelemetryBatch {
            readings: vec![
                r(s.id, T0, 1.0),
                r(s.id, T0 + 60_000, 2.0),
                r(s.id, cut, 3.0),
                r(s.id, cut + 60_000, 4.0),
            ],
            latest: vec![r(s.id, cut + 60_000, 4.0)],
            readings_are_new: false,
            alarms: vec![old_ended, new_ended, open_old],
            events: vec![
                event(1, "raised", T0, "high"),
                event(1, "cleared", T0 + 500, "high"),
                event(2, "raised", T0, "high"),
                event(3, "raised", T0, "high"),
            ],
        })
        .await
        .unwrap();
    let report = store.purge_telemetry_before(cut).await.unwrap();
    assert_eq!(
        report,
        PurgeReport {
            readings: 2,
            minutes: 2,
            alarms: 1,
            events: 2
        }
    );
    let left = store
        .readings_between(s.id, 0, i64::MAX, 100)
        .await
        .unwrap();
    assert_eq!(
        left.iter().map(|r| r.ts).collect::<Vec<_>>(),
        [cut, cut + 60_000]
    );
    assert!(matches!(
        store.get_alarm(1, &all()).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_alarm(2, &all()).await.unwrap().events.len(), 1);
    assert_eq!(store.get_alarm(3, &all()).await.unwrap().events.len(), 1);
    // The deliveries of purged events went with them.
    let due = store.due_webhook_deliveries(i64::MAX, 100).await.unwrap();
    assert_eq!(due.len(), 2);
    // Latest values are kept (they are the engine's restart state).
    assert!(
        store
            .get_sensor(s.id, &all())
            .await
            .unwrap()
            .latest
            .is_some()
    );
    assert_eq!(
        store.purge_telemetry_before(cut).await.unwrap(),
        PurgeReport::default()
    );
}

async fn fifty_thousand_readings_in_one_call(store: Store) {
    let w = world(&store).await;
    let mut ids = vec![];
    for i in 0..50 {
        ids.push(sensor(&store, &format!("S-{i:03}"), w.e1).await.id);
    }
    // 50 sensors x 1000 readings, one a second.
    let mut readings = Vec::with_capacity(50_000);
    for k in 0..1000i64 {
        for (j, id) in ids.iter().enumerate() {
            readings.push(r(*id, T0 + k * 1000, (k + j as i64) as f64 / 10.0));
        }
    }
    let latest: Vec<ReadingRow> = ids.iter().map(|id| r(*id, T0 + 999_000, 1.0)).collect();
    let batch = TelemetryBatch {
        readings,
        latest,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let out = store.write_telemetry(&batch).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "{}: 50,000 readings in {secs:.3} s = {:.0} rows/s",
        store.backend_name(),
        50_000.0 / secs
    );
    assert_eq!(out.readings_new, 50_000);
    assert_eq!(out.minutes, 50 * 17); // 1000 s span 16 full minutes + 40 s
    assert_eq!(store.count_readings().await.unwrap(), 50_000);
    let minutes = store
        .minutes_between(ids[0], T0, T0 + 1_000_000)
        .await
        .unwrap();
    assert_eq!(minutes.iter().map(|m| m.count).sum::<i64>(), 1000);
    assert_eq!(minutes[0].count, 60);
    assert_eq!(minutes[16].count, 40);

    // The pipeline's path: readings vouched new are not sent back by the database, and are
    // aggregated into the same minute rows.
    let more = TelemetryBatch {
        readings: ids.iter().map(|id| r(*id, T0 + 999_500, 1000.0)).collect(),
        readings_are_new: true,
        ..Default::default()
    };
    let out = store.write_telemetry(&more).await.unwrap();
    assert_eq!((out.readings_new, out.readings_duplicate), (50, 0));
    let minutes = store
        .minutes_between(ids[0], T0, T0 + 1_000_000)
        .await
        .unwrap();
    assert_eq!(minutes[16].count, 41);
    assert_eq!(minutes[16].max, 1000.0);
    assert_eq!(store.count_readings().await.unwrap(), 50_050);
}

async fn device_crud_scope_and_uniqueness(store: Store) {
    let w = world(&store).await;
    let d1 = store
        .create_device(device_input("DTU-01", w.e1), &all())
        .await
        .unwrap();
    let d2 = store
        .create_device(device_input("DTU-02", w.e2), &all())
        .await
        .unwrap();
    assert_eq!(d1.password_hash, None);
    assert_eq!(
        field_of(
            store
                .create_device(device_input("DTU-01", w.e2), &all())
                .await
                .unwrap_err()
        ),
        ["code"]
    );
    let mut bad = device_input("", w.e1);
    bad.kind = "modem".into();
    bad.status = "on".into();
    assert_eq!(
        field_of(store.create_device(bad, &all()).await.unwrap_err()),
        ["code", "kind", "status"]
    );

    let ent1 = ScopeFilter {
        enterprise_id: Some(w.e1),
        ..scope(&[DataScope::Enterprise])
    };
    let district1 = ScopeFilter {
        region_path: Some(w.d1_path.clone()),
        ..scope(&[DataScope::RegionSubtree])
    };
    let codes = |p: PageOf<DeviceView>| -> Vec<String> {
        p.rows.into_iter().map(|d| d.device.code).collect()
    };
    let f = DeviceFilter::default();
    assert_eq!(
        codes(store.list_devices(&f, &ent1, page(10)).await.unwrap()),
        ["DTU-01"]
    );
    assert_eq!(
        codes(store.list_devices(&f, &district1, page(10)).await.unwrap()),
        ["DTU-01"]
    );
    assert_eq!(
        codes(store.list_devices(&f, &all(), page(10)).await.unwrap()),
        ["DTU-02", "DTU-01"]
    );
    assert_eq!(
        store
            .list_devices(&f, &scope(&[]), page(10))
            .await
            .unwrap()
            .total,
        0
    );
    let by_code = DeviceFilter {
        code: Some("dtu-0".into()),
        enterprise_id: Some(w.e2),
        ..Default::default()
    };
    assert_eq!(
        codes(
            store
                .list_devices(&by_code, &all(), page(10))
                .await
                .unwrap()
        ),
        ["DTU-02"]
    );
    assert!(matches!(
        store.get_device(d2.id, &ent1).await,
        Err(StoreError::NotFound)
    ));
    // An enterprise cannot create or move a device into another enterprise.
    assert_eq!(
        field_of(
            store
                .create_device(device_input("DTU-03", w.e2), &ent1)
                .await
                .unwrap_err()
        ),
        ["enterpriseId"]
    );
    assert!(matches!(
        store
            .update_device(d2.id, device_input("DTU-02", w.e1), &ent1)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_device(d2.id, &ent1).await,
        Err(StoreError::NotFound)
    ));

    let mut renamed = device_input("DTU-01", w.e1);
    renamed.name = "新名称".into();
    renamed.offline_after_s = None;
    let updated = store.update_device(d1.id, renamed, &ent1).await.unwrap();
    assert_eq!(
        (updated.name.as_str(), updated.offline_after_s),
        ("新名称", None)
    );
    assert_eq!(
        field_of(
            store
                .update_device(d1.id, device_input("DTU-02", w.e1), &ent1)
                .await
                .unwrap_err()
        ),
        ["code"]
    );

    store
        .set_device_password(d1.id, Some("$argon2id$v=19$fake".into()), &ent1)
        .await
        .unwrap();
    let found = store.find_device_by_code("DTU-01").await.unwrap().unwrap();
    assert_eq!(found.password_hash.as_deref(), Some("$argon2id$v=19$fake"));
    // Updating other fields keeps the password.
    store
        .update_device(d1.id, device_input("DTU-01", w.e1), &ent1)
        .await
        .unwrap();
    let view = store.get_device(d1.id, &ent1).await.unwrap();
    assert!(view.device.password_hash.is_some());
    assert_eq!(view.enterprise_name.as_deref(), Some("企业1"));
    assert_eq!(view.last_seen, None);

    // A device with sensors cannot be deleted; last_seen follows its sensors' latest reading.
    let s = store
        .create_sensor(sensor_input("GT-1", w.e1, Some(d1.id)), &all())
        .await
        .unwrap();
    store
        .write_telemetry(&TelemetryBatch {
            latest: vec![r(s.id, T0 + 42, 1.0)],
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.get_device(d1.id, &all()).await.unwrap().last_seen,
        Some(T0 + 42)
    );
    assert_eq!(
        field_of(store.delete_device(d1.id, &ent1).await.unwrap_err()),
        ["id"]
    );
    store.delete_sensor(s.id, &ent1).await.unwrap();
    store.delete_device(d1.id, &ent1).await.unwrap();
    assert!(store.find_device_by_code("DTU-01").await.unwrap().is_none());

    // Bulk create is all or nothing, errors keyed by row.
    let err = store
        .create_devices(
            vec![device_input("B-1", w.e1), device_input("DTU-02", w.e1)],
            &all(),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(err), ["[1].code"]);
    assert!(store.find_device_by_code("B-1").await.unwrap().is_none());
    assert_eq!(
        store
            .create_devices(
                vec![device_input("B-1", w.e1), device_input("B-2", w.e1)],
                &all()
            )
            .await
            .unwrap(),
        2
    );
    // An enterprise with devices cannot be deleted (a field error, not a foreign-key failure).
    assert_eq!(
        field_of(store.delete_enterprise(w.e1, &all()).await.unwrap_err()),
        ["id"]
    );
    let existing = store
        .existing_device_codes(&["B-2".into(), "NOPE".into()])
        .await
        .unwrap();
    assert_eq!(existing.into_iter().collect::<Vec<_>>(), ["B-2"]);
}

fn scope(scopes: &[DataScope]) -> ScopeFilter {
    ScopeFilter {
        user_id: 0,
        scopes: scopes.to_vec(),
        region_path: None,
        department_id: None,
        enterprise_id: None,
    }
}

async fn sensor_crud_scope_and_rules_source(store: Store) {
    let w = world(&store).await;
    let d1 = store
        .create_device(device_input("DTU-01", w.e1), &all())
        .await
        .unwrap();
    let d_off = store
        .create_device(
            DeviceInput {
                status: "disabled".into(),
                ..device_input("DTU-OFF", w.e1)
            },
            &all(),
        )
        .await
        .unwrap();
    let s1 = store
        .create_sensor(sensor_input("GT-1", w.e1, Some(d1.id)), &all())
        .await
        .unwrap();
    let s2 = store
        .create_sensor(sensor_input("GT-2", w.e2, None), &all())
        .await
        .unwrap();
    store
        .create_sensor(sensor_input("GT-3", w.e1, Some(d_off.id)), &all())
        .await
        .unwrap();
    store
        .create_sensor(
            SensorInput {
                status: "disabled".into(),
                ..sensor_input("GT-4", w.e1, None)
            },
            &all(),
        )
        .await
        .unwrap();
    assert_eq!(
        field_of(
            store
                .create_sensor(sensor_input("GT-1", w.e1, None), &all())
                .await
                .unwrap_err()
        ),
        ["code"]
    );
    // The device must belong to the sensor's enterprise.
    assert_eq!(
        field_of(
            store
                .create_sensor(sensor_input("GT-9", w.e2, Some(d1.id)), &all())
                .await
                .unwrap_err()
        ),
        ["deviceId"]
    );
    let mut bad = sensor_input("GT-9", w.e1, None);
    bad.quantity = "noise".into();
    bad.range_low = Some(10.0);
    bad.range_high = Some(5.0);
    bad.sampling_period_s = 0;
    bad.settings = serde_json::json!([1]);
    assert_eq!(
        field_of(store.create_sensor(bad, &all()).await.unwrap_err()),
        ["quantity", "rangeHigh", "samplingPeriodS", "settings"]
    );

    let ent2 = ScopeFilter {
        enterprise_id: Some(w.e2),
        ..scope(&[DataScope::Enterprise])
    };
    let district1 = ScopeFilter {
        region_path: Some(w.d1_path.clone()),
        ..scope(&[DataScope::RegionSubtree])
    };
    let f = SensorFilter::default();
    let codes = |p: PageOf<SensorView>| -> Vec<String> {
        p.rows.into_iter().map(|s| s.sensor.code).collect()
    };
    assert_eq!(
        codes(store.list_sensors(&f, &ent2, page(10)).await.unwrap()),
        ["GT-2"]
    );
    assert_eq!(
        codes(store.list_sensors(&f, &district1, page(10)).await.unwrap()),
        ["GT-4", "GT-3", "GT-1"]
    );
    let by_device = SensorFilter {
        device_id: Some(d1.id),
        ..Default::default()
    };
    assert_eq!(
        codes(
            store
                .list_sensors(&by_device, &all(), page(10))
                .await
                .unwrap()
        ),
        ["GT-1"]
    );
    assert!(matches!(
        store.get_sensor(s1.id, &ent2).await,
        Err(StoreError::NotFound)
    ));
    let view = store.get_sensor(s1.id, &all()).await.unwrap();
    assert_eq!(view.device_code.as_deref(), Some("DTU-01"));
    assert_eq!(view.settings["limits"][0]["value"], 25.0);
    assert_eq!(view.enterprise_name.as_deref(), Some("企业1"));

    let mut changed = sensor_input("GT-2", w.e2, None);
    changed.unit = "ppm".into();
    changed.settings = serde_json::Value::Null;
    let updated = store.update_sensor(s2.id, changed, &ent2).await.unwrap();
    assert_eq!(
        (updated.unit.as_str(), updated.settings.as_str()),
        ("ppm", "{}")
    );

    // Groups: members must be sensors of the group's enterprise; a member cannot be deleted.
    let group = |members: &[&str], k| AlarmGroupInput {
        code: "AREA-A".into(),
        name: "罐区A".into(),
        enterprise_id: w.e1,
        members: members.iter().map(|m| m.to_string()).collect(),
        condition: "high".into(),
        k,
        window_s: 10,
        priority: "critical".into(),
    };
    assert_eq!(
        field_of(
            store
                .create_alarm_group(group(&["GT-1", "GT-2"], 1), &all())
                .await
                .unwrap_err()
        ),
        ["members"]
    );
    assert_eq!(
        field_of(
            store
                .create_alarm_group(group(&["GT-1", "GT-3"], 3), &all())
                .await
                .unwrap_err()
        ),
        ["k"]
    );
    let g = store
        .create_alarm_group(group(&["GT-1", "GT-3"], 2), &all())
        .await
        .unwrap();
    assert_eq!(
        field_of(
            store
                .create_alarm_group(group(&["GT-1"], 1), &all())
                .await
                .unwrap_err()
        ),
        ["code"]
    );
    assert!(matches!(
        store.get_alarm_group(g.id, &ent2).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .list_alarm_groups(&AlarmGroupFilter::default(), &district1, page(10))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        field_of(store.delete_sensor(s1.id, &all()).await.unwrap_err()),
        ["id"]
    );

    let src = store.load_rules_source().await.unwrap();
    assert_eq!(
        src.devices
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>(),
        ["DTU-01"]
    );
    // GT-3 hangs on a disabled device, GT-4 is disabled.
    assert_eq!(
        src.sensors
            .iter()
            .map(|s| (s.code.as_str(), s.device_code.as_deref()))
            .collect::<Vec<_>>(),
        [("GT-1", Some("DTU-01")), ("GT-2", None)]
    );
    assert_eq!(src.sensors[0].settings["limits"][0]["priority"], "high");
    assert_eq!(src.sensors[0].sampling_period_s, 10);
    assert_eq!(src.groups.len(), 1);
    assert_eq!(src.groups[0].members, ["GT-1", "GT-3"]);
    assert_eq!(src.groups[0].k, 2);

    store.delete_alarm_group(g.id, &district1).await.unwrap();
    // Deleting a sensor removes its telemetry.
    store
        .write_telemetry(&TelemetryBatch {
            readings: vec![r(s1.id, T0, 1.0)],
            latest: vec![r(s1.id, T0, 1.0)],
            ..Default::default()
        })
        .await
        .unwrap();
    store.delete_sensor(s1.id, &district1).await.unwrap();
    assert_eq!(store.count_readings().await.unwrap(), 0);
    assert!(
        store
            .minutes_between(s1.id, 0, i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.load_engine_state().await.unwrap().last_ts.is_empty());
    let ids = store
        .sensor_ids_by_code(&["GT-2".into(), "GT-1".into()])
        .await
        .unwrap();
    assert_eq!(ids.get("GT-2"), Some(&s2.id));
    assert_eq!(ids.len(), 1);
}

async fn alarm_list_scope_filters_and_detail(store: Store) {
    let w = world(&store).await;
    let s1 = sensor(&store, "GT-1", w.e1).await;
    let s2 = sensor(&store, "GT-2", w.e2).await;
    let mut a1 = alarm_row(1, "GT-1", Some(s1.id), Some(w.e1));
    a1.priority = "critical".into();
    let mut a2 = alarm_row(2, "GT-2", Some(s2.id), Some(w.e2));
    a2.started_at = T0 + 60_000;
    a2.acknowledged = true;
    a2.state = "acknowledged".into();
    let mut a3 = alarm_row(3, "GT-1", Some(s1.id), Some(w.e1));
    a3.started_at = T0 + 120_000;
    a3.ended_at = Some(T0 + 130_000);
    a3.active = false;
    a3.acknowledged = true;
    a3.state = "normal".into();
    a3.condition = "low".into();
    let orphan = AlarmRow {
        source_kind: "device".into(),
        condition: "device_offline".into(),
        started_at: T0 + 90_000,
        ..alarm_row(4, "DTU-X", None, None)
    };
    store
        .write_telemetry(&TelemetryBatch {
            alarms: vec![a1, a2, a3, orphan],
            events: vec![
                event(1, "raised", T0, "critical"),
                event(2, "raised", T0 + 60_000, "high"),
                event(3, "raised", T0 + 120_000, "high"),
                event(3, "cleared", T0 + 125_000, "high"),
                event(4, "raised", T0 + 125_000, "high"),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
    let ids =
        |p: PageOf<AlarmView>| -> Vec<i64> { p.rows.into_iter().map(|a| a.alarm.id).collect() };
    let f = AlarmFilter::default();
    assert_eq!(
        ids(store.list_alarms(&f, &all(), page(10)).await.unwrap()),
        [3, 4, 2, 1],
        "newest first"
    );
    let ent1 = ScopeFilter {
        enterprise_id: Some(w.e1),
        ..scope(&[DataScope::Enterprise])
    };
    let district1 = ScopeFilter {
        region_path: Some(w.d1_path.clone()),
        ..scope(&[DataScope::RegionSubtree])
    };
    assert_eq!(
        ids(store.list_alarms(&f, &ent1, page(10)).await.unwrap()),
        [3, 1]
    );
    assert_eq!(
        ids(store.list_alarms(&f, &district1, page(10)).await.unwrap()),
        [3, 1]
    );
    let paged = store.list_alarms(&f, &all(), page(2)).await.unwrap();
    assert_eq!((paged.total, paged.rows.len()), (4, 2));
    let check = |f: AlarmFilter, want: &'static [i64]| {
        let store = store.clone();
        async move {
            assert_eq!(
                ids(store.list_alarms(&f, &all(), page(10)).await.unwrap()),
                want,
                "{f:?}"
            );
        }
    };
    check(
        AlarmFilter {
            open: Some(true),
            ..Default::default()
        },
        &[4, 2, 1],
    )
    .await;
    check(
        AlarmFilter {
            open: Some(false),
            ..Default::default()
        },
        &[3],
    )
    .await;
    check(
        AlarmFilter {
            active: Some(false),
            ..Default::default()
        },
        &[3],
    )
    .await;
    check(
        AlarmFilter {
            state: Some("acknowledged".into()),
            ..Default::default()
        },
        &[2],
    )
    .await;
    check(
        AlarmFilter {
            priority: Some("critical".into()),
            ..Default::default()
        },
        &[1],
    )
    .await;
    check(
        AlarmFilter {
            condition: Some("low".into()),
            ..Default::default()
        },
        &[3],
    )
    .await;
    check(
        AlarmFilter {
            enterprise_id: Some(w.e2),
            ..Default::default()
        },
        &[2],
    )
    .await;
    check(
        AlarmFilter {
            sensor_id: Some(s1.id),
            ..Default::default()
        },
        &[3, 1],
    )
    .await;
    check(
        AlarmFilter {
            source: Some("DTU-X".into()),
            ..Default::default()
        },
        &[4],
    )
    .await;
    check(
        AlarmFilter {
            from: Some(T0 + 60_000),
            to: Some(T0 + 120_000),
            ..Default::default()
        },
        &[4, 2],
    )
    .await;

    assert!(matches!(
        store.get_alarm(2, &ent1).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_alarm(4, &district1).await,
        Err(StoreError::NotFound)
    ));
    let d = store.get_alarm(3, &district1).await.unwrap();
    assert_eq!(d.events.len(), 2);
    assert_eq!(d.view.sensor_name.as_deref(), Some("监测点GT-1"));

    // KPI events: a time range, scoped, with the alarm's identity.
    let ev = store
        .alarm_events_between(T0, T0 + 125_000, &all())
        .await
        .unwrap();
    assert_eq!(
        ev.iter()
            .map(|e| (e.event.alarm_id, e.event.kind.as_str()))
            .collect::<Vec<_>>(),
        [(1, "raised"), (2, "raised"), (3, "raised")]
    );
    let ev1 = store
        .alarm_events_between(T0, T0 + 200_000, &ent1)
        .await
        .unwrap();
    assert_eq!(ev1.len(), 3);
    assert!(
        ev1.iter()
            .all(|e| e.source == "GT-1" && e.source_kind == "sensor")
    );
    assert_eq!(ev1[2].condition, "low");

    let sum = store.alarm_summary(&all()).await.unwrap();
    assert_eq!((sum.unacknowledged, sum.active), (2, 3));
    assert_eq!(
        sum.by_priority,
        vec![
            ("low".to_string(), 0),
            ("medium".to_string(), 0),
            ("high".to_string(), 2),
            ("critical".to_string(), 1)
        ]
    );
    assert_eq!(
        sum.latest.iter().map(|a| a.alarm.id).collect::<Vec<_>>(),
        [4, 2, 1]
    );
    let sum1 = store.alarm_summary(&ent1).await.unwrap();
    assert_eq!((sum1.unacknowledged, sum1.active), (1, 1));
}

async fn webhook_crud_and_delivery_lifecycle(store: Store) {
    let bad = WebhookInput {
        name: " ".into(),
        url: "ftp://x".into(),
        secret: None,
        enabled: true,
        min_priority: "urgent".into(),
    };
    assert_eq!(
        field_of(store.create_webhook(bad).await.unwrap_err()),
        ["minPriority", "name", "url"]
    );
    let input = WebhookInput {
        name: "钉钉".into(),
        url: "https://example.invalid/hook".into(),
        secret: Some("s3cret".into()),
        enabled: true,
        min_priority: "medium".into(),
    };
    let h = store.create_webhook(input.clone()).await.unwrap();
    let h2 = store
        .update_webhook(
            h.id,
            WebhookInput {
                name: "企业微信".into(),
                ..input.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(h2.name, "企业微信");
    assert_eq!(store.list_webhooks(page(10)).await.unwrap().total, 1);

    store
        .write_telemetry(&TelemetryBatch {
            alarms: vec![alarm_row(1, "GT-1", None, None)],
            events: vec![
                event(1, "raised", T0, "low"),
                event(1, "escalated", T0 + 1, "medium"),
                event(1, "escalated", T0 + 2, "critical"),
            ],
            ..Default::default()
        })
        .await
        .unwrap();
    let now = chrono::Utc::now().timestamp_millis();
    let due = store.due_webhook_deliveries(now + 1_000, 10).await.unwrap();
    assert_eq!(due.len(), 2, "the low event is below min_priority");
    assert_eq!(due[0].url, "https://example.invalid/hook");
    assert_eq!(due[0].secret.as_deref(), Some("s3cret"));
    assert_eq!(due[0].event.kind, "escalated");
    assert_eq!(due[0].event.priority, "medium");
    assert_eq!(due[0].alarm.as_ref().map(|a| a.id), Some(1));
    // Nothing is due before its time.
    assert!(
        store
            .due_webhook_deliveries(now - 600_000, 10)
            .await
            .unwrap()
            .is_empty()
    );

    store
        .mark_delivery_delivered(due[0].delivery.id)
        .await
        .unwrap();
    store
        .mark_delivery_failed(due[1].delivery.id, "HTTP 503", Some(now + 60_000))
        .await
        .unwrap();
    assert!(
        store
            .due_webhook_deliveries(now + 1_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retry = store
        .due_webhook_deliveries(now + 60_000, 10)
        .await
        .unwrap();
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].delivery.attempts, 1);
    assert_eq!(retry[0].delivery.last_error.as_deref(), Some("HTTP 503"));
    store
        .mark_delivery_failed(retry[0].delivery.id, "HTTP 500", None)
        .await
        .unwrap();
    let all_rows = store.list_webhook_deliveries(h.id, page(10)).await.unwrap();
    let mut statuses: Vec<(String, i32)> = all_rows
        .rows
        .iter()
        .map(|d| (d.status.clone(), d.attempts))
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [("dead".to_string(), 2), ("delivered".to_string(), 1)]
    );
    assert!(matches!(
        store.mark_delivery_delivered(999_999).await,
        Err(StoreError::NotFound)
    ));
    // A disabled webhook's pending deliveries are not due.
    store
        .write_telemetry(&TelemetryBatch {
            events: vec![event(1, "escalated", T0 + 3, "critical")],
            ..Default::default()
        })
        .await
        .unwrap();
    store
        .update_webhook(
            h.id,
            WebhookInput {
                enabled: false,
                ..input
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .due_webhook_deliveries(now + 600_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    store.delete_webhook(h.id).await.unwrap();
    assert!(matches!(
        store.get_webhook(h.id).await,
        Err(StoreError::NotFound)
    ));
}
