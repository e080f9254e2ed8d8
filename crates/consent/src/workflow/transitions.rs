//! The transitions. Each re-reads the tenant before it writes: a handle may be stale (persisted
//! yesterday, or another admin acted since), and the tenant is the truth.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::grant::{grant_from_snapshot, granted_scopes, GrantReport};
use super::observe::{classify_shared, observe_shared};
use super::states::*;
use super::{Consent, ConsentState};
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::justification::Justification;
use crate::policy::PolicyChange;
use crate::port::ConsentGraph;
use crate::request::{ConsentRequestSubmission, ConsentReview, ConsentType, ReviewDecision};
use crate::scope::ScopeSet;

fn stale(found: &ConsentState, action: &'static str, hint: &str) -> Error {
    Error::InvalidTransition {
        state: found.name().to_owned(),
        action,
        reason: hint.to_owned(),
    }
}

impl<S: State> Consent<S> {
    /// Reads the tenant again and returns the current state (the handle may be out of date).
    pub async fn refresh(self, graph: &dyn ConsentGraph) -> Result<ConsentState> {
        observe_shared(graph, &self.app).await
    }
}

impl Consent<RequestsDisabled> {
    /// Procedure 1: turn on "Users can request admin consent to apps they are unable to consent to",
    /// changing only what `change` asks (reviewers, duration, notifications), acting as `admin`.
    ///
    /// # Errors
    /// `InvalidTransition` when the tenant is no longer in `RequestsDisabled`; `InvalidInput` when the
    /// resulting policy has no reviewer or an out-of-range duration; `PermissionDenied` for a caller
    /// who may not write the policy (Cloud Application Administrator or higher is needed).
    pub async fn enable_requests(self, admin: &dyn ConsentGraph, change: PolicyChange) -> Result<Consent<RequestsEnabled>> {
        let current = observe_shared(admin, &self.app).await?;
        let ConsentState::RequestsDisabled(fresh) = current else {
            return Err(stale(
                &current,
                "enable requests",
                "the tenant is no longer in requests_disabled; observe again and act on the current state",
            ));
        };
        let policy = admin.get_request_policy().await?;
        let next = PolicyChange {
            enable: Some(true),
            ..change
        }
        .apply(&policy);
        next.validate()?;
        admin.put_request_policy(&next).await?;
        let d = fresh.details;
        Ok(Consent::new(
            fresh.app,
            admin.now(),
            RequestsEnabled {
                reasons: d.reasons,
                reviewers: next.reviewers,
                request_duration_in_days: next.request_duration_in_days,
                coverage: d.coverage,
            },
        ))
    }

    /// Grants tenant-wide consent directly, without waiting for a user request (an admin who
    /// pre-approves). Same recipe as [`Consent::<Pending>::approve`].
    pub async fn approve_without_request(self, admin: &dyn ConsentGraph) -> Result<Consent<Approved>> {
        approve_from(self.app, admin, |s| {
            matches!(s, ConsentState::RequestsDisabled(_) | ConsentState::RequestsEnabled(_))
        })
        .await
    }
}

impl Consent<RequestsEnabled> {
    /// Procedure 2: as `user`, answer the "Approval required" prompt with a justification and press
    /// "Request approval".
    ///
    /// # Errors
    /// `Unsupported` on Microsoft Graph (only the prompt creates requests: send the user to the
    /// authorize URL); `InvalidTransition` when the tenant refuses (workflow turned off meanwhile, or
    /// the user may consent alone).
    pub async fn request(self, user: &dyn ConsentGraph, justification: Justification) -> Result<Consent<Pending>> {
        submit(self.app, user, justification, self.details.coverage).await
    }

    /// Grants tenant-wide consent directly, without waiting for a user request.
    pub async fn approve_without_request(self, admin: &dyn ConsentGraph) -> Result<Consent<Approved>> {
        approve_from(self.app, admin, |s| {
            matches!(s, ConsentState::RequestsDisabled(_) | ConsentState::RequestsEnabled(_))
        })
        .await
    }
}

async fn submit(
    app: Arc<crate::app::AppRegistration>,
    user: &dyn ConsentGraph,
    justification: Justification,
    coverage: Coverage,
) -> Result<Consent<Pending>> {
    let submission = ConsentRequestSubmission {
        app_id: app.app_id,
        consent_type: ConsentType::Dynamic,
        scopes: app.delegated_scopes(),
        justification,
    };
    let request = user.submit_consent_request(&submission).await?;
    let requesters = request
        .user_consent_requests
        .iter()
        .map(|u| Requester {
            user_id: u.requester(),
            name: u.created_by.user.as_ref().and_then(|x| x.display_name.clone()),
            justification: u.reason.clone(),
            requested_at: u.created_date_time,
        })
        .collect();
    let details = Pending {
        request_id: request.id.clone(),
        scopes: request.pending_scope_set(),
        requesters,
        expires_at: None,
        coverage,
    };
    Ok(Consent::new(app, user.now(), details))
}

impl Consent<Pending> {
    /// Procedure 3: approve for the whole organisation, acting as `admin` — what "Review permissions
    /// and consent" → Accept does: the idempotent tenant-wide grant.
    ///
    /// Idempotent: if the tenant is already approved (another admin, a retry) this only reads.
    ///
    /// # Errors
    /// `InvalidTransition` when the request was denied, expired or the app blocked since this handle
    /// was read; `PermissionDenied` when `admin`'s role cannot grant it.
    pub async fn approve(self, admin: &dyn ConsentGraph) -> Result<Consent<Approved>> {
        approve_from(self.app, admin, |s| matches!(s, ConsentState::Pending(_))).await
    }

    /// Deny the request with a justification, acting as a reviewer. Users may ask again.
    pub async fn deny(self, reviewer: &dyn ConsentGraph, justification: Justification) -> Result<Consent<Denied>> {
        let id = self.details.request_id.clone();
        reviewer
            .review_consent_request(&ConsentReview {
                app_request_id: id.clone(),
                decision: ReviewDecision::Deny(justification.clone()),
            })
            .await?;
        let details = Denied {
            request_id: id,
            justification: Some(justification.to_string().into()),
            reviewed_by: None,
            can_request_again: true,
            coverage: self.details.coverage,
        };
        Ok(Consent::new(self.app, reviewer.now(), details))
    }

    /// Block the app, acting as a reviewer: the request closes, the app's service principal is
    /// disabled and further requests are refused.
    pub async fn block(self, reviewer: &dyn ConsentGraph, justification: Justification) -> Result<Consent<Blocked>> {
        let id = self.details.request_id.clone();
        reviewer
            .review_consent_request(&ConsentReview {
                app_request_id: id,
                decision: ReviewDecision::Block(justification),
            })
            .await?;
        let sp = reviewer
            .get_service_principal(&self.app.app_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("the blocked app's service principal ({})", self.app.app_id)))?;
        Ok(Consent::new(
            self.app,
            reviewer.now(),
            Blocked {
                service_principal_id: sp.id,
            },
        ))
    }
}

impl Consent<Denied> {
    /// File a new request after a denial (allowed while requests are enabled).
    pub async fn request_again(self, user: &dyn ConsentGraph, justification: Justification) -> Result<Consent<Pending>> {
        submit(self.app, user, justification, self.details.coverage).await
    }
}

impl Consent<Expired> {
    /// File a new request after the previous one expired.
    pub async fn request_again(self, user: &dyn ConsentGraph, justification: Justification) -> Result<Consent<Pending>> {
        submit(self.app, user, justification, self.details.coverage).await
    }
}

async fn approve_from(
    app: Arc<crate::app::AppRegistration>,
    admin: &dyn ConsentGraph,
    allowed: impl Fn(&ConsentState) -> bool,
) -> Result<Consent<Approved>> {
    let resources: Vec<AppId> = app.resources.iter().map(|r| r.resource_app_id).collect();
    let snap = admin.snapshot(&app.app_id, &resources).await?;
    let current = classify_shared(&app, &snap, admin.now())?;
    if let ConsentState::Approved(done) = current {
        return Ok(done);
    }
    if !allowed(&current) {
        return Err(stale(
            &current,
            "approve",
            "the tenant changed since this handle was read (denied, expired, blocked or approved elsewhere); observe again",
        ));
    }
    let report = grant_from_snapshot(admin, &app, &snap).await?;
    tracing::info!(app_id = %app.app_id, ?report, "tenant-wide consent granted");
    let mut coverage = current.coverage();
    coverage.granted = coverage.granted.union(&coverage.missing)?;
    coverage.missing = ScopeSet::new();
    coverage.missing_app_roles.clear();
    let sp = report
        .service_principal_id
        .ok_or_else(|| Error::not_found("the app's service principal after granting"))?;
    Ok(Consent::new(
        app,
        admin.now(),
        Approved {
            service_principal_id: sp,
            coverage,
        },
    ))
}

/// The completion check: can every employee now link without an admin?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    /// True when tenant-wide grants cover every required scope and the app is enabled.
    pub all_users_can_link: bool,
    /// Scopes covered tenant-wide.
    pub granted: ScopeSet,
    /// Required scopes still missing (scope drift when non-empty).
    pub missing: ScopeSet,
}

impl Consent<Approved> {
    /// Re-reads the grants and checks that they still cover every required scope (another admin may
    /// have revoked them, or the app may now require more).
    pub async fn verify(&self, graph: &dyn ConsentGraph) -> Result<Completion> {
        let resources: Vec<AppId> = self.app.resources.iter().map(|r| r.resource_app_id).collect();
        let snap = graph.snapshot(&self.app.app_id, &resources).await?;
        let granted = granted_scopes(&self.app, &snap)?;
        let missing = self.app.delegated_scopes().difference(&granted);
        let enabled = snap.client.as_ref().is_some_and(|c| c.account_enabled);
        let state = classify_shared(&self.app, &snap, graph.now())?;
        Ok(Completion {
            all_users_can_link: enabled && missing.is_empty() && matches!(state, ConsentState::Approved(_)),
            granted,
            missing,
        })
    }

    /// Runs the grant recipe again, e.g. to repair a scope another admin revoked. On an intact
    /// approval it only reads, and the report says nothing changed ([`GrantReport::is_noop`]).
    pub async fn reapply(&self, admin: &dyn ConsentGraph) -> Result<GrantReport> {
        super::grant::grant_tenant_wide(admin, &self.app).await
    }
}
