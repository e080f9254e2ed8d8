//! Microsoft Learn: "adminConsentRequestPolicy resource type"; "Review admin consent requests"; otherwise our choice `[I]`: submission, visibility, expiry, review.

use chrono::Duration;
use consent::{
    AdminConsentRequestPolicy, AppId, ConsentGraph, Error, GrantConsentType, Justification, RequestFilter, RequestOutcome, ReviewDecision,
    ReviewResult, Reviewer, StageStatus, UserConsentDecision, UserConsentSetting, UserRequestStatus,
};

use super::*;
use crate::{NotificationKind, SYSTEM_REVIEWER_ID};

const CAL: &str = "Calendars.ReadWrite User.Read offline_access";

fn why(s: &str) -> Justification {
    Justification::parse(s).unwrap()
}

#[tokio::test]
async fn policy_put_replaces_everything_and_bumps_version() {
    let t = workflow();
    let admin = t.as_admin();
    let before = admin.get_request_policy().await.unwrap();
    let next = AdminConsentRequestPolicy {
        is_enabled: true,
        notify_reviewers: false,
        reminders_enabled: false,
        request_duration_in_days: 7,
        reviewers: vec![Reviewer::User(demo::ADMIN_ID)],
        version: 99,
    };
    admin.put_request_policy(&next).await.unwrap();
    let after = admin.get_request_policy().await.unwrap();
    assert_eq!(after.version, before.version + 1, "the given version is ignored");
    assert_eq!(after.reviewers, next.reviewers);
    assert_eq!(after.request_duration_in_days, 7);
    assert!(!after.notify_reviewers);
}

#[tokio::test]
async fn submit_is_refused_when_the_sign_in_would_not_offer_the_form() {
    let off = MockTenant::preset(Preset::UserConsentDisabled);
    match submit(&off, demo::EVA_ID, carerix(), CAL, "calendar").await {
        Err(Error::InvalidTransition { state, reason, .. }) => {
            assert_eq!(state, "RequestsDisabled");
            assert!(reason.contains("AADSTS90094"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let allow = MockTenant::preset(Preset::AllowUserConsent);
    let err = submit(&allow, demo::EVA_ID, carerix(), CAL, "calendar").await.unwrap_err();
    assert!(
        matches!(err, Error::InvalidTransition { ref state, .. } if state == "UserConsentAllowed"),
        "{err:?}"
    );
    let t = workflow();
    let err = submit(&t, demo::EVA_ID, carerix(), "Calendars.Destroy", "calendar")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "scopes", .. }), "{err:?}");
    let sub = consent::ConsentRequestSubmission::dynamic(carerix(), scopes(CAL), "x").unwrap();
    let err = t.as_app(&["ConsentRequest.ReadWrite.All"]).submit_consent_request(&sub).await;
    assert!(
        matches!(err, Err(Error::PermissionDenied { .. })),
        "app-only tokens cannot file requests"
    );
}

#[tokio::test]
async fn submissions_join_one_app_request_with_the_union_of_scopes() {
    let t = workflow();
    let a = submit(&t, demo::EVA_ID, carerix(), "Calendars.ReadWrite", "interviews")
        .await
        .unwrap();
    assert_eq!(a.user_consent_requests.len(), 1);
    assert_eq!(a.user_consent_requests[0].requester(), Some(demo::EVA_ID));
    let b = submit(&t, demo::SAM_ID, carerix(), "User.Read offline_access", "me too")
        .await
        .unwrap();
    assert_eq!(a.id, b.id, "one app request per (app, consent type)");
    assert_eq!(b.pending_scope_set().to_wire(), "Calendars.ReadWrite User.Read offline_access");
    // A second submit by Eva while hers is open updates its reason instead of adding a request.
    let again = submit(&t, demo::EVA_ID, carerix(), "Calendars.ReadWrite", "updated reason")
        .await
        .unwrap();
    assert_eq!(again.user_consent_requests[0].id, a.user_consent_requests[0].id);
    let users = t.as_admin().list_user_consent_requests(&a.id).await.unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].reason.as_deref(), Some("updated reason"));
    assert_eq!(users[0].status, UserRequestStatus::InProgress);
    assert_eq!(users[0].approval.as_ref().unwrap().stages[0].status, StageStatus::InProgress);
}

#[tokio::test]
async fn reviewers_are_snapshotted_at_creation() {
    let t = workflow();
    let req = submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    // Sam becomes a reviewer after the request exists: he neither sees nor may review it.
    let admin = t.as_admin();
    let mut p = admin.get_request_policy().await.unwrap();
    p.reviewers.push(Reviewer::User(demo::SAM_ID));
    admin.put_request_policy(&p).await.unwrap();
    assert!(t
        .as_user(demo::SAM_ID)
        .list_app_consent_requests(&RequestFilter::default())
        .await
        .unwrap()
        .is_empty());
    let err = review(&t, demo::SAM_ID, &req.id, ReviewDecision::Approve).await.unwrap_err();
    assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");
    // The group member designated before sees it, assigned to him.
    let seen = t
        .as_user(demo::CLOUD_ADMIN_ID)
        .list_app_consent_requests(&RequestFilter::default())
        .await
        .unwrap();
    assert_eq!(
        seen[0].user_consent_requests[0].approval.as_ref().unwrap().stages[0].assigned_to_me,
        Some(true)
    );
    // A Global Reader sees everything, not assigned to them.
    let all = t
        .as_user(demo::READER_ID)
        .list_app_consent_requests(&RequestFilter::default())
        .await
        .unwrap();
    assert_eq!(
        all[0].user_consent_requests[0].approval.as_ref().unwrap().stages[0].assigned_to_me,
        Some(false)
    );
    // Eva (no role, not a reviewer) sees nothing, and the request is NotFound for her.
    assert!(t
        .as_user(demo::EVA_ID)
        .list_app_consent_requests(&RequestFilter::default())
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        t.as_user(demo::EVA_ID).list_user_consent_requests(&req.id).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn reviewers_and_requester_are_notified() {
    let t = workflow();
    submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    let kinds: Vec<_> = t.outbox().iter().map(|n| (n.to, n.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            (demo::CLOUD_ADMIN_ID, NotificationKind::NewRequest),
            (demo::EVA_ID, NotificationKind::RequestSubmitted)
        ]
    );
    let quiet = workflow();
    let admin = quiet.as_admin();
    let mut p = admin.get_request_policy().await.unwrap();
    p.notify_reviewers = false;
    admin.put_request_policy(&p).await.unwrap();
    submit(&quiet, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    assert!(quiet.outbox().iter().all(|n| n.kind != NotificationKind::NewRequest));
}

#[tokio::test]
async fn requests_expire_lazily_with_a_reminder_first() {
    let t = workflow();
    let req = submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    t.advance(Duration::days(15));
    assert!(t
        .outbox()
        .iter()
        .any(|n| n.kind == NotificationKind::Reminder && n.to == demo::CLOUD_ADMIN_ID));
    t.advance(Duration::days(15));
    let users = t.as_admin().list_user_consent_requests(&req.id).await.unwrap();
    assert_eq!(users[0].status, UserRequestStatus::Expired);
    assert_eq!(users[0].outcome(), RequestOutcome::Expired);
    assert!(t
        .outbox()
        .iter()
        .any(|n| n.kind == NotificationKind::Expired && n.to == demo::EVA_ID));
    let err = review(&t, demo::CLOUD_ADMIN_ID, &req.id, ReviewDecision::Approve)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidTransition { ref state, .. } if state == "Expired"),
        "{err:?}"
    );
    let pending = RequestFilter {
        app_id: Some(carerix()),
        pending_only: true,
    };
    assert!(t.as_admin().list_app_consent_requests(&pending).await.unwrap().is_empty());
}

#[tokio::test]
async fn expiry_uses_the_duration_configured_at_creation() {
    let t = workflow();
    let req = submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    let admin = t.as_admin();
    let mut p = admin.get_request_policy().await.unwrap();
    p.request_duration_in_days = 1;
    admin.put_request_policy(&p).await.unwrap();
    t.advance(Duration::days(2));
    let users = admin.list_user_consent_requests(&req.id).await.unwrap();
    assert_eq!(
        users[0].outcome(),
        RequestOutcome::Pending,
        "30 days were configured when it was created"
    );
}

#[tokio::test]
async fn approve_grants_tenant_wide_and_closes_every_user_request() {
    let t = workflow();
    submit(&t, demo::EVA_ID, carerix(), "Calendars.ReadWrite", "interviews")
        .await
        .unwrap();
    let req = submit(&t, demo::SAM_ID, carerix(), "User.Read offline_access", "me too")
        .await
        .unwrap();
    review(&t, demo::CLOUD_ADMIN_ID, &req.id, ReviewDecision::Approve).await.unwrap();
    let admin = t.as_admin();
    let sp = admin.get_service_principal(&carerix()).await.unwrap().unwrap();
    let grants = admin.list_delegated_grants(&sp.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].consent_type, GrantConsentType::AllPrincipals);
    assert_eq!(grants[0].scope.to_wire(), CAL);
    for u in admin.list_user_consent_requests(&req.id).await.unwrap() {
        let stage = &u.approval.as_ref().unwrap().stages[0];
        assert_eq!(
            (u.status, stage.review_result),
            (UserRequestStatus::Completed, Some(ReviewResult::Approve))
        );
        assert_eq!(*stage.reviewed_by.as_ref().unwrap().id, demo::CLOUD_ADMIN_ID.to_string());
    }
    let approved: Vec<_> = t
        .outbox()
        .into_iter()
        .filter(|n| n.kind == NotificationKind::Approved)
        .map(|n| n.to)
        .collect();
    assert_eq!(approved, vec![demo::EVA_ID, demo::SAM_ID]);
    assert_eq!(
        t.sign_in(demo::EVA_ID, &carerix(), &scopes(CAL)).unwrap(),
        UserConsentDecision::AlreadyGranted
    );
    let err = review(&t, demo::CLOUD_ADMIN_ID, &req.id, ReviewDecision::Approve)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidTransition { .. }),
        "a closed request cannot be reviewed: {err:?}"
    );
}

#[tokio::test]
async fn approving_graph_app_roles_needs_privileged_role_admin() {
    let t = workflow();
    let app = app_with_graph_role(&t);
    // Reviewers: the group (Cloud Application Administrator) and the Privileged Role Administrator.
    let admin = t.as_admin();
    let mut p = admin.get_request_policy().await.unwrap();
    p.reviewers
        .push(Reviewer::Role(crate::DirectoryRole::PrivilegedRoleAdministrator.template_id()));
    admin.put_request_policy(&p).await.unwrap();
    let req = submit(&t, demo::EVA_ID, app.app_id, "User.Read Calendars.Read", "roster")
        .await
        .unwrap();
    denied_naming(
        review(&t, demo::CLOUD_ADMIN_ID, &req.id, ReviewDecision::Approve).await,
        "Privileged Role Administrator",
    );
    assert!(
        admin.get_service_principal(&app.app_id).await.unwrap().is_none(),
        "a refused approval writes nothing"
    );
    review(&t, demo::PRA_ID, &req.id, ReviewDecision::Approve).await.unwrap();
    let sp = admin.get_service_principal(&app.app_id).await.unwrap().unwrap();
    assert_eq!(admin.list_app_role_assignments(&sp.id).await.unwrap().len(), 1);
    assert_eq!(
        admin.list_delegated_grants(&sp.id).await.unwrap()[0].scope.to_wire(),
        "User.Read Calendars.Read"
    );
}

#[tokio::test]
async fn deny_closes_and_users_may_ask_again() {
    let t = workflow();
    let req = submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    review(
        &t,
        demo::CLOUD_ADMIN_ID,
        &req.id,
        ReviewDecision::Deny(why("use the shared calendar")),
    )
    .await
    .unwrap();
    let users = t.as_admin().list_user_consent_requests(&req.id).await.unwrap();
    assert_eq!(users[0].outcome(), RequestOutcome::Denied);
    assert_eq!(
        users[0].approval.as_ref().unwrap().stages[0].justification.as_deref(),
        Some("use the shared calendar")
    );
    assert!(t
        .outbox()
        .iter()
        .any(|n| n.kind == NotificationKind::Denied && n.to == demo::EVA_ID));
    let again = submit(&t, demo::EVA_ID, carerix(), "User.Read", "please reconsider").await.unwrap();
    assert_eq!(again.id, req.id, "the app request is reopened");
    assert_eq!(
        again.pending_scope_set().to_wire(),
        "User.Read",
        "settled scopes are not carried over"
    );
    assert_eq!(t.as_admin().list_user_consent_requests(&req.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn block_disables_the_app_and_refuses_further_requests() {
    let t = workflow();
    let req = submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
    review(&t, demo::CLOUD_ADMIN_ID, &req.id, ReviewDecision::Block(why("not approved vendor")))
        .await
        .unwrap();
    let sp = t.as_admin().get_service_principal(&carerix()).await.unwrap().unwrap();
    assert!(!sp.account_enabled, "Block creates a disabled service principal");
    assert_eq!(
        t.sign_in(demo::SAM_ID, &carerix(), &scopes(CAL)).unwrap(),
        UserConsentDecision::AppBlocked
    );
    let err = submit(&t, demo::SAM_ID, carerix(), CAL, "but I need it").await.unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
    assert!(t.outbox().iter().any(|n| n.kind == NotificationKind::Blocked));
}

#[tokio::test]
async fn a_graph_grant_covering_the_request_completes_it_unless_switched_off() {
    for complete in [true, false] {
        let t = workflow();
        t.set_options(crate::MockOptions {
            grants_complete_requests: complete,
        });
        let req = submit(&t, demo::EVA_ID, carerix(), CAL, "interviews").await.unwrap();
        let admin = t.as_admin();
        let client = admin.create_service_principal(&carerix()).await.unwrap();
        let graph = admin.get_service_principal(&AppId::MICROSOFT_GRAPH).await.unwrap().unwrap();
        let new = consent::NewDelegatedGrant {
            client_id: client.id,
            consent_type: GrantConsentType::AllPrincipals,
            principal_id: None,
            resource_id: graph.id,
            scope: scopes("User.Read"),
        };
        let g = admin.create_delegated_grant(&new).await.unwrap();
        let open = |t: &MockTenant| {
            let t = t.clone();
            let id = req.id.clone();
            async move { t.as_admin().list_user_consent_requests(&id).await.unwrap()[0].clone() }
        };
        assert_eq!(open(&t).await.outcome(), RequestOutcome::Pending, "a partial grant settles nothing");
        admin.update_delegated_grant(&g.id, &scopes(CAL)).await.unwrap();
        let u = open(&t).await;
        if complete {
            assert_eq!(u.outcome(), RequestOutcome::Approved);
            let by = u.approval.unwrap().stages[0].reviewed_by.clone().unwrap();
            assert_eq!(&*by.id, SYSTEM_REVIEWER_ID);
        } else {
            assert_eq!(u.outcome(), RequestOutcome::Pending);
        }
    }
}

#[tokio::test]
async fn sign_in_follows_the_user_consent_setting() {
    let t = MockTenant::preset(Preset::MicrosoftManaged);
    let d = t.sign_in(demo::EVA_ID, &carerix(), &scopes(CAL)).unwrap();
    assert_eq!(
        d.aadsts_code(),
        Some(90094),
        "Microsoft-managed blocks calendar scopes for third-party apps"
    );
    assert_eq!(
        t.sign_in(demo::EVA_ID, &carerix(), &scopes("User.Read")).unwrap(),
        UserConsentDecision::UserMayConsent
    );
    t.set_user_consent(UserConsentSetting::Disabled);
    assert!(matches!(
        t.sign_in(demo::EVA_ID, &carerix(), &scopes("User.Read")).unwrap(),
        UserConsentDecision::AdminApprovalRequired { .. }
    ));
    let unknown = AppId::parse("00000000-1111-4000-8000-000000000000").unwrap();
    assert!(matches!(
        t.sign_in(demo::EVA_ID, &unknown, &scopes("User.Read")),
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn user_consent_creates_the_client_and_a_principal_grant() {
    let t = MockTenant::preset(Preset::AllowUserConsent);
    let g = t.consent_as_user(demo::EVA_ID, &carerix(), &scopes("User.Read")).unwrap();
    assert_eq!((g.consent_type, g.principal_id), (GrantConsentType::Principal, Some(demo::EVA_ID)));
    let g2 = t.consent_as_user(demo::EVA_ID, &carerix(), &scopes(CAL)).unwrap();
    assert_eq!(g2.id, g.id, "merged into the user's one grant");
    assert_eq!(g2.scope.to_wire(), "User.Read Calendars.ReadWrite offline_access");
    assert_eq!(
        t.sign_in(demo::EVA_ID, &carerix(), &scopes(CAL)).unwrap(),
        UserConsentDecision::AlreadyGranted
    );
    assert_eq!(
        t.sign_in(demo::SAM_ID, &carerix(), &scopes(CAL)).unwrap(),
        UserConsentDecision::UserMayConsent
    );
    let off = MockTenant::preset(Preset::UserConsentDisabled);
    let err = off.consent_as_user(demo::EVA_ID, &carerix(), &scopes(CAL)).unwrap_err();
    assert!(matches!(err, Error::InvalidTransition { .. }), "{err:?}");
}

#[tokio::test]
async fn admin_consent_page_is_role_checked_and_static_scopes_include_app_roles() {
    let t = MockTenant::preset(Preset::UserConsentDisabled);
    denied_naming(
        t.grant_admin_consent(demo::EVA_ID, &carerix(), &scopes(CAL)),
        "Cloud Application Administrator",
    );
    t.grant_admin_consent(demo::CLOUD_ADMIN_ID, &carerix(), &scopes(CAL)).unwrap();
    assert_eq!(
        t.sign_in(demo::SAM_ID, &carerix(), &scopes(CAL)).unwrap(),
        UserConsentDecision::AlreadyGranted
    );
    let app = app_with_graph_role(&t);
    let default = scopes("https://graph.microsoft.com/.default");
    denied_naming(
        t.grant_admin_consent(demo::CLOUD_ADMIN_ID, &app.app_id, &default),
        "Privileged Role Administrator",
    );
    t.grant_admin_consent(demo::ADMIN_ID, &app.app_id, &default).unwrap();
    let sp = t.as_admin().get_service_principal(&app.app_id).await.unwrap().unwrap();
    assert_eq!(t.as_admin().list_app_role_assignments(&sp.id).await.unwrap().len(), 1);
    t.grant_admin_consent(demo::ADMIN_ID, &app.app_id, &default).unwrap();
    assert_eq!(t.as_admin().list_app_role_assignments(&sp.id).await.unwrap().len(), 1, "idempotent");
}

/// The one-lock snapshot reads what the port's call-by-call default reads, for every kind of
/// reader: it lists app requests without their user requests, then reads those one by one.
#[tokio::test]
async fn snapshot_matches_reading_call_by_call() {
    let t = workflow();
    submit(&t, demo::EVA_ID, carerix(), CAL, "I schedule interviews").await.unwrap();
    let app = demo::carerix_app();
    let resources = [AppId::MICROSOFT_GRAPH];
    let readers = [
        demo::ADMIN_ID,
        demo::PRA_ID,
        demo::CLOUD_ADMIN_ID,
        demo::APP_ADMIN_ID,
        demo::READER_ID,
        demo::EVA_ID,
        demo::SAM_ID,
    ];
    for g in readers
        .map(|id| t.as_user(id))
        .into_iter()
        .chain([t.as_app(&["ConsentRequest.Read.All"])])
    {
        let batched = g.snapshot(&app.app_id, &resources).await;
        let one_by_one = consent::snapshot::read_sequentially(&g, &app.app_id, &resources).await;
        assert_eq!(format!("{batched:?}"), format!("{one_by_one:?}"), "{:?}", g.principal());
    }
}
