//! Microsoft Graph's published permissions that calendar sync and sign-in use, with their real ids
//! (Microsoft Learn: "Microsoft Graph permissions reference"). The mock tenant seeds Microsoft Graph's service principal from this list, and
//! scope preflight checks requested scopes against it.

use uuid::Uuid;

use crate::directory::{AppRole, PermissionConsentType, PermissionScope, ServicePrincipal};
use crate::ids::{AppId, ObjectId};

/// A delegated permission: value, id, who may consent, admin-facing description.
pub const GRAPH_DELEGATED: &[(&str, &str, PermissionConsentType, &str)] = &[
    (
        "User.Read",
        "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
        PermissionConsentType::User,
        "Sign in and read user profile",
    ),
    (
        "openid",
        "37f7f235-527c-4136-accd-4a02d197296e",
        PermissionConsentType::User,
        "Sign users in",
    ),
    (
        "profile",
        "14dad69e-099b-42c9-810b-d002981feec1",
        PermissionConsentType::User,
        "View users' basic profile",
    ),
    (
        "email",
        "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
        PermissionConsentType::User,
        "View users' email address",
    ),
    (
        "offline_access",
        "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
        PermissionConsentType::User,
        "Maintain access to data you have given it access to",
    ),
    (
        "Calendars.ReadBasic",
        "662d75ba-a364-42ad-adee-f5f880ea4878",
        PermissionConsentType::User,
        "Read basic details of user calendars",
    ),
    (
        "Calendars.Read",
        "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42",
        PermissionConsentType::User,
        "Read user calendars",
    ),
    (
        "Calendars.ReadWrite",
        "1ec239c2-d7c9-4623-a91a-a9775856bb36",
        PermissionConsentType::User,
        "Have full access to user calendars",
    ),
    (
        "Calendars.Read.Shared",
        "2b9c4092-424d-4249-948d-b43879977640",
        PermissionConsentType::User,
        "Read user and shared calendars",
    ),
    (
        "Calendars.ReadWrite.Shared",
        "12466101-c9b8-439a-8589-dd09ee67e8e9",
        PermissionConsentType::User,
        "Read and write user and shared calendars",
    ),
    (
        "MailboxSettings.Read",
        "87f447af-9fa4-4c32-9dfa-4a57a73d18ce",
        PermissionConsentType::User,
        "Read user mailbox settings",
    ),
    (
        "MailboxSettings.ReadWrite",
        "818c620a-27a9-40bd-a6a5-d96f7d610b4b",
        PermissionConsentType::User,
        "Read and write user mailbox settings",
    ),
    (
        "User.Read.All",
        "a154be20-db9c-4678-8ab7-66f6cc099a59",
        PermissionConsentType::Admin,
        "Read all users' full profiles",
    ),
    (
        "Group.Read.All",
        "5f8c59db-677d-491f-a6b8-5f174b11ec1d",
        PermissionConsentType::Admin,
        "Read all groups",
    ),
];

/// An application permission (app role): value, id, description.
pub const GRAPH_APP_ROLES: &[(&str, &str, &str)] = &[
    (
        "Calendars.ReadBasic.All",
        "8ba4a692-bc31-4128-9094-475872af8a53",
        "Read basic details of calendars in all mailboxes",
    ),
    (
        "Calendars.Read",
        "798ee544-9d2d-430c-a058-570e29e34338",
        "Read calendars in all mailboxes",
    ),
    (
        "Calendars.ReadWrite",
        "ef54d2bf-783f-4e0f-bca1-3210c0444d99",
        "Read and write calendars in all mailboxes",
    ),
    (
        "User.Read.All",
        "df021288-bdef-4463-88db-98f22de89214",
        "Read all users' full profiles",
    ),
    (
        "Application.ReadWrite.All",
        "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
        "Read and write all applications",
    ),
];

fn uuid(s: &str) -> Uuid {
    // The table above is a compile-time constant of valid GUIDs; a typo is caught by the unit test.
    Uuid::parse_str(s).unwrap_or(Uuid::nil())
}

/// Microsoft Graph's delegated permissions from the catalog.
pub fn graph_permission_scopes() -> Vec<PermissionScope> {
    GRAPH_DELEGATED
        .iter()
        .map(|(value, id, kind, desc)| PermissionScope {
            id: uuid(id),
            value: (*value).to_owned(),
            consent_type: *kind,
            admin_consent_display_name: Some((*desc).to_owned()),
            user_consent_display_name: Some((*desc).to_owned()),
            is_enabled: true,
        })
        .collect()
}

/// Microsoft Graph's application permissions from the catalog.
pub fn graph_app_roles() -> Vec<AppRole> {
    GRAPH_APP_ROLES
        .iter()
        .map(|(value, id, desc)| AppRole {
            id: uuid(id),
            value: Some((*value).to_owned()),
            display_name: Some((*desc).to_owned()),
            allowed_member_types: vec!["Application".to_owned()],
            is_enabled: true,
        })
        .collect()
}

/// Microsoft Graph's service principal as a tenant would hold it, with object id `id`.
pub fn microsoft_graph_service_principal(id: ObjectId) -> ServicePrincipal {
    ServicePrincipal {
        id,
        app_id: AppId::MICROSOFT_GRAPH,
        display_name: Some("Microsoft Graph".to_owned()),
        account_enabled: true,
        app_role_assignment_required: false,
        app_roles: graph_app_roles().into(),
        oauth2_permission_scopes: graph_permission_scopes().into(),
        verified_publisher: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_are_valid_and_unique() {
        let mut ids: Vec<&str> = GRAPH_DELEGATED
            .iter()
            .map(|d| d.1)
            .chain(GRAPH_APP_ROLES.iter().map(|r| r.1))
            .collect();
        for id in &ids {
            assert!(Uuid::parse_str(id).is_ok(), "{id}");
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), GRAPH_DELEGATED.len() + GRAPH_APP_ROLES.len());
    }
}
