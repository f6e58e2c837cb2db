//! The rest of the demo city in operation: risk points and hidden dangers on the enterprises other
//! than the demo enterprise, so that the situation dashboard shows a plausible spread of dynamic
//! risk colours (about 60 % blue, 30 % yellow, 5 % orange, a red one; `docs/dynamic-risk.md`).
//!
//! - **Risk points** (风险点) on about two thirds of the enterprises, 1–4 each, named, located and
//!   coded (GB/T 13861-2022 hazardous factors, GB 6441-86 accident types) after the enterprise's
//!   supervision category — reactors and tank farms of a chemical plant, deep excavations and tower
//!   cranes of a building site, evacuation routes and kitchen gas of a shopping centre, dangerous
//!   goods vehicles of a haulier, boiler rooms, dust and confined spaces of a factory, the
//!   fireworks store, the mine's slopes — each assessed once by LEC or L × S with realistic inputs
//!   that grade into the intended level, and controlled at the management level that level needs
//!   (an enterprise's 重大 point also gets a second measure one level below). About 37 % of the enterprises have
//!   a 重大 point (30 points: yellow on its own).
//! - **Hidden dangers** (隐患): about 85 records on about 45 enterprises, mostly general and
//!   closed or in remediation, some reported, confirmed, assigned or submitted, a few rejected.
//!   Eighteen general ones are past their deadline: two on each of eight enterprises with a 重大
//!   point (46 points: orange) and two on the red one. Three are major: open ones (with their
//!   five assurances) at a building site and a factory that become orange (50 points), and an
//!   overdue one at a chemical plant, under the city's listed supervision, which with its two
//!   overdue general ones makes that plant red (74 points). Every record goes through the store's
//!   workflow (report → confirm → assign → start → submit with an evidence photo → verify) at
//!   past times, by two accounts created for its enterprise: a safety manager who confirms,
//!   assigns and verifies, and a remediator. Those accounts have no usable password.
//!
//! The plan is drawn from a fixed seed and spread over the districts; each enterprise's records
//! come from its own generator. Enterprises whose id is in `skip` are left alone.
//!
//! Kept fast (it runs on every `anjian demo` of the browser tests): no password hashing, no report
//! photos, and the risk points written side by side with the hidden dangers.

use crate::demo_hidden_danger::{hd_actor, photo};
use crate::demo_risk::{DemoPoint, create_point, days_before};
use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::hidden_danger::{
    Action, Assignment, FiveAssurances, Grading, Level, Source, shanghai_date,
};
use anjian_domain::dual_prevention::risk_control::{AssessmentInput, min_management_level};
use anjian_domain::standards::risk::RiskLevel;
use anjian_store::{
    EnterpriseFilter, HdActor, NewHiddenDanger, NewSupervision, NewUser, Store, StoreError,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;

/// Seed of the plan (the city's seed is 20261129).
const SEED: u64 = 20_261_130;

/// Share of the seeded enterprises whose highest risk point is 重大.
const MAJOR_SHARE: f64 = 0.37;

/// Share whose highest risk point is below 重大.
const MINOR_SHARE: f64 = 0.32;

/// Enterprises made orange by a 重大 point and two overdue general hidden dangers.
const ORANGE_BY_OVERDUE: usize = 8;

/// Enterprises with hidden dangers besides the orange and red ones.
const OTHER_WITH_HIDDEN_DANGERS: usize = 34;

/// Password hash of the enterprise accounts created here: not a PHC string, so no password
/// matches it until an administrator sets one.
const NO_SIGN_IN: &str = "!demo-city-account:no-password-set";

/// One risk point an enterprise of a category may have.
struct PointDef {
    name: &'static str,
    /// `area`, `equipment_facility`, `operation` or `activity`.
    kind: &'static str,
    location: &'static str,
    /// GB/T 13861-2022 codes.
    hazards: &'static [&'static str],
    /// GB 6441-86 codes.
    accidents: &'static [&'static str],
    /// The highest level such a point plausibly has.
    top: RiskLevel,
    consequences: &'static str,
    actions: &'static str,
    /// Two control measures: (kind, content); the first is controlled at the level the risk needs,
    /// the second one level below.
    measures: [(&'static str, &'static str); 2],
}

/// One general hidden danger an enterprise of a category may have.
struct HdDef {
    description: &'static str,
    location: &'static str,
    /// GB/T 13861-2022 code.
    hazard: &'static str,
    /// The remediation measures (assignment) and what was done (submission).
    remedy: &'static str,
}

/// A major hidden danger: the record, how it is graded and its five assurances.
struct MajorDef {
    hd: HdDef,
    /// (criteria standard, item) or `None` for a documented judgement.
    criteria: Option<(&'static str, u32)>,
    judgement: &'static str,
    /// (funds in CNY, contingency plan).
    five: (f64, &'static str),
}

use RiskLevel::{High, Low, Major, Medium};

const CHEMICAL_POINTS: &[PointDef] = &[
    PointDef {
        name: "反应釜区",
        kind: "equipment_facility",
        location: "生产车间 反应釜区",
        hazards: &["2201", "2101", "1202"],
        accidents: &["08", "17", "19"],
        top: Major,
        consequences: "反应失控超温超压，引发火灾、容器爆炸及有毒物料泄漏中毒。",
        actions: "立即启动紧急冷却和联锁停车，切断进料；佩戴正压式空气呼吸器撤离至上风向；拨打119、120。",
        measures: [
            (
                "engineering",
                "反应釜设温度、压力高报警和紧急切断联锁，接入DCS，可燃有毒气体检测报警",
            ),
            (
                "management",
                "严格执行工艺操作规程和工艺卡片，变更实行变更管理",
            ),
        ],
    },
    PointDef {
        name: "储罐区",
        kind: "area",
        location: "罐区",
        hazards: &["2201", "2109", "3204"],
        accidents: &["08", "18"],
        top: Major,
        consequences: "储罐或管线泄漏遇点火源，引发池火、蒸气云爆炸。",
        actions: "关闭罐根阀，启动泡沫和喷淋冷却系统，设置警戒区，禁止一切火源，疏散人员。",
        measures: [
            (
                "engineering",
                "储罐设高低液位报警、紧急切断阀、氮封和固定泡沫灭火系统",
            ),
            ("management", "罐区实行出入登记，严禁携带火种，每班巡检两次"),
        ],
    },
    PointDef {
        name: "槽车装卸作业",
        kind: "operation",
        location: "装卸站台",
        hazards: &["2201", "2103", "1202"],
        accidents: &["08", "02"],
        top: High,
        consequences: "装卸过程静电积聚、软管破裂或槽车溜车，导致泄漏、火灾。",
        actions: "立即停止装卸，关闭紧急切断阀，使用干粉灭火器扑救初起火灾，疏散无关人员。",
        measures: [
            ("engineering", "装卸鹤管设静电接地报警和紧急切断阀"),
            ("management", "装卸作业双人确认，槽车熄火并垫好止轮器"),
        ],
    },
    PointDef {
        name: "甲类仓库",
        kind: "area",
        location: "危险化学品仓库",
        hazards: &["2201", "3103"],
        accidents: &["08", "19"],
        top: High,
        consequences: "易燃物品泄漏或禁忌物料混存，引发火灾和中毒。",
        actions: "切断电源，使用干粉灭火器或消防沙灭火，佩戴防毒面具处置泄漏物。",
        measures: [
            ("engineering", "仓库设防爆电气、可燃气体检测报警和机械通风"),
            ("management", "按禁忌表分区分类储存，限量存放，专人管理"),
        ],
    },
    PointDef {
        name: "动火作业",
        kind: "activity",
        location: "全厂（按作业票）",
        hazards: &["2109", "1203", "2201"],
        accidents: &["08", "07"],
        top: High,
        consequences: "动火点周边可燃气体未检测或检测不合格，引发火灾爆炸、灼烫。",
        actions: "立即停止动火，使用灭火器扑救，疏散周边人员，报告作业票签发人。",
        measures: [
            ("management", "执行特殊作业许可制度，动火前可燃气体分析合格"),
            (
                "personal_protection",
                "作业人员穿戴阻燃服、防护面罩，现场配备灭火器",
            ),
        ],
    },
    PointDef {
        name: "受限空间作业",
        kind: "activity",
        location: "储罐、反应釜内部清理检修",
        hazards: &["2202", "3102", "1203"],
        accidents: &["19"],
        top: High,
        consequences: "缺氧窒息、有毒气体中毒，盲目施救导致伤亡扩大。",
        actions: "监护人立即呼救，严禁无防护施救；佩戴空气呼吸器、使用三脚架救援；拨打120。",
        measures: [
            ("management", "先通风、再检测、后作业，专人监护"),
            ("emergency", "作业点配备三脚架、安全绳和正压式空气呼吸器"),
        ],
    },
    PointDef {
        name: "变配电室",
        kind: "equipment_facility",
        location: "综合楼一层",
        hazards: &["2103"],
        accidents: &["05", "08"],
        top: Medium,
        consequences: "带电设备绝缘损坏或误操作，引发触电、电气火灾。",
        actions: "立即切断电源，使用二氧化碳灭火器灭火，对触电者进行心肺复苏。",
        measures: [
            ("management", "执行工作票、操作票制度，每月绝缘检测"),
            ("personal_protection", "电工持证上岗，使用绝缘手套、绝缘靴"),
        ],
    },
];

const CONSTRUCTION_POINTS: &[PointDef] = &[
    PointDef {
        name: "深基坑工程",
        kind: "operation",
        location: "地下室基坑",
        hazards: &["3208", "3211", "4305"],
        accidents: &["10", "09"],
        top: Major,
        consequences: "支护结构失稳、基坑坍塌，危及坑内作业人员和周边建筑、管线。",
        actions: "立即撤出坑内人员，停止开挖，回填反压，设置警戒区，通知第三方监测单位加密监测。",
        measures: [
            (
                "engineering",
                "按专项施工方案分层分段开挖、及时支护，第三方监测",
            ),
            ("management", "专项方案经专家论证，项目技术负责人每日巡查"),
        ],
    },
    PointDef {
        name: "高支模工程",
        kind: "operation",
        location: "裙楼大跨度梁板",
        hazards: &["3209", "2101"],
        accidents: &["10", "09"],
        top: Major,
        consequences: "模板支撑体系失稳坍塌，造成群死群伤。",
        actions: "混凝土浇筑中发现异常立即停止浇筑、撤离人员，设置警戒，组织专家分析处置。",
        measures: [
            (
                "engineering",
                "支撑体系按方案搭设并验收，浇筑时监测立杆沉降和变形",
            ),
            ("management", "浇筑前项目部组织验收，浇筑过程专人看模"),
        ],
    },
    PointDef {
        name: "塔式起重机",
        kind: "equipment_facility",
        location: "施工现场 1#塔吊",
        hazards: &["2101", "1201", "3201"],
        accidents: &["04", "01"],
        top: Major,
        consequences: "塔吊倾覆、吊物坠落，造成起重伤害、物体打击。",
        actions: "立即停止吊装，疏散吊装半径内人员，切断塔吊电源，报告项目经理。",
        measures: [
            ("engineering", "安装力矩限制器、起重量限制器和安全监控系统"),
            (
                "management",
                "司机、指挥、司索持证上岗，六级以上大风停止作业",
            ),
        ],
    },
    PointDef {
        name: "外脚手架",
        kind: "equipment_facility",
        location: "主楼外立面",
        hazards: &["3207", "2102"],
        accidents: &["09", "01"],
        top: High,
        consequences: "连墙件缺失或超载导致脚手架倒塌，作业人员高处坠落。",
        actions: "立即撤离架上人员，设置警戒区，加固或拆除变形部位。",
        measures: [
            ("engineering", "按方案设置连墙件，满挂密目安全网"),
            ("management", "分段验收挂牌，每周检查并记录"),
        ],
    },
    PointDef {
        name: "施工升降机",
        kind: "equipment_facility",
        location: "主楼 2#施工升降机",
        hazards: &["2101", "2102"],
        accidents: &["04", "09"],
        top: High,
        consequences: "防坠安全器失效导致吊笼坠落。",
        actions: "立即停用，疏散吊笼内人员，由专业人员检修。",
        measures: [
            ("engineering", "防坠安全器按期标定，楼层门设联锁"),
            ("management", "司机持证上岗，严禁超载"),
        ],
    },
    PointDef {
        name: "施工临时用电",
        kind: "equipment_facility",
        location: "施工现场配电系统",
        hazards: &["2103"],
        accidents: &["05"],
        top: Medium,
        consequences: "漏电保护失效、电缆破损，导致触电。",
        actions: "立即切断电源，对触电者进行心肺复苏，拨打120。",
        measures: [
            ("engineering", "三级配电两级保护，TN-S 接零保护系统"),
            ("management", "电工每日巡检配电箱并记录"),
        ],
    },
];

const CROWDED_POINTS: &[PointDef] = &[
    PointDef {
        name: "营业厅人员密集区域",
        kind: "area",
        location: "一至五层营业厅",
        hazards: &["3108", "3109", "46"],
        accidents: &["08", "20"],
        top: Major,
        consequences: "火灾时人员疏散不及，烟气蔓延，发生拥挤踩踏和群死群伤。",
        actions: "启动应急广播和疏散预案，引导顾客从最近安全出口疏散，拨打119。",
        measures: [
            (
                "engineering",
                "自动喷水灭火、火灾自动报警、防排烟系统保持完好有效",
            ),
            ("management", "营业期间安全出口不上锁，每两小时防火巡查一次"),
        ],
    },
    PointDef {
        name: "疏散通道和安全出口",
        kind: "area",
        location: "各楼层疏散通道",
        hazards: &["3108", "3109", "2113"],
        accidents: &["20"],
        top: High,
        consequences: "通道堵塞、出口锁闭，紧急情况下人员无法疏散。",
        actions: "立即清除堵塞物，打开锁闭出口，引导人员有序疏散。",
        measures: [
            (
                "engineering",
                "设置疏散指示标志和应急照明，常闭防火门设闭门器",
            ),
            ("management", "每日开业前检查疏散通道和安全出口"),
        ],
    },
    PointDef {
        name: "厨房燃气使用",
        kind: "operation",
        location: "餐饮区后厨",
        hazards: &["2201", "2109"],
        accidents: &["08", "18"],
        top: High,
        consequences: "燃气泄漏遇明火引发爆炸、火灾。",
        actions: "关闭燃气总阀，打开门窗通风，禁止开关电器，疏散人员后报警。",
        measures: [
            ("engineering", "安装燃气泄漏报警装置并与紧急切断阀联锁"),
            ("management", "每日营业结束关闭燃气总阀，烟道每季度清洗"),
        ],
    },
    PointDef {
        name: "消防控制室",
        kind: "area",
        location: "一层消防控制室",
        hazards: &["2115", "4304"],
        accidents: &["08"],
        top: Medium,
        consequences: "值班人员处置不当，火灾报警未及时确认和处置。",
        actions: "确认火警后立即启动消防水泵、防排烟系统和应急广播，拨打119。",
        measures: [
            ("management", "24小时双人值班，值班人员持证上岗"),
            ("training", "每半年组织一次消防演练"),
        ],
    },
    PointDef {
        name: "自动扶梯",
        kind: "equipment_facility",
        location: "中庭自动扶梯",
        hazards: &["2101", "2102"],
        accidents: &["03", "20"],
        top: Medium,
        consequences: "梯级缺陷或逆转，造成乘客夹伤、摔倒。",
        actions: "按下急停按钮，疏导乘客，联系维保单位。",
        measures: [
            ("engineering", "扶梯设防逆转、急停和梳齿板保护装置"),
            ("management", "维保单位每半月维护保养一次"),
        ],
    },
    PointDef {
        name: "地下停车库",
        kind: "area",
        location: "B2 停车库",
        hazards: &["3206", "2103"],
        accidents: &["02", "08"],
        top: Medium,
        consequences: "车辆碰撞行人，电动汽车充电起火。",
        actions: "切断充电电源，使用灭火器扑救，疏散车库人员。",
        measures: [
            ("engineering", "设置限速、反光镜和充电区防火分隔"),
            ("management", "保安每两小时巡查一次"),
        ],
    },
];

const TRANSPORT_POINTS: &[PointDef] = &[
    PointDef {
        name: "危险货物运输车辆",
        kind: "equipment_facility",
        location: "危货运输车队",
        hazards: &["2201", "3206", "1202"],
        accidents: &["02", "08", "18"],
        top: Major,
        consequences: "车辆事故导致危险货物泄漏、燃烧爆炸。",
        actions: "驾驶员立即停车、设置警示标志，报告公司和119，按安全卡处置泄漏。",
        measures: [
            ("engineering", "车辆安装卫星定位和主动安全智能防控系统"),
            ("management", "动态监控值班，按规定路线和时段行驶"),
        ],
    },
    PointDef {
        name: "车辆停车场",
        kind: "area",
        location: "场站停车场",
        hazards: &["3206", "3204"],
        accidents: &["02", "08"],
        top: Medium,
        consequences: "车辆倒车碰撞人员，车辆自燃。",
        actions: "抢救伤员，使用灭火器扑救初起火灾。",
        measures: [
            ("engineering", "划分停车区和人行通道，设置限速标志"),
            ("management", "停车场专人指挥车辆进出"),
        ],
    },
    PointDef {
        name: "车辆维修车间",
        kind: "area",
        location: "维修车间",
        hazards: &["2101", "2108", "2109"],
        accidents: &["03", "04", "08"],
        top: Medium,
        consequences: "举升机失效、焊接飞溅，导致机械伤害、火灾。",
        actions: "停止作业，抢救伤员，使用灭火器扑救。",
        measures: [
            ("engineering", "举升机设机械保险装置"),
            ("management", "维修作业执行操作规程，动火办理审批"),
        ],
    },
    PointDef {
        name: "加油及充电区",
        kind: "area",
        location: "场内加油站、充电桩",
        hazards: &["2201", "2103"],
        accidents: &["08", "05"],
        top: High,
        consequences: "油品泄漏、充电故障起火。",
        actions: "切断油泵和充电电源，使用灭火器和消防沙扑救，疏散车辆。",
        measures: [
            ("engineering", "加油机设紧急切断，充电桩设过充保护"),
            ("management", "加油时发动机熄火，严禁吸烟"),
        ],
    },
    PointDef {
        name: "仓储叉车作业",
        kind: "operation",
        location: "物流仓库",
        hazards: &["2108", "3103"],
        accidents: &["02", "01"],
        top: Medium,
        consequences: "叉车碰撞人员、货物坠落。",
        actions: "停车拉起手刹，抢救伤员，保护现场。",
        measures: [
            ("management", "叉车司机持证上岗，库内限速 5 km/h"),
            ("engineering", "人车分流，货架设防撞护栏"),
        ],
    },
];

const SPECIAL_EQUIPMENT_POINTS: &[PointDef] = &[
    PointDef {
        name: "燃气锅炉房",
        kind: "area",
        location: "锅炉房",
        hazards: &["2101", "2110", "2201"],
        accidents: &["16", "07", "08"],
        top: Major,
        consequences: "锅炉缺水、超压或炉膛燃气爆燃，导致锅炉爆炸、灼烫。",
        actions: "立即停炉，关闭燃气总阀，打开泄压装置，疏散人员，拨打119。",
        measures: [
            (
                "engineering",
                "锅炉设高低水位报警、超压联锁和熄火保护，燃气泄漏报警与切断联锁",
            ),
            ("management", "司炉工持证上岗，执行交接班和巡回检查制度"),
        ],
    },
    PointDef {
        name: "电梯机房",
        kind: "equipment_facility",
        location: "屋顶电梯机房",
        hazards: &["2101", "2103"],
        accidents: &["05", "03"],
        top: Medium,
        consequences: "曳引机、控制柜故障，检修时触电或机械伤害。",
        actions: "切断主电源，救援被困乘客，抢救伤员。",
        measures: [
            ("management", "机房上锁，仅维保人员进入"),
            ("engineering", "控制柜设漏电保护，旋转部件设防护罩"),
        ],
    },
    PointDef {
        name: "压力管道和分汽缸",
        kind: "equipment_facility",
        location: "换热站",
        hazards: &["2101", "2110"],
        accidents: &["07", "17"],
        top: High,
        consequences: "管道或分汽缸破裂，高温蒸汽喷出造成灼烫。",
        actions: "关闭上游阀门泄压，疏散人员，救治烫伤人员。",
        measures: [
            ("engineering", "安全阀、压力表按期校验，管道保温完好"),
            ("management", "每班巡检压力和温度并记录"),
        ],
    },
    PointDef {
        name: "电梯安装维保作业",
        kind: "operation",
        location: "在装在保电梯井道",
        hazards: &["3106", "1203"],
        accidents: &["09", "03"],
        top: High,
        consequences: "井道内作业坠落、轿厢意外移动挤压。",
        actions: "立即停止作业，切断电源，组织救援，拨打120。",
        measures: [
            ("management", "井道作业设专人监护，执行上锁挂牌"),
            ("personal_protection", "作业人员系挂安全带、佩戴安全帽"),
        ],
    },
    PointDef {
        name: "气瓶储存间",
        kind: "area",
        location: "气瓶库",
        hazards: &["2201", "2101"],
        accidents: &["17", "08"],
        top: High,
        consequences: "气瓶泄漏、受热超压爆炸。",
        actions: "关闭瓶阀，将泄漏气瓶移至安全处，喷水冷却，疏散人员。",
        measures: [
            ("engineering", "库房通风、防爆照明，气瓶防倾倒链"),
            ("management", "空瓶实瓶分开存放，氧气与可燃气瓶分库"),
        ],
    },
];

const INDUSTRY_POINTS: &[PointDef] = &[
    PointDef {
        name: "冲压车间",
        kind: "area",
        location: "冲压车间",
        hazards: &["2101", "2102", "1202"],
        accidents: &["03"],
        top: High,
        consequences: "冲床安全装置失效，造成手指、手掌压伤。",
        actions: "按下急停，抢救伤员，保护断指送医。",
        measures: [
            ("engineering", "冲床设光电保护和双手操作按钮"),
            ("management", "班前检查安全装置，严禁拆除"),
        ],
    },
    PointDef {
        name: "粉尘涉爆作业",
        kind: "area",
        location: "抛光打磨车间及除尘系统",
        hazards: &["2201", "3111"],
        accidents: &["18", "08"],
        top: Major,
        consequences: "可燃粉尘积聚遇点火源，引发粉尘爆炸。",
        actions: "立即停机，切断电源，疏散人员，严禁用水冲击粉尘，拨打119。",
        measures: [
            ("engineering", "除尘系统设泄爆、隔爆和火花探测熄灭装置"),
            ("management", "每班清理积尘并记录，严禁明火"),
        ],
    },
    PointDef {
        name: "有限空间作业",
        kind: "activity",
        location: "污水池、地下管网",
        hazards: &["2202", "3102", "1203"],
        accidents: &["19"],
        top: Major,
        consequences: "缺氧窒息、硫化氢中毒，盲目施救导致伤亡扩大。",
        actions: "监护人立即呼救，严禁无防护施救，佩戴空气呼吸器救援，拨打120。",
        measures: [
            (
                "management",
                "执行作业审批，先通风、再检测、后作业，专人监护",
            ),
            ("emergency", "配备气体检测仪、通风机、三脚架和空气呼吸器"),
        ],
    },
    PointDef {
        name: "液氨制冷机房",
        kind: "equipment_facility",
        location: "冷库制冷机房",
        hazards: &["2202", "2201", "2101"],
        accidents: &["19", "17"],
        top: Major,
        consequences: "液氨泄漏造成中毒，遇明火爆炸。",
        actions: "启动事故排风和喷淋，关闭相关阀门，佩戴防化服处置，疏散下风向人员。",
        measures: [
            (
                "engineering",
                "设氨气浓度报警并与事故排风联锁，配备紧急泄氨器",
            ),
            ("management", "制冷工持证上岗，每班巡检"),
        ],
    },
    PointDef {
        name: "桥式起重机吊装",
        kind: "operation",
        location: "装配车间",
        hazards: &["2101", "1202"],
        accidents: &["04", "01"],
        top: High,
        consequences: "钢丝绳断裂、吊物坠落。",
        actions: "停止吊装，疏散吊物下方人员，抢救伤员。",
        measures: [
            ("engineering", "起重机设起升高度限位和超载限制器"),
            ("management", "司索指挥持证，吊物下方严禁站人"),
        ],
    },
    PointDef {
        name: "机加工车间",
        kind: "area",
        location: "机加工车间",
        hazards: &["2101", "2102", "2108"],
        accidents: &["03", "01"],
        top: Medium,
        consequences: "旋转部件卷入、铁屑飞溅伤人。",
        actions: "按下急停，抢救伤员。",
        measures: [
            ("engineering", "旋转部件设防护罩，砂轮机设挡屑板"),
            (
                "personal_protection",
                "佩戴防护眼镜，严禁戴手套操作旋转设备",
            ),
        ],
    },
    PointDef {
        name: "变配电室",
        kind: "equipment_facility",
        location: "厂区变配电室",
        hazards: &["2103"],
        accidents: &["05", "08"],
        top: Medium,
        consequences: "误操作或绝缘损坏，导致触电、电气火灾。",
        actions: "切断电源，使用二氧化碳灭火器灭火，对触电者施救。",
        measures: [
            ("management", "执行工作票、操作票制度"),
            ("personal_protection", "使用绝缘手套、绝缘靴"),
        ],
    },
];

const FIREWORKS_POINTS: &[PointDef] = &[
    PointDef {
        name: "烟花爆竹成品仓库",
        kind: "area",
        location: "1 号、2 号库房",
        hazards: &["2201", "2109", "4302"],
        accidents: &["14", "08"],
        top: Major,
        consequences: "超量储存、遇火源或撞击，引发燃烧爆炸。",
        actions: "立即疏散人员至安全距离外，设置警戒，拨打119，严禁人员进入库区。",
        measures: [
            ("engineering", "库房设防雷、防静电设施和视频监控，核定药量"),
            ("management", "严格按核定药量储存，出入库登记"),
        ],
    },
    PointDef {
        name: "装卸搬运作业",
        kind: "operation",
        location: "库区装卸平台",
        hazards: &["2201", "1202"],
        accidents: &["14"],
        top: High,
        consequences: "野蛮装卸、拖拽摩擦引发爆炸。",
        actions: "停止作业，撤离人员，报告负责人。",
        measures: [
            ("management", "轻拿轻放，严禁抛掷拖拽，装卸时车辆熄火"),
            ("training", "装卸人员经专门培训"),
        ],
    },
    PointDef {
        name: "零售门店",
        kind: "area",
        location: "零售点",
        hazards: &["2201", "3109"],
        accidents: &["08"],
        top: Medium,
        consequences: "店内吸烟、用火引发火灾。",
        actions: "使用灭火器扑救，疏散顾客，拨打119。",
        measures: [
            ("management", "店内严禁吸烟和使用明火，限量存放"),
            ("emergency", "配备灭火器和消防沙"),
        ],
    },
];

const MINE_POINTS: &[PointDef] = &[
    PointDef {
        name: "露天采场边坡",
        kind: "area",
        location: "采场西帮边坡",
        hazards: &["3209", "3211", "3201"],
        accidents: &["10"],
        top: Major,
        consequences: "边坡失稳滑坡、坍塌，掩埋人员设备。",
        actions: "立即撤离危险区域人员设备，设置警戒，报告矿长并监测边坡变化。",
        measures: [
            ("engineering", "边坡在线监测，按设计留设安全平台和清扫平台"),
            ("management", "每班检查边坡，雨后复查"),
        ],
    },
    PointDef {
        name: "爆破作业",
        kind: "operation",
        location: "采场爆破区",
        hazards: &["2201", "1203"],
        accidents: &["13"],
        top: Major,
        consequences: "警戒不到位、盲炮处理不当，造成放炮伤亡。",
        actions: "停止作业，撤离人员，由爆破员按规程处理盲炮。",
        measures: [
            ("management", "爆破作业设警戒，执行一炮三检和三人连锁"),
            ("training", "爆破员、安全员、保管员持证上岗"),
        ],
    },
    PointDef {
        name: "排土场",
        kind: "area",
        location: "东排土场",
        hazards: &["3211", "3201"],
        accidents: &["10", "02"],
        top: High,
        consequences: "排土场滑坡、泥石流，车辆翻坠。",
        actions: "停止排土，撤离人员车辆，疏通截排水沟。",
        measures: [
            ("engineering", "设置截排水沟和安全车挡"),
            ("management", "雨季加强巡查"),
        ],
    },
    PointDef {
        name: "矿用运输车辆",
        kind: "equipment_facility",
        location: "矿区运输道路",
        hazards: &["3206", "2101"],
        accidents: &["02"],
        top: Medium,
        consequences: "制动失效、会车碰撞，车辆翻坠。",
        actions: "停车抢救伤员，设置警示。",
        measures: [
            ("management", "限速行驶，每日出车前检查制动"),
            ("engineering", "道路设置挡墙和错车道"),
        ],
    },
    PointDef {
        name: "破碎筛分车间",
        kind: "area",
        location: "破碎筛分车间",
        hazards: &["2101", "2104"],
        accidents: &["03"],
        top: Medium,
        consequences: "皮带卷入、检修时设备误启动。",
        actions: "拉下急停拉绳，抢救伤员。",
        measures: [
            ("engineering", "皮带机设急停拉绳和防护罩"),
            ("management", "检修执行停电挂牌"),
        ],
    },
];

const CHEMICAL_HDS: &[HdDef] = &[
    HdDef {
        description: "罐区防火堤内有积油、杂草，雨水排放阀未保持常闭",
        location: "罐区防火堤",
        hazard: "3204",
        remedy: "清理防火堤内杂物和积油，排水阀改为常闭并挂牌管理",
    },
    HdDef {
        description: "可燃气体检测报警仪检定标签过期",
        location: "合成车间",
        hazard: "2101",
        remedy: "送检可燃气体检测报警仪，更换检定合格标签",
    },
    HdDef {
        description: "装卸鹤管静电接地报警器故障",
        location: "装卸站台",
        hazard: "2103",
        remedy: "更换静电接地报警器并试验合格",
    },
    HdDef {
        description: "动火作业现场未按作业票要求配备灭火器",
        location: "检维修现场",
        hazard: "43",
        remedy: "现场补配灭火器，对作业监护人进行特殊作业制度教育",
    },
    HdDef {
        description: "反应釜压力表超过检定有效期",
        location: "一车间反应釜",
        hazard: "2101",
        remedy: "更换经检定合格的压力表",
    },
    HdDef {
        description: "岗位操作规程未随工艺变更及时修订",
        location: "中控室",
        hazard: "4305",
        remedy: "修订操作规程并组织岗位人员培训考核",
    },
    HdDef {
        description: "洗眼器水压不足，无法正常使用",
        location: "酸碱罐区",
        hazard: "2102",
        remedy: "检修供水管路，恢复洗眼器正常使用",
    },
    HdDef {
        description: "厂区东侧消防车道被车辆占用",
        location: "厂区东侧消防车道",
        hazard: "3212",
        remedy: "清理占道车辆，施划禁停标线并纳入每日巡查",
    },
];

const CONSTRUCTION_HDS: &[HdDef] = &[
    HdDef {
        description: "外脚手架部分连墙件缺失",
        location: "3#楼东立面",
        hazard: "3207",
        remedy: "按方案补设连墙件，经验收合格后使用",
    },
    HdDef {
        description: "基坑临边防护栏杆缺失",
        location: "基坑北侧",
        hazard: "3208",
        remedy: "补设 1.2 m 高防护栏杆和挡脚板，挂设警示标志",
    },
    HdDef {
        description: "钢筋加工棚开关箱未安装漏电保护器",
        location: "钢筋加工棚",
        hazard: "2103",
        remedy: "开关箱加装漏电保护器，实行一机一闸一漏一箱",
    },
    HdDef {
        description: "塔吊高度限位器失灵",
        location: "1#塔吊",
        hazard: "2101",
        remedy: "停用塔吊，维修高度限位器并经检测合格",
    },
    HdDef {
        description: "高处作业人员未系挂安全带",
        location: "主体结构八层",
        hazard: "1202",
        remedy: "停止作业，对作业班组进行安全教育，设置安全带挂点",
    },
    HdDef {
        description: "电梯井口未设置防护门",
        location: "五层电梯井口",
        hazard: "3106",
        remedy: "设置定型化防护门，井道内每隔两层设水平安全网",
    },
    HdDef {
        description: "模板支架扫地杆缺失，立杆间距大于方案要求",
        location: "地下室顶板",
        hazard: "3209",
        remedy: "按方案补设扫地杆、加密立杆，重新验收",
    },
];

const CROWDED_HDS: &[HdDef] = &[
    HdDef {
        description: "安全出口上锁，疏散通道堆放货物",
        location: "B1 超市",
        hazard: "3109",
        remedy: "清理通道货物，安全出口改为推闩式门锁",
    },
    HdDef {
        description: "疏散指示标志损坏不亮",
        location: "三层走廊",
        hazard: "2113",
        remedy: "更换损坏的疏散指示标志并测试应急时间",
    },
    HdDef {
        description: "后厨燃气泄漏报警装置故障",
        location: "餐饮区后厨",
        hazard: "2201",
        remedy: "维修燃气泄漏报警装置，恢复与切断阀联动",
    },
    HdDef {
        description: "消防控制室值班人员未持证上岗",
        location: "消防控制室",
        hazard: "4304",
        remedy: "调整持证人员值班，组织值班人员参加消防设施操作员培训",
    },
    HdDef {
        description: "自动喷水灭火系统末端试水装置压力不足",
        location: "四层末端试水装置",
        hazard: "2102",
        remedy: "检修喷淋泵和管网阀门，恢复系统压力",
    },
    HdDef {
        description: "电动自行车在楼道内停放充电",
        location: "员工宿舍楼一层楼道",
        hazard: "2103",
        remedy: "清理楼道车辆，设置集中充电区",
    },
];

const TRANSPORT_HDS: &[HdDef] = &[
    HdDef {
        description: "危货运输车辆卫星定位装置不在线",
        location: "危货运输车队",
        hazard: "2115",
        remedy: "维修车载终端，恢复动态监控",
    },
    HdDef {
        description: "驾驶员连续驾驶超过 4 小时未停车休息",
        location: "运输线路",
        hazard: "1101",
        remedy: "对驾驶员进行教育处理，动态监控人员加强疲劳驾驶提醒",
    },
    HdDef {
        description: "车载灭火器过期",
        location: "场站停车场",
        hazard: "2102",
        remedy: "更换全部过期灭火器",
    },
    HdDef {
        description: "维修车间举升机机械保险失效",
        location: "维修车间",
        hazard: "2101",
        remedy: "停用举升机，更换机械保险装置",
    },
    HdDef {
        description: "停车场内危货车辆未按规定隔离停放",
        location: "场站停车场",
        hazard: "3206",
        remedy: "划定危货车辆专用停车区并设置隔离",
    },
];

const SPECIAL_EQUIPMENT_HDS: &[HdDef] = &[
    HdDef {
        description: "锅炉安全阀超过校验有效期",
        location: "锅炉房",
        hazard: "2101",
        remedy: "安全阀送检校验，出具校验报告",
    },
    HdDef {
        description: "锅炉房燃气泄漏报警器故障",
        location: "锅炉房",
        hazard: "2201",
        remedy: "更换燃气泄漏报警器并与紧急切断阀联调",
    },
    HdDef {
        description: "电梯超期未维保，维保记录不全",
        location: "电梯机房",
        hazard: "43",
        remedy: "督促维保单位完成维保，补全维保记录",
    },
    HdDef {
        description: "电梯机房堆放杂物，机房门未上锁",
        location: "电梯机房",
        hazard: "3103",
        remedy: "清理杂物，机房门加锁并张贴警示标志",
    },
    HdDef {
        description: "储气罐未按期进行定期检验",
        location: "空压站储气罐",
        hazard: "2101",
        remedy: "申报定期检验并取得合格报告",
    },
    HdDef {
        description: "司炉工作业人员证书过期",
        location: "锅炉房",
        hazard: "4304",
        remedy: "安排复审取证，期间由持证人员操作",
    },
];

const INDUSTRY_HDS: &[HdDef] = &[
    HdDef {
        description: "冲床光电保护装置被拆除",
        location: "冲压车间",
        hazard: "2102",
        remedy: "恢复光电保护装置，对班组长进行处罚教育",
    },
    HdDef {
        description: "除尘系统积尘未及时清理",
        location: "抛光车间",
        hazard: "2201",
        remedy: "清理除尘管道积尘，落实每班清扫制度",
    },
    HdDef {
        description: "有限空间作业未进行气体检测",
        location: "污水处理池",
        hazard: "2202",
        remedy: "停止作业，配备气体检测仪，对作业人员进行专项培训",
    },
    HdDef {
        description: "行车钢丝绳断丝超标仍在使用",
        location: "装配车间",
        hazard: "2101",
        remedy: "更换钢丝绳并经检验合格",
    },
    HdDef {
        description: "砂轮机防护罩缺失",
        location: "机加工车间",
        hazard: "2102",
        remedy: "加装砂轮机防护罩和挡屑板",
    },
    HdDef {
        description: "车间配电箱未做保护接地",
        location: "机加工车间",
        hazard: "2103",
        remedy: "配电箱做保护接地并检测接地电阻",
    },
    HdDef {
        description: "叉车司机无证驾驶",
        location: "成品仓库",
        hazard: "4304",
        remedy: "停止无证人员驾驶，安排培训取证",
    },
];

const FIREWORKS_HDS: &[HdDef] = &[
    HdDef {
        description: "2 号库房存放量超过核定药量",
        location: "2 号库房",
        hazard: "2201",
        remedy: "调出超量产品，按核定药量储存并建立台账",
    },
    HdDef {
        description: "库房防雷设施超过检测有效期",
        location: "库区",
        hazard: "2101",
        remedy: "委托检测机构进行防雷检测",
    },
    HdDef {
        description: "库房内使用非防爆灯具",
        location: "1 号库房",
        hazard: "2103",
        remedy: "更换为防爆灯具",
    },
];

const MINE_HDS: &[HdDef] = &[
    HdDef {
        description: "边坡安全平台宽度不足，局部有浮石",
        location: "采场西帮",
        hazard: "3209",
        remedy: "清理浮石，按设计恢复安全平台宽度",
    },
    HdDef {
        description: "爆破警戒范围不足 300 米",
        location: "采场爆破区",
        hazard: "1203",
        remedy: "按爆破设计设置警戒点，增派警戒人员",
    },
    HdDef {
        description: "排土场截排水沟堵塞",
        location: "东排土场",
        hazard: "3218",
        remedy: "疏通截排水沟，雨前专项检查",
    },
    HdDef {
        description: "矿用自卸车制动性能不良",
        location: "矿区运输道路",
        hazard: "2101",
        remedy: "停用车辆，检修制动系统",
    },
];

/// The major hidden danger of a chemical enterprise (the red one).
const CHEMICAL_MAJOR: MajorDef = MajorDef {
    hd: HdDef {
        description: "甲类仓库超量储存危险化学品，氧化剂与易燃液体混放混存",
        location: "甲类仓库",
        hazard: "2201",
        remedy: "清理超量物料，按禁忌表分区分类储存并设置隔离，完善仓库管理制度",
    },
    criteria: Some(("chemical-2017", 20)),
    judgement: "",
    five: (
        85_000.0,
        "整改期间暂停入库作业，专人24小时巡查，配足灭火器材并落实应急处置措施",
    ),
};

/// The major hidden danger of a building site.
const CONSTRUCTION_MAJOR: MajorDef = MajorDef {
    hd: HdDef {
        description: "地下室深基坑土方超挖，北侧支护结构水平位移超过设计控制值",
        location: "地下室基坑北侧",
        hazard: "3211",
        remedy: "停止基坑北侧土方开挖，回填反压并增设锚索，委托第三方加密监测",
    },
    criteria: None,
    judgement: "依据《房屋市政工程生产安全重大事故隐患判定标准（2022版）》第六条：基坑土方超挖且支护结构变形超过设计控制值，未及时采取有效措施，判定为重大事故隐患",
    five: (
        260_000.0,
        "整改期间基坑北侧设警戒区，禁止重型车辆靠近，监测数据异常时立即撤离作业人员",
    ),
};

/// The major hidden danger of a factory.
const INDUSTRY_MAJOR: MajorDef = MajorDef {
    hd: HdDef {
        description: "焊接作业人员未取得特种作业操作证上岗作业",
        location: "结构件焊接车间",
        hazard: "4304",
        remedy: "立即停止无证人员作业，组织焊工参加特种作业培训考核取证，完善持证上岗检查制度",
    },
    criteria: Some(("industry-trade-2023", 2)),
    judgement: "",
    five: (
        12_000.0,
        "取证前焊接作业全部由持证焊工承担，车间主任每日核查作业人员证件",
    ),
};

/// The categories' risk points, hidden dangers and remediating department; `other` and unknown
/// categories are treated as industry and trade.
fn category(code: &str) -> (&'static [PointDef], &'static [HdDef], &'static str) {
    match code {
        "hazardous_chemicals" => (CHEMICAL_POINTS, CHEMICAL_HDS, "设备部"),
        "construction" => (CONSTRUCTION_POINTS, CONSTRUCTION_HDS, "项目部"),
        "crowded_place" => (CROWDED_POINTS, CROWDED_HDS, "物业工程部"),
        "transport" => (TRANSPORT_POINTS, TRANSPORT_HDS, "安全运营部"),
        "special_equipment" => (SPECIAL_EQUIPMENT_POINTS, SPECIAL_EQUIPMENT_HDS, "设备部"),
        "fireworks" => (FIREWORKS_POINTS, FIREWORKS_HDS, "仓储部"),
        "non_coal_mine" => (MINE_POINTS, MINE_HDS, "采矿车间"),
        _ => (INDUSTRY_POINTS, INDUSTRY_HDS, "生产部"),
    }
}

/// How likely an enterprise of the category is to have a 重大 risk point, relatively.
fn major_weight(code: &str) -> f64 {
    match code {
        "fireworks" | "non_coal_mine" => 4.0,
        "hazardous_chemicals" => 3.0,
        "construction" => 2.5,
        "industry_trade" => 1.5,
        "transport" => 1.2,
        "special_equipment" => 1.0,
        _ => 0.7,
    }
}

const fn lec(l: f64, e: f64, c: f64) -> AssessmentInput {
    AssessmentInput::Lec { l, e, c }
}

const fn ls(l: u32, s: u32) -> AssessmentInput {
    AssessmentInput::Ls { l, s }
}

/// Realistic LEC and L × S inputs that grade into each level (D bands 320 / 160 / 70, R bands
/// 20 / 15 / 9; see `docs/risk.md`).
fn inputs(level: RiskLevel) -> &'static [AssessmentInput] {
    const MAJOR: &[AssessmentInput] = &[
        lec(3.0, 6.0, 40.0),
        lec(6.0, 6.0, 15.0),
        lec(3.0, 3.0, 40.0),
        lec(1.0, 6.0, 100.0),
        ls(4, 5),
        ls(5, 4),
    ];
    const HIGH: &[AssessmentInput] = &[
        lec(3.0, 6.0, 15.0),
        lec(6.0, 3.0, 15.0),
        lec(1.0, 6.0, 40.0),
        ls(4, 4),
        ls(3, 5),
    ];
    const MEDIUM: &[AssessmentInput] = &[
        lec(3.0, 6.0, 7.0),
        lec(1.0, 6.0, 15.0),
        lec(3.0, 3.0, 15.0),
        ls(3, 3),
        ls(3, 4),
    ];
    const LOW: &[AssessmentInput] = &[
        lec(1.0, 6.0, 7.0),
        lec(1.0, 3.0, 7.0),
        lec(0.5, 6.0, 15.0),
        ls(2, 3),
        ls(2, 4),
    ];
    match level {
        Major => MAJOR,
        High => HIGH,
        Medium => MEDIUM,
        Low => LOW,
    }
}

fn rank(level: RiskLevel) -> u8 {
    match level {
        Major => 3,
        High => 2,
        Medium => 1,
        Low => 0,
    }
}

const LEVELS: [RiskLevel; 4] = [Low, Medium, High, Major];

/// The management level one below `level`'s minimum (the team for the lowest).
fn level_below(level: RiskLevel) -> &'static str {
    match level {
        Major => "department",
        High => "workshop",
        Medium | Low => "team",
    }
}

/// What an enterprise gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    /// No risk points.
    None,
    /// Risk points, the highest at this level (below 重大).
    Minor(RiskLevel),
    /// A 重大 risk point.
    Major,
    /// A 重大 risk point and two overdue general hidden dangers.
    MajorOverdue,
    /// A 重大 risk point and an open major hidden danger.
    MajorHiddenDanger,
    /// A 重大 risk point, an overdue major hidden danger and two overdue general ones.
    Red,
}

impl Tier {
    fn top(self) -> Option<RiskLevel> {
        match self {
            Self::None => None,
            Self::Minor(l) => Some(l),
            Self::Major | Self::MajorOverdue | Self::MajorHiddenDanger | Self::Red => Some(Major),
        }
    }
}

/// Where a hidden danger ends up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Reported,
    Rejected,
    Confirmed,
    Assigned,
    InRemediation,
    Submitted,
    Closed,
    /// Assigned (maybe started) with its deadline in the past.
    Overdue,
}

/// One hidden danger of the plan: where it ends up, and its definition when it is major.
type PlannedHd = (Target, Option<&'static MajorDef>);

/// One enterprise of the plan.
#[derive(Clone)]
struct Planned {
    id: i64,
    category: String,
    district: i64,
    suspended: bool,
    tier: Tier,
    /// Hidden dangers: (target, major definition).
    hidden_dangers: Vec<PlannedHd>,
    manager: String,
    phone: String,
}

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut n = rng.random_range(0..total.max(1));
    for (v, w) in weighted {
        if n < *w {
            return *v;
        }
        n -= w;
    }
    weighted[0].0
}

/// The general hidden dangers of an enterprise with no special role.
fn ordinary_targets(rng: &mut StdRng, n: usize) -> Vec<PlannedHd> {
    use Target::*;
    (0..n)
        .map(|_| {
            (
                pick(
                    rng,
                    &[
                        (Closed, 42),
                        (InRemediation, 16),
                        (Assigned, 8),
                        (Submitted, 10),
                        (Confirmed, 8),
                        (Reported, 10),
                        (Rejected, 4),
                    ],
                ),
                None,
            )
        })
        .collect()
}

/// Draws the plan: each enterprise's tier and hidden dangers.
fn plan(rng: &mut StdRng, mut ents: Vec<Planned>) -> Vec<Planned> {
    let n = ents.len();
    // Weighted sampling without replacement (key u^(1/w)): the first `majors` get a 重大 point.
    let mut keyed: Vec<(f64, usize)> = ents
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let u: f64 = rng.random_range(f64::EPSILON..1.0);
            (u.powf(1.0 / major_weight(&e.category)), i)
        })
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
    let majors = ((n as f64) * MAJOR_SHARE).round() as usize;
    let minors = ((n as f64) * MINOR_SHARE).round() as usize;
    let (major_idx, rest): (Vec<usize>, Vec<usize>) = (
        keyed.iter().take(majors).map(|k| k.1).collect(),
        keyed.iter().skip(majors).map(|k| k.1).collect(),
    );
    for &i in &major_idx {
        ents[i].tier = Tier::Major;
    }
    // The red enterprise and the two with an open major hidden danger: a chemical plant, a
    // building site and a factory, operating, in different districts.
    let mut used: Vec<i64> = Vec::new();
    let specials: [(&str, Tier, Vec<PlannedHd>); 3] = [
        (
            "hazardous_chemicals",
            Tier::Red,
            vec![
                (Target::Overdue, Some(&CHEMICAL_MAJOR)),
                (Target::Overdue, None),
                (Target::Overdue, None),
                (Target::Closed, None),
            ],
        ),
        (
            "construction",
            Tier::MajorHiddenDanger,
            vec![
                (Target::InRemediation, Some(&CONSTRUCTION_MAJOR)),
                (Target::Closed, None),
            ],
        ),
        (
            "industry_trade",
            Tier::MajorHiddenDanger,
            vec![
                (Target::Assigned, Some(&INDUSTRY_MAJOR)),
                (Target::Closed, None),
                (Target::InRemediation, None),
            ],
        ),
    ];
    for (cat, tier, hds) in specials {
        let found = major_idx.iter().copied().find(|&i| {
            ents[i].category == cat && !ents[i].suspended && !used.contains(&ents[i].district)
        });
        if let Some(i) = found {
            ents[i].tier = tier;
            ents[i].hidden_dangers = hds;
            used.push(ents[i].district);
        }
    }
    // Orange by overdue: one per district in turn.
    let mut made = 0;
    while made < ORANGE_BY_OVERDUE {
        let found = major_idx.iter().copied().find(|&i| {
            ents[i].tier == Tier::Major && !ents[i].suspended && !used.contains(&ents[i].district)
        });
        match found {
            Some(i) => {
                ents[i].tier = Tier::MajorOverdue;
                let extra = rng.random_range(0..=2);
                let mut hds = vec![(Target::Overdue, None), (Target::Overdue, None)];
                hds.extend(ordinary_targets(rng, extra));
                ents[i].hidden_dangers = hds;
                used.push(ents[i].district);
                made += 1;
            }
            // Every district has one: start another round (or stop when no candidate is left).
            None if used.is_empty() => break,
            None => used.clear(),
        }
    }
    // Points below 重大 on a random share of the rest.
    let mut rest = rest;
    rest.shuffle(rng);
    for &i in rest.iter().take(minors) {
        let level = pick(rng, &[(High, 25), (Medium, 45), (Low, 30)]);
        ents[i].tier = Tier::Minor(level);
    }
    // Ordinary hidden dangers: mostly at enterprises with risk points, none at suspended ones.
    let mut candidates: Vec<(f64, usize)> = ents
        .iter()
        .enumerate()
        .filter(|(_, e)| e.hidden_dangers.is_empty() && !e.suspended)
        .map(|(i, e)| {
            let u: f64 = rng.random();
            (if e.tier == Tier::None { u * 0.5 } else { u }, i)
        })
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    for &(_, i) in candidates.iter().take(OTHER_WITH_HIDDEN_DANGERS) {
        let count = pick(rng, &[(1, 6), (2, 3), (3, 1)]);
        ents[i].hidden_dangers = ordinary_targets(rng, count);
    }
    ents
}

/// Seeds risk points and hidden dangers on every enterprise whose id is not in `skip`, as of
/// `now`. Does nothing when the enterprise roles are missing.
///
/// # Errors
/// Any [`StoreError`].
pub async fn seed(store: &Store, skip: &[i64], now: DateTime<Utc>) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    let all = ScopeFilter::unrestricted();
    let (Some(manager_role), Some(worker_role)) = (
        store.find_role_by_key("enterprise_manager").await?,
        store.find_role_by_key("enterprise_worker").await?,
    ) else {
        return Ok(());
    };
    let district_of: HashMap<i64, i64> = store
        .list_regions()
        .await?
        .into_iter()
        .map(|r| {
            let top = r.path.split('/').find_map(|s| s.parse::<i64>().ok());
            (r.id, top.unwrap_or(r.id))
        })
        .collect();
    let ents: Vec<Planned> = store
        .all_enterprises(&EnterpriseFilter::default(), &all, 100_000)
        .await?
        .into_iter()
        .filter(|e| !skip.contains(&e.id))
        .map(|e| Planned {
            id: e.id,
            district: district_of.get(&e.region_id).copied().unwrap_or(0),
            suspended: e.status != "operating",
            tier: Tier::None,
            hidden_dangers: Vec::new(),
            manager: e.safety_manager_name.unwrap_or(e.principal_name),
            phone: e
                .safety_manager_phone
                .or(e.principal_phone)
                .unwrap_or_default(),
            category: e.supervision_category,
        })
        .collect();
    let mut rng = StdRng::seed_from_u64(SEED);
    let ents = plan(&mut rng, ents);
    let enterprises = ents.len();
    // The accounts first: creating one reads and then writes in one transaction, which a
    // concurrent writer would make fail on SQLite.
    let mut staffed = Vec::new();
    for e in ents.iter().filter(|e| !e.hidden_dangers.is_empty()) {
        let staff = Staff::create(store, e, manager_role.id, worker_role.id, &mut rng).await?;
        staffed.push((e.clone(), staff));
    }
    // Then the risk points and the hidden dangers side by side: they write different tables, and
    // every transaction of these store calls starts with a write, which SQLite's busy timeout
    // serialises. Each side writes its tables in a fixed order, so ids are the same every run.
    let points = tokio::spawn({
        let store = store.clone();
        async move {
            let mut n = 0;
            for e in &ents {
                n += seed_points(&store, &mut rng_of(e.id, 1), e, now).await?;
            }
            Ok::<usize, StoreError>(n)
        }
    });
    let city = crate::demo_hidden_danger::actor(store, "city").await?;
    let hidden = seed_hidden_dangers(store, &staffed, city.as_ref(), now).await;
    if hidden.is_err() {
        points.abort();
    }
    let (hidden_dangers, supervise) = hidden?;
    let points = points
        .await
        .map_err(|e| StoreError::Conflict(format!("demo risk points stopped: {e}")))??;
    // Listed supervision reads before it writes in its transaction: last, on its own.
    if let Some(city) = &city {
        for (n, (id, md)) in supervise.iter().enumerate() {
            self::supervise(store, &all, now, city, *id, md, n).await?;
        }
    }
    tracing::info!(
        enterprises,
        with_hidden_dangers = staffed.len(),
        risk_points = points,
        hidden_dangers,
        ms = started.elapsed().as_millis() as u64,
        "demo city risk points and hidden dangers seeded"
    );
    Ok(())
}

/// The generator of one enterprise's records (`part` 1: risk points, 2: hidden dangers), so that
/// what an enterprise gets does not depend on the others.
fn rng_of(enterprise_id: i64, part: u64) -> StdRng {
    StdRng::seed_from_u64(
        SEED ^ (enterprise_id as u64 * 4 + part).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    )
}

/// Takes every planned hidden danger through the workflow; returns how many, and the overdue
/// major ones to put under listed supervision.
async fn seed_hidden_dangers(
    store: &Store,
    staffed: &[(Planned, Staff)],
    city: Option<&HdActor>,
    now: DateTime<Utc>,
) -> Result<(usize, Vec<(i64, &'static MajorDef)>), StoreError> {
    let all = ScopeFilter::unrestricted();
    let mut count = 0;
    let mut supervise = Vec::new();
    for (e, staff) in staffed {
        let mut rng = rng_of(e.id, 2);
        let flow = Flow {
            store,
            all: &all,
            now,
            enterprise_id: e.id,
            staff,
            city,
        };
        for (target, major) in &e.hidden_dangers {
            let id = flow.run(&mut rng, e, *target, *major).await?;
            if let (Target::Overdue, Some(md)) = (target, major) {
                supervise.push((id, *md));
            }
            count += 1;
        }
    }
    Ok((count, supervise))
}

/// Creates the enterprise's risk points for its tier; returns how many.
async fn seed_points(
    store: &Store,
    rng: &mut StdRng,
    e: &Planned,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let Some(top) = e.tier.top() else {
        return Ok(0);
    };
    let (defs, _, _) = category(&e.category);
    let count = if top == Major {
        pick(rng, &[(1, 4), (2, 4), (3, 1), (4, 1)])
    } else {
        pick(rng, &[(1, 7), (2, 2), (3, 1)])
    };
    // The first point carries the enterprise's highest level; the others are at or below it.
    let mut order: Vec<&PointDef> = defs.iter().collect();
    order.shuffle(rng);
    let Some(first) = order.iter().position(|d| rank(d.top) >= rank(top)) else {
        return Ok(0);
    };
    order.swap(0, first);
    let lec = rng.random_bool(0.7);
    let today = shanghai_date(now);
    let contacts = format!("企业安全管理 {}；火警 119；急救 120", e.phone);
    for (i, def) in order.into_iter().take(count).enumerate() {
        let level = if i == 0 {
            top
        } else {
            let cap = rank(def.top).min(rank(top));
            let choices: Vec<(RiskLevel, u32)> = LEVELS
                .iter()
                .filter(|l| rank(**l) <= cap)
                .map(|l| (*l, if rank(*l) == cap { 2 } else { 3 }))
                .collect();
            pick(rng, &choices)
        };
        let options: Vec<AssessmentInput> = inputs(level)
            .iter()
            .copied()
            .filter(|a| matches!(a, AssessmentInput::Lec { .. }) == lec)
            .collect();
        let input = options[rng.random_range(0..options.len())];
        // 重大 points are reviewed every 3 months, 较大 every 6, the others yearly; about one
        // 重大 point in ten is overdue for review.
        let days = match level {
            Major if rng.random_bool(0.1) => rng.random_range(95..=130),
            Major => rng.random_range(7..=85),
            High => rng.random_range(15..=170),
            Medium | Low => rng.random_range(20..=330),
        };
        let created = now - Duration::days(days as i64 + rng.random_range(30..=400));
        let measures = [
            (
                def.measures[0].0,
                def.measures[0].1,
                min_management_level(level).as_str(),
            ),
            (def.measures[1].0, def.measures[1].1, level_below(level)),
        ];
        // The enterprise's 重大 point gets both measures, the others the first.
        let measures = if i == 0 && level == Major {
            &measures[..]
        } else {
            &measures[..1]
        };
        let code = format!("FX-{:03}", i + 1);
        create_point(
            store,
            DemoPoint {
                enterprise_id: e.id,
                code: &code,
                name: def.name,
                kind: def.kind,
                location: def.location,
                hazards: def.hazards,
                accidents: def.accidents,
                consequences: def.consequences,
                actions: def.actions,
                responsible: (&e.manager, &e.phone),
                contacts: &contacts,
                measures,
                measure_owner: &e.manager,
                assessments: &[(days_before(today, days), input, None)],
                assessor: &e.manager,
            },
            created,
            now,
        )
        .await?;
    }
    Ok(count.min(defs.len()))
}

/// The two accounts of an enterprise that work its hidden dangers.
struct Staff {
    manager: HdActor,
    remediator: HdActor,
}

impl Staff {
    async fn create(
        store: &Store,
        e: &Planned,
        manager_role: i64,
        worker_role: i64,
        rng: &mut StdRng,
    ) -> Result<Self, StoreError> {
        let repairer = crate::demo::person(rng);
        let account = |suffix: &str, nickname: String, role: i64| NewUser {
            username: format!("e{:03}.{suffix}", e.id),
            nickname,
            password_hash: NO_SIGN_IN.into(),
            phone: None,
            email: None,
            department_id: None,
            enterprise_id: Some(e.id),
            region_id: None,
            role_ids: vec![role],
            must_change_password: true,
            remark: Some("demo city account (no password set)".into()),
        };
        let manager = store
            .create_user(account("safety", e.manager.clone(), manager_role))
            .await?;
        let remediator = store
            .create_user(account("repair", repairer, worker_role))
            .await?;
        Ok(Self {
            manager: hd_actor(manager),
            remediator: hd_actor(remediator),
        })
    }
}

/// One hidden danger taken through the workflow.
struct Flow<'a> {
    store: &'a Store,
    all: &'a ScopeFilter,
    now: DateTime<Utc>,
    enterprise_id: i64,
    staff: &'a Staff,
    city: Option<&'a HdActor>,
}

impl Flow<'_> {
    /// `days` days and `hours` hours before now.
    fn ago(&self, days: i64, hours: i64) -> DateTime<Utc> {
        self.now - Duration::days(days) - Duration::hours(hours)
    }

    fn date(&self, days_from_now: i64) -> NaiveDate {
        shanghai_date(self.now + Duration::days(days_from_now))
    }

    async fn act(
        &self,
        id: i64,
        who: &HdActor,
        action: Action,
        files: &[i64],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store
            .hidden_danger_action(id, self.all, who, action, files, at)
            .await
            .map(|_| ())
    }

    async fn run(
        &self,
        rng: &mut StdRng,
        e: &Planned,
        target: Target,
        major: Option<&'static MajorDef>,
    ) -> Result<i64, StoreError> {
        use Target::*;
        let (_, defs, department) = category(&e.category);
        let def = match major {
            Some(m) => &m.hd,
            None => &defs[rng.random_range(0..defs.len())],
        };
        // Days since the report, by where the record ends up.
        let reported = match (target, major) {
            (Overdue, Some(_)) => rng.random_range(35..=50),
            (_, Some(_)) => rng.random_range(10..=25),
            (Reported, _) => rng.random_range(0..=3),
            (Confirmed, _) => rng.random_range(1..=5),
            (Rejected, _) => rng.random_range(3..=30),
            (Assigned | InRemediation, _) => rng.random_range(3..=20),
            (Submitted, _) => rng.random_range(5..=20),
            (Overdue, _) => rng.random_range(14..=40),
            (Closed, _) => rng.random_range(15..=120),
        };
        // Every step of this record a little earlier, so that no two records share their times.
        let jitter = Duration::seconds(rng.random_range(0..3 * 3600));
        let at = |days: i64, hours: i64| self.ago(days, hours) - jitter;
        let m = &self.staff.manager;
        let r = &self.staff.remediator;
        let enforcement = rng.random_bool(0.25) && self.city.is_some();
        let reporter = match self.city {
            Some(c) if enforcement => c,
            _ if rng.random_bool(0.5) => r,
            _ => m,
        };
        let report_at = at(reported, if reported == 0 { 3 } else { 6 });
        let id = self
            .store
            .report_hidden_danger(
                NewHiddenDanger {
                    enterprise_id: self.enterprise_id,
                    source: Some(if enforcement {
                        Source::Enforcement
                    } else {
                        Source::AdHoc
                    }),
                    description: def.description.into(),
                    location: Some(def.location.into()),
                    hazard_factor_code: Some(def.hazard.into()),
                    ..Default::default()
                },
                self.all,
                reporter,
                report_at,
            )
            .await?
            .record
            .id;
        match target {
            Reported => return Ok(id),
            Rejected => {
                self.act(
                    id,
                    m,
                    Action::Reject {
                        reason: "经现场核实已当场整改，不再立案".into(),
                    },
                    &[],
                    at(reported - 1, 5),
                )
                .await?;
                return Ok(id);
            }
            _ => {}
        }
        let grading = match major {
            Some(md) => Grading {
                level: Some(Level::Major),
                criteria_standard: md.criteria.map(|c| c.0.to_owned()),
                criteria_item: md.criteria.map(|c| c.1),
                judgement: md.criteria.is_none().then(|| md.judgement.to_owned()),
            },
            None => Grading::default(),
        };
        let confirm_at = if reported == 1 {
            at(0, 20)
        } else {
            at(reported, 4)
        };
        self.act(
            id,
            m,
            Action::Confirm {
                grading,
                comment: None,
            },
            &[],
            confirm_at,
        )
        .await?;
        if target == Confirmed {
            return Ok(id);
        }
        // Assigned the day after the report; how long the remediation takes.
        let assigned = reported - 1;
        let work = rng.random_range(1..=12_i64.min(reported - 4).max(1));
        let deadline = match target {
            // Overdue by a few days at least.
            Overdue => assigned - rng.random_range(5..=15_i64.min(assigned - 3).max(5)),
            Assigned | InRemediation if major.is_some() => -rng.random_range(20..=45),
            Assigned | InRemediation | Submitted => -rng.random_range(3..=25),
            // Closed on time, now and then late.
            _ if rng.random_bool(0.1) => assigned - (work - 1).max(0),
            _ => assigned - work - rng.random_range(2..=8),
        };
        let deadline = self.date(-deadline);
        self.act(
            id,
            m,
            Action::Assign(Assignment {
                remediator_id: r.user_id,
                department: department.into(),
                deadline,
                measures: def.remedy.into(),
                five_assurances: major.map(|md| FiveAssurances {
                    measures: md.hd.remedy.into(),
                    funds_cny: md.five.0,
                    time_limit: deadline,
                    responsible_person: m.name.clone(),
                    contingency_plan: md.five.1.into(),
                }),
            }),
            &[],
            at(assigned, 6),
        )
        .await?;
        if target == Assigned || (target == Overdue && major.is_none() && rng.random_bool(0.3)) {
            return Ok(id);
        }
        self.act(id, r, Action::Start, &[], at(assigned - 1, 6))
            .await?;
        if target == Overdue || target == InRemediation {
            return Ok(id);
        }
        let submitted = if target == Submitted {
            at(1, 3)
        } else {
            at(assigned - work, 4)
        };
        let evidence = photo(self.store, self.enterprise_id, r, submitted).await?;
        self.act(
            id,
            r,
            Action::Submit {
                description: format!("已整改：{}", def.remedy),
                evidence_count: 1,
            },
            &[evidence],
            submitted,
        )
        .await?;
        if target == Submitted {
            return Ok(id);
        }
        self.act(
            id,
            m,
            Action::Verify {
                comment: Some("现场复核合格，同意销号".into()),
            },
            &[],
            at(assigned - work - 1, 5),
        )
        .await?;
        Ok(id)
    }
}

/// Puts the overdue major hidden danger `id` under the city's listed supervision, five days ago
/// (document number 12 + `n` of the year).
async fn supervise(
    store: &Store,
    all: &ScopeFilter,
    now: DateTime<Utc>,
    city: &HdActor,
    id: i64,
    md: &MajorDef,
    n: usize,
) -> Result<(), StoreError> {
    let today = shanghai_date(now);
    store
        .put_under_supervision(
            id,
            all,
            city,
            NewSupervision {
                deadline: shanghai_date(now + Duration::days(20)),
                requirements: format!("限期完成整改：{}；每周报告整改进展", md.hd.remedy),
                document_no: Some(format!("宁应急督〔{}〕{}号", today.year(), 12 + n)),
            },
            now - Duration::days(5) - Duration::hours(3),
        )
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anjian_domain::dual_prevention::risk_control::check_accident_type;
    use anjian_domain::standards::hazard_factor;

    #[test]
    fn every_input_grades_into_its_level() {
        for level in LEVELS {
            for input in inputs(level) {
                let got = input.evaluate().unwrap().level;
                assert_eq!(got, level, "{input:?}");
            }
        }
    }

    #[test]
    fn every_code_is_a_valid_standard_code() {
        let cats = [
            "hazardous_chemicals",
            "construction",
            "crowded_place",
            "transport",
            "special_equipment",
            "fireworks",
            "non_coal_mine",
            "industry_trade",
        ];
        for cat in cats {
            let (points, hds, _) = category(cat);
            assert!(points.iter().any(|p| p.top == Major), "{cat}");
            for p in points {
                for h in p.hazards {
                    assert!(hazard_factor::validate(h).is_ok(), "{cat} {} {h}", p.name);
                }
                for a in p.accidents {
                    assert!(check_accident_type(a).is_ok(), "{cat} {} {a}", p.name);
                }
            }
            for h in hds
                .iter()
                .chain([&CHEMICAL_MAJOR.hd, &CONSTRUCTION_MAJOR.hd])
            {
                assert!(
                    hazard_factor::validate(h.hazard).is_ok(),
                    "{}",
                    h.description
                );
            }
        }
    }

    fn city(n: usize) -> Vec<Planned> {
        let cats = [
            "hazardous_chemicals",
            "industry_trade",
            "construction",
            "transport",
            "special_equipment",
            "crowded_place",
            "fireworks",
        ];
        (0..n)
            .map(|i| Planned {
                id: i as i64 + 2,
                category: cats[i % cats.len()].into(),
                district: (i % 6) as i64,
                suspended: i % 37 == 5,
                tier: Tier::None,
                hidden_dangers: Vec::new(),
                manager: "王伟".into(),
                phone: "13900000000".into(),
            })
            .collect()
    }

    #[test]
    fn the_plan_has_the_intended_spread() {
        let ents = plan(&mut StdRng::seed_from_u64(SEED), city(198));
        let count = |t: Tier| ents.iter().filter(|e| e.tier == t).count();
        assert_eq!(count(Tier::Red), 1);
        assert_eq!(count(Tier::MajorHiddenDanger), 2);
        assert_eq!(count(Tier::MajorOverdue), ORANGE_BY_OVERDUE);
        let with_points = ents.iter().filter(|e| e.tier != Tier::None).count();
        assert!((120..=140).contains(&with_points), "{with_points}");
        let overdue: usize = ents
            .iter()
            .flat_map(|e| &e.hidden_dangers)
            .filter(|(t, m)| *t == Target::Overdue && m.is_none())
            .count();
        assert_eq!(overdue, 2 * ORANGE_BY_OVERDUE + 2);
        let hds: usize = ents.iter().map(|e| e.hidden_dangers.len()).sum();
        assert!((80..=120).contains(&hds), "{hds}");
        // The orange ones are spread over the districts.
        let mut districts: Vec<i64> = ents
            .iter()
            .filter(|e| e.tier == Tier::MajorOverdue)
            .map(|e| e.district)
            .collect();
        districts.sort_unstable();
        districts.dedup();
        assert!(districts.len() >= 5, "{districts:?}");
    }
}
