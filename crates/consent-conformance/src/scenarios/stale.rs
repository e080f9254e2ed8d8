//! Stale persisted state: a product saved a [`ConsentState`] yesterday, the tenant changed since, and
//! the transition it now attempts must re-check the tenant instead of trusting the saved claim.
//!
//! Approving a tenant that was approved meanwhile is deliberately **not** an error: approval is
//! idempotent, so the transition returns `Approved` and writes nothing.

use consent::{AdminConsentRequestPolicy, ConsentGraph, ConsentReview, ConsentState, PolicyChange, ReviewDecision, Reviewer};
use consent_mock::{demo, Preset};

use crate::check::{expect_eq, expect_invalid_transition, expect_state, require_submit, Step, StepExt};
use crate::fixture::{justification, Fixture};
use crate::{Harness, Outcome, ScenarioError};

/// Saves and reloads a state through JSON, as a product's database would.
fn persist(state: &ConsentState) -> Step<ConsentState> {
    let json = serde_json::to_string(state).map_err(|e| ScenarioError::fail(format!("serialize the state: {e}")))?;
    serde_json::from_str(&json).map_err(|e| ScenarioError::fail(format!("deserialize the state: {e}")))
}

/// Approving a saved Pending handle after another reviewer denied the request fails with InvalidTransition (state denied) and grants nothing.
pub async fn stale_pending_cannot_be_approved_after_deny(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let request = f.file_request(demo::EVA_ID, "Interviews belong in Outlook").await?;
    let saved = persist(&f.observe("after the request").await?)?;
    // Another reviewer denies in the portal meanwhile.
    let review = ConsentReview {
        app_request_id: request.id,
        decision: ReviewDecision::Deny(justification("Not this quarter")?),
    };
    f.tenant
        .as_user(demo::CLOUD_ADMIN_ID)
        .review_consent_request(&review)
        .await
        .step("arrange: another reviewer denies")?;
    let pending = expect_state!(saved, Pending, "the reloaded state");
    expect_invalid_transition("approve a stale pending handle", pending.approve(&*f.admin()).await, "denied")?;
    expect_eq("grants after the refused approval", 0, f.tenant_wide_grants().await?.len())
}

/// Enabling requests from a saved RequestsDisabled handle after another admin enabled them fails with InvalidTransition and leaves their policy alone.
pub async fn stale_disabled_cannot_enable_after_another_admin_did(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let saved = persist(&f.observe("before anyone enabled").await?)?;
    let theirs = PolicyChange::enable_with(vec![Reviewer::User(demo::PRA_ID)]).apply(&AdminConsentRequestPolicy::never_configured());
    f.tenant
        .as_admin()
        .put_request_policy(&theirs)
        .await
        .step("arrange: another admin enables requests")?;
    let stored = f.policy_truth().await?;
    let disabled = expect_state!(saved, RequestsDisabled, "the reloaded state");
    let mine = PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)]);
    expect_invalid_transition(
        "enable from a stale disabled handle",
        disabled.enable_requests(&*f.admin(), mine).await,
        "requests_enabled",
    )?;
    expect_eq("the other admin's policy, untouched", stored, f.policy_truth().await?)
}

/// Approving a saved Pending handle after another admin approved is idempotent: it returns Approved and the tenant still has one grant.
pub async fn stale_pending_approve_after_approval_is_idempotent(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    f.file_request(demo::EVA_ID, "Interviews belong in Outlook").await?;
    let saved = persist(&f.observe("after the request").await?)?;
    f.tenant
        .grant_admin_consent(demo::ADMIN_ID, &f.app.app_id, &f.app.delegated_scopes())
        .step("arrange: another admin approves through the admin-consent page")?;
    let before = f.the_grant("after the other admin's approval").await?;
    let pending = expect_state!(saved, Pending, "the reloaded state");
    pending.approve(&*f.admin()).await.step("approve a stale pending handle")?;
    expect_eq(
        "the one grant, untouched",
        before,
        f.the_grant("after the idempotent approval").await?,
    )
}

/// Requesting from a saved RequestsEnabled handle after an admin switched the workflow off fails with InvalidTransition; no request is created.
pub async fn stale_enabled_cannot_request_after_workflow_off(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let eva = f.user(demo::EVA_ID);
    require_submit(
        &*eva,
        "a stale RequestsEnabled handle cannot file a request once the workflow is off",
    )?;
    let saved = persist(&f.observe("with the workflow on").await?)?;
    let mut off = f.policy_truth().await?;
    off.is_enabled = false;
    f.tenant
        .as_admin()
        .put_request_policy(&off)
        .await
        .step("arrange: an admin turns requests off")?;
    let enabled = expect_state!(saved, RequestsEnabled, "the reloaded state");
    let result = enabled.request(&*eva, justification("Interviews belong in Outlook")?).await;
    expect_invalid_transition("request from a stale enabled handle", result, "RequestsDisabled")?;
    expect_eq("requests after the refusal", 0, f.requests_truth().await?.len())
}
