//! Property tests of the hidden-danger workflow (issue 6, "Must show"): no state can be skipped,
//! only permitted roles can act, a remediator can never verify their own work, and deadlines,
//! overdue detection and escalation follow an injected clock.

use anjian_domain::clock::Clock;
use anjian_domain::dual_prevention::hidden_danger::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Every edge the workflow permits (from, to); extension actions keep the status.
fn permitted(from: Status, to: Status) -> bool {
    use Status::*;
    from == to && matches!(from, Assigned | InRemediation | Submitted)
        || matches!(
            (from, to),
            (Reported, Confirmed)
                | (Reported, Rejected)
                | (Confirmed, Assigned)
                | (Assigned, InRemediation)
                | (InRemediation, Submitted)
                | (Submitted, Closed)
                | (Submitted, InRemediation)
                | (Closed, Confirmed)
                | (Rejected, Reported)
        )
}

const ALL_PERMS: [&str; 7] = [
    perm::CONFIRM,
    perm::ASSIGN,
    perm::REMEDIATE,
    perm::APPROVE,
    perm::VERIFY,
    perm::REOPEN,
    perm::REPORT,
];

/// Users 1..=4 with arbitrary subsets of the workflow permissions (bit i = ALL_PERMS[i]).
fn actor(user_id: i64, mask: u8, state: &RecordState) -> Actor {
    Actor {
        user_id,
        permissions: ALL_PERMS
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, p)| (*p).to_owned())
            .collect(),
        is_remediator: state.remediator_id == Some(user_id),
    }
}

fn action(kind: u8, arg: u8, now: DateTime<Utc>) -> Action {
    let today = shanghai_date(now);
    let days = i64::from(arg % 20) - 3; // sometimes in the past
    let date = today + Duration::days(days);
    let text = if arg.is_multiple_of(7) {
        ""
    } else {
        "整改说明文字"
    };
    match kind % 11 {
        0 => Action::Confirm {
            grading: Grading {
                level: Some(if arg.is_multiple_of(2) {
                    Level::General
                } else {
                    Level::Major
                }),
                criteria_standard: (arg % 2 == 1).then(|| "chemical-2017".to_owned()),
                criteria_item: (arg % 2 == 1).then_some(u32::from(arg % 25)),
                judgement: None,
            },
            comment: None,
        },
        1 => Action::Reject {
            reason: text.into(),
        },
        2 => Action::Assign(Assignment {
            remediator_id: i64::from(arg % 4) + 1,
            department: "维修班".into(),
            deadline: date,
            measures: text.into(),
            five_assurances: (!arg.is_multiple_of(3)).then(|| FiveAssurances {
                measures: "更换阀门".into(),
                funds_cny: 5000.0,
                time_limit: date,
                responsible_person: "李明".into(),
                contingency_plan: "设置警戒区".into(),
            }),
        }),
        3 => Action::Start,
        4 => Action::Submit {
            description: text.into(),
            evidence_count: usize::from(arg % 3),
        },
        5 => Action::Verify { comment: None },
        6 => Action::SendBack {
            reason: text.into(),
        },
        7 => Action::Reopen {
            reason: text.into(),
        },
        8 => Action::RequestExtension {
            new_deadline: date + Duration::days(10),
            reason: text.into(),
        },
        9 => Action::ApproveExtension { comment: None },
        _ => Action::RefuseExtension {
            reason: text.into(),
        },
    }
}

fn fresh() -> RecordState {
    RecordState {
        status: Status::Reported,
        level: Level::General,
        reporter_id: Some(1),
        remediator_id: None,
        submitted_by: None,
        deadline: None,
        pending_extension: None,
    }
}

/// Applies an outcome the way the store does.
fn apply(s: &mut RecordState, a: &Action, o: &Outcome, actor: &Actor) {
    s.status = o.to;
    if let Some(l) = o.level {
        s.level = l;
    }
    if let Some(d) = o.deadline {
        s.deadline = Some(d);
    }
    match a {
        Action::Assign(x) => s.remediator_id = Some(x.remediator_id),
        Action::Submit { .. } => s.submitted_by = Some(actor.user_id),
        Action::RequestExtension { new_deadline, .. } => {
            s.pending_extension = Some(PendingExtension {
                requested_by: actor.user_id,
                new_deadline: *new_deadline,
            })
        }
        _ => {}
    }
    if matches!(
        o.extension,
        ExtensionEffect::Approved | ExtensionEffect::Refused | ExtensionEffect::Cancelled
    ) {
        s.pending_extension = None;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random sequences of (user, permissions, action, clock step) only ever move a record along
    /// a permitted edge; every success was taken by a holder of the action's permission; a
    /// verification is never by the remediator or the submitter; the deadline moves only on
    /// assignment or an approved extension, and is then after the clock's now.
    #[test]
    fn random_sequences_follow_permitted_edges(
        steps in proptest::collection::vec((1i64..=4, any::<u8>(), any::<u8>(), any::<u8>(), 0i64..72), 1..80)
    ) {
        let clock = Clock::manual(start());
        let mut s = fresh();
        for (user, mask, kind, arg, hours) in steps {
            clock.advance(Duration::hours(hours));
            let now = clock.now();
            let who = actor(user, mask, &s);
            let a = action(kind, arg, now);
            let before = s.clone();
            match transition(&s, &who, &a, now) {
                Ok(o) => {
                    prop_assert_eq!(o.from, before.status);
                    prop_assert!(permitted(o.from, o.to), "{:?} -> {:?} by {}", o.from, o.to, a.name());
                    prop_assert!(anjian_domain::auth::permits(&who.permissions, a.permission()));
                    if matches!(a, Action::Verify { .. } | Action::SendBack { .. }) {
                        prop_assert_ne!(before.remediator_id, Some(user));
                        prop_assert_ne!(before.submitted_by, Some(user));
                    }
                    if matches!(a, Action::Start | Action::Submit { .. } | Action::RequestExtension { .. }) {
                        prop_assert_eq!(before.remediator_id, Some(user));
                    }
                    if let Some(d) = o.deadline {
                        prop_assert!(matches!(a, Action::Assign(_) | Action::ApproveExtension { .. }), "deadline moved by {}", a.name());
                        prop_assert!(deadline_end(d) > now);
                    }
                    if let Action::ApproveExtension { .. } = a {
                        prop_assert_ne!(before.pending_extension.map(|p| p.requested_by), Some(user));
                    }
                    apply(&mut s, &a, &o, &who);
                }
                Err(WorkflowError::Forbidden(p)) => {
                    prop_assert!(!anjian_domain::auth::permits(&who.permissions, p));
                    prop_assert_eq!(&s, &before);
                }
                Err(_) => prop_assert_eq!(&s, &before),
            }
        }
    }

    /// From any status, an action not allowed from it is refused (409) for a user holding every
    /// permission: only the listed edges exist, so no status is skipped.
    #[test]
    fn no_state_can_be_skipped(status_i in 0usize..7, kind in any::<u8>(), arg in any::<u8>()) {
        let now = start();
        let mut s = fresh();
        s.status = Status::ALL[status_i];
        s.remediator_id = Some(2);
        s.deadline = Some(shanghai_date(now) + Duration::days(5));
        let a = action(kind, arg, now);
        let admin = Actor { user_id: 3, permissions: vec!["*:*:*".into()], is_remediator: false };
        let r = transition(&s, &admin, &a, now);
        if !a.allowed_from().contains(&s.status) {
            prop_assert!(matches!(r, Err(WorkflowError::Conflict(_))), "{:?} from {:?}: {:?}", a.name(), s.status, r);
        }
        if let Ok(o) = r {
            prop_assert!(permitted(o.from, o.to));
        }
    }

    /// Without the action's permission nothing happens, whatever the status (403).
    #[test]
    fn only_permitted_roles_can_act(status_i in 0usize..7, kind in any::<u8>(), arg in any::<u8>(), mask in any::<u8>()) {
        let now = start();
        let mut s = fresh();
        s.status = Status::ALL[status_i];
        s.remediator_id = Some(2);
        let a = action(kind, arg, now);
        let mut who = actor(2, mask, &s);
        who.permissions.retain(|p| p != a.permission());
        prop_assert_eq!(transition(&s, &who, &a, now), Err(WorkflowError::Forbidden(a.permission())));
    }

    /// The remediator (or the submitter) can never verify nor send back, even with every
    /// permission; someone else with the verify permission can.
    #[test]
    fn a_remediator_can_never_verify(remediator in 1i64..=4, submitter in 1i64..=4, other in 1i64..=4) {
        let now = start();
        let mut s = fresh();
        s.status = Status::Submitted;
        s.remediator_id = Some(remediator);
        s.submitted_by = Some(submitter);
        s.deadline = Some(shanghai_date(now));
        for who in [remediator, submitter] {
            let a = Actor { user_id: who, permissions: vec!["*:*:*".into()], is_remediator: who == remediator };
            prop_assert!(matches!(transition(&s, &a, &Action::Verify { comment: None }, now), Err(WorkflowError::Conflict(_))), "user {} verified", who);
            prop_assert!(matches!(transition(&s, &a, &Action::SendBack { reason: "不合格".into() }, now), Err(WorkflowError::Conflict(_))), "user {} sent back", who);
        }
        // The caller's flag alone also marks the remediator.
        let flagged = Actor { user_id: 99, permissions: vec![perm::VERIFY.into()], is_remediator: true };
        prop_assert!(transition(&s, &flagged, &Action::Verify { comment: None }, now).is_err(), "flagged remediator verified");
        let verifier = Actor { user_id: other + 10, permissions: vec![perm::VERIFY.into()], is_remediator: false };
        prop_assert_eq!(transition(&s, &verifier, &Action::Verify { comment: None }, now).map(|o| o.to), Ok(Status::Closed));
    }

    /// Advancing the clock past a deadline's end makes the record overdue, never before; the
    /// escalation level never goes down as the clock advances; a closed record is never overdue.
    #[test]
    fn overdue_and_escalation_follow_the_clock(
        offset_days in 0i64..30,
        steps in proptest::collection::vec(0i64..(36 * 3600), 1..40),
        major in any::<bool>(),
        status_i in 0usize..7,
    ) {
        let clock = Clock::manual(start());
        let deadline = shanghai_date(clock.now()) + Duration::days(offset_days);
        let status = Status::ALL[status_i];
        let level = if major { Level::Major } else { Level::General };
        let policy = EscalationPolicy::default();
        let mut last = Escalation::None;
        let mut was_overdue = false;
        for secs in steps {
            clock.advance(Duration::seconds(secs));
            let now = clock.now();
            let overdue = is_overdue(status, Some(deadline), now);
            let open = matches!(status, Status::Assigned | Status::InRemediation | Status::Submitted);
            prop_assert_eq!(overdue, open && now >= deadline_end(deadline));
            prop_assert!(!was_overdue || overdue, "overdue never clears while the clock advances");
            was_overdue = overdue;
            let e = escalation_level(status, level, Some(deadline), now, &policy);
            prop_assert!(e >= last, "{:?} after {:?}", e, last);
            prop_assert_eq!(e == Escalation::None, !overdue);
            last = e;
        }
        // One second before the end: never overdue; at the end: overdue when open.
        let end = deadline_end(deadline);
        prop_assert!(!is_overdue(status, Some(deadline), end - Duration::seconds(1)));
        clock.set(end);
        prop_assert_eq!(is_overdue(status, Some(deadline), clock.now()),
            matches!(status, Status::Assigned | Status::InRemediation | Status::Submitted));
    }

    /// An assignment or an approved extension is refused when its date has already ended at the
    /// clock's now, accepted otherwise.
    #[test]
    fn deadlines_must_lie_ahead_of_the_clock(days in -5i64..5, hours in 0i64..48) {
        let clock = Clock::manual(start());
        clock.advance(Duration::hours(hours));
        let now = clock.now();
        let date: NaiveDate = shanghai_date(start()) + Duration::days(days);
        let mut s = fresh();
        s.status = Status::Confirmed;
        let mgr = Actor { user_id: 1, permissions: vec![perm::ASSIGN.into()], is_remediator: false };
        let a = Action::Assign(Assignment {
            remediator_id: 2,
            department: "维修班".into(),
            deadline: date,
            measures: "更换".into(),
            five_assurances: None,
        });
        let r = transition(&s, &mgr, &a, now);
        prop_assert_eq!(r.is_ok(), deadline_end(date) > now);
    }
}
