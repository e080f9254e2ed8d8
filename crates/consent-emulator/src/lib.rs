//! A local Microsoft Entra consent emulator: the in-memory tenant of `consent-mock` served over HTTP,
//! so the real `consent-graph` backend, any language's Graph client, and a person (or headless
//! Chromium) with a browser can walk the three admin-consent procedures on one machine.
//!
//! # Contents
//!
//! - [`Emulator`] → [`Emulator::bind`] → [`RunningEmulator`]: serves a given
//!   [`MockTenant`](consent_mock::MockTenant) (clones share state, so tests arrange the tenant directly
//!   while clients talk HTTP), or several ([`Emulator::with_tenants`]); hands out tokens for tests
//!   ([`RunningEmulator::issue_token`], [`RunningEmulator::issue_token_in`]).
//! - [`EmulatorConfig`]: `tenants` (N tenants built from the first, each with its own id and state;
//!   tokens are bound to their tenant), `latency` ([`Latency`]), `rate_limit` ([`RateLimit`], a token
//!   bucket per tenant and client app), limits and lifetimes.
//! - **Graph v1.0 subset** under `/v1.0`: the consent-request policy (GET, PUT, PATCH), the
//!   authorization policy, app and user consent requests (`$filter`, `$orderby`, `$top`, `$skip`,
//!   `@odata.nextLink`, `filterByCurrentUser(on='reviewer')`, approval and stages), service principals
//!   (by id, by `appId` alternate key and its navigations, paged lists with `$skiptoken`),
//!   `oauth2PermissionGrants`, app-role assignments on both ends, `$batch`, and for link health
//!   `/me/calendar` and `/me/mailboxSettings` (delegated tokens with the right scope). Errors use Graph's body
//!   `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
//! - **Login endpoints** under `/{tenant}`: `oauth2/v2.0/authorize` (sign-in, consent,
//!   "Approval required", "Need admin approval"), `v2.0/adminconsent`, `oauth2/v2.0/token`.
//! - **Link health**: users' account status (no mailbox, disabled, Conditional Access block, password
//!   changed) and vendor apps' client secrets (wrong, expired), which the token endpoint's refresh
//!   grant and the `/me` routes answer as Entra and Graph do ([`RunningEmulator::set_account`],
//!   [`RunningEmulator::set_app_credentials`], `PATCH /_emulator/users/{upn}` and
//!   `/_emulator/apps/{app_id}`; see `docs/link-health.md`).
//! - **Control API** under `/_emulator/` (clock, outbox, stats, reset, state) and the same operations as
//!   [`RunningEmulator`] methods ([`RunningEmulator::advance_clock`], [`RunningEmulator::outbox`],
//!   [`RunningEmulator::stats`], [`RunningEmulator::reset`], [`RunningEmulator::state`],
//!   [`RunningEmulator::load_state`]).
//! - **Admin center** under `/admin`: the Microsoft Entra admin center's admin-consent pages (sign-in
//!   with a session cookie and CSRF tokens, "Consent and permissions", "Admin consent requests", an
//!   app's Permissions page with grant and revoke, a Mail page per user), server-rendered with askama.
//! - [`ServeOptions`] and [`serve`]: the `consent-emulator` binary and `consentctl emulator`.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use consent_emulator::{Emulator, EmulatorConfig};
//! use consent_mock::{MockTenant, Preset};
//!
//! let tenant = MockTenant::preset(Preset::WorkflowOn);
//! let emulator = Emulator::new(tenant.clone(), EmulatorConfig::default()).bind("127.0.0.1:0").await?;
//! let token = emulator.admin_app_token();
//! let policy: serde_json::Value = reqwest::Client::new()
//!     .get(format!("{}/policies/adminConsentRequestPolicy", emulator.graph_url()))
//!     .bearer_auth(token)
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(policy["isEnabled"], true);
//! emulator.shutdown().await?;
//! # Ok(()) }
//! ```
//!
//! # Fidelity notes
//!
//! Tokens are opaque HMAC-signed strings, not JWTs. The emulator serves only Microsoft Graph as a resource.
//! See `docs/emulator.md` for every route, the redirect choices of the login pages, and limits.
#![deny(missing_docs)]

mod accounts;
mod admin;
mod auth;
mod cli;
mod config;
mod control;
mod graph;
mod listen;
mod login;
mod server;
mod sync;
mod tenants;
mod traffic;

pub use accounts::{AppCredentialChange, AppCredentials};
pub use cli::{serve, ServeOptions};
pub use config::{
    EmulatorConfig, Latency, RateLimit, ADMIN_APP_PERMISSIONS, DEFAULT_BODY_LIMIT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
};
pub use consent_mock::{AccountChange, AccountStatus};
pub use control::OutboxMail;
pub use server::{Emulator, RunningEmulator};
pub use traffic::EmulatorStats;
