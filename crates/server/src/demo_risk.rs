//! Demo risk points (风险分级管控) of the demo chemical enterprise: eight realistic points (reactor
//! area, tank farm, loading, hot work, confined space, ...) assessed by LEC or L × S into all four
//! colours, with control measures (one point, 动火作业, lacks a workshop-level measure to show the
//! graded-control warning), one past level change, one
//! review overdue and one due within the week. The reactor plant (whose unit is fed by the TEP
//! data) gets three points whose highest level is 较大 (orange).

use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::risk_control::{AssessmentInput, shanghai_date};
use anjian_store::{MeasureInput, NewAssessment, RiskPointInput, Store, StoreError};
use chrono::{DateTime, Days, NaiveDate, Utc};

/// (code, name, kind, location, hazard factors, accident types, consequences, emergency actions)
type PointDef = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static str,
    &'static str,
);

const POINTS: [PointDef; 8] = [
    (
        "FX-001",
        "聚合反应釜区",
        "equipment_facility",
        "一车间 聚合装置区",
        &["2201", "2102", "1202"],
        &["08", "17", "19"],
        "反应失控超温超压，可能引发火灾、容器爆炸及有毒物料泄漏中毒。",
        "立即启动紧急冷却和联锁停车，切断进料；人员佩戴正压式空气呼吸器撤离至上风向；拨打119、120并报告值班领导。",
    ),
    (
        "FX-002",
        "甲醇储罐区",
        "area",
        "罐区 T-101～T-104",
        &["2201", "3206", "46"],
        &["08", "17"],
        "储罐或管线泄漏遇点火源引发池火、蒸气云爆炸。",
        "关闭罐根阀，启动泡沫和喷淋冷却系统，设置警戒区，禁止一切火源，组织人员疏散。",
    ),
    (
        "FX-003",
        "液氯钢瓶库",
        "area",
        "原料库 三号库",
        &["2202", "2102"],
        &["19"],
        "钢瓶阀门或易熔塞泄漏导致氯气中毒。",
        "佩戴正压式空气呼吸器，将泄漏钢瓶推入碱液池，开启事故排风和碱液吸收装置，逆风撤离。",
    ),
    (
        "FX-004",
        "槽车装卸作业",
        "operation",
        "装卸站台",
        &["2201", "1202", "2103"],
        &["08", "02"],
        "装卸过程静电积聚、软管破裂或槽车溜车导致泄漏、火灾。",
        "立即停止装卸，关闭紧急切断阀，启动静电接地复核，使用干粉灭火器扑救初起火灾。",
    ),
    (
        "FX-005",
        "动火作业",
        "activity",
        "全厂（按作业票）",
        &["1202", "1203", "2201"],
        &["08", "07"],
        "动火点周边可燃气体未检测或检测不合格，引发火灾爆炸、灼烫。",
        "立即停止动火，使用灭火器扑救，疏散周边人员，报告作业票签发人。",
    ),
    (
        "FX-006",
        "受限空间作业",
        "activity",
        "储罐、反应釜内部清理检修",
        &["2202", "3102", "1203"],
        &["19", "20"],
        "缺氧窒息、有毒气体中毒，盲目施救导致伤亡扩大。",
        "监护人立即呼救，严禁无防护施救；佩戴空气呼吸器、使用三脚架救援；拨打120。",
    ),
    (
        "FX-007",
        "配电室",
        "equipment_facility",
        "综合楼一层",
        &["2103", "43"],
        &["05", "08"],
        "带电设备绝缘损坏或误操作引发触电、电气火灾。",
        "立即切断电源，使用二氧化碳或干粉灭火器灭火，对触电者进行心肺复苏。",
    ),
    (
        "FX-008",
        "成品仓库叉车作业",
        "operation",
        "成品库",
        &["2108", "3103"],
        &["02", "01"],
        "叉车倒车、超载或货物堆垛倒塌造成车辆伤害、物体打击。",
        "立即停车并拉起手刹，抢救伤员，保护现场，报告车间负责人。",
    ),
];

/// The reactor plant's points (the enterprise whose reactor unit is fed by the TEP data): its
/// highest level is 较大 (orange), so with its 三级 installation the plant starts 一般 (yellow) and a
/// live reactor alarm turns it orange.
const REACTOR_POINTS: [PointDef; 3] = [
    (
        "FX-101",
        "R101 反应器区域",
        "equipment_facility",
        "反应装置区 R101",
        &["2201", "2102", "1202"],
        &["08", "17", "19"],
        "A 进料中断或冷却失效导致反应器超压，可能引发物料泄漏、火灾爆炸和中毒。",
        "按联锁程序降负荷或紧急停车，切断进料；人员佩戴正压式空气呼吸器撤离至上风向；报告值班长和应急值班室。",
    ),
    (
        "FX-102",
        "循环压缩机房",
        "equipment_facility",
        "压缩机厂房",
        &["2201", "2103", "1202"],
        &["08", "05"],
        "压缩机密封泄漏、振动超标或润滑失效，可能引发可燃气体泄漏着火。",
        "紧急停机并关闭进出口阀，启动厂房事故排风，使用干粉灭火器扑救初起火灾。",
    ),
    (
        "FX-103",
        "产品中间罐区",
        "area",
        "罐区 T-301～T-302",
        &["2201", "46"],
        &["08"],
        "储罐冒顶或法兰泄漏，遇点火源引发池火。",
        "关闭罐根阀，启动喷淋冷却和泡沫系统，设置警戒区，禁止一切火源。",
    ),
];

/// Measures per point code: (kind, content, management level).
fn measures(code: &str) -> Vec<(&'static str, &'static str, &'static str)> {
    match code {
        "FX-001" => vec![
            (
                "engineering",
                "反应釜设温度、压力高报警及紧急冷却、紧急切断联锁（SIS），可燃有毒气体检测报警",
                "company",
            ),
            (
                "management",
                "严格执行工艺操作规程和工艺卡片，变更实行变更管理",
                "department",
            ),
            (
                "training",
                "操作人员持特种作业证上岗，每季度开展反应失控应急演练",
                "workshop",
            ),
            (
                "emergency",
                "配备正压式空气呼吸器 4 套、应急冷却水源",
                "team",
            ),
        ],
        "FX-002" => vec![
            (
                "engineering",
                "储罐设高低液位报警、紧急切断阀、氮封和泡沫灭火系统",
                "company",
            ),
            (
                "management",
                "罐区实行出入登记，严禁携带火种，每班巡检两次",
                "workshop",
            ),
            ("personal_protection", "进入罐区穿防静电工作服、鞋", "team"),
        ],
        "FX-003" => vec![
            (
                "engineering",
                "库房设氯气检测报警、事故排风和碱液吸收装置",
                "department",
            ),
            (
                "management",
                "钢瓶专人管理，先进先出，定期检查阀门",
                "workshop",
            ),
        ],
        "FX-004" => vec![
            (
                "engineering",
                "装卸鹤管设静电接地报警和紧急切断阀",
                "department",
            ),
            (
                "management",
                "装卸作业双人确认，槽车熄火、垫好止轮器",
                "team",
            ),
        ],
        "FX-005" => vec![
            (
                "management",
                "执行特殊作业许可制度，动火前可燃气体分析合格",
                "team",
            ),
            ("personal_protection", "作业人员穿戴防护服、面罩", "team"),
        ],
        "FX-006" => vec![
            (
                "management",
                "先通风、再检测、后作业，专人监护",
                "department",
            ),
            ("emergency", "配备三脚架、安全绳和空气呼吸器", "team"),
        ],
        "FX-007" => vec![("management", "执行两票制度，每月绝缘检测", "team")],
        "FX-008" => vec![("training", "叉车司机持证上岗，限速 5 km/h", "team")],
        "FX-101" => vec![
            (
                "engineering",
                "反应器压力、温度高报警及高高联锁停车（SIS），A 进料流量低报警",
                "company",
            ),
            (
                "management",
                "执行工艺卡片和开停车方案，压力超 2895 kPa 立即降负荷",
                "department",
            ),
            ("emergency", "每季度开展反应器超压应急处置演练", "workshop"),
        ],
        "FX-102" => vec![
            (
                "engineering",
                "压缩机振动、轴温在线监测及可燃气体检测报警",
                "department",
            ),
            ("management", "每班巡检两次并记录", "team"),
        ],
        "FX-103" => vec![("engineering", "储罐高液位报警及联锁切断进料", "workshop")],
        _ => vec![],
    }
}

/// Assessments per point code: (days before today, input, reason of a level change).
fn assessments(code: &str) -> Vec<(u64, AssessmentInput, Option<&'static str>)> {
    use AssessmentInput::{Lec, Ls};
    match code {
        // Was 较大 (orange), raised to 重大 (red) after the capacity expansion; due soon.
        "FX-001" => vec![
            (
                400,
                Lec {
                    l: 3.0,
                    e: 6.0,
                    c: 15.0,
                },
                None,
            ),
            (
                85,
                Lec {
                    l: 6.0,
                    e: 6.0,
                    c: 15.0,
                },
                Some("扩产后反应釜数量由 2 台增至 4 台，重新评估为重大风险"),
            ),
        ],
        // 重大 (red): review overdue (assessed 100 days ago, 3-month cycle).
        "FX-002" => vec![(
            100,
            Lec {
                l: 3.0,
                e: 6.0,
                c: 40.0,
            },
            None,
        )],
        "FX-003" => vec![(60, Ls { l: 3, s: 5 }, None)],
        "FX-004" => vec![(
            45,
            Lec {
                l: 3.0,
                e: 6.0,
                c: 15.0,
            },
            None,
        )],
        "FX-005" => vec![(30, Ls { l: 3, s: 4 }, None)],
        "FX-006" => vec![(
            30,
            Lec {
                l: 3.0,
                e: 3.0,
                c: 15.0,
            },
            None,
        )],
        "FX-007" => vec![(
            20,
            Lec {
                l: 1.0,
                e: 6.0,
                c: 7.0,
            },
            None,
        )],
        "FX-008" => vec![(15, Ls { l: 2, s: 3 }, None)],
        // 较大 (orange): D = 270.
        "FX-101" => vec![(
            50,
            Lec {
                l: 3.0,
                e: 6.0,
                c: 15.0,
            },
            None,
        )],
        // 一般 (yellow): R = 9.
        "FX-102" => vec![(40, Ls { l: 3, s: 3 }, None)],
        // 低 (blue): D = 42.
        "FX-103" => vec![(
            35,
            Lec {
                l: 1.0,
                e: 6.0,
                c: 7.0,
            },
            None,
        )],
        _ => vec![],
    }
}

/// `n` days before `today` (`today` itself should that underflow).
pub(crate) fn days_before(today: NaiveDate, n: u64) -> NaiveDate {
    today.checked_sub_days(Days::new(n)).unwrap_or(today)
}

/// One demo risk point with its control measures and assessments, as [`create_point`] stores it.
pub(crate) struct DemoPoint<'a> {
    /// Owning enterprise.
    pub enterprise_id: i64,
    /// Code, unique within the enterprise.
    pub code: &'a str,
    /// Name.
    pub name: &'a str,
    /// `area`, `equipment_facility`, `operation` or `activity`.
    pub kind: &'a str,
    /// Location text.
    pub location: &'a str,
    /// GB/T 13861-2022 hazardous-factor codes.
    pub hazards: &'a [&'a str],
    /// GB 6441 accident-type codes.
    pub accidents: &'a [&'a str],
    /// Possible consequences (notification card).
    pub consequences: &'a str,
    /// Emergency actions (notification card).
    pub actions: &'a str,
    /// Responsible person and phone.
    pub responsible: (&'a str, &'a str),
    /// Emergency contacts (notification card).
    pub contacts: &'a str,
    /// Control measures: (kind, content, management level).
    pub measures: &'a [(&'a str, &'a str, &'a str)],
    /// Who is responsible for every measure.
    pub measure_owner: &'a str,
    /// Assessments, oldest first: (date, inputs, reason of a level change).
    pub assessments: &'a [(NaiveDate, AssessmentInput, Option<&'a str>)],
    /// Who assessed (name).
    pub assessor: &'a str,
}

/// Creates `p` (the point and its measures at `created`, then its assessments recorded by user 1
/// at `now`) through the store's checks; returns the point's id.
///
/// # Errors
/// Any [`StoreError`].
pub(crate) async fn create_point(
    store: &Store,
    p: DemoPoint<'_>,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let all = ScopeFilter::unrestricted();
    let point = store
        .create_risk_point(
            RiskPointInput {
                enterprise_id: p.enterprise_id,
                code: p.code.into(),
                name: p.name.into(),
                kind: p.kind.into(),
                location: Some(p.location.into()),
                hazard_factors: p.hazards.iter().map(|s| (*s).to_owned()).collect(),
                accident_types: p.accidents.iter().map(|s| (*s).to_owned()).collect(),
                responsible_person: Some(p.responsible.0.into()),
                responsible_phone: Some(p.responsible.1.into()),
                consequences: Some(p.consequences.into()),
                emergency_actions: Some(p.actions.into()),
                emergency_contacts: Some(p.contacts.into()),
                review_cycle_months: None,
                status: "active".into(),
            },
            &all,
            created,
        )
        .await?;
    for (i, (kind, content, level)) in p.measures.iter().enumerate() {
        store
            .create_control_measure(
                point.id,
                MeasureInput {
                    kind: (*kind).into(),
                    content: (*content).into(),
                    management_level: (*level).into(),
                    responsible_person: Some(p.measure_owner.into()),
                    sort: i as i32 + 1,
                },
                &all,
                created,
            )
            .await?;
    }
    for (on, input, reason) in p.assessments {
        store
            .assess_risk_point(
                point.id,
                NewAssessment {
                    input: *input,
                    assessor: p.assessor.into(),
                    assessed_on: *on,
                    note: None,
                    reason: reason.map(str::to_owned),
                },
                1,
                &all,
                now,
            )
            .await?;
    }
    Ok(point.id)
}

/// Seeds demo records for the demo enterprise `enterprise_id` (the `enterprise` account's).
///
/// # Errors
/// Any [`StoreError`].
pub async fn seed(store: &Store, enterprise_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    seed_points(store, enterprise_id, &POINTS, now).await
}

/// Seeds the reactor plant's three points (highest 较大, orange) for `enterprise_id`.
///
/// # Errors
/// Any [`StoreError`].
pub async fn seed_reactor_plant(
    store: &Store,
    enterprise_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    seed_points(store, enterprise_id, &REACTOR_POINTS, now).await
}

async fn seed_points(
    store: &Store,
    enterprise_id: i64,
    points: &[PointDef],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let today = shanghai_date(now);
    let created = now - chrono::Duration::days(420);
    for &(code, name, kind, location, hazards, accidents, consequences, actions) in points {
        let assessments: Vec<_> = assessments(code)
            .into_iter()
            .map(|(days, input, reason)| (days_before(today, days), input, reason))
            .collect();
        create_point(
            store,
            DemoPoint {
                enterprise_id,
                code,
                name,
                kind,
                location,
                hazards,
                accidents,
                consequences,
                actions,
                responsible: ("王建国", "13905150001"),
                contacts: "厂内应急值班室 025-58880000；火警 119；急救 120",
                measures: &measures(code),
                measure_owner: "李安全",
                assessments: &assessments,
                assessor: "安全环保部 张工",
            },
            created,
            now,
        )
        .await?;
    }
    Ok(())
}
