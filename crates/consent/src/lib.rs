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
//!   Over time and across tenants: [`watch`] streams one tenant's changes until a decision;
//!   [`observe_many`] / [`approve_many`] run a fleet with bounded concurrency and a resumable [`Journal`].
//! - [`link`]: the user's authorize URL and callback, the admin-consent link, scope preflight (sans-IO).
//!   After consent, [`LinkHealth`](link::LinkHealth) says why a linked account stopped working and who acts.
//! - [`guidance`]: next steps for user and admin for every state and outcome, for any [`Product`](guidance::Product), in
//!   English or Dutch ([`Locale`](guidance::Locale)), as text, Markdown or HTML.
//! - [`catalog`]: Microsoft Graph's calendar and sign-in permissions with their real ids.
//! - [`Error`], the one error type; [`Clock`] for injected time.
//!
//! # The workflow, on any backend
//!
//! The three procedures, written once against the port. `admin` and `user` are any
//! [`ConsentGraph`]: `consent_mock::MockTenant::as_admin()` / `as_user(id)` in tests (the
//! `entra-consent` facade runs this same flow on the mock in its own doctest), or
//! `consent_graph::GraphBackend` in production.
//!
//! ```
//! use consent::guidance::{Locale, Product};
//! use consent::{observe, AppRegistration, ConsentGraph, ConsentState, Justification};
//! use consent::{PolicyChange, Reviewer};
//!
//! /// Enables requests if needed, files the user's request, approves it, and checks the result.
//! async fn link_everyone(
//!     admin: &dyn ConsentGraph,
//!     user: &dyn ConsentGraph,
//!     app: &AppRegistration,
//!     reviewers: Reviewer,
//! ) -> consent::Result<bool> {
//!     let state = observe(admin, app).await?;
//!     // What to tell the user and the admin, for this product, in Dutch.
//!     println!("{}", state.guidance(&Product::new("Carerix"), Locale::Nl).to_text());
//!     let enabled = match state {
//!         ConsentState::RequestsDisabled(s) => {
//!             s.enable_requests(admin, PolicyChange::enable_with(vec![reviewers])).await?
//!         }
//!         ConsentState::RequestsEnabled(s) => s,
//!         other => return Ok(other.users_can_link()),
//!     };
//!     let pending = enabled.request(user, Justification::parse("I schedule interviews")?).await?;
//!     let approved = pending.approve(admin).await?;
//!     Ok(approved.verify(admin).await?.all_users_can_link)
//! }
//! # let _ = link_everyone;
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
mod secret;
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
pub use error::{Cause, Context, Error, Result};
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
pub use secret::Secret;
pub use workflow::{
    approve_many, observe_many, watch, FleetOptions, FleetTenant, Journal, Sleeper, TenantGraphs, WatchEvent, WatchOptions,
};
pub use workflow::{
    grant_tenant_wide, observe, revoke_tenant_wide, Approved, Blocked, Completion, Consent, ConsentState, Coverage, Denied, Expired,
    GrantReport, Pending, Requester, RequestsDisabled, RequestsEnabled, Revocation, RevokeReport, UserConsentAllowed,
};
