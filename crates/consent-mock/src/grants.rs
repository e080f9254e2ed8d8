//! Service principals, delegated grants and app-role assignments, with Graph's preconditions,
//! uniqueness rules and error codes (Microsoft Learn: "Grant tenant-wide admin consent to an application").

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use consent::{
    AppId, AppRoleAssignment, DelegatedGrant, Error, GrantConsentType, NewAppRoleAssignment, NewDelegatedGrant, ObjectId, Result, ScopeSet,
    ServicePrincipal, VerifiedPublisher,
};

use crate::journal::AuditActivity;
use crate::principal::{
    Principal, Rule, ASSIGN_APP_ROLE, ASSIGN_GRAPH_APP_ROLE, CREATE_SERVICE_PRINCIPAL, DELETE_GRANTS, READ_ASSIGNMENTS, READ_GRANTS,
    READ_SERVICE_PRINCIPALS, REMOVE_APP_ROLE, REMOVE_GRAPH_APP_ROLE, UPDATE_GRANTS, WRITE_GRANTS,
};
use crate::state::TenantState;
use crate::text;

/// Microsoft Learn: "oAuth2PermissionGrant resource type": Graph's code for a duplicate grant (409).
pub const DUPLICATE_KEY: &str = "Request_MultipleObjectsWithSameKeyValue";
/// Microsoft Learn: "appRoleAssignment resource type": Graph's code for a duplicate app-role assignment (400).
pub const BAD_REQUEST: &str = "Request_BadRequest";

impl TenantState {
    /// `GET /servicePrincipals(appId='…')` (Microsoft Learn: "servicePrincipal resource type").
    pub(crate) fn get_sp(&self, principal: &Principal, app_id: &AppId) -> Result<Option<ServicePrincipal>> {
        self.require(principal, &READ_SERVICE_PRINCIPALS)?;
        Ok(self.sp_by_app(app_id).cloned())
    }

    /// `POST /servicePrincipals` (Microsoft Learn: "servicePrincipal resource type").
    pub(crate) fn create_sp(&mut self, principal: &Principal, app_id: &AppId) -> Result<ServicePrincipal> {
        self.require(principal, &CREATE_SERVICE_PRINCIPAL)?;
        let actor = self.actor_name(principal);
        self.provision_sp(app_id, true, &actor)
    }

    /// Creates the service principal of a published app; `Conflict` if one exists, `NotFound` if the
    /// app exists in no tenant.
    pub(crate) fn provision_sp(&mut self, app_id: &AppId, enabled: bool, actor: &Arc<str>) -> Result<ServicePrincipal> {
        if self.sp_by_app(app_id).is_some() {
            return Err(Error::conflict(
                format!("a service principal for app {app_id} already exists in this tenant; read it instead of creating it"),
                Some(DUPLICATE_KEY.to_owned()),
            ));
        }
        // The name and verification only, not a copy of the whole registration.
        let published = self
            .published(app_id)
            .map(|p| (p.registration.display_name.clone(), p.publisher_verified));
        let (name, publisher_verified) = published.ok_or_else(|| {
            Error::not_found(format!(
                "application {app_id}: it is not a published app (no application with this id exists in any tenant); check the client id, or publish the multi-tenant app in its home tenant"
            ))
        })?;
        let sp = ServicePrincipal {
            id: self.ids.next_object_id(),
            app_id: *app_id,
            display_name: Some(name.clone()),
            account_enabled: enabled,
            app_role_assignment_required: false,
            app_roles: Default::default(),
            oauth2_permission_scopes: Default::default(),
            verified_publisher: publisher_verified.then(|| VerifiedPublisher {
                display_name: Some(name),
                verified_publisher_id: Some(format!("{:07}", app_id.as_uuid().as_u64_pair().1 % 10_000_000)),
            }),
        };
        self.service_principals.push(sp.clone());
        let detail = if enabled { "enabled" } else { "disabled (blocked)" };
        // `sp.id.to_string()` and `format!("appId {app_id}, {detail}")`, without the formatter.
        let target: Arc<str> = text::with_guid(sp.id.as_uuid(), |g| Arc::from(g));
        let detail = text::with_guid(app_id.as_uuid(), |app| ["appId ", app, ", ", detail].concat());
        self.audit(Arc::clone(actor), AuditActivity::AddServicePrincipal, target, detail);
        Ok(sp)
    }

    /// The client's service principal id, provisioning an enabled one if missing.
    pub(crate) fn ensure_sp(&mut self, app_id: &AppId, actor: &Arc<str>) -> Result<ObjectId> {
        match self.sp_by_app(app_id) {
            Some(sp) => Ok(sp.id),
            None => self.provision_sp(app_id, true, actor).map(|sp| sp.id),
        }
    }

    /// `GET /oauth2PermissionGrants?$filter=clientId eq '…'` (Microsoft Learn: "oAuth2PermissionGrant resource type").
    pub(crate) fn list_grants(&self, principal: &Principal, client_id: &ObjectId) -> Result<Vec<DelegatedGrant>> {
        self.require(principal, &READ_GRANTS)?;
        Ok(self.grants.iter().filter(|g| g.client_id == *client_id).cloned().collect())
    }

    /// `POST /oauth2PermissionGrants` (Microsoft Learn: "oAuth2PermissionGrant resource type").
    pub(crate) fn create_grant(&mut self, principal: &Principal, new: &NewDelegatedGrant) -> Result<DelegatedGrant> {
        self.require(principal, &WRITE_GRANTS)?;
        let actor = self.actor_name(principal);
        let grant = self.insert_grant(new, &actor)?;
        self.settle_after_grant(&grant);
        Ok(grant)
    }

    /// Validates and stores a grant: principal rules, known service principals, offered scopes,
    /// uniqueness on (clientId, resourceId, consentType, principalId).
    pub(crate) fn insert_grant(&mut self, new: &NewDelegatedGrant, actor: &Arc<str>) -> Result<DelegatedGrant> {
        match (new.consent_type, new.principal_id) {
            (GrantConsentType::AllPrincipals, Some(_)) => {
                return Err(Error::invalid(
                    "principal_id",
                    "must be null for an AllPrincipals grant; omit it for tenant-wide consent",
                ))
            }
            (GrantConsentType::Principal, None) => {
                return Err(Error::invalid(
                    "principal_id",
                    "is required for a Principal grant; give the user's object id",
                ))
            }
            (GrantConsentType::Principal, Some(user)) if self.user(user).is_none() => {
                return Err(Error::not_found(format!("user {user} (the grant's principalId)")))
            }
            _ => {}
        }
        if self.sp(new.client_id).is_none() {
            return Err(Error::not_found(format!("client service principal {} (clientId)", new.client_id)));
        }
        self.check_offered(new.resource_id, &new.scope)?;
        if self.grants.iter().any(|g| same_key(g, new)) {
            return Err(Error::conflict(
                "Permission entry already exists. Read the existing grant and PATCH its scope with the union instead",
                Some(DUPLICATE_KEY.to_owned()),
            ));
        }
        let grant = DelegatedGrant {
            id: grant_id(new),
            client_id: new.client_id,
            consent_type: new.consent_type,
            principal_id: new.principal_id,
            resource_id: new.resource_id,
            scope: new.scope.clone(),
        };
        self.grants.push(grant.clone());
        // What `format!("{:?} scope {}", consent_type, scope)` writes, without the formatter.
        let kind = match grant.consent_type {
            GrantConsentType::AllPrincipals => "AllPrincipals",
            GrantConsentType::Principal => "Principal",
        };
        let mut detail = String::with_capacity(kind.len() + 7 + 32 * grant.scope.len());
        detail.push_str(kind);
        detail.push_str(" scope ");
        text::push_scopes(&mut detail, &grant.scope);
        let target: Arc<str> = Arc::from(grant.id.as_str());
        self.audit(Arc::clone(actor), AuditActivity::AddDelegatedPermissionGrant, target, detail);
        Ok(grant)
    }

    /// `PATCH /oauth2PermissionGrants/{id}` with `scope`, which replaces the old value (Microsoft Learn: "oAuth2PermissionGrant resource type").
    pub(crate) fn update_grant(&mut self, principal: &Principal, grant_id: &str, scope: &ScopeSet) -> Result<()> {
        self.require(principal, &UPDATE_GRANTS)?;
        let actor = self.actor_name(principal);
        let grant = self.replace_scope(grant_id, scope, &actor)?;
        self.settle_after_grant(&grant);
        Ok(())
    }

    fn replace_scope(&mut self, grant_id: &str, scope: &ScopeSet, actor: &Arc<str>) -> Result<DelegatedGrant> {
        let i = self
            .grants
            .iter()
            .position(|g| g.id == grant_id)
            .ok_or_else(|| Error::not_found(format!("oauth2PermissionGrant {grant_id}")))?;
        self.check_offered(self.grants[i].resource_id, scope)?;
        self.grants[i].scope = scope.clone();
        let grant = self.grants[i].clone();
        self.audit(
            Arc::clone(actor),
            AuditActivity::UpdateDelegatedPermissionGrant,
            grant_id,
            format!("scope {scope}"),
        );
        Ok(grant)
    }

    /// `DELETE /oauth2PermissionGrants/{id}` (oauth2permissiongrant-delete).
    pub(crate) fn delete_grant(&mut self, principal: &Principal, grant_id: &str) -> Result<()> {
        self.require(principal, &DELETE_GRANTS)?;
        let i = self
            .grants
            .iter()
            .position(|g| g.id == grant_id)
            .ok_or_else(|| Error::not_found(format!("oauth2PermissionGrant {grant_id}")))?;
        let grant = self.grants.remove(i);
        let actor = self.actor_name(principal);
        self.audit(
            actor,
            AuditActivity::RemoveDelegatedPermissionGrant,
            grant_id,
            format!("scope {}", grant.scope),
        );
        Ok(())
    }

    /// `DELETE /servicePrincipals/{resourceId}/appRoleAssignedTo/{id}`
    /// (serviceprincipal-delete-approleassignedto).
    pub(crate) fn delete_assignment(&mut self, principal: &Principal, resource_id: &ObjectId, assignment_id: &str) -> Result<()> {
        let on_graph = self.graph_sp().is_ok_and(|g| g.id == *resource_id);
        self.require(principal, if on_graph { &REMOVE_GRAPH_APP_ROLE } else { &REMOVE_APP_ROLE })?;
        let i = self
            .assignments
            .iter()
            .position(|a| a.id == assignment_id && a.resource_id == *resource_id)
            .ok_or_else(|| Error::not_found(format!("appRoleAssignment {assignment_id} on {resource_id}")))?;
        let removed = self.assignments.remove(i);
        let actor = self.actor_name(principal);
        self.audit(
            actor,
            AuditActivity::RemoveAppRoleAssignment,
            assignment_id,
            format!("app role {} of {}", removed.app_role_id, removed.principal_id),
        );
        Ok(())
    }

    /// A tenant-wide grant made through Graph may settle open requests (see `MockOptions`).
    fn settle_after_grant(&mut self, grant: &DelegatedGrant) {
        let on_graph = self.graph_sp().is_ok_and(|g| g.id == grant.resource_id);
        if grant.consent_type != GrantConsentType::AllPrincipals || !on_graph {
            return;
        }
        if let Some(app_id) = self.sp(grant.client_id).map(|s| s.app_id) {
            self.settle_covered(&app_id, &grant.scope);
        }
    }

    /// `InvalidInput` unless the resource exists and offers every scope (Microsoft Learn: "Grant tenant-wide admin consent to an application" step 3).
    pub(crate) fn check_offered(&self, resource_id: ObjectId, scope: &ScopeSet) -> Result<()> {
        let resource = self
            .sp(resource_id)
            .ok_or_else(|| Error::not_found(format!("resource service principal {resource_id} (resourceId)")))?;
        let missing = scope.iter().filter(|s| resource.scope(s).is_none_or(|p| !p.is_enabled)).cloned();
        let missing = ScopeSet::from_scopes(missing)?;
        if missing.is_empty() {
            return Ok(());
        }
        let name = resource.display_name.clone().unwrap_or_else(|| resource.app_id.to_string());
        Err(Error::invalid(
            "scope",
            format!("{missing} is not a delegated permission offered by {name}; use values from its oauth2PermissionScopes"),
        ))
    }

    /// Unions `scopes` into the one grant for (client, resource, consent type, principal), creating it
    /// if missing (Microsoft Learn: "oAuth2PermissionGrant resource type" "correct pattern").
    pub(crate) fn merge_grant(&mut self, key: &NewDelegatedGrant, actor: &Arc<str>) -> Result<DelegatedGrant> {
        match self.grants.iter().find(|g| same_key(g, key)).cloned() {
            Some(existing) => {
                let union = existing.scope.union(&key.scope)?;
                self.replace_scope(&existing.id, &union, actor)
            }
            None => self.insert_grant(key, actor),
        }
    }

    /// `GET /servicePrincipals/{id}/appRoleAssignments` (Microsoft Learn: "appRoleAssignment resource type").
    pub(crate) fn list_assignments(&self, principal: &Principal, client_id: &ObjectId) -> Result<Vec<AppRoleAssignment>> {
        self.require(principal, &READ_ASSIGNMENTS)?;
        if self.sp(*client_id).is_none() {
            return Err(Error::not_found(format!("service principal {client_id}")));
        }
        Ok(self.assignments.iter().filter(|a| a.principal_id == *client_id).cloned().collect())
    }

    /// `POST /servicePrincipals/{resourceId}/appRoleAssignedTo` (Microsoft Learn: "appRoleAssignment resource type"; "Grant tenant-wide admin consent to an application").
    pub(crate) fn create_assignment(&mut self, principal: &Principal, new: &NewAppRoleAssignment) -> Result<AppRoleAssignment> {
        let on_graph = self.graph_sp().is_ok_and(|g| g.id == new.resource_id);
        self.require(principal, if on_graph { &ASSIGN_GRAPH_APP_ROLE } else { &ASSIGN_APP_ROLE })?;
        let actor = self.actor_name(principal);
        self.insert_assignment(new, &actor)
    }

    pub(crate) fn insert_assignment(&mut self, new: &NewAppRoleAssignment, actor: &Arc<str>) -> Result<AppRoleAssignment> {
        let resource = self
            .sp(new.resource_id)
            .ok_or_else(|| Error::not_found(format!("resource service principal {}", new.resource_id)))?;
        if self.sp(new.principal_id).is_none() {
            return Err(Error::not_found(format!("service principal {} (principalId)", new.principal_id)));
        }
        let known = resource.app_roles.iter().any(|r| r.id == new.app_role_id && r.is_enabled);
        if !known {
            return Err(Error::invalid(
                "app_role_id",
                format!(
                    "Permission being assigned was not found on application: {} offers no app role {}",
                    resource.display_name.clone().unwrap_or_default(),
                    new.app_role_id
                ),
            ));
        }
        let duplicate = self
            .assignments
            .iter()
            .any(|a| a.principal_id == new.principal_id && a.resource_id == new.resource_id && a.app_role_id == new.app_role_id);
        if duplicate {
            return Err(Error::conflict(
                "Permission being assigned already exists on the object",
                Some(BAD_REQUEST.to_owned()),
            ));
        }
        let mut bytes = new.principal_id.as_uuid().to_bytes_le().to_vec();
        bytes.extend_from_slice(self.ids.next_uuid().as_bytes());
        let a = AppRoleAssignment {
            id: URL_SAFE_NO_PAD.encode(bytes),
            app_role_id: new.app_role_id,
            principal_id: new.principal_id,
            resource_id: new.resource_id,
            principal_type: Some("ServicePrincipal".to_owned()),
            created_date_time: Some(self.now),
        };
        self.assignments.push(a.clone());
        self.audit(
            Arc::clone(actor),
            AuditActivity::AddAppRoleAssignment,
            a.id.clone(),
            format!("role {}", a.app_role_id),
        );
        Ok(a)
    }

    /// The rule an approver must pass: Microsoft Graph app roles need Privileged Role Administrator,
    /// delegated scopes Cloud Application Administrator (Microsoft Learn: "Grant tenant-wide admin consent to an application").
    pub(crate) fn approval_rule(&self, app_id: &AppId, with_roles: bool) -> Rule {
        let needs_graph_roles = with_roles
            && self
                .published(app_id)
                .is_some_and(|p| p.required_app_roles().iter().any(|(r, _)| *r == AppId::MICROSOFT_GRAPH));
        if needs_graph_roles {
            ASSIGN_GRAPH_APP_ROLE
        } else {
            WRITE_GRANTS
        }
    }

    /// Tenant-wide consent (Microsoft Learn: "Grant tenant-wide admin consent to an application"): the client's service principal, one `AllPrincipals`
    /// grant on Microsoft Graph holding the union, and (if `with_roles`) every required app role.
    /// Validates everything before writing anything, so a refusal leaves the tenant unchanged.
    pub(crate) fn grant_tenant_wide(&mut self, app_id: &AppId, scopes: &ScopeSet, with_roles: bool, actor: &Arc<str>) -> Result<()> {
        let graph = self.graph_sp()?.id;
        self.check_offered(graph, scopes)?;
        let roles = if with_roles {
            self.resolve_required_roles(app_id)?
        } else {
            Vec::new()
        };
        let client = self.ensure_sp(app_id, actor)?;
        if !scopes.is_empty() {
            let key = NewDelegatedGrant {
                client_id: client,
                consent_type: GrantConsentType::AllPrincipals,
                principal_id: None,
                resource_id: graph,
                scope: scopes.clone(),
            };
            self.merge_grant(&key, actor)?;
        }
        for (resource_id, app_role_id) in roles {
            let held = self
                .assignments
                .iter()
                .any(|a| a.principal_id == client && a.resource_id == resource_id && a.app_role_id == app_role_id);
            if !held {
                let new = NewAppRoleAssignment {
                    principal_id: client,
                    resource_id,
                    app_role_id,
                };
                self.insert_assignment(&new, actor)?;
            }
        }
        Ok(())
    }

    /// The (resource service principal, app role id) pairs the app registration requires.
    fn resolve_required_roles(&self, app_id: &AppId) -> Result<Vec<(ObjectId, uuid::Uuid)>> {
        let Some(app) = self.published(app_id) else { return Ok(Vec::new()) };
        app.required_app_roles()
            .into_iter()
            .map(|(resource_app, value)| {
                let sp = self
                    .sp_by_app(&resource_app)
                    .ok_or_else(|| Error::not_found(format!("resource service principal for app {resource_app}")))?;
                let role = sp.app_role(&value).ok_or_else(|| {
                    Error::invalid(
                        "app_roles",
                        format!(
                            "{value} is not an application permission of {}",
                            sp.display_name.clone().unwrap_or_default()
                        ),
                    )
                })?;
                Ok((sp.id, role.id))
            })
            .collect()
    }
}

fn same_key(g: &DelegatedGrant, new: &NewDelegatedGrant) -> bool {
    g.client_id == new.client_id
        && g.resource_id == new.resource_id
        && g.consent_type == new.consent_type
        && g.principal_id == new.principal_id
}

/// Microsoft Learn: "oAuth2PermissionGrant resource type": Graph's grant id is base64url (no padding) of clientId ‖ resourceId (‖ principalId),
/// each GUID in .NET little-endian byte order — 43 or 64 characters.
fn grant_id(new: &NewDelegatedGrant) -> String {
    // On the stack: a grant id is made on every grant's path.
    let mut bytes = [0u8; 48];
    bytes[..16].copy_from_slice(&new.client_id.as_uuid().to_bytes_le());
    bytes[16..32].copy_from_slice(&new.resource_id.as_uuid().to_bytes_le());
    let len = match new.principal_id {
        Some(p) => {
            bytes[32..].copy_from_slice(&p.as_uuid().to_bytes_le());
            48
        }
        None => 32,
    };
    URL_SAFE_NO_PAD.encode(&bytes[..len])
}
