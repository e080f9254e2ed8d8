//! Guidance for every outcome: who acts, in both locales, for any product, never echoing Microsoft's
//! text.

use std::time::Duration;

use super::*;
use crate::guidance::tests::{assert_dutch, assert_html_escapes, assert_not_about_a_calendar, catalog_misses};
use crate::guidance::{Audience, Locale, Product};

fn calendar() -> Product {
    Product::new("Carerix Calendar")
        .with_task("link your Microsoft 365 calendar")
        .with_button("Link calendar")
}

#[test]
fn every_outcome_has_titled_guidance_with_steps_in_every_locale() {
    for h in every_outcome() {
        for locale in Locale::ALL {
            let g = h.guidance(&calendar(), locale);
            assert_eq!(g.locale, locale);
            assert!(!g.title.is_empty() && !g.summary.is_empty() && !g.steps.is_empty(), "{}", h.kind());
            for text in [g.to_text(), g.to_markdown(), g.to_html()] {
                assert!(!text.contains(PLANTED), "{}: Microsoft's text is never echoed", h.kind());
                assert!(!text.contains("health-"), "{}: a message id leaked: {text}", h.kind());
            }
        }
    }
    assert!(catalog_misses().is_empty(), "{:?}", catalog_misses());
}

#[test]
fn admin_outcomes_have_admin_steps_and_user_or_vendor_outcomes_do_not_need_one() {
    for h in every_outcome() {
        let g = h.guidance(&calendar(), Locale::En);
        let has_admin = g.steps_for(Audience::Admin).next().is_some();
        if h.who_acts == WhoActs::Admin {
            assert!(has_admin, "{} names the admin but gives them nothing to do", h.kind());
        }
        if h.outcome == HealthOutcome::ClientCredentialsInvalid {
            assert!(!has_admin, "the admin cannot fix the vendor's secret");
            assert!(g.summary.contains("Carerix Calendar's side"), "{}", g.summary);
        }
        if h.outcome != HealthOutcome::Healthy && h.outcome != HealthOutcome::Unknown {
            assert!(g.to_text().contains(h.code.as_deref().unwrap()), "{}: quotes its code", h.kind());
        }
    }
}

#[test]
fn guidance_says_what_to_do_for_each_cause() {
    let en = |h: LinkHealth| h.guidance(&calendar(), Locale::En).to_text();
    assert!(en(token("invalid_grant", &[50173])).contains("Press \"Link calendar\" and sign in again"));
    assert!(en(graph(404, "MailboxNotEnabledForRESTAPI", "x")).contains("licence that includes Exchange Online"));
    assert!(en(token("unauthorized_client", &[7000112])).contains("\"Enabled for users to sign in?\""));
    assert!(en(token("invalid_grant", &[53003])).contains("\"Conditional Access\" tab"));
    assert!(en(token("invalid_grant", &[50057])).contains("\"Account enabled\""));
    assert!(en(token("invalid_grant", &[65001])).contains("\"Grant admin consent\""));
    // A vendor-side cause of a re-sign-in adds the support step; a user-side one does not.
    assert!(en(token("invalid_grant", &[700084])).contains("support and quote AADSTS700084"));
    assert!(!en(token("invalid_grant", &[50173])).contains("support"));
}

#[test]
fn transient_guidance_gives_the_wait_in_seconds() {
    let h = LinkHealth::from_graph_error(429, &graph_body("TooManyRequests", ""), Some(Duration::from_millis(2128)));
    assert!(h.guidance(&calendar(), Locale::En).summary.contains("wait 3 seconds"));
    assert!(h.guidance(&calendar(), Locale::Nl).summary.contains("3 seconden"));
    let one = LinkHealth::from_graph_error(503, "", Some(Duration::from_secs(1)));
    assert!(one.guidance(&calendar(), Locale::En).summary.contains("one second"));
    let none = LinkHealth::from_graph_error(503, "", None);
    assert!(!none.guidance(&calendar(), Locale::En).summary.contains("second"));
}

#[test]
fn dutch_guidance_has_no_english_outside_quoted_labels() {
    for h in every_outcome() {
        assert_dutch(h.kind(), &h.guidance(&Product::new("Acme"), Locale::Nl));
    }
    assert!(catalog_misses().is_empty());
}

#[test]
fn a_product_that_is_not_a_calendar_never_reads_calendar() {
    for h in every_outcome() {
        for locale in Locale::ALL {
            assert_not_about_a_calendar(h.kind(), &h.guidance(&Product::new("Acme"), locale));
        }
    }
}

#[test]
fn html_escapes_a_script_in_the_product_name() {
    let evil = Product::new("<script>alert(1)</script>");
    for h in every_outcome() {
        for locale in Locale::ALL {
            assert_html_escapes(&h.guidance(&evil, locale));
        }
    }
}
