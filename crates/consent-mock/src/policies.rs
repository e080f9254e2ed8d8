//! The two tenant policies: the admin consent request policy and the authorization policy.

use consent::{AdminConsentRequestPolicy, AuthorizationPolicy, Result, UserConsentSetting};

use crate::journal::AuditActivity;
use crate::principal::{Principal, GET_AUTHORIZATION_POLICY, GET_REQUEST_POLICY, PUT_REQUEST_POLICY};
use crate::state::{system_actor, TenantState};
use crate::text;

impl TenantState {
    /// `GET /policies/adminConsentRequestPolicy` (Microsoft Learn: "adminConsentRequestPolicy resource type"); never `NotFound`.
    pub(crate) fn get_request_policy(&self, principal: &Principal) -> Result<AdminConsentRequestPolicy> {
        self.require(principal, &GET_REQUEST_POLICY)?;
        Ok(self.request_policy.clone())
    }

    /// `PUT /policies/adminConsentRequestPolicy` (Microsoft Learn: "adminConsentRequestPolicy resource type"; otherwise our choice `[I]`): replaces every writable
    /// field, ignores the given `version`, bumps the stored one. No validation beyond Graph's, which
    /// documents none (Microsoft Learn "adminConsentRequestPolicy resource type"): an enabled policy without reviewers is accepted.
    pub(crate) fn put_request_policy(&mut self, principal: &Principal, policy: &AdminConsentRequestPolicy) -> Result<()> {
        self.require(principal, &PUT_REQUEST_POLICY)?;
        let version = self.request_policy.version.saturating_add(1);
        self.request_policy = AdminConsentRequestPolicy { version, ..policy.clone() };
        // `format!("isEnabled {}, reviewers {}, {} days, version {version}", …)`, without the formatter.
        let mut detail = String::with_capacity(64);
        detail.push_str(if policy.is_enabled {
            "isEnabled true, reviewers "
        } else {
            "isEnabled false, reviewers "
        });
        text::push_decimal(&mut detail, policy.reviewers.len() as u64);
        detail.push_str(", ");
        text::push_decimal(&mut detail, u64::from(policy.request_duration_in_days));
        detail.push_str(" days, version ");
        text::push_decimal(&mut detail, u64::from(version));
        let actor = self.actor_name(principal);
        self.audit(actor, AuditActivity::UpdateRequestPolicy, "adminConsentRequestPolicy", detail);
        Ok(())
    }

    /// `GET /policies/authorizationPolicy` (Microsoft Learn: "authorizationPolicy resource type"): any signed-in user.
    pub(crate) fn get_authorization_policy(&self, principal: &Principal) -> Result<AuthorizationPolicy> {
        self.require(principal, &GET_AUTHORIZATION_POLICY)?;
        Ok(self.authorization_policy.clone())
    }

    /// Sets `permissionGrantPoliciesAssigned` for `setting`, keeping `…ForOwnedResource.*` entries as
    /// the reference advises (Microsoft Learn "authorizationPolicy resource type").
    pub(crate) fn set_user_consent(&mut self, setting: &UserConsentSetting) {
        let assigned = &mut self
            .authorization_policy
            .default_user_role_permissions
            .permission_grant_policies_assigned;
        assigned.retain(|a| a.to_ascii_lowercase().starts_with("managepermissiongrantsforownedresource."));
        assigned.extend(setting.to_assigned());
        self.audit(
            system_actor(),
            AuditActivity::UpdateUserConsentSetting,
            "authorizationPolicy",
            setting.portal_label(),
        );
    }
}
