//! A backend without the request capabilities (like Microsoft Graph, which cannot create or review
//! a consent request) gets those scenarios skipped with a reason, never passed, and passes the rest.

use std::sync::Arc;

use async_trait::async_trait;
use consent::{
    AdminConsentRequestPolicy, AppConsentRequest, AppId, AppRoleAssignment, AuthorizationPolicy, Capabilities, ConsentGraph,
    ConsentRequestSubmission, ConsentReview, DelegatedGrant, Error, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, RequestFilter,
    Result, ScopeSet, ServicePrincipal, TenantSnapshot, UserConsentRequest,
};
use consent_conformance::{run_all, Actor, Harness, MockHarness};
use consent_mock::MockTenant;

/// The mock, minus `submit_requests` and `review_requests`, refusing them as Graph does.
#[derive(Debug)]
struct GraphLike(Arc<dyn ConsentGraph>);

fn unsupported(operation: &'static str) -> Error {
    Error::Unsupported {
        operation,
        backend: "graph-like",
        hint: "only Microsoft's consent prompt and the admin center can do this".to_owned(),
    }
}

#[async_trait]
impl ConsentGraph for GraphLike {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            backend: "graph-like",
            submit_requests: false,
            review_requests: false,
        }
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.now()
    }
    async fn get_request_policy(&self) -> Result<AdminConsentRequestPolicy> {
        self.0.get_request_policy().await
    }
    async fn put_request_policy(&self, policy: &AdminConsentRequestPolicy) -> Result<()> {
        self.0.put_request_policy(policy).await
    }
    async fn get_authorization_policy(&self) -> Result<AuthorizationPolicy> {
        self.0.get_authorization_policy().await
    }
    async fn list_app_consent_requests(&self, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
        self.0.list_app_consent_requests(filter).await
    }
    async fn list_user_consent_requests(&self, app_request_id: &str) -> Result<Vec<UserConsentRequest>> {
        self.0.list_user_consent_requests(app_request_id).await
    }
    async fn get_service_principal(&self, app_id: &AppId) -> Result<Option<ServicePrincipal>> {
        self.0.get_service_principal(app_id).await
    }
    async fn create_service_principal(&self, app_id: &AppId) -> Result<ServicePrincipal> {
        self.0.create_service_principal(app_id).await
    }
    async fn list_delegated_grants(&self, client_id: &ObjectId) -> Result<Vec<DelegatedGrant>> {
        self.0.list_delegated_grants(client_id).await
    }
    async fn create_delegated_grant(&self, grant: &NewDelegatedGrant) -> Result<DelegatedGrant> {
        self.0.create_delegated_grant(grant).await
    }
    async fn update_delegated_grant(&self, grant_id: &str, scope: &ScopeSet) -> Result<()> {
        self.0.update_delegated_grant(grant_id, scope).await
    }
    async fn list_app_role_assignments(&self, client_id: &ObjectId) -> Result<Vec<AppRoleAssignment>> {
        self.0.list_app_role_assignments(client_id).await
    }
    async fn create_app_role_assignment(&self, assignment: &NewAppRoleAssignment) -> Result<AppRoleAssignment> {
        self.0.create_app_role_assignment(assignment).await
    }
    async fn delete_delegated_grant(&self, grant_id: &str) -> Result<()> {
        self.0.delete_delegated_grant(grant_id).await
    }
    async fn delete_app_role_assignment(&self, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        self.0.delete_app_role_assignment(resource_id, assignment_id).await
    }
    async fn submit_consent_request(&self, _: &ConsentRequestSubmission) -> Result<AppConsentRequest> {
        Err(unsupported("submit a consent request"))
    }
    async fn review_consent_request(&self, _: &ConsentReview) -> Result<()> {
        Err(unsupported("review a consent request"))
    }
    async fn snapshot(&self, app_id: &AppId, resources: &[AppId]) -> Result<TenantSnapshot> {
        self.0.snapshot(app_id, resources).await
    }
}

struct GraphLikeHarness;

impl Harness for GraphLikeHarness {
    fn name(&self) -> &str {
        "graph-like"
    }
    fn connect(&self, tenant: &MockTenant, actor: &Actor) -> Arc<dyn ConsentGraph> {
        Arc::new(GraphLike(MockHarness.connect(tenant, actor)))
    }
}

#[tokio::test]
async fn missing_capabilities_skip_loudly_and_everything_else_passes() {
    let report = run_all(&GraphLikeHarness).await;
    println!("{report}");
    report.assert_all_passed();
    let mut skipped: Vec<&str> = report.skipped.iter().map(|(name, _)| *name).collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        [
            "block_disables_the_app_and_refuses_requests",
            "deny_closes_and_user_may_ask_again",
            "late_reviewer_cannot_review_the_request",
            "non_reviewer_cannot_deny",
            "stale_enabled_cannot_request_after_workflow_off",
        ]
    );
    for (name, reason) in &report.skipped {
        assert!(
            reason.contains("graph-like") && reason.contains("lacks capability"),
            "{name}: {reason}"
        );
    }
    let text = report.to_string();
    assert!(
        text.contains("5 skipped") && text.contains("SKIP deny_closes_and_user_may_ask_again: backend `graph-like` lacks"),
        "{text}"
    );
}
