//! What the tenant would tell people (the notification outbox) and what it records (the audit log).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use consent::{AppId, ObjectId};
use serde::{Deserialize, Serialize};

/// Why an email would be sent (Microsoft Learn: "adminConsentRequestPolicy resource type" `notifyReviewers`/`remindersEnabled`, Microsoft Learn "Review admin consent requests").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// To a reviewer: a user filed a request (only when `notifyReviewers` is on).
    NewRequest,
    /// To the requester: their request was received.
    RequestSubmitted,
    /// To the requester: the request was approved (or settled by a tenant-wide grant).
    Approved,
    /// To the requester: the request was denied.
    Denied,
    /// To the requester: the request was denied and the app blocked.
    Blocked,
    /// To the requester: nobody decided before the request expired.
    Expired,
    /// To a reviewer: a request is about to expire (only when `remindersEnabled` is on).
    Reminder,
}

/// One email the tenant would send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// When.
    pub at: DateTime<Utc>,
    /// Recipient's object id.
    pub to: ObjectId,
    /// Recipient's address (their UPN).
    pub to_upn: Arc<str>,
    /// What about.
    pub kind: NotificationKind,
    /// The app concerned.
    pub app_id: AppId,
    /// The app's display name.
    pub app_display_name: Arc<str>,
    /// The `appConsentRequest` id.
    pub request_id: Arc<str>,
}

/// What was done, in the words of Entra's audit log where it has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditActivity {
    /// `PUT /policies/adminConsentRequestPolicy`.
    UpdateRequestPolicy,
    /// The authorization policy's user-consent setting changed.
    UpdateUserConsentSetting,
    /// A service principal was created.
    AddServicePrincipal,
    /// A delegated grant was created.
    AddDelegatedPermissionGrant,
    /// A delegated grant's scope was replaced.
    UpdateDelegatedPermissionGrant,
    /// An app role was assigned to a service principal.
    AddAppRoleAssignment,
    /// A delegated grant was deleted (consent revoked).
    RemoveDelegatedPermissionGrant,
    /// An app-role assignment was deleted.
    RemoveAppRoleAssignment,
    /// A user consented for themselves on the consent page.
    ConsentToApplication,
    /// An admin granted tenant-wide consent on the admin-consent page.
    AdminConsentToApplication,
    /// A user filed (or updated) a consent request.
    CreateConsentRequest,
    /// A reviewer approved a request.
    ApproveConsentRequest,
    /// A reviewer denied a request.
    DenyConsentRequest,
    /// A reviewer blocked the app.
    BlockApplication,
    /// A request was settled by a tenant-wide grant made outside the review page.
    CompleteConsentRequest,
    /// A request expired undecided.
    ExpireConsentRequest,
    /// Test arrangement changed the directory (users, groups, roles, published apps).
    ArrangeDirectory,
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// Who acted: a user's UPN, `app` for an app-only token, or `system`.
    pub actor: Arc<str>,
    /// What was done.
    pub activity: AuditActivity,
    /// The object acted on (an id, or a description).
    pub target: Arc<str>,
    /// Details worth showing (scopes, decision, …); never a secret.
    pub detail: String,
}
