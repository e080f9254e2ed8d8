//! Link health, sans-IO: after consent, why a linked account stopped working and who must act.
//!
//! A product holding a user's refresh token sees one of two answers when the link breaks: an error
//! from the token endpoint (on refresh or on code redemption) or an error from the first Graph
//! call. [`LinkHealth::from_token_error`] and [`LinkHealth::from_graph_error`] turn either into one
//! [`HealthOutcome`], with [`WhoActs`] and, for [`HealthOutcome::Transient`], how long to wait.
//! [`LinkHealth::guidance`] tells the user and the admin what to do, in the user's language.
//!
//! # Order of signals
//!
//! Token endpoint: the first AADSTS code the table knows (from `error_codes`, then `AADSTS<digits>`
//! in `error_description`, as the callback classifier reads them), then `suberror`, then `error`,
//! then the HTTP status. Graph: a 2xx is healthy; otherwise the documented mailbox and
//! access-policy message fragments, then `error.code`, then the HTTP status. Anything else is
//! [`HealthOutcome::Unknown`], keeping the bounded code and description for support.
//!
//! Microsoft says to react to `error`, not to the description text, and that AADSTS numbers are what
//! its reference documents; the description is therefore searched only for `AADSTS<digits>`, kept
//! (cut to 2 kB) for support, and never put into guidance: it came from outside.
//!
//! # Example
//!
//! ```
//! use consent::guidance::{Locale, Product};
//! use consent::link::{HealthOutcome, LinkHealth, WhoActs};
//!
//! let body = r#"{"error": "invalid_grant", "error_codes": [50173],
//!     "error_description": "AADSTS50173: The provided grant has expired due to it being revoked."}"#;
//! let health = LinkHealth::from_token_error(body);
//! assert_eq!(health.outcome, HealthOutcome::ReauthRequired);
//! assert_eq!(health.who_acts, WhoActs::User);
//! assert_eq!(health.code.as_deref(), Some("AADSTS50173"));
//!
//! let mailbox = r#"{"error": {"code": "MailboxNotEnabledForRESTAPI",
//!     "message": "The mailbox is either inactive, soft-deleted, or is hosted on-premise."}}"#;
//! let graph = LinkHealth::from_graph_error(404, mailbox, None);
//! assert_eq!(graph.outcome, HealthOutcome::MailboxUnavailable);
//! let help = graph.guidance(&Product::new("Acme"), Locale::En);
//! assert!(help.to_text().contains("Exchange Online"));
//! ```

mod guidance;
mod parse;
mod table;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use parse::MAX_BODY_BYTES;
pub use table::{HealthRule, Signal, LINK_HEALTH_TABLE};

/// The longest wait [`LinkHealth::retry_after`] reports; a longer `Retry-After` is cut to this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// What a linked account's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HealthOutcome {
    /// The refresh and the first read worked.
    Healthy,
    /// The consent the link relied on no longer exists (e.g. AADSTS65001 on refresh after an admin
    /// revoked the grant).
    ConsentRevoked,
    /// The stored sign-in is no longer accepted: password changed or reset, tokens revoked, refresh
    /// token expired by inactivity or sign-in frequency, MFA or another interactive step needed, or
    /// Graph refused the token (401).
    ReauthRequired,
    /// The user's account is disabled, deleted, locked or not in the tenant.
    AccountUnavailable,
    /// Conditional Access (including device compliance) or an Exchange access policy blocks it.
    BlockedByPolicy,
    /// No Exchange Online mailbox: no licence, inactive or soft-deleted, or hosted on-premises.
    MailboxUnavailable,
    /// The token lacks a permission the call needs: incremental consent or a new admin approval.
    ScopesMissing,
    /// An admin disabled the app's sign-in in the tenant.
    AppDisabled,
    /// The app's service principal is not (or no longer) in the tenant.
    AppNotInTenant,
    /// The vendor's client secret or certificate is invalid or expired.
    ClientCredentialsInvalid,
    /// Throttled or briefly unavailable: wait ([`LinkHealth::retry_after`] when given) and retry.
    Transient,
    /// Anything else; the code and description are kept for support.
    Unknown,
}

impl HealthOutcome {
    /// Every outcome, in declaration order.
    pub const ALL: [HealthOutcome; 12] = [
        HealthOutcome::Healthy,
        HealthOutcome::ConsentRevoked,
        HealthOutcome::ReauthRequired,
        HealthOutcome::AccountUnavailable,
        HealthOutcome::BlockedByPolicy,
        HealthOutcome::MailboxUnavailable,
        HealthOutcome::ScopesMissing,
        HealthOutcome::AppDisabled,
        HealthOutcome::AppNotInTenant,
        HealthOutcome::ClientCredentialsInvalid,
        HealthOutcome::Transient,
        HealthOutcome::Unknown,
    ];

    /// The snake_case name used in JSON, logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthOutcome::Healthy => "healthy",
            HealthOutcome::ConsentRevoked => "consent_revoked",
            HealthOutcome::ReauthRequired => "reauth_required",
            HealthOutcome::AccountUnavailable => "account_unavailable",
            HealthOutcome::BlockedByPolicy => "blocked_by_policy",
            HealthOutcome::MailboxUnavailable => "mailbox_unavailable",
            HealthOutcome::ScopesMissing => "scopes_missing",
            HealthOutcome::AppDisabled => "app_disabled",
            HealthOutcome::AppNotInTenant => "app_not_in_tenant",
            HealthOutcome::ClientCredentialsInvalid => "client_credentials_invalid",
            HealthOutcome::Transient => "transient",
            HealthOutcome::Unknown => "unknown",
        }
    }
}

impl fmt::Display for HealthOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who must act for the link to work again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WhoActs {
    /// The employee whose account is linked (sign in again, do MFA, accept permissions).
    User,
    /// The customer tenant's administrator.
    Admin,
    /// The company running the product (its app registration, secret, code).
    Vendor,
    /// Nobody: wait and retry.
    Nobody,
}

impl WhoActs {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            WhoActs::User => "user",
            WhoActs::Admin => "admin",
            WhoActs::Vendor => "vendor",
            WhoActs::Nobody => "nobody",
        }
    }
}

impl fmt::Display for WhoActs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which endpoint's answer was classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthSource {
    /// The token endpoint (refresh or code redemption).
    TokenEndpoint,
    /// Microsoft Graph.
    Graph,
}

/// The health of one linked account: the outcome, who acts, and what Microsoft sent (bounded).
///
/// Built only by this module's classifiers, so `outcome` and `who_acts` always come from
/// [`LINK_HEALTH_TABLE`] (or are `Healthy`/`Nobody`, `Unknown`/`Vendor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LinkHealth {
    /// What the answer means.
    pub outcome: HealthOutcome,
    /// Who must act.
    pub who_acts: WhoActs,
    /// Which endpoint answered (`None` when healthy).
    pub source: Option<HealthSource>,
    /// The deciding code, as support quotes it: `AADSTS50173`, `MailboxNotEnabledForRESTAPI`, the
    /// OAuth `error` (`invalid_grant`) or `HTTP 503`. Only identifier characters are ever kept.
    pub code: Option<String>,
    /// The OAuth `error` of a token-endpoint answer.
    pub error: Option<String>,
    /// Every AADSTS code of a token-endpoint answer, first listed first (at most 16).
    pub error_codes: Vec<u32>,
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// For [`HealthOutcome::Transient`]: how long to wait, when the answer said (at most
    /// [`MAX_RETRY_AFTER`]); serialized as whole seconds, rounded up.
    #[serde(default, with = "secs")]
    pub retry_after: Option<Duration>,
    /// `error_description` or Graph's `message`, cut to 2 kB and without control characters: for
    /// support (it holds Microsoft's trace and correlation ids). Never shown in guidance.
    pub description: Option<String>,
}

impl LinkHealth {
    /// [`retry_after`](Self::retry_after) in whole seconds, rounded up (as it is serialized and as
    /// `Retry-After` is written: a wait is never told shorter than it is).
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after.map(ceil_secs)
    }

    /// The link works.
    pub fn healthy() -> Self {
        Self::new(HealthOutcome::Healthy, WhoActs::Nobody, None)
    }

    fn new(outcome: HealthOutcome, who_acts: WhoActs, source: Option<HealthSource>) -> Self {
        Self {
            outcome,
            who_acts,
            source,
            code: None,
            error: None,
            error_codes: Vec::new(),
            status: None,
            retry_after: None,
            description: None,
        }
    }

    /// Classifies a token-endpoint error body (refresh or code redemption) whose HTTP status is not
    /// known. Never fails: a body that is not Microsoft's error JSON is [`HealthOutcome::Unknown`].
    pub fn from_token_error(body: &str) -> Self {
        Self::classify_token(None, body, None)
    }

    /// Classifies a token-endpoint answer with its HTTP status and parsed `Retry-After`. A 2xx is
    /// not an error and yields [`HealthOutcome::Healthy`] (the Graph read decides the rest).
    pub fn from_token_response(status: u16, body: &str, retry_after: Option<Duration>) -> Self {
        if (200..300).contains(&status) {
            return Self::healthy();
        }
        Self::classify_token(Some(status), body, retry_after)
    }

    fn classify_token(status: Option<u16>, body: &str, retry_after: Option<Duration>) -> Self {
        let b = parse::token_body(body);
        let by_code = b
            .codes
            .iter()
            .find_map(|c| table::find(|s| *s == Signal::Aadsts(*c)).map(|r| (r, format!("AADSTS{c}"))));
        let by_name = || {
            let sub = b
                .suberror
                .as_deref()
                .and_then(|e| table::find(|s| matches!(s, Signal::SubError(x) if *x == e)));
            let err = b
                .error
                .as_deref()
                .and_then(|e| table::find(|s| matches!(s, Signal::OAuthError(x) if *x == e)));
            sub.or(err).map(|r| (r, fallback_code(&b, status)))
        };
        let by_status = || status_rule(status, false).map(|r| (r, fallback_code(&b, status)));
        let decided = by_code.map(|(r, c)| (r, Some(c))).or_else(by_name).or_else(by_status);
        let mut h = match decided {
            Some((rule, code)) => Self::from_rule(rule, HealthSource::TokenEndpoint, code),
            None => Self::unknown(HealthSource::TokenEndpoint, fallback_code(&b, status)),
        };
        h.error = b.error;
        h.error_codes = b.codes;
        h.description = b.description;
        h.finish(status, retry_after)
    }

    /// Classifies Graph's answer to the first calendar call: its HTTP status, its body and its parsed
    /// `Retry-After`. A 2xx is [`HealthOutcome::Healthy`]. Never fails.
    pub fn from_graph_error(status: u16, body: &str, retry_after: Option<Duration>) -> Self {
        if (200..300).contains(&status) {
            return Self::healthy();
        }
        let b = parse::graph_body(body);
        let by_message = table::find(|s| matches!(s, Signal::GraphMessage(m) if b.message_lower.contains(&m.to_lowercase())));
        let by_code = || {
            b.code
                .as_deref()
                .and_then(|c| table::find(|s| matches!(s, Signal::GraphCode(x) if *x == c)))
        };
        let rule = by_message.or_else(by_code).or_else(|| status_rule(Some(status), true));
        let code = b.code.clone().unwrap_or_else(|| format!("HTTP {status}"));
        let mut h = match rule {
            Some(rule) => Self::from_rule(rule, HealthSource::Graph, Some(code)),
            None => Self::unknown(HealthSource::Graph, Some(code)),
        };
        h.description = b.description;
        h.finish(Some(status), retry_after)
    }

    fn from_rule(rule: &HealthRule, source: HealthSource, code: Option<String>) -> Self {
        let mut h = Self::new(rule.outcome, rule.who_acts, Some(source));
        h.code = code;
        h
    }

    fn unknown(source: HealthSource, code: Option<String>) -> Self {
        let mut h = Self::new(HealthOutcome::Unknown, WhoActs::Vendor, Some(source));
        h.code = code;
        h
    }

    fn finish(mut self, status: Option<u16>, retry_after: Option<Duration>) -> Self {
        self.status = status;
        if self.outcome == HealthOutcome::Transient {
            self.retry_after = retry_after.map(|d| d.min(MAX_RETRY_AFTER));
        }
        self
    }

    /// The outcome's snake_case name.
    pub fn kind(&self) -> &'static str {
        self.outcome.as_str()
    }

    /// True unless the link is healthy or only needs a wait.
    pub fn needs_action(&self) -> bool {
        !matches!(self.outcome, HealthOutcome::Healthy | HealthOutcome::Transient)
    }
}

/// The code to quote when no known AADSTS code decided: the first code listed, else the OAuth
/// error, else the HTTP status.
fn fallback_code(b: &parse::TokenBody, status: Option<u16>) -> Option<String> {
    b.codes
        .first()
        .map(|c| format!("AADSTS{c}"))
        .or_else(|| b.error.clone())
        .or_else(|| status.map(|s| format!("HTTP {s}")))
}

fn status_rule(status: Option<u16>, graph: bool) -> Option<&'static HealthRule> {
    let status = status?;
    table::find(|s| *s == Signal::HttpStatus(status) || (graph && *s == Signal::GraphStatus(status)))
}

/// Whole seconds, rounded up, the way `Retry-After` is written: a wait is never told shorter than it is.
fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// `Option<Duration>` as whole seconds (rounded up, [`ceil_secs`]).
mod secs {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&super::ceil_secs(*d)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}
