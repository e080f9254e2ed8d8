//! The demo tenant every [`Preset`](crate::Preset) seeds: fixed, documented ids so guides and tests
//! can copy-paste them.
//!
//! | User | UPN | Role | Object id |
//! |---|---|---|---|
//! | Ada Admin | `admin@contoso.example` | Global Administrator | `a0000001-0000-4000-8000-000000000001` |
//! | Pim Privileged | `pra@contoso.example` | Privileged Role Administrator | `a0000002-0000-4000-8000-000000000002` |
//! | Cas Cloud | `cloudadmin@contoso.example` | Cloud Application Administrator | `a0000003-0000-4000-8000-000000000003` |
//! | Aafke Apps | `appadmin@contoso.example` | Application Administrator | `a0000004-0000-4000-8000-000000000004` |
//! | Rik Reader | `reader@contoso.example` | Global Reader | `a0000005-0000-4000-8000-000000000005` |
//! | Eva Jansen | `eva@contoso.example` | (member) | `a0000006-0000-4000-8000-000000000006` |
//! | Sam de Vries | `sam@contoso.example` | (member) | `a0000007-0000-4000-8000-000000000007` |
//!
//! The group "Consent Reviewers" (`b0000001-0000-4000-8000-000000000001`) contains Cas Cloud. Every
//! seeded user signs in with [`PASSWORD`]. The tenant id is [`TENANT_ID`]; the app is
//! [`carerix_app`], published by an unverified publisher.

use consent::{AppId, AppRegistration, ObjectId, ScopeSet, TenantId};
use uuid::Uuid;

use crate::roles::DirectoryRole;

const fn oid(v: u128) -> ObjectId {
    ObjectId::from_uuid(Uuid::from_u128(v))
}

/// The demo tenant's id.
pub const TENANT_ID: TenantId = TenantId::from_uuid(Uuid::from_u128(0x5f1e6c2a_8d7b_4e3f_9a10_2b6c4d8e0f11));
/// The password of every seeded demo user (a mock tenant's, not a secret anywhere else).
pub const PASSWORD: &str = "Contoso-Demo-2026!";

/// The Global Administrator's UPN (also seeded by [`MockTenant::new`](crate::MockTenant::new)).
pub const ADMIN_UPN: &str = "admin@contoso.example";
/// The Global Administrator's object id.
pub const ADMIN_ID: ObjectId = oid(0xa0000001_0000_4000_8000_000000000001);
/// The Privileged Role Administrator's UPN.
pub const PRA_UPN: &str = "pra@contoso.example";
/// The Privileged Role Administrator's object id.
pub const PRA_ID: ObjectId = oid(0xa0000002_0000_4000_8000_000000000002);
/// The Cloud Application Administrator's UPN (member of the reviewers group).
pub const CLOUD_ADMIN_UPN: &str = "cloudadmin@contoso.example";
/// The Cloud Application Administrator's object id.
pub const CLOUD_ADMIN_ID: ObjectId = oid(0xa0000003_0000_4000_8000_000000000003);
/// The Application Administrator's UPN.
pub const APP_ADMIN_UPN: &str = "appadmin@contoso.example";
/// The Application Administrator's object id.
pub const APP_ADMIN_ID: ObjectId = oid(0xa0000004_0000_4000_8000_000000000004);
/// The Global Reader's UPN.
pub const READER_UPN: &str = "reader@contoso.example";
/// The Global Reader's object id.
pub const READER_ID: ObjectId = oid(0xa0000005_0000_4000_8000_000000000005);
/// A plain member's UPN (the recruiter who links her calendar).
pub const EVA_UPN: &str = "eva@contoso.example";
/// Eva's object id.
pub const EVA_ID: ObjectId = oid(0xa0000006_0000_4000_8000_000000000006);
/// Another plain member's UPN.
pub const SAM_UPN: &str = "sam@contoso.example";
/// Sam's object id.
pub const SAM_ID: ObjectId = oid(0xa0000007_0000_4000_8000_000000000007);
/// The "Consent Reviewers" group's object id.
pub const REVIEWERS_GROUP_ID: ObjectId = oid(0xb0000001_0000_4000_8000_000000000001);
/// The "Consent Reviewers" group's display name.
pub const REVIEWERS_GROUP_NAME: &str = "Consent Reviewers";
/// The demo app's application (client) id.
pub const CARERIX_APP_ID: AppId = AppId::from_uuid(Uuid::from_u128(0x4b3c6a52_2f1d_4c7e_9a38_6f0e4d2b8c11));
/// The demo app's delegated scopes on Microsoft Graph.
pub const CARERIX_SCOPES: &str = "Calendars.ReadWrite User.Read offline_access";

/// The seeded users: (object id, display name, UPN, role).
pub const USERS: &[(ObjectId, &str, &str, Option<DirectoryRole>)] = &[
    (ADMIN_ID, "Ada Admin", ADMIN_UPN, Some(DirectoryRole::GlobalAdministrator)),
    (PRA_ID, "Pim Privileged", PRA_UPN, Some(DirectoryRole::PrivilegedRoleAdministrator)),
    (
        CLOUD_ADMIN_ID,
        "Cas Cloud",
        CLOUD_ADMIN_UPN,
        Some(DirectoryRole::CloudApplicationAdministrator),
    ),
    (
        APP_ADMIN_ID,
        "Aafke Apps",
        APP_ADMIN_UPN,
        Some(DirectoryRole::ApplicationAdministrator),
    ),
    (READER_ID, "Rik Reader", READER_UPN, Some(DirectoryRole::GlobalReader)),
    (EVA_ID, "Eva Jansen", EVA_UPN, None),
    (SAM_ID, "Sam de Vries", SAM_UPN, None),
];

/// The recruitment CRM's calendar integration: "Carerix Calendar - Production", asking Microsoft
/// Graph for `Calendars.ReadWrite User.Read offline_access`.
pub fn carerix_app() -> AppRegistration {
    // The literal is three valid scope values; parsing cannot fail, and an empty set would be
    // caught by the unit test below.
    let scopes = ScopeSet::parse(CARERIX_SCOPES).unwrap_or_default();
    AppRegistration::new(CARERIX_APP_ID, "Carerix Calendar - Production").with_delegated(AppId::MICROSOFT_GRAPH, scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carerix_app_asks_for_the_calendar_scopes() {
        let app = carerix_app();
        assert_eq!(app.app_id.to_string(), "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11");
        assert_eq!(app.delegated_scopes().to_wire(), CARERIX_SCOPES);
        assert!(!app.needs_app_roles());
    }

    #[test]
    fn seeded_ids_are_distinct_and_printable() {
        let mut ids: Vec<String> = USERS.iter().map(|u| u.0.to_string()).collect();
        ids.push(REVIEWERS_GROUP_ID.to_string());
        assert_eq!(ids[0], "a0000001-0000-4000-8000-000000000001");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), USERS.len() + 1);
        assert_eq!(TENANT_ID.to_string(), "5f1e6c2a-8d7b-4e3f-9a10-2b6c4d8e0f11");
    }
}
