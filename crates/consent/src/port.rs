//! The port: [`ConsentGraph`], one method per tenant primitive, implemented by every backend.

use std::fmt::Debug;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::app::AppRegistration;
use crate::directory::{AppRoleAssignment, DelegatedGrant, NewAppRoleAssignment, NewDelegatedGrant, ServicePrincipal};
use crate::error::{Error, Result};
use crate::ids::{AppId, ObjectId};
use crate::policy::{AdminConsentRequestPolicy, AuthorizationPolicy};
use crate::request::{AppConsentRequest, ConsentRequestSubmission, ConsentReview, UserConsentRequest};
use crate::scope::ScopeSet;

/// What a backend can do beyond the operations every backend supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// The backend's name, used in [`Error::Unsupported`](crate::Error::Unsupported).
    pub backend: &'static str,
    /// `submit_consent_request` works (the user's "Request approval" button). Graph: no.
    pub submit_requests: bool,
    /// `review_consent_request` works (Approve/Deny/Block on a request). Graph: no.
    pub review_requests: bool,
}

/// Which app consent requests to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFilter {
    /// Only requests for this app (`$filter=appId eq '…'`).
    pub app_id: Option<AppId>,
    /// Only requests with a user request still `InProgress`
    /// (`$filter=userConsentRequests/any(u:u/status eq 'InProgress')`).
    pub pending_only: bool,
}

/// Everything [`observe`](crate::observe) reads about one app, in one value, so a backend can fetch it
/// in one round trip (`$batch` on Graph).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantSnapshot {
    /// The consent request policy.
    pub request_policy: AdminConsentRequestPolicy,
    /// The authorization policy (user-consent setting).
    pub authorization_policy: AuthorizationPolicy,
    /// The app's service principal, if it exists.
    pub client: Option<ServicePrincipal>,
    /// The resource service principals the app needs, in the order asked (missing ones omitted).
    pub resources: Vec<ServicePrincipal>,
    /// Delegated grants whose client is the app's service principal (empty when it has none).
    pub grants: Vec<DelegatedGrant>,
    /// App-role assignments held by the app's service principal.
    pub app_role_assignments: Vec<AppRoleAssignment>,
    /// The app's consent requests, each with its user requests.
    pub requests: Vec<AppConsentRequest>,
}

/// A Microsoft Entra tenant's consent primitives, as seen by one acting principal.
///
/// # Contract
///
/// - One method per tenant primitive. The procedures (enable requests, request, approve, verify) are
///   built on top, once, in this crate's workflow; backends do not reimplement them.
/// - Every backend returns the **same [`Error`](crate::Error) variant for the same situation**: a
///   missing object is `NotFound`, a duplicate is `Conflict`, a missing role or permission is
///   `PermissionDenied` naming the least role or permission that would allow it, throttling is
///   `Throttled`, an operation the backend cannot perform is `Unsupported` with a hint.
/// - The implementor acts as one principal (a user, or an app with application permissions); that
///   principal's roles decide what is allowed, as in Entra.
/// - Lists are complete: paging is followed inside the backend.
/// - Writes are not retried blindly by callers: after `Timeout` a write may have been applied, so the
///   workflow reads back and converges.
/// - Objects round-trip in Graph's JSON shape; unknown enum values parse as `Unknown`.
#[async_trait]
pub trait ConsentGraph: Send + Sync + Debug {
    /// What this backend can do.
    fn capabilities(&self) -> Capabilities;

    /// The tenant's current time. The workflow stamps observations with it; the mock answers with its
    /// injected clock so expiry and tests are deterministic. The default is the system clock, which is
    /// what a real tenant runs on.
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        crate::clock::Clock::now(&crate::clock::SystemClock)
    }

    /// Waits before the workflow's next read-back-and-write round (`round` counts from 1).
    ///
    /// # Behavior
    /// - Called only when a write did not stick (a concurrent writer replaced it, or a replica had
    ///   not caught up), so concurrent approvers spread out instead of racing in lockstep again.
    /// - The default returns at once: an in-memory tenant has no network to wait for. A network
    ///   backend sleeps a short, jittered, growing time.
    async fn pause_before_retry(&self, round: u32) {
        let _ = round;
    }

    /// Reads `/policies/adminConsentRequestPolicy`.
    ///
    /// # Behavior
    /// - A tenant that never configured the workflow returns the never-configured policy
    ///   (disabled, version 0), not `NotFound`.
    /// - Needs `Policy.Read.All` or a role such as Global Reader / Cloud Application Administrator.
    async fn get_request_policy(&self) -> Result<AdminConsentRequestPolicy>;

    /// Replaces `/policies/adminConsentRequestPolicy` (Graph `PUT`, 204).
    ///
    /// # Behavior
    /// - Replaces every writable field; `version` in the argument is ignored and the service bumps it.
    /// - Needs `Policy.ReadWrite.ConsentRequest` or Cloud Application Administrator / Application
    ///   Administrator / Global Administrator; otherwise `PermissionDenied`.
    /// - Backends do not validate beyond Graph; callers validate with
    ///   [`AdminConsentRequestPolicy::validate`] before writing.
    async fn put_request_policy(&self, policy: &AdminConsentRequestPolicy) -> Result<()>;

    /// Reads `/policies/authorizationPolicy` (the user-consent setting).
    ///
    /// # Behavior
    /// - Always exists; readable with default user permissions.
    async fn get_authorization_policy(&self) -> Result<AuthorizationPolicy>;

    /// Lists app consent requests (`/identityGovernance/appConsent/appConsentRequests`).
    ///
    /// # Behavior
    /// - Returns every match across pages; `user_consent_requests` may be empty — use
    ///   [`list_user_consent_requests`](Self::list_user_consent_requests) for them.
    /// - Needs `ConsentRequest.Read.All` or a reader role; otherwise `PermissionDenied`.
    async fn list_app_consent_requests(&self, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>>;

    /// Lists the user requests of one app request.
    ///
    /// # Behavior
    /// - `NotFound` when the app request does not exist.
    async fn list_user_consent_requests(&self, app_request_id: &str) -> Result<Vec<UserConsentRequest>>;

    /// Finds the service principal of an app in this tenant.
    ///
    /// # Behavior
    /// - `Ok(None)` when the app has no service principal here (it was never consented or provisioned).
    async fn get_service_principal(&self, app_id: &AppId) -> Result<Option<ServicePrincipal>>;

    /// Creates the service principal of an app (`POST /servicePrincipals`).
    ///
    /// # Behavior
    /// - `Conflict` when one already exists for the app id.
    /// - `NotFound` when no application with that id exists anywhere (unknown app id).
    /// - Needs `Application.ReadWrite.All` / Cloud Application Administrator; otherwise `PermissionDenied`.
    async fn create_service_principal(&self, app_id: &AppId) -> Result<ServicePrincipal>;

    /// Lists delegated grants whose client is `client_id`
    /// (`GET /oauth2PermissionGrants?$filter=clientId eq '…'`).
    ///
    /// # Behavior
    /// - Empty when there are none; `NotFound` is never returned for an unknown client.
    async fn list_delegated_grants(&self, client_id: &ObjectId) -> Result<Vec<DelegatedGrant>>;

    /// Creates a delegated grant (`POST /oauth2PermissionGrants`).
    ///
    /// # Behavior
    /// - `Conflict` (code `Request_MultipleObjectsWithSameKeyValue`) when a grant for the same
    ///   (client, resource, consent type, principal) exists.
    /// - `InvalidInput` when `principal_id` is set on `AllPrincipals` or missing on `Principal`, or a
    ///   scope is not offered by the resource.
    /// - `NotFound` when the client or resource service principal does not exist.
    /// - Needs `DelegatedPermissionGrant.ReadWrite.All` / Cloud Application Administrator.
    async fn create_delegated_grant(&self, grant: &NewDelegatedGrant) -> Result<DelegatedGrant>;

    /// Replaces the scope string of a grant (`PATCH /oauth2PermissionGrants/{id}` with `scope` only).
    ///
    /// # Behavior
    /// - The new scope **replaces** the old one; send the union to add.
    /// - `NotFound` for an unknown grant id.
    async fn update_delegated_grant(&self, grant_id: &str, scope: &ScopeSet) -> Result<()>;

    /// Lists the app-role assignments a client service principal holds
    /// (`GET /servicePrincipals/{id}/appRoleAssignments`).
    ///
    /// # Behavior
    /// - `NotFound` when the service principal does not exist.
    async fn list_app_role_assignments(&self, client_id: &ObjectId) -> Result<Vec<AppRoleAssignment>>;

    /// Assigns an app role (`POST /servicePrincipals/{resourceId}/appRoleAssignedTo`).
    ///
    /// # Behavior
    /// - `Conflict` when the same (principal, resource, role) assignment exists.
    /// - `InvalidInput` when the resource has no such role.
    /// - Microsoft Graph's app roles need Privileged Role Administrator or Global Administrator
    ///   (Cloud Application / Application Administrator get `PermissionDenied` naming that role).
    async fn create_app_role_assignment(&self, assignment: &NewAppRoleAssignment) -> Result<AppRoleAssignment>;

    /// Deletes a delegated grant (`DELETE /oauth2PermissionGrants/{id}`), as "Revoke permission"
    /// does on an app's Permissions page.
    ///
    /// # Behavior
    /// - `NotFound` for an unknown grant id.
    /// - Needs what creating the grant needs (`DelegatedPermissionGrant.ReadWrite.All` / Cloud
    ///   Application Administrator).
    /// - The default answers `Unsupported`, so backends written before revoke keep compiling; every
    ///   backend in this workspace overrides it.
    async fn delete_delegated_grant(&self, grant_id: &str) -> Result<()> {
        let _ = grant_id;
        Err(Error::Unsupported {
            operation: "delete a delegated grant",
            backend: self.capabilities().backend,
            hint: "remove the grant in the Entra admin center (the app's Permissions page, Revoke permission)".to_owned(),
        })
    }

    /// Removes an app-role assignment granted on `resource_id`
    /// (`DELETE /servicePrincipals/{resourceId}/appRoleAssignedTo/{id}`).
    ///
    /// # Behavior
    /// - `NotFound` for an unknown assignment id, or one granted on another resource.
    /// - Needs what assigning the role needs (Microsoft Graph's roles: Privileged Role Administrator).
    /// - The default answers `Unsupported` (see [`delete_delegated_grant`](Self::delete_delegated_grant)).
    async fn delete_app_role_assignment(&self, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        let _ = (resource_id, assignment_id);
        Err(Error::Unsupported {
            operation: "delete an app-role assignment",
            backend: self.capabilities().backend,
            hint: "remove the assignment in the Entra admin center (the app's Permissions page, Revoke permission)".to_owned(),
        })
    }

    /// Files a consent request as the acting user (the "Request approval" button).
    ///
    /// # Behavior
    /// - Capability-gated: `Unsupported` where [`Capabilities::submit_requests`] is false.
    /// - `InvalidTransition` when the workflow is off (the user sees AADSTS90094 instead) or the user
    ///   may consent alone; `Conflict` when the app is blocked.
    /// - Creates or joins the single app request per (app, consent type).
    /// - Returns that app request (its id and pending scopes), with `user_consent_requests` holding
    ///   exactly the acting user's request.
    async fn submit_consent_request(&self, submission: &ConsentRequestSubmission) -> Result<AppConsentRequest>;

    /// Records a reviewer's decision on an app request (Approve / Deny / Block).
    ///
    /// # Behavior
    /// - Capability-gated: `Unsupported` where [`Capabilities::review_requests`] is false.
    /// - `PermissionDenied` when the acting user is not a reviewer of that request (reviewers added
    ///   after the request was created cannot act on it), or approves what their role cannot grant.
    /// - `InvalidTransition` when the request is already closed.
    async fn review_consent_request(&self, review: &ConsentReview) -> Result<()>;

    /// Reads everything [`observe`](crate::observe) needs about one app.
    ///
    /// # Behavior
    /// - The default implementation makes the individual calls in sequence; backends with a batch
    ///   facility override it to use one round trip.
    async fn snapshot(&self, app_id: &AppId, resources: &[AppId]) -> Result<TenantSnapshot> {
        crate::snapshot::read_sequentially(self, app_id, resources).await
    }

    /// Reads everything [`observe`](crate::observe) needs to classify `app`: what it calls.
    ///
    /// # Behavior
    /// - The default implementation is [`snapshot`](Self::snapshot) of the app and the resources
    ///   it needs.
    /// - A backend may stop reading once the snapshot shows `app` approved
    ///   ([`workflow::is_approved`](crate::workflow::is_approved)): the user requests of its
    ///   consent requests cannot change that state, so each request's `user_consent_requests` may
    ///   then be left empty. Microsoft Graph's backend does this, which makes an app approved
    ///   *through* a request one `$batch` instead of two.
    async fn snapshot_for(&self, app: &AppRegistration) -> Result<TenantSnapshot> {
        let resources: Vec<AppId> = app.resources.iter().map(|r| r.resource_app_id).collect();
        self.snapshot(&app.app_id, &resources).await
    }
}
