//! [`Interleaving`]: a port decorator that yields to the executor before every call.
//!
//! An in-memory backend answers without ever waiting, so futures joined with `join_all` would run
//! one after the other and a "concurrent" scenario would test nothing. Yielding first makes them
//! interleave at every call, the way requests over a network do: eight approvers all read the tenant
//! before any of them writes, then race their writes.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use consent::{
    AdminConsentRequestPolicy, AppConsentRequest, AppId, AppRegistration, AppRoleAssignment, AuthorizationPolicy, Capabilities,
    ConsentGraph, ConsentRequestSubmission, ConsentReview, DelegatedGrant, NewAppRoleAssignment, NewDelegatedGrant, ObjectId,
    RequestFilter, Result, ScopeSet, ServicePrincipal, TenantSnapshot, UserConsentRequest,
};

/// Wraps a connection; every port call first yields once, then forwards. Counts the calls.
#[derive(Debug, Clone)]
pub struct Interleaving {
    inner: Arc<dyn ConsentGraph>,
    calls: Arc<AtomicUsize>,
}

impl Interleaving {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ConsentGraph>) -> Self {
        Self {
            inner,
            calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// How many port calls went through this wrapper (and its clones).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    async fn turn(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
        YieldOnce(false).await;
    }
}

/// Returns `Pending` once (after asking to be polled again), then `Ready`: works on any executor.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[async_trait]
impl ConsentGraph for Interleaving {
    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    fn now(&self) -> DateTime<Utc> {
        self.inner.now()
    }

    async fn pause_before_retry(&self, round: u32) {
        // Not counted as a call: it reaches no tenant. Yielding keeps the interleaving going.
        YieldOnce(false).await;
        self.inner.pause_before_retry(round).await
    }

    async fn get_request_policy(&self) -> Result<AdminConsentRequestPolicy> {
        self.turn().await;
        self.inner.get_request_policy().await
    }

    async fn put_request_policy(&self, policy: &AdminConsentRequestPolicy) -> Result<()> {
        self.turn().await;
        self.inner.put_request_policy(policy).await
    }

    async fn get_authorization_policy(&self) -> Result<AuthorizationPolicy> {
        self.turn().await;
        self.inner.get_authorization_policy().await
    }

    async fn list_app_consent_requests(&self, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
        self.turn().await;
        self.inner.list_app_consent_requests(filter).await
    }

    async fn list_user_consent_requests(&self, app_request_id: &str) -> Result<Vec<UserConsentRequest>> {
        self.turn().await;
        self.inner.list_user_consent_requests(app_request_id).await
    }

    async fn get_service_principal(&self, app_id: &AppId) -> Result<Option<ServicePrincipal>> {
        self.turn().await;
        self.inner.get_service_principal(app_id).await
    }

    async fn create_service_principal(&self, app_id: &AppId) -> Result<ServicePrincipal> {
        self.turn().await;
        self.inner.create_service_principal(app_id).await
    }

    async fn list_delegated_grants(&self, client_id: &ObjectId) -> Result<Vec<DelegatedGrant>> {
        self.turn().await;
        self.inner.list_delegated_grants(client_id).await
    }

    async fn create_delegated_grant(&self, grant: &NewDelegatedGrant) -> Result<DelegatedGrant> {
        self.turn().await;
        self.inner.create_delegated_grant(grant).await
    }

    async fn update_delegated_grant(&self, grant_id: &str, scope: &ScopeSet) -> Result<()> {
        self.turn().await;
        self.inner.update_delegated_grant(grant_id, scope).await
    }

    async fn delete_delegated_grant(&self, grant_id: &str) -> Result<()> {
        self.turn().await;
        self.inner.delete_delegated_grant(grant_id).await
    }

    async fn delete_app_role_assignment(&self, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        self.turn().await;
        self.inner.delete_app_role_assignment(resource_id, assignment_id).await
    }

    async fn list_app_role_assignments(&self, client_id: &ObjectId) -> Result<Vec<AppRoleAssignment>> {
        self.turn().await;
        self.inner.list_app_role_assignments(client_id).await
    }

    async fn create_app_role_assignment(&self, assignment: &NewAppRoleAssignment) -> Result<AppRoleAssignment> {
        self.turn().await;
        self.inner.create_app_role_assignment(assignment).await
    }

    async fn submit_consent_request(&self, submission: &ConsentRequestSubmission) -> Result<AppConsentRequest> {
        self.turn().await;
        self.inner.submit_consent_request(submission).await
    }

    async fn review_consent_request(&self, review: &ConsentReview) -> Result<()> {
        self.turn().await;
        self.inner.review_consent_request(review).await
    }

    async fn snapshot(&self, app_id: &AppId, resources: &[AppId]) -> Result<TenantSnapshot> {
        // Forwarded whole so a backend's one-round-trip snapshot stays one call.
        self.turn().await;
        self.inner.snapshot(app_id, resources).await
    }

    async fn snapshot_for(&self, app: &AppRegistration) -> Result<TenantSnapshot> {
        self.turn().await;
        self.inner.snapshot_for(app).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use consent_mock::{MockTenant, Preset};
    use futures::future::join;

    use super::*;

    #[tokio::test]
    async fn joined_calls_interleave_and_are_counted() {
        let tenant = MockTenant::preset(Preset::UserConsentDisabled);
        let g = Interleaving::new(Arc::new(tenant.as_admin()));
        let log = Mutex::new(Vec::new());
        let call = |name: &'static str| {
            let (g, log) = (&g, &log);
            async move {
                log.lock().unwrap().push(format!("{name} starts"));
                g.get_request_policy().await.unwrap();
                log.lock().unwrap().push(format!("{name} ends"));
            }
        };
        join(call("a"), call("b")).await;
        // Without the yield the in-memory call would finish before `b` starts.
        assert_eq!(*log.lock().unwrap(), ["a starts", "b starts", "a ends", "b ends"]);
        assert_eq!(g.calls(), 2);
        assert_eq!(g.capabilities(), tenant.as_admin().capabilities());
    }

    #[tokio::test]
    async fn revoking_goes_through_to_the_wrapped_backend() {
        let tenant = MockTenant::preset(Preset::UserConsentDisabled);
        let app = consent_mock::demo::carerix_app();
        let g = Interleaving::new(Arc::new(tenant.as_admin()));
        consent::grant_tenant_wide(&g, &app).await.unwrap();
        // Left to the port's defaults, the deletes would answer `Unsupported` for every backend.
        let report = consent::revoke_tenant_wide(&g, &app).await.unwrap();
        assert!(!report.is_noop(), "{report:?}");
        assert!(consent::revoke_tenant_wide(&g, &app).await.unwrap().is_noop());
    }
}
