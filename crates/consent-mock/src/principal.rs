//! Who is acting, and the permission tables that decide what they may do.
//!
//! Each [`Rule`] is one row of the reference's permission tables: the directory roles a delegated
//! caller may hold, and the application permissions an app-only caller may hold. A refusal names the
//! least role and the least permission, as `Error::PermissionDenied { needed }`.

use std::fmt;

use consent::{Error, ObjectId, Operation, Result};
use serde::{Deserialize, Serialize};

use crate::directory::MockUser;
use crate::roles::DirectoryRole::{self, *};
use crate::state::TenantState;

/// The principal a [`MockGraph`](crate::MockGraph) acts as.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Principal {
    /// A signed-in user (delegated token); their directory roles decide.
    User {
        /// The user's object id.
        id: ObjectId,
    },
    /// An app-only token holding these application permissions (e.g. `Policy.ReadWrite.ConsentRequest`).
    App {
        /// Application permissions granted to the calling app.
        permissions: Vec<String>,
    },
}

impl Principal {
    /// The user id, for a user principal.
    pub fn user_id(&self) -> Option<ObjectId> {
        match self {
            Principal::User { id } => Some(*id),
            Principal::App { .. } => None,
        }
    }

    fn has_permission(&self, wanted: &[&str]) -> bool {
        match self {
            Principal::App { permissions } => permissions.iter().any(|p| wanted.iter().any(|w| p.eq_ignore_ascii_case(w))),
            Principal::User { .. } => false,
        }
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Principal::User { id } => write!(f, "User({id})"),
            Principal::App { permissions } => write!(f, "App({})", permissions.join(" ")),
        }
    }
}

/// One row of a permission table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    /// The port operation it guards: its refusal is [`Operation::permission_denied`], worded as the
    /// Graph backend words a 403 for the same operation.
    pub op: Operation,
    /// Roles that allow it for a delegated caller; the first is the least privileged.
    pub roles: &'static [DirectoryRole],
    /// True when any signed-in user may do it (default user permissions).
    pub any_user: bool,
    /// Application permissions that allow it; the first is the least privileged.
    pub permissions: &'static [&'static str],
    /// A second application permission an app-only caller needs as well (one of these).
    pub also_permissions: &'static [&'static str],
}

const READERS: &[DirectoryRole] = &[
    GlobalReader,
    CloudApplicationAdministrator,
    ApplicationAdministrator,
    GlobalAdministrator,
];

/// Microsoft Learn: "adminConsentRequestPolicy resource type": get the request policy. Privileged Role Administrator is added [I]: it may grant
/// any consent (Microsoft Learn "Grant tenant-wide admin consent to an application"), and approving starts by reading the workflow's state.
pub(crate) const GET_REQUEST_POLICY: Rule = Rule {
    op: Operation::GetRequestPolicy,
    roles: &[
        GlobalReader,
        CloudApplicationAdministrator,
        ApplicationAdministrator,
        PrivilegedRoleAdministrator,
        GlobalAdministrator,
    ],
    any_user: false,
    permissions: &["Policy.Read.All", "Policy.ReadWrite.ConsentRequest", "Directory.Read.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "adminConsentRequestPolicy resource type": update the request policy (Global Administrator kept, per the older page).
pub(crate) const PUT_REQUEST_POLICY: Rule = Rule {
    op: Operation::PutRequestPolicy,
    roles: &[CloudApplicationAdministrator, ApplicationAdministrator, GlobalAdministrator],
    any_user: false,
    permissions: &["Policy.ReadWrite.ConsentRequest", "Directory.ReadWrite.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "authorizationPolicy resource type": the authorization policy is readable with default user permissions; app-only
/// callers need `Policy.Read.All`.
pub(crate) const GET_AUTHORIZATION_POLICY: Rule = Rule {
    op: Operation::GetAuthorizationPolicy,
    roles: &[],
    any_user: true,
    permissions: &["Policy.Read.All", "Policy.ReadWrite.Authorization", "Directory.Read.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "appConsentRequest resource type": consent requests. Users without a reader role are not refused: they see only the
/// requests they review (see `requests::visible_to`), so only app-only callers can fail this rule.
pub(crate) const READ_REQUESTS: Rule = Rule {
    op: Operation::ListAppConsentRequests,
    roles: READERS,
    any_user: true,
    permissions: &["ConsentRequest.Read.All", "ConsentRequest.ReadWrite.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "servicePrincipal resource type": service principals are readable by every member.
pub(crate) const READ_SERVICE_PRINCIPALS: Rule = Rule {
    op: Operation::GetServicePrincipal,
    roles: &[],
    any_user: true,
    permissions: &["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "servicePrincipal resource type": create a service principal. Privileged Role Administrator is included because it
/// may grant any consent (Microsoft Learn "Grant tenant-wide admin consent to an application"), which provisions the client [I].
pub(crate) const CREATE_SERVICE_PRINCIPAL: Rule = Rule {
    op: Operation::CreateServicePrincipal,
    roles: &[
        CloudApplicationAdministrator,
        ApplicationAdministrator,
        PrivilegedRoleAdministrator,
        GlobalAdministrator,
    ],
    any_user: false,
    permissions: &["Application.ReadWrite.All", "Directory.ReadWrite.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "oAuth2PermissionGrant resource type": read delegated grants.
pub(crate) const READ_GRANTS: Rule = Rule {
    op: Operation::ListDelegatedGrants,
    roles: &[
        GlobalReader,
        CloudApplicationAdministrator,
        ApplicationAdministrator,
        PrivilegedRoleAdministrator,
        GlobalAdministrator,
    ],
    any_user: false,
    permissions: &[
        "Directory.Read.All",
        "DelegatedPermissionGrant.ReadWrite.All",
        "Directory.ReadWrite.All",
    ],
    also_permissions: &[],
};

/// Microsoft Learn: "oAuth2PermissionGrant resource type"; "Grant tenant-wide admin consent to an application": write delegated grants (tenant-wide consent).
pub(crate) const WRITE_GRANTS: Rule = Rule {
    op: Operation::CreateDelegatedGrant,
    roles: &[
        CloudApplicationAdministrator,
        ApplicationAdministrator,
        PrivilegedRoleAdministrator,
        GlobalAdministrator,
    ],
    any_user: false,
    permissions: &["DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"],
    also_permissions: &[],
};

/// Microsoft Learn: "Delete oAuth2PermissionGrant": the same roles and permissions as writing one.
pub(crate) const DELETE_GRANTS: Rule = Rule {
    op: Operation::DeleteDelegatedGrant,
    ..WRITE_GRANTS
};

/// Microsoft Learn: "appRoleAssignment resource type": read app-role assignments.
pub(crate) const READ_ASSIGNMENTS: Rule = Rule {
    op: Operation::ListAppRoleAssignments,
    roles: READ_GRANTS.roles,
    any_user: false,
    permissions: &["Application.Read.All", "AppRoleAssignment.ReadWrite.All", "Directory.Read.All"],
    also_permissions: &[],
};

const APP_ROLE_WRITE_PERMISSIONS: &[&str] = &["AppRoleAssignment.ReadWrite.All"];
/// Microsoft Learn: "appRoleAssignment resource type" (issue #3476): `AppRoleAssignment.ReadWrite.All` alone gets 403.
const APP_ROLE_WRITE_ALSO: &[&str] = &["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All"];

/// Microsoft Learn: "appRoleAssignment resource type"; "Grant tenant-wide admin consent to an application": assign an app role of Microsoft Graph — Privileged Role Administrator is the
/// least role; Cloud Application / Application Administrator may not.
pub(crate) const ASSIGN_GRAPH_APP_ROLE: Rule = Rule {
    op: Operation::CreateAppRoleAssignment,
    roles: &[PrivilegedRoleAdministrator, GlobalAdministrator],
    any_user: false,
    permissions: APP_ROLE_WRITE_PERMISSIONS,
    also_permissions: APP_ROLE_WRITE_ALSO,
};

/// Microsoft Learn: "appRoleAssignment resource type"; "Grant tenant-wide admin consent to an application": assign an app role of any other API.
pub(crate) const ASSIGN_APP_ROLE: Rule = Rule {
    op: Operation::CreateAppRoleAssignment,
    roles: &[
        CloudApplicationAdministrator,
        ApplicationAdministrator,
        PrivilegedRoleAdministrator,
        GlobalAdministrator,
    ],
    any_user: false,
    permissions: APP_ROLE_WRITE_PERMISSIONS,
    also_permissions: APP_ROLE_WRITE_ALSO,
};

/// Reference §4.3: PATCH a delegated grant's scope; allowed like [`WRITE_GRANTS`], refused naming the update.
pub(crate) const UPDATE_GRANTS: Rule = Rule {
    op: Operation::UpdateDelegatedGrant,
    ..WRITE_GRANTS
};

impl Rule {
    fn denied(&self) -> Error {
        self.op.permission_denied()
    }
}

impl TenantState {
    /// The acting user, or `Unauthenticated` when the principal names no user of this tenant.
    pub(crate) fn acting_user(&self, principal: &Principal) -> Result<Option<&MockUser>> {
        match principal.user_id() {
            None => Ok(None),
            Some(id) => self.user(id).map(Some).ok_or_else(|| {
                Error::unauthenticated(format!(
                    "user {id} does not exist in tenant {}; sign in with a user of this tenant",
                    self.tenant_id
                ))
            }),
        }
    }

    /// Checks `rule` for `principal`; `Ok` when allowed.
    pub(crate) fn require(&self, principal: &Principal, rule: &Rule) -> Result<()> {
        let allowed = match self.acting_user(principal)? {
            Some(user) => rule.any_user || user.has_any_role(rule.roles),
            None => {
                principal.has_permission(rule.permissions)
                    && (rule.also_permissions.is_empty() || principal.has_permission(rule.also_permissions))
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(rule.denied())
        }
    }

    /// True when the acting user holds one of `roles` (always false for an app).
    pub(crate) fn user_has_role(&self, principal: &Principal, roles: &[DirectoryRole]) -> bool {
        principal
            .user_id()
            .and_then(|id| self.user(id))
            .is_some_and(|u| u.has_any_role(roles))
    }
}

/// Microsoft Learn: "Delete appRoleAssignedTo": removing an assignment of a Microsoft Graph app role
/// needs what assigning it needs.
pub(crate) const REMOVE_GRAPH_APP_ROLE: Rule = Rule {
    op: Operation::DeleteAppRoleAssignment,
    ..ASSIGN_GRAPH_APP_ROLE
};

/// Microsoft Learn: "Delete appRoleAssignedTo": removing an assignment of any other API's app role.
pub(crate) const REMOVE_APP_ROLE: Rule = Rule {
    op: Operation::DeleteAppRoleAssignment,
    ..ASSIGN_APP_ROLE
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needed_names_least_role_and_permission() {
        let n = PUT_REQUEST_POLICY.op.needed();
        assert!(
            n.contains("Cloud Application Administrator") && n.contains("Policy.ReadWrite.ConsentRequest"),
            "{n}"
        );
        let n = ASSIGN_GRAPH_APP_ROLE.op.needed();
        assert!(
            n.contains("Privileged Role Administrator") && n.contains("Application.Read.All"),
            "{n}"
        );
    }

    #[test]
    fn app_permissions_compare_case_insensitively() {
        let p = Principal::App {
            permissions: vec!["policy.readwrite.consentrequest".into()],
        };
        assert!(p.has_permission(PUT_REQUEST_POLICY.permissions));
        assert!(!p.has_permission(WRITE_GRANTS.permissions));
    }
}
