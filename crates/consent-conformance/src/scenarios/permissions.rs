//! Permission errors: who may do what, and that a refusal names the role or permission that would
//! allow it (Microsoft Learn: "adminConsentRequestPolicy resource type"; "appConsentRequest resource type"; "servicePrincipal resource type"; "Grant tenant-wide admin consent to an application").

use consent::{grant_tenant_wide, AdminConsentRequestPolicy, AppId, AppRegistration, ConsentGraph, PolicyChange, Reviewer, Scope};
use consent_mock::{demo, Operation, Preset};

use crate::check::{expect_denied_as, expect_eq, expect_permission_denied, expect_state, Step, StepExt};
use crate::fixture::Fixture;
use crate::harness::Actor;
use crate::{Harness, Outcome};

fn enable_with_group(current: &AdminConsentRequestPolicy) -> AdminConsentRequestPolicy {
    PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)]).apply(current)
}

/// A plain member cannot write the request policy: PermissionDenied naming Cloud Application Administrator, policy unchanged.
pub async fn member_cannot_put_policy(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let eva = f.user(demo::EVA_ID);
    let wanted = enable_with_group(&AdminConsentRequestPolicy::never_configured());
    let refused = eva.put_request_policy(&wanted).await;
    expect_denied_as("member PUTs the policy", refused.clone(), Operation::PutRequestPolicy)?;
    expect_permission_denied("member PUTs the policy", refused, "Cloud Application Administrator")?;
    expect_eq(
        "policy after the refused PUT",
        AdminConsentRequestPolicy::never_configured(),
        f.policy_truth().await?,
    )
}

/// A directory-sync app that needs Microsoft Graph's `User.Read.All` application permission.
fn directory_sync_app() -> Step<AppRegistration> {
    let app_id = AppId::parse("7d1e2f30-4a5b-4c6d-8e9f-a0b1c2d3e4f5").step("build the app id")?;
    let role = Scope::parse("User.Read.All").step("build the app role")?;
    Ok(AppRegistration::new(app_id, "Contoso Directory Sync").with_app_roles(AppId::MICROSOFT_GRAPH, [role]))
}

/// A Cloud Application Administrator cannot assign Microsoft Graph app roles (PermissionDenied naming Privileged Role Administrator); a Global Administrator can.
pub async fn cloud_app_admin_cannot_assign_graph_app_roles(h: &dyn Harness) -> Outcome {
    let mut f = Fixture::new(h, Preset::UserConsentDisabled);
    f.app = directory_sync_app()?;
    f.tenant.publish_app(&f.app, true);
    let caa = f.user(demo::CLOUD_ADMIN_ID);
    let refused = grant_tenant_wide(&*caa, &f.app).await;
    let what = "Cloud Application Administrator grants User.Read.All (application)";
    expect_denied_as(what, refused.clone(), Operation::CreateAppRoleAssignment)?;
    expect_permission_denied(what, refused, "Privileged Role Administrator")?;
    // A Global Administrator, not a Privileged Role Administrator: the recipe reads the request
    // policy first, which Microsoft Learn: "adminConsentRequestPolicy resource type" does not let a Privileged Role Administrator read.
    let report = grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("Global Administrator grants it")?;
    expect_eq(
        "app roles assigned",
        vec![Scope::parse("User.Read.All").step("scope")?],
        report.app_roles_assigned,
    )?;
    let sp = f
        .client_truth()
        .await?
        .ok_or_else(|| crate::ScenarioError::fail("no service principal after granting"))?;
    let held = f
        .tenant
        .as_admin()
        .list_app_role_assignments(&sp.id)
        .await
        .step("truth: list assignments")?;
    expect_eq("assignments held by the app", 1, held.len())
}

/// A Global Reader can read the policy, requests and grants (and observe), but every write is refused.
pub async fn global_reader_reads_but_cannot_write(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    f.file_request(demo::EVA_ID, "Interviews belong in Outlook").await?;
    let reader = f.user(demo::READER_ID);
    let policy = reader.get_request_policy().await.step("reader reads the policy")?;
    let requests = reader
        .list_app_consent_requests(&consent::RequestFilter::default())
        .await
        .step("reader lists requests")?;
    expect_eq("requests the reader sees", 1, requests.len())?;
    expect_state!(
        consent::observe(&*reader, &f.app).await.step("reader observes")?,
        Pending,
        "reader observes"
    );
    let mut off = policy.clone();
    off.is_enabled = false;
    expect_permission_denied(
        "reader PUTs the policy",
        reader.put_request_policy(&off).await,
        "Cloud Application Administrator",
    )?;
    expect_permission_denied(
        "reader grants tenant-wide",
        grant_tenant_wide(&*reader, &f.app).await,
        "Administrator",
    )?;
    expect_eq("policy after the refused writes", policy, f.policy_truth().await?)?;
    expect_eq("grants after the refused writes", 0, f.tenant_wide_grants().await?.len())
}

/// An app-only caller may write the policy with `Policy.ReadWrite.ConsentRequest`; with only `Policy.Read.All` it may read but not write.
pub async fn app_only_policy_write_needs_consent_request_permission(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let reader_app = f.connect(&Actor::App(vec!["Policy.Read.All".to_owned()]));
    let current = reader_app.get_request_policy().await.step("app with Policy.Read.All reads")?;
    let wanted = enable_with_group(&current);
    expect_permission_denied(
        "app with Policy.Read.All PUTs",
        reader_app.put_request_policy(&wanted).await,
        "Policy.ReadWrite.ConsentRequest",
    )?;
    let writer_app = f.connect(&Actor::App(vec!["Policy.ReadWrite.ConsentRequest".to_owned()]));
    writer_app
        .put_request_policy(&wanted)
        .await
        .step("app with Policy.ReadWrite.ConsentRequest PUTs")?;
    let stored = f.policy_truth().await?;
    expect_eq(
        "policy after the app's PUT",
        (true, wanted.reviewers),
        (stored.is_enabled, stored.reviewers),
    )
}

/// Only a designated reviewer may deny a request: a member who is not one gets PermissionDenied and the request stays pending.
pub async fn non_reviewer_cannot_deny(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    let sam = f.user(demo::SAM_ID);
    crate::check::require_review(&*sam, "a non-reviewer cannot deny")?;
    f.file_request(demo::EVA_ID, "Interviews belong in Outlook").await?;
    let pending = expect_state!(f.observe("after the request").await?, Pending, "after the request");
    let why = crate::fixture::justification("I do not like this app")?;
    expect_permission_denied("a non-reviewer denies", pending.deny(&*sam, why).await, "reviewer")?;
    expect_state!(f.observe("after the refused denial").await?, Pending, "after the refused denial");
    Ok(())
}
