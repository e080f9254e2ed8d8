//! The consent-request lifecycle: submit, review (Approve / Deny / Block), expiry and reminders, and
//! the Graph-shaped views reviewers and readers get.
//!
//! Microsoft Learn: "appConsentRequest resource type" (objects), Microsoft Learn "approvalStage resource type" (stage and portal semantics), Microsoft Learn "adminConsentRequestPolicy resource type" (reviewer snapshot) and our own choices where it is silent `[I]`
//! (mock design notes). A request is one `appConsentRequest` per (app, consent type) with one
//! `userConsentRequest` per requester, each with a single approval stage.

use std::sync::{Arc, LazyLock};

use chrono::{DateTime, Duration, Utc};
use consent::{
    AppConsentRequest, AppId, ConsentRequestSubmission, ConsentReview, ConsentType, Error, ObjectId, Result, ReviewDecision, ReviewResult,
    ScopeSet, StageStatus, UserConsentDecision, UserIdentity, UserRequestStatus,
};
use serde::{Deserialize, Serialize};

use crate::directory::{MockUser, SYSTEM_REVIEWER_ID};
use crate::journal::{AuditActivity, NotificationKind};
use crate::principal::Principal;
use crate::roles::DirectoryRole;
use crate::state::{system_actor, TenantState};
use crate::text;

/// The duration used when the policy says 0 days: Graph documents no behaviour for it, and the
/// admin center's default is 30 [I].
const FALLBACK_DURATION_DAYS: i64 = 30;

/// An `appConsentRequest` as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppRequestRecord {
    pub id: Arc<str>,
    pub app_id: AppId,
    pub consent_type: ConsentType,
    /// Microsoft Learn: "appConsentRequest resource type": the union of what the open user requests asked for.
    pub pending_scopes: ScopeSet,
    pub user_requests: Vec<UserRequestRecord>,
}

/// A `userConsentRequest` with its single approval stage, as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserRequestRecord {
    pub id: Arc<str>,
    pub created_by: UserIdentity,
    pub requester: ObjectId,
    pub reason: Arc<str>,
    pub scopes: ScopeSet,
    pub created: DateTime<Utc>,
    /// `[I]` (our choice; the documentation is silent): created + requestDurationInDays as configured when the request was created.
    pub expires: DateTime<Utc>,
    pub completed: Option<DateTime<Utc>>,
    pub status: UserRequestStatus,
    /// Microsoft Learn: "adminConsentRequestPolicy resource type": reviewers resolved to users when the request was created; later policy
    /// changes neither add nor remove anyone.
    pub reviewers: Vec<ObjectId>,
    /// When to send the reminder (only if reminders were on at creation); cleared once sent.
    pub remind_at: Option<DateTime<Utc>>,
    pub stage: StageRecord,
}

/// The approval stage (Microsoft Learn: "approvalStage resource type").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StageRecord {
    pub id: Arc<str>,
    pub status: StageStatus,
    pub review_result: ReviewResult,
    pub justification: Option<Arc<str>>,
    pub reviewed_by: Option<UserIdentity>,
    pub reviewed: Option<DateTime<Utc>>,
}

/// How a request is closed.
struct Closing {
    result: ReviewResult,
    stage: StageStatus,
    by: Option<UserIdentity>,
    justification: Option<Arc<str>>,
    kind: NotificationKind,
}

impl UserRequestRecord {
    pub(crate) fn is_open(&self) -> bool {
        self.status == UserRequestStatus::InProgress
    }

    fn close(&mut self, now: DateTime<Utc>, c: &Closing) {
        // Graph's userConsentRequest.status reads `Expired` for a request nobody decided in time,
        // `Completed` for a decided one (Microsoft Learn: "userConsentRequest resource type").
        self.status = if c.stage == StageStatus::Expired {
            UserRequestStatus::Expired
        } else {
            UserRequestStatus::Completed
        };
        self.completed = Some(now);
        self.remind_at = None;
        self.stage.status = c.stage;
        self.stage.review_result = c.result;
        self.stage.justification = c.justification.clone();
        self.stage.reviewed_by = c.by.clone();
        self.stage.reviewed = c.by.as_ref().map(|_| now);
    }
}

impl AppRequestRecord {
    fn is_open(&self) -> bool {
        self.user_requests.iter().any(UserRequestRecord::is_open)
    }
}

impl TenantState {
    /// Applies what time did since the last access: expiry and reminders (our choice `[I]`, the documentation is silent: expiry is
    /// evaluated against the clock, lazily, before anything reads or writes).
    pub(crate) fn tick(&mut self) {
        let now = self.now;
        let mut mail = Vec::new();
        let mut expired = Vec::new();
        for app in &mut self.requests {
            for r in app.user_requests.iter_mut().filter(|r| r.is_open()) {
                if r.expires <= now {
                    r.close(now, &expiry());
                    mail.push((r.requester, NotificationKind::Expired, app.app_id, app.id.clone()));
                    expired.push(r.id.clone());
                } else if r.remind_at.is_some_and(|t| t <= now) {
                    r.remind_at = None;
                    mail.extend(
                        r.reviewers
                            .iter()
                            .map(|rv| (*rv, NotificationKind::Reminder, app.app_id, app.id.clone())),
                    );
                }
            }
        }
        for (to, kind, app_id, request_id) in mail {
            self.notify(to, kind, app_id, &request_id);
        }
        for id in expired {
            self.audit(system_actor(), AuditActivity::ExpireConsentRequest, id, "expired undecided");
        }
    }

    /// Resolves the policy's reviewers to user ids now: users, transitive user members of groups,
    /// and holders of roles (Microsoft Learn: "adminConsentRequestPolicy resource type" query forms).
    pub(crate) fn resolve_reviewers(&self) -> Vec<ObjectId> {
        let mut out = Vec::new();
        for reviewer in &self.request_policy.reviewers {
            match reviewer {
                consent::Reviewer::User(id) => out.extend(self.user(*id).map(|u| u.id)),
                consent::Reviewer::Group(id) => self.transitive_users(*id, &mut Vec::new(), &mut out),
                consent::Reviewer::Role(template) => {
                    let role = DirectoryRole::from_template_id(*template);
                    out.extend(self.users.iter().filter(|u| role.is_some_and(|r| u.has_role(r))).map(|u| u.id));
                }
            }
        }
        let mut seen = Vec::new();
        out.retain(|id| {
            let new = !seen.contains(id);
            seen.push(*id);
            new
        });
        out
    }

    fn transitive_users(&self, group: ObjectId, visited: &mut Vec<ObjectId>, out: &mut Vec<ObjectId>) {
        if visited.contains(&group) {
            return; // nested groups may form a cycle
        }
        visited.push(group);
        let Some(g) = self.group(group) else { return };
        for m in g.members.clone() {
            if self.user(m).is_some() {
                out.push(m);
            } else {
                self.transitive_users(m, visited, out);
            }
        }
    }

    /// The acting user's "Request approval" (Microsoft Learn: "Configure how users consent to applications" step 4, Microsoft Learn "appConsentRequest resource type").
    /// Returns the app request with exactly the acting user's request inline.
    pub(crate) fn submit(&mut self, principal: &Principal, s: &ConsentRequestSubmission) -> Result<AppConsentRequest> {
        // The id and UPN only, not a copy of the whole user (roles, password): this is every
        // request's path.
        let Some((user_id, upn)) = self.acting_user(principal)?.map(|u| (u.id, Arc::clone(&u.upn))) else {
            return Err(Error::permission_denied(
                "submit a consent request",
                "a signed-in user (delegated token); app-only tokens cannot file consent requests",
            ));
        };
        self.check_can_request(user_id, &s.app_id, &s.scopes)?;
        let idx = self.app_request_index(&s.app_id, s.consent_type);
        let app_req_id = self.requests[idx].id.clone();
        let i = match self.requests[idx]
            .user_requests
            .iter()
            .position(|r| r.is_open() && r.requester == user_id)
        {
            Some(i) => self.update_open_request(idx, i, s)?,
            None => self.open_user_request(idx, user_id, s)?,
        };
        // `format!("scopes {}; reason {:?}", s.scopes, s.justification.as_str())`, without the formatter.
        let mut detail = String::with_capacity(64 + s.justification.as_str().len());
        detail.push_str("scopes ");
        text::push_scopes(&mut detail, &s.scopes);
        detail.push_str("; reason ");
        text::push_debug_quoted(&mut detail, s.justification.as_str());
        self.audit(upn, AuditActivity::CreateConsentRequest, app_req_id, detail);
        let app = &self.requests[idx];
        Ok(AppConsentRequest {
            user_consent_requests: vec![app.user_requests[i].view(Some(user_id))],
            ..self.app_header(app)
        })
    }

    /// Refuses a submission the sign-in would not have offered (AADSTS90094, user may consent, blocked).
    fn check_can_request(&self, user: ObjectId, app_id: &AppId, scopes: &ScopeSet) -> Result<()> {
        let refuse = |state: &str, reason: String| Error::InvalidTransition {
            state: state.to_owned(),
            action: "request admin consent",
            reason,
        };
        match self.decide(user, app_id, scopes)? {
            UserConsentDecision::AdminApprovalRequired { can_request: true, .. } => Ok(()),
            UserConsentDecision::AdminApprovalRequired { can_request: false, .. } => Err(refuse(
                "RequestsDisabled",
                "the admin consent workflow is off, so users see AADSTS90094 \"Need admin approval\" with no request form; an admin must enable consent requests first".to_owned(),
            )),
            UserConsentDecision::UserMayConsent => Err(refuse(
                "UserConsentAllowed",
                "the user may consent to these scopes alone on the consent page; no request is needed".to_owned(),
            )),
            UserConsentDecision::AlreadyGranted => Err(refuse(
                "AlreadyGranted",
                "every scope is already granted; the user can sign in".to_owned(),
            )),
            UserConsentDecision::AppBlocked => Err(Error::conflict(
                format!("{} is blocked in this tenant (AADSTS7000112); an admin must re-enable its service principal", self.app_name(app_id)),
                None,
            )),
            UserConsentDecision::UnknownScopes { scopes } => Err(Error::invalid(
                "scopes",
                format!("{scopes} are not offered by Microsoft Graph (AADSTS650053); fix the requested scopes"),
            )),
        }
    }

    /// The one app request per (app, consent type), created if missing (Microsoft Learn: "appConsentRequest resource type", FAQ).
    fn app_request_index(&mut self, app_id: &AppId, consent_type: ConsentType) -> usize {
        if let Some(i) = self
            .requests
            .iter()
            .position(|r| r.app_id == *app_id && r.consent_type == consent_type)
        {
            return i;
        }
        let id = self.new_id();
        self.requests.push(AppRequestRecord {
            id,
            app_id: *app_id,
            consent_type,
            pending_scopes: ScopeSet::new(),
            user_requests: Vec::new(),
        });
        self.requests.len() - 1
    }

    /// A second submit by a user whose request is still open updates its reason and scopes.
    /// Returns the user request's index (`i`).
    fn update_open_request(&mut self, idx: usize, i: usize, s: &ConsentRequestSubmission) -> Result<usize> {
        let app = &mut self.requests[idx];
        app.pending_scopes = app.pending_scopes.union(&s.scopes)?;
        let r = &mut app.user_requests[i];
        r.scopes = r.scopes.union(&s.scopes)?;
        r.reason = s.justification.as_str().into();
        Ok(i)
    }

    /// Files `requester`'s new user request on app request `idx`; returns its index there.
    fn open_user_request(&mut self, idx: usize, requester: ObjectId, s: &ConsentRequestSubmission) -> Result<usize> {
        let now = self.now;
        let policy = &self.request_policy;
        let (duration, reminders, notify_reviewers) = (policy.request_duration_in_days, policy.reminders_enabled, policy.notify_reviewers);
        let days = match duration {
            0 => FALLBACK_DURATION_DAYS,
            d => i64::from(d),
        };
        let created_by = self
            .user(requester)
            .map(MockUser::identity)
            .ok_or_else(|| Error::not_found(format!("user {requester}")))?;
        let rec = UserRequestRecord {
            id: self.new_id(),
            created_by,
            requester,
            reason: s.justification.as_str().into(),
            scopes: s.scopes.clone(),
            created: now,
            expires: now + Duration::days(days),
            completed: None,
            status: UserRequestStatus::InProgress,
            reviewers: self.resolve_reviewers(),
            remind_at: reminders.then(|| now + Duration::hours(days * 12)),
            stage: StageRecord {
                id: self.new_id(),
                status: StageStatus::InProgress,
                review_result: ReviewResult::NotReviewed,
                justification: None,
                reviewed_by: None,
                reviewed: None,
            },
        };
        let app = &mut self.requests[idx];
        // A closed app request is reopened: its old pending scopes were settled one way or another.
        app.pending_scopes = if app.is_open() {
            app.pending_scopes.union(&s.scopes)?
        } else {
            s.scopes.clone()
        };
        let reviewers = if notify_reviewers { rec.reviewers.clone() } else { Vec::new() };
        app.user_requests.push(rec);
        let i = app.user_requests.len() - 1;
        let (app_id, app_req_id) = (app.app_id, app.id.clone());
        for rv in reviewers {
            self.notify(rv, NotificationKind::NewRequest, app_id, &app_req_id);
        }
        self.notify(requester, NotificationKind::RequestSubmitted, app_id, &app_req_id);
        Ok(i)
    }

    /// A reviewer's Approve / Deny / Block (Microsoft Learn: "Review admin consent requests"; not a Graph API, Microsoft Learn "Review admin consent requests").
    pub(crate) fn review(&mut self, principal: &Principal, review: &ConsentReview) -> Result<()> {
        let Some(user) = self.acting_user(principal)?.cloned() else {
            return Err(Error::permission_denied(
                "review a consent request",
                "a signed-in user designated as reviewer before the request was created",
            ));
        };
        let idx = self
            .requests
            .iter()
            .position(|r| r.id == review.app_request_id)
            .ok_or_else(|| Error::not_found(format!("app consent request {}", review.app_request_id)))?;
        self.check_reviewer(idx, user.id)?;
        let app_id = self.requests[idx].app_id;
        let (closing, activity) = match &review.decision {
            ReviewDecision::Approve => {
                self.approve(idx, principal)?;
                (
                    decided(ReviewResult::Approve, &user.identity(), None, NotificationKind::Approved),
                    AuditActivity::ApproveConsentRequest,
                )
            }
            ReviewDecision::Deny(j) => (
                decided(ReviewResult::Deny, &user.identity(), Some(j.as_str()), NotificationKind::Denied),
                AuditActivity::DenyConsentRequest,
            ),
            ReviewDecision::Block(j) => {
                self.block(&app_id, &user.upn)?;
                (
                    decided(ReviewResult::Deny, &user.identity(), Some(j.as_str()), NotificationKind::Blocked),
                    AuditActivity::BlockApplication,
                )
            }
        };
        self.close_open(idx, &closing);
        let id = self.requests[idx].id.clone();
        self.audit(user.upn, activity, id, closing.justification.as_deref().unwrap_or_default());
        Ok(())
    }

    /// Only a snapshot reviewer of an open user request may act (Microsoft Learn: "adminConsentRequestPolicy resource type"); a closed request
    /// cannot be reviewed again.
    fn check_reviewer(&self, idx: usize, user: ObjectId) -> Result<()> {
        let app = &self.requests[idx];
        if !app.user_requests.iter().any(|r| r.reviewers.contains(&user)) {
            return Err(Error::permission_denied(
                "review a consent request",
                "to be a designated reviewer when the request was created (reviewers added later cannot act on it)",
            ));
        }
        if !app.is_open() {
            let outcome = app.user_requests.last().map(|r| r.view(None).outcome());
            return Err(Error::InvalidTransition {
                state: format!("{:?}", outcome.unwrap_or(consent::RequestOutcome::Pending)),
                action: "review a consent request",
                reason: "the request is already closed; the user may submit a new request".to_owned(),
            });
        }
        if !app.user_requests.iter().any(|r| r.is_open() && r.reviewers.contains(&user)) {
            return Err(Error::permission_denied(
                "review a consent request",
                "to be a designated reviewer of an open request (reviewers added after it was created cannot act on it)",
            ));
        }
        Ok(())
    }

    /// Approve = the tenant-wide grant (Microsoft Learn: "Review admin consent requests"; "Grant tenant-wide admin consent to an application"), checked against the reviewer's role
    /// (Microsoft Learn "Grant tenant-wide admin consent to an application": being a reviewer does not grant the right to approve).
    fn approve(&mut self, idx: usize, principal: &Principal) -> Result<()> {
        let app = &self.requests[idx];
        let (app_id, scopes) = (app.app_id, self.wanted_scopes(app));
        self.require(principal, &self.approval_rule(&app_id, true))?;
        let actor = self.actor_name(principal);
        self.grant_tenant_wide(&app_id, &scopes, true, &actor)
    }

    /// Block creates (or disables) the client's service principal (Microsoft Learn: "Review admin consent requests").
    fn block(&mut self, app_id: &AppId, actor: &Arc<str>) -> Result<()> {
        match self.service_principals.iter_mut().find(|s| s.app_id == *app_id) {
            Some(sp) => sp.account_enabled = false,
            None => {
                self.provision_sp(app_id, false, actor)?;
            }
        }
        Ok(())
    }

    /// The scopes an approval grants: the pending ones, or for a static request (whose pending
    /// scopes are empty on beta, Microsoft Learn "appConsentRequest resource type") the app registration's.
    pub(crate) fn wanted_scopes(&self, app: &AppRequestRecord) -> ScopeSet {
        match app.consent_type {
            ConsentType::Dynamic => app.pending_scopes.clone(),
            ConsentType::Static => self.published(&app.app_id).map(|p| p.graph_scopes()).unwrap_or_default(),
        }
    }

    /// `wanted_scopes(app).is_subset(granted)`, without copying a dynamic request's pending scopes.
    fn wanted_covered_by(&self, app: &AppRequestRecord, granted: &ScopeSet) -> bool {
        match app.consent_type {
            ConsentType::Dynamic => app.pending_scopes.is_subset(granted),
            ConsentType::Static => self.wanted_scopes(app).is_subset(granted),
        }
    }

    fn close_open(&mut self, idx: usize, c: &Closing) {
        let now = self.now;
        let app = &mut self.requests[idx];
        let mut requesters = Vec::new();
        for r in app.user_requests.iter_mut().filter(|r| r.is_open()) {
            r.close(now, c);
            requesters.push(r.requester);
        }
        let (app_id, id) = (app.app_id, app.id.clone());
        for to in requesters {
            self.notify(to, c.kind, app_id, &id);
        }
    }

    /// Completes open requests of `app_id` that `granted` now covers, as Microsoft's example shows
    /// for a grant made outside the review page (Microsoft Learn: "appConsentRequest resource type"; "Review admin consent requests"; switchable via `MockOptions`).
    pub(crate) fn settle_covered(&mut self, app_id: &AppId, granted: &ScopeSet) {
        if !self.options.grants_complete_requests {
            return;
        }
        // In index order, one at a time: closing a request makes it no longer open, so the next
        // search moves on (no list of indices, no reviewer identity unless something is covered).
        while let Some(idx) = self
            .requests
            .iter()
            .position(|r| r.app_id == *app_id && r.is_open() && self.wanted_covered_by(r, granted))
        {
            self.close_open(
                idx,
                &decided(ReviewResult::Approve, &SYSTEM_REVIEWER, None, NotificationKind::Approved),
            );
            let id = self.requests[idx].id.clone();
            self.audit(
                system_actor(),
                AuditActivity::CompleteConsentRequest,
                id,
                // `format!("covered by the grant {granted}")`, without the formatter.
                ["covered by the grant ", &granted.to_wire()].concat(),
            );
        }
    }
}

/// The reviewer Graph names on a request settled by a grant made elsewhere: built once, shared by
/// every such closing (cloning it copies no strings).
static SYSTEM_REVIEWER: LazyLock<UserIdentity> = LazyLock::new(|| {
    let empty: Arc<str> = Arc::from("");
    UserIdentity {
        id: SYSTEM_REVIEWER_ID.into(),
        display_name: Some(Arc::clone(&empty)),
        user_principal_name: Some(Arc::clone(&empty)),
        mail: Some(empty),
    }
});

fn expiry() -> Closing {
    Closing {
        result: ReviewResult::NotReviewed,
        stage: StageStatus::Expired,
        by: None,
        justification: None,
        kind: NotificationKind::Expired,
    }
}

fn decided(result: ReviewResult, by: &UserIdentity, justification: Option<&str>, kind: NotificationKind) -> Closing {
    Closing {
        result,
        stage: StageStatus::Completed,
        by: Some(by.clone()),
        justification: justification.map(Arc::from),
        kind,
    }
}
