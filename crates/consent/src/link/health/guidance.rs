//! Next steps for every link-health outcome, in the user's language and for the product.
//!
//! Only the deciding code (an identifier, or `HTTP <status>`) reaches the text, never Microsoft's
//! description or message: they came from outside and could write into a help page or an email.

use fluent_bundle::FluentValue;

use super::{HealthOutcome, LinkHealth, WhoActs};
use crate::guidance::{Catalog, Guidance, Locale, Product};

impl LinkHealth {
    /// Next steps for this outcome, written for `product` in `locale`. Vendor-side causes get a step
    /// telling the user to quote the code to the product's support.
    pub fn guidance(&self, product: &Product, locale: Locale) -> Guidance {
        let c = &Catalog::new(locale, product, product.name());
        let code = self.code.clone().unwrap_or_else(|| c.t("health-no-code"));
        let t = |id: &str| c.t_with(id, [("code", FluentValue::from(code.as_str()))]);
        let g = match self.outcome {
            HealthOutcome::Healthy => healthy(c),
            HealthOutcome::ConsentRevoked => consent_revoked(c, &t),
            HealthOutcome::ReauthRequired => {
                Guidance::new(t("health-reauth-title"), t("health-reauth-summary")).user(t("health-reauth-user"))
            }
            HealthOutcome::AccountUnavailable => account(c, &t),
            HealthOutcome::BlockedByPolicy => policy(c, &t),
            HealthOutcome::MailboxUnavailable => mailbox(c, &t),
            HealthOutcome::ScopesMissing => scopes(c, &t),
            HealthOutcome::AppDisabled => app_disabled(c, &t),
            HealthOutcome::AppNotInTenant => Guidance::new(t("health-not-in-tenant-title"), t("health-not-in-tenant-summary"))
                .user(t("health-not-in-tenant-user"))
                .admin(t("health-not-in-tenant-admin"), None),
            HealthOutcome::ClientCredentialsInvalid => {
                Guidance::new(t("health-credentials-title"), t("health-credentials-summary")).user(t("health-credentials-user"))
            }
            HealthOutcome::Transient => self.transient(c, &code, &t),
            HealthOutcome::Unknown => Guidance::new(t("health-unknown-title"), t("health-unknown-summary")).user(t("health-unknown-user")),
        };
        let vendor_side =
            self.who_acts == WhoActs::Vendor && !matches!(self.outcome, HealthOutcome::ClientCredentialsInvalid | HealthOutcome::Unknown);
        let g = if vendor_side { g.user(t("health-vendor-support")) } else { g };
        g.in_locale(locale)
    }

    fn transient(&self, c: &Catalog, code: &str, t: &dyn Fn(&str) -> String) -> Guidance {
        let summary = match self.retry_after {
            Some(d) => {
                let seconds = super::ceil_secs(d);
                let args = [("code", FluentValue::from(code)), ("seconds", FluentValue::from(seconds))];
                c.t_with("health-transient-summary-wait", args)
            }
            None => t("health-transient-summary"),
        };
        Guidance::new(t("health-transient-title"), summary).user(t("health-transient-user"))
    }
}

fn healthy(c: &Catalog) -> Guidance {
    Guidance::new(c.t("health-healthy-title"), c.t("health-healthy-summary")).user(c.t("health-healthy-user"))
}

fn consent_revoked(c: &Catalog, t: &dyn Fn(&str) -> String) -> Guidance {
    Guidance::new(t("health-consent-revoked-title"), t("health-consent-revoked-summary"))
        .user(t("health-consent-revoked-user"))
        .admin(t("health-consent-revoked-admin"), Some(&c.t("health-path-app-permissions")))
}

fn account(c: &Catalog, t: &dyn Fn(&str) -> String) -> Guidance {
    Guidance::new(t("health-account-title"), t("health-account-summary"))
        .user(t("health-account-user"))
        .admin(t("health-account-admin-users"), Some(&c.t("health-path-users")))
        .admin(t("health-account-admin-logs"), Some(&c.t("health-path-sign-in-logs")))
}

fn policy(c: &Catalog, t: &dyn Fn(&str) -> String) -> Guidance {
    Guidance::new(t("health-policy-title"), t("health-policy-summary"))
        .user(t("health-policy-user"))
        .admin(t("health-policy-admin"), Some(&c.t("health-path-sign-in-logs")))
}

fn mailbox(c: &Catalog, t: &dyn Fn(&str) -> String) -> Guidance {
    Guidance::new(t("health-mailbox-title"), t("health-mailbox-summary"))
        .user(t("health-mailbox-user"))
        .admin(t("health-mailbox-admin"), Some(&c.t("health-path-licences")))
}

fn scopes(c: &Catalog, t: &dyn Fn(&str) -> String) -> Guidance {
    Guidance::new(t("health-scopes-title"), t("health-scopes-summary"))
        .user(t("health-scopes-user"))
        .admin(t("health-scopes-admin"), Some(&c.t("health-path-app-permissions")))
}

fn app_disabled(c: &Catalog, t: &dyn Fn(&str) -> String) -> Guidance {
    Guidance::new(t("health-app-disabled-title"), t("health-app-disabled-summary"))
        .user(t("health-app-disabled-user"))
        .admin(t("health-app-disabled-admin"), Some(&c.t("health-path-app-properties")))
}
