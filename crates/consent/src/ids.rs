//! Validated identifiers: tenants, applications and directory objects.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};

/// Parses a GUID in the canonical hyphenated form Graph uses (case-insensitive, no braces).
fn parse_guid(field: &'static str, s: &str) -> Result<Uuid> {
    let bytes = s.as_bytes();
    let hyphens_ok = bytes.len() == 36 && [8, 13, 18, 23].iter().all(|&i| bytes[i] == b'-');
    if !hyphens_ok {
        return Err(Error::invalid(
            field,
            format!("{:?} is not a GUID (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", truncate(s)),
        ));
    }
    Uuid::parse_str(s).map_err(|_| Error::invalid(field, format!("{:?} is not a GUID", truncate(s))))
}

/// Shortens outside input before it is echoed in an error message.
pub(crate) fn truncate(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

macro_rules! guid_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Uuid);

        impl $name {
            /// Parses and validates a GUID string.
            pub fn parse(s: &str) -> Result<Self> {
                parse_guid($field, s.trim()).map(Self)
            }
            /// Wraps an already-validated GUID.
            pub const fn from_uuid(u: Uuid) -> Self {
                Self(u)
            }
            /// Generates a new random identifier (mock objects, tests).
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
            /// The GUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(s: String) -> Result<Self> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }
    };
}

guid_id!(
    /// An application (client) id: the `appId` of an app registration, the same in every tenant.
    AppId,
    "app_id"
);
guid_id!(
    /// A directory object id (user, group, service principal, …), unique within one tenant.
    ObjectId,
    "object_id"
);

impl AppId {
    /// Microsoft Graph's well-known application id.
    pub const MICROSOFT_GRAPH: AppId = AppId(Uuid::from_u128(0x00000003_0000_0000_c000_000000000000));
}

/// A Microsoft Entra tenant: its GUID, or one of its verified domains (e.g. `contoso.onmicrosoft.com`).
///
/// The multi-tenant aliases `common`, `organizations` and `consumers` are refused: they do not name a
/// tenant, and Microsoft refuses `common` on the admin-consent endpoint. Link flows that may use
/// `organizations` have their own authority type.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(TenantRepr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum TenantRepr {
    Guid(Uuid),
    Domain(String),
}

impl TenantId {
    /// Parses a tenant GUID or a domain name.
    pub fn parse(s: &str) -> Result<Self> {
        let s = s.trim();
        if s.is_empty() {
            return Err(Error::invalid("tenant", "is empty; pass the tenant GUID or a verified domain"));
        }
        let lower = s.to_ascii_lowercase();
        if matches!(lower.as_str(), "common" | "organizations" | "consumers") {
            return Err(Error::invalid(
                "tenant",
                format!("{lower:?} is a multi-tenant alias, not a tenant; pass the customer's tenant GUID or verified domain"),
            ));
        }
        if s.len() == 36 && s.as_bytes()[8] == b'-' {
            return parse_guid("tenant", s).map(|u| Self(TenantRepr::Guid(u)));
        }
        validate_domain(&lower)?;
        Ok(Self(TenantRepr::Domain(lower)))
    }

    /// A tenant identified by GUID.
    pub const fn from_uuid(u: Uuid) -> Self {
        Self(TenantRepr::Guid(u))
    }

    /// The GUID, when the tenant was given by GUID.
    pub fn as_uuid(&self) -> Option<Uuid> {
        match &self.0 {
            TenantRepr::Guid(u) => Some(*u),
            TenantRepr::Domain(_) => None,
        }
    }
}

fn validate_domain(d: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::invalid(
            "tenant",
            format!("{:?} is neither a GUID nor a domain name: {why}", truncate(d)),
        ))
    };
    if d.len() > 253 {
        return bad("longer than 253 characters");
    }
    let labels: Vec<&str> = d.split('.').collect();
    if labels.len() < 2 {
        return bad("a domain needs at least one dot (e.g. contoso.onmicrosoft.com)");
    }
    for label in labels {
        let ok_chars = label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if label.is_empty() || label.len() > 63 || !ok_chars || label.starts_with('-') || label.ends_with('-') {
            return bad("each label must be 1-63 letters, digits or inner hyphens");
        }
    }
    Ok(())
}

impl FromStr for TenantId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
impl TryFrom<String> for TenantId {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.to_string()
    }
}
impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            TenantRepr::Guid(u) => fmt::Display::fmt(&u.hyphenated(), f),
            TenantRepr::Domain(d) => f.write_str(d),
        }
    }
}
impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TenantId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_parse_case_insensitively_and_print_lowercase() {
        let id = AppId::parse("C1C1C1C1-0000-4000-8000-000000000002").unwrap();
        assert_eq!(id.to_string(), "c1c1c1c1-0000-4000-8000-000000000002");
    }

    #[test]
    fn malformed_guids_name_the_field() {
        for bad in [
            "",
            "1234",
            "{c1c1c1c1-0000-4000-8000-000000000002}",
            "c1c1c1c10000400080000000000000000002",
            "zzzzzzzz-0000-4000-8000-000000000002",
        ] {
            match AppId::parse(bad) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "app_id"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn tenant_accepts_guid_and_domain_refuses_aliases() {
        assert!(TenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap().as_uuid().is_some());
        assert_eq!(
            TenantId::parse("Contoso.OnMicrosoft.com").unwrap().to_string(),
            "contoso.onmicrosoft.com"
        );
        for alias in ["common", "Organizations", "consumers"] {
            let err = TenantId::parse(alias).unwrap_err().to_string();
            assert!(err.contains("multi-tenant alias"), "{err}");
        }
        for bad in ["contoso", "-bad.com", "a..b", "with space.com", "x/y.com"] {
            assert!(TenantId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn microsoft_graph_app_id_is_well_known() {
        assert_eq!(AppId::MICROSOFT_GRAPH.to_string(), "00000003-0000-0000-c000-000000000000");
    }

    proptest::proptest! {
        #[test]
        fn id_parsers_never_panic(s in ".{0,80}") {
            let _ = AppId::parse(&s);
            let _ = ObjectId::parse(&s);
            let _ = TenantId::parse(&s);
        }
    }
}
