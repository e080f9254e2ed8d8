//! The interactive side of Entra: what the authorize endpoint decides for a user, the user's own
//! consent page, and the v2 admin-consent page (Microsoft Learn: "Configure how users consent to applications"; "Microsoft identity platform and OAuth 2.0 authorization code flow"; "Admin consent on the Microsoft identity platform").

use consent::{
    decide_user_consent, AppId, ConsentContext, DelegatedGrant, Error, GrantConsentType, NewDelegatedGrant, ObjectId, Result, ScopeSet,
    UserConsentDecision,
};

use crate::journal::AuditActivity;
use crate::principal::Principal;
use crate::state::TenantState;

impl TenantState {
    /// Microsoft Learn: "Configure how users consent to applications": may `user` consent to `scopes` (on Microsoft Graph) for the app alone?
    pub(crate) fn decide(&self, user: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<UserConsentDecision> {
        self.acting_user(&Principal::User { id: user })?;
        let client = self.sp_by_app(app_id);
        let published = self.published(app_id);
        if client.is_none() && published.is_none() {
            return Err(app_not_found(app_id));
        }
        let already = self.granted_to(user, client.map(|c| c.id))?;
        let setting = self.authorization_policy.user_consent();
        let ctx = ConsentContext {
            setting: &setting,
            workflow_enabled: self.request_policy.is_enabled,
            client,
            publisher_verified: published.is_some_and(|p| p.publisher_verified) || client.is_some_and(|c| c.is_publisher_verified()),
            resource: self.graph_sp()?,
            already_granted: &already,
        };
        Ok(decide_user_consent(&ctx, scopes))
    }

    /// The Microsoft Graph scopes `user` already holds for the client: tenant-wide plus their own.
    pub(crate) fn granted_to(&self, user: ObjectId, client: Option<ObjectId>) -> Result<ScopeSet> {
        let graph = self.graph_sp()?.id;
        let mut held = ScopeSet::new();
        let Some(client) = client else { return Ok(held) };
        for g in self.grants.iter().filter(|g| g.client_id == client && g.resource_id == graph) {
            if g.consent_type == GrantConsentType::AllPrincipals || g.principal_id == Some(user) {
                held = held.union(&g.scope)?;
            }
        }
        Ok(held)
    }

    /// The user clicks Accept on the consent page: allowed only when the decision is
    /// `UserMayConsent`; provisions the client and merges a `Principal` grant.
    pub(crate) fn consent_as_user(&mut self, user: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<DelegatedGrant> {
        let decision = self.decide(user, app_id, scopes)?;
        if decision != UserConsentDecision::UserMayConsent {
            return Err(not_consentable(&decision));
        }
        let actor = self.actor_name(&Principal::User { id: user });
        let client = self.ensure_sp(app_id, &actor)?;
        let key = NewDelegatedGrant {
            client_id: client,
            consent_type: GrantConsentType::Principal,
            principal_id: Some(user),
            resource_id: self.graph_sp()?.id,
            scope: scopes.clone(),
        };
        let grant = self.merge_grant(&key, &actor)?;
        self.audit(
            actor,
            AuditActivity::ConsentToApplication,
            app_id.to_string(),
            format!("user consent: {scopes}"),
        );
        Ok(grant)
    }

    /// Accept on the v2 `/adminconsent` page (Microsoft Learn: "Admin consent on the Microsoft identity platform"): a role-checked tenant-wide grant.
    ///
    /// `scopes` containing a `.default` value means the app registration's static permissions,
    /// including its app roles (app permissions require `/.default`); otherwise the listed delegated
    /// scopes only.
    pub(crate) fn grant_admin_consent(&mut self, admin: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<()> {
        let principal = Principal::User { id: admin };
        let published = self.published(app_id).cloned().ok_or_else(|| app_not_found(app_id))?;
        let is_static = scopes.iter().any(|s| s.as_str() == ".default" || s.as_str().ends_with("/.default"));
        let delegated = if is_static { published.graph_scopes() } else { scopes.clone() };
        self.require(&principal, &self.approval_rule(app_id, is_static))?;
        let actor = self.actor_name(&principal);
        self.grant_tenant_wide(app_id, &delegated, is_static, &actor)?;
        self.audit(
            actor,
            AuditActivity::AdminConsentToApplication,
            app_id.to_string(),
            format!("tenant-wide: {delegated}"),
        );
        let granted = self.all_principals_on_graph(app_id)?;
        self.settle_covered(app_id, &granted);
        Ok(())
    }

    fn all_principals_on_graph(&self, app_id: &AppId) -> Result<ScopeSet> {
        let graph = self.graph_sp()?.id;
        let client = self.sp_by_app(app_id).map(|s| s.id);
        let grant = self
            .grants
            .iter()
            .find(|g| Some(g.client_id) == client && g.resource_id == graph && g.consent_type == GrantConsentType::AllPrincipals);
        Ok(grant.map(|g| g.scope.clone()).unwrap_or_default())
    }
}

/// AADSTS700016: the app exists nowhere.
fn app_not_found(app_id: &AppId) -> Error {
    Error::not_found(format!(
        "application {app_id} (AADSTS700016): it is not a published app; check the client id or publish it in its home tenant"
    ))
}

fn not_consentable(decision: &UserConsentDecision) -> Error {
    let (state, reason) = match decision {
        UserConsentDecision::AlreadyGranted => ("AlreadyGranted", "every scope is already granted; nothing to consent to".to_owned()),
        UserConsentDecision::AdminApprovalRequired { can_request, .. } => (
            "AdminApprovalRequired",
            if *can_request {
                "users may not consent to these scopes (AADSTS90095); submit a consent request instead"
            } else {
                "users may not consent to these scopes and requests are off (AADSTS90094); ask an admin"
            }
            .to_owned(),
        ),
        UserConsentDecision::AppBlocked => ("AppBlocked", "the app is blocked in this tenant (AADSTS7000112)".to_owned()),
        UserConsentDecision::UnknownScopes { scopes } => ("UnknownScopes", format!("{scopes} do not exist on the resource (AADSTS650053)")),
        UserConsentDecision::UserMayConsent => ("UserMayConsent", String::new()),
    };
    Error::InvalidTransition {
        state: state.to_owned(),
        action: "consent as the user",
        reason,
    }
}
