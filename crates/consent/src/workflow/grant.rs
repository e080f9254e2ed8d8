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
use crate::directory::{AppRoleAssignment, DelegatedGrant, GrantConsentType, NewAppRoleAssignment, NewDelegatedGrant, ServicePrincipal};
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
    // (Borrowed slices, not a copy of the snapshot: this is on every approval's path.)
    let (known_grants, known_assignments): (&[DelegatedGrant], &[AppRoleAssignment]) = if created {
        (&[], &[])
    } else {
        (&snap.grants, &snap.app_role_assignments)
    };
    for r in &app.resources {
        let resource = resource_sp(snap, r)?;
        if !r.scopes.is_empty() {
            match ensure_grant(admin, &client, resource, &r.scopes, known_grants).await? {
                GrantChange::Created => report.grants_created += 1,
                GrantChange::Updated => report.grants_updated += 1,
                GrantChange::Unchanged => {}
            }
        }
        report
            .app_roles_assigned
            .extend(ensure_app_roles(admin, &client, resource, r, known_assignments).await?);
    }
    Ok(report)
}

/// Creates that may be retried when a read-back shows the first did not land (a timeout before the
/// service acted). A conflict or a visible object ends the loop earlier.
const CREATE_ATTEMPTS: u32 = 2;

async fn ensure_service_principal(
    g: &dyn ConsentGraph,
    app_id: &AppId,
    known: Option<ServicePrincipal>,
) -> Result<(ServicePrincipal, bool)> {
    if let Some(sp) = known {
        return Ok((sp, false));
    }
    // Someone else created it, or ours may have landed (a lost answer, a 503 after the write).
    match create_or_find(g, || g.create_service_principal(app_id), || g.get_service_principal(app_id)).await? {
        Created::New(sp) => Ok((sp, true)),
        Created::Found(sp, e) => Ok((sp, !matches!(e, Error::Conflict { .. }))),
    }
}

/// What [`create_or_find`] came to.
enum Created<C, F> {
    /// The create succeeded.
    New(C),
    /// The create failed with this error, and a read-back found the object.
    Found(F, Error),
}

/// Sends `create`; when it fails with an error after which the object may exist anyway
/// ([`may_have_landed`]: someone else created it, or ours landed and its answer was lost), reads back
/// with `find`, and sends it again while nothing is found, [`CREATE_ATTEMPTS`] times in all.
async fn create_or_find<C, F, CFut, FFut>(g: &dyn ConsentGraph, create: impl Fn() -> CFut, find: impl Fn() -> FFut) -> Result<Created<C, F>>
where
    CFut: std::future::Future<Output = Result<C>>,
    FFut: std::future::Future<Output = Result<Option<F>>>,
{
    let mut attempt = 1;
    loop {
        match create().await {
            Ok(c) => return Ok(Created::New(c)),
            Err(e) if may_have_landed(&e) => {
                if let Some(found) = read_back(g, &find).await? {
                    return Ok(Created::Found(found, e));
                }
                if attempt >= CREATE_ATTEMPTS {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
        attempt += 1;
    }
}

/// True when a write that failed with `e` may have been applied, or was refused only for now: the
/// workflow reads back before deciding (and may send it again), instead of failing.
fn may_have_landed(e: &Error) -> bool {
    matches!(e, Error::Conflict { .. }) || e.is_retryable()
}

/// Reads until `read` finds the object, at most [`READS_PER_ROUND`] times with a pause between: just
/// after a write, a lagging replica may not show it yet (a create can read as 404 for a moment).
async fn read_back<T, F, Fut>(g: &dyn ConsentGraph, read: F) -> Result<Option<T>>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>>>,
{
    for round in 1..=READS_PER_ROUND {
        if let Some(found) = read().await? {
            return Ok(Some(found));
        }
        if round < READS_PER_ROUND {
            g.pause_before_retry(round).await;
        }
    }
    Ok(None)
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
    known: &[DelegatedGrant],
) -> Result<GrantChange> {
    if let Some(existing) = all_principals(known, &client.id, &resource.id) {
        return widen(g, existing, wanted, &client.id, &resource.id).await;
    }
    let new = NewDelegatedGrant {
        client_id: client.id,
        consent_type: GrantConsentType::AllPrincipals,
        principal_id: None,
        resource_id: resource.id,
        scope: wanted.clone(),
    };
    let find = || async {
        let grants = g.list_delegated_grants(&client.id).await?;
        Ok(all_principals(&grants, &client.id, &resource.id).cloned())
    };
    match create_or_find(g, || g.create_delegated_grant(&new), find).await? {
        Created::New(_) => Ok(GrantChange::Created),
        // Converge: the grant exists (a concurrent approver, or our own create that landed). Merge into it.
        Created::Found(existing, e) => widen(g, &existing, wanted, &client.id, &resource.id).await.map(|c| match c {
            GrantChange::Unchanged if !matches!(e, Error::Conflict { .. }) => GrantChange::Created,
            other => other,
        }),
    }
}

/// Rounds of "PATCH the union, read back" before [`widen`] gives up with `Conflict`. Each round either
/// sticks or met a concurrent writer (or a replica that had not caught up); eight approvers racing in
/// lockstep need up to eight rounds.
const WIDEN_ROUNDS: u32 = 12;

/// Reads after one PATCH before writing again: a lagging replica may serve the old scope for a few
/// reads, and writing again at once would only restart its lag.
const READS_PER_ROUND: u32 = 3;

/// Merges `wanted` into the grant until a read shows every wanted scope there.
///
/// PATCH replaces the scope and Graph offers no ETag on grants, so two approvers that read the same
/// scope and each PATCH their own union lose one of them. The grant is read again right before the
/// first PATCH; the read-back after it catches a lost union, and widening again (after a jittered
/// pause) converges. Success is only reported when a read shows the union and [`CONFIRMATIONS`] more
/// reads, each after a pause, still do, so a writer that read before our PATCH and lands after it is
/// caught too (within that window: without a conditional write nothing can promise more).
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
    // `existing` may come from a snapshot read a while ago; a PATCH built on it would drop whatever
    // another approver added since. Read again right before writing.
    let mut seen = read_grant(g, client, resource, existing).await?;
    if wanted.is_subset(&seen.scope) {
        return Ok(GrantChange::Unchanged);
    }
    let mut pauses = 0;
    for round in 1..=WIDEN_ROUNDS {
        let union = seen.scope.union(wanted)?;
        match g.update_delegated_grant(&seen.id, &union).await {
            // A lost answer, a 503 after the write, a concurrency violation, throttling: the PATCH
            // may or may not have landed; the read-back below decides, and the next round retries.
            Err(e) if !may_have_landed(&e) => return Err(e),
            _ => {}
        }
        for _ in 0..READS_PER_ROUND {
            seen = read_grant(g, client, resource, &seen).await?;
            if wanted.is_subset(&seen.scope) {
                match confirm(g, client, resource, wanted, &mut seen, &mut pauses).await? {
                    true => return Ok(GrantChange::Updated),
                    false => break,
                }
            }
            pauses += 1;
            g.pause_before_retry(pauses).await;
        }
        tracing::debug!(
            round,
            missing = %wanted.difference(&seen.scope),
            "the grant's scope did not keep the union (a concurrent writer or a lagging replica); widening again"
        );
    }
    Err(Error::conflict(
        format!(
            "the delegated grant of client {client} on resource {resource} still lacks {} after {WIDEN_ROUNDS} rounds of writing and reading back (other writers keep replacing its scope); nothing was reported approved, so run approve again",
            wanted.difference(&seen.scope)
        ),
        // Retryable: the writes collided with others, nothing is wrong with the request itself.
        Some(Error::CONCURRENCY_VIOLATION.to_owned()),
    ))
}

/// Reads that must still show every wanted scope, each after a pause, before a widened grant counts
/// as approved: a concurrent approver that read before our PATCH may land its own after it.
const CONFIRMATIONS: u32 = 2;

/// True when [`CONFIRMATIONS`] reads, each after a pause, still show every wanted scope.
async fn confirm(
    g: &dyn ConsentGraph,
    client: &ObjectId,
    resource: &ObjectId,
    wanted: &ScopeSet,
    seen: &mut DelegatedGrant,
    pauses: &mut u32,
) -> Result<bool> {
    for _ in 0..CONFIRMATIONS {
        *pauses += 1;
        g.pause_before_retry(*pauses).await;
        *seen = read_grant(g, client, resource, seen).await?;
        if !wanted.is_subset(&seen.scope) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The current `AllPrincipals` grant of (client, resource). A read that does not show it (a lagging
/// replica just after the create) keeps the last grant seen, so the caller writes to it again.
async fn read_grant(g: &dyn ConsentGraph, client: &ObjectId, resource: &ObjectId, last: &DelegatedGrant) -> Result<DelegatedGrant> {
    let grants = g.list_delegated_grants(client).await?;
    Ok(all_principals(&grants, client, resource).cloned().unwrap_or_else(|| last.clone()))
}

async fn ensure_app_roles(
    g: &dyn ConsentGraph,
    client: &ServicePrincipal,
    resource: &ServicePrincipal,
    r: &ResourceAccess,
    known: &[AppRoleAssignment],
) -> Result<Vec<Scope>> {
    let mut assigned = Vec::new();
    for value in &r.app_roles {
        let role = required_role(resource, r, value)?;
        let held = known
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
        if assign_role(g, &new).await? {
            assigned.push(value.clone());
        }
    }
    Ok(assigned)
}

/// Assigns one app role; true when this run assigned it (false when it was already held).
async fn assign_role(g: &dyn ConsentGraph, new: &NewAppRoleAssignment) -> Result<bool> {
    let create = || async {
        match g.create_app_role_assignment(new).await {
            Ok(_) => Ok(true),
            // Already held: Graph refuses the duplicate. Only a concurrency violation may have missed.
            Err(Error::Conflict { code, .. }) if code.as_deref() != Some(Error::CONCURRENCY_VIOLATION) => Ok(false),
            Err(e) => Err(e),
        }
    };
    let find = || async {
        let now = g.list_app_role_assignments(&new.principal_id).await?;
        Ok(now
            .iter()
            .any(|a| a.resource_id == new.resource_id && a.app_role_id == new.app_role_id)
            .then_some(()))
    };
    Ok(match create_or_find(g, create, find).await? {
        Created::New(assigned) => assigned,
        Created::Found((), _) => true,
    })
}

/// Scopes granted tenant-wide to the app on each of its resources, for verification.
pub(crate) fn granted_scopes(app: &AppRegistration, snap: &TenantSnapshot) -> Result<ScopeSet> {
    let mut all = ScopeSet::new();
    for r in &app.resources {
        all = all.union(&granted_on(snap, resource_sp(snap, r)?))?;
    }
    Ok(all)
}
