//! Directory roles that matter for consent, with their real role template ids.

use std::fmt;
use std::str::FromStr;

use consent::{Error, ObjectId, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A built-in Entra directory role relevant to consent. A plain member simply holds no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DirectoryRole {
    /// Can do everything, including granting Microsoft Graph app roles (`microsoft-company-admin`).
    GlobalAdministrator,
    /// Can grant any permission on any API, including Microsoft Graph app roles (Microsoft Learn: "Grant tenant-wide admin consent to an application").
    PrivilegedRoleAdministrator,
    /// Can configure the workflow and grant consent except for Microsoft Graph app roles.
    CloudApplicationAdministrator,
    /// Like Cloud Application Administrator, plus app proxy settings.
    ApplicationAdministrator,
    /// Can read everything, change nothing.
    GlobalReader,
}

impl DirectoryRole {
    /// Every role, most privileged first.
    pub const ALL: [DirectoryRole; 5] = [
        DirectoryRole::GlobalAdministrator,
        DirectoryRole::PrivilegedRoleAdministrator,
        DirectoryRole::CloudApplicationAdministrator,
        DirectoryRole::ApplicationAdministrator,
        DirectoryRole::GlobalReader,
    ];

    /// The role template id, the same in every tenant (what `Reviewer::Role` names).
    pub const fn template_id(self) -> ObjectId {
        let id = match self {
            DirectoryRole::GlobalAdministrator => 0x62e90394_69f5_4237_9190_012177145e10,
            DirectoryRole::PrivilegedRoleAdministrator => 0xe8611ab8_c189_46e8_94e1_60213ab1f814,
            DirectoryRole::CloudApplicationAdministrator => 0x158c047a_c907_4556_b7ef_446551a6b5f7,
            DirectoryRole::ApplicationAdministrator => 0x9b895d92_2cd3_44c7_9d02_a6ac2d5ea5c3,
            DirectoryRole::GlobalReader => 0xf2ef992c_3afb_46b9_b7cf_a126ee74c451,
        };
        ObjectId::from_uuid(Uuid::from_u128(id))
    }

    /// The role's name as the Entra admin center shows it.
    pub const fn display_name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "Global Administrator",
            DirectoryRole::PrivilegedRoleAdministrator => "Privileged Role Administrator",
            DirectoryRole::CloudApplicationAdministrator => "Cloud Application Administrator",
            DirectoryRole::ApplicationAdministrator => "Application Administrator",
            DirectoryRole::GlobalReader => "Global Reader",
        }
    }

    /// The kebab-case name used on command lines and in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            DirectoryRole::GlobalAdministrator => "global-administrator",
            DirectoryRole::PrivilegedRoleAdministrator => "privileged-role-administrator",
            DirectoryRole::CloudApplicationAdministrator => "cloud-application-administrator",
            DirectoryRole::ApplicationAdministrator => "application-administrator",
            DirectoryRole::GlobalReader => "global-reader",
        }
    }

    /// The role whose template id is `id`, if it is one of these.
    pub fn from_template_id(id: ObjectId) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.template_id() == id)
    }
}

impl fmt::Display for DirectoryRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

/// Parses the kebab-case name, the display name (any case), an abbreviation (`ga`, `pra`, `caa`,
/// `aa`, `gr`) or the role template id.
impl FromStr for DirectoryRole {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        let key = t.to_ascii_lowercase().replace([' ', '_'], "-");
        let by_name = Self::ALL
            .into_iter()
            .find(|r| r.name() == key || abbreviation(*r) == key || r.display_name().eq_ignore_ascii_case(t));
        let by_id = || ObjectId::parse(t).ok().and_then(Self::from_template_id);
        by_name.or_else(by_id).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|r| r.name()).collect();
            Error::invalid(
                "role",
                format!("{t:?} is not a known directory role; use one of {}", names.join(", ")),
            )
        })
    }
}

fn abbreviation(r: DirectoryRole) -> &'static str {
    match r {
        DirectoryRole::GlobalAdministrator => "ga",
        DirectoryRole::PrivilegedRoleAdministrator => "pra",
        DirectoryRole::CloudApplicationAdministrator => "caa",
        DirectoryRole::ApplicationAdministrator => "aa",
        DirectoryRole::GlobalReader => "gr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_are_the_real_ones() {
        assert_eq!(
            DirectoryRole::GlobalAdministrator.template_id().to_string(),
            "62e90394-69f5-4237-9190-012177145e10"
        );
        assert_eq!(
            DirectoryRole::PrivilegedRoleAdministrator.template_id().to_string(),
            "e8611ab8-c189-46e8-94e1-60213ab1f814"
        );
        assert_eq!(
            DirectoryRole::CloudApplicationAdministrator.template_id().to_string(),
            "158c047a-c907-4556-b7ef-446551a6b5f7"
        );
        assert_eq!(
            DirectoryRole::ApplicationAdministrator.template_id().to_string(),
            "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
        );
        assert_eq!(
            DirectoryRole::GlobalReader.template_id().to_string(),
            "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
        );
    }

    #[test]
    fn parses_names_abbreviations_and_ids() {
        for r in DirectoryRole::ALL {
            assert_eq!(r.name().parse::<DirectoryRole>().unwrap(), r);
            assert_eq!(r.display_name().to_uppercase().parse::<DirectoryRole>().unwrap(), r);
            assert_eq!(r.template_id().to_string().parse::<DirectoryRole>().unwrap(), r);
            assert_eq!(abbreviation(r).parse::<DirectoryRole>().unwrap(), r);
        }
        let err = "owner".parse::<DirectoryRole>().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "role", .. }), "{err:?}");
        assert!(err.to_string().contains("global-reader"));
    }
}
