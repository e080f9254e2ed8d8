//! Behaviour tests: one per modelled behaviour of the brief, through the public API.

mod directory_and_persistence;
mod grants;
mod lifecycle;
mod permissions;
mod revoke;

use consent::{
    AppConsentRequest, AppId, AppRegistration, ConsentGraph, ConsentRequestSubmission, ConsentReview, Error, Result, ReviewDecision, Scope,
    ScopeSet,
};

use crate::{demo, MockTenant, Preset};

pub(super) fn workflow() -> MockTenant {
    MockTenant::preset(Preset::WorkflowOn)
}

pub(super) fn scopes(s: &str) -> ScopeSet {
    ScopeSet::parse(s).unwrap()
}

pub(super) fn carerix() -> AppId {
    demo::CARERIX_APP_ID
}

/// A published app that also needs a Microsoft Graph application permission (app role).
pub(super) fn app_with_graph_role(t: &MockTenant) -> AppRegistration {
    let app = AppRegistration::new(AppId::parse("5c0ffee5-0000-4000-8000-00000000abcd").unwrap(), "Roster Sync")
        .with_delegated(AppId::MICROSOFT_GRAPH, scopes("User.Read Calendars.Read"))
        .with_app_roles(AppId::MICROSOFT_GRAPH, [Scope::parse("Calendars.Read").unwrap()]);
    t.publish_app(&app, true);
    app
}

pub(super) async fn submit(t: &MockTenant, user: consent::ObjectId, app: AppId, s: &str, why: &str) -> Result<AppConsentRequest> {
    let sub = ConsentRequestSubmission::dynamic(app, scopes(s), why)?;
    t.as_user(user).submit_consent_request(&sub).await
}

pub(super) async fn review(t: &MockTenant, reviewer: consent::ObjectId, id: &str, decision: ReviewDecision) -> Result<()> {
    let r = ConsentReview {
        app_request_id: id.into(),
        decision,
    };
    t.as_user(reviewer).review_consent_request(&r).await
}

pub(super) fn denied_naming(r: Result<impl std::fmt::Debug>, role: &str) -> String {
    match r {
        Err(Error::PermissionDenied { needed, .. }) => {
            assert!(needed.contains(role), "needed {needed:?} should name {role}");
            needed
        }
        other => panic!("expected PermissionDenied naming {role}, got {other:?}"),
    }
}
