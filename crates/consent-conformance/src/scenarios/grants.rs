//! Grant idempotency and convergence: however often, concurrently or unreliably "approve" runs, the
//! tenant ends with one `AllPrincipals` grant per (client, resource) whose scope is the union
//! (Microsoft Learn: "oAuth2PermissionGrant resource type"; "Grant tenant-wide admin consent to an application").

use std::sync::Arc;

use consent::{grant_tenant_wide, ConsentGraph, GrantConsentType, NewDelegatedGrant, ScopeSet};
use consent_mock::{demo, Fault, Operation, Preset};
use futures::future::join_all;

use crate::check::{ensure, expect_conflict, expect_eq, expect_state, Step, StepExt};
use crate::fixture::{scopes, with_extra_scopes, Fixture};
use crate::interleave::Interleaving;
use crate::{Harness, Outcome, ScenarioError};

const DUPLICATE_KEY: &str = "Request_MultipleObjectsWithSameKeyValue";

/// Arrange: an admin already granted `wire` tenant-wide (through the admin-consent page).
fn pre_grant(f: &Fixture<'_>, wire: &str) -> Step<()> {
    f.tenant
        .grant_admin_consent(demo::ADMIN_ID, &f.app.app_id, &scopes(wire)?)
        .step("arrange: an earlier admin consent")
}

fn fault_fired(f: &Fixture<'_>, op: Operation) -> Step<()> {
    ensure(f.tenant.faults().is_exhausted(), || {
        format!("the fault injected on {op} never fired")
    })
}

/// Approving twice (a pending request, then the same stale handle again) leaves one grant with exactly the app's scopes; re-running the recipe writes nothing.
pub async fn approve_twice_keeps_one_grant(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::WorkflowOn);
    f.file_request(demo::EVA_ID, "Interviews belong in Outlook").await?;
    let pending = expect_state!(f.observe("after the request").await?, Pending, "after the request");
    let admin = f.admin();
    let approved = pending.clone().approve(&*admin).await.step("first approval")?;
    pending.approve(&*admin).await.step("second approval of the same handle")?;
    let again = approved.reapply(&*admin).await.step("re-run the grant recipe")?;
    ensure(again.is_noop(), || {
        format!("re-running the recipe: expected no writes, got {again:?}")
    })?;
    let grant = f.the_grant("after approving twice").await?;
    expect_eq("grant scope", f.app.delegated_scopes(), grant.scope)
}

/// Approving an app that already holds a subset grant PATCHes that same grant to the union (keeping extra scopes); no second grant.
pub async fn approve_widens_an_existing_subset_grant(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "User.Read MailboxSettings.Read")?;
    let before = f.the_grant("before approving").await?;
    let report = grant_tenant_wide(&*f.admin(), &f.app).await.step("approve")?;
    expect_eq(
        "(grants created, grants updated)",
        (0, 1),
        (report.grants_created, report.grants_updated),
    )?;
    let after = f.the_grant("after approving").await?;
    expect_eq("grant id (patched in place)", before.id, after.id)?;
    let union = before.scope.union(&f.app.delegated_scopes()).step("union")?;
    expect_eq("grant scope as a set", sorted(&union), sorted(&after.scope))
}

/// Eight approvals racing on eight connections all succeed and leave one service principal and one grant.
pub async fn concurrent_approvals_make_one_grant(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    let admins: Vec<Arc<dyn ConsentGraph>> = [demo::ADMIN_ID, demo::CLOUD_ADMIN_ID, demo::APP_ADMIN_ID]
        .iter()
        .cycle()
        .take(8)
        .map(|id| Arc::new(Interleaving::new(f.user(*id))) as Arc<dyn ConsentGraph>)
        .collect();
    let results = join_all(admins.iter().map(|g| grant_tenant_wide(&**g, &f.app))).await;
    for (i, r) in results.iter().enumerate() {
        if let Err(e) = r {
            return Err(ScenarioError::fail(format!("approval {i} of 8: expected success, got {e:?}")));
        }
    }
    let created = results.iter().flatten().filter(|r| r.created_service_principal).count();
    expect_eq("approvals that report creating the service principal", 1, created)?;
    let grant = f.the_grant("after 8 concurrent approvals").await?;
    expect_eq("grant scope", f.app.delegated_scopes(), grant.scope)?;
    expect_state!(
        f.observe("after 8 concurrent approvals").await?,
        Approved,
        "after 8 concurrent approvals"
    );
    Ok(())
}

/// One extra delegated Graph scope per racing approver in the concurrency scenarios.
pub(crate) const EXTRA_SCOPES: [&str; 8] = [
    "openid",
    "profile",
    "email",
    "Calendars.ReadBasic",
    "Calendars.Read",
    "Calendars.Read.Shared",
    "Calendars.ReadWrite.Shared",
    "MailboxSettings.Read",
];

/// Eight approvals racing, each wanting a different extra scope on an existing grant, all succeed and leave one grant holding the union of all eight.
pub async fn concurrent_approvals_keep_every_scope(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "User.Read")?;
    let apps = EXTRA_SCOPES
        .iter()
        .map(|extra| with_extra_scopes(&f.app, extra))
        .collect::<Step<Vec<_>>>()?;
    let admins: Vec<Arc<dyn ConsentGraph>> = apps.iter().map(|_| Arc::new(Interleaving::new(f.admin())) as _).collect();
    let results = join_all(admins.iter().zip(&apps).map(|(g, app)| grant_tenant_wide(&**g, app))).await;
    for (i, r) in results.iter().enumerate() {
        if let Err(e) = r {
            return Err(ScenarioError::fail(format!(
                "approval {i} of 8 (adding {}): expected success, got {e:?}",
                EXTRA_SCOPES[i]
            )));
        }
    }
    let grant = f.the_grant("after 8 concurrent approvals with different scopes").await?;
    let mut union = scopes("User.Read")?.union(&f.app.delegated_scopes()).step("union")?;
    for extra in EXTRA_SCOPES {
        union = union.union(&scopes(extra)?).step("union")?;
    }
    let missing = union.difference(&grant.scope);
    ensure(missing.is_empty(), || {
        format!("scopes lost by concurrent approvals that all reported success: {missing}")
    })
}

/// An approval whose grant create is applied but answered with a timeout reads back and succeeds; one grant.
pub async fn approve_converges_after_lost_grant_create(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    f.fault_next(Operation::CreateDelegatedGrant, Fault::CommittedButLost);
    let report = grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("approve through a lost response")?;
    fault_fired(&f, Operation::CreateDelegatedGrant)?;
    expect_eq("grants reported created", 1, report.grants_created)?;
    let grant = f.the_grant("after the lost response").await?;
    expect_eq("grant scope", f.app.delegated_scopes(), grant.scope)
}

/// An approval whose service-principal create is applied but answered with a timeout reads it back and succeeds; one principal, one grant.
pub async fn approve_converges_after_lost_service_principal_create(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    f.fault_next(Operation::CreateServicePrincipal, Fault::CommittedButLost);
    let report = grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("approve through a lost response")?;
    fault_fired(&f, Operation::CreateServicePrincipal)?;
    let sp = f.client_truth().await?;
    expect_eq("service principal reported", sp.map(|s| s.id), report.service_principal_id)?;
    f.the_grant("after the lost response").await.map(drop)
}

/// Widening a grant whose PATCH is applied but answered with a timeout checks the grant and succeeds.
pub async fn approve_converges_after_lost_grant_update(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "User.Read")?;
    f.fault_next(Operation::UpdateDelegatedGrant, Fault::CommittedButLost);
    grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("approve through a lost response")?;
    fault_fired(&f, Operation::UpdateDelegatedGrant)?;
    let grant = f.the_grant("after the lost response").await?;
    expect_eq("grant scope as a set", sorted(&f.app.delegated_scopes()), sorted(&grant.scope))
}

/// An approval whose grant create is applied and then answered 503 reads back and succeeds; one grant with the app's scopes.
pub async fn approve_converges_after_a_grant_create_landed_then_503(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    f.fault_next(Operation::CreateDelegatedGrant, Fault::LandedThen503);
    grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("approve through a 503 after the write")?;
    fault_fired(&f, Operation::CreateDelegatedGrant)?;
    let grant = f.the_grant("after the 503").await?;
    expect_eq("grant scope as a set", sorted(&f.app.delegated_scopes()), sorted(&grant.scope))
}

/// Widening a grant whose PATCH meets 409 Directory_ConcurrencyViolation reads back, widens again and succeeds with the union.
pub async fn approve_converges_after_a_concurrency_violation(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "User.Read MailboxSettings.Read")?;
    f.fault_next(Operation::UpdateDelegatedGrant, Fault::ConcurrencyViolation);
    grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("approve through a concurrency violation")?;
    fault_fired(&f, Operation::UpdateDelegatedGrant)?;
    let grant = f.the_grant("after the concurrency violation").await?;
    let union = scopes("User.Read MailboxSettings.Read")?
        .union(&f.app.delegated_scopes())
        .step("union")?;
    expect_eq("grant scope as a set", sorted(&union), sorted(&grant.scope))
}

/// Two approvals racing while the directory lags (the service principal one creates is invisible to the next 2 reads) both succeed; one principal, one grant.
pub async fn concurrent_approvals_converge_under_replica_lag(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    f.fault_next(Operation::CreateServicePrincipal, Fault::ReplicaLag { reads: 2 });
    let admins: Vec<Arc<dyn ConsentGraph>> = (0..2).map(|_| Arc::new(Interleaving::new(f.admin())) as _).collect();
    let results = join_all(admins.iter().map(|g| grant_tenant_wide(&**g, &f.app))).await;
    for (i, r) in results.iter().enumerate() {
        if let Err(e) = r {
            return Err(ScenarioError::fail(format!("approval {i} of 2 under replica lag: got {e:?}")));
        }
    }
    fault_fired(&f, Operation::CreateServicePrincipal)?;
    let grant = f.the_grant("after approving under replica lag").await?;
    expect_eq("grant scope", f.app.delegated_scopes(), grant.scope)
}

/// A PATCH whose result the next 2 reads do not show yet is not written over blindly: approve reads until it sees it and succeeds with the union.
pub async fn approve_converges_when_a_widened_grant_reads_stale(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "User.Read")?;
    f.fault_next(Operation::UpdateDelegatedGrant, Fault::ReplicaLag { reads: 2 });
    grant_tenant_wide(&*f.admin(), &f.app)
        .await
        .step("approve while the widened grant reads stale")?;
    fault_fired(&f, Operation::UpdateDelegatedGrant)?;
    let grant = f.the_grant("after the lag").await?;
    expect_eq("grant scope as a set", sorted(&f.app.delegated_scopes()), sorted(&grant.scope))
}

/// Creating a second AllPrincipals grant for the same client and resource is a Conflict with code Request_MultipleObjectsWithSameKeyValue.
pub async fn duplicate_grant_is_conflict(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "User.Read")?;
    let existing = f.the_grant("before the duplicate").await?;
    let duplicate = NewDelegatedGrant {
        client_id: existing.client_id,
        consent_type: GrantConsentType::AllPrincipals,
        principal_id: None,
        resource_id: existing.resource_id,
        scope: scopes("Calendars.ReadWrite")?,
    };
    let result = f.admin().create_delegated_grant(&duplicate).await;
    expect_conflict("duplicate grant create", result, Some(DUPLICATE_KEY))?;
    let after = f.the_grant("after the duplicate").await?;
    expect_eq("the original grant, untouched", existing, after)
}

/// PATCH replaces a grant's scope (it does not merge): narrowing it shows as missing scopes, and re-approving restores them.
pub async fn grant_update_replaces_scope(h: &dyn Harness) -> Outcome {
    let f = Fixture::new(h, Preset::UserConsentDisabled);
    pre_grant(&f, "Calendars.ReadWrite User.Read offline_access")?;
    let grant = f.the_grant("before narrowing").await?;
    let narrow = scopes("User.Read")?;
    f.admin().update_delegated_grant(&grant.id, &narrow).await.step("PATCH the scope")?;
    expect_eq("scope after PATCH", narrow.clone(), f.the_grant("after narrowing").await?.scope)?;
    let state = f.observe("after narrowing").await?;
    let missing = state.coverage().missing;
    expect_eq(
        "missing scopes",
        sorted(&f.app.delegated_scopes().difference(&narrow)),
        sorted(&missing),
    )?;
    grant_tenant_wide(&*f.admin(), &f.app).await.step("re-approve")?;
    expect_state!(f.observe("after re-approving").await?, Approved, "after re-approving");
    Ok(())
}

/// Scopes as a sorted list, for comparing sets whose order the service does not promise.
pub(crate) fn sorted(s: &ScopeSet) -> Vec<String> {
    let mut v: Vec<String> = s.iter().map(|x| x.as_str().to_owned()).collect();
    v.sort_by_key(|x| x.to_ascii_lowercase());
    v
}

/// A backend whose grant PATCHes never stick (another writer always wins): approve must not report
/// approved, and its error must be retryable.
#[cfg(test)]
mod widening_that_never_sticks {
    use std::sync::Arc;

    use async_trait::async_trait;
    use consent_mock::{MockTenant, Preset};

    use consent::{
        grant_tenant_wide, AdminConsentRequestPolicy, AppConsentRequest, AppId, AppRoleAssignment, AuthorizationPolicy, Capabilities,
        ConsentGraph, ConsentRequestSubmission, ConsentReview, DelegatedGrant, Error, NewAppRoleAssignment, NewDelegatedGrant, ObjectId,
        RequestFilter, Result, ScopeSet, ServicePrincipal, UserConsentRequest,
    };

    /// Forwards to the mock, but every `update_delegated_grant` is silently overwritten at once.
    #[derive(Debug)]
    struct Clobbered(Arc<dyn ConsentGraph>);

    #[async_trait]
    impl ConsentGraph for Clobbered {
        fn capabilities(&self) -> Capabilities {
            self.0.capabilities()
        }
        async fn get_request_policy(&self) -> Result<AdminConsentRequestPolicy> {
            self.0.get_request_policy().await
        }
        async fn put_request_policy(&self, p: &AdminConsentRequestPolicy) -> Result<()> {
            self.0.put_request_policy(p).await
        }
        async fn get_authorization_policy(&self) -> Result<AuthorizationPolicy> {
            self.0.get_authorization_policy().await
        }
        async fn list_app_consent_requests(&self, f: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
            self.0.list_app_consent_requests(f).await
        }
        async fn list_user_consent_requests(&self, id: &str) -> Result<Vec<UserConsentRequest>> {
            self.0.list_user_consent_requests(id).await
        }
        async fn get_service_principal(&self, a: &AppId) -> Result<Option<ServicePrincipal>> {
            self.0.get_service_principal(a).await
        }
        async fn create_service_principal(&self, a: &AppId) -> Result<ServicePrincipal> {
            self.0.create_service_principal(a).await
        }
        async fn list_delegated_grants(&self, c: &ObjectId) -> Result<Vec<DelegatedGrant>> {
            self.0.list_delegated_grants(c).await
        }
        async fn create_delegated_grant(&self, g: &NewDelegatedGrant) -> Result<DelegatedGrant> {
            self.0.create_delegated_grant(g).await
        }
        async fn update_delegated_grant(&self, _id: &str, _scope: &ScopeSet) -> Result<()> {
            Ok(()) // "succeeds", but a concurrent writer's scope replaces ours before anyone reads
        }
        async fn list_app_role_assignments(&self, c: &ObjectId) -> Result<Vec<AppRoleAssignment>> {
            self.0.list_app_role_assignments(c).await
        }
        async fn create_app_role_assignment(&self, a: &NewAppRoleAssignment) -> Result<AppRoleAssignment> {
            self.0.create_app_role_assignment(a).await
        }
        async fn submit_consent_request(&self, s: &ConsentRequestSubmission) -> Result<AppConsentRequest> {
            self.0.submit_consent_request(s).await
        }
        async fn review_consent_request(&self, r: &ConsentReview) -> Result<()> {
            self.0.review_consent_request(r).await
        }
    }

    #[tokio::test]
    async fn approve_reports_a_retryable_conflict_instead_of_approved() {
        let tenant = MockTenant::preset(Preset::UserConsentDisabled);
        let app = consent_mock::demo::carerix_app();
        tenant
            .grant_admin_consent(consent_mock::demo::ADMIN_ID, &app.app_id, &ScopeSet::parse("User.Read").unwrap())
            .unwrap();
        let g = Clobbered(Arc::new(tenant.as_admin()));
        let err = grant_tenant_wide(&g, &app).await.unwrap_err();
        assert!(matches!(err, Error::Conflict { .. }), "{err:?}");
        assert!(err.is_retryable(), "{err}");
        assert!(err.to_string().contains("still lacks"), "{err}");
    }
}
