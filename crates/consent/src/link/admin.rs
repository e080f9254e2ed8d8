//! The v2 admin-consent link (`/{tenant}/v2.0/adminconsent`) and its callback.
//!
//! An admin who opens the link grants tenant-wide consent in one click. The callback only *reports*
//! what happened, and Microsoft warns that its `tenant` value can be forged, so the parser binds it
//! to the pending link's `state` and compares the tenant with the one expected.

use chrono::{DateTime, Utc};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use url::Url;

use super::authority::{Authority, LinkTenant, RedirectUri};
use super::callback::{check_state, AuthError, StateProblem};
use super::query::CallbackQuery;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{truncate, AppId, TenantId};
use crate::scope::{Scope, ScopeSet};

/// Builds the v2 admin-consent URL.
///
/// ```
/// use consent::link::{AdminConsentLink, LinkTenant};
/// use consent::{AppId, ManualClock};
///
/// let clock = ManualClock::new(chrono::Utc::now());
/// let (url, pending) = AdminConsentLink::new(
///     AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?,
///     LinkTenant::parse("72f988bf-86f1-41af-91ab-2d7cd011db47")?,
///     "https://crm.example.com/auth/microsoft/admin-callback",
/// )?
/// .build(&clock)?;
/// assert_eq!(url.path(), "/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/adminconsent");
/// let default_scope = "https://graph.microsoft.com/.default";
/// assert!(url.query_pairs().any(|(k, v)| k == "scope" && v == default_scope));
/// # let _ = pending;
/// # Ok::<(), consent::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AdminConsentLink {
    client_id: AppId,
    tenant: LinkTenant,
    redirect_uri: RedirectUri,
    scopes: Option<ScopeSet>,
    authority: Authority,
}

impl AdminConsentLink {
    /// A link for `tenant` (GUID, verified domain or `organizations`; `common` cannot be expressed, see
    /// [`LinkTenant::parse`]) that returns to `redirect_uri` and asks for all statically registered
    /// Microsoft Graph permissions (`/.default`) unless [`scopes`](Self::scopes) is called.
    pub fn new(client_id: AppId, tenant: LinkTenant, redirect_uri: &str) -> Result<Self> {
        Ok(Self {
            client_id,
            tenant,
            redirect_uri: RedirectUri::parse(redirect_uri)?,
            scopes: None,
            authority: Authority::Global,
        })
    }

    /// Asks for these scopes instead of `/.default`; an empty set keeps `/.default`.
    pub fn scopes(mut self, scopes: ScopeSet) -> Self {
        self.scopes = (!scopes.is_empty()).then_some(scopes);
        self
    }

    /// Uses a national cloud or a loopback emulator.
    pub fn authority(mut self, authority: Authority) -> Self {
        self.authority = authority;
        self
    }

    /// Builds the URL and the pending admin consent, with fresh randomness.
    pub fn build(self, clock: &dyn Clock) -> Result<(Url, PendingAdminConsent)> {
        self.build_with_rng(clock, &mut rand::thread_rng())
    }

    /// Builds with a caller-supplied cryptographic RNG (deterministic tests).
    pub fn build_with_rng<R: RngCore + CryptoRng>(self, clock: &dyn Clock, rng: &mut R) -> Result<(Url, PendingAdminConsent)> {
        let scopes = match self.scopes {
            Some(s) => s,
            None => ScopeSet::from_scopes([default_scope(&self.authority)?])?,
        };
        let state = super::authorize::random_token(rng);
        let mut url = self.authority.endpoint(&[&self.tenant.to_path(), "v2.0", "adminconsent"]);
        url.query_pairs_mut()
            .append_pair("client_id", &self.client_id.to_string())
            .append_pair("redirect_uri", self.redirect_uri.as_str())
            .append_pair("scope", &scopes.to_wire())
            .append_pair("state", &state);
        let pending = PendingAdminConsent {
            state,
            tenant: self.tenant,
            scopes,
            redirect_uri: self.redirect_uri,
            client_id: self.client_id,
            authority: self.authority,
            created_at: clock.now(),
        };
        Ok((url, pending))
    }
}

/// `/.default` on the authority's Microsoft Graph host (each national cloud has its own).
fn default_scope(authority: &Authority) -> Result<Scope> {
    let graph = match authority {
        Authority::Global | Authority::Loopback(_) => "https://graph.microsoft.com",
        Authority::UsGovernment => "https://graph.microsoft.us",
        Authority::China => "https://microsoftgraph.chinacloudapi.cn",
    };
    Scope::parse(&format!("{graph}/.default"))
}

/// What a product keeps until the admin-consent callback: the state and the tenant expected.
///
/// The callback usually arrives in the *admin's* browser, not the user's, so store this server-side
/// keyed by [`state`](Self::state), not in the user's session. It does not expire by itself (admins
/// act hours or days later and nothing secret is exchanged); drop it after the product's own limit,
/// using [`created_at`](Self::created_at).
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingAdminConsent {
    state: String,
    tenant: LinkTenant,
    scopes: ScopeSet,
    redirect_uri: RedirectUri,
    client_id: AppId,
    authority: Authority,
    created_at: DateTime<Utc>,
}

/// How far a granted tenant could be checked without a network call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenantCheck {
    /// The link named a tenant GUID and the callback returned the same GUID.
    Matched,
    /// The link named a domain or `organizations`, so the returned GUID could not be compared.
    /// Treat it as a claim: confirm it (the `issuer` of
    /// [`Authority::openid_configuration_url`], or the `tid` of a client-credentials token for that
    /// tenant) before relying on it.
    Unconfirmed,
}

/// What an admin-consent attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminConsentOutcome {
    /// `admin_consent=True` with no error: the admin granted consent.
    Granted {
        /// The tenant GUID Microsoft returned.
        tenant: TenantId,
        /// The scopes reported (`scope`); `None` on the v1-style shape, which omits them.
        scopes: Option<ScopeSet>,
        /// Whether `tenant` was compared with the expected one.
        check: TenantCheck,
    },
    /// The admin declined or cancelled: AADSTS65004, `error=consent_required` (v2 shape),
    /// `error=permission_denied` (v1/developer-guide shape), or `access_denied` with `cancel`.
    Declined {
        /// What Microsoft sent.
        error: AuthError,
    },
    /// The callback's `state` does not belong to this pending consent.
    StateMismatch {
        /// What was wrong with it.
        problem: StateProblem,
    },
    /// The returned `tenant` is not the tenant the link was built for (or not a GUID at all): the
    /// callback may be forged and is refused.
    TenantMismatch {
        /// The tenant the link was built for.
        expected: LinkTenant,
        /// What came back (cut to 64 characters), or `None` if no tenant came back.
        returned: Option<String>,
    },
    /// Any other error, with everything Microsoft sent.
    Other {
        /// What Microsoft sent.
        error: AuthError,
    },
}

impl AdminConsentOutcome {
    /// A stable snake_case name, for logs, metrics and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            AdminConsentOutcome::Granted { .. } => "granted",
            AdminConsentOutcome::Declined { .. } => "declined",
            AdminConsentOutcome::StateMismatch { .. } => "state_mismatch",
            AdminConsentOutcome::TenantMismatch { .. } => "tenant_mismatch",
            AdminConsentOutcome::Other { .. } => "other",
        }
    }

    fn from_error(error: AuthError) -> Self {
        let cancelled = error.error == "access_denied" && error.error_subcode.as_deref() == Some("cancel");
        let declined = error.has_code(65004) || matches!(error.error.as_str(), "permission_denied" | "consent_required");
        if declined || cancelled {
            AdminConsentOutcome::Declined { error }
        } else {
            AdminConsentOutcome::Other { error }
        }
    }
}

impl PendingAdminConsent {
    /// The `state` sent to Microsoft: key server-side storage by it.
    pub fn state(&self) -> &str {
        &self.state
    }
    /// The tenant the link was built for.
    pub fn tenant(&self) -> &LinkTenant {
        &self.tenant
    }
    /// The scopes asked for (`…/.default` unless explicit).
    pub fn scopes(&self) -> &ScopeSet {
        &self.scopes
    }
    /// The app.
    pub fn client_id(&self) -> AppId {
        self.client_id
    }
    /// The redirect URI.
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }
    /// The authority.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }
    /// When the link was built.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Classifies the admin-consent callback (raw query or full URL). Consumes the pending consent.
    ///
    /// `admin_consent=True` only marks the flow: Microsoft sends it on errors too, so any `error`
    /// wins. Returns [`Error::InvalidInput`] for a malformed callback (duplicates, oversize, no
    /// error and no `admin_consent=True`, a malformed `scope`).
    pub fn finish(self, callback: &str) -> Result<AdminConsentOutcome> {
        AdminConsentOutcome::classify(callback, &self.state, self.tenant)
    }
}

impl AdminConsentOutcome {
    /// Classifies an admin-consent callback against the `state` and tenant it must carry, for tools
    /// that hold those two values rather than the [`PendingAdminConsent`] (e.g. `consentctl
    /// admin-consent classify`). Same checks and errors as [`PendingAdminConsent::finish`].
    pub fn classify(callback: &str, expected_state: &str, expected_tenant: LinkTenant) -> Result<AdminConsentOutcome> {
        let q = CallbackQuery::parse(callback)?;
        if let Err(problem) = check_state(expected_state, &q) {
            tracing::warn!(?problem, "admin-consent callback refused: state does not match");
            return Ok(AdminConsentOutcome::StateMismatch { problem });
        }
        if let Some(error) = AuthError::from_query(&q) {
            return Ok(AdminConsentOutcome::from_error(error));
        }
        if !q.get("admin_consent").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
            return Err(Error::invalid(
                "callback",
                "has neither `error` nor `admin_consent=True`; pass the whole query string Microsoft redirected to",
            ));
        }
        let scopes = q.get("scope").map(ScopeSet::parse).transpose()?;
        Ok(check_tenant(expected_tenant, q.get("tenant"), scopes))
    }
}

fn check_tenant(expected: LinkTenant, returned: Option<&str>, scopes: Option<ScopeSet>) -> AdminConsentOutcome {
    let guid = returned.and_then(|r| TenantId::parse(r).ok()).filter(|t| t.as_uuid().is_some());
    let check = match (&guid, expected.tenant().and_then(TenantId::as_uuid)) {
        (Some(got), Some(want)) if got.as_uuid() == Some(want) => Some(TenantCheck::Matched),
        (Some(_), None) => Some(TenantCheck::Unconfirmed),
        _ => None,
    };
    match (guid, check) {
        (Some(tenant), Some(check)) => AdminConsentOutcome::Granted { tenant, scopes, check },
        _ => {
            tracing::warn!(expected = %expected, "admin-consent callback refused: tenant does not match");
            AdminConsentOutcome::TenantMismatch {
                expected,
                returned: returned.map(truncate),
            }
        }
    }
}
