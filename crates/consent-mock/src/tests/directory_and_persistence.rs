//! Arrangement, sharing and forking, faults through the port, JSON persistence, concurrency.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::Duration;
use consent::{Clock, ConsentGraph, Error, RequestFilter};

use super::*;
use crate::{DirectoryRole, Fault, FaultPlan, FaultRule, Operation};

#[tokio::test]
async fn new_tenant_is_empty_and_never_configured() {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z").unwrap().to_utc();
    let t = MockTenant::new(consent::ManualClock::new(start));
    assert_eq!(t.users().len(), 1);
    assert_eq!(t.tenant_id(), demo::TENANT_ID);
    let p = t.as_admin().get_request_policy().await.unwrap();
    assert_eq!((p.is_enabled, p.version), (false, 0));
    assert_eq!(t.as_admin().now(), start);
    assert_eq!(t.as_admin().capabilities().backend, "mock");
}

#[tokio::test]
async fn arrangement_builds_roles_and_nested_groups() {
    let t = workflow();
    let ann = t.add_user("Ann", "ann@contoso.example");
    assert!(matches!(
        t.try_add_user("Ann 2", "ANN@contoso.example"),
        Err(Error::Conflict { .. })
    ));
    assert!(matches!(
        t.try_add_user("Bad", "not-an-upn"),
        Err(Error::InvalidInput { field: "upn", .. })
    ));
    let inner = t.add_group("Inner", &[ann]);
    let outer = t.add_group("Outer", &[inner]);
    t.add_group_member(inner, outer); // a cycle must not hang reviewer resolution
    assert!(matches!(
        t.try_add_group_member(inner, consent::ObjectId::new_random()),
        Err(Error::NotFound { .. })
    ));
    t.assign_role(ann, DirectoryRole::GlobalReader);
    assert_eq!(
        t.user_by_upn("ann@contoso.example").unwrap().roles,
        vec![DirectoryRole::GlobalReader]
    );
    let admin = t.as_admin();
    let mut p = admin.get_request_policy().await.unwrap();
    p.reviewers = vec![consent::Reviewer::Group(outer)];
    admin.put_request_policy(&p).await.unwrap();
    let req = submit(&t, demo::EVA_ID, carerix(), "User.Read", "profile").await.unwrap();
    review(
        &t,
        ann,
        &req.id,
        consent::ReviewDecision::Deny(consent::Justification::parse("no").unwrap()),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn clones_share_and_forks_copy() {
    let t = workflow();
    let shared = t.clone();
    let fork = t.fork();
    submit(&shared, demo::EVA_ID, carerix(), "User.Read", "profile").await.unwrap();
    let all = RequestFilter::default();
    assert_eq!(t.as_admin().list_app_consent_requests(&all).await.unwrap().len(), 1);
    assert!(fork.as_admin().list_app_consent_requests(&all).await.unwrap().is_empty());
    fork.advance(Duration::days(3));
    assert_eq!(
        t.clock().now() + Duration::days(3),
        fork.clock().now(),
        "the fork has its own clock"
    );
}

#[tokio::test]
async fn fork_as_is_another_tenant_and_restore_from_rewinds_in_place() {
    let t = workflow();
    let preset = t.fork();
    let other_id = consent::TenantId::parse("11111111-2222-4333-8444-555555555555").unwrap();
    let other = t.fork_as(other_id.clone());
    assert_eq!(other.tenant_id(), other_id);
    assert_ne!(t.tenant_id(), other_id);
    submit(&t, demo::EVA_ID, carerix(), "User.Read", "profile").await.unwrap();
    let all = RequestFilter::default();
    assert!(other.as_admin().list_app_consent_requests(&all).await.unwrap().is_empty());
    let shared = t.clone();
    t.advance(Duration::days(2));
    shared.restore_from(&preset);
    assert!(
        t.as_admin().list_app_consent_requests(&all).await.unwrap().is_empty(),
        "clones see the restore"
    );
    assert_eq!(t.clock().now(), preset.clock().now(), "the clock is rewound too");
}

#[tokio::test]
async fn throttle_and_server_errors_apply_nothing() {
    let t = workflow();
    let plan = FaultPlan::none()
        .with(
            FaultRule::always(
                Some(Operation::PutRequestPolicy),
                Fault::Throttle {
                    retry_after: StdDuration::from_secs(2),
                },
            )
            .times(1),
        )
        .with(FaultRule::always(Some(Operation::PutRequestPolicy), Fault::ServerError { status: 503 }).times(1));
    t.set_faults(plan);
    let admin = t.as_admin();
    let p = admin.get_request_policy().await.unwrap();
    let e = admin.put_request_policy(&p).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(StdDuration::from_secs(2)));
    assert!(matches!(
        admin.put_request_policy(&p).await,
        Err(Error::Backend { status: 503, .. })
    ));
    assert_eq!(admin.get_request_policy().await.unwrap().version, p.version, "nothing applied");
    admin.put_request_policy(&p).await.unwrap();
    assert_eq!(admin.get_request_policy().await.unwrap().version, p.version + 1);
    assert!(t.faults().is_exhausted());
}

#[tokio::test]
async fn committed_but_lost_applies_then_times_out() {
    let t = workflow();
    t.set_faults(FaultPlan::parse("lost@create-service-principal:1x1").unwrap());
    let admin = t.as_admin();
    let err = admin.create_service_principal(&carerix()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "create a service principal",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        admin.get_service_principal(&carerix()).await.unwrap().is_some(),
        "the write happened"
    );
    assert!(matches!(
        admin.create_service_principal(&carerix()).await,
        Err(Error::Conflict { .. })
    ));
}

#[tokio::test]
async fn json_round_trips_the_whole_tenant_including_time() {
    let t = workflow();
    submit(&t, demo::EVA_ID, carerix(), "User.Read", "profile").await.unwrap();
    t.advance(Duration::hours(5));
    t.set_faults(FaultPlan::parse("503:0.5").unwrap().seeded(9));
    let json = t.to_json();
    let back = MockTenant::from_json(&json).unwrap();
    assert_eq!(back.to_json(), json);
    assert_eq!(back.clock().now(), t.clock().now());
    assert_eq!(back.faults(), t.faults());
    assert_eq!(back.user_by_upn(demo::EVA_UPN).unwrap().password, demo::PASSWORD);
    // The loaded tenant keeps working: its request expires on its own clock.
    back.advance(Duration::days(31));
    back.set_faults(FaultPlan::none());
    let reqs = back.as_admin().list_app_consent_requests(&RequestFilter::default()).await.unwrap();
    assert_eq!(reqs[0].user_consent_requests[0].outcome(), consent::RequestOutcome::Expired);
}

#[test]
fn from_json_refuses_newer_versions_and_malformed_input() {
    let t = workflow();
    let mut v: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
    v["formatVersion"] = serde_json::json!(crate::state::FORMAT_VERSION + 1);
    let err = MockTenant::from_json(&v.to_string()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "tenant_json", ref reason } if reason.contains("newer")),
        "{err:?}"
    );
    for bad in ["", "{", "[]", "{\"formatVersion\":1}", "{\"formatVersion\":\"1\"}"] {
        assert!(matches!(MockTenant::from_json(bad), Err(Error::InvalidInput { .. })), "{bad}");
    }
    v["formatVersion"] = serde_json::json!(1);
    v["users"][0]["id"] = serde_json::json!("not-a-guid");
    assert!(MockTenant::from_json(&v.to_string()).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_join_one_request() {
    let t = workflow();
    let users: Vec<_> = (0..16)
        .map(|i| t.add_user(&format!("U{i}"), &format!("u{i}@contoso.example")))
        .collect();
    let graph: Arc<dyn ConsentGraph> = Arc::new(t.as_admin());
    let tasks: Vec<_> = users
        .into_iter()
        .map(|u| {
            let t = t.clone();
            tokio::spawn(async move { submit(&t, u, carerix(), "User.Read", "team calendar").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let reqs = graph.list_app_consent_requests(&RequestFilter::default()).await.unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].user_consent_requests.len(), 16);
    let snap = graph.snapshot(&carerix(), &[consent::AppId::MICROSOFT_GRAPH]).await.unwrap();
    assert_eq!(snap.requests.len(), 1);
}

proptest::proptest! {
    #[test]
    fn from_json_never_panics(s in "\\PC{0,200}") {
        let _ = MockTenant::from_json(&s);
    }
}
