//! The user's callback: [`PendingLink::finish`] turns what Microsoft (or anyone) sent to the redirect
//! URI into a [`LinkOutcome`].
//!
//! Order of checks, each for a reason:
//! 1. the query must parse strictly ([`Error::InvalidInput`] otherwise: duplicates, oversize);
//! 2. `state` must equal the pending link's, compared in constant time — nothing else is believed
//!    before that, not even an error;
//! 3. an `error` wins over a `code` sent alongside it: a redirect that reports a failure is treated
//!    as a failure, and a `code` next to an `error` is not something Microsoft sends;
//! 4. a `code` is accepted only if the pending link is younger than [`FinishOptions::max_age`]. An
//!    error callback is classified whatever its age: it grants nothing, and "approval required" is
//!    more useful to the user than "expired" after they spent time on Microsoft's prompt.

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use url::Url;

use super::authority::{Authority, LinkTenant, RedirectUri};
use super::authorize::{PendingLink, PkceVerifier};
use super::codes::{classify_codes, extract_codes, CodeClass, Misconfiguration};
use super::query::CallbackQuery;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::AppId;
use crate::scope::ScopeSet;

/// Longest authorization code accepted (Microsoft's are one to two thousand characters).
const MAX_CODE_LEN: usize = 8192;

/// How strict [`PendingLink::finish_with`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinishOptions {
    /// A pending link older than this no longer accepts a code (default 10 minutes, the lifetime of
    /// Microsoft's authorization codes).
    pub max_age: TimeDelta,
}

impl Default for FinishOptions {
    fn default() -> Self {
        Self {
            max_age: TimeDelta::minutes(10),
        }
    }
}

/// Everything Microsoft put in an error redirect, bounded in size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthError {
    /// The OAuth `error` value (`access_denied`, `invalid_request`, `consent_required`, …).
    pub error: String,
    /// `error_subcode` (`cancel` when the user backed out), if sent.
    pub error_subcode: Option<String>,
    /// AADSTS codes from `error_codes` and from the description, first listed first.
    pub error_codes: Vec<u32>,
    /// `error_description`, cut to 2 kB; holds the trace and correlation ids Microsoft support asks for.
    pub description: Option<String>,
    /// `error_uri`, if sent.
    pub error_uri: Option<String>,
}

impl AuthError {
    /// The error of a callback, if it reports one.
    pub(super) fn from_query(q: &CallbackQuery) -> Option<Self> {
        let error = q.error()?;
        Some(Self {
            error,
            error_subcode: q.short("error_subcode"),
            error_codes: extract_codes(q.get("error_codes"), q.get("error_description")),
            description: q.description(),
            error_uri: q.short("error_uri"),
        })
    }

    /// True if Microsoft reported code `code`.
    pub fn has_code(&self, code: u32) -> bool {
        self.error_codes.contains(&code)
    }
}

/// Why a callback's `state` was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StateProblem {
    /// No `state` parameter.
    Missing,
    /// `state=` with no value.
    Empty,
    /// A different value: another pending link's, a stale tab's, or a forgery.
    Different,
}

/// Compares the callback's `state` with the expected one in constant time.
pub(super) fn check_state(expected: &str, q: &CallbackQuery) -> std::result::Result<(), StateProblem> {
    let got = q.get("state").ok_or(StateProblem::Missing)?;
    if got.is_empty() {
        return Err(StateProblem::Empty);
    }
    if bool::from(got.as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(StateProblem::Different)
    }
}

crate::secret_type! {
    /// An authorization code. A short-lived credential: `Debug` prints `[redacted]`, no `Display`.
    pub struct AuthorizationCode;
}

impl AuthorizationCode {
    fn parse(s: &str) -> Result<Self> {
        let printable = s.bytes().all(|b| b.is_ascii_graphic());
        if s.is_empty() || s.len() > MAX_CODE_LEN || !printable {
            return Err(Error::invalid(
                "code",
                format!("must be 1-{MAX_CODE_LEN} printable ASCII characters; the callback was altered or is not from Microsoft"),
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

/// Everything the `authorization_code` token request needs (Microsoft Learn: "Microsoft identity platform and OAuth 2.0 authorization code flow"). Secrets print `[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenExchange {
    /// The authorization code.
    pub code: AuthorizationCode,
    /// The PKCE verifier matching the challenge sent in the authorize URL.
    pub verifier: PkceVerifier,
    /// The redirect URI, which the token request must repeat exactly.
    pub redirect_uri: RedirectUri,
    /// The scopes that were requested.
    pub scopes: ScopeSet,
    /// The app.
    pub client_id: AppId,
    /// The tenant segment used for the authorize URL (and so for the token URL).
    pub tenant: LinkTenant,
    /// The authority.
    pub authority: Authority,
}

impl TokenExchange {
    /// `POST` target: `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> Url {
        self.authority.endpoint(&[&self.tenant.to_path(), "oauth2", "v2.0", "token"])
    }

    /// The `application/x-www-form-urlencoded` fields of the request, without client credentials
    /// (a confidential client adds `client_secret` or a client assertion). Contains secrets.
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("client_id", self.client_id.to_string()),
            ("grant_type", "authorization_code".to_owned()),
            ("code", self.code.secret().to_owned()),
            ("redirect_uri", self.redirect_uri.as_str().to_owned()),
            ("code_verifier", self.verifier.secret().to_owned()),
            ("scope", self.scopes.to_wire()),
        ]
    }
}

/// What a link attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkOutcome {
    /// Microsoft issued a code: exchange it for tokens.
    Authorized(TokenExchange),
    /// AADSTS90094 (`can_request: false`: the consent-request workflow is off) or 90095
    /// (`can_request: true`: the user was offered "Request approval").
    AdminApprovalRequired {
        /// Whether the user can ask from Microsoft's prompt.
        can_request: bool,
        /// What Microsoft sent.
        error: AuthError,
    },
    /// AADSTS65001, or `error=consent_required` without a more specific code: consent must be given
    /// interactively (typical after `prompt=none`).
    ConsentRequired {
        /// What Microsoft sent.
        error: AuthError,
    },
    /// The user backed out (`access_denied` with `error_subcode=cancel`, or AADSTS65004).
    UserCancelled {
        /// What Microsoft sent.
        error: AuthError,
    },
    /// AADSTS700016 / 700011: the app does not exist in the user's tenant; an admin must add it.
    AppNotInTenant {
        /// What Microsoft sent.
        error: AuthError,
    },
    /// AADSTS900941 (`can_request: false`) / 900981 (`can_request: true`): risk-based step-up.
    RiskyAppBlocked {
        /// Whether the user can ask from Microsoft's prompt.
        can_request: bool,
        /// What Microsoft sent.
        error: AuthError,
    },
    /// The vendor's app registration or request is wrong (AADSTS50011, 650053, 65005, 650057, 70011).
    Misconfigured {
        /// Which kind of mistake.
        problem: Misconfiguration,
        /// What Microsoft sent, with the codes.
        error: AuthError,
    },
    /// The callback's `state` does not belong to this pending link: refused, nothing was believed.
    StateMismatch {
        /// What was wrong with it.
        problem: StateProblem,
    },
    /// A code arrived for a pending link older than the limit.
    Expired {
        /// How old the pending link was.
        age: TimeDelta,
        /// The limit in force.
        max_age: TimeDelta,
    },
    /// Any other error, with everything Microsoft sent.
    Other {
        /// What Microsoft sent.
        error: AuthError,
    },
}

impl LinkOutcome {
    /// A stable snake_case name, for logs, metrics and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            LinkOutcome::Authorized(_) => "authorized",
            LinkOutcome::AdminApprovalRequired { .. } => "admin_approval_required",
            LinkOutcome::ConsentRequired { .. } => "consent_required",
            LinkOutcome::UserCancelled { .. } => "user_cancelled",
            LinkOutcome::AppNotInTenant { .. } => "app_not_in_tenant",
            LinkOutcome::RiskyAppBlocked { .. } => "risky_app_blocked",
            LinkOutcome::Misconfigured { .. } => "misconfigured",
            LinkOutcome::StateMismatch { .. } => "state_mismatch",
            LinkOutcome::Expired { .. } => "expired",
            LinkOutcome::Other { .. } => "other",
        }
    }

    /// What Microsoft sent, for outcomes that come from an error redirect.
    pub fn auth_error(&self) -> Option<&AuthError> {
        match self {
            LinkOutcome::AdminApprovalRequired { error, .. }
            | LinkOutcome::ConsentRequired { error }
            | LinkOutcome::UserCancelled { error }
            | LinkOutcome::AppNotInTenant { error }
            | LinkOutcome::RiskyAppBlocked { error, .. }
            | LinkOutcome::Misconfigured { error, .. }
            | LinkOutcome::Other { error } => Some(error),
            LinkOutcome::Authorized(_) | LinkOutcome::StateMismatch { .. } | LinkOutcome::Expired { .. } => None,
        }
    }

    /// True when an admin must act and the admin-consent link is the quickest way for them to do it.
    pub fn needs_admin_consent_link(&self) -> bool {
        matches!(
            self,
            LinkOutcome::AdminApprovalRequired { .. } | LinkOutcome::AppNotInTenant { .. } | LinkOutcome::RiskyAppBlocked { .. }
        )
    }

    /// Classifies an error redirect: codes first (first known code wins), then the `cancel` subcode,
    /// then the OAuth `error` value; never the description's English text.
    fn from_error(error: AuthError) -> Self {
        match classify_codes(&error.error_codes) {
            Some(CodeClass::AdminApprovalRequired { can_request }) => LinkOutcome::AdminApprovalRequired { can_request, error },
            Some(CodeClass::ConsentRequired) => LinkOutcome::ConsentRequired { error },
            Some(CodeClass::UserCancelled) => LinkOutcome::UserCancelled { error },
            Some(CodeClass::AppNotInTenant) => LinkOutcome::AppNotInTenant { error },
            Some(CodeClass::RiskyAppBlocked { can_request }) => LinkOutcome::RiskyAppBlocked { can_request, error },
            Some(CodeClass::Misconfigured(problem)) => LinkOutcome::Misconfigured { problem, error },
            None if error.error == "access_denied" && error.error_subcode.as_deref() == Some("cancel") => {
                LinkOutcome::UserCancelled { error }
            }
            None if error.error == "consent_required" => LinkOutcome::ConsentRequired { error },
            None => LinkOutcome::Other { error },
        }
    }
}

/// Classifies a user callback without its [`PendingLink`], for support tools and log triage (e.g.
/// `consentctl link classify`), never for signing a user in: `state` is compared (in constant time)
/// only when `expected_state` is given, and a `code` yields `Ok(None)` because only the pending
/// link's PKCE verifier can redeem it. Every other outcome is classified exactly as
/// [`PendingLink::finish`] does, with the same errors for malformed callbacks.
pub fn classify_callback(callback: &str, expected_state: Option<&str>) -> Result<Option<LinkOutcome>> {
    let q = CallbackQuery::parse(callback)?;
    if let Some(Err(problem)) = expected_state.map(|s| check_state(s, &q)) {
        return Ok(Some(LinkOutcome::StateMismatch { problem }));
    }
    if let Some(error) = AuthError::from_query(&q) {
        return Ok(Some(LinkOutcome::from_error(error)));
    }
    let code = q.get("code").ok_or_else(|| {
        Error::invalid(
            "callback",
            "has neither `code` nor `error`; pass the whole query string Microsoft redirected to",
        )
    })?;
    AuthorizationCode::parse(code)?;
    Ok(None)
}

impl PendingLink {
    /// Classifies the callback (a raw query string or the full callback URL) with the default
    /// [`FinishOptions`]. Consumes the pending link: a callback cannot be replayed against it.
    ///
    /// Returns [`Error::InvalidInput`] when the callback is malformed (a security parameter sent
    /// twice, oversize, a malformed code, or neither `code` nor `error`).
    ///
    /// A pending link cannot be finished twice:
    ///
    /// ```compile_fail
    /// # use consent::link::PendingLink;
    /// # use consent::SystemClock;
    /// fn replay(pending: PendingLink, callback: &str) {
    ///     let _first = pending.finish(callback, &SystemClock);
    ///     let _again = pending.finish(callback, &SystemClock); // error: use of moved value
    /// }
    /// ```
    pub fn finish(self, callback: &str, clock: &dyn Clock) -> Result<LinkOutcome> {
        self.finish_with(callback, clock, FinishOptions::default())
    }

    /// [`finish`](PendingLink::finish) with explicit options.
    pub fn finish_with(self, callback: &str, clock: &dyn Clock, options: FinishOptions) -> Result<LinkOutcome> {
        let q = CallbackQuery::parse(callback)?;
        if let Err(problem) = check_state(&self.state, &q) {
            tracing::warn!(?problem, client_id = %self.client_id, "link callback refused: state does not match");
            return Ok(LinkOutcome::StateMismatch { problem });
        }
        if let Some(error) = AuthError::from_query(&q) {
            if q.get("code").is_some() {
                tracing::warn!("link callback carried both code and error; treating it as the error");
            }
            let outcome = LinkOutcome::from_error(error);
            tracing::info!(outcome = outcome.kind(), codes = ?outcome.auth_error().map(|e| &e.error_codes), "link callback classified");
            return Ok(outcome);
        }
        let code = q.get("code").ok_or_else(|| {
            Error::invalid(
                "callback",
                "has neither `code` nor `error`; pass the whole query string Microsoft redirected to",
            )
        })?;
        let code = AuthorizationCode::parse(code)?;
        let age = clock.now() - self.created_at;
        if age > options.max_age {
            tracing::info!(age_secs = age.num_seconds(), "link callback arrived after the pending link expired");
            return Ok(LinkOutcome::Expired {
                age,
                max_age: options.max_age,
            });
        }
        Ok(LinkOutcome::Authorized(self.into_exchange(code)))
    }

    fn into_exchange(self, code: AuthorizationCode) -> TokenExchange {
        TokenExchange {
            code,
            verifier: self.verifier,
            redirect_uri: self.redirect_uri,
            scopes: self.scopes,
            client_id: self.client_id,
            tenant: self.tenant,
            authority: self.authority,
        }
    }
}
