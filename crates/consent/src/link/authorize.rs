//! The user's authorize URL (`/{tenant}/oauth2/v2.0/authorize`) with PKCE S256 and a random state,
//! and the [`PendingLink`] a product keeps until the browser comes back.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use super::admin::AdminConsentLink;
use super::authority::{Authority, LinkTenant, RedirectUri};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::ids::{truncate, AppId};
use crate::scope::ScopeSet;

/// Random bytes behind `state` and the PKCE verifier: 256 bits, twice the 128 the brief requires.
const RANDOM_BYTES: usize = 32;
/// Longest `login_hint` accepted (a UPN or email address is far shorter).
const MAX_HINT_LEN: usize = 256;

/// The `prompt` parameter: what Microsoft shows before consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prompt {
    /// Let the user pick which account to link (the default: people often have several).
    #[default]
    SelectAccount,
    /// Force a fresh sign-in.
    Login,
    /// Show the consent page even if consent exists. Note: for scopes that need an admin this makes
    /// non-admins hit AADSTS90094 even after tenant-wide consent.
    Consent,
    /// No interaction at all; fails with `interaction_required`/`consent_required` if any is needed.
    None,
}

impl Prompt {
    fn as_str(self) -> &'static str {
        match self {
            Prompt::SelectAccount => "select_account",
            Prompt::Login => "login",
            Prompt::Consent => "consent",
            Prompt::None => "none",
        }
    }
}

crate::secret_type! {
    /// The PKCE `code_verifier`: a secret the token exchange must present.
    ///
    /// It is serialized (a [`PendingLink`] must be persisted between the redirect and the callback),
    /// but `Debug` prints `[redacted]` and there is no `Display`, so it never reaches logs by accident.
    #[derive(Serialize, Deserialize)]
    #[serde(try_from = "String", into = "String")]
    pub struct PkceVerifier;
}

impl PkceVerifier {
    fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        Self(random_token(rng))
    }

    /// The S256 `code_challenge`: base64url(SHA-256(verifier)), without padding (RFC 7636 §4.2).
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl TryFrom<String> for PkceVerifier {
    type Error = Error;
    /// Accepts RFC 7636's verifier form: 43–128 characters of `[A-Za-z0-9-._~]`.
    fn try_from(s: String) -> Result<Self> {
        let ok_chars = s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if !(43..=128).contains(&s.len()) || !ok_chars {
            return Err(Error::invalid(
                "code_verifier",
                "must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)",
            ));
        }
        Ok(Self(s))
    }
}
pub(super) fn random_token<R: RngCore + CryptoRng>(rng: &mut R) -> String {
    let mut bytes = [0u8; RANDOM_BYTES];
    rng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Builds the authorize URL for "Link my Microsoft 365 calendar".
///
/// ```
/// use consent::link::{LinkRequest, LinkTenant};
/// use consent::{AppId, ManualClock, ScopeSet};
///
/// let clock = ManualClock::new(chrono::Utc::now());
/// let (url, pending) = LinkRequest::new(
///     AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?,
///     "https://crm.example.com/auth/microsoft/callback",
///     ScopeSet::parse("Calendars.ReadWrite User.Read offline_access")?,
/// )?
/// .tenant(LinkTenant::parse("contoso.onmicrosoft.com")?)
/// .login_hint("ada@contoso.com")
/// .build(&clock)?;
/// let authorize = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?";
/// assert!(url.as_str().starts_with(authorize));
/// assert!(url.query_pairs().any(|(k, v)| k == "state" && v == pending.state()));
/// # Ok::<(), consent::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LinkRequest {
    client_id: AppId,
    redirect_uri: RedirectUri,
    scopes: ScopeSet,
    tenant: LinkTenant,
    authority: Authority,
    prompt: Prompt,
    login_hint: Option<String>,
    domain_hint: Option<String>,
}

impl LinkRequest {
    /// A request for `scopes` (explicit, never empty) that returns to `redirect_uri`, for any work or
    /// school tenant (`organizations`) on Microsoft's global cloud with `prompt=select_account`.
    pub fn new(client_id: AppId, redirect_uri: &str, scopes: ScopeSet) -> Result<Self> {
        if scopes.is_empty() {
            return Err(Error::invalid(
                "scopes",
                "is empty; list the permissions explicitly (e.g. Calendars.ReadWrite User.Read offline_access)",
            ));
        }
        Ok(Self {
            client_id,
            redirect_uri: RedirectUri::parse(redirect_uri)?,
            scopes,
            tenant: LinkTenant::Organizations,
            authority: Authority::Global,
            prompt: Prompt::SelectAccount,
            login_hint: None,
            domain_hint: None,
        })
    }

    /// Sends the user to one tenant's sign-in (recommended when the product knows the customer's tenant).
    pub fn tenant(mut self, tenant: LinkTenant) -> Self {
        self.tenant = tenant;
        self
    }

    /// Uses a national cloud or a loopback emulator instead of the global cloud.
    pub fn authority(mut self, authority: Authority) -> Self {
        self.authority = authority;
        self
    }

    /// Overrides `prompt` (default `select_account`).
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        self.prompt = prompt;
        self
    }

    /// Pre-fills the account (`login_hint`), e.g. the user's email in the product. Checked at build.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Skips home-realm discovery (`domain_hint`), e.g. `contoso.com`. Checked at build.
    pub fn domain_hint(mut self, hint: impl Into<String>) -> Self {
        self.domain_hint = Some(hint.into());
        self
    }

    /// Builds the URL and the pending link, with fresh randomness from the thread-local CSPRNG.
    pub fn build(self, clock: &dyn Clock) -> Result<(Url, PendingLink)> {
        self.build_with_rng(clock, &mut rand::thread_rng())
    }

    /// Builds with a caller-supplied cryptographic RNG (deterministic tests).
    pub fn build_with_rng<R: RngCore + CryptoRng>(self, clock: &dyn Clock, rng: &mut R) -> Result<(Url, PendingLink)> {
        self.check_hints()?;
        let state = random_token(rng);
        let verifier = PkceVerifier::generate(rng);
        let url = self.url(&state, &verifier);
        tracing::debug!(client_id = %self.client_id, tenant = %self.tenant, "built authorize URL");
        let pending = PendingLink {
            state,
            verifier,
            tenant: self.tenant,
            scopes: self.scopes,
            redirect_uri: self.redirect_uri,
            client_id: self.client_id,
            authority: self.authority,
            created_at: clock.now(),
        };
        Ok((url, pending))
    }

    fn check_hints(&self) -> Result<()> {
        if let Some(h) = &self.login_hint {
            check_hint("login_hint", h)?;
        }
        if let Some(h) = &self.domain_hint {
            check_hint("domain_hint", h)?;
            if h.contains(char::is_whitespace) || h.contains(['/', '@', '?', '#']) {
                return Err(Error::invalid("domain_hint", format!("{:?} is not a domain name", truncate(h))));
            }
        }
        Ok(())
    }

    fn url(&self, state: &str, verifier: &PkceVerifier) -> Url {
        let mut url = self.authority.endpoint(&[&self.tenant.to_path(), "oauth2", "v2.0", "authorize"]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id.to_string())
                .append_pair("response_type", "code")
                .append_pair("redirect_uri", self.redirect_uri.as_str())
                .append_pair("response_mode", "query")
                .append_pair("scope", &self.scopes.to_wire())
                .append_pair("state", state)
                .append_pair("code_challenge", &verifier.challenge())
                .append_pair("code_challenge_method", "S256")
                .append_pair("prompt", self.prompt.as_str());
            if let Some(h) = &self.login_hint {
                q.append_pair("login_hint", h.trim());
            }
            if let Some(h) = &self.domain_hint {
                q.append_pair("domain_hint", h.trim());
            }
        }
        url
    }
}

fn check_hint(field: &'static str, hint: &str) -> Result<()> {
    let h = hint.trim();
    if h.is_empty() || h.len() > MAX_HINT_LEN || h.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            format!("must be 1-{MAX_HINT_LEN} characters without control characters; leave it unset if unknown"),
        ));
    }
    Ok(())
}

/// What a product keeps between sending the user to Microsoft and the callback: the state, the PKCE
/// verifier, and everything the token exchange needs.
///
/// Persist it server-side, bound to the user's session, and delete it when the callback arrives:
/// [`finish`](PendingLink::finish) consumes it so one pending link yields at most one outcome.
/// It is deliberately not `Clone`. `Debug` hides the verifier.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
pub struct PendingLink {
    pub(super) state: String,
    pub(super) verifier: PkceVerifier,
    pub(super) tenant: LinkTenant,
    pub(super) scopes: ScopeSet,
    pub(super) redirect_uri: RedirectUri,
    pub(super) client_id: AppId,
    pub(super) authority: Authority,
    pub(super) created_at: DateTime<Utc>,
}

impl PendingLink {
    /// The `state` sent to Microsoft; a product may key its storage by it.
    pub fn state(&self) -> &str {
        &self.state
    }
    /// The tenant the link was built for.
    pub fn tenant(&self) -> &LinkTenant {
        &self.tenant
    }
    /// The scopes requested.
    pub fn scopes(&self) -> &ScopeSet {
        &self.scopes
    }
    /// The redirect URI (the token exchange must repeat it).
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }
    /// The app.
    pub fn client_id(&self) -> AppId {
        self.client_id
    }
    /// The sign-in authority.
    pub fn authority(&self) -> &Authority {
        &self.authority
    }
    /// When the URL was built (from the injected clock).
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// An admin-consent link for the same app, tenant, authority and scopes, returning to
    /// `admin_redirect_uri`. Build it before [`finish`](PendingLink::finish) consumes the pending
    /// link, and hand its URL to the admin when the outcome needs one.
    pub fn admin_consent_link(&self, admin_redirect_uri: &str) -> Result<AdminConsentLink> {
        Ok(AdminConsentLink::new(self.client_id, self.tenant.clone(), admin_redirect_uri)?
            .scopes(self.scopes.clone())
            .authority(self.authority.clone()))
    }
}

impl fmt::Debug for PendingLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLink")
            .field("state", &self.state)
            .field("verifier", &self.verifier)
            .field("tenant", &self.tenant)
            .field("scopes", &self.scopes)
            .field("redirect_uri", &self.redirect_uri)
            .field("client_id", &self.client_id)
            .field("authority", &self.authority)
            .field("created_at", &self.created_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use rand::SeedableRng;

    use super::*;
    use crate::clock::ManualClock;

    pub(crate) fn clock() -> ManualClock {
        ManualClock::new(DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap().with_timezone(&Utc))
    }

    fn request() -> LinkRequest {
        LinkRequest::new(
            AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(),
            "https://crm.example.com/auth/microsoft/callback",
            ScopeSet::parse("Calendars.ReadWrite User.Read offline_access").unwrap(),
        )
        .unwrap()
    }

    fn params(url: &Url) -> HashMap<String, String> {
        url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
    }

    #[test]
    fn authorize_url_has_every_required_parameter() {
        let (url, pending) = request().build(&clock()).unwrap();
        assert_eq!(url.host_str(), Some("login.microsoftonline.com"));
        assert_eq!(url.path(), "/organizations/oauth2/v2.0/authorize");
        let p = params(&url);
        assert_eq!(p["client_id"], "4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11");
        assert_eq!(p["response_type"], "code");
        assert_eq!(p["response_mode"], "query");
        assert_eq!(p["redirect_uri"], "https://crm.example.com/auth/microsoft/callback");
        assert_eq!(p["scope"], "Calendars.ReadWrite User.Read offline_access");
        assert_eq!(p["prompt"], "select_account");
        assert_eq!(p["code_challenge_method"], "S256");
        assert_eq!(p["state"], pending.state());
        assert_eq!(p["code_challenge"], pending.verifier.challenge());
        assert!(
            !url.as_str().contains(pending.verifier.secret()),
            "the verifier never leaves the server"
        );
        assert_eq!(pending.created_at(), clock().now());
    }

    #[test]
    fn state_and_verifier_carry_256_random_bits_and_differ_per_link() {
        let (_, a) = request().build(&clock()).unwrap();
        let (_, b) = request().build(&clock()).unwrap();
        assert_eq!(URL_SAFE_NO_PAD.decode(a.state()).unwrap().len(), 32);
        assert_eq!(a.verifier.secret().len(), 43);
        assert_ne!(a.state(), b.state());
        assert_ne!(a.verifier, b.verifier);
    }

    #[test]
    fn pkce_challenge_matches_rfc7636_appendix_b() {
        let v = PkceVerifier::try_from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned()).unwrap();
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn tenant_prompt_hints_and_national_cloud_are_applied() {
        let (url, _) = request()
            .tenant(LinkTenant::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap())
            .authority(Authority::UsGovernment)
            .prompt(Prompt::Consent)
            .login_hint("ada@contoso.com")
            .domain_hint("contoso.com")
            .build_with_rng(&clock(), &mut rand::rngs::StdRng::seed_from_u64(7))
            .unwrap();
        assert_eq!(url.host_str(), Some("login.microsoftonline.us"));
        assert_eq!(url.path(), "/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize");
        let p = params(&url);
        assert_eq!((p["prompt"].as_str(), p["login_hint"].as_str()), ("consent", "ada@contoso.com"));
        assert_eq!(p["domain_hint"], "contoso.com");
    }

    #[test]
    fn bad_inputs_are_refused_with_the_field() {
        let app = AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap();
        let scopes = ScopeSet::parse("User.Read").unwrap();
        let err = LinkRequest::new(app, "http://crm.example.com/cb", scopes.clone()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "redirect_uri", .. }));
        let err = LinkRequest::new(app, "https://crm.example.com/cb", ScopeSet::new()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "scopes", .. }));
        let err = request().login_hint("a\u{0}b").build(&clock()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "login_hint", .. }));
        let err = request().domain_hint("contoso.com/evil").build(&clock()).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "domain_hint", .. }));
    }

    #[test]
    fn pending_link_round_trips_through_json_and_debug_hides_the_verifier() {
        let (_, pending) = request().build(&clock()).unwrap();
        let json = serde_json::to_string(&pending).unwrap();
        assert!(json.contains(pending.verifier.secret()), "the verifier must be persisted");
        let back: PendingLink = serde_json::from_str(&json).unwrap();
        assert_eq!(back, pending);
        let debug = format!("{pending:?}");
        assert!(!debug.contains(pending.verifier.secret()), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert_eq!(format!("{:?}", pending.verifier), "[redacted]");
    }

    #[test]
    fn tampered_pending_link_json_is_refused() {
        let (_, pending) = request().build(&clock()).unwrap();
        let json = serde_json::to_value(&pending).unwrap();
        for (field, value) in [
            ("verifier", "short"),
            ("tenant", "common"),
            ("authority", "https://evil.example"),
            ("redirect_uri", "http://evil.example/cb"),
        ] {
            let mut bad = json.clone();
            bad[field] = serde_json::Value::String(value.to_owned());
            assert!(serde_json::from_value::<PendingLink>(bad).is_err(), "{field}={value}");
        }
    }
}
