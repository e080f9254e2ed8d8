//! Next steps for every link outcome: who acts, what they do, where, and which link to hand over,
//! in the user's language and for the product being linked.
//!
//! Guidance quotes AADSTS codes but never Microsoft's `error_description`: that text arrives through
//! the user's browser, so echoing it into a help page or an email would let a crafted callback
//! write into them.

use chrono::TimeDelta;
use fluent_bundle::FluentValue;
use url::Url;

use super::admin::{AdminConsentOutcome, TenantCheck};
use super::callback::{AuthError, LinkOutcome, StateProblem};
use super::codes::Misconfiguration;
use crate::guidance::{Catalog, Guidance, Locale, Product};

impl LinkOutcome {
    /// Next steps for this outcome, written for `product` in `locale`. `admin_consent_url` is the
    /// admin-consent link to hand over (build it with
    /// [`PendingLink::admin_consent_link`](crate::link::PendingLink::admin_consent_link)); outcomes
    /// that need an admin fall back to the admin center path without it.
    pub fn guidance(&self, product: &Product, locale: Locale, admin_consent_url: Option<&Url>) -> Guidance {
        let c = &Catalog::new(locale, product, product.name());
        let url = admin_consent_url;
        let g = match self {
            LinkOutcome::Authorized(_) => authorized(c),
            LinkOutcome::AdminApprovalRequired { can_request: false, error } => workflow_off(c, error, url),
            LinkOutcome::AdminApprovalRequired { can_request: true, error } => workflow_on(c, error),
            LinkOutcome::ConsentRequired { error } => consent_required(c, error),
            LinkOutcome::UserCancelled { error } => cancelled(c, error),
            LinkOutcome::AppNotInTenant { error } => app_not_in_tenant(c, error, url),
            LinkOutcome::RiskyAppBlocked { can_request, error } => risky(c, *can_request, error, url),
            LinkOutcome::Misconfigured { problem, error } => misconfigured(c, *problem, error),
            LinkOutcome::StateMismatch { problem } => state_mismatch(c, *problem),
            LinkOutcome::Expired { max_age, .. } => expired(c, *max_age),
            LinkOutcome::Other { error } => other(c, error),
        };
        with_link(c, g.in_locale(locale), url.filter(|_| self.needs_admin_consent_link()))
    }
}

fn with_link(c: &Catalog, g: Guidance, url: Option<&Url>) -> Guidance {
    match url {
        Some(url) => g.link(c.t("label-admin-consent-link"), url.as_str()),
        None => g,
    }
}

/// The AADSTS codes of an error ("AADSTS90094, AADSTS90095"), or its OAuth error name.
pub(crate) fn codes(c: &Catalog, e: &AuthError) -> String {
    if e.error_codes.is_empty() {
        return c.t_with("error-named", [("error", FluentValue::from(e.error.as_str()))]);
    }
    e.error_codes
        .iter()
        .map(|code| format!("AADSTS{code}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `id` with `$codes` set from the error.
fn with_codes(c: &Catalog, id: &str, e: &AuthError) -> String {
    c.t_with(id, [("codes", FluentValue::from(codes(c, e)))])
}

fn grant_step(c: &Catalog, url: Option<&Url>) -> String {
    c.t(if url.is_some() {
        "link-grant-with-link"
    } else {
        "link-grant-without-link"
    })
}

fn authorized(c: &Catalog) -> Guidance {
    Guidance::new(c.t("link-authorized-title"), c.t("link-authorized-summary")).user(c.t("link-authorized-user"))
}

fn workflow_off(c: &Catalog, e: &AuthError, url: Option<&Url>) -> Guidance {
    Guidance::new(c.t("link-workflow-off-title"), with_codes(c, "link-workflow-off-summary", e))
        .user(c.t("link-workflow-off-user-ask"))
        .user(c.t("link-workflow-off-user-retry"))
        .admin(grant_step(c, url), None)
        .admin(c.t("link-workflow-off-admin-enable"), Some(&c.t("path-admin-consent-settings")))
}

fn workflow_on(c: &Catalog, e: &AuthError) -> Guidance {
    Guidance::new(c.t("link-workflow-on-title"), with_codes(c, "link-workflow-on-summary", e))
        .user(c.t("link-workflow-on-user-request"))
        .user(c.t("link-workflow-on-user-wait"))
        .admin(c.t("link-workflow-on-admin"), Some(&c.t("path-admin-consent-requests")))
}

fn consent_required(c: &Catalog, e: &AuthError) -> Guidance {
    Guidance::new(
        c.t("link-consent-required-title"),
        with_codes(c, "link-consent-required-summary", e),
    )
    .user(c.t("link-consent-required-user"))
    .admin(c.t("link-consent-required-admin"), None)
}

fn cancelled(c: &Catalog, e: &AuthError) -> Guidance {
    Guidance::new(c.t("link-cancelled-title"), with_codes(c, "link-cancelled-summary", e)).user(c.t("link-cancelled-user"))
}

fn app_not_in_tenant(c: &Catalog, e: &AuthError, url: Option<&Url>) -> Guidance {
    let admin = if url.is_some() {
        "link-not-in-tenant-admin-with-link"
    } else {
        "link-not-in-tenant-admin-without-link"
    };
    Guidance::new(c.t("link-not-in-tenant-title"), with_codes(c, "link-not-in-tenant-summary", e))
        .user(c.t("link-not-in-tenant-user"))
        .admin(c.t(admin), None)
}

fn risky(c: &Catalog, can_request: bool, e: &AuthError, url: Option<&Url>) -> Guidance {
    let g = Guidance::new(c.t("link-risky-title"), with_codes(c, "link-risky-summary", e));
    let g = if can_request {
        g.user(c.t("link-risky-user-request"))
            .admin(c.t("link-risky-admin-review"), Some(&c.t("path-admin-consent-requests")))
    } else {
        g.user(c.t("link-risky-user-ask"))
    };
    let check = if url.is_some() {
        "link-risky-admin-check-with-link"
    } else {
        "link-risky-admin-check-without-link"
    };
    g.admin(c.t(check), None)
}

fn misconfigured(c: &Catalog, problem: Misconfiguration, e: &AuthError) -> Guidance {
    let what = c.t(match problem {
        Misconfiguration::RedirectUriMismatch => "misconfig-redirect-uri",
        Misconfiguration::UnknownScopeOrResource => "misconfig-unknown-scope",
        Misconfiguration::InvalidScope => "misconfig-invalid-scope",
    });
    let args = [("what", FluentValue::from(what)), ("codes", FluentValue::from(codes(c, e)))];
    Guidance::new(c.t("link-misconfigured-title"), c.t_with("link-misconfigured-summary", args)).user(with_codes(
        c,
        "link-misconfigured-user",
        e,
    ))
}

fn state_mismatch(c: &Catalog, problem: StateProblem) -> Guidance {
    let why = c.t(match problem {
        StateProblem::Missing | StateProblem::Empty => "state-problem-missing",
        StateProblem::Different => "state-problem-different",
    });
    Guidance::new(
        c.t("link-state-mismatch-title"),
        c.t_with("link-state-mismatch-summary", [("why", FluentValue::from(why))]),
    )
    .user(c.t("link-state-mismatch-user"))
}

fn expired(c: &Catalog, max_age: TimeDelta) -> Guidance {
    let minutes = [("minutes", FluentValue::from(max_age.num_minutes()))];
    Guidance::new(c.t("link-expired-title"), c.t_with("link-expired-summary", minutes)).user(c.t("link-expired-user"))
}

fn other(c: &Catalog, e: &AuthError) -> Guidance {
    Guidance::new(c.t("link-other-title"), with_codes(c, "link-other-summary", e)).user(with_codes(c, "link-other-user", e))
}

impl AdminConsentOutcome {
    /// Next steps after an admin-consent attempt, written for `product` in `locale`;
    /// `admin_consent_url` is offered again where a retry helps (declined, unverifiable or failed
    /// attempts).
    pub fn guidance(&self, product: &Product, locale: Locale, admin_consent_url: Option<&Url>) -> Guidance {
        let c = &Catalog::new(locale, product, product.name());
        let (g, retry) = match self {
            AdminConsentOutcome::Granted { tenant, check, .. } => (granted(c, &tenant.to_string(), *check), false),
            AdminConsentOutcome::Declined { error } => (declined(c, error), true),
            AdminConsentOutcome::StateMismatch { .. } => (admin_state_mismatch(c), true),
            AdminConsentOutcome::TenantMismatch { expected, returned } => {
                (tenant_mismatch(c, &expected.to_string(), returned.as_deref()), true)
            }
            AdminConsentOutcome::Other { error } => (admin_other(c, error), true),
        };
        with_link(c, g.in_locale(locale), admin_consent_url.filter(|_| retry))
    }
}

fn granted(c: &Catalog, tenant: &str, check: TenantCheck) -> Guidance {
    let id = match check {
        TenantCheck::Unconfirmed => "admin-granted-summary-unconfirmed",
        _ => "admin-granted-summary",
    };
    Guidance::new(c.t("admin-granted-title"), c.t_with(id, [("tenant", FluentValue::from(tenant))]))
        .user(c.t("admin-granted-user"))
        .admin(c.t("admin-granted-admin"), None)
}

fn declined(c: &Catalog, e: &AuthError) -> Guidance {
    Guidance::new(c.t("admin-declined-title"), with_codes(c, "admin-declined-summary", e))
        .admin(c.t("admin-declined-admin"), None)
        .user(c.t("admin-declined-user"))
}

fn admin_state_mismatch(c: &Catalog) -> Guidance {
    Guidance::new(c.t("admin-state-mismatch-title"), c.t("admin-state-mismatch-summary")).admin(c.t("admin-state-mismatch-admin"), None)
}

fn tenant_mismatch(c: &Catalog, expected: &str, returned: Option<&str>) -> Guidance {
    let returned = returned.map_or_else(|| c.t("admin-tenant-none"), str::to_owned);
    let args = || {
        [
            ("expected", FluentValue::from(expected.to_owned())),
            ("returned", FluentValue::from(returned.clone())),
        ]
    };
    Guidance::new(
        c.t("admin-tenant-mismatch-title"),
        c.t_with("admin-tenant-mismatch-summary", args()),
    )
    .admin(c.t_with("admin-tenant-mismatch-admin", args()), None)
}

fn admin_other(c: &Catalog, e: &AuthError) -> Guidance {
    Guidance::new(c.t("admin-other-title"), with_codes(c, "admin-other-summary", e)).admin(with_codes(c, "admin-other-admin", e), None)
}
