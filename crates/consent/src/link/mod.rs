//! Link flows, sans-IO: the user's authorize URL and callback, the admin-consent link and its
//! callback, guidance for every outcome, and a scope preflight.
//!
//! A product's "Link calendar" button calls [`LinkRequest::build`], redirects the browser to the URL
//! and stores the [`PendingLink`] server-side. Its callback route calls [`PendingLink::finish`] with
//! the query string and shows [`LinkOutcome::guidance`]. When an admin must act, the product hands
//! over an [`AdminConsentLink`]; its callback goes through [`PendingAdminConsent::finish`]. Nothing
//! here performs I/O: URLs are built and query strings classified, the product does the HTTP.
//!
//! # Modules
//!
//! - `authority`: [`Authority`] (Microsoft clouds or loopback only), [`LinkTenant`] (`common`
//!   refused), [`RedirectUri`] (https, or http on loopback).
//! - `authorize`: [`LinkRequest`], [`PendingLink`], [`PkceVerifier`], [`Prompt`].
//! - `query`: strict callback parsing (single decode, duplicates refused, bounded sizes).
//! - `codes`: AADSTS extraction and the code → outcome table [`LINK_CODE_TABLE`].
//! - `callback`: [`LinkOutcome`], [`TokenExchange`], [`AuthError`], [`FinishOptions`].
//! - `admin`: [`AdminConsentLink`], [`PendingAdminConsent`], [`AdminConsentOutcome`].
//! - `guidance`: next steps per outcome, as [`Guidance`](crate::Guidance).
//! - `preflight`: [`preflight`] and [`PreflightReport`].
//! - `health`: after consent, [`LinkHealth`] from a token-endpoint or Graph error: outcome, who acts,
//!   guidance; the table is [`LINK_HEALTH_TABLE`].
//! - `recheck`: the user's silent re-check ([`LinkRequest::silent_recheck`], [`RecheckOutcome`]),
//!   including "approved, not yet in effect" inside the [`PROPAGATION_WINDOW`].
//!
//! # Example
//!
//! ```
//! use consent::link::{LinkOutcome, LinkRequest, LinkTenant};
//! use consent::guidance::{Locale, Product};
//! use consent::{AppId, ManualClock, ScopeSet};
//!
//! let clock = ManualClock::new(chrono::Utc::now());
//! let (url, pending) = LinkRequest::new(
//!     AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?,
//!     "https://crm.example.com/auth/microsoft/callback",
//!     ScopeSet::parse("Calendars.ReadWrite User.Read offline_access")?,
//! )?
//! .tenant(LinkTenant::parse("contoso.onmicrosoft.com")?)
//! .build(&clock)?;
//! # let _ = url;
//! // … the browser comes back with Microsoft's answer:
//! let admin_callback = "https://crm.example.com/auth/microsoft/admin-callback";
//! let admin_link = pending.admin_consent_link(admin_callback)?;
//! let callback = format!(
//!     "error=access_denied&error_codes=[90094]\
//!      &error_description=AADSTS90094%3A+Admin+consent+is+required.&state={}",
//!     pending.state()
//! );
//! let outcome = pending.finish(&callback, &clock)?;
//! assert!(matches!(outcome, LinkOutcome::AdminApprovalRequired { can_request: false, .. }));
//! let (admin_url, _pending_admin) = admin_link.build(&clock)?;
//! let carerix = Product::new("Carerix")
//!     .with_task("link your Microsoft 365 calendar")
//!     .with_button("Link calendar");
//! let help = outcome.guidance(&carerix, Locale::En, Some(&admin_url));
//! let setting = "Users can request admin consent to apps they are unable to consent to";
//! assert!(help.to_text().contains(setting));
//! # Ok::<(), consent::Error>(())
//! ```

mod admin;
mod authority;
mod authorize;
mod callback;
mod codes;
mod guidance;
mod health;
mod preflight;
mod query;
mod recheck;
#[cfg(test)]
mod tests;

pub use admin::{AdminConsentLink, AdminConsentOutcome, PendingAdminConsent, TenantCheck};
pub use authority::{Authority, LinkTenant, RedirectUri};
pub use authorize::{LinkRequest, PendingLink, PkceVerifier, Prompt};
pub use callback::{classify_callback, AuthError, AuthorizationCode, FinishOptions, LinkOutcome, StateProblem, TokenExchange};
pub use codes::{classify_code, classify_codes, extract_codes, CodeClass, Misconfiguration, LINK_CODE_TABLE};
pub use health::{
    HealthOutcome, HealthRule, HealthSource, LinkHealth, Signal, WhoActs, LINK_HEALTH_TABLE, MAX_BODY_BYTES, MAX_RETRY_AFTER,
};
pub use preflight::{preflight, PreflightReport};
pub use query::{MAX_CALLBACK_LEN, MAX_DESCRIPTION_CHARS};
pub use recheck::{RecheckOutcome, PROPAGATION_WINDOW};
