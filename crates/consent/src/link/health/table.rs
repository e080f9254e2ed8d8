//! The signal → outcome table, with the Microsoft page each row comes from.
//!
//! `docs/link-health.md` repeats this table for people (with what to do and more sources); a test in
//! `crates/workspace-checks` keeps the two in step. Rows are read in order within each kind of
//! signal; see [`LinkHealth`](super::LinkHealth) for the order between kinds.

use super::{HealthOutcome, WhoActs};

/// Microsoft's AADSTS reference (meaning of every code, revision of 2025-02-03).
const REF: &str = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes";
const REFRESH_TOKENS: &str = "https://learn.microsoft.com/entra/identity-platform/refresh-tokens";
const T50173: &str = "https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts50173-grant-expired-revoked";
const T50057: &str =
    "https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts50057-user-account-is-disabled";
const T50020: &str = "https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts50020-user-account-identity-provider-does-not-exist";
const T7000112: &str =
    "https://learn.microsoft.com/troubleshoot/entra/entra-id/app-integration/error-code-aadsts7000112-application-is-disabled";
const CA_TROUBLESHOOT: &str = "https://learn.microsoft.com/entra/identity/conditional-access/troubleshoot-conditional-access";
const CA_DEVICE_MANAGED: &str = "https://learn.microsoft.com/power-platform/admin/troubleshooting-conditional-access-in-authentication";
const REVOKED_CREDENTIALS: &str = "https://learn.microsoft.com/entra/workload-id/troubleshoot-revoked-credentials";
const AUTH_CODE_FLOW: &str = "https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow";
const MSAL_CLASSIFICATION: &str = "https://learn.microsoft.com/dotnet/api/microsoft.identity.client.uirequiredexceptionclassification";
const KB_REST_MAILBOX: &str =
    "https://learn.microsoft.com/exchange/troubleshoot/user-and-shared-mailboxes/rest-api-is-not-yet-supported-for-this-mailbox-error";
const QA_NO_LICENCE: &str = "https://learn.microsoft.com/answers/questions/1457213/unable-to-obtain-free-busy-time-of-calendar-using";
/// Microsoft Graph staff: `ResourceNotFound` on `/me/…` when the user's mailbox does not exist.
const GRAPH_NO_MAILBOX: &str = "https://github.com/microsoftgraph/microsoft-graph-docs/issues/5143";
/// Microsoft Graph staff: `ErrorAccessDenied` when the token's `scp` lacks the calendar permission.
const GRAPH_ACCESS_DENIED: &str = "https://github.com/microsoftgraph/msgraph-sample-pythondjangoapp/issues/29";
const LIMIT_MAILBOX_ACCESS: &str = "https://learn.microsoft.com/graph/auth-limit-mailbox-access";
const GRAPH_ERRORS: &str = "https://learn.microsoft.com/graph/errors";
const GRAPH_THROTTLING: &str = "https://learn.microsoft.com/graph/throttling";
const OUTLOOK_LIMITS: &str = "https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits";
const EWS_CODES: &str = "https://learn.microsoft.com/exchange/client-developer/web-service-reference/responsecode";

/// Something in an answer that decides an outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// An AADSTS code, from `error_codes` or `AADSTS<digits>` in `error_description`.
    Aadsts(u32),
    /// The token endpoint's `suberror` (MSAL's classification of interactive errors).
    SubError(&'static str),
    /// The token endpoint's OAuth `error` value.
    OAuthError(&'static str),
    /// A fragment of a Graph error's `message` (only for mailbox and access-policy answers, whose
    /// codes Microsoft does not keep apart); matched case-insensitively, never shown.
    GraphMessage(&'static str),
    /// A Graph error's `error.code`.
    GraphCode(&'static str),
    /// An HTTP status from either endpoint, when no code decided.
    HttpStatus(u16),
    /// An HTTP status from Graph only, when no code decided.
    GraphStatus(u16),
}

impl Signal {
    /// How the docs table names the signal at the start of its row (`AADSTS50173`, `error=invalid_grant`,
    /// `suberror=basic_action`, `MailboxNotEnabledForRESTAPI`, `message "hosted on-premise"`,
    /// `HTTP 503`, `Graph HTTP 401`).
    pub fn label(&self) -> String {
        match self {
            Signal::Aadsts(c) => format!("AADSTS{c}"),
            Signal::SubError(s) => format!("suberror={s}"),
            Signal::OAuthError(e) => format!("error={e}"),
            Signal::GraphMessage(m) => format!("message \"{m}\""),
            Signal::GraphCode(c) => (*c).to_owned(),
            Signal::HttpStatus(s) => format!("HTTP {s}"),
            Signal::GraphStatus(s) => format!("Graph HTTP {s}"),
        }
    }
}

/// One row: a signal, what it means for the link, who acts, and the Microsoft page it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthRule {
    /// What was seen.
    pub signal: Signal,
    /// What it means.
    pub outcome: HealthOutcome,
    /// Who must act.
    pub who_acts: WhoActs,
    /// The Microsoft page (or Microsoft staff answer) the meaning comes from.
    pub source: &'static str,
}

const fn rule(signal: Signal, outcome: HealthOutcome, who_acts: WhoActs, source: &'static str) -> HealthRule {
    HealthRule {
        signal,
        outcome,
        who_acts,
        source,
    }
}

use HealthOutcome as O;
use Signal as S;
use WhoActs as W;

/// Every signal the classifier knows. Anything else is [`HealthOutcome::Unknown`] (who acts: vendor).
pub const LINK_HEALTH_TABLE: &[HealthRule] = &[
    // Consent gone (revoked, or never covered what is asked for now).
    rule(S::Aadsts(65001), O::ConsentRevoked, W::User, REF),
    // The stored sign-in is no longer accepted: sign in again.
    rule(S::Aadsts(50173), O::ReauthRequired, W::User, T50173),
    rule(S::Aadsts(50133), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(700082), O::ReauthRequired, W::User, REFRESH_TOKENS),
    rule(S::Aadsts(70043), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(70008), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(70000), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(50076), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(50079), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(50158), O::ReauthRequired, W::User, REF),
    rule(S::Aadsts(50055), O::ReauthRequired, W::User, REF),
    // Sign in again, but the cause is the vendor's: a `spa` refresh token's fixed 24 h, a malformed
    // stored token, an authorization code redeemed twice.
    rule(S::Aadsts(700084), O::ReauthRequired, W::Vendor, REFRESH_TOKENS),
    rule(S::Aadsts(9002313), O::ReauthRequired, W::Vendor, REF),
    rule(S::Aadsts(54005), O::ReauthRequired, W::Vendor, REF),
    // The account itself.
    rule(S::Aadsts(50057), O::AccountUnavailable, W::Admin, T50057),
    rule(S::Aadsts(50034), O::AccountUnavailable, W::Admin, REF),
    rule(S::Aadsts(50053), O::AccountUnavailable, W::Admin, REF),
    rule(S::Aadsts(50020), O::AccountUnavailable, W::Admin, T50020),
    // Conditional Access. A server-side refresh has no user device, so even device conditions are
    // the admin's to resolve (policy scope or exclusion).
    rule(S::Aadsts(53003), O::BlockedByPolicy, W::Admin, CA_TROUBLESHOOT),
    rule(S::Aadsts(53000), O::BlockedByPolicy, W::Admin, REF),
    rule(S::Aadsts(53001), O::BlockedByPolicy, W::Admin, REF),
    rule(S::Aadsts(530003), O::BlockedByPolicy, W::Admin, CA_DEVICE_MANAGED),
    // A permission the refresh asks for was never granted and needs an admin.
    rule(S::Aadsts(90094), O::ScopesMissing, W::Admin, REF),
    rule(S::Aadsts(90095), O::ScopesMissing, W::Admin, REF),
    // The app in the customer's tenant.
    rule(S::Aadsts(7000112), O::AppDisabled, W::Admin, T7000112),
    rule(S::Aadsts(700016), O::AppNotInTenant, W::Admin, REF),
    rule(S::Aadsts(700011), O::AppNotInTenant, W::Admin, REF),
    // The vendor's own credentials.
    rule(S::Aadsts(7000215), O::ClientCredentialsInvalid, W::Vendor, REF),
    rule(S::Aadsts(7000222), O::ClientCredentialsInvalid, W::Vendor, REF),
    rule(S::Aadsts(700027), O::ClientCredentialsInvalid, W::Vendor, REVOKED_CREDENTIALS),
    // No known code: MSAL's suberror, then the OAuth error value.
    rule(S::SubError("consent_required"), O::ConsentRevoked, W::User, MSAL_CLASSIFICATION),
    rule(S::SubError("basic_action"), O::ReauthRequired, W::User, MSAL_CLASSIFICATION),
    rule(S::SubError("bad_token"), O::ReauthRequired, W::User, MSAL_CLASSIFICATION),
    rule(S::OAuthError("invalid_client"), O::ClientCredentialsInvalid, W::Vendor, REF),
    rule(S::OAuthError("unauthorized_client"), O::AppNotInTenant, W::Admin, REF),
    rule(S::OAuthError("interaction_required"), O::ReauthRequired, W::User, REF),
    rule(S::OAuthError("consent_required"), O::ConsentRevoked, W::User, AUTH_CODE_FLOW),
    rule(S::OAuthError("invalid_grant"), O::ReauthRequired, W::User, REF),
    rule(S::OAuthError("temporarily_unavailable"), O::Transient, W::Nobody, REF),
    // Graph: mailbox answers by message first (Microsoft reworded them and the code alternates).
    rule(S::GraphMessage("hosted on-premise"), O::MailboxUnavailable, W::Admin, QA_NO_LICENCE),
    rule(
        S::GraphMessage("REST API is not yet supported for this mailbox"),
        O::MailboxUnavailable,
        W::Admin,
        KB_REST_MAILBOX,
    ),
    rule(
        S::GraphMessage("Access to OData is disabled"),
        O::BlockedByPolicy,
        W::Admin,
        LIMIT_MAILBOX_ACCESS,
    ),
    rule(
        S::GraphCode("MailboxNotEnabledForRESTAPI"),
        O::MailboxUnavailable,
        W::Admin,
        KB_REST_MAILBOX,
    ),
    rule(
        S::GraphCode("MailboxNotSupportedForRESTAPI"),
        O::MailboxUnavailable,
        W::Admin,
        KB_REST_MAILBOX,
    ),
    rule(S::GraphCode("ResourceNotFound"), O::MailboxUnavailable, W::Admin, GRAPH_NO_MAILBOX),
    rule(S::GraphCode("ErrorAccessDenied"), O::ScopesMissing, W::User, GRAPH_ACCESS_DENIED),
    rule(S::GraphCode("Authorization_RequestDenied"), O::ScopesMissing, W::User, GRAPH_ERRORS),
    rule(S::GraphCode("InvalidAuthenticationToken"), O::ReauthRequired, W::User, GRAPH_ERRORS),
    rule(S::GraphCode("ApplicationThrottled"), O::Transient, W::Nobody, OUTLOOK_LIMITS),
    rule(S::GraphCode("TooManyRequests"), O::Transient, W::Nobody, GRAPH_THROTTLING),
    rule(S::GraphCode("ErrorMailboxMoveInProgress"), O::Transient, W::Nobody, EWS_CODES),
    rule(S::GraphCode("ErrorMailboxStoreUnavailable"), O::Transient, W::Nobody, EWS_CODES),
    // Statuses, when no code decided.
    rule(S::HttpStatus(429), O::Transient, W::Nobody, GRAPH_THROTTLING),
    rule(S::HttpStatus(503), O::Transient, W::Nobody, GRAPH_ERRORS),
    rule(S::HttpStatus(504), O::Transient, W::Nobody, GRAPH_ERRORS),
    rule(S::GraphStatus(401), O::ReauthRequired, W::User, GRAPH_ERRORS),
];

/// The first row whose signal satisfies `pred`.
pub(super) fn find(pred: impl Fn(&Signal) -> bool) -> Option<&'static HealthRule> {
    LINK_HEALTH_TABLE.iter().find(|r| pred(&r.signal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_signal_is_listed_twice_and_every_source_is_a_https_url() {
        let mut labels: Vec<String> = LINK_HEALTH_TABLE.iter().map(|r| r.signal.label()).collect();
        labels.sort();
        let before = labels.len();
        labels.dedup();
        assert_eq!(
            labels.len(),
            before,
            "a signal appears twice; the first row would shadow the second"
        );
        for r in LINK_HEALTH_TABLE {
            assert!(r.source.starts_with("https://"), "{:?}", r.signal);
            assert!(r.outcome != O::Healthy && r.outcome != O::Unknown, "{:?}", r.signal);
        }
    }

    #[test]
    fn every_outcome_but_healthy_and_unknown_has_a_row() {
        for o in HealthOutcome::ALL {
            let listed = LINK_HEALTH_TABLE.iter().any(|r| r.outcome == o);
            assert_eq!(listed, !matches!(o, O::Healthy | O::Unknown), "{o:?}");
        }
    }
}
