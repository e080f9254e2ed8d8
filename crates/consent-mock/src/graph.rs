//! [`MockGraph`]: the port, acting as one principal against a [`MockTenant`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use consent::{
    AdminConsentRequestPolicy, AppConsentRequest, AppId, AppRoleAssignment, AuthorizationPolicy, Capabilities, Clock, ConsentGraph,
    ConsentRequestSubmission, ConsentReview, DelegatedGrant, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, Operation, RequestFilter,
    Result, ScopeSet, ServicePrincipal, TenantSnapshot, UserConsentRequest,
};

use crate::principal::Principal;
use crate::tenant::MockTenant;

/// The backend name in [`Capabilities`] and errors.
pub const BACKEND: &str = "mock";

/// A [`ConsentGraph`] acting as one [`Principal`] on a [`MockTenant`]. Clones share the tenant.
///
/// Every call locks the tenant once, applies expiry, draws faults, checks the principal's roles or
/// permissions, and runs atomically; the lock is never held across an `.await`.
#[derive(Debug, Clone)]
pub struct MockGraph {
    tenant: MockTenant,
    principal: Principal,
}

impl MockGraph {
    pub(crate) fn new(tenant: MockTenant, principal: Principal) -> Self {
        Self { tenant, principal }
    }

    /// The tenant this handle acts on.
    pub fn tenant(&self) -> &MockTenant {
        &self.tenant
    }

    /// Who this handle acts as.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// `DELETE /oauth2PermissionGrants/{id}`: revokes a delegated grant. Needs what creating one
    /// needs; `NotFound` for an unknown id. Also the port's
    /// [`ConsentGraph::delete_delegated_grant`], which the `revoke` transition uses.
    pub fn delete_delegated_grant(&self, grant_id: &str) -> Result<()> {
        self.tenant
            .run(Operation::DeleteDelegatedGrant, |st| st.delete_grant(&self.principal, grant_id))
    }

    /// `DELETE /servicePrincipals/{resourceId}/appRoleAssignedTo/{id}`: removes an app-role
    /// assignment granted on `resource_id`. Needs what assigning the role needs; `NotFound` for an
    /// unknown id or one granted on another resource.
    pub fn delete_app_role_assignment(&self, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        self.tenant.run(Operation::DeleteAppRoleAssignment, |st| {
            st.delete_assignment(&self.principal, resource_id, assignment_id)
        })
    }
}

#[async_trait]
impl ConsentGraph for MockGraph {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            backend: BACKEND,
            submit_requests: true,
            review_requests: true,
        }
    }

    fn now(&self) -> DateTime<Utc> {
        self.tenant.clock().now()
    }

    async fn get_request_policy(&self) -> Result<AdminConsentRequestPolicy> {
        self.tenant
            .run(Operation::GetRequestPolicy, |st| st.get_request_policy(&self.principal))
    }

    async fn put_request_policy(&self, policy: &AdminConsentRequestPolicy) -> Result<()> {
        self.tenant
            .run(Operation::PutRequestPolicy, |st| st.put_request_policy(&self.principal, policy))
    }

    async fn get_authorization_policy(&self) -> Result<AuthorizationPolicy> {
        self.tenant
            .run(Operation::GetAuthorizationPolicy, |st| st.get_authorization_policy(&self.principal))
    }

    async fn list_app_consent_requests(&self, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
        self.tenant.run(Operation::ListAppConsentRequests, |st| {
            st.list_app_requests(&self.principal, filter)
        })
    }

    async fn list_user_consent_requests(&self, app_request_id: &str) -> Result<Vec<UserConsentRequest>> {
        self.tenant.run(Operation::ListUserConsentRequests, |st| {
            st.list_user_requests(&self.principal, app_request_id)
        })
    }

    async fn get_service_principal(&self, app_id: &AppId) -> Result<Option<ServicePrincipal>> {
        self.tenant
            .run(Operation::GetServicePrincipal, |st| st.get_sp(&self.principal, app_id))
    }

    async fn create_service_principal(&self, app_id: &AppId) -> Result<ServicePrincipal> {
        self.tenant
            .run(Operation::CreateServicePrincipal, |st| st.create_sp(&self.principal, app_id))
    }

    async fn list_delegated_grants(&self, client_id: &ObjectId) -> Result<Vec<DelegatedGrant>> {
        self.tenant
            .run(Operation::ListDelegatedGrants, |st| st.list_grants(&self.principal, client_id))
    }

    async fn create_delegated_grant(&self, grant: &NewDelegatedGrant) -> Result<DelegatedGrant> {
        self.tenant
            .run(Operation::CreateDelegatedGrant, |st| st.create_grant(&self.principal, grant))
    }

    async fn update_delegated_grant(&self, grant_id: &str, scope: &ScopeSet) -> Result<()> {
        self.tenant.run(Operation::UpdateDelegatedGrant, |st| {
            st.update_grant(&self.principal, grant_id, scope)
        })
    }

    async fn delete_delegated_grant(&self, grant_id: &str) -> Result<()> {
        MockGraph::delete_delegated_grant(self, grant_id)
    }

    async fn delete_app_role_assignment(&self, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        MockGraph::delete_app_role_assignment(self, resource_id, assignment_id)
    }

    async fn list_app_role_assignments(&self, client_id: &ObjectId) -> Result<Vec<AppRoleAssignment>> {
        self.tenant.run(Operation::ListAppRoleAssignments, |st| {
            st.list_assignments(&self.principal, client_id)
        })
    }

    async fn create_app_role_assignment(&self, assignment: &NewAppRoleAssignment) -> Result<AppRoleAssignment> {
        self.tenant.run(Operation::CreateAppRoleAssignment, |st| {
            st.create_assignment(&self.principal, assignment)
        })
    }

    async fn submit_consent_request(&self, submission: &ConsentRequestSubmission) -> Result<AppConsentRequest> {
        self.tenant
            .run(Operation::SubmitConsentRequest, |st| st.submit(&self.principal, submission))
    }

    async fn review_consent_request(&self, review: &ConsentReview) -> Result<()> {
        self.tenant
            .run(Operation::ReviewConsentRequest, |st| st.review(&self.principal, review))
    }

    /// The reads of [`consent::snapshot::read_sequentially`], in the same order and each with its own
    /// fault draw, but under one lock: consistent like Graph's `$batch`, and without re-locking,
    /// re-reading the clock and re-running expiry for every read (the mock's hot path). One fault
    /// check of its own comes first, so a plan can fail the whole snapshot the way a failed
    /// `$batch` fails on Graph.
    async fn snapshot(&self, app_id: &AppId, resources: &[AppId]) -> Result<TenantSnapshot> {
        let p = &self.principal;
        self.tenant.run_reads(|r| {
            r.op(Operation::Snapshot, |_| Ok(()))?;
            let request_policy = r.op(Operation::GetRequestPolicy, |st| st.get_request_policy(p))?;
            let authorization_policy = r.op(Operation::GetAuthorizationPolicy, |st| st.get_authorization_policy(p))?;
            let client = r.op(Operation::GetServicePrincipal, |st| st.get_sp(p, app_id))?;
            let mut found = Vec::with_capacity(resources.len());
            for resource in resources {
                if let Some(sp) = r.op(Operation::GetServicePrincipal, |st| st.get_sp(p, resource))? {
                    found.push(sp);
                }
            }
            let (grants, app_role_assignments) = match &client {
                Some(sp) => (
                    r.op(Operation::ListDelegatedGrants, |st| st.list_grants(p, &sp.id))?,
                    r.op(Operation::ListAppRoleAssignments, |st| st.list_assignments(p, &sp.id))?,
                ),
                None => (Vec::new(), Vec::new()),
            };
            let filter = RequestFilter {
                app_id: Some(*app_id),
                pending_only: false,
            };
            // Each request's user requests come from their own read below, as in
            // `read_sequentially`; the list read need not copy them first.
            let mut requests = r.op(Operation::ListAppConsentRequests, |st| st.list_app_request_headers(p, &filter))?;
            for request in &mut requests {
                request.user_consent_requests = r.op(Operation::ListUserConsentRequests, |st| st.list_user_requests(p, &request.id))?;
            }
            Ok(TenantSnapshot {
                request_policy,
                authorization_policy,
                client,
                resources: found,
                grants,
                app_role_assignments,
                requests,
            })
        })
    }
}
