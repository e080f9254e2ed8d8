//! Microsoft Entra ID admin-consent handling for multi-tenant apps, as typed state transitions.
//!
//! A multi-tenant app (say a recruitment CRM that syncs users' Microsoft 365 calendars) asks for
//! delegated permissions. In many tenants users may not consent alone and see "Need admin approval".
//! Three procedures fix that: an admin **enables consent requests**, a user **requests consent** with
//! a justification, and an admin **approves** tenant-wide. This crate models them over a pluggable
//! [`ConsentGraph`] port so the same code runs against an in-memory tenant (`consent-mock`) and real
//! Microsoft Graph (`consent-graph`).
//!
//! # Contents
//!
//! - Validated domain types: [`TenantId`], [`AppId`], [`ObjectId`], [`Scope`], [`ScopeSet`],
//!   [`Justification`], [`AdminConsentRequestPolicy`], [`Reviewer`], [`UserConsentSetting`],
//!   consent requests, service principals, grants, [`AppRegistration`].
//! - The port [`ConsentGraph`] with its written contract, [`Capabilities`], and [`Operation`] (one
//!   value per port method, for fault plans and permission tables).
//! - The user-consent decision Entra makes ([`decide_user_consent`]).
//! - [`workflow`]: [`observe`] the tenant into a [`ConsentState`], then typed transitions on
//!   [`Consent<S>`](Consent); [`grant_tenant_wide`] is the idempotent grant behind "approve".
//! - [`link`]: the user's authorize URL and callback, the admin-consent link, scope preflight (sans-IO).
//! - [`Guidance`]: next steps for user and admin, as text or Markdown, for every state and outcome.
//! - [`catalog`]: Microsoft Graph's calendar and sign-in permissions with their real ids.
//! - [`Error`], the one error type; [`Clock`] for injected time.
//!
//! # The workflow, on the in-memory tenant
//!
//! ```
//! use consent::{observe, ConsentState, Justification, PolicyChange, Reviewer};
//! use consent_mock::{demo, MockTenant, Preset};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let tenant = MockTenant::preset(Preset::UserConsentDisabled);
//! let (admin, eva) = (tenant.as_admin(), tenant.as_user(demo::EVA_ID));
//! let app = demo::carerix_app();
//!
//! let state = observe(&admin, &app).await?;
//! assert!(state.guidance().to_text().contains("Users can request admin consent to apps they are unable to consent to"));
//! let ConsentState::RequestsDisabled(disabled) = state else { panic!("expected requests_disabled") };
//! let enabled = disabled.enable_requests(&admin, PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)])).await?;
//! let pending = enabled.request(&eva, Justification::parse("I schedule interviews")?).await?;
//! let approved = pending.approve(&admin).await?;
//! assert!(approved.verify(&admin).await?.all_users_can_link);
//! # Ok::<(), consent::Error>(())
//! # }).unwrap();
//! ```
//!
//! Backends: `consent-mock` (in-memory, faults, presets) and `consent-graph` (Microsoft Graph).
//! Every backend passes the `consent-conformance` suite.
#![deny(missing_docs)]

mod app;
pub mod catalog;
mod clock;
mod decision;
mod directory;
mod error;
pub mod guidance;
mod ids;
mod justification;
pub mod link;
mod operation;
mod policy;
mod port;
mod request;
mod scope;
pub mod snapshot;
pub mod workflow;

pub use app::{AppRegistration, ResourceAccess};
pub use clock::{Clock, ManualClock, SystemClock};
pub use decision::{
    decide_user_consent, AdminReason, ConsentContext, UserConsentDecision, LOW_IMPACT_SCOPES, MICROSOFT_MANAGED_RESTRICTED,
};
pub use directory::{
    AppRole, AppRoleAssignment, DelegatedGrant, GrantConsentType, NewAppRoleAssignment, NewDelegatedGrant, PermissionConsentType,
    PermissionScope, ServicePrincipal, VerifiedPublisher,
};
pub use error::{Error, Result};
pub use guidance::{Audience, Guidance, Link, Step};
pub use ids::{AppId, ObjectId, TenantId};
pub use justification::{Justification, MAX_JUSTIFICATION_CHARS};
pub use link::{
    preflight, AdminConsentLink, AdminConsentOutcome, LinkOutcome, LinkRequest, LinkTenant, PendingAdminConsent, PendingLink,
    PreflightReport,
};
pub use operation::Operation;
pub use policy::{
    AdminConsentRequestPolicy, AuthorizationPolicy, DefaultUserRolePermissions, PolicyChange, Reviewer, ReviewerScope, UserConsentSetting,
    REQUEST_DURATION_DAYS,
};
pub use port::{Capabilities, ConsentGraph, RequestFilter, TenantSnapshot};
pub use request::{
    AppConsentRequest, Approval, ApprovalStage, ConsentRequestSubmission, ConsentReview, ConsentType, IdentitySet, PendingScope,
    RequestOutcome, ReviewDecision, ReviewResult, StageStatus, UserConsentRequest, UserIdentity, UserRequestStatus,
};
pub use scope::{Scope, ScopeSet, MAX_SCOPE_STRING_LEN};
pub use workflow::{
    grant_tenant_wide, observe, revoke_tenant_wide, Approved, Blocked, Completion, Consent, ConsentState, Coverage, Denied, Expired,
    GrantReport, Pending, Requester, RequestsDisabled, RequestsEnabled, Revocation, RevokeReport, UserConsentAllowed,
};
