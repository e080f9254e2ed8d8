//! Directory objects that carry consent: service principals, delegated permission grants and
//! app-role assignments, in Graph's JSON shape.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{AppId, ObjectId};
use crate::scope::{Scope, ScopeSet};

/// `servicePrincipal`, reduced to the fields consent handling reads.
///
/// The permission lists a resource offers (`app_roles`, `oauth2_permission_scopes`) are shared
/// (`Arc<[_]>`): they never change after the principal is read or created, and a clone (every
/// snapshot of a tenant holds Microsoft Graph's) then copies two pointers instead of every
/// permission's strings. They serialize as plain JSON arrays, as before. Build them from a `Vec`
/// with `.into()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Object id in this tenant.
    pub id: ObjectId,
    /// The application id.
    pub app_id: AppId,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// False for a blocked app (Block creates a disabled service principal).
    #[serde(default = "yes")]
    pub account_enabled: bool,
    /// When true, users must be assigned and only an admin can consent.
    #[serde(default)]
    pub app_role_assignment_required: bool,
    /// Application permissions this (resource) principal offers.
    #[serde(default)]
    pub app_roles: Arc<[AppRole]>,
    /// Delegated permissions this (resource) principal offers.
    #[serde(default)]
    pub oauth2_permission_scopes: Arc<[PermissionScope]>,
    /// The verified publisher, when the app's publisher is verified.
    #[serde(default)]
    pub verified_publisher: Option<VerifiedPublisher>,
}

fn yes() -> bool {
    true
}

impl ServicePrincipal {
    /// The delegated scope with this value, if the resource offers it.
    pub fn scope(&self, value: &Scope) -> Option<&PermissionScope> {
        self.oauth2_permission_scopes
            .iter()
            .find(|s| s.value.eq_ignore_ascii_case(value.as_str()))
    }

    /// The application permission (app role) with this value, if the resource offers it.
    pub fn app_role(&self, value: &Scope) -> Option<&AppRole> {
        self.app_roles
            .iter()
            .find(|r| r.value.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(value.as_str())))
    }

    /// True when a verified publisher is recorded.
    pub fn is_publisher_verified(&self) -> bool {
        self.verified_publisher.as_ref().is_some_and(|v| v.verified_publisher_id.is_some())
    }
}

/// `verifiedPublisher`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedPublisher {
    /// Publisher name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// MPN id; `None` means not verified.
    #[serde(default)]
    pub verified_publisher_id: Option<String>,
}

/// `permissionScope`: a delegated permission a resource offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionScope {
    /// Permission id.
    pub id: Uuid,
    /// The value used in scopes, e.g. `Calendars.ReadWrite`.
    pub value: String,
    /// `User` (users may consent, policy permitting) or `Admin` (admin consent required).
    #[serde(rename = "type")]
    pub consent_type: PermissionConsentType,
    /// Text the admin consent page shows.
    #[serde(default)]
    pub admin_consent_display_name: Option<String>,
    /// Text the user consent page shows.
    #[serde(default)]
    pub user_consent_display_name: Option<String>,
    /// Disabled scopes cannot be granted.
    #[serde(default = "yes")]
    pub is_enabled: bool,
}

/// Who may consent to a delegated permission, as flagged by the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PermissionConsentType {
    /// Users may consent, if the tenant's policy allows.
    User,
    /// Only an admin may consent.
    Admin,
}

/// `appRole`: an application permission (or a role for users) a resource offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRole {
    /// Role id (what an assignment stores).
    pub id: Uuid,
    /// The value, e.g. `Calendars.Read`.
    #[serde(default)]
    pub value: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `Application` and/or `User`.
    #[serde(default)]
    pub allowed_member_types: Vec<String>,
    /// Disabled roles cannot be assigned.
    #[serde(default = "yes")]
    pub is_enabled: bool,
}

/// `oauth2PermissionGrant`: delegated consent of a client to a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DelegatedGrant {
    /// Grant id (opaque).
    pub id: String,
    /// Object id of the client service principal.
    pub client_id: ObjectId,
    /// `AllPrincipals` (tenant-wide) or `Principal` (one user).
    pub consent_type: GrantConsentType,
    /// The user, for `Principal` grants.
    #[serde(default)]
    pub principal_id: Option<ObjectId>,
    /// Object id of the resource service principal.
    pub resource_id: ObjectId,
    /// Granted scope values.
    #[serde(default)]
    pub scope: ScopeSet,
}

/// The body of `POST /oauth2PermissionGrants`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDelegatedGrant {
    /// Client service principal object id.
    pub client_id: ObjectId,
    /// Consent type.
    pub consent_type: GrantConsentType,
    /// The user for `Principal`; must be `None` for `AllPrincipals`.
    pub principal_id: Option<ObjectId>,
    /// Resource service principal object id.
    pub resource_id: ObjectId,
    /// Scope values.
    pub scope: ScopeSet,
}

/// `oauth2PermissionGrant.consentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GrantConsentType {
    /// Tenant-wide, on behalf of every user.
    AllPrincipals,
    /// On behalf of one user.
    Principal,
}

/// `appRoleAssignment`: an application permission granted to a client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppRoleAssignment {
    /// Assignment id (opaque).
    pub id: String,
    /// The role's id on the resource.
    pub app_role_id: Uuid,
    /// The client service principal.
    pub principal_id: ObjectId,
    /// The resource service principal.
    pub resource_id: ObjectId,
    /// `ServicePrincipal` for application permissions.
    #[serde(default)]
    pub principal_type: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_date_time: Option<DateTime<Utc>>,
}

/// The body of `POST /servicePrincipals/{resourceId}/appRoleAssignedTo`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAppRoleAssignment {
    /// The client service principal.
    pub principal_id: ObjectId,
    /// The resource service principal.
    pub resource_id: ObjectId,
    /// The role's id.
    pub app_role_id: Uuid,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::microsoft_graph_service_principal;

    #[test]
    fn shared_permission_lists_keep_the_json_shape_and_clone_by_pointer() {
        let sp = microsoft_graph_service_principal(ObjectId::new_random());
        let json = serde_json::to_value(&sp).unwrap();
        let scopes = json["oauth2PermissionScopes"].as_array().unwrap();
        assert_eq!(scopes.len(), sp.oauth2_permission_scopes.len());
        assert_eq!(scopes[0]["value"], "User.Read");
        assert_eq!(json["appRoles"].as_array().unwrap().len(), sp.app_roles.len());
        assert_eq!(serde_json::from_value::<ServicePrincipal>(json).unwrap(), sp);

        let copy = sp.clone();
        assert!(Arc::ptr_eq(&copy.app_roles, &sp.app_roles));
        assert!(Arc::ptr_eq(&copy.oauth2_permission_scopes, &sp.oauth2_permission_scopes));

        let bare: ServicePrincipal = serde_json::from_str(&format!(r#"{{"id":"{}","appId":"{}"}}"#, sp.id, sp.app_id)).unwrap();
        assert!(bare.app_roles.is_empty() && bare.oauth2_permission_scopes.is_empty() && bare.account_enabled);
    }
}
