//! The tenant-wide grant behind "approve": idempotent and convergent.
//!
//! What the admin center's Accept does (Microsoft Learn: "Grant tenant-wide admin consent to an application"): ensure the client's service principal,
//! merge the delegated scopes into the one `AllPrincipals` grant per (client, resource), assign the
//! app roles. Run it twice, concurrently, or after a lost response, and the tenant ends with exactly
//! one grant per (client, resource) whose scope is the union: creates that collide (`Conflict`) or
//! lose their response (`Timeout`) read back and converge instead of failing.

use serde::{Deserialize, Serialize};

use super::observe::{granted_on, required_role, resource_sp};
use crate::app::{AppRegistration, ResourceAccess};
use crate::directory::{DelegatedGrant, GrantConsentType, NewAppRoleAssignment, NewDelegatedGrant, ServicePrincipal};
use crate::error::{Error, Result};
use crate::ids::{AppId, ObjectId};
use crate::port::{ConsentGraph, TenantSnapshot};
use crate::scope::{Scope, ScopeSet};

/// What [`grant_tenant_wide`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantReport {
    /// The client's service principal.
    pub service_principal_id: Option<ObjectId>,
    /// True when this run created it.
    pub created_service_principal: bool,
    /// Grants created.
    pub grants_created: usize,
    /// Grants whose scope was widened.
    pub grants_updated: usize,
    /// App roles newly assigned.
    pub app_roles_assigned: Vec<Scope>,
}

impl GrantReport {
    /// True when the run wrote nothing (everything was already granted).
    pub fn is_noop(&self) -> bool {
        !self.created_service_principal && self.grants_created == 0 && self.grants_updated == 0 && self.app_roles_assigned.is_empty()
    }
}

/// Grants the app's required permissions tenant-wide, acting as `admin`.
///
/// Reads the tenant once ([`ConsentGraph::snapshot`]) and writes only what is missing, so an app that
/// is already approved costs one read.
///
/// # Errors
/// `PermissionDenied` when `admin` lacks the role (Microsoft Graph app roles need Privileged Role
/// Administrator or Global Administrator), `NotFound` for a resource the tenant lacks, and backend errors.
pub async fn grant_tenant_wide(admin: &dyn ConsentGraph, app: &AppRegistration) -> Result<GrantReport> {
    app.validate()?;
    let resources: Vec<AppId> = app.resources.iter().map(|r| r.resource_app_id).collect();
    let snapshot = admin.snapshot(&app.app_id, &resources).await?;
    grant_from_snapshot(admin, app, &snapshot).await
}

pub(crate) async fn grant_from_snapshot(admin: &dyn ConsentGraph, app: &AppRegistration, snap: &TenantSnapshot) -> Result<GrantReport> {
    let mut report = GrantReport::default();
    let (client, created) = ensure_service_principal(admin, &app.app_id, snap.client.clone()).await?;
    report.service_principal_id = Some(client.id);
    report.created_service_principal = created;
    // A service principal this run created has no grants or assignments yet: skip reading them back.
    let empty = TenantSnapshot {
        grants: Vec::new(),
        app_role_assignments: Vec::new(),
        ..snap.clone()
    };
    let known = if created { &empty } else { snap };
    for r in &app.resources {
        let resource = resource_sp(snap, r)?;
        if !r.scopes.is_empty() {
            match ensure_grant(admin, &client, resource, &r.scopes, known).await? {
                GrantChange::Created => report.grants_created += 1,
                GrantChange::Updated => report.grants_updated += 1,
                GrantChange::Unchanged => {}
            }
        }
        report
            .app_roles_assigned
            .extend(ensure_app_roles(admin, &client, resource, r, known).await?);
    }
    Ok(report)
}

async fn ensure_service_principal(
    g: &dyn ConsentGraph,
    app_id: &AppId,
    known: Option<ServicePrincipal>,
) -> Result<(ServicePrincipal, bool)> {
    if let Some(sp) = known {
        return Ok((sp, false));
    }
    match g.create_service_principal(app_id).await {
        Ok(sp) => Ok((sp, true)),
        // Someone else created it, or our create landed but its answer was lost: read it back.
        Err(e @ (Error::Conflict { .. } | Error::Timeout { .. })) => match g.get_service_principal(app_id).await? {
            Some(sp) => Ok((sp, matches!(e, Error::Timeout { .. }))),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

enum GrantChange {
    Created,
    Updated,
    Unchanged,
}

fn all_principals<'a>(grants: &'a [DelegatedGrant], client: &ObjectId, resource: &ObjectId) -> Option<&'a DelegatedGrant> {
    grants
        .iter()
        .find(|g| g.consent_type == GrantConsentType::AllPrincipals && g.client_id == *client && g.resource_id == *resource)
}

async fn ensure_grant(
    g: &dyn ConsentGraph,
    client: &ServicePrincipal,
    resource: &ServicePrincipal,
    wanted: &ScopeSet,
    known: &TenantSnapshot,
) -> Result<GrantChange> {
    if let Some(existing) = all_principals(&known.grants, &client.id, &resource.id) {
        return widen(g, existing, wanted, &client.id, &resource.id).await;
    }
    let new = NewDelegatedGrant {
        client_id: client.id,
        consent_type: GrantConsentType::AllPrincipals,
        principal_id: None,
        resource_id: resource.id,
        scope: wanted.clone(),
    };
    match g.create_delegated_grant(&new).await {
        Ok(_) => Ok(GrantChange::Created),
        Err(e @ (Error::Conflict { .. } | Error::Timeout { .. })) => {
            // Converge: the grant exists (a concurrent approver, or our own lost create). Merge into it.
            let grants = g.list_delegated_grants(&client.id).await?;
            match all_principals(&grants, &client.id, &resource.id) {
                Some(existing) => widen(g, existing, wanted, &client.id, &resource.id).await.map(|c| match c {
                    GrantChange::Unchanged if matches!(e, Error::Timeout { .. }) => GrantChange::Created,
                    other => other,
                }),
                None => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

async fn widen(
    g: &dyn ConsentGraph,
    existing: &DelegatedGrant,
    wanted: &ScopeSet,
    client: &ObjectId,
    resource: &ObjectId,
) -> Result<GrantChange> {
    if wanted.is_subset(&existing.scope) {
        return Ok(GrantChange::Unchanged);
    }
    let union = existing.scope.union(wanted)?;
    match g.update_delegated_grant(&existing.id, &union).await {
        Ok(()) => Ok(GrantChange::Updated),
        Err(e @ Error::Timeout { .. }) => {
            // PATCH is idempotent, but check rather than assume it landed.
            let grants = g.list_delegated_grants(client).await?;
            match all_principals(&grants, client, resource) {
                Some(now) if wanted.is_subset(&now.scope) => Ok(GrantChange::Updated),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

async fn ensure_app_roles(
    g: &dyn ConsentGraph,
    client: &ServicePrincipal,
    resource: &ServicePrincipal,
    r: &ResourceAccess,
    known: &TenantSnapshot,
) -> Result<Vec<Scope>> {
    let mut assigned = Vec::new();
    for value in &r.app_roles {
        let role = required_role(resource, r, value)?;
        let held = known
            .app_role_assignments
            .iter()
            .any(|a| a.principal_id == client.id && a.resource_id == resource.id && a.app_role_id == role.id);
        if held {
            continue;
        }
        let new = NewAppRoleAssignment {
            principal_id: client.id,
            resource_id: resource.id,
            app_role_id: role.id,
        };
        match g.create_app_role_assignment(&new).await {
            Ok(_) => assigned.push(value.clone()),
            Err(Error::Conflict { .. }) => {}
            Err(e @ Error::Timeout { .. }) => {
                let now = g.list_app_role_assignments(&client.id).await?;
                if !now.iter().any(|a| a.resource_id == resource.id && a.app_role_id == role.id) {
                    return Err(e);
                }
                assigned.push(value.clone());
            }
            Err(e) => return Err(e),
        }
    }
    Ok(assigned)
}

/// Scopes granted tenant-wide to the app on each of its resources, for verification.
pub(crate) fn granted_scopes(app: &AppRegistration, snap: &TenantSnapshot) -> Result<ScopeSet> {
    let mut all = ScopeSet::new();
    for r in &app.resources {
        all = all.union(&granted_on(snap, resource_sp(snap, r)?))?;
    }
    Ok(all)
}
