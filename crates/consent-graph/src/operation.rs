//! What each port operation needs on Microsoft Graph: the least application permission and the least
//! delegated role (so a 403 can name them), and whether resending it is safe.

use consent::Operation;

/// Graph-specific facts about a [`consent::Operation`]. Names and permissions come from the Graph
/// reference (`reference/graph-consent-api.md`): application permission first, then the least role.
pub trait GraphOperation: Copy {
    /// The least-privileged Microsoft Graph application permission for this operation.
    fn permission(self) -> &'static str;
    /// The least-privileged Entra role for a signed-in (delegated) caller.
    fn role(self) -> &'static str;
    /// What `PermissionDenied.needed` says: the permission for an app, the role for a user.
    fn needed(self) -> String;
    /// True when sending the request twice has the same effect as once (GET, PUT, PATCH, and the
    /// read-only `$batch` of a snapshot). Creates are not: after a lost response they are read back
    /// and converged, never resent blindly.
    fn is_idempotent(self) -> bool;
}

impl GraphOperation for Operation {
    fn permission(self) -> &'static str {
        match self {
            Operation::GetRequestPolicy | Operation::GetAuthorizationPolicy => "Policy.Read.All",
            Operation::PutRequestPolicy => "Policy.ReadWrite.ConsentRequest",
            Operation::ListAppConsentRequests | Operation::ListUserConsentRequests => "ConsentRequest.Read.All",
            Operation::GetServicePrincipal | Operation::ListAppRoleAssignments => "Application.Read.All",
            // OwnedBy only covers apps the caller owns; a third-party multi-tenant app needs All.
            Operation::CreateServicePrincipal => "Application.ReadWrite.All",
            Operation::ListDelegatedGrants => "Directory.Read.All",
            Operation::CreateDelegatedGrant | Operation::UpdateDelegatedGrant => "DelegatedPermissionGrant.ReadWrite.All",
            Operation::CreateAppRoleAssignment => "AppRoleAssignment.ReadWrite.All and Application.Read.All",
            // Graph has no API for these; the backend reports them `Unsupported` before any call.
            Operation::SubmitConsentRequest | Operation::ReviewConsentRequest => "none (no Graph API exists)",
            Operation::Snapshot => "the permission of each batched read",
        }
    }

    fn role(self) -> &'static str {
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
            | Operation::UpdateDelegatedGrant => "Cloud Application Administrator",
            Operation::CreateAppRoleAssignment => {
                "Privileged Role Administrator (the least role that can assign Microsoft Graph app roles)"
            }
            Operation::SubmitConsentRequest | Operation::ReviewConsentRequest => "none (use the Entra admin center)",
        }
    }

    fn needed(self) -> String {
        format!(
            "application permission {} (admin-consented), or for a signed-in admin the {} role",
            self.permission(),
            self.role()
        )
    }

    fn is_idempotent(self) -> bool {
        !matches!(
            self,
            Operation::CreateServicePrincipal | Operation::CreateDelegatedGrant | Operation::CreateAppRoleAssignment
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_need_write_permissions_and_reads_read_permissions() {
        assert_eq!(Operation::PutRequestPolicy.permission(), "Policy.ReadWrite.ConsentRequest");
        assert!(Operation::CreateAppRoleAssignment
            .needed()
            .contains("Privileged Role Administrator"));
        assert!(Operation::ListDelegatedGrants.needed().contains("Directory.Read.All"));
        assert!(!Operation::CreateDelegatedGrant.is_idempotent());
        assert!(Operation::UpdateDelegatedGrant.is_idempotent());
        assert!(Operation::PutRequestPolicy.is_idempotent());
        assert!(Operation::Snapshot.is_idempotent());
    }
}
