//! Where requests go: Microsoft's Graph clouds over https, or a loopback server (emulator, tests).
//!
//! The allow-list is enforced here, not by graph-rs-sdk: the SDK's own check is disabled by its
//! `test-util` feature, which this crate enables so it can reach the emulator over plain http.

use consent::{Error, Result};
use url::{Host, Url};

/// A Microsoft Graph endpoint: one of Microsoft's national clouds, or a loopback server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GraphEndpoint {
    /// `https://graph.microsoft.com/v1.0` (worldwide).
    #[default]
    Global,
    /// `https://graph.microsoft.us/v1.0` (US Government L4).
    UsGov,
    /// `https://microsoftgraph.chinacloudapi.cn/v1.0` (operated by 21Vianet).
    China,
    /// A full base URL on loopback, e.g. `http://127.0.0.1:8080/v1.0` (emulator, tests).
    ///
    /// Only `127.0.0.1`, `localhost` and `[::1]` are accepted, over http or https; anything else is
    /// refused because the backend sends a bearer token to this host.
    Custom(Url),
}

impl GraphEndpoint {
    /// Parses a custom loopback base URL and validates it.
    pub fn custom(url: &str) -> Result<Self> {
        let parsed = Url::parse(url).map_err(|e| Error::invalid("endpoint", format!("{url:?} is not a URL: {e}")))?;
        let endpoint = GraphEndpoint::Custom(parsed);
        endpoint.base_url()?;
        Ok(endpoint)
    }

    /// The base URL requests are relative to (ends in `/v1.0` for Microsoft's clouds).
    pub fn base_url(&self) -> Result<Url> {
        let fixed = |s: &str| Url::parse(s).map_err(|e| Error::invalid("endpoint", e.to_string()));
        match self {
            GraphEndpoint::Global => fixed("https://graph.microsoft.com/v1.0"),
            GraphEndpoint::UsGov => fixed("https://graph.microsoft.us/v1.0"),
            GraphEndpoint::China => fixed("https://microsoftgraph.chinacloudapi.cn/v1.0"),
            GraphEndpoint::Custom(url) => {
                check_loopback("endpoint", url)?;
                let mut url = url.clone();
                // A trailing slash would yield `//policies` once path segments are appended.
                if url.path().ends_with('/') && url.path() != "/" {
                    let trimmed = url.path().trim_end_matches('/').to_owned();
                    url.set_path(&trimmed);
                }
                Ok(url)
            }
        }
    }

    /// The login authority of this cloud (token endpoint host). Loopback endpoints have none: pass
    /// the emulator's authority to the token provider explicitly.
    pub fn login_authority(&self) -> Option<Url> {
        let s = match self {
            GraphEndpoint::Global => "https://login.microsoftonline.com",
            GraphEndpoint::UsGov => "https://login.microsoftonline.us",
            GraphEndpoint::China => "https://login.chinacloudapi.cn",
            GraphEndpoint::Custom(_) => return None,
        };
        Url::parse(s).ok()
    }

    /// The `/.default` scope asking for every application permission granted on this cloud's Graph.
    pub fn default_scope(&self) -> &'static str {
        match self {
            GraphEndpoint::Global | GraphEndpoint::Custom(_) => "https://graph.microsoft.com/.default",
            GraphEndpoint::UsGov => "https://graph.microsoft.us/.default",
            GraphEndpoint::China => "https://microsoftgraph.chinacloudapi.cn/.default",
        }
    }

    /// True for a loopback endpoint, which may use plain http.
    pub fn is_loopback(&self) -> bool {
        matches!(self, GraphEndpoint::Custom(_))
    }
}

/// True when `url`'s host is `127.0.0.1`, `localhost` or `[::1]`.
pub(crate) fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    }
}

/// Refuses any URL that is not http(s) on a loopback host without credentials, query or fragment.
pub(crate) fn check_loopback(field: &'static str, url: &Url) -> Result<()> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid(field, format!("scheme {:?} is not http or https", url.scheme())));
    }
    if !is_loopback_host(url) {
        return Err(Error::invalid(
            field,
            format!(
                "host {:?} is not allowed: use GraphEndpoint::Global, UsGov or China for Microsoft's clouds, \
                 or a loopback URL (127.0.0.1, localhost, [::1]) for the emulator and tests",
                url.host_str().unwrap_or("")
            ),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(field, "must not carry a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(field, "must not have a query or fragment; give the base URL only"));
    }
    Ok(())
}

/// True when `candidate` has the same scheme, host and port as `base` (so a bearer token may go there).
pub(crate) fn same_origin(base: &Url, candidate: &Url) -> bool {
    base.scheme() == candidate.scheme()
        && base.host_str().map(str::to_ascii_lowercase) == candidate.host_str().map(str::to_ascii_lowercase)
        && base.port_or_known_default() == candidate.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds_have_https_bases_and_matching_scopes() {
        for (e, host) in [
            (GraphEndpoint::Global, "graph.microsoft.com"),
            (GraphEndpoint::UsGov, "graph.microsoft.us"),
            (GraphEndpoint::China, "microsoftgraph.chinacloudapi.cn"),
        ] {
            let base = e.base_url().unwrap();
            assert_eq!(base.scheme(), "https");
            assert_eq!(base.host_str(), Some(host));
            assert_eq!(base.path(), "/v1.0");
            assert!(e.default_scope().contains(host));
            assert!(e.login_authority().is_some());
        }
    }

    #[test]
    fn loopback_custom_endpoints_are_accepted() {
        for ok in ["http://127.0.0.1:8080/v1.0", "http://localhost:1/", "https://[::1]:9/v1.0/"] {
            let e = GraphEndpoint::custom(ok).unwrap();
            assert!(!e.base_url().unwrap().path().ends_with("0/"), "{ok}");
        }
    }

    #[test]
    fn other_custom_endpoints_are_refused_with_the_reason() {
        for (bad, why) in [
            ("http://graph.microsoft.com/v1.0", "not allowed"),
            ("https://evil.example/v1.0", "not allowed"),
            ("http://127.0.0.2/v1.0", "not allowed"),
            ("ftp://127.0.0.1/v1.0", "scheme"),
            ("http://user:pw@127.0.0.1/v1.0", "password"),
            ("http://127.0.0.1/v1.0?x=1", "query"),
            ("not a url", "not a URL"),
        ] {
            let err = GraphEndpoint::custom(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "endpoint", .. }), "{bad}: {err}");
            assert!(err.to_string().contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn origin_comparison_includes_port_and_scheme() {
        let base = Url::parse("http://127.0.0.1:8080/v1.0").unwrap();
        assert!(same_origin(
            &base,
            &Url::parse("http://127.0.0.1:8080/v1.0/x?$skiptoken=1").unwrap()
        ));
        assert!(!same_origin(&base, &Url::parse("http://127.0.0.1:8081/v1.0/x").unwrap()));
        assert!(!same_origin(&base, &Url::parse("https://127.0.0.1:8080/v1.0/x").unwrap()));
        assert!(!same_origin(&base, &Url::parse("http://evil.example:8080/v1.0/x").unwrap()));
    }
}
