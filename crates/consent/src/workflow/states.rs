//! The data each workflow state carries. Plain records: they serialize, and a loaded one is only a
//! claim about the tenant that the next transition re-checks.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::decision::AdminReason;
use crate::ids::ObjectId;
use crate::policy::{Reviewer, UserConsentSetting};
use crate::scope::{Scope, ScopeSet};

mod sealed {
    pub trait Sealed {}
}

/// A workflow state. Sealed: only the states below exist.
pub trait State: sealed::Sealed + std::fmt::Debug + Clone {
    /// The state's name, as used in errors and in the serialized `state` tag.
    const NAME: &'static str;
}

macro_rules! state {
    ($ty:ident, $name:literal) => {
        impl sealed::Sealed for $ty {}
        impl State for $ty {
            const NAME: &'static str = $name;
        }
    };
}

/// What is granted and what is still missing, common to every state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Coverage {
    /// Delegated scopes covered by tenant-wide (`AllPrincipals`) grants.
    pub granted: ScopeSet,
    /// Required delegated scopes not yet granted tenant-wide.
    pub missing: ScopeSet,
    /// Required application permissions not yet assigned.
    pub missing_app_roles: Vec<Scope>,
}

impl Coverage {
    /// True when nothing required is missing.
    pub fn is_complete(&self) -> bool {
        self.missing.is_empty() && self.missing_app_roles.is_empty()
    }

    /// True when some scopes were granted before but the app now needs more (scope drift).
    pub fn has_drift(&self) -> bool {
        !self.granted.is_empty() && !self.is_complete()
    }
}

/// Users may consent to the missing scopes themselves: nothing for an admin to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserConsentAllowed {
    /// The tenant's user-consent setting.
    pub setting: UserConsentSetting,
    /// Grant coverage.
    pub coverage: Coverage,
}

/// Users are blocked and cannot ask (AADSTS90094, "Need admin approval").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsDisabled {
    /// Why users may not consent.
    pub reasons: Vec<AdminReason>,
    /// The tenant's user-consent setting.
    pub setting: UserConsentSetting,
    /// Grant coverage.
    pub coverage: Coverage,
}

/// Users can ask (AADSTS90095, "Approval required" with a justification form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsEnabled {
    /// Why users may not consent.
    pub reasons: Vec<AdminReason>,
    /// Who reviews requests.
    pub reviewers: Vec<Reviewer>,
    /// How long a request stays open.
    pub request_duration_in_days: u32,
    /// Grant coverage.
    pub coverage: Coverage,
}

/// One user who asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    /// The user's object id, when known.
    pub user_id: Option<ObjectId>,
    /// Display name or UPN, for people.
    pub name: Option<Arc<str>>,
    /// Their justification.
    pub justification: Option<Arc<str>>,
    /// When they asked.
    pub requested_at: DateTime<Utc>,
}

/// A request is open and waiting for a reviewer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The `appConsentRequest` id.
    pub request_id: Arc<str>,
    /// The scopes asked for.
    pub scopes: ScopeSet,
    /// Everyone who asked, oldest first.
    pub requesters: Vec<Requester>,
    /// When the oldest open user request expires, if the policy's duration is known.
    pub expires_at: Option<DateTime<Utc>>,
    /// Grant coverage.
    pub coverage: Coverage,
}

/// Tenant-wide grants cover every required scope and app role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approved {
    /// The app's service principal.
    pub service_principal_id: ObjectId,
    /// Grant coverage (complete).
    pub coverage: Coverage,
}

/// A reviewer denied the latest request; users may ask again while requests are enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Denied {
    /// The `appConsentRequest` id.
    pub request_id: Arc<str>,
    /// The reviewer's justification.
    pub justification: Option<Arc<str>>,
    /// Who denied.
    pub reviewed_by: Option<Arc<str>>,
    /// Whether users can file a new request (the workflow is still on).
    pub can_request_again: bool,
    /// Grant coverage.
    pub coverage: Coverage,
}

/// The latest request expired undecided; users may ask again while requests are enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expired {
    /// The `appConsentRequest` id.
    pub request_id: Arc<str>,
    /// Whether users can file a new request.
    pub can_request_again: bool,
    /// Grant coverage.
    pub coverage: Coverage,
}

/// A reviewer blocked the app: its service principal is disabled and new requests are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// The disabled service principal.
    pub service_principal_id: ObjectId,
}

state!(UserConsentAllowed, "user_consent_allowed");
state!(RequestsDisabled, "requests_disabled");
state!(RequestsEnabled, "requests_enabled");
state!(Pending, "pending");
state!(Approved, "approved");
state!(Denied, "denied");
state!(Expired, "expired");
state!(Blocked, "blocked");
