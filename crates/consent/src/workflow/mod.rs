//! The three procedures as typed state transitions.
//!
//! [`observe`] reads the tenant and returns a [`ConsentState`]; each variant wraps a [`Consent<S>`]
//! handle whose state `S` decides which transitions exist:
//!
//! ```text
//! UserConsentAllowed users consent themselves
//! RequestsDisabled   AADSTS90094, no asking       --enable_requests(admin, change)--> RequestsEnabled
//! RequestsEnabled    AADSTS90095, users can ask   --request(user, why)--> Pending
//! Pending            open request                 --approve(admin)--> Approved
//!                                                 --deny(reviewer, why)--> Denied
//!                                                 --block(reviewer, why)--> Blocked
//!                                                 --(clock passes expiry)--> Expired
//! Denied / Expired   closed; users may ask again  --request_again(user, why)--> Pending
//! Approved           grants cover every scope     --verify()--> Completion
//!                                                 --revoke(admin)--> the state it falls back to
//! ```
//!
//! Transitions consume the handle and exist only on the state they leave, so an invalid one does not
//! compile:
//!
//! ```compile_fail
//! # use consent::{Consent, ConsentGraph, RequestsDisabled};
//! # async fn f(state: Consent<RequestsDisabled>, admin: &dyn ConsentGraph) {
//! // A tenant where users cannot even ask has no request to approve.
//! let approved = state.approve(admin).await;
//! # }
//! ```
//!
//! ```compile_fail
//! # async fn f(state: consent::Consent<consent::Approved>, user: &dyn consent::ConsentGraph) {
//! // Once approved there is nothing to request.
//! let j = consent::Justification::parse("please").unwrap();
//! let pending = state.request(user, j).await;
//! # }
//! ```
//!
//! Beyond one tenant and one moment: [`watch`] follows one tenant until a reviewer decides (a stream
//! of changes with backoff and a deadline), and [`observe_many`] / [`approve_many`] run across a
//! fleet of tenants with bounded concurrency and a resumable [`Journal`].
//!
//! A handle serializes (through [`ConsentState`]) so a product can persist it; a loaded handle is a
//! claim, and every transition re-reads the tenant before it writes.

mod fleet;
mod grant;
mod guidance;
mod journal;
mod observe;
mod revoke;
mod states;
#[cfg(test)]
mod tests;
mod transitions;
mod watch;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use fleet::{approve_many, observe_many, FleetApproval, FleetOptions, FleetTenant, TenantGraphs, TenantResult};
pub use grant::{grant_tenant_wide, GrantReport};
pub use journal::{Journal, JournalEntry, JournalEvent};
pub use observe::{is_approved, observe};
pub use revoke::{revoke_tenant_wide, Revocation, RevokeReport};
pub use states::{
    Approved, Blocked, Coverage, Denied, Expired, Pending, Requester, RequestsDisabled, RequestsEnabled, State, UserConsentAllowed,
};
pub use transitions::Completion;
#[cfg(feature = "tokio")]
pub use watch::TokioSleeper;
pub use watch::{is_final_state, watch, Sleeper, WatchEvent, WatchOptions};

use std::sync::Arc;

use crate::app::AppRegistration;

/// A handle on one app's consent in one tenant, in state `S`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Consent<S: State> {
    /// Shared between the handles one procedure passes through (observe, enable, request, approve,
    /// verify each make a new one); serialized as the plain registration.
    app: Arc<AppRegistration>,
    observed_at: DateTime<Utc>,
    details: S,
}

impl<S: State> Consent<S> {
    pub(crate) fn new(app: Arc<AppRegistration>, observed_at: DateTime<Utc>, details: S) -> Self {
        Self { app, observed_at, details }
    }

    /// The app this handle is about.
    pub fn app(&self) -> &AppRegistration {
        &self.app
    }

    /// When the tenant was last read for this handle.
    pub fn observed_at(&self) -> DateTime<Utc> {
        self.observed_at
    }

    /// The state's data.
    pub fn details(&self) -> &S {
        &self.details
    }

    /// The state's name.
    pub fn state_name(&self) -> &'static str {
        S::NAME
    }
}

/// The runtime view of an app's consent: one variant per state, each holding its typed handle.
///
/// Serializes with a `state` tag (`{"state":"pending","app":…,"details":…}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConsentState {
    /// Users may consent themselves.
    UserConsentAllowed(Consent<UserConsentAllowed>),
    /// Users are blocked and cannot ask (AADSTS90094).
    RequestsDisabled(Consent<RequestsDisabled>),
    /// Users can ask (AADSTS90095).
    RequestsEnabled(Consent<RequestsEnabled>),
    /// A request is waiting for review.
    Pending(Consent<Pending>),
    /// Tenant-wide consent covers everything.
    Approved(Consent<Approved>),
    /// The latest request was denied.
    Denied(Consent<Denied>),
    /// The latest request expired.
    Expired(Consent<Expired>),
    /// The app is blocked in this tenant.
    Blocked(Consent<Blocked>),
}

impl ConsentState {
    /// The state's name (`pending`, `approved`, …).
    pub fn name(&self) -> &'static str {
        match self {
            ConsentState::UserConsentAllowed(_) => UserConsentAllowed::NAME,
            ConsentState::RequestsDisabled(_) => RequestsDisabled::NAME,
            ConsentState::RequestsEnabled(_) => RequestsEnabled::NAME,
            ConsentState::Pending(_) => Pending::NAME,
            ConsentState::Approved(_) => Approved::NAME,
            ConsentState::Denied(_) => Denied::NAME,
            ConsentState::Expired(_) => Expired::NAME,
            ConsentState::Blocked(_) => Blocked::NAME,
        }
    }

    /// The app.
    pub fn app(&self) -> &AppRegistration {
        match self {
            ConsentState::UserConsentAllowed(c) => c.app(),
            ConsentState::RequestsDisabled(c) => c.app(),
            ConsentState::RequestsEnabled(c) => c.app(),
            ConsentState::Pending(c) => c.app(),
            ConsentState::Approved(c) => c.app(),
            ConsentState::Denied(c) => c.app(),
            ConsentState::Expired(c) => c.app(),
            ConsentState::Blocked(c) => c.app(),
        }
    }

    /// Grant coverage (empty for a blocked app).
    pub fn coverage(&self) -> Coverage {
        match self {
            ConsentState::UserConsentAllowed(c) => c.details.coverage.clone(),
            ConsentState::RequestsDisabled(c) => c.details.coverage.clone(),
            ConsentState::RequestsEnabled(c) => c.details.coverage.clone(),
            ConsentState::Pending(c) => c.details.coverage.clone(),
            ConsentState::Approved(c) => c.details.coverage.clone(),
            ConsentState::Denied(c) => c.details.coverage.clone(),
            ConsentState::Expired(c) => c.details.coverage.clone(),
            ConsentState::Blocked(_) => Coverage::default(),
        }
    }

    /// True when every employee can link without an admin: approved, or users may consent.
    pub fn users_can_link(&self) -> bool {
        matches!(self, ConsentState::Approved(_) | ConsentState::UserConsentAllowed(_))
    }
}
