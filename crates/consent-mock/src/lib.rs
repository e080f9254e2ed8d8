//! A faithful in-memory Microsoft Entra tenant for the consent port.
//!
//! [`MockTenant`] models what admin consent touches in a real tenant — users, groups and directory
//! roles; Microsoft Graph's service principal with its real permission ids; the authorization
//! policy's user-consent setting; the admin consent request policy; app and user consent requests
//! with one approval stage; delegated grants and app-role assignments with Graph's uniqueness rules —
//! and answers with the **same preconditions and the same [`consent::Error`] variants** Graph would.
//! Handles act as a principal ([`MockTenant::as_user`], [`as_admin`](MockTenant::as_admin),
//! [`as_app`](MockTenant::as_app)), so permission errors are real. Products run their integration
//! tests against it; `consentctl --mock` persists it as JSON and the emulator serves it over HTTP.
//!
//! Each modelled behaviour cites the Microsoft Learn page it follows, by title, in its doc comment;
//! choices Microsoft does not document are marked `[I]`.
//!
//! # Contents
//!
//! - [`MockTenant`]: shared state (`Clone` shares, [`fork`](MockTenant::fork) copies), arrangement
//!   (`add_user`, `assign_role`, `add_group`, `publish_app`, …), the interactive sign-in
//!   ([`sign_in`](MockTenant::sign_in), [`consent_as_user`](MockTenant::consent_as_user),
//!   [`grant_admin_consent`](MockTenant::grant_admin_consent)), observation
//!   ([`outbox`](MockTenant::outbox), [`audit_log`](MockTenant::audit_log)), JSON persistence.
//! - [`MockGraph`]: the [`consent::ConsentGraph`] implementation, acting as one [`Principal`].
//! - [`DirectoryRole`] with real template ids; [`MockUser`], [`MockGroup`], [`MockOptions`].
//! - [`FaultPlan`] / [`Fault`], targeted by [`Operation`] (the core port-operation enum): injected 429s, 5xx, timeouts, lost
//!   responses, writes answered 503 after landing, concurrency violations and replica lag.
//! - [`AccountStatus`] / [`AccountChange`]: a user's mailbox, enabled flag, Conditional Access block and
//!   password change, which decide a linked account's health after consent.
//! - [`Preset`] and [`demo`]: named tenants with fixed, documented ids.
//! - [`Notification`] and [`AuditEvent`]: who would be emailed, and what was done.
//!
//! # The three procedures on the mock
//!
//! ```
//! use consent::{ConsentGraph, ConsentRequestSubmission, ConsentReview, PolicyChange, RequestFilter,
//!     Reviewer, ReviewDecision, ScopeSet, UserConsentDecision};
//! use consent_mock::{demo, MockTenant, NotificationKind, Preset};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let tenant = MockTenant::preset(Preset::UserConsentDisabled);
//! let app = demo::carerix_app();
//! let scopes = app.delegated_scopes();
//!
//! // Eva signs in: user consent is off and so is the workflow, so Entra answers AADSTS90094.
//! let decision = tenant.sign_in(demo::EVA_ID, &app.app_id, &scopes)?;
//! assert_eq!(decision.aadsts_code(), Some(90094));
//!
//! // 1. The admin enables consent requests with a reviewer.
//! let admin = tenant.as_admin();
//! let current = admin.get_request_policy().await?;
//! let change = PolicyChange::enable_with(vec![Reviewer::User(demo::ADMIN_ID)]);
//! admin.put_request_policy(&change.apply(&current)).await?;
//!
//! // 2. Eva now gets the request form (AADSTS90095) and asks, with a reason.
//! assert_eq!(tenant.sign_in(demo::EVA_ID, &app.app_id, &scopes)?.aadsts_code(), Some(90095));
//! let eva = tenant.as_user(demo::EVA_ID);
//! let why = "I need my interviews in my Outlook calendar";
//! let submission = ConsentRequestSubmission::dynamic(app.app_id, scopes.clone(), why)?;
//! eva.submit_consent_request(&submission).await?;
//!
//! // 3. The admin sees it and approves it: a tenant-wide grant.
//! let filter = RequestFilter { app_id: Some(app.app_id), pending_only: true };
//! let pending = admin.list_app_consent_requests(&filter).await?;
//! let review = ConsentReview {
//!     app_request_id: pending[0].id.clone(),
//!     decision: ReviewDecision::Approve,
//! };
//! admin.review_consent_request(&review).await?;
//!
//! // Everyone can link their calendar now, and Eva was told.
//! let sam = tenant.sign_in(demo::SAM_ID, &app.app_id, &scopes)?;
//! assert_eq!(sam, UserConsentDecision::AlreadyGranted);
//! let outbox = tenant.outbox();
//! assert!(outbox.iter().any(|n| n.to == demo::EVA_ID && n.kind == NotificationKind::Approved));
//! # Ok::<(), consent::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Faults
//!
//! ```
//! use consent::{ConsentGraph, Error};
//! use consent_mock::{Fault, FaultPlan, FaultRule, MockTenant, Operation, Preset};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let tenant = MockTenant::preset(Preset::MicrosoftManaged);
//! let once = FaultRule::always(Some(Operation::GetRequestPolicy), Fault::Timeout).times(1);
//! tenant.set_faults(FaultPlan::none().with(once));
//! assert!(matches!(tenant.as_admin().get_request_policy().await, Err(Error::Timeout { .. })));
//! assert!(tenant.as_admin().get_request_policy().await.is_ok());
//! # });
//! ```
#![deny(missing_docs)]

mod account;
pub mod demo;
mod directory;
mod faults;
mod grants;
mod graph;
mod journal;
mod login;
mod policies;
mod presets;
mod principal;
mod requests;
mod roles;
mod signin;
mod state;
mod tenant;
mod text;
mod views;

pub use account::{AccountChange, AccountStatus};
pub use consent::Operation;
pub use directory::{MockGroup, MockOptions, MockUser, PublishedApp, SYSTEM_REVIEWER_ID};
pub use faults::{Fault, FaultPlan, FaultRule};
pub use grants::{BAD_REQUEST, DUPLICATE_KEY};
pub use graph::{MockGraph, BACKEND};
pub use journal::{AuditActivity, AuditEvent, Notification, NotificationKind};
pub use presets::Preset;
pub use principal::Principal;
pub use roles::DirectoryRole;
pub use tenant::MockTenant;

#[cfg(test)]
mod tests;
