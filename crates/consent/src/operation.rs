//! The port's operations as values: what fault plans target, what permission tables are keyed by,
//! and what errors name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::truncate;

/// One [`ConsentGraph`](crate::ConsentGraph) method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// [`get_request_policy`](crate::ConsentGraph::get_request_policy).
    GetRequestPolicy,
    /// [`put_request_policy`](crate::ConsentGraph::put_request_policy).
    PutRequestPolicy,
    /// [`get_authorization_policy`](crate::ConsentGraph::get_authorization_policy).
    GetAuthorizationPolicy,
    /// [`list_app_consent_requests`](crate::ConsentGraph::list_app_consent_requests).
    ListAppConsentRequests,
    /// [`list_user_consent_requests`](crate::ConsentGraph::list_user_consent_requests).
    ListUserConsentRequests,
    /// [`get_service_principal`](crate::ConsentGraph::get_service_principal).
    GetServicePrincipal,
    /// [`create_service_principal`](crate::ConsentGraph::create_service_principal).
    CreateServicePrincipal,
    /// [`list_delegated_grants`](crate::ConsentGraph::list_delegated_grants).
    ListDelegatedGrants,
    /// [`create_delegated_grant`](crate::ConsentGraph::create_delegated_grant).
    CreateDelegatedGrant,
    /// [`update_delegated_grant`](crate::ConsentGraph::update_delegated_grant).
    UpdateDelegatedGrant,
    /// [`delete_delegated_grant`](crate::ConsentGraph::delete_delegated_grant) (revoke).
    DeleteDelegatedGrant,
    /// [`list_app_role_assignments`](crate::ConsentGraph::list_app_role_assignments).
    ListAppRoleAssignments,
    /// [`create_app_role_assignment`](crate::ConsentGraph::create_app_role_assignment).
    CreateAppRoleAssignment,
    /// [`delete_app_role_assignment`](crate::ConsentGraph::delete_app_role_assignment) (revoke).
    DeleteAppRoleAssignment,
    /// [`submit_consent_request`](crate::ConsentGraph::submit_consent_request).
    SubmitConsentRequest,
    /// [`review_consent_request`](crate::ConsentGraph::review_consent_request).
    ReviewConsentRequest,
    /// [`snapshot`](crate::ConsentGraph::snapshot) (one `$batch` on Microsoft Graph).
    Snapshot,
}

impl Operation {
    /// Every operation, in the port's order.
    pub const ALL: [Operation; 17] = [
        Operation::GetRequestPolicy,
        Operation::PutRequestPolicy,
        Operation::GetAuthorizationPolicy,
        Operation::ListAppConsentRequests,
        Operation::ListUserConsentRequests,
        Operation::GetServicePrincipal,
        Operation::CreateServicePrincipal,
        Operation::ListDelegatedGrants,
        Operation::CreateDelegatedGrant,
        Operation::UpdateDelegatedGrant,
        Operation::DeleteDelegatedGrant,
        Operation::ListAppRoleAssignments,
        Operation::CreateAppRoleAssignment,
        Operation::DeleteAppRoleAssignment,
        Operation::SubmitConsentRequest,
        Operation::ReviewConsentRequest,
        Operation::Snapshot,
    ];

    /// The kebab-case name used on command lines and in fault specs (`put-request-policy`).
    pub const fn name(self) -> &'static str {
        match self {
            Operation::GetRequestPolicy => "get-request-policy",
            Operation::PutRequestPolicy => "put-request-policy",
            Operation::GetAuthorizationPolicy => "get-authorization-policy",
            Operation::ListAppConsentRequests => "list-app-consent-requests",
            Operation::ListUserConsentRequests => "list-user-consent-requests",
            Operation::GetServicePrincipal => "get-service-principal",
            Operation::CreateServicePrincipal => "create-service-principal",
            Operation::ListDelegatedGrants => "list-delegated-grants",
            Operation::CreateDelegatedGrant => "create-delegated-grant",
            Operation::UpdateDelegatedGrant => "update-delegated-grant",
            Operation::DeleteDelegatedGrant => "delete-delegated-grant",
            Operation::ListAppRoleAssignments => "list-app-role-assignments",
            Operation::CreateAppRoleAssignment => "create-app-role-assignment",
            Operation::DeleteAppRoleAssignment => "delete-app-role-assignment",
            Operation::SubmitConsentRequest => "submit-consent-request",
            Operation::ReviewConsentRequest => "review-consent-request",
            Operation::Snapshot => "snapshot",
        }
    }

    /// What it does, in words, for error messages ("update the consent request policy").
    pub const fn describe(self) -> &'static str {
        match self {
            Operation::GetRequestPolicy => "read the consent request policy",
            Operation::PutRequestPolicy => "update the consent request policy",
            Operation::GetAuthorizationPolicy => "read the authorization policy",
            Operation::ListAppConsentRequests => "list app consent requests",
            Operation::ListUserConsentRequests => "list user consent requests",
            Operation::GetServicePrincipal => "read a service principal",
            Operation::CreateServicePrincipal => "create a service principal",
            Operation::ListDelegatedGrants => "list delegated permission grants",
            Operation::CreateDelegatedGrant => "create a delegated permission grant",
            Operation::UpdateDelegatedGrant => "update a delegated permission grant",
            Operation::DeleteDelegatedGrant => "delete a delegated permission grant",
            Operation::ListAppRoleAssignments => "list app role assignments",
            Operation::CreateAppRoleAssignment => "assign an app role",
            Operation::DeleteAppRoleAssignment => "remove an app role assignment",
            Operation::SubmitConsentRequest => "submit a consent request",
            Operation::ReviewConsentRequest => "review a consent request",
            Operation::Snapshot => "read the consent snapshot",
        }
    }

    /// The least-privileged Microsoft Graph application permission for this operation (as the
    /// operation's Microsoft Graph API reference page lists it), the one a refusal names for an
    /// app-only caller.
    pub const fn least_permission(self) -> &'static str {
        match self {
            Operation::GetRequestPolicy | Operation::GetAuthorizationPolicy => "Policy.Read.All",
            Operation::PutRequestPolicy => "Policy.ReadWrite.ConsentRequest",
            Operation::ListAppConsentRequests | Operation::ListUserConsentRequests => "ConsentRequest.Read.All",
            Operation::GetServicePrincipal | Operation::ListAppRoleAssignments => "Application.Read.All",
            // OwnedBy only covers apps the caller owns; a third-party multi-tenant app needs All.
            Operation::CreateServicePrincipal => "Application.ReadWrite.All",
            Operation::ListDelegatedGrants => "Directory.Read.All",
            Operation::CreateDelegatedGrant | Operation::UpdateDelegatedGrant | Operation::DeleteDelegatedGrant => {
                "DelegatedPermissionGrant.ReadWrite.All"
            }
            Operation::CreateAppRoleAssignment | Operation::DeleteAppRoleAssignment => {
                "AppRoleAssignment.ReadWrite.All together with Application.Read.All"
            }
            // Graph has no API for these; the Graph backend reports them `Unsupported` before any call.
            Operation::SubmitConsentRequest | Operation::ReviewConsentRequest => "none (no Graph API exists)",
            Operation::Snapshot => "the permission of each batched read",
        }
    }

    /// The least-privileged Entra role for a signed-in (delegated) caller.
    pub const fn least_role(self) -> &'static str {
        match self {
            Operation::GetRequestPolicy
            | Operation::GetAuthorizationPolicy
            | Operation::ListAppConsentRequests
            | Operation::ListUserConsentRequests
            | Operation::GetServicePrincipal
            | Operation::ListDelegatedGrants
            | Operation::ListAppRoleAssignments
            | Operation::Snapshot => "Global Reader",
            Operation::PutRequestPolicy
            | Operation::CreateServicePrincipal
            | Operation::CreateDelegatedGrant
            | Operation::UpdateDelegatedGrant
            | Operation::DeleteDelegatedGrant => "Cloud Application Administrator",
            Operation::CreateAppRoleAssignment | Operation::DeleteAppRoleAssignment => {
                "Privileged Role Administrator (the least role that can assign or remove Microsoft Graph app roles)"
            }
            Operation::SubmitConsentRequest | Operation::ReviewConsentRequest => "none (use the Entra admin center)",
        }
    }

    /// What [`Error::PermissionDenied`]'s `needed` says for this operation, on every backend.
    pub fn needed(self) -> String {
        format!(
            "the {} role (signed-in admin), or the application permission {} (app-only, admin-consented)",
            self.least_role(),
            self.least_permission()
        )
    }

    /// The refusal of this operation, worded the same by every backend.
    pub fn permission_denied(self) -> Error {
        Error::permission_denied(self.describe(), self.needed())
    }

    /// True for operations that change the tenant.
    pub const fn is_write(self) -> bool {
        matches!(
            self,
            Operation::PutRequestPolicy
                | Operation::CreateServicePrincipal
                | Operation::CreateDelegatedGrant
                | Operation::UpdateDelegatedGrant
                | Operation::DeleteDelegatedGrant
                | Operation::CreateAppRoleAssignment
                | Operation::DeleteAppRoleAssignment
                | Operation::SubmitConsentRequest
                | Operation::ReviewConsentRequest
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Operation {
    type Err = Error;
    /// Parses the kebab-case name; case and `_`/`-` are not significant.
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL.into_iter().find(|o| o.name() == key).ok_or_else(|| {
            let all: Vec<&str> = Self::ALL.iter().map(|o| o.name()).collect();
            Error::invalid(
                "operation",
                format!("{:?} is not an operation; use one of {}", truncate(s), all.join(", ")),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for op in Operation::ALL {
            assert_eq!(op.name().parse::<Operation>().unwrap(), op);
            assert_eq!(serde_json::to_value(op).unwrap(), op.name());
        }
        assert_eq!(
            "Create_Delegated_Grant".parse::<Operation>().unwrap(),
            Operation::CreateDelegatedGrant
        );
        let err = "delete-everything".parse::<Operation>().unwrap_err().to_string();
        assert!(err.contains("put-request-policy"), "{err}");
    }
}
