//! Consent requests as Graph returns them: `appConsentRequest` (one per app and consent type) and the
//! `userConsentRequest`s that users file against it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::ids::{AppId, ObjectId};
use crate::justification::Justification;
use crate::scope::{Scope, ScopeSet};

/// `appConsentRequest`: the inbox entry reviewers see for one app (and one consent type).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppConsentRequest {
    /// Request id.
    pub id: Arc<str>,
    /// The client app.
    pub app_id: AppId,
    /// The app's display name.
    #[serde(default)]
    pub app_display_name: Option<Arc<str>>,
    /// `Static` (`.default` / registered permissions) or `Dynamic` (scopes asked at runtime).
    #[serde(default)]
    pub consent_type: Option<ConsentType>,
    /// The scopes awaiting consent.
    #[serde(default)]
    pub pending_scopes: Vec<PendingScope>,
    /// The users' requests, when the backend returned them inline.
    #[serde(default)]
    pub user_consent_requests: Vec<UserConsentRequest>,
}

impl AppConsentRequest {
    /// The pending scopes as a [`ScopeSet`]; values that are not valid scopes are skipped.
    pub fn pending_scope_set(&self) -> ScopeSet {
        let scopes = self.pending_scopes.iter().filter_map(|p| Scope::parse_shared(&p.display_name).ok());
        // Nearly always every value is valid: room for all of them.
        ScopeSet::from_scopes_with_room(scopes, self.pending_scopes.len()).unwrap_or_default()
    }
}

/// `appConsentRequestScope`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingScope {
    /// The scope value (Graph names the field `displayName`).
    pub display_name: Arc<str>,
}

/// Whether the request is for statically registered or dynamically requested permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsentType {
    /// `.default` / the app registration's required permissions.
    Static,
    /// Scopes requested at runtime on the authorize URL.
    Dynamic,
}

/// `userConsentRequest`: one user's request with their justification and its approval stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserConsentRequest {
    /// Request id.
    pub id: Arc<str>,
    /// Always equal to `id`.
    #[serde(default)]
    pub approval_id: Option<Arc<str>>,
    /// Lifecycle status (the outcome lives in the approval stage).
    pub status: UserRequestStatus,
    /// The requester's justification.
    #[serde(default)]
    pub reason: Option<Arc<str>>,
    /// Who asked.
    #[serde(default)]
    pub created_by: IdentitySet,
    /// When the request was filed.
    pub created_date_time: DateTime<Utc>,
    /// When it closed (Graph often leaves this `null`).
    #[serde(default)]
    pub completed_date_time: Option<DateTime<Utc>>,
    /// The single approval with its stage.
    #[serde(default)]
    pub approval: Option<Approval>,
}

impl UserConsentRequest {
    /// The outcome, derived from the status and the approval stage.
    pub fn outcome(&self) -> RequestOutcome {
        let stage = self.approval.as_ref().and_then(|a| a.stages.first());
        match stage {
            Some(s) if s.status == StageStatus::Expired => RequestOutcome::Expired,
            Some(s) if s.review_result == Some(ReviewResult::Deny) => RequestOutcome::Denied,
            Some(s) if s.review_result == Some(ReviewResult::Approve) => RequestOutcome::Approved,
            _ if self.status == UserRequestStatus::Expired => RequestOutcome::Expired,
            _ if self.status == UserRequestStatus::Completed => RequestOutcome::Approved,
            _ => RequestOutcome::Pending,
        }
    }

    /// The requester's user id, when known.
    pub fn requester(&self) -> Option<ObjectId> {
        self.created_by.user.as_ref().and_then(|u| ObjectId::parse(&u.id).ok())
    }
}

/// What became of a user's request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    /// Waiting for a reviewer.
    Pending,
    /// Approved (or settled by a tenant-wide grant).
    Approved,
    /// Denied (or blocked) by a reviewer.
    Denied,
    /// Nobody decided before it expired.
    Expired,
}

/// `userConsentRequest.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserRequestStatus {
    /// Being created.
    Initializing,
    /// Awaiting review.
    InProgress,
    /// Nobody decided before `requestDurationInDays` ran out (the stage reads `Expired` too).
    Expired,
    /// Closed by a decision (approved or denied: see the stage's `reviewResult`).
    Completed,
    /// A value this library does not know yet.
    #[serde(other)]
    Unknown,
}

/// `identitySet` with the `user` member that consent requests carry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentitySet {
    /// The user.
    #[serde(default)]
    pub user: Option<UserIdentity>,
}

/// A user as Graph embeds it in requests and reviews.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// Object id.
    pub id: Arc<str>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<Arc<str>>,
    /// UPN.
    #[serde(default)]
    pub user_principal_name: Option<Arc<str>>,
    /// Mail.
    #[serde(default)]
    pub mail: Option<Arc<str>>,
}

/// `approval` with its stages (one for consent requests).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// Same as the user request id.
    pub id: Arc<str>,
    /// The stages.
    #[serde(default)]
    pub stages: Vec<ApprovalStage>,
}

/// `approvalStage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStage {
    /// Stage id.
    pub id: Arc<str>,
    /// Whether the caller is a reviewer of this stage.
    #[serde(default)]
    pub assigned_to_me: Option<bool>,
    /// The reviewer's justification.
    #[serde(default)]
    pub justification: Option<Arc<str>>,
    /// The decision.
    #[serde(default)]
    pub review_result: Option<ReviewResult>,
    /// Who decided.
    #[serde(default)]
    pub reviewed_by: Option<UserIdentity>,
    /// When.
    #[serde(default)]
    pub reviewed_date_time: Option<DateTime<Utc>>,
    /// Stage status.
    pub status: StageStatus,
}

/// `approvalStage.reviewResult`. Graph documents both `Approve`/`Deny` and `Approved`/`Denied`; both parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewResult {
    /// Not decided.
    NotReviewed,
    /// Approved.
    #[serde(alias = "Approved")]
    Approve,
    /// Denied.
    #[serde(alias = "Denied")]
    Deny,
    /// A value this library does not know yet.
    #[serde(other)]
    Unknown,
}

/// `approvalStage.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StageStatus {
    /// Being created.
    Initializing,
    /// Awaiting a decision.
    InProgress,
    /// Decided.
    Completed,
    /// Expired undecided.
    Expired,
    /// A value this library does not know yet.
    #[serde(other)]
    Unknown,
}

/// What a user files through the "Approval required" prompt (mock and emulator only; Graph has no
/// API that creates a request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentRequestSubmission {
    /// The client app.
    pub app_id: AppId,
    /// Static or dynamic (one app request exists per app and type).
    pub consent_type: ConsentType,
    /// The scopes the user could not consent to.
    pub scopes: ScopeSet,
    /// Why the user needs the app.
    pub justification: Justification,
}

/// A reviewer's decision on an app consent request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentReview {
    /// The `appConsentRequest` id.
    pub app_request_id: Arc<str>,
    /// The decision.
    pub decision: ReviewDecision,
}

/// The three buttons on "Review permissions and consent".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", content = "justification", rename_all = "snake_case")]
pub enum ReviewDecision {
    /// Grant tenant-wide consent and close the request.
    Approve,
    /// Close the request; users may ask again.
    Deny(Justification),
    /// Close the request, create a disabled service principal, refuse future requests.
    Block(Justification),
}

impl ConsentRequestSubmission {
    /// A dynamic-consent submission (the usual case: scopes asked on the authorize URL).
    pub fn dynamic(app_id: AppId, scopes: ScopeSet, justification: &str) -> Result<Self> {
        Ok(Self {
            app_id,
            consent_type: ConsentType::Dynamic,
            scopes,
            justification: Justification::parse(justification)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_graph_example_and_derives_outcome() {
        let json = serde_json::json!({
            "id": "d3d3d3d3-0000-4000-8000-000000000003",
            "approvalId": "d3d3d3d3-0000-4000-8000-000000000003",
            "status": "Completed",
            "reason": "Need it for the quarterly report",
            "createdDateTime": "2025-01-10T09:15:00Z",
            "completedDateTime": null,
            "customData": null,
            "createdBy": { "user": { "id": "e4e4e4e4-0000-4000-8000-000000000005", "displayName": "Ana" } },
            "approval": { "id": "d3d3d3d3-0000-4000-8000-000000000003", "stages": [ {
                "id": "f5f5f5f5-0000-4000-8000-000000000004", "displayName": null, "status": "Completed",
                "reviewResult": "Approve", "assignedToMe": true, "justification": "Granted tenant-wide",
                "reviewedDateTime": "2025-01-11T08:00:00Z",
                "reviewedBy": { "id": "00000001-0000-0000-c000-000000000000", "displayName": "" } } ] }
        });
        let r: UserConsentRequest = serde_json::from_value(json).unwrap();
        assert_eq!(r.outcome(), RequestOutcome::Approved);
        assert_eq!(r.requester().unwrap().to_string(), "e4e4e4e4-0000-4000-8000-000000000005");
    }

    #[test]
    fn expired_status_reads_as_expired_even_without_a_stage() {
        // userConsentRequest resource page: status is Initializing, InProgress, Expired or Completed.
        let r: UserConsentRequest = serde_json::from_value(serde_json::json!({
            "id": "u1", "status": "Expired", "createdDateTime": "2025-01-10T09:15:00Z"
        }))
        .unwrap();
        assert_eq!(r.status, UserRequestStatus::Expired);
        assert_eq!(r.outcome(), RequestOutcome::Expired);
        assert_eq!(serde_json::to_value(UserRequestStatus::Expired).unwrap(), "Expired");
    }

    #[test]
    fn review_result_accepts_both_vocabularies_and_unknowns() {
        for (s, want) in [
            ("\"Approved\"", ReviewResult::Approve),
            ("\"Deny\"", ReviewResult::Deny),
            ("\"Later\"", ReviewResult::Unknown),
        ] {
            assert_eq!(serde_json::from_str::<ReviewResult>(s).unwrap(), want);
        }
    }

    #[test]
    fn app_request_pending_scopes() {
        let r: AppConsentRequest = serde_json::from_value(serde_json::json!({
            "id": "a0", "appId": "c1c1c1c1-0000-4000-8000-000000000002", "appDisplayName": "Contoso",
            "consentType": "Dynamic",
            "pendingScopes": [ { "displayName": "User.Read.All" }, { "displayName": "offline_access" } ],
            "userConsentRequests": []
        }))
        .unwrap();
        assert_eq!(r.pending_scope_set().to_wire(), "User.Read.All offline_access");
    }
}
