//! `ConsentGraph` for [`GraphBackend`]: one Graph call per primitive (creates may read back).

use async_trait::async_trait;
use consent::{
    AdminConsentRequestPolicy, AppConsentRequest, AppId, AppRegistration, AppRoleAssignment, AuthorizationPolicy, Capabilities,
    ConsentGraph, ConsentRequestSubmission, ConsentReview, DelegatedGrant, Error, NewAppRoleAssignment, NewDelegatedGrant, ObjectId,
    RequestFilter, Result, ScopeSet, ServicePrincipal, TenantSnapshot, UserConsentRequest,
};

use super::{GraphBackend, BACKEND_NAME};
use crate::request;

#[async_trait]
impl ConsentGraph for GraphBackend {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            backend: BACKEND_NAME,
            submit_requests: false,
            review_requests: false,
        }
    }

    /// The injected clock ([`GraphBackendBuilder::clock`](crate::GraphBackendBuilder::clock)); the system clock by default.
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.transport.clock.now()
    }

    /// Sleeps a short jittered time that grows with `round` ([`RetryPolicy`](crate::RetryPolicy)'s
    /// backoff, scaled down: the pause only spreads concurrent approvers apart).
    async fn pause_before_retry(&self, round: u32) {
        tokio::time::sleep(self.transport.retry.pause(round)).await;
    }

    async fn get_request_policy(&self) -> Result<AdminConsentRequestPolicy> {
        self.get_json(&request::get_request_policy()).await
    }

    async fn put_request_policy(&self, policy: &AdminConsentRequestPolicy) -> Result<()> {
        self.transport.execute(&request::put_request_policy(policy)?).await.map(|_| ())
    }

    async fn get_authorization_policy(&self) -> Result<AuthorizationPolicy> {
        self.get_json(&request::get_authorization_policy()).await
    }

    async fn list_app_consent_requests(&self, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
        self.transport.list(&request::list_app_consent_requests(filter)).await
    }

    async fn list_user_consent_requests(&self, app_request_id: &str) -> Result<Vec<UserConsentRequest>> {
        self.transport.list(&request::list_user_consent_requests(app_request_id)?).await
    }

    async fn get_service_principal(&self, app_id: &AppId) -> Result<Option<ServicePrincipal>> {
        match self.get_json(&request::get_service_principal(app_id)).await {
            Ok(sp) => Ok(Some(sp)),
            Err(Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn create_service_principal(&self, app_id: &AppId) -> Result<ServicePrincipal> {
        let req = request::create_service_principal(app_id);
        self.create_converging(&req, || self.get_service_principal(app_id)).await
    }

    async fn list_delegated_grants(&self, client_id: &ObjectId) -> Result<Vec<DelegatedGrant>> {
        self.transport.list(&request::list_delegated_grants(client_id)).await
    }

    async fn create_delegated_grant(&self, grant: &NewDelegatedGrant) -> Result<DelegatedGrant> {
        let req = request::create_delegated_grant(grant);
        self.create_converging(&req, || self.find_grant(grant)).await
    }

    async fn update_delegated_grant(&self, grant_id: &str, scope: &ScopeSet) -> Result<()> {
        self.transport
            .execute(&request::update_delegated_grant(grant_id, scope)?)
            .await
            .map(|_| ())
    }

    async fn delete_delegated_grant(&self, grant_id: &str) -> Result<()> {
        super::revoke::delete_delegated_grant(self, grant_id).await
    }

    async fn delete_app_role_assignment(&self, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        super::revoke::delete_app_role_assignment(self, resource_id, assignment_id).await
    }

    async fn list_app_role_assignments(&self, client_id: &ObjectId) -> Result<Vec<AppRoleAssignment>> {
        self.transport.list(&request::list_app_role_assignments(client_id)).await
    }

    async fn create_app_role_assignment(&self, assignment: &NewAppRoleAssignment) -> Result<AppRoleAssignment> {
        let req = request::create_app_role_assignment(assignment);
        self.create_converging(&req, || self.find_assignment(assignment)).await
    }

    async fn submit_consent_request(&self, _submission: &ConsentRequestSubmission) -> Result<AppConsentRequest> {
        Err(Error::Unsupported {
            operation: "submit a consent request",
            backend: BACKEND_NAME,
            hint: "Microsoft Graph has no API that creates a consent request: send the user to the app's authorize URL; \
                   when admin approval is needed, Microsoft's \"Approval required\" prompt lets them type a justification \
                   and creates the request"
                .to_owned(),
        })
    }

    async fn review_consent_request(&self, _review: &ConsentReview) -> Result<()> {
        Err(Error::Unsupported {
            operation: "review a consent request",
            backend: BACKEND_NAME,
            hint: "Microsoft Graph cannot approve, deny or block a consent request. To approve, grant tenant-wide consent \
                   (the workflow's approve does this); to deny or block, use the Entra admin center → Enterprise \
                   applications → Admin consent requests"
                .to_owned(),
        })
    }

    async fn snapshot(&self, app_id: &AppId, resources: &[AppId]) -> Result<TenantSnapshot> {
        self.batched_snapshot(app_id, resources, None).await
    }

    async fn snapshot_for(&self, app: &AppRegistration) -> Result<TenantSnapshot> {
        let resources: Vec<AppId> = app.resources.iter().map(|r| r.resource_app_id).collect();
        self.batched_snapshot(&app.app_id, &resources, Some(app)).await
    }
}
