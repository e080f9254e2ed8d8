//! The tenant's people and apps: users, groups, and the multi-tenant apps that exist in their home
//! tenants (so that a service principal can be created for them here).

use std::fmt;
use std::sync::Arc;

use consent::{AppId, AppRegistration, ObjectId, Scope, ScopeSet, UserIdentity};
use serde::{Deserialize, Serialize};

use crate::roles::DirectoryRole;

/// A user of the mock tenant.
///
/// The password is what the emulator's login page accepts; `Debug` prints it as `[redacted]`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockUser {
    /// Object id.
    pub id: ObjectId,
    /// Display name.
    pub display_name: Arc<str>,
    /// User principal name (also used as the mail address).
    pub upn: Arc<str>,
    /// Directory roles held (empty for a plain member).
    #[serde(default)]
    pub roles: Vec<DirectoryRole>,
    /// The sign-in password.
    pub password: String,
}

impl MockUser {
    /// True when the user holds `role`.
    pub fn has_role(&self, role: DirectoryRole) -> bool {
        self.roles.contains(&role)
    }

    /// True when the user holds any of `roles`.
    pub fn has_any_role(&self, roles: &[DirectoryRole]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }

    /// The user as Graph embeds it in requests and reviews.
    pub fn identity(&self) -> UserIdentity {
        UserIdentity {
            id: crate::text::with_guid(self.id.as_uuid(), |g| Arc::from(g)),
            display_name: Some(self.display_name.clone()),
            user_principal_name: Some(self.upn.clone()),
            mail: Some(self.upn.clone()),
        }
    }
}

impl fmt::Debug for MockUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockUser")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("upn", &self.upn)
            .field("roles", &self.roles)
            .field("password", &"[redacted]")
            .finish()
    }
}

/// A group; members are users or other groups (membership is resolved transitively).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockGroup {
    /// Object id.
    pub id: ObjectId,
    /// Display name.
    pub display_name: String,
    /// Direct members: user or group ids.
    pub members: Vec<ObjectId>,
}

/// A multi-tenant application registered in its home tenant, so it can be provisioned here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishedApp {
    /// The app registration (id, name, required permissions).
    pub registration: AppRegistration,
    /// Whether its publisher completed Microsoft's publisher verification.
    pub publisher_verified: bool,
}

impl PublishedApp {
    /// The delegated scopes the app requires on Microsoft Graph.
    pub fn graph_scopes(&self) -> ScopeSet {
        self.resource(&AppId::MICROSOFT_GRAPH).map(|r| r.scopes.clone()).unwrap_or_default()
    }

    /// Every (resource app id, app role value) the app requires.
    pub fn required_app_roles(&self) -> Vec<(AppId, Scope)> {
        let per_resource = self.registration.resources.iter();
        per_resource
            .flat_map(|r| r.app_roles.iter().map(move |role| (r.resource_app_id, role.clone())))
            .collect()
    }

    fn resource(&self, app_id: &AppId) -> Option<&consent::ResourceAccess> {
        self.registration.resources.iter().find(|r| r.resource_app_id == *app_id)
    }
}

/// Behaviour switches for modelling choices Microsoft does not document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MockOptions {
    /// When true (the default), an `AllPrincipals` grant created or updated through Graph that
    /// covers an open request's pending scopes completes that request as approved, with
    /// `reviewedBy.id` = `00000001-0000-0000-c000-000000000000`.
    ///
    /// Microsoft Learn: "Review admin consent requests"; otherwise our choice `[I]`: whether a Graph-created grant settles pending requests is not
    /// documented; Microsoft's own example (Microsoft Learn "appConsentRequest resource type") shows a request closed by that system identity.
    pub grants_complete_requests: bool,
}

impl Default for MockOptions {
    fn default() -> Self {
        Self {
            grants_complete_requests: true,
        }
    }
}

/// The identity Microsoft's example shows as reviewer of a request settled by the service
/// (Microsoft Learn: "appConsentRequest resource type").
pub const SYSTEM_REVIEWER_ID: &str = "00000001-0000-0000-c000-000000000000";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_password() {
        let u = MockUser {
            id: ObjectId::new_random(),
            display_name: "Eva".into(),
            upn: "eva@contoso.example".into(),
            roles: vec![],
            password: "hunter2-secret".into(),
        };
        let shown = format!("{u:?}");
        assert!(shown.contains("[redacted]") && !shown.contains("hunter2"), "{shown}");
        assert_eq!(u.identity().mail.as_deref(), Some("eva@contoso.example"));
    }
}
