//! The core `revoke` transition on the mock: Approved → the state the tenant falls back to.

use consent::{observe, ConsentGraph, ConsentState, Error, GrantConsentType, UserConsentDecision};

use super::workflow;
use crate::demo;

#[tokio::test]
async fn revoke_removes_tenant_wide_consent_and_the_tenant_falls_back_to_requests_enabled() {
    let t = workflow();
    let admin = t.as_admin();
    let app = demo::carerix_app();
    let ConsentState::RequestsEnabled(enabled) = observe(&admin, &app).await.unwrap() else {
        panic!("the workflow preset starts with requests enabled");
    };
    let approved = enabled.approve_without_request(&admin).await.unwrap();
    let scopes = app.delegated_scopes();
    assert_eq!(
        t.sign_in(demo::SAM_ID, &app.app_id, &scopes).unwrap(),
        UserConsentDecision::AlreadyGranted
    );

    let revocation = approved.revoke(&admin).await.unwrap();
    assert_eq!(revocation.report.grants_deleted.len(), 1);
    assert!(
        matches!(revocation.state, ConsentState::RequestsEnabled(_)),
        "{:?}",
        revocation.state.name()
    );
    let g = revocation.guidance(&consent::guidance::Product::new("Carerix"), consent::guidance::Locale::En);
    let nl = revocation.guidance(&consent::guidance::Product::new("Carerix"), consent::guidance::Locale::Nl);
    assert!(nl.title.contains("ingetrokken"), "{}", nl.title);
    assert!(g.title.contains("revoked") && g.title.contains(&app.display_name), "{}", g.title);
    assert!(!g.steps.is_empty());
    assert_eq!(t.sign_in(demo::SAM_ID, &app.app_id, &scopes).unwrap().aadsts_code(), Some(90095));
    let sp = admin.get_service_principal(&app.app_id).await.unwrap().unwrap();
    let grants = admin.list_delegated_grants(&sp.id).await.unwrap();
    assert!(grants.iter().all(|g| g.consent_type != GrantConsentType::AllPrincipals));

    // Idempotent: nothing left to remove.
    let again = consent::revoke_tenant_wide(&admin, &app).await.unwrap();
    assert!(again.is_noop());
}

#[tokio::test]
async fn revoke_keeps_users_own_consent_and_needs_a_role() {
    let t = crate::MockTenant::preset(crate::Preset::AllowUserConsent);
    let app = demo::carerix_app();
    let scopes = app.delegated_scopes();
    t.consent_as_user(demo::EVA_ID, &app.app_id, &scopes).unwrap();
    let admin = t.as_admin();
    consent::grant_tenant_wide(&admin, &app).await.unwrap();
    // Eva (no role) may not revoke.
    let refused = consent::revoke_tenant_wide(&t.as_user(demo::EVA_ID), &app).await;
    assert!(matches!(refused, Err(Error::PermissionDenied { .. })), "{refused:?}");
    let report = consent::revoke_tenant_wide(&admin, &app).await.unwrap();
    assert_eq!(report.grants_deleted.len(), 1);
    let sp = admin.get_service_principal(&app.app_id).await.unwrap().unwrap();
    let left = admin.list_delegated_grants(&sp.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].consent_type, GrantConsentType::Principal);
    assert!(matches!(observe(&admin, &app).await.unwrap(), ConsentState::UserConsentAllowed(_)));
}

#[tokio::test]
async fn a_refused_revoke_names_the_delete_and_its_role() {
    let t = workflow();
    let app = demo::carerix_app();
    consent::grant_tenant_wide(&t.as_admin(), &app).await.unwrap();
    // A Global Reader reads the grants (so the refusal is the delete's, not the read's).
    let refused = consent::revoke_tenant_wide(&t.as_user(demo::READER_ID), &app).await;
    let Err(Error::PermissionDenied { operation, needed, .. }) = &refused else {
        panic!("{refused:?}")
    };
    assert_eq!(*operation, "delete a delegated permission grant");
    assert!(
        needed.contains("Cloud Application Administrator") && needed.contains("DelegatedPermissionGrant.ReadWrite.All"),
        "{needed}"
    );
}

#[tokio::test]
async fn faults_reach_the_deletes_and_a_lost_delete_converges_on_the_next_revoke() {
    use crate::{Fault, FaultPlan, FaultRule, Operation};
    let t = workflow();
    let admin = t.as_admin();
    let app = demo::carerix_app();
    consent::grant_tenant_wide(&admin, &app).await.unwrap();
    // The delete lands but its answer is lost: the caller sees a timeout.
    t.set_faults(FaultPlan::none().with(FaultRule::always(Some(Operation::DeleteDelegatedGrant), Fault::CommittedButLost).times(1)));
    let lost = consent::revoke_tenant_wide(&admin, &app).await;
    assert!(matches!(lost, Err(Error::Timeout { .. })), "{lost:?}");
    // Run again: the grant is gone already, nothing is left to remove, and the app is not approved.
    assert!(consent::revoke_tenant_wide(&admin, &app).await.unwrap().is_noop());
    assert!(!matches!(observe(&admin, &app).await.unwrap(), ConsentState::Approved(_)));
}
