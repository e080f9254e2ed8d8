//! The user's silent re-check: has the admin approved yet? Answered without admin rights and without
//! showing the user anything.
//!
//! On the user's next visit a product sends the browser to an authorize URL with `prompt=none` and a
//! `login_hint` ([`LinkRequest::silent_recheck`]). Microsoft answers at once, never with a page:
//! a `code` means consent now exists (approved); `interaction_required` or `consent_required` mean
//! the user would still see a prompt (still blocked); `login_required` (AADSTS50058) means the user
//! has no session and must sign in first. [`PendingLink::finish_recheck`] classifies the answer into
//! a [`RecheckOutcome`].
//!
//! Microsoft warns that a grant can take up to an hour to reach every sign-in. So when the product
//! knows from Graph that the app *is* approved (from [`observe`](crate::observe) or a
//! [`watch`](crate::workflow::watch)) and the silent sign-in still fails inside that window, the
//! outcome is [`RecheckOutcome::NotYetInEffect`] — "approved, not yet in effect" — not "blocked".

use chrono::{DateTime, TimeDelta, Utc};
use fluent_bundle::FluentValue;

use super::authorize::{LinkRequest, PendingLink, Prompt};
use super::callback::{AuthError, LinkOutcome, TokenExchange};
use crate::clock::Clock;
use crate::error::Result;
use crate::guidance::{Catalog, Guidance, Locale, Product};

/// How long after an approval a failing sign-in is still "not yet in effect": Microsoft documents
/// that changes can take up to an hour to reach sign-in.
pub const PROPAGATION_WINDOW: TimeDelta = TimeDelta::hours(1);

/// AADSTS50058: a silent sign-in was sent but no user is signed in.
const NO_SESSION: u32 = 50058;

impl LinkRequest {
    /// Turns the request into a silent re-check for one user: `prompt=none`, so Microsoft never shows
    /// a page, and `login_hint` (their UPN or email) so it picks their session.
    pub fn silent_recheck(self, login_hint: impl Into<String>) -> Self {
        self.prompt(Prompt::None).login_hint(login_hint)
    }
}

/// What a silent re-check came to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecheckOutcome {
    /// Microsoft issued a code without asking anything: consent exists. Exchange the code.
    Approved(TokenExchange),
    /// The user would still be prompted (`interaction_required`, `consent_required`, AADSTS65001,
    /// 90094/90095): not approved yet.
    StillBlocked {
        /// What Microsoft sent.
        error: AuthError,
    },
    /// Graph shows the approval, but sign-in does not honour it yet; inside [`PROPAGATION_WINDOW`].
    NotYetInEffect {
        /// What Microsoft sent.
        error: AuthError,
        /// When Graph was first seen showing the approval.
        approved_at: DateTime<Utc>,
        /// When the propagation window ends; re-check after it.
        expected_by: DateTime<Utc>,
    },
    /// `login_required` (AADSTS50058): the user has no session; they must sign in (interactively).
    SignInRequired {
        /// What Microsoft sent.
        error: AuthError,
    },
    /// Anything else (cancelled, misconfigured, state mismatch, …), as the ordinary link outcome.
    Other(Box<LinkOutcome>),
}

impl RecheckOutcome {
    /// Classifies the ordinary outcome of a `prompt=none` sign-in.
    pub fn from_link_outcome(outcome: LinkOutcome) -> Self {
        match outcome {
            LinkOutcome::Authorized(exchange) => RecheckOutcome::Approved(exchange),
            LinkOutcome::AdminApprovalRequired { error, .. }
            | LinkOutcome::ConsentRequired { error }
            | LinkOutcome::RiskyAppBlocked { error, .. } => RecheckOutcome::StillBlocked { error },
            LinkOutcome::Other { error } if error.error == "login_required" || error.has_code(NO_SESSION) => {
                RecheckOutcome::SignInRequired { error }
            }
            LinkOutcome::Other { error } if error.error == "interaction_required" => RecheckOutcome::StillBlocked { error },
            other => RecheckOutcome::Other(Box::new(other)),
        }
    }

    /// Takes Graph's view into account: when Graph has shown the approval since `approved_at` and
    /// `now` is inside the [`PROPAGATION_WINDOW`] after it, a still-blocked sign-in becomes
    /// [`NotYetInEffect`](RecheckOutcome::NotYetInEffect). After the window, blocked stays blocked
    /// (something else is wrong: a scope the approval misses, a Conditional Access policy, …).
    pub fn with_graph_approval(self, approved_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Self {
        match (self, approved_at) {
            (RecheckOutcome::StillBlocked { error }, Some(approved_at)) if now < approved_at + PROPAGATION_WINDOW => {
                RecheckOutcome::NotYetInEffect {
                    error,
                    approved_at,
                    expected_by: approved_at + PROPAGATION_WINDOW,
                }
            }
            (other, _) => other,
        }
    }

    /// A stable snake_case name, for logs, metrics and JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            RecheckOutcome::Approved(_) => "approved",
            RecheckOutcome::StillBlocked { .. } => "still_blocked",
            RecheckOutcome::NotYetInEffect { .. } => "approved_not_yet_in_effect",
            RecheckOutcome::SignInRequired { .. } => "sign_in_required",
            RecheckOutcome::Other(o) => o.kind(),
        }
    }

    /// Next steps, written for `product` in `locale`.
    pub fn guidance(&self, product: &Product, locale: Locale) -> Guidance {
        let c = &Catalog::new(locale, product, product.name());
        let g = match self {
            RecheckOutcome::Approved(_) => {
                Guidance::new(c.t("recheck-approved-title"), c.t("recheck-approved-summary")).user(c.t("recheck-approved-user"))
            }
            RecheckOutcome::StillBlocked { error } => {
                let codes = [("codes", FluentValue::from(super::guidance::codes(c, error)))];
                Guidance::new(c.t("recheck-blocked-title"), c.t_with("recheck-blocked-summary", codes))
                    .user(c.t("recheck-blocked-user"))
                    .admin(c.t("recheck-blocked-admin"), Some(&c.t("path-admin-consent-requests")))
            }
            RecheckOutcome::NotYetInEffect { expected_by, .. } => {
                let by = [("time", FluentValue::from(expected_by.format("%H:%M UTC").to_string()))];
                Guidance::new(c.t("recheck-not-yet-title"), c.t_with("recheck-not-yet-summary", by.clone()))
                    .user(c.t_with("recheck-not-yet-user", by))
                    .admin(c.t("recheck-not-yet-admin"), None)
            }
            RecheckOutcome::SignInRequired { .. } => {
                Guidance::new(c.t("recheck-sign-in-title"), c.t("recheck-sign-in-summary")).user(c.t("recheck-sign-in-user"))
            }
            RecheckOutcome::Other(o) => return o.guidance(product, locale, None),
        };
        g.in_locale(locale)
    }
}

impl PendingLink {
    /// Classifies the answer to a [`silent_recheck`](LinkRequest::silent_recheck) URL. Pass when Graph
    /// has shown the app approved since (`approved_at`), if it has, so a sign-in that still fails in
    /// the propagation window reads as "approved, not yet in effect".
    ///
    /// ```
    /// use consent::link::{LinkRequest, LinkTenant, RecheckOutcome};
    /// use consent::{AppId, Clock, ManualClock, ScopeSet};
    ///
    /// let clock = ManualClock::new(chrono::Utc::now());
    /// let (url, pending) = LinkRequest::new(
    ///     AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11")?,
    ///     "https://crm.example.com/auth/microsoft/callback",
    ///     ScopeSet::parse("Calendars.ReadWrite User.Read offline_access")?,
    /// )?
    /// .tenant(LinkTenant::parse("contoso.onmicrosoft.com")?)
    /// .silent_recheck("eva@contoso.com")
    /// .build(&clock)?;
    /// assert!(url.query_pairs().any(|(k, v)| k == "prompt" && v == "none"));
    /// let answer = format!("error=interaction_required&error_codes=[65001]&state={}", pending.state());
    /// let approved_ten_minutes_ago = Some(clock.now() - chrono::TimeDelta::minutes(10));
    /// let outcome = pending.finish_recheck(&answer, &clock, approved_ten_minutes_ago)?;
    /// assert_eq!(outcome.kind(), "approved_not_yet_in_effect");
    /// # Ok::<(), consent::Error>(())
    /// ```
    pub fn finish_recheck(self, callback: &str, clock: &dyn Clock, approved_at: Option<DateTime<Utc>>) -> Result<RecheckOutcome> {
        let outcome = self.finish(callback, clock)?;
        Ok(RecheckOutcome::from_link_outcome(outcome).with_graph_approval(approved_at, clock.now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::ids::AppId;
    use crate::link::LinkTenant;
    use crate::scope::ScopeSet;

    fn clock() -> ManualClock {
        ManualClock::new(DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap().with_timezone(&Utc))
    }

    fn pending(clock: &ManualClock) -> (url::Url, PendingLink) {
        LinkRequest::new(
            AppId::parse("4b3c6a52-2f1d-4c7e-9a38-6f0e4d2b8c11").unwrap(),
            "https://crm.example.com/auth/microsoft/callback",
            ScopeSet::parse("Calendars.ReadWrite User.Read offline_access").unwrap(),
        )
        .unwrap()
        .tenant(LinkTenant::parse("contoso.onmicrosoft.com").unwrap())
        .silent_recheck("eva@contoso.com")
        .build(clock)
        .unwrap()
    }

    fn recheck(answer: &str, approved_at: Option<DateTime<Utc>>) -> RecheckOutcome {
        let clock = clock();
        let (_, p) = pending(&clock);
        let callback = format!("{answer}&state={}", p.state());
        p.finish_recheck(&callback, &clock, approved_at).unwrap()
    }

    #[test]
    fn silent_recheck_url_has_prompt_none_and_the_login_hint() {
        let (url, _) = pending(&clock());
        let p: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(p["prompt"], "none");
        assert_eq!(p["login_hint"], "eva@contoso.com");
    }

    #[test]
    fn answers_classify_as_approved_blocked_or_sign_in() {
        assert_eq!(recheck("code=0.AXoA-abc", None).kind(), "approved");
        for blocked in [
            "error=interaction_required&error_description=AADSTS65001%3A+consent",
            "error=consent_required",
            "error=interaction_required",
            "error=access_denied&error_codes=[90095]",
        ] {
            assert_eq!(recheck(blocked, None).kind(), "still_blocked", "{blocked}");
        }
        assert_eq!(recheck("error=login_required", None).kind(), "sign_in_required");
        assert_eq!(
            recheck("error=invalid_request&error_codes=[50058]", None).kind(),
            "sign_in_required"
        );
        assert_eq!(recheck("error=access_denied&error_subcode=cancel", None).kind(), "user_cancelled");
    }

    #[test]
    fn blocked_inside_the_window_after_a_graph_approval_is_not_yet_in_effect() {
        let now = clock().now();
        let inside = recheck("error=interaction_required", Some(now - TimeDelta::minutes(59)));
        let RecheckOutcome::NotYetInEffect { expected_by, .. } = &inside else {
            panic!("{inside:?}")
        };
        assert_eq!(*expected_by, now + TimeDelta::minutes(1));
        let after = recheck("error=interaction_required", Some(now - TimeDelta::minutes(61)));
        assert_eq!(after.kind(), "still_blocked");
        // A code is a code, whatever Graph said.
        assert_eq!(recheck("code=abc", Some(now)).kind(), "approved");
    }

    #[test]
    fn guidance_says_approved_not_yet_in_effect_in_both_locales() {
        let now = clock().now();
        let outcome = recheck("error=interaction_required", Some(now - TimeDelta::minutes(20)));
        let product = Product::new("Carerix");
        let en = outcome.guidance(&product, Locale::En).to_text();
        assert!(
            en.contains("approved") && en.contains("not in effect yet") && en.contains("09:40 UTC"),
            "{en}"
        );
        assert!(!en.to_lowercase().contains("blocked"), "{en}");
        let nl = outcome.guidance(&product, Locale::Nl).to_text();
        assert!(nl.contains("goedgekeurd") && nl.contains("09:40 UTC"), "{nl}");
        for o in [
            recheck("code=abc", None),
            recheck("error=consent_required", None),
            recheck("error=login_required", None),
        ] {
            for locale in Locale::ALL {
                assert!(!o.guidance(&product, locale).to_text().is_empty());
            }
        }
        assert!(crate::guidance::tests::catalog_misses().is_empty());
    }
}
