//! What the oauth2-crate flows share: the Entra-flavoured client type, the token URL, the HTTP
//! client, and turning responses and failures into tokens and [`consent::Error`]s.

use std::time::Duration;

use consent::{Error, Result, TenantId};
use oauth2::basic::{BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenResponse};
use oauth2::{EndpointNotSet, EndpointSet, HttpClientError, RequestTokenError, StandardRevocableToken, TokenResponse};
use url::Url;

use super::entra_error::EntraTokenError;
use super::secret::AccessToken;
use crate::endpoint::check_loopback;

/// An oauth2 client that parses Microsoft's error JSON (with `error_codes`) and has a token URL.
pub(crate) type EntraClient = oauth2::Client<
    EntraTokenError,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The same client before its token URL is set.
pub(crate) type UnsetClient = oauth2::Client<
    EntraTokenError,
    BasicTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

/// The login hosts of Microsoft's clouds (global, US Government, China).
const MICROSOFT_LOGIN_HOSTS: [&str; 3] = ["login.microsoftonline.com", "login.microsoftonline.us", "login.chinacloudapi.cn"];

/// Builds `{authority}/{tenant}/oauth2/v2.0/token`, refusing authorities that are neither a
/// Microsoft login host over https nor loopback (the client secret is sent there).
pub(crate) fn token_url(authority: &Url, tenant: &TenantId) -> Result<Url> {
    let microsoft = authority.scheme() == "https" && authority.host_str().is_some_and(|h| MICROSOFT_LOGIN_HOSTS.contains(&h));
    if !microsoft {
        check_loopback("authority", authority).map_err(|_| {
            Error::invalid(
                "authority",
                format!(
                    "{authority} is not allowed: use https://login.microsoftonline.com (or the .us / chinacloudapi.cn \
                     cloud), or a loopback URL for the emulator"
                ),
            )
        })?;
    }
    let mut url = authority.clone();
    url.path_segments_mut()
        .map_err(|()| Error::invalid("authority", "cannot be a base URL"))?
        .pop_if_empty()
        .extend([tenant.to_string().as_str(), "oauth2", "v2.0", "token"]);
    Ok(url)
}

/// The HTTP client for token requests: no redirects (the oauth2 crate's SSRF advice) and timeouts.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| Error::backend(0, None, format!("could not build the HTTP client for token requests: {e}")))
}

/// Converts a successful token response, computing the expiry from `expires_in` and `now`.
pub(crate) fn to_access_token(resp: &BasicTokenResponse, now: chrono::DateTime<chrono::Utc>) -> AccessToken {
    let expires_at = resp.expires_in().and_then(|d| chrono::Duration::from_std(d).ok()).map(|d| now + d);
    AccessToken::new(resp.access_token().secret().as_str(), expires_at)
}

type TokenFailure = RequestTokenError<HttpClientError<reqwest::Error>, EntraTokenError>;

/// Maps a failed token request. Response bodies are never kept: a success body that failed to parse
/// may contain a token.
pub(crate) fn map_failure(err: TokenFailure) -> Error {
    match err {
        RequestTokenError::ServerResponse(e) => e.into_error(),
        RequestTokenError::Request(e) => {
            let timed_out = matches!(&e, HttpClientError::Reqwest(r) if r.is_timeout());
            // reqwest's messages name the token URL: it holds the tenant, never a secret.
            let cause = consent::Cause::new(e);
            if timed_out {
                Error::timeout("request a token").with_cause(cause)
            } else {
                Error::backend(0, None, format!("could not reach the token endpoint: {}", cause.chain_text())).with_cause(cause)
            }
        }
        // The parse error is not kept as a cause: a success body that failed to parse may hold a token.
        RequestTokenError::Parse(e, _) => Error::backend(
            0,
            None,
            format!(
                "the token endpoint's response was not understood ({}); check the authority URL",
                e.path()
            ),
        ),
        RequestTokenError::Other(msg) => Error::backend(0, None, format!("the token endpoint answered unexpectedly: {msg}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_url_for_microsoft_and_loopback() {
        let t = TenantId::parse("contoso.onmicrosoft.com").unwrap();
        let u = token_url(&Url::parse("https://login.microsoftonline.com").unwrap(), &t).unwrap();
        assert_eq!(
            u.as_str(),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
        let u = token_url(&Url::parse("http://127.0.0.1:9/login/").unwrap(), &t).unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:9/login/contoso.onmicrosoft.com/oauth2/v2.0/token");
    }

    #[test]
    fn token_url_refuses_other_hosts() {
        let t = TenantId::parse("contoso.onmicrosoft.com").unwrap();
        for bad in ["http://login.microsoftonline.com", "https://login.evil.example", "http://10.0.0.1"] {
            let err = token_url(&Url::parse(bad).unwrap(), &t).unwrap_err();
            assert!(matches!(err, Error::InvalidInput { field: "authority", .. }), "{bad}: {err}");
        }
    }
}

/// The settings every token provider shares: where the token endpoint is, how long a request may
/// take, and when a cached token is replaced.
#[derive(Debug)]
pub(crate) struct EndpointSettings {
    pub(crate) cloud: crate::endpoint::GraphEndpoint,
    pub(crate) authority: Option<Url>,
    pub(crate) clock: std::sync::Arc<dyn consent::Clock>,
    pub(crate) margin: chrono::Duration,
    pub(crate) timeout: Duration,
    /// A client to share (a fleet's, across tenants) instead of building one.
    pub(crate) http: Option<reqwest::Client>,
}

impl Default for EndpointSettings {
    fn default() -> Self {
        Self {
            cloud: crate::endpoint::GraphEndpoint::Global,
            authority: None,
            clock: std::sync::Arc::new(consent::SystemClock),
            margin: super::cache::DEFAULT_REFRESH_MARGIN,
            timeout: Duration::from_secs(30),
            http: None,
        }
    }
}

impl EndpointSettings {
    /// `{authority}/{tenant}/oauth2/v2.0/token`, the authority being the explicit one or the cloud's.
    pub(crate) fn token_url(&self, tenant: &TenantId) -> Result<Url> {
        let authority = self
            .authority
            .clone()
            .or_else(|| self.cloud.login_authority())
            .ok_or_else(|| Error::invalid("authority", "a loopback Graph endpoint needs an explicit login authority"))?;
        token_url(&authority, tenant)
    }

    /// The HTTP client and the token cache these settings describe.
    pub(crate) fn into_parts(self) -> Result<(reqwest::Client, super::cache::TokenCache)> {
        let http = match self.http {
            Some(shared) => shared,
            None => http_client(self.timeout)?,
        };
        Ok((http, super::cache::TokenCache::new(self.clock, self.margin)))
    }
}
