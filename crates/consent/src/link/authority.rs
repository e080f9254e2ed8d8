//! Where link URLs may point: the sign-in authority, the tenant segment, and the redirect URI.
//!
//! Each is a validated type so that a URL built from them can only reach Microsoft's sign-in hosts
//! (or a loopback emulator) and only come back to a redirect URI a browser cannot be tricked into
//! sending over plain HTTP to another machine.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

use crate::error::{Error, Result};
use crate::ids::{truncate, TenantId};

/// The Microsoft identity platform host that serves the authorize and admin-consent endpoints.
///
/// Only Microsoft's clouds and a loopback emulator are representable, so a misconfigured or
/// attacker-supplied host cannot receive users' sign-ins.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Authority {
    /// Microsoft's global cloud, `https://login.microsoftonline.com` (the default).
    #[default]
    Global,
    /// The US Government cloud, `https://login.microsoftonline.us`.
    UsGovernment,
    /// Microsoft Azure operated by 21Vianet (China), `https://login.chinacloudapi.cn`.
    China,
    /// A local emulator or test server on `http://127.0.0.1:PORT`, `http://localhost:PORT` or
    /// `http://[::1]:PORT`.
    Loopback(Url),
}

const GLOBAL: &str = "https://login.microsoftonline.com";
const US_GOV: &str = "https://login.microsoftonline.us";
const CHINA: &str = "https://login.chinacloudapi.cn";

impl Authority {
    /// Parses an authority base URL: one of Microsoft's three cloud hosts over https, or a loopback
    /// `http://HOST:PORT` with no path, query or credentials.
    pub fn parse(s: &str) -> Result<Self> {
        let url = Url::parse(s.trim()).map_err(|e| Error::invalid("authority", format!("{:?} is not a URL: {e}", truncate(s))))?;
        if url.username() != "" || url.password().is_some() || url.query().is_some() || url.fragment().is_some() || url.path() != "/" {
            return Err(Error::invalid(
                "authority",
                "must be a bare scheme://host[:port] with no path, query, fragment or credentials",
            ));
        }
        let origin = url.origin().ascii_serialization();
        match origin.as_str() {
            GLOBAL => Ok(Authority::Global),
            US_GOV => Ok(Authority::UsGovernment),
            CHINA => Ok(Authority::China),
            _ if url.scheme() == "http" && is_loopback(&url) && url.port().is_some() => Ok(Authority::Loopback(url)),
            _ => Err(Error::invalid(
                "authority",
                format!(
                    "{:?} is not allowed; use {GLOBAL}, {US_GOV}, {CHINA}, or http://127.0.0.1:PORT (or localhost / [::1]) for a local emulator",
                    truncate(s)
                ),
            )),
        }
    }

    /// The base URL, without a trailing path.
    pub fn base_url(&self) -> Url {
        let s = match self {
            Authority::Global => GLOBAL,
            Authority::UsGovernment => US_GOV,
            Authority::China => CHINA,
            Authority::Loopback(u) => return u.clone(),
        };
        // The three constants are valid absolute URLs (a unit test parses each), not outside input.
        Url::parse(s).unwrap_or_else(|e| unreachable!("constant authority URL {s}: {e}"))
    }

    /// `{base}/{path}` with `path` given as segments (each is percent-encoded as needed).
    pub(crate) fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base_url();
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear().extend(segments);
        }
        url
    }

    /// The OpenID configuration document of `tenant`, whose `issuer` names the tenant's GUID.
    ///
    /// Fetching it turns a verified domain into the tenant GUID, which is how a product confirms an
    /// admin-consent callback for a link that was built for a domain (see
    /// [`AdminConsentOutcome::Granted`](crate::link::AdminConsentOutcome::Granted)).
    pub fn openid_configuration_url(&self, tenant: &LinkTenant) -> Url {
        self.endpoint(&[&tenant.to_path(), "v2.0", ".well-known", "openid-configuration"])
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_url().as_str().trim_end_matches('/'))
    }
}
impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Authority({self})")
    }
}
impl FromStr for Authority {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
impl TryFrom<String> for Authority {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<Authority> for String {
    fn from(a: Authority) -> String {
        a.to_string()
    }
}

/// The tenant segment of a link URL: one customer tenant, or `organizations` (any work or school
/// account, the tenant is learnt at sign-in).
///
/// `common` is refused: it also admits personal Microsoft accounts, which have no tenant admin to
/// approve anything and no work calendar, and Microsoft says not to use it for admin consent.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LinkTenant {
    /// A specific tenant (GUID or verified domain).
    Tenant(TenantId),
    /// Any work or school tenant.
    Organizations,
}

impl LinkTenant {
    /// Parses `organizations`, a tenant GUID or a verified domain; refuses `common` and `consumers`
    /// with the reason.
    pub fn parse(s: &str) -> Result<Self> {
        let trimmed = s.trim();
        match trimmed.to_ascii_lowercase().as_str() {
            "organizations" => Ok(LinkTenant::Organizations),
            "common" => Err(Error::invalid(
                "tenant",
                "\"common\" also admits personal Microsoft accounts, which have no administrator who could approve \
                 and no work calendar, and Microsoft refuses it for admin consent; use \"organizations\" or the customer's tenant",
            )),
            "consumers" => Err(Error::invalid(
                "tenant",
                "\"consumers\" admits only personal Microsoft accounts, which have no admin consent; use \"organizations\" or the customer's tenant",
            )),
            _ => TenantId::parse(trimmed).map(LinkTenant::Tenant),
        }
    }

    /// The specific tenant, if one was named.
    pub fn tenant(&self) -> Option<&TenantId> {
        match self {
            LinkTenant::Tenant(t) => Some(t),
            LinkTenant::Organizations => None,
        }
    }

    /// The string used in URL paths.
    pub fn to_path(&self) -> String {
        match self {
            LinkTenant::Organizations => "organizations".to_owned(),
            LinkTenant::Tenant(t) => t.to_string(),
        }
    }
}

impl From<TenantId> for LinkTenant {
    fn from(t: TenantId) -> Self {
        LinkTenant::Tenant(t)
    }
}
impl fmt::Display for LinkTenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_path())
    }
}
impl fmt::Debug for LinkTenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkTenant({self})")
    }
}
impl FromStr for LinkTenant {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
impl TryFrom<String> for LinkTenant {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<LinkTenant> for String {
    fn from(t: LinkTenant) -> String {
        t.to_path()
    }
}

/// The URI Microsoft redirects the browser back to: `https`, or `http` only on a loopback host
/// (local development), with no fragment and no credentials.
///
/// It must match a redirect URI registered on the app exactly; otherwise Microsoft answers
/// AADSTS50011 on its own page and never redirects.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUri(Url);

impl RedirectUri {
    /// Validates a redirect URI.
    pub fn parse(s: &str) -> Result<Self> {
        let url =
            Url::parse(s.trim()).map_err(|e| Error::invalid("redirect_uri", format!("{:?} is not an absolute URL: {e}", truncate(s))))?;
        if url.fragment().is_some() {
            return Err(Error::invalid(
                "redirect_uri",
                "must not contain a #fragment (OAuth 2.0 forbids it)",
            ));
        }
        if url.username() != "" || url.password().is_some() {
            return Err(Error::invalid("redirect_uri", "must not contain user:password credentials"));
        }
        match url.scheme() {
            "https" if url.host().is_some() => Ok(Self(url)),
            "http" if is_loopback(&url) => Ok(Self(url)),
            "http" => Err(Error::invalid(
                "redirect_uri",
                format!(
                    "{:?} uses http on a non-loopback host; Microsoft only allows http for localhost, so use https",
                    truncate(s)
                ),
            )),
            other => Err(Error::invalid(
                "redirect_uri",
                format!("scheme {other:?} is not allowed; use https (or http on localhost for development)"),
            )),
        }
    }

    /// The URI as sent on the wire.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The URI.
    pub fn as_url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}
impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUri({})", self.0)
    }
}
impl FromStr for RedirectUri {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}
impl TryFrom<String> for RedirectUri {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}
impl From<RedirectUri> for String {
    fn from(r: RedirectUri) -> String {
        r.0.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_clouds_and_loopback_are_the_only_authorities() {
        assert_eq!(Authority::parse("https://login.microsoftonline.com").unwrap(), Authority::Global);
        assert_eq!(Authority::parse("https://login.microsoftonline.com/").unwrap(), Authority::Global);
        assert_eq!(
            Authority::parse("https://LOGIN.microsoftonline.us").unwrap(),
            Authority::UsGovernment
        );
        assert_eq!(Authority::parse("https://login.chinacloudapi.cn").unwrap(), Authority::China);
        for ok in ["http://127.0.0.1:8400", "http://localhost:3000", "http://[::1]:9000"] {
            assert!(matches!(Authority::parse(ok).unwrap(), Authority::Loopback(_)), "{ok}");
        }
        for bad in [
            "http://login.microsoftonline.com",
            "https://login.microsoftonline.com.evil.example",
            "https://evil.example",
            "https://login.microsoftonline.com/common",
            "http://127.0.0.1",
            "https://127.0.0.1:8400",
            "http://user:pw@127.0.0.1:8400",
            "http://10.0.0.1:8400",
            "login.microsoftonline.com",
        ] {
            let err = Authority::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "authority", .. }), "{bad}: {err}");
        }
    }

    #[test]
    fn cloud_constants_parse_and_round_trip() {
        for a in [Authority::Global, Authority::UsGovernment, Authority::China] {
            assert_eq!(Authority::parse(&a.to_string()).unwrap(), a);
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<Authority>(&json).unwrap(), a);
        }
        let lo = Authority::parse("http://127.0.0.1:8400").unwrap();
        assert_eq!(lo.to_string(), "http://127.0.0.1:8400");
        assert_eq!(serde_json::from_str::<Authority>(&serde_json::to_string(&lo).unwrap()).unwrap(), lo);
        assert!(serde_json::from_str::<Authority>("\"https://evil.example\"").is_err());
    }

    #[test]
    fn tenant_refuses_common_and_says_why() {
        assert_eq!(LinkTenant::parse("Organizations").unwrap(), LinkTenant::Organizations);
        assert!(LinkTenant::parse("contoso.onmicrosoft.com").unwrap().tenant().is_some());
        let err = LinkTenant::parse("common").unwrap_err().to_string();
        assert!(
            err.contains("personal Microsoft accounts") && err.contains("organizations"),
            "{err}"
        );
        assert!(LinkTenant::parse("consumers").is_err());
        assert!(LinkTenant::parse("not a tenant").is_err());
    }

    #[test]
    fn openid_configuration_url_names_the_tenant() {
        let t = LinkTenant::parse("contoso.com").unwrap();
        let u = Authority::Global.openid_configuration_url(&t);
        assert_eq!(
            u.as_str(),
            "https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration"
        );
    }

    #[test]
    fn redirect_uri_requires_https_except_on_loopback() {
        assert!(RedirectUri::parse("https://crm.example.com/auth/microsoft/callback").is_ok());
        assert!(RedirectUri::parse("http://localhost:3000/callback").is_ok());
        assert!(RedirectUri::parse("http://127.0.0.1:3000/callback").is_ok());
        let err = RedirectUri::parse("http://crm.example.com/callback").unwrap_err().to_string();
        assert!(err.contains("use https"), "{err}");
        for bad in [
            "https://crm.example.com/cb#frag",
            "javascript:alert(1)",
            "ftp://x.example/cb",
            "/relative",
            "https://u:p@crm.example.com/",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad}");
        }
    }
}
