//! Guidance for every [`ConsentState`]: the help article, generated from the tenant's state, in the
//! user's language and for the product being linked.

use fluent_bundle::FluentValue;

use super::states::*;
use super::{Consent, ConsentState};
use crate::decision::AdminReason;
use crate::guidance::{Catalog, Guidance, Locale, Product};

impl ConsentState {
    /// Next steps for the user and the admin in this state, written for `product` in `locale`.
    /// Admin steps name the app as the tenant shows it under Enterprise applications; user steps
    /// name the product. Add the admin-consent link with [`Guidance::link`] if the product has one.
    pub fn guidance(&self, product: &Product, locale: Locale) -> Guidance {
        let c = Catalog::new(locale, product, &self.app().display_name);
        let g = match self {
            ConsentState::UserConsentAllowed(s) => user_consent_allowed(&c, s),
            ConsentState::RequestsDisabled(s) => requests_disabled(&c, s),
            ConsentState::RequestsEnabled(s) => requests_enabled(&c, s),
            ConsentState::Pending(s) => pending(&c, s),
            ConsentState::Approved(s) => approved(&c, s),
            ConsentState::Denied(s) => denied(&c, s),
            ConsentState::Expired(s) => expired(&c, s),
            ConsentState::Blocked(_) => blocked(&c),
        };
        g.in_locale(locale)
    }
}

/// Explains in the catalogue's words why users cannot consent themselves (one clause per reason).
pub(crate) fn explain(c: &Catalog, reasons: &[AdminReason]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for r in reasons {
        let (id, scope) = match r {
            AdminReason::UserConsentDisabled => ("reason-user-consent-disabled", None),
            AdminReason::AdminOnlyScope(s) => ("reason-admin-only-scope", Some(s)),
            AdminReason::RestrictedByMicrosoftManagedPolicy(s) => ("reason-microsoft-managed", Some(s)),
            AdminReason::UnverifiedPublisher => ("reason-unverified-publisher", None),
            AdminReason::NotLowImpact(s) => ("reason-not-low-impact", Some(s)),
            AdminReason::AssignmentRequired => ("reason-assignment-required", None),
            AdminReason::CustomPolicy => ("reason-custom-policy", None),
            AdminReason::ApplicationPermission(s) => ("reason-application-permission", Some(s)),
        };
        let text = c.t_with(id, scope.map(|s| ("scope", FluentValue::from(s.as_str()))));
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    parts.join("; ")
}

fn admin_settings(c: &Catalog) -> String {
    c.t("path-admin-consent-settings")
}

fn admin_requests(c: &Catalog) -> String {
    c.t("path-admin-consent-requests")
}

fn user_consent_allowed(c: &Catalog, s: &Consent<UserConsentAllowed>) -> Guidance {
    let setting = [("setting", FluentValue::from(s.details().setting.portal_label()))];
    Guidance::new(
        c.t("state-user-consent-allowed-title"),
        c.t_with("state-user-consent-allowed-summary", setting),
    )
    .user(c.t("state-user-consent-allowed-user"))
}

fn requests_disabled(c: &Catalog, s: &Consent<RequestsDisabled>) -> Guidance {
    let reasons = [("reasons", FluentValue::from(explain(c, &s.details().reasons)))];
    Guidance::new(
        c.t("state-requests-disabled-title"),
        c.t_with("state-requests-disabled-summary", reasons),
    )
    .user(c.t("state-requests-disabled-user"))
    .admin(c.t("state-requests-disabled-admin-enable"), Some(&admin_settings(c)))
    .admin(c.t("state-requests-disabled-admin-grant"), None)
}

fn requests_enabled(c: &Catalog, s: &Consent<RequestsEnabled>) -> Guidance {
    let d = s.details();
    let args = [
        ("reasons", FluentValue::from(explain(c, &d.reasons))),
        ("days", FluentValue::from(d.request_duration_in_days)),
    ];
    Guidance::new(
        c.t("state-requests-enabled-title"),
        c.t_with("state-requests-enabled-summary", args),
    )
    .user(c.t("state-requests-enabled-user-start"))
    .user(c.t("state-requests-enabled-user-send"))
    .admin(c.t("state-requests-enabled-admin"), Some(&admin_requests(c)))
}

fn pending(c: &Catalog, s: &Consent<Pending>) -> Guidance {
    let d = s.details();
    let names = d.requesters.iter().filter_map(|r| r.name.clone()).collect::<Vec<_>>().join(", ");
    let id = if names.is_empty() {
        "state-pending-summary"
    } else {
        "state-pending-summary-named"
    };
    let args = [
        ("count", FluentValue::from(d.requesters.len())),
        ("names", FluentValue::from(names)),
        ("scopes", FluentValue::from(d.scopes.to_string())),
    ];
    let mut summary = c.t_with(id, args);
    if let Some(expires) = d.expires_at {
        let date = [("date", FluentValue::from(expires.format("%Y-%m-%d").to_string()))];
        summary = format!("{summary} {}", c.t_with("state-pending-expires", date));
    }
    Guidance::new(c.t("state-pending-title"), summary)
        .user(c.t("state-pending-user"))
        .admin(c.t("state-pending-admin-review"), Some(&admin_requests(c)))
        .admin(c.t("state-pending-admin-roles"), None)
}

fn approved(c: &Catalog, s: &Consent<Approved>) -> Guidance {
    let scopes = [("scopes", FluentValue::from(s.details().coverage.granted.to_string()))];
    Guidance::new(c.t("state-approved-title"), c.t_with("state-approved-summary", scopes)).user(c.t("state-approved-user"))
}

fn closed_again(c: &Catalog, g: Guidance, can_request_again: bool) -> Guidance {
    if can_request_again {
        g.user(c.t("state-closed-request-again"))
    } else {
        g.user(c.t("state-closed-requests-off-user"))
            .admin(c.t("state-closed-requests-off-admin"), Some(&admin_settings(c)))
    }
}

fn denied(c: &Catalog, s: &Consent<Denied>) -> Guidance {
    let d = s.details();
    let summary = match d.justification.as_deref() {
        Some(reason) => c.t_with("state-denied-summary-reason", [("reason", FluentValue::from(reason))]),
        None => c.t("state-denied-summary"),
    };
    let g = Guidance::new(c.t("state-denied-title"), summary);
    closed_again(c, g, d.can_request_again).admin(c.t("state-denied-admin"), Some(&admin_requests(c)))
}

fn expired(c: &Catalog, s: &Consent<Expired>) -> Guidance {
    let g = Guidance::new(c.t("state-expired-title"), c.t("state-expired-summary"));
    closed_again(c, g, s.details().can_request_again).admin(c.t("state-expired-admin"), Some(&admin_requests(c)))
}

fn blocked(c: &Catalog) -> Guidance {
    Guidance::new(c.t("state-blocked-title"), c.t("state-blocked-summary"))
        .user(c.t("state-blocked-user"))
        .admin(c.t("state-blocked-admin"), Some(&c.t("path-app-properties")))
}
