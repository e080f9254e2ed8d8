//! May this user consent to these scopes alone? Entra's decision (Microsoft Learn: "Configure how users consent to applications"), written once so the
//! mock tenant, the emulator's login pages and [`observe`](crate::observe) all agree.

use serde::{Deserialize, Serialize};

use crate::directory::{PermissionConsentType, PermissionScope, ServicePrincipal};
use crate::policy::UserConsentSetting;
use crate::scope::{Scope, ScopeSet};

/// Permission prefixes the Microsoft-managed policy no longer lets users consent to for third-party
/// apps: Files/Sites (MC1097272, Aug 2025) and Exchange/Teams incl. calendars (MC1163922, Nov 2025),
/// as Microsoft 365 message center posts announced them.
pub const MICROSOFT_MANAGED_RESTRICTED: &[&str] = &[
    "Files.",
    "Sites.",
    "Mail.",
    "MailboxSettings.",
    "Calendars.",
    "Contacts.",
    "Chat.",
    "ChannelMessage.",
    "Team.",
    "OnlineMeetings.",
];

/// Scopes the "verified publishers, selected permissions" setting treats as low impact by default.
pub const LOW_IMPACT_SCOPES: &[&str] = &["openid", "profile", "email", "offline_access", "User.Read"];

/// Everything the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct ConsentContext<'a> {
    /// The tenant's user-consent setting.
    pub setting: &'a UserConsentSetting,
    /// Whether the admin consent request workflow is on.
    pub workflow_enabled: bool,
    /// The client's service principal in the tenant, if it exists yet.
    pub client: Option<&'a ServicePrincipal>,
    /// Whether the client app's publisher is verified.
    pub publisher_verified: bool,
    /// The resource (e.g. Microsoft Graph's service principal).
    pub resource: &'a ServicePrincipal,
    /// Scopes already granted to this user (tenant-wide or personally): they need no new consent.
    pub already_granted: &'a ScopeSet,
}

/// The outcome of asking for `scopes` as an ordinary user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum UserConsentDecision {
    /// Everything is already granted: sign-in completes without a prompt.
    AlreadyGranted,
    /// The user may consent on the consent page.
    UserMayConsent,
    /// An admin must consent. `can_request` is true when the workflow is on (AADSTS90095), false
    /// when it is off (AADSTS90094).
    AdminApprovalRequired {
        /// Whether the "Approval required" form is offered.
        can_request: bool,
        /// Why users may not consent.
        reasons: Vec<AdminReason>,
    },
    /// The app is blocked in this tenant (disabled service principal, AADSTS7000112).
    AppBlocked,
    /// Some scopes do not exist on the resource (AADSTS650053).
    UnknownScopes {
        /// The scopes the resource does not offer.
        scopes: ScopeSet,
    },
}

impl UserConsentDecision {
    /// The AADSTS code Entra answers with, if the sign-in is interrupted.
    pub fn aadsts_code(&self) -> Option<u32> {
        match self {
            UserConsentDecision::AlreadyGranted | UserConsentDecision::UserMayConsent => None,
            UserConsentDecision::AdminApprovalRequired { can_request: false, .. } => Some(90094),
            UserConsentDecision::AdminApprovalRequired { can_request: true, .. } => Some(90095),
            UserConsentDecision::AppBlocked => Some(7000112),
            UserConsentDecision::UnknownScopes { .. } => Some(650053),
        }
    }
}

/// Why a user may not consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", content = "scope", rename_all = "snake_case")]
pub enum AdminReason {
    /// "Do not allow user consent".
    UserConsentDisabled,
    /// The resource flags the scope admin-only.
    AdminOnlyScope(Scope),
    /// The Microsoft-managed policy restricts the scope for third-party apps.
    RestrictedByMicrosoftManagedPolicy(Scope),
    /// The setting only allows verified publishers and the app's publisher is not verified.
    UnverifiedPublisher,
    /// The setting only allows low-impact scopes and this one is not.
    NotLowImpact(Scope),
    /// The client requires user assignment (`appRoleAssignmentRequired`).
    AssignmentRequired,
    /// A custom policy is in force; the library cannot evaluate it and assumes admin consent.
    CustomPolicy,
    /// The app needs an application permission (app role); those always need an admin.
    ApplicationPermission(Scope),
}

/// Decides whether an ordinary user may consent to `scopes` (delegated) for the client.
pub fn decide_user_consent(ctx: &ConsentContext<'_>, scopes: &ScopeSet) -> UserConsentDecision {
    if ctx.client.is_some_and(|c| !c.account_enabled) {
        return UserConsentDecision::AppBlocked;
    }
    // One lookup per scope in the resource's (long, unsorted) permission list, kept with the
    // scopes still to consent to for the admin-only check: this runs on every classify and submit.
    // `needed` is `scopes.difference(already_granted)`, in the same order.
    let mut needed: Vec<(&Scope, Option<&PermissionScope>)> = Vec::with_capacity(scopes.len());
    let mut any_unknown = false;
    for s in scopes {
        let offered = ctx.resource.scope(s);
        if !s.is_oidc() && offered.is_none() {
            any_unknown = true;
        } else if !ctx.already_granted.contains(s) {
            needed.push((s, offered));
        }
    }
    if any_unknown {
        // The refusal path: looking the scopes up again to list them costs nothing that matters.
        let unknown = scopes.iter().filter(|s| !s.is_oidc() && ctx.resource.scope(s).is_none()).cloned();
        return UserConsentDecision::UnknownScopes {
            scopes: ScopeSet::from_scopes(unknown).unwrap_or_default(),
        };
    }
    if needed.is_empty() {
        return UserConsentDecision::AlreadyGranted;
    }
    let reasons = admin_reasons(ctx, &needed);
    if reasons.is_empty() {
        UserConsentDecision::UserMayConsent
    } else {
        UserConsentDecision::AdminApprovalRequired {
            can_request: ctx.workflow_enabled,
            reasons,
        }
    }
}

/// `needed`: the scopes not granted yet, each with the resource's permission (when it offers one).
fn admin_reasons(ctx: &ConsentContext<'_>, needed: &[(&Scope, Option<&PermissionScope>)]) -> Vec<AdminReason> {
    let mut reasons = Vec::new();
    if ctx.client.is_some_and(|c| c.app_role_assignment_required) {
        reasons.push(AdminReason::AssignmentRequired);
    }
    for (s, p) in needed {
        if p.is_some_and(|p| p.consent_type == PermissionConsentType::Admin) {
            reasons.push(AdminReason::AdminOnlyScope((*s).clone()));
        }
    }
    let needed = needed.iter().map(|(s, _)| *s);
    match ctx.setting {
        UserConsentSetting::Disabled => reasons.push(AdminReason::UserConsentDisabled),
        UserConsentSetting::AllowAll => {}
        UserConsentSetting::MicrosoftManaged => reasons.extend(
            needed
                .filter(|s| MICROSOFT_MANAGED_RESTRICTED.iter().any(|p| s.as_str().starts_with(p)))
                .map(|s| AdminReason::RestrictedByMicrosoftManagedPolicy(s.clone())),
        ),
        UserConsentSetting::VerifiedPublishersLowRisk => {
            if !ctx.publisher_verified {
                reasons.push(AdminReason::UnverifiedPublisher);
            }
            reasons.extend(
                needed
                    .filter(|s| !LOW_IMPACT_SCOPES.iter().any(|l| s.as_str().eq_ignore_ascii_case(l)))
                    .map(|s| AdminReason::NotLowImpact(s.clone())),
            );
        }
        UserConsentSetting::Custom(_) => reasons.push(AdminReason::CustomPolicy),
    }
    reasons
}
