//! Guidance exists for every outcome and says who acts, what, where, with which link.

use url::Url;

use super::*;
use crate::guidance::tests::{assert_dutch, assert_html_escapes, assert_not_about_a_calendar};
use crate::guidance::{
    Audience, Locale, Product, BUTTON_REQUEST_APPROVAL, BUTTON_REVIEW, PATH_ADMIN_CONSENT_REQUESTS, PATH_ADMIN_CONSENT_SETTINGS,
    SETTING_USERS_CAN_REQUEST,
};
use crate::link::{AdminConsentOutcome, LinkOutcome};

const NAME: &str = "Carerix Calendar";
fn product() -> Product {
    Product::new(NAME)
        .with_task("link your Microsoft 365 calendar")
        .with_button("Link calendar")
}

const SECRET_TEXT: &str = "ClickThisPhishingLink";

fn admin_url() -> Url {
    Url::parse(&format!(
        "https://login.microsoftonline.com/{TENANT}/v2.0/adminconsent?client_id={APP}"
    ))
    .unwrap()
}

fn outcome(query_tail: &str, minutes: i64) -> LinkOutcome {
    let p = pending();
    let q = format!("{query_tail}&error_description=AADSTS1+{SECRET_TEXT}&state={}", p.state());
    p.finish(&q, &clock_after(minutes)).unwrap()
}

fn all_link_outcomes() -> Vec<LinkOutcome> {
    let mut v: Vec<LinkOutcome> = [
        "code=abc",
        "error=x&error_codes=90094",
        "error=x&error_codes=90095",
        "error=x&error_codes=65001",
        "error=x&error_codes=65004",
        "error=x&error_codes=700016",
        "error=x&error_codes=900941",
        "error=x&error_codes=900981",
        "error=x&error_codes=50011",
        "error=x&error_codes=650053",
        "error=x&error_codes=70011",
        "error=x&error_codes=12345",
    ]
    .iter()
    .map(|q| outcome(q, 1))
    .collect();
    v.push(outcome("code=abc", 30));
    v.push(pending().finish("code=abc&state=wrong", &clock_after(1)).unwrap());
    v
}

#[test]
fn every_link_outcome_has_titled_guidance_with_steps_and_no_echoed_description() {
    let outcomes = all_link_outcomes();
    let kinds: std::collections::BTreeSet<_> = outcomes.iter().map(LinkOutcome::kind).collect();
    assert_eq!(kinds.len(), 10, "all ten outcome kinds are covered: {kinds:?}");
    for o in &outcomes {
        let g = o.guidance(&product(), Locale::En, Some(&admin_url()));
        assert!(!g.title.is_empty() && !g.summary.is_empty(), "{o:?}");
        assert!(!g.steps.is_empty(), "{} has no steps", o.kind());
        for text in [g.to_text(), g.to_markdown()] {
            assert!(!text.contains(SECRET_TEXT), "{}: the description is never echoed", o.kind());
        }
        assert_eq!(!g.links.is_empty(), o.needs_admin_consent_link(), "{}", o.kind());
    }
}

#[test]
fn workflow_off_tells_the_admin_the_setting_and_gives_the_link() {
    let g = outcome("error=x&error_codes=90094", 1).guidance(&product(), Locale::En, Some(&admin_url()));
    let admin: Vec<_> = g.steps_for(Audience::Admin).collect();
    assert!(admin
        .iter()
        .any(|s| s.text.contains(SETTING_USERS_CAN_REQUEST) && s.location.as_deref() == Some(PATH_ADMIN_CONSENT_SETTINGS)));
    assert!(admin.iter().any(|s| s.text.contains("admin consent link")));
    assert!(g.steps_for(Audience::User).any(|s| s.text.contains("IT administrator")));
    assert_eq!(g.links[0].url, admin_url().as_str());
    assert!(g.to_markdown().contains("AADSTS90094"));
}

#[test]
fn workflow_on_tells_the_user_to_request_and_the_admin_where_to_review() {
    let g = outcome("error=x&error_codes=90095", 1).guidance(&product(), Locale::En, None);
    assert!(g
        .steps_for(Audience::User)
        .any(|s| s.text.contains(BUTTON_REQUEST_APPROVAL) && s.text.contains("why you need")));
    assert!(g
        .steps_for(Audience::Admin)
        .any(|s| s.text.contains(BUTTON_REVIEW) && s.location.as_deref() == Some(PATH_ADMIN_CONSENT_REQUESTS)));
    assert!(g.links.is_empty(), "no link was supplied");
}

#[test]
fn app_not_in_tenant_hands_the_admin_the_consent_link_or_explains_without_it() {
    let o = outcome("error=x&error_codes=700016", 1);
    let with = o.guidance(&product(), Locale::En, Some(&admin_url()));
    assert!(with.to_text().contains(admin_url().as_str()));
    assert!(with
        .steps_for(Audience::Admin)
        .any(|s| s.text.contains("adds Carerix Calendar to Enterprise applications")));
    let without = o.guidance(&product(), Locale::En, None);
    assert!(without
        .steps_for(Audience::Admin)
        .any(|s| s.text.contains("ask Carerix Calendar's support")));
}

#[test]
fn every_admin_outcome_has_guidance() {
    let q = |p: &PendingAdminConsent, tail: &str| format!("{tail}&state={}", p.state());
    let cases = [
        (TENANT, "admin_consent=True&tenant=fa00d692-e9c7-4460-a743-29f2956fd429", "granted"),
        (
            "contoso.com",
            "admin_consent=True&tenant=fa00d692-e9c7-4460-a743-29f2956fd429",
            "granted",
        ),
        (TENANT, "error=permission_denied", "declined"),
        (
            TENANT,
            "admin_consent=True&tenant=72f988bf-86f1-41af-91ab-2d7cd011db47",
            "tenant_mismatch",
        ),
        (TENANT, "error=server_error", "other"),
    ];
    for (tenant, tail, kind) in cases {
        let p = pending_admin(tenant);
        let query = q(&p, tail);
        let o = p.finish(&query).unwrap();
        assert_eq!(o.kind(), kind);
        let g = o.guidance(&product(), Locale::En, Some(&admin_url()));
        assert!(!g.steps.is_empty() && !g.title.is_empty(), "{kind}");
        assert_eq!(g.links.is_empty(), kind == "granted", "{kind}");
    }
    let o = pending_admin(TENANT).finish("admin_consent=True&state=x").unwrap();
    assert!(matches!(o, AdminConsentOutcome::StateMismatch { .. }));
    assert!(!o.guidance(&product(), Locale::En, None).steps.is_empty());
    let unconfirmed = pending_admin("contoso.com");
    let query = q(&unconfirmed, "admin_consent=True&tenant=fa00d692-e9c7-4460-a743-29f2956fd429");
    let g = unconfirmed.finish(&query).unwrap().guidance(&product(), Locale::En, None);
    assert!(g.summary.contains("not been confirmed"), "{}", g.summary);
}

fn all_admin_outcomes() -> Vec<AdminConsentOutcome> {
    let granted = "admin_consent=True&tenant=fa00d692-e9c7-4460-a743-29f2956fd429";
    let other_tenant = "admin_consent=True&tenant=72f988bf-86f1-41af-91ab-2d7cd011db47";
    let mut v: Vec<AdminConsentOutcome> = [
        (TENANT, granted),
        ("contoso.com", granted),
        (TENANT, "error=permission_denied"),
        (TENANT, other_tenant),
        (TENANT, "error=server_error"),
    ]
    .into_iter()
    .map(|(tenant, tail)| {
        let p = pending_admin(tenant);
        let query = format!("{tail}&state={}", p.state());
        p.finish(&query).unwrap()
    })
    .collect();
    v.push(pending_admin(TENANT).finish("admin_consent=True&state=x").unwrap());
    v
}

/// Every guidance text a product can show for a link, in `locale`, for `product`.
fn every_text(product: &Product, locale: Locale) -> Vec<(String, crate::Guidance)> {
    let url = admin_url();
    let mut out = Vec::new();
    for o in all_link_outcomes() {
        for u in [Some(&url), None] {
            out.push((o.kind().to_owned(), o.guidance(product, locale, u)));
        }
    }
    for o in all_admin_outcomes() {
        for u in [Some(&url), None] {
            out.push((format!("admin {}", o.kind()), o.guidance(product, locale, u)));
        }
    }
    out
}

#[test]
fn dutch_link_guidance_has_no_english_sentence_outside_quoted_labels() {
    for (kind, g) in every_text(&Product::new("Acme"), Locale::Nl) {
        assert_eq!(g.locale, Locale::Nl);
        assert_dutch(&kind, &g);
    }
    assert!(crate::guidance::tests::catalog_misses().is_empty());
}

#[test]
fn a_product_that_is_not_a_calendar_never_reads_calendar() {
    for locale in Locale::ALL {
        for (kind, g) in every_text(&Product::new("Acme"), locale) {
            assert_not_about_a_calendar(&kind, &g);
        }
    }
}

#[test]
fn the_product_task_and_button_reach_the_user_steps() {
    let acme = Product::new("Acme")
        .with_task("archive your mailbox")
        .with_button("Connect mailbox");
    let g = outcome("error=x&error_codes=90094", 1).guidance(&acme, Locale::En, None);
    let user = g.steps_for(Audience::User).map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    assert!(user.contains("you need it to archive your mailbox"), "{user}");
    assert!(user.contains("press \"Connect mailbox\" again"), "{user}");
    let neutral = outcome("error=x&error_codes=90094", 1).guidance(&Product::new("Acme"), Locale::En, None);
    assert!(neutral.to_text().contains("you need it to use Acme"), "{}", neutral.to_text());
    assert!(neutral.to_text().contains("\"Sign in again\""));
    let nl = outcome("error=x&error_codes=90094", 1).guidance(&Product::new("Acme"), Locale::Nl, None);
    assert!(nl.to_text().contains("om Acme te gebruiken"), "{}", nl.to_text());
    assert!(nl.to_text().contains("\"Opnieuw aanmelden\""));
}

#[test]
fn html_escapes_a_script_in_the_product_name() {
    let evil = Product::new("<script>alert(1)</script>");
    for locale in Locale::ALL {
        for (_, g) in every_text(&evil, locale) {
            assert_html_escapes(&g);
        }
    }
}
