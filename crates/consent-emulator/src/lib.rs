//! A local Microsoft Entra consent emulator: the in-memory tenant of `consent-mock` served over HTTP,
//! so the real `consent-graph` backend, any language's Graph client, and a person (or headless
//! Chromium) with a browser can walk the three admin-consent procedures on one machine.
//!
//! # Contents
//!
//! - [`Emulator`] → [`Emulator::bind`] → [`RunningEmulator`]: serves a given
//!   [`MockTenant`](consent_mock::MockTenant) (clones share state, so tests arrange the tenant directly
//!   while clients talk HTTP); hands out tokens for tests ([`RunningEmulator::issue_token`]).
//! - **Graph v1.0 subset** under `/v1.0`: the consent-request policy (GET, PUT, PATCH), the
//!   authorization policy, app and user consent requests (`$filter`, `$top`, `$skip`,
//!   `@odata.nextLink`, `filterByCurrentUser(on='reviewer')`), service principals (incl.
//!   `servicePrincipals(appId='…')`), `oauth2PermissionGrants`, app-role assignments, `$batch`.
//!   Errors use Graph's body `{"error":{"code","message","innerError":{"request-id","date"}}}`.
//! - **Login endpoints** under `/{tenant}`: `oauth2/v2.0/authorize` (sign-in, consent,
//!   "Approval required", "Need admin approval"), `v2.0/adminconsent`, `oauth2/v2.0/token`.
//! - [`ServeOptions`] and [`serve`]: the `consent-emulator` binary and `consentctl emulator`.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use consent_emulator::{Emulator, EmulatorConfig};
//! use consent_mock::{MockTenant, Preset};
//!
//! let tenant = MockTenant::preset(Preset::WorkflowWithReviewerGroup);
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
//! Tokens are opaque random strings, not JWTs. The emulator serves only Microsoft Graph as a resource.
//! See `docs/emulator.md` for every route, the redirect choices of the login pages, and limits.
#![deny(missing_docs)]

mod auth;
mod cli;
mod config;
mod control;
mod graph;
mod login;
mod server;
mod tenants;
mod traffic;

pub use cli::{serve, ServeOptions};
pub use config::{EmulatorConfig, Latency, RateLimit, ADMIN_APP_PERMISSIONS, DEFAULT_BODY_LIMIT};
pub use control::OutboxMail;
pub use server::{Emulator, RunningEmulator};
pub use traffic::EmulatorStats;
