//! The port operations as values, with the least privilege each needs (for `PermissionDenied`).

/// One Graph operation the backend performs. Names and permissions come from the Graph reference
/// (`reference/graph-consent-api.md`): application permission first, then the least delegated role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /policies/adminConsentRequestPolicy`.
    GetRequestPolicy,
    /// `PUT /policies/adminConsentRequestPolicy`.
    PutRequestPolicy,
    /// `GET /policies/authorizationPolicy`.
    GetAuthorizationPolicy,
    /// `GET /identityGovernance/appConsent/appConsentRequests`.
    ListAppConsentRequests,
    /// `GET …/appConsentRequests/{id}/userConsentRequests`.
    ListUserConsentRequests,
    /// `GET /servicePrincipals(appId='…')`.
    GetServicePrincipal,
    /// `POST /servicePrincipals`.
    CreateServicePrincipal,
    /// `GET /oauth2PermissionGrants?$filter=clientId eq '…'`.
    ListDelegatedGrants,
    /// `POST /oauth2PermissionGrants`.
    CreateDelegatedGrant,
    /// `PATCH /oauth2PermissionGrants/{id}`.
    UpdateDelegatedGrant,
    /// `GET /servicePrincipals/{id}/appRoleAssignments`.
    ListAppRoleAssignments,
    /// `POST /servicePrincipals/{resourceId}/appRoleAssignedTo`.
    CreateAppRoleAssignment,
    /// `POST /$batch` (the items carry their own operations).
    Batch,
}

impl Operation {
    /// A short name for errors and logs.
    pub fn name(self) -> &'static str {
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
            Operation::ListAppRoleAssignments => "list app role assignments",
            Operation::CreateAppRoleAssignment => "assign an app role",
            Operation::Batch => "send a batch",
        }
    }

    /// The least-privileged Microsoft Graph application permission for this operation.
    pub fn permission(self) -> &'static str {
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
            Operation::Batch => "the permission of each batched operation",
        }
    }

    /// The least-privileged Entra role for a signed-in (delegated) caller.
    pub fn role(self) -> &'static str {
        match self {
            Operation::GetRequestPolicy
            | Operation::GetAuthorizationPolicy
            | Operation::ListAppConsentRequests
            | Operation::ListUserConsentRequests
            | Operation::GetServicePrincipal
            | Operation::ListDelegatedGrants
            | Operation::ListAppRoleAssignments => "Global Reader",
            Operation::PutRequestPolicy
            | Operation::CreateServicePrincipal
            | Operation::CreateDelegatedGrant
            | Operation::UpdateDelegatedGrant => "Cloud Application Administrator",
            Operation::CreateAppRoleAssignment => {
                "Privileged Role Administrator (the least role that can assign Microsoft Graph app roles)"
            }
            Operation::Batch => "the role of each batched operation",
        }
    }

    /// What `PermissionDenied.needed` says: the permission for an app, the role for a user.
    pub fn needed(self) -> String {
        format!(
            "application permission {} (admin-consented), or for a signed-in admin the {} role",
            self.permission(),
            self.role()
        )
    }

    /// True when sending the request twice has the same effect as once (GET, PUT, PATCH).
    ///
    /// Creates are not: after a lost response they are read back and converged, never resent blindly.
    pub fn is_idempotent(self) -> bool {
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
    }
}
