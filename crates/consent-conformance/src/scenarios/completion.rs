//! Completion: after approval, every employee links without an admin, and `verify` proves it.

use consent::{grant_tenant_wide, revoke_tenant_wide, ConsentGraph, PolicyChange, Reviewer, ScopeSet, UserConsentDecision};
use consent_mock::{demo, Preset};

use crate::check::{ensure, expect_eq, expect_state, StepExt};
use crate::fixture::{scopes, Fixture};
use crate::{Harness, Outcome, ScenarioError};

/// The three procedures end to end: after the reviewer approves Eva's request, Sam (who never asked) signs in with AlreadyGranted and `verify` says all users can link.
pub async fn second_user_links_without_admin_after_approval(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let disabled = expect_state!(f.observe("at the start").await?, RequestsDisabled, "at the start");
    let change = PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)]);
    disabled.enable_requests(&*f.admin(), change).await.step("1. enable requests")?;
    f.file_request(demo::EVA_ID, "I schedule interviews and need them in Outlook")
        .await?;
    let pending = expect_state!(f.observe("after Eva's request").await?, Pending, "after Eva's request");
    let reviewer = f.user(demo::CLOUD_ADMIN_ID);
    let approved = pending.approve(&*reviewer).await.step("3. the reviewer approves")?;

    let sam = f
        .tenant
        .sign_in(demo::SAM_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("Sam signs in")?;
    expect_eq("Sam's sign-in", UserConsentDecision::AlreadyGranted, sam)?;
    let done = approved.verify(&*f.admin()).await.step("verify")?;
    ensure(done.all_users_can_link, || {
        format!("verify: expected all_users_can_link, got {done:?}")
    })?;
    expect_eq("verify: missing scopes", ScopeSet::new(), done.missing)
}

/// `verify` notices when a scope is revoked after approval: not all users can link, and the revoked scope is missing.
pub async fn verify_detects_a_revoked_scope(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let disabled = expect_state!(f.observe("at the start").await?, RequestsDisabled, "at the start");
    let approved = disabled.approve_without_request(&*f.admin()).await.step("pre-approve")?;
    let grant = f.the_grant("after approving").await?;
    f.tenant
        .as_admin()
        .update_delegated_grant(&grant.id, &scopes("User.Read offline_access")?)
        .await
        .step("arrange: another admin narrows the grant")?;
    let done = approved.verify(&*f.admin()).await.step("verify")?;
    ensure(!done.all_users_can_link, || {
        format!("verify: expected all_users_can_link = false, got {done:?}")
    })?;
    expect_eq("verify: missing scopes", scopes("Calendars.ReadWrite")?, done.missing)?;
    let eva = f
        .tenant
        .sign_in(demo::EVA_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("Eva signs in")?;
    expect_eq("Eva's sign-in after the revocation (AADSTS90094)", Some(90094), eva.aadsts_code())
}

/// Users who consented for themselves are not tenant-wide consent: with only a user's own grant, the app is not approved and others still need an admin.
pub async fn a_users_own_consent_is_not_tenant_wide(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::AllowUserConsent);
    f.tenant
        .consent_as_user(demo::EVA_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("arrange: Eva consents for herself")?;
    expect_eq("tenant-wide grants", 0, f.tenant_wide_grants().await?.len())?;
    let state = f.observe("after Eva's own consent").await?;
    expect_eq(
        "missing scopes (no tenant-wide grant)",
        f.app.delegated_scopes(),
        state.coverage().missing,
    )?;
    let eva = f
        .tenant
        .sign_in(demo::EVA_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("Eva signs in")?;
    expect_eq("Eva's sign-in", UserConsentDecision::AlreadyGranted, eva)?;
    let sam = f
        .tenant
        .sign_in(demo::SAM_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("Sam signs in")?;
    expect_eq("Sam's sign-in (asks for his own consent)", UserConsentDecision::UserMayConsent, sam)?;
    grant_tenant_wide(&*f.admin(), &f.app).await.step("approve tenant-wide")?;
    expect_state!(
        f.observe("after tenant-wide approval").await?,
        Approved,
        "after tenant-wide approval"
    );
    Ok(())
}

/// Revoking tenant-wide consent removes the app's tenant-wide grant: observe is back to RequestsDisabled, Eva's sign-in answers 90094 again, and a second revoke removes nothing.
pub async fn revoke_returns_the_tenant_to_needing_approval(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let disabled = expect_state!(f.observe("at the start").await?, RequestsDisabled, "at the start");
    disabled.approve_without_request(&*f.admin()).await.step("pre-approve")?;
    let grant = f.the_grant("after approving").await?;
    let report = match revoke_tenant_wide(&*f.admin(), &f.app).await {
        // The port's deletes default to Unsupported: a backend without them cannot revoke.
        Err(e @ consent::Error::Unsupported { .. }) => return Err(ScenarioError::skip(format!("revoke: {e}"))),
        other => other.step("revoke")?,
    };
    expect_eq("grants deleted", vec![grant.id], report.grants_deleted)?;
    expect_eq("tenant-wide grants after revoking", 0, f.tenant_wide_grants().await?.len())?;
    expect_state!(f.observe("after revoking").await?, RequestsDisabled, "after revoking");
    let eva = f
        .tenant
        .sign_in(demo::EVA_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("Eva signs in")?;
    expect_eq("Eva's sign-in after the revocation (AADSTS90094)", Some(90094), eva.aadsts_code())?;
    let again = revoke_tenant_wide(&*f.admin(), &f.app).await.step("revoke again")?;
    ensure(again.is_noop(), || format!("a second revoke removed {again:?}"))
}
