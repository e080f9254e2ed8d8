//! What readers and reviewers see of consent requests: Graph-shaped `appConsentRequest` and
//! `userConsentRequest` objects, filtered by who is asking (Microsoft Learn: "appConsentRequest resource type"; "approvalStage resource type"; otherwise our choice `[I]`).

use consent::{
    AppConsentRequest, Approval, ApprovalStage, Error, IdentitySet, ObjectId, PendingScope, RequestFilter, Result, UserConsentRequest,
    UserRequestStatus,
};

use crate::principal::{Principal, READ_REQUESTS};
use crate::requests::{AppRequestRecord, UserRequestRecord};
use crate::roles::DirectoryRole;
use crate::state::TenantState;

/// Roles that see every request (Microsoft Learn: "appConsentRequest resource type": Global Reader, Cloud Application Administrator,
/// Application Administrator, Global Administrator).
const SEE_ALL: &[DirectoryRole] = &[
    DirectoryRole::GlobalReader,
    DirectoryRole::CloudApplicationAdministrator,
    DirectoryRole::ApplicationAdministrator,
    DirectoryRole::GlobalAdministrator,
];

/// Who is looking at requests: everything (reader roles, app-only) or only what they review.
#[derive(Debug, Clone, Copy)]
struct Viewer {
    sees_all: bool,
    user: Option<ObjectId>,
}

impl Viewer {
    fn sees(&self, r: &UserRequestRecord) -> bool {
        self.sees_all || self.user.is_some_and(|u| r.reviewers.contains(&u))
    }
}

impl UserRequestRecord {
    /// The Graph shape, with `assignedToMe` computed for `viewer` (Microsoft Learn: "userConsentRequest resource type"; "approvalStage resource type").
    pub(crate) fn view(&self, viewer: Option<ObjectId>) -> UserConsentRequest {
        let stage = ApprovalStage {
            id: self.stage.id.clone(),
            assigned_to_me: Some(viewer.is_some_and(|v| self.reviewers.contains(&v))),
            justification: self.stage.justification.clone(),
            review_result: Some(self.stage.review_result),
            reviewed_by: self.stage.reviewed_by.clone(),
            reviewed_date_time: self.stage.reviewed,
            status: self.stage.status,
        };
        UserConsentRequest {
            id: self.id.clone(),
            approval_id: Some(self.id.clone()),
            status: self.status,
            reason: Some(self.reason.clone()),
            created_by: IdentitySet {
                user: Some(self.created_by.clone()),
            },
            created_date_time: self.created,
            completed_date_time: self.completed,
            approval: Some(Approval {
                id: self.id.clone(),
                stages: vec![stage],
            }),
        }
    }
}

impl TenantState {
    /// `GET /identityGovernance/appConsent/appConsentRequests` as the principal sees it.
    pub(crate) fn list_app_requests(&self, principal: &Principal, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
        let viewer = self.viewer(principal)?;
        Ok(self.listed(viewer, filter).filter_map(|r| self.app_view(r, viewer)).collect())
    }

    /// [`list_app_requests`](Self::list_app_requests) without the user requests inside
    /// (`user_consent_requests` empty): the same requests, for a snapshot that reads each one's user
    /// requests next and would throw these copies away.
    pub(crate) fn list_app_request_headers(&self, principal: &Principal, filter: &RequestFilter) -> Result<Vec<AppConsentRequest>> {
        let viewer = self.viewer(principal)?;
        Ok(self.listed(viewer, filter).map(|r| self.app_header(r)).collect())
    }

    /// The app requests `viewer` may list under `filter`: those with a user request they see (all of
    /// them, for a viewer who sees everything) and, for `pending_only`, one in progress among those.
    fn listed<'s>(&'s self, viewer: Viewer, filter: &'s RequestFilter) -> impl Iterator<Item = &'s AppRequestRecord> + 's {
        self.requests
            .iter()
            .filter(move |r| filter.app_id.is_none_or(|a| a == r.app_id))
            .filter(move |r| {
                let mut seen = r.user_requests.iter().filter(|u| viewer.sees(u));
                let visible = viewer.sees_all || seen.clone().next().is_some();
                visible && (!filter.pending_only || seen.any(|u| u.status == UserRequestStatus::InProgress))
            })
    }

    /// `GET …/appConsentRequests/{id}/userConsentRequests` as the principal sees it.
    pub(crate) fn list_user_requests(&self, principal: &Principal, app_request_id: &str) -> Result<Vec<UserConsentRequest>> {
        let viewer = self.viewer(principal)?;
        self.requests
            .iter()
            .find(|r| *r.id == *app_request_id)
            .and_then(|r| self.user_views(r, viewer))
            .ok_or_else(|| Error::not_found(format!("app consent request {app_request_id}")))
    }

    /// Microsoft Learn: "appConsentRequest resource type" roles see all; any other user sees what they review (filterByCurrentUser).
    fn viewer(&self, principal: &Principal) -> Result<Viewer> {
        self.require(principal, &READ_REQUESTS)?;
        Ok(Viewer {
            sees_all: principal.user_id().is_none() || self.user_has_role(principal, SEE_ALL),
            user: principal.user_id(),
        })
    }

    /// The app request as `viewer` sees it; `None` when they may see none of its user requests.
    fn app_view(&self, r: &AppRequestRecord, viewer: Viewer) -> Option<AppConsentRequest> {
        let users = self.user_views(r, viewer)?;
        Some(AppConsentRequest {
            user_consent_requests: users,
            ..self.app_header(r)
        })
    }

    /// The user requests of `r` that `viewer` may see; `None` when they may see none of them (and
    /// so not the app request either). Builds no app-request header: listing user requests is on
    /// every snapshot's path.
    fn user_views(&self, r: &AppRequestRecord, viewer: Viewer) -> Option<Vec<UserConsentRequest>> {
        let users: Vec<UserConsentRequest> = r
            .user_requests
            .iter()
            .filter(|u| viewer.sees(u))
            .map(|u| u.view(viewer.user))
            .collect();
        if users.is_empty() && !viewer.sees_all {
            return None;
        }
        Some(users)
    }

    /// The app request's own fields, without user requests.
    pub(crate) fn app_header(&self, r: &AppRequestRecord) -> AppConsentRequest {
        AppConsentRequest {
            id: r.id.clone(),
            app_id: r.app_id,
            app_display_name: Some(self.app_name(&r.app_id)),
            consent_type: Some(r.consent_type),
            pending_scopes: r
                .pending_scopes
                .iter()
                .map(|s| PendingScope {
                    display_name: s.to_shared(),
                })
                .collect(),
            user_consent_requests: Vec::new(),
        }
    }
}
