//! Access tokens for Microsoft Graph behind one small trait, [`TokenProvider`].
//!
//! The oauth2 crate owns token acquisition (it can point at the emulator; graph-rs-sdk's own OAuth
//! hard-wires Microsoft's hosts). Providers cache tokens until shortly before expiry and let
//! concurrent callers share one refresh. Secrets and tokens are [`Secret`]s: `Debug` prints `[redacted]` and there is no `Display`.

mod auth_code;
mod cache;
mod client_credentials;
mod entra_error;
mod oauth;
mod secret;

use std::fmt::Debug;

use async_trait::async_trait;
use consent::Result;

pub use auth_code::{AuthorizationCodeExchange, AuthorizationCodeExchangeBuilder, AuthorizationCodeGrant};
pub(crate) use cache::TokenCache;
pub use cache::DEFAULT_REFRESH_MARGIN;
pub use client_credentials::{ClientCredentials, ClientCredentialsBuilder};
pub use entra_error::EntraTokenError;
pub(crate) use oauth::{http_client, token_url};
pub use secret::{AccessToken, Secret};

/// A source of bearer tokens for Microsoft Graph.
///
/// # Contract
/// - Returns a token valid for at least a few minutes; implementations cache and refresh.
/// - Failures are [`consent::Error::Unauthenticated`] with a hint (AADSTS codes mapped), or
///   `Timeout` / `Backend { status: 0, .. }` when the token endpoint could not be reached.
/// - Never logs or prints the token.
#[async_trait]
pub trait TokenProvider: Send + Sync + Debug {
    /// A currently valid access token.
    async fn token(&self) -> Result<AccessToken>;
}

/// A fixed token (e.g. one obtained elsewhere, or the emulator's); never refreshed.
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// Wraps a bearer token whose expiry is unknown.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self(AccessToken::new(token, None))
    }
}

#[async_trait]
impl TokenProvider for StaticToken {
    async fn token(&self) -> Result<AccessToken> {
        Ok(self.0.clone())
    }
}
