//! The authorization-code + PKCE exchange that completes a user's or admin's sign-in (delegated
//! permissions), then keeps the token fresh with the refresh token when one was issued.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use consent::{AppId, Clock, Error, Result, ScopeSet, TenantId};
use oauth2::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope, TokenResponse, TokenUrl,
};
use tokio::sync::Mutex;
use url::Url;

use super::cache::TokenCache;
use super::oauth::{map_failure, to_access_token, EndpointSettings, EntraClient, UnsetClient};
use super::secret::{AccessToken, Secret};
use super::TokenProvider;
use crate::endpoint::GraphEndpoint;

/// What the one-time exchange needs: the code from the redirect, the PKCE verifier saved with the
/// sign-in, and the exact redirect URI and scopes used on the authorize URL.
///
/// Takes plain values so it can be fed from any link flow (e.g. `consent::link`'s authorized outcome
/// plus its pending link).
#[derive(Debug, Clone)]
pub struct AuthorizationCodeGrant {
    /// The tenant the user signed in to.
    pub tenant: TenantId,
    /// The client app.
    pub client_id: AppId,
    /// The `code` query parameter of the redirect.
    pub code: Secret,
    /// The PKCE `code_verifier` matching the challenge sent on the authorize URL.
    pub verifier: Secret,
    /// The redirect URI used on the authorize URL (must match exactly).
    pub redirect_uri: Url,
    /// The scopes asked for on the authorize URL.
    pub scopes: ScopeSet,
}

/// Redeems an authorization code once, then serves the resulting delegated token from a cache and
/// refreshes it with the refresh token (ask for `offline_access` to get one).
#[derive(Debug)]
pub struct AuthorizationCodeExchange {
    client: EntraClient,
    http: reqwest::Client,
    scopes: ScopeSet,
    state: Mutex<ExchangeState>,
    cache: TokenCache,
}

/// What remains to redeem: the unused code, or the refresh token.
#[derive(Debug)]
enum ExchangeState {
    Code { code: Secret, verifier: Secret },
    Refresh(Secret),
    Spent,
}

impl AuthorizationCodeGrant {
    /// The grant for a [`consent::link::LinkOutcome::Authorized`] outcome, with the login authority
    /// the link used (so the code is redeemed where it was issued).
    ///
    /// # Errors
    /// `InvalidInput` when the link was built for `organizations`: pass the user's tenant by building
    /// the grant by hand (the `tid` of the ID token names it).
    pub fn from_link(exchange: &consent::link::TokenExchange) -> Result<(Self, Url)> {
        let tenant = exchange.tenant.tenant().cloned().ok_or_else(|| {
            Error::invalid(
                "tenant",
                "the link was built for `organizations`; build the grant with the user's tenant id",
            )
        })?;
        let redirect_uri = Url::parse(exchange.redirect_uri.as_str()).map_err(|e| Error::invalid("redirect_uri", e.to_string()))?;
        let grant = Self {
            tenant,
            client_id: exchange.client_id,
            code: Secret::new(exchange.code.secret()),
            verifier: Secret::new(exchange.verifier.secret()),
            redirect_uri,
            scopes: exchange.scopes.clone(),
        };
        Ok((grant, exchange.authority.base_url()))
    }
}

impl AuthorizationCodeExchange {
    /// Starts a builder for a [`consent::link`] authorized outcome: the grant and its authority.
    pub fn for_link(exchange: &consent::link::TokenExchange) -> Result<AuthorizationCodeExchangeBuilder> {
        let (grant, authority) = AuthorizationCodeGrant::from_link(exchange)?;
        Ok(Self::builder(grant).authority(authority))
    }

    /// Starts a builder for `grant`.
    pub fn builder(grant: AuthorizationCodeGrant) -> AuthorizationCodeExchangeBuilder {
        AuthorizationCodeExchangeBuilder {
            grant,
            client_secret: None,
            settings: EndpointSettings::default(),
        }
    }

    /// The refresh token the last redemption or refresh returned (Entra rotates it), for the
    /// product to store with the linked account — e.g. for [`check_link`](crate::check_link).
    /// `None` before the code was redeemed ([`TokenProvider::token`]), or when Entra issued none
    /// (no `offline_access`).
    pub async fn refresh_token(&self) -> Option<Secret> {
        match &*self.state.lock().await {
            ExchangeState::Refresh(rt) => Some(rt.clone()),
            _ => None,
        }
    }

    async fn fetch(&self) -> Result<AccessToken> {
        let mut state = self.state.lock().await;
        let taken = std::mem::replace(&mut *state, ExchangeState::Spent);
        let result = match &taken {
            ExchangeState::Code { code, verifier } => self.redeem(code, verifier).await,
            ExchangeState::Refresh(rt) => self.refresh(rt).await,
            ExchangeState::Spent => {
                return Err(Error::unauthenticated(
                    "the delegated token expired and no refresh token was issued: sign in again \
                     (ask for offline_access to stay signed in)",
                ))
            }
        };
        let resp = match result {
            Ok(resp) => resp,
            Err(e) => {
                // A transport failure leaves the code or refresh token unused: keep it for the next try.
                if e.is_retryable() {
                    *state = taken;
                }
                return Err(e);
            }
        };
        if let Some(rt) = resp.refresh_token() {
            *state = ExchangeState::Refresh(Secret::new(rt.secret().as_str()));
        }
        Ok(to_access_token(&resp, self.cache.now()))
    }

    async fn redeem(&self, code: &Secret, verifier: &Secret) -> Result<oauth2::basic::BasicTokenResponse> {
        tracing::debug!("redeeming an authorization code");
        self.client
            .exchange_code(AuthorizationCode::new(code.secret().to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.secret().to_owned()))
            .request_async(&self.http)
            .await
            .map_err(map_failure)
    }

    async fn refresh(&self, rt: &Secret) -> Result<oauth2::basic::BasicTokenResponse> {
        tracing::debug!("refreshing a delegated token");
        let rt = RefreshToken::new(rt.secret().to_owned());
        self.client
            .exchange_refresh_token(&rt)
            .add_scopes(self.scopes.iter().map(|s| Scope::new(s.as_str().to_owned())))
            .request_async(&self.http)
            .await
            .map_err(map_failure)
    }
}

#[async_trait]
impl TokenProvider for AuthorizationCodeExchange {
    async fn token(&self) -> Result<AccessToken> {
        self.cache.get_or_fetch(|| self.fetch()).await
    }
}

/// Configures [`AuthorizationCodeExchange`].
#[derive(Debug)]
pub struct AuthorizationCodeExchangeBuilder {
    grant: AuthorizationCodeGrant,
    client_secret: Option<Secret>,
    settings: EndpointSettings,
}

impl AuthorizationCodeExchangeBuilder {
    /// The client secret, for a confidential (web) client; public clients send none.
    pub fn client_secret(mut self, secret: Secret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// The cloud whose login host to use (default: global).
    pub fn cloud(mut self, cloud: GraphEndpoint) -> Self {
        self.settings.cloud = cloud;
        self
    }

    /// A login authority other than the cloud's (emulator, tests); Microsoft hosts or loopback only.
    pub fn authority(mut self, authority: Url) -> Self {
        self.settings.authority = Some(authority);
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

    /// Validates and builds the provider; nothing is sent until the first [`TokenProvider::token`].
    pub fn build(self) -> Result<AuthorizationCodeExchange> {
        let g = self.grant;
        if g.code.is_empty() {
            return Err(Error::invalid("code", "is empty; pass the code query parameter of the redirect"));
        }
        if g.verifier.is_empty() {
            return Err(Error::invalid(
                "code_verifier",
                "is empty; pass the PKCE verifier saved with the sign-in",
            ));
        }
        let url = self.settings.token_url(&g.tenant)?;
        let mut client = UnsetClient::new(ClientId::new(g.client_id.to_string()))
            .set_auth_type(AuthType::RequestBody)
            .set_redirect_uri(RedirectUrl::from_url(g.redirect_uri))
            .set_token_uri(TokenUrl::from_url(url));
        if let Some(secret) = self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.secret().to_owned()));
        }
        let (http, cache) = self.settings.into_parts()?;
        Ok(AuthorizationCodeExchange {
            client,
            http,
            scopes: g.scopes,
            state: Mutex::new(ExchangeState::Code {
                code: g.code,
                verifier: g.verifier,
            }),
            cache,
        })
    }
}
