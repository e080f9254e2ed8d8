//! entra-consent: Microsoft Entra ID admin-consent handling for multi-tenant apps.
//!
//! This facade re-exports the workspace's crates so a product needs one dependency:
//!
//! - everything from [`consent`] (the core: domain types, the [`ConsentGraph`] port, the typed
//!   workflow, link flows, guidance, [`Error`]) at the top level;
//! - [`mock`] — `consent-mock`, the faithful in-memory tenant (feature `mock`, on by default);
//! - `graph` — `consent-graph`, the real Microsoft Graph backend (feature `graph`).
//!
//! # The three procedures, on the embedded mock
//!
//! ```
//! use entra_consent::mock::{demo, MockTenant, Preset};
//! use entra_consent::{observe, ConsentState, Justification, PolicyChange, Reviewer, UserConsentDecision};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let tenant = MockTenant::preset(Preset::UserConsentDisabled);
//! let app = demo::carerix_app();
//! let (admin, eva) = (tenant.as_admin(), tenant.as_user(demo::EVA_ID));
//!
//! let ConsentState::RequestsDisabled(state) = observe(&admin, &app).await? else { unreachable!() };
//! // 1. Enable consent requests, with the reviewers group.
//! let state = state.enable_requests(&admin, PolicyChange::enable_with(vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)])).await?;
//! // 2. Eva asks, with a justification.
//! let state = state.request(&eva, Justification::parse("I schedule interviews in Outlook")?).await?;
//! // 3. The admin approves for the whole organisation.
//! let approved = state.approve(&admin).await?;
//! assert!(approved.verify(&admin).await?.all_users_can_link);
//! // Sam never asked, and links without an admin.
//! assert_eq!(tenant.sign_in(demo::SAM_ID, &app.app_id, &app.delegated_scopes())?, UserConsentDecision::AlreadyGranted);
//! # Ok::<(), entra_consent::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Features
//!
//! - `mock` (default): re-export `consent-mock` as [`mock`].
//! - `graph`: re-export `consent-graph` as `graph` (graph-rs-sdk, oauth2, reqwest with rustls).
#![deny(missing_docs)]

pub use consent::*;

#[cfg(feature = "mock")]
pub use consent_mock as mock;

#[cfg(feature = "graph")]
pub use consent_graph as graph;
