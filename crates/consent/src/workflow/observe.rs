//! Reading the tenant into a [`ConsentState`].

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::states::*;
use super::{Consent, ConsentState};
use crate::app::{AppRegistration, ResourceAccess};
use crate::decision::{decide_user_consent, AdminReason, ConsentContext, UserConsentDecision};
use crate::directory::{GrantConsentType, ServicePrincipal};
use crate::error::{Error, Result};
use crate::port::{ConsentGraph, TenantSnapshot};
use crate::request::{AppConsentRequest, RequestOutcome, UserConsentRequest};
use crate::scope::ScopeSet;

/// Reads the tenant (one [`ConsentGraph::snapshot_for`]) and classifies the app's consent state.
///
/// # Errors
/// - `InvalidInput` when the app requires nothing, or requires scopes or app roles its resource does
///   not offer (users would see AADSTS650053).
/// - `NotFound` when a resource API the app needs has no service principal in the tenant.
/// - Whatever the backend returns for the reads (e.g. `PermissionDenied` for a caller who may not read
///   the consent request policy).
pub async fn observe(graph: &dyn ConsentGraph, app: &AppRegistration) -> Result<ConsentState> {
    observe_shared(graph, &Arc::new(app.clone())).await
}

/// [`observe`] for a transition, whose handle already holds the app: the new handle shares it
/// instead of copying the registration again.
pub(crate) async fn observe_shared(graph: &dyn ConsentGraph, app: &Arc<AppRegistration>) -> Result<ConsentState> {
    app.validate()?;
    let snapshot = graph.snapshot_for(app).await?;
    classify_shared(app, &snapshot, graph.now())
}

/// True when `snap` shows `app` approved: its service principal exists and is enabled, and
/// tenant-wide grants cover every scope and app role it needs. [`observe`] then answers
/// [`ConsentState::Approved`] whatever the app's consent requests say, so a backend may skip
/// reading their user requests ([`ConsentGraph::snapshot_for`]).
pub fn is_approved(app: &AppRegistration, snap: &TenantSnapshot) -> bool {
    snap.client.as_ref().is_some_and(|sp| sp.account_enabled) && coverage(app, snap).is_ok_and(|(c, _)| c.is_complete())
}

/// Classifies a snapshot. Pure, so the rules are testable without a tenant.
#[cfg(test)]
pub(crate) fn classify(app: &AppRegistration, snap: &TenantSnapshot, now: DateTime<Utc>) -> Result<ConsentState> {
    classify_shared(&Arc::new(app.clone()), snap, now)
}

/// [`classify`] with the app shared into whichever handle it returns.
pub(crate) fn classify_shared(app: &Arc<AppRegistration>, snap: &TenantSnapshot, now: DateTime<Utc>) -> Result<ConsentState> {
    if let Some(sp) = snap.client.as_ref().filter(|sp| !sp.account_enabled) {
        return Ok(ConsentState::Blocked(Consent::new(
            Arc::clone(app),
            now,
            Blocked {
                service_principal_id: sp.id,
            },
        )));
    }
    let (coverage, granted) = coverage(app, snap)?;
    if let (true, Some(sp)) = (coverage.is_complete(), &snap.client) {
        return Ok(ConsentState::Approved(Consent::new(
            Arc::clone(app),
            now,
            Approved {
                service_principal_id: sp.id,
                coverage,
            },
        )));
    }
    let reasons = admin_reasons(app, snap, &coverage, &granted)?;
    let setting = snap.authorization_policy.user_consent();
    if reasons.is_empty() {
        return Ok(ConsentState::UserConsentAllowed(Consent::new(
            Arc::clone(app),
            now,
            UserConsentAllowed { setting, coverage },
        )));
    }
    if let Some(state) = from_requests(app, snap, &coverage, now) {
        return Ok(state);
    }
    let policy = &snap.request_policy;
    Ok(if policy.is_enabled {
        ConsentState::RequestsEnabled(Consent::new(
            Arc::clone(app),
            now,
            RequestsEnabled {
                reasons,
                reviewers: policy.reviewers.clone(),
                request_duration_in_days: policy.request_duration_in_days,
                coverage,
            },
        ))
    } else {
        ConsentState::RequestsDisabled(Consent::new(
            Arc::clone(app),
            now,
            RequestsDisabled {
                reasons,
                setting,
                coverage,
            },
        ))
    })
}

pub(crate) fn resource_sp<'a>(snap: &'a TenantSnapshot, r: &ResourceAccess) -> Result<&'a ServicePrincipal> {
    snap.resources.iter().find(|sp| sp.app_id == r.resource_app_id).ok_or_else(|| {
        Error::not_found(format!(
            "the service principal of resource API {} (the tenant has not provisioned it; users would see AADSTS650052/500011)",
            r.resource_app_id
        ))
    })
}

/// The app role `value` the app requires on resource `sp`.
pub(crate) fn required_role<'a>(
    sp: &'a ServicePrincipal,
    r: &ResourceAccess,
    value: &crate::scope::Scope,
) -> Result<&'a crate::directory::AppRole> {
    sp.app_role(value).ok_or_else(|| {
        Error::invalid(
            "app",
            format!(
                "requires application permission {value}, which {} does not offer",
                r.resource_app_id
            ),
        )
    })
}

/// Scopes granted tenant-wide on one resource.
pub(crate) fn granted_on(snap: &TenantSnapshot, resource: &ServicePrincipal) -> ScopeSet {
    let mut grants = snap
        .grants
        .iter()
        .filter(|g| g.consent_type == GrantConsentType::AllPrincipals && g.resource_id == resource.id);
    match (grants.next(), grants.clone().next()) {
        (None, _) => ScopeSet::new(),
        // Graph keeps one tenant-wide grant per client and resource: its set is the answer as it
        // is (already deduplicated and within the limit), without rebuilding it scope by scope.
        (Some(only), None) => only.scope.clone(),
        (Some(first), Some(_)) => {
            let scopes = first.scope.iter().chain(grants.flat_map(|g| g.scope.iter())).cloned();
            ScopeSet::from_scopes(scopes).unwrap_or_default()
        }
    }
}

/// The coverage, and what is granted tenant-wide on each of the app's resources (in `app.resources`
/// order, with its service principal), which [`admin_reasons`] needs again.
fn coverage<'a>(app: &AppRegistration, snap: &'a TenantSnapshot) -> Result<(Coverage, Vec<(&'a ServicePrincipal, ScopeSet)>)> {
    let mut c = Coverage::default();
    let mut per_resource = Vec::with_capacity(app.resources.len());
    for r in &app.resources {
        let sp = resource_sp(snap, r)?;
        let granted = granted_on(snap, sp);
        let missing = r.scopes.difference(&granted);
        // The first resource's sets are the union so far (sets are always deduplicated and within
        // the length limit): take them as they are instead of copying them into empty ones.
        c.missing = if c.missing.is_empty() {
            missing
        } else {
            c.missing.union(&missing)?
        };
        c.granted = if c.granted.is_empty() {
            granted.clone()
        } else {
            c.granted.union(&granted)?
        };
        per_resource.push((sp, granted));
        for value in &r.app_roles {
            let role = required_role(sp, r, value)?;
            let assigned = snap
                .app_role_assignments
                .iter()
                .any(|a| a.resource_id == sp.id && a.app_role_id == role.id);
            if !assigned {
                c.missing_app_roles.push(value.clone());
            }
        }
    }
    Ok((c, per_resource))
}

fn admin_reasons(
    app: &AppRegistration,
    snap: &TenantSnapshot,
    coverage: &Coverage,
    granted: &[(&ServicePrincipal, ScopeSet)],
) -> Result<Vec<AdminReason>> {
    let setting = snap.authorization_policy.user_consent();
    let mut reasons: Vec<AdminReason> = coverage
        .missing_app_roles
        .iter()
        .cloned()
        .map(AdminReason::ApplicationPermission)
        .collect();
    for (r, (sp, granted)) in app.resources.iter().zip(granted) {
        let ctx = ConsentContext {
            setting: &setting,
            workflow_enabled: snap.request_policy.is_enabled,
            client: snap.client.as_ref(),
            publisher_verified: snap.client.as_ref().is_some_and(ServicePrincipal::is_publisher_verified),
            resource: sp,
            already_granted: granted,
        };
        match decide_user_consent(&ctx, &r.scopes) {
            UserConsentDecision::AlreadyGranted | UserConsentDecision::UserMayConsent => {}
            // The first reasons as they are, instead of copied into an empty list.
            UserConsentDecision::AdminApprovalRequired { reasons: more, .. } if reasons.is_empty() => reasons = more,
            UserConsentDecision::AdminApprovalRequired { reasons: more, .. } => reasons.extend(more),
            UserConsentDecision::AppBlocked => {}
            UserConsentDecision::UnknownScopes { scopes } => {
                return Err(Error::invalid(
                    "app",
                    format!(
                        "requires {scopes}, which {} does not offer (users would see AADSTS650053); fix the app registration",
                        r.resource_app_id
                    ),
                ))
            }
        }
    }
    Ok(reasons)
}

/// Pending, Denied or Expired, from the app's requests; `None` when no request tells.
fn from_requests(app: &Arc<AppRegistration>, snap: &TenantSnapshot, coverage: &Coverage, now: DateTime<Utc>) -> Option<ConsentState> {
    let requests = snap.requests.iter().filter(|r| r.app_id == app.app_id);
    let mut all: Vec<(&AppConsentRequest, &UserConsentRequest)> =
        requests.flat_map(|a| a.user_consent_requests.iter().map(move |u| (a, u))).collect();
    all.sort_by_key(|(_, u)| u.created_date_time);
    let open: Vec<_> = all.iter().filter(|(_, u)| u.outcome() == RequestOutcome::Pending).collect();
    if let Some((app_request, _)) = open.first() {
        return Some(ConsentState::Pending(Consent::new(
            Arc::clone(app),
            now,
            pending(app_request, &open, snap, coverage),
        )));
    }
    let (app_request, latest) = all.last()?;
    let can_request_again = snap.request_policy.is_enabled;
    match latest.outcome() {
        RequestOutcome::Denied => {
            let stage = latest.approval.as_ref().and_then(|a| a.stages.first());
            Some(ConsentState::Denied(Consent::new(
                Arc::clone(app),
                now,
                Denied {
                    request_id: app_request.id.clone(),
                    justification: stage.and_then(|s| s.justification.clone()),
                    reviewed_by: stage
                        .and_then(|s| s.reviewed_by.as_ref())
                        .and_then(|u| u.display_name.clone().or(Some(u.id.clone()))),
                    can_request_again,
                    coverage: coverage.clone(),
                },
            )))
        }
        RequestOutcome::Expired => Some(ConsentState::Expired(Consent::new(
            Arc::clone(app),
            now,
            Expired {
                request_id: app_request.id.clone(),
                can_request_again,
                coverage: coverage.clone(),
            },
        ))),
        // An approved request that no longer covers what the app needs is scope drift: a new request.
        RequestOutcome::Approved | RequestOutcome::Pending => None,
    }
}

fn pending(
    app_request: &AppConsentRequest,
    open: &[&(&AppConsentRequest, &UserConsentRequest)],
    snap: &TenantSnapshot,
    coverage: &Coverage,
) -> Pending {
    let requesters = open
        .iter()
        .map(|(_, u)| Requester {
            user_id: u.requester(),
            name: u
                .created_by
                .user
                .as_ref()
                .and_then(|x| x.display_name.clone().or(x.user_principal_name.clone())),
            justification: u.reason.clone(),
            requested_at: u.created_date_time,
        })
        .collect::<Vec<_>>();
    let duration = i64::from(snap.request_policy.request_duration_in_days);
    let expires_at = requesters
        .first()
        .filter(|_| duration > 0)
        .map(|r| r.requested_at + chrono::Duration::days(duration));
    Pending {
        request_id: app_request.id.clone(),
        scopes: app_request.pending_scope_set(),
        requesters,
        expires_at,
        coverage: coverage.clone(),
    }
}
