//! The arrangement every scenario starts from: a fresh preset tenant, the demo app, connections to
//! the backend under test, and ground-truth reads straight from the mock.
//!
//! Two sides, kept apart on purpose:
//! - **arrange** and **truth** go to the [`MockTenant`] itself (what a person does in the portal or at
//!   the consent prompt, and what the tenant really holds afterwards);
//! - **act** goes through [`Fixture::connect`], i.e. the backend under test.

use std::sync::Arc;

use consent::{
    AdminConsentRequestPolicy, AppConsentRequest, AppRegistration, ConsentGraph, ConsentRequestSubmission, ConsentState, ConsentType,
    DelegatedGrant, GrantConsentType, Justification, ObjectId, RequestFilter, ScopeSet, ServicePrincipal, UserConsentRequest,
};
use consent_mock::{demo, MockTenant, Preset};

use crate::check::{Step, StepExt};
use crate::harness::{Actor, Harness};

/// A fresh tenant plus the app under consideration.
pub(crate) struct Fixture<'h> {
    h: &'h dyn Harness,
    /// The arranged tenant (shared with every connection).
    pub tenant: MockTenant,
    /// The app whose consent the scenario follows (Carerix Calendar unless replaced).
    pub app: AppRegistration,
}

impl<'h> Fixture<'h> {
    /// A fresh tenant from `preset`, following the demo app.
    pub fn new(h: &'h dyn Harness, preset: Preset) -> Self {
        Self {
            h,
            tenant: MockTenant::preset(preset),
            app: demo::carerix_app(),
        }
    }

    /// A backend connection acting as `actor`.
    pub fn connect(&self, actor: &Actor) -> Arc<dyn ConsentGraph> {
        self.h.connect(&self.tenant, actor)
    }

    /// A backend connection acting as the seeded Global Administrator.
    pub fn admin(&self) -> Arc<dyn ConsentGraph> {
        self.connect(&Actor::Admin)
    }

    /// A backend connection acting as `user`.
    pub fn user(&self, user: ObjectId) -> Arc<dyn ConsentGraph> {
        self.connect(&Actor::User(user))
    }

    /// Reads the app's state through the backend, as the Global Administrator.
    pub async fn observe(&self, when: &str) -> Step<ConsentState> {
        consent::observe(&*self.admin(), &self.app).await.step(&format!("observe {when}"))
    }

    /// Arrange: `user` presses "Request approval" on the consent prompt for the app's scopes. This
    /// happens at Microsoft's prompt (the mock here), never through Graph.
    pub async fn file_request(&self, user: ObjectId, why: &str) -> Step<AppConsentRequest> {
        self.try_file_request(user, why)
            .await
            .step(&format!("arrange: {user} files a consent request"))
    }

    /// Like [`file_request`](Self::file_request), returning the tenant's answer (for refusals).
    pub async fn try_file_request(&self, user: ObjectId, why: &str) -> consent::Result<AppConsentRequest> {
        let submission = ConsentRequestSubmission {
            app_id: self.app.app_id,
            consent_type: ConsentType::Dynamic,
            scopes: self.app.delegated_scopes(),
            justification: Justification::parse(why)?,
        };
        self.tenant.as_user(user).submit_consent_request(&submission).await
    }

    /// Arrange: the next call of `op` meets `fault` (e.g. applied, but its answer lost); later
    /// calls go through.
    pub(crate) fn fault_next(&self, op: consent_mock::Operation, fault: consent_mock::Fault) {
        let rule = consent_mock::FaultRule::always(Some(op), fault).times(1);
        self.tenant.set_faults(consent_mock::FaultPlan::none().with(rule));
    }

    /// An admin handle for reading the truth: replicas settled first, so a scenario checks what the
    /// tenant holds, not what a lagging replica still shows.
    fn truth(&self) -> consent_mock::MockGraph {
        self.tenant.settle_replicas();
        self.tenant.as_admin()
    }

    /// Truth: the request policy the tenant holds.
    pub async fn policy_truth(&self) -> Step<AdminConsentRequestPolicy> {
        self.truth().get_request_policy().await.step("truth: read the request policy")
    }

    /// Truth: the app's service principal.
    pub async fn client_truth(&self) -> Step<Option<ServicePrincipal>> {
        self.truth()
            .get_service_principal(&self.app.app_id)
            .await
            .step("truth: read the app's service principal")
    }

    /// Truth: the app's `AllPrincipals` grants (empty when it has no service principal).
    pub async fn tenant_wide_grants(&self) -> Step<Vec<DelegatedGrant>> {
        let Some(sp) = self.client_truth().await? else {
            return Ok(Vec::new());
        };
        let grants = self
            .truth()
            .list_delegated_grants(&sp.id)
            .await
            .step("truth: list the app's grants")?;
        Ok(grants
            .into_iter()
            .filter(|g| g.consent_type == GrantConsentType::AllPrincipals)
            .collect())
    }

    /// Truth: the one tenant-wide grant, failing unless there is exactly one.
    pub async fn the_grant(&self, when: &str) -> Step<DelegatedGrant> {
        let mut grants = self.tenant_wide_grants().await?;
        match grants.len() {
            1 => Ok(grants.remove(0)),
            n => Err(crate::ScenarioError::fail(format!(
                "{when}: expected exactly one AllPrincipals grant, got {n}: {grants:?}"
            ))),
        }
    }

    /// Truth: the app's consent requests, each with its user requests.
    pub async fn requests_truth(&self) -> Step<Vec<(AppConsentRequest, Vec<UserConsentRequest>)>> {
        let admin = self.truth();
        let filter = RequestFilter {
            app_id: Some(self.app.app_id),
            pending_only: false,
        };
        let apps = admin.list_app_consent_requests(&filter).await.step("truth: list requests")?;
        let mut out = Vec::new();
        for a in apps {
            let users = admin.list_user_consent_requests(&a.id).await.step("truth: list user requests")?;
            out.push((a, users));
        }
        Ok(out)
    }
}

/// A justification from a literal, failing the scenario if the literal were invalid.
pub(crate) fn justification(why: &str) -> Step<Justification> {
    Justification::parse(why).step("build a justification")
}

/// A scope set from a literal.
pub(crate) fn scopes(wire: &str) -> Step<ScopeSet> {
    ScopeSet::parse(wire).step("build a scope set")
}

/// The demo app requiring `extra` delegated Graph scopes on top of its own (a new release).
pub(crate) fn with_extra_scopes(app: &AppRegistration, extra: &str) -> Step<AppRegistration> {
    Ok(app.clone().with_delegated(consent::AppId::MICROSOFT_GRAPH, scopes(extra)?))
}
