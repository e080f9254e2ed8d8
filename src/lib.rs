//! entra-consent: Microsoft Entra ID admin-consent handling for multi-tenant apps.
//!
//! This facade re-exports the workspace's crates so a product needs one dependency:
//!
//! - everything from the core crate [`consent`](https://docs.rs/consent) (domain types, the
//!   [`ConsentGraph`] port, the typed workflow, link flows, [`guidance`], [`Error`]) at the top
//!   level;
//! - `mock` — [`consent-mock`](https://docs.rs/consent-mock), the faithful in-memory tenant
//!   (feature `mock`);
//! - `graph` — [`consent-graph`](https://docs.rs/consent-graph), the real Microsoft Graph backend
//!   (feature `graph`).
//!
//! ```toml
//! [dependencies]
//! entra-consent = { version = "0.1", features = ["graph"] }   # production
//!
//! [dev-dependencies]
//! entra-consent = { version = "0.1", features = ["mock"] }    # tests on the in-memory tenant
//! ```
//!
//! # The three procedures, on the in-memory tenant
//!
//! With the `mock` feature the mock below is `entra_consent::mock`; this doctest names the
//! `consent-mock` crate directly so it runs without features.
//!
//! ```
//! use consent_mock::{demo, MockTenant, Preset};
//! use entra_consent::guidance::{Locale, Product};
//! use entra_consent::{observe, ConsentState, Justification, PolicyChange, Reviewer};
//! use entra_consent::UserConsentDecision;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let tenant = MockTenant::preset(Preset::UserConsentDisabled);
//! let app = demo::carerix_app();
//! let (admin, eva) = (tenant.as_admin(), tenant.as_user(demo::EVA_ID));
//!
//! let state = observe(&admin, &app).await?;
//! let carerix = Product::new("Carerix").with_task("link your Microsoft 365 calendar");
//! assert!(state.guidance(&carerix, Locale::En).to_text().contains("Users can request admin consent"));
//! let ConsentState::RequestsDisabled(state) = state else { unreachable!() };
//! // 1. Enable consent requests, with the reviewers group.
//! let reviewers = vec![Reviewer::Group(demo::REVIEWERS_GROUP_ID)];
//! let state = state.enable_requests(&admin, PolicyChange::enable_with(reviewers)).await?;
//! // 2. Eva asks, with a justification.
//! let state = state.request(&eva, Justification::parse("I schedule interviews in Outlook")?).await?;
//! // 3. The admin approves for the whole organisation.
//! let approved = state.approve(&admin).await?;
//! assert!(approved.verify(&admin).await?.all_users_can_link);
//! // Sam never asked, and links without an admin.
//! let sam = tenant.sign_in(demo::SAM_ID, &app.app_id, &app.delegated_scopes())?;
//! assert_eq!(sam, UserConsentDecision::AlreadyGranted);
//! # Ok::<(), entra_consent::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Features
//!
//! None is on by default.
//!
//! - `mock`: re-export `consent-mock` as `entra_consent::mock`.
//! - `graph`: re-export `consent-graph` as `entra_consent::graph` (graph-rs-sdk, oauth2, reqwest
//!   with rustls).
#![deny(missing_docs)]

pub use consent::*;

#[cfg(feature = "mock")]
pub use consent_mock as mock;

#[cfg(feature = "graph")]
pub use consent_graph as graph;
