//! Demo data for hidden-danger inspection: two plans of the demo enterprise on the shared
//! template checklists — a daily patrol (每日 08:00, 12 h) for the `worker` account and a weekly
//! check (每周一 09:00, 5 days) for `repair` — with a few completed tasks (one with a failed
//! item), one missed, and one pending for today.

use anjian_domain::auth::ScopeFilter;
use anjian_domain::dual_prevention::inspection::{
    ItemResult, ResultInput, Schedule, TIME_ZONE, TaskStatus,
};
use anjian_domain::page::Page;
use anjian_store::{
    ChecklistFilter, CompleteInput, InspectionPlan, PlanInput, Store, StoreError, TaskFilter,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// `hour`:00 Asia/Shanghai `days_ago` days before `now`'s local date, plus `minutes`.
fn local_at(now: DateTime<Utc>, days_ago: i64, hour: u32, minutes: i64) -> DateTime<Utc> {
    let day = now.with_timezone(&TIME_ZONE).date_naive() - Duration::days(days_ago);
    let t = day
        .and_hms_opt(hour, 0, 0)
        .and_then(|n| TIME_ZONE.from_local_datetime(&n).single())
        .map_or(now, |t| t.with_timezone(&Utc));
    t + Duration::minutes(minutes)
}

async fn complete_pending(
    store: &Store,
    plan: &InspectionPlan,
    at: DateTime<Utc>,
    fail_note: Option<&str>,
) -> Result<(), StoreError> {
    let all = ScopeFilter::unrestricted();
    let page = Page::new(Some(1), Some(10))?;
    let pending = store
        .list_tasks(
            &TaskFilter {
                plan_id: Some(plan.id),
                status: Some(TaskStatus::Pending),
                ..Default::default()
            },
            &all,
            page,
            at,
        )
        .await?;
    for t in pending.rows {
        let (_, items) = store.get_task(t.task.id, &all, at).await?;
        let results = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let fail = i == 0 && fail_note.is_some();
                ResultInput {
                    item_id: it.item_id,
                    result: Some(if fail {
                        ItemResult::Fail
                    } else {
                        ItemResult::Pass
                    }),
                    note: if fail {
                        fail_note.map(str::to_owned)
                    } else {
                        None
                    },
                    photo_ids: vec![],
                }
            })
            .collect();
        store
            .complete_task(
                t.task.id,
                CompleteInput {
                    results,
                    longitude: Some(118.78),
                    latitude: Some(32.04),
                    location: Some("1号罐区".into()),
                    photo_ids: vec![],
                    note: None,
                },
                plan.assignee_id,
                &all,
                at,
            )
            .await?;
    }
    Ok(())
}

/// Seeds demo records for the demo enterprise `enterprise_id` (the `enterprise` account's).
///
/// # Errors
/// Any [`StoreError`].
pub async fn seed(store: &Store, enterprise_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    let all = ScopeFilter::unrestricted();
    let templates = store
        .list_checklists(
            &ChecklistFilter {
                shared_only: true,
                ..Default::default()
            },
            &all,
            Page::new(Some(1), Some(10))?,
        )
        .await?
        .rows;
    let find = |kind: &str| {
        templates
            .iter()
            .find(|(c, ..)| c.kind == kind)
            .map(|(c, ..)| c.id)
    };
    let (Some(daily), Some(confined)) = (find("daily"), find("confined_space")) else {
        return Ok(());
    };
    let (Some(worker), Some(repair)) = (
        store.find_user_by_username("worker").await?,
        store.find_user_by_username("repair").await?,
    ) else {
        return Ok(());
    };

    // Daily patrol, planned four days ago: days 4, 3 and 1 done (day 3 with a failed item),
    // day 2 missed, today's pending (run now when seeded outside 08:00-20:00).
    let patrol = store
        .create_plan(
            PlanInput {
                enterprise_id,
                checklist_id: daily,
                name: "罐区日常巡检".into(),
                post: Some("罐区操作工".into()),
                risk_point_id: None,
                cron: "0 8 * * *".into(),
                window_hours: 12,
                assignee_id: worker.id,
                enabled: true,
            },
            None,
            &all,
            local_at(now, 4, 0, 0),
        )
        .await?;
    for (days_ago, fail) in [
        (4, None),
        (3, Some("3号储罐防火堤东侧有约20 cm裂缝")),
        (2, None),
        (1, None),
    ] {
        let at = local_at(now, days_ago, 9, 30);
        store.generate_inspection_tasks(at).await?;
        if days_ago != 2 {
            complete_pending(store, &patrol, at, fail).await?;
        }
    }
    store.generate_inspection_tasks(now).await?;
    let today_pending = store
        .list_tasks(
            &TaskFilter {
                plan_id: Some(patrol.id),
                status: Some(TaskStatus::Pending),
                ..Default::default()
            },
            &all,
            Page::new(Some(1), Some(1))?,
            now,
        )
        .await?;
    if today_pending.total == 0 {
        // Seeded before 08:00 or after 20:00: give the worker a task to do now.
        store.run_plan_now(patrol.id, &all, now).await?;
    }

    // Weekly confined-space check for the repair team lead, planned 15 days ago; the first week
    // done.
    let weekly = store
        .create_plan(
            PlanInput {
                enterprise_id,
                checklist_id: confined,
                name: "污水池有限空间每周检查".into(),
                post: Some("维修班".into()),
                risk_point_id: None,
                cron: "0 9 * * 1".into(),
                window_hours: 120,
                assignee_id: repair.id,
                enabled: true,
            },
            None,
            &all,
            local_at(now, 15, 0, 0),
        )
        .await?;
    if let Some(first) = Schedule::parse(&weekly.cron)
        .ok()
        .and_then(|s| s.next_after(weekly.generated_until))
    {
        let done_at = first + Duration::hours(2);
        store.generate_inspection_tasks(done_at).await?;
        complete_pending(store, &weekly, done_at, None).await?;
    }
    store.generate_inspection_tasks(now).await?;
    Ok(())
}
