//! Demo hidden dangers for the demo enterprise: a dozen records across the workflow's states —
//! reported, rejected, confirmed, assigned, in remediation, submitted, closed (one on time, one
//! late) — including an overdue major one (its deadline in the past, escalated to the bureau and
//! under the city's listed supervision with a progress report), an overdue general one, and a
//! major one with a pending deadline extension. Every step goes through the store's workflow, at
//! past times, so the event logs read like real ones.

use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::hidden_danger::{
    Action, Assignment, FiveAssurances, Grading, Level, Source,
};
use anjian_store::{
    HdActor, NewAttachment, NewHiddenDanger, NewSupervision, Store, StoreError, User,
};
use chrono::{DateTime, Duration, Utc};

/// A 1×1 PNG standing in for photos.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// A demo account acting on hidden dangers with every permission (the store's workflow still
/// checks who may do what: the remediator, not the verifier, etc.).
pub(crate) fn hd_actor(u: User) -> HdActor {
    HdActor {
        user_id: u.id,
        name: u.nickname,
        permissions: vec!["*:*:*".into()],
        enterprise_id: u.enterprise_id,
        department_id: u.department_id,
        region_id: u.region_id,
    }
}

/// The demo account `username` as a hidden-danger actor, if it exists.
pub(crate) async fn actor(store: &Store, username: &str) -> Result<Option<HdActor>, StoreError> {
    Ok(store.find_user_by_username(username).await?.map(hd_actor))
}

/// Stores the stand-in photo for `enterprise_id`, uploaded by `by` at `at`; returns its id.
pub(crate) async fn photo(
    store: &Store,
    enterprise_id: i64,
    by: &HdActor,
    at: DateTime<Utc>,
) -> Result<i64, StoreError> {
    Ok(store
        .create_attachment(NewAttachment {
            file_name: "photo.png".into(),
            content_type: "image/png".into(),
            sha256: hex::encode(<sha2::Sha256 as sha2::Digest>::digest(PNG)),
            data: PNG.to_vec(),
            enterprise_id: Some(enterprise_id),
            uploaded_by: by.user_id,
            uploaded_at: at,
        })
        .await?
        .id)
}

/// Seeds demo records for the demo enterprise `enterprise_id` (the `enterprise` account's).
/// Does nothing when the demo accounts are missing.
///
/// # Errors
/// Any [`StoreError`].
pub async fn seed(store: &Store, enterprise_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let (Some(mgr), Some(worker), Some(repair)) = (
        actor(store, "enterprise").await?,
        actor(store, "worker").await?,
        actor(store, "repair").await?,
    ) else {
        return Ok(());
    };
    let unrestricted = ScopeFilter::unrestricted();
    let all = &unrestricted;
    let day = |d: i64| now + Duration::days(d);
    let date = |d: i64| crate_date(now + Duration::days(d));

    // (description, location, hazard factor, reported days ago, target state)
    struct Demo {
        description: &'static str,
        location: &'static str,
        hazard: &'static str,
        reported: i64,
    }
    let report = |d: Demo, by: &HdActor| {
        let by = by.clone();
        async move {
            let p = photo(store, enterprise_id, &by, day(-d.reported)).await?;
            store
                .report_hidden_danger(
                    NewHiddenDanger {
                        enterprise_id,
                        source: Some(Source::AdHoc),
                        description: d.description.into(),
                        location: Some(d.location.into()),
                        photo_ids: vec![p],
                        hazard_factor_code: Some(d.hazard.into()),
                        ..Default::default()
                    },
                    all,
                    &by,
                    day(-d.reported),
                )
                .await
                .map(|v| v.record.id)
        }
    };
    let act = |id: i64, who: &HdActor, a: Action, files: Vec<i64>, at: DateTime<Utc>| {
        let who = who.clone();
        async move {
            store
                .hidden_danger_action(id, all, &who, a, &files, at)
                .await
                .map(|_| ())
        }
    };
    let confirm = |level: Level| Action::Confirm {
        grading: if level == Level::Major {
            Grading {
                level: Some(Level::Major),
                criteria_standard: Some("chemical-2017".into()),
                criteria_item: Some(12),
                judgement: None,
            }
        } else {
            Grading::default()
        },
        comment: None,
    };
    // The five assurances of a major record: (measures, funds in CNY, contingency plan).
    type Five = Option<(&'static str, f64, &'static str)>;
    let assign = |deadline_days: i64, major: Five| {
        Action::Assign(Assignment {
            remediator_id: repair.user_id,
            department: "设备维修班".into(),
            deadline: date(deadline_days),
            measures: "按规范整改并拍照留证".into(),
            five_assurances: major.map(|(measures, funds_cny, plan)| FiveAssurances {
                measures: measures.into(),
                funds_cny,
                time_limit: date(deadline_days),
                responsible_person: "维修班长李明".into(),
                contingency_plan: plan.into(),
            }),
        })
    };

    // 1-2: reported.
    report(
        Demo {
            description: "消防通道堆放包装桶，通道宽度不足",
            location: "二号仓库北侧",
            hazard: "3",
            reported: 1,
        },
        &worker,
    )
    .await?;
    report(
        Demo {
            description: "配电箱门锁损坏，箱门无法关闭",
            location: "循环水泵房",
            hazard: "2",
            reported: 0,
        },
        &worker,
    )
    .await?;
    // 3: rejected.
    let id = report(
        Demo {
            description: "办公楼走廊灯不亮",
            location: "办公楼二层",
            hazard: "2",
            reported: 6,
        },
        &worker,
    )
    .await?;
    act(
        id,
        &mgr,
        Action::Reject {
            reason: "属日常维修事项，不构成事故隐患，已转后勤处理".into(),
        },
        vec![],
        day(-5),
    )
    .await?;
    // 4: confirmed.
    let id = report(
        Demo {
            description: "装卸区静电接地夹锈蚀，接触不良",
            location: "甲醇装卸站台",
            hazard: "2",
            reported: 2,
        },
        &worker,
    )
    .await?;
    act(id, &mgr, confirm(Level::General), vec![], day(-1)).await?;
    // 5: assigned.
    let id = report(
        Demo {
            description: "操作规程未张贴在岗位现场",
            location: "合成车间控制室",
            hazard: "4",
            reported: 3,
        },
        &mgr,
    )
    .await?;
    act(id, &mgr, confirm(Level::General), vec![], day(-3)).await?;
    act(id, &mgr, assign(7, None), vec![], day(-2)).await?;
    // 6: in remediation.
    let id = report(
        Demo {
            description: "员工进入受限空间未佩戴气体检测仪",
            location: "污水处理池",
            hazard: "1",
            reported: 5,
        },
        &worker,
    )
    .await?;
    act(id, &mgr, confirm(Level::General), vec![], day(-5)).await?;
    act(id, &mgr, assign(3, None), vec![], day(-4)).await?;
    act(id, &repair, Action::Start, vec![], day(-3)).await?;
    // 7: submitted.
    let id = report(
        Demo {
            description: "安全阀校验标签过期",
            location: "蒸汽分汽缸",
            hazard: "2",
            reported: 8,
        },
        &worker,
    )
    .await?;
    act(id, &mgr, confirm(Level::General), vec![], day(-8)).await?;
    act(id, &mgr, assign(2, None), vec![], day(-7)).await?;
    act(id, &repair, Action::Start, vec![], day(-6)).await?;
    let ev = photo(store, enterprise_id, &repair, day(-1)).await?;
    act(
        id,
        &repair,
        Action::Submit {
            description: "已送检安全阀并更换新标签".into(),
            evidence_count: 1,
        },
        vec![ev],
        day(-1),
    )
    .await?;
    // 8-9: closed, one on time, one late.
    for (description, location, deadline, closed) in [
        ("灭火器压力不足", "罐区东侧消防箱", -10, -12),
        ("洗眼器无水", "酸碱罐区", -20, -15),
    ] {
        let id = report(
            Demo {
                description,
                location,
                hazard: "2",
                reported: 30,
            },
            &worker,
        )
        .await?;
        act(id, &mgr, confirm(Level::General), vec![], day(-29)).await?;
        act(id, &mgr, assign(deadline, None), vec![], day(-28)).await?;
        act(id, &repair, Action::Start, vec![], day(-27)).await?;
        let ev = photo(store, enterprise_id, &repair, day(closed - 1)).await?;
        act(
            id,
            &repair,
            Action::Submit {
                description: "已整改完毕".into(),
                evidence_count: 1,
            },
            vec![ev],
            day(closed - 1),
        )
        .await?;
        act(
            id,
            &mgr,
            Action::Verify {
                comment: Some("现场复核合格".into()),
            },
            vec![],
            day(closed),
        )
        .await?;
    }
    // 10: overdue major, escalated, under listed supervision.
    let major = report(
        Demo {
            description: "甲醇储罐区可燃气体检测报警装置未按国家标准设置，部分探头失效",
            location: "甲醇罐区",
            hazard: "2",
            reported: 20,
        },
        &worker,
    )
    .await?;
    act(major, &mgr, confirm(Level::Major), vec![], day(-19)).await?;
    act(
        major,
        &mgr,
        assign(
            -5,
            Some((
                "更换失效探头，按GB/T 50493补设可燃气体检测报警仪并接入DCS，联锁切断",
                48_000.0,
                "整改完成前每2小时便携式检测一次，设置警戒区，备足消防器材",
            )),
        ),
        vec![],
        day(-18),
    )
    .await?;
    act(major, &repair, Action::Start, vec![], day(-17)).await?;
    // 11: overdue general.
    let id = report(
        Demo {
            description: "防爆区域使用非防爆手机充电插座",
            location: "合成车间二层",
            hazard: "2",
            reported: 10,
        },
        &worker,
    )
    .await?;
    act(id, &mgr, confirm(Level::General), vec![], day(-10)).await?;
    act(id, &mgr, assign(-2, None), vec![], day(-9)).await?;
    // 12: major with a pending extension.
    let id = report(
        Demo {
            description: "控制室面向装置一侧窗户不满足防火防爆要求",
            location: "中心控制室",
            hazard: "2",
            reported: 4,
        },
        &mgr,
    )
    .await?;
    act(
        id,
        &mgr,
        Action::Confirm {
            grading: Grading {
                level: Some(Level::Major),
                criteria_standard: Some("chemical-2017".into()),
                criteria_item: Some(13),
                judgement: None,
            },
            comment: None,
        },
        vec![],
        day(-4),
    )
    .await?;
    act(
        id,
        &mgr,
        assign(
            5,
            Some((
                "面向装置一侧窗户更换为抗爆窗或封堵，按GB 50779进行控制室抗爆评估",
                120_000.0,
                "整改完成前窗户加贴防爆膜，禁止人员靠窗停留，应急疏散路线张贴上墙",
            )),
        ),
        vec![],
        day(-3),
    )
    .await?;
    act(
        id,
        &repair,
        Action::RequestExtension {
            new_deadline: date(20),
            reason: "防爆窗需定制，供货周期约两周".into(),
        },
        vec![],
        day(-1),
    )
    .await?;

    store.escalate_overdue_hidden_dangers(now).await?;
    if let Some(city) = actor(store, "city").await? {
        let sup = store
            .put_under_supervision(
                major,
                all,
                &city,
                NewSupervision {
                    deadline: date(15),
                    requirements: "限期完成可燃气体检测报警系统整改，每周报告整改进展".into(),
                    document_no: Some("宁应急督〔2026〕3号".into()),
                },
                day(-2),
            )
            .await?;
        store
            .report_supervision_progress(
                sup.supervision.id,
                all,
                &mgr,
                "新探头已采购，正在安装调试，预计一周内完成".into(),
                vec![],
                day(-1),
            )
            .await?;
    }
    Ok(())
}

fn crate_date(t: DateTime<Utc>) -> chrono::NaiveDate {
    anjian_domain::dual_prevention::hidden_danger::shanghai_date(t)
}
