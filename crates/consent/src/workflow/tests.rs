//! Unit tests of the classification rules on hand-built snapshots (the conformance suite covers the
//! transitions against real backends).

use chrono::{TimeZone, Utc};

use super::observe::classify;
use super::ConsentState;
use crate::catalog::microsoft_graph_service_principal;
use crate::decision::AdminReason;
use crate::directory::{DelegatedGrant, GrantConsentType, ServicePrincipal};
use crate::guidance::tests::{assert_dutch, assert_html_escapes, assert_not_about_a_calendar, catalog_misses};
use crate::guidance::{Locale, Product};
use crate::ids::{AppId, ObjectId};
use crate::policy::{AdminConsentRequestPolicy, AuthorizationPolicy, PolicyChange, Reviewer, UserConsentSetting};
use crate::port::TenantSnapshot;
use crate::request::*;
use crate::scope::ScopeSet;
use crate::AppRegistration;

fn app() -> AppRegistration {
    app_named("Carerix Calendar - Production")
}

fn app_named(name: &str) -> AppRegistration {
    AppRegistration::new(AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(), name).with_delegated(
        AppId::MICROSOFT_GRAPH,
        ScopeSet::parse("Calendars.ReadWrite User.Read offline_access").unwrap(),
    )
}

fn graph_sp() -> ServicePrincipal {
    microsoft_graph_service_principal(ObjectId::parse("7ea9e944-0000-4000-8000-000000000001").unwrap())
}

fn client_sp() -> ServicePrincipal {
    ServicePrincipal {
        id: ObjectId::parse("c0c0c0c0-0000-4000-8000-000000000002").unwrap(),
        app_id: app().app_id,
        display_name: Some("Carerix Calendar - Production".into()),
        account_enabled: true,
        app_role_assignment_required: false,
        app_roles: Default::default(),
        oauth2_permission_scopes: Default::default(),
        verified_publisher: None,
    }
}

fn snap(setting: UserConsentSetting, enabled: bool) -> TenantSnapshot {
    let mut policy = AdminConsentRequestPolicy::never_configured();
    if enabled {
        policy = PolicyChange::enable_with(vec![Reviewer::User(ObjectId::new_random())]).apply(&policy);
    }
    TenantSnapshot {
        request_policy: policy,
        authorization_policy: AuthorizationPolicy::with_user_consent(&setting),
        client: None,
        resources: vec![graph_sp()],
        grants: vec![],
        app_role_assignments: vec![],
        requests: vec![],
    }
}

fn grant(scope: &str) -> DelegatedGrant {
    DelegatedGrant {
        id: "g1".into(),
        client_id: client_sp().id,
        consent_type: GrantConsentType::AllPrincipals,
        principal_id: None,
        resource_id: graph_sp().id,
        scope: ScopeSet::parse(scope).unwrap(),
    }
}

fn user_request(id: &str, day: u32, result: Option<ReviewResult>, stage: StageStatus) -> UserConsentRequest {
    UserConsentRequest {
        id: id.into(),
        approval_id: Some(id.into()),
        status: match stage {
            StageStatus::InProgress => UserRequestStatus::InProgress,
            StageStatus::Expired => UserRequestStatus::Expired,
            _ => UserRequestStatus::Completed,
        },
        reason: Some("I schedule interviews".into()),
        created_by: IdentitySet {
            user: Some(UserIdentity {
                id: ObjectId::new_random().to_string().into(),
                display_name: Some("Eva".into()),
                ..Default::default()
            }),
        },
        created_date_time: Utc.with_ymd_and_hms(2026, 1, day, 9, 0, 0).unwrap(),
        completed_date_time: None,
        approval: Some(Approval {
            id: id.into(),
            stages: vec![ApprovalStage {
                id: "s".into(),
                assigned_to_me: None,
                justification: Some("not now".into()),
                review_result: result,
                reviewed_by: None,
                reviewed_date_time: None,
                status: stage,
            }],
        }),
    }
}

fn app_request(users: Vec<UserConsentRequest>) -> AppConsentRequest {
    AppConsentRequest {
        id: "req-1".into(),
        app_id: app().app_id,
        app_display_name: Some("Carerix Calendar - Production".into()),
        consent_type: Some(ConsentType::Dynamic),
        pending_scopes: vec![PendingScope {
            display_name: "Calendars.ReadWrite".into(),
        }],
        user_consent_requests: users,
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 20, 9, 0, 0).unwrap()
}

#[test]
fn disabled_user_consent_without_workflow_is_requests_disabled() {
    let s = classify(&app(), &snap(UserConsentSetting::Disabled, false), now()).unwrap();
    let ConsentState::RequestsDisabled(c) = &s else { panic!("{s:?}") };
    assert!(c.details().reasons.contains(&AdminReason::UserConsentDisabled));
    assert_eq!(c.details().coverage.missing.len(), 3);
    assert!(s
        .guidance(&Product::new("Carerix"), Locale::En)
        .to_text()
        .contains("Users can request admin consent to apps they are unable to consent to"));
}

#[test]
fn workflow_on_is_requests_enabled_and_guidance_names_the_button() {
    let s = classify(&app(), &snap(UserConsentSetting::Disabled, true), now()).unwrap();
    assert_eq!(s.name(), "requests_enabled");
    assert!(s
        .guidance(&Product::new("Carerix"), Locale::En)
        .to_markdown()
        .contains("Request approval"));
}

#[test]
fn microsoft_managed_blocks_calendars_but_allow_all_does_not() {
    let s = classify(&app(), &snap(UserConsentSetting::MicrosoftManaged, false), now()).unwrap();
    let ConsentState::RequestsDisabled(c) = &s else { panic!("{s:?}") };
    assert_eq!(
        c.details().reasons,
        vec![AdminReason::RestrictedByMicrosoftManagedPolicy(
            crate::Scope::parse("Calendars.ReadWrite").unwrap()
        )]
    );
    let s = classify(&app(), &snap(UserConsentSetting::AllowAll, false), now()).unwrap();
    assert_eq!(s.name(), "user_consent_allowed");
    assert!(s.users_can_link());
}

#[test]
fn full_grant_is_approved_and_partial_grant_is_drift() {
    let mut sn = snap(UserConsentSetting::Disabled, true);
    sn.client = Some(client_sp());
    sn.grants = vec![grant("User.Read offline_access calendars.readwrite")];
    assert_eq!(classify(&app(), &sn, now()).unwrap().name(), "approved");

    sn.grants = vec![grant("User.Read offline_access")];
    let s = classify(&app(), &sn, now()).unwrap();
    assert_eq!(s.name(), "requests_enabled");
    assert!(s.coverage().has_drift());
    assert_eq!(s.coverage().missing.to_wire(), "Calendars.ReadWrite");
}

#[test]
fn principal_grants_do_not_count_as_tenant_wide() {
    let mut sn = snap(UserConsentSetting::Disabled, true);
    sn.client = Some(client_sp());
    let mut g = grant("User.Read offline_access Calendars.ReadWrite");
    g.consent_type = GrantConsentType::Principal;
    g.principal_id = Some(ObjectId::new_random());
    sn.grants = vec![g];
    assert_eq!(classify(&app(), &sn, now()).unwrap().name(), "requests_enabled");
}

#[test]
fn open_request_is_pending_with_requesters_and_expiry() {
    let mut sn = snap(UserConsentSetting::Disabled, true);
    sn.requests = vec![app_request(vec![user_request(
        "u1",
        10,
        Some(ReviewResult::NotReviewed),
        StageStatus::InProgress,
    )])];
    let s = classify(&app(), &sn, now()).unwrap();
    let ConsentState::Pending(c) = &s else { panic!("{s:?}") };
    assert_eq!(&*c.details().request_id, "req-1");
    assert_eq!(c.details().requesters[0].justification.as_deref(), Some("I schedule interviews"));
    assert_eq!(c.details().expires_at, Some(Utc.with_ymd_and_hms(2026, 2, 9, 9, 0, 0).unwrap()));
}

#[test]
fn latest_closed_request_decides_denied_or_expired() {
    let mut sn = snap(UserConsentSetting::Disabled, true);
    sn.requests = vec![app_request(vec![
        user_request("old", 2, Some(ReviewResult::Deny), StageStatus::Completed),
        user_request("new", 5, None, StageStatus::Expired),
    ])];
    assert_eq!(classify(&app(), &sn, now()).unwrap().name(), "expired");
    sn.requests = vec![app_request(vec![user_request(
        "only",
        5,
        Some(ReviewResult::Deny),
        StageStatus::Completed,
    )])];
    let s = classify(&app(), &sn, now()).unwrap();
    let ConsentState::Denied(c) = &s else { panic!("{s:?}") };
    assert!(c.details().can_request_again);
    assert_eq!(c.details().justification.as_deref(), Some("not now"));
}

#[test]
fn disabled_service_principal_is_blocked() {
    let mut sn = snap(UserConsentSetting::Disabled, true);
    let mut sp = client_sp();
    sp.account_enabled = false;
    sn.client = Some(sp);
    assert_eq!(classify(&app(), &sn, now()).unwrap().name(), "blocked");
}

#[test]
fn unknown_scope_and_missing_resource_are_errors() {
    let bad = app().with_delegated(AppId::MICROSOFT_GRAPH, ScopeSet::parse("Calendars.Everything").unwrap());
    let err = classify(&bad, &snap(UserConsentSetting::Disabled, false), now()).unwrap_err();
    assert!(err.to_string().contains("AADSTS650053"), "{err}");
    let mut sn = snap(UserConsentSetting::Disabled, false);
    sn.resources.clear();
    assert!(matches!(classify(&app(), &sn, now()), Err(crate::Error::NotFound { .. })));
}

#[test]
fn consent_state_round_trips_through_json_with_a_state_tag() {
    let s = classify(&app(), &snap(UserConsentSetting::Disabled, true), now()).unwrap();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["state"], "requests_enabled");
    let back: ConsentState = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
}

#[test]
fn every_state_has_guidance_for_someone() {
    let mut sn = snap(UserConsentSetting::Disabled, true);
    sn.requests = vec![app_request(vec![user_request("u1", 10, None, StageStatus::InProgress)])];
    let pending = classify(&app(), &sn, now()).unwrap();
    let g = pending.guidance(&Product::new("Carerix"), Locale::En);
    assert!(g.to_text().contains("Review permissions and consent"));
    assert!(g.to_text().contains("Admin consent requests"));
    assert!(g.steps.iter().any(|s| s.audience == crate::Audience::User));
}

/// One tenant in each of the eight states (denied and expired both ways), for `app`.
fn every_state(app: &AppRegistration) -> Vec<ConsentState> {
    let classify = |sn: &TenantSnapshot| classify(app, sn, now()).unwrap();
    let mut out = Vec::new();
    for setting in [
        UserConsentSetting::AllowAll,
        UserConsentSetting::Disabled,
        UserConsentSetting::MicrosoftManaged,
    ] {
        out.push(classify(&snap(setting.clone(), false)));
        out.push(classify(&snap(setting, true)));
    }
    for (enabled, users) in [
        (
            true,
            vec![
                user_request("u1", 10, None, StageStatus::InProgress),
                user_request("u2", 11, None, StageStatus::InProgress),
            ],
        ),
        (true, vec![user_request("u1", 10, Some(ReviewResult::Deny), StageStatus::Completed)]),
        (
            false,
            vec![user_request("u1", 10, Some(ReviewResult::Deny), StageStatus::Completed)],
        ),
        (true, vec![user_request("u1", 5, None, StageStatus::Expired)]),
        (false, vec![user_request("u1", 5, None, StageStatus::Expired)]),
    ] {
        let mut sn = snap(UserConsentSetting::Disabled, enabled);
        sn.requests = vec![app_request(users)];
        out.push(classify(&sn));
    }
    let mut sn = snap(UserConsentSetting::Disabled, true);
    sn.client = Some(client_sp());
    sn.grants = vec![grant("User.Read offline_access Calendars.ReadWrite")];
    out.push(classify(&sn));
    sn.client.as_mut().unwrap().account_enabled = false;
    out.push(classify(&sn));
    let names: std::collections::BTreeSet<_> = out.iter().map(ConsentState::name).collect();
    assert_eq!(names.len(), 8, "every state is covered: {names:?}");
    out
}

#[test]
fn dutch_state_guidance_has_no_english_sentence_outside_quoted_labels() {
    for s in every_state(&app_named("Acme")) {
        let g = s.guidance(&Product::new("Acme"), Locale::Nl);
        assert_eq!(g.locale, Locale::Nl);
        assert_dutch(s.name(), &g);
    }
    assert!(catalog_misses().is_empty(), "{:?}", catalog_misses());
}

#[test]
fn state_guidance_for_a_product_that_is_not_a_calendar_never_reads_calendar() {
    for locale in Locale::ALL {
        for s in every_state(&app_named("Acme")) {
            assert_not_about_a_calendar(s.name(), &s.guidance(&Product::new("Acme"), locale));
        }
    }
    assert!(catalog_misses().is_empty(), "{:?}", catalog_misses());
}

#[test]
fn state_guidance_escapes_a_script_in_the_app_name_as_html() {
    for locale in Locale::ALL {
        for s in every_state(&app_named("<script>alert(1)</script>")) {
            assert_html_escapes(&s.guidance(&Product::new("<script>alert(1)</script>"), locale));
        }
    }
}

#[test]
fn request_duration_is_pluralised_in_both_locales() {
    let s = classify(&app(), &snap(UserConsentSetting::Disabled, true), now()).unwrap();
    assert!(s
        .guidance(&Product::new("Acme"), Locale::En)
        .summary
        .contains("expire after 30 days"));
    assert!(s
        .guidance(&Product::new("Acme"), Locale::Nl)
        .summary
        .contains("verlopen na 30 dagen"));
}
