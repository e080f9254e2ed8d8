//! The real Microsoft Graph backend for `consent`: every [`consent::ConsentGraph`] operation as
//! Microsoft Graph v1.0 calls, with oauth2 tokens, capped retries, safe paging and one error table.
//!
//! # Contents
//!
//! - [`GraphBackend`] and its [`GraphBackendBuilder`]: tenant, token provider, endpoint, timeouts
//!   (on by default), [`RetryPolicy`].
//! - [`GraphEndpoint`]: Microsoft's global, US Government and China clouds over https, or a loopback
//!   URL (`127.0.0.1`, `localhost`, `[::1]`) for the emulator and tests. Nothing else is accepted.
//! - Tokens behind [`TokenProvider`]: [`ClientCredentials`] (application permissions),
//!   [`AuthorizationCodeExchange`] (a user's or admin's sign-in with PKCE), [`StaticToken`].
//!   Tokens and secrets are [`Secret`]s (core's one secret type): `Debug` prints `[redacted]`, no `Display`.
//! - [`GraphFleet`]: a backend per customer tenant, built on demand, from one management app's
//!   credentials; it keeps only each tenant's cached token, for `consent`'s fleet functions.
//! - [`GraphOperation`]: whether resending each [`Operation`] is safe (a 403 names core's [`Operation::needed`]).
//! - [`check_link`] with a [`LinkChecker`]: after consent, one refresh and one calendar read tell
//!   whether a user's linked account still works, as a [`consent::link::LinkHealth`].
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use consent::{AppId, ConsentGraph, TenantId};
//! use consent_graph::{ClientCredentials, GraphBackend, Secret};
//!
//! # async fn run() -> consent::Result<()> {
//! let tenant = TenantId::parse("contoso.onmicrosoft.com")?;
//! let client_id = AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?;
//! let tokens = ClientCredentials::builder(tenant.clone(), client_id, Secret::new("…"))
//!     .build()?;
//! let graph = GraphBackend::builder().tenant(tenant).token_provider(Arc::new(tokens)).build()?;
//! let policy = graph.get_request_policy().await?;
//! # let _ = policy; Ok(()) }
//! ```
//!
//! # Behaviour worth knowing
//!
//! - **Transport.** graph-rs-sdk 3.0.1 builds and configures the HTTP client, taken out of the SDK
//!   once per backend. This crate builds each request itself on that client ([`Operation`] → method,
//!   path, query, JSON body) because several of the SDK's typed calls are wrong for this job (the
//!   policy update sends PATCH where Graph wants PUT; one filter URL is broken), and going through
//!   the SDK's `custom()` per request costs a copy of its client; it sets the bearer token from its
//!   [`TokenProvider`] on every attempt.
//! - **Loopback.** The SDK's `test-util` feature is enabled in normal builds: it is the only way the
//!   SDK accepts a non-Microsoft host and plain http, which the emulator needs. The allow-list is
//!   enforced here instead ([`GraphEndpoint::custom`]), and https stays mandatory for the clouds.
//! - **Retries** are this crate's own ([`RetryPolicy`]): 429, 503, 504 and connection failures;
//!   `Retry-After` in (decimal) seconds or as an HTTP-date; exponential backoff with jitter otherwise;
//!   a cap on attempts, on one wait and on the whole request. Creates are never resent blindly: after
//!   a lost response they read back and converge, and a 409 after a lost response returns the
//!   existing object.
//! - **Paging** follows `@odata.nextLink` with retries per page and refuses a link to another
//!   scheme, host or port (the bearer token would go there).
//! - **Round trips.** [`ConsentGraph::snapshot`](consent::ConsentGraph::snapshot) uses `$batch`: one
//!   round trip when the app has no consent request, two otherwise;
//!   [`snapshot_for`](consent::ConsentGraph::snapshot_for) (what `observe` calls) also stops after
//!   one when the first already shows the app approved.
//! - **Unsupported.** Graph cannot create, approve or deny a consent request; those port methods
//!   return [`consent::Error::Unsupported`] with what to do instead, and
//!   [`capabilities`](consent::ConsentGraph::capabilities) says so.
#![deny(missing_docs)]

mod backend;
mod endpoint;
mod error;
mod fleet;
mod link_check;
mod operation;
mod request;
mod retry;
pub mod token;
mod transport;

pub use backend::{GraphBackend, GraphBackendBuilder, BACKEND_NAME, DEFAULT_MAX_RESPONSE_BODY};
pub use consent::Operation;
pub use endpoint::GraphEndpoint;
pub use fleet::GraphFleet;
pub use link_check::{check_link, LinkCheckReport, LinkChecker, LinkCheckerBuilder, LinkedAccount};
pub use operation::GraphOperation;
pub use retry::RetryPolicy;
pub use token::{AccessToken, AuthorizationCodeExchange, AuthorizationCodeGrant, ClientCredentials, Secret, StaticToken, TokenProvider};
