//! The client-credentials flow (application permissions) with the oauth2 crate.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use consent::{AppId, Clock, Error, Result, TenantId};
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenUrl};
use url::Url;

use super::cache::TokenCache;
use super::oauth::{map_failure, to_access_token, EndpointSettings, EntraClient, UnsetClient};
use super::secret::{AccessToken, Secret};
use super::TokenProvider;
use crate::endpoint::GraphEndpoint;

/// Gets app-only tokens with a client secret (`grant_type=client_credentials`), cached until shortly
/// before they expire; concurrent callers share one refresh.
///
/// The secret goes in the request body (`AuthType::RequestBody`), as Microsoft documents.
#[derive(Debug)]
pub struct ClientCredentials {
    client: EntraClient,
    http: reqwest::Client,
    scope: String,
    /// Shared with a fleet, which keeps it across the backends it builds for one tenant.
    cache: Arc<TokenCache>,
}

impl ClientCredentials {
    /// Starts a builder for `client_id` in `tenant` with `secret`.
    pub fn builder(tenant: TenantId, client_id: AppId, secret: Secret) -> ClientCredentialsBuilder {
        ClientCredentialsBuilder {
            tenant,
            client_id,
            secret,
            scope: None,
            settings: EndpointSettings::default(),
            cache: None,
        }
    }

    async fn fetch(&self) -> Result<AccessToken> {
        tracing::debug!(scope = %self.scope, "requesting an app-only token");
        let resp = self
            .client
            .exchange_client_credentials()
            .add_scope(Scope::new(self.scope.clone()))
            .request_async(&self.http)
            .await
            .map_err(map_failure)?;
        Ok(to_access_token(&resp, self.cache.now()))
    }
}

#[async_trait]
impl TokenProvider for ClientCredentials {
    async fn token(&self) -> Result<AccessToken> {
        self.cache.get_or_fetch(|| self.fetch()).await
    }
}

/// Configures [`ClientCredentials`].
#[derive(Debug)]
pub struct ClientCredentialsBuilder {
    tenant: TenantId,
    client_id: AppId,
    secret: Secret,
    scope: Option<String>,
    settings: EndpointSettings,
    cache: Option<Arc<TokenCache>>,
}

impl ClientCredentialsBuilder {
    /// The cloud whose login host and `/.default` scope to use (default: global).
    pub fn cloud(mut self, cloud: GraphEndpoint) -> Self {
        self.settings.cloud = cloud;
        self
    }

    /// A login authority other than the cloud's, e.g. the emulator's `http://127.0.0.1:PORT`.
    /// Only Microsoft login hosts over https and loopback are accepted.
    pub fn authority(mut self, authority: Url) -> Self {
        self.settings.authority = Some(authority);
        self
    }

    /// The scope to ask for (default: the cloud's `https://graph.microsoft.com/.default`).
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The clock used for expiry (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.settings.clock = clock;
        self
    }

    /// How long before expiry a cached token is replaced (default 5 minutes).
    pub fn refresh_margin(mut self, margin: chrono::Duration) -> Self {
        self.settings.margin = margin;
        self
    }

    /// Timeout for one token request (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Sends token requests over `http` (built by [`http_client`](super::oauth::http_client): no
    /// redirects) instead of a client of its own, so a fleet's tenants share one connection pool.
    pub(crate) fn shared_http(mut self, http: reqwest::Client) -> Self {
        self.settings.http = Some(http);
        self
    }

    /// Caches tokens in `cache` instead of a cache of its own, so a fleet can build a provider per use
    /// and keep only the tenant's token. The cache's own clock and refresh margin apply.
    pub(crate) fn shared_cache(mut self, cache: Arc<TokenCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Validates the configuration and builds the provider.
    pub fn build(self) -> Result<ClientCredentials> {
        if self.secret.is_empty() {
            return Err(Error::invalid(
                "client_secret",
                "is empty; pass the secret's Value from Certificates & secrets",
            ));
        }
        let url = self.settings.token_url(&self.tenant)?;
        let scope = self.scope.unwrap_or_else(|| self.settings.cloud.default_scope().to_owned());
        let (http, own) = self.settings.into_parts()?;
        let cache = self.cache.unwrap_or_else(|| Arc::new(own));
        let client = UnsetClient::new(ClientId::new(self.client_id.to_string()))
            .set_client_secret(ClientSecret::new(self.secret.secret().to_owned()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(TokenUrl::from_url(url));
        Ok(ClientCredentials {
            client,
            http,
            scope,
            cache,
        })
    }
}
